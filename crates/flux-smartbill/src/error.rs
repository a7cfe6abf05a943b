//! [`SmartBillError`]: every way a SmartBill call fails, and its classification as a
//! [`flux_core::ProviderError`].
//!
//! SmartBill signals failures in four ways, and this crate turns each into a variant:
//!
//! | SmartBill answer | variant |
//! |---|---|
//! | any status with a non-empty `errorText` (**including HTTP 200**) | [`Api`](SmartBillError::Api) (or [`NotLastInSeries`](SmartBillError::NotLastInSeries) for a refused delete) |
//! | `POST /document/send` with `status.code` other than 0 | [`Email`](SmartBillError::Email) |
//! | HTTP 401 (bad email/token, **or no access to that company CIF**) | [`Unauthorized`](SmartBillError::Unauthorized) |
//! | HTTP 403 with the rate-limit message or headers | [`RateLimitBlocked`](SmartBillError::RateLimitBlocked), with the time the block lifts |
//! | HTTP 403 without them | [`Forbidden`](SmartBillError::Forbidden) |
//! | HTTP 429 (reported for a newer API version) | [`RateLimited`](SmartBillError::RateLimited) |
//! | timeouts, connection failures, other statuses, undecodable bodies | [`Http`](SmartBillError::Http) |

use std::time::Duration;

use chrono::{DateTime, Utc};
use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::HttpError;

use crate::PROVIDER;

/// A failed SmartBill call.
///
/// Ask [`ProviderError`] predicates (convert with `into()`) when you drive several
/// providers; match variants when you need SmartBill's detail.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SmartBillError {
    /// SmartBill refused the request and said why in `errorText`. This arrives with a 4xx
    /// status, and also with **HTTP 200** for many business failures.
    #[error("SmartBill refused the request (HTTP {status}): {message}")]
    Api {
        /// The HTTP status the refusal came with (often 200 or 400).
        status: u16,
        /// SmartBill's message, without its HTML decoration.
        message: String,
        /// Field errors, when SmartBill used its structured `errors[]` format.
        fields: Vec<FieldError>,
        /// The first structured error code (e.g. `json_mapping_error`), if any.
        code: Option<String>,
    },

    /// A delete was refused because the document is not the last of its series. Cancel it
    /// or reverse it (storno) instead.
    #[error(
        "SmartBill can delete only the last document of a series; {series} {number} is not the last (cancel or reverse it instead): {message}"
    )]
    NotLastInSeries {
        /// The series.
        series: String,
        /// The number that was refused.
        number: String,
        /// SmartBill's message.
        message: String,
    },

    /// `POST /document/send` answered with a non-zero `status.code`.
    #[error("SmartBill did not send the email ({code}): {message}")]
    Email {
        /// SmartBill's code: 1 is a data error, 2 a server error.
        code: crate::types::EmailStatusCode,
        /// SmartBill's message.
        message: String,
    },

    /// HTTP 401: the email/token pair is wrong, or this user has no access to the
    /// company CIF the call named.
    #[error("SmartBill refused the credentials or the company CIF (HTTP 401): {message}")]
    Unauthorized {
        /// SmartBill's message, or the body.
        message: String,
    },

    /// HTTP 403 for exceeding 30 calls in 10 seconds: SmartBill blocks the account for
    /// 10 minutes. The client refuses further calls locally until `until`.
    #[error("SmartBill blocked the account for exceeding its rate limit until {until}: {message}")]
    RateLimitBlocked {
        /// When the block lifts (from `Retry-After` when SmartBill sends it, otherwise
        /// 10 minutes after the refusal).
        until: DateTime<Utc>,
        /// SmartBill's message.
        message: String,
    },

    /// HTTP 403 that does not look like the rate-limit block (no rate-limit message or
    /// headers): access to this resource is forbidden.
    #[error("SmartBill forbade the request (HTTP 403): {message}")]
    Forbidden {
        /// SmartBill's message, or the body.
        message: String,
    },

    /// HTTP 429 (reported for newer SmartBill API versions), after the transport's own
    /// retries gave up.
    #[error("SmartBill asked us to slow down (HTTP 429): {message}")]
    RateLimited {
        /// How long SmartBill asked us to wait.
        retry_after: Option<Duration>,
        /// SmartBill's message, or the body.
        message: String,
    },

    /// The request was invalid before it was sent; nothing reached SmartBill.
    #[error("invalid SmartBill request: {}", join_fields(.0))]
    Validation(Vec<FieldError>),

    /// SmartBill answered with something this crate could not use (a fiscal receipt
    /// text that is not base64, a PDF download that is not a PDF).
    #[error("unexpected SmartBill answer: {0}")]
    UnexpectedResponse(String),

    /// The client is misconfigured (an empty email, token or company CIF, a bad URL).
    #[error("SmartBill client configuration: {0}")]
    Config(String),

    /// The transport failed, SmartBill answered a status without a message, or the body
    /// could not be decoded. See [`HttpError::maybe_sent`].
    #[error(transparent)]
    Http(#[from] HttpError),
}

fn join_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl SmartBillError {
    /// A validation error on one field.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// When the rate-limit block lifts, for [`RateLimitBlocked`](Self::RateLimitBlocked).
    pub fn blocked_until(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::RateLimitBlocked { until, .. } => Some(*until),
            _ => None,
        }
    }

    /// Whether the request may have reached SmartBill without us seeing the outcome (a
    /// create that timed out). Look the document up in the SmartBill account before
    /// issuing it again: SmartBill has no idempotency key.
    pub fn maybe_sent(&self) -> bool {
        match self {
            Self::Http(e) => e.provider_maybe_sent(),
            Self::Api { status, .. } => *status >= 500 && *status != 503,
            _ => false,
        }
    }
}

