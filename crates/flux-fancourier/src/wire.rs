//! Lenient (de)serializers for FAN's wire format: numbers that sometimes come as
//! strings, AWB numbers as integers or strings, empty strings for "none", and
//! Europe/Bucharest local times without an offset.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Europe::Bucharest;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

/// Serialize a decimal as a JSON number (exact: serde_json runs with arbitrary precision).
pub(crate) fn decimal_number<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    let n = serde_json::Number::from_str(&d.normalize().to_string())
        .map_err(serde::ser::Error::custom)?;
    n.serialize(s)
}

/// As [`decimal_number`], for an `Option` (callers skip `None`).
pub(crate) fn opt_decimal_number<S: Serializer>(
    d: &Option<Decimal>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => decimal_number(d, s),
        None => s.serialize_none(),
    }
}

fn value_to_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            let text = n.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .ok()
        }
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                None
            } else {
                Decimal::from_str(&t.replace(',', ".")).ok()
            }
        }
        _ => None,
    }
}

/// A decimal from a number, a numeric string, `""` or `null` (`None`).
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        other => value_to_decimal(other)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a number, got {other}"))),
    }
}

/// A string from a string or a number; `""` and `null` are `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    })
}

/// A string from a string or a number (`null` becomes `""`).
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// A count from a number or numeric string (`null`/`""` are 0).
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = opt_decimal(d)?;
    Ok(v.and_then(|d| u32::try_from(d.trunc().mantissa()).ok())
        .unwrap_or(0))
}

/// Attach Europe/Bucharest to a naive local time (the earlier instant when the clock
/// goes back; an hour later when it falls in the spring-forward gap).
pub(crate) fn bucharest(naive: NaiveDateTime) -> DateTime<FixedOffset> {
    match Bucharest.from_local_datetime(&naive).earliest() {
        Some(dt) => dt.fixed_offset(),
        None => {
            let later = naive + chrono::Duration::hours(1);
            Bucharest
                .from_local_datetime(&later)
                .earliest()
                .map(|dt| dt.fixed_offset())
                // Unreachable for real dates: read it as EET (UTC+2).
                .unwrap_or_else(|| {
                    Bucharest
                        .from_utc_datetime(&(naive - chrono::Duration::hours(2)))
                        .fixed_offset()
                })
        }
    }
}

/// Parse FAN's local times: `2025-08-05 14:00:03`, `2025-08-05 14:00`, `2025-08-05`,
/// `05.08.2025` (bank transfers).
pub(crate) fn parse_local_datetime(text: &str) -> Option<DateTime<FixedOffset>> {
    let t = text.trim();
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(bucharest(n));
        }
    }
    parse_date(t)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(bucharest)
}

/// Parse `2023-11-16` or `16.11.2023`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t.split_whitespace().next().unwrap_or(t);
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .ok()
}

/// A local time as FAN writes it; kept as text when it does not parse.
pub(crate) fn opt_local_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    Ok(opt_string(d)?.and_then(|s| parse_local_datetime(&s)))
}

/// A date as FAN writes it (`2023-11-16` or `16.11.2023`).
pub(crate) fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Ok(opt_string(d)?.and_then(|s| parse_date(&s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucharest_summer_and_winter_offsets() {
        let summer = parse_local_datetime("2025-08-05 14:00:03").unwrap();
        assert_eq!(summer.offset().local_minus_utc(), 3 * 3600);
        let winter = parse_local_datetime("2025-01-05 14:00").unwrap();
        assert_eq!(winter.offset().local_minus_utc(), 2 * 3600);
        assert_eq!(
            parse_date("16.11.2023"),
            NaiveDate::from_ymd_opt(2023, 11, 16)
        );
        // In the spring-forward gap (03:00-04:00 does not exist on 2025-03-30).
        assert!(parse_local_datetime("2025-03-30 03:30:00").is_some());
    }
}
