//! A deterministic corpus of news-like articles for the scale benchmarks
//! (`examples/make_corpus.rs` writes it as JSON lines; benchmark programs
//! include this module with `#[path = "corpus/mod.rs"] mod corpus;`).
//!
//! What it looks like: articles in hy, az, ru, ka, tr and en from 50
//! invented outlets (each with a main language; a few agencies write in
//! several), published over the year 2025 (more on weekdays and in the
//! region's daytime), titles of 8–12 words and bodies of 200–600 words drawn
//! from a Zipfian vocabulary of each language, with the region's people and
//! places spelled as each language's press spells them (from
//! `src/names/names.txt`) and numbers.
//!
//! Story structure for later benchmarks: many articles stand alone, but
//! about 60 % belong to an *event*, a group of articles from several outlets
//! and languages within two days that share the event's names, numbers and a
//! few topic words; some of those are *near-copies*, an agency's text
//! republished by another outlet in the same language with light edits.
//! [`Article::event`] and [`Article::copy_of`] label both (importers ignore
//! these fields).
//!
//! Vocabulary: az, en, ru and tr from the shipped 10,000-word frequency
//! lists in `tests/fixtures/names/frequent/` (Apache-2.0, see the SOURCE.md
//! there), compiled in; hy and ka counted at run time from the Leipzig
//! samples in `../shared/bench/langid/{hy,ka}/` (about 7,000 words each),
//! which [`Corpus::new`] needs.
//!
//! Every article is a pure function of the seed and its number
//! ([`Corpus::article`]), so any slice of the corpus can be generated alone,
//! in any order, on any number of threads, and is the same every time.

#![allow(dead_code)] // each benchmark uses part of it

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Utc};

/// The corpus languages, in the order of every per-language table here.
pub const LANGS: [&str; 6] = ["hy", "az", "ru", "ka", "tr", "en"];

/// The default seed; another gives another corpus of the same shape.
pub const SEED: u64 = 0x5eed_2025;

/// Start of the corpus year (2025-01-01T00:00:00Z) and its length.
const YEAR_START: i64 = 1_735_689_600;
const YEAR_DAYS: i64 = 365;

/// Frequency lists shipped with the repository.
const FREQUENT: [(&str, &str); 4] = [
    (
        "az",
        include_str!("../../tests/fixtures/names/frequent/az.txt"),
    ),
    (
        "en",
        include_str!("../../tests/fixtures/names/frequent/en.txt"),
    ),
    (
        "ru",
        include_str!("../../tests/fixtures/names/frequent/ru.txt"),
    ),
    (
        "tr",
        include_str!("../../tests/fixtures/names/frequent/tr.txt"),
    ),
];

const NAMES: &str = include_str!("../../src/names/names.txt");

/// Where the Leipzig samples of hy and ka sit by default: `../shared`
/// beside the repository.
pub fn default_langid_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/langid")
}

/// One invented outlet.
#[derive(Debug)]
pub struct Source {
    pub id: &'static str,
    pub domain: &'static str,
    /// The main language first; agencies list more.
    pub langs: &'static [&'static str],
    /// Relative volume.
    pub weight: f64,
    /// Offset of the outlet's local time from UTC, in hours (its
    /// `published` dates carry it).
    pub utc_offset: i32,
    /// Agencies lead events and are republished.
    pub agency: bool,
}

const fn src(
    id: &'static str,
    domain: &'static str,
    langs: &'static [&'static str],
    weight: f64,
    utc_offset: i32,
    agency: bool,
) -> Source {
    Source {
        id,
        domain,
        langs,
        weight,
        utc_offset,
        agency,
    }
}

