//! The daemon: wires the parts together and runs them until stopped.
//!
//! Shape (see ARCHITECTURE.md): one poller task per enabled source
//! ([`scheduler`]) puts discovered items into the state store's frontier; a
//! dispatcher ([`pipeline`]) takes due frontier entries, fetches, extracts
//! and tags them, and sends articles through a bounded channel to the single
//! index writer ([`writer`]), which commits in batches and only then marks
//! the entries done, listing the documents for the watches. While the
//! daemon runs, the watches' matcher and deliverer ([`crate::watch`]) follow
//! the commits. A cancellation token stops everything; whatever was not
//! committed is still in the frontier for the next start, whatever was not
//! delivered in the outbox.
//!
//! Around that core, for running as a systemd service: [`notify`] speaks the
//! sd_notify protocol (READY, STATUS, a watchdog fed only while the writer
//! makes progress, STOPPING), [`reload`] applies a changed configuration on
//! SIGHUP without a restart, and [`metrics`] counts what happens and serves
//! it to Prometheus when asked to; [`crate::web`] serves the read-only web
//! page and `/api/` when `[web] listen` is set.
//!
//! The tasks share handles, each owned by one concern: the [`registry`] of
//! sources (settings, health, reach), the [`work`] being handed over, the
//! [`telemetry`] (counters, metrics, heartbeat, [`storage`] faults), the
//! state store and the HTTP client. Each task is given the ones it needs.

pub mod health;
mod metrics;
mod notify;
mod pipeline;
mod registry;
mod reload;
mod scheduler;
mod storage;
mod telemetry;
mod upkeep;
mod work;
mod writer;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::{Config, Source};
use crate::http::{Client, FetchError};
use crate::index::{Index, IndexError};
use crate::lang::Detector;
use crate::state::{State, StateError};
use crate::stories::{Settings as StorySettings, Stories};
use crate::watch::Watches;
use registry::Registry;
use telemetry::{Heartbeat, Telemetry};
use work::Work;

pub use scheduler::PollError;
pub use storage::{reported_fault, Fault};

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
    /// Writes to the index or the state store failed (see `storage`); in
    /// a one-round run the first such failure ends it.
    #[error(
        "storage fault: {0}; free space (or fix the volume) and run again: nothing queued is lost"
    )]
    Storage(String),
    #[error("cannot listen for metrics on {addr}: {error} (change or remove metrics.listen)")]
    Metrics {
        addr: SocketAddr,
        error: std::io::Error,
    },
    #[error(transparent)]
    Web(#[from] crate::web::WebError),
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
    /// Poll nothing: index the frontier entries that carry their content
    /// (imported articles) until the caller says no more are coming and
    /// none is left, then return (`pressd import` when no daemon holds the
    /// index). Entries that need a fetch stay queued for the daemon.
    Drain,
}

/// Documents per commit while draining: a bulk load commits far less often
/// than the daemon's trickle of news (a commit writes and syncs a segment),
/// and a kill between commits only costs re-indexing (upserts). Each commit
/// leaves a segment per indexing thread, whose term dictionaries are built
/// again when merges join them: 10,000 rather than 5,000 left 4 segments
/// instead of 9 after 20,000 JSON lines, an index 6 % smaller and some 3 %
/// more articles per CPU-second, for some 30 MB more peak memory (the bulk
/// writer's budget holds a commit's postings without writing early).
const DRAIN_BATCH: usize = 10_000;

/// Longest time between commits while draining: with the daemon's one
/// second, an import committed (writing, syncing and later merging a
/// segment) every thousand or so documents instead of every five thousand.
const DRAIN_INTERVAL: Duration = Duration::from_secs(10);

/// Articles waiting for the index writer at most (see the channel in
/// [`Tasks::start`]).
const WRITER_QUEUE: usize = 512;

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

/// Run the daemon until `cancel` fires (or, in [`Mode::Once`], until the
/// work of one round is done, or a storage fault ends it).
pub async fn run(
    config: &Config,
    mode: Mode,
    cancel: CancellationToken,
) -> Result<Report, DaemonError> {
    let polls_done = CancellationToken::new();
    start(config, mode, cancel, polls_done).await
}

