//! Secrets: the [`SecretString`] type every credential is kept in, and helpers that turn
//! secrets into header values marked sensitive (so `Debug` of a header map shows
//! `Sensitive` instead of the value).

use base64::Engine as _;
use http::HeaderValue;
pub use secrecy::{ExposeSecret, SecretString};

use crate::HttpError;

/// A header value holding a secret, marked sensitive.
///
/// ```
/// use flux_http::secret::{SecretString, sensitive_header_value};
///
/// let key = SecretString::from("k-123");
/// let value = sensitive_header_value(&key)?;
/// assert!(value.is_sensitive());
/// assert!(!format!("{value:?}").contains("k-123"));
/// # Ok::<(), flux_http::HttpError>(())
/// ```
///
/// # Errors
/// [`HttpError::InvalidRequest`] if the secret holds bytes not allowed in a header
/// (such as a newline). The message does not include the secret.
pub fn sensitive_header_value(secret: &SecretString) -> Result<HeaderValue, HttpError> {
    sensitive_from_str(secret.expose_secret())
}

/// `Authorization: Bearer <token>`, marked sensitive.
///
/// # Errors
/// [`HttpError::InvalidRequest`] if the token holds bytes not allowed in a header.
pub fn bearer_header_value(token: &SecretString) -> Result<HeaderValue, HttpError> {
    sensitive_from_str(&format!("Bearer {}", token.expose_secret()))
}

/// `Authorization: Basic base64(user:password)`, marked sensitive.
///
/// # Errors
/// [`HttpError::InvalidRequest`] if the encoded value is not a valid header (it always is
/// for base64 output, so this does not happen in practice).
pub fn basic_auth_header_value(
    user: &str,
    password: &SecretString,
) -> Result<HeaderValue, HttpError> {
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(format!("{user}:{}", password.expose_secret()));
    sensitive_from_str(&format!("Basic {encoded}"))
}

fn sensitive_from_str(value: &str) -> Result<HeaderValue, HttpError> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        // The source error is dropped on purpose: nothing derived from the secret is kept.
        HttpError::invalid_request("a secret holds characters not allowed in an HTTP header")
    })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_encoded_and_sensitive() {
        let value = basic_auth_header_value("user", &SecretString::from("pass")).unwrap();
        assert_eq!(value.to_str().unwrap(), "Basic dXNlcjpwYXNz");
        assert!(value.is_sensitive());
    }

    #[test]
    fn bad_secret_error_does_not_echo_it() {
        let err = sensitive_header_value(&SecretString::from("abc\ndef")).unwrap_err();
        assert!(!format!("{err:?}").contains("abc"));
    }
}
