//! # flux-fancourier
//!
//! A typed client for the FAN Courier API v2 (`https://api.fancourier.ro/`) and its
//! [`flux_core::Courier`] implementation.
//!
//! - [`FanCourierClient`]: login (Bearer token valid 24 h, cached, single-flight, one
//!   re-login on a `401`), AWBs in batches ([`create_awbs`](FanCourierClient::create_awbs),
//!   per-shipment results), labels as PDF or ZPL in A4/A5/A6
//!   ([`label`](FanCourierClient::label)), deletion, tracking of many AWBs, the event code
//!   list, domestic tariffs, services and their options, counties, localities, streets,
//!   FANbox/PayPoint/office pickup points, courier orders, the daily AWB slip (borderou)
//!   and the paginated COD bank-transfer report.
//! - Every request carries the account's `clientId`; `streetNo` is always a string; a
//!   label is always asked for as PDF or ZPL (FAN answers HTML otherwise); a create call
//!   that answers HTTP 200 with a per-shipment `errors` object is an error carrying FAN's
//!   field paths; an AWB FAN has not scanned yet tracks as "not found yet", not a failure.
//! - Counties and localities are sent by FAN's nomenclature names:
//!   [`fan_county_name`] maps [`flux_core::County`], and Bucharest sectors become
//!   `Bucuresti`.
//! - Times are Europe/Bucharest local times (FAN sends no offset).
//!
//! ```no_run
//! use std::sync::Arc;
//! use flux_core::courier::{Courier, LabelFormat, ShipmentRequest};
//! use flux_core::{Address, CountryCode, Parcel};
//! use flux_fancourier::{FanCourierClient, SecretString};
//! use rust_decimal_macros::dec;
//!
//! # async fn demo() -> Result<(), flux_core::ProviderError> {
//! let client = FanCourierClient::builder("7032158", "clienttest", SecretString::from("testing"))
//!     .build()?;
//! let courier: Arc<dyn Courier> = Arc::new(client);
//!
//! let sender = Address::builder("Shop SRL", "Bucuresti", CountryCode::RO)
//!     .street("Str. Fabricii").number("10").phone("0720000000").build()?;
//! let recipient = Address::builder("Ana Pop", "Cluj-Napoca", CountryCode::RO)
//!     .region("Cluj").street("Str. Horea").number("3").phone("0730000000").build()?;
//! let request = ShipmentRequest::new("order-1001", sender, recipient, vec![Parcel::new(dec!(1.2))?]);
//!
//! let created = courier.create_shipment(&request).await?;
//! let label = courier.label(&created.id, LabelFormat::PdfA4).await?;
//! let status = courier.track(&[created.id.clone()]).await?;
//! # let _ = (label, status);
//! # Ok(())
//! # }
//! ```

mod auth;
pub mod client;
mod county;
pub mod courier_impl;
pub mod error;
pub mod models;
mod wire;

pub use auth::TOKEN_LIFETIME;
pub use client::{DEFAULT_BASE_URL, FanCourierClient, FanCourierClientBuilder};
pub use county::fan_county_name;
pub use error::{FanCourierError, PROVIDER};
pub use flux_http::secret::SecretString;
pub use models::awb::{
    AwbAddress, AwbDimensions, AwbInfo, AwbOption, AwbParty, AwbSender, AwbShipment, CreatedAwb,
    DropOff, Packages, PaymentParty, ServiceName,
};
pub use models::label::{LabelDocument, LabelKind, LabelRequest, PageSize};
pub use models::nomenclature::{
    FanCounty, Locality, Service, ServiceOption, Street, StreetDetail, StreetQuery,
};
pub use models::order::CourierOrderRequest;
pub use models::pickup_point::{FanPickupPoint, PickupPointAddress, PickupPointType};
pub use models::reports::{BankTransfer, BankTransferInfo, ShippingSlipEntry, ShippingSlipInfo};
pub use models::tariff::{Tariff, TariffRequest};
pub use models::tracking::{AwbEvent, AwbTracking, Confirmation, EventCode, EventType};
pub use models::{Language, Page};
