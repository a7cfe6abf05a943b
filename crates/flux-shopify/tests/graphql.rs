//! The GraphQL client: throttling, errors, pagination, bulk operations, token refresh.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{GRAPHQL_PATH, TOKEN, admin, app, fixture, graphql, graphql_bodies, shop};
use flux_core::{ErrorKind, ProviderError};
use flux_shopify::graphql::{BulkOperationStatus, GraphqlResponse};
use flux_shopify::ops::locations::Location;
use flux_shopify::secret::SecretString;
use flux_shopify::{AccessToken, ShopifyError};
use futures::TryStreamExt;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SHOP_QUERY: &str = "query FluxShop";

#[tokio::test]
async fn sends_the_pinned_version_token_and_reports_cost() {
    let server = MockServer::start().await;
    graphql(SHOP_QUERY, "graphql/shop.json")
        .expect(1)
        .mount(&server)
        .await;
    let response: GraphqlResponse<Value> = admin(&server)
        .graphql("query FluxShop { shop { id } }", json!({}))
        .await
        .unwrap();
    assert_eq!(response.request_id.as_deref(), Some("req-123"));
    let ts = response.cost.unwrap().throttle_status.unwrap();
    assert_eq!(ts.restore_rate, rust_decimal_macros::dec!(100));
}

#[tokio::test]
async fn throttled_with_http_200_waits_and_retries() {
    let server = MockServer::start().await;
    // First answer: THROTTLED (requested 752, available 666, restore 50/s → ~1.72 s).
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("graphql/throttled.json")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    graphql(SHOP_QUERY, "graphql/shop.json")
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let shop = admin(&server).shop_info().await.unwrap();
    assert_eq!(shop.myshopify_domain, "atelier-demo.myshopify.com");
    // Waiting for the bucket to refill is the behaviour under test.
    assert!(
        started.elapsed() >= Duration::from_millis(1700),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn waits_before_being_throttled_when_the_bucket_is_low() {
    let server = MockServer::start().await;
    let low = json!({"data":{"shop":{"id":"gid://shopify/Shop/1","name":"A","myshopifyDomain":"test-shop.myshopify.com","currencyCode":"RON"}},
        "extensions":{"cost":{"requestedQueryCost":60,"actualQueryCost":60,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":0,"restoreRate":100.0}}}});
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(low))
        .expect(2)
        .mount(&server)
        .await;
    let client = admin(&server);
    client.shop_info().await.unwrap();
    let started = Instant::now();
    client.shop_info().await.unwrap();
    // 60 points at 100/s: the client waits ~600 ms before sending, instead of being throttled.
    assert!(
        started.elapsed() >= Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn throttling_that_never_ends_becomes_a_rate_limited_error() {
    let server = MockServer::start().await;
    let throttled = json!({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
        "extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":9.99,"restoreRate":1000.0}}}});
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(throttled))
        .expect(3)
        .mount(&server)
        .await;
    let app =
        flux_shopify::ShopifyApp::builder(common::API_KEY, SecretString::from(common::API_SECRET))
            .endpoint_override(server.uri())
            .max_throttle_retries(2)
            .build()
            .unwrap();
    let client = app
        .admin_client(&shop(), AccessToken::new(SecretString::from(TOKEN)))
        .unwrap();
    let err = client.shop_info().await.unwrap_err();
    assert!(matches!(err, ShopifyError::Throttled { .. }), "{err}");
    let pe = ProviderError::from(err);
    assert_eq!(pe.kind(), ErrorKind::RateLimited);
    assert!(pe.is_retryable() && pe.retry_after().is_some());
}

#[tokio::test]
async fn http_429_with_retry_after_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    graphql(SHOP_QUERY, "graphql/shop.json")
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        admin(&server).shop_info().await.unwrap().name,
        "Atelier Demo"
    );
}

#[tokio::test]
async fn access_denied_is_an_auth_error_with_the_code() {
    let server = MockServer::start().await;
    graphql("FluxLocations", "graphql/access_denied.json")
        .mount(&server)
        .await;
    let err = admin(&server)
        .locations()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let ShopifyError::Graphql { errors, request_id } = &err else {
        panic!("{err}")
    };
    assert_eq!(errors[0].code(), Some("ACCESS_DENIED"));
    assert_eq!(request_id.as_deref(), Some("req-123"));
    let pe = ProviderError::from(err);
    assert_eq!(pe.kind(), ErrorKind::Auth);
    assert_eq!(pe.provider_code(), Some("ACCESS_DENIED"));
}

#[tokio::test]
async fn http_401_with_a_static_token_is_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_string(r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let err = admin(&server).shop_info().await.unwrap_err();
    assert!(err.is_auth(), "{err}");
}

#[tokio::test]
async fn server_errors_on_queries_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    graphql(SHOP_QUERY, "graphql/shop.json")
        .expect(1)
        .mount(&server)
        .await;
    assert!(admin(&server).shop_info().await.is_ok());
}

#[tokio::test]
async fn server_errors_on_plain_mutations_are_not_retried_and_maybe_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let err = admin(&server)
        .mark_order_as_paid("gid://shopify/Order/1")
        .await
        .unwrap_err();
    let pe = ProviderError::from(err);
    assert!(
        pe.maybe_sent(),
        "a 502 after a mutation may have been applied"
    );
}

