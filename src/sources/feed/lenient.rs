//! The lenient reader: every `<item>` and `<entry>` it can find in a
//! document, whatever the format's version or namespace (RSS 0.9x, 1.0 and
//! 2.0 with or without a namespace, the old UserLand and Harvard ones
//! included; Atom 0.3 and 1.0; RDF items known only by `rdf:about`;
//! Microsoft's CDF, whose items carry their link in `href`), and wherever
//! they sit (an RSS `<item>` outside its `<channel>`). Element names are
//! matched without regard to case, as old feeds write `<ITEM>`. The strict
//! reader (feed-rs) comes first; this one reads the documents it rejects
//! and those from which it reads fewer entries than they hold.
//!
//! It is quick-xml's low-level reader with every check it can drop
//! dropped (end-tag names, unmatched end tags, lone ampersands; attributes
//! are read as HTML writes them, quoted or not), and an element stack of
//! its own: an end tag closes the nearest open element of its name and
//! whatever is still open inside it; a stray end tag is ignored; an
//! `<item>` that starts while another is open ends the open one, and a
//! field of the entry that starts inside another field (a `<link>` after
//! a `<title>` left open) ends that one. An error costs the entry it falls
//! in at most, and that entry only if it has no usable link by the time it
//! ends.

use chrono::{DateTime, Utc};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use url::Url;

use super::entry::{Document, Entry, Link};
use super::inspect::XmlError;
use crate::extract::date;

/// What the lenient reader made of a document.
#[derive(Debug, Default)]
pub(super) struct Lenient {
    /// The document element as written (`rss`, `rdf:RDF`, `feed`).
    pub root: Option<String>,
    pub document: Document,
    /// The first error met on the way, if any.
    pub error: Option<XmlError>,
}

/// What an element is to a feed reader, from its namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// RSS or Atom of any version, or no namespace.
    Feed,
    DublinCore,
    DcTerms,
    Content,
    Media,
    Other,
}

/// Namespaces of the feed formats themselves, all read alike: RSS 0.90
/// (Netscape), 0.91 (as an RSS 1.0 module), 1.0, 2.0 in UserLand's and
/// Harvard's names, Atom 0.3 and 1.0, and the names Atom's drafts went by
/// (Echo, Pie) before it settled. They matter for prefixed names only:
/// unprefixed elements are the feed's whatever the default namespace.
const FEED_NAMESPACES: &[&str] = &[
    "http://my.netscape.com/rdf/simple/0.9/",
    "http://purl.org/rss/1.0/modules/rss091#",
    "http://purl.org/rss/1.0/",
    "http://backend.userland.com/rss",
    "http://backend.userland.com/rss2",
    "http://blogs.law.harvard.edu/tech/rss",
    "http://purl.org/atom/ns#",
    "http://www.w3.org/2005/Atom",
    "http://purl.org/echo/",
    "http://purl.org/pie/",
];

fn ns_of_uri(uri: &str) -> Ns {
    let uri = uri.trim();
    if FEED_NAMESPACES.contains(&uri) {
        return Ns::Feed;
    }
    match uri.trim_end_matches('/') {
        "http://purl.org/dc/elements/1.1" => Ns::DublinCore,
        "http://purl.org/dc/terms" => Ns::DcTerms,
        "http://purl.org/rss/1.0/modules/content" => Ns::Content,
        "http://search.yahoo.com/mrss" => Ns::Media,
        _ => Ns::Other,
    }
}

/// A prefix no `xmlns:` declaration binds: feeds that forget to declare
/// `dc:` or `content:` still mean the usual thing by them.
fn ns_of_undeclared_prefix(prefix: &str) -> Ns {
    match prefix {
        "rss" | "atom" => Ns::Feed,
        "dc" => Ns::DublinCore,
        "dcterms" => Ns::DcTerms,
        "content" => Ns::Content,
        "media" => Ns::Media,
        _ => Ns::Other,
    }
}

/// How deep the lenient reader follows nested elements.
const MAX_DEPTH: usize = 64;

/// One open element.
#[derive(Debug)]
struct Frame {
    /// The name as written, prefix included: end tags are matched on it.
    name: String,
    /// Namespace prefixes this element declares (`""` for the default).
    bindings: Vec<(String, String)>,
    /// The base URL in effect inside the element (`xml:base`).
    base: Url,
    /// The language in effect inside the element (`xml:lang`).
    lang: Option<String>,
}

