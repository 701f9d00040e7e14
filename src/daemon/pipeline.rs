//! Turns frontier entries into articles: fetch the page, decode, extract,
//! tag the language, find what the writer needs of its text (its name
//! words and story signature), hand the article to the writer.
//!
//! The dispatcher reads due entries from the state store (the frontier lives
//! on disk, not in memory) and hands them to jobs, each with its host's
//! next start reserved from the HTTP client, which alone knows when a host
//! may be asked and keeps at most `pipeline.concurrency` requests on the
//! wire. A failed fetch is recorded on its entry: transient failures retry
//! later with a growing delay, permanent ones (a PDF, a 404) are recorded and
//! skipped. An entry leaves the frontier only when its document is committed.
//!
//! The CPU work of a page (decoding, extraction, language) runs on the
//! blocking pool, a few pages at a time ([`cpu_slots`]): inline it held the
//! runtime's worker threads, so that a burst of pages delayed every
//! request's start and every poll behind it, and it competed unbounded
//! with the index writer's thread.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use chrono::Utc;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use url::Url;

use super::registry::Registry;
use super::storage::Store;
use super::telemetry::Telemetry;
use super::work::Work;
use super::writer::{Analysis, Indexable, HOLD_UNRECORDED};
use super::Mode;
use crate::article::Article;
use crate::canonical::doc_id;
use crate::config::PipelineSettings;
use crate::http::{Client, Expect, FetchError, Fetched, HostKey, Reservation};
use crate::item::{post_title, ItemKind};
use crate::lang::{Detector, Hints};
use crate::state::{Due, Queued, State, StateError};

/// How often the dispatcher looks at the frontier when nothing wakes it
/// (retries that came due, work left by an earlier run).
const IDLE_CHECK: Duration = Duration::from_secs(2);

/// Due entries read from the frontier at once. Large enough to span many
/// hosts (a feed's items are queued together, so the oldest few hundred
/// entries may all be one outlet's), small enough to read in milliseconds.
/// Only keys and hosts are held (see [`State::due_keys`]): some 2 MB.
///
/// [`State::due_keys`]: crate::state::State::due_keys
const BACKLOG_WINDOW: usize = 16_384;

/// Jobs run per request allowed on the wire (`pipeline.concurrency`, held
/// by the client). A job first waits for its host's turn, and a host's
/// first page also waits for its robots.txt and one more turn: jobs that
/// only wait must not keep the slots from hosts that could be asked now.
/// With as many jobs as slots, a 10,000-feed first cycle spent its first
/// 90 s at a fifth of the politeness-bound rate (poll_bench).
const JOBS_PER_REQUEST: usize = 4;

/// The backlog is read afresh this often while it has entries, so that
/// newer work and retries that came due join it.
const BACKLOG_REFRESH: Duration = Duration::from_secs(1);

/// ...and sooner when a poll queued new work: a new article should not
/// wait a full refresh behind entries whose hosts are not free yet, but a
/// first cycle's thousands of polls must not reread the backlog for each.
const NEW_WORK_REFRESH: Duration = Duration::from_millis(100);

/// A host's next start is reserved this long before it comes, and its job
/// waits for it in the HTTP client, so that the request goes out at that
/// moment rather than a dispatcher wake-up and a job start later: the
/// spacing counts from real starts, so every late start would push all of
/// the host's later ones back. Waiting jobs hold no request slot.
const LOOKAHEAD: Duration = Duration::from_millis(50);

/// Due frontier entries grouped by host, handed out round-robin to hosts
/// that can take a request now (as the HTTP client says, see
/// [`Client::try_reserve`]): one slow or well-spaced host never holds the
/// dispatcher's slots while others wait.
#[derive(Default)]
struct Backlog {
    /// Frontier keys by host; `None` for posts, which need no fetch.
    by_host: HashMap<Option<HostKey>, VecDeque<String>>,
    hosts: VecDeque<Option<HostKey>>,
    len: usize,
    loaded: Option<Instant>,
    /// A poll queued work since the backlog was read.
    new_work: bool,
    /// The last read filled the whole window: newer work sorts behind it,
    /// so queuing some is no reason to read again sooner. (An import queues
    /// work without pause; reading 16,000 rows every 100 ms for it was a
    /// third of the import's CPU.)
    full: bool,
}

