//! pressd: a multilingual press-coverage aggregator.
//!
//! Data flows one way: configured sources are polled ([`sources`] over
//! [`http`]), discovered [`item::Item`]s are queued in the [`state`] store,
//! fetched and turned into articles by [`extract`] and [`lang`], and written
//! into the Tantivy [`index`] by a single writer task run by the [`daemon`].
//! The query side ([`index::search`], [`coverage`]) only reads the index;
//! [`watch`]es run saved searches over each commit's new documents and
//! deliver what fired.
//!
//! The binary (`src/main.rs`) is thin glue over this library so that the
//! integration tests can drive every part directly.

pub mod article;
pub mod canonical;
pub mod charset;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod daemon;
pub mod dates;
pub mod duration;
pub mod extract;
pub mod http;
pub mod import;
pub mod index;
pub mod item;
pub mod lang;
pub mod letters;
pub mod names;
pub mod sources;
pub mod state;
pub mod status;
pub mod stories;
pub mod watch;
pub mod web;
