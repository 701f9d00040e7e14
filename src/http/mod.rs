//! The one HTTP client of pressd: timeouts, body-size caps applied to
//! decompressed bytes, redirect limits and loop detection, content-type
//! checks, conditional GET, and per-host concurrency limits. Only this
//! module talks to the network.
//!
//! Redirects are followed here rather than by reqwest so that every hop
//! goes through the same scheme check, per-host limit and loop detection,
//! and so that the deadline covers the whole chain.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use crate::charset;

/// Settings for [`Client`], built from the `[http]` table of the config.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Total time for one request, headers and body, redirects included.
    pub timeout: Duration,
    /// Cap on the decompressed body.
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Requests in flight to one host at most (0 is taken as 1).
    pub per_host_concurrency: usize,
}

/// Cache validators of a previous response, for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What kind of document a request expects; decides the Accept header and
/// which content types are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Feed,
    Html,
}

/// A successful (2xx) response with its body read in full.
#[derive(Debug, Clone)]
pub struct Response {
    /// URL after redirects.
    pub url: Url,
    pub status: u16,
    /// Media type of the Content-Type header, lower-cased, without
    /// parameters (`text/html`).
    pub content_type: Option<String>,
    /// `charset` parameter of the Content-Type header.
    pub charset: Option<String>,
    /// The body after content decoding (gzip, brotli, deflate).
    pub body: Vec<u8>,
    pub validators: Validators,
}

// A fetch result is moved once, from the client to its caller; boxing the
// response would cost an allocation per fetch and change the public shape.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Fetched {
    /// 304: the validators sent still hold.
    NotModified,
    Ok(Response),
}

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
    #[error("{url}: {message}")]
    Other { url: Url, message: String },
    #[error("cannot set up the HTTP client: {message}")]
    Build { message: String },
}

impl FetchError {
    /// Whether trying again later may succeed (timeouts, connection errors,
    /// 5xx, 408, 429) as opposed to a permanent failure (404, wrong content
    /// type, body too large, redirect loop).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Request { .. }
            | FetchError::Body { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            FetchError::TooLarge { .. }
            | FetchError::RedirectLoop { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::UnsupportedScheme { .. }
            | FetchError::UnsupportedContentType { .. }
            | FetchError::Other { .. }
            | FetchError::Build { .. } => false,
        }
    }

    /// How long the server asked us to wait, for 429 and 503 answers.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
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

fn human_size(bytes: u64) -> String {
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
    }
}