/// The 50 outlets: 8 agencies (several of them multilingual) and 42
/// papers, sites and channels of one language.
#[rustfmt::skip]
pub const SOURCES: [Source; 50] = [
    // Agencies.
    src("caucasus-wire", "caucasus-wire.example", &["en", "ru", "az", "hy", "ka", "tr"], 6.0, 0, true),
    src("kavkaz-press", "kavkaz-press.example", &["ru", "en", "az", "hy", "ka"], 5.0, 3, true),
    src("absheron-agency", "absheron-agency.example", &["az", "ru", "en"], 5.0, 4, true),
    src("ararat-agency", "ararat-agency.example", &["hy", "ru", "en"], 4.5, 4, true),
    src("mtkvari-agency", "mtkvari-agency.example", &["ka", "ru", "en"], 4.0, 4, true),
    src("anatolia-wire", "anatolia-wire.example", &["tr", "en", "az"], 4.0, 3, true),
    src("east-europe-wire", "east-europe-wire.example", &["ru", "en"], 3.0, 3, true),
    src("regional-desk", "regional-desk.example", &["en", "ru"], 2.0, 0, true),
    // Armenian.
    src("yerevan-daily", "yerevan-daily.example", &["hy"], 3.0, 4, false),
    src("sevan-post", "sevan-post.example", &["hy"], 2.2, 4, false),
    src("hayastan-today", "hayastan-today.example", &["hy"], 1.8, 4, false),
    src("gyumri-herald", "gyumri-herald.example", &["hy"], 1.2, 4, false),
    src("lori-news", "lori-news.example", &["hy"], 0.8, 4, false),
    src("syunik-online", "syunik-online.example", &["hy"], 0.6, 4, false),
    src("aragats-tv", "aragats-tv.example", &["hy"], 1.5, 4, false),
    // Azerbaijani.
    src("baku-times", "baku-times.example", &["az"], 3.2, 4, false),
    src("xezer-xeber", "xezer-xeber.example", &["az"], 2.5, 4, false),
    src("ganja-post", "ganja-post.example", &["az"], 1.4, 4, false),
    src("shirvan-news", "shirvan-news.example", &["az"], 1.0, 4, false),
    src("qarabag-online", "qarabag-online.example", &["az"], 1.6, 4, false),
    src("lankaran-today", "lankaran-today.example", &["az"], 0.6, 4, false),
    src("absheron-tv", "absheron-tv.example", &["az"], 1.8, 4, false),
    src("baku-evening", "baku-evening.example", &["ru"], 1.2, 4, false),
    // Russian.
    src("kavkaz-vestnik", "kavkaz-vestnik.example", &["ru"], 2.6, 3, false),
    src("yug-novosti", "yug-novosti.example", &["ru"], 2.0, 3, false),
    src("moskva-obozrenie", "moskva-obozrenie.example", &["ru"], 2.4, 3, false),
    src("tiflis-kurier", "tiflis-kurier.example", &["ru"], 0.9, 4, false),
    src("yerevan-vesti", "yerevan-vesti.example", &["ru"], 0.9, 4, false),
    src("derbent-gazeta", "derbent-gazeta.example", &["ru"], 0.5, 3, false),
    // Georgian.
    src("tbilisi-matsne", "tbilisi-matsne.example", &["ka"], 2.8, 4, false),
    src("kartli-news", "kartli-news.example", &["ka"], 2.0, 4, false),
    src("batumi-post", "batumi-post.example", &["ka"], 1.3, 4, false),
    src("kutaisi-today", "kutaisi-today.example", &["ka"], 1.0, 4, false),
    src("kakheti-online", "kakheti-online.example", &["ka"], 0.7, 4, false),
    src("iveria-tv", "iveria-tv.example", &["ka"], 1.6, 4, false),
    // Turkish.
    src("ankara-gazete", "ankara-gazete.example", &["tr"], 2.4, 3, false),
    src("karadeniz-haber", "karadeniz-haber.example", &["tr"], 1.5, 3, false),
    src("kars-postasi", "kars-postasi.example", &["tr"], 0.7, 3, false),
    src("istanbul-gundem", "istanbul-gundem.example", &["tr"], 2.0, 3, false),
    src("dogu-haber", "dogu-haber.example", &["tr"], 0.8, 3, false),
    // English.
    src("caucasus-observer", "caucasus-observer.example", &["en"], 2.2, 0, false),
    src("eurasia-review-desk", "eurasia-review-desk.example", &["en"], 1.6, 0, false),
    src("south-caucasus-monitor", "south-caucasus-monitor.example", &["en"], 1.2, 0, false),
    src("black-sea-report", "black-sea-report.example", &["en"], 1.0, 0, false),
    src("caspian-ledger", "caspian-ledger.example", &["en"], 0.9, 0, false),
    src("silk-road-post", "silk-road-post.example", &["en"], 0.7, 0, false),
    src("tbilisi-english", "tbilisi-english.example", &["en"], 0.8, 4, false),
    src("yerevan-english", "yerevan-english.example", &["en"], 0.7, 4, false),
    src("baku-english", "baku-english.example", &["en"], 0.8, 4, false),
    src("region-podcast", "region-podcast.example", &["en", "ru"], 0.4, 0, false),
];

/// One generated article: the fields of the JSON line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Article {
    pub url: String,
    pub title: String,
    pub body: String,
    /// In the outlet's local offset.
    #[serde(serialize_with = "rfc3339")]
    pub published: DateTime<FixedOffset>,
    pub authors: Vec<String>,
    pub lang: &'static str,
    pub source: &'static str,
    /// The event this article covers, when it is one of a group.
    pub event: Option<u32>,
    /// The URL of the agency text this one republishes with light edits.
    pub copy_of: Option<String>,
}

