//! A compact, pre-order arena copy of the parsed page, built in one walk.
//!
//! html5ever's tree is fine for parsing but awkward for scoring: node ids
//! carry no usable index, so per-node statistics would need hash maps. Here
//! every kept node gets a dense index, subtrees are contiguous ranges
//! (`i..nodes[i].end`), and per-node totals are one reverse sweep. Script,
//! style and other never-visible subtrees are left out; boilerplate-looking
//! subtrees stay in but are flagged so the body extractor can ignore them and
//! still fall back to them when the strict pass finds nothing. The same walk
//! gathers the raw metadata (`<meta>`, `<link>`, JSON-LD, `<time>`,
//! `itemprop`) so the page is traversed once, and keeps `<noscript>` markup
//! aside for pages that show their article only there.

use regex::Regex;
use scraper::{Html, Node as HtmlNode};
use std::sync::LazyLock;

use super::text::{self, push_collapsed, Flow};

/// What an arena node is, reduced to what the extractor distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    Root,
    Text,
    Body,
    P,
    Heading(u8),
    Li,
    List,
    Quote,
    Pre,
    Cell,
    Table,
    Figure,
    Caption,
    Article,
    Main,
    /// Generic block container: div, section, center, dl, ...
    Block,
    Br,
    A,
    /// Inline formatting: span, em, strong, font, ...
    Inline,
}

