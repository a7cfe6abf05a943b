//! Webhook verification and typed parsing against signed fixtures.

mod common;

use common::{API_SECRET, fixture, webhook_signature};
use flux_shopify::secret::SecretString;
use flux_shopify::webhooks::{WebhookError, WebhookPayload, WebhookTopic, WebhookVerifier};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(SecretString::from(API_SECRET))
}

fn headers(topic: &str, signature: &str) -> Vec<(String, String)> {
    vec![
        ("X-Shopify-Hmac-Sha256".into(), signature.into()),
        ("X-Shopify-Topic".into(), topic.into()),
        (
            "X-Shopify-Shop-Domain".into(),
            "atelier-demo.myshopify.com".into(),
        ),
        ("X-Shopify-API-Version".into(), "2026-10".into()),
        (
            "X-Shopify-Webhook-Id".into(),
            "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".into(),
        ),
        (
            "X-Shopify-Event-Id".into(),
            "98880550-7158-44d4-b7cd-2c97c8a091b5".into(),
        ),
        (
            "X-Shopify-Triggered-At".into(),
            "2026-11-20T08:15:43.123456Z".into(),
        ),
    ]
}

fn verified(name: &str, topic: &str) -> flux_shopify::webhooks::VerifiedWebhook {
    let body = fixture(&format!("webhooks/{name}"));
    verifier()
        .verify(&headers(topic, &webhook_signature(name)), body.as_bytes())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn notes_vector_foo_bar() {
    let v = WebhookVerifier::new(SecretString::from("test_secret_key"));
    assert_eq!(
        v.sign(br#"{"foo": "bar"}"#),
        "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
    );
    let v = WebhookVerifier::new(SecretString::from("hush"));
    assert_eq!(
        v.sign(br#"{"shop_id":954889,"shop_domain":"snowdevil.myshopify.com"}"#),
        "unXxOs41nqtk5v6Btqh9qz9Dh6mprKtn5eLN4XfJwSY="
    );
}

#[test]
fn headers_are_typed() {
    let w = verified("orders_create.json", "orders/create");
    assert_eq!(w.headers.topic, WebhookTopic::OrdersCreate);
    assert_eq!(w.headers.shop.as_str(), "atelier-demo.myshopify.com");
    assert_eq!(w.headers.api_version, "2026-10");
    assert_eq!(w.headers.webhook_id, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
    assert_eq!(
        w.headers.event_id.as_deref(),
        Some("98880550-7158-44d4-b7cd-2c97c8a091b5")
    );
    assert_eq!(
        w.headers.triggered_at.unwrap().to_rfc3339(),
        "2026-11-20T08:15:43.123456+00:00"
    );
    assert!(
        !format!("{w:?}").contains("ana.pop"),
        "Debug must not print the body"
    );
}

#[test]
fn orders_create_body() {
    let WebhookPayload::OrdersCreate(order) = verified("orders_create.json", "orders/create")
        .payload()
        .unwrap()
    else {
        panic!("wrong payload");
    };
    assert_eq!(
        order.admin_graphql_api_id,
        "gid://shopify/Order/5820123456789"
    );
    assert_eq!(order.name, "#1042");
    assert_eq!(order.total_price, dec!(243.99));
    assert_eq!(order.total_tax, Some(dec!(38.95)));
    assert_eq!(order.total_discounts, Some(dec!(25.00)));
    assert!(order.is_cash_on_delivery());
    assert_eq!(order.financial_status.as_deref(), Some("pending"));
    assert_eq!(order.weight_grams(), 1450);
    let ship = order.shipping_address.as_ref().unwrap();
    assert_eq!(ship.city.as_deref(), Some("București"));
    assert_eq!(ship.province_code.as_deref(), Some("B"));
    assert_eq!(order.line_items.len(), 2);
    assert_eq!(order.line_items[0].grams, Some(500));
    assert_eq!(order.line_items[0].tax_lines[0].rate, dec!(0.19));
    assert_eq!(order.line_items[1].sku.as_deref(), Some(""));
    assert_eq!(order.note_attributes[0].name, "cui");
    assert_eq!(order.discount_codes[0].code, "TOAMNA10");
    assert_eq!(order.customer.as_ref().unwrap().id, 7401234567890);
}

#[test]
fn draft_order_with_nulls_decodes() {
    let WebhookPayload::OrdersCreate(order) = verified("orders_create_draft.json", "orders/create")
        .payload()
        .unwrap()
    else {
        panic!("wrong payload");
    };
    assert_eq!(order.email.as_deref(), Some(""));
    assert!(order.customer.is_none() && order.shipping_address.is_none());
    assert!(!order.is_cash_on_delivery());
    assert_eq!(
        order.line_items[0].discount_allocations[0].amount,
        dec!(14.10)
    );
}

#[test]
fn other_order_topics() {
    let WebhookPayload::OrdersPaid(o) = verified("orders_paid.json", "orders/paid")
        .payload()
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(o.financial_status.as_deref(), Some("paid"));
    let WebhookPayload::OrdersUpdated(o) = verified("orders_updated.json", "orders/updated")
        .payload()
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(o.note.as_deref(), Some("Sunati inainte de livrare. Etaj 2"));
    let WebhookPayload::OrdersCancelled(o) = verified("orders_cancelled.json", "orders/cancelled")
        .payload()
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(o.cancel_reason.as_deref(), Some("customer"));
    assert!(o.cancelled_at.is_some());
}

#[test]
fn fulfillments_create_body() {
    let WebhookPayload::FulfillmentsCreate(f) =
        verified("fulfillments_create.json", "fulfillments/create")
            .payload()
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(f.order_id, 5820123456789);
    assert_eq!(f.tracking_company.as_deref(), Some("FAN Courier"));
    assert_eq!(f.tracking_number.as_deref(), Some("2150012345678"));
    assert_eq!(
        f.tracking_url.as_deref(),
        Some("https://www.fancourier.ro/awb-tracking/?tracking=2150012345678")
    );
    assert_eq!(f.line_items[0].quantity, 2);
}

#[test]
fn app_uninstalled_body() {
    let WebhookPayload::AppUninstalled(s) = verified("app_uninstalled.json", "app/uninstalled")
        .payload()
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        s.myshopify_domain.as_deref(),
        Some("atelier-demo.myshopify.com")
    );
}

#[test]
fn compliance_bodies() {
    let WebhookPayload::CustomersDataRequest(d) =
        verified("customers_data_request.json", "customers/data_request")
            .payload()
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(d.orders_requested, vec![299938, 280263, 220458]);
    assert_eq!(d.customer.email.as_deref(), Some("john@example.com"));
    assert_eq!(d.data_request.unwrap().id, 9999);
    let WebhookPayload::CustomersRedact(r) = verified("customers_redact.json", "customers/redact")
        .payload()
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(r.customer.id, 191167);
    assert_eq!(r.orders_to_redact.len(), 3);
    let WebhookPayload::ShopRedact(s) = verified("shop_redact.json", "shop/redact")
        .payload()
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(s.shop_domain, "snowdevil.myshopify.com");
}

#[test]
fn tampered_body_is_401() {
    let mut body = fixture("webhooks/shop_redact.json");
    body = body.replace("954889", "954880");
    let err = verifier()
        .verify(
            &headers("shop/redact", &webhook_signature("shop_redact.json")),
            body.as_bytes(),
        )
        .unwrap_err();
    assert_eq!(err, WebhookError::InvalidSignature);
    assert_eq!(err.status(), 401);
}

#[test]
fn reserialized_json_fails_verification() {
    // Parsing and re-serializing drops Shopify's `\/` escapes: only raw bytes verify.
    let raw = fixture("webhooks/fulfillments_create.json");
    let value: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let reserialized = serde_json::to_vec(&value).unwrap();
    let err = verifier()
        .verify(
            &headers(
                "fulfillments/create",
                &webhook_signature("fulfillments_create.json"),
            ),
            &reserialized,
        )
        .unwrap_err();
    assert_eq!(err.status(), 401);
}

#[test]
fn missing_signature_is_401_and_missing_topic_is_400() {
    let body = fixture("webhooks/shop_redact.json");
    let mut h = headers("shop/redact", &webhook_signature("shop_redact.json"));
    let no_sig: Vec<_> = h
        .iter()
        .filter(|(k, _)| k != "X-Shopify-Hmac-Sha256")
        .cloned()
        .collect();
    assert_eq!(
        verifier()
            .verify(&no_sig, body.as_bytes())
            .unwrap_err()
            .status(),
        401
    );
    h.retain(|(k, _)| k != "X-Shopify-Topic");
    let err = verifier().verify(&h, body.as_bytes()).unwrap_err();
    assert_eq!(err, WebhookError::MissingHeader("X-Shopify-Topic"));
    assert_eq!(err.status(), 400);
}

#[test]
fn wrong_secret_fails_but_old_secret_is_accepted_during_rotation() {
    let body = fixture("webhooks/shop_redact.json");
    let h = headers("shop/redact", &webhook_signature("shop_redact.json"));
    let new_only = WebhookVerifier::new(SecretString::from("rotated_secret"));
    assert!(
        new_only
            .verify(&h, body.as_bytes())
            .unwrap_err()
            .is_unauthorized()
    );
    let rotating = new_only.with_old_secret(SecretString::from(API_SECRET));
    assert!(rotating.verify(&h, body.as_bytes()).is_ok());
}

#[test]
fn http_header_map_and_events_style_headers() {
    let body = fixture("webhooks/shop_redact.json");
    let mut map = http::HeaderMap::new();
    map.insert(
        "shopify-hmac-sha256",
        webhook_signature("shop_redact.json").parse().unwrap(),
    );
    map.insert("shopify-topic", "shop/redact".parse().unwrap());
    map.insert(
        "shopify-shop-domain",
        "snowdevil.myshopify.com".parse().unwrap(),
    );
    map.insert("shopify-api-version", "unstable".parse().unwrap());
    map.insert("shopify-webhook-id", "w-1".parse().unwrap());
    let w = verifier().verify(&map, body.as_bytes()).unwrap();
    assert_eq!(w.headers.topic, WebhookTopic::ShopRedact);
    assert!(w.headers.topic.is_compliance());
}

#[test]
fn unknown_topic_is_kept_with_raw_json() {
    let body = br#"{"id":1}"#;
    let v = verifier();
    let sig = v.sign(body);
    let w = v.verify(&headers("carts/create", &sig), body).unwrap();
    assert_eq!(w.headers.topic, WebhookTopic::Other("carts/create".into()));
    assert!(matches!(w.payload().unwrap(), WebhookPayload::Other(_)));
}

#[test]
fn debug_never_shows_the_secret() {
    let v = verifier().with_old_secret(SecretString::from("old-secret-value"));
    let dbg = format!("{v:?}");
    assert!(!dbg.contains(API_SECRET) && !dbg.contains("old-secret-value"));
}
