//! Checking `[[source]]` tables: ids, URLs, languages, intervals with the
//! `[defaults]` applied, and the keys that only some kinds take.

use std::path::Path;
use std::time::Duration;

use url::Url;

use super::files::SourceFile;
use super::{problem, Problem, Source, SourceKind, SourceOptions, MAX_PAGES_LIMIT};

/// Shortest poll interval accepted: anything faster is impolite to outlets.
const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

pub(super) struct Defaults {
    pub(super) poll_interval: Duration,
    pub(super) min_interval: Option<Duration>,
    pub(super) max_interval: Option<Duration>,
    pub(super) enabled: bool,
}

pub(super) fn collect_sources(
    file: &Path,
    raw: Vec<SourceFile>,
    defaults: &Defaults,
    out: &mut Vec<Source>,
    problems: &mut Vec<Problem>,
) {
    for (i, s) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("source[{i}].{key}");
        let mut ok = true;
        if !valid_id(&s.id) {
            problems.push(problem(
                file,
                &at("id"),
                format!(
                    "'{}' is not a valid id: use 1-64 characters among lowercase letters, digits, '.', '_' and '-'",
                    s.id
                ),
            ));
            ok = false;
        }
        let url = match Url::parse(s.url.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            Ok(u) => {
                problems.push(problem(
                    file,
                    &at("url"),
                    format!(
                        "'{}' is not an http(s) URL (scheme '{}')",
                        s.url,
                        u.scheme()
                    ),
                ));
                None
            }
            Err(e) => {
                problems.push(problem(
                    file,
                    &at("url"),
                    format!("'{}' is not a valid URL: {e}", s.url),
                ));
                None
            }
        };
        let lang = match s.lang.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(l) => match crate::lang::normalize_tag(l) {
                Some(code) => Some(code.to_string()),
                None => {
                    problems.push(problem(
                        file,
                        &at("lang"),
                        format!("'{l}' is not a known language code; use ISO 639-1 such as az, hy, ru, en"),
                    ));
                    ok = false;
                    None
                }
            },
        };
        let poll_interval = s.poll_interval.unwrap_or(defaults.poll_interval);
        if poll_interval < MIN_POLL_INTERVAL {
            problems.push(problem(
                file,
                &at("poll_interval"),
                "must be at least 1s".into(),
            ));
            ok = false;
        }
        let options = source_options(file, &at, &s, url.as_ref(), problems).map(|mut o| {
            o.min_interval = s.min_interval.or(defaults.min_interval);
            o.max_interval = s.max_interval.or(defaults.max_interval);
            o
        });
        if let Some(o) = &options {
            if let (Some(min), Some(max)) = (o.min_interval, o.max_interval) {
                if max < min {
                    problems.push(problem(
                        file,
                        &at("max_interval"),
                        format!(
                            "{} is shorter than min_interval ({})",
                            humantime::format_duration(max),
                            humantime::format_duration(min)
                        ),
                    ));
                    ok = false;
                }
            }
            if o.min_interval.is_some_and(|d| d < MIN_POLL_INTERVAL) {
                problems.push(problem(
                    file,
                    &at("min_interval"),
                    "must be at least 1s".into(),
                ));
                ok = false;
            }
        }
        if let (true, Some(url), Some(options)) = (ok, url, options) {
            out.push(Source {
                id: s.id,
                kind: s.kind,
                url,
                name: s.name.filter(|n| !n.trim().is_empty()),
                lang,
                poll_interval,
                enabled: s.enabled.unwrap_or(defaults.enabled),
                file: file.to_path_buf(),
                options,
            });
        }
    }
}

