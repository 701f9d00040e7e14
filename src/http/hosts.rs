//! Per-host politeness, owned here and nowhere else: when the next request
//! to a host may start, how many may be in flight, and until when a host
//! asked us to stay away. Every request of the client, robots.txt
//! included, starts only when this module says so; callers that hand out
//! work (the daemon's dispatcher and pollers) ask it through
//! [`super::Client::next_turn`], [`super::Client::try_reserve`] and
//! [`super::Client::reserve`] instead of keeping a copy of its state.
//!
//! A host is a [`HostKey`]: lower-case name (or IP literal) and port. Its
//! state:
//! - spacing: the configured delay (or the host's own, see
//!   [`Hosts::set_limits`]), raised by a robots.txt Crawl-delay, counted
//!   from the moment the previous request went on the wire (took its
//!   request slot, [`super::Client::with_request_limit`]), not from when
//!   it was planned to: a request that waited for a slot after its host's
//!   turn came would otherwise leave the next one too close behind it;
//!   and counted again from when the previous request was answered
//!   ([`Hosts::answered`]). The start on the wire is only when the client
//!   let the request go: opening a connection, a busy machine or a busy
//!   server can make it reach the server later, and the next request,
//!   over a connection already open, sooner, so that the server saw two
//!   requests closer than the spacing (issue 17: a fifth of a second
//!   apart, around hosts' first requests). An answer proves the request
//!   arrived, so a spacing counted from it holds as the server sees it,
//!   at the cost of one latency per request to the host;
//! - concurrency: requests in flight or reserved, at most the host's limit;
//! - a pause from Retry-After (or a used-up rate limit).
//!
//! The next start of a host belongs to one request at a time: it is
//! reserved (a [`Reservation`]) and kept until that request is on the
//! wire, so the start after it is only worked out from the real start.
//! Waiting for a start holds no request slot, and a reservation dropped
//! unused gives the start back. Callers of other hosts never wait for this
//! one: the state sits under a short lock that no one holds across an
//! await. Entries idle for a while are dropped, so that the map follows
//! the hosts in use, not every host seen since start-up.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use super::Policy;

/// A host as politeness counts it: lower-case name (or IP literal) and
/// port, so `http://Example.org/` and `http://example.org:80/x` are one
/// host and `https://example.org/` another. The only way to key a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostKey(Box<str>);

impl HostKey {
    pub fn of(url: &Url) -> HostKey {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let key = match url.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        };
        HostKey(key.into_boxed_str())
    }
}

impl fmt::Display for HostKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a host can take, as the client sees it now
/// ([`super::Client::next_turn`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextTurn {
    /// The earliest time a new request to the host may start: one spacing
    /// after its last start, after a pause it asked for, and, while
    /// another request holds the next start, one spacing after that.
    /// A pause longer than the policy's `max_pause_wait` does not count:
    /// requests during it are refused at once with
    /// [`super::FetchError::Paused`], which says when to come back.
    pub at: Instant,
    /// Whether the host has a request slot free (fewer requests in flight
    /// or reserved than its concurrency) and its next start is not held
    /// by another request.
    pub slot_free: bool,
}

impl NextTurn {
    /// Whether a request reserved now could start by `by`.
    pub fn ready_by(&self, by: Instant) -> bool {
        self.slot_free && self.at <= by
    }
}

/// A host's next start, held for one request: a request slot of the host
/// and the right to be the next request to start there. Pass it to
/// [`super::Client::in_turn`], whose first request to the host then starts
/// in this turn, with no second wait for spacing; dropped unused, it gives
/// the start and the slot back.
pub struct Reservation {
    host: HostKey,
    start: Instant,
    slot: Option<OwnedSemaphorePermit>,
    next: Option<OwnedSemaphorePermit>,
}

impl Reservation {
    pub fn host(&self) -> &HostKey {
        &self.host
    }

    /// When the request may start, as known when it was reserved (a pause
    /// or crawl-delay learnt since can only move it later).
    pub fn start(&self) -> Instant {
        self.start
    }
}

impl fmt::Debug for Reservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reservation")
            .field("host", &self.host)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

/// The right to send one request to a host now; hold it until the
/// response is read.
pub(super) struct Turn {
    _slot: Option<OwnedSemaphorePermit>,
    _wire: Option<OwnedSemaphorePermit>,
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
    hosts: HashMap<HostKey, Host>,
    /// Hosts with their own limits (a source's `per_host_concurrency` /
    /// `per_host_delay`); kept apart from `hosts`, which forgets idle
    /// entries.
    limits: HashMap<HostKey, Limits>,
    last_sweep: Instant,
}

#[derive(Clone, Copy)]
struct Limits {
    concurrency: usize,
    delay: Duration,
}

