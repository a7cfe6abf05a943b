//! Logging in: `POST /api/authenticate` with `X-Auth-Username` / `X-Auth-Password`, which
//! answers `{"token":"…","expire_at":"2026-01-02 12:23"}`. Later calls send the token in
//! `X-AUTH-TOKEN` (see [`SamedayClient::execute`](crate::SamedayClient)).
//!
//! `expire_at` is a naive local time of the account's country; it is read in that zone
//! (Europe/Bucharest for Romania). When it is missing or unreadable the token is kept for
//! ten minutes, as Sameday's SDK does; a 401/403 replaces it earlier in any case.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeZone, Utc};
use flux_http::secret::SecretString;
use flux_http::{Method, Token};
use serde::Deserialize;

use crate::SamedayClient;
use crate::client::classify;
use crate::error::SamedayError;

#[derive(Deserialize)]
struct AuthResponse {
    token: Option<SecretString>,
    #[serde(default)]
    expire_at: Option<String>,
}

const FALLBACK_LIFETIME: Duration = Duration::from_secs(600);

impl SamedayClient {
    /// Logs in once (no token cache); used by the token cache's refresh.
    pub(crate) async fn authenticate(&self) -> Result<Token, SamedayError> {
        let inner = &self.inner;
        let response = inner
            .http
            .request(Method::POST, "api/authenticate")
            .header("X-Auth-Username", inner.username.as_str())
            .sensitive_header("X-Auth-Password", &inner.password)
            .body_bytes("remember_me=1", "application/x-www-form-urlencoded")
            .send_raw()
            .await?;
        if !response.status().is_success() {
            return Err(match classify(response) {
                // A login refused for any client-side reason is a credentials problem.
                SamedayError::BadRequest { message, .. } => SamedayError::Auth {
                    status: 400,
                    message,
                },
                other => other,
            });
        }
        let body: AuthResponse = response.json()?;
        let Some(token) = body.token else {
            return Err(SamedayError::Auth {
                status: 200,
                message: "Sameday's login answer had no token".to_owned(),
            });
        };
        Ok(
            match body.expire_at.as_deref().and_then(|s| self.parse_expiry(s)) {
                Some(at) => Token::expires_at_utc(token, at),
                None => Token::expires_in(token, FALLBACK_LIFETIME),
            },
        )
    }

    fn parse_expiry(&self, s: &str) -> Option<chrono::DateTime<Utc>> {
        let s = s.trim();
        let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
            .ok()?;
        self.inner
            .country
            .time_zone()
            .from_local_datetime(&naive)
            .earliest()
            .map(|dt| dt.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Country;

    #[test]
    fn expiry_is_read_in_the_country_zone() {
        let client = SamedayClient::builder("u", "p".into())
            .country(Country::Romania)
            .build()
            .unwrap();
        let at = client.parse_expiry("2026-01-02 12:23").unwrap();
        // Bucharest is UTC+2 in winter.
        assert_eq!(at.to_rfc3339(), "2026-01-02T10:23:00+00:00");
        let summer = client.parse_expiry("2026-07-02 12:23").unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-07-02T09:23:00+00:00");
        assert!(client.parse_expiry("tomorrow").is_none());
    }
}
