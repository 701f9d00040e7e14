//! HTML → article: metadata (JSON-LD, OpenGraph, `<meta>`, `<time>`), main
//! text without boilerplate, canonical URL. Pure: knows nothing of tokio,
//! reqwest, tantivy or the config.
//!
//! The page is parsed once with html5ever (`scraper`) and copied into a
//! compact arena ([`dom`]) in the same walk that gathers the metadata; the
//! main text ([`body`]) and the metadata ([`meta`], [`date`]) are then read
//! from that arena without further parsing.
//!
//! Two parts serve the rest of the crate as well: [`date`] reads dates as
//! pages, feeds, sitemaps and APIs write them, and [`text`] turns HTML into
//! plain text (the fragments of feeds and posts as well as whole pages).

mod body;
pub mod date;
mod dom;
mod meta;
pub mod text;

use chrono::{DateTime, Utc};
use url::Url;

/// What a page yields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// Headline without the site-name suffix.
    pub title: Option<String>,
    /// Main text, paragraphs separated by blank lines ("\n\n").
    pub body: String,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    /// `<link rel=canonical>` or `og:url`, resolved against the page URL.
    pub canonical_url: Option<Url>,
    /// `<html lang>` as written (`hy`, `ru-RU`).
    pub html_lang: Option<String>,
    /// `og:locale` as written (`az_AZ`).
    pub og_locale: Option<String>,
}

/// Extract the article from a decoded HTML page fetched from `url`.
pub fn extract(html: &str, url: Option<&Url>) -> Extracted {
    let parsed = scraper::Html::parse_document(html);
    let doc = dom::build(&parsed);
    drop(parsed);
    let ld = meta::json_ld(&doc);
    let title = meta::title(&doc, &ld, url);
    let mut text = body::main_text(&doc, ld.body.as_deref());
    if text.chars().count() < NOSCRIPT_FALLBACK_CHARS && !doc.noscript.is_empty() {
        // The visible page has next to no text: read what it shows to
        // browsers without JavaScript.
        let inner = dom::build(&scraper::Html::parse_document(&doc.noscript));
        let hidden = body::main_text(&inner, None);
        if hidden.chars().count() > 2 * text.chars().count() {
            text = hidden;
        }
    }
    let body = without_teaser_runs(without_headline(text, title.as_deref()));
    let published = meta::published(&doc, &ld, url, &body);
    Extracted {
        title,
        published: published.map(|d| d.with_timezone(&Utc)),
        authors: meta::authors(&doc, &ld, url),
        canonical_url: meta::canonical(&doc, url),
        html_lang: doc.html_lang.clone(),
        og_locale: meta::meta(&doc, "og:locale").map(str::to_string),
        body,
    }
}

/// Body length under which `<noscript>` content is read as a candidate.
const NOSCRIPT_FALLBACK_CHARS: usize = 250;

/// Drop a first paragraph that only repeats the headline (pages that mark
/// their title up as a paragraph or `h2`).
fn without_headline(body: String, title: Option<&str>) -> String {
    let Some(title) = title else { return body };
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (first, rest) = body.split_once("\n\n").unwrap_or((body.as_str(), ""));
    if !rest.is_empty() && !first.is_empty() && key(first) == key(title) {
        rest.to_string()
    } else {
        body
    }
}

