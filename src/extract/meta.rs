//! Page metadata: title, publication date, authors, canonical URL, from
//! JSON-LD, OpenGraph and other `<meta>`, `<time>` and byline markup.

use super::date;
use super::dom::{Doc, TimeMark};
use chrono::{DateTime, FixedOffset};
use serde_json::Value;
use url::Url;

/// What the JSON-LD blocks of a page say about its article.
#[derive(Debug, Default)]
pub(super) struct JsonLd {
    pub headline: Option<String>,
    pub published: Option<String>,
    pub authors: Vec<String>,
    pub body: Option<String>,
    pub site_name: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "scholarlyarticle",
    "techarticle",
    "report",
    "liveblogposting",
    "socialmediaposting",
    "posting",
];

fn types(v: &Value) -> Vec<String> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

/// Every object in a JSON-LD value: top level, arrays and `@graph`.
fn objects<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        Value::Object(o) => {
            out.push(v);
            if let Some(g) = o.get("@graph") {
                objects(g, out);
            }
            if let Some(m) = o.get("mainEntity") {
                objects(m, out);
            }
        }
        _ => {}
    }
}

fn parse_json(raw: &str) -> Option<Value> {
    let s = raw
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_end_matches("//]]>")
        .trim();
    if let Ok(v) = serde_json::from_str(s) {
        return Some(v);
    }
    // Hand-written JSON-LD often carries raw newlines or tabs inside strings,
    // which JSON forbids; as whitespace they are harmless.
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    serde_json::from_str(&cleaned).ok()
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(text_of),
        _ => None,
    }
}

fn author_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| author_names(x, out)),
        Value::Object(o) => {
            // A publisher given as author is not a byline.
            let organization = types(v)
                .iter()
                .any(|t| t.contains("organization") || t == "website");
            if let Some(n) = o.get("name").filter(|_| !organization) {
                author_names(n, out);
            }
        }
        _ => {}
    }
}

pub(super) fn json_ld(doc: &Doc) -> JsonLd {
    let values: Vec<Value> = doc.json_ld.iter().filter_map(|s| parse_json(s)).collect();
    let mut all = Vec::new();
    for v in &values {
        objects(v, &mut all);
    }
    let is_article = |o: &Value| types(o).iter().any(|t| ARTICLE_TYPES.contains(&t.as_str()));
    // Article objects first, then anything else that has the field (a
    // WebPage often carries the dates when no article object exists).
    let ordered: Vec<&Value> = all
        .iter()
        .filter(|o| is_article(o))
        .chain(all.iter().filter(|o| !is_article(o)))
        .copied()
        .collect();
    let mut out = JsonLd::default();
    for o in &ordered {
        if out.headline.is_none() && is_article(o) {
            out.headline = o.get("headline").and_then(text_of);
        }
        if out.published.is_none() {
            out.published = o
                .get("datePublished")
                .or_else(|| o.get("dateCreated"))
                .and_then(text_of);
        }
        if out.authors.is_empty() && is_article(o) {
            if let Some(a) = o.get("author").or_else(|| o.get("creator")) {
                author_names(a, &mut out.authors);
            }
        }
        if out.body.is_none() && is_article(o) {
            out.body = o.get("articleBody").and_then(text_of);
        }
        if out.site_name.is_none() {
            let t = types(o);
            if t.iter()
                .any(|t| t == "website" || t == "organization" || t == "newsmediaorganization")
            {
                out.site_name = o.get("name").and_then(text_of);
            } else if is_article(o) {
                out.site_name = o
                    .get("publisher")
                    .and_then(|p| p.get("name"))
                    .and_then(text_of);
            }
        }
    }
    out
}

pub(super) fn meta<'a>(doc: &'a Doc, key: &str) -> Option<&'a str> {
    doc.metas
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `<meta>` names that carry the publication date, best first.
const DATE_METAS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "og:published_time",
    "published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "article_date_original",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "date",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "citation_date",
    "original-publish-date",
    "release_date",
    "datecreated",
];

