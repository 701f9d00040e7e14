//! Command line: argument parsing, the commands, and their output formats
//! (table, JSON, CSV). `main.rs` only calls [`main`].

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::{Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use url::Url;

use crate::config::{Config, DEFAULT_CONFIG};
use crate::coverage::{self, chart, Coverage, CoverageError, CoverageRequest, Granularity, Split};
use crate::daemon::{self, Mode};
use crate::dates::{parse_since, parse_until, parse_zone, rfc3339};
use crate::index::{Index, IndexError, SearchRequest, Sort};
use crate::lang::{Detector, Hints, DEFAULT_LANGUAGES};

mod coverage_output;
mod import;
mod sources_output;
mod stories_output;
mod watches_output;

use coverage_output::coverage;
use import::{import, ImportArgs};
use sources_output::sources;
use stories_output::{collapse, stories, story, StoriesArgs, StoryArgs};
use watches_output::watches;

/// Multilingual press-coverage aggregator: polls outlets' feeds, extracts
/// and language-tags articles, indexes them, and searches them.
#[derive(Debug, Parser)]
#[command(name = "pressd", version, about)]
pub struct Args {
    /// Daemon config file; sources are read from it and from its sources_dir.
    #[arg(long, global = true, value_name = "PATH", default_value = DEFAULT_CONFIG)]
    pub config: PathBuf,
    /// Log format: human on a terminal, plain under systemd, json on request.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Plain lines without colour or timestamps when stderr is the journal
    /// (JOURNAL_STREAM set), human format otherwise.
    Auto,
    Human,
    Plain,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll the configured sources and index what they publish, until stopped.
    Run {
        /// Poll every source once, index what was found, and exit.
        #[arg(long)]
        once: bool,
    },
    /// Search the index (works while the daemon runs).
    Search(SearchArgs),
    /// Count what a search matches per hour, day, week or month, split by
    /// source, language or kind; as a table, JSON or CSV, and a chart.
    Coverage(CoverageArgs),
    /// List the configured sources and their health.
    Sources {
        #[arg(long, value_enum, default_value_t = SourcesFormat::Table)]
        format: SourcesFormat,
    },
    /// List the configured watches (saved searches that notify) with their
    /// last delivery, pending messages and failures.
    Watches {
        #[arg(long, value_enum, default_value_t = WatchesFormat::Table)]
        format: WatchesFormat,
    },
    /// Serve the web page and its JSON API (`[web] listen`) over the
    /// index and the state store, without polling anything, until stopped.
    Serve,
    /// Validate the configuration and exit (non-zero on error).
    Check,
    /// Extract articles from saved HTML files: one JSON line per file.
    Extract {
        /// The URL the pages came from (resolves relative links).
        #[arg(long)]
        url: Option<Url>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Backfill from archives: JSON lines (url, title, body or html,
    /// published, authors, lang, source) or WARC files, indexed as fetched
    /// articles are; prints imported, unchanged and rejected counts. Exit
    /// status 0 when nothing was rejected, 1 otherwise.
    Import(ImportArgs),
    /// Stories: the coverage of one event across outlets and languages,
    /// with who published first and how many copied.
    Stories(StoriesArgs),
    /// One story's articles in time order: source, language, title, URL,
    /// what each copies, and who was first in each language.
    Story(StoryArgs),
    /// Identify the language of each stdin line; one ISO 639-1 code per line.
    Lang {
        /// Candidate languages, comma-separated (default: the configured set).
        #[arg(long, value_delimiter = ',')]
        languages: Option<Vec<String>>,
    },
}

/// `value` as one line of JSON on `out`: what every `--format json` prints.
fn json_line(out: &mut impl Write, value: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Words must all match, in any inflected form; "quoted words" match the
    /// exact form only. Tantivy syntax works: OR, NOT, -word, title:word.
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    #[command(flatten)]
    filters: FilterArgs,
    /// Match words as written only: no cross-script name matching
    /// (Hajiyev then no longer finds Гаджиев or Hacıyev).
    #[arg(long)]
    exact: bool,
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    sort: SortArg,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// One hit per story (its best match), with how many more articles and
    /// which languages the story has.
    #[arg(long)]
    collapse: bool,
}

/// The filters of every command that selects documents (search, coverage):
/// one parsing, so they mean the same everywhere.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only these languages (ISO 639-1, comma-separated).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// Only these source ids (comma-separated).
    #[arg(long, value_delimiter = ',')]
    source: Vec<String>,
    /// Only articles or only social posts.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Published on or after (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// Published on or before (YYYY-MM-DD means the whole day, or RFC 3339).
    #[arg(long, value_parser = parse_until)]
    until: Option<DateTime<Utc>>,
}

impl FilterArgs {
    /// A request for `query` with these filters (and the default sort and
    /// limit).
    fn request(self, query: &[String], exact: bool) -> SearchRequest {
        SearchRequest {
            query: query.join(" "),
            langs: self.lang,
            sources: self.source,
            kinds: self
                .kind
                .map(|k| match k {
                    KindArg::Article => vec!["article".to_string()],
                    KindArg::Post => vec!["post".to_string()],
                })
                .unwrap_or_default(),
            since: self.since,
            until: self.until,
            exact,
            ..SearchRequest::default()
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    /// What to count: the same query as `pressd search`.
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    #[command(flatten)]
    filters: FilterArgs,
    /// Match words as written only (as `pressd search --exact`).
    #[arg(long)]
    exact: bool,
    /// Length of a bucket.
    #[arg(long, value_enum, default_value_t = ByArg::Day)]
    by: ByArg,
    /// What each bucket's count is split by.
    #[arg(long, value_enum, default_value_t = SplitArg::Source)]
    split: SplitArg,
    /// Split values shown by name, the most frequent; the rest are summed
    /// as "other". 0 shows them all.
    #[arg(long, value_name = "N", default_value_t = coverage::DEFAULT_TOP)]
    top: usize,
    /// Time zone of the bucket boundaries: an IANA name (Asia/Baku) or UTC.
    /// --since and --until select documents as in search, a bare date in
    /// UTC; for a local day give its offset (2025-03-01T00:00:00+04:00).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_zone)]
    tz: Tz,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Also draw the counts into FILE, an .svg or a .png.
    #[arg(long, value_name = "FILE", value_parser = parse_chart_file)]
    chart: Option<ChartFile>,
    /// How the chart draws the counts: stacked bars or one line per value.
    #[arg(long, value_enum, default_value_t = StyleArg::Bars)]
    style: StyleArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ByArg {
    Hour,
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SplitArg {
    Source,
    Lang,
    Kind,
    /// The stories of the index (not built yet: refused).
    Story,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StyleArg {
    Bars,
    #[value(alias = "lines")]
    Line,
}

/// `--chart`: where, and in which format (from the extension).
#[derive(Debug, Clone)]
struct ChartFile {
    path: PathBuf,
    format: chart::Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Article,
    Post,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SourcesFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WatchesFormat {
    Table,
    Json,
}

/// Parse arguments, run the command, map the outcome to an exit code:
/// 0 success, 1 failure, 2 bad usage or a malformed query.
pub fn main() -> ExitCode {
    let args = Args::parse();
    // Before any config is read: the default request limit is sized from
    // it, and a reload must size it alike.
    crate::http::raise_open_file_limit();
    match execute(args) {
        Ok(code) => code,
        // A reader that went away (`pressd search … | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pressd: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn execute(args: Args) -> Result<ExitCode> {
    match args.command {
        Command::Run { once } => {
            let config = load_config(&args.config)?;
            init_logging(args.log_format, config.log.as_deref());
            run(&config, if once { Mode::Once } else { Mode::Forever })
        }
        Command::Search(s) => {
            let config = load_config(&args.config)?;
            search(&config, s)
        }
        Command::Stories(s) => {
            let config = load_config(&args.config)?;
            stories(&config, s)
        }
        Command::Story(s) => {
            let config = load_config(&args.config)?;
            story(&config, s)
        }
        Command::Coverage(c) => {
            let config = load_config(&args.config)?;
            coverage(&config, c)
        }
        Command::Sources { format } => {
            let config = load_config(&args.config)?;
            sources(&config, format)
        }
        Command::Watches { format } => {
            let config = load_config(&args.config)?;
            watches(&config, format)
        }
        Command::Serve => {
            let config = load_config(&args.config)?;
            init_logging(args.log_format, config.log.as_deref());
            serve(config)
        }
        Command::Check => match Config::load(&args.config) {
            Ok(c) => {
                let enabled = c.enabled_sources().count();
                println!(
                    "{}: OK, {} sources ({} enabled), {} watches, index {}, state {}",
                    args.config.display(),
                    c.sources.len(),
                    enabled,
                    c.watches.len(),
                    c.index_dir.display(),
                    c.state_dir.display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!(
                    "pressd: {} problem(s) in the configuration",
                    e.problems.len()
                );
                Ok(ExitCode::from(1))
            }
        },
        Command::Import(i) => {
            let config = load_config(&args.config)?;
            // Quiet by default: the progress display speaks for the run.
            init_logging(args.log_format, Some("warn"));
            import(&config, i)
        }
        Command::Extract { url, files } => extract(&args.config, url.as_ref(), &files),
        Command::Lang { languages } => lang(&args.config, languages),
    }
}

fn load_config(path: &std::path::Path) -> Result<Config> {
    Config::load(path).map_err(|e| anyhow::anyhow!("invalid configuration:\n{e}"))
}

fn run(config: &Config, mode: Mode) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("pressd")
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(async {
        let cancel = CancellationToken::new();
        tokio::spawn(stop_on_signal(cancel.clone()));
        daemon::run(config, mode, cancel).await
    })?;
    if mode == Mode::Once {
        let polled = report.polls.len();
        let failed = report.polls.iter().filter(|(_, r)| r.is_err()).count();
        for (id, r) in report.polls {
            match r {
                Ok(n) => println!("{id}: ok, {n} new"),
                // With its causes, as a fatal error is printed.
                Err(e) => println!("{id}: FAILED: {:#}", anyhow::Error::new(e)),
            }
        }
        println!(
            "{} sources polled ({} failed), {} articles indexed, {} skipped, {} left queued",
            polled, failed, report.indexed, report.failed_articles, report.queued
        );
    }
    // Dropping the runtime would wait for tasks stuck in blocking reads;
    // everything that matters is committed by now.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(ExitCode::SUCCESS)
}

/// `pressd serve`: the web interface over an index another process may be
/// writing (or none), until SIGTERM or SIGINT.
fn serve(config: Config) -> Result<ExitCode> {
    if config.web.listen.is_none() {
        anyhow::bail!(
            "{}: web.listen is not set; add [web] listen = \"127.0.0.1:8080\" to serve the web page",
            config.path.display()
        );
    }
    let index = std::sync::Arc::new(Index::open_read(&config.index_dir)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("pressd-web")
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let Some(web) = crate::web::Web::bind(&config).await? else {
            return Ok(ExitCode::SUCCESS);
        };
        if let Some(addr) = web.local_addr() {
            println!("pressd: serving http://{addr}/");
        }
        let cancel = CancellationToken::new();
        tokio::spawn(stop_on_signal(cancel.clone()));
        web.serve(std::sync::Arc::new(config), index, cancel).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Cancel on SIGTERM or SIGINT; a second signal exits at once.
async fn stop_on_signal(cancel: CancellationToken) {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(t), Ok(i)) => (t, i),
        _ => {
            warn!("cannot install signal handlers; stop with SIGKILL");
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => info!("SIGTERM received, stopping"),
        _ = int.recv() => info!("SIGINT received, stopping"),
    }
    cancel.cancel();
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    warn!("second signal: exiting now; uncommitted work stays queued for the next start");
    std::process::exit(130);
}

fn init_logging(format: LogFormat, config_filter: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .or_else(|| config_filter.map(str::to_string))
        .unwrap_or_else(|| "info".to_string());
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|e| {
        eprintln!("pressd: ignoring invalid log filter '{filter}': {e}");
        EnvFilter::new("info")
    });
    let format = match format {
        LogFormat::Auto if std::env::var_os("JOURNAL_STREAM").is_some() => LogFormat::Plain,
        LogFormat::Auto => LogFormat::Human,
        f => f,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        // journald stamps each line itself and shows no colours.
        LogFormat::Plain => builder.without_time().with_ansi(false).init(),
        _ => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
}

fn parse_chart_file(s: &str) -> Result<ChartFile, String> {
    let path = PathBuf::from(s);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some("svg") => chart::Format::Svg,
        Some("png") => chart::Format::Png,
        _ => return Err(format!("'{s}': a chart file name ends in .svg or .png")),
    };
    Ok(ChartFile { path, format })
}

fn search(config: &Config, args: SearchArgs) -> Result<ExitCode> {
    let index = Index::open_read(&config.index_dir)?;
    let request = SearchRequest {
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Newest => Sort::Newest,
            SortArg::Oldest => Sort::Oldest,
        },
        // Collapsing needs more documents than stories shown.
        limit: if args.collapse {
            args.limit.saturating_mul(COLLAPSE_FACTOR).min(COLLAPSE_MAX)
        } else {
            args.limit
        },
        ..args.filters.request(&args.query, args.exact)
    };
    let mut results = match index.search(&request) {
        Ok(r) => r,
        Err(IndexError::Query(msg)) => {
            eprintln!("pressd: invalid query: {msg}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    crate::stories::attach_stored(&config.state_dir, &mut results.hits);
    if args.collapse {
        return print_collapsed(config, results, args.limit, args.format);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => {
            json_line(&mut out, &results)?;
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "url",
                "title",
                "source",
                "lang",
                "published",
                "authors",
                "snippet",
                "score",
                "kind",
                "story",
                "duplicate_of",
            ])?;
            for h in &results.hits {
                w.write_record([
                    h.url.as_str(),
                    h.title.as_str(),
                    h.source.as_str(),
                    h.lang.as_str(),
                    &h.published.map(rfc3339).unwrap_or_default(),
                    &h.authors.join("; "),
                    h.snippet.as_str(),
                    &format!("{:.3}", h.score),
                    h.kind.as_str(),
                    &h.story.map(|s| s.to_string()).unwrap_or_default(),
                    h.duplicate_of.as_deref().unwrap_or(""),
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{} matching document(s), showing {}",
                results.total,
                results.hits.len()
            )?;
            for (i, h) in results.hits.iter().enumerate() {
                let date = h
                    .published
                    .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "-".into());
                writeln!(out, "\n{:>3}. {}", i + 1, h.title)?;
                writeln!(
                    out,
                    "     {date} · {} · {} {} · {}",
                    h.lang, h.source, h.kind, h.url
                )?;
                if !h.snippet.is_empty() {
                    writeln!(out, "     {}", h.snippet.replace('\n', " "))?;
                }
                if let Some(s) = h.story {
                    let copy = h
                        .duplicate_of
                        .as_deref()
                        .map(|d| format!(" · copy of {d}"))
                        .unwrap_or_default();
                    writeln!(out, "     story {s}{copy}")?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `search --collapse` looks at this many documents per story shown...
const COLLAPSE_FACTOR: usize = 20;
/// ...and at most this many.
const COLLAPSE_MAX: usize = 10_000;

fn print_collapsed(
    config: &Config,
    results: crate::index::SearchResults,
    limit: usize,
    format: OutputFormat,
) -> Result<ExitCode> {
    #[derive(serde::Serialize)]
    struct Collapsed {
        total: usize,
        hits: Vec<stories_output::CollapsedHit>,
    }
    let total = results.total;
    let hits = collapse(config, results.hits, limit);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutputFormat::Json => {
            json_line(&mut out, &Collapsed { total, hits })?;
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "url",
                "title",
                "source",
                "lang",
                "published",
                "story",
                "more_articles",
                "langs",
            ])?;
            for c in &hits {
                let h = &c.hit;
                w.write_record([
                    h.url.as_str(),
                    h.title.as_str(),
                    h.source.as_str(),
                    h.lang.as_str(),
                    &h.published.map(rfc3339).unwrap_or_default(),
                    &h.story.map(|s| s.to_string()).unwrap_or_default(),
                    &c.more_articles.to_string(),
                    &c.langs.join(" "),
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{total} matching document(s), showing {} stories",
                hits.len()
            )?;
            for (i, c) in hits.iter().enumerate() {
                let h = &c.hit;
                let date = h
                    .published
                    .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "-".into());
                writeln!(out, "\n{:>3}. {}", i + 1, h.title)?;
                writeln!(out, "     {date} · {} · {} · {}", h.lang, h.source, h.url)?;
                if let Some(s) = h.story {
                    writeln!(
                        out,
                        "     story {s}: {} more article(s) · {}",
                        c.more_articles,
                        c.langs.join(" ")
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `s` on one line, cut after 100 characters.
pub(super) fn one_line(s: &str) -> String {
    let line = s.replace('\n', " ");
    match line.char_indices().nth(100) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

/// The detector's candidates: `--languages`, else the config's, else the
/// defaults when there is no config file at all.
fn detector_for(config_path: &std::path::Path, languages: Option<Vec<String>>) -> Result<Detector> {
    let list = match languages {
        Some(l) => l,
        None if config_path.exists() => load_config(config_path)?.languages,
        None => DEFAULT_LANGUAGES.iter().map(|s| s.to_string()).collect(),
    };
    Ok(Detector::new(&list)?)
}

#[derive(serde::Serialize)]
struct ExtractLine {
    file: String,
    title: Option<String>,
    body: String,
    published: Option<String>,
    authors: Vec<String>,
    lang: &'static str,
    canonical_url: Option<String>,
}

fn extract(
    config_path: &std::path::Path,
    url: Option<&Url>,
    files: &[PathBuf],
) -> Result<ExitCode> {
    let detector = detector_for(config_path, None)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    for file in files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("pressd: {}: cannot read: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let html = crate::charset::decode_html(&bytes, None);
        let ex = crate::extract::extract(&html, url);
        let title = ex.title.clone().unwrap_or_default();
        let page = ex.html_lang.as_deref().or(ex.og_locale.as_deref());
        let lang = detector.detect(
            &format!("{title}\n{}", ex.body),
            &Hints {
                page,
                ..Hints::default()
            },
        );
        let line = ExtractLine {
            file: file.display().to_string(),
            title: ex.title,
            body: ex.body,
            published: ex.published.map(rfc3339),
            authors: ex.authors,
            lang: lang.code,
            canonical_url: ex.canonical_url.map(|u| u.to_string()),
        };
        json_line(&mut out, &line)?;
    }
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn lang(config_path: &std::path::Path, languages: Option<Vec<String>>) -> Result<ExitCode> {
    let detector = detector_for(config_path, languages)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let hints = Hints::default();
    let mut input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        // Lines that are not valid UTF-8 still get an answer ("und" at worst)
        // so that output lines stay aligned with input lines.
        let text = String::from_utf8_lossy(&raw);
        let code = detector
            .detect(text.trim_end_matches(['\n', '\r']), &hints)
            .code;
        out.write_all(code.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
