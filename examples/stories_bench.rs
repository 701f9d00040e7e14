//! Stories and copies (issue 14): how well pressd groups a labelled world
//! of coverage into stories and finds copies, and what it costs.
//!
//! The world (`examples/stories_world/`) is built from a seed: events in
//! az, hy, ru, ka, tr and en with translated reports sharing names and
//! figures, agency texts syndicated and rewritten, and look-alike traps
//! (the same people at another event within days, other news from the
//! same place, the same festival a year later).
//!
//! Quality: the articles go, in publication order and in batches as the
//! index writer hands them over, through the story assigner of the library
//! (`pressd::stories::Stories`) on a fresh state store; then pairwise
//! precision, recall and F1 of stories (pairs within a language, pairs
//! across languages), B-cubed F1, the same of copies, whether each copy
//! points at the earliest version, and how many stories mix events.
//!
//! End to end (`--through import`): the same scores, but each world goes
//! as JSON lines through the real `pressd import` (its batches, its name
//! words, its language tags with `--detect-lang`), and each article's
//! story and copied URL are read back from `pressd search '*' --format
//! json`, as a user's script would; `pressd stories --format json` must
//! count the same stories and articles. `--order` is the order of the
//! lines: `time` (publication order), `outlet` (each outlet's articles
//! together, an archive per outlet) or `shuffled`.
//!
//! Cost (`--import`): the world's articles (`--import-events` events) as
//! JSON lines through the real `pressd import`, with stories on and off
//! (`[pipeline] stories`), alternating, into fresh directories; wall time,
//! articles/s and peak resident memory of the pressd process.
//!
//! ```sh
//! cargo build --release --locked --bin pressd --example stories_bench
//! target/release/examples/stories_bench [--events N] [--seed S] [--worlds K]
//!     [--background P] [--import] [--import-events N] [--runs R] [--pressd PATH] [--verbose]
//!     [--support X] [--cover X] [--merge X] [--copy-resemblance X] [--copy-cross X]
//!     [--cap N] [--typical X] [--full-support X] [--shared-same N] [--shared-other N]
//!     [--through library|import] [--order time|outlet|shuffled] [--detect-lang]
//! ```

#[path = "proc_status/mod.rs"]
mod proc_status;
#[path = "stories_world/mod.rs"]
mod stories_world;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pressd::article::Article;
use pressd::item::ItemKind;
use pressd::state::State;
use pressd::stories::{Settings, Stories};
use stories_world::{Shape, LANGS};

type Error = Box<dyn std::error::Error>;

struct Options {
    events: usize,
    seed: u64,
    worlds: usize,
    /// Paragraphs of background in each article (`Shape::background`).
    background: usize,
    import: bool,
    import_events: usize,
    runs: usize,
    pressd: PathBuf,
    verbose: bool,
    settings: Settings,
    /// Through the real `pressd import` (and its JSON output) instead of
    /// the library.
    through_import: bool,
    order: Order,
    detect_lang: bool,
}

