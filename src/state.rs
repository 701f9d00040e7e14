//! The embedded transactional store (SQLite, WAL): per-source HTTP
//! validators and health, the set of article URLs already handled, and the
//! frontier of discovered-but-not-yet-indexed items. Work is written here
//! before it is acknowledged, so a kill at any moment loses nothing.
//!
//! This module knows nothing of the network, the index or the config: it is
//! handed keys, items and times, and only touches `dir/state.sqlite` (plus
//! SQLite's `-wal` and `-shm` companions).
//!
//! Layout: three tables. `sources` holds one row per polled source,
//! `frontier` the queued items, `handled` every item key and document id
//! that was indexed or given up on (so a key is never queued twice). All
//! times are stored as integer Unix milliseconds (UTC): they sort and compare
//! in SQL directly, and every time read back is truncated to the millisecond.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{
    params, Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior,
};
use url::Url;

use crate::http::Validators;
use crate::item::{Item, ItemKind};

/// File name of the store inside its directory.
const FILE_NAME: &str = "state.sqlite";

/// How long a statement waits for another connection's lock before failing.
/// The daemon's write transactions are short (milliseconds), so 5 s only
/// runs out when something is truly stuck.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Marks the file as a pressd store (`PRAGMA application_id`, bytes "prsd"),
/// so another program's SQLite database is refused instead of written into.
const APPLICATION_ID: i32 = 0x7072_7364;

/// Schema migrations: entry `i` brings the schema from version `i` to
/// `i + 1` (`PRAGMA user_version`). Append only; never edit a shipped step,
/// since stores in the field already ran it.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    "CREATE TABLE sources (
        id TEXT PRIMARY KEY NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_attempt INTEGER,
        last_success INTEGER,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_poll INTEGER,
        items_seen INTEGER NOT NULL DEFAULT 0,
        last_new_item INTEGER
    );
    CREATE TABLE frontier (
        key TEXT PRIMARY KEY NOT NULL,
        source TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT,
        published INTEGER,
        summary TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        lang TEXT,
        discovered_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        last_error TEXT
    );
    CREATE INDEX frontier_by_discovery ON frontier (discovered_at);
    CREATE INDEX frontier_by_source ON frontier (source);
    CREATE TABLE handled (
        key TEXT PRIMARY KEY NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('indexed', 'skipped')),
        error TEXT,
        at INTEGER NOT NULL
    );",
    // 2: social posts are queued with their text (they are indexed as they
    // are, without a page fetch).
    "ALTER TABLE frontier ADD COLUMN kind TEXT NOT NULL DEFAULT 'article';
    ALTER TABLE frontier ADD COLUMN text TEXT;
    ALTER TABLE frontier ADD COLUMN author_handle TEXT;
    ALTER TABLE frontier ADD COLUMN views INTEGER;",
    // 3: source health beyond errors. `first_success` dates a source that
    // never published anything; `cadence_ms` is a moving average of the time
    // between polls that found new items; `interval_ms` the adaptive poll
    // interval; `recent_extractions` the outcome of the source's last few
    // article extractions, oldest first ('t' text, 'e' empty).
    "ALTER TABLE sources ADD COLUMN first_success INTEGER;
    ALTER TABLE sources ADD COLUMN cadence_ms INTEGER;
    ALTER TABLE sources ADD COLUMN interval_ms INTEGER;
    ALTER TABLE sources ADD COLUMN recent_extractions TEXT NOT NULL DEFAULT '';
    UPDATE sources SET first_success = last_success;",
    // 4: handled keys are forgotten after a while (`forget_handled`).
    "CREATE INDEX handled_by_time ON handled (at);",
];

/// How many of a source's latest article extractions are remembered.
pub const EXTRACTION_WINDOW: usize = 5;

/// The schema version this binary writes and understands.
const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state store {path}: {message}")]
    Open { path: String, message: String },
    #[error("state store: {0}")]
    Sql(String),
}

/// Health and HTTP validators of one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceState {
    pub id: String,
    pub validators: Validators,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub next_poll: Option<DateTime<Utc>>,
    /// Items ever discovered (new ones only).
    pub items_seen: u64,
    pub last_new_item: Option<DateTime<Utc>>,
    /// The first successful poll (dates the silence of a source that never
    /// published a new item).
    pub first_success: Option<DateTime<Utc>>,
    /// How often the source publishes: a moving average (weight 1/4 for
    /// the latest) of the time between two polls that found new items.
    /// `None` until two such polls happened.
    pub cadence: Option<Duration>,
    /// The current adaptive poll interval; `None` until first set.
    pub interval: Option<Duration>,
    /// Of the last (up to [`EXTRACTION_WINDOW`]) articles fetched from this
    /// source, how many extracted to an empty body...
    pub recent_empty: u32,
    /// ...out of how many.
    pub recent_fetched: u32,
}

