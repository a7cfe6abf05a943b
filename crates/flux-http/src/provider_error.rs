//! Classifying transport failures as [`flux_core::ProviderError`], the same way for every
//! provider crate.
//!
//! | [`HttpError`] | [`ErrorKind`] | `maybe_sent` |
//! |---|---|---|
//! | `InvalidRequest`, `InvalidBaseUrl` | `Configuration` | no |
//! | `Connect` | `Transport` | no |
//! | `Timeout` | `Timeout` | as the transport saw it |
//! | `Transport` | `Transport` | yes |
//! | `Status` 400, 422 | `Validation` | no |
//! | `Status` 401, 403 | `Auth` | no |
//! | `Status` 404, 410 | `NotFound` | no |
//! | `Status` 409 | `Conflict` | no |
//! | `Status` 429 | `RateLimited` (with `Retry-After`) | no |
//! | `Status` 408, 503 | `Unavailable` | no |
//! | `Status` 500, 502, 504 and other 5xx | `Unavailable` | **yes**: the server may have acted before failing |
//! | other `Status` | `Rejected` | no |
//! | `Decode` | `Decode` | **yes**: the server answered, so a create probably happened |
//!
//! Provider crates refine this where their API says more (a 403 that is SmartBill's rate
//! block, a 400 with field paths), and fall back to [`HttpError::into_provider_error`].
//!
//! ```
//! use flux_core::ErrorKind;
//! use flux_http::HttpError;
//!
//! let err = HttpError::Timeout { request: "POST https://api.example.com/awb".into(), maybe_sent: true, source: None };
//! let err = err.into_provider_error("fancourier");
//! assert_eq!(err.kind(), ErrorKind::Timeout);
//! assert!(err.maybe_sent() && err.is_retryable());
//! ```

use flux_core::{ErrorKind, ProviderError};

use crate::HttpError;

impl HttpError {
    /// The [`ErrorKind`] this failure belongs to.
    pub fn provider_error_kind(&self) -> ErrorKind {
        match self {
            HttpError::InvalidRequest { .. } | HttpError::InvalidBaseUrl { .. } => {
                ErrorKind::Configuration
            }
            HttpError::Connect { .. } | HttpError::Transport { .. } => ErrorKind::Transport,
            HttpError::Timeout { .. } => ErrorKind::Timeout,
            HttpError::Decode { .. } => ErrorKind::Decode,
            HttpError::Status { status, .. } => match status.as_u16() {
                400 | 422 => ErrorKind::Validation,
                401 | 403 => ErrorKind::Auth,
                404 | 410 => ErrorKind::NotFound,
                409 => ErrorKind::Conflict,
                429 => ErrorKind::RateLimited,
                408 | 500..=599 => ErrorKind::Unavailable,
                _ => ErrorKind::Rejected,
            },
        }
    }

    /// Whether, as a [`ProviderError`], this failure leaves the outcome of the request
    /// unknown (see the table in the module docs).
    pub fn provider_maybe_sent(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => {
                status.is_server_error() && !matches!(status.as_u16(), 503)
            }
            HttpError::Decode { .. } | HttpError::Transport { .. } => true,
            other => other.maybe_sent(),
        }
    }

    /// Converts into the trait-level error of `provider`, keeping the status, the
    /// `Retry-After` wait and this error as the source.
    pub fn into_provider_error(self, provider: &'static str) -> ProviderError {
        let mut err = ProviderError::new(self.provider_error_kind(), provider, self.to_string())
            .with_maybe_sent(self.provider_maybe_sent());
        if let Some(status) = self.status() {
            err = err.with_http_status(status.as_u16());
        }
        if let Some(wait) = self.retry_after() {
            err = err.with_retry_after(wait);
        }
        err.with_source(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use std::time::Duration;

    fn status(code: u16) -> HttpError {
        HttpError::Status {
            request: "POST https://api.example.com/x".into(),
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: (code == 429).then(|| Duration::from_secs(7)),
            request_id: None,
            body: "{}".into(),
        }
    }

    #[test]
    fn statuses_are_classified() {
        let cases = [
            (400, ErrorKind::Validation, false, false),
            (401, ErrorKind::Auth, false, false),
            (404, ErrorKind::NotFound, false, false),
            (409, ErrorKind::Conflict, false, false),
            (429, ErrorKind::RateLimited, false, true),
            (503, ErrorKind::Unavailable, false, true),
            (500, ErrorKind::Unavailable, true, true),
            (504, ErrorKind::Unavailable, true, true),
            (418, ErrorKind::Rejected, false, false),
        ];
        for (code, kind, maybe_sent, retryable) in cases {
            let err = status(code).into_provider_error("test");
            assert_eq!(err.kind(), kind, "{code}");
            assert_eq!(err.maybe_sent(), maybe_sent, "{code}");
            assert_eq!(err.is_retryable(), retryable, "{code}");
            assert_eq!(err.http_status(), Some(code));
        }
        assert_eq!(
            status(429).into_provider_error("test").retry_after(),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn decode_errors_are_maybe_sent_and_keep_the_source() {
        let err = HttpError::Decode {
            request: "POST https://api.example.com/x".into(),
            path: "items[0]".into(),
            message: "bad".into(),
            body: "{}".into(),
            source: std::sync::Arc::new(std::fmt::Error),
        }
        .into_provider_error("test");
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(err.maybe_sent());
        assert!(std::error::Error::source(&err).is_some());
        assert!(err.message().contains("items[0]"));
    }
}
