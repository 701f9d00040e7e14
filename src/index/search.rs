//! Search: the user's query in tantivy syntax, filters on language, source
//! and publication date, three sort orders, and a snippet per hit.
//!
//! Query text follows tantivy's syntax over `title` (boosted), `body` and
//! `authors`, all folded the same way as at index time: plain words must all
//! match; `"exact phrase"`; `a OR b`; `-word` or `NOT word`; `field:value`
//! (`title:Bakı`, `lang:az`, `source:some-id`); ranges such as
//! `published:[2024-01-01T00:00:00Z TO *]`. A blank query matches every
//! document, so filters and sort alone can browse the index.
//!
//! Plain words also match other forms of the same word: each is looked up
//! in the folded `title` and `body` as written and as every term there that
//! has its stem in a stemmed language (of the requested languages only,
//! when the request names some, and of those the index has documents in),
//! found in the term dictionaries by [`forms`](super::forms); so
//! `президента` finds `президент` and `Bakıda` finds `Bakı`. `title:word`
//! and `body:word` do the same within their field. Another form weighs
//! [`STEM_WEIGHT`] of the exact one, and all of a word's forms are scored
//! with the document frequency of the forms together (as a stemmed field
//! scored the stem), so exact forms rank first. Quoted text, a single word
//! or a phrase, matches exact (folded) forms only.
//!
//! Snippets mark matched words as `**word**` ([`HIGHLIGHT_START`],
//! [`HIGHLIGHT_END`]), keep about [`SNIPPET_CHARS`] characters with runs of
//! whitespace collapsed, and show `…` where the text was cut. Markdown-style
//! stars because «» and "" are ordinary quotes in the languages we index.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser,
    RangeQuery, TermQuery,
};
use tantivy::query_grammar::{self, Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Score, Searcher, TantivyDocument, Term};

use super::forms::Finder;
use super::snippet::{Snippets, Texts};
pub use super::snippet::{HIGHLIGHT_END, HIGHLIGHT_START, SNIPPET_CHARS};
use super::stem::{self, StemLanguage};
use super::writer::{from_tantivy_date, to_tantivy_date};
use super::{Index, IndexError};

/// Hits returned when the request says 0.
pub const DEFAULT_LIMIT: usize = 10;

/// Title matches weigh this much more than body matches.
const TITLE_BOOST: Score = 2.0;

/// Weight of a match on another form of a word (one with its stem)
/// relative to a match on the word as written: below 1 so that a document
/// with the exact form ranks above one with another form only.
pub const STEM_WEIGHT: Score = 0.5;

/// Weight of a match through the cross-script name keys (another script's
/// spelling of the word) relative to an exact match: the lowest, so that
/// documents with the spelling searched for rank first.
pub const NAME_WEIGHT: Score = 0.3;

/// Reminder appended to every query error.
const SYNTAX_HINT: &str = "query syntax: plain words must all match, in any of their forms; \
     \"exact phrase\" or \"word\" for exact forms only; \
     a OR b; -word or NOT word to exclude; field:value with fields title, body, authors, \
     lang, source, kind; published:[2024-01-01T00:00:00Z TO *]";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Latest `published` first; undated documents last.
    Newest,
    /// Earliest `published` first; undated documents last.
    Oldest,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Relevance, Sort::Newest, Sort::Oldest];

    /// The name `--sort` and the web's `sort` take.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Tantivy query syntax (see the module docs); blank matches everything.
    pub query: String,
    /// ISO 639-1 codes; empty = all.
    pub langs: Vec<String>,
    /// Source ids; empty = all.
    pub sources: Vec<String>,
    /// Document kinds (`article`, `post`); empty = all.
    pub kinds: Vec<String>,
    /// Inclusive lower bound on `published`; undated documents never match.
    pub since: Option<DateTime<Utc>>,
    /// Inclusive upper bound on `published`; undated documents never match.
    pub until: Option<DateTime<Utc>>,
    pub sort: Sort,
    /// Maximum hits returned; 0 means [`DEFAULT_LIMIT`].
    pub limit: usize,
    /// Hits skipped before the first returned, in the sort order: the
    /// pages after the first (the web page's `page`).
    pub offset: usize,
    /// Match the words as written (folded and stemmed forms) only, without
    /// the cross-script name path.
    pub exact: bool,
    /// Only these documents (ids, the canonical URLs); empty = all. What a
    /// watch asks of the documents a commit added.
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SearchResults {
    /// Number of matching documents (not just those returned).
    pub total: usize,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// The document's identity (its canonical URL); not printed, as `url`
    /// says the same to a reader.
    #[serde(skip)]
    pub id: String,
    /// The article's link (see [`crate::article::Article::url`]): its
    /// canonical URL as indexed.
    pub url: String,
    pub title: String,
    pub source: String,
    pub lang: String,
    /// `article` or `post`.
    pub kind: String,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    /// Text around the best match, matched words between `**` (see the
    /// module docs).
    pub snippet: String,
    /// Relevance (BM25, title boosted) for every sort order; with the date
    /// orders it breaks ties between documents published the same second.
    /// Constant for a blank query.
    pub score: f32,
    /// The story the document belongs to (see `crate::stories`): not
    /// indexed (story ids change on merges) but told by the state store,
    /// so the index leaves it `None` and the command line fills it in.
    pub story: Option<u64>,
    /// The URL of the earliest version, when the document is a copy (told
    /// by the state store, like `story`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

pub(super) fn run(index: &Index, request: &SearchRequest) -> Result<SearchResults, IndexError> {
    let searcher = index.searcher()?;
    let statistics = index.reader.statistics(&searcher);
    let parsed = parse_query(index, request, &searcher)?;
    let statistics = statistics.with_doc_freqs(parsed.doc_freqs);
    let user_query = parsed.query;
    let query = super::flatten::flatten(Box::new(with_filters(
        index,
        user_query.box_clone(),
        request,
    )));

    let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    if num_docs == 0 {
        return Ok(SearchResults::default());
    }
    let limit = match request.limit {
        0 => DEFAULT_LIMIT,
        n => n,
    }
    // TopDocs allocates for its limit up front.
    .min(num_docs);
    let top = TopDocs::with_limit(limit).and_offset(request.offset);
    let search_error = |e| IndexError::tantivy(&index.dir, "search", e);
    let (ranked, total): (Vec<(Score, DocAddress)>, usize) = match request.sort {
        Sort::Relevance if !super::flatten::prunable(&*query) => searcher
            .search_with_statistics_provider(&query, &(top.order_by_score(), Count), &statistics)
            .map_err(search_error)?,
        Sort::Relevance => {
            // The top hits alone, so that tantivy may skip the postings
            // that cannot enter them (block-max WAND); counting every
            // match in the same pass would have every match scored.
            let ranked = searcher
                .search_with_statistics_provider(&query, &top.order_by_score(), &statistics)
                .map_err(search_error)?;
            let total = match ranked.len() {
                // Fewer than asked for: all there is past the offset.
                n if n > 0 && n < limit => request.offset + n,
                // Counting without scores reads no term frequencies, and
                // a single term's count is its document frequency.
                _ => searcher.search(&query, &Count).map_err(search_error)?,
            };
            (ranked, total)
        }
        Sort::Newest | Sort::Oldest => {
            let order = if request.sort == Sort::Newest {
                Order::Desc
            } else {
                Order::Asc
            };
            // Tantivy puts documents without the field last in both orders.
            let schema = index.index.schema();
            let published = schema.get_field_name(index.fields.published);
            let by_date = SortByStaticFastValue::<tantivy::DateTime>::for_field(published);
            let (docs, total) = searcher
                .search_with_statistics_provider(
                    &query,
                    &(
                        top.order_by(((by_date, order), SortBySimilarityScore)),
                        Count,
                    ),
                    &statistics,
                )
                .map_err(search_error)?;
            let docs = docs
                .into_iter()
                .map(|((_, score), address)| (score, address))
                .collect();
            (docs, total)
        }
    };

    let hits = load_hits(index, &searcher, &*user_query, &ranked)?;
    Ok(SearchResults { total, hits })
}

/// Hits shared among threads at least this many to a thread: a thread's
/// start costs about what the snippets of a hit or two do.
const HITS_PER_THREAD: usize = 6;

/// The ranked documents as hits, with their snippets. Reading the stored
/// document and analysing its text again for the snippet is most of a
/// search's time (a top-20 page of 400-word articles is some 8,000 words
/// to analyse), so the hits are shared among the cores.
fn load_hits(
    index: &Index,
    searcher: &Searcher,
    query: &dyn Query,
    ranked: &[(Score, DocAddress)],
) -> Result<Vec<Hit>, IndexError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (ranked.len() / HITS_PER_THREAD).clamp(1, cores);
    if threads == 1 {
        return hits_of(index, searcher, query, ranked);
    }
    let chunk = ranked.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let mut chunks = ranked.chunks(chunk);
        let mine = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks
            .map(|part| scope.spawn(move || hits_of(index, searcher, query, part)))
            .collect();
        let mut hits = hits_of(index, searcher, query, mine)?;
        for other in others {
            // A panic there is a bug: it goes on as the panic it is.
            let part = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            hits.extend(part);
        }
        Ok(hits)
    })
}

