//! Repairs to the text of a feed that a strict XML parser rejects, for the
//! kinds of breakage feeds are known for: text in front of the root
//! element (a PHP warning), a DOCTYPE (an XHTML one pasted in front of
//! `<rss>`, or one whose internal subset declares entities), a CDATA
//! section left open, a bare `<` ("a < b") or a tag that lost its `>`, a
//! bare `&` (in a URL, in "Tom & Jerry"), and HTML entities (`&eacute;`,
//! `&nbsp;`) that XML does not define. Each repair is made only where its
//! defect is, and named in the list returned.
//!
//! Every repair keeps the document's lines where they were (a dropped
//! DOCTYPE leaves its line breaks behind), so that a line number found
//! in the repaired text still points into the document as served.

use std::borrow::Cow;
use std::collections::HashMap;

use super::lenient::named_entity;

/// `text` repaired, and what was done; `Cow::Borrowed` with nothing done
/// when no repair applies.
pub(super) fn repair(text: &str) -> (Cow<'_, str>, Vec<String>) {
    let mut repairs = Vec::new();
    let mut text = Cow::Borrowed(text);
    let mut declared = HashMap::new();
    if let Some((fixed, entities)) = drop_doctype(&text) {
        text = Cow::Owned(fixed);
        declared = entities;
        repairs.push("DOCTYPE dropped".to_owned());
    }
    if let Some(fixed) = drop_text_before_root(&text) {
        text = Cow::Owned(fixed);
        repairs.push("text before the root element dropped".to_owned());
    }
    if let Some(fixed) = close_cdata(&text) {
        text = Cow::Owned(fixed);
        repairs.push("unclosed CDATA section closed".to_owned());
    }
    if let Some((fixed, done)) = fix_tags(&text) {
        text = Cow::Owned(fixed);
        repairs.extend(done.into_iter().map(str::to_owned));
    }
    if let Some((fixed, done)) = fix_references(&text, &declared) {
        text = Cow::Owned(fixed);
        repairs.extend(done.into_iter().map(str::to_owned));
    }
    (text, repairs)
}

