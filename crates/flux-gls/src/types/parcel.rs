//! The `Parcel` object sent to `PrintLabels` / `PrepareLabels` / `GetPrintData` and
//! returned inside `PrintDataInfo`.

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A postal address (`PickupAddress`, `DeliveryAddress`). GLS routes by ZIP code, not by
/// county; street and house number are separate fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Address {
    /// The addressee (a person or a company).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub name: String,
    /// Street name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub street: Option<String>,
    /// House number (error 23 if 0).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub house_number: Option<String>,
    /// Building, floor, apartment.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub house_number_info: Option<String>,
    /// City.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub city: String,
    /// Postal code (6 digits in Romania).
    #[serde(default, deserialize_with = "zip")]
    pub zip_code: String,
    /// ISO 3166-1 alpha-2 country (compulsory, also for parcel-shop delivery).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub country_iso_code: String,
    /// Contact person.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub contact_name: Option<String>,
    /// Contact phone (used for SMS notifications).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub contact_phone: Option<String>,
    /// Contact e-mail.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub contact_email: Option<String>,
}

fn zip<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(crate::wire::string_option::deserialize(d)?.unwrap_or_default())
}

impl Address {
    /// An address with its required parts.
    pub fn new(
        name: impl Into<String>,
        city: impl Into<String>,
        zip_code: impl Into<String>,
        country_iso_code: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            city: city.into(),
            zip_code: zip_code.into(),
            country_iso_code: country_iso_code.into(),
            ..Self::default()
        }
    }
}

/// A service code. Unknown codes are kept in [`ServiceCode::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceCode {
    /// `24H`: guaranteed 24-hour delivery.
    Guaranteed24h,
    /// `ADR`: dangerous goods.
    Adr,
    /// `AOS`: addressee only.
    AddresseeOnly,
    /// `CS1`: contact service (phone).
    Contact,
    /// `DDS`: day-definite delivery.
    DayDefinite,
    /// `DPV`: declared parcel value.
    DeclaredValue,
    /// `FDS`: flex delivery by e-mail.
    FlexDeliveryEmail,
    /// `FSS`: flex delivery by SMS (requires FDS).
    FlexDeliverySms,
    /// `INS`: insurance.
    Insurance,
    /// `PRS`: pick & return.
    PickAndReturn,
    /// `PSD`: delivery to a ParcelShop or ParcelLocker.
    ParcelShopDelivery,
    /// `PSS`: pick & ship.
    PickAndShip,
    /// `SAT`: Saturday delivery.
    Saturday,
    /// `SBS`: stand-by.
    StandBy,
    /// `SDS`: scheduled delivery (time window).
    ScheduledDelivery,
    /// `SM1`: SMS with a text.
    Sms,
    /// `SM2`: SMS pre-advice.
    SmsPreAdvice,
    /// `TGS`: think green.
    ThinkGreen,
    /// `XS`: exchange.
    Exchange,
    /// Any other code (`T12`, `SZL`, …), kept as given.
    Other(String),
}

impl ServiceCode {
    /// The wire code.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Guaranteed24h => "24H",
            Self::Adr => "ADR",
            Self::AddresseeOnly => "AOS",
            Self::Contact => "CS1",
            Self::DayDefinite => "DDS",
            Self::DeclaredValue => "DPV",
            Self::FlexDeliveryEmail => "FDS",
            Self::FlexDeliverySms => "FSS",
            Self::Insurance => "INS",
            Self::PickAndReturn => "PRS",
            Self::ParcelShopDelivery => "PSD",
            Self::PickAndShip => "PSS",
            Self::Saturday => "SAT",
            Self::StandBy => "SBS",
            Self::ScheduledDelivery => "SDS",
            Self::Sms => "SM1",
            Self::SmsPreAdvice => "SM2",
            Self::ThinkGreen => "TGS",
            Self::Exchange => "XS",
            Self::Other(code) => code,
        }
    }

    /// Parses a wire code (case-insensitive for the known ones).
    pub fn parse(code: &str) -> Self {
        match code.trim().to_ascii_uppercase().as_str() {
            "24H" => Self::Guaranteed24h,
            "ADR" => Self::Adr,
            "AOS" => Self::AddresseeOnly,
            "CS1" => Self::Contact,
            "DDS" => Self::DayDefinite,
            "DPV" => Self::DeclaredValue,
            "FDS" => Self::FlexDeliveryEmail,
            "FSS" => Self::FlexDeliverySms,
            "INS" => Self::Insurance,
            "PRS" => Self::PickAndReturn,
            "PSD" => Self::ParcelShopDelivery,
            "PSS" => Self::PickAndShip,
            "SAT" => Self::Saturday,
            "SBS" => Self::StandBy,
            "SDS" => Self::ScheduledDelivery,
            "SM1" => Self::Sms,
            "SM2" => Self::SmsPreAdvice,
            "TGS" => Self::ThinkGreen,
            "XS" => Self::Exchange,
            _ => Self::Other(code.trim().to_owned()),
        }
    }
}

