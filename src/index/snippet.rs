//! Snippets: the passage of a hit's text around its best matches, the
//! matched words marked.
//!
//! Where the query's words are in a document is already in the index: the
//! folded title and body fields keep each term's positions, and a position
//! is the number of the word in the text (the folding analyzer makes one
//! token per word of [`WordTokenizer`]). The other forms of a query word
//! (see [`forms`](super::forms)) are terms of the query like the word
//! itself. So a snippet needs no second analysis of the text: the positions
//! of the query's terms in this document are read from the postings, the
//! text is split into words up to the last of them (splitting is a small
//! part of what folding and stemming every word costs), and the passage
//! with the most distinct matched words is cut around them.
//!
//! The cross-script names field keeps no positions (it would double its
//! size); when a document matched through it alone, its text is analysed
//! again as names, opening first, by tantivy's snippet generator.
//!
//! Snippets mark matched words as `**word**` ([`HIGHLIGHT_START`],
//! [`HIGHLIGHT_END`]), keep about [`SNIPPET_CHARS`] characters with runs of
//! whitespace collapsed, and show `…` where the text was cut.

use std::collections::hash_map::{Entry, HashMap};
use std::ops::Range;
use std::path::Path;

use tantivy::postings::Postings;
use tantivy::query::Query;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy::{DocAddress, DocSet, Searcher, Term};

use super::analysis::WordTokenizer;
use super::schema::Fields;
use super::IndexError;
use crate::extract::text::collapse_whitespace;

/// Target snippet length, in characters.
pub const SNIPPET_CHARS: usize = 200;

/// Marks put around each matched word in a snippet.
pub const HIGHLIGHT_START: &str = "**";
pub const HIGHLIGHT_END: &str = "**";

/// Shown where a snippet cuts its text.
pub(super) const ELLIPSIS: char = '…';

/// Of a snippet's length, the share kept before its first match, so that
/// the match is read in context.
const LEAD_IN_SHARE: usize = 4;

/// What a snippet is cut from: a hit's stored texts.
pub(super) struct Texts<'t> {
    pub title: &'t str,
    pub body: &'t str,
}

/// The snippets of one search's hits.
pub(super) struct Snippets<'a> {
    searcher: &'a Searcher,
    query: &'a dyn Query,
    fields: &'a Fields,
    /// The query's terms in each field with positions, each with the number
    /// of its text among the query's terms (the same word searched in
    /// several fields counts once).
    terms: HashMap<Field, Vec<(Term, usize)>>,
    /// Whether the query looks in the names field at all.
    names: bool,
    /// Generators for the names field, made the first time a hit needs one.
    generators: HashMap<Field, SnippetGenerator>,
    positions: Vec<u32>,
    /// The index directory, for errors.
    dir: &'a Path,
}

/// A matched word: its bytes in the text and the number of its term.
#[derive(Debug, Clone)]
struct Mark {
    bytes: Range<usize>,
    term: usize,
}

impl<'a> Snippets<'a> {
    pub fn new(
        searcher: &'a Searcher,
        query: &'a dyn Query,
        fields: &'a Fields,
        dir: &'a Path,
    ) -> Self {
        let positional = [fields.title, fields.body];
        let mut texts: Vec<String> = Vec::new();
        let mut terms: HashMap<Field, Vec<(Term, usize)>> = HashMap::new();
        let mut names = false;
        query.query_terms(&mut |term, _| {
            names |= term.field() == fields.names;
            if !positional.contains(&term.field()) {
                return;
            }
            let text = term.value().as_str().unwrap_or_default().to_string();
            let number = match texts.iter().position(|t| *t == text) {
                Some(n) => n,
                None => {
                    texts.push(text);
                    texts.len() - 1
                }
            };
            let list = terms.entry(term.field()).or_default();
            if !list.iter().any(|(t, _)| t == term) {
                list.push((term.clone(), number));
            }
        });
        Snippets {
            searcher,
            query,
            fields,
            terms,
            names,
            generators: HashMap::new(),
            positions: Vec::new(),
            dir,
        }
    }

