//! The backfill of recent orders at install: Shopify's GraphQL orders (two pages) are
//! stored as the webhook path stores them, with no automation, and a later webhook of the
//! same order updates the one record.

use std::time::Duration;

use flux_orchestrator::sales::entity::order;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{TestDb, backends, eventually};
use crate::sales_support::{Api, GQL, fixture, mount_basics, sales_app};

const S: &str = "backfill-shop.myshopify.com";

#[tokio::test]
async fn install_backfills_recent_orders_through_the_webhook_mapping() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(GQL))
            .and(body_string_contains("FluxOrders"))
            .and(body_string_contains("eyJsYXN0X2lkIjo1ODIwMTIzNDU2Nzg5fQ=="))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                fixture("shopify/graphql/orders_page2.json"),
                "application/json",
            ))
            .with_priority(1)
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path(GQL))
            .and(body_string_contains("FluxOrders"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                fixture("shopify/graphql/orders_page1.json"),
                "application/json",
            ))
            .with_priority(2)
            .mount(&mock)
            .await;
        mount_basics(&mock).await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        let state = app.state().clone();
        api.install_and_configure(S).await;

        let orders = api.orders(S, 2).await;
        let mut names: Vec<&str> = orders.iter().filter_map(|o| o["name"].as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, vec!["#1041", "#1042"]);
        let o = orders.iter().find(|o| o["name"] == "#1042").unwrap();
        assert_eq!(o["shopify_id"], "gid://shopify/Order/5820123456789");
        assert_eq!(o["status"], "needs_awb");
        assert_eq!(o["cod"], true);
        assert_eq!(o["total"], "243.99");
        assert_eq!(
            o["outstanding"], "243.99",
            "COD: the whole total is to collect"
        );
        assert_eq!(o["customer_name"], "Ana Pop");
        assert_eq!(o["county"], "București");
        let row = order::Entity::find()
            .filter(order::Column::ShopifyId.eq(5_820_123_456_789_i64))
            .one(&state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.email.as_deref(), Some("ana.pop@example.ro"));
        assert_eq!(row.customer_id, Some(7_401_234_567_890));
        assert!(
            row.weight_grams >= 1000,
            "weight from the lines: {}",
            row.weight_grams
        );
        assert_eq!(row.payload["line_items"][0]["sku"], "CANA-ALB");
        assert_eq!(row.payload["shipping_lines"][0]["price"], "19.99");
        assert_eq!(row.payload["note_attributes"][0]["name"], "cui");

        // A webhook of the same order updates the one record.
        let mut body: serde_json::Value =
            serde_json::from_str(&json!(row.payload).to_string()).unwrap();
        body["financial_status"] = json!("paid");
        body["updated_at"] = json!("2026-11-21T10:00:00Z");
        assert_eq!(api.webhook(S, "orders/paid", "bf-paid", &body).await, 200);
        let paid = eventually(Duration::from_secs(20), || {
            let state = state.clone();
            async move {
                order::Entity::find()
                    .filter(order::Column::ShopifyId.eq(5_820_123_456_789_i64))
                    .all(&state.db)
                    .await
                    .unwrap()
                    .iter()
                    .any(|o| o.financial_status.as_deref() == Some("paid"))
            }
        })
        .await;
        assert!(paid);
        assert_eq!(order::Entity::find().all(&state.db).await.unwrap().len(), 2);
        // No automation ran for backfilled orders: no AWB was asked for.
        let reqs = mock.received_requests().await.unwrap();
        assert!(!reqs.iter().any(|r| r.url.path() == "/cargus/Awbs"));
        app.stop().await;
    }
}
