//! Dates and time zones as people write them on the read side: the
//! command line's `--since`, `--until` and `--tz`, and the same names as
//! query parameters of the web page and `/api/`. Parsed here only, so a
//! date means the same wherever it is typed.
//!
//! Pure functions over strings; no clock, no I/O.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// A lower bound: `YYYY-MM-DD` is the start of that day (UTC), or RFC 3339.
pub fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    parse_date(s, false)
}

/// An upper bound: `YYYY-MM-DD` is the whole of that day (UTC), or RFC 3339.
pub fn parse_until(s: &str) -> Result<DateTime<Utc>, String> {
    parse_date(s, true)
}

/// `YYYY-MM-DD` (start or end of that day, UTC) or RFC 3339.
fn parse_date(s: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        format!("'{s}' is not a date: use YYYY-MM-DD or RFC 3339 (2024-05-01T10:00:00Z)")
    })?;
    let t = if end_of_day {
        day.and_hms_milli_opt(23, 59, 59, 999)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    t.map(|t| t.and_utc())
        .ok_or_else(|| format!("'{s}' is not a valid date"))
}

/// An IANA zone name, in any case (`asia/baku`, `UTC`).
pub fn parse_zone(s: &str) -> Result<Tz, String> {
    s.parse::<Tz>()
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .find(|z| z.name().eq_ignore_ascii_case(s))
                .copied()
        })
        .ok_or_else(|| {
            format!(
                "unknown time zone '{s}': use an IANA name such as Asia/Baku, Asia/Yerevan, \
                 Asia/Tbilisi, Europe/Istanbul or UTC"
            )
        })
}

/// RFC 3339 in UTC to the second, as every JSON output writes dates.
pub fn rfc3339(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_as_days_or_rfc3339() {
        assert_eq!(
            parse_since("2024-05-01").map(rfc3339),
            Ok("2024-05-01T00:00:00Z".to_string())
        );
        assert_eq!(
            parse_until("2024-05-01").map(rfc3339),
            Ok("2024-05-01T23:59:59Z".to_string())
        );
        assert_eq!(
            parse_since("2024-05-01T10:00:00+04:00").map(rfc3339),
            Ok("2024-05-01T06:00:00Z".to_string())
        );
        assert!(parse_since("yesterday").is_err());
    }

    #[test]
    fn zones_are_iana_names_in_any_case() {
        assert_eq!(parse_zone("asia/baku").map(|z| z.name()), Ok("Asia/Baku"));
        assert!(parse_zone("Mars/Olympus").is_err());
    }
}
