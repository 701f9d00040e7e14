//! The daemon: wires the parts together and runs them until stopped.
//!
//! Shape (see ARCHITECTURE.md): one poller task per enabled source
//! ([`scheduler`]) puts discovered items into the state store's frontier; a
//! dispatcher ([`pipeline`]) takes due frontier entries, fetches, extracts
//! and tags them, and sends articles through a bounded channel to the single
//! index writer ([`writer`]), which commits in batches and only then marks
//! the entries done. A cancellation token stops everything; whatever was not
//! committed is still in the frontier for the next start.
//!
//! Around that core, for running as a systemd service: [`notify`] speaks the
//! sd_notify protocol (READY, STATUS, a watchdog fed only while the writer
//! makes progress, STOPPING), [`reload`] applies a changed configuration on
//! SIGHUP without a restart, and [`metrics`] counts what happens and serves
//! it to Prometheus when asked to.

pub mod health;
mod metrics;
mod notify;
mod pipeline;
mod reload;
mod scheduler;
mod upkeep;
mod writer;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{NaiveDate, Utc};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::{Config, Source};
use crate::http::{Client, FetchError, HostKey, Reach};
use crate::index::{Index, IndexError};
use crate::lang::Detector;
use crate::state::{State, StateError};

pub use scheduler::PollError;

