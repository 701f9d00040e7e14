//! Issue 20: watches, through the real daemon. An outlet on 127.0.0.1
//! publishes articles while the daemon runs; local receivers take the
//! webhooks (failing, recovering, or slow enough to be killed under) and
//! a command writes what it is given. Each test checks what arrived, by
//! idempotency key.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use nix::sys::signal::Signal;
use serde_json::Value;
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::harness::{text, wait_until, Daemon, Deployment};

const SECRET: &str = "s3cret-for-tests";

/// Articles the outlet can publish: (path, lang, title, body).
const ARTICLES: &[(&str, &str, &str, &str)] = &[
    (
        "/az-hajiyev.html",
        "az",
        "Hikmət Hacıyev xarici jurnalistlərlə görüşüb",
        "Prezidentin köməkçisi Hikmət Hacıyev Bakıda xarici jurnalistlərlə görüşüb. Görüşdə regional təhlükəsizlik məsələləri müzakirə olunub. Hacıyev jurnalistlərin suallarını cavablandırıb.",
    ),
    (
        "/az-hajiyev-copy.html",
        "az",
        "Hacıyev xarici jurnalistlərlə görüşüb",
        "Prezidentin köməkçisi Hikmət Hacıyev Bakıda xarici jurnalistlərlə görüşüb. Görüşdə regional təhlükəsizlik məsələləri müzakirə olunub. Hacıyev jurnalistlərin suallarını cavablandırıb. Görüş iki saat davam edib.",
    ),
    (
        "/ru-hajiyev.html",
        "ru",
        "Хикмет Гаджиев встретился с иностранными журналистами",
        "Помощник президента Хикмет Гаджиев встретился в Баку с иностранными журналистами. На встрече обсуждались вопросы региональной безопасности. Гаджиев ответил на вопросы журналистов.",
    ),
    (
        "/hy-hajiyev.html",
        "hy",
        "Հիքմեթ Հաջիևը հանդիպել է օտարերկրյա լրագրողների հետ",
        "Ադրբեջանի նախագահի օգնական Հիքմեթ Հաջիևը Բաքվում հանդիպել է օտարերկրյա լրագրողների հետ։ Հանդիպմանը քննարկվել են տարածաշրջանային անվտանգության հարցեր։",
    ),
    (
        "/ka-ganja.html",
        "ka",
        "ირაკლი კობახიძე ბაქოში ჩავიდა",
        "საქართველოს პრემიერ-მინისტრი ირაკლი კობახიძე ოთხშაბათს ბაქოში ჩავიდა. კობახიძემ აზერბაიჯანის საგარეო საქმეთა მინისტრ ჯეიჰუნ ბაირამოვს რეგიონული თანამშრომლობის საკითხები განუხილა. ვიზიტის შემდეგ დელეგაცია განჯას ეწვია, სადაც ადგილობრივ ხელისუფლებას შეხვდა.",
    ),
    (
        "/ru-ganja.html",
        "ru",
        "Ильхам Алиев принял делегацию в Гяндже",
        "Президент Азербайджана Ильхам Алиев принял в Гяндже грузинскую делегацию во главе с Тамарой Кахидзе. На встрече с Амирбековым обсуждались вопросы энергетической безопасности и новых транспортных маршрутов региона.",
    ),
    (
        "/en-school.html",
        "en",
        "Minister Alakbarov opens a school in Ganja",
        "Education minister Alakbarov opened a new school in Ganja on Monday. The school will teach four hundred pupils from the city and nearby villages.",
    ),
    (
        "/en-weather.html",
        "en",
        "Rain expected across the region",
        "Forecasters expect heavy rain across the region on Tuesday. Farmers welcomed the news after a dry month.",
    ),
    (
        "/az-old.html",
        "az",
        "Hacıyev: köhnə məqalə",
        "Bu, Hikmət Hacıyev haqqında köhnə bir məqalədir. Hacıyev keçən il jurnalistlərlə görüşmüşdü və bu yazı arxivdədir.",
    ),
];

fn article(p: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    *ARTICLES
        .iter()
        .find(|a| a.0 == p)
        .unwrap_or_else(|| panic!("no article {p}"))
}

