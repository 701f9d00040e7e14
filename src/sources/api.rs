//! The JSON APIs the social kinds read (Mastodon, Bluesky, X): where a
//! request goes under the configured or default base URL, and a GET whose
//! JSON body is parsed, with the answers APIs give (gone, rate limited,
//! malformed) turned into [`SourceError`]s that name the source.

use url::Url;

use super::SourceError;
use crate::http::{Client, Expect, FetchError, Fetched, Response};

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
    let response = match client
        .get_with_headers(api, None, Expect::Feed, headers)
        .await
    {
        Ok(Fetched::Ok(response)) => response,
        Ok(Fetched::NotModified) => {
            return Err(SourceError::Malformed {
                url: source.clone(),
                response: api.clone(),
                message: "304 Not Modified to an unconditional request".to_owned(),
            })
        }
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
    parse_json(source, &response)
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
