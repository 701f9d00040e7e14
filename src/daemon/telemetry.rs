//! What a run tells the outside about itself: counters for the report and
//! the STATUS line, Prometheus metrics, the writer's heartbeat (the
//! watchdog and `/healthz` trust the daemon only while it is fresh), the
//! storage fault if writes are failing, and a wake-up for the status
//! reporter when any of it changed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use tokio::sync::Notify;

use super::metrics::Metrics;
use super::storage::Storage;
use crate::config::PipelineSettings;

/// The telemetry of one run; shared by every task that reports something.
pub(super) struct Telemetry {
    pub(super) metrics: Metrics,
    pub(super) counters: Counters,
    pub(super) heartbeat: Heartbeat,
    pub(super) storage: Storage,
    /// Wakes the status reporter when a count it shows changed.
    changed: Notify,
}

impl Telemetry {
    pub(super) fn new(heartbeat: Heartbeat, storage: Storage) -> Telemetry {
        Telemetry {
            metrics: Metrics::new(),
            counters: Counters::default(),
            heartbeat,
            storage,
            changed: Notify::new(),
        }
    }

    /// Something the STATUS line shows changed.
    pub(super) fn status_changed(&self) {
        self.changed.notify_one();
    }

    /// Wait for [`Telemetry::status_changed`].
    pub(super) async fn changed(&self) {
        self.changed.notified().await;
    }
}

/// Counters shared by the tasks of one run.
#[derive(Default)]
pub(super) struct Counters {
    indexed: AtomicU64,
    failed: AtomicU64,
    /// Articles committed on a UTC day (since start), for the status line.
    today: Mutex<(Option<NaiveDate>, u64)>,
}

impl Counters {
    pub(super) fn add_indexed(&self, n: u64) {
        self.indexed.fetch_add(n, Ordering::Relaxed);
        let day = Utc::now().date_naive();
        let mut today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        if today.0 != Some(day) {
            *today = (Some(day), 0);
        }
        today.1 += n;
    }

    pub(super) fn add_failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn indexed(&self) -> u64 {
        self.indexed.load(Ordering::Relaxed)
    }

    pub(super) fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    pub(super) fn indexed_today(&self) -> u64 {
        let today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        if today.0 == Some(Utc::now().date_naive()) {
            today.1
        } else {
            0
        }
    }
}

/// When the index writer last turned its loop.
pub(super) struct Heartbeat {
    start: Instant,
    /// Milliseconds after `start` of the last beat.
    last: AtomicU64,
    stale_after: Duration,
}

impl Heartbeat {
    /// A heartbeat that goes stale after the longest healthy pause of a
    /// writer run with `pipeline`: it beats at least once per commit
    /// interval even when idle, and a commit of a large index can take a
    /// while; anything past both is not a healthy pause.
    pub(super) fn for_pipeline(pipeline: &PipelineSettings) -> Heartbeat {
        Heartbeat::new((pipeline.commit_interval * 3).max(Duration::from_secs(30)))
    }

    pub(super) fn new(stale_after: Duration) -> Heartbeat {
        Heartbeat {
            start: Instant::now(),
            last: AtomicU64::new(0),
            stale_after,
        }
    }

    pub(super) fn beat(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    /// Time since the last beat.
    pub(super) fn age(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }

    /// Whether the writer looks alive.
    pub(super) fn fresh(&self) -> bool {
        self.age() <= self.stale_after
    }

    pub(super) fn stale_after(&self) -> Duration {
        self.stale_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_today_counts_commits() {
        let c = Counters::default();
        assert_eq!(c.indexed_today(), 0);
        c.add_indexed(3);
        c.add_indexed(2);
        assert_eq!(c.indexed_today(), 5);
        assert_eq!(c.indexed(), 5);
    }

    #[test]
    fn heartbeat_goes_stale_without_beats() {
        let hb = Heartbeat::new(Duration::from_millis(30));
        hb.beat();
        assert!(hb.fresh());
        std::thread::sleep(Duration::from_millis(60));
        assert!(!hb.fresh());
        hb.beat();
        assert!(hb.fresh());
    }

    #[test]
    fn staleness_covers_idle_commit_intervals() {
        let mut p = PipelineSettings {
            concurrency: 1,
            commit_batch: 1,
            commit_interval: Duration::from_secs(5),
            max_attempts: 1,
            retry_delay: Duration::from_secs(1),
            max_backoff: Duration::from_secs(1),
            stories: true,
        };
        assert_eq!(
            Heartbeat::for_pipeline(&p).stale_after(),
            Duration::from_secs(30)
        );
        p.commit_interval = Duration::from_secs(60);
        assert_eq!(
            Heartbeat::for_pipeline(&p).stale_after(),
            Duration::from_secs(180)
        );
    }
}
