//! Matching: after each index commit, run every watch's query over the
//! documents committed since the watch last looked, and put what fired in
//! the outbox; make the digests that are due.
//!
//! A watch's query runs as `pressd search` runs it (the same parsing,
//! stemming and cross-script names), restricted to the new documents by
//! their ids, so a watch fires for exactly what a search would find among
//! them. The documents come from the state store's `committed` list, in
//! commit order, in stretches of [`SCAN_BATCH`]; each stretch's hits, their
//! messages and the watch's new mark are recorded in one transaction (see
//! `state::watches` for why that loses nothing on a kill).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::message::{body, delivery_key, hit_json};
use super::{Per, Watch, Watches};
use crate::index::{Hit, Index, IndexError, SearchRequest, Sort};
use crate::state::{NewDelivery, NewHit, State, StateError};

/// Committed documents a watch's query looks at per search.
pub const SCAN_BATCH: usize = 256;

/// Longest sleep of the matcher with nothing to do: it wakes on each
/// commit, and for digests at their time; this only bounds the wait should
/// a wake-up be missed.
const IDLE: Duration = Duration::from_secs(60);

/// Why a matching pass stopped; it is tried again at the next commit.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("watch {watch}: search failed")]
    Index {
        watch: String,
        // Boxed: an index error is large, and this one is rare.
        #[source]
        source: Box<IndexError>,
    },
}

/// What `hit` fires once for, for `watch`: the key that keeps it from
/// firing twice. This is the one place where `per = "story"` differs from
/// `per = "article"`: a per-story watch keys a hit by its story (see
/// [`crate::stories`]), so that later articles of the story do not fire
/// again; an article without a story (stories turned off) is a story of
/// its own.
pub fn fire_key(watch: &Watch, hit: &Hit) -> String {
    match (watch.per, hit.story) {
        (Per::Story, Some(story)) => format!("story:{story}"),
        _ => hit.id.clone(),
    }
}

/// One pass: take the configured watches into the store, scan each, make
/// the due digests, forget what every watch has scanned. Returns how many
/// messages were put in the outbox.
pub fn pass(
    index: &Index,
    state: &State,
    watches: &[Arc<Watch>],
    now: DateTime<Utc>,
) -> Result<usize, MatchError> {
    sync(state, watches, now)?;
    let marks: HashMap<String, i64> = state.watch_marks()?.into_iter().collect();
    let mut queued = 0;
    for watch in watches {
        let Some(&mark) = marks.get(&watch.id) else {
            continue;
        };
        queued += scan(index, state, watch, mark, now)?;
    }
    queued += digests(state, watches, now)?;
    state.prune_committed()?;
    Ok(queued)
}

/// Take the configured watches into the store: a new one starts after
/// what is committed now.
pub fn sync(state: &State, watches: &[Arc<Watch>], now: DateTime<Utc>) -> Result<(), StateError> {
    let configured: Vec<(&str, Option<Duration>)> =
        watches.iter().map(|w| (w.id.as_str(), w.digest)).collect();
    state.sync_watches(&configured, now)
}

