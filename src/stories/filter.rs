//! What the story tables may hold, in memory (pure): a blocked Bloom
//! filter of the stored articles' ids and of their features and bands,
//! each with the time span it was dated in, so that the assigner asks the
//! state store only about what may be there.
//!
//! Most of an article's lookups find nothing: its 20 MinHash bands unless
//! it is a copy, its numbers, its rare names, and its id unless it was
//! indexed before. Each of them read a page of a store far larger than
//! SQLite's cache at random (see BENCHMARKS, stories). The filter answers
//! "not stored" for most of them with one cache line; it never answers
//! "not stored" for something stored (no false negatives), so every
//! decision is the one the store alone would give.
//!
//! A feature is kept with the span of [`Spans`] its article was dated in:
//! a lookup within `[at − window, at + window]` asks for the two or three
//! spans that window overlaps, so a name stored months away from the new
//! article (an archive imported out of order) counts as absent too.
//!
//! This module knows nothing of SQLite: `crate::stories` fills it from
//! the state store when it opens and with each batch it stores.

use chrono::{DateTime, Duration, Utc};

use super::signature::{mix, Kind};

/// Bits per key the filter is sized for: about 6 % false positives when
/// full (k = 4 in a block of 512), 0.6 % half full. It is rebuilt twice as
/// large when full, so it holds between 6 and 12 bits a key. The scale
/// corpus gave 21 keys an article with 20 bands (measured at 395,000
/// articles: 18.1 band keys, 1.9 name and number keys, 1 id); with 10
/// bands (migration 14) about 12, 15.1 on 20,000 articles dated over a
/// year (8.9 bands, 5.2 names and numbers: they recur less in a smaller
/// store). Grown by doubling from a million keys, a million articles take
/// a filter sized for 16M keys, 12 MB (18 MB for a moment while it is
/// rebuilt, see `Stories`).
const BITS_PER_KEY: usize = 6;
/// The smallest filter (in keys): 768 KB, a few thousand articles.
const MIN_CAPACITY: usize = 1 << 20;
/// Bits set per key, within one block.
const PROBES: u32 = 4;
const BLOCK_BITS: usize = 512;
const WORDS: usize = BLOCK_BITS / 64;
const BLOCK_BYTES: usize = BLOCK_BITS / 8;
/// Blocks written or read at a time when the filter is saved or taken
/// back (64 KB).
const IO_BLOCKS: usize = 1024;

/// The time spans features are kept by: one per window, numbered from the
/// epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spans {
    /// Span width for names and numbers (the story window).
    pub features: Duration,
    /// Span width for bands (the copy window).
    pub bands: Duration,
}

impl Spans {
    fn width(&self, kind: Kind) -> i64 {
        let width = match kind {
            Kind::Band => self.bands,
            Kind::Name | Kind::Number => self.features,
        };
        width.num_milliseconds().max(1)
    }

    /// The span of a feature or band of `kind` dated `at`.
    pub fn span(&self, kind: Kind, at: DateTime<Utc>) -> i64 {
        at.timestamp_millis().div_euclid(self.width(kind))
    }

    /// The spans that `[from, to]` overlaps, for a feature or band of
    /// `kind`: two or three for a window of one span on either side.
    pub fn overlapped(
        &self,
        kind: Kind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> std::ops::RangeInclusive<i64> {
        self.span(kind, from)..=self.span(kind, to)
    }
}

/// A blocked Bloom filter of stored ids and `(feature, span)` keys.
#[derive(Debug, Clone)]
pub struct Filter {
    spans: Spans,
    blocks: Vec<[u64; WORDS]>,
    /// The keys it was sized for.
    capacity: usize,
    /// Keys added that were not (seemingly) there yet.
    keys: usize,
}

/// The key of an article id: apart from every feature key (its own seed).
fn id_key(id: &str) -> u64 {
    let mut h = crate::names::Fnv::default();
    std::hash::Hasher::write(&mut h, id.as_bytes());
    mix(std::hash::Hasher::finish(&h) ^ 0x5851_f42d_4c95_7f2d)
}

fn feature_key(hash: u64, span: i64) -> u64 {
    mix(hash ^ mix(span as u64).rotate_left(17))
}

impl Filter {
    /// An empty filter for `keys` keys now and as many again to come.
    pub fn for_keys(spans: Spans, keys: usize) -> Filter {
        Filter::with_capacity(spans, (2 * keys).max(MIN_CAPACITY))
    }

