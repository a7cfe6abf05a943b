//! WCF JSON dates, the only date format MyGLS speaks: `"/Date(1594764000000+0200)/"`.
//!
//! The number is milliseconds since the Unix epoch (an absolute instant, UTC); the
//! optional `±hhmm` suffix is the offset of the local time the server meant. Both are
//! kept: [`parse_wcf_date`] returns the instant with that offset attached, so
//! `2020-07-15T00:00:00+02:00` prints as the GLS depot saw it.
//!
//! ```
//! use flux_gls::date::{format_wcf_date, parse_wcf_date};
//!
//! let at = parse_wcf_date("/Date(1594764000000+0200)/").unwrap();
//! assert_eq!(at.to_rfc3339(), "2020-07-15T00:00:00+02:00");
//! assert_eq!(format_wcf_date(&at), "/Date(1594764000000+0200)/");
//! // No suffix means UTC.
//! assert_eq!(parse_wcf_date("/Date(0)/").unwrap().to_rfc3339(), "1970-01-01T00:00:00+00:00");
//! ```

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serializer};

/// Parses `/Date(ms)/` or `/Date(ms±hhmm)/` (also RFC 3339, which some gateways send).
pub fn parse_wcf_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|rest| rest.strip_suffix(")/"))
    else {
        return DateTime::parse_from_rfc3339(text).ok();
    };
    // The sign of the offset is the first '+' or '-' after the (possibly negative) number.
    let split = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map(|(i, _)| i);
    let (millis, offset) = match split {
        Some(i) => (&inner[..i], Some(&inner[i..])),
        None => (inner, None),
    };
    let millis: i64 = millis.parse().ok()?;
    let offset = match offset {
        None => FixedOffset::east_opt(0)?,
        Some(o) => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let digits = &o[1..];
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i32 = digits[..2].parse().ok()?;
            let minutes: i32 = digits[2..].parse().ok()?;
            FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?
        }
    };
    let utc = DateTime::<Utc>::from_timestamp_millis(millis)?;
    Some(utc.with_timezone(&offset))
}

/// Formats an instant as `/Date(ms±hhmm)/`, keeping its offset.
pub fn format_wcf_date(at: &DateTime<FixedOffset>) -> String {
    let offset = at.offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "/Date({}{}{:02}{:02})/",
        at.timestamp_millis(),
        sign,
        offset / 3600,
        (offset % 3600) / 60
    )
}

/// Midnight of `day` in `zone`, the form MyGLS expects for `PickupDate` and list filters.
pub fn local_midnight(day: NaiveDate, zone: Tz) -> DateTime<FixedOffset> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.fixed_offset())
        // Midnight never falls in a DST gap in Europe, but stay total.
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive).fixed_offset())
}

/// Serde for an optional WCF date (`null` or missing is `None`).
pub(crate) mod wcf_option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        at: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&format_wcf_date(at)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => parse_wcf_date(&text).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("{text:?} is not a /Date(ms±hhmm)/ date"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_negative_instants() {
        let at = parse_wcf_date("/Date(1759917600000+0300)/").unwrap();
        assert_eq!(at.offset().local_minus_utc(), 3 * 3600);
        assert_eq!(at.to_rfc3339(), "2025-10-08T13:00:00+03:00");
        let at = parse_wcf_date("/Date(1759917600000-0130)/").unwrap();
        assert_eq!(at.offset().local_minus_utc(), -(3600 + 1800));
        let before_epoch = parse_wcf_date("/Date(-86400000)/").unwrap();
        assert_eq!(before_epoch.to_rfc3339(), "1969-12-31T00:00:00+00:00");
        assert!(parse_wcf_date("/Date(abc)/").is_none());
        assert!(parse_wcf_date("/Date(1+02)/").is_none());
        assert!(parse_wcf_date("yesterday").is_none());
    }

    #[test]
    fn round_trips_with_the_offset() {
        for text in ["/Date(1594764000000+0200)/", "/Date(1576367999000-0500)/"] {
            assert_eq!(format_wcf_date(&parse_wcf_date(text).unwrap()), text);
        }
    }

    #[test]
    fn local_midnight_uses_summer_and_winter_offsets() {
        let summer = local_midnight(
            NaiveDate::from_ymd_opt(2020, 7, 15).unwrap(),
            Tz::Europe__Bucharest,
        );
        assert_eq!(format_wcf_date(&summer), "/Date(1594760400000+0300)/");
        let winter = local_midnight(
            NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            Tz::Europe__Budapest,
        );
        assert_eq!(winter.to_rfc3339(), "2026-01-10T00:00:00+01:00");
    }
}
