//! Issue 7: pressd as a real systemd service. The sd_notify conversation
//! over a real datagram socket, reload on SIGHUP, the metrics listener, and
//! the shipped unit file checked by systemd-analyze.

use std::collections::HashMap;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use wiremock::MockServer;

use crate::harness::{feed_source, wait_until, Daemon, Deployment, World, FEEDS};

/// Collects every datagram sent to a notify socket, in order.
struct NotifySocket {
    path: PathBuf,
    messages: Arc<Mutex<Vec<String>>>,
}

impl NotifySocket {
    fn bind(dir: &Path) -> NotifySocket {
        let path = dir.join("notify.sock");
        let socket = UnixDatagram::bind(&path).expect("bind notify socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::downgrade(&messages);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            // Ends when the test drops its end of the list.
            while let Some(list) = sink.upgrade() {
                if let Ok(n) = socket.recv(&mut buf) {
                    if let Ok(mut l) = list.lock() {
                        // One datagram holds newline-separated assignments.
                        l.push(String::from_utf8_lossy(&buf[..n]).trim_end().to_string());
                    }
                }
            }
        });
        NotifySocket { path, messages }
    }

    fn env(&self) -> (&'static str, &str) {
        ("NOTIFY_SOCKET", self.path.to_str().expect("utf-8 path"))
    }

    fn messages(&self) -> Vec<String> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Index of the first message at or after `from` containing `needle`.
    fn find(&self, needle: &str, from: usize) -> Option<usize> {
        self.messages()
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, m)| m.contains(needle))
            .map(|(i, _)| i)
    }
}

/// How many requests the server received for `path`.
async fn hits(server: &MockServer, path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == path)
        .count()
}

fn feed_path(id: &str) -> &'static str {
    FEEDS
        .iter()
        .find(|(fid, ..)| *fid == id)
        .map(|(_, p, ..)| *p)
        .expect("a fixture feed")
}

