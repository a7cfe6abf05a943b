//! Typed request and response bodies, shaped exactly like Sameday's wire format.
//!
//! Responses are decoded leniently where Sameday is loose (ids as numbers or strings,
//! `""` for "no date"), and every code Sameday may extend is an open enum that keeps
//! unknown values instead of failing.

mod awb;
mod nomenclature;
mod page;
mod status;

pub use awb::{
    AwbParcel, AwbParty, AwbPayment, CreateAwb, CreatedAwb, EstimateCost, LastMile, Location,
    NewParcel, PackageType, ParcelDimensions, PersonType,
};
pub use nomenclature::{
    AvailableBox, City, ContactPerson, CostType, Country, County, DeliveryType, Locker,
    NewContactPerson, NewPickupPoint, OohLocation, OohType, OptionalTax, PickupPoint,
    PickupPointCity, ScheduleEntry, Service,
};
pub use page::Page;
pub use status::{
    AwbStatus, ExpeditionSummary, ParcelStatus, ParcelStatusHistory, ParcelSummary, StatusCode,
    StatusEntry, StatusSyncEntry,
};