impl Tag {
    /// Whether the element starts a new text block.
    pub(super) fn is_block(self) -> bool {
        !matches!(self, Tag::Text | Tag::A | Tag::Inline | Tag::Br)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Node {
    pub parent: u32,
    /// One past the last descendant.
    pub end: u32,
    pub tag: Tag,
    /// Class/id/role hint: positive for content-looking, negative otherwise.
    pub hint: i8,
    /// Named like boilerplate (share bar, comments, related, ...): skipped
    /// by the strict pass only.
    pub unlikely: bool,
    /// Named like reader comments (`comments`, `kommentare`,
    /// `comment-body`): skipped by the lenient pass too, since a comment
    /// section is never the article a misleading name hid.
    pub comment: bool,
    /// Boilerplate by element or role (`nav`, `aside`, `footer`, `header`,
    /// `role=navigation`) or hidden: always skipped.
    pub hard: bool,
    /// Named like an article body (`itemprop=articleBody`, `entry-content`,
    /// `article__body`, ...): preferred over a wider container.
    pub body_like: bool,
    /// For text nodes: byte range into `Doc::text` (whitespace collapsed).
    pub text: (u32, u32),
}

/// A `<time>` element or `itemprop=datePublished`-like element seen in the body.
#[derive(Debug, Clone)]
pub(super) struct TimeMark {
    pub value: String,
    /// `pubdate` attribute or itemprop/class mentioning publication.
    pub published: bool,
    /// Mentions modification/update.
    pub modified: bool,
    pub node: u32,
}

#[derive(Debug, Default)]
pub(super) struct Doc {
    pub nodes: Vec<Node>,
    pub text: String,
    /// `<meta>` pairs: lowercased name/property/itemprop/http-equiv → content.
    pub metas: Vec<(String, String)>,
    pub canonical: Option<String>,
    pub json_ld: Vec<String>,
    /// Date values found under a publication key (`"datePublished": "…"`,
    /// `publishDate = '…'`) in plain scripts: data layers and app state that
    /// some pages carry instead of markup.
    pub script_dates: Vec<String>,
    pub title: Option<String>,
    pub html_lang: Option<String>,
    pub times: Vec<TimeMark>,
    /// Elements that look like author names: `rel=author`, `itemprop=author`,
    /// byline classes.
    pub author_nodes: Vec<u32>,
    pub h1: Vec<u32>,
    /// Markup inside `<noscript>`, as written: html5ever parses it as text
    /// (scripting on), and some pages (Blogger templates, lazy-loading
    /// themes) carry their whole article only there.
    pub noscript: String,
}

impl Doc {
    /// Collapsed text of a subtree.
    pub(super) fn subtree_text(&self, i: u32) -> String {
        let mut out = String::new();
        let node = &self.nodes[i as usize];
        for n in &self.nodes[i as usize..node.end as usize] {
            if n.tag == Tag::Text {
                push_collapsed(&mut out, &self.text[n.text.0 as usize..n.text.1 as usize]);
            } else if n.tag.is_block() || n.tag == Tag::Br {
                push_space(&mut out);
            }
        }
        out.trim().to_string()
    }
}

fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

enum Step<'a> {
    Enter(ego_tree::NodeRef<'a, HtmlNode>, u32),
    Exit(u32),
}

pub(super) fn build(html: &Html) -> Doc {
    let mut doc = Doc {
        nodes: Vec::with_capacity(4096),
        text: String::with_capacity(32 * 1024),
        ..Doc::default()
    };
    doc.nodes.push(Node {
        parent: u32::MAX,
        end: 1,
        tag: Tag::Root,
        hint: 0,
        unlikely: false,
        comment: false,
        hard: false,
        body_like: false,
        text: (0, 0),
    });
    let mut stack: Vec<Step<'_>> = Vec::with_capacity(256);
    for child in html.tree.root().children().rev() {
        stack.push(Step::Enter(child, 0));
    }
    while let Some(step) = stack.pop() {
        let (node, parent) = match step {
            Step::Exit(i) => {
                let end = doc.nodes.len() as u32;
                doc.nodes[i as usize].end = end;
                continue;
            }
            Step::Enter(node, parent) => (node, parent),
        };
        match node.value() {
            HtmlNode::Text(t) => {
                let start = doc.text.len() as u32;
                push_text(&mut doc.text, t);
                let end = doc.text.len() as u32;
                if end > start {
                    let idx = doc.nodes.len() as u32;
                    doc.nodes.push(Node {
                        parent,
                        end: idx + 1,
                        tag: Tag::Text,
                        hint: 0,
                        unlikely: false,
                        comment: false,
                        hard: false,
                        body_like: false,
                        text: (start, end),
                    });
                }
            }
            HtmlNode::Element(el) => {
                let name = el.name();
                let Some(tag) = classify(name) else {
                    collect_skipped(&mut doc, name, el, node);
                    continue;
                };
                // A link to a place on the same page (a section heading
                // linking back to the contents, a footnote mark) leads
                // nowhere else: it is text, not navigation.
                let tag = if tag == Tag::A && el.attr("href").is_some_and(|h| h.starts_with('#')) {
                    Tag::Inline
                } else {
                    tag
                };
                if name == "html" {
                    doc.html_lang = el
                        .attr("lang")
                        .or_else(|| el.attr("xml:lang"))
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty());
                }
                let idx = doc.nodes.len() as u32;
                let (hint, mut hard, unlikely, body_like) = hints(name, el);
                let comment = unlikely && is_comment_named(el);
                // An article's own `<header>` holds its title, standfirst
                // and byline, not the site's masthead.
                if name == "header" && el.attr("role").is_none() && in_article(&doc, parent) {
                    hard = false;
                }
                if is_hidden(el) {
                    hard = true;
                }
                doc.nodes.push(Node {
                    parent,
                    end: idx + 1,
                    tag,
                    hint,
                    unlikely,
                    comment,
                    hard,
                    body_like,
                    text: (0, 0),
                });
                note_body_metadata(&mut doc, idx, tag, el);
                stack.push(Step::Exit(idx));
                for child in node.children().rev() {
                    stack.push(Step::Enter(child, idx));
                }
            }
            HtmlNode::Document | HtmlNode::Fragment => {
                for child in node.children().rev() {
                    stack.push(Step::Enter(child, parent));
                }
            }
            _ => {}
        }
    }
    doc.nodes[0].end = doc.nodes.len() as u32;
    clear_flags_above_content(&mut doc);
    hide_collapsed(&mut doc);
    doc
}

/// Labels of a toggle that shows collapsed text ("Show full PR text",
/// "Expand", "Read full statement"), lowercased, as they begin.
const TOGGLE_LABELS: &[&str] = &[
    "show ",
    "expand",
    "view full",
    "read full",
    "see full",
    "показать",
    "prikaži",
    "mostrar ",
    "afficher ",
];

/// Longest text of a toggle's label.
const TOGGLE_MAX_CHARS: usize = 40;

/// Most arena nodes of a toggle's label.
const TOGGLE_MAX_NODES: usize = 8;

/// Text collapsed behind a toggle is hidden when the page loads: a box
/// holding nothing but a short "Show …" label and one element after it (a
/// press release appended to a post, a transcript) is flagged like
/// boilerplate, label and all. The stylesheet that hides it is not in the
/// page, the toggle is. Only the strict pass skips it, so an article that
/// a page shows only behind such a toggle is still found.
fn hide_collapsed(doc: &mut Doc) {
    let n = doc.nodes.len();
    for i in 1..n {
        if doc.nodes[i].tag == Tag::Text || doc.nodes[i].hard || doc.nodes[i].unlikely {
            continue;
        }
        let end = doc.nodes[i].end as usize;
        let mut children = Vec::with_capacity(3);
        let mut j = i + 1;
        while j < end && children.len() < 3 {
            let node = &doc.nodes[j];
            let blank = node.tag == Tag::Text
                && doc.text[node.text.0 as usize..node.text.1 as usize]
                    .trim()
                    .is_empty();
            if !blank {
                children.push(j);
            }
            j = node.end as usize;
        }
        let &[label, collapsed] = children.as_slice() else {
            continue;
        };
        // A label is a few nodes; reading the text of a large first child
        // would make the walk quadratic.
        if doc.nodes[label].tag == Tag::Text
            || doc.nodes[collapsed].tag == Tag::Text
            || doc.nodes[label].end as usize - label > TOGGLE_MAX_NODES
        {
            continue;
        }
        let text = doc.subtree_text(label as u32);
        if text.chars().count() > TOGGLE_MAX_CHARS {
            continue;
        }
        let text = text.to_lowercase();
        let holds_body = doc.nodes[i..end].iter().any(|n| n.body_like);
        if !holds_body && TOGGLE_LABELS.iter().any(|l| text.starts_with(l)) {
            doc.nodes[i].unlikely = true;
        }
    }
}

/// A boilerplate-named wrapper around the article body (`container
/// penci_sidebar` around the post) is layout, not boilerplate: clear its
/// flag. Element, role and hidden flags stay.
fn clear_flags_above_content(doc: &mut Doc) {
    let n = doc.nodes.len();
    let mut below = vec![false; n];
    for i in (1..n).rev() {
        let parent = doc.nodes[i].parent as usize;
        let marked = below[i] || doc.nodes[i].body_like;
        below[parent] |= marked;
        if below[i] {
            doc.nodes[i].unlikely = false;
            doc.nodes[i].comment = false;
        }
    }
}

/// Copy text with whitespace runs collapsed, keeping one space at the edges
/// so inline neighbours do not glue together.
fn push_text(out: &mut String, s: &str) {
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{a0}' {
            pending_space = true;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    // A whitespace-only node between two inline elements is the only thing
    // keeping their words apart.
    if pending_space {
        out.push(' ');
    }
}

/// The arena's tag for an element; `None` for one never shown as text.
/// Which elements are inline, breaks or hidden is [`text::flow`]'s call.
fn classify(name: &str) -> Option<Tag> {
    Some(match text::flow(name) {
        Flow::Hidden => return None,
        Flow::Break => Tag::Br,
        Flow::Inline if name == "a" => Tag::A,
        Flow::Inline => Tag::Inline,
        Flow::Block => match name {
            "p" => Tag::P,
            "h1" => Tag::Heading(1),
            "h2" => Tag::Heading(2),
            "h3" => Tag::Heading(3),
            "h4" => Tag::Heading(4),
            "h5" => Tag::Heading(5),
            "h6" => Tag::Heading(6),
            "li" | "dd" | "dt" => Tag::Li,
            "ul" | "ol" | "dl" | "menu" => Tag::List,
            "blockquote" => Tag::Quote,
            "pre" => Tag::Pre,
            "td" | "th" => Tag::Cell,
            "table" | "tbody" | "thead" | "tfoot" | "tr" => Tag::Table,
            "figure" => Tag::Figure,
            "figcaption" | "caption" => Tag::Caption,
            "article" => Tag::Article,
            "main" => Tag::Main,
            "body" => Tag::Body,
            _ => Tag::Block,
        },
    })
}

/// Elements left out of the arena may still carry metadata.
fn collect_skipped(
    doc: &mut Doc,
    name: &str,
    el: &scraper::node::Element,
    node: ego_tree::NodeRef<'_, HtmlNode>,
) {
    match name {
        "head" => {
            // The head is not text, but its children are metadata.
            for d in node.descendants() {
                if let HtmlNode::Element(e) = d.value() {
                    if e.name() != "head" {
                        collect_skipped(doc, e.name(), e, d);
                    }
                }
            }
        }
        "meta" => {
            let key = el
                .attr("property")
                .or_else(|| el.attr("name"))
                .or_else(|| el.attr("itemprop"))
                .or_else(|| el.attr("http-equiv"));
            if let (Some(key), Some(content)) = (key, el.attr("content")) {
                let content = content.trim();
                if !content.is_empty() {
                    doc.metas
                        .push((key.trim().to_ascii_lowercase(), content.to_string()));
                }
            }
        }
        "link" => {
            if let Some(rel) = el.attr("rel") {
                if rel
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
                    && doc.canonical.is_none()
                {
                    doc.canonical = el.attr("href").map(|h| h.trim().to_string());
                }
            }
        }
        "title" if doc.title.is_none() => {
            let mut t = String::new();
            for d in node.descendants() {
                if let HtmlNode::Text(x) = d.value() {
                    push_collapsed(&mut t, x);
                }
            }
            let t = t.trim();
            if !t.is_empty() {
                doc.title = Some(t.to_string());
            }
        }
        "script"
            if el
                .attr("type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
        {
            let mut s = String::new();
            for d in node.children() {
                if let HtmlNode::Text(x) = d.value() {
                    s.push_str(x);
                }
            }
            doc.json_ld.push(s);
        }
        "noscript" => {
            for d in node.children() {
                if let HtmlNode::Text(x) = d.value() {
                    // Tracking pixels and "enable JavaScript" notes are
                    // short; an article is not.
                    if x.len() >= NOSCRIPT_MIN_BYTES {
                        doc.noscript.push_str(x);
                        doc.noscript.push('\n');
                    }
                }
            }
        }
        "script" if doc.script_dates.is_empty() => {
            for d in node.children() {
                if let HtmlNode::Text(x) = d.value() {
                    script_dates(doc, x);
                }
            }
        }
        _ => {}
    }
}

/// Smallest `<noscript>` markup kept as a possible article.
const NOSCRIPT_MIN_BYTES: usize = 500;

/// Values under a publication-date key in script text (`"datePublished":
/// "…"`, `publish_date = '…'`, JSON escaped inside a JS string).
fn script_dates(doc: &mut Doc, script: &str) {
    // Scripts are often most of a page's bytes, so the regex is kept to
    // ASCII classes with literal key prefixes (fast automata), and a plain
    // substring test skips the scripts that cannot match.
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?:[dD]ate_?[pP]ublished|[pP]ublished_?(?:[aA]t|[dD]ate|[tT]ime|[oO]n)|[pP]ublish_?(?:[dD]ate|[tT]ime)|[pP]ub_?[dD]ate|[fF]irst_?[pP]ublished(?:_?(?:[aA]t|[dD]ate))?)\\?["']?[ \t]*[:=][ \t]*\\?["']([0-9A-Za-z:.+\-, /]{8,40})\\?["']"#,
        )
        .expect("static regex")
    });
    if !(script.contains("ublish")
        || script.contains("ub_date")
        || script.contains("ubDate")
        || script.contains("ubdate"))
    {
        return;
    }
    // A script may hold a list of other stories, each with its own date;
    // the first few keys are the page's own, if any are.
    for c in KEY.captures_iter(script).take(4) {
        doc.script_dates.push(c[1].trim().to_string());
    }
}

