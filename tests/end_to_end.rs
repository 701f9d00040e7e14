//! Issue 2: a world of outlets on loopback, healthy and broken, polled by
//! `pressd run --once`, then searched.

use crate::harness::{text, Deployment, World, FEEDS};
use wiremock::matchers::{header_exists, path};
use wiremock::{Mock, ResponseTemplate};

/// Every healthy article is indexed exactly once with the right language,
/// title and date; broken sources fail alone; a second run sends
/// conditional requests and adds nothing.
#[tokio::test(flavor = "multi_thread")]
async fn world_is_indexed_once_and_faulty_sources_fail_alone() {
    let world = World::start().await;
    let dep = Deployment::new(&format!(
        "{}{}",
        world.healthy_sources(),
        world.broken_sources()
    ));

    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(
        out.status.success(),
        "run --once must exit 0 even with failing sources:\n{log}"
    );
    for id in [
        "http-500",
        "stalls",
        "redirect-loop",
        "huge",
        "gzip-bomb",
        "dead",
    ] {
        assert!(
            log.contains(&format!("{id}: FAILED")),
            "{id} should be reported as failed:\n{log}"
        );
    }
    for (id, _, _, _) in FEEDS {
        assert!(
            log.contains(&format!("{id}: ok")),
            "{id} should be ok:\n{log}"
        );
    }
    // The feed cut off inside its second item is read as far as it goes
    // (issue 18): both items have their links; the reading says where the
    // XML breaks.
    assert!(log.contains("malformed: ok"), "{log}");
    let out = dep.run(&["sources", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let malformed = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "malformed"))
        .expect("malformed row");
    assert_eq!(malformed["status"], "ok", "{malformed}");
    assert_eq!(malformed["reading"]["items"], 2, "{malformed}");
    assert!(
        malformed["reading"]["xml_error"]
            .as_str()
            .is_some_and(|e| e.contains("the document ends inside")),
        "{malformed}"
    );
    // The PDF link of the Azerbaijani feed is recorded and skipped.
    assert!(
        log.lines()
            .any(|l| l.contains("article skipped") && l.contains("report.pdf")),
        "the PDF link should be skipped with a warning:\n{log}"
    );

    for page in &world.pages {
        let found = dep.search(&[&page.keyword]);
        assert_eq!(
            found["total"], 1,
            "{} ({}) must be indexed exactly once: {found}",
            page.file, page.keyword
        );
        let hit = &found["hits"][0];
        assert_eq!(hit["lang"], page.lang.as_str(), "language of {}", page.file);
        assert_eq!(hit["title"], page.title.as_str(), "title of {}", page.file);
        assert_eq!(
            hit["published"],
            page.published.as_str(),
            "date of {}",
            page.file
        );
        assert!(
            hit["url"].as_str().is_some_and(|u| u.ends_with(&page.path)),
            "url of {}: {hit}",
            page.file
        );
        if let Some(author) = &page.author {
            let authors = hit["authors"].as_array().cloned().unwrap_or_default();
            assert!(
                authors.iter().any(|a| a == author.as_str()),
                "author of {}: {hit}",
                page.file
            );
        }
        // Boilerplate (sidebars, footers) must not have been indexed.
        let leaked = dep.search(&[&page.boilerplate_word]);
        assert_eq!(
            leaked["total"], 0,
            "boilerplate of {} was indexed: {leaked}",
            page.file
        );
    }
    let everything = dep.search(&["--sort", "newest", "*"]);
    assert_eq!(
        everything["total"],
        world.pages.len(),
        "no duplicates and nothing else: {everything}"
    );

    // Second run: conditional GETs, nothing new.
    let before = world
        .server
        .received_requests()
        .await
        .map_or(0, |r| r.len());
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    let requests = world.server.received_requests().await.unwrap_or_default();
    let second: Vec<_> = requests[before..].iter().collect();
    let feed_requests: Vec<_> = second
        .iter()
        .filter(|r| FEEDS.iter().any(|f| r.url.path() == f.1))
        .collect();
    assert_eq!(
        feed_requests.len(),
        FEEDS.len(),
        "each healthy feed polled once again"
    );
    for r in &feed_requests {
        assert!(
            r.headers.contains_key("if-none-match") || r.headers.contains_key("if-modified-since"),
            "second poll of {} must be conditional",
            r.url
        );
    }
    assert!(
        !second
            .iter()
            .any(|r| world.pages.iter().any(|p| p.path == r.url.path())),
        "no article page is fetched again"
    );
    let again = dep.search(&["*"]);
    assert_eq!(again["total"], world.pages.len());
}

/// A 304 answer is handled, ETags are kept in the state store across runs.
#[tokio::test(flavor = "multi_thread")]
async fn etag_is_sent_back_and_304_adds_nothing() {
    let server = wiremock::MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/feed.xml"))
        .and(header_exists("if-none-match"))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Bakıda yeni park açılıb</title><link>{base}/a.html</link><pubDate>Tue, 05 Mar 2024 09:00:00 +0400</pubDate></item>
</channel></rss>"#
    );
    Mock::given(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"v1\"")
                .insert_header("content-type", "application/rss+xml")
                .set_body_string(feed),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let page = "<html lang=\"az\"><head><title>Bakıda yeni park açılıb</title></head><body><article><h1>Bakıda yeni park açılıb</h1>\
<p>Paytaxtın Xətai rayonunda yeni park sakinlərin istifadəsinə verilib. Parkda uşaqlar üçün meydançalar və velosiped yolları salınıb.</p>\
<p>Sakinlər parkın açılışından məmnun olduqlarını bildiriblər və burada ağacların sayının artırılmasını istəyiblər.</p></article></body></html>";
    crate::harness::serve(
        &server,
        "/a.html",
        "text/html; charset=utf-8",
        page.as_bytes().to_vec(),
    )
    .await;

    let dep = Deployment::new(&crate::harness::feed_source(
        "one",
        &format!("{base}/feed.xml"),
    ));
    let out = dep.run(&["run", "--once"]);
    assert!(text(&out).contains("one: ok, 1 new"), "{}", text(&out));
    let out = dep.run(&["run", "--once"]);
    assert!(text(&out).contains("one: ok, 0 new"), "{}", text(&out));
    let reqs = server.received_requests().await.unwrap_or_default();
    let feeds: Vec<_> = reqs
        .iter()
        .filter(|r| r.url.path() == "/feed.xml")
        .collect();
    assert_eq!(feeds.len(), 2);
    assert_eq!(
        feeds[1]
            .headers
            .get("if-none-match")
            .map(|v| v.to_str().unwrap_or("")),
        Some("\"v1\"")
    );
    let found = dep.search(&["park"]);
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["lang"], "az");
}
