//! The embedded transactional store (SQLite, WAL): per-source HTTP
//! validators and health, the set of article URLs already handled, and the
//! frontier of discovered-but-not-yet-indexed items. Work is written here
//! before it is acknowledged, so a kill at any moment loses nothing.
//!
//! This module knows nothing of the network, the index or the config: it is
//! handed keys, items and times, and only touches `dir/state.sqlite` (plus
//! SQLite's `-wal` and `-shm` companions).
//!
//! Layout: three tables, each with the module of its methods (and the
//! story tables of module `stories`). `sources`
//! holds one row per polled source, `frontier` the queued items, `handled`
//! every item key and document id that was indexed or given up on (so a
//! key is never queued twice); `watches` the tables of saved searches that
//! notify (committed documents, hits, the outbox); `schema` holds the
//! migrations.
//! This module is the handle: opening (and checking that the file is ours),
//! and the read and write helpers every table's methods go through. All
//! times are stored as integer Unix milliseconds (UTC): they sort and compare
//! in SQL directly, and every time read back is truncated to the millisecond.

mod frontier;
mod handled;
mod schema;
mod sources;
mod stories;
mod watches;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, OpenFlags, Row, TransactionBehavior};

pub use frontier::{Due, Queued};
pub use sources::{SourceState, EXTRACTION_WINDOW};
pub use stories::{
    Posting, SavedFilter, StoredKey, StoredVersion, StoryArticle, StoryBatch, StoryCounts,
    StoryRecord, Triples,
};
pub use watches::{
    DeliveryStatus, LastDelivery, NewDelivery, NewHit, PendingDelivery, WatchRecord,
};

use schema::{migrate, APPLICATION_ID, SCHEMA_VERSION};

/// File name of the store inside its directory.
pub(crate) const FILE_NAME: &str = "state.sqlite";

/// How long a statement waits for another connection's lock before failing.
/// The daemon's write transactions are short (milliseconds), so 5 s only
/// runs out when something is truly stuck.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store could not be opened, read or written.
///
/// The SQLite error of `Sql` is kept as it is (its code tells a full disk
/// from a busy lock) but told in the message rather than as a source: the
/// daemon logs these errors as a field (`error = %e`), which shows the
/// message only, and a cause given both ways would print twice in a chain.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file cannot be used as it is; the message says why and what to do.
    #[error("state store {path}: {message}")]
    Open { path: String, message: String },
    /// A statement of operation `op` (the method: "enqueue",
    /// "record_success", ...) failed.
    #[error("state store {path}: {op}: {error}")]
    Sql {
        path: String,
        op: &'static str,
        error: rusqlite::Error,
    },
}

/// The open store. `Send + Sync`: share it behind an `Arc`; every method
/// takes `&self` and serialises on one connection, and every public write is
/// one transaction.
///
/// Methods do blocking file I/O. A feed-sized batch takes a millisecond or
/// two even in a debug build (`cargo run --example state_bench`), but a
/// call can wait up to the 5 s busy timeout while another process holds the
/// write lock: async code that must not stall a runtime thread should call
/// through `spawn_blocking`.
#[derive(Debug)]
pub struct State {
    conn: Mutex<Connection>,
    /// The database file, for errors.
    path: String,
}