struct Host {
    /// One permit per request in flight or reserved.
    slots: Arc<Semaphore>,
    /// The permits `slots` was made with (default or per-host).
    concurrency: usize,
    /// One permit: the right to be the next request to start. Held from
    /// the reservation of a start until the request is on the wire.
    next: Arc<Semaphore>,
    /// Earliest start of the next request: the last start plus the
    /// spacing.
    next_start: Instant,
    /// When the last request went on the wire.
    last_start: Option<Instant>,
    /// When the last answer (or failure) of a request came back.
    last_answer: Option<Instant>,
    /// Set from Retry-After; requests waiting for their start look at it
    /// again before they go.
    paused_until: Instant,
    /// The configured spacing between starts (default or per-host).
    delay: Duration,
    /// From robots.txt; raises the spacing above the configured delay.
    crawl_delay: Duration,
    last_used: Instant,
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

    /// See [`super::Client::next_turn`].
    pub(super) fn next_turn(&self, key: &HostKey) -> NextTurn {
        let state = self.lock();
        let now = Instant::now();
        match state.hosts.get(key) {
            None => NextTurn {
                at: now,
                slot_free: true,
            },
            Some(host) => self.next_turn_of(host, now),
        }
    }

    fn next_turn_of(&self, host: &Host, now: Instant) -> NextTurn {
        let next_free = host.next.available_permits() > 0;
        let at = self.start_of(host, now);
        NextTurn {
            // Whoever holds the next start goes at `at` at the earliest.
            at: if next_free { at } else { at + host.spacing() },
            slot_free: next_free && host.slots.available_permits() > 0,
        }
    }

    /// When a request given the next start of `host` now may go: its
    /// spacing and a pause short enough to sit out (a longer one refuses
    /// the request instead, see [`Hosts::check_pause`]).
    fn start_of(&self, host: &Host, now: Instant) -> Instant {
        let paused = if host.paused_until.saturating_duration_since(now) > self.max_pause_wait {
            now
        } else {
            host.paused_until
        };
        now.max(host.next_start).max(paused)
    }

    /// See [`super::Client::try_reserve`].
    pub(super) fn try_reserve(&self, key: &HostKey, by: Instant) -> Result<Reservation, NextTurn> {
        self.with_host(key, |host| {
            let now = Instant::now();
            let turn = self.next_turn_of(host, now);
            // A start that can be now is always in time, whenever `by` was
            // read.
            if !turn.ready_by(by.max(now)) {
                return Err(turn);
            }
            // Requests waiting for a slot or the next start take them
            // outside this lock, so one of them may have got there since.
            let (Ok(slot), Ok(next)) = (
                Arc::clone(&host.slots).try_acquire_owned(),
                Arc::clone(&host.next).try_acquire_owned(),
            ) else {
                return Err(self.next_turn_of(host, Instant::now()));
            };
            host.last_used = now;
            Ok(Reservation {
                host: key.clone(),
                start: turn.at,
                slot: Some(slot),
                next: Some(next),
            })
        })
    }

    /// See [`super::Client::reserve`].
    pub(super) async fn reserve(&self, key: &HostKey) -> Reservation {
        let (slots, next) = self.with_host(key, |host| {
            (Arc::clone(&host.slots), Arc::clone(&host.next))
        });
        // The semaphores are never closed, so these only fail if that
        // changes; going ahead without a permit is then the lesser evil.
        let slot = slots.acquire_owned().await.ok();
        let next = next.acquire_owned().await.ok();
        let start = self.with_host(key, |host| {
            host.last_used = Instant::now();
            self.start_of(host, host.last_used)
        });
        tokio::time::sleep_until(start).await;
        Reservation {
            host: key.clone(),
            start,
            slot,
            next,
        }
    }