/// Run in [`Mode::Drain`]: index the frontier's entries that carry their
/// content until `fed` fires (nothing more will be queued) and none is
/// left, or `cancel`. Fails with [`IndexError::Locked`] (inside
/// [`DaemonError::Index`]) when another process holds the index: that
/// process's daemon then indexes them.
pub async fn drain(
    config: &Config,
    cancel: CancellationToken,
    fed: CancellationToken,
) -> Result<Report, DaemonError> {
    start(config, Mode::Drain, cancel, fed).await
}

/// `polls_done` fires when no more work will be queued: the pollers'
/// round is over, or (draining) the caller's feeding is.
async fn start(
    config: &Config,
    mode: Mode,
    cancel: CancellationToken,
    polls_done: CancellationToken,
) -> Result<Report, DaemonError> {
    // The run's own token: a storage fault stops a one-round run without
    // touching the caller's.
    let cancel = cancel.child_token();
    let parts = Parts::open(config, mode, &cancel).await?;
    // A drain is a command's work, not a service: nothing to tell systemd.
    let status = match mode {
        Mode::Drain => String::new(),
        _ => parts.reporter().ready().await,
    };
    let tasks = Tasks::start(config, mode, &cancel, parts, status, polls_done)
        .map_err(DaemonError::WriterThread)?;
    tasks.join(mode).await
}

/// What a run opens before it is ready: every failure here stops the
/// start, visibly, before READY.
struct Parts {
    state: Arc<State>,
    index: Arc<Index>,
    writer: crate::index::Writer,
    client: Client,
    detector: Detector,
    metrics_listener: Option<TcpListener>,
    /// The web page's listener (`[web] listen`), in a daemon that runs
    /// until stopped.
    web: Option<crate::web::Web>,
    hangups: Option<tokio::signal::unix::Signal>,
    sources: Vec<Arc<Source>>,
    registry: Arc<Registry>,
    work: Arc<Work>,
    telemetry: Arc<Telemetry>,
    watches: Arc<Watches>,
    /// Posts the watches' webhooks.
    delivery_client: reqwest::Client,
    stories: Option<Stories>,
}

impl Parts {
    async fn open(
        config: &Config,
        mode: Mode,
        cancel: &CancellationToken,
    ) -> Result<Parts, DaemonError> {
        let state = Arc::new(State::open(&config.state_dir)?);
        let index = Arc::new(Index::open_or_create(&config.index_dir)?);
        let stories = match config.pipeline.stories {
            true => Some(Stories::open(state.clone(), StorySettings::default())?),
            false => None,
        };
        // Draining an import is bulk loading; the daemon's steady trickle
        // needs one indexing thread.
        let writer = if mode == Mode::Drain {
            index.bulk_writer()?
        } else {
            index.writer()?
        };
        let client = Client::with_policy(&config.http, &config.policy)?
            .with_request_limit(config.pipeline.concurrency);
        let detector = Detector::new(&config.languages)?;
        let delivery_client = crate::http::delivery_client(&config.http)?;
        // Before anything is committed: a watch fires for what is
        // committed after the first run that knew it. An import's drain is
        // not such a run.
        if mode != Mode::Drain {
            crate::watch::matcher::sync(&state, &config.watches, chrono::Utc::now())?;
        }
        let metrics_listener = bind_metrics(config, mode).await?;
        let web = match mode {
            Mode::Forever => crate::web::Web::bind(config).await?,
            Mode::Once | Mode::Drain => None,
        };
        // Installed before READY: a SIGHUP's default action would kill us.
        let hangups = match mode {
            Mode::Forever => Some(
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
                    .map_err(DaemonError::Signal)?,
            ),
            Mode::Once | Mode::Drain => None,
        };
        let sources: Vec<Arc<Source>> = config.enabled_sources().cloned().collect();
        let registry = Arc::new(Registry::new(state.clone(), &sources));
        let telemetry = Arc::new(Telemetry::new(
            Heartbeat::for_pipeline(&config.pipeline),
            match mode {
                Mode::Forever => storage::Storage::new(Some(&config.state_dir), None),
                Mode::Once | Mode::Drain => storage::Storage::new(None, Some(cancel.clone())),
            },
        ));
        // A drain polls nothing: the sources are known only for their
        // settings (a language hint), and their health is not judged.
        let polled = match mode {
            Mode::Drain => &[][..],
            _ => &sources[..],
        };
        // Before the health baseline: a source whose URL changed is not
        // judged by the old URL's failures.
        scheduler::adopt_urls(&state, polled);
        for source in polled {
            // The status the store remembers becomes the baseline, so that
            // a source that was failing (or went stale while the daemon was
            // down) is reported at start, and its recovery is logged after
            // a restart.
            registry.check_health(&source.id);
        }
        info!(
            sources = sources.len(),
            configured = config.sources.len(),
            index = %config.index_dir.display(),
            queued = state.queue_len().unwrap_or(0),
            "pressd started"
        );
        Ok(Parts {
            state,
            index,
            writer,
            client,
            detector,
            metrics_listener,
            web,
            hangups,
            sources,
            registry,
            work: Arc::new(Work::default()),
            telemetry,
            watches: Arc::new(Watches::new(&config.watches)),
            delivery_client,
            stories,
        })
    }

