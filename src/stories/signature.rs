//! What an article is compared by, computed from its text alone (pure):
//!
//! - a MinHash of the body's word 2-shingles, for near-duplicates, and the
//!   LSH band keys that find candidate copies without comparing with every
//!   article;
//! - the features that find and score candidate stories: cross-script name
//!   keys ([`crate::names`]) and numbers, which a translation keeps.
//!
//! Words are no feature: reports of two events of one kind (two fires, two
//! festivals) share them, whether written from an agency's formula or by
//! habit, and on `examples/stories_bench` they made stories of kinds of
//! events; only ranking among stories that names and numbers had chosen
//! was left to them, which was not worth two dozen lookups per article.
//!
//! Every feature and band is a 64-bit hash whose two top bits say its
//! [`Kind`], so one table of the state store holds them all.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::names::{Fnv, Folder};

/// Maps and sets of the story code: their keys are hashes already, or
/// short words, where std's SipHash (made to resist crafted keys) costs
/// more than the rest of the lookup.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Sets and maps made for one article and dropped, whose order is never
/// read (a signature's words and features, ranked by count and first
/// place; a decision's stories, by support and id): FxHash, eight bytes
/// at a time. FNV, a multiply per byte one after the other, was most of
/// the cost of the name words' set and of looking each word of the lead
/// up in it (a fifth of a signature), and eight multiplies for each story
/// id a decision tallies.
pub(crate) type QuickSet<K> = rustc_hash::FxHashSet<K>;
pub(crate) type QuickMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// MinHash values per article: what the resemblance of a candidate copy
/// is estimated from (60 values: a standard error of about 0.065 at 0.5,
/// the copy threshold). Stores keep them: the shingles they are of
/// changed once, with migration 16, which keeps which articles have the
/// old ones.
pub const MINHASH: usize = 60;
/// LSH bands, of [`ROWS`] values each, over the first `BANDS × ROWS`
/// values of the MinHash. With 2 rows per band, two texts of Jaccard
/// similarity 0.5 share a band with probability 1 − (1 − 0.5²)⁸ ≈ 0.90,
/// at 0.7 with 0.995, at 0.3 with 0.53, at 0.1 with 0.08 and at 0.02 with
/// 0.003: rewrites are found, unrelated texts hardly ever.
///
/// Until migration 14 an article had 20 bands of 3 rows (0.93 at 0.5,
/// 0.42 at 0.3, 0.02 at 0.1): the same finding of copies near the
/// threshold for twice the rows, and a band is a row of the state store
/// written for every article, while a candidate it finds is read only
/// when the filter lets it through (a look-alike found by the lower
/// rows per band is checked against the whole MinHash, so it costs a
/// lookup, never a wrong copy).
///
/// Eight, not ten (as stored before): two rows and two lookups fewer an
/// article, for copies F1 0.976 → 0.976 on `stories_bench`'s worlds and
/// 0.968 → 0.967 on the dense ones (nine pairs of 11,048). An article
/// stored with ten has these eight among them, and is found by them.
pub const BANDS: usize = 8;
const ROWS: usize = 2;
const _: () = assert!(BANDS * ROWS <= MINHASH);
/// MinHash values computed at once (see [`minhash`]).
const LANES: usize = 12;
const _: () = assert!(MINHASH.is_multiple_of(LANES));
/// A body of fewer shingles has no MinHash: a few words say nothing about
/// copying (a headline-only post shares them with its rivals). Ten words,
/// a sentence: a brief copied whole is a copy (with twelve shingles, the
/// briefs of `stories_bench`'s worlds were never found, some 50 missed
/// copies in a dense world), and a template's briefs that differ only in
/// their figures or names fail the names-and-numbers check instead.
const MIN_SHINGLES: usize = 8;

/// At most this many features of each kind are kept, the most telling
/// first (the most frequent, title names counted twice): the who, where
/// and how many of a news lead. The decision asks a story for a share of
/// them ([`super::decision::Thresholds::cover`]), and the names a long
/// article mentions in passing (background, earlier events) made that
/// share hard to reach: with 16 names and 8 numbers, 150,000 articles of
/// the scale corpus had pairwise recall 0.372 within a language and 0.013
/// across, with 8 and 5 0.434 and 0.106 (precision 1.000 and 0.998, 0.984
/// and 0.985), with 6 and 4 0.497 and 0.198 (precision 0.998 and 0.992).
/// Each one kept is also a lookup and a stored row for every article. The
/// labelled worlds' articles decide the same with any of these; with 4
/// names and 3 numbers they begin to lose their events.
const MAX_NAMES: usize = 6;
const MAX_NUMBERS: usize = 4;
/// The body is read this far: a news text names its event's who, where
/// and how many in its first paragraphs, and a copy copies them; the rest
/// of a long article (background, earlier events) would add cost and
/// names of other stories.
pub const LEAD_BYTES: usize = 3_000;

/// `body` up to [`LEAD_BYTES`], cut at a character boundary.
fn lead(body: &str) -> &str {
    if body.len() <= LEAD_BYTES {
        return body;
    }
    let mut end = LEAD_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// The paragraphs of a body (separated by a blank line, as the
/// extractor writes them), to tell an article's own names and figures
/// from those it recalls.
struct Paragraphs {
    /// Where each blank line after the first text starts.
    breaks: Vec<usize>,
}

impl Paragraphs {
    fn of(body: &str) -> Self {
        let start = body.len() - body.trim_start().len();
        // memchr's search: `str::match_indices` took 1 % of an import's
        // CPU (perf, 20,000 JSON lines) for a few blank lines a lead.
        Paragraphs {
            breaks: memchr::memmem::find_iter(&body.as_bytes()[start..], b"\n\n")
                .map(|i| start + i)
                .collect(),
        }
    }

    /// A text of one paragraph: a title, or no text.
    fn none() -> Self {
        Paragraphs { breaks: Vec::new() }
    }

    /// The paragraph of the byte at `at`, from 0.
    fn of_byte(&self, at: usize) -> u32 {
        self.breaks.partition_point(|b| *b < at) as u32
    }
}

/// The names or figures, of those found with their paragraphs, that are
/// the article's own: those of its title or first paragraph, and those
/// it comes back to in two paragraphs or more. A long article recalls
/// earlier events with their people, places and figures, each in a
/// paragraph of its own; taken as the article's, they made it share half
/// its features with the earlier event's story, join it, and chain
/// stories together (`stories_bench --background 1`: pairwise precision
/// 0.015). `None` when all are found in the first paragraph (a body of
/// one paragraph, most posts and feed texts): all are its own, and no map
/// is built on the signing path for them.
fn own_features<K: Eq + std::hash::Hash + Copy>(
    found: impl Iterator<Item = (K, u32)> + Clone,
) -> Option<QuickSet<K>> {
    if found.clone().all(|(_, paragraph)| paragraph == 0) {
        return None;
    }
    // Each one: the first paragraph it was found in, and whether another.
    let mut spread: QuickMap<K, (u32, bool)> = QuickMap::default();
    for (key, paragraph) in found {
        let entry = spread.entry(key).or_insert((paragraph, false));
        entry.1 |= entry.0 != paragraph;
    }
    Some(
        spread
            .into_iter()
            .filter(|(_, (first, again))| *first == 0 || *again)
            .map(|(key, _)| key)
            .collect(),
    )
}

/// What a feature is. Only [`Kind::Name`] and [`Kind::Number`] compare
/// across languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Name = 0,
    Number = 1,
    Band = 3,
}

