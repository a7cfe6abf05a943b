//! FluxSales tenant isolation: two shops, the same Shopify order id in both; every
//! `/sales/v1` route called by one shop on the other's orders, couriers, batches and
//! exports answers 404 (or 422 for ids in a body) and changes nothing; lists, exports and
//! analytics show only the caller's records; deleting one shop leaves the other whole.

use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::{TestDb, backends};
use crate::sales_support::{Api, mount_basics, mount_cargus_awbs, order_body, sales_app};

const A: &str = "shop-a.myshopify.com";
const B: &str = "shop-b.myshopify.com";

#[tokio::test]
async fn one_shop_never_sees_or_changes_another_shops_data() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        mount_cargus_awbs(&mock, 1_064_985_500).await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);

        let acc_a = api.install_and_configure(A).await;
        let acc_b = api.install_and_configure(B).await;
        // The same Shopify order id in both shops, different customers.
        assert_eq!(
            api.webhook(
                A,
                "orders/create",
                "iso-a-1",
                &order_body(1, 901, "pending", 0)
            )
            .await,
            200
        );
        let mut body_b = order_body(1, 902, "pending", 0);
        body_b["email"] = json!("someone-else@example.ro");
        body_b["customer"]["email"] = json!("someone-else@example.ro");
        assert_eq!(
            api.webhook(B, "orders/create", "iso-b-1", &body_b).await,
            200
        );
        let order_a = api.orders(A, 1).await[0]["id"].as_str().unwrap().to_owned();
        let order_b = api.orders(B, 1).await[0]["id"].as_str().unwrap().to_owned();
        assert_ne!(order_a, order_b);

        // Shop A: an AWB through a batch, and a customer export.
        let (s, batch) = api
            .call(
                A,
                "POST",
                "/sales/v1/batches",
                Some(json!({ "order_ids": [order_a] })),
            )
            .await;
        assert_eq!(s, 202, "{batch}");
        let batch_a = batch["id"].as_str().unwrap().to_owned();
        let done = api
            .until(A, &format!("/sales/v1/batches/{batch_a}"), |v| {
                v["succeeded"] == 1
            })
            .await;
        let awb_a = done["items"][0]["awb"].as_str().unwrap().to_owned();
        let dr = json!({"shop_id": 1, "shop_domain": A, "orders_requested": [5001],
            "customer": {"id": 901, "email": "client1@example.ro"}, "data_request": {"id": 1}});
        assert_eq!(
            api.webhook(A, "customers/data_request", "iso-a-dr", &dr)
                .await,
            200
        );
        let list = api
            .until(A, "/sales/v1/exports", |v| {
                v.as_array().is_some_and(|a| a.len() == 1)
            })
            .await;
        let export_a = list[0]["id"].as_str().unwrap().to_owned();
        let (_, settings_a_before) = api.call(A, "GET", "/sales/v1/settings", None).await;

        // Shop B on shop A's ids: not found, nothing changed.
        let not_found: Vec<(&str, String, Option<Value>)> = vec![
            ("GET", format!("/sales/v1/orders/{order_a}"), None),
            (
                "POST",
                format!("/sales/v1/orders/{order_a}/awb"),
                Some(json!({})),
            ),
            (
                "POST",
                format!("/sales/v1/orders/{order_a}/awb/cancel"),
                None,
            ),
            ("GET", format!("/sales/v1/orders/{order_a}/label"), None),
            ("GET", format!("/sales/v1/orders/{order_a}/quotes"), None),
            ("POST", format!("/sales/v1/orders/{order_a}/invoice"), None),
            ("GET", format!("/sales/v1/batches/{batch_a}"), None),
            ("GET", format!("/sales/v1/batches/{batch_a}/labels"), None),
            ("GET", format!("/sales/v1/exports/{export_a}"), None),
            ("DELETE", format!("/sales/v1/couriers/{acc_a}"), None),
        ];
        for (verb, p, body) in &not_found {
            let (s, v) = api.call(B, verb, p, body.clone()).await;
            assert_eq!(s, 404, "{verb} {p} by shop B: {v}");
        }
        // Shop A's ids in B's bodies: refused with the field.
        let (s, v) = api
            .call(
                B,
                "POST",
                "/sales/v1/batches",
                Some(json!({ "order_ids": [order_a] })),
            )
            .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("order_ids")), "{v}");
        let (s, v) = api
            .call(
                B,
                "POST",
                &format!("/sales/v1/orders/{order_b}/awb"),
                Some(json!({ "account_id": acc_a })),
            )
            .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("account_id")), "{v}");
        let (s, v) = api
            .call(
                B,
                "PUT",
                "/sales/v1/settings",
                Some(json!({ "rules": [{ "account_id": acc_a }] })),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (422, Some("rules[0].account_id")),
            "{v}"
        );

        // B's lists hold only B's records.
        let (_, shop) = api.call(B, "GET", "/sales/v1/shop", None).await;
        assert_eq!(shop["shop_domain"], B);
        let (_, orders) = api.call(B, "GET", "/sales/v1/orders", None).await;
        let ids: Vec<&str> = orders
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["id"].as_str())
            .collect();
        assert_eq!(ids, vec![order_b.as_str()]);
        let (_, found) = api.call(B, "GET", "/sales/v1/orders?q=client1", None).await;
        assert_eq!(found, json!([]), "search never reaches another shop");
        let (_, couriers) = api.call(B, "GET", "/sales/v1/couriers", None).await;
        let ids: Vec<&str> = couriers
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(ids, vec![acc_b.as_str()]);
        let (_, exports) = api.call(B, "GET", "/sales/v1/exports", None).await;
        assert_eq!(exports, json!([]));
        let (s, full) = api.call(B, "GET", "/sales/v1/export", None).await;
        assert_eq!(s, 200);
        let text = full.to_string();
        for leaked in [
            &order_a,
            &awb_a,
            &acc_a,
            &export_a,
            &"client1@example.ro".to_owned(),
        ] {
            assert!(!text.contains(leaked.as_str()), "B's export holds {leaked}");
        }
        let (_, stats) = api
            .call(
                B,
                "GET",
                "/sales/v1/analytics?from=2026-11-01&to=2026-11-30",
                None,
            )
            .await;
        assert_eq!(stats["orders"], 1);
        assert_eq!(stats["couriers"], json!({}), "B created no AWB");

        // B deletes all its data now: A keeps everything.
        let (s, _) = api.call(B, "DELETE", "/sales/v1/shop", None).await;
        assert_eq!(s, 204);
        let (s, o) = api
            .call(A, "GET", &format!("/sales/v1/orders/{order_a}"), None)
            .await;
        assert_eq!(s, 200);
        assert_eq!(o["awb"].as_str(), Some(awb_a.as_str()));
        assert_eq!(o["status"], "awb_created");
        let (_, couriers) = api.call(A, "GET", "/sales/v1/couriers", None).await;
        assert_eq!(couriers[0]["id"].as_str(), Some(acc_a.as_str()));
        let (s, _) = api.call(A, "GET", "/sales/v1/invoicing", None).await;
        assert_eq!(s, 200);
        let (_, settings_a) = api.call(A, "GET", "/sales/v1/settings", None).await;
        assert_eq!(settings_a, settings_a_before);
        let (s, _) = api
            .call(A, "GET", &format!("/sales/v1/exports/{export_a}"), None)
            .await;
        assert_eq!(s, 200);
        // B is gone: its session is refused.
        let (s, _) = api.call(B, "GET", "/sales/v1/orders", None).await;
        assert_eq!(s, 403);
        app.stop().await;
    }
}