/// Publication date, in the offset the page wrote it in.
pub(super) fn published(
    doc: &Doc,
    ld: &JsonLd,
    url: Option<&Url>,
    body: &str,
) -> Option<DateTime<FixedOffset>> {
    if let Some(d) = ld.published.as_deref().and_then(date::parse) {
        return Some(d);
    }
    for key in DATE_METAS {
        if let Some(d) = meta(doc, key).and_then(date::parse) {
            return Some(d);
        }
    }
    let in_boilerplate = |mut i: u32| {
        while i != u32::MAX {
            let n = &doc.nodes[i as usize];
            if (n.unlikely || n.hard) && n.tag != super::dom::Tag::Article {
                return true;
            }
            i = n.parent;
        }
        false
    };
    let read = |t: &TimeMark| {
        if t.value.is_empty() {
            date::textual(&doc.subtree_text(t.node))
        } else {
            date::parse(&t.value)
        }
    };
    let marks = || doc.times.iter().filter(|t| !t.modified);
    let in_content = marks()
        .filter(|t| t.published)
        .chain(marks().filter(|t| !in_boilerplate(t.node)));
    if let Some(d) = in_content.filter_map(read).next() {
        return Some(d);
    }
    // A publication key in a script names this page's date more surely than
    // a `<time>` in a sidebar does.
    if let Some(d) = doc.script_dates.iter().find_map(|s| date::parse(s)) {
        return Some(d);
    }
    if let Some(d) = marks().filter_map(read).next() {
        return Some(d);
    }
    if let Some(d) = url.and_then(|u| date::from_url_path(u.path())) {
        return Some(d);
    }
    // Last resort: a date written out in the page. Bylines sit just after
    // the headline, while dates above it are usually the site's "today".
    let from = doc.h1.first().copied().unwrap_or(0);
    date::textual(&text_from(doc, from, 3000))
        .or_else(|| date::textual(body))
        .or_else(|| date::textual(&text_from(doc, 0, 20_000)))
}

