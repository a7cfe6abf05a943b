//! Session tokens: the HS256 JWTs App Bridge sends as `Authorization: Bearer …` (or
//! `id_token` on the first document load).

use chrono::{DateTime, Utc};
use flux_http::secret::ExposeSecret;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind as JwtErrorKind};
use serde::{Deserialize, Serialize};

use crate::app::ShopifyApp;
use crate::error::ShopifyError;
use crate::shop::ShopDomain;

/// Clock leeway for `exp`/`nbf`, in seconds (as Shopify's own libraries).
pub const SESSION_TOKEN_LEEWAY_SECS: i64 = 10;

/// The claims of a session token, as Shopify sends them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SessionTokenClaims {
    /// The shop's admin URL, e.g. `https://shop.myshopify.com/admin`.
    pub iss: String,
    /// The shop's URL, e.g. `https://shop.myshopify.com`.
    pub dest: String,
    /// The app's client id.
    pub aud: String,
    /// The staff user id (a numeric string).
    #[serde(default)]
    pub sub: Option<String>,
    /// Expiry (seconds since the epoch); tokens live one minute.
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Unique token id.
    #[serde(default)]
    pub jti: Option<String>,
    /// Session id per user and app.
    #[serde(default)]
    pub sid: Option<String>,
}

/// A verified session token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionToken {
    /// The shop, from `dest`.
    pub shop: ShopDomain,
    /// The staff user id, when `iss` is the admin and `sub` is numeric.
    pub user_id: Option<u64>,
    /// All claims.
    pub claims: SessionTokenClaims,
}

impl SessionToken {
    /// The online session id Shopify's libraries use: `{shop}_{userId}`.
    pub fn online_session_id(&self) -> Option<String> {
        self.user_id.map(|id| format!("{}_{id}", self.shop))
    }
}

fn invalid(msg: impl Into<String>) -> ShopifyError {
    ShopifyError::InvalidSessionToken(msg.into())
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok()?.host_str().map(str::to_owned)
}

impl ShopifyApp {
    /// Verifies a session token: HS256 signature with the client secret (then the old
    /// secret), `aud` equal to the client id, `exp`/`nbf` with a 10 s leeway, and `iss`
    /// on the same host as `dest`. Accepts the raw JWT or `Bearer <jwt>`.
    ///
    /// On failure, answer the request with 401 and
    /// `X-Shopify-Retry-Invalid-Session-Request: 1` so App Bridge retries with a new token.
    ///
    /// # Errors
    /// [`ShopifyError::InvalidSessionToken`].
    pub fn verify_session_token(&self, token: &str) -> Result<SessionToken, ShopifyError> {
        self.verify_session_token_at(token, Utc::now())
    }

    /// [`verify_session_token`](Self::verify_session_token) with an explicit "now".
    ///
    /// # Errors
    /// [`ShopifyError::InvalidSessionToken`].
    pub fn verify_session_token_at(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<SessionToken, ShopifyError> {
        let token = token.trim();
        let token = token
            .strip_prefix("Bearer ")
            .or_else(|| token.strip_prefix("bearer "))
            .unwrap_or(token)
            .trim();
        let mut validation = Validation::new(Algorithm::HS256);
        // exp/nbf are checked below against `now` (injectable); the library would use
        // the system clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_audience(&[self.api_key()]);
        validation.set_required_spec_claims(&["exp", "nbf", "aud"]);

        let mut last_err = None;
        let mut claims = None;
        for secret in self.secrets() {
            let key = DecodingKey::from_secret(secret.expose_secret().as_bytes());
            match jsonwebtoken::decode::<SessionTokenClaims>(token, &key, &validation) {
                Ok(data) => {
                    claims = Some(data.claims);
                    break;
                }
                Err(e) => {
                    let retry_other_secret = matches!(e.kind(), JwtErrorKind::InvalidSignature);
                    last_err = Some(e);
                    if !retry_other_secret {
                        break;
                    }
                }
            }
        }
        let claims = match (claims, last_err) {
            (Some(c), _) => c,
            (None, Some(e)) => {
                let why = match e.kind() {
                    JwtErrorKind::InvalidSignature => "bad signature".to_owned(),
                    JwtErrorKind::InvalidAudience => "audience is not this app".to_owned(),
                    JwtErrorKind::InvalidAlgorithm => "algorithm is not HS256".to_owned(),
                    JwtErrorKind::MissingRequiredClaim(c) => format!("missing claim `{c}`"),
                    _ => format!("malformed token ({e})"),
                };
                return Err(invalid(why));
            }
            (None, None) => return Err(invalid("no secret configured")),
        };

        let now = now.timestamp();
        if now > claims.exp + SESSION_TOKEN_LEEWAY_SECS {
            return Err(invalid("expired"));
        }
        if now + SESSION_TOKEN_LEEWAY_SECS < claims.nbf {
            return Err(invalid("not yet valid (nbf)"));
        }
        let dest_host = host_of(&claims.dest).ok_or_else(|| invalid("`dest` is not a URL"))?;
        if host_of(&claims.iss).as_deref() != Some(dest_host.as_str()) {
            return Err(invalid("`iss` and `dest` are different shops"));
        }
        let shop = ShopDomain::parse(&dest_host).map_err(|_| invalid("`dest` is not a shop"))?;
        let user_id = if claims.iss.ends_with("/admin") {
            claims.sub.as_deref().and_then(|s| s.parse().ok())
        } else {
            None
        };
        Ok(SessionToken {
            shop,
            user_id,
            claims,
        })
    }
}
