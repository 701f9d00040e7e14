//! Issue 18: the feed conformance set (tests/fixtures/feeds/conformance.toml)
//! — a feed for each format, version and namespace, each kind of broken
//! XML and each encoding, with the items each must yield — read through the
//! library, through the real poll path (a local HTTP server), and, for a
//! representative subset, through `pressd run --once`, whose `pressd
//! sources` must tell a feed that yields nothing from a feed that has
//! nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pressd::http::{Client, HttpSettings, Response, Validators};
use pressd::item::Item;
use pressd::sources::feed;
use pressd::sources::{Poll, Reading};
use serde::Deserialize;
use serde_json::Value;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{feed_source, replace_bytes, text, Deployment};

/// Where the library checks pretend the feeds come from.
const LIBRARY_BASE: &str = "https://feeds.example.org";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    feed: Vec<Case>,
}

/// One feed of the set and what pressd must make of it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    what: String,
    content_type: Option<String>,
    reader: Option<String>,
    entries: Option<u32>,
    #[serde(default)]
    links: Vec<String>,
    titles: Option<Vec<String>>,
    #[serde(default)]
    unreadable: u32,
    #[serde(default)]
    without_link: u32,
    #[serde(default)]
    repaired: bool,
    status: Option<String>,
    error: Option<String>,
    authors: Option<Vec<String>>,
    published: Option<String>,
    lang: Option<String>,
}

impl Case {
    fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("ok")
    }

    fn content_type(&self) -> &str {
        self.content_type.as_deref().unwrap_or("application/xml")
    }

    fn route(&self) -> String {
        format!("/feeds/{}", self.file)
    }
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

fn cases() -> Vec<Case> {
    let path = dir().join("conformance.toml");
    let text = std::fs::read_to_string(&path).expect("conformance.toml");
    let manifest: Manifest = toml::from_str(&text).expect("conformance.toml parses");
    manifest.feed
}

/// The feed's bytes with `{BASE}` replaced by `base`, in whichever of
/// UTF-8, UTF-16 or UTF-32 the file is written.
fn body(case: &Case, base: &str) -> Vec<u8> {
    let raw = std::fs::read(dir().join(&case.file)).expect("fixture");
    let widen = |s: &str, width: usize, big_endian: bool| -> Vec<u8> {
        s.bytes()
            .flat_map(|b| {
                let mut unit = vec![0u8; width];
                unit[if big_endian { width - 1 } else { 0 }] = b;
                unit
            })
            .collect()
    };
    let mut out = raw;
    for (width, big_endian) in [(1, false), (2, false), (2, true), (4, false), (4, true)] {
        out = replace_bytes(
            &out,
            &widen("{BASE}", width, big_endian),
            &widen(base, width, big_endian),
        );
    }
    out
}

/// What pressd made of a feed: its items and reading, or the error.
type Outcome = Result<(Vec<Item>, Reading), String>;

