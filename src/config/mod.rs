//! Configuration: the daemon file (`config/pressd.toml` by default) and the
//! source files (`[[source]]` tables in the daemon file and in every `*.toml`
//! of `sources_dir`). Parses, applies defaults, validates, and resolves
//! relative paths against the directory of the file that names them.
//!
//! Every problem is reported with the file and the key it concerns, and all
//! problems of a load are reported together so that `pressd check` shows
//! everything to fix at once.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use url::Url;

use crate::http::{HttpSettings, Policy};

/// Default daemon file, relative to the working directory.
pub const DEFAULT_CONFIG: &str = "config/pressd.toml";

/// The whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The daemon file this was loaded from.
    pub path: PathBuf,
    pub index_dir: PathBuf,
    pub state_dir: PathBuf,
    /// Languages the detector chooses among (ISO 639-1).
    pub languages: Vec<String>,
    /// `RUST_LOG`-style filter; the environment's `RUST_LOG` wins.
    pub log: Option<String>,
    pub http: HttpSettings,
    /// Politeness and the private-address guard of the HTTP client.
    pub policy: Policy,
    pub pipeline: PipelineSettings,
    pub metrics: MetricsSettings,
    /// Shared, not copied: the daemon hands each source to its poller, its
    /// pipeline and its health tracker, and deployments run thousands.
    pub sources: Vec<Arc<Source>>,
}

/// The optional Prometheus listener (`[metrics]` table). Off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSettings {
    /// Address to serve `/metrics` and `/healthz` on; `None` serves nothing.
    /// Port 0 picks a free port (logged at start-up).
    pub listen: Option<SocketAddr>,
}

/// Settings of the fetch-and-index pipeline (`[pipeline]` table).
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineSettings {
    /// Requests in flight at once, all hosts together.
    pub concurrency: usize,
    /// Commit the index after this many new documents...
    pub commit_batch: usize,
    /// ...or this long after the first uncommitted one.
    pub commit_interval: Duration,
    /// Attempts at fetching one article before it is given up.
    pub max_attempts: u32,
    /// Delay before the first retry of an article; doubles per attempt.
    pub retry_delay: Duration,
    /// Longest wait between two polls of a failing source.
    pub max_backoff: Duration,
}

/// One configured source.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: String,
    pub kind: SourceKind,
    pub url: Url,
    pub name: Option<String>,
    /// Expected language (ISO 639-1), a hint for the detector.
    pub lang: Option<String>,
    pub poll_interval: Duration,
    pub enabled: bool,
    /// The file that defines it.
    pub file: PathBuf,
    /// The keys that only some kinds take.
    pub options: SourceOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Feed,
    Page,
    Sitemap,
    Telegram,
    Mastodon,
    Bluesky,
    X,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Page => "page",
            SourceKind::Sitemap => "sitemap",
            SourceKind::Telegram => "telegram",
            SourceKind::Mastodon => "mastodon",
            SourceKind::Bluesky => "bluesky",
            SourceKind::X => "x",
        }
    }
}

/// Kind-specific keys of a `[[source]]`; each is checked to belong to the
/// source's kind. Defaults that depend on the kind are applied by the
/// source module, so `None` here means "not configured".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceOptions {
    /// `page`: CSS selector of the article links (required).
    pub link_selector: Option<String>,
    /// `page`: CSS selector of each link's date, searched inside the
    /// link's nearest ancestor that holds one.
    pub date_selector: Option<String>,
    /// `page`: CSS selector of the link to the next listing page.
    pub next_selector: Option<String>,
    /// `page`, `sitemap`, `telegram`: pages (or child sitemaps) read per poll.
    pub max_pages: Option<u32>,
    /// `sitemap`: entries older than this are skipped when dated.
    pub max_age: Option<Duration>,
    /// `telegram`: also yield the first outbound link of a post as an article.
    pub follow_links: bool,
    /// `mastodon`: include replies and reblogs (default false).
    pub include_replies: bool,
    /// `mastodon`, `bluesky`, `x`: API base URL instead of the platform's.
    pub api_base: Option<Url>,
    /// `x`: environment variable holding the bearer token.
    pub token_env: Option<String>,
    /// `x`: file holding the bearer token (resolved against the config file).
    pub token_file: Option<PathBuf>,
    /// `x`: an RSS bridge feed to poll instead of the API.
    pub rss_url: Option<Url>,
    /// Any kind: the shortest interval adaptive polling may reach (also
    /// settable in `[defaults]`); unset means `poll_interval`. See
    /// [`Source::min_interval`].
    pub min_interval: Option<Duration>,
    /// Any kind: the longest interval adaptive polling may reach (also
    /// settable in `[defaults]`). See [`Source::max_interval`].
    pub max_interval: Option<Duration>,
    /// Any kind: requests in flight at once to this source's host, instead
    /// of `http.per_host_concurrency`.
    pub per_host_concurrency: Option<usize>,
    /// Any kind: spacing between request starts to this source's host,
    /// instead of `http.per_host_delay`.
    pub per_host_delay: Option<Duration>,
}

