//! Article-body benchmark for `pressd::extract`, collection by collection.
//!
//! Usage: `cargo run --release --example extract_bench -- [DIR ...] [--dump
//! OUT] [--compare-trafilatura] [--worst N]`. Each DIR holds `html/<id>.html`
//! or `html/<id>.html.gz` and `truth/<id>.json` (`{"url", "articleBody",
//! "subset"?}`); without one, `../shared/bench/extraction` (ScrapingHub) and,
//! where present, `../shared/bench/extraction-more` (Dragnet, Readability).
//! Pages are grouped into collections by the truth's `subset` or the id's
//! prefix (see `tests/extraction/bench.rs`, shared with the regression
//! tests), and each collection gets its own row, then one for all pages.
//!
//! Scores with the ScrapingHub benchmark's own metric, plus the count of
//! catastrophic outputs (less than a tenth of the true article came back).
//! Timing is one thread over preloaded HTML, each collection timed on its
//! own, best of three passes, both in wall-clock time and in the thread's CPU
//! time (Linux `/proc/thread-self/schedstat`): on a machine shared with other
//! work the CPU figure is the one that compares fairly. `--dump OUT` writes
//! each prediction to `OUT/<id>.txt` for inspection; `--worst N` lists the N
//! worst pages of each collection (default 5).
//!
//! `--compare-trafilatura` then runs `examples/trafilatura_bench.py` (Python
//! trafilatura 2.x, same pages preloaded, one thread, best of three per
//! collection) with `$PYTHON` or `python3`, scores its output with the same
//! code and prints its rows beside pressd's, with the speed ratio, from this
//! one run. The peak RSS printed is this process's own (`VmHWM`), taken
//! before Python starts.

#[path = "../tests/extraction/bench.rs"]
mod bench;
#[path = "proc_status/mod.rs"]
mod proc_status;

use bench::{Page, Scorer};
use pressd::extract::extract;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One row of the results table: one extractor on one collection.
struct Row {
    subset: String,
    name: String,
    pages: usize,
    f1: f64,
    precision: f64,
    recall: f64,
    catastrophic: usize,
    empty: usize,
    seconds: f64,
    /// CPU seconds of the extracting thread, where the OS tells it.
    cpu_seconds: Option<f64>,
}

