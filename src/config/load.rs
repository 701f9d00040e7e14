//! `Config::load`: reads the daemon file, applies its defaults, finds the
//! source files, and gathers every problem of the load.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::files::{take_tables, DaemonFile, Document, MetricsFile, WebFile};
use super::sources::{collect_sources, Defaults};
use super::watches::{collect_watches, unique_watches};
use super::{
    problem, Config, ConfigError, MetricsSettings, PipelineSettings, Problem, Watch, WebSettings,
};
use crate::http::{default_request_limit, open_file_limit, HttpSettings, Policy};

const DEFAULT_USER_AGENT: &str = concat!(
    "pressd/",
    env!("CARGO_PKG_VERSION"),
    " (press-coverage monitor; +https://github.com/pressd/pressd)"
);
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(15 * 60);

impl Config {
    /// Load the daemon file at `path` and the source files it points to.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            problems: vec![Problem {
                file: path.to_path_buf(),
                position: None,
                key: None,
                message: format!(
                    "cannot read the config file: {e} (pass --config PATH to use another file)"
                ),
            }],
        })?;
        let doc = Document {
            file: path,
            text: &text,
        };
        // The daemon file's own `[[source]]` tables are checked apart from
        // its other tables, so that a problem in one does not hide those of
        // the other.
        let mut daemon_sources = Vec::new();
        let mut daemon_watches = Vec::new();
        let daemon = match doc.parse() {
            Ok(mut root) => {
                daemon_sources = take_tables(&doc, &mut root, "source", &mut problems);
                daemon_watches = take_tables(&doc, &mut root, "watch", &mut problems);
                let watches_dir = root
                    .get_ref()
                    .get("watches_dir")
                    .and_then(|v| v.get_ref().as_str())
                    .map(PathBuf::from);
                let sources_dir = root
                    .get_ref()
                    .get("sources_dir")
                    .and_then(|v| v.get_ref().as_str())
                    .map(PathBuf::from);
                match DaemonFile::deserialize(toml::de::Deserializer::from(root)) {
                    Ok(d) => d,
                    Err(e) => {
                        problems.push(doc.error(None, &e));
                        // Keep going so that the source files' problems are
                        // reported in the same run; find them where the file
                        // says they are.
                        DaemonFile {
                            sources_dir,
                            watches_dir,
                            ..DaemonFile::default()
                        }
                    }
                }
            }
            Err(p) => {
                problems.push(p);
                DaemonFile::default()
            }
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };

        let index_dir = resolve(daemon.index_dir.as_deref().unwrap_or(Path::new("index")));
        let state_dir = resolve(daemon.state_dir.as_deref().unwrap_or(Path::new("state")));

        let languages = match daemon.languages {
            Some(list) => {
                if let Err(e) = crate::lang::Detector::new(&list) {
                    problems.push(problem(path, "languages", e.to_string()));
                }
                list
            }
            None => crate::lang::DEFAULT_LANGUAGES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };

        let h = daemon.http;
        let http = HttpSettings {
            user_agent: h
                .user_agent
                .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
            connect_timeout: h.connect_timeout.unwrap_or(Duration::from_secs(10)),
            timeout: h.timeout.unwrap_or(Duration::from_secs(30)),
            max_body_bytes: h.max_body_size.map_or(10 * 1024 * 1024, |b| b.as_u64()),
            max_redirects: h.max_redirects.unwrap_or(10),
            per_host_concurrency: h.per_host_concurrency.unwrap_or(2),
        };
        let defaults = Policy::default();
        let policy = Policy {
            per_host_delay: h.per_host_delay.unwrap_or(defaults.per_host_delay),
            respect_robots: h.respect_robots.unwrap_or(defaults.respect_robots),
            allow_private_addresses: h
                .allow_private_addresses
                .unwrap_or(defaults.allow_private_addresses),
            ..defaults
        };
        if http.user_agent.trim().is_empty() {
            problems.push(problem(path, "http.user_agent", "must not be empty".into()));
        }
        if http.per_host_concurrency == 0 {
            problems.push(problem(
                path,
                "http.per_host_concurrency",
                "must be at least 1".into(),
            ));
        }
        if http.max_body_bytes == 0 {
            problems.push(problem(
                path,
                "http.max_body_size",
                "must be more than 0".into(),
            ));
        }
        for (key, d) in [
            ("http.timeout", http.timeout),
            ("http.connect_timeout", http.connect_timeout),
        ] {
            if d.is_zero() {
                problems.push(problem(path, key, "must be more than 0s".into()));
            }
        }

        let p = daemon.pipeline;
        let pipeline = PipelineSettings {
            // Sized from the open-file limit when not set: see
            // `default_request_limit` for what it bounds.
            concurrency: p
                .concurrency
                .unwrap_or_else(|| default_request_limit(open_file_limit())),
            commit_batch: p.commit_batch.unwrap_or(1_000),
            // Short, so that a new article is searchable within about a second
            // of its extraction; under load `commit_batch` commits first.
            commit_interval: p.commit_interval.unwrap_or(Duration::from_secs(1)),
            max_attempts: p.max_attempts.unwrap_or(5),
            retry_delay: p.retry_delay.unwrap_or(Duration::from_secs(60)),
            max_backoff: p.max_backoff.unwrap_or(Duration::from_secs(6 * 3600)),
            stories: p.stories.unwrap_or(true),
        };
        for (key, zero) in [
            ("pipeline.concurrency", pipeline.concurrency == 0),
            ("pipeline.commit_batch", pipeline.commit_batch == 0),
            ("pipeline.max_attempts", pipeline.max_attempts == 0),
        ] {
            if zero {
                problems.push(problem(path, key, "must be at least 1".into()));
            }
        }

        let metrics = MetricsSettings {
            listen: metrics_listen(path, &daemon.metrics, &mut problems),
        };
        let web = WebSettings {
            listen: web_listen(path, &daemon.web, &mut problems),
            auth_token_file: daemon.web.auth_token_file.as_deref().map(resolve),
        };

        let defaults = Defaults {
            poll_interval: daemon
                .defaults
                .poll_interval
                .unwrap_or(DEFAULT_POLL_INTERVAL),
            min_interval: daemon.defaults.min_interval,
            max_interval: daemon.defaults.max_interval,
            enabled: daemon.defaults.enabled.unwrap_or(true),
        };

        let mut sources = Vec::new();
        collect_sources(&doc, daemon_sources, &defaults, &mut sources, &mut problems);

        let (sources_dir, explicit) = match &daemon.sources_dir {
            Some(d) => (resolve(d), true),
            None => (base.join("sources.d"), false),
        };
        read_table_dir(
            &TableDir {
                dir: &sources_dir,
                explicit,
                key: "sources_dir",
                config: path,
            },
            &mut problems,
            |doc, problems| read_source_file(doc, &defaults, &mut sources, problems),
        );

        let mut watches = Vec::new();
        collect_watches(&doc, daemon_watches, &mut watches, &mut problems);
        let (watches_dir, explicit) = match &daemon.watches_dir {
            Some(d) => (resolve(d), true),
            None => (base.join("watches.d"), false),
        };
        read_table_dir(
            &TableDir {
                dir: &watches_dir,
                explicit,
                key: "watches_dir",
                config: path,
            },
            &mut problems,
            |doc, problems| read_watch_file(doc, &mut watches, problems),
        );
        let watches = unique_watches(watches, &mut problems);

        let mut first_seen: HashMap<String, PathBuf> = HashMap::new();
        for s in &sources {
            if let Some(first) = first_seen.get(&s.id) {
                problems.push(Problem {
                    file: s.file.clone(),
                    position: None,
                    key: Some("source.id".into()),
                    message: format!(
                        "duplicate source id '{}' (already defined in {}); ids must be unique",
                        s.id,
                        first.display()
                    ),
                });
            } else {
                first_seen.insert(s.id.clone(), s.file.clone());
            }
        }

        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Config {
            path: path.to_path_buf(),
            index_dir,
            state_dir,
            languages,
            log: daemon.log,
            http,
            policy,
            pipeline,
            metrics,
            web,
            // Not `into_iter().map(Arc::new).collect()`: that reuses the
            // buffer of whole sources for the pointers and never shrinks
            // it (10 MB at 10,000 sources, measured with heaptrack).
            sources: sources.iter().cloned().map(Arc::new).collect(),
            watches,
        })
    }
}