/// Why the daemon could not start or had to stop. Causes are sources, not
/// part of the message: print the chain (`{:#}` with anyhow).
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("cannot build the HTTP client")]
    Http(#[from] FetchError),
    #[error("invalid languages setting")]
    Lang(#[from] crate::lang::UnknownLanguage),
    #[error("index writer stopped")]
    Writer(#[source] IndexError),
    #[error("cannot start the index writer thread")]
    WriterThread(#[source] std::io::Error),
    #[error("the index writer thread died")]
    WriterDied,
    #[error("cannot listen for metrics on {addr}: {error} (change or remove metrics.listen)")]
    Metrics {
        addr: SocketAddr,
        error: std::io::Error,
    },
    #[error("cannot install the SIGHUP handler for reloads: {0}")]
    Signal(std::io::Error),
}

/// How `run` should behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Poll on schedule until cancelled.
    Forever,
    /// Poll every enabled source once, drain the frontier, commit, return.
    Once,
}

/// What a run did; `run --once` prints it.
#[derive(Debug, Default)]
pub struct Report {
    /// Per source: `Ok(new items)` or the error of its last poll.
    pub polls: Vec<(String, Result<usize, PollError>)>,
    pub indexed: u64,
    pub failed_articles: u64,
    /// Frontier entries left for a later run (retries scheduled).
    pub queued: u64,
}

/// Counters shared by the tasks of one run.
#[derive(Default)]
struct Counters {
    indexed: std::sync::atomic::AtomicU64,
    failed: std::sync::atomic::AtomicU64,
    /// Articles committed on a UTC day (since start), for the status line.
    today: Mutex<(Option<NaiveDate>, u64)>,
}

impl Counters {
    fn add_indexed(&self, n: u64) {
        self.indexed
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        let day = Utc::now().date_naive();
        let mut today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        if today.0 != Some(day) {
            *today = (Some(day), 0);
        }
        today.1 += n;
    }

    fn indexed_today(&self) -> u64 {
        let today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        if today.0 == Some(Utc::now().date_naive()) {
            today.1
        } else {
            0
        }
    }
}

/// What every task of a run shares.
struct Shared {
    client: Client,
    state: Arc<State>,
    detector: Detector,
    /// The enabled sources by id; a reload replaces entries, so read it
    /// through [`Shared::source`] rather than holding the lock.
    sources: RwLock<HashMap<String, Arc<Source>>>,
    /// Frontier keys being worked on, so the dispatcher does not hand them
    /// out twice. A key leaves the set when it is committed or failed.
    in_flight: Mutex<HashSet<String>>,
    /// Per source: which addresses its discovered links may reach, worked
    /// out on first use (it resolves the source's host).
    reach: tokio::sync::Mutex<HashMap<String, Reach>>,
    /// Wakes the dispatcher when pollers queue new work.
    queued: Notify,
    counters: Counters,
    pipeline: crate::config::PipelineSettings,
    metrics: metrics::Metrics,
    /// Bumped by the index writer on every turn of its loop; the watchdog
    /// and `/healthz` trust the daemon only while it is fresh.
    heartbeat: notify::Heartbeat,
    /// Wakes the status reporter when a count it shows changed.
    status_changed: Notify,
    /// Each source's last health, so that changes are logged once.
    health: health::Tracker,
}

impl Shared {
    /// The current settings of an enabled source (`None` once removed).
    fn source(&self, id: &str) -> Option<Arc<Source>> {
        self.sources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    /// Assess a source's health after something about it was recorded, and
    /// log a change (see [`health::Tracker::observe`]).
    fn check_health(&self, id: &str) {
        let Some(source) = self.source(id) else {
            return;
        };
        match self.state.source(id) {
            Ok(state) => {
                self.health.observe(&source, state.as_ref(), Utc::now());
            }
            Err(e) => warn!(source = %id, error = %e, "cannot read source health"),
        }
    }

    /// Give a source's own politeness settings to the HTTP client, which
    /// alone paces its host.
    fn apply_host_limits(&self, source: &Source) {
        if source.per_host_concurrency.is_some() || source.per_host_delay.is_some() {
            self.client.set_host_limits(
                &HostKey::of(&source.url),
                source.per_host_concurrency,
                source.per_host_delay,
            );
        }
    }
}

/// Run the daemon until `cancel` fires (or, in [`Mode::Once`], until the
/// work of one round is done).
pub async fn run(
    config: &Config,
    mode: Mode,
    cancel: CancellationToken,
) -> Result<Report, DaemonError> {
    let state = Arc::new(State::open(&config.state_dir)?);
    let index = Index::open_or_create(&config.index_dir)?;
    let index_writer = index.writer()?;
    let client = Client::with_policy(&config.http, &config.policy)?
        .with_request_limit(config.pipeline.concurrency);
    let detector = Detector::new(&config.languages)?;
    // Bound before READY so that a taken port fails the start, visibly. A
    // one-round run is over before anyone would scrape it.
    let metrics_listener = match config.metrics.listen.filter(|_| mode == Mode::Forever) {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|error| DaemonError::Metrics { addr, error })?,
        ),
        None => None,
    };
    // Installed before READY: a SIGHUP's default action would kill us.
    let hangups = match mode {
        Mode::Forever => Some(
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
                .map_err(DaemonError::Signal)?,
        ),
        Mode::Once => None,
    };

    let sources: Vec<Arc<Source>> = config.enabled_sources().cloned().collect();
    let shared = Arc::new(Shared {
        client,
        state: state.clone(),
        detector,
        sources: RwLock::new(
            sources
                .iter()
                .map(|s| (s.id.clone(), Arc::clone(s)))
                .collect(),
        ),
        in_flight: Mutex::new(HashSet::new()),
        reach: tokio::sync::Mutex::new(HashMap::new()),
        queued: Notify::new(),
        counters: Counters::default(),
        pipeline: config.pipeline.clone(),
        metrics: metrics::Metrics::new(),
        heartbeat: notify::Heartbeat::new(notify::stale_after(&config.pipeline)),
        status_changed: Notify::new(),
        health: health::Tracker::default(),
    });
    // (Each source's own host limits are applied as its poller starts.)
    // Before the health baseline: a source whose URL changed is not judged
    // by the old URL's failures.
    scheduler::adopt_urls(&shared, &sources);
    for source in &sources {
        // The status the store remembers becomes the baseline, so that a
        // source that was failing (or went stale while the daemon was down)
        // is reported at start, and its recovery is logged after a restart.
        shared.check_health(&source.id);
    }

    info!(
        sources = sources.len(),
        configured = config.sources.len(),
        index = %config.index_dir.display(),
        queued = state.queue_len().unwrap_or(0),
        "pressd started"
    );
    let status = notify::ready(&shared).await;

    // Tasks that speak to systemd end before STOPPING=1 (a late STATUS or
    // a reload's READY would read as "still running"); the metrics server
    // serves until the final commit is done.
    let speaking = CancellationToken::new();
    let mut speakers = tokio::task::JoinSet::new();
    speakers.spawn(notify::report(shared.clone(), status, speaking.clone()));
    let (commands, command_rx) = mpsc::channel(16);
    match hangups {
        Some(hangups) => {
            speakers.spawn(reload::on_hangup(
                hangups,
                config.clone(),
                shared.clone(),
                commands,
                speaking.clone(),
            ));
        }
        None => drop(commands),
    }
    if mode == Mode::Forever {
        tokio::spawn(upkeep::run(state.clone(), cancel.clone()));
    }
    let serving = CancellationToken::new();
    let metrics_server = metrics_listener.map(|listener| {
        match listener.local_addr() {
            Ok(addr) => info!(addr = %addr, "metrics listening"),
            Err(e) => warn!(error = %e, "metrics listening on an unknown address"),
        }
        tokio::spawn(metrics::serve(
            listener,
            shared.clone(),
            Arc::new(index),
            serving.clone(),
        ))
    });

    // Capacity bounds memory: fetchers wait when the writer falls behind.
    let (tx, rx) = mpsc::channel(config.pipeline.concurrency * 4);
    let writer_task = writer::spawn(
        index_writer,
        rx,
        shared.clone(),
        config.pipeline.commit_batch,
        config.pipeline.commit_interval,
    )
    .map_err(DaemonError::WriterThread)?;

    let polls_done = CancellationToken::new();
    let poll_task = tokio::spawn(scheduler::run(
        shared.clone(),
        sources,
        mode,
        cancel.clone(),
        polls_done.clone(),
        command_rx,
    ));
    pipeline::dispatch(shared.clone(), tx, mode, cancel.clone(), polls_done).await;

    let polls = match poll_task.await {
        Ok(p) => p,
        Err(e) => {
            warn!(error = %e, "poller task ended abnormally");
            Vec::new()
        }
    };
    speaking.cancel();
    while let Some(joined) = speakers.join_next().await {
        if let Err(e) = joined {
            warn!(error = %e, "status or reload task ended abnormally");
        }
    }
    notify::stopping();
    // The dispatcher dropped the sender: the writer commits what it holds.
    match writer_task.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(DaemonError::Writer(e)),
        Err(_) => return Err(DaemonError::WriterDied),
    }
    serving.cancel();
    if let Some(server) = metrics_server {
        if let Err(e) = server.await {
            warn!(error = %e, "metrics server ended abnormally");
        }
    }
    let queued = state.queue_len().unwrap_or(0);
    let c = &shared.counters;
    let report = Report {
        polls,
        indexed: c.indexed.load(std::sync::atomic::Ordering::Relaxed),
        failed_articles: c.failed.load(std::sync::atomic::Ordering::Relaxed),
        queued,
    };
    info!(
        indexed = report.indexed,
        failed = report.failed_articles,
        queued,
        "pressd stopped"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Shared` over a temp store, with no sources, for the tests of the
    /// parts that only read it.
    pub(super) fn shared(dir: &std::path::Path, stale_after: std::time::Duration) -> Arc<Shared> {
        let config = Config::load(&{
            let p = dir.join("pressd.toml");
            std::fs::write(&p, "").expect("write config");
            p
        })
        .expect("empty config is valid");
        Arc::new(Shared {
            client: Client::with_policy(&config.http, &config.policy).expect("client"),
            state: Arc::new(State::open(&config.state_dir).expect("state")),
            detector: Detector::new(&config.languages).expect("detector"),
            sources: RwLock::new(HashMap::new()),
            in_flight: Mutex::new(HashSet::new()),
            reach: tokio::sync::Mutex::new(HashMap::new()),
            queued: Notify::new(),
            counters: Counters::default(),
            pipeline: config.pipeline.clone(),
            metrics: metrics::Metrics::new(),
            heartbeat: notify::Heartbeat::new(stale_after),
            status_changed: Notify::new(),
            health: health::Tracker::default(),
        })
    }

    #[test]
    fn indexed_today_counts_commits() {
        let c = Counters::default();
        assert_eq!(c.indexed_today(), 0);
        c.add_indexed(3);
        c.add_indexed(2);
        assert_eq!(c.indexed_today(), 5);
        assert_eq!(c.indexed.load(std::sync::atomic::Ordering::Relaxed), 5);
    }
}
