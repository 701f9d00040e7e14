//! Query parameters: the command line's flags under the same names
//! (`q`, `lang`, `source`, `kind`, `since`, `until`, `exact`, `sort`,
//! `limit`; `by`, `split`, `top`, `tz`, `style` for coverage;
//! `min_articles` for stories), read into the same [`SearchRequest`],
//! [`CoverageRequest`] and [`StoriesRequest`] the CLI builds, with
//! the dates and zones of [`crate::dates`]. A value that does not parse is
//! a [`ParamError`] naming the parameter, which the API answers with 400.
//!
//! Also writes them back ([`Params::to_query`]) for the links of a page:
//! pagination, the coverage of a search, the CSV download.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::coverage::{chart, CoverageRequest, Granularity, Split};
use crate::dates::{parse_since, parse_until, parse_zone};
use crate::index::{SearchRequest, Sort};
use crate::stories::report::StoriesRequest;

/// Hits a search answers by default (`pressd search`'s `--limit`).
pub const API_LIMIT: usize = 10;

/// Hits on one page of the search page.
pub const PAGE_LIMIT: usize = 20;

/// Stories a listing answers by default (`pressd stories`'s `--limit`).
pub const STORIES_LIMIT: usize = 20;

/// Most hits one request may ask for: a page is read by a person, and an
/// export has the CLI.
pub const MAX_LIMIT: usize = 500;

/// Deepest hit a page may reach (`offset` + `limit`): each page costs the
/// top-N of everything before it.
pub const MAX_DEPTH: usize = 10_000;

/// The parameters as sent: every one optional, an empty one (a form's
/// blank field) the same as an absent one.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub q: Option<String>,
    pub lang: Option<String>,
    pub source: Option<String>,
    pub kind: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub exact: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// The search page's page number, from 1 (instead of `offset`).
    pub page: Option<String>,
    pub by: Option<String>,
    pub split: Option<String>,
    pub top: Option<String>,
    pub tz: Option<String>,
    pub style: Option<String>,
    /// `--min-articles` of `pressd stories`, under either spelling.
    #[serde(alias = "min-articles")]
    pub min_articles: Option<String>,
}

/// A parameter whose value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter `{param}`: {message}")]
pub struct ParamError {
    pub param: &'static str,
    pub message: String,
}

fn bad(param: &'static str, message: impl Into<String>) -> ParamError {
    ParamError {
        param,
        message: message.into(),
    }
}

/// A non-blank value.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Comma-separated values, as the CLI's `--lang az,ru`.
fn list(v: &Option<String>) -> Vec<String> {
    given(v)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// One of `names` (case-insensitive), the error listing them.
fn one_of<T: Copy>(
    param: &'static str,
    value: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T, ParamError> {
    all.iter()
        .copied()
        .find(|v| name(*v).eq_ignore_ascii_case(value))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            bad(
                param,
                format!("'{value}' is not one of {}", names.join(", ")),
            )
        })
}

fn number(param: &'static str, v: &Option<String>) -> Result<Option<usize>, ParamError> {
    given(v)
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| bad(param, format!("'{s}' is not a whole number")))
        })
        .transpose()
}

impl Params {
    /// The parameters of a query string (`None`: there was none).
    pub fn parse(query: Option<&str>) -> Result<Params, ParamError> {
        serde_urlencoded::from_str(query.unwrap_or_default())
            .map_err(|e| bad("query string", e.to_string()))
    }

    /// The query text, when one was given (blank is none).
    pub fn query(&self) -> Option<&str> {
        given(&self.q)
    }

