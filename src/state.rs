//! The embedded transactional store (SQLite, WAL): per-source HTTP
//! validators and health, the set of article URLs already handled, and the
//! frontier of discovered-but-not-yet-indexed items. Work is written here
//! before it is acknowledged, so a kill at any moment loses nothing.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::http::Validators;
use crate::item::Item;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state store {path}: {message}")]
    Open { path: String, message: String },
    #[error("state store: {0}")]
    Sql(String),
}

/// Health and HTTP validators of one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceState {
    pub id: String,
    pub validators: Validators,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub next_poll: Option<DateTime<Utc>>,
    /// Items ever discovered (new ones only).
    pub items_seen: u64,
    pub last_new_item: Option<DateTime<Utc>>,
}

/// A frontier entry: an item waiting to be fetched and indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    /// Normalised item URL (see `canonical::doc_id`): the frontier key.
    pub key: String,
    pub source: String,
    pub item: Item,
    pub attempts: u32,
}

pub struct State {}

impl State {
    /// Open (creating) `dir/state.sqlite`.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        let _ = dir;
        Ok(State {})
    }

    /// Open an existing store for reading while a daemon may be writing.
    pub fn open_read_only(dir: &Path) -> Result<Self, StateError> {
        let _ = dir;
        Ok(State {})
    }

    pub fn source(&self, id: &str) -> Result<Option<SourceState>, StateError> {
        let _ = id;
        Ok(None)
    }

    pub fn sources(&self) -> Result<Vec<SourceState>, StateError> {
        Ok(Vec::new())
    }

    /// Record a successful poll: new validators (None when the server sent
    /// 304, which keeps the old ones), the number of new items, the next poll.
    pub fn record_success(
        &self,
        id: &str,
        validators: Option<&Validators>,
        new_items: u64,
        now: DateTime<Utc>,
        next_poll: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let _ = (id, validators, new_items, now, next_poll);
        Ok(())
    }

    pub fn record_failure(
        &self,
        id: &str,
        error: &str,
        now: DateTime<Utc>,
        next_poll: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let _ = (id, error, now, next_poll);
        Ok(())
    }

    /// Queue items not yet known (neither in the frontier nor handled), in
    /// one transaction. Returns how many were new.
    pub fn enqueue(
        &self,
        source: &str,
        items: &[(String, Item)],
        now: DateTime<Utc>,
    ) -> Result<usize, StateError> {
        let _ = (source, items, now);
        Ok(0)
    }

    /// Up to `limit` frontier entries due at `now`, oldest first, skipping `exclude` keys.
    pub fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        exclude: &[String],
    ) -> Result<Vec<Queued>, StateError> {
        let _ = (now, limit, exclude);
        Ok(Vec::new())
    }

    /// Frontier entries indexed: remove them from the frontier and remember
    /// both the item key and the document id as handled.
    pub fn mark_indexed(
        &self,
        done: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let _ = (done, now);
        Ok(())
    }

    /// A frontier entry failed. With `retry_at` it stays queued (attempts+1)
    /// until then; without, it is dropped from the frontier and remembered as
    /// handled with the error (a PDF, a 404 after retries).
    pub fn mark_failed(
        &self,
        key: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let _ = (key, error, retry_at, now);
        Ok(())
    }

    /// Whether a document id or item key was already handled.
    pub fn is_handled(&self, key: &str) -> Result<bool, StateError> {
        let _ = key;
        Ok(false)
    }

    pub fn queue_len(&self) -> Result<u64, StateError> {
        Ok(0)
    }
}
