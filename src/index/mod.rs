//! The Tantivy index: schema, analysis, the single writer, and search. Only
//! this module (and `state`) touches disk; it knows nothing of HTTP, feeds or
//! the daemon, and takes language codes as plain strings.
//!
//! One process writes (the daemon, through [`Index::writer`], guarded by
//! tantivy's lock file); any number of processes read at the same time
//! ([`Index::open_read`]) and each search sees the latest commit.
//!
//! - [`schema`]: fields, field handles, schema version.
//! - [`analysis`]: the folding analyzer used for title, body and authors at
//!   index and at query time, and the stemming analyzers the schema's
//!   (no longer filled) stemmed fields name.
//! - `forms`: the other forms of a query word, found in the folded term
//!   dictionaries by their stem.
//! - [`stem`]: which languages are stemmed and how; [`az_stem`], the
//!   Azerbaijani stemmer.
//! - [`writer`]: upsert by canonical URL, commit.
//! - [`search`]: query parsing, filters, sort orders, snippets.
//! - [`counts`]: counts of the documents a search matches, by time, source,
//!   language and kind, from aggregations (for `pressd coverage`).

pub mod analysis;
pub mod az_stem;
pub mod counts;
mod flatten;
mod forms;
pub mod names;
mod reader;
pub mod schema;
pub mod search;
mod snippet;
pub mod stem;
pub mod writer;

use std::path::{Path, PathBuf};

use tantivy::directory::error::OpenDirectoryError;
use tantivy::directory::MmapDirectory;
use tantivy::{IndexReader, ReloadPolicy, TantivyError};

pub use counts::{CountField, Counter, FirstArticle, Overview, RangeCounts};
pub use schema::{Fields, SCHEMA_VERSION};
pub use search::{
    check_syntax, Hit, SearchRequest, SearchResults, Sort, HIGHLIGHT_END, HIGHLIGHT_START,
};
pub use writer::Writer;

/// Why the index could not be opened, written or searched. Every variant
/// but `Query` names the index directory; the causes of `Tantivy` and
/// `Io` are their sources (print the chain, `{:#}` with anyhow).
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The query text could not be parsed; the message says where and why.
    #[error("invalid query: {0}")]
    Query(String),
    /// The index cannot be used as it is; the message says why and what to do.
    #[error("index at {path}: {message}")]
    Open { path: String, message: String },
    /// Tantivy failed while doing `action` ("commit", "search", "open a
    /// reader", ...).
    #[error("index at {path}: {action}")]
    Tantivy {
        path: String,
        action: String,
        #[source]
        source: TantivyError,
    },
    /// A file of the index directory could not be read or written.
    #[error("index at {path}: {action}")]
    Io {
        path: String,
        action: String,
        #[source]
        source: std::io::Error,
    },
    /// Another process (a running daemon) holds the index's writer lock.
    #[error(
        "index at {path}: another pressd is writing to this index directory (its writer lock \
         is held); stop that process or point this one at another index directory"
    )]
    Locked { path: String },
    /// An article without an identity: indexing it would replace every
    /// other such article.
    #[error("index at {path}: an article of source {source_id:?} titled {title:?} has an empty id (canonical URL); not indexed")]
    EmptyId {
        path: String,
        source_id: String,
        title: String,
    },
}

impl IndexError {
    /// A tantivy failure in `dir` while doing `action`.
    fn tantivy(dir: &Path, action: impl Into<String>, source: impl Into<TantivyError>) -> Self {
        IndexError::Tantivy {
            path: dir.display().to_string(),
            action: action.into(),
            source: source.into(),
        }
    }

    /// An I/O failure in `dir` while doing `action`.
    fn io(dir: &Path, action: impl Into<String>, source: std::io::Error) -> Self {
        IndexError::Io {
            path: dir.display().to_string(),
            action: action.into(),
            source,
        }
    }

    fn open(dir: &Path, message: impl Into<String>) -> Self {
        IndexError::Open {
            path: dir.display().to_string(),
            message: message.into(),
        }
    }
}

/// An opened index (for writing or reading).
pub struct Index {
    dir: PathBuf,
    index: tantivy::Index,
    fields: Fields,
    /// Brought up to date before every search, so a long-lived `Index`
    /// still sees the commits another process (or another `Index`) made
    /// since.
    reader: reader::Reader,
}

