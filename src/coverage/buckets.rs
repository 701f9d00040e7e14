//! Time buckets of a coverage count: where an hour, a day, an ISO week or a
//! month starts and ends in a time zone, as instants (pure functions).
//!
//! A bucket is a half-open span of instants `[start, end)` whose start is
//! the first instant of its local hour, day, week (Monday) or month. Days,
//! weeks and months follow the zone's calendar through daylight-saving
//! changes: a spring-forward day lasts 23 hours, a fall-back day 25, and a
//! day whose midnight a clock change skips starts when the clock resumes. An
//! hour bucket always lasts one hour of real time.

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeDelta, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// How long a bucket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Granularity {
    Hour,
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    Month,
}

impl Granularity {
    pub const ALL: [Granularity; 4] = [
        Granularity::Hour,
        Granularity::Day,
        Granularity::Week,
        Granularity::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Hour => "hour",
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }
}

/// More buckets than a count may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{count} or more {by} buckets (at most {max}); use a coarser --by or a shorter period")]
pub struct TooManyBuckets {
    pub count: usize,
    pub by: &'static str,
    pub max: usize,
}

/// The start of the bucket holding `t`.
pub fn floor(t: DateTime<Utc>, by: Granularity, zone: Tz) -> DateTime<Utc> {
    let local = t.with_timezone(&zone);
    let date = local.date_naive();
    let first_day = match by {
        Granularity::Hour => {
            // Offsets change on the hour (or half hour) and stay put within
            // one: going back to the local hour's start is going back the
            // same number of real seconds.
            let into_hour = i64::from(local.minute()) * 60 + i64::from(local.second());
            return t
                - TimeDelta::seconds(into_hour)
                - TimeDelta::nanoseconds(i64::from(local.nanosecond()));
        }
        Granularity::Day => date,
        Granularity::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
        Granularity::Month => date.with_day(1).unwrap_or(date),
    };
    // No instant of `t`'s own day can come before its start, so a day that
    // has `t` in it has a start.
    start_of_day_from(first_day, zone).unwrap_or(t)
}

/// The start of the bucket after the one starting at `start` (a value of
/// [`floor`]).
pub fn next(start: DateTime<Utc>, by: Granularity, zone: Tz) -> DateTime<Utc> {
    if by == Granularity::Hour {
        return floor(start + TimeDelta::hours(1), by, zone);
    }
    let date = start.with_timezone(&zone).date_naive();
    let following = match by {
        Granularity::Week => date + Days::new(7),
        Granularity::Month => date
            .with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
            .unwrap_or(date + Days::new(31)),
        _ => date + Days::new(1),
    };
    // Beyond the calendar chrono knows (year 262,143): one more day.
    start_of_day_from(following, zone).unwrap_or(start + TimeDelta::days(1))
}

/// The bucket starts from the bucket holding `first` to the one holding
/// `last`, then the end of that last bucket: `n + 1` instants for `n`
/// buckets. Empty when `last` is before `first`.
pub fn boundaries(
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    by: Granularity,
    zone: Tz,
    max: usize,
) -> Result<Vec<DateTime<Utc>>, TooManyBuckets> {
    if last < first {
        return Ok(Vec::new());
    }
    let mut bounds = vec![floor(first, by, zone)];
    loop {
        let start = bounds[bounds.len() - 1];
        let end = next(start, by, zone);
        bounds.push(end);
        if end > last {
            return Ok(bounds);
        }
        if bounds.len() > max {
            return Err(TooManyBuckets {
                count: bounds.len() - 1,
                by: by.as_str(),
                max,
            });
        }
    }
}

/// The bucket starting at `start`, as a person names it in the zone:
/// `2025-03-30 02:00` (hour), `2025-03-30` (day, and week by its Monday),
/// `2025-03` (month).
pub fn label(start: DateTime<Utc>, by: Granularity, zone: Tz) -> String {
    let local = start.with_timezone(&zone);
    match by {
        Granularity::Hour => local.format("%Y-%m-%d %H:%M").to_string(),
        Granularity::Day | Granularity::Week => local.format("%Y-%m-%d").to_string(),
        Granularity::Month => local.format("%Y-%m").to_string(),
    }
}

