//! # flux-cargus
//!
//! A client for the Cargus (UrgentCargus) **UrgentOnline API v3**, and its
//! [`flux_core::Courier`] implementation.
//!
//! - **Auth**: every call carries the Azure API Management subscription key
//!   (`Ocp-Apim-Subscription-Key`) and a Bearer token from `POST LoginUser` (a bare JSON
//!   string, valid 24 h). The token is cached, renewed before it expires, and renewed once
//!   more when Cargus refuses it (HTTP 401 or `"Failed to authenticate!"`).
//! - **Operations**: nomenclature ([`CargusClient::countries`], counties, localities,
//!   streets), sender pickup locations (list, create, update), Ship & Go points, price
//!   tables and shipping calculation, AWBs (create, create with the full AWB back, create
//!   with pickup from another address, delete, details by barcode or order, by period),
//!   label documents, tracking (with redirects), delta events, returns of a day, courier
//!   orders (validate, cancel, list), COD reports and invoices.
//! - **Services**: [`choose_service`] picks `ServiceId` 34/35/36/39/40 (or 38 for Ship &
//!   Go) from the weights and piece count and rejects what Cargus rejects.
//! - **Errors**: [`CargusError`] reads every body shape Cargus uses and converts into
//!   [`flux_core::ProviderError`] with the right kind, `maybe_sent` and field paths.
//!
//! ```no_run
//! use std::sync::Arc;
//! use flux_cargus::CargusClient;
//! use flux_core::courier::{ShipmentRequest, LabelFormat};
//! use flux_core::{Address, CountryCode, Courier, Parcel};
//! use flux_http::secret::SecretString;
//! use rust_decimal_macros::dec;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let cargus = CargusClient::builder(
//!     SecretString::from(std::env::var("CARGUS_SUBSCRIPTION_KEY")?),
//!     std::env::var("CARGUS_USERNAME")?,
//!     SecretString::from(std::env::var("CARGUS_PASSWORD")?),
//! )
//! .default_location_id(201266091)
//! .build()?;
//! let courier: Arc<dyn Courier> = Arc::new(cargus);
//!
//! let sender = Address::builder("Shop SRL", "Pitesti", CountryCode::RO).region("Arges").build()?;
//! let recipient = Address::builder("Ana Pop", "Iasi", CountryCode::RO)
//!     .region("Iasi").street("Str. Lapusneanu").number("14").phone("0740123123").build()?;
//! let request = ShipmentRequest::new("order-1001", sender, recipient, vec![Parcel::new(dec!(2.5))?]);
//! let created = courier.create_shipment(&request).await?;
//! let label = courier.label(&created.id, LabelFormat::PdfA4).await?;
//! # let _ = label;
//! # Ok(())
//! # }
//! ```

mod auth;
pub mod awb;
pub mod cash_account;
mod client;
pub mod courier_impl;
pub mod dates;
mod error;
pub mod geography;
pub mod invoices;
pub mod locations;
pub mod orders;
pub mod pricing;
pub mod pudo;
mod serde_util;
pub mod service;
pub mod tracking;

pub use awb::{
    Awb, AwbAddress, AwbWithPickup, LabelLayout, NewAwb, ParcelCode, PrintMainOnce, ShipmentPayer,
};
pub use cash_account::CashAccountEntry;
pub use client::{
    AccountSettings, CargusClient, CargusClientBuilder, DEFAULT_BASE_URL, SUBSCRIPTION_KEY_HEADER,
    TOKEN_LIFETIME,
};
pub use error::CargusError;
pub use geography::{CargusCounty, Country, Locality, Street};
pub use invoices::CargusInvoice;
pub use locations::PickupLocation;
pub use orders::{Order, OrderAction, OrderStatusFilter};
pub use pricing::{PriceTable, ShippingCalculation, ShippingPrice};
pub use pudo::{PudoPaymentType, PudoPoint};
pub use service::{ServiceId, check_service, choose_service};
pub use tracking::{AwbTrace, DeltaEvent, ReturnedAwb, TraceEvent};

/// The provider id used in errors and by the orchestrator.
pub const PROVIDER: &str = "cargus";

/// An empty query string.
pub(crate) const NO_QUERY: &[(&str, &str)] = &[];
