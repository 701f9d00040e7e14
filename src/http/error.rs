//! Why a fetch failed: [`FetchError`], one variant per way a request can
//! go wrong, each naming the URL the caller asked for, and whether trying
//! again later may help.

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

use super::guard::classify;
use super::response::Expect;

/// Why a fetch failed. Every variant but `Build` names the URL that was
/// asked for (not the last hop of a redirect chain, which the user never
/// configured).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: no complete response within {} (the server is slow or stalled)", humantime::format_duration(*after))]
    Timeout { url: Url, after: Duration },
    #[error("{url}: could not connect: {message}")]
    Connect { url: Url, message: String },
    #[error("{url}: request failed: {message}")]
    Request { url: Url, message: String },
    #[error("{url}: reading the response failed: {message}")]
    Body { url: Url, message: String },
    #[error("{url}: the server answered {}", describe_status(*status, *retry_after))]
    Status {
        url: Url,
        status: u16,
        /// From a Retry-After header (seconds or HTTP date), if any.
        retry_after: Option<Duration>,
    },
    #[error("{url}: response body exceeds the {} limit (raise http.max_body_size or check the URL)", human_size(*limit))]
    TooLarge { url: Url, limit: u64 },
    #[error("{url}: redirect loop: {at} was reached twice")]
    RedirectLoop {
        url: Url,
        /// The URL reached twice (a string: two `Url`s make the error too
        /// large to pass around cheaply).
        at: String,
    },
    #[error("{url}: more than {limit} redirects (the last one to {last}); raise http.max_redirects or use the final URL")]
    TooManyRedirects {
        url: Url,
        limit: usize,
        /// The redirect target that went over the limit.
        last: String,
    },
    #[error("{url}: only http and https URLs can be fetched")]
    UnsupportedScheme { url: Url },
    #[error("{url}: the server sent {content_type}, which is not {}", expected_words(*expected))]
    UnsupportedContentType {
        url: Url,
        /// The media type, or a description when it was missing.
        content_type: String,
        expected: Expect,
    },
    #[error("{url}: not requested: the server asked for a pause, {} of which is left", humantime::format_duration(round_up_to_seconds(*retry_after)))]
    Paused {
        url: Url,
        /// What is left of the pause the host asked for.
        retry_after: Duration,
    },
    #[error("{url}: the site's robots.txt does not allow pressd to fetch this page")]
    RobotsDisallowed { url: Url },
    #[error("{url}: not fetched: the link leads to {address}, {}; discovered links may only reach public addresses (set http.allow_private_addresses = true to allow)", classify(*address).describe())]
    Forbidden {
        url: Url,
        /// The address refused (of the first hop that had one).
        address: IpAddr,
    },
    #[error("{url}: {message}")]
    Other { url: Url, message: String },
    #[error("cannot set up the HTTP client: {message}")]
    Build { message: String },
}

impl FetchError {
    /// Whether trying again later may succeed (timeouts, connection errors,
    /// 5xx, 408, 429) as opposed to a permanent failure (404, wrong content
    /// type, body too large, redirect loop, robots.txt, guard).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Request { .. }
            | FetchError::Body { .. }
            | FetchError::Paused { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            FetchError::TooLarge { .. }
            | FetchError::RedirectLoop { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::UnsupportedScheme { .. }
            | FetchError::UnsupportedContentType { .. }
            | FetchError::RobotsDisallowed { .. }
            | FetchError::Forbidden { .. }
            | FetchError::Other { .. }
            | FetchError::Build { .. } => false,
        }
    }

    /// How long the server asked us to wait, for 429 and 503 answers and
    /// for requests refused because of such an answer earlier.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            FetchError::Paused { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

fn describe_status(status: u16, retry_after: Option<Duration>) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut text = format!("HTTP {status} {reason}").trim_end().to_owned();
    if let Some(wait) = retry_after {
        text.push_str(&format!(
            " and asks to retry after {}",
            humantime::format_duration(wait)
        ));
    }
    text
}

/// Whole seconds, so that messages do not print nanoseconds left over.
fn round_up_to_seconds(wait: Duration) -> Duration {
    let whole = Duration::from_secs(wait.as_secs());
    if whole < wait {
        whole + Duration::from_secs(1)
    } else {
        whole
    }
}

pub(super) fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn expected_words(expect: Expect) -> &'static str {
    match expect {
        Expect::Feed => "a feed (RSS, Atom or JSON Feed)",
        Expect::Html => "an HTML page",
        Expect::Sitemap => "a sitemap (XML, possibly gzip-compressed)",
    }
}

/// The most specific cause in an error chain ("Connection refused (os
/// error 111)"), not reqwest's outer "error sending request for url",
/// which would repeat the URL.
pub(super) fn innermost_message(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}
