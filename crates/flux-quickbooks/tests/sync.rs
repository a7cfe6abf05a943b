//! Queries with pagination, CDC and batch.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use flux_quickbooks::batch::{BatchItem, BatchOutcome};
use flux_quickbooks::types::{Customer, Invoice, Item};
use flux_quickbooks::{QuickBooksClient, QuickBooksError};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn ok(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

fn small_pages(s: &Setup) -> QuickBooksClient {
    QuickBooksClient::builder(s.manager.clone())
        .base_url(s.server.uri())
        .page_size(2)
        .retry_policy(flux_http::RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn query_pages_to_the_end_including_inactive() {
    let s = setup().await;
    let base = "SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY Id";
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            format!("{base} STARTPOSITION 1 MAXRESULTS 2").as_str(),
        ))
        .respond_with(ok("customers_page1.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            format!("{base} STARTPOSITION 3 MAXRESULTS 2").as_str(),
        ))
        .respond_with(ok("customers_page2.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let customers = small_pages(&s).customers_changed(None).await.unwrap();
    let ids: Vec<_> = customers.iter().map(|c| c.id.clone().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(customers[2].active, Some(false));
}

#[tokio::test]
async fn a_full_last_page_is_followed_by_an_empty_one() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            "SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 2",
        ))
        .respond_with(ok("customers_page1.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            "SELECT * FROM Customer STARTPOSITION 3 MAXRESULTS 2",
        ))
        .respond_with(ok("query_empty.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let all: Vec<Customer> = small_pages(&s)
        .query_all("SELECT * FROM Customer")
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn items_since_select_sku_and_inactive() {
    let s = setup().await;
    let since = Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap();
    Mock::given(method("GET"))
        .and(path(api("query")))
        .and(query_param(
            "query",
            "SELECT *, Sku FROM Item WHERE Active IN (true, false) AND MetaData.LastUpdatedTime > '2025-10-01T00:00:00+00:00' ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000",
        ))
        .respond_with(ok("items_page.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let items: Vec<Item> = s.client.items_changed(Some(since)).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].sku.as_deref(), Some("RF-100"));
    assert_eq!(items[1].active, Some(false));
}

#[tokio::test]
async fn cdc_returns_changes_and_deletions() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("cdc")))
        .and(query_param("entities", "Customer,Item,Invoice"))
        .and(query_param("minorversion", "75"))
        .respond_with(ok("cdc.json"))
        .expect(1)
        .mount(&s.server)
        .await;
    let since = Utc::now() - Duration::days(2);
    let changes = s
        .client
        .cdc(&["Customer", "Item", "Invoice"], since)
        .await
        .unwrap();
    let customers: Vec<Customer> = changes.changed().unwrap();
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[1].active, Some(false));
    let items: Vec<Item> = changes.changed().unwrap();
    assert_eq!(items[0].name.as_deref(), Some("Concrete"));
    assert_eq!(changes.deleted().len(), 1);
    assert_eq!(
        (
            changes.deleted()[0].entity.as_str(),
            changes.deleted()[0].id.as_str()
        ),
        ("Invoice", "130")
    );
    assert!(changes.changed::<Invoice>().unwrap().is_empty());
    let requests = s.server.received_requests().await.unwrap();
    let changed_since = query_value(&requests[0], "changedSince").unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(&changed_since).is_ok());
}

#[tokio::test]
async fn cdc_refuses_more_than_thirty_days() {
    let s = setup().await;
    let err = s
        .client
        .cdc(&["Customer"], Utc::now() - Duration::days(31))
        .await
        .unwrap_err();
    assert!(matches!(err, QuickBooksError::InvalidInput { .. }));
}

#[tokio::test]
async fn batch_items_fault_independently_and_are_chunked() {
    let s = setup().await;
    Mock::given(method("POST"))
        .and(path(api("batch")))
        .respond_with(ok("batch_response.json"))
        .expect(2)
        .mount(&s.server)
        .await;
    let client = QuickBooksClient::builder(s.manager.clone())
        .base_url(s.server.uri())
        .batch_size(3)
        .build()
        .unwrap();
    let mut customer = Customer::default();
    customer.display_name = Some("Amy's Bird Sanctuary".into());
    let mut stale = Customer::default();
    stale.id = Some("3".into());
    stale.sync_token = Some("1".into());
    let items = vec![
        BatchItem::create("bid1", &customer).unwrap(),
        BatchItem::sparse_update("bid2", &stale).unwrap(),
        BatchItem::delete::<Invoice>("bid3", "129", "0"),
        BatchItem::query(
            "bid4",
            "select * from SalesReceipt where TotalAmt > '300.00'",
        ),
    ];
    let results = client.batch(&items).await.unwrap();
    assert_eq!(results.len(), 4);
    assert!(matches!(
        results[0].outcome,
        BatchOutcome::Fault(QuickBooksError::DuplicateName { .. })
    ));
    assert!(matches!(
        results[1].outcome,
        BatchOutcome::Fault(QuickBooksError::NotFound(_))
    ));
    assert!(matches!(
        results[2].outcome,
        BatchOutcome::Fault(QuickBooksError::StaleObject(_))
    ));
    match &results[3].outcome {
        BatchOutcome::Query(q) => assert_eq!(q["SalesReceipt"][0]["Id"], "11"),
        other => panic!("{other:?}"),
    }
    let requests = s.server.received_requests().await.unwrap();
    let first: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    let second: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(first["BatchItemRequest"].as_array().unwrap().len(), 3);
    assert_eq!(second["BatchItemRequest"].as_array().unwrap().len(), 1);
    assert_eq!(first["BatchItemRequest"][0]["operation"], "create");
    assert_eq!(first["BatchItemRequest"][1]["Customer"]["sparse"], true);
    assert_eq!(
        first["BatchItemRequest"][2]["Invoice"],
        serde_json::json!({"Id": "129", "SyncToken": "0"})
    );
    assert_eq!(
        second["BatchItemRequest"][0]["Query"],
        "select * from SalesReceipt where TotalAmt > '300.00'"
    );
}
