//! Talks to systemd over the sd_notify protocol: READY once started, a
//! STATUS line with live counts, WATCHDOG pings, RELOADING around reloads and
//! STOPPING on the way out. Every call is a no-op when `NOTIFY_SOCKET` is
//! unset, so the daemon behaves the same outside systemd.
//!
//! The watchdog is fed only while the index writer shows signs of life (its
//! heartbeat, see `telemetry`): pinging from a timer alone would keep a daemon whose
//! writer is wedged alive for ever, which is exactly what `WatchdogSec=`
//! is there to catch.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use super::health::{assess, Health};
use super::registry::Registry;
use super::telemetry::Telemetry;
use crate::state::State;

/// How often the STATUS line is refreshed when nothing pokes it.
const STATUS_EVERY: Duration = Duration::from_secs(10);
/// Changes arrive in bursts (a poll queues, a commit indexes): gather them
/// into one STATUS update at most this often. A status reads every source's
/// row and counts the frontier, under the store's one connection: at 10,000
/// sources, refreshed five times a second, it held up the fetch pipeline
/// for the first minutes of a busy cycle (measured with poll_bench).
const STATUS_SETTLE: Duration = Duration::from_secs(2);

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        warn!(error = %e, "cannot notify systemd");
    }
}

/// Back to ready after a reload.
pub(super) fn reloaded() {
    send(&[NotifyState::Ready]);
}

pub(super) fn stopping() {
    send(&[NotifyState::Stopping]);
}

/// A reload starts. `MONOTONIC_USEC` lets systemd (253+) match it with the
/// `systemctl reload` that asked for it.
pub(super) fn reloading() {
    match NotifyState::monotonic_usec_now() {
        Ok(now) => send(&[NotifyState::Reloading, now]),
        Err(_) => send(&[NotifyState::Reloading]),
    }
}

/// What the STATUS line and the watchdog are made of.
pub(super) struct Reporter {
    pub registry: Arc<Registry>,
    pub state: Arc<State>,
    pub telemetry: Arc<Telemetry>,
}

impl Reporter {
    /// Tell systemd we are up, with the first status line in the same
    /// message (one datagram, so that READY is never followed by a lone
    /// STATUS that a client waiting for the next state change would
    /// misread). Returns the line sent.
    pub(super) async fn ready(&self) -> String {
        let line = self.status_line().await;
        send(&[NotifyState::Ready, NotifyState::Status(&line)]);
        line
    }

