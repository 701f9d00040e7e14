//! Polls each enabled source on its schedule and queues what it finds.
//!
//! One task per source: a failing or slow source delays only itself. The
//! schedule lives in the state store (`next_poll`), so a restart neither
//! hammers every outlet at once nor forgets a back-off.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::registry::Registry;
use super::storage::Store;
use super::telemetry::Telemetry;
use super::work::Work;
use super::Mode;
use crate::canonical::doc_id;
use crate::config::Source;
use crate::http::{Client, HostKey};
use crate::sources::{self, Poll, SourceError};
use crate::state::{State, StateError};

/// How soon a source whose items could not be queued (a storage fault) is
/// polled again: a freed disk should be used within moments, and the poll
/// is what finds the items again.
const STORAGE_RETRY: Duration = Duration::from_secs(15);

/// A change to the set of pollers, sent by a reload.
#[derive(Debug)]
pub(super) enum Command {
    /// Start polling a source that was not polled.
    Start(Arc<Source>),
    /// Stop polling a source.
    Stop(String),
    /// Replace a source's poller by one with new settings. Its schedule and
    /// validators are in the state store, so the new poller carries on
    /// where the old one was rather than polling at once; unless the URL
    /// changed, which starts it afresh (see [`adopt_urls`]).
    Restart(Arc<Source>),
}

/// Why a source's last poll brought nothing in; the run's [`Report`]
/// carries it, and `run --once` prints it with its causes.
///
/// [`Report`]: super::Report
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The poll itself failed (recorded as the source's last error).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The items found could not be queued: the poll is not recorded as a
    /// success, so that the next one finds them again.
    #[error("cannot queue the discovered items")]
    Queue(#[source] StateError),
    /// Stopped before its first poll.
    #[error("not polled yet")]
    NotPolled,
}

type Outcome = (String, Result<usize, PollError>);

/// What the pollers share.
pub(super) struct Polling {
    pub client: Client,
    pub state: Arc<State>,
    pub registry: Arc<Registry>,
    pub work: Arc<Work>,
    pub telemetry: Arc<Telemetry>,
    /// The longest wait before polling a failing source again.
    pub max_backoff: Duration,
}

/// One running poller.
struct Poller {
    stop: CancellationToken,
    task: JoinHandle<Outcome>,
}

/// Run the pollers; returns each source's last poll outcome when they stop.
/// `done` fires when no poller is left (in [`Mode::Once`], after one round).
/// In [`Mode::Forever`], `commands` add, stop and restart pollers until
/// `cancel` fires.
pub(super) async fn run(
    polling: Polling,
    sources: Vec<Arc<Source>>,
    mode: Mode,
    cancel: CancellationToken,
    done: CancellationToken,
    mut commands: mpsc::Receiver<Command>,
) -> Vec<Outcome> {
    let polling = Arc::new(polling);
    let mut pollers: HashMap<String, Poller> = HashMap::new();
    for source in sources {
        start(&mut pollers, &polling, source, mode, &cancel);
    }
    if mode == Mode::Forever {
        // Once `commands` is closed its branch is disabled and this waits
        // for `cancel` alone.
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                Some(command) = commands.recv() => match command {
                    Command::Start(source) => {
                        // A source removed earlier may come back elsewhere.
                        adopt_urls(&polling.state, std::slice::from_ref(&source));
                        start(&mut pollers, &polling, source, mode, &cancel);
                    }
                    Command::Stop(id) => {
                        stop(&mut pollers, &id).await;
                    }
                    Command::Restart(source) => {
                        stop(&mut pollers, &source.id).await;
                        // Only now: the old poller recorded its last poll
                        // (of the old URL) before it let go.
                        adopt_urls(&polling.state, std::slice::from_ref(&source));
                        start(&mut pollers, &polling, source, mode, &cancel);
                    }
                },
            }
        }
    }
    let mut outcomes = Vec::new();
    for (id, poller) in pollers {
        match poller.task.await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => warn!(source = %id, error = %e, "a poller task panicked"),
        }
    }
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    done.cancel();
    outcomes
}

fn start(
    pollers: &mut HashMap<String, Poller>,
    polling: &Arc<Polling>,
    source: Arc<Source>,
    mode: Mode,
    cancel: &CancellationToken,
) {
    let stop = cancel.child_token();
    let id = source.id.clone();
    apply_host_limits(&polling.client, &source);
    let task = tokio::spawn(poll_loop(polling.clone(), source, mode, stop.clone()));
    if let Some(old) = pollers.insert(id.clone(), Poller { stop, task }) {
        // Never two pollers for one source; the reload diff should not ask.
        warn!(source = %id, "poller started twice; stopping the older one");
        old.stop.cancel();
    }
}

