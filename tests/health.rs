//! Issue 5: source health that fails loudly (stale, extraction-failing,
//! failing then recovered, each change logged) and per-host politeness
//! held by the real daemon.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{feed_source, serve, serve_feed, text, Deployment, World};

/// `pressd sources --format json`, by id.
fn statuses(dep: &Deployment) -> HashMap<String, Value> {
    let out = dep.run(&["sources", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    let rows: Value = serde_json::from_slice(&out.stdout).expect("json");
    rows.as_array()
        .expect("array")
        .iter()
        .map(|r| (r["id"].as_str().expect("id").to_string(), r.clone()))
        .collect()
}

fn rss(base: &str, prefix: &str, n: usize) -> Vec<u8> {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>Item {i} of {prefix}</title><link>{base}/{prefix}/{i}</link>\
                 <pubDate>Fri, 15 Mar 2024 12:0{i}:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{prefix}</title>{items}</channel></rss>"
    )
    .into_bytes()
}

/// Whether `log` has the warning that `source` turned `status` (with
/// `detail` on the same line, when given).
fn warned_status(log: &str, source: &str, status: &str, detail: Option<&str>) -> bool {
    log.lines().any(|l| {
        l.contains("WARN")
            && l.contains("source status changed")
            && l.contains(source)
            && l.contains(status)
            && detail.is_none_or(|d| l.contains(d))
    })
}

/// A page whose article text is a few real sentences.
fn article_page(title: &str) -> Vec<u8> {
    let para = "The parliament discussed the new budget for the coming year at length, \
                and several members proposed amendments on regional transport. ";
    format!(
        "<!doctype html><html lang=\"en\"><head><title>{title}</title></head><body>\
         <article><h1>{title}</h1><p>{}</p><p>{}</p></article></body></html>",
        para.repeat(3),
        para.repeat(2)
    )
    .into_bytes()
}

/// A source whose pages come out empty (a layout change, a consent wall) is
/// flagged extraction-failing, with a warning; a healthy one stays ok.
#[tokio::test(flavor = "multi_thread")]
async fn empty_pages_flag_extraction_failing() {
    let server = MockServer::start().await;
    let base = server.uri();
    serve_feed(
        &server,
        "/empty.xml",
        "application/rss+xml",
        rss(&base, "empty", 5),
    )
    .await;
    serve_feed(
        &server,
        "/good.xml",
        "application/rss+xml",
        rss(&base, "good", 3),
    )
    .await;
    for i in 0..5 {
        serve(
            &server,
            &format!("/empty/{i}"),
            "text/html",
            b"<!doctype html><html><head><title></title></head><body><div id=\"app\"></div></body></html>"
                .to_vec(),
        )
        .await;
    }
    for i in 0..3 {
        serve(
            &server,
            &format!("/good/{i}"),
            "text/html",
            article_page(&format!("Budget debate {i}")),
        )
        .await;
    }
    let dep = Deployment::new(&format!(
        "{}{}",
        feed_source("walled", &format!("{base}/empty.xml")),
        feed_source("fine", &format!("{base}/good.xml"))
    ));
    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let warned = log.lines().find(|l| {
        l.contains("source status changed")
            && l.contains("walled")
            && l.contains("extraction-failing")
    });
    assert!(warned.is_some_and(|l| l.contains("WARN")), "{log}");
    let rows = statuses(&dep);
    assert_eq!(rows["walled"]["status"], "extraction-failing", "{rows:?}");
    assert_eq!(rows["fine"]["status"], "ok", "{rows:?}");
    assert!(!log
        .lines()
        .any(|l| l.contains("source status changed") && l.contains("fine")));
    let table = String::from_utf8_lossy(&dep.run(&["sources"]).stdout).to_string();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("walled") && l.contains("extraction-failing")),
        "{table}"
    );
}

/// A source that answers but has published nothing for far longer than
/// usual is stale. The silence is made by moving the recorded times back.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_silence_is_stale() {
    let world = World::start().await;
    let dep = Deployment::new(&world.healthy_sources());
    assert!(dep.run(&["run", "--once"]).status.success());
    let rows = statuses(&dep);
    assert_eq!(rows["az-outlet"]["status"], "ok", "{rows:?}");

    // Two days back: beyond the threshold max(4 × cadence, 2 × max_interval
    // = 8 h for a 1 h poll interval, 6 h).
    let db = dep.dir.path().join("state/state.sqlite");
    let conn = rusqlite::Connection::open(&db).expect("open store");
    let two_days_ms: i64 = 2 * 24 * 3600 * 1000;
    conn.execute(
        "UPDATE sources SET last_new_item = last_new_item - ?1,
                            first_success = first_success - ?1
         WHERE id = 'az-outlet'",
        [two_days_ms],
    )
    .expect("backdate");
    drop(conn);
    let rows = statuses(&dep);
    assert_eq!(rows["az-outlet"]["status"], "stale", "{rows:?}");
    assert_eq!(rows["hy-outlet"]["status"], "ok", "{rows:?}");

    // The daemon says so at start, and the next poll (a 304: still nothing
    // new) does not clear it.
    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(warned_status(&log, "az-outlet", "stale", None), "{log}");
    assert_eq!(statuses(&dep)["az-outlet"]["status"], "stale");
}

