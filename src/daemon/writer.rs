//! The single index writer: upserts articles as they come and commits in
//! batches (by count or time, never per document). Only after a commit are
//! the frontier entries marked done, so a kill between the two re-indexes
//! (upsert replaces, never duplicates) rather than loses.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::Shared;
use crate::article::Article;
use crate::index::{IndexError, Writer};

/// An article and the frontier key of the item it came from.
pub(super) struct Indexable {
    pub article: Article,
    pub key: String,
}

pub(super) async fn run(
    mut writer: Writer,
    mut rx: mpsc::Receiver<Indexable>,
    shared: Arc<Shared>,
    batch: usize,
    interval: Duration,
) -> Result<(), IndexError> {
    let mut pending: Vec<(String, String)> = Vec::new();
    let mut deadline: Option<Instant> = None;
    loop {
        let msg = match deadline {
            Some(at) => match tokio::time::timeout_at(at, rx.recv()).await {
                Ok(m) => m,
                Err(_) => {
                    commit(&mut writer, &mut pending, &shared)?;
                    deadline = None;
                    continue;
                }
            },
            None => rx.recv().await,
        };
        let Some(Indexable { article, key }) = msg else {
            break;
        };
        // Tantivy calls are synchronous; keep them off the async workers'
        // hot path without moving the writer between threads.
        tokio::task::block_in_place(|| writer.upsert(&article))?;
        debug!(source = %article.source, url = %article.url, lang = %article.lang, "article added");
        pending.push((key, article.id));
        deadline.get_or_insert_with(|| Instant::now() + interval);
        if pending.len() >= batch {
            commit(&mut writer, &mut pending, &shared)?;
            deadline = None;
        }
    }
    // The writer is dropped without waiting for background merges: on a
    // large index they can take longer than a service stop may, and tantivy
    // discards an unfinished merge safely (its files are collected later).
    commit(&mut writer, &mut pending, &shared)
}

fn commit(
    writer: &mut Writer,
    pending: &mut Vec<(String, String)>,
    shared: &Shared,
) -> Result<(), IndexError> {
    if pending.is_empty() {
        return Ok(());
    }
    tokio::task::block_in_place(|| writer.commit())?;
    let n = pending.len();
    if let Err(e) = tokio::task::block_in_place(|| shared.state.mark_indexed(pending, Utc::now())) {
        // The documents are committed; their entries stay queued and will be
        // re-indexed (replaced, not duplicated) on a later pass.
        warn!(error = %e, "cannot mark committed articles as indexed");
    }
    {
        let mut in_flight = shared.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        for (key, _) in pending.iter() {
            in_flight.remove(key);
        }
    }
    shared
        .counters
        .indexed
        .fetch_add(n as u64, Ordering::Relaxed);
    info!(documents = n, "index committed");
    pending.clear();
    Ok(())
}
