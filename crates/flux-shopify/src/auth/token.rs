//! Access tokens and the `/admin/oauth/access_token` grants: code exchange, token
//! exchange, refresh and migration to expiring tokens.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use flux_http::secret::{ExposeSecret, SecretString};
use flux_http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::app::ShopifyApp;
use crate::error::ShopifyError;
use crate::shop::ShopDomain;

const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN_TYPE: &str = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TOKEN_TYPE: &str = "urn:shopify:params:oauth:token-type:online-access-token";

/// Which token a token exchange asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestedToken {
    /// A per-shop offline token; `expiring: true` asks for a 1-hour token with a
    /// refresh token (`expiring: "1"`).
    Offline {
        /// Whether to ask for an expiring token.
        expiring: bool,
    },
    /// A per-user online token (always expiring, no refresh token).
    Online,
}

/// The staff member an online token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AssociatedUser {
    /// The user id.
    #[serde(deserialize_with = "crate::types::string_or_number")]
    pub id: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the email is verified.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Whether the user owns the store.
    #[serde(default)]
    pub account_owner: Option<bool>,
    /// The user's locale.
    #[serde(default)]
    pub locale: Option<String>,
    /// Whether the user is a collaborator.
    #[serde(default)]
    pub collaborator: Option<bool>,
}

/// An Admin API access token, with its expiry and refresh token when it has them.
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    /// The token (`X-Shopify-Access-Token`).
    pub access_token: SecretString,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When it expires (`None`: a legacy non-expiring offline token, or a refresh
    /// response that carried no `expires_in`).
    pub expires_at: Option<DateTime<Utc>>,
    /// The refresh token of an expiring offline token. Shopify replaces it on every use:
    /// persist the whole token atomically.
    pub refresh_token: Option<SecretString>,
    /// When the refresh token expires.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// The user of an online token (`None` for offline tokens).
    pub associated_user: Option<AssociatedUser>,
    /// The user's scopes for an online token.
    pub associated_user_scope: Option<String>,
}

impl AccessToken {
    /// A token you already hold (a legacy offline token, or one loaded from storage).
    pub fn new(access_token: SecretString) -> Self {
        Self {
            access_token,
            scopes: Vec::new(),
            expires_at: None,
            refresh_token: None,
            refresh_token_expires_at: None,
            associated_user: None,
            associated_user_scope: None,
        }
    }

    /// Sets the expiry.
    pub fn with_expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Sets the refresh token and its expiry.
    pub fn with_refresh_token(
        mut self,
        token: SecretString,
        expires_at: Option<DateTime<Utc>>,
    ) -> Self {
        self.refresh_token = Some(token);
        self.refresh_token_expires_at = expires_at;
        self
    }

    /// Whether this is an online (per-user) token.
    pub fn is_online(&self) -> bool {
        self.associated_user.is_some()
    }

    /// Whether the token is still usable at `now` for at least `margin`.
    pub fn is_active_at(&self, now: DateTime<Utc>, margin: TimeDelta) -> bool {
        self.expires_at.is_none_or(|at| at - margin > now)
    }

    /// Whether the refresh token (if any) is still valid at `now`.
    pub fn can_refresh_at(&self, now: DateTime<Utc>) -> bool {
        self.refresh_token.is_some() && self.refresh_token_expires_at.is_none_or(|at| at > now)
    }

    /// Whether `scope` was granted (`write_x` implies `read_x`).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| {
            s == scope
                || scope
                    .strip_prefix("read_")
                    .is_some_and(|rest| s.strip_prefix("write_") == Some(rest))
                || scope
                    .strip_prefix("unauthenticated_read_")
                    .is_some_and(|rest| s.strip_prefix("unauthenticated_write_") == Some(rest))
        })
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &"[REDACTED]")
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("refresh_token_expires_at", &self.refresh_token_expires_at)
            .field(
                "associated_user",
                &self.associated_user.as_ref().map(|u| &u.id),
            )
            .finish()
    }
}

/// The body of every `/admin/oauth/access_token` grant.
#[derive(Serialize, Default)]
pub(crate) struct TokenRequest<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) grant_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) subject_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) subject_token_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) requested_token_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expiring: Option<&'a str>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_token_expires_in: Option<i64>,
    #[serde(default)]
    associated_user_scope: Option<String>,
    #[serde(default)]
    associated_user: Option<AssociatedUser>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
}

impl TokenResponse {
    fn into_token(self, now: DateTime<Utc>) -> AccessToken {
        let at = |secs: Option<i64>| secs.map(|s| now + TimeDelta::seconds(s));
        AccessToken {
            access_token: SecretString::from(self.access_token),
            scopes: self
                .scope
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            expires_at: at(self.expires_in),
            refresh_token: self.refresh_token.map(SecretString::from),
            refresh_token_expires_at: at(self.refresh_token_expires_in),
            associated_user: self.associated_user,
            associated_user_scope: self.associated_user_scope,
        }
    }
}

