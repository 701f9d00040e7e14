//! The stories as the read side shows them: the listing of `pressd
//! stories` and `/api/stories` ([`list`]) and one story of `pressd story
//! ID` and `/api/story/ID` ([`one`]). One owner for these shapes and their
//! computation, so the command line and the web serialize the same types
//! from the same answer.
//!
//! Reads the state store's story tables and, for a listing with a query,
//! the index (the stories of the query's best matches); never writes.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::dates::rfc3339;
use crate::index::{Index, IndexError, SearchRequest};
use crate::state::{State, StateError, StoryArticle, StoryCounts};

/// Documents a query of a listing looks at, at most: the stories of its
/// best matches.
const QUERY_DOCUMENTS: usize = 10_000;

/// What a listing selects: the flags of `pressd stories`.
#[derive(Debug, Clone)]
pub struct StoriesRequest {
    /// Only stories with an article matching this query (as `pressd
    /// search`); every story when `None`.
    pub query: Option<String>,
    /// Only stories with an article in one of these languages; the
    /// headline is then in the first of them the story has.
    pub langs: Vec<String>,
    /// Only stories with an article of one of these sources.
    pub sources: Vec<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only stories of at least this many articles.
    pub min_articles: u64,
    pub limit: usize,
}

/// Why a listing could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read the stories")]
    State(#[from] StateError),
    /// The query's search failed (an invalid query is
    /// [`IndexError::Query`]).
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// The first article of a story (or of a language in it).
#[derive(Debug, Clone, serde::Serialize)]
pub struct First {
    pub url: String,
    pub source: String,
    pub published: String,
    pub lang: String,
}

/// One story of a listing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoryRow {
    pub id: u64,
    pub title: String,
    pub first: First,
    pub articles: u64,
    pub copies: u64,
    pub sources: Vec<String>,
    pub langs: Vec<String>,
    pub start: String,
    pub end: String,
}

/// A listing: how many stories were selected, and the first `limit`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoriesReport {
    pub total: usize,
    pub stories: Vec<StoryRow>,
}

/// One story: its articles in time order and who was first in each
/// language.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoryReport {
    pub id: u64,
    pub title: String,
    /// Who was first in each language.
    pub first_by_lang: BTreeMap<String, First>,
    pub articles: Vec<StoryArticleRow>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StoryArticleRow {
    #[serde(flatten)]
    pub article: StoryArticle,
    pub published: String,
}

impl StoryReport {
    /// Whether `a` was the first article in its language.
    pub fn first_in_lang(&self, a: &StoryArticle) -> bool {
        self.first_by_lang
            .get(&a.lang)
            .is_some_and(|f| f.url == a.url)
    }
}

fn first_of(a: &StoryArticle) -> First {
    First {
        url: a.url.clone(),
        source: a.source.clone(),
        published: rfc3339(a.published),
        lang: a.lang.clone(),
    }
}

/// The stories `request` selects, the largest first, then the latest.
/// `index` is opened only for a query: a listing without one reads the
/// state store alone.
pub fn list<I: Borrow<Index>>(
    state: &State,
    index: impl FnOnce() -> Result<I, IndexError>,
    request: &StoriesRequest,
) -> Result<StoriesReport, ReportError> {
    let query = request.query.as_deref().map(str::trim);
    let only: Option<Vec<u64>> = match query.filter(|q| !q.is_empty()) {
        Some(query) => {
            let index = index()?;
            let search = SearchRequest {
                query: query.to_string(),
                since: request.since,
                until: request.until,
                langs: request.langs.clone(),
                sources: request.sources.clone(),
                limit: QUERY_DOCUMENTS,
                ..SearchRequest::default()
            };
            let results = index.borrow().search(&search)?;
            let ids: Vec<&str> = results.hits.iter().map(|h| h.url.as_str()).collect();
            let mut found: Vec<u64> = state.stories_of(&ids)?.values().map(|(s, _)| *s).collect();
            found.sort_unstable();
            found.dedup();
            Some(found)
        }
        None => None,
    };
    let mut counts: Vec<StoryCounts> = state
        .story_counts(request.since, request.until, only.as_deref())?
        .into_iter()
        .filter(|c| c.articles >= request.min_articles)
        .filter(|c| request.langs.is_empty() || c.langs.iter().any(|l| request.langs.contains(l)))
        .filter(|c| {
            request.sources.is_empty() || c.sources.iter().any(|s| request.sources.contains(s))
        })
        .collect();
    counts.sort_by(|a, b| {
        b.articles
            .cmp(&a.articles)
            .then(b.end.cmp(&a.end))
            .then(a.story.cmp(&b.story))
    });
    let total = counts.len();
    let mut stories = Vec::new();
    for c in counts.into_iter().take(request.limit) {
        let articles = state.story_articles(c.story)?;
        let Some(first) = articles.first() else {
            continue;
        };
        let headline = request
            .langs
            .iter()
            .find_map(|l| articles.iter().find(|a| &a.lang == l))
            .unwrap_or(first);
        stories.push(StoryRow {
            id: c.story,
            title: headline.title.clone(),
            first: first_of(first),
            articles: c.articles,
            copies: c.copies,
            sources: c.sources,
            langs: c.langs,
            start: rfc3339(c.start),
            end: rfc3339(c.end),
        });
    }
    Ok(StoriesReport { total, stories })
}

/// Story `id` (an id merged into another story gives that story), or
/// `None` when there is no such story.
pub fn one(state: &State, id: u64) -> Result<Option<StoryReport>, StateError> {
    let Some(id) = state.resolve_story(id)? else {
        return Ok(None);
    };
    let articles = state.story_articles(id)?;
    let mut first_by_lang = BTreeMap::new();
    for a in &articles {
        first_by_lang
            .entry(a.lang.clone())
            .or_insert_with(|| first_of(a));
    }
    let title = articles
        .first()
        .map(|a| a.title.clone())
        .unwrap_or_default();
    Ok(Some(StoryReport {
        id,
        title,
        first_by_lang,
        articles: articles
            .into_iter()
            .map(|a| StoryArticleRow {
                published: rfc3339(a.published),
                article: a,
            })
            .collect(),
    }))
}
