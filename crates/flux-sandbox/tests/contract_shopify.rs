//! flux-shopify's client against the Shopify simulator: OAuth and token exchange with
//! rotating refresh tokens, order pagination, fulfillment with tracking, idempotent
//! inventory writes, the cost throttle, webhook signatures, and a lost answer.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use flux_sandbox::shopify::{
    self, Address, DEFAULT_ACCESS_TOKEN, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_SHOP,
    OrderDraft, Payment,
};
use flux_sandbox::{FaultPlan, Provider, RunningSandbox, Sandbox};
use flux_shopify::ops::fulfillments::{
    FulfillmentEventInput, FulfillmentEventStatus, FulfillmentInput, FulfillmentOrderLineItemInput,
    FulfillmentOrderLineItemsInput, TrackingInfo,
};
use flux_shopify::ops::inventory::{
    InventoryAdjustQuantitiesInput, InventoryChangeInput, InventoryQuantityInput,
    InventorySetQuantitiesInput,
};
use flux_shopify::secret::SecretString;
use flux_shopify::webhooks::{WebhookPayload, WebhookVerifier};
use flux_shopify::{
    AccessToken, AdminClient, RequestedToken, ShopDomain, ShopifyApp, ShopifyError,
};
use futures::TryStreamExt;

fn app(sandbox: &RunningSandbox) -> ShopifyApp {
    ShopifyApp::builder(DEFAULT_API_KEY, SecretString::from(DEFAULT_API_SECRET))
        .endpoint_override(sandbox.base_url(Provider::Shopify))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn shop() -> ShopDomain {
    ShopDomain::parse(DEFAULT_SHOP).unwrap()
}

fn admin(sandbox: &RunningSandbox) -> AdminClient {
    app(sandbox)
        .admin_client(
            &shop(),
            AccessToken::new(SecretString::from(DEFAULT_ACCESS_TOKEN)),
        )
        .unwrap()
}

fn bucharest_cod() -> OrderDraft {
    let address = Address {
        first_name: "Ana".into(),
        last_name: "Pop".into(),
        address1: "Strada Lipscani 10".into(),
        address2: Some("Sector 3, Bl. A3, Ap. 4".into()),
        city: "București".into(),
        province: "București".into(),
        province_code: "B".into(),
        zip: "030031".into(),
        phone: Some("+40722123456".into()),
        ..Address::default()
    };
    let mut d = OrderDraft::new(
        address,
        Payment::CashOnDelivery,
        vec![("CANA-ALB".into(), 2), ("FARF-26".into(), 1)],
    );
    d.email = Some("ana.pop@example.ro".into());
    d
}

#[tokio::test]
async fn token_exchange_refresh_rotation_and_code_grant() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let sim = sandbox.sims().shopify.clone();
    let app = app(&sandbox);
    let new_shop = "ceramica-cluj.myshopify.com";

    // Token exchange: a session token for an expiring offline token.
    let session = sim.session_token(new_shop);
    let (shop, token) = app
        .exchange_session_token(&session, RequestedToken::Offline { expiring: true })
        .await
        .unwrap();
    assert_eq!(shop.as_str(), new_shop);
    assert!(token.expires_at.is_some());
    assert!(token.has_scope("read_orders"));
    let refresh = token
        .refresh_token
        .clone()
        .expect("an expiring token has a refresh token");
    let admin = app.admin_client(&shop, token.clone()).unwrap();
    assert_eq!(admin.shop_info().await.unwrap().myshopify_domain, new_shop);

    // Refresh rotates: the new pair works, the used refresh token is refused.
    let fresh = app.refresh_access_token(&shop, &refresh).await.unwrap();
    assert!(fresh.refresh_token.is_some());
    let again = app.refresh_access_token(&shop, &refresh).await.unwrap_err();
    assert!(
        matches!(&again, ShopifyError::OAuth { code, status: 400, .. } if code == "invalid_grant"),
        "{again:?}"
    );

    // Expired tokens are refused with Shopify's 401.
    sim.expire_access_tokens(new_shop);
    let err = admin.shop_info().await.unwrap_err();
    assert!(
        matches!(&err, ShopifyError::Http(e) if e.status().map(|s| s.as_u16()) == Some(401)),
        "{err:?}"
    );

    // A session token signed by someone else: the SDK refuses it locally; one the SDK
    // cannot check (another app's) is refused by the simulator.
    sim.register_app("other-app", "other-secret", &["read_orders"]);
    let foreign = sim.session_token_for("other-app", new_shop);
    let other = ShopifyApp::builder("other-app", SecretString::from("other-secret"))
        .endpoint_override(sandbox.base_url(Provider::Shopify))
        .build()
        .unwrap();
    assert!(
        app.exchange_session_token(&foreign, RequestedToken::Online)
            .await
            .is_err()
    );
    let (_, online) = other
        .exchange_session_token(&foreign, RequestedToken::Online)
        .await
        .unwrap();
    assert!(online.is_online());

    // Wrong client secret.
    let wrong = ShopifyApp::builder(DEFAULT_API_KEY, SecretString::from("nope"))
        .endpoint_override(sandbox.base_url(Provider::Shopify))
        .build()
        .unwrap();
    let err = wrong
        .refresh_access_token(&shop, fresh.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ShopifyError::OAuth { code, status: 401, .. } if code == "invalid_client"),
        "{err:?}"
    );

    // Authorization-code grant: a signed callback, verified by the SDK, code exchanged once.
    let query = sim.callback_query(DEFAULT_SHOP, "nonce-123");
    let callback = app.validate_callback(&query, "nonce-123").unwrap();
    let legacy = app.exchange_code(&callback, false).await.unwrap();
    assert!(legacy.expires_at.is_none() && legacy.refresh_token.is_none());
    let reused = app.exchange_code(&callback, false).await.unwrap_err();
    assert!(matches!(&reused, ShopifyError::OAuth { code, .. } if code == "invalid_request"));

    // Migration of the legacy token to an expiring one revokes the legacy token.
    let migrated = app
        .migrate_to_expiring_token(&shop_domain(DEFAULT_SHOP), &legacy.access_token)
        .await
        .unwrap();
    assert!(migrated.refresh_token.is_some());
    let old = app
        .admin_client(&shop_domain(DEFAULT_SHOP), legacy)
        .unwrap();
    assert!(old.shop_info().await.is_err());
    sandbox.stop().await;
}

