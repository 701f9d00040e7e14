//! `pressd import`: read archives into the frontier and see them indexed,
//! by the daemon that holds the index if one runs, else by a drain of our
//! own that runs while the records are read. The summary and the exit
//! code come at the end: 0 when nothing was rejected, 1 otherwise.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use clap::ValueEnum;
use tokio_util::sync::CancellationToken;

use super::stop_on_signal;
use crate::config::Config;
use crate::daemon::{self, DaemonError};
use crate::import::{Counts, Format, Importer, Input, Progress};
use crate::index::IndexError;
use crate::state::State;

/// How often the frontier is looked at for what is left to index.
const TICK: Duration = Duration::from_millis(500);

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Source id given to every record [default: the record's `source`,
    /// else "import"].
    #[arg(long, value_name = "ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    source: Option<String>,
    /// Format of every file [default: from its name: .jsonl, .ndjson or
    /// .json are JSON lines, .warc is WARC; a .gz or .zst suffix is read
    /// through].
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// When a daemon runs on the index: return once the records are queued,
    /// without waiting for the daemon to index them.
    #[arg(long)]
    no_wait: bool,
    /// JSON-lines or WARC files, plain, gzip or zstd; `-` reads JSON lines
    /// from stdin.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Jsonl,
    Warc,
}

pub(super) fn import(config: &Config, args: ImportArgs) -> Result<ExitCode> {
    let inputs: Vec<Input> = args.files.iter().map(|f| Input::from_arg(f)).collect();
    let state = Arc::new(State::open(&config.state_dir)?);
    let total = inputs
        .iter()
        .map(Input::size)
        .try_fold(0u64, |sum, size| size.map(|s| sum + s));
    let progress = Arc::new(Progress::new(total));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("pressd")
        .build()
        .context("cannot start the async runtime")?;
    let since = Utc::now();
    let outcome = runtime.block_on(async {
        let cancel = CancellationToken::new();
        tokio::spawn(stop_on_signal(cancel.clone()));
        let fed = CancellationToken::new();
        let drain = tokio::spawn({
            let config = config.clone();
            let (cancel, fed) = (cancel.clone(), fed.clone());
            async move { daemon::drain(&config, cancel, fed).await }
        });
        let reading = tokio::task::spawn_blocking({
            let (state, progress, cancel) = (state.clone(), progress.clone(), cancel.clone());
            let format = args.format.map(|f| match f {
                FormatArg::Jsonl => Format::Jsonl,
                FormatArg::Warc => Format::Warc,
            });
            let source = args.source.clone();
            move || {
                Importer {
                    state: &state,
                    source,
                    format,
                    progress: &progress,
                    stop: &cancel,
                    since,
                }
                .run(&inputs)
            }
        });
        // A drain that cannot run (other than for a daemon holding the
        // index) stops the reading: nobody would index what it queues.
        let watch = tokio::spawn({
            let cancel = cancel.clone();
            let drain_done = drain;
            async move {
                let result = drain_done.await;
                if !matches!(
                    result,
                    Ok(Ok(_)) | Ok(Err(DaemonError::Index(IndexError::Locked { .. })))
                ) {
                    cancel.cancel();
                }
                result
            }
        });
        // What is left to index, for the display.
        let ticking = CancellationToken::new();
        let ticker = tokio::spawn({
            let (state, progress, ticking) = (state.clone(), progress.clone(), ticking.clone());
            async move {
                loop {
                    if let Ok(left) = state.carried_since(since) {
                        progress.indexing(left);
                    }
                    tokio::select! {
                        _ = ticking.cancelled() => return,
                        _ = tokio::time::sleep(TICK) => {}
                    }
                }
            }
        });
        let counts = reading.await.context("the reading task failed")?;
        fed.cancel();
        let drained = watch.await.context("the indexing task failed")?;
        let counts = counts?;
        let mut skipped = 0;
        match drained {
            Ok(Ok(report)) => skipped = report.failed_articles,
            Ok(Err(DaemonError::Index(IndexError::Locked { .. }))) => {
                if !args.no_wait {
                    wait_for_daemon(&state, since, &cancel).await?;
                }
            }
            Ok(Err(e)) => {
                ticking.cancel();
                return Err(anyhow::Error::new(e).context(
                    "cannot index the imported records (those read are queued for the daemon)",
                ));
            }
            Err(e) => return Err(anyhow::Error::new(e).context("the indexing task failed")),
        }
        ticking.cancel();
        let _ = ticker.await;
        anyhow::Ok((counts, skipped, cancel.is_cancelled()))
    });
    progress.finish();
    runtime.shutdown_timeout(Duration::from_secs(1));
    let (counts, skipped, interrupted) = outcome?;
    summary(&counts, skipped, interrupted);
    Ok(
        if counts.rejected + counts.unreadable_files + skipped == 0 && !interrupted {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

/// A daemon holds the index: wait until it has taken every carried entry
/// queued since the import began out of the frontier.
async fn wait_for_daemon(
    state: &State,
    since: chrono::DateTime<Utc>,
    cancel: &CancellationToken,
) -> Result<()> {
    loop {
        if state.carried_since(since)? == 0 || cancel.is_cancelled() {
            return Ok(());
        }
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}

fn summary(counts: &Counts, skipped: u64, interrupted: bool) {
    // Records the pipeline could not make an article of (a page with no
    // text) were queued, then given up on: they count as rejected.
    let mut line = format!(
        "imported {}, unchanged {}, rejected {}",
        counts.imported.saturating_sub(skipped),
        counts.unchanged,
        counts.rejected + skipped
    );
    if counts.unreadable_files > 0 {
        line.push_str(&format!(", {} files unreadable", counts.unreadable_files));
    }
    if interrupted {
        line.push_str(" (interrupted: what was read is queued and indexed on the next run)");
    }
    println!("{line}");
}
