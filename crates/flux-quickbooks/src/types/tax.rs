//! `TaxCode` and `TaxRate` (read-only through the API).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{MetaData, Ref};
use super::entity;

/// A tax code: `TAX`/`NON` in US companies, GST/HST/PST codes (numeric ids) in Canada.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TaxCode {
    /// Id (`TAX`, `NON`, or a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// Name (`HST ON`, `GST`, `Exempt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it groups several rates (false for the US pseudo-codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_group: Option<bool>,
    /// Whether it taxes (false only for `NON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Creation and update times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<MetaData>,
    /// Rate lists and other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

entity!(TaxCode, "TaxCode", "taxcode");

/// A tax rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TaxRate {
    /// Id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Percentage (`13` for 13 %); a number or a string on the wire.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate_value: Option<Decimal>,
    /// The tax agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_ref: Option<Ref>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Creation and update times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<MetaData>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

entity!(TaxRate, "TaxRate", "taxrate");
