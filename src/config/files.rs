//! The shapes of the daemon and source files as serde reads them, and the
//! TOML parsing that turns syntax errors into located problems.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{Problem, SourceKind};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DaemonFile {
    pub(super) index_dir: Option<PathBuf>,
    pub(super) state_dir: Option<PathBuf>,
    pub(super) sources_dir: Option<PathBuf>,
    pub(super) languages: Option<Vec<String>>,
    pub(super) log: Option<String>,
    #[serde(default)]
    pub(super) http: HttpFile,
    #[serde(default)]
    pub(super) pipeline: PipelineFile,
    #[serde(default)]
    pub(super) defaults: DefaultsFile,
    #[serde(default)]
    pub(super) metrics: MetricsFile,
    #[serde(default, rename = "source")]
    pub(super) sources: Vec<SourceFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MetricsFile {
    pub(super) listen: Option<String>,
    pub(super) allow_remote: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpFile {
    pub(super) user_agent: Option<String>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) connect_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) timeout: Option<Duration>,
    pub(super) max_body_size: Option<bytesize::ByteSize>,
    pub(super) max_redirects: Option<usize>,
    pub(super) per_host_concurrency: Option<usize>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) per_host_delay: Option<Duration>,
    pub(super) respect_robots: Option<bool>,
    pub(super) allow_private_addresses: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PipelineFile {
    pub(super) concurrency: Option<usize>,
    pub(super) commit_batch: Option<usize>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) commit_interval: Option<Duration>,
    pub(super) max_attempts: Option<u32>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) retry_delay: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) max_backoff: Option<Duration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DefaultsFile {
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) poll_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) max_interval: Option<Duration>,
    pub(super) enabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceFile {
    pub(super) id: String,
    pub(super) kind: SourceKind,
    pub(super) url: String,
    pub(super) name: Option<String>,
    pub(super) lang: Option<String>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) poll_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) max_interval: Option<Duration>,
    pub(super) per_host_concurrency: Option<usize>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) per_host_delay: Option<Duration>,
    pub(super) enabled: Option<bool>,
    pub(super) link_selector: Option<String>,
    pub(super) date_selector: Option<String>,
    pub(super) next_selector: Option<String>,
    pub(super) max_pages: Option<u32>,
    #[serde(default, deserialize_with = "de_duration")]
    pub(super) max_age: Option<Duration>,
    pub(super) follow_links: Option<bool>,
    pub(super) include_replies: Option<bool>,
    pub(super) api_base: Option<String>,
    pub(super) token_env: Option<String>,
    pub(super) token_file: Option<PathBuf>,
    pub(super) rss_url: Option<String>,
}

/// A source file holds only `[[source]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourcesFile {
    #[serde(default, rename = "source")]
    pub(super) sources: Vec<SourceFile>,
}

/// Human durations: "30s", "5m", "1h 30m".
fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(text.trim())
        .map(Some)
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "invalid duration '{text}' ({e}); write it like \"30s\", \"5m\" or \"1h\""
            ))
        })
}

/// Parse TOML, turning the error into a problem located by line and column.
pub(super) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &Path,
    text: &str,
) -> Result<T, Problem> {
    toml::from_str(text).map_err(|e| {
        let key = e.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before
                .rfind('\n')
                .map_or(before.len(), |i| before.len() - i - 1)
                + 1;
            format!("line {line}, column {col}")
        });
        Problem {
            file: file.to_path_buf(),
            key,
            message: e.message().trim().to_string(),
        }
    })
}
