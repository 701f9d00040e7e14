//! The enabled sources of a run as the last reload left them, and what is
//! judged or worked out per source: its health (a change is logged once)
//! and which addresses its discovered links may reach.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::Utc;
use tracing::warn;

use super::health;
use crate::config::Source;
use crate::http::{Client, Reach};
use crate::state::State;

pub(super) struct Registry {
    /// By id; a reload replaces entries, so read through [`Registry::get`]
    /// rather than holding the lock.
    sources: RwLock<HashMap<String, Arc<Source>>>,
    /// Each source's last health, so that changes are logged once.
    health: health::Tracker,
    /// Per source: worked out on first use (it resolves the source's host).
    reach: tokio::sync::Mutex<HashMap<String, Reach>>,
    state: Arc<State>,
}

impl Registry {
    pub(super) fn new(state: Arc<State>, sources: &[Arc<Source>]) -> Registry {
        Registry {
            sources: RwLock::new(
                sources
                    .iter()
                    .map(|s| (s.id.clone(), Arc::clone(s)))
                    .collect(),
            ),
            health: health::Tracker::default(),
            reach: tokio::sync::Mutex::new(HashMap::new()),
            state,
        }
    }

    /// The current settings of an enabled source (`None` once removed).
    pub(super) fn get(&self, id: &str) -> Option<Arc<Source>> {
        self.read().get(id).cloned()
    }

    /// Every enabled source.
    pub(super) fn all(&self) -> Vec<Arc<Source>> {
        self.read().values().cloned().collect()
    }

    /// A reload's outcome: `removed` go, `updated` (added or changed) take
    /// their new settings, and the reach of both is worked out afresh (a
    /// changed URL may live on another host).
    pub(super) async fn apply(&self, removed: &[String], updated: &[&Arc<Source>]) {
        {
            let mut map = self.sources.write().unwrap_or_else(|p| p.into_inner());
            for id in removed {
                map.remove(id);
            }
            for s in updated {
                map.insert(s.id.clone(), Arc::clone(s));
            }
        }
        let mut reach = self.reach.lock().await;
        for id in removed.iter().chain(updated.iter().map(|s| &s.id)) {
            reach.remove(id);
        }
    }

    /// Assess a source's health after something about it was recorded, and
    /// log a change (see [`health::Tracker::observe`]).
    pub(super) fn check_health(&self, id: &str) {
        let Some(source) = self.get(id) else {
            return;
        };
        match self.state.source(id) {
            Ok(state) => {
                self.health.observe(&source, state.as_ref(), Utc::now());
            }
            Err(e) => warn!(source = %id, error = %e, "cannot read source health"),
        }
    }

    /// Which addresses links discovered by `source` may reach: public ones
    /// only, unless the source itself lives on a private address or the
    /// config allows them (see `http::Client::link_reach`).
    pub(super) async fn reach(&self, source: &str, client: &Client) -> Reach {
        let mut cache = self.reach.lock().await;
        if let Some(r) = cache.get(source) {
            return *r;
        }
        let reach = match self.get(source) {
            Some(s) => client.link_reach(&s.url).await,
            // A source removed from the config since its items were queued.
            None => Reach::PublicOnly,
        };
        cache.insert(source.to_string(), reach);
        reach
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Source>>> {
        self.sources.read().unwrap_or_else(|p| p.into_inner())
    }
}