impl Kind {
    /// The kind encoded in a feature hash.
    pub fn of(hash: u64) -> Kind {
        match hash >> 62 {
            0 => Kind::Name,
            1 => Kind::Number,
            _ => Kind::Band,
        }
    }

    pub fn crosses_languages(self) -> bool {
        matches!(self, Kind::Name | Kind::Number)
    }
}

/// The signature of one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    /// Empty when the body is too short to tell a copy by.
    pub minhash: Vec<u32>,
    /// One key per band of `minhash` (empty with it).
    pub bands: Vec<u64>,
    /// Names and numbers, without repeats, each kind's most telling
    /// first.
    pub features: Vec<u64>,
}

impl Signature {
    /// Names and numbers, sorted: what a translation of the article also
    /// has.
    pub fn cross(&self) -> Vec<u64> {
        let mut cross: Vec<u64> = self
            .features
            .iter()
            .copied()
            .filter(|f| Kind::of(*f).crosses_languages())
            .collect();
        cross.sort_unstable();
        cross
    }
}

/// Words [`Signer::keyed`] holds at most: emptied when full, as the name
/// folder's cache is (the words of a few hundred articles).
const KEYED_WORDS: usize = 16_384;

/// Where a word is in its text: its byte range.
type Span = (usize, usize);

/// Computes signatures, reusing the name folder's buffers and a cache of
/// the name features of the words seen lately.
#[derive(Debug, Default)]
pub struct Signer {
    folder: Folder,
    /// A name word → the feature hashes of its keys (those of three bytes
    /// or more), in the folder's order. Kept instead of the folder's cache
    /// of the keys themselves (a vector of strings per word, each hashed
    /// again with FNV, a byte at a time, at every article): reading a word
    /// cached was a third of the cost of an article's names.
    keyed: QuickMap<String, Vec<u64>>,
    /// Scratch of [`Signer::sign_named`], kept for its capacity: the
    /// lowercase hash of each word of the body's lead, and where the words
    /// of the title and of the lead are (byte ranges).
    words: Vec<u64>,
    spans: [Vec<Span>; 2],
}

