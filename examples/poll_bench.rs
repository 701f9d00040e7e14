//! Polling at scale: the real `pressd run --once` against a local world of
//! many outlets, to see whether a cycle is bound by politeness or by CPU,
//! what it costs in memory, and that per-host limits hold.
//!
//! ```text
//! cargo build --release --bin pressd
//! cargo run --release --example poll_bench -- --feeds 10000 --hosts 1000
//! ```
//!
//! A hyper server listens on one loopback address per host (127.1.x.y: all
//! of 127.0.0.0/8 reaches `lo` on Linux), serving `--feeds` distinct RSS
//! feeds of `--items` items each, spread evenly over the hosts, with ETags
//! (304 on a matching If-None-Match), and a tiny article page per item. It
//! counts the requests in flight per host and keeps the highest count, and
//! the shortest time between two request arrivals at one host (robots.txt
//! included), to check `per_host_delay`.
//!
//! The daemon runs twice on one state store: a first cycle that polls every
//! feed and fetches every article, then a second in which every feed
//! answers 304. Each run goes through `/usr/bin/time -v` for wall time, CPU
//! time and peak RSS.
//!
//! With `--soak 1h` it measures instead whether memory stays flat: the
//! daemon runs (`pressd run`, not `--once`) polling every feed every
//! `--interval` (10 s), while every feed publishes one new item each
//! `--publish-every` (60 s). Its resident memory is sampled every 10 s;
//! the figure is the last sample against the one at 5 minutes.
//!
//! ```text
//! cargo run --release --example poll_bench -- --soak 1h --feeds 1000 --hosts 1000
//! ```
//!
//! Flags: `--feeds N` (10000), `--hosts N` (1000), `--items N` (20),
//! `--delay 1s` (per_host_delay), `--per-host N` (per_host_concurrency, 2),
//! `--concurrency N` (pipeline.concurrency, 32), `--latency 50ms` (server
//! think time per request; a spread such as `20ms-400ms` draws each
//! request's delay evenly from the range; `--latency-ms N` is the same as
//! `--latency Nms`, default 2 ms), `--defaults` (write none of the politeness
//! and pipeline keys: the daemon runs with its shipped defaults, and the
//! checks use those), `--binary PATH` (target/release/pressd),
//! `--second-only` (skip article fetching: feeds are served without items
//! on the first cycle, to measure a poll cycle alone).
//!
//! With `--freshness 3m` it measures instead how soon a new item is
//! searchable: the daemon runs (`pressd run`) polling every feed every
//! `--interval` (set it to 5s), and every `--publish-every` each feed
//! publishes a new item at a random moment; the bench records when each
//! item appeared in its feed, when the daemon first fetched the feed with
//! it, when it asked for the article, and when `pressd search` first found
//! it (searched every 250 ms), and prints p50/p95/max of each stage.
//!
//! ```text
//! cargo run --release --example poll_bench -- --freshness 3m --feeds 30 --hosts 10 \
//!     --interval 5s --publish-every 20s --latency 20ms-400ms --defaults
//! ```

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

struct Options {
    feeds: usize,
    hosts: usize,
    items: usize,
    delay: Duration,
    per_host: usize,
    concurrency: usize,
    latency: Latency,
    /// Leave the politeness and pipeline keys to the daemon's defaults.
    defaults: bool,
    freshness: Option<Duration>,
    binary: PathBuf,
    second_only: bool,
    soak: Option<Duration>,
    interval: Duration,
    publish_every: Duration,
}

