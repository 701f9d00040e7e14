//! `pressd import` end to end (issue 13): how many articles a second the
//! real binary reads, queues, extracts, tags, analyses and commits into a
//! fresh index, for JSON lines with a plain body and for a WARC of HTML
//! pages (extraction included).
//!
//! The articles are the benchmark corpus's (`examples/corpus/`: hy, az, ru,
//! ka, tr and en, bodies of 200–600 words); the pages wrap them in the
//! markup of a news site (navigation, metadata, footer). Each run imports
//! into a new temporary config, index and state, and prints wall time,
//! articles/s and the CPU time (user + system) of the pressd process.
//!
//! ```sh
//! cargo build --release --locked --bin pressd --example import_bench
//! target/release/examples/import_bench [--articles N] [--pages N] [--langid DIR]
//!     [--pressd PATH] [--stories on|off|both] [--rounds N] [--order file|time]
//! ```
//!
//! `--stories both` measures what stories cost (issue 14): each round
//! imports each file twice, stories off and on, one run after the other
//! (off first in odd rounds, on first in even ones), and the summary
//! gives the medians over the rounds of each round's difference (CPU per
//! article) and ratio (articles per CPU-second, with its quartiles, and
//! per second). A round's two runs meet the same load; the
//! machine's speed drifts by a third within minutes, so figures taken
//! from separate sets of runs do not compare. `--order time` writes the
//! articles by publication date (an archive by date, or news as it comes)
//! instead of the corpus's order, which dates them at random over a year.
//!
//! The corpus needs the Leipzig samples of `../shared` (or `--langid DIR`)
//! for its Armenian and Georgian words; without them the benchmark says so
//! and exits.

#[path = "corpus/mod.rs"]
mod corpus;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use corpus::Corpus;

type Error = Box<dyn std::error::Error>;

struct Options {
    articles: usize,
    pages: usize,
    langid: PathBuf,
    pressd: PathBuf,
    /// `[pipeline] stories` of each run (on by default, as in pressd).
    stories: Vec<bool>,
    rounds: usize,
    by_date: bool,
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        articles: 20_000,
        pages: 5_000,
        langid: corpus::default_langid_dir(),
        pressd: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/pressd"),
        stories: vec![true],
        rounds: 1,
        by_date: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--articles" => o.articles = value()?.parse()?,
            "--pages" => o.pages = value()?.parse()?,
            "--langid" => o.langid = PathBuf::from(value()?),
            "--pressd" => o.pressd = PathBuf::from(value()?),
            "--stories" => {
                o.stories = match value()?.as_str() {
                    "on" => vec![true],
                    "off" => vec![false],
                    "both" => vec![false, true],
                    other => return Err(format!("--stories on|off|both, not {other}").into()),
                }
            }
            "--rounds" => o.rounds = value()?.parse::<usize>()?.max(1),
            "--order" => {
                o.by_date = match value()?.as_str() {
                    "file" => false,
                    "time" => true,
                    other => return Err(format!("--order file|time, not {other}").into()),
                }
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("import_bench: {e}");
            return ExitCode::from(2);
        }
    };
    if !o.langid.is_dir() {
        println!(
            "import_bench: skipped: the corpus needs the Leipzig samples in {}",
            o.langid.display()
        );
        return ExitCode::SUCCESS;
    }
    match run(&o) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("import_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(o: &Options) -> Result<(), Error> {
    let corpus = Corpus::new(o.articles + o.pages, &o.langid)?;
    let dir = tempfile::tempdir()?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());

    let mut inputs = Vec::new();
    if o.articles > 0 {
        let jsonl = dir.path().join("articles.jsonl");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&jsonl)?);
        if o.by_date {
            for i in by_date(&corpus, 0..o.articles) {
                let mut line = Vec::new();
                corpus.article(i).write_json_line(&mut line);
                out.write_all(&line)?;
            }
        } else {
            corpus::json_lines_parallel(&corpus, 0..o.articles, threads, |chunk| {
                out.write_all(chunk)
            })?;
        }
        out.flush()?;
        inputs.push(("JSON lines (plain body)", jsonl, o.articles));
    }
    if o.pages > 0 {
        let warc = dir.path().join("pages.warc");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&warc)?);
        let pages = o.articles..o.articles + o.pages;
        let order: Vec<usize> = match o.by_date {
            true => by_date(&corpus, pages),
            false => pages.collect(),
        };
        for i in order {
            out.write_all(&warc_record(&corpus.article(i)))?;
        }
        out.flush()?;
        inputs.push(("WARC (HTML pages, extracted)", warc, o.pages));
    }

    // Per input, per round: the runs' (CPU, wall) in the order of
    // `o.stories`.
    let mut runs: Vec<Vec<Vec<Run>>> = vec![Vec::new(); inputs.len()];
    for round in 1..=o.rounds {
        for ((what, file, n), runs) in inputs.iter().zip(&mut runs) {
            // Every other round runs them the other way round: a run
            // that follows another meets what that one left behind (its
            // files written back, the caches it filled), and the cost
            // should not be read from one order only.
            let reversed = round % 2 == 0;
            let mut this: Vec<Option<Run>> = vec![None; o.stories.len()];
            for i in 0..o.stories.len() {
                let i = if reversed { o.stories.len() - 1 - i } else { i };
                let stories = o.stories[i];
                let label = match (o.rounds, o.stories.len(), stories) {
                    (1, 1, _) => what.to_string(),
                    (_, _, true) => format!("round {round}, stories on: {what}"),
                    (_, _, false) => format!("round {round}, stories off: {what}"),
                };
                this[i] = Some(measure(o, stories, &label, file, *n)?);
            }
            runs.push(this.into_iter().flatten().collect());
        }
    }
    if o.stories.len() == 2 {
        for ((what, _, n), runs) in inputs.iter().zip(&runs) {
            print_cost(what, *n, runs);
        }
    }
    Ok(())
}

