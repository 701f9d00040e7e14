//! Tests of the client against local servers: wiremock where a canned
//! response suffices, a bare TCP listener where the test needs control of
//! the bytes on the wire (stalls mid-body, bodies without a length,
//! counting connections in flight).

use super::error::human_size;
use super::response::{judge_content_type, Verdict};
use super::*;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use wiremock::matchers::{header as header_is, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KIB: u64 = 1024;

fn settings() -> HttpSettings {
    HttpSettings {
        user_agent: "pressd-test/0".to_owned(),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        max_body_bytes: 64 * KIB,
        max_redirects: 3,
        per_host_concurrency: 4,
    }
}

fn client() -> Client {
    Client::new(&settings()).expect("client builds")
}

fn url_of(server: &MockServer, route: &str) -> Url {
    Url::parse(&format!("{}{route}", server.uri())).expect("valid url")
}

async fn mock(server: &MockServer, route: &str, template: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(template)
        .mount(server)
        .await;
}

fn ok(fetched: Fetched) -> Response {
    match fetched {
        Fetched::Ok(response) => response,
        Fetched::NotModified => panic!("expected a body, got 304"),
    }
}

/// A bare HTTP/1.1 server on 127.0.0.1 running `script` for every
/// connection after the request head has been read.
async fn raw_server<F, Fut>(script: F) -> Url
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let script = Arc::new(script);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let script = Arc::clone(&script);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                script(stream).await;
            });
        }
    });
    Url::parse(&format!("http://{addr}/")).expect("valid url")
}

#[tokio::test]
async fn conditional_get_yields_not_modified() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed"))
        .and(header_is("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    mock(
        &server,
        "/feed",
        ResponseTemplate::new(200)
            .insert_header("etag", "\"v1\"")
            .insert_header("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT")
            .set_body_raw("<rss/>", "application/rss+xml"),
    )
    .await;
    let client = client();
    let url = url_of(&server, "/feed");

    let first = ok(client.get(&url, None, Expect::Feed).await.expect("first"));
    assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.validators.last_modified.as_deref(),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );

    let second = client
        .get(&url, Some(&first.validators), Expect::Feed)
        .await
        .expect("second");
    assert!(matches!(second, Fetched::NotModified));
}

#[tokio::test]
async fn if_modified_since_is_sent() {
    let server = MockServer::start().await;
    // wiremock's `header` matcher splits values at commas, which HTTP dates
    // contain; compare the raw value instead.
    Mock::given(|request: &wiremock::Request| {
        request
            .headers
            .get("if-modified-since")
            .is_some_and(|v| v == "Wed, 21 Oct 2015 07:28:00 GMT")
    })
    .respond_with(ResponseTemplate::new(304))
    .mount(&server)
    .await;
    let validators = Validators {
        etag: None,
        last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
    };
    let fetched = client()
        .get(&url_of(&server, "/x"), Some(&validators), Expect::Feed)
        .await
        .expect("304");
    assert!(matches!(fetched, Fetched::NotModified));
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_cap() {
    // 8 MiB of zeros compress to a few KiB: 128 times the 64 KiB cap.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..8 {
        encoder.write_all(&block).expect("compress");
    }
    let bomb = encoder.finish().expect("compress");
    assert!((bomb.len() as u64) < 64 * KIB);

    let server = MockServer::start().await;
    mock(
        &server,
        "/bomb",
        ResponseTemplate::new(200)
            .insert_header("content-encoding", "gzip")
            .set_body_raw(bomb, "text/html"),
    )
    .await;
    let url = url_of(&server, "/bomb");
    let error = client()
        .get(&url, None, Expect::Html)
        .await
        .expect_err("bomb refused");
    assert!(matches!(error, FetchError::TooLarge { limit, .. } if limit == 64 * KIB));
    assert!(!error.is_transient());
    assert_eq!(
        error.to_string(),
        format!(
            "{url}: response body exceeds the 64 KiB limit (raise http.max_body_size or check the URL)"
        )
    );
}

#[tokio::test]
async fn gzip_body_under_the_cap_is_decompressed() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(b"<html><body>hello</body></html>")
        .expect("compress");
    let server = MockServer::start().await;
    mock(
        &server,
        "/page",
        ResponseTemplate::new(200)
            .insert_header("content-encoding", "gzip")
            .set_body_raw(encoder.finish().expect("compress"), "text/html"),
    )
    .await;
    let response = ok(client()
        .get(&url_of(&server, "/page"), None, Expect::Html)
        .await
        .expect("page"));
    assert_eq!(response.body, b"<html><body>hello</body></html>");
}

#[tokio::test]
async fn declared_length_above_the_cap_is_refused() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/big",
        ResponseTemplate::new(200).set_body_raw(vec![b'a'; 256 * 1024], "text/html"),
    )
    .await;
    let error = client()
        .get(&url_of(&server, "/big"), None, Expect::Html)
        .await
        .expect_err("too large");
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error}");
}

#[tokio::test]
async fn body_without_length_stops_at_the_cap() {
    let written = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&written);
    let url = raw_server(move |mut stream| {
        let counter = Arc::clone(&counter);
        async move {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'a'; 16 * 1024];
            // 16 MiB unless the client hangs up first.
            for _ in 0..1024 {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
                counter.fetch_add(chunk.len(), Ordering::SeqCst);
            }
        }
    })
    .await;
    let error = client()
        .get(&url, None, Expect::Html)
        .await
        .expect_err("too large");
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        written.load(Ordering::SeqCst) < 8 << 20,
        "client kept reading"
    );
}

