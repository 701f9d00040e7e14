//! Bytes to text: picks the character encoding of a feed or page from the
//! HTTP header, the byte-order mark, the document's own declaration (XML
//! prolog, `<meta charset>`), and finally from the bytes themselves, and
//! decodes with `encoding_rs`. Pure; no I/O, no knowledge of HTTP clients.
//!
//! The order in which the evidence is weighed:
//!
//! 1. A byte-order mark settles it.
//! 2. Bytes that are valid UTF-8 *and* contain non-ASCII are UTF-8 whatever
//!    the labels say. Legacy encodings of real text (Cyrillic in
//!    windows-1251, accented Latin in ISO-8859-1) are practically never
//!    valid UTF-8, whereas servers that stamp a wrong default charset on
//!    UTF-8 documents are common.
//! 3. The labels, in order of trust. For HTML the HTTP header comes before
//!    `<meta>`, as in browsers: a site whose header is wrong shows mojibake
//!    to every visitor and gets fixed. For XML the document's own
//!    declaration comes before the header: nobody looks at feeds in a
//!    browser, so a wrong server default (`text/xml; charset=iso-8859-1`
//!    on a windows-1251 feed) lives on, while the prolog was written by the
//!    program that produced the bytes. A label is skipped when the bytes are
//!    not valid in it (a `utf-8` label on windows-1251 bytes), so the next
//!    piece of evidence gets its turn.
//! 4. Pure ASCII is decoded as UTF-8 (identical for every ASCII-compatible
//!    encoding).
//! 5. `chardetng` guesses from the bytes; it falls back to windows-1252.
//!
//! Last, text that was encoded to UTF-8 twice (UTF-8 bytes read as
//! windows-1252 and saved again as UTF-8: "ÐœÐ¾Ñ\u{81}ÐºÐ²Ð°" for "Москва")
//! is repaired when the whole text maps back to windows-1252 bytes that
//! form valid UTF-8; genuine Latin text practically never does.
//!
//! XML may also come in UTF-32 (with a byte-order mark, or without one when
//! the document starts with `<` as a 32-bit unit, XML 1.0 appendix F),
//! which `encoding_rs` leaves out because the web does not use it; it is
//! decoded here.
//!
//! C1 control characters (U+0080 to U+009F) in text labelled windows-1252
//! or ISO-8859-1 are read as the windows-1252 characters of the same byte
//! values, as the WHATWG Encoding Standard reads those labels: they are
//! what is left when a windows-1252 byte such as 0x92 (’) went through a
//! Latin-1 conversion on the publisher's side and came out as U+0092.

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// How far into an XML document the prolog is looked for.
const XML_PROLOG_SCAN: usize = 1024;
/// How far into an HTML page `<meta charset>` is looked for. The HTML
/// standard's prescan stops at 1024 bytes; real pages often carry a long
/// head of scripts and styles before the meta, so look a little further.
const HTML_META_SCAN: usize = 2048;

/// Decode an XML document (feed, sitemap). The result is UTF-8 text whose
/// XML declaration, if any, no longer names another encoding, so it can be
/// handed to an XML parser as is.
pub fn decode_xml(bytes: &[u8], http_charset: Option<&str>) -> String {
    if let Some(order) = utf32_order(bytes) {
        let text = decode_utf32(bytes, order);
        return rewrite_xml_encoding(&text).into_owned();
    }
    let declared = xml_declared_label(bytes);
    let labels = [declared.as_deref(), http_charset];
    let encoding = choose(bytes, &labels, true);
    let text = with_windows_1252_c1(repair_double_utf8(decode_with(encoding, bytes)), &labels);
    rewrite_xml_encoding(&text).into_owned()
}

/// Decode an HTML page.
pub fn decode_html(bytes: &[u8], http_charset: Option<&str>) -> String {
    let declared = html_declared_label(bytes);
    let labels = [http_charset, declared.as_deref()];
    let encoding = choose(bytes, &labels, false);
    with_windows_1252_c1(repair_double_utf8(decode_with(encoding, bytes)), &labels)
}

/// Byte order of a UTF-32 document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Utf32 {
    Little,
    Big,
}