/// Tell the store which URL each source is polled from, before its poller
/// starts: a source whose URL changed since it was last polled, by a reload
/// or in the config of a restarted daemon, starts afresh, without the old
/// URL's validators, due at once and without the old URL's failures (see
/// [`State::set_source_urls`]).
///
/// [`State::set_source_urls`]: crate::state::State::set_source_urls
pub(super) fn adopt_urls(state: &State, sources: &[Arc<Source>]) {
    let urls: Vec<(&str, &str)> = sources
        .iter()
        .map(|s| (s.id.as_str(), s.url.as_str()))
        .collect();
    match state.set_source_urls(&urls) {
        Ok(changed) => {
            for (id, old) in changed {
                info!(
                    source = %id,
                    old_url = %old,
                    url = sources.iter().find(|s| s.id == id).map_or("", |s| s.url.as_str()),
                    "source URL changed; polling the new one afresh, without the old one's validators"
                );
            }
        }
        Err(e) => warn!(
            error = %e,
            "cannot record the sources' URLs; a source whose URL changed may be polled with the old one's validators"
        ),
    }
}

/// Give a source's own politeness settings to the HTTP client, which alone
/// paces its host.
fn apply_host_limits(client: &Client, source: &Source) {
    if source.per_host_concurrency.is_some() || source.per_host_delay.is_some() {
        client.set_host_limits(
            &HostKey::of(&source.url),
            source.per_host_concurrency,
            source.per_host_delay,
        );
    }
}

/// Stop a source's poller and wait until it has let go (an interrupted poll
/// records nothing, so the next poller finds the schedule as it was).
async fn stop(pollers: &mut HashMap<String, Poller>, id: &str) {
    if let Some(poller) = pollers.remove(id) {
        poller.stop.cancel();
        if let Err(e) = poller.task.await {
            warn!(source = %id, error = %e, "a poller task panicked");
        }
        debug!(source = %id, "poller stopped");
    }
}

async fn poll_loop(
    polling: Arc<Polling>,
    source: Arc<Source>,
    mode: Mode,
    cancel: CancellationToken,
) -> Outcome {
    let mut last: Result<usize, PollError> = Err(PollError::NotPolled);
    // When the last poll meant the next one to be. The store holds the
    // schedule; this holds it too while the store cannot be written (a
    // full disk), so that a poll whose outcome was not recorded is not
    // repeated at once, again and again.
    let mut not_before: Option<Instant> = None;
    loop {
        if mode == Mode::Forever {
            let planned = not_before.map_or(Duration::ZERO, |t| {
                t.saturating_duration_since(Instant::now())
            });
            let wait = until_due(&polling, &source).max(planned);
            if !wait.is_zero() {
                debug!(source = %source.id, wait_s = wait.as_secs(), "next poll scheduled");
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
            }
        }
        let next;
        (last, next) = tokio::select! {
            _ = cancel.cancelled() => break,
            r = poll_once(&polling, &source) => r,
        };
        not_before = Some(Instant::now() + next);
        if mode == Mode::Once {
            break;
        }
    }
    (source.id.clone(), last)
}

