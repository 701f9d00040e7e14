//! Reading archives into the frontier (`pressd import`): JSON lines and
//! WARC files, plain or compressed ([`input`]), become items that carry
//! their text ([`jsonl`]) or their page's HTML ([`warc`]), queued in the
//! state store a batch per transaction. Indexing them is the pipeline's
//! work, the daemon's or a drain's (`daemon::drain`): an imported article
//! takes the one way into the index that a fetched one takes.
//!
//! A batch is acknowledged once its transaction commits: a kill after that
//! loses none of it, and an import run again finds its keys queued or
//! handled and adds nothing twice. A record that cannot be read is
//! rejected alone (reported with its file and line or record number, and
//! skipped); a file that cannot be opened is reported and the others still
//! import. [`progress`] shows it all.
//!
//! Knows the state store, the canonical URL and the extractor's date and
//! charset readers; nothing of the index, the network or the daemon.

mod input;
mod jsonl;
mod progress;
mod warc;

use std::fmt;
use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::canonical::doc_id;
use crate::item::Item;
use crate::state::{State, StateError};

pub use input::{Format, Input};
pub use progress::Progress;

/// The source of a record that names none, when `--source` is not given.
pub const DEFAULT_SOURCE: &str = "import";

/// Records per transaction: large enough that the commit costs little per
/// record, small enough that a kill loses at most a moment's reading.
const BATCH: usize = 1_000;

/// A batch is queued once its first record is this old, even when not
/// full: a slow stream (a pipe fed as news comes) is acknowledged and
/// indexed within a second or so of each record after it.
const BATCH_AGE: Duration = Duration::from_secs(1);

/// Queued records not yet indexed that the reading may run ahead by: the
/// frontier (on disk) stays bounded while a large archive is read faster
/// than it is indexed.
const MAX_AHEAD: u64 = 20_000;

/// How often a reading that ran ahead looks again.
const AHEAD_WAIT: Duration = Duration::from_millis(200);

/// What an import did with its records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Queued for indexing: new to the frontier and not handled before.
    pub imported: u64,
    /// Already known: queued or handled under the same key.
    pub unchanged: u64,
    /// Records that could not be read.
    pub rejected: u64,
    /// Inputs that could not be opened.
    pub unreadable_files: u64,
}

impl Counts {
    /// Records read, whatever became of them.
    pub fn records(&self) -> u64 {
        self.imported + self.unchanged + self.rejected
    }
}

/// A record or file that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The input's name.
    pub file: String,
    pub place: Place,
    pub message: String,
}

/// Where in its input a rejected record was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    /// A JSON line, from 1.
    Line(u64),
    /// A WARC record, from 1.
    Record(u64),
    /// The whole input.
    File,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Place::Line(n) => write!(f, "{}:{n}: {}", self.file, self.message),
            Place::Record(n) => write!(f, "{}: record {n}: {}", self.file, self.message),
            Place::File => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Why an import had to stop: the state store failed (records already
/// acknowledged stay queued).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot queue the records read")]
    State(#[source] StateError),
}

/// Reads inputs into the frontier.
pub struct Importer<'a> {
    pub state: &'a State,
    /// The source of every record (`--source`); else the record's own,
    /// else [`DEFAULT_SOURCE`].
    pub source: Option<String>,
    /// The format of every input; else each one's name tells it.
    pub format: Option<Format>,
    pub progress: &'a Progress,
    /// Stop between batches (what was queued stays queued).
    pub stop: &'a CancellationToken,
    /// Records queued from this time on are this import's (see
    /// [`State::queued_since`]): the reading waits while too many of them
    /// are not indexed yet.
    pub since: DateTime<Utc>,
}

