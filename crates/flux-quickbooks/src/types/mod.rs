//! Typed QuickBooks entities, serialized exactly as the API's JSON (PascalCase keys,
//! string `Id`/`SyncToken`, numbers for amounts).
//!
//! Every entity keeps the fields this crate does not model in `extra`, so a full update
//! of a record read from QuickBooks does not clear them, and new fields Intuit adds
//! without a minor-version bump never break decoding.

mod common;
mod company;
mod customer;
mod item;
mod payment;
mod sales;
mod tax;

pub use common::{EmailAddress, MetaData, PhysicalAddress, Ref, TelephoneNumber, WebSiteAddress};
pub use company::{CompanyInfo, Preferences};
pub use customer::Customer;
pub use item::{Item, ItemType};
pub use payment::{Payment, PaymentLine};
pub use sales::{
    CustomField, EmailStatus, Estimate, Invoice, Line, LinkedTxn, MemoRef, SalesItemLineDetail,
    TxnTaxDetail,
};
pub use tax::{TaxCode, TaxRate};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A QuickBooks entity type: its JSON name and its path segment.
pub trait Entity: Serialize + DeserializeOwned + Send + Sync {
    /// The entity's name in JSON and queries (`"Customer"`).
    const NAME: &'static str;
    /// The entity's path segment under `/v3/company/{realmId}/` (`"customer"`).
    const PATH: &'static str;

    /// The record's id, once created.
    fn id(&self) -> Option<&str>;
    /// The record's `SyncToken`, once created.
    fn sync_token(&self) -> Option<&str>;
}

/// A name-list entity (Customer, Item): never deleted, only made inactive.
pub trait NameListEntity: Entity {}

/// A transaction (Estimate, Invoice, Payment): can be deleted.
pub trait Transaction: Entity {}

macro_rules! entity {
    ($ty:ty, $name:literal, $path:literal) => {
        impl $crate::types::Entity for $ty {
            const NAME: &'static str = $name;
            const PATH: &'static str = $path;
            fn id(&self) -> Option<&str> {
                self.id.as_deref()
            }
            fn sync_token(&self) -> Option<&str> {
                self.sync_token.as_deref()
            }
        }
    };
}
pub(crate) use entity;