fn hits_of(
    index: &Index,
    searcher: &Searcher,
    query: &dyn Query,
    ranked: &[(Score, DocAddress)],
) -> Result<Vec<Hit>, IndexError> {
    let mut snippets = Snippets::new(searcher, query, &index.fields, &index.dir);
    let mut hits = Vec::with_capacity(ranked.len());
    for &(score, address) in ranked {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| IndexError::tantivy(&index.dir, "load a document", e))?;
        hits.push(to_hit(index, address, &doc, score, &mut snippets)?);
    }
    Ok(hits)
}

/// A parsed query and what scoring it needs besides the index.
pub(super) struct Parsed {
    pub query: Box<dyn Query>,
    /// The document frequency each other form of a query word is scored
    /// with: that of all the word's forms in the field together, so that
    /// every form weighs what the word's stem does, as in a stemmed field
    /// (a rare form would otherwise outweigh the exact word).
    pub doc_freqs: HashMap<Term, u64>,
}

pub(super) fn parse_query(
    index: &Index,
    request: &SearchRequest,
    searcher: &Searcher,
) -> Result<Parsed, IndexError> {
    let text = request.query.as_str();
    if text.trim().is_empty() {
        return Ok(Parsed {
            query: Box::new(AllQuery),
            doc_freqs: HashMap::new(),
        });
    }
    let protected = protect_apostrophes(text);
    let ast = query_grammar::parse_query(&protected).map_err(|_| syntax_error(text))?;
    let f = &index.fields;
    let languages = stemmed_languages(index, &request.langs, searcher)?;
    let mut parser = QueryParser::for_index(&index.index, vec![f.title, f.body, f.authors]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(f.title, TITLE_BOOST);
    parser.set_field_boost(f.names, NAME_WEIGHT);
    let schema = index.index.schema();
    let name = |field| schema.get_field_name(field).to_string();
    let names = FieldNames {
        names: (!request.exact).then(|| name(f.names)),
        folder: RefCell::new(crate::names::Folder::new()),
        exact: vec![name(f.title), name(f.body), name(f.authors)],
        title: (f.title, name(f.title)),
        body: (f.body, name(f.body)),
        finder: RefCell::new(Finder::new(searcher, languages)),
        searcher,
        lang: name(f.lang),
        doc_freqs: RefCell::new(HashMap::new()),
    };
    let expanded = names
        .expand(ast)
        .map_err(|e| IndexError::tantivy(&index.dir, "look up the forms of the query words", e))?;
    let query = parser
        .build_query_from_user_input_ast(complete_negations(expanded))
        .map_err(|e| IndexError::Query(format!("{e} in {text:?}; {SYNTAX_HINT}")))?;
    Ok(Parsed {
        query,
        doc_freqs: names.doc_freqs.into_inner(),
    })
}

/// The stemmed languages whose other forms of a word a query looks for:
/// those of `langs`, or every stemmed language when `langs` is empty;
/// either way only the languages the index has documents in. Languages
/// without a stemmer (Georgian, `und`) add none; their documents match
/// the forms written.
///
/// Each language costs a walk of the term dictionaries per word, and a
/// stemmer never meant for a language's words finds false forms in it.
fn stemmed_languages(
    index: &Index,
    langs: &[String],
    searcher: &Searcher,
) -> Result<Vec<(usize, StemLanguage)>, IndexError> {
    let mut positions: Vec<usize> = if langs.is_empty() {
        (0..stem::LANGUAGES.len()).collect()
    } else {
        langs.iter().filter_map(|l| stem::position(l)).collect()
    };
    positions.sort_unstable();
    positions.dedup();
    let mut languages = Vec::with_capacity(positions.len());
    for n in positions {
        let language = stem::LANGUAGES[n];
        let term = Term::from_field_text(index.fields.lang, language.code);
        let documents = searcher
            .doc_freq(&term)
            .map_err(|e| IndexError::tantivy(&index.dir, "read the language counts", e))?;
        if documents > 0 {
            languages.push((n, language));
        }
    }
    Ok(languages)
}

/// Check the syntax of a query without an index (a watch's query when the
/// configuration is loaded); the error says what is wrong, as a search's
/// would.
pub fn check_syntax(text: &str) -> Result<(), IndexError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    query_grammar::parse_query(&protect_apostrophes(text))
        .map(|_| ())
        .map_err(|_| syntax_error(text))
}

