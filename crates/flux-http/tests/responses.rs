//! Decoding responses and turning statuses into errors.

mod common;

use common::client_for;
use flux_http::{HttpError, MAX_ERROR_BODY_BYTES, StatusCode};
use serde::Deserialize;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Items {
    note: String,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Item {
    price: f64,
}

#[tokio::test]
async fn decode_error_carries_the_json_path_and_truncated_body() {
    let server = MockServer::start().await;
    let long_note = "n".repeat(5000);
    let body = format!(r#"{{"items":[{{"price":1.5}},{{"price":"abc"}}],"note":"{long_note}"}}"#);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&server)
        .await;

    let err = client_for(&server)
        .get("items")
        .send_json::<Items>()
        .await
        .unwrap_err();

    assert_eq!(err.decode_path(), Some("items[1].price"));
    let HttpError::Decode {
        path,
        message,
        body: kept,
        request,
        ..
    } = &err
    else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(path, "items[1].price");
    assert!(message.contains("invalid type"), "{message}");
    assert!(kept.starts_with(r#"{"items":[{"price":1.5},{"price":"abc"}]"#));
    assert!(kept.len() < body.len());
    assert!(kept.len() <= MAX_ERROR_BODY_BYTES + 40, "{}", kept.len());
    assert!(
        kept.ends_with("more bytes]"),
        "{}",
        &kept[kept.len() - 30..]
    );
    assert!(request.starts_with("GET http://127.0.0.1:"), "{request}");
    assert!(!err.is_retryable() && !err.maybe_sent());
    assert!(err.to_string().contains("items[1].price"));
}

#[tokio::test]
async fn status_error_keeps_status_request_id_and_body_while_send_raw_returns_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/awb/404"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-request-id", "abc-123")
                .set_body_string(r#"{"error":"AWB not found"}"#),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);

    let raw = client.get("awb/404").send_raw().await.unwrap();
    assert_eq!(raw.status(), StatusCode::NOT_FOUND);
    assert_eq!(raw.request_id(), Some("abc-123"));
    let parsed: serde_json::Value = raw.json().unwrap();
    assert_eq!(parsed["error"], "AWB not found");

    let err = client.get("awb/404").send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.request_id(), Some("abc-123"));
    assert_eq!(err.body(), Some(r#"{"error":"AWB not found"}"#));
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn query_form_and_base_path_are_sent_as_built() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/invoice/pdf"))
        .and(query_param("cif", "RO123"))
        .and(query_param("number", "7"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("series=FCT&paid=true"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"%PDF-1.4".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let client = flux_http::HttpClient::builder("test-provider")
        .base_url(format!("{}/api/v1", server.uri()))
        .build()
        .unwrap();

    let pdf = client
        .post("/invoice/pdf?cif=RO123")
        .query(&[("number", "7")])
        .form(&[("series", "FCT"), ("paid", "true")])
        .send()
        .await
        .unwrap()
        .into_bytes();
    assert_eq!(&pdf[..], b"%PDF-1.4");
}
