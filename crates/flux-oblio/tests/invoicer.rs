//! The `Invoicer` implementation, exercised through `Arc<dyn Invoicer>`.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use common::*;
use flux_core::invoicer::{
    Discount, DocumentKind, DocumentRef, EmailRequest, InvoiceLine, InvoiceRequest, LineKind,
    Payment, PaymentMethod, ReverseRequest,
};
use flux_core::vat::VatCategory;
use flux_core::{Address, Cif, CountryCode, Currency, ErrorKind, Invoicer, Money, Party};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A JSON number kept exactly as written (the body is sent with arbitrary precision).
fn exact(n: &str) -> serde_json::Value {
    serde_json::from_str(n).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn b2b_request() -> InvoiceRequest {
    let address = Address::builder("Ion Popescu", "Sector 2", CountryCode::RO)
        .street("Bdul. Pache Protopopescu")
        .number("109")
        .region("București")
        .postal_code("021414")
        .build()
        .unwrap();
    let mut party = Party::ro_company("BUCUR OBOR SA", Cif::parse("19").unwrap(), true)
        .with_address(address)
        .with_email("facturi@bucurobor.ro");
    if let flux_core::PartyKind::Company(c) = &mut party.kind {
        c.registry_number = Some("J40/365/1991".into());
    }
    let lines = vec![
        InvoiceLine::new("Tricou", dec!(2), dec!(59.90), VatCategory::Standard)
            .with_code("TR-01")
            .with_discount(Discount::Percent(dec!(10))),
        InvoiceLine::new("Carte", dec!(1), dec!(40), VatCategory::SuperReduced)
            .with_discount(Discount::Amount(dec!(5))),
        InvoiceLine::new("Transport", dec!(1), dec!(15), VatCategory::Standard)
            .with_kind(LineKind::Shipping),
    ];
    let mut req = InvoiceRequest::new("order-1001:invoice", "FCT", day(22), party, Currency::EUR)
        .with_lines(lines);
    req.exchange_rate = Some(dec!(4.975));
    req.due_date = Some(day(30));
    req.mentions = Some("Comanda #1001".into());
    let mut payment = Payment::new(
        PaymentMethod::Card,
        Money::new(dec!(179.82), Currency::EUR),
        day(22),
    );
    payment.reference = Some("ch_3PabC".into());
    req.collect = Some(payment);
    req
}

async fn invoicer() -> (MockServer, Arc<dyn Invoicer>) {
    let (server, client) = setup().await;
    (server, Arc::new(client))
}

#[tokio::test]
async fn b2b_invoice_maps_client_lines_discounts_shipping_currency_and_payment() {
    let (server, invoicer) = invoicer().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("create_invoice.json")))
        .expect(1)
        .mount(&server)
        .await;
    let doc = invoicer.create_invoice(&b2b_request()).await.unwrap();
    assert_eq!(
        doc.reference,
        DocumentRef::new(DocumentKind::Invoice, "FCT", "0053")
    );
    assert!(doc.link.as_deref().unwrap().contains("show_file"));

    let sent = received_on(&server, "/api/docs/invoice").await;
    assert_eq!(
        body_json(&sent[0]),
        json!({
            "cif": CIF,
            "client": {
                "cif": "RO19", "name": "BUCUR OBOR SA", "rc": "J40/365/1991",
                "address": "Bdul. Pache Protopopescu 109, 021414", "state": "Bucuresti",
                "city": "SECTOR 2", "country": "RO", "email": "facturi@bucurobor.ro",
                "vatPayer": 1
            },
            "issueDate": "2026-11-22",
            "dueDate": "2026-11-30",
            "seriesName": "FCT",
            "currency": "EUR",
            "exchangeRate": 4.975,
            "products": [
                {"name": "Tricou", "code": "TR-01", "price": exact("59.90"), "measuringUnit": "buc",
                 "vatName": "Normala", "vatPercentage": 21, "vatIncluded": 1, "quantity": 2},
                {"name": "Discount 10% Tricou", "discount": 10, "discountType": "procentual",
                 "discountAllAbove": 0},
                {"name": "Carte", "price": 40, "measuringUnit": "buc", "vatName": "Redusa",
                 "vatPercentage": 11, "vatIncluded": 1, "quantity": 1},
                {"name": "Discount Carte", "discount": 5, "discountType": "valoric",
                 "discountAllAbove": 0},
                {"name": "Transport", "price": 15, "measuringUnit": "buc", "vatName": "Normala",
                 "vatPercentage": 21, "vatIncluded": 1, "quantity": 1, "save": 0}
            ],
            "mentions": "Comanda #1001",
            "sendEmail": 0,
            "idempotencyKey": "order-1001:invoice",
            "collect": {"type": "Card", "documentNumber": "ch_3PabC", "value": 179.82,
                        "issueDate": "2026-11-22"}
        })
    );
}

