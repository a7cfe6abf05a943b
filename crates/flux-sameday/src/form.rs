//! The request body encoding Sameday requires: `application/x-www-form-urlencoded` with PHP
//! `http_build_query` bracket keys.
//!
//! Sameday's API is a PHP/Symfony application and reads nested fields the way PHP parses a
//! query string, so a struct becomes `awbRecipient[name]=…`, a list becomes
//! `parcels[0][weight]=…` and `serviceTaxes[0]=11`. Like `http_build_query`:
//!
//! - `None` and unit values are **omitted** (not sent as empty strings);
//! - empty lists and empty structs send nothing;
//! - `true`/`false` become `1`/`0`;
//! - numbers and [`rust_decimal::Decimal`] are written as their decimal text;
//! - field order is kept as declared.
//!
//! ```
//! use serde::Serialize;
//!
//! #[derive(Serialize)]
//! struct Parcel { weight: u32, width: Option<u32> }
//!
//! #[derive(Serialize)]
//! #[serde(rename_all = "camelCase")]
//! struct Body { pickup_point: u32, parcels: Vec<Parcel>, open: bool, note: Option<String> }
//!
//! let body = Body {
//!     pickup_point: 1,
//!     parcels: vec![Parcel { weight: 1, width: None }, Parcel { weight: 2, width: Some(3) }],
//!     open: true,
//!     note: None,
//! };
//! let pairs = flux_sameday::form::to_pairs(&body).unwrap();
//! assert_eq!(pairs, vec![
//!     ("pickupPoint".to_owned(), "1".to_owned()),
//!     ("parcels[0][weight]".to_owned(), "1".to_owned()),
//!     ("parcels[1][weight]".to_owned(), "2".to_owned()),
//!     ("parcels[1][width]".to_owned(), "3".to_owned()),
//!     ("open".to_owned(), "1".to_owned()),
//! ]);
//! assert_eq!(
//!     flux_sameday::form::to_string(&body).unwrap(),
//!     "pickupPoint=1&parcels%5B0%5D%5Bweight%5D=1&parcels%5B1%5D%5Bweight%5D=2&parcels%5B1%5D%5Bwidth%5D=3&open=1"
//! );
//! ```

use std::fmt::Display;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// A value that cannot be written as a PHP-style form body (a top-level scalar or list,
/// bytes, a map with non-scalar keys, an enum variant with data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode the form body: {0}")]
pub struct FormError(String);

impl ser::Error for FormError {
    fn custom<T: Display>(msg: T) -> Self {
        FormError(msg.to_string())
    }
}

/// Flattens `value` (a struct or a map) into `(key, value)` pairs with bracket keys, in
/// field order, leaving out `None`s.
///
/// # Errors
/// [`FormError`] when `value` is not a struct or map, or holds something a form cannot
/// carry (bytes, enum variants with data).
pub fn to_pairs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, FormError> {
    let mut out = Vec::new();
    value.serialize(ValueSerializer {
        key: None,
        out: &mut out,
    })?;
    Ok(out)
}

/// Encodes `value` as an `application/x-www-form-urlencoded` body with bracket keys
/// (brackets percent-encoded, spaces as `+`, as PHP's `http_build_query` does).
///
/// # Errors
/// As [`to_pairs`].
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, FormError> {
    let pairs = to_pairs(value)?;
    let mut encoder = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        encoder.append_pair(k, v);
    }
    Ok(encoder.finish())
}

struct ValueSerializer<'a> {
    key: Option<String>,
    out: &'a mut Vec<(String, String)>,
}

impl ValueSerializer<'_> {
    fn scalar(self, value: String) -> Result<(), FormError> {
        match self.key {
            Some(key) => {
                self.out.push((key, value));
                Ok(())
            }
            None => Err(FormError(
                "the top level must be a struct or a map, not a single value".to_owned(),
            )),
        }
    }
}

fn child_key(prefix: Option<&str>, name: &str) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}[{name}]"),
        None => name.to_owned(),
    }
}

impl<'a> ser::Serializer for ValueSerializer<'a> {
    type Ok = ();
    type Error = FormError;
    type SerializeSeq = SeqSerializer<'a>;
    type SerializeTuple = SeqSerializer<'a>;
    type SerializeTupleStruct = SeqSerializer<'a>;
    type SerializeTupleVariant = Impossible<(), FormError>;
    type SerializeMap = MapSerializer<'a>;
    type SerializeStruct = MapSerializer<'a>;
    type SerializeStructVariant = Impossible<(), FormError>;

    fn serialize_bool(self, v: bool) -> Result<(), FormError> {
        self.scalar(if v { "1" } else { "0" }.to_owned())
    }
    fn serialize_i8(self, v: i8) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_f64(self, v: f64) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<(), FormError> {
        self.scalar(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<(), FormError> {
        self.scalar(v.to_owned())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), FormError> {
        Err(FormError("bytes cannot be form-encoded".to_owned()))
    }
    fn serialize_none(self) -> Result<(), FormError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), FormError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), FormError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), FormError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), FormError> {
        self.scalar(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), FormError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<(), FormError> {
        Err(FormError(format!(
            "enum variant {name}::{variant} with data cannot be form-encoded"
        )))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqSerializer<'a>, FormError> {
        match self.key {
            Some(key) => Ok(SeqSerializer {
                key,
                index: 0,
                out: self.out,
            }),
            None => Err(FormError(
                "the top level must be a struct or a map, not a list".to_owned(),
            )),
        }
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer<'a>, FormError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSerializer<'a>, FormError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, FormError> {
        Err(FormError(format!(
            "enum variant {name}::{variant} with data cannot be form-encoded"
        )))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapSerializer<'a>, FormError> {
        Ok(MapSerializer {
            prefix: self.key,
            pending_key: None,
            out: self.out,
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<MapSerializer<'a>, FormError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, FormError> {
        Err(FormError(format!(
            "enum variant {name}::{variant} with data cannot be form-encoded"
        )))
    }
}

struct SeqSerializer<'a> {
    key: String,
    index: usize,
    out: &'a mut Vec<(String, String)>,
}

impl SeqSerializer<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FormError> {
        let key = format!("{}[{}]", self.key, self.index);
        self.index += 1;
        value.serialize(ValueSerializer {
            key: Some(key),
            out: self.out,
        })
    }
}

impl ser::SerializeSeq for SeqSerializer<'_> {
    type Ok = ();
    type Error = FormError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FormError> {
        self.element(value)
    }
    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

impl ser::SerializeTuple for SeqSerializer<'_> {
    type Ok = ();
    type Error = FormError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FormError> {
        self.element(value)
    }
    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for SeqSerializer<'_> {
    type Ok = ();
    type Error = FormError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FormError> {
        self.element(value)
    }
    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

struct MapSerializer<'a> {
    prefix: Option<String>,
    pending_key: Option<String>,
    out: &'a mut Vec<(String, String)>,
}