/// How `outcome` differs from what `case` expects (nothing: it conforms).
fn problems(case: &Case, base: &str, outcome: &Outcome) -> Vec<String> {
    let mut found = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            found.push(format!("{} ({}): {what}", case.file, case.what));
        }
    };
    let expand = |s: &str| s.replace("{BASE}", base);
    match outcome {
        Err(message) => {
            check(case.status() == "failing", format!("failed: {message}"));
            if let Some(error) = &case.error {
                let error = expand(error);
                check(
                    message.contains(&error),
                    format!("error {message:?} lacks {error:?}"),
                );
            }
        }
        Ok((items, reading)) => {
            check(
                case.status() != "failing",
                format!("read ({reading:?}) but must fail"),
            );
            let links: Vec<String> = items.iter().map(|i| i.url.to_string()).collect();
            let want: Vec<String> = case.links.iter().map(|l| expand(l)).collect();
            check(links == want, format!("links {links:?}, want {want:?}"));
            if let Some(titles) = &case.titles {
                let got: Vec<&str> = items
                    .iter()
                    .map(|i| i.title.as_deref().unwrap_or(""))
                    .collect();
                check(got == *titles, format!("titles {got:?}, want {titles:?}"));
            }
            if let Some(reader) = &case.reader {
                check(
                    reading.reader.as_str() == reader,
                    format!("reader {}, want {reader}", reading.reader.as_str()),
                );
            }
            if let Some(entries) = case.entries {
                check(
                    reading.entries == entries,
                    format!("{} entries, want {entries}", reading.entries),
                );
            }
            check(
                reading.items as usize == items.len(),
                format!(
                    "reading says {} items, {} yielded",
                    reading.items,
                    items.len()
                ),
            );
            check(
                reading.unreadable == case.unreadable,
                format!(
                    "{} unreadable, want {}",
                    reading.unreadable, case.unreadable
                ),
            );
            check(
                reading.without_link == case.without_link,
                format!(
                    "{} without link, want {}",
                    reading.without_link, case.without_link
                ),
            );
            check(
                reading.is_repaired() == case.repaired,
                format!("repaired {}, want {}", reading.is_repaired(), case.repaired),
            );
            let status = if reading.is_degraded() {
                "parse-degraded"
            } else {
                "ok"
            };
            check(
                status == case.status(),
                format!("status {status}, want {}", case.status()),
            );
            let first = items.first();
            if let Some(authors) = &case.authors {
                let got = first.map(|i| i.authors.clone()).unwrap_or_default();
                check(
                    got == *authors,
                    format!("authors {got:?}, want {authors:?}"),
                );
            }
            if let Some(published) = &case.published {
                let got = first.and_then(|i| i.published).map(|d| d.to_rfc3339());
                check(
                    got.as_deref() == Some(published.as_str()),
                    format!("published {got:?}, want {published}"),
                );
            }
            if let Some(lang) = &case.lang {
                let got = first.and_then(|i| i.lang.clone());
                check(
                    got.as_deref() == Some(lang.as_str()),
                    format!("lang {got:?}, want {lang}"),
                );
            }
        }
    }
    found
}

fn charset_of(content_type: &str) -> Option<String> {
    pressd::charset::charset_param(content_type)
}

/// Every feed of the set, decoded and parsed by the library.
#[test]
fn every_conformance_feed_reads_as_expected() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut all = Vec::new();
    for case in &cases {
        let url = Url::parse(&format!("{LIBRARY_BASE}{}", case.route())).expect("url");
        let response = Response {
            url: url.clone(),
            status: 200,
            content_type: None,
            charset: charset_of(case.content_type()),
            body: body(case, LIBRARY_BASE),
            validators: Validators::default(),
        };
        let text = feed::decode(&response);
        let outcome = feed::parse(&text, &url).map(|p| (p.items, p.reading));
        all.extend(problems(case, LIBRARY_BASE, &outcome));
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

async fn serve_all(server: &MockServer, cases: &[Case]) {
    let base = server.uri();
    for case in cases {
        Mock::given(method("GET"))
            .and(path(case.route()))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", case.content_type())
                    .set_body_bytes(body(case, &base)),
            )
            .with_priority(1)
            .mount(server)
            .await;
    }
}

