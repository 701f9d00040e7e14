//! The tables of watches (saved searches that notify): the documents the
//! index writer committed (`committed`, in commit order), each watch's scan
//! mark and digest schedule (`watches`), what fired (`watch_hits`, once per
//! watch and key), and the outbox of deliveries (`watch_deliveries`).
//!
//! The store only keeps these rows; what a hit or a message body holds is
//! opaque text to it (JSON made by [`crate::watch`]).
//!
//! Why nothing is lost on a kill: a document is listed in `committed` in
//! the same transaction that marks its frontier entry done
//! ([`State::mark_committed`]), so a kill before that transaction leaves the
//! entry queued, and it is indexed and listed again. A watch's mark moves
//! past a stretch of `committed` in the same transaction that records the
//! stretch's hits and their deliveries ([`State::record_matches`]), so a
//! kill before it scans the stretch again; `watch_hits`' key keeps a
//! document from firing twice. A delivery is `pending` until its receiver
//! acknowledged it; a kill mid-delivery sends it again, with the same
//! idempotency key.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{time_column, State, StateError};

/// A hit to record: the key it fires once for (a document id, or a story
/// id), the document, and the hit as the message shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHit {
    pub key: String,
    pub doc_id: String,
    pub hit: String,
}

/// A message to put in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    /// The idempotency key.
    pub id: String,
    pub watch: String,
    /// `webhook` or `command`.
    pub channel: &'static str,
    /// The exact bytes sent (and signed).
    pub body: String,
    /// Hits the message carries.
    pub hits: usize,
}

