//! Each configured source with its health, as `pressd sources` and
//! `/api/sources` show it.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::daemon::health;
use crate::dates::rfc3339;
use crate::state::{State, StateError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceRow {
    pub id: String,
    pub kind: &'static str,
    pub name: Option<String>,
    pub url: String,
    pub enabled: bool,
    pub status: &'static str,
    pub last_attempt: Option<String>,
    pub last_success: Option<String>,
    pub last_new_item: Option<String>,
    pub next_poll: Option<String>,
    pub consecutive_failures: u32,
    pub items_seen: u64,
    /// The current adaptive poll interval.
    pub poll_interval_s: u64,
    /// The measured time between new items, when known.
    pub cadence_s: Option<u64>,
    pub recent_empty_extractions: u32,
    pub recent_fetched_articles: u32,
    pub last_error: Option<String>,
    /// How completely the last document the source served was read (feeds).
    pub reading: Option<ReadingRow>,
}

/// A source's [`Reading`](crate::sources::Reading) with the one-line
/// account `pressd sources` shows in its table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReadingRow {
    #[serde(flatten)]
    pub reading: crate::sources::Reading,
    /// "3 of 20 entries unreadable: …", "read after repair (…)"; `None`
    /// for a clean reading.
    pub summary: Option<String>,
}

impl SourceRow {
    /// What the table's last column says: a failing source's error, else
    /// what its last document's reading has to say.
    pub fn remark(&self) -> Option<&str> {
        self.last_error
            .as_deref()
            .or(self.reading.as_ref().and_then(|x| x.summary.as_deref()))
    }
}

/// Every configured source, in the configuration's order, with its health
/// at `now`. Before the first run there is no store yet: the sources are
/// shown anyway, as pending.
pub fn source_rows(config: &Config, now: DateTime<Utc>) -> Result<Vec<SourceRow>, StateError> {
    let states = if config.state_dir.join("state.sqlite").exists() {
        State::open_read_only(&config.state_dir)?.sources()?
    } else {
        Vec::new()
    };
    Ok(config
        .sources
        .iter()
        .map(|s| {
            let st = states.iter().find(|st| st.id == s.id);
            let status = health::assess(s, st, now).as_str();
            SourceRow {
                id: s.id.clone(),
                kind: s.kind().as_str(),
                name: s.name.clone(),
                url: s.url.to_string(),
                enabled: s.enabled,
                status,
                last_attempt: st.and_then(|x| x.last_attempt).map(rfc3339),
                last_success: st.and_then(|x| x.last_success).map(rfc3339),
                last_new_item: st.and_then(|x| x.last_new_item).map(rfc3339),
                next_poll: st
                    .and_then(|x| x.next_poll)
                    .filter(|_| s.enabled)
                    .map(rfc3339),
                consecutive_failures: st.map_or(0, |x| x.consecutive_failures),
                items_seen: st.map_or(0, |x| x.items_seen),
                poll_interval_s: st
                    .and_then(|x| x.interval)
                    .unwrap_or_else(|| s.min_interval())
                    .as_secs(),
                cadence_s: st.and_then(|x| x.cadence).map(|c| c.as_secs()),
                recent_empty_extractions: st.map_or(0, |x| x.recent_empty),
                recent_fetched_articles: st.map_or(0, |x| x.recent_fetched),
                last_error: st.and_then(|x| x.last_error.clone()),
                reading: st
                    .and_then(|x| x.reading.clone())
                    .map(|reading| ReadingRow {
                        summary: reading.summary(),
                        reading,
                    }),
            }
        })
        .collect())
}