impl Index {
    /// Open the index in `dir`, creating it (and `dir`) when absent.
    ///
    /// Fails with [`IndexError::Open`] when `dir` holds an index of another
    /// schema version.
    pub fn open_or_create(dir: &Path) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| IndexError::io(dir, "cannot create directory", e))?;
        let directory = open_directory(dir)?;
        let exists = tantivy::Index::exists(&directory)
            .map_err(|e| IndexError::tantivy(dir, "cannot read index metadata", e))?;
        if !exists {
            // The version goes first: an index without it would be taken for
            // one of unknown age at the next start.
            schema::write_version(dir)?;
            let (tantivy_schema, _) = schema::build();
            let index = tantivy::Index::create(
                directory,
                tantivy_schema,
                tantivy::IndexSettings::default(),
            )
            .map_err(|e| IndexError::tantivy(dir, "cannot create index", e))?;
            return Self::from_tantivy(dir, index);
        }
        let index = tantivy::Index::open(directory)
            .map_err(|e| IndexError::tantivy(dir, "cannot open index", e))?;
        check_compatible(dir, &index)?;
        if schema::read_version(dir)?.is_none() {
            schema::write_version(dir)?;
        }
        Self::from_tantivy(dir, index)
    }

    /// Open an existing index for reading only (works while a daemon writes).
    pub fn open_read(dir: &Path) -> Result<Self, IndexError> {
        let no_index = || {
            IndexError::open(
                dir,
                "no index exists yet here; run `pressd run` first to build it",
            )
        };
        if !dir.is_dir() {
            return Err(no_index());
        }
        let directory = open_directory(dir)?;
        let exists = tantivy::Index::exists(&directory)
            .map_err(|e| IndexError::tantivy(dir, "cannot read index metadata", e))?;
        if !exists {
            return Err(no_index());
        }
        let index = tantivy::Index::open(directory)
            .map_err(|e| IndexError::tantivy(dir, "cannot open index", e))?;
        check_compatible(dir, &index)?;
        Self::from_tantivy(dir, index)
    }

    fn from_tantivy(dir: &Path, index: tantivy::Index) -> Result<Self, IndexError> {
        analysis::register(&index);
        let fields = resolve_fields(dir, &index)?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| IndexError::tantivy(dir, "cannot open a reader", e))?;
        Ok(Index {
            dir: dir.to_path_buf(),
            index,
            fields,
            reader: reader::Reader::new(reader),
        })
    }

    /// The directory this index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The single writer. Fails with [`IndexError::Locked`] if another
    /// process holds the writer lock.
    pub fn writer(&self) -> Result<Writer, IndexError> {
        self.writer_with(writer::THREADS, writer::MEMORY_BUDGET_BYTES)
    }

    /// The single writer, for loading many documents at once (an import):
    /// analysis and postings on two threads.
    pub fn bulk_writer(&self) -> Result<Writer, IndexError> {
        self.writer_with(writer::BULK_THREADS, writer::BULK_MEMORY_BUDGET_BYTES)
    }

    fn writer_with(&self, threads: usize, budget: usize) -> Result<Writer, IndexError> {
        match self.index.writer_with_num_threads(threads, budget) {
            Ok(inner) => Ok(Writer::new(inner, self.fields, &self.dir)),
            Err(TantivyError::LockFailure(tantivy::directory::error::LockError::LockBusy, _)) => {
                Err(IndexError::Locked {
                    path: self.dir.display().to_string(),
                })
            }
            Err(e) => Err(IndexError::tantivy(&self.dir, "cannot open the writer", e)),
        }
    }

    /// Number of documents in the last committed state.
    pub fn num_docs(&self) -> Result<u64, IndexError> {
        Ok(self.searcher()?.num_docs())
    }

    /// A searcher of the last committed state.
    fn searcher(&self) -> Result<tantivy::Searcher, IndexError> {
        self.reader.searcher(&self.dir)
    }

    /// Run `request` against the last committed state; the query syntax,
    /// sort orders and snippet format are described in the [`search`](mod@search) module.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        search::run(self, request)
    }
}