#[tokio::test]
async fn redirects_are_followed_and_the_final_url_reported() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/old",
        ResponseTemplate::new(301).insert_header("location", "/new"),
    )
    .await;
    mock(
        &server,
        "/new",
        ResponseTemplate::new(200).set_body_raw("<rss/>", "application/rss+xml"),
    )
    .await;
    let response = ok(client()
        .get(&url_of(&server, "/old"), None, Expect::Feed)
        .await
        .expect("followed"));
    assert_eq!(response.url, url_of(&server, "/new"));
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/a",
        ResponseTemplate::new(302).insert_header("location", "/b"),
    )
    .await;
    mock(
        &server,
        "/b",
        ResponseTemplate::new(302).insert_header("location", "/a"),
    )
    .await;
    let url = url_of(&server, "/a");
    let error = client()
        .get(&url, None, Expect::Feed)
        .await
        .expect_err("loop");
    match &error {
        FetchError::RedirectLoop { url: asked, at } => {
            assert_eq!(asked, &url);
            assert_eq!(at, url.as_str());
        }
        other => panic!("expected a loop, got {other}"),
    }
    assert!(!error.is_transient());
}

#[tokio::test]
async fn too_many_redirects() {
    let server = MockServer::start().await;
    for i in 0..6 {
        let next = format!("/r{}", i + 1);
        mock(
            &server,
            &format!("/r{i}"),
            ResponseTemplate::new(307).insert_header("location", next.as_str()),
        )
        .await;
    }
    let error = client()
        .get(&url_of(&server, "/r0"), None, Expect::Feed)
        .await
        .expect_err("too many");
    assert!(
        matches!(error, FetchError::TooManyRedirects { limit: 3, .. }),
        "{error}"
    );
    assert!(!error.is_transient());
}

#[tokio::test]
async fn redirect_to_another_scheme_is_refused() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/ftp",
        ResponseTemplate::new(302).insert_header("location", "ftp://example.org/feed"),
    )
    .await;
    let error = client()
        .get(&url_of(&server, "/ftp"), None, Expect::Feed)
        .await
        .expect_err("scheme");
    assert!(
        matches!(error, FetchError::UnsupportedScheme { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn non_http_url_is_a_permanent_error() {
    let url = Url::parse("file:///etc/passwd").expect("url");
    let error = client()
        .get(&url, None, Expect::Html)
        .await
        .expect_err("scheme");
    assert!(matches!(error, FetchError::UnsupportedScheme { .. }));
    assert!(!error.is_transient());
    assert_eq!(
        error.to_string(),
        "file:///etc/passwd: only http and https URLs can be fetched"
    );
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/slow",
        ResponseTemplate::new(200).set_delay(Duration::from_secs(30)),
    )
    .await;
    let client = Client::new(&HttpSettings {
        timeout: Duration::from_millis(300),
        ..settings()
    })
    .expect("client");
    let started = Instant::now();
    let error = client
        .get(&url_of(&server, "/slow"), None, Expect::Feed)
        .await
        .expect_err("timeout");
    assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
    assert!(error.is_transient());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn server_that_stalls_mid_body_times_out() {
    let url = raw_server(|mut stream| async move {
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 1000\r\n\r\n<html>";
        if stream.write_all(head.as_bytes()).await.is_ok() {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    })
    .await;
    let client = Client::new(&HttpSettings {
        timeout: Duration::from_millis(400),
        ..settings()
    })
    .expect("client");
    let started = Instant::now();
    let error = client
        .get(&url, None, Expect::Html)
        .await
        .expect_err("timeout");
    assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(error.to_string().contains("400ms"), "{error}");
}

#[tokio::test]
async fn refused_connection_is_a_transient_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let url = Url::parse(&format!("http://{addr}/feed")).expect("url");
    let error = client()
        .get(&url, None, Expect::Feed)
        .await
        .expect_err("refused");
    assert!(matches!(error, FetchError::Connect { .. }), "{error}");
    assert!(error.is_transient());
    assert!(error
        .to_string()
        .starts_with(&format!("{url}: could not connect: ")));
}

#[tokio::test]
async fn pdf_is_refused_before_reading() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/doc",
        ResponseTemplate::new(200).set_body_raw(b"%PDF-1.7".to_vec(), "application/pdf"),
    )
    .await;
    let url = url_of(&server, "/doc");
    for expect in [Expect::Html, Expect::Feed] {
        let error = client().get(&url, None, expect).await.expect_err("pdf");
        assert!(
            matches!(&error, FetchError::UnsupportedContentType { content_type, .. } if content_type == "application/pdf"),
            "{error}"
        );
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn feeds_accept_mislabelled_types() {
    let server = MockServer::start().await;
    for (route, mime) in [
        ("/octet", "application/octet-stream"),
        ("/html", "text/html"),
        ("/plain", "text/plain"),
    ] {
        mock(
            &server,
            route,
            ResponseTemplate::new(200).set_body_raw("<rss version=\"2.0\"/>", mime),
        )
        .await;
    }
    mock(
        &server,
        "/none",
        ResponseTemplate::new(200).set_body_bytes("<rss/>"),
    )
    .await;
    for route in ["/octet", "/html", "/plain", "/none"] {
        client()
            .get(&url_of(&server, route), None, Expect::Feed)
            .await
            .unwrap_or_else(|e| panic!("{route}: {e}"));
    }
}

#[tokio::test]
async fn pages_without_a_type_are_sniffed() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/page",
        ResponseTemplate::new(200).set_body_bytes("<!DOCTYPE html><html><p>hi</p></html>"),
    )
    .await;
    mock(
        &server,
        "/blob",
        ResponseTemplate::new(200).set_body_bytes(b"\x89PNG\r\n\x1a\n".to_vec()),
    )
    .await;
    mock(
        &server,
        "/octet",
        ResponseTemplate::new(200).set_body_raw("<html></html>", "application/octet-stream"),
    )
    .await;
    let client = client();
    let page = ok(client
        .get(&url_of(&server, "/page"), None, Expect::Html)
        .await
        .expect("page"));
    assert_eq!(page.content_type, None);
    for route in ["/blob", "/octet"] {
        let error = client
            .get(&url_of(&server, route), None, Expect::Html)
            .await
            .expect_err("not html");
        assert!(
            matches!(error, FetchError::UnsupportedContentType { .. }),
            "{route}: {error}"
        );
    }
}

#[tokio::test]
async fn status_errors_and_their_transience() {
    let server = MockServer::start().await;
    mock(&server, "/500", ResponseTemplate::new(500)).await;
    mock(&server, "/404", ResponseTemplate::new(404)).await;
    mock(&server, "/410", ResponseTemplate::new(410)).await;
    mock(
        &server,
        "/429",
        ResponseTemplate::new(429).insert_header("retry-after", "120"),
    )
    .await;
    let later = chrono::Utc::now() + chrono::Duration::seconds(600);
    mock(
        &server,
        "/503",
        ResponseTemplate::new(503).insert_header(
            "retry-after",
            later.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ),
    )
    .await;
    // The 429 pauses the host; keep the pause short so the 503 that
    // follows is asked for at once and its date still lies 600 s ahead.
    let client = Client::with_policy(
        &settings(),
        &Policy {
            max_pause: Duration::from_millis(10),
            ..Policy::unthrottled()
        },
    )
    .expect("client");
    let get = |route: &'static str| {
        let client = client.clone();
        let url = url_of(&server, route);
        async move { client.get(&url, None, Expect::Feed).await.expect_err(route) }
    };

    let e500 = get("/500").await;
    assert!(e500.is_transient());
    assert!(matches!(
        e500,
        FetchError::Status {
            status: 500,
            retry_after: None,
            ..
        }
    ));

    let e404 = get("/404").await;
    assert!(!e404.is_transient());
    assert_eq!(
        e404.to_string(),
        format!(
            "{}: the server answered HTTP 404 Not Found",
            url_of(&server, "/404")
        )
    );
    assert!(!get("/410").await.is_transient());

    let e429 = get("/429").await;
    assert!(e429.is_transient());
    assert_eq!(e429.retry_after(), Some(Duration::from_secs(120)));
    assert!(e429
        .to_string()
        .ends_with("HTTP 429 Too Many Requests and asks to retry after 2m"));

    let e503 = get("/503").await;
    assert!(e503.is_transient());
    let wait = e503.retry_after().expect("date parsed");
    assert!(
        wait > Duration::from_secs(590) && wait <= Duration::from_secs(600),
        "{wait:?}"
    );
}