/// One entry of `ServiceList`: `{"Code":"PSD","PSDParameter":{"StringValue":"…"}}`.
///
/// The parameter object is named after the code (`<Code>Parameter`) and its shape depends
/// on the service, so it is kept as JSON; the constructors build the documented shapes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Service {
    /// The code.
    pub code: ServiceCode,
    /// The `<Code>Parameter` object, if the service takes one.
    pub parameter: Option<Value>,
}

impl Service {
    /// A service without parameter (`24H`, `SAT`, `TGS`, …).
    pub fn new(code: ServiceCode) -> Self {
        Self {
            code,
            parameter: None,
        }
    }

    /// A service with a raw parameter object.
    pub fn with_parameter(code: ServiceCode, parameter: Value) -> Self {
        Self {
            code,
            parameter: Some(parameter),
        }
    }

    /// `PSD`: delivery to the ParcelShop / ParcelLocker `shop_id`. The parcel still needs a
    /// full `DeliveryAddress` with its country code.
    pub fn parcel_shop(shop_id: impl Into<String>) -> Self {
        Self::with_parameter(
            ServiceCode::ParcelShopDelivery,
            serde_json::json!({ "StringValue": shop_id.into() }),
        )
    }

    /// `DPV`: declared parcel value (`StringValue` free text, `DecimalValue` the amount).
    pub fn declared_value(text: impl Into<String>, value: Decimal) -> Self {
        let mut p = Map::new();
        p.insert("StringValue".into(), Value::String(text.into()));
        p.insert("DecimalValue".into(), decimal_number(value));
        Self::with_parameter(ServiceCode::DeclaredValue, Value::Object(p))
    }

    /// `INS`: insurance of `value` (a JSON number; one parcel only, error 28).
    pub fn insurance(value: Decimal) -> Self {
        let mut p = Map::new();
        p.insert("Value".into(), decimal_number(value));
        Self::with_parameter(ServiceCode::Insurance, Value::Object(p))
    }

    /// `SAT`: Saturday delivery.
    pub fn saturday() -> Self {
        Self::new(ServiceCode::Saturday)
    }

    /// `FDS`: flex delivery notification by e-mail.
    pub fn flex_delivery_email(email: impl Into<String>) -> Self {
        Self::with_parameter(
            ServiceCode::FlexDeliveryEmail,
            serde_json::json!({ "Value": email.into() }),
        )
    }

    /// `FSS`: flex delivery notification by SMS (GLS requires `FDS` too).
    pub fn flex_delivery_sms(phone: impl Into<String>) -> Self {
        Self::with_parameter(
            ServiceCode::FlexDeliverySms,
            serde_json::json!({ "Value": phone.into() }),
        )
    }

    /// `SM2`: SMS pre-advice to `phone`.
    pub fn sms_pre_advice(phone: impl Into<String>) -> Self {
        Self::with_parameter(
            ServiceCode::SmsPreAdvice,
            serde_json::json!({ "StringValue": phone.into() }),
        )
    }

    /// `CS1`: contact service, the courier calls `phone`.
    pub fn contact(phone: impl Into<String>) -> Self {
        Self::with_parameter(
            ServiceCode::Contact,
            serde_json::json!({ "Value": phone.into() }),
        )
    }

