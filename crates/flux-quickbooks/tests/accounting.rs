//! The Accounting trait through Arc<dyn Accounting>.

mod common;

use std::sync::Arc;

use common::*;
use flux_core::accounting::{
    AccountingDocumentKind, AccountingDocumentRef, CustomerInput, SalesDocumentRequest, SalesLine,
    TaxTreatment,
};
use flux_core::{Accounting, Currency, ErrorKind};
use flux_quickbooks::TaxRegime;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn ok(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

fn dyn_client(s: &Setup) -> Arc<dyn Accounting> {
    Arc::new(s.client.clone())
}

#[tokio::test]
async fn customers_changed_since_maps_to_flux_types() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            "SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000",
        ))
        .respond_with(ok("customers_page1.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let accounting = dyn_client(&s);
    assert_eq!(accounting.provider(), "quickbooks");
    let customers = accounting.customers_changed_since(None).await.unwrap();
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[0].display_name, "Amy's Bird Sanctuary");
    assert_eq!(customers[0].version.as_deref(), Some("5"));
    let bill = customers[0].billing_address.as_ref().unwrap();
    assert_eq!(bill.locality, "Bayshore");
    assert_eq!(bill.region.as_deref(), Some("CA"));
    assert_eq!(
        customers[0].updated_at.unwrap().to_rfc3339(),
        "2015-07-01T17:14:15+00:00"
    );
}