#[tokio::test]
async fn content_type_charset_and_validators_are_exposed() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/feed",
        ResponseTemplate::new(200)
            .insert_header("etag", "W/\"abc\"")
            .set_body_raw(
                b"<rss version=\"2.0\"/>".to_vec(),
                "Application/RSS+XML; charset=\"windows-1251\"",
            ),
    )
    .await;
    let response = ok(client()
        .get(&url_of(&server, "/feed"), None, Expect::Feed)
        .await
        .expect("feed"));
    assert_eq!(response.status, 200);
    assert_eq!(
        response.content_type.as_deref(),
        Some("application/rss+xml")
    );
    assert_eq!(response.charset.as_deref(), Some("windows-1251"));
    assert_eq!(response.validators.etag.as_deref(), Some("W/\"abc\""));
    assert_eq!(response.validators.last_modified, None);
}

/// A server that holds each request for `hold` and records the most
/// requests it ever had in flight at once.
async fn counting_server(hold: Duration) -> (Url, Arc<AtomicUsize>) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (now, max) = (Arc::clone(&in_flight), Arc::clone(&peak));
    let url = raw_server(move |mut stream| {
        let (now, max) = (Arc::clone(&now), Arc::clone(&max));
        async move {
            let current = now.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(current, Ordering::SeqCst);
            tokio::time::sleep(hold).await;
            // Leave before answering: once the client has the answer it may
            // start the next request, which must not find us still counted.
            now.fetch_sub(1, Ordering::SeqCst);
            let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\n\
                          content-length: 6\r\nconnection: close\r\n\r\n<rss/>";
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    })
    .await;
    (url, peak)
}

/// Ask for `n` feeds under `url` at once; every fetch must succeed.
async fn fetch_feeds_at_once(client: &Client, url: &Url, n: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let client = client.clone();
        let url = url.join(&format!("feed{i}")).expect("url");
        tasks.spawn(async move { client.get(&url, None, Expect::Feed).await.map(|_| ()) });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("fetch");
    }
}

