//! `pressd watches`: each configured watch with its channels, its last
//! delivery, and its pending and failed messages (the rows of
//! [`crate::status::watches`]), as a table or JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::*;

pub(super) fn watches(config: &Config, format: WatchesFormat) -> Result<ExitCode> {
    let rows = crate::status::watch_rows(config)?;
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