impl Backlog {
    /// Queued work that the backlog's next read would take in.
    fn new_work_waits(&self) -> bool {
        self.new_work && !self.full
    }

    fn stale(&self) -> bool {
        let Some(loaded) = self.loaded else {
            return true;
        };
        let since = loaded.elapsed();
        if self.len == 0 {
            // Everything read is handed out: only queued work or time can
            // bring more. Reading again on every finished job instead read
            // all the entries in flight each time (an import keeps
            // thousands in flight until their commit).
            return self.new_work || since >= BACKLOG_REFRESH;
        }
        let refresh = if self.new_work_waits() {
            NEW_WORK_REFRESH
        } else {
            BACKLOG_REFRESH
        };
        since >= refresh
    }

    /// Replace the backlog by the oldest due entries not in flight (only
    /// those that carry their content when draining).
    fn reload(&mut self, state: &State, work: &Work, mode: Mode) {
        let exclude = work.busy();
        let due = match mode {
            Mode::Drain => state.due_carried_keys(Utc::now(), BACKLOG_WINDOW, &exclude),
            _ => state.due_keys(Utc::now(), BACKLOG_WINDOW, &exclude),
        };
        let entries = match due {
            Ok(e) => e,
            Err(e) => {
                warn!(error = %e, "cannot read the frontier");
                return;
            }
        };
        *self = Backlog {
            loaded: Some(Instant::now()),
            full: entries.len() >= BACKLOG_WINDOW,
            ..Backlog::default()
        };
        for entry in entries {
            let host = host_of(&entry);
            if !self.by_host.contains_key(&host) {
                self.hosts.push_back(host.clone());
            }
            self.by_host.entry(host).or_default().push_back(entry.key);
            self.len += 1;
        }
    }

    /// Up to `n` entries whose hosts can take a request now, one host after
    /// another, each with its host's start reserved (`None` for posts); and
    /// when the earliest skipped host is free again.
    fn take(&mut self, client: &Client, n: usize) -> (Vec<Booked>, Option<Instant>) {
        let mut taken = Vec::new();
        let mut next_free: Option<Instant> = None;
        let now = Instant::now();
        let by = now + LOOKAHEAD;
        let mut visited = 0;
        while taken.len() < n && visited < self.hosts.len() {
            let Some(host) = self.hosts.pop_front() else {
                break;
            };
            // Reserved here, not in the job: the next host checked may be
            // this one again. Posts need no fetch and no turn.
            let ready = match &host {
                None => Ok(None),
                Some(key) => client.try_reserve(key, by).map(Some),
            };
            match ready {
                Ok(turn) => {
                    visited = 0;
                    if let Some(key) = self.by_host.get_mut(&host).and_then(VecDeque::pop_front) {
                        taken.push(Booked { key, turn });
                        self.len -= 1;
                    }
                }
                Err(next) => {
                    visited += 1;
                    let wake = next.at.checked_sub(LOOKAHEAD).unwrap_or(now);
                    if wake > now {
                        next_free = Some(next_free.map_or(wake, |n| n.min(wake)));
                    }
                }
            }
            if self.by_host.get(&host).is_some_and(|q| !q.is_empty()) {
                self.hosts.push_back(host);
            } else {
                self.by_host.remove(&host);
            }
        }
        (taken, next_free)
    }
}

/// An entry handed out, with its host's start reserved (`None` for a
/// post); dropped unused, the start goes back to the host.
struct Booked {
    key: String,
    turn: Option<Reservation>,
}

/// The host an entry is fetched from; `None` for an entry that needs no
/// fetch (a post, an imported article), and for a URL that does not parse
/// (stored from a parsed URL, so never; reading the entry would fail before
/// any request).
fn host_of(entry: &Due) -> Option<HostKey> {
    if !entry.fetch {
        return None;
    }
    Url::parse(&entry.url).ok().map(|u| HostKey::of(&u))
}