/// Visible text from arena node `from` on, text nodes joined by spaces.
fn text_from(doc: &Doc, from: u32, max_bytes: usize) -> String {
    let mut out = String::new();
    for n in &doc.nodes[from as usize..] {
        if n.tag == super::dom::Tag::Text {
            out.push_str(&doc.text[n.text.0 as usize..n.text.1 as usize]);
            out.push(' ');
            if out.len() >= max_bytes {
                break;
            }
        }
    }
    out
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Separators between a headline and a site name in `<title>`-like strings.
const SEPARATORS: &[&str] = &[
    " | ", " – ", " — ", " - ", " :: ", " • ", " · ", " » ", " « ", " / ", " ~ ", " // ", ": ",
];

/// Does `segment` name the site (its og:site_name or its host)?
fn names_site(segment: &str, site_names: &[String], host: Option<&str>) -> bool {
    let seg = normalize(segment);
    if seg.is_empty() {
        return false;
    }
    if site_names.iter().any(|s| {
        let s = normalize(s);
        !s.is_empty()
            && (s == seg
                || (seg.len() >= 4 && s.contains(&seg))
                || (s.len() >= 4 && seg.contains(&s)))
    }) {
        return true;
    }
    if let Some(host) = host {
        let host = host.trim_start_matches("www.");
        // Every label but the top-level one may be the brand: `armenpress`
        // in `en.armenpress.am`, `report` in `az.report.az`.
        let labels: Vec<&str> = host.split('.').collect();
        for (i, label) in labels
            .iter()
            .enumerate()
            .take(labels.len().saturating_sub(1))
        {
            let label = normalize(label);
            let rest = normalize(&labels[i..].join("."));
            if seg == rest
                || (label.len() >= 3
                    && (seg == label || seg.starts_with(&label) && seg.len() <= label.len() + 4))
                // "The Caucasus Herald" on caucasusherald.com.
                || (label.len() >= 6 && seg.contains(&label) && seg.len() <= label.len() + 6)
            {
                return true;
            }
        }
    }
    looks_like_domain(segment)
}

/// A segment that is one domain name ("Report.az", "NEWS.am") names a site
/// whatever the page's own address is.
fn looks_like_domain(segment: &str) -> bool {
    const TLDS: &[&str] = &[
        "com", "net", "org", "info", "news", "az", "am", "ge", "ru", "tr", "ua", "by", "kz", "uz",
        "kg", "tj", "md", "uk", "us", "eu", "de", "fr", "it", "es", "io", "co", "tv", "media",
        "online",
    ];
    let s = segment.trim();
    let Some((name, tld)) = s.rsplit_once('.') else {
        return false;
    };
    !s.contains(char::is_whitespace)
        && TLDS.contains(&tld.to_ascii_lowercase().as_str())
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

/// Remove a site-name prefix or suffix from a title.
pub(super) fn clean_title(
    title: &str,
    site_names: &[String],
    host: Option<&str>,
    confirm: &[String],
) -> String {
    let title = title.trim();
    for sep in SEPARATORS {
        if !title.contains(sep) {
            continue;
        }
        let (first, last) = match (title.find(sep), title.rfind(sep)) {
            (Some(f), Some(l)) => (f, l),
            _ => continue,
        };
        let head = title[..first].trim();
        let rest_after_head = title[first + sep.len()..].trim();
        let tail = title[last + sep.len()..].trim();
        let rest_before_tail = title[..last].trim();
        if names_site(tail, site_names, host) && !rest_before_tail.is_empty() {
            return clean_title(rest_before_tail, site_names, host, confirm);
        }
        if names_site(head, site_names, host) && !rest_after_head.is_empty() {
            return clean_title(rest_after_head, site_names, host, confirm);
        }
        let confirmed = |part: &str| {
            let p = normalize(part);
            p.len() >= 8 && confirm.iter().any(|c| normalize(c) == p)
        };
        if confirmed(rest_before_tail) {
            return rest_before_tail.to_string();
        }
        if confirmed(rest_after_head) {
            return rest_after_head.to_string();
        }
    }
    title.to_string()
}

pub(super) fn title(doc: &Doc, ld: &JsonLd, url: Option<&Url>) -> Option<String> {
    let mut site_names: Vec<String> = Vec::new();
    for k in [
        "og:site_name",
        "application-name",
        "twitter:site",
        "al:ios:app_name",
    ] {
        if let Some(v) = meta(doc, k) {
            site_names.push(v.trim_start_matches('@').to_string());
        }
    }
    if let Some(s) = &ld.site_name {
        site_names.push(s.clone());
    }
    let host = url.and_then(Url::host_str);
    // The first `<h1>` is sometimes the site logo.
    let h1: Option<String> = doc
        .h1
        .iter()
        .map(|&i| doc.subtree_text(i))
        .find(|t| !t.is_empty() && !names_site(t, &site_names, host));
    let mut confirm: Vec<String> = Vec::new();
    confirm.extend(h1.clone());
    confirm.extend(ld.headline.clone());
    let candidates = [
        meta(doc, "og:title").map(str::to_string),
        meta(doc, "twitter:title").map(str::to_string),
        ld.headline.clone(),
        h1,
        doc.title.clone(),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|t| clean_title(&t, &site_names, host, &confirm))
        .find(|t| !t.is_empty())
}

/// Split a byline into names and drop what is not a person's name.
pub(super) fn clean_authors(
    raw: &[String],
    site_names: &[String],
    host: Option<&str>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let mut parts: Vec<String> = vec![r.replace('\n', " ")];
        for sep in [
            " and ", " & ", ",", ";", "|", " и ", " və ", " և ", " ve ", " / ",
        ] {
            parts = parts
                .iter()
                .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
                .collect();
        }
        for p in parts {
            let mut name = super::text::collapse_whitespace(&p);
            // A label before a colon ("Author:", "Автор:", "ავტორი:",
            // Armenian "Հեղինակ՝") in any language: one or two words, then
            // the name.
            if name.contains("://") {
                continue;
            }
            if let Some((label, rest)) = name.split_once([':', '\u{55D}']) {
                if label.split_whitespace().count() <= 2 && !rest.trim().is_empty() {
                    name = rest.trim().to_string();
                }
            }
            for prefix in ["By ", "by ", "BY ", "Автор ", "Von ", "Par "] {
                if let Some(s) = name.strip_prefix(prefix) {
                    name = s.trim().to_string();
                }
            }
            let name = name
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')')
                .trim()
                .to_string();
            if name.is_empty()
                || is_role(&name)
                || !looks_like_name(&name)
                || name.contains("://")
                || name.starts_with("www.")
                || name.contains('@')
                || name.chars().count() > 60
                || name.split_whitespace().count() > 6
                || !name.chars().any(char::is_alphabetic)
                || names_site(&name, site_names, host)
            {
                continue;
            }
            if !out.iter().any(|o| o.to_lowercase() == name.to_lowercase()) {
                out.push(name);
            }
        }
    }
    out
}

