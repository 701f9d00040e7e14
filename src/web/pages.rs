//! The pages: server-rendered HTML that works without JavaScript (there is
//! none), one form per page whose fields are the API's parameters, so that
//! every search has a URL to share.
//!
//! Everything shown comes through maud's templates, which escape every
//! interpolated value: a `<script>` in a title is text. Text from the open
//! web (titles, snippets, source names, errors) is also wrapped in `<bdi>`
//! or given `dir="auto"`, so a right-to-left override in it cannot reverse
//! the text around it. Links to originals are followed only for http and
//! https URLs.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};

use super::api::{self, ApiError};
use super::assets::stylesheet_path;
use super::params::{Params, MAX_DEPTH, PAGE_LIMIT};
use super::{auth, Site};
use crate::coverage::{self, chart, Coverage, Granularity, Split};
use crate::index::{Hit, SearchResults, Sort, HIGHLIGHT_END, HIGHLIGHT_START};
use crate::status::{SourceRow, WatchRow};
use crate::stories::report::StoriesReport;

/// The pages of the menu.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nav {
    Search,
    Stories,
    Coverage,
    Sources,
    Watches,
    None,
}

const MENU: [(Nav, &str, &str); 5] = [
    (Nav::Search, "/", "Search"),
    (Nav::Stories, "/stories", "Stories"),
    (Nav::Coverage, "/coverage", "Coverage"),
    (Nav::Sources, "/sources", "Sources"),
    (Nav::Watches, "/watches", "Watches"),
];

fn layout(title: &str, current: Nav, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · pressd" }
                link rel="stylesheet" href=(stylesheet_path());
            }
            body {
                header {
                    nav aria-label="pages" {
                        @for (nav, href, label) in MENU {
                            @if nav == current {
                                a href=(href) aria-current="page" { (label) }
                            } @else {
                                a href=(href) { (label) }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page as an answer with `status`.
fn page(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

fn error_box(e: &ApiError) -> Markup {
    html! {
        p.error role="alert" dir="auto" {
            @if let Some(p) = e.param { "Parameter " code { (p) } ": " }
            bdi { (e.message) }
        }
    }
}

/// A date as a person reads it, in UTC, with the exact time for machines.
fn date(d: Option<DateTime<Utc>>) -> Markup {
    match d {
        Some(d) => html! {
            time datetime=(crate::dates::rfc3339(d)) { (d.format("%Y-%m-%d %H:%M")) }
        },
        None => html! { "undated" },
    }
}

/// An RFC 3339 date of a status row, shortened for a table.
fn short_date(d: Option<&str>) -> Markup {
    match d {
        Some(d) => html! { time datetime=(d) { (d.replace('T', " ").trim_end_matches('Z')) } },
        None => html! { "–" },
    }
}

/// The snippet with its matched words in `<mark>`.
fn snippet(text: &str) -> Markup {
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(HIGHLIGHT_START) {
        let after = &rest[start + HIGHLIGHT_START.len()..];
        let Some(end) = after.find(HIGHLIGHT_END) else {
            break;
        };
        parts.push((false, &rest[..start]));
        parts.push((true, &after[..end]));
        rest = &after[end + HIGHLIGHT_END.len()..];
    }
    parts.push((false, rest));
    html! {
        @for (marked, part) in parts {
            @if marked { mark { (part) } } @else { (part) }
        }
    }
}

/// A link to an original, when its URL is one a browser should follow.
fn original(url: &str, text: Markup) -> Markup {
    let followable = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    html! {
        @if followable {
            a href=(url) rel="noopener noreferrer nofollow" { bdi { (text) } }
        } @else {
            bdi { (text) }
        }
    }
}

fn selected_value(v: &Option<String>) -> &str {
    v.as_deref().map(str::trim).unwrap_or_default()
}

/// A `<select>` of `options` (value, label) with `current` chosen; a
/// current value that is not an option is added, so the form shows what
/// the URL asks.
fn select(name: &str, label: &str, current: &str, options: &[(String, String)]) -> Markup {
    let known = options.iter().any(|(v, _)| v == current);
    html! {
        label {
            (label)
            select name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[value == current] { (text) }
                }
                @if !known {
                    option value=(current) selected { (current) }
                }
            }
        }
    }
}

/// `value`, or `default` when it is blank.
fn or<'a>(value: &'a str, default: &'a str) -> &'a str {
    if value.is_empty() {
        default
    } else {
        value
    }
}

fn named(values: &[&str], any: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), any.to_string()))
        .chain(values.iter().map(|v| (v.to_string(), v.to_string())))
        .collect()
}

/// The fields every selecting form has: words, language, source, kind
/// (when `kinds`: stories have articles of every kind), dates.
fn filter_fields(site: &Site, p: &Params, kinds: bool) -> Markup {
    let languages: Vec<&str> = site.config.languages.iter().map(String::as_str).collect();
    html! {
        label.words {
            "Search words"
            input type="search" name="q" value=(selected_value(&p.q)) dir="auto"
                placeholder="Hajiyev \"Bridge of Peace\"" autofocus;
        }
        (select("lang", "Language", selected_value(&p.lang), &named(&languages, "any")))
        label {
            "Sources (ids)"
            input type="text" name="source" value=(selected_value(&p.source)) size="12";
        }
        @if kinds {
            (select("kind", "Kind", selected_value(&p.kind), &named(&["article", "post"], "any")))
        }
        label { "Since" input type="date" name="since" value=(selected_value(&p.since)); }
        label { "Until" input type="date" name="until" value=(selected_value(&p.until)); }
    }
}

pub async fn search(State(site): State<Arc<Site>>, RawQuery(query): RawQuery) -> Response {
    let params = match Params::parse(query.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            let e = ApiError::from(e);
            return page(e.status, layout("Search", Nav::Search, error_box(&e)));
        }
    };
    let sorts: Vec<&str> = Sort::ALL.iter().map(|s| s.as_str()).collect();
    let form = html! {
        h1 { "Search" }
        form.query method="get" action="/" role="search" {
            (filter_fields(&site, &params, true))
            (select("sort", "Sort", selected_value(&params.sort), &named(&sorts[1..], "relevance")))
            button type="submit" { "Search" }
        }
    };
    let (status, found) = match params.query() {
        None => (StatusCode::OK, html! {}),
        Some(_) => match params.search_request(PAGE_LIMIT) {
            Err(e) => {
                let e = ApiError::from(e);
                (e.status, error_box(&e))
            }
            Ok(request) => {
                let (offset, limit) = (request.offset, request.limit);
                match api::find(&site, request).await {
                    Ok(results) => (StatusCode::OK, hits(&params, &results, offset, limit)),
                    Err(e) => (e.status, error_box(&e)),
                }
            }
        },
    };
    let title = params.query().unwrap_or("Search").to_string();
    page(
        status,
        layout(&title, Nav::Search, html! { (form) (found) }),
    )
}

