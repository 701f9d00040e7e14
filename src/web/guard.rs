//! What every answer goes through: the method check (the interface is
//! read-only), the token when one is configured, the security headers, and
//! the time each answer took (`Server-Timing`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::api::ApiError;
use super::Site;

/// The pages' policy: their own files only, no script at all, no inline
/// style, no plugins, forms to this site only, never inside a frame.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'none'; style-src 'self'; \
     img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

pub async fn guard(State(site): State<Arc<Site>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let path = request.uri().path();
    let api = path.starts_with("/api/");
    let login = path == "/login";
    let method = request.method();
    let readable = *method == Method::GET || *method == Method::HEAD;
    let mut response = if !(readable || (login && *method == Method::POST)) {
        let mut r = if api {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not allowed: the API is read-only (GET)"),
            )
            .into_response()
        } else {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                "read-only: use GET\n".to_string(),
            )
                .into_response()
        };
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    } else if !admitted(&site, path, request.headers()) {
        if api {
            let mut r = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "a token is required: send Authorization: Bearer TOKEN".to_string(),
            )
            .into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"pressd\""),
            );
            r
        } else {
            Redirect::to("/login").into_response()
        }
    } else {
        next.run(request).await
    };
    secure(response.headers_mut());
    // The time the answer took to make (search, count, rendering), for a
    // browser's developer tools and for examples/web_bench.
    let took = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={took:.1}")) {
        response.headers_mut().insert("server-timing", v);
    }
    response
}

/// Whether a request for `path` may go on: always without a token, and
/// with one for the login form, the style sheet, and whoever presents it.
fn admitted(site: &Site, path: &str, headers: &HeaderMap) -> bool {
    match &site.token {
        None => true,
        Some(token) => path == "/login" || path.starts_with("/static/") || token.admits(headers),
    }
}

fn secure(headers: &mut HeaderMap) {
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Links lead to outlets: they need not learn what was searched.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
