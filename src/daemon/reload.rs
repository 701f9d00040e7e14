//! Reload without restart: on SIGHUP (`systemctl reload pressd`), re-read
//! the daemon file and the source files and apply what can change live.
//!
//! Watches are taken as a whole (an added one starts with what is committed
//! from then on, a removed one stops). Sources are compared by id: an added source starts polling, a removed one
//! stops, a changed one gets a new poller with its new settings (keeping its
//! schedule and validators, which live in the state store, unless its URL
//! changed: then the scheduler has the store forget them before the new
//! poller starts), and an unchanged one is left alone. Settings baked into
//! the running parts (paths, the HTTP client, languages, the pipeline, the
//! metrics listener) are reported as needing a restart. An invalid
//! configuration changes nothing: the error names file and key, and the
//! running configuration stays.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::signal::unix::Signal;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::notify;
use super::registry::Registry;
use super::scheduler::Command;
use super::telemetry::Telemetry;
use crate::config::{Config, Source, Watch};
use crate::watch::Watches;

/// Reload on every SIGHUP until `cancel`.
pub(super) async fn on_hangup(
    mut hangups: Signal,
    mut running: Config,
    registry: Arc<Registry>,
    telemetry: Arc<Telemetry>,
    watches: Arc<Watches>,
    commands: mpsc::Sender<Command>,
    cancel: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            got = hangups.recv() => if got.is_none() { break },
        }
        info!(config = %running.path.display(), "SIGHUP received, reloading the configuration");
        notify::reloading();
        reload(&mut running, &registry, &watches, &commands).await;
        telemetry.status_changed();
        notify::reloaded();
    }
}

async fn reload(
    running: &mut Config,
    registry: &Registry,
    watches: &Watches,
    commands: &mpsc::Sender<Command>,
) {
    let path = running.path.clone();
    let loaded = tokio::task::spawn_blocking(move || Config::load(&path)).await;
    let new = match loaded {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            error!(
                problems = e.problems.len(),
                "configuration reload failed; keeping the running configuration:\n{e}"
            );
            return;
        }
        Err(e) => {
            error!(error = %e, "configuration reload failed; keeping the running configuration");
            return;
        }
    };
    for key in needs_restart(running, &new) {
        warn!(key, "setting changed; it needs a restart to take effect");
    }
    let old: Vec<Arc<Source>> = running.enabled_sources().cloned().collect();
    let now: Vec<Arc<Source>> = new.enabled_sources().cloned().collect();
    let diff = diff_sources(&old, &now);

    // The pipeline must see the new settings (language hint, reach) before
    // the new pollers queue anything.
    let updated: Vec<&Arc<Source>> = diff.added.iter().chain(&diff.changed).collect();
    registry.apply(&diff.removed, &updated).await;
    let counts = (
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len(),
        diff.unchanged,
    );
    // Stops first: a removed source's poll must not overlap the new ones.
    let orders = diff
        .removed
        .into_iter()
        .map(Command::Stop)
        .chain(diff.changed.into_iter().map(Command::Restart))
        .chain(diff.added.into_iter().map(Command::Start));
    for order in orders {
        if commands.send(order).await.is_err() {
            // The scheduler is gone: the daemon is stopping.
            return;
        }
    }
    // Only sources and watches are taken live; every other setting stays
    // as it runs.
    running.sources = new.sources;
    let watch_counts = diff_watches(&running.watches, &new.watches);
    watches.replace(&new.watches);
    running.watches = new.watches;
    info!(
        added = watch_counts.0,
        removed = watch_counts.1,
        changed = watch_counts.2,
        "watches reloaded: {} added, {} removed, {} changed",
        watch_counts.0,
        watch_counts.1,
        watch_counts.2
    );
    info!(
        added = counts.0,
        removed = counts.1,
        changed = counts.2,
        unchanged = counts.3,
        "reloaded: {} added, {} removed, {} changed, {} unchanged",
        counts.0,
        counts.1,
        counts.2,
        counts.3
    );
}

/// Watches added, removed and changed between two configurations. The
/// matcher takes the new set as a whole (a new watch starts after what is
/// committed now, see `state::watches`); the counts are for the log.
fn diff_watches(old: &[Arc<Watch>], new: &[Arc<Watch>]) -> (usize, usize, usize) {
    let before: HashMap<&str, &Watch> = old.iter().map(|w| (w.id.as_str(), &**w)).collect();
    let after: HashMap<&str, &Watch> = new.iter().map(|w| (w.id.as_str(), &**w)).collect();
    let added = after.keys().filter(|id| !before.contains_key(*id)).count();
    let removed = before.keys().filter(|id| !after.contains_key(*id)).count();
    let changed = after
        .iter()
        .filter(|(id, w)| before.get(*id).is_some_and(|o| **o != ***w))
        .count();
    (added, removed, changed)
}

/// How the enabled sources differ between two configurations.
#[derive(Debug, Default, PartialEq)]
pub(super) struct SourceDiff {
    pub added: Vec<Arc<Source>>,
    pub removed: Vec<String>,
    /// New settings of sources whose settings differ.
    pub changed: Vec<Arc<Source>>,
    pub unchanged: usize,
}

pub(super) fn diff_sources(old: &[Arc<Source>], new: &[Arc<Source>]) -> SourceDiff {
    let before: HashMap<&str, &Source> = old.iter().map(|s| (s.id.as_str(), &**s)).collect();
    let mut diff = SourceDiff::default();
    for s in new {
        match before.get(s.id.as_str()) {
            None => diff.added.push(Arc::clone(s)),
            Some(o) if same_settings(o, s) => diff.unchanged += 1,
            Some(_) => diff.changed.push(Arc::clone(s)),
        }
    }
    let after: HashMap<&str, &Source> = new.iter().map(|s| (s.id.as_str(), &**s)).collect();
    diff.removed = old
        .iter()
        .filter(|s| !after.contains_key(s.id.as_str()))
        .map(|s| s.id.clone())
        .collect();
    diff
}

