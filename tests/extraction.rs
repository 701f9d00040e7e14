//! Extraction regression guards for pressd issue 3: the body F1 on the
//! public benchmark must not slip, and metadata (dates in the page's own
//! zone stored as UTC, titles without the site name, author lists,
//! canonical URLs) must come out right on boilerplate-heavy pages written
//! for these tests (`tests/fixtures/extract/`).

mod bench;

use pressd::extract::{extract, Extracted};
use std::path::Path;
use url::Url;

/// The target, a little below the 0.977 measured when this guard
/// was written: a change that costs real accuracy fails, while a trade of a
/// few shingles between pages passes.
const F1_FLOOR: f64 = 0.970;

/// Issue 3: F1 on all pages of the public benchmark, no empty result.
#[test]
fn benchmark_f1_stays_above_floor() {
    let dir = Path::new("../shared/bench/extraction");
    if !dir.join("html").is_dir() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let pages = bench::load(dir).expect("benchmark pages");
    assert!(pages.len() >= 181, "only {} pages", pages.len());
    let mut scorer = bench::Scorer::new();
    let mut empty = Vec::new();
    for page in &pages {
        // One page at a time: the extractor's output is scored and dropped.
        let body = extract(&page.html, page.url.as_ref()).body;
        if body.trim().is_empty() {
            empty.push(page.id.clone());
        }
        scorer.add(&body, &page.truth);
    }
    assert!(empty.is_empty(), "empty results for {empty:?}");
    assert!(
        scorer.f1() >= F1_FLOOR,
        "F1 {:.4} (P {:.4}, R {:.4}) fell below {F1_FLOOR}",
        scorer.f1(),
        scorer.precision(),
        scorer.recall()
    );
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/extract")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(name: &str, url: Option<&str>) -> Extracted {
    let url = url.map(|u| Url::parse(u).expect("test url"));
    extract(&fixture(name), url.as_ref())
}

fn published(e: &Extracted) -> String {
    e.published.map(|d| d.to_rfc3339()).unwrap_or_default()
}

fn assert_body(e: &Extracted, wanted: &[&str], unwanted: &[&str]) {
    for w in wanted {
        assert!(e.body.contains(w), "missing {w:?} in {:?}", e.body);
    }
    for u in unwanted {
        assert!(!e.body.contains(u), "boilerplate {u:?} in {:?}", e.body);
    }
}

/// JSON-LD publication date against a later visible "Yenilənib" (updated)
/// stamp; a "Report.az :: " title prefix on a subdomain, no og:site_name;
/// two authors after a label, the JSON-LD author being the organisation.
#[test]
fn azerbaijani_page_with_prefixed_title_and_updated_stamp() {
    let url = "https://az.report.az/saglamliq/gencede-yeni-usaq-xestexanasi";
    for u in [Some(url), None] {
        let e = run("az_report_prefix.html", u);
        assert_eq!(
            e.title.as_deref(),
            Some("Gəncədə yeni uşaq xəstəxanası istifadəyə verilib"),
            "url {u:?}"
        );
        assert_eq!(published(&e), "2021-03-15T05:40:00+00:00");
        assert_eq!(e.authors, ["Rəşad Məmmədli", "Leyla Əliyeva"]);
    }
    let e = run("az_report_prefix.html", Some(url));
    assert_eq!(
        e.canonical_url.as_ref().map(Url::as_str),
        Some("https://az.report.az/saglamliq/gencede-yeni-usaq-xestexanasi?utm_source=rss")
    );
    assert_body(
        &e,
        &[
            "Gəncə şəhərində 200 çarpayılıq",
            "qonşu rayonların əhalisinə",
        ],
        &[
            "kukilərdən",
            "Digər xəbərlər",
            "metro stansiyasının",
            "Ən çox oxunan",
            "hüquqlar",
        ],
    );
}

/// The date only in a data-layer script, offset without colon and just
/// after local midnight (so the UTC day differs); a " - Armenpress" suffix
/// with no og:site_name.
#[test]
fn armenian_page_with_date_only_in_a_script() {
    let url = "https://armenpress.am/hy/article/1054321";
    for u in [Some(url), None] {
        let e = run("hy_script_date.html", u);
        assert_eq!(
            e.title.as_deref(),
            Some("Կառավարությունը հաստատեց գյուղատնտեսության աջակցության նոր ծրագիրը"),
            "url {u:?}"
        );
        assert_eq!(published(&e), "2021-06-01T21:05:00+00:00");
        assert!(e.authors.is_empty(), "{:?}", e.authors);
        assert_eq!(
            e.canonical_url.as_ref().map(Url::as_str),
            Some("https://armenpress.am/hy/article/1054321")
        );
    }
    let e = run("hy_script_date.html", Some(url));
    assert_body(
        &e,
        &["ԵՐԵՎԱՆ, ԱՐՄԵՆՊՐԵՍ", "դիմումների ընդունումը"],
        &["Այլ նորություններ", "Սևանա լճի", "Կիսվել", "իրավունքները"],
    );
}

/// `+0300` offsets in meta tags, a visible "Обновлено" stamp written before
/// "Опубликовано", a relative canonical link, a labelled two-name byline.
#[test]
fn russian_page_with_offsets_without_colon() {
    let e = run(
        "ru_offset_no_colon.html",
        Some("https://kavkaz-news.example/society/20201230/most-kura.html?from=rss"),
    );
    assert_eq!(
        e.title.as_deref(),
        Some("В Тбилиси открылся новый мост через Куру")
    );
    assert_eq!(published(&e), "2020-12-30T20:50:00+00:00");
    assert_eq!(e.authors, ["Анна Петросян", "Иван Иванов"]);
    assert_eq!(
        e.canonical_url.as_ref().map(Url::as_str),
        Some("https://kavkaz-news.example/society/20201230/most-kura.html")
    );
    assert_body(
        &e,
        &[
            "открылся новый автомобильный мост",
            "в начале следующего года",
        ],
        &["Читайте также", "Наконец-то", "Поделиться", "перепечатке"],
    );
}

/// No machine-readable publication date at all (JSON-LD has only
/// dateModified): the visible "Updated" stamp comes first and must lose to
/// "First published"; the site name as a title prefix without og:site_name;
/// "By A and B, staff writers".
#[test]
fn english_page_with_only_visible_dates() {
    let e = run(
        "en_updated_first.html",
        Some("https://www.caucasusherald.example/business/georgian-wine-exports"),
    );
    assert_eq!(
        e.title.as_deref(),
        Some("Georgian wine exports reach a record high")
    );
    assert_eq!(
        e.published.map(|d| d.date_naive().to_string()).as_deref(),
        Some("2022-01-11")
    );
    assert_eq!(e.authors, ["Nino Beridze", "Thomas Miller"]);
    assert_eq!(e.canonical_url, None);
    assert_body(
        &e,
        &["Georgia exported more wine", "not just for Georgian wine"],
        &[
            "Subscribe to our newsletter",
            "morning briefing",
            "Trending",
            "Kazbegi",
            "Copyright",
        ],
    );
}