/// Check the `[[source]]` tables of a source file, which holds nothing
/// else.
fn read_source_file(
    doc: &Document<'_>,
    defaults: &Defaults,
    sources: &mut Vec<crate::sources::Source>,
    problems: &mut Vec<Problem>,
) {
    let mut root = match doc.parse() {
        Ok(root) => root,
        Err(p) => return problems.push(p),
    };
    let tables = take_tables(doc, &mut root, "source", problems);
    for (key, _) in root.get_ref().iter() {
        problems.push(doc.problem(
            Some(key.span()),
            None,
            format!(
                "unknown key `{}`: a source file holds only [[source]] tables{}",
                key.get_ref(),
                if key.get_ref() == "watch" {
                    " (put [[watch]] tables in the daemon file or in watches.d)"
                } else {
                    ""
                }
            ),
        ));
    }
    collect_sources(doc, tables, defaults, sources, problems);
}

/// Check the `[[watch]]` tables of a watch file, which holds nothing
/// else.
fn read_watch_file(doc: &Document<'_>, watches: &mut Vec<Watch>, problems: &mut Vec<Problem>) {
    let mut root = match doc.parse() {
        Ok(root) => root,
        Err(p) => return problems.push(p),
    };
    let tables = take_tables(doc, &mut root, "watch", problems);
    for (key, _) in root.get_ref().iter() {
        problems.push(doc.problem(
            Some(key.span()),
            None,
            format!(
                "unknown key `{}`: a watch file holds only [[watch]] tables",
                key.get_ref()
            ),
        ));
    }
    collect_watches(doc, tables, watches, problems);
}