/// Longest default `max_interval`: an outlet that publishes daily is still
/// looked at four times a day.
const DEFAULT_MAX_INTERVAL_CAP: Duration = Duration::from_secs(6 * 3600);

impl Source {
    /// The shortest poll interval: `min_interval`, else `poll_interval`.
    /// Adaptive polling never goes below it, and a source starts at it.
    pub fn min_interval(&self) -> Duration {
        self.options.min_interval.unwrap_or(self.poll_interval)
    }

    /// The longest poll interval: `max_interval`, else four times
    /// `poll_interval` capped at 6 h; never below [`Source::min_interval`].
    pub fn max_interval(&self) -> Duration {
        let max = self.options.max_interval.unwrap_or_else(|| {
            self.poll_interval
                .saturating_mul(4)
                .min(DEFAULT_MAX_INTERVAL_CAP)
        });
        max.max(self.min_interval())
    }
}

/// Most pages (or child sitemaps) a source may read in one poll.
pub const MAX_PAGES_LIMIT: u32 = 50;

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    /// The key (`http.timeout`, `source[2].url`) or `line:col` it concerns.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{}: {}: {}", self.file.display(), key, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Everything wrong with a configuration, one problem per line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

// ---- file formats -------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DaemonFile {
    index_dir: Option<PathBuf>,
    state_dir: Option<PathBuf>,
    sources_dir: Option<PathBuf>,
    languages: Option<Vec<String>>,
    log: Option<String>,
    #[serde(default)]
    http: HttpFile,
    #[serde(default)]
    pipeline: PipelineFile,
    #[serde(default)]
    defaults: DefaultsFile,
    #[serde(default)]
    metrics: MetricsFile,
    #[serde(default, rename = "source")]
    sources: Vec<SourceFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricsFile {
    listen: Option<String>,
    allow_remote: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpFile {
    user_agent: Option<String>,
    #[serde(default, deserialize_with = "de_duration")]
    connect_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    timeout: Option<Duration>,
    max_body_size: Option<bytesize::ByteSize>,
    max_redirects: Option<usize>,
    per_host_concurrency: Option<usize>,
    #[serde(default, deserialize_with = "de_duration")]
    per_host_delay: Option<Duration>,
    respect_robots: Option<bool>,
    allow_private_addresses: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineFile {
    concurrency: Option<usize>,
    commit_batch: Option<usize>,
    #[serde(default, deserialize_with = "de_duration")]
    commit_interval: Option<Duration>,
    max_attempts: Option<u32>,
    #[serde(default, deserialize_with = "de_duration")]
    retry_delay: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    max_backoff: Option<Duration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultsFile {
    #[serde(default, deserialize_with = "de_duration")]
    poll_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    max_interval: Option<Duration>,
    enabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    id: String,
    kind: SourceKind,
    url: String,
    name: Option<String>,
    lang: Option<String>,
    #[serde(default, deserialize_with = "de_duration")]
    poll_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    max_interval: Option<Duration>,
    per_host_concurrency: Option<usize>,
    #[serde(default, deserialize_with = "de_duration")]
    per_host_delay: Option<Duration>,
    enabled: Option<bool>,
    link_selector: Option<String>,
    date_selector: Option<String>,
    next_selector: Option<String>,
    max_pages: Option<u32>,
    #[serde(default, deserialize_with = "de_duration")]
    max_age: Option<Duration>,
    follow_links: Option<bool>,
    include_replies: Option<bool>,
    api_base: Option<String>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
    rss_url: Option<String>,
}

/// A source file holds only `[[source]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default, rename = "source")]
    sources: Vec<SourceFile>,
}

/// Human durations: "30s", "5m", "1h 30m".
fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(text.trim())
        .map(Some)
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "invalid duration '{text}' ({e}); write it like \"30s\", \"5m\" or \"1h\""
            ))
        })
}

// ---- loading ------------------------------------------------------------

const DEFAULT_USER_AGENT: &str = concat!(
    "pressd/",
    env!("CARGO_PKG_VERSION"),
    " (press-coverage monitor; +https://github.com/pressd/pressd)"
);
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Shortest poll interval accepted: anything faster is impolite to outlets.
const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

