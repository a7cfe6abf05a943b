use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::PackageType;
use crate::de;

/// `costType` of an optional tax.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CostType {
    /// `"Fix"`: a fixed amount.
    Fixed,
    /// `"Procentual"`: a percentage.
    Percentage,
    /// Another value.
    Other(String),
}

impl<'de> Deserialize<'de> for CostType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = de::text(d)?;
        Ok(match s.as_str() {
            "Fix" => CostType::Fixed,
            "Procentual" => CostType::Percentage,
            _ => CostType::Other(s),
        })
    }
}

/// An optional tax (extra service) of a service, e.g. open package (`OPCG`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OptionalTax {
    /// The id to send in `serviceTaxes[]`.
    pub id: i64,
    /// Its name ("Deschidere Colet").
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Its code (`OPCG` open package, `PDO` personal delivery option), when it has one.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub tax_code: Option<String>,
    /// Fixed or percentage.
    #[serde(default)]
    pub cost_type: Option<CostType>,
    /// The amount or percentage.
    #[serde(default)]
    pub tax: Option<Decimal>,
    /// The package type this tax applies to.
    #[serde(default)]
    pub package_type: Option<PackageType>,
}

/// `deliveryType` of a service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DeliveryType {
    /// Id.
    pub id: i64,
    /// Name ("Sameday", "NextDay").
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
}

/// A service of the account (`GET /api/client/services`). Ids differ between demo and
/// production; codes do not.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Service {
    /// The id to send as `service` (environment-specific).
    pub id: i64,
    /// Name ("24H").
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Code: `24`, `6H`, `LN` (easybox), `PP` (PUDO), `XB`, `XL`, `2H`, `3H`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub service_code: String,
    /// Delivery type.
    #[serde(default)]
    pub delivery_type: Option<DeliveryType>,
    /// `defaultServices`.
    #[serde(default, deserialize_with = "de::flag")]
    pub default_services: bool,
    /// Optional taxes this service offers.
    #[serde(default)]
    pub service_optional_taxes: Vec<OptionalTax>,
}

impl Service {
    /// The optional tax with `code` for `package_type`, if offered.
    pub fn optional_tax(&self, code: &str, package_type: &PackageType) -> Option<&OptionalTax> {
        self.service_optional_taxes.iter().find(|t| {
            t.tax_code.as_deref() == Some(code)
                && t.package_type.as_ref().is_none_or(|p| p == package_type)
        })
    }
}

/// A country in Sameday's nomenclature.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Country {
    /// Id.
    pub id: i64,
    /// Name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// ISO code (`RO`).
    #[serde(default, deserialize_with = "de::text")]
    pub code: String,
}

/// A county (`GET /api/geolocation/county`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct County {
    /// Id.
    pub id: i64,
    /// Name ("Bucuresti").
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Code (`B`, `CJ`).
    #[serde(default, deserialize_with = "de::text")]
    pub code: String,
}

/// A city (`GET /api/geolocation/city`). Bucharest's sectors are cities
/// ("Sectorul 1" … "Sectorul 6").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct City {
    /// Id.
    pub id: i64,
    /// Name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Its county.
    #[serde(default)]
    pub county: Option<County>,
    /// Postal code.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub postal_code: Option<String>,
    /// Extra kilometres charged.
    #[serde(default, rename = "extraKM")]
    pub extra_km: Option<Decimal>,
    /// Village.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub village: Option<String>,
    /// Logistic circle ("Cerc 1").
    #[serde(default, deserialize_with = "de::opt_text")]
    pub logistic_circle: Option<String>,
    /// Same-day delivery agency.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub sameday_delivery_agency: Option<String>,
    /// Same-day pickup agency.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub sameday_pickup_agency: Option<String>,
    /// Next-day delivery agency.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub next_day_delivery_agency: Option<String>,
}

/// The city of a pickup point.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PickupPointCity {
    /// Id.
    pub id: i64,
    /// Name ("Sectorul 6").
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Same-day delivery agency.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub sameday_delivery_agency: Option<String>,
    /// Same-day pickup agency.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub sameday_pickup_agency: Option<String>,
    /// Extra kilometres.
    #[serde(default, rename = "extraKM")]
    pub extra_km: Option<Decimal>,
}

/// A contact person of a pickup point.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContactPerson {
    /// The id to send as `contactPerson`.
    pub id: i64,
    /// Name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Phone.
    #[serde(default, deserialize_with = "de::text")]
    pub phone_number: String,
    /// Whether this is the default contact.
    #[serde(default, deserialize_with = "de::flag", alias = "default")]
    pub default_contact_person: bool,
}

/// One of the sender's pickup points (`GET /api/client/pickup-points`): where Sameday
/// collects parcels. Its id is the AWB's `pickupPoint`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PickupPoint {
    /// Id.
    pub id: i64,
    /// Country.
    #[serde(default)]
    pub country: Option<Country>,
    /// County.
    #[serde(default)]
    pub county: Option<County>,
    /// City.
    #[serde(default)]
    pub city: Option<PickupPointCity>,
    /// Street address.
    #[serde(default, deserialize_with = "de::text")]
    pub address: String,
    /// Whether AWBs use it by default.
    #[serde(default, deserialize_with = "de::flag")]
    pub default_pickup_point: bool,
    /// Contacts.
    #[serde(default)]
    pub pickup_point_contact_person: Vec<ContactPerson>,
    /// A short name.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub alias: Option<String>,
    /// Whether it is active.
    #[serde(default, deserialize_with = "de::flag")]
    pub status: bool,
}

