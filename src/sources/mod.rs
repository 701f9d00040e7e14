//! Source kinds. Each turns fetched responses into discovered
//! [`Item`](crate::item::Item)s; none does I/O of its own beyond asking
//! [`crate::http`]. [`poll`] dispatches on the configured kind; what a
//! configured source is lives in [`source`], and each kind's module holds
//! everything about that kind, the check of its configuration keys included.
//!
//! State between polls is the [`Validators`] the scheduler stores (a source
//! polled without validators is on its first poll: the Telegram source
//! pages back further then) and, for the kinds that keep one, a cursor
//! ([`poll_since`]): the social kinds keep the account id they looked up
//! and the newest post they saw, so that a poll asks only for newer posts.

// A `SourceError` names the source URL and the response or page that was
// wrong, two `Url`s in some variants. It is made once per failed poll, a
// few times an hour per source, so its size costs nothing; boxing the
// fields would only make the variants harder to build and match.
#![allow(clippy::result_large_err)]

mod api;
pub mod bluesky;
pub mod feed;
pub mod mastodon;
pub mod page;
pub mod reading;
pub mod sitemap;
pub mod source;
pub mod telegram;
pub mod x;

use std::time::Duration;

use url::Url;

use crate::http::{Client, FetchError, Validators};
use crate::item::Item;
pub use reading::{Reader, Reading};
pub use source::{KeyProblem, KindKeys, Source, SourceKind, SourceOptions};

/// What one poll of a source produced.
#[derive(Debug)]
pub enum Poll {
    /// The server answered 304 to the conditional request.
    NotModified,
    Items {
        items: Vec<Item>,
        validators: Validators,
        /// How completely the document was read, for the kinds that
        /// account for it (feeds); `None` for the others.
        reading: Option<Reading>,
        /// Where the next poll starts ([`poll_since`]), for the kinds that
        /// keep one; `None` keeps none.
        cursor: Option<String>,
    },
}

/// Why a poll failed. Every variant but `Fetch` names the configured source
/// URL first; `Fetch` names the URL that was requested.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: not a valid feed: {message}")]
    Parse { url: Url, message: String },
    #[error("{url}: the selector `{selector}` ({key}) matched nothing on {page}; the page layout may have changed")]
    Layout {
        url: Url,
        /// The config key of the selector (`link_selector`).
        key: &'static str,
        selector: String,
        /// The page it was applied to.
        page: Url,
    },
    #[error("{url}: unexpected response from {response}: {message}")]
    Malformed {
        url: Url,
        response: Url,
        message: String,
    },
    #[error("{url}: {message}")]
    Unavailable { url: Url, message: String },
    #[error("{url}: configuration: {message}")]
    Config { url: Url, message: String },
    #[error("{url}: {response} reports the rate limit reached{}", retry_words(*retry_after))]
    RateLimited {
        url: Url,
        response: Url,
        retry_after: Option<Duration>,
    },
}

fn retry_words(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(
            "; retry after {}",
            humantime::format_duration(Duration::from_secs(wait.as_secs()))
        ),
        None => String::new(),
    }
}

impl SourceError {
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Fetch(e) => e.is_transient(),
            SourceError::RateLimited { .. } => true,
            SourceError::Parse { .. }
            | SourceError::Layout { .. }
            | SourceError::Malformed { .. }
            | SourceError::Unavailable { .. }
            | SourceError::Config { .. } => false,
        }
    }

    /// How long the server asked us to wait before polling again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SourceError::Fetch(e) => e.retry_after(),
            SourceError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Poll `source` once, whatever its kind. `validators` are those stored
/// after the previous successful poll (`None` before the first).
pub async fn poll(
    client: &Client,
    source: &Source,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    poll_since(client, source, validators, None).await
}

/// As [`poll`], from `cursor`: what the last [`Poll::Items`] of the source
/// gave as its cursor. The kind alone reads it; one it cannot read (a
/// newer pressd's, a damaged row) is taken as none, which costs one full
/// poll and nothing else.
pub async fn poll_since(
    client: &Client,
    source: &Source,
    validators: Option<&Validators>,
    cursor: Option<&str>,
) -> Result<Poll, SourceError> {
    match &source.options {
        SourceOptions::Feed => feed::poll(client, &source.url, validators).await,
        SourceOptions::Page(o) => page::poll(client, source, o, validators).await,
        SourceOptions::Sitemap(o) => sitemap::poll(client, source, o, validators).await,
        SourceOptions::Telegram(o) => telegram::poll(client, source, o, validators).await,
        SourceOptions::Mastodon(o) => mastodon::poll(client, source, o, validators, cursor).await,
        SourceOptions::Bluesky(o) => bluesky::poll(client, source, o, validators, cursor).await,
        SourceOptions::X(o) => x::poll(client, source, o, validators, cursor).await,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::http::HttpSettings;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    pub(crate) fn client() -> Client {
        Client::new(&HttpSettings {
            user_agent: "pressd-test/0".to_owned(),
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            max_body_bytes: 1 << 20,
            max_redirects: 3,
            per_host_concurrency: 2,
        })
        .expect("client")
    }

    pub(crate) fn url_of(server: &MockServer, route: &str) -> Url {
        Url::parse(&format!("{}{route}", server.uri())).expect("url")
    }

    /// A source at `url` with `options` and nothing else configured.
    pub(crate) fn source(options: SourceOptions, url: Url) -> Source {
        Source {
            id: format!("test-{}", options.kind().as_str()),
            url,
            name: None,
            lang: None,
            poll_interval: Duration::from_secs(900),
            enabled: true,
            file: "test.toml".into(),
            min_interval: None,
            max_interval: None,
            per_host_concurrency: None,
            per_host_delay: None,
            options,
        }
    }

    /// A source of the kind of `K` at `url` with none of the kind's own
    /// keys set, checked as the config check does.
    pub(crate) fn unconfigured<K: KindKeys>(url: Url) -> Source {
        let options = K::default()
            .check(Some(&url), std::path::Path::new(""))
            .unwrap_or_else(|problems| panic!("{url}: {problems:?}"));
        source(options, url)
    }

    /// A fixture of tests/fixtures/sources/.
    pub(crate) fn fixture(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sources")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// A file of ../shared/fixtures/realworld/c_social, or `None` with a
    /// notice when the shared data is absent.
    pub(crate) fn shared(name: &str) -> Option<Vec<u8>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/realworld/c_social")
            .join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                eprintln!("skipping: fixture {} not present", path.display());
                None
            }
        }
    }

    pub(crate) fn items(poll: Poll) -> Vec<Item> {
        match poll {
            Poll::Items { items, .. } => items,
            Poll::NotModified => panic!("expected items, got 304"),
        }
    }

    #[tokio::test]
    async fn poll_dispatches_on_the_kind() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(feed::tests::RSS, "application/rss+xml; charset=utf-8"),
            )
            .mount(&server)
            .await;
        let feed = source(SourceOptions::Feed, url_of(&server, "/rss"));
        assert_eq!(
            items(poll(&client(), &feed, None).await.expect("feed")).len(),
            2
        );
        // The same document is no sitemap.
        let sitemap = unconfigured::<sitemap::Keys>(url_of(&server, "/rss"));
        let message = poll(&client(), &sitemap, None)
            .await
            .expect_err("not a sitemap")
            .to_string();
        assert!(
            message.contains("the document element is <rss>"),
            "{message}"
        );
    }
}
