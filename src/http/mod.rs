//! The one HTTP client of pressd, and the only part of it that talks to
//! the network: timeouts, body-size caps applied to decompressed bytes,
//! redirect limits and loop detection, content-type checks, conditional
//! GET, the guard that keeps discovered links away from private
//! addresses, and politeness towards servers.
//!
//! It alone decides when a request to a host may start ([`hosts`]): the
//! spacing between starts, the requests in flight per host, robots.txt
//! Crawl-delay and Retry-After pauses are its state and no one else's.
//! Callers that hand out work to hosts that can take it now (the daemon's
//! dispatcher and pollers) ask it with [`Client::next_turn`], reserve a
//! host's next start with [`Client::try_reserve`] or [`Client::reserve`],
//! and make the request in that start with [`Client::in_turn`]; a host is
//! named by a [`HostKey`]. Every other request waits for its host's turn
//! inside the client.
//!
//! The parts: [`settings`] (what the client is built with), [`fetch`] (the
//! redirect-following fetch: every hop goes through the same scheme check,
//! guard, robots.txt check, host turn and loop detection, under one
//! deadline for the chain), [`response`] (what a fetch gives back and how
//! a response's content type is judged), [`headers`] (what a response's
//! headers say: redirect target, validators, Retry-After, rate limits),
//! [`error`], [`robots`] and [`guard`].
//!
//! Which call to use: [`Client::get`] for URLs the user configured (feed
//! URLs: they may point anywhere, the user chose them), and
//! [`Client::get_guarded`] with [`Client::link_reach`] of the source for
//! links discovered in feeds and pages.

mod error;
mod fetch;
mod guard;
mod headers;
mod hosts;
mod response;
mod robots;
mod settings;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use error::innermost_message;
use fetch::Kind;
use guard::{classify, AddressClass, PublicOnlyResolver};
use hosts::Hosts;
use robots::RobotsCache;

pub use error::FetchError;
pub use guard::Reach;
pub use hosts::{HostKey, NextTurn, Reservation};
pub use response::{Expect, Fetched, Response, Validators};
pub use settings::{
    default_request_limit, open_file_limit, raise_open_file_limit, HttpSettings, Policy,
};

/// How long a connection is kept alive unused: past a host's spacing
/// (1 s by default; a robots.txt Crawl-delay of up to 30 s), short of the
/// minute after which many servers close idle connections themselves.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// The client for pressd's own messages (watch webhooks): the configured
/// user agent and connect timeout, and each request's own time limit. No
/// politeness, robots.txt or address guard, which are for outlets: the
/// receiver is an endpoint the user configured, often on their own network.
/// No redirects: a signed message goes only where it was addressed, and a
/// receiver that moved shows as a failed delivery.
pub fn delivery_client(settings: &HttpSettings) -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(settings.user_agent.clone())
        .connect_timeout(settings.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| FetchError::Build {
            message: innermost_message(&e),
        })
}

/// The HTTP client. Cheap to clone; clones share connections, the
/// per-host state and the robots.txt cache.
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
    /// A host's start reserved for the next request of this handle
    /// ([`Client::in_turn`]).
    turn: Option<Arc<std::sync::Mutex<Option<Reservation>>>>,
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
            turn: None,
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
            .deflate(true)
            // Keep-alive within a host's run of requests (a second apart at
            // the default spacing), never more idle sockets per host than
            // it may have requests in flight, and none kept long enough to
            // pile up across thousands of hosts or meet a server's own
            // idle close.
            .pool_max_idle_per_host(settings.per_host_concurrency.max(1))
            .pool_idle_timeout(POOL_IDLE_TIMEOUT);
        for (name, address) in overrides {
            builder = builder.resolve(name, *address);
        }
        builder
    }

    /// Give `host` its own politeness: at most `concurrency` requests in
    /// flight and `delay` between starts, instead of the configured
    /// defaults (`None` keeps a default). Lasts for the client's life; a
    /// robots.txt crawl-delay still raises the spacing.
    pub fn set_host_limits(
        &self,
        host: &HostKey,
        concurrency: Option<usize>,
        delay: Option<Duration>,
    ) {
        self.hosts.set_limits(host, concurrency, delay);
    }

    /// When a request to `host` may next start, and whether the host has a
    /// request slot free: the client's own state, with the host's
    /// robots.txt Crawl-delay and any Retry-After pause in it. For callers
    /// that hand out work to hosts that can take it now.
    pub fn next_turn(&self, host: &HostKey) -> NextTurn {
        self.hosts.next_turn(host)
    }

    /// Reserve the next start of `host` if it has a request slot free and
    /// the start comes by `by`; otherwise say when it may come. Use the
    /// reservation through [`Client::in_turn`], whose request then waits
    /// for the start if it is still ahead; it holds no request slot on the
    /// wire ([`Client::with_request_limit`]).
    pub fn try_reserve(&self, host: &HostKey, by: Instant) -> Result<Reservation, NextTurn> {
        self.hosts.try_reserve(host, by)
    }

    /// Wait for a request slot of `host` and for its next start, and
    /// reserve them (a pause longer than the policy's `max_pause_wait` is
    /// not waited out: the request then fails at once with
    /// [`FetchError::Paused`]). Holds no request slot on the wire.
    pub async fn reserve(&self, host: &HostKey) -> Reservation {
        self.hosts.reserve(host).await
    }

    /// A handle on this client whose next request starts in `turn` when it
    /// goes to `turn`'s host, without waiting for the host's spacing a
    /// second time; when it goes to another host, the turn is given back
    /// then. A robots.txt the request needs first goes in the turn, and the
    /// request itself waits for the next one. Clones of the handle share
    /// the one turn; later requests take turns as usual.
    pub fn in_turn(&self, turn: Reservation) -> Client {
        Client {
            turn: Some(Arc::new(std::sync::Mutex::new(Some(turn)))),
            ..self.clone()
        }
    }

    /// The reservation handed to [`Client::in_turn`], if not used yet.
    fn take_turn(&self) -> Option<Reservation> {
        self.turn
            .as_ref()
            .and_then(|t| t.lock().unwrap_or_else(|e| e.into_inner()).take())
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
        self.chain(
            url,
            validators,
            Kind::Page(expect),
            Reach::Any,
            &[],
            self.take_turn(),
        )
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
        self.chain(
            url,
            validators,
            Kind::Page(expect),
            Reach::Any,
            headers,
            self.take_turn(),
        )
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
        self.chain(
            url,
            validators,
            Kind::Page(expect),
            reach,
            &[],
            self.take_turn(),
        )
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
}

#[cfg(test)]
mod tests;
