//! The strict reader: feed-rs, which reads well-formed RSS 0.9x/1.0/2.0,
//! Atom 1.0 and JSON Feed documents. It reads almost every feed there is,
//! fast; what it rejects or reads only in part goes on to the repairs and
//! the lenient reader. The few things feed-rs does not know that cost
//! nothing to tell it (RSS 0.90's namespace, an RSS version it has no
//! parser for) are told here.

use std::borrow::Cow;
use std::sync::LazyLock;

use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use regex::Regex;
use url::Url;

use super::entry::{non_empty, Document, Entry, Link};

/// Read `text` with feed-rs; links resolve against `base`.
pub(super) fn read(text: &str, base: &Url) -> Result<Document, ParseFeedError> {
    let feed = match parse(text, base) {
        Ok(feed) => feed,
        // RSS without a version attribute (or with one feed-rs does not
        // know, such as 0.93 or 2.01) is still RSS; read it as 2.0.
        Err(error) => match with_rss_version(text) {
            Some(fixed) => parse(&fixed, base).map_err(|_| error)?,
            None => return Err(error),
        },
    };
    let lang = non_empty(feed.language.as_deref()).or_else(|| root_xml_lang(text));
    let entries = feed.entries.into_iter().map(|e| entry(e, base)).collect();
    Ok(Document { entries, lang })
}

fn entry(e: feed_rs::model::Entry, base: &Url) -> Entry {
    let title = e.title.map(|t| t.content);
    let media_titles = e
        .media
        .iter()
        .filter_map(|m| m.title.as_ref().map(|t| t.content.clone()));
    let summary = e.summary.map(|s| s.content);
    let content = e.content.and_then(|c| c.body);
    let media_descriptions = e
        .media
        .iter()
        .filter_map(|m| m.description.as_ref().map(|d| d.content.clone()));
    Entry {
        base: e.base.as_deref().and_then(|b| base.join(b).ok()),
        // feed-rs files an item's `<comments>` (and Well-Formed Web's)
        // among its links, with a target that says so: not the entry.
        links: e
            .links
            .into_iter()
            .filter(|l| l.target.is_none())
            .map(|l| Link {
                href: l.href,
                rel: l.rel,
                media_type: l.media_type,
            })
            .collect(),
        id: Some(e.id),
        // feed-rs does not say; `checked` has the lenient reader look
        // when it matters.
        id_not_permalink: false,
        about: None,
        titles: title.into_iter().chain(media_titles).collect(),
        summaries: summary
            .into_iter()
            .chain(content)
            .chain(media_descriptions)
            .collect(),
        published: e.published,
        updated: e.updated,
        authors: e.authors.into_iter().filter_map(|p| p.name).collect(),
        lang: e.language,
        damage: None,
    }
}

/// Namespace of RSS 0.90, which feed-rs does not know. Its elements are
/// those of RSS 1.0 (`channel`, `item`, `title`, `link`, `description`), so
/// the document is read as RSS 1.0.
const RSS_090_NS: &str = "http://my.netscape.com/rdf/simple/0.9/";
const RSS_10_NS: &str = "http://purl.org/rss/1.0/";

fn parse(text: &str, base: &Url) -> Result<feed_rs::model::Feed, ParseFeedError> {
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

/// feed-rs's error as a sentence for the user. Where feed-rs finds no
/// feed root it says nothing of what it found; the caller says that.
pub(super) fn describe(error: &ParseFeedError) -> String {
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
mod tests {
    use super::*;

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
}
