//! Search at a million articles, side by side with SQLite FTS5 and
//! PostgreSQL full-text search on the same corpus (issue 13).
//!
//! Loads the benchmark corpus (`examples/corpus/`, 1,000,000 articles by
//! default) into pressd with `pressd import` (as a desk backfills an
//! archive), into SQLite FTS5 and into PostgreSQL (`examples/peers/`), or
//! reuses the stores an earlier run of this benchmark or of `coverage_bench`
//! left in `--dir`. Then, on the same machine in the same run:
//!
//! - loading: time, articles/s and size on disk of each store;
//! - a fixed mix of queries (`--per-lang` of each kind for each of the six
//!   languages, 240 by default): a common word, a rare word, two words
//!   that must both match, a person's name, a phrase, and a word with a
//!   language filter and a month's date range sorted newest first; every
//!   query asks for the top 20 hits with snippets. pressd runs them through
//!   the library on an index opened once (the peers' terms: an open
//!   connection); the peers run their equivalent SQL. The mix runs once to
//!   warm the caches, then `--rounds` times (3) on pressd and
//!   `--peer-rounds` times (1) on the peers, whose common-word queries take
//!   seconds; p50/p95/p99 are over every timed query;
//! - the same mix on pressd while a daemon on a copy of the index takes
//!   new articles at `--live-rate` a second through `pressd import -`;
//! - `pressd search` as a user runs it: a new process per query, wall
//!   clock from spawn to exit, and the largest resident set of those
//!   processes (`/usr/bin/time`).
//!
//! pressd's query does more than the peers': it also counts every match
//! (the total it shows), looks up the other forms of each word (by its stem
//! in every language of the index) and the cross-script name keys. The peers' queries return the top 20 and
//! nothing else.
//!
//! ```sh
//! cargo build --release --locked --bins --examples
//! target/release/examples/scale_bench [--articles N] [--dir DIR] [--rounds N] [--peer-rounds N]
//!     [--per-lang N] [--live-seconds N] [--live-rate N] [--langid DIR]
//!     [--skip-sqlite] [--skip-postgres] [--rebuild] [--port P]
//!     [--load-only [--skip-pressd]] [--print-mix FILE]
//! ```
//!
//! `--print-mix FILE` writes the `pressd search` arguments of each query of
//! the mix (a JSON array a line) and stops: what comparing two builds' hits
//! query by query needs.
//!
//! `--load-only` builds the stores and stops, so that they can be built on
//! a busy machine and measured later on a quiet one.
//!
//! PostgreSQL is skipped with a notice when `initdb`/`pg_ctl` are not
//! installed. The corpus needs the Leipzig samples of `../shared` (or
//! `--langid DIR`) for its Armenian and Georgian words.

#[path = "corpus/mod.rs"]
mod corpus;
#[path = "peers/mod.rs"]
mod peers;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, Utc};
use corpus::{Corpus, LANGS};
use peers::{load, Fts5, Postgres};
use pressd::index::{Index, SearchRequest, Sort};

type Error = Box<dyn std::error::Error>;

/// Hits asked of every query.
const TOP: usize = 20;

