//! The single index writer: upserts articles as they come and commits in
//! batches (by count or time, never per document). Only after a commit are
//! the frontier entries marked done (and the documents listed for the
//! watches, in the same transaction), so a kill between the two re-indexes
//! (upsert replaces, never duplicates) rather than loses.
//!
//! A commit also comes once no article has arrived for [`LINGER`]: a lone
//! new article is searchable a moment after it is extracted rather than a
//! whole commit interval later, while a steady flow still commits by count
//! or interval.
//!
//! The loop beats the heartbeat on every turn, and turns at least once per
//! commit interval even with nothing to do, so a fresh heartbeat means "the
//! writer is not stuck" (see `notify`).
//!
//! A write that fails (a full disk) is a storage fault (see `storage`). A
//! one-round run ends with it. The daemon keeps the uncommitted articles in
//! memory, stops taking new ones (fetchers wait on the full channel), and
//! retries with back-off: it opens a fresh tantivy writer (a failed commit
//! leaves the old one dead), adds the kept articles again and commits.
//!
//! Each article added is also given its story (see `crate::stories`); a
//! batch's story records are stored after its commit and before its
//! frontier entries are marked done, so they follow the index through a
//! kill as the entries do. (A batch of thousands, an import's, is stored
//! in parts as it is assigned, before the commit: a kill then indexes
//! those articles again, and they keep the stories stored.)
//!
//! It runs on a thread of its own with a single-threaded runtime for its
//! timers. Tantivy's calls block; run on the shared runtime through
//! `block_in_place`, every call handed the worker's core to a fresh thread,
//! and the dozens of short-lived threads that churned up each took a malloc
//! arena of their own: about half of the daemon's peak memory while
//! indexing (measured with `examples/poll_bench`).

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::storage::Store;
use super::telemetry::Telemetry;
use super::work::Work;
use crate::article::Article;
use crate::index::names::NameWords;
use crate::index::{Index, IndexError, Writer};
use crate::state::State;
use crate::stories::signature::Signature;
use crate::stories::Stories;
use crate::watch::Watches;

/// The first wait before writing again after a storage fault; it doubles
/// up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(60);
/// How long committed entries whose completion could not be recorded are
/// kept from being fetched again.
pub(super) const HOLD_UNRECORDED: Duration = Duration::from_secs(60);

/// An article and the frontier key of the item it came from.
pub(super) struct Indexable {
    pub article: Article,
    /// What its text alone gives, found before it reaches the writer.
    pub analysis: Analysis,
    pub key: String,
    /// New coverage, which watches may fire for: not an article read from
    /// an archive (`pressd import`), last year's coverage being no news to
    /// notify a desk of.
    pub news: bool,
}

/// What the writer needs of an article that its text alone gives (pure):
/// its name words (the names field and the story signature) and its story
/// signature. Found where the article is made, on the pipeline's threads
/// and in parallel, so that the one writer thread only indexes, looks up
/// and decides: it is the one part of an import that does not run in
/// parallel, and these were half of its time with stories on.
pub(super) struct Analysis {
    pub names: NameWords,
    /// `None` when stories are off.
    pub signature: Option<Signature>,
}

impl Analysis {
    pub fn of(article: &Article, stories: bool) -> Analysis {
        let names = NameWords::of(article);
        let signature = stories.then(|| crate::stories::sign(article, &names));
        Analysis { names, signature }
    }
}

/// What the writer needs, besides the articles.
pub(super) struct WriterTask {
    /// Where a fresh writer comes from after a failed one.
    pub index: Arc<Index>,
    pub state: Arc<State>,
    pub work: Arc<Work>,
    pub telemetry: Arc<Telemetry>,
    pub batch: usize,
    pub interval: Duration,
    /// Commit [`LINGER`] after the last article when no more come (for
    /// freshness); a bulk load commits by count and interval only.
    pub linger: bool,
    /// Retry after a storage fault (the daemon) rather than end with it.
    pub retry: bool,
    /// The run is stopping: give up retrying (the work stays queued).
    pub cancel: CancellationToken,
    /// Told after each commit is recorded, so that watches look at the
    /// new documents at once.
    pub watches: Arc<Watches>,
    /// The story assigner; `None` when stories are turned off. Used by
    /// the writer's thread only (the lock is never contended).
    pub stories: Option<std::sync::Mutex<Stories>>,
}

/// Start the writer on its own thread. The receiver yields its result once
/// the channel's senders are all dropped and the last batch is committed;
/// if the thread cannot start or dies, the receiver reports a closed
/// channel.
pub(super) fn spawn(
    task: WriterTask,
    writer: Writer,
    rx: mpsc::Receiver<Indexable>,
) -> std::io::Result<oneshot::Receiver<Result<(), IndexError>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let (done_tx, done_rx) = oneshot::channel();
    std::thread::Builder::new()
        .name("pressd-writer".into())
        .spawn(move || {
            let result = runtime.block_on(run(task, writer, rx));
            // The daemon may have gone on to stop; then nobody listens.
            let _ = done_tx.send(result);
        })?;
    Ok(done_rx)
}

