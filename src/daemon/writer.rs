//! The single index writer: upserts articles as they come and commits in
//! batches (by count or time, never per document). Only after a commit are
//! the frontier entries marked done, so a kill between the two re-indexes
//! (upsert replaces, never duplicates) rather than loses.
//!
//! The loop beats the shared heartbeat on every turn, and turns at least
//! once per commit interval even with nothing to do, so a fresh heartbeat
//! means "the writer is not stuck" (see `notify`).
//!
//! It runs on a thread of its own with a single-threaded runtime for its
//! timers. Tantivy's calls block; run on the shared runtime through
//! `block_in_place`, every call handed the worker's core to a fresh thread,
//! and the dozens of short-lived threads that churned up each took a malloc
//! arena of their own: about half of the daemon's peak memory while
//! indexing (measured with `examples/poll_bench`).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};
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

/// Start the writer on its own thread. The receiver yields its result once
/// the channel's senders are all dropped and the last batch is committed;
/// if the thread cannot start or dies, the receiver reports a closed
/// channel.
pub(super) fn spawn(
    writer: Writer,
    rx: mpsc::Receiver<Indexable>,
    shared: Arc<Shared>,
    batch: usize,
    interval: Duration,
) -> std::io::Result<oneshot::Receiver<Result<(), IndexError>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let (done_tx, done_rx) = oneshot::channel();
    std::thread::Builder::new()
        .name("pressd-writer".into())
        .spawn(move || {
            let result = runtime.block_on(run(writer, rx, shared, batch, interval));
            // The daemon may have gone on to stop; then nobody listens.
            let _ = done_tx.send(result);
        })?;
    Ok(done_rx)
}

async fn run(
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
        writer.upsert(&article)?;
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
    writer.commit()?;
    let n = pending.len();
    let done: Vec<(String, String)> = pending
        .iter()
        .map(|p| (p.key.clone(), p.id.clone()))
        .collect();
    if let Err(e) = shared.state.mark_indexed(&done, Utc::now()) {
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
