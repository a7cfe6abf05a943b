//! Shared helpers of the FluxSales tests: an app wired to one wiremock server for Shopify
//! and the providers, App Bridge session tokens, signed webhook deliveries and a small
//! request helper that answers `(status, JSON body)` for successes and errors alike.

use std::time::Duration;

use base64::Engine;
use flux_http::HttpClient;
use flux_orchestrator::startup::RunningApplication;
use flux_shopify::webhooks::WebhookVerifier;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{TestDb, spawn_app_with};

pub(crate) const SECRET: &str = "test_secret_key";
pub(crate) const API_KEY: &str = "test-api-key";
pub(crate) const GQL: &str = "/admin/api/2026-10/graphql.json";

pub(crate) fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An App Bridge session token for `shop` (HS256 with the app secret).
pub(crate) fn session_token(shop: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({
        "iss": format!("https://{shop}/admin"), "dest": format!("https://{shop}"), "aud": API_KEY,
        "sub": "42", "exp": now + 120, "nbf": now - 5, "iat": now - 5,
        "jti": uuid::Uuid::new_v4().to_string(), "sid": "s",
    });
    let payload = b64url(claims.to_string().as_bytes());
    let signing = format!("{header}.{payload}");
    let sig = WebhookVerifier::new(SecretString::from(SECRET)).sign(signing.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD
        .decode(sig)
        .unwrap();
    format!("{signing}.{}", b64url(&sig))
}

/// An order webhook body. `n` makes the ids unique; `customer` is the Shopify customer.
pub(crate) fn order_body(n: u64, customer: u64, financial: &str, updated_minute: u32) -> Value {
    json!({
        "id": 5000 + n, "admin_graphql_api_id": format!("gid://shopify/Order/{}", 5000 + n),
        "name": format!("#10{n:02}"), "email": format!("client{n}@example.ro"), "currency": "RON",
        "financial_status": financial, "payment_gateway_names": ["manual"], "taxes_included": true,
        "total_price": "134.90", "total_weight": 1500,
        "customer": {"id": customer, "email": format!("client{n}@example.ro"), "first_name": "Ana", "last_name": format!("Pop{n}")},
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

/// A running app with FluxSales configured against `mock`.
pub(crate) async fn sales_app(db: &TestDb, mock: &MockServer) -> RunningApplication {
    let mut settings = db.settings();
    settings.shopify.api_key = Some(API_KEY.into());
    settings.shopify.api_secret = Some(SecretString::from(SECRET));
    settings.providers.shopify_base_url = Some(mock.uri());
    settings.providers.cargus_base_url = Some(format!("{}/cargus/", mock.uri()));
    settings.providers.oblio_base_url = Some(format!("{}/oblio/", mock.uri()));
    settings.providers.smartbill_base_url = Some(format!("{}/smartbill/", mock.uri()));
    settings.providers.fancourier_base_url = Some(format!("{}/fan/", mock.uri()));
    spawn_app_with(settings, vec![]).await
}

/// Shopify's token exchange, Cargus (login, lookups, AWBs numbered from `first_awb`,
/// delete, documents) and Oblio (token, series, invoices, storno).
pub(crate) async fn mount_basics(mock: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/oauth/token_offline_expiring.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("FluxFulfillmentOrders"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/fulfillment_orders.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("FluxOrderFulfillments"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"order": {"fulfillments": []}}})),
        )
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("fulfillmentCreate"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/fulfillment_create.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
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
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("oblio/create_invoice.json"), "application/json"),
        )
        .mount(mock)
        .await;
}

/// Answers Cargus AWB creation with a counter-numbered barcode starting at `first`.
pub(crate) async fn mount_cargus_awbs(mock: &MockServer, first: u64) {
    let n = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(first));
    Mock::given(method("POST"))
        .and(path("/cargus/Awbs"))
        .respond_with(move |_: &wiremock::Request| {
            let v = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(json!(v.to_string()))
        })
        .mount(mock)
        .await;
}

/// A request helper: `(status, body)` whether the answer is a success or an error.
pub(crate) struct Api {
    pub(crate) http: HttpClient,
}

impl Api {
    pub(crate) fn new(app: &RunningApplication) -> Self {
        Self {
            http: crate::common::client(app),
        }
    }

