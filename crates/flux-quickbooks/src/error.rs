//! [`QuickBooksError`]: every way a QuickBooks call can fail, and its mapping to
//! [`flux_core::ProviderError`].

use std::sync::Arc;
use std::time::Duration;

use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::HttpError;

use crate::fault::{Fault, FaultError};

/// The provider id used in [`ProviderError`]s.
pub const PROVIDER: &str = "quickbooks";

/// A QuickBooks fault together with the HTTP status and Intuit's transaction id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiFault {
    /// The HTTP status (200 when the fault came inside a successful response or a batch item).
    pub status: u16,
    /// The parsed fault.
    pub fault: Fault,
    /// The `intuit_tid` response header: quote it to Intuit support.
    pub intuit_tid: Option<String>,
}

impl ApiFault {
    /// The first error's code (`"6240"`).
    pub fn code(&self) -> Option<&str> {
        self.fault.code()
    }

    /// The first error.
    pub fn first(&self) -> Option<&FaultError> {
        self.fault.errors.first()
    }

    /// The first error's element (field), when QuickBooks named one.
    pub fn element(&self) -> Option<&str> {
        self.first().and_then(|e| e.element.as_deref())
    }

    /// The first error's detail.
    pub fn detail(&self) -> Option<&str> {
        self.first().and_then(|e| e.detail.as_deref())
    }
}

impl std::fmt::Display for ApiFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.fault.summary())?;
        if let Some(tid) = &self.intuit_tid {
            write!(f, " (intuit_tid {tid})")?;
        }
        Ok(())
    }
}

/// Every way a QuickBooks operation can fail.
///
/// API errors keep Intuit's fault and the `intuit_tid` (see [`intuit_tid`](Self::intuit_tid)).
/// Convert into [`ProviderError`] with `From` for the trait-level classification.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum QuickBooksError {
    /// The `SyncToken` sent was not the latest (code 5010): re-read, re-apply, retry.
    #[error("stale SyncToken: {0}")]
    StaleObject(Box<ApiFault>),

    /// The name is already used by a customer, vendor or employee, active or not (code 6240).
    #[error("duplicate name{}: {fault}", existing_id.as_deref().map(|id| format!(" (existing id {id})")).unwrap_or_default())]
    DuplicateName {
        /// The id of the record holding the name, when QuickBooks said (`"… : Id=58"`).
        existing_id: Option<String>,
        /// The fault.
        fault: Box<ApiFault>,
    },

    /// The document number is already used (code 6210).
    #[error("duplicate document number: {0}")]
    DuplicateDocNumber(Box<ApiFault>),

    /// A referenced object does not exist or is inactive (code 610), or HTTP 404.
    #[error("object not found or inactive: {0}")]
    NotFound(Box<ApiFault>),

    /// QuickBooks rejected the data (codes 2000–6999: missing or invalid field, business
    /// validation such as a missing GST/HST rate). [`ApiFault::element`] names the field.
    #[error("validation failed: {0}")]
    Validation(Box<ApiFault>),

    /// The access token was refused (HTTP 401, codes 3200/100) even after one refresh.
    #[error("authentication failed: {0}")]
    AuthExpired(Box<ApiFault>),

    /// The app is not authorized for this company or operation (HTTP 403, code 3100;
    /// code 120 when the user lost access): the company needs reconnecting.
    #[error("authorization failed: {0}")]
    Forbidden(Box<ApiFault>),

    /// Too many requests (HTTP 429, code 3001). Wait `retry_after` (60 s when Intuit gave no
    /// `Retry-After`).
    #[error("throttled, retry after {retry_after:?}: {fault}")]
    Throttled {
        /// How long to wait.
        retry_after: Duration,
        /// The fault.
        fault: Box<ApiFault>,
    },

    /// QuickBooks failed on its side (HTTP 5xx).
    #[error("QuickBooks server error: {0}")]
    Server(Box<ApiFault>),

    /// Any other fault.
    #[error("QuickBooks fault: {0}")]
    Api(Box<ApiFault>),

    /// The refresh token was refused (`invalid_grant`): expired, revoked or rotated away.
    /// The user must connect the company again.
    #[error("reconnect needed: {description} (intuit_tid {})", intuit_tid.as_deref().unwrap_or("-"))]
    ReconnectNeeded {
        /// Intuit's `error_description`.
        description: String,
        /// The `intuit_tid` response header.
        intuit_tid: Option<String>,
    },

    /// The token endpoint refused the request for another reason (`invalid_client`,
    /// `invalid_request`, …).
    #[error("OAuth error {error}: {description}")]
    OAuth {
        /// The OAuth `error` code.
        error: String,
        /// Intuit's `error_description`.
        description: String,
        /// The HTTP status.
        status: Option<u16>,
        /// The `intuit_tid` response header.
        intuit_tid: Option<String>,
    },

    /// The OAuth callback was not acceptable (state mismatch, `error=access_denied`,
    /// missing `code` or `realmId`).
    #[error("OAuth callback rejected: {0}")]
    Callback(String),

    /// The transport failed (timeout, connection, unexpected status without a fault).
    #[error(transparent)]
    Http(#[from] HttpError),

    /// A response could not be decoded.
    #[error("could not decode the QuickBooks response: {message}")]
    Decode {
        /// What went wrong, with the JSON path.
        message: String,
        /// The `intuit_tid` response header.
        intuit_tid: Option<String>,
    },

    /// The caller's input was refused before sending.
    #[error("invalid input `{field}`: {message}")]
    InvalidInput {
        /// The field.
        field: String,
        /// Why.
        message: String,
    },

    /// The caller's token persistence hook failed; the new tokens were not used.
    #[error("could not persist the rotated tokens: {message}")]
    TokenStore {
        /// The hook's error message.
        message: String,
        /// The hook's error.
        #[source]
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },

    /// A webhook's `intuit-signature` did not match its body.
    #[error("webhook signature is missing or does not match")]
    WebhookSignature,

    /// A webhook body was neither the classic nor the CloudEvents payload.
    #[error("invalid webhook payload: {0}")]
    WebhookPayload(String),

    /// The client was configured wrongly.
    #[error("configuration error: {0}")]
    Config(String),
}

