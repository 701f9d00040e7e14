//! What of the chosen container goes into the output: blocks that are
//! links, captions, the `<h1>`, ads or copyright lines go; so do headings
//! whose section kept nothing, datelines and bylines above the first
//! paragraph and a short run of labels after the last.

use super::lines::{byline, dateline, is_ad_label, is_legal_line, substantive};
use super::segment::Block;
use crate::extract::dom::Tag;

/// Whether a block of the chosen container goes into the output.
pub(super) fn keep(b: &Block, text: &str) -> bool {
    let ld = b.link_density();
    if ld > 0.5 && !(b.in_quote && ld <= 0.9) {
        return false;
    }
    // Escaped markup shown as text (a tracking pixel inside a mangled
    // `<noscript>`) is never prose.
    if text.starts_with('<') && text.ends_with('>') {
        return false;
    }
    if matches!(b.tag, Tag::Heading(1) | Tag::Caption) || b.in_figure {
        return false;
    }
    !is_ad_label(text) && !is_legal_line(text)
}

/// Longest run of short lines after the last paragraph still taken for
/// labels rather than content.
const MAX_TRAILING_LABELS: usize = 5;

/// The output: `kept` without label headings, datelines and bylines above
/// the article and trailing labels, paragraphs separated by blank lines.
pub(super) fn joined(kept: Vec<(&Block, &str)>) -> String {
    // A heading whose section kept nothing (a sidebar module's title over
    // a dropped link list, "Related posts" at the end) is a label.
    let kept: Vec<(&Block, &str)> = (0..kept.len())
        .filter(|&i| match kept[i].0.tag {
            Tag::Heading(level) => kept
                .get(i + 1)
                .is_some_and(|(next, _)| !matches!(next.tag, Tag::Heading(l) if l <= level)),
            _ => true,
        })
        .map(|i| kept[i])
        .collect();
    // Datelines and bylines sit above the article's first paragraph. Other
    // short lines there (section labels, score lines) are often content, so
    // only these two kinds go.
    let first = kept.iter().position(|(_, t)| substantive(t)).unwrap_or(0);
    // Below the last paragraph, a few short loose lines are labels ("Like
    // this:", "Comments", "Advertisement"). Items of a list or table, or a
    // long run of short lines (tour dates, results), are content.
    let last = kept
        .iter()
        .rposition(|(b, t)| substantive(t) || matches!(b.tag, Tag::Li | Tag::Cell) || b.in_li())
        .map_or(kept.len(), |i| i + 1);
    let last = if kept.len() - last <= MAX_TRAILING_LABELS {
        last
    } else {
        kept.len()
    };
    let mut out = String::new();
    for (i, (_, t)) in kept.iter().enumerate() {
        if (i < first && (dateline(t) || byline(t))) || i >= last {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(t);
    }
    out
}
