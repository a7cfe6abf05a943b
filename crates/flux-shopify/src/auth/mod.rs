//! Install and auth: the authorization-code grant, signed query strings, session tokens
//! (App Bridge JWTs), token exchange, expiring offline tokens with refresh-token
//! rotation.
//!
//! Which flow to use: embedded apps use Shopify-managed installation and
//! [token exchange](crate::ShopifyApp::exchange_session_token); the
//! [authorization-code grant](crate::ShopifyApp::begin_auth) is for non-embedded
//! installs, and its [query HMAC check](crate::ShopifyApp::verify_query_hmac) also
//! validates the admin's initial embedded load.

mod manager;
mod oauth;
mod query_hmac;
mod session_token;
mod token;

pub use manager::{OfflineTokenManager, TokenStore};
pub use oauth::{AccessMode, AuthCallback, AuthorizationRequest};
pub use query_hmac::{HMAC_TIMESTAMP_TOLERANCE_SECS, SignedQuery};
pub use session_token::{SESSION_TOKEN_LEEWAY_SECS, SessionToken, SessionTokenClaims};
pub use token::{AccessToken, AssociatedUser, RequestedToken};
