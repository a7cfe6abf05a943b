//! Invoices and proformas against wiremock: create, PDF, cancel, restore, delete, storno,
//! payment status, proforma → invoices, and their error paths.

mod common;

use std::time::Duration;

use common::*;
use flux_core::{Currency, ErrorKind, ProviderError};
use flux_smartbill::types::{
    DiscountAmount, DiscountLine, Document, DocumentClient, InvoicePayment, PaymentType,
    ProductLine, ReverseRequest,
};
use flux_smartbill::{DocumentType, SmartBillError};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn invoice() -> Document {
    let mut client = DocumentClient::new("Ana Pop");
    client.vat_code = Some("0000000000000".into());
    client.address = Some("Str. Memorandumului 1".into());
    client.city = Some("Cluj-Napoca".into());
    client.county = Some("Cluj".into());
    client.country = Some("Romania".into());
    let mut doc = Document::new("FCT", client, Currency::RON)
        .with_line(
            ProductLine::new("Tricou", dec!(2), dec!(59.90), Currency::RON, true)
                .with_tax("Normala", dec!(21)),
        )
        .with_line(
            DiscountLine::new(
                "Discount Tricou",
                1,
                DiscountAmount::Value(dec!(5)),
                Currency::RON,
                true,
            )
            .with_tax("Normala", dec!(21)),
        );
    doc.issue_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22);
    doc.payment = Some(InvoicePayment::new(dec!(114.80), PaymentType::OrdinPlata));
    doc
}

#[tokio::test]
async fn create_invoice_sends_the_full_body_with_basic_auth() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice"))
        .and(header("authorization", BASIC))
        .and(header("accept", "application/json"))
        .and(header("content-type", "application/json"))
        .respond_with(json(fixture!("invoice_created.json")))
        .expect(1)
        .mount(&server)
        .await;

    let created = client.create_invoice(&invoice()).await.unwrap();
    assert_eq!(
        (created.series.as_str(), created.number.as_str()),
        ("FCT", "0023")
    );
    assert_eq!(
        created.link(),
        Some("https://secure.mobilpay.ro/public/checkout/0023")
    );

    let body = only_body(&server).await;
    assert_eq!(
        body,
        json!({
            "companyVatCode": "RO37311090",
            "client": {
                "name": "Ana Pop", "vatCode": "0000000000000", "address": "Str. Memorandumului 1",
                "isTaxPayer": false, "city": "Cluj-Napoca", "county": "Cluj",
                "country": "Romania", "saveToDb": false
            },
            "isDraft": false,
            "issueDate": "2026-11-22",
            "seriesName": "FCT",
            "currency": "RON",
            "sendEmail": false,
            "products": [
                {"isDiscount": false, "name": "Tricou", "measuringUnitName": "buc", "currency": "RON",
                 "quantity": 2, "price": 59.9, "isTaxIncluded": true, "taxName": "Normala",
                 "taxPercentage": 21, "saveToDb": false, "isService": false},
                {"isDiscount": true, "name": "Discount Tricou", "numberOfItems": 1,
                 "measuringUnitName": "buc", "currency": "RON", "isTaxIncluded": true,
                 "taxName": "Normala", "taxPercentage": 21, "discountType": 1, "discountValue": -5}
            ],
            "payment": {"value": 114.8, "type": "Ordin plata", "isCash": false}
        })
    );
}

#[tokio::test]
async fn percent_discounts_use_type_2() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice"))
        .respond_with(json(fixture!("invoice_created.json")))
        .mount(&server)
        .await;
    let mut doc = invoice();
    doc.products[1] = DiscountLine::new(
        "Reducere 10%",
        1,
        DiscountAmount::Percent(dec!(10)),
        Currency::RON,
        true,
    )
    .into();
    client.create_invoice(&doc).await.unwrap();
    let body = only_body(&server).await;
    assert_eq!(body["products"][1]["discountType"], json!(2));
    assert_eq!(body["products"][1]["discountPercentage"], json!(10));
    assert!(body["products"][1].get("discountValue").is_none());
}