/// Which field of an entry (or of the feed) text is being collected for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Link,
    Id,
    Summary,
    Content,
    Published,
    Updated,
    Author,
    AuthorName,
    MediaTitle,
    MediaDescription,
    EntryLang,
    FeedLang,
}

impl Field {
    /// Whether the field holds HTML, so that elements inside it are kept
    /// as markup rather than read for their text alone.
    fn keeps_markup(self) -> bool {
        matches!(
            self,
            Field::Title
                | Field::Summary
                | Field::Content
                | Field::MediaTitle
                | Field::MediaDescription
        )
    }
}

/// Text being collected for a field: of the element at `frame`.
#[derive(Debug)]
struct Capture {
    field: Field,
    frame: usize,
    text: String,
    base64: bool,
    /// `isPermaLink="false"` on a guid.
    not_permalink: bool,
    /// The `xml:lang` of the capturing element.
    lang: Option<String>,
}

/// An entry being read.
#[derive(Debug)]
struct Open {
    /// Its element's index on the stack.
    frame: usize,
    entry: Entry,
    title: Option<String>,
    media_titles: Vec<String>,
    summary: Option<String>,
    contents: Vec<String>,
    media_descriptions: Vec<String>,
    /// The name of the `<author>` being read, from its `<name>`.
    author_name: Option<String>,
    /// `xml:lang` of the entry, of its content, and its `dc:language`.
    own_lang: Option<String>,
    content_lang: Option<String>,
    dc_lang: Option<String>,
}

/// The state of one reading.
struct Read<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    root: Option<String>,
    entries: Vec<Entry>,
    open: Option<Open>,
    /// Text being collected, innermost last: an Atom `<author>` collects
    /// its own text while its `<name>` collects the name.
    captures: Vec<Capture>,
    feed_lang: Option<String>,
    root_lang: Option<String>,
    error: Option<XmlError>,
}