/// A delivery of the outbox that is due.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDelivery {
    pub id: String,
    pub watch: String,
    pub channel: String,
    pub body: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Ok,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Ok => "ok",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> DeliveryStatus {
        match s {
            "ok" => DeliveryStatus::Ok,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// The last attempt of a watch's deliveries.
#[derive(Debug, Clone, PartialEq)]
pub struct LastDelivery {
    pub at: DateTime<Utc>,
    pub channel: String,
    /// `ok`, `failed`, or `pending` (the last attempt failed and will be
    /// tried again).
    pub status: DeliveryStatus,
    pub error: Option<String>,
}

/// What the store knows of one watch's deliveries (`pressd watches`,
/// `/metrics`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WatchRecord {
    pub id: String,
    /// When the daemon first ran with the watch; `None` before.
    pub created_at: Option<DateTime<Utc>>,
    pub hits: u64,
    pub delivered: u64,
    pub pending: u64,
    pub failed: u64,
    pub last: Option<LastDelivery>,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl State {
    /// The index writer committed these documents: mark their frontier
    /// entries (key, document id) done (as [`State::mark_indexed`]) and list
    /// the `news` among the document ids for the watches, in one
    /// transaction.
    pub fn mark_committed(
        &self,
        done: &[(String, String)],
        news: &[&str],
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("mark_committed", |tx| {
            super::frontier::mark_indexed_in(tx, done, now)?;
            let mut list =
                tx.prepare_cached("INSERT INTO committed (doc_id, at) VALUES (?1, ?2)")?;
            for doc_id in news {
                list.execute(params![doc_id, ms(now)])?;
            }
            Ok(())
        })
    }

    /// Make the store's watches those of `configured` (id and digest
    /// period): a new one starts scanning after the last document committed
    /// so far (a watch fires for what is committed after it was created, not
    /// for the back catalogue); a removed one is forgotten, so that adding
    /// it again starts afresh (its hits stay, and still keep a document
    /// from firing twice). A changed digest period takes effect at the next
    /// digest; a watch that no longer batches has its last digest due now,
    /// for the hits that waited.
    pub fn sync_watches(
        &self,
        configured: &[(&str, Option<Duration>)],
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("sync_watches", |tx| {
            let last: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'committed'), 0)",
                )?
                .query_row([], |row| row.get(0))?;
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO watches (id, created_at, scanned, next_digest)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut digest_on = tx.prepare_cached(
                "UPDATE watches SET next_digest = ?2 WHERE id = ?1 AND next_digest IS NULL",
            )?;
            let mut digest_off = tx.prepare_cached(
                "UPDATE watches SET next_digest = MIN(next_digest, ?2)
                 WHERE id = ?1 AND next_digest IS NOT NULL",
            )?;
            for (id, digest) in configured {
                let next = digest.map(|d| ms(now) + duration_ms(d));
                insert.execute(params![id, ms(now), last, next])?;
                match next {
                    Some(next) => digest_on.execute(params![id, next])?,
                    None => digest_off.execute(params![id, ms(now)])?,
                };
            }
            let ids: HashSet<&str> = configured.iter().map(|(id, _)| *id).collect();
            let known: Vec<String> = tx
                .prepare_cached("SELECT id FROM watches")?
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            let mut forget = tx.prepare_cached("DELETE FROM watches WHERE id = ?1")?;
            for id in known.iter().filter(|id| !ids.contains(id.as_str())) {
                forget.execute([id])?;
            }
            Ok(())
        })
    }

    /// Each known watch's scan mark: the last `committed` entry it scanned.
    pub fn watch_marks(&self) -> Result<Vec<(String, i64)>, StateError> {
        self.read("watch_marks", |conn| {
            conn.prepare_cached("SELECT id, scanned FROM watches ORDER BY id")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
    }

    /// Up to `limit` committed documents after entry `after`, in commit
    /// order: (entry, document id).
    pub fn committed_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, StateError> {
        self.read("committed_after", |conn| {
            conn.prepare_cached(
                "SELECT seq, doc_id FROM committed WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?
            .query_map(
                params![after, i64::try_from(limit).unwrap_or(i64::MAX)],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?
            .collect()
        })
    }

    /// Which of `keys` already fired for `watch`.
    pub fn fired(&self, watch: &str, keys: &[String]) -> Result<HashSet<String>, StateError> {
        self.read("fired", |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT 1 FROM watch_hits WHERE watch = ?1 AND key = ?2")?;
            let mut found = HashSet::new();
            for key in keys {
                if stmt
                    .query_row(params![watch, key], |_| Ok(()))
                    .optional()?
                    .is_some()
                {
                    found.insert(key.clone());
                }
            }
            Ok(found)
        })
    }

    /// Record what a scan of `watch` up to committed entry `scanned` found,
    /// in one transaction: the hits (a key that already fired is ignored),
    /// the messages that carry them, and the new mark. `batched` hits are
    /// in `deliveries` already; the others wait for the watch's digest.
    pub fn record_matches(
        &self,
        watch: &str,
        scanned: i64,
        hits: &[NewHit],
        batched: bool,
        deliveries: &[NewDelivery],
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("record_matches", |tx| {
            insert_hits(tx, watch, hits, batched, now)?;
            insert_deliveries(tx, deliveries, now)?;
            tx.prepare_cached("UPDATE watches SET scanned = MAX(scanned, ?2) WHERE id = ?1")?
                .execute(params![watch, scanned])?;
            Ok(())
        })
    }

    /// Forget committed documents every watch has scanned past (all of
    /// them when there is no watch). Returns how many were forgotten.
    pub fn prune_committed(&self) -> Result<u64, StateError> {
        self.write("prune_committed", |tx| {
            let n = tx
                .prepare_cached(
                    "DELETE FROM committed WHERE seq <=
                     COALESCE((SELECT MIN(scanned) FROM watches),
                              (SELECT MAX(seq) FROM committed))",
                )?
                .execute([])?;
            Ok(n as u64)
        })
    }

    /// Watches whose digest is due at `now`.
    pub fn due_digests(&self, now: DateTime<Utc>) -> Result<Vec<String>, StateError> {
        self.read("due_digests", |conn| {
            conn.prepare_cached(
                "SELECT id FROM watches WHERE next_digest IS NOT NULL AND next_digest <= ?1",
            )?
            .query_map([ms(now)], |row| row.get(0))?
            .collect()
        })
    }

    /// When the next digest of any watch is due.
    pub fn next_digest(&self) -> Result<Option<DateTime<Utc>>, StateError> {
        self.read("next_digest", |conn| {
            conn.prepare_cached("SELECT MIN(next_digest) FROM watches")?
                .query_row([], |row| time_column(row, 0))
        })
    }

    /// The hits of `watch` that wait for its digest, oldest first: (key,
    /// hit).
    pub fn unbatched_hits(&self, watch: &str) -> Result<Vec<(String, String)>, StateError> {
        self.read("unbatched_hits", |conn| {
            conn.prepare_cached(
                "SELECT key, hit FROM watch_hits WHERE watch = ?1 AND batched = 0
                 ORDER BY at, rowid",
            )?
            .query_map([watch], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect()
        })
    }

    /// A digest of `watch` was made: its hits `keys` go out in
    /// `deliveries`, and the next digest is due at `next` (`None`: the
    /// watch no longer batches); one transaction.
    pub fn record_digest(
        &self,
        watch: &str,
        keys: &[String],
        deliveries: &[NewDelivery],
        next: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("record_digest", |tx| {
            let mut batch = tx.prepare_cached(
                "UPDATE watch_hits SET batched = 1 WHERE watch = ?1 AND key = ?2",
            )?;
            for key in keys {
                batch.execute(params![watch, key])?;
            }
            insert_deliveries(tx, deliveries, now)?;
            tx.prepare_cached("UPDATE watches SET next_digest = ?2 WHERE id = ?1")?
                .execute(params![watch, next.map(ms)])?;
            Ok(())
        })
    }

    /// Pending deliveries due at `now`, oldest first, but those in `busy`.
    pub fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        busy: &HashSet<String>,
    ) -> Result<Vec<PendingDelivery>, StateError> {
        self.read("due_deliveries", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, watch, channel, body, attempts, created_at FROM watch_deliveries
                 WHERE status = 'pending' AND next_attempt <= ?1
                 ORDER BY next_attempt, created_at",
            )?;
            let rows = stmt.query_map([ms(now)], |row| {
                Ok(PendingDelivery {
                    id: row.get(0)?,
                    watch: row.get(1)?,
                    channel: row.get(2)?,
                    body: row.get(3)?,
                    attempts: row.get(4)?,
                    created_at: time_column(row, 5)?.unwrap_or_default(),
                })
            })?;
            let mut due = Vec::new();
            for row in rows {
                let row = row?;
                if !busy.contains(&row.id) {
                    due.push(row);
                    if due.len() >= limit {
                        break;
                    }
                }
            }
            Ok(due)
        })
    }

    /// When the next pending delivery is due, if any is pending.
    pub fn next_delivery(&self) -> Result<Option<DateTime<Utc>>, StateError> {
        self.read("next_delivery", |conn| {
            conn.prepare_cached(
                "SELECT MIN(next_attempt) FROM watch_deliveries WHERE status = 'pending'",
            )?
            .query_row([], |row| time_column(row, 0))
        })
    }

    /// An attempt at delivery `id` ended: `Ok` (acknowledged), `Failed`
    /// (given up), or `Pending` with the time of the next attempt.
    pub fn record_attempt(
        &self,
        id: &str,
        status: DeliveryStatus,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.write("record_attempt", |tx| {
            let done_at = (status != DeliveryStatus::Pending).then(|| ms(now));
            tx.prepare_cached(
                "UPDATE watch_deliveries
                 SET status = ?2, attempts = attempts + 1, last_attempt = ?3, last_error = ?4,
                     next_attempt = COALESCE(?5, next_attempt), done_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                status.as_str(),
                ms(now),
                error,
                retry_at.map(ms),
                done_at
            ])?;
            Ok(())
        })
    }

    /// Forget the hits that fired and the messages that ended (delivered
    /// or given up) before `before`, so that the store does not grow with
    /// every hit ever; pending messages and hits waiting for a digest stay.
    /// Kept as long as handled URLs ([`State::forget_handled`]): a
    /// document is fetched again only once its URL is forgotten, and may
    /// then fire again. Returns how many rows were forgotten.
    pub fn forget_watch_history(&self, before: DateTime<Utc>) -> Result<u64, StateError> {
        self.write("forget_watch_history", |tx| {
            let hits = tx
                .prepare_cached("DELETE FROM watch_hits WHERE batched = 1 AND at < ?1")?
                .execute([ms(before)])?;
            let messages = tx
                .prepare_cached(
                    "DELETE FROM watch_deliveries WHERE status != 'pending' AND done_at < ?1",
                )?
                .execute([ms(before)])?;
            Ok((hits + messages) as u64)
        })
    }

    /// Make every pending message of `watch` on `channel` due at `now`:
    /// its receiver just took one, so those backing off from its outage go
    /// now rather than at their next step. Returns how many.
    pub fn hasten_deliveries(
        &self,
        watch: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StateError> {
        self.write("hasten_deliveries", |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE watch_deliveries SET next_attempt = ?3
                     WHERE watch = ?1 AND channel = ?2 AND status = 'pending' AND next_attempt > ?3",
                )?
                .execute(params![watch, channel, ms(now)])?;
            Ok(n as u64)
        })
    }

    /// The latest `n` hits of `watch`, newest first: (hit, when it fired).
    pub fn recent_hits(
        &self,
        watch: &str,
        n: usize,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StateError> {
        self.read("recent_hits", |conn| {
            conn.prepare_cached(
                "SELECT hit, at FROM watch_hits WHERE watch = ?1
                 ORDER BY at DESC, rowid DESC LIMIT ?2",
            )?
            .query_map(
                params![watch, i64::try_from(n).unwrap_or(i64::MAX)],
                |row| Ok((row.get(0)?, time_column(row, 1)?.unwrap_or_default())),
            )?
            .collect()
        })
    }

    /// What the store knows of each watch it has hits, deliveries or a row
    /// for, by id.
    pub fn watch_records(&self) -> Result<Vec<WatchRecord>, StateError> {
        self.read("watch_records", |conn| {
            let mut records: std::collections::BTreeMap<String, WatchRecord> =
                std::collections::BTreeMap::new();
            fn entry(
                records: &mut std::collections::BTreeMap<String, WatchRecord>,
                id: String,
            ) -> &mut WatchRecord {
                records.entry(id.clone()).or_insert_with(|| WatchRecord {
                    id,
                    ..WatchRecord::default()
                })
            }
            let mut stmt = conn.prepare_cached("SELECT id, created_at FROM watches")?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, time_column(row, 1)?))
            })?;
            for row in rows {
                let (id, created) = row?;
                entry(&mut records, id).created_at = created;
            }
            let mut stmt =
                conn.prepare_cached("SELECT watch, COUNT(*) FROM watch_hits GROUP BY watch")?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (id, n) = row?;
                entry(&mut records, id).hits = n as u64;
            }
            let mut stmt = conn.prepare_cached(
                "SELECT watch, status, COUNT(*) FROM watch_deliveries GROUP BY watch, status",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (id, status, n) = row?;
                let record = entry(&mut records, id);
                let n = n as u64;
                match DeliveryStatus::parse(&status) {
                    DeliveryStatus::Ok => record.delivered = n,
                    DeliveryStatus::Failed => record.failed = n,
                    DeliveryStatus::Pending => record.pending = n,
                }
            }
            let mut stmt = conn.prepare_cached(
                "SELECT watch, last_attempt, channel, status, last_error FROM watch_deliveries
                 WHERE last_attempt IS NOT NULL
                 AND rowid IN (SELECT rowid FROM watch_deliveries d
                               WHERE d.watch = watch_deliveries.watch
                               AND d.last_attempt IS NOT NULL
                               ORDER BY d.last_attempt DESC LIMIT 1)",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    LastDelivery {
                        at: time_column(row, 1)?.unwrap_or_default(),
                        channel: row.get(2)?,
                        status: DeliveryStatus::parse(&row.get::<_, String>(3)?),
                        error: row.get(4)?,
                    },
                ))
            })?;
            for row in rows {
                let (id, last) = row?;
                entry(&mut records, id).last = Some(last);
            }
            Ok(records.into_values().collect())
        })
    }
}

