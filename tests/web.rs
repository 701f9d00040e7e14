//! Issue 21: the web page and `/api/`, served by `pressd serve` and by the
//! daemon over the fixture world (Latin, Cyrillic, Armenian and Georgian
//! outlets) plus an outlet whose article carries `<script>`, `onerror=`
//! and a right-to-left override in its title and body. The API's answers
//! are compared with the CLI's JSON; the pages are read over HTTP and, when
//! Debian's `chromium` is installed, in a headless browser.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::harness::{feed_source, serve, text, Daemon, Deployment, World};
use crate::stories::{bridge_records, import, write_lines};

/// The hostile article's unique word, searched for to find it.
const HOSTILE_WORD: &str = "Quillfeatherwick";

/// What the hostile title carries: a script that would mark the page, an
/// image whose error handler would, and a right-to-left override.
const HOSTILE_TITLE: &str = "<script>document.body.dataset.pwned='script'</script> \
     <img src=x onerror=\"document.body.dataset.pwned='onerror'\"> Quillfeatherwick \u{202E}txet desrever";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The fixture world plus the hostile outlet, indexed by `run --once`,
/// with `web` as the `[web]` table.
async fn indexed_world(web: &str) -> (World, Deployment) {
    let world = World::start().await;
    let base = world.server.uri();
    let feed = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile</title><link>{base}/</link><description>x</description>
<item><title>{title}</title><link>{base}/hostile/quill.html</link>
<pubDate>Sat, 16 Mar 2024 08:00:00 GMT</pubDate><description>{title}</description></item>
</channel></rss>"#,
        title = escape(&escape(HOSTILE_TITLE)),
    );
    serve(
        &world.server,
        "/feeds/hostile.xml",
        "application/rss+xml",
        feed.into_bytes(),
    )
    .await;
    let body = escape(HOSTILE_TITLE);
    let page = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{body}</title>
<meta property="article:published_time" content="2024-03-16T08:00:00Z">
</head><body><article><h1>{body}</h1>
<p>The {HOSTILE_WORD} report opens with a sentence long enough to be taken for the text of an article by the extractor.</p>
<p>{body} is what the outlet wrote in its second paragraph, which a reader must see as text and nothing else.</p>
<p>A third paragraph about the regional transit corridor and the ministers who met to discuss it at length.</p>
</article></body></html>"#
    );
    serve(
        &world.server,
        "/hostile/quill.html",
        "text/html; charset=utf-8",
        page.into_bytes(),
    )
    .await;
    let sources = format!(
        "{}{}",
        world.healthy_sources(),
        feed_source("hostile-outlet", &world.url("/feeds/hostile.xml"))
    );
    let dep = Deployment::new(&format!("{web}\n{sources}"));
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "run --once:\n{}", text(&out));
    (world, dep)
}

/// The fixture world of [`indexed_world`] plus one story told by six
/// outlets in four scripts, with copies (the stories tests' bridge,
/// imported): the fixture world's own articles are each their own story.
async fn world_with_a_story(web: &str) -> (World, Deployment) {
    let (world, dep) = indexed_world(web).await;
    let file = write_lines(dep.dir.path(), "bridge.jsonl", &bridge_records());
    import(&dep, &file);
    (world, dep)
}

/// A running `pressd serve`, killed when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `pressd serve` and read the address it prints.
fn serve_web(dep: &Deployment) -> Served {
    let mut child = dep
        .cmd()
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn pressd serve");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the address");
    let base = line
        .trim()
        .strip_prefix("pressd: serving ")
        .unwrap_or_else(|| panic!("pressd serve printed {line:?}"))
        .trim_end_matches('/')
        .to_string();
    Served { child, base }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn get(url: &str) -> reqwest::Response {
    client().get(url).send().await.expect("request")
}

async fn get_json(url: &str) -> (u16, Value) {
    let r = get(url).await;
    let status = r.status().as_u16();
    let body = r.bytes().await.expect("body");
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, json)
}

fn keyword(world: &World, lang: &str) -> String {
    world
        .pages
        .iter()
        .find(|p| p.lang == lang)
        .map(|p| p.keyword.clone())
        .unwrap_or_else(|| panic!("a fixture page in {lang}"))
}

