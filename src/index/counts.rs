//! Counting matching documents without listing them, for `pressd coverage`:
//! tantivy aggregations over the fast fields `published`, `source` and
//! `lang` (and filter aggregations on `kind`, which is not a fast field).
//!
//! Counts per time range use a histogram over `published` whenever the
//! ranges are made of whole steps of one width (days in a zone without
//! daylight-saving time are days of 86,400 s; days and months anywhere
//! are whole hours): a histogram nested in the split is about twice as
//! fast as a range aggregation with the split nested in it, which is kept
//! for ranges without such a step.
//!
//! The documents counted are exactly those [`search`](super::search) finds
//! for the same [`SearchRequest`] (its query and filters; sort and limit do
//! not matter), so totals agree with `pressd search`. A [`Counter`] holds one
//! searcher: everything it counts is of the same commit, even while the
//! daemon writes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tantivy::aggregation::agg_req::{Aggregation, AggregationVariants, Aggregations};
use tantivy::aggregation::agg_result::{
    AggregationResult, AggregationResults, BucketEntries, BucketResult, MetricResult,
};
use tantivy::aggregation::bucket::{
    FilterAggregation, HistogramAggregation, RangeAggregation, RangeAggregationRange,
    TermsAggregation,
};
use tantivy::aggregation::metric::{MinAggregation, StatsAggregation};
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard, Key};
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use super::search::{parse_query, with_filters};
use super::writer::{from_tantivy_date, to_tantivy_date};
use super::{Index, IndexError, SearchRequest};
use crate::item::ItemKind;

/// Most distinct values of one field counted (sources of an index, say);
/// beyond it the rarest are left out of per-value counts.
pub const MAX_VALUES: u32 = 10_000;

/// Buckets one count may fill: time buckets × values. An hour-by-hour year
/// split by 100 sources is 876,000.
const MAX_AGG_BUCKETS: u32 = 2_000_000;

/// Narrowest histogram step (seconds) worth using instead of ranges: a
/// quarter of an hour, what the zones' offsets are made of.
const MIN_STEP: i64 = 900;

/// What documents are counted by, besides time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountField {
    Source,
    Lang,
    /// `article` or `post` ([`ItemKind`]).
    Kind,
}

/// Counts over every matching document, dated or not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overview {
    /// Matching documents: what `pressd search` gives as its total.
    pub total: u64,
    /// Those with a publication date.
    pub dated: u64,
    /// Earliest and latest publication date among them.
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// Matching documents per value of the field counted by, most first
    /// (ties by value), values with none left out.
    pub values: Vec<(String, u64)>,
    /// Each source's earliest publication date among the matches, earliest
    /// first; sources whose matches are all undated are left out.
    pub first_by_source: Vec<(String, DateTime<Utc>)>,
}

/// A document's id and its publication date, if it has one.
pub type Dated = (String, Option<DateTime<Utc>>);

/// Counts of dated matching documents in consecutive time ranges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RangeCounts {
    /// Per range `bounds[i]..bounds[i + 1]`, start included, end excluded.
    pub totals: Vec<u64>,
    /// Per range, the count of each value with any.
    pub values: Vec<HashMap<String, u64>>,
}

/// A source's first matching document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FirstArticle {
    pub source: String,
    pub url: String,
    pub title: String,
    pub published: DateTime<Utc>,
}

/// Counts the documents of one request in one commit of the index.
pub struct Counter<'a> {
    index: &'a Index,
    searcher: Searcher,
    /// The request's query with its filters.
    query: BooleanQuery,
}

impl Index {
    /// A counter of the documents `request` matches, in the last committed
    /// state (see the [module docs](mod@self)).
    pub fn counter(&self, request: &SearchRequest) -> Result<Counter<'_>, IndexError> {
        let searcher = self.searcher()?;
        let query = with_filters(self, parse_query(self, request, &searcher)?.query, request);
        Ok(Counter {
            index: self,
            searcher,
            query,
        })
    }
}

