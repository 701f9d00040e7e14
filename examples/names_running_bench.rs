//! Names in running text: recall of "search one spelling, find the sentence
//! in another script" per language pair, and false matches, through the
//! real index and query path; then how the languages' frequent words fare
//! against the names of the set.
//!
//! `cargo run --release --example names_running_bench [-- [-v] [--frequent DIR]]`
//!
//! The set is `tests/fixtures/names/running/`: people and places of the
//! region (`entities.tsv`, each with its spelling in en, az, tr, ru, hy
//! and ka) and news-style sentences naming them in case forms
//! (`sentences.tsv`, written by `generate.py` there). Every sentence is
//! indexed as a document of its language; every entity is searched by its
//! spelling in each language (a person also by the surname alone), as a
//! user types it into `pressd search`. A search finds a sentence when the
//! sentence is among its hits. Recall for a pair (query language, sentence
//! language) is the share of the sentences of that language naming the
//! entity that the search finds; false matches are the hits that name
//! another entity, as a share of all hits. Entities the shipped names table
//! does not list are reported apart, as a measure of names pressd has not
//! seen.
//!
//! Frequent words: each word of `DIR/<lang>.txt` (default
//! `tests/fixtures/names/frequent`; one word a line, most frequent first;
//! the first 10,000 are used) is put in a document where it could be taken
//! for a name (capitalised at the start of a sentence in the cased scripts;
//! as it is in Georgian) and collides when the index keys it there and one
//! of its keys is a key of a word of the set's names. pressd's own list of
//! common words (`src/names/common.txt`) is made of these lists for az, ru,
//! tr and en, so for them the Leipzig sample (when `../shared` is there)
//! measures words it was not given.
//! Languages without a list are read from the Leipzig sample in
//! `../shared/bench/langid/<lang>/` when it is there (every distinct word,
//! most frequent first), and skipped with a notice otherwise. Words alone
//! miss what a text tells: the Leipzig sentences (when `../shared` is
//! there) are also put through the index's choice of name words, ten to a
//! document, where a sentence start, a word the text writes in lowercase
//! elsewhere and a Georgian given name before a surname count; the words it
//! keys that share a key with a name of the set are collisions there (the
//! set's own names among them: the sample writes about Armenia and
//! Georgia). `-v` lists the misses, the false matches and the collisions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use pressd::article::Article;
use pressd::index::names::name_words;
use pressd::index::{Index, SearchRequest};
use pressd::item::ItemKind;
use pressd::names::{georgian_name, name_at_sentence_start, tokens, Folder};

const LANGS: [&str; 6] = ["en", "az", "tr", "ru", "hy", "ka"];
const SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/names/running");
const FREQUENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/names/frequent");
const FREQUENT_WORDS: usize = 10_000;

struct Entity {
    id: String,
    person: bool,
    listed: bool,
    spellings: Vec<String>,
}

struct Sentence {
    lang: String,
    entities: Vec<String>,
    text: String,
}