/// How long until `source` is due, from the schedule in the state store.
fn until_due(polling: &Polling, source: &Source) -> Duration {
    let next = match polling.state.source(&source.id) {
        Ok(Some(s)) => s.next_poll,
        Ok(None) => None,
        Err(e) => {
            warn!(source = %source.id, error = %e, "cannot read source schedule; polling now");
            None
        }
    };
    // A schedule further away than the longest interval means the config
    // changed to shorter intervals since; honour the new ones.
    next.map_or(Duration::ZERO, |t| {
        (t - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(source.max_interval())
    })
}

/// Poll once, queue new items, record health. Returns the number of new
/// items, and the wait until the next poll.
async fn poll_once(polling: &Polling, source: &Source) -> (Result<usize, PollError>, Duration) {
    // The next poll is planned from when this one was due, not from when it
    // ended: waiting for the host's turn and the server's answer would
    // otherwise stretch every interval by both, and a new item would wait
    // that much longer to be seen (issue 17).
    let (due, due_at) = (Instant::now(), Utc::now());
    let stored = match polling.state.source(&source.id) {
        Ok(s) => s,
        Err(e) => {
            warn!(source = %source.id, error = %e, "cannot read validators");
            None
        }
    };
    let validators = stored.as_ref().and_then(|s| s.poll_validators().cloned());
    let cursor = stored.as_ref().and_then(|s| s.cursor.clone());
    let result = {
        // Wait for the host's turn here, before the poll is timed; the
        // poll's first request goes in it. No request slot on the wire is
        // held meanwhile. Boxed, as the poll below, so that the waiting is
        // allocated only while it lasts.
        let turn = Box::pin(polling.client.reserve(&HostKey::of(&source.url))).await;
        let started = Instant::now();
        // Boxed: the poll's state (HTTP client, parser) is large, and
        // inline it would be allocated for every poller for its whole life,
        // waiting included; thousands of sources made that the bulk of the
        // daemon's memory.
        let r = Box::pin(async {
            let client = polling.client.in_turn(turn);
            sources::poll_since(&client, source, validators.as_ref(), cursor.as_deref()).await
        })
        .await;
        polling.telemetry.metrics.polled(
            &source.id,
            match &r {
                Ok(Poll::NotModified) => "not_modified",
                Ok(Poll::Items { .. }) => "ok",
                Err(_) => "error",
            },
            started.elapsed(),
        );
        r
    };
    let now = Utc::now();
    polling.telemetry.status_changed();
    match result {
        Ok(Poll::NotModified) => {
            let interval = next_interval(polling, source, false);
            debug!(source = %source.id, interval_s = interval.as_secs(), "not modified");
            record(polling, source, |s| {
                s.record_success(&source.id, None, 0, now, due_at + chrono_dur(interval))
            });
            polling.registry.check_health(&source.id);
            (Ok(0), interval.saturating_sub(due.elapsed()))
        }
        Ok(Poll::Items {
            items,
            validators,
            reading,
            cursor: next_cursor,
        }) => {
            let found = items.len();
            let keyed: Vec<(String, crate::item::Item)> =
                items.into_iter().map(|i| (doc_id(&i.url), i)).collect();
            let new = match polling.state.enqueue(&source.id, &keyed, now) {
                Ok(n) => n,
                Err(e) => {
                    // Not recorded as a success: the items must be found
                    // again next time rather than silently dropped.
                    warn!(source = %source.id, error = %e, "cannot queue discovered items");
                    polling.telemetry.storage.fail(Store::State, &e);
                    return (
                        Err(PollError::Queue(e)),
                        STORAGE_RETRY.min(source.min_interval()),
                    );
                }
            };
            polling.telemetry.storage.ok(Store::State);
            if new > 0 {
                polling.work.queued();
            }
            let interval = next_interval(polling, source, new > 0);
            info!(source = %source.id, found, new, interval_s = interval.as_secs(), "polled");
            record(polling, source, |s| {
                s.record_success(
                    &source.id,
                    Some(&validators),
                    new as u64,
                    now,
                    due_at + chrono_dur(interval),
                )
            });
            record(polling, source, |s| {
                s.record_reading(&source.id, reading.as_ref())
            });
            // Only after the items are queued: a cursor past items that
            // were not would skip them for good.
            if next_cursor != cursor {
                record(polling, source, |s| {
                    s.record_cursor(&source.id, next_cursor.as_deref())
                });
            }
            let before = stored.and_then(|s| s.reading);
            super::health::reading_changed(source, before.as_ref(), reading.as_ref());
            polling.registry.check_health(&source.id);
            (Ok(new), interval.saturating_sub(due.elapsed()))
        }
        Err(e) => {
            let failures = polling
                .state
                .source(&source.id)
                .ok()
                .flatten()
                .map_or(0, |s| s.consecutive_failures)
                + 1;
            let wait = backoff(
                source.min_interval(),
                failures,
                polling.max_backoff,
                e.is_transient(),
            );
            // A server that says when to come back (Retry-After, a rate
            // limit's reset time) is not asked again before then.
            let wait = e.retry_after().map_or(wait, |after| wait.max(after));
            let next = now + chrono_dur(wait);
            warn!(
                source = %source.id,
                url = %source.url,
                failures,
                retry_at = %next.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                error = %e,
                "poll failed"
            );
            let message = e.to_string();
            record(polling, source, |s| {
                s.record_failure(&source.id, &message, now, next)
            });
            polling.registry.check_health(&source.id);
            (Err(PollError::Source(e)), wait)
        }
    }
}

fn record(
    polling: &Polling,
    source: &Source,
    f: impl FnOnce(&crate::state::State) -> Result<(), crate::state::StateError>,
) {
    match f(&polling.state) {
        Ok(()) => polling.telemetry.storage.ok(Store::State),
        Err(e) => {
            warn!(source = %source.id, error = %e, "cannot record poll outcome");
            polling.telemetry.storage.fail(Store::State, &e);
        }
    }
}

/// The interval after a successful poll, from the stored one (the
/// source's minimum at first), remembered for the next poll and restarts.
fn next_interval(polling: &Polling, source: &Source, found_new: bool) -> Duration {
    let stored = polling.state.source(&source.id).ok().flatten();
    let current = stored.as_ref().and_then(|s| s.interval);
    let activity = if found_new {
        Activity::New
    } else {
        let last_new = stored.as_ref().and_then(|s| s.last_new_item);
        let quiet_for = last_new.and_then(|t| (Utc::now() - t).to_std().ok());
        match quiet_for {
            Some(quiet) if quiet < source.max_interval() => Activity::Recent,
            _ => Activity::Quiet,
        }
    };
    let interval = adapt(
        current,
        activity,
        source.min_interval(),
        source.max_interval(),
    );
    if current != Some(interval) {
        record(polling, source, |s| {
            s.set_poll_interval(&source.id, interval)
        });
    }
    interval
}

/// What a successful poll says of how a source publishes, for [`adapt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Activity {
    /// The poll found new items.
    New,
    /// None now, but some within the source's longest interval.
    Recent,
    /// Nothing new for at least the longest interval, or ever.
    Quiet,
}