/// The order of a world's lines for `--through import`.
#[derive(Clone, Copy)]
enum Order {
    Time,
    Outlet,
    Shuffled,
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        events: 300,
        seed: 14,
        worlds: 3,
        background: 0,
        import: false,
        import_events: 3_000,
        runs: 2,
        pressd: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/pressd"),
        verbose: false,
        settings: Settings::default(),
        through_import: false,
        order: Order::Time,
        detect_lang: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--events" => o.events = value()?.parse()?,
            "--seed" => o.seed = value()?.parse()?,
            "--worlds" => o.worlds = value()?.parse()?,
            "--background" => o.background = value()?.parse()?,
            "--import" => o.import = true,
            "--import-events" => o.import_events = value()?.parse()?,
            "--runs" => o.runs = value()?.parse()?,
            "--pressd" => o.pressd = PathBuf::from(value()?),
            "--verbose" => o.verbose = true,
            "--through" => {
                o.through_import = match value()?.as_str() {
                    "library" => false,
                    "import" => true,
                    other => return Err(format!("--through {other}: library or import").into()),
                }
            }
            "--order" => {
                o.order = match value()?.as_str() {
                    "time" => Order::Time,
                    "outlet" => Order::Outlet,
                    "shuffled" => Order::Shuffled,
                    other => {
                        return Err(format!("--order {other}: time, outlet or shuffled").into())
                    }
                }
            }
            "--detect-lang" => o.detect_lang = true,
            // Other thresholds than pressd's, to see how they trade.
            "--support" => o.settings.thresholds.support = value()?.parse()?,
            "--cover" => o.settings.thresholds.cover = value()?.parse()?,
            "--merge" => o.settings.thresholds.merge = value()?.parse()?,
            "--copy-resemblance" => o.settings.copy_resemblance = value()?.parse()?,
            "--copy-cross" => o.settings.copy_cross = value()?.parse()?,
            "--cap" => o.settings.postings_cap = value()?.parse()?,
            "--typical" => o.settings.thresholds.typical = value()?.parse()?,
            "--full-support" => o.settings.thresholds.full_support = value()?.parse()?,
            "--shared-same" => o.settings.thresholds.shared_same_lang = value()?.parse()?,
            "--shared-other" => o.settings.thresholds.shared_other_lang = value()?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stories_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Error> {
    let o = options()?;
    let mut total = Scores::default();
    for w in 0..o.worlds {
        let seed = o.seed + w as u64;
        let world = stories_world::build(&Shape {
            events: o.events,
            seed,
            days: 30,
            background: o.background,
        });
        let (predicted, elapsed) = if o.through_import {
            through_import(&world, &o)?
        } else {
            assign(&world, o.settings)?
        };
        let scores = score(&world, &predicted, o.verbose);
        println!(
            "world seed {seed}: {} articles, {} events; assigned in {:.2} s ({:.0} µs/article)",
            world.len(),
            world.iter().map(|a| a.event).max().map_or(0, |m| m + 1),
            elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1e6 / world.len() as f64
        );
        scores.print("  ");
        total.add(&scores);
    }
    if o.worlds > 1 {
        println!("all {} worlds:", o.worlds);
        total.print("  ");
    }
    if o.import {
        import_cost(&o)?;
    }
    Ok(())
}

/// Each article's predicted story and copied URL.
struct Predicted {
    story: Vec<u64>,
    copy_of: Vec<Option<String>>,
}

fn assign(
    world: &[stories_world::Article],
    settings: Settings,
) -> Result<(Predicted, Duration), Error> {
    let dir = tempfile::tempdir()?;
    let state = Arc::new(State::open(dir.path())?);
    let mut stories = Stories::open(state.clone(), settings)?;
    let started = Instant::now();
    // The writer's batches: a flush per commit.
    let mut flushing = Duration::ZERO;
    for batch in world.chunks(200) {
        for a in batch {
            stories.assign(&Article {
                id: a.url.clone(),
                url: a.url.clone(),
                source: a.source.clone(),
                lang: a.lang.to_string(),
                title: a.title.clone(),
                body: a.body.clone(),
                published: Some(a.published),
                fetched: a.published,
                authors: Vec::new(),
                kind: ItemKind::Article,
            })?;
        }
        let flush = Instant::now();
        stories.flush()?;
        flushing += flush.elapsed();
    }
    let elapsed = started.elapsed();
    eprintln!(
        "of which storing: {:.0} µs/article",
        flushing.as_secs_f64() * 1e6 / world.len() as f64
    );
    let signing = Instant::now();
    let mut signer = pressd::stories::signature::Signer::new();
    for a in world {
        std::hint::black_box(signer.sign(&a.title, &a.body));
    }
    eprintln!(
        "signatures alone: {:.0} µs/article",
        signing.elapsed().as_secs_f64() * 1e6 / world.len() as f64
    );
    let ids: Vec<&str> = world.iter().map(|a| a.url.as_str()).collect();
    let found = state.stories_of(&ids)?;
    let mut story = Vec::with_capacity(world.len());
    let mut copy_of = Vec::with_capacity(world.len());
    for a in world {
        let (s, d) = found
            .get(&a.url)
            .cloned()
            .ok_or_else(|| format!("{} has no story", a.url))?;
        story.push(s);
        copy_of.push(d);
    }
    Ok((Predicted { story, copy_of }, elapsed))
}

/// The pressd binary the import runs use, or how to build it.
fn require_pressd(o: &Options) -> Result<(), Error> {
    if o.pressd.exists() {
        return Ok(());
    }
    Err(format!(
        "{} not found: cargo build --release --locked --bin pressd",
        o.pressd.display()
    )
    .into())
}

/// `articles` as `pressd import`'s JSON lines at `file`, each with its
/// language when `with_lang` (otherwise pressd tags it).
fn write_lines<'a>(
    file: &Path,
    articles: impl IntoIterator<Item = &'a stories_world::Article>,
    with_lang: bool,
) -> Result<(), Error> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    for a in articles {
        let mut line = serde_json::json!({
            "url": a.url, "title": a.title, "body": a.body,
            "source": a.source, "published": a.published.to_rfc3339(),
        });
        if with_lang {
            line["lang"] = a.lang.into();
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// A config in `dir` with its index and state there, the worlds'
/// languages, and `[pipeline] stories` as asked.
fn write_config(dir: &Path, stories: bool) -> Result<PathBuf, Error> {
    let config = dir.join("pressd.toml");
    std::fs::write(
        &config,
        format!(
            "index_dir = \"index\"\nstate_dir = \"state\"\n\
             languages = [\"hy\", \"az\", \"ru\", \"en\", \"tr\", \"ka\"]\n\n\
             [pipeline]\nstories = {stories}\n"
        ),
    )?;
    Ok(config)
}

/// `world` through the real `pressd import` in `o.order`, each article's
/// story and copied URL read back from `pressd search '*' --format json`;
/// checked against `pressd stories --format json`.
fn through_import(
    world: &[stories_world::Article],
    o: &Options,
) -> Result<(Predicted, Duration), Error> {
    require_pressd(o)?;
    let mut order: Vec<usize> = (0..world.len()).collect();
    match o.order {
        Order::Time => order.sort_by_key(|&i| world[i].published),
        Order::Outlet => order.sort_by(|&a, &b| {
            (&world[a].source, world[a].published).cmp(&(&world[b].source, world[b].published))
        }),
        Order::Shuffled => {
            let mut rng = stories_world::Rng::new(o.seed ^ 0x5eed);
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
        }
    }
    let tmp = tempfile::tempdir()?;
    let file = tmp.path().join("world.jsonl");
    write_lines(&file, order.iter().map(|&i| &world[i]), !o.detect_lang)?;
    let config = write_config(tmp.path(), true)?;
    let pressd = |args: &[&str]| -> Result<Vec<u8>, Error> {
        let out = Command::new(&o.pressd)
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("RUST_LOG", "warn")
            .stderr(Stdio::inherit())
            .output()?;
        if !out.status.success() {
            return Err(format!("pressd {} failed: {}", args.join(" "), out.status).into());
        }
        Ok(out.stdout)
    };
    let started = Instant::now();
    pressd(&["import", &file.to_string_lossy()])?;
    let elapsed = started.elapsed();
    let limit = (world.len() + 1).to_string();
    let found: serde_json::Value = serde_json::from_slice(&pressd(&[
        "search", "*", "--format", "json", "--limit", &limit,
    ])?)?;
    let hits = found["hits"]
        .as_array()
        .ok_or("search output has no hits")?;
    // Story ids as the JSON gives them, numbered here for the scores.
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut by_url: HashMap<&str, (u64, Option<String>)> = HashMap::new();
    for h in hits {
        let url = h["url"].as_str().ok_or("a hit without url")?;
        let story = h["story"].to_string();
        if story == "null" {
            return Err(format!("{url} has no story").into());
        }
        let next = ids.len() as u64;
        let id = *ids.entry(story).or_insert(next);
        let copy = h["duplicate_of"].as_str().map(str::to_string);
        by_url.insert(url, (id, copy));
    }
    let listed: serde_json::Value = serde_json::from_slice(&pressd(&[
        "stories",
        "--format",
        "json",
        "--min-articles",
        "1",
        "--limit",
        &limit,
    ])?)?;
    let stories = listed["stories"]
        .as_array()
        .ok_or("stories output has no stories")?;
    let articles: u64 = stories.iter().filter_map(|s| s["articles"].as_u64()).sum();
    if stories.len() != ids.len() || articles != world.len() as u64 {
        return Err(format!(
            "`pressd stories` lists {} stories of {articles} articles; search found {} stories of {} articles",
            stories.len(),
            ids.len(),
            world.len()
        )
        .into());
    }
    let mut story = Vec::with_capacity(world.len());
    let mut copy_of = Vec::with_capacity(world.len());
    for a in world {
        let (s, d) = by_url
            .get(a.url.as_str())
            .cloned()
            .ok_or_else(|| format!("{} is not in the index", a.url))?;
        story.push(s);
        copy_of.push(d);
    }
    Ok((Predicted { story, copy_of }, elapsed))
}

#[derive(Default, Clone, Copy)]
struct Pairs {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Pairs {
    fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            _ => {}
        }
    }
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
    fn merge(&mut self, o: &Pairs) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

#[derive(Default)]
struct Scores {
    within: Pairs,
    across: Pairs,
    copies: Pairs,
    /// Sums of per-article B-cubed precision and recall, and articles.
    bcubed: (f64, f64, u64),
    copies_pointing_right: (u64, u64),
    /// Predicted stories holding more than one event.
    mixed: (u64,),
    stories: u64,
}

impl Scores {
    fn add(&mut self, o: &Scores) {
        self.within.merge(&o.within);
        self.across.merge(&o.across);
        self.copies.merge(&o.copies);
        self.bcubed.0 += o.bcubed.0;
        self.bcubed.1 += o.bcubed.1;
        self.bcubed.2 += o.bcubed.2;
        self.copies_pointing_right.0 += o.copies_pointing_right.0;
        self.copies_pointing_right.1 += o.copies_pointing_right.1;
        self.mixed.0 += o.mixed.0;
        self.stories += o.stories;
    }

    fn print(&self, indent: &str) {
        let line = |name: &str, p: &Pairs| {
            let (pr, r, f) = p.prf();
            println!(
                "{indent}{name:<28} P {pr:.3}  R {r:.3}  F1 {f:.3}   (tp {}, fp {}, fn {})",
                p.tp, p.fp, p.fn_
            );
        };
        line("stories, within a language", &self.within);
        line("stories, across languages", &self.across);
        let mut all = self.within;
        all.merge(&self.across);
        line("stories, all pairs", &all);
        let n = self.bcubed.2.max(1) as f64;
        let (bp, br) = (self.bcubed.0 / n, self.bcubed.1 / n);
        println!(
            "{indent}{:<28} P {bp:.3}  R {br:.3}  F1 {:.3}",
            "stories, B-cubed",
            2.0 * bp * br / (bp + br).max(1e-9)
        );
        line("copies (same copy group)", &self.copies);
        println!(
            "{indent}{:<28} {} of {} point at the earliest version",
            "copies, duplicate_of", self.copies_pointing_right.0, self.copies_pointing_right.1
        );
        println!(
            "{indent}{:<28} {} of {} predicted stories mix events",
            "merged events", self.mixed.0, self.stories
        );
    }
}

fn score(world: &[stories_world::Article], p: &Predicted, verbose: bool) -> Scores {
    let mut s = Scores::default();
    let root = |i: usize| {
        world[i]
            .copy_of
            .clone()
            .unwrap_or_else(|| world[i].url.clone())
    };
    let predicted_root = |i: usize| p.copy_of[i].clone().unwrap_or_else(|| world[i].url.clone());
    for i in 0..world.len() {
        for j in i + 1..world.len() {
            let truth = world[i].event == world[j].event;
            let predicted = p.story[i] == p.story[j];
            if world[i].lang == world[j].lang {
                s.within.add(truth, predicted);
                s.copies
                    .add(root(i) == root(j), predicted_root(i) == predicted_root(j));
            } else {
                s.across.add(truth, predicted);
            }
            if verbose && truth != predicted && (world[i].lang != world[j].lang || !truth) {
                eprintln!(
                    "{} event {} {} story {} | {} event {} {} story {}: {}",
                    world[i].lang,
                    world[i].event,
                    world[i].title,
                    p.story[i],
                    world[j].lang,
                    world[j].event,
                    world[j].title,
                    p.story[j],
                    if truth { "missed" } else { "wrongly joined" }
                );
            }
        }
    }
    let mut by_event: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut by_story: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, a) in world.iter().enumerate() {
        by_event.entry(a.event).or_default().push(i);
        by_story.entry(p.story[i]).or_default().push(i);
    }
    for i in 0..world.len() {
        let truth = &by_event[&world[i].event];
        let predicted = &by_story[&p.story[i]];
        let both = predicted
            .iter()
            .filter(|j| world[**j].event == world[i].event)
            .count() as f64;
        s.bcubed.0 += both / predicted.len() as f64;
        s.bcubed.1 += both / truth.len() as f64;
        s.bcubed.2 += 1;
        if let Some(truth) = &world[i].copy_of {
            s.copies_pointing_right.1 += 1;
            if p.copy_of[i].as_ref() == Some(truth) {
                s.copies_pointing_right.0 += 1;
            }
        }
    }
    s.stories = by_story.len() as u64;
    for members in by_story.values() {
        let mut events: Vec<usize> = members.iter().map(|i| world[*i].event).collect();
        events.sort_unstable();
        events.dedup();
        if events.len() > 1 {
            s.mixed.0 += 1;
            if verbose {
                for i in members {
                    eprintln!(
                        "  mixed story {}: event {} {} {}",
                        p.story[*i], world[*i].event, world[*i].lang, world[*i].title
                    );
                }
            }
        }
    }
    let _ = LANGS;
    s
}

fn import_cost(o: &Options) -> Result<(), Error> {
    require_pressd(o)?;
    let world = stories_world::build(&Shape {
        events: o.import_events,
        seed: o.seed + 1000,
        days: 60,
        background: o.background,
    });
    let tmp = tempfile::tempdir()?;
    let file = tmp.path().join("world.jsonl");
    write_lines(&file, &world, true)?;
    println!(
        "import of {} articles ({} events) with `{}`:",
        world.len(),
        o.import_events,
        o.pressd.display()
    );
    for run in 0..o.runs {
        for stories in [false, true] {
            let dir = tmp.path().join(format!("run-{run}-{stories}"));
            std::fs::create_dir_all(&dir)?;
            let config = write_config(&dir, stories)?;
            let started = Instant::now();
            let mut child = Command::new(&o.pressd)
                .arg("--config")
                .arg(&config)
                .arg("import")
                .arg(&file)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            let pid = child.id();
            let mut peak = 0;
            let status = loop {
                if let Some(kib) = proc_status::kib(Some(pid), "VmHWM") {
                    peak = peak.max(kib);
                }
                if let Some(status) = child.try_wait()? {
                    break status;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let wall = started.elapsed().as_secs_f64();
            if !status.success() {
                return Err(format!("pressd import failed: {status}").into());
            }
            let state_bytes: u64 = std::fs::read_dir(dir.join("state"))?
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum();
            println!(
                "  run {run}, stories {:<5}: {wall:>6.1} s, {:>5.0} articles/s, peak RSS {:.1} MB, \
                 state store {:.1} MB",
                if stories { "on" } else { "off" },
                world.len() as f64 / wall,
                peak as f64 / 1024.0,
                state_bytes as f64 / 1e6
            );
        }
    }
    Ok(())
}
