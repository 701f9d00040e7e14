//! What the cross-script name path costs the index: size on disk and
//! indexing throughput with the `names` field filled, as a ratio to the
//! same documents indexed without it, measured in one run.
//!
//! `cargo run --release --example names_index_bench -- [../shared/bench]`
//!
//! Documents are real text: the article bodies of the extraction benchmark
//! (English news) and the language-identification sentences of hy, az, ru,
//! ka, tr, uk, fa, fr, de and en, ten sentences to a document. Each corpus
//! is indexed three times per mode, alternating, and the median is kept.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pressd::article::Article;
use pressd::index::Index;
use pressd::item::ItemKind;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bench = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/bench".into()),
    );
    let docs = load(&bench)?;
    if docs.is_empty() {
        eprintln!(
            "no documents under {}: pass the shared bench folder",
            bench.display()
        );
        return Ok(());
    }
    let bytes: usize = docs.iter().map(|d| d.title.len() + d.body.len()).sum();
    println!(
        "{} documents, {:.1} MB of text",
        docs.len(),
        bytes as f64 / 1e6
    );

    let mut with = Vec::new();
    let mut without = Vec::new();
    for _ in 0..3 {
        with.push(run(&docs, true)?);
        without.push(run(&docs, false)?);
    }
    let median = |runs: &mut Vec<(f64, u64)>, pick: fn(&(f64, u64)) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(pick).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (w_rate, w_size) = (
        median(&mut with, |r| r.0),
        median(&mut with, |r| r.1 as f64),
    );
    let (o_rate, o_size) = (
        median(&mut without, |r| r.0),
        median(&mut without, |r| r.1 as f64),
    );
    println!();
    println!("| index | docs/s (median of 3) | size on disk |");
    println!("| --- | --- | --- |");
    println!(
        "| without the names field | {o_rate:.0} | {:.1} MB |",
        o_size / 1e6
    );
    println!(
        "| with the names field | {w_rate:.0} | {:.1} MB |",
        w_size / 1e6
    );
    println!();
    println!(
        "size ratio {:.2}x (target <= 1.3x), throughput ratio {:.2}x (target >= 0.8x)",
        w_size / o_size,
        w_rate / o_rate
    );
    Ok(())
}

/// Index every document into a fresh index; returns docs/s and bytes on disk.
fn run(docs: &[Article], names: bool) -> Result<(f64, u64), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let index = Index::open_or_create(dir.path())?;
    let mut writer = index.writer()?;
    if !names {
        writer = writer.without_names();
    }
    let started = Instant::now();
    for (n, doc) in docs.iter().enumerate() {
        writer.upsert(doc)?;
        if n % 1000 == 999 {
            writer.commit()?;
        }
    }
    writer.commit()?;
    let rate = docs.len() as f64 / started.elapsed().as_secs_f64();
    drop(writer);
    Ok((rate, dir_size(dir.path())?))
}

fn dir_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

fn load(bench: &Path) -> Result<Vec<Article>, Box<dyn std::error::Error>> {
    let mut docs = Vec::new();
    let truth = bench.join("extraction/truth");
    if let Ok(entries) = std::fs::read_dir(&truth) {
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files {
            let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
            let body = value["articleBody"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let title = body
                .split(['.', '\n'])
                .next()
                .unwrap_or_default()
                .to_string();
            docs.push(article(docs.len(), "en", title, body));
        }
    }
    for lang in ["hy", "az", "ru", "ka", "tr", "uk", "fa", "fr", "de", "en"] {
        let Ok(text) =
            std::fs::read_to_string(bench.join("langid").join(lang).join("sentences.txt"))
        else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for chunk in lines.chunks(10) {
            let title = chunk[0].to_string();
            let body = chunk[1..].join(" ");
            docs.push(article(docs.len(), lang, title, body));
        }
    }
    Ok(docs)
}

fn article(n: usize, lang: &str, title: String, body: String) -> Article {
    Article {
        id: format!("https://bench.example/{n}"),
        url: format!("https://bench.example/{n}"),
        source: format!("source-{}", n % 7),
        lang: lang.to_string(),
        title,
        body,
        published: None,
        fetched: chrono::Utc::now(),
        authors: Vec::new(),
        kind: ItemKind::Article,
    }
}