/// An outlet whose JSON feed lists what has been published so far.
struct Outlet {
    server: MockServer,
    published: Arc<Mutex<Vec<String>>>,
}

struct FeedResponder {
    base: String,
    published: Arc<Mutex<Vec<String>>>,
}

impl Respond for FeedResponder {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let published = self.published.lock().map(|p| p.clone()).unwrap_or_default();
        let items: Vec<Value> = published
            .iter()
            .map(|p| {
                let (_, _, title, _) = article(p);
                serde_json::json!({"id": format!("{}{p}", self.base), "url": format!("{}{p}", self.base), "title": title})
            })
            .collect();
        let feed = serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": "wire", "items": items});
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/feed+json")
            .set_body_string(feed.to_string())
    }
}

impl Outlet {
    async fn start() -> Outlet {
        let server = MockServer::start().await;
        let published = Arc::new(Mutex::new(Vec::new()));
        Mock::given(path("/feed.json"))
            .respond_with(FeedResponder {
                base: server.uri(),
                published: published.clone(),
            })
            .mount(&server)
            .await;
        for (p, lang, title, body) in ARTICLES {
            let html = format!(
                "<html lang=\"{lang}\"><head><title>{title}</title></head><body><nav><a href=\"/\">Home</a></nav>\
                 <article><h1>{title}</h1><p>{body}</p></article><footer>© Test</footer></body></html>"
            );
            Mock::given(path(*p))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("content-type", "text/html; charset=utf-8")
                        .set_body_string(html),
                )
                .mount(&server)
                .await;
        }
        Outlet { server, published }
    }

    fn publish(&self, paths: &[&str]) {
        if let Ok(mut p) = self.published.lock() {
            p.extend(paths.iter().map(|s| s.to_string()));
        }
    }

    fn url(&self, p: &str) -> String {
        format!("{}{p}", self.server.uri())
    }

    /// The source, polled every second.
    fn source(&self) -> String {
        format!(
            "[[source]]\nid = \"wire\"\nkind = \"feed\"\nurl = \"{}/feed.json\"\npoll_interval = \"1s\"\nmax_interval = \"1s\"\n\n",
            self.server.uri()
        )
    }
}

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    /// The receiver's path (one per watch in these tests).
    path: String,
    key: String,
    signature: Option<String>,
    body: Vec<u8>,
    /// What the receiver answered.
    status: u16,
    at: Instant,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    /// The URLs of the hits the message carries.
    fn urls(&self) -> Vec<String> {
        self.json()["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|h| h["url"].as_str().map(str::to_string))
            .collect()
    }
}

/// A webhook receiver: answers 200 (after `delay`), or 500 while `down`;
/// records every request.
#[derive(Clone, Default)]
struct Receiver {
    down: Arc<AtomicBool>,
    delay: Arc<Mutex<Duration>>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Respond for Receiver {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let header = |name: &str| {
            req.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = if self.down.load(Ordering::SeqCst) {
            500
        } else {
            200
        };
        if let Ok(mut got) = self.got.lock() {
            got.push(Received {
                path: req.url.path().to_string(),
                key: header("x-pressd-delivery").unwrap_or_default(),
                signature: header("x-pressd-signature"),
                body: req.body.clone(),
                status,
                at: Instant::now(),
            });
        }
        let delay = self.delay.lock().map(|d| *d).unwrap_or_default();
        ResponseTemplate::new(status).set_delay(delay)
    }
}

impl Receiver {
    async fn start(&self) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(wiremock::matchers::path_regex("^/hook/"))
            .respond_with(self.clone())
            .mount(&server)
            .await;
        server
    }

