//! Rough throughput figures for the index: upserts per second with batched
//! commits, then search latency for a few query shapes.
//!
//! `cargo run --example index_bench -- [DOCS]` (default 5000). Synthetic
//! articles mix Latin (Azerbaijani), Cyrillic, Armenian and Georgian words.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use pressd::article::Article;
use pressd::index::{Index, SearchRequest, Sort};

const WORDS: &[&str] = &[
    "Bakı",
    "prezident",
    "İlham",
    "Əliyev",
    "görüş",
    "iqtisadiyyat",
    "neft",
    "qaz",
    "Москва",
    "переговоры",
    "ёлка",
    "министр",
    "Երևան",
    "կառավարություն",
    "Հայաստան",
    "ընտրություններ",
    "თბილისი",
    "მთავრობა",
    "საქართველო",
    "არჩევნები",
    "summit",
    "border",
    "peace",
    "trade",
];

const SYLLABLES: &[&[&str]] = &[
    &[
        "ba", "kı", "gə", "şə", "ra", "ov", "li", "ça", "qa", "yev", "də", "mü",
    ],
    &[
        "ра", "по", "ни", "ств", "ко", "ма", "ёж", "ли", "де", "ту", "вы", "за",
    ],
    &[
        "հա",
        "յաս",
        "տան",
        "րու",
        "թյուն",
        "կա",
        "վա",
        "նը",
        "մի",
        "տե",
        "զո",
        "լի",
    ],
    &[
        "სა",
        "ქარ",
        "თვე",
        "ლო",
        "მთა",
        "ვრო",
        "ბა",
        "ბი",
        "ლი",
        "სი",
        "რე",
        "ნი",
    ],
];

/// Small deterministic generator; the figures should not depend on luck.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as usize
    }

    /// One word in ten from [`WORDS`], the rest made of 2–4 syllables of
    /// one script, which gives a vocabulary of some hundred thousand words.
    fn text(&mut self, words: usize) -> String {
        (0..words)
            .map(|_| {
                if self.next(10) == 0 {
                    return WORDS[self.next(WORDS.len())].to_string();
                }
                let script = SYLLABLES[self.next(SYLLABLES.len())];
                (0..2 + self.next(3))
                    .map(|_| script[self.next(script.len())])
                    .collect()
            })
            .collect::<Vec<String>>()
            .join(" ")
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let docs: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(5000);
    let dir = tempfile::tempdir()?;
    let index = Index::open_or_create(dir.path())?;
    let mut writer = index.writer()?;
    let mut rng = Lcg(42);
    let langs = ["az", "ru", "hy", "ka", "en"];

    let started = Instant::now();
    for n in 0..docs {
        let article = Article {
            id: format!("https://bench.example/{n}"),
            url: format!("https://bench.example/{n}?utm=x"),
            source: format!("source-{}", n % 7),
            lang: langs[n % langs.len()].to_string(),
            title: rng.text(8),
            body: rng.text(400),
            published: Utc.timestamp_opt(1_700_000_000 + n as i64 * 60, 0).single(),
            fetched: Utc::now(),
            authors: vec![rng.text(2)],
            kind: pressd::item::ItemKind::Article,
        };
        writer.upsert(&article)?;
        if n % 1000 == 999 {
            writer.commit()?;
        }
    }
    writer.commit()?;
    let elapsed = started.elapsed();
    println!(
        "indexed {docs} docs (~400 words each) in {:.2}s: {:.0} docs/s",
        elapsed.as_secs_f64(),
        docs as f64 / elapsed.as_secs_f64()
    );

    let reader = Index::open_read(dir.path())?;
    let queries = [
        ("one word", "bakı", Sort::Relevance),
        ("two words AND", "prezident summit", Sort::Relevance),
        ("phrase", "\"İlham Əliyev\"", Sort::Relevance),
        ("OR + NOT", "(Երևան OR თბილისი) -neft", Sort::Relevance),
        ("one word, newest", "BAKI", Sort::Newest),
    ];
    for (name, query, sort) in queries {
        let request = SearchRequest {
            query: query.to_string(),
            sort,
            limit: 10,
            ..SearchRequest::default()
        };
        let runs = 20;
        let started = Instant::now();
        let mut total = 0;
        for _ in 0..runs {
            total = reader.search(&request)?.total;
        }
        let per_query = started.elapsed().as_secs_f64() * 1000.0 / runs as f64;
        println!("{name:<18} {total:>7} matches  {per_query:>7.2} ms/query (10 hits, snippets)");
    }
    Ok(())
}