fn options() -> Options {
    let mut o = Options {
        feeds: 10_000,
        hosts: 1_000,
        items: 20,
        delay: Duration::from_secs(1),
        per_host: 2,
        concurrency: 32,
        latency: Latency::fixed(Duration::from_millis(2)),
        defaults: false,
        freshness: None,
        binary: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/pressd"),
        second_only: false,
        soak: None,
        interval: Duration::from_secs(10),
        publish_every: Duration::from_secs(60),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || {
            args.get(i + 1).cloned().unwrap_or_else(|| {
                eprintln!("{} needs a value", args[i]);
                std::process::exit(2)
            })
        };
        let number = |v: String| -> usize {
            v.parse().unwrap_or_else(|_| {
                eprintln!("{}: '{v}' is not a number", args[i]);
                std::process::exit(2)
            })
        };
        let duration = |v: String| -> Duration {
            humantime::parse_duration(&v).unwrap_or_else(|e| {
                eprintln!("{}: {e}", args[i]);
                std::process::exit(2)
            })
        };
        match args[i].as_str() {
            "--feeds" => o.feeds = number(value()),
            "--hosts" => o.hosts = number(value()),
            "--items" => o.items = number(value()),
            "--per-host" => o.per_host = number(value()),
            "--concurrency" => o.concurrency = number(value()),
            "--latency-ms" => {
                o.latency = Latency::fixed(Duration::from_millis(number(value()) as u64))
            }
            "--latency" => {
                let v = value();
                o.latency = match v.split_once('-') {
                    Some((low, high)) => Latency {
                        low: duration(low.to_string()),
                        high: duration(high.to_string()),
                    },
                    None => Latency::fixed(duration(v)),
                };
                if o.latency.high < o.latency.low {
                    eprintln!("--latency: the range goes low to high");
                    std::process::exit(2)
                }
            }
            "--freshness" => o.freshness = Some(duration(value())),
            "--delay" => o.delay = duration(value()),
            "--soak" => o.soak = Some(duration(value())),
            "--interval" => o.interval = duration(value()),
            "--publish-every" => o.publish_every = duration(value()),
            "--binary" => o.binary = PathBuf::from(value()),
            "--second-only" => {
                o.second_only = true;
                i += 1;
                continue;
            }
            "--defaults" => {
                o.defaults = true;
                i += 1;
                continue;
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2)
            }
        }
        i += 2;
    }
    o.hosts = o.hosts.clamp(1, 60_000);
    if o.defaults {
        // What the daemon does without the keys: checked against these.
        o.per_host = 2;
        o.delay = Duration::from_secs(1);
    }
    o
}

/// The server's think time per request: fixed, or drawn evenly from a
/// range for each request.
#[derive(Clone, Copy)]
struct Latency {
    low: Duration,
    high: Duration,
}

impl Latency {
    fn fixed(d: Duration) -> Latency {
        Latency { low: d, high: d }
    }

    /// The delay of request number `n`: a hash of it spread over the range,
    /// so every run sees the same sequence.
    fn of(&self, n: u64) -> Duration {
        let span = self.high.saturating_sub(self.low).as_micros() as u64;
        if span == 0 {
            return self.low;
        }
        self.low + Duration::from_micros(mix(n) % (span + 1))
    }
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.low == self.high {
            write!(f, "{:?}", self.low)
        } else {
            write!(f, "{:?}-{:?}", self.low, self.high)
        }
    }
}

/// splitmix64: a cheap, well-spread hash of a counter.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the server saw.
struct Stats {
    in_flight: Vec<AtomicUsize>,
    peak: Vec<AtomicUsize>,
    /// Per host: the last request's arrival (ns since `started`, 0: none)
    /// and the shortest gap between two arrivals (ns).
    last_arrival: Vec<AtomicU64>,
    min_gap: Vec<AtomicU64>,
    requests: AtomicU64,
    not_modified: AtomicU64,
    /// Feeds answer with items (first cycle) or empty.
    items: AtomicUsize,
    /// Article pages served.
    articles: AtomicU64,
    /// In a soak, every feed publishes a new item this often.
    publish_every: Option<Duration>,
    /// The per-host spacing the daemon should keep, and how many pairs of
    /// arrivals at one host came closer than it.
    spacing: Duration,
    close_pairs: AtomicU64,
    /// Requests served so far, to draw each one's latency.
    latency: Latency,
    /// In a freshness run: when each item appeared and reached each stage.
    fresh: Option<Fresh>,
    started: Instant,
}

/// A freshness run's world: feed `f` publishes item `k` at
/// `offset(f) + (k - items) × every` (the first `items` are there from the
/// start), and what happened to each item, in ns since the start.
struct Fresh {
    every: Duration,
    items: usize,
    /// Wall-clock time of `Stats::started`, for the feeds' pubDates.
    epoch: chrono::DateTime<chrono::Utc>,
    seen: std::sync::Mutex<std::collections::HashMap<(usize, u64), Stages>>,
}

#[derive(Default, Clone, Copy)]
struct Stages {
    /// First served in its feed.
    polled: Option<Duration>,
    /// The article asked for, and answered.
    requested: Option<Duration>,
    served: Option<Duration>,
    /// First found by `pressd search`.
    searchable: Option<Duration>,
}

