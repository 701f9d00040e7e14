//! Configuration: the daemon file (`config/pressd.toml` by default) and the
//! source files (`[[source]]` tables in the daemon file and in every `*.toml`
//! of `sources_dir`). Parses, applies defaults, validates, and resolves
//! relative paths against the directory of the file that names them.
//!
//! Every problem is reported with the file and the key it concerns, and all
//! problems of a load are reported together so that `pressd check` shows
//! everything to fix at once.
//!
//! This file holds the public types; `load` runs a load, `files` holds the
//! serde shapes of the files, and `sources` checks the `[[source]]` tables.

mod files;
mod load;
mod sources;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
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

impl Config {
    /// The sources that are polled.
    pub fn enabled_sources(&self) -> impl Iterator<Item = &Arc<Source>> {
        self.sources.iter().filter(|s| s.enabled)
    }
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

fn problem(file: &Path, key: &str, message: String) -> Problem {
    Problem {
        file: file.to_path_buf(),
        key: Some(key.to_string()),
        message,
    }
}