/// A frontier entry as the dispatcher sees it: enough to pick it by host.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// The frontier key (see [`Queued::key`]).
    pub key: String,
    /// The item's URL as stored.
    pub url: String,
    pub kind: ItemKind,
}

/// A frontier entry in full: an item waiting to be fetched and indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    /// Normalised item URL (see `canonical::doc_id`): the frontier key.
    pub key: String,
    pub source: String,
    pub item: Item,
    pub attempts: u32,
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
        })
    }

    pub fn source(&self, id: &str) -> Result<Option<SourceState>, StateError> {
        self.read("source", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?1"
            ))?
            .query_row([id], source_from_row)
            .optional()
        })
    }

    /// All sources with a recorded poll, ordered by id.
    pub fn sources(&self) -> Result<Vec<SourceState>, StateError> {
        self.read("sources", |conn| {
            conn.prepare_cached(&format!("SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id"))?
                .query_map([], source_from_row)?
                .collect()
        })
    }

    /// Record a successful poll: new validators (None when the server sent
    /// 304, which keeps the old ones), the number of new items, the next poll.
    pub fn record_success(
        &self,
        id: &str,
        validators: Option<&Validators>,
        new_items: u64,
        now: DateTime<Utc>,
        next_poll: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("record_success", |tx| {
            ensure_source(tx, id)?;
            tx.prepare_cached(
                "UPDATE sources SET
                    last_error = NULL,
                    consecutive_failures = 0,
                    last_attempt = ?2,
                    last_success = ?2,
                    next_poll = ?3,
                    items_seen = items_seen + ?4,
                    last_new_item = CASE WHEN ?4 > 0 THEN ?2 ELSE last_new_item END,
                    first_success = COALESCE(first_success, ?2),
                    cadence_ms = CASE
                        WHEN ?4 = 0 OR last_new_item IS NULL THEN cadence_ms
                        WHEN cadence_ms IS NULL THEN MAX(?2 - last_new_item, 0)
                        ELSE (3 * cadence_ms + MAX(?2 - last_new_item, 0)) / 4
                    END
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                now.timestamp_millis(),
                next_poll.timestamp_millis(),
                i64::try_from(new_items).unwrap_or(i64::MAX),
            ])?;
            if let Some(v) = validators {
                tx.prepare_cached(
                    "UPDATE sources SET etag = ?2, last_modified = ?3 WHERE id = ?1",
                )?
                .execute(params![id, v.etag, v.last_modified])?;
            }
            Ok(())
        })
    }

    /// Record a failed poll: the error, one more consecutive failure, and
    /// when to try again. Validators are kept: the next success may still be
    /// a 304 against them.
    pub fn record_failure(
        &self,
        id: &str,
        error: &str,
        now: DateTime<Utc>,
        next_poll: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("record_failure", |tx| {
            ensure_source(tx, id)?;
            tx.prepare_cached(
                "UPDATE sources SET
                    last_error = ?2,
                    consecutive_failures = consecutive_failures + 1,
                    last_attempt = ?3,
                    next_poll = ?4
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                error,
                now.timestamp_millis(),
                next_poll.timestamp_millis()
            ])?;
            Ok(())
        })
    }

    /// Remember the source's current adaptive poll interval.
    pub fn set_poll_interval(&self, id: &str, interval: Duration) -> Result<(), StateError> {
        self.write("set_poll_interval", |tx| {
            ensure_source(tx, id)?;
            tx.prepare_cached("UPDATE sources SET interval_ms = ?2 WHERE id = ?1")?
                .execute(params![
                    id,
                    i64::try_from(interval.as_millis()).unwrap_or(i64::MAX)
                ])?;
            Ok(())
        })
    }

    /// Remember whether an article of the source extracted to an empty
    /// body; only the last [`EXTRACTION_WINDOW`] outcomes are kept.
    pub fn record_extraction(&self, id: &str, empty: bool) -> Result<(), StateError> {
        self.write("record_extraction", |tx| {
            ensure_source(tx, id)?;
            tx.prepare_cached(
                "UPDATE sources SET recent_extractions = substr(recent_extractions || ?2, -?3)
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                if empty { "e" } else { "t" },
                EXTRACTION_WINDOW as i64
            ])?;
            Ok(())
        })
    }

    /// Drop the stored validators of a source, so its next poll is an
    /// unconditional GET. For when a source's URL changed in the config:
    /// the old URL's ETag says nothing about the new one.
    pub fn forget_source_validators(&self, id: &str) -> Result<(), StateError> {
        self.write("forget_source_validators", |tx| {
            tx.prepare_cached(
                "UPDATE sources SET etag = NULL, last_modified = NULL WHERE id = ?1",
            )?
            .execute([id])?;
            Ok(())
        })
    }

    /// Queue items not yet known (neither in the frontier nor handled), in
    /// one transaction. Returns how many were new.
    pub fn enqueue(
        &self,
        source: &str,
        items: &[(String, Item)],
        now: DateTime<Utc>,
    ) -> Result<usize, StateError> {
        self.write("enqueue", |tx| {
            // One statement does both checks: the primary key ignores keys
            // already queued, the NOT EXISTS those already handled.
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO frontier
                    (key, source, url, title, published, summary, authors, lang,
                     discovered_at, attempts, next_attempt, kind, text, author_handle, views)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?9, ?10, ?11, ?12, ?13
                 WHERE NOT EXISTS (SELECT 1 FROM handled WHERE key = ?1)",
            )?;
            let discovered = now.timestamp_millis();
            let mut added = 0;
            for (key, item) in items {
                let authors = serde_json::to_string(&item.authors)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                added += insert.execute(params![
                    key,
                    source,
                    item.url.as_str(),
                    item.title,
                    item.published.map(|t| t.timestamp_millis()),
                    item.summary,
                    authors,
                    item.lang,
                    discovered,
                    item.kind.as_str(),
                    item.text,
                    item.author_handle,
                    item.views.and_then(|v| i64::try_from(v).ok()),
                ])?;
            }
            Ok(added)
        })
    }

    /// Like [`State::due`], but only what a dispatcher needs to choose among
    /// the entries: a backlog that spans thousands of hosts then holds keys
    /// and URLs, and each entry is read in full ([`State::queued`]) only
    /// when it is dispatched.
    pub fn due_keys(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        exclude: &[String],
    ) -> Result<Vec<Due>, StateError> {
        self.due_rows(
            "due_keys",
            "SELECT key, url, kind FROM frontier",
            (now, limit, exclude),
            |row| {
                Ok(Due {
                    key: row.get(0)?,
                    url: row.get(1)?,
                    kind: kind_column(row, 2)?,
                })
            },
            |d| &d.key,
        )
    }

    /// The whole frontier entry under `key`, if it is still queued.
    pub fn queued(&self, key: &str) -> Result<Option<Queued>, StateError> {
        self.read("queued", |conn| {
            conn.prepare_cached(
                "SELECT key, source, url, title, published, summary, authors, lang, attempts,
                        kind, text, author_handle, views
                 FROM frontier WHERE key = ?1",
            )?
            .query_row([key], queued_from_row)
            .optional()
        })
    }

    /// Up to `limit` frontier entries due at `now`, oldest first, skipping `exclude` keys.
    pub fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        exclude: &[String],
    ) -> Result<Vec<Queued>, StateError> {
        self.due_rows(
            "due",
            "SELECT key, source, url, title, published, summary, authors, lang, attempts,
                    kind, text, author_handle, views
             FROM frontier",
            (now, limit, exclude),
            queued_from_row,
            |q| &q.key,
        )
    }

    /// The rows of `select` (which must not filter or order) for the
    /// `limit` oldest entries due at `now` whose keys are not in `exclude`.
    fn due_rows<T>(
        &self,
        op: &str,
        select: &str,
        (now, limit, exclude): (DateTime<Utc>, usize, &[String]),
        row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
        key: impl Fn(&T) -> &String,
    ) -> Result<Vec<T>, StateError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let exclude: HashSet<&str> = exclude.iter().map(String::as_str).collect();
        // At most `exclude.len()` of the rows read can be skipped, so asking
        // for that many more still yields `limit` when enough are due.
        let fetch = i64::try_from(limit.saturating_add(exclude.len())).unwrap_or(i64::MAX);
        let sql =
            format!("{select} WHERE next_attempt <= ?1 ORDER BY discovered_at, rowid LIMIT ?2");
        self.read(op, |conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![now.timestamp_millis(), fetch], row)?;
            let mut due = Vec::new();
            for entry in rows {
                let entry = entry?;
                if !exclude.contains(key(&entry).as_str()) {
                    due.push(entry);
                    if due.len() == limit {
                        break;
                    }
                }
            }
            Ok(due)
        })
    }

    /// Forget handled keys last marked before `before`, so that the store
    /// of a daemon that runs for years does not grow with every article
    /// ever seen. Safe because indexing is an upsert: a forgotten URL that
    /// a feed lists again is fetched once more and replaces its document.
    /// Deletes in batches, so other users of the store wait briefly.
    /// Returns how many keys were forgotten.
    pub fn forget_handled(&self, before: DateTime<Utc>) -> Result<u64, StateError> {
        const BATCH: i64 = 5_000;
        let mut forgotten = 0;
        loop {
            let n = self.write("forget_handled", |tx| {
                tx.prepare_cached(
                    "DELETE FROM handled WHERE rowid IN
                     (SELECT rowid FROM handled WHERE at < ?1 LIMIT ?2)",
                )?
                .execute(params![before.timestamp_millis(), BATCH])
            })?;
            forgotten += n as u64;
            if (n as i64) < BATCH {
                return Ok(forgotten);
            }
        }
    }

    /// Frontier entries indexed: remove them from the frontier and remember
    /// both the item key and the document id as handled.
    ///
    /// A frontier entry keyed by the document id (the same article found
    /// under its canonical URL) is removed too: it is the document just
    /// indexed, and a key must never be both queued and handled.
    pub fn mark_indexed(
        &self,
        done: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("mark_indexed", |tx| {
            let mut remove = tx.prepare_cached("DELETE FROM frontier WHERE key = ?1")?;
            let mut remember = tx.prepare_cached(
                "INSERT OR REPLACE INTO handled (key, status, error, at)
                 VALUES (?1, 'indexed', NULL, ?2)",
            )?;
            let at = now.timestamp_millis();
            for (key, doc_id) in done {
                for k in [key, doc_id] {
                    remove.execute([k])?;
                    remember.execute(params![k, at])?;
                }
            }
            Ok(())
        })
    }

    /// A frontier entry failed. With `retry_at` it stays queued (attempts+1)
    /// until then; without, it is dropped from the frontier and remembered as
    /// handled with the error (a PDF, a 404 after retries).
    pub fn mark_failed(
        &self,
        key: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("mark_failed", |tx| {
            match retry_at {
                Some(retry_at) => {
                    tx.prepare_cached(
                        "UPDATE frontier
                         SET attempts = attempts + 1, next_attempt = ?2, last_error = ?3
                         WHERE key = ?1",
                    )?
                    .execute(params![
                        key,
                        retry_at.timestamp_millis(),
                        error
                    ])?;
                }
                None => {
                    tx.prepare_cached("DELETE FROM frontier WHERE key = ?1")?
                        .execute([key])?;
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO handled (key, status, error, at)
                         VALUES (?1, 'skipped', ?2, ?3)",
                    )?
                    .execute(params![key, error, now.timestamp_millis()])?;
                }
            }
            Ok(())
        })
    }

    /// Whether a document id or item key was already handled.
    pub fn is_handled(&self, key: &str) -> Result<bool, StateError> {
        self.read("is_handled", |conn| {
            conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM handled WHERE key = ?1)")?
                .query_row([key], |row| row.get(0))
        })
    }

    /// Frontier entries, due or not.
    pub fn queue_len(&self) -> Result<u64, StateError> {
        self.read("queue_len", |conn| {
            count(conn, "SELECT COUNT(*) FROM frontier", [])
        })
    }

    /// Frontier entries (due or not) discovered by one source.
    pub fn frontier_for_source(&self, source: &str) -> Result<u64, StateError> {
        self.read("frontier_for_source", |conn| {
            count(
                conn,
                "SELECT COUNT(*) FROM frontier WHERE source = ?1",
                [source],
            )
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
        op: &str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StateError> {
        f(&self.lock()).map_err(|e| StateError::Sql(format!("{op}: {e}")))
    }

    /// Run `f` in one transaction, committed when it returns Ok.
    fn write<T>(
        &self,
        op: &str,
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
        run().map_err(|e: rusqlite::Error| StateError::Sql(format!("{op}: {e}")))
    }
}

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

/// Bring the schema up to [`SCHEMA_VERSION`], all steps in one transaction.
fn migrate(conn: &Connection, path: &Path) -> Result<(), StateError> {
    if check_identity(conn, path)? == SCHEMA_VERSION {
        // The common case takes no write lock, so a second process opening
        // the store never waits on the daemon's writes.
        return Ok(());
    }
    let open_err = |e: rusqlite::Error| open_error(path, &e);
    conn.execute_batch("BEGIN IMMEDIATE").map_err(open_err)?;
    let migrated = (|| {
        // Read again under the write lock: another process may have
        // migrated meanwhile.
        let from = check_identity(conn, path)?;
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            conn.execute_batch(sql).map_err(|e| StateError::Open {
                path: path.display().to_string(),
                message: format!("schema migration to version {}: {e}", step + 1),
            })?;
        }
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(open_err)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(open_err)?;
        conn.execute_batch("COMMIT").map_err(open_err)
    })();
    if migrated.is_err() {
        // Best effort: the failure is what the caller needs to see, and
        // closing the connection rolls back anyway.
        let _ = conn.execute_batch("ROLLBACK");
    }
    migrated
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
        _ => "",
    };
    StateError::Open {
        path: path.display().to_string(),
        message: format!("{e}{advice}"),
    }
}

