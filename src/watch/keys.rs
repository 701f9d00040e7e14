//! The keys of a `[[watch]]` table as the file writes them, and their
//! check. `config` reads a table into [`Keys`] (unknown keys are refused
//! with their line) and asks [`Keys::check`] for the [`Watch`], as it does
//! with a source kind's keys.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::{CommandDelivery, Per, Retry, Secret, Watch, Webhook};
use crate::sources::KeyProblem;

/// A webhook attempt's default time limit, connection included.
const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// A command's default time limit.
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// The default wait before the first retry of a failed delivery.
const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(5);
/// A failed delivery is given up this long after it was made, by default:
/// a receiver down for a night still gets everything in the morning.
const DEFAULT_GIVE_UP: Duration = Duration::from_secs(24 * 3600);
/// The shortest digest period: a shorter one is a message per commit.
const MIN_DIGEST: Duration = Duration::from_secs(1);

/// Keys that would hold a secret in the configuration text, refused with
/// a pointer to the keys that read it from elsewhere.
pub const INLINE_SECRET_KEYS: &[&str] = &["webhook_secret", "secret"];

/// A `[[watch]]` table. Every key is optional here so that each bad value
/// is reported on its own; [`Keys::check`] says which are required.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub id: Option<String>,
    pub query: Option<String>,
    pub lang: Option<Vec<String>>,
    pub source: Option<Vec<String>>,
    pub kind: Option<Vec<String>>,
    pub per: Option<Per>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub digest: Option<Duration>,
    pub webhook: Option<String>,
    pub webhook_secret_env: Option<String>,
    pub webhook_secret_file: Option<PathBuf>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub webhook_timeout: Option<Duration>,
    pub command: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub command_timeout: Option<Duration>,
    pub feed: Option<bool>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub retry_delay: Option<Duration>,
    /// Also taken as `webhook_give_up`, the first name for it; it
    /// applies to commands too.
    #[serde(
        default,
        alias = "webhook_give_up",
        deserialize_with = "crate::duration::optional"
    )]
    pub give_up: Option<Duration>,
}

impl Keys {
    /// Check the keys of a watch defined in `file` (relative secret files
    /// are resolved against its directory). Every problem is reported,
    /// not only the first.
    pub fn check(self, file: &Path) -> Result<Watch, Vec<KeyProblem>> {
        let mut problems = Vec::new();
        // The id's form and uniqueness are checked by `config`, as a
        // source's are.
        let id = self.id.unwrap_or_else(|| {
            problems.push(KeyProblem::new(
                "id",
                "is required: a short name such as \"bridge-of-peace\"",
            ));
            String::new()
        });
        let query = self.query.unwrap_or_default();
        if query.trim().is_empty() {
            problems.push(KeyProblem::new(
                "query",
                "is required: the words to watch for, as `pressd search` takes them",
            ));
        } else if let Err(e) = crate::index::check_syntax(&query) {
            problems.push(KeyProblem::new("query", e.to_string()));
        }
        let mut langs = Vec::new();
        for l in self.lang.unwrap_or_default() {
            match crate::lang::normalize_tag(l.trim()) {
                Some(code) => langs.push(code.to_string()),
                None => problems.push(KeyProblem::new(
                    "lang",
                    format!(
                        "'{l}' is not a known language code; use ISO 639-1 such as az, hy, ru, en"
                    ),
                )),
            }
        }
        let kinds = self.kind.unwrap_or_default();
        for k in &kinds {
            if !matches!(k.as_str(), "article" | "post") {
                problems.push(KeyProblem::new(
                    "kind",
                    format!("'{k}' is not a document kind: use \"article\" or \"post\""),
                ));
            }
        }
        if self.digest.is_some_and(|d| d < MIN_DIGEST) {
            problems.push(KeyProblem::new("digest", "must be at least 1s"));
        }
        let dir = file.parent().unwrap_or(Path::new(""));
        let secret = match (self.webhook_secret_env, self.webhook_secret_file) {
            (Some(_), Some(_)) => {
                problems.push(KeyProblem::new(
                    "webhook_secret_file",
                    "give webhook_secret_env or webhook_secret_file, not both",
                ));
                None
            }
            (Some(var), None) if var.trim().is_empty() => {
                problems.push(KeyProblem::new(
                    "webhook_secret_env",
                    "must name an environment variable",
                ));
                None
            }
            (Some(var), None) => Some(Secret::Env(var)),
            (None, Some(path)) => Some(Secret::File(if path.is_absolute() {
                path
            } else {
                dir.join(path)
            })),
            (None, None) => None,
        };
        let webhook = match self.webhook.as_deref().map(str::trim) {
            None => {
                if secret.is_some() {
                    problems.push(KeyProblem::new(
                        "webhook",
                        "is required with a webhook secret: the URL to post to",
                    ));
                }
                None
            }
            Some(text) => match Url::parse(text) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    Some(Webhook {
                        url,
                        secret,
                        timeout: self.webhook_timeout.unwrap_or(DEFAULT_WEBHOOK_TIMEOUT),
                    })
                }
                Ok(url) => {
                    problems.push(KeyProblem::new(
                        "webhook",
                        format!("'{text}' is not an http(s) URL (scheme '{}')", url.scheme()),
                    ));
                    None
                }
                Err(e) => {
                    problems.push(KeyProblem::new(
                        "webhook",
                        format!("'{text}' is not a valid URL: {e}"),
                    ));
                    None
                }
            },
        };
        let command = match self.command {
            None => None,
            Some(argv) if argv.first().is_none_or(|p| p.trim().is_empty()) => {
                problems.push(KeyProblem::new(
                    "command",
                    "must name a program: [\"/path/to/program\", \"argument\", ...]",
                ));
                None
            }
            Some(argv) => Some(CommandDelivery {
                argv,
                timeout: self.command_timeout.unwrap_or(DEFAULT_COMMAND_TIMEOUT),
            }),
        };
        for (key, d) in [
            ("webhook_timeout", self.webhook_timeout),
            ("command_timeout", self.command_timeout),
            ("retry_delay", self.retry_delay),
            ("give_up", self.give_up),
        ] {
            if d.is_some_and(|d| d.is_zero()) {
                problems.push(KeyProblem::new(key, "must be more than 0s"));
            }
        }
        let feed = self.feed.unwrap_or(false);
        if webhook.is_none() && command.is_none() && !feed && problems.is_empty() {
            problems.push(KeyProblem::new(
                "webhook",
                "a watch needs a way to tell: webhook = \"https://…\", command = [\"program\", …] or feed = true",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Watch {
            id,
            query,
            langs,
            sources: self.source.unwrap_or_default(),
            kinds,
            per: self.per.unwrap_or(Per::Article),
            digest: self.digest,
            webhook,
            command,
            feed,
            retry: Retry {
                first: self.retry_delay.unwrap_or(DEFAULT_RETRY_DELAY),
                give_up: self.give_up.unwrap_or(DEFAULT_GIVE_UP),
            },
            file: file.to_path_buf(),
        })
    }
}
