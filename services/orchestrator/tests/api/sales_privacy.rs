//! FluxSales privacy: the compliance webhooks (`customers/data_request` builds an export
//! holding every record of that customer, `customers/redact` erases their personal fields
//! and nobody else's, `shop/redact` leaves no row of the shop), the merchant's JSON export
//! (secrets never in it) and immediate deletion.

use flux_orchestrator::entity::{credential, effect, job, tenant};
use flux_orchestrator::sales::entity::{
    batch, batch_item, cod_settlement, courier_account, export, invoice, invoicing, order,
    settings, shipment, shop, webhook_event,
};
use flux_orchestrator::state::AppState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::MockServer;

use crate::common::{TestDb, backends};
use crate::sales_support::{Api, mount_basics, mount_cargus_awbs, order_body, sales_app};

const P: &str = "privacy-shop.myshopify.com";
const Q: &str = "other-shop.myshopify.com";

/// The tables that still hold a row of `t` (every FluxSales table and the platform's).
async fn tables_with_rows(state: &AppState, t: Uuid) -> Vec<&'static str> {
    let db = &state.db;
    let mut out = Vec::new();
    macro_rules! check {
        ($($m:ident),*) => {$(
            if !$m::Entity::find().filter($m::Column::TenantId.eq(t)).all(db).await.unwrap().is_empty() {
                out.push(stringify!($m));
            }
        )*};
    }
    check!(
        batch,
        cod_settlement,
        batch_item,
        courier_account,
        export,
        invoice,
        invoicing,
        order,
        settings,
        shipment,
        shop,
        webhook_event,
        credential,
        effect,
        job
    );
    if tenant::Entity::find_by_id(t)
        .one(db)
        .await
        .unwrap()
        .is_some()
    {
        out.push("tenant");
    }
    out
}

/// Every stored record a customer's personal data could be in, as text.
async fn stored_text(state: &AppState) -> String {
    let db = &state.db;
    let orders = order::Entity::find().all(db).await.unwrap();
    let events = webhook_event::Entity::find().all(db).await.unwrap();
    let exports = export::Entity::find().all(db).await.unwrap();
    let ships = shipment::Entity::find().all(db).await.unwrap();
    let invs = invoice::Entity::find().all(db).await.unwrap();
    let effects = effect::Entity::find().all(db).await.unwrap();
    let jobs = job::Entity::find().all(db).await.unwrap();
    format!(
        "{}{}{}{}{}{:?}{:?}",
        serde_json::to_string(&orders).unwrap(),
        serde_json::to_string(&events).unwrap(),
        serde_json::to_string(&exports).unwrap(),
        serde_json::to_string(&ships).unwrap(),
        serde_json::to_string(&invs).unwrap(),
        effects,
        jobs
    )
}

fn customer_order(n: u64, customer: u64) -> Value {
    let mut b = order_body(n, customer, "paid", 0);
    b["phone"] = json!(format!("07220000{n:02}"));
    b["shipping_address"]["phone"] = json!(format!("07220000{n:02}"));
    b
}

