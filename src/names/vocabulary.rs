//! What pressd knows of the languages' common words and of the Armenian
//! lexicon's proper nouns, for the one question the name path asks of
//! them: may this word be a name?
//!
//! - `common.txt`: the most frequent words of Azerbaijani, Turkish, Russian
//!   and English, matched as written.
//! - `hy_common.txt` and `hy_proper.txt`: the stems of the Eastern Armenian
//!   lexicon of uniparser-eastern-armenian (MIT; see `SOURCE.md`), common
//!   words and proper nouns apart, with the endings of its paradigms.
//!   Armenian has no frequency list within reach, and it inflects too much
//!   for a list of word forms: a word is read as a stem and an ending
//!   ([`armenian_common`]), so that `Լրագրողները` ("the journalists") is
//!   known as a form of `լրագրող` without being listed.
//! - The proper nouns of that lexicon are also a gazetteer of the region for
//!   Georgian, which has no capitals to tell a name by: Georgian renders an
//!   Armenian name letter for letter (`Վարդենիս`, `ვარდენისი`), so a
//!   Georgian word spelt like one of them is a name ([`georgian_proper`]).
//!
//! Pure and compiled in; each list is parsed on first use.

use std::sync::OnceLock;

use super::table::FastSet;

/// Whether the lowercase `word` is one of the common words of `common.txt`.
pub fn common(word: &str) -> bool {
    static WORDS: OnceLock<FastSet<&'static str>> = OnceLock::new();
    WORDS
        .get_or_init(|| include_str!("common.txt").lines().collect())
        .contains(word)
}

/// The Armenian lexicon, parsed on first use.
struct Armenian {
    common: FastSet<&'static str>,
    proper: FastSet<&'static str>,
    endings: FastSet<String>,
    /// Bytes of the longest ending.
    longest: usize,
}

/// A stem is at least this many letters: shorter ones, read with an ending,
/// would make common words of names (`Արմեն` is not `արմ` + `-են`).
const MIN_STEM_LETTERS: usize = 3;

fn armenian() -> &'static Armenian {
    static LEXICON: OnceLock<Armenian> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let data = |text: &'static str| text.lines().filter(|l| !l.starts_with('#'));
        let mut common = FastSet::default();
        let mut endings: FastSet<String> = FastSet::default();
        for line in data(include_str!("hy_common.txt")) {
            match line.strip_prefix('-') {
                Some(ending) => {
                    endings.insert(ending.to_string());
                }
                None => {
                    common.insert(line);
                }
            }
        }
        // The paradigms list the endings that follow a stem directly; a
        // noun's plural, its cases and its article or possessive follow one
        // another (`լրագրող-ներ-ի-ն`, `քաղաք-ում-ս`), so they are composed
        // here: number, then case, then article or possessive.
        for plural in ["", "ներ", "եր"] {
            for case in ["", "ի", "ու", "ից", "ով", "ում", "ան", "ոջ"] {
                for article in ["", "ը", "ն", "ս", "դ"] {
                    let ending = format!("{plural}{case}{article}");
                    if !ending.is_empty() {
                        endings.insert(ending);
                    }
                }
            }
        }
        let longest = endings.iter().map(String::len).max().unwrap_or(0);
        Armenian {
            common,
            proper: data(include_str!("hy_proper.txt")).collect(),
            endings,
            longest,
        }
    })
}

/// Whether a lowercase Armenian word is a form of a common word of the
/// lexicon: a stem of a common lexeme followed by nothing or by one of the
/// lexicon's endings (`լրագրողները`, `հանդիպմանը`, `նշենք`), and not also a
/// form of a proper noun (`Երևանում` is `երևան` + `-ում`, though `երև-`
/// is the stem of "to appear"; `Ջերմուկ` is a town and a hot spring). A
/// word the lexicon does not know is not common: an unknown capitalised
/// word may be a name.
pub fn armenian_common(word: &str) -> bool {
    let lexicon = armenian();
    if lexicon.proper.contains(word) {
        return false;
    }
    // Short words only as they are: `ալ` "also", `էն` "that".
    let mut common = lexicon.common.contains(word);
    for (at, _) in word.char_indices().rev() {
        let (stem, ending) = word.split_at(at);
        if ending.len() > lexicon.longest || stem.chars().count() < MIN_STEM_LETTERS {
            break;
        }
        if !lexicon.endings.contains(ending) {
            continue;
        }
        if lexicon.proper.contains(stem) {
            return false;
        }
        common |= lexicon.common.contains(stem);
    }
    common
}

/// Whether `ending` is an ending of the Armenian lexicon's paradigms, or
/// a plural, case and article composed.
pub fn armenian_ending(ending: &str) -> bool {
    armenian().endings.contains(ending)
}

/// Whether the lowercase Armenian `stem` is a stem or the dictionary form
/// of a proper noun of the lexicon.
pub fn armenian_proper(stem: &str) -> bool {
    armenian().proper.contains(stem)
}

/// Whether a Georgian word read as `reading` (see `inflection`) is a
/// proper noun of the Armenian lexicon as Georgian spells it. The two
/// alphabets go letter for letter for these names (`Վարդենիս`,
/// `ვარდენისი`; `Խոնի`, `ხონი`), so their skeletons are compared, without
/// final vowels (Georgian adds `-ი`) and without the `y` that Armenian
/// `ե` has at the start of a word (`Եղեգնաձոր`, `ეღეგნაძორი`). Keys
/// would be too coarse here: `ადამიანი` "human" keys like the surname
/// `Ադամյան`. Skeletons shorter than [`MIN_PROPER_SKELETON`] are left
/// out: short ones are common words' too.
pub fn georgian_proper(reading: &str) -> bool {
    static SKELETONS: OnceLock<FastSet<String>> = OnceLock::new();
    thread_local! {
        // Every Georgian word no other rule takes for a name comes here.
        static SKELETON: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let skeletons = SKELETONS.get_or_init(|| {
        let mut buf = String::new();
        armenian()
            .proper
            .iter()
            .filter_map(|word| proper_skeleton(word, &mut buf).map(str::to_string))
            .collect()
    });
    SKELETON.with(|buf| {
        proper_skeleton(reading, &mut buf.borrow_mut()).is_some_and(|s| skeletons.contains(s))
    })
}

/// Shortest skeleton [`georgian_proper`] compares.
pub const MIN_PROPER_SKELETON: usize = 5;

/// What [`georgian_proper`] compares of `word`, worked out in `buf`.
fn proper_skeleton<'a>(word: &str, buf: &'a mut String) -> Option<&'a str> {
    buf.clear();
    super::translit::transliterate_into(word, buf);
    let skeleton = buf
        .strip_prefix('y')
        .filter(|s| s.starts_with('e'))
        .unwrap_or(buf);
    let stem = super::stem_skeleton(skeleton);
    (stem.len() >= MIN_PROPER_SKELETON).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armenian_common_words_in_their_forms() {
        for word in [
            "լրագրողները",
            "լրագրող",
            "հանդիպմանը",
            "կառավարությունը",
            "քաղաքում",
            "նախագահի",
        ] {
            assert!(armenian_common(word), "{word}");
        }
    }

    #[test]
    fn armenian_names_are_not_common_words() {
        for word in [
            "երևանում",
            "երևանը",
            "փաշինյան",
            "փաշինյանը",
            "գյումրիում",
            "սարգսյանի",
        ] {
            assert!(!armenian_common(word), "{word}");
        }
    }
}
