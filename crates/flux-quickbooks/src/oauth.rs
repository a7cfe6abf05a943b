//! OAuth 2.0 with Intuit: the authorization URL, the callback, the code exchange, refresh
//! and revocation, built on the `oauth2` crate over our own HTTP client.
//!
//! Intuit specifics handled here:
//! - the callback carries `realmId` (the company), which the token response does not;
//! - token calls send `x-include-refresh-token-hard-expires-in: true`, so the five-year
//!   hard expiry of the refresh token is recorded when Intuit returns it;
//! - refresh tokens rotate: every [`TokenSet`] from [`QuickBooksOAuth::refresh`] must be
//!   stored (see [`TokenManager`](crate::TokenManager), which does it for you);
//! - `invalid_grant` becomes [`QuickBooksError::ReconnectNeeded`].

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use flux_http::HttpClient;
use flux_http::secret::{ExposeSecret, SecretString};
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::environment::Environment;
use crate::error::QuickBooksError;
use crate::oauth_http::{OAuthHttp, SeenResponse};

/// Intuit's authorization (consent) endpoint.
pub const AUTHORIZATION_URL: &str = "https://appcenter.intuit.com/connect/oauth2";
/// Intuit's token endpoint (code exchange and refresh; the same for sandbox and production).
pub const TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
/// Intuit's revocation endpoint.
pub const REVOCATION_URL: &str = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke";

/// The Accounting API scope.
pub const SCOPE_ACCOUNTING: &str = "com.intuit.quickbooks.accounting";
/// The OpenID scope (adds an `id_token`).
pub const SCOPE_OPENID: &str = "openid";

/// Intuit's extra token-response fields.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
struct IntuitTokenFields {
    #[serde(default)]
    x_refresh_token_expires_in: Option<u64>,
    #[serde(default)]
    x_refresh_token_hard_expires_in: Option<u64>,
    #[serde(default)]
    id_token: Option<String>,
}

impl ExtraTokenFields for IntuitTokenFields {}

type IntuitTokenResponse = StandardTokenResponse<IntuitTokenFields, BasicTokenType>;

type IntuitOAuthClient = oauth2::Client<
    BasicErrorResponse,
    IntuitTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointSet,
>;

/// The tokens of one connected company. Persist all of it; `Debug` hides the secrets.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenSet {
    /// The company (realm) id, from the authorization callback.
    pub realm_id: String,
    /// The access token (one hour).
    pub access_token: SecretString,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// The refresh token: replace the stored one with every new value.
    pub refresh_token: SecretString,
    /// When the refresh token stops rolling (`x_refresh_token_expires_in`, ~100 days).
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// The refresh token's hard expiry (`x_refresh_token_hard_expires_in`, at most five
    /// years after the first connection), when Intuit returned it.
    pub refresh_token_hard_expires_at: Option<DateTime<Utc>>,
}

impl TokenSet {
    /// Tokens loaded from storage.
    pub fn new(
        realm_id: impl Into<String>,
        access_token: SecretString,
        access_token_expires_at: DateTime<Utc>,
        refresh_token: SecretString,
    ) -> Self {
        Self {
            realm_id: realm_id.into(),
            access_token,
            access_token_expires_at,
            refresh_token,
            refresh_token_expires_at: None,
            refresh_token_hard_expires_at: None,
        }
    }

    /// Sets the refresh token's rolling expiry.
    #[must_use]
    pub fn with_refresh_token_expires_at(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.refresh_token_expires_at = at;
        self
    }

    /// Sets the refresh token's hard expiry.
    #[must_use]
    pub fn with_refresh_token_hard_expires_at(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.refresh_token_hard_expires_at = at;
        self
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("realm_id", &self.realm_id)
            .field("access_token", &"[REDACTED]")
            .field("access_token_expires_at", &self.access_token_expires_at)
            .field("refresh_token", &"[REDACTED]")
            .field("refresh_token_expires_at", &self.refresh_token_expires_at)
            .field(
                "refresh_token_hard_expires_at",
                &self.refresh_token_hard_expires_at,
            )
            .finish()
    }
}

