//! The hand-over of frontier entries between the tasks of a run: pollers
//! say when they queued work, the dispatcher marks the entries it hands
//! out, and the writer (or the job that gave up on an entry) lets them go.
//!
//! The frontier itself lives in the state store; this is only what is
//! being worked on now, so that the dispatcher does not hand an entry out
//! twice, and what must wait because its outcome could not be recorded (a
//! storage fault): handed out again at once, it would be fetched again and
//! again while the disk is full.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

#[derive(Default)]
pub(super) struct Work {
    /// Frontier keys not to hand out: `None` while being worked on, or
    /// held back until a time.
    busy: Mutex<HashMap<String, Option<Instant>>>,
    queued: Notify,
}

impl Work {
    /// Mark `key` as being worked on.
    pub(super) fn claim(&self, key: &str) {
        self.lock().insert(key.to_string(), None);
    }

    /// `key` is done with (committed, failed and recorded, or given back).
    pub(super) fn release(&self, key: &str) {
        self.lock().remove(key);
    }

    pub(super) fn release_all<'a>(&self, keys: impl IntoIterator<Item = &'a str>) {
        let mut busy = self.lock();
        for key in keys {
            busy.remove(key);
        }
    }

    /// Keep `key` from being handed out for `wait`: its outcome could not
    /// be recorded, so the store still shows it due.
    pub(super) fn hold(&self, key: &str, wait: Duration) {
        self.lock()
            .insert(key.to_string(), Some(Instant::now() + wait));
    }

    /// The keys not to hand out now.
    pub(super) fn busy(&self) -> Vec<String> {
        let now = Instant::now();
        let mut busy = self.lock();
        busy.retain(|_, until| until.is_none_or(|t| t > now));
        busy.keys().cloned().collect()
    }

    /// Pollers queued new work.
    pub(super) fn queued(&self) {
        self.queued.notify_one();
    }

    /// Wait for [`Work::queued`].
    pub(super) async fn wait_queued(&self) {
        self.queued.notified().await;
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Option<Instant>>> {
        // A poisoned map only means a job panicked; the keys are still valid.
        self.busy.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_keys_come_back_when_their_time_is_up() {
        let work = Work::default();
        work.claim("a");
        work.claim("b");
        work.hold("b", Duration::from_millis(20));
        let mut busy = work.busy();
        busy.sort();
        assert_eq!(busy, ["a", "b"]);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(work.busy(), ["a"]);
        work.release_all(["a"]);
        assert!(work.busy().is_empty());
    }
}