fn cli_json(dep: &Deployment, args: &[&str]) -> Value {
    let out = dep.run(args);
    assert!(out.status.success(), "{args:?}:\n{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("CLI prints JSON")
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The API answers what the CLI prints, for queries in four scripts, with
/// filters and sorts, for coverage, sources and watches.
#[tokio::test(flavor = "multi_thread")]
async fn api_answers_equal_the_cli_json() {
    let (world, dep) = indexed_world("[web]\nlisten = \"127.0.0.1:0\"\n").await;
    let web = serve_web(&dep);
    let mut found = 0;
    for lang in ["az", "ru", "hy", "ka", "en"] {
        let word = keyword(&world, lang);
        for (flags, params) in [
            (vec![], String::new()),
            (
                vec!["--lang", "az,ru,hy,ka,en", "--sort", "newest"],
                "&lang=az,ru,hy,ka,en&sort=newest".to_string(),
            ),
            (
                vec!["--since", "2024-01-01", "--sort", "oldest"],
                "&since=2024-01-01&sort=oldest".to_string(),
            ),
        ] {
            let mut args = vec!["search", word.as_str(), "--format", "json", "--limit", "20"];
            args.extend(&flags);
            let cli = cli_json(&dep, &args);
            let (status, api) = get_json(&format!(
                "{}/api/search?q={}&limit=20{params}",
                web.base,
                encode(&word)
            ))
            .await;
            assert_eq!(status, 200, "{api}");
            assert_eq!(api, cli, "{lang} {word} {flags:?}");
            found += api["total"].as_u64().unwrap_or(0);
        }
        let cli = cli_json(
            &dep,
            &[
                "coverage",
                word.as_str(),
                "--by",
                "day",
                "--split",
                "lang",
                "--format",
                "json",
            ],
        );
        let (status, api) = get_json(&format!(
            "{}/api/coverage?q={}&by=day&split=lang",
            web.base,
            encode(&word)
        ))
        .await;
        assert_eq!(status, 200, "{api}");
        assert_eq!(api, cli, "coverage of {word}");
    }
    assert!(found >= 5, "every script's keyword finds its article");
    for what in ["sources", "watches"] {
        let cli = cli_json(&dep, &[what, "--format", "json"]);
        let (status, api) = get_json(&format!("{}/api/{what}", web.base)).await;
        assert_eq!(status, 200);
        assert_eq!(api, cli, "/api/{what}");
    }
}

/// Issue 14 on the web: `/api/stories` and `/api/story/ID` answer what
/// `pressd stories|story --format json` print, for the same flags; an
/// unknown story is a JSON 404 and a bad id a JSON 400.
#[tokio::test(flavor = "multi_thread")]
async fn story_answers_equal_the_cli_json() {
    let (world, dep) = world_with_a_story("[web]\nlisten = \"127.0.0.1:0\"\n").await;
    let web = serve_web(&dep);
    let word = keyword(&world, "hy");
    for (flags, params) in [
        (vec![], String::new()),
        (
            vec!["--lang", "ru,az", "--limit", "3"],
            "lang=ru,az&limit=3".to_string(),
        ),
        (
            vec!["--since", "2024-01-01", "--min-articles", "1"],
            "since=2024-01-01&min-articles=1".to_string(),
        ),
        (vec!["--min-articles", "2"], "min_articles=2".to_string()),
        (vec![word.as_str()], format!("q={}", encode(&word))),
        (
            vec!["körpü", "--lang", "hy"],
            format!("q={}&lang=hy", encode("körpü")),
        ),
    ] {
        let mut args = vec!["stories", "--format", "json"];
        args.extend(&flags);
        let cli = cli_json(&dep, &args);
        let (status, api) = get_json(&format!("{}/api/stories?{params}", web.base)).await;
        assert_eq!(status, 200, "{api}");
        assert_eq!(api, cli, "stories {flags:?}");
    }
    let listed = cli_json(&dep, &["stories", "--format", "json", "--limit", "100"]);
    let stories = listed["stories"].as_array().expect("stories");
    assert!(!stories.is_empty(), "the fixture world has stories");
    for s in stories {
        let id = s["id"].as_u64().expect("id").to_string();
        let cli = cli_json(&dep, &["story", &id, "--format", "json"]);
        let (status, api) = get_json(&format!("{}/api/story/{id}", web.base)).await;
        assert_eq!(status, 200, "{api}");
        assert_eq!(api, cli, "story {id}");
    }
    // Coverage split by story: the API and the CLI alike, the story with
    // most articles first.
    let cli = cli_json(
        &dep,
        &[
            "coverage", "*", "--split", "story", "--by", "month", "--format", "json",
        ],
    );
    let (status, api) = get_json(&format!(
        "{}/api/coverage?q=*&split=story&by=month",
        web.base
    ))
    .await;
    assert_eq!(status, 200, "{api}");
    assert_eq!(api, cli, "coverage split by story");
    let largest = stories
        .iter()
        .max_by_key(|s| s["articles"].as_u64())
        .expect("a story");
    assert_eq!(
        cli["totals"][largest["id"].as_u64().expect("id").to_string()],
        largest["articles"],
        "{cli:#}"
    );

    let (status, body) = get_json(&format!("{}/api/story/999999999", web.base)).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["error"]
        .as_str()
        .is_some_and(|e| e.contains("999999999")));
    let (status, body) = get_json(&format!("{}/api/story/first", web.base)).await;
    assert_eq!(
        (status, body["parameter"].as_str()),
        (400, Some("id")),
        "{body}"
    );
    let (status, body) = get_json(&format!("{}/api/stories?min_articles=many", web.base)).await;
    assert_eq!(
        (status, body["parameter"].as_str()),
        (400, Some("min_articles")),
        "{body}"
    );
}

/// The stories page lists the stories with links to them; a story's page
/// lists its articles linked to their originals; a search hit links to its
/// story; the menu has Stories.
#[tokio::test(flavor = "multi_thread")]
async fn story_pages_list_articles_and_hits_link_to_stories() {
    let (world, dep) = world_with_a_story("[web]\nlisten = \"127.0.0.1:0\"\n").await;
    let web = serve_web(&dep);
    let listed = cli_json(&dep, &["stories", "--format", "json", "--limit", "100"]);
    let stories = listed["stories"].as_array().expect("stories");
    assert!(
        stories[0]["articles"].as_u64() >= Some(5) && stories[0]["copies"].as_u64() >= Some(1),
        "the bridge is the largest story, with copies: {listed}"
    );
    let r = get(&format!("{}/stories", web.base)).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("href=\"/stories\" aria-current=\"page\""),
        "{html}"
    );
    for s in stories.iter().take(20) {
        let id = s["id"].as_u64().expect("id");
        assert!(
            html.contains(&format!("href=\"/story/{id}\"")),
            "story {id}: {html}"
        );
    }

    for s in stories {
        let id = s["id"].as_u64().expect("id");
        let story = cli_json(&dep, &["story", &id.to_string(), "--format", "json"]);
        let r = get(&format!("{}/story/{id}", web.base)).await;
        assert_eq!(r.status().as_u16(), 200, "story {id}");
        let html = r.text().await.expect("body");
        let articles = story["articles"].as_array().expect("articles");
        let mut at = 0;
        for a in articles {
            // Each original is linked, in the story's time order.
            let link = format!("href=\"{}\"", escape(a["url"].as_str().expect("url")));
            let found = html[at..]
                .find(&link)
                .unwrap_or_else(|| panic!("story {id}: {link} after {at}: {html}"));
            at += found + link.len();
        }
        for lang in story["first_by_lang"].as_object().expect("firsts").keys() {
            assert!(
                html.contains(&format!("first in {lang}")),
                "story {id} {lang}: {html}"
            );
        }
        for a in articles {
            if let Some(copied) = a["duplicate_of"].as_str() {
                let note = format!("copy of <a href=\"{}\"", escape(copied));
                assert!(html.contains(&note), "story {id}: {note}: {html}");
            }
        }
    }
    let r = get(&format!("{}/story/999999999", web.base)).await;
    assert_eq!(r.status().as_u16(), 404);

    let word = keyword(&world, "ka");
    let (_, found) = get_json(&format!("{}/api/search?q={}", web.base, encode(&word))).await;
    let story = found["hits"][0]["story"]
        .as_u64()
        .unwrap_or_else(|| panic!("the hit has a story: {found}"));
    let html = get(&format!("{}/?q={}", web.base, encode(&word)))
        .await
        .text()
        .await
        .expect("body");
    assert!(html.contains(&format!("href=\"/story/{story}\"")), "{html}");

    // A copy's hit says what it copies.
    let (_, found) = get_json(&format!(
        "{}/api/search?q={}&limit=20",
        web.base,
        encode("Gümrü")
    ))
    .await;
    let copy = found["hits"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["duplicate_of"].is_string()))
        .unwrap_or_else(|| panic!("a copy among the hits: {found}"));
    let html = get(&format!("{}/?q={}", web.base, encode("Gümrü")))
        .await
        .text()
        .await
        .expect("body");
    let note = format!(
        "copy of <a href=\"{}\"",
        escape(copy["duplicate_of"].as_str().unwrap_or_default())
    );
    assert!(html.contains(&note), "{note}: {html}");
    assert!(
        html.contains(&format!("href=\"/story/{}\"", copy["story"])),
        "{html}"
    );
}

