//! How well the Azerbaijani stemmer groups inflected forms: recall (forms
//! whose stem is their lemma's stem) and over-stemming (pairs of forms of
//! different lemmas that collide), on `tests/fixtures/stem/az_forms.tsv`,
//! plus stemming speed through the full analyzer (split, fold, stem).
//!
//! `cargo run --release --example stem_bench -- [FORMS.tsv]`

use std::time::Instant;

use pressd::index::analysis::stem_words;
use pressd::index::az_stem::{evaluate, parse_forms};

const DEFAULT_FORMS: &str = "tests/fixtures/stem/az_forms.tsv";

fn az_stem(word: &str) -> String {
    stem_words("az", word).unwrap_or_default().concat()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_FORMS.to_string());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let pairs = parse_forms(&text);
    let evaluation = evaluate(&pairs, az_stem);

    println!(
        "{} forms of {} lemmas from {path}",
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
            tokens += az_stem(form).len().min(1);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "speed         {:.0} words/s through the az analyzer ({tokens} words)",
        tokens as f64 / seconds
    );
    Ok(())
}
