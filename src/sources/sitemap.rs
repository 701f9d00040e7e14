//! The `sitemap` source kind: an XML sitemap, a sitemap index (whose most
//! recent child sitemaps are read, a bounded number per poll) or a Google
//! News sitemap (`news:title`, `news:publication_date`, `news:language`),
//! plain or gzip-compressed. Only entries newer than `max_age` are yielded
//! when their date is known: sitemaps of news sites list years of articles.
//! Its keys: `max_age`, `max_pages` (child sitemaps read per poll).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Deserialize;
use url::Url;

use super::source::check_max_pages;
use super::{KeyProblem, KindKeys, Poll, Source, SourceError, SourceOptions};
use crate::charset;
use crate::extract::date;
use crate::http::{Client, Expect, FetchError, Fetched, Response, Validators};
use crate::item::Item;

/// Entries older than this are skipped unless `max_age` says otherwise.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(2 * 24 * 3600);
/// Child sitemaps of an index read per poll unless `max_pages` says otherwise.
pub const DEFAULT_MAX_CHILDREN: u32 = 5;
/// Cap on a decompressed sitemap: the sitemap protocol's own limit.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 50 * 1024 * 1024;

/// The keys of a `sitemap` source, as the file writes them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub max_age: Option<Duration>,
    pub max_pages: Option<u32>,
}

/// The options of a `sitemap` source, checked; unset means the default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Entries older than this are skipped when dated
    /// ([`DEFAULT_MAX_AGE`]).
    pub max_age: Option<Duration>,
    /// Child sitemaps of an index read per poll
    /// ([`DEFAULT_MAX_CHILDREN`]).
    pub max_pages: Option<u32>,
}

impl KindKeys for Keys {
    fn check(self, _url: Option<&Url>, _dir: &Path) -> Result<SourceOptions, Vec<KeyProblem>> {
        let mut problems = Vec::new();
        if self.max_age.is_some_and(|d| d.is_zero()) {
            problems.push(KeyProblem::new("max_age", "must be more than 0s"));
        }
        check_max_pages(self.max_pages, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(SourceOptions::Sitemap(Options {
            max_age: self.max_age,
            max_pages: self.max_pages,
        }))
    }
}

/// One `<url>` of a sitemap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
    pub news_title: Option<String>,
    pub news_date: Option<DateTime<Utc>>,
    pub news_language: Option<String>,
}

/// A parsed sitemap document.
#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    /// `<sitemapindex>`: child sitemaps with their `lastmod`.
    Index(Vec<(String, Option<DateTime<Utc>>)>),
    /// `<urlset>`.
    Urls(Vec<Entry>),
}

pub async fn poll(
    client: &Client,
    source: &Source,
    options: &Options,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let max_age = options.max_age.unwrap_or(DEFAULT_MAX_AGE);
    // An age too large to subtract means "everything".
    let since = chrono::Duration::from_std(max_age)
        .ok()
        .and_then(|age| Utc::now().checked_sub_signed(age))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let max_children = options.max_pages.unwrap_or(DEFAULT_MAX_CHILDREN) as usize;

    let response = match client.get(&source.url, validators, Expect::Sitemap).await? {
        Fetched::NotModified => return Ok(Poll::NotModified),
        Fetched::Ok(response) => response,
    };
    let root_validators = response.validators.clone();
    let entries = match read(&source.url, &response)? {
        Sitemap::Urls(entries) => entries,
        Sitemap::Index(children) => {
            let mut children: Vec<_> = children
                .into_iter()
                .filter(|(_, lastmod)| lastmod.is_none_or(|d| d >= since))
                .filter_map(|(loc, lastmod)| Some((response.url.join(loc.trim()).ok()?, lastmod)))
                .collect();
            // Newest first; undated children after dated ones, in the
            // order the index gives (indexes usually list oldest first, so
            // undated ones are taken from the end).
            children.reverse();
            children.sort_by_key(|c| std::cmp::Reverse(c.1));
            let mut entries = Vec::new();
            let mut first_error = None;
            let mut read_any = false;
            for (child, _) in children.into_iter().take(max_children) {
                match read_child(client, &source.url, &child).await {
                    Ok(found) => {
                        read_any = true;
                        entries.extend(found);
                    }
                    Err(e) => {
                        tracing::warn!(source = %source.id, sitemap = %child, error = %e, "child sitemap failed");
                        first_error.get_or_insert(e);
                    }
                }
            }
            if let (false, Some(e)) = (read_any, first_error) {
                return Err(e);
            }
            entries
        }
    };
    Ok(Poll::Items {
        items: items_from(entries, &response.url, since),
        validators: root_validators,
        reading: None,
        cursor: None,
    })
}