impl ShopifyApp {
    pub(crate) async fn post_token(
        &self,
        shop: &ShopDomain,
        body: &TokenRequest<'_>,
    ) -> Result<AccessToken, ShopifyError> {
        let url = self.shop_url(shop, "admin/oauth/access_token")?;
        let now = Utc::now();
        // A grant is not idempotent (codes and refresh tokens are single use): no retry
        // after the request may have reached Shopify.
        let response = self
            .inner
            .http
            .request_url(Method::POST, url)
            .header("accept", "application/json")
            .json(body)
            .send_raw()
            .await?;
        let status = response.status();
        if status.is_success() {
            let bytes = response.bytes();
            let de = &mut serde_json::Deserializer::from_slice(&bytes);
            let parsed: TokenResponse =
                serde_path_to_error::deserialize(de).map_err(ShopifyError::decode)?;
            return Ok(parsed.into_token(now));
        }
        let parsed: Option<OAuthErrorBody> = serde_json::from_slice(&response.bytes()).ok();
        let (code, description) = match parsed {
            Some(b) => (
                b.error.unwrap_or_else(|| "http_error".into()),
                b.error_description
                    .or_else(|| b.errors.map(|e| e.to_string())),
            ),
            None => ("http_error".to_owned(), None),
        };
        if code == "invalid_subject_token" {
            return Err(ShopifyError::InvalidSessionToken(
                "Shopify refused the session token (invalid_subject_token)".into(),
            ));
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(response.error_for_status().err().map_or_else(
                || ShopifyError::OAuth {
                    code: code.clone(),
                    description: description.clone(),
                    status: status.as_u16(),
                },
                ShopifyError::Http,
            ));
        }
        Err(ShopifyError::OAuth {
            code,
            description,
            status: status.as_u16(),
        })
    }

    /// Token exchange: trades an App Bridge session token for an access token. The
    /// session token is verified locally first and the shop is taken from its `dest`.
    ///
    /// A `400 {"error":"invalid_subject_token"}` comes back as
    /// [`ShopifyError::InvalidSessionToken`]: get a new session token, do not reinstall.
    ///
    /// # Errors
    /// [`ShopifyError::InvalidSessionToken`], [`ShopifyError::OAuth`],
    /// [`ShopifyError::Http`].
    pub async fn exchange_session_token(
        &self,
        session_token: &str,
        requested: RequestedToken,
    ) -> Result<(ShopDomain, AccessToken), ShopifyError> {
        let verified = self.verify_session_token(session_token)?;
        let (token_type, expiring) = match requested {
            RequestedToken::Offline { expiring } => {
                (OFFLINE_TOKEN_TYPE, if expiring { "1" } else { "0" })
            }
            RequestedToken::Online => (ONLINE_TOKEN_TYPE, "0"),
        };
        let body = TokenRequest {
            client_id: &self.inner.api_key,
            client_secret: self.inner.api_secret.expose_secret(),
            grant_type: Some(TOKEN_EXCHANGE_GRANT),
            subject_token: Some(session_token),
            subject_token_type: Some(ID_TOKEN_TYPE),
            requested_token_type: Some(token_type),
            expiring: Some(expiring),
            ..TokenRequest::default()
        };
        let token = self.post_token(&verified.shop, &body).await?;
        Ok((verified.shop, token))
    }

    /// Refreshes an expiring offline token. Shopify rotates the refresh token on every
    /// use: persist the returned token (both halves) before using it. Prefer
    /// [`OfflineTokenManager`](crate::auth::OfflineTokenManager), which serializes
    /// refreshes per shop and persists through your store.
    ///
    /// # Errors
    /// [`ShopifyError::OAuth`] (e.g. `invalid_grant` for a used or expired refresh
    /// token), [`ShopifyError::Http`].
    pub async fn refresh_access_token(
        &self,
        shop: &ShopDomain,
        refresh_token: &SecretString,
    ) -> Result<AccessToken, ShopifyError> {
        let body = TokenRequest {
            client_id: &self.inner.api_key,
            client_secret: self.inner.api_secret.expose_secret(),
            grant_type: Some("refresh_token"),
            refresh_token: Some(refresh_token.expose_secret()),
            ..TokenRequest::default()
        };
        self.post_token(shop, &body).await
    }

    /// Migrates a legacy non-expiring offline token to an expiring one (one-time and
    /// irreversible per shop; the old token stops working).
    ///
    /// # Errors
    /// [`ShopifyError::OAuth`], [`ShopifyError::Http`].
    pub async fn migrate_to_expiring_token(
        &self,
        shop: &ShopDomain,
        legacy_token: &SecretString,
    ) -> Result<AccessToken, ShopifyError> {
        let body = TokenRequest {
            client_id: &self.inner.api_key,
            client_secret: self.inner.api_secret.expose_secret(),
            grant_type: Some(TOKEN_EXCHANGE_GRANT),
            subject_token: Some(legacy_token.expose_secret()),
            subject_token_type: Some(OFFLINE_TOKEN_TYPE),
            requested_token_type: Some(OFFLINE_TOKEN_TYPE),
            expiring: Some("1"),
            ..TokenRequest::default()
        };
        self.post_token(shop, &body).await
    }
}