impl Config {
    /// Load the daemon file at `path` and the source files it points to.
    /// `explicit` says whether the user named the file (for messages only).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            problems: vec![Problem {
                file: path.to_path_buf(),
                key: None,
                message: format!(
                    "cannot read the config file: {e} (pass --config PATH to use another file)"
                ),
            }],
        })?;
        let daemon: DaemonFile = match parse_toml(path, &text) {
            Ok(d) => d,
            Err(p) => {
                problems.push(p);
                // Keep going so that the source files' problems are reported
                // in the same run; find them where the file says they are.
                let sources_dir = toml::from_str::<toml::Table>(&text).ok().and_then(|t| {
                    t.get("sources_dir")
                        .and_then(|v| v.as_str())
                        .map(PathBuf::from)
                });
                DaemonFile {
                    sources_dir,
                    ..DaemonFile::default()
                }
            }
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };

        let index_dir = resolve(daemon.index_dir.as_deref().unwrap_or(Path::new("index")));
        let state_dir = resolve(daemon.state_dir.as_deref().unwrap_or(Path::new("state")));

        let languages = match daemon.languages {
            Some(list) => {
                if let Err(e) = crate::lang::Detector::new(&list) {
                    problems.push(problem(path, "languages", e.to_string()));
                }
                list
            }
            None => crate::lang::DEFAULT_LANGUAGES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };

        let h = daemon.http;
        let http = HttpSettings {
            user_agent: h
                .user_agent
                .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
            connect_timeout: h.connect_timeout.unwrap_or(Duration::from_secs(10)),
            timeout: h.timeout.unwrap_or(Duration::from_secs(30)),
            max_body_bytes: h.max_body_size.map_or(10 * 1024 * 1024, |b| b.as_u64()),
            max_redirects: h.max_redirects.unwrap_or(10),
            per_host_concurrency: h.per_host_concurrency.unwrap_or(2),
        };
        let defaults = Policy::default();
        let policy = Policy {
            per_host_delay: h.per_host_delay.unwrap_or(defaults.per_host_delay),
            respect_robots: h.respect_robots.unwrap_or(defaults.respect_robots),
            allow_private_addresses: h
                .allow_private_addresses
                .unwrap_or(defaults.allow_private_addresses),
            ..defaults
        };
        if http.user_agent.trim().is_empty() {
            problems.push(problem(path, "http.user_agent", "must not be empty".into()));
        }
        if http.per_host_concurrency == 0 {
            problems.push(problem(
                path,
                "http.per_host_concurrency",
                "must be at least 1".into(),
            ));
        }
        if http.max_body_bytes == 0 {
            problems.push(problem(
                path,
                "http.max_body_size",
                "must be more than 0".into(),
            ));
        }
        for (key, d) in [
            ("http.timeout", http.timeout),
            ("http.connect_timeout", http.connect_timeout),
        ] {
            if d.is_zero() {
                problems.push(problem(path, key, "must be more than 0s".into()));
            }
        }

        let p = daemon.pipeline;
        let pipeline = PipelineSettings {
            concurrency: p.concurrency.unwrap_or(8),
            commit_batch: p.commit_batch.unwrap_or(100),
            commit_interval: p.commit_interval.unwrap_or(Duration::from_secs(5)),
            max_attempts: p.max_attempts.unwrap_or(5),
            retry_delay: p.retry_delay.unwrap_or(Duration::from_secs(60)),
            max_backoff: p.max_backoff.unwrap_or(Duration::from_secs(6 * 3600)),
        };
        for (key, zero) in [
            ("pipeline.concurrency", pipeline.concurrency == 0),
            ("pipeline.commit_batch", pipeline.commit_batch == 0),
            ("pipeline.max_attempts", pipeline.max_attempts == 0),
        ] {
            if zero {
                problems.push(problem(path, key, "must be at least 1".into()));
            }
        }

        let metrics = MetricsSettings {
            listen: metrics_listen(path, &daemon.metrics, &mut problems),
        };

        let defaults = Defaults {
            poll_interval: daemon
                .defaults
                .poll_interval
                .unwrap_or(DEFAULT_POLL_INTERVAL),
            min_interval: daemon.defaults.min_interval,
            max_interval: daemon.defaults.max_interval,
            enabled: daemon.defaults.enabled.unwrap_or(true),
        };

        let mut sources = Vec::new();
        collect_sources(path, daemon.sources, &defaults, &mut sources, &mut problems);

        // A missing default sources.d/ is fine (a deployment may keep all
        // sources in the daemon file); a missing directory the user named is
        // a mistake worth stopping for.
        let (sources_dir, explicit_dir) = match &daemon.sources_dir {
            Some(d) => (resolve(d), true),
            None => (base.join("sources.d"), false),
        };
        match source_files(&sources_dir) {
            Ok(files) => {
                for file in files {
                    match std::fs::read_to_string(&file) {
                        Err(e) => problems.push(Problem {
                            file: file.clone(),
                            key: None,
                            message: format!("cannot read: {e}"),
                        }),
                        Ok(text) => match parse_toml::<SourcesFile>(&file, &text) {
                            Err(p) => problems.push(p),
                            Ok(sf) => collect_sources(
                                &file,
                                sf.sources,
                                &defaults,
                                &mut sources,
                                &mut problems,
                            ),
                        },
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit_dir => {}
            Err(e) => problems.push(problem(
                path,
                "sources_dir",
                format!("cannot read directory {}: {e}", sources_dir.display()),
            )),
        }

        let mut first_seen: HashMap<String, PathBuf> = HashMap::new();
        for s in &sources {
            if let Some(first) = first_seen.get(&s.id) {
                problems.push(Problem {
                    file: s.file.clone(),
                    key: Some("source.id".into()),
                    message: format!(
                        "duplicate source id '{}' (already defined in {}); ids must be unique",
                        s.id,
                        first.display()
                    ),
                });
            } else {
                first_seen.insert(s.id.clone(), s.file.clone());
            }
        }

        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Config {
            path: path.to_path_buf(),
            index_dir,
            state_dir,
            languages,
            log: daemon.log,
            http,
            policy,
            pipeline,
            metrics,
            // Not `into_iter().map(Arc::new).collect()`: that reuses the
            // buffer of whole sources for the pointers and never shrinks
            // it (10 MB at 10,000 sources, measured with heaptrack).
            sources: sources.iter().cloned().map(Arc::new).collect(),
        })
    }

    /// The sources that are polled.
    pub fn enabled_sources(&self) -> impl Iterator<Item = &Arc<Source>> {
        self.sources.iter().filter(|s| s.enabled)
    }
}