fn rows(path: &Path) -> anyhow::Result<Vec<Vec<String>>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let frequent_dir = args
        .iter()
        .position(|a| a == "--frequent")
        .and_then(|n| args.get(n + 1))
        .map_or_else(|| PathBuf::from(FREQUENT), PathBuf::from);
    let set = Path::new(SET);
    let entities: Vec<Entity> = rows(&set.join("entities.tsv"))?
        .into_iter()
        .map(|f| Entity {
            id: f[0].clone(),
            person: f[1] == "person",
            listed: f[2] == "yes",
            spellings: f[3..9].to_vec(),
        })
        .collect();
    let sentences: Vec<Sentence> = rows(&set.join("sentences.tsv"))?
        .into_iter()
        .map(|f| Sentence {
            lang: f[0].clone(),
            entities: f[1].split(',').map(str::to_owned).collect(),
            text: f[2].clone(),
        })
        .collect();
    println!(
        "{} sentences, {} entities ({} people, {} places; {} not in the names table)",
        sentences.len(),
        entities.len(),
        entities.iter().filter(|e| e.person).count(),
        entities.iter().filter(|e| !e.person).count(),
        entities.iter().filter(|e| !e.listed).count()
    );

    let dir = tempfile::tempdir()?;
    let index = Index::open_or_create(dir.path())?;
    let mut writer = index.writer()?;
    for (n, s) in sentences.iter().enumerate() {
        writer.upsert(&Article {
            id: format!("https://running.example/{n}"),
            url: format!("https://running.example/{n}"),
            source: format!("source-{}", s.lang),
            lang: s.lang.clone(),
            title: String::new(),
            body: s.text.clone(),
            published: None,
            fetched: chrono::Utc::now(),
            authors: Vec::new(),
            kind: ItemKind::Article,
        })?;
    }
    writer.commit()?;
    drop(writer);
    let index = Index::open_read(dir.path())?;

    // (listed, query lang, doc lang) → (found, expected, false hits, hits)
    let mut pairs: BTreeMap<(bool, usize, usize), [usize; 4]> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut false_hits = Vec::new();
    for e in &entities {
        for (q, spelling) in e.spellings.iter().enumerate() {
            let mut queries = vec![spelling.clone()];
            if e.person && spelling.split_whitespace().count() > 1 {
                queries.extend(spelling.split_whitespace().last().map(str::to_owned));
            }
            for query in queries {
                let found: HashSet<usize> = index
                    .search(&SearchRequest {
                        query: query.clone(),
                        limit: sentences.len(),
                        ..SearchRequest::default()
                    })?
                    .hits
                    .iter()
                    .filter_map(|h| h.url.rsplit('/').next()?.parse().ok())
                    .collect();
                for (n, s) in sentences.iter().enumerate() {
                    let Some(d) = LANGS.iter().position(|l| *l == s.lang) else {
                        continue;
                    };
                    let names_it = s.entities.contains(&e.id);
                    let cell = pairs.entry((e.listed, q, d)).or_default();
                    if names_it {
                        cell[1] += 1;
                        if found.contains(&n) {
                            cell[0] += 1;
                        } else {
                            misses
                                .push(format!("{} [{}] → {}: {}", query, LANGS[q], s.lang, s.text));
                        }
                    }
                    if found.contains(&n) {
                        cell[3] += 1;
                        if !names_it {
                            cell[2] += 1;
                            false_hits
                                .push(format!("{} [{}] → {}: {}", query, LANGS[q], s.lang, s.text));
                        }
                    }
                }
            }
        }
    }
    for listed in [true, false] {
        println!(
            "\n{} — recall (query language down, sentence language across):",
            if listed {
                "names in the table"
            } else {
                "names not in the table"
            }
        );
        print!("{:>6}", "");
        for l in LANGS {
            print!("{l:>8}");
        }
        println!();
        let mut other = [0usize; 4];
        for (q, ql) in LANGS.iter().enumerate() {
            print!("{ql:>6}");
            for d in 0..LANGS.len() {
                let c = pairs.get(&(listed, q, d)).copied().unwrap_or_default();
                print!("{:>7.1}%", 100.0 * c[0] as f64 / c[1].max(1) as f64);
                if q != d {
                    add(&mut other, &c);
                }
            }
            println!();
        }
        let all: [usize; 4] =
            pairs
                .iter()
                .filter(|((l, _, _), _)| *l == listed)
                .fold([0; 4], |mut acc, (_, c)| {
                    add(&mut acc, c);
                    acc
                });
        let worst = pairs
            .iter()
            .filter(|((l, q, d), c)| *l == listed && q != d && c[1] > 0)
            .map(|(_, c)| 100.0 * c[0] as f64 / c[1] as f64)
            .fold(100.0, f64::min);
        println!(
            "other-script recall {:.1}% ({}/{}), worst pair {:.1}%; all pairs {:.1}%; false matches {:.2}% ({}/{} hits)",
            100.0 * other[0] as f64 / other[1].max(1) as f64,
            other[0],
            other[1],
            worst,
            100.0 * all[0] as f64 / all[1].max(1) as f64,
            100.0 * all[2] as f64 / all[3].max(1) as f64,
            all[2],
            all[3]
        );
    }
    if verbose {
        println!("\nmissed:");
        for m in &misses {
            println!("  {m}");
        }
        println!("\nfalse matches:");
        for m in &false_hits {
            println!("  {m}");
        }
    }

    frequent_words(&entities, &frequent_dir, verbose)
}

/// Collisions of each language's frequent words with the set's names.
fn frequent_words(entities: &[Entity], dir: &Path, verbose: bool) -> anyhow::Result<()> {
    let mut folder = Folder::new();
    let mut name_keys: HashMap<String, String> = HashMap::new();
    for e in entities {
        for spelling in &e.spellings {
            for word in tokens(spelling) {
                folder.keys(word, |k| {
                    name_keys
                        .entry(k.to_string())
                        .or_insert_with(|| word.to_string());
                });
            }
        }
    }
    println!(
        "\nfrequent words against the {} keys of the set's names:",
        name_keys.len()
    );
    for lang in LANGS {
        let mut sources = Vec::new();
        if let Ok(text) = std::fs::read_to_string(dir.join(format!("{lang}.txt"))) {
            let words: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
                .take(FREQUENT_WORDS)
                .collect();
            sources.push((
                words,
                format!("{}", dir.join(format!("{lang}.txt")).display()),
            ));
        }
        if let Some(words) = leipzig_words(lang) {
            sources.push((
                words,
                format!("../shared/bench/langid/{lang}, Leipzig sample"),
            ));
        }
        if sources.is_empty() {
            println!("  {lang}: no list and no ../shared sample: skipped");
        }
        for (words, source) in sources {
            collide(lang, &words, &source, &name_keys, &mut folder, verbose);
        }
        if let Some(docs) = leipzig_documents(lang) {
            collide_in_text(lang, &docs, &name_keys, &mut folder, verbose);
        }
    }
    Ok(())
}

