//! Feed reading speed: how many feeds per second `pressd::sources::feed`
//! decodes and parses, one thread, over feed files preloaded in memory.
//!
//! ```text
//! cargo run --release --example feed_bench -- [DIR...] [--passes N]
//! ```
//!
//! DIRs default to the real-world feed fixtures
//! (`../shared/fixtures/realworld/b_feed_variety` and `a_regional_outlets`);
//! every `.xml`, `.rss`, `.atom` and `.json` file in them is read. Each
//! pass decodes (charset detection) and parses every file; the figures are
//! the median and the best of `--passes` (default 5) runs of enough rounds
//! to take about a second, in wall-clock time and in the thread's CPU time
//! (Linux `/proc/thread-self/schedstat`): on a machine shared with other
//! work the CPU figure is the one that compares fairly.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pressd::http::{Response, Validators};
use pressd::sources::feed;
use url::Url;

/// CPU time this thread has run, in seconds, where the OS tells it.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn feed_files(dirs: &[PathBuf]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!("skipping: {} not present", dir.display());
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for path in paths {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !["xml", "rss", "atom", "json"].contains(&ext) {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                files.push((path.display().to_string(), bytes));
            }
        }
    }
    files
}

/// Decode and parse one file; the number of items and the reader that
/// read them, or `None` on an error.
fn read(bytes: &[u8], base: &Url) -> Option<(usize, &'static str)> {
    let response = Response {
        url: base.clone(),
        status: 200,
        content_type: None,
        charset: None,
        body: bytes.to_vec(),
        validators: Validators::default(),
    };
    let text = feed::decode(&response);
    feed::parse(&text, base)
        .ok()
        .map(|parsed| (parsed.items.len(), parsed.reading.reader.as_str()))
}

fn main() -> anyhow::Result<()> {
    let mut dirs = Vec::new();
    let mut passes = 5;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--passes" => {
                passes = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| anyhow::anyhow!("--passes needs a number"))?;
            }
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    if dirs.is_empty() {
        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/realworld");
        dirs = vec![
            shared.join("b_feed_variety"),
            shared.join("a_regional_outlets"),
        ];
    }
    let files = feed_files(&dirs);
    anyhow::ensure!(!files.is_empty(), "no feed files found");
    let base = Url::parse("https://feeds.example.org/feed")?;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut parsed = 0;
    for (name, body) in &files {
        match read(body, &base) {
            Some((n, reader)) => {
                parsed += 1;
                println!("{n:>5} items  {reader:<8}  {name}");
            }
            None => println!("error                  {name}"),
        }
    }

    // Enough rounds for about a second per pass.
    let started = Instant::now();
    for (_, body) in &files {
        std::hint::black_box(read(body, &base));
    }
    let one = started.elapsed().as_secs_f64().max(1e-6);
    let rounds = ((1.0 / one).ceil() as usize).max(1);
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..passes {
        let cpu0 = thread_cpu_seconds();
        let wall0 = Instant::now();
        for _ in 0..rounds {
            for (_, body) in &files {
                std::hint::black_box(read(body, &base));
            }
        }
        walls.push(wall0.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_seconds()) {
            cpus.push(b - a);
        }
    }
    let n = (files.len() * rounds) as f64;
    println!(
        "{} files ({} parsed, {} KiB), {rounds} rounds per pass, {passes} passes",
        files.len(),
        parsed,
        bytes / 1024
    );
    // The median says what a pass typically costs; the best, what it
    // costs undisturbed by the machine's other work.
    let rates = |times: &mut Vec<f64>| -> Option<(f64, f64)> {
        times.sort_by(f64::total_cmp);
        let best = *times.first()?;
        let median = times[times.len() / 2];
        Some((n / median, n / best))
    };
    if let Some((median, best)) = rates(&mut walls) {
        println!("feeds/s (wall): median {median:.0}, best {best:.0}");
    }
    if let Some((median, best)) = rates(&mut cpus) {
        println!("feeds/s (cpu):  median {median:.0}, best {best:.0}");
    }
    Ok(())
}
