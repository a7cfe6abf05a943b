//! Webhooks: signature verification and both payload formats (classic
//! `eventNotifications` and CloudEvents).
//!
//! ```
//! use base64::Engine as _;
//! use flux_quickbooks::webhook::WebhookVerifier;
//! use flux_http::secret::SecretString;
//! use hmac::{Hmac, Mac};
//!
//! let verifier = WebhookVerifier::new(SecretString::from("verifier-token"));
//! let body = br#"[{"specversion":"1.0","id":"e1","type":"qbo.invoice.created.v1","intuitentityid":"239","intuitaccountid":"310687","time":"2025-09-10T21:31:25.179851517Z"}]"#;
//! let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"verifier-token").unwrap();
//! mac.update(body);
//! let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
//!
//! let events = verifier.verify_and_parse(body, Some(&signature)).unwrap();
//! assert_eq!(events[0].entity_id, "239");
//! ```

use base64::Engine as _;
use chrono::{DateTime, Utc};
use flux_http::secret::{ExposeSecret, SecretString};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::QuickBooksError;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "intuit-signature";

/// What happened to a record. Unknown operations are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookOperation {
    /// Created.
    Create,
    /// Updated.
    Update,
    /// Deleted.
    Delete,
    /// Merged into another record.
    Merge,
    /// Voided.
    Void,
    /// Emailed.
    Emailed,
    /// Another operation.
    Other(String),
}

impl WebhookOperation {
    fn parse(op: &str) -> Self {
        match op.to_ascii_lowercase().as_str() {
            "create" | "created" => Self::Create,
            "update" | "updated" => Self::Update,
            "delete" | "deleted" => Self::Delete,
            "merge" | "merged" => Self::Merge,
            "void" | "voided" => Self::Void,
            "emailed" => Self::Emailed,
            _ => Self::Other(op.to_owned()),
        }
    }
}

/// One change notification, whichever format it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The company (realm) id.
    pub realm_id: String,
    /// The entity name as QuickBooks spells it in the classic format (`Invoice`), or the
    /// lower-case name from the CloudEvents type (`invoice`).
    pub entity: String,
    /// The record id.
    pub entity_id: String,
    /// What happened.
    pub operation: WebhookOperation,
    /// When it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The CloudEvents id (use it to drop duplicate deliveries).
    pub event_id: Option<String>,
    /// For merges, the id merged away.
    pub deleted_id: Option<String>,
}

/// Verifies and parses webhook deliveries with the app's verifier token.
#[derive(Clone)]
pub struct WebhookVerifier {
    token: SecretString,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("token", &"[REDACTED]")
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier for the token shown in the developer portal (not the client secret).
    pub fn new(verifier_token: SecretString) -> Self {
        Self {
            token: verifier_token,
        }
    }

    /// Checks `intuit-signature` (base64 HMAC-SHA256 of the raw body) in constant time.
    ///
    /// # Errors
    /// [`QuickBooksError::WebhookSignature`] when it is missing or does not match.
    pub fn verify(&self, body: &[u8], signature: Option<&str>) -> Result<(), QuickBooksError> {
        let signature = signature.ok_or(QuickBooksError::WebhookSignature)?;
        let given = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|_| QuickBooksError::WebhookSignature)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(self.token.expose_secret().as_bytes())
            .map_err(|_| QuickBooksError::WebhookSignature)?;
        mac.update(body);
        let expected = mac.finalize().into_bytes();
        if bool::from(expected.as_slice().ct_eq(&given)) {
            Ok(())
        } else {
            Err(QuickBooksError::WebhookSignature)
        }
    }

    /// Verifies, then parses.
    ///
    /// # Errors
    /// [`QuickBooksError::WebhookSignature`] or [`QuickBooksError::WebhookPayload`].
    pub fn verify_and_parse(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<Vec<WebhookEvent>, QuickBooksError> {
        self.verify(body, signature)?;
        parse_events(body)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Classic {
    event_notifications: Vec<Notification>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    realm_id: String,
    data_change_event: Option<DataChangeEvent>,
}

#[derive(Deserialize)]
struct DataChangeEvent {
    #[serde(default)]
    entities: Vec<ClassicEntity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClassicEntity {
    name: String,
    id: String,
    operation: String,
    #[serde(default)]
    last_updated: Option<String>,
    #[serde(default)]
    deleted_id: Option<String>,
}

#[derive(Deserialize)]
struct CloudEvent {
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    time: Option<String>,
    intuitentityid: String,
    intuitaccountid: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses a delivery in either format: a JSON array of CloudEvents, or the classic
/// `{"eventNotifications": [...]}` object. Does not verify the signature.
///
/// # Errors
/// [`QuickBooksError::WebhookPayload`] when the body is neither.
pub fn parse_events(body: &[u8]) -> Result<Vec<WebhookEvent>, QuickBooksError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'[') => {
            let events: Vec<CloudEvent> = serde_json::from_slice(body)
                .map_err(|e| QuickBooksError::WebhookPayload(e.to_string()))?;
            events
                .into_iter()
                .map(|e| {
                    // qbo.<entity>.<operation>.v1
                    let mut parts = e.event_type.split('.');
                    let (Some(_), Some(entity), Some(op)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        return Err(QuickBooksError::WebhookPayload(format!(
                            "unexpected event type {:?}",
                            e.event_type
                        )));
                    };
                    let deleted_id = e
                        .data
                        .as_ref()
                        .and_then(|d| d.get("deletedId").or_else(|| d.get("deletedid")))
                        .and_then(|v| v.as_str())
                        .map(str::to_owned);
                    Ok(WebhookEvent {
                        realm_id: e.intuitaccountid,
                        entity: entity.to_owned(),
                        entity_id: e.intuitentityid,
                        operation: WebhookOperation::parse(op),
                        occurred_at: parse_time(e.time.as_deref()),
                        event_id: e.id,
                        deleted_id,
                    })
                })
                .collect()
        }
        Some(b'{') => {
            let classic: Classic = serde_json::from_slice(body)
                .map_err(|e| QuickBooksError::WebhookPayload(e.to_string()))?;
            Ok(classic
                .event_notifications
                .into_iter()
                .flat_map(|n| {
                    let realm = n.realm_id;
                    n.data_change_event
                        .map(|d| d.entities)
                        .unwrap_or_default()
                        .into_iter()
                        .map(move |e| WebhookEvent {
                            realm_id: realm.clone(),
                            entity: e.name,
                            entity_id: e.id,
                            operation: WebhookOperation::parse(&e.operation),
                            occurred_at: parse_time(e.last_updated.as_deref()),
                            event_id: None,
                            deleted_id: e.deleted_id,
                        })
                })
                .collect())
        }
        _ => Err(QuickBooksError::WebhookPayload(
            "the body is neither a CloudEvents array nor eventNotifications".to_owned(),
        )),
    }
}