fn note_body_metadata(doc: &mut Doc, idx: u32, tag: Tag, el: &scraper::node::Element) {
    if tag == Tag::Heading(1) {
        doc.h1.push(idx);
    }
    let itemprop = el.attr("itemprop").map(str::to_ascii_lowercase);
    let datetime = el
        .attr("datetime")
        .or_else(|| itemprop.as_ref().and_then(|_| el.attr("content")));
    let ip = itemprop.as_deref().unwrap_or("");
    // `itemprop=datePublished` without a machine value: the element's text
    // is the date, read later once the subtree is in the arena.
    let datetime = datetime.or_else(|| (ip == "datepublished").then_some(""));
    if let Some(value) = datetime {
        let class = el.attr("class").unwrap_or("").to_ascii_lowercase();
        if el.name() == "time" || ip.starts_with("date") {
            doc.times.push(TimeMark {
                value: value.trim().to_string(),
                published: el.attr("pubdate").is_some()
                    || ip == "datepublished"
                    || ip == "datecreated"
                    || class.contains("publish")
                    || class.contains("pubdate"),
                modified: ip == "datemodified"
                    || class.contains("modif")
                    || class.contains("updat"),
                node: idx,
            });
        }
    }
    if el.name() == "meta" {
        return;
    }
    let rel_author = el
        .attr("rel")
        .is_some_and(|r| r.split_ascii_whitespace().any(|x| x == "author"));
    let prop_author = itemprop.as_deref() == Some("author");
    let class_author = el.attr("class").is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.split(|ch: char| ch.is_ascii_whitespace()).any(|t| {
            matches!(
                t,
                "byline"
                    | "author"
                    | "author-name"
                    | "byline__name"
                    | "byline-name"
                    | "author__name"
            )
        })
    });
    if rel_author || prop_author || class_author {
        doc.author_nodes.push(idx);
    }
}

