//! Issue 12: a source whose URL changes in the config starts afresh at the
//! new URL. Its old URL's ETag and Last-Modified are not sent there (a
//! server may answer 304 to them, and the source would never index
//! anything again), and its schedule starts over, whether the change comes
//! by a SIGHUP reload or with a restart.

use std::time::Duration;

use nix::sys::signal::Signal;
use serde_json::Value;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{feed_source, fixture_bytes, wait_until, Daemon, Deployment, World};

/// Where the source lives before the change: a feed of the world that
/// answers with an ETag and Last-Modified.
const OLD_FEED: &str = "/feeds/az.xml";

/// The path of the feed on the new server.
const NEW_FEED: &str = "/rss";

/// The new URL's server: 304 to any conditional request, whatever the
/// validators say, and otherwise the Armenian outlet's feed, whose articles
/// are pages of the world. The strictest server there is: only a request
/// without validators gets anything.
async fn strict_server(world: &World) -> MockServer {
    let server = MockServer::start().await;
    for validator in ["if-none-match", "if-modified-since"] {
        Mock::given(method("GET"))
            .and(path(NEW_FEED))
            .and(header_exists(validator))
            .respond_with(ResponseTemplate::new(304).insert_header("etag", "\"strict\""))
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(NEW_FEED))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/atom+xml")
                .insert_header("etag", "\"strict\"")
                .set_body_bytes(fixture_bytes("feed_hy.atom", &world.server.uri())),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

/// The requests the new server received, each as whether it carried a
/// validator.
async fn conditional_requests(server: &MockServer) -> Vec<bool> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == NEW_FEED)
        .map(|r| {
            r.headers.contains_key("if-none-match") || r.headers.contains_key("if-modified-since")
        })
        .collect()
}

/// Keywords of the articles the new URL's feed lists.
fn new_keywords(world: &World) -> Vec<String> {
    world
        .pages
        .iter()
        .filter(|p| p.path.starts_with("/hy/"))
        .map(|p| p.keyword.clone())
        .collect()
}

fn sources_json(dep: &Deployment) -> Vec<Value> {
    let out = dep.run(&["sources", "--format", "json"]);
    if !out.status.success() {
        return Vec::new();
    }
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

fn row(dep: &Deployment, id: &str) -> Option<Value> {
    sources_json(dep).into_iter().find(|r| r["id"] == id)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_with_a_changed_url_polls_the_new_one_without_the_old_validators() {
    let world = World::start().await;
    let strict = strict_server(&world).await;
    let dep = Deployment::new("");
    let sources_d = dep.dir.path().join("sources.d");
    std::fs::create_dir_all(&sources_d).expect("mkdir sources.d");
    let file = sources_d.join("outlet.toml");
    // The default interval (1 h): without a fresh schedule the new URL
    // would not be asked for an hour.
    std::fs::write(&file, feed_source("outlet", &world.url(OLD_FEED))).expect("write source");
    let daemon = Daemon::start(&dep, &[]);

    // The old URL was polled and its validators stored.
    let polled = wait_until(Duration::from_secs(30), || {
        row(&dep, "outlet").is_some_and(|r| !r["last_success"].is_null())
    })
    .await;
    assert!(polled, "the old URL was not polled:\n{}", daemon.log());

    std::fs::write(
        &file,
        feed_source("outlet", &format!("{}{NEW_FEED}", strict.uri())),
    )
    .expect("rewrite source");
    daemon.signal(Signal::SIGHUP);
    let reloaded = wait_until(Duration::from_secs(10), || {
        daemon
            .log()
            .contains("reloaded: 0 added, 0 removed, 1 changed, 0 unchanged")
    })
    .await;
    assert!(reloaded, "{}", daemon.log());

    let asked = wait_until(Duration::from_secs(15), || {
        !block_on(conditional_requests(&strict)).is_empty()
    })
    .await;
    assert!(
        asked,
        "the new URL was not polled soon after the reload:\n{}",
        daemon.log()
    );
    assert!(
        !conditional_requests(&strict).await[0],
        "the first request to the new URL must carry no validators"
    );
    let keywords = new_keywords(&world);
    assert!(!keywords.is_empty());
    let indexed = wait_until(Duration::from_secs(30), || {
        keywords
            .iter()
            .all(|k| dep.search(&[k.as_str()])["total"] == 1)
    })
    .await;
    assert!(
        indexed,
        "the new URL's articles were not indexed:\n{}",
        daemon.log()
    );
    assert!(
        daemon.log().contains("source URL changed"),
        "{}",
        daemon.log()
    );
    let outlet = row(&dep, "outlet").expect("outlet row");
    assert_eq!(outlet["status"], "ok", "{outlet}");
    assert_eq!(outlet["consecutive_failures"], 0, "{outlet}");
    daemon.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_with_a_changed_url_polls_the_new_one_afresh() {
    let world = World::start().await;
    let strict = strict_server(&world).await;
    let new_url = format!("{}{NEW_FEED}", strict.uri());
    let dep = Deployment::new(&feed_source("outlet", &world.url("/feeds/500.xml")));
    let move_source = |from: &str, to: &str| {
        let config = std::fs::read_to_string(&dep.config).expect("read config");
        assert!(config.contains(from), "{config}");
        std::fs::write(&dep.config, config.replace(from, to)).expect("rewrite config");
    };
    let run_once = || {
        let out = dep.run(&["run", "--once"]);
        let text = crate::harness::text(&out);
        assert!(out.status.success(), "{text}");
        text
    };
    let failures = || row(&dep, "outlet").expect("outlet row")["consecutive_failures"].clone();

    let text = run_once();
    assert!(text.contains("outlet: FAILED"), "{text}");
    assert_eq!(failures(), 1);
    // Failing at another URL too: that is its first failure, not a second.
    move_source(&world.url("/feeds/500.xml"), &world.url("/feeds/gone.xml"));
    let text = run_once();
    assert!(text.contains("outlet: FAILED"), "{text}");
    assert_eq!(failures(), 1);

    // A URL that answers with validators, which the store keeps...
    move_source(&world.url("/feeds/gone.xml"), &world.url(OLD_FEED));
    let text = run_once();
    assert!(
        text.contains("outlet: ok, ") && !text.contains("outlet: ok, 0 new"),
        "{text}"
    );

    // ...and are not sent to the next URL.
    move_source(&world.url(OLD_FEED), &new_url);
    let text = run_once();
    let keywords = new_keywords(&world);
    assert!(
        text.contains(&format!("outlet: ok, {} new", keywords.len())),
        "{text}"
    );
    assert_eq!(conditional_requests(&strict).await, [false], "{text}");
    for k in &keywords {
        assert_eq!(dep.search(&[k.as_str()])["total"], 1, "{k}: {text}");
    }

    // The URL unchanged: its own validators are sent, and hold.
    let text = run_once();
    assert!(text.contains("outlet: ok, 0 new"), "{text}");
    assert_eq!(conditional_requests(&strict).await, [false, true], "{text}");
}
