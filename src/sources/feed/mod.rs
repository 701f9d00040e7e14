//! The `feed` source kind: RSS 0.9x/1.0/2.0, Atom and JSON Feed, through
//! feed-rs. Turns a fetched body into [`Item`]s: one per entry that has a
//! usable http(s) link, with plain-text title and summary. A feed takes no
//! keys beyond the common ones. The Mastodon and X kinds read feeds through
//! [`poll`] as well (an account's RSS, an RSS bridge).

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use regex::Regex;
use scraper::{Html, Selector};
use serde::Deserialize;
use url::Url;

use super::{KeyProblem, KindKeys, Poll, SourceError, SourceOptions};
use crate::charset;
use crate::extract::text::fragment_line;
use crate::http::{Client, Expect, Fetched, Response, Validators};
use crate::item::Item;

/// A `feed` source has no keys of its own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {}

impl KindKeys for Keys {
    fn check(self, _url: Option<&Url>, _dir: &Path) -> Result<SourceOptions, Vec<KeyProblem>> {
        Ok(SourceOptions::Feed)
    }
}

/// Poll the feed at `url`: conditional GET, decode, parse. Links resolve
/// against the URL the feed was finally served from; errors name `url`, the
/// one the user configured.
pub async fn poll(
    client: &Client,
    url: &Url,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let response = match client.get(url, validators, Expect::Feed).await? {
        Fetched::NotModified => return Ok(Poll::NotModified),
        Fetched::Ok(response) => response,
    };
    let text = decode(&response);
    let items = parse(&text, &response.url).map_err(|message| SourceError::Parse {
        url: url.clone(),
        message,
    })?;
    Ok(Poll::Items {
        items,
        validators: response.validators,
    })
}

/// The body of a feed response as text: JSON feeds are UTF-8 by their
/// specification; XML goes through [`charset::decode_xml`], which also
/// makes the prolog agree with the decoded text.
pub fn decode(response: &Response) -> String {
    let body = response.body.as_slice();
    // The bytes decide, not the Content-Type: feeds are mislabelled both
    // ways, and feed-rs itself tells JSON from XML by the first character.
    if first_meaningful_byte(body) == Some(b'{') {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        String::from_utf8_lossy(body).into_owned()
    } else {
        charset::decode_xml(body, response.charset.as_deref())
    }
}

fn first_meaningful_byte(body: &[u8]) -> Option<u8> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Parse a decoded feed document into items; links resolve against `base`.
/// The error is a sentence for the user, to follow "not a valid feed: ".
pub fn parse(text: &str, base: &Url) -> Result<Vec<Item>, String> {
    if text.trim().is_empty() {
        return Err("the response body is empty".to_owned());
    }
    let feed = match parse_with_feed_rs(text, base) {
        Ok(feed) => feed,
        Err(error) => {
            if let Some(message) = html_page_message(text, base) {
                return Err(message);
            }
            // RSS without a version attribute (or with one feed-rs does not
            // know, such as 0.93 or 2.01) is still RSS; read it as 2.0.
            match with_rss_version(text) {
                Some(fixed) => parse_with_feed_rs(&fixed, base).map_err(|_| describe(&error))?,
                None => return Err(describe(&error)),
            }
        }
    };

    let feed_lang = non_empty(feed.language.as_deref()).or_else(|| root_xml_lang(text));
    let mut seen = HashSet::new();
    let mut items = Vec::with_capacity(feed.entries.len());
    for entry in &feed.entries {
        let entry_base = entry
            .base
            .as_deref()
            .and_then(|b| base.join(b).ok())
            .unwrap_or_else(|| base.clone());
        let Some(url) = entry_link(entry, &entry_base) else {
            continue;
        };
        if !seen.insert(url.clone()) {
            continue;
        }
        // Feeds put HTML in titles and descriptions whatever their declared
        // type, and escaped entities (`&amp;amp;`) survive XML unescaping,
        // so every text field is read as an HTML fragment.
        let title = entry
            .title
            .as_ref()
            .map(|t| fragment_line(&t.content))
            .or_else(|| {
                entry
                    .media
                    .iter()
                    .find_map(|m| m.title.as_ref().map(|t| fragment_line(&t.content)))
            })
            .filter(|t| !t.is_empty());
        let summary = entry
            .summary
            .as_ref()
            .map(|s| fragment_line(&s.content))
            .filter(|s| !s.is_empty())
            .or_else(|| {
                entry
                    .content
                    .as_ref()
                    .and_then(|c| c.body.as_deref())
                    .map(fragment_line)
                    .filter(|s| !s.is_empty())
            })
            .or_else(|| {
                entry.media.iter().find_map(|m| {
                    m.description
                        .as_ref()
                        .map(|d| fragment_line(&d.content))
                        .filter(|s| !s.is_empty())
                })
            });
        let mut authors: Vec<String> = Vec::new();
        for person in &entry.authors {
            if let Some(name) = person.name.as_deref().and_then(author_name) {
                if !authors.contains(&name) {
                    authors.push(name);
                }
            }
        }
        items.push(Item {
            url: url.clone(),
            title,
            published: entry.published.or(entry.updated),
            summary,
            authors,
            lang: non_empty(entry.language.as_deref()).or_else(|| feed_lang.clone()),
            ..Item::article(url)
        });
    }
    Ok(items)
}

