//! QuickBooks through the FluxOrders API, against a wiremock QuickBooks: connect,
//! callback, sealed tokens, first full sync, pushing an order at most once, PDF, email,
//! webhooks, background token refresh, the reconnect state and disconnect.

use std::time::Duration;

use base64::Engine;
use chrono::Utc;
use flux_http::StatusCode;
use flux_orchestrator::entity::credential;
use flux_orchestrator::jobs::NewJob;
use flux_orchestrator::jobs::queue::enqueue;
use flux_orchestrator::tenancy::TenantId;
use sea_orm::EntityTrait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path, query_param, query_param_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{TestDb, backends, eventually, spawn_app_with};
use crate::orders_support::*;

const REALM: &str = "9341453210";
const TOKEN_PATH: &str = "/oauth2/v1/tokens/bearer";
const REVOKE_PATH: &str = "/v2/oauth2/tokens/revoke";
const VERIFIER: &str = "webhook-verifier-token";

fn fixture(name: &str) -> String {
    let p = format!(
        "{}/../../fixtures/quickbooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn json_ok(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

fn api_path(p: &str) -> String {
    format!("/v3/company/{REALM}/{p}")
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

async fn wait_for(
    http: &flux_http::HttpClient,
    who: &Who,
    path: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        last = ok(http, "GET", path, who, None).await;
        if check(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting on {path}: {last}");
}

#[tokio::test]
async fn connect_sync_push_once_and_reconnect() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let qb = MockServer::start().await;
        let mut settings = db.settings();
        settings.quickbooks.client_id = Some("client-id".into());
        settings.quickbooks.client_secret = Some(SecretString::from("client-secret"));
        settings.quickbooks.webhook_verifier = Some(SecretString::from(VERIFIER));
        settings.quickbooks.api_base_url = Some(qb.uri());
        settings.quickbooks.token_url = Some(format!("{}{TOKEN_PATH}", qb.uri()));
        settings.quickbooks.revocation_url = Some(format!("{}{REVOKE_PATH}", qb.uri()));
        let app = spawn_app_with(settings, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "qb-co").await;
        let other = organization(&http, "no-qb-co").await;

        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(json_ok("token_exchange.json"))
            .up_to_n_times(1)
            .mount(&qb)
            .await;
        Mock::given(method("GET"))
            .and(path(api_path(&format!("companyinfo/{REALM}"))))
            .respond_with(json_ok("companyinfo_us.json"))
            .mount(&qb)
            .await;
        Mock::given(method("GET"))
            .and(path(api_path("query")))
            .and(query_param_contains("query", "FROM Customer"))
            .respond_with(json_ok("customers_page1.json"))
            .mount(&qb)
            .await;
        Mock::given(method("GET"))
            .and(path(api_path("query")))
            .and(query_param_contains("query", "FROM Item"))
            .respond_with(json_ok("items_page.json"))
            .mount(&qb)
            .await;
        Mock::given(method("GET"))
            .and(path(api_path("cdc")))
            .respond_with(json_ok("cdc.json"))
            .mount(&qb)
            .await;

        // Connect: Intuit's consent URL with a state.
        let start = ok(
            &http,
            "POST",
            "orders-api/v1/quickbooks/connect",
            &owner,
            None,
        )
        .await;
        let url = url::Url::parse(start["authorization_url"].as_str().unwrap()).unwrap();
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        assert!(url.as_str().contains("com.intuit.quickbooks.accounting"));

        // A forged state is refused and changes nothing.
        let res = http
            .get(&format!(
                "orders-api/v1/quickbooks/callback?code=abc&state=forged&realmId={REALM}"
            ))
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let res = http
            .get(&format!(
                "orders-api/v1/quickbooks/callback?code=abc&state={state}&realmId={REALM}"
            ))
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
        let status: Value = res.json().unwrap();
        assert_eq!(status["status"], "connected");
        assert!(
            !status.to_string().contains("access-1") && !status.to_string().contains("refresh-1"),
            "masked: {status}"
        );
        // The state is single-use.
        let res = http
            .get(&format!(
                "orders-api/v1/quickbooks/callback?code=abc&state={state}&realmId={REALM}"
            ))
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Sealed at rest.
        for row in credential::Entity::find()
            .all(&app.state().db)
            .await
            .unwrap()
        {
            let raw = String::from_utf8_lossy(&row.ciphertext).to_string();
            assert!(!raw.contains("access-1") && !raw.contains("refresh-1"));
        }

        // The first full sync brings customers and active items.
        let status = wait_for(&http, &owner, "orders-api/v1/quickbooks/status", |s| {
            s["last_full_sync_at"].is_string()
        })
        .await;
        assert_eq!(status["country"], "US");
        let customers = ok(&http, "GET", "orders-api/v1/customers", &owner, None).await;
        let amy = customers
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "Amy's Bird Sanctuary")
            .expect("synced customer")
            .clone();
        assert_eq!(amy["quickbooks_id"], "1");
        let products = ok(&http, "GET", "orders-api/v1/products", &owner, None).await;
        assert_eq!(
            products.as_array().unwrap().len(),
            1,
            "inactive items are not imported: {products}"
        );
        let concrete = products[0].clone();
        assert_eq!(concrete["quickbooks_item_id"], "3");
        // The other organization has nothing.
        assert!(
            ok(&http, "GET", "orders-api/v1/customers", &other, None)
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );

        // Confirming an order pushes one estimate, with our request id.
        let o = ok(&http, "POST", "orders-api/v1/orders", &owner, Some(json!({"customer_id": amy["id"], "items": [{"product_id": concrete["id"], "quantity": "4", "unit_price": "25"}], "po_number": "PO-9"}))).await;
        let id = o["id"].as_str().unwrap().to_owned();
        let simple = uuid::Uuid::parse_str(&id).unwrap().simple().to_string();
        Mock::given(method("POST"))
            .and(path(api_path("estimate")))
            .and(query_param(
                "requestid",
                format!("order-{simple}:estimate").as_str(),
            ))
            .respond_with(json_ok("estimate_created_ca.json"))
            .expect(1)
            .mount(&qb)
            .await;
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/submit"),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/confirm"),
            &owner,
            None,
        )
        .await;
        let done = wait_for(&http, &owner, &format!("orders-api/v1/orders/{id}"), |o| {
            o["quickbooks_estimate_id"].is_string()
        })
        .await;
        assert_eq!(done["quickbooks_estimate_id"], "100");
        assert_eq!(done["quickbooks_doc_number"], "1001");
        // Asking again does not create a second one.
        let res = call(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/quickbooks/push"),
            Some(&owner),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let job = res.json::<Value>().unwrap()["job_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let st = app.state().clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let db = st.db.clone();
                let job = job.clone();
                async move {
                    flux_orchestrator::entity::job::Entity::find_by_id(
                        uuid::Uuid::parse_str(&job).unwrap(),
                    )
                    .one(&db)
                    .await
                    .unwrap()
                    .is_some_and(|j| j.state == "succeeded")
                }
            })
            .await
        );

        // PDF and email of the document.
        Mock::given(method("GET"))
            .and(path(api_path("estimate/100/pdf")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(b"%PDF-1.4 test".to_vec(), "application/pdf"),
            )
            .mount(&qb)
            .await;
        let res = http
            .get(&format!("orders-api/v1/orders/{id}/quickbooks/pdf"))
            .bearer(&owner.token)
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.bytes().starts_with(b"%PDF"));
        Mock::given(method("POST"))
            .and(path(api_path("estimate/100/send")))
            .and(query_param("sendTo", "buyer@amy.example"))
            .respond_with(json_ok("estimate_created_ca.json"))
            .expect(1)
            .mount(&qb)
            .await;
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/quickbooks/email"),
            &owner,
            Some(json!({"to": "buyer@amy.example"})),
        )
        .await;
        assert!(
            eventually(Duration::from_secs(10), || {
                let db = st.db.clone();
                async move {
                    flux_orchestrator::entity::effect::Entity::find()
                        .all(&db)
                        .await
                        .unwrap()
                        .iter()
                        .any(|e| e.kind == "email" && e.state == "succeeded")
                }
            })
            .await,
            "email sent through the ledger"
        );

        // An organization that invoices: the confirmed order becomes an invoice, once.
        let settings = ok(
            &http,
            "PATCH",
            "orders-api/v1/quickbooks/settings",
            &owner,
            Some(json!({"document_kind": "invoice"})),
        )
        .await;
        assert_eq!(settings["document_kind"], "invoice");
        let o2 = ok(&http, "POST", "orders-api/v1/orders", &owner, Some(json!({"customer_id": amy["id"], "items": [{"product_id": concrete["id"], "quantity": "2", "unit_price": "125"}]}))).await;
        let id2 = o2["id"].as_str().unwrap().to_owned();
        let simple2 = uuid::Uuid::parse_str(&id2).unwrap().simple().to_string();
        Mock::given(method("POST"))
            .and(path(api_path("invoice")))
            .and(query_param(
                "requestid",
                format!("order-{simple2}:invoice").as_str(),
            ))
            .respond_with(json_ok("invoice_created.json"))
            .expect(1)
            .mount(&qb)
            .await;
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id2}/submit"),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id2}/confirm"),
            &owner,
            None,
        )
        .await;
        let invoiced = wait_for(&http, &owner, &format!("orders-api/v1/orders/{id2}"), |o| {
            o["status"] == "invoiced"
        })
        .await;
        assert_eq!(invoiced["quickbooks_invoice_id"], "239");
        assert_eq!(invoiced["quickbooks_doc_number"], "1071");
        let invalid = call(
            &http,
            "PATCH",
            "orders-api/v1/quickbooks/settings",
            Some(&owner),
            Some(json!({"document_kind": "receipt"})),
        )
        .await;
        assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Webhooks: a bad signature is refused; a good one enqueues a sync.
        let body = fixture("webhook_classic.json").replace("310687", REALM);
        let res = http
            .post("orders-api/v1/quickbooks/webhooks")
            .header("intuit-signature", "bm9wZQ==")
            .body_bytes(body.clone().into_bytes(), "application/json")
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let sig = base64::engine::general_purpose::STANDARD
            .encode(hmac_sha256(VERIFIER.as_bytes(), body.as_bytes()));
        let res = http
            .post("orders-api/v1/quickbooks/webhooks")
            .header("intuit-signature", sig.as_str())
            .body_bytes(body.into_bytes(), "application/json")
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
        // …and the incremental (CDC) sync it enqueued moves the cursor on.
        wait_for(&http, &owner, "orders-api/v1/quickbooks/status", |s| {
            s["synced_until"] != status["synced_until"]
        })
        .await;
        assert_eq!(
            ok(&http, "GET", "orders-api/v1/products", &owner, None)
                .await
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // Background refresh: an access token about to expire is refreshed and the rotated
        // pair saved in the vault.
        let org_tenant = TenantId(
            credential::Entity::find()
                .all(&app.state().db)
                .await
                .unwrap()[0]
                .tenant_id,
        );
        let creds = &app.state().credentials;
        creds
            .put(
                org_tenant,
                "quickbooks",
                "access_token",
                &SecretString::from("access-1"),
                Some(Utc::now() + chrono::Duration::minutes(5)),
            )
            .await
            .unwrap();
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(json_ok("token_refresh_rotated.json"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&qb)
            .await;
        enqueue(&app.state().db, NewJob::new("orders.qb_refresh", json!({})))
            .await
            .unwrap();
        let c2 = creds.clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c2.clone();
                async move {
                    c.get(org_tenant, "quickbooks", "refresh_token")
                        .await
                        .unwrap()
                        .is_some_and(|r| r.expose_secret() == "refresh-2")
                }
            })
            .await,
            "rotated refresh token saved"
        );

        // A refused refresh token puts the connection in the reconnect state.
        creds
            .put(
                org_tenant,
                "quickbooks",
                "access_token",
                &SecretString::from("access-2"),
                Some(Utc::now() + chrono::Duration::minutes(5)),
            )
            .await
            .unwrap();
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_raw(fixture("token_invalid_grant.json"), "application/json"),
            )
            .with_priority(1)
            .mount(&qb)
            .await;
        enqueue(
            &app.state().db,
            NewJob::new("orders.qb_refresh", json!({})).key("second-refresh"),
        )
        .await
        .unwrap();
        let status = wait_for(&http, &owner, "orders-api/v1/quickbooks/status", |s| {
            s["status"] == "reconnect_needed"
        })
        .await;
        assert!(status["last_error"].is_string());
        assert_eq!(
            call(
                &http,
                "POST",
                &format!("orders-api/v1/orders/{id}/quickbooks/push"),
                Some(&owner),
                None
            )
            .await
            .status(),
            StatusCode::CONFLICT
        );

        // Disconnect revokes at Intuit and forgets the tokens.
        Mock::given(method("POST"))
            .and(path(REVOKE_PATH))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&qb)
            .await;
        let status = ok(
            &http,
            "POST",
            "orders-api/v1/quickbooks/disconnect",
            &owner,
            None,
        )
        .await;
        assert_eq!(status["status"], "disconnected");
        assert!(status["credentials"].as_array().unwrap().is_empty());
        assert!(
            credential::Entity::find()
                .all(&app.state().db)
                .await
                .unwrap()
                .is_empty()
        );
        app.stop().await;
        qb.verify().await;
    }
}

