//! Loading the benchmark corpus into pressd (through `pressd import`, as a
//! user backfills an archive), SQLite FTS5 and PostgreSQL, or finding each
//! store already loaded by an earlier run.
//!
//! The stores live side by side under one directory (`pressd/`, `sqlite/`,
//! `postgres/`, and the corpus as `corpus.jsonl`), each with a `built` file
//! that records how many articles it holds, so the scale and coverage
//! benchmarks share them: the second to run reuses what the first built.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{disk_size, CopyIn, Fts5, Postgres, Row};
use crate::corpus::{self, Corpus};

type Error = Box<dyn std::error::Error>;

/// How a store was loaded, when this run loaded it.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub articles: usize,
    pub took: Duration,
    /// CPU time (user + system) of the loading process, when it was one.
    pub cpu: Option<Duration>,
    pub bytes: u64,
}

impl Load {
    pub fn per_second(&self) -> f64 {
        self.articles as f64 / self.took.as_secs_f64().max(1e-9)
    }

    fn report(&self, what: &str) {
        println!(
            "{what}: {} articles in {:.0} s ({:.0} articles/s{}), {:.2} GB on disk",
            self.articles,
            self.took.as_secs_f64(),
            self.per_second(),
            self.cpu.map_or(String::new(), |cpu| format!(
                ", {:.0} per CPU-second",
                self.articles as f64 / cpu.as_secs_f64().max(1e-9)
            )),
            self.bytes as f64 / 1e9
        );
    }
}

/// Whether `dir` holds a store of `n` articles.
pub fn built(dir: &Path, n: usize) -> bool {
    std::fs::read_to_string(dir.join("built")).is_ok_and(|s| s.trim() == n.to_string())
}

fn mark_built(dir: &Path, n: usize) -> std::io::Result<()> {
    std::fs::write(dir.join("built"), format!("{n}\n"))
}

fn progress(what: &str, done: usize, total: usize, started: Instant) {
    if done.is_multiple_of(100_000) || done == total {
        let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
        eprintln!("{what}: {done}/{total} ({rate:.0}/s)");
    }
}

/// Article `i` of the corpus as the peers store it (`authors` joined).
fn row<'a>(i: usize, a: &'a corpus::Article, authors: &'a str) -> Row<'a> {
    Row {
        id: i as i64 + 1,
        url: &a.url,
        source: a.source,
        lang: a.lang,
        kind: "article",
        published: a.published_utc().timestamp(),
        title: &a.title,
        body: &a.body,
        authors,
    }
}

/// The pressd binary the benchmark was built beside.
pub fn pressd_binary() -> Result<PathBuf, Error> {
    let bin = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|release| release.join("pressd"))
        .filter(|p| p.is_file())
        .ok_or("no pressd binary beside the examples: cargo build --release --locked --bins --examples")?;
    Ok(bin)
}

/// The corpus's articles on a generator thread, handed to `each` in order.
fn each_article(
    corpus: &Corpus,
    mut each: impl FnMut(usize, corpus::Article) -> Result<(), Error>,
) -> Result<(), Error> {
    let n = corpus.len();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<corpus::Article>(2048);
        scope.spawn(move || {
            for i in 0..n {
                if tx.send(corpus.article(i)).is_err() {
                    break;
                }
            }
        });
        for (i, article) in rx.into_iter().enumerate() {
            each(i, article)?;
        }
        Ok(())
    })
}

/// The corpus as JSON lines in `dir/corpus.jsonl`, written unless an
/// earlier run left it there.
pub fn json_lines(corpus: &Corpus, dir: &Path) -> Result<PathBuf, Error> {
    let path = dir.join("corpus.jsonl");
    let marker = dir.join("corpus.jsonl.built");
    if std::fs::read_to_string(&marker).is_ok_and(|s| s.trim() == corpus.len().to_string()) {
        return Ok(path);
    }
    let started = Instant::now();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    corpus::json_lines_parallel(corpus, 0..corpus.len(), threads, |chunk| {
        out.write_all(chunk)
    })?;
    out.flush()?;
    std::fs::write(&marker, format!("{}\n", corpus.len()))?;
    eprintln!(
        "corpus: {} articles as JSON lines ({:.2} GB) in {:.0} s",
        corpus.len(),
        disk_size(&path) as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );
    Ok(path)
}

/// The config of the pressd store under `dir`: its index and state, the
/// corpus's languages, no sources.
pub fn pressd_config(dir: &Path) -> PathBuf {
    dir.join("pressd").join("pressd.toml")
}