#[tokio::test(flavor = "multi_thread")]
async fn notify_ready_status_watchdog_stopping_in_order() {
    let world = World::start().await;
    let dep = Deployment::new(&world.healthy_sources());
    let notify = NotifySocket::bind(dep.dir.path());
    let daemon = Daemon::start(&dep, &[notify.env(), ("WATCHDOG_USEC", "1000000")]);

    // The status line follows the work: all four outlets polled fine.
    let live = wait_until(Duration::from_secs(30), || {
        notify
            .find("STATUS=4 sources: 4 ok, 0 failing", 0)
            .is_some()
            && notify
                .messages()
                .iter()
                .filter(|m| *m == "WATCHDOG=1")
                .count()
                >= 2
    })
    .await;
    assert!(
        live,
        "notifications: {:?}\n{}",
        notify.messages(),
        daemon.log()
    );
    daemon.stop();
    assert!(
        wait_until(Duration::from_secs(5), || notify
            .find("STOPPING=1", 0)
            .is_some())
        .await,
        "{:?}",
        notify.messages()
    );

    let messages = notify.messages();
    // READY carries the first status line in the same datagram.
    assert!(messages[0].starts_with("READY=1\nSTATUS="), "{messages:?}");
    let watchdog = notify.find("WATCHDOG=1", 0).expect("a watchdog ping");
    let later_status = notify.find("STATUS=", 1).expect("status updates");
    let stopping = notify.find("STOPPING=1", 0).expect("stopping");
    assert!(watchdog > 0 && later_status > 0, "{messages:?}");
    assert_eq!(
        stopping,
        messages.len() - 1,
        "STOPPING comes last: {messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("articles indexed today")),
        "{messages:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_adds_removes_and_restarts_sources_and_survives_a_broken_file() {
    let world = World::start().await;
    let dep = Deployment::new("");
    let sources_d = dep.dir.path().join("sources.d");
    std::fs::create_dir_all(&sources_d).expect("mkdir sources.d");
    let source_file = |id: &str, extra: &str| {
        let entry = feed_source(id, &world.url(feed_path(id)));
        std::fs::write(
            sources_d.join(format!("{id}.toml")),
            format!("{entry}poll_interval = \"1s\"\n{extra}"),
        )
        .expect("write source file");
    };
    source_file("az-outlet", "");
    source_file("hy-outlet", "");
    source_file("ru-outlet", "");
    let notify = NotifySocket::bind(dep.dir.path());
    let daemon = Daemon::start(&dep, &[notify.env()]);

    let (az, hy, ru, en) = (
        feed_path("az-outlet"),
        feed_path("hy-outlet"),
        feed_path("ru-outlet"),
        feed_path("en-outlet"),
    );
    let mut polled_twice = false;
    let start = Instant::now();
    while !polled_twice && start.elapsed() < Duration::from_secs(30) {
        polled_twice = hits(&world.server, hy).await >= 2 && hits(&world.server, az).await >= 2;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        polled_twice,
        "sources not polled every second:\n{}",
        daemon.log()
    );

    // A broken file (and an added source in the same change): rejected as a
    // whole, with file and key named; the running sources carry on.
    std::fs::write(
        sources_d.join("broken.toml"),
        "[[source]]\nid = \"broken\"\nkind = \"feed\"\nurl = \"not a url\"\n",
    )
    .expect("write broken file");
    source_file("en-outlet", "");
    daemon.signal(Signal::SIGHUP);
    let rejected = wait_until(Duration::from_secs(10), || {
        daemon.log().contains("configuration reload failed")
    })
    .await;
    assert!(rejected, "{}", daemon.log());
    let log = daemon.log();
    assert!(log.contains("broken.toml"), "{log}");
    assert!(log.contains("source[0].url"), "{log}");
    let hy_before = hits(&world.server, hy).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        hits(&world.server, hy).await > hy_before,
        "old sources must keep running after a rejected reload"
    );
    assert_eq!(
        hits(&world.server, en).await,
        0,
        "nothing of a rejected reload applies"
    );

    // Fixed: en added, hy removed, ru changed (a new name), az unchanged.
    std::fs::remove_file(sources_d.join("broken.toml")).expect("rm broken");
    std::fs::remove_file(sources_d.join("hy-outlet.toml")).expect("rm hy");
    source_file("ru-outlet", "name = \"Renamed outlet\"\n");
    let reloads_before = notify.messages().len();
    daemon.signal(Signal::SIGHUP);
    let reloaded = wait_until(Duration::from_secs(10), || {
        daemon
            .log()
            .contains("reloaded: 1 added, 1 removed, 1 changed, 1 unchanged")
    })
    .await;
    assert!(reloaded, "{}", daemon.log());
    let reloading = notify
        .find("RELOADING=1", reloads_before)
        .expect("RELOADING=1 sent");
    assert!(
        notify.messages()[reloading].contains("MONOTONIC_USEC="),
        "{:?}",
        notify.messages()
    );
    assert!(
        notify.find("READY=1", reloading).is_some(),
        "READY=1 after the reload: {:?}",
        notify.messages()
    );

    assert!(
        wait_until(Duration::from_secs(10), || {
            tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(hits(&world.server, en))
            }) > 0
        })
        .await,
        "the added source is polled:\n{}",
        daemon.log()
    );
    // Let a poll that was under way when the reload came finish.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (hy_after, az_after, ru_after) = (
        hits(&world.server, hy).await,
        hits(&world.server, az).await,
        hits(&world.server, ru).await,
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        hits(&world.server, hy).await,
        hy_after,
        "the removed source is not polled any more"
    );
    assert!(
        hits(&world.server, az).await > az_after,
        "unchanged source keeps polling"
    );
    assert!(
        hits(&world.server, ru).await > ru_after,
        "changed source polls again"
    );

    let out = dep.run(&["sources", "--format", "json"]);
    assert!(out.status.success(), "{}", crate::harness::text(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"en-outlet") && !ids.contains(&"hy-outlet"),
        "{ids:?}"
    );
    let en_row = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["id"] == "en-outlet")
        .expect("en row");
    assert_eq!(en_row["status"], "ok", "{en_row}");
    daemon.stop();
}

/// `name{labels}` → value, for every sample line of a Prometheus text page.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