/// Every feed of the set through `feed::poll`: HTTP, the Content-Type's
/// charset, decoding, parsing.
#[tokio::test(flavor = "multi_thread")]
async fn every_conformance_feed_polls_as_expected() {
    let cases = cases();
    let server = MockServer::start().await;
    serve_all(&server, &cases).await;
    let base = server.uri();
    let client = Client::new(&HttpSettings {
        user_agent: "pressd-test/1".to_owned(),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        max_body_bytes: 1 << 20,
        max_redirects: 3,
        per_host_concurrency: 4,
    })
    .expect("client");
    let mut all = Vec::new();
    for case in &cases {
        let url = Url::parse(&format!("{base}{}", case.route())).expect("url");
        let outcome = match feed::poll(&client, &url, None).await {
            Ok(Poll::Items { items, reading, .. }) => Ok((
                items,
                reading.unwrap_or_else(|| panic!("{}: a feed poll gives its reading", case.file)),
            )),
            Ok(Poll::NotModified) => Err("not modified".to_owned()),
            Err(e) => Err(e.to_string()),
        };
        all.extend(problems(case, &base, &outcome));
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

/// An article page for any link of the set, so that what the daemon
/// queues is fetched and indexed.
fn article(route: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Conformance {route}</title></head><body>\
         <article><h1>Conformance {route}</h1><p>The parliament discussed the conformance budget for \
         the coming year at length, and several members proposed amendments on regional transport.</p>\
         <p>The committee will report on the amendments next week, after hearing the ministries.</p>\
         </article></body></html>"
    )
}

/// The subset run through the daemon: one of each kind of reading.
const DAEMON_SUBSET: &[&str] = &[
    "rss20.xml",
    "rss20_userland_namespace.xml",
    "rss10_about_only.xml",
    "rss_items_outside_channel.xml",
    "atom03.xml",
    "atom10_out_of_spec_title_types.xml",
    "ill_bare_ampersands.xml",
    "ill_unclosed_cdata.xml",
    "ill_xhtml_doctype.xml",
    "ill_truncated_before_link.xml",
    "degraded_no_links.xml",
    "enc_utf32le_bom.xml",
    "enc_windows1252_label_utf8_c1.xml",
    "fail_truncated_channel.xml",
];

/// A representative subset through `pressd run --once`: each feed's
/// status and reading in `pressd sources --format json` and its table,
/// the warnings in the log, and the items indexed.
#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_reports_each_reading_honestly() {
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| DAEMON_SUBSET.contains(&c.file.as_str()))
        .collect();
    assert_eq!(cases.len(), DAEMON_SUBSET.len());
    let server = MockServer::start().await;
    serve_all(&server, &cases).await;
    // Every other GET is an article page.
    Mock::given(method("GET"))
        .respond_with(move |req: &wiremock::Request| {
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html; charset=utf-8")
                .set_body_string(article(req.url.path()))
        })
        .with_priority(10)
        .mount(&server)
        .await;
    let base = server.uri();
    let id_of = |case: &Case| case.file.replace(['.', '_'], "-");
    let config: String = cases
        .iter()
        .map(|c| feed_source(&id_of(c), &format!("{base}{}", c.route())))
        .collect();
    let dep = Deployment::new(&config);
    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");

    let out = dep.run(&["sources", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    let rows: Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows: HashMap<String, Value> = rows
        .as_array()
        .expect("array")
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or("").to_owned(), r.clone()))
        .collect();
    let table = String::from_utf8_lossy(&dep.run(&["sources"]).stdout).into_owned();

    let mut all = Vec::new();
    for case in &cases {
        let id = id_of(case);
        let row = &rows[&id];
        let mut check = |ok: bool, what: String| {
            if !ok {
                all.push(format!("{} ({id}): {what}", case.file));
            }
        };
        check(
            row["status"] == case.status(),
            format!("status {}, want {}", row["status"], case.status()),
        );
        if case.status() == "failing" {
            let error = row["last_error"].as_str().unwrap_or("");
            let want = case.error.as_deref().unwrap_or("").replace("{BASE}", &base);
            check(
                error.contains(&want),
                format!("last_error {error:?} lacks {want:?}"),
            );
            continue;
        }
        let reading = &row["reading"];
        check(
            reading["entries"] == case.entries.unwrap_or(0)
                && reading["items"] == case.links.len()
                && reading["unreadable"] == case.unreadable,
            format!("reading {reading}"),
        );
        check(
            reading["reader"].as_str() == case.reader.as_deref(),
            format!("reader {}", reading["reader"]),
        );
        // Read after repair: the reading says where the XML broke.
        check(
            reading["xml_error"].is_string() == case.repaired,
            format!("xml_error {}", reading["xml_error"]),
        );
        if case.status() == "parse-degraded" {
            let summary = reading["summary"].as_str().unwrap_or("");
            check(
                log.lines().any(|l| {
                    l.contains("WARN")
                        && l.contains("source status changed")
                        && l.contains(&id)
                        && l.contains("parse-degraded")
                        && l.contains(summary)
                }),
                format!("no warning with {summary:?}"),
            );
            check(
                table.lines().any(|l| {
                    l.starts_with(&id) && l.contains("parse-degraded") && l.contains("entries")
                }),
                "table row".to_owned(),
            );
        }
        if case.repaired {
            check(
                log.lines().any(|l| {
                    l.contains("WARN") && l.contains(&id) && l.contains("read after repair")
                }),
                "no repair warning".to_owned(),
            );
        }
        // What was read is indexed.
        let found = dep.search(&["conformance", "--source", &id]);
        let mut urls: Vec<String> = found["hits"]
            .as_array()
            .map(|h| {
                h.iter()
                    .filter_map(|h| h["url"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        urls.sort();
        let mut want: Vec<String> = case
            .links
            .iter()
            .map(|l| l.replace("{BASE}", &base))
            .collect();
        want.sort();
        check(urls == want, format!("indexed {urls:?}, want {want:?}"));
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}\n{log}",
        all.len(),
        all.join("\n")
    );
}
