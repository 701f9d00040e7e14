//! The `page` source kind: an HTML listing page (a section front, an
//! archive) whose article links are picked by a CSS selector, optionally
//! dated by another and followed through "next page" links.

use std::collections::HashSet;

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use super::{parse_date, Poll, SourceError};
use crate::charset;
use crate::config::Source;
use crate::http::{Client, Expect, Fetched, Validators};
use crate::item::Item;

/// Pages read per poll when `next_selector` is set and `max_pages` is not.
pub const DEFAULT_MAX_PAGES: u32 = 3;

/// What one listing page holds.
#[derive(Debug, Default)]
pub struct Listing {
    pub items: Vec<Item>,
    /// Elements the link selector matched (some may lack a usable link).
    pub matched: usize,
    /// Elements the date selector matched, anywhere on the page.
    pub dates_matched: usize,
    pub next: Option<Url>,
}

/// The selectors of a `page` source, parsed.
#[derive(Debug)]
pub struct Selectors {
    pub link: Selector,
    pub date: Option<Selector>,
    pub next: Option<Selector>,
}

pub async fn poll(
    client: &Client,
    source: &Source,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let options = &source.options;
    let parse = |key: &str, css: &str| {
        Selector::parse(css).map_err(|e| SourceError::Config {
            url: source.url.clone(),
            message: format!("{key} '{css}' is not a valid CSS selector: {e}"),
        })
    };
    let Some(link_css) = options.link_selector.as_deref() else {
        return Err(SourceError::Config {
            url: source.url.clone(),
            message: "kind \"page\" needs link_selector".to_owned(),
        });
    };
    let selectors = Selectors {
        link: parse("link_selector", link_css)?,
        date: options
            .date_selector
            .as_deref()
            .map(|c| parse("date_selector", c))
            .transpose()?,
        next: options
            .next_selector
            .as_deref()
            .map(|c| parse("next_selector", c))
            .transpose()?,
    };
    let max_pages = options.max_pages.unwrap_or(if selectors.next.is_some() {
        DEFAULT_MAX_PAGES
    } else {
        1
    });

    let mut items = Vec::new();
    let mut seen_items = HashSet::new();
    let mut seen_pages = HashSet::from([source.url.clone()]);
    let mut first_validators = None;
    let mut page_url = source.url.clone();
    for page_number in 0..max_pages {
        // Only the first page is conditional: when it has not changed,
        // neither have the ones it leads to, as far as news goes.
        let conditional = if page_number == 0 { validators } else { None };
        let response = match client.get(&page_url, conditional, Expect::Html).await? {
            Fetched::NotModified if page_number == 0 => return Ok(Poll::NotModified),
            Fetched::NotModified => break,
            Fetched::Ok(response) => response,
        };
        let text = charset::decode_html(&response.body, response.charset.as_deref());
        let listing = parse_listing(&text, &response.url, &selectors);
        if page_number == 0 {
            first_validators = Some(response.validators.clone());
            if listing.matched == 0 || listing.items.is_empty() {
                return Err(SourceError::Layout {
                    url: source.url.clone(),
                    key: "link_selector",
                    selector: link_css.to_owned(),
                    page: page_url,
                });
            }
            if let (Some(css), 0) = (options.date_selector.as_deref(), listing.dates_matched) {
                return Err(SourceError::Layout {
                    url: source.url.clone(),
                    key: "date_selector",
                    selector: css.to_owned(),
                    page: page_url,
                });
            }
        }
        for item in listing.items {
            if seen_items.insert(item.url.clone()) {
                items.push(item);
            }
        }
        match listing.next {
            Some(next) if seen_pages.insert(next.clone()) => page_url = next,
            _ => break,
        }
    }
    Ok(Poll::Items {
        items,
        validators: first_validators.unwrap_or_default(),
    })
}

/// Read one listing page: links resolve against `<base href>` if the page
/// has one, else against `page_url`.
pub fn parse_listing(text: &str, page_url: &Url, selectors: &Selectors) -> Listing {
    let document = Html::parse_document(text);
    let base = Selector::parse("base[href]")
        .ok()
        .and_then(|s| document.select(&s).next())
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or_else(|| page_url.clone());
    let resolve = |href: &str| {
        base.join(href.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|mut u| {
                u.set_fragment(None);
                u
            })
    };

    let mut listing = Listing::default();
    if let Some(date) = &selectors.date {
        listing.dates_matched = document.select(date).count();
    }
    let link_ids: HashSet<_> = document.select(&selectors.link).map(|e| e.id()).collect();
    let mut seen = HashSet::new();
    for element in document.select(&selectors.link) {
        listing.matched += 1;
        let anchor = if element.value().name() == "a" && element.value().attr("href").is_some() {
            Some(element)
        } else {
            element
                .descendants()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "a" && e.value().attr("href").is_some())
        };
        let Some(url) = anchor
            .and_then(|a| a.value().attr("href"))
            .and_then(resolve)
        else {
            continue;
        };
        if !seen.insert(url.clone()) {
            continue;
        }
        let mut item = Item::article(url);
        let title = collapse(&element.text().collect::<String>());
        item.title = (!title.is_empty())
            .then_some(title)
            .or_else(|| anchor.and_then(|a| a.value().attr("title")).map(collapse));
        if let Some(date) = &selectors.date {
            item.published = date_near(element, date, &link_ids);
        }
        listing.items.push(item);
    }
    listing.next = selectors
        .next
        .as_ref()
        .and_then(|next| document.select(next).next())
        .and_then(|e| {
            if e.value().attr("href").is_some() {
                Some(e)
            } else {
                e.descendants()
                    .filter_map(ElementRef::wrap)
                    .find(|d| d.value().attr("href").is_some())
            }
        })
        .and_then(|e| e.value().attr("href"))
        .and_then(resolve);
    listing
}

