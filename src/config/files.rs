//! The files as TOML documents: parsing them with the position of every
//! key and value kept, the serde shapes of the daemon file's tables and of
//! the keys every `[[source]]` takes, and the reading of one table into one
//! of those shapes with every error located by line and column.
//!
//! A document is read in two steps: first into spanned tables
//! ([`toml::de::DeTable`]), then each table into its shape. The second step
//! is what lets a `[[source]]` table be split between the keys every kind
//! takes ([`CommonKeys`]) and the keys of its kind (`sources::<kind>::Keys`)
//! while an unknown key is still reported at its own line: serde's
//! `#[serde(flatten)]` would split the table too, but it cannot deny
//! unknown keys, and an internally tagged enum buffers the table and loses
//! every position.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{DeserializeOwned, Visitor};
use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::Problem;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DaemonFile {
    pub(super) index_dir: Option<PathBuf>,
    pub(super) state_dir: Option<PathBuf>,
    pub(super) sources_dir: Option<PathBuf>,
    pub(super) watches_dir: Option<PathBuf>,
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
    #[serde(default)]
    pub(super) web: WebFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WebFile {
    pub(super) listen: Option<String>,
    pub(super) auth_token_file: Option<PathBuf>,
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
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) connect_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) timeout: Option<Duration>,
    pub(super) max_body_size: Option<bytesize::ByteSize>,
    pub(super) max_redirects: Option<usize>,
    pub(super) per_host_concurrency: Option<usize>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) per_host_delay: Option<Duration>,
    pub(super) respect_robots: Option<bool>,
    pub(super) allow_private_addresses: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PipelineFile {
    pub(super) concurrency: Option<usize>,
    pub(super) commit_batch: Option<usize>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) commit_interval: Option<Duration>,
    pub(super) max_attempts: Option<u32>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) retry_delay: Option<Duration>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) max_backoff: Option<Duration>,
    pub(super) stories: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DefaultsFile {
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) poll_interval: Option<Duration>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) max_interval: Option<Duration>,
    pub(super) enabled: Option<bool>,
}

/// The keys every kind of `[[source]]` takes, but `kind`, which is read
/// first to tell which of the other keys belong. All are optional here so
/// that each bad value is reported on its own (see [`Document::read`]);
/// `id` and `url` are required by the check that follows.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommonKeys {
    pub(super) id: Option<String>,
    pub(super) url: Option<String>,
    pub(super) name: Option<String>,
    pub(super) lang: Option<String>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) poll_interval: Option<Duration>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) max_interval: Option<Duration>,
    pub(super) per_host_concurrency: Option<usize>,
    #[serde(default, deserialize_with = "crate::duration::optional")]
    pub(super) per_host_delay: Option<Duration>,
    pub(super) enabled: Option<bool>,
}

/// A line and column of a file, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A file's text, which turns byte spans into problems located by line and
/// column.
pub(super) struct Document<'a> {
    pub(super) file: &'a Path,
    pub(super) text: &'a str,
}

