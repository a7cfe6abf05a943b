//! Serde helpers for SmartBill's numbers: decimals go out as JSON numbers (SmartBill's
//! types are strict: `price`, `quantity`, `discountValue` are doubles on the wire), and
//! come back as numbers or strings.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};

/// A decimal as a JSON number, trailing zeros removed (`59.90` → `59.9`).
pub(crate) fn ser<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    rust_decimal::serde::arbitrary_precision::serialize(&value.normalize(), s)
}

/// An optional decimal as a JSON number (the caller skips `None`).
pub(crate) fn ser_opt<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => ser(v, s),
        None => s.serialize_none(),
    }
}

fn parse<E: serde::de::Error>(value: serde_json::Value) -> Result<Option<Decimal>, E> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .map(Some)
                .map_err(|e| E::custom(format!("{text} is not a decimal: {e}")))
        }
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => Decimal::from_str(s.trim())
            .map(Some)
            .map_err(|e| E::custom(format!("{s:?} is not a decimal: {e}"))),
        other => Err(E::custom(format!("expected a number, found {other}"))),
    }
}

/// A decimal sent as a number or a string; absent, null or empty is zero.
pub(crate) fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ok(parse(serde_json::Value::deserialize(d)?)?.unwrap_or_default())
}

/// A string SmartBill sometimes sends as a number (`documentId`, `number`, `id`);
/// null, empty and `-1` become `None`.
pub(crate) fn de_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) if s.trim().is_empty() || s.trim() == "-1" => None,
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) if n.to_string() == "-1" => None,
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A string that may be null.
pub(crate) fn de_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

/// A boolean SmartBill may send as `true`, `1` or `"true"`.
pub(crate) fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::Number(n) => n.to_string() != "0",
        serde_json::Value::String(s) => matches!(s.trim(), "true" | "1" | "TRUE" | "True"),
        _ => false,
    })
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