struct Options {
    articles: usize,
    dir: PathBuf,
    rounds: usize,
    /// Timed rounds of the peers, which take seconds on a common word.
    peer_rounds: usize,
    per_lang: usize,
    live_seconds: u64,
    live_rate: usize,
    langid: PathBuf,
    pressd: bool,
    sqlite: bool,
    postgres: bool,
    rebuild: bool,
    /// Build the stores and stop.
    load_only: bool,
    /// Write the mix's `pressd search` arguments here (a JSON array per
    /// query, one a line) and stop, so that two builds' hits can be
    /// compared query by query.
    print_mix: Option<PathBuf>,
    port: u16,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scale_bench: {e}");
            ExitCode::from(1)
        }
    }
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        articles: 1_000_000,
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale-bench"),
        rounds: 3,
        peer_rounds: 1,
        per_lang: 7,
        live_seconds: 60,
        live_rate: 100,
        langid: corpus::default_langid_dir(),
        pressd: true,
        sqlite: true,
        postgres: true,
        rebuild: false,
        load_only: false,
        print_mix: None,
        port: 54_329,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--articles" => o.articles = value()?.replace(['_', ','], "").parse()?,
            "--dir" => o.dir = PathBuf::from(value()?),
            "--rounds" => o.rounds = value()?.parse()?,
            "--peer-rounds" => o.peer_rounds = value()?.parse()?,
            "--per-lang" => o.per_lang = value()?.parse()?,
            "--live-seconds" => o.live_seconds = value()?.parse()?,
            "--live-rate" => o.live_rate = value()?.parse()?,
            "--langid" => o.langid = PathBuf::from(value()?),
            "--port" => o.port = value()?.parse()?,
            "--skip-pressd" => o.pressd = false,
            "--skip-sqlite" => o.sqlite = false,
            "--load-only" => o.load_only = true,
            "--print-mix" => o.print_mix = Some(PathBuf::from(value()?)),
            "--skip-postgres" => o.postgres = false,
            "--rebuild" => o.rebuild = true,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    Ok(o)
}

/// What a query of the mix tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Common,
    Rare,
    And,
    Name,
    Phrase,
    Filtered,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Common,
        Kind::Rare,
        Kind::And,
        Kind::Name,
        Kind::Phrase,
        Kind::Filtered,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::Common => "common word",
            Kind::Rare => "rare word",
            Kind::And => "two words AND",
            Kind::Name => "a person's name",
            Kind::Phrase => "phrase",
            Kind::Filtered => "word + language + month, newest first",
        }
    }
}

/// One query of the mix, as each engine is asked it.
struct Query {
    kind: Kind,
    /// The words (a phrase's in order).
    words: Vec<String>,
    /// Language filter and date range (sorted newest first).
    filter: Option<(&'static str, DateTime<Utc>, DateTime<Utc>)>,
}

impl Query {
    fn phrase(&self) -> bool {
        self.kind == Kind::Phrase
    }

    fn pressd(&self) -> SearchRequest {
        let query = if self.phrase() {
            format!("\"{}\"", self.words.join(" "))
        } else {
            self.words.join(" ")
        };
        let mut request = SearchRequest {
            query,
            limit: TOP,
            ..SearchRequest::default()
        };
        if let Some((lang, since, until)) = self.filter {
            request.langs = vec![lang.to_string()];
            request.since = Some(since);
            request.until = Some(until);
            request.sort = Sort::Newest;
        }
        request
    }

    /// `pressd search` arguments for the same request.
    fn pressd_args(&self) -> Vec<String> {
        let request = self.pressd();
        let mut args = vec![
            "search".to_string(),
            "--limit".into(),
            TOP.to_string(),
            "--format".into(),
            "json".into(),
        ];
        if let Some((lang, since, until)) = self.filter {
            args.extend([
                "--lang".into(),
                lang.into(),
                "--since".into(),
                since.to_rfc3339(),
                "--until".into(),
                until.to_rfc3339(),
                "--sort".into(),
                "newest".into(),
            ]);
        }
        args.push("--".into());
        args.push(request.query);
        args
    }

