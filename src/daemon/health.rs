//! A source's health, worked out in one place from what the state store
//! remembers of it: `pressd sources` shows it and the daemon logs its
//! changes, so both always agree.
//!
//! The rules, in order (the first that holds wins):
//! - **disabled**: `enabled = false` in the config.
//! - **pending**: never polled successfully and no failure recorded yet.
//! - **failing**: the last poll failed (it is retried with a back-off).
//! - **parse-degraded**: the last document served has entries but yielded
//!   no item, or some of its entries could not be read (they are skipped;
//!   the rest are queued). A feed whose document was read only after
//!   repairs, but in full, stays ok: its reading says so (`pressd sources`,
//!   a warning when it starts, `/metrics`).
//! - **extraction-failing**: at least [`EMPTY_EXTRACTIONS`] of the source's
//!   last [`EXTRACTION_WINDOW`] fetched articles extracted to an empty body
//!   (the outlet changed its page layout, or serves a consent wall).
//! - **stale**: polls succeed but nothing new was published for longer than
//!   `max(4 × cadence, 2 × max_interval, 6 h)`, counted from the last new
//!   item (or the first successful poll when there never was one). The
//!   cadence is the source's usual time between new items, as measured;
//!   the 6 h floor keeps a quiet night from raising an alarm.
//! - **ok** otherwise.
//!
//! Nothing here reads a clock: `now` is passed in, so stale detection is
//! tested with made-up times.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::{info, warn};

use crate::config::Source;
use crate::sources::Reading;
use crate::state::{SourceState, EXTRACTION_WINDOW};

/// Empty extractions among the last [`EXTRACTION_WINDOW`] that flag a source.
pub const EMPTY_EXTRACTIONS: u32 = 3;

/// Silence shorter than this never makes a source stale.
pub const STALE_FLOOR: Duration = Duration::from_secs(6 * 3600);

/// A source's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    Ok,
    Failing,
    Stale,
    ParseDegraded,
    ExtractionFailing,
    Pending,
    Disabled,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Failing => "failing",
            Health::Stale => "stale",
            Health::ParseDegraded => "parse-degraded",
            Health::ExtractionFailing => "extraction-failing",
            Health::Pending => "pending",
            Health::Disabled => "disabled",
        }
    }

    /// Whether this status needs someone to look at the source.
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Health::Failing | Health::Stale | Health::ParseDegraded | Health::ExtractionFailing
        )
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long `state`'s source may publish nothing before it is stale.
pub fn stale_after(state: &SourceState, max_interval: Duration) -> Duration {
    let by_cadence = state
        .cadence
        .map_or(Duration::ZERO, |c| c.saturating_mul(4));
    by_cadence
        .max(max_interval.saturating_mul(2))
        .max(STALE_FLOOR)
}

/// The health of `source` given what the store remembers of it (`None`:
/// never polled) at `now`.
pub fn assess(source: &Source, state: Option<&SourceState>, now: DateTime<Utc>) -> Health {
    if !source.enabled {
        return Health::Disabled;
    }
    let Some(state) = state else {
        return Health::Pending;
    };
    assess_state(state, source.max_interval(), now)
}

/// [`assess`] for an enabled source whose longest poll interval is
/// `max_interval`.
pub fn assess_state(state: &SourceState, max_interval: Duration, now: DateTime<Utc>) -> Health {
    if state.consecutive_failures > 0 {
        return Health::Failing;
    }
    let Some(first) = state.first_success.or(state.last_success) else {
        return Health::Pending;
    };
    if state.reading.as_ref().is_some_and(Reading::is_degraded) {
        return Health::ParseDegraded;
    }
    debug_assert!(EMPTY_EXTRACTIONS as usize <= EXTRACTION_WINDOW);
    if state.recent_empty >= EMPTY_EXTRACTIONS {
        return Health::ExtractionFailing;
    }
    let since = state.last_new_item.unwrap_or(first);
    let silent = (now - since).to_std().unwrap_or(Duration::ZERO);
    if silent > stale_after(state, max_interval) {
        return Health::Stale;
    }
    Health::Ok
}

/// The last health the daemon saw of each source, to log changes once.
#[derive(Default)]
pub(crate) struct Tracker {
    last: Mutex<HashMap<String, Health>>,
}

impl Tracker {
    /// Assess `source` and log a change: a `warn!` when it turns to a
    /// problem (also when the first status seen is one: a restart must not
    /// hide a dead source), an `info!` when it recovers. Returns the status.
    pub(crate) fn observe(
        &self,
        source: &Source,
        state: Option<&SourceState>,
        now: DateTime<Utc>,
    ) -> Health {
        let health = assess(source, state, now);
        let before = {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            last.insert(source.id.clone(), health)
        };
        if before == Some(health) {
            return health;
        }
        let from = before.map_or("unknown", Health::as_str);
        if health.is_problem() {
            let detail = state.map(|s| detail(health, s, source.max_interval(), now));
            warn!(
                source = %source.id,
                url = %source.url,
                from,
                status = %health,
                detail = detail.as_deref().unwrap_or(""),
                "source status changed"
            );
        } else if before.is_some_and(Health::is_problem) && health == Health::Ok {
            info!(source = %source.id, from, status = %health, "source recovered");
        }
        health
    }
}