#[tokio::test]
async fn per_host_concurrency_is_never_exceeded() {
    let (url, peak) = counting_server(Duration::from_millis(80)).await;
    let client = Client::new(&HttpSettings {
        per_host_concurrency: 2,
        ..settings()
    })
    .expect("client");
    fetch_feeds_at_once(&client, &url, 8).await;
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn request_limit_bounds_requests_across_the_client() {
    let (url, peak) = counting_server(Duration::from_millis(80)).await;
    // The host would allow 8; the client-wide limit of 2 is what holds.
    let client = Client::new(&HttpSettings {
        per_host_concurrency: 8,
        ..settings()
    })
    .expect("client")
    .with_request_limit(2);
    fetch_feeds_at_once(&client, &url, 8).await;
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

#[test]
fn sizes_read_like_the_config() {
    assert_eq!(human_size(10 * 1024 * 1024), "10 MiB");
    assert_eq!(human_size(64 * 1024), "64 KiB");
    assert_eq!(human_size(1000), "1000 bytes");
}

#[test]
fn content_type_verdicts() {
    use Verdict::*;
    assert_eq!(judge_content_type(Expect::Html, Some("text/html")), Accept);
    assert_eq!(
        judge_content_type(Expect::Html, Some("application/xhtml+xml")),
        Accept
    );
    assert_eq!(
        judge_content_type(Expect::Html, Some("text/plain")),
        SniffHtml
    );
    assert_eq!(judge_content_type(Expect::Html, None), SniffHtml);
    assert_eq!(
        judge_content_type(Expect::Html, Some("application/json")),
        Refuse
    );
    assert_eq!(judge_content_type(Expect::Html, Some("video/mp4")), Refuse);
    assert_eq!(
        judge_content_type(Expect::Feed, Some("application/atom+xml")),
        Accept
    );
    assert_eq!(
        judge_content_type(Expect::Feed, Some("application/feed+json")),
        Accept
    );
    assert_eq!(judge_content_type(Expect::Feed, Some("image/png")), Refuse);
    assert_eq!(
        judge_content_type(Expect::Feed, Some("application/zip")),
        Refuse
    );
    assert_eq!(
        judge_content_type(
            Expect::Feed,
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        ),
        Refuse
    );
}

// Politeness, robots.txt and the link guard (issue 5).

const PAGE: &str = "<html><head><title>Page</title></head><body>text</body></html>";

fn policy() -> Policy {
    Policy {
        per_host_delay: Duration::ZERO,
        ..Policy::default()
    }
}

fn client_with(policy: Policy) -> Client {
    Client::with_policy(&settings(), &policy).expect("client builds")
}

async fn page(server: &MockServer, route: &str) {
    mock(
        server,
        route,
        ResponseTemplate::new(200).set_body_raw(PAGE, "text/html"),
    )
    .await;
}

async fn robots_txt(server: &MockServer, template: ResponseTemplate) {
    mock(server, "/robots.txt", template).await;
}

async fn requests_to(server: &MockServer, route: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == route)
        .count()
}

/// A server that answers every request with a small feed and records when
/// each request arrived.
async fn recording_server() -> (Url, Arc<std::sync::Mutex<Vec<Instant>>>) {
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&arrivals);
    let url = raw_server(move |mut stream| {
        let log = Arc::clone(&log);
        async move {
            log.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Instant::now());
            let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\n\
                          content-length: 6\r\nconnection: close\r\n\r\n<rss/>";
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    })
    .await;
    (url, arrivals)
}

fn sorted_gaps(arrivals: &std::sync::Mutex<Vec<Instant>>) -> Vec<Duration> {
    let mut times = arrivals.lock().unwrap_or_else(|e| e.into_inner()).clone();
    times.sort();
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test]
async fn requests_to_one_host_are_spaced_under_concurrency() {
    let (url, arrivals) = recording_server().await;
    let client = client_with(Policy {
        per_host_delay: Duration::from_millis(250),
        ..policy()
    });
    fetch_feeds_at_once(&client, &url, 4).await;
    let gaps = sorted_gaps(&arrivals);
    assert_eq!(gaps.len(), 3);
    // Timers never fire early; the slack covers the loopback round trip.
    for gap in &gaps {
        assert!(*gap >= Duration::from_millis(240), "{gaps:?}");
    }
}

#[tokio::test]
async fn spacing_of_one_host_does_not_hold_up_another() {
    let (slow, _) = recording_server().await;
    let (other, _) = recording_server().await;
    let client = client_with(Policy {
        per_host_delay: Duration::from_secs(2),
        ..policy()
    });
    client.get(&slow, None, Expect::Feed).await.expect("first");
    let waiting = {
        let client = client.clone();
        let slow = slow.clone();
        tokio::spawn(async move { client.get(&slow, None, Expect::Feed).await.map(|_| ()) })
    };
    let started = Instant::now();
    client.get(&other, None, Expect::Feed).await.expect("other");
    assert!(started.elapsed() < Duration::from_millis(1500));
    waiting.abort();
}

#[tokio::test]
async fn robots_disallow_applies_to_pages_not_feeds() {
    let server = MockServer::start().await;
    robots_txt(
        &server,
        ResponseTemplate::new(200).set_body_raw(
            "User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n",
            "text/plain",
        ),
    )
    .await;
    page(&server, "/private/page").await;
    page(&server, "/news/1").await;
    mock(
        &server,
        "/private/feed",
        ResponseTemplate::new(200).set_body_raw("<rss/>", "application/rss+xml"),
    )
    .await;
    let client = client_with(policy());

    let refused = client
        .get(&url_of(&server, "/private/page"), None, Expect::Html)
        .await
        .expect_err("disallowed");
    assert!(matches!(refused, FetchError::RobotsDisallowed { .. }));
    assert!(!refused.is_transient());
    assert_eq!(
        refused.to_string(),
        format!(
            "{}: the site's robots.txt does not allow pressd to fetch this page",
            url_of(&server, "/private/page")
        )
    );
    assert_eq!(requests_to(&server, "/private/page").await, 0);

    ok(client
        .get(&url_of(&server, "/news/1"), None, Expect::Html)
        .await
        .expect("allowed page"));
    ok(client
        .get(&url_of(&server, "/private/feed"), None, Expect::Feed)
        .await
        .expect("feeds ignore robots.txt"));
}