struct Defaults {
    poll_interval: Duration,
    min_interval: Option<Duration>,
    max_interval: Option<Duration>,
    enabled: bool,
}

/// The metrics address, if any. Metrics tell an observer which outlets are
/// watched and how the monitor fares, so a non-loopback address must be
/// asked for explicitly (`allow_remote = true`).
fn metrics_listen(path: &Path, m: &MetricsFile, problems: &mut Vec<Problem>) -> Option<SocketAddr> {
    let text = m
        .listen
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())?;
    match text.parse::<SocketAddr>() {
        Ok(addr) if addr.ip().is_loopback() || m.allow_remote.unwrap_or(false) => Some(addr),
        Ok(addr) => {
            problems.push(problem(
                path,
                "metrics.listen",
                format!(
                    "{addr} is not a loopback address; set metrics.allow_remote = true to serve metrics to other hosts"
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(problem(
                path,
                "metrics.listen",
                format!("'{text}' is not an address ({e}); write it like \"127.0.0.1:9187\""),
            ));
            None
        }
    }
}

fn problem(file: &Path, key: &str, message: String) -> Problem {
    Problem {
        file: file.to_path_buf(),
        key: Some(key.to_string()),
        message,
    }
}

/// Parse TOML, turning the error into a problem located by line and column.
fn parse_toml<T: serde::de::DeserializeOwned>(file: &Path, text: &str) -> Result<T, Problem> {
    toml::from_str(text).map_err(|e| {
        let key = e.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before
                .rfind('\n')
                .map_or(before.len(), |i| before.len() - i - 1)
                + 1;
            format!("line {line}, column {col}")
        });
        Problem {
            file: file.to_path_buf(),
            key,
            message: e.message().trim().to_string(),
        }
    })
}

/// `*.toml` files of `dir`, sorted so that loading order is stable.
fn source_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn collect_sources(
    file: &Path,
    raw: Vec<SourceFile>,
    defaults: &Defaults,
    out: &mut Vec<Source>,
    problems: &mut Vec<Problem>,
) {
    for (i, s) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("source[{i}].{key}");
        let mut ok = true;
        if !valid_id(&s.id) {
            problems.push(problem(
                file,
                &at("id"),
                format!(
                    "'{}' is not a valid id: use 1-64 characters among lowercase letters, digits, '.', '_' and '-'",
                    s.id
                ),
            ));
            ok = false;
        }
        let url = match Url::parse(s.url.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            Ok(u) => {
                problems.push(problem(
                    file,
                    &at("url"),
                    format!(
                        "'{}' is not an http(s) URL (scheme '{}')",
                        s.url,
                        u.scheme()
                    ),
                ));
                None
            }
            Err(e) => {
                problems.push(problem(
                    file,
                    &at("url"),
                    format!("'{}' is not a valid URL: {e}", s.url),
                ));
                None
            }
        };
        let lang = match s.lang.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(l) => match crate::lang::normalize_tag(l) {
                Some(code) => Some(code.to_string()),
                None => {
                    problems.push(problem(
                        file,
                        &at("lang"),
                        format!("'{l}' is not a known language code; use ISO 639-1 such as az, hy, ru, en"),
                    ));
                    ok = false;
                    None
                }
            },
        };
        let poll_interval = s.poll_interval.unwrap_or(defaults.poll_interval);
        if poll_interval < MIN_POLL_INTERVAL {
            problems.push(problem(
                file,
                &at("poll_interval"),
                "must be at least 1s".into(),
            ));
            ok = false;
        }
        let options = source_options(file, &at, &s, url.as_ref(), problems).map(|mut o| {
            o.min_interval = s.min_interval.or(defaults.min_interval);
            o.max_interval = s.max_interval.or(defaults.max_interval);
            o
        });
        if let Some(o) = &options {
            if let (Some(min), Some(max)) = (o.min_interval, o.max_interval) {
                if max < min {
                    problems.push(problem(
                        file,
                        &at("max_interval"),
                        format!(
                            "{} is shorter than min_interval ({})",
                            humantime::format_duration(max),
                            humantime::format_duration(min)
                        ),
                    ));
                    ok = false;
                }
            }
            if o.min_interval.is_some_and(|d| d < MIN_POLL_INTERVAL) {
                problems.push(problem(
                    file,
                    &at("min_interval"),
                    "must be at least 1s".into(),
                ));
                ok = false;
            }
        }
        if let (true, Some(url), Some(options)) = (ok, url, options) {
            out.push(Source {
                id: s.id,
                kind: s.kind,
                url,
                name: s.name.filter(|n| !n.trim().is_empty()),
                lang,
                poll_interval,
                enabled: s.enabled.unwrap_or(defaults.enabled),
                file: file.to_path_buf(),
                options,
            });
        }
    }
}

