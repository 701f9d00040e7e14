//! Tests of the client against local servers: wiremock where a canned
//! response suffices, a bare TCP listener where the test needs control of
//! the bytes on the wire (stalls mid-body, bodies without a length,
//! counting connections in flight).

use super::*;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
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
    let client = client();
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

#[tokio::test]
async fn per_host_concurrency_is_never_exceeded() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (now, max) = (Arc::clone(&in_flight), Arc::clone(&peak));
    let url = raw_server(move |mut stream| {
        let (now, max) = (Arc::clone(&now), Arc::clone(&max));
        async move {
            let current = now.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(current, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(80)).await;
            // Leave before answering: once the client has the answer it may
            // start the next request, which must not find us still counted.
            now.fetch_sub(1, Ordering::SeqCst);
            let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\n\
                          content-length: 6\r\nconnection: close\r\n\r\n<rss/>";
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    })
    .await;
    let client = Client::new(&HttpSettings {
        per_host_concurrency: 2,
        ..settings()
    })
    .expect("client");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let client = client.clone();
        let url = url.join(&format!("feed{i}")).expect("url");
        tasks.spawn(async move { client.get(&url, None, Expect::Feed).await.map(|_| ()) });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("fetch");
    }
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