    fn all(&self) -> Vec<Received> {
        self.got.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Per receiver path: the URLs acknowledged (2xx), each message
    /// counted once by its idempotency key, as a receiver that drops keys
    /// it has seen counts them.
    fn delivered(&self) -> BTreeMap<String, Vec<String>> {
        let mut seen = BTreeSet::new();
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in self.all() {
            if r.status == 200 && seen.insert(r.key.clone()) {
                let urls = out.entry(r.path.clone()).or_default();
                urls.extend(r.urls());
                urls.sort();
            }
        }
        out
    }

    fn delivered_to(&self, hook: &str) -> Vec<String> {
        self.delivered()
            .get(&format!("/hook/{hook}"))
            .cloned()
            .unwrap_or_default()
    }
}

/// A free port on loopback for the metrics listener.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn watch(id: &str, query: &str, hook: Option<&str>, extra: &str) -> String {
    let hook = hook
        .map(|base| {
            format!(
                "webhook = \"{base}/hook/{id}\"\nwebhook_secret_env = \"PRESSD_TEST_HOOK_SECRET\"\n"
            )
        })
        .unwrap_or_default();
    format!("[[watch]]\nid = \"{id}\"\nquery = \"{query}\"\n{hook}{extra}\n")
}

fn start(dep: &Deployment) -> Daemon {
    Daemon::start(dep, &[("PRESSD_TEST_HOOK_SECRET", SECRET)])
}

async fn started(daemon: &Daemon) {
    assert!(
        wait_until(Duration::from_secs(20), || daemon
            .log()
            .contains("pressd started"))
        .await,
        "{}",
        daemon.log()
    );
}

fn sorted(urls: &[String]) -> Vec<String> {
    let mut v = urls.to_vec();
    v.sort();
    v
}

fn verify(signature: &str, body: &[u8]) -> bool {
    let Some(hex) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == hex
}

fn watches_json(dep: &Deployment) -> Value {
    let out = dep.run(&["watches", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("watches prints JSON")
}

fn row<'a>(rows: &'a Value, id: &str) -> &'a Value {
    rows.as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no watch {id} in {rows}"))
}

