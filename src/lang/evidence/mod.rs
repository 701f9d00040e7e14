//! Cheap, certain evidence read in one pass over the text: how many letters
//! of each script it has, and per language a score from letters that only
//! some alphabets use (ə, і, پ …), very common function words and a few
//! suffixes that one language of a close pair has and the other cannot.
//! Knowledge of the languages themselves, never of any particular text.
//!
//! This module is the pass itself ([`scan`]): it reads the text once,
//! letter by letter and word by word, counts each letter's [`script`] and
//! hands letters to [`letters`] and each word to the evidence of its script
//! ([`latin`], with the spellings of [`western`] and [`turkic`] words,
//! [`cyrillic`], [`arabic`]), all of which add to the tally in [`scores`].
//! [`count_scripts`] is the same pass counting letters only, for texts
//! whose script alone decides.

mod arabic;
mod cyrillic;
mod latin;
mod letters;
mod scores;
mod script;
mod spelling;
mod turkic;
mod western;

pub(crate) use scores::{Ev, Scan};
pub(crate) use script::Script;

use arabic::arabic_word;
use cyrillic::cyrillic_word;
use latin::latin_word;
use letters::letter;
use scores::{AZ, LATIN, TR};
use script::script_of;

/// Longest word kept for lookups, in bytes; longer words only count letters.
const WORD_CAP: usize = 48;

struct Word {
    /// A `String` rather than bytes: the words are read as text, and
    /// checking the bytes of each again cost 1 % of an import's CPU time.
    buf: String,
    overflow: bool,
    script: Script,
    /// Starts with a capital letter: a name, or a sentence's first word.
    capital: bool,
    /// Has a lowercase letter: not an acronym or a Roman numeral.
    has_lower: bool,
}

impl Word {
    fn push(&mut self, c: char) {
        if self.buf.len() + c.len_utf8() > WORD_CAP {
            self.overflow = true;
            return;
        }
        self.buf.push(c);
    }
}

/// Reads `text` once.
pub(crate) fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut word = Word {
        buf: String::with_capacity(WORD_CAP),
        overflow: false,
        script: Script::Other,
        capital: false,
        has_lower: false,
    };
    let mut prev = ' ';
    for c in text.chars() {
        if crate::letters::is_alphabetic(c) {
            let (c, script) = read_letter(c, (!word.buf.is_empty()).then_some(word.script));
            out.count(script);
            let lower = if c == 'İ' {
                // Only Turkic orthographies have a dotted capital I.
                out.mark(LATIN, TR | AZ, 0.5, 1.5);
                'i'
            } else if c.is_ascii() {
                c.to_ascii_lowercase()
            } else if c.is_lowercase() {
                // Most letters of a text are lowercase already, and a
                // lowercase letter is its own lowercase; the case-mapping
                // table's search was a seventh of the pass.
                c
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            letter(&mut out, lower, prev);
            if word.buf.is_empty() {
                word.script = script;
                word.capital = c != lower;
                word.has_lower = false;
            }
            word.has_lower |= c == lower;
            word.push(lower);
            prev = lower;
        } else if is_apostrophe(c) && !word.buf.is_empty() {
            word.push('\'');
            prev = '\'';
        } else if is_mark(c) || c == '\u{200C}' {
            // Combining marks and the zero-width non-joiner live inside
            // words (Persian uses the latter between a stem and a suffix).
        } else {
            end_word(&mut out, &mut word, c == '.');
            prev = ' ';
        }
    }
    end_word(&mut out, &mut word, false);
    out.finish();
    out
}

/// The letter counts of [`scan`] alone, in a pass that reads no words:
/// all the decision needs of a text whose script has a single candidate
/// language (Armenian, Georgian, Russian as the only Cyrillic one), which
/// is most of what the press of the region writes. Counts exactly as
/// [`scan`] does: the same letters, read the same way ([`read_letter`]),
/// with the same word boundaries.
pub(crate) fn count_scripts(text: &str) -> Scan {
    let mut out = Scan::default();
    // The script of the current word's first letter, while in a word.
    let mut word: Option<Script> = None;
    for c in text.chars() {
        if crate::letters::is_alphabetic(c) {
            let (_, script) = read_letter(c, word);
            out.count(script);
            word.get_or_insert(script);
        } else if (is_apostrophe(c) && word.is_some()) || is_mark(c) || c == '\u{200C}' {
            // Inside a word, as in `scan`.
        } else {
            word = None;
        }
    }
    out
}

/// A letter as the evidence reads it, and its script; `word`: the script
/// of the current word's first letter, if a word has begun.
fn read_letter(c: char, word: Option<Script>) -> (char, Script) {
    // Azerbaijani typed on Cyrillic layouts often borrows ә (U+04D9) for
    // ə; no Cyrillic language in whatlang's set uses it. Ukrainian typed
    // without a Ukrainian layout often has Latin i for і inside Cyrillic
    // words.
    let c = match c {
        'ә' => 'ə',
        'Ә' => 'Ə',
        'i' | 'I' if word == Some(Script::Cyrillic) => 'і',
        c => c,
    };
    (c, script_of(c))
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{00B4}')
}

/// Combining accents and Arabic vowel signs: part of the word they sit in.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// `before_period`: the word is followed by a full stop.
fn end_word(out: &mut Scan, word: &mut Word, before_period: bool) {
    if word.buf.is_empty() {
        return;
    }
    out.words += 1;
    if !word.overflow {
        word_evidence(out, word, before_period);
    }
    word.buf.clear();
    word.overflow = false;
}

/// The evidence of a whole word (not cut off at [`WORD_CAP`]).
fn word_evidence(out: &mut Scan, word: &Word, before_period: bool) {
    let text = word.buf.trim_end_matches('\'');
    match word.script {
        Script::Latin => {
            out.latin_words += 1;
            // Turkish writes an ordinal in Roman numerals with a full stop
            // (II. Dünya Savaşı, XIX. yüzyıl); Azerbaijani, like Russian,
            // without (II Dünya müharibəsi, XIX əsr). Single letters are
            // left out: I, V and X are also initials and abbreviations.
            if !before_period
                && !word.has_lower
                && text.len() >= 2
                && text.bytes().all(|b| matches!(b, b'i' | b'v' | b'x'))
            {
                out.mark(TR | AZ, AZ, 0.5, 0.5);
            }
            latin_word(out, text, word.capital)
        }
        Script::Cyrillic => {
            out.cyrillic_words += 1;
            cyrillic_word(out, text)
        }
        Script::Arabic => arabic_word(out, text),
        _ => {}
    }
}
