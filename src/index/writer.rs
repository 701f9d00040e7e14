//! The single index writer: turns articles into documents and replaces any
//! earlier document with the same identity (canonical URL).
//!
//! Upserts are buffered by tantivy; nothing is visible to readers or safe
//! from a crash until [`Writer::commit`]. The daemon commits per batch or on
//! a timer, never per document (a commit writes and syncs a segment).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::names::NameWords;
use super::schema::Fields;
use super::IndexError;
use crate::article::Article;

/// Indexing threads of the daemon's writer. News arrives at a few documents
/// a second; one thread keeps up and leaves the cores to fetching and
/// extraction (a second costs some 15 MB of the daemon's peak memory).
pub(super) const THREADS: usize = 1;

/// Indexing threads of a writer that loads an archive: thousands of
/// documents a second, where tantivy's analysis and postings on one thread
/// were the limit (half of an import's CPU time, all on one core). Each
/// commit may then leave two segments, which the merge policy joins.
pub(super) const BULK_THREADS: usize = 2;

/// Memory tantivy may fill before it writes a segment on its own.
pub(super) const MEMORY_BUDGET_BYTES: usize = 50_000_000;

/// Memory of a bulk writer, shared by its [`BULK_THREADS`]. An import
/// commits every 10,000 documents (5,000 when this was chosen), and a
/// thread's half of 50 MB (some 12 KB of postings per news article) could
/// fill before its share of a commit, writing extra small segments that
/// merges then rewrite: 150 MB gave 9 % more articles per CPU-second at
/// 20,000 articles.
pub(super) const BULK_MEMORY_BUDGET_BYTES: usize = 150_000_000;

/// Holds tantivy's writer lock for as long as it lives.
pub struct Writer {
    inner: IndexWriter<TantivyDocument>,
    fields: Fields,
    /// The index directory, for errors.
    dir: PathBuf,
    /// Whether documents get their cross-script name keys (always, but for
    /// benchmarks that measure what the name path costs).
    names: bool,
}

impl Writer {
    pub(super) fn new(inner: IndexWriter<TantivyDocument>, fields: Fields, dir: &Path) -> Self {
        Writer {
            inner,
            fields,
            dir: dir.to_path_buf(),
            names: true,
        }
    }

    /// A writer that leaves the `names` field empty, so that a benchmark can
    /// measure the index size and indexing time the name path costs. An
    /// index written this way finds no other-script spellings.
    pub fn without_names(mut self) -> Self {
        self.names = false;
        self
    }

    /// Add the article, replacing any document with the same id.
    ///
    /// The replacement holds across commits and restarts: the delete is by
    /// the `id` term, which tantivy applies to every earlier segment.
    pub fn upsert(&mut self, article: &Article) -> Result<(), IndexError> {
        let names = if self.names {
            NameWords::of(article)
        } else {
            NameWords::default()
        };
        self.upsert_named(article, &names)
    }

    /// [`Writer::upsert`] with the article's name words found already.
    pub fn upsert_named(&mut self, article: &Article, names: &NameWords) -> Result<(), IndexError> {
        if article.id.is_empty() {
            // An empty id would make every such article replace the last.
            return Err(IndexError::EmptyId {
                path: self.dir.display().to_string(),
                source_id: article.source.clone(),
                title: article.title.clone(),
            });
        }
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &article.id);
        doc.add_text(f.url, &article.url);
        doc.add_text(f.source, &article.source);
        doc.add_text(f.lang, &article.lang);
        doc.add_text(f.kind, article.kind.as_str());
        doc.add_text(f.title, &article.title);
        doc.add_text(f.body, &article.body);
        // The stemmed fields stay empty: search finds other forms of a word
        // in the folded fields (see `forms`), which cost 40 % of an
        // import's CPU to fill.
        for author in &article.authors {
            doc.add_text(f.authors, author);
        }
        if self.names {
            doc.add_text(f.names, names.all());
        }
        if let Some(published) = article.published {
            doc.add_date(f.published, to_tantivy_date(published));
        }
        doc.add_date(f.fetched, to_tantivy_date(article.fetched));