/// Read every entry of `text`; relative links resolve against `base`.
pub(super) fn read(text: &str, base: &Url) -> Lenient {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.check_comments = false;
    config.expand_empty_elements = false;
    config.trim_text(false);
    let mut read = Read {
        text,
        stack: Vec::new(),
        root: None,
        entries: Vec::new(),
        open: None,
        captures: Vec::new(),
        feed_lang: None,
        root_lang: None,
        error: None,
    };
    let mut last_error_at = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = reader.error_position() as usize;
                read.fail(at, e.to_string());
                // quick-xml carries on after most errors; one that does
                // not move it forward would repeat for ever.
                let now = reader.buffer_position() as usize;
                if last_error_at == Some(now) {
                    break;
                }
                last_error_at = Some(now);
                continue;
            }
        };
        let after = reader.buffer_position() as usize;
        let raw = text.get(before..after).unwrap_or("");
        match event {
            Event::Start(e) => read.start(&e, raw, false, base),
            Event::Empty(e) => read.start(&e, raw, true, base),
            Event::End(e) => {
                let name = e.name().as_ref().to_owned();
                read.end(&name, raw);
            }
            Event::Text(t) => read.text(&t.xml10_content()),
            Event::CData(t) => read.text(&t),
            Event::GeneralRef(r) => {
                read.text(&resolve_reference(&r));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    read.finish()
}

impl Read<'_> {
    fn fail(&mut self, at: usize, message: String) {
        let error = XmlError::at(self.text, at, message);
        if let Some(open) = &mut self.open {
            open.entry.damage.get_or_insert_with(|| error.to_string());
        }
        self.error.get_or_insert(error);
    }

    /// Resolve an element's name to what it is.
    fn ns_of(&self, name: &str, own: &[(String, String)]) -> Ns {
        let (prefix, _) = split_name(name);
        if prefix.is_empty() {
            // Unprefixed elements are the feed's own whatever the default
            // namespace says: an unknown one is a version this reader
            // does not know by name, and an XHTML one only occurs inside
            // text fields, where names do not matter.
            return Ns::Feed;
        }
        let bound = own
            .iter()
            .chain(self.stack.iter().rev().flat_map(|f| f.bindings.iter()))
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.as_str());
        match bound {
            Some(uri) => ns_of_uri(uri),
            None => ns_of_undeclared_prefix(prefix),
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, raw: &str, empty: bool, base: &Url) {
        let name = e.name().as_ref().to_owned();
        if !name.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == ':') {
            // `a < b` in text: not a tag, whatever quick-xml made of it;
            // but an end tag it swallowed (`< b</title>`) is one.
            match raw.get(1..).and_then(|r| r.find("</")) {
                Some(at) => {
                    let (text, end) = raw.split_at(at + 1);
                    self.text(text);
                    self.end(end[2..].trim_end_matches('>'), end);
                }
                None => self.text(raw),
            }
            return;
        }
        if self.stack.len() >= MAX_DEPTH {
            // Past this depth elements are read as if they were not there
            // (but for the text of a field that keeps markup): no feed
            // nests so deep, and a document that does must not make every
            // end tag search a stack that long.
            if self.captures.last().is_some_and(|c| c.field.keeps_markup()) {
                self.text(raw);
            }
            return;
        }
        let mut bindings = Vec::new();
        let mut attrs: Vec<(String, String)> = Vec::new();
        // HTML's attribute syntax, a superset of XML's: old feeds write
        // `href=http://…` unquoted, as their authors would in a page.
        for attr in e.html_attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref().to_owned();
            let value = unescape(&attr.value);
            if key == "xmlns" {
                bindings.push((String::new(), value));
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                bindings.push((prefix.to_owned(), value));
            } else {
                attrs.push((key, value));
            }
        }
        let attr = |n: &str| {
            attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        let ns = self.ns_of(&name, &bindings);
        let (_, local) = split_name(&name);
        let local = local.to_ascii_lowercase();
        let starts_entry = ns == Ns::Feed && (local == "item" || local == "entry");

        if let Some(capture) = self.captures.last() {
            let author_name = capture.field == Field::Author
                && capture.frame + 1 == self.stack.len()
                && ns == Ns::Feed
                && local == "name";
            // An entry inside a field, an element inside a field of plain
            // text (a link, a date), or a field of the entry that HTML
            // does not know inside one that holds HTML (`<link>`,
            // `<pubDate>` or `<dc:creator>` after a `<title>` left open)
            // means the field's end tag is missing or broken
            // (`</link</item>`): the field ends here.
            let another_field = self.open.is_some()
                && entry_field(ns, &local, 0).is_some()
                && !html_knows(&local, attr("href").is_some());
            let breaks_out = starts_entry
                || another_field
                || !(capture.field.keeps_markup() || capture.field == Field::Author);
            if breaks_out {
                let frame = capture.frame;
                self.close_to(frame);
            } else if !author_name {
                // Inside a text field, an element is part of its text;
                // but the `<name>` of an Atom author is the author's name.
                if capture.field.keeps_markup() {
                    self.text(raw);
                }
                if !empty {
                    let (base, lang) = self.inherited(base, None, None);
                    self.push(name, bindings, base, lang);
                }
                return;
            }
        }
        if starts_entry {
            // An entry that starts inside another ends that one: its end
            // tag is missing.
            if let Some(frame) = self.open.as_ref().map(|o| o.frame) {
                self.close_to(frame);
            }
        }

        let depth = self.stack.len();
        let own_lang = attr("xml:lang").map(str::trim).filter(|l| !l.is_empty());
        let (frame_base, frame_lang) = self.inherited(base, attr("xml:base"), own_lang);
        if self.root.is_none() {
            self.root = Some(name.clone());
            self.root_lang = own_lang.map(str::to_owned);
        }

        if starts_entry {
            let mut entry = Entry {
                base: Some(frame_base.clone()),
                ..Entry::default()
            };
            if let Some(about) = attr("rdf:about").or_else(|| attr("about")) {
                entry.about = frame_base.join(about.trim()).ok().map(String::from);
            }
            // Microsoft's CDF puts an item's link in its `href`.
            if let Some(href) = attr("href").filter(|h| !h.trim().is_empty()) {
                if let Ok(url) = frame_base.join(href.trim()) {
                    entry.links.push(Link {
                        href: url.into(),
                        rel: None,
                        media_type: None,
                    });
                }
            }
            self.open = Some(Open {
                frame: depth,
                entry,
                title: None,
                media_titles: Vec::new(),
                summary: None,
                contents: Vec::new(),
                media_descriptions: Vec::new(),
                author_name: None,
                own_lang: own_lang.map(str::to_owned),
                content_lang: None,
                dc_lang: None,
            });
            if empty {
                self.end_entry();
            } else {
                self.push(name, bindings, frame_base, frame_lang);
            }
            return;
        }

        let field = match &self.open {
            Some(_) if !self.captures.is_empty() => Some(Field::AuthorName),
            Some(open) => entry_field(ns, &local, depth.saturating_sub(open.frame + 1)),
            None => feed_field(ns, &local),
        };

        if let (Some(Field::Link), Some(href)) = (field, attr("href")) {
            // An Atom link: its address is in `href`.
            if let (Some(open), Ok(url)) = (&mut self.open, frame_base.join(href.trim())) {
                open.entry.links.push(Link {
                    href: url.into(),
                    rel: attr("rel").map(|r| r.trim().to_owned()),
                    media_type: attr("type").map(|t| t.trim().to_owned()),
                });
            }
            // It holds nothing: a `<link href=…>` written unclosed, as
            // HTML's void `<link>` is, must not take in the entry's next
            // fields; its end tag, when there is one, closes nothing.
            return;
        } else if let Some(field) = field {
            if !empty {
                let base64 = attr("mode").is_some_and(|m| m.eq_ignore_ascii_case("base64"));
                let not_permalink =
                    attr("isPermaLink").is_some_and(|p| p.trim().eq_ignore_ascii_case("false"));
                self.captures.push(Capture {
                    field,
                    frame: depth,
                    text: String::new(),
                    base64,
                    not_permalink,
                    lang: own_lang.map(str::to_owned),
                });
            }
        }
        if !empty {
            self.push(name, bindings, frame_base, frame_lang);
        }
    }

    /// The base URL and language in effect inside an element that sets
    /// `xml:base` and `xml:lang` to `own_base` and `own_lang` (or not).
    fn inherited(
        &self,
        base: &Url,
        own_base: Option<&str>,
        own_lang: Option<&str>,
    ) -> (Url, Option<String>) {
        let parent_base = self.stack.last().map_or(base, |f| &f.base);
        let frame_base = own_base
            .and_then(|b| parent_base.join(b.trim()).ok())
            .unwrap_or_else(|| parent_base.clone());
        let frame_lang = own_lang
            .map(str::to_owned)
            .or_else(|| self.stack.last().and_then(|f| f.lang.clone()));
        (frame_base, frame_lang)
    }

    fn push(
        &mut self,
        name: String,
        bindings: Vec<(String, String)>,
        base: Url,
        lang: Option<String>,
    ) {
        self.stack.push(Frame {
            name,
            bindings,
            base,
            lang,
        });
    }

    fn end(&mut self, name: &str, raw: &str) {
        // `</link</item>`: the name is what a name can be.
        let name = name
            .split(|c: char| c == '<' || c.is_whitespace())
            .next()
            .unwrap_or(name);
        // The nearest open element of that name; a stray end tag closes
        // nothing.
        let at = self.stack.iter().rposition(|f| f.name == name);
        if let Some(capture) = self.captures.last_mut() {
            if at.is_none_or(|at| at > capture.frame) && capture.field.keeps_markup() {
                capture.text.push_str(raw);
            }
        }
        if let Some(at) = at {
            self.close_to(at);
        }
    }

    /// Close the element at stack index `at` and everything open inside it.
    fn close_to(&mut self, at: usize) {
        while self.stack.len() > at {
            let index = self.stack.len() - 1;
            if self.captures.last().is_some_and(|c| c.frame == index) {
                self.end_capture();
            }
            if self.open.as_ref().is_some_and(|o| o.frame == index) {
                self.end_entry();
            }
            self.stack.pop();
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(capture) = self.captures.last_mut() {
            capture.text.push_str(text);
        }
    }

    fn end_capture(&mut self) {
        let Some(capture) = self.captures.pop() else {
            return;
        };
        let mut value = capture.text;
        if capture.base64 {
            if let Some(decoded) = base64_text(&value) {
                value = decoded;
            }
        }
        let trimmed = value.trim();
        let Some(open) = &mut self.open else {
            if capture.field == Field::FeedLang && !trimmed.is_empty() {
                self.feed_lang.get_or_insert_with(|| trimmed.to_owned());
            }
            return;
        };
        let entry = &mut open.entry;
        match capture.field {
            Field::Title => {
                open.title.get_or_insert(value);
            }
            Field::MediaTitle => open.media_titles.push(value),
            Field::Link => {
                if !trimmed.is_empty() {
                    // An RSS link: its address is its text, relative to the
                    // base in effect where it is written.
                    let base = self.stack.get(capture.frame).map(|f| &f.base);
                    let href = base
                        .and_then(|b| b.join(trimmed).ok())
                        .map_or_else(|| trimmed.to_owned(), String::from);
                    entry.links.push(Link {
                        href,
                        rel: None,
                        media_type: None,
                    });
                }
            }
            Field::Id => {
                if entry.id.is_none() && !trimmed.is_empty() {
                    entry.id = Some(trimmed.to_owned());
                    entry.id_not_permalink = capture.not_permalink;
                }
            }
            Field::Summary => {
                open.summary.get_or_insert(value);
            }
            Field::Content => {
                if open.content_lang.is_none() {
                    open.content_lang = capture.lang;
                }
                open.contents.push(value);
            }
            Field::MediaDescription => open.media_descriptions.push(value),
            Field::Published => {
                if entry.published.is_none() {
                    entry.published = parse_date(trimmed);
                }
            }
            Field::Updated => {
                if entry.updated.is_none() {
                    entry.updated = parse_date(trimmed);
                }
            }
            Field::Author => {
                // Atom: the `<name>`; RSS and Dublin Core: the text.
                let name = open.author_name.take();
                let name = name.or_else(|| (!trimmed.is_empty()).then(|| trimmed.to_owned()));
                entry.authors.extend(name);
            }
            Field::AuthorName => {
                if !trimmed.is_empty() {
                    open.author_name = Some(trimmed.to_owned());
                }
            }
            Field::EntryLang => {
                if !trimmed.is_empty() {
                    open.dc_lang = Some(trimmed.to_owned());
                }
            }
            Field::FeedLang => {}
        }
    }

    fn end_entry(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let mut entry = open.entry;
        entry.titles = open.title.into_iter().chain(open.media_titles).collect();
        entry.summaries = open
            .summary
            .into_iter()
            .chain(open.contents)
            .chain(open.media_descriptions)
            .collect();
        entry.lang = open.dc_lang.or(open.own_lang).or(open.content_lang);
        self.entries.push(entry);
    }

    fn finish(mut self) -> Lenient {
        if let Some(open) = self.stack.last() {
            let message = format!("the document ends inside <{}>", open.name);
            self.fail(self.text.len(), message);
            // What is cut off is not read: a link cut short is no link.
            self.captures.clear();
            self.close_to(0);
        }
        let lang = self.feed_lang.or(self.root_lang);
        Lenient {
            root: self.root,
            document: Document {
                entries: self.entries,
                lang,
            },
            error: self.error,
        }
    }
}