/// How long the writer waits for more articles after the last one before
/// it commits what it holds (never later than the commit interval after the
/// first): longer than the gaps of a busy flow, short against a poll
/// interval.
const LINGER: Duration = Duration::from_millis(200);

async fn run(
    task: WriterTask,
    writer: Writer,
    mut rx: mpsc::Receiver<Indexable>,
) -> Result<(), IndexError> {
    // `None` after a failure: the dead writer is dropped (it holds the
    // index's writer lock) before a fresh one is opened.
    let mut writer = Some(writer);
    let mut pending: Vec<Indexable> = Vec::new();
    let mut deadline: Option<Instant> = None;
    let mut last_added = Instant::now();
    loop {
        task.telemetry.heartbeat.beat();
        let wake = match (deadline, task.linger) {
            (Some(d), true) => d.min(last_added + LINGER),
            (Some(d), false) => d,
            (None, _) => Instant::now() + task.interval,
        };
        let msg = match tokio::time::timeout_at(wake, rx.recv()).await {
            Ok(m) => m,
            Err(_) if deadline.is_some() => {
                commit_or_recover(&task, &mut writer, &mut pending).await?;
                deadline = None;
                continue;
            }
            // Idle: nothing to commit, only a heartbeat to give.
            Err(_) => continue,
        };
        let Some(mut item) = msg else {
            break;
        };
        match upsert(&task, &mut writer, &mut item) {
            Ok(()) => {}
            Err(IndexError::EmptyId { .. }) => {
                skip(&task, &item);
                continue;
            }
            Err(e) => {
                pending.push(item);
                recover(&task, &mut writer, &pending, e).await?;
                // Its upsert failed before it was given a story.
                if let Some(item) = pending.last_mut() {
                    assign(&task, item);
                }
                done(&task, &mut pending);
                deadline = None;
                continue;
            }
        }
        debug!(source = %item.article.source, url = %item.article.url, lang = %item.article.lang, "article added");
        pending.push(item);
        last_added = Instant::now();
        deadline.get_or_insert_with(|| last_added + task.interval);
        if pending.len() >= task.batch {
            commit_or_recover(&task, &mut writer, &mut pending).await?;
            deadline = None;
        }
    }
    // The writer is dropped without waiting for background merges: on a
    // large index they can take longer than a service stop may, and tantivy
    // discards an unfinished merge safely (its files are collected later).
    commit_or_recover(&task, &mut writer, &mut pending).await?;
    save_story_filter(&task);
    Ok(())
}

/// Keep the story filter for the next start (which otherwise builds it
/// from every stored feature). A failure only costs that next start the
/// building.
fn save_story_filter(task: &WriterTask) {
    let Some(stories) = &task.stories else {
        return;
    };
    let stories = stories.lock().unwrap_or_else(PoisonError::into_inner);
    if let Err(e) = stories.save_filter() {
        warn!(error = %e, "story filter not saved; the next start builds it");
    }
}

fn upsert(
    task: &WriterTask,
    writer: &mut Option<Writer>,
    item: &mut Indexable,
) -> Result<(), IndexError> {
    open(task, writer)?.upsert_named(&item.article, &item.analysis.names)?;
    assign(task, item);
    Ok(())
}

/// Give the article its story. A store that cannot be read leaves the
/// article without one until it is indexed again (a storage fault, told
/// like the others).
fn assign(task: &WriterTask, item: &mut Indexable) {
    let Some(stories) = &task.stories else {
        return;
    };
    let mut stories = stories.lock().unwrap_or_else(PoisonError::into_inner);
    // Signed by the pipeline when stories are on (taken: it is stored with
    // the story record); made here otherwise.
    let assigned = match item.analysis.signature.take() {
        Some(signature) => stories.assign_signed(&item.article, signature),
        None => stories.assign_named(&item.article, &item.analysis.names),
    };
    if let Err(e) = assigned {
        warn!(url = %item.article.url, error = %e, "story not assigned");
        task.telemetry.storage.fail(Store::State, &e);
    }
}

/// Store the stories of the committed batch.
fn flush_stories(task: &WriterTask) -> Result<(), crate::state::StateError> {
    match &task.stories {
        Some(stories) => stories
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush(),
        None => Ok(()),
    }
}

/// The writer, a fresh one if the last failed.
fn open<'a>(task: &WriterTask, slot: &'a mut Option<Writer>) -> Result<&'a mut Writer, IndexError> {
    let writer = match slot.take() {
        Some(w) => w,
        None => task.index.writer()?,
    };
    Ok(slot.insert(writer))
}