/// Where to send the user, and the `state` to check on the callback.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The consent URL.
    pub url: Url,
    /// The CSRF state: keep it in the user's session and compare on the callback.
    pub state: String,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// A validated authorization callback.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthorizationCallback {
    /// The one-time authorization code.
    pub code: SecretString,
    /// The company that was connected.
    pub realm_id: String,
}

impl fmt::Debug for AuthorizationCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCallback")
            .field("code", &"[REDACTED]")
            .field("realm_id", &self.realm_id)
            .finish()
    }
}

/// The OAuth client of one Intuit app.
#[derive(Clone)]
pub struct QuickBooksOAuth {
    client: IntuitOAuthClient,
    token_http: HttpClient,
    revoke_http: HttpClient,
    /// The real revocation URL when it is plain `http` to a loopback host (tests): the
    /// `oauth2` crate only accepts HTTPS revocation URLs, so it is given the `https` form
    /// and the request is sent here.
    loopback_revocation_url: Option<Url>,
    environment: Environment,
}

impl fmt::Debug for QuickBooksOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuickBooksOAuth")
            .field("client_id", &self.client.client_id().as_str())
            .field("client_secret", &"[REDACTED]")
            .field("token_url", &self.client.token_uri().as_str())
            .field("environment", &self.environment)
            .finish()
    }
}

impl QuickBooksOAuth {
    /// Starts a builder for the app `client_id`/`client_secret` with its registered
    /// `redirect_uri` (it must match exactly).
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: impl Into<String>,
    ) -> QuickBooksOAuthBuilder {
        QuickBooksOAuthBuilder {
            client_id: client_id.into(),
            client_secret,
            redirect_uri: redirect_uri.into(),
            environment: Environment::Production,
            authorization_url: AUTHORIZATION_URL.to_owned(),
            token_url: TOKEN_URL.to_owned(),
            revocation_url: REVOCATION_URL.to_owned(),
            timeout: Duration::from_secs(30),
        }
    }

    /// The environment (production or sandbox) the tokens are for.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The consent URL for `scopes` (use [`SCOPE_ACCOUNTING`]) with a fresh random `state`.
    pub fn authorization_url(&self, scopes: &[&str]) -> AuthorizationRequest {
        let (url, state) = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .url();
        AuthorizationRequest {
            url,
            state: state.secret().clone(),
        }
    }

    /// Checks the callback's query string (`code=…&state=…&realmId=…`) against the `state`
    /// sent.
    ///
    /// # Errors
    /// [`QuickBooksError::Callback`] when the state differs, the user declined
    /// (`error=access_denied`), or `code`/`realmId` is missing.
    pub fn parse_callback(
        &self,
        query: &str,
        expected_state: &str,
    ) -> Result<AuthorizationCallback, QuickBooksError> {
        let query = query.trim_start_matches('?');
        let mut code = None;
        let mut state = None;
        let mut realm_id = None;
        let mut error = None;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "code" => code = Some(value.into_owned()),
                "state" => state = Some(value.into_owned()),
                "realmId" => realm_id = Some(value.into_owned()),
                "error" => error = Some(value.into_owned()),
                _ => {}
            }
        }
        let state_ok = state.as_deref().is_some_and(|s| {
            subtle::ConstantTimeEq::ct_eq(s.as_bytes(), expected_state.as_bytes()).into()
        });
        if !state_ok {
            return Err(QuickBooksError::Callback(
                "the state does not match the one sent".to_owned(),
            ));
        }
        if let Some(error) = error {
            return Err(QuickBooksError::Callback(format!(
                "authorization refused: {error}"
            )));
        }
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| QuickBooksError::Callback("the callback has no code".to_owned()))?;
        let realm_id = realm_id.filter(|r| !r.is_empty()).ok_or_else(|| {
            QuickBooksError::Callback(
                "the callback has no realmId (was the accounting scope requested?)".to_owned(),
            )
        })?;
        Ok(AuthorizationCallback {
            code: SecretString::from(code),
            realm_id,
        })
    }

    /// Exchanges the callback's code for tokens.
    ///
    /// # Errors
    /// [`QuickBooksError::ReconnectNeeded`] for `invalid_grant` (code used or expired),
    /// [`QuickBooksError::OAuth`] for other refusals, [`QuickBooksError::Http`] for
    /// transport failures.
    pub async fn exchange_code(
        &self,
        callback: &AuthorizationCallback,
    ) -> Result<TokenSet, QuickBooksError> {
        let http = OAuthHttp::token(&self.token_http);
        let result = self
            .client
            .exchange_code(AuthorizationCode::new(
                callback.code.expose_secret().to_owned(),
            ))
            .request_async(&http)
            .await;
        let response = result.map_err(|e| token_error(e, &http.seen()))?;
        token_set(&callback.realm_id, &response, None)
    }

    /// Exchanges `refresh_token` for new tokens. The returned refresh token may differ
    /// from the one sent: store it before using the access token.
    ///
    /// # Errors
    /// As [`exchange_code`](Self::exchange_code).
    pub async fn refresh(
        &self,
        realm_id: &str,
        refresh_token: &SecretString,
        previous_hard_expiry: Option<DateTime<Utc>>,
    ) -> Result<TokenSet, QuickBooksError> {
        let http = OAuthHttp::token(&self.token_http);
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let result = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await;
        let response = result.map_err(|e| token_error(e, &http.seen()))?;
        let mut set = token_set(realm_id, &response, Some(refresh_token))?;
        if set.refresh_token_hard_expires_at.is_none() {
            set.refresh_token_hard_expires_at = previous_hard_expiry;
        }
        Ok(set)
    }

    /// Revokes a refresh token (which also ends its access tokens): use it when the
    /// customer disconnects.
    ///
    /// # Errors
    /// [`QuickBooksError::OAuth`] when Intuit refuses, [`QuickBooksError::Http`] for
    /// transport failures.
    pub async fn revoke(&self, refresh_token: &SecretString) -> Result<(), QuickBooksError> {
        let http = OAuthHttp::revoke(&self.revoke_http, self.loopback_revocation_url.clone());
        let token = StandardRevocableToken::RefreshToken(RefreshToken::new(
            refresh_token.expose_secret().to_owned(),
        ));
        let request = self
            .client
            .revoke_token(token)
            .map_err(|e| QuickBooksError::Config(e.to_string()))?;
        request
            .request_async(&http)
            .await
            .map_err(|e| token_error(e, &http.seen()))
    }
}

