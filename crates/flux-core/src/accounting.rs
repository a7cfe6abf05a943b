//! The [`Accounting`] trait (QuickBooks Online) for FluxOrders: customers and items synced
//! in, estimates and invoices pushed out.
//!
//! ```
//! use flux_core::accounting::{SalesDocumentRequest, SalesLine, TaxTreatment};
//! use rust_decimal_macros::dec;
//!
//! let line = SalesLine::new("11", dec!(3), dec!(12.50)).with_tax(TaxTreatment::Code("5".into()));
//! let doc = SalesDocumentRequest::new("order-42:estimate", "58", vec![line]).with_po_number("PO-7781");
//! assert!(doc.validate().is_ok());
//! ```

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::error::{FieldError, ProviderError};
use crate::money::{Currency, Money};

/// A customer as the accounting system holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountingCustomer {
    /// The system's id.
    pub id: String,
    /// The unique display name.
    pub display_name: String,
    /// Company name.
    pub company_name: Option<String>,
    /// Primary email.
    pub email: Option<String>,
    /// Primary phone.
    pub phone: Option<String>,
    /// Billing address.
    pub billing_address: Option<Address>,
    /// Shipping address.
    pub shipping_address: Option<Address>,
    /// Whether the customer is active (inactive ones are "deleted" in QuickBooks).
    pub active: bool,
    /// Last change at the system.
    pub updated_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version (QuickBooks `SyncToken`).
    pub version: Option<String>,
}

impl AccountingCustomer {
    /// A customer with an id and display name.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            display_name: display_name.into(),
            company_name: None,
            email: None,
            phone: None,
            billing_address: None,
            shipping_address: None,
            active: true,
            updated_at: None,
            version: None,
        }
    }
}

/// What to create or update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerInput {
    /// Unique display name: the key for "look up before create".
    pub display_name: String,
    /// Company name.
    pub company_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Billing address.
    pub billing_address: Option<Address>,
    /// Shipping address.
    pub shipping_address: Option<Address>,
}

impl CustomerInput {
    /// A customer named `display_name`.
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            company_name: None,
            email: None,
            phone: None,
            billing_address: None,
            shipping_address: None,
        }
    }
}

/// A product or service as the accounting system holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountingItem {
    /// The system's id.
    pub id: String,
    /// Name.
    pub name: String,
    /// SKU.
    pub sku: Option<String>,
    /// Sales description.
    pub description: Option<String>,
    /// Sales price.
    pub unit_price: Option<Decimal>,
    /// Whether it is taxable.
    pub taxable: Option<bool>,
    /// Whether it is active.
    pub active: bool,
    /// Last change at the system.
    pub updated_at: Option<DateTime<Utc>>,
}

impl AccountingItem {
    /// An item.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            sku: None,
            description: None,
            unit_price: None,
            taxable: None,
            active: true,
            updated_at: None,
        }
    }
}

/// How a line is taxed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", content = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaxTreatment {
    /// The company's default for the item.
    #[default]
    Default,
    /// US: taxable (`TAX`).
    Taxable,
    /// US: not taxable (`NON`).
    NonTaxable,
    /// A specific tax code id (Canada: the GST/HST/PST code's id).
    Code(String),
}

/// One line of an estimate or invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SalesLine {
    /// The item's id in the accounting system.
    pub item_id: String,
    /// Description printed on the line.
    pub description: Option<String>,
    /// Quantity.
    pub quantity: Decimal,
    /// Unit price.
    pub unit_price: Decimal,
    /// Tax.
    pub tax: TaxTreatment,
}

impl SalesLine {
    /// A line.
    pub fn new(item_id: impl Into<String>, quantity: Decimal, unit_price: Decimal) -> Self {
        Self {
            item_id: item_id.into(),
            description: None,
            quantity,
            unit_price,
            tax: TaxTreatment::Default,
        }
    }

    /// Sets the tax treatment.
    #[must_use]
    pub fn with_tax(mut self, tax: TaxTreatment) -> Self {
        self.tax = tax;
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// An estimate or invoice to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SalesDocumentRequest {
    /// Our idempotency key for this intent (QuickBooks `requestid`).
    pub idempotency_key: String,
    /// The customer's id in the accounting system.
    pub customer_id: String,
    /// The lines.
    pub lines: Vec<SalesLine>,
    /// The document date.
    pub date: Option<NaiveDate>,
    /// The due date (invoices) or expiry date (estimates).
    pub due_date: Option<NaiveDate>,
    /// The customer's purchase-order number.
    pub po_number: Option<String>,
    /// A memo shown to the customer (shipping instructions).
    pub customer_memo: Option<String>,
    /// A private note.
    pub private_note: Option<String>,
    /// Where to ship.
    pub ship_to: Option<Address>,
    /// Email address for sending.
    pub bill_email: Option<String>,
    /// Currency, when the company uses several.
    pub currency: Option<Currency>,
    /// Our document number, when the company does not number automatically.
    pub doc_number: Option<String>,
}

impl SalesDocumentRequest {
    /// A document for `customer_id` with `lines`.
    pub fn new(
        idempotency_key: impl Into<String>,
        customer_id: impl Into<String>,
        lines: Vec<SalesLine>,
    ) -> Self {
        Self {
            idempotency_key: idempotency_key.into(),
            customer_id: customer_id.into(),
            lines,
            date: None,
            due_date: None,
            po_number: None,
            customer_memo: None,
            private_note: None,
            ship_to: None,
            bill_email: None,
            currency: None,
            doc_number: None,
        }
    }