fn open_directory(dir: &Path) -> Result<MmapDirectory, IndexError> {
    MmapDirectory::open(dir).map_err(|e| match e {
        OpenDirectoryError::DoesNotExist(_) => IndexError::open(
            dir,
            "no index exists yet here; run `pressd run` first to build it",
        ),
        OpenDirectoryError::NotADirectory(_) => IndexError::open(dir, "not a directory"),
        other => IndexError::tantivy(dir, "cannot open directory", other),
    })
}

/// Refuses an index written with another schema: reading it would give wrong
/// answers and writing to it would mix two kinds of document.
fn check_compatible(dir: &Path, index: &tantivy::Index) -> Result<(), IndexError> {
    let rebuild = "move the directory aside and run `pressd run` to build a new index";
    if let Some(found) = schema::read_version(dir)? {
        if found != SCHEMA_VERSION {
            return Err(IndexError::open(
                dir,
                format!(
                    "index has schema version {found}, this pressd uses version \
                     {SCHEMA_VERSION}; {rebuild}"
                ),
            ));
        }
    }
    let (expected, _) = schema::build();
    if index.schema() != expected {
        return Err(IndexError::open(
            dir,
            format!(
                "index schema differs from the one this pressd uses (version \
                 {SCHEMA_VERSION}); {rebuild}"
            ),
        ));
    }
    Ok(())
}

