//! The `frontier` table: discovered items waiting to be fetched and
//! indexed, each under its key (the normalised item URL), with its attempts
//! and the time it is next due. An entry leaves the frontier when it is
//! indexed or given up on, and its key is then remembered in `handled`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{params, OptionalExtension, Row};
use url::Url;

use super::{time_column, State, StateError};
use crate::item::{Item, ItemKind};

/// A frontier entry as the dispatcher sees it: enough to pick it by host.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// The frontier key (see [`Queued::key`]).
    pub key: String,
    /// The item's URL as stored.
    pub url: String,
    pub kind: ItemKind,
    /// Whether the page must be fetched (see [`Item::needs_fetch`]): an
    /// entry that carries its content waits for no host.
    pub fetch: bool,
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

impl State {
    /// Queue items not yet known (neither in the frontier nor handled), in
    /// one transaction. Returns how many were new.
    pub fn enqueue(
        &self,
        source: &str,
        items: &[(String, Item)],
        now: DateTime<Utc>,
    ) -> Result<usize, StateError> {
        self.write("enqueue", |tx| {
            insert_new(tx, items.iter().map(|(k, i)| (source, k.as_str(), i)), now)
        })
    }

    /// [`State::enqueue`] for items of several sources (an archive's
    /// records): `(source, key, item)`, all in one transaction. Returns how
    /// many were new.
    pub fn enqueue_sourced(
        &self,
        items: &[(String, String, Item)],
        now: DateTime<Utc>,
    ) -> Result<usize, StateError> {
        self.write("enqueue", |tx| {
            insert_new(
                tx,
                items.iter().map(|(s, k, i)| (s.as_str(), k.as_str(), i)),
                now,
            )
        })
    }

