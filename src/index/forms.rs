//! Other forms of a query word: the terms of the folded `title` and `body`
//! that share its stem, found in the term dictionaries at query time.
//!
//! Documents are indexed once, folded (see [`analysis`](super::analysis));
//! stemming happens only at search time. For a query word `w` and a
//! stemmed language `L`, the stem `s = stem_L(fold(w))` is computed, the
//! field's term dictionary of each segment is walked over the terms that
//! could have that stem (see [`Range`]), and the terms `t` with
//! `stem_L(t) == s` are the word's other forms. Filling a stemmed copy of
//! every text at index time cost 40 % of an import's CPU; a query pays a
//! few dictionary walks instead.
//!
//! Which terms could have the stem: a stemmer mostly cuts a suffix, so the
//! stem is a prefix of the word. Where it is not, the difference is in the
//! stem's last letter or in letters the stemmer rewrites everywhere:
//! - the last letter: English `happy` → `happi`, `hoping` → `hope`,
//!   `possibility` → `possibl`; Turkish and Azerbaijani consonants that
//!   soften before a vowel and are put back hard (`kitabı` → `kitap`,
//!   `bayrağı` → `bayraq`, `nazirliyi` → `nazirlik`); French `journaux` →
//!   `journal`. So the range is cut one letter short of the stem.
//! - letters rewritten anywhere: German umlauts and `ß`, the accents
//!   Romance stemmers remove or change, Arabic letter variants. Both stem and
//!   terms are compared through [`key`], which maps those letters together.
//! - Arabic also strips prefixes (`ال`, `و`, `ب`, ...): its range is one
//!   per prefix the stemmer may have removed.
//!
//! The range only bounds the walk; the stem test decides. A word whose
//! stemmer found no other way to write it lands in the range as well (the
//! test in this module measures how many forms of real text do, per
//! language). The work is bounded: at most [`MAX_SCANNED`] terms per range
//! and segment, and the [`MAX_FORMS`] forms found in most documents.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use tantivy::schema::Field;
use tantivy::termdict::TermStreamer;
use tantivy::Searcher;
use tantivy_fst::Automaton;

use super::stem::{StemLanguage, Stemming};
use crate::names::Fnv;

/// Terms read from one range of one segment's dictionary at most: a stem
/// of three letters in a large index may start ten thousand words.
pub const MAX_SCANNED: usize = 2_000;

/// Other forms kept per word and field, those in most documents first: a
/// Russian noun has a dozen, a few rare misspellings more add little.
pub const MAX_FORMS: usize = 16;

/// Stems shorter than this are not cut one letter short: the range of one
/// or two letters would be most of a language's words, and such short stems
/// are mostly whole short words.
const MIN_CUT_STEM: usize = 4;

/// Prefixes the Snowball Arabic stemmer may remove: a conjunction (`ف`,
/// `و`), then an article or preposition with article, a preposition or a
/// verb prefix. The empty prefix comes first.
const ARABIC_PREFIXES: &[&str] = &[
    "", "ال", "بال", "كال", "فال", "وال", "لل", "ب", "ك", "ل", "ف", "و", "وب", "وك", "ول", "فب",
    "فك", "فل", "س", "سي", "ست", "سن", "سا", "يست", "نست", "تست", "وسي", "وست", "وسن",
];

/// What the last letter of a short stem (under [`MIN_CUT_STEM`] letters,
/// which keeps its last letter in its range) may have been in the word:
/// consonants hardened back after softening before a vowel (Turkish
/// `kitabı` → `kitap`, Azerbaijani `ağı` → `aq`), English `y` written `i`
/// and an `e` put back where `-ing` or `-ed` went (`using` → `use`). Empty
/// for letters kept as written.
fn stands_for(stemming: Stemming, last: char) -> &'static [&'static str] {
    use frostem::Algorithm as A;
    match (stemming, last) {
        (Stemming::Azerbaijani, 'q') => &["ğ"],
        (Stemming::Azerbaijani, 'k') => &["y"],
        (Stemming::Turkish, 'p') => &["b"],
        (Stemming::Turkish, 'ç') => &["c"],
        (Stemming::Turkish, 't') => &["d"],
        (Stemming::Turkish, 'k') => &["ğ", "y"],
        (Stemming::Turkish, 'q') => &["ğ"],
        (Stemming::Snowball(A::English), 'i') => &["y"],
        (Stemming::Snowball(A::English), 'e') => &["ing", "ed"],
        (Stemming::Snowball(A::English), 'y') => &["i"],
        _ => &[],
    }
}

