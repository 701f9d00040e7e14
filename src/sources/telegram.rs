//! The `telegram` source kind: a public channel read from its web preview,
//! `https://t.me/s/<channel>`. Each message is a post item (text, date,
//! permalink); on the first poll the preview is paged backwards
//! (`?before=<id>`) to pick up some history. With `follow_links`, the first
//! outbound link of a post is also yielded as an article. Its keys:
//! `follow_links`, `max_pages` (preview pages read on the first poll).

use std::collections::HashSet;
use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;
use url::Url;

use super::source::{check_account, check_max_pages, path_segments};
use super::{KeyProblem, KindKeys, Poll, Source, SourceError, SourceOptions};
use crate::charset;
use crate::extract::{date, text::element_text};
use crate::http::{Client, Expect, FetchError, Fetched, Validators};
use crate::item::Item;

/// Preview pages read on the first poll unless `max_pages` says otherwise.
pub const DEFAULT_MAX_PAGES: u32 = 3;

/// How a channel address is written.
const ADDRESS: &str = "https://t.me/s/<channel> or https://t.me/<channel>";

/// The keys of a `telegram` source, as the file writes them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub follow_links: Option<bool>,
    pub max_pages: Option<u32>,
}

/// The options of a `telegram` source, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The channel, from the source URL.
    pub channel: String,
    /// Also yield the first outbound link of a post as an article.
    pub follow_links: bool,
    /// Preview pages read on the first poll ([`DEFAULT_MAX_PAGES`]).
    pub max_pages: Option<u32>,
}

impl KindKeys for Keys {
    fn check(self, url: Option<&Url>, _dir: &Path) -> Result<SourceOptions, Vec<KeyProblem>> {
        let mut problems = Vec::new();
        check_max_pages(self.max_pages, &mut problems);
        let channel = check_account(url, channel_of, ADDRESS, &mut problems);
        match channel {
            Some(channel) if problems.is_empty() => Ok(SourceOptions::Telegram(Options {
                channel,
                follow_links: self.follow_links.unwrap_or(false),
                max_pages: self.max_pages,
            })),
            _ => Err(problems),
        }
    }
}

/// What one preview page holds.
#[derive(Debug, Default)]
pub struct PreviewPage {
    pub items: Vec<Item>,
    /// Messages on the page.
    pub messages: usize,
    /// The smallest message id, for `?before=`.
    pub oldest: Option<u64>,
}

/// The channel name of a channel address (`https://t.me/s/name` or
/// `https://t.me/name`).
pub fn channel_of(url: &Url) -> Option<String> {
    match path_segments(url).as_slice() {
        ["s", name] | [name] => Some((*name).to_owned()),
        _ => None,
    }
}

