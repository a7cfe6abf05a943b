//! [`Response`]: a response whose body has been read into memory.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::LOCATION;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::HttpError;
use crate::error::truncate_body;
use crate::retry::parse_retry_after;
use crate::url_rules::redacted;

/// Response headers that carry a request id, checked in this order.
const REQUEST_ID_HEADERS: [&str; 7] = [
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "intuit_tid",
    "x-amzn-requestid",
    "x-ms-request-id",
    "apim-request-id",
];

/// A response with its whole body already read (so it can be inspected more than once and
/// kept in errors). `Debug` shows the status, URL without query, attempt count and body
/// size: never headers or the body.
///
/// ```no_run
/// # async fn demo(client: flux_http::HttpClient) -> Result<(), flux_http::HttpError> {
/// #[derive(serde::Deserialize)]
/// struct Awb { number: String }
///
/// let response = client.get("awb/123").send_raw().await?;
/// if response.status().is_success() {
///     let awb: Awb = response.json()?;
///     println!("{}", awb.number);
/// } else {
///     println!("{}: {}", response.status(), response.text());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    url: Url,
    body: Bytes,
    request: Arc<str>,
    attempts: u32,
}

impl Response {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        url: Url,
        body: Bytes,
        request: Arc<str>,
        attempts: u32,
    ) -> Self {
        Self {
            status,
            headers,
            url,
            body,
            request,
            attempts,
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The final URL (after same-origin redirects), including any query string.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// How many attempts it took (1 when the first one answered).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The body bytes (a cheap, reference-counted clone).
    pub fn bytes(&self) -> Bytes {
        self.body.clone()
    }

    /// The body bytes, consuming the response.
    pub fn into_bytes(self) -> Bytes {
        self.body
    }

    /// The body as text, with invalid UTF-8 replaced by `�`.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Decode the body as JSON.
    ///
    /// # Errors
    /// [`HttpError::Decode`] with the JSON path where decoding failed
    /// (e.g. `items[1].price`), the serde message and the body cut to about 2 KiB.
    ///
    /// ```
    /// # use flux_http::HttpError;
    /// // (`Response` values come from a client; decoding works like this)
    /// # fn decode(r: &flux_http::Response) -> Result<(), HttpError> {
    /// let value: serde_json::Value = r.json()?;
    /// # let _ = value; Ok(())
    /// # }
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            HttpError::Decode {
                request: self.request.to_string(),
                path,
                message: inner.to_string(),
                body: truncate_body(&self.body),
                source: Arc::new(inner),
            }
        })
    }

    /// The parsed `Retry-After` header (seconds or HTTP-date), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(&self.headers)
    }

    /// The server's request id (`x-request-id`, `request-id`, `x-correlation-id`,
    /// `intuit_tid`, ...), if any.
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(*name)?.to_str().ok())
    }

    /// For a 3xx response (one the client did not follow because it pointed to another
    /// origin), the `Location` resolved against this response's URL. Fetch it with
    /// [`HttpClient::request_url`](crate::HttpClient::request_url), which does not send the
    /// client's default headers to another origin.
    pub fn redirect_location(&self) -> Option<Url> {
        if !self.status.is_redirection() {
            return None;
        }
        let location = self.headers.get(LOCATION)?.to_str().ok()?;
        self.url.join(location).ok()
    }

    /// `Ok(self)` for a 2xx response, else [`HttpError::Status`] carrying the status,
    /// `Retry-After`, request id and the body cut to about 2 KiB.
    ///
    /// # Errors
    /// [`HttpError::Status`] when the status is not 2xx.
    pub fn error_for_status(self) -> Result<Self, HttpError> {
        if self.status.is_success() {
            return Ok(self);
        }
        Err(HttpError::Status {
            request: self.request.to_string(),
            status: self.status,
            retry_after: self.retry_after(),
            request_id: self.request_id().map(str::to_owned),
            body: truncate_body(&self.body),
        })
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("url", &redacted(&self.url))
            .field("attempts", &self.attempts)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}