/// The text with nothing but line breaks left of whatever precedes its
/// root element when that is more than a prolog (a server's warning
/// printed before the feed, markup and all), or `None`.
fn drop_text_before_root(text: &str) -> Option<String> {
    let root = root_start(text)?;
    if prolog_len(&text[..root]) == root {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.extend(text[..root].chars().filter(|&c| c == '\n'));
    out.push_str(&text[root..]);
    Some(out)
}

/// Where the feed's root element starts: the first `<rss>`, `<feed>`,
/// `<rdf:RDF>` or `<channel>` start tag. One pass that stops there: the
/// root is near the start of every feed.
fn root_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let start = at + found;
        let rest = &bytes[start + 1..];
        let is_root = ["rss", "feed", "rdf:rdf", "channel"].iter().any(|name| {
            rest.len() > name.len()
                && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && (rest[name.len()].is_ascii_whitespace() || b">/".contains(&rest[name.len()]))
        });
        if is_root {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

/// How much of `text` is prolog: whitespace, comments, processing
/// instructions (the XML declaration among them) and a DOCTYPE.
fn prolog_len(text: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        let end = if trimmed.starts_with("<!--") {
            trimmed.find("-->").map(|i| i + 3)
        } else if trimmed.starts_with("<?") {
            trimmed.find("?>").map(|i| i + 2)
        } else if trimmed.len() >= 9 && trimmed[..9].eq_ignore_ascii_case("<!doctype") {
            doctype_len(trimmed)
        } else {
            None
        };
        match end {
            Some(end) => at += end,
            None => return at,
        }
    }
}

/// The text without its `<!DOCTYPE ...>` (internal subset included), and
/// the general entities the subset declares (`<!ENTITY name "value">`),
/// which XML parsers that skip DTDs would otherwise call undefined.
fn drop_doctype(text: &str) -> Option<(String, HashMap<String, String>)> {
    // Only in front of the root: a DOCTYPE quoted in an entry's text is
    // the entry's business.
    let head = root_start(text).unwrap_or(text.len());
    let start = find_ignore_case(&text[..head], "<!doctype")?;
    let end = start + doctype_len(&text[start..])?;
    let doctype = &text[start..end];
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(doctype.chars().filter(|&c| c == '\n'));
    out.push_str(&text[end..]);
    Some((out, declared_entities(doctype)))
}

/// The length of the DOCTYPE `text` starts with: up to the first `>`
/// outside its `[...]` internal subset and outside quotes.
fn doctype_len(text: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, '>') if depth <= 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Whether the DOCTYPE in front of the root declares entities of its own,
/// which a parser that skips DTDs (feed-rs does) leaves unexpanded: such a
/// document is read after [`repair`], which expands them.
pub(super) fn declares_entities(text: &str) -> bool {
    // Run after every strict reading: only the text before the root is
    // looked at, which `root_start` finds in a few steps.
    let head = &text[..root_start(text).unwrap_or(text.len())];
    head.contains("<!ENTITY") && find_ignore_case(head, "<!doctype").is_some()
}

/// `<!ENTITY name "value">` declarations of a DOCTYPE (parameter entities
/// and external ones left out).
fn declared_entities(doctype: &str) -> HashMap<String, String> {
    let mut entities = HashMap::new();
    let mut rest = doctype;
    while let Some(at) = rest.find("<!ENTITY") {
        rest = &rest[at + "<!ENTITY".len()..];
        let decl = rest.trim_start();
        if decl.starts_with('%') {
            continue;
        }
        let name_len = decl.find(|c: char| c.is_whitespace()).unwrap_or(decl.len());
        let name = &decl[..name_len];
        let value = decl[name_len..].trim_start();
        let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(len) = value[1..].find(quote) else {
            continue;
        };
        if !name.is_empty() {
            entities.insert(name.to_owned(), value[1..1 + len].to_owned());
        }
    }
    entities
}

/// Close each CDATA section that is never closed, or whose `]]>` comes
/// only after another `<![CDATA[` (so that it swallows what follows): the
/// `]]>` goes before the end tag of the element the section is in, else
/// at the end of the text. `None` when every section is closed.
fn close_cdata(text: &str) -> Option<String> {
    const OPEN: &str = "<![CDATA[";
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    let mut changed = false;
    // Where the next `]]>` is, once looked for: a document of many open
    // sections and no close must not be searched to its end for each.
    let mut next_close: Option<Option<usize>> = None;
    // The last start tag before `from`, found in the markup between
    // sections as the scan goes, each stretch looked at once.
    let mut enclosing: Option<&str> = None;
    while let Some(found) = text[from..].find(OPEN) {
        let start = from + found;
        let content = start + OPEN.len();
        enclosing = last_start_tag(&text[from..start]).or(enclosing);
        let close = match next_close {
            Some(Some(close)) if close >= content => Some(close),
            Some(None) => None,
            _ => text[content..].find("]]>").map(|i| content + i),
        };
        next_close = Some(close);
        let next = text[content..].find(OPEN).map(|i| content + i);
        match (close, next) {
            (Some(close), next) if next.is_none_or(|n| close < n) => {
                from = close + 3;
                continue;
            }
            _ => {}
        }
        // Unclosed: up to the end tag of the enclosing element, within
        // the text before the next section.
        let limit = next.unwrap_or(text.len());
        let end_tag = enclosing
            .and_then(|name| text[content..limit].find(&format!("</{name}")))
            .or_else(|| text[content..limit].find("</"))
            .map_or(limit, |i| content + i);
        out.push_str(&text[copied..end_tag]);
        out.push_str("]]>");
        copied = end_tag;
        from = end_tag;
        changed = true;
    }
    if !changed {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// The name of the last start tag in `markup`.
fn last_start_tag(markup: &str) -> Option<&str> {
    let mut end = markup.len();
    while let Some(lt) = markup[..end].rfind('<') {
        let tag = &markup[lt + 1..];
        end = lt;
        if tag.starts_with(['/', '!', '?']) {
            continue;
        }
        let len = tag
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(tag.len());
        return (len > 0).then(|| &tag[..len]);
    }
    None
}

/// Make every `<` of the text (outside CDATA sections and comments) the
/// start of markup that ends: a `<` that starts no tag (`a < b`, `<3`)
/// becomes `&lt;`, as an HTML parser reads it; a tag whose `>` is missing
/// (`</description` followed by `<item>`, `<media:player url="…" /` on a
/// line of its own) is closed where the next tag starts, as a `<` cannot
/// occur inside a tag but in a quoted value. Without this, an XML reader
/// takes everything up to the next `>` for one tag, and an entry's start
/// tag or an end tag with it. Returns the text and the repairs made, or
/// `None` when there was nothing to fix.
fn fix_tags(text: &str) -> Option<(String, Vec<&'static str>)> {
    let mut out = String::new();
    let mut copied = 0;
    let mut done: Vec<&'static str> = Vec::new();
    let note = |what: &'static str, done: &mut Vec<&'static str>| {
        if !done.contains(&what) {
            done.push(what);
        }
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let start = at + found;
        let rest = &text[start..];
        // Sections and declarations, whose insides are not markup.
        let skip = [
            ("<![CDATA[", "]]>"),
            ("<!--", "-->"),
            ("<!", ">"),
            ("<?", ">"),
        ]
        .iter()
        .find(|(open, _)| rest.starts_with(open))
        .map(|(open, close)| {
            rest[open.len()..]
                .find(close)
                .map_or(rest.len(), |i| open.len() + i + close.len())
        });
        if let Some(len) = skip {
            at = start + len;
            continue;
        }
        let name_at = start + 1 + usize::from(rest[1..].starts_with('/'));
        let starts_name = text[name_at..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':');
        if !starts_name {
            out.push_str(&text[copied..start]);
            out.push_str("&lt;");
            copied = start + 1;
            at = start + 1;
            note("bare < escaped", &mut done);
            continue;
        }
        // The tag's end: the first `>` outside quoted values. A quote
        // opens a value only after `=`: an apostrophe in a broken tag's
        // text is no quote.
        let mut quote = None;
        let mut end = None;
        let mut i = name_at;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'>' => {
                    end = Some(i + 1);
                    break;
                }
                None if b == b'<' => break,
                None if (b == b'"' || b == b'\'') && text[..i].trim_end().ends_with('=') => {
                    quote = Some(b)
                }
                None => {}
            }
            i += 1;
        }
        match end {
            Some(end) => at = end,
            None if quote.is_some() => {
                // A value never closed: nothing to tell where the tag
                // ends; left as it is.
                at = i;
            }
            None => {
                // Closed before the next tag (or the end of the text),
                // after whatever it holds but trailing space.
                let body = text[start..i].trim_end();
                let close = start + body.len();
                out.push_str(&text[copied..close]);
                out.push('>');
                copied = close;
                at = i;
                note("tag without > closed", &mut done);
            }
        }
    }
    if done.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, done))
}