#[tokio::test]
async fn compliance_webhooks_export_redact_and_erase() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        mount_cargus_awbs(&mock, 1_064_985_600).await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        let state = app.state().clone();
        api.install_and_configure(P).await;

        // Customer 901 has orders 5001 and 5002; customer 902 has 5003.
        for (n, c) in [(1, 901), (2, 901), (3, 902)] {
            let s = api
                .webhook(
                    P,
                    "orders/create",
                    &format!("pv-{n}"),
                    &customer_order(n, c),
                )
                .await;
            assert_eq!(s, 200);
        }
        let orders = api.orders(P, 3).await;
        let id_of = |name: &str| {
            orders.iter().find(|o| o["name"] == name).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (o1, o3) = (id_of("#1001"), id_of("#1003"));
        // Order 5001 gets its AWB (and fulfillment) and its invoice.
        let (s, _) = api
            .call(P, "POST", &format!("/sales/v1/orders/{o1}/awb"), None)
            .await;
        assert_eq!(s, 202);
        let (s, _) = api
            .call(P, "POST", &format!("/sales/v1/orders/{o1}/invoice"), None)
            .await;
        assert_eq!(s, 202);
        let view = api
            .until(P, &format!("/sales/v1/orders/{o1}"), |v| {
                v["awb"].is_string() && v["invoice"].is_string()
            })
            .await;
        let awb = view["awb"].as_str().unwrap().to_owned();
        let invoice_no = view["invoice"].as_str().unwrap().to_owned();

        // customers/data_request for 901, naming only 5001: the export holds both orders
        // (found by customer id), the AWB, the invoice and the raw webhooks; not 5003.
        let dr = json!({"shop_id": 1, "shop_domain": P, "orders_requested": [5001],
            "customer": {"id": 901, "email": "client1@example.ro"}, "data_request": {"id": 7}});
        assert_eq!(
            api.webhook(P, "customers/data_request", "pv-dr", &dr).await,
            200
        );
        let list = api
            .until(P, "/sales/v1/exports", |v| {
                v.as_array().is_some_and(|a| a.len() == 1)
            })
            .await;
        assert_eq!(list[0]["subject"], "901");
        let (s, ex) = api
            .call(
                P,
                "GET",
                &format!("/sales/v1/exports/{}", list[0]["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(s, 200);
        let data = &ex["data"];
        let mut names: Vec<&str> = data["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["order"]["name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, vec!["#1001", "#1002"]);
        let text = data.to_string();
        for expected in [
            "client1@example.ro",
            "client2@example.ro",
            "Ana Pop1",
            "0722000001",
            awb.as_str(),
        ] {
            assert!(text.contains(expected), "the export lacks {expected}");
        }
        let first = data["orders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["order"]["name"] == "#1001")
            .unwrap();
        assert_eq!(first["shipments"].as_array().unwrap().len(), 1);
        assert_eq!(
            first["invoices"][0]["number"].as_str(),
            invoice_no.split(' ').nth(1)
        );
        assert_eq!(data["webhook_events"].as_array().unwrap().len(), 2);
        assert!(
            !text.contains("client3@example.ro"),
            "another customer's data"
        );

        // The merchant's export holds everything, secrets masked.
        let (s, full) = api.call(P, "GET", "/sales/v1/export", None).await;
        assert_eq!(s, 200);
        assert_eq!(full["orders"].as_array().unwrap().len(), 3);
        assert_eq!(full["couriers"].as_array().unwrap().len(), 1);
        assert_eq!(full["invoicing"]["series"], "FCT");
        assert_eq!(full["customer_exports"].as_array().unwrap().len(), 1);
        assert_eq!(full["settings"]["senders"][0]["name"], "Magazin SRL");
        let full_text = full.to_string();
        assert!(full_text.contains(&awb) && full_text.contains("client3@example.ro"));
        for secret in [
            "cargus-password-123",
            "subscription-key-123456",
            "oblio-secret-123456",
        ] {
            assert!(!full_text.contains(secret), "the export shows a secret");
        }

        // customers/redact for 901: their personal fields are gone everywhere; 902 keeps
        // theirs; the order records themselves stay (the merchant's accounting).
        let redact = json!({"shop_id": 1, "shop_domain": P,
            "customer": {"id": 901, "email": "client1@example.ro"}, "orders_to_redact": [5001, 5002]});
        assert_eq!(
            api.webhook(P, "customers/redact", "pv-redact", &redact)
                .await,
            200
        );
        api.until(P, "/sales/v1/exports", |v| v == &json!([])).await;
        let stored = stored_text(&state).await;
        for gone in [
            "client1@example.ro",
            "client2@example.ro",
            "Ana Pop1",
            "Ana Pop2",
            "0722000001",
            "0722000002",
            "Memorandumului 28\",\"city\":\"Cluj-Napoca\",\"province\":\"Cluj\",\"zip\":\"400114\",\"country_code\":\"RO\",\"phone\":\"0722000001",
        ] {
            assert!(!stored.contains(gone), "{gone} survived the redaction");
        }
        assert!(stored.contains("client3@example.ro") && stored.contains("0722000003"));
        let (s, v) = api
            .call(P, "GET", &format!("/sales/v1/orders/{o1}"), None)
            .await;
        assert_eq!(s, 200);
        assert_eq!(v["customer_name"], Value::Null);
        assert_eq!(v["awb"].as_str(), Some(awb.as_str()));
        let (_, v3) = api
            .call(P, "GET", &format!("/sales/v1/orders/{o3}"), None)
            .await;
        assert_eq!(v3["customer_name"], "Ana Pop3");
        let redacted = order::Entity::find()
            .filter(order::Column::CustomerId.eq(901))
            .all(&state.db)
            .await
            .unwrap();
        assert!(redacted.is_empty(), "the customer link is erased too");

        // Immediate deletion by another merchant, and shop/redact after uninstall: no row
        // of either shop remains.
        api.install_and_configure(Q).await;
        assert_eq!(
            api.webhook(Q, "orders/create", "q-1", &customer_order(9, 990))
                .await,
            200
        );
        api.orders(Q, 1).await;
        let (_, q_shop) = api.call(Q, "GET", "/sales/v1/shop", None).await;
        let q_tenant: Uuid = q_shop["id"].as_str().unwrap().parse().unwrap();
        assert!(!tables_with_rows(&state, q_tenant).await.is_empty());
        let (s, _) = api.call(Q, "DELETE", "/sales/v1/shop", None).await;
        assert_eq!(s, 204);
        assert_eq!(tables_with_rows(&state, q_tenant).await, Vec::<&str>::new());

        let (_, p_shop) = api.call(P, "GET", "/sales/v1/shop", None).await;
        let p_tenant: Uuid = p_shop["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            api.webhook(P, "app/uninstalled", "pv-uninstall", &json!({"id": 1}))
                .await,
            200
        );
        let stopped = crate::common::eventually(std::time::Duration::from_secs(20), || {
            let state = state.clone();
            async move {
                flux_orchestrator::sales::shop_by_domain(&state.db, P)
                    .await
                    .unwrap()
                    .is_some_and(|s| s.status == "uninstalled")
            }
        })
        .await;
        assert!(stopped);
        let sr = json!({"shop_id": 1, "shop_domain": P});
        assert_eq!(
            api.webhook(P, "shop/redact", "pv-shop-redact", &sr).await,
            200
        );
        let erased = crate::common::eventually(std::time::Duration::from_secs(20), || {
            let state = state.clone();
            async move { tables_with_rows(&state, p_tenant).await.is_empty() }
        })
        .await;
        assert!(
            erased,
            "rows left: {:?}",
            tables_with_rows(&state, p_tenant).await
        );
        // A late compliance webhook of the erased shop stores nothing.
        assert_eq!(
            api.webhook(P, "customers/data_request", "pv-late", &dr)
                .await,
            200
        );
        assert_eq!(tables_with_rows(&state, p_tenant).await, Vec::<&str>::new());
        assert!(
            webhook_event::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .is_empty()
        );
        app.stop().await;
    }
}
