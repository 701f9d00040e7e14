//! The choice of container: the node whose subtree scores highest (class
//! names that promise an article tip the balance), then corrected: the
//! page's largest run of paragraphs when the winner holds a tiny share of
//! it, a descendant named like the article body or a child holding nearly
//! all of the score when there is one (most of it, when the rest is boxes
//! beside the article), an ancestor named like the article
//! body when the winner is one part of it, and prose siblings just before
//! it as its lead.

use super::score::Scores;
use crate::extract::dom::{Doc, Tag};

/// The nodes whose blocks make the body, `start..end` in the arena's
/// pre-order, or `None` when nothing scores as prose.
pub(super) fn choose(doc: &Doc, scores: &Scores) -> Option<(usize, u32)> {
    let Scores {
        score,
        prose,
        cluster,
        ..
    } = scores;
    let mut best = 0usize;
    let mut best_score = 0f32;
    for (i, node) in doc.nodes.iter().enumerate() {
        if node.tag == Tag::Text {
            continue;
        }
        let s = score[i];
        let s = if s > 0.0 {
            s * (1.0 + 0.15 * f32::from(node.hint))
        } else {
            s
        };
        if s >= best_score && s > 0.0 {
            best = i;
            best_score = s;
        }
    }
    if best_score <= 0.0 {
        return None;
    }
    let best = outweighed(doc, best, score, prose, cluster).unwrap_or(best);
    // A descendant named like the article body that holds most of the
    // prose is a cleaner cut than the winner, which may have pulled in
    // teasers or comments that happen to read like prose.
    let end = doc.nodes[best].end as usize;
    let mut narrowed: Option<usize> = None;
    for i in best..end {
        if doc.nodes[i].body_like && score[i] >= BODY_LIKE_SHARE * score[best] {
            // Two body-like nodes above the share are nested; pre-order
            // puts the inner one last.
            narrowed = Some(i);
        }
    }
    let best = narrowed.unwrap_or_else(|| dominant_child(doc, best, scores));
    let best = body_named_ancestor(doc, best).unwrap_or(best);
    let end = doc.nodes[best].end;
    let start = with_lead(doc, best, score);
    Some((start, end))
}

/// The nearest ancestor of `best` named like the article body
/// (`entry-body`, `itemprop=articleBody`): the winner is then one part of
/// the article (one paragraph among lists and short lines, the one plain
/// sentence under a round-up of links) and the page has said where the
/// whole of it is.
fn body_named_ancestor(doc: &Doc, best: usize) -> Option<usize> {
    let mut i = doc.nodes[best].parent;
    while i != u32::MAX {
        if doc.nodes[i as usize].body_like {
            return Some(i as usize);
        }
        i = doc.nodes[i as usize].parent;
    }
    None
}

/// Share of the winner's prose a body-like descendant must hold to replace it.
const BODY_LIKE_SHARE: f32 = 0.7;

/// Start of the output range: `best`, or an earlier sibling when the
/// siblings just before it read as prose (a standfirst or lead paragraph
/// kept outside the body wrapper).
fn with_lead(doc: &Doc, best: usize, score: &[f32]) -> usize {
    let parent = doc.nodes[best].parent;
    if parent == u32::MAX {
        return best;
    }
    let mut siblings = Vec::new();
    let mut j = parent as usize + 1;
    while j < best {
        siblings.push(j);
        j = doc.nodes[j].end as usize;
    }
    let mut start = best;
    for &s in siblings.iter().rev() {
        let node = &doc.nodes[s];
        if node.tag == Tag::Text {
            continue;
        }
        if node.hard || node.unlikely {
            break;
        }
        if score[s] > LEAD_MIN_SCORE {
            start = s;
        } else if score[s] < 0.0 {
            break;
        }
    }
    start
}

/// Net prose a sibling needs to join the container as its lead.
const LEAD_MIN_SCORE: f32 = 60.0;