/// A contact of a new pickup point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewContactPerson {
    /// Name.
    pub name: String,
    /// Phone.
    pub phone_number: String,
    /// Whether it is the default contact.
    pub default: bool,
}

impl NewContactPerson {
    /// A contact.
    pub fn new(name: impl Into<String>, phone_number: impl Into<String>, default: bool) -> Self {
        Self {
            name: name.into(),
            phone_number: phone_number.into(),
            default,
        }
    }
}

/// The body of `POST /api/client/pickup-points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewPickupPoint {
    /// Country id.
    pub country: i64,
    /// County id.
    pub county: i64,
    /// City id.
    pub city: i64,
    /// Street address.
    pub address: String,
    /// Postal code.
    pub postal_code: String,
    /// A short name.
    pub alias: String,
    /// Contacts, at least one.
    pub pickup_point_contact_person: Vec<NewContactPerson>,
    /// Make it the default pickup point.
    pub default_pickup_point: bool,
}

impl NewPickupPoint {
    /// A pickup point with the nomenclature ids of its place.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        country: i64,
        county: i64,
        city: i64,
        address: impl Into<String>,
        postal_code: impl Into<String>,
        alias: impl Into<String>,
        contacts: Vec<NewContactPerson>,
        default_pickup_point: bool,
    ) -> Self {
        Self {
            country,
            county,
            city,
            address: address.into(),
            postal_code: postal_code.into(),
            alias: alias.into(),
            pickup_point_contact_person: contacts,
            default_pickup_point,
        }
    }
}

/// Free boxes of one size in an easybox.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AvailableBox {
    /// `S`, `M` or `L`.
    #[serde(default, deserialize_with = "de::text")]
    pub size: String,
    /// How many are free.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub number: Option<i64>,
}

/// Opening hours of one weekday.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScheduleEntry {
    /// 1 (Monday) to 7 (Sunday).
    #[serde(deserialize_with = "de::opt_i64")]
    pub day: Option<i64>,
    /// `"08:00"`.
    #[serde(default, deserialize_with = "de::text")]
    pub opening_hour: String,
    /// `"20:00"`.
    #[serde(default, deserialize_with = "de::text")]
    pub closing_hour: String,
}

/// An easybox locker (`GET /api/client/lockers`). Its `locker_id` is the AWB's
/// `lockerLastMile`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Locker {
    /// The id for `lockerLastMile`.
    pub locker_id: i64,
    /// Name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Country name.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub country: Option<String>,
    /// County name.
    #[serde(default, deserialize_with = "de::text")]
    pub county: String,
    /// County id.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub county_id: Option<i64>,
    /// City name ("Sectorul 4").
    #[serde(default, deserialize_with = "de::text")]
    pub city: String,
    /// City id.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub city_id: Option<i64>,
    /// Street address.
    #[serde(default, deserialize_with = "de::text")]
    pub address: String,
    /// Postal code.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub postal_code: Option<String>,
    /// Latitude, as Sameday writes it.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub lat: Option<String>,
    /// Longitude, as Sameday writes it.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub lng: Option<String>,
    /// Whether card payment (for COD) is possible.
    #[serde(default, deserialize_with = "de::flag")]
    pub supported_payment: bool,
    /// Whether the locker is shown to shoppers.
    #[serde(default, deserialize_with = "de::flag")]
    pub client_visible: bool,
    /// Email.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub phone: Option<String>,
    /// Free boxes by size.
    #[serde(default)]
    pub available_boxes: Vec<AvailableBox>,
    /// Opening hours.
    #[serde(default)]
    pub schedule: Vec<ScheduleEntry>,
}

/// `oohType` of an out-of-home location.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OohType {
    /// `0`: an easybox locker (service `LN`, field `lockerLastMile`).
    Locker,
    /// `1`: a Sameday PUDO point (service `PP`, field `oohLastMile`).
    PickupPoint,
    /// Another value.
    Other(String),
}

impl<'de> Deserialize<'de> for OohType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = de::text(d)?;
        Ok(match s.as_str() {
            "0" => OohType::Locker,
            "1" => OohType::PickupPoint,
            _ => OohType::Other(s),
        })
    }
}

/// An out-of-home location, locker or PUDO (`GET /api/client/ooh-locations`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OohLocation {
    /// The id (for `lockerLastMile` or `oohLastMile`, by [`ooh_type`](Self::ooh_type)).
    pub ooh_id: i64,
    /// Name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// County name.
    #[serde(default, deserialize_with = "de::text")]
    pub county: String,
    /// Country name.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub country: Option<String>,
    /// City name.
    #[serde(default, deserialize_with = "de::text")]
    pub city: String,
    /// Street address.
    #[serde(default, deserialize_with = "de::text")]
    pub address: String,
    /// Postal code.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub postal_code: Option<String>,
    /// Latitude.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub lat: Option<String>,
    /// Longitude.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub lng: Option<String>,
    /// Phone.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub phone: Option<String>,
    /// Email.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub email: Option<String>,
    /// Opening hours.
    #[serde(default)]
    pub schedule: Vec<ScheduleEntry>,
    /// Locker or PUDO.
    pub ooh_type: OohType,
}