/// The letters `c` is compared as, for a language whose stemmer rewrites
/// letters anywhere in a word (see the module docs). Most letters are
/// themselves.
pub fn key(stemming: Stemming, c: char, out: &mut impl FnMut(char)) {
    use frostem::Algorithm as A;
    let romance = |c: char| match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ÿ' => 'y',
        c => c,
    };
    match stemming {
        // German text written without umlauts spells them `ae`, `oe`, `ue`,
        // which the stemmer reads as umlauts: with every `e` left out,
        // both spellings compare alike.
        Stemming::Snowball(A::German) => match c {
            'ä' => out('a'),
            'ö' => out('o'),
            'ü' => out('u'),
            'e' => {}
            'ß' => {
                out('s');
                out('s');
            }
            c => out(c),
        },
        // French stems write `y` between vowels as `i` (`payés` → `pai`) and
        // `-ic-` as `-iqu-` (`indication` → `indiqu`).
        Stemming::Snowball(A::French) => match romance(c) {
            'y' => out('i'),
            'q' => out('c'),
            c => out(c),
        },
        Stemming::Snowball(A::Spanish | A::Italian | A::Portuguese) => out(romance(c)),
        Stemming::Snowball(A::Arabic) => match c {
            // Short vowels and tatweel, which the stemmer drops.
            '\u{064B}'..='\u{0652}' | '\u{0640}' => {}
            'أ' | 'إ' | 'آ' | 'ٱ' | 'ؤ' | 'ئ' | 'ء' => out('ا'),
            'ى' => out('ي'),
            'ة' => out('ه'),
            c => out(c),
        },
        _ => out(c),
    }
}

/// Whether [`key`] leaves every letter as it is for `stemming`: such
/// languages' ranges are the same terms when their starts are, and may
/// share a walk. Keep in step with the arms of [`key`].
fn compares_as_written(stemming: Stemming) -> bool {
    use frostem::Algorithm as A;
    !matches!(
        stemming,
        Stemming::Snowball(
            A::German | A::French | A::Spanish | A::Italian | A::Portuguese | A::Arabic
        )
    )
}

/// `text` through [`key`].
fn keyed(stemming: Stemming, text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        key(stemming, c, &mut |k| out.push(k));
    }
    out
}

/// The terms that may have a given stem: those whose [`key`]ed letters
/// start with one of `starts`.
#[derive(Debug, Clone)]
pub struct Range {
    stemming: Stemming,
    starts: Vec<Vec<char>>,
}

impl Range {
    /// The range of the terms that may have the stem `stem` in `language`.
    pub fn of(language: &StemLanguage, stem: &str) -> Range {
        let stemming = language.stemming;
        let full = keyed(stemming, stem);
        let mut stems = Vec::new();
        match full.split_last() {
            Some((_, rest)) if full.len() >= MIN_CUT_STEM => stems.push(rest.to_vec()),
            Some((&last, rest)) => {
                stems.push(full.clone());
                for letters in stands_for(stemming, last) {
                    let mut other = rest.to_vec();
                    other.extend(letters.chars());
                    stems.push(other);
                }
            }
            None => stems.push(full),
        }
        let starts = if stemming == Stemming::Snowball(frostem::Algorithm::Arabic) {
            ARABIC_PREFIXES
                .iter()
                .flat_map(|p| {
                    stems.iter().map(move |stem| {
                        let mut s = keyed(stemming, p);
                        s.extend_from_slice(stem);
                        s
                    })
                })
                .collect()
        } else {
            stems
        };
        Range { stemming, starts }
    }

    /// Whether `term` is in the range (what the dictionary walk finds).
    #[cfg(test)]
    pub fn contains(&self, term: &str) -> bool {
        let term = keyed(self.stemming, term);
        self.starts.iter().any(|s| term.starts_with(s))
    }
}

/// Accepts the terms whose keyed letters begin with `start`, reading the
/// term's UTF-8 bytes one at a time as the term dictionary walks them.
struct StartsWith<'a> {
    stemming: Stemming,
    start: &'a [char],
}

