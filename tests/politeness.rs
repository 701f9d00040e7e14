//! Issue 12: per-host politeness holds for every request the daemon sends,
//! robots.txt included, from a host's first request on, while the
//! dispatcher hands out several pages of one host at once: starts are a
//! full `per_host_delay` apart even when request slots on the wire are
//! scarce, and no host has more than `per_host_concurrency` requests in
//! flight.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

use crate::harness::{feed_source, text, Deployment};

/// What one host saw: when each request arrived, and the most requests it
/// ever had in flight at once.
#[derive(Default)]
struct Seen {
    starts: Mutex<Vec<(Instant, String)>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

/// One outlet on its own port (a host is a name and a port): robots.txt,
/// a feed of `pages` articles, and the articles, each answered after
/// `latency`.
async fn outlet(pages: usize, latency: Duration) -> (String, Arc<Seen>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let seen = Arc::new(Seen::default());
    let (root, log) = (base.clone(), Arc::clone(&seen));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (root, log) = (root.clone(), Arc::clone(&log));
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    answer(req, root.clone(), Arc::clone(&log), pages, latency)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (base, seen)
}

async fn answer(
    req: Request<Incoming>,
    base: String,
    seen: Arc<Seen>,
    pages: usize,
    latency: Duration,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    seen.starts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((Instant::now(), path.clone()));
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.peak.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(latency).await;
    let (content_type, body) = match path.as_str() {
        "/robots.txt" => ("text/plain", "User-agent: *\nAllow: /\n".to_string()),
        "/feed.xml" => {
            let items: String = (0..pages)
                .map(|i| {
                    format!(
                        "<item><title>Council report {i}</title><link>{base}/a/{i}</link>\
                         <pubDate>Fri, 15 Mar 2024 12:{i:02}:00 GMT</pubDate></item>"
                    )
                })
                .collect();
            (
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>\
                     <title>Outlet</title><link>{base}/</link>{items}</channel></rss>"
                ),
            )
        }
        _ => (
            "text/html; charset=utf-8",
            format!(
                "<!doctype html><html lang=\"en\"><head><title>Report {path}</title></head>\
                 <body><article><h1>Report {path}</h1><p>The regional council met on \
                 Tuesday to discuss the budget for roads, schools and the water supply, \
                 and agreed to publish the figures next month.</p></article></body></html>"
            ),
        ),
    };
    // Out of the count before the answer leaves: once the client has it,
    // it may send the next request.
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    Ok(Response::builder()
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

/// Outlets of `(pages, latency)` polled and fetched by `pressd run --once`
/// with the given politeness and request slots on the wire; every request
/// each outlet saw is checked: no two closer than `delay`, no more than
/// `per_host` at once, robots.txt and every page asked for.
async fn run_and_check(
    outlets: &[(usize, Duration)],
    delay: Duration,
    per_host: usize,
    request_slots: Option<usize>,
) {
    let mut running = Vec::new();
    for (pages, latency) in outlets {
        running.push((outlet(*pages, *latency).await, *pages));
    }
    let sources: String = running
        .iter()
        .enumerate()
        .map(|(i, ((base, _), _))| feed_source(&format!("outlet-{i}"), &format!("{base}/feed.xml")))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("pressd.toml");
    std::fs::write(
        &config,
        format!(
            r#"index_dir = "index"
state_dir = "state"
languages = ["en", "ru"]
log = "info,pressd=debug"

[http]
user_agent = "pressd-test/1 (+http://127.0.0.1/)"
timeout = "10s"
per_host_concurrency = {per_host}
per_host_delay = "{}ms"

[pipeline]
{request_slots}
commit_interval = "1s"

[defaults]
poll_interval = "1h"

{sources}"#,
            delay.as_millis(),
            // Unset: the default, sized from the open-file limit.
            request_slots = request_slots
                .map(|n| format!("concurrency = {n}"))
                .unwrap_or_default(),
        ),
    )
    .expect("write config");
    let dep = Deployment { dir, config };

    let out = tokio::task::spawn_blocking(move || dep.run(&["run", "--once"]))
        .await
        .expect("run");
    let log = text(&out);
    assert!(out.status.success(), "run --once failed:\n{log}");

    for ((base, seen), pages) in &running {
        let mut starts = seen
            .starts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        starts.sort();
        let paths: Vec<&str> = starts.iter().map(|(_, p)| p.as_str()).collect();
        assert!(
            paths.contains(&"/robots.txt")
                && paths.iter().filter(|p| p.starts_with("/a/")).count() >= *pages,
            "{base}: every page and robots.txt should have been asked for: {paths:?}\n{log}"
        );
        // The server sees arrivals, not the client's starts: some
        // transport and scheduling jitter between the two processes is
        // allowed (a request of the daemon can wait for a worker thread
        // busy extracting a page).
        let slack = Duration::from_millis(50);
        for pair in starts.windows(2) {
            let gap = pair[1].0 - pair[0].0;
            assert!(
                gap + slack >= delay,
                "{base}: {} started {gap:?} after {} (per_host_delay {delay:?}); all: {:?}",
                pair[1].1,
                pair[0].1,
                starts
                    .iter()
                    .map(|(t, p)| format!("{p} +{:?}", *t - starts[0].0))
                    .collect::<Vec<_>>()
            );
        }
        let peak = seen.peak.load(Ordering::SeqCst);
        assert!(
            peak <= per_host,
            "{base}: {peak} requests in flight at once (per_host_concurrency {per_host})"
        );
    }
}

/// Each outlet's pages are all due at once, behind one request slot on
/// the wire that a slow outlet keeps busy: requests wait for the slot after
/// their host's turn came, and must still go out a full spacing apart,
/// robots.txt and the first pages included.
#[tokio::test(flavor = "multi_thread")]
async fn spacing_holds_while_requests_wait_for_a_slot() {
    let slow = (3, Duration::from_millis(800));
    let fast = (5, Duration::from_millis(100));
    run_and_check(
        &[slow, fast, fast, fast],
        Duration::from_millis(400),
        2,
        Some(1),
    )
    .await;
}

/// An outlet that answers slower than its spacing: its pages, all due at
/// once, would overlap five deep without the concurrency limit.
#[tokio::test(flavor = "multi_thread")]
async fn concurrency_holds_for_a_host_slower_than_its_spacing() {
    let slow = (6, Duration::from_millis(1000));
    let fast = (3, Duration::from_millis(50));
    run_and_check(&[slow, fast], Duration::from_millis(200), 2, Some(8)).await;
}

/// Issue 17: with the default request limit (no `pipeline.concurrency`),
/// many outlets at real latency, each new to the daemon: every host's
/// robots.txt, feed and pages, all asked for at once from the first
/// request on, keep the spacing and the per-host limit.
#[tokio::test(flavor = "multi_thread")]
async fn spacing_holds_from_the_first_request_with_the_default_request_limit() {
    let outlets: Vec<(usize, Duration)> = (0..8)
        .map(|i| (3, Duration::from_millis(20 + 40 * i)))
        .collect();
    run_and_check(&outlets, Duration::from_millis(300), 2, None).await;
}
