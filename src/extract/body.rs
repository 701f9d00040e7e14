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
//! it; prose siblings just before the container join as its lead; teaser
//! cards (an `<article>` or `<li>` opening with a linked heading and
//! holding a summary, not an article) are left out; list items holding
//! several paragraphs count as posts, not menu entries; link-heavy blocks,
//! captions, the `<h1>` and copyright lines are dropped, and so are
//! datelines above the first paragraph, headings whose section kept
//! nothing, a short run of labels after the last paragraph, and a thread of
//! signed units (reader comments) below an article. When that finds next
//! to nothing the page is read again without the class-name flags (still
//! without comment sections), and the JSON-LD `articleBody` is the last
//! resort.

use super::dom::{Doc, Tag};

#[derive(Debug, Clone)]
struct Block {
    owner: u32,
    start: u32,
    end: u32,
    chars: u32,
    link_chars: u32,
    tag: Tag,
    /// Innermost list item around the block, [`NO_LI`] outside lists:
    /// teaser cards and menus live in lists.
    li: u32,
    /// Inside a `<figure>`: captions and credits.
    in_figure: bool,
    /// Inside a `<blockquote>`: quotes and embedded posts, whose links
    /// (handles, dates) are part of the quote.
    in_quote: bool,
}

/// [`Block::li`] of a block outside any list item.
const NO_LI: u32 = u32::MAX;

impl Block {
    fn link_density(&self) -> f32 {
        self.link_chars as f32 / self.chars.max(1) as f32
    }

    fn in_li(&self) -> bool {
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
enum Pass {
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
fn segment(doc: &Doc, pass: Pass) -> (String, Vec<Block>) {
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

/// Whether a block reads like prose rather than a label or a link.
fn ends_like_sentence(text: &str) -> bool {
    text.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '.' | '!'
                | '?'
                | '…'
                | ':'
                | ';'
                | '"'
                | '»'
                | '”'
                | ')'
                | '։'
                | '。'
                | '！'
                | '？'
                | '」'
        )
    })
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

/// Share of the winner's prose a body-like descendant must hold to replace it.
const BODY_LIKE_SHARE: f32 = 0.7;

/// Whether a block of the chosen container goes into the output.
fn keep(b: &Block, text: &str) -> bool {
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

/// A copyright or rights notice ("© 2024 The Outlet. All rights
/// reserved."): the footer of a site, never a paragraph of its story,
/// whatever the container is called.
fn is_legal_line(text: &str) -> bool {
    if text.chars().count() > 250 {
        return false;
    }
    if text.contains('©') || text.contains("(c) 20") || text.contains("(C) 20") {
        return true;
    }
    let t = text.to_lowercase();
    t.starts_with("copyright")
        || [
            "all rights reserved",
            "alle rechte vorbehalten",
            "sva prava pridržana",
            "sva prava zadržana",
            "tous droits réservés",
            "todos los derechos reservados",
            "tutti i diritti riservati",
            "все права защищены",
        ]
        .iter()
        .any(|p| t.contains(p))
}

/// "Advertisement" placeholders left where an ad slot was, in the
/// languages the daemon reads.
fn is_ad_label(text: &str) -> bool {
    if text.len() > 40 {
        return false;
    }
    let t = text
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    matches!(
        t.as_str(),
        "advertisement"
            | "advert"
            | "ad"
            | "ads"
            | "sponsored"
            | "реклама"
            | "reklam"
            | "reklama"
            | "գովազդ"
            | "რეკლამა"
    )
}

/// A block that reads as a sentence or paragraph, not a label.
fn substantive(text: &str) -> bool {
    let len = latin_equivalent_len(text);
    len >= 80 || (len >= 30 && ends_like_sentence(text))
}

/// Length in Latin-script letters: a Chinese, Japanese or Korean character
/// carries about a word, so it counts for three.
fn latin_equivalent_len(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{3040}'..='\u{30ff}'
            | '\u{3400}'..='\u{9fff}'
            | '\u{ac00}'..='\u{d7af}'
            | '\u{f900}'..='\u{faff}' => 3,
            _ => 1,
        })
        .sum()
}

/// A short line carrying a year: a dateline or "updated" stamp.
fn dateline(text: &str) -> bool {
    if text.chars().count() > 80 {
        return false;
    }
    let b = text.as_bytes();
    b.windows(4).enumerate().any(|(i, w)| {
        (w.starts_with(b"19") || w.starts_with(b"20"))
            && w.iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
    })
}

/// A short "By NAME" line.
fn byline(text: &str) -> bool {
    text.chars().count() <= 80 && ["By ", "BY ", "by "].iter().any(|p| text.starts_with(p))
}

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

/// Paragraph text a list item needs to count as a post rather than a menu
/// entry or a teaser (with at least two paragraphs).
const RICH_LI_CHARS: u32 = 400;

/// Nodes inside teaser cards. A card is the widest element around a
/// linked heading that holds no other linked heading, when its parent holds
/// several: a list of pointers to other stories, however much their
/// summaries read like prose. A lone linked heading ("Read more: ...") marks
/// nothing, and nothing holding the page's `<h1>` is a card.
fn teasers(doc: &Doc, blocks: &[Block]) -> Vec<bool> {
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

/// Longest run of short lines after the last paragraph still taken for
/// labels rather than content.
const MAX_TRAILING_LABELS: usize = 5;

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

/// A short line carrying a year and a clock time: the signature of a
/// comment or forum post ("Posted by: Anna at November 8, 2012 7:22 AM").
fn signature(text: &str) -> bool {
    text.chars().count() <= 100 && dateline(text) && clock_time(text)
}

/// "7:22", "19:05": hours and minutes.
fn clock_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        w[0].is_ascii_digit()
            && w[1] == b':'
            && w[2].is_ascii_digit()
            && b.get(i + 3).is_some_and(u8::is_ascii_digit)
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
    })
}

