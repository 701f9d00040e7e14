//! A discovered thing: what a source poll yields before the article behind
//! it is fetched. Items carry whatever the source already knows (feed title,
//! date, summary) so the pipeline can fall back on it. Social posts are
//! documents in their own right: they carry their full text and need no
//! page fetched. So do articles read from an archive (`pressd import`):
//! they carry the page's HTML or their plain text.

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
    /// Every kind, for those who count documents by kind.
    pub const ALL: [ItemKind; 2] = [ItemKind::Article, ItemKind::Post];

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
    /// A post's full plain text, or an imported article's plain body
    /// (possibly empty when the record had only a title).
    pub text: Option<String>,
    /// The page's HTML, decoded, for an imported article: extracted as a
    /// fetched page is, and never fetched.
    pub html: Option<String>,
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
            html: None,
            author_handle: None,
        }
    }

    /// Whether the pipeline must fetch the page behind the item: an article
    /// link that carries neither its page nor its text.
    pub fn needs_fetch(&self) -> bool {
        self.kind == ItemKind::Article && self.html.is_none() && self.text.is_none()
    }

    /// An article that carries its page or its text (read from an archive):
    /// never fetched, and not news of its source's health.
    pub fn is_carried(&self) -> bool {
        self.kind == ItemKind::Article && !self.needs_fetch()
    }

    /// A post at `url` (its permalink) with its text, titled by
    /// [`post_title`].
    pub fn post(url: Url, text: String) -> Item {
        Item {
            kind: ItemKind::Post,
            title: post_title(&text),
            text: Some(text),
            ..Item::article(url)
        }
    }
}

/// Longest post title, in characters (the ellipsis not counted).
const POST_TITLE_MAX: usize = 120;

/// The title of a post, which has none of its own: its first line; a
/// longer line than 120 characters is cut at its last space within them
/// when that space is past the middle (else at 120, as for a line that is
/// mostly one long link) and marked with an ellipsis. `None` when the text
/// is blank.
pub fn post_title(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.chars().count() <= POST_TITLE_MAX {
        return Some(line.to_owned());
    }
    let cut: String = line.chars().take(POST_TITLE_MAX).collect();
    let last_space = cut
        .char_indices()
        .enumerate()
        .filter(|(_, (_, c))| c.is_whitespace())
        .last();
    let cut = match last_space {
        Some((chars_before, (at, _))) if chars_before > POST_TITLE_MAX / 2 => &cut[..at],
        _ => cut.as_str(),
    };
    Some(format!("{}…", cut.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_titles() {
        assert_eq!(
            post_title("\n  First line\nsecond").as_deref(),
            Some("First line")
        );
        let long = "word ".repeat(60);
        let title = post_title(&long).expect("title");
        assert!(
            title.ends_with('…') && title.chars().count() <= 121,
            "{title}"
        );
        // One long link after a short word: cut at 120, not after "See".
        let link = format!("See https://news.example/{}", "a".repeat(200));
        let title = post_title(&link).expect("title");
        assert_eq!(title.chars().count(), 121, "{title}");
        assert_eq!(post_title(" \n "), None);
    }
}
