//! Stemming per language: in which languages search matches a word's other
//! forms (see [`forms`](super::forms)), with which algorithm, and the token
//! filter that applies it after [`Fold`](super::analysis::Fold) (the
//! analyzers of the stemmed fields indexes before issue 13 filled).
//!
//! Snowball (through `frostem`, the crate tantivy itself stems with) covers
//! most languages, Armenian included. Azerbaijani has no published stemmer
//! and gets [`az_stem`](super::az_stem). Turkish gets Snowball with two
//! repairs, because folding (`ı` written `i`) and Snowball disagree; see
//! [`turkish`]. Languages not listed here (Georgian, `und`, ...) are searched
//! through the folded fields only.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::mem;

use frostem::Algorithm;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::az_stem;
use crate::names::Fnv;

/// How one language's words are reduced to stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stemming {
    Snowball(Algorithm),
    /// Snowball's Turkish algorithm, fed what folding took away (see [`turkish`]).
    Turkish,
    /// pressd's own suffix stripper, [`az_stem`].
    Azerbaijani,
}

/// A language that gets stemmed fields, by its ISO 639-1 code.
#[derive(Debug, Clone, Copy)]
pub struct StemLanguage {
    pub code: &'static str,
    pub stemming: Stemming,
}

impl StemLanguage {
    /// Whether a suffix written after an apostrophe ("Ankara'da") belongs to
    /// the word before it. Turkish writes proper-noun suffixes that way and
    /// Azerbaijani sometimes copies it; elsewhere the apostrophe is part of
    /// a name (O'Brien) or an elision (l'État) and both halves matter.
    pub fn apostrophe_suffixes(&self) -> bool {
        matches!(self.stemming, Stemming::Turkish | Stemming::Azerbaijani)
    }
}

/// The alphabets stemmers are written for: a stemmer only takes suffixes
/// off words of its own alphabet, so a word of another one has no other
/// forms for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    Latin,
    Cyrillic,
    Armenian,
    Arabic,
}

impl Alphabet {
    /// The alphabet of the letter `c`, if it is one of those above.
    pub fn of(c: char) -> Option<Alphabet> {
        match c {
            'a'..='z'
            | 'A'..='Z'
            | '\u{00C0}'..='\u{024F}'
            | '\u{0259}'
            | '\u{1E00}'..='\u{1EFF}' => Some(Alphabet::Latin),
            '\u{0400}'..='\u{052F}' => Some(Alphabet::Cyrillic),
            '\u{0531}'..='\u{058F}' => Some(Alphabet::Armenian),
            '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' => Some(Alphabet::Arabic),
            _ => None,
        }
    }
}

impl StemLanguage {
    /// The alphabet the language's stemmer reads.
    pub fn alphabet(&self) -> Alphabet {
        match self.stemming {
            Stemming::Snowball(Algorithm::Russian) => Alphabet::Cyrillic,
            Stemming::Snowball(Algorithm::Armenian) => Alphabet::Armenian,
            Stemming::Snowball(Algorithm::Arabic) => Alphabet::Arabic,
            _ => Alphabet::Latin,
        }
    }

    /// Whether the stemmer may find other forms of `word`: whether its
    /// first letter is of the stemmer's alphabet.
    pub fn reads(&self, word: &str) -> bool {
        word.chars()
            .find(|c| c.is_alphabetic())
            .and_then(Alphabet::of)
            == Some(self.alphabet())
    }
}

/// Whether another language of [`LANGUAGES`] has the alphabet of
/// `language` (Latin: Azerbaijani, Turkish, English, ...), so that a form
/// one stemmer finds may be another language's word. Languages without a
/// stemmer are not counted: a Ukrainian text may match a Russian form
/// spelled the same way.
pub fn shares_alphabet(language: &StemLanguage) -> bool {
    LANGUAGES
        .iter()
        .any(|other| other.code != language.code && other.alphabet() == language.alphabet())
}

const fn lang(code: &'static str, stemming: Stemming) -> StemLanguage {
    StemLanguage { code, stemming }
}

