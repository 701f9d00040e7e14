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
//!     [--pressd PATH] [--stories on|off]
//! ```
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
    /// `[pipeline] stories` of the config (on by default, as in pressd).
    stories: bool,
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        articles: 20_000,
        pages: 5_000,
        langid: corpus::default_langid_dir(),
        pressd: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/pressd"),
        stories: true,
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
                    "on" => true,
                    "off" => false,
                    other => return Err(format!("--stories on|off, not {other}").into()),
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

    let jsonl = dir.path().join("articles.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&jsonl)?);
    corpus::json_lines_parallel(&corpus, 0..o.articles, threads, |chunk| {
        out.write_all(chunk)
    })?;
    out.flush()?;
    drop(out);
    measure(o, "JSON lines (plain body)", &jsonl, o.articles)?;

    let warc = dir.path().join("pages.warc");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&warc)?);
    for i in o.articles..o.articles + o.pages {
        out.write_all(&warc_record(&corpus.article(i)))?;
    }
    out.flush()?;
    drop(out);
    measure(o, "WARC (HTML pages, extracted)", &warc, o.pages)
}

/// Import `file` of `n` articles into a fresh deployment and print the
/// figures.
fn measure(o: &Options, what: &str, file: &Path, n: usize) -> Result<(), Error> {
    let dep = tempfile::tempdir()?;
    let config = dep.path().join("pressd.toml");
    std::fs::write(
        &config,
        format!(
            "index_dir = \"index\"\nstate_dir = \"state\"\n\
             languages = [\"hy\", \"az\", \"ru\", \"ka\", \"tr\", \"en\"]\n\n\
             [pipeline]\nstories = {}\n",
            o.stories
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
    Ok(())
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
