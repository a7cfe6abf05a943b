//! [`CargusClient`] and its builder, and the request plumbing every operation shares:
//! both credentials on every call, one re-login on a refused token, error bodies read.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use flux_http::secret::SecretString;
use flux_http::{HttpClient, RateLimiter, RequestBuilder, Response, RetryPolicy, TokenCache};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::PROVIDER;
use crate::awb::ShipmentPayer;
use crate::error::{CargusError, FAILED_TO_AUTHENTICATE};

/// The production API (`https://urgentcargus.azure-api.net/api/`).
pub const DEFAULT_BASE_URL: &str = "https://urgentcargus.azure-api.net/api/";

/// The header carrying the Azure API Management subscription key.
pub const SUBSCRIPTION_KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";

/// How long a `LoginUser` token is valid (24 h, DOC p.13).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A Cargus UrgentOnline API v3 client. Cheap to clone (clones share the token cache and
/// the rate limiter). `Debug` never shows a credential.
///
/// ```no_run
/// use flux_cargus::CargusClient;
/// use flux_http::secret::SecretString;
///
/// # async fn demo() -> Result<(), flux_cargus::CargusError> {
/// let client = CargusClient::builder(
///     SecretString::from("subscription-key"),
///     "webexpress-user",
///     SecretString::from("password"),
/// )
/// .default_location_id(201266091)
/// .build()?;
/// let counties = client.counties(1).await?;
/// # let _ = counties;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct CargusClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    username: String,
    password: SecretString,
    tokens: TokenCache<CargusError>,
    token_lifetime: Duration,
    settings: AccountSettings,
}

/// Account-level defaults the [`Courier`](flux_core::Courier) implementation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountSettings {
    /// The sender pickup location used when a request names none.
    pub default_location_id: Option<i64>,
    /// The contracted price table (`0` = the default one).
    pub price_table_id: i64,
    /// Who pays the shipping.
    pub shipment_payer: ShipmentPayer,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            default_location_id: None,
            price_table_id: 0,
            shipment_payer: ShipmentPayer::Sender,
        }
    }
}

impl fmt::Debug for CargusClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CargusClient")
            .field("base_url", &self.inner.http.base_url().map(|u| u.as_str()))
            .field("username", &self.inner.username)
            .field("password", &"[REDACTED]")
            .field("subscription_key", &"[REDACTED]")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

/// Builds a [`CargusClient`].
pub struct CargusClientBuilder {
    subscription_key: SecretString,
    username: String,
    password: SecretString,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    rate_limiter: Option<Arc<RateLimiter>>,
    retry_policy: Option<RetryPolicy>,
    token_lifetime: Duration,
    settings: AccountSettings,
}

impl fmt::Debug for CargusClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CargusClientBuilder")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .field("subscription_key", &"[REDACTED]")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl CargusClient {
    /// Starts a client with the subscription key (the Primary Key of the
    /// `StandardUrgentOnlineAPI` subscription) and the WebExpress user's credentials.
    pub fn builder(
        subscription_key: SecretString,
        username: impl Into<String>,
        password: SecretString,
    ) -> CargusClientBuilder {
        CargusClientBuilder {
            subscription_key,
            username: username.into(),
            password,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            rate_limiter: None,
            retry_policy: None,
            token_lifetime: TOKEN_LIFETIME,
            settings: AccountSettings::default(),
        }
    }

    /// The account defaults set on the builder.
    pub fn settings(&self) -> &AccountSettings {
        &self.inner.settings
    }

    pub(crate) fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    pub(crate) fn username(&self) -> &str {
        &self.inner.username
    }

    pub(crate) fn password(&self) -> &SecretString {
        &self.inner.password
    }

    pub(crate) fn tokens(&self) -> &TokenCache<CargusError> {
        &self.inner.tokens
    }

    pub(crate) fn token_lifetime(&self) -> Duration {
        self.inner.token_lifetime
    }

    /// Sends a request with the Bearer token (the subscription key is a default header),
    /// logging in first if needed and once more if Cargus refuses the token. Returns the
    /// response only when it is a success.
    pub(crate) async fn call<F>(&self, make: F) -> Result<Response, CargusError>
    where
        F: Fn(&HttpClient) -> RequestBuilder,
    {
        let token = self.token().await?;
        let mut response = make(self.http()).bearer(token.secret()).send_raw().await?;
        if token_refused(&response) {
            tracing::debug!(provider = PROVIDER, "token refused; logging in again once");
            self.tokens().invalidate(&token).await;
            let fresh = self.token().await?;
            response = make(self.http()).bearer(fresh.secret()).send_raw().await?;
        }
        if response.status().is_success() && !token_refused(&response) {
            Ok(response)
        } else {
            Err(CargusError::from_response(&response))
        }
    }

    /// `GET path?query` decoded as `T`.
    pub(crate) async fn get_json<T, Q>(&self, path: &str, query: &Q) -> Result<T, CargusError>
    where
        T: DeserializeOwned,
        Q: Serialize + ?Sized,
    {
        let response = self.call(|http| http.get(path).query(query)).await?;
        Ok(response.json()?)
    }

    /// `GET path?query` decoded as a list; an empty body or `null` is an empty list.
    pub(crate) async fn get_list<T, Q>(&self, path: &str, query: &Q) -> Result<Vec<T>, CargusError>
    where
        T: DeserializeOwned,
        Q: Serialize + ?Sized,
    {
        let response = self.call(|http| http.get(path).query(query)).await?;
        decode_list(&response)
    }
}

