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

/// No stem is cut shorter than this many letters: short words ("ana",
/// "ada", "ata") are mostly roots, and cutting them would merge unrelated
/// words ("ana"/"an", "ada"/"ad").
const MIN_STEM: usize = 3;

/// A suffix may leave this few letters when what it leaves ends in a
/// consonant and cannot be a vowel-final root cut short: `ildə` → `il`,
/// `evin` → `ev`.
const MIN_SHORT_STEM: usize = 2;

/// Predicative copula ("it is ..."), outermost of all.
const COPULA: &[&str] = &["dir", "dur", "dür"];

/// Case endings, longest first so that `dan` wins over `an`-like overlaps.
/// Bare vowel endings (dative `-a/-ə`, accusative `-ı/-i/-u/-ü`) are not
/// listed: the final-vowel normalisation removes them anyway, except after
/// the plural, which they would otherwise hide. Instrumental `-la/-lə` is
/// not listed either: too many stems end in it ("məsələ").
const CASE: &[&str] = &[
    "ndan", "ndən", "daki", "dəki", "lara", "lərə", "dan", "dən", "nda", "ndə", "nin", "nun",
    "nün", "yla", "ylə", "da", "də", "in", "un", "ün", "na", "nə", "ya", "yə", "ni", "nu", "nü",
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

/// The stem of one folded word. Words with digits come back unchanged, and
/// words of [`MIN_STEM`] letters or fewer nearly so.
pub fn stem(word: &str) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    if !letters.iter().all(|&c| crate::letters::is_alphabetic(c)) {
        return word.to_string();
    }
    if letters.len() <= MIN_STEM {
        harden_final_g(&mut letters);
        return letters.into_iter().collect();
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
/// left still holds a vowel, is [`long_enough`], and the ending is not one
/// of the look-alikes below.
fn strip_one(letters: &mut Vec<char>, suffixes: &[&str]) {
    for suffix in suffixes {
        let len = suffix.chars().count();
        if letters.len() < len + MIN_SHORT_STEM {
            continue;
        }
        let start = letters.len() - len;
        let stem = &letters[..start];
        if letters[start..].iter().copied().eq(suffix.chars())
            && stem.iter().copied().any(is_vowel)
            && long_enough(stem)
            && !hides_softened_k(stem, suffix)
            && !n_case_without_possessive(stem, suffix)
        {
            letters.truncate(start);
            return;
        }
    }
}

/// [`MIN_STEM`] letters, or [`MIN_SHORT_STEM`] ending in a consonant.
fn long_enough(stem: &[char]) -> bool {
    stem.len() >= MIN_STEM
        || (stem.len() >= MIN_SHORT_STEM && stem.last().is_some_and(|&c| !is_vowel(c)))
}

/// Locative, ablative and dative take a buffer `n` only after a third-person
/// possessive (`evində`, `ölkəsinə`), which ends in `ı/i/u/ü`; after any
/// other letter the `n` belongs to the stem (`Azərbaycanda`, `nümayəndə`).
fn n_case_without_possessive(stem: &[char], suffix: &str) -> bool {
    matches!(suffix, "nda" | "ndə" | "ndan" | "ndən" | "na" | "nə")
        && !matches!(stem, [.., 'i' | 'u' | 'ü'])
}

/// Dative `-ya/-yə` after `-li/-lü` is almost always `-lik` + `-a`
/// (`nazirliyə`); the `y` must stay for [`softened_k`] to see it.
fn hides_softened_k(stem: &[char], suffix: &str) -> bool {
    matches!(suffix, "ya" | "yə") && matches!(stem, [.., 'l', 'i' | 'ü'])
}

/// The end normalisation alone (see the module docs), for another Turkic
/// stemmer whose stems keep a final vowel, buffer letter or `n` in some forms
/// of a word only.
pub fn normalise_stem(stem: &str) -> String {
    let mut letters: Vec<char> = stem.chars().collect();
    normalise_end(&mut letters);
    letters.into_iter().collect()
}

/// Drops the ambiguous tail (final vowels, a buffer `y`, one `n`) and puts
/// softened consonants back; see the module docs for why.
fn normalise_end(letters: &mut Vec<char>) {
    // The `n` that two readings disagree on is the word's last letter or
    // comes right before one final vowel (`vətən`, `vətəni`); an `n` further
    // in is the stem's own (`Paşinyan`).
    let mut dropped_n = false;
    let mut trimmed = 0;
    while letters.len() > MIN_STEM {
        let last = letters[letters.len() - 1];
        let before = letters[letters.len() - 2];
        if last == 'y' && softened_k(letters) {
            let end = letters.len() - 1;
            letters[end] = 'k';
            return;
        }
        if is_vowel(last) || last == 'y' {
            letters.pop();
            trimmed += 1;
        } else if last == 'n' && is_vowel(before) && !dropped_n && trimmed <= 1 {
            dropped_n = true;
            letters.pop();
        } else {
            break;
        }
    }
    harden_final_g(letters);
}

/// `ğ` only ends a stem when `q` softened before a vowel ("bayrağı"); the
/// few roots that really end in it ("dağ") become `q` in every form alike.
fn harden_final_g(letters: &mut [char]) {
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

/// How well a stemmer groups a list of word forms by lemma; see
/// [`evaluate`].
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub forms: usize,
    pub lemmas: usize,
    /// Share of forms whose stem is the stem of their lemma.
    pub recall: f64,
    /// Share of pairs of forms of different lemmas that get the same stem.
    pub over_stemming: f64,
    /// Forms whose stem differs from their lemma's: (form, stem, lemma stem).
    pub misses: Vec<(String, String, String)>,
    /// Lemmas that share a stem: (stem, the lemmas).
    pub collisions: Vec<(String, Vec<String>)>,
}

/// Scores `stem` on `(form, lemma)` pairs: recall (forms that reach their
/// lemma's stem) and over-stemming (forms of different lemmas merged).
pub fn evaluate(pairs: &[(String, String)], stem: impl Fn(&str) -> String) -> Evaluation {
    use std::collections::BTreeMap;

    let mut evaluation = Evaluation {
        forms: pairs.len(),
        ..Evaluation::default()
    };
    // stem -> lemma -> number of forms
    let mut by_stem: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    let mut per_lemma: BTreeMap<&str, u64> = BTreeMap::new();
    let mut hits = 0;
    for (form, lemma) in pairs {
        let form_stem = stem(form);
        let lemma_stem = stem(lemma);
        if form_stem == lemma_stem {
            hits += 1;
        } else {
            evaluation
                .misses
                .push((form.clone(), form_stem.clone(), lemma_stem));
        }
        *by_stem
            .entry(form_stem)
            .or_default()
            .entry(lemma.as_str())
            .or_default() += 1;
        *per_lemma.entry(lemma.as_str()).or_default() += 1;
    }
    let cross_pairs = |counts: &mut dyn Iterator<Item = u64>| {
        let (sum, squares) = counts.fold((0, 0), |(s, q), n| (s + n, q + n * n));
        (sum * sum - squares) / 2
    };
    let all_cross = cross_pairs(&mut per_lemma.values().copied());
    let merged: u64 = by_stem
        .values()
        .map(|lemmas| cross_pairs(&mut lemmas.values().copied()))
        .sum();
    evaluation.lemmas = per_lemma.len();
    evaluation.recall = ratio(hits, pairs.len() as u64);
    evaluation.over_stemming = ratio(merged, all_cross);
    evaluation.collisions = by_stem
        .into_iter()
        .filter(|(_, lemmas)| lemmas.len() > 1)
        .map(|(stem, lemmas)| (stem, lemmas.keys().map(|l| l.to_string()).collect()))
        .collect();
    evaluation
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Reads `form<TAB>lemma` lines; blank lines and `#` comments are skipped.
pub fn parse_forms(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(form, lemma)| (form.trim().to_string(), lemma.trim().to_string()))
        .collect()
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

    /// The benchmark's word list, as the unit test sees it.
    const FORMS: &str = include_str!("../../tests/fixtures/stem/az_forms.tsv");

    fn az_stem(word: &str) -> String {
        crate::index::analysis::stem_words("az", word)
            .expect("az is stemmed")
            .concat()
    }

    #[test]
    fn word_list_recall_and_over_stemming_stay_within_floors() {
        let pairs = parse_forms(FORMS);
        assert!(pairs.len() >= 300, "{} forms", pairs.len());
        let evaluation = evaluate(&pairs, az_stem);
        assert!(
            evaluation.recall >= RECALL_FLOOR,
            "recall {:.3}; misses {:?}",
            evaluation.recall,
            evaluation.misses
        );
        assert!(
            evaluation.over_stemming <= OVER_STEMMING_CEILING,
            "over-stemming {:.4}; collisions {:?}",
            evaluation.over_stemming,
            evaluation.collisions
        );
    }

    /// Floors a little under the figures `cargo run --release --example
    /// stem_bench` reports, so a change that makes the stemmer worse fails.
    const RECALL_FLOOR: f64 = 0.94;
    const OVER_STEMMING_CEILING: f64 = 0.002;
}