    /// FTS5 match expression: each word quoted (a bareword such as `OR`
    /// or one with a hyphen would be syntax), a phrase quoted whole.
    fn fts5(&self) -> String {
        let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
        if self.phrase() {
            quote(&self.words.join(" "))
        } else {
            self.words
                .iter()
                .map(|w| quote(w))
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

fn run() -> Result<(), Error> {
    let o = options()?;
    let bin = load::pressd_binary()?;
    let corpus = Corpus::new(o.articles, &o.langid)?;
    if let Some(path) = &o.print_mix {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for q in query_mix(&corpus, o.per_lang) {
            writeln!(out, "{}", serde_json::to_string(&q.pressd_args())?)?;
        }
        out.flush()?;
        return Ok(());
    }
    std::fs::create_dir_all(&o.dir)?;
    println!(
        "corpus: {} articles; stores in {}",
        corpus.len(),
        o.dir.display()
    );

    // Every store first, so that `--load-only` can build them on a busy
    // machine and a later run measure on a quiet one.
    let pressd_store = if o.pressd {
        Some(load::pressd(&corpus, &o.dir, &bin, o.rebuild)?)
    } else {
        None
    };
    let fts5 = if o.sqlite {
        Some(load::fts5(&corpus, &o.dir, o.rebuild)?)
    } else {
        None
    };
    let mut server = None;
    let mut pg = None;
    if o.postgres {
        match Postgres::start(&o.dir.join("postgres"), o.port) {
            Ok(started) => {
                pg = Some(load::postgres(&corpus, &started, &o.dir, o.rebuild)?);
                server = Some(started);
            }
            Err(e @ peers::PgUnavailable::NotInstalled) => println!("postgres: skipped: {e}"),
            Err(e) => return Err(e.to_string().into()),
        }
    }
    if o.load_only {
        return Ok(());
    }
    let Some((config, pressd_load)) = pressd_store else {
        return Err("--skip-pressd goes with --load-only: the figures are pressd's".into());
    };

    let mix = query_mix(&corpus, o.per_lang);
    println!(
        "query mix: {} queries ({} of each kind per language), top {TOP} with snippets",
        mix.len(),
        o.per_lang
    );
    let index_dir = o.dir.join("pressd").join("index");
    let pressd_bytes = peers::disk_size(&index_dir);
    let pressd_times = {
        let index = Index::open_read(&index_dir)?;
        time_mix(&mix, o.rounds, |q| {
            Ok(index.search(&q.pressd())?.hits.len())
        })?
    };
    report_latency("pressd (library, index open)", &pressd_times);

    let process = search_processes(&bin, &config, &mix)?;
    report_latency("pressd search (a new process per query)", &process.times);
    println!(
        "pressd search: largest resident set {:.1} MB",
        process.max_rss as f64 / 1e6
    );

    let fts5 = match fts5 {
        Some((db, loaded)) => {
            let times = time_mix(&mix, o.peer_rounds, |q| fts5_search(&db, q))?;
            report_latency("SQLite FTS5", &times);
            Some((times, loaded, peers::disk_size(&db.path)))
        }
        None => None,
    };
    let pg = match pg {
        Some((mut client, loaded)) => {
            let bytes = Postgres::size(&mut client)?;
            let times = time_mix(&mix, o.peer_rounds, |q| pg_search(&mut client, q))?;
            report_latency("PostgreSQL", &times);
            Some((times, loaded, bytes))
        }
        None => None,
    };
    drop(server);

    // Last: it competes with the daemon for the cores.
    let live = live(&o, &bin, &corpus, &mix)?;
    report_latency(
        &format!("pressd (library) while a daemon indexes {}/s", o.live_rate),
        &live.times,
    );

    summary(&Summary {
        articles: corpus.len(),
        rounds: o.rounds,
        peer_rounds: o.peer_rounds,
        pressd: (&pressd_times, pressd_load, pressd_bytes),
        fts5: fts5.as_ref().map(|(t, l, b)| (t, *l, *b)),
        pg: pg.as_ref().map(|(t, l, b)| (t, *l, *b)),
        process: &process,
        live: &live,
        live_rate: o.live_rate,
    });
    Ok(())
}

/// The mix: for each language, `per_lang` queries of each [`Kind`], drawn
/// from the corpus's vocabulary, names and titles by a fixed rule.
fn query_mix(corpus: &Corpus, per_lang: usize) -> Vec<Query> {
    let mut rng = corpus::Rng::new(0x9e37_2026);
    let year = corpus::year_start();
    let mut mix = Vec::new();
    for lang in LANGS {
        let people: Vec<&str> = (0..corpus.name_count())
            .filter_map(|n| corpus.name(n, lang))
            .filter(|(_, person)| *person)
            .map(|(spelling, _)| spelling)
            .collect();
        let word = |rank: usize| corpus.word(lang, rank).to_string();
        for n in 0..per_lang {
            for kind in Kind::ALL {
                let query = match kind {
                    // The top of the list: words in most articles.
                    Kind::Common => Query {
                        kind,
                        words: vec![word(3 + 5 * n)],
                        filter: None,
                    },
                    Kind::Rare => Query {
                        kind,
                        words: vec![word(3_000 + rng.below(3_000))],
                        filter: None,
                    },
                    Kind::And => Query {
                        kind,
                        words: vec![word(50 + rng.below(500)), word(50 + rng.below(500))],
                        filter: None,
                    },
                    Kind::Name => Query {
                        kind,
                        words: people
                            .get(rng.below(people.len().max(1)))
                            .map(|p| p.split_whitespace().map(str::to_string).collect())
                            .unwrap_or_else(|| vec![word(100)]),
                        filter: None,
                    },
                    // Two neighbouring words of a title of this language.
                    Kind::Phrase => Query {
                        kind,
                        words: title_words(corpus, lang, &mut rng),
                        filter: None,
                    },
                    Kind::Filtered => {
                        let month = rng.below(12) as i64;
                        let since = year + Days::days(month * 30);
                        Query {
                            kind,
                            words: vec![word(20 + rng.below(200))],
                            filter: Some((lang, since, since + Days::days(30))),
                        }
                    }
                };
                mix.push(query);
            }
        }
    }
    mix
}

/// Two neighbouring words of the title of some article in `lang`.
fn title_words(corpus: &Corpus, lang: &str, rng: &mut corpus::Rng) -> Vec<String> {
    loop {
        let article = corpus.article(rng.below(corpus.len()));
        if article.lang != lang {
            continue;
        }
        // Whole words only: a word with a mark inside (Armenian `ի՞նչ`)
        // is one word to pressd and two to FTS5's tokenizer.
        let words: Vec<&str> = article
            .title
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric))
            .collect();
        if words.len() >= 2 {
            let at = rng.below(words.len() - 1);
            return vec![words[at].to_string(), words[at + 1].to_string()];
        }
    }
}

/// Every query's time in each timed round, after one round to warm up.
struct Times {
    /// (kind, time) of each timed query.
    all: Vec<(Kind, Duration)>,
    hits: usize,
}

fn time_mix(
    mix: &[Query],
    rounds: usize,
    mut search: impl FnMut(&Query) -> Result<usize, Error>,
) -> Result<Times, Error> {
    for q in mix {
        search(q)?;
    }
    let mut all = Vec::with_capacity(mix.len() * rounds);
    let mut hits = 0;
    for _ in 0..rounds.max(1) {
        for q in mix {
            let started = Instant::now();
            hits += search(q)?;
            all.push((q.kind, started.elapsed()));
        }
    }
    Ok(Times { all, hits })
}

/// The `p`th percentile (0–100) of `times`, nearest rank.
fn percentile(times: &[Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = times.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn of_kind(times: &Times, kind: Option<Kind>) -> Vec<Duration> {
    times
        .all
        .iter()
        .filter(|(k, _)| kind.is_none_or(|kind| *k == kind))
        .map(|(_, t)| *t)
        .collect()
}

fn ms(t: Duration) -> f64 {
    t.as_secs_f64() * 1e3
}

fn report_latency(what: &str, times: &Times) {
    let all = of_kind(times, None);
    eprintln!(
        "{what}: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms over {} queries ({} hits)",
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 95.0)),
        ms(percentile(&all, 99.0)),
        all.len(),
        times.hits
    );
}

fn fts5_search(db: &Fts5, q: &Query) -> Result<usize, Error> {
    let mut hits = 0;
    let mut count = |rows: &mut rusqlite::Rows| -> Result<(), Error> {
        while let Some(row) = rows.next()? {
            let snippet: String = row.get(2)?;
            hits += usize::from(!snippet.is_empty());
        }
        Ok(())
    };
    match q.filter {
        None => {
            let mut statement = db.conn.prepare_cached(
                "SELECT d.url, d.title, snippet(docs_fts, 1, '**', '**', '…', 24)
                 FROM docs_fts JOIN docs d ON d.id = docs_fts.rowid
                 WHERE docs_fts MATCH ?1 ORDER BY rank LIMIT 20",
            )?;
            count(&mut statement.query([q.fts5()])?)?;
        }
        Some((lang, since, until)) => {
            let mut statement = db.conn.prepare_cached(
                "SELECT d.url, d.title, snippet(docs_fts, 1, '**', '**', '…', 24)
                 FROM docs_fts JOIN docs d ON d.id = docs_fts.rowid
                 WHERE docs_fts MATCH ?1 AND d.lang = ?2 AND d.published BETWEEN ?3 AND ?4
                 ORDER BY d.published DESC LIMIT 20",
            )?;
            count(&mut statement.query(rusqlite::params![
                q.fts5(),
                lang,
                since.timestamp(),
                until.timestamp()
            ])?)?;
        }
    }
    Ok(hits)
}

fn pg_search(client: &mut postgres::Client, q: &Query) -> Result<usize, Error> {
    let text = q.words.join(" ");
    let to_query = if q.phrase() {
        "phraseto_tsquery"
    } else {
        "plainto_tsquery"
    };
    // The headline only for the 20 rows kept: ts_headline parses the body.
    let rows = match q.filter {
        None => client.query(
            &format!(
                "SELECT url, title, ts_headline('simple', body, q) FROM (
                     SELECT url, title, body, q FROM docs, {to_query}('simple', $1) q
                     WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20) top"
            ),
            &[&text],
        )?,
        Some((lang, since, until)) => client.query(
            &format!(
                "SELECT url, title, ts_headline('simple', body, q) FROM (
                     SELECT url, title, body, published, q FROM docs, {to_query}('simple', $1) q
                     WHERE tsv @@ q AND lang = $2 AND published BETWEEN $3 AND $4
                     ORDER BY published DESC LIMIT 20) top"
            ),
            &[
                &text,
                &lang,
                &std::time::SystemTime::from(since),
                &std::time::SystemTime::from(until),
            ],
        )?,
    };
    Ok(rows.len())
}