/// Make every `&` of the text (outside CDATA sections and comments) a
/// reference XML knows: a bare `&` becomes `&amp;`, an HTML entity its
/// character reference, an entity the DOCTYPE declared its value, and an
/// entity nobody defines `&amp;name;` (its text as written). Returns the
/// text and the repairs made, or `None` when there was nothing to fix.
fn fix_references(
    text: &str,
    declared: &HashMap<String, String>,
) -> Option<(String, Vec<&'static str>)> {
    // Written to only from the first change on: a document with nothing
    // to fix is not copied.
    let mut out = String::new();
    let mut copied = 0;
    let mut done: Vec<&'static str> = Vec::new();
    let note = |what: &'static str, done: &mut Vec<&'static str>| {
        if !done.contains(&what) {
            done.push(what);
        }
    };
    let mut at = 0;
    while let Some(found) = text[at..].find(['&', '<']) {
        let start = at + found;
        let rest = &text[start..];
        if rest.starts_with('<') {
            // Sections whose `&`s are literal.
            let skip = [("<![CDATA[", "]]>"), ("<!--", "-->")]
                .iter()
                .find(|(open, _)| rest.starts_with(open))
                .map(|(open, close)| {
                    rest[open.len()..]
                        .find(close)
                        .map_or(rest.len(), |i| open.len() + i + close.len())
                })
                .unwrap_or(1);
            at = start + skip;
            continue;
        }
        let after = &rest[1..];
        let Some(len) = reference_len(after) else {
            out.push_str(&text[copied..start]);
            out.push_str("&amp;");
            copied = start + 1;
            at = start + 1;
            note("bare & escaped", &mut done);
            continue;
        };
        let name = &after[..len];
        let end = start + len + 2;
        at = end;
        if name.starts_with('#') || matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
            continue;
        }
        out.push_str(&text[copied..start]);
        copied = end;
        if let Some(value) = declared.get(name) {
            out.push_str(value);
            note("entities declared in the DOCTYPE expanded", &mut done);
        } else if let Some(chars) = named_entity(name) {
            for c in chars.chars() {
                out.push_str(&format!("&#{};", u32::from(c)));
            }
            note("HTML entities replaced", &mut done);
        } else {
            out.push_str("&amp;");
            out.push_str(&text[start + 1..end]);
            note("undefined entities escaped", &mut done);
        }
    }
    if done.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, done))
}

/// The length of the reference name that `after` (the text after an `&`)
/// starts with, when a `;` ends it: `#233`, `#x2014`, `eacute`.
fn reference_len(after: &str) -> Option<usize> {
    // A name is short (the longest HTML one has 31 characters): a bare `&`
    // must not send the search to a `;` at the far end of the text.
    let head = &after.as_bytes()[..after.len().min(40)];
    let end = head.iter().position(|&b| b == b';')?;
    let name = &after[..end];
    let valid = if let Some(number) = name.strip_prefix('#') {
        match number.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
        }
    } else {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_alphanumeric() || "_:.-".contains(c))
    };
    valid.then_some(end)
}

