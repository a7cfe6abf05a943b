//! [`SmartBillClient`], its builder, and the one place answers are turned into results.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use flux_http::secret::SecretString;
use flux_http::{
    HttpClient, Method, RateLimiter, RequestBuilder, Response, RetryPolicy, WindowAnchor,
};
use serde::de::DeserializeOwned;

use crate::PROVIDER;
use crate::error::SmartBillError;
use crate::types::responses::{Envelope, clean_error_text};

/// SmartBill's production API.
pub const DEFAULT_BASE_URL: &str = "https://ws.smartbill.ro/SBORO/api/";

/// SmartBill's published limit: 30 calls in 10 seconds (a 31st blocks the account for
/// 10 minutes).
pub const PUBLISHED_LIMIT: (u32, Duration) = (30, Duration::from_secs(10));

/// How long SmartBill blocks an account that exceeded its limit, when it does not say.
pub const BLOCK_DURATION: Duration = Duration::from_secs(600);

/// When SmartBill's block lifts, shared by every client of one account.
type BlockState = Arc<Mutex<Option<DateTime<Utc>>>>;

/// The block state of the clients that share `limiter`. A shared limiter is how callers
/// say "these clients are one SmartBill account" (the limit is per account), and SmartBill
/// blocks the account, so those clients share what they learn of the block too. Entries
/// hold the limiter weakly and go when it does.
fn block_state_for(limiter: &Arc<RateLimiter>) -> BlockState {
    type Registry = Mutex<Vec<(Weak<RateLimiter>, BlockState)>>;
    static BLOCKS: OnceLock<Registry> = OnceLock::new();
    let mut entries = BLOCKS
        .get_or_init(|| Mutex::new(Vec::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    entries.retain(|(weak, _)| weak.strong_count() > 0);
    if let Some((_, state)) = entries
        .iter()
        .find(|(weak, _)| std::ptr::eq(weak.as_ptr(), Arc::as_ptr(limiter)))
    {
        return state.clone();
    }
    let state = BlockState::default();
    entries.push((Arc::downgrade(limiter), state.clone()));
    state
}

/// A SmartBill Cloud API client for one account (email + API token) and one company
/// (CIF). Cheap to clone; clones share the connection pool, the rate limiter and the
/// rate-limit block state. Clients built with the same
/// [`rate_limiter`](SmartBillClientBuilder::rate_limiter) (one per account) also share
/// the block state: once one of them meets SmartBill's block, all of them refuse calls
/// locally until it lifts.
///
/// ```no_run
/// use flux_smartbill::SmartBillClient;
/// use flux_http::secret::SecretString;
///
/// # async fn demo() -> Result<(), flux_smartbill::SmartBillError> {
/// let client = SmartBillClient::builder(
///     "facturare@example.ro",
///     SecretString::from("api-token"),
///     "RO37311090",
/// )
/// .build()?;
/// for tax in client.taxes().await? {
///     println!("{} {}%", tax.name, tax.percentage);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SmartBillClient {
    pub(crate) http: HttpClient,
    username: String,
    token: SecretString,
    pub(crate) cif: String,
    pub(crate) receipt_series: Option<String>,
    blocked_until: BlockState,
    block_duration: Duration,
}

impl fmt::Debug for SmartBillClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartBillClient")
            .field("username", &self.username)
            .field("token", &"[redacted]")
            .field("cif", &self.cif)
            .field("base_url", &self.http.base_url().map(|u| u.as_str()))
            .field("receipt_series", &self.receipt_series)
            .finish_non_exhaustive()
    }
}

/// Builds a [`SmartBillClient`].
pub struct SmartBillClientBuilder {
    username: String,
    token: SecretString,
    cif: String,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    rate_limiter: Option<Arc<RateLimiter>>,
    retry_policy: Option<RetryPolicy>,
    receipt_series: Option<String>,
    user_agent: Option<String>,
    block_duration: Duration,
}

