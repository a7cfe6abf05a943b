//! [`HttpClient`] and its builder: one per provider account, cheap to clone.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::USER_AGENT;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use url::Url;

use crate::HttpError;
use crate::rate_limit::RateLimiter;
use crate::request::RequestBuilder;
use crate::retry::RetryPolicy;
use crate::secret::{SecretString, sensitive_header_value};
use crate::url_rules::{check_transport, redacted, same_origin};

/// Redirects followed per request, at most.
pub const MAX_REDIRECTS: usize = 5;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client every provider crate uses. Cloning is cheap (an `Arc` inside) and
/// clones share the connection pool, retry policy and rate limiter.
///
/// Build it with [`HttpClient::builder`]; send with [`request`](Self::request) (a path
/// relative to the base URL) or [`request_url`](Self::request_url) (an absolute URL).
///
/// ```no_run
/// use std::{sync::Arc, time::Duration};
/// use flux_http::{HttpClient, RateLimiter, secret::SecretString};
///
/// # async fn demo() -> Result<(), flux_http::HttpError> {
/// let client = HttpClient::builder("smartbill")
///     .base_url("https://ws.smartbill.ro/SBORO/api/")
///     .timeout(Duration::from_secs(20))
///     .rate_limiter(Arc::new(RateLimiter::new(30, Duration::from_secs(10))))
///     .build()?;
///
/// let password = SecretString::from("token");
/// let taxes: serde_json::Value = client
///     .get("tax")
///     .query(&[("cif", "RO12345678")])
///     .basic_auth("user@example.com", &password)
///     .send_json()
///     .await?;
/// # let _ = taxes;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) provider: String,
    pub(crate) base_url: Option<Url>,
    pub(crate) http: reqwest::Client,
    pub(crate) timeout: Duration,
    connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limiter: Option<Arc<RateLimiter>>,
    pub(crate) default_headers: HeaderMap,
    follow_redirects: bool,
}

impl HttpClient {
    /// Start building a client. `provider` names the provider in logs and spans
    /// (`"fan-courier"`, `"smartbill"`, ...).
    pub fn builder(provider: impl Into<String>) -> HttpClientBuilder {
        HttpClientBuilder {
            provider: provider.into(),
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            rate_limiter: None,
            user_agent: None,
            default_headers: HeaderMap::new(),
            follow_redirects: true,
            error: None,
        }
    }

    /// A request to `path`, relative to the base URL.
    ///
    /// The path is always appended to the base URL's path, with or without a leading `/`:
    /// base `https://api.example.com/v1` and path `awb/7` or `/awb/7` give
    /// `https://api.example.com/v1/awb/7`. The path may carry a query string. A path that
    /// would leave the base URL (another host, or `..` above the base path) is refused
    /// when sent. Percent-encode identifiers you put into paths.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = match &self.inner.base_url {
            Some(base) => join_base(base, path),
            None => Err(HttpError::invalid_request(
                "this client has no base URL; use request_url with an absolute URL",
            )),
        };
        RequestBuilder::new(self.clone(), method, url)
    }

    /// A request to an absolute URL (a PDF link a provider returned, a redirect target).
    /// The URL must be `https` (or `http` to a loopback host). The client's default headers
    /// are sent only if the URL has the same origin as the base URL (or there is no base
    /// URL), so API keys in default headers never go to another host.
    pub fn request_url(&self, method: Method, url: Url) -> RequestBuilder {
        let url = match check_transport(&url) {
            Ok(()) => Ok(url),
            Err(reason) => Err(HttpError::InvalidBaseUrl {
                url: redacted(&url),
                reason: reason.to_owned(),
            }),
        };
        RequestBuilder::new(self.clone(), method, url)
    }

    /// `request(Method::GET, path)`.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// `request(Method::POST, path)`.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// `request(Method::PUT, path)`.
    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    /// `request(Method::PATCH, path)`.
    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.request(Method::PATCH, path)
    }

    /// `request(Method::DELETE, path)`.
    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }

    /// The provider name given to [`HttpClient::builder`].
    pub fn provider(&self) -> &str {
        &self.inner.provider
    }

    /// The base URL, if one was set (always ending in `/`).
    pub fn base_url(&self) -> Option<&Url> {
        self.inner.base_url.as_ref()
    }

    /// The client's retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The rate limiter, if one was set.
    pub fn rate_limiter(&self) -> Option<&Arc<RateLimiter>> {
        self.inner.rate_limiter.as_ref()
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// Whether default headers go to `url`.
    pub(crate) fn sends_default_headers_to(&self, url: &Url) -> bool {
        self.inner
            .base_url
            .as_ref()
            .is_none_or(|base| same_origin(base, url))
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let header_names: Vec<&str> = inner
            .default_headers
            .keys()
            .map(HeaderName::as_str)
            .collect();
        f.debug_struct("HttpClient")
            .field("provider", &inner.provider)
            .field("base_url", &inner.base_url.as_ref().map(redacted))
            .field("timeout", &inner.timeout)
            .field("connect_timeout", &inner.connect_timeout)
            .field("retry", &inner.retry)
            .field("rate_limiter", &inner.rate_limiter)
            .field("default_headers", &header_names)
            .field("follow_redirects", &inner.follow_redirects)
            .finish_non_exhaustive()
    }
}

