//! Article-body benchmark for `pressd::extract`.
//!
//! Usage: `cargo run --release --example extract_bench -- [DIR] [--dump OUT]
//! [--compare-trafilatura]` where DIR (default `../shared/bench/extraction`)
//! holds `html/<id>.html` and `truth/<id>.json` (`{"url", "articleBody"}`).
//! Scores with the benchmark's own metric (see `tests/extraction/bench.rs`,
//! shared with the regression test). Timing is one thread over preloaded
//! HTML, best of three passes, both in wall-clock time and in the thread's
//! CPU time (Linux `/proc/thread-self/schedstat`): on a machine shared with
//! other work the CPU figure is the one that compares fairly. `--dump OUT` writes each prediction to
//! `OUT/<id>.txt` for inspection.
//!
//! `--compare-trafilatura` then runs `examples/trafilatura_bench.py` (Python
//! trafilatura 2.x, same pages preloaded, one thread, best of three) with
//! `$PYTHON` or `python3`, scores its output with the same code and prints
//! both rows and the speed ratio from this one run. The peak RSS printed is
//! this process's own (`VmHWM`), taken before Python starts.

#[path = "../tests/extraction/bench.rs"]
mod bench;

use bench::{Page, Scorer};
use pressd::extract::extract;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One row of the results table.
struct Row {
    name: String,
    f1: f64,
    precision: f64,
    recall: f64,
    pages_per_s: f64,
    /// Pages per CPU second of the extracting thread.
    pages_per_cpu_s: Option<f64>,
    empty: usize,
}

impl Row {
    fn print(&self) {
        let cpu = self
            .pages_per_cpu_s
            .map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
        println!(
            "{:<20} {:>6.3} {:>6.3} {:>6.3} {:>9.1} {:>9} {:>6}",
            self.name, self.f1, self.precision, self.recall, self.pages_per_s, cpu, self.empty
        );
    }
}

/// CPU time this thread has run, in seconds, where the OS tells it.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Peak resident set size of this process in MB, where the OS tells it.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn trafilatura_row(dir: &Path, pages: &[Page]) -> anyhow::Result<Row> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/trafilatura_bench.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(dir)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "{python} {} failed: {}",
        script.display(),
        out.status
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let seconds = v["seconds"].as_f64().unwrap_or(f64::NAN);
    let mut scorer = Scorer::new();
    let mut empty = 0;
    for page in pages {
        let pred = v["preds"][&page.id].as_str().unwrap_or("");
        if pred.trim().is_empty() {
            empty += 1;
        }
        scorer.add(pred, &page.truth);
    }
    Ok(Row {
        name: format!("trafilatura {}", v["version"].as_str().unwrap_or("?")),
        f1: scorer.f1(),
        precision: scorer.precision(),
        recall: scorer.recall(),
        pages_per_s: pages.len() as f64 / seconds,
        pages_per_cpu_s: v["cpu_seconds"].as_f64().map(|c| pages.len() as f64 / c),
        empty,
    })
}

fn main() -> anyhow::Result<()> {
    let mut dir = PathBuf::from("../shared/bench/extraction");
    let mut dump: Option<PathBuf> = None;
    let mut compare = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dump" => dump = args.next().map(PathBuf::from),
            "--compare-trafilatura" => compare = true,
            _ => dir = PathBuf::from(a),
        }
    }
    let pages = bench::load(&dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let mut best = f64::MAX;
    let mut best_cpu: Option<f64> = None;
    let mut preds: Vec<String> = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let start_cpu = thread_cpu_seconds();
        // Only the body is kept: each page's arena and metadata are dropped
        // as soon as it is extracted.
        preds = pages
            .iter()
            .map(|p| extract(&p.html, p.url.as_ref()).body)
            .collect();
        best = best.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (start_cpu, thread_cpu_seconds()) {
            best_cpu = Some(best_cpu.map_or(b - a, |c| c.min(b - a)));
        }
    }
    // Parsing alone, as the floor the extractor cannot go below.
    let mut parse_best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        for p in &pages {
            std::hint::black_box(scraper::Html::parse_document(&p.html));
        }
        parse_best = parse_best.min(start.elapsed().as_secs_f64());
    }
    let mut scorer = Scorer::new();
    let mut per_page = Vec::new();
    let mut empty = 0;
    for (page, pred) in pages.iter().zip(&preds) {
        if pred.trim().is_empty() {
            empty += 1;
        }
        let (p, r) = scorer.add(pred, &page.truth);
        per_page.push((bench::f1(p, r), p, r, page));
        if let Some(out) = &dump {
            std::fs::create_dir_all(out)?;
            std::fs::write(out.join(format!("{}.txt", page.id)), pred)?;
        }
    }
    let ours = Row {
        name: "pressd".into(),
        f1: scorer.f1(),
        precision: scorer.precision(),
        recall: scorer.recall(),
        pages_per_s: pages.len() as f64 / best,
        pages_per_cpu_s: best_cpu.map(|c| pages.len() as f64 / c),
        empty,
    };
    println!("pages: {}", pages.len());
    println!(
        "html5ever parse alone: {:.0} pages/s",
        pages.len() as f64 / parse_best
    );
    per_page.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("worst pages by F1:");
    for (f, p, r, page) in per_page.iter().take(10) {
        let url = page.url.as_ref().map_or("", url::Url::as_str);
        let short = page.id.get(..12).unwrap_or(&page.id);
        println!("  {f:.3} (P {p:.3} R {r:.3}) {short} {url}");
    }
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS of this process (VmHWM): {mb:.1} MB");
    }
    println!();
    println!(
        "{:<20} {:>6} {:>6} {:>6} {:>9} {:>9} {:>6}",
        "extractor", "F1", "P", "R", "pages/s", "pages/cpu", "empty"
    );
    ours.print();
    if compare {
        let theirs = trafilatura_row(&dir, &pages)?;
        theirs.print();
        print!(
            "speed ratio pressd / trafilatura: {:.1}x wall-clock",
            ours.pages_per_s / theirs.pages_per_s
        );
        if let (Some(a), Some(b)) = (ours.pages_per_cpu_s, theirs.pages_per_cpu_s) {
            print!(", {:.1}x CPU time", a / b);
        }
        println!(" (one thread each, best of 3, same run)");
    }
    Ok(())
}
