//! `pressd coverage` at scale, side by side with the same count on SQLite
//! FTS5 and PostgreSQL full-text search (issue 15).
//!
//! Loads the benchmark corpus (`examples/corpus/`, 1,000,000 articles by
//! default) into pressd with `pressd import`, into SQLite FTS5 and into
//! PostgreSQL (`examples/peers/`), or reuses the stores an earlier run of
//! this benchmark or of `scale_bench` left in `--dir`, then counts a few
//! queries' matches per day and source over the year:
//!
//! - pressd as a user runs it: `pressd coverage QUERY --by day --split
//!   source --format json`, a new process each time, wall clock from spawn
//!   to exit (process start, config, index open, both aggregation passes,
//!   first article per source, JSON out);
//! - the same count through the library on an index opened once, the
//!   peers' terms;
//! - the peers' `GROUP BY source, day` over their full-text match, on an
//!   open connection (no process start, no connection set-up).
//!
//! Each figure is the median of `--runs` runs after one warm-up run (warm
//! cache); for pressd also the median CPU time (user + system) of its
//! processes, which waiting for a core on a busy machine does not inflate.
//! The stores are kept in `--dir` and reused by the next run when
//! they hold the same number of articles (`--rebuild` builds them again);
//! `--one-at-a-time` removes each once measured, before the next is built
//! (at 1,000,000 articles pressd's index takes about 5 GB, SQLite's 7 GB,
//! PostgreSQL's 4 GB).
//!
//! ```sh
//! cargo build --release --locked --bins --examples
//! target/release/examples/coverage_bench [--articles N] [--dir DIR] [--runs N]
//!     [--langid DIR] [--skip-sqlite] [--skip-postgres] [--rebuild] [--one-at-a-time]
//!     [--port P]
//! ```
//!
//! PostgreSQL is skipped with a notice when `initdb`/`pg_ctl` are not
//! installed. The corpus needs the Leipzig samples of `../shared` (or
//! `--langid DIR`) for its Armenian and Georgian words.

#[path = "corpus/mod.rs"]
mod corpus;
#[path = "peers/mod.rs"]
mod peers;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use corpus::Corpus;
use peers::{load, time_runs, Fts5, Postgres, Timing};

type Error = Box<dyn std::error::Error>;

struct Options {
    articles: usize,
    dir: PathBuf,
    runs: usize,
    langid: PathBuf,
    sqlite: bool,
    postgres: bool,
    rebuild: bool,
    port: u16,
    /// Remove each store once measured, before building the next (for
    /// machines short of space).
    one_at_a_time: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = e.to_string();
            let mut cause = e.source();
            while let Some(c) = cause {
                message.push_str(&format!(": {c}"));
                cause = c.source();
            }
            eprintln!("coverage_bench: {message}");
            ExitCode::from(1)
        }
    }
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        articles: 1_000_000,
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale-bench"),
        runs: 7,
        langid: corpus::default_langid_dir(),
        sqlite: true,
        postgres: true,
        rebuild: false,
        port: 54_329,
        one_at_a_time: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--articles" => o.articles = value()?.replace(['_', ','], "").parse()?,
            "--dir" => o.dir = PathBuf::from(value()?),
            "--runs" => o.runs = value()?.parse()?,
            "--langid" => o.langid = PathBuf::from(value()?),
            "--port" => o.port = value()?.parse()?,
            "--skip-sqlite" => o.sqlite = false,
            "--skip-postgres" => o.postgres = false,
            "--rebuild" => o.rebuild = true,
            "--one-at-a-time" => o.one_at_a_time = true,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    Ok(o)
}

