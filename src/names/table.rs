//! The shipped table of the region's names (`names.txt` beside this file,
//! compiled in): spellings of one name per line. It answers three
//! questions for the rest of the module:
//! - which key a spelling that no key rule brings to its name's other
//!   spellings should take instead (Амирбеков → the key of Əmirbəyov);
//! - whether a word is a spelling the table lists, which is then read as
//!   written and not as an inflected form of something shorter (`Laçın`);
//! - whether a Georgian word is a listed name in one of its case forms,
//!   since Georgian writes names without capitals.
//!
//! A line that starts with `!` is a name of its own: its spellings take a
//! key no word can have, so that words that key alike (Armen for Armenia)
//! stay apart; such a line lists the case forms that end in a vowel too.
//!
//! The table is parsed once, on first use.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::inflection::{self, Script};

/// The table's text; the format is described at its top.
const TEXT: &str = include_str!("names.txt");

/// FNV-1a: the table is looked up for every word indexed, with short keys,
/// where std's SipHash (made to resist crafted keys, which a compiled-in
/// table need not) costs more than the rest of the lookup.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FastSet<T> = HashSet<T, BuildHasherDefault<Fnv>>;
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Bits of the filter that spares most words the equivalents lookups.
const FILTER_BITS: usize = 1 << 16;

fn filter_bit(stem: &str) -> usize {
    let mut h = Fnv::default();
    h.write(stem.as_bytes());
    (h.finish() as usize) & (FILTER_BITS - 1)
}

pub struct Table {
    /// Every spelling, lowercase.
    spellings: FastSet<String>,
    /// Georgian spellings as their endings are read (`თბილისი`), and
    /// without their final vowel (`თბილის`), which is how consonant stems
    /// and truncating genitives (`კობახიძის`) come out of
    /// [`inflection::readings`].
    georgian: FastSet<String>,
    /// One bit per [`super::stem_skeleton`] that an equivalent may be
    /// looked up under: a word whose bit is clear has none.
    filter: Vec<u64>,
    /// [`lookup_key`] of a spelling's skeleton → the key its line gives it,
    /// where that differs from the spelling's own key.
    exact: FastMap<String, String>,
    /// The same by [`super::stem_skeleton`], which also catches the case
    /// forms that end in other vowels (`Армении` for `Армения`), for the
    /// stems no other line shares (`Армения` and `Армен` share `armen`).
    stems: FastMap<String, String>,
}

/// The table, parsed on first use.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::parse(TEXT))
}

/// One line of the table: its spellings, `|`-separated (`#` starts a
/// comment), and whether it starts with `!`: a name that must key apart
/// from other words that key alike (Armenia, not Armen).
pub struct Line<'a> {
    pub distinct: bool,
    pub spellings: Vec<&'a str>,
}

/// The lines of `text` that hold spellings.
pub fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    text.lines().filter_map(|line| {
        let line = line.split('#').next().unwrap_or_default().trim();
        let (distinct, line) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let spellings: Vec<&str> = line
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!spellings.is_empty()).then_some(Line {
            distinct,
            spellings,
        })
    })
}

/// The string the equivalents are looked up by: a skeleton behind a letter
/// for the script, so that a Cyrillic spelling's entry does not catch a
/// Latin word that happens to be spelt alike. Skeletons are finer than
/// keys: an entry catches a spelling and its case forms, not every word
/// that keys alike (Georgian სომხეთი "Armenia" and სუმგაითი "Sumgait"
/// share a key).
pub fn lookup_key(script: Script, skeleton: &str, out: &mut String) {
    out.clear();
    out.push(match script {
        Script::Latin => 'L',
        Script::Cyrillic => 'C',
        Script::Armenian => 'A',
        Script::Georgian => 'G',
        Script::Other => 'O',
    });
    out.push_str(skeleton);
}

/// What one spelling contributes: its lookups and whether its key needs
/// replacing.
struct Entry {
    line: usize,
    exact: String,
    stem: String,
    replace: bool,
}

