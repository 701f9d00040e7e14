//! `pressd sources`: each configured source with its health (the rows of
//! [`crate::status::sources`]), as a table or JSON, and the storage fault
//! a running daemon reports.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;

use super::*;

pub(super) fn sources(config: &Config, format: SourcesFormat) -> Result<ExitCode> {
    let rows = crate::status::source_rows(config, Utc::now())?;
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
                    r.remark().map(one_line).unwrap_or_default()
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