fn hits(params: &Params, results: &SearchResults, offset: usize, limit: usize) -> Markup {
    let paging = Params {
        offset: None,
        ..params.clone()
    };
    let page_no = offset / limit + 1;
    let reachable = results.total.min(MAX_DEPTH);
    html! {
        p.summary {
            (coverage::thousands(results.total as u64)) " matching document(s)"
            @if !results.hits.is_empty() {
                ", " (offset + 1) "–" (offset + results.hits.len())
            }
            " · " a href={ "/coverage?" (paging.to_query(None)) } { "coverage of this search" }
            " · " a href={ "/api/search?" (paging.to_query(None)) } { "JSON" }
        }
        ol.hits start=(offset + 1) {
            @for hit in &results.hits { (hit_item(hit)) }
        }
        nav.pages aria-label="result pages" {
            @if page_no > 1 {
                a rel="prev" href={ "/?" (paging.to_query(Some(page_no - 1))) } { "← Previous" }
            }
            @if offset + limit < reachable {
                a rel="next" href={ "/?" (paging.to_query(Some(page_no + 1))) } { "Next →" }
            }
        }
    }
}

fn hit_item(hit: &Hit) -> Markup {
    let title = if hit.title.trim().is_empty() {
        hit.url.as_str()
    } else {
        hit.title.as_str()
    };
    html! {
        li.hit lang=(hit.lang) {
            h2 dir="auto" { (original(&hit.url, html! { (title) })) }
            p.meta {
                (date(hit.published)) " · " (hit.lang) " · " bdi.source { (hit.source) } " · " (hit.kind)
                @if let Some(story) = hit.story {
                    " · " a.story href={ "/story/" (story) } { "story " (story) }
                }
                @if let Some(copied) = &hit.duplicate_of {
                    " · copy of " (original(copied, html! { (copied) }))
                }
            }
            @if !hit.snippet.is_empty() {
                p.snippet dir="auto" { (snippet(&hit.snippet)) }
            }
        }
    }
}