/// `pressd search` processes: wall clock of each, and the largest resident
/// set any reached.
struct Processes {
    times: Times,
    max_rss: u64,
}

fn search_processes(bin: &Path, config: &Path, mix: &[Query]) -> Result<Processes, Error> {
    let run = |q: &Query| -> Result<usize, Error> {
        let out = Command::new(bin)
            .arg("--config")
            .arg(config)
            .args(q.pressd_args())
            .stdin(Stdio::null())
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "pressd search {:?} failed: {}",
                q.pressd().query,
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let found: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        Ok(found["hits"].as_array().map_or(0, Vec::len))
    };
    let times = time_mix(mix, 1, run)?;
    // Resident set: the same processes under GNU time, apart, so that its
    // own start does not count in the wall clock above.
    let mut max_rss = 0u64;
    let rss_file = std::env::temp_dir().join(format!("scale_bench_rss_{}", std::process::id()));
    for q in mix.iter().step_by(6) {
        let status = Command::new("/usr/bin/time")
            .args(["-f", "%M", "-o"])
            .arg(&rss_file)
            .arg(bin)
            .arg("--config")
            .arg(config)
            .args(q.pressd_args())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => {
                let kb: u64 = std::fs::read_to_string(&rss_file)?.trim().parse()?;
                max_rss = max_rss.max(kb * 1024);
            }
            Ok(s) => return Err(format!("/usr/bin/time pressd search: {s}").into()),
            Err(e) => {
                println!("pressd search: resident set not measured: /usr/bin/time: {e}");
                break;
            }
        }
    }
    let _ = std::fs::remove_file(&rss_file);
    Ok(Processes { times, max_rss })
}

