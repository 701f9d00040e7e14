//! Reader comments: a thread of signed units below an article, found by
//! its structure whatever its class names, and what follows a comment
//! section named as such.

use super::lines::{substantive, time_stamp as signature};
use super::segment::Block;
use crate::extract::dom::{Doc, Tag};

/// Fewest signed units that make a thread.
const THREAD_MIN_UNITS: usize = 3;

/// Article prose outside a thread for the thread to be taken for reader
/// comments under it rather than the page's own content (a forum thread).
const THREAD_MIN_ARTICLE: u32 = 300;

/// Without reader comments found by their structure, whatever their class
/// names: three or more sibling elements each carrying one signature line
/// (author and date or time), below an article that has prose of its own.
/// A page that is nothing but such units (a forum thread) keeps them.
pub(super) fn without_comment_thread<'a>(
    doc: &Doc,
    kept: Vec<(&'a Block, &'a str)>,
) -> Vec<(&'a Block, &'a str)> {
    let sigs: Vec<u32> = kept
        .iter()
        .filter(|(_, t)| signature(t))
        .map(|(b, _)| b.owner)
        .collect();
    if sigs.len() < THREAD_MIN_UNITS {
        return kept;
    }
    // Signatures per subtree, counted up each signature's ancestor chain.
    let mut count: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    for &o in &sigs {
        let mut i = o;
        while i != u32::MAX {
            *count.entry(i).or_default() += 1;
            i = doc.nodes[i as usize].parent;
        }
    }
    // The thread: the node with the most children holding exactly one
    // signature each.
    let mut units: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for (&i, &c) in &count {
        let p = doc.nodes[i as usize].parent;
        if c == 1 && p != u32::MAX {
            units.entry(p).or_default().push(i);
        }
    }
    let Some((_, mut members)) = units
        .into_iter()
        .filter(|(_, m)| m.len() >= THREAD_MIN_UNITS)
        .max_by_key(|(t, m)| (m.len(), *t))
    else {
        return kept;
    };
    members.sort_unstable();
    let from = members[0];
    let to = doc.nodes[*members.last().unwrap_or(&from) as usize].end;
    let inside = |b: &Block| b.owner >= from && b.owner < to;
    // Every unit says something besides its signature.
    let said = members.iter().all(|&m| {
        let end = doc.nodes[m as usize].end;
        kept.iter()
            .any(|(b, t)| b.owner >= m && b.owner < end && substantive(t) && !signature(t))
    });
    // The article comes first; prose after the units is not a comment
    // section's.
    let outside: Vec<&(&Block, &str)> = kept
        .iter()
        .filter(|(b, t)| !inside(b) && substantive(t))
        .collect();
    let article: u32 = outside.iter().map(|(b, _)| b.chars).sum();
    if !said || article < THREAD_MIN_ARTICLE || outside.iter().any(|(b, _)| b.owner >= to) {
        return kept;
    }
    kept.into_iter().filter(|(b, _)| !inside(b)).collect()
}

/// Article prose a container must show before a comment section for the
/// section to end the article (a "3 comments" link above the story does
/// not).
const ARTICLE_BEFORE_COMMENTS: u32 = 300;

/// Text a comment-named subtree must hold to be the comment section rather
/// than a comment count or a "leave a comment" link.
const COMMENT_SECTION_BYTES: u32 = 200;

/// `kept` without what follows the comment section of the container
/// `start..end`: the article ends where its reader comments begin, and
/// what a page puts below them (the comment policy, the reply form's fine
/// print, a sign-up box, popular posts) is furniture even when it reads
/// like prose and nothing names it. The section is the first
/// comment-named subtree (skipped by the strict pass) holding some text,
/// after the article has shown prose of its own.
pub(super) fn before_comment_section<'a>(
    doc: &Doc,
    start: usize,
    end: u32,
    kept: Vec<(&'a Block, &'a str)>,
) -> Vec<(&'a Block, &'a str)> {
    let mut i = start;
    while i < end as usize {
        let node = &doc.nodes[i];
        if !node.comment || node.tag == Tag::Text {
            i += 1;
            continue;
        }
        let at = i as u32;
        let before: u32 = kept
            .iter()
            .filter(|(b, t)| b.first < at && substantive(t))
            .map(|(b, _)| b.chars)
            .sum();
        if before >= ARTICLE_BEFORE_COMMENTS && subtree_text_bytes(doc, i) >= COMMENT_SECTION_BYTES
        {
            return kept.into_iter().filter(|(b, _)| b.first < at).collect();
        }
        i = node.end as usize;
    }
    kept
}

/// Bytes of collapsed text in the subtree of node `i`.
fn subtree_text_bytes(doc: &Doc, i: usize) -> u32 {
    doc.nodes[i..doc.nodes[i].end as usize]
        .iter()
        .filter(|n| n.tag == Tag::Text)
        .map(|n| n.text.1 - n.text.0)
        .sum()
}