/// Where a chart's time axis gets a label: indexes into `bounds` (bucket
/// starts) and their text, at most about `max` of them, on boundaries a
/// reader counts by (midnights, Mondays, firsts of months, of quarters, of
/// years).
pub fn ticks(
    bounds: &[DateTime<Utc>],
    by: Granularity,
    zone: Tz,
    max: usize,
) -> Vec<(usize, String)> {
    let starts = &bounds[..bounds.len().saturating_sub(1)];
    if starts.is_empty() {
        return Vec::new();
    }
    let max = max.max(2);
    let local: &[DateTime<Tz>] = &starts
        .iter()
        .map(|t| t.with_timezone(&zone))
        .collect::<Vec<_>>();
    let n = starts.len();
    let all_within = |keep: &dyn Fn(usize) -> bool| (0..n).filter(|&i| keep(i)).count() <= max;
    // Candidate rules, finest first; the first that gives few enough labels
    // wins, thinned evenly if even the coarsest gives too many.
    type Rule<'a> = (Box<dyn Fn(usize) -> bool + 'a>, &'static str);
    let day = |i: usize| {
        local[i].hour() == 0 || i == 0 || local[i].date_naive() != local[i - 1].date_naive()
    };
    let month_start = |i: usize| i == 0 || local[i].month() != local[i - 1].month();
    let rules: Vec<Rule> = match by {
        Granularity::Hour => vec![
            (Box::new(|_| true), "%m-%d %H:%M"),
            (
                Box::new(|i| local[i].hour().is_multiple_of(3)),
                "%m-%d %H:%M",
            ),
            (
                Box::new(|i| local[i].hour().is_multiple_of(6)),
                "%m-%d %H:%M",
            ),
            (
                Box::new(|i| local[i].hour().is_multiple_of(12)),
                "%m-%d %H:%M",
            ),
            (Box::new(day), "%Y-%m-%d"),
            (
                Box::new(move |i| day(i) && local[i].weekday().num_days_from_monday() == 0),
                "%Y-%m-%d",
            ),
            (Box::new(move |i| day(i) && local[i].day() == 1), "%Y-%m-%d"),
        ],
        Granularity::Day => vec![
            (Box::new(|_| true), "%Y-%m-%d"),
            (
                Box::new(|i| local[i].weekday().num_days_from_monday() == 0),
                "%Y-%m-%d",
            ),
            (
                Box::new(|i| local[i].day() == 1 || local[i].day() == 15),
                "%Y-%m-%d",
            ),
            (Box::new(|i| local[i].day() == 1), "%Y-%m"),
            (
                Box::new(|i| local[i].day() == 1 && local[i].month0().is_multiple_of(3)),
                "%Y-%m",
            ),
            (Box::new(|i| local[i].ordinal() == 1), "%Y"),
        ],
        Granularity::Week => vec![
            (Box::new(|_| true), "%Y-%m-%d"),
            (Box::new(month_start), "%Y-%m"),
            (
                Box::new(move |i| month_start(i) && local[i].month0().is_multiple_of(3)),
                "%Y-%m",
            ),
            (
                Box::new(|i| i == 0 || local[i].year() != local[i - 1].year()),
                "%Y",
            ),
        ],
        Granularity::Month => vec![
            (Box::new(|_| true), "%Y-%m"),
            (Box::new(|i| local[i].month0().is_multiple_of(3)), "%Y-%m"),
            (Box::new(|i| local[i].month0().is_multiple_of(6)), "%Y-%m"),
            (Box::new(|i| local[i].month0() == 0), "%Y"),
        ],
    };
    let (keep, format) = match rules.iter().position(|(keep, _)| all_within(keep.as_ref())) {
        Some(found) => (&rules[found].0, rules[found].1),
        None => {
            let last = &rules[rules.len() - 1];
            (&last.0, last.1)
        }
    };
    let mut chosen: Vec<usize> = (0..n).filter(|&i| keep(i)).collect();
    if chosen.is_empty() {
        chosen.push(0);
    }
    let step = chosen.len().div_ceil(max);
    let mut chosen: Vec<usize> = chosen.into_iter().step_by(step.max(1)).collect();
    // The first bucket is labelled because the axis starts there; when
    // the next label (the first month, say) follows within half the even
    // spacing, the two would print over each other: the start gives way.
    if chosen.len() > 1 && chosen[0] == 0 && chosen[1] * 2 * max < n {
        chosen.remove(0);
    }
    chosen
        .into_iter()
        .map(|i| (i, local[i].format(format).to_string()))
        .collect()
}

/// The first instant of `date` in `zone`, or of the next date that has
/// one: midnight, or the first instant after a clock change that skipped
/// it. `None` only past the end of chrono's calendar.
fn start_of_day_from(date: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    let mut date = date;
    // A zone has skipped at most one whole day (Samoa, 2011-12-30).
    for _ in 0..3 {
        if let Some(start) = start_of_day(date, zone) {
            return Some(start);
        }
        date = date.succ_opt()?;
    }
    None
}

