//! Configuration: the daemon file (`config/pressd.toml` by default), the
//! source files (`[[source]]` tables in the daemon file and in every `*.toml`
//! of `sources_dir`) and the watch files (`[[watch]]` tables in the daemon
//! file and in every `*.toml` of `watches_dir`, `watches.d` by default).
//! Parses, applies defaults, validates, and resolves relative paths against
//! the directory of the file that names them.
//!
//! Every problem is reported with the file and the key it concerns, and all
//! problems of a load are reported together so that `pressd check` shows
//! everything to fix at once.
//!
//! This file holds the public types; `load` runs a load, `files` reads the
//! files into spanned TOML and their serde shapes, and `sources` checks the
//! `[[source]]` tables, `watches` the `[[watch]]` tables (whose keys are
//! [`crate::watch`]'s). A configured source is a thing of
//! [`crate::sources`], which owns [`Source`] and each kind's own keys and
//! their checks; this module reads the files into them and re-exports
//! them, so that `config` depends on `sources` and never the other way.

mod files;
mod load;
mod sources;
#[cfg(test)]
mod tests;
mod watches;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use self::files::Position;
use crate::http::{HttpSettings, Policy};
pub use crate::sources::{Source, SourceKind, SourceOptions};
pub use crate::watch::Watch;

/// Default daemon file, relative to the working directory.
pub const DEFAULT_CONFIG: &str = "config/pressd.toml";

/// The whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The daemon file this was loaded from.
    pub path: PathBuf,
    pub index_dir: PathBuf,
    pub state_dir: PathBuf,
    /// Languages the detector chooses among (ISO 639-1).
    pub languages: Vec<String>,
    /// `RUST_LOG`-style filter; the environment's `RUST_LOG` wins.
    pub log: Option<String>,
    pub http: HttpSettings,
    /// Politeness and the private-address guard of the HTTP client.
    pub policy: Policy,
    pub pipeline: PipelineSettings,
    pub metrics: MetricsSettings,
    pub web: WebSettings,
    /// Shared, not copied: the daemon hands each source to its poller, its
    /// pipeline and its health tracker, and deployments run thousands.
    pub sources: Vec<Arc<Source>>,
    /// Saved searches that notify (`[[watch]]` tables of the daemon file
    /// and of `watches_dir`).
    pub watches: Vec<Arc<Watch>>,
}

impl Config {
    /// The sources that are polled.
    pub fn enabled_sources(&self) -> impl Iterator<Item = &Arc<Source>> {
        self.sources.iter().filter(|s| s.enabled)
    }

    /// The languages the desk reads its press in: those its enabled
    /// sources declare (`lang`, ISO 639-1 once loaded), in the order first
    /// declared;
    /// the detector's `languages` when no source declares one. Asked by
    /// `pressd coverage --split lang` for the languages that said nothing:
    /// the detector's list alone names languages no outlet writes in.
    pub fn press_languages(&self) -> Vec<String> {
        let mut declared: Vec<String> = Vec::new();
        for source in self.enabled_sources() {
            let Some(code) = source.lang.as_deref() else {
                continue;
            };
            if !declared.iter().any(|c| c == code) {
                declared.push(code.to_string());
            }
        }
        if declared.is_empty() {
            self.languages.clone()
        } else {
            declared
        }
    }
}

/// The optional Prometheus listener (`[metrics]` table). Off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSettings {
    /// Address to serve `/metrics` and `/healthz` on; `None` serves nothing.
    /// Port 0 picks a free port (logged at start-up).
    pub listen: Option<SocketAddr>,
}

/// The optional web page and JSON API (`[web]` table). Off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebSettings {
    /// Address to serve the pages and `/api/` on; `None` serves nothing.
    /// Port 0 picks a free port (logged at start-up). An address other
    /// than loopback is refused without [`WebSettings::auth_token_file`].
    pub listen: Option<SocketAddr>,
    /// A file holding the token a browser (login form) or a client
    /// (`Authorization: Bearer`) must present; resolved against the
    /// daemon file's directory. Read when the listener starts.
    pub auth_token_file: Option<PathBuf>,
}

/// Settings of the fetch-and-index pipeline (`[pipeline]` table).
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineSettings {
    /// Requests in flight at once, all hosts together.
    pub concurrency: usize,
    /// Commit the index after this many new documents...
    pub commit_batch: usize,
    /// ...or this long after the first uncommitted one.
    pub commit_interval: Duration,
    /// Attempts at fetching one article before it is given up.
    pub max_attempts: u32,
    /// Delay before the first retry of an article; doubles per attempt.
    pub retry_delay: Duration,
    /// Longest wait between two polls of a failing source.
    pub max_backoff: Duration,
    /// Group indexed articles into stories and mark copies as they are
    /// indexed (`pressd stories`); on by default.
    pub stories: bool,
}

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// The key it concerns (`http.timeout`, `source[2].url`), when known.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file.display())?;
        if let Some(position) = &self.position {
            write!(f, "{position}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// Everything wrong with a configuration, one problem per line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

fn problem(file: &Path, key: &str, message: String) -> Problem {
    Problem {
        file: file.to_path_buf(),
        position: None,
        key: Some(key.to_string()),
        message,
    }
}