/// The field an element inside an entry holds: `relative` is its depth
/// below the entry (0 for a child).
fn entry_field(ns: Ns, local: &str, relative: usize) -> Option<Field> {
    if relative > 0 {
        // Media RSS groups its elements in `<media:group>` or
        // `<media:content>`.
        return match (ns, local) {
            (Ns::Media, "title") => Some(Field::MediaTitle),
            (Ns::Media, "description") => Some(Field::MediaDescription),
            _ => None,
        };
    }
    Some(match (ns, local) {
        (Ns::Feed, "title") => Field::Title,
        (Ns::Feed, "link") => Field::Link,
        (Ns::Feed, "guid" | "id") => Field::Id,
        (Ns::Feed, "description" | "summary" | "abstract") => Field::Summary,
        (Ns::Feed, "content") | (Ns::Content, "encoded") => Field::Content,
        (Ns::Feed, "pubdate" | "published" | "issued" | "created")
        | (Ns::DublinCore, "date")
        | (Ns::DcTerms, "issued" | "created" | "date") => Field::Published,
        (Ns::Feed, "updated" | "modified") | (Ns::DcTerms, "modified") => Field::Updated,
        (Ns::Feed, "author") | (Ns::DublinCore, "creator") => Field::Author,
        (Ns::DublinCore, "language") => Field::EntryLang,
        (Ns::Media, "title") => Field::MediaTitle,
        (Ns::Media, "description") => Field::MediaDescription,
        _ => return None,
    })
}

