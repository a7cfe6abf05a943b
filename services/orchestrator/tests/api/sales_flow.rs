//! FluxSales end to end against wiremock (Shopify, Cargus, Oblio): install by token
//! exchange, settings, and orders arriving by webhook several times, shuffled, with
//! provider failures injected: exactly one AWB, one invoice and one fulfillment per order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flux_orchestrator::sales::entity::{invoice, order, shipment};
use flux_shopify::webhooks::WebhookVerifier;
use sea_orm::EntityTrait;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{TestDb, backends, eventually, spawn_app_with};
use crate::sales_support::{API_KEY, SECRET, fixture, session_token};

const SHOP: &str = "flux-test.myshopify.com";

fn order_body(n: u64, financial: &str, updated_minute: u32) -> Value {
    json!({
        "id": 5000 + n, "admin_graphql_api_id": format!("gid://shopify/Order/{}", 5000 + n),
        "name": format!("#10{n:02}"), "email": format!("client{n}@example.ro"), "currency": "RON",
        "financial_status": financial, "payment_gateway_names": ["manual"], "taxes_included": true,
        "total_price": "134.90", "total_weight": 1500,
        "customer": {"id": 900 + n, "email": format!("client{n}@example.ro"), "first_name": "Ana", "last_name": format!("Pop{n}")},
        "shipping_address": {"name": format!("Ana Pop{n}"), "address1": "Str. Memorandumului 28", "city": "Cluj-Napoca",
            "province": "Cluj", "zip": "400114", "country_code": "RO", "phone": "0722123456"},
        "billing_address": {"name": format!("Ana Pop{n}"), "city": "Cluj-Napoca", "country_code": "RO"},
        "line_items": [{"id": 1, "title": "Tricou", "sku": "TR-1", "quantity": 2, "price": "59.95", "grams": 750,
            "tax_lines": [{"title": "TVA", "price": "20.81", "rate": "0.21"}]}],
        "shipping_lines": [{"title": "Curier", "price": "15.00", "tax_lines": []}],
        "created_at": "2026-11-20T10:00:00+02:00",
        "updated_at": format!("2026-11-20T10:{updated_minute:02}:00+02:00"),
    })
}

struct Delivery {
    topic: &'static str,
    webhook_id: String,
    body: String,
}

async fn deliver(
    client: &reqwest_like::Client,
    base: &str,
    d: &Delivery,
    signature: Option<&str>,
) -> u16 {
    let sig = signature.map(str::to_owned).unwrap_or_else(|| {
        WebhookVerifier::new(SecretString::from(SECRET)).sign(d.body.as_bytes())
    });
    client
        .post_webhook(base, d.topic, &d.webhook_id, &sig, &d.body)
        .await
}

/// A minimal raw HTTP client for webhooks (the body must reach us byte for byte).
mod reqwest_like {
    use std::time::Duration;

    use flux_http::HttpClient;

    pub(super) struct Client(pub(super) HttpClient);

    impl Client {
        pub(super) async fn post_webhook(
            &self,
            _base: &str,
            topic: &str,
            id: &str,
            sig: &str,
            body: &str,
        ) -> u16 {
            let res = self
                .0
                .post("/sales/webhooks/shopify")
                .header("X-Shopify-Topic", topic)
                .header("X-Shopify-Shop-Domain", super::SHOP)
                .header("X-Shopify-Api-Version", "2026-10")
                .header("X-Shopify-Webhook-Id", id)
                .header("X-Shopify-Hmac-Sha256", sig)
                .body_bytes(body.as_bytes().to_vec(), "application/json")
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            match res {
                Ok(r) => r.status().as_u16(),
                Err(e) => e.status().map_or(0, |s| s.as_u16()),
            }
        }
    }
}

async fn mount_providers(mock: &MockServer, awbs: Arc<AtomicUsize>) {
    // Shopify OAuth token exchange.
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/oauth/token_offline_expiring.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
    // Shopify GraphQL: fulfillment orders, fulfillments lookup, fulfillmentCreate (one 500 first).
    let gql = "/admin/api/2026-10/graphql.json";
    Mock::given(method("POST"))
        .and(path(gql))
        .and(body_string_contains("FluxFulfillmentOrders"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/fulfillment_orders.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(gql))
        .and(body_string_contains("FluxOrderFulfillments"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"order": {"fulfillments": []}}})),
        )
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(gql))
        .and(body_string_contains("fulfillmentCreate"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(gql))
        .and(body_string_contains("fulfillmentCreate"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/fulfillment_create.json"),
            "application/json",
        ))
        .with_priority(2)
        .mount(mock)
        .await;
    // Cargus: login, lookups by reference (none), AWB creation (two 500s first).
    Mock::given(method("POST"))
        .and(path("/cargus/LoginUser"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("cargus/login_user.json"), "application/json"),
        )
        .mount(mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/cargus/Awbs/GetByDate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/cargus/Awbs"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/cargus/Awbs"))
        .respond_with(move |_: &Request| {
            let n = awbs.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(json!(format!("10649855{n:02}")))
        })
        .with_priority(2)
        .mount(mock)
        .await;
    // Oblio: token, series, invoices (one 500 first).
    Mock::given(method("POST"))
        .and(path("/oblio/api/authorize/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("oblio/token.json"), "application/json"),
        )
        .mount(mock)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/oblio/api/nomenclature/series"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("oblio/series.json"), "application/json"),
        )
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/oblio/api/docs/invoice"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/oblio/api/docs/invoice"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("oblio/create_invoice.json"), "application/json"),
        )
        .with_priority(2)
        .mount(mock)
        .await;
}