impl Counter<'_> {
    /// Total, date span, per-value totals of `field`, and each source's
    /// first publication date, in one pass over the matches.
    pub fn overview(&self, field: CountField) -> Result<Overview, IndexError> {
        let published = self.field_name(self.index.fields.published);
        let mut aggs = Aggregations::default();
        aggs.insert(
            "dated".into(),
            metric(AggregationVariants::Stats(
                StatsAggregation::from_field_name(published.clone()),
            )),
        );
        self.insert_split(field, &mut aggs, &Aggregations::default());
        let mut first = Aggregations::default();
        first.insert(
            "first".into(),
            metric(AggregationVariants::Min(MinAggregation::from_field_name(
                published,
            ))),
        );
        aggs.insert(
            "sources".into(),
            bucket(
                AggregationVariants::Terms(self.terms(self.index.fields.source)),
                first,
            ),
        );
        let (total, results) = self
            .searcher
            .search(&self.query, &(Count, self.collector(aggs)))
            .map_err(|e| self.error("count", e))?;

        let (dated, first, last) = match results.0.get("dated") {
            Some(AggregationResult::MetricResult(MetricResult::Stats(stats))) => (
                stats.count,
                stats.min.and_then(date_from_nanos),
                stats.max.and_then(date_from_nanos),
            ),
            _ => (0, None, None),
        };
        let mut values: Vec<(String, u64)> = split_results(field, &results)
            .into_iter()
            .filter(|(_, n, _)| *n > 0)
            .map(|(v, n, _)| (v, n))
            .collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut first_by_source: Vec<(String, DateTime<Utc>)> = Vec::new();
        if let Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) =
            results.0.get("sources")
        {
            for entry in buckets {
                let earliest = match entry.sub_aggregation.0.get("first") {
                    Some(AggregationResult::MetricResult(MetricResult::Min(min))) => {
                        min.value.and_then(date_from_nanos)
                    }
                    _ => None,
                };
                if let (Key::Str(source), Some(earliest)) = (&entry.key, earliest) {
                    first_by_source.push((source.clone(), earliest));
                }
            }
        }
        first_by_source.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Overview {
            total: total as u64,
            dated,
            first,
            last,
            values,
            first_by_source,
        })
    }

    /// Dated matches per range `bounds[i]..bounds[i + 1]` (start included),
    /// in total and per value of `field`. `bounds` must be increasing.
    pub fn by_ranges(
        &self,
        field: CountField,
        bounds: &[DateTime<Utc>],
    ) -> Result<RangeCounts, IndexError> {
        let ranges = bounds.len().saturating_sub(1);
        if ranges == 0 {
            return Ok(RangeCounts::default());
        }
        match step(bounds) {
            Some(step) => self.by_steps(field, bounds, step),
            None => self.by_range_aggregation(field, bounds),
        }
    }

    /// [`Counter::by_ranges`] with a histogram of `step` seconds whose
    /// buckets each fall within one range.
    fn by_steps(
        &self,
        field: CountField,
        bounds: &[DateTime<Utc>],
        step: i64,
    ) -> Result<RangeCounts, IndexError> {
        let offset = bounds[0].timestamp().rem_euclid(step);
        let histogram = || {
            metric(AggregationVariants::Histogram(HistogramAggregation {
                field: self.field_name(self.index.fields.published),
                // Milliseconds for a date field.
                interval: (step * 1000) as f64,
                offset: Some((offset * 1000) as f64),
                // Only the steps with documents, not every step between.
                min_doc_count: Some(1),
                ..HistogramAggregation::default()
            }))
        };
        let mut per_step = Aggregations::default();
        per_step.insert(TIME.into(), histogram());
        let mut aggs = Aggregations::default();
        aggs.insert(TIME.into(), histogram());
        self.insert_split(field, &mut aggs, &per_step);
        let results = self
            .searcher
            .search(&self.query, &self.collector(aggs))
            .map_err(|e| self.error("count by time", e))?;

        let starts: Vec<i64> = bounds.iter().map(DateTime::timestamp).collect();
        let mut counts = RangeCounts {
            totals: vec![0; bounds.len() - 1],
            values: vec![HashMap::new(); bounds.len() - 1],
        };
        for (n, count) in steps(&results, &starts) {
            counts.totals[n] += count;
        }
        for (value, _, sub) in split_results(field, &results) {
            for (n, count) in steps(sub, &starts) {
                *counts.values[n].entry(value.clone()).or_default() += count;
            }
        }
        Ok(counts)
    }

    /// [`Counter::by_ranges`] with a range aggregation, for ranges that
    /// share no step.
    fn by_range_aggregation(
        &self,
        field: CountField,
        bounds: &[DateTime<Utc>],
    ) -> Result<RangeCounts, IndexError> {
        let ranges = bounds.len() - 1;
        let nanos = |t: &DateTime<Utc>| to_tantivy_date(*t).into_timestamp_nanos() as f64;
        let range = RangeAggregation {
            field: self.field_name(self.index.fields.published),
            ranges: bounds
                .windows(2)
                .enumerate()
                .map(|(n, pair)| RangeAggregationRange {
                    key: Some(n.to_string()),
                    from: Some(nanos(&pair[0])),
                    to: Some(nanos(&pair[1])),
                })
                .collect(),
            keyed: false,
        };
        let mut split = Aggregations::default();
        self.insert_split(field, &mut split, &Aggregations::default());
        let mut aggs = Aggregations::default();
        aggs.insert(
            TIME.into(),
            bucket(AggregationVariants::Range(range), split),
        );
        let results = self
            .searcher
            .search(&self.query, &self.collector(aggs))
            .map_err(|e| self.error("count by time", e))?;

        let mut counts = RangeCounts {
            totals: vec![0; ranges],
            values: vec![HashMap::new(); ranges],
        };
        if let Some(AggregationResult::BucketResult(BucketResult::Range { buckets })) =
            results.0.get(TIME)
        {
            let entries: Vec<_> = match buckets {
                BucketEntries::Vec(v) => v.iter().collect(),
                BucketEntries::HashMap(m) => m.values().collect(),
            };
            for entry in entries {
                // The two open-ended ranges tantivy adds have keys of their own.
                let Key::Str(key) = &entry.key else { continue };
                let Ok(n) = key.parse::<usize>() else {
                    continue;
                };
                if n >= ranges {
                    continue;
                }
                counts.totals[n] = entry.doc_count;
                counts.values[n] = split_results(field, &entry.sub_aggregation)
                    .into_iter()
                    .filter(|(_, c, _)| *c > 0)
                    .map(|(v, c, _)| (v, c))
                    .collect();
            }
        }
        Ok(counts)
    }

    /// Each source's first matching document: for each `(source, date)` of
    /// [`Overview::first_by_source`], the match of that source published at
    /// that date (the one with the smallest URL when several share the
    /// second), earliest first. One search for all sources.
    /// Each matching document's id and publication date, in no order: for
    /// splits by what the index does not hold (stories). Every document's
    /// stored fields are read, so callers bound how many.
    pub fn documents(&self) -> Result<Vec<Dated>, IndexError> {
        let f = &self.index.fields;
        let found = self
            .searcher
            .search(&self.query, &DocSetCollector)
            .map_err(|e| self.error("find the matching documents", e))?;
        let mut out = Vec::with_capacity(found.len());
        for address in found {
            let doc: TantivyDocument = self
                .searcher
                .doc(address)
                .map_err(|e| self.error("load a document", e))?;
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let published = doc
                .get_first(f.published)
                .and_then(|v| v.as_datetime())
                .and_then(from_tantivy_date);
            out.push((id, published));
        }
        Ok(out)
    }

    pub fn first_articles(
        &self,
        firsts: &[(String, DateTime<Utc>)],
    ) -> Result<Vec<FirstArticle>, IndexError> {
        if firsts.is_empty() {
            return Ok(Vec::new());
        }
        let f = &self.index.fields;
        let each: Vec<(Occur, Box<dyn Query>)> = firsts
            .iter()
            .map(|(source, published)| {
                // A term of the date, not a range: a range query on a fast
                // field scans the whole column, and fifty of them cost
                // tens of milliseconds at a million documents.
                let at = Term::from_field_date_for_search(f.published, to_tantivy_date(*published));
                let term = |term| -> Box<dyn Query> {
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                };
                let both: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                    (Occur::Must, term(Term::from_field_text(f.source, source))),
                    (Occur::Must, term(at)),
                ]));
                (Occur::Should, both)
            })
            .collect();
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(self.query.clone()) as Box<dyn Query>),
            (Occur::Must, Box::new(BooleanQuery::new(each))),
        ]);
        // No scores: the set of documents is all that is wanted.
        let found = self
            .searcher
            .search(&query, &DocSetCollector)
            .map_err(|e| self.error("find the first articles", e))?;
        let mut best: HashMap<String, FirstArticle> = HashMap::new();
        for address in found {
            let doc: TantivyDocument = self
                .searcher
                .doc(address)
                .map_err(|e| self.error("load a document", e))?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let source = text(f.source);
            let Some(published) = firsts
                .iter()
                .find(|(s, _)| *s == source)
                .map(|(_, published)| *published)
            else {
                continue;
            };
            let url = match text(f.url) {
                url if url.is_empty() => text(f.id),
                url => url,
            };
            let article = FirstArticle {
                source: source.clone(),
                url,
                title: text(f.title),
                published,
            };
            match best.get(&source) {
                Some(kept) if kept.url <= article.url => {}
                _ => {
                    best.insert(source, article);
                }
            }
        }
        let mut first: Vec<FirstArticle> = best.into_values().collect();
        first.sort_by(|a, b| {
            a.published
                .cmp(&b.published)
                .then_with(|| a.source.cmp(&b.source))
        });
        Ok(first)
    }

    /// Adds the per-value counts of `field` to `aggs`, with `sub` under
    /// each value: a terms aggregation on the fast field, or one filter
    /// aggregation per kind for `kind` (read back by [`split_results`]).
    fn insert_split(&self, field: CountField, aggs: &mut Aggregations, sub: &Aggregations) {
        let f = &self.index.fields;
        let terms = |field| bucket(AggregationVariants::Terms(self.terms(field)), sub.clone());
        match field {
            CountField::Source => {
                aggs.insert(VALUES.into(), terms(f.source));
            }
            CountField::Lang => {
                aggs.insert(VALUES.into(), terms(f.lang));
            }
            CountField::Kind => {
                let name = self.field_name(f.kind);
                for kind in ItemKind::ALL {
                    let query = format!("{name}:{}", kind.as_str());
                    aggs.insert(
                        kind_key(kind),
                        bucket(
                            AggregationVariants::Filter(FilterAggregation::new(query)),
                            sub.clone(),
                        ),
                    );
                }
            }
        }
    }

    fn terms(&self, field: tantivy::schema::Field) -> TermsAggregation {
        TermsAggregation {
            field: self.field_name(field),
            size: Some(MAX_VALUES),
            // Every segment reports every value, so counts are exact.
            segment_size: Some(MAX_VALUES),
            min_doc_count: Some(1),
            ..TermsAggregation::default()
        }
    }

    fn collector(&self, aggs: Aggregations) -> AggregationCollector {
        AggregationCollector::from_aggs(
            aggs,
            AggContextParams::new(
                AggregationLimitsGuard::new(None, Some(MAX_AGG_BUCKETS)),
                self.index.index.tokenizers().clone(),
            ),
        )
    }

    fn field_name(&self, field: tantivy::schema::Field) -> String {
        self.index.index.schema().get_field_name(field).to_string()
    }

    fn error(&self, action: &str, e: tantivy::TantivyError) -> IndexError {
        IndexError::tantivy(&self.index.dir, action, e)
    }
}

