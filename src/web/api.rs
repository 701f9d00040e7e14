//! `/api/`: the command line's JSON over HTTP. `/api/search` answers what
//! `pressd search --format json` prints, `/api/coverage` what `pressd
//! coverage --format json` prints, `/api/sources` and `/api/watches` what
//! `pressd sources|watches --format json` print, `/api/stories` and
//! `/api/story/ID` what `pressd stories|story --format json` print: the
//! same types ([`SearchResults`], [`Coverage`], [`crate::status`]'s rows,
//! [`crate::stories::report`]'s reports) serialized by the same serde
//! derives. The parameters are the flags
//! ([`super::params`]).
//!
//! Errors are JSON too, `{"error": "...", "parameter": "since"}`, with the
//! status: 400 for a parameter or query that cannot be used (naming it),
//! 401 without the token, 404 for an unknown path or story, 500 when the index or
//! the state store fails (logged with its causes).
//!
//! The work behind an answer (search, count, reading the store) is here
//! once for the API and the pages: [`find`], [`count`], [`sources_of`],
//! [`watches_of`], [`stories_of`], [`story_of`].

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tracing::warn;

use super::params::{ParamError, Params, API_LIMIT};
use super::Site;
use crate::coverage::{Coverage, CoverageError, CoverageRequest};
use crate::index::{IndexError, SearchRequest, SearchResults};
use crate::state::State as Store;
use crate::status::{SourceRow, WatchRow};
use crate::stories::report::{self, ReportError, StoriesReport, StoriesRequest, StoryReport};

/// An answer that is not the one asked for.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// The parameter at fault, for a 400.
    pub param: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: String) -> ApiError {
        ApiError {
            status,
            message,
            param: None,
        }
    }

    /// A failure of ours: logged with its causes, answered without them
    /// (paths of the deployment are no business of a reader).
    fn internal(what: &str, error: &(dyn std::error::Error + 'static)) -> ApiError {
        let chain = std::iter::successors(Some(error), |e| e.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        warn!(error = %chain, "web: cannot {what}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot {what}; the server's log says why"),
        )
    }
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: e.to_string(),
            param: Some(e.param),
        }
    }
}

#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'static str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: &self.message,
            parameter: self.param,
        };
        (self.status, Json(body)).into_response()
    }
}

/// Run `work` on the blocking pool: searches and counts are CPU work that
/// would stall the connections sharing its runtime thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal("finish the request", &e))?
}

fn index_error(e: IndexError) -> ApiError {
    match e {
        IndexError::Query(message) => ApiError {
            status: StatusCode::BAD_REQUEST,
            message: format!("invalid query: {message}"),
            param: Some("q"),
        },
        other => ApiError::internal("search the index", &other),
    }
}

/// The search of `request`.
pub async fn find(site: &Arc<Site>, request: SearchRequest) -> Result<SearchResults, ApiError> {
    let site = site.clone();
    blocking(move || {
        let mut results = site.index.search(&request).map_err(index_error)?;
        crate::stories::attach_stored(&site.config.state_dir, &mut results.hits);
        Ok(results)
    })
    .await
}

/// The coverage count of `request`.
pub async fn count(site: &Arc<Site>, request: CoverageRequest) -> Result<Coverage, ApiError> {
    let site = site.clone();
    blocking(move || {
        crate::stories::coverage(&site.index, &request, &site.config.state_dir).map_err(|e| match e
        {
            CoverageError::Index(e) => index_error(e),
            e @ (CoverageError::TooManyBuckets(_) | CoverageError::TooManyForStories(_)) => {
                ApiError {
                    status: StatusCode::BAD_REQUEST,
                    message: e.to_string(),
                    param: Some("by"),
                }
            }
            e @ CoverageError::StoriesUnavailable => ApiError {
                status: StatusCode::BAD_REQUEST,
                message: e.to_string(),
                param: Some("split"),
            },
        })
    })
    .await
}

/// The sources' rows, as `pressd sources` has them now.
pub async fn sources_of(site: &Arc<Site>) -> Result<Vec<SourceRow>, ApiError> {
    let site = site.clone();
    blocking(move || {
        crate::status::source_rows(&site.config, chrono::Utc::now())
            .map_err(|e| ApiError::internal("read the state store", &e))
    })
    .await
}

/// The watches' rows, as `pressd watches` has them now.
pub async fn watches_of(site: &Arc<Site>) -> Result<Vec<WatchRow>, ApiError> {
    let site = site.clone();
    blocking(move || {
        crate::status::watch_rows(&site.config)
            .map_err(|e| ApiError::internal("read the state store", &e))
    })
    .await
}

fn open_store(site: &Site) -> Result<Store, ApiError> {
    Store::open_read_only(&site.config.state_dir)
        .map_err(|e| ApiError::internal("read the state store", &e))
}

/// The stories `request` selects, as `pressd stories` lists them.
pub async fn stories_of(
    site: &Arc<Site>,
    request: StoriesRequest,
) -> Result<StoriesReport, ApiError> {
    let site = site.clone();
    blocking(move || {
        let store = open_store(&site)?;
        let index = site.index.clone();
        report::list(&store, || Ok(index), &request).map_err(|e| match e {
            ReportError::Index(e) => index_error(e),
            e @ ReportError::State(_) => ApiError::internal("read the state store", &e),
        })
    })
    .await
}

/// The story of `id` (the string of the path, so that a bad one is
/// answered like a bad parameter), as `pressd story ID` shows it.
pub async fn story_of(site: &Arc<Site>, id: &str) -> Result<StoryReport, ApiError> {
    let id: u64 = id.trim().parse().map_err(|_| ParamError {
        param: "id",
        message: format!("'{id}' is not a story id (a whole number)"),
    })?;
    let site = site.clone();
    blocking(move || {
        let store = open_store(&site)?;
        report::one(&store, id)
            .map_err(|e| ApiError::internal("read the state store", &e))?
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no story {id}")))
    })
    .await
}

/// The search words, which the API requires as `pressd search` does.
fn required_query(params: &Params) -> Result<(), ApiError> {
    match params.query() {
        Some(_) => Ok(()),
        None => Err(ParamError {
            param: "q",
            message: "missing: the words to search for, in `pressd search`'s syntax".into(),
        }
        .into()),
    }
}

pub async fn search(
    State(site): State<Arc<Site>>,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchResults>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    required_query(&params)?;
    let request = params.search_request(API_LIMIT)?;
    Ok(Json(find(&site, request).await?))
}

pub async fn coverage(
    State(site): State<Arc<Site>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Coverage>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    required_query(&params)?;
    let request = params.coverage_request(&site.config)?;
    Ok(Json(count(&site, request).await?))
}

pub async fn sources(State(site): State<Arc<Site>>) -> Result<Json<Vec<SourceRow>>, ApiError> {
    Ok(Json(sources_of(&site).await?))
}

pub async fn watches(State(site): State<Arc<Site>>) -> Result<Json<Vec<WatchRow>>, ApiError> {
    Ok(Json(watches_of(&site).await?))
}

pub async fn stories(
    State(site): State<Arc<Site>>,
    RawQuery(query): RawQuery,
) -> Result<Json<StoriesReport>, ApiError> {
    let request = Params::parse(query.as_deref())?.stories_request()?;
    Ok(Json(stories_of(&site, request).await?))
}

pub async fn story(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
) -> Result<Json<StoryReport>, ApiError> {
    Ok(Json(story_of(&site, &id).await?))
}

pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such endpoint: {}; there are /api/search, /api/coverage, /api/sources, /api/watches, /api/stories, /api/story/ID",
            uri.path()
        ),
    )
}
