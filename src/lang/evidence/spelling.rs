//! A word with a quick test for the letter sequences the shape evidence
//! asks about.
//!
//! The shapes of [`western`](super::western) and [`turkic`](super::turkic)
//! words ask some forty "does it contain `th`, `ough`, `acak` ..." questions
//! of every Latin word. `str::contains` prepares a substring search for each,
//! which for a word of a few letters costs far more than the answer: it was
//! a sixth of an import's CPU time. A [`Spelling`] notes once which pairs of
//! bytes the word has, so most of the questions are answered by a bit test
//! and the rest by a plain scan of a few bytes.

use std::ops::Deref;

/// A word and the byte pairs in it (hashed into 128 bits).
pub(super) struct Spelling<'a> {
    word: &'a str,
    pairs: u128,
}

fn pair_bit(a: u8, b: u8) -> u128 {
    1 << ((u32::from(a).wrapping_mul(31) ^ u32::from(b)) & 127)
}

impl<'a> Spelling<'a> {
    pub fn new(word: &'a str) -> Self {
        let pairs = word
            .as_bytes()
            .windows(2)
            .fold(0, |bits, pair| bits | pair_bit(pair[0], pair[1]));
        Spelling { word, pairs }
    }

    /// Whether the word contains `letters` (at least two bytes long; a
    /// single letter is `str::contains` with a `char`).
    pub fn has(&self, letters: &str) -> bool {
        let needle = letters.as_bytes();
        let maybe = needle
            .windows(2)
            .all(|pair| self.pairs & pair_bit(pair[0], pair[1]) != 0);
        maybe
            && self
                .word
                .as_bytes()
                .windows(needle.len())
                .any(|w| w == needle)
    }
}

/// The word itself, for every other question (`ends_with`, `len`, ...).
impl Deref for Spelling<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.word
    }
}

#[cfg(test)]
mod tests {
    use super::Spelling;

    #[test]
    fn has_agrees_with_str_contains() {
        let words = [
            "through",
            "thought",
            "gələcək",
            "yapacak",
            "dakı",
            "ş",
            "",
            "ee",
        ];
        let needles = ["th", "ough", "ght", "acak", "ək", "dakı", "ee", "hh", "ş"];
        for word in words {
            let spelling = Spelling::new(word);
            for needle in needles.iter().filter(|n| n.len() >= 2) {
                assert_eq!(
                    spelling.has(needle),
                    word.contains(needle),
                    "{word} {needle}"
                );
            }
        }
    }
}
