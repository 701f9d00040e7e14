//! The `bluesky` source kind: a profile, `https://bsky.app/profile/<handle>`,
//! read through the public AppView's `app.bsky.feed.getAuthorFeed` (no
//! account needed). Reposts and replies are left out; link facets put the
//! full URLs back into the text, which shows them shortened. Its key:
//! `api_base`.
//!
//! Polls after the first are cheap where the API lets them be: the AppView
//! has no "newer than" parameter (its cursor pages back), so the newest
//! post seen is kept in the source's cursor and a poll asks for a short
//! page, reading the full one only when the short one does not reach back
//! to it; requests are conditional on the validators the server sent.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::api::{base_url, endpoint, get_json_if, PollCursor};
use super::source::{check_account, check_http_url, path_segments};
use super::{KeyProblem, KindKeys, Poll, Source, SourceError, SourceOptions};
use crate::http::{Client, FetchError, Validators};
use crate::item::Item;

/// The public AppView, which serves public data without authentication.
pub const DEFAULT_API_BASE: &str = "https://public.api.bsky.app/xrpc/";
const PAGE_SIZE: u32 = 50;

/// How a profile address is written.
const ADDRESS: &str = "https://bsky.app/profile/<handle>";

/// The keys of a `bluesky` source, as the file writes them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub api_base: Option<String>,
}

/// The options of a `bluesky` source, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The profile's handle, from the source URL.
    pub handle: String,
    /// The XRPC base URL instead of [`DEFAULT_API_BASE`].
    pub api_base: Option<Url>,
}