fn shop_domain(s: &str) -> ShopDomain {
    ShopDomain::parse(s).unwrap()
}

#[tokio::test]
async fn orders_paginate_newest_first_with_search() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let sim = sandbox.sims().shopify.clone();
    let created = sim.create_random_orders(DEFAULT_SHOP, 23, 7).unwrap();
    let admin = admin(&sandbox);

    let orders: Vec<_> = admin.orders(None).try_collect().await.unwrap();
    assert_eq!(orders.len(), 23, "three pages of 10, 10 and 3");
    assert_eq!(orders[0].name, created[22].name, "newest first");
    let cod = orders.iter().filter(|o| o.is_cash_on_delivery()).count();
    assert_eq!(cod, created.iter().filter(|o| o.cash_on_delivery).count());
    for (o, c) in orders.iter().rev().zip(&created) {
        assert_eq!(o.total_price_set.shop_money.amount, c.total);
        assert_eq!(
            o.total_weight_kg() * rust_decimal::Decimal::ONE_THOUSAND,
            rust_decimal::Decimal::from(c.weight_grams)
        );
        assert_eq!(
            o.shipping_address
                .as_ref()
                .unwrap()
                .country_code_v2
                .as_deref(),
            Some("RO")
        );
    }
    let b2b = orders
        .iter()
        .find(|o| o.custom_attributes.iter().any(|a| a.key == "cui"))
        .expect("a B2B order");
    assert!(b2b.billing_address.as_ref().unwrap().company.is_some());

    let pending: Vec<_> = admin
        .orders(Some("financial_status:pending"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pending.len(), cod);
    assert!(pending.iter().all(
        |o| o.total_outstanding_set.as_ref().unwrap().shop_money.amount
            > rust_decimal::Decimal::ZERO
    ));

    // One order by id, and a missing one.
    let one = admin.order(&created[0].id).await.unwrap().unwrap();
    assert_eq!(one.name, "#1001");
    assert!(
        admin
            .order("gid://shopify/Order/1")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(shopify::violations(sandbox.shared()), 0);
    sandbox.stop().await;
}

#[tokio::test]
async fn fulfill_with_tracking_events_and_mark_paid() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let sim = sandbox.sims().shopify.clone();
    let order = sim.create_order(DEFAULT_SHOP, &bucharest_cod()).unwrap();
    let admin = admin(&sandbox);
    let warehouse = sim.location_ids(DEFAULT_SHOP)[0].clone();
    let committed = sim
        .inventory_quantity(DEFAULT_SHOP, "CANA-ALB", &warehouse, "committed")
        .unwrap();
    assert_eq!(committed, 2);

    let fos = admin.fulfillment_orders(&order.id).await.unwrap();
    assert_eq!(fos.len(), 1);
    let fo = &fos[0];
    assert!(fo.is_fulfillable());
    assert_eq!(fo.assigned_location.as_deref(), Some(warehouse.as_str()));

    // Too many: a user error with the field path.
    let line = &fo.line_items.nodes[0];
    let too_many = FulfillmentInput::new(vec![FulfillmentOrderLineItemsInput::lines(
        fo.id.clone(),
        vec![FulfillmentOrderLineItemInput::new(
            line.id.clone(),
            line.remaining_quantity + 1,
        )],
    )]);
    match admin.create_fulfillment(&too_many, None).await.unwrap_err() {
        ShopifyError::UserErrors { errors } => assert_eq!(
            errors[0].field_path().as_deref(),
            Some("fulfillment.lineItemsByFulfillmentOrder.0.fulfillmentOrderLineItems.0.quantity")
        ),
        other => panic!("{other:?}"),
    }

    let input = FulfillmentInput::new(vec![FulfillmentOrderLineItemsInput::whole(fo.id.clone())])
        .with_tracking(TrackingInfo::new("FAN Courier", "2150012345678"))
        .notify_customer(true);
    let f = admin
        .create_fulfillment(&input, Some("Expediat"))
        .await
        .unwrap();
    assert_eq!(f.status, "SUCCESS");
    assert_eq!(
        f.tracking_info[0].url.as_deref(),
        Some("https://www.fancourier.ro/awb-tracking/?tracking=2150012345678")
    );
    let after = admin.order(&order.id).await.unwrap().unwrap();
    assert_eq!(after.display_fulfillment_status.as_str(), "FULFILLED");
    assert_eq!(
        sim.inventory_quantity(DEFAULT_SHOP, "CANA-ALB", &warehouse, "on_hand"),
        Some(248)
    );
    assert_eq!(
        sim.inventory_quantity(DEFAULT_SHOP, "CANA-ALB", &warehouse, "committed"),
        Some(0)
    );
    // A closed fulfillment order cannot be fulfilled again.
    let closed = admin.fulfillment_orders(&order.id).await.unwrap();
    assert!(!closed[0].is_fulfillable());
    assert!(matches!(
        admin.create_fulfillment(&input, None).await,
        Err(ShopifyError::UserErrors { .. })
    ));

    for status in [
        FulfillmentEventStatus::InTransit,
        FulfillmentEventStatus::Delivered,
    ] {
        let e = admin
            .create_fulfillment_event(
                &FulfillmentEventInput::new(f.id.clone(), status.clone()).city("București"),
            )
            .await
            .unwrap();
        assert_eq!(e.status, status);
    }
    let updated = admin
        .update_fulfillment_tracking(
            &f.id,
            &TrackingInfo::new("Sameday", "1ONB24112233445"),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        updated.tracking_info[0].url.as_deref(),
        Some("https://sameday.ro/#awb=1ONB24112233445")
    );
    let recorded = sim.fulfillments(DEFAULT_SHOP);
    assert_eq!(recorded[0].events, ["IN_TRANSIT", "DELIVERED"]);
    assert!(recorded[0].notify_customer);

    // Cash collected: mark as paid once.
    let paid = admin.mark_order_as_paid(&order.id).await.unwrap();
    assert_eq!(paid.display_financial_status.unwrap().as_str(), "PAID");
    match admin.mark_order_as_paid(&order.id).await.unwrap_err() {
        ShopifyError::UserErrors { errors } => assert_eq!(errors[0].field, ["id"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sim.order(DEFAULT_SHOP, &order.id).unwrap().financial_status,
        "PAID"
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn inventory_writes_are_idempotent_and_compare_and_swap() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let sim = sandbox.sims().shopify.clone();
    let admin = admin(&sandbox);
    let item = sim.inventory_item_id(DEFAULT_SHOP, "VAZA-M").unwrap();
    let locations: Vec<_> = admin.locations().try_collect().await.unwrap();
    assert_eq!(locations.len(), 2);
    let loc = locations
        .iter()
        .find(|l| l.fulfills_online_orders)
        .unwrap()
        .id
        .clone();
    let level = admin
        .inventory_levels(&loc)
        .try_filter(|l| futures::future::ready(l.item.id == item))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let available = level[0].quantity("available").unwrap();
    assert_eq!(available, 250);

    let set = InventorySetQuantitiesInput::new(
        "available",
        "correction",
        vec![InventoryQuantityInput::new(
            item.clone(),
            loc.clone(),
            200,
            Some(available),
        )],
    )
    .with_reference_document_uri("gid://fluxsales/StockSync/1");
    let key = flux_shopify::ops::inventory::new_idempotency_key();
    let first = admin.set_inventory_quantities(&set, key).await.unwrap();
    let replay = admin.set_inventory_quantities(&set, key).await.unwrap();
    assert_eq!(first.id, replay.id, "the replay returns the first answer");
    assert_eq!(first.changes[0].delta, -50);
    assert_eq!(
        sim.inventory_adjustment_count(DEFAULT_SHOP),
        1,
        "applied once"
    );
    assert_eq!(
        sim.inventory_quantity(DEFAULT_SHOP, "VAZA-M", &loc, "available"),
        Some(200)
    );

    // The same key with other input is refused.
    let other = InventorySetQuantitiesInput::new(
        "available",
        "correction",
        vec![InventoryQuantityInput::new(
            item.clone(),
            loc.clone(),
            10,
            None,
        )],
    );
    match admin
        .set_inventory_quantities(&other, key)
        .await
        .unwrap_err()
    {
        ShopifyError::UserErrors { errors } => assert_eq!(
            errors[0].code.as_deref(),
            Some("IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
        ),
        e => panic!("{e:?}"),
    }

    // A stale changeFromQuantity changes nothing and is a conflict.
    let stale = InventoryAdjustQuantitiesInput::new(
        "available",
        "restock",
        vec![InventoryChangeInput::new(
            item.clone(),
            loc.clone(),
            5,
            Some(250),
        )],
    );
    let err = admin
        .adjust_inventory_quantities(&stale, flux_shopify::ops::inventory::new_idempotency_key())
        .await
        .unwrap_err();
    match &err {
        ShopifyError::UserErrors { errors } => {
            assert_eq!(
                errors[0].code.as_deref(),
                Some("CHANGE_FROM_QUANTITY_STALE")
            );
            assert_eq!(
                errors[0].field_path().as_deref(),
                Some("input.changes.0.changeFromQuantity")
            );
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        flux_core::ProviderError::from(err).kind(),
        flux_core::ErrorKind::Conflict
    );
    let ok = InventoryAdjustQuantitiesInput::new(
        "available",
        "restock",
        vec![InventoryChangeInput::new(item, loc.clone(), 5, Some(200))],
    );
    let group = admin
        .adjust_inventory_quantities(&ok, flux_shopify::ops::inventory::new_idempotency_key())
        .await
        .unwrap();
    assert_eq!(group.changes[0].quantity_after_change, Some(205));
    sandbox.stop().await;
}

#[tokio::test]
async fn the_client_respects_the_cost_bucket() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let sim = sandbox.sims().shopify.clone();
    let created = sim.create_random_orders(DEFAULT_SHOP, 3, 11).unwrap();
    // A small bucket so that the test drains it quickly: 400 points, 40 restored per s.
    sim.set_throttle(DEFAULT_SHOP, 400, 40);
    let admin = admin(&sandbox);
    let started = std::time::Instant::now();
    for i in 0..30 {
        let o = admin.order(&created[i % 3].id).await.unwrap().unwrap();
        assert_eq!(o.id, created[i % 3].id);
    }
    assert!(
        sim.lowest_available(DEFAULT_SHOP) < 320,
        "the bucket ran low: {}",
        sim.lowest_available(DEFAULT_SHOP)
    );
    assert!(
        started.elapsed() > Duration::from_millis(300),
        "the client waited for the bucket"
    );
    assert_eq!(sim.throttled_count(DEFAULT_SHOP), 0);
    assert_eq!(
        shopify::violations(sandbox.shared()),
        0,
        "no request arrived over budget"
    );

    // A bucket emptied behind the client's back: one THROTTLED (HTTP 200), then the client
    // waits for the reported deficit and succeeds.
    sim.drain_bucket(DEFAULT_SHOP);
    let fresh = admin.clone();
    let o = fresh.order(&created[0].id).await.unwrap().unwrap();
    assert_eq!(o.id, created[0].id);
    assert_eq!(sim.throttled_count(DEFAULT_SHOP), 1);
    assert_eq!(shopify::violations(sandbox.shared()), 1);

    // The raw answer is Shopify's throttled shape.
    sim.drain_bucket(DEFAULT_SHOP);
    let raw = flux_http::HttpClient::builder("test").build().unwrap();
    let url = format!(
        "{}admin/api/2026-10/graphql.json",
        sandbox.base_url(Provider::Shopify)
    );
    let r = raw
        .request_url(
            flux_http::Method::POST,
            flux_http::Url::parse(&url).unwrap(),
        )
        .header("X-Shopify-Access-Token", DEFAULT_ACCESS_TOKEN)
        .json(&serde_json::json!({ "query": "{ orders(first: 50) { nodes { id } } }" }))
        .send_raw()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED");
    assert!(body["extensions"]["cost"]["actualQueryCost"].is_null());
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"],
        serde_json::json!(400.0)
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn malformed_requests_are_rejected_like_shopify() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let admin = admin(&sandbox);
    let err = admin
        .graphql::<serde_json::Value>("{ shop { id nonsense } }", serde_json::json!({}))
        .await
        .unwrap_err();
    match err {
        ShopifyError::Graphql { errors, .. } => {
            assert_eq!(errors[0].code(), Some("undefinedField"))
        }
        e => panic!("{e:?}"),
    }
    // Without the scope: ACCESS_DENIED.
    let sim = sandbox.sims().shopify.clone();
    sim.register_app("narrow-app", "narrow-secret", &["read_orders"]);
    let narrow = ShopifyApp::builder("narrow-app", SecretString::from("narrow-secret"))
        .endpoint_override(sandbox.base_url(Provider::Shopify))
        .build()
        .unwrap();
    let (shop, token) = narrow
        .exchange_session_token(
            &sim.session_token_for("narrow-app", DEFAULT_SHOP),
            RequestedToken::Offline { expiring: true },
        )
        .await
        .unwrap();
    let client = narrow.admin_client(&shop, token).unwrap();
    let err = client
        .locations()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ShopifyError::Graphql { errors, .. } if errors[0].code() == Some("ACCESS_DENIED")),
        "{err:?}"
    );
    // A bad token.
    let bad = app(&sandbox)
        .admin_client(&shop, AccessToken::new(SecretString::from("shpat_nope")))
        .unwrap();
    assert!(bad.shop_info().await.is_err());
    sandbox.stop().await;
}

/// Received deliveries: (headers, raw body).
type Received = Arc<Mutex<Vec<(Vec<(String, String)>, Vec<u8>)>>>;

async fn receiver() -> (String, Received) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let got: Received = Arc::default();
    let sink = got.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().route(
            "/webhooks",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let sink = sink.clone();
                async move {
                    let headers = req
                        .headers()
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
                        .collect();
                    sink.lock().unwrap().push((headers, body.to_vec()));
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (format!("http://{addr}/webhooks"), got)
}

#[tokio::test]
async fn webhooks_are_signed_like_shopify() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let sim = sandbox.sims().shopify.clone();
    let (url, got) = receiver().await;
    let mut draft = bucharest_cod();
    draft.payment = Payment::Card;
    let (order, sent) = sim
        .create_order_and_notify(DEFAULT_SHOP, &draft, &url)
        .await
        .unwrap();
    assert_eq!(
        sent.iter().map(|d| d.topic.as_str()).collect::<Vec<_>>(),
        ["orders/create", "orders/paid"]
    );
    assert!(sent.iter().all(|d| d.status == Some(200)));

    let verifier = WebhookVerifier::new(SecretString::from(DEFAULT_API_SECRET));
    let deliveries = got.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 2);
    for (headers, body) in &deliveries {
        let webhook = verifier.verify(headers, body).unwrap();
        assert_eq!(webhook.headers.shop.as_str(), DEFAULT_SHOP);
        assert!(webhook.headers.event_id.is_some() && webhook.headers.triggered_at.is_some());
        match webhook.payload().unwrap() {
            WebhookPayload::OrdersCreate(o) | WebhookPayload::OrdersPaid(o) => {
                assert_eq!(o.admin_graphql_api_id, order.id);
                assert_eq!(o.total_price, order.total);
                assert_eq!(o.weight_grams(), 2 * 450 + 650);
                assert_eq!(
                    o.shipping_address
                        .as_ref()
                        .unwrap()
                        .province_code
                        .as_deref(),
                    Some("B")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(String::from_utf8_lossy(body).contains(r"gid:\/\/shopify\/Order\/"));
    }
    // Another app's secret does not verify.
    let (headers, body) = &deliveries[0];
    let wrong = WebhookVerifier::new(SecretString::from("other"));
    assert_eq!(wrong.verify(headers, body).unwrap_err().status(), 401);

    // Subscriptions get the events mutations trigger.
    let admin = admin(&sandbox);
    let topic = flux_shopify::webhooks::WebhookTopic::FulfillmentsCreate;
    let sub = admin
        .create_webhook_subscription(&topic, &url, &[])
        .await
        .unwrap();
    assert!(matches!(
        admin.create_webhook_subscription(&topic, &url, &[]).await,
        Err(ShopifyError::UserErrors { .. })
    ));
    let fos = admin.fulfillment_orders(&order.id).await.unwrap();
    admin
        .create_fulfillment(
            &FulfillmentInput::new(vec![FulfillmentOrderLineItemsInput::whole(
                fos[0].id.clone(),
            )])
            .with_tracking(TrackingInfo::new("Cargus", "1112223334")),
            None,
        )
        .await
        .unwrap();
    let mut waited = 0;
    while got.lock().unwrap().len() < 3 && waited < 50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    let (headers, body) = got.lock().unwrap()[2].clone();
    let webhook = verifier.verify(&headers, &body).unwrap();
    match webhook.payload().unwrap() {
        WebhookPayload::FulfillmentsCreate(f) => {
            assert_eq!(f.tracking_number.as_deref(), Some("1112223334"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        admin.delete_webhook_subscription(&sub.id).await.unwrap(),
        sub.id
    );
    assert!(sim.webhook_subscriptions(DEFAULT_SHOP).is_empty());
    sandbox.stop().await;
}

#[tokio::test]
async fn a_lost_answer_after_the_fulfillment_happened() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let sim = sandbox.sims().shopify.clone();
    let order = sim.create_order(DEFAULT_SHOP, &bucharest_cod()).unwrap();
    let app = ShopifyApp::builder(DEFAULT_API_KEY, SecretString::from(DEFAULT_API_SECRET))
        .endpoint_override(sandbox.base_url(Provider::Shopify))
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let admin = app
        .admin_client(
            &shop(),
            AccessToken::new(SecretString::from(DEFAULT_ACCESS_TOKEN)),
        )
        .unwrap();
    let fos = admin.fulfillment_orders(&order.id).await.unwrap();
    sandbox.shared().faults.set(
        "shopify",
        FaultPlan {
            drop_after_effect_per_mille: 1000,
            hang: Duration::from_secs(2),
            ..FaultPlan::default()
        },
    );
    let input = FulfillmentInput::new(vec![FulfillmentOrderLineItemsInput::whole(
        fos[0].id.clone(),
    )])
    .with_tracking(TrackingInfo::new("GLS", "6012345678"));
    let err = admin.create_fulfillment(&input, None).await.unwrap_err();
    assert!(
        matches!(&err, ShopifyError::Http(e) if e.is_timeout()),
        "{err:?}"
    );
    sandbox.shared().faults.clear("shopify");
    // The effect happened: the fulfillment exists, and a blind retry is refused.
    assert_eq!(sim.fulfillments(DEFAULT_SHOP).len(), 1);
    assert_eq!(
        sim.order(DEFAULT_SHOP, &order.id)
            .unwrap()
            .fulfillment_status,
        "FULFILLED"
    );
    assert!(matches!(
        admin.create_fulfillment(&input, None).await,
        Err(ShopifyError::UserErrors { .. })
    ));
    sandbox.stop().await;
}
