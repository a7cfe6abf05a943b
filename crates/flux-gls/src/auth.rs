//! MyGLS authentication: no token and no session. Every request body carries `Username`
//! and `Password`, where `Password` is the SHA-512 digest of the password written as a
//! JSON array of 64 byte values (`[12,250,…]`), not hex and not base64.
//!
//! The digest is computed once, when the client is built, and kept in a
//! [`SecretBox`](secrecy::SecretBox) (it logs in as well as the password does, so it is
//! as secret). `Debug` never shows it.
//!
//! A refused login is **never retried**: about five failed logins in a row lock the MyGLS
//! account for a while ("Too many failed login attempts. Your account has been locked
//! until 11:13"). After one refused login the client also stops sending requests (see
//! [`GlsClientBuilder::auth_failure_cooldown`](crate::GlsClientBuilder::auth_failure_cooldown)),
//! so a queue of tracking jobs cannot lock the account by itself.

use std::fmt;

use flux_http::secret::{ExposeSecret, SecretString};
use secrecy::SecretBox;
use serde::Serialize;
use sha2::{Digest, Sha512};

/// The SHA-512 digest of `password`, as MyGLS wants it in `Password`.
pub fn password_digest(password: &SecretString) -> SecretBox<[u8; 64]> {
    let digest = Sha512::digest(password.expose_secret().as_bytes());
    let mut bytes = Box::new([0u8; 64]);
    bytes.copy_from_slice(&digest);
    SecretBox::new(bytes)
}

/// The login sent in every body.
pub(crate) struct Credentials {
    pub(crate) username: String,
    digest: SecretBox<[u8; 64]>,
    pub(crate) webshop_engine: Option<String>,
}

impl Credentials {
    pub(crate) fn new(
        username: String,
        password: &SecretString,
        webshop_engine: Option<String>,
    ) -> Self {
        Self {
            username,
            digest: password_digest(password),
            webshop_engine,
        }
    }

    /// Wraps a request body with the login fields.
    pub(crate) fn envelope<'a, T: Serialize>(&'a self, body: &'a T) -> Envelope<'a, T> {
        Envelope {
            username: &self.username,
            password: self.digest.expose_secret().as_slice(),
            webshop_engine: self.webshop_engine.as_deref(),
            body,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("webshop_engine", &self.webshop_engine)
            .finish()
    }
}

/// A request body with `Username`, `Password` (64 byte values) and, when configured,
/// `WebshopEngine` merged in.
#[derive(Serialize)]
pub(crate) struct Envelope<'a, T> {
    #[serde(rename = "Username")]
    username: &'a str,
    #[serde(rename = "Password")]
    password: &'a [u8],
    #[serde(rename = "WebshopEngine", skip_serializing_if = "Option::is_none")]
    webshop_engine: Option<&'a str>,
    #[serde(flatten)]
    body: &'a T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_sha512_as_64_byte_values() {
        // SHA-512("abc") from FIPS 180-2, appendix C.1.
        let creds = Credentials::new("a@b.ro".into(), &SecretString::from("abc"), None);
        let json = serde_json::to_value(creds.envelope(&serde_json::json!({"X": 1}))).unwrap();
        let bytes: Vec<u64> = json["Password"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(bytes.len(), 64);
        assert_eq!(&bytes[..4], &[0xdd, 0xaf, 0x35, 0xa1]);
        assert_eq!(&bytes[60..], &[0xa5, 0x4c, 0xa4, 0x9f]);
        assert_eq!(json["Username"], "a@b.ro");
        assert_eq!(json["X"], 1);
        assert!(json.get("WebshopEngine").is_none());
    }

    #[test]
    fn debug_hides_the_digest() {
        let creds = Credentials::new("a@b.ro".into(), &SecretString::from("abc"), None);
        let shown = format!("{creds:?}");
        assert!(shown.contains("[redacted]"));
        assert!(!shown.contains("221"), "{shown}");
    }
}
