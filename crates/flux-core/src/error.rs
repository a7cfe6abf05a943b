//! The one error type every provider trait returns, classified by predicates.
//!
//! Provider crates keep their own error enums (with the detail a direct user of the crate
//! wants) and convert into [`ProviderError`] with `From`. Callers that drive many providers
//! (the orchestrator's job queue) never match provider variants: they ask questions.
//!
//! ```
//! use flux_core::{ErrorKind, ProviderError};
//! use std::time::Duration;
//!
//! let err = ProviderError::new(ErrorKind::RateLimited, "smartbill", "too many requests")
//!     .with_retry_after(Duration::from_secs(600));
//! assert!(err.is_retryable());
//! assert_eq!(err.retry_after(), Some(Duration::from_secs(600)));
//!
//! let bad = ProviderError::validation("oblio", "client.cif", "the check digit is wrong");
//! assert!(bad.is_validation() && !bad.is_retryable());
//! assert_eq!(bad.field_errors()[0].field, "client.cif");
//! ```

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// What went wrong, in terms a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was invalid: fix the input, do not retry.
    Validation,
    /// Credentials were refused or have expired; the account may need reconnecting.
    Auth,
    /// The thing asked for does not exist at the provider.
    NotFound,
    /// The request conflicts with the provider's state (a duplicate, a stale version,
    /// a document that is not the last in its series, an AWB that already moved).
    Conflict,
    /// The provider asked us to slow down (HTTP 429, or a provider-specific block).
    RateLimited,
    /// The provider is temporarily unavailable (HTTP 5xx, maintenance).
    Unavailable,
    /// The call timed out.
    Timeout,
    /// The network failed before or while talking to the provider.
    Transport,
    /// The provider answered with something we could not decode.
    Decode,
    /// The provider refused the request for a business reason that retrying will not fix.
    Rejected,
    /// The provider, or this crate, does not offer the operation.
    Unsupported,
    /// The caller's configuration is wrong (a missing account, an insecure URL).
    Configuration,
}

impl ErrorKind {
    /// Stable snake_case name, for logs, metrics and API error codes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::Auth => "auth",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Timeout => "timeout",
            Self::Transport => "transport",
            Self::Decode => "decode",
            Self::Rejected => "rejected",
            Self::Unsupported => "unsupported",
            Self::Configuration => "configuration",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field the provider (or our own validation) rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `recipient.address.county` or `parcels[0].weight`.
    pub field: String,
    /// Why it was rejected, in the provider's words where it gave any.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The error returned by every [`Courier`](crate::Courier), [`Invoicer`](crate::Invoicer) and
/// [`Accounting`](crate::Accounting) method.
///
/// Build one with [`ProviderError::new`] and the `with_*` methods, or convert from a
/// provider crate's own error.
pub struct ProviderError {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    provider: &'static str,
    message: String,
    provider_code: Option<String>,
    http_status: Option<u16>,
    retry_after: Option<Duration>,
    maybe_sent: bool,
    fields: Vec<FieldError>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl ProviderError {
    /// A new error of `kind` from `provider` (a short id such as `"fancourier"`).
    pub fn new(kind: ErrorKind, provider: &'static str, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                provider,
                message: message.into(),
                provider_code: None,
                http_status: None,
                retry_after: None,
                maybe_sent: false,
                fields: Vec::new(),
                source: None,
            }),
        }
    }

    /// A validation error on one field.
    pub fn validation(
        provider: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let field = FieldError::new(field, message);
        Self::new(ErrorKind::Validation, provider, field.to_string()).with_field_error(field)
    }

    /// A validation error carrying several rejected fields.
    pub fn validation_fields(provider: &'static str, fields: Vec<FieldError>) -> Self {
        let message = fields
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let mut err = Self::new(ErrorKind::Validation, provider, message);
        err.inner.fields = fields;
        err
    }

    /// The provider does not offer `operation`.
    pub fn unsupported(provider: &'static str, operation: &str) -> Self {
        Self::new(
            ErrorKind::Unsupported,
            provider,
            format!("{provider} does not support {operation}"),
        )
    }

    /// Attaches the provider's own error code.
    #[must_use]
    pub fn with_provider_code(mut self, code: impl Into<String>) -> Self {
        self.inner.provider_code = Some(code.into());
        self
    }

    /// Attaches the HTTP status the provider answered with.
    #[must_use]
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    /// Attaches how long the provider asked us to wait.
    #[must_use]
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.inner.retry_after = Some(wait);
        self
    }

    /// Marks that the request may have reached the provider (so a blind retry of a
    /// non-idempotent call could duplicate its effect).
    #[must_use]
    pub fn with_maybe_sent(mut self, maybe_sent: bool) -> Self {
        self.inner.maybe_sent = maybe_sent;
        self
    }

    /// Adds a rejected field.
    #[must_use]
    pub fn with_field_error(mut self, field: FieldError) -> Self {
        self.inner.fields.push(field);
        self
    }

    /// Attaches the underlying cause.
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Which provider the error came from.
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }

    /// A human-readable message (never contains a secret).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Whether retrying the same call later may succeed: rate limits, timeouts, transport
    /// failures and temporary unavailability. A retry of a non-idempotent call must still
    /// check [`maybe_sent`](Self::maybe_sent) first.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RateLimited
                | ErrorKind::Unavailable
                | ErrorKind::Timeout
                | ErrorKind::Transport
        )
    }

    /// Whether the credentials were refused or expired.
    pub fn is_auth(&self) -> bool {
        self.inner.kind == ErrorKind::Auth
    }

    /// Whether the input was rejected; see [`field_errors`](Self::field_errors).
    pub fn is_validation(&self) -> bool {
        self.inner.kind == ErrorKind::Validation
    }

    /// Whether the operation is not offered by this provider.
    pub fn is_unsupported(&self) -> bool {
        self.inner.kind == ErrorKind::Unsupported
    }

    /// Whether the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }

    /// How long the provider asked us to wait before retrying, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Whether the request may have reached the provider and had its effect although we
    /// saw no answer. When true, a retry of a call that creates something (an AWB, an
    /// invoice) must first look the effect up by our reference.
    pub fn maybe_sent(&self) -> bool {
        self.inner.maybe_sent
    }

    /// The provider's own error code, when it gave one.
    pub fn provider_code(&self) -> Option<&str> {
        self.inner.provider_code.as_deref()
    }

    /// The HTTP status the provider answered with, if any.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// The fields that were rejected (empty unless [`is_validation`](Self::is_validation)
    /// or the provider named fields).
    pub fn field_errors(&self) -> &[FieldError] {
        &self.inner.fields
    }
}