/// Whether HTML has an element of that name, which a field holding HTML
/// may then contain: of the names of an entry's fields, `title` (of an
/// SVG), `summary` (of a `<details>`) and `link` (void, with an `href`;
/// an RSS `<link>` holds its address as text).
fn html_knows(local: &str, has_href: bool) -> bool {
    matches!(local, "title" | "summary") || (local == "link" && has_href)
}

/// The field an element outside every entry holds: only the language.
fn feed_field(ns: Ns, local: &str) -> Option<Field> {
    match (ns, local) {
        (Ns::Feed, "language") | (Ns::DublinCore, "language") => Some(Field::FeedLang),
        _ => None,
    }
}

/// `prefix:local` → (`prefix`, `local`); (`""`, name) without a prefix.
fn split_name(name: &str) -> (&str, &str) {
    name.split_once(':').unwrap_or(("", name))
}

fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    date::parse(value).map(|d| d.with_timezone(&Utc))
}

/// The text of a reference (`amp`, `#233`, `eacute`): XML's five, a
/// character reference, an HTML named entity, else the reference as
/// written, for the HTML reading of the text to make what it can of it.
fn resolve_reference(name: &str) -> String {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        if let Some(c) = code.and_then(char::from_u32) {
            return c.to_string();
        }
    } else if let Some(text) = named_entity(name) {
        return text;
    }
    format!("&{name};")
}