    /// The snippet of the document at `address`: from the body where the
    /// query matches there, else from the title; through the names field
    /// when the match was another script's spelling; the body's opening
    /// when nothing matched in the text (a blank query, authors only).
    pub fn of(&mut self, address: DocAddress, texts: &Texts) -> Result<String, IndexError> {
        let f = self.fields;
        for (text, field) in [(texts.body, f.body), (texts.title, f.title)] {
            let marks = self.marks(address, field, text)?;
            if !marks.is_empty() {
                return Ok(cut(text, marks));
            }
        }
        for text in [texts.body, texts.title] {
            if let Some(snippet) = self.names_snippet(text)? {
                return Ok(snippet);
            }
        }
        Ok(lead(if texts.body.trim().is_empty() {
            texts.title
        } else {
            texts.body
        }))
    }

    /// The words of `text` where the query's terms in `field` occur in the
    /// document, found from their positions.
    fn marks(
        &mut self,
        address: DocAddress,
        field: Field,
        text: &str,
    ) -> Result<Vec<Mark>, IndexError> {
        let mut marks = Vec::new();
        // (position, term) of every match, in word order.
        let mut wanted: Vec<(u32, usize)> = Vec::new();
        self.matches(address, field, &mut wanted)?;
        if wanted.is_empty() {
            return Ok(marks);
        }
        wanted.sort_unstable();
        wanted.dedup();
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut next = wanted.iter().peekable();
        while next.peek().is_some() {
            if !stream.advance() {
                break;
            }
            let token = stream.token();
            let at = u32::try_from(token.position).unwrap_or(u32::MAX);
            while let Some(&&(p, term)) = next.peek() {
                if p > at {
                    break;
                }
                if p == at {
                    marks.push(Mark {
                        bytes: token.offset_from..token.offset_to,
                        term,
                    });
                }
                next.next();
            }
        }
        Ok(marks)
    }

    /// Adds (position, term number) of each of the query's terms in
    /// `field` that occurs in the document at `address`.
    fn matches(
        &mut self,
        address: DocAddress,
        field: Field,
        wanted: &mut Vec<(u32, usize)>,
    ) -> Result<(), IndexError> {
        let Some(terms) = self.terms.get(&field) else {
            return Ok(());
        };
        let segment = self.searcher.segment_reader(address.segment_ord);
        let inverted = segment
            .inverted_index(field)
            .map_err(|e| IndexError::tantivy(self.dir, "read the postings", e))?;
        for (term, number) in terms {
            let postings = inverted
                .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
                .map_err(|e| {
                    IndexError::tantivy(
                        self.dir,
                        "read the postings",
                        tantivy::TantivyError::from(e),
                    )
                })?;
            let Some(mut postings) = postings else {
                continue;
            };
            // A fresh cursor stands on the term's first document, and may
            // only be moved forward.
            if postings.doc() > address.doc_id || postings.seek(address.doc_id) != address.doc_id {
                continue;
            }
            self.positions.clear();
            postings.positions(&mut self.positions);
            wanted.extend(self.positions.iter().map(|&p| (p, *number)));
        }
        Ok(())
    }

    /// The snippet of `text` analysed as cross-script names, opening first,
    /// if the query matches a name in it.
    fn names_snippet(&mut self, text: &str) -> Result<Option<String>, IndexError> {
        if !self.names {
            return Ok(None);
        }
        let field = self.fields.names;
        let generator = match self.generators.entry(field) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(
                SnippetGenerator::create(self.searcher, self.query, field)
                    .map_err(|e| IndexError::tantivy(self.dir, "prepare snippets", e))?,
            ),
        };
        let head = opening(text);
        for part in [head, text] {
            generator.set_max_num_chars(snippet_bytes(part));
            let snippet = generator.snippet(part);
            if !snippet.highlighted().is_empty() {
                let start = snippet.fragment_range().start;
                let marks = snippet
                    .highlighted()
                    .iter()
                    .map(|r| Mark {
                        bytes: start + r.start..start + r.end,
                        term: 0,
                    })
                    .collect();
                return Ok(Some(cut(text, marks)));
            }
            if part.len() == text.len() {
                break;
            }
        }
        Ok(None)
    }
}

/// Names are looked for in this many of a text's first characters before
/// the whole text is analysed.
const OPENING_CHARS: usize = 5 * SNIPPET_CHARS;

/// The first [`OPENING_CHARS`] characters of `text`, cut after a word.
fn opening(text: &str) -> &str {
    let Some((at, _)) = text.char_indices().nth(OPENING_CHARS) else {
        return text;
    };
    match text[at..].find(char::is_whitespace) {
        Some(space) => &text[..at + space],
        None => text,
    }
}

