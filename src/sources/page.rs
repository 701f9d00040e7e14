//! The `page` source kind: an HTML listing page (a section front, an
//! archive) whose article links are picked by a CSS selector, optionally
//! dated by another and followed through "next page" links. Its keys:
//! `link_selector` (required), `date_selector`, `next_selector`,
//! `max_pages`.

use std::collections::HashSet;
use std::path::Path;

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};
use serde::Deserialize;
use url::Url;

use super::source::check_max_pages;
use super::{KeyProblem, KindKeys, Poll, Source, SourceError, SourceOptions};
use crate::charset;
use crate::extract::{date, text::collapse_whitespace};
use crate::http::{Client, Expect, Fetched, Validators};
use crate::item::Item;

/// Pages read per poll when `next_selector` is set and `max_pages` is not.
pub const DEFAULT_MAX_PAGES: u32 = 3;

/// The keys of a `page` source, as the file writes them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub link_selector: Option<String>,
    pub date_selector: Option<String>,
    pub next_selector: Option<String>,
    pub max_pages: Option<u32>,
}

/// The options of a `page` source, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The article links.
    pub link_selector: Css,
    /// Each link's date, searched inside the link's nearest ancestor that
    /// holds one.
    pub date_selector: Option<Css>,
    /// The link to the next listing page.
    pub next_selector: Option<Css>,
    /// Listing pages read per poll; unset means [`DEFAULT_MAX_PAGES`] with
    /// a `next_selector`, else 1.
    pub max_pages: Option<u32>,
}

/// A CSS selector as configured: its text, for messages, and its parsed
/// form.
#[derive(Debug, Clone, PartialEq)]
pub struct Css {
    pub text: String,
    pub selector: Selector,
}

impl Css {
    /// Parse `text`; the error is a sentence for the user.
    pub fn parse(text: &str) -> Result<Css, String> {
        match Selector::parse(text) {
            Ok(selector) => Ok(Css {
                text: text.to_owned(),
                selector,
            }),
            Err(e) => Err(format!("'{text}' is not a valid CSS selector: {e}")),
        }
    }
}

impl KindKeys for Keys {
    fn check(self, _url: Option<&Url>, _dir: &Path) -> Result<SourceOptions, Vec<KeyProblem>> {
        let mut problems = Vec::new();
        let mut css =
            |key: &'static str, text: Option<String>| match text.as_deref().map(Css::parse) {
                Some(Ok(css)) => Some(css),
                Some(Err(message)) => {
                    problems.push(KeyProblem::new(key, message));
                    None
                }
                None => None,
            };
        let link_text = self.link_selector.filter(|c| !c.trim().is_empty());
        let required = link_text.is_none();
        let link_selector = css("link_selector", link_text);
        let date_selector = css("date_selector", self.date_selector);
        let next_selector = css("next_selector", self.next_selector);
        if required {
            problems.push(KeyProblem::new(
                "link_selector",
                "is required for kind \"page\": a CSS selector of the article links, such as \"h2 a\"",
            ));
        }
        check_max_pages(self.max_pages, &mut problems);
        match link_selector {
            Some(link_selector) if problems.is_empty() => Ok(SourceOptions::Page(Options {
                link_selector,
                date_selector,
                next_selector,
                max_pages: self.max_pages,
            })),
            _ => Err(problems),
        }
    }
}

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

pub async fn poll(
    client: &Client,
    source: &Source,
    options: &Options,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let max_pages = options
        .max_pages
        .unwrap_or(if options.next_selector.is_some() {
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
        let listing = parse_listing(&text, &response.url, options);
        if page_number == 0 {
            first_validators = Some(response.validators.clone());
            let unmatched = if listing.matched == 0 || listing.items.is_empty() {
                Some(("link_selector", &options.link_selector))
            } else {
                match (&options.date_selector, listing.dates_matched) {
                    (Some(css), 0) => Some(("date_selector", css)),
                    _ => None,
                }
            };
            if let Some((key, css)) = unmatched {
                return Err(SourceError::Layout {
                    url: source.url.clone(),
                    key,
                    selector: css.text.clone(),
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
        reading: None,
        cursor: None,
    })
}

/// Read one listing page: links resolve against `<base href>` if the page
/// has one, else against `page_url`.
pub fn parse_listing(text: &str, page_url: &Url, options: &Options) -> Listing {
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
    let link = &options.link_selector.selector;
    let date_selector = options.date_selector.as_ref().map(|css| &css.selector);
    if let Some(date_selector) = date_selector {
        listing.dates_matched = document.select(date_selector).count();
    }
    let link_ids: HashSet<_> = document.select(link).map(|e| e.id()).collect();
    let mut seen = HashSet::new();
    for element in document.select(link) {
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
        let title = collapse_whitespace(&element.text().collect::<String>());
        item.title = (!title.is_empty()).then_some(title).or_else(|| {
            anchor
                .and_then(|a| a.value().attr("title"))
                .map(collapse_whitespace)
        });
        if let Some(date_selector) = date_selector {
            item.published = date_near(element, date_selector, &link_ids);
        }
        listing.items.push(item);
    }
    listing.next = options
        .next_selector
        .as_ref()
        .and_then(|next| document.select(&next.selector).next())
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
        .and_then(date::parse)
        .or_else(|| date::in_text(&found.text().collect::<String>()))
        .map(|d| d.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::poll;
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

    fn css(text: &str) -> Css {
        Css::parse(text).expect("selector")
    }

    fn page_source(server: &MockServer) -> Source {
        let options = Options {
            link_selector: css("h2.card__title a"),
            date_selector: Some(css("time, .date")),
            next_selector: None,
            max_pages: None,
        };
        source(SourceOptions::Page(options), url_of(server, "/hy/news"))
    }

    fn options_of(source: &mut Source) -> &mut Options {
        match &mut source.options {
            SourceOptions::Page(options) => options,
            other => panic!("not a page source: {other:?}"),
        }
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

        options_of(&mut source).next_selector = Some(css("a.pagination__next"));
        let Poll::Items {
            items, validators, ..
        } = poll(&client(), &source, None).await.expect("poll")
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
        options_of(&mut source).link_selector = css("div.news-item > a");
        let error = poll(&client(), &source, None).await.expect_err("layout");
        assert_eq!(
            error.to_string(),
            format!(
                "{0}: the selector `div.news-item > a` (link_selector) matched nothing on {0}; the page layout may have changed",
                source.url
            )
        );
        let mut source = page_source(&server);
        options_of(&mut source).date_selector = Some(css(".published-at"));
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