impl<'a> Document<'a> {
    /// Parse the text into spanned tables; a syntax error is a problem at
    /// its position.
    pub(super) fn parse(&self) -> Result<Spanned<DeTable<'a>>, Problem> {
        DeTable::parse(self.text).map_err(|e| self.error(None, &e))
    }

    /// The line and column of byte `offset`.
    pub(super) fn position(&self, offset: usize) -> Position {
        let before = &self.text[..offset.min(self.text.len())];
        // A span may fall inside a character only if it is bogus; count
        // the whole text then rather than panic.
        let before = if self.text.is_char_boundary(before.len()) {
            before
        } else {
            self.text
        };
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map_or(before, |i| &before[i + 1..]);
        Position {
            line,
            column: column.chars().count() + 1,
        }
    }

    /// A problem of this file at `span` (when known) about `key` (when
    /// known).
    pub(super) fn problem(
        &self,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: String,
    ) -> Problem {
        Problem {
            file: self.file.to_path_buf(),
            position: span.map(|s| self.position(s.start)),
            key,
            message,
        }
    }

    /// A serde or syntax error of this file as a problem about `key`.
    pub(super) fn error(&self, key: Option<String>, e: &toml::de::Error) -> Problem {
        self.problem(e.span(), key, e.message().trim().to_string())
    }

    /// Read `table` into `T`. Every key whose value is wrong is reported,
    /// not only the first: when the whole table fails, each key is read
    /// again on its own (which is why the shapes read this way have only
    /// optional fields), and `T` is read from the keys that are right, so
    /// that the checks that follow still run on them. Errors come with the
    /// key they concern, named by `key_name`.
    pub(super) fn read<T: DeserializeOwned + Default>(
        &self,
        table: Spanned<DeTable<'a>>,
        key_name: &dyn Fn(&str) -> String,
    ) -> Read<T> {
        let span = table.span();
        let first = match T::deserialize(toml::de::Deserializer::from(table.clone())) {
            Ok(value) => {
                return Read {
                    value,
                    problems: Vec::new(),
                    wrong: Vec::new(),
                }
            }
            Err(e) => e,
        };
        let mut problems = Vec::new();
        let mut wrong = Vec::new();
        let mut right = DeTable::new();
        for (key, value) in table.into_inner() {
            let mut one = DeTable::new();
            let name = key.get_ref().to_string();
            one.insert(key.clone(), value.clone());
            match T::deserialize(toml::de::Deserializer::from(Spanned::new(
                span.clone(),
                one,
            ))) {
                Ok(_) => {
                    right.insert(key, value);
                }
                Err(e) => {
                    problems.push(self.error(Some(key_name(&name)), &e));
                    wrong.push(name);
                }
            }
        }
        if problems.is_empty() {
            problems.push(self.error(None, &first));
        }
        let value = T::deserialize(toml::de::Deserializer::from(Spanned::new(span, right)))
            .unwrap_or_default();
        Read {
            value,
            problems,
            wrong,
        }
    }
}

/// What [`Document::read`] made of a table.
pub(super) struct Read<T> {
    /// The table's keys whose values are right.
    pub(super) value: T,
    /// One per key whose value is wrong.
    pub(super) problems: Vec<Problem>,
    /// The keys whose values are wrong.
    pub(super) wrong: Vec<String>,
}

/// The `[[name]]` tables (`source`, `watch`) of a document's root, taken
/// out of it; a `name` key that holds something else is a problem.
pub(super) fn take_tables<'a>(
    doc: &Document<'a>,
    root: &mut Spanned<DeTable<'a>>,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Spanned<DeTable<'a>>> {
    let Some(value) = root.get_mut().remove(name) else {
        return Vec::new();
    };
    let span = value.span();
    let wrong = |span| {
        doc.problem(
            Some(span),
            Some(name.into()),
            format!("must hold [[{name}]] tables"),
        )
    };
    let mut tables = Vec::new();
    match value.into_inner() {
        DeValue::Array(items) => {
            for item in items {
                let span = item.span();
                match item.into_inner() {
                    DeValue::Table(table) => tables.push(Spanned::new(span, table)),
                    _ => problems.push(wrong(span)),
                }
            }
        }
        _ => problems.push(wrong(span)),
    }
    tables
}

/// The keys serde reads into `T`, a struct with derived `Deserialize`: the
/// field names the derive hands to `deserialize_struct`, read by a
/// deserializer that asks for nothing else. Lets `config` tell a key of
/// another kind from an unknown one without a second list of names that
/// could drift from the struct.
pub(super) fn keys_of<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut probe = FieldNames(None);
    // The probe always fails; what it saw on the way is the answer.
    let _ = T::deserialize(&mut probe);
    probe.0.unwrap_or(&[])
}

struct FieldNames(Option<&'static [&'static str]>);

impl<'de> serde::Deserializer<'de> for &mut FieldNames {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = Some(fields);
        Err(serde::de::Error::custom("field names read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_a_struct_are_its_field_names() {
        assert_eq!(
            keys_of::<MetricsFile>(),
            ["listen", "allow_remote"].as_slice()
        );
        assert_eq!(keys_of::<crate::sources::feed::Keys>(), [""; 0].as_slice());
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let doc = Document {
            file: Path::new("a.toml"),
            text: "a = 1\nб = \"x\"\n",
        };
        assert_eq!(doc.position(0), Position { line: 1, column: 1 });
        // The column counts characters, not bytes.
        let value = doc.text.find('"').expect("quote");
        assert_eq!(doc.position(value), Position { line: 2, column: 5 });
    }
}