impl QuickBooksError {
    /// Intuit's transaction id for this failure, when the response carried one.
    pub fn intuit_tid(&self) -> Option<&str> {
        match self {
            Self::StaleObject(f)
            | Self::DuplicateDocNumber(f)
            | Self::NotFound(f)
            | Self::Validation(f)
            | Self::AuthExpired(f)
            | Self::Forbidden(f)
            | Self::Server(f)
            | Self::Api(f)
            | Self::DuplicateName { fault: f, .. }
            | Self::Throttled { fault: f, .. } => f.intuit_tid.as_deref(),
            Self::ReconnectNeeded { intuit_tid, .. }
            | Self::OAuth { intuit_tid, .. }
            | Self::Decode { intuit_tid, .. } => intuit_tid.as_deref(),
            Self::Http(e) => e.request_id(),
            _ => None,
        }
    }

    /// The fault, for errors that came from a QuickBooks fault.
    pub fn fault(&self) -> Option<&ApiFault> {
        match self {
            Self::StaleObject(f)
            | Self::DuplicateDocNumber(f)
            | Self::NotFound(f)
            | Self::Validation(f)
            | Self::AuthExpired(f)
            | Self::Forbidden(f)
            | Self::Server(f)
            | Self::Api(f)
            | Self::DuplicateName { fault: f, .. }
            | Self::Throttled { fault: f, .. } => Some(f),
            _ => None,
        }
    }