/// The text of an XML or HTML named entity.
pub(super) fn named_entity(name: &str) -> Option<String> {
    let xml = match name {
        "amp" => Some("&"),
        "lt" => Some("<"),
        "gt" => Some(">"),
        "quot" => Some("\""),
        "apos" => Some("'"),
        _ => None,
    };
    if let Some(text) = xml {
        return Some(text.to_owned());
    }
    // The table also holds every prefix of every name, mapped to zero.
    let &(first, second) = markup5ever::data::NAMED_ENTITIES.get(&format!("{name};"))?;
    let first = char::from_u32(first).filter(|&c| c != '\0')?;
    let mut text = first.to_string();
    if let Some(c) = char::from_u32(second).filter(|&c| c != '\0') {
        text.push(c);
    }
    Some(text)
}

/// An attribute value with its references resolved as in text.
fn unescape(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';').filter(|&end| end > 0 && end <= 32) {
            Some(end) if !after[..end].contains(|c: char| c.is_whitespace() || c == '&') => {
                out.push_str(&resolve_reference(&after[..end]));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text sent base64-encoded (Atom 0.3's `mode="base64"`), when it decodes
/// to UTF-8.
fn base64_text(value: &str) -> Option<String> {
    use base64::Engine;
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::feed::inspect::{first_xml_error, glance, line_column, root_name};

    fn base() -> Url {
        Url::parse("https://news.example.org/rss/feed.xml").expect("url")
    }

    fn links(lenient: &Lenient) -> Vec<Vec<String>> {
        lenient
            .document
            .entries
            .iter()
            .map(|e| e.links.iter().map(|l| l.href.clone()).collect())
            .collect()
    }

    #[test]
    fn entries_of_every_version_and_place() {
        let doc = r#"<rss version="2.0" xmlns="http://backend.userland.com/rss2">
<channel><language>hy</language><item><title>In</title><link>/a</link></item></channel>
<item><title>Out</title><link>https://e.org/b</link></item>
<atom:entry xmlns:atom="http://purl.org/atom/ns#"><atom:link rel="alternate" href="c"/></atom:entry>
<foo:item xmlns:foo="urn:other"><link>https://e.org/no</link></foo:item>
</rss>"#;
        let read = read(doc, &base());
        assert_eq!(read.root.as_deref(), Some("rss"));
        assert_eq!(read.document.lang.as_deref(), Some("hy"));
        assert_eq!(
            links(&read),
            [
                vec!["https://news.example.org/a".to_owned()],
                vec!["https://e.org/b".to_owned()],
                vec!["https://news.example.org/rss/c".to_owned()],
            ]
        );
        assert!(read.error.is_none());
        // The other vocabulary's item is counted by the cheap scan only.
        assert_eq!(glance(doc).entries, 4);
    }

    #[test]
    fn fields_of_an_entry() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:base="https://e.org/x/">
<entry xml:lang="ka">
  <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> &amp; &eacute;</div></title>
  <link rel="self" href="/self"/><link href="post"/>
  <id>https://e.org/id</id>
  <published>2025-06-01T10:00:00+04:00</published>
  <author><name>Nino</name><email>n@e.org</email></author>
  <dc:creator>jane@e.org (Jane)</dc:creator>
  <summary>Short</summary>
  <content type="html">&lt;p&gt;Long&lt;/p&gt;</content>
</entry></feed>"#;
        let read = read(doc, &base());
        let e = &read.document.entries[0];
        assert_eq!(
            e.titles,
            [r#"<div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> & é</div>"#]
        );
        assert_eq!(e.links[1].href, "https://e.org/x/post");
        assert_eq!(e.links[0].rel.as_deref(), Some("self"));
        assert_eq!(e.id.as_deref(), Some("https://e.org/id"));
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-06-01T06:00:00+00:00")
        );
        assert_eq!(e.authors, ["Nino", "jane@e.org (Jane)"]);
        assert_eq!(e.summaries, ["Short", "<p>Long</p>"]);
        assert_eq!(e.lang.as_deref(), Some("ka"));
        assert!(e.damage.is_none());
    }

    #[test]
    fn an_error_costs_the_entry_it_falls_in() {
        let doc = "<rss><channel>\n<item><link>https://e.org/1</link></item>\n\
                   <item><title>x</title><!-- never closed\n<link>https://e.org/2</link></item>";
        let read = read(doc, &base());
        assert_eq!(read.document.entries.len(), 2);
        assert!(read.document.entries[0].damage.is_none());
        assert_eq!(
            read.document.entries[1].damage.as_deref(),
            Some("line 3, column 23: syntax error: comment not closed: `-->` not found before end of input")
        );
        // A document cut off: what is cut is not read, what came before is.
        let read = super::read("<rss><item><link>https://e.org/1</link><title>Cut", &base());
        let e = &read.document.entries[0];
        assert_eq!(e.links[0].href, "https://e.org/1");
        assert!(e.titles.is_empty());
        assert!(e
            .damage
            .as_deref()
            .is_some_and(|d| d.ends_with("the document ends inside <title>")));
    }

    #[test]
    fn broken_markup_does_not_run_into_the_next_entry() {
        let doc = "<rss><item><link>https://e.org/1</link</item>\
                   <item><title>a < b</title><link>https://e.org/2</link>\
                   <item><link>https://e.org/3</link></item></rss>";
        let read = read(doc, &base());
        assert_eq!(
            links(&read),
            [
                vec!["https://e.org/1".to_owned()],
                vec!["https://e.org/2".to_owned()],
                vec!["https://e.org/3".to_owned()],
            ]
        );
        assert_eq!(read.document.entries[1].titles, ["a < b"]);
    }

    #[test]
    fn a_field_left_open_ends_where_the_next_field_starts() {
        let doc = "<rss><item><title>Open <b>bold</b><link>https://e.org/1</link>\
                   <description>Also open <summary>s</summary><pubDate>Tue, 03 Jun 2025 09:00:00 GMT\
                   </pubDate></item>\
                   <entry><link rel=alternate href=https://e.org/2><title>After a void link</title></entry>\
                   </rss>";
        let read = read(doc, &base());
        let entries = &read.document.entries;
        assert_eq!(entries[0].titles, ["Open <b>bold</b>"]);
        assert_eq!(entries[0].links[0].href, "https://e.org/1");
        // `<summary>` is HTML's too: part of the description.
        assert_eq!(entries[0].summaries, ["Also open <summary>s</summary>"]);
        assert!(entries[0].published.is_some());
        assert_eq!(entries[1].links[0].href, "https://e.org/2");
        assert_eq!(entries[1].links[0].rel.as_deref(), Some("alternate"));
        assert_eq!(entries[1].titles, ["After a void link"]);
    }

    #[test]
    fn link_forms_feed_rs_does_not_read() {
        let unread = |doc: &str| glance(doc).unread_links;
        // Plain RSS and Atom, a channel's own Atom link, an empty link:
        // nothing for the lenient reader to find.
        assert!(!unread(
            "<rss><channel><atom:link href=\"s\" rel=\"self\"/><link>h</link>\
             <item><link>a</link></item><item><link></link></item></channel></rss>"
        ));
        assert!(!unread("<feed><entry><link href=\"a\"/></entry></feed>"));
        // RSS 1.0's rdf:about, CDF's HREF, an Atom-style link in RSS, an
        // RSS-style link in Atom.
        assert!(unread(
            "<rdf:RDF><item rdf:about=\"a\"><title>t</title></item></rdf:RDF>"
        ));
        assert!(unread("<CHANNEL><ITEM HREF=\"a\"/></CHANNEL>"));
        assert!(unread("<rss><item><link href=\"a\"/></item></rss>"));
        assert!(unread("<rss><item><atom:link href=\"a\"/></item></rss>"));
        assert!(unread("<feed><entry><link>a</link></entry></feed>"));
        assert!(unread("<feed><entry><link href=a /></entry></feed>"));
    }

    #[test]
    fn xml_errors_with_line_and_column() {
        let error = |doc: &str| first_xml_error(doc).map(|e| e.to_string());
        assert_eq!(error("<rss><channel/></rss>"), None);
        assert_eq!(
            error("<rss>\n  <title>A & B</title></rss>"),
            Some(
                "line 2, column 12: ill-formed document: entity or character reference not closed: \
                 `;` not found before end of input"
                    .to_owned()
            )
        );
        assert_eq!(
            error("<rss>\n<a>x</b></rss>"),
            Some(
                "line 2, column 5: ill-formed document: expected `</a>`, but `</b>` was found"
                    .to_owned()
            )
        );
        assert_eq!(
            error("<rss><t>&nbsp;</t></rss>"),
            Some("line 1, column 9: undefined entity &nbsp;".to_owned())
        );
        // Declared, or left to an external DTD: defined.
        assert_eq!(
            error("<!DOCTYPE rss [<!ENTITY x \"y\">]><rss>&x;</rss>"),
            None
        );
        assert_eq!(
            error("<!DOCTYPE rss SYSTEM \"rss.dtd\"><rss>&nbsp;</rss>"),
            None
        );
        assert_eq!(
            error("Warning!\n<rss/>"),
            Some("line 1, column 1: text outside the root element".to_owned())
        );
        assert_eq!(
            error("<rss>\n<link href=x/></rss>"),
            Some("line 2, column 12: an attribute value without quotes in <link>".to_owned())
        );
        assert_eq!(
            error("<rss>\n<channel>"),
            Some("line 2, column 10: the document ends inside <channel>".to_owned())
        );
        // Columns count characters, not bytes.
        assert_eq!(line_column("<t>Ереван</t>", "<t>Ереван".len()), (1, 10));
    }

    #[test]
    fn references_and_names() {
        assert_eq!(resolve_reference("#233"), "é");
        assert_eq!(resolve_reference("#x2014"), "—");
        assert_eq!(resolve_reference("amp"), "&");
        assert_eq!(resolve_reference("laquo"), "«");
        assert_eq!(resolve_reference("bogus"), "&bogus;");
        assert_eq!(resolve_reference("#xD800"), "&#xD800;");
        assert_eq!(named_entity("eac"), None, "a prefix of a name is no name");
        assert_eq!(unescape("a=1&amp;b=2&c=3&eacute;"), "a=1&b=2&c=3é");
        assert_eq!(
            root_name("<?xml version=\"1.0\"?>\n<!-- c --><rdf:RDF/>").as_deref(),
            Some("rdf:RDF")
        );
        assert_eq!(root_name("plain text"), None);
        assert_eq!(base64_text("SGVs\nbG8="), Some("Hello".to_owned()));
        assert_eq!(
            glance("<items/><item/><x:entry>\n<!-- <item> --><![CDATA[<entry>]]>").entries,
            2
        );
    }
}