    /// `AOS`: deliver to `name` only.
    pub fn addressee_only(name: impl Into<String>) -> Self {
        Self::with_parameter(
            ServiceCode::AddresseeOnly,
            serde_json::json!({ "Value": name.into() }),
        )
    }
}

fn decimal_number(value: Decimal) -> Value {
    value
        .normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(value.to_string()))
}

impl Serialize for Service {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = Map::new();
        map.insert("Code".into(), Value::String(self.code.as_str().to_owned()));
        if let Some(p) = &self.parameter {
            map.insert(format!("{}Parameter", self.code.as_str()), p.clone());
        }
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Service {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(d)?;
        let code = match map.remove("Code") {
            Some(Value::String(c)) => c,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "service without a Code: {other:?}"
                )));
            }
        };
        let parameter = map
            .remove(&format!("{code}Parameter"))
            .or_else(|| {
                let key = map.keys().find(|k| k.ends_with("Parameter"))?.clone();
                map.remove(&key)
            })
            .filter(|p| !p.is_null());
        Ok(Self {
            code: ServiceCode::parse(&code),
            parameter,
        })
    }
}

/// Size and weight of one package (`ParcelPropertyList`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ParcelProperty {
    /// What is inside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Package type code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_type: Option<i64>,
    /// Height, cm.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub height: Option<Decimal>,
    /// Length, cm.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub length: Option<Decimal>,
    /// Width, cm.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub width: Option<Decimal>,
    /// Weight, kg.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub weight: Option<Decimal>,
}

/// One shipment of `Count` packages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Parcel {
    /// The GLS account number (client number), in every parcel.
    pub client_number: i64,
    /// Our reference (order number); echoed back and searchable in `GetParcelList`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub client_reference: Option<String>,
    /// Number of packages, 1–99.
    #[serde(default = "one")]
    pub count: u32,
    /// Cash on delivery, a JSON number (0 or absent: none).
    #[serde(
        rename = "CODAmount",
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub cod_amount: Option<Decimal>,
    /// The payer's reference for the COD transfer.
    #[serde(
        rename = "CODReference",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub cod_reference: Option<String>,
    /// ISO 4217 currency of the COD.
    #[serde(
        rename = "CODCurrency",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub cod_currency: Option<String>,
    /// What is inside.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub content: Option<String>,
    /// When GLS should pick it up.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::date::wcf_option"
    )]
    pub pickup_date: Option<DateTime<FixedOffset>>,
    /// Sender.
    pub pickup_address: Address,
    /// Recipient (also for parcel-shop delivery).
    pub delivery_address: Address,
    /// Extra services.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::wire::null_default"
    )]
    pub service_list: Vec<Service>,
    /// Per-package sizes and weights.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::wire::null_default"
    )]
    pub parcel_property_list: Vec<ParcelProperty>,
}

fn one() -> u32 {
    1
}

impl Parcel {
    /// A parcel of one package from `pickup` to `delivery`.
    pub fn new(client_number: i64, pickup: Address, delivery: Address) -> Self {
        Self {
            client_number,
            client_reference: None,
            count: 1,
            cod_amount: None,
            cod_reference: None,
            cod_currency: None,
            content: None,
            pickup_date: None,
            pickup_address: pickup,
            delivery_address: delivery,
            service_list: Vec::new(),
            parcel_property_list: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn services_serialize_with_the_code_named_parameter() {
        let json = serde_json::to_string(&Service::parcel_shop("2351-CSOMAGPONT")).unwrap();
        assert_eq!(
            json,
            r#"{"Code":"PSD","PSDParameter":{"StringValue":"2351-CSOMAGPONT"}}"#
        );
        let json = serde_json::to_string(&Service::insurance(dec!(150.50))).unwrap();
        assert_eq!(json, r#"{"Code":"INS","INSParameter":{"Value":150.5}}"#);
        assert_eq!(
            serde_json::to_string(&Service::saturday()).unwrap(),
            r#"{"Code":"SAT"}"#
        );
        let back: Service = serde_json::from_str(r#"{"Code":"T12","T12Parameter":null}"#).unwrap();
        assert_eq!(back, Service::new(ServiceCode::Other("T12".into())));
    }
}
