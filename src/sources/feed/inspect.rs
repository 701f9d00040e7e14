//! Looks at a feed document without reading its entries: its root element
//! ([`root_name`]), the entries it visibly holds and the forms of their
//! links ([`glance`]), which tells whether the strict reader may have
//! missed some, and its first XML error with line and column
//! ([`first_xml_error`]), for messages.

use quick_xml::events::Event;
use quick_xml::Reader;

/// An XML error and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct XmlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl XmlError {
    pub(super) fn at(text: &str, offset: usize, message: String) -> XmlError {
        let (line, column) = line_column(text, offset);
        XmlError {
            line,
            column,
            message,
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The name of the document element as written (`rss`, `rdf:RDF`): the
/// first start tag after the prolog.
pub(super) fn root_name(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    let mut last_error_at = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => return Some(e.name().as_ref().to_owned()),
            Ok(Event::Eof) => return None,
            Ok(_) => {}
            Err(_) => {
                let at = reader.buffer_position();
                if last_error_at == Some(at) {
                    return None;
                }
                last_error_at = Some(at);
            }
        }
    }
}

/// What a plain scan of a document sees, cheap next to parsing: run
/// after every strict reading to tell whether the strict reader may have
/// missed something the lenient one reads.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Glance {
    /// Start tags named `item` or `entry` (with any prefix), outside
    /// comments and CDATA sections. It may count a few too many (an
    /// `<item>` of another vocabulary), which costs only a lenient reading
    /// whose result is then not taken.
    pub entries: usize,
    /// Whether entries carry a link in a form feed-rs does not read: an
    /// `rdf:about` or `href` on the entry's own tag (RSS 1.0, CDF), a
    /// `<link href>` in an RSS item (Atom's, prefixed or not), a `<link>`
    /// in an Atom entry without a quoted `href` (its address as text, or
    /// written as HTML allows). Without one of these, an
    /// entry feed-rs found no link for has none the lenient reader would
    /// find either, and the document is not read twice for it.
    pub unread_links: bool,
}

pub(super) fn glance(text: &str) -> Glance {
    let mut seen = Glance::default();
    // The entry tag met last: `item` (RSS) or `entry` (Atom).
    let mut in_atom_entry = None;
    let mut rest = text;
    while let Some(found) = rest.find('<') {
        rest = &rest[found + 1..];
        // Half the tags are end tags: passed over at the first byte.
        match rest.as_bytes().first() {
            Some(b'/' | b'?') => continue,
            Some(b'!') => {
                let close = if rest.starts_with("!--") {
                    "-->"
                } else if rest.starts_with("![CDATA[") {
                    "]]>"
                } else {
                    continue;
                };
                match rest.find(close) {
                    Some(end) => rest = &rest[end..],
                    None => break,
                }
                continue;
            }
            _ => {}
        }
        // A name is short: `item`, `entry`, `link` and a prefix.
        let head = &rest.as_bytes()[..rest.len().min(64)];
        let name_end = head
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
            .unwrap_or(head.len());
        let name = &head[..name_end];
        // A first test on the last letter of `item`, `entry` and `link`,
        // which most element names fail.
        if !name
            .last()
            .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'm' | b'y' | b'k'))
        {
            continue;
        }
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        let is_item = local.eq_ignore_ascii_case(b"item");
        let is_entry = local.eq_ignore_ascii_case(b"entry");
        let is_link = local.eq_ignore_ascii_case(b"link");
        if !(is_item || is_entry || (is_link && in_atom_entry.is_some())) {
            continue;
        }
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let find = |attribute: &str| {
            tag.as_bytes()
                .windows(attribute.len())
                .position(|w| w.eq_ignore_ascii_case(attribute.as_bytes()))
        };
        let has = |attribute: &str| find(attribute).is_some();
        if is_link {
            // feed-rs reads an Atom link's href only when it is quoted.
            let quoted_href = find("href").is_some_and(|at| {
                let value = tag[at + 4..].trim_start().strip_prefix('=');
                value.is_some_and(|v| v.trim_start().starts_with(['"', '\'']))
            });
            seen.unread_links |= match in_atom_entry {
                Some(true) => !quoted_href,
                _ => has("href"),
            };
        } else {
            seen.entries += 1;
            in_atom_entry = Some(is_entry);
            seen.unread_links |= has("about") || has("href");
        }
    }
    seen
}

/// The first error a conforming XML parser would stop at, with its line
/// and column: a syntax error, an end tag that does not match, an entity
/// neither XML nor the DOCTYPE defines, text or a second element outside
/// the root element, or the end of the document with elements open.
pub(super) fn first_xml_error(text: &str) -> Option<XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut open: Vec<String> = Vec::new();
    let mut declared: Vec<String> = Vec::new();
    // Entities of an external DTD are not the parser's to know.
    let mut external_dtd = false;
    let mut seen_root = false;
    loop {
        let before = reader.buffer_position() as usize;
        let error = |message: String| Some(XmlError::at(text, before, message));
        match reader.read_event() {
            Err(e) => {
                return Some(XmlError::at(
                    text,
                    reader.error_position() as usize,
                    e.to_string(),
                ))
            }
            Ok(Event::DocType(d)) => {
                let d: &str = &d;
                external_dtd = d.contains("PUBLIC") || d.contains("SYSTEM");
                declared.extend(
                    d.split("<!ENTITY")
                        .skip(1)
                        .filter_map(|decl| decl.split_whitespace().next().map(str::to_owned)),
                );
            }
            Ok(Event::Start(e) | Event::Empty(e)) if open.is_empty() && seen_root => {
                return error(format!("a second root element <{}>", e.name().as_ref()));
            }
            // Attributes are read only when asked for: an unquoted value
            // or a repeated name is an error in the tag that has it.
            Ok(Event::Start(e) | Event::Empty(e)) if e.attributes().any(|a| a.is_err()) => {
                use quick_xml::events::attributes::AttrError;
                let (at, problem) = match e.attributes().find_map(Result::err) {
                    Some(AttrError::ExpectedEq(at)) => (at, "an attribute without `=`"),
                    Some(AttrError::ExpectedValue(at)) => (at, "an attribute without a value"),
                    Some(AttrError::UnquotedValue(at)) => (at, "an attribute value without quotes"),
                    Some(AttrError::ExpectedQuote(at, _)) => {
                        (at, "an attribute value whose quote is not closed")
                    }
                    Some(AttrError::Duplicated(at, _)) => (at, "an attribute given twice"),
                    None => (0, "a broken attribute"),
                };
                // Positions count from the tag's name, after its `<`.
                return Some(XmlError::at(
                    text,
                    before + 1 + at,
                    format!("{problem} in <{}>", e.name().as_ref()),
                ));
            }
            Ok(Event::Start(e)) => {
                seen_root = true;
                open.push(e.name().as_ref().to_owned());
            }
            Ok(Event::Empty(_)) => seen_root = true,
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Text(t)) if open.is_empty() && !t.trim().is_empty() => {
                return error("text outside the root element".to_owned());
            }
            Ok(Event::GeneralRef(r)) => {
                let name: &str = &r;
                let known = name.starts_with('#')
                    || matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || external_dtd
                    || declared.iter().any(|d| d == name);
                if !known {
                    return error(format!("undefined entity &{name};"));
                }
            }
            Ok(Event::Eof) => {
                return open.last().map(|name| {
                    XmlError::at(
                        text,
                        text.len(),
                        format!("the document ends inside <{name}>"),
                    )
                })
            }
            Ok(_) => {}
        }
    }
}
