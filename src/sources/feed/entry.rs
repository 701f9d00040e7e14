//! One feed entry as a reader finds it, and what becomes of it: the item
//! it yields (its link chosen and resolved, its text made plain) or the
//! reason it yields none. The strict reader (feed-rs) and the lenient one
//! both fill [`Entry`]s; the rules that turn them into [`Item`]s are here
//! once, so that a feed reads the same whichever reader read it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use url::Url;

use crate::charset::c1_as_windows_1252;
use crate::extract::text::fragment_line;
use crate::item::Item;

/// What a reader found in a document.
#[derive(Debug, Default)]
pub(super) struct Document {
    pub entries: Vec<Entry>,
    /// The language the feed declares for all its entries.
    pub lang: Option<String>,
}

/// A link of an entry.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Link {
    /// The address as written, or resolved against the `xml:base` in
    /// effect where it was written.
    pub href: String,
    /// `rel`, for Atom links (none: the alternate link).
    pub rel: Option<String>,
}

/// One entry as read. Text fields hold HTML (feeds write HTML in titles
/// and descriptions whatever their declared type); candidates for a field
/// come best first.
#[derive(Debug, Default)]
pub(super) struct Entry {
    /// What the entry's relative links resolve against, when it differs
    /// from the feed's URL (`xml:base`).
    pub base: Option<Url>,
    pub links: Vec<Link>,
    /// `<guid>` or `<id>`: often the permalink.
    pub id: Option<String>,
    /// `rdf:about` of an RSS 1.0 item: the item's URI, its link when it
    /// has no `<link>`.
    pub about: Option<String>,
    pub titles: Vec<String>,
    pub summaries: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Names as written (RSS writes "jane@example.org (Jane Doe)").
    pub authors: Vec<String>,
    pub lang: Option<String>,
    /// Why the entry may be incomplete: the XML error met inside it, or
    /// the document ending before it did. An entry that has no usable link
    /// and this is unreadable rather than linkless.
    pub damage: Option<String>,
}

/// The items of a document and the account of its entries.
#[derive(Debug, Default)]
pub(super) struct Items {
    pub items: Vec<Item>,
    /// Entries read but without a usable http(s) link.
    pub without_link: usize,
    /// Entries that could not be read (damaged, and no usable link).
    pub unreadable: usize,
    /// Why the first unreadable entry could not be read.
    pub problem: Option<String>,
}

/// Turn `document`'s entries into items: one per entry that has a usable
/// http(s) link not already taken by an earlier entry, with plain-text
/// title and summary. Links resolve against `base` (the URL the feed was
/// served from) unless the entry says otherwise.
pub(super) fn items(document: &Document, base: &Url) -> Items {
    let mut out = Items::default();
    let mut seen = HashSet::new();
    out.items.reserve(document.entries.len());
    for entry in &document.entries {
        let entry_base = entry.base.as_ref().unwrap_or(base);
        let Some(url) = link(entry, entry_base) else {
            match &entry.damage {
                Some(damage) => {
                    out.unreadable += 1;
                    out.problem.get_or_insert_with(|| damage.clone());
                }
                None => out.without_link += 1,
            }
            continue;
        };
        if !seen.insert(url.clone()) {
            continue;
        }
        let mut authors: Vec<String> = Vec::new();
        for name in entry.authors.iter().filter_map(|a| author_name(a)) {
            if !authors.contains(&name) {
                authors.push(name);
            }
        }
        out.items.push(Item {
            url: url.clone(),
            title: first_line(&entry.titles),
            published: entry.published.or(entry.updated),
            summary: first_line(&entry.summaries),
            authors,
            lang: non_empty(entry.lang.as_deref()).or_else(|| document.lang.clone()),
            ..Item::article(url)
        });
    }
    out
}

/// The first candidate that has text, as one plain line.
fn first_line(candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| plain(c))
        .find(|line| !line.is_empty())
}

/// An HTML fragment as one plain line; C1 controls left by a Latin-1
/// conversion somewhere (or a reference to one: `&#146;`) read as the
/// windows-1252 characters they stand for, as HTML reads them.
fn plain(html: &str) -> String {
    // Before the HTML reading, which takes U+0085 for a line break.
    fragment_line(&c1_as_windows_1252(html))
}

/// The link of an entry: its alternate link, else the first other http(s)
/// link that points at the entry itself, else an id that is an http(s) URL
/// (RSS guids are often permalinks), else the `rdf:about` of an RSS 1.0
/// item.
fn link(entry: &Entry, base: &Url) -> Option<Url> {
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
                .is_none_or(|r| r.is_empty() || r.eq_ignore_ascii_case("alternate"))
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
            entry
                .id
                .as_deref()
                .and_then(|id| Url::parse(id.trim()).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
        })
        .or_else(|| entry.about.as_deref().and_then(resolve))
}

/// An author's display name: "jane@example.org (Jane Doe)", the RSS form,
/// gives "Jane Doe" (feed-rs splits off the address and leaves
/// "(Jane Doe)"); a bare e-mail address is not a name; "Ann Lee (AP)"
/// stays as it is.
pub(super) fn author_name(raw: &str) -> Option<String> {
    let raw = plain(raw);
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

pub(super) fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