/// Field handles of the opened index, looked up by name so they stay right
/// even if the on-disk field order ever differs from [`schema::build`].
fn resolve_fields(dir: &Path, index: &tantivy::Index) -> Result<Fields, IndexError> {
    let schema = index.schema();
    let field = |name: &str| {
        schema
            .get_field(name)
            .map_err(|_| IndexError::open(dir, format!("index has no field {name:?}")))
    };
    Ok(Fields {
        id: field("id")?,
        url: field("url")?,
        source: field("source")?,
        lang: field("lang")?,
        kind: field("kind")?,
        title: field("title")?,
        body: field("body")?,
        authors: field("authors")?,
        published: field("published")?,
        fetched: field("fetched")?,
        names: field("names")?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::article::Article;

    /// An article with everything but the text set to plain defaults.
    pub(crate) fn article(id: &str, title: &str, body: &str) -> Article {
        Article {
            id: id.to_string(),
            url: id.to_string(),
            source: "test-source".to_string(),
            lang: "en".to_string(),
            title: title.to_string(),
            body: body.to_string(),
            published: None,
            fetched: date(2024, 5, 1),
            authors: Vec::new(),
            kind: crate::item::ItemKind::Article,
        }
    }

    pub(crate) fn date(year: i32, month: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    /// A fresh index holding `articles`, committed.
    pub(crate) fn index_with(articles: &[Article]) -> (tempfile::TempDir, Index) {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = Index::open_or_create(dir.path()).expect("create index");
        let mut writer = index.writer().expect("writer");
        for a in articles {
            writer.upsert(a).expect("upsert");
        }
        writer.commit().expect("commit");
        (dir, index)
    }

    #[test]
    fn index_and_writer_can_move_between_threads() {
        fn shared<T: Send + Sync>() {}
        fn movable<T: Send>() {}
        shared::<Index>();
        movable::<Writer>();
    }

    #[test]
    fn creates_index_and_records_schema_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nested/index");
        let index = Index::open_or_create(&path).expect("create");
        assert_eq!(index.num_docs().expect("count"), 0);
        assert_eq!(
            schema::read_version(&path).expect("version"),
            Some(SCHEMA_VERSION)
        );
    }

    #[test]
    fn open_read_without_index_says_to_run_the_daemon() {
        let dir = tempfile::tempdir().expect("temp dir");
        for path in [dir.path().to_path_buf(), dir.path().join("missing")] {
            let err = Index::open_read(&path).err().expect("must fail");
            let message = err.to_string();
            assert!(matches!(err, IndexError::Open { .. }), "{message}");
            assert!(message.contains("no index exists yet"), "{message}");
            assert!(message.contains("pressd run"), "{message}");
        }
    }

    #[test]
    fn a_failure_names_the_directory_and_keeps_its_cause() {
        use std::error::Error;
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("not-a-directory");
        std::fs::write(&file, "x").expect("write");
        let err = Index::open_or_create(&file).err().expect("must fail");
        assert!(matches!(err, IndexError::Io { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(&file.display().to_string()), "{message}");
        assert!(message.contains("cannot create directory"), "{message}");
        let cause = err.source().expect("the I/O error is the source");
        assert!(
            cause.downcast_ref::<std::io::Error>().is_some(),
            "{cause:?}"
        );
        // Told once: the message does not repeat its cause.
        assert!(!message.contains(&cause.to_string()), "{message}");
    }

    #[test]
    fn other_schema_version_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        drop(Index::open_or_create(dir.path()).expect("create"));
        std::fs::write(dir.path().join(schema::VERSION_FILE), "999\n").expect("write");
        for result in [
            Index::open_or_create(dir.path()),
            Index::open_read(dir.path()),
        ] {
            let message = result.err().expect("must fail").to_string();
            assert!(message.contains("schema version 999"), "{message}");
        }
    }

    #[test]
    fn index_of_the_unstemmed_schema_is_refused_with_the_move_aside_hint() {
        let dir = tempfile::tempdir().expect("temp dir");
        drop(Index::open_or_create(dir.path()).expect("create"));
        // Version 1 had no stemmed fields.
        std::fs::write(dir.path().join(schema::VERSION_FILE), "1\n").expect("write");
        let message = Index::open_or_create(dir.path())
            .err()
            .expect("must fail")
            .to_string();
        assert!(message.contains("schema version 1"), "{message}");
        assert!(message.contains("move the directory aside"), "{message}");
    }

    #[test]
    fn reopen_after_commit_sees_documents() {
        let (dir, index) = index_with(&[
            article("https://a.example/1", "One", "first"),
            article("https://a.example/2", "Two", "second"),
        ]);
        drop(index);
        let reopened = Index::open_or_create(dir.path()).expect("reopen");
        assert_eq!(reopened.num_docs().expect("count"), 2);
        let reader = Index::open_read(dir.path()).expect("open read");
        assert_eq!(reader.num_docs().expect("count"), 2);
    }

    #[test]
    fn second_writer_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = Index::open_or_create(dir.path()).expect("create");
        let _writer = first.writer().expect("first writer");
        let second = Index::open_or_create(dir.path()).expect("open again");
        let err = second.writer().err().expect("second writer must fail");
        assert!(matches!(err, IndexError::Locked { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains("another pressd is writing to this index directory"),
            "{message}"
        );
        assert!(
            message.contains(&dir.path().display().to_string()),
            "{message}"
        );
    }

    /// Set in the child process of [`another_process_writes_while_we_read`].
    const CHILD_DIR_VAR: &str = "PRESSD_INDEX_TEST_CHILD_DIR";

    fn wait_for(path: &Path) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !path.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {path:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// The writing side of [`another_process_writes_while_we_read`]; does
    /// nothing when run as an ordinary test.
    #[test]
    fn child_process_writer() {
        let Some(dir) = std::env::var_os(CHILD_DIR_VAR).map(PathBuf::from) else {
            return;
        };
        let index = Index::open_or_create(&dir).expect("create");
        let mut writer = index.writer().expect("writer");
        writer
            .upsert(&article("https://p.example/1", "Yerevan", "from the child"))
            .expect("upsert");
        writer.commit().expect("commit");
        std::fs::write(dir.join("child-committed"), "").expect("signal");
        wait_for(&dir.join("parent-done"));
    }

    #[test]
    fn another_process_writes_while_we_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "index::tests::child_process_writer",
                "--test-threads=1",
            ])
            .env(CHILD_DIR_VAR, dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn child");
        wait_for(&dir.path().join("child-committed"));

        let reader = Index::open_read(dir.path()).expect("open read while child writes");
        assert_eq!(reader.num_docs().expect("count"), 1);
        let hits = reader
            .search(&SearchRequest {
                query: "yerevan".into(),
                ..SearchRequest::default()
            })
            .expect("search");
        assert_eq!(hits.total, 1);
        let message = reader
            .writer()
            .err()
            .expect("lock held by child")
            .to_string();
        assert!(message.contains("another pressd is writing"), "{message}");

        std::fs::write(dir.path().join("parent-done"), "").expect("signal");
        assert!(child.wait().expect("child exit").success());
        reader.writer().expect("lock free once the child exited");
    }

    #[test]
    fn writer_lock_is_released_on_drop() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = Index::open_or_create(dir.path()).expect("create");
        drop(index.writer().expect("first writer"));
        index.writer().expect("writer after the first is dropped");
    }
}
