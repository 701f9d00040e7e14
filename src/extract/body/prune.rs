//! What of the chosen container goes into the output: blocks that are
//! links, captions, the `<h1>`, ads or copyright lines go (a linked
//! sentence between two paragraphs of the story stays); so do headings
//! whose section kept nothing, datelines and bylines above the first
//! paragraph, time stamp lines anywhere and a short run of labels after
//! the last.

use super::lines::{
    byline, dateline, ends_like_sentence, is_ad_label, is_legal_line, substantive, time_stamp,
};
use super::segment::Block;
use crate::extract::dom::Tag;

/// The blocks of the chosen container that go into the output: those
/// [`keep`] takes, and linked sentences between the first and the last
/// paragraph it takes.
pub(super) fn kept<'a>(blocks: Vec<(&'a Block, &'a str)>) -> Vec<(&'a Block, &'a str)> {
    let taken: Vec<bool> = blocks
        .iter()
        .map(|(b, t)| !linked(b) && keep(b, t))
        .collect();
    let prose = |i: &usize| taken[*i] && substantive(blocks[*i].1);
    let first = (0..blocks.len()).find(prose);
    let last = (0..blocks.len()).rev().find(prose);
    blocks
        .iter()
        .enumerate()
        .filter(|&(i, (b, t))| {
            taken[i]
                || (first.is_some_and(|f| f < i)
                    && last.is_some_and(|l| i < l)
                    && linked_sentence(b, t))
        })
        .map(|(_, x)| *x)
        .collect()
}

/// Fewest words of a linked sentence kept inside the story.
const LINKED_SENTENCE_WORDS: usize = 6;

/// A paragraph that is a sentence made (mostly) of a link: "This week's
/// episode is [a game in which everyone guesses]." Between two paragraphs
/// of the story it is the story pointing at its source; at either end it
/// is more often "You may also like…", so [`kept`] takes it only inside.
fn linked_sentence(b: &Block, text: &str) -> bool {
    linked(b)
        && b.tag == Tag::P
        && ends_like_sentence(text)
        && text.split_whitespace().count() >= LINKED_SENTENCE_WORDS
        && keep(b, text)
}

/// Mostly link text: navigation, unless it is a quote's (embedded posts
/// link their handles and dates).
fn linked(b: &Block) -> bool {
    let ld = b.link_density();
    ld > 0.5 && !(b.in_quote && ld <= 0.9)
}

/// Whether a block of the chosen container that is not [`linked`] goes
/// into the output.
fn keep(b: &Block, text: &str) -> bool {
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

/// A time stamp standing as a line of its own (with the writer's handle
/// after it, say), not a sentence that gives a time.
fn stamp_line(text: &str) -> bool {
    time_stamp(text) && !ends_like_sentence(text)
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
        if (i < first && (dateline(t) || byline(t))) || i >= last || stamp_line(t) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(t);
    }
    out
}