fn bucket(agg: AggregationVariants, sub_aggregation: Aggregations) -> Aggregation {
    Aggregation {
        agg,
        sub_aggregation,
    }
}

fn metric(agg: AggregationVariants) -> Aggregation {
    bucket(agg, Aggregations::default())
}

/// Name of the terms aggregation of [`Counter::insert_split`].
const VALUES: &str = "values";

/// Name of the filter aggregation of one kind.
fn kind_key(kind: ItemKind) -> String {
    format!("kind:{}", kind.as_str())
}

/// Reads what [`Counter::insert_split`] added: each value, its count and
/// the results of the aggregations under it.
fn split_results(
    field: CountField,
    results: &AggregationResults,
) -> Vec<(String, u64, &AggregationResults)> {
    if field == CountField::Kind {
        return ItemKind::ALL
            .iter()
            .filter_map(|&kind| match results.0.get(&kind_key(kind)) {
                Some(AggregationResult::BucketResult(BucketResult::Filter(one))) => Some((
                    kind.as_str().to_string(),
                    one.doc_count,
                    &one.sub_aggregations,
                )),
                _ => None,
            })
            .collect();
    }
    match results.0.get(VALUES) {
        Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) => buckets
            .iter()
            .filter_map(|entry| match &entry.key {
                Key::Str(value) => Some((value.clone(), entry.doc_count, &entry.sub_aggregation)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Name of the time aggregation (histogram or ranges) of a count.
const TIME: &str = "time";

/// The widest step (whole seconds, at least [`MIN_STEP`]) that every range
/// of `bounds` is a whole number of: the greatest common divisor of their
/// lengths. `None` when they have none that wide, or a bound is not on a
/// whole second.
fn step(bounds: &[DateTime<Utc>]) -> Option<i64> {
    if bounds.iter().any(|t| t.timestamp_subsec_nanos() != 0) {
        return None;
    }
    let step = bounds
        .windows(2)
        .map(|pair| pair[1].timestamp() - pair[0].timestamp())
        .fold(0, gcd);
    (step >= MIN_STEP).then_some(step)
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// The histogram of [`Counter::by_steps`] under `results` as (range index,
/// count) pairs: each step goes to the range `starts` (bound seconds) puts
/// it in.
fn steps(results: &AggregationResults, starts: &[i64]) -> Vec<(usize, u64)> {
    let Some(AggregationResult::BucketResult(BucketResult::Histogram { buckets })) =
        results.0.get(TIME)
    else {
        return Vec::new();
    };
    let entries: Vec<_> = match buckets {
        BucketEntries::Vec(v) => v.iter().collect(),
        BucketEntries::HashMap(m) => m.values().collect(),
    };
    let last = starts.len() - 1;
    entries
        .into_iter()
        .filter_map(|entry| {
            // Date histogram keys are milliseconds.
            let Key::F64(millis) = entry.key else {
                return None;
            };
            let start = (millis / 1000.0).round() as i64;
            let n = starts.partition_point(|&s| s <= start).checked_sub(1)?;
            (n < last).then_some((n, entry.doc_count))
        })
        .collect()
}

/// Tantivy gives date aggregates as nanoseconds in an `f64`: exact for the
/// whole seconds the index holds (10^9 is 2^9 × 1953125, and an `f64` holds
/// every multiple of 2^9 below 2^62, the year 2116).
fn date_from_nanos(nanos: f64) -> Option<DateTime<Utc>> {
    let seconds = (nanos / 1e9).round() as i64;
    from_tantivy_date(tantivy::DateTime::from_timestamp_secs(seconds))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::super::tests::{article, index_with};
    use super::*;
    use crate::article::Article;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid date")
            .with_timezone(&Utc)
    }

    fn doc(n: u32, source: &str, lang: &str, published: Option<&str>) -> Article {
        let mut a = article(
            &format!("https://c.example/{n}"),
            &format!("Summit {n}"),
            "summit news",
        );
        a.source = source.to_string();
        a.lang = lang.to_string();
        a.published = published.map(at);
        a
    }

    fn corpus() -> (tempfile::TempDir, Index) {
        let mut post = doc(6, "apa", "az", Some("2025-01-02T00:00:00Z"));
        post.kind = ItemKind::Post;
        index_with(&[
            doc(1, "apa", "az", Some("2025-01-01T10:00:00Z")),
            doc(2, "apa", "ru", Some("2025-01-01T23:59:59Z")),
            doc(3, "trend", "az", Some("2025-01-01T08:00:00Z")),
            doc(4, "news-am", "hy", Some("2025-01-03T12:00:00Z")),
            doc(5, "news-am", "hy", None),
            post,
            {
                let mut other = doc(7, "apa", "az", Some("2025-01-01T09:00:00Z"));
                other.body = "weather".into();
                other.title = "Weather".into();
                other
            },
        ])
    }

    fn request(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        }
    }

    #[test]
    fn overview_counts_every_match_and_its_span() {
        let (_dir, index) = corpus();
        let counter = index.counter(&request("summit")).expect("counter");
        let o = counter.overview(CountField::Source).expect("overview");
        assert_eq!(o.total, 6);
        assert_eq!(o.dated, 5);
        assert_eq!(o.first, Some(at("2025-01-01T08:00:00Z")));
        assert_eq!(o.last, Some(at("2025-01-03T12:00:00Z")));
        assert_eq!(
            o.values,
            [
                ("apa".to_string(), 3),
                ("news-am".to_string(), 2),
                ("trend".to_string(), 1)
            ]
        );
        assert_eq!(
            o.first_by_source,
            [
                ("trend".to_string(), at("2025-01-01T08:00:00Z")),
                ("apa".to_string(), at("2025-01-01T10:00:00Z")),
                ("news-am".to_string(), at("2025-01-03T12:00:00Z")),
            ]
        );
        // The same total as search.
        assert_eq!(index.search(&request("summit")).expect("search").total, 6);
        let by_kind = counter.overview(CountField::Kind).expect("kinds");
        assert_eq!(
            by_kind.values,
            [("article".to_string(), 5), ("post".to_string(), 1)]
        );
        let by_lang = counter.overview(CountField::Lang).expect("langs");
        assert_eq!(by_lang.values[0], ("az".to_string(), 3));
    }

    #[test]
    fn ranges_count_start_included_end_excluded() {
        let (_dir, index) = corpus();
        let counter = index.counter(&request("summit")).expect("counter");
        let bounds = [
            at("2025-01-01T00:00:00Z"),
            at("2025-01-02T00:00:00Z"),
            at("2025-01-03T00:00:00Z"),
            at("2025-01-04T00:00:00Z"),
        ];
        let r = counter
            .by_ranges(CountField::Source, &bounds)
            .expect("ranges");
        assert_eq!(r.totals, [3, 1, 1]);
        assert_eq!(r.values[0].get("apa"), Some(&2));
        assert_eq!(r.values[0].get("trend"), Some(&1));
        assert_eq!(r.values[1].get("apa"), Some(&1));
        assert_eq!(r.values[2].get("news-am"), Some(&1));
        let r = counter.by_ranges(CountField::Kind, &bounds).expect("kinds");
        assert_eq!(r.values[1].get("post"), Some(&1));
        assert_eq!(r.values[1].get("article"), None);
        assert_eq!(r.values[0].get("article"), Some(&3));
        assert!(counter
            .by_ranges(CountField::Lang, &bounds[..1])
            .expect("no range")
            .totals
            .is_empty());
    }

    #[test]
    fn filters_narrow_counts_as_they_narrow_search() {
        let (_dir, index) = corpus();
        let mut r = request("summit");
        r.langs = vec!["az".into()];
        r.since = Some(at("2025-01-01T09:30:00Z"));
        let o = index
            .counter(&r)
            .expect("counter")
            .overview(CountField::Source)
            .expect("overview");
        assert_eq!(o.total, index.search(&r).expect("search").total as u64);
        assert_eq!(o.total, 2);
    }

    #[test]
    fn first_articles_are_the_earliest_document_of_each_source() {
        let (_dir, index) = corpus();
        let counter = index.counter(&request("summit")).expect("counter");
        let overview = counter.overview(CountField::Source).expect("overview");
        let first = counter
            .first_articles(&overview.first_by_source)
            .expect("lookup");
        let got: Vec<(&str, &str)> = first
            .iter()
            .map(|f| (f.source.as_str(), f.url.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("trend", "https://c.example/3"),
                ("apa", "https://c.example/1"),
                ("news-am", "https://c.example/4"),
            ]
        );
        assert_eq!(first[1].title, "Summit 1");
        assert_eq!(first[1].published, at("2025-01-01T10:00:00Z"));
        // A date at which the source published nothing that matches.
        assert!(counter
            .first_articles(&[("apa".into(), at("2025-01-01T10:00:01Z"))])
            .expect("lookup")
            .is_empty());
    }

    #[test]
    fn steps_and_ranges_count_the_same() {
        let (_dir, index) = corpus();
        let counter = index.counter(&request("summit")).expect("counter");
        for bounds in [
            // Days: a step of a day.
            vec![
                at("2025-01-01T00:00:00Z"),
                at("2025-01-02T00:00:00Z"),
                at("2025-01-03T00:00:00Z"),
                at("2025-01-04T00:00:00Z"),
            ],
            // Days of 24 and 25 hours: a step of an hour.
            vec![
                at("2024-12-31T20:00:00Z"),
                at("2025-01-01T20:00:00Z"),
                at("2025-01-02T21:00:00Z"),
                at("2025-01-03T21:00:00Z"),
            ],
            // Ranges with no common step of a quarter hour or more.
            vec![
                at("2025-01-01T00:00:00Z"),
                at("2025-01-01T09:00:01Z"),
                at("2025-01-02T00:00:00Z"),
                at("2025-01-04T00:00:00Z"),
            ],
        ] {
            for field in [CountField::Source, CountField::Lang, CountField::Kind] {
                let by_steps = match step(&bounds) {
                    Some(s) => counter.by_steps(field, &bounds, s).expect("steps"),
                    None => counter.by_ranges(field, &bounds).expect("ranges"),
                };
                let by_ranges = counter
                    .by_range_aggregation(field, &bounds)
                    .expect("ranges");
                assert_eq!(by_steps, by_ranges, "{bounds:?} {field:?}");
            }
        }
        assert_eq!(step(&[at("2025-01-01T00:00:00Z")]), None);
        assert_eq!(
            step(&[
                at("2025-01-01T00:00:00Z"),
                at("2025-01-01T09:00:01Z"),
                at("2025-01-02T00:00:00Z")
            ]),
            None
        );
        let two = counter
            .by_ranges(
                CountField::Source,
                &[
                    at("2024-12-31T20:00:00Z"),
                    at("2025-01-01T20:00:00Z"),
                    at("2025-01-02T21:00:00Z"),
                ],
            )
            .expect("two days");
        // 08:00 and 10:00 of the 1st; 23:59:59 of the 1st and 00:00 of the
        // 2nd (09:00 is about the weather).
        assert_eq!(two.totals, [2, 2]);
        assert_eq!(two.values[1].get("apa"), Some(&2));
    }

    #[test]
    fn dates_come_back_to_the_second() {
        let t = Utc
            .with_ymd_and_hms(2099, 12, 31, 23, 59, 59)
            .single()
            .expect("valid");
        let nanos = to_tantivy_date(t).into_timestamp_nanos() as f64;
        assert_eq!(date_from_nanos(nanos), Some(t));
    }
}
