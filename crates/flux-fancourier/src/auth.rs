//! `POST login`: username and password for a Bearer token valid 24 hours.
//!
//! The token is cached in a [`TokenCache`](flux_http::TokenCache): concurrent callers
//! share one login, and a `401` causes one re-login (see [`crate::client`]).

use std::time::Duration;

use chrono::Utc;
use flux_http::secret::{ExposeSecret, SecretString};
use flux_http::{HttpClient, Method, Token};
use serde::Deserialize;

use crate::client::message_text;
use crate::error::FanCourierError;
use crate::wire;

/// FAN's documented token lifetime.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

#[derive(Deserialize)]
struct LoginResponse {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    data: Option<LoginData>,
}

#[derive(Deserialize)]
struct LoginData {
    token: String,
    #[serde(rename = "expiresAt", default)]
    expires_at: Option<String>,
}

/// Logs in and returns the token. `expiresAt` carries no zone; it is read as
/// Europe/Bucharest, and a missing, unparsable or past value falls back to 24 h.
pub(crate) async fn login(
    http: &HttpClient,
    username: &str,
    password: &SecretString,
) -> Result<Token, FanCourierError> {
    let form = [
        ("username", username),
        ("password", password.expose_secret()),
    ];
    let response = http
        .request(Method::POST, "login")
        .form(&form)
        // Logging in has no side effects, so a timed-out login may be repeated.
        .idempotent(true)
        .send_raw()
        .await?;
    let status = response.status().as_u16();
    let parsed: Option<LoginResponse> = response.json().ok();
    match parsed {
        Some(LoginResponse {
            status: Some(s),
            data: Some(data),
            ..
        }) if s == "success" => {
            let secret = SecretString::from(data.token);
            let expiry = data
                .expires_at
                .as_deref()
                .and_then(wire::parse_local_datetime)
                .map(|dt| dt.with_timezone(&Utc))
                .filter(|dt| *dt > Utc::now());
            Ok(match expiry {
                Some(at) => Token::expires_at_utc(secret, at),
                None => Token::expires_in(secret, TOKEN_LIFETIME),
            })
        }
        Some(body) if status < 500 && status != 429 => Err(FanCourierError::Auth {
            message: message_text(body.message.as_ref())
                .unwrap_or_else(|| "login refused".to_owned()),
            status: Some(status),
        }),
        _ => {
            // Not a FAN login body: let the transport classify it (5xx, 429, HTML).
            response.error_for_status()?;
            Err(FanCourierError::UnexpectedContent {
                message: "the login response has no token".to_owned(),
            })
        }
    }
}