impl MapSerializer<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), FormError> {
        let key = child_key(self.prefix.as_deref(), name);
        value.serialize(ValueSerializer {
            key: Some(key),
            out: self.out,
        })
    }
}

impl ser::SerializeStruct for MapSerializer<'_> {
    type Ok = ();
    type Error = FormError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), FormError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

impl ser::SerializeMap for MapSerializer<'_> {
    type Ok = ();
    type Error = FormError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), FormError> {
        self.pending_key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FormError> {
        let key = self
            .pending_key
            .take()
            .ok_or_else(|| FormError("a map value came without its key".to_owned()))?;
        self.field(&key, value)
    }
    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

/// Turns a map key into text; only scalar keys are allowed.
struct KeySerializer;

macro_rules! key_to_string {
    ($($method:ident: $ty:ty),+) => {
        $(fn $method(self, v: $ty) -> Result<String, FormError> { Ok(v.to_string()) })+
    };
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = FormError;
    type SerializeSeq = Impossible<String, FormError>;
    type SerializeTuple = Impossible<String, FormError>;
    type SerializeTupleStruct = Impossible<String, FormError>;
    type SerializeTupleVariant = Impossible<String, FormError>;
    type SerializeMap = Impossible<String, FormError>;
    type SerializeStruct = Impossible<String, FormError>;
    type SerializeStructVariant = Impossible<String, FormError>;

    key_to_string!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char,
        serialize_str: &str
    );

    fn serialize_bytes(self, _v: &[u8]) -> Result<String, FormError> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<String, FormError> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, FormError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<String, FormError> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, FormError> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, FormError> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, FormError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, FormError> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, FormError> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, FormError> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, FormError> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, FormError> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, FormError> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, FormError> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, FormError> {
        Err(key_error())
    }
}

fn key_error() -> FormError {
    FormError("map keys must be strings or numbers".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Recipient {
        name: String,
        city_string: Option<String>,
        person_type: u8,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        pickup_point: u64,
        cash_on_delivery: rust_decimal::Decimal,
        third_party_pickup: bool,
        service_taxes: Vec<u64>,
        awb_recipient: Recipient,
        locker_last_mile: Option<u64>,
        extra: BTreeMap<String, String>,
    }

    #[test]
    fn nested_structs_lists_and_nulls() {
        let body = Body {
            pickup_point: 1,
            cash_on_delivery: dec!(110.50),
            third_party_pickup: false,
            service_taxes: vec![11, 12],
            awb_recipient: Recipient {
                name: "Ana Pop".into(),
                city_string: None,
                person_type: 0,
            },
            locker_last_mile: None,
            extra: BTreeMap::from([("k".to_owned(), "v&w".to_owned())]),
        };
        let pairs = to_pairs(&body).unwrap();
        let expected: Vec<(String, String)> = [
            ("pickupPoint", "1"),
            ("cashOnDelivery", "110.50"),
            ("thirdPartyPickup", "0"),
            ("serviceTaxes[0]", "11"),
            ("serviceTaxes[1]", "12"),
            ("awbRecipient[name]", "Ana Pop"),
            ("awbRecipient[personType]", "0"),
            ("extra[k]", "v&w"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(pairs, expected);
        assert_eq!(
            to_string(&body).unwrap(),
            "pickupPoint=1&cashOnDelivery=110.50&thirdPartyPickup=0&serviceTaxes%5B0%5D=11\
             &serviceTaxes%5B1%5D=12&awbRecipient%5Bname%5D=Ana+Pop&awbRecipient%5BpersonType%5D=0\
             &extra%5Bk%5D=v%26w"
        );
    }

    #[test]
    fn empty_lists_send_nothing() {
        #[derive(Serialize)]
        struct B {
            taxes: Vec<u8>,
            a: u8,
        }
        assert_eq!(
            to_pairs(&B {
                taxes: vec![],
                a: 1
            })
            .unwrap(),
            vec![("a".to_owned(), "1".to_owned())]
        );
    }

    #[test]
    fn top_level_scalars_and_lists_are_refused() {
        assert!(to_pairs(&5u8).is_err());
        assert!(to_pairs(&vec![1, 2]).is_err());
        assert!(to_pairs(&Option::<u8>::None).unwrap().is_empty());
    }

    #[test]
    fn enum_variants_with_data_are_refused() {
        #[derive(Serialize)]
        enum E {
            A(u8),
        }
        #[derive(Serialize)]
        struct B {
            e: E,
        }
        let err = to_pairs(&B { e: E::A(1) }).unwrap_err();
        assert!(err.to_string().contains("E::A"));
    }
}
