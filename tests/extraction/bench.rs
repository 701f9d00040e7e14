//! The extraction benchmarks (`../shared/bench/extraction`, the public
//! ScrapingHub set, and `../shared/bench/extraction-more`, the Dragnet and
//! Readability development sets): loading their pages and scoring
//! predictions with the ScrapingHub benchmark's own metric. Shared by
//! `examples/extract_bench.rs` and the regression tests in
//! `tests/extraction.rs` (both include this file with `#[path]`), so the
//! figure the test guards is the figure the example prints. It is not in the
//! library because shipping a benchmark metric in the daemon would serve no
//! user.
//!
//! The metric: `\w+` tokens, multisets of overlapping 4-token shingles,
//! per-page precision and recall averaged over the pages where each is
//! defined, F1 of the two means. Beside it, the count of catastrophic
//! outputs: pages where less than a tenth of the true article came back
//! (shingle recall under 0.1: the footer or a widget instead of the story,
//! or nothing).

use regex::Regex;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One benchmark page: `html/<id>.html` or `html/<id>.html.gz`, and
/// `truth/<id>.json` (`{"url", "articleBody", "subset"?}`).
pub struct Page {
    pub id: String,
    /// The collection the page belongs to (see [`subset_of`]).
    pub subset: String,
    pub url: Option<url::Url>,
    pub html: String,
    pub truth: String,
}

/// Subset name of the pages that carry none: the ScrapingHub benchmark's
/// truth files have neither a `subset` field nor an id prefix.
pub const DEFAULT_SUBSET: &str = "scrapinghub";

/// A page's collection: the truth file's `subset`, else the id's prefix
/// before the first `-` (`dragnet-110`), else [`DEFAULT_SUBSET`].
pub fn subset_of(id: &str, truth: &serde_json::Value) -> String {
    if let Some(s) = truth["subset"].as_str().filter(|s| !s.is_empty()) {
        return s.to_string();
    }
    match id.split_once('-') {
        Some((prefix, _)) if prefix.chars().all(|c| c.is_ascii_alphabetic()) => prefix.to_string(),
        _ => DEFAULT_SUBSET.to_string(),
    }
}

/// Every page of the benchmark in `dir`, sorted by id.
pub fn load(dir: &Path) -> Result<Vec<Page>, Box<dyn std::error::Error>> {
    let mut pages = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir.join("html"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let Some(name) = path.file_name().and_then(|s| s.to_str()) else {
            continue;
        };
        let (id, gz) = if let Some(id) = name.strip_suffix(".html.gz") {
            (id.to_string(), true)
        } else if let Some(id) = name.strip_suffix(".html") {
            (id.to_string(), false)
        } else {
            continue;
        };
        let html = if gz {
            let mut s = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(&path)?).read_to_string(&mut s)?;
            s
        } else {
            std::fs::read_to_string(&path)?
        };
        let truth_path = dir.join("truth").join(format!("{id}.json"));
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&truth_path)?)?;
        pages.push(Page {
            subset: subset_of(&id, &truth),
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
    catastrophic: usize,
}

/// Recall under which an output counts as catastrophic: less than a tenth
/// of the true article came back.
pub const CATASTROPHIC_RECALL: f64 = 0.1;

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
            catastrophic: 0,
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
            if rec < CATASTROPHIC_RECALL {
                self.catastrophic += 1;
            }
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

    /// Pages with a true article of which less than a tenth came back.
    pub fn catastrophic(&self) -> usize {
        self.catastrophic
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
