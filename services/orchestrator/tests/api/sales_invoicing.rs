//! FluxSales invoicing, inventory and analytics through the HTTP API against wiremock:
//! a storno numbered in the connection's storno series (Oblio), in the invoice's series
//! without one, and in the invoice's series on SmartBill whatever is set (its reverse
//! call cannot take another); Oblio's stock pushed to Shopify once, with an idempotency
//! key; and the analytics of a seeded month with exact figures, a second shop's records
//! left out.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use flux_orchestrator::sales::entity::{cod_settlement, invoice, shipment, shop};
use flux_orchestrator::startup::RunningApplication;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{TestDb, backends, eventually};
use crate::sales_support::{Api, fixture, mount_basics, mount_inventory, order_body, sales_app};

fn id_of(orders: &[Value], name: &str) -> String {
    orders
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no order {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn bodies(reqs: &[Request], p: &str, contains: &str) -> Vec<Value> {
    reqs.iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == p)
        .filter(|r| String::from_utf8_lossy(&r.body).contains(contains))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// Invoices order `n` of `shop` through the API, cancels it with `orders/cancelled`,
/// and returns the stored storno once the job issued it.
async fn invoice_then_cancel(
    api: &Api,
    app: &RunningApplication,
    shop: &str,
    n: u64,
) -> invoice::Model {
    let body = order_body(n, 700 + n, "paid", 0);
    assert_eq!(
        api.webhook(shop, "orders/create", &format!("create-{shop}-{n}"), &body)
            .await,
        200
    );
    let name = format!("#10{n:02}");
    let orders = api.orders(shop, 1).await;
    let id = id_of(&orders, &name);
    let (s, v) = api
        .call(
            shop,
            "POST",
            &format!("/sales/v1/orders/{id}/invoice"),
            None,
        )
        .await;
    assert_eq!(s, 202, "{v}");
    api.until(shop, &format!("/sales/v1/orders/{id}"), |v| {
        v["invoice"].is_string()
    })
    .await;
    let mut cancelled = body.clone();
    cancelled["cancelled_at"] = json!("2026-11-20T11:00:00+02:00");
    cancelled["updated_at"] = json!("2026-11-20T11:00:00+02:00");
    assert_eq!(
        api.webhook(
            shop,
            "orders/cancelled",
            &format!("cancel-{shop}-{n}"),
            &cancelled
        )
        .await,
        200
    );
    let order_id = Uuid::parse_str(&id).unwrap();
    let state = app.state().clone();
    let found = eventually(Duration::from_secs(30), || {
        let state = state.clone();
        async move {
            invoice::Entity::find()
                .filter(invoice::Column::OrderId.eq(order_id))
                .filter(invoice::Column::Kind.eq("storno"))
                .one(&state.db)
                .await
                .unwrap()
                .is_some()
        }
    })
    .await;
    assert!(found, "{shop}: the storno was never issued");
    let (_, v) = api
        .call(shop, "GET", &format!("/sales/v1/orders/{id}"), None)
        .await;
    assert_eq!(v["status"], "cancelled");
    let rows = invoice::Entity::find()
        .filter(invoice::Column::OrderId.eq(order_id))
        .all(&state.db)
        .await
        .unwrap();
    let original = rows.iter().find(|i| i.kind == "invoice").unwrap();
    assert_eq!(original.status, "reversed");
    rows.into_iter().find(|i| i.kind == "storno").unwrap()
}

#[tokio::test]
async fn a_storno_lands_in_the_storno_series_when_set_and_the_invoice_series_otherwise() {
    const A: &str = "storno-series.myshopify.com";
    const B: &str = "no-storno-series.myshopify.com";
    const C: &str = "smartbill-storno.myshopify.com";
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        // Oblio numbers a storno in the series the request names.
        Mock::given(method("POST"))
            .and(path("/oblio/api/docs/invoice"))
            .and(body_string_contains("referenceDocument"))
            .respond_with(|r: &Request| {
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                ResponseTemplate::new(200).set_body_json(
                    json!({"status": 200, "statusMessage": "Success",
                    "data": {"seriesName": body["seriesName"], "number": "0007",
                        "link": "https://www.oblio.eu/utils/show_file/?ic=1&id=2&it=3"}}),
                )
            })
            .with_priority(1)
            .mount(&mock)
            .await;
        mount_basics(&mock).await;
        Mock::given(method("GET"))
            .and(path("/smartbill/series"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("smartbill/series.json"), "application/json"),
            )
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/smartbill/invoice/v2"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                fixture("smartbill/invoice_v2_created.json"),
                "application/json",
            ))
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/smartbill/invoice/reverse"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "errorText": "", "message": "", "number": "0025", "series": "FCT", "url": "",
                "documentUrl": "https://cloud.smartbill.ro/documente/editare/factura/274121/",
                "documentId": 274121,
                "documentViewUrl": "https://cloud.smartbill.ro/documente/extern/pf/factura/c56f88d2e3?srvid=1"})))
            .mount(&mock)
            .await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);

        // A: Oblio with a storno series.
        api.install_and_configure(A).await;
        let (s, v) = api
            .call(
                A,
                "PUT",
                "/sales/v1/invoicing",
                Some(json!({"provider": "oblio", "username": "a@b.ro", "api_secret": "oblio-secret-123456",
                    "company_cif": "RO37311090", "series": "FCT", "storno_series": "STO"})),
            )
            .await;
        assert_eq!((s, v["storno_series"].as_str()), (200, Some("STO")), "{v}");
        let storno = invoice_then_cancel(&api, &app, A, 1).await;
        assert_eq!(
            (storno.series.as_str(), storno.number.as_str()),
            ("STO", "0007")
        );
        let sent = bodies(
            &mock.received_requests().await.unwrap(),
            "/oblio/api/docs/invoice",
            "referenceDocument",
        );
        assert_eq!(sent.len(), 1, "one storno: {sent:?}");
        assert_eq!(
            sent[0]["seriesName"], "STO",
            "numbered in the storno series"
        );
        assert_eq!(
            sent[0]["referenceDocument"],
            json!({"type": "Factura", "seriesName": "FCT", "number": 53}),
            "reversing the invoice in its own series"
        );

        // B: Oblio without a storno series: the invoice's series.
        api.install_and_configure(B).await;
        let storno = invoice_then_cancel(&api, &app, B, 2).await;
        assert_eq!(
            (storno.series.as_str(), storno.number.as_str()),
            ("FCT", "0007")
        );
        let sent = bodies(
            &mock.received_requests().await.unwrap(),
            "/oblio/api/docs/invoice",
            "referenceDocument",
        );
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[1]["seriesName"], "FCT");
        assert_eq!(sent[1]["referenceDocument"]["seriesName"], "FCT");

        // C: SmartBill with a storno series: its reverse call names only the invoice, and
        // SmartBill numbers the storno in the invoice's series.
        api.install_and_configure(C).await;
        let (s, v) = api
            .call(
                C,
                "PUT",
                "/sales/v1/invoicing",
                Some(json!({"provider": "smartbill", "username": "a@b.ro",
                    "api_secret": "smartbill-token-123456", "company_cif": "RO37311090",
                    "series": "FCT", "storno_series": "STO"})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let storno = invoice_then_cancel(&api, &app, C, 3).await;
        assert_eq!(
            (storno.series.as_str(), storno.number.as_str()),
            ("FCT", "0025")
        );
        let reqs = mock.received_requests().await.unwrap();
        let reversed = bodies(&reqs, "/smartbill/invoice/reverse", "");
        assert_eq!(reversed.len(), 1);
        assert_eq!(
            reversed[0],
            json!({"companyVatCode": "RO37311090", "seriesName": "FCT", "number": "0024",
                "issueDate": reversed[0]["issueDate"]}),
            "only the fields SmartBill's reverse takes"
        );
        assert_eq!(
            bodies(&reqs, "/oblio/api/docs/invoice", "referenceDocument").len(),
            2,
            "the SmartBill shop never reached Oblio"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn stock_from_oblio_is_pushed_to_shopify_once() {
    const S: &str = "oblio-stock.myshopify.com";
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        Mock::given(method("GET"))
            .and(path("/oblio/api/nomenclature/products"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "status": 200, "statusMessage": "Success", "data": [
                    {"name": "Tricou", "code": "TRC-01", "measuringUnit": "buc", "productType": "Marfa",
                     "stock": [
                        {"workStation": "Sediu", "management": "Depozit", "quantity": 10, "price": "59.95", "currency": "RON"},
                        {"workStation": "Sediu", "management": "Magazin", "quantity": "4.00", "price": "59.95", "currency": "RON"}]},
                    {"name": "Cana", "code": "MUG-1", "measuringUnit": "buc", "productType": "Marfa",
                     "stock": [{"workStation": "Sediu", "management": "Depozit", "quantity": 5}]},
                    {"name": "Montare", "code": "SRV-1", "measuringUnit": "buc", "productType": "Serviciu",
                     "price": "119.00", "currency": "RON"},
                    {"name": "Cafea", "code": "CAF-1", "measuringUnit": "kg", "productType": "Marfa",
                     "stock": [{"workStation": "Sediu", "management": "Depozit", "quantity": "2.750"}]},
                    {"name": "Birou", "code": "", "measuringUnit": "buc", "productType": "Marfa",
                     "stock": [{"workStation": "Sediu", "management": "Magazin", "quantity": 2}]}
                ]})))
            .mount(&mock)
            .await;
        mount_inventory(
            &mock,
            &[
                (111, "TRC-01", 18),
                (222, "MUG-1", 5),
                (333, "SRV-1", 7),
                (444, "CAF-1", 3),
                (555, "NOT-IN-OBLIO", 9),
            ],
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
                Some(json!({"provider": "oblio", "username": "a@b.ro", "api_secret": "oblio-secret-123456",
                    "company_cif": "RO37311090", "series": "FCT"})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
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
        let reqs = mock.received_requests().await.unwrap();
        let stock_reads: Vec<&Request> = reqs
            .iter()
            .filter(|r| r.url.path() == "/oblio/api/nomenclature/products")
            .collect();
        // Two runs here, and possibly the scheduled one: every read names the company.
        assert!(stock_reads.len() >= 2, "{}", stock_reads.len());
        for read in &stock_reads {
            assert!(
                read.url
                    .query_pairs()
                    .any(|(k, v)| k == "cif" && v == "RO37311090"),
                "{}",
                read.url
            );
        }
        let sent: Vec<Value> = reqs
            .iter()
            .filter(|r| String::from_utf8_lossy(&r.body).contains("FluxInventorySet"))
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect();
        assert_eq!(sent.len(), 1, "one write, not repeated: {sent:?}");
        assert!(
            sent[0]["query"]
                .as_str()
                .unwrap()
                .contains("@idempotent(key:")
        );
        let input = &sent[0]["variables"]["input"];
        assert_eq!(input["name"], "available");
        assert_eq!(
            input["quantities"],
            json!([{"inventoryItemId": "gid://shopify/InventoryItem/111",
                "locationId": "gid://shopify/Location/777", "quantity": 14, "changeFromQuantity": 18}]),
            "TRC-01 summed over the stock rooms; MUG-1 already right; the service (no stock) \
             and the fractional kilograms left alone; SKUs Oblio does not know untouched"
        );
        app.stop().await;
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => Decimal::from_str(s).unwrap(),
        Value::Number(n) => Decimal::from_str(&n.to_string()).unwrap(),
        other => panic!("not a decimal: {other}"),
    }
}

/// A shipment row as the shipping and tracking jobs leave it: an active AWB of
/// `provider` for `order`, created at `created` (UTC), in tracking state `tracking`.
struct Ship {
    order: Uuid,
    provider: &'static str,
    tracking: &'static str,
    created: &'static str,
    cod: Option<&'static str>,
    delivered: Option<&'static str>,
    events: Value,
    status: &'static str,
}

fn ship(
    order: Uuid,
    provider: &'static str,
    tracking: &'static str,
    created: &'static str,
) -> Ship {
    Ship {
        order,
        provider,
        tracking,
        created,
        cod: None,
        delivered: None,
        events: json!([]),
        status: "active",
    }
}

impl Ship {
    fn cod(mut self, amount: &'static str) -> Self {
        self.cod = Some(amount);
        self
    }

    fn delivered(mut self, at: &'static str) -> Self {
        self.delivered = Some(at);
        self
    }

    fn events(mut self, events: Value) -> Self {
        self.events = events;
        self
    }

    /// The AWB was cancelled (whatever its last tracking state).
    fn cancelled(mut self) -> Self {
        self.status = "cancelled";
        self
    }

    async fn seed(self, app: &RunningApplication, tenant: Uuid) -> Uuid {
        let id = Uuid::now_v7();
        shipment::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant),
            order_id: Set(self.order),
            account_id: Set(None),
            provider: Set(self.provider.into()),
            awb: Set(format!("AWB-{id}")),
            generation: Set(1),
            service: Set(None),
            cod_amount: Set(self.cod.map(Into::into)),
            price: Set(None),
            locker_id: Set(None),
            status: Set(self.status.into()),
            tracking_status: Set(self.tracking.into()),
            events: Set(self.events),
            fulfillment_id: Set(None),
            cod_paid: Set(false),
            delivered_at: Set(self.delivered.map(at)),
            cancelled_at: Set(None),
            last_tracked_at: Set(None),
            created_at: Set(at(self.created)),
            updated_at: Set(at(self.created)),
        }
        .insert(&app.state().db)
        .await
        .unwrap();
        id
    }
}