#[tokio::test]
async fn pagination_follows_end_cursor() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .and(body_string_contains(r#""after":null"#))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("graphql/orders_page1.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .and(body_string_contains(
            r#""after":"eyJsYXN0X2lkIjo1ODIwMTIzNDU2Nzg5fQ==""#,
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("graphql/orders_page2.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let orders: Vec<_> = admin(&server)
        .orders(Some("financial_status:pending"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        orders.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        vec!["#1042", "#1041"]
    );
    let bodies = graphql_bodies(&server).await;
    assert_eq!(bodies[0]["variables"]["query"], "financial_status:pending");
}

#[tokio::test]
async fn generic_paginate_decodes_nodes() {
    let server = MockServer::start().await;
    graphql("locations(", "graphql/locations.json")
        .mount(&server)
        .await;
    let locations: Vec<Location> = admin(&server)
        .paginate(
            "query($after: String) { locations(first: 50, after: $after) { nodes { id name isActive } pageInfo { hasNextPage endCursor } } }",
            json!({}),
            &["locations"],
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(locations.len(), 2);
}

#[tokio::test]
async fn bulk_query_start_poll_download_parse() {
    let server = MockServer::start().await;
    graphql("bulkOperationRunQuery", "graphql/bulk_run.json")
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .and(body_string_contains("on BulkOperation"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("graphql/bulk_running.json")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let completed = fixture("graphql/bulk_completed.json").replace(
        "__BULK_URL__",
        &format!("{}/bulk/result.jsonl", server.uri()),
    );
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .and(body_string_contains("on BulkOperation"))
        .respond_with(ResponseTemplate::new(200).set_body_string(completed))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bulk/result.jsonl"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("graphql/bulk_results.jsonl")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let client = admin(&server);
    let op = client
        .run_bulk_query(
            "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }",
        )
        .await
        .unwrap();
    assert_eq!(op.status, BulkOperationStatus::Created);
    let bodies = graphql_bodies(&server).await;
    assert!(
        bodies[0]["query"]
            .as_str()
            .unwrap()
            .contains("groupObjects: false")
    );
    assert!(
        bodies[0]["variables"]["query"]
            .as_str()
            .unwrap()
            .starts_with("{ products")
    );

    let done = client
        .wait_for_bulk_operation(&op.id, Duration::from_millis(10), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(done.object_count.as_deref(), Some("3"));
    let lines: Vec<Value> = client.download_bulk_results(&done).await.unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[1]["__parentId"],
        "gid://shopify/Product/8801234567890"
    );
    // The download goes without the access token.
    let get = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == "/bulk/result.jsonl")
        .unwrap();
    assert!(!get.headers.contains_key("x-shopify-access-token"));
}

#[tokio::test]
async fn failed_bulk_operation_is_an_error() {
    let server = MockServer::start().await;
    graphql("on BulkOperation", "graphql/bulk_failed.json")
        .mount(&server)
        .await;
    let err = admin(&server)
        .wait_for_bulk_operation(
            "gid://shopify/BulkOperation/720118251",
            Duration::from_millis(10),
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
    let ShopifyError::BulkOperationFailed {
        status, error_code, ..
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(status, "FAILED");
    assert_eq!(error_code.as_deref(), Some("ACCESS_DENIED"));
}

#[test]
fn jsonl_errors_name_the_line() {
    let err = flux_shopify::graphql::parse_jsonl::<Value>("{\"a\":1}\nnot json\n").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

mod managed {
    use super::{
        AccessToken, Arc, GRAPHQL_PATH, Mock, MockServer, ResponseTemplate, SecretString,
        ShopifyError, app, fixture, method, path, shop,
    };
    use chrono::{TimeDelta, Utc};
    use flux_shopify::ShopDomain;
    use flux_shopify::auth::{OfflineTokenManager, TokenStore};
    use flux_shopify::secret::ExposeSecret;
    use pretty_assertions::assert_eq;
    use std::sync::Mutex;

    struct Store(Mutex<Option<AccessToken>>);

    #[async_trait::async_trait]
    impl TokenStore for Store {
        async fn load(&self, _: &ShopDomain) -> Result<Option<AccessToken>, ShopifyError> {
            Ok(self.0.lock().unwrap().clone())
        }
        async fn save(&self, _: &ShopDomain, t: &AccessToken) -> Result<(), ShopifyError> {
            *self.0.lock().unwrap() = Some(t.clone());
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_401_refreshes_once_and_retries_with_the_new_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(GRAPHQL_PATH))
            .and(wiremock::matchers::header(
                "x-shopify-access-token",
                "shpat_offline_expiring_token_1",
            ))
            .respond_with(ResponseTemplate::new(401))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/admin/oauth/access_token"))
            .respond_with(
                ResponseTemplate::new(200).set_body_string(fixture("oauth/token_refreshed.json")),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(GRAPHQL_PATH))
            .and(wiremock::matchers::header(
                "x-shopify-access-token",
                "shpat_offline_expiring_token_2",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_string(fixture("graphql/shop.json")))
            .expect(1)
            .mount(&server)
            .await;
        let token = AccessToken::new(SecretString::from("shpat_offline_expiring_token_1"))
            .with_expires_at(Utc::now() + TimeDelta::minutes(30))
            .with_refresh_token(SecretString::from("shprt_refresh_token_1"), None);
        let store = Arc::new(Store(Mutex::new(Some(token))));
        let app = app(&server);
        let manager = Arc::new(OfflineTokenManager::new(app.clone(), store.clone()));
        let client = app.managed_admin_client(&shop(), manager).unwrap();
        assert_eq!(client.shop_info().await.unwrap().name, "Atelier Demo");
        let saved = store.0.lock().unwrap().clone().unwrap();
        assert_eq!(
            saved.access_token.expose_secret(),
            "shpat_offline_expiring_token_2"
        );
        assert!(!format!("{client:?}").contains("shpat_"));
    }
}
