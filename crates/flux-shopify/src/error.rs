//! [`ShopifyError`]: every way a call into this crate can fail, and its mapping to
//! [`flux_core::ProviderError`].

use std::time::Duration;

use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::HttpError;

use crate::graphql::{GraphqlError, UserError};

/// The provider id used in logs, spans and [`ProviderError`]s.
pub const PROVIDER: &str = "shopify";

/// Everything that can go wrong talking to Shopify or checking what Shopify sent.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ShopifyError {
    /// The client was configured wrongly (missing secret, bad base URL, ...).
    #[error("configuration error: {0}")]
    Configuration(String),

    /// A shop domain that is not a `*.myshopify.com` store (or `admin.shopify.com/store/x`).
    #[error("invalid shop domain `{0}`")]
    InvalidShop(String),

    /// A signed query string (OAuth callback, admin load) failed its HMAC check, or is
    /// malformed (missing or duplicated `hmac`/`timestamp`).
    #[error("invalid query HMAC: {0}")]
    InvalidHmac(String),

    /// The query's `timestamp` is further than the allowed tolerance from now.
    #[error("the signed request is stale: timestamp is {skew_secs} s away from now")]
    StaleRequest {
        /// How far the timestamp is from now, in seconds.
        skew_secs: i64,
    },

    /// The OAuth `state` does not match the nonce this app issued.
    #[error("the OAuth state does not match the nonce this app issued")]
    StateMismatch,

    /// A session token (App Bridge JWT) failed verification. Ask App Bridge for a new one
    /// (answer 401 with `X-Shopify-Retry-Invalid-Session-Request: 1`).
    #[error("invalid session token: {0}; get a new session token")]
    InvalidSessionToken(String),

    /// Shopify's OAuth endpoint refused a grant (`{"error": "...", "error_description": "..."}`).
    #[error("OAuth error `{code}` (HTTP {status}){}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// The `error` code, e.g. `invalid_request`, `invalid_grant`.
        code: String,
        /// The `error_description`, if any.
        description: Option<String>,
        /// The HTTP status.
        status: u16,
    },

    /// There is no usable token for the shop: it must go through token exchange (or
    /// reinstall) again.
    #[error("no usable access token for {shop}: {reason}")]
    ReauthorizationRequired {
        /// The shop.
        shop: String,
        /// Why.
        reason: String,
    },

    /// The caller's token store failed to load or persist a token.
    #[error("token store error: {0}")]
    TokenStore(String),

    /// GraphQL top-level errors (HTTP 200 with `errors`).
    #[error("GraphQL errors: {}", join_messages(.errors))]
    Graphql {
        /// The errors as Shopify sent them.
        errors: Vec<GraphqlError>,
        /// The `x-request-id` of the response, for support tickets.
        request_id: Option<String>,
    },

    /// A mutation answered with `userErrors`.
    #[error("Shopify rejected the mutation: {}", join_user_errors(.errors))]
    UserErrors {
        /// The user errors with their field paths and codes.
        errors: Vec<UserError>,
    },

    /// Shopify kept throttling the request after the allowed number of waits.
    #[error("throttled by Shopify (retry after {retry_after:?})")]
    Throttled {
        /// How long Shopify's bucket needs to refill before the request can run.
        retry_after: Option<Duration>,
    },

    /// A bulk operation ended in a state other than `COMPLETED`.
    #[error("bulk operation {id} ended as {status}{}", error_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    BulkOperationFailed {
        /// The operation's GID.
        id: String,
        /// The final status.
        status: String,
        /// `BulkOperation.errorCode`, if any.
        error_code: Option<String>,
    },

    /// The response did not have the expected shape.
    #[error("could not decode Shopify's response at `{path}`: {message}")]
    Decode {
        /// JSON path of the failure.
        path: String,
        /// What went wrong.
        message: String,
    },

    /// A transport failure or an unexpected HTTP status.
    #[error(transparent)]
    Http(#[from] HttpError),
}

