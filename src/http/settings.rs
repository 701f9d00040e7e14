//! What the client is built with: [`HttpSettings`] (timeouts, size caps,
//! redirects, requests per host) and [`Policy`] (how it treats servers:
//! spacing, robots.txt, pauses, and which addresses discovered links may
//! reach), both read from the `[http]` table of the config.

use std::time::Duration;

/// Settings for [`Client`](super::Client), built from the `[http]` table
/// of the config.
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
    /// Obey robots.txt for pages ([`Expect::Html`](super::Expect::Html));
    /// feeds are never checked. Default true.
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
    /// more of it left they fail at once with
    /// [`FetchError::Paused`](super::FetchError::Paused) (which says when
    /// to come back) instead of tying up their caller. Default 60 s.
    pub max_pause_wait: Duration,
    /// Let [`Client::get_guarded`](super::Client::get_guarded) reach any
    /// address, as `get` does. For deployments that read outlets on their
    /// own network. Default false.
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
    /// No spacing and no robots.txt: what
    /// [`Client::new`](super::Client::new) uses, for tests and one-off
    /// tools. Retry-After pauses still apply.
    pub fn unthrottled() -> Policy {
        Policy {
            per_host_delay: Duration::ZERO,
            respect_robots: false,
            ..Policy::default()
        }
    }
}
