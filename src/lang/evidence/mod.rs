//! Cheap, certain evidence read in one pass over the text: how many letters
//! of each script it has, and per language a score from letters that only
//! some alphabets use (ə, і, پ …), very common function words and a few
//! suffixes that one language of a close pair has and the other cannot.
//! Knowledge of the languages themselves, never of any particular text.
//!
//! This module is the pass itself: it reads the text once, letter by letter
//! and word by word, counts each letter's [`script`] and hands letters to
//! [`letters`] and each word to the evidence of its script ([`latin`], with
//! the spellings of [`western`] and [`turkic`] words, [`cyrillic`],
//! [`arabic`]), all of which add to the tally in [`scores`].

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
    buf: [u8; WORD_CAP],
    len: usize,
    overflow: bool,
    script: Script,
    /// Starts with a capital letter: a name, or a sentence's first word.
    capital: bool,
    /// Has a lowercase letter: not an acronym or a Roman numeral.
    has_lower: bool,
}

impl Word {
    fn push(&mut self, c: char) {
        if self.len + c.len_utf8() > WORD_CAP {
            self.overflow = true;
            return;
        }
        c.encode_utf8(&mut self.buf[self.len..]);
        self.len += c.len_utf8();
    }
}

/// Reads `text` once.
pub(crate) fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut word = Word {
        buf: [0; WORD_CAP],
        len: 0,
        overflow: false,
        script: Script::Other,
        capital: false,
        has_lower: false,
    };
    let mut prev = ' ';
    for c in text.chars() {
        if crate::letters::is_alphabetic(c) {
            // Azerbaijani typed on Cyrillic layouts often borrows ә (U+04D9)
            // for ə; no Cyrillic language in whatlang's set uses it.
            // Ukrainian typed without a Ukrainian layout often has Latin i
            // for і inside Cyrillic words.
            let c = match c {
                'ә' => 'ə',
                'Ә' => 'Ə',
                'i' | 'I' if word.len > 0 && word.script == Script::Cyrillic => 'і',
                c => c,
            };
            let script = script_of(c);
            match script {
                Script::Latin => out.latin += 1,
                Script::Cyrillic => out.cyrillic += 1,
                Script::Armenian => out.armenian += 1,
                Script::Georgian => out.georgian += 1,
                Script::Arabic => out.arabic += 1,
                Script::Other => out.other += 1,
            }
            let lower = if c == 'İ' {
                // Only Turkic orthographies have a dotted capital I.
                out.mark(LATIN, TR | AZ, 0.5, 1.5);
                'i'
            } else if c.is_ascii() {
                c.to_ascii_lowercase()
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            letter(&mut out, lower, prev);
            if word.len == 0 {
                word.script = script;
                word.capital = c != lower;
                word.has_lower = false;
            }
            word.has_lower |= c == lower;
            word.push(lower);
            prev = lower;
        } else if is_apostrophe(c) && word.len > 0 {
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

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{00B4}')
}

/// Combining accents and Arabic vowel signs: part of the word they sit in.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// `before_period`: the word is followed by a full stop.
fn end_word(out: &mut Scan, word: &mut Word, before_period: bool) {
    if word.len == 0 {
        return;
    }
    out.words += 1;
    let len = word.len;
    let overflow = word.overflow;
    word.len = 0;
    word.overflow = false;
    if overflow {
        return;
    }
    let Ok(text) = std::str::from_utf8(&word.buf[..len]) else {
        return;
    };
    let text = text.trim_end_matches('\'');
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
