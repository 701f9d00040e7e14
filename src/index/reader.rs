//! The index as searches see it: the last committed state, and the
//! collection statistics that BM25 scoring needs.
//!
//! Every search must see the commits made since the last one, by this
//! process or another (a daemon writing while `pressd search` or the web
//! page reads). Reopening the index for each search does that, but costs
//! more than many searches: every segment's term dictionaries are opened
//! again. So the reader reloads only when the index's `meta.json` (which
//! tantivy replaces at each commit, and which names every segment and its
//! deletes) differs from the one it last loaded.
//!
//! BM25 also needs each field's total number of tokens, which tantivy sums
//! over the segments for every term of every query (a word is looked up in
//! a dozen fields); the sums are kept here until the searcher changes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{IndexReader, Searcher, Term};

use super::IndexError;

/// The file tantivy rewrites at each commit, listing the live segments.
const META_FILE: &str = "meta.json";

pub(super) struct Reader {
    reader: IndexReader,
    /// `meta.json` as it was when the reader last reloaded; empty before.
    loaded: Mutex<Vec<u8>>,
    tokens: Mutex<Tokens>,
}

/// Total tokens per field in one searcher generation.
#[derive(Default)]
struct Tokens {
    generation: u64,
    per_field: HashMap<Field, u64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // What the mutexes guard is a cache, valid whatever a panicking
    // holder left in it (at worst one extra reload).
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Reader {
    pub fn new(reader: IndexReader) -> Self {
        Reader {
            reader,
            loaded: Mutex::new(Vec::new()),
            tokens: Mutex::new(Tokens::default()),
        }
    }

    /// A searcher of the last committed state of the index in `dir`.
    pub fn searcher(&self, dir: &Path) -> Result<Searcher, IndexError> {
        // Unreadable metadata (mid-replace on some file systems) just means
        // reloading, which reads it again the way tantivy does.
        let meta = std::fs::read(dir.join(META_FILE)).unwrap_or_default();
        let mut loaded = lock(&self.loaded);
        if meta.is_empty() || *loaded != meta {
            self.reader
                .reload()
                .map_err(|e| IndexError::tantivy(dir, "reload the reader", e))?;
            *loaded = meta;
        }
        Ok(self.reader.searcher())
    }

    /// The statistics for scoring a query on `searcher`.
    pub fn statistics<'a>(&'a self, searcher: &'a Searcher) -> Statistics<'a> {
        Statistics {
            searcher,
            tokens: &self.tokens,
            doc_freqs: HashMap::new(),
        }
    }
}

/// [`Bm25StatisticsProvider`] of one searcher, with the token totals kept
/// for the next searches on the same generation.
pub(super) struct Statistics<'a> {
    searcher: &'a Searcher,
    tokens: &'a Mutex<Tokens>,
    /// Document frequencies that replace the index's for these terms: the
    /// other forms of a query word are scored as one word, as a stemmed
    /// field scored its stem (see `search`).
    doc_freqs: HashMap<Term, u64>,
}

impl Statistics<'_> {
    /// These statistics with `doc_freqs` in place of the index's own for
    /// their terms.
    pub fn with_doc_freqs(mut self, doc_freqs: HashMap<Term, u64>) -> Self {
        self.doc_freqs = doc_freqs;
        self
    }
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let generation = self.searcher.generation().generation_id();
        {
            let mut tokens = lock(self.tokens);
            if tokens.generation != generation {
                tokens.generation = generation;
                tokens.per_field.clear();
            }
            if let Some(&total) = tokens.per_field.get(&field) {
                return Ok(total);
            }
        }
        let total = self.searcher.total_num_tokens(field)?;
        let mut tokens = lock(self.tokens);
        if tokens.generation == generation {
            tokens.per_field.insert(field, total);
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(&doc_freq) = self.doc_freqs.get(term) {
            return Ok(doc_freq);
        }
        self.searcher.doc_freq(term)
    }
}