impl State {
    /// Open (creating) `dir/state.sqlite`.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        let path = dir.join(FILE_NAME);
        std::fs::create_dir_all(dir).map_err(|e| StateError::Open {
            path: path.display().to_string(),
            message: format!("cannot create directory {}: {e}", dir.display()),
        })?;
        let conn = Connection::open(&path).map_err(|e| open_error(&path, &e))?;
        configure_writer(&conn).map_err(|e| open_error(&path, &e))?;
        migrate(&conn, &path)?;
        Ok(State {
            conn: Mutex::new(conn),
            path: path.display().to_string(),
        })
    }

    /// Open an existing `dir/state.sqlite` for reading only (`pressd
    /// sources`), alongside a daemon that may be writing it: WAL lets this
    /// connection read the last committed state without blocking the writer
    /// or being blocked by it. Every write method fails on such a store.
    pub fn open_read_only(dir: &Path) -> Result<Self, StateError> {
        let path = dir.join(FILE_NAME);
        if !path.exists() {
            return Err(StateError::Open {
                path: path.display().to_string(),
                message: "does not exist yet: the daemon creates it on its first run \
                          (`pressd run`); check the configured state directory"
                    .into(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| open_error(&path, &e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(&path, &e))?;
        let version = check_identity(&conn, &path)?;
        if version < SCHEMA_VERSION {
            return Err(StateError::Open {
                path: path.display().to_string(),
                message: format!(
                    "schema version {version} is older than this pressd's ({SCHEMA_VERSION}); \
                     start the daemon (`pressd run`) once to upgrade it"
                ),
            });
        }
        Ok(State {
            conn: Mutex::new(conn),
            path: path.display().to_string(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held unwound through `Transaction`'s
        // drop, which rolled back: the connection is consistent, so a
        // poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StateError> {
        f(&self.lock()).map_err(|error| self.sql_error(op, error))
    }

    /// [`State::read`] for `f` that runs many statements: all of them in
    /// one read transaction. Each statement outside a transaction opens and
    /// closes one of its own, and in WAL mode that is a lock and an unlock
    /// of the shared-memory index through `fcntl` each time: for the story
    /// lookups, a dozen small statements an article, perf showed those
    /// system calls costing as much as the lookups themselves. Nothing is
    /// written: the transaction ends with `ROLLBACK` either way, and a
    /// writer of another process is not kept waiting (WAL).
    fn read_at_once<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StateError> {
        let conn = self.lock();
        let run = || {
            conn.prepare_cached("BEGIN")?.execute([])?;
            let value = f(&conn);
            // Ended even when `f` failed (its error is the one told; SQLite
            // may have ended the transaction already): the connection is
            // shared, and a transaction left open would fail the next write.
            let ended = match conn.is_autocommit() {
                true => Ok(0),
                false => conn
                    .prepare_cached("ROLLBACK")
                    .and_then(|mut rollback| rollback.execute([])),
            };
            let value = value?;
            ended?;
            Ok(value)
        };
        run().map_err(|error| self.sql_error(op, error))
    }

    /// Run `f` in one transaction, committed when it returns Ok.
    fn write<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StateError> {
        let mut conn = self.lock();
        let run = || {
            // IMMEDIATE takes the write lock up front, under the busy
            // timeout. A deferred transaction would upgrade from reading
            // to writing midway, and in WAL mode that upgrade fails at once
            // with "database is locked" when another writer got in first.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|error: rusqlite::Error| self.sql_error(op, error))
    }

    fn sql_error(&self, op: &'static str, error: rusqlite::Error) -> StateError {
        StateError::Sql {
            path: self.path.clone(),
            op,
            error,
        }
    }
}

/// SQLite's page cache of the writing connection, in KiB.
const STATE_CACHE_KIB: usize = 16 * 1024;

/// Prepared statements the writing connection keeps.
const STATEMENT_CACHE: usize = 64;

/// Connection settings of the writing side.
fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    // First, so that every later statement (including the pragmas, which
    // may need a lock) waits for a concurrent writer instead of failing.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        // Some file systems (network mounts) cannot hold a WAL. The store
        // stays correct in rollback-journal mode; readers just block the
        // writer while they read.
        tracing::warn!(journal_mode = %mode, "state store could not switch to WAL");
    }
    // WAL + NORMAL: a commit is appended to the WAL file before it returns,
    // so it survives the process being killed at any point (the OS holds
    // the written pages); only a power loss or kernel crash may roll back
    // the last few commits, and even then the file stays consistent.
    // FULL would add an fsync per commit for that last case.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // The story tables are read at random on every article indexed (a
    // feature's postings) and grow by some 40 rows an article; with
    // SQLite's default 2 MB the inner pages of their b-trees did not stay
    // cached: perf showed the writer's story statements reading pages back
    // from the OS (pread) for a good part of their time. The memory is
    // taken only as pages are read. It does not make a store of many
    // times its size cheap to read at random (see BENCHMARKS, stories).
    conn.pragma_update(None, "cache_size", -(STATE_CACHE_KIB as i64))?;
    // The writer's steady round (story lookups and records, the frontier,
    // the watches' marks) uses more statements than rusqlite's default of
    // 16 cached ones; one pushed out is prepared again on its next use.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // No foreign keys in the schema yet; enabled so later migrations that
    // add them get them enforced.
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Check that the file is ours and return its schema version.
fn check_identity(conn: &Connection, path: &Path) -> Result<i64, StateError> {
    let open_err = |e: rusqlite::Error| open_error(path, &e);
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(open_err)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(open_err)?;
    let foreign = if app_id != 0 {
        app_id != APPLICATION_ID
    } else {
        // An unmarked file is ours only while it is empty.
        let objects: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(open_err)?;
        version != 0 || objects != 0
    };
    if foreign {
        return Err(StateError::Open {
            path: path.display().to_string(),
            message: "is an SQLite database but not a pressd state store; \
                      point pressd at another state directory"
                .into(),
        });
    }
    if version < 0 {
        return Err(StateError::Open {
            path: path.display().to_string(),
            message: format!(
                "invalid schema version {version}: the file is damaged; move it aside \
                 to start with an empty store"
            ),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StateError::Open {
            path: path.display().to_string(),
            message: format!(
                "schema version {version} is newer than this pressd understands \
                 ({SCHEMA_VERSION}): it was written by a newer pressd; run that version, \
                 or move the file aside to start with an empty store"
            ),
        });
    }
    Ok(version)
}

/// An `Open` error for `e`, with advice for the cases a user can fix.
fn open_error(path: &Path, e: &rusqlite::Error) -> StateError {
    let advice = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            " (damaged, or another kind of file): move it aside and pressd starts with \
             an empty store; it then polls every source afresh, and the index is kept"
        }
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => {
            "; check that the directory exists and is writable by this user"
        }
        Some(ErrorCode::ReadOnly) => "; the file or its directory is read-only",
        // SQLite reports a full volume as an I/O error when it cannot grow
        // its shared-memory index.
        Some(ErrorCode::DiskFull) | Some(ErrorCode::SystemIoFailure) => {
            "; is its volume full (or read-only)? Free space there and start again: \
             nothing queued is lost"
        }
        _ => "",
    };
    StateError::Open {
        path: path.display().to_string(),
        message: format!("{e}{advice}"),
    }
}

/// A nullable Unix-milliseconds column.
fn time_column(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let Some(ms) = row.get::<_, Option<i64>>(idx)? else {
        return Ok(None);
    };
    DateTime::from_timestamp_millis(ms)
        .map(Some)
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                idx,
                Type::Integer,
                format!("timestamp {ms} ms out of range").into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::{mpsc, Arc};
    use std::time::Instant;

    use url::Url;

    use super::*;
    use crate::http::Validators;
    use crate::item::Item;

    #[test]
    fn reads_at_once_share_one_transaction_and_leave_none_open() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let inside = state
            .read_at_once("test", |conn| {
                conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?;
                Ok(conn.is_autocommit())
            })
            .expect("read");
        assert!(!inside);
        // A failing read ends its transaction too: a write follows.
        let failed = state.read_at_once("test", |conn| {
            conn.query_row("SELECT * FROM no_such_table", [], |r| r.get::<_, i64>(0))
        });
        assert!(failed.is_err());
        assert!(state.lock().is_autocommit());
        state.forget_handled(Utc::now()).expect("a write after it");
    }

    /// Set in the child process of [`killed_writer_loses_no_acknowledged_item`]:
    /// the store directory the child writes to.
    const CRASH_WRITER_ENV: &str = "PRESSD_STATE_CRASH_WRITER_DIR";
    /// Items per enqueue call in the crash test.
    const CRASH_BATCH: usize = 3;

    pub(super) fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("valid time")
    }

    pub(super) fn item(url: &str) -> Item {
        Item {
            url: Url::parse(url).expect("valid url"),
            title: Some(format!("title of {url}")),
            published: Some(t(-3600)),
            summary: Some("summary".into()),
            authors: vec!["Ani Hakobyan".into(), "Elnur Mammadov".into()],
            lang: Some("hy-AM".into()),
            ..Item::article(Url::parse(url).expect("valid url"))
        }
    }

    pub(super) fn keyed(urls: &[&str]) -> Vec<(String, Item)> {
        urls.iter().map(|u| (u.to_string(), item(u))).collect()
    }

    /// The entries due at `now`, read in full the way the dispatcher reads
    /// them: the light view ([`State::due_keys`]) first, then each entry by
    /// its key.
    pub(super) fn due(
        state: &State,
        now: DateTime<Utc>,
        limit: usize,
        exclude: &[String],
    ) -> Vec<Queued> {
        state
            .due_keys(now, limit, exclude)
            .expect("due_keys")
            .iter()
            .map(|d| state.queued(&d.key).expect("queued").expect("still queued"))
            .collect()
    }

    fn keys(queued: &[Queued]) -> Vec<&str> {
        queued.iter().map(|q| q.key.as_str()).collect()
    }

    fn open_message(result: Result<State, StateError>) -> String {
        match result {
            Err(StateError::Open { path, message }) => {
                assert!(path.ends_with(FILE_NAME), "path {path} names the file");
                message
            }
            Err(other) => panic!("expected an Open error, got {other}"),
            Ok(_) => panic!("expected an Open error, got a store"),
        }
    }

    #[test]
    fn state_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<State>();
    }

    #[test]
    fn open_creates_directory_in_wal_mode() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("nested").join("state");
        let state = State::open(&dir).expect("open");
        assert!(dir.join(FILE_NAME).exists());
        let conn = state.lock();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("journal_mode");
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("synchronous");
        assert_eq!(sync, 1, "NORMAL");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("user_version");
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn reopen_keeps_everything() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let v = Validators {
            etag: Some("W/\"abc\"".into()),
            last_modified: None,
        };
        {
            let state = State::open(tmp.path()).expect("open");
            state
                .record_success("s", Some(&v), 4, t(0), t(60))
                .expect("success");
            let items = keyed(&[
                "https://p.example/1",
                "https://p.example/2",
                "https://p.example/3",
            ]);
            state.enqueue("s", &items, t(0)).expect("enqueue");
            state
                .mark_indexed(&[("https://p.example/1".into(), "doc-1".into())], t(1))
                .expect("indexed");
            state
                .mark_failed("https://p.example/2", "timed out", Some(t(50)), t(2))
                .expect("retry");
        }
        let state = State::open(tmp.path()).expect("reopen");
        let s = state.source("s").expect("source").expect("row");
        assert_eq!(s.validators, v);
        assert_eq!(s.items_seen, 4);
        assert_eq!(s.next_poll, Some(t(60)));
        assert!(state.is_handled("https://p.example/1").expect("handled"));
        assert!(state.is_handled("doc-1").expect("handled"));
        let due = due(&state, t(100), 10, &[]);
        assert_eq!(keys(&due), ["https://p.example/2", "https://p.example/3"]);
        assert_eq!(due[0].attempts, 1);
        assert_eq!(due[1].item, item("https://p.example/3"));
    }

    #[test]
    fn reader_reads_while_another_thread_holds_a_write_transaction() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let writer = Arc::new(State::open(tmp.path()).expect("open"));
        writer
            .record_success("committed", None, 1, t(0), t(60))
            .expect("success");
        writer
            .enqueue("committed", &keyed(&["https://r.example/1"]), t(0))
            .expect("enqueue");

        let (holding_tx, holding_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let holder = {
            let writer = Arc::clone(&writer);
            std::thread::spawn(move || {
                let conn = writer.lock();
                conn.execute_batch(
                    "BEGIN IMMEDIATE;
                     INSERT INTO sources (id) VALUES ('uncommitted');
                     DELETE FROM frontier;",
                )
                .expect("begin write");
                holding_tx.send(()).expect("send");
                release_rx.recv().expect("recv");
                conn.execute_batch("COMMIT").expect("commit");
            })
        };
        holding_rx.recv().expect("holder started");

        let started = Instant::now();
        let reader = State::open_read_only(tmp.path()).expect("open read-only");
        let ids: Vec<String> = reader
            .sources()
            .expect("sources")
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["committed"], "sees the last commit only");
        assert_eq!(reader.queue_len().expect("len"), 1);
        assert!(
            started.elapsed() < BUSY_TIMEOUT / 2,
            "the reader did not wait for the writer ({:?})",
            started.elapsed()
        );
        // The reader cannot write, and the error says which operation and
        // keeps SQLite's own.
        match reader.enqueue("x", &keyed(&["https://r.example/2"]), t(1)) {
            Err(StateError::Sql { op, error, .. }) => {
                assert_eq!(op, "enqueue");
                assert_eq!(error.sqlite_error_code(), Some(ErrorCode::ReadOnly));
            }
            other => panic!("expected a read-only error, got {other:?}"),
        }

        release_tx.send(()).expect("release");
        holder.join().expect("holder thread");
        assert_eq!(reader.sources().expect("sources").len(), 2);
        assert_eq!(reader.queue_len().expect("len"), 0);
    }

    #[test]
    fn second_writer_waits_instead_of_failing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let first = Arc::new(State::open(tmp.path()).expect("open"));
        let (holding_tx, holding_rx) = mpsc::channel();
        let holder = {
            let first = Arc::clone(&first);
            std::thread::spawn(move || {
                let conn = first.lock();
                conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO sources (id) VALUES ('first');")
                    .expect("begin write");
                holding_tx.send(()).expect("send");
                std::thread::sleep(Duration::from_millis(300));
                conn.execute_batch("COMMIT").expect("commit");
            })
        };
        holding_rx.recv().expect("holder started");
        let second = State::open(tmp.path()).expect("second open");
        second
            .record_failure("second", "boom", t(0), t(1))
            .expect("write waits for the lock");
        holder.join().expect("holder thread");
        assert_eq!(second.sources().expect("sources").len(), 2);
    }

    #[test]
    fn read_only_open_of_a_closed_store() {
        let tmp = tempfile::tempdir().expect("tempdir");
        {
            let state = State::open(tmp.path()).expect("open");
            state
                .enqueue("s", &keyed(&["https://c.example/1"]), t(0))
                .expect("enqueue");
        }
        let reader = State::open_read_only(tmp.path()).expect("open read-only");
        assert_eq!(reader.queue_len().expect("len"), 1);
    }

    #[test]
    fn read_only_open_of_a_missing_store_says_so() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let message = open_message(State::open_read_only(tmp.path()));
        assert!(message.contains("does not exist yet"), "{message}");
        assert!(!tmp.path().join(FILE_NAME).exists(), "nothing created");
    }

    #[test]
    fn garbage_file_is_a_clear_open_error() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let garbage = "this is not a database, just some text\n".repeat(200);
        std::fs::write(tmp.path().join(FILE_NAME), garbage).expect("write garbage");
        let message = open_message(State::open(tmp.path()));
        assert!(message.contains("not a database"), "{message}");
        assert!(message.contains("move it aside"), "{message}");
        let message = open_message(State::open_read_only(tmp.path()));
        assert!(message.contains("move it aside"), "{message}");
    }

    #[test]
    fn newer_schema_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        drop(State::open(tmp.path()).expect("open"));
        let conn = Connection::open(tmp.path().join(FILE_NAME)).expect("raw open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("bump version");
        drop(conn);
        let message = open_message(State::open(tmp.path()));
        assert!(message.contains("newer"), "{message}");
        let message = open_message(State::open_read_only(tmp.path()));
        assert!(message.contains("newer"), "{message}");
    }

    #[test]
    fn another_programs_database_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let conn = Connection::open(tmp.path().join(FILE_NAME)).expect("raw open");
        conn.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
            .expect("create");
        drop(conn);
        let message = open_message(State::open(tmp.path()));
        assert!(message.contains("not a pressd state store"), "{message}");
    }

    /// The writer half of [`killed_writer_loses_no_acknowledged_item`]: a
    /// no-op unless that test started this process.
    #[test]
    fn crash_writer_child() {
        use std::io::Write;
        let Some(dir) = std::env::var_os(CRASH_WRITER_ENV) else {
            return;
        };
        let state = State::open(Path::new(&dir)).expect("child open");
        let mut out = std::io::stdout().lock();
        // Bounded, so an orphaned child still stops by itself.
        for batch in 0..50_000 {
            let items: Vec<(String, Item)> = (0..CRASH_BATCH)
                .map(|i| {
                    let url = format!("https://crash.example/{batch}/{i}");
                    (url.clone(), item(&url))
                })
                .collect();
            state
                .enqueue("crash", &items, t(batch))
                .expect("child enqueue");
            state
                .record_success("crash", None, CRASH_BATCH as u64, t(batch), t(batch + 60))
                .expect("child record");
            writeln!(out, "ACK {batch}").expect("child ack");
            out.flush().expect("child flush");
        }
    }

    #[test]
    fn killed_writer_loses_no_acknowledged_item() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let exe = std::env::current_exe().expect("current exe");
        let mut child = Command::new(exe)
            .args(["--exact", "state::tests::crash_writer_child", "--nocapture"])
            .args(["--test-threads", "1"])
            .env(CRASH_WRITER_ENV, tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("child stdout");
        let mut acked: Option<i64> = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read child");
            if let Some(n) = line.strip_prefix("ACK ") {
                let n: i64 = n.trim().parse().expect("ack number");
                acked = Some(n);
                if n >= 300 {
                    break;
                }
            }
        }
        // SIGKILL, in the middle of the writer's loop.
        child.kill().expect("kill writer");
        child.wait().expect("reap writer");
        let acked = acked.expect("the writer acknowledged something");
        assert!(acked >= 300, "writer stopped early at {acked}");

        let state = State::open(tmp.path()).expect("reopen after kill");
        let ok: String = state
            .lock()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(ok, "ok");
        let queued = due(&state, t(1_000_000), usize::MAX, &[]);
        let present: HashSet<&str> = queued.iter().map(|q| q.key.as_str()).collect();
        // Every acknowledged batch is there, and whatever committed after the
        // last acknowledgement is whole batches with no gap.
        let batches = queued.len() / CRASH_BATCH;
        assert_eq!(queued.len() % CRASH_BATCH, 0, "no torn batch");
        assert!(
            batches as i64 > acked,
            "{batches} batches, acked up to {acked}"
        );
        for batch in 0..batches {
            for i in 0..CRASH_BATCH {
                let key = format!("https://crash.example/{batch}/{i}");
                assert!(present.contains(key.as_str()), "{key} missing");
            }
        }
        assert_eq!(state.queue_len().expect("len"), queued.len() as u64);
        // The source row committed with each batch is at least as far along.
        let source = state.source("crash").expect("source").expect("row");
        assert!(source.items_seen >= (acked as u64 + 1) * CRASH_BATCH as u64);
    }
}