        self.inner
            .delete_term(Term::from_field_text(f.id, &article.id));
        self.inner
            .add_document(doc)
            .map_err(|e| IndexError::tantivy(&self.dir, format!("add {}", article.id), e))?;
        Ok(())
    }

    /// Make everything upserted so far durable and visible to readers.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.inner
            .commit()
            .map_err(|e| IndexError::tantivy(&self.dir, "commit", e))?;
        Ok(())
    }

    /// Drop everything upserted since the last commit.
    pub fn rollback(&mut self) -> Result<(), IndexError> {
        self.inner
            .rollback()
            .map_err(|e| IndexError::tantivy(&self.dir, "roll back", e))?;
        Ok(())
    }

    /// Release the writer after letting background merges finish, so that
    /// a clean shutdown leaves no half-merged segment files behind. Anything
    /// not committed is dropped.
    pub fn close(self) -> Result<(), IndexError> {
        self.inner
            .wait_merging_threads()
            .map_err(|e| IndexError::tantivy(&self.dir, "wait for merges", e))
    }
}

pub(super) fn to_tantivy_date(date: DateTime<Utc>) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(date.timestamp())
}

pub(super) fn from_tantivy_date(date: tantivy::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(date.into_timestamp_secs(), 0)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{article, index_with};
    use super::super::{Index, SearchRequest};

    fn search_all(index: &Index, query: &str) -> usize {
        let request = SearchRequest {
            query: query.to_string(),
            ..SearchRequest::default()
        };
        index.search(&request).expect("search").total
    }

    #[test]
    fn upsert_twice_keeps_one_document() {
        let first = article("https://a.example/x", "Old title", "old body");
        let second = article("https://a.example/x", "New title", "new body");
        let (_dir, index) = index_with(&[first, second]);
        assert_eq!(index.num_docs().expect("count"), 1);
        assert_eq!(search_all(&index, "new"), 1);
        assert_eq!(search_all(&index, "old"), 0);
    }

    #[test]
    fn upsert_replaces_across_commits_and_reopen() {
        let (dir, index) = index_with(&[article("https://a.example/x", "First", "alpha")]);
        drop(index);
        let index = Index::open_or_create(dir.path()).expect("reopen");
        let mut writer = index.writer().expect("writer");
        writer
            .upsert(&article("https://a.example/x", "Second", "beta"))
            .expect("upsert");
        writer.commit().expect("commit");
        assert_eq!(index.num_docs().expect("count"), 1);
        assert_eq!(search_all(&index, "beta"), 1);
        assert_eq!(search_all(&index, "alpha"), 0);
    }

    #[test]
    fn uncommitted_documents_are_invisible_and_rollback_drops_them() {
        let (_dir, index) = index_with(&[]);
        let mut writer = index.writer().expect("writer");
        writer
            .upsert(&article("https://a.example/1", "Pending", "text"))
            .expect("upsert");
        assert_eq!(index.num_docs().expect("count"), 0);
        writer.rollback().expect("rollback");
        writer.commit().expect("commit");
        assert_eq!(index.num_docs().expect("count"), 0);
    }

    #[test]
    fn empty_id_is_refused() {
        let (_dir, index) = index_with(&[]);
        let mut writer = index.writer().expect("writer");
        let err = writer
            .upsert(&article("", "No id", "text"))
            .expect_err("must fail");
        assert!(err.to_string().contains("empty id"), "{err}");
    }

    #[test]
    fn concurrent_reader_sees_each_commit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let writing = Index::open_or_create(dir.path()).expect("create");
        let mut writer = writing.writer().expect("writer");
        let reading = Index::open_read(dir.path()).expect("open read");
        assert_eq!(reading.num_docs().expect("count"), 0);

        writer
            .upsert(&article("https://a.example/1", "Tbilisi", "first"))
            .expect("upsert");
        writer.commit().expect("commit");
        assert_eq!(reading.num_docs().expect("count"), 1);
        assert_eq!(search_all(&reading, "tbilisi"), 1);

        writer
            .upsert(&article("https://a.example/2", "Tbilisi again", "second"))
            .expect("upsert");
        writer.commit().expect("commit");
        assert_eq!(search_all(&reading, "tbilisi"), 2);
        writer.close().expect("close");
    }
}
