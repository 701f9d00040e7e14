//! Scores of the arena's nodes from their blocks: each block's signed
//! weight in the choice of container (prose for its unlinked length, link
//! lists and stray short lines against, list items weak unless they hold a
//! post), and the running prose of each subtree and of each container of
//! paragraphs, the yardsticks of the choice.

use super::lines::{ends_like_sentence, is_legal_line, latin_equivalent_len, substantive};
use super::segment::Block;
use crate::extract::dom::{Doc, Tag};

/// Per node of the arena, indexed like [`Doc::nodes`].
pub(super) struct Scores {
    /// Signed weight of the blocks of the node's subtree.
    pub(super) score: Vec<f32>,
    /// Running prose in the node's subtree.
    pub(super) prose: Vec<f32>,
    /// Running prose credited to the node as the container of its
    /// paragraphs (not summed over subtrees).
    pub(super) cluster: Vec<f32>,
    /// Paragraphs of at least [`LONG_PARA_CHARS`] of running prose in the
    /// node's subtree.
    pub(super) long_paras: Vec<u32>,
}

/// Length from which a paragraph of prose counts as long: a bio or a
/// description, not a caption or a one-line teaser.
const LONG_PARA_CHARS: u32 = 150;

/// Scores of every node from `blocks`, leaving out those inside teaser
/// cards.
pub(super) fn scores(doc: &Doc, text: &str, blocks: &[Block], teaser: &[bool]) -> Scores {
    let n = doc.nodes.len();
    let block_text = |b: &Block| &text[b.start as usize..b.end as usize];
    // List items holding several paragraphs of prose are posts (blogs and
    // forums that list their one article, or their replies, as `<li>`),
    // not menu entries or teaser cards.
    let mut li_prose: std::collections::HashMap<u32, (u32, u32)> = std::collections::HashMap::new();
    for b in blocks {
        if b.in_li() && b.tag == Tag::P && b.link_density() < 0.3 && substantive(block_text(b)) {
            let e = li_prose.entry(b.li).or_default();
            e.0 += b.chars;
            e.1 += 1;
        }
    }
    let in_menu_li = |b: &Block| {
        b.in_li()
            && li_prose
                .get(&b.li)
                .is_none_or(|&(chars, paras)| chars < RICH_LI_CHARS || paras < 2)
    };
    let mut score = vec![0f32; n];
    // Running prose credited to the container of its paragraphs, and each
    // subtree's total: the yardstick for a winner that holds next to none
    // of the page's text.
    let mut cluster = vec![0f32; n];
    let mut prose = vec![0f32; n];
    let mut long_paras = vec![0u32; n];
    for b in blocks {
        if teaser[b.owner as usize] {
            continue;
        }
        let t = block_text(b);
        let menu = in_menu_li(b);
        let c = contribution(b, t, menu);
        score[b.owner as usize] += c;
        if !menu
            && !b.in_figure
            && matches!(
                b.tag,
                Tag::P | Tag::Quote | Tag::Pre | Tag::Block | Tag::Article | Tag::Main | Tag::Body
            )
            && b.link_density() < 0.3
            && substantive(t)
            && !is_legal_line(t)
        {
            let c = b.chars as f32 * (1.0 - b.link_density());
            prose[b.owner as usize] += c;
            if b.chars >= LONG_PARA_CHARS {
                long_paras[b.owner as usize] += 1;
            }
            let container = if b.tag == Tag::P {
                doc.nodes[b.owner as usize].parent
            } else {
                b.owner
            };
            if container != u32::MAX {
                cluster[container as usize] += c;
            }
        }
    }
    for i in (1..n).rev() {
        let p = doc.nodes[i].parent as usize;
        score[p] += score[i];
        prose[p] += prose[i];
        long_paras[p] += long_paras[i];
    }
    Scores {
        score,
        prose,
        cluster,
        long_paras,
    }
}

/// Signed weight of a block in the choice of container: prose counts for
/// its unlinked length, link lists and stray short lines count against,
/// headings, captions, table cells and text inside list items are neutral
/// or weak (menus and teaser cards live in lists).
fn contribution(b: &Block, text: &str, in_menu_li: bool) -> f32 {
    let c = b.chars as f32;
    let ld = b.link_density();
    if matches!(b.tag, Tag::Heading(_)) {
        return 0.0;
    }
    if ld > 0.5 {
        return -0.3 * c;
    }
    let base = c * (1.0 - ld);
    let sentence = ends_like_sentence(text);
    if b.tag == Tag::Cell {
        // Data tables are short cells without links; neither prose nor
        // navigation.
        return if c < 40.0 { 0.0 } else { base * 0.5 };
    }
    if latin_equivalent_len(text) < 40 && !sentence {
        return -0.5 * c;
    }
    if is_legal_line(text) {
        return -c;
    }
    match b.tag {
        _ if in_menu_li && b.tag != Tag::Li => 0.0,
        Tag::P | Tag::Quote | Tag::Pre => base,
        Tag::Li => {
            if c > 100.0 || sentence {
                base * 0.6
            } else {
                -0.3 * c
            }
        }
        Tag::Caption | Tag::Figure => 0.0,
        _ => base * 0.8,
    }
}

/// Paragraph text a list item needs to count as a post rather than a menu
/// entry or a teaser (with at least two paragraphs).
const RICH_LI_CHARS: u32 = 400;
