//! Error mapping: the three fault shapes, statuses and codes.

mod common;

use std::time::Duration;

use common::*;
use flux_core::{ErrorKind, ProviderError};
use flux_quickbooks::types::Customer;
use flux_quickbooks::{QuickBooksError, WriteOptions};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

async fn failing(status: u16, body: &str, content_type: &str) -> (Setup, QuickBooksError) {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("intuit_tid", "1-65f1c2a3-4b5c")
                .set_body_raw(body.to_owned(), content_type),
        )
        .mount(&s.server)
        .await;
    let mut customer = Customer::default();
    customer.display_name = Some("Amy's Bird Sanctuary".into());
    let err = s
        .client
        .create(&customer, &WriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.intuit_tid(), Some("1-65f1c2a3-4b5c"), "{err:?}");
    (s, err)
}

#[tokio::test]
async fn stale_sync_token() {
    let (_s, err) = failing(400, &fixture("fault_stale.json"), "application/json").await;
    assert!(matches!(err, QuickBooksError::StaleObject(_)), "{err:?}");
    let p = ProviderError::from(err);
    assert_eq!(p.kind(), ErrorKind::Conflict);
    assert_eq!(p.provider_code(), Some("5010"));
    assert_eq!(p.http_status(), Some(400));
}

#[tokio::test]
async fn duplicate_name_with_existing_id() {
    let (_s, err) = failing(
        400,
        &fixture("fault_duplicate_name.json"),
        "application/json",
    )
    .await;
    match &err {
        QuickBooksError::DuplicateName { existing_id, .. } => {
            assert_eq!(existing_id.as_deref(), Some("58"))
        }
        other => panic!("{other:?}"),
    }
    assert!(!ProviderError::from(err).is_retryable());
}

#[tokio::test]
async fn validation_names_the_element() {
    let (_s, err) = failing(
        400,
        &fixture("fault_required_param.json"),
        "application/json",
    )
    .await;
    assert!(matches!(err, QuickBooksError::Validation(_)), "{err:?}");
    assert_eq!(
        err.fault().unwrap().element(),
        Some("Line.SalesItemLineDetail.ItemRef")
    );
    let p = ProviderError::from(err);
    assert!(p.is_validation());
    assert_eq!(
        p.field_errors()[0].field,
        "Line.SalesItemLineDetail.ItemRef"
    );
    assert_eq!(p.provider_code(), Some("2020"));
}

#[tokio::test]
async fn canadian_gst_business_validation() {
    let (_s, err) = failing(400, &fixture("fault_gst_missing.json"), "application/json").await;
    assert!(matches!(err, QuickBooksError::Validation(_)), "{err:?}");
    assert!(err.to_string().contains("GST/HST rate"));
}

#[tokio::test]
async fn fault_inside_http_200_is_an_error() {
    let (_s, err) = failing(200, &fixture("fault_stale.json"), "application/json").await;
    assert!(matches!(err, QuickBooksError::StaleObject(_)), "{err:?}");
    assert_eq!(err.fault().unwrap().status, 200);
}

#[tokio::test]
async fn gateway_403_is_forbidden_reconnect() {
    let (_s, err) = failing(403, &fixture("fault_gateway_403.json"), "application/json").await;
    assert!(matches!(err, QuickBooksError::Forbidden(_)), "{err:?}");
    assert!(err.is_reconnect_needed());
    assert_eq!(err.fault().unwrap().code(), Some("3100"));
    assert!(ProviderError::from(err).is_auth());
}

#[tokio::test]
async fn xml_throttle_is_rate_limited_for_sixty_seconds() {
    let (_s, err) = failing(429, &fixture("fault_throttle.xml"), "application/xml").await;
    match &err {
        QuickBooksError::Throttled { retry_after, fault } => {
            assert_eq!(*retry_after, Duration::from_secs(60));
            assert_eq!(fault.code(), Some("3001"));
        }
        other => panic!("{other:?}"),
    }
    let p = ProviderError::from(err);
    assert_eq!(p.kind(), ErrorKind::RateLimited);
    assert_eq!(p.retry_after(), Some(Duration::from_secs(60)));
    assert!(p.is_retryable());
}

#[tokio::test]
async fn throttle_honours_retry_after_header() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "90")
                .set_body_raw(fixture("fault_throttle.xml"), "application/xml"),
        )
        .mount(&s.server)
        .await;
    let err = s.client.customer("1").await.unwrap_err();
    match err {
        QuickBooksError::Throttled { retry_after, .. } => {
            assert_eq!(retry_after, Duration::from_secs(90))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_errors_are_retryable_and_maybe_sent() {
    let (_s, err) = failing(500, "<html>Internal error</html>", "text/html").await;
    assert!(matches!(err, QuickBooksError::Server(_)), "{err:?}");
    let p = ProviderError::from(err);
    assert!(p.is_retryable() && p.maybe_sent());
}

#[tokio::test]
async fn not_found_by_status() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("customer/999")))
        .respond_with(ResponseTemplate::new(404))
        .mount(&s.server)
        .await;
    let err = s.client.customer("999").await.unwrap_err();
    assert!(ProviderError::from(err).is_not_found());
}

#[tokio::test]
async fn timeout_on_create_is_maybe_sent() {
    let server = wiremock::MockServer::start().await;
    let store = std::sync::Arc::new(flux_quickbooks::MemoryTokenStore::new());
    let manager = std::sync::Arc::new(flux_quickbooks::TokenManager::new(
        oauth(&server),
        valid_tokens(),
        store,
    ));
    let client = flux_quickbooks::QuickBooksClient::builder(manager)
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .retry_policy(flux_http::RetryPolicy::none())
        .build()
        .unwrap();
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let mut customer = Customer::default();
    customer.display_name = Some("X".into());
    let err = client
        .create(&customer, &WriteOptions::with_request_id("k1"))
        .await
        .unwrap_err();
    let p = ProviderError::from(err);
    assert_eq!(p.kind(), ErrorKind::Timeout);
    assert!(p.maybe_sent());
}
