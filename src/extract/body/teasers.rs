//! Teaser cards: the elements of a list of pointers to other stories (a
//! linked heading over a summary), left out however much their summaries
//! read like prose.

use super::segment::Block;
use crate::extract::dom::{Doc, Tag};

/// Nodes inside teaser cards. A card is the widest element around a
/// linked heading that holds no other linked heading, when its parent holds
/// several: a list of pointers to other stories, however much their
/// summaries read like prose. A lone linked heading ("Read more: ...") marks
/// nothing, and nothing holding the page's `<h1>` is a card.
pub(super) fn teasers(doc: &Doc, blocks: &[Block]) -> Vec<bool> {
    let n = doc.nodes.len();
    let mut linked = vec![0u32; n];
    let mut prose = vec![0u32; n];
    let mut own = vec![0u32; n];
    let mut heads = Vec::new();
    for b in blocks {
        if matches!(b.tag, Tag::Heading(2..)) && b.link_density() >= 0.8 {
            linked[b.owner as usize] += 1;
            heads.push(b.owner);
        } else if !matches!(b.tag, Tag::Heading(_)) {
            prose[b.owner as usize] += b.chars - b.link_chars.min(b.chars);
            own[b.owner as usize] += b.chars - b.link_chars.min(b.chars);
        }
    }
    for i in (1..n).rev() {
        let p = doc.nodes[i].parent as usize;
        linked[p] += linked[i];
        prose[p] += prose[i];
    }
    let holds_h1 = |i: u32| {
        let end = doc.nodes[i as usize].end;
        doc.h1.iter().any(|&h| h >= i && h < end)
    };
    let mut card = vec![false; n];
    for head in heads {
        let mut i = head;
        for _ in 0..MAX_CARD_DEPTH {
            let parent = doc.nodes[i as usize].parent;
            if parent == u32::MAX || parent == 0 {
                break;
            }
            if linked[parent as usize] > 1 {
                // A linked heading over several paragraphs heads a section
                // of the page itself (a blog post titled with its
                // permalink, a docs section linking back to the contents),
                // not a pointer to another page.
                // A card opens with its heading (an image or a label may
                // come first); text before it means the heading closes or
                // interrupts something else.
                let before: u32 = (i + 1..head).map(|j| own[j as usize]).sum();
                if !holds_h1(i)
                    && i != head
                    && prose[i as usize] <= CARD_MAX_PROSE
                    && before <= CARD_MAX_LEAD
                {
                    card[i as usize] = true;
                }
                break;
            }
            i = parent;
        }
    }
    for i in 1..n {
        let p = doc.nodes[i].parent as usize;
        card[i] |= card[p];
    }
    card
}

/// How far above its linked heading a teaser card may reach.
const MAX_CARD_DEPTH: usize = 5;

/// Most unlinked text a teaser card holds: a summary, not an article.
const CARD_MAX_PROSE: u32 = 600;

/// Most unlinked text a teaser card holds before its heading (a label, a
/// date).
const CARD_MAX_LEAD: u32 = 100;