/// The kind-specific keys of `s`, checked against its kind; `None` when a
/// problem was recorded.
fn source_options(
    file: &Path,
    at: &dyn Fn(&str) -> String,
    s: &SourceFile,
    url: Option<&Url>,
    problems: &mut Vec<Problem>,
) -> Option<SourceOptions> {
    use SourceKind::*;
    let before = problems.len();
    let kind = s.kind;
    let mut only = |key: &str, set: bool, kinds: &[SourceKind]| {
        if set && !kinds.contains(&kind) {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            problems.push(problem(
                file,
                &at(key),
                format!(
                    "does not apply to kind \"{}\" (only to {})",
                    kind.as_str(),
                    names.join(", ")
                ),
            ));
        }
    };
    only("link_selector", s.link_selector.is_some(), &[Page]);
    only("date_selector", s.date_selector.is_some(), &[Page]);
    only("next_selector", s.next_selector.is_some(), &[Page]);
    only(
        "max_pages",
        s.max_pages.is_some(),
        &[Page, Sitemap, Telegram],
    );
    only("max_age", s.max_age.is_some(), &[Sitemap]);
    only("follow_links", s.follow_links.is_some(), &[Telegram]);
    only("include_replies", s.include_replies.is_some(), &[Mastodon]);
    only("api_base", s.api_base.is_some(), &[Mastodon, Bluesky, X]);
    only("token_env", s.token_env.is_some(), &[X]);
    only("token_file", s.token_file.is_some(), &[X]);
    only("rss_url", s.rss_url.is_some(), &[X]);
    if s.per_host_concurrency == Some(0) {
        problems.push(problem(
            file,
            &at("per_host_concurrency"),
            "must be at least 1".into(),
        ));
    }

    for (key, value) in [
        ("link_selector", &s.link_selector),
        ("date_selector", &s.date_selector),
        ("next_selector", &s.next_selector),
    ] {
        if let Some(css) = value {
            if let Err(e) = scraper::Selector::parse(css) {
                problems.push(problem(
                    file,
                    &at(key),
                    format!("'{css}' is not a valid CSS selector: {e}"),
                ));
            }
        }
    }
    if kind == Page
        && s.link_selector
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        problems.push(problem(
            file,
            &at("link_selector"),
            "is required for kind \"page\": a CSS selector of the article links, such as \"h2 a\""
                .into(),
        ));
    }
    if let Some(n) = s.max_pages {
        if n == 0 || n > MAX_PAGES_LIMIT {
            problems.push(problem(
                file,
                &at("max_pages"),
                format!("must be between 1 and {MAX_PAGES_LIMIT}"),
            ));
        }
    }
    if s.max_age.is_some_and(|d| d.is_zero()) {
        problems.push(problem(file, &at("max_age"), "must be more than 0s".into()));
    }
    let mut http_url = |key: &str, text: &Option<String>| -> Option<Url> {
        let text = text.as_deref()?;
        match Url::parse(text.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            _ => {
                problems.push(problem(
                    file,
                    &at(key),
                    format!("'{text}' is not an http(s) URL"),
                ));
                None
            }
        }
    };
    let api_base = http_url("api_base", &s.api_base);
    let rss_url = http_url("rss_url", &s.rss_url);
    if let Some(name) = &s.token_env {
        if name.is_empty() || name.contains('=') || name.contains('\0') {
            problems.push(problem(
                file,
                &at("token_env"),
                format!("'{name}' is not an environment variable name"),
            ));
        }
    }
    if let Some(url) = url {
        if let Some(message) = account_url_problem(kind, url) {
            problems.push(problem(file, &at("url"), message));
        }
    }
    if problems.len() > before {
        return None;
    }
    let base = file.parent().unwrap_or(Path::new(""));
    Some(SourceOptions {
        link_selector: s.link_selector.clone(),
        date_selector: s.date_selector.clone(),
        next_selector: s.next_selector.clone(),
        max_pages: s.max_pages,
        max_age: s.max_age,
        follow_links: s.follow_links.unwrap_or(false),
        include_replies: s.include_replies.unwrap_or(false),
        api_base,
        token_env: s.token_env.clone(),
        token_file: s.token_file.as_ref().map(|p| {
            if p.is_absolute() {
                p.clone()
            } else {
                base.join(p)
            }
        }),
        rss_url,
        // Filled in by `collect_sources`, which knows the defaults.
        min_interval: None,
        max_interval: None,
        per_host_concurrency: s.per_host_concurrency,
        per_host_delay: s.per_host_delay,
    })
}

/// What is wrong with `url` as the address of an account of `kind`, whose
/// sources read the account name from the URL's path.
fn account_url_problem(kind: SourceKind, url: &Url) -> Option<String> {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let (ok, shape) = match kind {
        SourceKind::Telegram => (
            matches!(segments.as_slice(), ["s", _] | [_]),
            "https://t.me/s/<channel> or https://t.me/<channel>",
        ),
        SourceKind::Mastodon => (
            matches!(segments.as_slice(), [user] if user.starts_with('@') && user.len() > 1),
            "https://<instance>/@<user>",
        ),
        SourceKind::Bluesky => (
            matches!(segments.as_slice(), ["profile", _]),
            "https://bsky.app/profile/<handle>",
        ),
        SourceKind::X => (matches!(segments.as_slice(), [_]), "https://x.com/<user>"),
        SourceKind::Feed | SourceKind::Page | SourceKind::Sitemap => return None,
    };
    (!ok).then(|| format!("'{url}' is not an account address; write it like {shape}"))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}