impl Signer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The signature of an article, from its title and the lead of its
    /// body (the first [`LEAD_BYTES`]).
    pub fn sign(&mut self, title: &str, body: &str) -> Signature {
        let (mut title_names, mut body_names) = (String::new(), String::new());
        crate::index::names::name_words(title, &mut title_names);
        crate::index::names::name_words(body, &mut body_names);
        self.sign_named(title, body, [&title_names, &body_names])
    }

    /// [`Signer::sign`] with the name words of title and body found
    /// already (by [`crate::index::names::name_words`]; the body's over the
    /// whole body, which the index needs anyway).
    pub fn sign_named(&mut self, title: &str, body: &str, names: [&str; 2]) -> Signature {
        let body = lead(body);
        // The lead is read once, for the shingles and the names both: its
        // reading (letters told, lowercased, hashed) was most of the cost
        // of a signature, twice over.
        let [mut title_spans, mut body_spans] = std::mem::take(&mut self.spans);
        spans(title, &mut title_spans);
        words(body, &mut self.words, &mut body_spans);
        let (minhash, bands) = minhash(&self.words);
        let paragraphs = Paragraphs::of(body);
        let mut features = Vec::with_capacity(MAX_NAMES + MAX_NUMBERS);
        self.names(
            [
                (title, &title_spans, names[0]),
                (body, &body_spans, names[1]),
            ],
            &paragraphs,
            &mut features,
        );
        self.spans = [title_spans, body_spans];
        numbers(title, body, &paragraphs, &mut features);
        Signature {
            minhash,
            bands,
            features,
        }
    }

    /// The names of the text, one per run of adjacent name words, keyed
    /// by its last word: a person is one feature, by the surname ("Aram
    /// Grigoryan", "Grigoryan said" and "Григорян" meet), so two people in
    /// common weigh as two, not four, and a common given name is no
    /// evidence at all.
    ///
    /// A single capitalised word that starts a sentence (or the title) is
    /// taken only when the text also has it within a sentence, or when the
    /// table of the region's names lists it: the first
    /// words of an outlet's formulas ("Organisers expect", "Терминал…")
    /// are capitalised in every report of every event of their kind, and
    /// would make two fires two reports of one.
    ///
    /// `texts` are the title and the lead, each with where its words are
    /// (see [`words`]) and its name words; `paragraphs` are the lead's.
    fn names<'t>(
        &mut self,
        texts: [(&'t str, &[Span], &str); 2],
        paragraphs: &Paragraphs,
        out: &mut Vec<u64>,
    ) {
        // Each run: its last word, whether it is one capitalised word at a
        // sentence start, its weight, and its paragraph (see
        // [`Paragraphs`]; the title's are the first's).
        let mut runs: Vec<(&'t str, bool, u32, u32)> = Vec::new();
        let title_paragraphs = Paragraphs::none();
        let weighed = [(2, &title_paragraphs), (1, paragraphs)];
        for ((text, spans, name_words), (weight, paragraphs)) in texts.into_iter().zip(weighed) {
            let names = NameSet::of(name_words);
            // The run's last word, whether the run is one capitalised word
            // at a sentence start, and where the word is.
            let mut last: Option<(&str, bool, usize)> = None;
            let mut end = 0;
            for &(start, token_end) in spans {
                let token = &text[start..token_end];
                let gap = &text[end..start];
                let is_name = names.contains(token);
                if let Some((previous, lone, at)) = last {
                    if is_name && gap.chars().all(char::is_whitespace) {
                        last = Some((token, false, start));
                        end = start + token.len();
                        continue;
                    }
                    runs.push((previous, lone, weight, paragraphs.of_byte(at)));
                    last = None;
                }
                if is_name {
                    let at_start = end == 0
                        || gap
                            .trim_end_matches(|c: char| {
                                c.is_whitespace() || "\"'«»“”„([-–—".contains(c)
                            })
                            .ends_with(['.', '!', '?', '…', '։', ':']);
                    let capital = token.chars().next().is_some_and(char::is_uppercase);
                    last = Some((token, at_start && capital, start));
                }
                end = start + token.len();
            }
            if let Some((previous, lone, at)) = last {
                runs.push((previous, lone, weight, paragraphs.of_byte(at)));
            }
        }
        // Maps sized at once: grown from empty, each rehashed a few times
        // an article (sized, signing took 6 % less on `signing_time`'s
        // article leads).
        let mut within: QuickSet<&str> = sized_set(runs.len());
        within.extend(
            runs.iter()
                .filter(|(_, lone, _, _)| !lone)
                .map(|(w, ..)| *w),
        );
        // Each word with the weight of all its runs, in the order of its
        // first: a name is repeated through an article, and keying it once
        // gives the same counts, and the same first-seen order of each key
        // (a word's keys are always the same).
        let mut weights: Vec<(&str, u32)> = Vec::with_capacity(runs.len());
        let mut seen: QuickMap<&str, usize> = sized_map(runs.len());
        let own = own_features(
            runs.iter()
                .map(|(word, _, _, paragraph)| (*word, *paragraph)),
        );
        for (word, lone, weight, _) in runs {
            if lone && !within.contains(word) && !crate::names::listed_name(word) {
                continue;
            }
            if own.as_ref().is_some_and(|own| !own.contains(word)) {
                continue;
            }
            let at = *seen.entry(word).or_insert(weights.len());
            match weights.get_mut(at) {
                Some((_, total)) => *total += weight,
                None => weights.push((word, weight)),
            }
        }
        // Keys by how often they occur, title names counted twice: the
        // people and places an article is about come first.
        let mut counts: QuickMap<u64, (u32, usize)> = sized_map(KEYS_PER_WORD * weights.len());
        let mut order = 0usize;
        let mut count = |hashes: &[u64], weight: u32| {
            for &h in hashes {
                let entry = counts.entry(h).or_insert((0, order));
                entry.0 += weight;
                order += 1;
            }
        };
        for (word, weight) in weights {
            if let Some(hashes) = self.keyed.get(word) {
                count(hashes, weight);
                continue;
            }
            let mut hashes = Vec::new();
            self.folder.keys_uncached(word, |key| {
                if key.len() >= 3 {
                    hashes.push(hash(Kind::Name, key));
                }
            });
            count(&hashes, weight);
            if self.keyed.len() >= KEYED_WORDS {
                self.keyed.clear();
            }
            self.keyed.insert(word.to_string(), hashes);
        }
        push_most(counts, MAX_NAMES, out);
    }
}

/// Keys a name word has, about (of three bytes or more: the word, its
/// stem and its forms in the other scripts): what an article's map of
/// name keys is sized for.
const KEYS_PER_WORD: usize = 4;

/// An empty map with room for `n` entries.
fn sized_map<K, V>(n: usize) -> QuickMap<K, V> {
    QuickMap::with_capacity_and_hasher(n, Default::default())
}

/// An empty set with room for `n` entries.
fn sized_set<K>(n: usize) -> QuickSet<K> {
    QuickSet::with_capacity_and_hasher(n, Default::default())
}

/// The name words of a text, to look its words up in: most words of a
/// text are not names (lowercase, in most scripts), and are ruled out by
/// their first two bytes, which no name word of the text begins with,
/// without hashing them.
struct NameSet<'a> {
    words: QuickSet<&'a str>,
    initials: [u64; INITIALS / 64],
}

/// Bits of [`NameSet::initials`].
const INITIALS: usize = 1024;

impl<'a> NameSet<'a> {
    /// The words of `name_words` (space-separated).
    fn of(name_words: &'a str) -> Self {
        let mut set = NameSet {
            words: sized_set(name_words.bytes().filter(|&b| b == b' ').count() + 1),
            initials: [0; INITIALS / 64],
        };
        for word in name_words.split(' ').filter(|w| !w.is_empty()) {
            let bit = initial(word);
            set.initials[bit / 64] |= 1 << (bit % 64);
            set.words.insert(word);
        }
        set
    }

    fn contains(&self, word: &str) -> bool {
        let bit = initial(word);
        self.initials[bit / 64] & (1 << (bit % 64)) != 0 && self.words.contains(word)
    }
}

/// The bit of a word's first two bytes in [`NameSet::initials`].
fn initial(word: &str) -> usize {
    let bytes = word.as_bytes();
    let pair = u64::from(bytes.first().copied().unwrap_or(0)) << 8
        | u64::from(bytes.get(1).copied().unwrap_or(0));
    (pair.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - INITIALS.trailing_zeros())) as usize
}

/// The most frequent of `counts` (first seen first among equals).
fn push_most<S>(counts: HashMap<u64, (u32, usize), S>, max: usize, out: &mut Vec<u64>) {
    let mut ranked: Vec<(u64, (u32, usize))> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    out.extend(ranked.into_iter().take(max).map(|(h, _)| h));
}

