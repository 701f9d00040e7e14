//! Text analysis shared by indexing and querying: how title, body and author
//! text becomes search terms.
//!
//! Two kinds of analyzer:
//! - [`FOLD_TOKENIZER`] serves every language the press we follow writes in
//!   (Azerbaijani, Armenian, Russian, Georgian, Turkish, English): a Unicode
//!   word splitter, a guard against absurdly long tokens, and a folding filter
//!   that makes case and a few spelling variants irrelevant. It gives the
//!   exact (unstemmed) terms of `title`, `body` and `authors`.
//! - One stemming analyzer per language of [`stem::LANGUAGES`], named by
//!   [`stem_tokenizer`]: the same words and folding, then that language's
//!   stemmer. The schema's stemmed fields name it; they are no longer filled
//!   (see [`schema`](super::schema)), and search stems query words and the
//!   folded terms it compares them with itself (see
//!   [`forms`](super::forms)), through [`stem_input_words`] and
//!   [`Stemming::stem`](super::stem::Stemming::stem).
//!
//! The query parser and the snippet generator look analyzers up by name on
//! the tantivy index, so [`register`] must run on every index we open.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::mem;

use icu_normalizer::ComposingNormalizerBorrowed;
use tantivy::tokenizer::{
    RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use super::stem::{self, Stem, StemLanguage};
use crate::letters;
use crate::names::Fnv;

/// Name under which the folding analyzer is registered; stored in the schema.
pub const FOLD_TOKENIZER: &str = "pressd_fold";

/// Tokens of this many bytes or more are dropped. Counted in bytes (tantivy's
/// rule), so the limit is generous: Georgian and Armenian letters take two or
/// three bytes each, and their long words must survive. What it removes is
/// base64, hashes and URLs glued together.
const MAX_TOKEN_BYTES: usize = 160;

/// Register every analyzer on `index`. Needed on every open, for writing and
/// for reading alike: tantivy stores only the analyzers' names.
pub fn register(index: &tantivy::Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(FOLD_TOKENIZER, analyzer());
    tokenizers.register(super::names::NAMES_TOKENIZER, super::names::analyzer());
    for language in stem::LANGUAGES {
        tokenizers.register(&stem_tokenizer(language.code), stem_analyzer(language));
    }
}

/// The folding analyzer itself: words, long-token guard, folding.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Fold)
        .build()
}

/// Name of the stemming analyzer for the language `code`; stored in the
/// schema.
pub fn stem_tokenizer(code: &str) -> String {
    format!("pressd_stem_{code}")
}

/// The stemming analyzer of `language`: the folding analyzer's words and
/// folding, then the stemmer (which expects folded, lowercase input).
pub fn stem_analyzer(language: &StemLanguage) -> TextAnalyzer {
    let words = WordTokenizer {
        drop_apostrophe_suffixes: language.apostrophe_suffixes(),
        ..WordTokenizer::default()
    };
    TextAnalyzer::builder(words)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Fold)
        .filter(Stem(language.stemming))
        .build()
}

/// Splits text into words: maximal runs of letters and digits of any script,
/// which may carry combining marks.
///
/// Tantivy's `SimpleTokenizer` splits on every character that is not
/// alphanumeric, which includes combining marks: text typed in decomposed
/// form ("ş" as `s` + U+0327, common from some editors), a Russian stress
/// accent or an Armenian question mark written over a vowel ("ինչո՞ւ") would
/// cut one word in two. Here such marks stay inside the word and [`Fold`]
/// removes or composes them.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
    /// Drop a suffix written after an apostrophe ("Ankara'da" gives
    /// "Ankara"), for languages that inflect names that way.
    drop_apostrophe_suffixes: bool,
}

impl WordTokenizer {
    /// Words without what follows an apostrophe, whatever the language:
    /// the name path reads "Bakı'da" and "Kobakhidze's" as their names.
    pub fn with_apostrophe_suffixes_dropped() -> Self {
        WordTokenizer {
            drop_apostrophe_suffixes: true,
            ..WordTokenizer::default()
        }
    }
}

/// Apostrophes that may separate a Turkic name from its suffix: ASCII, the
/// typographic right quote, and the modifier letter.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Characters that never start a word but continue one.
fn is_word_continuation(c: char) -> bool {
    is_combining_mark(c) || is_armenian_intonation_mark(c)
}

