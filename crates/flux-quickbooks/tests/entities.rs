//! Entity operations: read, create, update, deactivate, delete, void, PDF, send.

mod common;

use common::*;
use flux_quickbooks::types::{
    Customer, EmailAddress, Estimate, Invoice, Item, ItemType, Payment, PaymentLine, Ref, TaxCode,
    TaxRate,
};
use flux_quickbooks::{SalesDocumentKind, WriteOptions};
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn ok(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("intuit_tid", "tid-ok")
        .set_body_raw(fixture(name), "application/json")
}

#[tokio::test]
async fn read_customer_keeps_unknown_fields_and_sends_minorversion() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .and(query_param("minorversion", "75"))
        .and(header("accept", "application/json"))
        .and(header("authorization", "Bearer access-0"))
        .respond_with(ok("customer.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let c = s.client.customer("1").await.unwrap();
    assert_eq!(c.sync_token.as_deref(), Some("5"));
    assert_eq!(c.balance, Some(dec!(274.0)));
    assert_eq!(
        c.bill_addr.as_ref().unwrap().lat.as_deref(),
        Some("INVALID")
    );
    assert_eq!(
        c.extra.get("PrintOnCheckName"),
        Some(&json!("Amy's Bird Sanctuary"))
    );
    assert_eq!(c.extra.get("domain"), Some(&json!("QBO")));
}

#[tokio::test]
async fn create_customer_sends_requestid_and_no_id() {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(query_param("minorversion", "75"))
        .and(query_param("requestid", "order-42:customer"))
        .and(json_eq(json!({
            "DisplayName": "Northwind Traders Ltd",
            "CompanyName": "Northwind Traders Ltd",
            "PrimaryEmailAddr": {"Address": "ap@northwind.example"}
        })))
        .respond_with(ok("customer_created.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let mut customer = Customer::default();
    customer.display_name = Some("Northwind Traders Ltd".into());
    customer.company_name = Some("Northwind Traders Ltd".into());
    customer.primary_email_addr = Some(EmailAddress::new("ap@northwind.example"));
    let created = s
        .client
        .create(
            &customer,
            &WriteOptions::with_request_id("order-42:customer"),
        )
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("58"));
    assert_eq!(created.sync_token.as_deref(), Some("0"));
}

#[tokio::test]
async fn every_write_gets_a_generated_requestid() {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("item")))
        .respond_with(ok("item.json"))
        .expect(2)
        .mount(&s.server)
        .await;
    let mut item = Item::default();
    item.name = Some("Rock Fountain".into());
    item.item_type = Some(ItemType::Inventory);
    s.client
        .create(&item, &WriteOptions::default())
        .await
        .unwrap();
    s.client
        .create(&item, &WriteOptions::default())
        .await
        .unwrap();
    let requests = s.server.received_requests().await.unwrap();
    let ids: Vec<String> = requests
        .iter()
        .map(|r| query_value(r, "requestid").expect("requestid"))
        .collect();
    assert_ne!(ids[0], ids[1]);
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["Type"], "Inventory");
}