    pub(crate) async fn call(
        &self,
        shop: &str,
        verb: &str,
        p: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let auth = format!("Bearer {}", session_token(shop));
        let req = match verb {
            "GET" => self.http.get(p),
            "POST" => self.http.post(p),
            "PUT" => self.http.put(p),
            "DELETE" => self.http.delete(p),
            other => panic!("verb {other}"),
        }
        .header("Authorization", &auth);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        match req.send().await {
            Ok(r) => {
                let v = if r.bytes().is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&r.bytes())
                        .unwrap_or_else(|_| Value::String(format!("<{} bytes>", r.bytes().len())))
                };
                (r.status().as_u16(), v)
            }
            Err(e) => (
                e.status().map_or(0, |s| s.as_u16()),
                e.body()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or(Value::Null),
            ),
        }
    }

    /// The raw bytes of a successful GET.
    pub(crate) async fn bytes(&self, shop: &str, p: &str) -> (u16, Vec<u8>, String) {
        let auth = format!("Bearer {}", session_token(shop));
        match self.http.get(p).header("Authorization", &auth).send().await {
            Ok(r) => (
                r.status().as_u16(),
                r.bytes().to_vec(),
                r.headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
            ),
            Err(e) => (
                e.status().map_or(0, |s| s.as_u16()),
                Vec::new(),
                String::new(),
            ),
        }
    }

    /// Delivers a signed webhook for `shop`; the answer's status.
    pub(crate) async fn webhook(&self, shop: &str, topic: &str, id: &str, body: &Value) -> u16 {
        let body = body.to_string();
        let sig = WebhookVerifier::new(SecretString::from(SECRET)).sign(body.as_bytes());
        let res = self
            .http
            .post("/sales/webhooks/shopify")
            .header("X-Shopify-Topic", topic)
            .header("X-Shopify-Shop-Domain", shop)
            .header("X-Shopify-Api-Version", "2026-10")
            .header("X-Shopify-Webhook-Id", id)
            .header("X-Shopify-Hmac-Sha256", &sig)
            .body_bytes(body.into_bytes(), "application/json")
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match res {
            Ok(r) => r.status().as_u16(),
            Err(e) => e.status().map_or(0, |s| s.as_u16()),
        }
    }

    /// Installs the app on `shop` (token exchange), connects a Cargus account and Oblio,
    /// and saves a sender. Returns the courier account id.
    pub(crate) async fn install_and_configure(&self, shop: &str) -> String {
        let (s, _) = self.call(shop, "POST", "/sales/v1/session", None).await;
        assert_eq!(s, 200, "install {shop}");
        let (s, acc) = self
            .call(
                shop,
                "POST",
                "/sales/v1/couriers",
                Some(json!({"provider": "cargus", "username": "shop", "password": "cargus-password-123",
                    "subscription_key": "subscription-key-123456", "config": {"location_id": 201}})),
            )
            .await;
        assert_eq!(s, 201, "{acc}");
        let (s, v) = self
            .call(
                shop,
                "PUT",
                "/sales/v1/invoicing",
                Some(json!({"provider": "oblio", "username": "a@b.ro", "api_secret": "oblio-secret-123456",
                    "company_cif": "RO37311090", "series": "FCT"})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = self
            .call(
                shop,
                "PUT",
                "/sales/v1/settings",
                Some(json!({
                    "senders": [{"name": "Magazin SRL", "phone": "0740000000", "street": "Str. Fabricii 1",
                        "locality": "Cluj-Napoca", "county": "Cluj", "postal_code": "400620"}],
                })),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        acc["id"].as_str().unwrap().to_owned()
    }

    /// Waits until `shop` lists `n` orders; returns them.
    pub(crate) async fn orders(&self, shop: &str, n: usize) -> Vec<Value> {
        for _ in 0..400 {
            let (s, v) = self.call(shop, "GET", "/sales/v1/orders", None).await;
            assert_eq!(s, 200);
            let list = v.as_array().cloned().unwrap_or_default();
            if list.len() >= n {
                return list;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{shop} never listed {n} orders");
    }

    /// Polls `GET p` until `check` holds.
    pub(crate) async fn until(&self, shop: &str, p: &str, check: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..600 {
            let (s, v) = self.call(shop, "GET", p, None).await;
            if s == 200 && check(&v) {
                return v;
            }
            last = v;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{p} never reached the expected state: {last}");
    }
}

/// Shopify's inventory at the location: `levels` as `(inventory item, SKU, available)`
/// for `FluxInventoryLevels`, and `FluxInventorySet` answered from the fixture.
pub(crate) async fn mount_inventory(mock: &MockServer, levels: &[(u64, &str, i64)]) {
    let nodes: Vec<Value> = levels
        .iter()
        .map(|&(item, sku, available)| {
            json!({"id": format!("gid://shopify/InventoryLevel/1?inventory_item_id={item}"),
                "quantities": [{"name": "available", "quantity": available}, {"name": "on_hand", "quantity": available}],
                "item": {"id": format!("gid://shopify/InventoryItem/{item}"), "sku": sku}})
        })
        .collect();
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("FluxInventoryLevels"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"location": {"inventoryLevels": {
                "nodes": nodes, "pageInfo": {"hasNextPage": false, "endCursor": null}}}}})),
        )
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("FluxInventorySet"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/inventory_set.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
}
