//! Typed Admin API operations FluxSales needs. Each module adds methods to
//! [`AdminClient`](crate::AdminClient) and holds its request and response types.

pub mod customers;
pub mod fulfillments;
pub mod inventory;
pub mod locations;
pub mod orders;
pub mod products;
pub mod shop;
pub mod webhook_subscriptions;