/// Pages extracted at once: all cores but one, which is left to the
/// runtime (requests, polls) and the index writer; at least one. A drain
/// (`pressd import`) makes no requests and polls nothing, and its pages
/// take every core: the writer's channel holds them back when it falls
/// behind. With one slot on two cores an archive of HTML pages was
/// imported at the pace of one extracting thread (1,603 pages a second
/// against 2,033 with two, `import_bench`), and each article's story
/// signature lengthened that one path.
pub(super) fn cpu_slots(mode: Mode) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match mode {
        Mode::Drain => cores,
        Mode::Forever | Mode::Once => cores.saturating_sub(1).max(1),
    }
}

/// What the dispatcher and its jobs need.
pub(super) struct Dispatcher {
    pub client: Client,
    /// One permit per page being extracted ([`cpu_slots`]).
    pub cpu: Arc<Semaphore>,
    pub detector: Detector,
    pub settings: PipelineSettings,
    pub state: Arc<State>,
    pub registry: Arc<Registry>,
    pub work: Arc<Work>,
    pub telemetry: Arc<Telemetry>,
}

impl Dispatcher {
    /// Hand due entries to jobs until `cancel` (or, in [`Mode::Once`] and
    /// [`Mode::Drain`], until the round's work is done); dropping `tx` at
    /// the end lets the writer finish.
    pub(super) async fn run(
        self,
        tx: mpsc::Sender<Indexable>,
        mode: Mode,
        cancel: CancellationToken,
        polls_done: CancellationToken,
    ) {
        dispatch(Arc::new(self), tx, mode, cancel, polls_done).await;
    }

    /// `article` with what the writer needs of its text (see [`Analysis`]),
    /// found here, where the article is made, in parallel with the others.
    fn analysed(&self, article: Article) -> (Article, Analysis) {
        let analysis = Analysis::of(&article, self.settings.stories);
        (article, analysis)
    }

    /// A state write for `entry` failed: a storage fault, and the entry
    /// waits before it is handed out again (the store still shows it due).
    fn unrecorded(&self, entry: &Queued, error: &StateError) {
        self.telemetry.storage.fail(Store::State, error);
        self.work.hold(&entry.key, HOLD_UNRECORDED);
    }
}

async fn dispatch(
    job: Arc<Dispatcher>,
    tx: mpsc::Sender<Indexable>,
    mode: Mode,
    cancel: CancellationToken,
    polls_done: CancellationToken,
) {
    let limit = job.settings.concurrency * JOBS_PER_REQUEST;
    let mut jobs = JoinSet::new();
    let mut backlog = Backlog::default();
    // Whether the backlog was read after the last poll ended, so that items
    // the last poll queued are in it.
    let mut read_after_polls = false;
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let polling_over = polls_done.is_cancelled();
        let free = limit.saturating_sub(jobs.len());
        let mut started = 0;
        let mut next_free = None;
        // A drain's work is queued by an import reading alongside, which
        // wakes nobody: while it reads, an empty backlog is read again
        // soon, not after IDLE_CHECK (every import started with two idle
        // seconds, its first records queued just after the first read).
        let fed_soon = mode == Mode::Drain && !polling_over && backlog.len == 0;
        let feed_due = fed_soon
            && backlog
                .loaded
                .is_none_or(|loaded| loaded.elapsed() >= NEW_WORK_REFRESH);
        if free > 0 {
            if backlog.stale() || (polling_over && !read_after_polls) || feed_due {
                backlog.reload(&job.state, &job.work, mode);
                read_after_polls = polling_over;
            }
            let (entries, wake) = backlog.take(&job.client, free);
            next_free = wake;
            for booked in entries {
                let entry = match job.state.queued(&booked.key) {
                    Ok(Some(entry)) => entry,
                    other => {
                        // Gone (indexed meanwhile under another link of the
                        // story) or unreadable: the host's turn goes back
                        // as `booked` is dropped.
                        if let Err(e) = other {
                            warn!(key = %booked.key, error = %e, "cannot read a frontier entry");
                        }
                        continue;
                    }
                };
                job.work.claim(&entry.key);
                jobs.spawn(process(
                    job.clone(),
                    entry,
                    booked.turn,
                    tx.clone(),
                    cancel.clone(),
                ));
                started += 1;
            }
        }
        // Entries handed to the writer stay excluded until committed, so with
        // no job running and nothing due, this round's work is done.
        if mode != Mode::Forever
            && polling_over
            && read_after_polls
            && started == 0
            && jobs.is_empty()
            && backlog.len == 0
        {
            break;
        }
        if started > 0 && jobs.len() < limit {
            continue;
        }
        let mut idle = next_free.map_or(IDLE_CHECK, |t| {
            t.saturating_duration_since(Instant::now()).min(IDLE_CHECK)
        });
        if let (true, true, Some(loaded)) =
            (backlog.new_work_waits(), jobs.len() < limit, backlog.loaded)
        {
            // New work waits for the backlog's next read, not longer (with
            // every job busy, a finishing job wakes the loop anyway).
            idle = idle.min(NEW_WORK_REFRESH.saturating_sub(loaded.elapsed()));
        }
        if let (true, true, Some(loaded)) = (fed_soon, jobs.len() < limit, backlog.loaded) {
            idle = idle.min(NEW_WORK_REFRESH.saturating_sub(loaded.elapsed()));
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            Some(_) = jobs.join_next(), if !jobs.is_empty() => {}
            _ = job.work.wait_queued() => backlog.new_work = true,
            _ = polls_done.cancelled(), if !polling_over => {}
            _ = tokio::time::sleep(idle) => {}
        }
    }
    // On cancel, in-flight fetches stop at their next await point; their
    // entries stay in the frontier for the next start.
    while jobs.join_next().await.is_some() {}
    drop(tx);
}

