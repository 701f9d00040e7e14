//! The feature and band postings of the articles assigned since the last
//! flush (not stored yet), by hash and time span (see
//! [`super::filter::Spans`]): what [`super::Stories`] reads besides the
//! store, so that a burst of copies in one batch still clusters.
//!
//! An import's batch is ten thousand articles of some 27 hashes each,
//! nearly all of them found in no other article of the batch. Kept as a
//! `Vec` per `(hash, span)`, that was a quarter of a million small vectors
//! allocated and freed per batch, and a map entry of 40 bytes each; here
//! the postings are one vector, each list linked through it from its
//! latest posting, and the map holds the place of that latest one.
//!
//! Each pending article's story (as first assigned) and language
//! are kept here too, in a small vector by place: a lookup read them from
//! the batch's records, two cache misses a posting (the record and its
//! language's string), and that was an eighth of what stories cost the
//! writer. A merge changes no story here: the caller resolves it through
//! its merges, as it does the stored postings' stories.
//!
//! Pure: no store, no clock.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, Utc};
use smallvec::SmallVec;

use super::signature::mix;

/// The end of a list.
const NONE: u32 = u32::MAX;

/// One posting: the article's date, its place in the pending batch, and
/// the posting of the same list assigned before it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    at: DateTime<Utc>,
    index: u32,
    earlier: u32,
}

/// What a lookup needs of a pending article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pending {
    /// As first assigned: resolve it through the merges.
    pub story: u64,
    /// Its place in [`Postings::langs`].
    lang: u16,
}

impl Pending {
    /// Whether it is in `lang` (see [`Postings::lang`]).
    pub fn in_lang(&self, lang: Lang) -> bool {
        lang.0 == Some(self.lang)
    }
}

/// The postings of the pending batch.
#[derive(Debug, Default)]
pub(super) struct Postings {
    /// [`list`]`(hash, span)` → its latest posting in `entries`.
    latest: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    entries: Vec<Entry>,
    /// The pending articles, by place.
    articles: Vec<Pending>,
    /// The languages of the pending articles (a handful): compared by
    /// their place here.
    langs: Vec<String>,
    /// A bit for each list in `latest` (by its key's top bits; empty
    /// until the first posting): nearly every list a lookup asks for is
    /// in no pending article, and the map of a batch's quarter of a
    /// million lists is megabytes, a cache miss a question, where these
    /// bits fit in the cache.
    held: Vec<u64>,
}

/// Bits of [`Postings::held`]: 128 KB, a fifth of them set by a batch of
/// ten thousand articles.
const HELD_BITS: u32 = 20;

/// Which language of [`Postings::langs`] a lookup is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Lang(Option<u16>);

impl Postings {
    /// The pending article at the next place (the caller's batch's next
    /// index) is in `story`, in `lang`.
    pub fn article(&mut self, story: u64, lang: &str) {
        let place = match self.langs.iter().position(|l| l == lang) {
            Some(place) => place,
            None => {
                self.langs.push(lang.to_string());
                self.langs.len() - 1
            }
        };
        let lang = u16::try_from(place).expect("fewer languages than u16::MAX");
        self.articles.push(Pending { story, lang });
    }

    /// The pending article at `index`.
    pub fn get(&self, index: usize) -> &Pending {
        &self.articles[index]
    }

    /// `lang`, as the pending articles' languages are compared with it.
    pub fn lang(&self, lang: &str) -> Lang {
        Lang(
            self.langs
                .iter()
                .position(|l| l == lang)
                .and_then(|place| u16::try_from(place).ok()),
        )
    }

