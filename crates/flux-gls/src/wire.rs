//! Lenient decoders for the shapes MyGLS (and the gateways in front of it) send:
//! `null` where a list is expected, byte arrays as JSON arrays or base64 strings, and
//! numbers where the WSDL says string (and back).

use base64::Engine as _;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// `null` or missing becomes the type's default (an empty list).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Bytes sent as a JSON array of byte values (the documented form) or as a base64 string
/// (what some gateways send). `null`, `[]` and `""` are `None`.
pub(crate) mod bytes_option {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<Vec<u8>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of byte values or a base64 string")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(self)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.is_empty() {
                    return Ok(None);
                }
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(Some)
                    .map_err(|e| E::custom(format!("not base64: {e}")))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok((!out.is_empty()).then_some(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string the server may send as a number (`"DeliveryZipCode": 1013`).
pub(crate) mod string_option {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        Ok(match v {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
            Some(other) => {
                return Err(de::Error::custom(format!("expected a string, got {other}")));
            }
        })
    }
}

/// An integer id the server may send as a number or a numeric string; `null` is `None`.
pub(crate) mod id_option {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        match v {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    // "5020123456.0" from a double-typed field.
                    n.to_string()
                        .strip_suffix(".0")
                        .and_then(|s| s.parse().ok())
                })
                .map(Some)
                .ok_or_else(|| de::Error::custom(format!("{n} is not an integer id"))),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(serde_json::Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| de::Error::custom(format!("{s:?} is not an integer id"))),
            Some(other) => Err(de::Error::custom(format!("expected an id, got {other}"))),
        }
    }
}

/// Serializes and deserializes an id list leniently (`null` is empty).
pub(crate) mod id_list {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
        #[derive(Deserialize)]
        struct Id(#[serde(deserialize_with = "id_option::deserialize")] Option<i64>);
        let list: Option<Vec<Id>> = Option::deserialize(d)?;
        Ok(list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|Id(id)| id)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct B {
        #[serde(default, deserialize_with = "bytes_option::deserialize")]
        labels: Option<Vec<u8>>,
    }

    #[test]
    fn bytes_accept_arrays_base64_and_null() {
        let b: B = serde_json::from_str(r#"{"labels":[37,80,68,70]}"#).unwrap();
        assert_eq!(b.labels.as_deref(), Some(&b"%PDF"[..]));
        let b: B = serde_json::from_str(r#"{"labels":"JVBERg=="}"#).unwrap();
        assert_eq!(b.labels.as_deref(), Some(&b"%PDF"[..]));
        for empty in [
            r#"{"labels":null}"#,
            r#"{"labels":[]}"#,
            r#"{}"#,
            r#"{"labels":""}"#,
        ] {
            let b: B = serde_json::from_str(empty).unwrap();
            assert!(b.labels.is_none(), "{empty}");
        }
        assert!(serde_json::from_str::<B>(r#"{"labels":[256]}"#).is_err());
    }
}
