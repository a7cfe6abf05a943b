//! Nomenclature rows (`GET /api/nomenclature/{companies|vat_rates|clients|products|series|languages|management}`)
//! and the filters of the paginated ones (250 rows per page).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ProductType;
use super::response::DocumentTypeName;
use crate::wire;

/// A company the login can issue for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Company {
    /// The company's CIF, as every other call wants it.
    #[serde(deserialize_with = "wire::loose_string")]
    pub cif: String,
    /// The company's name.
    pub company: String,
    /// The login's role, e.g. `Administrator`.
    #[serde(default)]
    pub user_type_access: String,
    /// Whether stock management is enabled (seen only in some answers).
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub use_stock: Option<bool>,
}

/// A VAT rate configured in the account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct VatRate {
    /// `Normala`, `Redusa`, `SDD`, ...
    pub name: String,
    /// The percentage.
    #[serde(deserialize_with = "wire::loose_decimal")]
    pub percent: Option<Decimal>,
    /// Whether it is the account's default.
    #[serde(default, deserialize_with = "wire::loose_bool_default")]
    pub default: bool,
}

/// A stored client.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NomenclatureClient {
    /// CIF or CNP.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub cif: String,
    /// Name.
    pub name: String,
    /// Trade-register number.
    #[serde(default)]
    pub rc: String,
    /// Code.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub code: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// County name.
    #[serde(default)]
    pub state: String,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Country.
    #[serde(default)]
    pub country: String,
    /// IBAN.
    #[serde(default)]
    pub iban: String,
    /// Bank.
    #[serde(default)]
    pub bank: String,
    /// Email.
    #[serde(default)]
    pub email: String,
    /// Phone.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub phone: String,
    /// Contact person.
    #[serde(default)]
    pub contact: String,
    /// VAT payer.
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub vat_payer: Option<bool>,
}

/// Stock of a product in one stock room.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProductStock {
    /// Work station.
    #[serde(default)]
    pub work_station: String,
    /// Stock room.
    #[serde(default)]
    pub management: String,
    /// Quantity in stock.
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub quantity: Option<Decimal>,
    /// Price.
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub price: Option<Decimal>,
    /// Currency.
    #[serde(default)]
    pub currency: String,
    /// VAT rate name.
    #[serde(default)]
    pub vat_name: String,
    /// VAT percentage.
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub vat_percentage: Option<Decimal>,
    /// Whether the price includes VAT.
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub vat_included: Option<bool>,
}

/// A stored product.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Product {
    /// Name.
    pub name: String,
    /// Code.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub code: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Unit of measure.
    #[serde(default)]
    pub measuring_unit: String,
    /// Stock type (Oblio sends `-` for none).
    #[serde(default)]
    pub product_type: Option<ProductType>,
    /// List price (products without stock).
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub price: Option<Decimal>,
    /// Currency.
    #[serde(default)]
    pub currency: String,
    /// VAT rate name.
    #[serde(default)]
    pub vat_name: String,
    /// VAT percentage.
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub vat_percentage: Option<Decimal>,
    /// Whether the price includes VAT.
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub vat_included: Option<bool>,
    /// Whether the product is active.
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub active: Option<bool>,
    /// Stock per stock room (stock-enabled accounts).
    #[serde(default)]
    pub stock: Vec<ProductStock>,
}

/// A document series.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Series {
    /// What it numbers: `Factura`, `Proforma`, `Aviz`, ...
    #[serde(rename = "type")]
    pub kind: DocumentTypeName,
    /// The series name.
    pub name: String,
    /// The first number, zero-padded.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub start: String,
    /// The next number, zero-padded.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub next: String,
    /// Whether it is the default series for its type.
    #[serde(default, deserialize_with = "wire::loose_bool_default")]
    pub default: bool,
}

/// A document language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Language {
    /// The code to send as `language` (`EN`, `SP`, ...).
    pub code: String,
    /// The name, in Romanian.
    pub name: String,
}

/// A stock room (*gestiune*).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Management {
    /// Stock room name.
    pub management: String,
    /// Work station.
    #[serde(default)]
    pub work_station: String,
    /// Kind, e.g. `Cantitativ Valorica`.
    #[serde(default)]
    pub management_type: String,
}

/// Filters for the clients nomenclature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientFilter {
    /// Name contains.
    pub name: Option<String>,
    /// The client's CIF.
    pub client_cif: Option<String>,
    /// Rows to skip (a multiple of 250).
    pub offset: Option<u32>,
}

impl ClientFilter {
    pub(crate) fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(v) = &self.name {
            q.push(("name", v.clone()));
        }
        if let Some(v) = &self.client_cif {
            q.push(("clientCif", v.clone()));
        }
        if let Some(v) = self.offset {
            q.push(("offset", v.to_string()));
        }
        q
    }
}

/// Filters for the products nomenclature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProductFilter {
    /// Name contains.
    pub name: Option<String>,
    /// Product code.
    pub code: Option<String>,
    /// Stock room.
    pub management: Option<String>,
    /// Work station.
    pub work_station: Option<String>,
    /// Rows to skip (a multiple of 250).
    pub offset: Option<u32>,
}

impl ProductFilter {
    pub(crate) fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        for (k, v) in [
            ("name", &self.name),
            ("code", &self.code),
            ("management", &self.management),
            ("workStation", &self.work_station),
        ] {
            if let Some(v) = v {
                q.push((k, v.clone()));
            }
        }
        if let Some(v) = self.offset {
            q.push(("offset", v.to_string()));
        }
        q
    }
}