    /// Frontier entries, of any kind, discovered at or after `since`: a
    /// count read from the discovery index alone.
    pub fn queued_since(&self, since: DateTime<Utc>) -> Result<u64, StateError> {
        self.read("queued_since", |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM frontier WHERE discovered_at >= ?1")?
                .query_row([since.timestamp_millis()], |row| row.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Frontier entries that carry their content (imported articles, see
    /// [`Item::needs_fetch`]) discovered at or after `since`: what an import
    /// still waits on.
    pub fn carried_since(&self, since: DateTime<Utc>) -> Result<u64, StateError> {
        self.read("carried_since", |conn| {
            let n: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM frontier
                     WHERE discovered_at >= ?1 AND carried = 1",
                )?
                .query_row([since.timestamp_millis()], |row| row.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Up to `limit` frontier entries due at `now`, oldest discovery first,
    /// skipping `exclude` keys: only what a dispatcher needs to choose
    /// among them. A backlog that spans thousands of hosts then holds keys
    /// and URLs, and each entry is read in full ([`State::queued`]) only
    /// when it is dispatched.
    pub fn due_keys(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        exclude: &[String],
    ) -> Result<Vec<Due>, StateError> {
        self.due(now, limit, exclude, false)
    }

    /// [`State::due_keys`] of the entries that carry their content (see
    /// [`Item::needs_fetch`]) only: what a drain without the network indexes.
    pub fn due_carried_keys(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        exclude: &[String],
    ) -> Result<Vec<Due>, StateError> {
        self.due(now, limit, exclude, true)
    }

    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        exclude: &[String],
        carried_only: bool,
    ) -> Result<Vec<Due>, StateError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let exclude: HashSet<&str> = exclude.iter().map(String::as_str).collect();
        // At most `exclude.len()` of the rows read can be skipped, so asking
        // for that many more still yields `limit` when enough are due.
        let fetch = i64::try_from(limit.saturating_add(exclude.len())).unwrap_or(i64::MAX);
        self.read("due_keys", |conn| {
            // Two texts, not one with a flag: only a query that names
            // `carried = 1` itself can use the partial index of carried
            // entries (and never reads `carried` from the table).
            let mut stmt = conn.prepare_cached(if carried_only {
                "SELECT key, url, kind, FALSE
                 FROM frontier
                 WHERE carried = 1 AND next_attempt <= ?1
                 ORDER BY discovered_at, rowid LIMIT ?2"
            } else {
                "SELECT key, url, kind,
                        kind = 'article' AND carried = 0
                 FROM frontier
                 WHERE next_attempt <= ?1
                 ORDER BY discovered_at, rowid LIMIT ?2"
            })?;
            let rows = stmt.query_map(params![now.timestamp_millis(), fetch], |row| {
                Ok(Due {
                    key: row.get(0)?,
                    url: row.get(1)?,
                    kind: kind_column(row, 2)?,
                    fetch: row.get(3)?,
                })
            })?;
            let mut due = Vec::new();
            for entry in rows {
                let entry = entry?;
                if !exclude.contains(entry.key.as_str()) {
                    due.push(entry);
                    if due.len() == limit {
                        break;
                    }
                }
            }
            Ok(due)
        })
    }

    /// The whole frontier entry under `key`, if it is still queued.
    pub fn queued(&self, key: &str) -> Result<Option<Queued>, StateError> {
        self.read("queued", |conn| {
            conn.prepare_cached(
                "SELECT key, source, url, title, published, summary, authors, lang, attempts,
                        kind, text, author_handle, html
                 FROM frontier WHERE key = ?1",
            )?
            .query_row([key], queued_from_row)
            .optional()
        })
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
        self.write("mark_indexed", |tx| mark_indexed_in(tx, done, now))
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

    /// Frontier entries, due or not.
    pub fn queue_len(&self) -> Result<u64, StateError> {
        self.read("queue_len", |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM frontier")?
                .query_row([], |row| row.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

/// Insert the items not yet queued nor handled; returns how many were.
fn insert_new<'a>(
    tx: &rusqlite::Transaction<'_>,
    items: impl Iterator<Item = (&'a str, &'a str, &'a Item)>,
    now: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    // One statement does both checks: the primary key ignores keys already
    // queued, the NOT EXISTS those already handled.
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO frontier
            (key, source, url, title, published, summary, authors, lang,
             discovered_at, attempts, next_attempt, kind, text, author_handle, carried, html)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?9, ?10, ?11, ?12, ?13, ?14
         WHERE NOT EXISTS (SELECT 1 FROM handled WHERE key = ?1)",
    )?;
    let discovered = now.timestamp_millis();
    let mut added = 0;
    for (source, key, item) in items {
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
            item.is_carried(),
            item.html,
        ])?;
    }
    Ok(added)
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
            html: row.get(12)?,
        },
        attempts: row.get(8)?,
    })
}

/// [`State::mark_indexed`] inside the transaction `tx` (also used by
/// [`State::mark_committed`]).
pub(super) fn mark_indexed_in(
    tx: &rusqlite::Transaction<'_>,
    done: &[(String, String)],
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::{due, item, keyed, t};
    use super::*;

    fn keys(queued: &[Queued]) -> Vec<&str> {
        queued.iter().map(|q| q.key.as_str()).collect()
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
        let by_source = |source: &str| {
            due(&state, t(100), usize::MAX, &[])
                .iter()
                .filter(|q| q.source == source)
                .count()
        };
        assert_eq!(by_source("s2"), 1);
        assert_eq!(by_source("s1"), 0);
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
        assert!(due(&state, t(0), 10, &[]).is_empty());
        // Oldest discovery first; ties keep insertion order.
        assert_eq!(keys(&due(&state, t(30), 10, &[])), [b, c, a, d]);
        assert_eq!(keys(&due(&state, t(30), 2, &[])), [b, c]);
        assert_eq!(keys(&due(&state, t(10), 10, &[])), [b, c, a]);
        let exclude = [b.to_string(), c.to_string()];
        assert_eq!(keys(&due(&state, t(30), 2, &exclude)), [a, d]);
        assert!(due(&state, t(30), 0, &[]).is_empty());

        // A retry waits until its time and counts the attempt.
        state
            .mark_failed(b, "timed out", Some(t(100)), t(30))
            .expect("mark_failed");
        assert_eq!(keys(&due(&state, t(99), 10, &[])), [c, a, d]);
        let due = due(&state, t(100), 10, &[]);
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
        let due = due(&state, t(0), 10, &[]);
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
                // A post keeps its kind, text and handle.
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
    fn carried_entries_keep_their_content_and_are_told_apart() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let url = |s: &str| Url::parse(s).expect("url");
        let page = Item {
            html: Some("<p>Բարև</p>".into()),
            summary: Some("fallback".into()),
            ..Item::article(url("https://am.example/a"))
        };
        let text = Item {
            text: Some(String::new()),
            title: Some("A title alone".into()),
            ..Item::article(url("https://az.example/b"))
        };
        let link = Item::article(url("https://ru.example/c"));
        let post = Item::post(url("https://t.me/c/1"), "post".into());
        let items = [("a", &page), ("b", &text), ("c", &link), ("d", &post)]
            .map(|(k, i)| ("import".to_string(), k.to_string(), i.clone()));
        assert_eq!(state.enqueue_sourced(&items, t(10)).expect("enqueue"), 4);
        assert_eq!(state.enqueue_sourced(&items, t(11)).expect("again"), 0);
        let fetch: Vec<(String, bool)> = state
            .due_keys(t(20), 10, &[])
            .expect("due")
            .into_iter()
            .map(|d| (d.key, d.fetch))
            .collect();
        assert_eq!(
            fetch,
            [
                ("a".to_string(), false),
                ("b".to_string(), false),
                ("c".to_string(), true),
                ("d".to_string(), false)
            ]
        );
        let carried: Vec<String> = state
            .due_carried_keys(t(20), 10, &["b".to_string()])
            .expect("due")
            .into_iter()
            .map(|d| d.key)
            .collect();
        assert_eq!(carried, ["a"]);
        assert_eq!(state.queued("a").expect("queued").expect("a").item, page);
        assert_eq!(state.queued("b").expect("queued").expect("b").item, text);
        assert_eq!(state.carried_since(t(10)).expect("count"), 2);
        assert_eq!(state.carried_since(t(11)).expect("count"), 0);
        assert_eq!(state.queued_since(t(10)).expect("count"), 4);
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
        assert_eq!(keys(&due(&state, t(5), 10, &[])), [other]);
        // Key and doc id equal is the common case.
        state
            .mark_indexed(&[(other.to_string(), other.to_string())], t(2))
            .expect("mark_indexed");
        assert_eq!(state.queue_len().expect("len"), 0);
        assert!(state.is_handled(other).expect("handled"));
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
            let due = due(&state, t(retry), 1, &[]);
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
}