fn is_hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() {
        return true;
    }
    if el.attr("aria-hidden").is_some_and(|v| v == "true") {
        return true;
    }
    el.attr("style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Words in class/id that mark boilerplate. Matched as substrings of the
/// lowercased class+id, so they are long enough not to hit ordinary words.
const NEGATIVE: &str = "comment|sidebar|related|newsletter|cookie|subscri|social|breadcrumb\
|footer|advert|promo|sponsor|recommend|popular|trending|outbrain|taboola|disqus|banner\
|masthead|navbar|navigation|menu|share|sharing|popup|modal|gdpr|consent|signup|widget\
|most-read|mostread|more-stories|toolbar|pagination|pager|skip-link|byline|author-bio\
|about[-_]?author|author[-_]?(?:box|info|bio|desc|profile|about)|mini[-_]?bio|bio[-_]?box\
|shoutbox|skyscraper|header|tag-list|taglist|komment|komentar|comentar|reactie|slideshow|gallery";

/// Words in class/id that mark reader comments, in the languages pages
/// spell them in; they outweigh content words (`comment-body`,
/// `comment_text` are parts of a comment).
const COMMENT: &str = "comment|komment|komentar|comentar|reactie";

/// Whole tokens of class/id that mark boilerplate (too short for substrings).
const NEGATIVE_TOKENS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "nav",
    "tags",
    "tag",
    "meta",
    "hidden",
    "hide",
    "print",
    "login",
    "rss",
    "teaser",
    "teasers",
    "aside",
    "extra",
    "combx",
    "remark",
    "replies",
    "rating",
    "links",
    "caption",
    "credit",
    "credits",
    "copyright",
];

