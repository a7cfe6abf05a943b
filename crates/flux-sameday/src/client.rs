//! [`SamedayClient`], its builder, the hosts per country and environment, and the request
//! plumbing every operation shares (token header, one re-login on 401/403, error mapping).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use flux_core::Currency;
use flux_http::secret::SecretString;
use flux_http::{
    HttpClient, HttpError, Method, RateLimiter, RequestBuilder, Response, RetryPolicy, Token,
    TokenCache,
};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::error::{SamedayError, bad_request, body_message};
use crate::types::{Page, PickupPoint, Service};

/// The Sameday country the account belongs to. Each has its own host and currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Country {
    /// sameday.ro, RON, Europe/Bucharest.
    #[default]
    Romania,
    /// sameday.hu, HUF, Europe/Budapest.
    Hungary,
    /// sameday.bg, BGN, Europe/Sofia.
    Bulgaria,
}

impl Country {
    /// The currency Sameday prices and collects COD in.
    pub fn currency(self) -> Currency {
        match self {
            Country::Romania => Currency::RON,
            Country::Hungary => Currency::HUF,
            Country::Bulgaria => Currency::BGN,
        }
    }

    /// The time zone of Sameday's naive timestamps (the token's `expire_at`).
    pub fn time_zone(self) -> chrono_tz::Tz {
        match self {
            Country::Romania => chrono_tz::Europe::Bucharest,
            Country::Hungary => chrono_tz::Europe::Budapest,
            Country::Bulgaria => chrono_tz::Europe::Sofia,
        }
    }

    /// The API host of `environment`.
    pub fn base_url(self, environment: Environment) -> &'static str {
        match (self, environment) {
            (Country::Romania, Environment::Production) => "https://api.sameday.ro",
            (Country::Hungary, Environment::Production) => "https://api.sameday.hu",
            (Country::Bulgaria, Environment::Production) => "https://api.sameday.bg",
            (Country::Romania, Environment::Demo) => "https://sameday-api.demo.zitec.com",
            (Country::Hungary, Environment::Demo) => "https://sameday-api-hu.demo.zitec.com",
            (Country::Bulgaria, Environment::Demo) => "https://sameday-api-bg.demo.zitec.com",
        }
    }
}

/// Production or Sameday's demo platform. Demo needs separate demo credentials, and its
/// service ids differ from production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// The live API.
    #[default]
    Production,
    /// The demo API (`*.demo.zitec.com`).
    Demo,
}

/// A Sameday API client for one account. Cheap to clone (clones share the token, the
/// service cache and the rate limiter).
///
/// ```no_run
/// use flux_sameday::{Country, Environment, SamedayClient};
///
/// # fn demo() -> Result<(), flux_sameday::SamedayError> {
/// let client = SamedayClient::builder("user", "secret".into())
///     .country(Country::Romania)
///     .environment(Environment::Demo)
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct SamedayClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    pub(crate) username: String,
    pub(crate) password: SecretString,
    pub(crate) country: Country,
    pub(crate) environment: Environment,
    pub(crate) tokens: TokenCache<SamedayError>,
    pub(crate) services: Mutex<Option<Arc<Vec<Service>>>>,
    pub(crate) default_pickup_point: Mutex<Option<PickupPoint>>,
}

impl fmt::Debug for SamedayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SamedayClient")
            .field("username", &self.inner.username)
            .field("password", &"[REDACTED]")
            .field("country", &self.inner.country)
            .field("environment", &self.inner.environment)
            .field("base_url", &self.inner.http.base_url().map(|u| u.as_str()))
            .field("tokens", &self.inner.tokens)
            .finish()
    }
}

/// Builds a [`SamedayClient`].
pub struct SamedayClientBuilder {
    username: String,
    password: SecretString,
    country: Country,
    environment: Environment,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    rate_limiter: Option<Arc<RateLimiter>>,
    retry_policy: Option<RetryPolicy>,
    platform: Option<String>,
}

impl fmt::Debug for SamedayClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SamedayClientBuilder")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .field("country", &self.country)
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SamedayClientBuilder {
    /// The account's country (default Romania).
    #[must_use]
    pub fn country(mut self, country: Country) -> Self {
        self.country = country;
        self
    }

    /// Production or demo (default production).
    #[must_use]
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Overrides the host (tests, proxies). Must be `https` unless it is a loopback address.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Timeout of each attempt (default 30 s; AWB PDFs can be slow).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Shares a rate limiter between clients of one account. Sameday publishes no limit,
    /// so none is applied unless you pass one.
    #[must_use]
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Replaces the transport's retry policy.
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// Sends `X-Platform: <name>/<version>`, as Sameday's SDK does for shop plugins.
    #[must_use]
    pub fn platform(mut self, name: &str, version: &str) -> Self {
        self.platform = Some(format!("{name}/{version}"));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`SamedayError::Configuration`] for empty credentials or a base URL that is not
    /// https (loopback excepted).
    pub fn build(self) -> Result<SamedayClient, SamedayError> {
        use flux_http::secret::ExposeSecret;
        if self.username.trim().is_empty() || self.password.expose_secret().is_empty() {
            return Err(SamedayError::Configuration(
                "the Sameday username and password must not be empty".to_owned(),
            ));
        }
        let base = self
            .base_url
            .unwrap_or_else(|| self.country.base_url(self.environment).to_owned());
        let mut http = HttpClient::builder(crate::PROVIDER)
            .base_url(&base)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("flux-sameday/", env!("CARGO_PKG_VERSION")));
        if let Some(limiter) = self.rate_limiter {
            http = http.rate_limiter(limiter);
        }
        if let Some(policy) = self.retry_policy {
            http = http.retry_policy(policy);
        }
        if let Some(platform) = &self.platform {
            http = http.default_header("X-Platform", platform.as_str());
        }
        let http = http
            .build()
            .map_err(|e| SamedayError::Configuration(e.to_string()))?;
        Ok(SamedayClient {
            inner: Arc::new(Inner {
                http,
                username: self.username,
                password: self.password,
                country: self.country,
                environment: self.environment,
                tokens: TokenCache::new(),
                services: Mutex::new(None),
                default_pickup_point: Mutex::new(None),
            }),
        })
    }
}

