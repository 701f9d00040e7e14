//! The `x` source kind: an account, `https://x.com/<user>`, read through
//! the X API v2 (user lookup, then the user's tweets, without retweets and
//! replies) with a bearer token from the environment (`token_env`, default
//! `X_BEARER_TOKEN`) or a file (`token_file`), never from the config text.
//! With `rss_url` set, an RSS bridge feed is polled instead and no token is
//! needed. Rate limits: a 429 becomes [`SourceError::RateLimited`] with the
//! wait until `x-rate-limit-reset`, which the HTTP client also turns into a
//! pause of the host.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use super::{as_base, get_json, poll_feed, post_title, segments, Poll, SourceError};
use crate::config::Source;
use crate::http::{Client, FetchError, Validators};
use crate::item::{Item, ItemKind};

pub const DEFAULT_API_BASE: &str = "https://api.x.com/";
pub const DEFAULT_TOKEN_ENV: &str = "X_BEARER_TOKEN";
const PAGE_SIZE: u32 = 100;

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Debug, Deserialize)]
struct ApiError {
    title: Option<String>,
    detail: Option<String>,
}

#[derive(Debug, Deserialize)]
struct User {
    id: String,
    username: String,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Tweet {
    pub id: String,
    pub text: String,
    pub created_at: Option<DateTime<Utc>>,
    pub lang: Option<String>,
    pub public_metrics: Option<Metrics>,
}

#[derive(Debug, Deserialize)]
pub struct Metrics {
    pub impression_count: Option<u64>,
}

fn user_of(url: &Url) -> Option<String> {
    match segments(url).as_slice() {
        [user] => Some(user.trim_start_matches('@').to_owned()).filter(|u| !u.is_empty()),
        _ => None,
    }
}

pub async fn poll(
    client: &Client,
    source: &Source,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let Some(user) = user_of(&source.url) else {
        return Err(SourceError::Config {
            url: source.url.clone(),
            message: "not an account address; write it like https://x.com/<user>".to_owned(),
        });
    };
    if let Some(rss) = &source.options.rss_url {
        return Ok(match poll_feed(client, rss, validators).await? {
            Poll::NotModified => Poll::NotModified,
            Poll::Items { items, validators } => Poll::Items {
                items: items.into_iter().map(|i| bridge_post(i, &user)).collect(),
                validators,
            },
        });
    }
    let token = token(source)?;
    let base = match &source.options.api_base {
        Some(base) => as_base(base),
        None => Url::parse(DEFAULT_API_BASE).map_err(|e| SourceError::Config {
            url: source.url.clone(),
            message: format!("bad default API base: {e}"),
        })?,
    };
    let join = |path: &str| {
        base.join(path).map_err(|e| SourceError::Config {
            url: source.url.clone(),
            message: format!("cannot build the API URL from {base}: {e}"),
        })
    };
    let authorization = format!("Bearer {token}");
    let headers = [("authorization", authorization.as_str())];

    let lookup = join(&format!("2/users/by/username/{user}"))?;
    let found: Envelope<User> = api_get(client, source, &lookup, &headers, &user).await?;
    let Some(account) = found.data else {
        return Err(SourceError::Unavailable {
            url: source.url.clone(),
            message: format!(
                "the account @{user} does not exist, is suspended or protected ({lookup} said: {})",
                describe(&found.errors)
            ),
        });
    };
    let mut timeline = join(&format!("2/users/{}/tweets", account.id))?;
    timeline
        .query_pairs_mut()
        .append_pair("max_results", &PAGE_SIZE.to_string())
        .append_pair("exclude", "retweets,replies")
        .append_pair("tweet.fields", "created_at,lang,public_metrics");
    let tweets: Envelope<Vec<Tweet>> = api_get(client, source, &timeline, &headers, &user).await?;
    if tweets.data.is_none() && !tweets.errors.is_empty() {
        return Err(SourceError::Malformed {
            url: source.url.clone(),
            response: timeline,
            message: describe(&tweets.errors),
        });
    }
    let name = account.name.filter(|n| !n.trim().is_empty());
    let items = tweets
        .data
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| tweet_item(t, &account.username, name.as_deref()))
        .collect();
    Ok(Poll::Items {
        items,
        validators: Default::default(),
    })
}

/// [`get_json`] with the answers the X API gives to a bad token turned
/// into a configuration error.
async fn api_get<T: serde::de::DeserializeOwned>(
    client: &Client,
    source: &Source,
    api: &Url,
    headers: &[(&str, &str)],
    user: &str,
) -> Result<T, SourceError> {
    let gone = format!("the account @{user} does not exist");
    match get_json(client, &source.url, api, headers, &gone).await {
        Err(SourceError::Fetch(FetchError::Status {
            status: status @ (401 | 403),
            ..
        })) => Err(SourceError::Config {
            url: source.url.clone(),
            message: format!(
                "{api} answered HTTP {status}: the bearer token was refused (expired, revoked, or without access to this endpoint)"
            ),
        }),
        other => other,
    }
}

fn describe(errors: &[ApiError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .filter_map(|e| e.detail.clone().or_else(|| e.title.clone()))
        .collect();
    if parts.is_empty() {
        "no data and no error".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The bearer token: from `token_file` if set, else from the environment
/// variable `token_env` (default `X_BEARER_TOKEN`).
fn token(source: &Source) -> Result<String, SourceError> {
    let config_error = |message: String| SourceError::Config {
        url: source.url.clone(),
        message,
    };
    if let Some(path) = &source.options.token_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            config_error(format!(
                "cannot read the X API token file {}: {e}",
                path.display()
            ))
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(config_error(format!(
                "the X API token file {} is empty",
                path.display()
            )));
        }
        return Ok(token.to_owned());
    }
    let name = source
        .options
        .token_env
        .as_deref()
        .unwrap_or(DEFAULT_TOKEN_ENV);
    match std::env::var(name) {
        Ok(token) if !token.trim().is_empty() => Ok(token.trim().to_owned()),
        _ => Err(config_error(format!(
            "no X API bearer token: set the environment variable {name} (or name another with token_env), or set token_file to a file holding it; or set rss_url to read the account through an RSS bridge"
        ))),
    }
}

/// A tweet as a post item.
pub fn tweet_item(tweet: Tweet, username: &str, name: Option<&str>) -> Option<Item> {
    let text = tweet.text.trim().to_owned();
    if text.is_empty() {
        return None;
    }
    let permalink = Url::parse(&format!("https://x.com/{username}/status/{}", tweet.id)).ok()?;
    let mut item = Item::post(permalink, text.clone());
    item.title = post_title(&text);
    item.published = tweet.created_at;
    // X marks what it cannot tell with `und`, `zxx` (no text) or `qme`
    // (media only) and friends: those are no language.
    item.lang = tweet
        .lang
        .filter(|l| l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase()));
    item.views = tweet.public_metrics.and_then(|m| m.impression_count);
    item.author_handle = Some(username.to_owned());
    item.authors = name.map(str::to_owned).into_iter().collect();
    Some(item)
}

/// An RSS bridge item as a post of `user`.
fn bridge_post(mut item: Item, user: &str) -> Item {
    item.kind = ItemKind::Post;
    item.text = item.summary.clone().or_else(|| item.title.clone());
    item.author_handle = Some(user.to_owned());
    item
}