/// The date of the link `element`: a match of `date` inside the largest
/// ancestor that holds no other matched link (the item's card or row).
fn date_near(
    element: ElementRef<'_>,
    date: &Selector,
    link_ids: &HashSet<ego_tree::NodeId>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let mut best = None;
    let mut node: Option<NodeRef<'_, Node>> = Some(*element);
    while let Some(current) = node {
        let Some(scope) = ElementRef::wrap(current) else {
            break;
        };
        let links_inside = scope
            .descendants()
            .filter(|d| link_ids.contains(&d.id()))
            .count();
        if links_inside > 1 {
            break;
        }
        if let Some(found) = scope.select(date).next() {
            best = Some(found);
        }
        if best.is_some() {
            break;
        }
        node = current.parent();
    }
    let found = best?;
    let value = found.value();
    value
        .attr("datetime")
        .or_else(|| value.attr("content"))
        .and_then(parse_date)
        .or_else(|| parse_date(&found.text().collect::<String>()))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SourceKind;
    use crate::sources::tests::{client, fixture, items, source, url_of};
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn html(body: String) -> ResponseTemplate {
        ResponseTemplate::new(200)
            .set_body_raw(body, "text/html; charset=utf-8")
            .insert_header("etag", "\"p1\"")
    }

    async fn listing_server() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/hy/news"))
            .and(query_param("page", "2"))
            .respond_with(html(fixture("page_listing_2.html")))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/hy/news"))
            .respond_with(html(fixture("page_listing.html")))
            .mount(&server)
            .await;
        server
    }

    fn page_source(server: &MockServer) -> Source {
        let mut source = source(SourceKind::Page, url_of(server, "/hy/news"));
        source.options.link_selector = Some("h2.card__title a".to_owned());
        source.options.date_selector = Some("time, .date".to_owned());
        source
    }

    #[tokio::test]
    async fn links_resolve_dates_attach_and_pages_follow() {
        let server = listing_server().await;
        let mut source = page_source(&server);
        let one = items(poll(&client(), &source, None).await.expect("poll"));
        assert_eq!(one.len(), 3);
        assert_eq!(one[0].url, url_of(&server, "/hy/news/2025/06/02/gradaran"));
        // Relative to the page URL, fragment dropped.
        assert_eq!(one[1].url, url_of(&server, "/hy/news/2025/06/02/forum"));
        assert_eq!(
            one[0].title.as_deref(),
            Some("Երևանում բացվեց նոր գրադարան")
        );
        assert_eq!(
            one[0].published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-06-02T07:20:00+00:00")
        );
        assert_eq!(
            one[1].published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-06-01T18:05:00+00:00")
        );

        source.options.next_selector = Some("a.pagination__next".to_owned());
        let Poll::Items { items, validators } = poll(&client(), &source, None).await.expect("poll")
        else {
            panic!("expected items");
        };
        // Page 2 adds one new link; its duplicate and its link to itself
        // are ignored.
        assert_eq!(items.len(), 4);
        assert_eq!(
            items[3].url,
            url_of(&server, "/hy/news/2025/05/31/vanadzor")
        );
        assert_eq!(validators.etag.as_deref(), Some("\"p1\""));
    }

    #[tokio::test]
    async fn a_selector_that_matches_nothing_names_itself() {
        let server = listing_server().await;
        let mut source = page_source(&server);
        source.options.link_selector = Some("div.news-item > a".to_owned());
        let error = poll(&client(), &source, None).await.expect_err("layout");
        assert_eq!(
            error.to_string(),
            format!(
                "{0}: the selector `div.news-item > a` (link_selector) matched nothing on {0}; the page layout may have changed",
                source.url
            )
        );
        let mut source = page_source(&server);
        source.options.date_selector = Some(".published-at".to_owned());
        let message = poll(&client(), &source, None)
            .await
            .expect_err("layout")
            .to_string();
        assert!(
            message.contains("`.published-at` (date_selector)"),
            "{message}"
        );
    }
}
