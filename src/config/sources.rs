//! Checking `[[source]]` tables: the keys every kind takes (ids, URLs,
//! languages, intervals with the `[defaults]` applied), and the split of
//! the other keys between the source's kind, which checks its own
//! ([`KindKeys`]), and the keys that do not belong to it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::de::{DeTable, ValueDeserializer};
use toml::Spanned;
use url::Url;

use super::files::{keys_of, CommonKeys, Document};
use super::{Problem, Source};
use crate::sources::{
    bluesky, feed, mastodon, page, sitemap, telegram, x, KindKeys, SourceKind, SourceOptions,
};

/// Shortest poll interval accepted: anything faster is impolite to outlets.
const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

pub(super) struct Defaults {
    pub(super) poll_interval: Duration,
    pub(super) min_interval: Option<Duration>,
    pub(super) max_interval: Option<Duration>,
    pub(super) enabled: bool,
}

/// Check the `[[source]]` tables of `doc`, adding the good ones to `out`
/// and every problem of the others to `problems`.
pub(super) fn collect_sources<'a>(
    doc: &Document<'a>,
    tables: Vec<Spanned<DeTable<'a>>>,
    defaults: &Defaults,
    out: &mut Vec<Source>,
    problems: &mut Vec<Problem>,
) {
    for (index, table) in tables.into_iter().enumerate() {
        let before = problems.len();
        let source = read_source(doc, index, table, defaults, problems);
        if let (Some(source), true) = (source, problems.len() == before) {
            out.push(source);
        }
    }
}

/// One `[[source]]` table: where its keys and values are, for problems.
struct Place<'d, 'a> {
    doc: &'d Document<'a>,
    index: usize,
    /// The table's own span (its `[[source]]` header).
    span: Range<usize>,
    /// Key → (span of the key, span of its value).
    keys: HashMap<String, (Range<usize>, Range<usize>)>,
}

impl Place<'_, '_> {
    /// The key's name in messages: `source[2].url`.
    fn name(&self, key: &str) -> String {
        format!("source[{}].{key}", self.index)
    }

    /// A problem with the value of `key`, placed at the value when the
    /// table writes one, else at the table (the key is missing, or its
    /// value comes from `[defaults]`).
    fn value_problem(&self, key: &str, message: impl Into<String>) -> Problem {
        let span = match self.keys.get(key) {
            Some((_, value)) => value.clone(),
            None => self.span.clone(),
        };
        self.doc
            .problem(Some(span), Some(self.name(key)), message.into())
    }

    /// A problem with `key` itself, placed at the key.
    fn key_problem(&self, key: &str, message: impl Into<String>) -> Problem {
        let span = self.keys.get(key).map(|(key, _)| key.clone());
        self.doc.problem(span, Some(self.name(key)), message.into())
    }
}

