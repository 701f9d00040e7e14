//! How a long import shows that it advances: a bar with the rate and the
//! time left on a terminal, a plain line every ten seconds otherwise (a
//! log, a pipe), and the rejections in between, one line each.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Counts, Rejected};

/// How often the plain display writes a line.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

pub struct Progress {
    /// `None` when stderr is not a terminal.
    bar: Option<ProgressBar>,
    started: Instant,
    /// When the plain display last wrote.
    last_line: Mutex<Instant>,
}

impl Progress {
    /// A display for inputs of `total` bytes (`None`: unknown, as stdin).
    pub fn new(total: Option<u64>) -> Progress {
        let now = Instant::now();
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(total) => {
                    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                        .with_style(
                        ProgressStyle::with_template(
                            "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg}, ETA {eta}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    )
                }
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{spinner} {elapsed_precise} {bytes} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                ),
            };
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            started: now,
            last_line: Mutex::new(now),
        }
    }

    /// `read` raw bytes and `counts` records so far.
    pub fn reading(&self, read: u64, counts: &Counts) {
        let records = counts.records();
        let rate = records as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        let message = format!("{records} records, {rate:.0}/s");
        match &self.bar {
            Some(bar) => {
                bar.set_position(read);
                bar.set_message(message);
            }
            None => self.line(|| {
                format!(
                    "pressd import: {message} read (imported {}, unchanged {}, rejected {})",
                    counts.imported, counts.unchanged, counts.rejected
                )
            }),
        }
    }

    /// The records are all queued; `left` still wait to be indexed.
    pub fn indexing(&self, left: u64) {
        let message = format!("indexing: {left} left");
        match &self.bar {
            Some(bar) => bar.set_message(message),
            None => self.line(|| format!("pressd import: {message}")),
        }
    }

    /// Report a rejected record or file, above the bar.
    pub fn reject(&self, rejected: &Rejected) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{rejected}")),
            None => eprintln!("{rejected}"),
        }
    }

    /// Take the bar off the screen.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn line(&self, text: impl FnOnce() -> String) {
        let mut last = self.last_line.lock().unwrap_or_else(|p| p.into_inner());
        if last.elapsed() >= PLAIN_EVERY {
            *last = Instant::now();
            eprintln!("{}", text());
        }
    }
}