/// Equal in everything that affects polling; moving a source to another
/// file is not a change.
fn same_settings(a: &Source, b: &Source) -> bool {
    Source {
        file: b.file.clone(),
        ..a.clone()
    } == *b
}

/// Keys of settings that differ but only take effect on a restart.
pub(super) fn needs_restart(old: &Config, new: &Config) -> Vec<&'static str> {
    let (oh, nh) = (&old.http, &new.http);
    let (op, np) = (&old.policy, &new.policy);
    let (ol, nl) = (&old.pipeline, &new.pipeline);
    [
        ("index_dir", old.index_dir != new.index_dir),
        ("state_dir", old.state_dir != new.state_dir),
        ("languages", old.languages != new.languages),
        ("log", old.log != new.log),
        ("http.user_agent", oh.user_agent != nh.user_agent),
        (
            "http.connect_timeout",
            oh.connect_timeout != nh.connect_timeout,
        ),
        ("http.timeout", oh.timeout != nh.timeout),
        ("http.max_body_size", oh.max_body_bytes != nh.max_body_bytes),
        ("http.max_redirects", oh.max_redirects != nh.max_redirects),
        (
            "http.per_host_concurrency",
            oh.per_host_concurrency != nh.per_host_concurrency,
        ),
        (
            "http.per_host_delay",
            op.per_host_delay != np.per_host_delay,
        ),
        (
            "http.respect_robots",
            op.respect_robots != np.respect_robots,
        ),
        (
            "http.allow_private_addresses",
            op.allow_private_addresses != np.allow_private_addresses,
        ),
        ("pipeline.concurrency", ol.concurrency != nl.concurrency),
        ("pipeline.commit_batch", ol.commit_batch != nl.commit_batch),
        (
            "pipeline.commit_interval",
            ol.commit_interval != nl.commit_interval,
        ),
        ("pipeline.max_attempts", ol.max_attempts != nl.max_attempts),
        ("pipeline.retry_delay", ol.retry_delay != nl.retry_delay),
        ("pipeline.max_backoff", ol.max_backoff != nl.max_backoff),
        ("metrics.listen", old.metrics.listen != new.metrics.listen),
    ]
    .into_iter()
    .filter_map(|(key, differs)| differs.then_some(key))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn source(id: &str, url: &str) -> Source {
        Source {
            id: id.into(),
            url: url::Url::parse(url).expect("url"),
            name: None,
            lang: None,
            poll_interval: Duration::from_secs(60),
            enabled: true,
            file: "a.toml".into(),
            min_interval: None,
            max_interval: None,
            per_host_concurrency: None,
            per_host_delay: None,
            options: crate::config::SourceOptions::Feed,
        }
    }

    #[test]
    fn diff_by_id_and_settings() {
        let old = vec![
            source("kept", "https://k.example/"),
            source("gone", "https://g.example/"),
            source("moved", "https://m.example/"),
            source("slower", "https://s.example/"),
        ];
        let mut moved = source("moved", "https://m.example/");
        moved.file = "b.toml".into();
        let mut slower = source("slower", "https://s.example/");
        slower.poll_interval = Duration::from_secs(600);
        let new = vec![
            source("kept", "https://k.example/"),
            moved,
            slower.clone(),
            source("new", "https://n.example/"),
        ];
        let shared = |v: Vec<Source>| v.into_iter().map(Arc::new).collect::<Vec<_>>();
        let d = diff_sources(&shared(old), &shared(new));
        assert_eq!(d.added, shared(vec![source("new", "https://n.example/")]));
        assert_eq!(d.removed, vec!["gone".to_string()]);
        assert_eq!(d.changed, shared(vec![slower]));
        assert_eq!(d.unchanged, 2);
    }

    #[test]
    fn watches_are_counted_by_id_and_settings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pressd.toml");
        let load = |text: &str| {
            std::fs::write(&path, text).expect("write");
            Config::load(&path).expect("valid").watches
        };
        let old = load("[[watch]]\nid = \"a\"\nquery = \"x\"\nfeed = true\n[[watch]]\nid = \"b\"\nquery = \"y\"\nfeed = true\n");
        let new = load("[[watch]]\nid = \"a\"\nquery = \"x z\"\nfeed = true\n[[watch]]\nid = \"c\"\nquery = \"y\"\nfeed = true\n");
        assert_eq!(diff_watches(&old, &new), (1, 1, 1));
        assert_eq!(diff_watches(&old, &old), (0, 0, 0));
    }

    #[test]
    fn restart_keys_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pressd.toml");
        std::fs::write(&path, "").expect("write");
        let old = Config::load(&path).expect("valid");
        std::fs::write(
            &path,
            "languages = [\"en\", \"ru\"]\n[http]\ntimeout = \"7s\"\n[pipeline]\nconcurrency = 3\n[metrics]\nlisten = \"127.0.0.1:0\"\n[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/\"\n",
        )
        .expect("write");
        let new = Config::load(&path).expect("valid");
        assert_eq!(
            needs_restart(&old, &new),
            vec![
                "languages",
                "http.timeout",
                "pipeline.concurrency",
                "metrics.listen"
            ]
        );
        assert!(needs_restart(&old, &old).is_empty());
    }
}
