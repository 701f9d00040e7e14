//! Article-body benchmark for `pressd::extract`.
//!
//! Usage: `cargo run --release --example extract_bench -- DIR [--dump OUT]`
//! where DIR holds `html/<id>.html` and `truth/<id>.json`
//! (`{"url", "articleBody"}`). Scores with the benchmark's own metric:
//! `\w+` tokens, multisets of overlapping 4-token shingles, per-page
//! precision/recall averaged over pages, F1 of the two means. Timing is one
//! thread over preloaded HTML, best of three passes. `--dump OUT` writes each
//! prediction to `OUT/<id>.txt` for inspection.

use pressd::extract::extract;
use regex::Regex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Page {
    id: String,
    url: Option<url::Url>,
    html: String,
    truth: String,
}

fn load(dir: &Path) -> anyhow::Result<Vec<Page>> {
    let mut pages = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir.join("html"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    entries.sort();
    for path in entries {
        let Some(id) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let html = std::fs::read_to_string(&path)?;
        let truth_path = dir.join("truth").join(format!("{id}.json"));
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&truth_path)?)?;
        pages.push(Page {
            url: truth["url"].as_str().and_then(|u| url::Url::parse(u).ok()),
            truth: truth["articleBody"].as_str().unwrap_or("").to_string(),
            id,
            html,
        });
    }
    Ok(pages)
}

fn shingles(words: &Regex, text: &str) -> HashMap<Vec<String>, i64> {
    let tokens: Vec<String> = words
        .find_iter(text)
        .map(|m| m.as_str().to_string())
        .collect();
    let mut out = HashMap::new();
    if tokens.is_empty() {
        return out;
    }
    if tokens.len() < 4 {
        out.insert(tokens, 1);
        return out;
    }
    for w in tokens.windows(4) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// Per-page (precision, recall), `None` where undefined.
fn score(words: &Regex, pred: &str, truth: &str) -> (Option<f64>, Option<f64>) {
    let p = shingles(words, pred);
    let t = shingles(words, truth);
    let (mut tp, mut fp, mut fn_) = (0i64, 0i64, 0i64);
    for (k, &c) in &p {
        let tc = t.get(k).copied().unwrap_or(0);
        tp += c.min(tc);
        fp += (c - tc).max(0);
    }
    for (k, &c) in &t {
        let pc = p.get(k).copied().unwrap_or(0);
        fn_ += (c - pc).max(0);
    }
    let (prec, rec) = if fp == 0 && fn_ == 0 {
        (1.0, 1.0)
    } else {
        let prec = if tp + fp > 0 {
            tp as f64 / (tp + fp) as f64
        } else {
            0.0
        };
        let rec = if tp + fn_ > 0 {
            tp as f64 / (tp + fn_) as f64
        } else {
            0.0
        };
        (prec, rec)
    };
    (
        (!p.is_empty()).then_some(prec),
        (!t.is_empty()).then_some(rec),
    )
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "../shared/bench/extraction".into()),
    );
    let mut dump: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        if a == "--dump" {
            dump = args.next().map(PathBuf::from);
        }
    }
    let pages = load(&dir)?;
    let mut best = f64::MAX;
    let mut preds: Vec<String> = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        preds = pages
            .iter()
            .map(|p| extract(&p.html, p.url.as_ref()).body)
            .collect();
        best = best.min(start.elapsed().as_secs_f64());
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
    let words = Regex::new(r"\w+")?;
    let (mut ps, mut rs) = (Vec::new(), Vec::new());
    let mut per_page = Vec::new();
    let mut empty = 0;
    for (page, pred) in pages.iter().zip(&preds) {
        if pred.trim().is_empty() {
            empty += 1;
        }
        let (p, r) = score(&words, pred, &page.truth);
        ps.extend(p);
        rs.extend(r);
        let (pp, rr) = (p.unwrap_or(0.0), r.unwrap_or(0.0));
        per_page.push((f1(pp, rr), pp, rr, page));
        if let Some(out) = &dump {
            std::fs::create_dir_all(out)?;
            std::fs::write(out.join(format!("{}.txt", page.id)), pred)?;
        }
    }
    let p = ps.iter().sum::<f64>() / ps.len().max(1) as f64;
    let r = rs.iter().sum::<f64>() / rs.len().max(1) as f64;
    println!("pages: {}", pages.len());
    println!("F1 {:.3}  P {:.3}  R {:.3}", f1(p, r), p, r);
    println!(
        "speed: {:.0} pages/s (best of 3, one thread)",
        pages.len() as f64 / best
    );
    println!(
        "html5ever parse alone: {:.0} pages/s",
        pages.len() as f64 / parse_best
    );
    println!("empty results: {empty}");
    per_page.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("worst pages by F1:");
    for (f, p, r, page) in per_page.iter().take(10) {
        let url = page.url.as_ref().map_or("", url::Url::as_str);
        println!("  {f:.3} (P {p:.3} R {r:.3}) {} {url}", &page.id[..12]);
    }
    Ok(())
}
