//! Issue 6: social posts (Telegram, Mastodon, Bluesky) flow through the
//! same pipeline as articles and are searchable apart from them.

use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{text, Deployment};

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources")
        .join(name);
    std::fs::read(p).expect("fixture")
}

async fn mount(server: &MockServer, p: &str, content_type: &str, body: Vec<u8>) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", content_type)
                .set_body_bytes(body),
        )
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn posts_are_indexed_once_with_kind_author_date_and_language() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/s/kavkaz_xeber"))
        .and(query_param("before", "1041"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html; charset=utf-8")
                .set_body_bytes(fixture("telegram_channel_before_1041.html")),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    mount(
        &server,
        "/s/kavkaz_xeber",
        "text/html; charset=utf-8",
        fixture("telegram_channel.html"),
    )
    .await;
    mount(
        &server,
        "/api/v1/accounts/lookup",
        "application/json",
        fixture("mastodon_lookup.json"),
    )
    .await;
    mount(
        &server,
        "/api/v1/accounts/110000000000000042/statuses",
        "application/json",
        fixture("mastodon_statuses.json"),
    )
    .await;
    mount(
        &server,
        "/xrpc/app.bsky.feed.getAuthorFeed",
        "application/json",
        fixture("bluesky_author_feed.json"),
    )
    .await;

    let sources = format!(
        r#"
[[source]]
id = "tg"
kind = "telegram"
url = "{base}/s/kavkaz_xeber"

[[source]]
id = "masto"
kind = "mastodon"
url = "{base}/@presswatch"

[[source]]
id = "sky"
kind = "bluesky"
url = "https://bsky.app/profile/presswatch.bsky.social"
api_base = "{base}/xrpc/"
"#
    );
    let dep = Deployment::new(&sources);
    let out = dep.run(&["run", "--once"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    for id in ["tg", "masto", "sky"] {
        assert!(
            log.contains(&format!("{id}: ok")),
            "{id} should poll fine:\n{log}"
        );
    }

    // Telegram: five messages over two preview pages, each once, as posts
    // with their t.me permalinks.
    let tg = dep.search(&["*", "--source", "tg"]);
    assert_eq!(tg["total"], 5, "{tg}");
    for hit in tg["hits"].as_array().cloned().unwrap_or_default() {
        assert_eq!(hit["kind"], "post", "{hit}");
        assert!(
            hit["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://t.me/kavkaz_xeber/")),
            "{hit}"
        );
        assert!(hit["published"].is_string(), "a post has its date: {hit}");
    }
    let metro = dep.search(&["metro", "stansiyası", "--source", "tg"]);
    assert_eq!(metro["total"], 1, "{metro}");
    assert_eq!(metro["hits"][0]["lang"], "az");

    // Mastodon: the platform's language is kept; the reply is left out.
    let masto = dep.search(&["*", "--source", "masto"]);
    assert_eq!(masto["total"], 3, "{masto}");
    let mut langs: Vec<String> = masto["hits"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|h| h["lang"].as_str().map(str::to_string))
        .collect();
    langs.sort();
    assert_eq!(langs, ["az", "hy", "ru"]);
    assert!(
        masto["hits"][0]["authors"].as_array().is_some_and(|a| a
            .iter()
            .any(|x| x.as_str().is_some_and(|s| s.contains("presswatch")))),
        "the author handle is indexed: {masto}"
    );

    // Bluesky: the account's own posts only.
    let sky = dep.search(&["*", "--source", "sky"]);
    assert!(sky["total"].as_u64().is_some_and(|n| n >= 3), "{sky}");
    for hit in sky["hits"].as_array().cloned().unwrap_or_default() {
        assert!(
            hit["url"].as_str().is_some_and(
                |u| u.starts_with("https://bsky.app/profile/presswatch.bsky.social/post/")
            ),
            "{hit}"
        );
    }

    // Posts and articles are searchable apart.
    let posts = dep.search(&["*", "--kind", "post"]);
    let all = dep.search(&["*"]);
    assert_eq!(posts["total"], all["total"]);
    assert_eq!(dep.search(&["*", "--kind", "article"])["total"], 0);

    // Re-polling adds nothing twice.
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(dep.search(&["*"])["total"], all["total"]);
}

/// Listing pages and news sitemaps lead to articles that go through the
/// same fetch/extract/index path as feed items.
#[tokio::test(flavor = "multi_thread")]
async fn listing_pages_and_sitemaps_feed_the_article_pipeline() {
    let world = crate::harness::World::start().await;
    let base = world.server.uri();
    let pages = &world.pages;
    let (listed, mapped) = pages.split_at(pages.len() / 2);
    let links: String = listed
        .iter()
        .map(|p| {
            format!(
                "<li class=\"story\"><a href=\"{}\">{}</a><time>{}</time></li>",
                p.path,
                p.title,
                &p.published[..10]
            )
        })
        .collect();
    let listing = format!(
        "<html><body><nav><a href=\"/about\">About</a></nav><ul class=\"latest\">{links}</ul><footer><a href=\"/contact\">Contact</a></footer></body></html>"
    );
    mount(
        &world.server,
        "/latest",
        "text/html; charset=utf-8",
        listing.into_bytes(),
    )
    .await;
    let now = chrono::Utc::now().to_rfc3339();
    let urls: String = mapped
        .iter()
        .map(|p| {
            format!(
                "<url><loc>{base}{}</loc><news:news><news:publication><news:name>Test</news:name><news:language>{}</news:language></news:publication><news:publication_date>{now}</news:publication_date><news:title>{}</news:title></news:news></url>",
                p.path, p.lang, p.title
            )
        })
        .collect();
    let sitemap = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">{urls}</urlset>"
    );
    mount(
        &world.server,
        "/news-sitemap.xml",
        "application/xml",
        sitemap.into_bytes(),
    )
    .await;

    let sources = format!(
        "[[source]]\nid = \"listing\"\nkind = \"page\"\nurl = \"{base}/latest\"\nlink_selector = \"ul.latest li.story a\"\n\n\
         [[source]]\nid = \"map\"\nkind = \"sitemap\"\nurl = \"{base}/news-sitemap.xml\"\n"
    );
    let dep = Deployment::new(&sources);
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    for (source, group) in [("listing", listed), ("map", mapped)] {
        for page in group {
            let found = dep.search(&[&page.keyword, "--source", source]);
            assert_eq!(found["total"], 1, "{} via {source}: {found}", page.file);
            assert_eq!(found["hits"][0]["kind"], "article");
            assert_eq!(found["hits"][0]["lang"], page.lang.as_str());
            assert_eq!(found["hits"][0]["title"], page.title.as_str());
        }
    }
    assert_eq!(dep.search(&["*"])["total"], pages.len());
}

/// A changed layout, a private channel and a missing X token each fail
/// alone, and `pressd sources` says what was wrong.
#[tokio::test(flavor = "multi_thread")]
async fn broken_social_and_page_sources_fail_alone_with_a_clear_status() {
    let server = MockServer::start().await;
    let base = server.uri();
    mount(
        &server,
        "/latest",
        "text/html; charset=utf-8",
        b"<html><body><div class=\"new-layout\"><a href=\"/a\">A</a></div></body></html>".to_vec(),
    )
    .await;
    mount(
        &server,
        "/s/closed_channel",
        "text/html; charset=utf-8",
        fixture("telegram_private.html"),
    )
    .await;
    mount(
        &server,
        "/s/kavkaz_xeber",
        "text/html; charset=utf-8",
        fixture("telegram_channel.html"),
    )
    .await;
    let sources = format!(
        "[[source]]\nid = \"listing\"\nkind = \"page\"\nurl = \"{base}/latest\"\nlink_selector = \"ul.latest a\"\n\n\
         [[source]]\nid = \"closed\"\nkind = \"telegram\"\nurl = \"{base}/s/closed_channel\"\n\n\
         [[source]]\nid = \"x-account\"\nkind = \"x\"\nurl = \"https://x.com/someone\"\napi_base = \"{base}/\"\ntoken_env = \"PRESSD_TEST_NO_SUCH_TOKEN\"\n\n\
         [[source]]\nid = \"tg\"\nkind = \"telegram\"\nurl = \"{base}/s/kavkaz_xeber\"\nmax_pages = 1\n"
    );
    let dep = Deployment::new(&sources);
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        dep.search(&["*", "--source", "tg"])["total"],
        3,
        "the healthy channel is unaffected"
    );
    let out = dep.run(&["sources", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = |id: &str| {
        rows.as_array()
            .and_then(|a| a.iter().find(|r| r["id"] == id))
            .cloned()
            .expect("row")
    };
    assert_eq!(row("tg")["status"], "ok");
    for id in ["listing", "closed", "x-account"] {
        assert_eq!(row(id)["status"], "failing", "{id}: {rows}");
    }
    let error = |id: &str| {
        row(id)["last_error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        error("listing").contains("ul.latest a"),
        "names the selector: {}",
        error("listing")
    );
    assert!(
        error("x-account").contains("PRESSD_TEST_NO_SUCH_TOKEN"),
        "says how to give a token: {}",
        error("x-account")
    );
    assert!(!error("closed").is_empty());
}

/// Issue 17: social sources poll cheaply. After the first poll, Mastodon
/// asks for statuses newer than the newest it saw (`since_id`), with the
/// ETag the server sent, and does not look the account up again; X asks
/// with `since_id` and no second user lookup; Bluesky asks for a short
/// page once it knows the newest post.
#[tokio::test(flavor = "multi_thread")]
async fn social_sources_ask_only_for_what_is_new_after_the_first_poll() {
    let server = MockServer::start().await;
    let base = server.uri();
    mount(
        &server,
        "/api/v1/accounts/lookup",
        "application/json",
        fixture("mastodon_lookup.json"),
    )
    .await;
    let statuses = "/api/v1/accounts/110000000000000042/statuses";
    Mock::given(method("GET"))
        .and(path(statuses))
        .and(wiremock::matchers::header("if-none-match", "\"s1\""))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", "\"s1\""))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(statuses))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/json")
                .insert_header("etag", "\"s1\"")
                .set_body_bytes(fixture("mastodon_statuses.json")),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    mount(
        &server,
        "/2/users/by/username/presswatch_cc",
        "application/json",
        fixture("x_user.json"),
    )
    .await;
    mount(
        &server,
        "/2/users/1790000000000000042/tweets",
        "application/json",
        fixture("x_tweets.json"),
    )
    .await;
    mount(
        &server,
        "/xrpc/app.bsky.feed.getAuthorFeed",
        "application/json",
        fixture("bluesky_author_feed.json"),
    )
    .await;
    let dep = Deployment::new(&format!(
        r#"
[[source]]
id = "masto"
kind = "mastodon"
url = "{base}/@presswatch"

[[source]]
id = "x-account"
kind = "x"
url = "https://x.com/presswatch_cc"
api_base = "{base}/"
token_env = "PRESSD_TEST_X_TOKEN"

[[source]]
id = "sky"
kind = "bluesky"
url = "https://bsky.app/profile/presswatch.bsky.social"
api_base = "{base}/xrpc/"
"#
    ));
    for round in ["first", "second"] {
        let out = dep
            .cmd()
            .args(["run", "--once"])
            .env("PRESSD_TEST_X_TOKEN", "test-token")
            .output()
            .expect("run pressd");
        let log = text(&out);
        assert!(out.status.success(), "{round} run:\n{log}");
        for id in ["masto", "x-account", "sky"] {
            assert!(
                log.contains(&format!("{id}: ok")),
                "{round} run: {id} should poll fine:\n{log}"
            );
        }
    }

    let requests = server.received_requests().await.unwrap_or_default();
    let to = |p: &str| -> Vec<&wiremock::Request> {
        requests.iter().filter(|r| r.url.path() == p).collect()
    };
    let query = |r: &wiremock::Request, key: &str| -> Option<String> {
        r.url
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };

    // Mastodon: one lookup in two polls; the second statuses request is
    // conditional and starts after the newest status of the first.
    assert_eq!(to("/api/v1/accounts/lookup").len(), 1, "{requests:?}");
    let masto = to(statuses);
    assert_eq!(masto.len(), 2, "{masto:?}");
    assert_eq!(query(masto[0], "since_id"), None);
    assert_eq!(
        query(masto[1], "since_id").as_deref(),
        Some("114600000000000003")
    );
    assert_eq!(
        masto[1]
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok()),
        Some("\"s1\"")
    );

    // X: one user lookup; the second timeline request has since_id.
    assert_eq!(
        to("/2/users/by/username/presswatch_cc").len(),
        1,
        "{requests:?}"
    );
    let tweets = to("/2/users/1790000000000000042/tweets");
    assert_eq!(tweets.len(), 2, "{tweets:?}");
    assert_eq!(query(tweets[0], "since_id"), None);
    assert_eq!(
        query(tweets[1], "since_id").as_deref(),
        Some("1930000000000000003")
    );

    // Bluesky: a full page first, a short one once the newest is known
    // (the short one reaches it, so no full page follows).
    let sky = to("/xrpc/app.bsky.feed.getAuthorFeed");
    assert_eq!(sky.len(), 2, "{sky:?}");
    assert_eq!(query(sky[0], "limit").as_deref(), Some("50"));
    assert_eq!(query(sky[1], "limit").as_deref(), Some("10"));

    // The first poll's posts are all there, once.
    let masto = dep.search(&["*", "--source", "masto"]);
    assert_eq!(masto["total"], 3, "{masto}");
}