impl Table {
    fn parse(text: &str) -> Table {
        let mut folder = super::Folder::new();
        let mut table = Table {
            spellings: FastSet::default(),
            georgian: FastSet::default(),
            filter: vec![0; FILTER_BITS / 64],
            exact: FastMap::default(),
            stems: FastMap::default(),
        };
        let mut lower = String::new();
        let mut canonicals = Vec::new();
        let mut entries = Vec::new();
        let mut stem_lines: HashMap<String, HashSet<usize>> = HashMap::new();
        for (n, line) in lines(text).enumerate() {
            let mut canonical: Option<String> = None;
            for spelling in line.spellings {
                super::lowercase_into(spelling, &mut lower);
                let script = Script::of(&lower);
                let first = inflection::readings(&lower)
                    .iter()
                    .next()
                    .map(|b| format!("{}{}", &lower[..b.keep], b.append))
                    .unwrap_or_else(|| lower.clone());
                if script == Script::Georgian {
                    let stem = first
                        .strip_suffix(['ა', 'ე', 'ი', 'ო', 'უ'])
                        .unwrap_or(&first)
                        .to_string();
                    table.georgian.insert(first.clone());
                    // A two-letter stem is a common word's too (ანა "Ana",
                    // ან "or").
                    if stem.chars().count() >= 3 {
                        table.georgian.insert(stem);
                    }
                }
                let (key, skeleton) = folder.raw_key(&first);
                let canonical = canonical.get_or_insert_with(|| {
                    // A distinct name's key cannot be any word's: `e` is
                    // never in a key (it is the class `a`), and a key has
                    // to be a word for the tokenizer.
                    if line.distinct {
                        format!("{key}e")
                    } else {
                        key.clone()
                    }
                });
                let mut exact = String::new();
                let mut stem = String::new();
                lookup_key(script, &skeleton, &mut exact);
                lookup_key(script, super::stem_skeleton(&skeleton), &mut stem);
                let bit = filter_bit(super::stem_skeleton(&skeleton));
                if *canonical != key && !key.is_empty() {
                    table.filter[bit / 64] |= 1 << (bit % 64);
                }
                stem_lines.entry(stem.clone()).or_default().insert(n);
                entries.push(Entry {
                    line: n,
                    exact,
                    stem,
                    replace: *canonical != key && !key.is_empty(),
                });
                table.spellings.insert(lower.clone());
            }
            canonicals.push(canonical.unwrap_or_default());
        }
        for e in entries.into_iter().filter(|e| e.replace) {
            let canonical = &canonicals[e.line];
            table
                .exact
                .entry(e.exact)
                .or_insert_with(|| canonical.clone());
            if stem_lines.get(&e.stem).is_some_and(|l| l.len() == 1) {
                table
                    .stems
                    .entry(e.stem)
                    .or_insert_with(|| canonical.clone());
            }
        }
        table
    }

    /// Whether the lowercase `word` is a spelling of the table.
    pub fn lists(&self, word: &str) -> bool {
        self.spellings.contains(word)
    }

    /// Whether a Georgian word read as `reading` (see
    /// [`inflection::readings`]) is a name of the table.
    pub fn lists_georgian(&self, reading: &str) -> bool {
        self.georgian.contains(reading)
    }

    /// The key that replaces the key of a word of `script` whose skeleton
    /// is `skeleton`, if any; `buf` is a scratch buffer.
    pub fn equivalent(&self, script: Script, skeleton: &str, buf: &mut String) -> Option<&str> {
        let bit = filter_bit(super::stem_skeleton(skeleton));
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        lookup_key(script, skeleton, buf);
        if let Some(key) = self.exact.get(buf.as_str()) {
            return Some(key);
        }
        lookup_key(script, super::stem_skeleton(skeleton), buf);
        self.stems.get(buf.as_str()).map(String::as_str)
    }

    /// Number of spellings whose key the table replaces.
    #[cfg(test)]
    pub fn equivalent_count(&self) -> usize {
        self.exact.len()
    }
}