/// Numbers of two digits or more, with their thousands separators taken
/// out (`1,200`, `1 200`, `1.200` are one number); a decimal part stays
/// (`3.5` is not `35`, and `3,5` is `3.5`).
/// `paragraphs` are those of `body`.
fn numbers(title: &str, body: &str, paragraphs: &Paragraphs, out: &mut Vec<u64>) {
    // Read as bytes: every character a number is made of is ASCII but for
    // two spaces; a vector of `char`s per text was most of the cost here.
    let digit = |b: Option<&u8>| b.is_some_and(u8::is_ascii_digit);
    let mut counts: QuickMap<u64, (u32, usize)> = QuickMap::default();
    let mut order = 0usize;
    let mut number = String::new();
    // Each number and its paragraph, in the order read.
    let mut found: Vec<(u64, u32)> = Vec::new();
    let title_paragraphs = Paragraphs::none();
    for (text, paragraphs) in [(title, &title_paragraphs), (body, paragraphs)] {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit()
                || text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
            {
                i += 1;
                continue;
            }
            number.clear();
            while i < bytes.len() {
                let b = bytes[i];
                if b.is_ascii_digit() {
                    number.push(b as char);
                    i += 1;
                    continue;
                }
                // Three digits from `from`, and no fourth.
                let group = |from: usize| {
                    bytes.len() >= from + 3
                        && bytes[from..from + 3].iter().all(u8::is_ascii_digit)
                        && !digit(bytes.get(from + 3))
                };
                let separator = match b {
                    b',' | b'.' | b' ' | b'\'' => 1,
                    _ if text[i..].starts_with('\u{a0}') => 2,
                    _ if text[i..].starts_with('\u{202f}') => 3,
                    _ => 0,
                };
                if separator > 0 && group(i + separator) {
                    i += separator;
                } else if matches!(b, b',' | b'.') && digit(bytes.get(i + 1)) {
                    number.push('.');
                    i += 1;
                } else {
                    break;
                }
            }
            if number.len() >= 2 {
                found.push((hash(Kind::Number, &number), paragraphs.of_byte(i)));
            }
        }
    }
    let own = own_features(found.iter().copied());
    for (h, _) in found {
        if own.as_ref().is_none_or(|own| own.contains(&h)) {
            counts.entry(h).or_insert((0, order)).0 += 1;
            order += 1;
        }
    }
    push_most(counts, MAX_NUMBERS, out);
}

/// The hash of a feature of `kind`.
fn hash(kind: Kind, text: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(text.as_bytes());
    with_kind(kind, h.finish())
}

fn with_kind(kind: Kind, h: u64) -> u64 {
    (h & !(3 << 62)) | ((kind as u64) << 62)
}

/// The words of `text` as [`crate::names::tokens`] splits it, each as the
/// FNV hash of its lowercase (into `hashes`) and as its byte range (into
/// `spans`), in one reading of the text.
fn words(text: &str, hashes: &mut Vec<u64>, spans: &mut Vec<Span>) {
    hashes.clear();
    spans.clear();
    // FNV-1a as `Fnv` computes it, one `write` per lowercase character:
    // `Fnv` starts over from its offset basis at a write that finds the
    // state 0, so the state is checked at each character as it does.
    const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut h = 0u64;
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if !(crate::letters::is_alphanumeric(c) || matches!(c, '\u{0300}'..='\u{036F}')) {
            if let Some(from) = start.take() {
                hashes.push(h);
                spans.push((from, i));
            }
            continue;
        }
        if start.is_none() {
            start = Some(i);
            h = 0;
        }
        if c.is_ascii() {
            // Most words of the press we follow in Latin script are ASCII:
            // its lowercase is one byte, without the table.
            if h == 0 {
                h = BASIS;
            }
            h ^= u64::from(c.to_ascii_lowercase() as u8);
            h = h.wrapping_mul(PRIME);
            continue;
        }
        // From the table of `letters`: the region's letters are nearly
        // all outside ASCII, where `char::to_lowercase` searches the
        // Unicode tables.
        crate::letters::for_each_lowercase(c, |l| {
            if h == 0 {
                h = BASIS;
            }
            let mut buf = [0u8; 4];
            for &b in l.encode_utf8(&mut buf).as_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(PRIME);
            }
        });
    }
    if let Some(from) = start {
        hashes.push(h);
        spans.push((from, text.len()));
    }
}

/// The byte ranges of the words of `text` ([`crate::names::tokens`]).
fn spans(text: &str, out: &mut Vec<Span>) {
    out.clear();
    out.extend(crate::names::tokens(text).map(|t| {
        let start = t.as_ptr() as usize - text.as_ptr() as usize;
        (start, start + t.len())
    }));
}

/// MinHash of the word 2-shingles (pairs of adjacent words) of a text
/// whose words hash to `words` (lowercase, see [`words`]), and its band
/// keys.
///
/// Pairs, not triples (until migration 16): a light rewrite of a brief (a
/// word dropped, added or moved in twenty) changes two pairs per edit
/// where it changed three triples, and a brief has few of either: its
/// rewrites fell below any threshold that kept templates apart. On
/// `stories_bench` copies F1 went 0.972 → 0.976, on the dense worlds
/// 0.957 → 0.968 and 0.963 → 0.972 (at resemblance 0.5, from 0.45; most
/// copies missed had fewer than 30 words); none wrongly found on 150,000
/// lines of the scale corpus.
fn minhash(words: &[u64]) -> (Vec<u32>, Vec<u64>) {
    let mins = shingled(words, 2);
    let bands = band_keys(&mins, PAIR_BANDS);
    (mins, bands)
}

/// The MinHash and band keys of `body` as articles stored before
/// migration 16 have them (word triples, see [`minhash`]), to find copies
/// among those.
pub fn legacy_minhash(body: &str) -> (Vec<u32>, Vec<u64>) {
    let (mut words, mut spans) = (Vec::new(), Vec::new());
    self::words(lead(body), &mut words, &mut spans);
    let mins = shingled(&words, 3);
    let bands = legacy_bands(&mins);
    (mins, bands)
}