/// The combining-mark blocks that occur in the scripts we index. Marks of
/// other scripts (Devanagari, Arabic, ...) are already alphabetic for
/// `char::is_alphanumeric`.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // Combining Diacritical Marks
        | '\u{0483}'..='\u{0489}' // Cyrillic combining marks (titlo, ...)
        | '\u{1AB0}'..='\u{1AFF}' // Combining Diacritical Marks Extended
        | '\u{1DC0}'..='\u{1DFF}' // Combining Diacritical Marks Supplement
        | '\u{20D0}'..='\u{20FF}' // Combining Diacritical Marks for Symbols
        | '\u{FE20}'..='\u{FE2F}' // Combining Half Marks
    )
}

/// Armenian emphasis (՛), exclamation (՜) and question (՞) marks: written on
/// the stressed vowel, often in the middle of a word, and not part of its
/// spelling.
fn is_armenian_intonation_mark(c: char) -> bool {
    matches!(c, '\u{055B}' | '\u{055C}' | '\u{055E}')
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            chars: text.char_indices().peekable(),
            token: &mut self.token,
            drop_apostrophe_suffixes: self.drop_apostrophe_suffixes,
        }
    }
}

pub struct WordTokenStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    token: &'a mut Token,
    drop_apostrophe_suffixes: bool,
}

impl WordTokenStream<'_> {
    /// Skips the rest of the current word when it is an apostrophe and a
    /// suffix ("'da", "’nin"). A lone apostrophe (a closing quote) is left,
    /// and so is one after a single letter, which is a name's own ("O'Brien",
    /// "D'Alema").
    fn skip_apostrophe_suffix(&mut self) {
        if self.token.text.chars().nth(1).is_none() {
            return;
        }
        let mut ahead = self.chars.clone();
        let starts_suffix = matches!(ahead.next(), Some((_, c)) if is_apostrophe(c))
            && matches!(ahead.next(), Some((_, c)) if letters::is_alphabetic(c));
        if !starts_suffix {
            return;
        }
        self.chars.next();
        while let Some(&(_, next)) = self.chars.peek() {
            if !(letters::is_alphanumeric(next) || is_word_continuation(next)) {
                break;
            }
            self.chars.next();
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        while let Some((start, c)) = self.chars.next() {
            if !letters::is_alphanumeric(c) {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(offset, next)) = self.chars.peek() {
                if !(letters::is_alphanumeric(next) || is_word_continuation(next)) {
                    break;
                }
                end = offset + next.len_utf8();
                self.chars.next();
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.text.push_str(&self.text[start..end]);
            if self.drop_apostrophe_suffixes {
                self.skip_apostrophe_suffix();
            }
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Folds a token to its search form: lowercase in every script, with the
/// variants a reader treats as the same word mapped together.
///
/// - Unicode NFC first, so precomposed and decomposed spellings agree.
/// - Turkish and Azerbaijani `İ I ı i` all become `i`. Default lowercasing
///   turns `I` into `i` and `İ` into `i` + U+0307, leaves `ı` apart, so
///   "BAKI", "Bakı", "bakı" and "Baki" would be three different words; Turkic
///   writers and the sites that copy them are not consistent about the dot,
///   so search must not be either.
/// - Combining marks still left after composition (the U+0307 above, Russian
///   stress accents) and Armenian intonation marks are dropped.
/// - Russian `ё` becomes `е` (most Russian text writes `е` for both).
/// - The Armenian ligature `և` becomes `եւ`, the spelling its capital form
///   `ԵՒ` lowercases to.
/// - Greek final `ς` becomes `σ`, as it would be in the middle of a word.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fold;

impl TokenFilter for Fold {
    type Tokenizer<T: Tokenizer> = FoldFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldFilter<T> {
        FoldFilter {
            tokenizer,
            buffer: String::new(),
            cache: FoldCache::default(),
        }
    }
}

/// Folded forms of the non-ASCII words seen lately: composition and
/// lowercasing cost several times a lookup, and running text repeats a few
/// thousand words.
type FoldCache = HashMap<String, String, BuildHasherDefault<Fnv>>;

/// The cache is emptied when it holds this many words.
const CACHE_WORDS: usize = 65_536;

#[derive(Clone)]
pub struct FoldFilter<T> {
    tokenizer: T,
    buffer: String,
    /// Lives as long as the analyzer: tantivy keeps one per field while it
    /// fills a segment.
    cache: FoldCache,
}

impl<T: Tokenizer> Tokenizer for FoldFilter<T> {
    type TokenStream<'a> = FoldTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.buffer.clear();
        FoldTokenStream {
            tail: self.tokenizer.token_stream(text),
            buffer: &mut self.buffer,
            cache: &mut self.cache,
        }
    }
}

pub struct FoldTokenStream<'a, T> {
    buffer: &'a mut String,
    cache: &'a mut FoldCache,
    tail: T,
}

impl<T: TokenStream> TokenStream for FoldTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.is_ascii() {
            // ASCII needs no composition and its only Turkic case is `I`,
            // which ASCII lowercasing already maps to `i`.
            token.text.make_ascii_lowercase();
        } else if let Some(folded) = self.cache.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(folded);
        } else {
            fold_into(&token.text, self.buffer);
            if self.cache.len() >= CACHE_WORDS {
                self.cache.clear();
            }
            self.cache.insert(token.text.clone(), self.buffer.clone());
            mem::swap(&mut token.text, self.buffer);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Writes the folded form of `text` into `out` (see [`Fold`]).
fn fold_into(text: &str, out: &mut String) {
    out.clear();
    let composed = ComposingNormalizerBorrowed::new_nfc().normalize(text);
    for c in composed.chars() {
        match c {
            'I' | 'İ' | 'ı' => out.push('i'),
            'ё' | 'Ё' => out.push('е'),
            'և' => out.push_str("եւ"),
            'ς' => out.push('σ'),
            c if is_word_continuation(c) => {}
            c => letters::push_lowercase(out, c),
        }
    }
}

/// The folded form of a whole text, token by token; for tests and for
/// callers that need to compare words the way the index does.
pub fn fold_words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    stream.process(&mut |token| words.push(token.text.clone()));
    words
}

/// The words of `text` as `language`'s stemmer takes them: folded, and
/// without a suffix written after an apostrophe where the language writes
/// one ("Ankara'da" is "ankara").
pub fn stem_input_words(language: &StemLanguage, text: &str) -> Vec<String> {
    let words = WordTokenizer {
        drop_apostrophe_suffixes: language.apostrophe_suffixes(),
        ..WordTokenizer::default()
    };
    let mut analyzer = TextAnalyzer::builder(words)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Fold)
        .build();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    stream.process(&mut |token| out.push(token.text.clone()));
    out
}

