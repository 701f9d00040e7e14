//! Extraction regression guards for pressd issues 3 and 19: the body F1 on
//! the public benchmark and on the Dragnet and Readability development
//! sets must not slip, nor may catastrophic outputs (less than a tenth of
//! the true article) multiply; metadata (dates in the page's own zone
//! stored as UTC, titles without the site name, author lists, canonical
//! URLs) must come out right on boilerplate-heavy pages, and each failure
//! class of issue 19 (footer, widgets, comments, noscript, docs sections,
//! forum threads) on a page written for these tests
//! (`tests/fixtures/extract/`).

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

/// Issue 19: floors a little below what the development sets reached
/// (Dragnet 0.944 with no catastrophic page once boxes beside the post,
/// bio boxes, slideshows, time stamp lines and text collapsed behind a
/// toggle are left out; Readability 0.956 with none; trafilatura 2.3.1:
/// 0.924 / 2 and 0.934 / 0).
const DEV_FLOORS: &[(&str, f64, usize)] = &[("dragnet", 0.938, 1), ("readability", 0.948, 1)];

/// Issue 19: F1 and catastrophic outputs per development collection.
#[test]
fn development_sets_stay_above_floor() {
    let dir = Path::new("../shared/bench/extraction-more");
    if !dir.join("html").is_dir() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let pages = bench::load(dir).expect("development pages");
    for &(subset, floor, most_catastrophic) in DEV_FLOORS {
        let mut scorer = bench::Scorer::new();
        let mut n = 0;
        for page in pages.iter().filter(|p| p.subset == subset) {
            scorer.add(&extract(&page.html, page.url.as_ref()).body, &page.truth);
            n += 1;
        }
        assert!(n >= 100, "{subset}: only {n} pages");
        assert!(
            scorer.f1() >= floor,
            "{subset}: F1 {:.4} (P {:.4}, R {:.4}) fell below {floor}",
            scorer.f1(),
            scorer.precision(),
            scorer.recall()
        );
        assert!(
            scorer.catastrophic() <= most_catastrophic,
            "{subset}: {} outputs under a tenth of the truth",
            scorer.catastrophic()
        );
    }
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

/// Issue 19: a blog post listed as the one item of a `<ul>`, then a box
/// pointing to the newsroom and a copyright line, none with class hints:
/// the post wins, the footer goes.
#[test]
fn article_in_a_list_item_beats_the_footer() {
    let e = run("footer_vs_article.html", None);
    assert_body(
        &e,
        &[
            "Music is one of the most powerful",
            "starting with the mobile apps",
        ],
        &["All Rights Reserved", "©", "Visit the newsroom", "RSS Feed"],
    );
}

/// Issue 19: share counters and a sign-up form beside the article, in
/// plainly named containers.
#[test]
fn newsletter_and_share_widgets_are_left_out() {
    let e = run("newsletter_share.html", None);
    assert_body(
        &e,
        &["presidential election", "broadcasters who oppose"],
        &[
            "daily roundup",
            "EMAIL",
            "ZIP",
            "Shares",
            "1,204",
            "Tweet",
            "never share your address",
        ],
    );
}

/// Issue 19: reader comments without any class hint, recognised by their
/// repeated "Posted by: NAME at DATE TIME" units below the article.
#[test]
fn comment_thread_after_the_article_is_dropped() {
    let e = run("comment_thread.html", None);
    assert_body(
        &e,
        &["one-in-a-million chance", "discussed calmly"],
        &[
            "Sitting in traffic",
            "Posted by",
            "unit of measurement",
            "per unit of time",
        ],
    );
}

/// Issue 19: the visible page is an empty app shell; the article is only
/// in `<noscript>` (Blogger-style templates). The tracking pixel in a
/// second `<noscript>` stays out.
#[test]
fn noscript_article_is_read_when_the_page_shows_none() {
    let e = run("noscript_only.html", None);
    assert_body(
        &e,
        &["Bau von drei neuen Radwegen", "vorübergehend weg"],
        &["Startseite", "track.gif", "renderPost"],
    );
}

/// Issue 19: a documentation page whose sections are headed by headings
/// linking back to the contents keeps every section, not just the first
/// or the footer line.
#[test]
fn multi_section_document_keeps_its_sections() {
    let e = run("multi_section_doc.html", None);
    assert_body(
        &e,
        &[
            "keep your changes in draft state",
            "Sharing for code review",
            "competing successors",
            "Getting into trouble",
            "new change on top of the public one",
        ],
        &["Last updated", "User guide"],
    );
}

/// Issue 19: a forum thread is nothing but signed posts: all of them are
/// the content (not a comment section to drop), the sort controls are not.
#[test]
fn forum_thread_keeps_every_post() {
    let e = run("forum_thread.html", None);
    assert_body(
        &e,
        &[
            "Tražim bicikl za vožnju po gradu",
            "tri brzine i blatobranima",
            "dobra brava",
            "javit ću što sam na kraju kupila",
        ],
        &["Sortiraj", "Najnovije"],
    );
}

/// Issue 19: the article ends where its reader comments begin; the
/// comment-policy line and the sign-up box below the comment section are
/// page furniture, though nothing in their markup says so.
#[test]
fn text_after_the_comment_section_is_left_out() {
    let e = run("after_comments.html", None);
    assert_body(
        &e,
        &[
            "holding a simple conversation",
            "understand most of the answer",
        ],
        &[
            "radio trick",
            "Debate is welcome",
            "weekly letter",
            "Get the free guide",
        ],
    );
}

/// Issue 19: a sentence of the story that is one link (to the video it
/// talks about) stays between the paragraphs around it; a linked "you may
/// also like" line after the last paragraph does not.
#[test]
fn linked_sentence_inside_the_story_is_kept() {
    let e = run("linked_sentence.html", None);
    assert_body(
        &e,
        &[
            "bring friends who never play",
            "This week's episode is a quick, silly and very loud game",
            "still arriving",
        ],
        &["You may also like"],
    );
}

/// Issue 19: a round-up post whose body (`entry-body`) is a list of partly
/// linked items: the whole list is the article, not only the one plain
/// sentence under it.
#[test]
fn roundup_post_keeps_its_list() {
    let e = run("roundup_post.html", None);
    assert_body(
        &e,
        &[
            "Streaming service shares fall as",
            "as a portable music player",
            "how much digital services pay",
        ],
        &["Archives", "Contact"],
    );
}

/// Issue 19: a blog's sidebar column beside the post, with nothing in its
/// markup naming it, holds one paragraph describing the blog among labels
/// and links: the post is the article, the column is not part of it.
#[test]
fn sidebar_description_beside_the_post_is_left_out() {
    let e = run("sidebar_blurb.html", None);
    assert_body(
        &e,
        &[
            "without going through a computer first",
            "far from any cafe or hotel connection",
        ],
        &[
            "is a blog about everything",
            "Search This Blog",
            "Contributors",
            "toys and games",
            "Fits in a Wallet",
        ],
    );
}

/// Issue 19: the same with a short post (one long paragraph) and a column
/// of unnamed sections (a share label, the blog's description, dates of
/// recent posts) after it: the post still holds twice the column's prose.
#[test]
fn about_box_after_a_short_post_is_left_out() {
    let e = run("short_post_about_box.html", None);
    assert_body(
        &e,
        &["street by street", "can be explored online"],
        &["A blog devoted to", "Posts since", "Recent Posts", "11/05"],
    );
}

/// Issue 19: the author's bio box after a post (`about-author`,
/// `author-box`, `mini-bio` in the names of common blog themes and
/// plugins) is about the writer, not part of the story.
#[test]
fn author_bio_box_is_left_out() {
    let e = run("author_bio_box.html", None);
    assert_body(
        &e,
        &["balloons everywhere", "two minutes per balloon"],
        &["Hanna Lind", "mother of two girls"],
    );
}

/// Issue 19: a photo slideshow embedded in a story (`slideshow`,
/// `gallery` in its name) holds slide titles, counters and captions, not
/// the story's text.
#[test]
fn slideshow_inside_the_story_is_left_out() {
    let e = run("slideshow_in_story.html", None);
    assert_body(
        &e,
        &[
            "four more years of the same",
            "learned anything from the campaign",
        ],
        &["the best photos", "of 4", "waving flags"],
    );
}

/// Issue 19: a time stamp line ("November 13, 2012 11:46 AM PST Follow
/// @writer") after the standfirst is metadata, not a line of the story;
/// a sentence that gives a time stays.
#[test]
fn time_stamp_line_inside_the_story_is_left_out() {
    let e = run("stamp_after_standfirst.html", None);
    assert_body(
        &e,
        &[
            "takes thirty dollars off",
            "The deal ends at 11:59 PM on November 13, 2012.",
            "worth keeping an eye",
        ],
        &["11:46", "Follow @writer"],
    );
}

/// Issue 19: text collapsed behind a "Show full PR text" toggle (a press
/// release appended to a post) is hidden when the page loads and is left
/// out, toggle and all.
#[test]
fn text_collapsed_behind_a_toggle_is_left_out() {
    let e = run("collapsed_press_release.html", None);
    assert_body(
        &e,
        &[
            "first analog synthesizer",
            "The full press release is below.",
        ],
        &[
            "Show full PR text",
            "best of two worlds",
            "make other gear sing",
        ],
    );
}

/// Issue 19: a page that shows its article only behind such a toggle
/// still yields it.
#[test]
fn article_shown_only_behind_a_toggle_is_kept() {
    let e = run("collapsed_article_only.html", None);
    assert_body(&e, &["three new bus lines", "the new hospital"], &[]);
}
