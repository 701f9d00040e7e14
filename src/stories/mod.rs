//! Stories: the coverage of one event grouped across outlets, languages
//! and scripts, and the copies among it, decided online as each article is
//! indexed (by the daemon and by `pressd import` alike: both go through
//! the one index writer, which calls [`Stories::assign_signed`] for each
//! article, with the signature the pipeline made by [`sign`], and
//! [`Stories::flush`] after each commit).
//!
//! - [`signature`] (pure): the MinHash and LSH bands that find copies, and
//!   the names and numbers that find stories.
//! - [`decision`] (pure): join, start or merge stories, given the stories
//!   that share the article's features.
//! - [`filter`] (pure): what the story tables may hold, so that most
//!   lookups that would find nothing are not made.
//! - [`report`]: the listing and one story as the read side shows them
//!   (`pressd stories`, `pressd story`, `/api/stories`, `/api/story/ID`).
//! - [`Stories`] (here): finds the candidates through the state store's
//!   story tables and through the articles assigned since the last flush
//!   (not stored yet, so a burst of copies in one batch still clusters),
//!   and keeps its decisions until the index commit they belong to.
//!
//! Persistence follows the index: a batch's story records are written
//! after its index commit and before its frontier entries are marked done.
//! A kill before the write re-indexes those articles on the next start and
//! decides them again; a kill after it finds them stored, and a document
//! indexed again (an update of the same URL) keeps its story and copy
//! link. Nothing is held in memory beyond the unflushed batch, the merges
//! (a few per thousand stories), the name folder's cache and the filter of
//! stored keys (saved in the store when the writer stops and taken back
//! when it opens again; built from the story tables when none was saved
//! since the last article stored, so a kill loses nothing of it).
//!
//! This module knows nothing of the index or the network beyond the
//! search hits it labels ([`attach`]) and the search a listing with a
//! query runs ([`report::list`]); it reads articles and writes through
//! [`State`].

pub mod decision;
pub mod filter;
pub mod prior;
pub mod report;
pub mod signature;

mod pending;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::article::Article;
use crate::coverage;
use crate::index::names::NameWords;
use crate::index::Hit;
use crate::state::{SavedFilter, State, StateError, StoredKey, StoryBatch, StoryRecord};
use decision::{Choice, Shared, Thresholds};
use filter::{Filter, Spans};
use prior::Prior;
use signature::{resemblance, FastMap, Kind, Signature, Signer};

/// How the story decisions are made.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Stories are looked for among articles dated within this much of
    /// the new one: an event's coverage spans days, and the same title a
    /// year later (a yearly event) is another story.
    pub window: Duration,
    /// Copies are looked for within this much (agencies' texts are
    /// republished for longer).
    pub copy_window: Duration,
    /// The MinHash resemblance (of word pairs) from which an article is a
    /// copy... (0.5: a light edit changes a word in a sentence, and each
    /// word changed takes two pairs with it; the names-and-numbers check
    /// below keeps templates apart. On `stories_bench` copies F1 0.973 at
    /// 0.45, 0.976 at 0.5, 0.973 at 0.55; on the dense worlds 0.966 and
    /// 0.969, 0.968 and 0.972, 0.969 and 0.969. Articles stored with
    /// MinHashes of word triples are compared by triples, at
    /// [`TRIPLES_RESEMBLANCE`].)
    pub copy_resemblance: f64,
    /// ...when it also has this share of the other's names and numbers
    /// (Jaccard): two reports of two events written from one template
    /// (agency formulas, an outlet's weekly bulletin) share their wording
    /// but not their names and figures, and a rewrite keeps them.
    pub copy_cross: f64,
    /// At most this many articles per feature are read (and candidate
    /// copies per article): a feature shared by more is shared by too many
    /// stories to weigh anything.
    pub postings_cap: usize,
    /// Articles kept pending at most: when this many are, they are stored
    /// at once, before the index commit that would have stored them (see
    /// [`Stories::flush`]). An import commits ten thousand articles at a
    /// time, and its pending batch, 3 to 4 KB an article, made the
    /// assigner's peak at a million articles 60.7 MB; 43.3 MB with 5,000
    /// (34.0 MB with 2,500, but each part stored rewrites pages of the
    /// story tables' b-trees, and more parts, more pages).
    pub pending_max: usize,
    pub thresholds: Thresholds,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            window: Duration::days(3),
            copy_window: Duration::days(30),
            copy_resemblance: 0.5,
            copy_cross: 0.6,
            postings_cap: 12,
            pending_max: 5_000,
            thresholds: Thresholds::default(),
        }
    }
}

/// Where an article went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// The article's number.
    pub n: u64,
    pub story: u64,
    /// The number of the earliest version, when it is a copy.
    pub duplicate_of: Option<u64>,
}

thread_local! {
    /// One signer per thread that prepares articles: its name folder's
    /// cache (bounded, see `crate::names::Folder`) is what makes a name
    /// cheap to key the second time.
    static SIGNER: std::cell::RefCell<Signer> = std::cell::RefCell::new(Signer::new());
}

/// The story signature of `article`, whose name words are `names` (pure;
/// see [`signature`]). Made where the article is prepared, on any thread,
/// in parallel: on the writer's thread it was a third of the cost of
/// stories there.
pub fn sign(article: &Article, names: &NameWords) -> Signature {
    SIGNER.with(|signer| {
        signer
            .borrow_mut()
            .sign_named(&article.title, &article.body, [names.title(), names.body()])
    })
}

