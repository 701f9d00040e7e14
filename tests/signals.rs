//! Issue 2: stopping the daemon. SIGTERM mid-poll exits 0 within 10 s;
//! SIGKILL mid-poll loses nothing and duplicates nothing after a restart.

use std::time::Duration;

use nix::sys::signal::Signal;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{
    feed_source, fixture_bytes, serve, serve_feed, wait_until, Daemon, Deployment, World, FEEDS,
};

/// Serve the healthy outlets of the world with every article page slow, so
/// that the daemon is caught mid-fetch.
async fn slow_world(delay: Duration) -> (MockServer, Vec<crate::harness::Page>) {
    let server = MockServer::start().await;
    let base = server.uri();
    for (_, p, file, ct) in FEEDS {
        serve_feed(&server, p, ct, fixture_bytes(file, &base)).await;
    }
    let pages = crate::harness::pages();
    for page in &pages {
        Mock::given(path(page.path.as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", page.content_type.as_str())
                    .set_body_bytes(fixture_bytes(&page.file, &base))
                    .set_delay(delay),
            )
            .mount(&server)
            .await;
    }
    (server, pages)
}

fn world_sources(server: &MockServer) -> String {
    FEEDS
        .iter()
        .map(|(id, p, _, _)| feed_source(id, &format!("{}{p}", server.uri())))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_poll_exits_zero_within_ten_seconds() {
    let (server, pages) = slow_world(Duration::from_millis(2500)).await;
    let dep = Deployment::new(&world_sources(&server));
    let mut daemon = Daemon::start(&dep, &[]);
    let fetching = wait_until(Duration::from_secs(20), || {
        futures_lite_block(server.received_requests()).is_some_and(|r| {
            r.iter()
                .any(|r| pages.iter().any(|p| p.path == r.url.path()))
        })
    })
    .await;
    assert!(
        fetching,
        "daemon never started fetching articles:\n{}",
        daemon.log()
    );
    daemon.signal(Signal::SIGTERM);
    let (status, took) = daemon
        .wait(Duration::from_secs(10))
        .expect("exits within 10 s of SIGTERM");
    assert!(
        status.success(),
        "exit status {status:?}:\n{}",
        daemon.log()
    );
    assert!(took < Duration::from_secs(10));
    assert!(daemon.log().contains("SIGTERM"), "{}", daemon.log());
}

/// Blocks on a future from synchronous test code run inside the runtime.
fn futures_lite_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_poll_then_restart_indexes_the_queue_once() {
    let (server, pages) = slow_world(Duration::from_millis(1500)).await;
    let dep = Deployment::new(&world_sources(&server));
    let mut daemon = Daemon::start(&dep, &[]);
    // Wait until every feed was polled (all items queued) and fetches began.
    let polled = wait_until(Duration::from_secs(20), || {
        daemon.log().matches("polled").count() >= FEEDS.len()
    })
    .await;
    assert!(polled, "feeds were not polled:\n{}", daemon.log());
    tokio::time::sleep(Duration::from_millis(300)).await;
    daemon.signal(Signal::SIGKILL);
    daemon.wait(Duration::from_secs(5)).expect("killed");

    // After the restart the feeds publish nothing: whatever gets indexed
    // comes from the persisted queue.
    server.reset().await;
    for (_, p, _, _) in FEEDS {
        Mock::given(path(*p))
            .respond_with(ResponseTemplate::new(304))
            .mount(&server)
            .await;
    }
    let base = server.uri();
    for page in &pages {
        serve(
            &server,
            &page.path,
            &page.content_type,
            fixture_bytes(&page.file, &base),
        )
        .await;
    }
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", crate::harness::text(&out));
    for page in &pages {
        let found = dep.search(&[&page.keyword]);
        assert_eq!(
            found["total"], 1,
            "{} must be indexed exactly once after the restart: {found}",
            page.file
        );
    }
    assert_eq!(dep.search(&["*"])["total"], pages.len());
}

/// An empty deployment is valid: the daemon starts, tells systemd it is
/// ready, idles, and stops cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread")]
async fn empty_config_starts_notifies_ready_and_idles() {
    let dep = Deployment::new("");
    let socket_path = dep.dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).expect("bind notify socket");
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut daemon = Daemon::start(
        &dep,
        &[("NOTIFY_SOCKET", socket_path.to_str().expect("utf-8 path"))],
    );
    let mut buf = [0u8; 512];
    let n = socket.recv(&mut buf).expect("a notification arrives");
    assert!(
        String::from_utf8_lossy(&buf[..n]).contains("READY=1"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        daemon.child.try_wait().expect("try_wait").is_none(),
        "daemon must keep running with no sources"
    );
    daemon.signal(Signal::SIGTERM);
    let (status, _) = daemon
        .wait(Duration::from_secs(10))
        .expect("stops on SIGTERM");
    assert!(status.success(), "{}", daemon.log());
    let n = socket.recv(&mut buf).expect("STOPPING notification");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1"));
}

/// Also start with the World's broken sources to make sure none of them
/// keeps the daemon from stopping promptly.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_while_a_server_stalls() {
    let world = World::start().await;
    let dep = Deployment::new(&world.broken_sources());
    let mut daemon = Daemon::start(&dep, &[]);
    let started = wait_until(Duration::from_secs(20), || {
        daemon.log().contains("pressd started")
    })
    .await;
    assert!(started, "{}", daemon.log());
    tokio::time::sleep(Duration::from_millis(500)).await;
    daemon.signal(Signal::SIGTERM);
    let (status, _) = daemon
        .wait(Duration::from_secs(10))
        .expect("exits within 10 s");
    assert!(status.success(), "{}", daemon.log());
}

/// Readers never block the writer: `pressd search` answers while the daemon
/// runs and sees what it committed.
#[tokio::test(flavor = "multi_thread")]
async fn search_works_while_the_daemon_runs() {
    let world = World::start().await;
    let dep = Deployment::new(&world.healthy_sources());
    let mut daemon = Daemon::start(&dep, &[]);
    let keyword = world.pages[0].keyword.clone();
    let found = wait_until(Duration::from_secs(30), || {
        let out = dep.run(&["search", &keyword, "--format", "json"]);
        out.status.success()
            && serde_json::from_slice::<serde_json::Value>(&out.stdout)
                .is_ok_and(|v| v["total"] == 1)
    })
    .await;
    assert!(
        found,
        "search never saw the daemon's commits:\n{}",
        daemon.log()
    );
    assert!(
        daemon.child.try_wait().expect("try_wait").is_none(),
        "daemon still running"
    );
    daemon.signal(Signal::SIGTERM);
    let (status, _) = daemon.wait(Duration::from_secs(10)).expect("exits");
    assert!(status.success());
}
