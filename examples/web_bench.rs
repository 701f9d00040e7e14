//! The web page's search at scale (issue 21): `pressd serve` over the
//! million-article index of `scale_bench`, asked for search pages (`/?q=`,
//! the top 20 with snippets, as a browser asks) and `/api/search` answers.
//! Reports the server's time per answer (its `Server-Timing`: search,
//! counting and rendering, without the network) and the client's, p50 /
//! p95 / p99 / max, and the pages' sizes.
//!
//! The queries come from the corpus the index was loaded from
//! (`corpus.jsonl` beside it, its first articles): per language a common
//! title word, a rare one, two words that must both match, a phrase, and a
//! word with the language filter and a month, newest first.
//!
//! The index is only read: the config written into a temporary directory
//! points `index_dir` at it and `state_dir` at an empty directory of its
//! own, and `pressd serve` opens the index read-only.
//!
//! ```sh
//! cargo build --release --locked --bins --examples
//! target/release/examples/web_bench [--dir target/scale-bench] [--bin target/release/pressd] [--rounds 3]
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// Corpus lines read for the queries.
const SAMPLE: usize = 20_000;

/// Queries of each kind per language.
const PER_KIND: usize = 4;

const LANGS: [&str; 6] = ["hy", "az", "ru", "ka", "tr", "en"];

struct Options {
    dir: PathBuf,
    bin: PathBuf,
    rounds: usize,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        dir: PathBuf::from("target/scale-bench"),
        bin: PathBuf::from("target/release/pressd"),
        rounds: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--dir" => o.dir = PathBuf::from(value()?),
            "--bin" => o.bin = PathBuf::from(value()?),
            "--rounds" => o.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

#[derive(serde::Deserialize)]
struct Line {
    title: String,
    lang: String,
    published: Option<String>,
}

fn words(title: &str) -> Vec<String> {
    title
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() > 3 && w.chars().all(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

/// The query strings of the mix, `(kind, query string)`.
fn mix(corpus: &std::path::Path) -> Result<Vec<(&'static str, String)>, String> {
    let file = std::fs::File::open(corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let mut titles: HashMap<String, Vec<(Vec<String>, String)>> = HashMap::new();
    for line in BufReader::new(file).lines().take(SAMPLE) {
        let line = line.map_err(|e| e.to_string())?;
        let Ok(l) = serde_json::from_str::<Line>(&line) else {
            continue;
        };
        let w = words(&l.title);
        if w.len() >= 2 {
            let month = l.published.unwrap_or_default().chars().take(7).collect();
            titles.entry(l.lang).or_default().push((w, month));
        }
    }
    let enc = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let mut mix = Vec::new();
    for lang in LANGS {
        let Some(list) = titles.get(lang) else {
            continue;
        };
        let mut freq: HashMap<&str, usize> = HashMap::new();
        for (w, _) in list {
            for x in w {
                *freq.entry(x.as_str()).or_default() += 1;
            }
        }
        let mut by_freq: Vec<(&str, usize)> = freq.into_iter().collect();
        by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let rare: Vec<&str> = by_freq
            .iter()
            .filter(|(_, n)| *n == 1)
            .map(|(w, _)| *w)
            .collect();
        for n in 0..PER_KIND {
            let (title, month) = &list[(n * 97) % list.len()];
            let common = by_freq[n].0;
            mix.push(("common word", format!("q={}", enc(common))));
            if let Some(r) = rare.get(n * 13) {
                mix.push(("rare word", format!("q={}", enc(r))));
            }
            mix.push((
                "two words AND",
                format!(
                    "q={}",
                    enc(&format!("{} {}", title[0], title[title.len() - 1]))
                ),
            ));
            mix.push((
                "phrase",
                format!("q={}", enc(&format!("\"{} {}\"", title[0], title[1]))),
            ));
            if month.len() == 7 {
                mix.push((
                    "word + language + month, newest",
                    format!(
                        "q={}&lang={lang}&since={month}-01&until={month}-28&sort=newest",
                        enc(by_freq[10 + n].0)
                    ),
                ));
            }
        }
    }
    Ok(mix)
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Answer {
    server_ms: f64,
    client_ms: f64,
    bytes: usize,
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<Answer, String> {
    let start = Instant::now();
    let r = client.get(url).send().await.map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("{url}: {}", r.status()));
    }
    let server_ms = r
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or("no Server-Timing")?;
    let body = r.bytes().await.map_err(|e| e.to_string())?;
    Ok(Answer {
        server_ms,
        client_ms: start.elapsed().as_secs_f64() * 1000.0,
        bytes: body.len(),
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn line(label: &str, xs: &mut [f64]) {
    xs.sort_by(f64::total_cmp);
    println!(
        "{label:<44} n={:<4} p50 {:>7.1}  p95 {:>7.1}  p99 {:>7.1}  max {:>7.1}",
        xs.len(),
        percentile(xs, 0.5),
        percentile(xs, 0.95),
        percentile(xs, 0.99),
        xs.last().copied().unwrap_or(0.0)
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let o = options()?;
    let index = o.dir.join("pressd").join("index");
    let index = index
        .canonicalize()
        .map_err(|e| format!("{}: {e} (run scale_bench first)", index.display()))?;
    let mix = mix(&o.dir.join("corpus.jsonl"))?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = tmp.path().join("pressd.toml");
    std::fs::write(
        &config,
        format!(
            "index_dir = {:?}\nstate_dir = \"state\"\nlanguages = [\"hy\", \"az\", \"ru\", \"ka\", \"tr\", \"en\"]\nlog = \"warn\"\n\n[web]\nlisten = \"127.0.0.1:0\"\n",
            index.display().to_string()
        ),
    )
    .map_err(|e| e.to_string())?;
    let mut child = Command::new(&o.bin)
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", o.bin.display()))?;
    let mut first = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let served = Served(child);
    BufReader::new(stdout)
        .read_line(&mut first)
        .map_err(|e| e.to_string())?;
    let base = first
        .trim()
        .strip_prefix("pressd: serving ")
        .ok_or(format!("pressd serve said {first:?}"))?
        .trim_end_matches('/')
        .to_string();
    let client = reqwest::Client::new();
    println!(
        "web_bench: {} queries, {} rounds after a warm-up, {base} over {}",
        mix.len(),
        o.rounds,
        index.display()
    );
    for (_, q) in &mix {
        fetch(&client, &format!("{base}/?{q}")).await?;
    }
    let mut server: HashMap<&str, Vec<f64>> = HashMap::new();
    let (mut all_server, mut all_client, mut api_server, mut sizes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..o.rounds {
        for (kind, q) in &mix {
            let page = fetch(&client, &format!("{base}/?{q}")).await?;
            server.entry(kind).or_default().push(page.server_ms);
            all_server.push(page.server_ms);
            all_client.push(page.client_ms);
            sizes.push(page.bytes as f64 / 1024.0);
            let api = fetch(&client, &format!("{base}/api/search?{q}&limit=20")).await?;
            api_server.push(api.server_ms);
        }
    }
    println!("milliseconds:");
    line("search page, server time (all)", &mut all_server);
    let mut kinds: Vec<_> = server.into_iter().collect();
    kinds.sort_by_key(|(k, _)| *k);
    for (kind, mut xs) in kinds {
        line(&format!("  {kind}"), &mut xs);
    }
    line("search page, client time (loopback)", &mut all_client);
    line("/api/search (limit 20), server time", &mut api_server);
    println!("KiB:");
    line("search page size", &mut sizes);
    drop(served);
    Ok(())
}
