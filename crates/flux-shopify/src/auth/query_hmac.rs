//! Verification of admin-signed query strings (OAuth callback, initial embedded load):
//! hex HMAC-SHA256 over every parameter except `hmac`/`signature`, sorted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use flux_http::secret::ExposeSecret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::app::ShopifyApp;
use crate::error::ShopifyError;
use crate::shop::ShopDomain;

/// How far (in seconds) a signed query's `timestamp` may be from now (Shopify's Node
/// library uses 90 s).
pub const HMAC_TIMESTAMP_TOLERANCE_SECS: i64 = 90;

/// A query string whose HMAC and timestamp were verified.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedQuery {
    /// The validated `shop` parameter.
    pub shop: ShopDomain,
    /// The `timestamp` parameter.
    pub timestamp: DateTime<Utc>,
    /// Every parameter except `hmac`/`signature`, sorted by name (repeated values joined
    /// with `,`).
    pub params: BTreeMap<String, String>,
}

impl SignedQuery {
    /// A parameter by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// The message Shopify signs: `k=v` pairs sorted by key, joined with `&`, encoded like
/// `URLSearchParams` but with spaces as `%20`. Returns (message, hmac values, params).
pub(crate) fn signing_message(
    raw_query: &str,
) -> (String, Vec<String>, BTreeMap<String, String>, usize) {
    let raw_query = raw_query.strip_prefix('?').unwrap_or(raw_query);
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut hmacs = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw_query.as_bytes()) {
        match k.as_ref() {
            "hmac" => hmacs.push(v.into_owned()),
            "signature" => {}
            _ => params
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned()),
        }
    }
    let timestamps = params.get("timestamp").map_or(0, Vec::len);
    let joined: BTreeMap<String, String> =
        params.into_iter().map(|(k, v)| (k, v.join(","))).collect();
    let message = joined
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    (message, hmacs, joined, timestamps)
}

fn encode(s: &str) -> String {
    // form_urlencoded writes a space as `+` and a literal `+` as `%2B`.
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

pub(crate) fn hex_hmac(secret: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

impl ShopifyApp {
    /// Verifies an admin-signed query string (the OAuth callback, or the initial load of
    /// an embedded app): hex HMAC over all parameters but `hmac`/`signature`, in constant
    /// time, against the current then the old secret; and a `timestamp` within
    /// [`HMAC_TIMESTAMP_TOLERANCE_SECS`] of now.
    ///
    /// `raw_query` is the query string as received (with or without the leading `?`).
    ///
    /// # Errors
    /// [`ShopifyError::InvalidHmac`] (missing, duplicated or wrong `hmac`, missing or
    /// duplicated `timestamp`), [`ShopifyError::StaleRequest`],
    /// [`ShopifyError::InvalidShop`].
    pub fn verify_query_hmac(&self, raw_query: &str) -> Result<SignedQuery, ShopifyError> {
        self.verify_query_hmac_at(raw_query, Utc::now())
    }

    /// [`verify_query_hmac`](Self::verify_query_hmac) with an explicit "now" (for tests
    /// and replay tools).
    ///
    /// # Errors
    /// As [`verify_query_hmac`](Self::verify_query_hmac).
    pub fn verify_query_hmac_at(
        &self,
        raw_query: &str,
        now: DateTime<Utc>,
    ) -> Result<SignedQuery, ShopifyError> {
        let (message, hmacs, params, timestamps) = signing_message(raw_query);
        let received = match hmacs.as_slice() {
            [one] => one,
            [] => {
                return Err(ShopifyError::InvalidHmac(
                    "the `hmac` parameter is missing".into(),
                ));
            }
            _ => {
                return Err(ShopifyError::InvalidHmac(
                    "the `hmac` parameter is repeated".into(),
                ));
            }
        };
        let received = hex::decode(received.to_ascii_lowercase())
            .map_err(|_| ShopifyError::InvalidHmac("the `hmac` parameter is not hex".into()))?;
        let matches = self.secrets().any(|secret| {
            let expected = hex_hmac(secret.expose_secret().as_bytes(), message.as_bytes());
            subtle::ConstantTimeEq::ct_eq(expected.as_slice(), received.as_slice()).into()
        });
        if !matches {
            return Err(ShopifyError::InvalidHmac(
                "the signature does not match".into(),
            ));
        }
        if timestamps != 1 {
            return Err(ShopifyError::InvalidHmac(
                "exactly one `timestamp` parameter is required".into(),
            ));
        }
        let ts: i64 = params["timestamp"]
            .parse()
            .map_err(|_| ShopifyError::InvalidHmac("`timestamp` is not an integer".into()))?;
        let skew = now.timestamp() - ts;
        if skew.abs() > HMAC_TIMESTAMP_TOLERANCE_SECS {
            return Err(ShopifyError::StaleRequest { skew_secs: skew });
        }
        let shop = ShopDomain::parse(
            params
                .get("shop")
                .ok_or_else(|| ShopifyError::InvalidShop("(missing)".into()))?,
        )?;
        let timestamp = DateTime::from_timestamp(ts, 0)
            .ok_or_else(|| ShopifyError::InvalidHmac("`timestamp` is out of range".into()))?;
        Ok(SignedQuery {
            shop,
            timestamp,
            params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_sorts_drops_hmac_and_encodes_spaces_as_percent20() {
        let (msg, hmacs, _, ts) =
            signing_message("?shop=a.myshopify.com&hmac=ab&z=a+b&a=1&a=2&timestamp=5&signature=x");
        assert_eq!(msg, "a=1%2C2&shop=a.myshopify.com&timestamp=5&z=a%20b");
        assert_eq!(hmacs, vec!["ab".to_owned()]);
        assert_eq!(ts, 1);
    }
}