/// Drop runs of two or more adjacent excerpt-length paragraphs that each end
/// in an ellipsis: lists of other stories' teasers, cut at a fixed length,
/// that share a container with the article. A lone paragraph trailing off,
/// or short "Here's the thing …" lead-ins, stay.
fn without_teaser_runs(body: String) -> String {
    const EXCERPT_CHARS: usize = 100;
    let paras: Vec<&str> = body.split("\n\n").collect();
    let cut: Vec<bool> = paras
        .iter()
        .map(|p| {
            let p = p.trim_end();
            (p.ends_with('…') || p.ends_with("...")) && p.chars().count() >= EXCERPT_CHARS
        })
        .collect();
    let in_run = |i: usize| cut[i] && ((i > 0 && cut[i - 1]) || cut.get(i + 1) == Some(&true));
    if !(0..paras.len()).any(in_run) {
        return body;
    }
    let kept: Vec<&str> = (0..paras.len())
        .filter(|&i| !in_run(i))
        .map(|i| paras[i])
        .collect();
    // Never trade the whole text for nothing.
    if kept.iter().all(|p| p.trim().is_empty()) {
        return body;
    }
    kept.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, FixedOffset};
    use std::path::Path;

    fn page_url(s: &str) -> Url {
        Url::parse(s).expect("test url")
    }

    /// A news page with the usual furniture around `body_html`.
    fn furnished(lang: &str, head: &str, body_html: &str) -> String {
        format!(
            r##"<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>
<div id="cookie-banner"><p>We use cookies to improve your experience on this website. By continuing you agree to it.</p><button>OK</button></div>
<header class="site-header"><a href="/">Logo</a><nav><ul><li><a href="/politics">Politics</a></li><li><a href="/economy">Economy</a></li><li><a href="/sport">Sport</a></li><li><a href="/world">World</a></li></ul></nav></header>
<div class="container"><div class="row">
<main><article>{body_html}
<div class="share-bar"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Telegram</a></div>
</article>
<section class="related-news"><h3>Related news</h3><ul>
<li><a href="/a1">A long headline of a related article that nobody wants in the body text</a></li>
<li><a href="/a2">Another long headline of a related article that should be left out</a></li>
<li><a href="/a3">A third related headline, also a link, also not part of this story</a></li></ul></section>
<div id="comments"><h3>Comments</h3><div class="comment"><p>This is a reader comment which is long enough to look like a paragraph of prose.</p></div></div>
</main>
<aside class="sidebar"><h3>Most read</h3><p>A sidebar blurb that is quite long and could be mistaken for prose by a naive extractor.</p></aside>
</div></div>
<div class="newsletter-box"><p>Subscribe to our newsletter and get the best stories of the day in your inbox every morning.</p></div>
<footer><p>© 2024 The Outlet. All rights reserved. Reproduction of materials is allowed only with a link to the source.</p></footer>
</body></html>"##
        )
    }

    fn assert_clean(body: &str, wanted: &[&str]) {
        for w in wanted {
            assert!(body.contains(w), "missing {w:?} in {body:?}");
        }
        for junk in [
            "cookies",
            "Politics",
            "Facebook",
            "related article",
            "reader comment",
            "sidebar blurb",
            "newsletter",
            "All rights reserved",
            "Logo",
        ] {
            assert!(!body.contains(junk), "boilerplate {junk:?} in {body:?}");
        }
    }

    #[test]
    fn azerbaijani_article_without_boilerplate() {
        let html = furnished(
            "az",
            r#"<title>Prezident yeni fərman imzalayıb | Report.az</title><meta property="og:site_name" content="Report.az"><meta property="og:locale" content="az_AZ">"#,
            r#"<h1>Prezident yeni fərman imzalayıb</h1><div class="article-body">
<p>Azərbaycan Prezidenti İlham Əliyev bu gün yeni fərman imzalayıb. Fərman ölkənin iqtisadi inkişafı ilə bağlıdır.</p>
<p>Sənədə əsasən, regionlarda yeni infrastruktur layihələri həyata keçiriləcək və əhalinin rifahı yaxşılaşdırılacaq.</p>
<p>Qeyd edək ki, bu il ərzində analoji sənədlər artıq bir neçə dəfə imzalanıb, nəticələri isə ilin sonunda açıqlanacaq.</p></div>"#,
        );
        let u = page_url("https://report.az/daxili-siyaset/prezident-ferman/");
        let e = extract(&html, Some(&u));
        assert_clean(
            &e.body,
            &["İlham Əliyev bu gün", "regionlarda yeni", "ilin sonunda"],
        );
        assert_eq!(e.body.matches("\n\n").count(), 2, "{:?}", e.body);
        assert_eq!(e.title.as_deref(), Some("Prezident yeni fərman imzalayıb"));
        assert_eq!(e.html_lang.as_deref(), Some("az"));
        assert_eq!(e.og_locale.as_deref(), Some("az_AZ"));
    }

    #[test]
    fn armenian_article_without_boilerplate() {
        let html = furnished(
            "hy",
            r#"<title>Կառավարությունը հաստատել է նոր ծրագիրը - Armenpress</title>"#,
            r#"<h1>Կառավարությունը հաստատել է նոր ծրագիրը</h1><time datetime="2024-03-05T11:20:00+04:00">05.03.2024</time>
<p>Կառավարության այսօրվա նիստում հաստատվել է կրթական նոր ծրագիրը, որը նախատեսում է դպրոցների վերանորոգում։</p>
<p>Ծրագրի իրականացման համար կհատկացվի լրացուցիչ ֆինանսավորում, իսկ աշխատանքները կմեկնարկեն գարնանը։</p>
<p>Նախարարի խոսքով՝ առաջին փուլում կվերանորոգվեն մարզային տասնհինգ դպրոցներ, իսկ մնացածը՝ հաջորդ տարի։</p>"#,
        );
        let u = page_url("https://armenpress.am/hy/article/1234");
        let e = extract(&html, Some(&u));
        assert_clean(&e.body, &["կրթական նոր ծրագիրը", "կմեկնարկեն գարնանը"]);
        assert_eq!(
            e.title.as_deref(),
            Some("Կառավարությունը հաստատել է նոր ծրագիրը")
        );
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2024-03-05T07:20:00+00:00")
        );
    }

    #[test]
    fn russian_article_with_json_ld() {
        let html = furnished(
            "ru",
            r#"<title>News.am :: В Ереване прошла встреча министров</title>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"News.am"},
{"@type":"NewsArticle","headline":"В Ереване прошла встреча министров","datePublished":"2023-07-14T09:05:00+0400","dateModified":"2023-07-15T10:00:00+04:00",
"author":[{"@type":"Person","name":"Анна Петросян"},{"@type":"Person","name":"Иван Иванов"}]}]}</script>"#,
            r#"<h1>В Ереване прошла встреча министров</h1><div class="byline">Автор: Анна Петросян</div>
