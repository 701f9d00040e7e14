//! The `handled` table: every item key and document id that was indexed or
//! given up on, so that a link listed again is not queued twice. Keys are
//! forgotten after a while ([`State::forget_handled`]); an entry of the
//! frontier becomes handled in `frontier` (`mark_indexed`, `mark_failed`).

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{State, StateError};

impl State {
    /// Whether a document id or item key was already handled.
    pub fn is_handled(&self, key: &str) -> Result<bool, StateError> {
        self.read("is_handled", |conn| {
            conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM handled WHERE key = ?1)")?
                .query_row([key], |row| row.get(0))
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::{keyed, t};
    use super::*;

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
}
