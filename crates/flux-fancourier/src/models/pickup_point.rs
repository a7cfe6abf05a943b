//! `GET reports/pickup-points`: FANbox lockers, PayPoint shops and FAN offices.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::open_enum;
use crate::wire;

open_enum! {
    /// The kind of pickup point (`type`).
    PickupPointType {
        /// FANbox locker.
        Fanbox => "fanbox",
        /// PayPoint partner shop.
        Paypoint => "paypoint",
        /// FAN office.
        Office => "office",
    }
}

/// A pickup point's address, as FAN sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct PickupPointAddress {
    /// Locality.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub locality: Option<String>,
    /// County.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub county: Option<String>,
    /// Street.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub street: Option<String>,
    /// Street number.
    #[serde(rename = "streetNo", default, deserialize_with = "wire::opt_string")]
    pub street_no: Option<String>,
    /// Postal code.
    #[serde(rename = "zipCode", default, deserialize_with = "wire::opt_string")]
    pub zip_code: Option<String>,
    /// Everything else, as given.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A FANbox, PayPoint or office.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct FanPickupPoint {
    /// The id to put in `recipient.address.pickupLocationId`.
    #[serde(deserialize_with = "wire::string")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "wire::string")]
    pub name: String,
    /// The routing location.
    #[serde(
        rename = "routingLocation",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub routing_location: Option<String>,
    /// Description (where exactly it is).
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub description: Option<String>,
    /// Latitude.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub latitude: Option<Decimal>,
    /// Longitude.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub longitude: Option<Decimal>,
    /// Its address: an AWB to this point must carry exactly this address.
    #[serde(default)]
    pub address: PickupPointAddress,
    /// Opening hours, as FAN sends them.
    #[serde(default)]
    pub schedule: Vec<serde_json::Value>,
    /// Locker drawers (FANbox), as FAN sends them.
    #[serde(default)]
    pub drawer: Vec<serde_json::Value>,
    /// Phones.
    #[serde(default)]
    pub phones: Vec<serde_json::Value>,
    /// Email.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub email: Option<String>,
}
