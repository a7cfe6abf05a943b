//! Webhooks: HMAC verification of the raw body, typed headers, typed bodies.
//!
//! Framework-neutral: hand [`WebhookVerifier::verify`] the raw body bytes (never a
//! re-serialized JSON value: Shopify escapes `/` as `\/`) and the request headers; map
//! a [`WebhookError`] to its [`status`](WebhookError::status) (401 for a bad or
//! missing signature, as the App Store requires for compliance webhooks).
//!
//! ```
//! use flux_shopify::webhooks::{WebhookPayload, WebhookVerifier};
//! use flux_shopify::secret::SecretString;
//!
//! let verifier = WebhookVerifier::new(SecretString::from("hush"));
//! let body = br#"{"shop_id":954889,"shop_domain":"snowdevil.myshopify.com"}"#;
//! let headers = [
//!     ("X-Shopify-Hmac-Sha256", "unXxOs41nqtk5v6Btqh9qz9Dh6mprKtn5eLN4XfJwSY="),
//!     ("X-Shopify-Topic", "shop/redact"),
//!     ("X-Shopify-Shop-Domain", "snowdevil.myshopify.com"),
//!     ("X-Shopify-API-Version", "2026-10"),
//!     ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
//! ];
//! let webhook = verifier.verify(&headers[..], body).unwrap();
//! match webhook.payload().unwrap() {
//!     WebhookPayload::ShopRedact(p) => assert_eq!(p.shop_id, 954889),
//!     _ => unreachable!(),
//! }
//! let tampered = verifier.verify(&headers[..], b"{}").unwrap_err();
//! assert_eq!(tampered.status(), 401);
//! ```

mod payloads;
mod topic;

use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use chrono::{DateTime, Utc};
use flux_http::secret::{ExposeSecret, SecretString};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use payloads::{
    AppUninstalledWebhook, ComplianceCustomer, CustomersDataRequestWebhook, CustomersRedactWebhook,
    DataRequest, FulfillmentWebhook, OrderWebhook, ShopRedactWebhook, WebhookAddress,
    WebhookCustomer, WebhookDiscountAllocation, WebhookDiscountCode, WebhookFulfillmentLineItem,
    WebhookLineItem, WebhookMoney, WebhookMoneySet, WebhookNoteAttribute, WebhookPayload,
    WebhookShippingLine, WebhookTaxLine,
};
pub use topic::WebhookTopic;

use crate::shop::ShopDomain;

/// Read access to request headers, case-insensitively. Implemented for
/// `http::HeaderMap`, slices of `(&str, &str)`, `Vec<(String, String)>` and
/// `HashMap<String, String>`; adapt other frameworks' header maps with one of these.
pub trait HeaderLookup {
    /// The value of header `name` (any case), if present and valid UTF-8.
    fn header(&self, name: &str) -> Option<&str>;
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name)?.to_str().ok()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl HeaderLookup for HashMap<String, String> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Looks up `x-shopify-{name}`, then the Events-style `shopify-{name}`.
fn shopify_header<'a, H: HeaderLookup + ?Sized>(headers: &'a H, name: &str) -> Option<&'a str> {
    headers
        .header(&format!("x-shopify-{name}"))
        .or_else(|| headers.header(&format!("shopify-{name}")))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Why a webhook delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `X-Shopify-Hmac-Sha256` header.
    #[error("the webhook has no X-Shopify-Hmac-Sha256 header")]
    MissingSignature,
    /// The signature does not match the body (wrong secret, altered body, or a
    /// webhook created in the store admin, which is signed with another key).
    #[error("the webhook signature does not match its body")]
    InvalidSignature,
    /// A required header is missing.
    #[error("the webhook has no {0} header")]
    MissingHeader(&'static str),
    /// A header has a value that does not parse.
    #[error("the webhook header {name} is malformed")]
    MalformedHeader {
        /// The header.
        name: &'static str,
    },
    /// The body does not decode for its topic.
    #[error("the {topic} webhook body does not decode at `{path}`: {message}")]
    Body {
        /// The topic.
        topic: String,
        /// JSON path of the failure.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl WebhookError {
    /// The HTTP status to answer with: 401 for a missing or invalid signature, 400 for
    /// missing/malformed headers or a body that does not decode.
    pub fn status(&self) -> u16 {
        match self {
            Self::MissingSignature | Self::InvalidSignature => 401,
            _ => 400,
        }
    }

    /// Whether the request failed authentication (answer 401, do not process).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == 401
    }
}

/// The typed headers of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookHeaders {
    /// `X-Shopify-Topic`.
    pub topic: WebhookTopic,
    /// `X-Shopify-Shop-Domain`.
    pub shop: ShopDomain,
    /// `X-Shopify-API-Version`: the version the payload was rendered with (it falls
    /// forward when the subscription's version is retired).
    pub api_version: String,
    /// `X-Shopify-Webhook-Id`: the delivery id.
    pub webhook_id: String,
    /// `X-Shopify-Event-Id`: the same across duplicate deliveries of one event; dedupe
    /// on it.
    pub event_id: Option<String>,
    /// `X-Shopify-Triggered-At`: when the event fired (retries carry the original
    /// payload: compare before applying).
    pub triggered_at: Option<DateTime<Utc>>,
    /// `X-Shopify-Name`: the subscription's name, if set.
    pub name: Option<String>,
}