/// Every language with stemmed fields: those of the press pressd follows,
/// and the other Snowball languages the language tagger can name. Adding or
/// removing one changes the schema (bump the schema version).
pub const LANGUAGES: &[StemLanguage] = &[
    lang("az", Stemming::Azerbaijani),
    lang("hy", Stemming::Snowball(Algorithm::Armenian)),
    lang("ru", Stemming::Snowball(Algorithm::Russian)),
    lang("tr", Stemming::Turkish),
    lang("en", Stemming::Snowball(Algorithm::English)),
    lang("fr", Stemming::Snowball(Algorithm::French)),
    lang("de", Stemming::Snowball(Algorithm::German)),
    lang("es", Stemming::Snowball(Algorithm::Spanish)),
    lang("it", Stemming::Snowball(Algorithm::Italian)),
    lang("pt", Stemming::Snowball(Algorithm::Portuguese)),
    lang("ar", Stemming::Snowball(Algorithm::Arabic)),
];

/// Where the language with this code (any case) is in [`LANGUAGES`], if it
/// is stemmed at all.
pub fn position(code: &str) -> Option<usize> {
    let code = code.trim();
    LANGUAGES
        .iter()
        .position(|l| l.code.eq_ignore_ascii_case(code))
}

impl Stemming {
    /// The stem of one folded word.
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        match self {
            Stemming::Snowball(algorithm) => frostem::Stemmer::new(*algorithm).stem(word),
            Stemming::Turkish => Cow::Owned(turkish::stem(word)),
            Stemming::Azerbaijani => Cow::Owned(az_stem::stem(word)),
        }
    }
}

/// Token filter replacing each (folded) token by its stem.
#[derive(Debug, Clone, Copy)]
pub struct Stem(pub Stemming);

impl TokenFilter for Stem {
    type Tokenizer<T: Tokenizer> = StemFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemFilter<T> {
        StemFilter {
            stemming: self.0,
            tokenizer,
            cache: StemCache::default(),
        }
    }
}

/// Stems of the words seen lately, by folded word. Running text is mostly
/// a few thousand frequent words, and a lookup costs a fraction of
/// Snowball's suffix search (a tenth of indexing time without it).
type StemCache = HashMap<String, String, BuildHasherDefault<Fnv>>;

/// The cache is emptied when it holds this many words.
const CACHE_WORDS: usize = 65_536;

#[derive(Clone)]
pub struct StemFilter<T> {
    stemming: Stemming,
    tokenizer: T,
    /// Lives as long as the analyzer: tantivy keeps one per field while it
    /// fills a segment.
    cache: StemCache,
}

impl<T: Tokenizer> Tokenizer for StemFilter<T> {
    type TokenStream<'a> = StemTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemTokenStream {
            stemming: self.stemming,
            tail: self.tokenizer.token_stream(text),
            cache: &mut self.cache,
        }
    }
}

pub struct StemTokenStream<'a, T> {
    stemming: Stemming,
    tail: T,
    cache: &'a mut StemCache,
}

impl<T: TokenStream> TokenStream for StemTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = self.stemming.stem(&token.text).into_owned();
        if self.cache.len() >= CACHE_WORDS {
            self.cache.clear();
        }
        let word = mem::replace(&mut token.text, stem.clone());
        self.cache.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Turkish: Snowball on folded text, with two repairs.
