//! Stories at scale (issue 14): the labelled scale corpus (`make_corpus`
//! writes each article's `event` and `copy_of`) through the story assigner
//! of the library, in file order and in the import's batches, then scored
//! as `stories_bench` scores its small worlds (pairwise precision, recall
//! and F1 within and across languages, B-cubed, copies), with the largest
//! stories listed: a story that chains (grows by one famous name after
//! another into thousands of articles of every outlet) shows there first.
//!
//! Memory: the bytes the story assigner holds, counted by the allocator
//! around each of its calls (its filter, prior, pending batch, maps), at
//! the end and at their peak, and the process's anonymous memory (the
//! rest of which is mostly SQLite's page cache): the stories' memory
//! beyond the index, which a whole `pressd import` cannot tell apart from
//! tantivy's (its merges map segment files into the resident set).
//!
//! ```sh
//! cargo build --release --locked --example make_corpus --example stories_scale
//! target/release/examples/make_corpus --articles 1000000 --out corpus.jsonl
//! # the first half of the year: twice the density of a year of 500,000
//! grep -E '"published":"2025-0[1-6]-' corpus.jsonl > h1.jsonl
//! target/release/examples/stories_scale h1.jsonl [--articles N] [--batch N] [--top K]
//!     [--support X] [--cover X] [--merge X] [--cap N] [--typical X]
//!     [--pending-max N] [--dump FILE]
//! ```
//!
//! `--dump` writes each article's URL, final story and the URL it copies,
//! a line each in file order: two builds decide alike when their dumps are
//! the same (a `pressd import`'s are not comparable run to run, since the
//! order articles reach the writer and the commits vary).

#[path = "proc_status/mod.rs"]
mod proc_status;

use std::collections::HashMap;
use std::hash::Hash;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use pressd::article::Article;
use pressd::item::ItemKind;
use pressd::state::State;
use pressd::stories::{Settings, Stories};

/// The system allocator, counting the bytes live and their peak.
#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

/// The bytes the story assigner holds, counted around its calls (the
/// benchmark's own bookkeeping grows between them and is not counted).
#[derive(Default)]
struct Held {
    now: isize,
    peak: isize,
    /// The peak within a flush (the batch written, maybe the filter
    /// built again larger).
    flush_peak: isize,
    last_peak: isize,
    /// The most the pending batch held: bytes held beyond what was held
    /// after the last store (a flush, or a store of the pending batch
    /// within `assign`, see `Settings::pending_max`).
    batch: isize,
    after_store: isize,
}

impl Held {
    fn around<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let before = ALLOCATOR.current_usage() as isize;
        ALLOCATOR.reset_peak_usage();
        let out = f();
        let after = ALLOCATOR.current_usage() as isize;
        let peak = ALLOCATOR.peak_usage() as isize;
        self.last_peak = self.now + peak - before;
        self.peak = self.peak.max(self.last_peak);
        self.now += after - before;
        out
    }
}

type Error = Box<dyn std::error::Error>;

#[derive(serde::Deserialize)]
struct Line {
    url: String,
    title: String,
    body: String,
    published: DateTime<Utc>,
    lang: String,
    source: String,
    event: Option<u32>,
    copy_of: Option<String>,
}

