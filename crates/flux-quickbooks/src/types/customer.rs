//! `Customer`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{
    EmailAddress, MetaData, PhysicalAddress, Ref, TelephoneNumber, WebSiteAddress,
};
use super::{NameListEntity, entity};

/// A customer. `DisplayName` is unique across customers, vendors and employees, inactive
/// ones included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Customer {
    /// Id (absent before creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version for optimistic locking (a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// `true` for a sparse update (only the fields sent change).
    #[serde(default, rename = "sparse", skip_serializing_if = "Option::is_none")]
    pub sparse: Option<bool>,
    /// Unique display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Company name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Primary email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_email_addr: Option<EmailAddress>,
    /// Primary phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<TelephoneNumber>,
    /// Web site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_addr: Option<WebSiteAddress>,
    /// Billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_addr: Option<PhysicalAddress>,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_addr: Option<PhysicalAddress>,
    /// Whether the customer is active (`false` = "deleted").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// US only: whether sales to the customer are taxable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
    /// Default tax code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tax_code_ref: Option<Ref>,
    /// Currency (write-once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_ref: Option<Ref>,
    /// Open balance (read-only after creation).
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub balance: Option<Decimal>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Creation and update times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<MetaData>,
    /// Fields this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

entity!(Customer, "Customer", "customer");
impl NameListEntity for Customer {}