fn find_ignore_case(text: &str, needle: &str) -> Option<usize> {
    // Every needle here starts with `<`: candidates are found with
    // `str::find`, which is fast, rather than by comparing at every byte.
    let (first, _) = needle.as_bytes().split_first()?;
    if first.is_ascii_alphabetic() {
        return text
            .as_bytes()
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
    }
    let mut at = 0;
    while let Some(found) = text[at..].find(char::from(*first)) {
        let start = at + found;
        let candidate = text.as_bytes().get(start..start + needle.len())?;
        if candidate.eq_ignore_ascii_case(needle.as_bytes()) {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> (String, Vec<String>) {
        let (t, r) = repair(text);
        (t.into_owned(), r)
    }

    #[test]
    fn a_sound_document_is_left_alone() {
        let doc = "<?xml version=\"1.0\"?>\n<rss><channel><item><title>A &amp; B &#233;</title>\
                   <description><![CDATA[x & y]]></description><!-- a & b --></item></channel></rss>";
        let (text, repairs) = repair(doc);
        assert!(matches!(text, Cow::Borrowed(_)));
        assert!(repairs.is_empty());
    }

    #[test]
    fn bare_ampersands_and_entities() {
        let (text, repairs) = fixed(
            "<rss><item><link>http://e.org/?a=1&b=2</link><title>Tom & Jerry &eacute;t&eacute; \
             &bogus; &amp;</title><guid a=\"x&y\">1</guid></item></rss>",
        );
        assert_eq!(
            text,
            "<rss><item><link>http://e.org/?a=1&amp;b=2</link><title>Tom &amp; Jerry &#233;t&#233; \
             &amp;bogus; &amp;</title><guid a=\"x&amp;y\">1</guid></item></rss>"
        );
        assert_eq!(
            repairs,
            [
                "bare & escaped",
                "HTML entities replaced",
                "undefined entities escaped"
            ]
        );
        // Two-character entities become two references.
        let (text, _) = fixed("<t>&NotEqualTilde;</t>");
        assert_eq!(text, "<t>&#8770;&#824;</t>");
    }

    #[test]
    fn doctype_dropped_keeping_lines_and_declared_entities() {
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n  <!ENTITY site \"Ереван News\">\n  \
                   <!ENTITY % p \"x\">\n]>\n<rss><title>&site; &nbsp;</title></rss>";
        let (text, repairs) = fixed(doc);
        assert_eq!(
            text,
            "<?xml version=\"1.0\"?>\n\n\n\n\n<rss><title>Ереван News &#160;</title></rss>"
        );
        assert_eq!(
            repairs,
            [
                "DOCTYPE dropped",
                "entities declared in the DOCTYPE expanded",
                "HTML entities replaced"
            ]
        );
        let xhtml = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \
                     \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"><rss/>";
        assert_eq!(fixed(xhtml).0, "<rss/>");
    }

    #[test]
    fn unclosed_cdata_is_closed_before_its_element_ends() {
        let (text, repairs) = fixed(
            "<item><title><![CDATA[A <b>bold</b> title</title>\
             <description><![CDATA[fine]]></description></item>",
        );
        assert_eq!(
            text,
            "<item><title><![CDATA[A <b>bold</b> title]]></title>\
             <description><![CDATA[fine]]></description></item>"
        );
        assert_eq!(repairs, ["unclosed CDATA section closed"]);
        // Cut off inside the section: closed at the end.
        assert_eq!(
            fixed("<item><title><![CDATA[abc").0,
            "<item><title><![CDATA[abc]]>"
        );
    }

    #[test]
    fn bare_lt_and_tags_without_their_gt() {
        let (text, repairs) = fixed(
            "<rss><channel><description>a < b, <3</description\n<item><title>x</title>\
             <media:player url=\"https://e.org/?a=1&amp;b=<2>\" /\n</media:content></item></rss",
        );
        assert_eq!(
            text,
            "<rss><channel><description>a &lt; b, &lt;3</description>\n<item><title>x</title>\
             <media:player url=\"https://e.org/?a=1&amp;b=<2>\" />\n</media:content></item></rss>"
        );
        assert_eq!(repairs, ["bare < escaped", "tag without > closed"]);
        // What is not markup is left alone: sections, comments, the prolog.
        let sound = "<?xml version=\"1.0\"?><!-- a < b --><rss title='it&apos;s'>\
                     <![CDATA[<3 <b]]></rss>";
        assert!(repair(sound).1.is_empty());
    }

    #[test]
    fn text_before_the_feed_is_dropped() {
        let (text, repairs) = fixed(
            "<b>Warning</b>: Undefined index in /var/www/rss.php on line 3\n\
             <?xml version=\"1.0\"?>\n<rss/>",
        );
        assert_eq!(text, "\n\n<rss/>");
        assert_eq!(repairs, ["text before the root element dropped"]);
        // A comment first is markup, not text.
        assert!(repair("<!-- c -->\n<rss/>").1.is_empty());
    }
}
