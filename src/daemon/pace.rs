//! The daemon's plan of when each host may next be asked, so that work is
//! handed out to hosts that can take it now.
//!
//! The HTTP client enforces per-host spacing and concurrency; this does not
//! replace it. It keeps the daemon's shared slots (the global request
//! limit, the dispatcher's jobs) from being spent *waiting* on one host's
//! spacing while other hosts sit idle: a feed's twenty articles are queued
//! together, and fetched oldest first they would take every slot and go out
//! one per `per_host_delay`. With the plan, the dispatcher skips entries of
//! hosts that are busy or not due yet, and pollers wait for their host's
//! turn before they take a global slot.
//!
//! The plan only estimates (a robots.txt crawl-delay or a Retry-After is
//! known to the client only); when it is wrong a request waits in the
//! client, as it would without the plan.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use crate::config::Source;

/// Entries kept before idle ones are dropped.
const PRUNE_ABOVE: usize = 4096;

/// How a host is paced: spacing between starts and jobs at once.
#[derive(Debug, Clone, Copy)]
struct Limits {
    delay: Duration,
    concurrency: usize,
}

pub(super) struct Pace {
    default: Limits,
    /// Hosts with limits of their own (a source's per-host settings).
    own: Mutex<HashMap<String, Limits>>,
    hosts: Mutex<HashMap<String, Host>>,
}

#[derive(Default)]
struct Host {
    next_start: Option<Instant>,
    jobs: usize,
}

/// The key of a URL's host, as the HTTP client keys it: name and port.
pub(super) fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

impl Pace {
    pub(super) fn new<'a>(
        delay: Duration,
        concurrency: usize,
        sources: impl IntoIterator<Item = &'a Source>,
    ) -> Pace {
        let default = Limits {
            delay,
            concurrency: concurrency.max(1),
        };
        let own = sources
            .into_iter()
            .filter(|s| s.per_host_delay.is_some() || s.per_host_concurrency.is_some())
            .map(|s| {
                (
                    host_of(&s.url),
                    Limits {
                        delay: s.per_host_delay.unwrap_or(delay),
                        concurrency: s.per_host_concurrency.unwrap_or(default.concurrency).max(1),
                    },
                )
            })
            .collect();
        Pace {
            default,
            own: Mutex::new(own),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn limits(&self, key: &str) -> Limits {
        self.own
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .copied()
            .unwrap_or(self.default)
    }

    /// Take a source's own per-host settings into account (on a reload).
    pub(super) fn set_own(&self, source: &Source) {
        let o = source;
        if o.per_host_delay.is_none() && o.per_host_concurrency.is_none() {
            return;
        }
        let limits = Limits {
            delay: o.per_host_delay.unwrap_or(self.default.delay),
            concurrency: o
                .per_host_concurrency
                .unwrap_or(self.default.concurrency)
                .max(1),
        };
        self.own
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host_of(&source.url), limits);
    }

    /// Whether `key` can start a request by `by` and has a job slot free.
    pub(super) fn ready(&self, key: &str, by: Instant) -> bool {
        let concurrency = self.limits(key).concurrency;
        let hosts = self.lock();
        hosts
            .get(key)
            .is_none_or(|h| h.jobs < concurrency && h.next_start.is_none_or(|t| t <= by))
    }

    /// When `key` is next expected to be free (`None`: now).
    pub(super) fn free_at(&self, key: &str) -> Option<Instant> {
        self.lock().get(key).and_then(|h| h.next_start)
    }

    /// Book the next start of `key` and a job slot, given back when the
    /// booking is dropped.
    pub(super) fn book<'a>(&'a self, key: &str) -> Booking<'a> {
        let start = self.reserve(key);
        Booking {
            pace: self,
            key: key.to_owned(),
            start,
        }
    }

    /// Book the next start of `key` and a job slot without a guard: the
    /// caller hands the start to a task that [`Pace::adopt`]s it.
    pub(super) fn reserve(&self, key: &str) -> Instant {
        let limits = self.limits(key);
        let mut hosts = self.lock();
        let now = Instant::now();
        if hosts.len() > PRUNE_ABOVE {
            hosts.retain(|_, h| h.jobs > 0 || h.next_start.is_some_and(|t| t > now));
        }
        let host = hosts.entry(key.to_owned()).or_default();
        let start = host.next_start.map_or(now, |t| t.max(now));
        host.next_start = Some(start + limits.delay);
        host.jobs += 1;
        start
    }

    /// The guard of a start booked with [`Pace::reserve`].
    pub(super) fn adopt(&self, key: String, start: Instant) -> Booking<'_> {
        Booking {
            pace: self,
            key,
            start,
        }
    }

    fn done(&self, key: &str) {
        if let Some(h) = self.lock().get_mut(key) {
            h.jobs = h.jobs.saturating_sub(1);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Host>> {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A booked request; frees its host's job slot when dropped.
pub(super) struct Booking<'a> {
    pace: &'a Pace,
    key: String,
    /// When the request may start.
    pub(super) start: Instant,
}

impl Drop for Booking<'_> {
    fn drop(&mut self) {
        self.pace.done(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookings_are_spaced_and_slots_counted() {
        let second = Duration::from_secs(1);
        let pace = Pace::new(second, 2, []);
        let t0 = Instant::now();
        assert!(pace.ready("a:80", t0));
        let one = pace.book("a:80");
        let first = one.start;
        assert!(first >= t0 && first < t0 + second / 2);
        assert!(!pace.ready("a:80", first), "next start is a second away");
        assert!(pace.ready("b:80", first), "other hosts are free");
        let two = pace.book("a:80");
        assert_eq!(two.start, first + second);
        assert!(!pace.ready("a:80", first + 5 * second), "two jobs");
        drop(one);
        assert!(pace.ready("a:80", first + 2 * second));
        assert_eq!(pace.free_at("a:80"), Some(first + 2 * second));
    }
}
