//! FluxSales with FAN Courier, Sameday and GLS end to end against the in-process sandbox
//! (order webhook → AWB with the courier the rules choose → Shopify fulfillment with
//! tracking → delivered by the tracking job; COD for the outstanding amount; the label
//! PDF; COD payouts reconciled per order where the courier reports them), the house
//! number kept apart from the street, one login per courier account, and a changed
//! password taking effect for the next AWB (Cargus, against wiremock).

use std::time::Duration;

use chrono::Utc;
use flux_http::HttpClient;
use flux_orchestrator::sales::entity::{courier_account, shipment};
use flux_orchestrator::startup::RunningApplication;
use flux_sandbox::shopify::{Address as ShopAddress, OrderDraft, Payment};
use flux_sandbox::{RunningSandbox, Sandbox, SimClock};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Backend, TestDb, backends, spawn_app_with};
use crate::sales_support::{Api, mount_basics, order_body, sales_app};

const SHOP: &str = flux_sandbox::shopify::DEFAULT_SHOP;

/// The sandbox on a manual clock and FluxSales pointed at it.
struct Env {
    sandbox: RunningSandbox,
    app: RunningApplication,
    http: HttpClient,
    started: chrono::DateTime<Utc>,
}

impl Env {
    async fn start(db: &TestDb) -> Self {
        let started = Utc::now();
        let sandbox = Sandbox::builder()
            .clock(SimClock::manual(started))
            .start()
            .await
            .unwrap();
        let mut settings = db.settings();
        flux_orchestrator::demo::point_at_sandbox(&mut settings, &sandbox);
        let app = spawn_app_with(settings, vec![]).await;
        let http = HttpClient::builder("flux-test")
            .base_url(app.base_url())
            .retry_policy(flux_http::RetryPolicy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self {
            sandbox,
            app,
            http,
            started,
        }
    }

    async fn call(&self, verb: &str, p: &str, body: Option<Value>) -> (u16, Value) {
        let token = SecretString::from(self.sandbox.sims().shopify.session_token(SHOP));
        let req = match verb {
            "GET" => self.http.get(p),
            "POST" => self.http.post(p),
            "PUT" => self.http.put(p),
            other => panic!("verb {other}"),
        }
        .bearer(&token);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let res = req.send_raw().await.unwrap();
        let v = serde_json::from_slice(&res.bytes()).unwrap_or(Value::Null);
        (res.status().as_u16(), v)
    }

    async fn label(&self, order_id: &str) -> (u16, String, Vec<u8>) {
        let token = SecretString::from(self.sandbox.sims().shopify.session_token(SHOP));
        let res = self
            .http
            .get(&format!("sales/v1/orders/{order_id}/label"))
            .bearer(&token)
            .send_raw()
            .await
            .unwrap();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (res.status().as_u16(), ct, res.bytes().to_vec())
    }

    /// Installs the shop; connects Cargus (the first account, the fallback) and
    /// `provider`; saves a sender, a rule sending Cluj to `provider`, and the automation.
    /// Returns the account id of `provider`.
    async fn set_up(&self, provider: &str) -> String {
        let (s, v) = self.call("POST", "sales/v1/session", None).await;
        assert_eq!(s, 200, "{v}");
        let cargus = json!({"provider": "cargus", "username": flux_sandbox::cargus::DEFAULT_USERNAME,
            "password": flux_sandbox::cargus::DEFAULT_PASSWORD,
            "subscription_key": flux_sandbox::cargus::DEFAULT_SUBSCRIPTION_KEY,
            "config": {"location_id": flux_sandbox::cargus::DEFAULT_LOCATION_ID}});
        let (s, v) = self.call("POST", "sales/v1/couriers", Some(cargus)).await;
        assert_eq!(s, 201, "{v}");
        let account = match provider {
            "fancourier" => {
                json!({"provider": "fancourier", "username": flux_sandbox::fancourier::DEFAULT_USERNAME,
                "password": flux_sandbox::fancourier::DEFAULT_PASSWORD,
                "config": {"client_id": flux_sandbox::fancourier::DEFAULT_CLIENT_ID}})
            }
            "sameday" => {
                json!({"provider": "sameday", "username": flux_sandbox::sameday::DEFAULT_USERNAME,
                "password": flux_sandbox::sameday::DEFAULT_PASSWORD})
            }
            "gls" => json!({"provider": "gls", "username": flux_sandbox::gls::DEFAULT_USERNAME,
                "password": flux_sandbox::gls::DEFAULT_PASSWORD,
                "config": {"client_number": flux_sandbox::gls::DEFAULT_CLIENT_NUMBER}}),
            other => panic!("{other}"),
        };
        let (s, v) = self.call("POST", "sales/v1/couriers", Some(account)).await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_str().unwrap().to_owned();
        let settings = json!({
            "senders": [{"name": "Atelier Flux SRL", "phone": "0740123456", "email": "expeditii@flux.example",
                "street": "Strada Victoriei", "number": "12", "locality": "Pitești", "county": "Argeș",
                "postal_code": "110014"}],
            "rules": [{"account_id": id, "counties": ["Cluj"]}],
            "automation": {"awb_on": "created", "notify_customer": true, "mark_cod_paid": true}
        });
        let (s, v) = self.call("PUT", "sales/v1/settings", Some(settings)).await;
        assert_eq!(s, 200, "{v}");
        id
    }

    /// Places an order in the Shopify simulator, delivered to FluxSales by webhook.
    async fn place(&self, address1: &str, address2: Option<&str>, payment: Payment) -> String {
        let address = ShopAddress {
            first_name: "Ioana".into(),
            last_name: "Marinescu".into(),
            company: None,
            address1: address1.into(),
            address2: address2.map(str::to_owned),
            city: "Cluj-Napoca".into(),
            province: "Cluj".into(),
            province_code: "CJ".into(),
            zip: "400114".into(),
            phone: Some("+40722123456".into()),
        };
        let mut draft = OrderDraft::new(address, payment, vec![("CANA-ALB".into(), 2)]);
        draft.email = Some("ioana@example.ro".into());
        let target = format!("{}/sales/webhooks/shopify", self.app.base_url());
        let (summary, deliveries) = self
            .sandbox
            .sims()
            .shopify
            .create_order_and_notify(SHOP, &draft, &target)
            .await
            .unwrap();
        assert!(
            deliveries.iter().all(|d| d.status == Some(200)),
            "{deliveries:?}"
        );
        summary.id
    }

    /// The order whose Shopify GID is `gid`, once `check` holds.
    async fn order_until(&self, gid: &str, check: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..400 {
            let (s, v) = self.call("GET", "sales/v1/orders?limit=50", None).await;
            assert_eq!(s, 200, "{v}");
            if let Some(o) = v
                .as_array()
                .and_then(|a| a.iter().find(|o| o["shopify_id"] == gid))
            {
                if check(o) {
                    return o.clone();
                }
                last = o.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{gid} never reached the expected state: {last}");
    }

    async fn shipment(&self, order_id: &str) -> shipment::Model {
        let id: uuid::Uuid = order_id.parse().unwrap();
        for _ in 0..400 {
            let s = shipment::Entity::find()
                .filter(shipment::Column::OrderId.eq(id))
                .filter(shipment::Column::Status.eq("active"))
                .one(&self.app.state().db)
                .await
                .unwrap();
            if let Some(s) = s.filter(|s| s.fulfillment_id.is_some()) {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("order {order_id} was never fulfilled");
    }

    /// Moves the simulated clock on and runs the tracking job until `order_id` is
    /// delivered (a few rounds at most).
    async fn deliver(&self, order_id: &str) -> shipment::Model {
        let state = self.app.state().clone();
        for _ in 0..6 {
            self.sandbox
                .shared()
                .clock
                .advance(Duration::from_secs(24 * 3600));
            flux_orchestrator::sales::tracking::run(&state)
                .await
                .unwrap();
            let s = self.shipment(order_id).await;
            if s.tracking_status == "delivered" {
                return s;
            }
        }
        panic!("order {order_id} was never delivered");
    }

    async fn stop(self) {
        self.app.stop().await;
        self.sandbox.stop().await;
    }
}

/// Whole simulated days since the sandbox started.
fn simulated_days(env: &Env) -> u64 {
    let started = env.started;
    u64::try_from((env.sandbox.shared().clock.now() - started).num_days()).unwrap_or(0)
}

fn login_count(env: &Env, provider: &str) -> u64 {
    let sims = env.sandbox.sims();
    match provider {
        "fancourier" => sims.fancourier.login_count(),
        "sameday" => sims.sameday.login_count(),
        "cargus" => sims.cargus.login_count(),
        _ => 0,
    }
}

/// Where the courier simulator holds the AWB: its COD amount, and for GLS the delivery
/// street and house number.
fn at_courier(env: &Env, provider: &str, awb: &str) -> (Decimal, Option<(String, String)>) {
    let sims = env.sandbox.sims();
    match provider {
        "fancourier" => {
            let a = sims.fancourier.awb(awb).expect("the AWB exists at FAN");
            (a.cod.unwrap_or_default(), None)
        }
        "sameday" => {
            let a = sims.sameday.awb(awb).expect("the AWB exists at Sameday");
            (a.cash_on_delivery, None)
        }
        "gls" => {
            let p = sims
                .gls
                .parcels()
                .into_iter()
                .find(|p| p.parcel_number.map(|n| n.to_string()).as_deref() == Some(awb))
                .expect("the parcel exists at GLS");
            (
                p.cod_amount,
                Some((
                    p.delivery.street.clone().unwrap_or_default(),
                    p.delivery.house_number.clone().unwrap_or_default(),
                )),
            )
        }
        other => panic!("{other}"),
    }
}

async fn courier_flow(backend: Backend, provider: &str, company: &str) {
    let db = TestDb::new(backend).await;
    let env = Env::start(&db).await;
    let account = env.set_up(provider).await;
    let logins_after_connect = login_count(&env, provider);

    // A cash-on-delivery order with the number after "nr." and the flat in address1,
    // and a card order with the number ending the street.
    let cod_gid = env
        .place(
            "Strada Memorandumului nr. 28, bl. A3, ap. 4",
            None,
            Payment::CashOnDelivery,
        )
        .await;
    let card_gid = env
        .place("Str. Mihai Eminescu 15", Some("Et. 2"), Payment::Card)
        .await;
    let cod = env
        .order_until(&cod_gid, |o| {
            o["awb"].is_string() || o["failure_reason"].is_string()
        })
        .await;
    let card = env
        .order_until(&card_gid, |o| {
            o["awb"].is_string() || o["failure_reason"].is_string()
        })
        .await;
    for o in [&cod, &card] {
        assert_eq!(
            o["courier"], provider,
            "{backend:?}: the rule chose {provider}: {o}"
        );
        assert!(o["failure_reason"].is_null(), "{backend:?}: {o}");
    }
    let cod_ship = env.shipment(cod["id"].as_str().unwrap()).await;
    let card_ship = env.shipment(card["id"].as_str().unwrap()).await;
    assert_eq!(
        cod_ship.account_id.map(|a| a.to_string()),
        Some(account.clone())
    );

    // COD is the outstanding amount, at the courier too; the card order has none.
    let outstanding: Decimal = cod["outstanding"].as_str().map_or_else(
        || cod["outstanding"].to_string().parse().unwrap(),
        |s| s.parse().unwrap(),
    );
    assert!(outstanding > Decimal::ZERO, "{backend:?}: {cod}");
    assert_eq!(
        cod_ship
            .cod_amount
            .as_deref()
            .map(|a| a.parse::<Decimal>().unwrap()),
        Some(outstanding),
        "{backend:?}"
    );
    let (cod_at_courier, gls_address) = at_courier(&env, provider, &cod_ship.awb);
    assert_eq!(
        cod_at_courier, outstanding,
        "{backend:?}: COD at {provider}"
    );
    let (card_cod, card_address) = at_courier(&env, provider, &card_ship.awb);
    assert_eq!(
        card_cod,
        Decimal::ZERO,
        "{backend:?}: no COD for a paid order"
    );
    if provider == "gls" {
        assert_eq!(
            gls_address,
            Some(("Strada Memorandumului".to_owned(), "28".to_owned())),
            "{backend:?}"
        );
        assert_eq!(
            card_address,
            Some(("Str. Mihai Eminescu".to_owned(), "15".to_owned())),
            "{backend:?}"
        );
    }

    // The Shopify fulfillment carries the courier, the AWB and a tracking URL.
    let fulfillments = env.sandbox.sims().shopify.fulfillments(SHOP);
    for (gid, ship) in [(&cod_gid, &cod_ship), (&card_gid, &card_ship)] {
        let f: Vec<_> = fulfillments.iter().filter(|f| &f.order_id == gid).collect();
        assert_eq!(f.len(), 1, "{backend:?}: one fulfillment per order");
        assert_eq!(f[0].tracking.len(), 1);
        let t = &f[0].tracking[0];
        assert_eq!(t.company.as_deref(), Some(company), "{backend:?}");
        assert_eq!(t.number.as_deref(), Some(ship.awb.as_str()), "{backend:?}");
        assert!(
            t.url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://") && u.contains(&ship.awb)),
            "{backend:?}: {:?}",
            t.url
        );
        assert!(f[0].notify_customer);
    }

    // The label is a PDF from the courier.
    let (s, ct, pdf) = env.label(cod["id"].as_str().unwrap()).await;
    assert_eq!(s, 200, "{backend:?}: {}", String::from_utf8_lossy(&pdf));
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"), "{backend:?}: not a PDF");

    // Both labels in one PDF, through a batch.
    let (s, batch) = env
        .call(
            "POST",
            "sales/v1/batches",
            Some(json!({"order_ids": [cod["id"], card["id"]]})),
        )
        .await;
    assert_eq!(s, 202, "{backend:?}: {batch}");
    let token = SecretString::from(env.sandbox.sims().shopify.session_token(SHOP));
    let res = env
        .http
        .get(&format!(
            "sales/v1/batches/{}/labels",
            batch["id"].as_str().unwrap()
        ))
        .bearer(&token)
        .send_raw()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        200,
        "{backend:?}: {}",
        String::from_utf8_lossy(&res.bytes())
    );
    assert!(res.bytes().starts_with(b"%PDF"));
    assert_eq!(
        res.headers()
            .get("x-flux-labels-missing")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );

    // One login served the account check, both AWBs and the labels.
    if provider != "gls" {
        assert_eq!(logins_after_connect, 1, "{backend:?}: {provider} logins");
        assert_eq!(
            login_count(&env, provider),
            1,
            "{backend:?}: {provider} logged in again after the account was connected"
        );
    }

    // A third AWB is cancelled at the courier before pickup (GLS deletes it by its
    // ParcelId, recorded when it was created).
    let third_gid = env.place("Strada Republicii 7", None, Payment::Card).await;
    let third = env.order_until(&third_gid, |o| o["awb"].is_string()).await;
    let third_id = third["id"].as_str().unwrap();
    let third_ship = env.shipment(third_id).await;
    let (s, v) = env
        .call(
            "POST",
            &format!("sales/v1/orders/{third_id}/awb/cancel"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{backend:?}: {v}");
    assert!(v["awb"].is_null(), "{backend:?}: {v}");
    let sims = env.sandbox.sims();
    let deleted = match provider {
        "fancourier" => sims.fancourier.awb(&third_ship.awb).map(|a| a.deleted),
        "sameday" => sims.sameday.awb(&third_ship.awb).map(|a| a.deleted),
        _ => sims
            .gls
            .parcels()
            .into_iter()
            .find(|p| p.parcel_number.map(|n| n.to_string()) == Some(third_ship.awb.clone()))
            .map(|p| p.deleted),
    };
    assert_eq!(deleted, Some(true), "{backend:?}: cancelled at {provider}");

    // The tracking job carries both to delivered, in Shopify too; the COD order is
    // marked paid.
    let delivered = env.deliver(cod["id"].as_str().unwrap()).await;
    assert!(delivered.delivered_at.is_some());
    let card_delivered = env.deliver(card["id"].as_str().unwrap()).await;
    assert_eq!(card_delivered.tracking_status, "delivered");
    for f in env
        .sandbox
        .sims()
        .shopify
        .fulfillments(SHOP)
        .iter()
        .filter(|f| f.order_id == cod_gid || f.order_id == card_gid)
    {
        assert_eq!(
            f.events.last().map(String::as_str),
            Some("DELIVERED"),
            "{backend:?}: {:?}",
            f.events
        );
    }
    let shop_order = env.sandbox.sims().shopify.order(SHOP, &cod_gid).unwrap();
    assert_eq!(shop_order.financial_status, "PAID", "{backend:?}");
    let (_, v) = env
        .call(
            "GET",
            &format!("sales/v1/orders/{}", cod["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(v["status"], "delivered", "{backend:?}: {v}");

    // Days pass on the simulated clock while the parcels travel: a token that expired
    // in the meantime is renewed, at most once per simulated day.
    if provider != "gls" {
        assert!(
            login_count(&env, provider) <= 1 + simulated_days(&env),
            "{backend:?}: {provider} logged in {} times",
            login_count(&env, provider)
        );
    }

    // FAN Courier pays COD out by bank transfer the next working day: the payout is
    // reconciled against the order.
    if provider == "fancourier" {
        env.sandbox
            .shared()
            .clock
            .advance(Duration::from_secs(4 * 24 * 3600));
        let today = env.sandbox.shared().clock.now().date_naive();
        let period = json!({"from": today - chrono::Days::new(10), "to": today});
        let (s, summary) = env
            .call(
                "POST",
                "sales/v1/cod-settlements/reconcile",
                Some(period.clone()),
            )
            .await;
        assert_eq!(s, 200, "{backend:?}: {summary}");
        assert_eq!(summary["matched"], 1, "{backend:?}: {summary}");
        assert_eq!(summary["mismatched"], 0, "{backend:?}: {summary}");
        assert_eq!(summary["failed"], json!([]), "{backend:?}: {summary}");
        let (_, list) = env
            .call(
                "GET",
                &format!(
                    "sales/v1/cod-settlements?order_id={}",
                    cod["id"].as_str().unwrap()
                ),
                None,
            )
            .await;
        let list = list.as_array().cloned().unwrap_or_default();
        assert_eq!(list.len(), 1, "{backend:?}: {list:?}");
        assert_eq!(list[0]["status"], "matched");
        assert_eq!(list[0]["awb"], cod_ship.awb.as_str());
        assert_eq!(
            list[0]["amount"]
                .as_str()
                .map(|a| a.parse::<Decimal>().unwrap()),
            Some(outstanding)
        );
        // Asking again stores nothing twice.
        let (_, again) = env
            .call("POST", "sales/v1/cod-settlements/reconcile", Some(period))
            .await;
        assert_eq!(again["new"], 0, "{backend:?}: {again}");
    }
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fan_courier_order_to_delivery_with_one_login() {
    for backend in backends() {
        courier_flow(backend, "fancourier", "FAN Courier").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sameday_order_to_delivery_with_one_login() {
    for backend in backends() {
        courier_flow(backend, "sameday", "Sameday").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gls_order_to_delivery_with_the_house_number_apart() {
    for backend in backends() {
        courier_flow(backend, "gls", "GLS").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gls_order_without_a_house_number_fails_clearly_before_any_call() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let env = Env::start(&db).await;
        env.set_up("gls").await;
        let gid = env
            .place("Strada Morii", Some("Bl. 4, Ap. 2"), Payment::Card)
            .await;
        let o = env
            .order_until(&gid, |o| o["failure_reason"].is_string())
            .await;
        let reason = o["failure_reason"].as_str().unwrap();
        assert!(
            reason.contains("address1 has no house number"),
            "{backend:?}: {reason}"
        );
        assert!(o["awb"].is_null(), "{backend:?}: {o}");
        assert_eq!(env.sandbox.sims().gls.parcel_count(), 0, "{backend:?}");
        env.stop().await;
    }
}

/// Cargus (wiremock): the login of the account check serves every AWB; after the
/// password is changed the next AWB is created with a token from the new password; an
/// uninstalled shop gets no client at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cargus_logs_in_once_and_a_new_password_takes_over() {
    const OLD: &str = "cargus-password-123";
    const NEW: &str = "cargus-password-NEW-456";
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        for (password, token) in [(OLD, "OLD-TOKEN"), (NEW, "NEW-TOKEN")] {
            Mock::given(method("POST"))
                .and(path("/cargus/LoginUser"))
                .and(body_string_contains(password))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!(token)))
                .with_priority(1)
                .mount(&mock)
                .await;
        }
        mount_basics(&mock).await;
        // The AWB number tells which token created it.
        for (token, first) in [("OLD-TOKEN", 1_000_u64), ("NEW-TOKEN", 2_000)] {
            let n = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(first));
            Mock::given(method("POST"))
                .and(path("/cargus/Awbs"))
                .and(header("Authorization", format!("Bearer {token}").as_str()))
                .respond_with(move |_: &wiremock::Request| {
                    let v = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    ResponseTemplate::new(200).set_body_json(json!(v.to_string()))
                })
                .mount(&mock)
                .await;
        }
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        let shop = "parola-noua.myshopify.com";
        let account = api.install_and_configure(shop).await;
        let logins = |password: &'static str| {
            let mock = &mock;
            async move {
                mock.received_requests()
                    .await
                    .unwrap_or_default()
                    .iter()
                    .filter(|r| {
                        r.url.path() == "/cargus/LoginUser"
                            && String::from_utf8_lossy(&r.body).contains(password)
                    })
                    .count()
            }
        };

        // Three orders, three AWBs, one login (the one that checked the account).
        for n in 1..=3 {
            let status = api
                .webhook(
                    shop,
                    "orders/create",
                    &format!("w-{n}"),
                    &order_body(n, 77, "pending", 1),
                )
                .await;
            assert_eq!(status, 200);
        }
        let orders = api.orders(shop, 3).await;
        for o in &orders {
            let (s, v) = api
                .call(
                    shop,
                    "POST",
                    &format!("/sales/v1/orders/{}/awb", o["id"].as_str().unwrap()),
                    None,
                )
                .await;
            assert_eq!(s, 202, "{v}");
        }
        for o in &orders {
            let v = api
                .until(
                    shop,
                    &format!("/sales/v1/orders/{}", o["id"].as_str().unwrap()),
                    |v| v["awb"].is_string(),
                )
                .await;
            let awb: u64 = v["awb"].as_str().unwrap().parse().unwrap();
            assert!((1_000..2_000).contains(&awb), "{backend:?}: {v}");
        }
        assert_eq!(
            logins(OLD).await,
            1,
            "{backend:?}: one login for three AWBs"
        );
        assert_eq!(logins(NEW).await, 0);

        // A wrong new password is refused and changes nothing.
        let (s, v) = api
            .call(
                shop,
                "PUT",
                &format!("/sales/v1/couriers/{account}"),
                Some(json!({"password": ""})),
            )
            .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("password")), "{v}");

        // The new password: checked live, then used by the next AWB.
        let (s, v) = api
            .call(
                shop,
                "PUT",
                &format!("/sales/v1/couriers/{account}"),
                Some(json!({"password": NEW})),
            )
            .await;
        assert_eq!(s, 200, "{backend:?}: {v}");
        assert!(!v.to_string().contains(NEW), "the password is never shown");
        let status = api
            .webhook(
                shop,
                "orders/create",
                "w-4",
                &order_body(4, 77, "pending", 1),
            )
            .await;
        assert_eq!(status, 200);
        let orders = api.orders(shop, 4).await;
        let fourth = orders
            .iter()
            .find(|o| o["name"] == "#1004")
            .expect("the fourth order");
        let id = fourth["id"].as_str().unwrap().to_owned();
        let (s, _) = api
            .call(shop, "POST", &format!("/sales/v1/orders/{id}/awb"), None)
            .await;
        assert_eq!(s, 202);
        let v = api
            .until(shop, &format!("/sales/v1/orders/{id}"), |v| {
                v["awb"].is_string()
            })
            .await;
        let awb: u64 = v["awb"].as_str().unwrap().parse().unwrap();
        assert!(
            (2_000..3_000).contains(&awb),
            "{backend:?}: the AWB after the change was created with the old token: {v}"
        );
        assert_eq!(logins(NEW).await, 1, "{backend:?}");
        assert_eq!(logins(OLD).await, 1, "{backend:?}");

        // Uninstalled: the cached client is dropped and no new one is built.
        let state = app.state().clone();
        assert!(!state.provider_clients.is_empty());
        let status = api
            .webhook(
                shop,
                "app/uninstalled",
                "w-uninstall",
                &json!({"id": 1, "domain": shop}),
            )
            .await;
        assert_eq!(status, 200);
        let acc = courier_account::Entity::find()
            .filter(courier_account::Column::Id.eq(account.parse::<uuid::Uuid>().unwrap()))
            .one(&state.db)
            .await
            .unwrap()
            .unwrap();
        let mut refused = false;
        for _ in 0..200 {
            match flux_orchestrator::sales::providers::courier_for(&state, &acc).await {
                Err(e) => {
                    assert!(e.to_string().contains("not installed"), "{e}");
                    refused = true;
                    break;
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        assert!(
            refused,
            "{backend:?}: an uninstalled shop still got a courier client"
        );
        assert!(state.provider_clients.is_empty(), "{backend:?}");
        app.stop().await;
    }
}
