//! # flux-core
//!
//! The domain every Flux crate shares:
//!
//! - [`Money`] and [`Currency`]: exact decimals with each currency's rounding rule.
//! - [`Address`], [`CountryCode`], [`County`] (ISO 3166-2:RO, with Bucharest's sectors) and
//!   [`GeoPoint`].
//! - [`Parcel`]: weight, dimensions, envelope or parcel, contents, declared value.
//! - [`Party`]: a person, or a company with its tax id ([`Cif`] validated by check digit).
//! - [`vat`]: Romanian VAT rates by the date of supply.
//! - The provider traits, dyn-compatible for `Arc<dyn …>`: [`Courier`], [`Invoicer`] and
//!   [`Accounting`].
//! - [`ProviderError`]: the one error type of the traits, classified by predicates
//!   (`is_retryable`, `maybe_sent`, `retry_after`, `is_validation`, …).
//!
//! This crate does no I/O and depends on no HTTP or database library.

pub mod accounting;
pub mod address;
pub mod county;
pub mod courier;
pub mod error;
pub mod invoicer;
pub mod money;
pub mod parcel;
pub mod party;
pub mod vat;

pub use accounting::Accounting;
pub use address::{Address, AddressBuilder, CountryCode, GeoPoint};
pub use county::{BucharestSector, County, UnknownCounty};
pub use courier::{Courier, ShipmentId};
pub use error::{ErrorKind, FieldError, ProviderError};
pub use invoicer::Invoicer;
pub use money::{Currency, Money, MoneyError};
pub use parcel::{Parcel, ParcelKind};
pub use party::{Cif, CifError, Party, PartyKind, TaxId};
pub use vat::VatCategory;
