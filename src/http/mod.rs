//! The one HTTP client of pressd: timeouts, body-size caps applied to
//! decompressed bytes, redirect limits and loop detection, content-type
//! checks, conditional GET, and politeness towards servers (per-host
//! concurrency and spacing, robots.txt, Retry-After), plus the guard that
//! keeps discovered links away from private addresses. Only this module
//! talks to the network.
//!
//! Redirects are followed here rather than by reqwest so that every hop
//! goes through the same scheme check, guard, robots.txt check, per-host
//! limit and loop detection, and so that the deadline covers the whole
//! chain.
//!
//! Which call to use: [`Client::get`] for URLs the user configured (feed
//! URLs: they may point anywhere, the user chose them), and
//! [`Client::get_guarded`] with [`Client::link_reach`] of the source for
//! links discovered in feeds and pages.

mod guard;
mod hosts;
mod robots;

use std::collections::HashSet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::charset;
use guard::{classify, AddressClass, PublicOnlyResolver};
use hosts::{host_key, Hosts};
use robots::{Cached, RobotsCache, Rules};

pub use guard::Reach;

/// Settings for [`Client`], built from the `[http]` table of the config.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Total time for one request, headers and body, redirects included.
    pub timeout: Duration,
    /// Cap on the decompressed body.
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Requests in flight to one host at most (0 is taken as 1).
    pub per_host_concurrency: usize,
}

/// How the client treats servers and which addresses it may reach; the
/// politeness keys of the `[http]` config table. Kept apart from
/// [`HttpSettings`] so that code building `HttpSettings` by hand keeps
/// compiling; [`Policy::default`] is what a daemon should run with.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Least time between the starts of two requests to one host (name and
    /// port), across all callers. Default 1 s; zero turns spacing off.
    pub per_host_delay: Duration,
    /// Obey robots.txt for pages ([`Expect::Html`]); feeds are never
    /// checked. Default true.
    pub respect_robots: bool,
    /// How long a fetched robots.txt is trusted. Default 24 h (RFC 9309
    /// asks not to cache for longer).
    pub robots_ttl: Duration,
    /// When to ask again after robots.txt could not be fetched (5xx,
    /// timeout, connection error). Default 10 min.
    pub robots_retry: Duration,
    /// Upper bound on a robots.txt Crawl-delay, which raises a host's
    /// spacing above `per_host_delay`: a site asking for an hour between
    /// requests would otherwise never have its news read. Default 30 s.
    pub max_crawl_delay: Duration,
    /// Upper bound on how long a 429 or 503 with Retry-After pauses its
    /// host. Default 1 h.
    pub max_pause: Duration,
    /// Requests to a paused host wait out a pause at most this long; with
    /// more of it left they fail at once with [`FetchError::Paused`] (which
    /// says when to come back) instead of tying up their caller. Default
    /// 60 s.
    pub max_pause_wait: Duration,
    /// Let [`Client::get_guarded`] reach any address, as `get` does. For
    /// deployments that read outlets on their own network. Default false.
    pub allow_private_addresses: bool,
    /// Per-host state (spacing, pauses, robots.txt rules) unused for this
    /// long is forgotten, so memory follows the hosts in use. Default 1 h.
    pub forget_idle_hosts_after: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            per_host_delay: Duration::from_secs(1),
            respect_robots: true,
            robots_ttl: Duration::from_secs(24 * 3600),
            robots_retry: Duration::from_secs(600),
            max_crawl_delay: Duration::from_secs(30),
            max_pause: Duration::from_secs(3600),
            max_pause_wait: Duration::from_secs(60),
            allow_private_addresses: false,
            forget_idle_hosts_after: Duration::from_secs(3600),
        }
    }
}

impl Policy {
    /// No spacing and no robots.txt: what [`Client::new`] uses, for tests
    /// and one-off tools. Retry-After pauses still apply.
    pub fn unthrottled() -> Policy {
        Policy {
            per_host_delay: Duration::ZERO,
            respect_robots: false,
            ..Policy::default()
        }
    }
}

/// Cache validators of a previous response, for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What kind of document a request expects; decides the Accept header and
/// which content types are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Feed,
    Html,
    /// A sitemap: XML, or gzip-compressed XML served as such (the caller
    /// decompresses it).
    Sitemap,
}

