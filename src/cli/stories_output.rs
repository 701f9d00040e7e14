//! `pressd stories`, `pressd story ID` and the story side of `pressd
//! search` (each hit's story and copied URL, `--collapse`): what the state
//! store's story tables say about the documents the index holds, as a
//! table, JSON or CSV.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::*;
use crate::index::Hit;
use crate::state::{State, StoryCounts};
use crate::stories::report::{self, ReportError, StoriesRequest};

#[derive(Debug, clap::Args)]
pub struct StoriesArgs {
    /// Only stories with an article matching this query (as `pressd
    /// search`); all stories without one.
    query: Vec<String>,
    /// Only stories with an article in one of these languages; the
    /// headline is then in the first of them the story has.
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// Only stories with an article of one of these sources.
    #[arg(long, value_delimiter = ',')]
    source: Vec<String>,
    /// Only stories with an article published on or after (YYYY-MM-DD or
    /// RFC 3339).
    #[arg(long, value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// Only stories with an article published on or before.
    #[arg(long, value_parser = parse_until)]
    until: Option<DateTime<Utc>>,
    /// Only stories of at least N articles.
    #[arg(long, value_name = "N", default_value_t = 1)]
    min_articles: u64,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct StoryArgs {
    /// The story's id (an id merged into another story shows that story).
    id: u64,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

fn open_state(config: &Config) -> Result<State> {
    State::open_read_only(&config.state_dir).context("cannot read the stories")
}

pub(super) fn stories(config: &Config, args: StoriesArgs) -> Result<ExitCode> {
    let state = open_state(config)?;
    let request = StoriesRequest {
        query: Some(args.query.join(" ")),
        langs: args.lang,
        sources: args.source,
        since: args.since,
        until: args.until,
        min_articles: args.min_articles,
        limit: args.limit,
    };
    let report = match report::list(&state, || Index::open_read(&config.index_dir), &request) {
        Ok(r) => r,
        Err(ReportError::Index(IndexError::Query(msg))) => {
            eprintln!("pressd: invalid query: {msg}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let (total, rows) = (report.total, &report.stories);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => {
            json_line(&mut out, &report)?;
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id",
                "title",
                "first_url",
                "first_source",
                "first_published",
                "first_lang",
                "articles",
                "copies",
                "sources",
                "langs",
                "start",
                "end",
            ])?;
            for r in rows {
                w.write_record([
                    r.id.to_string().as_str(),
                    &r.title,
                    &r.first.url,
                    &r.first.source,
                    &r.first.published,
                    &r.first.lang,
                    &r.articles.to_string(),
                    &r.copies.to_string(),
                    &r.sources.join(" "),
                    &r.langs.join(" "),
                    &r.start,
                    &r.end,
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Table => {
            writeln!(out, "{total} stories, showing {}", rows.len())?;
            for r in rows {
                writeln!(out, "\n{:>7}  {}", r.id, one_line(&r.title))?;
                writeln!(
                    out,
                    "         {} articles ({} copies) · {} · {} → {}",
                    r.articles,
                    r.copies,
                    r.langs.join(" "),
                    &r.start[..16.min(r.start.len())],
                    &r.end[..16.min(r.end.len())],
                )?;
                writeln!(
                    out,
                    "         first: {} {} {}",
                    r.first.source, r.first.lang, r.first.url
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn story(config: &Config, args: StoryArgs) -> Result<ExitCode> {
    let state = open_state(config)?;
    let Some(story) = report::one(&state, args.id).context("cannot read the stories")? else {
        eprintln!("pressd: no story {}", args.id);
        return Ok(ExitCode::from(1));
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => {
            json_line(&mut out, &story)?;
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "published",
                "source",
                "lang",
                "title",
                "url",
                "duplicate_of",
                "first_in_lang",
            ])?;
            for row in &story.articles {
                let a = &row.article;
                let first = story.first_in_lang(a);
                w.write_record([
                    row.published.as_str(),
                    &a.source,
                    &a.lang,
                    &a.title,
                    &a.url,
                    a.duplicate_of.as_deref().unwrap_or(""),
                    if first { "yes" } else { "" },
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Table => {
            writeln!(out, "story {}: {}", story.id, one_line(&story.title))?;
            writeln!(out, "{} articles", story.articles.len())?;
            for row in &story.articles {
                let a = &row.article;
                let first = story.first_in_lang(a);
                writeln!(
                    out,
                    "\n  {} · {} · {}{}",
                    a.published.format("%Y-%m-%d %H:%M"),
                    a.lang,
                    a.source,
                    if first {
                        " · first in its language"
                    } else {
                        ""
                    }
                )?;
                writeln!(out, "    {}", one_line(&a.title))?;
                writeln!(out, "    {}", a.url)?;
                if let Some(d) = &a.duplicate_of {
                    writeln!(out, "    copy of {d}")?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A hit standing for its story in `search --collapse`.
#[derive(Debug, serde::Serialize)]
pub(super) struct CollapsedHit {
    #[serde(flatten)]
    pub hit: Hit,
    /// Articles of the story besides this one.
    pub more_articles: u64,
    /// Every language the story has.
    pub langs: Vec<String>,
}

/// One hit per story (the best of its articles; hits without a story stand
/// alone), at most `limit`, with what else the story has.
pub(super) fn collapse(config: &Config, hits: Vec<Hit>, limit: usize) -> Vec<CollapsedHit> {
    let mut seen = HashSet::new();
    let kept: Vec<Hit> = hits
        .into_iter()
        .filter(|h| h.story.is_none_or(|s| seen.insert(s)))
        .take(limit)
        .collect();
    let stories: Vec<u64> = kept.iter().filter_map(|h| h.story).collect();
    let counts: HashMap<u64, StoryCounts> = State::open_read_only(&config.state_dir)
        .and_then(|state| state.story_counts(None, None, Some(&stories)))
        .map(|c| c.into_iter().map(|c| (c.story, c)).collect())
        .unwrap_or_default();
    kept.into_iter()
        .map(|hit| {
            let (more_articles, langs) = match hit.story.and_then(|s| counts.get(&s)) {
                Some(c) => (c.articles.saturating_sub(1), c.langs.clone()),
                None => (0, vec![hit.lang.clone()]),
            };
            CollapsedHit {
                hit,
                more_articles,
                langs,
            }
        })
        .collect()
}
