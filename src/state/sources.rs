//! The `sources` table: one row per polled source, holding what the
//! scheduler needs to poll it well (the server's validators for a
//! conditional GET, the next poll time, the adaptive interval) and what its
//! health is worked out from (last success and error, consecutive failures,
//! items seen, cadence, recent extraction outcomes, how completely the last
//! document was read).
//!
//! A row also remembers the URL it was polled from, because part of what
//! it holds belongs to that URL rather than to the source: when the config
//! gives the source another URL, [`State::set_source_urls`] forgets that
//! part, whether the change arrives by a reload or across a restart.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{time_column, State, StateError};
use crate::http::Validators;
use crate::sources::Reading;

/// How many of a source's latest article extractions are remembered.
pub const EXTRACTION_WINDOW: usize = 5;

/// Health and HTTP validators of one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceState {
    pub id: String,
    /// The URL the validators, schedule and failures belong to (see
    /// [`State::set_source_urls`]); `None` until the daemon first started
    /// with a pressd that keeps it.
    pub url: Option<String>,
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
    /// How completely the last document the source served was read (its
    /// entries, the items they gave, what was skipped or repaired); `None`
    /// for kinds that do not account for it and before the first reading.
    /// A 304 keeps it: the document did not change.
    pub reading: Option<Reading>,
    /// Where the source's next poll starts, as its kind wrote it (the
    /// social kinds: an account id, the newest post seen); `None` before
    /// the first poll and for kinds that keep none. Goes with the URL, as
    /// the validators do.
    pub cursor: Option<String>,
}

impl SourceState {
    /// The validators to send on the source's next poll: `None` when it was
    /// never polled at its URL, which makes that poll a first poll (the
    /// Telegram source then pages back through the channel's history), else
    /// those stored, empty when the server sent none.
    pub fn poll_validators(&self) -> Option<&Validators> {
        self.last_attempt.map(|_| &self.validators)
    }
}

impl State {
    pub fn source(&self, id: &str) -> Result<Option<SourceState>, StateError> {
        self.read("source", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?1"
            ))?
            .query_row([id], source_from_row)
            .optional()
        })
    }

    /// All sources the store knows (polled, or told their URL), ordered by
    /// id.
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

    /// Remember how completely the document of the source's last
    /// successful poll was read (`None`: its kind does not say).
    pub fn record_reading(&self, id: &str, reading: Option<&Reading>) -> Result<(), StateError> {
        // A Reading is plain data: serialising it cannot fail.
        let json = reading.and_then(|r| serde_json::to_string(r).ok());
        self.write("record_reading", |tx| {
            ensure_source(tx, id)?;
            tx.prepare_cached("UPDATE sources SET reading = ?2 WHERE id = ?1")?
                .execute(params![id, json])?;
            Ok(())
        })
    }

    /// Remember where the source's next poll starts (`None` forgets it).
    pub fn record_cursor(&self, id: &str, cursor: Option<&str>) -> Result<(), StateError> {
        self.write("record_cursor", |tx| {
            ensure_source(tx, id)?;
            tx.prepare_cached("UPDATE sources SET cursor = ?2 WHERE id = ?1")?
                .execute(params![id, cursor])?;
            Ok(())
        })
    }

    /// Tell the store which URL each `(id, url)` source is polled from, in
    /// one transaction, before its poller starts. Returns `(id, old URL)`
    /// for each source whose URL differs from the one its row was polled
    /// from; such a row forgets what belonged to the old URL:
    /// - the validators and the cursor: the old URL's ETag, date, account
    ///   id or newest post say nothing about the new one, and a server may
    ///   well answer 304 to them forever;
    /// - the schedule: the next poll is due at once, and the adaptive
    ///   interval starts again from the source's minimum;
    /// - the poll outcomes: the last attempt and success, the last error,
    ///   the count of consecutive failures and the reading of the last
    ///   document were the old URL's; the
    ///   failures would otherwise lengthen the new URL's back-off and report
    ///   it failing before it was ever asked, and without a last attempt
    ///   its next poll is a first poll ([`SourceState::poll_validators`]).
    ///
    /// What describes the outlet stays: items seen, the first success, the
    /// last new item and the cadence, recent extraction outcomes.
    ///
    /// A row that has no URL yet (a store from before pressd kept it) takes
    /// the URL as it is: what it holds is assumed to be that URL's.
    pub fn set_source_urls(
        &self,
        sources: &[(&str, &str)],
    ) -> Result<Vec<(String, String)>, StateError> {
        self.write("set_source_urls", |tx| {
            let mut stored = tx.prepare_cached("SELECT url FROM sources WHERE id = ?1")?;
            let mut insert = tx.prepare_cached("INSERT INTO sources (id, url) VALUES (?1, ?2)")?;
            let mut adopt = tx.prepare_cached("UPDATE sources SET url = ?2 WHERE id = ?1")?;
            let mut restart = tx.prepare_cached(
                "UPDATE sources SET
                    url = ?2,
                    etag = NULL,
                    last_modified = NULL,
                    next_poll = NULL,
                    interval_ms = NULL,
                    last_attempt = NULL,
                    last_success = NULL,
                    last_error = NULL,
                    consecutive_failures = 0,
                    reading = NULL,
                    cursor = NULL
                 WHERE id = ?1",
            )?;
            let mut changed = Vec::new();
            for &(id, url) in sources {
                let known: Option<Option<String>> =
                    stored.query_row([id], |row| row.get(0)).optional()?;
                match known {
                    None => {
                        insert.execute([id, url])?;
                    }
                    Some(None) => {
                        adopt.execute([id, url])?;
                    }
                    Some(Some(old)) if old == url => {}
                    Some(Some(old)) => {
                        restart.execute([id, url])?;
                        changed.push((id.to_owned(), old));
                    }
                }
            }
            Ok(changed)
        })
    }
}

