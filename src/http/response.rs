//! What a fetch gives back ([`Fetched`], [`Response`], [`Validators`]) and
//! how a response is judged before its body is read: the document type a
//! request expects ([`Expect`]) decides the Accept header sent and which
//! content types are refused, so a PDF or a video is never downloaded.

use url::Url;

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
    /// A sitemap: XML, or gzip-compressed XML served as such (the caller
    /// decompresses it).
    Sitemap,
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

pub(super) const ACCEPT_FEED: &str =
    "application/rss+xml, application/atom+xml, application/feed+json, \
     application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, \
     application/json;q=0.8, */*;q=0.5";
pub(super) const ACCEPT_SITEMAP: &str = "application/xml, text/xml, application/gzip;q=0.9, \
     application/x-gzip;q=0.9, */*;q=0.5";
pub(super) const ACCEPT_HTML: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";
pub(super) const ACCEPT_ROBOTS: &str = "text/plain, */*;q=0.5";

pub(super) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
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
pub(super) fn judge_content_type(expect: Expect, media_type: Option<&str>) -> Verdict {
    match (expect, media_type) {
        (Expect::Html, None | Some("text/plain")) => Verdict::SniffHtml,
        (Expect::Html, Some("text/html" | "application/xhtml+xml")) => Verdict::Accept,
        (Expect::Html, Some(_)) => Verdict::Refuse,
        (Expect::Feed, Some(t)) if is_binary_type(t) => Verdict::Refuse,
        (Expect::Feed, _) => Verdict::Accept,
        (Expect::Sitemap, Some("application/gzip" | "application/x-gzip")) => Verdict::Accept,
        (Expect::Sitemap, Some(t)) if is_binary_type(t) => Verdict::Refuse,
        (Expect::Sitemap, _) => Verdict::Accept,
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
pub(super) fn looks_like_html(body: &[u8]) -> bool {
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