/// Log a change in how a source's document is read that its status does
/// not show: a warning when a feed starts to need repairs (it is read in
/// full, so it stays ok, but the publisher's feed is broken and other
/// readers may fail on it), an info when it no longer does. A degraded
/// reading is the status's business ([`Tracker::observe`]).
pub(crate) fn reading_changed(source: &Source, before: Option<&Reading>, after: Option<&Reading>) {
    let repaired = |r: Option<&Reading>| r.is_some_and(Reading::is_repaired);
    match (repaired(before), repaired(after)) {
        (false, true) => {
            let summary = after.and_then(Reading::summary).unwrap_or_default();
            warn!(
                source = %source.id,
                url = %source.url,
                reader = after.map_or("", |r| r.reader.as_str()),
                detail = %summary,
                "feed is not well-formed; read after repair"
            );
        }
        (true, false) => info!(source = %source.id, "feed is well-formed again"),
        _ => {}
    }
}

/// Why a source has a problem status, for the log line.
fn detail(
    health: Health,
    state: &SourceState,
    max_interval: Duration,
    now: DateTime<Utc>,
) -> String {
    match health {
        Health::Failing => format!(
            "{} consecutive failures; last error: {}",
            state.consecutive_failures,
            state.last_error.as_deref().unwrap_or("unknown")
        ),
        Health::ParseDegraded => state
            .reading
            .as_ref()
            .and_then(Reading::summary)
            .unwrap_or_default(),
        Health::ExtractionFailing => format!(
            "{} of the last {} articles extracted to an empty body",
            state.recent_empty, state.recent_fetched
        ),
        Health::Stale => {
            let since = state.last_new_item.or(state.first_success);
            let silent = since
                .and_then(|t| (now - t).to_std().ok())
                .unwrap_or(Duration::ZERO);
            format!(
                "nothing new for {} (threshold {})",
                humantime::format_duration(Duration::from_secs(silent.as_secs())),
                humantime::format_duration(stale_after(state, max_interval))
            )
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("time")
    }

    const H: i64 = 3600;

    fn polled(last_new: Option<i64>) -> SourceState {
        SourceState {
            id: "s".into(),
            first_success: Some(t(0)),
            last_success: Some(t(0)),
            last_new_item: last_new.map(t),
            ..SourceState::default()
        }
    }

    #[test]
    fn silence_beyond_the_floor_is_stale() {
        let max = Duration::from_secs(3600);
        let s = polled(Some(0));
        assert_eq!(assess_state(&s, max, t(6 * H - 1)), Health::Ok);
        assert_eq!(assess_state(&s, max, t(6 * H + 1)), Health::Stale);
        // Never published anything: counted from the first success.
        let s = polled(None);
        assert_eq!(assess_state(&s, max, t(7 * H)), Health::Stale);
    }

    #[test]
    fn a_slow_cadence_or_long_interval_raises_the_threshold() {
        let mut s = polled(Some(0));
        s.cadence = Some(Duration::from_secs(3 * H as u64));
        let max = Duration::from_secs(3600);
        assert_eq!(assess_state(&s, max, t(11 * H)), Health::Ok);
        assert_eq!(assess_state(&s, max, t(12 * H + 1)), Health::Stale);
        let max = Duration::from_secs(8 * H as u64);
        assert_eq!(assess_state(&s, max, t(15 * H)), Health::Ok);
        assert_eq!(assess_state(&s, max, t(16 * H + 1)), Health::Stale);
    }

    #[test]
    fn entries_that_yield_nothing_are_parse_degraded() {
        let max = Duration::from_secs(3600);
        let mut s = polled(Some(0));
        s.reading = Some(Reading::strict(20, 20, 0));
        assert_eq!(assess_state(&s, max, t(60)), Health::Ok);
        // All read, but only after repairs: still ok.
        s.reading = Some(Reading {
            repairs: vec!["bare & escaped".into()],
            ..Reading::strict(20, 20, 0)
        });
        assert_eq!(assess_state(&s, max, t(60)), Health::Ok);
        // Entries, no items.
        s.reading = Some(Reading::strict(5, 0, 5));
        assert_eq!(assess_state(&s, max, t(60)), Health::ParseDegraded);
        assert_eq!(
            detail(Health::ParseDegraded, &s, max, t(60)),
            "none of the 5 entries has a usable http(s) link"
        );
        // Some entries lost.
        s.reading = Some(Reading {
            reader: crate::sources::Reader::Lenient,
            unreadable: 3,
            problem: Some("line 9, column 1: the document ends inside <item>".into()),
            ..Reading::strict(20, 17, 0)
        });
        assert_eq!(assess_state(&s, max, t(60)), Health::ParseDegraded);
        assert!(Health::ParseDegraded.is_problem());
        assert_eq!(
            detail(Health::ParseDegraded, &s, max, t(60)),
            "3 of 20 entries unreadable: line 9, column 1: the document ends inside <item>"
        );
        // A failing poll says more.
        s.consecutive_failures = 1;
        assert_eq!(assess_state(&s, max, t(60)), Health::Failing);
    }

    #[test]
    fn failing_and_extraction_take_precedence() {
        let max = Duration::from_secs(3600);
        let mut s = polled(Some(0));
        s.recent_empty = 3;
        s.recent_fetched = 5;
        assert_eq!(assess_state(&s, max, t(10 * H)), Health::ExtractionFailing);
        s.recent_empty = 2;
        assert_eq!(assess_state(&s, max, t(60)), Health::Ok);
        s.consecutive_failures = 1;
        assert_eq!(assess_state(&s, max, t(60)), Health::Failing);
        let never = SourceState::default();
        assert_eq!(assess_state(&never, max, t(60)), Health::Pending);
    }
}