    /// The pending article at `index`, dated `at` in `span`, has `hash`.
    /// Articles are added in the order they were assigned.
    pub fn add(&mut self, hash: u64, span: i64, at: DateTime<Utc>, index: usize) {
        let place = u32::try_from(self.entries.len()).expect("fewer postings than u32::MAX");
        let key = list(hash, span);
        if self.held.is_empty() {
            self.held = vec![0; 1 << (HELD_BITS - 6)];
        }
        let (word, bit) = held_bit(key);
        self.held[word] |= bit;
        let latest = self.latest.entry(key).or_insert(NONE);
        self.entries.push(Entry {
            at,
            index: u32::try_from(index).expect("fewer pending articles than u32::MAX"),
            earlier: *latest,
        });
        *latest = place;
    }

    /// The places of the pending articles that have `hash` in any of
    /// `spans`, with their dates, the latest assigned first.
    pub fn with(
        &self,
        hash: u64,
        spans: impl Iterator<Item = i64>,
    ) -> impl Iterator<Item = (DateTime<Utc>, usize)> + '_ {
        // The next posting to read of each span's list: in place for the
        // two or three spans of a window (a vector allocated for each of
        // an article's three dozen lookups was a tenth of their cost).
        let mut next: SmallVec<[u32; FEW_SPANS]> = spans
            .map(|span| list(hash, span))
            .filter(|key| {
                let (word, bit) = held_bit(*key);
                self.held.get(word).is_some_and(|w| w & bit != 0)
            })
            .filter_map(|key| self.latest.get(&key).copied())
            .collect();
        std::iter::from_fn(move || {
            let (k, entry) = next
                .iter()
                .enumerate()
                .filter(|(_, place)| **place != NONE)
                .map(|(k, place)| (k, &self.entries[*place as usize]))
                .max_by_key(|(_, entry)| entry.index)?;
            next[k] = entry.earlier;
            Some((entry.at, entry.index as usize))
        })
    }
}

/// Spans whose lists [`Postings::with`] merges without allocating: a
/// window of one span on either side overlaps three at most.
const FEW_SPANS: usize = 4;

/// The one key of `hash` in `span`: 8 bytes a slot of the map less than
/// the pair (4 MB of an import's batch of ten thousand). Two pairs would
/// share a list only if their keys met among the 2^64 (hash is a hash
/// already), about one chance in 10^8 in a batch: a few postings more
/// read for one article.
fn list(hash: u64, span: i64) -> u64 {
    hash ^ mix(span as u64)
}

/// Where the bit of list `key` is in [`Postings::held`]: its word, and
/// the bit in it.
fn held_bit(key: u64) -> (usize, u64) {
    let slot = mix(key) >> (64 - HELD_BITS);
    ((slot >> 6) as usize, 1 << (slot & 63))
}

/// Hashes the keys of [`Postings`]: the feature and band
/// hashes are hashes already, and FNV over the key's bytes (the story
/// code's other maps' hasher) was most of the cost of a lookup.
#[derive(Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        mix(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(32) ^ n;
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 4, 1, hour, 0, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn postings_come_latest_first_from_the_spans_asked_only() {
        let mut postings = Postings::default();
        // Hash 7 in spans 1 and 2, interleaved; hash 8 in span 1; hash 7
        // in span 3, not asked.
        postings.add(7, 1, at(1), 0);
        postings.add(8, 1, at(1), 0);
        postings.add(7, 2, at(2), 1);
        postings.add(7, 1, at(3), 2);
        postings.add(7, 3, at(4), 3);
        postings.add(7, 2, at(5), 4);
        let got: Vec<(DateTime<Utc>, usize)> = postings.with(7, 1..=2).collect();
        assert_eq!(got, vec![(at(5), 4), (at(3), 2), (at(2), 1), (at(1), 0)]);
        assert_eq!(
            postings.with(8, 0..=5).collect::<Vec<_>>(),
            vec![(at(1), 0)]
        );
        assert_eq!(postings.with(9, 0..=5).count(), 0);
        postings = Postings::default();
        assert_eq!(postings.with(7, 1..=3).count(), 0);
        postings.add(7, 1, at(6), 0);
        assert_eq!(
            postings.with(7, 1..=1).collect::<Vec<_>>(),
            vec![(at(6), 0)]
        );
    }
}