    fn reporter(&self) -> notify::Reporter {
        notify::Reporter {
            registry: self.registry.clone(),
            state: self.state.clone(),
            telemetry: self.telemetry.clone(),
        }
    }
}

/// The tasks of a running daemon, joined in the order a stop needs.
struct Tasks {
    state: Arc<State>,
    telemetry: Arc<Telemetry>,
    /// Pollers: their last outcomes make the report.
    polls: JoinHandle<Vec<(String, Result<usize, PollError>)>>,
    /// Fetches due entries until the round is done or the run stops.
    dispatcher: JoinHandle<()>,
    /// Tasks that speak to systemd (STATUS, reloads): they end before
    /// STOPPING=1, as a late STATUS or a reload's READY would read as
    /// "still running".
    speakers: JoinSet<()>,
    speaking: CancellationToken,
    writer: tokio::sync::oneshot::Receiver<Result<(), IndexError>>,
    /// The metrics server serves until the final commit is done.
    metrics: Option<JoinHandle<()>>,
    /// The web page, stopped with the metrics server.
    web: Option<JoinHandle<()>>,
    serving: CancellationToken,
    /// The watches' matcher and deliverer; they stop with the run.
    watching: Vec<JoinHandle<()>>,
}

impl Tasks {
    /// Start every task; fails only if the writer's thread cannot start.
    fn start(
        config: &Config,
        mode: Mode,
        cancel: &CancellationToken,
        parts: Parts,
        status: String,
        polls_done: CancellationToken,
    ) -> std::io::Result<Tasks> {
        let reporter = parts.reporter();
        let Parts {
            state,
            index,
            writer,
            client,
            detector,
            metrics_listener,
            web,
            hangups,
            sources,
            registry,
            work,
            telemetry,
            watches,
            delivery_client,
            stories,
        } = parts;
        let speaking = CancellationToken::new();
        let mut speakers = JoinSet::new();
        if mode != Mode::Drain {
            speakers.spawn(reporter.report(status, speaking.clone()));
        }
        let (commands, command_rx) = mpsc::channel(16);
        if let Some(hangups) = hangups {
            speakers.spawn(reload::on_hangup(
                hangups,
                config.clone(),
                registry.clone(),
                telemetry.clone(),
                watches.clone(),
                commands,
                speaking.clone(),
            ));
        }
        if mode == Mode::Forever {
            tokio::spawn(upkeep::run(state.clone(), cancel.clone()));
        }
        let serving = CancellationToken::new();
        let metrics = metrics_listener.map(|listener| {
            tokio::spawn(metrics::serve(
                listener,
                metrics::Scrape {
                    registry: registry.clone(),
                    state: state.clone(),
                    telemetry: telemetry.clone(),
                    index: index.clone(),
                    watches: watches.clone(),
                },
                serving.clone(),
            ))
        });
        // The configuration it was started with: a reload's new sources
        // and watches show after a restart.
        let web = web.map(|web| {
            tokio::spawn(web.serve(Arc::new(config.clone()), index.clone(), serving.clone()))
        });
        // Capacity bounds memory: fetchers wait when the writer falls
        // behind (or waits out a storage fault).
        // A few per request slot, but no more than a batch's worth of
        // articles waiting in memory whatever the request limit.
        let (tx, rx) = mpsc::channel((config.pipeline.concurrency * 4).min(WRITER_QUEUE));
        // Watches match and deliver while the daemon runs; a one-round run
        // or a drain only lists what it commits, for the daemon's next
        // start to match.
        let mut watching = Vec::new();
        if mode == Mode::Forever {
            watching.push(tokio::spawn(crate::watch::matcher::run(
                index.clone(),
                state.clone(),
                watches.clone(),
                cancel.clone(),
            )));
            watching.push(tokio::spawn(crate::watch::deliver::run(
                delivery_client,
                state.clone(),
                watches.clone(),
                cancel.clone(),
            )));
        }
        let writer = writer::spawn(
            writer::WriterTask {
                index,
                state: state.clone(),
                work: work.clone(),
                telemetry: telemetry.clone(),
                batch: match mode {
                    Mode::Drain => config.pipeline.commit_batch.max(DRAIN_BATCH),
                    _ => config.pipeline.commit_batch,
                },
                interval: match mode {
                    Mode::Drain => config.pipeline.commit_interval.max(DRAIN_INTERVAL),
                    _ => config.pipeline.commit_interval,
                },
                linger: mode != Mode::Drain,
                retry: mode == Mode::Forever,
                cancel: cancel.clone(),
                watches,
                stories: stories.map(std::sync::Mutex::new),
            },
            writer,
            rx,
        )?;
        let polls = match mode {
            Mode::Drain => tokio::spawn(async { Vec::new() }),
            _ => tokio::spawn(scheduler::run(
                scheduler::Polling {
                    client: client.clone(),
                    state: state.clone(),
                    registry: registry.clone(),
                    work: work.clone(),
                    telemetry: telemetry.clone(),
                    max_backoff: config.pipeline.max_backoff,
                },
                sources,
                mode,
                cancel.clone(),
                polls_done.clone(),
                command_rx,
            )),
        };
        let dispatcher = pipeline::Dispatcher {
            client,
            cpu: Arc::new(tokio::sync::Semaphore::new(pipeline::cpu_slots(mode))),
            detector,
            settings: config.pipeline.clone(),
            state: state.clone(),
            registry,
            work,
            telemetry: telemetry.clone(),
        };
        let dispatcher = tokio::spawn(dispatcher.run(tx, mode, cancel.clone(), polls_done));
        Ok(Tasks {
            state,
            telemetry,
            polls,
            dispatcher,
            speakers,
            speaking,
            writer,
            metrics,
            web,
            serving,
            watching,
        })
    }

