//! CPU per search of a query mix through the library (issue 13), and the
//! hits it gives, to compare two builds of the search on one index.
//!
//! ```sh
//! cargo build --release --locked --example search_cpu
//! target/release/examples/scale_bench --print-mix mix.jsonl
//! target/release/examples/search_cpu INDEX_DIR mix.jsonl [ROUNDS] [HITS_FILE]
//! ```
//!
//! The index is opened read-only. The mix runs once to warm the caches,
//! then ROUNDS (3) times; the process's user+system CPU over the timed
//! rounds (from `/proc/self/stat`) is divided by the searches run, as the
//! machine is shared and wall time would count the other builds. HITS_FILE
//! gets each query's total and top hit ids, one line a query, for `diff`.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use pressd::index::{Index, SearchRequest, Sort};

type Error = Box<dyn std::error::Error>;

/// Seconds of user and system CPU this process used so far.
fn cpu_seconds() -> Result<f64, Error> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The command name may hold spaces: fields are counted after its `)`.
    let after = stat.rsplit_once(')').ok_or("no ) in /proc/self/stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64, Error> {
        Ok(fields
            .get(i)
            .ok_or("short /proc/self/stat")?
            .parse::<f64>()?)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// The request of one line of `scale_bench --print-mix`.
fn request(args: &[String]) -> Result<SearchRequest, Error> {
    let mut request = SearchRequest::default();
    let mut i = 0;
    while i < args.len() {
        let value =
            || -> Result<&String, Error> { Ok(args.get(i + 1).ok_or("flag without value")?) };
        match args[i].as_str() {
            "search" => {}
            "--limit" => {
                request.limit = value()?.parse()?;
                i += 1;
            }
            "--format" => i += 1,
            "--lang" => {
                request.langs.push(value()?.clone());
                i += 1;
            }
            "--since" => {
                request.since = Some(value()?.parse::<DateTime<Utc>>()?);
                i += 1;
            }
            "--until" => {
                request.until = Some(value()?.parse::<DateTime<Utc>>()?);
                i += 1;
            }
            "--sort" => {
                request.sort = match value()?.as_str() {
                    "newest" => Sort::Newest,
                    other => return Err(format!("sort {other}").into()),
                };
                i += 1;
            }
            "--" => {
                request.query = args[i + 1..].join(" ");
                break;
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
        i += 1;
    }
    Ok(request)
}

fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, mix, rest @ ..] = args.as_slice() else {
        return Err("usage: search_cpu INDEX_DIR MIX_FILE [ROUNDS] [HITS_FILE]".into());
    };
    let rounds: usize = rest.first().map(|r| r.parse()).transpose()?.unwrap_or(3);
    let index = Index::open_read(&PathBuf::from(dir))?;
    let requests = std::fs::read_to_string(mix)?
        .lines()
        .map(|line| request(&serde_json::from_str::<Vec<String>>(line)?))
        .collect::<Result<Vec<_>, Error>>()?;
    let mut hits = Vec::with_capacity(requests.len());
    for request in &requests {
        let results = index.search(request)?;
        let ids: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
        hits.push(format!(
            "{}\t{}\t{}",
            request.query,
            results.total,
            ids.join(" ")
        ));
    }
    let start = cpu_seconds()?;
    for _ in 0..rounds {
        for request in &requests {
            index.search(request)?;
        }
    }
    let cpu = cpu_seconds()? - start;
    let searches = rounds * requests.len();
    println!(
        "{searches} searches: {:.3} ms CPU per search",
        cpu * 1000.0 / searches as f64
    );
    if let Some(path) = rest.get(1) {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for line in hits {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("search_cpu: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