impl fmt::Debug for SmartBillClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartBillClientBuilder")
            .field("username", &self.username)
            .field("token", &"[redacted]")
            .field("cif", &self.cif)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SmartBillClient {
    /// Starts a client for the account that logs in with `email` (the Basic-auth user),
    /// its API `token` (*Contul Meu > Integrari*, the Basic-auth password) and the
    /// company `cif` sent with every call (`companyVatCode` / `cif`).
    pub fn builder(
        email: impl Into<String>,
        token: SecretString,
        cif: impl Into<String>,
    ) -> SmartBillClientBuilder {
        SmartBillClientBuilder {
            username: email.into(),
            token,
            cif: cif.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            rate_limiter: None,
            retry_policy: None,
            receipt_series: None,
            user_agent: None,
            block_duration: BLOCK_DURATION,
        }
    }

    /// A limiter for one SmartBill account, in an `Arc` to share between every client of
    /// the same account: see [`published_rate_limiter`](Self::published_rate_limiter).
    pub fn default_rate_limiter() -> Arc<RateLimiter> {
        Arc::new(Self::published_rate_limiter())
    }

    /// SmartBill's published limit, 30 calls per 10 s, with each call counted until 10 s
    /// after its answer came back ([`WindowAnchor::Completion`]): a call reaches SmartBill
    /// before its answer returns, so SmartBill never sees a 31st call within 10 s however
    /// the network delays them, and no margin has to be added to the window.
    pub fn published_rate_limiter() -> RateLimiter {
        RateLimiter::new(PUBLISHED_LIMIT.0, PUBLISHED_LIMIT.1).anchored_at(WindowAnchor::Completion)
    }

    /// The company CIF this client issues for.
    pub fn company_cif(&self) -> &str {
        &self.cif
    }

    /// When SmartBill's rate-limit block lifts, if this client saw one that is still in
    /// force. Until then every call fails locally with
    /// [`SmartBillError::RateLimitBlocked`] without reaching SmartBill.
    pub fn blocked_until(&self) -> Option<DateTime<Utc>> {
        let until = *self.blocked_until.lock().unwrap_or_else(|e| e.into_inner());
        until.filter(|u| *u > Utc::now())
    }

    /// A request with Basic auth and `Accept: application/json`.
    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, path)
            .basic_auth(&self.username, &self.token)
    }

    /// `[("cif", ..), ("seriesName", ..), ("number", ..)]`.
    pub(crate) fn doc_query<'a>(
        &'a self,
        series: &'a str,
        number: &'a str,
    ) -> [(&'a str, &'a str); 3] {
        [
            ("cif", &self.cif),
            ("seriesName", series),
            ("number", number),
        ]
    }

    fn check_block(&self) -> Result<(), SmartBillError> {
        match self.blocked_until() {
            Some(until) => Err(SmartBillError::RateLimitBlocked {
                until,
                message: "refused locally: SmartBill blocked this account for exceeding 30 calls per 10 seconds".to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// Sends and returns the answer if it is a success without an `errorText`.
    pub(crate) async fn send(&self, req: RequestBuilder) -> Result<Response, SmartBillError> {
        self.check_block()?;
        let resp = req.send_raw().await?;
        self.check_response(resp)
    }

    /// Sends and decodes a JSON answer, after checking `errorText`.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        req: RequestBuilder,
    ) -> Result<T, SmartBillError> {
        let resp = self.send(req).await?;
        Ok(resp.json::<T>()?)
    }

    fn check_response(&self, resp: Response) -> Result<Response, SmartBillError> {
        let status = resp.status().as_u16();
        let envelope = resp.json::<Envelope>().unwrap_or_default();
        let message = if envelope.error_text.trim().is_empty() {
            clean_error_text(&envelope.message)
        } else {
            clean_error_text(&envelope.error_text)
        };
        let body_or = |m: &str| {
            if m.is_empty() {
                let text = resp.text();
                let text = text.trim();
                text.chars().take(300).collect::<String>()
            } else {
                m.to_owned()
            }
        };
        match status {
            401 => {
                return Err(SmartBillError::Unauthorized {
                    message: body_or(&message),
                });
            }
            403 => return Err(self.classify_403(&resp, body_or(&message))),
            429 => {
                return Err(SmartBillError::RateLimited {
                    retry_after: resp.retry_after(),
                    message: body_or(&message),
                });
            }
            _ => {}
        }
        if !envelope.error_text.trim().is_empty() || !envelope.errors.is_empty() {
            let fields: Vec<flux_core::FieldError> = envelope
                .errors
                .iter()
                .map(|e| {
                    flux_core::FieldError::new(
                        e.param.clone().unwrap_or_default(),
                        clean_error_text(&e.message),
                    )
                })
                .collect();
            let message = if message.is_empty() || envelope.error_text.trim().is_empty() {
                fields
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            } else {
                message
            };
            return Err(SmartBillError::Api {
                status,
                message,
                fields,
                code: envelope.errors.iter().find_map(|e| e.code.clone()),
            });
        }
        Ok(resp.error_for_status()?)
    }

    fn classify_403(&self, resp: &Response, message: String) -> SmartBillError {
        let folded = flux_core::county::fold_romanian(&message);
        let says_limit = ["blocat", "limita", "apeluri", "rate limit", "too many"]
            .iter()
            .any(|w| folded.contains(w));
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let exhausted = header("x-ratelimit-remaining") == Some("0");
        let retry_after = resp.retry_after();
        if !(says_limit || exhausted || retry_after.is_some()) {
            return SmartBillError::Forbidden { message };
        }
        let wait = retry_after.unwrap_or(self.block_duration);
        let until = Utc::now()
            + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::minutes(10));
        {
            let mut guard = self.blocked_until.lock().unwrap_or_else(|e| e.into_inner());
            if guard.is_none_or(|u| u < until) {
                *guard = Some(until);
            }
        }
        tracing::warn!(%until, "SmartBill blocked the account for exceeding its rate limit");
        SmartBillError::RateLimitBlocked { until, message }
    }
}

impl SmartBillClientBuilder {
    /// The API base URL (default [`DEFAULT_BASE_URL`]); `http` is allowed only for
    /// loopback hosts (tests).
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

    /// The account's rate limiter. Pass the same one to every client of the same
    /// SmartBill account (the limit is per account); by default each built client gets
    /// [`SmartBillClient::default_rate_limiter`]. Clients sharing a limiter also share
    /// the rate-limit block: one that meets it makes all of them refuse calls locally.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The retry policy (default flux-http's: creates are never repeated after a
    /// timeout, reads and cancels are).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// The receipt (`chitanta`) series used when the [`Invoicer`](flux_core::Invoicer)
    /// implementation records a cash payment.
    pub fn receipt_series(mut self, series: impl Into<String>) -> Self {
        self.receipt_series = Some(series.into());
        self
    }

    /// How long to refuse calls locally after SmartBill's rate-limit 403 when SmartBill
    /// does not say (no `Retry-After`); default [`BLOCK_DURATION`], SmartBill's published
    /// 10 minutes. Shorter only makes sense in tests: calling during the block prolongs
    /// nothing locally but is refused by SmartBill.
    pub fn block_duration(mut self, duration: Duration) -> Self {
        self.block_duration = duration;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`SmartBillError::Config`] for an empty email, token or CIF, and
    /// [`SmartBillError::Http`] for a base URL that is not allowed.
    pub fn build(self) -> Result<SmartBillClient, SmartBillError> {
        use flux_http::secret::ExposeSecret as _;
        let username = self.username.trim().to_owned();
        let cif = self.cif.trim().to_owned();
        if username.is_empty() {
            return Err(SmartBillError::Config("the account email is empty".into()));
        }
        if self.token.expose_secret().trim().is_empty() {
            return Err(SmartBillError::Config("the API token is empty".into()));
        }
        if cif.is_empty() {
            return Err(SmartBillError::Config("the company CIF is empty".into()));
        }
        let limiter = self
            .rate_limiter
            .unwrap_or_else(SmartBillClient::default_rate_limiter);
        let blocked_until = block_state_for(&limiter);
        let mut http = HttpClient::builder(PROVIDER)
            .base_url(&self.base_url)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .rate_limiter(limiter)
            .default_header("accept", "application/json")
            .user_agent(
                self.user_agent
                    .unwrap_or_else(|| format!("flux-smartbill/{}", env!("CARGO_PKG_VERSION"))),
            );
        if let Some(policy) = self.retry_policy {
            http = http.retry_policy(policy);
        }
        Ok(SmartBillClient {
            http: http.build()?,
            username,
            token: self.token,
            cif,
            receipt_series: self.receipt_series,
            blocked_until,
            block_duration: self.block_duration,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let builder = SmartBillClient::builder(
            "a@example.ro",
            SecretString::from("tok-SECRET-123"),
            "RO37311090",
        );
        assert!(!format!("{builder:?}").contains("tok-SECRET-123"));
        let client = builder.build().unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("tok-SECRET-123"), "{shown}");
        assert!(shown.contains("RO37311090"));
    }

    #[test]
    fn empty_credentials_are_refused() {
        let err = SmartBillClient::builder("a@example.ro", SecretString::from(" "), "RO1")
            .build()
            .unwrap_err();
        assert!(matches!(err, SmartBillError::Config(_)));
        let err = SmartBillClient::builder("a@example.ro", SecretString::from("t"), "")
            .build()
            .unwrap_err();
        assert!(matches!(err, SmartBillError::Config(_)));
        let err = SmartBillClient::builder("a@example.ro", SecretString::from("t"), "RO1")
            .base_url("http://ws.smartbill.ro/SBORO/api/")
            .build()
            .unwrap_err();
        assert!(matches!(err, SmartBillError::Http(_)));
    }
}
