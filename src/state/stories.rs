//! The story tables (migration 12): which story each indexed article
//! belongs to and which earlier article it copies (`story_articles`), the
//! names and numbers candidate stories are found by (`story_features`),
//! and the stories merged into older ones (`story_merges`). The MinHash
//! bands candidate copies are found by are in `story_bands` (migration
//! 14), rows of three integers: they were half the rows of
//! `story_features`, with a story and a language that finding a copy does
//! not need (the candidate's stored version is read anyway). Articles
//! stored before it get their bands made again from their stored MinHash
//! (`story_reband`, done by the writer when it opens).
//!
//! An article is numbered (`n`) by the writer in the order it was
//! assigned; a story's id is the number of the article that started it, so
//! ids need no table of their own and stay as the story grows. A merge
//! moves the younger story's articles into the older one and is recorded,
//! so that the younger id still resolves.
//!
//! What to store is decided by `crate::stories`; this module only reads
//! and writes rows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{time_column, State, StateError};

/// One article's story record, as the writer stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRecord {
    pub n: u64,
    pub id: String,
    pub story: u64,
    /// `n` of the earliest version this article copies.
    pub duplicate_of: Option<u64>,
    pub source: String,
    pub lang: String,
    pub title: String,
    pub url: String,
    /// Published, else fetched.
    pub at: DateTime<Utc>,
    /// When it was assigned: breaks ties of `at` (who was seen first).
    pub seen: DateTime<Utc>,
    pub minhash: Vec<u32>,
    /// Name and number hashes (see `crate::stories::signature`).
    pub features: Vec<u64>,
    /// MinHash band keys (empty when the body is too short to have a
    /// MinHash).
    pub bands: Vec<u64>,
    /// The features a translation keeps (names, numbers), sorted: two
    /// texts of one template about two events share their wording but not
    /// these.
    pub cross: Vec<u64>,
}

/// What the writer changes in one batch, stored in one transaction.
#[derive(Debug, Default)]
pub struct StoryBatch {
    pub records: Vec<StoryRecord>,
    /// `(younger, older)`: the younger story's articles move to the older.
    pub merges: Vec<(u64, u64)>,
    /// `(old root, new root)`: copies of `old root` (and it) now copy
    /// `new root`, an earlier version that arrived later.
    pub repoints: Vec<(u64, u64)>,
}

/// An article of a stored story, as the read side shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoryArticle {
    #[serde(skip)]
    pub n: u64,
    pub url: String,
    pub source: String,
    pub lang: String,
    pub title: String,
    /// Shown as text by the read side's rows (`stories::report`), in the
    /// same form as every date pressd prints; serialised here too, it made
    /// a duplicate `published` key.
    #[serde(skip)]
    pub published: DateTime<Utc>,
    /// The URL of the earliest version, for a copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

/// A story's counts, for listing.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryCounts {
    pub story: u64,
    pub articles: u64,
    pub copies: u64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub sources: Vec<String>,
    pub langs: Vec<String>,
}

/// What [`State::story_keys`] reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StoredKey<'a> {
    /// A stored article's id.
    Id(&'a str),
    /// A feature or band hash, and the date of an article that has it.
    Feature(u64, DateTime<Utc>),
}

/// What the story assigner's filter was made for, as saved in the store
/// with its blocks (see `crate::stories::filter`).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedFilter {
    /// The highest article number stored when it was saved.
    pub last_n: u64,
    pub feature_span_ms: i64,
    pub band_span_ms: i64,
    pub capacity: u64,
    pub keys: u64,
}

/// The articles stored with MinHashes of word triples, before migration
/// 16: up to `last_n`, dated from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Triples {
    pub last_n: u64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// A posting of a feature: an article that has it, its story, and
/// whether it is in the language asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    pub n: u64,
    pub story: u64,
    pub same_lang: bool,
}