/// Scan the documents committed after `mark` for `watch`.
fn scan(
    index: &Index,
    state: &State,
    watch: &Watch,
    mut mark: i64,
    now: DateTime<Utc>,
) -> Result<usize, MatchError> {
    let mut queued = 0;
    loop {
        let stretch = state.committed_after(mark, SCAN_BATCH)?;
        let Some(&(last, _)) = stretch.last() else {
            return Ok(queued);
        };
        // Commit order, each document once (a document committed twice in
        // a stretch fires at most once anyway).
        let mut order: HashMap<String, usize> = HashMap::new();
        for (i, (_, id)) in stretch.into_iter().enumerate() {
            order.entry(id).or_insert(i);
        }
        let mut hits = match search(index, watch, order.keys().cloned().collect()) {
            Ok(hits) => hits,
            Err(IndexError::Query(message)) => {
                // Only a query the index rejects though its syntax is
                // right (a field that does not exist): the same at every
                // try, so the stretch is passed over rather than held.
                warn!(watch = %watch.id, error = %message, "watch query rejected; documents skipped");
                state.record_matches(&watch.id, last, &[], true, &[], now)?;
                mark = last;
                continue;
            }
            Err(source) => {
                return Err(MatchError::Index {
                    watch: watch.id.clone(),
                    source: Box::new(source),
                })
            }
        };
        hits.sort_by_key(|h| order.get(&h.id).copied().unwrap_or(usize::MAX));
        crate::stories::attach(state, &mut hits)?;
        let keyed: Vec<(String, &Hit)> = hits.iter().map(|h| (fire_key(watch, h), h)).collect();
        let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
        let mut fired = state.fired(&watch.id, &keys)?;
        let mut new = Vec::new();
        for (key, hit) in keyed {
            if fired.insert(key.clone()) {
                new.push(NewHit {
                    key,
                    doc_id: hit.id.clone(),
                    hit: hit_json(hit),
                });
            }
        }
        let deliveries = match watch.digest {
            Some(_) => Vec::new(),
            None => new
                .iter()
                .flat_map(|h| messages(watch, &[h.hit.as_str()]))
                .collect(),
        };
        if !new.is_empty() {
            info!(watch = %watch.id, hits = new.len(), messages = deliveries.len(), "watch fired");
        }
        state.record_matches(
            &watch.id,
            last,
            &new,
            watch.digest.is_none(),
            &deliveries,
            now,
        )?;
        queued += deliveries.len();
        mark = last;
    }
}

/// The hits of `watch` among the documents `ids`.
fn search(index: &Index, watch: &Watch, ids: Vec<String>) -> Result<Vec<Hit>, IndexError> {
    let request = SearchRequest {
        query: watch.query.clone(),
        langs: watch.langs.clone(),
        sources: watch.sources.clone(),
        kinds: watch.kinds.clone(),
        sort: Sort::Relevance,
        limit: ids.len(),
        ids,
        ..SearchRequest::default()
    };
    Ok(index.search(&request)?.hits)
}

/// One message per channel of `watch` carrying `hits`.
fn messages(watch: &Watch, hits: &[&str]) -> Vec<NewDelivery> {
    watch
        .channels()
        .into_iter()
        .map(|channel| {
            let id = delivery_key();
            NewDelivery {
                body: body(watch, &id, hits),
                id,
                watch: watch.id.clone(),
                channel: channel.as_str(),
                hits: hits.len(),
            }
        })
        .collect()
}

/// Make the digests that are due: one message per channel with every hit
/// that waited, none when none did.
fn digests(state: &State, watches: &[Arc<Watch>], now: DateTime<Utc>) -> Result<usize, StateError> {
    let mut queued = 0;
    for id in state.due_digests(now)? {
        let Some(watch) = watches.iter().find(|w| w.id == id) else {
            continue;
        };
        let waiting = state.unbatched_hits(&id)?;
        let hits: Vec<&str> = waiting.iter().map(|(_, h)| h.as_str()).collect();
        let deliveries = if hits.is_empty() {
            Vec::new()
        } else {
            messages(watch, &hits)
        };
        let keys: Vec<String> = waiting.iter().map(|(k, _)| k.clone()).collect();
        // `None` for a watch that stopped batching: this was its last.
        let next = watch.digest.map(|period| {
            now + chrono::Duration::from_std(period).unwrap_or(chrono::Duration::MAX)
        });
        if !hits.is_empty() {
            info!(watch = %id, hits = hits.len(), "watch digest");
        }
        state.record_digest(&id, &keys, &deliveries, next, now)?;
        queued += deliveries.len();
    }
    Ok(queued)
}