/// Names of the fields a literal of the query is searched in, where that
/// differs from the parser's default fields, and the other forms of its
/// words.
struct FieldNames<'a> {
    /// The cross-script name field, unless the request is exact: a plain
    /// word is also looked up there by its name keys.
    names: Option<String>,
    folder: RefCell<crate::names::Folder>,
    /// Quoted text without a field: the folded fields only.
    exact: Vec<String>,
    /// The folded title and body, where a plain word's other forms are
    /// looked for (`title:word` in the title only).
    title: (Field, String),
    body: (Field, String),
    finder: RefCell<Finder<'a>>,
    searcher: &'a Searcher,
    /// The language field: another form of a word counts only in
    /// documents of the language whose stemmer made it.
    lang: String,
    /// See [`Parsed::doc_freqs`].
    doc_freqs: RefCell<HashMap<Term, u64>>,
}

type Expanded = tantivy::Result<UserInputAst>;

impl FieldNames<'_> {
    /// Rewrites each literal that needs other fields than the parser would
    /// give it into an OR of the same literal over those fields, and adds
    /// the other forms of plain words.
    fn expand(&self, ast: UserInputAst) -> Expanded {
        Ok(match ast {
            UserInputAst::Clause(children) => UserInputAst::Clause(
                children
                    .into_iter()
                    .map(|(occur, child)| Ok((occur, self.expand(child)?)))
                    .collect::<tantivy::Result<_>>()?,
            ),
            UserInputAst::Boost(inner, boost) => {
                UserInputAst::Boost(Box::new(self.expand(*inner)?), boost)
            }
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(literal) => self.expand_literal(literal)?,
                other => UserInputAst::Leaf(Box::new(other)),
            },
        })
    }

    fn expand_literal(&self, literal: UserInputLiteral) -> Expanded {
        let quoted = !matches!(literal.delimiter, Delimiter::None);
        match (literal.field_name.as_deref(), quoted) {
            (None, false) => {
                let fields = [self.title.clone(), self.body.clone()];
                let plain = self.with_forms(&literal, &fields)?;
                Ok(self.with_name_keys(literal, plain))
            }
            (None, true) => {
                let alternatives = self
                    .exact
                    .iter()
                    .map(|name| {
                        let mut copy = literal.clone();
                        copy.field_name = Some(name.clone());
                        (Some(Occur::Should), leaf(copy))
                    })
                    .collect();
                Ok(UserInputAst::Clause(alternatives))
            }
            (Some("title"), false) => self.with_forms(&literal, std::slice::from_ref(&self.title)),
            (Some("body"), false) => self.with_forms(&literal, std::slice::from_ref(&self.body)),
            _ => Ok(leaf(literal)),
        }
    }

    /// The literal as written, or any other form of its word in `fields`
    /// at [`STEM_WEIGHT`]. A literal of several words (a hyphenated name)
    /// is left as written: its words must stand together, which only the
    /// exact forms' positions tell.
    fn with_forms(&self, literal: &UserInputLiteral, fields: &[(Field, String)]) -> Expanded {
        let plain = leaf(literal.clone());
        let mut finder = self.finder.borrow_mut();
        if finder.is_empty() || literal.prefix {
            return Ok(plain);
        }
        let folded = super::analysis::fold_words(&literal.phrase);
        // Turkish and Azerbaijani read "Ankara'da" as one word, "Ankara".
        let words: Vec<(usize, String)> = finder
            .languages()
            .iter()
            .filter(|(_, language)| language.reads(&literal.phrase))
            .filter_map(|&(n, language)| {
                let mut words = super::analysis::stem_input_words(&language, &literal.phrase);
                (words.len() == 1).then(|| (n, words.remove(0)))
            })
            .collect();
        if words.is_empty() {
            return Ok(plain);
        }
        let exact = match folded.as_slice() {
            [word] => word.as_str(),
            _ => "",
        };
        let mut alternatives = vec![(Some(Occur::Should), plain)];
        let mut doc_freqs = self.doc_freqs.borrow_mut();
        let total_docs = self.searcher.total_num_docs()?;
        // Every language's forms in a field at once (languages share
        // dictionary walks), and the exact word's documents once a field.
        let mut by_field = Vec::with_capacity(fields.len());
        for (field, _) in fields {
            let forms = finder.forms_each(*field, exact, &words)?;
            let found_any = forms.iter().any(|f| !f.is_empty());
            let exact_freq = if exact.is_empty() || !found_any {
                0
            } else {
                self.searcher
                    .doc_freq(&Term::from_field_text(*field, exact))?
            };
            by_field.push((forms, exact_freq));
        }
        for (i, language_word) in words.iter().enumerate() {
            let mut forms_of_language = Vec::new();
            for ((field, name), (forms, exact_freq)) in fields.iter().zip(&mut by_field) {
                let forms = std::mem::take(&mut forms[i]);
                if forms.is_empty() {
                    continue;
                }
                // Documents with two forms count twice: at most every
                // document (BM25 needs no more documents with the word
                // than there are).
                let together =
                    (*exact_freq + forms.iter().map(|f| f.doc_freq).sum::<u64>()).min(total_docs);
                for form in forms {
                    let term = Term::from_field_text(*field, &form.text);
                    let entry = doc_freqs.entry(term).or_insert(0);
                    *entry = (*entry).max(together);
                    let mut copy = literal.clone();
                    copy.field_name = Some(name.clone());
                    copy.phrase = form.text;
                    copy.delimiter = Delimiter::None;
                    forms_of_language.push((
                        Some(Occur::Should),
                        UserInputAst::Boost(Box::new(leaf(copy)), f64::from(STEM_WEIGHT).into()),
                    ));
                }
            }
            if forms_of_language.is_empty() {
                continue;
            }
            let stemmed = stem::LANGUAGES[language_word.0];
            if !stem::shares_alphabet(&stemmed) {
                // No other stemmed language writes these letters: the
                // forms stay a flat union, which tantivy searches for the
                // top hits without scoring every match.
                alternatives.extend(forms_of_language);
                continue;
            }
            // Another form counts in documents of the language whose
            // stemmer made it only, as a stemmed field filled for them
            // alone did: Turkish reads "is" as a form of "ise", English
            // documents must not match "ise" by their "is". The language
            // selects and adds nothing to the score. It costs: the word's
            // matches are then all scored, so it is asked only where
            // another stemmed language writes the same alphabet.
            let mut language = literal.clone();
            language.field_name = Some(self.lang.clone());
            language.phrase = stem::LANGUAGES[language_word.0].code.to_string();
            language.delimiter = Delimiter::None;
            alternatives.push((
                Some(Occur::Should),
                UserInputAst::Clause(vec![
                    (
                        Some(Occur::Must),
                        UserInputAst::Boost(Box::new(leaf(language)), 0.0.into()),
                    ),
                    (Some(Occur::Must), UserInputAst::Clause(forms_of_language)),
                ]),
            ));
        }
        Ok(UserInputAst::Clause(alternatives))
    }
}