/// The kind-specific keys of `s`, checked against its kind; `None` when a
/// problem was recorded.
fn source_options(
    file: &Path,
    at: &dyn Fn(&str) -> String,
    s: &SourceFile,
    url: Option<&Url>,
    problems: &mut Vec<Problem>,
) -> Option<SourceOptions> {
    use SourceKind::*;
    let before = problems.len();
    let kind = s.kind;
    let mut only = |key: &str, set: bool, kinds: &[SourceKind]| {
        if set && !kinds.contains(&kind) {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            problems.push(problem(
                file,
                &at(key),
                format!(
                    "does not apply to kind \"{}\" (only to {})",
                    kind.as_str(),
                    names.join(", ")
                ),
            ));
        }
    };
    only("link_selector", s.link_selector.is_some(), &[Page]);
    only("date_selector", s.date_selector.is_some(), &[Page]);
    only("next_selector", s.next_selector.is_some(), &[Page]);
    only(
        "max_pages",
        s.max_pages.is_some(),
        &[Page, Sitemap, Telegram],
    );
    only("max_age", s.max_age.is_some(), &[Sitemap]);
    only("follow_links", s.follow_links.is_some(), &[Telegram]);
    only("include_replies", s.include_replies.is_some(), &[Mastodon]);
    only("api_base", s.api_base.is_some(), &[Mastodon, Bluesky, X]);
    only("token_env", s.token_env.is_some(), &[X]);
    only("token_file", s.token_file.is_some(), &[X]);
    only("rss_url", s.rss_url.is_some(), &[X]);
    if s.per_host_concurrency == Some(0) {
        problems.push(problem(
            file,
            &at("per_host_concurrency"),
            "must be at least 1".into(),
        ));
    }

    for (key, value) in [
        ("link_selector", &s.link_selector),
        ("date_selector", &s.date_selector),
        ("next_selector", &s.next_selector),
    ] {
        if let Some(css) = value {
            if let Err(e) = scraper::Selector::parse(css) {
                problems.push(problem(
                    file,
                    &at(key),
                    format!("'{css}' is not a valid CSS selector: {e}"),
                ));
            }
        }
    }
    if kind == Page
        && s.link_selector
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        problems.push(problem(
            file,
            &at("link_selector"),
            "is required for kind \"page\": a CSS selector of the article links, such as \"h2 a\""
                .into(),
        ));
    }
    if let Some(n) = s.max_pages {
        if n == 0 || n > MAX_PAGES_LIMIT {
            problems.push(problem(
                file,
                &at("max_pages"),
                format!("must be between 1 and {MAX_PAGES_LIMIT}"),
            ));
        }
    }
    if s.max_age.is_some_and(|d| d.is_zero()) {
        problems.push(problem(file, &at("max_age"), "must be more than 0s".into()));
    }
    let mut http_url = |key: &str, text: &Option<String>| -> Option<Url> {
        let text = text.as_deref()?;
        match Url::parse(text.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            _ => {
                problems.push(problem(
                    file,
                    &at(key),
                    format!("'{text}' is not an http(s) URL"),
                ));
                None
            }
        }
    };
    let api_base = http_url("api_base", &s.api_base);
    let rss_url = http_url("rss_url", &s.rss_url);
    if let Some(name) = &s.token_env {
        if name.is_empty() || name.contains('=') || name.contains('\0') {
            problems.push(problem(
                file,
                &at("token_env"),
                format!("'{name}' is not an environment variable name"),
            ));
        }
    }
    if let Some(url) = url {
        if let Some(message) = account_url_problem(kind, url) {
            problems.push(problem(file, &at("url"), message));
        }
    }
    if problems.len() > before {
        return None;
    }
    let base = file.parent().unwrap_or(Path::new(""));
    Some(SourceOptions {
        link_selector: s.link_selector.clone(),
        date_selector: s.date_selector.clone(),
        next_selector: s.next_selector.clone(),
        max_pages: s.max_pages,
        max_age: s.max_age,
        follow_links: s.follow_links.unwrap_or(false),
        include_replies: s.include_replies.unwrap_or(false),
        api_base,
        token_env: s.token_env.clone(),
        token_file: s.token_file.as_ref().map(|p| {
            if p.is_absolute() {
                p.clone()
            } else {
                base.join(p)
            }
        }),
        rss_url,
        // Filled in by `collect_sources`, which knows the defaults.
        min_interval: None,
        max_interval: None,
        per_host_concurrency: s.per_host_concurrency,
        per_host_delay: s.per_host_delay,
    })
}