/// An article that cannot be indexed at all: recorded as failed, not retried.
fn skip(task: &WriterTask, item: &Indexable) {
    warn!(source = %item.article.source, title = %item.article.title, "article without an id; skipped");
    if let Err(e) = task
        .state
        .mark_failed(&item.key, "no canonical URL", None, Utc::now())
    {
        task.telemetry.storage.fail(Store::State, &e);
        task.work.hold(&item.key, HOLD_UNRECORDED);
        return;
    }
    task.work.release(&item.key);
}

/// Commit what is pending; on a storage fault, recover (or end the run).
async fn commit_or_recover(
    task: &WriterTask,
    writer: &mut Option<Writer>,
    pending: &mut Vec<Indexable>,
) -> Result<(), IndexError> {
    if pending.is_empty() {
        return Ok(());
    }
    match open(task, writer).and_then(Writer::commit) {
        Ok(()) => task.telemetry.storage.ok(Store::Index),
        Err(e) => recover(task, writer, pending, e).await?,
    }
    done(task, pending);
    Ok(())
}

/// After the failure `error` with `pending` upserted but not committed:
/// end the run with it, or retry until `pending` is committed (or the run
/// stops, which leaves them queued).
async fn recover(
    task: &WriterTask,
    writer: &mut Option<Writer>,
    pending: &[Indexable],
    error: IndexError,
) -> Result<(), IndexError> {
    task.telemetry.storage.fail(Store::Index, &error);
    if !task.retry {
        return Err(error);
    }
    let mut last = error;
    let mut wait = FIRST_RETRY;
    loop {
        // The dead writer goes first: it holds the index's writer lock.
        *writer = None;
        if !sleep_beating(task, wait).await {
            warn!(
                documents = pending.len(),
                "stopping during a storage fault; the uncommitted articles stay queued"
            );
            return Err(last);
        }
        wait = (wait * 2).min(MAX_RETRY);
        let attempt = open(task, writer).and_then(|w| {
            for item in pending {
                w.upsert(&item.article)?;
            }
            w.commit()
        });
        match attempt {
            Ok(()) => {
                task.telemetry.storage.ok(Store::Index);
                return Ok(());
            }
            Err(e) => {
                debug!(error = %e, retry_in_s = wait.as_secs(), "index still not writable");
                task.telemetry.storage.fail(Store::Index, &e);
                last = e;
            }
        }
    }
}

/// Sleep for `wait`, beating the heartbeat (a writer waiting out a full
/// disk is not stuck: restarting the service would not help). `false` if
/// the run stopped meanwhile.
async fn sleep_beating(task: &WriterTask, wait: Duration) -> bool {
    let until = Instant::now() + wait;
    loop {
        task.telemetry.heartbeat.beat();
        let now = Instant::now();
        if now >= until {
            return true;
        }
        let step = (until - now).min(task.interval);
        tokio::select! {
            _ = task.cancel.cancelled() => return false,
            _ = tokio::time::sleep(step) => {}
        }
    }
}

/// `pending` is committed: mark its entries done and count them.
fn done(task: &WriterTask, pending: &mut Vec<Indexable>) {
    let n = pending.len();
    let done: Vec<(String, String)> = pending
        .iter()
        .map(|p| (p.key.clone(), p.article.id.clone()))
        .collect();
    // The committed documents are listed for the watches in the same
    // transaction that marks their entries done: a kill between the commit
    // and this leaves the entries queued, to be indexed and listed again.
    // With no watch configured nothing is listed: a watch created later
    // starts after the last listed document anyway.
    let news: Vec<&str> = if task.watches.all().is_empty() {
        Vec::new()
    } else {
        pending
            .iter()
            .filter(|p| p.news)
            .map(|p| p.article.id.as_str())
            .collect()
    };
    // Stories first: a kill between the two indexes the batch again, and
    // its stored articles keep their stories.
    let recorded =
        flush_stories(task).and_then(|()| task.state.mark_committed(&done, &news, Utc::now()));
    match recorded {
        Ok(()) => {
            task.watches.committed();
            task.telemetry.storage.ok(Store::State);
            task.work
                .release_all(pending.iter().map(|p| p.key.as_str()));
        }
        Err(e) => {
            // The documents are committed; their entries stay queued and
            // will be indexed again (replaced, not duplicated), once the
            // store can be written again.
            task.telemetry.storage.fail(Store::State, &e);
            for p in pending.iter() {
                task.work.hold(&p.key, HOLD_UNRECORDED);
            }
        }
    }
    for p in pending.iter() {
        task.telemetry
            .metrics
            .indexed(&p.article.source, &p.article.lang);
    }
    task.telemetry.counters.add_indexed(n as u64);
    task.telemetry.status_changed();
    info!(documents = n, "index committed");
    pending.clear();
}
