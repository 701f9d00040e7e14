//! Date strings as pages write them → instants, keeping the page's offset.
//! The one date reader of the crate: the extractor reads page metadata with
//! it, and the sources read feed, sitemap, listing and API dates with it.
//!
//! Pages use ISO 8601 with and without colon in the offset, RFC 2822, Unix
//! epochs, date-only values and, in visible text, day-month-year with month
//! names. Values without an offset are taken as UTC: guessing the outlet's
//! zone would be a site rule.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;
use std::sync::LazyLock;

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})
          (?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?
             \s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?",
    )
    .expect("static regex")
});

static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[,\s]+(\d{1,2}):(\d{2}))?")
        .expect("static regex")
});

/// Where a numeric date starts inside a longer text: `2025-06-02`,
/// `2025/06/02`, `02.06.2025`, `02/06/2025`.
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{4}").expect("static regex")
});

/// Parse one machine-readable date value (from metadata, `datetime=`, a
/// sitemap's `lastmod`, an API field).
pub fn parse(value: &str) -> Option<DateTime<FixedOffset>> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(v) {
        return sane(d);
    }
    if let Some(c) = ISO.captures(v) {
        let date = ymd(&c[1], &c[2], &c[3])?;
        let time = match (c.get(4), c.get(5)) {
            (Some(h), Some(m)) => NaiveTime::from_hms_opt(
                h.as_str().parse().ok()?,
                m.as_str().parse().ok()?,
                c.get(6).map_or(Some(0), |s| s.as_str().parse().ok())?,
            )?,
            _ => NaiveTime::MIN,
        };
        let offset = c.get(7).map_or(Some(0), |o| offset_seconds(o.as_str()))?;
        let tz = FixedOffset::east_opt(offset)?;
        let d = tz.from_local_datetime(&date.and_time(time)).single()?;
        return sane(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(v) {
        return sane(d);
    }
    if let Some(d) = epoch(v) {
        return sane(d);
    }
    if let Some(c) = DMY.captures(v) {
        let date = ymd(&c[3], &c[2], &c[1])?;
        let time = match (c.get(4), c.get(5)) {
            (Some(h), Some(m)) => {
                NaiveTime::from_hms_opt(h.as_str().parse().ok()?, m.as_str().parse().ok()?, 0)?
            }
            _ => NaiveTime::MIN,
        };
        return sane(utc(date.and_time(time)));
    }
    textual(v)
}

/// The date of a short visible text such as a listing's date label
/// ("Опубликовано 02.06.2025, 14:30"): the first numeric date in it, with
/// the time that follows it, else whatever [`parse`] makes of the whole
/// text (RFC 2822, month names).
pub fn in_text(text: &str) -> Option<DateTime<FixedOffset>> {
    NUMERIC_DATE
        .find(text)
        .and_then(|found| parse(&text[found.start()..]))
        .or_else(|| parse(text))
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn utc(dt: NaiveDateTime) -> DateTime<FixedOffset> {
    dt.and_utc().fixed_offset()
}

fn offset_seconds(s: &str) -> Option<i32> {
    match s {
        "Z" | "UTC" | "GMT" => return Some(0),
        _ => {}
    }
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let digits: String = s[1..].chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

fn epoch(v: &str) -> Option<DateTime<FixedOffset>> {
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = v.parse().ok()?;
    let secs = match v.len() {
        10 => n,
        13 => n / 1000,
        _ => return None,
    };
    Some(DateTime::from_timestamp(secs, 0)?.fixed_offset())
}

/// Reject dates a news page cannot have: before the web press, or in the
/// future beyond clock skew.
fn sane(d: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let min = Utc.with_ymd_and_hms(1995, 1, 1, 0, 0, 0).single()?;
    let max = Utc::now() + Duration::days(2);
    let u = d.with_timezone(&Utc);
    (u >= min && u <= max).then_some(d)
}

/// Month names in the languages the daemon reads (English, Russian,
/// Azerbaijani, Armenian, Turkish, Georgian; stems that cover nominative and
/// genitive forms); matched as prefixes of lowercased words.
const MONTHS: &[(&str, u32)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("янв", 1),
    ("фев", 2),
    ("мар", 3),
    ("апр", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("авг", 8),
    ("сен", 9),
    ("окт", 10),
    ("ноя", 11),
    ("дек", 12),
    ("yan", 1),
    ("fev", 2),
    ("aprel", 4),
    ("iyun", 6),
    ("iyul", 7),
    ("avq", 8),
    ("sent", 9),
    ("okt", 10),
    ("noy", 11),
    ("dek", 12),
    ("հունվ", 1),
    ("փետր", 2),
    ("մարտ", 3),
    ("ապր", 4),
    ("մայ", 5),
    ("հունիս", 6),
    ("հուլ", 7),
    ("օգոս", 8),
    ("սեպտ", 9),
    ("հոկտ", 10),
    ("նոյ", 11),
    ("դեկ", 12),
    ("oca", 1),
    ("şub", 2),
    ("nis", 4),
    ("haz", 6),
    ("tem", 7),
    ("ağu", 8),
    ("eyl", 9),
    ("eki", 10),
    ("kas", 11),
    ("aral", 12),
    ("იანვ", 1),
    ("თებ", 2),
    ("მარტ", 3),
    ("აპრ", 4),
    ("მაის", 5),
    ("ივნ", 6),
    ("ივლ", 7),
    ("აგვ", 8),
    ("სექტ", 9),
    ("ოქტ", 10),
    ("ნოემ", 11),
    ("დეკ", 12),
];

fn month(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    if w.chars().count() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .find(|(stem, _)| w.starts_with(stem))
        .map(|&(_, m)| m)
}

static TEXTUAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:\b(\d{1,2})\.?\s+(\p{L}{3,})\.?,?\s+(\d{4})\b)
        |(?:\b(\p{L}{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b)
        |(?:\b(\d{4})-(\d{2})-(\d{2})\b)
        |(?:\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b)",
    )
    .expect("static regex")
});

/// Words that mark a stamp as an update ("Updated", "Обновлено",
/// "Yenilənib", "Güncellendi", Armenian "Թարմացվել", Georgian "განახლდა"),
/// matched in lowercase.
const UPDATED: &[&str] = &[
    "updat",
    "modif",
    "edited",
    "revised",
    "обновл",
    "изменен",
    "yenilən",
    "güncel",
    "թարմաց",
    "განახლ",
];

/// Words that mark a stamp as the publication ("Published", "Опубликовано",
/// "Dərc olunub", "Yayımlandı", Armenian "Հրապարակվել", Georgian
/// "გამოქვეყნდა").
const PUBLISHED: &[&str] = &[
    "publish",
    "posted",
    "опубликов",
    "dərc",
    "yayım",
    "հրապարակ",
    "გამოქვეყნ",
];

/// Is the date starting at byte `at` labelled as an update? Looks at the few
/// words before it: an update word with no publication word after it.
fn labelled_updated(text: &str, at: usize) -> bool {
    let mut from = at.saturating_sub(48);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text[from..at].to_lowercase();
    let last = |words: &[&str]| words.iter().filter_map(|w| before.rfind(w)).max();
    match (last(UPDATED), last(PUBLISHED)) {
        (Some(u), Some(p)) => u > p,
        (Some(_), None) => true,
        _ => false,
    }
}

/// First plausible date written out in running text (last resort). A date
/// labelled as an update is taken only when no other date follows.
pub(super) fn textual(text: &str) -> Option<DateTime<FixedOffset>> {
    let mut updated = None;
    for c in TEXTUAL.captures_iter(text) {
        let date = if let (Some(d), Some(m), Some(y)) = (c.get(1), c.get(2), c.get(3)) {
            month(m.as_str()).and_then(|m| {
                NaiveDate::from_ymd_opt(y.as_str().parse().ok()?, m, d.as_str().parse().ok()?)
            })
        } else if let (Some(m), Some(d), Some(y)) = (c.get(4), c.get(5), c.get(6)) {
            month(m.as_str()).and_then(|m| {
                NaiveDate::from_ymd_opt(y.as_str().parse().ok()?, m, d.as_str().parse().ok()?)
            })
        } else if let (Some(y), Some(m), Some(d)) = (c.get(7), c.get(8), c.get(9)) {
            ymd(y.as_str(), m.as_str(), d.as_str())
        } else if let (Some(d), Some(m), Some(y)) = (c.get(10), c.get(11), c.get(12)) {
            ymd(y.as_str(), m.as_str(), d.as_str())
        } else {
            None
        };
        if let Some(d) = date.and_then(|d| sane(utc(d.and_time(NaiveTime::MIN)))) {
            if !labelled_updated(text, c.get(0).map_or(0, |m| m.start())) {
                return Some(d);
            }
            updated = updated.or(Some(d));
        }
    }
    updated
}

/// A date in the page URL path (`/2020/11/24/`, `/2020-11-24-`).
pub(super) fn from_url_path(path: &str) -> Option<DateTime<FixedOffset>> {
    static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$)").expect("static regex")
    });
    let c = URL_DATE.captures(path)?;
    let d = ymd(&c[1], &c[2], &c[3])?;
    sane(utc(d.and_time(NaiveTime::MIN)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse(s).map(|d| d.to_rfc3339()).unwrap_or_default()
    }

    #[test]
    fn iso_variants() {
        assert_eq!(p("2020-11-24T08:45:38+04:00"), "2020-11-24T08:45:38+04:00");
        assert_eq!(p("2020-10-19T06:34:31+0300"), "2020-10-19T06:34:31+03:00");
        assert_eq!(p("2020-10-19T06:34:31Z"), "2020-10-19T06:34:31+00:00");
        assert_eq!(p("2020-10-19 06:34"), "2020-10-19T06:34:00+00:00");
        assert_eq!(p("2020-10-19"), "2020-10-19T00:00:00+00:00");
        assert_eq!(p("2020/10/19"), "2020-10-19T00:00:00+00:00");
        assert_eq!(p("2020-10-19T06:34:31.123+03"), "2020-10-19T06:34:31+03:00");
    }

    #[test]
    fn other_forms() {
        assert_eq!(
            p("Sun, 28 Jun 2020 21:16:15 GMT"),
            "2020-06-28T21:16:15+00:00"
        );
        assert_eq!(p("1593378975"), "2020-06-28T21:16:15+00:00");
        assert_eq!(p("24.11.2020 08:45"), "2020-11-24T08:45:00+00:00");
        assert_eq!(p("November 24, 2020"), "2020-11-24T00:00:00+00:00");
        assert_eq!(p("24 ноября 2020"), "2020-11-24T00:00:00+00:00");
        assert_eq!(p("24 noyabr 2020"), "2020-11-24T00:00:00+00:00");
    }

    #[test]
    fn insane_dates_are_rejected() {
        assert_eq!(p("1990-01-01"), "");
        assert_eq!(p("2999-01-01"), "");
        assert_eq!(p("2020-13-01"), "");
        assert_eq!(p("yesterday"), "");
    }

    #[test]
    fn dates_in_running_text() {
        let d = |s: &str| textual(s).map(|d| d.date_naive().to_string());
        assert_eq!(
            d("Published 24 November 2020 A paragraph").as_deref(),
            Some("2020-11-24")
        );
        assert_eq!(
            d("Tuesday, (08 Dec 2020) news").as_deref(),
            Some("2020-12-08")
        );
        assert_eq!(
            d("Posted on March 3rd, 2019 by admin").as_deref(),
            Some("2019-03-03")
        );
        assert_eq!(
            d("обновлено 5 мая 2021 года").as_deref(),
            Some("2021-05-05")
        );
        assert_eq!(d("no date, 12 apples 2020 times").as_deref(), None);
        assert_eq!(d("24 Kasım 2020 10:15").as_deref(), Some("2020-11-24"));
        assert_eq!(d("24 ნოემბერი 2020").as_deref(), Some("2020-11-24"));
        assert_eq!(d("24 նոյեմբերի, 2020").as_deref(), Some("2020-11-24"));
        assert_eq!(
            d("Updated 12 January 2022, 14:05. First published 11 January 2022.").as_deref(),
            Some("2022-01-11")
        );
        assert_eq!(
            d("Обновлено: 31.12.2020 · Опубликовано: 30.12.2020").as_deref(),
            Some("2020-12-30")
        );
        assert_eq!(
            d("Yenilənib: 16 mart 2021, 11:20").as_deref(),
            Some("2021-03-16")
        );
    }

    /// The shapes listing pages, sitemaps and APIs write dates in (the
    /// tests of the date parser `sources` had before this one).
    #[test]
    fn dates_in_the_shapes_sources_write_them() {
        let at = |s: &str| in_text(s).map(|d| d.to_utc().to_rfc3339());
        assert_eq!(
            at("2025-06-02T08:00:00+04:00").as_deref(),
            Some("2025-06-02T04:00:00+00:00")
        );
        assert_eq!(
            at("2025-06-02T08:00+04:00").as_deref(),
            Some("2025-06-02T04:00:00+00:00")
        );
        assert_eq!(
            at("Mon, 02 Jun 2025 08:00:00 GMT").as_deref(),
            Some("2025-06-02T08:00:00+00:00")
        );
        assert_eq!(
            at("2025-06-02").as_deref(),
            Some("2025-06-02T00:00:00+00:00")
        );
        assert_eq!(
            at("Опубликовано 02.06.2025, 14:30").as_deref(),
            Some("2025-06-02T14:30:00+00:00")
        );
        assert_eq!(
            at("2025-06-02 14:30").as_deref(),
            Some("2025-06-02T14:30:00+00:00")
        );
        assert_eq!(at("yesterday"), None);
    }

    #[test]
    fn url_dates() {
        let d = from_url_path("/2020/11/24/some-story").map(|d| d.date_naive().to_string());
        assert_eq!(d.as_deref(), Some("2020-11-24"));
        assert!(from_url_path("/news/615163.html").is_none());
    }
}