/// Insert an empty row for `id` unless one exists.
fn ensure_source(tx: &rusqlite::Transaction<'_>, id: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO sources (id) VALUES (?1)")?
        .execute([id])?;
    Ok(())
}

fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached(sql)?
        .query_row(params, |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

const SOURCE_COLUMNS: &str = "id, etag, last_modified, last_attempt, last_success, last_error, \
     consecutive_failures, next_poll, items_seen, last_new_item, first_success, cadence_ms, \
     interval_ms, recent_extractions";

fn source_from_row(row: &Row<'_>) -> rusqlite::Result<SourceState> {
    let recent: String = row.get(13)?;
    Ok(SourceState {
        id: row.get(0)?,
        validators: Validators {
            etag: row.get(1)?,
            last_modified: row.get(2)?,
        },
        last_attempt: time_column(row, 3)?,
        last_success: time_column(row, 4)?,
        last_error: row.get(5)?,
        consecutive_failures: row.get(6)?,
        next_poll: time_column(row, 7)?,
        items_seen: u64::try_from(row.get::<_, i64>(8)?).unwrap_or(0),
        last_new_item: time_column(row, 9)?,
        first_success: time_column(row, 10)?,
        cadence: millis_column(row, 11)?,
        interval: millis_column(row, 12)?,
        recent_empty: recent.matches('e').count() as u32,
        recent_fetched: recent.len() as u32,
    })
}

/// A nullable non-negative duration in milliseconds.
fn millis_column(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Duration>> {
    Ok(row
        .get::<_, Option<i64>>(idx)?
        .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0))))
}