/// MinHash of the `width`-word shingles of `words`: empty when they are
/// too few (see [`MIN_SHINGLES`]).
#[inline]
fn shingled(words: &[u64], width: usize) -> Vec<u32> {
    // Ten words at least, whatever the width: what a copy is told by.
    if words.len() < MIN_SHINGLES + 2 {
        return Vec::new();
    }
    let mut mins = vec![u32::MAX; MINHASH];
    for shingle in words.windows(width) {
        let x = match shingle {
            [a, b] => a ^ b.rotate_left(21),
            _ => shingle[0] ^ shingle[1].rotate_left(21) ^ shingle[2].rotate_left(42),
        };
        // Two independent halves give every permutation (Kirsch and
        // Mitzenmacher): value i is the high half of h1 + i·h2.
        let h1 = mix(x);
        let h2 = mix(x ^ 0x9e37_79b9_7f4a_7c15) | 1;
        // Computed LANES at a time by adding LANES·h2 to each lane, which
        // the compiler turns into vector adds and minimums: the same
        // values, a third of the time of a multiply per value (this loop
        // was most of the signature's cost, and the signature a good part
        // of what stories cost in ingest).
        let step = h2.wrapping_mul(LANES as u64);
        let mut v = [0u64; LANES];
        for (k, lane) in v.iter_mut().enumerate() {
            *lane = h1.wrapping_add(h2.wrapping_mul(k as u64));
        }
        for chunk in mins.chunks_exact_mut(LANES) {
            for (m, lane) in chunk.iter_mut().zip(v.iter_mut()) {
                *m = (*m).min((*lane >> 32) as u32);
                *lane = lane.wrapping_add(step);
            }
        }
    }
    mins
}

/// The first band number of a MinHash of word pairs: their band keys are
/// never those of a MinHash of triples, whose bands are numbered from 0.
const PAIR_BANDS: u32 = 16;

/// The LSH band keys of a MinHash of word triples, as stored before
/// migration 16 ([`BANDS`] of them; none for an empty one): also how the
/// bands of articles stored before migration 14 are made from their
/// stored MinHash.
pub fn legacy_bands(minhash: &[u32]) -> Vec<u64> {
    band_keys(minhash, 0)
}

/// The band keys of `minhash`, its bands numbered from `first`.
fn band_keys(minhash: &[u32], first: u32) -> Vec<u64> {
    if minhash.len() < BANDS * ROWS {
        return Vec::new();
    }
    minhash[..BANDS * ROWS]
        .chunks(ROWS)
        .zip(first..)
        .map(|(rows, band)| {
            let mut h = Fnv::default();
            h.write(&band.to_le_bytes());
            for r in rows {
                h.write(&r.to_le_bytes());
            }
            with_kind(Kind::Band, h.finish())
        })
        .collect()
}