#[tokio::test]
async fn robots_group_for_pressd_is_used() {
    let server = MockServer::start().await;
    robots_txt(
        &server,
        ResponseTemplate::new(200).set_body_raw(
            "User-agent: *\nDisallow: /\n\nUser-agent: pressd\nAllow: /news/\nDisallow: /\n",
            "text/plain",
        ),
    )
    .await;
    page(&server, "/news/1").await;
    page(&server, "/search").await;
    let client = client_with(policy());
    ok(client
        .get(&url_of(&server, "/news/1"), None, Expect::Html)
        .await
        .expect("allowed for pressd"));
    let refused = client
        .get(&url_of(&server, "/search"), None, Expect::Html)
        .await
        .expect_err("disallowed");
    assert!(matches!(refused, FetchError::RobotsDisallowed { .. }));
}

#[tokio::test]
async fn robots_is_fetched_once_for_many_pages() {
    let server = MockServer::start().await;
    robots_txt(
        &server,
        ResponseTemplate::new(200)
            .set_body_raw("User-agent: *\nDisallow: /private/\n", "text/plain")
            // Slow enough that the concurrent pages all wait on one fetch.
            .set_delay(Duration::from_millis(100)),
    )
    .await;
    for i in 0..5 {
        page(&server, &format!("/news/{i}")).await;
    }
    let client = client_with(policy());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..5 {
        let client = client.clone();
        let url = url_of(&server, &format!("/news/{i}"));
        tasks.spawn(async move { client.get(&url, None, Expect::Html).await.map(|_| ()) });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("fetch");
    }
    ok(client
        .get(&url_of(&server, "/news/0"), None, Expect::Html)
        .await
        .expect("again"));
    assert_eq!(requests_to(&server, "/robots.txt").await, 1);
}

#[tokio::test]
async fn missing_robots_allows_everything() {
    let server = MockServer::start().await;
    robots_txt(&server, ResponseTemplate::new(404)).await;
    page(&server, "/news/1").await;
    let client = client_with(policy());
    ok(client
        .get(&url_of(&server, "/news/1"), None, Expect::Html)
        .await
        .expect("allowed"));
    ok(client
        .get(&url_of(&server, "/news/1"), None, Expect::Html)
        .await
        .expect("allowed"));
    assert_eq!(requests_to(&server, "/robots.txt").await, 1);
}

#[tokio::test]
async fn failing_robots_allows_and_is_asked_again_sooner() {
    let server = MockServer::start().await;
    robots_txt(&server, ResponseTemplate::new(500)).await;
    page(&server, "/news/1").await;
    let client = client_with(Policy {
        robots_retry: Duration::from_millis(200),
        ..policy()
    });
    let url = url_of(&server, "/news/1");
    ok(client.get(&url, None, Expect::Html).await.expect("allowed"));
    ok(client.get(&url, None, Expect::Html).await.expect("allowed"));
    assert_eq!(requests_to(&server, "/robots.txt").await, 1);
    tokio::time::sleep(Duration::from_millis(250)).await;
    ok(client.get(&url, None, Expect::Html).await.expect("allowed"));
    assert_eq!(requests_to(&server, "/robots.txt").await, 2);
}

#[tokio::test]
async fn robots_is_not_consulted_when_not_respected() {
    let server = MockServer::start().await;
    robots_txt(
        &server,
        ResponseTemplate::new(200).set_body_raw("User-agent: *\nDisallow: /\n", "text/plain"),
    )
    .await;
    page(&server, "/news/1").await;
    ok(client()
        .get(&url_of(&server, "/news/1"), None, Expect::Html)
        .await
        .expect("robots.txt off"));
    assert_eq!(requests_to(&server, "/robots.txt").await, 0);
}

#[tokio::test]
async fn crawl_delay_spaces_pages() {
    let server = MockServer::start().await;
    robots_txt(
        &server,
        ResponseTemplate::new(200).set_body_raw(
            "User-agent: pressd\nCrawl-delay: 0.3\nDisallow:\n",
            "text/plain",
        ),
    )
    .await;
    page(&server, "/news/1").await;
    let client = client_with(policy());
    let url = url_of(&server, "/news/1");
    // The delay is known once robots.txt is read; the pages after the
    // file are spaced from it and from each other.
    ok(client.get(&url, None, Expect::Html).await.expect("page"));
    let started = Instant::now();
    for _ in 0..2 {
        ok(client.get(&url, None, Expect::Html).await.expect("page"));
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(590), "{elapsed:?}");
}