impl Fresh {
    fn offset(&self, feed: usize) -> Duration {
        let every = self.every.as_millis().max(1) as u64;
        Duration::from_millis(mix(feed as u64) % every)
    }

    /// How many items feed `feed` has published by `at` beyond its first.
    fn generation(&self, feed: usize, at: Duration) -> u64 {
        let offset = self.offset(feed);
        if at < offset {
            return 0;
        }
        ((at - offset).as_millis() / self.every.as_millis().max(1)) as u64 + 1
    }

    /// When item `k` of `feed` appeared (zero for the first ones).
    fn appeared(&self, feed: usize, k: u64) -> Duration {
        let first = self.items as u64;
        if k < first {
            return Duration::ZERO;
        }
        // Generation g (from `offset + (g - 1) × every` on) shows items
        // g..g + items: item k is newest from generation k - items + 1.
        self.offset(feed) + self.every * (k - first) as u32
    }

    fn mark(&self, feed: usize, k: u64, at: Duration, stage: impl FnOnce(&mut Stages, Duration)) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        stage(seen.entry((feed, k)).or_default(), at);
    }
}

impl Stats {
    fn max_peak(&self) -> usize {
        self.peak
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .max()
            .unwrap_or(0)
    }

    /// How many items feed `feed` has published since the start: the
    /// newest `items` of them are in the feed.
    fn generation(&self, feed: usize) -> u64 {
        if let Some(fresh) = &self.fresh {
            return fresh.generation(feed, self.started.elapsed());
        }
        self.publish_every.map_or(0, |every| {
            (self.started.elapsed().as_millis() / every.as_millis().max(1)) as u64
        })
    }

    /// Hosts whose closest two arrivals were nearer than the spacing.
    fn hosts_too_close(&self) -> usize {
        let spacing = self.spacing.as_nanos() as u64;
        self.min_gap
            .iter()
            .map(|g| g.load(Ordering::Relaxed))
            .filter(|g| *g != u64::MAX && *g < spacing)
            .count()
    }

    /// The median of the hosts' closest gaps.
    fn median_min_gap(&self) -> Option<Duration> {
        let mut gaps: Vec<u64> = self
            .min_gap
            .iter()
            .map(|g| g.load(Ordering::Relaxed))
            .filter(|g| *g != u64::MAX)
            .collect();
        gaps.sort_unstable();
        gaps.get(gaps.len() / 2).map(|g| Duration::from_nanos(*g))
    }

    fn reset_peaks(&self) {
        for p in &self.peak {
            p.store(0, Ordering::Relaxed);
        }
        for (last, gap) in self.last_arrival.iter().zip(&self.min_gap) {
            last.store(0, Ordering::Relaxed);
            gap.store(u64::MAX, Ordering::Relaxed);
        }
        self.close_pairs.store(0, Ordering::Relaxed);
    }

    /// The shortest gap between two arrivals at one host, if any host saw
    /// two requests.
    fn min_gap(&self) -> Option<Duration> {
        self.min_gap
            .iter()
            .map(|g| g.load(Ordering::Relaxed))
            .min()
            .filter(|g| *g != u64::MAX)
            .map(Duration::from_nanos)
    }
}

fn host_addr(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(
        127,
        1 + (i / 62_500) as u8,
        ((i / 250) % 250) as u8,
        (i % 250 + 1) as u8,
    )
}