fn token_set(
    realm_id: &str,
    response: &IntuitTokenResponse,
    previous_refresh: Option<&SecretString>,
) -> Result<TokenSet, QuickBooksError> {
    let now = Utc::now();
    let after =
        |secs: u64| now + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000));
    let access_expires = response.expires_in().map_or(3600, |d| d.as_secs());
    let refresh_token = match (response.refresh_token(), previous_refresh) {
        (Some(token), _) => SecretString::from(token.secret().to_owned()),
        (None, Some(previous)) => previous.clone(),
        (None, None) => {
            return Err(QuickBooksError::Decode {
                message: "the token response has no refresh_token".to_owned(),
                intuit_tid: None,
            });
        }
    };
    let extra = response.extra_fields();
    Ok(TokenSet {
        realm_id: realm_id.to_owned(),
        access_token: SecretString::from(response.access_token().secret().to_owned()),
        access_token_expires_at: after(access_expires),
        refresh_token,
        refresh_token_expires_at: extra.x_refresh_token_expires_in.map(after),
        refresh_token_hard_expires_at: extra.x_refresh_token_hard_expires_in.map(after),
    })
}

fn token_error<E>(
    err: RequestTokenError<flux_http::HttpError, E>,
    seen: &SeenResponse,
) -> QuickBooksError
where
    E: oauth2::ErrorResponse + OAuthErrorFields + 'static,
{
    match err {
        RequestTokenError::ServerResponse(body) => {
            let (code, description) = body.fields();
            if code == "invalid_grant" {
                QuickBooksError::ReconnectNeeded {
                    description,
                    intuit_tid: seen.intuit_tid.clone(),
                }
            } else {
                QuickBooksError::OAuth {
                    error: code,
                    description,
                    status: seen.status,
                    intuit_tid: seen.intuit_tid.clone(),
                }
            }
        }
        RequestTokenError::Request(http) => QuickBooksError::Http(http),
        RequestTokenError::Parse(e, body) => QuickBooksError::OAuth {
            error: "unparsable_response".to_owned(),
            description: format!(
                "{e}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            ),
            status: seen.status,
            intuit_tid: seen.intuit_tid.clone(),
        },
        RequestTokenError::Other(message) => QuickBooksError::OAuth {
            error: "unexpected_response".to_owned(),
            description: message,
            status: seen.status,
            intuit_tid: seen.intuit_tid.clone(),
        },
    }
}

/// The `error` and `error_description` of a token-endpoint error body.
trait OAuthErrorFields {
    fn fields(&self) -> (String, String);
}

impl OAuthErrorFields for BasicErrorResponse {
    fn fields(&self) -> (String, String) {
        let code = match self.error() {
            BasicErrorResponseType::InvalidGrant => "invalid_grant".to_owned(),
            other => other.to_string(),
        };
        (code, self.error_description().cloned().unwrap_or_default())
    }
}

impl OAuthErrorFields for BasicRevocationErrorResponse {
    fn fields(&self) -> (String, String) {
        (
            self.error().to_string(),
            self.error_description().cloned().unwrap_or_default(),
        )
    }
}

/// Builds a [`QuickBooksOAuth`].
pub struct QuickBooksOAuthBuilder {
    client_id: String,
    client_secret: SecretString,
    redirect_uri: String,
    environment: Environment,
    authorization_url: String,
    token_url: String,
    revocation_url: String,
    timeout: Duration,
}

impl fmt::Debug for QuickBooksOAuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuickBooksOAuthBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("redirect_uri", &self.redirect_uri)
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

impl QuickBooksOAuthBuilder {
    /// Production (default) or sandbox. The OAuth endpoints are the same; the environment
    /// is recorded so API clients pick the right host.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Overrides the authorization endpoint (tests, discovery document).
    pub fn authorization_url(mut self, url: impl Into<String>) -> Self {
        self.authorization_url = url.into();
        self
    }

    /// Overrides the token endpoint (tests, discovery document).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// Overrides the revocation endpoint (tests, discovery document).
    pub fn revocation_url(mut self, url: impl Into<String>) -> Self {
        self.revocation_url = url.into();
        self
    }

    /// Timeout of each token call (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`QuickBooksError::Config`] for a malformed URL.
    pub fn build(self) -> Result<QuickBooksOAuth, QuickBooksError> {
        let bad =
            |what: &str, e: &dyn fmt::Display| QuickBooksError::Config(format!("{what}: {e}"));
        let mut revocation_url = self.revocation_url;
        let mut loopback_revocation_url = None;
        if let Ok(parsed) = Url::parse(&revocation_url)
            && parsed.scheme() == "http"
            && is_loopback(&parsed)
        {
            let mut https = parsed.clone();
            https
                .set_scheme("https")
                .map_err(|()| QuickBooksError::Config("revocation URL".to_owned()))?;
            revocation_url = https.to_string();
            loopback_revocation_url = Some(parsed);
        }
        let client = oauth2::Client::new(ClientId::new(self.client_id))
            .set_client_secret(ClientSecret::new(
                self.client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(
                AuthUrl::new(self.authorization_url).map_err(|e| bad("authorization URL", &e))?,
            )
            .set_token_uri(TokenUrl::new(self.token_url).map_err(|e| bad("token URL", &e))?)
            .set_revocation_url(
                RevocationUrl::new(revocation_url).map_err(|e| bad("revocation URL", &e))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(self.redirect_uri).map_err(|e| bad("redirect URI", &e))?,
            );
        let http = |name: &str| {
            HttpClient::builder(name)
                .timeout(self.timeout)
                .follow_redirects(false)
                .user_agent(crate::client::USER_AGENT)
                .build()
                .map_err(|e| QuickBooksError::Config(e.to_string()))
        };
        Ok(QuickBooksOAuth {
            client,
            token_http: http("quickbooks-oauth")?,
            revoke_http: http("quickbooks-oauth-revoke")?,
            loopback_revocation_url,
            environment: self.environment,
        })
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