    /// Whether the company must be connected again (refresh token refused, access revoked).
    pub fn is_reconnect_needed(&self) -> bool {
        matches!(self, Self::ReconnectNeeded { .. } | Self::Forbidden(_))
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Classifies a fault by HTTP status first, then by Intuit's code.
    pub(crate) fn from_fault(
        status: u16,
        fault: Fault,
        intuit_tid: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        let api = Box::new(ApiFault {
            status,
            fault,
            intuit_tid,
        });
        let code = api.code().unwrap_or("").to_owned();
        match (status, code.as_str()) {
            (429, _) | (_, "3001") => Self::Throttled {
                retry_after: retry_after.unwrap_or(Duration::from_secs(60)),
                fault: api,
            },
            (401, _) => Self::AuthExpired(api),
            (403, _) | (_, "3100") | (_, "120") => Self::Forbidden(api),
            (_, "100") | (_, "3200") => Self::AuthExpired(api),
            (_, "5010") => Self::StaleObject(api),
            (_, "6240") => {
                let existing_id = api
                    .fault
                    .errors
                    .iter()
                    .find_map(|e| e.detail.as_deref().and_then(existing_id_in_detail));
                Self::DuplicateName {
                    existing_id,
                    fault: api,
                }
            }
            (_, "6210") => Self::DuplicateDocNumber(api),
            (404, _) | (_, "610") => Self::NotFound(api),
            (500..=599, _) => Self::Server(api),
            (_, c) if is_validation_code(c) => Self::Validation(api),
            (400, _) => Self::Validation(api),
            _ => Self::Api(api),
        }
    }
}

fn is_validation_code(code: &str) -> bool {
    code.parse::<u32>().is_ok_and(|c| (2000..7000).contains(&c))
}

/// `"The name supplied already exists. : Id=58"` → `58`.
fn existing_id_in_detail(detail: &str) -> Option<String> {
    let start = detail.find("Id=")? + 3;
    let id: String = detail[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!id.is_empty()).then_some(id)
}

impl From<QuickBooksError> for ProviderError {
    fn from(err: QuickBooksError) -> Self {
        let message = err.to_string();
        let with_fault = |kind: ErrorKind, f: &ApiFault| {
            let mut e =
                ProviderError::new(kind, PROVIDER, message.clone()).with_http_status(f.status);
            if let Some(code) = f.code() {
                e = e.with_provider_code(code);
            }
            e
        };
        match &err {
            QuickBooksError::StaleObject(f) | QuickBooksError::DuplicateDocNumber(f) => {
                with_fault(ErrorKind::Conflict, f).with_source(err.clone())
            }
            QuickBooksError::DuplicateName { fault, .. } => {
                with_fault(ErrorKind::Conflict, fault).with_source(err.clone())
            }
            QuickBooksError::NotFound(f) => {
                with_fault(ErrorKind::NotFound, f).with_source(err.clone())
            }
            QuickBooksError::Validation(f) => {
                let mut e = with_fault(ErrorKind::Validation, f);
                for error in &f.fault.errors {
                    let field = error.element.clone().unwrap_or_default();
                    let text = error
                        .detail
                        .clone()
                        .unwrap_or_else(|| error.message.clone());
                    e = e.with_field_error(FieldError::new(field, text));
                }
                e.with_source(err.clone())
            }
            QuickBooksError::AuthExpired(f) | QuickBooksError::Forbidden(f) => {
                with_fault(ErrorKind::Auth, f).with_source(err.clone())
            }
            QuickBooksError::Throttled { retry_after, fault } => {
                with_fault(ErrorKind::RateLimited, fault)
                    .with_retry_after(*retry_after)
                    .with_source(err.clone())
            }
            QuickBooksError::Server(f) => with_fault(ErrorKind::Unavailable, f)
                .with_maybe_sent(f.status != 503)
                .with_source(err.clone()),
            QuickBooksError::Api(f) => with_fault(ErrorKind::Rejected, f).with_source(err.clone()),
            QuickBooksError::ReconnectNeeded { .. } => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, message)
                    .with_provider_code("invalid_grant")
                    .with_source(err)
            }
            QuickBooksError::OAuth { error, status, .. } => {
                let kind = match status {
                    Some(429) => ErrorKind::RateLimited,
                    Some(s) if *s >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::Auth,
                };
                let mut e = ProviderError::new(kind, PROVIDER, message.clone())
                    .with_provider_code(error.clone());
                if let Some(s) = status {
                    e = e.with_http_status(*s);
                }
                e.with_source(err)
            }
            QuickBooksError::Callback(_) | QuickBooksError::WebhookSignature => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, message).with_source(err)
            }
            QuickBooksError::Http(http) => {
                // Keep the transport's classification (maybe_sent, retry_after, status).
                http.clone().into_provider_error(PROVIDER)
            }
            QuickBooksError::Decode { .. } => {
                ProviderError::new(ErrorKind::Decode, PROVIDER, message)
                    .with_maybe_sent(true)
                    .with_source(err)
            }
            QuickBooksError::InvalidInput {
                field,
                message: text,
            } => ProviderError::validation(PROVIDER, field.clone(), text.clone()).with_source(err),
            QuickBooksError::WebhookPayload(_) => {
                ProviderError::new(ErrorKind::Validation, PROVIDER, message).with_source(err)
            }
            QuickBooksError::TokenStore { .. } | QuickBooksError::Config(_) => {
                ProviderError::new(ErrorKind::Configuration, PROVIDER, message).with_source(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(code: &str, detail: &str) -> Fault {
        Fault {
            fault_type: Some("ValidationFault".into()),
            errors: vec![FaultError {
                message: "m".into(),
                detail: Some(detail.into()),
                code: Some(code.into()),
                element: None,
            }],
        }
    }

    #[test]
    fn duplicate_name_extracts_the_existing_id() {
        let err = QuickBooksError::from_fault(
            400,
            fault("6240", "The name supplied already exists. : Id=58"),
            Some("tid".into()),
            None,
        );
        match &err {
            QuickBooksError::DuplicateName { existing_id, .. } => {
                assert_eq!(existing_id.as_deref(), Some("58"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.intuit_tid(), Some("tid"));
        let p = ProviderError::from(err);
        assert_eq!(p.kind(), ErrorKind::Conflict);
        assert_eq!(p.provider_code(), Some("6240"));
    }

    #[test]
    fn codes_are_classified() {
        let kinds = [
            (400, "5010", ErrorKind::Conflict),
            (400, "6210", ErrorKind::Conflict),
            (400, "610", ErrorKind::NotFound),
            (400, "6000", ErrorKind::Validation),
            (400, "2020", ErrorKind::Validation),
            (401, "3200", ErrorKind::Auth),
            (403, "3100", ErrorKind::Auth),
            (429, "3001", ErrorKind::RateLimited),
            (500, "", ErrorKind::Unavailable),
            (200, "6190", ErrorKind::Validation),
        ];
        for (status, code, kind) in kinds {
            let p = ProviderError::from(QuickBooksError::from_fault(
                status,
                fault(code, "d"),
                None,
                None,
            ));
            assert_eq!(p.kind(), kind, "{status} {code}");
        }
        let p = ProviderError::from(QuickBooksError::from_fault(500, fault("", "d"), None, None));
        assert!(p.maybe_sent() && p.is_retryable());
    }
}
