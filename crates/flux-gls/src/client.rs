//! [`GlsClient`] and its builder: country hosts, test or production, credentials, the
//! login guard, and the one function every method goes through.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono_tz::Tz;
use flux_core::Currency;
use flux_http::secret::SecretString;
use flux_http::{HttpClient, RateLimiter};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::Credentials;
use crate::error::GlsError;
use crate::types::{GlsResponse, PrintOptions, TypeOfPrinter};

/// The MyGLS countries. Each has its own host (`api.mygls.<tld>`) and its own accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Country {
    /// Romania, `api.mygls.ro`.
    #[default]
    Romania,
    /// Hungary, `api.mygls.hu`.
    Hungary,
    /// Czechia, `api.mygls.cz`.
    Czechia,
    /// Slovakia, `api.mygls.sk`.
    Slovakia,
    /// Croatia, `api.mygls.hr`.
    Croatia,
    /// Slovenia, `api.mygls.si`.
    Slovenia,
    /// Serbia, `api.mygls.rs`.
    Serbia,
}

impl Country {
    /// The host's top-level domain.
    pub fn tld(self) -> &'static str {
        match self {
            Self::Romania => "ro",
            Self::Hungary => "hu",
            Self::Czechia => "cz",
            Self::Slovakia => "sk",
            Self::Croatia => "hr",
            Self::Slovenia => "si",
            Self::Serbia => "rs",
        }
    }

    /// ISO 3166-1 alpha-2 code.
    pub fn iso_code(self) -> &'static str {
        match self {
            Self::Romania => "RO",
            Self::Hungary => "HU",
            Self::Czechia => "CZ",
            Self::Slovakia => "SK",
            Self::Croatia => "HR",
            Self::Slovenia => "SI",
            Self::Serbia => "RS",
        }
    }

    /// The local time zone (for pickup dates and event times).
    pub fn time_zone(self) -> Tz {
        match self {
            Self::Romania => Tz::Europe__Bucharest,
            Self::Hungary => Tz::Europe__Budapest,
            Self::Czechia => Tz::Europe__Prague,
            Self::Slovakia => Tz::Europe__Bratislava,
            Self::Croatia => Tz::Europe__Zagreb,
            Self::Slovenia => Tz::Europe__Ljubljana,
            Self::Serbia => Tz::Europe__Belgrade,
        }
    }

    /// The local currency (the default COD currency).
    pub fn currency(self) -> Currency {
        match self {
            Self::Romania => Currency::RON,
            Self::Hungary => Currency::HUF,
            Self::Czechia => Currency::CZK,
            Self::Slovakia | Self::Croatia | Self::Slovenia => Currency::EUR,
            Self::Serbia => Currency::parse("RSD").unwrap_or(Currency::EUR),
        }
    }

    /// The language `GetParcelStatuses` answers in by default.
    pub fn language(self) -> &'static str {
        match self {
            Self::Slovenia => "SL",
            other => other.iso_code(),
        }
    }
}

/// Test or production. They are separate systems with separate credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `api.mygls.<tld>`.
    #[default]
    Production,
    /// `api.test.mygls.<tld>`.
    Test,
}

/// The base URL of the `ParcelService` JSON endpoint.
///
/// ```
/// use flux_gls::{Country, Environment, base_url};
/// assert_eq!(base_url(Country::Romania, Environment::Production), "https://api.mygls.ro/ParcelService.svc/json/");
/// assert_eq!(base_url(Country::Hungary, Environment::Test), "https://api.test.mygls.hu/ParcelService.svc/json/");
/// ```
pub fn base_url(country: Country, environment: Environment) -> String {
    let test = match environment {
        Environment::Production => "",
        Environment::Test => ".test",
    };
    format!(
        "https://api{test}.mygls.{}/ParcelService.svc/json/",
        country.tld()
    )
}

/// How [`Courier::create_shipment`](flux_core::Courier::create_shipment) creates parcels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LabelStrategy {
    /// `PrintLabels`: one call creates the parcel and returns its label. The label can
    /// never be fetched again (error 18), so keep the PDF.
    #[default]
    PrintOnce,
    /// `PrepareLabels`, then `GetPrintedLabels`: two calls, but the label can be fetched
    /// again later with [`Courier::label`](flux_core::Courier::label).
    PrepareThenPrint,
}

/// Default time the client refuses to call MyGLS after a refused login.
pub const DEFAULT_AUTH_FAILURE_COOLDOWN: Duration = Duration::from_secs(15 * 60);