    /// What a search selects, as `pressd search` builds it from the same
    /// flags; `default_limit` hits unless `limit` says otherwise.
    pub fn search_request(&self, default_limit: usize) -> Result<SearchRequest, ParamError> {
        let kinds = match given(&self.kind) {
            None => Vec::new(),
            Some(k) => {
                let kind = one_of("kind", k, &["article", "post"], |k| k)?;
                vec![kind.to_string()]
            }
        };
        let (since, until) = (self.since()?, self.until()?);
        let sort = match given(&self.sort) {
            None => Sort::Relevance,
            Some(s) => one_of("sort", s, &Sort::ALL, Sort::as_str)?,
        };
        let exact = match given(&self.exact) {
            None | Some("0" | "false" | "no") => false,
            Some("1" | "true" | "yes" | "on") => true,
            Some(other) => return Err(bad("exact", format!("'{other}' is not true or false"))),
        };
        let limit = self.limit(default_limit)?;
        let offset = match (number("offset", &self.offset)?, number("page", &self.page)?) {
            (Some(_), Some(_)) => return Err(bad("page", "give offset or page, not both")),
            (Some(o), None) => o,
            (None, Some(0)) => return Err(bad("page", "pages are numbered from 1")),
            (None, Some(p)) => (p - 1).saturating_mul(limit),
            (None, None) => 0,
        };
        if offset.saturating_add(limit) > MAX_DEPTH {
            return Err(bad(
                "offset",
                format!("at most the first {MAX_DEPTH} hits are served; narrow the search"),
            ));
        }
        Ok(SearchRequest {
            query: self.query().unwrap_or_default().to_string(),
            langs: list(&self.lang),
            sources: list(&self.source),
            kinds,
            since,
            until,
            sort,
            limit,
            offset,
            exact,
            ..SearchRequest::default()
        })
    }

    /// `since`, as the CLI's `--since` reads it.
    fn since(&self) -> Result<Option<DateTime<Utc>>, ParamError> {
        given(&self.since)
            .map(|s| parse_since(s).map_err(|m| bad("since", m)))
            .transpose()
    }

    /// `until`, as the CLI's `--until` reads it.
    fn until(&self) -> Result<Option<DateTime<Utc>>, ParamError> {
        given(&self.until)
            .map(|s| parse_until(s).map_err(|m| bad("until", m)))
            .transpose()
    }

