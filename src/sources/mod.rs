//! Source kinds. Each turns a fetched response into discovered
//! [`Item`](crate::item::Item)s; none does I/O of its own beyond asking
//! [`crate::http`].

pub mod feed;

use crate::http::{Client, Expect, FetchError, Fetched, Validators};
use crate::item::Item;
use url::Url;

/// What one poll of a source produced.
#[derive(Debug)]
pub enum Poll {
    /// The server answered 304 to the conditional request.
    NotModified,
    Items {
        items: Vec<Item>,
        validators: Validators,
    },
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: not a valid feed: {message}")]
    Parse { url: Url, message: String },
}

impl SourceError {
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Fetch(e) => e.is_transient(),
            SourceError::Parse { .. } => false,
        }
    }
}

/// Poll a `feed` source: conditional GET, decode, parse. Links resolve
/// against the URL the feed was finally served from; errors name `url`, the
/// one the user configured.
pub async fn poll_feed(
    client: &Client,
    url: &Url,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let response = match client.get(url, validators, Expect::Feed).await? {
        Fetched::NotModified => return Ok(Poll::NotModified),
        Fetched::Ok(response) => response,
    };
    let text = feed::decode(&response);
    let items = feed::parse(&text, &response.url).map_err(|message| SourceError::Parse {
        url: url.clone(),
        message,
    })?;
    Ok(Poll::Items {
        items,
        validators: response.validators,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpSettings;
    use std::time::Duration;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn client() -> Client {
        Client::new(&HttpSettings {
            user_agent: "pressd-test/0".to_owned(),
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            max_body_bytes: 1 << 20,
            max_redirects: 3,
            per_host_concurrency: 2,
        })
        .expect("client")
    }

    fn url_of(server: &MockServer, route: &str) -> Url {
        Url::parse(&format!("{}{route}", server.uri())).expect("url")
    }

    const RSS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Outlet</title><language>ru</language>
<item><title>Первая</title><link>/news/1</link><pubDate>Mon, 02 Jun 2025 08:00:00 +0400</pubDate></item>
<item><title>Вторая</title><link>https://outlet.example/news/2</link></item>
</channel></rss>"#;

    #[tokio::test]
    async fn poll_yields_items_then_not_modified() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/rss"))
            .and(header("if-none-match", "\"7\""))
            .respond_with(ResponseTemplate::new(304))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/old-rss"))
            .respond_with(ResponseTemplate::new(301).insert_header("location", "/rss"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rss"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("etag", "\"7\"")
                    .set_body_raw(RSS, "application/rss+xml; charset=utf-8"),
            )
            .mount(&server)
            .await;
        let client = client();
        let url = url_of(&server, "/old-rss");

        let Poll::Items { items, validators } = poll_feed(&client, &url, None).await.expect("poll")
        else {
            panic!("expected items");
        };
        assert_eq!(items.len(), 2);
        // Relative links resolve against the URL the feed came from.
        assert_eq!(items[0].url, url_of(&server, "/news/1"));
        assert_eq!(items[0].title.as_deref(), Some("Первая"));
        assert_eq!(items[0].lang.as_deref(), Some("ru"));
        assert_eq!(validators.etag.as_deref(), Some("\"7\""));

        let again = poll_feed(&client, &url, Some(&validators))
            .await
            .expect("poll");
        assert!(matches!(again, Poll::NotModified));
    }

    #[tokio::test]
    async fn header_charset_decodes_a_feed_without_prolog() {
        let body = RSS.replace(r#"<?xml version="1.0" encoding="utf-8"?>"#, "");
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&body);
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(bytes.into_owned(), "text/xml; charset=windows-1251"),
            )
            .mount(&server)
            .await;
        let Poll::Items { items, .. } = poll_feed(&client(), &url_of(&server, "/f"), None)
            .await
            .expect("poll")
        else {
            panic!("expected items");
        };
        assert_eq!(items[1].title.as_deref(), Some("Вторая"));
    }

    #[tokio::test]
    async fn html_page_as_feed_is_a_clear_parse_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                "<!doctype html><html><head><title>Home</title></head></html>",
                "text/html; charset=utf-8",
            ))
            .mount(&server)
            .await;
        let url = url_of(&server, "/");
        let error = poll_feed(&client(), &url, None)
            .await
            .expect_err("not a feed");
        assert!(!error.is_transient());
        assert_eq!(
            error.to_string(),
            format!(
                "{url}: not a valid feed: it is an HTML page, not a feed; check the source url"
            )
        );
    }

    #[tokio::test]
    async fn fetch_errors_pass_through() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let error = poll_feed(&client(), &url_of(&server, "/gone"), None)
            .await
            .expect_err("404");
        assert!(matches!(
            error,
            SourceError::Fetch(crate::http::FetchError::Status { status: 404, .. })
        ));
        assert!(!error.is_transient());
    }
}