/// Match after every commit (and make digests in time) until `cancel`.
pub async fn run(
    index: Arc<Index>,
    state: Arc<State>,
    watches: Arc<Watches>,
    cancel: CancellationToken,
) {
    loop {
        let all = watches.all();
        let (i, s) = (index.clone(), state.clone());
        // Searches and store writes are blocking file I/O.
        let outcome = tokio::task::spawn_blocking(move || pass(&i, &s, &all, Utc::now())).await;
        match outcome {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => {
                debug!(messages = n, "watch messages queued");
                watches.queued();
            }
            Ok(Err(e)) => {
                let cause = std::error::Error::source(&e).map(ToString::to_string);
                warn!(error = %e, cause = cause.as_deref().unwrap_or(""), "watch matching failed; trying again at the next commit");
            }
            Err(e) => warn!(error = %e, "watch matching ended abnormally"),
        }
        let s = state.clone();
        let next_digest = tokio::task::spawn_blocking(move || s.next_digest())
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        let wait = next_digest
            .map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(IDLE)
            .min(IDLE);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = watches.wait_committed() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::watch::{Retry, Webhook};

    fn watch(id: &str, query: &str) -> Watch {
        Watch {
            id: id.into(),
            query: query.into(),
            langs: Vec::new(),
            sources: Vec::new(),
            kinds: Vec::new(),
            per: Per::Article,
            digest: None,
            webhook: Some(Webhook {
                url: url::Url::parse("http://127.0.0.1:9/hook").expect("url"),
                secret: None,
                timeout: Duration::from_secs(1),
            }),
            command: None,
            feed: true,
            retry: Retry {
                first: Duration::from_secs(1),
                give_up: Duration::from_secs(60),
            },
            file: "pressd.toml".into(),
        }
    }

    #[test]
    fn a_watch_fires_once_for_what_is_committed_after_it() {
        use crate::index::tests::article;
        let tmp = tempfile::tempdir().expect("tempdir");
        let index = Index::open_or_create(&tmp.path().join("index")).expect("index");
        let state = State::open(&tmp.path().join("state")).expect("state");
        let mut writer = index.writer().expect("writer");
        let commit = |writer: &mut crate::index::Writer, articles: &[crate::article::Article]| {
            for a in articles {
                writer.upsert(a).expect("upsert");
            }
            writer.commit().expect("commit");
            let done: Vec<(String, String)> = articles
                .iter()
                .map(|a| (a.id.clone(), a.id.clone()))
                .collect();
            let news: Vec<&str> = done.iter().map(|(_, id)| id.as_str()).collect();
            state
                .mark_committed(&done, &news, Utc::now())
                .expect("mark");
        };
        let old = article(
            "https://e.org/old",
            "Bridge of Peace opens",
            "Hajiyev spoke.",
        );
        commit(&mut writer, &[old]);
        let watches = vec![Arc::new(watch("bridge", "bridge"))];
        assert_eq!(pass(&index, &state, &watches, Utc::now()).expect("pass"), 0);

        let new = article("https://e.org/new", "A bridge for the city", "Works begin.");
        let other = article("https://e.org/other", "Weather", "Rain tomorrow.");
        commit(&mut writer, &[new.clone(), other]);
        assert_eq!(pass(&index, &state, &watches, Utc::now()).expect("pass"), 1);
        // Committed again (an update): it does not fire twice.
        commit(&mut writer, &[new]);
        assert_eq!(pass(&index, &state, &watches, Utc::now()).expect("pass"), 0);
        let due = state
            .due_deliveries(Utc::now(), 10, &HashSet::new())
            .expect("due");
        assert_eq!(due.len(), 1);
        let body: serde_json::Value = serde_json::from_str(&due[0].body).expect("json");
        assert_eq!(body["watch"], "bridge");
        assert_eq!(body["delivery"], due[0].id.as_str());
        assert_eq!(body["hits"][0]["url"], "https://e.org/new");
        assert!(body["hits"][0]["story"].is_null());
    }
}