/// Fewest signed units that make a thread.
const THREAD_MIN_UNITS: usize = 3;

/// Article prose outside a thread for the thread to be taken for reader
/// comments under it rather than the page's own content (a forum thread).
const THREAD_MIN_ARTICLE: u32 = 300;

/// Without reader comments found by their structure, whatever their class
/// names: three or more sibling elements each carrying one signature line
/// (author and date or time), below an article that has prose of its own.
/// A page that is nothing but such units (a forum thread) keeps them.
fn without_comment_thread<'a>(
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

/// Share of the winner's score a single child must hold to replace it.
const DOMINANT_SHARE: f32 = 0.8;

/// The innermost descendant of `best` down a chain of children each
/// holding nearly all of its score: the wrapper won only on the small
/// net prose of widgets beside the article (an "About me" box, a sign-up
/// form, a disclaimer), which costs more precision than it adds recall.
fn dominant_child(doc: &Doc, best: usize, score: &[f32]) -> usize {
    let floor = DOMINANT_SHARE * score[best];
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
            _ => return cur,
        }
    }
}

/// Text of the best container, or empty when nothing looks like prose.
fn from_blocks(doc: &Doc, text: &str, blocks: &[Block]) -> String {
    let n = doc.nodes.len();
    let teaser = teasers(doc, blocks);
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
    }
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
        return String::new();
    }
    let best = outweighed(doc, best, &score, &prose, &cluster).unwrap_or(best);
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
    let best = narrowed.unwrap_or_else(|| dominant_child(doc, best, &score));
    let end = doc.nodes[best].end;
    let start = with_lead(doc, best, &score);
    let kept: Vec<(&Block, &str)> = blocks
        .iter()
        .filter(|b| (b.owner as usize) >= start && b.owner < end && !teaser[b.owner as usize])
        .map(|b| (b, &text[b.start as usize..b.end as usize]))
        .filter(|(b, t)| keep(b, t))
        .collect();
    let kept = without_comment_thread(doc, kept);
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