/// The byte order of `bytes` if they are UTF-32: a byte-order mark, else a
/// first character that is ASCII as a 32-bit unit (`<`, or whitespace
/// before it). Checked before the UTF-16 mark, which `FF FE 00 00` starts
/// with too.
fn utf32_order(bytes: &[u8]) -> Option<Utf32> {
    match bytes {
        [0, 0, 0xFE, 0xFF, ..] => Some(Utf32::Big),
        [0xFF, 0xFE, 0, 0, ..] => Some(Utf32::Little),
        [0, 0, 0, c, ..] if c.is_ascii() && *c != 0 => Some(Utf32::Big),
        [c, 0, 0, 0, ..] if c.is_ascii() && *c != 0 => Some(Utf32::Little),
        _ => None,
    }
}

/// UTF-32 to text, without its byte-order mark; a unit that is no
/// character (or a truncated last one) becomes U+FFFD.
fn decode_utf32(bytes: &[u8], order: Utf32) -> String {
    let mut text = String::with_capacity(bytes.len() / 4);
    for unit in bytes.chunks(4) {
        let c = match (<[u8; 4]>::try_from(unit), order) {
            (Ok(b), Utf32::Little) => char::from_u32(u32::from_le_bytes(b)),
            (Ok(b), Utf32::Big) => char::from_u32(u32::from_be_bytes(b)),
            (Err(_), _) => None,
        };
        text.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// `text` with its C1 controls read as windows-1252 when one of `labels`
/// names that encoding or one the WHATWG standard reads as it (ISO-8859-1,
/// US-ASCII). Text decoded as windows-1252 has none left but the five
/// bytes windows-1252 leaves undefined; these are for text that was valid
/// UTF-8 despite its label.
fn with_windows_1252_c1(text: String, labels: &[Option<&str>]) -> String {
    let labelled = labels
        .iter()
        .flatten()
        .any(|l| Encoding::for_label(l.trim().as_bytes()) == Some(WINDOWS_1252));
    if !labelled {
        return text;
    }
    match c1_as_windows_1252(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(mapped) => mapped,
    }
}

/// C1 control characters (U+0080 to U+009F) replaced by the windows-1252
/// characters of the same byte values (U+0092 → ’), as the HTML standard
/// reads numeric references to them; the five code points windows-1252
/// leaves undefined stay as they are.
pub fn c1_as_windows_1252(text: &str) -> Cow<'_, str> {
    let is_c1 = |c: char| ('\u{80}'..='\u{9F}').contains(&c);
    // Run on every title and summary of every feed: the test is on bytes
    // (a C1 control is 0xC2 then 0x80..=0x9F in UTF-8), with a fast search
    // for 0xC2 first, which most text in non-Latin scripts does not hold.
    let bytes = text.as_bytes();
    if !bytes.contains(&0xC2) || !bytes.windows(2).any(|w| w[0] == 0xC2 && w[1] < 0xA0) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !is_c1(c) {
            out.push(c);
            continue;
        }
        // Below U+0100 a character's code point is its Latin-1 byte.
        let byte = [u32::from(c) as u8];
        let (decoded, _) = WINDOWS_1252.decode_without_bom_handling(&byte);
        out.push_str(&decoded);
    }
    Cow::Owned(out)
}

/// Undo one level of double UTF-8 encoding, if that is what `text` shows.
fn repair_double_utf8(text: String) -> String {
    // U+2122 (™) is the highest code point windows-1252 maps; anything
    // above settles the question without encoding the whole text.
    if text.is_ascii() || text.chars().any(|c| u32::from(c) > 0x2122) {
        return text;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    if unmappable {
        return text;
    }
    match String::from_utf8(bytes.into_owned()) {
        Ok(repaired) => repaired,
        Err(_) => text,
    }
}

/// The encoding to decode `bytes` with; `labels` in order of trust.
fn choose(bytes: &[u8], labels: &[Option<&str>], xml: bool) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    if xml {
        // XML 1.0 appendix F: a BOM-less UTF-16 document starts with `<` as
        // a 16-bit unit.
        if bytes.starts_with(b"<\0?\0") {
            return UTF_16LE;
        }
        if bytes.starts_with(b"\0<\0?") {
            return UTF_16BE;
        }
    }
    let utf8 = std::str::from_utf8(bytes).is_ok();
    if utf8 && !bytes.is_ascii() {
        return UTF_8;
    }
    for label in labels.iter().flatten() {
        let Some(encoding) = Encoding::for_label(label.trim().as_bytes()) else {
            continue;
        };
        if encoding == UTF_16LE || encoding == UTF_16BE {
            // A UTF-16 label without BOM in a document whose label could be
            // read as ASCII is a lie (HTML standard treats it as UTF-8).
            if !bytes.iter().take(256).any(|&b| b == 0) {
                continue;
            }
            return encoding;
        }
        if encoding == UTF_8 {
            if utf8 {
                return UTF_8;
            }
            continue;
        }
        if decodes_cleanly(encoding, bytes) {
            return encoding;
        }
    }
    if utf8 {
        return UTF_8;
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, Utf8Detection::Deny)
}