impl Row {
    fn scored<'a>(
        subset: &str,
        name: &str,
        pages: impl Iterator<Item = (&'a Page, &'a str)>,
        seconds: f64,
        cpu_seconds: Option<f64>,
    ) -> Row {
        let mut scorer = Scorer::new();
        let mut n = 0;
        let mut empty = 0;
        for (page, pred) in pages {
            n += 1;
            if pred.trim().is_empty() {
                empty += 1;
            }
            scorer.add(pred, &page.truth);
        }
        Row {
            subset: subset.to_string(),
            name: name.to_string(),
            pages: n,
            f1: scorer.f1(),
            precision: scorer.precision(),
            recall: scorer.recall(),
            catastrophic: scorer.catastrophic(),
            empty,
            seconds,
            cpu_seconds,
        }
    }

    fn pages_per_s(&self) -> f64 {
        self.pages as f64 / self.seconds
    }

    fn pages_per_cpu_s(&self) -> Option<f64> {
        self.cpu_seconds.map(|c| self.pages as f64 / c)
    }

    fn print_header() {
        println!(
            "{:<12} {:<18} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9} {:>9}",
            "collection",
            "extractor",
            "pages",
            "F1",
            "P",
            "R",
            "<1/10",
            "empty",
            "pages/s",
            "pages/cpu"
        );
    }

    fn print(&self) {
        let cpu = self
            .pages_per_cpu_s()
            .map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
        println!(
            "{:<12} {:<18} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6} {:>9.1} {:>9}",
            self.subset,
            self.name,
            self.pages,
            self.f1,
            self.precision,
            self.recall,
            self.catastrophic,
            self.empty,
            self.pages_per_s(),
            cpu
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
    Some(proc_status::kib(None, "VmHWM")? as f64 / 1024.0)
}

/// What trafilatura returned for every page, and its timings per collection.
struct Theirs {
    version: String,
    preds: HashMap<String, String>,
    /// Collection → (wall-clock seconds, CPU seconds) of its best pass.
    times: HashMap<String, (f64, Option<f64>)>,
}

fn run_trafilatura(dirs: &[PathBuf]) -> anyhow::Result<Theirs> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/trafilatura_bench.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .arg(&script)
        .args(dirs)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "{python} {} failed: {}",
        script.display(),
        out.status
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let preds = v["preds"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let times = v["subsets"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, s)| {
                    (
                        k.clone(),
                        (
                            s["seconds"].as_f64().unwrap_or(f64::NAN),
                            s["cpu_seconds"].as_f64(),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Theirs {
        version: v["version"].as_str().unwrap_or("?").to_string(),
        preds,
        times,
    })
}

/// Collection names in order of first appearance.
fn subsets(pages: &[Page]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in pages {
        if !out.contains(&p.subset) {
            out.push(p.subset.clone());
        }
    }
    out
}

/// Sum of the rows' times; `None` when one lacks a CPU figure.
fn total_times(rows: &[Row]) -> (f64, Option<f64>) {
    let wall = rows.iter().map(|r| r.seconds).sum();
    let cpu = rows.iter().map(|r| r.cpu_seconds).sum();
    (wall, cpu)
}

fn main() -> anyhow::Result<()> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut dump: Option<PathBuf> = None;
    let mut compare = false;
    let mut worst = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dump" => dump = args.next().map(PathBuf::from),
            "--compare-trafilatura" => compare = true,
            "--worst" => worst = args.next().and_then(|n| n.parse().ok()).unwrap_or(worst),
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    if dirs.is_empty() {
        dirs.push(PathBuf::from("../shared/bench/extraction"));
        let more = PathBuf::from("../shared/bench/extraction-more");
        if more.join("html").is_dir() {
            dirs.push(more);
        }
    }
    let mut pages = Vec::new();
    for dir in &dirs {
        pages.extend(bench::load(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?);
    }
    let subsets = subsets(&pages);

    // Each collection on its own: three passes, the best one counts.
    let mut preds: HashMap<&str, String> = HashMap::new();
    let mut ours = Vec::new();
    for subset in &subsets {
        let group: Vec<&Page> = pages.iter().filter(|p| &p.subset == subset).collect();
        let mut best = f64::MAX;
        let mut best_cpu: Option<f64> = None;
        for _ in 0..3 {
            let start = Instant::now();
            let start_cpu = thread_cpu_seconds();
            // Only the body is kept: each page's arena and metadata are
            // dropped as soon as it is extracted.
            let out: Vec<String> = group
                .iter()
                .map(|p| extract(&p.html, p.url.as_ref()).body)
                .collect();
            best = best.min(start.elapsed().as_secs_f64());
            if let (Some(a), Some(b)) = (start_cpu, thread_cpu_seconds()) {
                best_cpu = Some(best_cpu.map_or(b - a, |c| c.min(b - a)));
            }
            for (p, o) in group.iter().zip(out) {
                preds.insert(p.id.as_str(), o);
            }
        }
        ours.push(Row::scored(
            subset,
            "pressd",
            group.iter().map(|p| (*p, preds[p.id.as_str()].as_str())),
            best,
            best_cpu,
        ));
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

    if let Some(out) = &dump {
        std::fs::create_dir_all(out)?;
        for p in &pages {
            std::fs::write(out.join(format!("{}.txt", p.id)), &preds[p.id.as_str()])?;
        }
    }
    println!("pages: {}", pages.len());
    println!(
        "html5ever parse alone: {:.0} pages/s",
        pages.len() as f64 / parse_best
    );
    for subset in &subsets {
        let mut per_page: Vec<(f64, f64, f64, &Page)> = pages
            .iter()
            .filter(|p| &p.subset == subset)
            .map(|p| {
                let (pr, r) = Scorer::new().add(&preds[p.id.as_str()], &p.truth);
                (bench::f1(pr, r), pr, r, p)
            })
            .collect();
        per_page.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!("worst {subset} pages by F1:");
        for (f, p, r, page) in per_page.iter().take(worst) {
            let url = page.url.as_ref().map_or("", url::Url::as_str);
            let short = page.id.get(..24).unwrap_or(&page.id);
            println!("  {f:.3} (P {p:.3} R {r:.3}) {short} {url}");
        }
    }
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS of this process (VmHWM): {mb:.1} MB");
    }

    let theirs = if compare {
        Some(run_trafilatura(&dirs)?)
    } else {
        None
    };
    let mut rows = Vec::new();
    let mut their_rows = Vec::new();
    for (subset, row) in subsets.iter().zip(ours.iter()) {
        rows.push(row);
        if let Some(t) = &theirs {
            let (wall, cpu) = t.times.get(subset).copied().unwrap_or((f64::NAN, None));
            let group = pages.iter().filter(|p| &p.subset == subset);
            their_rows.push(Row::scored(
                subset,
                &format!("trafilatura {}", t.version),
                group.map(|p| (p, t.preds.get(&p.id).map_or("", String::as_str))),
                wall,
                cpu,
            ));
        }
    }
    let (wall, cpu) = total_times(&ours);
    let all_ours = Row::scored(
        "all",
        "pressd",
        pages.iter().map(|p| (p, preds[p.id.as_str()].as_str())),
        wall,
        cpu,
    );
    let all_theirs = theirs.as_ref().map(|t| {
        let (wall, cpu) = total_times(&their_rows);
        Row::scored(
            "all",
            &format!("trafilatura {}", t.version),
            pages
                .iter()
                .map(|p| (p, t.preds.get(&p.id).map_or("", String::as_str))),
            wall,
            cpu,
        )
    });
    println!();
    Row::print_header();
    for (i, row) in rows.iter().enumerate() {
        row.print();
        if let Some(t) = their_rows.get(i) {
            t.print();
        }
    }
    if subsets.len() > 1 {
        all_ours.print();
        if let Some(t) = &all_theirs {
            t.print();
        }
    }
    if let Some(t) = &all_theirs {
        print!(
            "speed ratio pressd / trafilatura, all pages: {:.1}x wall-clock",
            all_ours.pages_per_s() / t.pages_per_s()
        );
        if let (Some(a), Some(b)) = (all_ours.pages_per_cpu_s(), t.pages_per_cpu_s()) {
            print!(", {:.1}x CPU time", a / b);
        }
        println!(" (one thread each, best of 3 per collection, same run)");
    }
    Ok(())
}