fn sum(samples: &HashMap<String, f64>, prefix: &str, contains: &[&str]) -> f64 {
    samples
        .iter()
        .filter(|(k, _)| k.starts_with(prefix) && contains.iter().all(|c| k.contains(c)))
        .map(|(_, v)| v)
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_and_healthz_are_served_on_loopback() {
    let world = World::start().await;
    let dep = Deployment::new(&format!(
        "[metrics]\nlisten = \"127.0.0.1:0\"\n\n{}",
        world.healthy_sources()
    ));
    let daemon = Daemon::start(&dep, &[]);
    let mut base = None;
    let start = Instant::now();
    while base.is_none() && start.elapsed() < Duration::from_secs(20) {
        base = daemon.log().lines().find_map(|l| {
            let rest = l.split("metrics listening").nth(1)?;
            let addr = rest.split("addr=").nth(1)?.split_whitespace().next()?;
            Some(format!("http://{addr}"))
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let base = base.unwrap_or_else(|| panic!("no metrics address logged:\n{}", daemon.log()));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");

    let pages = world.pages.len() as f64;
    let mut last = HashMap::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let r = client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("scrape");
        assert_eq!(r.status(), 200);
        last = samples(&r.text().await.expect("body"));
        // The writer counts a batch just after committing it, so a scrape
        // can fall between the two.
        if last.get("pressd_index_documents") == Some(&pages)
            && sum(&last, "pressd_articles_indexed_total{", &[]) == pages
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        last.get("pressd_index_documents"),
        Some(&pages),
        "{last:?}\n{}",
        daemon.log()
    );
    assert_eq!(sum(&last, "pressd_articles_indexed_total{", &[]), pages);
    assert!(sum(&last, "pressd_articles_indexed_total{", &["lang=\"hy\""]) >= 1.0);
    assert!(
        sum(
            &last,
            "pressd_fetches_total{",
            &["kind=\"feed\"", "outcome=\"ok\""]
        ) >= FEEDS.len() as f64,
        "{last:?}"
    );
    assert!(sum(&last, "pressd_fetches_total{", &["kind=\"article\""]) >= pages);
    assert_eq!(last.get("pressd_sources"), Some(&(FEEDS.len() as f64)));
    assert!(last.contains_key("pressd_queue_depth"), "{last:?}");
    let polled_at = last
        .get("pressd_last_successful_poll_seconds{source=\"az-outlet\"}")
        .copied()
        .unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    assert!((now - polled_at).abs() < 120.0, "{polled_at} vs {now}");
    assert!(
        sum(&last, "pressd_poll_duration_seconds_count{", &[]) >= FEEDS.len() as f64,
        "{last:?}"
    );

    let health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let missing = client
        .get(format!("{base}/nothing"))
        .send()
        .await
        .expect("404");
    assert_eq!(missing.status(), 404);
    daemon.stop();
}

/// The shipped unit file: `systemd-analyze verify` passes (on a copy whose
/// ExecStart points at the binary under test) and the offline security
/// review rates it "OK" (2.5 or less).
#[test]
fn unit_file_verifies_and_is_hardened() {
    if std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping: systemd-analyze is not installed");
        return;
    }
    let unit = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/pressd.service");
    let text = std::fs::read_to_string(&unit).expect("packaging/pressd.service");
    assert!(text.contains("ExecStart=/usr/local/bin/pressd"), "{text}");
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("pressd.service");
    std::fs::write(
        &copy,
        text.replace("/usr/local/bin/pressd", env!("CARGO_BIN_EXE_pressd")),
    )
    .expect("write unit copy");

    let verify = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .output()
        .expect("systemd-analyze verify");
    assert!(
        verify.status.success(),
        "systemd-analyze verify: {}",
        crate::harness::text(&verify)
    );

    let security = std::process::Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&copy)
        .output()
        .expect("systemd-analyze security");
    let out = crate::harness::text(&security);
    let score: f64 = out
        .lines()
        .find_map(|l| l.split("Overall exposure level for pressd.service:").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{out}"));
    assert!(score <= 2.5, "exposure {score} > 2.5:\n{out}");
}