/// Malformed parameters and queries are 400 with JSON naming the problem;
/// writes are refused; every answer carries the security headers.
#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_are_json_errors_and_headers_are_strict() {
    let (_world, dep) = indexed_world("[web]\nlisten = \"127.0.0.1:0\"\n").await;
    let web = serve_web(&dep);
    for (query, param) in [
        ("q=Baku&since=yesterday", "since"),
        ("q=Baku&sort=best", "sort"),
        ("q=Baku&limit=lots", "limit"),
        ("q=title%3A%28%28", "q"),
        ("lang=az", "q"),
        ("q=Baku&colour=red", "query string"),
    ] {
        let (status, body) = get_json(&format!("{}/api/search?{query}", web.base)).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["parameter"], param, "{query}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
    }
    let (status, body) = get_json(&format!("{}/api/coverage?q=Baku&split=outlet", web.base)).await;
    assert_eq!(
        (status, body["parameter"].as_str()),
        (400, Some("split")),
        "{body}"
    );
    let (status, body) = get_json(&format!("{}/api/nothing", web.base)).await;
    assert_eq!(status, 404, "{body}");

    let r = client()
        .post(format!("{}/api/search?q=Baku", web.base))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 405);
    let r = client()
        .delete(format!("{}/", web.base))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status().as_u16(), 405);

    for path in [
        "/",
        "/?q=Baku",
        "/coverage?q=Baku",
        "/sources",
        "/watches",
        "/stories",
        "/api/sources",
        "/api/stories",
    ] {
        let r = get(&format!("{}{path}", web.base)).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
    }
    // A bad parameter on a page is the page with the problem, and a 400.
    let r = get(&format!("{}/?q=Baku&since=yesterday", web.base)).await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("body").contains("since"));
    let r = client()
        .head(format!("{}/?q=Baku", web.base))
        .send()
        .await
        .expect("head");
    assert_eq!(r.status().as_u16(), 200);

    // SIGTERM ends `pressd serve` cleanly.
    let mut web = web;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(web.child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    let mut status = None;
    for _ in 0..100 {
        status = web.child.try_wait().expect("wait");
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        status.is_some_and(|s| s.success()),
        "exit on SIGTERM: {status:?}"
    );
}

