//! HTML → article: metadata (JSON-LD, OpenGraph, `<meta>`, `<time>`), main
//! text without boilerplate, canonical URL. Pure: knows nothing of tokio,
//! reqwest, tantivy or the config.

use chrono::{DateTime, Utc};
use url::Url;

/// What a page yields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// Headline without the site-name suffix.
    pub title: Option<String>,
    /// Main text, paragraphs separated by blank lines ("\n\n").
    pub body: String,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    /// `<link rel=canonical>` or `og:url`, resolved against the page URL.
    pub canonical_url: Option<Url>,
    /// `<html lang>` as written (`hy`, `ru-RU`).
    pub html_lang: Option<String>,
    /// `og:locale` as written (`az_AZ`).
    pub og_locale: Option<String>,
}

/// Extract the article from a decoded HTML page fetched from `url`.
pub fn extract(html: &str, url: Option<&Url>) -> Extracted {
    let _ = (html, url);
    Extracted::default()
}
