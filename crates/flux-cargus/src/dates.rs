//! The three date formats Cargus mixes, and its local times.
//!
//! | where | format |
//! |---|---|
//! | `Awbs/GetByDate`, `AwbTrace/GetDeltaEvents` queries | `mm-dd-yyyy` ([`us_date`]) |
//! | `Orders/GetByDate`, `CashAccount*`, `Invoices`, `AwbRetur` queries | `yyyy-mm-dd` ([`iso_date`]) |
//! | order pickup windows, responses | ISO 8601, usually without an offset (`2016-02-08T06:38:06.267`) |
//!
//! Times without an offset are Romanian local time: [`parse_datetime`] attaches
//! Europe/Bucharest. It also reads the two date-only formats (as local midnight), so a
//! field that changes shape between endpoints still parses.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Europe::Bucharest;
use serde::{Deserialize, Deserializer};

/// `mm-dd-yyyy`, for `Awbs/GetByDate` and `AwbTrace/GetDeltaEvents`.
pub fn us_date(date: NaiveDate) -> String {
    date.format("%m-%d-%Y").to_string()
}

/// `yyyy-mm-dd`, for `Orders/GetByDate`, `CashAccount*`, `Invoices` and `AwbRetur`.
pub fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A local Romanian time as Cargus takes it in queries: `yyyy-mm-ddTHH:MM:SS`, no offset.
pub fn local_datetime(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Attaches Europe/Bucharest to a local time (the earlier instant when the clock goes
/// back, one hour later when it falls in the spring gap).
pub fn bucharest(local: NaiveDateTime) -> DateTime<FixedOffset> {
    match Bucharest.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.fixed_offset(),
        LocalResult::None => {
            let shifted = local + chrono::Duration::hours(1);
            Bucharest
                .from_local_datetime(&shifted)
                .earliest()
                .map(|t| t.fixed_offset())
                .unwrap_or_else(|| Utc.from_utc_datetime(&local).fixed_offset())
        }
    }
}

/// Parses any date or time Cargus sends: ISO 8601 with an offset or `Z`, ISO without an
/// offset (Romanian local time, with or without seconds and fractions, `T` or space),
/// `yyyy-mm-dd`, `mm-dd-yyyy`, `dd.mm.yyyy` (with an optional time). Returns `None` for
/// anything else.
pub fn parse_datetime(input: &str) -> Option<DateTime<FixedOffset>> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    const NAIVE: [&str; 10] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%m-%d-%Y %H:%M:%S",
        "%m-%d-%Y %H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %I:%M:%S %p",
    ];
    for format in NAIVE {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(bucharest(t));
        }
    }
    parse_date(s).map(|d| bucharest(d.and_time(NaiveTime::MIN)))
}

/// Parses a day in any of Cargus's formats (`yyyy-mm-dd`, `mm-dd-yyyy`, `dd.mm.yyyy`, or
/// the date part of a time).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    for format in ["%Y-%m-%d", "%m-%d-%Y", "%d.%m.%Y", "%m/%d/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, format) {
            return Some(d);
        }
    }
    if s.len() > 10 && s.is_char_boundary(10) {
        let head = &s[..10];
        if head != s {
            return parse_date(head).or_else(|| parse_datetime(s).map(|t| t.date_naive()));
        }
    }
    None
}

/// Serde: an optional Cargus time (`null`, empty and `"0001-01-01T00:00:00"` are `None`).
pub(crate) fn de_opt_datetime<'de, D>(d: D) -> Result<Option<DateTime<FixedOffset>>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.starts_with("0001-01-01") => Ok(None),
        Some(s) => parse_datetime(s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("unrecognised Cargus date {s:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_queries() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 7).unwrap();
        assert_eq!(us_date(d), "03-07-2024");
        assert_eq!(iso_date(d), "2024-03-07");
    }

    #[test]
    fn parses_the_three_formats_in_bucharest_time() {
        let summer = parse_datetime("2016-07-08T06:38:06.267").unwrap();
        assert_eq!(summer.offset().local_minus_utc(), 3 * 3600);
        let winter = parse_datetime("2016-02-08T06:38:06").unwrap();
        assert_eq!(winter.offset().local_minus_utc(), 2 * 3600);
        assert_eq!(
            parse_datetime("2016-02-16T12:16:15.827Z")
                .unwrap()
                .to_rfc3339(),
            "2016-02-16T12:16:15.827+00:00"
        );
        assert_eq!(
            parse_date("02-16-2016"),
            NaiveDate::from_ymd_opt(2016, 2, 16)
        );
        assert_eq!(
            parse_date("2016-02-16"),
            NaiveDate::from_ymd_opt(2016, 2, 16)
        );
        assert_eq!(
            parse_date("2016-02-16T10:00:00"),
            NaiveDate::from_ymd_opt(2016, 2, 16)
        );
        assert!(parse_datetime("yesterday").is_none());
    }

    #[test]
    fn spring_gap_moves_forward() {
        // 2024-03-31 03:30 does not exist in Bucharest.
        let t = parse_datetime("2024-03-31T03:30:00").unwrap();
        assert_eq!(t.offset().local_minus_utc(), 3 * 3600);
    }
}