/// Sentences of the Leipzig sample of `lang` as the index sees them: ten
/// to a document, as `names_index_bench` groups them; `None` when absent.
fn leipzig_documents(lang: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(
        Path::new("../shared/bench/langid")
            .join(lang)
            .join("sentences.txt"),
    )
    .ok()?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    Some(lines.chunks(10).map(|c| c.join(" ")).collect())
}

/// The words of running text that the index keys as names (with the
/// context a document gives: sentence starts, a word written in lowercase
/// elsewhere in the text, a Georgian given name before a surname), and
/// which of them share a key with a name of the set.
fn collide_in_text(
    lang: &str,
    docs: &[String],
    name_keys: &HashMap<String, String>,
    folder: &mut Folder,
    verbose: bool,
) {
    let mut keyed = 0;
    let mut words = 0;
    let mut collisions = Vec::new();
    let mut names = String::new();
    for doc in docs {
        words += tokens(doc).count();
        names.clear();
        name_words(doc, &mut names);
        for word in tokens(&names) {
            keyed += 1;
            let mut hit = None;
            folder.keys(word, |k| {
                if hit.is_none() {
                    hit = name_keys.get(k).cloned();
                }
            });
            if let Some(name) = hit {
                collisions.push(format!("{word} ~ {name}"));
            }
        }
    }
    println!(
        "  {lang}: running text, {} sentences of the Leipzig sample ({words} words): {keyed} keyed as names, {} collide with a name of the set",
        docs.len() * 10,
        collisions.len()
    );
    if verbose || collisions.len() <= 40 {
        for c in &collisions {
            println!("      {c}");
        }
    }
}

/// Prints how many of `words` the index would key as names and which of
/// them share a key with a name of the set.
fn collide(
    lang: &str,
    words: &[String],
    source: &str,
    name_keys: &HashMap<String, String>,
    folder: &mut Folder,
    verbose: bool,
) {
    {
        let mut collisions = Vec::new();
        let mut keyed = 0;
        for word in words {
            let as_name = if word
                .chars()
                .next()
                .is_some_and(|c| matches!(c, '\u{10D0}'..='\u{10FF}'))
            {
                if !georgian_name(word) {
                    continue;
                }
                word.clone()
            } else {
                let word = capitalised(word);
                if !name_at_sentence_start(&word) {
                    continue;
                }
                word
            };
            keyed += 1;
            let mut hit = None;
            folder.keys(&as_name, |k| {
                if hit.is_none() {
                    hit = name_keys.get(k).cloned();
                }
            });
            if let Some(name) = hit {
                collisions.push(format!("{word} ~ {name}"));
            }
        }
        println!(
            "  {lang}: {} words ({source}): {keyed} keyed as names, {} collide with a name of the set",
            words.len(),
            collisions.len()
        );
        if verbose || collisions.len() <= 40 {
            for c in &collisions {
                println!("      {c}");
            }
        }
    }
}

fn add(total: &mut [usize; 4], cell: &[usize; 4]) {
    for (t, c) in total.iter_mut().zip(cell) {
        *t += c;
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Distinct words of the Leipzig sample of `lang` under ../shared, most
/// frequent first; `None` when the sample is not there.
fn leipzig_words(lang: &str) -> Option<Vec<String>> {
    let base = Path::new("../shared/bench/langid").join(lang);
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut any = false;
    for file in ["sentences.txt", "word-pairs.txt", "single-words.txt"] {
        let Ok(text) = std::fs::read_to_string(base.join(file)) else {
            continue;
        };
        any = true;
        for word in tokens(&text) {
            *counts.entry(word.to_lowercase()).or_default() += 1;
        }
    }
    if !any {
        return None;
    }
    let mut words: Vec<(String, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(
        words
            .into_iter()
            .map(|(w, _)| w)
            .take(FREQUENT_WORDS)
            .collect(),
    )
}