struct Options {
    file: PathBuf,
    articles: usize,
    batch: usize,
    top: usize,
    /// Where to write each article's final story and the URL it copies.
    dump: Option<PathBuf>,
    settings: Settings,
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        file: PathBuf::new(),
        articles: usize::MAX,
        batch: 10_000,
        top: 8,
        dump: None,
        settings: Settings::default(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--articles" => o.articles = value()?.replace([',', '_'], "").parse()?,
            "--batch" => o.batch = value()?.parse()?,
            "--top" => o.top = value()?.parse()?,
            "--support" => o.settings.thresholds.support = value()?.parse()?,
            "--cover" => o.settings.thresholds.cover = value()?.parse()?,
            "--merge" => o.settings.thresholds.merge = value()?.parse()?,
            "--cap" => o.settings.postings_cap = value()?.parse()?,
            "--typical" => o.settings.thresholds.typical = value()?.parse()?,
            "--pending-max" => o.settings.pending_max = value()?.parse()?,
            "--dump" => o.dump = Some(PathBuf::from(value()?)),
            other if !other.starts_with("--") && o.file.as_os_str().is_empty() => {
                o.file = PathBuf::from(other)
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if o.file.as_os_str().is_empty() {
        return Err(
            "usage: stories_scale CORPUS.jsonl [--articles N] [--batch N] [--top K]".into(),
        );
    }
    Ok(o)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stories_scale: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the scoring needs of an article.
struct Label {
    /// The corpus's event, or the article alone (`u32::MAX - i`).
    event: u32,
    lang: u8,
    /// The article it copies (the agency text), by its URL.
    copy_of: Option<String>,
    at: DateTime<Utc>,
    source: String,
}

fn run() -> Result<(), Error> {
    let o = options()?;
    let input = std::io::BufReader::new(
        std::fs::File::open(&o.file).map_err(|e| format!("{}: {e}", o.file.display()))?,
    );
    let dir = tempfile::tempdir()?;
    let mut held = Held::default();
    let state = Arc::new(State::open(dir.path())?);
    let mut stories = held.around(|| Stories::open(state.clone(), o.settings))?;
    held.after_store = held.now;
    let mut labels: Vec<Label> = Vec::new();
    let mut urls: Vec<String> = Vec::new();
    let mut langs: Vec<String> = Vec::new();
    let started = Instant::now();
    let mut in_batch = 0;
    for (i, line) in input.lines().enumerate() {
        if labels.len() >= o.articles {
            break;
        }
        let line = line?;
        let a: Line = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let lang = match langs.iter().position(|l| *l == a.lang) {
            Some(p) => p,
            None => {
                langs.push(a.lang.clone());
                langs.len() - 1
            }
        } as u8;
        let article = Article {
            id: a.url.clone(),
            url: a.url.clone(),
            source: a.source.clone(),
            lang: a.lang,
            title: a.title,
            body: a.body,
            published: Some(a.published),
            fetched: a.published,
            authors: Vec::new(),
            kind: ItemKind::Article,
        };
        held.around(|| stories.assign(&article))?;
        if stories.pending() == 0 {
            // Stored within the call, this article with the batch.
            held.after_store = held.now;
        }
        held.batch = held.batch.max(held.now - held.after_store);
        labels.push(Label {
            event: a.event.unwrap_or(u32::MAX - labels.len() as u32),
            lang,
            copy_of: a.copy_of,
            at: a.published,
            source: a.source,
        });
        urls.push(a.url);
        in_batch += 1;
        if in_batch == o.batch {
            held.around(|| stories.flush())?;
            held.flush_peak = held.flush_peak.max(held.last_peak);
            held.after_store = held.now;
            in_batch = 0;
            if labels.len().is_multiple_of(100_000) {
                eprintln!(
                    "{} articles, {:.0} s, held {:.1} MB (peak so far {:.1} MB)",
                    labels.len(),
                    started.elapsed().as_secs_f64(),
                    held.now as f64 / 1e6,
                    held.peak as f64 / 1e6
                );
            }
        }
    }
    held.around(|| stories.flush())?;
    let elapsed = started.elapsed();
    let (filter, sizes) = stories.kept_bytes();
    let anon = proc_status::kib(None, "RssAnon").unwrap_or(0) as f64 * 1024.0;
    println!(
        "memory: filter {:.1} MB, story sizes {:.1} MB; a pending batch at most {:.1} MB; \
         the peak within a flush {:.1} MB",
        filter as f64 / 1e6,
        sizes as f64 / 1e6,
        held.batch as f64 / 1e6,
        held.flush_peak as f64 / 1e6
    );
    println!(
        "{} articles from {} in batches of {}: {:.1} s ({:.0} µs an article, one thread)",
        labels.len(),
        o.file.display(),
        o.batch,
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / labels.len().max(1) as f64
    );
    println!(
        "memory: story assigner {:.1} MB at the end, {:.1} MB at its peak; the process's \
         anonymous memory {:.1} MB, of which Rust's heap {:.1} MB (the rest is mostly \
         SQLite's page cache, at most 16 MB)",
        held.now as f64 / 1e6,
        held.peak as f64 / 1e6,
        anon / 1e6,
        ALLOCATOR.current_usage() as f64 / 1e6
    );
    let ids: Vec<&str> = urls.iter().map(String::as_str).collect();
    let found = state.stories_of(&ids)?;
    let index: HashMap<&str, u32> = urls
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i as u32))
        .collect();
    let mut story = Vec::with_capacity(urls.len());
    let mut copy_root = Vec::with_capacity(urls.len());
    for (i, url) in urls.iter().enumerate() {
        let (s, d) = found
            .get(url)
            .ok_or_else(|| format!("{url} has no story"))?;
        story.push(*s);
        copy_root.push(
            d.as_deref()
                .and_then(|d| index.get(d))
                .copied()
                .unwrap_or(i as u32),
        );
    }
    if let Some(path) = &o.dump {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
        );
        for (i, url) in urls.iter().enumerate() {
            let copies = match copy_root[i] as usize {
                root if root != i => urls[root].as_str(),
                _ => "-",
            };
            writeln!(out, "{url}\t{}\t{copies}", story[i])?;
        }
        out.flush()?;
    }
    let truth_root: Vec<u32> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            l.copy_of
                .as_deref()
                .and_then(|u| index.get(u))
                .copied()
                .unwrap_or(i as u32)
        })
        .collect();
    score(&labels, &story, &truth_root, &copy_root, o.top);
    Ok(())
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn counts<K: Hash + Eq>(keys: impl Iterator<Item = K>) -> HashMap<K, u64> {
    let mut m = HashMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

fn pair_sum<K>(m: &HashMap<K, u64>) -> u64 {
    m.values().map(|n| pairs(*n)).sum()
}

fn line(name: &str, tp: u64, truth: u64, predicted: u64) {
    let p = tp as f64 / predicted.max(1) as f64;
    let r = tp as f64 / truth.max(1) as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    println!(
        "  {name:<28} P {p:.3}  R {r:.3}  F1 {f:.3}   (tp {tp}, fp {}, fn {})",
        predicted - tp,
        truth - tp
    );
}

/// Pairwise and B-cubed scores from contingency counts (a pair by pair
/// count is quadratic in the articles).
fn score(labels: &[Label], story: &[u64], truth_root: &[u32], copy_root: &[u32], top: usize) {
    let n = labels.len();
    let ev_lang = counts(labels.iter().map(|l| (l.event, l.lang)));
    let st_lang = counts((0..n).map(|i| (story[i], labels[i].lang)));
    let both_lang = counts((0..n).map(|i| (labels[i].event, story[i], labels[i].lang)));
    let ev = counts(labels.iter().map(|l| l.event));
    let st = counts(story.iter().copied());
    let both = counts((0..n).map(|i| (labels[i].event, story[i])));
    let (tw, pw, bw) = (pair_sum(&ev_lang), pair_sum(&st_lang), pair_sum(&both_lang));
    let (ta, pa, ba) = (pair_sum(&ev), pair_sum(&st), pair_sum(&both));
    line("stories, within a language", bw, tw, pw);
    line("stories, across languages", ba - bw, ta - tw, pa - pw);
    line("stories, all pairs", ba, ta, pa);
    let (mut bp, mut br) = (0.0, 0.0);
    for ((e, s), k) in &both {
        let k = *k as f64;
        bp += k * k / st[s] as f64;
        br += k * k / ev[e] as f64;
    }
    let (bp, br) = (bp / n as f64, br / n as f64);
    println!(
        "  {:<28} P {bp:.3}  R {br:.3}  F1 {:.3}",
        "stories, B-cubed",
        2.0 * bp * br / (bp + br).max(1e-9)
    );
    let tc = counts(truth_root.iter().copied());
    let pc = counts(copy_root.iter().copied());
    let bc = counts((0..n).map(|i| (truth_root[i], copy_root[i])));
    line(
        "copies (same copy group)",
        pair_sum(&bc),
        pair_sum(&tc),
        pair_sum(&pc),
    );
    let right = (0..n)
        .filter(|i| truth_root[*i] != *i as u32)
        .filter(|i| copy_root[*i] == truth_root[*i])
        .count();
    let copies = (0..n).filter(|i| truth_root[*i] != *i as u32).count();
    println!("  copies, duplicate_of         {right} of {copies} point at the earliest version");
    let events_of = counts(both.keys().map(|(_, s)| *s));
    let mixed = events_of.values().filter(|k| **k > 1).count();
    println!(
        "  merged events                {mixed} of {} predicted stories mix events",
        st.len()
    );
    let truth_largest = ev.values().max().copied().unwrap_or(0);
    println!("  largest event: {truth_largest} articles");
    let mut largest: Vec<(u64, u64)> = st.iter().map(|(s, k)| (*k, *s)).collect();
    largest.sort_unstable_by(|a, b| b.cmp(a));
    for (k, s) in largest.iter().take(top) {
        let members: Vec<usize> = (0..n).filter(|i| story[*i] == *s).collect();
        let first = members.iter().map(|i| labels[*i].at).min();
        let last = members.iter().map(|i| labels[*i].at).max();
        let mut sources: Vec<&str> = members.iter().map(|i| labels[*i].source.as_str()).collect();
        sources.sort_unstable();
        sources.dedup();
        let mut langs: Vec<u8> = members.iter().map(|i| labels[*i].lang).collect();
        langs.sort_unstable();
        langs.dedup();
        let span = match (first, last) {
            (Some(f), Some(l)) => (l - f).num_minutes() as f64 / 60.0,
            _ => 0.0,
        };
        println!(
            "  story {s}: {k} articles, {} events, {} sources, {} languages, {span:.1} h",
            events_of[s],
            sources.len(),
            langs.len()
        );
    }
}
