//! The authorization-code grant: the authorize redirect with a state nonce, the
//! callback check, and the code-for-token exchange.

use chrono::{DateTime, Utc};
use flux_http::secret::SecretString;
use url::Url;

use super::query_hmac::SignedQuery;
use super::token::{AccessToken, TokenRequest};
use crate::app::ShopifyApp;
use crate::error::ShopifyError;
use crate::shop::ShopDomain;

/// Offline (per shop, for background work) or online (per staff user) access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessMode {
    /// A per-shop token for background jobs and webhooks.
    Offline,
    /// A per-user token tied to the staff member's session.
    Online,
}

/// Where to send the merchant, and the nonce to keep (in a signed, short-lived cookie)
/// until the callback.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// `https://{shop}/admin/oauth/authorize?client_id=…&scope=…&redirect_uri=…&state=…`.
    pub url: Url,
    /// The state nonce (hex of 32 random bytes); compare it with the callback's `state`.
    pub state: String,
}

/// A verified OAuth callback.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthCallback {
    /// The shop that authorized the app.
    pub shop: ShopDomain,
    /// The one-time authorization code.
    pub code: SecretString,
    /// The `host` parameter (base64 of the admin host), if present.
    pub host: Option<String>,
    /// The whole signed query.
    pub query: SignedQuery,
}

/// Hex of 32 random bytes from the OS generator (through UUID v4, which reads it).
pub(crate) fn nonce() -> String {
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    format!("{}{}", hex::encode(a.as_bytes()), hex::encode(b.as_bytes()))
}

impl ShopifyApp {
    /// Starts the authorization-code grant: the URL to redirect the merchant to, with a
    /// fresh state nonce. `grant_options[]=per-user` is added for [`AccessMode::Online`].
    ///
    /// # Errors
    /// [`ShopifyError::Configuration`] if no redirect URI was configured.
    pub fn begin_auth(
        &self,
        shop: &ShopDomain,
        mode: AccessMode,
    ) -> Result<AuthorizationRequest, ShopifyError> {
        let redirect =
            self.inner.redirect_uri.as_ref().ok_or_else(|| {
                ShopifyError::Configuration("begin_auth needs a redirect_uri".into())
            })?;
        let state = nonce();
        let mut url = self.shop_url(shop, "admin/oauth/authorize")?;
        let query = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("client_id", &self.inner.api_key)
                .append_pair("scope", &self.inner.scopes.join(","))
                .append_pair("redirect_uri", redirect.as_str())
                .append_pair("state", &state)
                .append_pair(
                    "grant_options[]",
                    match mode {
                        AccessMode::Online => "per-user",
                        AccessMode::Offline => "",
                    },
                );
            q.finish().replace('+', "%20")
        };
        url.set_query(Some(&query));
        Ok(AuthorizationRequest { url, state })
    }

    /// Verifies the OAuth callback query: HMAC, timestamp freshness, shop domain, and
    /// `state` against the nonce from [`begin_auth`](Self::begin_auth) (constant time).
    ///
    /// # Errors
    /// As [`verify_query_hmac`](Self::verify_query_hmac), plus
    /// [`ShopifyError::StateMismatch`] and [`ShopifyError::InvalidHmac`] when `code` is
    /// missing.
    pub fn validate_callback(
        &self,
        raw_query: &str,
        expected_state: &str,
    ) -> Result<AuthCallback, ShopifyError> {
        self.validate_callback_at(raw_query, expected_state, Utc::now())
    }

    /// [`validate_callback`](Self::validate_callback) with an explicit "now".
    ///
    /// # Errors
    /// As [`validate_callback`](Self::validate_callback).
    pub fn validate_callback_at(
        &self,
        raw_query: &str,
        expected_state: &str,
        now: DateTime<Utc>,
    ) -> Result<AuthCallback, ShopifyError> {
        let query = self.verify_query_hmac_at(raw_query, now)?;
        let state = query.get("state").unwrap_or_default();
        let same: bool =
            subtle::ConstantTimeEq::ct_eq(state.as_bytes(), expected_state.as_bytes()).into();
        if !same || expected_state.is_empty() {
            return Err(ShopifyError::StateMismatch);
        }
        let code = query
            .get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ShopifyError::InvalidHmac("the callback has no `code`".into()))?;
        Ok(AuthCallback {
            shop: query.shop.clone(),
            code: SecretString::from(code.to_owned()),
            host: query.get("host").map(str::to_owned),
            query,
        })
    }

    /// Exchanges the callback's code for an access token
    /// (`POST https://{shop}/admin/oauth/access_token`). With `expiring`, an offline
    /// token expires after an hour and comes with a refresh token (mandatory for public
    /// apps created from 2026-04-01, and for all public apps from 2027-01-01).
    ///
    /// # Errors
    /// [`ShopifyError::OAuth`] when Shopify refuses the code, [`ShopifyError::Http`] for
    /// transport failures.
    pub async fn exchange_code(
        &self,
        callback: &AuthCallback,
        expiring: bool,
    ) -> Result<AccessToken, ShopifyError> {
        use flux_http::secret::ExposeSecret;
        let body = TokenRequest {
            client_id: &self.inner.api_key,
            client_secret: self.inner.api_secret.expose_secret(),
            code: Some(callback.code.expose_secret()),
            expiring: Some(if expiring { "1" } else { "0" }),
            ..TokenRequest::default()
        };
        self.post_token(&callback.shop, &body).await
    }
}