/// The online story assigner of the index writer.
pub struct Stories {
    state: Arc<State>,
    settings: Settings,
    /// The next article number.
    next: u64,
    /// Merged stories: younger → older (always the final one).
    merged: FastMap<u64, u64>,
    pending: Vec<StoryRecord>,
    by_id: FastMap<String, usize>,
    /// Feature and band hashes of the pending articles, with the span
    /// (see [`filter::Spans`]) they were dated in: each one's date and
    /// place in `pending`, in the order assigned. The date is kept here so
    /// that a window is checked without reading the record; the span, so
    /// that a lookup reads only the two or three spans its window overlaps
    /// (keyed by hash alone, a name common in an import of a year read
    /// hundreds of postings dated months away for each article).
    postings: pending::Postings,
    merges: Vec<(u64, u64)>,
    repoints: Vec<(u64, u64)>,
    /// The ids, features and bands stored: a lookup it rules out is not
    /// made.
    filter: Filter,
    /// The sizes of the stories (stored and pending).
    prior: Prior,
    /// The latest date of a stored article (or later): the store has no
    /// postings after it, so a lookup for an article dated later (news
    /// arriving as it is published) reads only the earlier side.
    stored_until: Option<DateTime<Utc>>,
    /// The articles stored with MinHashes of word triples (before
    /// migration 16), if any.
    triples: Option<crate::state::Triples>,
    /// Why a batch stored early (see [`Settings::pending_max`]) was not
    /// stored: the next [`Stories::flush`] fails with it, so that the
    /// writer indexes the whole batch again.
    early_failure: Option<StateError>,
}

/// The resemblance from which an article is a copy of one stored with a
/// MinHash of word triples (before migration 16): each word changed takes
/// three triples with it, and rewrites lie lower than in pairs (0.5 missed
/// about half of them).
const TRIPLES_RESEMBLANCE: f64 = 0.45;

/// How many times [`Settings::postings_cap`] articles of the pending batch
/// are read per feature.
const PENDING_CAPS: usize = 4;

/// Keys an article adds to the filter, about: its id, its bands and the
/// names and numbers not yet kept for its time span. Sizes the filter
/// built when a store opens; a wrong guess costs a second reading.
const FILTER_KEYS_PER_ARTICLE: usize = 14;

impl Stories {
    pub fn open(state: Arc<State>, settings: Settings) -> Result<Self, StateError> {
        let next = state.story_last_number()? + 1;
        let mut merged = FastMap::default();
        for (younger, older) in state.story_merges()? {
            merged.insert(younger, older);
        }
        let spans = Spans {
            features: settings.window,
            bands: settings.copy_window,
        };
        reband(&state)?;
        let filter = match saved_filter(&state, spans, next - 1)? {
            Some(filter) => filter,
            None => build_filter(&state, spans, next as usize * FILTER_KEYS_PER_ARTICLE)?,
        };
        let prior = read_prior(&state)?;
        let stored_until = state.story_latest_date()?;
        let triples = state.story_triples()?;
        Ok(Stories {
            state,
            settings,
            next,
            merged,
            pending: Vec::new(),
            by_id: FastMap::default(),
            postings: pending::Postings::default(),
            merges: Vec::new(),
            repoints: Vec::new(),
            filter,
            prior,
            stored_until,
            triples,
            early_failure: None,
        })
    }

    /// Keep the filter in the store for the next writer to open with
    /// (call when the writer stops, after its last flush): built instead,
    /// it reads every feature row of the store. It holds every key stored
    /// (and maybe keys of a batch whose write failed: only lookups made in
    /// vain), so it is right for the store as long as nothing is stored
    /// after it; the next [`Stories::open`] takes it only then.
    pub fn save_filter(&self) -> Result<(), StateError> {
        let (capacity, keys) = self.filter.sizes();
        let spans = self.filter.spans();
        let saved = SavedFilter {
            last_n: self.state.story_last_number()?,
            feature_span_ms: spans.features.num_milliseconds(),
            band_span_ms: spans.bands.num_milliseconds(),
            capacity: capacity as u64,
            keys: keys as u64,
        };
        let len = self.filter.blocks_len();
        self.state
            .save_story_filter(&saved, len, |out| self.filter.write_blocks(out))?;
        tracing::debug!(bytes = len, "story filter saved");
        Ok(())
    }

    /// Articles assigned and not stored yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Bytes of the filter and of the stories' sizes: what the assigner
    /// keeps between batches, beyond the merges and the name folder's
    /// cache.
    pub fn kept_bytes(&self) -> (usize, usize) {
        (self.filter.bytes(), self.prior.bytes())
    }

    fn resolve(&self, mut story: u64) -> u64 {
        // Chains are followed in `merge`, but a store written by a run that
        // was killed mid-batch may still hold one.
        for _ in 0..16 {
            match self.merged.get(&story) {
                Some(older) if *older != story => story = *older,
                _ => break,
            }
        }
        story
    }

    /// Decide the story of `article` (and whether it is a copy); kept
    /// until [`Stories::flush`]. An article that has a story keeps it.
    pub fn assign(&mut self, article: &Article) -> Result<Assignment, StateError> {
        self.assign_named(article, &NameWords::of(article))
    }

    /// [`Stories::assign`] with the article's name words found already.
    pub fn assign_named(
        &mut self,
        article: &Article,
        names: &NameWords,
    ) -> Result<Assignment, StateError> {
        self.assign_signed(article, sign(article, names))
    }

