//! Inventory sync: SmartBill's stock per product code is pushed to Shopify's `available`
//! quantities by SKU with `changeFromQuantity` and an `@idempotent` key; levels already
//! right and unknown SKUs are left alone; a repeated run in the same hour sends nothing
//! twice; the sync needs a location.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{TestDb, backends};
use crate::sales_support::{Api, fixture, mount_basics, mount_inventory, sales_app};

const S: &str = "stock-shop.myshopify.com";

#[tokio::test]
async fn stock_from_smartbill_is_pushed_to_shopify_once() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        Mock::given(method("GET"))
            .and(path("/smartbill/series"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("smartbill/series.json"), "application/json"),
            )
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/smartbill/stocks"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "errorText": "", "message": "", "number": "", "series": "",
                "list": [
                    {"warehouse": {"warehouseName": "Depozit", "warehouseType": "en gros"},
                     "products": [
                        {"measuringUnit": "buc", "productCode": "TRC-01", "productName": "Tricou", "quantity": 10.0},
                        {"measuringUnit": "buc", "productCode": "MUG-1", "productName": "Cana", "quantity": 5.0},
                        {"measuringUnit": "kg", "productCode": "", "productName": "Cafea", "quantity": 2.75}]},
                    {"warehouse": {"warehouseName": "Magazin", "warehouseType": "en detail"},
                     "products": [{"measuringUnit": "buc", "productCode": "TRC-01", "productName": "Tricou", "quantity": 4.0}]}
                ]})))
            .mount(&mock)
            .await;
        mount_inventory(
            &mock,
            &[(111, "TRC-01", 18), (222, "MUG-1", 5), (333, "CANA-ALB", 3)],
        )
        .await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        let state = app.state().clone();
        let (s, _) = api.call(S, "POST", "/sales/v1/session", None).await;
        assert_eq!(s, 200);
        let (s, v) = api
            .call(
                S,
                "PUT",
                "/sales/v1/invoicing",
                Some(json!({"provider": "smartbill", "username": "a@b.ro",
                    "api_secret": "smartbill-token-123456", "company_cif": "RO37311090", "series": "FCT"})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        // The sync needs a location: refused with the field, nothing saved.
        let (s, v) = api
            .call(
                S,
                "PUT",
                "/sales/v1/settings",
                Some(json!({"automation": {"sync_inventory": true}})),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (422, Some("inventory_location_id")),
            "{v}"
        );
        flux_orchestrator::sales::inventory::run(&state)
            .await
            .unwrap();
        let sets = |reqs: &[wiremock::Request]| {
            reqs.iter()
                .filter(|r| String::from_utf8_lossy(&r.body).contains("FluxInventorySet"))
                .map(|r| String::from_utf8_lossy(&r.body).into_owned())
                .collect::<Vec<_>>()
        };
        assert!(
            sets(&mock.received_requests().await.unwrap()).is_empty(),
            "no sync before it is switched on"
        );
        let (s, v) = api
            .call(
                S,
                "PUT",
                "/sales/v1/settings",
                Some(json!({"automation": {"sync_inventory": true},
                    "inventory_location_id": "gid://shopify/Location/777"})),
            )
            .await;
        assert_eq!(s, 200, "{v}");

        flux_orchestrator::sales::inventory::run(&state)
            .await
            .unwrap();
        flux_orchestrator::sales::inventory::run(&state)
            .await
            .unwrap();
        let sent = sets(&mock.received_requests().await.unwrap());
        assert_eq!(sent.len(), 1, "one write, not repeated: {sent:?}");
        let body: serde_json::Value = serde_json::from_str(&sent[0]).unwrap();
        assert!(body["query"].as_str().unwrap().contains("@idempotent(key:"));
        let input = &body["variables"]["input"];
        assert_eq!(input["name"], "available");
        assert_eq!(
            input["quantities"],
            json!([{"inventoryItemId": "gid://shopify/InventoryItem/111",
                "locationId": "gid://shopify/Location/777", "quantity": 14, "changeFromQuantity": 18}]),
            "TRC-01 summed over the warehouses; MUG-1 already right; CANA-ALB unknown"
        );
        app.stop().await;
    }
}
