//! The store's schema and how it gets there: the migrations, in order, and
//! the step that runs those a store has not run yet when it is opened for
//! writing. Which table holds what is told in the module of each table
//! (`sources`, `frontier`, `handled`).

use std::path::Path;

use rusqlite::Connection;

use super::{check_identity, open_error, StateError};

/// Marks the file as a pressd store (`PRAGMA application_id`, bytes "prsd"),
/// so another program's SQLite database is refused instead of written into.
pub(super) const APPLICATION_ID: i32 = 0x7072_7364;

/// Schema migrations: entry `i` brings the schema from version `i` to
/// `i + 1` (`PRAGMA user_version`). Append only; never edit a shipped step,
/// since stores in the field already ran it.
pub(super) const MIGRATIONS: &[&str] = &[
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

/// The schema version this binary writes and understands.
pub(super) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the schema up to [`SCHEMA_VERSION`], all steps in one transaction.
pub(super) fn migrate(conn: &Connection, path: &Path) -> Result<(), StateError> {
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