pub async fn stories(State(site): State<Arc<Site>>, RawQuery(query): RawQuery) -> Response {
    let params = match Params::parse(query.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            let e = ApiError::from(e);
            return page(e.status, layout("Stories", Nav::Stories, error_box(&e)));
        }
    };
    let form = html! {
        h1 { "Stories" }
        form.query method="get" action="/stories" {
            (filter_fields(&site, &params, false))
            label {
                "At least"
                input type="number" name="min_articles" min="1" size="4"
                    value=(selected_value(&params.min_articles)) placeholder="1";
                " articles"
            }
            button type="submit" { "List" }
        }
    };
    let (status, listed) = match params.stories_request() {
        Err(e) => {
            let e = ApiError::from(e);
            (e.status, error_box(&e))
        }
        Ok(request) => match api::stories_of(&site, request).await {
            Ok(report) => (StatusCode::OK, stories_table(&params, &report)),
            Err(e) => (e.status, error_box(&e)),
        },
    };
    page(
        status,
        layout("Stories", Nav::Stories, html! { (form) (listed) }),
    )
}

/// A story's headline, or its id when the articles had no title.
fn headline(id: u64, title: &str) -> String {
    if title.trim().is_empty() {
        format!("Story {id}")
    } else {
        title.to_string()
    }
}

fn stories_table(params: &Params, report: &StoriesReport) -> Markup {
    let query = params.to_query(None);
    html! {
        p.summary {
            (coverage::thousands(report.total as u64)) " stories"
            @if report.stories.len() < report.total { ", the largest " (report.stories.len()) }
            " · " a href={ "/api/stories?" (query) } { "JSON" }
        }
        @if !report.stories.is_empty() {
            div.scroll { table.stories {
                thead { tr {
                    th { "Story" } th { "First" } th.n { "Articles" } th.n { "Copies" }
                    th { "Languages" } th { "First article" } th { "Last article" }
                } }
                tbody {
                    @for s in &report.stories {
                        tr {
                            td dir="auto" { a href={ "/story/" (s.id) } { bdi { (headline(s.id, &s.title)) } } }
                            td { (original(&s.first.url, html! { (s.first.source) })) " (" (s.first.lang) ")" }
                            td.n { (s.articles) }
                            td.n { (s.copies) }
                            td { (s.langs.join(" ")) }
                            td { (short_date(Some(&s.start))) }
                            td { (short_date(Some(&s.end))) }
                        }
                    }
                }
            } }
        }
    }
}

pub async fn story(State(site): State<Arc<Site>>, Path(id): Path<String>) -> Response {
    let story = match api::story_of(&site, &id).await {
        Ok(s) => s,
        Err(e) => return page(e.status, layout("Story", Nav::None, error_box(&e))),
    };
    let title = headline(story.id, &story.title);
    let body = html! {
        h1 dir="auto" { bdi { (title) } }
        p.summary {
            "Story " (story.id) " · " (story.articles.len()) " article(s) · "
            a href={ "/api/story/" (story.id) } { "JSON" }
        }
        @if !story.first_by_lang.is_empty() {
            h2 { "First in each language" }
            ul.firsts {
                @for (lang, first) in &story.first_by_lang {
                    li {
                        (lang) ": " (original(&first.url, html! { (first.source) }))
                        " · " (short_date(Some(&first.published)))
                    }
                }
            }
        }
        h2 { "Articles" }
        div.scroll { table.story {
            thead { tr {
                th { "Published" } th { "Source" } th { "Language" } th { "Title" } th { "Note" }
            } }
            tbody {
                @for row in &story.articles {
                    @let a = &row.article;
                    tr lang=(a.lang) {
                        td { (date(Some(a.published))) }
                        td { bdi.source { (a.source) } }
                        td { (a.lang) }
                        td dir="auto" {
                            (original(&a.url, html! { (if a.title.trim().is_empty() { a.url.as_str() } else { a.title.as_str() }) }))
                        }
                        td {
                            @if story.first_in_lang(a) { "first in " (a.lang) }
                            @if let Some(copied) = &a.duplicate_of {
                                @if story.first_in_lang(a) { br; }
                                // Named by its source when the original is
                                // among the story's articles, by its URL
                                // otherwise.
                                @let by = story.articles.iter().find(|r| &r.article.url == copied);
                                "copy of " (original(copied, html! {
                                    @if let Some(r) = by { (r.article.source) } @else { (copied) }
                                }))
                            }
                        }
                    }
                }
            }
        } }
    };
    page(StatusCode::OK, layout(&title, Nav::None, body))
}

