//! A fetched, extracted and language-tagged article: what the index writer
//! receives. Its identity is [`Article::id`], the canonical URL.

use chrono::{DateTime, Utc};

use crate::item::ItemKind;

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Document identity: the canonical URL with tracking parameters and
    /// fragment removed (see [`crate::canonical`]).
    pub id: String,
    /// The link shown for the article: the index's stored `url` field, the
    /// one `pressd search` prints. The pipeline sets it to [`Article::id`],
    /// the clean canonical link, rather than the URL the page was fetched
    /// from (a tracking link, or the first hop of a redirect); a search hit
    /// whose `url` is empty shows the id.
    pub url: String,
    /// Id of the configured source that discovered it.
    pub source: String,
    /// ISO 639-1 code, or `und`.
    pub lang: String,
    pub title: String,
    pub body: String,
    pub published: Option<DateTime<Utc>>,
    pub fetched: DateTime<Utc>,
    pub authors: Vec<String>,
    /// An article page, or a social post indexed as it is.
    pub kind: ItemKind,
}