/// The first instant whose local date in `zone` is `date`, `None` when the
/// zone skipped that date.
fn start_of_day(date: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    let midnight = date.and_time(NaiveTime::MIN);
    match zone.from_local_datetime(&midnight) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        // Midnight is in a gap: the day starts when the clock resumes.
        // Clocks change on a quarter hour, so the first valid quarter hour
        // of the day is that instant.
        LocalResult::None => (1..96)
            .map(|q| midnight + TimeDelta::minutes(15 * q))
            .take_while(|t| t.date() == date)
            .find_map(|t| zone.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid date")
            .with_timezone(&Utc)
    }

    fn zone(name: &str) -> Tz {
        name.parse().expect("known zone")
    }

    fn floors(t: &str, by: Granularity, z: &str) -> String {
        floor(utc(t), by, zone(z))
            .with_timezone(&zone(z))
            .to_rfc3339()
    }

    #[test]
    fn days_start_at_midnight_in_utc() {
        assert_eq!(
            floor(utc("2025-03-01T23:59:59Z"), Granularity::Day, Tz::UTC),
            utc("2025-03-01T00:00:00Z")
        );
        assert_eq!(
            floor(utc("2025-03-02T00:00:00Z"), Granularity::Day, Tz::UTC),
            utc("2025-03-02T00:00:00Z")
        );
        assert_eq!(
            next(utc("2025-03-01T00:00:00Z"), Granularity::Day, Tz::UTC),
            utc("2025-03-02T00:00:00Z")
        );
    }

    #[test]
    fn days_start_at_local_midnight_in_the_caucasus() {
        // Baku, Yerevan and Tbilisi are all UTC+4 all year, with no DST.
        for name in ["Asia/Baku", "Asia/Yerevan", "Asia/Tbilisi"] {
            let z = zone(name);
            // 19:59:59 UTC is 23:59:59 local: still the 1st.
            assert_eq!(
                floor(utc("2025-03-01T19:59:59Z"), Granularity::Day, z),
                utc("2025-02-28T20:00:00Z"),
                "{name}"
            );
            // 20:00 UTC is local midnight of the 2nd.
            assert_eq!(
                floor(utc("2025-03-01T20:00:00Z"), Granularity::Day, z),
                utc("2025-03-01T20:00:00Z"),
                "{name}"
            );
            assert_eq!(
                next(utc("2025-03-01T20:00:00Z"), Granularity::Day, z),
                utc("2025-03-02T20:00:00Z"),
                "{name}"
            );
            // A summer date is the same: no daylight-saving time.
            assert_eq!(
                floors("2025-07-15T03:00:00Z", Granularity::Day, name),
                "2025-07-15T00:00:00+04:00",
                "{name}"
            );
        }
    }

    #[test]
    fn daylight_saving_days_last_23_and_25_hours() {
        // Berlin: 2025-03-30 02:00 → 03:00, 2025-10-26 03:00 → 02:00.
        let z = zone("Europe/Berlin");
        let spring = floor(utc("2025-03-30T12:00:00Z"), Granularity::Day, z);
        assert_eq!(spring, utc("2025-03-29T23:00:00Z"));
        assert_eq!(
            next(spring, Granularity::Day, z) - spring,
            TimeDelta::hours(23)
        );
        let autumn = floor(utc("2025-10-26T12:00:00Z"), Granularity::Day, z);
        assert_eq!(autumn, utc("2025-10-25T22:00:00Z"));
        assert_eq!(
            next(autumn, Granularity::Day, z) - autumn,
            TimeDelta::hours(25)
        );
        // Hours stay one real hour; the repeated local hour comes twice.
        let h = floor(utc("2025-10-26T00:30:00Z"), Granularity::Hour, z);
        assert_eq!(h, utc("2025-10-26T00:00:00Z"));
        assert_eq!(next(h, Granularity::Hour, z), utc("2025-10-26T01:00:00Z"));
        assert_eq!(label(h, Granularity::Hour, z), "2025-10-26 02:00");
        assert_eq!(
            label(utc("2025-10-26T01:00:00Z"), Granularity::Hour, z),
            "2025-10-26 02:00"
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clock_resumes() {
        // Beirut springs forward at midnight: 2025-03-30 00:00 → 01:00.
        let z = zone("Asia/Beirut");
        let start = floor(utc("2025-03-30T10:00:00Z"), Granularity::Day, z);
        assert_eq!(
            start.with_timezone(&z).to_rfc3339(),
            "2025-03-30T01:00:00+03:00"
        );
        assert_eq!(
            next(start, Granularity::Day, z) - start,
            TimeDelta::hours(23)
        );
        // Samoa skipped 2011-12-30 altogether: the 29th is followed by the 31st.
        let z = zone("Pacific/Apia");
        let day = floor(utc("2011-12-30T09:00:00Z"), Granularity::Day, z);
        assert_eq!(label(day, Granularity::Day, z), "2011-12-29");
        assert_eq!(
            label(next(day, Granularity::Day, z), Granularity::Day, z),
            "2011-12-31"
        );
    }

    #[test]
    fn hours_follow_half_hour_offsets() {
        // India is UTC+5:30: local hours start at half past in UTC.
        assert_eq!(
            floors("2025-05-01T10:10:00Z", Granularity::Hour, "Asia/Kolkata"),
            "2025-05-01T15:00:00+05:30"
        );
        assert_eq!(
            floor(utc("2025-05-01T10:10:00Z"), Granularity::Hour, Tz::UTC),
            utc("2025-05-01T10:00:00Z")
        );
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2025-01-01 is a Wednesday; its ISO week starts on Monday 2024-12-30.
        assert_eq!(
            floors("2025-01-01T12:00:00Z", Granularity::Week, "UTC"),
            "2024-12-30T00:00:00+00:00"
        );
        assert_eq!(
            floors("2025-01-05T19:59:59Z", Granularity::Week, "Asia/Baku"),
            "2024-12-30T00:00:00+04:00"
        );
        assert_eq!(
            floors("2025-01-05T20:00:00Z", Granularity::Week, "Asia/Baku"),
            "2025-01-06T00:00:00+04:00"
        );
        assert_eq!(
            floors("2025-02-28T21:00:00Z", Granularity::Month, "Asia/Yerevan"),
            "2025-03-01T00:00:00+04:00"
        );
        let march = utc("2025-02-28T20:00:00Z");
        assert_eq!(
            next(march, Granularity::Month, zone("Asia/Tbilisi")),
            utc("2025-03-31T20:00:00Z")
        );
        assert_eq!(
            next(utc("2024-12-01T00:00:00Z"), Granularity::Month, Tz::UTC),
            utc("2025-01-01T00:00:00Z")
        );
    }

    #[test]
    fn boundaries_cover_first_to_last_without_gaps() {
        let b = boundaries(
            utc("2025-01-01T10:00:00Z"),
            utc("2025-01-03T00:00:00Z"),
            Granularity::Day,
            Tz::UTC,
            100,
        )
        .expect("few");
        assert_eq!(
            b,
            [
                utc("2025-01-01T00:00:00Z"),
                utc("2025-01-02T00:00:00Z"),
                utc("2025-01-03T00:00:00Z"),
                utc("2025-01-04T00:00:00Z"),
            ]
        );
        // The same span in Baku: the last instant is already the 3rd there.
        let b = boundaries(
            utc("2025-01-01T10:00:00Z"),
            utc("2025-01-02T19:59:59Z"),
            Granularity::Day,
            zone("Asia/Baku"),
            100,
        )
        .expect("few");
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], utc("2024-12-31T20:00:00Z"));
        assert!(boundaries(
            utc("2025-01-02T00:00:00Z"),
            utc("2025-01-01T00:00:00Z"),
            Granularity::Day,
            Tz::UTC,
            10
        )
        .expect("empty")
        .is_empty());
        let one = boundaries(
            utc("2025-01-02T05:00:00Z"),
            utc("2025-01-02T05:00:00Z"),
            Granularity::Month,
            Tz::UTC,
            10,
        )
        .expect("one");
        assert_eq!(
            one,
            [utc("2025-01-01T00:00:00Z"), utc("2025-02-01T00:00:00Z")]
        );
    }

    #[test]
    fn too_many_buckets_is_an_error_that_says_what_to_do() {
        let err = boundaries(
            utc("2020-01-01T00:00:00Z"),
            utc("2025-01-01T00:00:00Z"),
            Granularity::Hour,
            Tz::UTC,
            1000,
        )
        .expect_err("too many");
        assert_eq!(err.by, "hour");
        assert!(err.to_string().contains("coarser --by"), "{err}");
    }

    #[test]
    fn ticks_fall_on_month_starts_over_a_year_of_days() {
        let b = boundaries(
            utc("2025-01-01T00:00:00Z"),
            utc("2025-12-31T12:00:00Z"),
            Granularity::Day,
            zone("Asia/Baku"),
            1000,
        )
        .expect("a year");
        assert_eq!(b.len(), 366);
        let t = ticks(&b, Granularity::Day, zone("Asia/Baku"), 12);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels.len(), 12, "{labels:?}");
        assert_eq!(labels[0], "2025-01");
        assert_eq!(labels[11], "2025-12");
        assert_eq!(t[1].0, 31);
        // A fortnight: every day.
        let t = ticks(&b[..15], Granularity::Day, Tz::UTC, 16);
        assert_eq!(t.len(), 14);
        // Weeks from the last Monday of 2024: the first month starts one
        // bucket in, too close to label the start as well.
        let b = boundaries(
            utc("2024-12-30T00:00:00Z"),
            utc("2026-01-04T00:00:00Z"),
            Granularity::Week,
            Tz::UTC,
            1000,
        )
        .expect("a year of weeks");
        let t = ticks(&b, Granularity::Week, Tz::UTC, 14);
        assert_eq!(t[0], (1, "2025-01".to_string()), "{t:?}");
        assert_eq!(t[1].1, "2025-02");
    }
}
