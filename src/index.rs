//! The Tantivy index: schema, analyzers, the writer, and search. Only this
//! module (and `state`) touches disk.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::article::Article;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The query text could not be parsed; the message says where and why.
    #[error("invalid query: {0}")]
    Query(String),
    #[error("index at {path}: {message}")]
    Open { path: String, message: String },
    #[error("index: {0}")]
    Tantivy(String),
}

/// An opened index (for writing or reading).
pub struct Index {}

impl Index {
    /// Open the index in `dir`, creating it when absent.
    pub fn open_or_create(dir: &Path) -> Result<Self, IndexError> {
        let _ = dir;
        Ok(Index {})
    }

    /// Open an existing index for reading only (works while a daemon writes).
    pub fn open_read(dir: &Path) -> Result<Self, IndexError> {
        let _ = dir;
        Ok(Index {})
    }

    /// The single writer. Fails if another process holds the writer lock.
    pub fn writer(&self) -> Result<Writer, IndexError> {
        Ok(Writer {})
    }

    /// Number of documents in the last committed state.
    pub fn num_docs(&self) -> Result<u64, IndexError> {
        Ok(0)
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        let _ = request;
        Ok(SearchResults::default())
    }
}

pub struct Writer {}

impl Writer {
    /// Add the article, replacing any document with the same id.
    pub fn upsert(&mut self, article: &Article) -> Result<(), IndexError> {
        let _ = article;
        Ok(())
    }

    /// Make everything upserted so far durable and visible to readers.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    /// ISO 639-1 codes; empty = all.
    pub langs: Vec<String>,
    /// Source ids; empty = all.
    pub sources: Vec<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub sort: Sort,
    pub limit: usize,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SearchResults {
    /// Number of matching documents (not just those returned).
    pub total: usize,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub url: String,
    pub title: String,
    pub source: String,
    pub lang: String,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub snippet: String,
    pub score: f32,
}