/// What is wrong with `url` as the address of an account of `kind`, whose
/// sources read the account name from the URL's path.
fn account_url_problem(kind: SourceKind, url: &Url) -> Option<String> {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let (ok, shape) = match kind {
        SourceKind::Telegram => (
            matches!(segments.as_slice(), ["s", _] | [_]),
            "https://t.me/s/<channel> or https://t.me/<channel>",
        ),
        SourceKind::Mastodon => (
            matches!(segments.as_slice(), [user] if user.starts_with('@') && user.len() > 1),
            "https://<instance>/@<user>",
        ),
        SourceKind::Bluesky => (
            matches!(segments.as_slice(), ["profile", _]),
            "https://bsky.app/profile/<handle>",
        ),
        SourceKind::X => (matches!(segments.as_slice(), [_]), "https://x.com/<user>"),
        SourceKind::Feed | SourceKind::Page | SourceKind::Sitemap => return None,
    };
    (!ok).then(|| format!("'{url}' is not an account address; write it like {shape}"))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&p, text).expect("write");
        p
    }

    fn load_err(path: &Path) -> String {
        Config::load(path)
            .expect_err("config should be rejected")
            .to_string()
    }

    #[test]
    fn empty_file_is_valid_and_resolves_paths_against_its_dir() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "pressd.toml", "");
        let c = Config::load(&path).expect("empty config is valid");
        assert!(c.sources.is_empty());
        assert_eq!(c.index_dir, dir.path().join("index"));
        assert_eq!(c.state_dir, dir.path().join("state"));
        assert_eq!(c.http.per_host_concurrency, 2);
    }

    #[test]
    fn sources_from_daemon_file_and_sources_dir_with_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            r#"
index_dir = "../idx"
[http]
timeout = "20s"
max_body_size = "2 MiB"
[defaults]
poll_interval = "5m"
[[source]]
id = "a"
kind = "feed"
url = "https://a.example/rss"
lang = "hy-AM"
"#,
        );
        write(
            dir.path(),
            "sources.d/b.toml",
            "[[source]]\nid = \"b.az\"\nkind = \"feed\"\nurl = \"https://b.example/feed\"\npoll_interval = \"30s\"\nenabled = false\n",
        );
        write(dir.path(), "sources.d/notes.txt", "ignored");
        let c = Config::load(&path).expect("valid");
        assert_eq!(c.index_dir, dir.path().join("../idx"));
        assert_eq!(c.http.timeout, Duration::from_secs(20));
        assert_eq!(c.http.max_body_bytes, 2 * 1024 * 1024);
        assert_eq!(c.sources.len(), 2);
        assert_eq!(c.sources[0].poll_interval, Duration::from_secs(300));
        assert_eq!(c.sources[0].lang.as_deref(), Some("hy"));
        assert_eq!(c.sources[1].poll_interval, Duration::from_secs(30));
        assert!(!c.sources[1].enabled);
        assert_eq!(c.enabled_sources().count(), 1);
    }

    #[test]
    fn interval_bounds_and_host_limits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            r#"