/// Share of the page's largest run of paragraphs under which the chosen
/// container is taken for a widget (a sign-up line, a footer, a share
/// counter) that won on hints or on the misfortunes of the real text's
/// scoring.
const TINY_SHARE: f32 = 0.15;

/// Running prose the largest run must hold for the check to apply.
const RUN_MIN_PROSE: f32 = 500.0;

/// When the page's largest run of paragraphs lies outside `best` and
/// `best` holds a tiny fraction of it, the container of that run, widened
/// while its wrappers add net prose.
fn outweighed(
    doc: &Doc,
    best: usize,
    score: &[f32],
    prose: &[f32],
    cluster: &[f32],
) -> Option<usize> {
    let (top, &top_prose) = cluster
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    let inside = top >= best && top < doc.nodes[best].end as usize;
    if inside || top_prose < RUN_MIN_PROSE || prose[best] >= TINY_SHARE * top_prose {
        return None;
    }
    let mut cur = top;
    loop {
        let p = doc.nodes[cur].parent;
        if p == u32::MAX || p == 0 || score[p as usize] < score[cur] {
            break;
        }
        cur = p as usize;
    }
    Some(cur)
}

/// Share of the winner's score a single child must hold to replace it.
const DOMINANT_SHARE: f32 = 0.8;

/// Share a child must hold to replace the winner when the rest of it is
/// boxes (see [`only_boxes_beside`]).
const BOXED_SHARE: f32 = 0.6;

/// The innermost descendant of `best` down a chain of children each
/// holding nearly all of its score, or most of it when the rest is boxes:
/// the wrapper won only on the small net prose of widgets beside the
/// article (an "About me" box, a sign-up form, a disclaimer, a blog's
/// sidebar column with its one-paragraph description), which costs more
/// precision than it adds recall.
fn dominant_child(doc: &Doc, best: usize, scores: &Scores) -> usize {
    let score = &scores.score;
    let floor = DOMINANT_SHARE * score[best];
    let boxed_floor = BOXED_SHARE * score[best];
    let mut cur = best;
    loop {
        let end = doc.nodes[cur].end as usize;
        let mut j = cur + 1;
        let mut top: Option<usize> = None;
        while j < end {
            if doc.nodes[j].tag != Tag::Text && top.is_none_or(|t| score[j] > score[t]) {
                top = Some(j);
            }
            j = doc.nodes[j].end as usize;
        }
        match top {
            Some(t) if score[t] >= floor => cur = t,
            Some(t) if score[t] >= boxed_floor && only_boxes_beside(doc, cur, t, scores) => cur = t,
            _ => return cur,
        }
    }
}

/// Most score per unit of prose of what follows the article for it to be
/// taken for boxes: labels and links around their text pull it down,
/// while the rest of an article (its later sections in sibling elements)
/// is prose through and through.
const BOX_SCORE_PER_PROSE: f32 = 0.85;

/// Whether the children of `parent` other than `child` are boxes beside an
/// article rather than more of it: `child` reads as the article (two long
/// paragraphs, or twice the prose of the others), the others together hold
/// at most one long paragraph (a bio, a blog's or a tag's description),
/// and what follows `child` mixes labels or links with its prose. An
/// article split across sibling elements holds paragraph after paragraph
/// in each.
fn only_boxes_beside(doc: &Doc, parent: usize, child: usize, scores: &Scores) -> bool {
    let end = doc.nodes[parent].end as usize;
    let (mut paras, mut rest_prose, mut after_score, mut after_prose) = (0u32, 0f32, 0f32, 0f32);
    let mut j = parent + 1;
    while j < end {
        if j != child {
            paras += scores.long_paras[j];
            rest_prose += scores.prose[j];
            if j > child {
                after_score += scores.score[j];
                after_prose += scores.prose[j];
            }
        }
        j = doc.nodes[j].end as usize;
    }
    let article = scores.long_paras[child] >= 2 || scores.prose[child] >= 2.0 * rest_prose;
    article && paras <= 1 && after_score <= BOX_SCORE_PER_PROSE * after_prose
}
