//! The `telegram` source kind: a public channel read from its web preview,
//! `https://t.me/s/<channel>`. Each message is a post item (text, date,
//! permalink, views); on the first poll the preview is paged backwards
//! (`?before=<id>`) to pick up some history. With `follow_links`, the first
//! outbound link of a post is also yielded as an article.

use std::collections::HashSet;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{parse_date, post_text, post_title, segments, Poll, SourceError};
use crate::charset;
use crate::config::Source;
use crate::http::{Client, Expect, FetchError, Fetched, Validators};
use crate::item::Item;

/// Preview pages read on the first poll unless `max_pages` says otherwise.
pub const DEFAULT_MAX_PAGES: u32 = 3;

/// What one preview page holds.
#[derive(Debug, Default)]
pub struct PreviewPage {
    pub items: Vec<Item>,
    /// Messages on the page.
    pub messages: usize,
    /// The smallest message id, for `?before=`.
    pub oldest: Option<u64>,
}

/// The channel name of a configured URL (`https://t.me/s/name` or
/// `https://t.me/name`).
pub fn channel_of(url: &Url) -> Option<String> {
    match segments(url).as_slice() {
        ["s", name] | [name] if !name.is_empty() => Some((*name).to_owned()),
        _ => None,
    }
}

pub async fn poll(
    client: &Client,
    source: &Source,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let Some(channel) = channel_of(&source.url) else {
        return Err(SourceError::Config {
            url: source.url.clone(),
            message: "not a channel address; write it like https://t.me/s/<channel>".to_owned(),
        });
    };
    let mut preview = source.url.clone();
    preview.set_path(&format!("/s/{channel}"));
    preview.set_query(None);
    preview.set_fragment(None);
    // Pages back only on the first poll: after that the newest page is
    // enough at any sensible poll interval.
    let max_pages = if validators.is_none() {
        source.options.max_pages.unwrap_or(DEFAULT_MAX_PAGES)
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
        let page = parse_preview(&text, &channel, source.options.follow_links);
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
    })
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

/// Read a preview page of `channel`. Permalinks are always
/// `https://t.me/<channel>/<id>`, wherever the page was served from.
pub fn parse_preview(text: &str, channel: &str, follow_links: bool) -> PreviewPage {
    let mut page = PreviewPage::default();
    let (Some(message_sel), Some(text_sel), Some(date_sel), Some(views_sel), Some(owner_sel)) = (
        selector(".tgme_widget_message[data-post]"),
        selector(".tgme_widget_message_text"),
        selector(".tgme_widget_message_date time[datetime], time[datetime]"),
        selector(".tgme_widget_message_views"),
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
        let text = text_element.map(post_text).unwrap_or_default();
        let published = message
            .select(&date_sel)
            .next()
            .and_then(|t| t.value().attr("datetime"))
            .and_then(parse_date);
        let views = message
            .select(&views_sel)
            .next()
            .and_then(|v| parse_count(&v.text().collect::<String>()));
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
        let mut item = Item::post(permalink, text.clone());
        item.title = post_title(&text);
        item.published = published;
        item.views = views;
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

/// A count as the preview shows it: `947`, `33.4K`, `1.2M`.
pub fn parse_count(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, factor) = match text.chars().last()? {
        'K' | 'k' => (&text[..text.len() - 1], 1_000.0),
        'M' | 'm' => (&text[..text.len() - 1], 1_000_000.0),
        _ => (text, 1.0),
    };
    let value: f64 = number.trim().replace(',', ".").parse().ok()?;
    (value >= 0.0 && value.is_finite()).then(|| (value * factor).round() as u64)
}
