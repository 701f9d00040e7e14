//! The `feed` source kind: RSS 0.9x/1.0/2.0, Atom and JSON Feed. Turns a
//! fetched body into [`Item`]s: one per entry that has a usable http(s)
//! link, with plain-text title and summary. A feed takes no keys beyond
//! the common ones. The Mastodon and X kinds read feeds through [`poll`]
//! as well (an account's RSS, an RSS bridge).
//!
//! A document is read by the first of these that can:
//! 1. the strict reader, feed-rs ([`strict`]), on the document as served;
//! 2. the strict reader again after [`repair`]s to the text (a DOCTYPE
//!    dropped, a CDATA section closed, a bare `<` or `&` escaped, a tag's
//!    missing `>` put back, HTML entities replaced);
//! 3. the [`lenient`] reader, which collects every entry it can read and
//!    skips (and counts) one it cannot.
//!
//! A strict reading that yields fewer entries than the document visibly
//! holds (feed-rs passes over Atom 0.3 entries, items outside `<channel>`,
//! RSS in UserLand's namespace), or entries without a link where the
//! document writes links in a form feed-rs does not read (RSS 1.0 items
//! known only by `rdf:about`, CDF's `href`), is checked against the
//! lenient reader (of
//! the repaired text: feed-rs reads past some XML errors, and loses what
//! they hide), whose reading is taken when it yields more. Either way the
//! poll reports a [`Reading`]: how many entries the document has and what
//! became of them, which tells health a feed that yields nothing from a
//! feed that has nothing.

mod entry;
mod inspect;
mod lenient;
mod repair;
mod strict;

use std::path::Path;

use scraper::{Html, Selector};
use serde::Deserialize;
use url::Url;