/// A COD payment a courier reported.
async fn seed_settlement(
    app: &RunningApplication,
    tenant: Uuid,
    shipment: Option<Uuid>,
    amount: &str,
    status: &str,
    created: &str,
) {
    let id = Uuid::now_v7();
    cod_settlement::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant),
        account_id: Set(Uuid::now_v7()),
        shipment_id: Set(shipment),
        order_id: Set(None),
        settlement_key: Set(format!("key-{id}")),
        awb: Set(format!("AWB-{id}")),
        amount: Set(amount.into()),
        expected: Set(None),
        currency: Set("RON".into()),
        paid_on: Set(Some(at(created).date_naive())),
        payment_reference: Set(Some(format!("OP-{id}"))),
        status: Set(status.into()),
        created_at: Set(at(created)),
        updated_at: Set(at(created)),
    }
    .insert(&app.state().db)
    .await
    .unwrap();
}

async fn seed_invoice(
    app: &RunningApplication,
    tenant: Uuid,
    order: Uuid,
    kind: &str,
    status: &str,
    total: Option<&str>,
    created: &str,
) {
    invoice::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant),
        order_id: Set(order),
        provider: Set("oblio".into()),
        kind: Set(kind.into()),
        series: Set("FCT".into()),
        number: Set(rand_number().to_string()),
        link: Set(None),
        status: Set(status.into()),
        total: Set(total.map(Into::into)),
        created_at: Set(at(created)),
        updated_at: Set(at(created)),
    }
    .insert(&app.state().db)
    .await
    .unwrap();
}