/// The hostile article's title and body are text on the page: no element
/// is made of them, and they are isolated from the page's direction.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_content_renders_inertly() {
    let (_world, dep) = indexed_world("[web]\nlisten = \"127.0.0.1:0\"\n").await;
    let web = serve_web(&dep);
    let api = get_json(&format!("{}/api/search?q={HOSTILE_WORD}", web.base))
        .await
        .1;
    let title = api["hits"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        title.contains("<script>") && title.contains('\u{202E}'),
        "indexed as written: {api}"
    );

    let html = get(&format!("{}/?q={HOSTILE_WORD}", web.base))
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        !html
            .replace("&lt;img src=x onerror=", "")
            .contains("onerror="),
        "no attribute made of the text: {html}"
    );
    // The title, override and all, is inside one <bdi>.
    let bdi = html
        .split("<bdi>")
        .skip(1)
        .find(|s| s.contains(HOSTILE_WORD))
        .and_then(|s| s.split("</bdi>").next())
        .unwrap_or_default();
    assert!(
        bdi.contains('\u{202E}') && bdi.contains("&lt;img"),
        "{html}"
    );
    if let Some(browser) = chromium() {
        let dir = screenshots("hostile");
        let dom = dump_dom(&browser, &dir, &format!("{}/?q={HOSTILE_WORD}", web.base));
        assert!(!dom.contains("data-pwned"), "nothing ran: {dom}");
        assert!(dom.contains(HOSTILE_WORD), "{dom}");
        screenshot(
            &browser,
            &dir,
            &format!("{}/?q={HOSTILE_WORD}", web.base),
            "hostile.png",
        );
    }
}