fn feed_xml(
    base: &str,
    feed: usize,
    items: usize,
    generation: u64,
    fresh: Option<&Fresh>,
) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Outlet {feed}</title>\
         <link>{base}/</link>"
    );
    for k in (generation..generation + items as u64).rev() {
        // A freshness run dates items when they appeared, so that
        // `search --sort newest` finds the new ones first.
        let date = match fresh {
            Some(f) => (f.epoch
                + chrono::Duration::from_std(f.appeared(feed, k)).unwrap_or_default())
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
            None => format!("Fri, 15 Mar 2024 12:{:02}:00 GMT", k % 60),
        };
        s.push_str(&format!(
            "<item><title>Report {k} of outlet {feed}</title><link>{base}/a/{feed}/{k}</link>\
             <pubDate>{date}</pubDate>\
             <description>Short summary {k}.</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn article_html(path: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Report {path}</title></head><body>\
         <nav><a href=\"/\">Home</a></nav><article><h1>Report {path}</h1>\
         <p>The regional council met on Tuesday to discuss the budget for roads, schools \
         and the water supply, and agreed to publish the figures next month.</p>\
         <p>Residents asked for more frequent buses between the villages and the town \
         centre, and the council promised a study before the winter.</p></article>\
         <footer>Copyright</footer></body></html>"
    )
}

/// `/a/{feed}/{k}`: the article `k` of `feed`.
fn article_of(path: &str) -> Option<(usize, u64)> {
    let (feed, k) = path.strip_prefix("/a/")?.split_once('/')?;
    Some((feed.parse().ok()?, k.parse().ok()?))
}

async fn handle(
    req: Request<Incoming>,
    host: usize,
    base: Arc<String>,
    stats: Arc<Stats>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let arrived = (stats.started.elapsed().as_nanos() as u64).max(1);
    let previous = stats.last_arrival[host].swap(arrived, Ordering::SeqCst);
    if previous != 0 {
        let gap = arrived.saturating_sub(previous);
        stats.min_gap[host].fetch_min(gap, Ordering::SeqCst);
        if gap < stats.spacing.as_nanos() as u64 {
            stats.close_pairs.fetch_add(1, Ordering::Relaxed);
        }
    }
    let now = stats.in_flight[host].fetch_add(1, Ordering::SeqCst) + 1;
    stats.peak[host].fetch_max(now, Ordering::SeqCst);
    let n = stats.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path().to_string();
    if let (Some(fresh), Some((feed, k))) = (&stats.fresh, article_of(&path)) {
        fresh.mark(feed, k, Duration::from_nanos(arrived), |s, at| {
            s.requested.get_or_insert(at);
        });
    }
    let latency = stats.latency.of(n);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = if let Some(feed) = path
        .strip_prefix("/f/")
        .and_then(|r| r.strip_suffix(".xml"))
        .and_then(|n| n.parse::<usize>().ok())
    {
        let items = stats.items.load(Ordering::Relaxed);
        let generation = stats.generation(feed);
        let etag = format!("\"f{feed}-{items}-{generation}\"");
        let matches = req
            .headers()
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == etag);
        if matches {
            stats.not_modified.fetch_add(1, Ordering::Relaxed);
            Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .header("etag", &etag)
                .body(Full::new(Bytes::new()))
        } else {
            if let Some(fresh) = &stats.fresh {
                let at = stats.started.elapsed();
                for k in generation..generation + items as u64 {
                    fresh.mark(feed, k, at, |s, at| {
                        s.polled.get_or_insert(at);
                    });
                }
            }
            Response::builder()
                .header("content-type", "application/rss+xml")
                .header("etag", &etag)
                .body(Full::new(Bytes::from(feed_xml(
                    &base,
                    feed,
                    items,
                    generation,
                    stats.fresh.as_ref(),
                ))))
        }
    } else if path.starts_with("/a/") {
        stats.articles.fetch_add(1, Ordering::Relaxed);
        if let (Some(fresh), Some((feed, k))) = (&stats.fresh, article_of(&path)) {
            fresh.mark(feed, k, stats.started.elapsed(), |s, at| {
                s.served.get_or_insert(at);
            });
        }
        Response::builder()
            .header("content-type", "text/html; charset=utf-8")
            .body(Full::new(Bytes::from(article_html(&path))))
    } else {
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::from_static(b"not found")))
    };
    // Out of the count before the answer leaves: once the client has it, it
    // may send the next request.
    stats.in_flight[host].fetch_sub(1, Ordering::SeqCst);
    Ok(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

/// Bind one listener per host; returns each host's base URL.
async fn serve(o: &Options, stats: Arc<Stats>) -> std::io::Result<Vec<String>> {
    let mut bases = Vec::with_capacity(o.hosts);
    for host in 0..o.hosts {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((host_addr(host), 0))).await?;
        let addr = listener.local_addr()?;
        let base = Arc::new(format!("http://{addr}"));
        bases.push(base.to_string());
        let stats = Arc::clone(&stats);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (stats, base) = (Arc::clone(&stats), Arc::clone(&base));
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        handle(req, host, Arc::clone(&base), Arc::clone(&stats))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    }
    Ok(bases)
}

