//! Serde helpers for Oblio's loose wire format: booleans sent as `0`/`1` and received as
//! `"0"`/`"1"`, `true`/`false` or `""`; numbers received as strings (`"51.2700"`,
//! `"0053"`) or as JSON numbers.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serializer};
use serde_json::Value;

/// Serializes `Option<bool>` as `0`/`1` (skip `None` with `skip_serializing_if`).
pub(crate) fn opt_flag<S: Serializer>(value: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(b) => s.serialize_u8(u8::from(*b)),
        None => s.serialize_none(),
    }
}

/// Serializes `bool` as `0`/`1`.
pub(crate) fn flag<S: Serializer>(value: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(u8::from(*value))
}

fn value_to_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.to_string() != "0"),
        Value::String(s) => match s.trim() {
            "" => None,
            "0" | "false" | "False" | "FALSE" => Some(false),
            _ => Some(true),
        },
        _ => None,
    }
}

/// Deserializes a loose boolean (`true`, `1`, `"1"`; `false`, `0`, `"0"`; `""`/null = absent).
pub(crate) fn loose_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.as_ref().and_then(value_to_bool))
}

/// Deserializes a loose boolean, absent meaning `false`.
pub(crate) fn loose_bool_default<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(loose_bool(d)?.unwrap_or(false))
}

/// Deserializes a decimal sent as a string or a number (`""`/null = absent).
pub(crate) fn loose_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => parse_decimal(s.trim()).map(Some).map_err(de::Error::custom),
        Some(Value::Number(n)) => parse_decimal(&n.to_string())
            .map(Some)
            .map_err(de::Error::custom),
        Some(other) => Err(de::Error::custom(format!(
            "expected a decimal, found {other}"
        ))),
    }
}

fn parse_decimal(s: &str) -> Result<Decimal, String> {
    Decimal::from_str(s)
        .or_else(|_| Decimal::from_scientific(s))
        .map_err(|e| format!("{s:?} is not a decimal: {e}"))
}

/// Deserializes text sent as a string or a number; null = empty.
pub(crate) fn loose_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => other.to_string(),
    })
}

/// Deserializes an integer sent as a string or a number (`""`/null = absent).
pub(crate) fn loose_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|e| de::Error::custom(format!("{s:?} is not an integer: {e}"))),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("{n} is not an integer"))),
        Some(other) => Err(de::Error::custom(format!(
            "expected an integer, found {other}"
        ))),
    }
}

/// Deserializes a `YYYY-MM-DD` date; `""`, `0000-00-00` and null mean absent.
pub(crate) fn loose_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    match v.as_deref().map(str::trim) {
        None | Some("" | "0000-00-00") => Ok(None),
        Some(s) => {
            // Some rows carry a time part: keep the date.
            let date = s.get(..10).unwrap_or(s);
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(Some)
                .map_err(|e| de::Error::custom(format!("{s:?} is not a date: {e}")))
        }
    }
}

/// A document number as Oblio wants it in JSON bodies: an integer (`"0053"` → `53`).
pub(crate) fn document_number(number: &str) -> Option<u64> {
    let trimmed = number.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "loose_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "loose_decimal")]
        d: Option<Decimal>,
        #[serde(default, deserialize_with = "loose_string")]
        s: String,
        #[serde(default, deserialize_with = "loose_i64")]
        i: Option<i64>,
    }

    #[test]
    fn loose_values_decode() {
        let r: Row = serde_json::from_str(r#"{"b":"1","d":"51.2700","s":53,"i":"-1"}"#).unwrap();
        assert_eq!(r.b, Some(true));
        assert_eq!(r.d, Some(Decimal::new(512_700, 4)));
        assert_eq!(r.s, "53");
        assert_eq!(r.i, Some(-1));
        let r: Row = serde_json::from_str(r#"{"b":"","d":21,"s":"0053","i":2}"#).unwrap();
        assert_eq!(r.b, None);
        assert_eq!(r.d, Some(Decimal::from(21)));
        assert_eq!(r.s, "0053");
        let r: Row = serde_json::from_str(r#"{"b":false}"#).unwrap();
        assert_eq!(r.b, Some(false));
        assert!(serde_json::from_str::<Row>(r#"{"d":"abc"}"#).is_err());
    }

    #[test]
    fn document_numbers_drop_padding() {
        assert_eq!(document_number("0053"), Some(53));
        assert_eq!(document_number(" 8 "), Some(8));
        assert_eq!(document_number("A12"), None);
        assert_eq!(document_number(""), None);
    }
}
