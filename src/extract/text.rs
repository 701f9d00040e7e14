//! Text of HTML as a reader sees it: which elements break the text, which
//! are never shown, and how whitespace collapses. The one owner of these
//! rules: the page arena ([`super::dom`]) classifies elements with
//! [`flow`], and the fragments that sources hand over (feed titles and
//! summaries, social posts) become text through [`element_text`],
//! [`fragment_text`] and [`fragment_line`].

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

/// How an element takes part in the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    /// Continues the line it is on: `span`, `em`, `a`, ...
    Inline,
    /// Ends the line: `br`, `hr`.
    Break,
    /// Stands apart from what is around it: `p`, `div`, `li`, `td`, and
    /// any element not named here.
    Block,
    /// Never shown as text: `script`, `style`, form controls, media, ...
    Hidden,
}

/// How the element `name` (lowercase) takes part in the text.
pub(super) fn flow(name: &str) -> Flow {
    match name {
        "br" | "hr" => Flow::Break,
        "a" | "span" | "em" | "strong" | "b" | "i" | "u" | "s" | "font" | "small" | "big"
        | "sub" | "sup" | "abbr" | "cite" | "q" | "mark" | "code" | "time" | "var" | "kbd"
        | "samp" | "del" | "ins" | "dfn" | "bdi" | "bdo" | "wbr" | "nobr" | "tt" | "strike"
        | "data" | "acronym" | "img" | "picture" => Flow::Inline,
        "head" | "script" | "style" | "noscript" | "template" | "svg" | "math" | "iframe"
        | "object" | "embed" | "canvas" | "button" | "select" | "input" | "textarea" | "option"
        | "audio" | "video" | "map" | "link" | "meta" | "title" | "base" | "dialog" | "source"
        | "track" | "param" | "area" => Flow::Hidden,
        _ => Flow::Block,
    }
}

/// `text` on one line: runs of whitespace (line breaks and no-break spaces
/// included) become one space, none at the ends.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_collapsed(&mut out, text);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Append `text` to `out` with runs of whitespace collapsed to one space,
/// never starting `out` with one nor doubling one already at its end.
pub(super) fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// Plain text of what `element` holds, keeping its line structure: a line
/// break (`<br>`) starts a new line, a block (`<p>`, `<div>`, ...) stands
/// on lines of its own, and an empty line between blocks stays as one
/// blank line; spaces inside a line are collapsed. Posts keep their lines
/// this way.
pub fn element_text(element: ElementRef<'_>) -> String {
    let mut raw = String::new();
    walk(*element, &mut raw);
    let mut text = String::with_capacity(raw.len());
    let mut blank = false;
    for line in raw.lines() {
        let line = collapse_whitespace(line);
        if line.is_empty() {
            blank = !text.is_empty();
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        text.push_str(&line);
    }
    text
}

fn walk(node: NodeRef<'_, Node>, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => match flow(e.name()) {
                Flow::Hidden => {}
                Flow::Break => out.push('\n'),
                Flow::Inline => walk(child, out),
                Flow::Block => {
                    out.push('\n');
                    walk(child, out);
                    out.push('\n');
                }
            },
            _ => {}
        }
    }
}

/// [`element_text`] of an HTML fragment (a post's HTML content).
pub fn fragment_text(html: &str) -> String {
    element_text(Html::parse_fragment(html).root_element())
}

/// Text of an HTML fragment on one line: tags dropped, entities decoded,
/// hidden elements skipped, blocks kept apart by a space, whitespace
/// collapsed. For titles, summaries and names, which feeds write as HTML
/// whatever their declared type.
pub fn fragment_line(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return collapse_whitespace(html);
    }
    collapse_whitespace(&fragment_text(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_keep_their_lines() {
        assert_eq!(
            fragment_text("<p>Բարեւ<br>աշխարհ</p><p>Second &amp; last</p>"),
            "Բարեւ\nաշխարհ\n\nSecond & last"
        );
        // Blocks stand apart, hidden elements are left out, inline ones
        // continue the line.
        assert_eq!(
            fragment_text(
                "x <b>y</b><script>z</script><table><tr><td>a</td><td>b</td></tr></table>"
            ),
            "x y\n\na\n\nb"
        );
    }

    #[test]
    fn lines_for_titles_and_summaries() {
        assert_eq!(
            fragment_line("<p>First&nbsp;para.</p><p>Second <a href=\"x\">link</a>.</p>"),
            "First para. Second link."
        );
        assert_eq!(fragment_line("  plain\n text "), "plain text");
        assert_eq!(
            fragment_line("Tom &amp; Jerry <b>live</b>"),
            "Tom & Jerry live"
        );
    }

    #[test]
    fn whitespace_collapses_to_single_spaces() {
        assert_eq!(collapse_whitespace(" a \n\t b\u{a0} c  "), "a b c");
        assert_eq!(collapse_whitespace("   "), "");
    }
}