pub async fn poll(
    client: &Client,
    source: &Source,
    options: &Options,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let channel = &options.channel;
    let mut preview = source.url.clone();
    preview.set_path(&format!("/s/{channel}"));
    preview.set_query(None);
    preview.set_fragment(None);
    // Pages back only on the first poll: after that the newest page is
    // enough at any sensible poll interval.
    let max_pages = if validators.is_none() {
        options.max_pages.unwrap_or(DEFAULT_MAX_PAGES)
    } else {
        1
    };

    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut first_validators = None;
    let mut page_url = preview.clone();
    for page_number in 0..max_pages {
        let conditional = if page_number == 0 { validators } else { None };
        let response = match client.get(&page_url, conditional, Expect::Html).await {
            Ok(Fetched::NotModified) if page_number == 0 => return Ok(Poll::NotModified),
            Ok(Fetched::NotModified) => break,
            Ok(Fetched::Ok(response)) => response,
            Err(FetchError::Status {
                status: 404 | 410, ..
            }) => {
                return Err(SourceError::Unavailable {
                    url: source.url.clone(),
                    message: format!(
                        "the channel '{channel}' does not exist ({page_url} answered not found)"
                    ),
                })
            }
            Err(e) => return Err(e.into()),
        };
        let text = charset::decode_html(&response.body, response.charset.as_deref());
        let page = parse_preview(&text, channel, options.follow_links);
        if page_number == 0 {
            first_validators = Some(response.validators.clone());
            if page.messages == 0 {
                return Err(SourceError::Unavailable {
                    url: source.url.clone(),
                    message: format!(
                        "{page_url} shows no messages (no .tgme_widget_message[data-post]): the channel '{channel}' is private, empty, or not a channel, or the preview layout has changed"
                    ),
                });
            }
        }
        for item in page.items {
            if seen.insert(item.url.clone()) {
                items.push(item);
            }
        }
        match page.oldest {
            Some(oldest) if oldest > 1 && page.messages > 0 => {
                page_url = preview.clone();
                page_url.set_query(Some(&format!("before={oldest}")));
            }
            _ => break,
        }
    }
    Ok(Poll::Items {
        items,
        validators: first_validators.unwrap_or_default(),
        reading: None,
        cursor: None,
    })
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

/// Read a preview page of `channel`. Permalinks are always
/// `https://t.me/<channel>/<id>`, wherever the page was served from.
pub fn parse_preview(text: &str, channel: &str, follow_links: bool) -> PreviewPage {
    let mut page = PreviewPage::default();
    let (Some(message_sel), Some(text_sel), Some(date_sel), Some(owner_sel)) = (
        selector(".tgme_widget_message[data-post]"),
        selector(".tgme_widget_message_text"),
        selector(".tgme_widget_message_date time[datetime], time[datetime]"),
        selector(".tgme_widget_message_owner_name"),
    ) else {
        return page;
    };
    let document = Html::parse_document(text);
    for message in document.select(&message_sel) {
        let Some(post) = message.value().attr("data-post") else {
            continue;
        };
        let Some((post_channel, id)) = post.rsplit_once('/') else {
            continue;
        };
        let Ok(id) = id.trim().parse::<u64>() else {
            continue;
        };
        page.messages += 1;
        page.oldest = Some(page.oldest.map_or(id, |o| o.min(id)));
        let post_channel = if post_channel.is_empty() {
            channel
        } else {
            post_channel
        };
        let Ok(permalink) = Url::parse(&format!("https://t.me/{post_channel}/{id}")) else {
            continue;
        };
        // The outermost text block: some messages nest one in another.
        let text_element = message.select(&text_sel).next();
        let text = text_element.map(element_text).unwrap_or_default();
        let published = message
            .select(&date_sel)
            .next()
            .and_then(|t| t.value().attr("datetime"))
            .and_then(date::parse)
            .map(|d| d.to_utc());
        let owner = message
            .select(&owner_sel)
            .next()
            .map(|o| o.text().collect::<String>().trim().to_owned())
            .filter(|o| !o.is_empty());
        if text.is_empty() && !follow_links {
            // A photo or video without a caption: nothing to search.
            continue;
        }
        if follow_links {
            if let Some(link) = outbound_link(message, text_element) {
                let mut article = Item::article(link);
                article.published = published;
                page.items.push(article);
            }
        }
        if text.is_empty() {
            continue;
        }
        let mut item = Item::post(permalink, text);
        item.published = published;
        item.author_handle = Some(post_channel.to_owned());
        item.authors = owner.into_iter().collect();
        page.items.push(item);
    }
    page
}

/// The first link of a post that leaves Telegram: in its text, else its
/// link preview card.
fn outbound_link(message: ElementRef<'_>, text: Option<ElementRef<'_>>) -> Option<Url> {
    let anchors = selector("a[href]")?;
    let preview = selector("a.tgme_widget_message_link_preview[href]")?;
    let outbound = |a: ElementRef<'_>| {
        let url = Url::parse(a.value().attr("href")?.trim()).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        let internal = ["t.me", "telegram.me", "telegram.org", "telegram.dog"]
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        (matches!(url.scheme(), "http" | "https") && !internal).then_some(url)
    };
    text.and_then(|t| t.select(&anchors).find_map(outbound))
        .or_else(|| message.select(&preview).find_map(outbound))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::ItemKind;
    use crate::sources::poll;
    use crate::sources::tests::{client, fixture, items, shared, source, url_of};
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// A `telegram` source at `url` with `keys`, checked as the config
    /// check does.
    fn channel(url: Url, keys: Keys) -> Source {
        let options = keys.check(Some(&url), Path::new("")).expect("keys");
        source(options, url)
    }

    fn html(body: impl Into<Vec<u8>>) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_raw(body.into(), "text/html; charset=utf-8")
    }

    async fn channel_server() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/s/kavkaz_xeber"))
            .and(query_param("before", "1041"))
            .respond_with(html(fixture("telegram_channel_before_1041.html")))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/s/kavkaz_xeber"))
            .respond_with(html(fixture("telegram_channel.html")))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn first_poll_pages_back_later_polls_do_not() {
        let server = channel_server().await;
        // Configured the way a person copies it from the browser.
        let source = channel(url_of(&server, "/kavkaz_xeber"), Keys::default());
        let first = items(poll(&client(), &source, None).await.expect("poll"));
        assert_eq!(first.len(), 5);
        let post = &first[0];
        assert_eq!(post.kind, ItemKind::Post);
        assert_eq!(post.url.as_str(), "https://t.me/kavkaz_xeber/1041");
        assert_eq!(
            post.title.as_deref(),
            Some("Bakıda yeni metro stansiyası açıldı")
        );
        let text = post.text.as_deref().expect("text");
        assert!(
            text.starts_with("Bakıda yeni metro stansiyası açıldı\n\nStansiya"),
            "{text}"
        );
        assert_eq!(post.author_handle.as_deref(), Some("kavkaz_xeber"));
        assert_eq!(post.authors, vec!["Qafqaz Xəbər (test)".to_owned()]);
        assert_eq!(
            post.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-06-02T06:15:00+00:00")
        );
        assert!(first[1]
            .text
            .as_deref()
            .is_some_and(|t| t.starts_with("Երևանում")));
        assert_eq!(first[3].url.as_str(), "https://t.me/kavkaz_xeber/1039");

        let later = items(
            poll(&client(), &source, Some(&Validators::default()))
                .await
                .expect("poll"),
        );
        assert_eq!(later.len(), 3);
    }

    #[tokio::test]
    async fn follow_links_adds_the_first_outbound_link_as_an_article() {
        let server = channel_server().await;
        let keys = Keys {
            follow_links: Some(true),
            max_pages: Some(1),
        };
        let source = channel(url_of(&server, "/s/kavkaz_xeber"), keys);
        let found = items(poll(&client(), &source, None).await.expect("poll"));
        let articles: Vec<&str> = found
            .iter()
            .filter(|i| i.kind == ItemKind::Article)
            .map(|i| i.url.as_str())
            .collect();
        assert_eq!(
            articles,
            [
                "https://news.example.az/xeber/metro-stansiyasi?utm_source=tg",
                "https://press.example.ge/ru/forum-2025"
            ]
        );
        assert_eq!(found.len(), 5);
    }

    #[tokio::test]
    async fn private_and_missing_channels_are_named() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/s/closed_channel"))
            .respond_with(html(fixture("telegram_private.html")))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/s/gone_channel"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let closed = channel(url_of(&server, "/s/closed_channel"), Keys::default());
        let error = poll(&client(), &closed, None).await.expect_err("private");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{}: ", closed.url)),
            "{message}"
        );
        assert!(message.contains("shows no messages"), "{message}");
        assert!(message.contains("private"), "{message}");
        assert!(!error.is_transient());

        let gone = channel(url_of(&server, "/s/gone_channel"), Keys::default());
        let message = poll(&client(), &gone, None)
            .await
            .expect_err("404")
            .to_string();
        assert!(message.contains("does not exist"), "{message}");
    }

    #[tokio::test]
    async fn real_preview_page() {
        let Some(page) = shared("full.html") else {
            return;
        };
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/s/topwar_official"))
            .respond_with(html(page))
            .mount(&server)
            .await;
        let keys = Keys {
            max_pages: Some(1),
            ..Keys::default()
        };
        let source = channel(url_of(&server, "/s/topwar_official"), keys);
        let found = items(poll(&client(), &source, None).await.expect("poll"));
        assert!(found.len() >= 10, "{}", found.len());
        for item in &found {
            assert!(item
                .url
                .as_str()
                .starts_with("https://t.me/topwar_official/"));
            assert!(item.published.is_some());
            assert!(item.text.as_deref().is_some_and(|t| !t.contains('<')));
        }
        let last = found.last().expect("items");
        assert_eq!(last.url.as_str(), "https://t.me/topwar_official/71008");
    }

    #[test]
    fn real_single_messages() {
        for name in [
            "message_text.html",
            "message_link_preview.html",
            "message_media_forwarded_from.html",
            "message_poll.html",
        ] {
            let Some(bytes) = shared(name) else {
                return;
            };
            let text = String::from_utf8_lossy(&bytes);
            let page = parse_preview(&text, "any", true);
            assert_eq!(page.messages, 1, "{name}");
            eprintln!(
                "{name}: {:?}",
                page.items
                    .iter()
                    .map(|i| (i.kind, i.url.as_str()))
                    .collect::<Vec<_>>()
            );
        }
        let Some(bytes) = shared("message_link_preview.html") else {
            return;
        };
        let page = parse_preview(&String::from_utf8_lossy(&bytes), "any", true);
        assert!(page
            .items
            .iter()
            .any(|i| i.url.as_str() == "https://vnnews.ru/georgiy-zotov-okkupaciya-volosatym-kr/"));
    }

    #[test]
    fn channel_addresses() {
        let at = |u: &str| channel_of(&Url::parse(u).expect("url"));
        assert_eq!(at("https://t.me/s/name").as_deref(), Some("name"));
        assert_eq!(at("https://t.me/name/").as_deref(), Some("name"));
        assert_eq!(at("https://t.me/name/15"), None);
        assert_eq!(at("https://t.me/"), None);
        let url = Url::parse("https://t.me/joinchat/abc/def").expect("url");
        let problems = Keys::default()
            .check(Some(&url), Path::new(""))
            .expect_err("not a channel");
        assert_eq!(problems[0].key, "url");
        assert!(
            problems[0].message.contains("https://t.me/s/<channel>"),
            "{problems:?}"
        );
    }
}
