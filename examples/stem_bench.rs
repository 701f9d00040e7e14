//! How well a language's stemming analyzer groups inflected forms: recall
//! (forms whose stem is their lemma's stem) and over-stemming (pairs of forms
//! of different lemmas that collide), plus stemming speed through the full
//! analyzer (split, fold, stem).
//!
//! `cargo run --release --example stem_bench -- [LANG] [FORMS.tsv]`: LANG
//! defaults to `az`, the list to `tests/fixtures/stem/LANG_forms.tsv`
//! (lists exist for `az`, pressd's own stemmer, and `tr`).

use std::time::Instant;

use pressd::index::analysis::stem_words;
use pressd::index::az_stem::{evaluate, parse_forms};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let lang = args.next().unwrap_or_else(|| "az".to_string());
    let path = args
        .next()
        .unwrap_or_else(|| format!("tests/fixtures/stem/{lang}_forms.tsv"));
    if stem_words(&lang, "").is_none() {
        return Err(format!("{lang:?} has no stemmer").into());
    }
    // Forms are single words; a form the analyzer splits ("Ankara'da" is
    // one word in Turkish) is compared by all of its tokens.
    let stem = |word: &str| stem_words(&lang, word).unwrap_or_default().join(" ");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let pairs = parse_forms(&text);
    let evaluation = evaluate(&pairs, stem);

    println!(
        "{lang}: {} forms of {} lemmas from {path}",
        evaluation.forms, evaluation.lemmas
    );
    println!(
        "recall        {:.1}% ({} forms miss their lemma's stem)",
        evaluation.recall * 100.0,
        evaluation.misses.len()
    );
    println!(
        "over-stemming {:.2}% of cross-lemma form pairs ({} stems shared by several lemmas)",
        evaluation.over_stemming * 100.0,
        evaluation.collisions.len()
    );
    for (form, stem, lemma_stem) in &evaluation.misses {
        println!("  miss      {form:>22} -> {stem:<16} lemma -> {lemma_stem}");
    }
    for (stem, lemmas) in &evaluation.collisions {
        println!("  collision {stem:>22} <- {}", lemmas.join(", "));
    }

    let rounds = 200;
    let start = Instant::now();
    let mut tokens = 0;
    for _ in 0..rounds {
        for (form, _) in &pairs {
            tokens += stem(form).len().min(1);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "speed         {:.0} words/s through the {lang} analyzer ({tokens} words)",
        tokens as f64 / seconds
    );
    Ok(())
}