/// Largest page Sameday serves; lists are fetched in pages this size.
pub(crate) const PAGE_SIZE: u32 = 500;
/// A guard against a server that never says "last page".
const MAX_PAGES: u32 = 1000;

impl SamedayClient {
    /// Starts a client for `username` / `password` (Romania, production by default).
    pub fn builder(username: impl Into<String>, password: SecretString) -> SamedayClientBuilder {
        SamedayClientBuilder {
            username: username.into(),
            password,
            country: Country::default(),
            environment: Environment::default(),
            base_url: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            rate_limiter: None,
            retry_policy: None,
            platform: None,
        }
    }

    /// The account's country.
    pub fn country(&self) -> Country {
        self.inner.country
    }

    /// Production or demo.
    pub fn environment(&self) -> Environment {
        self.inner.environment
    }

    /// The cached token, logging in when there is none or it is about to expire.
    pub(crate) async fn token(&self) -> Result<Token, SamedayError> {
        let this = self.clone();
        self.inner
            .tokens
            .get_or_refresh(|| async move { this.authenticate().await })
            .await
    }

    /// Sends an authenticated request built by `build` (called again for the retry) and
    /// returns the 2xx response. On 401/403 the token is dropped, a new one is fetched
    /// and the request is sent once more, as Sameday's SDK does.
    pub(crate) async fn execute<F>(&self, build: F) -> Result<Response, SamedayError>
    where
        F: Fn(&HttpClient) -> RequestBuilder,
    {
        let mut relogged = false;
        loop {
            let token = self.token().await?;
            let response = build(&self.inner.http)
                .sensitive_header("X-AUTH-TOKEN", token.secret())
                .send_raw()
                .await?;
            let status = response.status().as_u16();
            if response.status().is_success() {
                return Ok(response);
            }
            if matches!(status, 401 | 403) && !relogged {
                tracing::debug!(status, "sameday refused the token; logging in again");
                self.inner.tokens.invalidate(&token).await;
                relogged = true;
                continue;
            }
            return Err(classify(response));
        }
    }

    /// `execute`, then decode the JSON body.
    pub(crate) async fn execute_json<T, F>(&self, build: F) -> Result<T, SamedayError>
    where
        T: DeserializeOwned,
        F: Fn(&HttpClient) -> RequestBuilder,
    {
        Ok(self.execute(build).await?.json::<T>()?)
    }

    /// Every page of a paginated list.
    pub(crate) async fn get_all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, SamedayError> {
        let mut items = Vec::new();
        let mut page = 1u32;
        loop {
            let page_str = page.to_string();
            let per_page = PAGE_SIZE.to_string();
            let result: Page<T> = self
                .execute_json(|http| {
                    http.request(Method::GET, path).query(query).query(&[
                        ("page", page_str.as_str()),
                        ("countPerPage", per_page.as_str()),
                    ])
                })
                .await?;
            let more = result.has_next(PAGE_SIZE) && !result.data.is_empty();
            items.extend(result.data);
            if !more || page >= MAX_PAGES {
                return Ok(items);
            }
            page += 1;
        }
    }

    /// Logs in now (normally done on first use), replacing any cached token.
    ///
    /// # Errors
    /// [`SamedayError::Auth`] for wrong credentials; transport errors.
    pub async fn login(&self) -> Result<(), SamedayError> {
        self.inner.tokens.clear().await;
        self.token().await.map(|_| ())
    }

    /// Forgets the cached token; the next call logs in again.
    pub async fn logout(&self) {
        self.inner.tokens.clear().await;
    }
}

/// Turns a non-2xx answer into the crate error.
pub(crate) fn classify(response: Response) -> SamedayError {
    let status = response.status().as_u16();
    match status {
        400 => bad_request(&response.bytes()),
        401 | 403 => SamedayError::Auth {
            status,
            message: body_message(&response.bytes()),
        },
        404 => SamedayError::NotFound {
            message: format!(
                "{}: {}",
                response.url().path(),
                body_message(&response.bytes())
            ),
        },
        _ => match response.error_for_status() {
            Err(err) => SamedayError::Http(err),
            Ok(ok) => SamedayError::Configuration(format!(
                "unexpected status {} treated as an error",
                ok.status()
            )),
        },
    }
}

/// Checks an AWB or parcel number before it goes into a URL path.
pub(crate) fn path_segment<'a>(field: &str, value: &'a str) -> Result<&'a str, SamedayError> {
    let value = value.trim();
    if !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(value)
    } else {
        Err(SamedayError::invalid(
            field,
            format!("{value:?} is not a Sameday number (letters and digits only)"),
        ))
    }
}

/// A `Decode` transport error for a body that is not what the endpoint promises.
pub(crate) fn unexpected_body(request: String, message: &str, body: &[u8]) -> SamedayError {
    #[derive(Debug)]
    struct Unexpected(String);
    impl fmt::Display for Unexpected {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for Unexpected {}
    SamedayError::Http(HttpError::Decode {
        request,
        path: ".".to_owned(),
        message: message.to_owned(),
        body: String::from_utf8_lossy(&body[..body.len().min(2048)]).into_owned(),
        source: Arc::new(Unexpected(message.to_owned())),
    })
}