/// Adaptive polling: halve the interval when a poll found new items; keep
/// it while the source published within its longest interval; grow it by
/// half once the source has been quiet that long; always within
/// `[min, max]`. A source that publishes every few minutes is polled at
/// `min`, and stays there between its items: growing the interval after
/// every empty poll stretched a 5 s interval to 17 s for an outlet
/// publishing every 20 s, and its new items waited that long to be seen
/// (issue 17). One that is quiet for a day drifts to `max` in a few polls,
/// and one new item brings it halfway back.
pub(super) fn adapt(
    current: Option<Duration>,
    activity: Activity,
    min: Duration,
    max: Duration,
) -> Duration {
    let current = current.unwrap_or(min);
    let next = match activity {
        Activity::New => current / 2,
        Activity::Recent => current,
        Activity::Quiet => current.saturating_mul(3) / 2,
    };
    next.clamp(min, max.max(min))
}

/// Wait before polling a failing source again: the poll interval, doubled
/// per consecutive failure (quadrupled for permanent errors, which rarely
/// heal soon), never above `cap` but never below the interval itself. A
/// source is never given up: an outage heals by itself.
pub(super) fn backoff(
    interval: Duration,
    failures: u32,
    cap: Duration,
    transient: bool,
) -> Duration {
    let exp = failures.saturating_sub(1).min(16) * if transient { 1 } else { 2 };
    let grown = interval.saturating_mul(1u32 << exp.min(31));
    grown.min(cap.max(interval))
}

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_adapts_within_bounds() {
        let s = Duration::from_secs;
        let (min, max) = (s(600), s(3600));
        use Activity::{New, Quiet};
        assert_eq!(
            adapt(None, New, min, max),
            min,
            "starts at min, never below"
        );
        assert_eq!(adapt(None, Quiet, min, max), s(900));
        assert_eq!(adapt(Some(s(900)), Quiet, min, max), s(1350));
        assert_eq!(adapt(Some(s(3000)), Quiet, min, max), max);
        assert_eq!(adapt(Some(s(3600)), New, min, max), s(1800));
        // An interval stored under an older, wider config is pulled in.
        assert_eq!(adapt(Some(s(60)), Quiet, min, max), min);
    }

    /// Issue 17: a source that published within its longest interval is
    /// not polled less often for an empty poll between two items.
    #[test]
    fn an_active_source_keeps_its_interval_between_items() {
        let s = Duration::from_secs;
        let (min, max) = (s(5), s(20));
        use Activity::{New, Recent};
        assert_eq!(adapt(None, Recent, min, max), min);
        assert_eq!(adapt(Some(min), Recent, min, max), min);
        assert_eq!(adapt(Some(s(10)), Recent, min, max), s(10));
        assert_eq!(adapt(Some(s(10)), New, min, max), min);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let i = Duration::from_secs(60);
        let cap = Duration::from_secs(3600);
        assert_eq!(backoff(i, 1, cap, true), i);
        assert_eq!(backoff(i, 2, cap, true), Duration::from_secs(120));
        assert_eq!(backoff(i, 3, cap, false), Duration::from_secs(960));
        assert_eq!(backoff(i, 30, cap, true), cap);
        // An interval longer than the cap is not shortened.
        assert_eq!(
            backoff(Duration::from_secs(7200), 3, cap, true),
            Duration::from_secs(7200)
        );
    }
}
