//! The full-text engines pressd's scale benchmarks measure against, set up
//! the way their common users set them up, loaded with the same documents:
//!
//! - [`Fts5`]: SQLite FTS5 (the `rusqlite` bundled SQLite) over an
//!   external-content table, tokenizer `unicode61 remove_diacritics 2`
//!   (FreshRSS and most self-hosted tools);
//! - [`Postgres`]: PostgreSQL full-text search, `to_tsvector('simple', …)`
//!   kept in a stored column with a GIN index on it (Miniflux's
//!   `document_vectors`; ranking reads the stored vector instead of parsing
//!   every matching body again), in a throwaway cluster this module starts
//!   with `initdb`/`pg_ctl` on a Unix socket and stops when dropped.
//!
//! Both hold the same table: `docs(id, url, source, lang, kind, published,
//! title, body, authors)`, `published` in Unix seconds (SQLite) or
//! `timestamptz` (PostgreSQL), and PostgreSQL's `tsv`. Benchmarks include
//! this module with `#[path = "peers/mod.rs"] mod peers;` (and the corpus
//! module as `corpus`, which [`load`] reads) and add their own queries.

#![allow(dead_code)] // each benchmark uses part of it

pub mod load;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One document as the peers store it.
pub struct Row<'a> {
    pub id: i64,
    pub url: &'a str,
    pub source: &'a str,
    pub lang: &'a str,
    pub kind: &'a str,
    /// Unix seconds.
    pub published: i64,
    pub title: &'a str,
    pub body: &'a str,
    /// Joined with `; `.
    pub authors: &'a str,
}

/// Bytes of every file under `path`.
pub fn disk_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| entries.flatten().map(|e| disk_size(&e.path())).sum::<u64>())
        .unwrap_or(0)
}

/// SQLite FTS5 over an external-content table: the text is stored once, in
/// `docs`, and `docs_fts` indexes title and body.
pub struct Fts5 {
    pub conn: rusqlite::Connection,
    pub path: PathBuf,
}

