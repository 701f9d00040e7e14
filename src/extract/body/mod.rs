//! Main text: split the page into text blocks, pick the container whose
//! blocks look most like running prose, and keep its non-boilerplate blocks.
//!
//! Each block (the text between two block-level boundaries) gets a signed
//! score: prose with few links counts for its length, link lists and short
//! stray lines count against. Scores are summed per subtree in one reverse
//! sweep over the arena, so the best container is an argmax, not a search.
//! A wrapper wins over its child only when what it adds is net prose, which
//! is what keeps a lead paragraph but leaves out the navigation around it.
//!
//! Then: a winner holding a tiny fraction of the prose of the page's
//! largest run of paragraphs gives way to that run (a sign-up line or a
//! footer never beats the article); a descendant named like the article
//! body (`entry-content`, `itemprop=articleBody`) that holds most of the
//! winner's score replaces it, and so does a child holding nearly all of
//! it (or most of it, when the rest is boxes: labels, links and at most
//! one paragraph, a sidebar's description or a bio), while a winner
//! inside such an element widens to it (the winner was one part of the
//! article); prose siblings just before the container join
//! as its lead; teaser cards (an `<article>` or `<li>` opening with a
//! linked heading and holding a summary, not an article) are left out; list
//! items holding several paragraphs count as posts, not menu entries;
//! link-heavy blocks (but a linked sentence between two paragraphs of the
//! story), captions, the `<h1>` and copyright lines are dropped, and so are
//! datelines above the first paragraph, headings whose section kept
//! nothing, a short run of labels after the last paragraph, and a thread of
//! signed units (reader comments) below an article, and whatever follows a
//! comment section named as such (the article ends where its comments
//! begin). When that finds next to nothing the page is read again without
//! the class-name flags (still without comment sections), and the JSON-LD
//! `articleBody` is the last resort.
//!
//! The steps, in the order [`main_text`] takes them: [`segment`] splits the
//! page into blocks, [`teasers`] marks the teaser cards, [`score`] weighs
//! each node, [`container`] chooses the container, [`prune`] drops what of
//! it is not article, with [`comments`] for reader comments and what
//! follows them; [`lines`] tells what a block's text reads as.

mod comments;
mod container;
mod lines;
mod prune;
mod score;
mod segment;
mod teasers;

use super::dom::{Doc, Tag};
use lines::substantive;
use segment::{segment, Block, Pass};

/// Text of the best container, or empty when nothing looks like prose.
fn from_blocks(doc: &Doc, text: &str, blocks: &[Block]) -> String {
    let teaser = teasers::teasers(doc, blocks);
    let scores = score::scores(doc, text, blocks, &teaser);
    let Some((start, end)) = container::choose(doc, &scores) else {
        return String::new();
    };
    let inside: Vec<(&Block, &str)> = blocks
        .iter()
        .filter(|b| (b.owner as usize) >= start && b.owner < end && !teaser[b.owner as usize])
        .map(|b| (b, &text[b.start as usize..b.end as usize]))
        .collect();
    let kept = prune::kept(inside);
    let kept = comments::before_comment_section(doc, start, end, kept);
    let kept = comments::without_comment_thread(doc, kept);
    prune::joined(kept)
}

/// Main text of the page; `json_ld_body` is the JSON-LD `articleBody`, used
/// when the page itself yields less.
pub(super) fn main_text(doc: &Doc, json_ld_body: Option<&str>) -> String {
    let (text, blocks) = segment(doc, Pass::Strict);
    let mut body = from_blocks(doc, &text, &blocks);
    // Class names mislead sometimes (`content-with-sidebar` holding the
    // whole article); when the strict pass finds next to nothing, look again
    // without skipping flagged subtrees.
    if body.chars().count() < 250 {
        let (text, blocks) = segment(doc, Pass::Lenient);
        let lenient = from_blocks(doc, &text, &blocks);
        if lenient.len() > body.len() {
            body = lenient;
        }
    }
    if body.is_empty() {
        // Never empty while the page shows paragraphs: take every prose
        // block wherever it is.
        let (text, blocks) = segment(doc, Pass::All);
        body = blocks
            .iter()
            .map(|b| (b, &text[b.start as usize..b.end as usize]))
            .filter(|(b, t)| b.link_density() <= 0.5 && (b.tag == Tag::P || substantive(t)))
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join("\n\n");
    }
    if let Some(ld) = json_ld_body {
        if ld.len() > body.len() * 2 || body.is_empty() {
            return ld.to_string();
        }
    }
    body
}