/// Fetch one entry and send its article to the writer, or record why not.
/// `turn`: the host's start reserved by the dispatcher, which the fetch
/// goes in.
async fn process(
    job: Arc<Dispatcher>,
    entry: Queued,
    turn: Option<Reservation>,
    tx: mpsc::Sender<Indexable>,
    cancel: CancellationToken,
) {
    let outcome = tokio::select! {
        _ = cancel.cancelled() => {
            job.work.release(&entry.key);
            return;
        }
        o = fetch_article(&job, &entry, turn) => o,
    };
    // An imported article was not fetched: no fetch to count.
    let fetched = !entry.item.is_carried();
    match outcome {
        Ok(Some((article, analysis))) => {
            if fetched {
                job.telemetry.metrics.article_fetched(&entry.source, "ok");
            }
            let msg = Indexable {
                article,
                analysis,
                key: entry.key.clone(),
                news: fetched,
            };
            tokio::select! {
                _ = cancel.cancelled() => { job.work.release(&entry.key); }
                r = tx.send(msg) => if r.is_err() { job.work.release(&entry.key); }
            }
        }
        Ok(None) => {
            if fetched {
                job.telemetry
                    .metrics
                    .article_fetched(&entry.source, "duplicate");
            }
            // Same document already indexed through another link.
            match job
                .state
                .mark_indexed(&[(entry.key.clone(), entry.key.clone())], Utc::now())
            {
                Ok(()) => job.work.release(&entry.key),
                Err(e) => {
                    warn!(url = %entry.item.url, error = %e, "cannot record duplicate");
                    job.unrecorded(&entry, &e);
                }
            }
        }
        Err(failure) => {
            let outcome = record_failure(&job, &entry, failure);
            if fetched {
                job.telemetry
                    .metrics
                    .article_fetched(&entry.source, outcome);
            }
        }
    }
}

struct Failure {
    message: String,
    transient: bool,
    /// The server (or the client's pause of its host) said when to return.
    retry_after: Option<Duration>,
    /// A refusal the site asked for (robots.txt): not worth a warning.
    expected: bool,
}

impl Failure {
    fn permanent(message: String) -> Failure {
        Failure {
            message,
            transient: false,
            retry_after: None,
            expected: false,
        }
    }
}

