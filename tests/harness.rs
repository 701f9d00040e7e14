//! Test harness: a local world of outlets served by wiremock on 127.0.0.1,
//! a temporary config pointing pressd at it, and helpers to run the real
//! binary against it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/world")
}

/// One article page of the fixture world (tests/fixtures/world/articles.json).
#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    pub path: String,
    pub file: String,
    pub lang: String,
    pub title: String,
    pub published: String,
    pub author: Option<String>,
    pub keyword: String,
    pub boilerplate_word: String,
    pub first_sentence: String,
    pub last_sentence: String,
    pub content_type: String,
}

pub fn pages() -> Vec<Page> {
    let text = std::fs::read_to_string(fixtures().join("articles.json")).expect("articles.json");
    serde_json::from_str(&text).expect("articles.json parses")
}

/// A temporary deployment: config, index and state in a temp dir.
pub struct Deployment {
    pub dir: TempDir,
    pub config: PathBuf,
}

impl Deployment {
    /// A config with the given `[[source]]` TOML and settings tuned for
    /// tests (short timeouts, small caps, quick commits).
    pub fn new(sources_toml: &str) -> Deployment {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("pressd.toml");
        let text = format!(
            r#"index_dir = "index"
state_dir = "state"
languages = ["hy", "az", "ru", "en", "tr", "ka", "fa", "uk", "fr", "de"]
log = "info,pressd=debug"

[http]
user_agent = "pressd-test/1 (+http://127.0.0.1/)"
connect_timeout = "2s"
timeout = "3s"
max_body_size = "1 MiB"
max_redirects = 5
per_host_concurrency = 2
# Every test outlet shares one host (the local server): spacing requests
# would only slow the tests down. Politeness has its own tests in http.
per_host_delay = "0s"

[pipeline]
concurrency = 4
commit_batch = 50
commit_interval = "1s"
max_attempts = 2
retry_delay = "1s"

[defaults]
poll_interval = "1h"

{sources_toml}
"#
        );
        std::fs::write(&config, text).expect("write config");
        Deployment { dir, config }
    }

    pub fn cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pressd"));
        c.arg("--config")
            .arg(&self.config)
            .env("RUST_LOG", "info,pressd=debug")
            .env_remove("JOURNAL_STREAM");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run pressd")
    }

    /// `pressd search ... --format json`, parsed.
    pub fn search(&self, args: &[&str]) -> Value {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json", "--limit", "100"]);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "search {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("search prints JSON")
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A feed source entry for the config.
pub fn feed_source(id: &str, url: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nkind = \"feed\"\nurl = \"{url}\"\n\n")
}

/// Serve `bytes` at `p` with `content_type`.
pub async fn serve(server: &MockServer, p: &str, content_type: &str, bytes: Vec<u8>) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", content_type)
                .set_body_bytes(bytes),
        )
        .mount(server)
        .await;
}

/// Serve a feed the way real servers do: with an ETag and Last-Modified,
/// answering 304 to a request that presents the current ETag.
pub async fn serve_feed(server: &MockServer, p: &str, content_type: &str, bytes: Vec<u8>) {
    let etag = format!(
        "\"{:x}\"",
        bytes.len() * 31 + bytes.iter().map(|b| *b as usize).sum::<usize>()
    );
    Mock::given(method("GET"))
        .and(path(p))
        .and(header("if-none-match", etag.as_str()))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", etag.as_str()))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", content_type)
                .insert_header("etag", etag.as_str())
                .insert_header("last-modified", "Fri, 15 Mar 2024 12:00:00 GMT")
                .set_body_bytes(bytes),
        )
        .with_priority(2)
        .mount(server)
        .await;
}

/// Read a fixture, replacing `{BASE}` with the server's address.
pub fn fixture_bytes(name: &str, base: &str) -> Vec<u8> {
    let raw = std::fs::read(fixtures().join(name)).expect("fixture");
    replace_bytes(&raw, b"{BASE}", base.as_bytes())
}

/// `hay` with every `from` replaced by `to`.
pub fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// The fixture world: four outlets' feeds and their article pages, plus a
/// set of broken sources, all on one local server.
pub struct World {
    pub server: MockServer,
    pub pages: Vec<Page>,
}

/// Feeds of the healthy outlets: (source id, path, file, content type).
pub const FEEDS: &[(&str, &str, &str, &str)] = &[
    (
        "az-outlet",
        "/feeds/az.xml",
        "feed_az.xml",
        "application/rss+xml; charset=utf-8",
    ),
    (
        "hy-outlet",
        "/feeds/hy.atom",
        "feed_hy.atom",
        "application/atom+xml",
    ),
    (
        "ru-outlet",
        "/feeds/ru.xml",
        "feed_ru_cp1251.xml",
        "application/xml",
    ),
    (
        "en-outlet",
        "/feeds/en.json",
        "feed_en.json",
        "application/feed+json",
    ),
];