    /// Keep the STATUS line current and feed the watchdog until `cancel`.
    /// `last_status` is the line already sent; only changes are sent.
    pub(super) async fn report(self, mut last_status: String, cancel: CancellationToken) {
        // Half the interval, as sd_watchdog_enabled(3) advises, so one late
        // tick does not trip it.
        let watchdog = sd_notify::watchdog_enabled().map(|d| d / 2);
        if let Some(every) = watchdog {
            info!(
                ping_every_ms = every.as_millis() as u64,
                "systemd watchdog enabled"
            );
        }
        let mut status_tick = tokio::time::interval(STATUS_EVERY);
        status_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Without a watchdog the ticker still runs (it costs nothing) but
        // never fires within the life of the process.
        let mut watchdog_tick =
            tokio::time::interval(watchdog.unwrap_or(Duration::from_secs(86400)));
        watchdog_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut withheld = false;
        // When a burst of changes is to be reported (`None`: nothing
        // waiting). A deadline rather than a sleep in the select arm, so
        // that watchdog pings are never held up by it.
        let mut settled: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = status_tick.tick() => {}
                _ = self.telemetry.changed(), if settled.is_none() => {
                    settled = Some(tokio::time::Instant::now() + STATUS_SETTLE);
                    continue;
                }
                _ = sleep_until_some(settled) => {}
                _ = watchdog_tick.tick(), if watchdog.is_some() => {
                    withheld = self.feed_watchdog(withheld);
                    continue;
                }
            }
            settled = None;
            let line = self.status_line().await;
            if line != last_status {
                debug!(status = %line, "status");
                send(&[NotifyState::Status(&line)]);
                last_status = line;
            }
        }
    }

    /// Ping the watchdog if the writer is alive; returns whether the ping
    /// was withheld, so the error is logged once per stall rather than per
    /// tick.
    fn feed_watchdog(&self, withheld: bool) -> bool {
        let hb = &self.telemetry.heartbeat;
        if hb.fresh() {
            if withheld {
                info!("index writer is making progress again; watchdog fed");
            }
            send(&[NotifyState::Watchdog]);
            false
        } else {
            if !withheld {
                error!(
                    idle_s = hb.age().as_secs(),
                    limit_s = hb.stale_after().as_secs(),
                    "index writer has made no progress; withholding the watchdog ping"
                );
            }
            true
        }
    }

    /// "6 sources: 4 ok, 1 failing, 1 stale, 0 pending; 12 articles indexed
    /// today; 3 queued": each source's status as `pressd sources` shows it
    /// (stale, parse-degraded and extraction-failing only when there are
    /// any), and a
    /// storage fault first while there is one.
    async fn status_line(&self) -> String {
        let sources = self.registry.all();
        let state = self.state.clone();
        // The store may wait on another process's lock: not on a runtime
        // thread.
        let read = tokio::task::spawn_blocking(move || (state.sources(), state.queue_len())).await;
        let (states, queued) = match read {
            Ok((Ok(states), Ok(queued))) => (states, Some(queued)),
            Ok((Ok(states), Err(_))) => (states, None),
            _ => (Vec::new(), None),
        };
        let states: HashMap<&str, _> = states.iter().map(|st| (st.id.as_str(), st)).collect();
        let now = Utc::now();
        let mut counts: HashMap<Health, usize> = HashMap::new();
        for source in &sources {
            let health = assess(source, states.get(source.id.as_str()).copied(), now);
            *counts.entry(health).or_default() += 1;
        }
        let count = |h: Health| counts.get(&h).copied().unwrap_or(0);
        let mut line = String::new();
        if let Some(fault) = self.telemetry.storage.fault() {
            line.push_str(&format!(
                "STORAGE FAULT since {}: {}; retrying. ",
                fault.since.format("%H:%M:%S UTC"),
                fault.message
            ));
        }
        line.push_str(&format!(
            "{} sources: {} ok, {} failing",
            sources.len(),
            count(Health::Ok),
            count(Health::Failing)
        ));
        for rare in [
            Health::Stale,
            Health::ParseDegraded,
            Health::ExtractionFailing,
        ] {
            if count(rare) > 0 {
                line.push_str(&format!(", {} {}", count(rare), rare.as_str()));
            }
        }
        self.telemetry.metrics.set_queue_depth(queued);
        format!(
            "{line}, {} pending; {} articles indexed today; {} queued",
            count(Health::Pending),
            self.telemetry.counters.indexed_today(),
            queued.map_or_else(|| "?".to_string(), |q| q.to_string()),
        )
    }
}

/// Sleep until `at`, or for ever without one.
async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::storage::{Storage, Store};
    use crate::daemon::telemetry::Heartbeat;

    fn reporter(dir: &std::path::Path, stale_after: Duration) -> Reporter {
        let state = Arc::new(State::open(dir).expect("state"));
        Reporter {
            registry: Arc::new(Registry::new(state.clone(), &[])),
            state,
            telemetry: Arc::new(Telemetry::new(
                Heartbeat::new(stale_after),
                Storage::new(None, None),
            )),
        }
    }

    /// A wedged writer (no beats) must starve the watchdog, once the
    /// heartbeat is stale, and feed it again when it recovers.
    #[test]
    fn watchdog_is_withheld_while_the_writer_is_stuck() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = reporter(dir.path(), Duration::from_millis(30));
        r.telemetry.heartbeat.beat();
        assert!(!r.feed_watchdog(false), "fresh: pinged");
        std::thread::sleep(Duration::from_millis(60));
        assert!(r.feed_watchdog(false), "stale: withheld");
        assert!(r.feed_watchdog(true), "still stale: still withheld");
        r.telemetry.heartbeat.beat();
        assert!(!r.feed_watchdog(true), "recovered: pinged again");
    }

    #[tokio::test]
    async fn status_line_counts_sources_and_queue() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = reporter(dir.path(), Duration::from_secs(30));
        r.telemetry.counters.add_indexed(4);
        assert_eq!(
            r.status_line().await,
            "0 sources: 0 ok, 0 failing, 0 pending; 4 articles indexed today; 0 queued"
        );
    }

    #[tokio::test]
    async fn status_line_leads_with_a_storage_fault() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = reporter(dir.path(), Duration::from_secs(30));
        r.telemetry
            .storage
            .fail(Store::Index, &std::io::Error::from_raw_os_error(28));
        let line = r.status_line().await;
        assert!(line.starts_with("STORAGE FAULT since "), "{line}");
        assert!(line.contains("No space left on device"), "{line}");
        r.telemetry.storage.ok(Store::Index);
        assert!(r.status_line().await.starts_with("0 sources"));
    }
}