/// Insert an empty row for `id` unless one exists.
fn ensure_source(tx: &rusqlite::Transaction<'_>, id: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO sources (id) VALUES (?1)")?
        .execute([id])?;
    Ok(())
}

const SOURCE_COLUMNS: &str = "id, etag, last_modified, last_attempt, last_success, last_error, \
     consecutive_failures, next_poll, items_seen, last_new_item, first_success, cadence_ms, \
     interval_ms, recent_extractions, url, reading, cursor";

fn source_from_row(row: &Row<'_>) -> rusqlite::Result<SourceState> {
    let recent: String = row.get(13)?;
    Ok(SourceState {
        id: row.get(0)?,
        url: row.get(14)?,
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
        // A reading this pressd cannot read back (written by a newer one)
        // is as good as none.
        reading: row
            .get::<_, Option<String>>(15)?
            .and_then(|json| serde_json::from_str(&json).ok()),
        cursor: row.get(16)?,
    })
}

/// A nullable non-negative duration in milliseconds.
fn millis_column(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Duration>> {
    Ok(row
        .get::<_, Option<i64>>(idx)?
        .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0))))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::tests::t;
    use super::*;

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

        // Another URL: its first poll is an unconditional GET.
        for url in ["https://a.example/feed.xml", "https://a.example/other.xml"] {
            state.set_source_urls(&[("feed-a", url)]).expect("urls");
        }
        let ok = state.source("feed-a").expect("source").expect("row");
        assert_eq!(ok.validators, Validators::default());
        assert_eq!(ok.items_seen, 5);
    }

    #[test]
    fn a_changed_url_forgets_what_belonged_to_the_old_one() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let (old, new) = ("https://a.example/feed.xml", "https://b.example/rss");
        let v = Validators {
            etag: Some("\"a1\"".into()),
            last_modified: Some("Tue, 03 Mar 2026 10:00:00 GMT".into()),
        };
        // First seen: a row with the URL, nothing else.
        assert!(state
            .set_source_urls(&[("s", old), ("quiet", old)])
            .expect("urls")
            .is_empty());
        assert_eq!(
            state.source("quiet").expect("source"),
            Some(SourceState {
                id: "quiet".into(),
                url: Some(old.into()),
                ..SourceState::default()
            })
        );
        state
            .record_success("s", Some(&v), 4, t(0), t(900))
            .expect("success");
        state
            .set_poll_interval("s", Duration::from_secs(900))
            .expect("interval");
        state.record_extraction("s", true).expect("extraction");
        state
            .record_reading("s", Some(&Reading::strict(4, 4, 0)))
            .expect("reading");
        state
            .record_failure("s", "HTTP status 410", t(900), t(2700))
            .expect("failure");
        state
            .record_failure("s", "HTTP status 410", t(2700), t(6300))
            .expect("failure");
        state
            .record_cursor("s", Some(r#"{"account":"42"}"#))
            .expect("cursor");
        let before = state.source("s").expect("source").expect("row");
        assert_eq!(before.cursor.as_deref(), Some(r#"{"account":"42"}"#));

        // The same URL again (a restart, a reload of other settings): kept.
        assert!(state
            .set_source_urls(&[("s", old)])
            .expect("urls")
            .is_empty());
        assert_eq!(state.source("s").expect("source"), Some(before.clone()));

        assert_eq!(
            state
                .set_source_urls(&[("s", new), ("quiet", old)])
                .expect("urls"),
            [("s".to_string(), old.to_string())]
        );
        let after = state.source("s").expect("source").expect("row");
        assert_eq!(
            after,
            SourceState {
                url: Some(new.into()),
                validators: Validators::default(),
                next_poll: None,
                interval: None,
                last_attempt: None,
                last_success: None,
                last_error: None,
                consecutive_failures: 0,
                reading: None,
                cursor: None,
                ..before
            }
        );
        // What describes the outlet is kept.
        assert_eq!(after.items_seen, 4);
        assert_eq!(after.first_success, Some(t(0)));
        assert_eq!(after.last_new_item, Some(t(0)));
        assert_eq!(after.recent_fetched, 1);
        // The next poll of the new URL is a first poll.
        assert_eq!(after.poll_validators(), None);
    }

    #[test]
    fn the_reading_of_the_last_document_is_kept_until_replaced() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let degraded = Reading {
            reader: crate::sources::Reader::Lenient,
            unreadable: 3,
            problem: Some("line 4, column 2: unclosed CDATA section".into()),
            ..Reading::strict(20, 17, 0)
        };
        state.record_reading("f", Some(&degraded)).expect("reading");
        let row = state.source("f").expect("source").expect("row");
        assert_eq!(row.reading.as_ref(), Some(&degraded));
        // A success (a 304 among them) leaves it; the next reading replaces it.
        state
            .record_success("f", None, 0, t(0), t(60))
            .expect("success");
        let row = state.source("f").expect("source").expect("row");
        assert_eq!(row.reading.as_ref(), Some(&degraded));
        state.record_reading("f", None).expect("reading");
        let row = state.source("f").expect("source").expect("row");
        assert_eq!(row.reading, None);
        // What cannot be read back is no reading, not an error.
        let conn =
            rusqlite::Connection::open(tmp.path().join(super::super::FILE_NAME)).expect("raw open");
        conn.execute("UPDATE sources SET reading = '{\"reader\":\"new\"}'", [])
            .expect("update");
        drop(conn);
        let row = state.source("f").expect("source").expect("row");
        assert_eq!(row.reading, None);
    }

    #[test]
    fn only_a_source_polled_at_its_url_has_validators_to_send() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let url = "https://t.me/s/channel";
        state.set_source_urls(&[("tg", url)]).expect("urls");
        let told = state.source("tg").expect("source").expect("row");
        assert_eq!(told.poll_validators(), None, "never polled");
        // A server that sends no validators: empty ones, and no first poll
        // any more.
        state
            .record_success("tg", Some(&Validators::default()), 3, t(0), t(60))
            .expect("success");
        let polled = state.source("tg").expect("source").expect("row");
        assert_eq!(polled.poll_validators(), Some(&Validators::default()));
        // A failed first poll counts as a poll too.
        state.set_source_urls(&[("x", url)]).expect("urls");
        state
            .record_failure("x", "timed out", t(0), t(60))
            .expect("failure");
        let failed = state.source("x").expect("source").expect("row");
        assert_eq!(failed.poll_validators(), Some(&Validators::default()));
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
}
