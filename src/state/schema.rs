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
    // 5: view counts of posts (added in 2) were stored and never read:
    // they are not parsed any more, and their column goes.
    "ALTER TABLE frontier DROP COLUMN views;",
    // 6: the URL a source was polled from, so that a changed URL is
    // noticed even across a restart (`set_source_urls`). NULL in rows
    // written before.
    "ALTER TABLE sources ADD COLUMN url TEXT;",
    // 7: how completely the last document a source served was read
    // (`record_reading`), as JSON: entries, items, entries skipped, repairs.
    // NULL when never told (kinds that do not account for it, rows written
    // before).
    "ALTER TABLE sources ADD COLUMN reading TEXT;",
    // 8: articles read from archives (`pressd import`) are queued with
    // their page's HTML (or their plain text in `text`) and never fetched.
    // `carried` marks them, ahead of `html` in the row so that reading it
    // (the dispatcher's light view) never walks a page's overflow pages.
    "ALTER TABLE frontier ADD COLUMN carried INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE frontier ADD COLUMN html TEXT;",
    // 9: where a social source's next poll starts (`record_cursor`): the
    // account id it looked up and the newest post it saw, so that a poll
    // asks only for what is newer. Opaque to the store; NULL before the
    // first poll and in rows written before.
    "ALTER TABLE sources ADD COLUMN cursor TEXT;",
    // 10: the entries an import's drain reads (`due_carried_keys`, some
    // 16,000 rows a second), in order without reading the table's `carried`
    // flag, which sits behind a row's `text`: SQLite walked each text's
    // overflow pages to reach it.
    "CREATE INDEX frontier_carried ON frontier (discovered_at) WHERE carried = 1;",
    // 11: watches. `committed` lists each document id as the index writer
    // commits it, in commit order (`seq`), until every watch has scanned
    // past it; `watches` holds each configured watch's scan mark and digest
    // schedule; `watch_hits` every (watch, document or story) that fired,
    // once; `watch_deliveries` the outbox, one row per message and channel,
    // keyed by its idempotency key.
    "CREATE TABLE committed (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE watches (
        id TEXT PRIMARY KEY NOT NULL,
        created_at INTEGER NOT NULL,
        scanned INTEGER NOT NULL,
        next_digest INTEGER
    );
    CREATE TABLE watch_hits (
        watch TEXT NOT NULL,
        key TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        hit TEXT NOT NULL,
        at INTEGER NOT NULL,
        batched INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (watch, key)
    );
    CREATE INDEX watch_hits_by_time ON watch_hits (watch, at);
    CREATE TABLE watch_deliveries (
        id TEXT PRIMARY KEY NOT NULL,
        watch TEXT NOT NULL,
        channel TEXT NOT NULL,
        body TEXT NOT NULL,
        hits INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        last_attempt INTEGER,
        last_error TEXT,
        done_at INTEGER
    );
    CREATE INDEX watch_deliveries_due ON watch_deliveries (status, next_attempt);
    CREATE INDEX watch_deliveries_by_watch ON watch_deliveries (watch, status);",
    // 12: stories (`stories`): each indexed article's story and the
    // earliest version it copies, the features candidates are found by
    // (with the article's story as first assigned, and its language, so
    // that finding candidates reads one table; later merges are resolved
    // through story_merges), and merged stories. Tables of their own, read
    // and written only by the story code.
    "CREATE TABLE story_articles (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        story INTEGER NOT NULL,
        duplicate_of INTEGER,
        source TEXT NOT NULL,
        lang TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        at INTEGER NOT NULL,
        seen INTEGER NOT NULL,
        minhash BLOB,
        cross BLOB
    );
    CREATE INDEX story_articles_by_story ON story_articles (story, at);
    CREATE INDEX story_articles_by_time ON story_articles (at);
    CREATE TABLE story_features (
        hash INTEGER NOT NULL,
        at INTEGER NOT NULL,
        n INTEGER NOT NULL,
        story INTEGER NOT NULL,
        lang TEXT NOT NULL,
        PRIMARY KEY (hash, at, n)
    ) WITHOUT ROWID;
    CREATE TABLE story_merges (
        story INTEGER PRIMARY KEY,
        into_story INTEGER NOT NULL,
        at INTEGER NOT NULL
    );",
    // 13: the story assigner's filter of stored keys, saved when a writer
    // closes cleanly and taken (read and deleted) when the next one opens:
    // built from the story tables instead, it read every feature row at
    // every start. `last_n` is the highest article number stored when it
    // was saved; a store that has more was written since, and the filter
    // is built again.
    "CREATE TABLE story_filter (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_n INTEGER NOT NULL,
        feature_span_ms INTEGER NOT NULL,
        band_span_ms INTEGER NOT NULL,
        capacity INTEGER NOT NULL,
        keys INTEGER NOT NULL,
        blocks BLOB NOT NULL
    );",
    // 14: MinHash bands in a table of their own (`stories`), three
    // integers a row, and half as many an article (10 bands of 2 values
    // instead of 20 of 3): they were half of all story rows written. The
    // old bands (features with the two top bits set, negative as SQLite's
    // integers) are of the old shape and go; the articles stored so far get
    // theirs made again from their stored MinHash, a slice at a time, from
    // the article number `story_reband` holds (by the story writer when it
    // opens). The saved filter holds the old bands: it goes too, and is
    // built again.
    "CREATE TABLE story_bands (
        hash INTEGER NOT NULL,
        at INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (hash, at, n)
    ) WITHOUT ROWID;
    CREATE TABLE story_reband (next_n INTEGER NOT NULL);
    INSERT INTO story_reband SELECT 0 WHERE EXISTS (SELECT 1 FROM story_articles);
    DELETE FROM story_features WHERE hash < 0;
    DELETE FROM story_filter;",
    // 15: the copies of each article (`stories`): when an earlier version
    // arrives later, the copies of the old root are pointed at it, and
    // without an index that statement read the whole of story_articles
    // (MinHash blobs and all), a third of the writer's story time at 20,000
    // articles and growing with the store. Partial: most articles copy
    // nothing.
    "CREATE INDEX story_articles_by_copy ON story_articles (duplicate_of)
        WHERE duplicate_of IS NOT NULL;",
    // 16: MinHashes of word pairs, not triples (`stories::signature`). The
    // articles stored so far keep theirs, of triples, and their bands: a
    // new article finds copies among them by its own triples, made only
    // when its copy window meets their dates. Kept here: the number of
    // the last of them, and the first and last of their dates.
    "CREATE TABLE story_triples (
        last_n INTEGER NOT NULL,
        from_at INTEGER NOT NULL,
        to_at INTEGER NOT NULL
    );
    INSERT INTO story_triples
        SELECT * FROM (SELECT MAX(n), MIN(at), MAX(at) FROM story_articles)
        WHERE EXISTS (SELECT 1 FROM story_articles);",
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

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::tests::{due, t};
    use super::super::{State, FILE_NAME};
    use super::*;

    /// A store as a pressd of schema version `version` left it.
    fn store_at_version(dir: &Path, version: usize) -> Connection {
        let conn = Connection::open(dir.join(FILE_NAME)).expect("raw open");
        for sql in &MIGRATIONS[..version] {
            conn.execute_batch(sql).expect("old migration");
        }
        conn.pragma_update(None, "user_version", version as i64)
            .expect("user_version");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("application_id");
        conn
    }

    fn columns(state_dir: &Path, table: &str) -> Vec<String> {
        let conn = Connection::open(state_dir.join(FILE_NAME)).expect("raw open");
        let mut stmt = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .expect("table_info");
        let names = stmt
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<Result<Vec<String>, _>>()
            .expect("names");
        names
    }

    #[test]
    fn a_store_of_version_12_is_migrated_and_keeps_its_stories() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let conn = store_at_version(tmp.path(), 12);
        conn.execute_batch(
            "INSERT INTO story_articles (n, id, story, source, lang, title, url, at, seen)
                VALUES (1, 'https://a.example/1', 1, 'a', 'en', 'Fire', 'https://a.example/1',
                        1700000000000, 1700000000000);
             INSERT INTO story_features (hash, at, n, story, lang)
                VALUES (7, 1700000000000, 1, 1, 'en');",
        )
        .expect("old rows");
        drop(conn);

        let state = State::open(tmp.path()).expect("migrating open");
        assert_eq!(state.story_last_number().expect("last"), 1);
        let take = |state: &State| {
            state
                .take_story_filter(|saved, len, blocks| {
                    let mut bytes = vec![0; len];
                    blocks.read_exact(&mut bytes)?;
                    Ok((saved.clone(), bytes))
                })
                .expect("take")
        };
        assert_eq!(take(&state), None);
        let saved = crate::state::SavedFilter {
            last_n: 1,
            feature_span_ms: 1,
            band_span_ms: 2,
            capacity: 3,
            keys: 4,
        };
        state
            .save_story_filter(&saved, 3, |out| out.write_all(&[5, 6, 7]))
            .expect("save");
        assert_eq!(take(&state), Some((saved, vec![5, 6, 7])));
        assert_eq!(take(&state), None);
        drop(state);
        State::open_read_only(tmp.path()).expect("read-only open");
    }

    #[test]
    fn a_store_of_version_13_gets_its_bands_made_again_from_its_minhashes() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let conn = store_at_version(tmp.path(), 13);
        // Article 1 has a MinHash of 60 values and an old band; article 2
        // none (a short body); 3 a name.
        let minhash: Vec<u8> = (0..60u32).flat_map(|v| v.to_le_bytes()).collect();
        conn.execute(
            "INSERT INTO story_articles (n, id, story, source, lang, title, url, at, seen,
                                         minhash)
                VALUES (1, 'https://a.example/1', 1, 'a', 'en', 'Fire', 'https://a.example/1',
                        1700000000000, 1700000000000, ?1),
                       (2, 'https://a.example/2', 2, 'a', 'en', 'Short', 'https://a.example/2',
                        1700000000000, 1700000000000, NULL),
                       (3, 'https://a.example/3', 3, 'a', 'en', 'Name', 'https://a.example/3',
                        1700000000000, 1700000000000, NULL)",
            [minhash],
        )
        .expect("old articles");
        conn.execute_batch(
            "INSERT INTO story_features (hash, at, n, story, lang)
                VALUES (-5, 1700000000000, 1, 1, 'en'), (7, 1700000000000, 3, 3, 'en');
             INSERT INTO story_filter
                VALUES (1, 3, 1, 2, 3, 4, x'00');",
        )
        .expect("old rows");
        drop(conn);

        let state = State::open(tmp.path()).expect("migrating open");
        let keys = |state: &State| {
            let mut keys = Vec::new();
            state
                .story_keys(|key| {
                    if let crate::state::StoredKey::Feature(hash, _) = key {
                        keys.push(hash);
                    }
                })
                .expect("keys");
            keys
        };
        // The old band is gone, the name stays, the saved filter is gone.
        assert_eq!(keys(&state), vec![7]);
        assert_eq!(
            state.take_story_filter(|_, _, _| Ok(())).expect("take"),
            None
        );
        // Made a slice at a time (here one article), from where it got.
        let made = |m: &[u32]| vec![u64::from(m[0]) + 100, u64::from(m[59]) + 100];
        let mut slices = 0;
        while state.story_reband(1, made).expect("reband") {
            slices += 1;
        }
        assert_eq!(slices, 3);
        assert!(!state.story_reband(1, made).expect("reband"));
        assert_eq!(keys(&state), vec![7, 100, 159]);
        let at = chrono::DateTime::from_timestamp_millis(1_700_000_000_000).expect("at");
        assert_eq!(
            state
                .story_band_articles(&[159], at, at, 5)
                .expect("articles"),
            vec![1]
        );
        // A new store has nothing to make.
        let fresh = tempfile::tempdir().expect("tempdir");
        let state = State::open(fresh.path()).expect("open");
        assert!(!state.story_reband(10, made).expect("reband"));
    }

    #[test]
    fn a_store_of_version_15_keeps_which_articles_have_minhashes_of_triples() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let conn = store_at_version(tmp.path(), 15);
        conn.execute_batch(
            "INSERT INTO story_articles (n, id, story, source, lang, title, url, at, seen)
                VALUES (1, 'https://a.example/1', 1, 'a', 'en', 'Fire', 'https://a.example/1',
                        1700000000000, 1700000000000),
                       (2, 'https://a.example/2', 2, 'a', 'en', 'Flood', 'https://a.example/2',
                        1600000000000, 1700000000001);",
        )
        .expect("old rows");
        drop(conn);
        let state = State::open(tmp.path()).expect("migrating open");
        let at = |ms| chrono::DateTime::from_timestamp_millis(ms).expect("at");
        assert_eq!(
            state.story_triples().expect("triples"),
            Some(crate::state::Triples {
                last_n: 2,
                from: at(1_600_000_000_000),
                to: at(1_700_000_000_000)
            })
        );
        // A new store has none.
        let fresh = tempfile::tempdir().expect("tempdir");
        let state = State::open(fresh.path()).expect("open");
        assert_eq!(state.story_triples().expect("triples"), None);
    }

    #[test]
    fn a_store_of_version_4_is_migrated_and_keeps_its_work() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let conn = store_at_version(tmp.path(), 4);
        conn.execute_batch(
            "INSERT INTO sources (id, etag, items_seen, last_attempt, next_poll)
                VALUES ('tg', '\"e1\"', 7, 1700000000000, 1700000600000);
             INSERT INTO frontier (key, source, url, discovered_at, next_attempt,
                                   kind, text, author_handle, views)
                VALUES ('https://t.me/c/1', 'tg', 'https://t.me/c/1', 1700000000000,
                        1700000000000, 'post', 'Bakıda yeni metro', 'c', 33400);
             INSERT INTO handled (key, status, at) VALUES ('https://a.example/1', 'indexed', 1);",
        )
        .expect("old rows");
        drop(conn);

        let state = State::open(tmp.path()).expect("migrating open");
        let queued = due(&state, t(0), 10, &[]);
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].item.text.as_deref(), Some("Bakıda yeni metro"));
        assert_eq!(queued[0].item.author_handle.as_deref(), Some("c"));
        assert!(state.is_handled("https://a.example/1").expect("handled"));
        let tg = state.source("tg").expect("source").expect("row");
        assert_eq!(tg.validators.etag.as_deref(), Some("\"e1\""));
        assert_eq!((tg.items_seen, tg.next_poll), (7, Some(t(600))));
        // Its URL was not kept then: the first one it is told is taken as
        // the one its validators belong to.
        assert_eq!(tg.url, None);
        let changed = state
            .set_source_urls(&[("tg", "https://t.me/s/c")])
            .expect("urls");
        assert!(changed.is_empty(), "{changed:?}");
        let tg = state.source("tg").expect("source").expect("row");
        assert_eq!(tg.url.as_deref(), Some("https://t.me/s/c"));
        assert_eq!(
            tg.poll_validators().and_then(|v| v.etag.as_deref()),
            Some("\"e1\"")
        );
        assert!(!columns(tmp.path(), "frontier").contains(&"views".to_string()));
        drop(state);
        // Opening again runs nothing more, and a reader accepts the store.
        drop(State::open(tmp.path()).expect("reopen"));
        State::open_read_only(tmp.path()).expect("read-only open");
    }
}
