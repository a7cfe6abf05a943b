//! Webhook signatures and payloads.

mod common;

use base64::Engine as _;
use common::fixture;
use flux_http::secret::SecretString;
use flux_quickbooks::QuickBooksError;
use flux_quickbooks::webhook::{WebhookOperation, WebhookVerifier, parse_events};
use hmac::{Hmac, Mac};

fn sign(body: &[u8], key: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn classic_payload_verifies_and_parses() {
    let body = fixture("webhook_classic.json");
    let verifier = WebhookVerifier::new(SecretString::from("verifier-token"));
    let events = verifier
        .verify_and_parse(
            body.as_bytes(),
            Some(&sign(body.as_bytes(), "verifier-token")),
        )
        .unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].realm_id, "310687");
    assert_eq!(events[0].entity, "Customer");
    assert_eq!(events[0].entity_id, "1234");
    assert_eq!(events[0].operation, WebhookOperation::Create);
    assert!(events[0].occurred_at.is_some());
    assert_eq!(events[1].operation, WebhookOperation::Void);
    assert_eq!(events[2].deleted_id.as_deref(), Some("9"));
}

#[test]
fn cloudevents_payload_parses() {
    let body = fixture("webhook_cloudevents.json");
    let verifier = WebhookVerifier::new(SecretString::from("verifier-token"));
    let events = verifier
        .verify_and_parse(
            body.as_bytes(),
            Some(&sign(body.as_bytes(), "verifier-token")),
        )
        .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].entity, "invoice");
    assert_eq!(events[0].entity_id, "239");
    assert_eq!(events[0].realm_id, "310687");
    assert_eq!(events[0].operation, WebhookOperation::Create);
    assert_eq!(
        events[0].event_id.as_deref(),
        Some("88cd52aa-33b6-4351-9aa4-47572edbd068")
    );
    assert_eq!(events[0].occurred_at.unwrap().timestamp(), 1_757_539_885);
    assert_eq!(events[1].operation, WebhookOperation::Update);
}

#[test]
fn bad_or_missing_signatures_are_refused() {
    let body = fixture("webhook_classic.json");
    let verifier = WebhookVerifier::new(SecretString::from("verifier-token"));
    let wrong_key = sign(body.as_bytes(), "other-token");
    let tampered = sign(b"{}", "verifier-token");
    for signature in [
        Some(wrong_key.as_str()),
        Some(tampered.as_str()),
        Some("not base64!"),
        None,
    ] {
        let err = verifier.verify(body.as_bytes(), signature).unwrap_err();
        assert!(matches!(err, QuickBooksError::WebhookSignature));
    }
    assert!(!format!("{verifier:?}").contains("verifier-token"));
}

#[test]
fn unknown_payloads_are_errors() {
    assert!(matches!(
        parse_events(b"hello"),
        Err(QuickBooksError::WebhookPayload(_))
    ));
    assert!(matches!(
        parse_events(br#"[{"type":"weird"}]"#),
        Err(QuickBooksError::WebhookPayload(_))
    ));
}
