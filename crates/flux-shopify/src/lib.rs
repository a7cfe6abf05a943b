//! Shopify Admin SDK for embedded apps: install and auth, webhooks, and a cost-aware
//! Admin GraphQL client with the typed operations an order-fulfilment app needs.
//!
//! Shopify publishes no official Rust SDK. This crate covers:
//!
//! - **Auth** ([`auth`]): shop-domain validation ([`ShopDomain`]); the
//!   authorization-code grant with a state nonce and the hex query HMAC check (all
//!   parameters but `hmac`/`signature`, sorted, constant time, 90 s timestamp
//!   tolerance); session-token (App Bridge JWT) verification; token exchange for
//!   offline and online tokens; expiring offline tokens whose refresh tokens rotate on
//!   every use ([`auth::OfflineTokenManager`] serializes refreshes per shop and persists
//!   through your [`auth::TokenStore`] before a token is used).
//! - **Webhooks** ([`webhooks`]): base64 HMAC of the raw body in constant time, typed
//!   headers and bodies, and errors that map to 401 for bad signatures.
//! - **Admin GraphQL** ([`AdminClient`]): waits before it is throttled using
//!   `extensions.cost.throttleStatus`, retries `THROTTLED` (HTTP 200) and 429/503,
//!   streams cursor pages, runs bulk operations, and reports `userErrors` with field
//!   paths.
//! - **Typed operations** ([`ops`]): orders, fulfillment orders, fulfillments with
//!   tracking, fulfillment events, mark-as-paid, locations, inventory levels and
//!   idempotent inventory writes, products, customers, webhook subscriptions, shop.
//!
//! # Example
//!
//! ```no_run
//! use flux_shopify::{RequestedToken, ShopifyApp, secret::SecretString};
//!
//! # async fn demo(session_token: &str) -> Result<(), flux_shopify::ShopifyError> {
//! let app = ShopifyApp::builder("client-id", SecretString::from("client-secret")).build()?;
//!
//! // An embedded app's backend: trade the App Bridge session token for an expiring
//! // offline token (persist it, refresh token included).
//! let (shop, token) = app
//!     .exchange_session_token(session_token, RequestedToken::Offline { expiring: true })
//!     .await?;
//!
//! let admin = app.admin_client(&shop, token)?;
//! if let Some(order) = admin.order("gid://shopify/Order/1").await? {
//!     println!("{} weighs {} kg, COD: {}", order.name, order.total_weight_kg(), order.is_cash_on_delivery());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Errors are [`ShopifyError`], convertible into [`flux_core::ProviderError`] with the
//! usual classification (throttling is retryable, `userErrors` are validation errors
//! with field paths, stale `changeFromQuantity` is a conflict).

#[macro_use]
mod macros;

mod app;
pub mod auth;
mod error;
pub mod graphql;
pub mod ops;
mod shop;
pub mod types;
pub mod webhooks;

pub use app::{ApiVersion, ShopifyApp, ShopifyAppBuilder};
pub use auth::{AccessMode, AccessToken, RequestedToken, SessionToken};
pub use error::{PROVIDER, ShopifyError};
pub use flux_http::secret;
pub use graphql::{AdminClient, GraphqlResponse};
pub use shop::ShopDomain;