/// The pressd store, loaded with `pressd import` of the corpus's JSON lines
/// (unless already built); returns the config and how the load went.
pub fn pressd(
    corpus: &Corpus,
    dir: &Path,
    bin: &Path,
    rebuild: bool,
) -> Result<(PathBuf, Option<Load>), Error> {
    let store = dir.join("pressd");
    let config = pressd_config(dir);
    let index_dir = store.join("index");
    if !rebuild && built(&store, corpus.len()) {
        println!(
            "pressd: reusing the index in {} ({:.2} GB)",
            index_dir.display(),
            disk_size(&index_dir) as f64 / 1e9
        );
        return Ok((config, None));
    }
    let lines = json_lines(corpus, dir)?;
    let _ = std::fs::remove_dir_all(&store);
    std::fs::create_dir_all(&store)?;
    std::fs::write(
        &config,
        "index_dir = \"index\"\nstate_dir = \"state\"\n\
         languages = [\"hy\", \"az\", \"ru\", \"ka\", \"tr\", \"en\", \"fa\", \"uk\"]\n",
    )?;
    let cpu_before = children_cpu()?;
    let started = Instant::now();
    let status = Command::new(bin)
        .arg("--config")
        .arg(&config)
        .arg("import")
        .arg(&lines)
        .stdin(Stdio::null())
        .status()?;
    let took = started.elapsed();
    if !status.success() {
        return Err(format!("pressd import {} failed: {status}", lines.display()).into());
    }
    let load = Load {
        articles: corpus.len(),
        took,
        cpu: Some(children_cpu()? - cpu_before),
        bytes: disk_size(&index_dir),
    };
    load.report("pressd index (pressd import)");
    mark_built(&store, corpus.len())?;
    Ok((config, Some(load)))
}

/// The FTS5 store, loaded unless already built.
pub fn fts5(corpus: &Corpus, dir: &Path, rebuild: bool) -> Result<(Fts5, Option<Load>), Error> {
    let store = dir.join("sqlite");
    let path = store.join("fts5.db");
    if !rebuild && built(&store, corpus.len()) {
        println!(
            "sqlite: reusing {} ({:.2} GB)",
            path.display(),
            disk_size(&path) as f64 / 1e9
        );
        return Ok((Fts5::open(&path)?, None));
    }
    let _ = std::fs::remove_dir_all(&store);
    std::fs::create_dir_all(&store)?;
    let started = Instant::now();
    let db = Fts5::create(&path)?;
    let n = corpus.len();
    each_article(corpus, |i, a| {
        let authors = a.authors.join("; ");
        db.insert(&row(i, &a, &authors))?;
        if (i + 1) % 10_000 == 0 {
            db.commit()?;
        }
        progress("sqlite", i + 1, n, started);
        Ok(())
    })?;
    db.finish()?;
    let load = Load {
        articles: n,
        took: started.elapsed(),
        cpu: None,
        bytes: disk_size(&path),
    };
    load.report("SQLite FTS5");
    mark_built(&store, n)?;
    drop(db);
    Ok((Fts5::open(&path)?, Some(load)))
}

/// The PostgreSQL table in the running `server`, loaded unless already
/// built.
pub fn postgres(
    corpus: &Corpus,
    server: &Postgres,
    dir: &Path,
    rebuild: bool,
) -> Result<(postgres::Client, Option<Load>), Error> {
    let mut client = server.client()?;
    let store = dir.join("postgres");
    if !rebuild && built(&store, corpus.len()) {
        println!(
            "postgres: reusing the table in {} ({:.2} GB)",
            server.data.display(),
            Postgres::size(&mut client)? as f64 / 1e9
        );
        return Ok((client, None));
    }
    let _ = std::fs::remove_file(store.join("built"));
    let started = Instant::now();
    Postgres::create_table(&mut client)?;
    let n = corpus.len();
    let mut copy = CopyIn::start(&mut client)?;
    each_article(corpus, |i, a| {
        let authors = a.authors.join("; ");
        copy.write(&row(i, &a, &authors))?;
        progress("postgres", i + 1, n, started);
        Ok(())
    })?;
    let loaded = copy.finish()?;
    if loaded != n as u64 {
        return Err(format!("postgres: COPY took {loaded} rows of {n}").into());
    }
    Postgres::index(&mut client)?;
    let load = Load {
        articles: n,
        took: started.elapsed(),
        cpu: None,
        bytes: Postgres::size(&mut client)?,
    };
    load.report("PostgreSQL (table, TOAST, GIN and date index)");
    mark_built(&store, n)?;
    Ok((client, Some(load)))
}

/// User and system time of the waited-for child processes so far.
pub fn children_cpu() -> Result<Duration, Error> {
    use nix::sys::resource::{getrusage, UsageWho};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec().max(0) as u64)
            + Duration::from_micros(t.tv_usec().max(0) as u64)
    };
    Ok(micros(usage.user_time()) + micros(usage.system_time()))
}
