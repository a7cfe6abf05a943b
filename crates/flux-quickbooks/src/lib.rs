//! # flux-quickbooks
//!
//! A QuickBooks Online Accounting API client for Flux: OAuth 2.0 with rotating refresh
//! tokens, customers and items in, estimates and invoices out, and the
//! [`flux_core::Accounting`] trait.
//!
//! - [`QuickBooksOAuth`]: authorization URL with `state`, callback with `realmId`, code
//!   exchange, refresh (recording the refresh token's hard expiry), revoke.
//! - [`TokenManager`]: one company's tokens; refreshes once for all concurrent callers and
//!   hands every rotated pair to your [`TokenStore`] before the access token is used.
//! - [`QuickBooksClient`]: queries with 1-based pagination to the end, CDC, batch,
//!   read/create/update (full and sparse), deactivation, delete, void, PDF, email; every
//!   call with `minorversion=75`, every write with a `requestid`; 500 calls a minute and 10
//!   concurrent per company by default.
//! - [`QuickBooksError`]: faults in all three shapes (`Fault`, gateway `fault`, XML) as
//!   specific errors carrying the `intuit_tid`; converts into [`flux_core::ProviderError`].
//! - [`webhook`]: `intuit-signature` verification and both payload formats.
//!
//! ## Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use flux_core::Accounting;
//! use flux_http::secret::SecretString;
//! use flux_quickbooks::{
//!     Environment, MemoryTokenStore, QuickBooksClient, QuickBooksOAuth, TokenManager,
//!     oauth::SCOPE_ACCOUNTING,
//! };
//!
//! # async fn demo(callback_query: &str, state_in_session: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let oauth = QuickBooksOAuth::builder(
//!     "client-id",
//!     SecretString::from("client-secret"),
//!     "https://app.example.com/quickbooks/callback",
//! )
//! .environment(Environment::Sandbox)
//! .build()?;
//!
//! // 1. Send the user to the consent page; keep `state` in their session.
//! let request = oauth.authorization_url(&[SCOPE_ACCOUNTING]);
//! println!("{}", request.url);
//!
//! // 2. On the callback, check the state and exchange the code.
//! let callback = oauth.parse_callback(callback_query, state_in_session)?;
//! let tokens = oauth.exchange_code(&callback).await?;
//!
//! // 3. One TokenManager per company; your store persists every rotated refresh token.
//! let store = Arc::new(MemoryTokenStore::new());
//! let manager = Arc::new(TokenManager::new(oauth, tokens, store));
//! let client = QuickBooksClient::builder(manager).build()?;
//!
//! let accounting: Arc<dyn Accounting> = Arc::new(client);
//! let customers = accounting.customers_changed_since(None).await?;
//! println!("{} customers", customers.len());
//! # Ok(())
//! # }
//! ```

mod accounting_impl;
pub mod batch;
pub mod cdc;
pub mod client;
pub mod environment;
pub mod error;
pub mod fault;
pub mod oauth;
mod oauth_http;
pub mod query;
pub mod tax;
pub mod tokens;
pub mod types;
pub mod webhook;

pub use client::{
    DeletedRecord, QueryPage, QuickBooksClient, QuickBooksClientBuilder, SalesDocumentKind,
    WriteOptions,
};
pub use environment::Environment;
pub use error::{ApiFault, PROVIDER, QuickBooksError};
pub use oauth::{AuthorizationCallback, AuthorizationRequest, QuickBooksOAuth, TokenSet};
pub use tax::TaxRegime;
pub use tokens::{MemoryTokenStore, TokenManager, TokenStore};
