//! Logging in: `POST LoginUser` returns the token as a bare JSON string, valid 24 h. The
//! token is cached (single-flight: concurrent callers cause one login) and renewed an
//! hour before it expires, or once after Cargus refuses it.

use flux_http::secret::{ExposeSecret, SecretString};
use flux_http::{Token, TokenCache};
use serde::Serialize;

use crate::client::CargusClient;
use crate::error::{CargusError, ErrorBody};
use crate::serde_util::bare_string;

#[derive(Serialize)]
struct LoginUser<'a> {
    #[serde(rename = "UserName")]
    user_name: &'a str,
    #[serde(rename = "Password")]
    password: &'a str,
}

impl CargusClient {
    /// The cached token, logging in when there is none or it is about to expire.
    pub(crate) async fn token(&self) -> Result<Token, CargusError> {
        let cache: &TokenCache<CargusError> = self.tokens();
        cache.get_or_refresh(|| self.login_now()).await
    }

    /// Logs in now (`POST LoginUser`) and caches the new token, replacing any other.
    ///
    /// # Errors
    /// [`CargusError::Auth`] when Cargus refuses the subscription key or the credentials.
    pub async fn login(&self) -> Result<(), CargusError> {
        let token = self.login_now().await?;
        self.tokens().set(token).await;
        Ok(())
    }

    async fn login_now(&self) -> Result<Token, CargusError> {
        let body = LoginUser {
            user_name: self.username(),
            password: self.password().expose_secret(),
        };
        // Logging in twice is harmless, so a 5xx or a timeout may be retried.
        let response = self
            .http()
            .post("LoginUser")
            .json(&body)
            .idempotent(true)
            .send_raw()
            .await?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(match status {
                400 | 401 | 403 => CargusError::Auth {
                    status,
                    message: ErrorBody::parse(&response.text()).message_or(Some("login refused")),
                },
                _ => CargusError::from_response(&response),
            });
        }
        let token = bare_string(&response.text());
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(CargusError::Auth {
                status,
                message: format!(
                    "LoginUser answered without a token: {}",
                    ErrorBody::parse(&response.text()).message_or(Some("empty body"))
                ),
            });
        }
        Ok(Token::expires_in(
            SecretString::from(token),
            self.token_lifetime(),
        ))
    }

    /// `GET TokenVerification`: whether Cargus still accepts the current token.
    ///
    /// # Errors
    /// As any call.
    pub async fn verify_token(&self) -> Result<bool, CargusError> {
        self.get_json("TokenVerification", crate::NO_QUERY).await
    }
}