/// Whether node `i` or an ancestor is an `<article>` element.
fn in_article(doc: &Doc, mut i: u32) -> bool {
    while i != u32::MAX {
        let node = &doc.nodes[i as usize];
        if node.tag == Tag::Article {
            return true;
        }
        i = node.parent;
    }
    false
}

/// Whether class or id name reader comments.
fn is_comment_named(el: &scraper::node::Element) -> bool {
    let name = |a: &str| {
        el.attr(a)
            .is_some_and(|v| WORDS.comment.is_match(&v.to_ascii_lowercase()))
    };
    name("class") || name("id")
}

/// Content-looking words; a node with one of them is never dropped as unlikely.
const POSITIVE: &str = "article|body|content|entry|main|post|story|text|blog|column";

struct Words {
    negative: Regex,
    comment: Regex,
    positive: Regex,
    body_article: Regex,
    body_body: Regex,
    body_junk: Regex,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).expect("static regex");
    Words {
        negative: re(NEGATIVE),
        comment: re(COMMENT),
        positive: re(POSITIVE),
        body_article: re("article|entry|post|story|news|blog"),
        body_body: re("body|content|text"),
        body_junk: re(&format!(
            "{NEGATIVE}|teaser|list|card|preview|summary|excerpt|title|meta|wrap|item"
        )),
    }
});

