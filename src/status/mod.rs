//! The status of what is configured, as the read side shows it: each
//! source with its health ([`sources`]) and each watch with its deliveries
//! ([`watches`]). One owner for these shapes: `pressd sources --format
//! json` and `pressd watches --format json` print them, and the web's
//! `/api/sources` and `/api/watches` answer them, field for field.
//!
//! Reads the configuration and the state store (read-only); never writes.

pub mod sources;
pub mod watches;

pub use sources::{source_rows, ReadingRow, SourceRow};
pub use watches::{watch_rows, LastDeliveryRow, WatchRow};
