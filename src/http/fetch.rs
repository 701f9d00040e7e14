//! The redirect-following fetch. Redirects are followed here rather than
//! by reqwest so that every hop goes through the same scheme check, guard
//! (IP literals here, names when resolved), robots.txt check, host turn
//! ([`super::hosts`]) and loop detection, and so that one deadline covers
//! the network time of the whole chain. A 429 or 503 with Retry-After, or
//! a success that used up an API's rate limit, pauses the host.

use std::collections::HashSet;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header;
use tokio::time::Instant;
use url::Url;

use super::error::{innermost_message, FetchError};
use super::guard::{self, classify, AddressClass, Reach};
use super::headers::{
    header_string, header_value, location, rate_limit_exhausted, rate_limit_reset, retry_after,
};
use super::hosts::{HostKey, Reservation};
use super::response::{
    judge_content_type, looks_like_html, media_type, Expect, Fetched, Response, Validators,
    Verdict, ACCEPT_FEED, ACCEPT_HTML, ACCEPT_ROBOTS, ACCEPT_SITEMAP,
};
use super::robots::{self, Cached, Rules};
use super::Client;
use crate::charset;

/// What a chain of requests fetches: a page or feed for a caller, or a
/// robots.txt for the client itself (any content type, truncated rather
/// than refused when long, never checked against robots.txt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Page(Expect),
    Robots,
}

type BoxedFetch<'a> = Pin<Box<dyn Future<Output = Result<Fetched, FetchError>> + Send + 'a>>;

/// What one hop of a redirect chain led to.
enum Hop {
    Done(Fetched),
    Redirect(Url),
}

