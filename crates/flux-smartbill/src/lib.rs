//! # flux-smartbill
//!
//! A client for the [SmartBill Cloud REST API](https://api.smartbill.ro/) (Romanian
//! invoicing), and its [`flux_core::Invoicer`] implementation.
//!
//! - **Documents** ([`SmartBillClient::create_invoice`], `create_estimate`, their
//!   `_with_links` (`/v2`) forms, [`pdf`](SmartBillClient::pdf),
//!   [`cancel`](SmartBillClient::cancel), [`restore`](SmartBillClient::restore),
//!   [`delete`](SmartBillClient::delete) (last in series only),
//!   [`reverse_invoice`](SmartBillClient::reverse_invoice) (storno),
//!   [`invoice_payment_status`](SmartBillClient::invoice_payment_status),
//!   [`estimate_invoices`](SmartBillClient::estimate_invoices)).
//! - **Payments** ([`create_payment`](SmartBillClient::create_payment),
//!   [`delete_receipt`](SmartBillClient::delete_receipt),
//!   [`delete_payment`](SmartBillClient::delete_payment),
//!   [`fiscal_receipt_text`](SmartBillClient::fiscal_receipt_text)).
//! - **Email** ([`send_document`](SmartBillClient::send_document)), **VAT rates**
//!   ([`taxes`](SmartBillClient::taxes)), **series** ([`series`](SmartBillClient::series))
//!   and **stock** ([`stocks`](SmartBillClient::stocks)).
//!
//! ## Authentication, limits and errors
//!
//! Every call carries HTTP Basic auth (the account email and the API token) and the
//! company CIF. SmartBill allows 30 calls per 10 seconds and **blocks the account for 10
//! minutes** (HTTP 403) on the 31st, so every client goes through a sliding-window
//! limiter that counts each call until 10 seconds after its answer, so SmartBill never
//! sees 31 calls in 10 seconds however many tasks share it and however the network
//! delays them ([`SmartBillClient::default_rate_limiter`]; share one per account). A block
//! that happens anyway is [`SmartBillError::RateLimitBlocked`], carrying when it lifts, and
//! the client refuses further calls locally until then.
//!
//! SmartBill reports many failures with **HTTP 200 and a non-empty `errorText`**; those
//! are errors here ([`SmartBillError::Api`]), as is a non-zero `status.code` from the
//! email call.
//!
//! ## Duplicates
//!
//! SmartBill has **no idempotency key and no way to read an invoice back** (only its PDF
//! and payment status). Creates are never retried after a timeout; such a failure says
//! [`maybe_sent`](SmartBillError::maybe_sent). A caller that must not issue twice
//! records its intent (order, document kind) durably *before* calling, stores the
//! series/number returned, and on a `maybe_sent` failure does **not** retry blindly: it
//! checks the SmartBill account (the series' next number from
//! [`series`](SmartBillClient::series), the document list in SmartBill Cloud) or asks a
//! person. The `mentions` field is a good place to print the order number so such a
//! document can be found.
//!
//! ## Example
//!
//! ```no_run
//! use flux_core::Currency;
//! use flux_http::secret::SecretString;
//! use flux_smartbill::types::{Document, DocumentClient, ProductLine};
//! use flux_smartbill::SmartBillClient;
//! use rust_decimal_macros::dec;
//!
//! # async fn demo() -> Result<(), flux_smartbill::SmartBillError> {
//! let client = SmartBillClient::builder(
//!     "facturare@example.ro",
//!     SecretString::from("api-token"),
//!     "RO37311090",
//! )
//! .build()?;
//!
//! let mut buyer = DocumentClient::new("Ana Pop");
//! buyer.county = Some("Cluj".into());
//! buyer.city = Some("Cluj-Napoca".into());
//! buyer.address = Some("Str. Memorandumului 1".into());
//! let invoice = Document::new("FCT", buyer, Currency::RON).with_line(
//!     ProductLine::new("Tricou", dec!(2), dec!(59.90), Currency::RON, true)
//!         .with_tax("Normala", dec!(21)),
//! );
//! let created = client.create_invoice(&invoice).await?;
//! let pdf = client.invoice_pdf(&created.series, &created.number).await?;
//! # let _ = pdf;
//! # Ok(())
//! # }
//! ```
//!
//! Through the trait, with the domain types every invoicing crate shares:
//!
//! ```no_run
//! use std::sync::Arc;
//! use chrono::NaiveDate;
//! use flux_core::invoicer::{InvoiceLine, InvoiceRequest};
//! use flux_core::{Currency, Invoicer, Party, VatCategory};
//! use rust_decimal_macros::dec;
//!
//! # async fn demo(client: flux_smartbill::SmartBillClient) -> Result<(), flux_core::ProviderError> {
//! let invoicer: Arc<dyn Invoicer> = Arc::new(client);
//! let issued = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
//! let request = InvoiceRequest::new("order-1001:invoice", "FCT", issued, Party::person("Ana Pop"), Currency::RON)
//!     .with_lines(vec![InvoiceLine::new("Tricou", dec!(2), dec!(59.90), VatCategory::Standard)]);
//! let doc = invoicer.create_invoice(&request).await?;
//! println!("issued {}", doc.reference);
//! # Ok(())
//! # }
//! ```

mod client;
mod documents;
mod email;
mod error;
pub mod invoicer_impl;
mod payments;
mod settings;
pub mod types;

pub use client::{
    BLOCK_DURATION, DEFAULT_BASE_URL, PUBLISHED_LIMIT, SmartBillClient, SmartBillClientBuilder,
};
pub use documents::DocumentType;
pub use error::SmartBillError;

/// The provider id used in errors and logs.
pub const PROVIDER: &str = "smartbill";