fn decodes_cleanly(encoding: &'static Encoding, bytes: &[u8]) -> bool {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .is_some()
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> String {
    // `decode` strips a BOM of any UTF and would let it override
    // `encoding`; `choose` already honoured it, so the result is the same.
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// The `encoding` pseudo-attribute of the XML declaration, read from the
/// raw bytes (the declaration is ASCII in every ASCII-compatible encoding).
fn xml_declared_label(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(XML_PROLOG_SCAN)];
    let head = String::from_utf8_lossy(head);
    let (start, end) = find_xml_declaration(&head)?;
    let (_, value) = find_pseudo_attribute(&head[start..end], "encoding")?;
    Some(value.to_owned())
}

/// Byte range of `<?xml ... ?>` in `text`, if there is one before the
/// first element. Leading comments are tolerated: some generators emit one
/// before the declaration, which is not well-formed but common.
fn find_xml_declaration(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(found) = text[from..].find("<?xml") {
        let start = from + found;
        let after = text[start + 5..].chars().next()?;
        if after.is_ascii_whitespace() || after == '?' {
            let end = start + text[start..].find("?>")? + 2;
            return Some((start, end));
        }
        // `<?xml-stylesheet ...?>` and the like: keep looking.
        from = start + 5;
    }
    None
}

/// Value range and value of `name="value"` (or single quotes) in `decl`.
fn find_pseudo_attribute<'a>(decl: &'a str, name: &str) -> Option<(usize, &'a str)> {
    let lower = decl.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let preceded_ok = lower[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_whitespace());
        if !preceded_ok {
            continue;
        }
        let rest = &decl[from..];
        let rest_trimmed = rest.trim_start();
        let Some(after_eq) = rest_trimmed.strip_prefix('=') else {
            continue;
        };
        let value_part = after_eq.trim_start();
        let quote = value_part.chars().next()?;
        if quote != '"' && quote != '\'' {
            continue;
        }
        let value_start = decl.len() - value_part.len() + 1;
        let len = decl[value_start..].find(quote)?;
        return Some((value_start, &decl[value_start..value_start + len]));
    }
    None
}

/// Make the XML declaration of already decoded text say UTF-8, so a parser
/// that honours the declaration does not decode the text a second time.
fn rewrite_xml_encoding(text: &str) -> Cow<'_, str> {
    let scan_end = floor_char_boundary(text, XML_PROLOG_SCAN);
    let Some((start, end)) = find_xml_declaration(&text[..scan_end]) else {
        return Cow::Borrowed(text);
    };
    let Some((value_start, value)) = find_pseudo_attribute(&text[start..end], "encoding") else {
        return Cow::Borrowed(text);
    };
    if value.eq_ignore_ascii_case("utf-8") {
        return Cow::Borrowed(text);
    }
    let value_start = start + value_start;
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..value_start]);
    out.push_str("UTF-8");
    out.push_str(&text[value_start + value.len()..]);
    Cow::Owned(out)
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The charset a page declares in `<meta charset>` or
/// `<meta http-equiv="content-type" content="...; charset=...">`.
fn html_declared_label(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(HTML_META_SCAN)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = head[from..].find("<meta") {
        let start = from + found + "<meta".len();
        from = start;
        let attributes = tag_attributes(&head[start..]);
        let value_of = |name: &str| {
            attributes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim())
        };
        // `<meta charset=utf-8/>`: the slash of a self-closing tag sticks
        // to an unquoted value.
        let charset = value_of("charset").map(|v| v.trim_end_matches('/').trim());
        if let Some(label) = charset.filter(|v| !v.is_empty()) {
            return Some(label.to_owned());
        }
        if value_of("http-equiv") == Some("content-type") {
            if let Some(label) = value_of("content").and_then(charset_param) {
                return Some(label);
            }
        }
    }
    None
}

