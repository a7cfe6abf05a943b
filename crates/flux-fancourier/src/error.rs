//! [`FanCourierError`]: every way a FAN Courier call can fail, and its mapping to
//! [`flux_core::ProviderError`].
//!
//! | variant | [`ErrorKind`] | retryable |
//! |---|---|---|
//! | [`Http`](FanCourierError::Http) | as classified by flux-http (timeouts, 429, 5xx retryable; `maybe_sent` kept) | depends |
//! | [`Auth`](FanCourierError::Auth) | `Auth` | no |
//! | [`Validation`](FanCourierError::Validation) | `Validation`, with field paths | no |
//! | [`ShipmentRejected`](FanCourierError::ShipmentRejected) | `Validation`, field paths from the per-item `errors` of `intern-awb` | no |
//! | [`NotFound`](FanCourierError::NotFound) | `NotFound` | no |
//! | [`Api`](FanCourierError::Api) | from the HTTP status (`Rejected` for a 200 with `"status":"fail"`) | 5xx/429 only |
//! | [`UnexpectedContent`](FanCourierError::UnexpectedContent) | `Decode` (`maybe_sent`) | no |
//! | [`InvalidRequest`](FanCourierError::InvalidRequest) | `Validation` (nothing was sent) | no |

use std::time::Duration;

use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::HttpError;

/// The provider id used in [`ProviderError`]s and in the HTTP client's tracing spans.
pub const PROVIDER: &str = "fancourier";

/// A failed FAN Courier call.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FanCourierError {
    /// The request did not get a usable HTTP answer (connect, timeout, transport, an
    /// unexpected status without a FAN body, or a body that did not decode).
    #[error(transparent)]
    Http(#[from] HttpError),

    /// Login failed, or a fresh token was refused.
    #[error("authentication failed: {message}")]
    Auth {
        /// FAN's message.
        message: String,
        /// The HTTP status, when there was one.
        status: Option<u16>,
    },

    /// FAN refused the request's data (HTTP 422, or a `fail` body with field errors).
    #[error("validation failed: {message}")]
    Validation {
        /// FAN's message.
        message: String,
        /// The offending fields, with FAN's JSON paths (`recipient.address.locality`).
        fields: Vec<FieldError>,
        /// The HTTP status.
        status: Option<u16>,
    },

    /// One shipment of an `intern-awb` batch was refused (HTTP 200 with per-item `errors`).
    #[error("shipment {index} was rejected: {}", join_fields(.fields))]
    ShipmentRejected {
        /// Position of the shipment in the batch (0-based).
        index: usize,
        /// Field paths and messages, as FAN returned them (`info.parcels`).
        fields: Vec<FieldError>,
    },

    /// The AWB, order or pickup point does not exist.
    #[error("not found: {message}")]
    NotFound {
        /// FAN's message.
        message: String,
    },

    /// FAN answered with an error body (`{"status":"fail"|"error","message":…}`).
    #[error("FAN Courier error{}: {message}", status_note(.status))]
    Api {
        /// The HTTP status (200 when FAN reported the error in a successful response).
        status: u16,
        /// FAN's `status` field (`fail`, `error`), when present.
        api_status: Option<String>,
        /// FAN's message.
        message: String,
        /// `Retry-After`, when FAN sent one.
        retry_after: Option<Duration>,
    },

    /// The answer was not what the request asked for (HTML instead of a PDF label, an
    /// empty create response).
    #[error("unexpected response: {message}")]
    UnexpectedContent {
        /// What was wrong.
        message: String,
    },

    /// The request was refused before sending (a value FAN cannot accept).
    #[error("invalid request: {field}: {message}")]
    InvalidRequest {
        /// Our field path.
        field: String,
        /// Why.
        message: String,
    },
}

fn join_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn status_note(status: &u16) -> String {
    format!(" (HTTP {status})")
}

impl FanCourierError {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidRequest {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The field errors, for validation failures.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Validation { fields, .. } | Self::ShipmentRejected { fields, .. } => fields,
            _ => &[],
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Http(e) => e.is_retryable(),
            Self::Api { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

impl From<FanCourierError> for ProviderError {
    fn from(err: FanCourierError) -> Self {
        let message = err.to_string();
        match err {
            FanCourierError::Http(e) => e.into_provider_error(PROVIDER),
            FanCourierError::Auth { status, .. } => {
                let e = ProviderError::new(ErrorKind::Auth, PROVIDER, message);
                match status {
                    Some(s) => e.with_http_status(s),
                    None => e,
                }
            }
            FanCourierError::Validation {
                fields,
                status,
                message: msg,
            } => {
                let mut e = if fields.is_empty() {
                    ProviderError::new(ErrorKind::Validation, PROVIDER, msg)
                } else {
                    ProviderError::validation_fields(PROVIDER, fields)
                };
                if let Some(s) = status {
                    e = e.with_http_status(s);
                }
                e
            }
            FanCourierError::ShipmentRejected { fields, .. } => {
                ProviderError::validation_fields(PROVIDER, fields).with_http_status(200)
            }
            FanCourierError::NotFound { .. } => {
                ProviderError::new(ErrorKind::NotFound, PROVIDER, message)
            }
            FanCourierError::Api {
                status,
                api_status,
                retry_after,
                ..
            } => {
                let kind = match status {
                    400 | 422 => ErrorKind::Validation,
                    401 | 403 => ErrorKind::Auth,
                    404 | 410 => ErrorKind::NotFound,
                    409 => ErrorKind::Conflict,
                    429 => ErrorKind::RateLimited,
                    408 | 500..=599 => ErrorKind::Unavailable,
                    _ => ErrorKind::Rejected,
                };
                let maybe_sent = status >= 500 && status != 503;
                let mut e = ProviderError::new(kind, PROVIDER, message)
                    .with_http_status(status)
                    .with_maybe_sent(maybe_sent);
                if let Some(code) = api_status {
                    e = e.with_provider_code(code);
                }
                if let Some(wait) = retry_after {
                    e = e.with_retry_after(wait);
                }
                e
            }
            FanCourierError::UnexpectedContent { .. } => {
                ProviderError::new(ErrorKind::Decode, PROVIDER, message).with_maybe_sent(true)
            }
            FanCourierError::InvalidRequest {
                field,
                message: msg,
            } => ProviderError::validation(PROVIDER, field, msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipment_rejection_is_a_validation_error_with_paths() {
        let err: ProviderError = FanCourierError::ShipmentRejected {
            index: 0,
            fields: vec![FieldError::new("info.parcels", "At least one")],
        }
        .into();
        assert!(err.is_validation());
        assert_eq!(err.field_errors()[0].field, "info.parcels");
        assert!(!err.is_retryable());
    }

    #[test]
    fn api_errors_follow_the_status() {
        let err: ProviderError = FanCourierError::Api {
            status: 502,
            api_status: None,
            message: "bad gateway".into(),
            retry_after: None,
        }
        .into();
        assert!(err.is_retryable());
        assert!(err.maybe_sent());
        let err: ProviderError = FanCourierError::Api {
            status: 200,
            api_status: Some("fail".into()),
            message: "nope".into(),
            retry_after: None,
        }
        .into();
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert_eq!(err.provider_code(), Some("fail"));
    }
}
