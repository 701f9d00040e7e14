//! Storage faults: writes to the index or the state store that fail (a
//! full disk, a volume remounted read-only, a quota).
//!
//! Nothing is lost by such a failure: the frontier keeps every entry until
//! its document is committed. What must not happen is that nobody notices.
//! In a one-round run the first fault ends the run (retrying the same
//! writes would never end); the daemon keeps its work, retries with
//! back-off, and shows the fault until the writes go through again: in the
//! STATUS line, on `/healthz`, in the log, and to `pressd sources` through
//! a small status file in the state directory. That file is written at
//! start to its full size and only ever overwritten in place, so reporting
//! a full disk needs no free space.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// The status file in the state directory.
const FILE_NAME: &str = "daemon-status.json";
/// Its fixed size: padded with spaces, the message cut to fit.
const FILE_SIZE: usize = 4096;

/// Which store a write went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Store {
    Index,
    State,
}

/// A write that failed and has not succeeded since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// The error and its causes: names the path and the cause.
    pub message: String,
    pub since: DateTime<Utc>,
}

/// The storage faults of one run.
pub(super) struct Storage {
    /// Per [`Store`]: its current fault.
    faults: Mutex<[Option<Fault>; 2]>,
    /// Cancelled on the first fault of a one-round run.
    stop: Option<CancellationToken>,
    file: Option<StatusFile>,
}

impl Storage {
    /// `stop`: the token a one-round run stops by (`None` for the daemon,
    /// which retries). The status file goes to `state_dir` when there is one.
    pub(super) fn new(state_dir: Option<&Path>, stop: Option<CancellationToken>) -> Storage {
        let file = state_dir.and_then(|dir| match StatusFile::create(dir) {
            Ok(f) => Some(f),
            Err(e) => {
                warn!(
                    dir = %dir.display(),
                    error = %e,
                    "cannot write the daemon status file; `pressd sources` will not show storage faults"
                );
                None
            }
        });
        Storage {
            faults: Mutex::new([None, None]),
            stop,
            file,
        }
    }

    /// A write to `store` failed with `error`.
    pub(super) fn fail(&self, store: Store, error: &(dyn std::error::Error + 'static)) {
        let message = chain(error);
        let changed = {
            let mut faults = self.lock();
            let slot = &mut faults[store as usize];
            let new = slot.as_ref().is_none_or(|f| f.message != message);
            if new {
                *slot = Some(Fault {
                    message: message.clone(),
                    since: Utc::now(),
                });
            }
            new
        };
        if changed {
            warn!(error = %message, "storage fault: writes are failing; work stays queued and is retried");
            self.write_file();
        }
        if let Some(stop) = &self.stop {
            stop.cancel();
        }
    }

    /// A write to `store` went through.
    pub(super) fn ok(&self, store: Store) {
        let cleared = self.lock()[store as usize].take();
        if let Some(fault) = cleared {
            info!(was = %fault.message, "storage writes go through again");
            self.write_file();
        }
    }

    /// The oldest current fault.
    pub(super) fn fault(&self) -> Option<Fault> {
        self.lock()
            .iter()
            .flatten()
            .min_by_key(|f| f.since)
            .cloned()
    }

    /// The run is over: a stopped daemon has no faults to show.
    pub(super) fn close(&self) {
        if let Some(file) = &self.file {
            file.remove();
        }
    }

    fn write_file(&self) {
        if let Some(file) = &self.file {
            file.write(self.fault().as_ref());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Option<Fault>; 2]> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// An error and its causes on one line, as `{:#}` prints them with anyhow.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        message.push_str(": ");
        message.push_str(&e.to_string());
        cause = e.source();
    }
    message
}

/// What the status file holds.
#[derive(Serialize, Deserialize)]
struct Status {
    pid: u32,
    fault: Option<Fault>,
}

/// The status file: created at full size, then rewritten in place.
struct StatusFile {
    path: PathBuf,
    file: File,
}

impl StatusFile {
    fn create(dir: &Path) -> std::io::Result<StatusFile> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(FILE_NAME);
        let file = File::create(&path)?;
        let status = StatusFile { path, file };
        status.write_raw(None)?;
        status.file.sync_all()?;
        Ok(status)
    }