impl fmt::Debug for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ProviderError");
        d.field("kind", &self.inner.kind)
            .field("provider", &self.inner.provider)
            .field("message", &self.inner.message);
        if let Some(code) = &self.inner.provider_code {
            d.field("provider_code", code);
        }
        if let Some(status) = self.inner.http_status {
            d.field("http_status", &status);
        }
        if let Some(wait) = self.inner.retry_after {
            d.field("retry_after", &wait);
        }
        if self.inner.maybe_sent {
            d.field("maybe_sent", &true);
        }
        if !self.inner.fields.is_empty() {
            d.field("fields", &self.inner.fields);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} error", self.inner.provider, self.inner.kind)?;
        if let Some(code) = &self.inner.provider_code {
            write!(f, " ({code})")?;
        }
        write!(f, ": {}", self.inner.message)
    }
}

impl StdError for ProviderError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_predicates() {
        let timeout =
            ProviderError::new(ErrorKind::Timeout, "cargus", "timed out").with_maybe_sent(true);
        assert!(timeout.is_retryable());
        assert!(timeout.maybe_sent());
        assert!(!timeout.is_auth());

        let auth = ProviderError::new(ErrorKind::Auth, "oblio", "bad secret").with_http_status(401);
        assert!(auth.is_auth());
        assert!(!auth.is_retryable());
        assert_eq!(auth.http_status(), Some(401));

        let conflict = ProviderError::new(ErrorKind::Conflict, "smartbill", "not last")
            .with_provider_code("E42");
        assert_eq!(conflict.provider_code(), Some("E42"));
        assert!(!conflict.is_retryable());
    }

    #[test]
    fn display_names_provider_kind_and_code() {
        let err = ProviderError::validation("sameday", "awbRecipient.name", "must not be blank")
            .with_provider_code("400");
        assert_eq!(
            err.to_string(),
            "sameday validation error (400): awbRecipient.name: must not be blank"
        );
        let fields = vec![FieldError::new("a", "x"), FieldError::new("b", "y")];
        let err = ProviderError::validation_fields("gls", fields);
        assert_eq!(err.field_errors().len(), 2);
        assert_eq!(err.message(), "a: x; b: y");
    }

    #[test]
    fn unsupported_says_what() {
        let err = ProviderError::unsupported("gls", "quote");
        assert!(err.is_unsupported());
        assert_eq!(err.message(), "gls does not support quote");
    }
}