fn leaf(literal: UserInputLiteral) -> UserInputAst {
    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(literal)))
}

impl FieldNames<'_> {
    /// A plain word as `plain` reads it (its default fields and other
    /// forms), or by its name keys in the names field: any one of the keys
    /// of each of its words (a literal such as "Ter-Petrosyan" holds two).
    /// Each key is a literal of its own, marked for the names analyzer to
    /// take as it is, since the parser would read several keys of one
    /// literal as a phrase.
    fn with_name_keys(&self, literal: UserInputLiteral, plain: UserInputAst) -> UserInputAst {
        let Some(names) = &self.names else {
            return plain;
        };
        let mut folder = self.folder.borrow_mut();
        let mut words = Vec::new();
        for word in literal
            .phrase
            .split(|c: char| !(c.is_alphanumeric() || crate::names::is_apostrophe(c) || is_mark(c)))
        {
            let keys = super::names::query_keys(word, &mut folder);
            if keys.is_empty() {
                continue;
            }
            let alternatives = keys
                .into_iter()
                .map(|key| {
                    let mut copy = literal.clone();
                    copy.field_name = Some(names.clone());
                    copy.phrase = key;
                    (
                        Some(Occur::Should),
                        UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(copy))),
                    )
                })
                .collect();
            words.push((Some(Occur::Must), UserInputAst::Clause(alternatives)));
        }
        if words.is_empty() {
            return plain;
        }
        UserInputAst::Clause(vec![
            (Some(Occur::Should), plain),
            (Some(Occur::Should), UserInputAst::Clause(words)),
        ])
    }
}

/// Combining marks, which stay inside a word.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}' | '\u{055B}' | '\u{055C}' | '\u{055E}'
    )
}

/// Turns an ASCII apostrophe between two letters ("Ankara'da", "O'Brien")
/// into U+2019, which means the same to the analyzers: tantivy's grammar
/// reads `'` as the start of a quoted phrase and refused such words.
fn protect_apostrophes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(n, &c)| {
            let between_letters = n > 0
                && chars[n - 1].is_alphanumeric()
                && chars.get(n + 1).is_some_and(|next| next.is_alphabetic());
            if c == '\'' && between_letters {
                '\u{2019}'
            } else {
                c
            }
        })
        .collect()
}

/// The strict parser only says "syntax error"; the lenient one says what
/// and where, so ask it for the message.
fn syntax_error(text: &str) -> IndexError {
    let (_, errors) = query_grammar::parse_query_lenient(text);
    let detail = errors.first().map_or_else(
        || "cannot parse it".to_string(),
        |e| format!("{} (at byte {})", e.message, e.pos),
    );
    IndexError::Query(format!("syntax error in {text:?}: {detail}; {SYNTAX_HINT}"))
}

/// Gives every group made only of exclusions something to exclude from.
///
/// Tantivy reads `a AND NOT b` as "a, and the group (NOT b)", and a group
/// with nothing but exclusions matches no document, so the whole query
/// silently found nothing; a lone `-b` was refused outright. Adding "all
/// documents" to such groups gives them the meaning a reader expects: `a AND
/// NOT b` is a without b, `-b` is everything without b.
fn complete_negations(ast: UserInputAst) -> UserInputAst {
    match ast {
        UserInputAst::Clause(children) => {
            let mut children: Vec<_> = children
                .into_iter()
                .map(|(occur, child)| (occur, complete_negations(child)))
                .collect();
            if !children.is_empty()
                && children
                    .iter()
                    .all(|(occur, _)| *occur == Some(Occur::MustNot))
            {
                children.push((
                    Some(Occur::Must),
                    UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
                ));
            }
            UserInputAst::Clause(children)
        }
        UserInputAst::Boost(inner, boost) => {
            UserInputAst::Boost(Box::new(complete_negations(*inner)), boost)
        }
        leaf @ UserInputAst::Leaf(_) => leaf,
    }
}

/// Adds the request's filters to `query`. Filters only select: they score 0
/// so relevance stays that of the user's words.
pub(super) fn with_filters(
    index: &Index,
    query: Box<dyn Query>,
    request: &SearchRequest,
) -> BooleanQuery {
    let f = &index.fields;
    let filter = |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
        (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
    };
    // Term queries, not a `TermSetQuery`: that one marks every document of
    // its terms in a bitset before the search starts (a sixth of the index
    // for a language), where a term's postings are only read as far as the
    // query's own matches go.
    let any_of = |field: Field, values: &[String], normalise: fn(&str) -> String| {
        let mut terms: Vec<Box<dyn Query>> = values
            .iter()
            .map(|v| {
                let term = Term::from_field_text(field, &normalise(v.trim()));
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>
            })
            .collect();
        match terms.len() {
            1 => terms.remove(0),
            _ => Box::new(BooleanQuery::union(terms)) as Box<dyn Query>,
        }
    };
    let mut clauses = vec![(Occur::Must, query)];
    if !request.langs.is_empty() {
        // Codes are stored lowercase (ISO 639-1); accept `AZ` as `az`.
        clauses.push(filter(any_of(f.lang, &request.langs, str::to_lowercase)));
    }
    if !request.sources.is_empty() {
        clauses.push(filter(any_of(f.source, &request.sources, str::to_string)));
    }
    if !request.kinds.is_empty() {
        clauses.push(filter(any_of(f.kind, &request.kinds, str::to_lowercase)));
    }
    if !request.ids.is_empty() {
        clauses.push(filter(any_of(f.id, &request.ids, str::to_string)));
    }
    if request.since.is_some() || request.until.is_some() {
        let bound = |date: Option<DateTime<Utc>>| match date {
            Some(d) => Bound::Included(Term::from_field_date_for_search(
                f.published,
                to_tantivy_date(d),
            )),
            None => Bound::Unbounded,
        };
        let range = RangeQuery::new(bound(request.since), bound(request.until));
        clauses.push(filter(Box::new(range)));
    }
    BooleanQuery::new(clauses)
}