/// A MyGLS client. Cheap to clone; clones share the login guard.
///
/// ```no_run
/// use flux_gls::{Country, Environment, GlsClient};
/// use flux_http::secret::SecretString;
///
/// # fn demo() -> Result<(), flux_gls::GlsError> {
/// let gls = GlsClient::builder("shop@example.ro", SecretString::from("password"), 553_000_123)
///     .country(Country::Romania)
///     .environment(Environment::Test)
///     .build()?;
/// # let _ = gls; Ok(()) }
/// ```
#[derive(Clone)]
pub struct GlsClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    pub(crate) credentials: Credentials,
    pub(crate) client_number: i64,
    pub(crate) country: Country,
    pub(crate) environment: Environment,
    pub(crate) print: PrintOptions,
    pub(crate) label_strategy: LabelStrategy,
    pub(crate) language: String,
    pub(crate) cooldown: Duration,
    pub(crate) login_failure: Mutex<Option<(Instant, String)>>,
}

impl fmt::Debug for GlsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("GlsClient")
            .field("credentials", &i.credentials)
            .field("client_number", &i.client_number)
            .field("country", &i.country)
            .field("environment", &i.environment)
            .field("base_url", &i.http.base_url().map(|u| u.as_str()))
            .field("type_of_printer", &i.print.type_of_printer)
            .field("label_strategy", &i.label_strategy)
            .finish()
    }
}

impl GlsClient {
    /// Starts a builder with the MyGLS login (`username` is the login e-mail), the
    /// password (hashed once with SHA-512 at `build`) and the GLS client number.
    pub fn builder(
        username: impl Into<String>,
        password: SecretString,
        client_number: i64,
    ) -> GlsClientBuilder {
        GlsClientBuilder {
            username: username.into(),
            password,
            client_number,
            country: Country::default(),
            environment: Environment::default(),
            base_url: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            rate_limiter: None,
            print: PrintOptions::default(),
            label_strategy: LabelStrategy::default(),
            language: None,
            webshop_engine: None,
            cooldown: DEFAULT_AUTH_FAILURE_COOLDOWN,
            user_agent: None,
        }
    }

    /// The GLS client number put into every parcel.
    pub fn client_number(&self) -> i64 {
        self.inner.client_number
    }

    /// The country of the account.
    pub fn country(&self) -> Country {
        self.inner.country
    }

    /// The default label layout.
    pub fn print_options(&self) -> &PrintOptions {
        &self.inner.print
    }

    /// How the `Courier` implementation creates parcels.
    pub fn label_strategy(&self) -> LabelStrategy {
        self.inner.label_strategy
    }

    /// Lets calls through again after a refused login (call it once the credentials are
    /// fixed; a new client built with new credentials starts clear too).
    pub fn reset_auth_guard(&self) {
        if let Ok(mut guard) = self.inner.login_failure.lock() {
            *guard = None;
        }
    }

    fn check_auth_guard(&self, method: &'static str) -> Result<(), GlsError> {
        if self.inner.cooldown.is_zero() {
            return Ok(());
        }
        let Ok(mut guard) = self.inner.login_failure.lock() else {
            return Ok(());
        };
        if let Some((at, description)) = guard.as_ref() {
            let elapsed = at.elapsed();
            if elapsed < self.inner.cooldown {
                return Err(GlsError::LoginBlocked {
                    method,
                    description: description.clone(),
                    remaining: self.inner.cooldown - elapsed,
                });
            }
            *guard = None;
        }
        Ok(())
    }

    fn record_login_failure(&self, description: &str) {
        if let Ok(mut guard) = self.inner.login_failure.lock() {
            *guard = Some((Instant::now(), description.to_owned()));
        }
    }

    /// Sends `body` (with the login merged in) to `method` and decodes the answer, without
    /// looking at its error list.
    pub(crate) async fn send<Req, Resp>(
        &self,
        method: &'static str,
        body: &Req,
        idempotent: bool,
    ) -> Result<Resp, GlsError>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        self.check_auth_guard(method)?;
        let envelope = self.inner.credentials.envelope(body);
        let response = self
            .inner
            .http
            .post(method)
            .json(&envelope)
            .idempotent(idempotent)
            .send()
            .await
            .map_err(|source| GlsError::Http {
                method,
                source: Box::new(source),
            })?;
        response.json::<Resp>().map_err(|source| GlsError::Http {
            method,
            source: Box::new(source),
        })
    }

    /// [`send`](Self::send), then checks the error list: a refused login trips the guard
    /// and fails; errors with no results fail; errors next to results (a partial success)
    /// are left in the response for the caller.
    pub(crate) async fn call<Req, Resp>(
        &self,
        method: &'static str,
        body: &Req,
        idempotent: bool,
        creates: bool,
    ) -> Result<Resp, GlsError>
    where
        Req: Serialize,
        Resp: DeserializeOwned + GlsResponse,
    {
        let mut response: Resp = self.send(method, body, idempotent).await?;
        if response.errors().is_empty() {
            return Ok(response);
        }
        if let Some(login) = response
            .errors()
            .iter()
            .find(|e| e.code().is_login_failure())
        {
            let description = login.description().to_owned();
            tracing::error!(
                provider = crate::PROVIDER,
                method,
                code = login.error_code,
                "MyGLS refused the login; further calls are held back to avoid locking the account"
            );
            self.record_login_failure(&description);
        }
        let login_failed = response
            .errors()
            .iter()
            .any(|e| e.code().is_login_failure());
        if response.has_results() && !login_failed {
            tracing::warn!(
                provider = crate::PROVIDER,
                method,
                errors = response.errors().len(),
                "MyGLS answered with results and errors (partial success)"
            );
            return Ok(response);
        }
        Err(GlsError::from_list(method, response.take_errors(), creates))
    }
}

