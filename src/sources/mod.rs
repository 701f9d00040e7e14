//! Source kinds. Each turns fetched responses into discovered
//! [`Item`](crate::item::Item)s; none does I/O of its own beyond asking
//! [`crate::http`]. [`poll`] dispatches on the configured kind.
//!
//! State between polls is kept to the [`Validators`] the scheduler already
//! stores: a source polled without validators is on its first poll (the
//! Telegram source pages back further then), and account ids are looked up
//! again on every poll (one small request) rather than cached.

// A `SourceError` names the source URL and the response or page that was
// wrong, two `Url`s in some variants. It is made once per failed poll, a
// few times an hour per source, so its size costs nothing; boxing the
// fields would only make the variants harder to build and match.
#![allow(clippy::result_large_err)]

pub mod bluesky;
pub mod feed;
pub mod mastodon;
pub mod page;
pub mod sitemap;
pub mod telegram;
pub mod x;

use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use regex::Regex;

use crate::config::{Source, SourceKind};
use crate::http::{Client, Expect, FetchError, Fetched, Response, Validators};
use crate::item::Item;
use url::Url;

/// What one poll of a source produced.
#[derive(Debug)]
pub enum Poll {
    /// The server answered 304 to the conditional request.
    NotModified,
    Items {
        items: Vec<Item>,
        validators: Validators,
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
    match source.kind {
        SourceKind::Feed => poll_feed(client, &source.url, validators).await,
        SourceKind::Page => page::poll(client, source, validators).await,
        SourceKind::Sitemap => sitemap::poll(client, source, validators).await,
        SourceKind::Telegram => telegram::poll(client, source, validators).await,
        SourceKind::Mastodon => mastodon::poll(client, source).await,
        SourceKind::Bluesky => bluesky::poll(client, source).await,
        SourceKind::X => x::poll(client, source, validators).await,
    }
}

/// GET an API URL and parse its JSON body as `T`. A 404 or 410 becomes
/// [`SourceError::Unavailable`] with `gone` as its message; a 429 becomes
/// [`SourceError::RateLimited`]; a body that is not the expected JSON
/// becomes [`SourceError::Malformed`] naming `api`.
async fn get_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    source: &Url,
    api: &Url,
    headers: &[(&str, &str)],
    gone: &str,
) -> Result<T, SourceError> {
    let response = match client
        .get_with_headers(api, None, Expect::Feed, headers)
        .await
    {
        Ok(Fetched::Ok(response)) => response,
        Ok(Fetched::NotModified) => {
            return Err(SourceError::Malformed {
                url: source.clone(),
                response: api.clone(),
                message: "304 Not Modified to an unconditional request".to_owned(),
            })
        }
        Err(FetchError::Status {
            status: 404 | 410, ..
        }) => {
            return Err(SourceError::Unavailable {
                url: source.clone(),
                message: format!("{gone} ({api} answered not found)"),
            })
        }
        Err(FetchError::Status {
            status: 429,
            retry_after,
            ..
        }) => {
            return Err(SourceError::RateLimited {
                url: source.clone(),
                response: api.clone(),
                retry_after,
            })
        }
        Err(FetchError::Paused { retry_after, .. }) => {
            return Err(SourceError::RateLimited {
                url: source.clone(),
                response: api.clone(),
                retry_after: Some(retry_after),
            })
        }
        Err(e) => return Err(e.into()),
    };
    parse_json(source, &response)
}

fn parse_json<T: serde::de::DeserializeOwned>(
    source: &Url,
    response: &Response,
) -> Result<T, SourceError> {
    let body = response.body.as_slice();
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice(body).map_err(|e| SourceError::Malformed {
        url: source.clone(),
        response: response.url.clone(),
        message: format!("not the expected JSON: {e}"),
    })
}

/// The path segments of `url` that are not empty.
fn segments(url: &Url) -> Vec<&str> {
    url.path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default()
}

/// `base` as a directory URL, so that joining a relative path appends to it.
fn as_base(base: &Url) -> Url {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base
}