fn to_hit(
    index: &Index,
    address: DocAddress,
    doc: &TantivyDocument,
    score: Score,
    snippets: &mut Snippets,
) -> Result<Hit, IndexError> {
    let f = &index.fields;
    let text = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let url = match text(f.url) {
        url if url.is_empty() => text(f.id),
        url => url,
    };
    let title = text(f.title);
    let body = text(f.body);
    let lang = text(f.lang);
    let snippet = snippets.of(
        address,
        &Texts {
            title: &title,
            body: &body,
        },
    )?;
    Ok(Hit {
        id: text(f.id),
        url,
        snippet,
        title,
        source: text(f.source),
        lang,
        kind: text(f.kind),
        published: doc
            .get_first(f.published)
            .and_then(|v| v.as_datetime())
            .and_then(from_tantivy_date),
        authors: doc
            .get_all(f.authors)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        score,
        story: None,
        duplicate_of: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::snippet::{lead, ELLIPSIS};
    use super::super::tests::{article, date, index_with};
    use super::*;
    use crate::article::Article;

    /// Requests here test matching words as written (folded and stemmed);
    /// the cross-script name path has its own tests in `index::names`.
    fn request(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            exact: true,
            ..SearchRequest::default()
        }
    }

    /// Urls of the hits, in order.
    fn urls(index: &Index, request: &SearchRequest) -> Vec<String> {
        index
            .search(request)
            .expect("search")
            .hits
            .into_iter()
            .map(|h| h.url)
            .collect()
    }

    fn matches(index: &Index, query: &str) -> Vec<String> {
        let mut found = urls(index, &request(query));
        found.sort();
        found
    }

    fn with(a: Article, edit: impl FnOnce(&mut Article)) -> Article {
        let mut a = a;
        edit(&mut a);
        a
    }

    #[test]
    fn turkic_i_variants_find_each_other() {
        let spellings = ["BAKI", "Bakı", "bakı", "Baki"];
        let articles: Vec<Article> = spellings
            .iter()
            .enumerate()
            .map(|(n, s)| {
                article(
                    &format!("https://az.example/{n}"),
                    "Xəbər",
                    &format!("{s} şəhəri"),
                )
            })
            .collect();
        let (_dir, index) = index_with(&articles);
        for query in spellings.iter().chain(&["BAKİ", "title:xəbər AND bakı"]) {
            assert_eq!(matches(&index, query).len(), 4, "query {query:?}");
        }
        assert_eq!(matches(&index, "title:Bakı").len(), 0);
    }

    #[test]
    fn cyrillic_armenian_georgian_case_folding() {
        let (_dir, index) = index_with(&[
            article("https://ru.example/1", "Новогодняя ЁЛКА", "на площади"),
            article("https://hy.example/1", "ԵՐԵՎԱՆԻ քաղաքապետ", "Երևանում"),
            article("https://ka.example/1", "ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ", "თბილისი დედაქალაქია"),
        ]);
        assert_eq!(matches(&index, "елка"), ["https://ru.example/1"]);
        assert_eq!(matches(&index, "Ёлка"), ["https://ru.example/1"]);
        assert_eq!(matches(&index, "երեվանի"), ["https://hy.example/1"]);
        assert_eq!(matches(&index, "ԵՐԵՒԱՆՈՒՄ"), ["https://hy.example/1"]);
        assert_eq!(matches(&index, "საქართველო"), ["https://ka.example/1"]);
        assert_eq!(matches(&index, "ᲗᲑᲘᲚᲘᲡᲘ"), ["https://ka.example/1"]);
    }

    fn boolean_corpus() -> (tempfile::TempDir, Index) {
        index_with(&[
            article(
                "https://x.example/1",
                "Gas pipeline",
                "Azerbaijan gas exports to Europe",
            ),
            article(
                "https://x.example/2",
                "Oil prices",
                "Oil exports from Azerbaijan rose",
            ),
            article(
                "https://x.example/3",
                "Europe talks",
                "Armenia and Europe signed a deal",
            ),
        ])
    }

    #[test]
    fn plain_words_must_all_match() {
        let (_dir, index) = boolean_corpus();
        assert_eq!(
            matches(&index, "azerbaijan exports"),
            ["https://x.example/1", "https://x.example/2"]
        );
        assert_eq!(
            matches(&index, "azerbaijan europe"),
            ["https://x.example/1"]
        );
        assert!(matches(&index, "azerbaijan armenia").is_empty());
    }

    #[test]
    fn phrase_or_not_and_field_queries() {
        let (_dir, index) = boolean_corpus();
        assert_eq!(matches(&index, "\"gas exports\""), ["https://x.example/1"]);
        assert!(matches(&index, "\"exports gas\"").is_empty());
        assert_eq!(
            matches(&index, "armenia OR oil"),
            ["https://x.example/2", "https://x.example/3"]
        );
        assert_eq!(matches(&index, "europe -gas"), ["https://x.example/3"]);
        assert_eq!(
            matches(&index, "europe AND NOT gas"),
            ["https://x.example/3"]
        );
        assert_eq!(matches(&index, "europe NOT gas"), ["https://x.example/3"]);
        assert_eq!(
            matches(&index, "-gas"),
            ["https://x.example/2", "https://x.example/3"]
        );
        assert_eq!(
            matches(&index, "oil OR NOT europe"),
            ["https://x.example/2"]
        );
        assert_eq!(
            matches(&index, "(gas OR oil) AND NOT (armenia OR pipeline)"),
            ["https://x.example/2"]
        );
        assert_eq!(matches(&index, "title:europe"), ["https://x.example/3"]);
        assert_eq!(
            matches(&index, "lang:en AND title:oil"),
            ["https://x.example/2"]
        );
        assert_eq!(matches(&index, "source:test-source").len(), 3);
    }

    #[test]
    fn words_without_letters_are_ignored() {
        let (_dir, index) = boolean_corpus();
        assert_eq!(matches(&index, "europe —"), matches(&index, "europe"));
        assert_eq!(matches(&index, "europe «»").len(), 2);
        assert!(matches(&index, "—").is_empty());
    }

    #[test]
    fn malformed_queries_are_query_errors() {
        let (_dir, index) = boolean_corpus();
        for bad in [
            "title:(",
            "\"unclosed phrase",
            "(gas",
            "nosuchfield:gas",
            "url:x",
        ] {
            match index.search(&request(bad)) {
                Err(IndexError::Query(message)) => {
                    assert!(message.contains("query syntax"), "{bad:?}: {message}");
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn title_matches_rank_first() {
        let (_dir, index) = index_with(&[
            article(
                "https://x.example/body",
                "Weather",
                "Notes on the Shusha festival",
            ),
            article(
                "https://x.example/title",
                "Shusha festival",
                "Notes on the weather",
            ),
        ]);
        assert_eq!(
            urls(&index, &request("shusha"))[0],
            "https://x.example/title"
        );
    }

    fn filter_corpus() -> (tempfile::TempDir, Index) {
        let base = |n: u32, lang: &str, source: &str, day: Option<u32>| {
            with(
                article(&format!("https://f.example/{n}"), "Summit", "summit news"),
                |a| {
                    a.lang = lang.to_string();
                    a.source = source.to_string();
                    a.published = day.map(|d| date(2024, 3, d));
                },
            )
        };
        index_with(&[
            base(1, "az", "apa", Some(1)),
            base(2, "hy", "armenpress", Some(10)),
            base(3, "ru", "apa", Some(20)),
            base(4, "az", "trend", None),
        ])
    }

    #[test]
    fn lang_and_source_filters_take_any_of() {
        let (_dir, index) = filter_corpus();
        let mut r = request("summit");
        r.langs = vec!["az".into()];
        assert_eq!(index.search(&r).expect("search").total, 2);
        r.langs = vec!["AZ".into(), "hy".into()];
        assert_eq!(index.search(&r).expect("search").total, 3);
        r.langs.clear();
        r.sources = vec!["apa".into(), "trend".into()];
        assert_eq!(index.search(&r).expect("search").total, 3);
        r.langs = vec!["ru".into()];
        assert_eq!(urls(&index, &r), ["https://f.example/3"]);
    }

    #[test]
    fn date_filters_are_inclusive_and_skip_undated() {
        let (_dir, index) = filter_corpus();
        let mut r = request("summit");
        r.since = Some(date(2024, 3, 10));
        let mut found = urls(&index, &r);
        found.sort();
        assert_eq!(found, ["https://f.example/2", "https://f.example/3"]);
        r.until = Some(date(2024, 3, 10));
        assert_eq!(urls(&index, &r), ["https://f.example/2"]);
        r.since = None;
        let mut found = urls(&index, &r);
        found.sort();
        assert_eq!(found, ["https://f.example/1", "https://f.example/2"]);
        // The same bound written in the query itself.
        assert_eq!(
            matches(&index, "summit AND published:[2024-03-10T12:00:00Z TO *]"),
            ["https://f.example/2", "https://f.example/3"]
        );
    }

    #[test]
    fn inverted_date_range_matches_nothing() {
        let (_dir, index) = filter_corpus();
        let mut r = request("summit");
        r.since = Some(date(2024, 3, 20));
        r.until = Some(date(2024, 3, 1));
        assert_eq!(index.search(&r).expect("search").total, 0);
    }

    #[test]
    fn sort_by_date_puts_undated_last() {
        let (_dir, index) = filter_corpus();
        let mut r = request("summit");
        r.sort = Sort::Newest;
        assert_eq!(
            urls(&index, &r),
            [
                "https://f.example/3",
                "https://f.example/2",
                "https://f.example/1",
                "https://f.example/4"
            ]
        );
        r.sort = Sort::Oldest;
        assert_eq!(
            urls(&index, &r),
            [
                "https://f.example/1",
                "https://f.example/2",
                "https://f.example/3",
                "https://f.example/4"
            ]
        );
        let hits = index.search(&r).expect("search").hits;
        assert!(hits.iter().all(|h| h.score > 0.0), "date sorts keep scores");
        assert_eq!(hits[0].published, Some(date(2024, 3, 1)));
        assert_eq!(hits[3].published, None);
    }

    #[test]
    fn limit_and_total() {
        let (_dir, index) = filter_corpus();
        let mut r = request("summit");
        r.limit = 2;
        let results = index.search(&r).expect("search");
        assert_eq!((results.total, results.hits.len()), (4, 2));
        r.limit = 0;
        assert_eq!(index.search(&r).expect("search").hits.len(), 4);
        let many: Vec<Article> = (0..15)
            .map(|n| article(&format!("https://m.example/{n}"), "Many", "same words"))
            .collect();
        let (_dir, index) = index_with(&many);
        let results = index.search(&request("same")).expect("search");
        assert_eq!((results.total, results.hits.len()), (15, DEFAULT_LIMIT));
        // Past the first page, on the last page and past the end, the
        // total is the same (counted, or told by a short page).
        let mut r = request("same");
        for (offset, shown) in [(5, 10), (10, 5), (14, 1), (15, 0), (40, 0)] {
            r.offset = offset;
            let results = index.search(&r).expect("search");
            assert_eq!(
                (results.total, results.hits.len()),
                (15, shown),
                "offset {offset}"
            );
        }
        // Two words, one of them also a name's: the same total either way.
        let r = request("same words");
        assert_eq!(index.search(&r).expect("search").total, 15);
    }

    #[test]
    fn blank_query_matches_everything() {
        let (_dir, index) = filter_corpus();
        let mut r = request("  ");
        r.sort = Sort::Newest;
        assert_eq!(index.search(&r).expect("search").total, 4);
    }

    #[test]
    fn hit_carries_stored_fields() {
        let a = with(
            article("https://h.example/canon", "Title here", "Body text"),
            |a| {
                a.url = "https://h.example/fetched?x=1".into();
                a.authors = vec!["Anna Petrosyan".into(), "Ilham Mammadov".into()];
                a.published = Some(date(2024, 2, 29));
                a.lang = "hy".into();
                a.source = "news-am".into();
            },
        );
        let (_dir, index) = index_with(&[a]);
        let hit = index
            .search(&request("petrosyan"))
            .expect("search")
            .hits
            .into_iter()
            .next()
            .expect("one hit");
        assert_eq!(hit.url, "https://h.example/fetched?x=1");
        assert_eq!(hit.title, "Title here");
        assert_eq!((hit.lang.as_str(), hit.source.as_str()), ("hy", "news-am"));
        assert_eq!(hit.authors, ["Anna Petrosyan", "Ilham Mammadov"]);
        assert_eq!(hit.published, Some(date(2024, 2, 29)));
        assert!(hit.score > 0.0);
    }

    #[test]
    fn snippet_marks_the_matched_word_in_context() {
        let filler = "Lorem ipsum dolor sit amet. ".repeat(30);
        let body = format!("{filler}The minister visited   Gəncə\non Monday. {filler}");
        let (_dir, index) = index_with(&[article("https://s.example/1", "Visit", &body)]);
        let hit = index
            .search(&request("gəncə"))
            .expect("search")
            .hits
            .remove(0);
        assert!(hit.snippet.contains("**Gəncə**"), "{}", hit.snippet);
        assert!(
            hit.snippet.contains("visited **Gəncə** on Monday"),
            "{}",
            hit.snippet
        );
        assert!(hit.snippet.starts_with(ELLIPSIS) && hit.snippet.ends_with(ELLIPSIS));
        assert!(
            hit.snippet.chars().count() <= SNIPPET_CHARS + 10,
            "{}",
            hit.snippet
        );
    }

    #[test]
    fn snippet_in_georgian_has_about_the_target_length() {
        let filler = "საქართველოს მთავრობამ განაცხადა ".repeat(40);
        let body = format!("{filler}ბათუმში {filler}");
        let (_dir, index) = index_with(&[article("https://s.example/ka", "ამბები", &body)]);
        let hit = index
            .search(&request("ბათუმში"))
            .expect("search")
            .hits
            .remove(0);
        assert!(hit.snippet.contains("**ბათუმში**"), "{}", hit.snippet);
        let len = hit.snippet.chars().count();
        assert!(
            (SNIPPET_CHARS / 2..=SNIPPET_CHARS + 10).contains(&len),
            "{len}: {}",
            hit.snippet
        );
    }

    #[test]
    fn snippet_falls_back_to_title_then_lead() {
        let (_dir, index) = index_with(&[article(
            "https://s.example/2",
            "Bakı forum opens",
            "Delegates arrived on Monday.",
        )]);
        let hit = index
            .search(&request("baki"))
            .expect("search")
            .hits
            .remove(0);
        assert_eq!(hit.snippet, "**Bakı** forum opens");
        let hit = index.search(&request("")).expect("search").hits.remove(0);
        assert_eq!(hit.snippet, "Delegates arrived on Monday.");
    }

    #[test]
    fn snippet_finds_a_match_past_the_opening() {
        let body = format!(
            "{} The delegation then flew to Nakhchivan for talks.",
            "Delegates arrived on Monday and spoke at length. ".repeat(60)
        );
        let (_dir, index) = index_with(&[article("https://s.example/3", "Forum", &body)]);
        let hit = index
            .search(&request("nakhchivan"))
            .expect("search")
            .hits
            .remove(0);
        assert!(hit.snippet.contains("**Nakhchivan**"), "{}", hit.snippet);
        assert!(hit.snippet.starts_with(ELLIPSIS), "{}", hit.snippet);
    }

    #[test]
    fn snippet_marks_a_stem_match_after_a_word_with_an_apostrophe_suffix() {
        // The Azerbaijani stemmer's words drop "'da", so its positions
        // count one word fewer than the folded field's after "Bakı'da".
        let body = format!(
            "{} Nazir Bakı'da danışıqlar aparıb, sonra Gəncəyə yollanıb.",
            "Hökumət iclası keçirildi. ".repeat(20)
        );
        let (_dir, index) = index_with(&[in_lang("https://s.example/az", "az", "Xəbər", &body)]);
        let hit = index
            .search(&request("Gəncə"))
            .expect("search")
            .hits
            .remove(0);
        assert!(
            hit.snippet.contains("sonra **Gəncəyə** yollanıb"),
            "{}",
            hit.snippet
        );
    }

    #[test]
    fn snippet_shows_the_passage_with_most_of_the_words() {
        let filler = "Delegates spoke at length about the budget. ".repeat(15);
        let body = format!(
            "The minister arrived. {filler}Later the minister met the ambassador in Tbilisi. {filler}"
        );
        let (_dir, index) = index_with(&[article("https://s.example/4", "Talks", &body)]);
        let hit = index
            .search(&request("minister ambassador"))
            .expect("search")
            .hits
            .remove(0);
        assert!(
            hit.snippet.contains("**minister** met the **ambassador**"),
            "{}",
            hit.snippet
        );
        assert!(hit.snippet.starts_with(ELLIPSIS), "{}", hit.snippet);
    }

    #[test]
    fn a_long_lived_index_sees_each_new_commit() {
        let (dir, index) = index_with(&[article("https://s.example/5", "First", "Gəncə")]);
        assert_eq!(index.search(&request("gəncə")).expect("search").total, 1);
        let writing = Index::open_or_create(dir.path()).expect("open");
        let mut writer = writing.writer().expect("writer");
        writer
            .upsert(&article("https://s.example/6", "Second", "Gəncə again"))
            .expect("upsert");
        writer.commit().expect("commit");
        assert_eq!(index.search(&request("gəncə")).expect("search").total, 2);
        assert_eq!(index.num_docs().expect("count"), 2);
    }

    #[test]
    fn lead_cuts_at_a_space() {
        let text = "word ".repeat(100);
        let cut = lead(&text);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= SNIPPET_CHARS + 1);
    }

    /// An article in language `lang` with `body` (and a neutral title).
    fn in_lang(id: &str, lang: &str, title: &str, body: &str) -> Article {
        with(article(id, title, body), |a| a.lang = lang.to_string())
    }

    fn stem_corpus() -> (tempfile::TempDir, Index) {
        index_with(&[
            in_lang("https://az.example/1", "az", "Xəbər", "Bakı şəhəri"),
            in_lang(
                "https://az.example/2",
                "az",
                "Görüş",
                "Prezidentin nümayəndəsi gəldi",
            ),
            in_lang(
                "https://ru.example/1",
                "ru",
                "Новости",
                "Заявление президента России",
            ),
            in_lang("https://hy.example/1", "hy", "Լուրեր", "Երևանում անձրև է"),
            in_lang(
                "https://en.example/1",
                "en",
                "News",
                "The elections were held",
            ),
            in_lang(
                "https://tr.example/1",
                "tr",
                "Haber",
                "Ankara bugün sıcak, cumhurbaşkanının açıklaması",
            ),
            in_lang("https://ka.example/1", "ka", "ამბები", "თბილისში წვიმს"),
        ])
    }

    #[test]
    fn inflected_forms_find_each_other_per_language() {
        let (_dir, index) = stem_corpus();
        for (query, url) in [
            ("Bakıda", "https://az.example/1"),
            ("Bakının", "https://az.example/1"),
            ("BAKIYA", "https://az.example/1"),
            ("prezidentlər", "https://az.example/2"),
            ("prezident", "https://az.example/2"),
            ("президент", "https://ru.example/1"),
            ("президентом", "https://ru.example/1"),
            ("Երևան", "https://hy.example/1"),
            ("Երևանի", "https://hy.example/1"),
            ("election", "https://en.example/1"),
            ("Ankara'da", "https://tr.example/1"),
            ("Ankara’nın", "https://tr.example/1"),
            ("cumhurbaşkanı", "https://tr.example/1"),
        ] {
            assert_eq!(matches(&index, query), [url], "query {query:?}");
        }
        // Words must still all match, each in any of its forms.
        assert_eq!(
            matches(&index, "prezidentlər nümayəndələri"),
            ["https://az.example/2"]
        );
        assert!(matches(&index, "prezidentlər Bakıda").is_empty());
    }

    #[test]
    fn georgian_is_folded_but_not_stemmed() {
        let (_dir, index) = stem_corpus();
        assert_eq!(matches(&index, "თბილისში"), ["https://ka.example/1"]);
        assert_eq!(matches(&index, "ᲗᲑᲘᲚᲘᲡᲨᲘ"), ["https://ka.example/1"]);
        assert!(matches(&index, "თბილისი").is_empty());
    }

    #[test]
    fn folding_traps_survive_stemming() {
        let (_dir, index) = index_with(&[
            in_lang(
                "https://tr.example/1",
                "tr",
                "Haber",
                "CUMHURBAŞKANI konuştu",
            ),
            in_lang("https://az.example/1", "az", "Xəbər", "BAKI limanı"),
            in_lang("https://ru.example/1", "ru", "Новости", "Новогодняя ёлка"),
            in_lang("https://hy.example/1", "hy", "Լուրեր", "ԵՐԵՒԱՆՈՒՄ"),
        ]);
        // Dotted and dotless i in either the document or the query.
        assert_eq!(
            matches(&index, "Cumhurbaşkanının"),
            ["https://tr.example/1"]
        );
        assert_eq!(
            matches(&index, "cumhurbaskaninin").len(),
            0,
            "ş is a letter of its own"
        );
        assert_eq!(matches(&index, "Bakidan"), ["https://az.example/1"]);
        assert_eq!(matches(&index, "İLHAM BAKİDA").len(), 0);
        assert_eq!(matches(&index, "bakıda"), ["https://az.example/1"]);
        // ё and е, the Armenian ligature and its spelled-out capital.
        assert_eq!(matches(&index, "елки"), ["https://ru.example/1"]);
        assert_eq!(matches(&index, "ёлкой"), ["https://ru.example/1"]);
        assert_eq!(matches(&index, "Երևանի"), ["https://hy.example/1"]);
    }

    #[test]
    fn exact_form_ranks_above_stem_only() {
        let (_dir, index) = index_with(&[
            in_lang(
                "https://ru.example/other",
                "ru",
                "Визит",
                "Встреча с президентом прошла",
            ),
            in_lang(
                "https://ru.example/exact",
                "ru",
                "Визит",
                "Встреча для президента прошла",
            ),
            in_lang("https://az.example/other", "az", "Səfər", "Bakıdan xəbər"),
            in_lang("https://az.example/exact", "az", "Səfər", "Bakıya xəbər"),
        ]);
        assert_eq!(
            urls(&index, &request("президента")),
            ["https://ru.example/exact", "https://ru.example/other"]
        );
        assert_eq!(
            urls(&index, &request("Bakıya")),
            ["https://az.example/exact", "https://az.example/other"]
        );
    }

    #[test]
    fn quoted_text_matches_the_exact_form_only() {
        let (_dir, index) = stem_corpus();
        assert!(matches(&index, "\"президент\"").is_empty());
        assert_eq!(matches(&index, "\"президента\""), ["https://ru.example/1"]);
        assert_eq!(
            matches(&index, "\"президента россии\""),
            ["https://ru.example/1"]
        );
    }

    #[test]
    fn field_queries_use_stems_too() {
        let (_dir, index) = stem_corpus();
        assert_eq!(matches(&index, "body:Bakıda"), ["https://az.example/1"]);
        assert!(matches(&index, "title:Bakıda").is_empty());
        assert_eq!(matches(&index, "title:новостям"), ["https://ru.example/1"]);
        assert_eq!(
            matches(&index, "президентом -body:россией"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn langs_limit_the_stemmed_fields_searched() {
        let (_dir, index) = stem_corpus();
        let mut r = request("президентом");
        r.langs = vec!["ru".into()];
        assert_eq!(urls(&index, &r), ["https://ru.example/1"]);
        r.langs = vec!["az".into(), "ka".into()];
        assert!(urls(&index, &r).is_empty());
        // A language without a stemmer still finds exact forms.
        let mut r = request("თბილისში");
        r.langs = vec!["ka".into()];
        assert_eq!(urls(&index, &r), ["https://ka.example/1"]);
    }

    #[test]
    fn other_forms_match_in_their_language_only() {
        // Turkish stems "ise" and "is" alike; the English "is" is not a
        // form of the Turkish word (issue 13: forms are found in the folded
        // fields of every language, but count in their own only).
        let (_dir, index) = index_with(&[
            in_lang("https://en.example/1", "en", "News", "What is new"),
            in_lang("https://tr.example/1", "tr", "Haber", "Bu ise yeni"),
            in_lang("https://tr.example/2", "tr", "Haber", "Bu is yeni"),
        ]);
        let stem = |word| super::super::analysis::stem_words("tr", word);
        assert_eq!(stem("ise"), stem("is"), "the premise of this test");
        assert_eq!(
            matches(&index, "ise"),
            ["https://tr.example/1", "https://tr.example/2"]
        );
    }

    #[test]
    fn many_forms_in_few_documents_still_score() {
        // Three forms of "park" in the one document: their document
        // frequencies add up to more documents than the index has, which
        // BM25 cannot take (regression, issue 13).
        let (_dir, index) = index_with(&[in_lang(
            "https://az.example/park",
            "az",
            "Bakıda yeni park",
            "Parkda uşaqlar, parkın açılışı.",
        )]);
        let hits = index.search(&request("park")).expect("search").hits;
        assert_eq!(hits.len(), 1);
        assert!(hits[0].score.is_finite() && hits[0].score > 0.0);
    }

    #[test]
    fn only_the_languages_of_the_index_are_stemmed() {
        let (_dir, index) = index_with(&[in_lang(
            "https://s.example/ru",
            "ru",
            "Заявление президента",
            "Президент заявил.",
        )]);
        let searcher = index.searcher().expect("searcher");
        let codes = |langs: &[String]| -> Vec<&str> {
            stemmed_languages(&index, langs, &searcher)
                .expect("languages")
                .into_iter()
                .map(|(_, l)| l.code)
                .collect()
        };
        assert_eq!(codes(&[]), ["ru"]);
        assert!(codes(&["en".into()]).is_empty());
        assert_eq!(
            index.search(&request("президент")).expect("search").total,
            1
        );
    }

    #[test]
    fn snippet_marks_a_stem_only_match() {
        let (_dir, index) = stem_corpus();
        let hit = index
            .search(&request("Bakıda"))
            .expect("search")
            .hits
            .remove(0);
        assert_eq!(hit.snippet, "**Bakı** şəhəri");
        let hit = index
            .search(&request("президент"))
            .expect("search")
            .hits
            .remove(0);
        assert_eq!(hit.snippet, "Заявление **президента** России");
    }
}