/// The attributes of a start tag, from just after its name up to its `>`:
/// `name="value"`, `name='value'`, `name=value` and bare `name`.
fn tag_attributes(rest: &str) -> Vec<(String, String)> {
    let mut attributes = Vec::new();
    let mut chars = rest.char_indices().peekable();
    loop {
        while chars
            .next_if(|(_, c)| c.is_ascii_whitespace() || *c == '/')
            .is_some()
        {}
        let Some(&(name_start, first)) = chars.peek() else {
            break;
        };
        if first == '>' {
            break;
        }
        let mut name_end = name_start;
        while let Some((i, c)) =
            chars.next_if(|(_, c)| !c.is_ascii_whitespace() && !"=>/".contains(*c))
        {
            name_end = i + c.len_utf8();
        }
        if name_end == name_start {
            // A stray `=`: skip it.
            chars.next();
            continue;
        }
        let name = rest[name_start..name_end].to_owned();
        while chars.next_if(|(_, c)| c.is_ascii_whitespace()).is_some() {}
        if chars.next_if(|(_, c)| *c == '=').is_none() {
            attributes.push((name, String::new()));
            continue;
        }
        while chars.next_if(|(_, c)| c.is_ascii_whitespace()).is_some() {}
        let mut value = String::new();
        match chars.peek().copied() {
            Some((_, quote @ ('"' | '\''))) => {
                chars.next();
                for (_, c) in chars.by_ref() {
                    if c == quote {
                        break;
                    }
                    value.push(c);
                }
            }
            _ => {
                while let Some((_, c)) =
                    chars.next_if(|(_, c)| !c.is_ascii_whitespace() && *c != '>')
                {
                    value.push(c);
                }
            }
        }
        attributes.push((name, value));
    }
    attributes
}

