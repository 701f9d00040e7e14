//! A configured source: the keys every kind takes, and its kind with the
//! keys only that kind takes ([`SourceOptions`]). [`crate::config`] reads
//! the files into these; each kind's module ([`super::page`],
//! [`super::telegram`], ...) owns its keys ([`KindKeys`]), their checks and
//! the account address it reads from the source URL.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::{bluesky, mastodon, page, sitemap, telegram, x};

/// One configured source.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: String,
    pub url: Url,
    pub name: Option<String>,
    /// Expected language (ISO 639-1), a hint for the detector.
    pub lang: Option<String>,
    pub poll_interval: Duration,
    pub enabled: bool,
    /// The file that defines it.
    pub file: PathBuf,
    /// `min_interval` as configured (here or in `[defaults]`); the bound in
    /// force is [`Source::min_interval`].
    pub min_interval: Option<Duration>,
    /// `max_interval` as configured (here or in `[defaults]`); the bound in
    /// force is [`Source::max_interval`].
    pub max_interval: Option<Duration>,
    /// Requests in flight at once to this source's host, instead of
    /// `http.per_host_concurrency`.
    pub per_host_concurrency: Option<usize>,
    /// Spacing between request starts to this source's host, instead of
    /// `http.per_host_delay`.
    pub per_host_delay: Option<Duration>,
    /// The kind, with the keys only it takes.
    pub options: SourceOptions,
}

/// Longest default `max_interval`: an outlet that publishes daily is still
/// looked at four times a day.
const DEFAULT_MAX_INTERVAL_CAP: Duration = Duration::from_secs(6 * 3600);

impl Source {
    pub fn kind(&self) -> SourceKind {
        self.options.kind()
    }

    /// The shortest poll interval: `min_interval`, else `poll_interval`.
    /// Adaptive polling never goes below it, and a source starts at it.
    pub fn min_interval(&self) -> Duration {
        self.min_interval.unwrap_or(self.poll_interval)
    }

    /// The longest poll interval: `max_interval`, else four times
    /// `poll_interval` capped at 6 h; never below [`Source::min_interval`].
    pub fn max_interval(&self) -> Duration {
        let max = self.max_interval.unwrap_or_else(|| {
            self.poll_interval
                .saturating_mul(4)
                .min(DEFAULT_MAX_INTERVAL_CAP)
        });
        max.max(self.min_interval())
    }
}

/// The kinds of source, as the `kind` key names them.
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
    pub const ALL: [SourceKind; 7] = [
        SourceKind::Feed,
        SourceKind::Page,
        SourceKind::Sitemap,
        SourceKind::Telegram,
        SourceKind::Mastodon,
        SourceKind::Bluesky,
        SourceKind::X,
    ];

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

/// A source's kind with its own keys, checked by the kind's module.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceOptions {
    Feed,
    Page(page::Options),
    Sitemap(sitemap::Options),
    Telegram(telegram::Options),
    Mastodon(mastodon::Options),
    Bluesky(bluesky::Options),
    X(x::Options),
}

impl SourceOptions {
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceOptions::Feed => SourceKind::Feed,
            SourceOptions::Page(_) => SourceKind::Page,
            SourceOptions::Sitemap(_) => SourceKind::Sitemap,
            SourceOptions::Telegram(_) => SourceKind::Telegram,
            SourceOptions::Mastodon(_) => SourceKind::Mastodon,
            SourceOptions::Bluesky(_) => SourceKind::Bluesky,
            SourceOptions::X(_) => SourceKind::X,
        }
    }
}

/// The keys of a `[[source]]` that only one kind takes, as the file writes
/// them. `config` reads them with serde (each implementation denies keys it
/// does not know) and asks the kind to check them.
pub trait KindKeys: serde::de::DeserializeOwned + Default {
    /// Check the keys of a source at `url` (`None` when the URL itself is
    /// wrong, which `config` reports) defined in a file of `dir`. Every
    /// problem is reported, not only the first.
    fn check(
        self,
        url: Option<&Url>,
        dir: &std::path::Path,
    ) -> Result<SourceOptions, Vec<KeyProblem>>;
}

/// One thing wrong with a source's keys: the key and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    pub key: &'static str,
    pub message: String,
}

impl KeyProblem {
    pub fn new(key: &'static str, message: impl Into<String>) -> KeyProblem {
        KeyProblem {
            key,
            message: message.into(),
        }
    }
}

/// Most pages (or child sitemaps) a source may read in one poll.
pub const MAX_PAGES_LIMIT: u32 = 50;

/// The check of `max_pages`, which the kinds that page take.
pub(super) fn check_max_pages(max_pages: Option<u32>, problems: &mut Vec<KeyProblem>) {
    if max_pages.is_some_and(|n| n == 0 || n > MAX_PAGES_LIMIT) {
        problems.push(KeyProblem::new(
            "max_pages",
            format!("must be between 1 and {MAX_PAGES_LIMIT}"),
        ));
    }
}

/// An http(s) URL given as the value of `key` (`api_base`, `rss_url`).
pub(super) fn check_http_url(
    key: &'static str,
    text: Option<&str>,
    problems: &mut Vec<KeyProblem>,
) -> Option<Url> {
    let text = text?;
    match Url::parse(text.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
        _ => {
            problems.push(KeyProblem::new(
                key,
                format!("'{text}' is not an http(s) URL"),
            ));
            None
        }
    }
}

/// The path segments of `url` that are not empty: what the account
/// address parsers of the social kinds match on.
pub(super) fn path_segments(url: &Url) -> Vec<&str> {
    url.path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default()
}

/// The account a social kind reads from its source URL with `parse` (the
/// kind's own address parser); when the URL is not an address written like
/// `shape`, a problem saying so. `None` as well when the URL is missing.
pub(super) fn check_account(
    url: Option<&Url>,
    parse: fn(&Url) -> Option<String>,
    shape: &str,
    problems: &mut Vec<KeyProblem>,
) -> Option<String> {
    let url = url?;
    let account = parse(url);
    if account.is_none() {
        problems.push(KeyProblem::new(
            "url",
            format!("'{url}' is not an account address; write it like {shape}"),
        ));
    }
    account
}
