//! `Payment`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{MetaData, Ref};
use super::sales::LinkedTxn;
use super::{Transaction, entity};

/// A payment line applying an amount to invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PaymentLine {
    /// Amount applied.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// The invoices it pays.
    #[serde(default)]
    pub linked_txn: Vec<LinkedTxn>,
}

impl PaymentLine {
    /// `amount` applied to invoice `invoice_id`.
    pub fn for_invoice(invoice_id: impl Into<String>, amount: Decimal) -> Self {
        Self {
            amount: Some(amount),
            linked_txn: vec![LinkedTxn::new(invoice_id, "Invoice")],
        }
    }
}

/// A customer payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Payment {
    /// Id (absent before creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version for optimistic locking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// `true` for a sparse update.
    #[serde(default, rename = "sparse", skip_serializing_if = "Option::is_none")]
    pub sparse: Option<bool>,
    /// The paying customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<Ref>,
    /// Total received.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amt: Option<Decimal>,
    /// Amount not applied to invoices (read-only).
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unapplied_amt: Option<Decimal>,
    /// Date received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_date: Option<NaiveDate>,
    /// Reference number (cheque number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_ref_num: Option<String>,
    /// Lines applying the payment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<PaymentLine>,
    /// Creation and update times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<MetaData>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

entity!(Payment, "Payment", "payment");
impl Transaction for Payment {}
