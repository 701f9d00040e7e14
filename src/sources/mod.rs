//! Source kinds. Each turns a fetched response into discovered
//! [`Item`](crate::item::Item)s; none does I/O of its own beyond asking
//! [`crate::http`].

pub mod feed;

use crate::http::{Client, FetchError, Validators};
use crate::item::Item;
use url::Url;

/// What one poll of a source produced.
#[derive(Debug)]
pub enum Poll {
    /// The server answered 304 to the conditional request.
    NotModified,
    Items {
        items: Vec<Item>,
        validators: Validators,
    },
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: not a valid feed: {message}")]
    Parse { url: Url, message: String },
}

impl SourceError {
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Fetch(e) => e.is_transient(),
            SourceError::Parse { .. } => false,
        }
    }
}

/// Poll a `feed` source: conditional GET, decode, parse.
pub async fn poll_feed(
    client: &Client,
    url: &Url,
    validators: Option<&Validators>,
) -> Result<Poll, SourceError> {
    let _ = (client, validators);
    Err(SourceError::Parse {
        url: url.clone(),
        message: "not implemented".into(),
    })
}