    /// Wait for the run to end, stop the rest in order, and report.
    async fn join(mut self, mode: Mode) -> Result<Report, DaemonError> {
        if let Err(e) = self.dispatcher.await {
            warn!(error = %e, "dispatcher task ended abnormally");
        }
        let polls = self.polls.await.unwrap_or_else(|e| {
            warn!(error = %e, "poller task ended abnormally");
            Vec::new()
        });
        self.speaking.cancel();
        while let Some(joined) = self.speakers.join_next().await {
            if let Err(e) = joined {
                warn!(error = %e, "status or reload task ended abnormally");
            }
        }
        notify::stopping();
        // The dispatcher dropped the sender: the writer commits what it holds.
        let written = match self.writer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(DaemonError::Writer(e)),
            Err(_) => Err(DaemonError::WriterDied),
        };
        for task in self.watching {
            if let Err(e) = task.await {
                warn!(error = %e, "watch task ended abnormally");
            }
        }
        self.serving.cancel();
        if let Some(server) = self.metrics {
            if let Err(e) = server.await {
                warn!(error = %e, "metrics server ended abnormally");
            }
        }
        if let Some(server) = self.web {
            if let Err(e) = server.await {
                warn!(error = %e, "web server ended abnormally");
            }
        }
        let storage = &self.telemetry.storage;
        let fault = storage.fault();
        storage.close();
        // A one-round run that stopped on a storage fault says so, whichever
        // part met it first.
        if let (Mode::Once | Mode::Drain, Some(fault)) = (mode, fault) {
            return Err(DaemonError::Storage(fault.message));
        }
        written?;
        let queued = self.state.queue_len().unwrap_or(0);
        let counters = &self.telemetry.counters;
        let report = Report {
            polls,
            indexed: counters.indexed(),
            failed_articles: counters.failed(),
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
}

/// Bind the metrics listener, before READY so that a taken port fails the
/// start visibly. A one-round run is over before anyone would scrape it.
async fn bind_metrics(config: &Config, mode: Mode) -> Result<Option<TcpListener>, DaemonError> {
    let Some(addr) = config.metrics.listen.filter(|_| mode == Mode::Forever) else {
        return Ok(None);
    };
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|error| DaemonError::Metrics { addr, error })?;
    match listener.local_addr() {
        Ok(addr) => info!(addr = %addr, "metrics listening"),
        Err(e) => warn!(error = %e, "metrics listening on an unknown address"),
    }
    Ok(Some(listener))
}