/// A non-loopback address without a token refuses to start, naming the
/// config file and the key; with a token, nothing is answered without it.
#[tokio::test(flavor = "multi_thread")]
async fn token_guards_the_page_and_is_required_beyond_loopback() {
    let dep = Deployment::new("[web]\nlisten = \"0.0.0.0:0\"\n");
    for command in ["serve", "run"] {
        let out = dep.run(&[command]);
        let log = text(&out);
        assert!(!out.status.success(), "{command}: {log}");
        assert!(
            log.contains("web.listen") && log.contains("auth_token_file"),
            "{log}"
        );
        assert!(log.contains(&dep.config.display().to_string()), "{log}");
    }

    let (_world, dep) =
        indexed_world("[web]\nlisten = \"127.0.0.1:0\"\nauth_token_file = \"web.token\"\n").await;
    std::fs::write(dep.dir.path().join("web.token"), "correct-horse-battery\n").expect("token");
    let web = serve_web(&dep);
    let url = format!("{}/api/search?q=Baku", web.base);
    let r = get(&url).await;
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let r = client()
        .get(&url)
        .bearer_auth("wrong")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 401);
    let r = client()
        .get(&url)
        .bearer_auth("correct-horse-battery")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);

    let r = get(&format!("{}/?q=Baku", web.base)).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers().get("location").map(|v| v.as_bytes()),
        Some(&b"/login"[..])
    );
    let login = format!("{}/login", web.base);
    let r = client()
        .post(&login)
        .form(&[("token", "wrong")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 401);
    let r = client()
        .post(&login)
        .form(&[("token", "correct-horse-battery")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("correct-horse-battery"), "{cookie}");
    let pair = cookie.split(';').next().unwrap_or_default();
    let r = client()
        .get(format!("{}/?q=Baku", web.base))
        .header("cookie", pair)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
}

/// The daemon serves the page while it polls: what it indexes is found.
#[tokio::test(flavor = "multi_thread")]
async fn daemon_serves_the_web_page() {
    let world = World::start().await;
    let dep = Deployment::new(&format!(
        "[web]\nlisten = \"127.0.0.1:0\"\n\n{}",
        world.healthy_sources()
    ));
    let daemon = Daemon::start(&dep, &[]);
    let mut base = None;
    let listening = crate::harness::wait_until(Duration::from_secs(20), || {
        base = daemon
            .log()
            .lines()
            .find(|l| l.contains("web listening"))
            .and_then(|l| l.split("addr=").nth(1))
            .and_then(|a| a.split_whitespace().next())
            .map(|a| format!("http://{a}"));
        base.is_some()
    })
    .await;
    assert!(listening, "{}", daemon.log());
    let base = base.unwrap_or_default();
    let word = keyword(&world, "hy");
    let mut total = 0;
    for _ in 0..100 {
        let (status, body) = get_json(&format!("{base}/api/search?q={}", encode(&word))).await;
        assert_eq!(status, 200, "{body}");
        total = body["total"].as_u64().unwrap_or(0);
        if total > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(total, 1, "{}", daemon.log());
    let page = get(&format!("{base}/sources"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("hy-outlet"), "{page}");
    daemon.stop();
}

/// In a real browser: the search form, a query typed and submitted, a
/// language filter applied, the coverage chart, the stories, a story, the
/// sources and watches pages; a screenshot of each for a person to look at.
#[tokio::test(flavor = "multi_thread")]
async fn pages_work_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        eprintln!("chromium not installed; skipping the browser test (apt-get install chromium)");
        return;
    };
    let (world, dep) = world_with_a_story("[web]\nlisten = \"127.0.0.1:0\"\n").await;
    let web = serve_web(&dep);
    let dir = screenshots("pages");

    let dom = dump_dom(&browser, &dir, &format!("{}/", web.base));
    assert!(dom.contains("name=\"q\""), "the search box: {dom}");
    screenshot(
        &browser,
        &dir,
        &format!("{}/", web.base),
        "search-empty.png",
    );

    // What the form submits when "Bakı" is typed in the box (GET, every
    // field, blank ones too), then with the language filter set to az.
    let typed = format!(
        "{}/?q={}&lang=&source=&kind=&since=&until=&sort=",
        web.base,
        encode("Bakı")
    );
    let dom = dump_dom(&browser, &dir, &typed);
    let hits = dom.matches("class=\"hit\"").count();
    assert!(hits >= 2, "Bakı is in several articles: {dom}");
    assert!(dom.contains("<mark>"), "highlighted: {dom}");
    screenshot(&browser, &dir, &typed, "search.png");
    let filtered = typed.replace("&lang=&", "&lang=az&");
    let dom = dump_dom(&browser, &dir, &filtered);
    assert!(dom.contains("lang=\"az\""), "{dom}");
    assert!(
        !dom.contains("class=\"hit\" lang=\"ru\""),
        "the filter applies: {dom}"
    );
    assert!(
        dom.contains("<option value=\"az\" selected"),
        "the form shows it: {dom}"
    );
    screenshot(&browser, &dir, &filtered, "search-az.png");

    let word = keyword(&world, "ka");
    let coverage = format!(
        "{}/coverage?q={}&by=day&split=lang",
        web.base,
        encode(&word)
    );
    let dom = dump_dom(&browser, &dir, &coverage);
    let src = dom
        .split("src=\"")
        .find(|s| s.starts_with("/coverage.svg?"))
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("the chart: {dom}"))
        .replace("&amp;", "&");
    let svg = get(&format!("{}{src}", web.base)).await;
    assert_eq!(svg.status().as_u16(), 200);
    assert_eq!(
        svg.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"image/svg+xml"[..])
    );
    assert!(svg.text().await.expect("svg").contains("<svg"));
    assert!(dom.contains("/coverage.csv?"), "CSV download: {dom}");
    screenshot(&browser, &dir, &coverage, "coverage.png");

    let (_, listed) = get_json(&format!("{}/api/stories", web.base)).await;
    let story = &listed["stories"][0];
    let id = story["id"].as_u64().expect("a story");
    let url = format!("{}/story/{id}", web.base);
    let dom = dump_dom(&browser, &dir, &url);
    let first = story["first"]["url"].as_str().expect("first url");
    assert!(
        dom.contains(&escape(first)),
        "the story's first article: {dom}"
    );
    assert!(dom.contains("first in "), "who was first: {dom}");
    screenshot(&browser, &dir, &url, "story.png");

    for (path, expect) in [
        ("/stories", "/story/"),
        ("/sources?sort=status", "hostile-outlet"),
        ("/watches", "Watches"),
    ] {
        let url = format!("{}{path}", web.base);
        let dom = dump_dom(&browser, &dir, &url);
        assert!(dom.contains(expect), "{path}: {dom}");
        let name = format!(
            "{}.png",
            path.trim_start_matches('/')
                .split('?')
                .next()
                .unwrap_or("page")
        );
        screenshot(&browser, &dir, &url, &name);
    }
    eprintln!("screenshots in {}", dir.display());
}

/// Debian's `chromium`, when installed.
fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Where a test's screenshots go: under target/, not committed.
fn screenshots(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/web-screenshots")
        .join(test);
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

fn browser_cmd(browser: &Path, dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(browser);
    // Root in a container has no sandbox to use; the pages are our own.
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1280,1400",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()))
    .stderr(Stdio::null());
    c
}

/// The DOM after the page loaded (and any script would have run).
fn dump_dom(browser: &Path, dir: &Path, url: &str) -> String {
    let out = browser_cmd(browser, dir)
        .args(["--virtual-time-budget=2000", "--dump-dom", url])
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium --dump-dom {url}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screenshot(browser: &Path, dir: &Path, url: &str, name: &str) {
    let file = dir.join(name);
    let out = browser_cmd(browser, dir)
        .arg(format!("--screenshot={}", file.display()))
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success() && file.exists(), "screenshot of {url}");
}
