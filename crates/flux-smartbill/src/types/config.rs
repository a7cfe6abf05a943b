//! Account configuration reads: VAT rates (`GET /tax`), series (`GET /series`) and stock
//! (`GET /stocks`).

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::num;

/// A VAT rate configured in the account.
///
/// SmartBill keeps the names (`Normala`, `Redusa`) and changes the percentages when the
/// law changes (21% and 11% from 1 August 2025), so read them rather than hard-coding.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Tax {
    /// `Normala`, `Redusa`, `Taxare inversa`, `SDD`, ...
    #[serde(deserialize_with = "num::de_string")]
    pub name: String,
    /// Percentage (`21`).
    #[serde(default, deserialize_with = "num::de")]
    pub percentage: Decimal,
}

#[derive(Deserialize)]
pub(crate) struct TaxesResponse {
    #[serde(default)]
    pub(crate) taxes: Vec<Tax>,
}

/// What a series numbers (`type`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SeriesType {
    /// `f`: invoices.
    Invoice,
    /// `p`: proformas (estimates).
    Proforma,
    /// `c`: receipts (chitante).
    Receipt,
    /// `i`: reported by the Ruby SDK, meaning not documented.
    I,
    /// `n`: reported by the Ruby SDK, meaning not documented.
    N,
    /// Any other letter.
    Other(String),
}

impl SeriesType {
    /// SmartBill's letter.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Invoice => "f",
            Self::Proforma => "p",
            Self::Receipt => "c",
            Self::I => "i",
            Self::N => "n",
            Self::Other(s) => s,
        }
    }

    /// From SmartBill's letter.
    pub fn parse(letter: &str) -> Self {
        match letter.trim() {
            "f" | "F" => Self::Invoice,
            "p" | "P" => Self::Proforma,
            "c" | "C" => Self::Receipt,
            "i" | "I" => Self::I,
            "n" | "N" => Self::N,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for SeriesType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SeriesType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SeriesType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

/// A document series.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Series {
    /// Name (`FCT`).
    #[serde(deserialize_with = "num::de_string")]
    pub name: String,
    /// The next number, as SmartBill formats it (`0117`).
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub next_number: Option<String>,
    /// What it numbers.
    #[serde(rename = "type")]
    pub series_type: SeriesType,
}

#[derive(Deserialize)]
pub(crate) struct SeriesResponse {
    #[serde(default)]
    pub(crate) list: Vec<Series>,
}

/// The query of `GET /stocks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StockQuery {
    /// The date to report stock at (required).
    pub date: NaiveDate,
    /// Only this warehouse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warehouse_name: Option<String>,
    /// Only this product name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// Only this product code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
}

impl StockQuery {
    /// Stock at `date` in every warehouse.
    pub fn at(date: NaiveDate) -> Self {
        Self {
            date,
            warehouse_name: None,
            product_name: None,
            product_code: None,
        }
    }
}

/// A warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Warehouse {
    /// Name.
    #[serde(default, deserialize_with = "num::de_string")]
    pub warehouse_name: String,
    /// `en gros` (wholesale) or `en detail` (retail).
    #[serde(default, deserialize_with = "num::de_string")]
    pub warehouse_type: String,
}

/// A product's stock in a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StockProduct {
    /// Unit of measure.
    #[serde(default, deserialize_with = "num::de_string")]
    pub measuring_unit: String,
    /// Product code.
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub product_code: Option<String>,
    /// Product name.
    #[serde(default, deserialize_with = "num::de_string")]
    pub product_name: String,
    /// Quantity in stock.
    #[serde(default, deserialize_with = "num::de")]
    pub quantity: Decimal,
}

/// The stock of one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WarehouseStock {
    /// The warehouse.
    pub warehouse: Warehouse,
    /// Its products.
    #[serde(default)]
    pub products: Vec<StockProduct>,
}

#[derive(Deserialize)]
pub(crate) struct StocksResponse {
    #[serde(default)]
    pub(crate) list: Vec<WarehouseStock>,
}