/// Builds an [`HttpClient`]. Setting errors (a bad header, a bad URL) are reported by
/// [`build`](Self::build).
///
/// ```
/// use std::time::Duration;
/// use flux_http::{HttpClient, RetryPolicy};
///
/// let client = HttpClient::builder("fan-courier")
///     .base_url("https://api.fancourier.ro/")
///     .timeout(Duration::from_secs(6))
///     .connect_timeout(Duration::from_secs(3))
///     .retry_policy(RetryPolicy::default().with_max_attempts(2))
///     .default_header("accept", "application/json")
///     .build()?;
/// assert_eq!(client.provider(), "fan-courier");
///
/// // Plain http is refused unless the host is a loopback address.
/// assert!(HttpClient::builder("x").base_url("http://api.example.com").build().is_err());
/// assert!(HttpClient::builder("x").base_url("http://127.0.0.1:8080").build().is_ok());
/// # Ok::<(), flux_http::HttpError>(())
/// ```
pub struct HttpClientBuilder {
    provider: String,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    rate_limiter: Option<Arc<RateLimiter>>,
    user_agent: Option<String>,
    default_headers: HeaderMap,
    follow_redirects: bool,
    error: Option<HttpError>,
}

impl HttpClientBuilder {
    /// The base URL paths are joined to (a `&str`, `String` or [`Url`]). It must be
    /// `https`, except for loopback hosts (`127.0.0.0/8`, `localhost`, `[::1]`), which may
    /// use `http` for tests and sandboxes. It must not carry credentials, a query string
    /// or a fragment. A trailing `/` is added if missing.
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_owned());
        self
    }

    /// Timeout for each attempt, from connecting until the response body has been read.
    /// Default 30 s. Requests can override it with
    /// [`RequestBuilder::timeout`](crate::RequestBuilder::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout for establishing a connection (TCP and TLS). Default 10 s. A connect
    /// timeout means the request was not sent, so it is retried for every method.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy. Default [`RetryPolicy::default`] (3 attempts).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A rate limiter, shared by every client of the same provider account. A slot is
    /// acquired before every attempt, retries included.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The `User-Agent` header. Default `flux-http/<version> (<provider>)`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request to the base URL's origin (see
    /// [`HttpClient::request_url`]). For secrets use
    /// [`default_sensitive_header`](Self::default_sensitive_header).
    pub fn default_header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.default_headers.append(name, value);
            }
            (Err(e), _) => self.fail(header_error("default header name", e.into())),
            (_, Err(e)) => self.fail(header_error("default header value", e.into())),
        }
        self
    }

    /// A header holding a secret (an API key), sent with every request to the base URL's
    /// origin, marked sensitive so it never prints.
    pub fn default_sensitive_header<K>(mut self, name: K, secret: &SecretString) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
    {
        match (HeaderName::try_from(name), sensitive_header_value(secret)) {
            (Ok(name), Ok(value)) => {
                self.default_headers.append(name, value);
            }
            (Err(e), _) => self.fail(header_error("default header name", e.into())),
            (_, Err(e)) => self.fail(e),
        }
        self
    }

    /// Whether to follow redirects. Default `true`: up to [`MAX_REDIRECTS`] (5) redirects,
    /// and only within the same origin (scheme, host and port). A redirect to another
    /// origin is not followed: the 3xx response is returned (an error from `send`, the
    /// response itself from `send_raw`; see [`Response::redirect_location`](crate::Response::redirect_location)),
    /// so headers such as API keys are never replayed to another host.
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    fn fail(&mut self, error: HttpError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// Build the client.
    ///
    /// # Errors
    /// - [`HttpError::InvalidBaseUrl`] if the base URL does not parse or is not allowed
    ///   (plain `http` to a non-loopback host, credentials, query string).
    /// - [`HttpError::InvalidRequest`] for a bad default header or user agent, or if the
    ///   TLS backend could not be set up.
    pub fn build(self) -> Result<HttpClient, HttpError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let base_url = self.base_url.as_deref().map(parse_base_url).transpose()?;

        let user_agent = self.user_agent.unwrap_or_else(|| {
            format!(
                "flux-http/{} ({})",
                env!("CARGO_PKG_VERSION"),
                self.provider
            )
        });
        let user_agent = HeaderValue::try_from(user_agent)
            .map_err(|e| HttpError::invalid_request_from("invalid user agent", e))?;

        let redirect = if self.follow_redirects {
            reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() > MAX_REDIRECTS {
                    return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
                }
                let same = attempt
                    .previous()
                    .first()
                    .is_some_and(|first| same_origin(first, attempt.url()));
                if same {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            })
        } else {
            reqwest::redirect::Policy::none()
        };

        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, user_agent);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(self.connect_timeout)
            .redirect(redirect)
            .build()
            .map_err(|e| HttpError::invalid_request_from("could not build the HTTP client", e))?;

        Ok(HttpClient {
            inner: Arc::new(Inner {
                provider: self.provider,
                base_url,
                http,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                retry: self.retry,
                rate_limiter: self.rate_limiter,
                default_headers: self.default_headers,
                follow_redirects: self.follow_redirects,
            }),
        })
    }
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self
            .default_headers
            .keys()
            .map(HeaderName::as_str)
            .collect();
        f.debug_struct("HttpClientBuilder")
            .field("provider", &self.provider)
            .field("timeout", &self.timeout)
            .field("default_headers", &header_names)
            .finish_non_exhaustive()
    }
}