///
/// 1. Snowball checks vowel harmony and needs `ı` to do it: on `kapidan` or
///    `yillar` (folded `kapıdan`, `yıllar`) it strips nothing. Folding made
///    `ı` and `i` one letter, so [`restore_dotless`] guesses `ı` back from
///    harmony: an `i` after `a` or `ı` is `ı`, and so is a first-syllable
///    `i` whose next other vowel is `a`. The guess depends only on the folded
///    word, so "Bakıdan" and "Bakidan" still get one stem; where it is wrong
///    (loanwords such as "kitap") it is wrong the same way in every form.
/// 2. Snowball reads the same ending differently in different forms of a
///    word: `cumhurbaşkanı` → `cumhurbaşka` (as if `-nı` followed a vowel)
///    but `cumhurbaşkanının` → `cumhurbaşkan`; `kapı` → `kap` but `kapıdan`
///    → `kapı`; `bakan` → `baka` but `bakanlar` → `bakan`. Its stems get the
///    end normalisation of the Azerbaijani stemmer
///    ([`normalise_stem`](super::az_stem::normalise_stem): final vowels,
///    buffer `y` and one `n` go), which makes both readings agree.
pub mod turkish {
    /// The Snowball Turkish stem of a folded word, folded again.
    pub fn stem(word: &str) -> String {
        let restored = restore_dotless(word);
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::Turkish);
        let stemmed = stemmer.stem(&restored).replace('ı', "i");
        super::super::az_stem::normalise_stem(&stemmed)
    }

    fn is_vowel(c: char) -> bool {
        matches!(c, 'a' | 'e' | 'ı' | 'i' | 'o' | 'ö' | 'u' | 'ü')
    }

    /// Puts back `ı` where vowel harmony says a folded `i` was one.
    pub fn restore_dotless(word: &str) -> String {
        let mut letters: Vec<char> = word.chars().collect();
        let mut previous: Option<char> = None;
        for n in 0..letters.len() {
            let c = letters[n];
            if !is_vowel(c) {
                continue;
            }
            if c == 'i' {
                let dotless = match previous {
                    Some(p) => matches!(p, 'a' | 'ı'),
                    None => letters[n + 1..]
                        .iter()
                        .find(|&&v| is_vowel(v) && v != 'i')
                        .is_some_and(|&v| v == 'a'),
                };
                if dotless {
                    letters[n] = 'ı';
                }
            }
            previous = Some(letters[n]);
        }
        letters.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_found_in_any_case() {
        for l in LANGUAGES {
            assert_eq!(
                LANGUAGES.iter().filter(|o| o.code == l.code).count(),
                1,
                "{}",
                l.code
            );
            let upper = l.code.to_uppercase();
            assert_eq!(position(&upper).map(|n| LANGUAGES[n].code), Some(l.code));
        }
        assert!(position("ka").is_none());
        assert!(position("und").is_none());
    }

    #[test]
    fn turkish_dotless_i_is_restored_from_harmony() {
        assert_eq!(turkish::restore_dotless("kapidan"), "kapıdan");
        assert_eq!(turkish::restore_dotless("yillar"), "yıllar");
        assert_eq!(turkish::restore_dotless("yilinda"), "yılında");
        assert_eq!(turkish::restore_dotless("evlerin"), "evlerin");
        assert_eq!(turkish::restore_dotless("ülkenin"), "ülkenin");
    }

    fn same_turkish_stem(forms: &[&str]) {
        let stems: Vec<String> = forms.iter().map(|f| turkish::stem(f)).collect();
        assert!(
            stems.windows(2).all(|w| w[0] == w[1]),
            "{forms:?} gave {stems:?}"
        );
    }

    #[test]
    fn turkish_forms_agree_on_folded_text() {
        // Folded forms: `ı` is already `i`.
        same_turkish_stem(&["cumhurbaşkani", "cumhurbaşkaninin", "cumhurbaşkanina"]);
        same_turkish_stem(&["bakan", "bakani", "bakanlar", "bakanlarinin"]);
        same_turkish_stem(&["kapi", "kapidan", "kapinin"]);
        same_turkish_stem(&["yil", "yili", "yillar"]);
        same_turkish_stem(&["seçimler", "seçimlerde"]);
        same_turkish_stem(&["kitap", "kitaplar", "kitabi"]);
        same_turkish_stem(&["savaş", "savaşi", "savaşta"]);
    }

    #[test]
    fn turkish_word_list_stays_within_floors() {
        use super::super::az_stem::{evaluate, parse_forms};
        let pairs = parse_forms(include_str!("../../tests/fixtures/stem/tr_forms.tsv"));
        let stem = |word: &str| {
            crate::index::analysis::stem_words("tr", word)
                .expect("tr is stemmed")
                .join(" ")
        };
        let evaluation = evaluate(&pairs, stem);
        // `cargo run --release --example stem_bench -- tr` reports the figures.
        assert!(
            evaluation.recall >= 0.88,
            "recall {:.3}; misses {:?}",
            evaluation.recall,
            evaluation.misses
        );
        assert!(
            evaluation.over_stemming <= 0.01,
            "over-stemming {:.4}; collisions {:?}",
            evaluation.over_stemming,
            evaluation.collisions
        );
    }
}