// Issue 20: new articles fire the watches whose queries find them, a
// Latin-script name finding its Cyrillic, Armenian and Georgian spellings,
// each exactly once, signed; nothing fires for the back catalogue; the
// Atom feed lists the hits; a restart sends nothing again.
#[tokio::test(flavor = "multi_thread")]
async fn new_articles_fire_the_right_watches_once_signed_across_scripts() {
    let outlet = Outlet::start().await;
    let receiver = Receiver::default();
    let hooks = receiver.start().await;
    let base = hooks.uri();
    let dep = Deployment::new(&outlet.source());

    // The back catalogue, indexed before any watch existed.
    outlet.publish(&["/az-old.html"]);
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));

    let port = free_port();
    let mut config = std::fs::read_to_string(&dep.config).expect("config");
    config.push_str(&format!("\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n\n"));
    config.push_str(&watch("hajiyev", "Hajiyev", Some(&base), ""));
    config.push_str(&watch("ganja", "Ganja", Some(&base), "feed = true\n"));
    config.push_str(&watch(
        "hajiyev-ru",
        "Hajiyev",
        Some(&base),
        "lang = [\"ru\"]\n",
    ));
    config.push_str(&watch("nobody", "Kavelashvili", Some(&base), ""));
    config.push_str(&watch(
        "hajiyev-story",
        "Hajiyev",
        Some(&base),
        "per = \"story\"\n",
    ));
    std::fs::write(&dep.config, config).expect("write config");

    let daemon = start(&dep);
    started(&daemon).await;
    let published = Instant::now();
    outlet.publish(&[
        "/az-hajiyev.html",
        "/az-hajiyev-copy.html",
        "/ru-hajiyev.html",
        "/hy-hajiyev.html",
        "/ka-ganja.html",
        "/ru-ganja.html",
        "/en-weather.html",
    ]);
    let expected: BTreeMap<String, Vec<String>> = [
        (
            "/hook/hajiyev",
            vec![
                "/az-hajiyev-copy.html",
                "/az-hajiyev.html",
                "/hy-hajiyev.html",
                "/ru-hajiyev.html",
            ],
        ),
        ("/hook/ganja", vec!["/ka-ganja.html", "/ru-ganja.html"]),
        ("/hook/hajiyev-ru", vec!["/ru-hajiyev.html"]),
    ]
    .into_iter()
    .map(|(k, v)| {
        (
            k.to_string(),
            sorted(&v.iter().map(|p| outlet.url(p)).collect::<Vec<_>>()),
        )
    })
    .collect();
    let per_article = || {
        let mut delivered = receiver.delivered();
        delivered.remove("/hook/hajiyev-story");
        delivered
    };
    let arrived = wait_until(Duration::from_secs(40), || per_article() == expected).await;
    assert!(
        arrived,
        "delivered {:#?}, expected {expected:#?}\n{}",
        receiver.delivered(),
        daemon.log()
    );
    let first = receiver.all().iter().map(|r| r.at).min().expect("some");
    eprintln!(
        "published -> first webhook: {} ms (poll interval 1 s)",
        (first - published).as_millis()
    );

    // One message per hit, signed over its exact bytes, its key in the
    // header and the body.
    for r in receiver.all() {
        let body = r.json();
        assert_eq!(body["delivery"], r.key.as_str(), "{body}");
        assert_eq!(
            format!("/hook/{}", body["watch"].as_str().unwrap_or("")),
            r.path
        );
        assert_eq!(body["hits"].as_array().map(Vec::len), Some(1), "{body}");
        let hit = &body["hits"][0];
        for field in ["url", "title", "source", "lang", "snippet", "score"] {
            assert!(!hit[field].is_null(), "{field} in {hit}");
        }
        assert!(hit["story"].is_u64(), "every article has its story: {hit}");
        let signature = r.signature.as_deref().expect("signed");
        assert!(verify(signature, &r.body), "{signature} for {body}");
    }

    // A per-story watch fires once per story among the same hits.
    let stories: BTreeSet<u64> = receiver
        .all()
        .iter()
        .filter(|r| r.path == "/hook/hajiyev")
        .filter_map(|r| r.json()["hits"][0]["story"].as_u64())
        .collect();
    let story_messages = || {
        receiver
            .all()
            .iter()
            .filter(|r| r.path == "/hook/hajiyev-story")
            .filter_map(|r| r.json()["hits"][0]["story"].as_u64())
            .collect::<Vec<u64>>()
    };
    assert!(
        wait_until(Duration::from_secs(10), || story_messages().len()
            == stories.len())
        .await,
        "stories {stories:?}, per-story messages {:?}",
        story_messages()
    );
    assert!(
        stories.len() < expected["/hook/hajiyev"].len(),
        "the copy shares its original's story: {stories:?}"
    );
    let fired: BTreeSet<u64> = story_messages().into_iter().collect();
    assert_eq!(fired, stories, "one message per story");

    // The Atom feed parses and lists the watch's hits.
    let atom = reqwest::get(format!("http://127.0.0.1:{port}/watches/ganja.atom"))
        .await
        .expect("feed answers");
    assert_eq!(atom.status(), 200);
    let feed = feed_rs::parser::parse(&atom.bytes().await.expect("body")[..]).expect("Atom parses");
    let mut links: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.links.first().map(|l| l.href.clone()))
        .collect();
    links.sort();
    assert_eq!(links, expected["/hook/ganja"]);
    let missing = reqwest::get(format!("http://127.0.0.1:{port}/watches/hajiyev.atom"))
        .await
        .expect("answers");
    assert_eq!(
        missing.status(),
        404,
        "a watch without feed = true has none"
    );
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("pressd_watch_deliveries{watch=\"hajiyev\",status=\"ok\"} 4"),
        "{metrics}"
    );

    let rows = watches_json(&dep);
    let h = row(&rows, "hajiyev");
    assert_eq!(
        (h["hits"].as_u64(), h["delivered"].as_u64()),
        (Some(4), Some(4)),
        "{h}"
    );
    assert_eq!(
        (h["pending"].as_u64(), h["failures"].as_u64()),
        (Some(0), Some(0)),
        "{h}"
    );
    assert_eq!(h["last_delivery"]["status"], "ok", "{h}");
    assert_eq!(row(&rows, "nobody")["hits"], 0);
    let table = dep.run(&["watches"]);
    assert!(text(&table).contains("hajiyev-ru"), "{}", text(&table));

    // A restart sends nothing again, and an archive imported into the
    // running daemon is no news: only the newly published article fires.
    daemon.stop();
    let requests = receiver.all().len();
    let daemon = start(&dep);
    started(&daemon).await;
    let archive = dep.config.with_file_name("archive.jsonl");
    std::fs::write(
        &archive,
        "{\"url\": \"https://archive.example/ganja-2024\", \"title\": \"Ganja hosts a forum\", \
         \"body\": \"Ganja hosted a regional forum on trade last year.\"}\n",
    )
    .expect("write archive");
    let import = dep.run(&["import", archive.to_str().expect("utf-8 path")]);
    assert!(import.status.success(), "{}", text(&import));
    outlet.publish(&["/en-school.html"]);
    let ganja = sorted(
        &[
            expected["/hook/ganja"].clone(),
            vec![outlet.url("/en-school.html")],
        ]
        .concat(),
    );
    assert!(
        wait_until(Duration::from_secs(30), || receiver.delivered_to("ganja")
            == ganja)
        .await,
        "{:#?}\n{}",
        receiver.delivered(),
        daemon.log()
    );
    assert_eq!(receiver.all().len(), requests + 1, "{:#?}", receiver.all());
    daemon.stop();
}

