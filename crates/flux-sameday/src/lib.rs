//! # flux-sameday
//!
//! A client for the [Sameday](https://sameday.ro) courier API (Romania, Hungary, Bulgaria),
//! and its [`flux_core::Courier`] implementation.
//!
//! What it covers:
//!
//! - **Auth**: `POST /api/authenticate` with `X-Auth-Username`/`X-Auth-Password`; the token
//!   travels in `X-AUTH-TOKEN`, is cached until its `expire_at` (read in the country's time
//!   zone), refreshed single-flight, and replaced once on a 401/403.
//! - **AWBs**: [`create`](SamedayClient::create_awb), [`estimate
//!   cost`](SamedayClient::estimate_cost), [`delete`](SamedayClient::delete_awb),
//!   [`PDF`](SamedayClient::awb_pdf) (A4/A6), [`COD update`](SamedayClient::update_cod),
//!   [`extra parcels`](SamedayClient::add_parcel), [`parcel size`](SamedayClient::update_parcel_size).
//! - **Tracking**: [`AWB status`](SamedayClient::awb_status), [`parcel
//!   history`](SamedayClient::parcel_status_history), and the [`status
//!   sync`](SamedayClient::status_sync) feed, split into the 2-hour windows Sameday allows.
//! - **Lists**: [`services`](SamedayClient::services) (resolved [`by
//!   code`](SamedayClient::service_by_code): ids differ between demo and production),
//!   [`pickup points`](SamedayClient::pickup_points) (list, create, delete),
//!   [`counties`](SamedayClient::counties), [`cities`](SamedayClient::cities), easybox
//!   [`lockers`](SamedayClient::lockers) and [`out-of-home
//!   locations`](SamedayClient::ooh_locations).
//! - **Bodies** are `application/x-www-form-urlencoded` with PHP bracket keys
//!   (`awbRecipient[name]`, `parcels[0][weight]`), nulls omitted: see [`form`].
//! - **Errors**: one [`SamedayError`]; 400 answers are flattened from Sameday's
//!   `errors.children` tree into field paths, and everything converts into
//!   [`flux_core::ProviderError`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use flux_core::courier::{Courier, DeliveryTarget, PickupPointKind, ShipmentRequest};
//! use flux_core::{Address, CountryCode, Parcel};
//! use flux_sameday::{Country, Environment, SamedayClient};
//! use rust_decimal_macros::dec;
//!
//! # async fn demo() -> Result<(), flux_core::ProviderError> {
//! let client = SamedayClient::builder("user", "password".into())
//!     .country(Country::Romania)
//!     .environment(Environment::Demo)
//!     .build()?;
//!
//! // Straight to the API: the easybox lockers.
//! let lockers = client.lockers(&[]).await?;
//!
//! // Or through the courier-neutral trait.
//! let courier: Arc<dyn Courier> = Arc::new(client);
//! let sender = Address::builder("Shop SRL", "Cluj-Napoca", CountryCode::RO)
//!     .region("Cluj").build_unchecked();
//! let recipient = Address::builder("Ana Pop", "Sectorul 3", CountryCode::RO)
//!     .region("Bucuresti").street("Str. Lunga").number("5").phone("0722000000")
//!     .build_unchecked();
//! let mut request = ShipmentRequest::new("ORDER-1001", sender, recipient, vec![Parcel::new(dec!(1.2))?]);
//! request.delivery = DeliveryTarget::PickupPoint {
//!     id: lockers[0].locker_id.to_string(),
//!     kind: PickupPointKind::Locker,
//!     address: None,
//! };
//! let created = courier.create_shipment(&request).await?;
//! println!("AWB {}", created.id);
//! # Ok(()) }
//! ```

mod auth;
mod awb;
mod client;
mod courier_impl;
mod de;
mod error;
pub mod form;
mod nomenclature;
mod tracking;
pub mod types;

pub use awb::AwbPdfFormat;
pub use client::{Country, Environment, SamedayClient, SamedayClientBuilder};
pub use courier_impl::MAX_TRACKING_BATCH;
pub use error::{SamedayError, flatten_validation_errors};
pub use nomenclature::{CityQuery, CreatedPickupPoint};
pub use tracking::{MAX_STATUS_SYNC_WINDOW, SyncWindow, status_sync_windows};

/// The provider id used in errors and logs: `"sameday"`.
pub const PROVIDER: &str = "sameday";