/// The mix on pressd while a daemon indexes new articles.
struct Live {
    times: Times,
    sent: usize,
    indexed: u64,
}

/// Copies the index and state to `live/`, starts `pressd run` on the copy,
/// feeds it articles past the corpus's end at `live_rate` a second through
/// `pressd import -` (which hands them to the running daemon), and runs
/// the mix through the library on the copy meanwhile.
fn live(o: &Options, bin: &Path, corpus: &Corpus, mix: &[Query]) -> Result<Live, Error> {
    let live_dir = o.dir.join("live");
    let _ = std::fs::remove_dir_all(&live_dir);
    std::fs::create_dir_all(&live_dir)?;
    let copy = Command::new("cp")
        .arg("-a")
        .arg(o.dir.join("pressd/index"))
        .arg(o.dir.join("pressd/state"))
        .arg(&live_dir)
        .status()?;
    if !copy.success() {
        return Err("cannot copy the pressd store for the live run".into());
    }
    let config = live_dir.join("pressd.toml");
    std::fs::write(
        &config,
        "index_dir = \"index\"\nstate_dir = \"state\"\n\
         languages = [\"hy\", \"az\", \"ru\", \"ka\", \"tr\", \"en\", \"fa\", \"uk\"]\n\
         [pipeline]\ncommit_interval = \"1s\"\n",
    )?;
    let mut daemon = Command::new(bin)
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let result = live_with(o, bin, corpus, mix, &config, &live_dir);
    stop(&mut daemon);
    let _ = std::fs::remove_dir_all(&live_dir);
    result
}