fn count(requests: &[Request], p: &str, contains: Option<&str>) -> usize {
    requests
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == p)
        .filter(|r| contains.is_none_or(|c| String::from_utf8_lossy(&r.body).contains(c)))
        .count()
}

#[tokio::test]
async fn every_effect_happens_exactly_once_per_order() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_providers(&mock, Arc::new(AtomicUsize::new(10))).await;
        let mut settings = db.settings();
        settings.shopify.api_key = Some(API_KEY.into());
        settings.shopify.api_secret = Some(SecretString::from(SECRET));
        settings.providers.shopify_base_url = Some(mock.uri());
        settings.providers.cargus_base_url = Some(format!("{}/cargus/", mock.uri()));
        settings.providers.oblio_base_url = Some(format!("{}/oblio/", mock.uri()));
        let app = spawn_app_with(settings, vec![]).await;
        let http = crate::common::client(&app);
        let auth = format!("Bearer {}", session_token(SHOP));

        // Install by token exchange.
        let res = http
            .post("/sales/v1/session")
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        // No session token: 401 with App Bridge's retry header.
        let err = http.get("/sales/v1/orders").send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401));

        // Settings: a Cargus account (checked live), Oblio, a sender, automation on payment.
        let res = http
            .post("/sales/v1/couriers")
            .header("Authorization", &auth)
            .json(
                &json!({"provider": "cargus", "username": "shop", "password": "cargus-password-123",
                "subscription_key": "subscription-key-123456", "config": {"location_id": 201}}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let account: Value = res.json().unwrap();
        assert!(
            !account.to_string().contains("cargus-password-123"),
            "{account}"
        );
        // A CIF with a wrong check digit changes nothing.
        let err = http.put("/sales/v1/invoicing").header("Authorization", &auth)
            .json(&json!({"provider": "oblio", "username": "a@b.ro", "api_secret": "oblio-secret-123456",
                "company_cif": "RO37311091", "series": "FCT"}))
            .send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
        let res = http.put("/sales/v1/invoicing").header("Authorization", &auth)
            .json(&json!({"provider": "oblio", "username": "a@b.ro", "api_secret": "oblio-secret-123456",
                "company_cif": "RO37311090", "series": "FCT"}))
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let res = http.put("/sales/v1/settings").header("Authorization", &auth)
            .json(&json!({
                "senders": [{"name": "Magazin SRL", "phone": "0740000000", "street": "Str. Fabricii 1",
                    "locality": "Cluj-Napoca", "county": "Cluj", "postal_code": "400620"}],
                "automation": {"awb_on": "paid", "invoice_on": "paid"}
            }))
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);

        // Three orders, each created, updated and paid; every delivery three times, shuffled.
        let orders = 3u64;
        let mut deliveries = Vec::new();
        for n in 1..=orders {
            for (topic, financial, minute) in [
                ("orders/create", "pending", 0),
                ("orders/updated", "pending", 1),
                ("orders/paid", "paid", 2),
            ] {
                let d = || Delivery {
                    topic,
                    webhook_id: format!("wh-{n}-{topic}"),
                    body: order_body(n, financial, minute).to_string(),
                };
                for _ in 0..3 {
                    deliveries.push(d());
                }
            }
        }
        fastrand::shuffle(&mut deliveries);
        let raw = reqwest_like::Client(crate::common::client(&app));
        // A bad signature is refused before anything else.
        assert_eq!(
            deliver(&raw, &app.base_url(), &deliveries[0], Some("bm9wZQ==")).await,
            401
        );
        for d in &deliveries {
            assert_eq!(deliver(&raw, &app.base_url(), d, None).await, 200);
        }

        let state = app.state().clone();
        let done = eventually(Duration::from_secs(90), || {
            let state = state.clone();
            async move {
                let ships = shipment::Entity::find().all(&state.db).await.unwrap();
                let invs = invoice::Entity::find().all(&state.db).await.unwrap();
                ships.len() as u64 == orders
                    && ships.iter().all(|s| s.fulfillment_id.is_some())
                    && invs.len() as u64 == orders
            }
        })
        .await;
        assert!(done, "every order got its AWB, fulfillment and invoice");
        // Let any straggling duplicate job run, then count.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rows = order::Entity::find().all(&state.db).await.unwrap();
        assert_eq!(rows.len() as u64, orders);
        for o in &rows {
            assert_eq!(
                o.financial_status.as_deref(),
                Some("paid"),
                "the newest delivery wins"
            );
        }
        let requests = mock.received_requests().await.unwrap();
        let o = usize::try_from(orders).unwrap();
        assert_eq!(
            count(&requests, "/cargus/Awbs", None),
            o + 2,
            "one AWB per order, plus the two refused"
        );
        assert_eq!(
            count(&requests, "/oblio/api/docs/invoice", None),
            o + 1,
            "one invoice per order, plus the refused one"
        );
        assert_eq!(
            count(
                &requests,
                "/admin/api/2026-10/graphql.json",
                Some("fulfillmentCreate")
            ),
            o + 1,
            "one fulfillment per order, plus the refused one"
        );
        let ships = shipment::Entity::find().all(&state.db).await.unwrap();
        let mut awbs: Vec<_> = ships.iter().map(|s| s.awb.clone()).collect();
        awbs.sort();
        awbs.dedup();
        assert_eq!(awbs.len(), o);

        // The list API filters by status.
        let res = http
            .get("/sales/v1/orders?status=invoiced")
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap();
        let list: Vec<Value> = res.json().unwrap();
        assert_eq!(list.len(), o);
        assert!(
            list.iter()
                .all(|v| v["awb"].is_string() && v["invoice"].is_string())
        );

        // Uninstall: work stops and deletion is scheduled; the purge erases every row.
        let body = json!({"id": 1, "myshopify_domain": SHOP}).to_string();
        let d = Delivery {
            topic: "app/uninstalled",
            webhook_id: "wh-uninstall".into(),
            body,
        };
        assert_eq!(deliver(&raw, &app.base_url(), &d, None).await, 200);
        let gone = eventually(Duration::from_secs(20), || {
            let state = state.clone();
            async move {
                flux_orchestrator::sales::shop_by_domain(&state.db, SHOP)
                    .await
                    .unwrap()
                    .is_some_and(|s| s.status == "uninstalled")
            }
        })
        .await;
        assert!(gone);
        let err = http
            .get("/sales/v1/orders")
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
        // Pretend 30 days passed.
        use sea_orm::{ColumnTrait, QueryFilter};
        flux_orchestrator::entity::tenant::Entity::update_many()
            .col_expr(
                flux_orchestrator::entity::tenant::Column::DeletionDueAt,
                Some(chrono::Utc::now() - chrono::Duration::minutes(1)).into(),
            )
            .filter(flux_orchestrator::entity::tenant::Column::ExternalKey.eq(SHOP))
            .exec(&state.db)
            .await
            .unwrap();
        assert_eq!(
            flux_orchestrator::sales::privacy::purge_due(&state)
                .await
                .unwrap(),
            1
        );
        assert!(
            order::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            shipment::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            flux_orchestrator::entity::credential::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            flux_orchestrator::entity::effect::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .is_empty()
        );
        app.stop().await;
    }
}