fn read_source(
    doc: &Document<'_>,
    index: usize,
    table: Spanned<DeTable<'_>>,
    defaults: &Defaults,
    problems: &mut Vec<Problem>,
) -> Option<Source> {
    let place = Place {
        doc,
        index,
        span: table.span(),
        keys: table
            .get_ref()
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), (k.span(), v.span())))
            .collect(),
    };
    let key_name = |key: &str| place.name(key);
    let span = table.span();
    let mut table = table.into_inner();
    // The kind first: it says which of the other keys belong.
    let kind = match table.remove("kind") {
        None => {
            problems.push(place.value_problem(
                "kind",
                format!(
                    "is required: one of {}",
                    SourceKind::ALL.map(SourceKind::as_str).join(", ")
                ),
            ));
            None
        }
        Some(value) => match SourceKind::deserialize(ValueDeserializer::from(value)) {
            Ok(kind) => Some(kind),
            Err(e) => {
                problems.push(doc.error(Some(key_name("kind")), &e));
                None
            }
        },
    };
    let (common, own): (DeTable<'_>, DeTable<'_>) = table
        .into_iter()
        .partition(|(k, _)| keys_of::<CommonKeys>().contains(&k.get_ref().as_ref()));
    let common = doc.read::<CommonKeys>(Spanned::new(span.clone(), common), &key_name);
    problems.extend(common.problems);

    // The keys that are not common belong to the kind, or to another kind,
    // or to none.
    let mut own_keys = DeTable::new();
    for (key, value) in own {
        let k = key.get_ref().to_string();
        if kind.is_some_and(|kind| kind_keys(kind).contains(&k.as_str())) {
            own_keys.insert(key, value);
            continue;
        }
        let takers: Vec<&str> = SourceKind::ALL
            .into_iter()
            .filter(|other| kind_keys(*other).contains(&k.as_str()))
            .map(SourceKind::as_str)
            .collect();
        match kind {
            Some(kind) if !takers.is_empty() => problems.push(place.key_problem(
                &k,
                format!(
                    "does not apply to kind \"{}\" (only to {})",
                    kind.as_str(),
                    takers.join(", ")
                ),
            )),
            // Without a kind, a key some kind takes may be right.
            None if !takers.is_empty() => {}
            _ => problems.push(place.key_problem(&k, unknown_key_message(&k, kind))),
        }
    }

    let checked = check_common(&place, common.value, defaults, problems);
    let url = checked.url.clone();

    let kind = kind?;
    let dir = doc.file.parent().unwrap_or(Path::new(""));
    let own_keys = Spanned::new(span, own_keys);
    let options = match kind_options(kind, &place, own_keys, url.as_ref(), dir) {
        Ok(options) => options,
        Err(found) => {
            problems.extend(found);
            return None;
        }
    };
    let Checked {
        id,
        url,
        name,
        lang,
        poll_interval,
        enabled,
        min_interval,
        max_interval,
        per_host_concurrency,
        per_host_delay,
    } = checked;
    Some(Source {
        id,
        url: url?,
        name,
        lang,
        poll_interval,
        enabled,
        file: doc.file.to_path_buf(),
        min_interval,
        max_interval,
        per_host_concurrency,
        per_host_delay,
        options,
    })
}

/// The keys every kind takes, checked, with the `[defaults]` applied.
struct Checked {
    id: String,
    /// `None` when wrong (a problem is recorded).
    url: Option<Url>,
    name: Option<String>,
    lang: Option<String>,
    poll_interval: Duration,
    enabled: bool,
    min_interval: Option<Duration>,
    max_interval: Option<Duration>,
    per_host_concurrency: Option<usize>,
    per_host_delay: Option<Duration>,
}

fn check_common(
    place: &Place<'_, '_>,
    common: CommonKeys,
    defaults: &Defaults,
    problems: &mut Vec<Problem>,
) -> Checked {
    let id = match common.id {
        // Written, but not as a string: reported already.
        None if place.keys.contains_key("id") => String::new(),
        None => {
            problems.push(
                place.value_problem("id", "is required: a short name such as \"news-am-eng\""),
            );
            String::new()
        }
        Some(id) => {
            if !valid_id(&id) {
                problems.push(place.value_problem(
                    "id",
                    format!(
                        "'{id}' is not a valid id: use 1-64 characters among lowercase letters, digits, '.', '_' and '-'"
                    ),
                ));
            }
            id
        }
    };
    let url = match common.url.as_deref() {
        None if place.keys.contains_key("url") => None,
        None => {
            problems.push(place.value_problem("url", "is required: the address to poll"));
            None
        }
        Some(text) => match Url::parse(text.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            Ok(u) => {
                problems.push(place.value_problem(
                    "url",
                    format!("'{text}' is not an http(s) URL (scheme '{}')", u.scheme()),
                ));
                None
            }
            Err(e) => {
                problems
                    .push(place.value_problem("url", format!("'{text}' is not a valid URL: {e}")));
                None
            }
        },
    };
    let lang = match common.lang.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) => {
            match crate::lang::normalize_tag(l) {
                Some(code) => Some(code.to_string()),
                None => {
                    problems.push(place.value_problem(
                    "lang",
                    format!("'{l}' is not a known language code; use ISO 639-1 such as az, hy, ru, en"),
                ));
                    None
                }
            }
        }
    };
    let poll_interval = common.poll_interval.unwrap_or(defaults.poll_interval);
    if poll_interval < MIN_POLL_INTERVAL {
        problems.push(place.value_problem("poll_interval", "must be at least 1s"));
    }
    let min_interval = common.min_interval.or(defaults.min_interval);
    let max_interval = common.max_interval.or(defaults.max_interval);
    if let (Some(min), Some(max)) = (min_interval, max_interval) {
        if max < min {
            problems.push(place.value_problem(
                "max_interval",
                format!(
                    "{} is shorter than min_interval ({})",
                    humantime::format_duration(max),
                    humantime::format_duration(min)
                ),
            ));
        }
    }
    if min_interval.is_some_and(|d| d < MIN_POLL_INTERVAL) {
        problems.push(place.value_problem("min_interval", "must be at least 1s"));
    }
    if common.per_host_concurrency == Some(0) {
        problems.push(place.value_problem("per_host_concurrency", "must be at least 1"));
    }

    Checked {
        id,
        url,
        name: common.name.filter(|n| !n.trim().is_empty()),
        lang,
        poll_interval,
        enabled: common.enabled.unwrap_or(defaults.enabled),
        min_interval,
        max_interval,
        per_host_concurrency: common.per_host_concurrency,
        per_host_delay: common.per_host_delay,
    }
}