// Issue 20: a receiver that fails with 500 and then recovers gets every
// message once; a receiver that refuses (404) is given up on at once and
// the failure shows in `pressd watches` and /metrics. A digest batches.
#[tokio::test(flavor = "multi_thread")]
async fn failing_receiver_recovers_and_gets_each_message_once() {
    let outlet = Outlet::start().await;
    let receiver = Receiver::default();
    receiver.down.store(true, Ordering::SeqCst);
    let hooks = receiver.start().await;
    let base = hooks.uri();
    let port = free_port();
    let watches = [
        watch(
            "hajiyev",
            "Hajiyev",
            Some(&base),
            "retry_delay = \"200ms\"\n",
        ),
        // No route for it on the receiver: 404.
        format!("[[watch]]\nid = \"gone\"\nquery = \"Hajiyev\"\nwebhook = \"{base}/gone\"\n\n"),
        watch(
            "digest",
            "Hajiyev",
            Some(&base),
            "digest = \"3s\"\nretry_delay = \"200ms\"\n",
        ),
    ]
    .concat();
    let dep = Deployment::new(&format!(
        "{}\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n\n{watches}",
        outlet.source()
    ));
    let daemon = start(&dep);
    started(&daemon).await;
    outlet.publish(&["/az-hajiyev.html", "/ru-hajiyev.html", "/hy-hajiyev.html"]);

    // Every message was tried and refused at least twice.
    let refused = wait_until(Duration::from_secs(40), || {
        let all = receiver.all();
        let keys: BTreeSet<&str> = all
            .iter()
            .filter(|r| r.path == "/hook/hajiyev")
            .map(|r| r.key.as_str())
            .collect();
        keys.len() == 3
            && keys.iter().all(|k| {
                all.iter()
                    .filter(|r| r.key == *k && r.status == 500)
                    .count()
                    >= 2
            })
    })
    .await;
    assert!(refused, "{:#?}\n{}", receiver.all(), daemon.log());
    let rows = watches_json(&dep);
    let h = row(&rows, "hajiyev");
    assert_eq!(h["pending"].as_u64(), Some(3), "{h}");
    assert_eq!(h["last_delivery"]["status"], "pending", "{h}");
    assert!(
        h["last_delivery"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("500")),
        "{h}"
    );
    let gone = row(&rows, "gone");
    assert_eq!(
        (gone["failures"].as_u64(), gone["pending"].as_u64()),
        (Some(3), Some(0)),
        "{gone}"
    );
    assert!(
        daemon.log().contains("watch delivery failed"),
        "{}",
        daemon.log()
    );
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for line in [
        "pressd_watch_deliveries{watch=\"gone\",status=\"failed\"} 3",
        "pressd_watch_deliveries{watch=\"hajiyev\",status=\"pending\"} 3",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }

    receiver.down.store(false, Ordering::SeqCst);
    let urls = sorted(
        &["/az-hajiyev.html", "/ru-hajiyev.html", "/hy-hajiyev.html"]
            .iter()
            .map(|p| outlet.url(p))
            .collect::<Vec<_>>(),
    );
    let recovered = wait_until(Duration::from_secs(30), || {
        receiver.delivered_to("hajiyev") == urls && receiver.delivered_to("digest") == urls
    })
    .await;
    assert!(recovered, "{:#?}\n{}", receiver.delivered(), daemon.log());
    // Each message acknowledged once: none sent again after its 200.
    let all = receiver.all();
    let acked: Vec<&Received> = all.iter().filter(|r| r.status == 200).collect();
    let keys: BTreeSet<&str> = acked.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys.len(), acked.len(), "{acked:#?}");
    // The digest batched the three hits (in one message, unless they
    // were committed on both sides of a digest's time).
    let digests: Vec<&&Received> = acked.iter().filter(|r| r.path == "/hook/digest").collect();
    assert!(digests.len() < 3, "{digests:#?}");
    assert_eq!(digests.iter().map(|d| d.urls().len()).sum::<usize>(), 3);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        receiver.all().len(),
        all.len(),
        "nothing more after the acknowledgements"
    );
    let h = row(&watches_json(&dep), "hajiyev").clone();
    assert_eq!(
        (h["delivered"].as_u64(), h["pending"].as_u64()),
        (Some(3), Some(0)),
        "{h}"
    );
    daemon.stop();
}