pub async fn coverage(State(site): State<Arc<Site>>, RawQuery(query): RawQuery) -> Response {
    let params = match Params::parse(query.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            let e = ApiError::from(e);
            return page(e.status, layout("Coverage", Nav::Coverage, error_box(&e)));
        }
    };
    let bys: Vec<&str> = Granularity::ALL.iter().map(|g| g.as_str()).collect();
    let splits: Vec<&str> = Split::ALL.iter().map(|s| s.as_str()).collect();
    let by = |v: &[&str]| {
        v.iter()
            .map(|s| (s.to_string(), s.to_string()))
            .collect::<Vec<_>>()
    };
    let form = html! {
        h1 { "Coverage" }
        form.query method="get" action="/coverage" {
            (filter_fields(&site, &params, true))
            (select("by", "Per", or(selected_value(&params.by), Granularity::Day.as_str()), &by(&bys)))
            (select("split", "Split by", or(selected_value(&params.split), Split::Source.as_str()), &by(&splits)))
            label { "Time zone" input type="text" name="tz" value=(selected_value(&params.tz)) placeholder="UTC" size="12"; }
            button type="submit" { "Count" }
        }
    };
    let (status, counted) = match params.query() {
        None => (StatusCode::OK, html! {}),
        Some(_) => match params.coverage_request(&site.config) {
            Err(e) => {
                let e = ApiError::from(e);
                (e.status, error_box(&e))
            }
            Ok(request) => match api::count(&site, request).await {
                Ok(report) => (StatusCode::OK, coverage_report(&params, &report)),
                Err(e) => (e.status, error_box(&e)),
            },
        },
    };
    page(
        status,
        layout("Coverage", Nav::Coverage, html! { (form) (counted) }),
    )
}

fn coverage_report(params: &Params, report: &Coverage) -> Markup {
    let query = Params {
        offset: None,
        page: None,
        ..params.clone()
    }
    .to_query(None);
    html! {
        p.summary {
            (coverage::thousands(report.total)) " matching document(s) by " (report.by.as_str())
            " (" (report.tz.name()) "), split by " (report.split.as_str())
            @if report.undated > 0 { "; " (report.undated) " undated" }
            " · " a href={ "/coverage.csv?" (query) } download="coverage.csv" { "CSV" }
            " · " a href={ "/api/coverage?" (query) } { "JSON" }
            " · " a href={ "/?" (query) } { "the articles" }
        }
        @if report.total > 0 { (coverage_counts(&query, report)) }
    }
}

/// Buckets the coverage table shows at most, the latest: a page stays
/// small (an hour-by-hour month is 720 rows); the CSV has them all.
const TABLE_ROWS: usize = 400;

/// The chart and, beside it, the counts per bucket; who was first; which
/// languages said nothing.
fn coverage_counts(query: &str, report: &Coverage) -> Markup {
    let zone = report.tz;
    let shown = &report.buckets[report.buckets.len().saturating_sub(TABLE_ROWS)..];
    let values: Vec<&str> = report.totals.0.iter().map(|(v, _)| v.as_str()).collect();
    html! {
        div.columns {
            figure.chart {
                img src={ "/coverage.svg?" (query) } width=(chart::WIDTH) height=(chart::HEIGHT)
                    alt={ "Chart: " (report.total) " documents per " (report.by.as_str()) " split by " (report.split.as_str()) };
            }
            // A year by day and source is thousands of cells: numbers are
            // aligned by the table's class, not a class on each cell.
            div.scroll {
                table.counts {
                    thead { tr {
                        th { (report.by.as_str()) }
                        th { "total" }
                        @for v in &values { th { bdi { (v) } } }
                    } }
                    tbody {
                        @for b in shown {
                            tr {
                                td { (coverage::buckets::label(b.start.with_timezone(&Utc), report.by, zone)) }
                                td { (b.total) }
                                @for v in &values { td { (b.counts.get(v)) } }
                            }
                        }
                    }
                }
                @if shown.len() < report.buckets.len() {
                    p.summary {
                        "The latest " (shown.len()) " of " (report.buckets.len()) " rows; "
                        a href={ "/coverage.csv?" (query) } { "the CSV" } " has them all."
                    }
                }
            }
        }
        @if !report.first.is_empty() {
            h2 { "First by source" }
            div.scroll { table {
                @for f in &report.first {
                    tr {
                        td { (date(Some(f.published))) }
                        td { bdi { (f.source) } }
                        td dir="auto" { (original(&f.url, html! { (f.title) })) }
                    }
                }
            } }
        }
        @if let Some(missing) = &report.missing_langs {
            @if missing.is_empty() {
                p { "Every language of the press covered it." }
            } @else {
                p { "No coverage in: " (missing.join(", ")) }
            }
        }
    }
}

