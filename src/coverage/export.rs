//! A [`Coverage`] as CSV: one row per bucket, one column per split value
//! (then "other"). What `pressd coverage --format csv` prints and the web
//! page's CSV download serves, so both are the same file.

use std::io::Write;

use chrono::DateTime;
use chrono_tz::Tz;

use super::Coverage;

/// Write `report` as CSV to `out`.
pub fn csv(out: impl Write, report: &Coverage) -> Result<(), ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(out);
    let mut header = vec!["start", "end", "total"];
    header.extend(report.totals.0.iter().map(|(v, _)| v.as_str()));
    w.write_record(&header)?;
    for b in &report.buckets {
        let mut row = vec![
            rfc3339_in(&b.start),
            rfc3339_in(&b.end),
            b.total.to_string(),
        ];
        row.extend(b.counts.0.iter().map(|(_, n)| n.to_string()));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

fn rfc3339_in(d: &DateTime<Tz>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
