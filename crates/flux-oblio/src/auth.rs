//! The OAuth 2.0 client-credentials token (`POST /api/authorize/token`).
//!
//! `client_id` is the login email and `client_secret` the API secret from *Setari > Date
//! Cont* (regenerated whenever the account password is reset). The token lives 3600 s;
//! `expires_in` arrives as a string (`"3600"`) or a number. One token is cached per
//! client (and its clones) and refreshed by a single caller however many wait for it; a
//! 401 invalidates it once and the call is retried with a fresh token.

use std::time::Duration;

use flux_http::secret::{ExposeSecret, SecretString};
use flux_http::{Method, Token};
use serde::{Deserialize, Serialize};

use crate::client::OblioClient;
use crate::error::OblioError;
use crate::wire;

/// Oblio's documented token lifetime, used when the answer has no `expires_in`.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

#[derive(Serialize)]
struct TokenRequest<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    grant_type: &'static str,
}

/// The token endpoint's answer. `expires_in` and `request_time` may be strings or numbers.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "wire::loose_i64")]
    expires_in: Option<i64>,
    #[serde(default)]
    token_type: Option<String>,
}

impl OblioClient {
    /// The cached access token, logging in first if there is none or it is about to expire.
    pub(crate) async fn token(&self) -> Result<Token, OblioError> {
        self.inner().tokens.get_or_refresh(|| self.login()).await
    }

    async fn login(&self) -> Result<Token, OblioError> {
        let inner = self.inner();
        let body = TokenRequest {
            client_id: &inner.email,
            client_secret: inner.secret.expose_secret(),
            grant_type: "client_credentials",
        };
        let response = inner
            .http
            .request(Method::POST, "api/authorize/token")
            .header("accept", "application/json")
            .form(&body)
            // Logging in twice is harmless.
            .idempotent(true)
            .send_raw()
            .await?;
        if !response.is_success() {
            let status = response.status().as_u16();
            let message = crate::client::status_message(&response)
                .unwrap_or_else(|| format!("Error authorize token! HTTP status: {status}"));
            return Err(match status {
                400 | 401 | 403 => OblioError::Auth {
                    message,
                    http_status: status,
                },
                _ => crate::client::classify_failure(response, message),
            });
        }
        let token: TokenResponse = response.json()?;
        if let Some(kind) = token.token_type.as_deref()
            && !kind.eq_ignore_ascii_case("bearer")
        {
            tracing::warn!(
                token_type = kind,
                "unexpected Oblio token type; sending it as Bearer"
            );
        }
        let lifetime = token
            .expires_in
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs);
        Ok(Token::expires_in(
            SecretString::from(token.access_token),
            lifetime,
        ))
    }
}