fn rfc3339<S: serde::Serializer>(d: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl Article {
    /// The article as one JSON line (with its newline) appended to `out`.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        // Serializing plain strings into a Vec cannot fail.
        serde_json::to_writer(&mut *out, self).expect("article serializes");
        out.push(b'\n');
    }

    /// `published` in UTC.
    pub fn published_utc(&self) -> DateTime<Utc> {
        self.published.with_timezone(&Utc)
    }
}

/// A name of the region with its spelling in each language (`None` where
/// names.txt gives none for that script).
#[derive(Debug)]
struct Name {
    spellings: [Option<String>; 6],
    person: bool,
}

/// The words of one language, most frequent first, and a sampler that draws
/// ranks with Zipf–Mandelbrot weights.
struct Vocabulary {
    /// The words, most frequent first, end to end in one string (one
    /// allocation, so drawing words stays in the cache).
    text: String,
    spans: Vec<(u32, u32)>,
    zipf: Alias,
    /// Names with a spelling in this language: people, then everyone.
    people: Vec<usize>,
    names: Vec<usize>,
    /// Letters that start authors' initials.
    initials: Vec<char>,
    /// Position in [`LANGS`].
    lang: usize,
}

/// Parameters of one event, derived from its number.
struct Event {
    /// UTC seconds of the first article.
    time: i64,
    lead_source: usize,
    /// Indices into the name table, each spelled in every language.
    names: [usize; 3],
    numbers: [u32; 2],
}

/// The corpus: tables built once, then any article on demand.
pub struct Corpus {
    len: usize,
    seed: u64,
    vocab: Vec<Vocabulary>,
    names: Vec<Name>,
    /// Names spelled in all six languages (events use these).
    shared_names: Vec<usize>,
    sources: Alias,
    agencies: Alias,
    agency_ids: Vec<usize>,
    /// Sources writing in each language, for republished copies.
    by_lang: Vec<Vec<usize>>,
    /// First article of each event; one past the last article at the end.
    event_starts: Vec<u32>,
    /// Hour-of-day weights (UTC) and day weights (weekends lower).
    hours: Alias,
    days: Alias,
}

/// Why the corpus could not be built.
#[derive(Debug)]
pub struct CorpusError(pub String);

impl std::fmt::Display for CorpusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CorpusError {}

impl Corpus {
    /// A corpus of `len` articles; `langid_dir` holds the Leipzig samples
    /// `hy/` and `ka/` (see [`default_langid_dir`]).
    pub fn new(len: usize, langid_dir: &Path) -> Result<Corpus, CorpusError> {
        Self::with_seed(len, langid_dir, SEED)
    }

