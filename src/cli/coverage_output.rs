//! `pressd coverage`: the request from its arguments, and the report as a
//! table with a bar per bucket, JSON, CSV or a chart file.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::*;

pub(super) fn coverage(config: &Config, args: CoverageArgs) -> Result<ExitCode> {
    let request = CoverageRequest {
        matching: args.filters.request(&args.query, args.exact),
        by: match args.by {
            ByArg::Hour => Granularity::Hour,
            ByArg::Day => Granularity::Day,
            ByArg::Week => Granularity::Week,
            ByArg::Month => Granularity::Month,
        },
        split: match args.split {
            SplitArg::Source => Split::Source,
            SplitArg::Lang => Split::Lang,
            SplitArg::Kind => Split::Kind,
            SplitArg::Story => Split::Story,
        },
        zone: args.tz,
        top: args.top,
        languages: config.press_languages(),
    };
    let index = Index::open_read(&config.index_dir)?;
    let report = match crate::stories::coverage(&index, &request, &config.state_dir) {
        Ok(r) => r,
        Err(CoverageError::Index(IndexError::Query(msg))) => {
            eprintln!("pressd: invalid query: {msg}");
            return Ok(ExitCode::from(2));
        }
        Err(
            e @ (CoverageError::TooManyBuckets(_)
            | CoverageError::StoriesUnavailable
            | CoverageError::TooManyForStories(_)),
        ) => {
            eprintln!("pressd: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(file) = &args.chart {
        let style = match args.style {
            StyleArg::Bars => chart::Style::Bars,
            StyleArg::Line => chart::Style::Lines,
        };
        let bytes = chart::render(&report, style, file.format)?;
        std::fs::write(&file.path, bytes)
            .with_context(|| format!("cannot write the chart to {}", file.path.display()))?;
        eprintln!("pressd: chart written to {}", file.path.display());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => {
            json_line(&mut out, &report)?;
        }
        OutputFormat::Csv => coverage::export::csv(&mut out, &report)?,
        OutputFormat::Table => coverage_table(&mut out, &report)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Width of the bar drawn for the fullest bucket, in characters.
const BAR_WIDTH: usize = 16;

/// A bar of `n` against `max` in eighths of a character.
fn bar(n: u64, max: u64) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if max == 0 {
        return String::new();
    }
    let eighths = (n as u128 * (BAR_WIDTH as u128 * 8) / max as u128) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    s
}

/// The buckets with a bar each, the share of each split value, who was
/// first, and which configured languages had nothing.
fn coverage_table(out: &mut impl Write, report: &Coverage) -> Result<()> {
    let zone = report.tz;
    let period = match (report.buckets.first(), report.buckets.last()) {
        (Some(first), Some(last)) => format!(
            ", {} – {}",
            coverage::buckets::label(first.start.with_timezone(&Utc), report.by, zone),
            coverage::buckets::label(last.start.with_timezone(&Utc), report.by, zone)
        ),
        _ => String::new(),
    };
    writeln!(
        out,
        "{} matching document(s) by {} ({}) and {}{period}",
        coverage::thousands(report.total),
        report.by.as_str(),
        zone.name(),
        report.split.as_str(),
    )?;
    if report.undated > 0 {
        writeln!(
            out,
            "{} of them undated: counted in the totals, in no {}",
            coverage::thousands(report.undated),
            report.by.as_str()
        )?;
    }
    let values: Vec<&str> = report.totals.0.iter().map(|(v, _)| v.as_str()).collect();
    if !report.buckets.is_empty() {
        let labels: Vec<String> = report
            .buckets
            .iter()
            .map(|b| coverage::buckets::label(b.start.with_timezone(&Utc), report.by, zone))
            .collect();
        let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let max = report.buckets.iter().map(|b| b.total).max().unwrap_or(0);
        let total_w = max.to_string().len().max("TOTAL".len());
        let widths: Vec<usize> = values
            .iter()
            .map(|v| {
                let most = report
                    .buckets
                    .iter()
                    .map(|b| b.counts.get(v))
                    .max()
                    .unwrap_or(0);
                v.chars().count().max(most.to_string().len())
            })
            .collect();
        write!(
            out,
            "\n{:<label_w$}  {:>total_w$}  {:<BAR_WIDTH$}",
            report.by.as_str().to_uppercase(),
            "TOTAL",
            ""
        )?;
        for (v, w) in values.iter().zip(&widths) {
            write!(out, "  {v:>w$}")?;
        }
        writeln!(out)?;
        for (b, label) in report.buckets.iter().zip(&labels) {
            write!(
                out,
                "{label:<label_w$}  {:>total_w$}  {:<BAR_WIDTH$}",
                b.total,
                bar(b.total, max)
            )?;
            for (v, w) in values.iter().zip(&widths) {
                write!(out, "  {:>w$}", b.counts.get(v))?;
            }
            writeln!(out)?;
        }
    }
    if !report.shares.is_empty() {
        let value_w = values
            .iter()
            .map(|v| v.chars().count())
            .max()
            .unwrap_or(0)
            .max(report.split.as_str().len());
        writeln!(
            out,
            "\n{:<value_w$}  {:>10}  {:>6}",
            report.split.as_str().to_uppercase(),
            "DOCUMENTS",
            "SHARE"
        )?;
        for s in &report.shares {
            writeln!(
                out,
                "{:<value_w$}  {:>10}  {:>5.1}%",
                s.value,
                coverage::thousands(s.count),
                s.share * 100.0
            )?;
        }
    }
    if !report.first.is_empty() {
        let source_w = report
            .first
            .iter()
            .map(|f| f.source.chars().count())
            .max()
            .unwrap_or(0);
        writeln!(out, "\nFIRST BY SOURCE ({})", zone.name())?;
        for f in &report.first {
            writeln!(
                out,
                "{}  {:<source_w$}  {}  {}",
                f.published.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
                f.source,
                f.url,
                one_line(&f.title)
            )?;
        }
    }
    if let Some(missing) = &report.missing_langs {
        if missing.is_empty() {
            writeln!(out, "\nEvery language of the press covered it.")?;
        } else {
            writeln!(out, "\nNo coverage in: {}", missing.join(", "))?;
        }
    }
    Ok(())
}