/// The indexes of `range`'s articles by publication date.
fn by_date(corpus: &Corpus, range: std::ops::Range<usize>) -> Vec<usize> {
    let mut dated: Vec<(chrono::DateTime<chrono::Utc>, usize)> = range
        .map(|i| (corpus.article(i).published_utc(), i))
        .collect();
    dated.sort_unstable();
    dated.into_iter().map(|(_, i)| i).collect()
}

/// One import: CPU seconds (user + system) and wall seconds.
#[derive(Debug, Clone, Copy)]
struct Run {
    cpu: f64,
    wall: f64,
}

/// What stories cost over rounds of (off, on) runs of `n` articles: the
/// medians of each round's difference and ratios.
fn print_cost(what: &str, n: usize, rounds: &[Vec<Run>]) {
    let pairs: Vec<(Run, Run)> = rounds
        .iter()
        .filter_map(|r| match r.as_slice() {
            [off, on] => Some((*off, *on)),
            _ => None,
        })
        .collect();
    let per_article = |seconds: f64| seconds / n as f64 * 1e6;
    let off = median(pairs.iter().map(|(off, _)| per_article(off.cpu)));
    let cost = median(pairs.iter().map(|(off, on)| per_article(on.cpu - off.cpu)));
    let cpu_ratios = || pairs.iter().map(|(off, on)| off.cpu / on.cpu - 1.0);
    let [low, cpu_ratio, high] = [0.25, 0.5, 0.75].map(|q| quantile(cpu_ratios(), q));
    let wall_ratio = median(pairs.iter().map(|(off, on)| off.wall / on.wall - 1.0));
    println!(
        "{what}, stories on less off, medians of {} rounds: {cost:.0} µs of CPU an article \
         (the import without stories: {off:.0} µs); articles per CPU-second {:+.1} % \
         (quartiles {:+.1} to {:+.1} %), per second {:+.1} %",
        pairs.len(),
        cpu_ratio * 100.0,
        low * 100.0,
        high * 100.0,
        wall_ratio * 100.0
    );
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    quantile(values, 0.5)
}

