//! Coverage: how many of the documents a search matches were published in
//! each hour, day, week or month, split by source, language or kind, with
//! each value's share, who published first, and (by language) which
//! configured languages said nothing. Counted by the index's aggregations
//! ([`crate::index::counts`]), never by listing hits; rendered as a chart by
//! [`chart`]. Bucket boundaries are the pure functions of [`buckets`].
//! Split by story ([`count_by_story`]), the matches are read one by one
//! (the index does not hold stories), a bounded number of them.
//!
//! It reads the index only (the stories come from its caller,
//! [`crate::stories::coverage`]) and knows nothing of the command line; `cli`
//! prints what [`count`] returns as a table, JSON or CSV ([`export`]), and
//! the web page shows the same.

pub mod buckets;
pub mod chart;
pub mod export;

use chrono::DateTime;
use chrono_tz::Tz;
use serde::ser::{SerializeMap, Serializer};

pub use buckets::Granularity;

use std::collections::HashMap;

use crate::index::{
    CountField, Counter, FirstArticle, Index, IndexError, Overview, RangeCounts, SearchRequest,
};

/// Most buckets one count may have (an hour-by-hour year is 8,760).
pub const MAX_BUCKETS: usize = 10_000;

/// Split values shown when the request does not say.
pub const DEFAULT_TOP: usize = 10;

/// The key under which values beyond the top ones are summed.
pub const OTHER: &str = "other";

/// What each bucket's count is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Source,
    Lang,
    Kind,
    /// The stories articles are grouped into ([`count_by_story`]).
    Story,
}

impl Split {
    pub const ALL: [Split; 4] = [Split::Source, Split::Lang, Split::Kind, Split::Story];

    pub fn as_str(self) -> &'static str {
        match self {
            Split::Source => "source",
            Split::Lang => "lang",
            Split::Kind => "kind",
            Split::Story => "story",
        }
    }
}

/// What to count.
#[derive(Debug, Clone)]
pub struct CoverageRequest {
    /// The documents counted: those `pressd search` finds for this request
    /// (query and filters; its sort and limit play no part).
    pub matching: SearchRequest,
    pub by: Granularity,
    pub split: Split,
    /// Zone of the bucket boundaries.
    pub zone: Tz,
    /// Split values shown by name, the most frequent; the rest are summed
    /// as [`OTHER`]. 0 shows every value.
    pub top: usize,
    /// The languages coverage is expected in (the press's, see
    /// [`crate::config::Config::press_languages`]), to tell which did not
    /// cover the query (with [`Split::Lang`]). Those a language filter of
    /// [`CoverageRequest::matching`] leaves out are not counted, so they
    /// are never said to be silent.
    pub languages: Vec<String>,
}

/// Why a coverage count could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    TooManyBuckets(#[from] buckets::TooManyBuckets),
    /// `--split story` without the state store that knows the stories
    /// (see [`count_by_story`]): refused rather than answered with
    /// something that is not a story.
    #[error("splitting by story needs the state store: split by source, lang or kind")]
    StoriesUnavailable,
    /// A story split reads every matching document's id; a query that
    /// matches more is refused rather than left to run for minutes.
    #[error(
        "{0} documents match: a split by story reads each one, at most {MAX_STORY_DOCUMENTS}; \
         narrow the query, the dates or the languages"
    )]
    TooManyForStories(u64),
}

/// Counts in (value, count) pairs, in the order of [`Coverage::totals`];
/// serialized as a JSON object in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts(pub Vec<(String, u64)>);

impl serde::Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (value, count) in &self.0 {
            map.serialize_entry(value, count)?;
        }
        map.end()
    }
}

impl Counts {
    /// The count of `value`, 0 when absent.
    pub fn get(&self, value: &str) -> u64 {
        self.0
            .iter()
            .find(|(v, _)| v == value)
            .map_or(0, |(_, n)| *n)
    }
}

/// One time bucket.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bucket {
    #[serde(serialize_with = "rfc3339")]
    pub start: DateTime<Tz>,
    #[serde(serialize_with = "rfc3339")]
    pub end: DateTime<Tz>,
    pub total: u64,
    /// Every shown value (zeros too) and [`OTHER`] when values were left out.
    pub counts: Counts,
}

