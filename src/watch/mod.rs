//! Watches: saved searches that tell a desk, once and reliably, when new
//! coverage appears. A watch is a `pressd search` query (cross-script
//! names included) with optional filters, and one or more ways to be told:
//! a signed webhook, a command, an Atom feed.
//!
//! The parts: [`keys`] reads and checks a `[[watch]]` table (for
//! [`crate::config`], which reads the files); [`matcher`] runs each
//! watch's query over the documents the index writer committed since the
//! watch last looked, and puts what fired in the state store's outbox;
//! [`deliver`] sends the outbox's messages, with retries and back-off;
//! [`message`] makes a message's JSON, its idempotency key and its
//! signature; [`atom`] renders a watch's latest hits as an Atom feed.
//!
//! What the state store keeps, and why a kill at any moment neither loses
//! nor repeats what a receiver acknowledged, is told in `state::watches`.
//! This module depends on `index` (queries), `state` (the outbox) and
//! `http` (the client deliveries are posted with); never on `daemon`, which
//! runs its tasks, or on `config`.

pub mod atom;
pub mod deliver;
pub mod keys;
pub mod matcher;
pub mod message;

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use tokio::sync::Notify;
use url::Url;

pub use keys::Keys;

/// A configured watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    /// `[a-z0-9._-]+`, unique.
    pub id: String,
    /// As `pressd search` takes it.
    pub query: String,
    /// Filters (empty: all): ISO 639-1 codes, source ids, document kinds.
    pub langs: Vec<String>,
    pub sources: Vec<String>,
    pub kinds: Vec<String>,
    pub per: Per,
    /// Batch the hits into one message per period instead of one per hit.
    pub digest: Option<Duration>,
    pub webhook: Option<Webhook>,
    pub command: Option<CommandDelivery>,
    /// Serve `/watches/ID.atom`.
    pub feed: bool,
    /// When a failed delivery is tried again and given up.
    pub retry: Retry,
    /// The file the watch was read from.
    pub file: PathBuf,
}

/// What a watch fires once for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// Each new matching document.
    Article,
    /// Each new story (later articles of a story do not fire again; an
    /// article without a story stands alone): see [`matcher::fire_key`],
    /// the one place that tells them apart.
    Story,
}

impl Per {
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Article => "article",
            Per::Story => "story",
        }
    }
}

/// Where a webhook posts, and how it signs.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub url: Url,
    /// Without one, messages go unsigned.
    pub secret: Option<Secret>,
    /// For one attempt, connection included.
    pub timeout: Duration,
}

/// Where a webhook's signing secret is read from: never the configuration
/// text. Read at each delivery, so a rotated secret needs no reload.
#[derive(Debug, Clone, PartialEq)]
pub enum Secret {
    /// An environment variable of the daemon.
    Env(String),
    /// A file (its trailing newline is not part of the secret).
    File(PathBuf),
}

/// A program run with the message on its stdin, without a shell.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandDelivery {
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// Killed after this long (a failed attempt).
    pub timeout: Duration,
}

/// Retries of a failed delivery: the first after `first`, each later one
/// after twice the last (with jitter, at most [`deliver::MAX_RETRY_DELAY`]),
/// until `give_up` after the message was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub first: Duration,
    pub give_up: Duration,
}

/// How a message goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Webhook,
    Command,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Command => "command",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "webhook" => Some(Channel::Webhook),
            "command" => Some(Channel::Command),
            _ => None,
        }
    }
}

impl Watch {
    /// The channels messages of this watch go out on.
    pub fn channels(&self) -> Vec<Channel> {
        let mut channels = Vec::new();
        if self.webhook.is_some() {
            channels.push(Channel::Webhook);
        }
        if self.command.is_some() {
            channels.push(Channel::Command);
        }
        channels
    }
}

/// The watches of a running daemon, replaced whole on a reload, and the
/// wake-ups between the tasks that serve them: the index writer tells the
/// matcher it committed, the matcher tells the deliverer it queued.
#[derive(Debug, Default)]
pub struct Watches {
    current: RwLock<Arc<[Arc<Watch>]>>,
    committed: Notify,
    queued: Notify,
}

impl Watches {
    pub fn new(watches: &[Arc<Watch>]) -> Watches {
        Watches {
            current: RwLock::new(watches.into()),
            ..Watches::default()
        }
    }

    /// The watches now.
    pub fn all(&self) -> Arc<[Arc<Watch>]> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn get(&self, id: &str) -> Option<Arc<Watch>> {
        self.all().iter().find(|w| w.id == id).cloned()
    }

    /// Take a reloaded configuration's watches; the matcher looks at once.
    pub fn replace(&self, watches: &[Arc<Watch>]) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = watches.into();
        self.committed.notify_one();
    }

    /// The index writer committed documents (and listed them in the store).
    pub fn committed(&self) {
        self.committed.notify_one();
    }

    /// Messages were put in the outbox.
    pub fn queued(&self) {
        self.queued.notify_one();
    }

    /// Wait for [`Watches::committed`] (or a reload); a call made while
    /// nobody waited is not lost.
    pub async fn wait_committed(&self) {
        self.committed.notified().await;
    }

    /// Wait for [`Watches::queued`]; a call made while nobody waited is
    /// not lost.
    pub async fn wait_queued(&self) {
        self.queued.notified().await;
    }
}