/// The `q` quantile of `values`, interpolated between the two nearest.
fn quantile(values: impl Iterator<Item = f64>, q: f64) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let at = q * (v.len() - 1) as f64;
    let (i, frac) = (at.floor() as usize, at.fract());
    match v.get(i + 1) {
        Some(next) => v[i] + (next - v[i]) * frac,
        None => v[i],
    }
}

/// Import `file` of `n` articles into a fresh deployment, stories on or
/// off, and print the figures.
fn measure(o: &Options, stories: bool, what: &str, file: &Path, n: usize) -> Result<Run, Error> {
    let dep = tempfile::tempdir()?;
    let config = dep.path().join("pressd.toml");
    std::fs::write(
        &config,
        format!(
            "index_dir = \"index\"\nstate_dir = \"state\"\n\
             languages = [\"hy\", \"az\", \"ru\", \"ka\", \"tr\", \"en\"]\n\n\
             [pipeline]\nstories = {stories}\n"
        ),
    )?;
    let size = std::fs::metadata(file)?.len();
    let cpu_before = children_cpu();
    let start = Instant::now();
    let output = Command::new(&o.pressd)
        .arg("--config")
        .arg(&config)
        .arg("import")
        .arg(file)
        .env("RUST_LOG", "warn")
        .output()?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = children_cpu() - cpu_before;
    let summary = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{what}: pressd import failed ({}):\n{summary}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    println!(
        "{what}: {n} articles, {:.1} MB in {wall:.1} s: {:.0} articles/s; \
         CPU {cpu:.1} s ({:.0} articles per CPU-second); {}",
        size as f64 / 1e6,
        n as f64 / wall,
        n as f64 / cpu.max(0.001),
        summary.trim()
    );
    Ok(Run { cpu, wall })
}

/// User + system CPU seconds of the finished child processes.
fn children_cpu() -> f64 {
    use nix::sys::resource::{getrusage, UsageWho};
    getrusage(UsageWho::RUSAGE_CHILDREN).map_or(0.0, |u| {
        let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
        t(u.user_time()) + t(u.system_time())
    })
}

/// The article as a news site's page, in a WARC `response` record.
fn warc_record(a: &corpus::Article) -> Vec<u8> {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let paragraphs: String = a
        .body
        .split("\n\n")
        .map(|p| format!("<p>{}</p>\n", escape(p)))
        .collect();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title} | {source}</title>\
         <meta property=\"og:title\" content=\"{title}\">\
         <meta name=\"author\" content=\"{author}\">\
         <meta property=\"article:published_time\" content=\"{published}\">\
         <link rel=\"canonical\" href=\"{url}\"></head>\n<body>\
         <header><nav><a href=\"/\">Home</a> <a href=\"/politics\">Politics</a> \
         <a href=\"/economy\">Economy</a> <a href=\"/sport\">Sport</a></nav></header>\n\
         <main><article><h1>{title}</h1><time datetime=\"{published}\">{published}</time>\n\
         {paragraphs}</article>\
         <aside><h2>Most read</h2><ul><li><a href=\"/a\">Another story</a></li>\
         <li><a href=\"/b\">One more story</a></li></ul></aside></main>\n\
         <footer>© {source}. All rights reserved. <a href=\"/contact\">Contact</a></footer>\
         </body></html>\n",
        lang = a.lang,
        title = escape(&a.title),
        source = a.source,
        author = a.authors.first().map(|s| escape(s)).unwrap_or_default(),
        published = a.published.to_rfc3339(),
        url = a.url,
    );
    let block = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\n\r\n{page}",
        page.len()
    );
    let mut record = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {}\r\n\
         WARC-Date: 2026-01-01T00:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:{:032x}>\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        a.url,
        a.url.len() as u128 * 1_000_003 + block.len() as u128,
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(block.as_bytes());
    record.extend_from_slice(b"\r\n\r\n");
    record
}
