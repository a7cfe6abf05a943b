//! # flux-oblio
//!
//! A Rust SDK for [Oblio](https://www.oblio.eu/api), the Romanian invoicing platform, and
//! its [`flux_core::Invoicer`] implementation.
//!
//! What it covers:
//!
//! - **Auth** ([`auth`]): the OAuth 2.0 client-credentials token (login email + API
//!   secret), cached for its 3600 s, refreshed by one caller for many, re-fetched once on
//!   a 401.
//! - **Documents** ([`documents`]): create invoices, proformas and notices (*avize*) from
//!   a fully typed body ([`types::CreateDocument`]), storno, read, list with filters,
//!   cancel, restore, delete (last in series only), collect a payment, download the PDF.
//! - **Nomenclatures** ([`nomenclature`]): companies, VAT rates, clients, products, series,
//!   languages, stock rooms.
//! - **e-Factura** ([`einvoice`]): submit to SPV, read the state, download the ANAF archive.
//! - **Webhooks** ([`webhooks`]): create, list, read, delete, endpoint verification.
//! - **Limits**: 30 document creations per 100 s and 30 other calls per 10 s, enforced
//!   client-side ([`OblioRateLimits`]), shareable between clients of one account.
//! - **Errors** ([`OblioError`]): Oblio's `{status, statusMessage}` mapped to specific
//!   variants and classified into [`flux_core::ProviderError`].
//!
//! # Example
//!
//! ```no_run
//! use flux_http::secret::SecretString;
//! use flux_oblio::OblioClient;
//! use flux_oblio::types::{CreateDocument, DocumentClient, ProductLine};
//! use rust_decimal::Decimal;
//!
//! # async fn demo() -> Result<(), flux_oblio::OblioError> {
//! let oblio = OblioClient::builder(
//!     "contabil@firma.ro",
//!     SecretString::from("api-secret"),
//!     "RO37311090",
//! )
//! .build()?;
//!
//! let body = CreateDocument::new("FCT")
//!     .with_client(DocumentClient::new("Ana Pop"))
//!     .with_line(
//!         ProductLine::new("Tricou", Decimal::from(2), Decimal::new(5990, 2), true)
//!             .with_vat("Normala", Decimal::from(21)),
//!     )
//!     .with_idempotency_key("shop-order-1001-invoice");
//! let invoice = oblio.create_invoice(&body).await?;
//! println!("{} {} {}", invoice.series_name, invoice.number, invoice.link);
//! # Ok(())
//! # }
//! ```
//!
//! Through the trait, as the orchestrator uses it:
//!
//! ```no_run
//! use std::sync::Arc;
//! use flux_core::Invoicer;
//! # fn demo(oblio: flux_oblio::OblioClient) {
//! let invoicer: Arc<dyn Invoicer> = Arc::new(oblio);
//! assert_eq!(invoicer.provider(), "oblio");
//! # }
//! ```

pub mod auth;
pub mod client;
pub mod documents;
pub mod einvoice;
pub mod error;
pub mod invoicer_impl;
pub mod nomenclature;
pub mod types;
pub mod webhooks;
mod wire;

pub use client::{OblioClient, OblioClientBuilder, OblioRateLimits};
pub use documents::{DeleteOptions, StornoRequest};
pub use error::OblioError;
pub use types::document::DocumentType;