impl From<FetchError> for Failure {
    fn from(e: FetchError) -> Failure {
        Failure {
            transient: e.is_transient(),
            retry_after: e.retry_after(),
            expected: matches!(e, FetchError::RobotsDisallowed { .. }),
            message: e.to_string(),
        }
    }
}

/// Record a failed fetch on its entry; returns "retry" or "skipped".
/// The entry is let go, or held if its failure could not be recorded.
fn record_failure(job: &Dispatcher, entry: &Queued, failure: Failure) -> &'static str {
    let now = Utc::now();
    let attempts = entry.attempts + 1;
    let retry_at = (failure.transient && attempts < job.settings.max_attempts).then(|| {
        let backoff = job
            .settings
            .retry_delay
            .saturating_mul(1 << attempts.min(16).saturating_sub(1));
        let delay = failure
            .retry_after
            .map_or(backoff, |after| after.max(backoff));
        now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX)
    });
    match retry_at {
        Some(at) => {
            debug!(source = %entry.source, url = %entry.item.url, attempts, retry_at = %at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), error = %failure.message, "article fetch failed; will retry")
        }
        None if failure.expected => {
            job.telemetry.counters.add_failed();
            debug!(source = %entry.source, url = %entry.item.url, error = %failure.message, "article skipped");
        }
        None => {
            job.telemetry.counters.add_failed();
            warn!(source = %entry.source, url = %entry.item.url, attempts, error = %failure.message, "article skipped");
        }
    }
    match job
        .state
        .mark_failed(&entry.key, &failure.message, retry_at, now)
    {
        Ok(()) => job.work.release(&entry.key),
        Err(e) => {
            warn!(url = %entry.item.url, error = %e, "cannot record article failure");
            job.unrecorded(entry, &e);
        }
    }
    if retry_at.is_some() {
        "retry"
    } else {
        "skipped"
    }
}

/// Fetch, extract, tag and analyse, the fetch in `turn`; an entry that
/// carries its page or its text (an imported article) is not fetched.
/// `Ok(None)` when the page turns out to be a document that is already
/// indexed (reached through another link).
async fn fetch_article(
    job: &Arc<Dispatcher>,
    entry: &Queued,
    turn: Option<Reservation>,
) -> Result<Option<(Article, Analysis)>, Failure> {
    let item = &entry.item;
    if item.kind == ItemKind::Post {
        return post_article(job, entry).map(|a| Some(job.analysed(a)));
    }
    if item.html.is_some() {
        return on_cpu(job, entry, |job, entry| {
            let item = &entry.item;
            let html = item.html.as_deref().unwrap_or_default();
            let extracted = crate::extract::extract(html, Some(&item.url));
            page_article(job, entry, extracted, &item.url).map(|a| a.map(|a| job.analysed(a)))
        })
        .await;
    }
    if let Some(text) = &item.text {
        return carried_article(job, entry, text).map(|a| Some(job.analysed(a)));
    }
    let reach = job.registry.reach(&entry.source, &job.client).await;
    let client = match turn {
        Some(turn) => job.client.in_turn(turn),
        None => job.client.clone(),
    };
    let fetched = client
        .get_guarded(&item.url, None, Expect::Html, reach)
        .await;
    let response = match fetched {
        Ok(Fetched::Ok(r)) => r,
        Ok(Fetched::NotModified) => {
            return Err(Failure {
                transient: true,
                ..Failure::permanent(format!("{}: unexpected 304 Not Modified", item.url))
            })
        }
        Err(e) => return Err(Failure::from(e)),
    };
    on_cpu(job, entry, move |job, entry| {
        let html = crate::charset::decode_html(&response.body, response.charset.as_deref());
        let extracted = crate::extract::extract(&html, Some(&response.url));
        // Counted before any decision on the page: a source whose pages all
        // come out empty must be flagged even if feed summaries stand in.
        // Only for pages fetched now: an archive's pages say nothing of the
        // source as it is today.
        if let Err(e) = job
            .state
            .record_extraction(&entry.source, extracted.body.trim().is_empty())
        {
            warn!(source = %entry.source, error = %e, "cannot record extraction outcome");
            job.telemetry.storage.fail(Store::State, &e);
        }
        job.registry.check_health(&entry.source);
        page_article(job, entry, extracted, &response.url).map(|a| a.map(|a| job.analysed(a)))
    })
    .await
}

