//! A light stemmer for Azerbaijani nouns, which no Snowball algorithm covers.
//!
//! It works on folded words (see [`Fold`](super::analysis::Fold)): lowercase,
//! with `ı` already written `i`. Azerbaijani stacks its noun suffixes in a
//! fixed order, stem + plural + possessive + case (+ copula), and each slot
//! has a few vowel-harmony and buffer-consonant variants. The stripper peels
//! at most one suffix per slot, from the outside in, then normalises the end
//! of what is left.
//!
//! The normalisation is what makes forms agree. Many endings are ambiguous
//! once written down: `Azərbaycanın` is `Azərbaycan` + `ın` but `dünyanın` is
//! `dünya` + `nın`; `Bakı` ends in a vowel that is also the accusative
//! ending. Rather than guess, every result loses its final vowels (and a `y`
//! or an `n` between them) down to [`MIN_STEM`] letters, so both readings of
//! an ending land on the same stem: `Bakı`, `Bakıda`, `Bakıya`, `Bakının` all
//! become `bak`. Consonants that soften before a vowel (`nazirlik` →
//! `nazirliyi`, `bayraq` → `bayrağı`, `ürək` → `ürəyi`) are put back.
//!
//! Verbs are left alone: their morphology is far richer, and news search is
//! mostly about names and nouns. Derivational suffixes (`-lı`, `-sız`,
//! `-çı`, `-lıq`) are kept, since they change the meaning.

/// No stem is cut shorter than this many letters: short words ("il", "su",
/// "ana") are mostly roots, and cutting them would merge unrelated words.
const MIN_STEM: usize = 3;

/// Predicative copula ("it is ..."), outermost of all.
const COPULA: &[&str] = &["dir", "dur", "dür"];

/// Case endings, longest first so that `dan` wins over `an`-like overlaps.
/// Bare vowel endings (dative `-a/-ə`, accusative `-ı/-i/-u/-ü`) are not
/// listed: the final-vowel normalisation removes them anyway. Instrumental
/// `-la/-lə` is not listed either: too many stems end in it ("məsələ").
const CASE: &[&str] = &[
    "ndan", "ndən", "daki", "dəki", "dan", "dən", "nda", "ndə", "nin", "nun", "nün", "yla", "ylə",
    "da", "də", "in", "un", "ün", "na", "nə", "ya", "yə", "ni", "nu", "nü",
];

/// Possessive endings (third person `-sı` and `-ları`, first and second
/// person plural).
const POSSESSIVE: &[&str] = &[
    "lari", "ləri", "imiz", "umuz", "ümüz", "iniz", "unuz", "ünüz", "miz", "muz", "müz", "niz",
    "nuz", "nüz", "si", "su", "sü",
];

const PLURAL: &[&str] = &["lar", "lər"];

/// Folded Azerbaijani vowels (`ı` is already `i`).
fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'ə' | 'i' | 'o' | 'ö' | 'u' | 'ü')
}

/// The stem of one folded word. Words of [`MIN_STEM`] letters or fewer and
/// words with digits come back unchanged.
pub fn stem(word: &str) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    if letters.len() <= MIN_STEM || !letters.iter().all(|c| c.is_alphabetic()) {
        return word.to_string();
    }
    // A possessive or plural may also end the word itself, so a layer that
    // finds nothing simply passes on to the next one.
    for layer in [COPULA, CASE, POSSESSIVE, PLURAL] {
        strip_one(&mut letters, layer);
    }
    normalise_end(&mut letters);
    letters.into_iter().collect()
}

/// Removes the first of `suffixes` that ends `letters`, provided what is
/// left still holds a vowel and [`MIN_STEM`] letters.
fn strip_one(letters: &mut Vec<char>, suffixes: &[&str]) {
    for suffix in suffixes {
        let len = suffix.chars().count();
        if letters.len() < len + MIN_STEM {
            continue;
        }
        let start = letters.len() - len;
        if letters[start..].iter().copied().eq(suffix.chars())
            && letters[..start].iter().copied().any(is_vowel)
        {
            letters.truncate(start);
            return;
        }
    }
}