    fn limit(&self, default_limit: usize) -> Result<usize, ParamError> {
        let limit = number("limit", &self.limit)?.unwrap_or(default_limit);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(bad("limit", format!("between 1 and {MAX_LIMIT}")));
        }
        Ok(limit)
    }

    /// What a stories listing selects, as `pressd stories` builds it from
    /// the same flags. The search's other parameters (`kind`, `sort`,
    /// `exact`, pages) are refused rather than ignored: a listing that
    /// silently dropped one would answer another question.
    pub fn stories_request(&self) -> Result<StoriesRequest, ParamError> {
        for (param, value) in [
            ("kind", &self.kind),
            ("sort", &self.sort),
            ("exact", &self.exact),
            ("offset", &self.offset),
            ("page", &self.page),
        ] {
            if given(value).is_some() {
                return Err(bad(param, "not a parameter of the stories listing"));
            }
        }
        let (since, until) = (self.since()?, self.until()?);
        let min_articles = number("min_articles", &self.min_articles)?.unwrap_or(1);
        Ok(StoriesRequest {
            query: self.query().map(str::to_string),
            langs: list(&self.lang),
            sources: list(&self.source),
            since,
            until,
            min_articles: min_articles as u64,
            limit: self.limit(STORIES_LIMIT)?,
        })
    }

    /// What a coverage count selects, as `pressd coverage` builds it.
    pub fn coverage_request(&self, config: &Config) -> Result<CoverageRequest, ParamError> {
        let matching = SearchRequest {
            sort: Sort::Relevance,
            limit: 0,
            offset: 0,
            ..self.search_request(API_LIMIT)?
        };
        let by = match given(&self.by) {
            None => Granularity::Day,
            Some(s) => one_of("by", s, &Granularity::ALL, Granularity::as_str)?,
        };
        let split = match given(&self.split) {
            None => Split::Source,
            Some(s) => one_of("split", s, &Split::ALL, Split::as_str)?,
        };
        let zone = match given(&self.tz) {
            None => chrono_tz::UTC,
            Some(s) => parse_zone(s).map_err(|m| bad("tz", m))?,
        };
        let top = number("top", &self.top)?.unwrap_or(crate::coverage::DEFAULT_TOP);
        Ok(CoverageRequest {
            matching,
            by,
            split,
            zone,
            top,
            languages: config.press_languages(),
        })
    }

    /// The chart style: `bars` (default) or `line`/`lines`.
    pub fn chart_style(&self) -> Result<chart::Style, ParamError> {
        match given(&self.style) {
            None | Some("bars") => Ok(chart::Style::Bars),
            Some("line" | "lines") => Ok(chart::Style::Lines),
            Some(other) => Err(bad("style", format!("'{other}' is not one of bars, line"))),
        }
    }

    /// The given parameters as a query string (without `?`), with `page`
    /// replaced by `page` (dropped when `None`): the links of a page keep
    /// the search they belong to.
    pub fn to_query(&self, page: Option<usize>) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        let pairs: [(&str, &Option<String>); 16] = [
            ("q", &self.q),
            ("lang", &self.lang),
            ("source", &self.source),
            ("kind", &self.kind),
            ("since", &self.since),
            ("until", &self.until),
            ("exact", &self.exact),
            ("sort", &self.sort),
            ("limit", &self.limit),
            ("offset", &self.offset),
            ("by", &self.by),
            ("split", &self.split),
            ("top", &self.top),
            ("tz", &self.tz),
            ("style", &self.style),
            ("min_articles", &self.min_articles),
        ];
        for (name, value) in pairs {
            if let Some(v) = given(value) {
                s.append_pair(name, v);
            }
        }
        if let Some(p) = page {
            s.append_pair("page", &p.to_string());
        }
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> Params {
        Params::parse(Some(query)).expect("parameters parse")
    }

    #[test]
    fn flags_read_as_the_cli_reads_them() {
        let r = params("q=Hajiyev&lang=az,ru&since=2025-11-01&sort=newest&limit=20")
            .search_request(API_LIMIT)
            .expect("valid");
        assert_eq!(r.query, "Hajiyev");
        assert_eq!(r.langs, ["az", "ru"]);
        assert_eq!(r.sort, Sort::Newest);
        assert_eq!(r.limit, 20);
        assert_eq!(
            r.since.map(crate::dates::rfc3339).as_deref(),
            Some("2025-11-01T00:00:00Z")
        );
    }

    #[test]
    fn blank_form_fields_are_absent() {
        let r = params("q=x&lang=&source=&since=&kind=")
            .search_request(PAGE_LIMIT)
            .expect("valid");
        assert!(r.langs.is_empty() && r.sources.is_empty() && r.kinds.is_empty());
        assert_eq!((r.since, r.limit), (None, PAGE_LIMIT));
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (query, param) in [
            ("q=x&since=yesterday", "since"),
            ("q=x&sort=best", "sort"),
            ("q=x&limit=0", "limit"),
            ("q=x&limit=many", "limit"),
            ("q=x&kind=video", "kind"),
            ("q=x&page=0", "page"),
            ("q=x&offset=100000", "offset"),
        ] {
            let e = params(query).search_request(API_LIMIT).expect_err(query);
            assert_eq!(e.param, param, "{query}: {e}");
        }
        let e = Params::parse(Some("q=x&colour=red")).expect_err("unknown");
        assert!(e.message.contains("colour"), "{e}");
    }

    #[test]
    fn pages_are_offsets_of_the_limit() {
        let r = params("q=x&page=3")
            .search_request(PAGE_LIMIT)
            .expect("valid");
        assert_eq!(r.offset, 2 * PAGE_LIMIT);
    }

    #[test]
    fn stories_read_the_flags_of_pressd_stories() {
        let r = params("q=k%C3%B6rp%C3%BC&lang=ru,az&min-articles=2&since=2025-06-01")
            .stories_request()
            .expect("valid");
        assert_eq!(r.query.as_deref(), Some("körpü"));
        assert_eq!(r.langs, ["ru", "az"]);
        assert_eq!((r.min_articles, r.limit), (2, STORIES_LIMIT));
        assert!(r.since.is_some() && r.until.is_none());
        let r = params("min_articles=3&q=")
            .stories_request()
            .expect("valid");
        assert_eq!((r.min_articles, r.query), (3, None));
        for (query, param) in [
            ("min_articles=two", "min_articles"),
            ("sort=newest", "sort"),
            ("limit=0", "limit"),
        ] {
            let e = params(query).stories_request().expect_err(query);
            assert_eq!(e.param, param, "{query}: {e}");
        }
    }

    #[test]
    fn links_keep_the_search_and_replace_the_page() {
        let p = params("q=Bakı+\"x\"&lang=az&page=2&since=");
        assert_eq!(p.to_query(Some(3)), "q=Bak%C4%B1+%22x%22&lang=az&page=3");
    }
}