fn kind_column(row: &Row<'_>, i: usize) -> rusqlite::Result<ItemKind> {
    Ok(match row.get::<_, String>(i)?.as_str() {
        "post" => ItemKind::Post,
        _ => ItemKind::Article,
    })
}

fn queued_from_row(row: &Row<'_>) -> rusqlite::Result<Queued> {
    let url: String = row.get(2)?;
    let url = Url::parse(&url)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, Type::Text, Box::new(e)))?;
    let authors: String = row.get(6)?;
    let authors = serde_json::from_str(&authors)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(6, Type::Text, Box::new(e)))?;
    Ok(Queued {
        key: row.get(0)?,
        source: row.get(1)?,
        item: Item {
            url: url.clone(),
            title: row.get(3)?,
            published: time_column(row, 4)?,
            summary: row.get(5)?,
            authors,
            lang: row.get(7)?,
            kind: kind_column(row, 9)?,
            text: row.get(10)?,
            author_handle: row.get(11)?,
            views: row
                .get::<_, Option<i64>>(12)?
                .and_then(|v| u64::try_from(v).ok()),
        },
        attempts: row.get(8)?,
    })
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
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::{mpsc, Arc};
    use std::time::Instant;

    use super::*;

    /// Set in the child process of [`killed_writer_loses_no_acknowledged_item`]:
    /// the store directory the child writes to.
    const CRASH_WRITER_ENV: &str = "PRESSD_STATE_CRASH_WRITER_DIR";
    /// Items per enqueue call in the crash test.
    const CRASH_BATCH: usize = 3;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("valid time")
    }

    fn item(url: &str) -> Item {
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

    fn keyed(urls: &[&str]) -> Vec<(String, Item)> {
        urls.iter().map(|u| (u.to_string(), item(u))).collect()
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
    fn enqueue_skips_keys_queued_or_handled() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let a = "https://news.example/a";
        let b = "https://news.example/b";
        let c = "https://news.example/c";
        assert_eq!(
            state.enqueue("s1", &keyed(&[a, b]), t(0)).expect("enqueue"),
            2
        );
        // Already queued, even from another source, and duplicated in one batch.
        assert_eq!(
            state
                .enqueue("s2", &keyed(&[a, c, c]), t(1))
                .expect("enqueue"),
            1
        );
        assert_eq!(state.queue_len().expect("len"), 3);
        state
            .mark_indexed(
                &[(a.to_string(), "https://news.example/a-canonical".into())],
                t(2),
            )
            .expect("mark_indexed");
        state
            .mark_failed(b, "application/pdf", None, t(2))
            .expect("mark_failed");
        assert_eq!(state.queue_len().expect("len"), 1);
        // Handled, whether indexed, skipped, or known only by document id.
        let again = keyed(&[a, b, "https://news.example/a-canonical"]);
        assert_eq!(state.enqueue("s1", &again, t(3)).expect("enqueue"), 0);
        assert_eq!(state.queue_len().expect("len"), 1);
        assert_eq!(state.frontier_for_source("s2").expect("count"), 1);
        assert_eq!(state.frontier_for_source("s1").expect("count"), 0);
    }

    #[test]
    fn due_orders_by_discovery_and_honours_exclude_and_retry_times() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let (a, b, c, d) = (
            "https://x.example/a",
            "https://x.example/b",
            "https://x.example/c",
            "https://x.example/d",
        );
        state.enqueue("s", &keyed(&[c, a]), t(10)).expect("enqueue");
        state.enqueue("s", &keyed(&[b]), t(5)).expect("enqueue");
        state.enqueue("s", &keyed(&[d]), t(20)).expect("enqueue");

        // Not yet discovered at t(0): nothing is due.
        assert!(state.due(t(0), 10, &[]).expect("due").is_empty());
        // Oldest discovery first; ties keep insertion order.
        assert_eq!(keys(&state.due(t(30), 10, &[]).expect("due")), [b, c, a, d]);
        assert_eq!(keys(&state.due(t(30), 2, &[]).expect("due")), [b, c]);
        assert_eq!(keys(&state.due(t(10), 10, &[]).expect("due")), [b, c, a]);
        let exclude = [b.to_string(), c.to_string()];
        assert_eq!(keys(&state.due(t(30), 2, &exclude).expect("due")), [a, d]);
        assert!(state.due(t(30), 0, &[]).expect("due").is_empty());

        // A retry waits until its time and counts the attempt.
        state
            .mark_failed(b, "timed out", Some(t(100)), t(30))
            .expect("mark_failed");
        assert_eq!(keys(&state.due(t(99), 10, &[]).expect("due")), [c, a, d]);
        let due = state.due(t(100), 10, &[]).expect("due");
        assert_eq!(keys(&due), [b, c, a, d]);
        assert_eq!(due[0].attempts, 1);
        assert_eq!(due[1].attempts, 0);
    }

    #[test]
    fn due_returns_items_as_enqueued() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let full = item("https://am.example/news/1?id=2");
        let bare = Item {
            url: Url::parse("https://am.example/news/2").expect("url"),
            title: None,
            published: None,
            summary: None,
            authors: Vec::new(),
            lang: None,
            ..Item::article(Url::parse("https://am.example/news/2").expect("url"))
        };
        let post = Item {
            author_handle: Some("@presswatch@mastodon.example".into()),
            views: Some(33400),
            lang: Some("az".into()),
            ..Item::post(
                Url::parse("https://t.me/channel/7").expect("url"),
                "Bakıda yeni metro stansiyası açıldı".into(),
            )
        };
        let items = vec![
            ("k1".to_string(), full.clone()),
            ("k2".to_string(), bare.clone()),
            ("k3".to_string(), post.clone()),
        ];
        state.enqueue("armenpress", &items, t(0)).expect("enqueue");
        let due = state.due(t(0), 10, &[]).expect("due");
        assert_eq!(
            due,
            vec![
                Queued {
                    key: "k1".into(),
                    source: "armenpress".into(),
                    item: full,
                    attempts: 0,
                },
                Queued {
                    key: "k2".into(),
                    source: "armenpress".into(),
                    item: bare,
                    attempts: 0,
                },
                // A post keeps its kind, text, handle and views.
                Queued {
                    key: "k3".into(),
                    source: "armenpress".into(),
                    item: post,
                    attempts: 0,
                },
            ]
        );
        // The dispatcher's light view lists the same entries in the same
        // order, and each reads back in full by its key.
        let light = state.due_keys(t(0), 10, &[]).expect("due_keys");
        assert_eq!(
            light
                .iter()
                .map(|d| (d.key.as_str(), d.kind))
                .collect::<Vec<_>>(),
            [
                ("k1", ItemKind::Article),
                ("k2", ItemKind::Article),
                ("k3", ItemKind::Post)
            ]
        );
        assert_eq!(light[0].url, "https://am.example/news/1?id=2");
        for (light, full) in light.iter().zip(&due) {
            assert_eq!(
                state.queued(&light.key).expect("queued").as_ref(),
                Some(full)
            );
        }
        let exclude = ["k1".to_string()];
        let rest = state.due_keys(t(0), 1, &exclude).expect("due_keys");
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].key, "k2");
        state
            .mark_indexed(&[("k2".into(), "k2".into())], t(1))
            .expect("mark_indexed");
        assert_eq!(state.queued("k2").expect("queued"), None);
    }

    #[test]
    fn mark_indexed_removes_and_remembers_both_keys() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let key = "https://az.example/x?utm_source=rss";
        let doc = "https://az.example/x";
        let other = "https://az.example/y";
        // The canonical URL was also discovered on its own.
        state
            .enqueue("s", &keyed(&[key, doc, other]), t(0))
            .expect("enqueue");
        state
            .mark_indexed(&[(key.to_string(), doc.to_string())], t(1))
            .expect("mark_indexed");
        assert!(state.is_handled(key).expect("handled"));
        assert!(state.is_handled(doc).expect("handled"));
        assert!(!state.is_handled(other).expect("handled"));
        assert_eq!(keys(&state.due(t(5), 10, &[]).expect("due")), [other]);
        // Key and doc id equal is the common case.
        state
            .mark_indexed(&[(other.to_string(), other.to_string())], t(2))
            .expect("mark_indexed");
        assert_eq!(state.queue_len().expect("len"), 0);
        assert!(state.is_handled(other).expect("handled"));
    }

    #[test]
    fn handled_keys_are_forgotten_by_age_and_then_queue_again() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let (old, recent) = ("https://hy.example/old", "https://hy.example/new");
        state
            .enqueue("s", &keyed(&[old, recent]), t(0))
            .expect("enqueue");
        state
            .mark_indexed(&[(old.to_string(), old.to_string())], t(10))
            .expect("mark_indexed");
        state
            .mark_indexed(&[(recent.to_string(), recent.to_string())], t(20))
            .expect("mark_indexed");
        assert_eq!(state.forget_handled(t(15)).expect("forget"), 1);
        assert!(!state.is_handled(old).expect("handled"));
        assert!(state.is_handled(recent).expect("handled"));
        // A forgotten URL listed again is new once more (and re-indexing
        // it replaces its document); a remembered one is not.
        assert_eq!(
            state
                .enqueue("s", &keyed(&[old, recent]), t(30))
                .expect("enqueue"),
            1
        );
        assert_eq!(state.forget_handled(t(15)).expect("forget"), 0);
    }

    #[test]
    fn mark_failed_retries_or_skips() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let k = "https://ge.example/1";
        state.enqueue("s", &keyed(&[k]), t(0)).expect("enqueue");
        for (n, retry) in [(1, 10), (2, 20)] {
            state
                .mark_failed(k, "HTTP status 503", Some(t(retry)), t(retry - 5))
                .expect("retry");
            let due = state.due(t(retry), 1, &[]).expect("due");
            assert_eq!(due[0].attempts, n);
            assert!(!state.is_handled(k).expect("handled"));
        }
        state
            .mark_failed(k, "HTTP status 404", None, t(30))
            .expect("skip");
        assert_eq!(state.queue_len().expect("len"), 0);
        assert!(state.is_handled(k).expect("handled"));
        let (status, error): (String, Option<String>) = state
            .lock()
            .query_row(
                "SELECT status, error FROM handled WHERE key = ?1",
                [k],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("handled row");
        assert_eq!(status, "skipped");
        assert_eq!(error.as_deref(), Some("HTTP status 404"));
        // Failing a key that is not queued changes nothing and is no error.
        state
            .mark_failed("https://ge.example/none", "x", Some(t(40)), t(35))
            .expect("retry unknown");
        assert_eq!(state.queue_len().expect("len"), 0);
    }

    #[test]
    fn source_success_failure_cycle() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        assert_eq!(state.source("feed-a").expect("source"), None);
        let v1 = Validators {
            etag: Some("\"v1\"".into()),
            last_modified: Some("Tue, 03 Mar 2026 10:00:00 GMT".into()),
        };
        state
            .record_success("feed-a", Some(&v1), 3, t(0), t(600))
            .expect("success");
        state
            .record_failure("feed-a", "timed out", t(600), t(700))
            .expect("failure");
        state
            .record_failure("feed-a", "HTTP status 502", t(700), t(900))
            .expect("failure");
        let failing = state.source("feed-a").expect("source").expect("row");
        assert_eq!(
            failing,
            SourceState {
                id: "feed-a".into(),
                validators: v1.clone(),
                last_attempt: Some(t(700)),
                last_success: Some(t(0)),
                last_error: Some("HTTP status 502".into()),
                consecutive_failures: 2,
                next_poll: Some(t(900)),
                items_seen: 3,
                last_new_item: Some(t(0)),
                first_success: Some(t(0)),
                ..SourceState::default()
            }
        );

        // A 304: validators kept, no new items, failures cleared.
        state
            .record_success("feed-a", None, 0, t(900), t(1500))
            .expect("success");
        let ok = state.source("feed-a").expect("source").expect("row");
        assert_eq!(ok.validators, v1);
        assert_eq!(ok.last_error, None);
        assert_eq!(ok.consecutive_failures, 0);
        assert_eq!(ok.last_success, Some(t(900)));
        assert_eq!(ok.last_attempt, Some(t(900)));
        assert_eq!(ok.next_poll, Some(t(1500)));
        assert_eq!(ok.items_seen, 3);
        assert_eq!(ok.last_new_item, Some(t(0)));

        // New validators replace the old ones, absent fields included.
        let v2 = Validators {
            etag: Some("\"v2\"".into()),
            last_modified: None,
        };
        state
            .record_success("feed-a", Some(&v2), 2, t(1500), t(2100))
            .expect("success");
        let ok = state.source("feed-a").expect("source").expect("row");
        assert_eq!(ok.validators, v2);
        assert_eq!(ok.items_seen, 5);
        assert_eq!(ok.last_new_item, Some(t(1500)));

        // A source whose first poll fails gets a row too.
        state
            .record_failure("feed-0", "dns error", t(5), t(65))
            .expect("failure");
        let ids: Vec<String> = state
            .sources()
            .expect("sources")
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["feed-0", "feed-a"]);

        state.forget_source_validators("feed-a").expect("forget");
        let ok = state.source("feed-a").expect("source").expect("row");
        assert_eq!(ok.validators, Validators::default());
        assert_eq!(ok.items_seen, 5);
    }

    #[test]
    fn cadence_interval_and_extractions_are_kept() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        state
            .record_success("s", None, 2, t(0), t(60))
            .expect("success");
        let s = state.source("s").expect("source").expect("row");
        assert_eq!((s.cadence, s.first_success), (None, Some(t(0))));
        // New items 400 s later: the first interval is the cadence.
        state
            .record_success("s", None, 1, t(400), t(460))
            .expect("success");
        // Nothing new: the cadence does not move.
        state
            .record_success("s", None, 0, t(500), t(560))
            .expect("success");
        let s = state.source("s").expect("source").expect("row");
        assert_eq!(s.cadence, Some(Duration::from_secs(400)));
        // Then 800 s: (3 × 400 + 800) / 4.
        state
            .record_success("s", None, 3, t(1200), t(1260))
            .expect("success");
        let s = state.source("s").expect("source").expect("row");
        assert_eq!(s.cadence, Some(Duration::from_secs(500)));
        assert_eq!(s.first_success, Some(t(0)));

        assert_eq!(s.interval, None);
        state
            .set_poll_interval("s", Duration::from_secs(90))
            .expect("interval");
        for empty in [true, false, true, true, true, true, false] {
            state.record_extraction("s", empty).expect("extraction");
        }
        let s = state.source("s").expect("source").expect("row");
        assert_eq!(s.interval, Some(Duration::from_secs(90)));
        // The last five: e e e e t.
        assert_eq!((s.recent_empty, s.recent_fetched), (4, 5));
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
        let due = state.due(t(100), 10, &[]).expect("due");
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
        // The reader cannot write.
        assert!(matches!(
            reader.enqueue("x", &keyed(&["https://r.example/2"]), t(1)),
            Err(StateError::Sql(_))
        ));

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
        let queued = state.due(t(1_000_000), usize::MAX, &[]).expect("due");
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
