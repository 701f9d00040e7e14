//! What a response's headers say, read leniently (a header that is
//! missing or malformed says nothing): the redirect target, the cache
//! validators, and when a server wants to be asked again (Retry-After, or
//! the reset time of an API's rate limit).

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

pub(super) fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

pub(super) fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The target of a redirect, resolved against the URL that answered.
pub(super) fn location(headers: &HeaderMap, base: &Url) -> Option<Url> {
    let value = headers.get(header::LOCATION)?.to_str().ok()?;
    base.join(value.trim()).ok()
}

/// For a 429 without Retry-After, the wait until the rate-limit reset time
/// that APIs send instead (see [`until_reset`]).
pub(super) fn rate_limit_reset(headers: &HeaderMap, status: u16) -> Option<Duration> {
    if status != 429 {
        return None;
    }
    until_reset(headers)
}

/// For a success that used up an API's rate limit (`x-rate-limit-remaining:
/// 0`), the wait until it resets: the next request would only get a 429.
pub(super) fn rate_limit_exhausted(headers: &HeaderMap) -> Option<Duration> {
    let remaining = ["x-rate-limit-remaining", "x-ratelimit-remaining"]
        .iter()
        .find_map(|name| headers.get(*name))?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    if remaining > 0 {
        return None;
    }
    until_reset(headers)
}

/// The wait until the `x-rate-limit-reset` (X: Unix seconds) or
/// `x-ratelimit-reset` (Mastodon: an RFC 3339 time; others: Unix seconds)
/// header's time; zero if that time has passed.
fn until_reset(headers: &HeaderMap) -> Option<Duration> {
    let value = ["x-rate-limit-reset", "x-ratelimit-reset"]
        .iter()
        .find_map(|name| headers.get(*name))?
        .to_str()
        .ok()?
        .trim();
    let reset = match value.parse::<i64>() {
        Ok(seconds) => seconds,
        Err(_) => chrono::DateTime::parse_from_rfc3339(value)
            .ok()?
            .timestamp(),
    };
    let wait = reset.saturating_sub(chrono::Utc::now().timestamp());
    Some(Duration::from_secs(u64::try_from(wait).unwrap_or(0)))
}

/// Retry-After as delta-seconds or as an HTTP date (a date in the past
/// means now).
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}