const ACCEPT_FEED: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, \
     application/json;q=0.8, */*;q=0.5";
const ACCEPT_HTML: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

/// The HTTP client. Cheap to clone; clones share connections and the
/// per-host limits.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    timeout: Duration,
    max_body_bytes: u64,
    max_redirects: usize,
    per_host_concurrency: usize,
    /// One semaphore per host name. Grows with the number of distinct hosts
    /// seen; the set of configured sources bounds it in practice.
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

/// What one hop of a redirect chain led to.
enum Hop {
    Done(Fetched),
    Redirect(Url),
}

impl Client {
    pub fn new(settings: &HttpSettings) -> Result<Self, FetchError> {
        let inner = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.connect_timeout)
            // The deadline of `get` covers the whole chain; this one is a
            // backstop for a single hop.
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| FetchError::Build {
                message: innermost_message(&e),
            })?;
        Ok(Client {
            inner,
            timeout: settings.timeout,
            max_body_bytes: settings.max_body_bytes,
            max_redirects: settings.max_redirects,
            per_host_concurrency: settings.per_host_concurrency.max(1),
            hosts: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// GET `url`, following redirects, conditional on `validators`.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        expect: Expect,
    ) -> Result<Fetched, FetchError> {
        check_scheme(url, url)?;
        let mut current = url.clone();
        let mut seen = HashSet::from([url.clone()]);
        let mut redirects = 0;
        // The time budget is spent on the network only: waiting for our own
        // per-host limit is not the server's fault.
        let mut budget = self.timeout;
        loop {
            let _permit = self.permit(&current).await;
            let started = Instant::now();
            let hop = tokio::time::timeout(budget, self.hop(url, &current, validators, expect))
                .await
                .map_err(|_| FetchError::Timeout {
                    url: url.clone(),
                    after: self.timeout,
                })??;
            budget = budget.saturating_sub(started.elapsed());
            match hop {
                Hop::Done(fetched) => return Ok(fetched),
                Hop::Redirect(next) => {
                    tracing::debug!(url = %url, from = %current, to = %next, "following redirect");
                    check_scheme(url, &next)?;
                    redirects += 1;
                    if !seen.insert(next.clone()) {
                        return Err(FetchError::RedirectLoop {
                            url: url.clone(),
                            at: next.into(),
                        });
                    }
                    if redirects > self.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: url.clone(),
                            limit: self.max_redirects,
                            last: next.into(),
                        });
                    }
                    current = next;
                }
            }
        }
    }

    fn transport_error(&self, url: &Url, error: &reqwest::Error, reading_body: bool) -> FetchError {
        let url = url.clone();
        if error.is_timeout() {
            // Reqwest's own per-hop backstop fired before our deadline.
            return FetchError::Timeout {
                url,
                after: self.timeout,
            };
        }
        let message = innermost_message(error);
        if reading_body {
            FetchError::Body { url, message }
        } else if error.is_connect() {
            FetchError::Connect { url, message }
        } else {
            FetchError::Request { url, message }
        }
    }

    async fn permit(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let semaphore = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts
                .entry(host)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host_concurrency)))
                .clone()
        };
        // The semaphores are never closed, so this only fails if that
        // changes; going ahead without a permit is then the lesser evil.
        semaphore.acquire_owned().await.ok()
    }

    /// One request of a redirect chain. `asked` is the URL the caller gave,
    /// used in errors.
    async fn hop(
        &self,
        asked: &Url,
        current: &Url,
        validators: Option<&Validators>,
        expect: Expect,
    ) -> Result<Hop, FetchError> {
        let accept = match expect {
            Expect::Feed => ACCEPT_FEED,
            Expect::Html => ACCEPT_HTML,
        };
        let mut request = self
            .inner
            .get(current.clone())
            .header(header::ACCEPT, accept);
        if let Some(v) = validators {
            // A stored validator that is not a valid header value (it came
            // from a server) is dropped: the request is then unconditional.
            if let Some(etag) = v.etag.as_deref().and_then(header_value) {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = v.last_modified.as_deref().and_then(header_value) {
                request = request.header(header::IF_MODIFIED_SINCE, date);
            }
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(asked, &e, false))?;
        let status = response.status();

        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Hop::Done(Fetched::NotModified));
        }
        if status.is_redirection() {
            if let Some(next) = location(response.headers(), current) {
                return Ok(Hop::Redirect(next));
            }
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: asked.clone(),
                status: status.as_u16(),
                retry_after: retry_after(response.headers()),
            });
        }

        let raw_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = raw_type
            .as_deref()
            .map(media_type)
            .filter(|t| !t.is_empty());
        let charset = raw_type.as_deref().and_then(charset::charset_param);
        let verdict = judge_content_type(expect, content_type.as_deref());
        if verdict == Verdict::Refuse {
            return Err(FetchError::UnsupportedContentType {
                url: asked.clone(),
                content_type: content_type.unwrap_or_default(),
                expected: expect,
            });
        }
        let too_large = || FetchError::TooLarge {
            url: asked.clone(),
            limit: self.max_body_bytes,
        };
        // Only known for an identity encoding: reqwest hides the length of a
        // body it decompresses, whose compressed size says nothing anyway.
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body_bytes)
        {
            return Err(too_large());
        }

        let validators = Validators {
            etag: header_string(response.headers(), header::ETAG),
            last_modified: header_string(response.headers(), header::LAST_MODIFIED),
        };
        let capacity = response
            .content_length()
            .unwrap_or(0)
            .min(self.max_body_bytes)
            .min(1 << 20);
        let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        // Chunks arrive decompressed, so the cap holds for compression bombs.
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(asked, &e, true))?
        {
            if body.len() as u64 + chunk.len() as u64 > self.max_body_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }

        if verdict == Verdict::SniffHtml && !looks_like_html(&body) {
            return Err(FetchError::UnsupportedContentType {
                url: asked.clone(),
                content_type: content_type
                    .unwrap_or_else(|| "no content type and no HTML markup".to_owned()),
                expected: expect,
            });
        }

        Ok(Hop::Done(Fetched::Ok(Response {
            url: current.clone(),
            status: status.as_u16(),
            content_type,
            charset,
            body,
            validators,
        })))
    }
}

fn check_scheme(asked: &Url, url: &Url) -> Result<(), FetchError> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        _ => Err(FetchError::UnsupportedScheme { url: asked.clone() }),
    }
}

fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The target of a redirect, resolved against the URL that answered.
fn location(headers: &HeaderMap, base: &Url) -> Option<Url> {
    let value = headers.get(header::LOCATION)?.to_str().ok()?;
    base.join(value.trim()).ok()
}

/// Retry-After as delta-seconds or as an HTTP date (a date in the past
/// means now).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// Read the body and accept it only if it looks like HTML.
    SniffHtml,
    Refuse,
}

/// Whether a response of `media_type` can be what `expect` asks for,
/// decided from the headers so a PDF or a video is never downloaded.
///
/// Pages: HTML and XHTML are taken; `text/plain` and a missing type are
/// taken only if the body turns out to be HTML (misconfigured servers send
/// both); everything else is refused.
///
/// Feeds: servers label feeds every which way (`text/html`,
/// `application/octet-stream`, `text/plain`, nothing at all), so only
/// types that cannot be a feed are refused. An HTML page given as a feed
/// URL gets a clearer error from the feed parser than it would get here.
fn judge_content_type(expect: Expect, media_type: Option<&str>) -> Verdict {
    match (expect, media_type) {
        (Expect::Html, None | Some("text/plain")) => Verdict::SniffHtml,
        (Expect::Html, Some("text/html" | "application/xhtml+xml")) => Verdict::Accept,
        (Expect::Html, Some(_)) => Verdict::Refuse,
        (Expect::Feed, Some(t)) if is_binary_type(t) => Verdict::Refuse,
        (Expect::Feed, _) => Verdict::Accept,
    }
}

/// Media types that are never a feed: documents, archives and media.
fn is_binary_type(media_type: &str) -> bool {
    let (top, sub) = media_type.split_once('/').unwrap_or((media_type, ""));
    matches!(top, "image" | "audio" | "video" | "font" | "model")
        || (top == "application"
            && (matches!(
                sub,
                "pdf"
                    | "zip"
                    | "gzip"
                    | "x-gzip"
                    | "x-tar"
                    | "x-bzip2"
                    | "x-xz"
                    | "x-7z-compressed"
                    | "x-rar-compressed"
                    | "vnd.rar"
                    | "msword"
                    | "x-shockwave-flash"
                    | "wasm"
            ) || sub.starts_with("vnd.ms-")
                || sub.starts_with("vnd.openxmlformats-")
                || sub.starts_with("vnd.oasis.opendocument.")))
}

/// Whether the start of a body is HTML markup.
fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<title",
        "<meta ",
    ]
    .iter()
    .any(|marker| head.contains(marker))
}

/// The most specific cause in an error chain ("Connection refused (os
/// error 111)"), not reqwest's outer "error sending request for url",
/// which would repeat the URL.
fn innermost_message(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests;
