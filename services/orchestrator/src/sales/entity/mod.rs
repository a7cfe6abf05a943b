//! FluxSales entities. Every one is tenant-owned: read them through
//! [`crate::tenancy::scoped`].

pub mod batch;
pub mod batch_item;
pub mod cod_settlement;
pub mod courier_account;
pub mod export;
pub mod invoice;
pub mod invoicing;
pub mod order;
pub mod settings;
pub mod shipment;
pub mod shop;
pub mod webhook_event;