/// A child sitemap of an index: it must hold URLs (indexes are not
/// followed further).
async fn read_child(client: &Client, source: &Url, child: &Url) -> Result<Vec<Entry>, SourceError> {
    let response = match client.get(child, None, Expect::Sitemap).await? {
        Fetched::NotModified => return Ok(Vec::new()),
        Fetched::Ok(response) => response,
    };
    match read(source, &response)? {
        Sitemap::Urls(entries) => Ok(entries),
        Sitemap::Index(_) => Err(SourceError::Malformed {
            url: source.clone(),
            response: child.clone(),
            message: "a sitemap index inside a sitemap index; point the source at the inner index"
                .to_owned(),
        }),
    }
}

/// Decompress (when gzip), decode and parse a fetched sitemap.
fn read(source: &Url, response: &Response) -> Result<Sitemap, SourceError> {
    let malformed = |message: String| SourceError::Malformed {
        url: source.clone(),
        response: response.url.clone(),
        message,
    };
    let body = gunzip(&response.body).map_err(|e| match e {
        GunzipError::TooLarge => SourceError::Fetch(FetchError::TooLarge {
            url: response.url.clone(),
            limit: MAX_UNCOMPRESSED_BYTES,
        }),
        GunzipError::Corrupt(message) => malformed(format!("broken gzip data: {message}")),
    })?;
    let text = charset::decode_xml(&body, response.charset.as_deref());
    parse(&text).map_err(malformed)
}

#[derive(Debug)]
enum GunzipError {
    TooLarge,
    Corrupt(String),
}

/// The body, decompressed if it starts with the gzip magic number (servers
/// send `.xml.gz` files both as `application/gzip` and with a
/// `Content-Encoding` the HTTP client already undid).
fn gunzip(body: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, GunzipError> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(body));
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(MAX_UNCOMPRESSED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| GunzipError::Corrupt(e.to_string()))?;
    if out.len() as u64 > MAX_UNCOMPRESSED_BYTES {
        return Err(GunzipError::TooLarge);
    }
    Ok(std::borrow::Cow::Owned(out))
}

fn utc_date(value: &str) -> Option<DateTime<Utc>> {
    date::parse(value).map(|d| d.to_utc())
}

/// Parse a sitemap or sitemap index. Elements are matched by local name
/// and position, whatever prefix their namespace has; `loc` counts only as
/// a child of `url` or `sitemap` (image and video extensions have their
/// own `loc`).
pub fn parse(text: &str) -> Result<Sitemap, String> {
    let mut reader = Reader::from_str(text);
    // Not trimmed: an entity splits text into events, and the spaces
    // around it belong to the value.
    reader.config_mut().trim_text(false);
    let mut stack: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    let mut children = Vec::new();
    let mut entries = Vec::new();
    let mut entry = Entry::default();
    let mut text_buf = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if root.is_none() {
                    if name != "urlset" && name != "sitemapindex" {
                        return Err(format!(
                            "not a sitemap: the document element is <{name}>, not <urlset> or <sitemapindex>"
                        ));
                    }
                    root = Some(name.clone());
                }
                if matches!(name.as_str(), "url" | "sitemap") && stack.len() == 1 {
                    entry = Entry::default();
                }
                stack.push(name);
                text_buf.clear();
            }
            Event::Empty(start) if root.is_none() => {
                let name = start.local_name().as_ref().to_owned();
                if name != "urlset" && name != "sitemapindex" {
                    return Err(format!("not a sitemap: the document element is <{name}>"));
                }
                root = Some(name);
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(t) => text_buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r.xml10_content() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                text_buf.extend(resolved);
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    continue;
                };
                let parent = stack.last().map(String::as_str);
                let value = text_buf.trim().to_owned();
                text_buf.clear();
                match (parent, name.as_str()) {
                    (Some("url" | "sitemap"), "loc") => entry.loc = value,
                    (Some("url" | "sitemap"), "lastmod") => entry.lastmod = utc_date(&value),
                    (Some("news"), "title") => {
                        entry.news_title = Some(value).filter(|v| !v.is_empty())
                    }
                    (Some("news"), "publication_date") => entry.news_date = utc_date(&value),
                    (Some("publication"), "language") => {
                        entry.news_language = Some(value).filter(|v| !v.is_empty())
                    }
                    (Some("urlset"), "url") if !entry.loc.is_empty() => {
                        entries.push(std::mem::take(&mut entry))
                    }
                    (Some("sitemapindex"), "sitemap") if !entry.loc.is_empty() => {
                        let e = std::mem::take(&mut entry);
                        children.push((e.loc, e.lastmod));
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some("sitemapindex") => Ok(Sitemap::Index(children)),
        Some(_) => Ok(Sitemap::Urls(entries)),
        None => Err("not a sitemap: no <urlset> or <sitemapindex> element".to_owned()),
    }
}