/// Run `work` on the blocking pool once a CPU slot is free (see the
/// module's doc). A panic in it (a page that trips the extractor) fails
/// this entry alone.
async fn on_cpu<T, F>(job: &Arc<Dispatcher>, entry: &Queued, work: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&Dispatcher, &Queued) -> Result<T, Failure> + Send + 'static,
{
    // Never closed: an error would only mean going ahead unbounded.
    let _slot = job.cpu.acquire().await.ok();
    let (owner, own) = (Arc::clone(job), entry.clone());
    match tokio::task::spawn_blocking(move || work(&owner, &own)).await {
        Ok(result) => result,
        Err(e) => Err(Failure::permanent(format!(
            "{}: extraction failed: {e}",
            entry.item.url
        ))),
    }
}

/// The article of a page at `page_url` (where it was fetched from, or the
/// URL an archive gives it), falling back on what the item knows. `Ok(None)`
/// when the page's identity is a document already indexed.
fn page_article(
    job: &Dispatcher,
    entry: &Queued,
    extracted: crate::extract::Extracted,
    page_url: &Url,
) -> Result<Option<Article>, Failure> {
    let item = &entry.item;
    let id = doc_id(&identity_url(extracted.canonical_url.as_ref(), page_url));
    if id != entry.key && job.state.is_handled(&id).unwrap_or(false) {
        return Ok(None);
    }

    let title = extracted
        .title
        .or_else(|| item.title.clone())
        .unwrap_or_default();
    let body = if extracted.body.trim().is_empty() {
        item.summary.clone().unwrap_or_default()
    } else {
        extracted.body
    };
    if title.trim().is_empty() && body.trim().is_empty() {
        return Err(Failure::permanent(format!(
            "{page_url}: no title and no text could be extracted"
        )));
    }
    let page_lang = extracted.html_lang.or(extracted.og_locale);
    let lang = article_lang(job, entry, &title, &body, page_lang.as_deref());
    Ok(Some(Article {
        // Show the clean canonical link, not the tracking link that led here.
        url: id.clone(),
        id,
        source: entry.source.clone(),
        lang,
        title,
        body,
        published: extracted.published.or(item.published),
        fetched: Utc::now(),
        authors: if extracted.authors.is_empty() {
            item.authors.clone()
        } else {
            extracted.authors
        },
        kind: ItemKind::Article,
    }))
}

/// An article that carries its plain text (an archive's record): the
/// document as the record gives it, its language detected with the
/// record's as a hint.
fn carried_article(job: &Dispatcher, entry: &Queued, body: &str) -> Result<Article, Failure> {
    let item = &entry.item;
    let title = item.title.clone().unwrap_or_default();
    if title.trim().is_empty() && body.trim().is_empty() {
        return Err(Failure::permanent(format!(
            "{}: the article has no title and no text",
            item.url
        )));
    }
    let lang = article_lang(job, entry, &title, body, None);
    let id = doc_id(&item.url);
    Ok(Article {
        url: id.clone(),
        id,
        source: entry.source.clone(),
        lang,
        title,
        body: body.to_string(),
        published: item.published,
        fetched: Utc::now(),
        authors: item.authors.clone(),
        kind: ItemKind::Article,
    })
}

/// The language of an article's title and body, with what the page
/// (`page_lang`), the item (a feed's or a record's declaration) and the
/// source's settings say as hints.
fn article_lang(
    job: &Dispatcher,
    entry: &Queued,
    title: &str,
    body: &str,
    page_lang: Option<&str>,
) -> String {
    let source_lang = job.registry.get(&entry.source).and_then(|s| s.lang.clone());
    let text = format!("{title}\n{body}");
    job.detector
        .detect(
            &text,
            &Hints {
                page: page_lang,
                feed: entry.item.lang.as_deref(),
                source: source_lang.as_deref(),
            },
        )
        .code
        .to_string()
}

