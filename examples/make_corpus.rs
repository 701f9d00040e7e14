//! Writes the benchmark corpus (`examples/corpus/mod.rs`) as JSON lines:
//! one article per line with `url`, `title`, `body`, `published` (RFC
//! 3339), `authors`, `lang` and `source` (the input of `pressd import`),
//! plus `event` and `copy_of`, the corpus's own labels of story structure.
//!
//! ```sh
//! cargo run --release --example make_corpus -- [--articles N] [--seed S]
//!     [--langid DIR] [--out FILE]          # default: 1,000,000 articles to stdout
//! cargo run --release --example make_corpus -- --out - | zstd -q -o corpus.jsonl.zst
//! ```
//!
//! `--langid` is the directory of the Leipzig samples the Armenian and
//! Georgian vocabularies are counted from (default `../shared/bench/langid`).

#[path = "corpus/mod.rs"]
mod corpus;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("make_corpus: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut articles = 1_000_000usize;
    let mut seed = corpus::SEED;
    let mut langid = corpus::default_langid_dir();
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--articles" => articles = value()?.replace(['_', ','], "").parse()?,
            "--seed" => seed = value()?.parse()?,
            "--langid" => langid = PathBuf::from(value()?),
            "--out" => out = Some(PathBuf::from(value()?)).filter(|p| p.as_os_str() != "-"),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let started = Instant::now();
    let corpus = corpus::Corpus::with_seed(articles, &langid, seed)?;
    let mut sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout().lock(),
        )),
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut bytes = 0usize;
    corpus::json_lines_parallel(&corpus, 0..articles, threads, |chunk| {
        bytes += chunk.len();
        sink.write_all(chunk)
    })?;
    sink.flush()?;
    eprintln!(
        "make_corpus: {articles} articles ({} events of several articles), {:.1} MB in {:.1} s",
        corpus.group_count(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