#[tokio::test]
async fn crawl_delay_is_capped() {
    let server = MockServer::start().await;
    robots_txt(
        &server,
        ResponseTemplate::new(200).set_body_raw("User-agent: *\nCrawl-delay: 3600\n", "text/plain"),
    )
    .await;
    page(&server, "/news/1").await;
    let client = client_with(Policy {
        max_crawl_delay: Duration::from_millis(100),
        ..policy()
    });
    let url = url_of(&server, "/news/1");
    ok(client.get(&url, None, Expect::Html).await.expect("page"));
    let started = Instant::now();
    for _ in 0..2 {
        ok(client.get(&url, None, Expect::Html).await.expect("page"));
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(190) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn retry_after_pauses_the_host() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/busy",
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
    )
    .await;
    mock(
        &server,
        "/feed",
        ResponseTemplate::new(200).set_body_raw("<rss/>", "application/rss+xml"),
    )
    .await;
    let (other, _) = recording_server().await;
    let client = client_with(policy());
    let error = client
        .get(&url_of(&server, "/busy"), None, Expect::Feed)
        .await
        .expect_err("429");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));

    let started = Instant::now();
    client
        .get(&other, None, Expect::Feed)
        .await
        .expect("other host");
    // Not held up by the pause of the first host.
    assert!(started.elapsed() < Duration::from_millis(900));
    client
        .get(&url_of(&server, "/feed"), None, Expect::Feed)
        .await
        .expect("after the pause");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
}

#[tokio::test]
async fn retry_after_pause_is_capped() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/busy",
        ResponseTemplate::new(503).insert_header("retry-after", "3600"),
    )
    .await;
    mock(
        &server,
        "/feed",
        ResponseTemplate::new(200).set_body_raw("<rss/>", "application/rss+xml"),
    )
    .await;
    let client = client_with(Policy {
        max_pause: Duration::from_millis(200),
        ..policy()
    });
    let _ = client
        .get(&url_of(&server, "/busy"), None, Expect::Feed)
        .await
        .expect_err("503");
    let started = Instant::now();
    client
        .get(&url_of(&server, "/feed"), None, Expect::Feed)
        .await
        .expect("after the pause");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
}

#[tokio::test]
async fn long_pause_fails_fast_with_the_time_left() {
    let server = MockServer::start().await;
    mock(
        &server,
        "/busy",
        ResponseTemplate::new(429).insert_header("retry-after", "30"),
    )
    .await;
    page(&server, "/news/1").await;
    let client = client_with(Policy {
        max_pause_wait: Duration::from_millis(100),
        ..policy()
    });
    let _ = client
        .get(&url_of(&server, "/busy"), None, Expect::Feed)
        .await
        .expect_err("429");
    let started = Instant::now();
    let url = url_of(&server, "/news/1");
    let paused = client
        .get(&url, None, Expect::Html)
        .await
        .expect_err("paused");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(paused.is_transient());
    let left = paused.retry_after().expect("time left");
    assert!(
        left > Duration::from_secs(25) && left <= Duration::from_secs(30),
        "{left:?}"
    );
    assert_eq!(
        paused.to_string(),
        format!("{url}: not requested: the server asked for a pause, 30s of which is left")
    );
    // Neither the page nor its robots.txt was asked for.
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1
    );
    // Nor was "no robots.txt" remembered for the origin: once the pause
    // is over, the file is fetched.
    assert!(client
        .robots
        .slot(&url.origin().ascii_serialization())
        .lock()
        .await
        .is_none());
}

#[tokio::test]
async fn guard_refuses_loopback_literal_unless_allowed() {
    let server = MockServer::start().await;
    page(&server, "/news/1").await;
    let url = url_of(&server, "/news/1");
    let client = client_with(policy());

    let refused = client
        .get_guarded(&url, None, Expect::Html, Reach::PublicOnly)
        .await
        .expect_err("loopback refused");
    match &refused {
        FetchError::Forbidden { address, .. } => {
            assert_eq!(*address, IpAddr::from([127, 0, 0, 1]))
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert!(!refused.is_transient());
    assert!(refused
        .to_string()
        .contains("127.0.0.1, a loopback address"));
    // Refused before anything was sent, robots.txt included.
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        0
    );

    ok(client
        .get_guarded(&url, None, Expect::Html, Reach::Any)
        .await
        .expect("allowed reach"));
    ok(client.get(&url, None, Expect::Html).await.expect("get"));
    let open = client_with(Policy {
        allow_private_addresses: true,
        ..policy()
    });
    ok(open
        .get_guarded(&url, None, Expect::Html, Reach::PublicOnly)
        .await
        .expect("private addresses allowed by the policy"));
}

#[tokio::test]
async fn metadata_address_is_refused_without_connecting() {
    let client = client_with(policy());
    let url = Url::parse("http://169.254.169.254/latest/meta-data/").expect("url");
    let started = Instant::now();
    let refused = client
        .get_guarded(&url, None, Expect::Html, Reach::PublicOnly)
        .await
        .expect_err("metadata refused");
    // Refused by the literal check: a connection attempt would have ended
    // in a connect error (or the 2 s connect timeout), not in Forbidden.
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(
        refused,
        FetchError::Forbidden { address, .. } if address == IpAddr::from([169, 254, 169, 254])
    ));
    assert!(refused.to_string().contains("link-local"));
}

#[tokio::test]
async fn name_resolving_to_loopback_is_refused() {
    let server = MockServer::start().await;
    page(&server, "/news/1").await;
    let port = url_of(&server, "/").port().expect("port");
    let url = Url::parse(&format!("http://localhost:{port}/news/1")).expect("url");
    let refused = client_with(policy())
        .get_guarded(&url, None, Expect::Html, Reach::PublicOnly)
        .await
        .expect_err("localhost refused");
    match refused {
        FetchError::Forbidden { address, .. } => assert!(address.is_loopback(), "{address}"),
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        0
    );
}

