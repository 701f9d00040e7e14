//! The files the pages link to: one style sheet, compiled into the
//! binary. A file, not a `<style>` element, because the
//! Content-Security-Policy allows no inline style.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Where the style sheet is served; its name carries a hash of its
/// content, so it can be cached for good and a new build is fetched anew.
pub fn stylesheet_path() -> &'static str {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(STYLESHEET.as_bytes());
        let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        format!("/static/pressd.{short}.css")
    })
}

static STYLESHEET: &str = include_str!("static/pressd.css");

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
        .into_response()
}