#[tokio::test]
async fn a_canadian_company_gets_its_tax_codes_on_each_line() {
    let db = TestDb::new(backends()[0]).await;
    let qb = MockServer::start().await;
    let mut settings = db.settings();
    settings.quickbooks.client_id = Some("client-id".into());
    settings.quickbooks.client_secret = Some(SecretString::from("client-secret"));
    settings.quickbooks.api_base_url = Some(qb.uri());
    settings.quickbooks.token_url = Some(format!("{}{TOKEN_PATH}", qb.uri()));
    settings.quickbooks.revocation_url = Some(format!("{}{REVOKE_PATH}", qb.uri()));
    let app = spawn_app_with(settings, vec![]).await;
    let http = api(&app);
    let owner = organization(&http, "maple-qb").await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(json_ok("token_exchange.json"))
        .mount(&qb)
        .await;
    Mock::given(method("GET"))
        .and(path(api_path(&format!("companyinfo/{REALM}"))))
        .respond_with(json_ok("companyinfo_ca.json"))
        .mount(&qb)
        .await;
    Mock::given(method("GET"))
        .and(path(api_path("query")))
        .and(query_param_contains("query", "FROM Customer"))
        .respond_with(json_ok("customers_page1.json"))
        .mount(&qb)
        .await;
    Mock::given(method("GET"))
        .and(path(api_path("query")))
        .and(query_param_contains("query", "FROM Item"))
        .respond_with(json_ok("items_page.json"))
        .mount(&qb)
        .await;
    Mock::given(method("POST"))
        .and(path(api_path("estimate")))
        .respond_with(json_ok("estimate_created_ca.json"))
        .expect(1)
        .mount(&qb)
        .await;

    let start = ok(
        &http,
        "POST",
        "orders-api/v1/quickbooks/connect",
        &owner,
        None,
    )
    .await;
    let url = url::Url::parse(start["authorization_url"].as_str().unwrap()).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let res = http
        .get(&format!(
            "orders-api/v1/quickbooks/callback?code=abc&state={state}&realmId={REALM}"
        ))
        .send_raw()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
    let status = wait_for(&http, &owner, "orders-api/v1/quickbooks/status", |s| {
        s["last_full_sync_at"].is_string() && s["country"].is_string()
    })
    .await;
    assert_eq!(status["country"], "CA");

    let customers = ok(&http, "GET", "orders-api/v1/customers", &owner, None).await;
    let amy = customers
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["quickbooks_id"] == "1")
        .unwrap()
        .clone();
    let concrete = ok(&http, "GET", "orders-api/v1/products", &owner, None).await[0].clone();
    // HST Ontario, as the company's tax code id.
    ok(
        &http,
        "PATCH",
        &format!(
            "orders-api/v1/products/{}",
            concrete["id"].as_str().unwrap()
        ),
        &owner,
        Some(json!({"tax_code": "13"})),
    )
    .await;
    let o = ok(&http, "POST", "orders-api/v1/orders", &owner, Some(json!({"customer_id": amy["id"], "items": [{"product_id": concrete["id"], "quantity": "4", "unit_price": "25"}], "po_number": "PO-CA-1"}))).await;
    let id = o["id"].as_str().unwrap().to_owned();
    ok(
        &http,
        "POST",
        &format!("orders-api/v1/orders/{id}/submit"),
        &owner,
        None,
    )
    .await;
    ok(
        &http,
        "POST",
        &format!("orders-api/v1/orders/{id}/confirm"),
        &owner,
        None,
    )
    .await;
    wait_for(&http, &owner, &format!("orders-api/v1/orders/{id}"), |o| {
        o["quickbooks_estimate_id"] == "100"
    })
    .await;

    let requests = qb.received_requests().await.unwrap();
    let estimate = requests
        .iter()
        .find(|r| r.url.path().ends_with("/estimate"))
        .expect("an estimate request");
    let body: Value = serde_json::from_slice(&estimate.body).unwrap();
    assert_eq!(
        body["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"]["value"], "13",
        "{body}"
    );
    assert_eq!(body["CustomerRef"]["value"], "1");
    app.stop().await;
    qb.verify().await;
}