/// The count of a coverage request, or the page's error answer.
async fn counted(site: &Arc<Site>, query: Option<&str>) -> Result<(Params, Coverage), Response> {
    let plain = |e: ApiError| (e.status, e.message).into_response();
    let params = Params::parse(query).map_err(|e| plain(e.into()))?;
    let request = params
        .coverage_request(&site.config)
        .map_err(|e| plain(e.into()))?;
    let report = api::count(site, request).await.map_err(plain)?;
    Ok((params, report))
}

pub async fn coverage_svg(State(site): State<Arc<Site>>, RawQuery(query): RawQuery) -> Response {
    let (params, report) = match counted(&site, query.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let style = match params.chart_style() {
        Ok(s) => s,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    match chart::render(&report, style, chart::Format::Svg) {
        Ok(svg) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("image/svg+xml"),
                ),
                // The chart carries its own style and embedded font, and
                // no script.
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'none'; style-src 'unsafe-inline'; font-src data:; \
                         frame-ancestors 'none'",
                    ),
                ),
            ],
            svg,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "web: cannot draw the coverage chart");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot draw the chart").into_response()
        }
    }
}

pub async fn coverage_csv(State(site): State<Arc<Site>>, RawQuery(query): RawQuery) -> Response {
    let (_, report) = match counted(&site, query.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut bytes = Vec::new();
    if let Err(e) = coverage::export::csv(&mut bytes, &report) {
        tracing::warn!(error = %e, "web: cannot write the coverage CSV");
        return (StatusCode::INTERNAL_SERVER_ERROR, "cannot write the CSV").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"coverage.csv\"",
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The columns the sources table sorts by (`/sources?sort=...`).
const SOURCE_SORTS: [&str; 7] = [
    "id",
    "kind",
    "status",
    "last_success",
    "next_poll",
    "failures",
    "items",
];

fn sort_sources(rows: &mut [SourceRow], by: &str) {
    match by {
        "kind" => rows.sort_by(|a, b| a.kind.cmp(b.kind).then_with(|| a.id.cmp(&b.id))),
        // Those that need looking at first.
        "status" => rows.sort_by_key(|r| (r.status == "ok", r.status, r.id.clone())),
        "last_success" => rows.sort_by(|a, b| a.last_success.cmp(&b.last_success)),
        "next_poll" => rows.sort_by(|a, b| {
            (a.next_poll.is_none(), &a.next_poll).cmp(&(b.next_poll.is_none(), &b.next_poll))
        }),
        "failures" => rows.sort_by_key(|r| std::cmp::Reverse(r.consecutive_failures)),
        "items" => rows.sort_by_key(|r| std::cmp::Reverse(r.items_seen)),
        _ => rows.sort_by(|a, b| a.id.cmp(&b.id)),
    }
}

pub async fn sources(State(site): State<Arc<Site>>, RawQuery(query): RawQuery) -> Response {
    let sort = match Params::parse(query.as_deref()) {
        Ok(p) => p.sort,
        Err(e) => {
            let e = ApiError::from(e);
            return page(e.status, layout("Sources", Nav::Sources, error_box(&e)));
        }
    };
    let sort = sort.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = sort.filter(|s| !SOURCE_SORTS.contains(s)) {
        let e = ApiError::from(super::ParamError {
            param: "sort",
            message: format!("'{s}' is not one of {}", SOURCE_SORTS.join(", ")),
        });
        return page(e.status, layout("Sources", Nav::Sources, error_box(&e)));
    }
    let mut rows = match api::sources_of(&site).await {
        Ok(r) => r,
        Err(e) => return page(e.status, layout("Sources", Nav::Sources, error_box(&e))),
    };
    if let Some(s) = sort {
        sort_sources(&mut rows, s);
    }
    let head = |key: &str, label: &str| {
        html! {
            th { @if sort == Some(key) { (label) " ▾" } @else { a href={ "/sources?sort=" (key) } { (label) } } }
        }
    };
    let body = html! {
        h1 { "Sources" }
        p.summary { (rows.len()) " configured · " a href="/api/sources" { "JSON" } }
        div.scroll { table {
            thead { tr {
                (head("id", "Source")) (head("kind", "Kind")) (head("status", "Status"))
                (head("last_success", "Last success")) th { "Last new item" }
                (head("next_poll", "Next poll")) (head("failures", "Failures"))
                (head("items", "Items")) th { "Last error / reading" }
            } }
            tbody {
                @for r in &rows { (source_row(r)) }
            }
        } }
    };
    page(StatusCode::OK, layout("Sources", Nav::Sources, body))
}

fn source_row(r: &SourceRow) -> Markup {
    html! {
        tr {
            td {
                (original(&r.url, html! { (r.id) }))
                @if let Some(name) = &r.name { br; small dir="auto" { (name) } }
            }
            td { (r.kind) }
            td class={ "status-" (r.status) } { (r.status) }
            td { (short_date(r.last_success.as_deref())) }
            td { (short_date(r.last_new_item.as_deref())) }
            td { (short_date(r.next_poll.as_deref())) }
            td.n { (r.consecutive_failures) }
            td.n { (r.items_seen) }
            td dir="auto" { @if let Some(remark) = r.remark() { bdi { (remark) } } }
        }
    }
}

pub async fn watches(State(site): State<Arc<Site>>) -> Response {
    let rows = match api::watches_of(&site).await {
        Ok(r) => r,
        Err(e) => return page(e.status, layout("Watches", Nav::Watches, error_box(&e))),
    };
    let body = html! {
        h1 { "Watches" }
        p.summary { (rows.len()) " configured · " a href="/api/watches" { "JSON" } }
        div.scroll { table {
            thead { tr {
                th { "Watch" } th { "Query" } th { "Channels" } th.n { "Hits" }
                th { "Last delivery" } th.n { "Pending" } th.n { "Failures" }
            } }
            tbody { @for w in &rows { (watch_row(w)) } }
        } }
    };
    page(StatusCode::OK, layout("Watches", Nav::Watches, body))
}

fn watch_row(w: &WatchRow) -> Markup {
    let query = Params {
        q: Some(w.query.clone()),
        ..Params::default()
    }
    .to_query(None);
    html! {
        tr {
            td { (w.id) }
            td dir="auto" { a href={ "/?" (query) } { bdi { (w.query) } } }
            td { (w.channels.join(", ")) }
            td.n { (w.hits) }
            td {
                @if let Some(l) = &w.last_delivery {
                    (short_date(Some(&l.at))) " · " (l.channel) " · " span class={ "status-" (l.status) } { (l.status) }
                    @if let Some(e) = &l.error { br; small dir="auto" { bdi { (e) } } }
                } @else { "–" }
            }
            td.n { (w.pending) }
            td.n { (w.failures) }
        }
    }
}

fn login_page(status: StatusCode, wrong: bool) -> Response {
    let body = html! {
        h1 { "Sign in" }
        @if wrong { p.error role="alert" { "That is not the token." } }
        form.query method="post" action="/login" {
            label {
                "Token (from the server's web.auth_token_file)"
                input type="password" name="token" autocomplete="current-password" required autofocus;
            }
            button type="submit" { "Sign in" }
        }
    };
    page(status, layout("Sign in", Nav::None, body))
}

pub async fn login_form() -> Response {
    login_page(StatusCode::OK, false)
}

#[derive(serde::Deserialize)]
pub struct Login {
    token: String,
}

pub async fn login(State(site): State<Arc<Site>>, Form(form): Form<Login>) -> Response {
    let Some(token) = &site.token else {
        return Redirect::to("/").into_response();
    };
    if !token.matches(&form.token) {
        return login_page(StatusCode::UNAUTHORIZED, true);
    }
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Strict",
        auth::COOKIE,
        token.session()
    );
    let mut r = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

pub async fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        layout(
            "Not found",
            Nav::None,
            html! { h1 { "Not found" } p { a href="/" { "Search" } } },
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_matches_and_escape_the_rest() {
        let html = snippet("a <b>**Bakı**</b> **x").into_string();
        assert_eq!(html, "a &lt;b&gt;<mark>Bakı</mark>&lt;/b&gt; **x");
    }

    #[test]
    fn only_web_urls_become_links() {
        let link = original("https://ex.am/a", html! { "t" }).into_string();
        assert!(link.starts_with("<a href=\"https://ex.am/a\""), "{link}");
        let inert = original("javascript:alert(1)", html! { "t" }).into_string();
        assert_eq!(inert, "<bdi>t</bdi>");
    }
}
