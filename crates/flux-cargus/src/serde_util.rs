//! Small serde helpers for Cargus's loose JSON: ids sent as numbers or strings, barcodes
//! as numbers or strings, bare JSON strings as whole bodies.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An optional id given as a number, a numeric string, `""` or `null`.
pub(crate) fn de_opt_id<'de, D>(d: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                let text = n.to_string();
                text.strip_suffix(".0").and_then(|s| s.parse().ok())
            })
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("id {n} is not an integer"))),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("id {s:?} is not a number"))),
        other => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

/// An optional text given as a string or a number (barcodes, order ids).
pub(crate) fn de_opt_text<'de, D>(d: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(value_text(&Value::deserialize(d)?))
}

/// A text given as a string or a number (`null` becomes empty).
pub(crate) fn de_text<'de, D>(d: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(value_text(&Value::deserialize(d)?).unwrap_or_default())
}

/// The text of a JSON scalar (strings trimmed, numbers as written); `None` for null,
/// empty strings and containers.
pub(crate) fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A body that is a bare JSON string (`"eyJ…"`), or the raw text when it is not JSON.
pub(crate) fn bare_string(body: &str) -> String {
    let body = body.trim();
    match serde_json::from_str::<Value>(body) {
        Ok(value) => value_text(&value).unwrap_or_default(),
        Err(_) => body.trim_matches('"').to_owned(),
    }
}

/// A boolean given as `true`/`false`, `1`/`0` or `"true"`/`"1"`; `null` is `None`.
pub(crate) fn value_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Ids {
        #[serde(default, deserialize_with = "de_opt_id")]
        a: Option<i64>,
        #[serde(default, deserialize_with = "de_opt_id")]
        b: Option<i64>,
        #[serde(default, deserialize_with = "de_opt_id")]
        c: Option<i64>,
        #[serde(default, deserialize_with = "de_opt_text")]
        d: Option<String>,
    }

    #[test]
    fn ids_and_texts_are_lenient() {
        let ids: Ids =
            serde_json::from_str(r#"{"a":201266091,"b":"42","c":"","d":804523201}"#).unwrap();
        assert_eq!(ids.a, Some(201266091));
        assert_eq!(ids.b, Some(42));
        assert_eq!(ids.c, None);
        assert_eq!(ids.d.as_deref(), Some("804523201"));
        assert_eq!(bare_string("\"abc\""), "abc");
        assert_eq!(bare_string("1234"), "1234");
        assert_eq!(value_bool(&Value::from(1)), Some(true));
    }
}
