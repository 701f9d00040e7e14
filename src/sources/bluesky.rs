//! placeholder
use super::{Poll, SourceError};
use crate::config::Source;
use crate::http::Client;
pub async fn poll(_client: &Client, source: &Source) -> Result<Poll, SourceError> {
    Err(SourceError::Config { url: source.url.clone(), message: "todo".into() })
}