/// A stored article as candidate copies are checked against it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVersion {
    pub n: u64,
    pub story: u64,
    pub duplicate_of: Option<u64>,
    pub lang: String,
    pub at: DateTime<Utc>,
    pub seen: DateTime<Utc>,
    pub minhash: Vec<u32>,
    pub cross: Vec<u64>,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn blob(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn unblob(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn blob64(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn unblob64(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect()
}

/// An I/O error of a blob, as the SQLite error it is (blob I/O fails only
/// when SQLite does).
fn io_error(e: std::io::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// The next row of one of `story_postings`' cursors (none when that side
/// is not read): the date, and the posting (whether in `lang`).
fn next_dated(
    rows: &mut Option<rusqlite::Rows<'_>>,
    lang: &str,
) -> rusqlite::Result<Option<(i64, Posting)>> {
    let Some(rows) = rows else {
        return Ok(None);
    };
    rows.next()?
        .map(|r| {
            Ok((
                r.get(3)?,
                Posting {
                    n: r.get::<_, i64>(0)? as u64,
                    story: r.get::<_, i64>(1)? as u64,
                    same_lang: r.get_ref(2)?.as_str()? == lang,
                },
            ))
        })
        .transpose()
}

/// How many times the cap a lookup's window is read whole in, when it
/// has rows on both sides of the article's date: a window of fewer rows
/// (most at random dates: a feature is held by a few articles a week)
/// is read by one cursor, the nearest taken from it; a fuller one again by
/// two, from the date outwards (see [`State::story_postings`]).
const WHOLE_WINDOW: usize = 2;

/// Up to `cap` postings of `window` (rows in date order, as read by the
/// row-value range) nearest to `at` first: the order two cursors from
/// `at` give.
fn nearest(window: &[(i64, Posting)], at: i64, cap: usize) -> Vec<Posting> {
    let split = window.partition_point(|(t, _)| *t < at);
    let (mut earlier, mut later) = (window[..split].iter().rev(), window[split..].iter());
    let merged = merge_nearest(
        at,
        cap,
        || Ok::<_, std::convert::Infallible>(later.next().cloned()),
        || Ok(earlier.next().cloned()),
    );
    match merged {
        Ok(found) => found,
        Err(never) => match never {},
    }
}

/// Up to `cap` postings from the two sides of `at`, each side giving its
/// rows nearest first (`later` from `at` on, `earlier` before it), merged
/// by distance, a tie going to the later.
fn merge_nearest<E>(
    at: i64,
    cap: usize,
    mut later: impl FnMut() -> Result<Option<(i64, Posting)>, E>,
    mut earlier: impl FnMut() -> Result<Option<(i64, Posting)>, E>,
) -> Result<Vec<Posting>, E> {
    let (mut next_later, mut next_earlier) = (later()?, earlier()?);
    let mut found = Vec::with_capacity(cap);
    while found.len() < cap {
        let later_first = match (&next_later, &next_earlier) {
            (Some((l, _)), Some((e, _))) => l - at <= at - e,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let taken = if later_first {
            std::mem::replace(&mut next_later, later()?)
        } else {
            std::mem::replace(&mut next_earlier, earlier()?)
        };
        found.extend(taken.map(|(_, p)| p));
    }
    Ok(found)
}

fn required_time(row: &Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    time_column(row, idx)?.ok_or(rusqlite::Error::InvalidColumnType(
        idx,
        "time".into(),
        rusqlite::types::Type::Null,
    ))
}

impl State {
    /// The highest article number stored (0 when none).
    pub fn story_last_number(&self) -> Result<u64, StateError> {
        self.read("story_last_number", |conn| {
            conn.query_row("SELECT COALESCE(MAX(n), 0) FROM story_articles", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
        })
    }

    /// The articles whose MinHash is of word triples (stored before
    /// migration 16), if any.
    pub fn story_triples(&self) -> Result<Option<Triples>, StateError> {
        self.read("story_triples", |conn| {
            conn.query_row(
                "SELECT last_n, from_at, to_at FROM story_triples",
                [],
                |r| {
                    Ok(Triples {
                        last_n: r.get::<_, i64>(0)? as u64,
                        from: required_time(r, 1)?,
                        to: required_time(r, 2)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Mark the articles stored so far as of MinHashes of word triples,
    /// as migration 16 does for a store written before it (by running
    /// that migration again).
    #[cfg(test)]
    pub fn story_mark_triples(&self) -> Result<(), StateError> {
        self.write("story_mark_triples", |tx| {
            tx.execute_batch("DROP TABLE story_triples")?;
            tx.execute_batch(super::schema::MIGRATIONS[15])
        })
    }

    /// The latest date of a stored article, if any.
    pub fn story_latest_date(&self) -> Result<Option<DateTime<Utc>>, StateError> {
        self.read("story_latest_date", |conn| {
            let at: Option<i64> =
                conn.query_row("SELECT MAX(at) FROM story_articles", [], |r| r.get(0))?;
            Ok(at.and_then(DateTime::from_timestamp_millis))
        })
    }

    /// Every recorded merge, `(younger, older)`.
    pub fn story_merges(&self) -> Result<Vec<(u64, u64)>, StateError> {
        self.read("story_merges", |conn| {
            let mut stmt = conn.prepare_cached("SELECT story, into_story FROM story_merges")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })?;
            rows.collect()
        })
    }

    /// The stored version of document `id`, if it has a story.
    pub fn story_version(&self, id: &str) -> Result<Option<StoredVersion>, StateError> {
        self.read("story_version", |conn| {
            conn.prepare_cached(
                "SELECT n, story, duplicate_of, lang, at, seen, minhash, cross
                 FROM story_articles WHERE id = ?1",
            )?
            .query_row([id], version_row)
            .optional()
        })
    }

    /// The stored versions numbered `ns`.
    pub fn story_versions(&self, ns: &[u64]) -> Result<Vec<StoredVersion>, StateError> {
        self.read_at_once("story_versions", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT n, story, duplicate_of, lang, at, seen, minhash, cross
                 FROM story_articles WHERE n = ?1",
            )?;
            let mut out = Vec::with_capacity(ns.len());
            for n in ns {
                if let Some(v) = stmt.query_row([*n as i64], version_row).optional()? {
                    out.push(v);
                }
            }
            Ok(out)
        })
    }

    /// For each of `lookups` (a feature hash and a range of dates): up to
    /// `cap` articles that have the feature and are dated within its
    /// range, the nearest to `at` first, and whether each is in `lang`. Their story is the one first
    /// assigned: the caller resolves merges.
    ///
    /// The nearest, not the first in key order: read from the start of
    /// the window, a name that a busy week's other stories share gave the
    /// oldest twelve articles of those days, and an event's own articles,
    /// near the new one, went unread (on `stories_bench` worlds of 40
    /// events a day, pairs across languages found: 0.54 of them, against
    /// 0.75 read nearest first). Two cursors from `at`, one each way,
    /// merged: they read `cap` rows and one more, however many the window
    /// has, in whatever order articles arrive (an import of an archive
    /// outlet by outlet reads the window's both sides). A side that the
    /// range leaves empty (`to` before `at`: the caller knows nothing later
    /// is stored, as in a flow of news) is not read. A window with both
    /// sides is first read whole by one cursor, up to [`WHOLE_WINDOW`]
    /// times the cap: most hold fewer rows, and the second cursor's seek
    /// is saved.
    ///
    /// The language is read in place, not as a `String` (one allocated and
    /// freed for each of the hundred-odd postings an article reads), nor
    /// bound to be compared by SQLite (a text parameter is copied at each
    /// binding, two statements a lookup).
    ///
    /// The cap is written into the statements, not bound: SQLite (3.47 and
    /// later) reads a bound `LIMIT` as a hint for its plan and prepares the
    /// statement again at every new binding, which perf showed on every
    /// lookup of every article. For the same reason the range is one of
    /// row values: written `hash = ?1 AND at BETWEEN …` with an `ORDER BY`,
    /// the statement was prepared again at a fifth of its runs (counted
    /// with `SQLITE_STMTSTATUS_REPREPARE`), a sixth more CPU for the whole
    /// assigner; the row values give the same search of the primary key.
    pub fn story_postings(
        &self,
        lookups: &[(u64, [DateTime<Utc>; 2])],
        at: DateTime<Utc>,
        cap: usize,
        lang: &str,
    ) -> Result<Vec<Vec<Posting>>, StateError> {
        if lookups.is_empty() {
            // Every feature ruled out by the caller's filter: no
            // transaction to open and end.
            return Ok(Vec::new());
        }
        let at = ms(at);
        self.read_at_once("story_postings", |conn| {
            let mut later = conn.prepare_cached(&format!(
                "SELECT n, story, lang, at FROM story_features
                 WHERE (hash, at) BETWEEN (?1, ?2) AND (?1, ?3) ORDER BY hash, at LIMIT {cap}"
            ))?;
            let mut earlier = conn.prepare_cached(&format!(
                "SELECT n, story, lang, at FROM story_features
                 WHERE (hash, at) BETWEEN (?1, ?2) AND (?1, ?3)
                 ORDER BY hash DESC, at DESC LIMIT {cap}"
            ))?;
            let mut whole = conn.prepare_cached(&format!(
                "SELECT n, story, lang, at FROM story_features
                 WHERE (hash, at) BETWEEN (?1, ?2) AND (?1, ?3) ORDER BY hash, at LIMIT {}",
                WHOLE_WINDOW * cap
            ))?;
            let mut out = Vec::with_capacity(lookups.len());
            let mut window = Vec::with_capacity(WHOLE_WINDOW * cap);
            for (hash, [from, to]) in lookups {
                let (hash, from, to) = (*hash as i64, ms(*from), ms(*to));
                if from < at && to >= at {
                    // Both sides: the window read whole, when it holds few
                    // rows, is one cursor instead of two.
                    window.clear();
                    let mut rows = Some(whole.query(params![hash, from, to])?);
                    while let Some(row) = next_dated(&mut rows, lang)? {
                        window.push(row);
                    }
                    if window.len() < WHOLE_WINDOW * cap {
                        out.push(nearest(&window, at, cap));
                        continue;
                    }
                }
                // A side left empty by the range is not asked for.
                let mut later = match to >= at {
                    true => Some(later.query(params![hash, at, to])?),
                    false => None,
                };
                let mut earlier = match from < at {
                    true => Some(earlier.query(params![hash, from, (at - 1).min(to)])?),
                    false => None,
                };
                out.push(merge_nearest(
                    at,
                    cap,
                    || next_dated(&mut later, lang),
                    || next_dated(&mut earlier, lang),
                )?);
            }
            Ok(out)
        })
    }

    /// Up to `cap` articles dated within `[from, to]` that have any of
    /// the MinHash `bands`, each once: those that have the most of them
    /// first, then the latest. Each band's articles are read the latest
    /// first, up to `cap` a band.
    ///
    /// The most bands first: a copy shares several of its original's
    /// bands (a quarter of them at resemblance 0.5, two thirds at 0.8),
    /// an outlet's formula or boilerplate one. Read band after band until
    /// `cap` were found, the first band's boilerplate filled the cap and
    /// the original, in the next bands, went unread.
    ///
    /// The latest first: a band of an outlet's formula or boilerplate is
    /// shared by hundreds of its articles, and read from the start of the
    /// copy window (a month before), it filled the cap with articles of
    /// weeks ago while the text copied, hours before, went unread (on
    /// `stories_bench` worlds of 600 events, copies pairwise recall
    /// 0.887 → 0.900). A copy follows its original, in a flow of news: the
    /// latest are the nearest, with one statement read backwards, where
    /// nearest-first both ways (see `story_postings`) would be two a band.
    ///
    /// One cached statement per band, not one `IN (…)` with `DISTINCT`:
    /// that one built two temporary b-trees per call, each with a fresh
    /// page cache whose memory was faulted in and given back every time,
    /// and it cost more than all the other lookups of an article together.
    pub fn story_band_articles(
        &self,
        bands: &[u64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cap: usize,
    ) -> Result<Vec<u64>, StateError> {
        if bands.is_empty() {
            return Ok(Vec::new());
        }
        let mut sorted = bands.to_vec();
        sorted.sort_unstable_by_key(|h| *h as i64);
        sorted.dedup();
        self.read_at_once("story_band_articles", |conn| {
            // The cap written in, and the range of row values: see
            // `story_postings` (either way SQLite prepared it again).
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT n, at FROM story_bands WHERE (hash, at) BETWEEN (?1, ?2) AND (?1, ?3) \
                 ORDER BY hash DESC, at DESC LIMIT {cap}"
            ))?;
            // Each article: the bands it shares, its date.
            let mut found: Vec<(u64, usize, i64)> = Vec::new();
            for hash in sorted {
                let mut rows = stmt.query(params![hash as i64, ms(from), ms(to)])?;
                while let Some(r) = rows.next()? {
                    let n = r.get::<_, i64>(0)? as u64;
                    match found.iter_mut().find(|(m, _, _)| *m == n) {
                        Some((_, shared, _)) => *shared += 1,
                        None => found.push((n, 1, r.get(1)?)),
                    }
                }
            }
            found.sort_unstable_by_key(|(n, shared, at)| std::cmp::Reverse((*shared, *at, *n)));
            Ok(found.into_iter().take(cap).map(|(n, _, _)| n).collect())
        })
    }

    /// Store the MinHash bands of up to `limit` more of the articles
    /// stored before migration 14 (their bands were of another shape, and
    /// the migration took them out), made by `bands` from each one's
    /// stored MinHash, in one transaction that also records how far it
    /// got: a kill loses nothing and a second run adds nothing twice.
    /// `Ok(false)` when none are left.
    pub fn story_reband(
        &self,
        limit: usize,
        bands: impl Fn(&[u32]) -> Vec<u64>,
    ) -> Result<bool, StateError> {
        self.write("story_reband", |tx| {
            let from: Option<i64> = tx
                .query_row("SELECT next_n FROM story_reband", [], |r| r.get(0))
                .optional()?;
            let Some(from) = from else {
                return Ok(false);
            };
            let mut rows: Vec<(i64, i64, i64)> = Vec::new();
            let mut last = None;
            {
                let mut stmt = tx.prepare(&format!(
                    "SELECT n, at, minhash FROM story_articles WHERE n >= ?1
                     ORDER BY n LIMIT {limit}"
                ))?;
                let mut found = stmt.query([from])?;
                while let Some(r) = found.next()? {
                    let n: i64 = r.get(0)?;
                    let at: i64 = r.get(1)?;
                    last = Some(n);
                    if let Some(minhash) = r.get::<_, Option<Vec<u8>>>(2)? {
                        rows.extend(
                            bands(&unblob(&minhash))
                                .into_iter()
                                .map(|b| (b as i64, at, n)),
                        );
                    }
                }
            }
            rows.sort_unstable();
            let mut insert =
                tx.prepare("INSERT OR IGNORE INTO story_bands (hash, at, n) VALUES (?1, ?2, ?3)")?;
            for row in &rows {
                insert.execute(params![row.0, row.1, row.2])?;
            }
            match last {
                Some(last) => {
                    tx.execute("UPDATE story_reband SET next_n = ?1", [last + 1])?;
                    Ok(true)
                }
                None => {
                    tx.execute("DELETE FROM story_reband", [])?;
                    Ok(false)
                }
            }
        })
    }

    /// Every stored article's id and every stored feature and band with
    /// its article's date, each given to `key`, in table order: what the
    /// assigner's filter is built from when it opens.
    pub fn story_keys(&self, mut key: impl FnMut(StoredKey<'_>)) -> Result<(), StateError> {
        self.read("story_keys", |conn| {
            let mut stmt = conn.prepare("SELECT id FROM story_articles")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                key(StoredKey::Id(&r.get::<_, String>(0)?));
            }
            for table in ["story_features", "story_bands"] {
                let mut stmt = conn.prepare(&format!("SELECT hash, at FROM {table}"))?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    key(StoredKey::Feature(
                        r.get::<_, i64>(0)? as u64,
                        required_time(r, 1)?,
                    ));
                }
            }
            Ok(())
        })
    }

    /// Each story of more than one article with its count of articles and
    /// the dates of its first and last (read from an index, not the rows).
    pub fn story_sizes(
        &self,
        mut story: impl FnMut(u64, u32, DateTime<Utc>, DateTime<Utc>),
    ) -> Result<(), StateError> {
        self.read("story_sizes", |conn| {
            let mut stmt = conn.prepare(
                "SELECT story, count(*), min(at), max(at) FROM story_articles
                 GROUP BY story HAVING count(*) > 1",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                story(
                    r.get::<_, i64>(0)? as u64,
                    r.get::<_, i64>(1)? as u32,
                    required_time(r, 2)?,
                    required_time(r, 3)?,
                );
            }
            Ok(())
        })
    }

    /// Keep a filter until the next writer opens (replacing one kept
    /// before): `saved` and `len` bytes of blocks, which `blocks` writes.
    /// Written through SQLite's blob I/O, so that no second copy of them
    /// is made.
    pub fn save_story_filter(
        &self,
        saved: &SavedFilter,
        len: usize,
        blocks: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), StateError> {
        self.write("save_story_filter", |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO story_filter
                    (id, last_n, feature_span_ms, band_span_ms, capacity, keys, blocks)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, zeroblob(?6))",
                params![
                    saved.last_n as i64,
                    saved.feature_span_ms,
                    saved.band_span_ms,
                    saved.capacity as i64,
                    saved.keys as i64,
                    len as i64,
                ],
            )?;
            let mut blob = tx.blob_open(rusqlite::MAIN_DB, "story_filter", "blocks", 1, false)?;
            blocks(&mut blob).map_err(io_error)?;
            Ok(())
        })
    }

    /// The filter saved by the last writer, made by `read` from what it
    /// was made for, its length in bytes and its blocks; removed from the
    /// store in the same transaction: once the new writer stores anything
    /// it is stale, and a kill must not leave it to be read again.
    pub fn take_story_filter<T>(
        &self,
        read: impl FnOnce(&SavedFilter, usize, &mut dyn std::io::Read) -> std::io::Result<T>,
    ) -> Result<Option<T>, StateError> {
        self.write("take_story_filter", |tx| {
            let saved = tx
                .query_row(
                    "SELECT last_n, feature_span_ms, band_span_ms, capacity, keys
                     FROM story_filter WHERE id = 1",
                    [],
                    |r| {
                        Ok(SavedFilter {
                            last_n: r.get::<_, i64>(0)? as u64,
                            feature_span_ms: r.get(1)?,
                            band_span_ms: r.get(2)?,
                            capacity: r.get::<_, i64>(3)? as u64,
                            keys: r.get::<_, i64>(4)? as u64,
                        })
                    },
                )
                .optional()?;
            let Some(saved) = saved else {
                return Ok(None);
            };
            let made = {
                let mut blob =
                    tx.blob_open(rusqlite::MAIN_DB, "story_filter", "blocks", 1, true)?;
                let len = blob.len();
                read(&saved, len, &mut blob).map_err(io_error)?
            };
            tx.execute("DELETE FROM story_filter", [])?;
            Ok(Some(made))
        })
    }

    /// Store one batch of the writer's story decisions, in one
    /// transaction. An article already stored (a kill came between this
    /// and the frontier's completion, and it was indexed again) keeps its
    /// row.
    pub fn record_stories(&self, batch: &StoryBatch) -> Result<(), StateError> {
        if batch.records.is_empty() && batch.merges.is_empty() && batch.repoints.is_empty() {
            return Ok(());
        }
        self.write("record_stories", |tx| {
            let mut article = tx.prepare_cached(
                "INSERT OR IGNORE INTO story_articles
                    (n, id, story, duplicate_of, source, lang, title, url, at, seen, minhash,
                     cross)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            // The batch's features go in in key order. Some 40 an article
            // at random places of a b-tree many times SQLite's cache: in
            // the order they came, nearly each one read its page back from
            // the OS and wrote it out again when the cache spilled (perf:
            // pread, pwrite and pagerStress were most of the writer's time
            // at 50,000 articles); in key order each page is read and
            // written once a batch.
            // Sized at once: grown row by row, they were copied a dozen
            // times over at each batch.
            let mut features: Vec<(i64, i64, &StoryRecord)> =
                Vec::with_capacity(batch.records.iter().map(|r| r.features.len()).sum());
            let mut bands: Vec<(i64, i64, i64)> =
                Vec::with_capacity(batch.records.iter().map(|r| r.bands.len()).sum());
            for r in &batch.records {
                let inserted = article.execute(params![
                    r.n as i64,
                    r.id,
                    r.story as i64,
                    r.duplicate_of.map(|d| d as i64),
                    r.source,
                    r.lang,
                    r.title,
                    r.url,
                    ms(r.at),
                    ms(r.seen),
                    (!r.minhash.is_empty()).then(|| blob(&r.minhash)),
                    blob64(&r.cross),
                ])?;
                if inserted == 0 {
                    continue;
                }
                features.extend(r.features.iter().map(|f| (*f as i64, ms(r.at), r)));
                bands.extend(r.bands.iter().map(|b| (*b as i64, ms(r.at), r.n as i64)));
            }
            // The table's order: (hash, at, n), compared as SQLite's
            // signed integers. The record is read only to break a tie of
            // hash and date (rare): the key read it for every comparison,
            // a cache miss into the batch's records each time.
            features.sort_unstable_by(|(hash, at, r), (other, other_at, o)| {
                (hash, at)
                    .cmp(&(other, other_at))
                    .then_with(|| r.n.cmp(&o.n))
            });
            // Many rows a statement: one row a statement spent more in
            // binding, stepping and resetting it than in the b-tree.
            insert_rows(tx, &features, insert_features_sql, bind_features)?;
            bands.sort_unstable();
            insert_rows(tx, &bands, insert_bands_sql, bind_bands)?;
            let mut merge =
                tx.prepare_cached("UPDATE story_articles SET story = ?2 WHERE story = ?1")?;
            let mut record_merge = tx.prepare_cached(
                "INSERT OR REPLACE INTO story_merges (story, into_story, at) VALUES (?1, ?2, ?3)",
            )?;
            let mut follow =
                tx.prepare_cached("UPDATE story_merges SET into_story = ?2 WHERE into_story = ?1")?;
            let now = ms(Utc::now());
            for (younger, older) in &batch.merges {
                merge.execute(params![*younger as i64, *older as i64])?;
                follow.execute(params![*younger as i64, *older as i64])?;
                record_merge.execute(params![*younger as i64, *older as i64, now])?;
            }
            let mut repoint = tx.prepare_cached(REPOINT)?;
            for (old, new) in &batch.repoints {
                repoint.execute(params![*old as i64, *new as i64])?;
            }
            Ok(())
        })
    }

    /// The story (after merges) of `id`, or `None` when it has none (yet).
    pub fn resolve_story(&self, id: u64) -> Result<Option<u64>, StateError> {
        self.read("resolve_story", |conn| {
            let merged: Option<i64> = conn
                .prepare_cached("SELECT into_story FROM story_merges WHERE story = ?1")?
                .query_row([id as i64], |r| r.get(0))
                .optional()?;
            let id = merged.unwrap_or(id as i64);
            let exists: Option<i64> = conn
                .prepare_cached("SELECT n FROM story_articles WHERE story = ?1 LIMIT 1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            Ok(exists.map(|_| id as u64))
        })
    }

    /// The story and the copied URL of each of the documents `ids` that has
    /// a story.
    pub fn stories_of(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, (u64, Option<String>)>, StateError> {
        // A few hundred ids a statement: a coverage split by story asks for
        // every matching document's, one statement each was most of it.
        const CHUNK: usize = 500;
        self.read("stories_of", |conn| {
            let mut out = HashMap::with_capacity(ids.len());
            for chunk in ids.chunks(CHUNK) {
                let marks = vec!["?"; chunk.len()].join(",");
                let sql = format!(
                    "SELECT a.id, a.story, d.url FROM story_articles a
                     LEFT JOIN story_articles d ON d.n = a.duplicate_of
                     WHERE a.id IN ({marks})"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)? as u64,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })?;
                for row in rows {
                    let (id, story, dup) = row?;
                    out.insert(id, (story, dup));
                }
            }
            Ok(out)
        })
    }

    /// The articles of `story` in time order (then in the order they were
    /// seen).
    pub fn story_articles(&self, story: u64) -> Result<Vec<StoryArticle>, StateError> {
        self.read("story_articles", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT a.n, a.url, a.source, a.lang, a.title, a.at, d.url
                 FROM story_articles a LEFT JOIN story_articles d ON d.n = a.duplicate_of
                 WHERE a.story = ?1 ORDER BY a.at, a.seen, a.n",
            )?;
            let rows = stmt.query_map([story as i64], |r| {
                Ok(StoryArticle {
                    n: r.get::<_, i64>(0)? as u64,
                    url: r.get(1)?,
                    source: r.get(2)?,
                    lang: r.get(3)?,
                    title: r.get(4)?,
                    published: required_time(r, 5)?,
                    duplicate_of: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Counts of every story with an article dated within `[since,
    /// until]` (all stories without bounds), or of the stories `only`.
    pub fn story_counts(
        &self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        only: Option<&[u64]>,
    ) -> Result<Vec<StoryCounts>, StateError> {
        self.read("story_counts", |conn| {
            let summary = |r: &Row<'_>| {
                let list = |idx: usize| -> rusqlite::Result<Vec<String>> {
                    let text: Option<String> = r.get(idx)?;
                    let mut v: Vec<String> = text
                        .unwrap_or_default()
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect();
                    v.sort();
                    Ok(v)
                };
                Ok(StoryCounts {
                    story: r.get::<_, i64>(0)? as u64,
                    articles: r.get::<_, i64>(1)? as u64,
                    copies: r.get::<_, i64>(2)? as u64,
                    start: required_time(r, 3)?,
                    end: required_time(r, 4)?,
                    sources: list(5)?,
                    langs: list(6)?,
                })
            };
            const COLUMNS: &str = "story, COUNT(*), COUNT(duplicate_of), MIN(at), MAX(at),
                 group_concat(DISTINCT source), group_concat(DISTINCT lang)";
            match only {
                Some(stories) => {
                    let mut stmt = conn.prepare_cached(&format!(
                        "SELECT {COLUMNS} FROM story_articles WHERE story = ?1 GROUP BY story"
                    ))?;
                    let mut out = Vec::with_capacity(stories.len());
                    for s in stories {
                        if let Some(c) = stmt.query_row([*s as i64], summary).optional()? {
                            out.push(c);
                        }
                    }
                    Ok(out)
                }
                None => {
                    let mut stmt = conn.prepare_cached(&format!(
                        "SELECT {COLUMNS} FROM story_articles WHERE story IN
                            (SELECT story FROM story_articles WHERE at BETWEEN ?1 AND ?2)
                         GROUP BY story"
                    ))?;
                    let from = since.map(ms).unwrap_or(i64::MIN);
                    let to = until.map(ms).unwrap_or(i64::MAX);
                    let rows = stmt.query_map(params![from, to], summary)?;
                    rows.collect()
                }
            }
        })
    }
}

/// Points the copies of an old root (`?1`), and the old root itself, at
/// the new root (`?2`): read through the primary key and the index of
/// copies (migration 15), not by reading the whole table.
const REPOINT: &str = "UPDATE story_articles SET duplicate_of = ?2
    WHERE (duplicate_of = ?1 OR n = ?1) AND n != ?2";

/// Feature rows per `INSERT` statement of [`State::record_stories`] (five
/// parameters each, far below SQLite's limit of 32,766).
const FEATURE_ROWS: usize = 64;

/// `INSERT OR IGNORE` of `rows` feature rows.
/// Inserts `rows` [`FEATURE_ROWS`] to a statement, the remainder in one
/// statement of its own length (not cached: it changes from batch to batch).
fn insert_rows<T>(
    tx: &rusqlite::Transaction<'_>,
    rows: &[T],
    sql: fn(usize) -> String,
    bind: fn(&mut rusqlite::Statement<'_>, &[T]) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut chunks = rows.chunks_exact(FEATURE_ROWS);
    if chunks.len() > 0 {
        let mut stmt = tx.prepare_cached(&sql(FEATURE_ROWS))?;
        for chunk in &mut chunks {
            bind(&mut stmt, chunk)?;
            stmt.raw_execute()?;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut stmt = tx.prepare(&sql(rest.len()))?;
        bind(&mut stmt, rest)?;
        stmt.raw_execute()?;
    }
    Ok(())
}

fn insert_features_sql(rows: usize) -> String {
    let mut sql =
        String::from("INSERT OR IGNORE INTO story_features (hash, at, n, story, lang) VALUES ");
    for i in 0..rows {
        let p = 5 * i;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(?{}, ?{}, ?{}, ?{}, ?{})",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5
        ));
    }
    sql
}

/// `INSERT OR IGNORE` of `rows` band rows.
fn insert_bands_sql(rows: usize) -> String {
    let mut sql = String::from("INSERT OR IGNORE INTO story_bands (hash, at, n) VALUES ");
    for i in 0..rows {
        let p = 3 * i;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("(?{}, ?{}, ?{})", p + 1, p + 2, p + 3));
    }
    sql
}

/// Binds `(hash, at, n)` rows to a statement of [`insert_bands_sql`].
fn bind_bands(
    stmt: &mut rusqlite::Statement<'_>,
    bands: &[(i64, i64, i64)],
) -> rusqlite::Result<()> {
    for (i, (hash, at, n)) in bands.iter().enumerate() {
        let p = 3 * i;
        stmt.raw_bind_parameter(p + 1, hash)?;
        stmt.raw_bind_parameter(p + 2, at)?;
        stmt.raw_bind_parameter(p + 3, n)?;
    }
    Ok(())
}

/// Binds the rows of `features` to a statement of [`insert_features_sql`].
fn bind_features(
    stmt: &mut rusqlite::Statement<'_>,
    features: &[(i64, i64, &StoryRecord)],
) -> rusqlite::Result<()> {
    for (i, (hash, at, r)) in features.iter().enumerate() {
        let p = 5 * i;
        stmt.raw_bind_parameter(p + 1, hash)?;
        stmt.raw_bind_parameter(p + 2, at)?;
        stmt.raw_bind_parameter(p + 3, r.n as i64)?;
        stmt.raw_bind_parameter(p + 4, r.story as i64)?;
        stmt.raw_bind_parameter(p + 5, r.lang.as_str())?;
    }
    Ok(())
}

fn version_row(r: &Row<'_>) -> rusqlite::Result<StoredVersion> {
    Ok(StoredVersion {
        n: r.get::<_, i64>(0)? as u64,
        story: r.get::<_, i64>(1)? as u64,
        duplicate_of: r.get::<_, Option<i64>>(2)?.map(|d| d as u64),
        lang: r.get(3)?,
        at: required_time(r, 4)?,
        seen: required_time(r, 5)?,
        minhash: r
            .get::<_, Option<Vec<u8>>>(6)?
            .map(|b| unblob(&b))
            .unwrap_or_default(),
        cross: r
            .get::<_, Option<Vec<u8>>>(7)?
            .map(|b| unblob64(&b))
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::t;
    use super::*;

    fn record(n: u64, story: u64, duplicate_of: Option<u64>) -> StoryRecord {
        StoryRecord {
            n,
            id: format!("https://a.example/{n}"),
            story,
            duplicate_of,
            source: "a".into(),
            lang: "en".into(),
            title: format!("title {n}"),
            url: format!("https://a.example/{n}"),
            at: t(n as i64 * 60),
            seen: t(n as i64 * 60),
            minhash: vec![1, 2, 3],
            features: vec![7, 8],
            bands: vec![],
            cross: vec![7],
        }
    }

    #[test]
    fn postings_are_read_nearest_to_the_article_first_on_both_sides() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        // Articles 1..=20 a minute apart, all with feature 7.
        let records: Vec<StoryRecord> = (1..=20).map(|n| record(n, n, None)).collect();
        state
            .record_stories(&StoryBatch {
                records,
                ..StoryBatch::default()
            })
            .expect("write");
        let read = |at: i64, window: i64, cap: usize| -> Vec<u64> {
            let found = state
                .story_postings(&[(7, [t(at - window), t(at + window)])], t(at), cap, "en")
                .expect("postings");
            let mut ns: Vec<u64> = found[0].iter().map(|p| p.n).collect();
            ns.sort_unstable();
            ns
        };
        // At minute 10, cap 4: 10 itself, then 9 and 11, then one of 8 and 12
        // (a tie goes to the later).
        assert_eq!(read(600, 3600, 4), vec![9, 10, 11, 12]);
        // Nearer the end, the earlier side gives the rest.
        assert_eq!(read(1200, 3600, 4), vec![17, 18, 19, 20]);
        // The window still bounds both sides.
        assert_eq!(read(600, 90, 10), vec![9, 10, 11]);
        // And the cap, with fewer than it in the window.
        assert_eq!(read(600, 0, 10), vec![10]);
        // In the order two cursors from the date give, whether the window
        // is read whole (20 rows, fewer than twice the cap of 12) or from
        // the date outwards (cap 4).
        let in_order = |cap: usize| -> Vec<u64> {
            let found = state
                .story_postings(&[(7, [t(0), t(3600)])], t(600), cap, "en")
                .expect("postings");
            found[0].iter().map(|p| p.n).collect()
        };
        let nearest = [10, 11, 9, 12, 8, 13, 7, 14, 6, 15, 5, 16];
        assert_eq!(in_order(12), nearest);
        assert_eq!(in_order(4), nearest[..4]);
        // A range that ends before the article's date reads one side, up
        // to the range's end.
        let found = state
            .story_postings(&[(7, [t(0), t(480)])], t(600), 3, "en")
            .expect("postings");
        let ns: Vec<u64> = found[0].iter().map(|p| p.n).collect();
        assert_eq!(ns, vec![8, 7, 6]);
    }

    #[test]
    fn band_articles_are_the_distinct_articles_of_each_band_up_to_the_cap() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        // Article n has bands n, n + 1 and 100 (shared by all); 7 has none
        // of them and 6 is outside the window. Names are another table:
        // a name of the same hash is no band.
        let records: Vec<StoryRecord> = (1..=7)
            .map(|n| StoryRecord {
                bands: if n == 7 {
                    vec![50]
                } else {
                    vec![n, n + 1, 100]
                },
                features: vec![n + 1],
                ..record(n, n, None)
            })
            .collect();
        let batch = StoryBatch {
            records,
            ..StoryBatch::default()
        };
        state.record_stories(&batch).expect("write");
        state.record_stories(&batch).expect("write again");
        let (from, to) = (t(0), t(5 * 60));
        let ns = |hashes: &[u64], cap: usize| -> Vec<u64> {
            let mut ns = state
                .story_band_articles(hashes, from, to, cap)
                .expect("articles");
            ns.sort_unstable();
            ns
        };
        assert_eq!(ns(&[2, 3], 100), vec![1, 2, 3]);
        assert_eq!(ns(&[3, 2, 3], 100), vec![1, 2, 3]);
        assert_eq!(ns(&[100], 100), vec![1, 2, 3, 4, 5]);
        assert_eq!(ns(&[1, 6, 7, 50], 100), vec![1, 5]);
        assert!(ns(&[99], 100).is_empty());
        // The cap counts articles, not rows: 2 and 3 share band 3.
        assert_eq!(ns(&[3, 4], 3), vec![2, 3, 4]);
        // The latest first: the copy of an article of hours ago is read
        // before the boilerplate of weeks ago.
        assert_eq!(ns(&[100], 2), vec![4, 5]);
        // The most bands first: 5 has bands 5 and 6, 1 only band 1 (the
        // first asked) and 4 only band 5.
        assert_eq!(ns(&[1, 5, 6], 1), vec![5]);
        assert_eq!(ns(&[1, 5, 6], 2), vec![4, 5]);
        assert!(ns(&[], 5).is_empty());
        // Each band stored once, and with the article's date.
        let mut keys = Vec::new();
        state
            .story_keys(|key| {
                if let StoredKey::Feature(hash, at) = key {
                    keys.push((hash, at));
                }
            })
            .expect("keys");
        assert_eq!(keys.len(), 7 + 6 * 3 + 1);
        assert!(keys.contains(&(50, t(7 * 60))));
    }

    #[test]
    fn features_of_many_statements_are_all_stored_once() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        // 3 × 50 rows: two full statements and a shorter one, written twice
        // (the second time ignored).
        let records: Vec<StoryRecord> = (1..=3)
            .map(|n| StoryRecord {
                features: (0..50).map(|f| f * 10 + n).collect(),
                ..record(n, n, None)
            })
            .collect();
        let batch = StoryBatch {
            records,
            ..StoryBatch::default()
        };
        state.record_stories(&batch).expect("write");
        state.record_stories(&batch).expect("write again");
        let mut keys = Vec::new();
        state
            .story_keys(|key| {
                if let StoredKey::Feature(hash, _) = key {
                    keys.push(hash);
                }
            })
            .expect("keys");
        keys.sort_unstable();
        let expected: Vec<u64> = (0..50u64)
            .flat_map(|f| (1..=3).map(move |n| f * 10 + n))
            .collect();
        assert_eq!(keys, expected);
        let found = state
            .story_postings(&[(492, [t(0), t(600)])], t(300), 10, "en")
            .expect("postings");
        assert_eq!(
            found[0],
            vec![Posting {
                n: 2,
                story: 2,
                same_lang: true
            }]
        );
        let found = state
            .story_postings(&[(492, [t(0), t(600)])], t(300), 10, "hy")
            .expect("postings");
        assert!(!found[0][0].same_lang);
    }

    #[test]
    fn a_repoint_reads_the_copies_through_indexes_not_the_whole_table() {
        let tmp = tempfile::tempdir().expect("tempdir");
        drop(State::open(tmp.path()).expect("open"));
        let conn =
            rusqlite::Connection::open(tmp.path().join(super::super::FILE_NAME)).expect("raw open");
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {REPOINT}"))
            .expect("plan");
        let plan: Vec<String> = stmt
            .query_map(params![1, 2], |r| r.get(3))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(
            plan.iter().all(|step| !step.starts_with("SCAN")),
            "{plan:?}"
        );
        assert!(
            plan.iter()
                .any(|step| step.contains("story_articles_by_copy")),
            "{plan:?}"
        );
    }

    #[test]
    fn records_merges_and_repoints_are_kept_and_a_second_write_changes_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = State::open(tmp.path()).expect("open");
        let batch = StoryBatch {
            records: vec![
                record(1, 1, None),
                record(2, 2, None),
                record(3, 2, Some(2)),
            ],
            ..StoryBatch::default()
        };
        state.record_stories(&batch).expect("write");
        // Written again after a kill: kept as first written.
        state.record_stories(&batch).expect("write again");
        assert_eq!(state.story_last_number().expect("n"), 3);
        let postings = state
            .story_postings(
                &[(7, [t(0), t(600)]), (9, [t(0), t(600)])],
                t(300),
                10,
                "en",
            )
            .expect("postings");
        assert_eq!(postings[0].len(), 3);
        assert!(postings[1].is_empty());
        assert_eq!(
            state
                .story_version("https://a.example/3")
                .expect("v")
                .map(|v| v.minhash),
            Some(vec![1, 2, 3])
        );

        state
            .record_stories(&StoryBatch {
                records: vec![record(4, 1, None)],
                merges: vec![(2, 1)],
                repoints: vec![(2, 4)],
            })
            .expect("merge");
        assert_eq!(state.resolve_story(2).expect("resolve"), Some(1));
        assert_eq!(state.resolve_story(9).expect("resolve"), None);
        let articles = state.story_articles(1).expect("articles");
        assert_eq!(articles.len(), 4);
        let of = state
            .stories_of(&["https://a.example/2", "https://a.example/3", "https://x"])
            .expect("of");
        assert_eq!(of.len(), 2);
        assert_eq!(
            of["https://a.example/3"],
            (1, Some("https://a.example/4".into()))
        );
        assert_eq!(
            of["https://a.example/2"],
            (1, Some("https://a.example/4".into()))
        );
        let counts = state.story_counts(None, None, None).expect("counts");
        assert_eq!(counts.len(), 1);
        assert_eq!((counts[0].articles, counts[0].copies), (4, 2));
        assert_eq!(state.story_merges().expect("merges"), vec![(2, 1)]);
    }
}
