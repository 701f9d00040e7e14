//! The page as text blocks: the text between two block-level boundaries,
//! with its length, its linked length and where it sits (its owner element,
//! the list item, figure or quote around it), skipping the flagged subtrees
//! a pass says to skip.

use crate::extract::dom::{Doc, Tag};

/// The text between two block-level boundaries, as a range of the text
/// [`segment`] returns.
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub(super) owner: u32,
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) chars: u32,
    pub(super) link_chars: u32,
    pub(super) tag: Tag,
    /// Innermost list item around the block, [`NO_LI`] outside lists:
    /// teaser cards and menus live in lists.
    pub(super) li: u32,
    /// Inside a `<figure>`: captions and credits.
    pub(super) in_figure: bool,
    /// Inside a `<blockquote>`: quotes and embedded posts, whose links
    /// (handles, dates) are part of the quote.
    pub(super) in_quote: bool,
    /// Arena index of the block's first text node: where the block sits in
    /// the page, which its owner does not tell for text that follows a
    /// child element.
    pub(super) first: u32,
}

/// [`Block::li`] of a block outside any list item.
const NO_LI: u32 = u32::MAX;

impl Block {
    pub(super) fn link_density(&self) -> f32 {
        self.link_chars as f32 / self.chars.max(1) as f32
    }

    pub(super) fn in_li(&self) -> bool {
        self.li != NO_LI
    }
}

struct Segmenter<'a> {
    doc: &'a Doc,
    text: String,
    blocks: Vec<Block>,
    cur_start: usize,
    cur_chars: u32,
    cur_links: u32,
    /// Open list items, innermost last.
    lis: Vec<u32>,
    figure_depth: u32,
    quote_depth: u32,
    /// [`Block::first`] of the block being gathered.
    cur_first: u32,
}

impl Segmenter<'_> {
    fn flush(&mut self, owner: u32) {
        if self.cur_chars > 0 {
            let raw = &self.text[self.cur_start..];
            let lead = raw.len() - raw.trim_start().len();
            let trail = raw.len() - raw.trim_end().len();
            let start = (self.cur_start + lead) as u32;
            let end = (self.text.len() - trail) as u32;
            self.blocks.push(Block {
                owner,
                start,
                end,
                chars: self.cur_chars,
                link_chars: self.cur_links,
                tag: self.doc.nodes[owner as usize].tag,
                li: self.lis.last().copied().unwrap_or(NO_LI),
                in_figure: self.figure_depth > 0,
                in_quote: self.quote_depth > 0,
                first: self.cur_first,
            });
            self.cur_start = self.text.len();
        } else {
            self.text.truncate(self.cur_start);
        }
        self.cur_chars = 0;
        self.cur_links = 0;
    }
}

fn owner_of(doc: &Doc, stack: &[u32]) -> u32 {
    stack
        .iter()
        .rev()
        .copied()
        .find(|&i| doc.nodes[i as usize].tag.is_block())
        .unwrap_or(0)
}

/// Which flagged subtrees a pass skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// Skip hard-flagged and boilerplate-named subtrees.
    Strict,
    /// Skip hard-flagged and comment-named subtrees only.
    Lenient,
    /// Skip nothing (last resort, for pages whose text sits in odd places).
    All,
}

/// Link text that is the address itself ("http://amzn.to/2iJ…",
/// "https://t.co/…"): a source or product link written out in the story.
/// Menus and teaser lists name their targets in words, so such links are not
/// counted towards link density.
fn spells_out_url(s: &str) -> bool {
    let s = s.trim();
    (s.starts_with("http://") || s.starts_with("https://") || s.starts_with("www."))
        && !s.contains(char::is_whitespace)
}

/// Split the arena into text blocks, skipping what `pass` says.
pub(super) fn segment(doc: &Doc, pass: Pass) -> (String, Vec<Block>) {
    let nodes = &doc.nodes;
    let mut seg = Segmenter {
        doc,
        text: String::with_capacity(doc.text.len()),
        blocks: Vec::with_capacity(512),
        cur_start: 0,
        cur_chars: 0,
        cur_links: 0,
        lis: Vec::new(),
        figure_depth: 0,
        quote_depth: 0,
        cur_first: 0,
    };
    let mut stack: Vec<u32> = Vec::with_capacity(64);
    let mut link_depth = 0u32;
    let n = nodes.len() as u32;
    let mut i = 1u32;
    while i < n {
        while let Some(&top) = stack.last() {
            if nodes[top as usize].end > i {
                break;
            }
            let tag = nodes[top as usize].tag;
            if tag.is_block() {
                seg.flush(owner_of(doc, &stack));
            }
            if tag == Tag::A {
                link_depth = link_depth.saturating_sub(1);
            }
            if tag == Tag::Li {
                seg.lis.pop();
            }
            if tag == Tag::Figure {
                seg.figure_depth = seg.figure_depth.saturating_sub(1);
            }
            if tag == Tag::Quote {
                seg.quote_depth = seg.quote_depth.saturating_sub(1);
            }
            stack.pop();
        }
        let node = &nodes[i as usize];
        match node.tag {
            Tag::Text => {
                let s = &doc.text[node.text.0 as usize..node.text.1 as usize];
                let chars = s.chars().filter(|c| !c.is_whitespace()).count() as u32;
                if seg.cur_chars == 0 {
                    seg.cur_first = i;
                }
                if seg.text.len() == seg.cur_start || seg.text.ends_with(' ') {
                    seg.text.push_str(s.trim_start());
                } else {
                    seg.text.push_str(s);
                }
                seg.cur_chars += chars;
                if link_depth > 0 && !spells_out_url(s) {
                    seg.cur_links += chars;
                }
            }
            Tag::Br => {
                let owner = owner_of(doc, &stack);
                seg.flush(owner);
            }
            tag => {
                let skip = match pass {
                    Pass::Strict => node.hard || node.unlikely,
                    Pass::Lenient => node.hard || node.comment,
                    Pass::All => false,
                };
                if skip {
                    if tag.is_block() {
                        seg.flush(owner_of(doc, &stack));
                    }
                    i = node.end;
                    continue;
                }
                if tag.is_block() {
                    seg.flush(owner_of(doc, &stack));
                }
                if tag == Tag::A {
                    link_depth += 1;
                }
                if tag == Tag::Li {
                    seg.lis.push(i);
                }
                if tag == Tag::Figure {
                    seg.figure_depth += 1;
                }
                if tag == Tag::Quote {
                    seg.quote_depth += 1;
                }
                stack.push(i);
            }
        }
        i += 1;
    }
    while let Some(&top) = stack.last() {
        if doc.nodes[top as usize].tag.is_block() {
            seg.flush(owner_of(doc, &stack));
        }
        stack.pop();
    }
    seg.flush(0);
    (seg.text, seg.blocks)
}