/// The keys only `kind` takes.
fn kind_keys(kind: SourceKind) -> &'static [&'static str] {
    match kind {
        SourceKind::Feed => keys_of::<feed::Keys>(),
        SourceKind::Page => keys_of::<page::Keys>(),
        SourceKind::Sitemap => keys_of::<sitemap::Keys>(),
        SourceKind::Telegram => keys_of::<telegram::Keys>(),
        SourceKind::Mastodon => keys_of::<mastodon::Keys>(),
        SourceKind::Bluesky => keys_of::<bluesky::Keys>(),
        SourceKind::X => keys_of::<x::Keys>(),
    }
}

/// Read the keys of `kind` from `table` and have the kind check them.
fn kind_options(
    kind: SourceKind,
    place: &Place<'_, '_>,
    table: Spanned<DeTable<'_>>,
    url: Option<&Url>,
    dir: &Path,
) -> Result<SourceOptions, Vec<Problem>> {
    fn read<K: KindKeys>(
        place: &Place<'_, '_>,
        table: Spanned<DeTable<'_>>,
        url: Option<&Url>,
        dir: &Path,
    ) -> Result<SourceOptions, Vec<Problem>> {
        let keys = place.doc.read::<K>(table, &|key| place.name(key));
        let mut problems = keys.problems;
        match keys.value.check(url, dir) {
            Ok(options) if problems.is_empty() => return Ok(options),
            Ok(_) => {}
            // A key whose value could not be read at all is reported once.
            Err(found) => problems.extend(
                found
                    .into_iter()
                    .filter(|p| !keys.wrong.iter().any(|w| w == p.key))
                    .map(|p| place.value_problem(p.key, p.message)),
            ),
        }
        Err(problems)
    }
    match kind {
        SourceKind::Feed => read::<feed::Keys>(place, table, url, dir),
        SourceKind::Page => read::<page::Keys>(place, table, url, dir),
        SourceKind::Sitemap => read::<sitemap::Keys>(place, table, url, dir),
        SourceKind::Telegram => read::<telegram::Keys>(place, table, url, dir),
        SourceKind::Mastodon => read::<mastodon::Keys>(place, table, url, dir),
        SourceKind::Bluesky => read::<bluesky::Keys>(place, table, url, dir),
        SourceKind::X => read::<x::Keys>(place, table, url, dir),
    }
}

/// What to say of `key`, which neither every kind nor any kind takes.
fn unknown_key_message(key: &str, kind: Option<SourceKind>) -> String {
    let mut keys = vec!["kind"];
    keys.extend(keys_of::<CommonKeys>());
    let whose = match kind {
        Some(kind) => {
            keys.extend(kind_keys(kind));
            format!("a \"{}\" source", kind.as_str())
        }
        None => "a source".to_owned(),
    };
    format!("unknown key `{key}`; {whose} takes {}", keys.join(", "))
}

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}
