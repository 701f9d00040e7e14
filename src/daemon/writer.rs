//! The single index writer: upserts articles as they come and commits in
//! batches (by count or time, never per document). Only after a commit are
//! the frontier entries marked done, so a kill between the two re-indexes
//! (upsert replaces, never duplicates) rather than loses.
//!
//! The loop beats the shared heartbeat on every turn, and turns at least
//! once per commit interval even with nothing to do, so a fresh heartbeat
//! means "the writer is not stuck" (see `notify`).

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
    let mut pending: Vec<Pending> = Vec::new();
    let mut deadline: Option<Instant> = None;
    loop {
        shared.heartbeat.beat();
        let wake = deadline.unwrap_or_else(|| Instant::now() + interval);
        let msg = match tokio::time::timeout_at(wake, rx.recv()).await {
            Ok(m) => m,
            Err(_) if deadline.is_some() => {
                commit(&mut writer, &mut pending, &shared)?;
                deadline = None;
                continue;
            }
            // Idle: nothing to commit, only a heartbeat to give.
            Err(_) => continue,
        };
        let Some(Indexable { article, key }) = msg else {
            break;
        };
        // Tantivy calls are synchronous; keep them off the async workers'
        // hot path without moving the writer between threads.
        tokio::task::block_in_place(|| writer.upsert(&article))?;
        debug!(source = %article.source, url = %article.url, lang = %article.lang, "article added");
        pending.push(Pending {
            key,
            id: article.id,
            source: article.source,
            lang: article.lang,
        });
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

/// An upserted article waiting for the next commit.
struct Pending {
    /// Frontier key of the item it came from.
    key: String,
    /// Document id (canonical URL).
    id: String,
    source: String,
    lang: String,
}

fn commit(
    writer: &mut Writer,
    pending: &mut Vec<Pending>,
    shared: &Shared,
) -> Result<(), IndexError> {
    if pending.is_empty() {
        return Ok(());
    }
    tokio::task::block_in_place(|| writer.commit())?;
    let n = pending.len();
    let done: Vec<(String, String)> = pending
        .iter()
        .map(|p| (p.key.clone(), p.id.clone()))
        .collect();
    if let Err(e) = tokio::task::block_in_place(|| shared.state.mark_indexed(&done, Utc::now())) {
        // The documents are committed; their entries stay queued and will be
        // re-indexed (replaced, not duplicated) on a later pass.
        warn!(error = %e, "cannot mark committed articles as indexed");
    }
    {
        let mut in_flight = shared.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        for p in pending.iter() {
            in_flight.remove(&p.key);
        }
    }
    for p in pending.iter() {
        shared.metrics.indexed(&p.source, &p.lang);
    }
    shared.counters.add_indexed(n as u64);
    shared.status_changed.notify_one();
    info!(documents = n, "index committed");
    pending.clear();
    Ok(())
}