/// Classifies an `errorText` refusal: by what the message says first, then by status.
fn api_kind(status: u16, message: &str) -> ErrorKind {
    let folded = flux_core::county::fold_romanian(message);
    if folded.contains("numarul maxim de documente") {
        return ErrorKind::Rejected;
    }
    if folded.contains(" deja ") || folded.starts_with("deja ") || folded.contains("exista deja") {
        return ErrorKind::Conflict;
    }
    if folded.contains("nu exista")
        || folded.contains("nu a fost gasit")
        || folded.contains("nu a fost gasita")
        || folded.contains("inexistent")
    {
        return ErrorKind::NotFound;
    }
    match status {
        400 | 415 | 422 => ErrorKind::Validation,
        405 => ErrorKind::Configuration,
        401 => ErrorKind::Auth,
        500..=599 => ErrorKind::Unavailable,
        // 200 with errorText, and 404/410 ("blocked by internal rules").
        _ => ErrorKind::Rejected,
    }
}

impl From<SmartBillError> for ProviderError {
    fn from(err: SmartBillError) -> Self {
        let maybe_sent = err.maybe_sent();
        match err {
            SmartBillError::Http(http) => http.into_provider_error(PROVIDER),
            SmartBillError::Api {
                status,
                ref message,
                ref fields,
                ref code,
            } => {
                let kind = if fields.is_empty() {
                    api_kind(status, message)
                } else {
                    ErrorKind::Validation
                };
                let mut out = ProviderError::new(kind, PROVIDER, message.clone())
                    .with_http_status(status)
                    .with_maybe_sent(maybe_sent);
                for f in fields {
                    out = out.with_field_error(f.clone());
                }
                if let Some(code) = code {
                    out = out.with_provider_code(code.clone());
                }
                out.with_source(err)
            }
            SmartBillError::NotLastInSeries { .. } => {
                ProviderError::new(ErrorKind::Conflict, PROVIDER, err.to_string())
                    .with_provider_code("not_last_in_series")
                    .with_source(err)
            }
            SmartBillError::Email { code, .. } => {
                let kind = if code == crate::types::EmailStatusCode::ServerError {
                    ErrorKind::Unavailable
                } else {
                    ErrorKind::Rejected
                };
                ProviderError::new(kind, PROVIDER, err.to_string())
                    .with_provider_code(format!("email_status_{}", code.as_i64()))
                    .with_source(err)
            }
            SmartBillError::Unauthorized { .. } => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, err.to_string())
                    .with_http_status(401)
                    .with_source(err)
            }
            SmartBillError::Forbidden { .. } => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, err.to_string())
                    .with_http_status(403)
                    .with_source(err)
            }
            SmartBillError::RateLimitBlocked { until, .. } => {
                let wait = (until - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                ProviderError::new(ErrorKind::RateLimited, PROVIDER, err.to_string())
                    .with_http_status(403)
                    .with_provider_code("rate_limit_block")
                    .with_retry_after(wait)
                    .with_source(err)
            }
            SmartBillError::RateLimited { retry_after, .. } => {
                let mut out = ProviderError::new(ErrorKind::RateLimited, PROVIDER, err.to_string())
                    .with_http_status(429);
                if let Some(wait) = retry_after {
                    out = out.with_retry_after(wait);
                }
                out.with_source(err)
            }
            SmartBillError::Validation(ref fields) => {
                ProviderError::validation_fields(PROVIDER, fields.clone()).with_source(err)
            }
            SmartBillError::UnexpectedResponse(_) => {
                ProviderError::new(ErrorKind::Decode, PROVIDER, err.to_string()).with_source(err)
            }
            SmartBillError::Config(_) => {
                ProviderError::new(ErrorKind::Configuration, PROVIDER, err.to_string())
                    .with_source(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, message: &str) -> ProviderError {
        SmartBillError::Api {
            status,
            message: message.into(),
            fields: Vec::new(),
            code: None,
        }
        .into()
    }

    #[test]
    fn api_refusals_are_classified_by_message_then_status() {
        assert_eq!(
            api(200, "Factura este deja stornata.").kind(),
            ErrorKind::Conflict
        );
        assert_eq!(
            api(400, "Clientul nu are CIF valid").kind(),
            ErrorKind::Validation
        );
        assert_eq!(api(200, "Seria FCT nu exista").kind(), ErrorKind::NotFound);
        assert_eq!(
            api(
                410,
                "Pentru acest pachet s-a emis numarul maxim de documente permis"
            )
            .kind(),
            ErrorKind::Rejected
        );
        assert_eq!(api(200, "Eroare").kind(), ErrorKind::Rejected);
        let server = api(500, "Eroare interna");
        assert_eq!(server.kind(), ErrorKind::Unavailable);
        assert!(server.maybe_sent() && server.is_retryable());
        assert!(!api(400, "x").maybe_sent());
    }

    #[test]
    fn blocks_carry_the_wait() {
        let until = Utc::now() + chrono::Duration::minutes(10);
        let err = SmartBillError::RateLimitBlocked {
            until,
            message: "blocat".into(),
        };
        assert_eq!(err.blocked_until(), Some(until));
        let p: ProviderError = err.into();
        assert_eq!(p.kind(), ErrorKind::RateLimited);
        assert_eq!(p.provider_code(), Some("rate_limit_block"));
        let wait = p.retry_after().unwrap();
        assert!(wait > Duration::from_secs(590) && wait <= Duration::from_secs(600));
    }
}