#[derive(Clone, Copy)]
struct Walk {
    /// Letters of `start` matched so far; `None` once the term left the range.
    matched: Option<usize>,
    /// Bytes of the letter being read.
    bytes: [u8; 4],
    len: u8,
}

/// Bytes of the UTF-8 sequence a lead byte starts.
fn sequence_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

impl Automaton for StartsWith<'_> {
    type State = Walk;

    fn start(&self) -> Walk {
        Walk {
            matched: Some(0),
            bytes: [0; 4],
            len: 0,
        }
    }

    fn is_match(&self, state: &Walk) -> bool {
        state.matched == Some(self.start.len())
    }

    fn can_match(&self, state: &Walk) -> bool {
        state.matched.is_some()
    }

    fn will_always_match(&self, state: &Walk) -> bool {
        self.is_match(state)
    }

    fn accept(&self, state: &Walk, byte: u8) -> Walk {
        let Some(matched) = state.matched else {
            return *state;
        };
        if matched == self.start.len() {
            return *state;
        }
        let mut next = *state;
        next.bytes[usize::from(next.len)] = byte;
        next.len += 1;
        let len = usize::from(next.len);
        if len < sequence_len(next.bytes[0]) {
            return next;
        }
        next.len = 0;
        let Some(c) = std::str::from_utf8(&next.bytes[..len])
            .ok()
            .and_then(|s| s.chars().next())
        else {
            next.matched = None;
            return next;
        };
        let mut at = Some(matched);
        key(self.stemming, c, &mut |k| {
            at = match at {
                Some(n) if n == self.start.len() => Some(n),
                Some(n) if self.start[n] == k => Some(n + 1),
                _ => None,
            };
        });
        next.matched = at;
        next
    }
}

/// Stems of the terms seen by one query, by term, one map per language of
/// [`LANGUAGES`](super::stem::LANGUAGES).
type StemCache = HashMap<String, String, BuildHasherDefault<Fnv>>;

/// One other form of a word in one field, and the documents it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub field: Field,
    pub text: String,
    pub doc_freq: u64,
}

/// Looks up the other forms of query words, caching the stems it computes
/// for the rest of the query.
pub struct Finder<'a> {
    searcher: &'a Searcher,
    /// The stemmed languages looked in, with their positions in
    /// [`LANGUAGES`](super::stem::LANGUAGES).
    languages: Vec<(usize, StemLanguage)>,
    stems: Vec<StemCache>,
}

impl<'a> Finder<'a> {
    pub fn new(searcher: &'a Searcher, languages: Vec<(usize, StemLanguage)>) -> Self {
        Finder {
            searcher,
            languages,
            stems: vec![StemCache::default(); super::stem::LANGUAGES.len()],
        }
    }

    /// Whether any language is looked in at all.
    pub fn is_empty(&self) -> bool {
        self.languages.is_empty()
    }

    /// The languages looked in.
    pub fn languages(&self) -> &[(usize, StemLanguage)] {
        &self.languages
    }

    /// Whether `term` has the stem `stem` in the language at position `n`.
    fn has_stem(&mut self, n: usize, stemming: Stemming, term: &str, stem: &str) -> bool {
        let cache = &mut self.stems[n];
        if let Some(known) = cache.get(term) {
            return known == stem;
        }
        let computed = stemming.stem(term).into_owned();
        let same = computed == stem;
        cache.insert(term.to_string(), computed);
        same
    }

