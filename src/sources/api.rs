//! The JSON APIs the social kinds read (Mastodon, Bluesky, X): where a
//! request goes under the configured or default base URL, and a GET whose
//! JSON body is parsed, with the answers APIs give (gone, rate limited,
//! malformed) turned into [`SourceError`]s that name the source; and what
//! the kinds share to ask only for what is new (conditional requests, the
//! order of post ids).

use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::SourceError;
use crate::http::{Client, Expect, FetchError, Fetched, Response, Validators};

/// The base URL of an API: `configured` (the source's `api_base`, taken as
/// a directory so that paths append to it), else `default`.
pub(super) fn base_url(
    source: &Url,
    configured: Option<&Url>,
    default: &str,
) -> Result<Url, SourceError> {
    match configured {
        Some(base) => Ok(as_directory(base)),
        None => Url::parse(default).map_err(|e| SourceError::Config {
            url: source.clone(),
            message: format!("bad default API base {default}: {e}"),
        }),
    }
}

/// The endpoint `path` under the API base `base`.
pub(super) fn endpoint(source: &Url, base: &Url, path: &str) -> Result<Url, SourceError> {
    base.join(path).map_err(|e| SourceError::Config {
        url: source.clone(),
        message: format!("cannot build the API URL from {base}: {e}"),
    })
}

/// `base` as a directory URL, so that joining a relative path appends to it.
fn as_directory(base: &Url) -> Url {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base
}

/// GET an API URL and parse its JSON body as `T`. A 404 or 410 becomes
/// [`SourceError::Unavailable`] with `gone` as its message; a 429 becomes
/// [`SourceError::RateLimited`]; a body that is not the expected JSON
/// becomes [`SourceError::Malformed`] naming `api`.
pub(super) async fn get_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    source: &Url,
    api: &Url,
    headers: &[(&str, &str)],
    gone: &str,
) -> Result<T, SourceError> {
    match get_json_if(client, source, api, None, headers, gone).await? {
        Some((value, _)) => Ok(value),
        None => Err(SourceError::Malformed {
            url: source.clone(),
            response: api.clone(),
            message: "304 Not Modified to an unconditional request".to_owned(),
        }),
    }
}

/// As [`get_json`], conditional on `validators`: `None` when the server
/// answered 304, else the value and the response's own validators.
pub(super) async fn get_json_if<T: serde::de::DeserializeOwned>(
    client: &Client,
    source: &Url,
    api: &Url,
    validators: Option<&Validators>,
    headers: &[(&str, &str)],
    gone: &str,
) -> Result<Option<(T, Validators)>, SourceError> {
    let response = match client
        .get_with_headers(api, validators, Expect::Feed, headers)
        .await
    {
        Ok(Fetched::Ok(response)) => response,
        Ok(Fetched::NotModified) => return Ok(None),
        Err(FetchError::Status {
            status: 404 | 410, ..
        }) => {
            return Err(SourceError::Unavailable {
                url: source.clone(),
                message: format!("{gone} ({api} answered not found)"),
            })
        }
        Err(FetchError::Status {
            status: 429,
            retry_after,
            ..
        }) => {
            return Err(SourceError::RateLimited {
                url: source.clone(),
                response: api.clone(),
                retry_after,
            })
        }
        Err(FetchError::Paused { retry_after, .. }) => {
            return Err(SourceError::RateLimited {
                url: source.clone(),
                response: api.clone(),
                retry_after: Some(retry_after),
            })
        }
        Err(e) => return Err(e.into()),
    };
    let value = parse_json(source, &response)?;
    Ok(Some((value, response.validators)))
}

/// Whether the post id `a` is newer than `b`, for APIs whose ids grow with
/// time as decimal strings of any length (Mastodon's, X's snowflakes):
/// longer is larger, and of one length the order is the text's.
pub(super) fn newer_id(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

fn parse_json<T: serde::de::DeserializeOwned>(
    source: &Url,
    response: &Response,
) -> Result<T, SourceError> {
    let body = response.body.as_slice();
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice(body).map_err(|e| SourceError::Malformed {
        url: source.clone(),
        response: response.url.clone(),
        message: format!("not the expected JSON: {e}"),
    })
}

/// Where a social source's poll left off (the account's id, the newest
/// post seen), kept as JSON in the state store between polls.
pub(super) trait PollCursor: Serialize + DeserializeOwned {
    /// The cursor stored as `text`; `None` when it is unreadable (written
    /// by another version), which only costs one full poll.
    fn read(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    fn write(&self) -> String {
        // Plain data: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::newer_id;

    #[test]
    fn post_ids_compare_as_numbers() {
        assert!(newer_id("110000000000000043", "110000000000000042"));
        assert!(newer_id("1000", "999"));
        assert!(!newer_id("999", "1000"));
        assert!(!newer_id("42", "42"));
    }
}
