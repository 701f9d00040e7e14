//! robots.txt (RFC 9309) for article pages: a cache of parsed rules per
//! origin, and how each way a robots.txt fetch can end is read.
//!
//! Feeds are exempt: a feed is published for machines to read and its URL
//! was chosen by the user. Pages are matched for the product token
//! [`AGENT`], whatever the configured User-Agent says around it.
//!
//! Fetch outcomes (RFC 9309, section 2.3.1):
//! - 2xx: the rules apply; only the first [`MAX_ROBOTS_BYTES`] are read,
//!   the minimum the RFC asks crawlers to parse.
//! - 3xx: followed by the client like any redirect.
//! - 4xx ("unavailable"): no rules, everything allowed, for the full TTL.
//!   429 is the exception: it says "slow down", not "no file", so it is
//!   treated like a server error.
//! - 5xx, timeouts, connection errors ("unreachable"): the RFC says to
//!   assume complete disallow. pressd instead keeps the last good copy when
//!   it has one, and otherwise allows everything, asking again after
//!   `retry` rather than the full TTL. Its reason: pressd reads single
//!   articles that the outlet itself links from its feed, a server failing
//!   on robots.txt is usually failing on the article too (which then fails
//!   as a transient error and is retried), and a site whose robots.txt is
//!   broken for good would otherwise never be read at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use texting_robots::Robot;
use tokio::time::Instant;
use url::Url;

use super::hosts::sweep_interval;

/// The product token matched against `User-agent` lines.
pub(super) const AGENT: &str = "pressd";

/// How much of a robots.txt is parsed (RFC 9309 asks for at least 500 KiB).
pub(super) const MAX_ROBOTS_BYTES: u64 = 512 * 1024;

/// The rules of one origin.
pub(super) enum Rules {
    AllowAll,
    Parsed(Robot),
}

impl Rules {
    pub(super) fn parse(body: &[u8]) -> Rules {
        match Robot::new(AGENT, body) {
            Ok(robot) => Rules::Parsed(robot),
            Err(e) => {
                // The parser is lenient; failing means a file it cannot make
                // sense of at all, which says nothing about us.
                tracing::debug!(error = %e, "unparsable robots.txt taken as allowing all");
                Rules::AllowAll
            }
        }
    }

    pub(super) fn allows(&self, url: &Url) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::Parsed(robot) => robot.allowed(url.as_str()),
        }
    }

    /// The Crawl-delay for our agent, if the file sets a usable one.
    pub(super) fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Rules::AllowAll => None,
            Rules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .and_then(|d| Duration::try_from_secs_f32(d).ok()),
        }
    }
}

/// Cached rules and when to ask again.
pub(super) struct Cached {
    pub(super) rules: Arc<Rules>,
    pub(super) expires: Instant,
}

/// One origin's cache slot. Its async lock is held while robots.txt is
/// fetched, so concurrent requests to a new origin fetch it once.
pub(super) type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

pub(super) struct RobotsCache {
    idle_after: Duration,
    state: Mutex<State>,
}

struct State {
    slots: HashMap<String, (Slot, Instant)>,
    last_sweep: Instant,
}

impl RobotsCache {
    pub(super) fn new(idle_after: Duration) -> RobotsCache {
        RobotsCache {
            idle_after,
            state: Mutex::new(State {
                slots: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    /// The slot of `origin` (scheme, host and port), created if needed.
    pub(super) fn slot(&self, origin: &str) -> Slot {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if now.duration_since(state.last_sweep) >= sweep_interval(self.idle_after) {
            state.last_sweep = now;
            let idle_after = self.idle_after;
            state
                .slots
                .retain(|_, (slot, used)| !is_idle(slot, *used, now, idle_after));
        }
        let (slot, used) = state
            .slots
            .entry(origin.to_owned())
            .or_insert_with(|| (Slot::default(), now));
        *used = now;
        Arc::clone(slot)
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .slots
            .len()
    }
}

/// Unused for `idle_after` (or expired) and not being fetched or read: a
/// later request fetches robots.txt again, which is what the TTL asks
/// for anyway.
fn is_idle(slot: &Slot, used: Instant, now: Instant, idle_after: Duration) -> bool {
    if Arc::strong_count(slot) > 1 {
        return false;
    }
    let expired = match slot.try_lock() {
        Ok(cached) => cached.as_ref().is_none_or(|c| c.expires <= now),
        Err(_) => return false,
    };
    expired || now.duration_since(used) >= idle_after
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse(&format!("https://outlet.example{path}")).expect("url")
    }

    #[test]
    fn our_group_wins_over_the_star_group() {
        let rules = Rules::parse(
            b"User-agent: *\nDisallow: /\n\nUser-agent: pressd\nDisallow: /private/\nCrawl-delay: 2\n",
        );
        assert!(rules.allows(&url("/news/1")));
        assert!(!rules.allows(&url("/private/x")));
        assert_eq!(rules.crawl_delay(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn star_group_applies_when_we_are_not_named() {
        let rules = Rules::parse(b"User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /search\nAllow: /search/about\n");
        assert!(rules.allows(&url("/news/1")));
        assert!(!rules.allows(&url("/search?q=x")));
        assert!(rules.allows(&url("/search/about")));
        assert_eq!(rules.crawl_delay(), None);
    }

    #[test]
    fn garbage_allows_all() {
        let rules = Rules::parse(b"\xff\xfe<html><body>Not found</body></html>");
        assert!(rules.allows(&url("/news/1")));
    }
}
