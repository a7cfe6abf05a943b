//! [`ShopifyApp`]: the app's credentials and settings, and the entry point to auth,
//! webhooks and per-shop Admin API clients.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use flux_http::secret::SecretString;
use flux_http::{HttpClient, RetryPolicy};
use url::Url;

use crate::error::ShopifyError;
use crate::shop::ShopDomain;
use crate::webhooks::WebhookVerifier;

/// An Admin API version such as `2026-10` (or `unstable`).
///
/// Shopify releases a version every quarter and supports each for at least 12 months;
/// a request to a retired version silently falls forward. Pin one and upgrade on
/// purpose: [`ApiVersion::PINNED`] is the version this crate's queries were written for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiVersion(String);

impl ApiVersion {
    /// The version this crate's typed operations target (2026-04 or later is required
    /// for `changeFromQuantity` and `@idempotent` inventory writes).
    pub const PINNED: &'static str = "2026-10";

    /// A version string `YYYY-MM` or `unstable`.
    ///
    /// # Errors
    /// [`ShopifyError::Configuration`] for anything else.
    pub fn new(version: &str) -> Result<Self, ShopifyError> {
        let ok = version == "unstable"
            || (version.len() == 7
                && version.as_bytes()[4] == b'-'
                && version[..4].bytes().all(|b| b.is_ascii_digit())
                && matches!(&version[5..], "01" | "04" | "07" | "10"));
        if ok {
            Ok(Self(version.to_owned()))
        } else {
            Err(ShopifyError::Configuration(format!(
                "`{version}` is not an Admin API version (YYYY-01/04/07/10 or unstable)"
            )))
        }
    }

    /// The version string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        Self(Self::PINNED.to_owned())
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Shopify app: its client id and secret, scopes and API version.
///
/// Cheap to clone (shared inside). Build with [`ShopifyApp::builder`].
///
/// ```
/// use flux_shopify::{ShopifyApp, secret::SecretString};
///
/// let app = ShopifyApp::builder("client-id", SecretString::from("client-secret"))
///     .scopes(["read_orders", "write_merchant_managed_fulfillment_orders"])
///     .redirect_uri("https://app.example.com/auth/callback")
///     .build()
///     .unwrap();
/// assert_eq!(app.api_version().as_str(), "2026-10");
/// assert!(!format!("{app:?}").contains("client-secret"));
/// ```
#[derive(Clone)]
pub struct ShopifyApp {
    pub(crate) inner: Arc<AppInner>,
}

pub(crate) struct AppInner {
    pub(crate) api_key: String,
    pub(crate) api_secret: SecretString,
    pub(crate) old_api_secret: Option<SecretString>,
    pub(crate) scopes: Vec<String>,
    pub(crate) redirect_uri: Option<Url>,
    pub(crate) api_version: ApiVersion,
    pub(crate) endpoint_override: Option<Url>,
    pub(crate) http: HttpClient,
    pub(crate) timeout: Duration,
    pub(crate) max_throttle_retries: u32,
    /// What the app's clients learned about each shop's cost bucket, shared by every
    /// client of the same shop (see [`ShopThrottles`](crate::graphql::ShopThrottles)).
    pub(crate) throttles: crate::graphql::ShopThrottles,
}

impl ShopifyApp {
    /// Starts building an app with its client id (API key) and client secret.
    pub fn builder(api_key: impl Into<String>, api_secret: SecretString) -> ShopifyAppBuilder {
        ShopifyAppBuilder {
            api_key: api_key.into(),
            api_secret,
            old_api_secret: None,
            scopes: Vec::new(),
            redirect_uri: None,
            api_version: Ok(ApiVersion::default()),
            endpoint_override: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_throttle_retries: 5,
            user_agent: None,
        }
    }

    /// The client id (API key).
    pub fn api_key(&self) -> &str {
        &self.inner.api_key
    }

    /// The requested scopes.
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// The pinned Admin API version.
    pub fn api_version(&self) -> &ApiVersion {
        &self.inner.api_version
    }

    /// A verifier for webhook deliveries signed with this app's secret (and the old
    /// secret during a rotation).
    pub fn webhook_verifier(&self) -> WebhookVerifier {
        let verifier = WebhookVerifier::new(self.inner.api_secret.clone());
        match &self.inner.old_api_secret {
            Some(old) => verifier.with_old_secret(old.clone()),
            None => verifier,
        }
    }

    /// The secrets to try, current first.
    pub(crate) fn secrets(&self) -> impl Iterator<Item = &SecretString> {
        std::iter::once(&self.inner.api_secret).chain(self.inner.old_api_secret.as_ref())
    }