#[tokio::test]
async fn b2c_proforma_with_old_vat_by_supply_date_and_net_prices() {
    let (server, invoicer) = invoicer().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/proforma"))
        .respond_with(json(fixture("create_proforma.json")))
        .expect(1)
        .mount(&server)
        .await;
    let address = Address::builder("Ana Pop", "Cluj-Napoca", CountryCode::RO)
        .street("Str. Memorandumului")
        .number("28")
        .region("CLUJ")
        .build()
        .unwrap();
    let mut req = InvoiceRequest::new(
        "order-1002:proforma",
        "PR",
        NaiveDate::from_ymd_opt(2025, 8, 5).unwrap(),
        Party::person("Ana Pop").with_address(address),
        Currency::RON,
    )
    .with_lines(vec![
        InvoiceLine::new("Consultanta", dec!(1), dec!(100), VatCategory::Standard)
            .with_kind(LineKind::Service),
    ]);
    req.supply_date = NaiveDate::from_ymd_opt(2025, 7, 31);
    req.prices_include_vat = false;
    req.send_email = true;
    req.language = Some("EN".into());
    let doc = invoicer.create_proforma(&req).await.unwrap();
    assert_eq!(doc.reference.kind, DocumentKind::Proforma);
    let body = body_json(&received_on(&server, "/api/docs/proforma").await[0]);
    assert_eq!(
        body["client"],
        json!({"name": "Ana Pop", "address": "Str. Memorandumului 28", "state": "Cluj",
               "city": "Cluj-Napoca", "country": "RO", "vatPayer": 0})
    );
    assert_eq!(body["products"][0]["vatPercentage"], 19);
    assert_eq!(body["products"][0]["vatIncluded"], 0);
    assert_eq!(body["sendEmail"], 1);
    assert_eq!(body["language"], "EN");
    assert!(body.get("deliveryDate").is_none() && body.get("collect").is_none());
}

#[tokio::test]
async fn invalid_requests_are_validation_errors_with_fields() {
    let (server, invoicer) = invoicer().await;
    let mut req = b2b_request();
    req.lines.clear();
    let err = invoicer.create_invoice(&req).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.field_errors()[0].field, "lines");

    let mut req = b2b_request();
    req.collect.as_mut().unwrap().reference = None;
    let err = invoicer.create_invoice(&req).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "payment.reference");

    let err = invoicer.create_proforma(&b2b_request()).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "collect");
    assert_eq!(err.provider(), "oblio");
    server.reset().await;
}

#[tokio::test]
async fn pdf_cancel_restore_delete_through_the_trait() {
    let (server, invoicer) = invoicer().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture_on(&server, "get_invoice.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/utils/show_file/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(b"%PDF-1.4 body".to_vec(), "application/pdf"),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/docs/invoice/cancel"))
        .respond_with(json(fixture("cancel.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/docs/invoice/restore"))
        .respond_with(json(fixture("restore.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/docs/invoice"))
        .respond_with(json_status(400, fixture("error_delete_not_last.json")))
        .expect(1)
        .mount(&server)
        .await;
    let doc = DocumentRef::new(DocumentKind::Invoice, "FCT", "0053");
    let pdf = invoicer.pdf(&doc).await.unwrap();
    assert_eq!(pdf, b"%PDF-1.4 body");
    invoicer.cancel(&doc).await.unwrap();
    invoicer.restore(&doc).await.unwrap();
    let err = invoicer.delete(&doc).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.message()
            .contains("cancel the document or issue a storno")
    );
}

#[tokio::test]
async fn reverse_issues_a_storno_in_the_same_series() {
    let (server, invoicer) = invoicer().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("create_storno.json")))
        .expect(1)
        .mount(&server)
        .await;
    let doc = DocumentRef::new(DocumentKind::Invoice, "FCT", "0568");
    let storno = invoicer
        .reverse(&doc, day(25), "order-1001:storno")
        .await
        .unwrap();
    assert_eq!(storno.reference.number, "0569");
    let body = body_json(&received_on(&server, "/api/docs/invoice").await[0]);
    assert_eq!(
        body,
        json!({"cif": CIF, "issueDate": "2026-11-25", "seriesName": "FCT",
               "idempotencyKey": "order-1001:storno",
               "referenceDocument": {"type": "Factura", "seriesName": "FCT", "number": 568}})
    );
    let proforma = DocumentRef::new(DocumentKind::Proforma, "PR", "1");
    assert!(
        invoicer
            .reverse(&proforma, day(25), "k")
            .await
            .unwrap_err()
            .is_validation()
    );
}