impl KindKeys for Keys {
    fn check(self, url: Option<&Url>, _dir: &Path) -> Result<SourceOptions, Vec<KeyProblem>> {
        let mut problems = Vec::new();
        let api_base = check_http_url("api_base", self.api_base.as_deref(), &mut problems);
        let handle = check_account(url, handle_of, ADDRESS, &mut problems);
        match handle {
            Some(handle) if problems.is_empty() => {
                Ok(SourceOptions::Bluesky(Options { handle, api_base }))
            }
            _ => Err(problems),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AuthorFeed {
    pub feed: Vec<FeedEntry>,
}

#[derive(Debug, Deserialize)]
pub struct FeedEntry {
    pub post: Post,
    /// Set for reposts (`app.bsky.feed.defs#reasonRepost`).
    pub reason: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Post {
    pub uri: String,
    pub author: Author,
    pub record: Record,
    #[serde(rename = "indexedAt")]
    pub indexed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
pub struct Author {
    pub handle: String,
    #[serde(rename = "displayName")]
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub text: String,
    #[serde(rename = "createdAt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub langs: Vec<String>,
    #[serde(default)]
    pub facets: Vec<Facet>,
    pub reply: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Facet {
    pub index: ByteSlice,
    #[serde(default)]
    pub features: Vec<Feature>,
}

#[derive(Debug, Deserialize)]
pub struct ByteSlice {
    #[serde(rename = "byteStart")]
    pub byte_start: usize,
    #[serde(rename = "byteEnd")]
    pub byte_end: usize,
}

#[derive(Debug, Deserialize)]
pub struct Feature {
    #[serde(rename = "$type")]
    pub kind: String,
    pub uri: Option<String>,
}

/// The handle of a profile address (`https://bsky.app/profile/<handle>`).
pub fn handle_of(url: &Url) -> Option<String> {
    match path_segments(url).as_slice() {
        ["profile", handle] => Some((*handle).to_owned()),
        _ => None,
    }
}

pub async fn poll(
    client: &Client,
    source: &Source,
    options: &Options,
    validators: Option<&Validators>,
    cursor: Option<&str>,
) -> Result<Poll, SourceError> {
    let handle = &options.handle;
    let base = base_url(&source.url, options.api_base.as_ref(), DEFAULT_API_BASE)?;
    let known = cursor.and_then(Cursor::read);
    // With the newest post known, a short page usually reaches it; when it
    // does not, more than a short page's worth is new and the full page is
    // read (without validators: the short page's say nothing of it).
    let first = if known.is_some() {
        SHORT_PAGE
    } else {
        PAGE_SIZE
    };
    let Some((mut feed, mut validators)) =
        author_feed(client, source, &base, handle, first, validators).await?
    else {
        return Ok(Poll::NotModified);
    };
    if let Some(cursor) = &known {
        if first < PAGE_SIZE && !cursor.reached_by(&feed) {
            if let Some(full) = author_feed(client, source, &base, handle, PAGE_SIZE, None).await? {
                (feed, validators) = full;
            }
        }
    }
    let cursor = Cursor::after(known, &feed);
    Ok(Poll::Items {
        items: items_of(feed),
        validators,
        reading: None,
        cursor: cursor.map(|c| c.write()),
    })
}

/// One page of the profile's feed, newest first, conditional on
/// `validators` (`None`: the server answered 304).
async fn author_feed(
    client: &Client,
    source: &Source,
    base: &Url,
    handle: &str,
    limit: u32,
    validators: Option<&Validators>,
) -> Result<Option<(AuthorFeed, Validators)>, SourceError> {
    let mut api = endpoint(&source.url, base, "app.bsky.feed.getAuthorFeed")?;
    api.query_pairs_mut()
        .append_pair("actor", handle)
        .append_pair("limit", &limit.to_string())
        .append_pair("filter", "posts_no_replies");
    let gone = format!("the profile {handle} does not exist, was deleted or is not public");
    match get_json_if(client, &source.url, &api, validators, &[], &gone).await {
        // The AppView answers 400 for a handle it cannot resolve.
        Err(SourceError::Fetch(FetchError::Status { status: 400, .. })) => {
            Err(SourceError::Unavailable {
                url: source.url.clone(),
                message: format!("{gone} ({api} refused the request)"),
            })
        }
        other => other,
    }
}

/// Posts asked for when the newest one seen is known: a profile that
/// publishes a few posts between two polls needs no more.
const SHORT_PAGE: u32 = 10;

/// Where the next poll of a profile starts: the newest post seen (its
/// `at://` URI and when the AppView indexed it). The AppView's own cursor
/// pages back in time, not forward, so this is what lets a poll ask for a
/// short page. Stored as JSON in the state store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cursor {
    uri: String,
    indexed_at: DateTime<Utc>,
}

impl PollCursor for Cursor {}

impl Cursor {
    /// Whether `feed` reaches back to this post: it holds it, or a post
    /// indexed no later (the newest seen may have been deleted).
    fn reached_by(&self, feed: &AuthorFeed) -> bool {
        feed.feed.is_empty()
            || feed.feed.iter().any(|e| {
                e.post.uri == self.uri || e.post.indexed_at.is_some_and(|t| t <= self.indexed_at)
            })
    }

    /// The cursor after reading `feed`: its newest post, if newer than
    /// `known`'s.
    fn after(known: Option<Cursor>, feed: &AuthorFeed) -> Option<Cursor> {
        let newest = feed
            .feed
            .iter()
            .filter_map(|e| {
                e.post.indexed_at.map(|t| Cursor {
                    uri: e.post.uri.clone(),
                    indexed_at: t,
                })
            })
            .max_by_key(|c| c.indexed_at);
        match (known, newest) {
            (Some(k), Some(n)) if n.indexed_at <= k.indexed_at => Some(k),
            (_, Some(n)) => Some(n),
            (k, None) => k,
        }
    }
}

/// The author's own posts of a feed page, as items.
pub fn items_of(feed: AuthorFeed) -> Vec<Item> {
    feed.feed
        .into_iter()
        .filter(|e| e.reason.is_none() && e.post.record.reply.is_none())
        .filter_map(|e| post_item(e.post))
        .collect()
}

fn post_item(post: Post) -> Option<Item> {
    let rkey = post.uri.rsplit('/').next().filter(|r| !r.is_empty())?;
    let permalink = Url::parse(&format!(
        "https://bsky.app/profile/{}/post/{rkey}",
        post.author.handle
    ))
    .ok()?;
    let text = with_full_links(&post.record.text, &post.record.facets);
    let text = text.trim().to_owned();
    if text.is_empty() {
        return None;
    }
    let mut item = Item::post(permalink, text);
    item.published = post.record.created_at.or(post.indexed_at);
    item.lang = post.record.langs.into_iter().find(|l| !l.trim().is_empty());
    item.author_handle = Some(post.author.handle);
    item.authors = post
        .author
        .display_name
        .filter(|n| !n.trim().is_empty())
        .into_iter()
        .collect();
    Some(item)
}

/// `text` with each link facet's span replaced by the facet's URI (the
/// text holds a shortened form). Spans are UTF-8 byte offsets; one that
/// does not fall on character boundaries is left alone.
fn with_full_links(text: &str, facets: &[Facet]) -> String {
    let mut links: Vec<(usize, usize, &str)> = facets
        .iter()
        .filter_map(|f| {
            let uri = f
                .features
                .iter()
                .find(|x| x.kind == "app.bsky.richtext.facet#link")?
                .uri
                .as_deref()?;
            Some((f.index.byte_start, f.index.byte_end, uri))
        })
        .filter(|(start, end, _)| {
            start < end
                && *end <= text.len()
                && text.is_char_boundary(*start)
                && text.is_char_boundary(*end)
        })
        .collect();
    links.sort_by_key(|l| l.0);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, uri) in links {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(uri);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::ItemKind;
    use crate::sources::poll;
    use crate::sources::tests::{client, fixture, items, shared, source, url_of};
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn api_source(server: &MockServer, handle: &str) -> Source {
        let keys = Keys {
            api_base: Some(url_of(server, "/xrpc").to_string()),
        };
        let url = Url::parse(&format!("https://bsky.app/profile/{handle}")).expect("url");
        let options = keys.check(Some(&url), Path::new("")).expect("keys");
        source(options, url)
    }

    #[tokio::test]
    async fn own_posts_with_full_links_and_languages() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
            .and(query_param("actor", "presswatch.bsky.social"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("bluesky_author_feed.json"), "application/json"),
            )
            .mount(&server)
            .await;
        let source = api_source(&server, "presswatch.bsky.social").await;
        let found = items(poll(&client(), &source, None).await.expect("poll"));
        // The repost and the reply are left out.
        assert_eq!(found.len(), 3);
        let az = &found[0];
        assert_eq!(az.kind, ItemKind::Post);
        assert_eq!(
            az.url.as_str(),
            "https://bsky.app/profile/presswatch.bsky.social/post/3lq2aaaaaaa2a"
        );
        assert_eq!(
            az.text.as_deref(),
            Some("Azərbaycan mətbuatı: həftənin icmalı https://news.example.az/icmal/2025-06-02")
        );
        assert_eq!(az.lang.as_deref(), Some("az"));
        assert_eq!(az.author_handle.as_deref(), Some("presswatch.bsky.social"));
        assert_eq!(az.authors, vec!["Press Watch".to_owned()]);
        assert_eq!(found[1].lang.as_deref(), Some("hy"));
        assert_eq!(found[2].lang.as_deref(), Some("ru"));
    }

    #[tokio::test]
    async fn unknown_profile_is_named() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(400).set_body_raw(
                r#"{"error":"InvalidRequest","message":"Profile not found"}"#,
                "application/json",
            ))
            .mount(&server)
            .await;
        let source = api_source(&server, "nobody.bsky.social").await;
        let message = poll(&client(), &source, None)
            .await
            .expect_err("400")
            .to_string();
        assert!(
            message.starts_with("https://bsky.app/profile/nobody.bsky.social: the profile nobody.bsky.social does not exist"),
            "{message}"
        );
    }

    #[test]
    fn real_author_feed() {
        let Some(bytes) = shared("getAuthorFeed.json") else {
            return;
        };
        let feed: AuthorFeed = serde_json::from_slice(&bytes).expect("author feed");
        let found = items_of(feed);
        assert!(!found.is_empty());
        for item in &found {
            assert!(item
                .url
                .as_str()
                .starts_with("https://bsky.app/profile/dril.bsky.social/post/"));
            assert_eq!(item.lang.as_deref(), Some("en"));
            assert!(item.published.is_some());
        }
    }

    #[test]
    fn facets_off_character_boundaries_are_ignored() {
        let facet = |start, end| Facet {
            index: ByteSlice {
                byte_start: start,
                byte_end: end,
            },
            features: vec![Feature {
                kind: "app.bsky.richtext.facet#link".to_owned(),
                uri: Some("https://e.example/".to_owned()),
            }],
        };
        assert_eq!(
            with_full_links("Ə e.example", &[facet(1, 3)]),
            "Ə e.example"
        );
        assert_eq!(
            with_full_links("Ə e.ex", &[facet(3, 7)]),
            "Ə https://e.example/"
        );
        assert_eq!(with_full_links("abc", &[facet(2, 9)]), "abc");
    }
}
