//! The public extraction benchmark (`../shared/bench/extraction`): loading
//! its pages and scoring predictions with its own metric. Shared by
//! `examples/extract_bench.rs` and the regression test in
//! `tests/extraction.rs` (both include this file with `#[path]`), so the
//! figure the test guards is the figure the example prints. It is not in the
//! library because shipping a benchmark metric in the daemon would serve no
//! user.
//!
//! The metric: `\w+` tokens, multisets of overlapping 4-token shingles,
//! per-page precision and recall averaged over the pages where each is
//! defined, F1 of the two means.

use regex::Regex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One benchmark page: `html/<id>.html` and `truth/<id>.json`
/// (`{"url", "articleBody"}`).
pub struct Page {
    pub id: String,
    pub url: Option<url::Url>,
    pub html: String,
    pub truth: String,
}

/// Every page of the benchmark in `dir`, sorted by id.
pub fn load(dir: &Path) -> Result<Vec<Page>, Box<dyn std::error::Error>> {
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

/// Per-page precision and recall, accumulated into the benchmark's means.
pub struct Scorer {
    words: Regex,
    precisions: Vec<f64>,
    recalls: Vec<f64>,
}

impl Default for Scorer {
    fn default() -> Self {
        Self::new()
    }
}

impl Scorer {
    pub fn new() -> Self {
        Scorer {
            words: Regex::new(r"\w+").expect("static regex"),
            precisions: Vec::new(),
            recalls: Vec::new(),
        }
    }

    fn shingles(&self, text: &str) -> HashMap<Vec<String>, i64> {
        let tokens: Vec<String> = self
            .words
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

    /// Score one page and add it to the means; returns its (precision,
    /// recall), 0 where undefined.
    pub fn add(&mut self, pred: &str, truth: &str) -> (f64, f64) {
        let p = self.shingles(pred);
        let t = self.shingles(truth);
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
        let ratio = |a: i64, b: i64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        let (prec, rec) = if fp == 0 && fn_ == 0 {
            (1.0, 1.0)
        } else {
            (ratio(tp, tp + fp), ratio(tp, tp + fn_))
        };
        // Precision is undefined for an empty prediction and recall for an
        // empty truth; the benchmark leaves such pages out of that mean.
        if !p.is_empty() {
            self.precisions.push(prec);
        }
        if !t.is_empty() {
            self.recalls.push(rec);
        }
        (
            if p.is_empty() { 0.0 } else { prec },
            if t.is_empty() { 0.0 } else { rec },
        )
    }

    pub fn precision(&self) -> f64 {
        mean(&self.precisions)
    }

    pub fn recall(&self) -> f64 {
        mean(&self.recalls)
    }

    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

pub fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}
