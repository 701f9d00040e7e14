//! Each configured watch with its channels, last delivery, pending and
//! failed messages, as `pressd watches` and `/api/watches` show it.

use crate::config::Config;
use crate::dates::rfc3339;
use crate::state::{State, StateError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct WatchRow {
    pub id: String,
    pub query: String,
    pub per: &'static str,
    /// The digest period ("1h"), when the watch batches.
    pub digest: Option<String>,
    /// `webhook`, `command`, `feed`.
    pub channels: Vec<&'static str>,
    pub webhook: Option<String>,
    /// `/watches/ID.atom` on the metrics listener, when the watch has a
    /// feed.
    pub feed: Option<String>,
    /// When the daemon first ran with the watch.
    pub created: Option<String>,
    /// Documents (or stories) it fired for.
    pub hits: u64,
    pub last_delivery: Option<LastDeliveryRow>,
    pub delivered: u64,
    pub pending: u64,
    pub failures: u64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LastDeliveryRow {
    pub at: String,
    pub channel: String,
    /// `ok`, `failed` (given up), `pending` (failed, to be tried again).
    pub status: &'static str,
    pub error: Option<String>,
}

/// Every configured watch, in the configuration's order. Before the first
/// run there is no store yet: the watches are shown anyway.
pub fn watch_rows(config: &Config) -> Result<Vec<WatchRow>, StateError> {
    let records = if config.state_dir.join("state.sqlite").exists() {
        State::open_read_only(&config.state_dir)?.watch_records()?
    } else {
        Vec::new()
    };
    Ok(config
        .watches
        .iter()
        .map(|w| {
            let r = records.iter().find(|r| r.id == w.id);
            let mut channels: Vec<&'static str> =
                w.channels().into_iter().map(|c| c.as_str()).collect();
            if w.feed {
                channels.push("feed");
            }
            WatchRow {
                id: w.id.clone(),
                query: w.query.clone(),
                per: w.per.as_str(),
                digest: w.digest.map(|d| humantime::format_duration(d).to_string()),
                channels,
                webhook: w.webhook.as_ref().map(|h| h.url.to_string()),
                feed: w.feed.then(|| match config.metrics.listen {
                    Some(addr) => format!("http://{addr}/watches/{}.atom", w.id),
                    None => format!("/watches/{}.atom (set metrics.listen to serve it)", w.id),
                }),
                created: r.and_then(|r| r.created_at).map(rfc3339),
                hits: r.map_or(0, |r| r.hits),
                last_delivery: r.and_then(|r| r.last.as_ref()).map(|l| LastDeliveryRow {
                    at: rfc3339(l.at),
                    channel: l.channel.clone(),
                    status: l.status.as_str(),
                    error: l.error.clone(),
                }),
                delivered: r.map_or(0, |r| r.delivered),
                pending: r.map_or(0, |r| r.pending),
                failures: r.map_or(0, |r| r.failed),
            }
        })
        .collect())
}