/// A date as pages, sitemaps and APIs write them: RFC 3339 (with or
/// without seconds), RFC 2822, or a day (`2025-06-02`, `02.06.2025`,
/// `02/06/2025`) with an optional time, taken as UTC when no offset is
/// given. Inside longer text, the first such date is used.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    static DATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)|(\d{1,2}[./]\d{1,2}[./]\d{4}(?:,?\s+\d{1,2}:\d{2})?)",
        )
        .ok()
    });
    let text = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(text) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(text) {
        return Some(d.with_timezone(&Utc));
    }
    let found = DATE.as_ref()?.captures(text)?;
    if let Some(iso) = found.get(1) {
        let iso = iso.as_str().replacen(' ', "T", 1);
        let iso = iso.replace('Z', "+00:00");
        for format in [
            "%Y-%m-%dT%H:%M:%S%.f%:z",
            "%Y-%m-%dT%H:%M%:z",
            "%Y-%m-%dT%H:%M:%S%.f%z",
            "%Y-%m-%dT%H:%M%z",
        ] {
            if let Ok(d) = DateTime::parse_from_str(&iso, format) {
                return Some(d.with_timezone(&Utc));
            }
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(d) = NaiveDateTime::parse_from_str(&iso, format) {
                return Some(d.and_utc());
            }
        }
        return NaiveDate::parse_from_str(&iso, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc());
    }
    let day = found.get(2)?.as_str().replace('/', ".").replace(',', "");
    let day = day.split_whitespace().collect::<Vec<_>>().join(" ");
    NaiveDateTime::parse_from_str(&day, "%d.%m.%Y %H:%M")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(&day, "%d.%m.%Y")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(|d| d.and_utc())
}

/// Plain text of a post's HTML, keeping its line structure: `<br>` and
/// block ends become line breaks, spaces inside a line are collapsed.
fn post_text(root: scraper::ElementRef<'_>) -> String {
    fn walk(node: ego_tree::NodeRef<'_, scraper::Node>, out: &mut String) {
        for child in node.children() {
            match child.value() {
                scraper::Node::Text(t) => out.push_str(t),
                scraper::Node::Element(e) => match e.name() {
                    "br" => out.push('\n'),
                    "script" | "style" | "template" => {}
                    "p" | "div" | "li" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "pre" => {
                        out.push('\n');
                        walk(child, out);
                        out.push('\n');
                    }
                    _ => walk(child, out),
                },
                _ => {}
            }
        }
    }
    let mut raw = String::new();
    walk(*root, &mut raw);
    let mut text = String::with_capacity(raw.len());
    let mut blank = false;
    for line in raw.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank = !text.is_empty();
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        text.push_str(&line);
    }
    text
}

/// [`post_text`] of an HTML fragment.
fn fragment_text(html: &str) -> String {
    post_text(scraper::Html::parse_fragment(html).root_element())
}

/// A post's title: its first line, cut at a word boundary.
fn post_title(text: &str) -> Option<String> {
    const MAX: usize = 120;
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.chars().count() <= MAX {
        return Some(line.to_owned());
    }
    let cut: String = line.chars().take(MAX).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > MAX / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    Some(format!("{}…", cut.trim_end()))
}