/// The answer; its JSON form is `pressd coverage --format json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coverage {
    pub query: String,
    #[serde(serialize_with = "granularity")]
    pub by: Granularity,
    #[serde(serialize_with = "split")]
    pub split: Split,
    #[serde(serialize_with = "zone")]
    pub tz: Tz,
    /// Every matching document, as `pressd search` counts them.
    pub total: u64,
    /// Matching documents without a publication date: in the totals, in no
    /// bucket.
    pub undated: u64,
    /// Consecutive buckets from the first to the last (or over `--since`
    /// to `--until` where given), empty ones included.
    pub buckets: Vec<Bucket>,
    /// Matching documents per shown value (dated or not), most first, then
    /// [`OTHER`].
    pub totals: Counts,
    /// Each value's part of [`Coverage::total`], rounded to 4 places.
    pub shares: Vec<Share>,
    /// Each source's first matching article, earliest first.
    pub first: Vec<FirstArticle>,
    /// With [`Split::Lang`]: the expected languages
    /// ([`CoverageRequest::languages`]) without a single matching document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_langs: Option<Vec<String>>,
}

/// A split value's part of the coverage.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Share {
    pub value: String,
    pub count: u64,
    pub share: f64,
}

fn rfc3339<S: Serializer>(t: &DateTime<Tz>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn granularity<S: Serializer>(by: &Granularity, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(by.as_str())
}

fn split<S: Serializer>(split: &Split, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(split.as_str())
}

fn zone<S: Serializer>(zone: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(zone.name())
}

/// Counts `request` over `index`: two aggregation passes over the matches
/// (totals and date span, then counts per bucket) and one search for each
/// source's first article, all in one commit of the index.
pub fn count(index: &Index, request: &CoverageRequest) -> Result<Coverage, CoverageError> {
    let field = match request.split {
        Split::Source => CountField::Source,
        Split::Lang => CountField::Lang,
        Split::Kind => CountField::Kind,
        Split::Story => return Err(CoverageError::StoriesUnavailable),
    };
    let counter = index.counter(&request.matching)?;
    let overview = counter.overview(field)?;
    let bounds = bounds(request, &overview)?;
    let ranges = counter.by_ranges(field, &bounds)?;
    assemble(request, &counter, overview, &bounds, &ranges)
}

/// Most matching documents a split by story reads (each one's stored id).
pub const MAX_STORY_DOCUMENTS: u64 = 200_000;

/// The value of documents that belong to no story (stories turned off).
pub const NO_STORY: &str = "none";

/// [`count`] split by story: the index counts totals, dates and first
/// articles as for the other splits; the story of each matching document
/// comes from `stories_of` (document ids to story ids, from the state
/// store), and the buckets are counted here.
pub fn count_by_story(
    index: &Index,
    request: &CoverageRequest,
    stories_of: impl FnOnce(&[&str]) -> Result<HashMap<String, u64>, CoverageError>,
) -> Result<Coverage, CoverageError> {
    let counter = index.counter(&request.matching)?;
    let mut overview = counter.overview(CountField::Source)?;
    if overview.total > MAX_STORY_DOCUMENTS {
        return Err(CoverageError::TooManyForStories(overview.total));
    }
    let documents = counter.documents()?;
    let ids: Vec<&str> = documents.iter().map(|(id, _)| id.as_str()).collect();
    let stories = stories_of(&ids)?;
    let story = |id: &str| {
        stories
            .get(id)
            .map_or_else(|| NO_STORY.to_string(), u64::to_string)
    };
    let mut totals: HashMap<String, u64> = HashMap::new();
    for (id, _) in &documents {
        *totals.entry(story(id)).or_default() += 1;
    }
    let mut values: Vec<(String, u64)> = totals.into_iter().collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    overview.values = values;

    let bounds = bounds(request, &overview)?;
    let n = bounds.len().saturating_sub(1);
    let mut ranges = RangeCounts {
        totals: vec![0; n],
        values: vec![HashMap::new(); n],
    };
    for (id, published) in &documents {
        let Some(at) = published else { continue };
        // The range whose start is the last bound at or before `at`.
        let i = bounds.partition_point(|b| b <= at);
        if i == 0 || i > n {
            continue;
        }
        ranges.totals[i - 1] += 1;
        *ranges.values[i - 1].entry(story(id)).or_default() += 1;
    }
    assemble(request, &counter, overview, &bounds, &ranges)
}

/// The bucket bounds of `request` over the span of its matches.
fn bounds(
    request: &CoverageRequest,
    overview: &Overview,
) -> Result<Vec<DateTime<chrono::Utc>>, CoverageError> {
    let span = match (
        request.matching.since.or(overview.first),
        request.matching.until.or(overview.last),
    ) {
        (Some(first), Some(last)) => Some((first, last)),
        _ => None,
    };
    Ok(match span {
        Some((first, last)) => {
            buckets::boundaries(first, last, request.by, request.zone, MAX_BUCKETS)?
        }
        None => Vec::new(),
    })
}

/// The coverage from the index's overview and the counts per range.
fn assemble(
    request: &CoverageRequest,
    counter: &Counter<'_>,
    overview: Overview,
    bounds: &[DateTime<chrono::Utc>],
    ranges: &RangeCounts,
) -> Result<Coverage, CoverageError> {
    let (shown, rest) = top_values(&overview.values, request.top);
    let mut totals: Vec<(String, u64)> = shown.to_vec();
    let rest_total: u64 = rest.iter().map(|(_, n)| n).sum();
    if !rest.is_empty() {
        totals.push((OTHER.to_string(), rest_total));
    }
    let buckets = bounds
        .windows(2)
        .enumerate()
        .map(|(n, pair)| {
            let values = &ranges.values[n];
            let mut counts: Vec<(String, u64)> = shown
                .iter()
                .map(|(v, _)| (v.clone(), values.get(v).copied().unwrap_or(0)))
                .collect();
            if !rest.is_empty() {
                let named: u64 = counts.iter().map(|(_, c)| c).sum();
                counts.push((OTHER.to_string(), ranges.totals[n].saturating_sub(named)));
            }
            Bucket {
                start: pair[0].with_timezone(&request.zone),
                end: pair[1].with_timezone(&request.zone),
                total: ranges.totals[n],
                counts: Counts(counts),
            }
        })
        .collect();
    let shares = totals
        .iter()
        .map(|(value, count)| Share {
            value: value.clone(),
            count: *count,
            share: share(*count, overview.total),
        })
        .collect();

    let first = counter.first_articles(&overview.first_by_source)?;
    let missing_langs = (request.split == Split::Lang).then(|| {
        request
            .languages
            .iter()
            .filter(|l| request.matching.langs.is_empty() || request.matching.langs.contains(l))
            .filter(|l| !overview.values.iter().any(|(v, _)| v == *l))
            .cloned()
            .collect()
    });

    Ok(Coverage {
        query: request.matching.query.clone(),
        by: request.by,
        split: request.split,
        tz: request.zone,
        total: overview.total,
        undated: overview.total.saturating_sub(overview.dated),
        buckets,
        totals: Counts(totals),
        shares,
        first,
        missing_langs,
    })
}

/// (value, count) pairs.
type ValueCounts = [(String, u64)];

/// The `top` most frequent values and the rest (`values` is sorted most
/// first); 0 keeps them all.
fn top_values(values: &ValueCounts, top: usize) -> (&ValueCounts, &ValueCounts) {
    if top == 0 || values.len() <= top {
        (values, &[])
    } else {
        values.split_at(top)
    }
}

/// A count as a person reads it: `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn share(count: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (count as f64 / total as f64 * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keeps_the_most_frequent_and_sums_the_rest() {
        let values: Vec<(String, u64)> = [("a", 9), ("b", 5), ("c", 2), ("d", 1)]
            .iter()
            .map(|(v, n)| (v.to_string(), *n))
            .collect();
        let (shown, rest) = top_values(&values, 2);
        assert_eq!(shown.len(), 2);
        assert_eq!(rest.iter().map(|(_, n)| n).sum::<u64>(), 3);
        assert_eq!(top_values(&values, 0).0.len(), 4);
        assert_eq!(top_values(&values, 4).1.len(), 0);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn shares_are_rounded_parts_of_the_total() {
        assert_eq!(share(1, 3), 0.3333);
        assert_eq!(share(0, 0), 0.0);
        assert_eq!(share(5, 5), 1.0);
    }

    #[test]
    fn counts_serialize_as_an_object_in_their_order() {
        let counts = Counts(vec![("zeta".into(), 2), ("alpha".into(), 1)]);
        assert_eq!(
            serde_json::to_string(&counts).expect("json"),
            r#"{"zeta":2,"alpha":1}"#
        );
        assert_eq!(counts.get("alpha"), 1);
        assert_eq!(counts.get("beta"), 0);
    }
}