    pub fn with_seed(len: usize, langid_dir: &Path, seed: u64) -> Result<Corpus, CorpusError> {
        let names = parse_names(NAMES);
        let mut vocab = Vec::with_capacity(LANGS.len());
        for (n, lang) in LANGS.iter().enumerate() {
            let words = match FREQUENT.iter().find(|(l, _)| l == lang) {
                Some((_, list)) => list
                    .lines()
                    .map(str::trim)
                    // Tokens such as "don'" are pieces of words.
                    .filter(|w| !w.is_empty() && w.chars().all(char::is_alphabetic))
                    .map(str::to_string)
                    .collect(),
                None => count_words(langid_dir, lang)?,
            };
            vocab.push(Vocabulary::new(n, words, &names));
        }
        let shared_names: Vec<usize> = (0..names.len())
            .filter(|&n| names[n].spellings.iter().all(Option::is_some))
            .collect();
        let weights: Vec<f64> = SOURCES.iter().map(|s| s.weight).collect();
        let agency_ids: Vec<usize> = (0..SOURCES.len()).filter(|&n| SOURCES[n].agency).collect();
        let agency_weights: Vec<f64> = agency_ids.iter().map(|&n| SOURCES[n].weight).collect();
        let by_lang = LANGS
            .iter()
            .map(|l| {
                (0..SOURCES.len())
                    .filter(|&n| SOURCES[n].langs.contains(l))
                    .collect()
            })
            .collect();
        // News time in UTC: the region (UTC+3/+4) writes from its morning
        // to its late evening, the English desks a little later.
        let hour_weights: Vec<f64> = (0..24)
            .map(|h: i32| {
                let local = (h + 4) % 24;
                match local {
                    0..=5 => 0.15,
                    6..=8 => 0.8,
                    9..=18 => 1.6,
                    19..=21 => 0.9,
                    _ => 0.4,
                }
            })
            .collect();
        // 2025-01-01 was a Wednesday; the last two days stay free so that
        // an event's articles (up to 48 h later) stay within the year.
        let day_weights: Vec<f64> = (0..YEAR_DAYS - 2)
            .map(|d| match (d + 2) % 7 {
                5 | 6 => 0.55,
                _ => 1.0,
            })
            .collect();

        let mut rng = Rng::new(seed ^ 0xe7e7);
        let mut event_starts = Vec::with_capacity(len / 2 + 2);
        let mut at = 0usize;
        while at < len {
            event_starts.push(at as u32);
            at += event_size(&mut rng).min(len - at);
        }
        event_starts.push(len as u32);

        Ok(Corpus {
            len,
            seed,
            vocab,
            names,
            shared_names,
            sources: Alias::new(&weights),
            agencies: Alias::new(&agency_weights),
            agency_ids,
            by_lang,
            event_starts,
            hours: Alias::new(&hour_weights),
            days: Alias::new(&day_weights),
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The word of frequency rank `rank` (0 = most frequent) of `lang`
    /// (one of [`LANGS`]; a rank past the end gives the rarest word).
    pub fn word(&self, lang: &str, rank: usize) -> &str {
        let v = &self.vocab[lang_index(lang)];
        v.rank(rank.min(v.spans.len() - 1))
    }

    /// How many names of the region the corpus draws from (see
    /// [`Corpus::name`]).
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// Name `n` as `lang` writes it (`None` where that language's press has
    /// no spelling in the table), and whether it is a person's.
    pub fn name(&self, n: usize, lang: &str) -> Option<(&str, bool)> {
        let name = self.names.get(n)?;
        let spelling = name.spellings[lang_index(lang)].as_deref()?;
        Some((spelling, name.person))
    }

    /// Number of events with more than one article.
    pub fn group_count(&self) -> usize {
        self.event_starts
            .windows(2)
            .filter(|w| w[1] - w[0] > 1)
            .count()
    }

    /// The article numbered `i` (below [`Corpus::len`]).
    pub fn article(&self, i: usize) -> Article {
        let e = self.event_starts.partition_point(|&s| s as usize <= i) - 1;
        let first = self.event_starts[e] as usize;
        let size = self.event_starts[e + 1] as usize - first;
        let event = self.event(e, size);
        let mut rng = Rng::new(mix(self.seed, 0xa271, i as u64));
        let grouped = size > 1;

        if i == first {
            let lang = self.pick_lang(event.lead_source, &mut rng);
            return self.compose(
                i,
                event.lead_source,
                lang,
                event.time,
                &event,
                grouped,
                &mut rng,
            );
        }
        let delay = delay_seconds(&mut rng);
        let lead_is_agency = SOURCES[event.lead_source].agency;
        if lead_is_agency && rng.chance(0.35) {
            // The lead's language is the first thing its own generator draws.
            let mut lead_rng = Rng::new(mix(self.seed, 0xa271, first as u64));
            let lang_n = self.pick_lang(event.lead_source, &mut lead_rng);
            let outlets = &self.by_lang[lang_n];
            let mut source = outlets[rng.below(outlets.len())];
            if source == event.lead_source {
                source = outlets[(rng.below(outlets.len().max(2) - 1) + 1) % outlets.len()];
            }
            if source != event.lead_source {
                let time = event.time + delay.min(3 * 3600);
                let lead = self.article(first);
                return self.near_copy(i, source, lang_n, time, &lead, e, &mut rng);
            }
        }
        let mut source = self.sources.sample(&mut rng);
        if source == event.lead_source {
            source = self.sources.sample(&mut rng);
        }
        let lang = self.pick_lang(source, &mut rng);
        self.compose(
            i,
            source,
            lang,
            event.time + delay,
            &event,
            grouped,
            &mut rng,
        )
    }

    /// Event `e`'s parameters: its time, lead outlet, names and numbers.
    fn event(&self, e: usize, size: usize) -> Event {
        let mut rng = Rng::new(mix(self.seed, 0xe4e7, e as u64));
        let day = self.days.sample(&mut rng) as i64;
        let hour = self.hours.sample(&mut rng) as i64;
        let time = YEAR_START + day * 86_400 + hour * 3600 + rng.below(3600) as i64;
        let lead_source = if size > 1 && rng.chance(0.6) {
            self.agency_ids[self.agencies.sample(&mut rng)]
        } else {
            self.sources.sample(&mut rng)
        };
        let pick = |rng: &mut Rng| self.shared_names[rng.below(self.shared_names.len())];
        let names = [pick(&mut rng), pick(&mut rng), pick(&mut rng)];
        let numbers = [2 + rng.below(98) as u32, 100 + rng.below(9_900) as u32];
        Event {
            time,
            lead_source,
            names,
            numbers,
        }
    }

    /// One of the source's languages: the main one mostly.
    fn pick_lang(&self, source: usize, rng: &mut Rng) -> usize {
        let langs = SOURCES[source].langs;
        let lang = if langs.len() == 1 || rng.chance(0.5) {
            langs[0]
        } else {
            langs[1 + rng.below(langs.len() - 1)]
        };
        lang_index(lang)
    }

    #[allow(clippy::too_many_arguments)]
    fn compose(
        &self,
        i: usize,
        source: usize,
        lang: usize,
        time: i64,
        event: &Event,
        grouped: bool,
        rng: &mut Rng,
    ) -> Article {
        let v = &self.vocab[lang];
        let topic = self.topic_words(event, lang);
        let ctx = Context {
            corpus: self,
            v,
            event: grouped.then_some(event),
            topic: &topic,
        };
        let mut title = String::with_capacity(120);
        ctx.sentence(&mut title, 8 + rng.below(5), rng, true);
        let words = 200 + rng.below(401);
        // Georgian takes about 26 bytes a word with its space.
        let mut body = String::with_capacity(words * 28);
        ctx.paragraphs(&mut body, words, rng);
        let authors = self.authors(lang, rng);
        let published = local_time(time, source);
        Article {
            url: url(i, source, lang, &published),
            title,
            body,
            published,
            authors,
            lang: LANGS[lang],
            source: SOURCES[source].id,
            event: grouped.then_some(self.event_label(i)),
            copy_of: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn near_copy(
        &self,
        i: usize,
        source: usize,
        lang: usize,
        time: i64,
        lead: &Article,
        e: usize,
        rng: &mut Rng,
    ) -> Article {
        let v = &self.vocab[lang];
        // The title: kept, or one word changed.
        let mut title_words: Vec<&str> = lead.title.split(' ').collect();
        let replaced;
        if title_words.len() > 2 && rng.chance(0.5) {
            let at = 1 + rng.below(title_words.len() - 1);
            replaced = v.word(rng).to_string();
            title_words[at] = &replaced;
        }
        let title = title_words.join(" ");
        // The body: a few words swapped, and a closing line of the
        // republisher's own.
        let paragraphs: Vec<&str> = lead.body.split("\n\n").collect();
        let mut body = String::with_capacity(lead.body.len() + 200);
        for (n, paragraph) in paragraphs.iter().enumerate() {
            if n > 0 {
                body.push_str("\n\n");
            }
            for (k, token) in paragraph.split(' ').enumerate() {
                if k > 0 {
                    body.push(' ');
                }
                // A lowercase word with nothing after it: not a name, a
                // number or the end of a clause.
                let plain = token.chars().next().is_some_and(char::is_lowercase)
                    && !token.ends_with([',', '.']);
                if plain && rng.chance(0.03) {
                    body.push_str(v.word(rng));
                } else {
                    body.push_str(token);
                }
            }
        }
        body.push_str("\n\n");
        let topic = Vec::new();
        let ctx = Context {
            corpus: self,
            v,
            event: None,
            topic: &topic,
        };
        ctx.sentence(&mut body, 6 + rng.below(6), rng, false);
        let published = local_time(time, source);
        Article {
            url: url(i, source, lang, &published),
            title,
            body,
            published,
            authors: self.authors(lang, rng),
            lang: LANGS[lang],
            source: SOURCES[source].id,
            event: Some(e as u32),
            copy_of: Some(lead.url.clone()),
        }
    }

    fn event_label(&self, i: usize) -> u32 {
        (self.event_starts.partition_point(|&s| s as usize <= i) - 1) as u32
    }

    /// Four words of middling frequency that articles of the event in
    /// `lang` share.
    fn topic_words(&self, event: &Event, lang: usize) -> Vec<&str> {
        let v = &self.vocab[lang];
        let mut rng = Rng::new(mix(event.time as u64, 0x7091, lang as u64));
        let low = 150.min(v.spans.len() / 4);
        let high = 5000.min(v.spans.len());
        (0..4)
            .map(|_| v.rank(low + rng.below(high - low)))
            .collect()
    }

    /// None, one or two bylines: an initial and a surname of the region.
    fn authors(&self, lang: usize, rng: &mut Rng) -> Vec<String> {
        let v = &self.vocab[lang];
        let count = match rng.below(10) {
            0..=2 => 0,
            3..=8 => 1,
            _ => 2,
        };
        (0..count)
            .filter_map(|_| {
                let name = v.people.get(rng.below(v.people.len().max(1)))?;
                let surname = self.names[*name].spellings[lang].as_deref()?;
                let initial = v.initials[rng.below(v.initials.len())];
                Some(format!("{initial}. {surname}"))
            })
            .collect()
    }
}

/// What one article's text is made from.
struct Context<'a> {
    corpus: &'a Corpus,
    v: &'a Vocabulary,
    event: Option<&'a Event>,
    topic: &'a [&'a str],
}

impl Context<'_> {
    /// About `words` words in paragraphs of 3–6 sentences of 6–24 words.
    fn paragraphs(&self, out: &mut String, words: usize, rng: &mut Rng) {
        let mut written = 0;
        while written < words {
            if written > 0 {
                out.push_str("\n\n");
            }
            for s in 0..3 + rng.below(4) {
                if written >= words {
                    break;
                }
                if s > 0 {
                    out.push(' ');
                }
                let n = (6 + rng.below(19)).min(words - written).max(3);
                self.sentence(out, n, rng, false);
                written += n;
            }
        }
    }

    /// A sentence of `n` words: capitalised, with names, numbers, the
    /// event's words, commas, and a full stop unless it is a title.
    fn sentence(&self, out: &mut String, n: usize, rng: &mut Rng, title: bool) {
        let lang = self.v.lang;
        let start = out.len();
        for k in 0..n {
            if k > 0 {
                out.push(' ');
            }
            // One draw decides what the word is (high bits) and whether a
            // comma follows it (low bits).
            let r = rng.next_u64();
            let roll = (((r >> 32) * 1000) >> 32) as usize;
            let comma = (r & 0xFFFF) < 3932; // 6 %
            let event_bias = if title { 3 } else { 1 };
            match (roll, self.event) {
                (0..=59, Some(e)) if roll < 40 * event_bias => {
                    self.push_name(out, e.names[rng.below(3)]);
                }
                (0..=59, _) => {
                    if let Some(&name) = self.v.names.get(rng.below(self.v.names.len().max(1))) {
                        self.push_name(out, name);
                    } else {
                        out.push_str(self.v.word(rng));
                    }
                }
                (60..=84, Some(e)) if rng.chance(0.6) => {
                    let _ = write!(out, "{}", e.numbers[rng.below(2)]);
                }
                (60..=84, _) => {
                    let _ = write!(out, "{}", number(rng));
                }
                (85..=139, Some(_)) if !self.topic.is_empty() => {
                    out.push_str(self.topic[rng.below(self.topic.len())]);
                }
                _ => out.push_str(self.v.word(rng)),
            }
            if !title && k + 1 < n && comma {
                out.push(',');
            }
        }
        capitalise_at(out, start, LANGS[lang]);
        if !title {
            out.push('.');
        }
    }

    fn push_name(&self, out: &mut String, name: usize) {
        let spellings = &self.corpus.names[name].spellings;
        match &spellings[self.v.lang] {
            Some(s) => out.push_str(s),
            None => out.push_str(spellings.iter().flatten().next().map_or("", |s| s)),
        }
    }
}

/// A number as news writes them: mostly small, sometimes a year or a sum.
fn number(rng: &mut Rng) -> u32 {
    match rng.below(10) {
        0..=5 => 1 + rng.below(99) as u32,
        6..=7 => 1990 + rng.below(36) as u32,
        _ => 100 + rng.below(99_900) as u32,
    }
}

/// Articles per event: alone mostly, a few together often, sometimes a
/// story everyone covers (mean about 2.1; 60 % of the articles are in a
/// group).
fn event_size(rng: &mut Rng) -> usize {
    match rng.below(1000) {
        0..=849 => 1,
        850..=964 => 2 + rng.below(4),
        965..=996 => 6 + rng.below(25),
        _ => 31 + rng.below(150),
    }
}

/// Delay of a follow-up after an event's first article: minutes to two
/// days, most within a few hours.
fn delay_seconds(rng: &mut Rng) -> i64 {
    let u = rng.unit().max(1e-9);
    ((-u.ln() * 5.0 * 3600.0) as i64).clamp(120, 48 * 3600)
}

fn local_time(utc_seconds: i64, source: usize) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(SOURCES[source].utc_offset * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    offset
        .timestamp_opt(utc_seconds, 0)
        .single()
        .expect("a time within the year")
}

fn url(i: usize, source: usize, lang: usize, published: &DateTime<FixedOffset>) -> String {
    format!(
        "https://{}/{}/{:04}/{:02}/{:02}/{}",
        SOURCES[source].domain,
        LANGS[lang],
        published.year(),
        published.month(),
        published.day(),
        i
    )
}

fn lang_index(code: &str) -> usize {
    LANGS
        .iter()
        .position(|l| *l == code)
        .unwrap_or(LANGS.len() - 1)
}

/// Upper-cases the first letter written since `start`, the Turkic way for
/// az and tr (i → İ), and not at all in Georgian (its capitals are not used
/// to start sentences).
fn capitalise_at(out: &mut String, start: usize, lang: &str) {
    if lang == "ka" {
        return;
    }
    let Some(first) = out[start..].chars().next() else {
        return;
    };
    if !first.is_lowercase() {
        return;
    }
    let upper: String = match (first, lang) {
        ('i', "az" | "tr") => "İ".to_string(),
        ('ı', "az" | "tr") => "I".to_string(),
        _ => first.to_uppercase().collect(),
    };
    out.replace_range(start..start + first.len_utf8(), &upper);
}

impl Vocabulary {
    fn new(lang: usize, words: Vec<String>, names: &[Name]) -> Vocabulary {
        // Zipf–Mandelbrot: weight of rank r is 1 / (r + 2.7)^1.0.
        let weights: Vec<f64> = (0..words.len()).map(|r| 1.0 / (r as f64 + 2.7)).collect();
        let mut text = String::with_capacity(words.iter().map(String::len).sum());
        let spans = words
            .iter()
            .map(|w| {
                let start = text.len() as u32;
                text.push_str(w);
                (start, text.len() as u32)
            })
            .collect();
        let names_here: Vec<usize> = (0..names.len())
            .filter(|&n| names[n].spellings[lang].is_some())
            .collect();
        let people = names_here
            .iter()
            .copied()
            .filter(|&n| names[n].person)
            .collect();
        let initials = match LANGS[lang] {
            "hy" => "ԱԳԴԵԼՀՄՆՍՎՏՌՔ".chars().collect(),
            "ka" => "აგდევთილმნსტ".chars().collect(),
            "ru" => "АВГДЕИКЛМНОПРСТЮ".chars().collect(),
            _ => "ABCDEFHIKLMNORSTV".chars().collect(),
        };
        Vocabulary {
            zipf: Alias::new(&weights),
            text,
            spans,
            people,
            names: names_here,
            initials,
            lang,
        }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        self.rank(self.zipf.sample(rng))
    }

    /// The word of frequency rank `r`.
    fn rank(&self, r: usize) -> &str {
        let (start, end) = self.spans[r];
        &self.text[start as usize..end as usize]
    }
}

/// The words of `lang`'s Leipzig sample under `dir`, most frequent first
/// (ties in order of first appearance), lowercased, letters of the
/// language's script only.
fn count_words(dir: &Path, lang: &str) -> Result<Vec<String>, CorpusError> {
    let script: fn(char) -> bool = match lang {
        "hy" => |c| matches!(c, '\u{0531}'..='\u{0587}'),
        "ka" => |c| matches!(c, '\u{10D0}'..='\u{10FF}' | '\u{1C90}'..='\u{1CBF}'),
        _ => |c| c.is_alphabetic(),
    };
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    let mut found = false;
    for file in ["sentences.txt", "word-pairs.txt", "single-words.txt"] {
        let path = dir.join(lang).join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        found = true;
        for word in text.split(|c: char| !(script(c) || c == '\u{055B}' || c == '\u{055E}')) {
            let word: String = word
                .chars()
                .filter(|&c| script(c))
                .collect::<String>()
                .to_lowercase();
            if word.chars().count() < 2 {
                continue;
            }
            let next = counts.len();
            counts.entry(word).or_insert((0, next)).0 += 1;
        }
    }
    if !found {
        return Err(CorpusError(format!(
            "no {lang} word sample in {} (the Leipzig samples of ../shared/bench/langid); \
             pass the directory that holds {lang}/sentences.txt",
            dir.display()
        )));
    }
    let mut words: Vec<(String, (usize, usize))> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    Ok(words.into_iter().map(|(w, _)| w).collect())
}

/// The names of `names.txt` with a spelling for each corpus language where
/// the line gives one (see the module docs).
fn parse_names(text: &str) -> Vec<Name> {
    let mut names = Vec::new();
    let mut person = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(section) = line.strip_prefix("## ") {
            person = section.starts_with("People");
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.trim_start_matches('!');
        let spellings: Vec<&str> = line.split('|').map(str::trim).collect();
        let script = |f: fn(char) -> bool| {
            spellings
                .iter()
                .find(|s| s.chars().any(f))
                .map(|s| s.to_string())
        };
        let latin: Vec<&str> = spellings
            .iter()
            .copied()
            .filter(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphabetic() || "əƏıİğĞşŞçÇöÖüÜ'-’".contains(c))
                    && !s.is_empty()
            })
            .collect();
        if latin.is_empty() {
            continue;
        }
        let azeri_letter = |s: &&str| s.chars().any(|c| "əƏıİğĞşŞçÇöÖüÜxXqQ".contains(c));
        let az = latin
            .iter()
            .find(|s| azeri_letter(s))
            .unwrap_or(&latin[0])
            .to_string();
        let tr = latin
            .iter()
            .find(|s| !s.chars().any(|c| "əƏxXqQwW".contains(c)))
            .map(|s| s.to_string())
            .unwrap_or_else(|| {
                az.replace('ə', "e")
                    .replace('Ə', "E")
                    .replace('x', "h")
                    .replace('q', "k")
            });
        let en = latin
            .iter()
            .find(|s| s.is_ascii())
            .map(|s| s.to_string())
            .unwrap_or_else(|| deunicode::deunicode(latin[0]));
        let mut spelled: [Option<String>; 6] = Default::default();
        spelled[lang_index("hy")] = script(|c| matches!(c, '\u{0531}'..='\u{0587}'));
        spelled[lang_index("ka")] = script(|c| matches!(c, '\u{10D0}'..='\u{10FF}'));
        spelled[lang_index("ru")] = script(|c| matches!(c, '\u{0400}'..='\u{04FF}'));
        spelled[lang_index("az")] = Some(az);
        spelled[lang_index("tr")] = Some(tr);
        spelled[lang_index("en")] = Some(en);
        names.push(Name {
            spellings: spelled,
            person,
        });
    }
    names
}