fn live_with(
    o: &Options,
    bin: &Path,
    corpus: &Corpus,
    mix: &[Query],
    config: &Path,
    live_dir: &Path,
) -> Result<Live, Error> {
    // Wait until the daemon holds the index (its writer lock).
    std::thread::sleep(Duration::from_secs(3));
    let index = Index::open_read(&live_dir.join("index"))?;
    let before = index.num_docs()?;
    let extra = (o.live_seconds as usize + 30) * o.live_rate;
    let more = Corpus::new(corpus.len() + extra, &o.langid)?;
    let mut import = Command::new(bin)
        .arg("--config")
        .arg(config)
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = import.stdin.take().ok_or("no stdin for pressd import")?;
    let stop_feeding = std::sync::atomic::AtomicBool::new(false);
    let (times, sent) = std::thread::scope(|scope| -> Result<(Times, usize), Error> {
        let (stop_feeding, more) = (&stop_feeding, &more);
        // The feeder owns the pipe: when it ends, the pipe closes and the
        // import ends with it.
        let feeder = scope.spawn(move || -> usize {
            let started = Instant::now();
            let mut sent = 0;
            let mut line = Vec::new();
            while !stop_feeding.load(std::sync::atomic::Ordering::Relaxed) && sent < extra {
                let due = (started.elapsed().as_secs_f64() * o.live_rate as f64) as usize;
                while sent < due.min(extra) {
                    line.clear();
                    more.article(corpus.len() + sent).write_json_line(&mut line);
                    if stdin.write_all(&line).is_err() {
                        return sent;
                    }
                    sent += 1;
                }
                let _ = stdin.flush();
                std::thread::sleep(Duration::from_millis(20));
            }
            sent
        });
        // Let the stream settle before timing.
        std::thread::sleep(Duration::from_secs(5));
        let started = Instant::now();
        let mut times = Times {
            all: Vec::new(),
            hits: 0,
        };
        while started.elapsed() < Duration::from_secs(o.live_seconds) {
            let round = time_mix(mix, 1, |q| Ok(index.search(&q.pressd())?.hits.len()))?;
            times.all.extend(round.all);
            times.hits += round.hits;
        }
        stop_feeding.store(true, std::sync::atomic::Ordering::Relaxed);
        let sent = feeder.join().map_err(|_| "feeder thread panicked")?;
        Ok((times, sent))
    })?;
    let _ = import.wait();
    let indexed = index.num_docs()?.saturating_sub(before);
    Ok(Live {
        times,
        sent,
        indexed,
    })
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

struct Summary<'a> {
    articles: usize,
    rounds: usize,
    peer_rounds: usize,
    pressd: (&'a Times, Option<load::Load>, u64),
    fts5: Option<(&'a Times, Option<load::Load>, u64)>,
    pg: Option<(&'a Times, Option<load::Load>, u64)>,
    process: &'a Processes,
    live: &'a Live,
    live_rate: usize,
}

fn summary(s: &Summary) {
    let gb = |b: u64| b as f64 / 1e9;
    println!("\n{} articles; loading and size on disk\n", s.articles);
    println!("| store | load time | articles/s | size on disk | size ÷ FTS5 |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let fts5_bytes = s.fts5.map(|(_, _, b)| b);
    let row = |name: &str, load: Option<load::Load>, bytes: u64| {
        let (took, rate) = match load {
            Some(l) => (
                format!("{:.0} s", l.took.as_secs_f64()),
                format!("{:.0}", l.per_second()),
            ),
            None => ("(reused)".into(), "–".into()),
        };
        let ratio = fts5_bytes
            .filter(|b| *b > 0)
            .map_or("–".into(), |f| format!("{:.2}×", bytes as f64 / f as f64));
        println!(
            "| {name} | {took} | {rate} | {:.2} GB | {ratio} |",
            gb(bytes)
        );
    };
    row("pressd (`pressd import`)", s.pressd.1, s.pressd.2);
    if let Some((_, load, bytes)) = s.fts5 {
        row("SQLite FTS5", load, bytes);
    }
    if let Some((_, load, bytes)) = s.pg {
        row("PostgreSQL", load, bytes);
    }

    println!(
        "\nquery latency, top {TOP} with snippets, warm cache, {} rounds of the mix on \
         pressd, {} on the peers (ms: p50 / p95 / p99)\n",
        s.rounds, s.peer_rounds
    );
    let cell = |t: &Times, kind: Option<Kind>| {
        let d = of_kind(t, kind);
        format!(
            "{:.1} / {:.1} / {:.1}",
            ms(percentile(&d, 50.0)),
            ms(percentile(&d, 95.0)),
            ms(percentile(&d, 99.0))
        )
    };
    let ratio = |peer: Option<&Times>, kind: Option<Kind>| {
        peer.map_or("–".into(), |p| {
            let ours = percentile(&of_kind(s.pressd.0, kind), 50.0).as_secs_f64();
            let theirs = percentile(&of_kind(p, kind), 50.0).as_secs_f64();
            format!("{:.1}×", theirs / ours.max(1e-9))
        })
    };
    println!(
        "| queries | pressd | pressd while indexing {}/s | SQLite FTS5 | PostgreSQL \
         | p50 FTS5 ÷ pressd | p50 PostgreSQL ÷ pressd |",
        s.live_rate
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let kinds = std::iter::once(None).chain(Kind::ALL.into_iter().map(Some));
    for kind in kinds {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            kind.map_or("all", Kind::label),
            cell(s.pressd.0, kind),
            cell(&s.live.times, kind),
            s.fts5.map_or("–".into(), |(t, _, _)| cell(t, kind)),
            s.pg.map_or("–".into(), |(t, _, _)| cell(t, kind)),
            ratio(s.fts5.map(|(t, _, _)| t), kind),
            ratio(s.pg.map(|(t, _, _)| t), kind),
        );
    }
    let process = of_kind(&s.process.times, None);
    println!(
        "\n`pressd search` as a user runs it (a new process per query, {} queries): \
         p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; largest resident set {:.1} MB",
        process.len(),
        ms(percentile(&process, 50.0)),
        ms(percentile(&process, 95.0)),
        ms(percentile(&process, 99.0)),
        s.process.max_rss as f64 / 1e6
    );
    println!(
        "while indexing: {} articles fed to the daemon through `pressd import -`, {} indexed \
         during the run",
        s.live.sent, s.live.indexed
    );
}