fn join_messages(errors: &[GraphqlError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn join_user_errors(errors: &[UserError]) -> String {
    errors
        .iter()
        .map(|e| match e.field_path() {
            Some(path) => format!("{path}: {}", e.message),
            None => e.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl ShopifyError {
    pub(crate) fn decode(err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        Self::Decode {
            path: err.path().to_string(),
            message: err.inner().to_string(),
        }
    }

    /// Whether this is an invalid or expired session token: the embedded app should get
    /// a new one from App Bridge and retry.
    pub fn is_invalid_session_token(&self) -> bool {
        matches!(self, Self::InvalidSessionToken(_))
    }

    /// Whether the credentials were refused (bad HMAC, invalid token, HTTP 401/403,
    /// `ACCESS_DENIED`).
    pub fn is_auth(&self) -> bool {
        ProviderError::from(self.clone()).is_auth()
    }
}

impl From<ShopifyError> for ProviderError {
    fn from(err: ShopifyError) -> Self {
        let message = err.to_string();
        match err {
            ShopifyError::Http(http) => http.into_provider_error(PROVIDER),
            ShopifyError::Configuration(_) => {
                ProviderError::new(ErrorKind::Configuration, PROVIDER, message)
            }
            ShopifyError::InvalidShop(_) => ProviderError::validation(PROVIDER, "shop", message),
            ShopifyError::InvalidHmac(_)
            | ShopifyError::StaleRequest { .. }
            | ShopifyError::StateMismatch
            | ShopifyError::ReauthorizationRequired { .. } => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, message)
            }
            ShopifyError::InvalidSessionToken(_) => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, message)
                    .with_provider_code("invalid_subject_token")
            }
            ShopifyError::OAuth { code, status, .. } => {
                let kind = match status {
                    401 | 403 => ErrorKind::Auth,
                    429 => ErrorKind::RateLimited,
                    500..=599 => ErrorKind::Unavailable,
                    _ if code == "invalid_request" => ErrorKind::Validation,
                    _ => ErrorKind::Auth,
                };
                ProviderError::new(kind, PROVIDER, message)
                    .with_provider_code(code)
                    .with_http_status(status)
            }
            ShopifyError::TokenStore(_) => {
                ProviderError::new(ErrorKind::Configuration, PROVIDER, message)
            }
            ShopifyError::Graphql { errors, .. } => {
                let code = errors.iter().find_map(|e| e.code().map(str::to_owned));
                let kind = match code.as_deref() {
                    Some("THROTTLED") => ErrorKind::RateLimited,
                    Some("ACCESS_DENIED") | Some("UNAUTHORIZED") => ErrorKind::Auth,
                    Some("NOT_FOUND") => ErrorKind::NotFound,
                    Some("INTERNAL_SERVER_ERROR") => ErrorKind::Unavailable,
                    Some("MAX_COST_EXCEEDED") => ErrorKind::Rejected,
                    _ => ErrorKind::Validation,
                };
                let mut out = ProviderError::new(kind, PROVIDER, message);
                if let Some(code) = code {
                    out = out.with_provider_code(code);
                }
                // Shopify does not say whether a failed mutation ran partly: an internal
                // error may have happened after the write.
                if kind == ErrorKind::Unavailable {
                    out = out.with_maybe_sent(true);
                }
                out
            }
            ShopifyError::UserErrors { errors } => {
                let code = errors.iter().find_map(|e| e.code.clone());
                let conflict = code.as_deref().is_some_and(|c| {
                    c.contains("STALE") || c.starts_with("IDEMPOTENCY") || c == "TAKEN"
                });
                let kind = if conflict {
                    ErrorKind::Conflict
                } else {
                    ErrorKind::Validation
                };
                let mut out = ProviderError::new(kind, PROVIDER, message);
                for e in &errors {
                    out = out.with_field_error(FieldError::new(
                        e.field_path().unwrap_or_default(),
                        e.message.clone(),
                    ));
                }
                if let Some(code) = code {
                    out = out.with_provider_code(code);
                }
                out
            }
            ShopifyError::Throttled { retry_after } => {
                let mut out = ProviderError::new(ErrorKind::RateLimited, PROVIDER, message)
                    .with_provider_code("THROTTLED");
                if let Some(wait) = retry_after {
                    out = out.with_retry_after(wait);
                }
                out
            }
            ShopifyError::BulkOperationFailed { error_code, .. } => {
                let mut out = ProviderError::new(ErrorKind::Rejected, PROVIDER, message);
                if let Some(code) = error_code {
                    out = out.with_provider_code(code);
                }
                out
            }
            ShopifyError::Decode { .. } => {
                ProviderError::new(ErrorKind::Decode, PROVIDER, message).with_maybe_sent(true)
            }
        }
    }
}