    /// `https://{shop}/` or the endpoint override.
    pub(crate) fn shop_base(&self, shop: &ShopDomain) -> Result<Url, ShopifyError> {
        match &self.inner.endpoint_override {
            Some(url) => Ok(url.clone()),
            None => Url::parse(&format!("https://{}/", shop.as_str()))
                .map_err(|e| ShopifyError::InvalidShop(e.to_string())),
        }
    }

    pub(crate) fn shop_url(&self, shop: &ShopDomain, path: &str) -> Result<Url, ShopifyError> {
        self.shop_base(shop)?
            .join(path)
            .map_err(|e| ShopifyError::Configuration(e.to_string()))
    }
}

impl fmt::Debug for ShopifyApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShopifyApp")
            .field("api_key", &self.inner.api_key)
            .field("api_secret", &"[REDACTED]")
            .field("scopes", &self.inner.scopes)
            .field("api_version", &self.inner.api_version)
            .finish_non_exhaustive()
    }
}

/// Builder for [`ShopifyApp`].
pub struct ShopifyAppBuilder {
    api_key: String,
    api_secret: SecretString,
    old_api_secret: Option<SecretString>,
    scopes: Vec<String>,
    redirect_uri: Option<String>,
    api_version: Result<ApiVersion, ShopifyError>,
    endpoint_override: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    max_throttle_retries: u32,
    user_agent: Option<String>,
}

impl fmt::Debug for ShopifyAppBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShopifyAppBuilder")
            .field("api_key", &self.api_key)
            .field("api_secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl ShopifyAppBuilder {
    /// The previous client secret, accepted for HMACs and session tokens while a secret
    /// rotation propagates (Shopify may sign with the old one for up to an hour).
    pub fn old_api_secret(mut self, secret: SecretString) -> Self {
        self.old_api_secret = Some(secret);
        self
    }

    /// Access scopes to request in the authorization-code grant.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The OAuth callback URL (must be listed in the app's allowed redirection URLs).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// The Admin API version to pin (default [`ApiVersion::PINNED`]).
    pub fn api_version(mut self, version: &str) -> Self {
        self.api_version = ApiVersion::new(version);
        self
    }

    /// Send every shop request (OAuth and Admin API) to this base URL instead of
    /// `https://{shop}/`: for tests (wiremock on `http://127.0.0.1`) and proxies.
    pub fn endpoint_override(mut self, base_url: impl Into<String>) -> Self {
        self.endpoint_override = Some(base_url.into());
        self
    }

    /// Per-attempt timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How many times a throttled GraphQL request waits and retries (default 5).
    pub fn max_throttle_retries(mut self, retries: u32) -> Self {
        self.max_throttle_retries = retries;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Builds the app.
    ///
    /// # Errors
    /// [`ShopifyError::Configuration`] for an empty key/secret, a bad redirect URI, API
    /// version or endpoint override.
    pub fn build(self) -> Result<ShopifyApp, ShopifyError> {
        use flux_http::secret::ExposeSecret;
        if self.api_key.trim().is_empty() {
            return Err(ShopifyError::Configuration("the API key is empty".into()));
        }
        if self.api_secret.expose_secret().is_empty() {
            return Err(ShopifyError::Configuration(
                "the API secret is empty".into(),
            ));
        }
        let api_version = self.api_version?;
        let redirect_uri = self
            .redirect_uri
            .map(|u| {
                Url::parse(&u)
                    .map_err(|e| ShopifyError::Configuration(format!("redirect URI: {e}")))
            })
            .transpose()?;
        let endpoint_override = self
            .endpoint_override
            .map(|u| {
                let mut url = Url::parse(&u)
                    .map_err(|e| ShopifyError::Configuration(format!("endpoint override: {e}")))?;
                if !url.path().ends_with('/') {
                    let path = format!("{}/", url.path());
                    url.set_path(&path);
                }
                Ok::<_, ShopifyError>(url)
            })
            .transpose()?;
        let mut http = HttpClient::builder(crate::error::PROVIDER)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .retry_policy(RetryPolicy::default());
        http = http.user_agent(
            self.user_agent
                .unwrap_or_else(|| format!("flux-shopify/{} (Rust)", env!("CARGO_PKG_VERSION"))),
        );
        let http = http.build()?;
        Ok(ShopifyApp {
            inner: Arc::new(AppInner {
                api_key: self.api_key,
                api_secret: self.api_secret,
                old_api_secret: self.old_api_secret,
                scopes: self.scopes,
                redirect_uri,
                api_version,
                endpoint_override,
                http,
                timeout: self.timeout,
                max_throttle_retries: self.max_throttle_retries,
                throttles: crate::graphql::ShopThrottles::default(),
            }),
        })
    }
}
