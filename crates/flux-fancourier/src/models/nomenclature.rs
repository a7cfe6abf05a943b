//! Services, service options, counties, localities and streets.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::awb::{AwbOption, ServiceName};
use crate::wire;

/// A service (`reports/services`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Service {
    /// FAN's numeric id.
    #[serde(default, deserialize_with = "wire::string")]
    pub id: String,
    /// The name to use in AWBs and tariffs.
    pub name: ServiceName,
    /// A description.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub description: Option<String>,
}

/// An option a service accepts (`reports/service-options`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ServiceOption {
    /// The option letter (the PHP SDK reads `id`; the notes say `code`: both are accepted).
    #[serde(alias = "code")]
    pub id: AwbOption,
    /// Its name.
    #[serde(default, deserialize_with = "wire::string")]
    pub name: String,
}

/// A county of FAN's nomenclature (`reports/counties`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FanCounty {
    /// FAN's id.
    #[serde(default, deserialize_with = "wire::string")]
    pub id: String,
    /// The name to send in addresses.
    #[serde(deserialize_with = "wire::string")]
    pub name: String,
}

/// A locality (`reports/localities`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Locality {
    /// FAN's id.
    #[serde(default, deserialize_with = "wire::string")]
    pub id: String,
    /// The name to send in addresses.
    #[serde(deserialize_with = "wire::string")]
    pub name: String,
    /// Its county.
    #[serde(default, deserialize_with = "wire::string")]
    pub county: String,
    /// The FAN agency serving it.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub agency: Option<String>,
    /// Kilometres outside the agency's area (extra-km cost), if any.
    #[serde(rename = "exteriorKm", default, deserialize_with = "wire::opt_decimal")]
    pub exterior_km: Option<Decimal>,
}

/// A street (`reports/streets`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Street {
    /// FAN's id.
    #[serde(default, deserialize_with = "wire::string")]
    pub id: String,
    /// The street name.
    #[serde(rename = "street", default, deserialize_with = "wire::string")]
    pub name: String,
    /// Street type (`Strada`, `Bulevardul`).
    #[serde(rename = "type", default, deserialize_with = "wire::opt_string")]
    pub kind: Option<String>,
    /// Locality.
    #[serde(default, deserialize_with = "wire::string")]
    pub locality: String,
    /// County.
    #[serde(default, deserialize_with = "wire::string")]
    pub county: String,
    /// Number ranges and their postal codes.
    #[serde(default)]
    pub details: Vec<StreetDetail>,
}

/// A part of a street with its own postal code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct StreetDetail {
    /// Postal code.
    #[serde(rename = "zipCode", default, deserialize_with = "wire::opt_string")]
    pub zip_code: Option<String>,
    /// Everything else FAN sends for the range (number intervals, parity), as given.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A street search (`reports/streets`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreetQuery {
    /// County name.
    pub county: String,
    /// Locality name.
    pub locality: String,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Entries per page.
    pub per_page: Option<u32>,
}

impl StreetQuery {
    /// The streets of `locality` in `county` (nomenclature names).
    pub fn new(county: impl Into<String>, locality: impl Into<String>) -> Self {
        Self {
            county: county.into(),
            locality: locality.into(),
            page: None,
            per_page: None,
        }
    }

    /// Sets the page and page size.
    #[must_use]
    pub fn page(mut self, page: u32, per_page: u32) -> Self {
        self.page = Some(page);
        self.per_page = Some(per_page);
        self
    }
}