    /// An empty filter sized for exactly `capacity` keys.
    fn with_capacity(spans: Spans, capacity: usize) -> Filter {
        let blocks = (capacity * BITS_PER_KEY).div_ceil(BLOCK_BITS).max(1);
        Filter {
            spans,
            blocks: vec![[0; WORDS]; blocks],
            capacity,
            keys: 0,
        }
    }

    /// Whether it holds more keys than it was sized for (then its false
    /// positives climb: rebuild it, twice as large).
    pub fn is_full(&self) -> bool {
        self.keys > self.capacity
    }

    /// A filter that holds everything: every lookup is made (what the
    /// assigner did without a filter). It counts as full, holding `keys`,
    /// so that the next chance builds a real one of that size.
    pub fn everything(spans: Spans, keys: usize) -> Filter {
        Filter {
            spans,
            blocks: vec![[u64::MAX; WORDS]],
            capacity: 0,
            keys: keys.max(1),
        }
    }

    /// The spans its features are kept by.
    pub fn spans(&self) -> Spans {
        self.spans
    }

    /// Keys held (each counted once, but for the rare false positive).
    pub fn keys(&self) -> usize {
        self.keys
    }

    /// Its memory, in bytes.
    pub fn bytes(&self) -> usize {
        self.blocks.len() * std::mem::size_of::<[u64; WORDS]>()
    }

    /// The keys it was sized for and the keys it holds: what
    /// [`Filter::read_blocks`] takes back, with the blocks.
    pub fn sizes(&self) -> (usize, usize) {
        (self.capacity, self.keys)
    }

    /// Writes its blocks to `out`, each word little-endian, a slice at a
    /// time: a copy of the whole (12 MB at a million articles) is never
    /// made.
    pub fn write_blocks(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(IO_BLOCKS * BLOCK_BYTES);
        for chunk in self.blocks.chunks(IO_BLOCKS) {
            buf.clear();
            buf.extend(
                chunk
                    .iter()
                    .flat_map(|b| b.iter().flat_map(|w| w.to_le_bytes())),
            );
            out.write_all(&buf)?;
        }
        Ok(())
    }

    /// The filter of [`Filter::write_blocks`] (with [`Filter::sizes`]),
    /// read from `input`, which holds `len` bytes; `None` when they cannot
    /// be one sized for `capacity` keys (saved by another build).
    pub fn read_blocks(
        spans: Spans,
        (capacity, keys): (usize, usize),
        len: usize,
        input: &mut dyn std::io::Read,
    ) -> std::io::Result<Option<Filter>> {
        let Some(blocks) = capacity
            .checked_mul(BITS_PER_KEY)
            .map(|bits| bits.div_ceil(BLOCK_BITS).max(1))
        else {
            return Ok(None);
        };
        if len != blocks * BLOCK_BYTES {
            return Ok(None);
        }
        let mut filter = Filter::with_capacity(spans, capacity);
        filter.keys = keys;
        let mut buf = vec![0u8; IO_BLOCKS * BLOCK_BYTES];
        for chunk in filter.blocks.chunks_mut(IO_BLOCKS) {
            let bytes = &mut buf[..chunk.len() * BLOCK_BYTES];
            input.read_exact(bytes)?;
            for (block, b) in chunk.iter_mut().zip(bytes.chunks_exact(BLOCK_BYTES)) {
                for (w, b) in block.iter_mut().zip(b.chunks_exact(8)) {
                    *w = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                }
            }
        }
        Ok(Some(filter))
    }

    /// Its size in bytes as [`Filter::write_blocks`] writes it.
    pub fn blocks_len(&self) -> usize {
        self.blocks.len() * BLOCK_BYTES
    }

    /// The block of `key` and its bits there.
    fn place(&self, key: u64) -> (usize, [(usize, u64); PROBES as usize]) {
        // The high half picks the block (multiply-shift: no modulo), the
        // low half the bits, 9 each.
        let block = (((key >> 32) * self.blocks.len() as u64) >> 32) as usize;
        let mut bits = [(0, 0); PROBES as usize];
        for (i, bit) in bits.iter_mut().enumerate() {
            let b = ((key >> (9 * i)) & (BLOCK_BITS as u64 - 1)) as usize;
            *bit = (b / 64, 1u64 << (b % 64));
        }
        (block, bits)
    }

    fn insert_key(&mut self, key: u64) {
        let (block, bits) = self.place(key);
        let words = &mut self.blocks[block];
        let mut new = false;
        for (w, mask) in bits {
            new |= words[w] & mask == 0;
            words[w] |= mask;
        }
        if new {
            self.keys += 1;
        }
    }

