//! Lenient decoders for the loose shapes Sameday's JSON uses: ids that are numbers or
//! strings, empty strings for "no date", `reasonId` as `""`, a number or `null`.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Parses Sameday's timestamps: ISO-8601 with an offset, with or without a colon
/// (`2019-02-26T12:37:28+0200`, `2019-02-26T12:37:28+02:00`).
pub(crate) fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
}

fn value_to_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(if b { "1" } else { "0" }.to_owned()),
        other => Some(other.to_string()),
    }
}

/// A string or a number as text; `null`/`""`/missing become `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(value_to_text))
}

/// A string or a number as text; `null` becomes `""`.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_text(d)?.unwrap_or_default())
}

/// A timestamp; `null`, `""` and missing become `None`.
pub(crate) fn opt_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match opt_text(d)? {
        None => Ok(None),
        Some(s) => parse_datetime(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}"))),
    }
}

/// A required timestamp.
pub(crate) fn datetime<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    opt_datetime(d)?.ok_or_else(|| serde::de::Error::custom("missing timestamp"))
}

/// `true`/`false`, `1`/`0` or `"1"`/`"0"`; `null` and missing are `false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => b,
        Some(Value::Number(n)) => n.to_string() != "0",
        Some(Value::String(s)) => !matches!(s.trim(), "" | "0" | "false"),
        _ => false,
    })
}

/// An integer given as a number or a numeric string.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match opt_text(d)? {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("expected an integer, got {s:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_colon() {
        let a = parse_datetime("2019-02-26T12:37:28+0200").unwrap();
        let b = parse_datetime("2019-02-26T12:37:28+02:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.offset().local_minus_utc(), 7200);
        assert!(parse_datetime("").is_none());
    }
}