#[tokio::test]
async fn reverse_with_a_storno_series_numbers_the_storno_there() {
    let (server, invoicer) = invoicer().await;
    assert!(invoicer.capabilities().storno_series);
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(
            r#"{"status":200,"statusMessage":"Success","data":{"seriesName":"STO","number":"0007","link":"https://www.oblio.eu/utils/show_file/?ic=1&id=2&it=3"}}"#
                .to_owned(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let doc = DocumentRef::new(DocumentKind::Invoice, "FCT", "0568");
    let request = ReverseRequest::new(doc, day(25), "order-1001:storno").with_series("STO");
    let storno = invoicer.reverse_with(&request).await.unwrap();
    assert_eq!(storno.reference.to_string(), "STO 0007");
    assert_eq!(storno.reference.kind, DocumentKind::Invoice);
    let body = body_json(&received_on(&server, "/api/docs/invoice").await[0]);
    assert_eq!(
        body,
        json!({"cif": CIF, "issueDate": "2026-11-25", "seriesName": "STO",
               "idempotencyKey": "order-1001:storno",
               "referenceDocument": {"type": "Factura", "seriesName": "FCT", "number": 568}}),
        "numbered in the storno series, referencing the invoice in its own series"
    );
}

#[tokio::test]
async fn record_payment_maps_the_method_to_oblios_string() {
    let (server, invoicer) = invoicer().await;
    Mock::given(method("PUT"))
        .and(path("/api/docs/invoice/collect"))
        .respond_with(json(fixture("collect.json")))
        .expect(2)
        .mount(&server)
        .await;
    let doc = DocumentRef::new(DocumentKind::Invoice, "FCT", "0053");
    let mut transfer = Payment::new(
        PaymentMethod::BankTransfer,
        Money::new(dec!(131.78), Currency::RON),
        day(24),
    );
    transfer.reference = Some("OP-118".into());
    invoicer.record_payment(&doc, &transfer).await.unwrap();
    let mut cod = Payment::new(
        PaymentMethod::CashOnDelivery,
        Money::new(dec!(50), Currency::RON),
        day(24),
    );
    cod.reference = Some("AWB 2150012345".into());
    invoicer.record_payment(&doc, &cod).await.unwrap();
    let sent = received_on(&server, "/api/docs/invoice/collect").await;
    assert_eq!(body_json(&sent[0])["collect"]["type"], "Ordin de plata");
    assert_eq!(body_json(&sent[1])["collect"]["type"], "Ramburs");
    assert_eq!(
        body_json(&sent[1])["collect"]["documentNumber"],
        "AWB 2150012345"
    );
}

#[tokio::test]
async fn cash_uses_the_receipt_series_when_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authorize/token"))
        .respond_with(json(fixture("token.json")))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/docs/invoice/collect"))
        .respond_with(json(fixture("collect.json")))
        .expect(1)
        .mount(&server)
        .await;
    let invoicer: Arc<dyn Invoicer> =
        Arc::new(builder(&server).receipt_series("CH").build().unwrap());
    let doc = DocumentRef::new(DocumentKind::Invoice, "FCT", "0053");
    let cash = Payment::new(
        PaymentMethod::Cash,
        Money::new(dec!(20), Currency::RON),
        day(24),
    );
    invoicer.record_payment(&doc, &cash).await.unwrap();
    let body = body_json(&received_on(&server, "/api/docs/invoice/collect").await[0]);
    assert_eq!(
        body["collect"],
        json!({"type": "Chitanta", "seriesName": "CH", "value": 20, "issueDate": "2026-11-24"})
    );
}

#[tokio::test]
async fn series_and_vat_rates_through_the_trait() {
    let (server, invoicer) = invoicer().await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/series"))
        .respond_with(json(fixture("series.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/vat_rates"))
        .respond_with(json(fixture("vat_rates.json")))
        .mount(&server)
        .await;
    let series = invoicer.series().await.unwrap();
    // The receipt series (Chitanta) is not an Invoicer document kind.
    assert_eq!(series.len(), 3);
    assert_eq!(series[0].kind, DocumentKind::Invoice);
    assert_eq!(series[0].next_number.as_deref(), Some("0051"));
    assert!(series[0].default);
    assert_eq!(series[2].kind, DocumentKind::Notice);
    let rates = invoicer.vat_rates().await.unwrap();
    assert_eq!(rates[0].name, "Normala");
    assert_eq!(rates[0].percent, dec!(21));
}

#[tokio::test]
async fn capabilities_and_email() {
    let (server, invoicer) = invoicer().await;
    let caps = invoicer.capabilities();
    assert!(caps.idempotent_create && caps.read_documents && caps.notices && caps.efactura);
    assert!(!caps.email);
    let doc = DocumentRef::new(DocumentKind::Invoice, "FCT", "0053");
    let err = invoicer
        .send_email(&doc, &EmailRequest::to("ana@example.ro"))
        .await
        .unwrap_err();
    assert!(err.is_unsupported());
    assert!(err.message().contains("send_email"));
    let err = invoicer
        .find_by_idempotency_key(DocumentKind::Invoice, "order-1001:invoice")
        .await
        .unwrap_err();
    assert!(err.is_unsupported());
    server.reset().await;
}
