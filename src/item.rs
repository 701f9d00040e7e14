//! A discovered thing: what a source poll yields before the article behind
//! it is fetched. Items carry whatever the source already knows (feed title,
//! date, summary) so the pipeline can fall back on it. Social posts are
//! documents in their own right: they carry their full text and need no
//! page fetched.

use chrono::{DateTime, Utc};
use url::Url;

/// What an item stands for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ItemKind {
    /// A link to an article page, to be fetched and extracted.
    #[default]
    Article,
    /// A social-media post (Telegram, Mastodon, Bluesky, X): `text` is the
    /// document; the URL is its permalink.
    Post,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Article => "article",
            ItemKind::Post => "post",
        }
    }
}

/// One entry found by polling a source (a feed item, a listing link, a
/// post, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The link as the source gave it, resolved against the source URL; for
    /// a post, its permalink.
    pub url: Url,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// Plain-text summary or content from the source, if any.
    pub summary: Option<String>,
    pub authors: Vec<String>,
    /// Language the source declares for this item or for the whole feed
    /// (raw, as written: `ru`, `en-US`, `hy-AM`); for a post, the language
    /// the platform gives.
    pub lang: Option<String>,
    pub kind: ItemKind,
    /// A post's full plain text.
    pub text: Option<String>,
    /// The account that published a post (`@user@instance`, a channel
    /// name, a Bluesky handle).
    pub author_handle: Option<String>,
}

impl Item {
    /// An article link with nothing else known yet.
    pub fn article(url: Url) -> Item {
        Item {
            url,
            title: None,
            published: None,
            summary: None,
            authors: Vec::new(),
            lang: None,
            kind: ItemKind::Article,
            text: None,
            author_handle: None,
        }
    }

    /// A post at `url` (its permalink) with its text.
    pub fn post(url: Url, text: String) -> Item {
        Item {
            kind: ItemKind::Post,
            text: Some(text),
            ..Item::article(url)
        }
    }
}
