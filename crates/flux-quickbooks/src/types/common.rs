//! Shared shapes: references, metadata, addresses, contact fields.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// A reference to another record: `{"value": "<Id>", "name": "<display>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Ref {
    /// The referenced record's id (or a currency code, or `TAX`/`NON`).
    pub value: String,
    /// Its display name (ignored on writes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Ref {
    /// A reference to `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            name: None,
        }
    }
}

/// Creation and last-update times, with the company's offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MetaData {
    /// When the record was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<FixedOffset>>,
    /// When the record was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_time: Option<DateTime<FixedOffset>>,
}

/// A postal address (`PhysicalAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PhysicalAddress {
    /// The address's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// First line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Third line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line3: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province code (`CA`, `ON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_sub_division_code: Option<String>,
    /// Country (ISO alpha-3 or full name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Latitude, as QuickBooks returns it (may be `"INVALID"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<String>,
    /// Longitude, as QuickBooks returns it (may be `"INVALID"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long: Option<String>,
}

/// `{"Address": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct EmailAddress {
    /// The address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl EmailAddress {
    /// An email address.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: Some(address.into()),
        }
    }
}

/// `{"FreeFormNumber": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TelephoneNumber {
    /// The number as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_form_number: Option<String>,
}

impl TelephoneNumber {
    /// A phone number.
    pub fn new(number: impl Into<String>) -> Self {
        Self {
            free_form_number: Some(number.into()),
        }
    }
}

/// `{"URI": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct WebSiteAddress {
    /// The URL.
    #[serde(default, rename = "URI", skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}