fn write_config(dir: &Path, o: &Options, bases: &[String]) -> std::io::Result<PathBuf> {
    let every = humantime::format_duration(o.interval);
    let defaults = if o.freshness.is_some() {
        format!("poll_interval = \"{every}\"")
    } else if o.soak.is_some() {
        format!(
            "poll_interval = \"{every}\"\nmin_interval = \"{every}\"\nmax_interval = \"{every}\""
        )
    } else {
        "poll_interval = \"6h\"".to_string()
    };
    // With --defaults the daemon runs on its shipped defaults: only where
    // the files go and the schedule are written.
    let tuning = if o.defaults {
        String::new()
    } else {
        format!(
            r#"languages = ["en", "ru", "hy", "az"]

[http]
timeout = "30s"
per_host_concurrency = {per_host}
per_host_delay = "{delay}"
allow_private_addresses = true

[pipeline]
concurrency = {concurrency}
commit_batch = 1000
commit_interval = "5s"
"#,
            per_host = o.per_host,
            delay = humantime::format_duration(o.delay),
            concurrency = o.concurrency,
        )
    };
    let mut text = format!(
        r#"index_dir = "index"
state_dir = "state"
log = "warn"
{tuning}
[defaults]
{defaults}

"#
    );
    for feed in 0..o.feeds {
        // Feeds of one host are not listed together in a real config
        // either; a host's feeds are every `hosts`-th one here.
        let base = &bases[feed % bases.len()];
        text.push_str(&format!(
            "[[source]]\nid = \"feed-{feed}\"\nkind = \"feed\"\nurl = \"{base}/f/{feed}.xml\"\n\n"
        ));
    }
    let path = dir.join("pressd.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// What `/usr/bin/time -v` said about one daemon run.
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_rss_kb: u64,
    summary: String,
}

fn run_daemon(o: &Options, config: &Path, log: &Path) -> std::io::Result<Run> {
    let time_out = log.with_extension("time");
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg("-o")
        .arg(&time_out)
        .arg(&o.binary)
        .arg("--config")
        .arg(config)
        .args(["--log-format", "plain", "run", "--once"])
        .stdin(Stdio::null())
        .stderr(std::fs::File::create(log)?)
        .output()?;
    let wall = started.elapsed();
    if !output.status.success() {
        eprintln!("pressd failed ({}); see {}", output.status, log.display());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout.lines().last().unwrap_or("").to_string();
    let report = std::fs::read_to_string(&time_out)?;
    let field = |name: &str| -> Option<String> {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
    };
    let secs = |name: &str| {
        field(name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let cpu = secs("User time (seconds):") + secs("System time (seconds):");
    Ok(Run {
        wall,
        cpu: Duration::from_secs_f64(cpu),
        peak_rss_kb: field("Maximum resident set size (kbytes):")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        summary,
    })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = options();
    if !o.binary.exists() {
        eprintln!(
            "{} not found: build it first with `cargo build --release --bin pressd`",
            o.binary.display()
        );
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let stats = Arc::new(Stats {
        in_flight: (0..o.hosts).map(|_| AtomicUsize::new(0)).collect(),
        peak: (0..o.hosts).map(|_| AtomicUsize::new(0)).collect(),
        last_arrival: (0..o.hosts).map(|_| AtomicU64::new(0)).collect(),
        min_gap: (0..o.hosts).map(|_| AtomicU64::new(u64::MAX)).collect(),
        requests: AtomicU64::new(0),
        not_modified: AtomicU64::new(0),
        items: AtomicUsize::new(if o.second_only { 0 } else { o.items }),
        articles: AtomicU64::new(0),
        publish_every: o.soak.map(|_| o.publish_every),
        spacing: o.delay,
        close_pairs: AtomicU64::new(0),
        latency: o.latency,
        fresh: o.freshness.map(|_| Fresh {
            every: o.publish_every,
            items: o.items,
            epoch: chrono::Utc::now(),
            seen: Default::default(),
        }),
        started: Instant::now(),
    });
    let bases = runtime.block_on(serve(&o, Arc::clone(&stats)))?;
    let dir = tempfile::tempdir()?;
    let config = write_config(dir.path(), &o, &bases)?;
    if let Some(length) = o.soak {
        return soak(&o, length, &config, dir.path(), &stats);
    }
    if let Some(length) = o.freshness {
        return freshness(&o, length, &config, dir.path(), &stats);
    }
    let per_host_feeds = o.feeds.div_ceil(o.hosts);
    let articles = if o.second_only { 0 } else { o.items };
    // Each host: its feeds, their articles, and one robots.txt.
    let per_host_requests = per_host_feeds * (1 + articles) + usize::from(articles > 0);
    let floor = o
        .delay
        .saturating_mul(per_host_requests.saturating_sub(1) as u32);
    let concurrency = if o.defaults {
        "default".to_string()
    } else {
        o.concurrency.to_string()
    };
    println!(
        "poll_bench: {} feeds on {} hosts ({} per host), {} items each; per_host_delay {}, \
         per_host_concurrency {}, pipeline.concurrency {concurrency}, server latency {}{}",
        o.feeds,
        o.hosts,
        per_host_feeds,
        articles,
        humantime::format_duration(o.delay),
        o.per_host,
        o.latency,
        if o.defaults {
            " (shipped defaults)"
        } else {
            ""
        },
    );
    println!("load average before: {}", loadavg());

    let cycles = [
        ("first cycle (feeds + articles)", "first"),
        ("second cycle (all 304)", "second"),
    ];
    for (i, (label, name)) in cycles.iter().enumerate() {
        stats.reset_peaks();
        let before = stats.requests.load(Ordering::Relaxed);
        let not_modified_before = stats.not_modified.load(Ordering::Relaxed);
        let log = dir.path().join(format!("{name}.log"));
        // Requests the server answered per 10 s, to see where a cycle slows.
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let timeline = {
            let (stats, done) = (Arc::clone(&stats), Arc::clone(&done));
            std::thread::spawn(move || {
                let mut rates = Vec::new();
                let mut last = stats.requests.load(Ordering::Relaxed);
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_secs(10));
                    let now = stats.requests.load(Ordering::Relaxed);
                    rates.push((now - last) / 10);
                    last = now;
                }
                rates
            })
        };
        let run = run_daemon(&o, &config, &log)?;
        done.store(true, Ordering::Relaxed);
        let rates = timeline.join().unwrap_or_default();
        let requests = stats.requests.load(Ordering::Relaxed) - before;
        let not_modified = stats.not_modified.load(Ordering::Relaxed) - not_modified_before;
        let floor_here = if i == 0 {
            floor
        } else {
            o.delay
                .saturating_mul(per_host_feeds.saturating_sub(1) as u32)
        };
        let cpu_share = run.cpu.as_secs_f64() / run.wall.as_secs_f64().max(1e-9);
        println!("\n{label}:");
        println!("  pressd: {}", run.summary);
        println!(
            "  wall {:.1} s, CPU {:.1} s ({:.0}% of one core), peak RSS {:.1} MB",
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64(),
            cpu_share * 100.0,
            run.peak_rss_kb as f64 / 1024.0
        );
        let ratio = if floor_here.is_zero() {
            "n/a".to_string()
        } else {
            format!("{:.2}", run.wall.as_secs_f64() / floor_here.as_secs_f64())
        };
        println!(
            "  requests {requests} ({not_modified} answered 304), {:.0}/s; \
             politeness floor {:.0} s (per-host spacing); wall/floor {ratio}",
            requests as f64 / run.wall.as_secs_f64().max(1e-9),
            floor_here.as_secs_f64(),
        );
        println!(
            "  max concurrent requests to one host: {} (limit {})",
            stats.max_peak(),
            o.per_host
        );
        if let Some(gap) = stats.min_gap() {
            println!(
                "  closest two requests to one host: {:.3} s apart (per_host_delay {}); \
                 median over hosts of each one's closest pair {:.3} s; \
                 {} hosts and {} pairs of arrivals closer than the spacing",
                gap.as_secs_f64(),
                humantime::format_duration(o.delay),
                stats.median_min_gap().unwrap_or_default().as_secs_f64(),
                stats.hosts_too_close(),
                stats.close_pairs.load(Ordering::Relaxed),
            );
        }
        let rates: Vec<String> = rates.iter().map(u64::to_string).collect();
        println!("  requests/s per 10 s: {}", rates.join(" "));
        println!("  load average after: {}", loadavg());
        if stats.max_peak() > o.per_host {
            eprintln!("per-host limit exceeded");
            std::process::exit(1);
        }
    }
    Ok(())
}

/// Resident memory of a process, in kB, from /proc.
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Run the daemon for `length`, sampling its memory every 10 s; report the
/// last sample against the one at 5 minutes.
fn soak(
    o: &Options,
    length: Duration,
    config: &Path,
    dir: &Path,
    stats: &Stats,
) -> Result<(), Box<dyn std::error::Error>> {
    const SAMPLE: Duration = Duration::from_secs(10);
    const BASELINE: Duration = Duration::from_secs(300);
    println!(
        "soak: {} feeds on {} hosts polled every {}, each publishing an item every {}, for {}",
        o.feeds,
        o.hosts,
        humantime::format_duration(o.interval),
        humantime::format_duration(o.publish_every),
        humantime::format_duration(length),
    );
    println!("load average before: {}", loadavg());
    let log = dir.join("soak.log");
    let mut child = Command::new(&o.binary)
        .arg("--config")
        .arg(config)
        .args(["--log-format", "plain", "run"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()?;
    let pid = child.id();
    let started = Instant::now();
    let mut baseline = None;
    let mut samples = Vec::new();
    let mut last_print = Duration::ZERO;
    while started.elapsed() < length {
        std::thread::sleep(SAMPLE);
        if let Some(status) = child.try_wait()? {
            return Err(format!("pressd exited early ({status}); see {}", log.display()).into());
        }
        let Some(kb) = rss_kb(pid) else { continue };
        let at = started.elapsed();
        samples.push(kb);
        if baseline.is_none() && at >= BASELINE {
            baseline = Some(kb);
        }
        if at - last_print >= Duration::from_secs(60) || at >= length {
            last_print = at;
            println!(
                "  {:>4.0} min  RSS {:>6.1} MB  requests {:>8}  articles {:>7}  load {}",
                at.as_secs_f64() / 60.0,
                kb as f64 / 1024.0,
                stats.requests.load(Ordering::Relaxed),
                stats.articles.load(Ordering::Relaxed),
                loadavg()
            );
        }
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    )?;
    let status = child.wait()?;
    let last = samples.last().copied().unwrap_or(0);
    let peak = samples.iter().copied().max().unwrap_or(0);
    println!("\nsoak over {}:", humantime::format_duration(length));
    match baseline {
        Some(base) => println!(
            "  RSS at 5 min {:.1} MB, at the end {:.1} MB ({:+.1}%), peak {:.1} MB",
            base as f64 / 1024.0,
            last as f64 / 1024.0,
            (last as f64 / base.max(1) as f64 - 1.0) * 100.0,
            peak as f64 / 1024.0
        ),
        None => println!(
            "  shorter than 5 min: RSS at the end {:.1} MB, peak {:.1} MB",
            last as f64 / 1024.0,
            peak as f64 / 1024.0
        ),
    }
    println!(
        "  requests {}, articles fetched {}; pressd stopped with {status}",
        stats.requests.load(Ordering::Relaxed),
        stats.articles.load(Ordering::Relaxed)
    );
    Ok(())
}

/// The `q` quantile (0..=1) of sorted `values`.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// Run the daemon for `length` while feeds publish, searching its index
/// every 250 ms; report how long each new item took from its feed to the
/// search results, stage by stage.
fn freshness(
    o: &Options,
    length: Duration,
    config: &Path,
    dir: &Path,
    stats: &Arc<Stats>,
) -> Result<(), Box<dyn std::error::Error>> {
    const SEARCH_EVERY: Duration = Duration::from_millis(250);
    let Some(fresh) = &stats.fresh else {
        return Ok(());
    };
    // Items that appear once the first cycle (the feeds' first items) is
    // behind: those measure steady polling.
    let warm_up = Duration::from_secs(20).min(length / 3);
    println!(
        "freshness: {} feeds on {} hosts polled every {}, each publishing an item every {}, \
         server latency {}, for {}{}",
        o.feeds,
        o.hosts,
        humantime::format_duration(o.interval),
        humantime::format_duration(o.publish_every),
        o.latency,
        humantime::format_duration(length),
        if o.defaults {
            " (shipped defaults)"
        } else {
            ""
        },
    );
    println!("load average before: {}", loadavg());
    let log = dir.join("freshness.log");
    let mut child = Command::new(&o.binary)
        .arg("--config")
        .arg(config)
        .args(["--log-format", "plain", "run"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()?;
    let started = Instant::now();
    while started.elapsed() < length {
        std::thread::sleep(SEARCH_EVERY);
        if let Some(status) = child.try_wait()? {
            return Err(format!("pressd exited early ({status}); see {}", log.display()).into());
        }
        let out = Command::new(&o.binary)
            .arg("--config")
            .arg(config)
            .args([
                "search", "council", "--sort", "newest", "--limit", "300", "--format", "json",
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()?;
        let at = stats.started.elapsed();
        let Ok(found) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
            continue;
        };
        for hit in found["hits"].as_array().into_iter().flatten() {
            let Some(url) = hit["url"].as_str() else {
                continue;
            };
            let Some(path) = url::Url::parse(url).ok().map(|u| u.path().to_string()) else {
                continue;
            };
            if let Some((feed, k)) = article_of(&path) {
                fresh.mark(feed, k, at, |s, at| {
                    s.searchable.get_or_insert(at);
                });
            }
        }
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )?;
    child.wait()?;
    let seen = fresh.seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut total = Vec::new();
    let (mut poll_wait, mut fetch_wait, mut fetch, mut index) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut missing = 0;
    // Only items that appeared after the warm-up and early enough to be
    // found before the end.
    let last = stats
        .started
        .elapsed()
        .saturating_sub(Duration::from_secs(15));
    let mut slowest: Vec<(Duration, usize, u64)> = Vec::new();
    for (&(feed, k), s) in &seen {
        let appeared = fresh.appeared(feed, k);
        if (k as usize) < o.items || appeared < warm_up || appeared > last {
            continue;
        }
        let (Some(polled), Some(requested), Some(served), Some(searchable)) =
            (s.polled, s.requested, s.served, s.searchable)
        else {
            missing += 1;
            continue;
        };
        total.push(searchable.saturating_sub(appeared));
        poll_wait.push(polled.saturating_sub(appeared));
        fetch_wait.push(requested.saturating_sub(polled));
        fetch.push(served.saturating_sub(requested));
        index.push(searchable.saturating_sub(served));
        slowest.push((searchable.saturating_sub(appeared), feed, k));
    }
    // Items published after the warm-up whose feed never showed them
    // (the run ended first) are not in `seen`; the rest are counted.
    for list in [
        &mut total,
        &mut poll_wait,
        &mut fetch_wait,
        &mut fetch,
        &mut index,
    ] {
        list.sort_unstable();
    }
    let line = |name: &str, v: &[Duration]| {
        println!(
            "  {name:<44} p50 {:>5.2} s  p95 {:>5.2} s  max {:>5.2} s",
            quantile(v, 0.5).as_secs_f64(),
            quantile(v, 0.95).as_secs_f64(),
            v.last().copied().unwrap_or_default().as_secs_f64()
        )
    };
    println!(
        "\n{} new items measured ({} not searchable by the end):",
        total.len(),
        missing
    );
    line("appeared in feed -> searchable", &total);
    line("poll wait (appeared -> feed fetched with it)", &poll_wait);
    line("article fetch wait (feed fetched -> asked)", &fetch_wait);
    line("article fetch (asked -> answered)", &fetch);
    line("extraction + commit + search (answered -> found)", &index);
    println!(
        "  (found: by `pressd search` every {} ms, so up to that much late)",
        SEARCH_EVERY.as_millis()
    );
    slowest.sort_unstable();
    for (took, feed, k) in slowest.iter().rev().take(5) {
        let s = seen[&(*feed, *k)];
        let at = |d: Option<Duration>| d.map_or(-1.0, |d| d.as_secs_f64());
        println!(
            "  slow: feed {feed} item {k}: {:.2} s (appeared {:.2}, polled {:.2}, asked {:.2}, answered {:.2}, found {:.2})",
            took.as_secs_f64(),
            fresh.appeared(*feed, *k).as_secs_f64(),
            at(s.polled),
            at(s.requested),
            at(s.served),
            at(s.searchable)
        );
    }
    println!(
        "  per-host spacing: closest two requests to one host {:.3} s; {} pairs closer than {}",
        stats.min_gap().unwrap_or_default().as_secs_f64(),
        stats.close_pairs.load(Ordering::Relaxed),
        humantime::format_duration(o.delay)
    );
    println!("  load average after: {}", loadavg());
    Ok(())
}