/// Reads class, id, role and itemprop: (hint, hard, unlikely, body_like).
///
/// `body_like` marks an element named as the article body: one class or id
/// token joining an article word with a body word (`entry-content`,
/// `article__body`, `story-text`) or `itemprop=articleBody`.
fn hints(name: &str, el: &scraper::node::Element) -> (i8, bool, bool, bool) {
    let mut hint: i8 = 0;
    let mut unlikely = false;
    let mut hard = false;
    match name {
        "nav" | "aside" | "footer" | "header" => hard = true,
        "article" | "main" => hint += 1,
        _ => {}
    }
    let structural = matches!(name, "body" | "html" | "article" | "main");
    if let Some(role) = el.attr("role") {
        match role.trim().to_ascii_lowercase().as_str() {
            "navigation" | "complementary" | "banner" | "contentinfo" | "menu" | "menubar"
            | "search" | "dialog" | "alert" | "toolbar" => hard = true,
            "main" | "article" => hint += 2,
            _ => {}
        }
    }
    if el
        .attr("itemprop")
        .is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
    {
        return (hint + 3, false, false, true);
    }
    let class = el.attr("class").unwrap_or("");
    let id = el.attr("id").unwrap_or("");
    if class.is_empty() && id.is_empty() {
        return (hint, hard && !structural, false, false);
    }
    let mut s = String::with_capacity(class.len() + id.len() + 1);
    s.push_str(class);
    s.push(' ');
    s.push_str(id);
    s.make_ascii_lowercase();
    let words = &*WORDS;
    let neg = words.negative.is_match(&s)
        || s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|t| NEGATIVE_TOKENS.contains(&t));
    let pos = words.positive.is_match(&s);
    if pos {
        hint += 1;
    }
    // Wrappers of posts embedded in the story ("social-media-embed",
    // "embed-twitter") carry quoted content, not the site's own furniture.
    let embed = s.contains("embed");
    let body_like = !structural
        && pos
        && s.split_ascii_whitespace().any(|t| {
            (8..=40).contains(&t.len())
                && words.body_article.is_match(t)
                && words.body_body.is_match(t)
                && !words.body_junk.is_match(t)
        });
    if neg {
        hint -= 1;
        if (!pos || words.comment.is_match(&s)) && !embed && !body_like {
            unlikely = true;
        }
    }
    (
        hint,
        hard && !structural,
        unlikely && !structural,
        body_like,
    )
}