/// Two deliveries of one order stored at once: the older one, started while the newer one's
/// transaction is still open, must not overwrite it when it commits (a lost update).
#[tokio::test]
async fn an_older_delivery_racing_a_newer_one_never_overwrites_it() {
    use flux_orchestrator::sales::orders::upsert_from_webhook;
    use flux_orchestrator::tenancy::{TenantId, TenantKind, ensure_tenant};
    use flux_shopify::webhooks::OrderWebhook;
    use sea_orm::TransactionTrait;

    for backend in backends() {
        let db = TestDb::new(backend).await;
        // No application: its workers would take SQLite's write lock at random moments.
        let conn = flux_orchestrator::db::connect(&db.url, 4).await.unwrap();
        flux_orchestrator::db::migrate(&conn).await.unwrap();
        let tenant = TenantId(
            ensure_tenant(&conn, TenantKind::Shop, SHOP, "Race")
                .await
                .unwrap()
                .id,
        );
        let parse = |financial, minute| {
            let raw = order_body(1, financial, minute);
            let order: OrderWebhook = serde_json::from_value(raw.clone()).unwrap();
            (raw, order)
        };
        let (raw, created) = parse("pending", 0);
        upsert_from_webhook(&conn, tenant, raw, &created)
            .await
            .unwrap();

        // The newer delivery (paid, minute 2) writes and holds its transaction open.
        let newer = conn.begin().await.unwrap();
        let (raw, paid) = parse("paid", 2);
        upsert_from_webhook(&newer, tenant, raw, &paid)
            .await
            .unwrap();
        // Meanwhile the older one (pending, minute 1) starts.
        let c = conn.clone();
        let older = tokio::spawn(async move {
            let txn = c.begin().await?;
            let (raw, updated) = parse("pending", 1);
            upsert_from_webhook(&txn, tenant, raw, &updated).await?;
            txn.commit().await
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        newer.commit().await.unwrap();
        match older.await.unwrap() {
            Ok(()) => {}
            // SQLite: the older transaction could not take the write lock; its job runs
            // again (JobError::Contended) and then finds the newer row.
            Err(e) if e.to_string().contains("database is locked") => {}
            Err(e) => panic!("older delivery failed: {e}"),
        }
        let rows = order::Entity::find().all(&conn).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].financial_status.as_deref(),
            Some("paid"),
            "the newest delivery wins ({backend:?})"
        );
    }
}