// Issue 20: a kill -9 while a message is on the wire, then a restart: the
// message goes again with the same key, and nothing is lost or doubled as
// the receiver counts by key.
#[tokio::test(flavor = "multi_thread")]
async fn kill_mid_delivery_then_restart_loses_and_doubles_nothing() {
    let outlet = Outlet::start().await;
    let receiver = Receiver::default();
    *receiver.delay.lock().expect("lock") = Duration::from_secs(5);
    let hooks = receiver.start().await;
    let base = hooks.uri();
    let dep = Deployment::new(&format!(
        "{}{}",
        outlet.source(),
        watch(
            "hajiyev",
            "Hajiyev",
            Some(&base),
            "retry_delay = \"200ms\"\n"
        )
    ));
    let mut daemon = start(&dep);
    started(&daemon).await;
    outlet.publish(&["/az-hajiyev.html", "/ru-hajiyev.html", "/hy-hajiyev.html"]);
    let on_the_wire = wait_until(Duration::from_secs(40), || !receiver.all().is_empty()).await;
    assert!(on_the_wire, "{}", daemon.log());
    daemon.signal(Signal::SIGKILL);
    daemon.wait(Duration::from_secs(5)).expect("killed");
    let before = receiver.all();

    *receiver.delay.lock().expect("lock") = Duration::ZERO;
    let daemon = start(&dep);
    started(&daemon).await;
    let urls = sorted(
        &["/az-hajiyev.html", "/ru-hajiyev.html", "/hy-hajiyev.html"]
            .iter()
            .map(|p| outlet.url(p))
            .collect::<Vec<_>>(),
    );
    let all_there = wait_until(Duration::from_secs(40), || {
        receiver.delivered_to("hajiyev") == urls
    })
    .await;
    assert!(all_there, "{:#?}\n{}", receiver.all(), daemon.log());
    // What was on the wire at the kill came again with its key.
    let after = receiver.all();
    for r in &before {
        assert!(
            after[before.len()..]
                .iter()
                .any(|a| a.key == r.key && a.body == r.body),
            "{} was not sent again after the restart: {after:#?}",
            r.key
        );
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.delivered_to("hajiyev"), urls);
    daemon.stop();
}

