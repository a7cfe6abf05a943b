//! `Estimate` and `Invoice`, and their lines.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::common::{EmailAddress, MetaData, PhysicalAddress, Ref};
use super::{Transaction, entity};

/// A sales line's item detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SalesItemLineDetail {
    /// The item sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<Ref>,
    /// Quantity.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub qty: Option<Decimal>,
    /// Unit price.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// Tax code: `TAX`/`NON` (US) or a tax code id (Canada).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code_ref: Option<Ref>,
    /// Service date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_date: Option<NaiveDate>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A transaction line. `detail_type` says which detail is present
/// (`SalesItemLineDetail`, `SubTotalLineDetail`, `DiscountLineDetail`, `DescriptionOnly`, …);
/// details this crate does not model stay in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Line {
    /// Line id (updates the existing line when it matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_num: Option<u32>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Line amount (quantity × unit price for sales lines).
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Which detail the line carries.
    #[serde(default)]
    pub detail_type: String,
    /// The item detail of a `SalesItemLineDetail` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_item_line_detail: Option<SalesItemLineDetail>,
    /// Links (payment lines).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_txn: Vec<LinkedTxn>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Line {
    /// A `SalesItemLineDetail` line; the amount is `quantity × unit_price`.
    pub fn sales_item(item_id: impl Into<String>, qty: Decimal, unit_price: Decimal) -> Self {
        Self {
            amount: Some((qty * unit_price).round_dp(2)),
            detail_type: "SalesItemLineDetail".to_owned(),
            sales_item_line_detail: Some(SalesItemLineDetail {
                item_ref: Some(Ref::new(item_id)),
                qty: Some(qty),
                unit_price: Some(unit_price),
                ..SalesItemLineDetail::default()
            }),
            ..Self::default()
        }
    }
}

/// A link to another transaction: `{"TxnId": "…", "TxnType": "Estimate"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct LinkedTxn {
    /// The linked transaction's id.
    pub txn_id: String,
    /// Its type (`Estimate`, `Invoice`, `Payment`).
    pub txn_type: String,
    /// The linked line, when relevant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_line_id: Option<String>,
}

impl LinkedTxn {
    /// A link to transaction `id` of type `txn_type`.
    pub fn new(id: impl Into<String>, txn_type: impl Into<String>) -> Self {
        Self {
            txn_id: id.into(),
            txn_type: txn_type.into(),
            txn_line_id: None,
        }
    }
}

/// `{"value": "…"}` (customer memo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct MemoRef {
    /// The text.
    pub value: String,
}

/// A custom field value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CustomField {
    /// The field definition id.
    pub definition_id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `StringType`.
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
}

/// Tax totals computed by QuickBooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TxnTaxDetail {
    /// The transaction-level tax code (replaced by automated sales tax in the US).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_tax_code_ref: Option<Ref>,
    /// Total tax.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_tax: Option<Decimal>,
    /// Tax lines and other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Whether a document is to be emailed. Unknown values are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EmailStatus {
    /// Not set.
    NotSet,
    /// Marked to be sent.
    NeedToSend,
    /// Sent.
    EmailSent,
    /// A value this crate does not know.
    Other(String),
}

impl Serialize for EmailStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Self::NotSet => "NotSet",
            Self::NeedToSend => "NeedToSend",
            Self::EmailSent => "EmailSent",
            Self::Other(v) => v,
        })
    }
}

impl<'de> Deserialize<'de> for EmailStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "NotSet" => Self::NotSet,
            "NeedToSend" => Self::NeedToSend,
            "EmailSent" => Self::EmailSent,
            _ => Self::Other(s),
        })
    }
}

macro_rules! sales_document {
    ($(#[$doc:meta])* $name:ident, $json:literal, $path:literal, { $($(#[$fattr:meta])* $field:ident : $fty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
        #[serde(rename_all = "PascalCase")]
        #[non_exhaustive]
        pub struct $name {
            /// Id (absent before creation).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub id: Option<String>,
            /// Version for optimistic locking.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub sync_token: Option<String>,
            /// `true` for a sparse update (a `Line` array still replaces every line).
            #[serde(default, rename = "sparse", skip_serializing_if = "Option::is_none")]
            pub sparse: Option<bool>,
            /// Document number (auto-numbered unless the company uses custom numbers).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub doc_number: Option<String>,
            /// Document date.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub txn_date: Option<NaiveDate>,
            /// The customer.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub customer_ref: Option<Ref>,
            /// Lines (QuickBooks adds a `SubTotalLineDetail` line in responses).
            #[serde(default)]
            pub line: Vec<Line>,
            /// Linked transactions.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub linked_txn: Vec<LinkedTxn>,
            /// Message printed for the customer.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub customer_memo: Option<MemoRef>,
            /// Internal note.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub private_note: Option<String>,
            /// Where the document is emailed.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub bill_email: Option<EmailAddress>,
            /// Billing address.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub bill_addr: Option<PhysicalAddress>,
            /// Shipping address (drives US automated sales tax).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub ship_addr: Option<PhysicalAddress>,
            /// Currency.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub currency_ref: Option<Ref>,
            /// Custom fields.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub custom_field: Vec<CustomField>,
            /// Tax totals.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub txn_tax_detail: Option<TxnTaxDetail>,
            /// Total (read-only).
            #[serde(
                default,
                with = "rust_decimal::serde::arbitrary_precision_option",
                skip_serializing_if = "Option::is_none"
            )]
            pub total_amt: Option<Decimal>,
            /// Email status.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub email_status: Option<EmailStatus>,
            $(
                $(#[$fattr])*
                pub $field: $fty,
            )*
            /// Creation and update times.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub meta_data: Option<MetaData>,
            /// Fields this crate does not model.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }

        entity!($name, $json, $path);
        impl Transaction for $name {}
    };
}

sales_document!(
    /// An estimate (quote).
    Estimate, "Estimate", "estimate", {
        /// When the estimate expires.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiration_date: Option<NaiveDate>,
        /// `Pending`, `Accepted`, `Closed`, `Rejected`, `Converted`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        txn_status: Option<String>,
    }
);

sales_document!(
    /// An invoice.
    Invoice, "Invoice", "invoice", {
        /// Due date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_date: Option<NaiveDate>,
        /// Amount still owed (0 = paid).
        #[serde(
            default,
            with = "rust_decimal::serde::arbitrary_precision_option",
            skip_serializing_if = "Option::is_none"
        )]
        balance: Option<Decimal>,
    }
);
