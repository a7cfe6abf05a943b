//! e-Factura (submit, state, archive) and webhooks (create, list, read, delete, verify).

mod common;

use common::*;
use flux_oblio::OblioError;
use flux_oblio::types::{EinvoiceCode, WebhookTopic};
use flux_oblio::webhooks::verification_response;
use pretty_assertions::assert_eq;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn send_einvoice_posts_a_form_and_reads_the_code() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/einvoice"))
        .and(bearer())
        .respond_with(json(fixture("einvoice_send.json")))
        .expect(1)
        .mount(&server)
        .await;
    let status = client.send_einvoice("FCT", "0053").await.unwrap();
    assert!(status.sent);
    assert_eq!(status.code, EinvoiceCode::Processing);
    let sent = received_on(&server, "/api/docs/einvoice").await;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&sent[0].body)
        .into_owned()
        .collect();
    assert_eq!(
        form,
        [
            ("cif".to_owned(), CIF.to_owned()),
            ("seriesName".to_owned(), "FCT".to_owned()),
            ("number".to_owned(), "53".to_owned())
        ]
    );
}

#[tokio::test]
async fn einvoice_status_comes_from_the_list() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice/list"))
        .and(query_param("withEinvoiceStatus", "1"))
        .and(query_param("seriesName", "FCT"))
        .and(query_param("number", "53"))
        .respond_with(json(fixture("list_invoices_einvoice.json")))
        .expect(1)
        .mount(&server)
        .await;
    let status = client.einvoice_status("FCT", "53").await.unwrap().unwrap();
    assert_eq!(status.code, EinvoiceCode::Sent);
    assert_eq!(status.text, "e-Factura trimisa cu succes in SPV.");
}

#[tokio::test]
async fn the_archive_is_returned_as_bytes_and_errors_are_mapped() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/einvoice"))
        .and(query_param("number", "53"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(b"PK\x03\x04zip".to_vec(), "application/zip"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/docs/einvoice"))
        .and(query_param("number", "54"))
        .respond_with(json_status(
            400,
            r#"{"status":400,"statusMessage":"Factura nu a fost trimisa in SPV"}"#.into(),
        ))
        .mount(&server)
        .await;
    let zip = client.einvoice_archive("FCT", "0053").await.unwrap();
    assert!(zip.starts_with(b"PK"));
    let err = client.einvoice_archive("FCT", "0054").await.unwrap_err();
    assert!(
        matches!(&err, OblioError::Rejected { message, .. } if message == "Factura nu a fost trimisa in SPV"),
        "{err:?}"
    );
}

#[tokio::test]
async fn webhooks_crud() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/webhooks"))
        .respond_with(json_status(201, fixture("webhook_create.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/webhooks"))
        .and(query_param("topic", "stock"))
        .respond_with(json(fixture("webhooks_list.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/webhooks/1541"))
        .respond_with(json(fixture("webhook_get.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/webhooks/1541"))
        .respond_with(json(fixture("webhook_delete.json")))
        .expect(1)
        .mount(&server)
        .await;

    let hook = client
        .create_webhook(
            &WebhookTopic::InvoiceUpdate,
            "https://shop.example.ro/hooks/oblio",
        )
        .await
        .unwrap();
    assert_eq!(hook.id, "1542");
    assert_eq!(hook.topic, WebhookTopic::InvoiceUpdate);
    let sent = received_on(&server, "/api/webhooks").await;
    assert_eq!(
        body_json(&sent[0]),
        json!({"cif": CIF, "topic": "Invoice/Update", "endpoint": "https://shop.example.ro/hooks/oblio"})
    );

    let hooks = client
        .list_webhooks(Some(&WebhookTopic::Stock))
        .await
        .unwrap();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[1].topic, WebhookTopic::CollectInserted);
    let one = client.get_webhook("1541").await.unwrap();
    assert_eq!(one.endpoint, "https://shop.example.ro/hooks/stock");
    client.delete_webhook("1541").await.unwrap();

    assert!(matches!(
        client
            .create_webhook(&WebhookTopic::Stock, "http://insecure.example")
            .await,
        Err(OblioError::InvalidInput { .. })
    ));
    assert!(matches!(
        client.get_webhook("../docs").await,
        Err(OblioError::InvalidInput { .. })
    ));
}

#[test]
fn endpoint_verification_answers_the_base64_request_id() {
    assert_eq!(verification_response("5f2b9c1e"), "NWYyYjljMWU=");
    assert_eq!(
        flux_oblio::webhooks::REQUEST_ID_HEADER,
        "X-Oblio-Request-Id"
    );
}