/// What a byline part must look like to be a person's name: no digits
/// (dates and times caught in the byline), not an all-lowercase Latin login
/// ("admin"), not a phrase opening with an article ("The Russian ..."), not
/// the heading of an author box ("About Jane Doe", Portuguese "Sobre ...").
fn looks_like_name(part: &str) -> bool {
    if part.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    if part
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| c.is_ascii_lowercase())
    {
        return false;
    }
    let first = part.split_whitespace().next().unwrap_or("");
    if matches!(first, "The" | "A" | "An" | "About" | "Sobre" | "Über") || part == "By" {
        return false;
    }
    // Particles ("van", "de", "oğlu") are short; two long lowercase words
    // make a phrase. Georgian has no capitals, so it is left out.
    let long_lowercase = part
        .split_whitespace()
        .filter(|w| {
            w.chars().count() >= 5
                && w.chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() && !('\u{10A0}'..='\u{10FF}').contains(&c))
        })
        .count();
    long_lowercase < 2
}

/// A byline part that describes the writers instead of naming them ("staff
/// writers", "наш корреспондент").
fn is_role(part: &str) -> bool {
    // Whole English words (a stem would catch "Staffan"); stems elsewhere,
    // where case endings vary and no name starts so.
    const WORDS: &[&str] = &[
        "staff",
        "writer",
        "writers",
        "reporter",
        "reporters",
        "correspondent",
        "correspondents",
        "editor",
        "editors",
        "contributor",
        "contributors",
    ];
    const STEMS: &[&str] = &[
        "корреспондент",
        "редакц",
        "редактор",
        "обозревател",
        "müxbir",
        "redaktor",
        "թղթակից",
        "խմբագր",
        "კორესპონდენტ",
        "რედაქტორ",
        "muhabir",
        "editör",
    ];
    let lower = part.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| WORDS.contains(&w) || STEMS.iter().any(|r| w.starts_with(r)))
}

pub(super) fn authors(doc: &Doc, ld: &JsonLd, url: Option<&Url>) -> Vec<String> {
    let mut site_names: Vec<String> = Vec::new();
    site_names.extend(meta(doc, "og:site_name").map(str::to_string));
    site_names.extend(ld.site_name.clone());
    let host = url.and_then(Url::host_str);
    let sources: [Vec<String>; 4] = [
        ld.authors.clone(),
        doc.metas
            .iter()
            .filter(|(k, _)| {
                k == "author"
                    || k == "dc.creator"
                    || k == "sailthru.author"
                    || k == "parsely-author"
            })
            .map(|(_, v)| v.clone())
            .collect(),
        doc.metas
            .iter()
            .filter(|(k, _)| k == "article:author")
            .map(|(_, v)| v.clone())
            .collect(),
        doc.author_nodes
            .iter()
            .map(|&i| doc.subtree_text(i))
            .filter(|t| t.chars().count() <= 80)
            .collect(),
    ];
    for s in sources {
        let names = clean_authors(&s, &site_names, host);
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

pub(super) fn canonical(doc: &Doc, url: Option<&Url>) -> Option<Url> {
    let raw = doc
        .canonical
        .as_deref()
        .into_iter()
        .chain(meta(doc, "og:url"))
        .filter(|s| !s.is_empty());
    for r in raw {
        let parsed = match url {
            Some(base) => base.join(r),
            None => Url::parse(r),
        };
        if let Ok(u) = parsed {
            if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() {
                return Some(u);
            }
        }
    }
    None
}
