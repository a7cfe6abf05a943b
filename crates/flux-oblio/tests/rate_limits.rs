//! Oblio's two limits are separate: document creations wait on their own limiter while
//! other calls go through.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use flux_http::RateLimiter;
use flux_oblio::OblioRateLimits;
use flux_oblio::types::{CreateDocument, DocumentClient, ProductLine};
use rust_decimal_macros::dec;
use wiremock::Mock;
use wiremock::matchers::{method, path};

#[test]
fn default_limits_are_oblios_published_ones_counted_from_each_answer() {
    let limits = OblioRateLimits::default();
    let documents = format!("{:?}", limits.documents);
    let other = format!("{:?}", limits.other);
    assert!(documents.contains("30 per 100s"), "{documents}");
    assert!(other.contains("30 per 10s"), "{other}");
    assert!(documents.contains("Completion") && other.contains("Completion"));
}

#[tokio::test]
async fn creations_wait_on_the_document_limiter_only() {
    let (server, _) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("create_invoice.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/languages"))
        .respond_with(json(fixture("languages.json")))
        .mount(&server)
        .await;
    let limits = OblioRateLimits {
        documents: Arc::new(RateLimiter::new(1, Duration::from_secs(3600))),
        other: Arc::new(RateLimiter::new(30, Duration::from_secs(10))),
    };
    let client = builder(&server).rate_limits(limits).build().unwrap();
    let body = CreateDocument::new("FCT")
        .with_client(DocumentClient::new("Ana"))
        .with_line(ProductLine::new("X", dec!(1), dec!(10), true))
        .with_idempotency_key("k1");
    client.create_invoice(&body).await.unwrap();
    // The document window is full: a second creation must wait (an hour here) ...
    let second =
        tokio::time::timeout(Duration::from_millis(300), client.create_invoice(&body)).await;
    assert!(
        second.is_err(),
        "the second creation should be held by the limiter"
    );
    // ... while other calls are not held.
    for _ in 0..3 {
        client.languages().await.unwrap();
    }
    assert_eq!(received_on(&server, "/api/docs/invoice").await.len(), 1);
}