/// splitmix64's finaliser: FNV's low bits are poorly mixed.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The share of equal values of two MinHashes: an estimate of the Jaccard
/// similarity of the shingle sets. 0 when either has none.
pub fn resemblance(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "The foreign ministers of Armenia and Azerbaijan met in Almaty on \
        Friday to discuss the draft peace treaty, the border commission and the reopening \
        of transport links, officials said after the talks that lasted five hours.";

    #[test]
    fn the_minhash_is_the_one_of_a_multiply_per_value_and_of_lowercase_words() {
        // Stores keep the MinHashes and bands of earlier versions: the way
        // they are computed may change, never their values.
        let text = format!(
            "{BODY} Министр ИНОСТРАННЫХ дел Армении. Ёлка и Ђорђе. \
             ՀԱՅԱՍՏԱՆԻ արտաքին գործերի նախարար. საქართველოს ᲞᲐᲠᲚᲐᲛᲔᲜᲢᲘ დღეს. Əli İSTANBUL'da."
        );
        let words: Vec<u64> = crate::names::tokens(&text)
            .map(|t| {
                let mut h = Fnv::default();
                h.write(t.to_lowercase().as_bytes());
                h.finish()
            })
            .collect();
        // Of word pairs now, of word triples for articles stored before
        // migration 16 (kept, and compared with the triples of a new one).
        for (width, made) in [(2, minhash_of(&text)), (3, legacy_minhash(&text).0)] {
            let mut expected = vec![u32::MAX; MINHASH];
            for shingle in words.windows(width) {
                let mut x = shingle[0] ^ shingle[1].rotate_left(21);
                if let Some(third) = shingle.get(2) {
                    x ^= third.rotate_left(42);
                }
                let (h1, h2) = (mix(x), mix(x ^ 0x9e37_79b9_7f4a_7c15) | 1);
                for (i, m) in expected.iter_mut().enumerate() {
                    let v = (h1.wrapping_add((i as u64).wrapping_mul(h2)) >> 32) as u32;
                    *m = (*m).min(v);
                }
            }
            assert_eq!(made, expected, "shingles of {width} words");
        }
    }

    /// The MinHash of word pairs of `text`.
    fn minhash_of(text: &str) -> Vec<u32> {
        let (mut hashes, mut spans) = (Vec::new(), Vec::new());
        super::words(text, &mut hashes, &mut spans);
        minhash(&hashes).0
    }

    #[test]
    fn bands_of_pairs_are_never_those_of_triples() {
        let mins: Vec<u32> = (0..MINHASH as u32).collect();
        let (pairs, triples) = (band_keys(&mins, PAIR_BANDS), legacy_bands(&mins));
        assert_eq!((pairs.len(), triples.len()), (BANDS, BANDS));
        assert!(pairs.iter().all(|b| !triples.contains(b)));
    }

    #[test]
    fn a_copy_resembles_its_original_and_another_text_does_not() {
        let mut signer = Signer::new();
        let a = signer.sign("Ministers meet", BODY);
        let edited = BODY
            .replace("Friday", "Friday morning")
            .replace("officials", "diplomats");
        let b = signer.sign("Ministers met in Almaty", &edited);
        let other = signer.sign(
            "Harvest",
            "Farmers in the south of the country began the wheat harvest two weeks early \
             this year because of the hot and dry spring, the agriculture ministry reported.",
        );
        assert!(resemblance(&a.minhash, &b.minhash) > 0.5);
        assert!(resemblance(&a.minhash, &other.minhash) < 0.1);
        assert!(a.bands.iter().any(|band| b.bands.contains(band)));
        assert!(!a.bands.iter().any(|band| other.bands.contains(band)));
    }

    #[test]
    fn names_and_numbers_meet_across_scripts() {
        let mut signer = Signer::new();
        let en = signer.sign(
            "Pashinyan visits Tbilisi",
            "Nikol Pashinyan arrived in Tbilisi with 1,200 delegates on 14 March.",
        );
        let ru = signer.sign(
            "Пашинян посетил Тбилиси",
            "Никол Пашинян прибыл в Тбилиси с 1 200 делегатами 14 марта.",
        );
        let shared: Vec<&u64> = en
            .features
            .iter()
            .filter(|f| ru.features.contains(f))
            .collect();
        assert!(
            shared
                .iter()
                .filter(|f| Kind::of(***f) == Kind::Name)
                .count()
                >= 2
        );
        assert_eq!(
            shared
                .iter()
                .filter(|f| Kind::of(***f) == Kind::Number)
                .count(),
            2,
            "1200 and 14"
        );
    }

    #[test]
    fn names_and_figures_recalled_past_the_first_paragraph_are_not_the_articles() {
        let mut signer = Signer::new();
        let title = "Fire in Gyumri";
        let lede = "A fire broke out at a warehouse in Gyumri, injuring 12 workers.";
        // An earlier event, recalled at length: its names and figures
        // outnumber the article's own.
        let recall = "Last year Aliyev and Erdogan met in Shusha. Aliyev and Erdogan \
                      signed 17 agreements in Shusha. Aliyev thanked Erdogan for 3,400 \
                      tonnes of aid.";
        let recalled = signer.sign("", recall).features;
        assert!(!recalled.is_empty());
        let alone = signer.sign(title, lede).features;
        let article = signer
            .sign(title, &format!("{lede}\n\n{recall}\n\nGyumri counts 12."))
            .features;
        assert_eq!(article, alone, "the recalled names and figures add nothing");
        // Read as one paragraph, the recall is the article's own.
        let whole = signer.sign(title, &format!("{lede} {recall}")).features;
        assert!(recalled.iter().any(|f| whole.contains(f)));
        // So is a name or figure the article comes back to in a second
        // paragraph past the first.
        let again = signer
            .sign(
                title,
                &format!("{lede}\n\nMayor Vardan Ghukasyan counted 45 homes.\n\nGhukasyan said the 45 families are safe."),
            )
            .features;
        let mayor = signer
            .sign("", "Vardan Ghukasyan counted 45 homes.")
            .features;
        assert!(
            mayor.iter().all(|f| again.contains(f)),
            "{mayor:?} in {again:?}"
        );
    }

    #[test]
    fn numbers_read_their_separators() {
        let mut out = Vec::new();
        let body = "1,200 and 1 200 and 1.200 but 3,5 and 3.5 and x25 and 7";
        numbers("", body, &Paragraphs::of(body), &mut out);
        assert_eq!(out.len(), 2, "1200 and 3.5");
    }

    /// [`numbers`] as it was written first, over `char`s: stores keep
    /// the number keys it made.
    fn numbers_by_chars(title: &str, body: &str) -> Vec<u64> {
        let mut counts: FastMap<u64, (u32, usize)> = FastMap::default();
        let mut order = 0usize;
        let mut number = String::new();
        for text in [title, body] {
            let chars: Vec<char> = text.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphanumeric()) {
                    i += 1;
                    continue;
                }
                number.clear();
                while i < chars.len() {
                    let c = chars[i];
                    if c.is_ascii_digit() {
                        number.push(c);
                        i += 1;
                        continue;
                    }
                    let group = |from: usize| {
                        chars.len() >= from + 3
                            && chars[from..from + 3].iter().all(char::is_ascii_digit)
                            && !chars.get(from + 3).is_some_and(char::is_ascii_digit)
                    };
                    let separator = matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\'');
                    if separator && group(i + 1) {
                        i += 1;
                    } else if matches!(c, ',' | '.')
                        && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                    {
                        number.push('.');
                        i += 1;
                    } else {
                        break;
                    }
                }
                if number.len() >= 2 {
                    counts
                        .entry(hash(Kind::Number, &number))
                        .or_insert((0, order))
                        .0 += 1;
                    order += 1;
                }
            }
        }
        let mut out = Vec::new();
        push_most(counts, MAX_NUMBERS, &mut out);
        out
    }

    #[test]
    fn numbers_read_as_bytes_are_the_ones_read_as_chars() {
        let texts = [
            "1,200 and 1 200 and 1.200 but 3,5 and 3.5 and x25 and 7",
            "Ermənistan 2025-ci ildə 1\u{a0}250\u{a0}000 və 3\u{202f}400 nəfər; ш12, ա34 7'500",
            "Rates: 12.5%, 1,2345 and 1.234.567; 99 luftballons, 0.75 and ,25 and 10,",
            "Тбилиси 14 марта 1 200 делегатов, ՀՀ 3 456 789 դրամ, 2023—2025, №45, 1/2",
            "50 50 50 and 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22",
            "ends with a separator 123\u{a0}",
            "ends in a group 1 234",
            "",
        ];
        for title in texts {
            for body in texts {
                let mut out = Vec::new();
                numbers(title, body, &Paragraphs::of(body), &mut out);
                assert_eq!(out, numbers_by_chars(title, body), "{title:?} / {body:?}");
            }
        }
    }

    #[test]
    fn a_short_body_has_no_minhash_and_a_sentence_of_ten_words_has() {
        let sig = Signer::new().sign("Breaking", "Explosion reported in the port.");
        assert!(sig.minhash.is_empty() && sig.bands.is_empty());
        let nine = "Explosion reported in the port of Poti on Monday.";
        let sig = Signer::new().sign("Breaking", nine);
        assert!(sig.minhash.is_empty() && sig.bands.is_empty());
        let ten = "An explosion was reported in the port of Poti on Monday.";
        let sig = Signer::new().sign("Breaking", ten);
        assert_eq!(sig.minhash.len(), MINHASH);
        assert_eq!(sig.bands.len(), BANDS);
        let again = Signer::new().sign("Poti port blast", ten);
        assert_eq!(resemblance(&sig.minhash, &again.minhash), 1.0);
    }

    /// The signature code as it was before, to prove the values unchanged.
    mod before {
        use super::super::{
            band_keys, mix, LANES, MAX_NAMES, MAX_NUMBERS, MINHASH, MIN_SHINGLES, PAIR_BANDS,
        };
        use super::super::{hash, lead, numbers, push_most, FastMap, Kind, Signature};
        use crate::names::{Fnv, Folder};
        use std::hash::{BuildHasherDefault, Hasher};

        type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<Fnv>>;

        /// The signer as it was before one reading of the lead served both the
        /// shingles and the names: stores keep what it made.
        #[derive(Default)]
        pub struct Signer {
            folder: Folder,
        }

        impl Signer {
            /// [`Signer::sign`] with the name words of title and body found
            /// already (by [`crate::index::names::name_words`]; the body's over the
            /// whole body, which the index needs anyway).
            pub fn sign_named(&mut self, title: &str, body: &str, names: [&str; 2]) -> Signature {
                let body = lead(body);
                let (minhash, bands) = minhash(body);
                let mut features = Vec::with_capacity(MAX_NAMES + MAX_NUMBERS);
                self.names([(title, names[0]), (body, names[1])], &mut features);
                numbers(title, body, &super::Paragraphs::of(body), &mut features);
                Signature {
                    minhash,
                    bands,
                    features,
                }
            }

            /// The names of the text, one per run of adjacent name words, keyed
            /// by its last word: a person is one feature, by the surname ("Aram
            /// Grigoryan", "Grigoryan said" and "Григорян" meet), so two people in
            /// common weigh as two, not four, and a common given name is no
            /// evidence at all.
            ///
            /// A single capitalised word that starts a sentence (or the title) is
            /// taken only when the text also has it within a sentence, or when the
            /// table of the region's names lists it: the first
            /// words of an outlet's formulas ("Organisers expect", "Терминал…")
            /// are capitalised in every report of every event of their kind, and
            /// would make two fires two reports of one.
            fn names<'t>(&mut self, texts: [(&'t str, &str); 2], out: &mut Vec<u64>) {
                let mut runs: Vec<(&'t str, bool, u32)> = Vec::new();
                for ((text, name_words), weight) in texts.into_iter().zip([2, 1]) {
                    let names: FastSet<&str> =
                        name_words.split(' ').filter(|w| !w.is_empty()).collect();
                    // The run's last word, and whether the run is one capitalised
                    // word at a sentence start.
                    let mut last: Option<(&str, bool)> = None;
                    let mut end = 0;
                    for token in crate::names::tokens(text) {
                        let start = token.as_ptr() as usize - text.as_ptr() as usize;
                        let gap = &text[end..start];
                        let is_name = names.contains(token);
                        if let Some((previous, lone)) = last {
                            if is_name && gap.chars().all(char::is_whitespace) {
                                last = Some((token, false));
                                end = start + token.len();
                                continue;
                            }
                            runs.push((previous, lone, weight));
                            last = None;
                        }
                        if is_name {
                            let at_start = end == 0
                                || gap
                                    .trim_end_matches(|c: char| {
                                        c.is_whitespace() || "\"'«»“”„([-–—".contains(c)
                                    })
                                    .ends_with(['.', '!', '?', '…', '։', ':']);
                            let capital = token.chars().next().is_some_and(char::is_uppercase);
                            last = Some((token, at_start && capital));
                        }
                        end = start + token.len();
                    }
                    if let Some((previous, lone)) = last {
                        runs.push((previous, lone, weight));
                    }
                }
                let within: FastSet<&str> = runs
                    .iter()
                    .filter(|(_, lone, _)| !lone)
                    .map(|(w, _, _)| *w)
                    .collect();
                // Keys by how often they occur, title names counted twice: the
                // people and places an article is about come first.
                let mut counts: FastMap<u64, (u32, usize)> = FastMap::default();
                let mut order = 0usize;
                for (word, lone, weight) in runs {
                    if lone && !within.contains(word) && !crate::names::listed_name(word) {
                        continue;
                    }
                    self.folder.keys(word, |key| {
                        if key.len() < 3 {
                            return;
                        }
                        let entry = counts.entry(hash(Kind::Name, key)).or_insert((0, order));
                        entry.0 += weight;
                        order += 1;
                    });
                }
                push_most(counts, MAX_NAMES, out);
            }
        }

        /// MinHash of the lowercase word 2-shingles of `body`, and its band keys.
        fn minhash(body: &str) -> (Vec<u32>, Vec<u64>) {
            // Each word hashed once, lowercased on the fly (no string per word).
            let words: Vec<u64> = crate::names::tokens(body)
                .map(|t| {
                    let mut h = Fnv::default();
                    let mut buf = [0u8; 4];
                    for c in t.chars() {
                        // From the table of `letters`: the region's letters are
                        // nearly all outside ASCII, where `char::to_lowercase`
                        // searches the Unicode tables.
                        crate::letters::for_each_lowercase(c, |l| {
                            h.write(l.encode_utf8(&mut buf).as_bytes())
                        });
                    }
                    h.finish()
                })
                .collect();
            if words.len() < MIN_SHINGLES + 2 {
                return (Vec::new(), Vec::new());
            }
            let mut mins = vec![u32::MAX; MINHASH];
            for shingle in words.windows(2) {
                let x = shingle[0] ^ shingle[1].rotate_left(21);
                // Two independent halves give every permutation (Kirsch and
                // Mitzenmacher): value i is the high half of h1 + i·h2.
                let h1 = mix(x);
                let h2 = mix(x ^ 0x9e37_79b9_7f4a_7c15) | 1;
                // Computed LANES at a time by adding LANES·h2 to each lane, which
                // the compiler turns into vector adds and minimums: the same
                // values, a third of the time of a multiply per value (this loop
                // was most of the signature's cost, and the signature a good part
                // of what stories cost in ingest).
                let step = h2.wrapping_mul(LANES as u64);
                let mut v = [0u64; LANES];
                for (k, lane) in v.iter_mut().enumerate() {
                    *lane = h1.wrapping_add(h2.wrapping_mul(k as u64));
                }
                for chunk in mins.chunks_exact_mut(LANES) {
                    for (m, lane) in chunk.iter_mut().zip(v.iter_mut()) {
                        *m = (*m).min((*lane >> 32) as u32);
                        *lane = lane.wrapping_add(step);
                    }
                }
            }
            let bands = band_keys(&mins, PAIR_BANDS);
            (mins, bands)
        }
    }

    /// Texts of every script and shape the signer meets: cased and not,
    /// combining marks, characters whose lowercase is longer, digits
    /// glued to letters, names in runs and alone at sentence starts.
    fn varied_texts() -> Vec<String> {
        let mut texts: Vec<String> = [
            BODY,
            "Nikol Pashinyan arrived in Tbilisi with 1,200 delegates on 14 March. Pashinyan said.",
            "Никол Пашинян прибыл в Тбилиси с 1 200 делегатами 14 марта. ЁЛКА Ёлка ёлка.",
            "ՀԱՅԱՍՏԱՆԻ արտաքին գործերի նախարար Արարատ Միրզոյանը. Միրզոյան, Երևան։ Գյումրի",
            "საქართველოს ᲞᲐᲠᲚᲐᲛᲔᲜᲢᲘ დღეს. ირაკლი კობახიძე თბილისში. კობახიძემ თქვა",
            "Əli İSTANBUL'da İlham Əliyev Bakıda. Şuşa, Laçın; IŞIK ışık I\u{307}i\u{307}",
            "Decomposed s\u{327}u\u{308}s\u{327} and ǅemal ǈuba ǋenan ΣΊΣΥΦΟΣ ὈΔΥΣΣΕΎΣ ß ẞ ﬁ ŉ",
            "x25 and 7'500 and \u{a0}1\u{a0}250\u{a0}000 — «Ter-Petrosyan» (Levon) “said”: yes!",
            "",
            "   ",
            "a",
            "tail word",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // Long ones, cut inside a character by the lead.
        texts.push("Երևան Ерева́н Yerevan ".repeat(300));
        texts.push(format!("{} Ω", "ab".repeat(1_499)));
        texts.push(format!("{}ü tail", "w ".repeat(1_500)));
        texts
    }

    fn name_words(text: &str) -> String {
        let mut out = String::new();
        crate::index::names::name_words(text, &mut out);
        out
    }

    /// Signs each text (as the body, with another as the title) both ways
    /// and asserts every value equal.
    fn the_same_as_before(texts: &[String]) {
        let (mut now, mut then) = (Signer::new(), before::Signer::default());
        let (mut shingled, mut featured) = (0, 0);
        for (i, body) in texts.iter().enumerate() {
            let title = &texts[(i * 7 + 3) % texts.len()];
            let names = [name_words(title), name_words(body)];
            let names = [names[0].as_str(), names[1].as_str()];
            let sig = now.sign_named(title, body, names);
            assert_eq!(
                sig,
                then.sign_named(title, body, names),
                "{title:?} / {body:?}"
            );
            shingled += usize::from(!sig.minhash.is_empty());
            featured += usize::from(!sig.features.is_empty());
        }
        assert!(shingled > 0 && featured > 0, "nothing was compared");
    }

    /// Texts of the shared benchmark's sentences: single ones, and
    /// paragraphs of ten (long enough to shingle). None when absent.
    fn shared_texts() -> Option<Vec<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/langid");
        if !dir.exists() {
            eprintln!("skipping: {} not found", dir.display());
            return None;
        }
        let mut lines = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("langid directory readable")
            .map(|entry| entry.expect("langid entry").path().join("sentences.txt"))
            .collect();
        files.sort();
        for file in files {
            if let Ok(text) = std::fs::read_to_string(&file) {
                lines.extend(text.lines().map(str::to_owned));
            }
        }
        assert!(!lines.is_empty(), "no sentences under {}", dir.display());
        let paragraphs: Vec<String> = lines.chunks(10).map(|c| c.join(" ")).collect();
        lines.extend(paragraphs);
        Some(lines)
    }

    #[test]
    fn signatures_are_the_ones_signed_before() {
        // Stores keep MinHashes, bands and feature hashes, not the texts
        // to make them again: every value must stay what it was.
        the_same_as_before(&varied_texts());
    }

    #[test]
    fn signatures_of_the_shared_sentences_are_the_ones_signed_before() {
        if let Some(texts) = shared_texts() {
            the_same_as_before(&texts);
        }
    }

    /// Signing time, before and now, over the shared sentences: run with
    /// `cargo test --release --lib stories::signature::tests::signing_time
    /// -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn signing_time() {
        let Some(texts) = shared_texts() else {
            return;
        };
        // The sentences and paragraphs, and texts of about an article's
        // lead: consecutive sentences joined up to LEAD_BYTES.
        let mut long = vec![String::new()];
        for text in &texts[..texts.len() * 10 / 11] {
            let last = long.last_mut().expect("one text at least");
            if last.len() + text.len() >= LEAD_BYTES {
                long.push(text.clone());
            } else {
                last.push(' ');
                last.push_str(text);
            }
        }
        signing_time_of("sentences and paragraphs", &texts);
        signing_time_of("article leads", &long);
    }

    fn signing_time_of(label: &str, texts: &[String]) {
        let inputs: Vec<(&str, &str, [String; 2])> = texts
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let title = &texts[(i * 7 + 3) % texts.len()];
                // A headline's length (`floor_char_boundary` is newer than
                // the crate's rust-version).
                let mut end = title.len().min(80);
                while !title.is_char_boundary(end) {
                    end -= 1;
                }
                let title = &title[..end];
                (title, body.as_str(), [name_words(title), name_words(body)])
            })
            .collect();
        let (mut now, mut then) = (Signer::new(), before::Signer::default());
        let (mut times_now, mut times_then) = (Vec::new(), Vec::new());
        for _ in 0..15 {
            let start = std::time::Instant::now();
            for (title, body, names) in &inputs {
                std::hint::black_box(then.sign_named(title, body, [&names[0], &names[1]]));
            }
            times_then.push(start.elapsed().as_secs_f64());
            let start = std::time::Instant::now();
            for (title, body, names) in &inputs {
                std::hint::black_box(now.sign_named(title, body, [&names[0], &names[1]]));
            }
            times_now.push(start.elapsed().as_secs_f64());
        }
        let median = |times: &mut Vec<f64>| {
            times.sort_by(f64::total_cmp);
            times[times.len() / 2] * 1e6 / inputs.len() as f64
        };
        let bytes: usize = texts.iter().map(|t| lead(t).len()).sum();
        println!(
            "{label}: {} texts ({} bytes of lead on average): before {:.2} µs a text, now {:.2} µs (medians of 15 rounds)",
            inputs.len(),
            bytes / inputs.len(),
            median(&mut times_then),
            median(&mut times_now)
        );
    }
}