/// An outage: the source fails (and backs off) while another keeps
/// working, then recovers, and both changes are logged.
#[tokio::test(flavor = "multi_thread")]
async fn outage_backs_off_and_recovers() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/flaky.xml"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve(
        &server,
        "/flaky.xml",
        "application/rss+xml",
        rss(&base, "flaky", 2),
    )
    .await;
    serve_feed(
        &server,
        "/steady.xml",
        "application/rss+xml",
        rss(&base, "steady", 2),
    )
    .await;
    for (prefix, n) in [("flaky", 2), ("steady", 2)] {
        for i in 0..n {
            serve(
                &server,
                &format!("/{prefix}/{i}"),
                "text/html",
                article_page(&format!("{prefix} report {i}")),
            )
            .await;
        }
    }
    let dep = Deployment::new(&format!(
        "{}{}",
        feed_source("flaky", &format!("{base}/flaky.xml")),
        feed_source("steady", &format!("{base}/steady.xml"))
    ));

    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(warned_status(&log, "flaky", "failing", None), "{log}");
    let rows = statuses(&dep);
    assert_eq!(rows["flaky"]["status"], "failing", "{rows:?}");
    assert_eq!(rows["flaky"]["consecutive_failures"], 1);
    assert!(rows["flaky"]["last_error"]
        .as_str()
        .is_some_and(|e| e.contains("500")));
    assert!(rows["flaky"]["next_poll"].is_string(), "back-off scheduled");
    assert_eq!(rows["steady"]["status"], "ok", "{rows:?}");

    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(
        log.lines()
            .any(|l| l.contains("source recovered") && l.contains("flaky") && l.contains("INFO")),
        "{log}"
    );
    let rows = statuses(&dep);
    assert_eq!(rows["flaky"]["status"], "ok", "{rows:?}");
    assert_eq!(rows["flaky"]["last_error"], Value::Null);
    assert_eq!(rows["steady"]["status"], "ok", "{rows:?}");
    assert_eq!(dep.search(&["report"])["total"], 4);
}

/// Requests in flight per path prefix's server, and the most seen at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
    served: AtomicUsize,
}

/// A bare HTTP/1.1 server that counts concurrent requests: feeds at
/// `/feed/N` (three items each) and article pages at `/a/N/K`, each held
/// for a moment so that overlapping requests would be seen.
async fn counting_server(gauge: Arc<Gauge>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let origin = base.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let gauge = Arc::clone(&gauge);
            let base = origin.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 2048];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let current = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
                gauge.peak.fetch_max(current, Ordering::SeqCst);
                gauge.served.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(60)).await;
                let (status, ctype, body) = if let Some(n) = target.strip_prefix("/feed/") {
                    (
                        "200 OK",
                        "application/rss+xml",
                        rss(&format!("{base}/a"), n, 3),
                    )
                } else if target.starts_with("/a/") {
                    (
                        "200 OK",
                        "text/html",
                        article_page(&format!("Budget {target}")),
                    )
                } else {
                    ("404 Not Found", "text/plain", b"not here".to_vec())
                };
                // Leave the count before answering: once the client has the
                // answer it may send the next request.
                gauge.now.fetch_sub(1, Ordering::SeqCst);
                let header = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(header.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    base
}