/// A social post is a document as it is: no page to fetch. Its language is
/// the one the platform declares when that is one of ours, else detected.
fn post_article(job: &Dispatcher, entry: &Queued) -> Result<Article, Failure> {
    let item = &entry.item;
    let body = item
        .text
        .clone()
        .or_else(|| item.summary.clone())
        .unwrap_or_default();
    if body.trim().is_empty() {
        return Err(Failure::permanent(format!(
            "{}: the post has no text",
            item.url
        )));
    }
    let title = item
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| post_title(&body))
        .unwrap_or_default();
    let declared = item
        .lang
        .as_deref()
        .and_then(crate::lang::normalize_tag)
        .filter(|code| job.detector.languages().any(|l| l == *code));
    let lang = match declared {
        Some(code) => code,
        None => {
            let source_lang = job.registry.get(&entry.source).and_then(|s| s.lang.clone());
            job.detector
                .detect(
                    &body,
                    &Hints {
                        source: source_lang.as_deref(),
                        ..Hints::default()
                    },
                )
                .code
        }
    };
    let mut authors = item.authors.clone();
    if let Some(handle) = &item.author_handle {
        if !authors.iter().any(|a| a == handle) {
            authors.push(handle.clone());
        }
    }
    let id = doc_id(&item.url);
    Ok(Article {
        url: id.clone(),
        id,
        source: entry.source.clone(),
        lang: lang.to_string(),
        title,
        body,
        published: item.published,
        fetched: Utc::now(),
        authors,
        kind: ItemKind::Post,
    })
}

/// The URL that identifies a fetched page: its declared canonical URL,
/// unless that is missing or implausible (many sites point every page's
/// canonical at the home page or at another scheme's root).
fn identity_url(canonical: Option<&Url>, fetched: &Url) -> Url {
    match canonical {
        Some(c)
            if matches!(c.scheme(), "http" | "https")
                && (c.path() != "/" || fetched.path() == "/") =>
        {
            c.clone()
        }
        _ => fetched.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn backlog_hands_out_ready_hosts_round_robin() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The default per_host_delay (1 s) applies.
        let state = Arc::new(State::open(dir.path()).expect("state"));
        let path = dir.path().join("pressd.toml");
        std::fs::write(&path, "").expect("write config");
        let config = crate::config::Config::load(&path).expect("empty config is valid");
        let client = Client::with_policy(&config.http, &config.policy).expect("client");
        let work = Work::default();
        let items: Vec<(String, crate::item::Item)> = ["a", "a", "a", "b", "b"]
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let url = u(&format!("https://{host}.example/{i}"));
                (url.to_string(), crate::item::Item::article(url))
            })
            .collect();
        state.enqueue("s", &items, Utc::now()).expect("enqueue");
        let mut backlog = Backlog::default();
        backlog.reload(&state, &work, Mode::Forever);
        assert_eq!(backlog.len, 5);
        let (taken, _) = backlog.take(&client, 4);
        let hosts: Vec<String> = taken
            .iter()
            .filter_map(|b| b.turn.as_ref())
            .map(|t| t.host().to_string())
            .collect();
        let hosts: Vec<&str> = hosts
            .iter()
            .map(|h| h.split(':').next().unwrap_or(""))
            .collect();
        // One per host in a round: each is then booked for a second.
        assert_eq!(hosts, ["a.example", "b.example"]);
        assert!(taken.iter().all(|b| b.turn.is_some()));
        let (more, wake) = backlog.take(&client, 4);
        assert!(more.is_empty());
        let wait = wake
            .expect("a host frees")
            .saturating_duration_since(Instant::now());
        assert!(
            wait > Duration::from_millis(500) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert_eq!(backlog.len, 3);
    }

    #[test]
    fn canonical_pointing_home_is_ignored() {
        let page = u("https://a.example/news/1");
        assert_eq!(identity_url(Some(&u("https://a.example/")), &page), page);
        assert_eq!(identity_url(None, &page), page);
        assert_eq!(
            identity_url(Some(&u("https://a.example/n/1")), &page),
            u("https://a.example/n/1")
        );
    }
}
