//! [`OblioClient`], its builder, the rate limits, and the one place requests are sent
//! (token, 401 retry, `{status, statusMessage, data}` envelope, error mapping).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use flux_http::secret::SecretString;
use flux_http::{
    HttpClient, RateLimiter, RequestBuilder, Response, RetryPolicy, TokenCache, Url, WindowAnchor,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{OblioError, PROVIDER, says_rate_limited};
use crate::wire;

/// Oblio's production base URL; every path sits under `/api/...`.
pub const DEFAULT_BASE_URL: &str = "https://www.oblio.eu/";

/// The message Oblio sends (with HTTP 400 or 401) when a cached token is no longer valid.
const INVALID_TOKEN_MESSAGE: &str = "access token provided is invalid";

/// Oblio's published limits, enforced client-side before every attempt.
///
/// - `documents`: calls that create a document (invoice, proforma, notice, storno):
///   **30 per 100 s**.
/// - `other`: every other call, the token included: **30 per 10 s**.
///
/// Each call counts until the window has passed after its answer came back
/// ([`WindowAnchor::Completion`]), so network delay can never make Oblio see more than
/// 30 calls in its window and the published limits are used without a margin.
///
/// The limits are per Oblio account: share one `OblioRateLimits` (it is cheap to clone;
/// the limiters are `Arc`s) between every client of the same account.
#[derive(Debug, Clone)]
pub struct OblioRateLimits {
    /// Limiter for document creation.
    pub documents: Arc<RateLimiter>,
    /// Limiter for every other call.
    pub other: Arc<RateLimiter>,
}

impl OblioRateLimits {
    /// A fresh limiter for document creation: 30 per 100 s, counted from each answer.
    pub fn documents_limiter() -> RateLimiter {
        RateLimiter::new(30, Duration::from_secs(100)).anchored_at(WindowAnchor::Completion)
    }

    /// A fresh limiter for every other call: 30 per 10 s, counted from each answer.
    pub fn other_limiter() -> RateLimiter {
        RateLimiter::new(30, Duration::from_secs(10)).anchored_at(WindowAnchor::Completion)
    }
}

impl Default for OblioRateLimits {
    /// Oblio's published limits, one fresh pair of limiters.
    fn default() -> Self {
        Self {
            documents: Arc::new(Self::documents_limiter()),
            other: Arc::new(Self::other_limiter()),
        }
    }
}

/// Which of Oblio's two limits a call counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// A call that creates a document.
    Document,
    /// Anything else.
    Other,
}

/// A client for one Oblio login and one issuer company (CIF). Cheap to clone: clones
/// share the token cache and the rate limiters.
///
/// ```no_run
/// use flux_oblio::OblioClient;
/// use flux_http::secret::SecretString;
///
/// # async fn demo() -> Result<(), flux_oblio::OblioError> {
/// let oblio = OblioClient::builder(
///     "contabil@firma.ro",
///     SecretString::from("api-secret-from-setari-date-cont"),
///     "RO37311090",
/// )
/// .build()?;
/// for rate in oblio.vat_rates().await? {
///     println!("{} {:?}", rate.name, rate.percent);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct OblioClient {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    pub(crate) documents_http: HttpClient,
    pub(crate) email: String,
    pub(crate) secret: SecretString,
    pub(crate) cif: String,
    pub(crate) base_url: Url,
    pub(crate) tokens: TokenCache<OblioError>,
    pub(crate) receipt_series: Option<String>,
}

impl fmt::Debug for OblioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("OblioClient")
            .field("email", &inner.email)
            .field("secret", &"[redacted]")
            .field("cif", &inner.cif)
            .field("base_url", &inner.base_url.as_str())
            .field("receipt_series", &inner.receipt_series)
            .finish_non_exhaustive()
    }
}

impl OblioClient {
    /// Starts a client for the login `email`, its API `secret` (*Setari > Date Cont*) and
    /// the issuer company `cif` (as listed by [`companies`](Self::companies)).
    pub fn builder(
        email: impl Into<String>,
        secret: SecretString,
        cif: impl Into<String>,
    ) -> OblioClientBuilder {
        OblioClientBuilder {
            email: email.into(),
            secret,
            cif: cif.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: None,
            limits: None,
            receipt_series: None,
        }
    }