/// Items of the entries dated `since` or later, or undated; links resolve
/// against `base`.
fn items_from(entries: Vec<Entry>, base: &Url, since: DateTime<Utc>) -> Vec<Item> {
    let mut seen = std::collections::HashSet::new();
    let mut items = Vec::new();
    for entry in entries {
        let date = entry.news_date.or(entry.lastmod);
        if date.is_some_and(|d| d < since) {
            continue;
        }
        let Some(url) = base
            .join(entry.loc.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
        else {
            continue;
        };
        if !seen.insert(url.clone()) {
            continue;
        }
        let mut item = Item::article(url);
        item.title = entry.news_title;
        item.published = date;
        item.lang = entry.news_language;
        items.push(item);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::poll;
    use crate::sources::tests::{client, fixture, items, source, url_of};
    use std::io::Write;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn sitemap(url: Url) -> Source {
        source(SourceOptions::Sitemap(Options::default()), url)
    }

    /// A fixture with `{RECENT}` set to an hour ago.
    fn dated(name: &str) -> String {
        let recent = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
        fixture(name).replace("{RECENT}", &recent)
    }

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).expect("gzip");
        encoder.finish().expect("gzip")
    }

    async fn mount(server: &MockServer, route: &str, body: Vec<u8>, content_type: &str) {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn index_news_sitemap_gzip_and_max_age() {
        let server = MockServer::start().await;
        mount(
            &server,
            "/sitemap.xml",
            dated("sitemap_index.xml").into_bytes(),
            "application/xml",
        )
        .await;
        mount(
            &server,
            "/sitemaps/news.xml.gz",
            gzip(&dated("sitemap_news.xml")),
            "application/x-gzip",
        )
        .await;
        mount(
            &server,
            "/sitemaps/pages.xml",
            dated("sitemap_pages.xml").into_bytes(),
            "text/xml",
        )
        .await;
        // The 2019 archive is older than max_age: never asked for.
        Mock::given(method("GET"))
            .and(path("/sitemaps/archive-2019.xml"))
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        let source = sitemap(url_of(&server, "/sitemap.xml"));
        let found = items(poll(&client(), &source, None).await.expect("poll"));
        let urls: Vec<&str> = found.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://outlet.example.az/az/news/iqtisadiyyat/2025-06-02-neft-qiymeti",
                "https://outlet.example.az/ru/news/2025-06-02-forum",
                "https://outlet.example.az/az/about",
                "https://outlet.example.az/az/news/2025-06-02-neft-qiymeti",
            ]
        );
        assert_eq!(
            found[0].title.as_deref(),
            Some("Neft qiyməti yüksəldi & bazar sabitləşdi")
        );
        assert_eq!(found[0].lang.as_deref(), Some("az"));
        assert!(found[0].published.is_some());
        assert_eq!(found[1].title.as_deref(), Some("Форум журналистов в Баку"));
        assert_eq!(found[1].lang.as_deref(), Some("ru"));
        assert_eq!(found[2].published, None);
    }

    #[tokio::test]
    async fn a_gzip_body_served_with_content_encoding_also_reads() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/news.xml"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-encoding", "gzip")
                    .set_body_raw(gzip(&dated("sitemap_news.xml")), "application/xml"),
            )
            .mount(&server)
            .await;
        let options = Options {
            max_age: Some(Duration::from_secs(100 * 365 * 24 * 3600)),
            max_pages: None,
        };
        let source = source(
            SourceOptions::Sitemap(options),
            url_of(&server, "/news.xml"),
        );
        let found = items(poll(&client(), &source, None).await.expect("poll"));
        assert_eq!(found.len(), 3);
    }

    #[tokio::test]
    async fn not_a_sitemap_and_broken_xml_are_named() {
        let server = MockServer::start().await;
        mount(
            &server,
            "/page",
            b"<html><body>hi</body></html>".to_vec(),
            "text/html",
        )
        .await;
        mount(
            &server,
            "/broken.xml",
            b"<urlset><url><loc>x</loc></url".to_vec(),
            "text/xml",
        )
        .await;
        let source_page = sitemap(url_of(&server, "/page"));
        let message = poll(&client(), &source_page, None)
            .await
            .expect_err("html")
            .to_string();
        assert!(
            message.contains("not a sitemap: the document element is <html>"),
            "{message}"
        );
        assert!(message.starts_with(&format!("{}: unexpected response from ", source_page.url)));
        let source_broken = sitemap(url_of(&server, "/broken.xml"));
        let result = poll(&client(), &source_broken, None).await;
        // Truncated XML may read as an empty set or fail; it must not panic.
        eprintln!("{result:?}");
    }

    #[test]
    fn gzip_bombs_stop_at_the_cap() {
        let zeros = vec![0u8; (MAX_UNCOMPRESSED_BYTES + 10) as usize];
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&zeros).expect("gzip");
        let bomb = encoder.finish().expect("gzip");
        assert!(matches!(gunzip(&bomb), Err(GunzipError::TooLarge)));
        assert!(matches!(
            gunzip(&[0x1f, 0x8b, 1, 2, 3]),
            Err(GunzipError::Corrupt(_))
        ));
    }
}
