//! `pressd watches`: each configured watch with its channels, its last
//! delivery, and its pending and failed messages, as a table or JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::*;
use crate::state::State;

#[derive(serde::Serialize)]
struct WatchRow {
    id: String,
    query: String,
    per: &'static str,
    /// The digest period ("1h"), when the watch batches.
    digest: Option<String>,
    /// `webhook`, `command`, `feed`.
    channels: Vec<&'static str>,
    webhook: Option<String>,
    /// `/watches/ID.atom` on the metrics listener, when the watch has a
    /// feed.
    feed: Option<String>,
    /// When the daemon first ran with the watch.
    created: Option<String>,
    /// Documents (or stories) it fired for.
    hits: u64,
    last_delivery: Option<LastDeliveryRow>,
    delivered: u64,
    pending: u64,
    failures: u64,
}

#[derive(serde::Serialize)]
struct LastDeliveryRow {
    at: String,
    channel: String,
    /// `ok`, `failed` (given up), `pending` (failed, to be tried again).
    status: &'static str,
    error: Option<String>,
}

pub(super) fn watches(config: &Config, format: WatchesFormat) -> Result<ExitCode> {
    // Before the first run there is no store yet: show the watches anyway.
    let records = if config.state_dir.join("state.sqlite").exists() {
        State::open_read_only(&config.state_dir)?.watch_records()?
    } else {
        Vec::new()
    };
    let rows: Vec<WatchRow> = config
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
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        WatchesFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        WatchesFormat::Table => {
            let id_w = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            writeln!(
                out,
                "{:<id_w$}  {:<22}  {:>5}  {:<20}  {:<7}  {:>7}  {:>8}  QUERY / LAST ERROR",
                "ID", "CHANNELS", "HITS", "LAST DELIVERY", "STATUS", "PENDING", "FAILURES"
            )?;
            for r in &rows {
                let (at, status) = match &r.last_delivery {
                    Some(l) => (l.at.clone(), l.status),
                    None => ("-".to_string(), "-"),
                };
                let tail = match r.last_delivery.as_ref().and_then(|l| l.error.as_deref()) {
                    Some(e) if status != "ok" => one_line(e),
                    _ => one_line(&r.query),
                };
                writeln!(
                    out,
                    "{:<id_w$}  {:<22}  {:>5}  {:<20}  {:<7}  {:>7}  {:>8}  {}",
                    r.id,
                    r.channels.join(","),
                    r.hits,
                    at,
                    status,
                    r.pending,
                    r.failures,
                    tail
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