/// Namespace of RSS 0.90, which feed-rs does not know. Its elements are
/// those of RSS 1.0 (`channel`, `item`, `title`, `link`, `description`), so
/// the document is read as RSS 1.0.
const RSS_090_NS: &str = "http://my.netscape.com/rdf/simple/0.9/";
const RSS_10_NS: &str = "http://purl.org/rss/1.0/";

fn parse_with_feed_rs(text: &str, base: &Url) -> Result<feed_rs::model::Feed, ParseFeedError> {
    let text = if text.contains(RSS_090_NS) {
        Cow::Owned(
            text.replace(&format!("\"{RSS_090_NS}\""), &format!("\"{RSS_10_NS}\""))
                .replace(&format!("'{RSS_090_NS}'"), &format!("'{RSS_10_NS}'")),
        )
    } else {
        Cow::Borrowed(text)
    };
    feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .build()
        .parse(text.as_bytes())
}

fn describe(error: &ParseFeedError) -> String {
    match error {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            "no RSS, Atom or JSON Feed document found".to_owned()
        }
        ParseFeedError::ParseError(kind) => format!("unexpected structure: {kind}"),
        ParseFeedError::IoError(e) => format!("could not be read: {e}"),
        ParseFeedError::JsonSerde(e) => format!("malformed JSON: {e}"),
        ParseFeedError::JsonUnsupportedVersion(v) => {
            format!("unsupported JSON Feed version {v}")
        }
        ParseFeedError::XmlReader(e) => format!("malformed XML: {e}"),
    }
}