/// The `charset` parameter of a Content-Type value such as
/// `text/html; charset="utf-8"`.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(['"', '\'']).trim();
        (!value.is_empty()).then(|| value.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const FEEDS: &str = "../shared/fixtures/realworld/b_feed_variety";

    fn fixture(name: &str) -> Option<Vec<u8>> {
        let path = Path::new(FEEDS).join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                eprintln!("skipping: fixture {} not present", path.display());
                None
            }
        }
    }

    fn cp1251(text: &str) -> Vec<u8> {
        encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
    }

    #[test]
    fn windows_1251_fixture_follows_its_prolog() {
        let Some(bytes) = fixture("encoding_WINDOWS-1251.xml") else {
            return;
        };
        let text = decode_xml(&bytes, None);
        assert!(text.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#));
        assert!(text.contains("Новый цитатник Рунета"), "{}", &text[..300]);
        // Byte 0x85 is the ellipsis in windows-1251.
        assert!(bytes.contains(&0x85));
        assert!(text.contains('…'));
        // A server default in the header does not override the prolog.
        assert_eq!(decode_xml(&bytes, Some("iso-8859-1")), text);
        assert_eq!(decode_xml(&bytes, Some("utf-8")), text);
    }

    #[test]
    fn koi8r_fixture_without_any_label_is_sniffed() {
        let Some(bytes) = fixture("koi8r.xml") else {
            return;
        };
        let text = decode_xml(&bytes, None);
        assert!(text.contains("Как пережить новогоднюю ночь"), "{text}");
    }

    #[test]
    fn latin1_fixture_without_declaration_is_readable() {
        let Some(bytes) = fixture("no_encoding_ISO-8859-1.xml") else {
            return;
        };
        assert!(std::str::from_utf8(&bytes).is_err());
        let text = decode_xml(&bytes, None);
        assert!(!text.contains('\u{FFFD}'));
        assert!(text.contains('é'), "{}", &text[..600]);
    }

    #[test]
    fn rss_091_iso_8859_1_prolog() {
        let Some(bytes) = fixture("rss_0.91_encoding_1.xml") else {
            return;
        };
        let text = decode_xml(&bytes, None);
        assert!(text.contains("Dicas técnicas"));
        assert!(text.contains("Informações Úteis"));
        assert!(text.contains(r#"encoding="UTF-8""#));
    }

    #[test]
    fn header_charset_used_when_there_is_no_prolog() {
        let bytes = cp1251("<rss><channel><title>Новости дня</title></channel></rss>");
        assert_eq!(
            decode_xml(&bytes, Some("windows-1251")),
            "<rss><channel><title>Новости дня</title></channel></rss>"
        );
    }

    #[test]
    fn wrong_utf8_header_falls_through_to_prolog() {
        let mut bytes = br#"<?xml version='1.0' encoding='windows-1251'?>"#.to_vec();
        bytes.extend(cp1251("<t>Привет</t>"));
        let text = decode_xml(&bytes, Some("UTF-8"));
        assert_eq!(
            text,
            r#"<?xml version='1.0' encoding='UTF-8'?><t>Привет</t>"#
        );
    }

    #[test]
    fn valid_utf8_beats_a_stale_legacy_label() {
        let doc = r#"<?xml version="1.0" encoding="windows-1251"?><t>Привет</t>"#;
        let text = decode_xml(doc.as_bytes(), Some("koi8-r"));
        assert_eq!(
            text,
            r#"<?xml version="1.0" encoding="UTF-8"?><t>Привет</t>"#
        );
    }

    #[test]
    fn bom_wins_and_is_removed() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice("<?xml version=\"1.0\"?><t>Ә</t>".as_bytes());
        assert_eq!(
            decode_xml(&bytes, Some("windows-1251")),
            "<?xml version=\"1.0\"?><t>Ә</t>"
        );
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for unit in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>ბ</t>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            decode_xml(&utf16, None),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>ბ</t>"
        );
    }

    #[test]
    fn stylesheet_instruction_is_not_the_declaration() {
        let doc = b"<?xml-stylesheet href=\"a.xsl\" encoding=\"x\"?><t/>";
        assert_eq!(
            decode_xml(doc, None),
            "<?xml-stylesheet href=\"a.xsl\" encoding=\"x\"?><t/>"
        );
    }

    #[test]
    fn double_encoded_utf8_is_repaired() {
        let once = "<rss><title>Москва — «мороз»</title></rss>";
        let (as_1252, _, _) = encoding_rs::WINDOWS_1252.decode(once.as_bytes());
        let twice = as_1252.into_owned().into_bytes();
        assert_ne!(twice, once.as_bytes());
        assert_eq!(decode_xml(&twice, Some("utf-8")), once);
        // Genuine Latin-1 text stays as it is.
        let french = "<p>Où est le café? Déjà vu, «ça» — à côté.</p>";
        assert_eq!(decode_html(french.as_bytes(), None), french);
        let latin1 = encoding_rs::WINDOWS_1252.encode(french).0.into_owned();
        assert_eq!(decode_html(&latin1, None), french);
    }

    #[test]
    fn double_encoded_fixture_is_readable() {
        let Some(bytes) = fixture("Rss20YandexRussia.xml") else {
            return;
        };
        let text = decode_xml(&bytes, None);
        assert!(text.contains("Яндекс.Новости"), "{}", &text[..200]);
    }

    #[test]
    fn ascii_and_empty_input() {
        assert_eq!(decode_xml(b"", None), "");
        assert_eq!(decode_html(b"<p>hi</p>", Some("nonsense")), "<p>hi</p>");
    }

    #[test]
    fn html_meta_charset_and_http_equiv() {
        let mut page = b"<html><head><meta charset=\"windows-1251\"></head><body>".to_vec();
        page.extend(cp1251("Ереван"));
        assert!(decode_html(&page, None).ends_with("Ереван"));

        let mut page =
            b"<html><head><META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=koi8-r'>"
                .to_vec();
        page.extend(encoding_rs::KOI8_R.encode("Баку").0.iter());
        assert!(decode_html(&page, None).ends_with("Баку"));

        let mut page = b"<meta charset=windows-1251>".to_vec();
        page.extend(cp1251("Тбилиси"));
        assert!(decode_html(&page, None).ends_with("Тбилиси"));
    }

    #[test]
    fn meta_labels_are_read_exactly() {
        let label = |page: &str| html_declared_label(page.as_bytes());
        assert_eq!(
            label(r#"<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">"#)
                .as_deref(),
            Some("windows-1251")
        );
        assert_eq!(
            label("<META HTTP-EQUIV='content-type' CONTENT='text/html;charset=KOI8-R'/>")
                .as_deref(),
            Some("koi8-r")
        );
        assert_eq!(
            label(r#"<meta name="description" content="x; charset=bogus"><meta charset=utf-8/>"#)
                .as_deref(),
            Some("utf-8")
        );
        assert_eq!(
            label(r#"<meta property="og:title" content="charset"><title>x</title>"#),
            None
        );
        assert_eq!(
            tag_attributes(r#" a=1 b = "two words" c d='x'>ignored="#),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "two words".to_owned()),
                ("c".to_owned(), String::new()),
                ("d".to_owned(), "x".to_owned()),
            ]
        );
    }

    #[test]
    fn html_header_beats_meta() {
        let mut page = b"<meta charset=\"iso-8859-5\">".to_vec();
        page.extend(cp1251("Москва"));
        assert!(decode_html(&page, Some("windows-1251")).ends_with("Москва"));
    }

    #[test]
    fn html_without_labels_is_sniffed() {
        let text = "<html><body><p>Армянские и азербайджанские журналисты встретились в Тбилиси, \
                    чтобы обсудить освещение переговоров.</p></body></html>";
        let page = cp1251(text);
        assert_eq!(decode_html(&page, None), text);
    }

    fn utf32(text: &str, order: Utf32, bom: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        let chars = bom.then_some('\u{FEFF}').into_iter().chain(text.chars());
        for c in chars {
            let unit = u32::from(c);
            match order {
                Utf32::Little => bytes.extend_from_slice(&unit.to_le_bytes()),
                Utf32::Big => bytes.extend_from_slice(&unit.to_be_bytes()),
            }
        }
        bytes
    }

    #[test]
    fn utf32_with_and_without_byte_order_mark() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-32\"?><t>Բարև ბ 🗞</t>";
        let want = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>Բարև ბ 🗞</t>";
        for order in [Utf32::Little, Utf32::Big] {
            for bom in [true, false] {
                let bytes = utf32(doc, order, bom);
                assert_eq!(decode_xml(&bytes, None), want, "{order:?} bom {bom}");
                // A header that says otherwise does not win over the bytes.
                assert_eq!(decode_xml(&bytes, Some("utf-8")), want);
            }
        }
        // Leading whitespace as a 32-bit unit, no declaration.
        let bytes = utf32("\n<rss/>", Utf32::Little, false);
        assert_eq!(decode_xml(&bytes, None), "\n<rss/>");
        // A truncated last unit is a replacement character, not a panic.
        let mut bytes = utf32("<a/>", Utf32::Big, true);
        bytes.extend_from_slice(&[0, 0]);
        assert_eq!(decode_xml(&bytes, None), "<a/>\u{FFFD}");
        // UTF-16 with its mark is still UTF-16.
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for unit in "<t>a</t>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode_xml(&utf16, None), "<t>a</t>");
    }

    #[test]
    fn c1_controls_in_windows_1252_labelled_text() {
        // Valid UTF-8 that carries U+0092 where ’ was meant: the bytes are
        // read as UTF-8, and the label says how to read the control.
        for label in ["windows-1252", "ISO-8859-1", "latin1", "us-ascii"] {
            let doc = format!(
                "<?xml version=\"1.0\" encoding=\"{label}\"?><t>It\u{92}s \u{93}new\u{94} \u{80}5</t>"
            );
            assert_eq!(
                decode_xml(doc.as_bytes(), None),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>It’s “new” €5</t>",
                "{label}"
            );
        }
        let page = "<p>Don\u{92}t</p>";
        assert_eq!(
            decode_html(page.as_bytes(), Some("iso-8859-1")),
            "<p>Don’t</p>"
        );
        // The same bytes in windows-1252 proper.
        assert_eq!(
            decode_xml(b"<t>It\x92s</t>", Some("windows-1252")),
            "<t>It’s</t>"
        );
        // Under another label a C1 control is left to the reader.
        let cyrillic = "<t>\u{98}</t>";
        assert_eq!(
            decode_xml(cyrillic.as_bytes(), Some("windows-1251")),
            cyrillic
        );
        assert_eq!(c1_as_windows_1252("a\u{92}b\u{81}"), "a’b\u{81}");
        assert!(matches!(c1_as_windows_1252("plain ’"), Cow::Borrowed(_)));
    }

    #[test]
    fn charset_parameter_parsing() {
        assert_eq!(
            charset_param("text/html; charset=\"UTF-8\"").as_deref(),
            Some("UTF-8")
        );
        assert_eq!(
            charset_param("application/rss+xml;Charset=windows-1251 ").as_deref(),
            Some("windows-1251")
        );
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(charset_param("text/html; charset="), None);
    }
}