#[tokio::test]
async fn items_changed_since_keeps_sku_price_and_inactive() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .respond_with(ok("items_page.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let items = dyn_client(&s).items_changed_since(None).await.unwrap();
    assert_eq!(items[1].sku.as_deref(), Some("RF-100"));
    assert_eq!(items[1].unit_price, Some(dec!(275.10)));
    assert!(!items[1].active);
    assert_eq!(items[0].taxable, Some(true));
}

#[tokio::test]
async fn upsert_creates_when_the_name_is_free() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            "SELECT * FROM Customer WHERE Active IN (true, false) AND DisplayName = 'Northwind Traders Ltd' STARTPOSITION 1 MAXRESULTS 10",
        ))
        .respond_with(ok("query_empty.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(query_param("requestid", "customer:Northwind Traders Ltd"))
        .and(json_eq(json!({
            "DisplayName": "Northwind Traders Ltd",
            "PrimaryEmailAddr": {"Address": "ap@northwind.example"}
        })))
        .respond_with(ok("customer_created.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let mut input = CustomerInput::new("Northwind Traders Ltd");
    input.email = Some("ap@northwind.example".into());
    let customer = dyn_client(&s).upsert_customer(&input).await.unwrap();
    assert_eq!(customer.id, "58");
}

#[tokio::test]
async fn upsert_updates_the_existing_customer_sparsely() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "QueryResponse": {"Customer": [json_fixture("customer_created.json")["Customer"].clone()], "startPosition": 1, "maxResults": 1},
            "time": "2025-11-04T10:00:00.000-08:00"
        })))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(json_eq(json!({
            "Id": "58", "SyncToken": "0", "sparse": true, "Active": true,
            "DisplayName": "Northwind Traders Ltd",
            "PrimaryEmailAddr": {"Address": "billing@northwind.example"}
        })))
        .respond_with(ok("customer_updated.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let mut input = CustomerInput::new("Northwind Traders Ltd");
    input.email = Some("billing@northwind.example".into());
    let customer = dyn_client(&s).upsert_customer(&input).await.unwrap();
    assert_eq!(customer.email.as_deref(), Some("billing@northwind.example"));
    assert_eq!(customer.version.as_deref(), Some("3"));
}

#[tokio::test]
async fn canadian_estimate_carries_tax_code_ids_detected_from_company_info() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api(&format!("companyinfo/{REALM}"))))
        .respond_with(ok("companyinfo_ca.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("estimate")))
        .and(query_param("requestid", "order-42:estimate"))
        .and(json_eq(json!({
            "CustomerRef": {"value": "58"},
            "Line": [{
                "Amount": 100.00,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "11"}, "Qty": 4, "UnitPrice": 25.00, "TaxCodeRef": {"value": "13"}}
            }],
            "PrivateNote": "PO PO-7781",
            "CurrencyRef": {"value": "CAD"}
        })))
        .respond_with(ok("estimate_created_ca.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let line = SalesLine::new("11", dec!(4), dec!(25.00)).with_tax(TaxTreatment::Code("13".into()));
    let mut request =
        SalesDocumentRequest::new("order-42:estimate", "58", vec![line]).with_po_number("PO-7781");
    request.currency = Some(Currency::CAD);
    let doc = dyn_client(&s).create_estimate(&request).await.unwrap();
    assert_eq!(doc.reference.kind, AccountingDocumentKind::Estimate);
    assert_eq!(doc.reference.id, "100");
    assert_eq!(doc.doc_number.as_deref(), Some("1001"));
    let total = doc.total.unwrap();
    assert_eq!(
        (total.amount(), total.currency()),
        (dec!(113.0), Currency::CAD)
    );
}

#[tokio::test]
async fn canadian_lines_without_a_code_are_refused_before_sending() {
    let s = setup_with(
        valid_tokens(),
        Some(TaxRegime::Canada {
            default_tax_code: None,
        }),
    )
    .await;
    let line = SalesLine::new("11", dec!(1), dec!(10)).with_tax(TaxTreatment::Taxable);
    let request = SalesDocumentRequest::new("k", "58", vec![line]);
    let err = dyn_client(&s).create_estimate(&request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(err.field_errors()[0].field, "lines[0].tax");
    assert!(s.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn us_invoice_from_estimate_uses_tax_and_non() {
    let s = setup_with(valid_tokens(), Some(TaxRegime::UnitedStates)).await;
    Mock::given(method("POST"))
        .and(path(api("invoice")))
        .and(query_param("requestid", "order-42:invoice"))
        .and(query_param("minorversion", "75"))
        .and(json_eq(json!({
            "CustomerRef": {"value": "1"},
            "Line": [
                {"Amount": 250, "DetailType": "SalesItemLineDetail",
                 "SalesItemLineDetail": {"ItemRef": {"value": "5"}, "Qty": 2, "UnitPrice": 125, "TaxCodeRef": {"value": "TAX"}}},
                {"Amount": 12.50, "Description": "Bag of concrete", "DetailType": "SalesItemLineDetail",
                 "SalesItemLineDetail": {"ItemRef": {"value": "3"}, "Qty": 1, "UnitPrice": 12.50, "TaxCodeRef": {"value": "NON"}}}
            ],
            "LinkedTxn": [{"TxnId": "100", "TxnType": "Estimate"}],
            "BillEmail": {"Address": "ap@birds.example"}
        })))
        .respond_with(ok("invoice_created.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let lines = vec![
        SalesLine::new("5", dec!(2), dec!(125)).with_tax(TaxTreatment::Taxable),
        SalesLine::new("3", dec!(1), dec!(12.50))
            .with_tax(TaxTreatment::NonTaxable)
            .with_description("Bag of concrete"),
    ];
    let mut request = SalesDocumentRequest::new("order-42:invoice", "1", lines);
    request.bill_email = Some("ap@birds.example".into());
    let estimate = AccountingDocumentRef {
        kind: AccountingDocumentKind::Estimate,
        id: "100".into(),
    };
    let doc = dyn_client(&s)
        .create_invoice(&request, Some(&estimate))
        .await
        .unwrap();
    assert_eq!(doc.reference.id, "239");
    assert_eq!(doc.total.unwrap().amount(), dec!(262.5));
    assert_eq!(doc.version.as_deref(), Some("0"));
}

#[tokio::test]
async fn pdf_and_email_through_the_trait() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("estimate/100/pdf")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(b"%PDF-1.4 estimate".to_vec(), "application/pdf"),
        )
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("invoice/239/send")))
        .respond_with(ok("invoice_sent.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let accounting = dyn_client(&s);
    let estimate = AccountingDocumentRef {
        kind: AccountingDocumentKind::Estimate,
        id: "100".into(),
    };
    let pdf = accounting.pdf(&estimate).await.unwrap();
    assert_eq!(pdf, b"%PDF-1.4 estimate");
    let invoice = AccountingDocumentRef {
        kind: AccountingDocumentKind::Invoice,
        id: "239".into(),
    };
    accounting.send_email(&invoice, None).await.unwrap();
    let requests = s.server.received_requests().await.unwrap();
    assert_eq!(query_value(&requests[1], "sendTo"), None);
}

#[tokio::test]
async fn trait_errors_keep_classification() {
    let s = setup_with(valid_tokens(), Some(TaxRegime::UnitedStates)).await;
    Mock::given(method("POST"))
        .and(path(api("invoice")))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("intuit_tid", "tid-9")
                .set_body_raw(fixture("fault_stale.json"), "application/json"),
        )
        .mount(&s.server)
        .await;
    let request = SalesDocumentRequest::new("k", "1", vec![SalesLine::new("5", dec!(1), dec!(1))]);
    let err = dyn_client(&s)
        .create_invoice(&request, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.message().contains("tid-9"));
}