    /// The other forms in `field` of the word `folded` (as the folding
    /// analyzer gives it; empty when it gives several words) in each
    /// language of `words`, given by its position in
    /// [`LANGUAGES`](super::stem::LANGUAGES) with the word as its stemmer
    /// takes it (the same, or without an apostrophe suffix): for each entry
    /// of `words`, the terms with the word's stem, not the word itself,
    /// those in most documents first, at most [`MAX_FORMS`] (none for a
    /// language not looked in).
    ///
    /// Languages that compare letters as written and cut the word to the
    /// same range (Turkish, Azerbaijani and English often all walk `bu`)
    /// share one walk of each segment's dictionary, each term tested
    /// against each of their stems: the walks were a sixth of a search's
    /// CPU. Each language still sees the terms, and the first
    /// [`MAX_SCANNED`], its own walk would have.
    pub fn forms_each(
        &mut self,
        field: Field,
        folded: &str,
        words: &[(usize, String)],
    ) -> tantivy::Result<Vec<Vec<Form>>> {
        let mut wanted: Vec<Option<Wanted>> = Vec::with_capacity(words.len());
        let mut walks: Vec<SharedWalk> = Vec::new();
        for (i, (n, word)) in words.iter().enumerate() {
            let Some(&(_, language)) = self.languages.iter().find(|(m, _)| m == n) else {
                wanted.push(None);
                continue;
            };
            let stemming = language.stemming;
            let stem = stemming.stem(word).into_owned();
            let range = Range::of(&language, &stem);
            let keyed_as = (!compares_as_written(stemming)).then_some(stemming);
            for start in range.starts.iter() {
                let same = walks
                    .iter_mut()
                    .find(|w| w.keyed_as == keyed_as && w.start == *start);
                match same {
                    Some(walk) => {
                        if !walk.members.contains(&i) {
                            walk.members.push(i);
                        }
                    }
                    None => walks.push(SharedWalk {
                        keyed_as,
                        stemming: range.stemming,
                        start: start.clone(),
                        members: vec![i],
                    }),
                }
            }
            wanted.push(Some(Wanted {
                n: *n,
                stemming,
                stem,
                found: HashMap::default(),
            }));
        }
        let searcher = self.searcher;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(field)?;
            let dictionary = inverted.terms();
            for walk in &walks {
                let mut each = |term: &str, doc_freq: u64| {
                    for &i in &walk.members {
                        let Some(w) = wanted[i].as_mut() else {
                            continue;
                        };
                        // Several walks of one language may meet a term
                        // (an Arabic word under two prefixes): a segment
                        // counts once.
                        if let Some((documents, last)) = w.found.get_mut(term) {
                            if *last != ord + 1 {
                                *documents += doc_freq;
                                *last = ord + 1;
                            }
                            continue;
                        }
                        if self.has_stem(w.n, w.stemming, term, &w.stem) {
                            w.found.insert(term.to_string(), (doc_freq, ord + 1));
                        }
                    }
                };
                if walk.keyed_as.is_some() {
                    let automaton = StartsWith {
                        stemming: walk.stemming,
                        start: &walk.start,
                    };
                    scan(
                        dictionary.search(automaton).into_stream()?,
                        folded,
                        &mut each,
                    );
                } else {
                    // Letters compared as written: the range is the terms
                    // whose bytes start with the start's, which the
                    // dictionary seeks to without an automaton reading
                    // every byte.
                    let prefix: String = walk.start.iter().collect();
                    let mut range = dictionary.range();
                    if !prefix.is_empty() {
                        range = range.ge(prefix.as_bytes());
                    }
                    if let Some(end) = after_prefix(prefix.as_bytes()) {
                        range = range.lt(end);
                    }
                    scan(range.into_stream()?, folded, &mut each);
                }
            }
        }
        Ok(wanted
            .into_iter()
            .map(|w| {
                let Some(w) = w else {
                    return Vec::new();
                };
                let mut forms: Vec<Form> = w
                    .found
                    .into_iter()
                    .map(|(text, (doc_freq, _))| Form {
                        field,
                        text,
                        doc_freq,
                    })
                    .collect();
                forms
                    .sort_unstable_by(|a, b| b.doc_freq.cmp(&a.doc_freq).then(a.text.cmp(&b.text)));
                forms.truncate(MAX_FORMS);
                forms
            })
            .collect())
    }
}

/// Hands `each` the terms of `stream` other than `folded`, with their
/// documents, at most [`MAX_SCANNED`] of them.
fn scan<A: Automaton>(
    mut stream: TermStreamer<'_, A>,
    folded: &str,
    each: &mut impl FnMut(&str, u64),
) {
    let mut scanned = 0;
    while stream.advance() {
        scanned += 1;
        if scanned > MAX_SCANNED {
            break;
        }
        let Ok(term) = std::str::from_utf8(stream.key()) else {
            continue;
        };
        if term == folded {
            continue;
        }
        each(term, u64::from(stream.value().doc_freq));
    }
}

/// The first byte string after every string that starts with `prefix`;
/// `None` when there is none (no bound).
fn after_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Each form with its documents so far and the last segment counted, plus
/// one.
type Found = HashMap<String, (u64, usize), BuildHasherDefault<Fnv>>;