#[tokio::test]
async fn create_invoice_v2_returns_the_links() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/v2"))
        .and(body_partial_json(json!({"companyVatCode": "RO37311090"})))
        .respond_with(json(fixture!("invoice_v2_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let created = client.create_invoice_with_links(&invoice()).await.unwrap();
    assert_eq!(created.number, "0024");
    assert_eq!(created.document_id.as_deref(), Some("274120"));
    assert_eq!(
        created.link(),
        Some("https://cloud.smartbill.ro/documente/extern/pf/factura/b45e77c1d2?srvid=1")
    );
}

#[tokio::test]
async fn an_error_text_with_http_200_is_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice"))
        .respond_with(json(fixture!("error_200_county.json")))
        .mount(&server)
        .await;
    let err = client.create_invoice(&invoice()).await.unwrap_err();
    match &err {
        SmartBillError::Api {
            status, message, ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(
                message,
                "Judetul clientului nu este valid. Judetul trebuie sa fie denumirea reala a unui judet din Romania."
            );
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert!(!err.maybe_sent());
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::Rejected);
    assert!(!p.is_retryable());
    assert_eq!(p.http_status(), Some(200));
}

#[tokio::test]
async fn structured_errors_keep_their_fields_and_code() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/v2"))
        .respond_with(json_status(400, fixture!("error_400_structured.json")))
        .mount(&server)
        .await;
    let err: ProviderError = client
        .create_invoice_with_links(&invoice())
        .await
        .unwrap_err()
        .into();
    assert!(err.is_validation());
    assert_eq!(err.provider_code(), Some("json_mapping_error"));
    assert_eq!(err.field_errors()[0].field, "zzz");
    assert_eq!(err.field_errors()[0].message, "Unrecognized property: zzz.");
}

#[tokio::test]
async fn a_create_that_times_out_is_maybe_sent_and_not_repeated() {
    let server = wiremock::MockServer::start().await;
    let client = flux_smartbill::SmartBillClient::builder(
        EMAIL,
        flux_http::secret::SecretString::from(TOKEN),
        CIF,
    )
    .base_url(format!("{}/SBORO/api/", server.uri()))
    .timeout(Duration::from_millis(300))
    .build()
    .unwrap();
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice"))
        .respond_with(json(fixture!("invoice_created.json")).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let err = client.create_invoice(&invoice()).await.unwrap_err();
    assert!(err.maybe_sent(), "{err:?}");
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::Timeout);
    assert!(p.maybe_sent());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_server_error_on_create_is_maybe_sent() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice"))
        .respond_with(json_status(500, fixture!("server_error_500.json")))
        .mount(&server)
        .await;
    let err = client.create_invoice(&invoice()).await.unwrap_err();
    assert!(err.maybe_sent());
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::Unavailable);
    assert!(p.maybe_sent());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_documents_are_refused_before_sending() {
    let (server, client) = setup().await;
    let mut doc = invoice();
    doc.products.remove(0); // only the discount is left
    let err = client.create_invoice(&doc).await.unwrap_err();
    let SmartBillError::Validation(fields) = &err else {
        panic!("{err:?}")
    };
    let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["products", "products[0].numberOfItems"]);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_estimate_posts_to_estimate_v2_and_refuses_payments() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/estimate/v2"))
        .respond_with(json(fixture!("estimate_v2_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .create_estimate_with_links(&invoice())
        .await
        .unwrap_err();
    assert!(matches!(err, SmartBillError::Validation(ref f) if f[0].field == "payment"));

    let mut doc = invoice();
    doc.payment = None;
    doc.series_name = Some("PRF".into());
    let created = client.create_estimate_with_links(&doc).await.unwrap();
    assert_eq!(
        (created.series.as_str(), created.number.as_str()),
        ("PRF", "0012")
    );
    assert_eq!(created.document_id.as_deref(), Some("88120"));
    let body = only_body(&server).await;
    assert_eq!(body["seriesName"], "PRF");
    assert!(body.get("payment").is_none());
}

#[tokio::test]
async fn create_estimate_plain() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/estimate"))
        .respond_with(json(fixture!("invoice_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut doc = invoice();
    doc.payment = None;
    assert_eq!(client.create_estimate(&doc).await.unwrap().number, "0023");
}

#[tokio::test]
async fn pdfs_are_downloaded_as_octet_stream() {
    let (server, client) = setup().await;
    let pdf: &[u8] = include_bytes!("../../../fixtures/smartbill/invoice.pdf");
    for kind in ["invoice", "estimate"] {
        Mock::given(method("GET"))
            .and(path(format!("/SBORO/api/{kind}/pdf")))
            .and(header("accept", "application/octet-stream"))
            .and(query_param("cif", CIF))
            .and(query_param("seriesName", "FCT"))
            .and(query_param("number", "0023"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(pdf.to_vec(), "application/octet-stream"),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    assert_eq!(client.invoice_pdf("FCT", "0023").await.unwrap(), pdf);
    assert_eq!(client.estimate_pdf("FCT", "0023").await.unwrap(), pdf);
}

#[tokio::test]
async fn a_pdf_request_answered_with_an_error_text_is_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/invoice/pdf"))
        .respond_with(json_status(
            400,
            r#"{"errorText":"Factura nu exista.","message":"","number":""}"#,
        ))
        .mount(&server)
        .await;
    let err: ProviderError = client.invoice_pdf("FCT", "9999").await.unwrap_err().into();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn cancel_and_restore_use_put_with_query_parameters() {
    let (server, client) = setup().await;
    for (kind, action, fixture) in [
        ("invoice", "cancel", fixture!("document_cancelled.json")),
        ("invoice", "restore", fixture!("document_restored.json")),
        ("estimate", "cancel", fixture!("document_cancelled.json")),
        ("estimate", "restore", fixture!("document_restored.json")),
    ] {
        Mock::given(method("PUT"))
            .and(path(format!("/SBORO/api/{kind}/{action}")))
            .and(query_param("cif", CIF))
            .and(query_param("seriesName", "FCT"))
            .and(query_param("number", "0023"))
            .respond_with(json(fixture))
            .expect(1)
            .mount(&server)
            .await;
    }
    client.cancel_invoice("FCT", "0023").await.unwrap();
    client.restore_invoice("FCT", "0023").await.unwrap();
    client.cancel_estimate("FCT", "0023").await.unwrap();
    client.restore_estimate("FCT", "0023").await.unwrap();
}

#[tokio::test]
async fn delete_the_last_document() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/SBORO/api/invoice"))
        .respond_with(json(fixture!("document_deleted.json")))
        .expect(1)
        .mount(&server)
        .await;
    client.delete_invoice("FCT", "0023").await.unwrap();
    assert_eq!(only_query(&server).await, doc_query("FCT", "0023"));
}

#[tokio::test]
async fn deleting_a_document_that_is_not_last_is_a_clear_conflict() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/SBORO/api/estimate"))
        .respond_with(json(fixture!("delete_not_last.json")))
        .mount(&server)
        .await;
    let err = client
        .delete(DocumentType::Estimate, "PRF", "0003")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SmartBillError::NotLastInSeries { series, number, .. } if series == "PRF" && number == "0003"),
        "{err:?}"
    );
    assert!(err.to_string().contains("cancel or reverse it instead"));
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::Conflict);
    assert_eq!(p.provider_code(), Some("not_last_in_series"));
}

#[tokio::test]
async fn reverse_posts_the_storno_body() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/reverse"))
        .respond_with(json(fixture!("reverse_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = ReverseRequest::new("FFF", "0984");
    req.issue_date = chrono::NaiveDate::from_ymd_opt(2021, 2, 28);
    let created = client.reverse_invoice(&req).await.unwrap();
    assert_eq!(created.number, "0985");
    assert_eq!(created.document_id.as_deref(), Some("274119"));
    assert_eq!(
        only_body(&server).await,
        json!({"companyVatCode": "RO37311090", "seriesName": "FFF", "number": "0984", "issueDate": "2021-02-28"})
    );
}

#[tokio::test]
async fn reversing_twice_is_a_conflict() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/reverse"))
        .respond_with(json(fixture!("reverse_already_reversed.json")))
        .mount(&server)
        .await;
    let err = client
        .reverse_invoice(&ReverseRequest::new("FFF", "0984"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SmartBillError::Api { message, .. } if message == "Factura este deja stornata.")
    );
    assert_eq!(ProviderError::from(err).kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn payment_status_amounts_are_decimals() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/invoice/paymentstatus"))
        .respond_with(json(fixture!("payment_status.json")))
        .mount(&server)
        .await;
    let status = client.invoice_payment_status("FCT", "0023").await.unwrap();
    assert_eq!(status.invoice_total_amount, dec!(121.00));
    assert_eq!(status.paid_amount, dec!(50.5));
    assert_eq!(status.unpaid_amount, dec!(70.5));
    assert!(!status.is_paid());
    assert_eq!(only_query(&server).await, doc_query("FCT", "0023"));
}

#[tokio::test]
async fn estimate_invoices_lists_the_invoices_made() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/estimate/invoices"))
        .respond_with(json(fixture!("estimate_invoices.json")))
        .mount(&server)
        .await;
    let result = client.estimate_invoices("PRF", "0012").await.unwrap();
    assert!(result.are_invoices_created);
    assert_eq!(result.invoices[0].series, "FCT");
    assert_eq!(result.invoices[0].number, "0031");
    assert_eq!(only_query(&server).await, doc_query("PRF", "0012"));
}
