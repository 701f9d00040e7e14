//! How a long import shows that it advances: a bar on a terminal (bytes
//! read of the inputs' total, so the time left holds once the reading runs
//! at the indexing's pace; records read and indexed, and articles indexed
//! a second), a plain line every ten seconds otherwise (a log, a pipe),
//! and the rejections in between, one line each.

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
    now: Mutex<Now>,
}

/// What is known so far.
#[derive(Default)]
struct Now {
    counts: Counts,
    /// Records queued and not indexed yet, when last looked at.
    left: u64,
    /// When the plain display last wrote.
    last_line: Option<Instant>,
}

impl Progress {
    /// A display for inputs of `total` bytes (`None`: unknown, as stdin).
    pub fn new(total: Option<u64>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(total) => {
                    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                        .with_style(
                            ProgressStyle::with_template(
                                "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg}, \
                                 ETA {eta}",
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
            started: Instant::now(),
            now: Mutex::new(Now {
                last_line: Some(Instant::now()),
                ..Now::default()
            }),
        }
    }

    /// `read` raw bytes and `counts` records so far.
    pub fn reading(&self, read: u64, counts: &Counts) {
        if let Some(bar) = &self.bar {
            bar.set_position(read);
        }
        self.update(|now| now.counts = *counts);
    }

    /// `left` of the records queued wait to be indexed.
    pub fn indexing(&self, left: u64) {
        self.update(|now| now.left = left);
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

    fn update(&self, change: impl FnOnce(&mut Now)) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut now);
        let c = now.counts;
        let indexed = c.imported.saturating_sub(now.left);
        let rate = indexed as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        let message = format!(
            "{} records read, {indexed} indexed ({rate:.0}/s), {} left",
            c.records(),
            now.left
        );
        match &self.bar {
            Some(bar) => bar.set_message(message),
            None => {
                if now.last_line.is_none_or(|t| t.elapsed() >= PLAIN_EVERY) {
                    now.last_line = Some(Instant::now());
                    eprintln!(
                        "pressd import: {message}; unchanged {}, rejected {}",
                        c.unchanged, c.rejected
                    );
                }
            }
        }
    }
}
