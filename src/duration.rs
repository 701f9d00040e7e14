//! Durations as people write them in the configuration files: "30s",
//! "5m", "1h 30m" (humantime's syntax). The one serde reader for them, used
//! by the daemon file's tables ([`crate::config`]) and by the keys of the
//! source kinds that take a duration ([`crate::sources::sitemap`]).

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Read an optional human duration; use as
/// `#[serde(default, deserialize_with = "crate::duration::optional")]`.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(text.trim())
        .map(Some)
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "invalid duration '{text}' ({e}); write it like \"30s\", \"5m\" or \"1h\""
            ))
        })
}