    /// Sets the PO number.
    #[must_use]
    pub fn with_po_number(mut self, po: impl Into<String>) -> Self {
        self.po_number = Some(po.into());
        self
    }

    /// Checks what the accounting system would refuse.
    pub fn validate(&self) -> Result<(), ProviderError> {
        let mut fields = Vec::new();
        if self.idempotency_key.trim().is_empty() {
            fields.push(FieldError::new("idempotency_key", "must not be empty"));
        }
        if self.customer_id.trim().is_empty() {
            fields.push(FieldError::new("customer_id", "must not be empty"));
        }
        if self.lines.is_empty() {
            fields.push(FieldError::new("lines", "at least one line is needed"));
        }
        for (i, l) in self.lines.iter().enumerate() {
            if l.item_id.trim().is_empty() {
                fields.push(FieldError::new(
                    format!("lines[{i}].item_id"),
                    "must not be empty",
                ));
            }
            if l.quantity <= Decimal::ZERO {
                fields.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "must be above zero",
                ));
            }
            if l.unit_price < Decimal::ZERO {
                fields.push(FieldError::new(
                    format!("lines[{i}].unit_price"),
                    "must not be negative",
                ));
            }
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ProviderError::validation_fields("flux", fields))
        }
    }
}

/// Estimate or invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountingDocumentKind {
    /// A quote for the customer.
    Estimate,
    /// A bill.
    Invoice,
}

/// Identifies a document in the accounting system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountingDocumentRef {
    /// Estimate or invoice.
    pub kind: AccountingDocumentKind,
    /// The system's id.
    pub id: String,
}

/// A created document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountingDocument {
    /// Which document.
    pub reference: AccountingDocumentRef,
    /// Its printed number.
    pub doc_number: Option<String>,
    /// Its total.
    pub total: Option<Money>,
    /// Optimistic-concurrency version.
    pub version: Option<String>,
}

impl AccountingDocument {
    /// A document.
    pub fn new(kind: AccountingDocumentKind, id: impl Into<String>) -> Self {
        Self {
            reference: AccountingDocumentRef {
                kind,
                id: id.into(),
            },
            doc_number: None,
            total: None,
            version: None,
        }
    }
}

/// An accounting system: changed customers and items, customer upsert, estimates and
/// invoices, PDFs and email.
#[async_trait]
pub trait Accounting: Send + Sync {
    /// A short stable id: `"quickbooks"`.
    fn provider(&self) -> &'static str;

    /// Customers changed since `since` (all of them when `None`), inactive ones included.
    async fn customers_changed_since(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AccountingCustomer>, ProviderError> {
        let _ = since;
        Err(ProviderError::unsupported(self.provider(), "customer sync"))
    }

    /// Items changed since `since` (all of them when `None`), inactive ones included.
    async fn items_changed_since(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AccountingItem>, ProviderError> {
        let _ = since;
        Err(ProviderError::unsupported(self.provider(), "item sync"))
    }

    /// Finds a customer by display name and updates it, or creates it.
    async fn upsert_customer(
        &self,
        customer: &CustomerInput,
    ) -> Result<AccountingCustomer, ProviderError> {
        let _ = customer;
        Err(ProviderError::unsupported(
            self.provider(),
            "customer upsert",
        ))
    }

    /// Creates an estimate.
    async fn create_estimate(
        &self,
        request: &SalesDocumentRequest,
    ) -> Result<AccountingDocument, ProviderError> {
        let _ = request;
        Err(ProviderError::unsupported(self.provider(), "estimates"))
    }

    /// Creates an invoice, linked to `from_estimate` when given.
    async fn create_invoice(
        &self,
        request: &SalesDocumentRequest,
        from_estimate: Option<&AccountingDocumentRef>,
    ) -> Result<AccountingDocument, ProviderError> {
        let _ = (request, from_estimate);
        Err(ProviderError::unsupported(self.provider(), "invoices"))
    }

    /// Downloads a document's PDF.
    async fn pdf(&self, document: &AccountingDocumentRef) -> Result<Vec<u8>, ProviderError> {
        let _ = document;
        Err(ProviderError::unsupported(self.provider(), "PDF download"))
    }

    /// Emails a document, to `to` or to the address on the document.
    async fn send_email(
        &self,
        document: &AccountingDocumentRef,
        to: Option<&str>,
    ) -> Result<(), ProviderError> {
        let _ = (document, to);
        Err(ProviderError::unsupported(self.provider(), "email"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn validation_lists_bad_lines() {
        let doc = SalesDocumentRequest::new("k", "", vec![SalesLine::new("", dec!(0), dec!(-1))]);
        let err = doc.validate().unwrap_err();
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(
            fields,
            [
                "customer_id",
                "lines[0].item_id",
                "lines[0].quantity",
                "lines[0].unit_price"
            ]
        );
    }

    #[test]
    fn tax_treatment_serializes_with_code() {
        let json = serde_json::to_value(TaxTreatment::Code("7".into())).unwrap();
        assert_eq!(json, serde_json::json!({"type": "code", "code": "7"}));
        let json = serde_json::to_value(TaxTreatment::NonTaxable).unwrap();
        assert_eq!(json, serde_json::json!({"type": "non_taxable"}));
    }
}