/// Poll a `feed` source: conditional GET, decode, parse. Links resolve
/// against the URL the feed was finally served from; errors name `url`, the
/// one the user configured.
pub async fn poll_feed(
    client: &Client,
    url: &Url,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let response = match client.get(url, validators, Expect::Feed).await? {
        Fetched::NotModified => return Ok(Poll::NotModified),
        Fetched::Ok(response) => response,
    };
    let text = feed::decode(&response);
    let items = feed::parse(&text, &response.url).map_err(|message| SourceError::Parse {
        url: url.clone(),
        message,
    })?;
    Ok(Poll::Items {
        items,
        validators: response.validators,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::http::HttpSettings;
    use std::time::Duration;
    use wiremock::matchers::{header, method, path};
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

    /// A source of `kind` at `url` with no kind-specific keys set.
    pub(crate) fn source(kind: SourceKind, url: Url) -> Source {
        Source {
            id: format!("test-{}", kind.as_str()),
            kind,
            url,
            name: None,
            lang: None,
            poll_interval: Duration::from_secs(900),
            enabled: true,
            file: "test.toml".into(),
            options: Default::default(),
        }
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

    #[test]
    fn dates_in_the_shapes_sources_write_them() {
        let at = |s: &str| parse_date(s).map(|d| d.to_rfc3339());
        assert_eq!(
            at("2025-06-02T08:00:00+04:00").as_deref(),
            Some("2025-06-02T04:00:00+00:00")
        );
        assert_eq!(
            at("2025-06-02T08:00+04:00").as_deref(),
            Some("2025-06-02T04:00:00+00:00")
        );
        assert_eq!(
            at("Mon, 02 Jun 2025 08:00:00 GMT").as_deref(),
            Some("2025-06-02T08:00:00+00:00")
        );
        assert_eq!(
            at("2025-06-02").as_deref(),
            Some("2025-06-02T00:00:00+00:00")
        );
        assert_eq!(
            at("Опубликовано 02.06.2025, 14:30").as_deref(),
            Some("2025-06-02T14:30:00+00:00")
        );
        assert_eq!(
            at("2025-06-02 14:30").as_deref(),
            Some("2025-06-02T14:30:00+00:00")
        );
        assert_eq!(at("yesterday"), None);
    }

    #[test]
    fn post_titles_and_text() {
        assert_eq!(
            post_title("\n  First line\nsecond").as_deref(),
            Some("First line")
        );
        let long = "word ".repeat(60);
        let title = post_title(&long).expect("title");
        assert!(
            title.ends_with('…') && title.chars().count() <= 121,
            "{title}"
        );
        assert_eq!(
            fragment_text("<p>Բարեւ<br>աշխարհ</p><p>Second &amp; last</p>"),
            "Բարեւ\nաշխարհ\n\nSecond & last"
        );
    }

    const RSS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Outlet</title><language>ru</language>
<item><title>Первая</title><link>/news/1</link><pubDate>Mon, 02 Jun 2025 08:00:00 +0400</pubDate></item>
<item><title>Вторая</title><link>https://outlet.example/news/2</link></item>
</channel></rss>"#;

    #[tokio::test]
    async fn poll_yields_items_then_not_modified() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/rss"))
            .and(header("if-none-match", "\"7\""))
            .respond_with(ResponseTemplate::new(304))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/old-rss"))
            .respond_with(ResponseTemplate::new(301).insert_header("location", "/rss"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rss"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("etag", "\"7\"")
                    .set_body_raw(RSS, "application/rss+xml; charset=utf-8"),
            )
            .mount(&server)
            .await;
        let client = client();
        let url = url_of(&server, "/old-rss");

        let Poll::Items { items, validators } = poll_feed(&client, &url, None).await.expect("poll")
        else {
            panic!("expected items");
        };
        assert_eq!(items.len(), 2);
        // Relative links resolve against the URL the feed came from.
        assert_eq!(items[0].url, url_of(&server, "/news/1"));
        assert_eq!(items[0].title.as_deref(), Some("Первая"));
        assert_eq!(items[0].lang.as_deref(), Some("ru"));
        assert_eq!(validators.etag.as_deref(), Some("\"7\""));

        let again = poll_feed(&client, &url, Some(&validators))
            .await
            .expect("poll");
        assert!(matches!(again, Poll::NotModified));
    }

    #[tokio::test]
    async fn poll_dispatches_on_the_kind() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(RSS, "application/rss+xml; charset=utf-8"),
            )
            .mount(&server)
            .await;
        let feed = source(SourceKind::Feed, url_of(&server, "/rss"));
        assert_eq!(
            items(poll(&client(), &feed, None).await.expect("feed")).len(),
            2
        );
        // The same document is no sitemap.
        let sitemap = source(SourceKind::Sitemap, url_of(&server, "/rss"));
        let message = poll(&client(), &sitemap, None)
            .await
            .expect_err("not a sitemap")
            .to_string();
        assert!(
            message.contains("the document element is <rss>"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn header_charset_decodes_a_feed_without_prolog() {
        let body = RSS.replace(r#"<?xml version="1.0" encoding="utf-8"?>"#, "");
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&body);
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(bytes.into_owned(), "text/xml; charset=windows-1251"),
            )
            .mount(&server)
            .await;
        let Poll::Items { items, .. } = poll_feed(&client(), &url_of(&server, "/f"), None)
            .await
            .expect("poll")
        else {
            panic!("expected items");
        };
        assert_eq!(items[1].title.as_deref(), Some("Вторая"));
    }

    #[tokio::test]
    async fn html_page_as_feed_is_a_clear_parse_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                "<!doctype html><html><head><title>Home</title></head></html>",
                "text/html; charset=utf-8",
            ))
            .mount(&server)
            .await;
        let url = url_of(&server, "/");
        let error = poll_feed(&client(), &url, None)
            .await
            .expect_err("not a feed");
        assert!(!error.is_transient());
        assert_eq!(
            error.to_string(),
            format!(
                "{url}: not a valid feed: it is an HTML page, not a feed; check the source url"
            )
        );
    }

    #[tokio::test]
    async fn fetch_errors_pass_through() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let error = poll_feed(&client(), &url_of(&server, "/gone"), None)
            .await
            .expect_err("404");
        assert!(matches!(
            error,
            SourceError::Fetch(crate::http::FetchError::Status { status: 404, .. })
        ));
        assert!(!error.is_transient());
    }
}