fn rand_number() -> u32 {
    (Uuid::new_v4().as_u128() % 10_000) as u32
}

/// Creates the orders of `shop` through `orders/create` (each created at the given
/// time) and returns their ids, in the same order.
async fn seed_orders(api: &Api, shop: &str, first: u64, created: &[&str]) -> Vec<Uuid> {
    let mut names = Vec::new();
    for (i, c) in created.iter().enumerate() {
        let n = first + i as u64;
        let mut body = order_body(n, 800 + n, "pending", 0);
        body["created_at"] = json!(c);
        assert_eq!(
            api.webhook(shop, "orders/create", &format!("seed-{shop}-{n}"), &body)
                .await,
            200
        );
        names.push(format!("#10{n:02}"));
    }
    let orders = api.orders(shop, created.len()).await;
    names
        .iter()
        .map(|name| Uuid::parse_str(&id_of(&orders, name)).unwrap())
        .collect()
}

async fn tenant_of(app: &RunningApplication, domain: &str) -> Uuid {
    shop::Entity::find()
        .filter(shop::Column::ShopDomain.eq(domain))
        .one(&app.state().db)
        .await
        .unwrap()
        .unwrap()
        .tenant_id
}

#[tokio::test]
async fn analytics_of_a_seeded_month_are_exact_and_the_shops_own() {
    const A: &str = "analytics-a.myshopify.com";
    const B: &str = "analytics-b.myshopify.com";
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        for shop in [A, B] {
            let (s, _) = api.call(shop, "POST", "/sales/v1/session", None).await;
            assert_eq!(s, 200);
        }
        let (ta, tb) = (tenant_of(&app, A).await, tenant_of(&app, B).await);

        // November in Bucharest: #1005 placed at 01:30 on the 1st (23:30 UTC on 31
        // October) counts; #1006 placed at 00:30 on 1 December (22:30 UTC on 30
        // November) and #1007 in October do not.
        let o = seed_orders(
            &api,
            A,
            1,
            &[
                "2026-11-05T10:00:00+02:00",
                "2026-11-06T10:00:00+02:00",
                "2026-11-07T10:00:00+02:00",
                "2026-11-08T10:00:00+02:00",
                "2026-11-01T01:30:00+02:00",
                "2026-12-01T00:30:00+02:00",
                "2026-10-20T10:00:00+03:00",
            ],
        )
        .await;
        let refusal = json!([
            {"at": "2026-11-08T10:00:00+02:00", "status": "out_for_delivery", "code": "S1", "description": "In livrare", "location": null},
            {"at": "2026-11-08T12:00:00+02:00", "status": "delivery_failed", "code": "S6", "description": "Refuzat", "location": null},
            {"at": "2026-11-12T09:00:00+02:00", "status": "returned", "code": "S43", "description": "Retur", "location": null}
        ]);
        let absent = json!([
            {"at": "2026-11-02T12:00:00+02:00", "status": "delivery_failed", "code": "S3", "description": "Avizat, destinatar absent", "location": null}
        ]);
        // Cargus: delivered in 1.5 days and settled; delivered in 1.1 days, not settled;
        // refused and returned.
        let s1 = ship(o[0], "cargus", "delivered", "2026-11-05T12:00:00Z")
            .cod("134.90")
            .delivered("2026-11-07T00:00:00Z")
            .seed(&app, ta)
            .await;
        ship(o[1], "cargus", "delivered", "2026-11-06T08:00:00Z")
            .cod("100.00")
            .delivered("2026-11-07T10:24:00Z")
            .seed(&app, ta)
            .await;
        ship(o[2], "cargus", "returned", "2026-11-07T09:00:00Z")
            .cod("50.00")
            .events(refusal)
            .seed(&app, ta)
            .await;
        // FAN Courier: prepaid, delivered in 3.3 days; in transit after a failed attempt
        // (not a refusal); delivered in 26 hours and settled short (35.00 of 40.00); a
        // cancelled AWB, which counts nowhere.
        ship(o[3], "fancourier", "delivered", "2026-11-08T10:00:00Z")
            .delivered("2026-11-11T17:12:00Z")
            .seed(&app, ta)
            .await;
        ship(o[4], "fancourier", "in_transit", "2026-11-01T09:00:00Z")
            .cod("75.50")
            .events(absent)
            .seed(&app, ta)
            .await;
        let s8 = ship(o[3], "fancourier", "delivered", "2026-11-09T10:00:00Z")
            .cod("40.00")
            .delivered("2026-11-10T12:00:00Z")
            .seed(&app, ta)
            .await;
        ship(o[4], "fancourier", "delivered", "2026-11-02T09:00:00Z")
            .cod("75.50")
            .delivered("2026-11-03T09:00:00Z")
            .cancelled()
            .seed(&app, ta)
            .await;
        // October: delivered, COD unsettled, and a settlement for it in November.
        let s7 = ship(o[6], "cargus", "delivered", "2026-10-20T09:00:00Z")
            .cod("999.00")
            .delivered("2026-10-22T09:00:00Z")
            .seed(&app, ta)
            .await;
        for (shipment, amount, status, at) in [
            (Some(s1), "134.90", "matched", "2026-11-10T08:00:00Z"),
            (Some(s8), "35.00", "mismatch", "2026-11-12T08:00:00Z"),
            (Some(s7), "999.00", "matched", "2026-11-03T08:00:00Z"),
            (None, "500.00", "unknown_awb", "2026-11-12T08:00:00Z"),
        ] {
            seed_settlement(&app, ta, shipment, amount, status, at).await;
        }
        // Invoices: one without a stored total (Oblio returns none: the order's 134.90
        // counts), one of 100.00, one reversed with its storno, one in October.
        for (order, kind, status, total, at) in [
            (o[0], "invoice", "issued", None, "2026-11-05T12:00:00Z"),
            (
                o[1],
                "invoice",
                "issued",
                Some("100.00"),
                "2026-11-06T12:00:00Z",
            ),
            (
                o[2],
                "invoice",
                "reversed",
                Some("50.00"),
                "2026-11-07T12:00:00Z",
            ),
            (
                o[2],
                "storno",
                "issued",
                Some("-50.00"),
                "2026-11-12T12:00:00Z",
            ),
            (
                o[6],
                "invoice",
                "issued",
                Some("134.90"),
                "2026-10-20T12:00:00Z",
            ),
        ] {
            seed_invoice(&app, ta, order, kind, status, total, at).await;
        }

        // B, the same month: everything of it stays out of A's figures.
        let ob = seed_orders(
            &api,
            B,
            31,
            &["2026-11-10T10:00:00+02:00", "2026-11-11T10:00:00+02:00"],
        )
        .await;
        let sb = ship(ob[0], "cargus", "delivered", "2026-11-10T10:00:00Z")
            .cod("60.00")
            .delivered("2026-11-12T10:00:00Z")
            .seed(&app, tb)
            .await;
        let refused_b = json!([{"at": "2026-11-12T12:00:00+02:00", "status": "delivery_failed",
            "code": "20", "description": "Refuzat de destinatar", "location": null}]);
        ship(ob[1], "sameday", "returned", "2026-11-11T10:00:00Z")
            .cod("70.00")
            .events(refused_b)
            .seed(&app, tb)
            .await;
        seed_settlement(
            &app,
            tb,
            Some(sb),
            "60.00",
            "matched",
            "2026-11-15T08:00:00Z",
        )
        .await;
        seed_invoice(
            &app,
            tb,
            ob[0],
            "invoice",
            "issued",
            Some("60.00"),
            "2026-11-10T12:00:00Z",
        )
        .await;

        let (s, v) = api
            .call(
                A,
                "GET",
                "/sales/v1/analytics?from=2026-11-01&to=2026-11-30",
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["orders"], 5, "{v}");
        let cargus = &v["couriers"]["cargus"];
        assert_eq!(
            (
                &cargus["awbs"],
                &cargus["delivered"],
                &cargus["returned"],
                &cargus["refused"]
            ),
            (&json!(3), &json!(2), &json!(1), &json!(1)),
            "{v}"
        );
        assert_eq!(
            dec(&cargus["average_days_to_delivery"]),
            Decimal::new(13, 1)
        );
        let fan = &v["couriers"]["fancourier"];
        assert_eq!(
            (
                &fan["awbs"],
                &fan["delivered"],
                &fan["returned"],
                &fan["refused"]
            ),
            (&json!(3), &json!(2), &json!(0), &json!(0)),
            "{v}"
        );
        // (3.3 + 26/24) / 2 = 2.19…
        assert_eq!(dec(&fan["average_days_to_delivery"]), Decimal::new(22, 1));
        assert_eq!(
            v["couriers"].as_object().unwrap().len(),
            2,
            "no courier of B: {v}"
        );
        assert_eq!(dec(&v["delivery_success_rate"]), Decimal::new(800, 1));
        assert_eq!((&v["returns"], &v["refusals"]), (&json!(1), &json!(1)));
        assert_eq!(
            dec(&v["cod_collected"]),
            Decimal::new(16990, 2),
            "134.90 + 35.00"
        );
        assert_eq!(
            dec(&v["cod_pending"]),
            Decimal::new(10000, 2),
            "the unsettled delivery"
        );
        assert_eq!(
            dec(&v["invoiced_total"]),
            Decimal::new(23490, 2),
            "134.90 + 100.00"
        );

        let (s, v) = api
            .call(
                B,
                "GET",
                "/sales/v1/analytics?from=2026-11-01&to=2026-11-30",
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["orders"], 2);
        assert_eq!(v["couriers"]["cargus"]["awbs"], 1);
        assert_eq!(v["couriers"]["sameday"]["refused"], 1);
        assert_eq!(
            dec(&v["couriers"]["cargus"]["average_days_to_delivery"]),
            Decimal::new(20, 1)
        );
        assert_eq!(dec(&v["delivery_success_rate"]), Decimal::new(500, 1));
        assert_eq!((&v["returns"], &v["refusals"]), (&json!(1), &json!(1)));
        assert_eq!(dec(&v["cod_collected"]), Decimal::new(6000, 2));
        assert_eq!(dec(&v["cod_pending"]), Decimal::ZERO);
        assert_eq!(dec(&v["invoiced_total"]), Decimal::new(6000, 2));

        // A period without records: zeros, no rate; a reversed period is refused.
        let (_, v) = api
            .call(
                A,
                "GET",
                "/sales/v1/analytics?from=2026-09-01&to=2026-09-30",
                None,
            )
            .await;
        assert_eq!(
            (&v["orders"], &v["delivery_success_rate"]),
            (&json!(0), &Value::Null)
        );
        assert_eq!(dec(&v["cod_collected"]), Decimal::ZERO);
        let (s, v) = api
            .call(
                A,
                "GET",
                "/sales/v1/analytics?from=2026-11-30&to=2026-11-01",
                None,
            )
            .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("to")), "{v}");
        app.stop().await;
    }
}
