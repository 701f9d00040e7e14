//! Housekeeping of the state store while the daemon runs: once a day, the
//! URLs handled more than a year ago are forgotten (see
//! [`State::forget_handled`]), and the watches' hits and ended messages of
//! the same age ([`State::forget_watch_history`]), so that a store kept for
//! years does not grow with every article ever seen.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::state::State;

/// How long a handled URL is remembered. Feeds and listing pages show weeks
/// of items at most; a URL that turns up again after a year is fetched once
/// more and replaces its document.
const HANDLED_RETENTION: chrono::TimeDelta = chrono::TimeDelta::days(365);

/// How often the store is tidied, starting at start-up.
const EVERY: Duration = Duration::from_secs(24 * 3600);

pub(super) async fn run(state: Arc<State>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let before = Utc::now() - HANDLED_RETENTION;
        let store = Arc::clone(&state);
        // Batched deletes, but still blocking file I/O: off the runtime.
        match tokio::task::spawn_blocking(move || store.forget_handled(before)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => info!(forgotten = n, "forgot URLs handled more than a year ago"),
            Ok(Err(e)) => warn!(error = %e, "cannot forget old handled URLs; will retry tomorrow"),
            Err(e) => warn!(error = %e, "the state upkeep task ended abnormally"),
        }
        let store = Arc::clone(&state);
        match tokio::task::spawn_blocking(move || store.forget_watch_history(before)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => info!(
                forgotten = n,
                "forgot watch hits and messages of more than a year ago"
            ),
            Ok(Err(e)) => warn!(error = %e, "cannot forget old watch history; will retry tomorrow"),
            Err(e) => warn!(error = %e, "the state upkeep task ended abnormally"),
        }
    }
}
