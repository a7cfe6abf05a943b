//! The one HTTP transport every Flux provider crate uses (FAN Courier, Cargus, Sameday,
//! GLS, Oblio, SmartBill, QuickBooks, Shopify). Only this crate depends on `reqwest`.
//!
//! What it gives every provider the same way:
//!
//! - **Safe retries** ([`retry`]): connect failures and 429 are retried for every method;
//!   408/425/5xx and timeouts only for requests that are safe to repeat (GET, PUT, DELETE,
//!   ... or a POST marked [`idempotent`](RequestBuilder::idempotent) /
//!   [`idempotency_key`](RequestBuilder::idempotency_key)). `Retry-After` is honoured
//!   (seconds or HTTP-date) up to a cap, else exponential backoff with full jitter.
//! - **Errors that say how far a request got** ([`HttpError`]):
//!   [`maybe_sent`](HttpError::maybe_sent), [`is_retryable`](HttpError::is_retryable),
//!   [`is_auth`](HttpError::is_auth), [`retry_after`](HttpError::retry_after), the status,
//!   the body cut to 2 KiB, and the JSON path of decode failures.
//! - **Rate limits** ([`RateLimiter`]): exact sliding windows plus a concurrency cap,
//!   shared per provider account and applied before every attempt.
//! - **Token caching** ([`TokenCache`]): single-flight refresh and invalidate-once.
//! - **Secrets stay secret** ([`secret`]): credentials are [`secret::SecretString`], header
//!   values holding them are marked sensitive, `Debug` of clients, requests, responses,
//!   tokens and errors never shows header values, query strings or bodies, and tracing
//!   (one `http.request` span per request with `provider`, `method`, `host`, `path`,
//!   `attempt`) never records them either.
//! - **HTTPS only**, except loopback hosts (`127.0.0.0/8`, `localhost`, `[::1]`) for tests
//!   and sandboxes; redirects are followed only within the same origin, at most 5.
//!
//! # Example
//!
//! ```no_run
//! use std::{sync::Arc, time::Duration};
//! use flux_http::{HttpClient, HttpError, Method, RateLimiter, secret::SecretString};
//!
//! #[derive(serde::Deserialize)]
//! struct Invoice {
//!     number: String,
//! }
//!
//! # async fn demo() -> Result<(), HttpError> {
//! let client = HttpClient::builder("oblio")
//!     .base_url("https://www.oblio.eu/api/")
//!     .timeout(Duration::from_secs(20))
//!     .rate_limiter(Arc::new(RateLimiter::new(30, Duration::from_secs(10))))
//!     .build()?;
//!
//! let token = SecretString::from("access-token");
//! let invoice: Invoice = client
//!     .request(Method::GET, "docs/invoice")
//!     .query(&[("cif", "RO37311090"), ("seriesName", "FCT"), ("number", "1")])
//!     .bearer(&token)
//!     .send_json()
//!     .await?;
//! println!("{}", invoice.number);
//! # Ok(())
//! # }
//! ```

mod client;
mod error;
mod provider_error;
mod rate_limit;
mod request;
mod response;
pub mod retry;
pub mod secret;
mod token;
mod url_rules;

pub use bytes::Bytes;
pub use client::{HttpClient, HttpClientBuilder, MAX_REDIRECTS};
pub use error::{ErrorSource, HttpError, MAX_ERROR_BODY_BYTES};
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
pub use rate_limit::{RateLimitPermit, RateLimiter, WindowAnchor};
pub use request::RequestBuilder;
pub use response::Response;
pub use retry::{RetryPolicy, parse_retry_after};
pub use token::{Token, TokenCache};
pub use url::Url;
