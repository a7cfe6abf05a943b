//! [`HttpError`]: every way a request can fail, and the questions retry logic and
//! job scheduling ask of a failure.
//!
//! The variants record how far the request got:
//!
//! | variant | reached the server? |
//! |---|---|
//! | [`InvalidRequest`](HttpError::InvalidRequest), [`InvalidBaseUrl`](HttpError::InvalidBaseUrl) | no: never sent |
//! | [`Connect`](HttpError::Connect) | no: no connection was made |
//! | [`Timeout`](HttpError::Timeout) | unknown when `maybe_sent` is true; no when the connect phase timed out |
//! | [`Transport`](HttpError::Transport) | unknown: the connection failed mid-request |
//! | [`Status`](HttpError::Status), [`Decode`](HttpError::Decode) | yes: the server answered |
//!
//! Errors never carry header values, query strings or request bodies. URLs in
//! errors are shown without their query string or credentials.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

/// The cause behind an [`HttpError`], reachable through [`std::error::Error::source`].
///
/// It is an `Arc` so that [`HttpError`] is `Clone` (a failed token refresh is handed to
/// every caller that waited for it, see [`TokenCache`](crate::TokenCache)).
pub type ErrorSource = Arc<dyn StdError + Send + Sync + 'static>;

/// How many bytes of a response body an error keeps (the rest is cut, at a character boundary).
pub const MAX_ERROR_BODY_BYTES: usize = 2048;

/// A failed HTTP request, or a client that could not be built.
///
/// Ask questions with the predicates ([`is_retryable`](Self::is_retryable),
/// [`maybe_sent`](Self::maybe_sent), [`is_auth`](Self::is_auth), [`status`](Self::status),
/// [`retry_after`](Self::retry_after)) rather than matching variants: new variants may be
/// added.
///
/// ```
/// use flux_http::{HttpError, StatusCode};
///
/// fn next_step(err: &HttpError) -> &'static str {
///     if err.maybe_sent() {
///         "look the record up by our reference before sending again"
///     } else if err.is_auth() {
///         "log in again once, then give up"
///     } else if err.is_retryable() {
///         "retry later"
///     } else {
///         "fail"
///     }
/// }
/// # let _ = next_step;
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The request could not be built (bad header, unserializable body, bad path,
    /// no base URL configured, or a client setting that reqwest refused). Nothing was sent.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What was wrong.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<ErrorSource>,
    },

    /// A base URL or absolute URL that is malformed or not allowed: not `https`
    /// (plain `http` is allowed only for loopback hosts), carrying credentials, or with a
    /// query string on a base URL. Nothing was sent.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL, without query string or credentials (or a note that it did not parse).
        url: String,
        /// Why it was refused.
        reason: String,
    },

    /// No connection could be made (DNS, refused, TLS handshake). The request was not sent.
    #[error("could not connect for {request}")]
    Connect {
        /// Method and URL (no query string), e.g. `GET https://api.example.com/v1/awb`.
        request: String,
        /// The underlying error.
        #[source]
        source: ErrorSource,
    },

    /// The attempt took longer than its timeout.
    #[error("timed out: {request}{}", timeout_note(.maybe_sent))]
    Timeout {
        /// Method and URL (no query string).
        request: String,
        /// `false` only when the timeout hit while connecting (the request was not written);
        /// otherwise the server may have received and processed it.
        maybe_sent: bool,
        /// The underlying error, if any.
        #[source]
        source: Option<ErrorSource>,
    },

    /// The connection failed after it was made: reset mid-request, closed before the
    /// response was complete, too many redirects, a response body that could not be read.
    /// The server may have received and processed the request.
    #[error("transport error for {request}")]
    Transport {
        /// Method and URL (no query string).
        request: String,
        /// The underlying error.
        #[source]
        source: ErrorSource,
    },

    /// The server answered with a status outside 2xx (after any retries).
    #[error("HTTP {status} from {request}")]
    Status {
        /// Method and URL (no query string).
        request: String,
        /// The response status.
        status: StatusCode,
        /// The parsed `Retry-After` header (seconds or HTTP-date), if present.
        retry_after: Option<Duration>,
        /// A request id from the response headers (`x-request-id`, `request-id`,
        /// `x-correlation-id`, `intuit_tid`, ...), for support tickets.
        request_id: Option<String>,
        /// The response body, lossily decoded as UTF-8 and cut to about 2 KiB.
        body: String,
    },

    /// The response body did not decode into the expected type.
    #[error("could not decode the response of {request} at `{path}`: {message}")]
    Decode {
        /// Method and URL (no query string).
        request: String,
        /// Where decoding failed, e.g. `items[1].price` (`.` for the root).
        path: String,
        /// The deserializer's message.
        message: String,
        /// The response body, lossily decoded as UTF-8 and cut to about 2 KiB.
        body: String,
        /// The underlying error.
        #[source]
        source: ErrorSource,
    },
}

