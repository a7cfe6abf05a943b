//! Payments, email, VAT rates, series and stock against wiremock.

mod common;

use common::*;
use flux_core::{Currency, ErrorKind, ProviderError};
use flux_smartbill::SmartBillError;
use flux_smartbill::types::{
    DeletePayment, DocumentClient, EmailDocumentType, EmailStatusCode, PaymentRequest, PaymentType,
    SendDocument, SeriesNumber, SeriesType, StockQuery,
};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::{method, path, query_param};

#[tokio::test]
async fn create_payment_against_an_invoice() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/payment"))
        .respond_with(json(fixture!("payment_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = PaymentRequest::for_invoice(
        SeriesNumber::new("FCT", "0023"),
        dec!(121.00),
        PaymentType::Chitanta,
    );
    req.series_name = Some("CH".into());
    req.issue_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 23);
    req.currency = Some(Currency::RON);
    req.observation = Some("comanda #1001".into());
    let created = client.create_payment(&req).await.unwrap();
    assert_eq!(
        (created.series.as_str(), created.number.as_str()),
        ("CH", "0006")
    );
    assert_eq!(
        only_body(&server).await,
        json!({
            "companyVatCode": "RO37311090", "issueDate": "2026-11-23", "currency": "RON",
            "seriesName": "CH", "value": 121, "isDraft": false, "type": "Chitanta",
            "isCash": true, "observation": "comanda #1001", "useInvoiceDetails": true,
            "invoicesList": [{"seriesName": "FCT", "number": "0023"}]
        })
    );
}

#[tokio::test]
async fn a_standalone_payment_needs_a_client_and_a_positive_value() {
    let (server, client) = setup().await;
    let mut req =
        PaymentRequest::standalone(DocumentClient::new("Ana"), dec!(0), PaymentType::Card);
    req.client = None;
    let err = client.create_payment(&req).await.unwrap_err();
    let SmartBillError::Validation(fields) = err else {
        panic!()
    };
    let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["value", "client"]);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn delete_receipt_and_other_payments() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/SBORO/api/payment/chitanta"))
        .and(query_param("cif", CIF))
        .and(query_param("seriesName", "CH"))
        .and(query_param("number", "0006"))
        .respond_with(json(fixture!("document_deleted.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/SBORO/api/payment/v2"))
        .respond_with(json(fixture!("document_deleted.json")))
        .expect(1)
        .mount(&server)
        .await;
    client.delete_receipt("CH", "0006").await.unwrap();
    client
        .delete_payment(&DeletePayment::for_invoice(
            PaymentType::OrdinPlata,
            "FCT",
            "0023",
        ))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let v2 = requests
        .iter()
        .find(|r| r.url.path().ends_with("/v2"))
        .unwrap();
    assert_eq!(
        v2.url.query(),
        Some("cif=RO37311090&paymentType=Ordin+plata&invoiceSeries=FCT&invoiceNumber=0023")
    );
    let err = client
        .delete_payment(&DeletePayment::for_invoice(PaymentType::Card, "FCT", "0023").tap_clear())
        .await
        .unwrap_err();
    assert!(matches!(err, SmartBillError::Validation(_)));
}

trait TapClear {
    fn tap_clear(self) -> Self;
}
impl TapClear for DeletePayment {
    fn tap_clear(mut self) -> Self {
        self.invoice_number = None;
        self
    }
}

#[tokio::test]
async fn fiscal_receipt_text_is_decoded() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/payment/text"))
        .and(query_param("cif", CIF))
        .and(query_param("id", "7781"))
        .respond_with(json(fixture!("fiscal_receipt_text.json")))
        .expect(1)
        .mount(&server)
        .await;
    let text = client.fiscal_receipt_text("7781").await.unwrap();
    assert!(String::from_utf8(text).unwrap().contains("BON FISCAL"));
}

#[tokio::test]
async fn send_document_base64_encodes_subject_and_body() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/document/send"))
        .respond_with(json(fixture!("email_sent.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut email = SendDocument::new(EmailDocumentType::Factura, "FCT", "0023", "ana@example.ro");
    email.subject = Some("Factura #serie numar document#".into());
    email.body_text = Some("Buna ziua, #nume client#!".into());
    email.cc = Some("contabil@example.ro".into());
    let status = client.send_document(&email).await.unwrap();
    assert_eq!(status.code, EmailStatusCode::Ok);
    assert_eq!(
        only_body(&server).await,
        json!({
            "companyVatCode": "RO37311090", "seriesName": "FCT", "number": "0023",
            "type": "factura", "subject": "RmFjdHVyYSAjc2VyaWUgbnVtYXIgZG9jdW1lbnQj",
            "to": "ana@example.ro", "cc": "contabil@example.ro",
            "bodyText": "QnVuYSB6aXVhLCAjbnVtZSBjbGllbnQjIQ=="
        })
    );
}

#[tokio::test]
async fn a_non_zero_email_status_is_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/document/send"))
        .respond_with(json(fixture!("email_data_error.json")))
        .mount(&server)
        .await;
    let err = client
        .send_document(&SendDocument::new(
            EmailDocumentType::Proforma,
            "PRF",
            "0012",
            "x@y.ro",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SmartBillError::Email { code: EmailStatusCode::DataError, message } if message.contains("nu este valida")),
        "{err:?}"
    );
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::Rejected);
    assert_eq!(p.provider_code(), Some("email_status_1"));
}

#[tokio::test]
async fn taxes_are_read_from_the_account() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .and(query_param("cif", CIF))
        .respond_with(json(fixture!("taxes.json")))
        .expect(1)
        .mount(&server)
        .await;
    let taxes = client.taxes().await.unwrap();
    assert_eq!(taxes.len(), 7);
    assert_eq!(
        (taxes[0].name.as_str(), taxes[0].percentage),
        ("Normala", dec!(21))
    );
    assert_eq!(
        (taxes[1].name.as_str(), taxes[1].percentage),
        ("Redusa", dec!(11))
    );
}

#[tokio::test]
async fn series_by_type() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/series"))
        .and(query_param("cif", CIF))
        .and(query_param("type", "f"))
        .respond_with(json(fixture!("series.json")))
        .expect(1)
        .mount(&server)
        .await;
    let list = client.series(Some(SeriesType::Invoice)).await.unwrap();
    assert_eq!(list[0].name, "FCT");
    assert_eq!(list[0].next_number.as_deref(), Some("0117"));
    assert_eq!(list[0].series_type, SeriesType::Invoice);
    assert_eq!(list[2].series_type, SeriesType::Receipt);
}

#[tokio::test]
async fn stocks_send_spaces_as_plus() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/stocks"))
        .respond_with(json(fixture!("stocks.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut query = StockQuery::at(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    query.warehouse_name = Some("Depozit central".into());
    let stock = client.stocks(&query).await.unwrap();
    assert_eq!(stock[0].warehouse.warehouse_name, "Depozit central");
    assert_eq!(stock[0].warehouse.warehouse_type, "en gros");
    assert_eq!(stock[0].products[1].quantity, dec!(2.75));
    assert_eq!(stock[0].products[1].product_code, None);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("cif=RO37311090&date=2026-11-22&warehouseName=Depozit+central")
    );
}