/// The link of an entry: its alternate link, else the first other http(s)
/// link that points at the entry itself, else an id that is an http(s) URL
/// (RSS guids are often permalinks).
fn entry_link(entry: &feed_rs::model::Entry, base: &Url) -> Option<Url> {
    let resolve = |href: &str| {
        base.join(href.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    let alternate = entry
        .links
        .iter()
        .filter(|l| {
            l.rel
                .as_deref()
                .is_none_or(|r| r.eq_ignore_ascii_case("alternate"))
        })
        .find_map(|l| resolve(&l.href));
    let not_the_entry = ["self", "edit", "enclosure", "replies", "license", "via"];
    alternate
        .or_else(|| {
            entry
                .links
                .iter()
                .filter(|l| {
                    l.rel
                        .as_deref()
                        .is_none_or(|r| !not_the_entry.iter().any(|n| r.eq_ignore_ascii_case(n)))
                })
                .find_map(|l| resolve(&l.href))
        })
        .or_else(|| {
            Url::parse(entry.id.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
        })
}

/// An author's display name: "jane@example.org (Jane Doe)", the RSS form,
/// gives "Jane Doe" (feed-rs splits off the address and leaves
/// "(Jane Doe)"); a bare e-mail address is not a name; "Ann Lee (AP)"
/// stays as it is.
fn author_name(raw: &str) -> Option<String> {
    let raw = fragment_line(raw);
    let is_email = |s: &str| s.contains('@') && !s.contains(char::is_whitespace);
    if let (Some(open), true) = (raw.find('('), raw.ends_with(')')) {
        let before = raw[..open].trim();
        let inner = raw[open + 1..raw.len() - 1].trim();
        if (before.is_empty() || is_email(before)) && !inner.is_empty() {
            return Some(inner.to_owned());
        }
    }
    (!raw.is_empty() && !is_email(&raw)).then_some(raw)
}

/// `xml:lang` of the root element, which feed-rs reads on Atom entries
/// but not on the root of RSS 1.0 or Atom documents.
fn root_xml_lang(text: &str) -> Option<String> {
    static ROOT: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)\b[^>]*>"#).ok());
    static LANG: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"\sxml:lang\s*=\s*["']([^"']+)["']"#).ok());
    let tag = ROOT.as_ref()?.find(text)?;
    let value = LANG.as_ref()?.captures(tag.as_str())?.get(1)?.as_str();
    non_empty(Some(value))
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// When `text` is an HTML page rather than a feed, the message saying so,
/// with the feed the page advertises if it names one.
fn html_page_message(text: &str, base: &Url) -> Option<String> {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    let html_at = ["<!doctype html", "<html"]
        .iter()
        .filter_map(|m| head.find(m))
        .min()?;
    let feed_at = ["<rss", "<feed", "<rdf:rdf"]
        .iter()
        .filter_map(|m| head.find(m))
        .min();
    if feed_at.is_some_and(|f| f < html_at) {
        return None;
    }
    let mut message = "it is an HTML page, not a feed".to_owned();
    match advertised_feed(text, base) {
        Some(feed) => message.push_str(&format!(
            "; the page names a feed at {feed}, which is probably the source url you want"
        )),
        None => message.push_str("; check the source url"),
    }
    Some(message)
}

/// The first `<link rel="alternate">` of a page that points to a feed.
fn advertised_feed(text: &str, base: &Url) -> Option<Url> {
    let selector = Selector::parse(
        r#"link[rel~="alternate"][type="application/rss+xml"],
           link[rel~="alternate"][type="application/atom+xml"],
           link[rel~="alternate"][type="application/feed+json"]"#,
    )
    .ok()?;
    let page = Html::parse_document(text);
    let href = page
        .select(&selector)
        .find_map(|l| l.value().attr("href"))?;
    base.join(href.trim()).ok()
}

/// `text` with its `<rss>` root declaring version 2.0, or `None` if the
/// root is not `<rss>` or already says 2.0.
fn with_rss_version(text: &str) -> Option<String> {
    static ROOT: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"(?i)<rss(\s[^>]*)?>"#).ok());
    static VERSION: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"(?i)(\sversion\s*=\s*)(["'])([^"']*)(["'])"#).ok());
    let (root, version) = (ROOT.as_ref()?, VERSION.as_ref()?);
    let found = root.find(text)?;
    let tag = found.as_str();
    let fixed_tag = match version.captures(tag) {
        Some(c) if c.get(3).is_some_and(|v| v.as_str() == "2.0") => return None,
        Some(_) => version.replace(tag, "${1}${2}2.0${4}").into_owned(),
        None => format!("<rss version=\"2.0\"{}", &tag[4..]),
    };
    let mut fixed = String::with_capacity(text.len() + 16);
    fixed.push_str(&text[..found.start()]);
    fixed.push_str(&fixed_tag);
    fixed.push_str(&text[found.end()..]);
    Some(fixed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::sources::tests::{client, url_of};
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn base() -> Url {
        Url::parse("https://news.example.org/rss/").expect("url")
    }

    fn fixture(dir: &str, name: &str) -> Option<Vec<u8>> {
        let path = Path::new("../shared/fixtures/realworld")
            .join(dir)
            .join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                eprintln!("skipping: fixture {} not present", path.display());
                None
            }
        }
    }

    fn response(body: Vec<u8>, content_type: Option<&str>) -> Response {
        Response {
            url: base(),
            status: 200,
            content_type: content_type.map(str::to_owned),
            charset: None,
            body,
            validators: Default::default(),
        }
    }

    fn parse_fixture(dir: &str, name: &str) -> Option<Result<Vec<Item>, String>> {
        let body = fixture(dir, name)?;
        let content_type = name.ends_with(".json").then_some("application/feed+json");
        let text = decode(&response(body, content_type));
        Some(parse(&text, &base()))
    }

    #[test]
    fn every_variety_fixture_parses_or_fails_cleanly() {
        let dir = Path::new("../shared/fixtures/realworld/b_feed_variety");
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!("skipping: {} not present", dir.display());
            return;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let Some(result) = parse_fixture("b_feed_variety", &name) else {
                continue;
            };
            match result {
                Ok(items) => {
                    eprintln!("{name}: {} items", items.len());
                    for item in &items {
                        assert!(matches!(item.url.scheme(), "http" | "https"), "{name}");
                        if let Some(title) = &item.title {
                            assert!(!title.contains('<'), "{name}: {title}");
                            assert_eq!(title.trim(), title);
                        }
                    }
                }
                Err(message) => eprintln!("{name}: error: {message}"),
            }
        }
    }

    fn items_of(dir: &str, name: &str) -> Option<Vec<Item>> {
        let result = parse_fixture(dir, name)?;
        Some(result.unwrap_or_else(|e| panic!("{name}: {e}")))
    }

    #[test]
    fn rss2_windows_1251() {
        let Some(items) = items_of("b_feed_variety", "encoding_WINDOWS-1251.xml") else {
            return;
        };
        assert!(!items.is_empty());
        let first = &items[0];
        assert!(first
            .url
            .as_str()
            .starts_with("http://ibash.org.ru/quote.php?id="));
        assert_eq!(first.lang.as_deref(), Some("ru"));
        assert!(first.published.is_some());
        let text: String = items.iter().filter_map(|i| i.summary.clone()).collect();
        assert!(text.chars().any(|c| ('а'..='я').contains(&c)), "{text}");
        assert!(!text.contains('\u{FFFD}'));
    }

    #[test]
    fn rss_090_rdf() {
        let Some(items) = items_of("b_feed_variety", "rdf_UTF8.xml") else {
            return;
        };
        assert!(items.len() >= 50, "{}", items.len());
        assert!(items[0]
            .url
            .as_str()
            .starts_with("https://www.heise.de/newsticker/meldung/"));
        assert!(items[0]
            .title
            .as_deref()
            .is_some_and(|t| t.contains("OLED")));
    }

    #[test]
    fn koi8r_without_version_or_declaration() {
        let Some(result) = parse_fixture("b_feed_variety", "koi8r.xml") else {
            return;
        };
        // The only item has no link: nothing to yield, but no error either.
        let items = result.expect("parses as RSS 2.0");
        assert!(items.is_empty());
    }

    #[test]
    fn atom_reddit() {
        let Some(items) = items_of("b_feed_variety", "atom_example_reddit.xml") else {
            return;
        };
        assert!(!items.is_empty());
        for item in &items {
            assert!(item
                .url
                .as_str()
                .starts_with("https://www.reddit.com/r/rust/"));
            assert!(item.title.is_some());
            assert!(!item.authors.is_empty());
        }
    }

    #[test]
    fn json_feed() {
        let Some(items) = items_of("b_feed_variety", "jsonfeed_example_1.json") else {
            return;
        };
        assert!(!items.is_empty());
        assert!(items.iter().all(|i| i.url.host_str().is_some()));
        assert!(items.iter().any(|i| i.summary.is_some()));
    }

    #[test]
    fn rss_091_latin1() {
        let Some(items) = items_of("b_feed_variety", "rss_0.91_encoding_1.xml") else {
            return;
        };
        assert!(!items.is_empty());
        assert_eq!(items[0].lang.as_deref(), Some("pt-br"));
    }

    #[test]
    fn regional_rss_with_bom() {
        let Some(items) = items_of("a_regional_outlets", "Rss20CityDog.xml") else {
            return;
        };
        assert!(!items.is_empty());
        let title = items[0].title.as_deref().expect("title");
        assert!(!title.starts_with('\u{FEFF}'));
        assert!(items.iter().all(|i| i.published.is_some()));
    }

    #[test]
    fn malformed_fixtures_do_not_panic() {
        for name in ["rss_2.0_invalid_1.xml", "rss_incomplete_cdata.xml"] {
            if let Some(result) = parse_fixture("b_feed_variety", name) {
                eprintln!("{name}: {:?}", result.map(|items| items.len()));
            }
        }
    }

    #[test]
    fn titles_and_summaries_become_plain_text() {
        let rss = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title><language>hy</language>
<item>
  <title>Tom &amp;amp; Jerry &lt;b&gt;live&lt;/b&gt;</title>
  <link> /news/1 </link>
  <description><![CDATA[<p>First&nbsp;para.</p><p>Second <a href="x">link</a>.</p><script>var x;</script>]]></description>
  <author>jane@example.org (Jane Doe)</author>
  <pubDate>Tue, 03 Jun 2025 09:39:21 GMT</pubDate>
</item>
<item><title>No link</title><description>x</description></item>
<item><title>Guid only</title><guid>https://news.example.org/2</guid></item>
<item><title>Duplicate</title><link>https://news.example.org/news/1</link></item>
</channel></rss>"#;
        let items = parse(rss, &base()).expect("parses");
        assert_eq!(items.len(), 2);
        let first = &items[0];
        assert_eq!(first.url.as_str(), "https://news.example.org/news/1");
        assert_eq!(first.title.as_deref(), Some("Tom & Jerry live"));
        assert_eq!(first.summary.as_deref(), Some("First para. Second link."));
        assert_eq!(first.authors, vec!["Jane Doe".to_owned()]);
        assert_eq!(first.lang.as_deref(), Some("hy"));
        assert_eq!(
            first.published.map(|d| d.to_rfc3339()),
            Some("2025-06-03T09:39:21+00:00".to_owned())
        );
        assert_eq!(items[1].url.as_str(), "https://news.example.org/2");
    }

    #[test]
    fn atom_alternate_link_wins_and_content_language_applies() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>t</title><id>urn:x</id><updated>2025-01-01T00:00:00Z</updated>
<entry>
  <id>urn:uuid:1</id><content type="text" xml:lang="ka">Ტექსტი</content><title type="html">A &lt;em&gt;b&lt;/em&gt;</title>
  <link rel="edit" href="https://news.example.org/edit/1"/>
  <link rel="alternate" href="https://news.example.org/a/1"/>
  <updated>2025-02-01T10:00:00Z</updated>
  <author><name>Nino</name></author>
</entry>
</feed>"#;
        let items = parse(atom, &base()).expect("parses");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].url.as_str(), "https://news.example.org/a/1");
        assert_eq!(items[0].title.as_deref(), Some("A b"));
        assert_eq!(items[0].authors, vec!["Nino".to_owned()]);
        assert!(items[0].published.is_some());
        assert_eq!(items[0].lang.as_deref(), Some("ka"));
        let plain = atom.replace(r#" xml:lang="ka""#, "");
        let items = parse(&plain, &base()).expect("parses");
        assert_eq!(items[0].lang.as_deref(), Some("en"));
    }

    #[test]
    fn html_page_is_named_as_such() {
        let page = r#"<!DOCTYPE html><html><head><title>News</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body></body></html>"#;
        let message = parse(page, &base()).expect_err("not a feed");
        assert_eq!(
            message,
            "it is an HTML page, not a feed; the page names a feed at \
             https://news.example.org/feed.xml, which is probably the source url you want"
        );
        let bare = "<html><body>hello</body></html>";
        assert_eq!(
            parse(bare, &base()).expect_err("not a feed"),
            "it is an HTML page, not a feed; check the source url"
        );
    }

    #[test]
    fn garbage_and_empty_bodies_are_errors() {
        assert_eq!(
            parse("  \n", &base()).expect_err("empty"),
            "the response body is empty"
        );
        assert!(parse("hello", &base()).is_err());
        assert!(
            parse("<rss version=\"2.0\"><channel><item>", &base()).is_ok_and(|i| i.is_empty())
                || parse("<rss version=\"2.0\"><channel><item>", &base()).is_err()
        );
        assert!(parse("{\"version\": 7}", &base()).is_err());
    }

    #[test]
    fn leading_whitespace_before_the_prolog_is_tolerated() {
        let rss =
            "\n\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
                   <item><title>a</title><link>https://e.org/1</link></item></channel></rss>";
        assert_eq!(parse(rss, &base()).expect("parses").len(), 1);
    }

    #[test]
    fn html_entities_in_xml_text() {
        let rss = "<rss version=\"2.0\"><channel><item><title>Caf&eacute; &laquo;Ереван&raquo; &#8212; ok</title>\
                   <link>https://e.org/1</link></item></channel></rss>";
        let items = parse(rss, &base()).expect("parses");
        assert_eq!(items[0].title.as_deref(), Some("Café «Ереван» — ok"));
    }

    #[test]
    fn author_names() {
        assert_eq!(
            author_name("jane@example.org (Jane Doe)").as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(author_name("Ann Lee (AP)").as_deref(), Some("Ann Lee (AP)"));
        assert_eq!(author_name("(Jane Doe)").as_deref(), Some("Jane Doe"));
        assert_eq!(author_name("news@example.org"), None);
        assert_eq!(author_name("  "), None);
        assert_eq!(
            author_name("Армен Петросян").as_deref(),
            Some("Армен Петросян")
        );
    }

    #[test]
    fn rss_version_is_supplied_when_missing_or_unknown() {
        assert_eq!(
            with_rss_version("<!-- c --><rss><channel/></rss>").as_deref(),
            Some("<!-- c --><rss version=\"2.0\"><channel/></rss>")
        );
        assert_eq!(
            with_rss_version("<rss version='0.94' xmlns:a='b'>").as_deref(),
            Some("<rss version='2.0' xmlns:a='b'>")
        );
        assert_eq!(with_rss_version("<rss version=\"2.0\">"), None);
        assert_eq!(with_rss_version("<feed>"), None);
    }

    #[test]
    fn json_body_is_recognised_without_a_type() {
        let body = "\u{FEFF}{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\
                    \"items\":[{\"id\":\"1\",\"url\":\"https://news.example.org/j/1\",\
                    \"content_html\":\"<p>Բարեւ</p>\",\"language\":\"hy\"}]}";
        let text = decode(&response(body.as_bytes().to_vec(), None));
        let items = parse(&text, &base()).expect("json feed");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].summary.as_deref(), Some("Բարեւ"));
    }

    pub(crate) const RSS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
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

        let Poll::Items { items, validators } = poll(&client, &url, None).await.expect("poll")
        else {
            panic!("expected items");
        };
        assert_eq!(items.len(), 2);
        // Relative links resolve against the URL the feed came from.
        assert_eq!(items[0].url, url_of(&server, "/news/1"));
        assert_eq!(items[0].title.as_deref(), Some("Первая"));
        assert_eq!(items[0].lang.as_deref(), Some("ru"));
        assert_eq!(validators.etag.as_deref(), Some("\"7\""));

        let again = poll(&client, &url, Some(&validators)).await.expect("poll");
        assert!(matches!(again, Poll::NotModified));
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
        let Poll::Items { items, .. } = poll(&client(), &url_of(&server, "/f"), None)
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
        let error = poll(&client(), &url, None).await.expect_err("not a feed");
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
        let error = poll(&client(), &url_of(&server, "/gone"), None)
            .await
            .expect_err("404");
        assert!(matches!(
            error,
            SourceError::Fetch(crate::http::FetchError::Status { status: 404, .. })
        ));
        assert!(!error.is_transient());
    }
}
