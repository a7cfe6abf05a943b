//! The `Invoicer` implementation, exercised only through `Arc<dyn Invoicer>`.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use common::*;
use flux_core::address::Address;
use flux_core::invoicer::{
    Discount, DocumentKind, DocumentRef, EmailRequest, InvoiceLine, InvoiceRequest, LineKind,
    Payment, PaymentMethod, ReverseRequest,
};
use flux_core::{Cif, CountryCode, Currency, ErrorKind, Invoicer, Money, Party, VatCategory};
use flux_http::secret::SecretString;
use flux_smartbill::SmartBillClient;
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn setup_dyn() -> (MockServer, Arc<dyn Invoicer>) {
    let server = MockServer::start().await;
    let client = SmartBillClient::builder(EMAIL, SecretString::from(TOKEN), CIF)
        .base_url(format!("{}/SBORO/api/", server.uri()))
        .receipt_series("CH")
        .build()
        .unwrap();
    (server, Arc::new(client))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn company_in_bucharest() -> Party {
    let address = Address::builder("Ion Ionescu", "Sector 2", CountryCode::RO)
        .street("Bdul. Pache Protopopescu")
        .number("109")
        .region("București")
        .build()
        .unwrap();
    let mut party = Party::ro_company("BUCUR OBOR SA", Cif::parse("19").unwrap(), true)
        .with_address(address)
        .with_email("contabilitate@example.ro");
    if let flux_core::PartyKind::Company(c) = &mut party.kind {
        c.registry_number = Some("J40/365/1991".into());
    }
    party
}

fn request() -> InvoiceRequest {
    let mut req = InvoiceRequest::new(
        "order-1001:invoice",
        "FCT",
        d(2026, 11, 22),
        company_in_bucharest(),
        Currency::RON,
    )
    .with_lines(vec![
        InvoiceLine::new("Tricou", dec!(2), dec!(59.90), VatCategory::Standard)
            .with_code("TRC-01")
            .with_discount(Discount::Amount(dec!(10))),
        InvoiceLine::new("Carte", dec!(1), dec!(40), VatCategory::Reduced)
            .with_discount(Discount::Percent(dec!(5))),
        InvoiceLine::new("Transport", dec!(1), dec!(15), VatCategory::Standard)
            .with_kind(LineKind::Shipping),
    ]);
    req.due_date = Some(d(2026, 12, 6));
    req.supply_date = Some(d(2026, 11, 21));
    req.mentions = Some("Comanda #1001".into());
    req.collect = Some(Payment::new(
        PaymentMethod::Card,
        Money::new(dec!(174.61), Currency::RON),
        d(2026, 11, 22),
    ));
    req.send_email = true;
    req
}

#[tokio::test]
async fn create_invoice_maps_the_domain_request() {
    let (server, invoicer) = setup_dyn().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/v2"))
        .respond_with(json(fixture!("invoice_v2_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(invoicer.provider(), "smartbill");
    let doc = invoicer.create_invoice(&request()).await.unwrap();
    assert_eq!(
        doc.reference,
        DocumentRef::new(DocumentKind::Invoice, "FCT", "0024")
    );
    assert_eq!(
        doc.link.as_deref(),
        Some("https://cloud.smartbill.ro/documente/extern/pf/factura/b45e77c1d2?srvid=1")
    );

    let body = only_body(&server).await;
    assert_eq!(
        body["client"],
        json!({
            "name": "BUCUR OBOR SA", "vatCode": "RO19", "address": "Bdul. Pache Protopopescu 109",
            "regCom": "J40/365/1991", "isTaxPayer": true, "city": "Sector 2",
            "county": "Bucuresti", "country": "Romania", "email": "contabilitate@example.ro",
            "saveToDb": false
        })
    );
    assert_eq!(body["deliveryDate"], "2026-11-21");
    assert_eq!(body["dueDate"], "2026-12-06");
    assert_eq!(body["mentions"], "Comanda #1001");
    assert_eq!(body["sendEmail"], true);
    assert_eq!(body["email"], json!({"to": "contabilitate@example.ro"}));
    assert_eq!(
        body["payment"],
        json!({"value": 174.61, "type": "Card", "isCash": false})
    );
    assert_eq!(body["paymentDate"], "2026-11-22");
    let products = body["products"].as_array().unwrap();
    assert_eq!(products.len(), 5);
    assert_eq!(
        products[0],
        json!({"isDiscount": false, "name": "Tricou", "code": "TRC-01", "measuringUnitName": "buc",
               "currency": "RON", "quantity": 2, "price": 59.9, "isTaxIncluded": true,
               "taxName": "Normala", "taxPercentage": 21, "saveToDb": false, "isService": false})
    );
    assert_eq!(
        products[1],
        json!({"isDiscount": true, "name": "Discount Tricou", "numberOfItems": 1,
               "measuringUnitName": "buc", "currency": "RON", "isTaxIncluded": true,
               "taxName": "Normala", "taxPercentage": 21, "discountType": 1, "discountValue": -10})
    );
    assert_eq!(products[2]["taxName"], "Redusa");
    assert_eq!(products[2]["taxPercentage"], 11);
    assert_eq!(products[3]["discountType"], 2);
    assert_eq!(products[3]["discountPercentage"], 5);
    assert_eq!(products[4]["isService"], true);
    // SmartBill has no idempotency key: ours is not sent anywhere.
    assert!(!body.to_string().contains("order-1001:invoice"));
}

#[tokio::test]
async fn cash_collection_uses_the_receipt_series_and_persons_get_13_zeros() {
    let (server, invoicer) = setup_dyn().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/v2"))
        .respond_with(json(fixture!("invoice_v2_created.json")))
        .mount(&server)
        .await;
    let mut req = request();
    req.client = Party::person("Ana Pop");
    req.send_email = false;
    req.collect = Some(Payment::new(
        PaymentMethod::Cash,
        Money::new(dec!(50), Currency::RON),
        d(2026, 11, 22),
    ));
    invoicer.create_invoice(&req).await.unwrap();
    let body = only_body(&server).await;
    assert_eq!(body["client"]["vatCode"], "0000000000000");
    assert_eq!(body["client"]["address"], "-");
    assert_eq!(
        body["payment"],
        json!({"value": 50, "paymentSeries": "CH", "type": "Chitanta", "isCash": true})
    );
}

#[tokio::test]
async fn invalid_requests_never_reach_smartbill() {
    let (server, invoicer) = setup_dyn().await;
    let mut req = request();
    req.client.email = None;
    let err = invoicer.create_invoice(&req).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.field_errors()[0].field, "client.email");

    let mut req = request();
    req.lines.clear();
    let err = invoicer.create_invoice(&req).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "lines");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn errors_arrive_as_provider_errors() {
    let (server, invoicer) = setup_dyn().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/v2"))
        .respond_with(json(fixture!("error_200_county.json")))
        .mount(&server)
        .await;
    let err = invoicer.create_invoice(&request()).await.unwrap_err();
    assert_eq!(err.provider(), "smartbill");
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.message()
            .starts_with("Judetul clientului nu este valid.")
    );
    assert!(!err.maybe_sent());
}

#[tokio::test]
async fn create_proforma_uses_estimate_without_payment() {
    let (server, invoicer) = setup_dyn().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/estimate/v2"))
        .respond_with(json(fixture!("estimate_v2_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let doc = invoicer.create_proforma(&request()).await.unwrap();
    assert_eq!(
        doc.reference,
        DocumentRef::new(DocumentKind::Proforma, "PRF", "0012")
    );
    let body = only_body(&server).await;
    assert!(body.get("payment").is_none());
    assert!(body.get("paymentDate").is_none());
}

#[tokio::test]
async fn document_operations_by_kind() {
    let (server, invoicer) = setup_dyn().await;
    let pdf: &[u8] = include_bytes!("../../../fixtures/smartbill/invoice.pdf");
    Mock::given(method("GET"))
        .and(path("/SBORO/api/estimate/pdf"))
        .and(query_param("seriesName", "PRF"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(pdf.to_vec(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/SBORO/api/invoice/cancel"))
        .respond_with(json(fixture!("document_cancelled.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/SBORO/api/invoice/restore"))
        .respond_with(json(fixture!("document_restored.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/SBORO/api/invoice"))
        .respond_with(json(fixture!("delete_not_last.json")))
        .expect(1)
        .mount(&server)
        .await;

    let proforma = DocumentRef::new(DocumentKind::Proforma, "PRF", "0012");
    let invoice = DocumentRef::new(DocumentKind::Invoice, "FCT", "0023");
    assert_eq!(invoicer.pdf(&proforma).await.unwrap(), pdf);
    invoicer.cancel(&invoice).await.unwrap();
    invoicer.restore(&invoice).await.unwrap();
    let err = invoicer.delete(&invoice).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.provider_code(), Some("not_last_in_series"));

    let notice = DocumentRef::new(DocumentKind::Notice, "AVZ", "1");
    assert!(invoicer.pdf(&notice).await.unwrap_err().is_unsupported());
}

#[tokio::test]
async fn reverse_and_record_payment() {
    let (server, invoicer) = setup_dyn().await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/reverse"))
        .respond_with(json(fixture!("reverse_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/payment"))
        .respond_with(json(fixture!("payment_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let invoice = DocumentRef::new(DocumentKind::Invoice, "FFF", "0984");
    let storno = invoicer
        .reverse(&invoice, d(2026, 11, 25), "order-1001:storno")
        .await
        .unwrap();
    assert_eq!(storno.reference.number, "0985");

    let mut payment = Payment::new(
        PaymentMethod::BankTransfer,
        Money::new(dec!(121), Currency::RON),
        d(2026, 11, 26),
    );
    payment.reference = Some("OP 4471".into());
    invoicer.record_payment(&invoice, &payment).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let reverse: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        reverse,
        json!({"companyVatCode": "RO37311090", "seriesName": "FFF", "number": "0984", "issueDate": "2026-11-25"})
    );
    let pay: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(
        pay,
        json!({"companyVatCode": "RO37311090", "issueDate": "2026-11-26", "currency": "RON",
               "value": 121, "isDraft": false, "type": "Ordin plata", "isCash": false,
               "observation": "OP 4471", "useInvoiceDetails": true,
               "invoicesList": [{"seriesName": "FFF", "number": "0984"}]})
    );
}

#[tokio::test]
async fn a_storno_is_numbered_in_the_invoice_series_only() {
    let (server, invoicer) = setup_dyn().await;
    assert!(!invoicer.capabilities().storno_series);
    Mock::given(method("POST"))
        .and(path("/SBORO/api/invoice/reverse"))
        .respond_with(json(fixture!("reverse_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let invoice = DocumentRef::new(DocumentKind::Invoice, "FFF", "0984");

    // Another series: refused locally, nothing reaches SmartBill.
    let other = ReverseRequest::new(invoice.clone(), d(2026, 11, 25), "k").with_series("STO");
    let err = invoicer.reverse_with(&other).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(
        err.message().contains("STO") && err.message().contains("FFF"),
        "{err}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());

    // The invoice's own series, named explicitly: the ordinary reverse body.
    let same = ReverseRequest::new(invoice, d(2026, 11, 25), "k").with_series("FFF");
    let storno = invoicer.reverse_with(&same).await.unwrap();
    assert_eq!(storno.reference.to_string(), "FFF 0985");
    assert_eq!(
        only_body(&server).await,
        json!({"companyVatCode": "RO37311090", "seriesName": "FFF", "number": "0984", "issueDate": "2026-11-25"})
    );
}

#[tokio::test]
async fn series_vat_rates_and_email() {
    let (server, invoicer) = setup_dyn().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/series"))
        .respond_with(json(fixture!("series.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(json(fixture!("taxes.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/SBORO/api/document/send"))
        .respond_with(json(fixture!("email_sent.json")))
        .expect(1)
        .mount(&server)
        .await;

    let series = invoicer.series().await.unwrap();
    assert_eq!(series.len(), 2, "receipt series have no DocumentKind");
    assert_eq!(
        (series[0].kind, series[0].name.as_str()),
        (DocumentKind::Invoice, "FCT")
    );
    assert_eq!(series[1].kind, DocumentKind::Proforma);
    assert_eq!(series[1].next_number.as_deref(), Some("0013"));

    let rates = invoicer.vat_rates().await.unwrap();
    assert_eq!(
        (rates[0].name.as_str(), rates[0].percent),
        ("Normala", dec!(21))
    );

    let email = EmailRequest::to("ana@example.ro");
    invoicer
        .send_email(
            &DocumentRef::new(DocumentKind::Proforma, "PRF", "0012"),
            &email,
        )
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&requests.last().unwrap().body).unwrap();
    assert_eq!(
        sent,
        json!({"companyVatCode": "RO37311090", "seriesName": "PRF", "number": "0012",
               "type": "proforma", "to": "ana@example.ro"})
    );
}

#[tokio::test]
async fn capabilities_say_there_is_no_idempotency_and_no_read_back() {
    let (_server, invoicer) = setup_dyn().await;
    let caps = invoicer.capabilities();
    assert!(!caps.idempotent_create);
    assert!(!caps.read_documents);
    assert!(!caps.notices);
    assert!(caps.email);
    assert!(!caps.efactura);
    let err = invoicer
        .find_by_idempotency_key(DocumentKind::Invoice, "order-1001:invoice")
        .await
        .unwrap_err();
    assert!(err.is_unsupported());
}
