//! [`OblioError`], the one error type of this crate, and its classification into
//! [`flux_core::ProviderError`].
//!
//! Oblio answers failures with HTTP 400 or 401 and a body `{"status": 4xx,
//! "statusMessage": "<Romanian text>"}`; there are no error codes. The variants below say
//! what a caller can do about each failure.

use std::time::Duration;

use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::HttpError;

/// The provider id used in logs and in [`ProviderError::provider`].
pub const PROVIDER: &str = "oblio";

/// Everything that can go wrong talking to Oblio.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum OblioError {
    /// The input was rejected before sending (named fields, Oblio's wire names).
    #[error("invalid request: {}", format_fields(.fields))]
    InvalidInput {
        /// `(field, problem)` pairs, e.g. `("products[1].discount", "must be positive")`.
        fields: Vec<(String, String)>,
    },
    /// Oblio refused the email/API secret, or the access token (HTTP 401). The API
    /// secret changes whenever the account password is reset.
    #[error("Oblio refused the credentials: {message}")]
    Auth {
        /// Oblio's `statusMessage`.
        message: String,
        /// The HTTP status.
        http_status: u16,
    },
    /// Oblio rejected the request (HTTP 400): a missing series, a bad client, a
    /// document in the wrong state, ...
    #[error("Oblio rejected the request: {message}")]
    Rejected {
        /// Oblio's `statusMessage`.
        message: String,
        /// The HTTP status (or the body's `status` when HTTP said 200).
        http_status: u16,
    },
    /// The document (or other resource) does not exist.
    #[error("not found at Oblio: {message}")]
    NotFound {
        /// Oblio's `statusMessage`.
        message: String,
        /// The HTTP status.
        http_status: u16,
    },
    /// Oblio refused to delete a document. Only the last document of a series can be
    /// deleted: cancel it, or issue a storno, instead.
    #[error(
        "Oblio refused to delete {document}: {message}. Only the last document of a series can be deleted; cancel the document or issue a storno (reversing invoice) instead"
    )]
    DeleteRefused {
        /// `SERIES NUMBER`.
        document: String,
        /// Oblio's `statusMessage`.
        message: String,
        /// The HTTP status.
        http_status: u16,
    },
    /// Oblio throttled the account (30 document creations per 100 s, 30 other calls per
    /// 10 s; an older rule blocks the token for 10 minutes above 3 calls per second).
    #[error("Oblio rate limit: {message}")]
    RateLimited {
        /// Oblio's message.
        message: String,
        /// How long Oblio asked us to wait, if it said.
        retry_after: Option<Duration>,
        /// The HTTP status.
        http_status: u16,
    },
    /// The PDF link did not return a PDF, or points outside Oblio.
    #[error("Oblio PDF: {0}")]
    Pdf(String),
    /// The client could not be built (missing credentials, a bad base URL).
    #[error("Oblio client configuration: {0}")]
    Configuration(String),
    /// The transport failed, or Oblio answered something unexpected (5xx, undecodable).
    #[error(transparent)]
    Http(#[from] HttpError),
}

fn format_fields(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(f, m)| format!("{f}: {m}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl OblioError {
    /// An [`OblioError::InvalidInput`] on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            fields: vec![(field.into(), message.into())],
        }
    }

    /// Whether the credentials or token were refused.
    pub fn is_auth(&self) -> bool {
        match self {
            Self::Auth { .. } => true,
            Self::Http(e) => e.is_auth(),
            _ => false,
        }
    }

    /// Whether trying again later may succeed (rate limits, timeouts, 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } => true,
            Self::Http(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// Whether the request may have had its effect although no answer was seen.
    pub fn maybe_sent(&self) -> bool {
        match self {
            Self::Http(e) => e.provider_maybe_sent(),
            _ => false,
        }
    }

    /// Oblio's `statusMessage`, when it sent one.
    pub fn status_message(&self) -> Option<&str> {
        match self {
            Self::Auth { message, .. }
            | Self::Rejected { message, .. }
            | Self::NotFound { message, .. }
            | Self::DeleteRefused { message, .. }
            | Self::RateLimited { message, .. } => Some(message),
            _ => None,
        }
    }
}

impl From<OblioError> for ProviderError {
    fn from(err: OblioError) -> Self {
        let message = err.to_string();
        match err {
            OblioError::InvalidInput { fields } => ProviderError::validation_fields(
                PROVIDER,
                fields
                    .into_iter()
                    .map(|(f, m)| FieldError::new(f, m))
                    .collect(),
            ),
            OblioError::Auth { http_status, .. } => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, message).with_http_status(http_status)
            }
            OblioError::Rejected { http_status, .. } => {
                ProviderError::new(ErrorKind::Validation, PROVIDER, message)
                    .with_http_status(http_status)
            }
            OblioError::NotFound { http_status, .. } => {
                ProviderError::new(ErrorKind::NotFound, PROVIDER, message)
                    .with_http_status(http_status)
            }
            OblioError::DeleteRefused { http_status, .. } => {
                ProviderError::new(ErrorKind::Conflict, PROVIDER, message)
                    .with_provider_code("delete_not_last_in_series")
                    .with_http_status(http_status)
            }
            OblioError::RateLimited {
                retry_after,
                http_status,
                ..
            } => {
                let mut e = ProviderError::new(ErrorKind::RateLimited, PROVIDER, message)
                    .with_http_status(http_status);
                if let Some(wait) = retry_after {
                    e = e.with_retry_after(wait);
                }
                e
            }
            OblioError::Pdf(_) => ProviderError::new(ErrorKind::Decode, PROVIDER, message),
            OblioError::Configuration(_) => {
                ProviderError::new(ErrorKind::Configuration, PROVIDER, message)
            }
            OblioError::Http(e) => e.into_provider_error(PROVIDER),
        }
    }
}

/// Lower-cased ASCII text for matching Oblio's Romanian messages.
pub(crate) fn fold(message: &str) -> String {
    message
        .chars()
        .map(|c| match c {
            'ă' | 'â' | 'Ă' | 'Â' => 'a',
            'î' | 'Î' => 'i',
            'ș' | 'ş' | 'Ș' | 'Ş' => 's',
            'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Whether a 400 message says the thing does not exist.
pub(crate) fn says_not_found(message: &str) -> bool {
    let m = fold(message);
    [
        "nu exista",
        "nu a fost gasit",
        "nu a fost gasita",
        "negasit",
        "not found",
        "does not exist",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// Whether a message says the account is being throttled.
pub(crate) fn says_rate_limited(message: &str) -> bool {
    let m = fold(message);
    [
        "prea multe cereri",
        "too many requests",
        "rate limit",
        "limita de cereri",
    ]
    .iter()
    .any(|p| m.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let e: ProviderError = OblioError::DeleteRefused {
            document: "FCT 0012".into(),
            message: "Doar ultimul document poate fi sters".into(),
            http_status: 400,
        }
        .into();
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert!(
            e.message()
                .contains("cancel the document or issue a storno")
        );
        let e: ProviderError =
            OblioError::invalid("products[1].discount", "must be positive").into();
        assert!(e.is_validation());
        assert_eq!(e.field_errors()[0].field, "products[1].discount");
        assert!(says_not_found("Documentul nu există"));
        assert!(says_rate_limited("Prea multe cereri"));
    }
}