    /// The issuer company's CIF every call is made for.
    pub fn cif(&self) -> &str {
        &self.inner.cif
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    fn http_for(&self, limit: Limit) -> &HttpClient {
        match limit {
            Limit::Document => &self.inner.documents_http,
            Limit::Other => &self.inner.http,
        }
    }

    /// Sends an authorized request built by `build` (called again for the one retry after
    /// a 401) and returns the response, whatever its status.
    pub(crate) async fn send_authorized<F>(
        &self,
        limit: Limit,
        build: F,
    ) -> Result<Response, OblioError>
    where
        F: Fn(&HttpClient) -> RequestBuilder,
    {
        let http = self.http_for(limit);
        let token = self.token().await?;
        let response = build(http)
            .header("accept", "application/json")
            .bearer(token.secret())
            .send_raw()
            .await?;
        if !token_rejected(&response) {
            return Ok(response);
        }
        tracing::debug!(
            provider = PROVIDER,
            "access token refused; logging in again once"
        );
        self.inner.tokens.invalidate(&token).await;
        let token = self.token().await?;
        Ok(build(http)
            .header("accept", "application/json")
            .bearer(token.secret())
            .send_raw()
            .await?)
    }

    /// Sends and decodes `data`, returning it with `statusMessage`.
    pub(crate) async fn call<T, F>(&self, limit: Limit, build: F) -> Result<(String, T), OblioError>
    where
        T: DeserializeOwned,
        F: Fn(&HttpClient) -> RequestBuilder,
    {
        let response = self.send_authorized(limit, build).await?;
        decode_envelope(response)
    }
}

fn token_rejected(response: &Response) -> bool {
    let status = response.status().as_u16();
    if status == 401 {
        return true;
    }
    status == 400
        && status_message(response)
            .is_some_and(|m| m.to_ascii_lowercase().contains(INVALID_TOKEN_MESSAGE))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    #[serde(default, deserialize_with = "wire::loose_i64")]
    status: Option<i64>,
    #[serde(default, deserialize_with = "wire::loose_string")]
    status_message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<T> {
    data: T,
}

/// Oblio's `statusMessage` of a response, if the body has one.
pub(crate) fn status_message(response: &Response) -> Option<String> {
    serde_json::from_slice::<Head>(&response.bytes())
        .ok()
        .map(|h| h.status_message)
        .filter(|m| !m.trim().is_empty())
}

/// Decodes a 2xx envelope, or maps a failure (including a 200 whose body `status` is 4xx).
pub(crate) fn decode_envelope<T: DeserializeOwned>(
    response: Response,
) -> Result<(String, T), OblioError> {
    if !response.is_success() {
        let status = response.status().as_u16();
        let message = status_message(&response)
            .unwrap_or_else(|| format!("Error! HTTP response status: {status}"));
        return Err(classify_failure(response, message));
    }
    let head: Head = response.json()?;
    if let Some(code) = head.status
        && code >= 400
    {
        let status = u16::try_from(code).unwrap_or(400);
        return Err(classify_status(status, head.status_message, None));
    }
    let envelope: Envelope<T> = response.json()?;
    Ok((head.status_message, envelope.data))
}

/// Maps a non-2xx answer to the specific error its status and message say.
pub(crate) fn classify_failure(response: Response, message: String) -> OblioError {
    let status = response.status().as_u16();
    match status {
        400 | 401 | 403 | 404 | 409 | 422 | 429 => {
            classify_status(status, message, response.retry_after())
        }
        _ => match response.error_for_status() {
            Err(e) => OblioError::Http(e),
            Ok(_) => OblioError::Rejected {
                message,
                http_status: status,
            },
        },
    }
}

fn classify_status(status: u16, message: String, retry_after: Option<Duration>) -> OblioError {
    match status {
        401 | 403 => OblioError::Auth {
            message,
            http_status: status,
        },
        404 => OblioError::NotFound {
            message,
            http_status: status,
        },
        429 => OblioError::RateLimited {
            message,
            retry_after,
            http_status: status,
        },
        _ if says_rate_limited(&message) => OblioError::RateLimited {
            message,
            retry_after,
            http_status: status,
        },
        _ => OblioError::Rejected {
            message,
            http_status: status,
        },
    }
}

/// Builds an [`OblioClient`].
#[must_use]
pub struct OblioClientBuilder {
    email: String,
    secret: SecretString,
    cif: String,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: Option<RetryPolicy>,
    limits: Option<OblioRateLimits>,
    receipt_series: Option<String>,
}

impl fmt::Debug for OblioClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OblioClientBuilder")
            .field("email", &self.email)
            .field("secret", &"[redacted]")
            .field("cif", &self.cif)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl OblioClientBuilder {
    /// Overrides `https://www.oblio.eu/` (tests, proxies). Paths are joined under it
    /// (`{base}api/docs/invoice`). Must be https, except for loopback hosts.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Timeout of each attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retry policy for safe retries (see `flux_http::retry`).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Share rate limiters with other clients of the same Oblio account (the default is
    /// a fresh [`OblioRateLimits::default`] per client).
    pub fn rate_limits(mut self, limits: OblioRateLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// The receipt (*chitanță*) series used when the [`Invoicer`](flux_core::Invoicer)
    /// records a cash payment. Without it, cash payments are recorded as
    /// `Alta incasare numerar` with the payment's reference as the document number.
    pub fn receipt_series(mut self, series: impl Into<String>) -> Self {
        self.receipt_series = Some(series.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`OblioError::Configuration`] for an empty email, secret or CIF, or a base URL that
    /// is not https (loopback excepted).
    pub fn build(self) -> Result<OblioClient, OblioError> {
        use flux_http::secret::ExposeSecret;
        if self.email.trim().is_empty() {
            return Err(OblioError::Configuration(
                "the login email (client_id) is empty".into(),
            ));
        }
        if self.secret.expose_secret().trim().is_empty() {
            return Err(OblioError::Configuration(
                "the API secret (client_secret) is empty".into(),
            ));
        }
        if self.cif.trim().is_empty() {
            return Err(OblioError::Configuration(
                "the issuer company CIF is empty; list them with companies()".into(),
            ));
        }
        let mut base = self.base_url.trim().to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        let base_url = Url::parse(&base)
            .map_err(|e| OblioError::Configuration(format!("invalid base URL: {e}")))?;
        let limits = self.limits.unwrap_or_default();
        let make = |limiter: Arc<RateLimiter>| {
            let mut b = HttpClient::builder(PROVIDER)
                .base_url(base_url.as_str())
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .rate_limiter(limiter)
                .user_agent(concat!("flux-oblio/", env!("CARGO_PKG_VERSION")));
            if let Some(policy) = &self.retry {
                b = b.retry_policy(policy.clone());
            }
            b.build()
        };
        let http = make(Arc::clone(&limits.other))?;
        let documents_http = make(Arc::clone(&limits.documents))?;
        Ok(OblioClient {
            inner: Arc::new(Inner {
                http,
                documents_http,
                email: self.email.trim().to_owned(),
                secret: self.secret,
                cif: self.cif.trim().to_owned(),
                base_url,
                tokens: TokenCache::new(),
                receipt_series: self.receipt_series,
            }),
        })
    }
}
