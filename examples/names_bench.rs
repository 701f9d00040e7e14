//! Recall and false matches of `pressd::names` against Beider–Morse on the
//! name-variant fixtures, plus key throughput.
//!
//! `cargo run --release --example names_bench [-- [DIR] [-v]]`
//!
//! Recall is the share of `tests/fixtures/names/variants.tsv` pairs (two
//! spellings of one person or place) that match; false matches are the
//! share of `distractors.tsv` pairs (different names) that match. A
//! multi-word pair matches when both have as many words and each word of
//! one matches the word of the other at the same place.
//!
//! Beider–Morse is rphonetic's, with the rules it embeds (generic names,
//! approximate rules, languages "any"/"common"). Those rules read Latin
//! script, so it is run twice: on the spellings as they are (Cyrillic,
//! Armenian and Georgian passed through untouched) and on the spellings
//! transliterated by `deunicode` first, a generic transliteration that
//! knows none of the region's conventions. Two words match under
//! Beider–Morse when their sets of phonetic codes intersect; a word it
//! gives no code for matches nothing. `-v` lists
//! the pairs that our keys get wrong; DIR is another folder holding a
//! `variants.tsv` and a `distractors.tsv` (default: the fixtures).

use std::collections::BTreeSet;
use std::time::Instant;

use pressd::names::{name_key, same_name, tokens, Folder};
use rphonetic::{BeiderMorseBuilder, ConfigFiles, Encoder};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/names");

fn read_pairs(dir: &str, name: &str) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(format!("{dir}/{name}"))?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_owned(), f.next()?.to_owned()))
        })
        .collect())
}

/// Beider–Morse codes of each word of `text`, one set per word.
fn bm_codes(bm: &impl Encoder, text: &str, translit: bool) -> Vec<BTreeSet<String>> {
    tokens(text)
        .map(|t| {
            let word = if translit {
                deunicode::deunicode(t)
            } else {
                t.to_owned()
            };
            bm.encode(&word)
                .split(['|', '(', ')', '-'])
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn bm_same(bm: &impl Encoder, a: &str, b: &str, translit: bool) -> bool {
    let (ca, cb) = (bm_codes(bm, a, translit), bm_codes(bm, b, translit));
    !ca.is_empty() && ca.len() == cb.len() && ca.iter().zip(&cb).all(|(x, y)| !x.is_disjoint(y))
}

fn share(pairs: &[(String, String)], same: impl Fn(&str, &str) -> bool) -> f64 {
    let hits = pairs.iter().filter(|(a, b)| same(a, b)).count();
    100.0 * hits as f64 / pairs.len().max(1) as f64
}

fn main() -> anyhow::Result<()> {
    let verbose = std::env::args().any(|a| a == "-v");
    let dir = std::env::args()
        .skip(1)
        .find(|a| a != "-v")
        .unwrap_or_else(|| FIXTURES.to_owned());
    let variants = read_pairs(&dir, "variants.tsv")?;
    let distractors = read_pairs(&dir, "distractors.tsv")?;
    println!(
        "{} variant pairs, {} distractor pairs",
        variants.len(),
        distractors.len()
    );

    let config = ConfigFiles::default();
    let bm = BeiderMorseBuilder::new(&config).build();

    let t = Instant::now();
    let ours = (share(&variants, same_name), share(&distractors, same_name));
    let ours_time = t.elapsed();
    let t = Instant::now();
    let raw = (
        share(&variants, |a, b| bm_same(&bm, a, b, false)),
        share(&distractors, |a, b| bm_same(&bm, a, b, false)),
    );
    let bm_time = t.elapsed();
    let tr = (
        share(&variants, |a, b| bm_same(&bm, a, b, true)),
        share(&distractors, |a, b| bm_same(&bm, a, b, true)),
    );

    println!(
        "\n{:<44} {:>8} {:>14} {:>10}",
        "method", "recall", "false matches", "time"
    );
    println!(
        "{:<44} {:>7.1}% {:>13.1}% {:>8.1}ms",
        "pressd::names::name_key",
        ours.0,
        ours.1,
        ours_time.as_secs_f64() * 1e3
    );
    println!(
        "{:<44} {:>7.1}% {:>13.1}% {:>8.1}ms",
        "Beider-Morse (rphonetic), spellings as they are",
        raw.0,
        raw.1,
        bm_time.as_secs_f64() * 1e3
    );
    println!(
        "{:<44} {:>7.1}% {:>13.1}%",
        "Beider-Morse (rphonetic), deunicode first", tr.0, tr.1
    );

    // Throughput: every word of both files, folded repeatedly through one
    // reusable Folder, as an index tokenizer would.
    let words: Vec<&str> = variants
        .iter()
        .chain(&distractors)
        .flat_map(|(a, b)| tokens(a).chain(tokens(b)))
        .collect();
    let mut folder = Folder::new();
    let mut out = String::new();
    let rounds = 200;
    let t = Instant::now();
    let mut total = 0usize;
    for _ in 0..rounds {
        for w in &words {
            out.clear();
            folder.key_into(w, &mut out);
            total += out.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let n = words.len() * rounds;
    println!(
        "\nthroughput: {:.2} M keys/s ({n} keys in {:.0} ms, {total} key bytes)",
        n as f64 / secs / 1e6,
        secs * 1e3
    );
    let t = Instant::now();
    let mut bm_total = 0usize;
    for w in words.iter().take(2000) {
        bm_total += bm.encode(&deunicode::deunicode(w)).len();
    }
    let bm_secs = t.elapsed().as_secs_f64();
    println!(
        "Beider-Morse: {:.0} keys/s (2000 words, {bm_total} code bytes)",
        2000.0 / bm_secs
    );

    if verbose {
        println!("\nmissed variants:");
        for (a, b) in variants.iter().filter(|(a, b)| !same_name(a, b)) {
            let ka: Vec<String> = tokens(a).map(name_key).collect();
            let kb: Vec<String> = tokens(b).map(name_key).collect();
            println!("  {a} | {b}    {ka:?} {kb:?}");
        }
        println!("\nfalse matches:");
        for (a, b) in distractors.iter().filter(|(a, b)| same_name(a, b)) {
            let ka: Vec<String> = tokens(a).map(name_key).collect();
            println!("  {a} | {b}    {ka:?}");
        }
    }
    Ok(())
}