use super::reading::{Reader, Reading};
use super::{KeyProblem, KindKeys, Poll, SourceError, SourceOptions};
use crate::charset;
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
    // The parsers are other people's code fed other people's bytes: a
    // panic in them fails this poll, as an error would, rather than the
    // poller task, which would leave the source silently unpolled.
    let parsed = std::panic::catch_unwind(|| parse(&text, &response.url))
        .unwrap_or_else(|_| Err("the feed parser crashed on this document".to_owned()))
        .map_err(|message| SourceError::Parse {
            url: url.clone(),
            message,
        })?;
    Ok(Poll::Items {
        items: parsed.items,
        validators: response.validators,
        reading: Some(parsed.reading),
        cursor: None,
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

/// A feed document read: its items, and the account of its entries.
#[derive(Debug)]
pub struct Parsed {
    pub items: Vec<Item>,
    pub reading: Reading,
}

/// Parse a decoded feed document into items; links resolve against `base`.
/// The error is a sentence for the user, to follow "not a valid feed: ".
pub fn parse(text: &str, base: &Url) -> Result<Parsed, String> {
    if text.trim().is_empty() {
        return Err("the response body is empty".to_owned());
    }
    // A document whose DOCTYPE declares entities is well-formed, but
    // feed-rs would leave them unexpanded: it goes to the repairs.
    let strict_error = match strict::read(text, base) {
        Ok(document) if !repair::declares_entities(text) => {
            return Ok(checked(text, document, base, None))
        }
        Ok(_) => None,
        Err(error) => Some(error),
    };
    if let (Some(error), true) = (
        &strict_error,
        text.trim_start_matches('\u{FEFF}')
            .trim_start()
            .starts_with('{'),
    ) {
        return Err(strict::describe(error));
    }
    if let Some(message) = html_page_message(text, base) {
        return Err(message);
    }
    // Line and column in the document as served; the repairs keep lines.
    let xml_error = inspect::first_xml_error(text);
    let (repaired, repairs) = repair::repair(text);
    let mended = Mended {
        repairs,
        xml_error: xml_error.as_ref().map(ToString::to_string),
    };
    if !mended.repairs.is_empty() {
        if let Ok(document) = strict::read(&repaired, base) {
            return Ok(checked(&repaired, document, base, Some(mended)));
        }
    }
    let lenient = lenient::read(&repaired, base);
    let is_feed = lenient.root.as_deref().is_some_and(is_feed_root);
    if lenient.document.entries.is_empty() && !(is_feed && lenient.error.is_none()) {
        return Err(failure(strict_error.as_ref(), &lenient, xml_error.as_ref()));
    }
    Ok(read_leniently(&lenient, base, mended))
}

/// What was done to a document before it could be read, and what was
/// wrong with it.
#[derive(Debug, Default)]
struct Mended {
    repairs: Vec<String>,
    xml_error: Option<String>,
}

/// The strict reading of `text`, unless the lenient reader finds more in
/// it (entries feed-rs passed over, links it did not see) or knows better
/// (feed-rs does not tell a guid that is no permalink from one that is).
fn checked(text: &str, document: entry::Document, base: &Url, mended: Option<Mended>) -> Parsed {
    let found = entry::items(&document, base);
    let seen = inspect::glance(text);
    let short =
        document.entries.len() < seen.entries || (found.without_link > 0 && seen.unread_links);
    let doubtful = found.linked_by_id > 0 && denies_permalinks(text);
    if short || doubtful {
        // feed-rs reads past some XML errors (a tag without its `>`, a
        // bare `<`) and loses what they hide; the lenient reader reads the
        // repaired text, which shows it.
        let (repaired, repairs) = match &mended {
            Some(_) => (std::borrow::Cow::Borrowed(text), Vec::new()),
            None => repair::repair(text),
        };
        let lenient = lenient::read(&repaired, base);
        let more = entry::items(&lenient.document, base);
        let (theirs, ours) = (lenient.document.entries.len(), document.entries.len());
        let better = more.items.len() > found.items.len()
            || (more.items.len() == found.items.len() && theirs > ours)
            || (doubtful && theirs >= ours && more.items.len() != found.items.len());
        if better {
            let mended = mended.unwrap_or_else(|| Mended {
                xml_error: inspect::first_xml_error(text).map(|e| e.to_string()),
                repairs,
            });
            return account(Reader::Lenient, theirs, more, mended);
        }
    }
    let reader = match mended {
        Some(_) => Reader::Repaired,
        None => Reader::Strict,
    };
    account(
        reader,
        document.entries.len(),
        found,
        mended.unwrap_or_default(),
    )
}

fn read_leniently(lenient: &lenient::Lenient, base: &Url, mended: Mended) -> Parsed {
    let found = entry::items(&lenient.document, base);
    let mut mended = mended;
    if mended.xml_error.is_none() {
        mended.xml_error = lenient.error.as_ref().map(ToString::to_string);
    }
    account(
        Reader::Lenient,
        lenient.document.entries.len(),
        found,
        mended,
    )
}

fn account(reader: Reader, entries: usize, found: entry::Items, mended: Mended) -> Parsed {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Parsed {
        reading: Reading {
            reader,
            entries: count(entries),
            items: count(found.items.len()),
            unreadable: count(found.unreadable),
            without_link: count(found.without_link),
            repairs: mended.repairs,
            xml_error: mended.xml_error,
            problem: found.problem,
        },
        items: found.items,
    }
}

/// Whether some guid of `text` says `isPermaLink="false"`.
fn denies_permalinks(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.match_indices("ispermalink").any(|(at, m)| {
        let rest = lower[at + m.len()..].trim_start();
        rest.strip_prefix('=')
            .map(|v| v.trim_start().trim_start_matches(['"', '\'']))
            .is_some_and(|v| v.starts_with("false"))
    })
}

/// Whether an element of that name is the root of a feed: `rss`, `feed`,
/// `rdf:RDF`, or a bare `channel` (RSS 0.9x written without its `<rss>`).
fn is_feed_root(name: &str) -> bool {
    let local = name.rsplit(':').next().unwrap_or(name);
    ["rss", "feed", "rdf", "channel"]
        .iter()
        .any(|r| local.eq_ignore_ascii_case(r))
}

/// Why nothing could be read: what the document is, or where its XML
/// breaks.
fn failure(
    strict_error: Option<&feed_rs::parser::ParseFeedError>,
    lenient: &lenient::Lenient,
    xml_error: Option<&inspect::XmlError>,
) -> String {
    let xml_error = xml_error.or(lenient.error.as_ref());
    match lenient.root.as_deref() {
        None => match xml_error {
            Some(e) => format!("no RSS, Atom or JSON Feed document found: malformed XML at {e}"),
            None => {
                "no RSS, Atom or JSON Feed document found: the body holds no XML element".to_owned()
            }
        },
        Some(root) if !is_feed_root(root) => {
            format!("no RSS, Atom or JSON Feed document found: the document element is <{root}>")
        }
        Some(root) => match xml_error {
            Some(e) => {
                format!("malformed XML at {e}; nothing could be read from the <{root}> document")
            }
            None => format!(
                "the <{root}> document could not be read: {}",
                strict_error.map_or_else(|| "no entries found".to_owned(), strict::describe)
            ),
        },
    }
}

/// When `text` is an HTML page rather than a feed, the message saying so,
/// with the feed the page advertises if it names one. A document whose
/// root element is a feed's is a feed, whatever DOCTYPE it carries.
fn html_page_message(text: &str, base: &Url) -> Option<String> {
    if inspect::root_name(text).is_some_and(|root| is_feed_root(&root)) {
        return None;
    }
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
        Some(parse(&text, &base()).map(|p| p.items))
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

    fn reading_fixture(name: &str) -> Option<Result<Parsed, String>> {
        let body = fixture("b_feed_variety", name)?;
        Some(parse(&decode(&response(body, None)), &base()))
    }

    #[test]
    fn malformed_fixtures_are_read_as_far_as_they_go() {
        // Cut off before its first item: nothing to read, and the message
        // names the root and where the XML breaks.
        if let Some(result) = reading_fixture("rss_2.0_invalid_1.xml") {
            let message = result.expect_err("nothing to read");
            assert!(
                message.starts_with("malformed XML at line ")
                    && message.ends_with("nothing could be read from the <rss> document"),
                "{message}"
            );
        }
        // Cut off inside the title of its only item: one entry, unreadable.
        if let Some(result) = reading_fixture("rss_incomplete_cdata.xml") {
            let parsed = result.expect("read");
            assert!(parsed.items.is_empty());
            assert_eq!((parsed.reading.entries, parsed.reading.unreadable), (1, 1));
            assert!(parsed.reading.is_degraded() && parsed.reading.is_repaired());
        }
    }

    #[test]
    fn a_feed_root_is_named_in_every_failure() {
        let message = parse(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<chan",
            &base(),
        )
        .expect_err("nothing to read");
        assert_eq!(
            message,
            "malformed XML at line 3, column 1: syntax error: tag not closed: `>` not found \
             before end of input; nothing could be read from the <rss> document"
        );
        assert_eq!(
            parse("<urlset><url/></urlset>", &base()).expect_err("not a feed"),
            "no RSS, Atom or JSON Feed document found: the document element is <urlset>"
        );
        // An empty channel is an empty feed, not an error.
        let empty = parse("<rss version=\"2.0\"></rss>", &base()).expect("empty");
        assert_eq!(empty.reading.entries, 0);
        assert!(!empty.reading.is_degraded());
    }

    #[test]
    fn pathological_documents_finish() {
        // Each would be quadratic (or worse) for a reader that searched
        // to the end or down the whole stack at every step.
        let documents = [
            format!("<rss><channel>{}", "<![CDATA[x".repeat(50_000)),
            format!("<rss><channel><item>{}", "<a>".repeat(50_000)) + &"</b>".repeat(50_000),
            format!("<rss><channel><item><title>{}", "& <".repeat(50_000)),
            format!(
                "<rss>{}",
                "<item><link>https://e.org/</link>".repeat(20_000)
            ),
        ];
        for doc in &documents {
            let started = std::time::Instant::now();
            let _ = parse(doc, &base());
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "{:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn a_strict_reading_short_of_entries_is_checked_leniently() {
        // feed-rs reads the item inside <channel> only.
        let rss = "<rss version=\"2.0\"><channel><item><link>https://e.org/1</link></item>\
                   </channel><item><link>https://e.org/2</link></item></rss>";
        let parsed = parse(rss, &base()).expect("read");
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.reading.reader, Reader::Lenient);
        // A comment that mentions an item is no item: the strict reading
        // stands.
        let rss = "<rss version=\"2.0\"><channel><!-- <item> --><item><link>https://e.org/1</link>\
                   </item></channel></rss>";
        let parsed = parse(rss, &base()).expect("read");
        assert_eq!(parsed.reading, Reading::strict(1, 1, 0));
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
        let items = parse(rss, &base()).expect("parses").items;
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
        let items = parse(atom, &base()).expect("parses").items;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].url.as_str(), "https://news.example.org/a/1");
        assert_eq!(items[0].title.as_deref(), Some("A b"));
        assert_eq!(items[0].authors, vec!["Nino".to_owned()]);
        assert!(items[0].published.is_some());
        assert_eq!(items[0].lang.as_deref(), Some("ka"));
        let plain = atom.replace(r#" xml:lang="ka""#, "");
        let items = parse(&plain, &base()).expect("parses").items;
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
        // Cut off inside its only entry: that entry is unreadable.
        let cut = parse("<rss version=\"2.0\"><channel><item>", &base()).expect("read");
        assert!(cut.items.is_empty());
        assert_eq!((cut.reading.entries, cut.reading.unreadable), (1, 1));
        assert!(cut.reading.is_degraded());
        assert!(parse("{\"version\": 7}", &base()).is_err());
    }

    #[test]
    fn leading_whitespace_before_the_prolog_is_tolerated() {
        let rss =
            "\n\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
                   <item><title>a</title><link>https://e.org/1</link></item></channel></rss>";
        assert_eq!(parse(rss, &base()).expect("parses").items.len(), 1);
    }

    #[test]
    fn html_entities_in_xml_text() {
        let rss = "<rss version=\"2.0\"><channel><item><title>Caf&eacute; &laquo;Ереван&raquo; &#8212; ok</title>\
                   <link>https://e.org/1</link></item></channel></rss>";
        let items = parse(rss, &base()).expect("parses").items;
        assert_eq!(items[0].title.as_deref(), Some("Café «Ереван» — ok"));
    }

    #[test]
    fn json_body_is_recognised_without_a_type() {
        let body = "\u{FEFF}{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\
                    \"items\":[{\"id\":\"1\",\"url\":\"https://news.example.org/j/1\",\
                    \"content_html\":\"<p>Բարեւ</p>\",\"language\":\"hy\"}]}";
        let text = decode(&response(body.as_bytes().to_vec(), None));
        let items = parse(&text, &base()).expect("json feed").items;
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

        let Poll::Items {
            items,
            validators,
            reading,
            ..
        } = poll(&client, &url, None).await.expect("poll")
        else {
            panic!("expected items");
        };
        assert_eq!(items.len(), 2);
        // Relative links resolve against the URL the feed came from.
        assert_eq!(items[0].url, url_of(&server, "/news/1"));
        assert_eq!(items[0].title.as_deref(), Some("Первая"));
        assert_eq!(items[0].lang.as_deref(), Some("ru"));
        assert_eq!(validators.etag.as_deref(), Some("\"7\""));
        assert_eq!(reading, Some(Reading::strict(2, 2, 0)));

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