/// Builds a [`GlsClient`].
pub struct GlsClientBuilder {
    username: String,
    password: SecretString,
    client_number: i64,
    country: Country,
    environment: Environment,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    rate_limiter: Option<Arc<RateLimiter>>,
    print: PrintOptions,
    label_strategy: LabelStrategy,
    language: Option<String>,
    webshop_engine: Option<String>,
    cooldown: Duration,
    user_agent: Option<String>,
}

impl fmt::Debug for GlsClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlsClientBuilder")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("client_number", &self.client_number)
            .field("country", &self.country)
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl GlsClientBuilder {
    /// The account's country (default Romania).
    pub fn country(mut self, country: Country) -> Self {
        self.country = country;
        self
    }

    /// Test or production (default production).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Overrides the base URL (a mock server, a proxy). It must end in
    /// `ParcelService.svc/json/` or equivalent: method names are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Time limit of one attempt (default 60 s; label PDFs can be large).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time limit to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A rate limiter shared by every client of the same account. GLS publishes no
    /// request rate; it only refuses the same request sent five times in five minutes
    /// (error 31), so there is no default limiter.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The default label layout (default `A4_2x2`, position 1).
    pub fn print_options(mut self, print: PrintOptions) -> Self {
        self.print = print;
        self
    }

    /// The default label layout, first position.
    pub fn type_of_printer(mut self, type_of_printer: TypeOfPrinter) -> Self {
        self.print.type_of_printer = type_of_printer;
        self
    }

    /// How the `Courier` implementation creates parcels (default
    /// [`LabelStrategy::PrintOnce`]).
    pub fn label_strategy(mut self, strategy: LabelStrategy) -> Self {
        self.label_strategy = strategy;
        self
    }

    /// The language of status descriptions (`RO`, `EN`, `HU`, …; default the country's).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// `WebshopEngine`, sent in every body when set (some GLS countries ask integrators
    /// to identify their platform).
    pub fn webshop_engine(mut self, engine: impl Into<String>) -> Self {
        self.webshop_engine = Some(engine.into());
        self
    }

    /// How long the client refuses to call MyGLS after a refused login (default 15
    /// minutes; zero disables the guard). About five failed logins lock the account.
    pub fn auth_failure_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Hashes the password and builds the client.
    ///
    /// # Errors
    /// [`GlsError::Configuration`] for an empty username or password, a client number
    /// that is not positive, or a base URL the transport refuses (not https, except
    /// loopback).
    pub fn build(self) -> Result<GlsClient, GlsError> {
        use flux_http::secret::ExposeSecret;
        if self.username.trim().is_empty() {
            return Err(GlsError::Configuration(
                "the MyGLS username is empty".into(),
            ));
        }
        if self.password.expose_secret().is_empty() {
            return Err(GlsError::Configuration(
                "the MyGLS password is empty".into(),
            ));
        }
        if self.client_number <= 0 {
            return Err(GlsError::Configuration(format!(
                "the GLS client number must be positive, got {}",
                self.client_number
            )));
        }
        let url = self
            .base_url
            .unwrap_or_else(|| base_url(self.country, self.environment));
        let mut http = HttpClient::builder(crate::PROVIDER)
            .base_url(&url)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .default_header("Accept", "application/json");
        if let Some(limiter) = self.rate_limiter {
            http = http.rate_limiter(limiter);
        }
        if let Some(ua) = self.user_agent {
            http = http.user_agent(ua);
        }
        let http = http
            .build()
            .map_err(|e| GlsError::Configuration(e.to_string()))?;
        Ok(GlsClient {
            inner: Arc::new(Inner {
                http,
                credentials: Credentials::new(self.username, &self.password, self.webshop_engine),
                client_number: self.client_number,
                country: self.country,
                environment: self.environment,
                print: self.print,
                label_strategy: self.label_strategy,
                language: self
                    .language
                    .unwrap_or_else(|| self.country.language().to_owned()),
                cooldown: self.cooldown,
                login_failure: Mutex::new(None),
            }),
        })
    }
}