fn insert_hits(
    tx: &rusqlite::Transaction<'_>,
    watch: &str,
    hits: &[NewHit],
    batched: bool,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO watch_hits (watch, key, doc_id, hit, at, batched)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for h in hits {
        insert.execute(params![watch, h.key, h.doc_id, h.hit, ms(now), batched])?;
    }
    Ok(())
}

fn insert_deliveries(
    tx: &rusqlite::Transaction<'_>,
    deliveries: &[NewDelivery],
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO watch_deliveries (id, watch, channel, body, hits, created_at, status, next_attempt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?6)",
    )?;
    for d in deliveries {
        insert.execute(params![
            d.id,
            d.watch,
            d.channel,
            d.body,
            i64::try_from(d.hits).unwrap_or(i64::MAX),
            ms(now)
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{keyed, t};
    use super::*;

    fn done(ids: &[&str]) -> Vec<(String, String)> {
        ids.iter().map(|u| (u.to_string(), u.to_string())).collect()
    }

    fn hit(key: &str) -> NewHit {
        NewHit {
            key: key.into(),
            doc_id: key.into(),
            hit: format!("{{\"url\":\"{key}\"}}"),
        }
    }

    fn delivery(id: &str, watch: &str) -> NewDelivery {
        NewDelivery {
            id: id.into(),
            watch: watch.into(),
            channel: "webhook",
            body: "{}".into(),
            hits: 1,
        }
    }

    #[test]
    fn a_new_watch_scans_only_what_is_committed_after_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let (a, b) = ("https://e.org/a", "https://e.org/b");
        state.enqueue("s", &keyed(&[a, b]), t(0)).expect("enqueue");
        state
            .mark_committed(&done(&[a]), &[a], t(1))
            .expect("commit a");
        // Committed documents are handled like indexed ones.
        assert!(state.is_handled(a).expect("handled"));
        state.sync_watches(&[("w", None)], t(2)).expect("sync");
        state
            .mark_committed(&done(&[b]), &[b], t(3))
            .expect("commit b");
        let marks = state.watch_marks().expect("marks");
        assert_eq!(marks.len(), 1);
        let after = state.committed_after(marks[0].1, 10).expect("after");
        assert_eq!(
            after.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
            [b]
        );
        // Nothing scanned yet: only what every watch scanned goes.
        assert_eq!(state.prune_committed().expect("prune"), 1);
        state
            .record_matches(
                "w",
                after[0].0,
                &[hit(b)],
                true,
                &[delivery("k1", "w")],
                t(4),
            )
            .expect("record");
        assert_eq!(state.prune_committed().expect("prune"), 1);
        // A key fires once: recording it again changes nothing.
        state
            .record_matches("w", after[0].0, &[hit(b)], true, &[], t(5))
            .expect("record again");
        assert_eq!(
            state
                .fired("w", &[b.to_string(), a.to_string()])
                .expect("fired"),
            HashSet::from([b.to_string()])
        );
        let records = state.watch_records().expect("records");
        assert_eq!(records[0].hits, 1);
        assert_eq!(records[0].pending, 1);
    }

    #[test]
    fn deliveries_are_pending_until_acknowledged_or_given_up() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        state.sync_watches(&[("w", None)], t(0)).expect("sync");
        state
            .record_matches(
                "w",
                0,
                &[hit("a"), hit("b")],
                true,
                &[delivery("k1", "w"), delivery("k2", "w")],
                t(1),
            )
            .expect("record");
        let none = HashSet::new();
        assert_eq!(state.due_deliveries(t(1), 10, &none).expect("due").len(), 2);
        let busy = HashSet::from(["k1".to_string()]);
        let due = state.due_deliveries(t(1), 10, &busy).expect("due");
        assert_eq!(due[0].id, "k2");
        state
            .record_attempt(
                "k1",
                DeliveryStatus::Pending,
                Some("HTTP 500"),
                Some(t(60)),
                t(2),
            )
            .expect("retry");
        state
            .record_attempt("k2", DeliveryStatus::Ok, None, None, t(3))
            .expect("ok");
        assert!(state
            .due_deliveries(t(30), 10, &none)
            .expect("due")
            .is_empty());
        assert_eq!(state.next_delivery().expect("next"), Some(t(60)));
        // Another message of the watch went through: the receiver is back.
        assert_eq!(
            state
                .hasten_deliveries("w", "command", t(4))
                .expect("hasten"),
            0
        );
        assert_eq!(
            state
                .hasten_deliveries("w", "webhook", t(4))
                .expect("hasten"),
            1
        );
        assert_eq!(state.next_delivery().expect("next"), Some(t(4)));
        state
            .record_attempt(
                "k1",
                DeliveryStatus::Pending,
                Some("HTTP 500"),
                Some(t(60)),
                t(5),
            )
            .expect("retry");
        let due = state.due_deliveries(t(60), 10, &none).expect("due");
        assert_eq!((due[0].id.as_str(), due[0].attempts), ("k1", 2));
        state
            .record_attempt("k1", DeliveryStatus::Failed, Some("HTTP 404"), None, t(61))
            .expect("give up");
        assert_eq!(state.next_delivery().expect("next"), None);
        let r = &state.watch_records().expect("records")[0];
        assert_eq!((r.delivered, r.failed, r.pending), (1, 1, 0));
        let last = r.last.as_ref().expect("last");
        assert_eq!(last.status, DeliveryStatus::Failed);
        assert_eq!(last.error.as_deref(), Some("HTTP 404"));
        assert_eq!(last.at, t(61));
    }

    #[test]
    fn digests_batch_the_hits_that_wait() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let hour = Duration::from_secs(3600);
        state
            .sync_watches(&[("d", Some(hour))], t(0))
            .expect("sync");
        assert!(state.due_digests(t(10)).expect("due").is_empty());
        assert_eq!(state.next_digest().expect("next"), Some(t(3600)));
        state
            .record_matches("d", 0, &[hit("a"), hit("b")], false, &[], t(5))
            .expect("record");
        assert_eq!(state.due_digests(t(3600)).expect("due"), ["d"]);
        let waiting = state.unbatched_hits("d").expect("waiting");
        assert_eq!(waiting.len(), 2);
        let keys: Vec<String> = waiting.into_iter().map(|(k, _)| k).collect();
        state
            .record_digest("d", &keys, &[delivery("k", "d")], Some(t(7200)), t(3600))
            .expect("digest");
        assert!(state.unbatched_hits("d").expect("waiting").is_empty());
        assert!(state.due_digests(t(3601)).expect("due").is_empty());
        // History goes by age; what still waits stays.
        state
            .record_matches("d", 0, &[hit("c")], false, &[], t(3700))
            .expect("record");
        assert_eq!(state.forget_watch_history(t(3650)).expect("forget"), 2);
        assert_eq!(state.recent_hits("d", 10).expect("recent").len(), 1);
        // A watch that stops batching has its last digest due at once, for
        // the hit that waits.
        state.sync_watches(&[("d", None)], t(3800)).expect("sync");
        assert_eq!(state.due_digests(t(3800)).expect("due"), ["d"]);
        state
            .record_digest("d", &["c".to_string()], &[], None, t(3800))
            .expect("last digest");
        assert!(state.due_digests(t(9999)).expect("due").is_empty());
        // A watch removed from the configuration is forgotten.
        state.sync_watches(&[], t(3700)).expect("sync");
        assert!(state.watch_marks().expect("marks").is_empty());
    }
}
