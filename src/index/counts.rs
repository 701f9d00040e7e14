//! Counting matching documents without listing them, for `pressd coverage`:
//! tantivy aggregations over the fast fields `published`, `source` and
//! `lang` (and filter aggregations on `kind`, which is not a fast field).
//!
//! The documents counted are exactly those [`search`](super::search) finds
//! for the same [`SearchRequest`] (its query and filters; sort and limit do
//! not matter), so totals agree with `pressd search`. A [`Counter`] holds one
//! searcher: everything it counts is of the same commit, even while the
//! daemon writes.

use std::collections::HashMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::aggregation::agg_req::{Aggregation, AggregationVariants, Aggregations};
use tantivy::aggregation::agg_result::{
    AggregationResult, AggregationResults, BucketEntries, BucketResult, MetricResult,
};
use tantivy::aggregation::bucket::{
    FilterAggregation, RangeAggregation, RangeAggregationRange, TermsAggregation,
};
use tantivy::aggregation::metric::{MinAggregation, StatsAggregation};
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard, Key};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

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
        self.reader
            .reload()
            .map_err(|e| IndexError::tantivy(&self.dir, "reload the reader", e))?;
        let searcher = self.reader.searcher();
        let query = with_filters(self, parse_query(self, request)?, request);
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
        self.insert_split(field, &mut aggs);
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
        let mut values: Vec<(String, u64)> = split_counts(field, &results)
            .into_iter()
            .filter(|(_, n)| *n > 0)
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
        self.insert_split(field, &mut split);
        let mut aggs = Aggregations::default();
        aggs.insert(
            "ranges".into(),
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
            results.0.get("ranges")
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
                counts.values[n] = split_counts(field, &entry.sub_aggregation)
                    .into_iter()
                    .filter(|(_, c)| *c > 0)
                    .collect();
            }
        }
        Ok(counts)
    }

    /// The document of `source` published at `published` among the matches:
    /// with [`Overview::first_by_source`], who covered it first.
    pub fn first_article(
        &self,
        source: &str,
        published: DateTime<Utc>,
    ) -> Result<Option<FirstArticle>, IndexError> {
        let f = &self.index.fields;
        let at = Term::from_field_date_for_search(f.published, to_tantivy_date(published));
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(self.query.clone()) as Box<dyn Query>),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.source, source),
                    IndexRecordOption::Basic,
                )),
            ),
            (
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(at.clone()),
                    Bound::Included(at),
                )),
            ),
        ]);
        let top: Vec<(tantivy::Score, DocAddress)> = self
            .searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(|e| self.error("find the first article", e))?;
        let Some((_, address)) = top.into_iter().next() else {
            return Ok(None);
        };
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
        let url = match text(f.url) {
            url if url.is_empty() => text(f.id),
            url => url,
        };
        Ok(Some(FirstArticle {
            source: source.to_string(),
            url,
            title: text(f.title),
            published,
        }))
    }

    /// Adds the per-value counts of `field` to `aggs`: a terms aggregation
    /// on the fast field, or one filter aggregation per kind for `kind`
    /// (read back by [`split_counts`]).
    fn insert_split(&self, field: CountField, aggs: &mut Aggregations) {
        let f = &self.index.fields;
        let terms = |field| metric(AggregationVariants::Terms(self.terms(field)));
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
                        metric(AggregationVariants::Filter(FilterAggregation::new(query))),
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

/// Reads what [`Counter::insert_split`] added as (value, count) pairs.
fn split_counts(field: CountField, results: &AggregationResults) -> Vec<(String, u64)> {
    if field == CountField::Kind {
        return ItemKind::ALL
            .iter()
            .filter_map(|&kind| match results.0.get(&kind_key(kind)) {
                Some(AggregationResult::BucketResult(BucketResult::Filter(one))) => {
                    Some((kind.as_str().to_string(), one.doc_count))
                }
                _ => None,
            })
            .collect();
    }
    match results.0.get(VALUES) {
        Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) => buckets
            .iter()
            .filter_map(|entry| match &entry.key {
                Key::Str(value) => Some((value.clone(), entry.doc_count)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
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
    fn first_article_names_the_earliest_document_of_a_source() {
        let (_dir, index) = corpus();
        let counter = index.counter(&request("summit")).expect("counter");
        let first = counter
            .first_article("apa", at("2025-01-01T10:00:00Z"))
            .expect("lookup")
            .expect("found");
        assert_eq!(first.url, "https://c.example/1");
        assert_eq!(first.title, "Summit 1");
        assert!(counter
            .first_article("apa", at("2025-01-01T10:00:01Z"))
            .expect("lookup")
            .is_none());
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