/// The daemon never has more requests in flight to one host than allowed:
/// the default (2, from the test config) on one host, and a source's own
/// `per_host_concurrency = 1` on another.
#[tokio::test(flavor = "multi_thread")]
async fn per_host_limits_hold_in_the_daemon() {
    let (shared, own) = (Arc::new(Gauge::default()), Arc::new(Gauge::default()));
    let shared_base = counting_server(Arc::clone(&shared)).await;
    let own_base = counting_server(Arc::clone(&own)).await;
    let mut sources = String::new();
    for n in 0..5 {
        sources.push_str(&feed_source(
            &format!("shared-{n}"),
            &format!("{shared_base}/feed/s{n}"),
        ));
    }
    for n in 0..4 {
        sources.push_str(&format!(
            "[[source]]\nid = \"own-{n}\"\nkind = \"feed\"\nurl = \"{own_base}/feed/o{n}\"\n\
             per_host_concurrency = 1\n\n"
        ));
    }
    let dep = Deployment::new(&sources);
    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    // 5 feeds + 15 pages, and 4 feeds + 12 pages (robots.txt aside).
    assert!(shared.served.load(Ordering::SeqCst) >= 20, "{log}");
    assert!(own.served.load(Ordering::SeqCst) >= 16, "{log}");
    let (peak_shared, peak_own) = (
        shared.peak.load(Ordering::SeqCst),
        own.peak.load(Ordering::SeqCst),
    );
    assert!(peak_shared <= 2, "default limit exceeded: {peak_shared}");
    assert_eq!(peak_own, 1, "the source's own limit");
    let indexed = dep.search(&["parliament"])["total"]
        .as_u64()
        .expect("total");
    assert_eq!(indexed, 27);
}

/// Issue 18: a feed whose entries yield no item is not "ok": it is
/// parse-degraded in `pressd sources` (JSON and table), in a warning and
/// in `/metrics`; a feed that yields items beside it stays ok.
#[tokio::test(flavor = "multi_thread")]
async fn a_feed_with_entries_but_no_items_is_parse_degraded() {
    let server = MockServer::start().await;
    let base = server.uri();
    let linkless = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
                    <item><title>One</title></item><item><title>Two</title></item>\
                    <item><title>Three</title><guid isPermaLink=\"false\">3</guid></item>\
                    </channel></rss>";
    serve_feed(
        &server,
        "/linkless.xml",
        "application/rss+xml",
        linkless.as_bytes().to_vec(),
    )
    .await;
    serve_feed(
        &server,
        "/good.xml",
        "application/rss+xml",
        rss(&base, "good", 2),
    )
    .await;
    for i in 0..2 {
        serve(
            &server,
            &format!("/good/{i}"),
            "text/html",
            article_page(&format!("Budget debate {i}")),
        )
        .await;
    }
    let dep = Deployment::new(&format!(
        "[metrics]\nlisten = \"127.0.0.1:0\"\n\n{}{}",
        feed_source("linkless", &format!("{base}/linkless.xml")),
        feed_source("fine", &format!("{base}/good.xml"))
    ));
    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        warned_status(
            &log,
            "linkless",
            "parse-degraded",
            Some("none of the 3 entries has a usable http(s) link")
        ),
        "{log}"
    );
    let rows = statuses(&dep);
    assert_eq!(rows["linkless"]["status"], "parse-degraded", "{rows:?}");
    assert_eq!(rows["linkless"]["reading"]["entries"], 3);
    assert_eq!(rows["linkless"]["reading"]["items"], 0);
    assert_eq!(rows["linkless"]["reading"]["without_link"], 3);
    assert_eq!(rows["fine"]["status"], "ok", "{rows:?}");
    assert_eq!(rows["fine"]["reading"]["reader"], "strict");
    let table = String::from_utf8_lossy(&dep.run(&["sources"]).stdout).to_string();
    assert!(
        table.lines().any(|l| l.starts_with("linkless")
            && l.contains("parse-degraded")
            && l.contains("none of the 3 entries")),
        "{table}"
    );

    // The daemon says so again at start (its baseline is the store's), and
    // `/metrics` counts it.
    let daemon = crate::harness::Daemon::start(&dep, &[]);
    let mut scraped = String::new();
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let addr = daemon.log().lines().find_map(|l| {
            let rest = l.split("metrics listening").nth(1)?;
            Some(
                rest.split("addr=")
                    .nth(1)?
                    .split_whitespace()
                    .next()?
                    .to_owned(),
            )
        });
        if let Some(addr) = addr {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client");
            if let Ok(r) = client.get(format!("http://{addr}/metrics")).send().await {
                scraped = r.text().await.unwrap_or_default();
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for line in [
        "pressd_source_status{source=\"linkless\",status=\"parse-degraded\"} 1",
        "pressd_source_status{source=\"fine\",status=\"ok\"} 1",
        "pressd_feed_entries{source=\"linkless\",outcome=\"without_link\"} 3",
        "pressd_feed_entries{source=\"fine\",outcome=\"item\"} 2",
    ] {
        assert!(
            scraped.contains(line),
            "{line} in:\n{scraped}\n{}",
            daemon.log()
        );
    }
    assert!(
        daemon
            .log()
            .lines()
            .any(|l| l.contains("WARN") && l.contains("linkless") && l.contains("parse-degraded")),
        "{}",
        daemon.log()
    );
    daemon.stop();
}