    /// [`Stories::assign`] with the article's signature made already
    /// ([`sign`], where the article was prepared): the writer's thread
    /// only looks up and decides.
    pub fn assign_signed(
        &mut self,
        article: &Article,
        signature: Signature,
    ) -> Result<Assignment, StateError> {
        if let Some(&i) = self.by_id.get(&article.id) {
            let r = &self.pending[i];
            return Ok(Assignment {
                n: r.n,
                story: self.resolve(r.story),
                duplicate_of: r.duplicate_of,
            });
        }
        let stored = match self.filter.may_hold_id(&article.id) {
            true => self.state.story_version(&article.id)?,
            false => None,
        };
        if let Some(v) = stored {
            return Ok(Assignment {
                n: v.n,
                story: self.resolve(v.story),
                duplicate_of: v.duplicate_of,
            });
        }
        let at = article.published.unwrap_or(article.fetched);
        let seen = Utc::now();
        let n = self.next;
        self.next += 1;
        let found = self.copy_of(n, article, at, seen, &signature)?;
        let (story, duplicate_of) = match found {
            Some(found) => found,
            None => (self.choose_story(n, &article.lang, at, &signature)?, None),
        };
        if story != n {
            self.prior.join(story, at);
        }
        let cross = signature.cross();
        let Signature {
            minhash,
            bands,
            features,
        } = signature;
        let index = self.pending.len();
        self.postings.article(story, &article.lang);
        let spans = self.filter.spans();
        for f in features.iter().chain(&bands) {
            self.postings
                .add(*f, spans.span(Kind::of(*f), at), at, index);
        }
        self.by_id.insert(article.id.clone(), index);
        self.pending.push(StoryRecord {
            n,
            id: article.id.clone(),
            story,
            duplicate_of,
            source: article.source.clone(),
            lang: article.lang.clone(),
            title: article.title.clone(),
            url: if article.url.is_empty() {
                article.id.clone()
            } else {
                article.url.clone()
            },
            at,
            seen,
            minhash,
            features,
            bands,
            cross,
        });
        if self.pending.len() >= self.settings.pending_max {
            if let Err(e) = self.store_pending() {
                self.early_failure.get_or_insert(e);
            }
        }
        Ok(Assignment {
            n,
            story,
            duplicate_of,
        })
    }