[defaults]
poll_interval = "10m"
max_interval = "2h"
[[source]]
id = "plain"
kind = "feed"
url = "https://a.example/rss"
[[source]]
id = "own"
kind = "page"
url = "https://b.example/news"
link_selector = "h2 a"
min_interval = "5m"
max_interval = "30m"
per_host_concurrency = 1
per_host_delay = "3s"
[[source]]
id = "daily"
kind = "feed"
url = "https://c.example/rss"
poll_interval = "12h"
"#,
        );
        let c = Config::load(&path).expect("valid");
        let m = Duration::from_secs(60);
        let (plain, own, daily) = (&c.sources[0], &c.sources[1], &c.sources[2]);
        assert_eq!(
            (plain.min_interval(), plain.max_interval()),
            (10 * m, 120 * m)
        );
        assert_eq!((own.min_interval(), own.max_interval()), (5 * m, 30 * m));
        assert_eq!(own.options.per_host_concurrency, Some(1));
        assert_eq!(own.options.per_host_delay, Some(Duration::from_secs(3)));
        // The default max (4 × poll_interval, capped at 6 h) never falls
        // below the min.
        let mut undefaulted = Source::clone(daily);
        undefaulted.options.max_interval = None;
        assert_eq!(undefaulted.max_interval(), 720 * m);
        undefaulted.poll_interval = 10 * m;
        assert_eq!(undefaulted.max_interval(), 40 * m);

        let bad = write(
            dir.path(),
            "bad.toml",
            "[[source]]\nid = \"x\"\nkind = \"feed\"\nurl = \"https://x.example/\"\nmin_interval = \"1h\"\nmax_interval = \"10m\"\n",
        );
        let message = load_err(&bad);
        assert!(message.contains("source[0].max_interval"), "{message}");
        let bad = write(
            dir.path(),
            "bad2.toml",
            "[[source]]\nid = \"x\"\nkind = \"feed\"\nurl = \"https://x.example/\"\nper_host_concurrency = 0\n",
        );
        let message = load_err(&bad);
        assert!(
            message.contains("source[0].per_host_concurrency"),
            "{message}"
        );
    }

    #[test]
    fn unknown_key_names_file_and_position() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "pressd.toml", "");
        write(
            dir.path(),
            "sources.d/x.toml",
            "[[source]]\nid = \"x\"\nkind = \"feed\"\nurl = \"https://x.example/\"\npol_interval = \"5m\"\n",
        );
        let e = load_err(&path);
        assert!(e.contains("x.toml"), "{e}");
        assert!(e.contains("pol_interval"), "{e}");
        assert!(e.contains("line 5"), "{e}");
    }

    #[test]
    fn bad_values_are_all_reported_with_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            r#"
[[source]]
id = "Bad Id"
kind = "feed"
url = "ftp://x.example/"
[[source]]
id = "ok"
kind = "feed"
url = "not a url"
lang = "xx-latin"
"#,
        );
        let e = load_err(&path);
        assert!(e.contains("source[0].id"), "{e}");
        assert!(e.contains("source[0].url"), "{e}");
        assert!(e.contains("source[1].url"), "{e}");
        assert!(e.contains("source[1].lang"), "{e}");
    }

    #[test]
    fn bad_duration_and_kind_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            "[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/\"\npoll_interval = \"often\"\n",
        );
        let e = load_err(&path);
        assert!(e.contains("invalid duration 'often'"), "{e}");
        let path = write(
            dir.path(),
            "pressd.toml",
            "[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://a.example/\"\n",
        );
        let e = load_err(&path);
        assert!(e.contains("rss"), "{e}");
    }

    #[test]
    fn duplicate_ids_across_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            "[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/\"\n",
        );
        write(
            dir.path(),
            "sources.d/a.toml",
            "[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://b.example/\"\n",
        );
        let e = load_err(&path);
        assert!(e.contains("duplicate source id 'a'"), "{e}");
        assert!(e.contains("a.toml"), "{e}");
    }

    #[test]
    fn missing_named_sources_dir_is_an_error_missing_default_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "pressd.toml", "sources_dir = \"nowhere\"\n");
        let e = load_err(&path);
        assert!(e.contains("sources_dir"), "{e}");
        let path = write(dir.path(), "pressd.toml", "");
        assert!(Config::load(&path).is_ok());
    }

    #[test]
    fn missing_file_says_how_to_choose_another() {
        let e = load_err(Path::new("/nonexistent/pressd.toml"));
        assert!(e.contains("--config"), "{e}");
    }

    #[test]
    fn metrics_listener_is_off_by_default_and_loopback_unless_allowed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "pressd.toml", "");
        assert_eq!(Config::load(&path).expect("valid").metrics.listen, None);
        let path = write(
            dir.path(),
            "pressd.toml",
            "[metrics]\nlisten = \"127.0.0.1:9187\"\n",
        );
        let c = Config::load(&path).expect("valid");
        assert_eq!(c.metrics.listen, "127.0.0.1:9187".parse().ok());
        let path = write(
            dir.path(),
            "pressd.toml",
            "[metrics]\nlisten = \"0.0.0.0:9187\"\n",
        );
        let e = load_err(&path);
        assert!(e.contains("metrics.listen"), "{e}");
        assert!(e.contains("allow_remote"), "{e}");
        let path = write(
            dir.path(),
            "pressd.toml",
            "[metrics]\nlisten = \"0.0.0.0:9187\"\nallow_remote = true\n",
        );
        assert!(Config::load(&path).is_ok());
        let path = write(
            dir.path(),
            "pressd.toml",
            "[metrics]\nlisten = \"localhost\"\n",
        );
        let e = load_err(&path);
        assert!(e.contains("metrics.listen"), "{e}");
    }

    /// The FHS config shipped for the systemd unit must load too (its
    /// absolute paths need not exist to be valid).
    #[test]
    fn packaged_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/pressd.toml");
        let c = Config::load(&path).expect("packaged config loads");
        assert_eq!(c.index_dir, Path::new("/var/lib/pressd/index"));
        assert_eq!(c.state_dir, Path::new("/var/lib/pressd/state"));
    }

    #[test]
    fn every_kind_with_its_own_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            r#"