/// One query of the mix: what pressd is asked, what FTS5 and PostgreSQL
/// are asked for the same word.
struct Query {
    label: String,
    pressd: String,
    fts5: String,
    postgres: String,
    /// Days in this zone instead of UTC (a zone without daylight-saving
    /// time: FTS5 shifts by its fixed offset, in seconds).
    zone: Option<(&'static str, i64)>,
}

fn run() -> Result<(), Error> {
    let o = options()?;
    let pressd_bin = load::pressd_binary()?;
    let corpus = Corpus::new(o.articles, &o.langid)?;
    std::fs::create_dir_all(&o.dir)?;
    println!(
        "corpus: {} articles, {} events of several articles; stores in {}",
        corpus.len(),
        corpus.group_count(),
        o.dir.display()
    );

    let queries = queries(&corpus);
    let forget = |store: &str| {
        if o.one_at_a_time {
            let _ = std::fs::remove_dir_all(o.dir.join(store));
        }
    };

    let (config, _) = load::pressd(&corpus, &o.dir, &pressd_bin, o.rebuild)?;
    let mut pressd = Vec::new();
    let mut pressd_cpu = Vec::new();
    for q in &queries {
        // CPU time of each process too: on a shared machine the wall clock
        // also counts the time spent waiting for a core.
        let mut cpu = Vec::new();
        pressd.push(time_runs(o.runs, || {
            let before = load::children_cpu()?;
            let total = coverage_process(&pressd_bin, &config, q)?;
            cpu.push(load::children_cpu()? - before);
            Ok(total)
        })?);
        // The first was the warm-up.
        cpu.remove(0);
        cpu.sort();
        pressd_cpu.push(cpu[cpu.len() / 2]);
        if let Some((t, total)) = pressd.last() {
            eprintln!("pressd: {}: {total} matches, {}", q.label, ms(t));
        }
    }
    // The same counts through the library on an index kept open: the
    // peers' terms (an open connection), without pressd's process start.
    let mut pressd_open = Vec::new();
    {
        let index_dir = config
            .parent()
            .map(|dir| dir.join("index"))
            .ok_or("the config has no directory")?;
        let index = pressd::index::Index::open_read(&index_dir)?;
        for q in &queries {
            pressd_open.push(time_runs(o.runs, || {
                Ok(pressd::coverage::count(&index, &coverage_request(q)?)?.total)
            })?);
            if let Some((t, total)) = pressd_open.last() {
                eprintln!(
                    "pressd (open index): {}: {total} matches, {}",
                    q.label,
                    ms(t)
                );
            }
        }
    }
    forget("pressd");

    let mut fts5 = Vec::new();
    if o.sqlite {
        let (db, _) = load::fts5(&corpus, &o.dir, o.rebuild)?;
        for q in &queries {
            fts5.push(time_runs(o.runs, || fts5_group_by(&db, q))?);
            if let Some((t, total)) = fts5.last() {
                eprintln!("sqlite: {}: {total} matches, {}", q.label, ms(t));
            }
        }
        drop(db);
        forget("sqlite");
    }

    let mut pg = Vec::new();
    if o.postgres {
        match Postgres::start(&o.dir.join("postgres"), o.port) {
            Ok(server) => {
                let (mut client, _) = load::postgres(&corpus, &server, &o.dir, o.rebuild)?;
                for q in &queries {
                    pg.push(time_runs(o.runs, || pg_group_by(&mut client, q))?);
                }
                drop(client);
                drop(server);
                forget("postgres");
            }
            Err(e @ peers::PgUnavailable::NotInstalled) => println!("postgres: skipped: {e}"),
            Err(e) => return Err(e.to_string().into()),
        }
    }

    println!(
        "\nmatches per day and source over the year, median of {} runs after a warm-up \
         (ms; min–max)\n",
        o.runs
    );
    println!(
        "| query | pressd matches | pressd coverage (new process) | its CPU time \
         | pressd (open index) | FTS5 matches | FTS5 GROUP BY | PostgreSQL matches \
         | PostgreSQL GROUP BY | FTS5 ÷ pressd (process; open index) \
         | PostgreSQL ÷ pressd (process; open index) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (n, q) in queries.iter().enumerate() {
        let (pressd_time, pressd_total) = &pressd[n];
        let (open_time, _) = &pressd_open[n];
        let cell = |r: Option<&(Timing, u64)>| match r {
            Some((t, total)) => (total.to_string(), ms(t)),
            None => ("–".into(), "–".into()),
        };
        let ratio = |r: Option<&(Timing, u64)>| match r {
            Some((t, _)) => format!(
                "{:.1}×; {:.1}×",
                t.median.as_secs_f64() / pressd_time.median.as_secs_f64(),
                t.median.as_secs_f64() / open_time.median.as_secs_f64()
            ),
            None => "–".into(),
        };
        let (fts5_n, fts5_t) = cell(fts5.get(n));
        let (pg_n, pg_t) = cell(pg.get(n));
        println!(
            "| {} | {} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {} |",
            q.label,
            pressd_total,
            ms(pressd_time),
            pressd_cpu[n].as_secs_f64() * 1e3,
            ms(open_time),
            fts5_n,
            fts5_t,
            pg_n,
            pg_t,
            ratio(fts5.get(n)),
            ratio(pg.get(n))
        );
    }
    Ok(())
}

fn ms(t: &Timing) -> String {
    format!(
        "**{:.1}** ({:.1}–{:.1})",
        t.median.as_secs_f64() * 1e3,
        t.min.as_secs_f64() * 1e3,
        t.max.as_secs_f64() * 1e3
    )
}

/// The queries: a frequent and a middling word of three languages, and a
/// name (which pressd also finds in the other scripts' spellings; the
/// peers only in the one written).
fn queries(corpus: &Corpus) -> Vec<Query> {
    let mut out = Vec::new();
    for (lang, rank) in [("az", 60), ("ru", 400), ("hy", 40), ("en", 1500)] {
        let word = corpus.word(lang, rank).to_string();
        out.push(Query {
            label: format!("`{word}` ({lang}, word rank {rank})"),
            pressd: word.clone(),
            fts5: format!("\"{word}\""),
            postgres: word,
            zone: None,
        });
    }
    out.push(Query {
        label: "`Pashinyan` (a name)".into(),
        pressd: "Pashinyan".into(),
        fts5: "\"pashinyan\"".into(),
        postgres: "pashinyan".into(),
        zone: None,
    });
    out.push(Query {
        label: "`Pashinyan`, days in Asia/Baku".into(),
        pressd: "Pashinyan".into(),
        fts5: "\"pashinyan\"".into(),
        postgres: "pashinyan".into(),
        zone: Some(("Asia/Baku", 4 * 3600)),
    });
    out
}

/// What `pressd coverage QUERY --by day --split source [--tz ZONE]` asks
/// the library for.
fn coverage_request(q: &Query) -> Result<pressd::coverage::CoverageRequest, Error> {
    let zone = q.zone.map_or("UTC", |(zone, _)| zone);
    Ok(pressd::coverage::CoverageRequest {
        matching: pressd::index::SearchRequest {
            query: q.pressd.clone(),
            ..pressd::index::SearchRequest::default()
        },
        by: pressd::coverage::Granularity::Day,
        split: pressd::coverage::Split::Source,
        zone: zone.parse().map_err(|e| format!("{zone}: {e}"))?,
        top: pressd::coverage::DEFAULT_TOP,
        languages: Vec::new(),
    })
}

/// `pressd coverage` as a user runs it; the total it reports.
fn coverage_process(bin: &Path, config: &Path, q: &Query) -> Result<u64, Error> {
    let mut command = Command::new(bin);
    command.arg("--config").arg(config).args([
        "coverage", &q.pressd, "--by", "day", "--split", "source", "--format", "json",
    ]);
    if let Some((zone, _)) = q.zone {
        command.args(["--tz", zone]);
    }
    let out = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("pressd coverage {} failed", q.pressd).into());
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    report["total"]
        .as_u64()
        .ok_or_else(|| "no total in the coverage JSON".into())
}

fn fts5_group_by(db: &Fts5, q: &Query) -> Result<u64, Error> {
    let mut statement = db.conn.prepare_cached(
        "SELECT d.source, (d.published + ?2) / 86400 AS day, count(*)
         FROM docs_fts JOIN docs d ON d.id = docs_fts.rowid
         WHERE docs_fts MATCH ?1
         GROUP BY 1, 2",
    )?;
    let offset = q.zone.map_or(0, |(_, offset)| offset);
    let mut rows = statement.query(rusqlite::params![q.fts5, offset])?;
    let mut total = 0u64;
    while let Some(row) = rows.next()? {
        total += row.get::<_, i64>(2)? as u64;
    }
    Ok(total)
}

fn pg_group_by(client: &mut postgres::Client, q: &Query) -> Result<u64, Error> {
    let zone = q.zone.map_or("UTC", |(zone, _)| zone);
    let rows = client.query(
        "SELECT source, date_trunc('day', published, $2) AS day, count(*)
         FROM docs
         WHERE tsv @@ plainto_tsquery('simple', $1)
         GROUP BY 1, 2",
        &[&q.postgres, &zone],
    )?;
    Ok(rows.iter().map(|r| r.get::<_, i64>(2) as u64).sum())
}