    /// The articles (stored and pending) dated within `window` of `at`
    /// that have each of `hashes`: their story, and whether they are in
    /// `lang`.
    fn postings(
        &self,
        hashes: &[u64],
        lang: &str,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<Vec<Shared>>, StateError> {
        let (from, to) = (at - window, at + window);
        let stored_to = self.stored_until.map_or(from, |until| until.min(to));
        // Only what the store may hold is asked for, and only where it may
        // hold it; the rest has none.
        let ranges: Vec<Option<[DateTime<Utc>; 2]>> = hashes
            .iter()
            .map(|h| {
                let (start, end) = self.filter.may_hold_within(*h, from, stored_to)?;
                Some([start, end])
            })
            .collect();
        let lookups: Vec<(u64, [DateTime<Utc>; 2])> = hashes
            .iter()
            .zip(&ranges)
            .filter_map(|(h, range)| Some((*h, (*range)?)))
            .collect();
        let mut found = self
            .state
            .story_postings(&lookups, at, self.settings.postings_cap, lang)?
            .into_iter();
        let stored = ranges.iter().map(|range| match range {
            Some(_) => found.next().unwrap_or_default(),
            None => Vec::new(),
        });
        let pending_lang = self.postings.lang(lang);
        Ok(hashes
            .iter()
            .zip(stored)
            .map(|(h, stored)| {
                let mut all: Vec<Shared> = stored
                    .into_iter()
                    .map(|p| Shared {
                        story: self.resolve(p.story),
                        same_lang: p.same_lang,
                    })
                    .collect();
                // From the pending batch, the latest assigned first (the
                // likeliest to be of the article's event in a flow of
                // news), at most PENDING_CAPS times what the store gives:
                // a famous name is in hundreds of the thousands of
                // articles an import commits at once, and reading them all
                // for each article that has it was most of the writer's
                // story time at 6,000 articles, to weigh a name whose
                // support is split among so many stories that it weighs
                // nothing.
                let in_window = self
                    .pending_with(*h, from, to)
                    .take(PENDING_CAPS * self.settings.postings_cap)
                    .map(|i| self.postings.get(i));
                for p in in_window {
                    all.push(Shared {
                        story: self.resolve(p.story),
                        same_lang: p.in_lang(pending_lang),
                    });
                }
                all
            })
            .collect())
    }

    /// The places in `pending` of the pending articles dated within
    /// `[from, to]` that have the feature or band `hash`, the latest
    /// assigned first: the postings of the spans the window overlaps,
    /// merged.
    fn pending_with(
        &self,
        hash: u64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = usize> + '_ {
        let spans = self.filter.spans().overlapped(Kind::of(hash), from, to);
        self.postings
            .with(hash, spans)
            .filter(move |(at, _)| *at >= from && *at <= to)
            .map(|(_, i)| i)
    }

    /// The stored articles dated within `[from, to]` that have any of
    /// `bands`, those that have the most first (at most the cap).
    fn band_articles(
        &self,
        bands: &[u64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<u64>, StateError> {
        // A band the store holds for no article in the window finds
        // nothing there: most of a new article's bands.
        let bands: Vec<u64> = bands
            .iter()
            .copied()
            .filter(|b| self.filter.may_hold(*b, from, to))
            .collect();
        self.state
            .story_band_articles(&bands, from, to, self.settings.postings_cap)
    }

    /// The story and the earliest version when the article copies one.
    fn copy_of(
        &mut self,
        n: u64,
        article: &Article,
        at: DateTime<Utc>,
        seen: DateTime<Utc>,
        signature: &Signature,
    ) -> Result<Option<(u64, Option<u64>)>, StateError> {
        if signature.bands.is_empty() {
            return Ok(None);
        }
        let lang = article.lang.as_str();
        let window = self.settings.copy_window;
        let (from, to) = (at - window, at + window);
        // In any language: the version read for each tells (a band shared
        // across languages is rare, texts in two languages hardly share
        // two words in a row).
        let mut candidates = self.band_articles(&signature.bands, from, to)?;
        // The articles stored with MinHashes of word triples are found by
        // the new one's triples, made only when the window meets their
        // dates (for a month after an upgrade, or in an archive imported
        // over them); kept with the number of the last article stored so.
        let triples = self
            .triples
            .filter(|t| t.from <= to && t.to >= from)
            .map(|t| (t.last_n, signature::legacy_minhash(&article.body)));
        if let Some((_, (_, bands))) = &triples {
            candidates.extend(self.band_articles(bands, from, to)?);
        }
        // At most PENDING_CAPS times the store's cap a band, the latest
        // first: a flood of one template in a batch (an outlet's bulletin
        // thousands of times) made each article read all before it.
        let cap = PENDING_CAPS * self.settings.postings_cap;
        for band in &signature.bands {
            for i in self.pending_with(*band, from, to).take(cap) {
                let r = &self.pending[i];
                if r.lang == lang {
                    candidates.push(r.n);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let cross = signature.cross();
        let mut best: Option<(f64, Version)> = None;
        for v in self.versions(&candidates)? {
            if v.lang != lang || jaccard(&cross, &v.cross) < self.settings.copy_cross {
                continue;
            }
            let (minhash, needed) = match &triples {
                Some((last_n, (minhash, _))) if v.n <= *last_n => (minhash, TRIPLES_RESEMBLANCE),
                _ => (&signature.minhash, self.settings.copy_resemblance),
            };
            let r = resemblance(minhash, &v.minhash);
            if r >= needed && best.as_ref().is_none_or(|(b, _)| r > *b) {
                best = Some((r, v));
            }
        }
        let Some((_, copied)) = best else {
            return Ok(None);
        };
        let story = self.resolve(copied.story);
        let root_n = copied.duplicate_of.unwrap_or(copied.n);
        let root = match self.versions(&[root_n])?.pop() {
            Some(root) => root,
            None => copied,
        };
        if (at, seen) < (root.at, root.seen) {
            // An earlier version arrived later (an archive imported out of
            // order): the copies of the old root now copy this one.
            self.repoints.push((root.n, n));
            for r in &mut self.pending {
                if r.n == root.n || r.duplicate_of == Some(root.n) {
                    r.duplicate_of = Some(n);
                }
            }
            return Ok(Some((story, None)));
        }
        Ok(Some((story, Some(root.n))))
    }

    /// The pending article numbered `n`: they are numbered in the order
    /// they are pending, one after the other.
    fn pending_numbered(&self, n: u64) -> Option<&StoryRecord> {
        let first = self.pending.first()?.n;
        let i = usize::try_from(n.checked_sub(first)?).ok()?;
        self.pending.get(i).filter(|r| r.n == n)
    }

    /// Stored or pending versions numbered `ns`.
    fn versions(&self, ns: &[u64]) -> Result<Vec<Version>, StateError> {
        let mut out = Vec::with_capacity(ns.len());
        let mut stored = Vec::new();
        for n in ns {
            match self.pending_numbered(*n) {
                Some(r) => {
                    out.push(Version {
                        n: r.n,
                        story: r.story,
                        duplicate_of: r.duplicate_of,
                        lang: r.lang.clone(),
                        at: r.at,
                        seen: r.seen,
                        minhash: r.minhash.clone(),
                        cross: r.cross.clone(),
                    });
                }
                None => stored.push(*n),
            }
        }
        if !stored.is_empty() {
            out.extend(
                self.state
                    .story_versions(&stored)?
                    .into_iter()
                    .map(|v| Version {
                        n: v.n,
                        story: v.story,
                        duplicate_of: v.duplicate_of,
                        lang: v.lang,
                        at: v.at,
                        seen: v.seen,
                        minhash: v.minhash,
                        cross: v.cross,
                    }),
            );
        }
        Ok(out)
    }

    /// The story of a new article that copies nothing: the best-supported
    /// candidate's (merging others into it), or a new one numbered `n`.
    fn choose_story(
        &mut self,
        n: u64,
        lang: &str,
        at: DateTime<Utc>,
        signature: &Signature,
    ) -> Result<u64, StateError> {
        let window = self.settings.window;
        let shared = self.postings(&signature.features, lang, at, window)?;
        let (from, to) = (at - window, at + window);
        let size = |story| self.prior.size(story, from, to);
        match decision::choose(
            &signature.features,
            &shared,
            size,
            &self.settings.thresholds,
        ) {
            Choice::New => Ok(n),
            Choice::Join { story, merge } => {
                for younger in merge {
                    self.merge(younger, story);
                }
                Ok(story)
            }
        }
    }

    fn merge(&mut self, younger: u64, older: u64) {
        if younger == older {
            return;
        }
        for target in self.merged.values_mut() {
            if *target == younger {
                *target = older;
            }
        }
        self.merged.insert(younger, older);
        self.prior.merge(younger, older);
        for r in &mut self.pending {
            if r.story == younger {
                r.story = older;
            }
        }
        self.merges.push((younger, older));
    }

    /// Store what was assigned since the last flush (call after the index
    /// commit of those articles, before marking their work done). On
    /// failure nothing is kept: the articles are indexed again later and
    /// decided again.
    ///
    /// A large batch is stored in parts as it is assigned (see
    /// [`Settings::pending_max`]), before its index commit. That order is
    /// safe too: a kill or a failed commit indexes those articles again,
    /// and an article stored keeps its story. If a part could not be
    /// stored, this fails even when the rest was, so that the whole batch
    /// is indexed (and the lost part decided) again.
    pub fn flush(&mut self) -> Result<(), StateError> {
        let stored = self.store_pending();
        match self.early_failure.take() {
            Some(e) => Err(e),
            None => stored,
        }
    }

    /// Store the pending articles (see [`Stories::flush`]).
    fn store_pending(&mut self) -> Result<(), StateError> {
        let mut batch = StoryBatch {
            records: std::mem::take(&mut self.pending),
            merges: std::mem::take(&mut self.merges),
            repoints: std::mem::take(&mut self.repoints),
        };
        for r in &mut batch.records {
            r.story = self.resolve(r.story);
        }
        // Let go, not kept for the next batch: an import's batch of
        // 10,000 left some 20 MB of map and vector behind, and they were
        // a third of the assigner's peak at a million articles (the
        // batch written beside them); growing them again is a few
        // milliseconds a batch.
        self.by_id = FastMap::default();
        self.postings = pending::Postings::default();
        // Added whether or not the write succeeds: a key of a row not
        // written is only a lookup made in vain (and a later date than
        // stored, a side read in vain).
        self.stored_until = self
            .stored_until
            .into_iter()
            .chain(batch.records.iter().map(|r| r.at))
            .max();
        for r in &batch.records {
            self.filter.insert_id(&r.id);
            for f in r.features.iter().chain(&r.bands) {
                self.filter.insert(*f, r.at);
            }
        }
        let result = self.state.record_stories(&batch);
        if result.is_err() {
            // Numbers handed out to the lost batch are handed out again.
            self.next = self.state.story_last_number().unwrap_or(self.next - 1) + 1;
            self.merged = self
                .state
                .story_merges()
                .map(|m| m.into_iter().collect())
                .unwrap_or_else(|_| std::mem::take(&mut self.merged));
            // The lost batch's joins are counted in it.
            if let Ok(prior) = read_prior(&self.state) {
                self.prior = prior;
            }
        }
        result?;
        drop(batch);
        if self.filter.is_full() {
            // The full one is let go before the new one is built (both at
            // once were the peak of the assigner's memory, with the
            // batch). If the store cannot be read now, the empty stand-in
            // would rule out what is stored: a filter that rules out
            // nothing takes its place until the next flush builds it.
            let (spans, keys) = (self.filter.spans(), self.filter.keys());
            self.filter = Filter::everything(spans, keys);
            self.filter = build_filter(&self.state, spans, keys)?;
        }
        Ok(())
    }
}

/// The sizes of the stories `state` holds (see [`prior`]).
fn read_prior(state: &State) -> Result<Prior, StateError> {
    let started = std::time::Instant::now();
    let mut prior = Prior::default();
    state.story_sizes(|story, count, first, last| prior.stored(story, count, first, last))?;
    tracing::debug!(
        bytes = prior.bytes(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "story sizes read"
    );
    Ok(prior)
}

/// Articles whose bands are made again at a time when a store stored
/// before migration 14 is opened (a slice of ~1 MB of MinHashes).
const REBAND_ARTICLES: usize = 4_096;

/// Make the bands of the articles stored before migration 14 from their
/// MinHashes, when there are any left to make (once per store; a kill
/// resumes where the last slice ended).
fn reband(state: &State) -> Result<(), StateError> {
    let started = std::time::Instant::now();
    let mut slices = 0;
    while state.story_reband(REBAND_ARTICLES, signature::legacy_bands)? {
        slices += 1;
    }
    if slices > 0 {
        tracing::info!(
            slices,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "story bands of the articles stored before this version made again"
        );
    }
    Ok(())
}

/// The filter the last writer saved, taken from the store; `None` (to be
/// built) when there is none, or when it was made for other spans, or the
/// store has articles past `last_n` (stored after it was saved: a writer
/// killed before it could save its own).
fn saved_filter(state: &State, spans: Spans, last_n: u64) -> Result<Option<Filter>, StateError> {
    let taken = state.take_story_filter(|saved, len, blocks| {
        let same_spans = saved.feature_span_ms == spans.features.num_milliseconds()
            && saved.band_span_ms == spans.bands.num_milliseconds();
        if saved.last_n != last_n || !same_spans {
            tracing::debug!(
                saved_last = saved.last_n,
                stored_last = last_n,
                "saved story filter is stale; building it"
            );
            return Ok(None);
        }
        let sizes = (saved.capacity as usize, saved.keys as usize);
        // One that cannot be read is built instead: it is only a cache.
        let filter = Filter::read_blocks(spans, sizes, len, blocks).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "saved story filter unreadable; building it");
            None
        });
        if filter.is_none() {
            tracing::debug!("saved story filter of another size; building it");
        }
        Ok(filter)
    })?;
    Ok(taken.flatten())
}

/// The filter of what `state` holds, sized for `keys` keys (and as many
/// again to come); read a second time, larger, when they were more.
fn build_filter(state: &State, spans: Spans, keys: usize) -> Result<Filter, StateError> {
    let started = std::time::Instant::now();
    let mut keys = keys;
    loop {
        let mut filter = Filter::for_keys(spans, keys);
        state.story_keys(|key| match key {
            StoredKey::Id(id) => filter.insert_id(id),
            StoredKey::Feature(f, at) => filter.insert(f, at),
        })?;
        if !filter.is_full() {
            tracing::debug!(
                keys = filter.keys(),
                bytes = filter.bytes(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "story filter built"
            );
            return Ok(filter);
        }
        keys = filter.keys();
    }
}

/// A candidate copy, stored or pending.
#[derive(Debug, Clone)]
struct Version {
    n: u64,
    story: u64,
    duplicate_of: Option<u64>,
    lang: String,
    at: DateTime<Utc>,
    seen: DateTime<Utc>,
    minhash: Vec<u32>,
    cross: Vec<u64>,
}

/// Jaccard similarity of two sorted sets; 1 when both are empty.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

/// [`attach`] from the state store in `state_dir`, opened read-only. A
/// store that cannot be read (not created yet, or older than this pressd)
/// leaves the hits without stories: the search itself still answers.
pub fn attach_stored(state_dir: &std::path::Path, hits: &mut [Hit]) {
    let Ok(state) = State::open_read_only(state_dir) else {
        return;
    };
    if let Err(e) = attach(&state, hits) {
        tracing::warn!(error = %e, "cannot read the stories of the hits");
    }
}

/// `pressd coverage` and the web's coverage: [`coverage::count`], or, split
/// by story, [`coverage::count_by_story`] with the stories of the state
/// store in `state_dir` (opened read-only).
pub fn coverage(
    index: &crate::index::Index,
    request: &coverage::CoverageRequest,
    state_dir: &std::path::Path,
) -> Result<coverage::Coverage, coverage::CoverageError> {
    if request.split != coverage::Split::Story {
        return coverage::count(index, request);
    }
    let unavailable = |e: StateError| {
        tracing::warn!(error = %e, "cannot read the stories for a coverage split");
        coverage::CoverageError::StoriesUnavailable
    };
    let state = State::open_read_only(state_dir).map_err(unavailable)?;
    coverage::count_by_story(index, request, |ids| {
        let found = state.stories_of(ids).map_err(unavailable)?;
        Ok(found
            .into_iter()
            .map(|(id, (story, _))| (id, story))
            .collect())
    })
}

/// Fills in each hit's story and, for a copy, the URL of the version it
/// copies, from the state store (the index does not hold them: story ids
/// change on merges). Every reader of hits calls this: `pressd search`,
/// the watches' messages, the web page.
pub fn attach(state: &State, hits: &mut [Hit]) -> Result<(), StateError> {
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let found = state.stories_of(&ids)?;
    for h in hits.iter_mut() {
        if let Some((story, copies)) = found.get(&h.id) {
            h.story = Some(*story);
            h.duplicate_of.clone_from(copies);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const BODY: &str = "Firefighters in Gyumri put out a fire at the Shirak textile warehouse \
        after six hours on Tuesday. Rescue chief Armen Melkonyan said 14 workers were taken to \
        hospital and 2,300 square metres burned down, and investigators from Yerevan are \
        looking into the wiring of the building.";

    fn article(id: &str, lang: &str, title: &str, body: &str, hour: u32) -> Article {
        let at = Utc
            .with_ymd_and_hms(2025, 4, 1, hour, 0, 0)
            .single()
            .expect("date");
        Article {
            source: "s".into(),
            lang: lang.into(),
            published: Some(at),
            fetched: at,
            ..crate::index::tests::article(id, title, body)
        }
    }

    fn open(dir: &std::path::Path) -> Stories {
        let state = Arc::new(State::open(dir).expect("state"));
        Stories::open(state, Settings::default()).expect("stories")
    }

    #[test]
    fn a_signature_made_on_another_thread_decides_as_the_writers_own() {
        let a = article("https://a/1", "en", "Fire in Gyumri", BODY, 10);
        let names = NameWords::of(&a);
        let here = Signer::new().sign_named(&a.title, &a.body, [names.title(), names.body()]);
        let (a2, names2) = (a.clone(), names.clone());
        let there = std::thread::spawn(move || sign(&a2, &names2))
            .join()
            .expect("thread");
        assert_eq!(here, there);
        // Twice on one thread (its folder's cache warm): the same.
        assert_eq!(sign(&a, &names), sign(&a, &names));

        let (one, two) = (
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        );
        let copy = article("https://b/1", "en", "Gyumri warehouse fire", BODY, 11);
        let (mut by_writer, mut signed) = (open(one.path()), open(two.path()));
        for x in [&a, &copy] {
            let expected = by_writer.assign(x).expect("assign");
            let got = signed
                .assign_signed(x, sign(x, &NameWords::of(x)))
                .expect("assign");
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn a_copy_of_an_article_stored_with_a_minhash_of_triples_is_found_by_triples() {
        let original = article("https://a/1", "en", "Fire in Gyumri", BODY, 10);
        let rewrite = BODY.replace("after six hours", "after six long hours");
        let copy = article("https://b/1", "en", "Gyumri warehouse fire", &rewrite, 12);
        // The original as a store written before migration 16 has it: its
        // MinHash and bands of word triples.
        let mut signed = sign(&original, &NameWords::of(&original));
        (signed.minhash, signed.bands) = signature::legacy_minhash(&original.body);
        let copied = |mark: bool| {
            let tmp = tempfile::tempdir().expect("tempdir");
            let state = Arc::new(State::open(tmp.path()).expect("state"));
            let mut stories = Stories::open(state.clone(), Settings::default()).expect("stories");
            let first = stories
                .assign_signed(&original, signed.clone())
                .expect("assign");
            stories.flush().expect("flush");
            if mark {
                state.story_mark_triples().expect("mark");
            }
            let mut stories = Stories::open(state, Settings::default()).expect("stories");
            let got = stories.assign(&copy).expect("assign");
            (first.n, got.duplicate_of)
        };
        let (first, found) = copied(true);
        assert_eq!(found, Some(first));
        // Compared by its pairs, the copy resembles nothing.
        assert_eq!(copied(false).1, None);
    }

    #[test]
    fn a_large_batch_is_stored_in_parts_and_a_lost_part_fails_the_flush() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = Arc::new(State::open(tmp.path()).expect("state"));
        let settings = Settings {
            pending_max: 3,
            ..Settings::default()
        };
        let mut stories = Stories::open(state.clone(), settings).expect("stories");
        let nth = |i: usize| {
            article(
                &format!("https://{i}/1"),
                "en",
                "Fire in Gyumri",
                BODY,
                10 + i as u32,
            )
        };
        let first: Vec<Assignment> = (0..4)
            .map(|i| stories.assign(&nth(i)).expect("assign"))
            .collect();
        // The first three were stored as the third was assigned, before
        // any flush; the fourth waits.
        assert_eq!(state.story_last_number().expect("last"), first[2].n);
        assert_eq!(stories.pending(), 1);
        assert!(first.iter().all(|a| a.story == first[0].story));
        stories.flush().expect("flush");
        assert_eq!(state.story_last_number().expect("last"), first[3].n);

        // A part that cannot be stored fails the flush of its batch, even
        // when the rest of the batch is stored.
        let raw =
            rusqlite::Connection::open(tmp.path().join(crate::state::FILE_NAME)).expect("raw open");
        raw.execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON story_bands \
             BEGIN SELECT RAISE(ABORT, 'disk full'); END",
        )
        .expect("trigger");
        for i in 4..7 {
            stories.assign(&nth(i)).expect("assign");
        }
        raw.execute_batch("DROP TRIGGER refuse")
            .expect("drop trigger");
        stories.assign(&nth(7)).expect("assign");
        assert!(stories.flush().is_err());
        assert!(state
            .story_version("https://5/1")
            .expect("version")
            .is_none());
        // Indexed again, the lost part is decided again, and joins.
        for i in 4..7 {
            let again = stories.assign(&nth(i)).expect("assign");
            assert_eq!(again.story, first[0].story);
        }
        stories.flush().expect("flush");
        assert!(state
            .story_version("https://5/1")
            .expect("version")
            .is_some());
    }

    #[test]
    fn story_sizes_are_kept_up_and_read_back_when_the_store_opens_again() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut stories = open(tmp.path());
        let mut story = 0;
        for (i, hour) in [10, 11, 12, 13].into_iter().enumerate() {
            let a = article(
                &format!("https://{i}/1"),
                "en",
                "Fire in Gyumri",
                BODY,
                hour,
            );
            story = stories.assign(&a).expect("assign").story;
        }
        let at = Utc
            .with_ymd_and_hms(2025, 4, 1, 12, 0, 0)
            .single()
            .expect("date");
        let window = Settings::default().window;
        let (from, to) = (at - window, at + window);
        assert_eq!(stories.prior.size(story, from, to), 4.0);
        stories.flush().expect("flush");
        drop(stories);
        let stories = open(tmp.path());
        assert_eq!(stories.prior.size(story, from, to), 4.0);
    }

    #[test]
    fn copies_in_one_batch_cluster_before_anything_is_stored() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut stories = open(tmp.path());
        let original = stories
            .assign(&article("https://a/1", "en", "Fire in Gyumri", BODY, 10))
            .expect("assign");
        let copy = stories
            .assign(&article(
                "https://b/1",
                "en",
                "Gyumri warehouse fire",
                BODY,
                11,
            ))
            .expect("assign");
        assert_eq!(copy.story, original.story);
        assert_eq!(copy.duplicate_of, Some(original.n));
        // Indexed again before the flush, or after it: the same answer.
        let again = stories
            .assign(&article(
                "https://b/1",
                "en",
                "Gyumri warehouse fire",
                BODY,
                11,
            ))
            .expect("assign");
        assert_eq!(again, copy);
        stories.flush().expect("flush");
        let mut reopened = open(tmp.path());
        let after = reopened
            .assign(&article(
                "https://b/1",
                "en",
                "changed title",
                "changed body",
                12,
            ))
            .expect("assign");
        assert_eq!(after, copy);
    }

    #[test]
    fn an_earlier_version_that_arrives_later_becomes_the_one_copied() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut stories = open(tmp.path());
        let late = stories
            .assign(&article("https://late/1", "en", "Fire", BODY, 12))
            .expect("assign");
        stories.flush().expect("flush");
        let early = stories
            .assign(&article("https://early/1", "en", "Fire", BODY, 9))
            .expect("assign");
        assert_eq!(early.story, late.story);
        assert_eq!(early.duplicate_of, None);
        stories.flush().expect("flush");
        let state = State::open(tmp.path()).expect("state");
        let of = state.stories_of(&["https://late/1"]).expect("of");
        assert_eq!(of["https://late/1"].1.as_deref(), Some("https://early/1"));
    }

    #[test]
    fn the_filter_changes_no_decision_and_survives_a_reopening() {
        // Stories and copies among articles of three events and unrelated
        // ones, over days, flushed in batches of three, some indexed
        // twice; assigned with the filter and with every lookup made.
        let events = [
            BODY,
            "The foreign ministers of Armenia and Azerbaijan met in Almaty on Monday \
             and agreed that the border commissions of both countries will meet again \
             in March to discuss 12 villages along the frontier, Jeyhun Bayramov said.",
            "Georgia's parliament passed the budget for 2026 with 84 votes in favour \
             after a debate of three days in Tbilisi; Finance Minister Lasha Khutsishvili \
             said spending on schools would rise by 7 percent next year.",
        ];
        let mut articles = Vec::new();
        for i in 0..30u32 {
            let body = match i % 5 {
                3 => format!("{} Officials from Batumi added {i} details.", events[1]),
                4 => format!(
                    "Unrelated report number {i} from Kutaisi about a football match \
                     where Dinamo beat Torpedo {i} to {} before 5,000 fans on Sunday.",
                    i + 1
                ),
                k => events[k as usize % 3].to_string(),
            };
            let hour = (i * 7) % 24;
            let mut a = article(
                &format!("https://s{}/{i}", i % 4),
                "en",
                "News",
                &body,
                hour,
            );
            a.published = a.published.map(|t| t + Duration::days(i as i64 / 6));
            articles.push(a);
        }
        let run = |dir: &std::path::Path, filtered: bool| -> Vec<Assignment> {
            let mut out = Vec::new();
            for (batch, chunk) in articles.chunks(3).enumerate() {
                // Opened again now and then: the filter is rebuilt from
                // the store.
                let mut stories = open(dir);
                if !filtered {
                    stories.filter = Filter::everything(stories.filter.spans(), 0);
                }
                for a in chunk.iter().chain(articles.get(batch)) {
                    out.push(stories.assign(a).expect("assign"));
                }
                stories.flush().expect("flush");
            }
            out
        };
        let (one, two) = (
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        );
        let with = run(one.path(), true);
        assert_eq!(with, run(two.path(), false));
        // Copies were found and stories joined: the test tested something.
        assert!(with.iter().filter(|a| a.duplicate_of.is_some()).count() >= 10);
        let stories: std::collections::HashSet<u64> = with.iter().map(|a| a.story).collect();
        assert!(stories.len() < with.len() / 2, "{}", stories.len());
    }

    #[test]
    fn a_saved_filter_is_taken_back_once_and_only_while_nothing_was_stored_since() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut first = open(tmp.path());
        for (i, body) in [BODY, "Another text about 4,500 people in Batumi."]
            .into_iter()
            .enumerate()
        {
            let id = format!("https://a/{i}");
            first
                .assign(&article(&id, "en", "Title", body, 10))
                .expect("assign");
        }
        first.flush().expect("flush");
        first.save_filter().expect("save");
        let saved = first.filter.clone();
        drop(first);

        // Taken back as it was saved, and taken out of the store.
        let mut second = open(tmp.path());
        assert_eq!(second.filter.sizes(), saved.sizes());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        second.filter.write_blocks(&mut a).expect("write");
        saved.write_blocks(&mut b).expect("write");
        assert_eq!(a, b);
        let state = State::open(tmp.path()).expect("state");
        let taken = |state: &State| state.take_story_filter(|_, _, _| Ok(())).expect("take");
        assert_eq!(taken(&state), None);

        // Saved again, then an article stored after it (by a writer that
        // was killed before it could save its own): the saved filter is
        // stale, and the next writer builds one that holds the article.
        second.save_filter().expect("save");
        let late = article("https://late/1", "en", "Late", BODY, 11);
        second.assign(&late).expect("assign");
        second.flush().expect("flush");
        drop(second);
        assert!(!saved.may_hold_id("https://late/1"));
        let third = open(tmp.path());
        assert!(third.filter.may_hold_id("https://late/1"));
        assert!(third.filter.may_hold_id("https://a/1"));
        assert_eq!(taken(&state), None);
        // Taken when the writer opened: killed now, the next one builds.
        third.save_filter().expect("save");
        drop(open(tmp.path()));
        assert_eq!(taken(&state), None);
    }

    #[test]
    fn pending_postings_are_read_latest_first_from_the_spans_of_the_window_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut stories = open(tmp.path());
        // One body every 17 hours over three weeks, in an order that is
        // not the order of their dates.
        for i in 0..30u32 {
            let mut a = article(&format!("https://a/{i}"), "en", "Fire", BODY, 0);
            let hours = i64::from((i * 7) % 30) * 17;
            a.published = a.published.map(|t| t + Duration::hours(hours));
            stories.assign(&a).expect("assign");
        }
        let name = stories.pending[0].features[0];
        let band = stories.pending[0].bands[0];
        for hash in [name, band] {
            for r in stories.pending.clone().iter().step_by(3) {
                for days in [1, 3, 30] {
                    let (from, to) = (r.at - Duration::days(days), r.at + Duration::days(days));
                    let expected: Vec<usize> = (0..stories.pending.len())
                        .rev()
                        .filter(|&i| {
                            let p = &stories.pending[i];
                            (p.features.contains(&hash) || p.bands.contains(&hash))
                                && p.at >= from
                                && p.at <= to
                        })
                        .collect();
                    let got: Vec<usize> = stories.pending_with(hash, from, to).collect();
                    assert_eq!(got, expected, "{days} days around {}", r.at);
                }
            }
        }
    }

    #[test]
    fn an_article_dated_before_what_is_stored_finds_its_story_after_it() {
        // An archive imported out of order: the later report is stored
        // (and the store opened again) before the earlier one comes.
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut stories = open(tmp.path());
        let later = stories
            .assign(&article(
                "https://a/later",
                "en",
                "Fire in Gyumri",
                BODY,
                20,
            ))
            .expect("assign");
        stories.flush().expect("flush");
        drop(stories);
        let mut stories = open(tmp.path());
        assert!(stories.stored_until.is_some());
        let earlier = stories
            .assign(&article(
                "https://b/earlier",
                "en",
                "Warehouse burns",
                "Armen Melkonyan, the rescue chief, told reporters in Gyumri that 14 workers \
                 were in hospital after the blaze at the Shirak textile warehouse, where 2,300 \
                 square metres burned.",
                2,
            ))
            .expect("assign");
        assert_eq!(earlier.duplicate_of, None);
        assert_eq!(earlier.story, later.story);
    }

    #[test]
    fn a_merge_keeps_the_older_id_and_the_younger_resolves_to_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut stories = open(tmp.path());
        stories.merge(9, 4);
        stories.merge(4, 2);
        assert_eq!(stories.resolve(9), 2);
        assert_eq!(stories.resolve(4), 2);
        stories.flush().expect("flush");
        let reopened = open(tmp.path());
        assert_eq!(reopened.resolve(9), 2);
        assert_eq!(
            State::open(tmp.path())
                .expect("state")
                .story_merges()
                .expect("merges")
                .len(),
            2
        );
    }
}
