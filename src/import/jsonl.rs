//! One JSON-lines record (a news-please or Media Cloud export line, or
//! anything of the same shape) → an item that carries its text or HTML.
//!
//! Keys read: `url` (required), `title`, `body`, `html`, `published`,
//! `authors`, `lang`, `source`; any other key is ignored, as exports carry
//! many.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::item::Item;

#[derive(Debug, Deserialize)]
struct Record {
    url: Option<String>,
    title: Option<String>,
    body: Option<String>,
    html: Option<String>,
    /// A string (RFC 3339, a date, the forms pages write) or a Unix time.
    published: Option<Value>,
    authors: Option<Authors>,
    lang: Option<String>,
    source: Option<String>,
}

/// `authors` as a list or, as some exports write it, a single name.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Authors {
    One(String),
    Many(Vec<String>),
}

/// A record read: the source it names (if any) and its item.
#[derive(Debug, PartialEq)]
pub(super) struct Parsed {
    pub source: Option<String>,
    pub item: Item,
}

/// Read one line; `Err` says what is wrong with it.
pub(super) fn parse(line: &str) -> Result<Parsed, String> {
    let record: Record =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let url = record.url.as_deref().map(str::trim).unwrap_or_default();
    if url.is_empty() {
        return Err("no url".to_string());
    }
    let url = Url::parse(url).map_err(|e| format!("url {url:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("url {url}: not an http(s) URL"));
    }
    let present = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let title = present(record.title).map(|t| t.trim().to_string());
    let body = present(record.body);
    let html = present(record.html);
    let published = match record.published {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(date(&s)?),
        Some(Value::Number(n)) => Some(date(&n.to_string())?),
        Some(other) => return Err(format!("published: {other} is not a date")),
    };
    let authors = match record.authors {
        None => Vec::new(),
        Some(Authors::One(a)) => vec![a],
        Some(Authors::Many(a)) => a,
    }
    .into_iter()
    .map(|a| a.trim().to_string())
    .filter(|a| !a.is_empty())
    .collect();
    let base = Item {
        title,
        published,
        authors,
        lang: present(record.lang),
        ..Item::article(url)
    };
    let item = match (html, body) {
        // The page is extracted; the given body stands in if it yields none.
        (Some(html), body) => Item {
            html: Some(html),
            summary: body,
            ..base
        },
        (None, body) if body.is_some() || base.title.is_some() => Item {
            text: Some(body.unwrap_or_default()),
            ..base
        },
        (None, _) => return Err("neither title nor body nor html".to_string()),
    };
    Ok(Parsed {
        source: present(record.source).map(|s| s.trim().to_string()),
        item,
    })
}

fn date(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    crate::extract::date::parse(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("published: {s:?} is not a date (RFC 3339 or YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_record_carries_its_text() {
        let parsed = parse(
            r#"{"url": "https://am.example/news/1?utm_source=x", "title": " Երևան ",
                "body": "Text.", "published": "2024-03-05", "authors": "Ani Hakobyan",
                "lang": "hy", "source": "archive", "image": "ignored.jpg", "id": 7}"#,
        )
        .expect("parses");
        assert_eq!(parsed.source.as_deref(), Some("archive"));
        let item = parsed.item;
        assert_eq!(item.title.as_deref(), Some("Երևան"));
        assert_eq!(item.text.as_deref(), Some("Text."));
        assert_eq!(item.html, None);
        assert!(!item.needs_fetch());
        assert_eq!(
            item.published.map(|d| d.to_rfc3339()),
            Some("2024-03-05T00:00:00+00:00".to_string())
        );
        assert_eq!(item.authors, ["Ani Hakobyan"]);
        assert_eq!(item.lang.as_deref(), Some("hy"));
    }

    #[test]
    fn html_is_carried_with_the_body_as_its_fallback() {
        let parsed = parse(
            r#"{"url": "https://a.example/2", "html": "<p>x</p>", "body": "plain",
                "published": "2024-03-05T10:00:00+04:00", "authors": ["A", " ", "B"]}"#,
        )
        .expect("parses");
        assert_eq!(parsed.source, None);
        assert_eq!(parsed.item.html.as_deref(), Some("<p>x</p>"));
        assert_eq!(parsed.item.summary.as_deref(), Some("plain"));
        assert_eq!(parsed.item.text, None);
        assert_eq!(parsed.item.authors, ["A", "B"]);
        assert_eq!(
            parsed.item.published.map(|d| d.to_rfc3339()),
            Some("2024-03-05T06:00:00+00:00".to_string())
        );
        // A title alone is a document.
        let titled = parse(r#"{"url": "https://a.example/3", "title": "T"}"#).expect("parses");
        assert_eq!(titled.item.text.as_deref(), Some(""));
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        for (line, wanted) in [
            ("{\"url\": ", "not a JSON object"),
            ("[1, 2]", "not a JSON object"),
            (r#"{"title": "T"}"#, "no url"),
            (r#"{"url": "not a url", "title": "T"}"#, "url \"not a url\""),
            (
                r#"{"url": "ftp://a.example/x", "title": "T"}"#,
                "not an http(s) URL",
            ),
            (
                r#"{"url": "https://a.example/x", "body": " "}"#,
                "neither title nor body nor html",
            ),
            (
                r#"{"url": "https://a.example/x", "title": "T", "published": "soon"}"#,
                "published",
            ),
            (
                r#"{"url": "https://a.example/x", "title": 5}"#,
                "not a JSON object",
            ),
        ] {
            let err = parse(line).expect_err(line);
            assert!(err.contains(wanted), "{line}: {err}");
        }
    }
}