#[tokio::test]
async fn redirect_to_a_private_address_is_refused() {
    let server = MockServer::start().await;
    let target = url_of(&server, "/inside");
    page(&server, "/inside").await;
    page(&server, "/news/1").await;
    mock(
        &server,
        "/news/2",
        ResponseTemplate::new(302).insert_header("location", target.as_str()),
    )
    .await;
    let port = target.port().expect("port");
    // news.example is pinned to the loopback server without the guard's
    // resolver seeing it: a public host, as far as the client can tell.
    let client = Client::build(
        &settings(),
        &policy(),
        &[("news.example", SocketAddr::from(([127, 0, 0, 1], port)))],
    )
    .expect("client");
    let public =
        |route: &str| Url::parse(&format!("http://news.example:{port}{route}")).expect("url");

    ok(client
        .get_guarded(&public("/news/1"), None, Expect::Html, Reach::PublicOnly)
        .await
        .expect("a public host is fetched, robots.txt first"));
    assert_eq!(requests_to(&server, "/robots.txt").await, 1);

    let refused = client
        .get_guarded(&public("/news/2"), None, Expect::Html, Reach::PublicOnly)
        .await
        .expect_err("redirect into loopback");
    match &refused {
        FetchError::Forbidden { url, address } => {
            assert_eq!(*url, public("/news/2"));
            assert!(address.is_loopback());
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    // The same through a name the guard's resolver finds on loopback.
    mock(
        &server,
        "/news/3",
        ResponseTemplate::new(301).insert_header(
            "location",
            format!("http://localhost:{port}/inside").as_str(),
        ),
    )
    .await;
    let refused = client
        .get_guarded(&public("/news/3"), None, Expect::Html, Reach::PublicOnly)
        .await
        .expect_err("redirect to a loopback name");
    assert!(
        matches!(refused, FetchError::Forbidden { .. }),
        "{refused:?}"
    );
    assert_eq!(requests_to(&server, "/inside").await, 0);
}

#[tokio::test]
async fn link_reach_follows_the_source() {
    let client = client_with(policy());
    let reach = |text: &str| {
        let client = client.clone();
        let url = Url::parse(text).expect("url");
        async move { client.link_reach(&url).await }
    };
    assert_eq!(reach("http://127.0.0.1:8080/feed").await, Reach::Any);
    assert_eq!(reach("http://10.0.0.5/feed").await, Reach::Any);
    assert_eq!(reach("http://localhost/feed").await, Reach::Any);
    assert_eq!(reach("https://93.184.216.34/feed").await, Reach::PublicOnly);
    assert_eq!(
        reach("https://[2a00:1450:4001::200e]/feed").await,
        Reach::PublicOnly
    );
    let open = client_with(Policy {
        allow_private_addresses: true,
        ..policy()
    });
    let url = Url::parse("https://93.184.216.34/feed").expect("url");
    assert_eq!(open.link_reach(&url).await, Reach::Any);
}

#[tokio::test]
async fn idle_hosts_are_forgotten() {
    let first = MockServer::start().await;
    let second = MockServer::start().await;
    let third = MockServer::start().await;
    for server in [&first, &second] {
        page(server, "/news/1").await;
    }
    mock(
        &third,
        "/busy",
        ResponseTemplate::new(429).insert_header("retry-after", "60"),
    )
    .await;
    let client = client_with(Policy {
        forget_idle_hosts_after: Duration::from_millis(100),
        ..policy()
    });
    for server in [&first, &second] {
        ok(client
            .get(&url_of(server, "/news/1"), None, Expect::Html)
            .await
            .expect("page"));
    }
    let _ = client
        .get(&url_of(&third, "/busy"), None, Expect::Feed)
        .await
        .expect_err("429");
    assert_eq!(client.hosts.len(), 3);
    assert_eq!(client.robots.len(), 2);

    tokio::time::sleep(Duration::from_millis(250)).await;
    ok(client
        .get(&url_of(&first, "/news/1"), None, Expect::Html)
        .await
        .expect("page"));
    // The first host is back, the second forgotten, the third kept: its
    // pause must outlive idleness.
    assert_eq!(client.hosts.len(), 2);
    assert_eq!(client.robots.len(), 1);
}

#[tokio::test]
async fn a_hosts_own_limits_replace_the_defaults() {
    let (url, peak) = counting_server(Duration::from_millis(50)).await;
    let client = Client::new(&HttpSettings {
        per_host_concurrency: 4,
        ..settings()
    })
    .expect("client");
    client.set_host_limits(&HostKey::of(&url), Some(1), None);
    fetch_feeds_at_once(&client, &url, 4).await;
    assert_eq!(peak.load(Ordering::SeqCst), 1);

    // A delay of its own spaces one host while the default stays 0.
    let (spaced, arrivals) = recording_server().await;
    let client = client_with(policy());
    client.set_host_limits(
        &HostKey::of(&spaced),
        None,
        Some(Duration::from_millis(200)),
    );
    for i in 0..3 {
        let url = spaced.join(&format!("feed{i}")).expect("url");
        client.get(&url, None, Expect::Feed).await.expect("fetch");
    }
    let gaps = sorted_gaps(&arrivals);
    assert_eq!(gaps.len(), 2);
    for gap in &gaps {
        assert!(*gap >= Duration::from_millis(190), "{gaps:?}");
    }
}

#[tokio::test]
async fn waiting_for_a_hosts_turn_holds_no_request_slot() {
    let (spaced, spaced_arrivals) = recording_server().await;
    let (other, _) = recording_server().await;
    let client = client_with(Policy {
        per_host_delay: Duration::from_secs(1),
        ..policy()
    })
    .with_request_limit(1);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..2 {
        let client = client.clone();
        let url = spaced.join(&format!("feed{i}")).expect("url");
        tasks.spawn(async move { client.get(&url, None, Expect::Feed).await.map(|_| ()) });
    }
    // The second request to `spaced` now waits out its host's second.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let url = other.join("feed").expect("url");
    client
        .get(&url, None, Expect::Feed)
        .await
        .expect("the other host is asked at once");
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "the only request slot was held by a request waiting for its host: {:?}",
        started.elapsed()
    );
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("fetch");
    }
    let gaps = sorted_gaps(&spaced_arrivals);
    assert!(
        gaps.len() == 1 && gaps[0] >= Duration::from_millis(990),
        "{gaps:?}"
    );
}