    /// Wait for a request slot of `key` and for its start (or take them
    /// from `reserved`), then for a request slot on the `wire`; or, if the
    /// host is paused for longer than the policy's `max_pause_wait`, give
    /// up at once with the time left of the pause. Dropped while waiting,
    /// it gives the start back.
    pub(super) async fn turn(
        &self,
        key: &HostKey,
        reserved: Option<Reservation>,
        wire: Option<&Arc<Semaphore>>,
    ) -> Result<Turn, Duration> {
        let (slot, next) = match reserved {
            Some(r) => (r.slot, r.next),
            None => {
                let (slots, next, paused) = self.with_host(key, |host| {
                    (
                        Arc::clone(&host.slots),
                        Arc::clone(&host.next),
                        host.paused_until,
                    )
                });
                self.check_pause(paused)?;
                (
                    slots.acquire_owned().await.ok(),
                    next.acquire_owned().await.ok(),
                )
            }
        };
        loop {
            let (start, paused) = self.with_host(key, |host| {
                (self.start_of(host, Instant::now()), host.paused_until)
            });
            self.check_pause(paused)?;
            tokio::time::sleep_until(start).await;
            // A request slot on the wire is taken only now: waiting for
            // the host's start must not keep one from another host.
            let on_wire = match wire {
                Some(slots) => Arc::clone(slots).acquire_owned().await.ok(),
                None => None,
            };
            // The start counts from here, where the request goes out; a
            // pause or crawl-delay learnt while waiting sends it back.
            let started = self.with_host(key, |host| {
                let now = Instant::now();
                if host.paused_until > now || host.next_start > now {
                    return false;
                }
                host.last_start = Some(now);
                host.next_start = now + host.spacing();
                host.last_used = now;
                true
            });
            if started {
                // The start after this one is free to be reserved.
                drop(next);
                return Ok(Turn {
                    _slot: slot,
                    _wire: on_wire,
                });
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

    /// A request to `key` was answered (its response head came back) or
    /// failed: the next start is at least one spacing after this.
    pub(super) fn answered(&self, key: &HostKey) {
        self.with_host(key, |host| {
            let now = Instant::now();
            host.last_answer = Some(now);
            host.last_used = now;
            host.next_start = host.next_start.max(now + host.spacing());
        });
    }

    /// Keep requests to `key` from starting before `until`.
    pub(super) fn pause(&self, key: &HostKey, until: Instant) {
        self.with_host(key, |host| {
            host.paused_until = host.paused_until.max(until);
        });
    }

    /// Space requests to `key` at least `delay` apart (capped), on top of
    /// the configured delay, from its last start on.
    pub(super) fn set_crawl_delay(&self, key: &HostKey, delay: Duration) {
        let delay = delay.min(self.max_crawl_delay);
        self.with_host(key, |host| {
            host.crawl_delay = delay;
            host.respace();
        });
    }

    /// Give `key` its own limits (`None` keeps the default). Requests
    /// already holding or waiting for a slot under the old limit finish
    /// under it; later ones wait under the new one.
    pub(super) fn set_limits(
        &self,
        key: &HostKey,
        concurrency: Option<usize>,
        delay: Option<Duration>,
    ) {
        let limits = Limits {
            concurrency: concurrency.unwrap_or(self.concurrency).max(1),
            delay: delay.unwrap_or(self.delay),
        };
        let mut state = self.lock();
        state.limits.insert(key.clone(), limits);
        if let Some(host) = state.hosts.get_mut(key) {
            if host.concurrency != limits.concurrency {
                host.slots = Arc::new(Semaphore::new(limits.concurrency));
                host.concurrency = limits.concurrency;
            }
            host.delay = limits.delay;
            host.respace();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `f` on the entry of `key`, creating it if needed, under the
    /// lock (which `f` must not hold across an await: it cannot, being
    /// synchronous).
    fn with_host<T>(&self, key: &HostKey, f: impl FnOnce(&mut Host) -> T) -> T {
        let mut state = self.lock();
        let now = Instant::now();
        if now.duration_since(state.last_sweep) >= sweep_interval(self.idle_after) {
            state.last_sweep = now;
            let idle_after = self.idle_after;
            state.hosts.retain(|_, host| !host.is_idle(now, idle_after));
        }
        // Looked up before anything is inserted: the dispatcher asks about
        // every host of its backlog each time it looks for work, and
        // cloning the key for `entry` would allocate on every question.
        if let Some(host) = state.hosts.get_mut(key) {
            return f(host);
        }
        let limits = state.limits.get(key).copied().unwrap_or(Limits {
            concurrency: self.concurrency,
            delay: self.delay,
        });
        let host = state.hosts.entry(key.clone()).or_insert(Host {
            slots: Arc::new(Semaphore::new(limits.concurrency)),
            concurrency: limits.concurrency,
            next: Arc::new(Semaphore::new(1)),
            delay: limits.delay,
            next_start: now,
            last_start: None,
            last_answer: None,
            paused_until: now,
            crawl_delay: Duration::ZERO,
            last_used: now,
        });
        f(host)
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lock().hosts.len()
    }
}

impl Host {
    fn spacing(&self) -> Duration {
        self.delay.max(self.crawl_delay)
    }

    /// The next start after a change of spacing: one (new) spacing after
    /// the last start or answer, whichever came later.
    fn respace(&mut self) {
        if let Some(last) = self.last_start.max(self.last_answer) {
            self.next_start = last + self.spacing();
        }
    }

    /// Unused for `idle_after`, nothing in flight, reserved or waiting,
    /// and no spacing or pause left to honour: forgetting it changes
    /// nothing.
    fn is_idle(&self, now: Instant, idle_after: Duration) -> bool {
        Arc::strong_count(&self.slots) == 1
            && Arc::strong_count(&self.next) == 1
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
