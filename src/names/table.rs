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
//! The table is parsed once, on first use.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::inflection::{self, Script};

/// The table's text; the format is described at its top.
const TEXT: &str = include_str!("names.txt");

pub struct Table {
    /// Every spelling, lowercase.
    spellings: HashSet<String>,
    /// Georgian spellings as their endings are read (`თბილისი`), and
    /// without their final vowel (`თბილის`), which is how consonant stems
    /// and truncating genitives (`კობახიძის`) come out of
    /// [`inflection::readings`].
    georgian: HashSet<String>,
    /// [`lookup_key`] of a spelling → the key of the first spelling on its
    /// line, where the two keys differ.
    equivalents: HashMap<String, String>,
}

/// The table, parsed on first use.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::parse(TEXT))
}

/// Spellings of each line of `text`: `|`-separated, `#` starting a comment.
pub fn lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter_map(|line| {
        let line = line.split('#').next().unwrap_or_default();
        let spellings: Vec<&str> = line
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!spellings.is_empty()).then_some(spellings)
    })
}

/// The string the equivalents map is looked up by: the spelling's skeleton
/// without its final vowels (finer than its key, so that an entry catches
/// the spelling and its case forms but not every word that keys alike:
/// Georgian სომხეთი "Armenia" and სუმგაითი "Sumgait" share a key), behind
/// a letter for the script.
pub fn lookup_key(script: Script, stem_skeleton: &str, out: &mut String) {
    out.clear();
    out.push(match script {
        Script::Latin => 'L',
        Script::Cyrillic => 'C',
        Script::Armenian => 'A',
        Script::Georgian => 'G',
        Script::Other => 'O',
    });
    out.push_str(stem_skeleton);
}

impl Table {
    fn parse(text: &str) -> Table {
        let mut folder = super::Folder::new();
        let mut table = Table {
            spellings: HashSet::new(),
            georgian: HashSet::new(),
            equivalents: HashMap::new(),
        };
        let mut lower = String::new();
        let mut lookup = String::new();
        for spellings in lines(text) {
            let mut canonical: Option<String> = None;
            for spelling in spellings {
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
                    table.georgian.insert(stem);
                }
                let (key, stem) = folder.raw_key(&first);
                match &canonical {
                    None => canonical = Some(key),
                    Some(c) if *c != key && !key.is_empty() => {
                        lookup_key(script, &stem, &mut lookup);
                        table
                            .equivalents
                            .entry(lookup.clone())
                            .or_insert_with(|| c.clone());
                    }
                    Some(_) => {}
                }
                table.spellings.insert(lower.clone());
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

    /// The key that replaces `lookup` (from [`lookup_key`]), if any.
    pub fn equivalent(&self, lookup: &str) -> Option<&str> {
        self.equivalents.get(lookup).map(String::as_str)
    }

    /// Number of spellings whose key the table replaces.
    #[cfg(test)]
    pub fn equivalent_count(&self) -> usize {
        self.equivalents.len()
    }
}
