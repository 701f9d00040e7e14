//! A discovered thing: what a source poll yields before the article behind
//! it is fetched. Items carry whatever the source already knows (feed title,
//! date, summary) so the pipeline can fall back on it.

use chrono::{DateTime, Utc};
use url::Url;

/// One entry found by polling a source (a feed item, a listing link, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The link as the source gave it, resolved against the source URL.
    pub url: Url,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// Plain-text summary or content from the source, if any.
    pub summary: Option<String>,
    pub authors: Vec<String>,
    /// Language the source declares for this item or for the whole feed
    /// (raw, as written: `ru`, `en-US`, `hy-AM`).
    pub lang: Option<String>,
}