/// One word of [`Finder::forms_each`] in one language.
struct Wanted {
    n: usize,
    stemming: Stemming,
    stem: String,
    found: Found,
}

/// One walk of each segment's dictionary, over the terms whose letters
/// keyed as `keyed_as` (as written when `None`) start with `start`, and
/// the words of [`Finder::forms_each`] whose ranges it is.
struct SharedWalk {
    keyed_as: Option<Stemming>,
    /// The language of the first member, whose [`key`] the walk uses.
    stemming: Stemming,
    start: Vec<char>,
    members: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::super::analysis::{fold_words, stem_words};
    use super::super::stem::{position, LANGUAGES};
    use super::*;

    fn language(code: &str) -> StemLanguage {
        LANGUAGES[position(code).expect("stemmed")]
    }

    fn in_range(code: &str, word: &str) -> bool {
        let language = language(code);
        let folded = fold_words(word).join(" ");
        let stem = language.stemming.stem(&folded).into_owned();
        Range::of(&language, &stem).contains(&folded)
    }

    #[test]
    fn after_a_prefix_comes_the_next_byte_string() {
        assert_eq!(after_prefix(b"bu"), Some(b"bv".to_vec()));
        assert_eq!(after_prefix(b"b\xff"), Some(b"c".to_vec()));
        assert_eq!(after_prefix(b"\xff\xff"), None);
        assert_eq!(after_prefix(b""), None);
    }

    #[test]
    fn stems_that_are_not_prefixes_are_in_range() {
        for (code, word) in [
            ("en", "happy"),
            ("en", "hoping"),
            ("en", "possibility"),
            ("en", "elections"),
            ("tr", "kitabı"),
            ("tr", "cumhurbaşkanının"),
            ("az", "bayrağı"),
            ("az", "nazirliyi"),
            ("az", "Bakıda"),
            ("az", "dağlardan"),
            ("tr", "ağacı"),
            ("en", "using"),
            ("en", "skies"),
            ("de", "Häuser"),
            ("de", "Straße"),
            ("fr", "journaux"),
            ("es", "acción"),
            ("ru", "президента"),
            ("hy", "Երևանի"),
            ("ar", "والكتاب"),
            ("ar", "بالمدرسة"),
        ] {
            assert!(in_range(code, word), "{code} {word}");
        }
    }

    /// How many words of real text (the language-identification sentences
    /// of `../shared/bench/langid`) fall in the range of their own stem: the
    /// share of the forms a stemmed field would have matched that the range
    /// finds.
    #[test]
    fn ranges_find_the_forms_of_real_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/langid");
        if !root.is_dir() {
            eprintln!("skipped: {} is absent", root.display());
            return;
        }
        let mut below = Vec::new();
        // Measured 2026-12-07: 1.0000 but tr 0.9999 (`ege`) and fr 0.9995
        // (`-emment` → `-ent`, which cuts two letters).
        for (code, floor) in [
            ("az", 0.9995),
            ("hy", 0.9995),
            ("ru", 0.9995),
            ("tr", 0.9995),
            ("en", 0.9995),
            ("de", 0.9995),
            ("fr", 0.999),
        ] {
            let mut words = 0usize;
            let mut misses = Vec::new();
            for file in ["sentences.txt", "word-pairs.txt", "single-words.txt"] {
                let Ok(text) = std::fs::read_to_string(root.join(code).join(file)) else {
                    continue;
                };
                let language = language(code);
                for line in text.lines() {
                    let folded = fold_words(line);
                    let stemmed = stem_words(code, line).expect("stemmed");
                    if folded.len() != stemmed.len() {
                        // An apostrophe suffix: the stemmer saw other words.
                        continue;
                    }
                    for (word, stem) in folded.iter().zip(&stemmed) {
                        words += 1;
                        if !Range::of(&language, stem).contains(word) {
                            misses.push(format!("{word}→{stem}"));
                        }
                    }
                }
            }
            let found = 1.0 - misses.len() as f64 / words.max(1) as f64;
            eprintln!(
                "{code}: {words} words, {:.4} in range; misses {:?}",
                found,
                &misses[..misses.len().min(20)]
            );
            if found < floor {
                below.push(format!("{code}: {found:.4} below {floor}"));
            }
        }
        assert!(below.is_empty(), "{below:?}");
    }
}