/// Decodes a list body; empty and `null` bodies are empty lists.
pub(crate) fn decode_list<T: DeserializeOwned>(response: &Response) -> Result<Vec<T>, CargusError> {
    if response.bytes().iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let list: Option<Vec<T>> = response.json()?;
    Ok(list.unwrap_or_default())
}

/// 401, or a short body that says `"Failed to authenticate!"`.
fn token_refused(response: &Response) -> bool {
    if response.status().as_u16() == 401 {
        return true;
    }
    let body = response.bytes();
    body.len() <= 64
        && String::from_utf8_lossy(&body)
            .trim()
            .trim_matches('"')
            .eq_ignore_ascii_case(FAILED_TO_AUTHENTICATE)
}

impl CargusClientBuilder {
    /// Overrides the base URL (a sandbox such as
    /// `https://urgentcargusapitest.azure-api.net/api/`, or a mock server in tests).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time limit for each attempt (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time limit for connecting (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Shares a rate limiter between clients of the same account. Cargus publishes no
    /// limit but answers 429 to bursts (seen on `AwbTrace`); by default no limiter is
    /// applied and 429s are retried honouring `Retry-After`.
    #[must_use]
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Replaces the transport's default retry policy.
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// How long a login token is reused (default and maximum 24 h).
    #[must_use]
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime.min(TOKEN_LIFETIME);
        self
    }

    /// The sender pickup location (`LocationId`) used when a shipment names none.
    #[must_use]
    pub fn default_location_id(mut self, location_id: i64) -> Self {
        self.settings.default_location_id = Some(location_id);
        self
    }

    /// The contracted price table (`PriceTableId`, default `0`).
    #[must_use]
    pub fn price_table_id(mut self, price_table_id: i64) -> Self {
        self.settings.price_table_id = price_table_id;
        self
    }

    /// Who pays the shipping (default the sender).
    #[must_use]
    pub fn shipment_payer(mut self, payer: ShipmentPayer) -> Self {
        self.settings.shipment_payer = payer;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`CargusError::Http`] when the base URL is not https (loopback excepted) or the
    /// subscription key cannot be a header value.
    pub fn build(self) -> Result<CargusClient, CargusError> {
        let mut http = HttpClient::builder(PROVIDER)
            .base_url(&self.base_url)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("flux-cargus/", env!("CARGO_PKG_VERSION")))
            .default_sensitive_header(SUBSCRIPTION_KEY_HEADER, &self.subscription_key);
        if let Some(limiter) = self.rate_limiter {
            http = http.rate_limiter(limiter);
        }
        if let Some(policy) = self.retry_policy {
            http = http.retry_policy(policy);
        }
        Ok(CargusClient {
            inner: Arc::new(Inner {
                http: http.build()?,
                username: self.username,
                password: self.password,
                tokens: TokenCache::new().with_refresh_margin(Duration::from_secs(3600)),
                token_lifetime: self.token_lifetime,
                settings: self.settings,
            }),
        })
    }
}