/// Bytes that hold about [`SNIPPET_CHARS`] characters of `text`: Georgian
/// takes three bytes a letter, English one.
fn snippet_bytes(text: &str) -> usize {
    let chars = text.chars().count().max(1);
    (SNIPPET_CHARS * text.len() / chars).max(SNIPPET_CHARS)
}

/// The passage of `text` with the most distinct matched words (then the
/// most matches, then the earliest), with some text before its first match,
/// cut at word boundaries, its matches marked.
fn cut(text: &str, mut marks: Vec<Mark>) -> String {
    marks.sort_unstable_by_key(|m| (m.bytes.start, m.bytes.end));
    marks.dedup_by(|b, a| b.bytes.start < a.bytes.end);
    let budget = snippet_bytes(text);
    if text.len() <= budget {
        return render(text, 0..text.len(), &marks);
    }
    let span = budget - budget / LEAD_IN_SHARE;
    let mut best = (0, 0, 0);
    for (first, mark) in marks.iter().enumerate() {
        let within = marks[first..]
            .iter()
            .take_while(|m| m.bytes.end - mark.bytes.start <= span);
        let mut terms: Vec<usize> = within.clone().map(|m| m.term).collect();
        let count = terms.len().max(1);
        terms.sort_unstable();
        terms.dedup();
        if (terms.len(), count) > (best.0, best.1) {
            best = (terms.len(), count, first);
        }
    }
    let first = marks.get(best.2).map_or(0, |m| m.bytes.start);
    let start = passage_start(text, first, budget / LEAD_IN_SHARE);
    let end = passage_end(text, start + budget, first);
    render(text, start..end, &marks)
}

/// Where a passage whose first match is at `first` begins: after the last
/// sentence end within `lead_in` bytes before it, else at the first word
/// that starts there.
fn passage_start(text: &str, first: usize, lead_in: usize) -> usize {
    let mut from = first.saturating_sub(lead_in);
    if from == 0 {
        return 0;
    }
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..first];
    if let Some(end) = before.rfind(['.', '!', '?', '\n', '。']) {
        let after = &before[end..];
        let skip = after
            .char_indices()
            .find(|&(_, c)| !matches!(c, '.' | '!' | '?' | '\n' | '。') && !c.is_whitespace())
            .map_or(after.len(), |(n, _)| n);
        return from + end + skip;
    }
    match before.find(char::is_whitespace) {
        Some(space) => {
            let rest = &before[space..];
            let word = rest
                .char_indices()
                .find(|&(_, c)| !c.is_whitespace())
                .map_or(rest.len(), |(n, _)| n);
            from + space + word
        }
        None => first,
    }
}

/// Where a passage ending near `limit` ends: at the end of the last whole
/// word before it (never before the match at `first`).
fn passage_end(text: &str, limit: usize, first: usize) -> usize {
    if limit >= text.len() {
        return text.len();
    }
    let mut at = limit;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    match text[first..at].rfind(char::is_whitespace) {
        Some(space) if first + space > first => first + space,
        _ => at,
    }
}

/// `range` of `text` with the marks inside it between [`HIGHLIGHT_START`]
/// and [`HIGHLIGHT_END`], `…` where it cuts the text, whitespace collapsed.
fn render(text: &str, range: Range<usize>, marks: &[Mark]) -> String {
    let mut out = String::with_capacity(range.len() + 16);
    if range.start > 0 {
        out.push(ELLIPSIS);
    }
    let mut done = range.start;
    for mark in marks {
        if mark.bytes.start < done || mark.bytes.end > range.end {
            continue;
        }
        out.push_str(&text[done..mark.bytes.start]);
        out.push_str(HIGHLIGHT_START);
        out.push_str(&text[mark.bytes.clone()]);
        out.push_str(HIGHLIGHT_END);
        done = mark.bytes.end;
    }
    out.push_str(&text[done..range.end]);
    if range.end < text.len() {
        out.push(ELLIPSIS);
    }
    collapse_whitespace(&out)
}

/// The first [`SNIPPET_CHARS`] characters of `text`, cut at a space.
pub(super) fn lead(text: &str) -> String {
    let text = collapse_whitespace(text);
    match text.char_indices().nth(SNIPPET_CHARS) {
        None => text,
        Some((cut, _)) => {
            let head = &text[..cut];
            let head = head.rsplit_once(' ').map_or(head, |(words, _)| words);
            format!("{head}{ELLIPSIS}")
        }
    }
}
