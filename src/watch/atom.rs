//! A watch's latest hits as an Atom 1.0 feed (RFC 4287), so that any feed
//! reader can follow a watch: served at `/watches/ID.atom`.
//!
//! The feed's id is `urn:pressd:watch:ID`; each entry is a hit, with the
//! article's URL as its id and link, its title, `updated` the time the
//! watch fired for it (`published` the article's date when known), and its
//! snippet as the summary. The feed's author is pressd, which every entry
//! inherits (Atom asks for an author on each entry or on the feed).

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::escape::escape;

use super::Watch;
use crate::index::{HIGHLIGHT_END, HIGHLIGHT_START};

/// Entries a feed lists.
pub const FEED_ENTRIES: usize = 50;

/// The fields of a stored hit a feed shows.
#[derive(serde::Deserialize)]
struct Shown {
    #[serde(default)]
    url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    snippet: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    lang: String,
    published: Option<DateTime<Utc>>,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The feed of `watch` with `hits` (stored hit JSON and when it fired,
/// newest first), served from `self_url` when known.
pub fn feed(
    watch: &Watch,
    hits: &[(String, DateTime<Utc>)],
    self_url: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let updated = hits.iter().map(|(_, at)| *at).max().unwrap_or(now);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "  <id>urn:pressd:watch:{}</id>\n",
        escape(watch.id.as_str())
    ));
    out.push_str(&format!(
        "  <title>pressd watch {}: {}</title>\n",
        escape(watch.id.as_str()),
        escape(watch.query.as_str())
    ));
    out.push_str(&format!("  <updated>{}</updated>\n", time(updated)));
    out.push_str("  <author><name>pressd</name></author>\n");
    out.push_str(&format!(
        "  <generator version=\"{}\">pressd</generator>\n",
        env!("CARGO_PKG_VERSION")
    ));
    if let Some(url) = self_url {
        out.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            escape(url)
        ));
    }
    for (json, at) in hits {
        let Ok(hit) = serde_json::from_str::<Shown>(json) else {
            continue;
        };
        if hit.url.is_empty() {
            continue;
        }
        let title = if hit.title.trim().is_empty() {
            hit.url.as_str()
        } else {
            hit.title.as_str()
        };
        let summary = hit
            .snippet
            .replace(HIGHLIGHT_START, "")
            .replace(HIGHLIGHT_END, "");
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", escape(hit.url.as_str())));
        out.push_str(&format!("    <title>{}</title>\n", escape(title)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" href=\"{}\"/>\n",
            escape(hit.url.as_str())
        ));
        out.push_str(&format!("    <updated>{}</updated>\n", time(*at)));
        if let Some(published) = hit.published {
            out.push_str(&format!("    <published>{}</published>\n", time(published)));
        }
        if !hit.source.is_empty() {
            out.push_str(&format!(
                "    <category term=\"{}\" label=\"source\"/>\n",
                escape(hit.source.as_str())
            ));
        }
        if !hit.lang.is_empty() {
            out.push_str(&format!(
                "    <category term=\"{}\" label=\"lang\"/>\n",
                escape(hit.lang.as_str())
            ));
        }
        out.push_str(&format!(
            "    <summary>{}</summary>\n",
            escape(summary.as_str())
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::{Per, Retry};
    use std::time::Duration;

    #[test]
    fn the_feed_parses_and_lists_the_hits() {
        let watch = Watch {
            id: "bridge".into(),
            query: "Hajiyev \"Bridge of Peace\"".into(),
            langs: Vec::new(),
            sources: Vec::new(),
            kinds: Vec::new(),
            per: Per::Article,
            digest: None,
            webhook: None,
            command: None,
            feed: true,
            retry: Retry {
                first: Duration::from_secs(1),
                give_up: Duration::from_secs(1),
            },
            file: "pressd.toml".into(),
        };
        let at = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let hits = vec![(
            r#"{"url":"https://e.org/a?x=1&y=2","title":"Гаджиев & <co>","snippet":"**Гаджиев** said","source":"ru-outlet","lang":"ru","published":"2024-03-15T10:00:00Z","story":null}"#.to_string(),
            at,
        )];
        let xml = feed(
            &watch,
            &hits,
            Some("http://127.0.0.1:9/watches/bridge.atom"),
            at,
        );
        let parsed = feed_rs::parser::parse(xml.as_bytes()).expect("parses");
        assert_eq!(parsed.id, "urn:pressd:watch:bridge");
        assert_eq!(parsed.entries.len(), 1);
        let e = &parsed.entries[0];
        assert_eq!(e.links[0].href, "https://e.org/a?x=1&y=2");
        assert_eq!(e.title.as_ref().expect("title").content, "Гаджиев & <co>");
        assert_eq!(e.summary.as_ref().expect("summary").content, "Гаджиев said");
        assert_eq!(e.updated, Some(at));
    }
}
