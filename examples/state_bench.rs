//! Throughput of the state store on this machine: enqueue feed-sized
//! batches, then drain the frontier the way the daemon's pipeline does
//! (`due_keys` a batch, read each entry with `queued`, `mark_indexed`
//! them), then dedup lookups.
//!
//! `cargo run --example state_bench [ITEMS]` (default 20000).

use std::time::Instant;

use chrono::{Duration, Utc};
use pressd::item::Item;
use pressd::state::State;
use url::Url;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let total: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 20_000,
    };
    const FEED_BATCH: usize = 50;
    const PIPELINE_BATCH: usize = 64;

    let dir = tempfile::tempdir()?;
    let state = State::open(dir.path())?;
    let now = Utc::now();

    let started = Instant::now();
    let mut queued = 0;
    for batch in 0..total.div_ceil(FEED_BATCH) {
        let items = (0..FEED_BATCH)
            .map(|i| {
                let url = format!("https://bench.example/{batch}/{i}");
                let item = Item {
                    title: Some(format!("Headline {batch}-{i}")),
                    published: Some(now),
                    summary: Some("A paragraph of summary text. ".repeat(10)),
                    authors: vec!["Reporter".into()],
                    lang: Some("ru".into()),
                    ..Item::article(Url::parse(&url)?)
                };
                Ok((url, item))
            })
            .collect::<Result<Vec<_>, url::ParseError>>()?;
        queued += state.enqueue("bench", &items, now)?;
    }
    let enqueue = started.elapsed();

    let started = Instant::now();
    let later = now + Duration::seconds(1);
    let mut drained = 0;
    loop {
        let due = state.due_keys(later, PIPELINE_BATCH, &[])?;
        if due.is_empty() {
            break;
        }
        let mut done: Vec<(String, String)> = Vec::with_capacity(due.len());
        for d in &due {
            if let Some(q) = state.queued(&d.key)? {
                done.push((q.key.clone(), format!("{}#doc", q.key)));
            }
        }
        drained += done.len();
        state.mark_indexed(&done, later)?;
    }
    let drain = started.elapsed();

    let started = Instant::now();
    let mut hits = 0;
    for n in 0..total {
        let key = format!(
            "https://bench.example/{}/{}",
            n / FEED_BATCH,
            n % FEED_BATCH
        );
        hits += usize::from(state.is_handled(&key)?);
    }
    let lookup = started.elapsed();

    let per_sec = |n: usize, d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!(
        "enqueue: {queued} items in batches of {FEED_BATCH}: {enqueue:.2?} ({:.0} items/s)",
        per_sec(queued, enqueue)
    );
    println!(
        "drain: due_keys+queued+mark_indexed in batches of {PIPELINE_BATCH}: {drained} items in {drain:.2?} ({:.0} items/s)",
        per_sec(drained, drain)
    );
    println!(
        "is_handled: {total} lookups ({hits} hits) in {lookup:.2?} ({:.0}/s)",
        per_sec(total, lookup)
    );
    let size = std::fs::metadata(dir.path().join("state.sqlite"))?.len();
    println!("file: {} KiB (WAL not counted)", size / 1024);
    Ok(())
}