/// Drops final vowels and buffer `y`s down to [`MIN_STEM`] letters; for
/// stemmers that leave a word's final vowel in some of its forms only.
pub fn trim_final_vowels(word: &str) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    while letters.len() > MIN_STEM {
        match letters[letters.len() - 2..] {
            [_, last] if is_vowel(last) => letters.pop(),
            [before, 'y'] if is_vowel(before) => letters.pop(),
            _ => break,
        };
    }
    letters.into_iter().collect()
}

/// Drops the ambiguous tail (final vowels, a buffer `y`, one `n`) and puts
/// softened consonants back; see the module docs for why.
fn normalise_end(letters: &mut Vec<char>) {
    let mut dropped_n = false;
    while letters.len() > MIN_STEM {
        let last = letters[letters.len() - 1];
        let before = letters[letters.len() - 2];
        if last == 'y' && softened_k(letters) {
            let end = letters.len() - 1;
            letters[end] = 'k';
            return;
        }
        if is_vowel(last) || (last == 'y' && is_vowel(before)) {
            letters.pop();
        } else if last == 'n' && is_vowel(before) && !dropped_n {
            dropped_n = true;
            letters.pop();
        } else {
            break;
        }
    }
    // `ğ` only ends a stem when `q` softened before a vowel ("bayrağı"); the
    // few roots that really end in it ("dağ") become `q` in every form alike.
    if let Some(last) = letters.last_mut() {
        if *last == 'ğ' {
            *last = 'q';
        }
    }
}

/// Whether a final `y` is a `k` softened before a vowel: the suffix `-lik`
/// (`nazirliyi`) and stems in `-ək` (`ürəyi`, `çörəyi`).
fn softened_k(letters: &[char]) -> bool {
    match letters {
        [.., 'l', 'i' | 'ü', 'y'] => true,
        [.., 'ə', 'y'] => letters.len() > MIN_STEM,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_stem(forms: &[&str]) {
        let stems: Vec<String> = forms.iter().map(|f| stem(f)).collect();
        assert!(
            stems.windows(2).all(|w| w[0] == w[1]),
            "{forms:?} gave {stems:?}"
        );
    }

    #[test]
    fn case_forms_of_a_vowel_final_name_agree() {
        // Folded: `ı` is `i`.
        same_stem(&["baki", "bakida", "bakidan", "bakiya", "bakinin", "bakini"]);
        same_stem(&["ölkə", "ölkədə", "ölkənin", "ölkəyə", "ölkəsi", "ölkələrin"]);
    }

    #[test]
    fn case_plural_and_possessive_forms_of_a_consonant_final_noun_agree() {
        same_stem(&[
            "prezident",
            "prezidentin",
            "prezidentlər",
            "prezidentlərin",
            "prezidenti",
            "prezidentə",
            "prezidentdən",
            "prezidentinin",
            "prezidentləri",
            "prezidentimiz",
        ]);
        same_stem(&["azərbaycan", "azərbaycanin", "azərbaycanda", "azərbaycana"]);
    }

    #[test]
    fn softened_consonants_are_restored() {
        same_stem(&["nazirlik", "nazirliyi", "nazirliyin", "nazirlikdə"]);
        same_stem(&["bayraq", "bayraği", "bayrağin"]);
        same_stem(&["ürək", "ürəyi"]);
    }

    #[test]
    fn short_words_and_numbers_are_kept() {
        for word in ["il", "su", "ana", "bu", "2024", "cop26"] {
            assert_eq!(stem(word), word);
        }
        // A possessive-looking ending is not cut below the minimum.
        assert_eq!(stem("dəniz"), stem("dənizin"));
    }
}
