//! # flux-gls
//!
//! A client for the **MyGLS JSON API** of GLS Romania (the same API serves Hungary,
//! Czechia, Slovakia, Croatia, Slovenia and Serbia, each on its own host), and its
//! [`flux_core::Courier`] implementation. This is not the GLS Group ShipIT API.
//!
//! What MyGLS does differently from other couriers, and what this crate does about it:
//!
//! - **No token.** Every body carries `Username` and `Password` = the SHA-512 digest of the
//!   password as 64 byte values ([`auth`]). The digest is computed once when the client is
//!   built.
//! - **A refused login is never retried**, because about five failed logins lock the
//!   account. After one, the client holds back further calls for a cool-down
//!   ([`GlsClientBuilder::auth_failure_cooldown`], [`GlsClient::reset_auth_guard`]).
//! - **Errors come with HTTP 200** in a per-method list; every call checks it and maps the
//!   codes ([`error`]), e.g. 18 → [`GlsError::LabelAlreadyPrinted`].
//! - **Two ids per parcel**: `ParcelNumber` (tracking) and `ParcelId` (labels, delete,
//!   COD); both travel in our [`ShipmentId`](flux_core::ShipmentId) ([`ids`]).
//! - **A label prints once** with `PrintLabels`: keep the PDF, or use
//!   [`LabelStrategy::PrepareThenPrint`] (`PrepareLabels` then `GetPrintedLabels`) for
//!   reprints.
//! - **Dates are `/Date(ms+hhmm)/`** ([`date`]).
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use flux_core::{Address, Courier, CountryCode, Parcel, ShipmentId};
//! use flux_core::courier::ShipmentRequest;
//! use flux_gls::{Country, Environment, GlsClient};
//! use flux_http::secret::SecretString;
//! use rust_decimal::Decimal;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let gls = GlsClient::builder("shop@example.ro", SecretString::from("password"), 553_000_123)
//!     .country(Country::Romania)
//!     .environment(Environment::Test)
//!     .build()?;
//! let courier: Arc<dyn Courier> = Arc::new(gls);
//!
//! let sender = Address::builder("Magazin SRL", "Cluj-Napoca", CountryCode::RO)
//!     .street("Strada Memorandumului").number("28").region("Cluj").postal_code("400114")
//!     .phone("0722123456").build()?;
//! let recipient = Address::builder("Ion Popescu", "Brasov", CountryCode::RO)
//!     .street("Strada Lunga").number("10").region("Brasov").postal_code("500035")
//!     .phone("0733123456").build()?;
//! let request = ShipmentRequest::new("ORDER-1001", sender, recipient, vec![Parcel::new(Decimal::ONE)?]);
//!
//! let created = courier.create_shipment(&request).await?;
//! // PrintLabels returns the label once: store it now.
//! let pdf = created.label.expect("GLS returns the label at creation").bytes;
//! let tracking = courier.track(&[created.id.clone()]).await?;
//! println!("{} bytes of label, status {:?}", pdf.len(), tracking[0].status);
//! # Ok(()) }
//! ```

pub mod auth;
mod client;
mod courier_impl;
pub mod date;
pub mod error;
pub mod ids;
mod labels;
mod parcels;
mod tracking;
pub mod types;
mod wire;

pub use client::{
    Country, DEFAULT_AUTH_FAILURE_COOLDOWN, Environment, GlsClient, GlsClientBuilder,
    LabelStrategy, base_url,
};
pub use error::{ErrorCode, ErrorInfo, GlsError};
pub use labels::{MAX_DELETE_IDS, MAX_PARCELS_PER_CALL, MAX_PRINTED_LABELS_IDS};
pub use tracking::MAX_STATUS_BATCH;

/// The provider id used in errors and logs.
pub const PROVIDER: &str = "gls";