impl HttpError {
    /// Whether trying again later may succeed: timeouts, connect failures, transport
    /// failures, and the statuses 408, 425, 429, 500, 502, 503 and 504.
    ///
    /// This is about the kind of failure only. Whether *repeating this request* is safe is
    /// a separate question: if [`maybe_sent`](Self::maybe_sent) is true and the request was
    /// not idempotent (creating an AWB, issuing an invoice), look the record up first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Connect { .. } | Self::Transport { .. } => true,
            Self::Status { status, .. } => is_retryable_status(*status),
            Self::InvalidRequest { .. } | Self::InvalidBaseUrl { .. } | Self::Decode { .. } => {
                false
            }
        }
    }

    /// Whether the server refused the credentials: status 401 or 403.
    ///
    /// Some providers also use 403 for other things (SmartBill answers 403 when its rate
    /// limit is exceeded); provider crates refine this from the body.
    pub fn is_auth(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// Whether the attempt timed out (connecting or waiting for the response).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Whether the request may have reached the server while we do not know the outcome.
    ///
    /// The exact rule: `true` for [`Timeout`](Self::Timeout) unless the timeout hit while
    /// connecting, and for every [`Transport`](Self::Transport) error (connection reset or
    /// closed mid-request, unreadable response body). `false` for everything else:
    /// construction errors and connect failures were never sent, and a
    /// [`Status`](Self::Status) or [`Decode`](Self::Decode) error means the server *did*
    /// answer (so the outcome is known to be that answer).
    ///
    /// Note that a 500/502/504 answer to a non-idempotent request does not prove the
    /// operation did not happen either (a gateway may time out while the backend
    /// completes); `maybe_sent` is `false` for it because a response arrived, but callers
    /// creating records should still check before repeating.
    pub fn maybe_sent(&self) -> bool {
        match self {
            Self::Timeout { maybe_sent, .. } => *maybe_sent,
            Self::Transport { .. } => true,
            Self::InvalidRequest { .. }
            | Self::InvalidBaseUrl { .. }
            | Self::Connect { .. }
            | Self::Status { .. }
            | Self::Decode { .. } => false,
        }
    }

    /// The HTTP status, for [`Status`](Self::Status) errors.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's `Retry-After`, for [`Status`](Self::Status) errors that carried one.
    ///
    /// When the client gives up because `Retry-After` exceeded
    /// [`RetryPolicy::max_retry_after`](crate::RetryPolicy::with_max_retry_after), this is
    /// when a job scheduler should try again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The (truncated) response body, for [`Status`](Self::Status) and
    /// [`Decode`](Self::Decode) errors.
    pub fn body(&self) -> Option<&str> {
        match self {
            Self::Status { body, .. } | Self::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The server's request id, for [`Status`](Self::Status) errors that carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Status { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The JSON path where decoding failed, for [`Decode`](Self::Decode) errors.
    pub fn decode_path(&self) -> Option<&str> {
        match self {
            Self::Decode { path, .. } => Some(path),
            _ => None,
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::InvalidRequest {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn invalid_request_from(
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::InvalidRequest {
            message: message.into(),
            source: Some(Arc::new(source)),
        }
    }

    /// Map a reqwest error of one attempt. The URL is stripped from it first: reqwest's
    /// message would otherwise show the query string.
    pub(crate) fn from_reqwest(err: reqwest::Error, request: &str) -> Self {
        let err = err.without_url();
        let request = request.to_owned();
        if err.is_timeout() {
            let connect_phase = err.is_connect();
            Self::Timeout {
                request,
                maybe_sent: !connect_phase,
                source: Some(Arc::new(err)),
            }
        } else if err.is_connect() {
            Self::Connect {
                request,
                source: Arc::new(err),
            }
        } else if err.is_builder() {
            Self::InvalidRequest {
                message: format!("reqwest refused to build {request}"),
                source: Some(Arc::new(err)),
            }
        } else {
            Self::Transport {
                request,
                source: Arc::new(err),
            }
        }
    }
}

fn timeout_note(maybe_sent: &bool) -> &'static str {
    if *maybe_sent {
        " (the request may have been sent)"
    } else {
        " (while connecting; not sent)"
    }
}

/// The statuses worth trying again: 408, 425, 429, 500, 502, 503, 504.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 425 | 429 | 500 | 502 | 503 | 504)
}

/// The body as lossy UTF-8, cut to at most [`MAX_ERROR_BODY_BYTES`] at a char boundary.
pub(crate) fn truncate_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= MAX_ERROR_BODY_BYTES {
        return text.into_owned();
    }
    let mut end = MAX_ERROR_BODY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text.len() - end;
    format!("{}… [{cut} more bytes]", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_keeps_short_bodies_and_cuts_long_ones_on_char_boundary() {
        assert_eq!(truncate_body(b"short"), "short");
        let long = "ă".repeat(3000); // 2 bytes each
        let cut = truncate_body(long.as_bytes());
        assert!(cut.starts_with(&"ă".repeat(1024)));
        assert!(cut.ends_with("… [3952 more bytes]"), "{cut}");
    }

    #[test]
    fn predicates() {
        let status = |code: u16| HttpError::Status {
            request: "GET https://x/y".into(),
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: Some(Duration::from_secs(3)),
            request_id: Some("rid".into()),
            body: "b".into(),
        };
        for code in [408, 425, 429, 500, 502, 503, 504] {
            assert!(status(code).is_retryable(), "{code}");
            assert!(!status(code).maybe_sent(), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422, 501] {
            assert!(!status(code).is_retryable(), "{code}");
        }
        assert!(status(401).is_auth() && status(403).is_auth() && !status(404).is_auth());
        assert_eq!(status(429).retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(status(429).request_id(), Some("rid"));
        assert_eq!(status(429).body(), Some("b"));

        let timeout = |maybe_sent| HttpError::Timeout {
            request: "POST https://x/y".into(),
            maybe_sent,
            source: None,
        };
        assert!(timeout(true).maybe_sent() && timeout(true).is_retryable());
        assert!(!timeout(false).maybe_sent());
        assert!(!HttpError::invalid_request("x").maybe_sent());
        assert!(!HttpError::invalid_request("x").is_retryable());
    }
}