#[tokio::test]
async fn full_and_sparse_updates_carry_sync_token() {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .respond_with(ok("customer_updated.json"))
        .expect(2)
        .mount(&s.server)
        .await;
    let mut read: Customer =
        serde_json::from_value(json_fixture("customer.json")["Customer"].clone()).unwrap();
    read.notes = Some("changed".into());
    s.client
        .update(&read, &WriteOptions::default())
        .await
        .unwrap();

    let mut patch = Customer::default();
    patch.id = Some("58".into());
    patch.sync_token = Some("2".into());
    patch.primary_email_addr = Some(EmailAddress::new("billing@northwind.example"));
    let updated = s
        .client
        .sparse_update(&patch, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(updated.sync_token.as_deref(), Some("3"));

    let requests = s.server.received_requests().await.unwrap();
    let full: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(full["sparse"], false);
    assert_eq!(full["SyncToken"], "5");
    assert_eq!(full["Notes"], "changed");
    // Fields this crate does not model survive a read-modify-write.
    assert_eq!(full["PrintOnCheckName"], "Amy's Bird Sanctuary");
    assert_eq!(full["BalanceWithJobs"], json!(274.0));
    let sparse: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(
        sparse,
        json!({"Id": "58", "SyncToken": "2", "sparse": true, "PrimaryEmailAddr": {"Address": "billing@northwind.example"}})
    );
}

#[tokio::test]
async fn update_without_sync_token_is_refused_before_sending() {
    let s = setup().await;
    let mut patch = Customer::default();
    patch.id = Some("58".into());
    let err = s
        .client
        .sparse_update(&patch, &WriteOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("SyncToken"));
    assert!(s.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn deactivate_customer_and_item() {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(json_eq(
            json!({"Id": "58", "SyncToken": "3", "sparse": true, "Active": false}),
        ))
        .respond_with(ok("customer_deactivated.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("item")))
        .and(json_eq(
            json!({"Id": "5", "SyncToken": "3", "sparse": true, "Active": false}),
        ))
        .respond_with(ok("item_deactivated.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let c: Customer = s.client.deactivate("58", "3").await.unwrap();
    assert_eq!(c.active, Some(false));
    let i: Item = s.client.deactivate("5", "3").await.unwrap();
    assert_eq!(i.active, Some(false));
}

#[tokio::test]
async fn delete_and_void_transactions() {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("invoice")))
        .and(query_param("operation", "delete"))
        .and(json_eq(json!({"Id": "239", "SyncToken": "0"})))
        .respond_with(ok("invoice_deleted.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("invoice")))
        .and(query_param("operation", "void"))
        .and(json_eq(json!({"Id": "239", "SyncToken": "0"})))
        .respond_with(ok("invoice_voided.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("payment")))
        .and(query_param("operation", "update"))
        .and(query_param("include", "void"))
        .and(json_eq(
            json!({"Id": "240", "SyncToken": "0", "sparse": true}),
        ))
        .respond_with(ok("payment_voided.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("estimate")))
        .and(query_param("operation", "delete"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Estimate": {"status": "Deleted", "domain": "QBO", "Id": "100"}, "time": "2025-11-03T11:00:00.000-08:00"})))
        .expect(1)
        .mount(&s.server)
        .await;
    let deleted = s.client.delete::<Invoice>("239", "0").await.unwrap();
    assert_eq!(
        (
            deleted.entity.as_str(),
            deleted.id.as_str(),
            deleted.status.as_str()
        ),
        ("Invoice", "239", "Deleted")
    );
    let voided = s.client.void_invoice("239", "0").await.unwrap();
    assert_eq!(voided.total_amt, Some(dec!(0)));
    assert_eq!(voided.sync_token.as_deref(), Some("1"));
    let payment = s.client.void_payment("240", "0").await.unwrap();
    assert_eq!(payment.total_amt, Some(dec!(0)));
    let est = s.client.delete::<Estimate>("100", "1").await.unwrap();
    assert_eq!(est.id, "100");
}

#[tokio::test]
async fn create_payment_applied_to_invoice() {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("payment")))
        .and(json_eq(json!({
            "CustomerRef": {"value": "1"},
            "TotalAmt": 262.5,
            "Line": [{"Amount": 262.5, "LinkedTxn": [{"TxnId": "239", "TxnType": "Invoice"}]}]
        })))
        .respond_with(ok("payment_created.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let mut payment = Payment::default();
    payment.customer_ref = Some(Ref::new("1"));
    payment.total_amt = Some(dec!(262.5));
    payment.line = vec![PaymentLine::for_invoice("239", dec!(262.5))];
    let created = s
        .client
        .create(&payment, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("240"));
    assert_eq!(created.unapplied_amt, Some(dec!(0)));
}

#[tokio::test]
async fn reads_of_item_estimate_tax_company_and_preferences() {
    let s = setup().await;
    for (p, f) in [
        ("item/5", "item.json"),
        ("estimate/100", "estimate_created_ca.json"),
        ("invoice/239", "invoice_created.json"),
        ("taxrate/21", "taxrate.json"),
        (
            &format!("companyinfo/{REALM}") as &str,
            "companyinfo_us.json",
        ),
        ("preferences", "preferences.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(api(p)))
            .and(query_param("minorversion", "75"))
            .respond_with(ok(f))
            .expect(1)
            .mount(&s.server)
            .await;
    }
    let item = s.client.item("5").await.unwrap();
    assert_eq!(item.sku.as_deref(), Some("RF-100"));
    assert_eq!(item.unit_price, Some(dec!(275.10)));
    assert_eq!(item.item_type, Some(ItemType::Inventory));
    let est = s.client.estimate("100").await.unwrap();
    assert_eq!(est.txn_status.as_deref(), Some("Pending"));
    assert_eq!(est.txn_tax_detail.unwrap().total_tax, Some(dec!(13.0)));
    let inv = s.client.invoice("239").await.unwrap();
    assert_eq!(inv.balance, Some(dec!(262.5)));
    assert_eq!(inv.line.len(), 3);
    let rate: TaxRate = s.client.read("21").await.unwrap();
    assert_eq!(rate.rate_value, Some(dec!(13)));
    let info = s.client.company_info().await.unwrap();
    assert_eq!(info.country.as_deref(), Some("US"));
    let prefs = s.client.preferences().await.unwrap();
    assert_eq!(prefs.custom_txn_numbers(), Some(false));
    assert_eq!(prefs.partner_tax_enabled(), Some(true));
    assert_eq!(prefs.home_currency(), Some("USD"));
}

#[tokio::test]
async fn tax_codes_by_query() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            "SELECT * FROM TaxCode STARTPOSITION 1 MAXRESULTS 1000",
        ))
        .respond_with(ok("taxcodes_ca.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let codes: Vec<TaxCode> = s.client.query_all("SELECT * FROM TaxCode").await.unwrap();
    let names: Vec<_> = codes
        .iter()
        .map(|c| (c.id.clone().unwrap(), c.name.clone().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("13".to_owned(), "HST ON".to_owned()),
            ("3".to_owned(), "Exempt".to_owned())
        ]
    );
}

#[tokio::test]
async fn pdf_and_send() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("invoice/239/pdf")))
        .and(header("accept", "application/pdf"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(b"%PDF-1.4\n%fake\n".to_vec(), "application/pdf"),
        )
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("invoice/239/send")))
        .and(query_param("sendTo", "ap@birds.example"))
        .and(header("content-type", "application/octet-stream"))
        .respond_with(ok("invoice_sent.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let pdf = s
        .client
        .pdf(SalesDocumentKind::Invoice, "239")
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let sent: Invoice = s
        .client
        .send(SalesDocumentKind::Invoice, "239", Some("ap@birds.example"))
        .await
        .unwrap();
    assert_eq!(
        sent.email_status,
        Some(flux_quickbooks::types::EmailStatus::EmailSent)
    );
}

#[tokio::test]
async fn ids_are_checked_before_sending() {
    let s = setup().await;
    assert!(s.client.customer("1/../../x").await.is_err());
    assert!(s.server.received_requests().await.unwrap().is_empty());
}