impl Importer<'_> {
    /// Read every input; rejections go to the progress display as they
    /// come.
    pub fn run(&self, inputs: &[Input]) -> Result<Counts, ImportError> {
        let read = Arc::new(AtomicU64::new(0));
        let mut batch = Batch {
            importer: self,
            items: Vec::with_capacity(BATCH),
            first_at: None,
            counts: Counts::default(),
            read: read.clone(),
            error: None,
        };
        for input in inputs {
            if self.stop.is_cancelled() {
                break;
            }
            let opened = input.format(self.format).and_then(|format| {
                input
                    .open(read.clone())
                    .map(|r| (format, r))
                    .map_err(|e| format!("cannot read: {e}"))
            });
            let (format, reader) = match opened {
                Ok(o) => o,
                Err(message) => {
                    batch.counts.unreadable_files += 1;
                    self.progress.reject(&Rejected {
                        file: input.name(),
                        place: Place::File,
                        message,
                    });
                    continue;
                }
            };
            let name = input.name();
            match format {
                Format::Jsonl => read_lines(reader, &name, &mut batch),
                Format::Warc => warc::read(reader, |n, item| {
                    batch.take(&name, Place::Record(n), item.map(|item| (None, item)))
                }),
            }
            if let Some(e) = batch.error.take() {
                return Err(e);
            }
        }
        batch.flush();
        match batch.error {
            Some(e) => Err(e),
            None => Ok(batch.counts),
        }
    }
}

fn read_lines(mut reader: Box<dyn BufRead + Send>, name: &str, batch: &mut Batch<'_, '_>) {
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        n += 1;
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                batch.take(
                    name,
                    Place::Line(n),
                    Err(format!(
                        "cannot read: {e}; the rest of the file is not read"
                    )),
                );
                return;
            }
        }
        let record = match std::str::from_utf8(&buf) {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => jsonl::parse(line).map(|p| (p.source, p.item)),
            Err(e) => Err(format!("not UTF-8: {e}")),
        };
        if !batch.take(name, Place::Line(n), record) {
            return;
        }
    }
}

/// Records read and not yet queued, and the counts so far.
struct Batch<'i, 'a> {
    importer: &'i Importer<'a>,
    items: Vec<(String, String, Item)>,
    /// When the batch's first record was read.
    first_at: Option<Instant>,
    counts: Counts,
    read: Arc<AtomicU64>,
    /// The state store failed: the import stops.
    error: Option<ImportError>,
}

impl Batch<'_, '_> {
    /// Take one record (its source, if it names one, and item) or its
    /// rejection; `false` when the import must stop.
    fn take(
        &mut self,
        file: &str,
        place: Place,
        record: Result<(Option<String>, Item), String>,
    ) -> bool {
        match record {
            Ok((source, item)) => {
                let source = self
                    .importer
                    .source
                    .clone()
                    .or(source)
                    .unwrap_or_else(|| DEFAULT_SOURCE.to_string());
                self.items.push((source, doc_id(&item.url), item));
                let first_at = *self.first_at.get_or_insert_with(Instant::now);
                if self.items.len() >= BATCH || first_at.elapsed() >= BATCH_AGE {
                    self.flush();
                }
            }
            Err(message) => {
                self.counts.rejected += 1;
                self.importer.progress.reject(&Rejected {
                    file: file.to_string(),
                    place,
                    message,
                });
            }
        }
        self.error.is_none() && !self.importer.stop.is_cancelled()
    }

    /// Queue what was read, in one transaction, then wait while the
    /// indexing is too far behind.
    fn flush(&mut self) {
        if self.error.is_some() {
            return;
        }
        if !self.items.is_empty() {
            let state = self.importer.state;
            match state.enqueue_sourced(&self.items, Utc::now()) {
                Ok(added) => {
                    self.counts.imported += added as u64;
                    self.counts.unchanged += (self.items.len() - added) as u64;
                    self.items.clear();
                    self.first_at = None;
                }
                Err(e) => {
                    self.error = Some(ImportError::State(e));
                    return;
                }
            }
        }
        self.importer
            .progress
            .reading(self.read.load(Ordering::Relaxed), &self.counts);
        self.wait_for_indexing();
    }

    fn wait_for_indexing(&mut self) {
        let importer = self.importer;
        loop {
            if importer.stop.is_cancelled() {
                return;
            }
            match importer.state.queued_since(importer.since) {
                Ok(n) if n > MAX_AHEAD => std::thread::sleep(AHEAD_WAIT),
                Ok(_) => return,
                Err(e) => {
                    self.error = Some(ImportError::State(e));
                    return;
                }
            }
        }
    }
}