/// A successful (2xx) response with its body read in full.
#[derive(Debug, Clone)]
pub struct Response {
    /// URL after redirects.
    pub url: Url,
    pub status: u16,
    /// Media type of the Content-Type header, lower-cased, without
    /// parameters (`text/html`).
    pub content_type: Option<String>,
    /// `charset` parameter of the Content-Type header.
    pub charset: Option<String>,
    /// The body after content decoding (gzip, brotli, deflate).
    pub body: Vec<u8>,
    pub validators: Validators,
}

// A fetch result is moved once, from the client to its caller; boxing the
// response would cost an allocation per fetch and change the public shape.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Fetched {
    /// 304: the validators sent still hold.
    NotModified,
    Ok(Response),
}

/// Why a fetch failed. Every variant but `Build` names the URL that was
/// asked for (not the last hop of a redirect chain, which the user never
/// configured).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: no complete response within {} (the server is slow or stalled)", humantime::format_duration(*after))]
    Timeout { url: Url, after: Duration },
    #[error("{url}: could not connect: {message}")]
    Connect { url: Url, message: String },
    #[error("{url}: request failed: {message}")]
    Request { url: Url, message: String },
    #[error("{url}: reading the response failed: {message}")]
    Body { url: Url, message: String },
    #[error("{url}: the server answered {}", describe_status(*status, *retry_after))]
    Status {
        url: Url,
        status: u16,
        /// From a Retry-After header (seconds or HTTP date), if any.
        retry_after: Option<Duration>,
    },
    #[error("{url}: response body exceeds the {} limit (raise http.max_body_size or check the URL)", human_size(*limit))]
    TooLarge { url: Url, limit: u64 },
    #[error("{url}: redirect loop: {at} was reached twice")]
    RedirectLoop {
        url: Url,
        /// The URL reached twice (a string: two `Url`s make the error too
        /// large to pass around cheaply).
        at: String,
    },
    #[error("{url}: more than {limit} redirects (the last one to {last}); raise http.max_redirects or use the final URL")]
    TooManyRedirects {
        url: Url,
        limit: usize,
        /// The redirect target that went over the limit.
        last: String,
    },
    #[error("{url}: only http and https URLs can be fetched")]
    UnsupportedScheme { url: Url },
    #[error("{url}: the server sent {content_type}, which is not {}", expected_words(*expected))]
    UnsupportedContentType {
        url: Url,
        /// The media type, or a description when it was missing.
        content_type: String,
        expected: Expect,
    },
    #[error("{url}: not requested: the server asked for a pause, {} of which is left", humantime::format_duration(round_up_to_seconds(*retry_after)))]
    Paused {
        url: Url,
        /// What is left of the pause the host asked for.
        retry_after: Duration,
    },
    #[error("{url}: the site's robots.txt does not allow pressd to fetch this page")]
    RobotsDisallowed { url: Url },
    #[error("{url}: not fetched: the link leads to {address}, {}; discovered links may only reach public addresses (set http.allow_private_addresses = true to allow)", classify(*address).describe())]
    Forbidden {
        url: Url,
        /// The address refused (of the first hop that had one).
        address: IpAddr,
    },
    #[error("{url}: {message}")]
    Other { url: Url, message: String },
    #[error("cannot set up the HTTP client: {message}")]
    Build { message: String },
}

impl FetchError {
    /// Whether trying again later may succeed (timeouts, connection errors,
    /// 5xx, 408, 429) as opposed to a permanent failure (404, wrong content
    /// type, body too large, redirect loop, robots.txt, guard).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Request { .. }
            | FetchError::Body { .. }
            | FetchError::Paused { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            FetchError::TooLarge { .. }
            | FetchError::RedirectLoop { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::UnsupportedScheme { .. }
            | FetchError::UnsupportedContentType { .. }
            | FetchError::RobotsDisallowed { .. }
            | FetchError::Forbidden { .. }
            | FetchError::Other { .. }
            | FetchError::Build { .. } => false,
        }
    }

    /// How long the server asked us to wait, for 429 and 503 answers and
    /// for requests refused because of such an answer earlier.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            FetchError::Paused { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

fn describe_status(status: u16, retry_after: Option<Duration>) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut text = format!("HTTP {status} {reason}").trim_end().to_owned();
    if let Some(wait) = retry_after {
        text.push_str(&format!(
            " and asks to retry after {}",
            humantime::format_duration(wait)
        ));
    }
    text
}

/// Whole seconds, so that messages do not print nanoseconds left over.
fn round_up_to_seconds(wait: Duration) -> Duration {
    let whole = Duration::from_secs(wait.as_secs());
    if whole < wait {
        whole + Duration::from_secs(1)
    } else {
        whole
    }
}

fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn expected_words(expect: Expect) -> &'static str {
    match expect {
        Expect::Feed => "a feed (RSS, Atom or JSON Feed)",
        Expect::Html => "an HTML page",
        Expect::Sitemap => "a sitemap (XML, possibly gzip-compressed)",
    }
}

const ACCEPT_FEED: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, \
     application/json;q=0.8, */*;q=0.5";
const ACCEPT_SITEMAP: &str = "application/xml, text/xml, application/gzip;q=0.9, \
     application/x-gzip;q=0.9, */*;q=0.5";
const ACCEPT_HTML: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";
const ACCEPT_ROBOTS: &str = "text/plain, */*;q=0.5";

/// What a chain of requests fetches: a page or feed for a caller, or a
/// robots.txt for the client itself (any content type, truncated rather
/// than refused when long, never checked against robots.txt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Page(Expect),
    Robots,
}

/// The HTTP client. Cheap to clone; clones share connections, the
/// per-host limits and the robots.txt cache.
#[derive(Clone)]
pub struct Client {
    /// For [`Reach::Any`].
    open: reqwest::Client,
    /// For [`Reach::PublicOnly`]: resolves through [`PublicOnlyResolver`].
    /// A separate client also keeps the connection pools apart, so a
    /// guarded request never reuses a connection opened without the guard.
    guarded: reqwest::Client,
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: u64,
    max_redirects: usize,
    policy: Arc<Policy>,
    hosts: Arc<Hosts>,
    robots: Arc<RobotsCache>,
    /// Requests on the wire across all hosts, if limited
    /// ([`Client::with_request_limit`]).
    on_the_wire: Option<Arc<Semaphore>>,
}

type BoxedFetch<'a> = Pin<Box<dyn Future<Output = Result<Fetched, FetchError>> + Send + 'a>>;

/// What one hop of a redirect chain led to.
enum Hop {
    Done(Fetched),
    Redirect(Url),
}

impl Client {
    /// A client without spacing or robots.txt ([`Policy::unthrottled`]),
    /// for tests and one-off tools; the daemon uses [`Client::with_policy`].
    pub fn new(settings: &HttpSettings) -> Result<Self, FetchError> {
        Client::with_policy(settings, &Policy::unthrottled())
    }

    pub fn with_policy(settings: &HttpSettings, policy: &Policy) -> Result<Self, FetchError> {
        Client::build(settings, policy, &[])
    }

    /// `overrides` pin host names to addresses without asking DNS (or the
    /// guard): tests use it to give a loopback server a public-looking name.
    fn build(
        settings: &HttpSettings,
        policy: &Policy,
        overrides: &[(&str, SocketAddr)],
    ) -> Result<Self, FetchError> {
        let open = Client::reqwest_builder(settings, overrides)
            .build()
            .map_err(|e| FetchError::Build {
                message: innermost_message(&e),
            })?;
        let guarded = Client::reqwest_builder(settings, overrides)
            .dns_resolver(Arc::new(PublicOnlyResolver))
            .build()
            .map_err(|e| FetchError::Build {
                message: innermost_message(&e),
            })?;
        Ok(Client {
            open,
            guarded,
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            max_body_bytes: settings.max_body_bytes,
            max_redirects: settings.max_redirects,
            policy: Arc::new(policy.clone()),
            hosts: Arc::new(Hosts::new(settings.per_host_concurrency, policy)),
            robots: Arc::new(RobotsCache::new(policy.forget_idle_hosts_after)),
            on_the_wire: None,
        })
    }

    /// At most `n` requests on the wire at once, across all hosts. A request
    /// takes its slot only once its host's turn has come: waiting out a
    /// host's spacing (or its robots.txt fetch) must not hold a slot that
    /// another host could use now.
    pub fn with_request_limit(mut self, n: usize) -> Self {
        self.on_the_wire = Some(Arc::new(Semaphore::new(n.max(1))));
        self
    }

