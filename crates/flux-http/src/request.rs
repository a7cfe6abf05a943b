//! [`RequestBuilder`]: one request, and the attempt loop that sends it (rate limit, retries,
//! tracing).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument as _;
use url::Url;

use crate::HttpError;
use crate::client::HttpClient;
use crate::response::Response;
use crate::retry::{RetryPolicy, is_idempotent_method, parse_retry_after, should_retry_status};
use crate::secret::{
    SecretString, basic_auth_header_value, bearer_header_value, sensitive_header_value,
};
use crate::url_rules::redacted;

/// One request being built. Created by [`HttpClient::request`] and friends; sent with
/// [`send`](Self::send), [`send_raw`](Self::send_raw) or [`send_json`](Self::send_json).
///
/// Setters never fail: the first problem (an unserializable body, a bad header) is kept
/// and returned by the `send` methods as [`HttpError::InvalidRequest`], before anything
/// is sent. `Debug` shows the method, the URL without its query string, header *names*
/// and the body size, never header values, query strings or bodies.
///
/// ```no_run
/// # async fn demo(client: flux_http::HttpClient, token: flux_http::secret::SecretString)
/// # -> Result<(), flux_http::HttpError> {
/// #[derive(serde::Serialize)]
/// struct NewAwb<'a> { reference: &'a str }
///
/// let created: serde_json::Value = client
///     .post("intern-awb")
///     .bearer(&token)
///     .json(&NewAwb { reference: "order-1001" })
///     .idempotency_key("Idempotency-Key", "order-1001-awb")
///     .send_json()
///     .await?;
/// # let _ = created;
/// # Ok(())
/// # }
/// ```
pub struct RequestBuilder {
    client: HttpClient,
    method: Method,
    /// The target URL, or the first error met while building (returned by `send*`).
    url: Result<Url, HttpError>,
    headers: HeaderMap,
    body: Option<Bytes>,
    idempotent: Option<bool>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl RequestBuilder {
    pub(crate) fn new(client: HttpClient, method: Method, url: Result<Url, HttpError>) -> Self {
        Self {
            client,
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent: None,
            timeout: None,
            retry: None,
        }
    }

    fn fail(&mut self, error: HttpError) {
        if self.url.is_ok() {
            self.url = Err(error);
        }
    }

    /// Append query parameters, serialized with `serde_urlencoded` (a struct, a map, or a
    /// slice of pairs). Query strings are never logged.
    pub fn query<T: Serialize + ?Sized>(mut self, query: &T) -> Self {
        match serde_urlencoded::to_string(query) {
            Ok(encoded) => {
                if let Ok(url) = &mut self.url
                    && !encoded.is_empty()
                {
                    let joined = match url.query() {
                        Some(existing) if !existing.is_empty() => format!("{existing}&{encoded}"),
                        _ => encoded,
                    };
                    url.set_query(Some(&joined));
                }
            }
            Err(e) => self.fail(HttpError::invalid_request_from(
                "could not serialize the query string",
                e,
            )),
        }
        self
    }

    /// A JSON body (`Content-Type: application/json`).
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.set_body(
                    Bytes::from(bytes),
                    HeaderValue::from_static("application/json"),
                );
            }
            Err(e) => self.fail(HttpError::invalid_request_from(
                "could not serialize the JSON body",
                e,
            )),
        }
        self
    }

    /// A form body (`Content-Type: application/x-www-form-urlencoded`).
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_urlencoded::to_string(body) {
            Ok(encoded) => self.set_body(
                Bytes::from(encoded),
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            ),
            Err(e) => self.fail(HttpError::invalid_request_from(
                "could not serialize the form body",
                e,
            )),
        }
        self
    }

    /// A raw body with its content type (`"application/xml"`, `"application/pdf"`, ...).
    pub fn body_bytes(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(value) => self.set_body(body.into(), value),
            Err(e) => self.fail(HttpError::invalid_request_from("invalid content type", e)),
        }
        self
    }

    fn set_body(&mut self, body: Bytes, content_type: HeaderValue) {
        self.headers.insert(CONTENT_TYPE, content_type);
        self.body = Some(body);
    }

    /// Add a header. For secrets use [`sensitive_header`](Self::sensitive_header).
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            (Err(e), _) => self.fail(HttpError::invalid_request_from(
                "invalid header name",
                e.into(),
            )),
            (_, Err(e)) => self.fail(HttpError::invalid_request_from(
                "invalid header value",
                e.into(),
            )),
        }
        self
    }

    /// Add a header holding a secret (an API key), marked sensitive so it never prints.
    pub fn sensitive_header<K>(mut self, name: K, secret: &SecretString) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
    {
        match (HeaderName::try_from(name), sensitive_header_value(secret)) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            (Err(e), _) => self.fail(HttpError::invalid_request_from(
                "invalid header name",
                e.into(),
            )),
            (_, Err(e)) => self.fail(e),
        }
        self
    }

    /// `Authorization: Bearer <token>`, marked sensitive.
    pub fn bearer(mut self, token: &SecretString) -> Self {
        match bearer_header_value(token) {
            Ok(value) => {
                self.headers.insert(AUTHORIZATION, value);
            }
            Err(e) => self.fail(e),
        }
        self
    }

    /// `Authorization: Basic ...`, marked sensitive.
    pub fn basic_auth(mut self, user: &str, password: &SecretString) -> Self {
        match basic_auth_header_value(user, password) {
            Ok(value) => {
                self.headers.insert(AUTHORIZATION, value);
            }
            Err(e) => self.fail(e),
        }
        self
    }

    /// Declare whether repeating this request is safe. By default GET, HEAD, PUT, DELETE,
    /// OPTIONS and TRACE are, and POST and PATCH are not. Mark a POST `true` when the server
    /// deduplicates it (an idempotency key or unique reference in its body), so timeouts and
    /// 5xx are retried; mark a non-idempotent PUT/DELETE `false`.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Set the provider's idempotency header (e.g. `Idempotency-Key`) to `key` and mark the
    /// request safe to repeat. Every attempt sends the same key.
    pub fn idempotency_key<K>(self, header_name: K, key: &str) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
    {
        self.header(header_name, key).idempotent(true)
    }

    /// Timeout for each attempt of this request, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Use this retry policy instead of the client's.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Make a single attempt, whatever happens.
    pub fn no_retry(self) -> Self {
        self.retry_policy(RetryPolicy::none())
    }

    /// Send (with retries) and return the response only if it is 2xx.
    ///
    /// # Errors
    /// [`HttpError::Status`] for any other final status (after retrying the retryable
    /// ones), or the error of the last attempt.
    pub async fn send(self) -> Result<Response, HttpError> {
        self.send_raw().await?.error_for_status()
    }

    /// Send (with retries) and decode a 2xx body as JSON.
    ///
    /// # Errors
    /// As [`send`](Self::send), plus [`HttpError::Decode`] with the JSON path.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T, HttpError> {
        self.send().await?.json()
    }

    /// Send (with retries) and return the final response whatever its status, so
    /// providers that answer errors with 200, or answer 4xx with useful bodies, can
    /// inspect it. Retryable statuses are still retried first (see [`crate::retry`]).
    ///
    /// # Errors
    /// When no response arrived: the last attempt's timeout, connect or transport error,
    /// or an invalid request (nothing sent).
    pub async fn send_raw(self) -> Result<Response, HttpError> {
        let url = self.url?;
        let inner = self.client.inner();
        let span = tracing::info_span!(
            "http.request",
            provider = %inner.provider,
            method = %self.method,
            host = url.host_str().unwrap_or(""),
            path = url.path(),
            attempt = tracing::field::Empty,
        );
        let mut headers = if self.client.sends_default_headers_to(&url) {
            inner.default_headers.clone()
        } else {
            HeaderMap::new()
        };
        // Per-request headers replace default ones of the same name.
        for name in self.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        let prepared = PreparedRequest {
            client: &self.client,
            safe: self
                .idempotent
                .unwrap_or_else(|| is_idempotent_method(&self.method)),
            request: Arc::from(format!("{} {}", self.method, redacted(&url))),
            method: self.method,
            url,
            headers,
            body: self.body,
            timeout: self.timeout.unwrap_or(inner.timeout),
        };
        let policy = self.retry.as_ref().unwrap_or(&inner.retry);
        prepared.run(policy, &span).instrument(span.clone()).await
    }
}