    fn write(&self, fault: Option<&Fault>) {
        if let Err(e) = self.write_raw(fault) {
            warn!(path = %self.path.display(), error = %e, "cannot update the daemon status file");
        }
    }

    fn write_raw(&self, fault: Option<&Fault>) -> std::io::Result<()> {
        let mut fault = fault.cloned();
        let mut bytes = encode(std::process::id(), fault.as_ref());
        // A message too long for the file is cut, at a char boundary.
        while bytes.len() > FILE_SIZE {
            if let Some(f) = fault.as_mut() {
                let keep = f.message.len().saturating_sub(bytes.len() - FILE_SIZE + 8);
                let mut cut = keep;
                while !f.message.is_char_boundary(cut) {
                    cut -= 1;
                }
                f.message.truncate(cut);
                f.message.push('…');
            }
            bytes = encode(std::process::id(), fault.as_ref());
        }
        bytes.resize(FILE_SIZE, b' ');
        self.file.write_all_at(&bytes, 0)
    }

    fn remove(&self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                warn!(path = %self.path.display(), error = %e, "cannot remove the daemon status file");
            }
        }
    }
}

fn encode(pid: u32, fault: Option<&Fault>) -> Vec<u8> {
    let status = Status {
        pid,
        fault: fault.cloned(),
    };
    // Serialising two plain fields cannot fail.
    serde_json::to_vec(&status).unwrap_or_default()
}

/// The storage fault a running daemon reports for the state directory
/// `state_dir` (`None` when there is none, no daemon runs, or it stopped
/// without removing its file: a dead pid).
pub fn reported_fault(state_dir: &Path) -> Option<Fault> {
    let bytes = std::fs::read(state_dir.join(FILE_NAME)).ok()?;
    let status: Status = serde_json::from_slice(bytes.trim_ascii_end()).ok()?;
    let alive = Path::new(&format!("/proc/{}", status.pid)).exists();
    status.fault.filter(|_| alive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("index at /x: commit")]
    struct Outer(#[source] std::io::Error);

    fn full() -> Outer {
        Outer(std::io::Error::from_raw_os_error(28))
    }

    #[test]
    fn a_fault_is_shown_until_its_store_writes_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::new(Some(dir.path()), None);
        assert_eq!(storage.fault(), None);
        assert_eq!(reported_fault(dir.path()), None);
        storage.fail(Store::Index, &full());
        let fault = storage.fault().expect("a fault");
        assert!(
            fault
                .message
                .starts_with("index at /x: commit: No space left on device"),
            "{}",
            fault.message
        );
        assert_eq!(reported_fault(dir.path()), Some(fault.clone()));
        // Another store's success does not clear it.
        storage.ok(Store::State);
        assert_eq!(storage.fault(), Some(fault));
        storage.ok(Store::Index);
        assert_eq!(storage.fault(), None);
        assert_eq!(reported_fault(dir.path()), None);
        assert_eq!(
            std::fs::metadata(dir.path().join(FILE_NAME))
                .expect("file")
                .len(),
            FILE_SIZE as u64
        );
        storage.close();
        assert!(!dir.path().join(FILE_NAME).exists());
    }

    #[test]
    fn a_one_round_run_stops_on_the_first_fault() {
        let stop = CancellationToken::new();
        let storage = Storage::new(None, Some(stop.clone()));
        storage.fail(Store::State, &full());
        assert!(stop.is_cancelled());
    }

    #[test]
    fn a_long_message_is_cut_to_fit_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = StatusFile::create(dir.path()).expect("create");
        let fault = Fault {
            message: "ё".repeat(5000),
            since: Utc::now(),
        };
        file.write_raw(Some(&fault)).expect("write");
        let read = reported_fault(dir.path()).expect("a fault");
        assert!(read.message.ends_with('…') && read.message.len() < FILE_SIZE);
    }
}