// Host turns: the one owner of when a request to a host may start
// (issue 12).

#[tokio::test]
async fn spacing_counts_from_the_start_on_the_wire() {
    // The only request slot is taken by a slow host while two requests to
    // another host wait for their turns: the first of them gets on the
    // wire late, and the second must still be a full spacing behind it.
    let (slow, _) = counting_server(Duration::from_millis(400)).await;
    let (spaced, arrivals) = recording_server().await;
    let client = client_with(Policy {
        per_host_delay: Duration::from_millis(300),
        ..policy()
    })
    .with_request_limit(1);
    let hold = {
        let client = client.clone();
        tokio::spawn(async move { client.get(&slow, None, Expect::Feed).await.map(|_| ()) })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    fetch_feeds_at_once(&client, &spaced, 2).await;
    hold.await.expect("task").expect("slow fetch");
    let gaps = sorted_gaps(&arrivals);
    assert!(
        gaps.len() == 1 && gaps[0] >= Duration::from_millis(290),
        "{gaps:?}"
    );
}

#[tokio::test]
async fn a_reserved_start_is_the_requests_turn() {
    let (url, arrivals) = recording_server().await;
    let client = client_with(Policy {
        per_host_delay: Duration::from_millis(400),
        ..policy()
    });
    let host = HostKey::of(&url);
    assert!(client.next_turn(&host).ready_by(Instant::now()));
    let turn = client
        .try_reserve(&host, Instant::now())
        .expect("a new host is free");
    // Held: no second start is handed out, and the one after it is at
    // least a spacing away.
    let held = client
        .try_reserve(&host, Instant::now())
        .expect_err("the next start is held");
    assert!(!held.slot_free);
    assert!(held.at >= turn.start() + Duration::from_millis(400));

    let started = Instant::now();
    client
        .in_turn(turn)
        .get(&url, None, Expect::Feed)
        .await
        .expect("fetch");
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "the request waited for a second turn: {:?}",
        started.elapsed()
    );
    let next = client.next_turn(&host);
    assert!(next.slot_free);
    let first = arrivals.lock().unwrap_or_else(|e| e.into_inner())[0];
    assert!(
        next.at >= first + Duration::from_millis(350),
        "{:?}",
        next.at - first
    );
    // The next request waits for it.
    client.get(&url, None, Expect::Feed).await.expect("fetch");
    let gaps = sorted_gaps(&arrivals);
    assert!(gaps[0] >= Duration::from_millis(390), "{gaps:?}");
}

#[tokio::test]
async fn an_unused_reservation_gives_the_start_back() {
    let (url, _) = recording_server().await;
    let client = client_with(Policy {
        per_host_delay: Duration::from_secs(5),
        ..policy()
    });
    let host = HostKey::of(&url);
    let turn = client.try_reserve(&host, Instant::now()).expect("free");
    assert!(client.try_reserve(&host, Instant::now()).is_err());
    drop(turn);
    // Nothing was sent, so nothing is to be spaced from.
    let again = client
        .try_reserve(&host, Instant::now())
        .expect("given back");
    assert!(again.start() <= Instant::now());
    // A turn handed to a request for another host is given back too.
    let (other, _) = recording_server().await;
    client
        .in_turn(again)
        .get(&other, None, Expect::Feed)
        .await
        .expect("other host");
    assert!(client.try_reserve(&host, Instant::now()).is_ok());
}

#[tokio::test]
async fn the_next_turn_knows_pauses_and_crawl_delay() {
    let server = MockServer::start().await;
    robots_txt(
        &server,
        ResponseTemplate::new(200).set_body_raw("User-agent: *\nCrawl-delay: 0.5\n", "text/plain"),
    )
    .await;
    page(&server, "/news/1").await;
    mock(
        &server,
        "/busy",
        ResponseTemplate::new(429).insert_header("retry-after", "2"),
    )
    .await;
    let client = client_with(policy());
    let url = url_of(&server, "/news/1");
    let host = HostKey::of(&url);
    // robots.txt, then the page half a second later: the crawl-delay
    // learnt from the file spaces the page from the file too.
    let started = Instant::now();
    ok(client.get(&url, None, Expect::Html).await.expect("page"));
    assert!(
        started.elapsed() >= Duration::from_millis(490),
        "{:?}",
        started.elapsed()
    );
    let next = client.next_turn(&host);
    assert!(next.at >= Instant::now() + Duration::from_millis(300));

    let _ = client
        .get(&url_of(&server, "/busy"), None, Expect::Feed)
        .await
        .expect_err("429");
    let paused = client.next_turn(&host);
    assert!(
        paused.at >= Instant::now() + Duration::from_millis(1500),
        "the pause is part of the host's next turn"
    );
    assert!(client.try_reserve(&host, Instant::now()).is_err());
}
