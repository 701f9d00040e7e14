//! Per-host politeness: how many requests may be in flight to one host,
//! how far apart their starts must be, and until when a host asked us to
//! stay away (Retry-After).
//!
//! A host is keyed by name and port. Start times are handed out as
//! reservations under a short lock, and each caller then sleeps until its
//! own slot, so no lock is held while waiting and callers of other hosts
//! never wait for this one. Entries idle for a while are dropped so that
//! the map follows the hosts in use, not every host seen since start-up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use super::Policy;

/// The key of a URL's host: lower-case name (or IP literal) and port.
pub(super) fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

pub(super) struct Hosts {
    concurrency: usize,
    delay: Duration,
    max_crawl_delay: Duration,
    max_pause_wait: Duration,
    idle_after: Duration,
    state: Mutex<State>,
}

struct State {
    hosts: HashMap<String, Host>,
    /// Hosts with their own limits (a source's `per_host_concurrency` /
    /// `per_host_delay`); kept apart from `hosts`, which forgets idle
    /// entries.
    limits: HashMap<String, Limits>,
    last_sweep: Instant,
}

#[derive(Clone, Copy)]
struct Limits {
    concurrency: usize,
    delay: Duration,
}

struct Host {
    semaphore: Arc<Semaphore>,
    /// Earliest start of the next request.
    next_start: Instant,
    /// Set from Retry-After; requests reserved before the pause was set
    /// look at it again after their sleep.
    paused_until: Instant,
    /// The permits `semaphore` was made with (default or per-host).
    concurrency: usize,
    /// The configured spacing between starts (default or per-host).
    delay: Duration,
    /// From robots.txt; raises the spacing above the configured delay.
    crawl_delay: Duration,
    last_used: Instant,
}

/// The right to send one request to a host now; hold it until the
/// response is read.
pub(super) struct Turn {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Hosts {
    pub(super) fn new(concurrency: usize, policy: &Policy) -> Hosts {
        Hosts {
            concurrency: concurrency.max(1),
            delay: policy.per_host_delay,
            max_crawl_delay: policy.max_crawl_delay,
            max_pause_wait: policy.max_pause_wait,
            idle_after: policy.forget_idle_hosts_after,
            state: Mutex::new(State {
                hosts: HashMap::new(),
                limits: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    /// Wait for a free request slot of `key` and for its start time; or,
    /// if the host is paused for longer than the policy's
    /// `max_pause_wait`, give up at once with the time left of the pause.
    pub(super) async fn turn(&self, key: &str) -> Result<Turn, Duration> {
        let (semaphore, paused) =
            self.with_host(key, |host| (Arc::clone(&host.semaphore), host.paused_until));
        self.check_pause(paused)?;
        // The semaphores are never closed, so this only fails if that
        // changes; going ahead without a permit is then the lesser evil.
        let permit = semaphore.acquire_owned().await.ok();
        // The slot is reserved only once the permit is held, so starts are
        // spaced in the order requests actually go out.
        loop {
            let (start, paused) = self.with_host(key, |host| {
                let now = Instant::now();
                let start = now.max(host.next_start).max(host.paused_until);
                host.next_start = start + host.delay.max(host.crawl_delay);
                host.last_used = now;
                (start, host.paused_until)
            });
            self.check_pause(paused)?;
            tokio::time::sleep_until(start).await;
            let paused_until = self.with_host(key, |host| host.paused_until);
            if paused_until <= start {
                return Ok(Turn { _permit: permit });
            }
        }
    }

    /// A pause too long to sit out: callers are better off doing other
    /// work and coming back (a waiting caller may hold a slot of its own
    /// pipeline meanwhile).
    fn check_pause(&self, paused_until: Instant) -> Result<(), Duration> {
        let left = paused_until.saturating_duration_since(Instant::now());
        if left > self.max_pause_wait {
            Err(left)
        } else {
            Ok(())
        }
    }

    /// Keep requests to `key` from starting before `until`.
    pub(super) fn pause(&self, key: &str, until: Instant) {
        self.with_host(key, |host| {
            host.paused_until = host.paused_until.max(until);
        });
    }

    /// Space requests to `key` at least `delay` apart (capped), on top of
    /// the configured delay.
    pub(super) fn set_crawl_delay(&self, key: &str, delay: Duration) {
        let delay = delay.min(self.max_crawl_delay);
        self.with_host(key, |host| host.crawl_delay = delay);
    }

    /// Give `key` its own limits (`None` keeps the default). Requests
    /// already holding or waiting for a slot under the old limit finish
    /// under it; later ones wait under the new one.
    pub(super) fn set_limits(
        &self,
        key: &str,
        concurrency: Option<usize>,
        delay: Option<Duration>,
    ) {
        let limits = Limits {
            concurrency: concurrency.unwrap_or(self.concurrency).max(1),
            delay: delay.unwrap_or(self.delay),
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.limits.insert(key.to_owned(), limits);
        if let Some(host) = state.hosts.get_mut(key) {
            if host.concurrency != limits.concurrency {
                host.semaphore = Arc::new(Semaphore::new(limits.concurrency));
                host.concurrency = limits.concurrency;
            }
            host.delay = limits.delay;
        }
    }

    /// Run `f` on the entry of `key`, creating it if needed, under the
    /// lock (which `f` must not hold across an await: it cannot, being
    /// synchronous).
    fn with_host<T>(&self, key: &str, f: impl FnOnce(&mut Host) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if now.duration_since(state.last_sweep) >= sweep_interval(self.idle_after) {
            state.last_sweep = now;
            let idle_after = self.idle_after;
            state.hosts.retain(|_, host| !host.is_idle(now, idle_after));
        }
        let limits = state.limits.get(key).copied().unwrap_or(Limits {
            concurrency: self.concurrency,
            delay: self.delay,
        });
        let host = state.hosts.entry(key.to_owned()).or_insert_with(|| Host {
            semaphore: Arc::new(Semaphore::new(limits.concurrency)),
            concurrency: limits.concurrency,
            delay: limits.delay,
            next_start: now,
            paused_until: now,
            crawl_delay: Duration::ZERO,
            last_used: now,
        });
        f(host)
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .hosts
            .len()
    }
}

impl Host {
    /// Unused for `idle_after`, nothing in flight or waiting, and no
    /// spacing or pause left to honour: forgetting it changes nothing.
    fn is_idle(&self, now: Instant, idle_after: Duration) -> bool {
        Arc::strong_count(&self.semaphore) == 1
            && now.duration_since(self.last_used) >= idle_after
            && self.next_start <= now
            && self.paused_until <= now
    }
}

/// How often the maps are swept: often enough that an idle entry does not
/// outlive `idle_after` by much, rarely enough that a sweep over thousands
/// of entries is noise.
pub(super) fn sweep_interval(idle_after: Duration) -> Duration {
    idle_after.min(Duration::from_secs(60))
}