/// The metrics address, if any. Metrics tell an observer which outlets are
/// watched and how the monitor fares, so a non-loopback address must be
/// asked for explicitly (`allow_remote = true`).
fn metrics_listen(path: &Path, m: &MetricsFile, problems: &mut Vec<Problem>) -> Option<SocketAddr> {
    let text = m
        .listen
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())?;
    match text.parse::<SocketAddr>() {
        Ok(addr) if addr.ip().is_loopback() || m.allow_remote.unwrap_or(false) => Some(addr),
        Ok(addr) => {
            problems.push(problem(
                path,
                "metrics.listen",
                format!(
                    "{addr} is not a loopback address; set metrics.allow_remote = true to serve metrics to other hosts"
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(problem(
                path,
                "metrics.listen",
                format!("'{text}' is not an address ({e}); write it like \"127.0.0.1:9187\""),
            ));
            None
        }
    }
}

/// A directory of table files (`sources_dir`, `watches_dir`).
struct TableDir<'a> {
    dir: &'a Path,
    /// Named in the daemon file, not the default.
    explicit: bool,
    /// The daemon file's key naming it, for messages.
    key: &'a str,
    /// The daemon file.
    config: &'a Path,
}

/// Hands every `*.toml` of `at.dir` to `read`. A missing default directory
/// is fine (a deployment may keep all its tables in the daemon file); a
/// missing directory the user named is a mistake worth stopping for.
fn read_table_dir(
    at: &TableDir<'_>,
    problems: &mut Vec<Problem>,
    mut read: impl FnMut(&Document<'_>, &mut Vec<Problem>),
) {
    let files = match toml_files(at.dir) {
        Ok(files) => files,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !at.explicit => return,
        Err(e) => {
            return problems.push(problem(
                at.config,
                at.key,
                format!("cannot read directory {}: {e}", at.dir.display()),
            ))
        }
    };
    for file in files {
        match std::fs::read_to_string(&file) {
            Err(e) => problems.push(Problem {
                file: file.clone(),
                position: None,
                key: None,
                message: format!("cannot read: {e}"),
            }),
            Ok(text) => read(
                &Document {
                    file: &file,
                    text: &text,
                },
                problems,
            ),
        }
    }
}

/// The web address, if any. The pages show everything the index holds and
/// which outlets are watched, so an address other hosts can reach is
/// refused unless a token guards it (`auth_token_file`).
fn web_listen(path: &Path, w: &WebFile, problems: &mut Vec<Problem>) -> Option<SocketAddr> {
    let text = w
        .listen
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())?;
    match text.parse::<SocketAddr>() {
        Ok(addr) if addr.ip().is_loopback() || w.auth_token_file.is_some() => Some(addr),
        Ok(addr) => {
            problems.push(problem(
                path,
                "web.listen",
                format!(
                    "{addr} is not a loopback address and no web.auth_token_file is set; \
                     refusing to serve the index to other hosts without a token \
                     (set web.auth_token_file, or listen on 127.0.0.1)"
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(problem(
                path,
                "web.listen",
                format!("'{text}' is not an address ({e}); write it like \"127.0.0.1:8080\""),
            ));
            None
        }
    }
}

/// `*.toml` files of `dir`, sorted so that loading order is stable.
fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