/// Small, fast, deterministic generator (wyrand).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    }

    /// Uniform below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// A seed for item `n` of stream `stream`.
fn mix(seed: u64, stream: u64, n: u64) -> u64 {
    let mut z =
        seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ n.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Walker's alias method: draws an index with the given weights in
/// constant time.
struct Alias {
    /// Per slot: the chance (in 2^-32) that a draw of it keeps it, and the
    /// slot taken otherwise.
    slots: Vec<(u32, u32)>,
}

impl Alias {
    fn new(weights: &[f64]) -> Alias {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut prob: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| prob[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            prob[l] -= 1.0 - prob[s];
            if prob[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in small.into_iter().chain(large) {
            prob[i] = 1.0;
        }
        let slots = prob
            .iter()
            .zip(alias)
            .map(|(p, a)| ((p * 4_294_967_296.0).min(u32::MAX as f64) as u32, a))
            .collect();
        Alias { slots }
    }

    /// One draw: the high half of a random word picks the slot, the low
    /// half decides between it and its alias.
    fn sample(&self, rng: &mut Rng) -> usize {
        let r = rng.next_u64();
        let i = (((r >> 32) * self.slots.len() as u64) >> 32) as usize;
        let (keep, alias) = self.slots[i];
        if (r as u32) < keep {
            i
        } else {
            alias as usize
        }
    }
}

/// Generates articles `range` on `threads` threads, handing each finished
/// chunk of JSON lines to `sink` in order.
pub fn json_lines_parallel(
    corpus: &Corpus,
    range: std::ops::Range<usize>,
    threads: usize,
    mut sink: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    const CHUNK: usize = 2_000;
    let threads = threads.max(1);
    let mut next = range.start;
    while next < range.end {
        let chunks: Vec<std::ops::Range<usize>> = (0..threads)
            .map(|t| {
                let start = (next + t * CHUNK).min(range.end);
                start..(start + CHUNK).min(range.end)
            })
            .collect();
        next = chunks.last().map_or(range.end, |c| c.end);
        let buffers: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|chunk| {
                    let chunk = chunk.clone();
                    scope.spawn(move || {
                        let mut out = Vec::with_capacity(chunk.len() * 6_000);
                        for i in chunk {
                            corpus.article(i).write_json_line(&mut out);
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("generator thread"))
                .collect()
        });
        for buffer in &buffers {
            sink(buffer)?;
        }
    }
    Ok(())
}

/// The UTC day number (0 = 2025-01-01) of `t`.
pub fn day_of_year(t: DateTime<Utc>) -> i64 {
    (t.timestamp() - YEAR_START).div_euclid(86_400)
}

/// First instant of the corpus year.
pub fn year_start() -> DateTime<Utc> {
    Utc.timestamp_opt(YEAR_START, 0).single().expect("valid")
}