/// The stemmed form of a whole text in the language `code`, token by token,
/// as that language's stemmed fields hold it; `None` when the language has no
/// stemmer. For tests, benchmarks and callers comparing words the way search
/// does.
pub fn stem_words(code: &str, text: &str) -> Option<Vec<String>> {
    let language = &stem::LANGUAGES[stem::position(code)?];
    let mut analyzer = stem_analyzer(language);
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    stream.process(&mut |token| words.push(token.text.clone()));
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> String {
        let words = fold_words(text);
        assert_eq!(words.len(), 1, "{text:?} gave {words:?}");
        words.into_iter().next().unwrap_or_default()
    }

    #[test]
    fn repeated_words_analyse_the_same_from_the_caches() {
        // The second and later occurrences come from the fold and stem
        // caches; they must give what the first gave.
        assert_eq!(
            fold_words("Ərazi BAKI ərazi Bakı"),
            ["ərazi", "baki", "ərazi", "baki"]
        );
        let once = stem_words("ru", "президента").expect("ru stems");
        let again = stem_words("ru", "Президента президента ПРЕЗИДЕНТА").expect("ru stems");
        assert_eq!(again, [once[0].clone(), once[0].clone(), once[0].clone()]);
    }

    #[test]
    fn turkic_dotted_and_dotless_i_fold_together() {
        for word in ["BAKI", "Bakı", "bakı", "Baki", "BAKİ", "baki"] {
            assert_eq!(one(word), "baki", "{word}");
        }
        assert_eq!(one("İstanbul"), "istanbul");
        assert_eq!(one("ISTANBUL"), "istanbul");
        assert_eq!(one("İLHAM"), one("Ilham"));
        // Decomposed capital İ (I + U+0307) and what `to_lowercase` makes of İ.
        assert_eq!(one("I\u{0307}stanbul"), "istanbul");
        assert_eq!(one("i\u{0307}stanbul"), "istanbul");
    }

    #[test]
    fn azerbaijani_letters_lowercase() {
        assert_eq!(one("ƏLİYEV"), "əliyev");
        assert_eq!(one("ŞUŞA"), "şuşa");
        assert_eq!(one("Gəncə"), "gəncə");
        assert_eq!(one("ÇÖĞÜŞ"), "çöğüş");
    }

    #[test]
    fn decomposed_text_is_one_word_and_matches_precomposed() {
        // "Şuşa" with s + U+0327 COMBINING CEDILLA.
        assert_eq!(one("S\u{0327}us\u{0327}a"), one("Şuşa"));
        // "йод" with и + U+0306 COMBINING BREVE.
        assert_eq!(one("и\u{0306}од"), "йод");
    }

    #[test]
    fn cyrillic_lowercase_and_yo() {
        assert_eq!(one("ЁЛКА"), "елка");
        assert_eq!(one("ёлка"), "елка");
        assert_eq!(one("Елка"), "елка");
        assert_eq!(one("МОСКВА"), "москва");
        // A stress accent stays inside the word and is dropped.
        assert_eq!(one("за\u{0301}мок"), "замок");
    }

    #[test]
    fn armenian_case_ligature_and_intonation_marks() {
        assert_eq!(one("ԵՐԵՎԱՆ"), "երեվան");
        assert_eq!(one("Հայաստան"), "հայաստան");
        assert_eq!(one("ՀԱՅԱՍՏԱՆ"), "հայաստան");
        assert_eq!(one("և"), "եւ");
        assert_eq!(one("ԵՒ"), "եւ");
        assert_eq!(one("Երևան"), "երեւան");
        assert_eq!(one("ԵՐԵՒԱՆ"), "երեւան");
        assert_eq!(one("ինչո՞ւ"), "ինչու");
    }

    #[test]
    fn georgian_mkhedruli_and_mtavruli() {
        assert_eq!(one("საქართველო"), "საქართველო");
        // Mtavruli capitals (Unicode 11) lowercase to Mkhedruli.
        assert_eq!(one("ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ"), "საქართველო");
    }

    #[test]
    fn splits_on_punctuation_and_keeps_offsets() {
        let mut analyzer = analyzer();
        let text = "Prezident İlham Əliyev, «Bakı» — 2024-cü il.";
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        stream.process(&mut |t| {
            tokens.push((t.text.clone(), text[t.offset_from..t.offset_to].to_string()))
        });
        let words: Vec<&str> = tokens.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            ["prezident", "ilham", "əliyev", "baki", "2024", "cü", "il"]
        );
        assert_eq!(tokens[3].1, "Bakı");
        assert_eq!(tokens[1].1, "İlham");
    }

    #[test]
    fn script_punctuation_separates_words() {
        // Armenian comma (՝) and full stop (։), Georgian and Cyrillic text
        // with ordinary punctuation and dashes.
        assert_eq!(
            fold_words("Այո՝ Երևան։ Գյումրի"),
            ["այո", "երեւան", "գյումրի"]
        );
        assert_eq!(
            fold_words("თბილისი, ბათუმი—ქუთაისი."),
            ["თბილისი", "ბათუმი", "ქუთაისი"]
        );
        assert_eq!(
            fold_words("«Москва» — Санкт-Петербург"),
            ["москва", "санкт", "петербург"]
        );
    }

    #[test]
    fn very_long_tokens_are_dropped() {
        let long = "a".repeat(MAX_TOKEN_BYTES + 5);
        assert_eq!(fold_words(&format!("short {long} word")), ["short", "word"]);
        // A long Georgian word survives the byte-based limit.
        let georgian = "საქართველოსთვისაც".repeat(2);
        assert_eq!(fold_words(&georgian).len(), 1);
    }

    #[test]
    fn turkic_stemmers_drop_suffixes_after_an_apostrophe() {
        for text in ["Ankara'da", "Ankara’nın", "ANKARA'YA"] {
            assert_eq!(stem_words("tr", text), stem_words("tr", "Ankara"), "{text}");
        }
        assert_eq!(stem_words("az", "Bakı'da"), stem_words("az", "Bakı"));
        // The folding analyzer and other languages keep both halves.
        assert_eq!(fold_words("Ankara'da"), ["ankara", "da"]);
        assert_eq!(
            stem_words("en", "O'Brien").map(|w| w.len()),
            Some(2),
            "O'Brien"
        );
        // A closing quote is not a suffix.
        assert_eq!(stem_words("tr", "'Ankara' dedi").map(|w| w.len()), Some(2));
    }

    #[test]
    fn stemming_runs_after_folding() {
        assert_eq!(
            stem_words("ru", "ПРЕЗИДЕНТА ёлкой"),
            stem_words("ru", "президент елка")
        );
        assert_eq!(stem_words("az", "BAKIDAN"), stem_words("az", "bakı"));
        assert_eq!(stem_words("hy", "ԵՐԵՒԱՆՈՒՄ"), stem_words("hy", "Երևան"));
        assert_eq!(stem_words("ka", "თბილისი"), None);
    }
}