// Issue 20: a command gets the message on stdin (no shell of pressd's),
// its key and watch in the environment.
#[tokio::test(flavor = "multi_thread")]
async fn a_command_gets_each_message_on_stdin() {
    let outlet = Outlet::start().await;
    let out_dir = tempfile::tempdir().expect("tempdir");
    let script = out_dir.path().join("notify.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\ncat > \"$1/$PRESSD_WATCH-$PRESSD_DELIVERY.json\"\n",
    )
    .expect("script");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let dep = Deployment::new(&format!(
        "{}[[watch]]\nid = \"ganja\"\nquery = \"Ganja\"\ncommand = [\"{}\", \"{}\"]\ncommand_timeout = \"5s\"\n",
        outlet.source(),
        script.display(),
        out_dir.path().display()
    ));
    let daemon = start(&dep);
    started(&daemon).await;
    outlet.publish(&["/ka-ganja.html", "/en-weather.html", "/en-school.html"]);
    let files = || -> Vec<Value> {
        std::fs::read_dir(out_dir.path())
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .filter_map(|e| std::fs::read(e.path()).ok())
                    .filter_map(|b| serde_json::from_slice(&b).ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let got = wait_until(Duration::from_secs(40), || files().len() == 2).await;
    assert!(got, "{:?}\n{}", files(), daemon.log());
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let messages = files();
    assert_eq!(messages.len(), 2, "{messages:?}");
    let mut urls: Vec<String> = messages
        .iter()
        .map(|m| {
            assert_eq!(m["watch"], "ganja");
            m["hits"][0]["url"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    urls.sort();
    assert_eq!(
        urls,
        sorted(&[outlet.url("/en-school.html"), outlet.url("/ka-ganja.html")])
    );
    daemon.stop();
}

// Issue 20: SIGHUP adds a watch, which fires for what is committed from
// then on only; a bad watch file is refused with its file and line.
#[tokio::test(flavor = "multi_thread")]
async fn sighup_adds_a_watch_and_bad_watch_files_are_named() {
    let outlet = Outlet::start().await;
    let receiver = Receiver::default();
    let hooks = receiver.start().await;
    let base = hooks.uri();
    let dep = Deployment::new(&format!(
        "{}{}",
        outlet.source(),
        watch("hajiyev", "Hajiyev", Some(&base), "")
    ));
    let daemon = start(&dep);
    started(&daemon).await;
    outlet.publish(&["/ru-hajiyev.html"]);
    assert!(
        wait_until(Duration::from_secs(30), || receiver
            .delivered_to("hajiyev")
            .len()
            == 1)
        .await,
        "{}",
        daemon.log()
    );

    let watches_d = dep.dir.path().join("watches.d");
    std::fs::create_dir_all(&watches_d).expect("mkdir");
    std::fs::write(
        watches_d.join("desk.toml"),
        watch("hajiyev-too", "Hajiyev", Some(&base), ""),
    )
    .expect("write");
    daemon.signal(Signal::SIGHUP);
    assert!(
        wait_until(Duration::from_secs(10), || daemon
            .log()
            .contains("watches reloaded: 1 added"))
        .await,
        "{}",
        daemon.log()
    );
    outlet.publish(&["/hy-hajiyev.html"]);
    let hy = vec![outlet.url("/hy-hajiyev.html")];
    assert!(
        wait_until(Duration::from_secs(30), || receiver
            .delivered_to("hajiyev-too")
            == hy)
        .await,
        "{:#?}\n{}",
        receiver.delivered(),
        daemon.log()
    );
    // The two watches' messages travel apart: the old watch's may come
    // second.
    assert!(
        wait_until(Duration::from_secs(10), || receiver
            .delivered_to("hajiyev")
            .len()
            == 2)
        .await,
        "{:#?}",
        receiver.delivered()
    );

    // A bad file: the reload keeps the running watches, `check` names it.
    let bad = watches_d.join("bad.toml");
    std::fs::write(
        &bad,
        "[[watch]]\nid = \"leaky\"\nquery = \"x\"\nwebhook = \"http://127.0.0.1:9/\"\nwebhook_secret = \"hunter2\"\n",
    )
    .expect("write");
    let out = dep.run(&["check"]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains(&format!(
            "{}: line 5, column 18: watch[0].webhook_secret: a secret is never written in the configuration",
            bad.display()
        )),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "{said}");
    daemon.signal(Signal::SIGHUP);
    assert!(
        wait_until(Duration::from_secs(10), || daemon
            .log()
            .contains("keeping the running configuration"))
        .await,
        "{}",
        daemon.log()
    );
    daemon.stop();
}
