//! `pressd sources`: each configured source with its health, as a table or
//! JSON, and the storage fault a running daemon reports.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;

use super::*;
use crate::state::State;

#[derive(serde::Serialize)]
struct SourceRow {
    id: String,
    kind: &'static str,
    name: Option<String>,
    url: String,
    enabled: bool,
    status: &'static str,
    last_attempt: Option<String>,
    last_success: Option<String>,
    last_new_item: Option<String>,
    next_poll: Option<String>,
    consecutive_failures: u32,
    items_seen: u64,
    /// The current adaptive poll interval.
    poll_interval_s: u64,
    /// The measured time between new items, when known.
    cadence_s: Option<u64>,
    recent_empty_extractions: u32,
    recent_fetched_articles: u32,
    last_error: Option<String>,
    /// How completely the last document the source served was read (feeds).
    reading: Option<ReadingRow>,
}

/// A source's [`Reading`](crate::sources::Reading) with the one-line
/// account `pressd sources` shows in its table.
#[derive(serde::Serialize)]
struct ReadingRow {
    #[serde(flatten)]
    reading: crate::sources::Reading,
    /// "3 of 20 entries unreadable: …", "read after repair (…)"; `None`
    /// for a clean reading.
    summary: Option<String>,
}

pub(super) fn sources(config: &Config, format: SourcesFormat) -> Result<ExitCode> {
    // Before the first run there is no store yet: show the sources anyway.
    let states = if config.state_dir.join("state.sqlite").exists() {
        State::open_read_only(&config.state_dir)?.sources()?
    } else {
        Vec::new()
    };
    let now = Utc::now();
    let rows: Vec<SourceRow> = config
        .sources
        .iter()
        .map(|s| {
            let st = states.iter().find(|st| st.id == s.id);
            let status = daemon::health::assess(s, st, now).as_str();
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
        .collect();
    // On stderr: the table and the JSON keep their shapes.
    if let Some(fault) = daemon::reported_fault(&config.state_dir) {
        eprintln!(
            "STORAGE FAULT since {}: the running daemon cannot write: {}. It keeps its \
             queued work and retries; free space on that volume.",
            rfc3339(fault.since),
            fault.message
        );
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        SourcesFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        SourcesFormat::Table => {
            let id_w = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            writeln!(
                out,
                "{:<id_w$}  {:<8}  {:<18}  {:<20}  {:<20}  {:<20}  LAST ERROR / READING",
                "ID", "KIND", "STATUS", "LAST SUCCESS", "LAST NEW ITEM", "NEXT POLL"
            )?;
            for r in &rows {
                let dash = || "-".to_string();
                writeln!(
                    out,
                    "{:<id_w$}  {:<8}  {:<18}  {:<20}  {:<20}  {:<20}  {}",
                    r.id,
                    r.kind,
                    r.status,
                    r.last_success.clone().unwrap_or_else(dash),
                    r.last_new_item.clone().unwrap_or_else(dash),
                    r.next_poll.clone().unwrap_or_else(dash),
                    // A failing source shows its error; one that polls
                    // shows what its last document's reading has to say.
                    r.last_error
                        .as_deref()
                        .or(r.reading.as_ref().and_then(|x| x.summary.as_deref()))
                        .map(one_line)
                        .unwrap_or_default()
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
