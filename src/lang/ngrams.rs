//! lingua's n-gram models, restricted to the candidates of one script: the
//! second opinion consulted only when letters, words and whatlang leave a
//! text undecided. lingua's models (n-grams of one to five letters, trained
//! on news text) tell close pairs such as az/tr and ru/uk apart on a word or
//! two, where whatlang's trigram profiles cannot; they cost some ten times
//! more, hence the fast path in front of them.
//!
//! The models are compiled into the binary (one Cargo feature per language)
//! as finite-state transducers that lingua reads in place, so building a
//! [`Ngrams`] loads nothing and costs no memory beyond the pages it touches.

use std::sync::Arc;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// The lingua language for an ISO 639-1 code, if its models are compiled in
/// (see the `lingua` features in Cargo.toml).
pub(crate) fn language_of(code: &str) -> Option<Language> {
    Some(match code {
        "ar" => Language::Arabic,
        "az" => Language::Azerbaijani,
        "de" => Language::German,
        "en" => Language::English,
        "es" => Language::Spanish,
        "fa" => Language::Persian,
        "fr" => Language::French,
        "it" => Language::Italian,
        "pt" => Language::Portuguese,
        "ru" => Language::Russian,
        "tr" => Language::Turkish,
        "uk" => Language::Ukrainian,
        _ => return None,
    })
}

/// lingua over a fixed set of languages. Cheap to clone: the detector is
/// shared, and lingua keeps its models in process-wide maps anyway.
#[derive(Clone)]
pub(crate) struct Ngrams {
    detector: Arc<LanguageDetector>,
    languages: Vec<Language>,
}

impl std::fmt::Debug for Ngrams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ngrams")
            .field("languages", &self.languages)
            .finish_non_exhaustive()
    }
}

/// The lowest probability that counts: lingua gives exactly 0 to languages
/// its own letter rules exclude, and one such rule must not outweigh all
/// the other evidence.
const FLOOR: f64 = 1e-3;

impl Ngrams {
    /// `None` with fewer than two languages: nothing to tell apart.
    pub(crate) fn new(languages: Vec<Language>) -> Option<Self> {
        if languages.len() < 2 {
            return None;
        }
        let detector = LanguageDetectorBuilder::from_languages(&languages).build();
        Some(Ngrams {
            detector: Arc::new(detector),
            languages,
        })
    }

    /// Per language of this set, in [`Ngrams::new`]'s order: the natural
    /// log of lingua's probability, floored, relative to the likeliest
    /// (so the likeliest gets 0 and the others a negative penalty).
    pub(crate) fn log_odds(&self, text: &str) -> Vec<f32> {
        let values = self.detector.compute_language_confidence_values(text);
        let prob = |lang: Language| {
            values
                .iter()
                .find(|(l, _)| *l == lang)
                .map_or(0.0, |(_, p)| *p)
                .max(FLOOR)
        };
        let best = self
            .languages
            .iter()
            .map(|&l| prob(l))
            .fold(FLOOR, f64::max);
        self.languages
            .iter()
            .map(|&l| (prob(l) / best).ln() as f32)
            .collect()
    }
}