impl Client {
    /// A chain of requests following redirects, its first request in
    /// `turn` if that is its host's (see [`Client::in_turn`]). Boxed
    /// because robots.txt checks fetch through it from inside it.
    pub(super) fn chain<'a>(
        &'a self,
        url: &'a Url,
        validators: Option<&'a Validators>,
        kind: Kind,
        reach: Reach,
        headers: &'a [(&'a str, &'a str)],
        turn: Option<Reservation>,
    ) -> BoxedFetch<'a> {
        Box::pin(self.follow(url, validators, kind, reach, headers, turn))
    }

    async fn follow(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        kind: Kind,
        reach: Reach,
        headers: &[(&str, &str)],
        turn: Option<Reservation>,
    ) -> Result<Fetched, FetchError> {
        // A turn of another host is given back at once.
        let mut reserved = turn.filter(|t| *t.host() == HostKey::of(url));
        check_scheme(url, url)?;
        let mut current = url.clone();
        let mut seen = HashSet::from([url.clone()]);
        let mut redirects = 0;
        // The time budget is spent on the network only: waiting for our own
        // per-host limit is not the server's fault.
        let mut budget = self.timeout;
        loop {
            self.admit(url, &current, kind, reach, &mut reserved)
                .await?;
            let key = HostKey::of(&current);
            // Only the first hop can find `reserved` still there: later
            // ones wait for their host's turn like any request.
            let _turn = self
                .hosts
                .turn(&key, reserved.take(), self.on_the_wire.as_ref())
                .await
                .map_err(|left| FetchError::Paused {
                    url: url.clone(),
                    retry_after: left,
                })?;
            let started = Instant::now();
            // Credentials go only to the origin they were meant for.
            let extra = if current.origin() == url.origin() {
                headers
            } else {
                &[]
            };
            let result = tokio::time::timeout(
                budget,
                self.hop(url, &current, validators, kind, reach, extra),
            )
            .await
            .map_err(|_| {
                // Given up before an answer: spaced from here instead.
                self.hosts.answered(&key);
                FetchError::Timeout {
                    url: url.clone(),
                    after: self.timeout,
                }
            })
            .and_then(|hop| hop);
            if let Err(FetchError::Status {
                status: 429 | 503,
                retry_after: Some(wait),
                ..
            }) = &result
            {
                let wait = (*wait).min(self.policy.max_pause);
                tracing::info!(host = %key, wait = %humantime::format_duration(wait), "server asked to retry later; pausing requests to it");
                self.hosts.pause(&key, Instant::now() + wait);
            }
            let hop = result?;
            budget = budget.saturating_sub(started.elapsed());
            match hop {
                Hop::Done(fetched) => return Ok(fetched),
                Hop::Redirect(next) => {
                    tracing::debug!(url = %url, from = %current, to = %next, "following redirect");
                    check_scheme(url, &next)?;
                    redirects += 1;
                    if !seen.insert(next.clone()) {
                        return Err(FetchError::RedirectLoop {
                            url: url.clone(),
                            at: next.into(),
                        });
                    }
                    if redirects > self.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: url.clone(),
                            limit: self.max_redirects,
                            last: next.into(),
                        });
                    }
                    current = next;
                }
            }
        }
    }

    /// Whether `current`, a hop of the chain asked for as `asked`, may be
    /// requested at all: the guard for IP literals (names are checked when
    /// resolved), then robots.txt for pages. A robots.txt fetched for it
    /// takes `reserved`, the hop's turn.
    async fn admit(
        &self,
        asked: &Url,
        current: &Url,
        kind: Kind,
        reach: Reach,
        reserved: &mut Option<Reservation>,
    ) -> Result<(), FetchError> {
        if reach == Reach::PublicOnly {
            let literal: Option<IpAddr> = match current.host() {
                Some(url::Host::Ipv4(ip)) => Some(ip.into()),
                Some(url::Host::Ipv6(ip)) => Some(ip.into()),
                _ => None,
            };
            if let Some(address) = literal.filter(|ip| classify(*ip) != AddressClass::Public) {
                return Err(FetchError::Forbidden {
                    url: asked.clone(),
                    address,
                });
            }
        }
        if kind == Kind::Page(Expect::Html) && self.policy.respect_robots {
            let rules = self.robots_rules(asked, current, reach, reserved).await?;
            if let Some(delay) = rules.crawl_delay() {
                self.hosts.set_crawl_delay(&HostKey::of(current), delay);
            }
            if !rules.allows(current) {
                return Err(FetchError::RobotsDisallowed { url: asked.clone() });
            }
        }
        Ok(())
    }

    /// The robots.txt rules of `current`'s origin, fetched if not cached or
    /// expired, in the `reserved` turn if there is one. See the `robots`
    /// module for how each outcome is read.
    async fn robots_rules(
        &self,
        asked: &Url,
        current: &Url,
        reach: Reach,
        reserved: &mut Option<Reservation>,
    ) -> Result<Arc<Rules>, FetchError> {
        let origin = current.origin().ascii_serialization();
        let slot = self.robots.slot(&origin);
        let mut cached = match slot.try_lock() {
            Ok(cached) => cached,
            Err(_) => {
                // Another request is reading the file, and may be waiting
                // for this very turn to fetch it: give the turn back
                // rather than hold it while waiting for that request.
                *reserved = None;
                slot.lock().await
            }
        };
        let now = Instant::now();
        if let Some(c) = cached.as_ref().filter(|c| c.expires > now) {
            return Ok(Arc::clone(&c.rules));
        }
        let mut robots_url = current.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let fetched = self
            .chain(&robots_url, None, Kind::Robots, reach, &[], reserved.take())
            .await;
        let (rules, ttl) = match fetched {
            Ok(Fetched::Ok(response)) => (
                Arc::new(Rules::parse(&response.body)),
                self.policy.robots_ttl,
            ),
            // Not asked for (no validators were sent); nothing to go on.
            Ok(Fetched::NotModified) => (Arc::new(Rules::AllowAll), self.policy.robots_retry),
            Err(FetchError::Status { status, .. })
                if (400..500).contains(&status) && status != 429 =>
            {
                (Arc::new(Rules::AllowAll), self.policy.robots_ttl)
            }
            // Both say nothing about the file: nothing is cached.
            Err(FetchError::Forbidden { address, .. }) => {
                return Err(FetchError::Forbidden {
                    url: asked.clone(),
                    address,
                })
            }
            Err(FetchError::Paused { retry_after, .. }) => {
                return Err(FetchError::Paused {
                    url: asked.clone(),
                    retry_after,
                })
            }
            Err(e) => {
                tracing::info!(origin = %origin, error = %e, "robots.txt unreachable; using the last copy or allowing all, and asking again soon");
                let last = cached
                    .as_ref()
                    .map_or_else(|| Arc::new(Rules::AllowAll), |c| Arc::clone(&c.rules));
                (last, self.policy.robots_retry)
            }
        };
        *cached = Some(Cached {
            rules: Arc::clone(&rules),
            expires: Instant::now() + ttl,
        });
        Ok(rules)
    }

    fn transport_error(&self, url: &Url, error: &reqwest::Error, reading_body: bool) -> FetchError {
        let url = url.clone();
        if let Some(address) = guard::blocked_in(error) {
            return FetchError::Forbidden { url, address };
        }
        if error.is_timeout() {
            // Reqwest's own per-hop backstop fired before our deadline.
            return FetchError::Timeout {
                url,
                after: self.timeout,
            };
        }
        let message = innermost_message(error);
        if reading_body {
            FetchError::Body { url, message }
        } else if error.is_connect() {
            FetchError::Connect { url, message }
        } else {
            FetchError::Request { url, message }
        }
    }

    /// One request of a redirect chain. `asked` is the URL the caller gave,
    /// used in errors.
    async fn hop(
        &self,
        asked: &Url,
        current: &Url,
        validators: Option<&Validators>,
        kind: Kind,
        reach: Reach,
        headers: &[(&str, &str)],
    ) -> Result<Hop, FetchError> {
        let accept = match kind {
            Kind::Page(Expect::Feed) => ACCEPT_FEED,
            Kind::Page(Expect::Sitemap) => ACCEPT_SITEMAP,
            Kind::Page(Expect::Html) => ACCEPT_HTML,
            Kind::Robots => ACCEPT_ROBOTS,
        };
        let client = match reach {
            Reach::Any => &self.open,
            Reach::PublicOnly => &self.guarded,
        };
        let mut request = client.get(current.clone()).header(header::ACCEPT, accept);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(v) = validators {
            // A stored validator that is not a valid header value (it came
            // from a server) is dropped: the request is then unconditional.
            if let Some(etag) = v.etag.as_deref().and_then(header_value) {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = v.last_modified.as_deref().and_then(header_value) {
                request = request.header(header::IF_MODIFIED_SINCE, date);
            }
        }
        let sent = request.send().await;
        // Answered or failed, the host's next request is spaced from now
        // (see `hosts`): the server has certainly seen this one by now.
        self.hosts.answered(&HostKey::of(current));
        let mut response = sent.map_err(|e| self.transport_error(asked, &e, false))?;
        let status = response.status();

        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Hop::Done(Fetched::NotModified));
        }
        if status.is_redirection() {
            if let Some(next) = location(response.headers(), current) {
                return Ok(Hop::Redirect(next));
            }
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: asked.clone(),
                status: status.as_u16(),
                retry_after: retry_after(response.headers())
                    .or_else(|| rate_limit_reset(response.headers(), status.as_u16())),
            });
        }

        if let Some(wait) = rate_limit_exhausted(response.headers()) {
            let wait = wait.min(self.policy.max_pause);
            let key = HostKey::of(current);
            tracing::info!(host = %key, wait = %humantime::format_duration(wait), "rate limit used up; pausing requests to the host until it resets");
            self.hosts.pause(&key, Instant::now() + wait);
        }

        let raw_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = raw_type
            .as_deref()
            .map(media_type)
            .filter(|t| !t.is_empty());
        let charset = raw_type.as_deref().and_then(charset::charset_param);
        let (verdict, limit, truncate) = match kind {
            Kind::Page(expect) => (
                judge_content_type(expect, content_type.as_deref()),
                self.max_body_bytes,
                false,
            ),
            Kind::Robots => (
                Verdict::Accept,
                self.max_body_bytes.min(robots::MAX_ROBOTS_BYTES),
                true,
            ),
        };
        if verdict == Verdict::Refuse {
            return Err(FetchError::UnsupportedContentType {
                url: asked.clone(),
                content_type: content_type.unwrap_or_default(),
                expected: expect_of(kind),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: asked.clone(),
            limit,
        };
        // Only known for an identity encoding: reqwest hides the length of a
        // body it decompresses, whose compressed size says nothing anyway.
        if !truncate && response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }

        let validators = Validators {
            etag: header_string(response.headers(), header::ETAG),
            last_modified: header_string(response.headers(), header::LAST_MODIFIED),
        };
        let capacity = response
            .content_length()
            .unwrap_or(0)
            .min(limit)
            .min(1 << 20);
        let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        // Chunks arrive decompressed, so the cap holds for compression bombs.
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(asked, &e, true))?
        {
            let room =
                usize::try_from(limit.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
            if chunk.len() > room {
                if truncate {
                    body.extend_from_slice(&chunk[..room]);
                    break;
                }
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }

        if verdict == Verdict::SniffHtml && !looks_like_html(&body) {
            return Err(FetchError::UnsupportedContentType {
                url: asked.clone(),
                content_type: content_type
                    .unwrap_or_else(|| "no content type and no HTML markup".to_owned()),
                expected: expect_of(kind),
            });
        }

        Ok(Hop::Done(Fetched::Ok(Response {
            url: current.clone(),
            status: status.as_u16(),
            content_type,
            charset,
            body,
            validators,
        })))
    }
}

/// The document type named in content-type errors; robots.txt never
/// raises one, so what it maps to only has to be something.
fn expect_of(kind: Kind) -> Expect {
    match kind {
        Kind::Page(expect) => expect,
        Kind::Robots => Expect::Feed,
    }
}

fn check_scheme(asked: &Url, url: &Url) -> Result<(), FetchError> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        _ => Err(FetchError::UnsupportedScheme { url: asked.clone() }),
    }
}