impl Fts5 {
    /// A new database at `path` (an existing file is replaced), tuned for a
    /// bulk load: no journal, no sync.
    pub fn create(path: &Path) -> rusqlite::Result<Fts5> {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(file));
        }
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA cache_size = -262144;
             CREATE TABLE docs (
                 id INTEGER PRIMARY KEY,
                 url TEXT NOT NULL,
                 source TEXT NOT NULL,
                 lang TEXT NOT NULL,
                 kind TEXT NOT NULL,
                 published INTEGER,
                 title TEXT NOT NULL,
                 body TEXT NOT NULL,
                 authors TEXT NOT NULL
             );
             CREATE VIRTUAL TABLE docs_fts USING fts5(
                 title, body,
                 content = 'docs', content_rowid = 'id',
                 tokenize = 'unicode61 remove_diacritics 2'
             );
             BEGIN;",
        )?;
        Ok(Fts5 {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// An existing database, for queries.
    pub fn open(path: &Path) -> rusqlite::Result<Fts5> {
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch("PRAGMA cache_size = -262144; PRAGMA mmap_size = 8589934592;")?;
        Ok(Fts5 {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Adds `row` to the table and to the full-text index, in the open
    /// transaction; [`Fts5::commit`] every some thousand rows.
    pub fn insert(&self, row: &Row) -> rusqlite::Result<()> {
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO docs (id, url, source, lang, kind, published, title, body, authors)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        insert.execute(rusqlite::params![
            row.id,
            row.url,
            row.source,
            row.lang,
            row.kind,
            row.published,
            row.title,
            row.body,
            row.authors
        ])?;
        let mut index = self
            .conn
            .prepare_cached("INSERT INTO docs_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?;
        index.execute(rusqlite::params![row.id, row.title, row.body])?;
        Ok(())
    }

    /// Ends the open transaction and starts the next.
    pub fn commit(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT; BEGIN;")
    }

    /// Commits, merges the index's segments (what `optimize` is for after a
    /// bulk load) and adds the index on `published` a date query needs.
    pub fn finish(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch(
            "COMMIT;
             INSERT INTO docs_fts (docs_fts) VALUES ('optimize');
             CREATE INDEX docs_published ON docs (published);
             ANALYZE;",
        )
    }
}

/// Where a PostgreSQL server runs and how to reach it.
pub struct Postgres {
    pub data: PathBuf,
    pub socket_dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
    /// Set when the server runs as the `postgres` user (we are root, and
    /// PostgreSQL refuses to run as root).
    run_as: Option<String>,
}

/// Why the PostgreSQL part cannot run.
#[derive(Debug)]
pub enum PgUnavailable {
    /// No `initdb`/`pg_ctl` found: the caller skips PostgreSQL.
    NotInstalled,
    Failed(String),
}

impl std::fmt::Display for PgUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PgUnavailable::NotInstalled => f.write_str(
                "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in \
                 /usr/lib/postgresql/*/bin); apt-get install postgresql",
            ),
            PgUnavailable::Failed(why) => f.write_str(why),
        }
    }
}

impl Postgres {
    /// Starts a server on the cluster in `dir` (creating it with `initdb`
    /// when absent), listening only on a Unix socket in `dir`.
    pub fn start(dir: &Path, port: u16) -> Result<Postgres, PgUnavailable> {
        let bin = find_pg_bin().ok_or(PgUnavailable::NotInstalled)?;
        let run_as = is_root().then(|| "postgres".to_string());
        let pg = Postgres {
            data: dir.join("data"),
            socket_dir: dir.join("socket"),
            port,
            bin,
            run_as,
        };
        std::fs::create_dir_all(&pg.socket_dir)
            .map_err(|e| PgUnavailable::Failed(format!("{}: {e}", pg.socket_dir.display())))?;
        if let Some(user) = &pg.run_as {
            pg.command("chown", &["-R", user, &dir.display().to_string()], false)?;
        }
        if !pg.data.join("PG_VERSION").exists() {
            pg.command(
                "initdb",
                &[
                    "-D",
                    &pg.data.display().to_string(),
                    "-U",
                    "bench",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                true,
            )?;
        }
        // A throwaway cluster: durability off, memory for the index build,
        // no JIT (it costs short queries tens of milliseconds to compile).
        let options = format!(
            "-k {} -c listen_addresses='' -p {} -c shared_buffers=1GB -c work_mem=64MB \
             -c maintenance_work_mem=1GB -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_wal_size=4GB -c jit=off",
            pg.socket_dir.display(),
            port
        );
        pg.command(
            "pg_ctl",
            &[
                "-D",
                &pg.data.display().to_string(),
                "-o",
                &options,
                "-l",
                &dir.join("server.log").display().to_string(),
                "-w",
                "start",
            ],
            true,
        )?;
        Ok(pg)
    }

    /// A client on the server's socket, as user `bench`.
    pub fn client(&self) -> Result<postgres::Client, postgres::Error> {
        postgres::Config::new()
            .host_path(&self.socket_dir)
            .port(self.port)
            .user("bench")
            .dbname("postgres")
            .connect(postgres::NoTls)
    }

    /// Creates the table (replacing any), an unlogged one: the load writes
    /// no WAL, and queries read it like any other.
    pub fn create_table(client: &mut postgres::Client) -> Result<(), postgres::Error> {
        client.batch_execute(
            "DROP TABLE IF EXISTS docs;
             CREATE UNLOGGED TABLE docs (
                 id bigint PRIMARY KEY,
                 url text NOT NULL,
                 source text NOT NULL,
                 lang text NOT NULL,
                 kind text NOT NULL,
                 published timestamptz,
                 title text NOT NULL,
                 body text NOT NULL,
                 authors text NOT NULL,
                 tsv tsvector GENERATED ALWAYS AS
                     (to_tsvector('simple', title || ' ' || body)) STORED
             );",
        )
    }

    /// Builds the full-text (GIN) index and the date index, then analyzes.
    pub fn index(client: &mut postgres::Client) -> Result<(), postgres::Error> {
        client.batch_execute(
            "CREATE INDEX docs_fts ON docs USING gin (tsv);
             CREATE INDEX docs_published ON docs (published);",
        )?;
        // Not in the same batch: a batch is one transaction, and VACUUM
        // runs outside any.
        client.batch_execute("VACUUM ANALYZE docs")
    }

    /// Bytes of the table with its TOAST and indexes.
    pub fn size(client: &mut postgres::Client) -> Result<u64, postgres::Error> {
        let row = client.query_one("SELECT pg_total_relation_size('docs')", &[])?;
        Ok(row.get::<_, i64>(0).max(0) as u64)
    }

    fn command(&self, program: &str, args: &[&str], as_server: bool) -> Result<(), PgUnavailable> {
        let path = if program == "chown" {
            PathBuf::from("chown")
        } else {
            self.bin.join(program)
        };
        let mut command = match (&self.run_as, as_server) {
            (Some(user), true) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&path);
                c
            }
            _ => Command::new(&path),
        };
        let out = command
            .args(args)
            .output()
            .map_err(|e| PgUnavailable::Failed(format!("{program}: {e}")))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(PgUnavailable::Failed(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.command(
            "pg_ctl",
            &[
                "-D",
                &self.data.display().to_string(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            true,
        );
    }
}

/// Rows on their way into `docs` with `COPY`; call [`Postgres::index`] once
/// all are in.
pub struct CopyIn<'c> {
    writer: postgres::CopyInWriter<'c>,
    line: String,
    rows: u64,
}

impl<'c> CopyIn<'c> {
    pub fn start(client: &'c mut postgres::Client) -> Result<CopyIn<'c>, postgres::Error> {
        let writer = client.copy_in(
            "COPY docs (id, url, source, lang, kind, published, title, body, authors) \
             FROM STDIN",
        )?;
        Ok(CopyIn {
            writer,
            line: String::new(),
            rows: 0,
        })
    }

    pub fn write(&mut self, row: &Row) -> std::io::Result<()> {
        use std::io::Write;
        let line = &mut self.line;
        line.clear();
        line.push_str(&row.id.to_string());
        for field in [row.url, row.source, row.lang, row.kind] {
            line.push('\t');
            copy_escape(line, field);
        }
        // timestamptz reads Unix seconds through this form.
        line.push_str(&format!("\t{}+00", unix_to_iso(row.published)));
        for field in [row.title, row.body, row.authors] {
            line.push('\t');
            copy_escape(line, field);
        }
        line.push('\n');
        self.rows += 1;
        self.writer.write_all(line.as_bytes())
    }

    /// Ends the `COPY`; the number of rows written.
    pub fn finish(self) -> Result<u64, postgres::Error> {
        self.writer.finish()?;
        Ok(self.rows)
    }
}

/// `2025-01-01 00:00:00` for Unix seconds.
fn unix_to_iso(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "1970-01-01 00:00:00".to_string())
}

/// `COPY … FROM STDIN` text format: backslash, tab, newline and carriage
/// return escaped.
fn copy_escape(out: &mut String, field: &str) {
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The directory of `initdb` and `pg_ctl`: on PATH, else the newest
/// Debian-style `/usr/lib/postgresql/<version>/bin`.
fn find_pg_bin() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Median and spread of repeated timings.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
}

/// Runs `f` once to warm up, then `runs` times, and times it.
pub fn time_runs<T>(
    runs: usize,
    mut f: impl FnMut() -> Result<T, Box<dyn std::error::Error>>,
) -> Result<(Timing, T), Box<dyn std::error::Error>> {
    let mut last = f()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        last = f()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((
        Timing {
            median: times[times.len() / 2],
            min: times[0],
            max: times[times.len() - 1],
        },
        last,
    ))
}