fn header_error(what: &str, error: http::Error) -> HttpError {
    // The value is not included: it may be a secret.
    HttpError::invalid_request_from(format!("invalid {what}"), error)
}

fn parse_base_url(raw: &str) -> Result<Url, HttpError> {
    let mut url = Url::parse(raw).map_err(|e| HttpError::InvalidBaseUrl {
        url: "(unparsable)".to_owned(),
        reason: e.to_string(),
    })?;
    let refuse = |url: &Url, reason: &str| HttpError::InvalidBaseUrl {
        url: redacted(url),
        reason: reason.to_owned(),
    };
    check_transport(&url).map_err(|reason| refuse(&url, reason))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(
            &url,
            "a base URL must not have a query string or fragment; add query parameters per request",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// `base` (ending in `/`) joined with `path`, which must stay under it.
fn join_base(base: &Url, path: &str) -> Result<Url, HttpError> {
    let relative = path.trim_start_matches('/');
    let url = base.join(relative).map_err(|e| {
        HttpError::invalid_request_from("the request path is not a valid URL path", e)
    })?;
    if !same_origin(base, &url) || !url.path().starts_with(base.path()) {
        return Err(HttpError::invalid_request(format!(
            "the request path leaves the base URL {}",
            redacted(base)
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Url {
        parse_base_url(s).unwrap()
    }

    #[test]
    fn paths_join_under_the_base_path() {
        let b = base("https://api.example.com/v1");
        assert_eq!(b.as_str(), "https://api.example.com/v1/");
        for path in ["awb/7", "/awb/7", "//awb/7"] {
            assert_eq!(
                join_base(&b, path).unwrap().as_str(),
                "https://api.example.com/v1/awb/7"
            );
        }
        assert_eq!(
            join_base(&b, "awb?x=1").unwrap().as_str(),
            "https://api.example.com/v1/awb?x=1"
        );
        assert_eq!(
            join_base(&b, "").unwrap().as_str(),
            "https://api.example.com/v1/"
        );
    }

    #[test]
    fn paths_that_escape_the_base_are_refused() {
        let b = base("https://api.example.com/v1/");
        for path in [
            "https://evil.com/x",
            "http:evil",
            "../admin",
            "a/../../admin",
        ] {
            assert!(join_base(&b, path).is_err(), "{path}");
        }
        // `//evil.com/x` is not a host: leading slashes are stripped.
        assert_eq!(
            join_base(&b, "//evil.com/x").unwrap().as_str(),
            "https://api.example.com/v1/evil.com/x"
        );
    }

    #[test]
    fn base_urls_with_query_or_bad_scheme_are_refused() {
        assert!(parse_base_url("https://api.example.com/?key=1").is_err());
        assert!(parse_base_url("http://api.example.com").is_err());
        assert!(parse_base_url("not a url").is_err());
    }
}