impl World {
    pub async fn start() -> World {
        let server = MockServer::start().await;
        let base = server.uri();
        for (_, p, file, ct) in FEEDS {
            serve_feed(&server, p, ct, fixture_bytes(file, &base)).await;
        }
        let pages = pages();
        for page in &pages {
            serve(
                &server,
                &page.path,
                &page.content_type,
                fixture_bytes(&page.file, &base),
            )
            .await;
        }
        serve(
            &server,
            "/files/report.pdf",
            "application/pdf",
            b"%PDF-1.4 not an article".to_vec(),
        )
        .await;
        serve(
            &server,
            "/feeds/malformed.xml",
            "application/rss+xml",
            fixture_bytes("feed_malformed.xml", &base),
        )
        .await;
        Mock::given(path("/feeds/500.xml"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        Mock::given(path("/feeds/stall.xml"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_delay(Duration::from_secs(30))
                    .set_body_string("<rss/>"),
            )
            .mount(&server)
            .await;
        Mock::given(path("/feeds/loop-a"))
            .respond_with(ResponseTemplate::new(302).insert_header("location", "/feeds/loop-b"))
            .mount(&server)
            .await;
        Mock::given(path("/feeds/loop-b"))
            .respond_with(ResponseTemplate::new(302).insert_header("location", "/feeds/loop-a"))
            .mount(&server)
            .await;
        serve(
            &server,
            "/feeds/huge.xml",
            "application/rss+xml",
            huge_feed(3 * 1024 * 1024),
        )
        .await;
        Mock::given(path("/feeds/bomb.xml"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/rss+xml")
                    .insert_header("content-encoding", "gzip")
                    .set_body_bytes(gzip_bomb(64 * 1024 * 1024)),
            )
            .mount(&server)
            .await;
        World { server, pages }
    }

    pub fn url(&self, p: &str) -> String {
        format!("{}{}", self.server.uri(), p)
    }

    /// Config entries for the healthy outlets.
    pub fn healthy_sources(&self) -> String {
        FEEDS
            .iter()
            .map(|(id, p, _, _)| feed_source(id, &self.url(p)))
            .collect()
    }

    /// Config entries for the broken sources.
    pub fn broken_sources(&self) -> String {
        [
            ("malformed", "/feeds/malformed.xml"),
            ("http-500", "/feeds/500.xml"),
            ("stalls", "/feeds/stall.xml"),
            ("redirect-loop", "/feeds/loop-a"),
            ("huge", "/feeds/huge.xml"),
            ("gzip-bomb", "/feeds/bomb.xml"),
            ("dead", "/feeds/404.xml"),
        ]
        .iter()
        .map(|(id, p)| feed_source(id, &self.url(p)))
        .collect()
    }
}

/// A well-formed feed far above the test body cap.
fn huge_feed(size: usize) -> Vec<u8> {
    let mut s =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>huge</title>");
    let mut n = 0;
    while s.len() < size {
        s.push_str(&format!("<item><title>item {n}</title><link>http://127.0.0.1:1/{n}</link><description>{}</description></item>", "x".repeat(1000)));
        n += 1;
    }
    s.push_str("</channel></rss>");
    s.into_bytes()
}

/// gzip of `size` zero bytes: tiny on the wire, huge once decompressed.
pub fn gzip_bomb(size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        enc.write_all(&chunk[..n]).expect("gzip");
        left -= n;
    }
    enc.finish().expect("gzip")
}

/// A running `pressd run` whose stderr is collected in the background;
/// killed when dropped, so a failed assertion leaves no daemon behind.
pub struct Daemon {
    pub child: Child,
    log: Arc<Mutex<String>>,
}

impl Daemon {
    pub fn start(dep: &Deployment, env: &[(&str, &str)]) -> Daemon {
        let mut cmd = dep.cmd();
        cmd.arg("run").stdout(Stdio::null()).stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn pressd run");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr piped");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        Daemon { child, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn signal(&self, sig: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), sig).expect("send signal");
    }

    /// Wait for exit up to `limit` (killing it after); returns the status
    /// and how long it took.
    pub fn wait(&mut self, limit: Duration) -> Option<(std::process::ExitStatus, Duration)> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some((status, start.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        None
    }

    /// SIGTERM, then expect a clean exit within 10 s.
    pub fn stop(mut self) {
        self.signal(Signal::SIGTERM);
        match self.wait(Duration::from_secs(10)) {
            Some((status, _)) => assert!(status.success(), "exit {status:?}:\n{}", self.log()),
            None => panic!("no exit within 10 s of SIGTERM:\n{}", self.log()),
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Poll `cond` every 100 ms until it holds or `limit` passes.
pub async fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
