//! The one HTTP client of pressd: timeouts, body-size caps applied to
//! decompressed bytes, redirect limits and loop detection, content-type
//! checks, conditional GET, and politeness towards servers (per-host
//! concurrency and spacing, robots.txt, Retry-After), plus the guard that
//! keeps discovered links away from private addresses. Only this module
//! talks to the network.
//!
//! The parts: [`settings`] (what the client is built with), [`fetch`] (the
//! redirect-following fetch: every hop goes through the same scheme check,
//! guard, robots.txt check, per-host limit and loop detection, under one
//! deadline for the chain), [`response`] (what a fetch gives back and how
//! a response's content type is judged), [`headers`] (what a response's
//! headers say: redirect target, validators, Retry-After, rate limits),
//! [`hosts`] (per-host politeness), [`error`], [`robots`] and [`guard`].
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
use url::Url;

use error::innermost_message;
use fetch::Kind;
use guard::{classify, AddressClass, PublicOnlyResolver};
use hosts::{host_key, Hosts};
use robots::RobotsCache;

pub use error::FetchError;
pub use guard::Reach;
pub use response::{Expect, Fetched, Response, Validators};
pub use settings::{HttpSettings, Policy};

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
}

#[cfg(test)]
mod tests;