    fn reqwest_builder(
        settings: &HttpSettings,
        overrides: &[(&str, SocketAddr)],
    ) -> reqwest::ClientBuilder {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.connect_timeout)
            // The deadline of `get` covers the whole chain; this one is a
            // backstop for a single hop.
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .deflate(true);
        for (name, address) in overrides {
            builder = builder.resolve(name, *address);
        }
        builder
    }

    /// Give the host of `url` its own politeness: at most `concurrency`
    /// requests in flight and `delay` between starts, instead of the
    /// configured defaults (`None` keeps a default). Lasts for the
    /// client's life; a robots.txt crawl-delay still raises the spacing.
    pub fn set_host_limits(&self, url: &Url, concurrency: Option<usize>, delay: Option<Duration>) {
        self.hosts.set_limits(&host_key(url), concurrency, delay);
    }

    /// GET `url`, following redirects, conditional on `validators`, to any
    /// address. For URLs the user configured (feeds); discovered links go
    /// through [`Client::get_guarded`].
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        expect: Expect,
    ) -> Result<Fetched, FetchError> {
        self.chain(url, validators, Kind::Page(expect), Reach::Any, &[])
            .await
    }

    /// As [`Client::get`], with extra request headers (an API's
    /// Authorization, say), sent only to `url`'s origin so that a redirect
    /// elsewhere never carries them.
    pub async fn get_with_headers(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        expect: Expect,
        headers: &[(&str, &str)],
    ) -> Result<Fetched, FetchError> {
        self.chain(url, validators, Kind::Page(expect), Reach::Any, headers)
            .await
    }

    /// As [`Client::get`], reaching only what `reach` allows on every hop
    /// ([`Reach::Any`] if the policy allows private addresses). For links
    /// found in feeds and pages, with `reach` from [`Client::link_reach`].
    pub async fn get_guarded(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        expect: Expect,
        reach: Reach,
    ) -> Result<Fetched, FetchError> {
        let reach = if self.policy.allow_private_addresses {
            Reach::Any
        } else {
            reach
        };
        self.chain(url, validators, Kind::Page(expect), reach, &[])
            .await
    }

    /// The reach for links discovered through the configured URL `source`:
    /// [`Reach::Any`] when private addresses are allowed or when `source`
    /// itself is on a non-public address (an intranet outlet links to its
    /// own intranet host), [`Reach::PublicOnly`] otherwise, including when
    /// `source` cannot be resolved.
    pub async fn link_reach(&self, source: &Url) -> Reach {
        if self.policy.allow_private_addresses {
            return Reach::Any;
        }
        let private = |ip: IpAddr| classify(ip) != AddressClass::Public;
        let source_is_private = match source.host() {
            Some(url::Host::Ipv4(ip)) => private(ip.into()),
            Some(url::Host::Ipv6(ip)) => private(ip.into()),
            Some(url::Host::Domain(name)) => {
                let port = source.port_or_known_default().unwrap_or(0);
                let lookup = tokio::net::lookup_host((name, port));
                match tokio::time::timeout(self.connect_timeout, lookup).await {
                    Ok(Ok(mut addresses)) => addresses.any(|a| private(a.ip())),
                    // Unknown is treated as public: the guarded side.
                    Ok(Err(_)) | Err(_) => false,
                }
            }
            None => false,
        };
        if source_is_private {
            Reach::Any
        } else {
            Reach::PublicOnly
        }
    }

    /// A chain of requests following redirects. Boxed because robots.txt
    /// checks fetch through it from inside it.
    fn chain<'a>(
        &'a self,
        url: &'a Url,
        validators: Option<&'a Validators>,
        kind: Kind,
        reach: Reach,
        headers: &'a [(&'a str, &'a str)],
    ) -> BoxedFetch<'a> {
        Box::pin(self.follow(url, validators, kind, reach, headers))
    }

    async fn follow(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        kind: Kind,
        reach: Reach,
        headers: &[(&str, &str)],
    ) -> Result<Fetched, FetchError> {
        check_scheme(url, url)?;
        let mut current = url.clone();
        let mut seen = HashSet::from([url.clone()]);
        let mut redirects = 0;
        // The time budget is spent on the network only: waiting for our own
        // per-host limit is not the server's fault.
        let mut budget = self.timeout;
        loop {
            self.admit(url, &current, kind, reach).await?;
            let key = host_key(&current);
            let _turn = self
                .hosts
                .turn(&key)
                .await
                .map_err(|left| FetchError::Paused {
                    url: url.clone(),
                    retry_after: left,
                })?;
            // Never closed, so `ok()` only drops an impossible error.
            let _slot = match &self.on_the_wire {
                Some(slots) => slots.acquire().await.ok(),
                None => None,
            };
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
            .map_err(|_| FetchError::Timeout {
                url: url.clone(),
                after: self.timeout,
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
    /// resolved), then robots.txt for pages.
    async fn admit(
        &self,
        asked: &Url,
        current: &Url,
        kind: Kind,
        reach: Reach,
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
            let rules = self.robots_rules(asked, current, reach).await?;
            if let Some(delay) = rules.crawl_delay() {
                self.hosts.set_crawl_delay(&host_key(current), delay);
            }
            if !rules.allows(current) {
                return Err(FetchError::RobotsDisallowed { url: asked.clone() });
            }
        }
        Ok(())
    }

    /// The robots.txt rules of `current`'s origin, fetched if not cached or
    /// expired. See the `robots` module for how each outcome is read.
    async fn robots_rules(
        &self,
        asked: &Url,
        current: &Url,
        reach: Reach,
    ) -> Result<Arc<Rules>, FetchError> {
        let origin = current.origin().ascii_serialization();
        let slot = self.robots.slot(&origin);
        let mut cached = slot.lock().await;
        let now = Instant::now();
        if let Some(c) = cached.as_ref().filter(|c| c.expires > now) {
            return Ok(Arc::clone(&c.rules));
        }
        let mut robots_url = current.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let fetched = self
            .chain(&robots_url, None, Kind::Robots, reach, &[])
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
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(asked, &e, false))?;
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
            let key = host_key(current);
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

fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The target of a redirect, resolved against the URL that answered.
fn location(headers: &HeaderMap, base: &Url) -> Option<Url> {
    let value = headers.get(header::LOCATION)?.to_str().ok()?;
    base.join(value.trim()).ok()
}

/// For a 429 without Retry-After, the wait until the rate-limit reset time
/// that APIs send instead (see [`until_reset`]).
fn rate_limit_reset(headers: &HeaderMap, status: u16) -> Option<Duration> {
    if status != 429 {
        return None;
    }
    until_reset(headers)
}

/// For a success that used up an API's rate limit (`x-rate-limit-remaining:
/// 0`), the wait until it resets: the next request would only get a 429.
fn rate_limit_exhausted(headers: &HeaderMap) -> Option<Duration> {
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
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// Read the body and accept it only if it looks like HTML.
    SniffHtml,
    Refuse,
}

/// Whether a response of `media_type` can be what `expect` asks for,
/// decided from the headers so a PDF or a video is never downloaded.
///
/// Pages: HTML and XHTML are taken; `text/plain` and a missing type are
/// taken only if the body turns out to be HTML (misconfigured servers send
/// both); everything else is refused.
///
/// Feeds: servers label feeds every which way (`text/html`,
/// `application/octet-stream`, `text/plain`, nothing at all), so only
/// types that cannot be a feed are refused. An HTML page given as a feed
/// URL gets a clearer error from the feed parser than it would get here.
fn judge_content_type(expect: Expect, media_type: Option<&str>) -> Verdict {
    match (expect, media_type) {
        (Expect::Html, None | Some("text/plain")) => Verdict::SniffHtml,
        (Expect::Html, Some("text/html" | "application/xhtml+xml")) => Verdict::Accept,
        (Expect::Html, Some(_)) => Verdict::Refuse,
        (Expect::Feed, Some(t)) if is_binary_type(t) => Verdict::Refuse,
        (Expect::Feed, _) => Verdict::Accept,
        (Expect::Sitemap, Some("application/gzip" | "application/x-gzip")) => Verdict::Accept,
        (Expect::Sitemap, Some(t)) if is_binary_type(t) => Verdict::Refuse,
        (Expect::Sitemap, _) => Verdict::Accept,
    }
}

/// Media types that are never a feed: documents, archives and media.
fn is_binary_type(media_type: &str) -> bool {
    let (top, sub) = media_type.split_once('/').unwrap_or((media_type, ""));
    matches!(top, "image" | "audio" | "video" | "font" | "model")
        || (top == "application"
            && (matches!(
                sub,
                "pdf"
                    | "zip"
                    | "gzip"
                    | "x-gzip"
                    | "x-tar"
                    | "x-bzip2"
                    | "x-xz"
                    | "x-7z-compressed"
                    | "x-rar-compressed"
                    | "vnd.rar"
                    | "msword"
                    | "x-shockwave-flash"
                    | "wasm"
            ) || sub.starts_with("vnd.ms-")
                || sub.starts_with("vnd.openxmlformats-")
                || sub.starts_with("vnd.oasis.opendocument.")))
}

/// Whether the start of a body is HTML markup.
fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<title",
        "<meta ",
    ]
    .iter()
    .any(|marker| head.contains(marker))
}

/// The most specific cause in an error chain ("Connection refused (os
/// error 111)"), not reqwest's outer "error sending request for url",
/// which would repeat the URL.
fn innermost_message(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests;