<p>В Ереване в пятницу прошла встреча министров иностранных дел, на которой обсуждались вопросы региональной безопасности.</p>
<p>По итогам переговоров стороны договорились продолжить диалог и провести следующую встречу осенью.</p>
<p>Министры также обсудили транспортные проекты и подписали меморандум о сотрудничестве в сфере образования.</p>"#,
        );
        let u = page_url("https://news.am/rus/news/1.html");
        let e = extract(&html, Some(&u));
        assert_clean(
            &e.body,
            &["встреча министров иностранных дел", "встречу осенью"],
        );
        assert_eq!(
            e.title.as_deref(),
            Some("В Ереване прошла встреча министров")
        );
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2023-07-14T05:05:00+00:00")
        );
        assert_eq!(e.authors, vec!["Анна Петросян", "Иван Иванов"]);
    }

    #[test]
    fn english_article_with_meta() {
        let html = furnished(
            "en",
            r#"<title>Talks resume in Brussels | The Outlet</title><meta property="og:site_name" content="The Outlet">
<meta name="author" content="By Jane Doe and John Smith"><meta property="article:published_time" content="2022-02-01T16:00:00Z">
<meta property="article:modified_time" content="2022-02-03T16:00:00Z"><link rel="canonical" href="/world/talks-resume?ref=x">"#,
            r#"<h1>Talks resume in Brussels</h1><figure><img src="a.jpg"><figcaption>Delegates arrive.</figcaption></figure>
<p>Negotiators returned to the table in Brussels on Tuesday, hoping to settle the questions left open last year.</p>
<h2>What is at stake</h2>
<p>Both sides say a deal is within reach, although several technical issues remain unresolved, officials said.</p>
<blockquote><p>We are closer than we have ever been, one diplomat told reporters after the first session.</p></blockquote>"#,
        );
        let u = page_url("https://example.com/world/talks-resume");
        let e = extract(&html, Some(&u));
        assert_clean(
            &e.body,
            &[
                "Negotiators returned",
                "What is at stake",
                "closer than we have ever been",
            ],
        );
        assert_eq!(e.title.as_deref(), Some("Talks resume in Brussels"));
        assert_eq!(e.authors, vec!["Jane Doe", "John Smith"]);
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2022-02-01T16:00:00+00:00")
        );
        assert_eq!(
            e.canonical_url.as_ref().map(Url::as_str),
            Some("https://example.com/world/talks-resume?ref=x")
        );
    }

    #[test]
    fn bare_paragraphs_are_never_lost() {
        let html = "<html><body><div><p>Short page.</p><p>It has only two tiny paragraphs, but they are visible text.</p></div></body></html>";
        let e = extract(html, None);
        assert!(e.body.contains("two tiny paragraphs"), "{:?}", e.body);
        assert!(e.title.is_none());
        let e = extract("", None);
        assert_eq!(e, Extracted::default());
    }

    #[test]
    fn inline_words_stay_apart_and_headline_is_not_repeated() {
        let html = r#"<html><head><meta property="og:title" content="Առավել մանրամասն"></head><body><article>
<p>Առավել մանրամասն</p>
<p><b>Առավել</b> <b>մանրամասն</b>՝ <a href="/x">թերթի</a> <i>այսօրվա</i> համարում, որտեղ կան նաեւ այլ մանրամասներ ու մեկնաբանություններ։</p>
</article></body></html>"#;
        let e = extract(html, None);
        assert!(
            e.body
                .starts_with("Առավել մանրամասն՝ թերթի այսօրվա համարում"),
            "{:?}",
            e.body
        );
    }

    #[test]
    fn teaser_cards_are_left_out() {
        for (list, item) in [("ul", "li"), ("div", "div")] {
            let card = |n: u32| {
                format!(
                    r#"<{item}><h3><a href="/s{n}">Another story number {n} with a long linked headline</a></h3>
<p>The summary of that other story reads like prose and is long enough to be scored as a paragraph.</p></{item}>"#
                )
            };
            let cards: String = (0..4).map(card).collect();
            let html = format!(
                r#"<html><body><div><h1>Main story</h1>
<p>The main story opens with a paragraph of prose that is long enough to be counted as content by the scorer.</p>
<p>It continues with a second paragraph, which adds detail, quotes and context to what the first one said.</p>
<p>Read more: <a href="/older">an older story on the same subject</a>, which gives the background.</p>
<{list}>{cards}</{list}></div></body></html>"#
            );
            let e = extract(&html, None);
            assert!(e.body.contains("second paragraph"), "{:?}", e.body);
            assert!(e.body.contains("Read more"), "{:?}", e.body);
            assert!(
                !e.body.contains("summary of that other story"),
                "{item}: {:?}",
                e.body
            );
        }
    }

    #[test]
    fn text_only_in_odd_places_is_still_found() {
        let html = r#"<html><body><header><p>The whole page text sits inside a header element, which is usually boilerplate.</p></header>
<footer><a href="/">Home</a></footer></body></html>"#;
        let e = extract(html, None);
        assert!(e.body.starts_with("The whole page text"), "{:?}", e.body);
    }

    #[test]
    fn json_ld_body_is_a_fallback() {
        let html = r#"<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"H",
"articleBody":"The whole story is only in the structured data, which some pages render with JavaScript later on."}</script></head>
<body><nav><a href="/">Home</a></nav><div id="app"></div></body></html>"#;
        let e = extract(html, None);
        assert!(e.body.starts_with("The whole story"), "{:?}", e.body);
    }

    #[test]
    fn truncated_and_odd_input_never_panics() {
        let html = furnished(
            "hy",
            r#"<title>Վերնագիր | Կայք</title><script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","datePublished":"2020-1"#,
            "<p>Տեքստ՝ «մեջբերումով» ու <a href=x>հղումով</a>։</p><time datetime=\"+0300\">x</time>",
        );
        let mut cut = 0;
        while cut <= html.len() {
            if html.is_char_boundary(cut) {
                let _ = extract(&html[..cut], None);
            }
            cut += 7;
        }
        for odd in [
            "<",
            "<html",
            "\u{feff}<p>x",
            "<p>\0</p>",
            "<a href='https://[::1'>x</a>",
        ] {
            let _ = extract(odd, Some(&page_url("https://example.com/")));
        }
    }

    #[test]
    fn title_suffixes_and_prefixes() {
        let sites = vec!["Report.az".to_string()];
        let host = Some("report.az");
        let clean = |t: &str, confirm: &[String]| meta::clean_title(t, &sites, host, confirm);
        assert_eq!(clean("Xəbər başlığı | Report.az", &[]), "Xəbər başlığı");
        assert_eq!(clean("Report.az - Xəbər başlığı", &[]), "Xəbər başlığı");
        assert_eq!(
            meta::clean_title("Title - Armenpress", &[], Some("armenpress.am"), &[]),
            "Title"
        );
        assert_eq!(
            meta::clean_title("News.am :: Заголовок статьи", &[], Some("news.am"), &[]),
            "Заголовок статьи"
        );
        assert_eq!(
            meta::clean_title(
                "Головна новина дня - 24 Канал",
                &["24 Канал".into()],
                None,
                &[]
            ),
            "Головна новина дня"
        );
        let e = extract(
            "<html><head><title>Daily Gazette</title><meta property=og:site_name content=\"Daily Gazette\"></head><body><h1><a href=/>Daily Gazette</a></h1><h1>Storm hits the coast</h1></body></html>",
            None,
        );
        assert_eq!(e.title.as_deref(), Some("Storm hits the coast"));
        // A dash inside the headline stays when nothing names the site.
        assert_eq!(
            clean("Baku - Tbilisi railway reopens", &[]),
            "Baku - Tbilisi railway reopens"
        );
        // The shorter part wins only when another candidate confirms it.
        let confirm = vec!["Baku railway reopens after repairs".to_string()];
        assert_eq!(
            meta::clean_title(
                "Baku railway reopens after repairs | Daily Gazette",
                &[],
                None,
                &confirm
            ),
            "Baku railway reopens after repairs"
        );
    }

    #[test]
    fn author_cleaning() {
        let raw = vec![
            "By Jane Doe, John Smith".to_string(),
            "jane doe".to_string(),
            "https://example.com/authors/jd".to_string(),
            "news@example.com".to_string(),
            "Report.az".to_string(),
            "Анна Петросян и Иван Иванов".to_string(),
            "ავტორი: თამარ გელაშვილი".to_string(),
            "Հեղինակ՝ Անի Սարգսյան".to_string(),
            "Müəllif: Rəşad Məmmədli".to_string(),
        ];
        let got = meta::clean_authors(&raw, &["Report.az".to_string()], Some("report.az"));
        assert_eq!(
            got,
            vec![
                "Jane Doe",
                "John Smith",
                "Анна Петросян",
                "Иван Иванов",
                "თამარ გელაშვილი",
                "Անի Սարգսյան",
                "Rəşad Məmmədli"
            ]
        );
    }

    #[test]
    fn canonical_urls() {
        let base = page_url("https://example.com/a/b?utm=1");
        let e = extract(
            r#"<html><head><meta property="og:url" content="https://example.com/og"></head></html>"#,
            Some(&base),
        );
        assert_eq!(
            e.canonical_url.as_ref().map(Url::as_str),
            Some("https://example.com/og")
        );
        let e = extract(
            r#"<html><head><link rel="canonical" href="javascript:void(0)"><meta property="og:url" content="/rel"></head></html>"#,
            Some(&base),
        );
        assert_eq!(
            e.canonical_url.as_ref().map(Url::as_str),
            Some("https://example.com/rel")
        );
        let e = extract(
            r#"<html><head><link rel="canonical" href="/rel"></head></html>"#,
            None,
        );
        assert_eq!(e.canonical_url, None);
    }

    #[test]
    fn json_ld_in_arrays_with_organization_author() {
        let html = r#"<html><head><script type="application/ld+json">
[{"@type":"BreadcrumbList","itemListElement":[]},
 {"@type":["NewsArticle"],"headline":"Xəbər","datePublished":"2020-12-01T14:02:00+06:00",
  "author":[{"@type":"Organization","name":"APA"},{"@type":"Person","name":"Leyla Əliyeva"}],
  "publisher":{"@type":"Organization","name":"APA"}}]
</script></head><body><p>Text.</p></body></html>"#;
        let e = extract(html, None);
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2020-12-01T08:02:00+00:00")
        );
        assert_eq!(e.authors, vec!["Leyla Əliyeva"]);
        assert_eq!(e.title.as_deref(), Some("Xəbər"));
    }

    #[test]
    fn published_prefers_published_over_modified() {
        let html = r#"<html><head><meta property="article:modified_time" content="2021-05-02T10:00:00+02:00"></head><body>
<article><time class="updated" datetime="2021-05-02T10:00:00+02:00">2 May</time><time pubdate datetime="2021-05-01T23:30:00-03:00">1 May</time><p>Text of the story that is long enough to count as a paragraph of prose.</p></article></body></html>"#;
        let e = extract(html, None);
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2021-05-02T02:30:00+00:00")
        );
    }

    #[test]
    fn published_from_itemprop_text() {
        let html = r#"<html><body><div itemscope itemtype="http://schema.org/NewsArticle"><h1 itemprop="name">T</h1>
<span itemprop="datePublished">5 мая 2021, 10:15</span><p>Текст новости.</p></div></body></html>"#;
        let e = extract(html, None);
        assert_eq!(
            e.published.map(|d| d.date_naive().to_string()).as_deref(),
            Some("2021-05-05")
        );
    }

    #[test]
    fn published_from_visible_text_and_url() {
        let html = "<html><body><div class=\"date\">Published 24 November 2020</div><p>A paragraph of text without any machine-readable date at all in the markup.</p></body></html>";
        let e = extract(html, None);
        assert_eq!(
            e.published.map(|d| d.date_naive().to_string()).as_deref(),
            Some("2020-11-24")
        );
        let u = page_url("https://example.com/2019/03/07/story");
        let e = extract("<html><body><p>No date here.</p></body></html>", Some(&u));
        assert_eq!(
            e.published.map(|d| d.date_naive().to_string()).as_deref(),
            Some("2019-03-07")
        );
    }

    /// Publication date in the page's own offset, as the extractor found it.
    fn local_published(html: &str, url: Option<&Url>) -> Option<DateTime<FixedOffset>> {
        let parsed = scraper::Html::parse_document(html);
        let doc = dom::build(&parsed);
        let ld = meta::json_ld(&doc);
        let body = body::main_text(&doc, ld.body.as_deref());
        meta::published(&doc, &ld, url, &body)
    }

    #[test]
    fn real_pages_dates_match_ground_truth() {
        let root = Path::new("../shared/fixtures/realworld");
        let truth_path = root.join("d_article_metadata/eval_mediacloud_2020.json");
        let Ok(raw) = std::fs::read_to_string(&truth_path) else {
            eprintln!("skipping: {} not found", truth_path.display());
            return;
        };
        // The annotation file writes unknown dates as a bare NaN, which JSON
        // does not allow.
        let truth: serde_json::Value =
            serde_json::from_str(&raw.replace("NaN", "null")).expect("truth json");
        let mut checked = 0;
        for dir in ["a_regional_outlets", "d_article_metadata"] {
            let entries = std::fs::read_dir(root.join(dir)).expect("fixture dir");
            for entry in entries {
                let path = entry.expect("dir entry").path();
                if path.extension().is_none_or(|e| e != "html") {
                    continue;
                }
                let file = path
                    .file_name()
                    .and_then(|f| f.to_str())
                    .expect("file name");
                let Some((url, want)) =
                    truth.as_object().expect("map").iter().find_map(|(u, v)| {
                        (v["file"] == file)
                            .then(|| (u.clone(), v["date"].as_str().map(str::to_string)))
                    })
                else {
                    continue;
                };
                let Some(want) = want else { continue };
                let html =
                    String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
                let u = Url::parse(&url).expect("truth url");
                let got =
                    local_published(&html, Some(&u)).unwrap_or_else(|| panic!("{file}: no date"));
                let local = got.date_naive().to_string();
                let utc = got.naive_utc().date().to_string();
                // The annotators mostly wrote the day in the outlet's own
                // zone; for a few pages stamped just after local midnight
                // (TASS 00:16+03:00) they wrote the UTC day.
                assert!(
                    local == want || utc == want,
                    "{file}: got {got} want {want}"
                );
                let e = extract(&html, Some(&u));
                assert!(e.title.is_some(), "{file}: no title");
                assert!(e.body.chars().count() > 200, "{file}: body {:?}", e.body);
                checked += 1;
            }
        }
        assert!(checked >= 7, "only {checked} pages checked");
    }

    #[test]
    fn site_names_from_subdomains_and_domain_like_segments() {
        let clean = |t: &str, host: Option<&str>| meta::clean_title(t, &[], host, &[]);
        // The brand is not the first label of the host.
        assert_eq!(
            clean("Заголовок новости - Armenpress", Some("en.armenpress.am")),
            "Заголовок новости"
        );
        assert_eq!(
            clean(
                "The Caucasus Herald | Wine exports grow",
                Some("www.caucasusherald.com")
            ),
            "Wine exports grow"
        );
        // No address known: a segment that is one domain name is the site.
        assert_eq!(clean("NEWS.am :: Լուրեր Երևանից", None), "Լուրեր Երևանից");
        assert_eq!(clean("Xəbər başlığı | Oxu.Az", None), "Xəbər başlığı");
        // A version number or a plain word is not a domain.
        assert_eq!(
            clean("Release 2.0 - What changed", None),
            "Release 2.0 - What changed"
        );
        assert_eq!(clean("Baku - Tbilisi", None), "Baku - Tbilisi");
    }

    #[test]
    fn bylines_drop_role_descriptions() {
        let raw = vec![
            "By Nino Beridze and Thomas Miller, staff writers".to_string(),
            "Staffan Lindqvist; наш корреспондент".to_string(),
        ];
        assert_eq!(
            meta::clean_authors(&raw, &[], None),
            vec!["Nino Beridze", "Thomas Miller", "Staffan Lindqvist"]
        );
    }

    #[test]
    fn publication_dates_in_scripts() {
        let page = |script: &str| {
            format!(
                "<html><head><script>{script}</script></head><body><p>A story without a date in its markup, long enough to be prose.</p></body></html>"
            )
        };
        let got = |script: &str| {
            extract(&page(script), None)
                .published
                .map(|d| d.to_rfc3339())
                .unwrap_or_default()
        };
        assert_eq!(
            got(r#"dataLayer.push({'datePublished': '2021-06-02T01:05:00+0400'});"#),
            "2021-06-01T21:05:00+00:00"
        );
        assert_eq!(
            got(r#"var page = {publish_date = "2020-03-04 10:00:00 +0300"};"#),
            "2020-03-04T07:00:00+00:00"
        );
        // JSON escaped inside a JS string (hydration state).
        assert_eq!(
            got(r#"window.__STATE__ = "{\"publishedAt\":\"2019-07-08T12:00:00Z\"}";"#),
            "2019-07-08T12:00:00+00:00"
        );
        // Keys that only look alike carry no date.
        assert_eq!(got(r#"var cfg = {"publisher": "2019-07-08"};"#), "");
        // Structured data and meta tags still win over a script.
        let html = r#"<html><head><meta property="article:published_time" content="2020-01-02T10:00:00+02:00">
<script>var d = {"pubDate": "2020-05-05T10:00:00Z"};</script></head><body><p>Text.</p></body></html>"#;
        assert_eq!(
            extract(html, None)
                .published
                .map(|d| d.to_rfc3339())
                .as_deref(),
            Some("2020-01-02T08:00:00+00:00")
        );
    }

    #[test]
    fn runs_of_cut_teasers_are_dropped() {
        let excerpt = |n: u32| {
            format!("Excerpt {n} of another story on the same site, cut off at a fixed length by the site's template so that it ends in the middle of a …")
        };
        let body = format!(
            "The article's own text, which is long enough and ends properly.\n\nIt trails off, on purpose, in a paragraph that is itself longer than an excerpt would be...\n\nShort lead-in …\n\n{}\n\n{}",
            excerpt(1),
            excerpt(2)
        );
        let got = without_teaser_runs(body);
        assert!(got.contains("on purpose"), "{got:?}");
        assert!(got.contains("Short lead-in"), "{got:?}");
        assert!(!got.contains("Excerpt"), "{got:?}");
        let only = format!("{}\n\n{}", excerpt(1), excerpt(2));
        assert_eq!(without_teaser_runs(only.clone()), only);
    }

    #[test]
    fn embedded_posts_in_the_story_are_kept() {
        let html = furnished(
            "en",
            "<title>Campaign draws mockery</title>",
            r#"<h1>Campaign draws mockery</h1>
<p>The state's new anti-drug campaign drew mockery online within hours of its launch on Monday morning.</p>
<div class="social-media-embed"><blockquote class="twitter-tweet"><p>Yes this is real and the state spent half a million dollars on it <a href="https://t.co/x">https://t.co/x</a></p>&mdash; A Reader (@reader) <a href="https://twitter.com/reader/status/1">November 18, 2019</a></blockquote></div>
<p>The governor defended the slogan, saying that the attention was the whole point of the campaign.</p>"#,
        );
        let e = extract(&html, None);
        assert_clean(
            &e.body,
            &[
                "drew mockery online",
                "half a million dollars",
                "whole point",
            ],
        );
    }

    #[test]
    fn links_that_spell_out_their_address_stay() {
        let html = furnished(
            "it",
            "<title>Le offerte</title>",
            r#"<h1>Le offerte</h1>
<p>Il black Friday incombe su di noi: per chi non lo sapesse, il venerdì nero è l'ennesima consuetudine importata dagli Stati Uniti, dove i negozi offrono super sconti per lo shopping di Natale.</p>
<p>Negli ultimi anni, per favorire oltremodo i consumi, il Black Friday si è trasformato in una settimana intera, con sconti e offerte speciali che si trascinano lungo tutti i giorni precedenti.</p>
<p>Ecco allora le offerte da non lasciarsi sfuggire questa settimana, scelte una per una dalla redazione.</p>
<p>1) Lego Star Wars 75188 Bombardiere della Resistenza<br><a href="http://amzn.to/2iJFhRj"><strong>http://amzn.to/2iJFhRj</strong></a></p>
<p>2) Polistil 960574 Pista Elettrica Sorpasso<br><a href="http://amzn.to/2hZfWFJ">http://amzn.to/2hZfWFJ</a></p>
<p>Le offerte valgono fino a lunedì sera o fino a esaurimento delle scorte, quindi conviene non aspettare troppo.</p>"#,
        );
        let e = extract(&html, None);
        assert_clean(
            &e.body,
            &[
                "Ecco allora",
                "http://amzn.to/2iJFhRj",
                "http://amzn.to/2hZfWFJ",
            ],
        );
    }

    #[test]
    fn bylines_keep_only_names() {
        let raw = vec![
            "Madeline Fry | November 18, 2019 02:01 PM Print this article".to_string(),
            "admin".to_string(),
            "Sobre Carlos Nadalim".to_string(),
            "The Russian and Syrian defense ministries".to_string(),
            "Troy L. Smith".to_string(),
            "Ana María Ortiz".to_string(),
            "November 18, 2019, By, Lisa Kubota".to_string(),
        ];
        assert_eq!(
            meta::clean_authors(&raw, &[], None),
            vec![
                "Madeline Fry",
                "Troy L. Smith",
                "Ana María Ortiz",
                "Lisa Kubota"
            ]
        );
    }
}