    fn may_hold_key(&self, key: u64) -> bool {
        let (block, bits) = self.place(key);
        let words = &self.blocks[block];
        bits.iter().all(|(w, mask)| words[*w] & mask != 0)
    }

    /// Add the stored article `id`.
    pub fn insert_id(&mut self, id: &str) {
        self.insert_key(id_key(id));
    }

    /// Whether the article `id` may be stored.
    pub fn may_hold_id(&self, id: &str) -> bool {
        self.may_hold_key(id_key(id))
    }

    /// Add the feature or band `hash` of an article dated `at`.
    pub fn insert(&mut self, hash: u64, at: DateTime<Utc>) {
        let span = self.spans.span(Kind::of(hash), at);
        self.insert_key(feature_key(hash, span));
    }

    /// Whether an article dated within `[from, to]` may have the feature
    /// or band `hash`.
    pub fn may_hold(&self, hash: u64, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.spans
            .overlapped(Kind::of(hash), from, to)
            .any(|span| self.may_hold_key(feature_key(hash, span)))
    }

    /// The part of `[from, to]` where articles that have `hash` may be
    /// dated: from the first span that may hold it to the last (`None`
    /// when none may). A window's side that this leaves out is not read:
    /// a lookup's two cursors, one each way from the article's date, were
    /// each a search of the b-tree, and a quarter of them found nothing.
    pub fn may_hold_within(
        &self,
        hash: u64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let kind = Kind::of(hash);
        let mut held = self
            .spans
            .overlapped(kind, from, to)
            .filter(|span| self.may_hold_key(feature_key(hash, *span)));
        let first = held.next()?;
        let last = held.next_back().unwrap_or(first);
        let width = self.spans.width(kind);
        let start = DateTime::from_timestamp_millis(first.saturating_mul(width)).unwrap_or(from);
        let end = DateTime::from_timestamp_millis(last.saturating_add(1).saturating_mul(width) - 1)
            .unwrap_or(to);
        Some((start.max(from), end.min(to)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans() -> Spans {
        Spans {
            features: Duration::days(3),
            bands: Duration::days(30),
        }
    }

    /// Day `d` of 2025, at an hour that moves from day to day.
    fn day(d: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_735_689_600 + d * 86_400 + (d % 24) * 3_600, 0).expect("time")
    }

    /// Hashes of each kind, as the signer makes them.
    fn hash(kind: Kind, i: u64) -> u64 {
        (mix(i) & !(3 << 62)) | ((kind as u64) << 62)
    }

    #[test]
    fn what_was_added_is_always_found_within_any_window_around_its_date() {
        // Filled far beyond its size, so that the false positives are many
        // and a false negative would have had every chance to appear.
        let mut filter = Filter::with_capacity(spans(), 1 << 10);
        let mut added = Vec::new();
        for i in 0..300_000u64 {
            let kind = [Kind::Name, Kind::Number, Kind::Band][(i % 3) as usize];
            let at = day((i % 400) as i64);
            filter.insert(hash(kind, i), at);
            filter.insert_id(&format!("https://a.example/{i}"));
            added.push((hash(kind, i), at));
        }
        assert!(filter.is_full());
        for (i, (h, at)) in added.iter().enumerate() {
            let window = if Kind::of(*h) == Kind::Band { 30 } else { 3 };
            for (from, to) in [
                (*at - Duration::days(window), *at + Duration::days(window)),
                (*at, *at),
                (*at - Duration::days(window), *at),
                (*at - Duration::milliseconds(1), *at + Duration::days(200)),
            ] {
                assert!(filter.may_hold(*h, from, to), "{i}");
                let (start, end) = filter.may_hold_within(*h, from, to).expect("held");
                assert!(
                    from <= start && start <= *at && *at <= end && end <= to,
                    "{i}"
                );
            }
            assert!(filter.may_hold_id(&format!("https://a.example/{i}")));
        }
    }

    #[test]
    fn the_range_held_runs_from_the_first_span_holding_the_hash_to_the_last() {
        let mut filter = Filter::for_keys(spans(), 1_000);
        let name = hash(Kind::Name, 7);
        let width = Duration::days(3);
        let span_start = |at: DateTime<Utc>| {
            DateTime::from_timestamp_millis(spans().span(Kind::Name, at) * width.num_milliseconds())
                .expect("time")
        };
        filter.insert(name, day(30));
        let (from, to) = (day(30) - width, day(30) + width);
        // Only the span of day 30: the window's sides beyond it are left
        // out, however far the window reaches.
        let held = filter.may_hold_within(name, from, to).expect("held");
        assert_eq!(held.0, span_start(day(30)));
        assert_eq!(
            held.1,
            span_start(day(30)) + width - Duration::milliseconds(1)
        );
        assert!(from < held.0 && held.1 < to);
        // A window that ends within the span ends there.
        assert_eq!(
            filter.may_hold_within(name, from, day(30)).map(|h| h.1),
            Some(day(30))
        );
        // Another span, later: from the first to the last.
        filter.insert(name, day(32) + width);
        let wide = filter
            .may_hold_within(name, day(28), day(40))
            .expect("held");
        assert_eq!(wide.0, span_start(day(30)));
        assert_eq!(
            wide.1,
            span_start(day(32) + width) + width - Duration::milliseconds(1)
        );
        // Neither in the window: nothing to read.
        assert_eq!(filter.may_hold_within(name, day(100), day(106)), None);
        assert_eq!(filter.may_hold_within(hash(Kind::Name, 8), from, to), None);
    }

    #[test]
    fn a_filter_read_back_from_its_blocks_answers_as_it_did() {
        // Large enough to be written and read in several slices.
        let mut filter = Filter::for_keys(spans(), 200_000);
        for i in 0..200_000u64 {
            filter.insert(hash(Kind::Name, i), day((i % 50) as i64));
            filter.insert_id(&format!("https://a.example/{i}"));
        }
        let mut bytes = Vec::new();
        filter.write_blocks(&mut bytes).expect("write");
        assert_eq!(bytes.len(), filter.blocks_len());
        assert!(bytes.len() > 2 * IO_BLOCKS * BLOCK_BYTES);
        let read = |sizes, len, bytes: &[u8]| {
            Filter::read_blocks(spans(), sizes, len, &mut std::io::Cursor::new(bytes))
        };
        let back = read(filter.sizes(), bytes.len(), &bytes)
            .expect("read")
            .expect("a filter");
        assert_eq!(back.blocks, filter.blocks);
        assert_eq!(back.sizes(), filter.sizes());
        for i in 0..200_000u64 {
            let at = day((i % 50) as i64);
            assert!(back.may_hold(hash(Kind::Name, i), at, at));
            assert!(back.may_hold_id(&format!("https://a.example/{i}")));
        }
        // Bytes that cannot be a filter of that size are refused.
        let (capacity, keys) = filter.sizes();
        assert!(read((capacity, keys), bytes.len() - 1, &bytes)
            .expect("read")
            .is_none());
        assert!(read((capacity * 2, keys), bytes.len(), &bytes)
            .expect("read")
            .is_none());
        assert!(read((usize::MAX, keys), bytes.len(), &bytes)
            .expect("read")
            .is_none());
        // Fewer bytes than it says: an error, not a filter.
        assert!(read(filter.sizes(), bytes.len(), &bytes[1..]).is_err());
    }

    #[test]
    fn what_was_not_added_is_mostly_told_absent_when_it_is_not_full() {
        let mut filter = Filter::for_keys(spans(), 200_000);
        for i in 0..200_000u64 {
            filter.insert(hash(Kind::Band, i), day((i % 365) as i64));
            filter.insert_id(&format!("https://a.example/{i}"));
        }
        assert!(!filter.is_full());
        let (from, to) = (day(100) - Duration::days(30), day(100) + Duration::days(30));
        let false_positives = (1_000_000..1_100_000u64)
            .filter(|i| filter.may_hold(hash(Kind::Band, *i), from, to))
            .count();
        assert!(false_positives < 5_000, "{false_positives} of 100000");
        let ids = (1_000_000..1_100_000u64)
            .filter(|i| filter.may_hold_id(&format!("https://a.example/{i}")))
            .count();
        assert!(ids < 2_000, "{ids} of 100000");
        // A name stored months from the window is absent from it.
        filter.insert(hash(Kind::Name, 7), day(10));
        let later = (day(200), day(206));
        assert!(filter.may_hold(hash(Kind::Name, 7), day(9), day(12)));
        let far = (0..1_000u64)
            .filter(|i| filter.may_hold(hash(Kind::Name, 7 + i * 1_000_003), later.0, later.1))
            .count();
        assert!(far < 100, "{far}");
    }
}
