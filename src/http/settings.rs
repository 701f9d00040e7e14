//! What the client is built with: [`HttpSettings`] (timeouts, size caps,
//! redirects, requests per host) and [`Policy`] (how it treats servers:
//! spacing, robots.txt, pauses, and which addresses discovered links may
//! reach), both read from the `[http]` table of the config; and how many
//! requests may be on the wire at once when the config does not say
//! ([`default_request_limit`]).

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

/// File descriptors kept out of the request budget: the index's segment
/// files, the state store, the metrics listener, logs, and slack for
/// whatever else the process opens.
const RESERVED_FILES: u64 = 256;

/// Sockets per request slot: the request's own, plus room for the
/// connections the pool keeps alive between a host's requests (up to
/// `per_host_concurrency` per host, for `pool_idle_timeout`), which the
/// request limit does not bound.
const FILES_PER_REQUEST: u64 = 4;

/// The default never goes above this: requests on the wire hold their
/// bodies in memory, typically tens of kB each (`max_body_size` caps the
/// rare large one), so 512 of them stay within tens of MB; and 512 is
/// already more than 1,000 hosts at one request a second each keep busy at
/// 400 ms of latency.
const MAX_DEFAULT_REQUESTS: usize = 512;

/// Nor below this, however tight the file limit: the old fixed default.
const MIN_DEFAULT_REQUESTS: usize = 8;

/// Requests on the wire across all hosts when `pipeline.concurrency` is not
/// set, from the process's open-file limit (`None`: unknown). What the
/// global limit bounds is sockets and memory; per-host politeness is what
/// paces outlets, so the default must not be the bottleneck: at real
/// latency, requests in flight are rate × latency, and 8 of them capped
/// 10,000 feeds at 160 requests/s over 50 ms (issue 17).
pub fn default_request_limit(open_files: Option<u64>) -> usize {
    let Some(files) = open_files else {
        return MAX_DEFAULT_REQUESTS / 4;
    };
    let budget = files.saturating_sub(RESERVED_FILES) / FILES_PER_REQUEST;
    usize::try_from(budget)
        .unwrap_or(usize::MAX)
        .clamp(MIN_DEFAULT_REQUESTS, MAX_DEFAULT_REQUESTS)
}

/// The open-file limit the process runs under (the soft one), if known.
pub fn open_file_limit() -> Option<u64> {
    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

/// The soft limit is raised at most this far: past it the kernel's own cap
/// (`fs.nr_open`) may refuse, and nothing here needs more.
const RAISED_FILE_LIMIT: u64 = 65_536;

/// Raise the soft open-file limit towards the hard one, as servers that hold
/// many sockets do (Go's runtime does it at start): the soft default of
/// 1,024 is a leftover of `select()` and would cap the connections kept
/// alive to outlets. Done once at start, before the config is read, so
/// that every load of it sizes [`default_request_limit`] alike. Returns the
/// limit in force afterwards.
pub fn raise_open_file_limit() -> Option<u64> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
    let target = hard.min(RAISED_FILE_LIMIT);
    if target > soft {
        if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, target, hard) {
            tracing::debug!(error = %e, soft, hard, "cannot raise the open-file limit");
            return Some(soft);
        }
        return Some(target);
    }
    Some(soft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_request_limit_follows_the_file_limit_within_bounds() {
        // The common soft limit: room for the requests, their kept-alive
        // connections and the index, far above the old 8.
        assert_eq!(default_request_limit(Some(1024)), 192);
        // A raised limit: capped, for memory.
        assert_eq!(default_request_limit(Some(65_536)), MAX_DEFAULT_REQUESTS);
        assert_eq!(default_request_limit(Some(u64::MAX)), MAX_DEFAULT_REQUESTS);
        // A tight one: never below the old default.
        assert_eq!(default_request_limit(Some(280)), MIN_DEFAULT_REQUESTS);
        assert_eq!(default_request_limit(Some(0)), MIN_DEFAULT_REQUESTS);
        assert_eq!(default_request_limit(None), 128);
    }

    /// Issue 17: the default is not the bottleneck. A world of 10,000 feeds
    /// on 1,000 hosts asked at most once a second each (the default
    /// spacing) keeps rate × latency requests in flight: 200 at 200 ms,
    /// 400 at the 400 ms of a slow outlet; a raised file limit leaves room
    /// for that, and even the common soft limit for the 50 ms case.
    #[test]
    fn default_request_limit_is_not_the_bottleneck_at_real_latency() {
        let hosts = 1_000.0;
        let per_second = hosts / Policy::default().per_host_delay.as_secs_f64();
        let in_flight = |latency_s: f64| (per_second * latency_s).ceil() as usize;
        assert!(default_request_limit(Some(65_536)) >= in_flight(0.4));
        assert!(default_request_limit(Some(1024)) >= in_flight(0.05) * 2);
    }
}