[[source]]
id = "listing"
kind = "page"
url = "https://outlet.example.am/hy/news"
link_selector = "h2.title a"
date_selector = "time"
next_selector = "a.next"
max_pages = 2
[[source]]
id = "map"
kind = "sitemap"
url = "https://outlet.example.az/sitemap-news.xml.gz"
max_age = "1d"
[[source]]
id = "tg"
kind = "telegram"
url = "https://t.me/s/some_channel"
follow_links = true
[[source]]
id = "masto"
kind = "mastodon"
url = "https://mastodon.social/@someone"
[[source]]
id = "sky"
kind = "bluesky"
url = "https://bsky.app/profile/someone.bsky.social"
api_base = "https://api.example.net/xrpc/"
[[source]]
id = "x"
kind = "x"
url = "https://x.com/someone"
token_file = "secrets/x.token"
enabled = false
"#,
        );
        let c = Config::load(&path).expect("valid");
        let kinds: Vec<&str> = c.sources.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["page", "sitemap", "telegram", "mastodon", "bluesky", "x"]
        );
        let page = &c.sources[0].options;
        assert_eq!(page.link_selector.as_deref(), Some("h2.title a"));
        assert_eq!(page.max_pages, Some(2));
        assert_eq!(
            c.sources[1].options.max_age,
            Some(Duration::from_secs(86400))
        );
        assert!(c.sources[2].options.follow_links);
        assert_eq!(
            c.sources[4].options.api_base.as_ref().map(Url::as_str),
            Some("https://api.example.net/xrpc/")
        );
        assert_eq!(
            c.sources[5].options.token_file.as_deref(),
            Some(dir.path().join("secrets/x.token").as_path())
        );
        assert_eq!(c.sources[3].options, SourceOptions::default());
    }

    #[test]
    fn kind_keys_are_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            r#"
[[source]]
id = "no-selector"
kind = "page"
url = "https://outlet.example/news"
[[source]]
id = "bad-selector"
kind = "page"
url = "https://outlet.example/news"
link_selector = "h2 >> a["
max_pages = 0
[[source]]
id = "wrong-kind"
kind = "feed"
url = "https://outlet.example/rss"
link_selector = "a"
token_env = "X"
[[source]]
id = "not-a-profile"
kind = "bluesky"
url = "https://bsky.app/someone"
[[source]]
id = "not-an-account"
kind = "mastodon"
url = "https://mastodon.social/users/someone"
api_base = "ftp://api.example/"
"#,
        );
        let e = load_err(&path);
        assert!(
            e.contains("source[0].link_selector: is required for kind \"page\""),
            "{e}"
        );
        assert!(
            e.contains("source[1].link_selector: 'h2 >> a[' is not a valid CSS selector"),
            "{e}"
        );
        assert!(
            e.contains("source[1].max_pages: must be between 1 and 50"),
            "{e}"
        );
        assert!(
            e.contains("source[2].link_selector: does not apply to kind \"feed\" (only to page)"),
            "{e}"
        );
        assert!(
            e.contains("source[2].token_env: does not apply to kind \"feed\" (only to x)"),
            "{e}"
        );
        assert!(e.contains("source[3].url: 'https://bsky.app/someone' is not an account address; write it like https://bsky.app/profile/<handle>"), "{e}");
        assert!(e.contains("source[4].url: "), "{e}");
        assert!(
            e.contains("source[4].api_base: 'ftp://api.example/' is not an http(s) URL"),
            "{e}"
        );
    }

    #[test]
    fn a_token_cannot_be_written_into_the_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "pressd.toml",
            "[[source]]\nid = \"x\"\nkind = \"x\"\nurl = \"https://x.com/someone\"\ntoken = \"AAAA\"\n",
        );
        let e = load_err(&path);
        assert!(e.contains("token"), "{e}");
    }

    /// The config shipped in the repository must always load.
    #[test]
    fn shipped_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CONFIG);
        let c = Config::load(&path).expect("shipped config loads");
        assert!(
            c.sources.len() >= 10,
            "ships a real starting set of outlets"
        );
    }
}