/// Everything needed to send the request again.
struct PreparedRequest<'a> {
    client: &'a HttpClient,
    safe: bool,
    request: Arc<str>,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    timeout: Duration,
}

/// Why an attempt is worth repeating.
enum RetryReason {
    Status(http::StatusCode),
    Error(&'static str),
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(status) => write!(f, "status {}", status.as_u16()),
            Self::Error(kind) => f.write_str(kind),
        }
    }
}

impl PreparedRequest<'_> {
    async fn run(&self, policy: &RetryPolicy, span: &tracing::Span) -> Result<Response, HttpError> {
        let started = Instant::now();
        let mut delays = policy.delays();
        let mut attempt: u32 = 1;
        loop {
            span.record("attempt", attempt);
            let result = self.once(attempt).await;
            let Some((reason, retry_after)) = self.retry_reason(&result) else {
                return self.finish(result, attempt, started);
            };
            if attempt >= policy.max_attempts() {
                tracing::debug!(%reason, attempt, "not retrying: no attempts left");
                return self.finish(result, attempt, started);
            }
            let backoff = delays.next();
            let wait = match retry_after {
                Some(wait) if wait > policy.max_retry_after() => {
                    tracing::info!(
                        %reason,
                        retry_after_ms = millis(wait),
                        "not retrying: Retry-After exceeds the policy's maximum wait"
                    );
                    return self.finish(result, attempt, started);
                }
                Some(wait) => wait,
                None => backoff.unwrap_or_default(),
            };
            if started.elapsed() + wait > policy.max_elapsed() {
                tracing::info!(%reason, attempt, "not retrying: the retry time budget is spent");
                return self.finish(result, attempt, started);
            }
            tracing::info!(
                %reason,
                attempt,
                wait_ms = millis(wait),
                from_retry_after = retry_after.is_some(),
                "retrying request"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// `Some` if this outcome is retried for this request, with the server's
    /// `Retry-After` if it sent one.
    fn retry_reason(
        &self,
        result: &Result<Response, HttpError>,
    ) -> Option<(RetryReason, Option<Duration>)> {
        match result {
            Ok(response) => {
                let status = response.status();
                should_retry_status(status, self.safe).then(|| {
                    (
                        RetryReason::Status(status),
                        parse_retry_after(response.headers()),
                    )
                })
            }
            // Nothing was sent: safe to repeat whatever the method.
            Err(HttpError::Connect { .. }) => Some((RetryReason::Error("connect error"), None)),
            Err(HttpError::Timeout {
                maybe_sent: false, ..
            }) => Some((RetryReason::Error("connect timeout"), None)),
            // Maybe processed: repeat only if that is harmless.
            Err(HttpError::Timeout { .. }) if self.safe => {
                Some((RetryReason::Error("timeout"), None))
            }
            Err(HttpError::Transport { .. }) if self.safe => {
                Some((RetryReason::Error("transport error"), None))
            }
            Err(_) => None,
        }
    }

    fn finish(
        &self,
        result: Result<Response, HttpError>,
        attempts: u32,
        started: Instant,
    ) -> Result<Response, HttpError> {
        let elapsed_ms = millis(started.elapsed());
        match result {
            Ok(response) => {
                tracing::debug!(
                    status = response.status().as_u16(),
                    attempts,
                    elapsed_ms,
                    "request finished"
                );
                Ok(response)
            }
            Err(error) => {
                tracing::debug!(
                    error = %error,
                    maybe_sent = error.maybe_sent(),
                    attempts,
                    elapsed_ms,
                    "request failed"
                );
                Err(error)
            }
        }
    }

    async fn once(&self, attempt: u32) -> Result<Response, HttpError> {
        let inner = self.client.inner();
        // Held until the body has been read, so a concurrency cap counts the whole call.
        let _permit = match &inner.rate_limiter {
            Some(limiter) => Some(limiter.acquire().await),
            None => None,
        };
        tracing::trace!("sending");
        let mut builder = inner
            .http
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone())
            .timeout(self.timeout);
        if let Some(body) = &self.body {
            builder = builder.body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| HttpError::from_reqwest(e, &self.request))?;
        let status = response.status();
        let headers = response.headers().clone();
        let url = response.url().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| HttpError::from_reqwest(e, &self.request))?;
        Ok(Response::new(
            status,
            headers,
            url,
            body,
            Arc::clone(&self.request),
            attempt,
        ))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("RequestBuilder")
            .field("provider", &self.client.provider())
            .field("method", &self.method)
            .field("url", &self.url.as_ref().map(redacted))
            .field("headers", &header_names)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("idempotent", &self.idempotent)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
