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
    /// `type`, for Atom links and JSON Feed attachments (none: a page).
    pub media_type: Option<String>,
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
    /// The RSS guid says `isPermaLink="false"`: it is no link.
    pub id_not_permalink: bool,
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
    /// Items whose link is their id (a guid taken for a permalink).
    pub linked_by_id: usize,
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
        let Some((url, by_id)) = link(entry, entry_base) else {
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
        out.linked_by_id += usize::from(by_id);
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

/// The link of an entry, and whether it is its id: its alternate link to a
/// page, else its id when the feed does not deny it is a permalink (RSS
/// guids usually are; so are Atom ids that are URLs) and it is an http(s)
/// URL or a relative path (`2025/06/story`, resolved like a link; an opaque
/// token such as `12345` is no address), else the `rdf:about` of an RSS 1.0
/// item. The links an entry has to
/// other things (`related`, `enclosure`, `self`, an alternate in another
/// format) are not the entry's: an item made of them would index another
/// page under its title. This is how feedparser picks an entry's link
/// too, but for `rdf:about`, which it leaves aside.
fn link(entry: &Entry, base: &Url) -> Option<(Url, bool)> {
    let resolve = |href: &str| {
        let href = href.trim();
        (!href.is_empty())
            .then(|| base.join(href).ok())
            .flatten()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    let alternate = |l: &&Link| {
        let rel = l.rel.as_deref().map(str::trim).unwrap_or("");
        let media_type = l.media_type.as_deref().unwrap_or("");
        let media_type = media_type.split(';').next().unwrap_or("").trim();
        (rel.is_empty() || rel.eq_ignore_ascii_case("alternate"))
            && ["", "text/html", "application/xhtml+xml", "html", "xhtml"]
                .iter()
                .any(|t| media_type.eq_ignore_ascii_case(t))
    };
    if let Some(url) = entry
        .links
        .iter()
        .filter(alternate)
        .find_map(|l| resolve(&l.href))
    {
        return Some((url, false));
    }
    let by_id = entry
        .id
        .as_deref()
        .map(str::trim)
        .filter(|_| !entry.id_not_permalink)
        .and_then(|id| match Url::parse(id) {
            Ok(url) => Some(url).filter(|u| matches!(u.scheme(), "http" | "https")),
            Err(url::ParseError::RelativeUrlWithoutBase) if id.contains('/') => resolve(id),
            Err(_) => None,
        });
    if let Some(url) = by_id {
        return Some((url, true));
    }
    entry
        .about
        .as_deref()
        .and_then(resolve)
        .map(|url| (url, false))
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