impl WebhookHeaders {
    /// Parses the Shopify headers (either `X-Shopify-*` or Events-style `shopify-*`).
    ///
    /// # Errors
    /// [`WebhookError::MissingHeader`] / [`WebhookError::MalformedHeader`].
    pub fn parse<H: HeaderLookup + ?Sized>(headers: &H) -> Result<Self, WebhookError> {
        let required = |name: &'static str, header: &'static str| {
            shopify_header(headers, name).ok_or(WebhookError::MissingHeader(header))
        };
        let topic = WebhookTopic::from(required("topic", "X-Shopify-Topic")?);
        let shop =
            ShopDomain::parse(required("shop-domain", "X-Shopify-Shop-Domain")?).map_err(|_| {
                WebhookError::MalformedHeader {
                    name: "X-Shopify-Shop-Domain",
                }
            })?;
        let api_version = required("api-version", "X-Shopify-API-Version")?.to_owned();
        let webhook_id = required("webhook-id", "X-Shopify-Webhook-Id")?.to_owned();
        let triggered_at = shopify_header(headers, "triggered-at")
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|_| WebhookError::MalformedHeader {
                        name: "X-Shopify-Triggered-At",
                    })
            })
            .transpose()?;
        Ok(Self {
            topic,
            shop,
            api_version,
            webhook_id,
            event_id: shopify_header(headers, "event-id").map(str::to_owned),
            triggered_at,
            name: shopify_header(headers, "name").map(str::to_owned),
        })
    }
}

/// A delivery whose signature was verified.
#[derive(Clone)]
#[non_exhaustive]
pub struct VerifiedWebhook {
    /// The typed headers.
    pub headers: WebhookHeaders,
    /// The raw body.
    pub body: Vec<u8>,
}

impl fmt::Debug for VerifiedWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body can hold customer data: show only its size.
        f.debug_struct("VerifiedWebhook")
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl VerifiedWebhook {
    /// Decodes the body as `T`.
    ///
    /// # Errors
    /// [`WebhookError::Body`] with the JSON path.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, WebhookError> {
        let de = &mut serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(de).map_err(|e| WebhookError::Body {
            topic: self.headers.topic.to_string(),
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    /// Decodes the body into the typed payload of its topic (or
    /// [`WebhookPayload::Other`] with the raw JSON for topics this crate does not type).
    ///
    /// # Errors
    /// [`WebhookError::Body`].
    pub fn payload(&self) -> Result<WebhookPayload, WebhookError> {
        use WebhookTopic as T;
        Ok(match &self.headers.topic {
            T::OrdersCreate => WebhookPayload::OrdersCreate(self.parse()?),
            T::OrdersUpdated => WebhookPayload::OrdersUpdated(self.parse()?),
            T::OrdersPaid => WebhookPayload::OrdersPaid(self.parse()?),
            T::OrdersCancelled => WebhookPayload::OrdersCancelled(self.parse()?),
            T::FulfillmentsCreate => WebhookPayload::FulfillmentsCreate(self.parse()?),
            T::FulfillmentsUpdate => WebhookPayload::FulfillmentsUpdate(self.parse()?),
            T::AppUninstalled => WebhookPayload::AppUninstalled(self.parse()?),
            T::CustomersDataRequest => WebhookPayload::CustomersDataRequest(self.parse()?),
            T::CustomersRedact => WebhookPayload::CustomersRedact(self.parse()?),
            T::ShopRedact => WebhookPayload::ShopRedact(self.parse()?),
            _ => WebhookPayload::Other(self.parse()?),
        })
    }
}

/// Verifies webhook signatures: base64 HMAC-SHA256 of the raw body with the app's
/// client secret, compared in constant time (the old secret is also accepted during a
/// rotation).
#[derive(Clone)]
pub struct WebhookVerifier {
    secret: SecretString,
    old_secret: Option<SecretString>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("secret", &"[REDACTED]")
            .field(
                "old_secret",
                &self.old_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier for the app's client secret.
    pub fn new(secret: SecretString) -> Self {
        Self {
            secret,
            old_secret: None,
        }
    }

    /// Also accept the previous secret (Shopify may keep signing with it for up to an
    /// hour after a rotation).
    pub fn with_old_secret(mut self, secret: SecretString) -> Self {
        self.old_secret = Some(secret);
        self
    }

    /// The signature Shopify would send for `body` with this verifier's current secret
    /// (for tests and fixtures).
    pub fn sign(&self, body: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(mac(&self.secret, body))
    }

    /// Checks only the signature header against the body.
    ///
    /// # Errors
    /// [`WebhookError::MissingSignature`] / [`WebhookError::InvalidSignature`] (both 401).
    pub fn verify_signature<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let header =
            shopify_header(headers, "hmac-sha256").ok_or(WebhookError::MissingSignature)?;
        let received = base64::engine::general_purpose::STANDARD
            .decode(header)
            .map_err(|_| WebhookError::InvalidSignature)?;
        let ok = std::iter::once(&self.secret)
            .chain(self.old_secret.as_ref())
            .any(|secret| {
                let mut m = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
                    .expect("HMAC accepts any key length");
                m.update(body);
                m.verify_slice(&received).is_ok()
            });
        if ok {
            Ok(())
        } else {
            Err(WebhookError::InvalidSignature)
        }
    }

    /// Verifies the signature (first, so an unauthenticated request always gets 401),
    /// then parses the headers.
    ///
    /// # Errors
    /// [`WebhookError`]; answer with [`WebhookError::status`].
    pub fn verify<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookError> {
        self.verify_signature(headers, body)?;
        let headers = WebhookHeaders::parse(headers)?;
        Ok(VerifiedWebhook {
            headers,
            body: body.to_vec(),
        })
    }
}

fn mac(secret: &SecretString, body: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC accepts any key length");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}
