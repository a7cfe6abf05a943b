//! FluxSales operations through the HTTP API against wiremock: B2B invoices (the CIF's
//! check digit, a bad CIF refused with the field), storno on `orders/cancelled`,
//! batches with per-order failures, single and merged labels, AWB cancel and re-create,
//! the tracking job (events stored, fulfillment events mirrored, a delivered COD order
//! marked paid), and SmartBill's uncertain create parked instead of repeated.

use std::time::Duration;

use flux_orchestrator::entity::effect;
use flux_orchestrator::sales::entity::{invoice, shipment};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{TestDb, backends, eventually};
use crate::sales_support::{
    Api, GQL, fixture, mount_basics, mount_cargus_awbs, order_body, sales_app,
};

const S: &str = "ops-shop.myshopify.com";

fn count(requests: &[Request], verb: &str, p: &str, contains: Option<&str>) -> usize {
    requests
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path().starts_with(p))
        .filter(|r| contains.is_none_or(|c| String::from_utf8_lossy(&r.body).contains(c)))
        .count()
}

async fn requests(mock: &MockServer) -> Vec<Request> {
    mock.received_requests().await.unwrap()
}

fn id_of(orders: &[Value], name: &str) -> String {
    orders
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no order {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn b2b_invoice_checks_the_cif_and_a_cancelled_order_is_reversed_once() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oblio/api/docs/invoice"))
            .and(body_string_contains("referenceDocument"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("oblio/create_storno.json"), "application/json"),
            )
            .with_priority(1)
            .mount(&mock)
            .await;
        mount_basics(&mock).await;
        mount_cargus_awbs(&mock, 1_064_985_700).await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        let state = app.state().clone();
        api.install_and_configure(S).await;

        let company = |n: u64, cif: &str| {
            let mut b = order_body(n, 900 + n, "paid", 0);
            b["billing_address"]["company"] = json!("Client Firma SRL");
            b["note_attributes"] = json!([{"name": "CIF", "value": cif}]);
            b
        };
        assert_eq!(
            api.webhook(S, "orders/create", "b2b-1", &company(1, "RO14399840"))
                .await,
            200
        );
        assert_eq!(
            api.webhook(S, "orders/create", "b2b-2", &company(2, "RO14399841"))
                .await,
            200
        );
        let orders = api.orders(S, 2).await;
        let (good, bad) = (id_of(&orders, "#1001"), id_of(&orders, "#1002"));

        // A CIF whose check digit is wrong: 422 with the field, no invoicing call.
        let (s, v) = api
            .call(S, "POST", &format!("/sales/v1/orders/{bad}/invoice"), None)
            .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("cif")), "{v}");

        let (s, _) = api
            .call(S, "POST", &format!("/sales/v1/orders/{good}/invoice"), None)
            .await;
        assert_eq!(s, 202);
        let view = api
            .until(S, &format!("/sales/v1/orders/{good}"), |v| {
                v["invoice"].is_string()
            })
            .await;
        assert_eq!(view["invoice"], "FCT 0053");
        assert!(
            view["invoice_link"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        let reqs = requests(&mock).await;
        let sent: Vec<String> = reqs
            .iter()
            .filter(|r| r.url.path() == "/oblio/api/docs/invoice")
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect();
        assert_eq!(sent.len(), 1, "only the valid B2B order was invoiced");
        assert!(
            sent[0].contains("14399840"),
            "the client's CIF: {}",
            sent[0]
        );
        assert!(sent[0].contains("Client Firma SRL"));
        assert!(sent[0].contains("Curier"), "shipping is a line");

        // orders/cancelled (delivered twice): one storno, the invoice marked reversed.
        let mut cancelled = company(1, "RO14399840");
        cancelled["cancelled_at"] = json!("2026-11-20T11:00:00+02:00");
        cancelled["updated_at"] = json!("2026-11-20T11:00:00+02:00");
        for id in ["b2b-cancel-1", "b2b-cancel-2"] {
            assert_eq!(
                api.webhook(S, "orders/cancelled", id, &cancelled).await,
                200
            );
        }
        let reversed = eventually(Duration::from_secs(30), || {
            let state = state.clone();
            async move {
                invoice::Entity::find()
                    .filter(invoice::Column::Kind.eq("storno"))
                    .all(&state.db)
                    .await
                    .unwrap()
                    .len()
                    == 1
            }
        })
        .await;
        assert!(reversed);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let invs = invoice::Entity::find().all(&state.db).await.unwrap();
        let original = invs.iter().find(|i| i.kind == "invoice").unwrap();
        assert_eq!(original.status, "reversed");
        let storno = invs.iter().find(|i| i.kind == "storno").unwrap();
        assert_eq!(storno.number, "0569");
        let reqs = requests(&mock).await;
        assert_eq!(
            count(
                &reqs,
                "POST",
                "/oblio/api/docs/invoice",
                Some("referenceDocument")
            ),
            1,
            "exactly one storno"
        );
        let (_, v) = api
            .call(S, "GET", &format!("/sales/v1/orders/{good}"), None)
            .await;
        assert_eq!(v["status"], "cancelled");
        let (s, _) = api
            .call(S, "POST", &format!("/sales/v1/orders/{good}/invoice"), None)
            .await;
        assert_eq!(s, 409, "a cancelled order is not invoiced again");
        app.stop().await;
    }
}

/// A one-page PDF reading `text`.
fn one_page_pdf(text: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier" },
    );
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 24.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        "MediaBox" => vec![0.into(), 0.into(), 283.into(), 397.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut buf = Vec::new();
    doc.save_to(&mut buf).unwrap();
    buf
}

async fn mount_cargus_extras(mock: &MockServer) {
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD.encode(one_page_pdf("AWB LABEL"));
    Mock::given(method("GET"))
        .and(path("/cargus/AwbDocuments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(pdf)))
        .mount(mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/cargus/Awbs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(true)))
        .mount(mock)
        .await;
    // Every AWB asked about is delivered (picked up, out for delivery, delivered).
    Mock::given(method("GET"))
        .and(path("/cargus/AwbTrace"))
        .respond_with(|r: &Request| {
            let codes: Vec<String> = r
                .url
                .query_pairs()
                .find(|(k, _)| k == "barCode")
                .and_then(|(_, v)| serde_json::from_str(&v).ok())
                .unwrap_or_default();
            let mut template: Vec<Value> =
                serde_json::from_str(&fixture("cargus/awb_trace.json")).unwrap();
            let first = template.remove(0);
            let traces: Vec<Value> = codes
                .iter()
                .map(|c| {
                    let mut t = first.clone();
                    t["Code"] = json!(c);
                    t
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(traces)
        })
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("fulfillmentEventCreate"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/fulfillment_event.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("fulfillmentTrackingInfoUpdate"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/tracking_update.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(GQL))
        .and(body_string_contains("orderMarkAsPaid"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("shopify/graphql/mark_as_paid.json"),
            "application/json",
        ))
        .mount(mock)
        .await;
}

#[tokio::test]
async fn batches_labels_cancel_and_tracking() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        mount_cargus_awbs(&mock, 1_064_985_800).await;
        mount_cargus_extras(&mock).await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        let state = app.state().clone();
        api.install_and_configure(S).await;
        let (s, v) = api
            .call(
                S,
                "PUT",
                "/sales/v1/settings",
                Some(json!({
                    "senders": [{"name": "Magazin SRL", "phone": "0740000000", "street": "Str. Fabricii 1",
                        "locality": "Cluj-Napoca", "county": "Cluj", "postal_code": "400620"}],
                    "automation": {"mark_cod_paid": true},
                })),
            )
            .await;
        assert_eq!(s, 200, "{v}");

        // #1001 cash on delivery, #1002 prepaid, #1003 without an address, #1004 cancelled.
        let mut cod = order_body(1, 901, "pending", 0);
        cod["payment_gateway_names"] = json!(["Cash on Delivery (COD)"]);
        let mut no_address = order_body(3, 903, "paid", 0);
        no_address
            .as_object_mut()
            .unwrap()
            .remove("shipping_address");
        let mut cancelled = order_body(4, 904, "paid", 0);
        cancelled["cancelled_at"] = json!("2026-11-20T10:30:00+02:00");
        for (i, body) in [cod, order_body(2, 902, "paid", 0), no_address, cancelled]
            .iter()
            .enumerate()
        {
            let s = api
                .webhook(S, "orders/create", &format!("ops-{i}"), body)
                .await;
            assert_eq!(s, 200);
        }
        let orders = api.orders(S, 4).await;
        let ids: Vec<String> = ["#1001", "#1002", "#1003", "#1004"]
            .iter()
            .map(|n| id_of(&orders, n))
            .collect();

        // A batch over all four: progress, then two AWBs and two failures with reasons.
        let (s, b) = api
            .call(
                S,
                "POST",
                "/sales/v1/batches",
                Some(json!({ "order_ids": ids })),
            )
            .await;
        assert_eq!(s, 202, "{b}");
        assert_eq!(b["total"], 4);
        let batch = b["id"].as_str().unwrap().to_owned();
        let done = api
            .until(S, &format!("/sales/v1/batches/{batch}"), |v| {
                v["pending"] == 0
            })
            .await;
        assert_eq!(
            (done["succeeded"].as_u64(), done["failed"].as_u64()),
            (Some(2), Some(2))
        );
        let item = |id: &str| {
            done["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["order_id"] == id)
                .unwrap()
                .clone()
        };
        assert!(
            item(&ids[2])["error"]
                .as_str()
                .unwrap()
                .contains("shipping address"),
            "{done}"
        );
        assert!(
            item(&ids[3])["error"]
                .as_str()
                .unwrap()
                .contains("cancelled")
        );
        assert!(item(&ids[0])["awb"].is_string() && item(&ids[1])["awb"].is_string());
        let reqs = requests(&mock).await;
        assert_eq!(count(&reqs, "POST", "/cargus/Awbs", None), 2);
        assert_eq!(
            count(&reqs, "POST", "/cargus/Awbs", Some("134.9")),
            1,
            "COD for the outstanding amount of the COD order only"
        );
        let (_, failed) = api
            .call(S, "GET", &format!("/sales/v1/orders/{}", ids[2]), None)
            .await;
        assert_eq!(failed["status"], "needs_attention");
        let (_, attention) = api
            .call(S, "GET", "/sales/v1/orders?status=needs_attention", None)
            .await;
        assert_eq!(attention.as_array().unwrap().len(), 1);

        // Labels: one order's, and the batch's merged into one PDF of two pages.
        let (s, bytes, ct) = api
            .bytes(S, &format!("/sales/v1/orders/{}/label", ids[0]))
            .await;
        assert_eq!((s, ct.as_str()), (200, "application/pdf"));
        assert!(bytes.starts_with(b"%PDF"));
        let (s, merged, ct) = api
            .bytes(S, &format!("/sales/v1/batches/{batch}/labels"))
            .await;
        assert_eq!((s, ct.as_str()), (200, "application/pdf"));
        let doc = Document::load_mem(&merged).unwrap();
        assert_eq!(doc.get_pages().len(), 2, "one page per AWB");

        // Cancel #1002's AWB at the courier (after its Shopify fulfillment); a new one
        // may then be created, and the fulfillment moves to it.
        let fulfilled = eventually(Duration::from_secs(60), || {
            let state = state.clone();
            async move {
                let ships = shipment::Entity::find().all(&state.db).await.unwrap();
                ships.len() == 2 && ships.iter().all(|s| s.fulfillment_id.is_some())
            }
        })
        .await;
        assert!(fulfilled);
        let old_fulfillment = shipment::Entity::find()
            .filter(shipment::Column::OrderId.eq(ids[1].parse::<uuid::Uuid>().unwrap()))
            .one(&state.db)
            .await
            .unwrap()
            .unwrap()
            .fulfillment_id;
        let old_awb = item(&ids[1])["awb"].as_str().unwrap().to_owned();
        let (s, v) = api
            .call(
                S,
                "POST",
                &format!("/sales/v1/orders/{}/awb/cancel", ids[1]),
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["awb"], Value::Null);
        assert_eq!(v["status"], "needs_awb");
        let reqs = requests(&mock).await;
        let deleted: Vec<_> = reqs
            .iter()
            .filter(|r| r.method.as_str() == "DELETE" && r.url.path() == "/cargus/Awbs")
            .collect();
        assert_eq!(deleted.len(), 1);
        assert!(deleted[0].url.query().unwrap().contains(&old_awb));
        let (s, _) = api
            .call(S, "POST", &format!("/sales/v1/orders/{}/awb", ids[1]), None)
            .await;
        assert_eq!(s, 202);
        let renewed = api
            .until(S, &format!("/sales/v1/orders/{}", ids[1]), |v| {
                v["awb"].is_string()
            })
            .await;
        assert_ne!(renewed["awb"].as_str(), Some(old_awb.as_str()));
        let (s, _) = api
            .call(
                S,
                "POST",
                &format!("/sales/v1/orders/{}/awb/cancel", ids[2]),
                None,
            )
            .await;
        assert_eq!(s, 404, "no AWB to cancel");

        // Tracking, once every AWB has its fulfillment: events stored, each delivery
        // mirrored into Shopify once, the COD order marked paid once.
        let fulfilled = eventually(Duration::from_secs(60), || {
            let state = state.clone();
            async move {
                let ships = shipment::Entity::find()
                    .filter(shipment::Column::Status.eq("active"))
                    .all(&state.db)
                    .await
                    .unwrap();
                ships.len() == 2 && ships.iter().all(|s| s.fulfillment_id.is_some())
            }
        })
        .await;
        assert!(fulfilled);
        let renewed_ship = shipment::Entity::find()
            .filter(shipment::Column::OrderId.eq(ids[1].parse::<uuid::Uuid>().unwrap()))
            .filter(shipment::Column::Status.eq("active"))
            .one(&state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(renewed_ship.fulfillment_id, old_fulfillment);
        let reqs = requests(&mock).await;
        assert_eq!(count(&reqs, "POST", GQL, Some("fulfillmentCreate")), 2);
        assert_eq!(
            count(&reqs, "POST", GQL, Some("fulfillmentTrackingInfoUpdate")),
            1
        );
        assert_eq!(
            count(&reqs, "POST", GQL, Some(renewed["awb"].as_str().unwrap())),
            1,
            "the new AWB went to Shopify once"
        );
        flux_orchestrator::sales::tracking::run(&state)
            .await
            .unwrap();
        flux_orchestrator::sales::tracking::run(&state)
            .await
            .unwrap();
        let ships = shipment::Entity::find()
            .filter(shipment::Column::Status.eq("active"))
            .all(&state.db)
            .await
            .unwrap();
        for s in &ships {
            assert_eq!(s.tracking_status, "delivered");
            assert_eq!(s.events.as_array().unwrap().len(), 3);
            assert!(s.delivered_at.is_some());
        }
        let cod_ship = ships.iter().find(|s| s.cod_amount.is_some()).unwrap();
        assert!(cod_ship.cod_paid);
        let reqs = requests(&mock).await;
        assert_eq!(
            count(&reqs, "POST", GQL, Some("fulfillmentEventCreate")),
            2,
            "one delivered event per fulfillment"
        );
        assert_eq!(count(&reqs, "POST", GQL, Some("DELIVERED")), 2);
        assert_eq!(count(&reqs, "POST", GQL, Some("orderMarkAsPaid")), 1);
        let (_, v) = api
            .call(S, "GET", &format!("/sales/v1/orders/{}", ids[0]), None)
            .await;
        assert_eq!(v["status"], "delivered");
        let (_, stats) = api
            .call(
                S,
                "GET",
                "/sales/v1/analytics?from=2026-01-01&to=2026-12-31",
                None,
            )
            .await;
        assert_eq!(stats["couriers"]["cargus"]["delivered"], 2);
        app.stop().await;
    }
}

#[tokio::test]
async fn smartbill_uncertain_create_is_parked_never_repeated() {
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
        Mock::given(method("POST"))
            .and(path_regex("^/smartbill/invoice"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&mock)
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
        assert_eq!(
            api.webhook(S, "orders/create", "sb-1", &order_body(1, 901, "paid", 0))
                .await,
            200
        );
        let order = id_of(&api.orders(S, 1).await, "#1001");
        let (s, _) = api
            .call(
                S,
                "POST",
                &format!("/sales/v1/orders/{order}/invoice"),
                None,
            )
            .await;
        assert_eq!(s, 202);
        // The first answer is a 500 (the invoice may exist); the retry cannot search
        // SmartBill, so the effect is parked and the order asks for attention.
        let v = api
            .until(S, &format!("/sales/v1/orders/{order}"), |v| {
                v["status"] == "needs_attention"
                    && v["failure_reason"]
                        .as_str()
                        .is_some_and(|r| r.contains("parked"))
            })
            .await;
        assert_eq!(v["invoice"], Value::Null);
        let parked = effect::Entity::find()
            .filter(effect::Column::Kind.eq("invoice"))
            .all(&state.db)
            .await
            .unwrap();
        assert_eq!(parked.len(), 1);
        assert_eq!(parked[0].state, "parked");
        // Asking again does not send a second invoice.
        let (s, _) = api
            .call(
                S,
                "POST",
                &format!("/sales/v1/orders/{order}/invoice"),
                None,
            )
            .await;
        assert_eq!(s, 202);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let reqs = requests(&mock).await;
        assert_eq!(count(&reqs, "POST", "/smartbill/invoice", None), 1);
        assert!(
            invoice::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .is_empty()
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn invoice_email_follows_the_setting() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        let (s, _) = api.call(S, "POST", "/sales/v1/session", None).await;
        assert_eq!(s, 200);
        let connect = |send_email: bool| {
            json!({"provider": "oblio", "username": "a@b.ro", "api_secret": "oblio-secret-123456",
                "company_cif": "RO37311090", "series": "FCT", "send_email": send_email})
        };
        let (s, v) = api
            .call(S, "PUT", "/sales/v1/invoicing", Some(connect(true)))
            .await;
        assert_eq!((s, v["send_email"].as_bool()), (200, Some(true)), "{v}");
        let mut no_email = order_body(2, 902, "paid", 0);
        no_email["email"] = Value::Null;
        no_email["customer"]["email"] = Value::Null;
        for (id, body) in [
            ("em-1", order_body(1, 901, "paid", 0)),
            ("em-2", no_email),
            ("em-3", order_body(3, 903, "paid", 0)),
        ] {
            assert_eq!(api.webhook(S, "orders/create", id, &body).await, 200);
        }
        let orders = api.orders(S, 3).await;
        let flags = |reqs: &[Request]| -> Vec<Value> {
            reqs.iter()
                .filter(|r| r.url.path() == "/oblio/api/docs/invoice")
                .map(|r| {
                    let b: Value = serde_json::from_slice(&r.body).unwrap();
                    b.get("sendEmail").cloned().unwrap_or(Value::Null)
                })
                .collect()
        };
        let truthy = |v: &Value| v == &json!(1) || v == &json!(true);
        for name in ["#1001", "#1002"] {
            let id = id_of(&orders, name);
            let (s, _) = api
                .call(S, "POST", &format!("/sales/v1/orders/{id}/invoice"), None)
                .await;
            assert_eq!(s, 202);
            api.until(S, &format!("/sales/v1/orders/{id}"), |v| {
                v["invoice"].is_string()
            })
            .await;
        }
        let sent = flags(&requests(&mock).await);
        assert_eq!(sent.len(), 2);
        assert!(truthy(&sent[0]), "emailed to the customer: {sent:?}");
        assert!(!truthy(&sent[1]), "no address, no email: {sent:?}");
        // Switched off: the next invoice is not emailed.
        let (s, _) = api
            .call(S, "PUT", "/sales/v1/invoicing", Some(connect(false)))
            .await;
        assert_eq!(s, 200);
        let id = id_of(&orders, "#1003");
        let (s, _) = api
            .call(S, "POST", &format!("/sales/v1/orders/{id}/invoice"), None)
            .await;
        assert_eq!(s, 202);
        api.until(S, &format!("/sales/v1/orders/{id}"), |v| {
            v["invoice"].is_string()
        })
        .await;
        let sent = flags(&requests(&mock).await);
        assert_eq!(sent.len(), 3);
        assert!(!truthy(&sent[2]), "{sent:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn cod_settlements_are_reconciled_per_order() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        mount_cargus_awbs(&mock, 1_064_985_512).await;
        // Cargus' cash account: the COD of the first AWB paid in full, the second short,
        // and an AWB FluxSales never created.
        Mock::given(method("GET"))
            .and(path("/cargus/CashAccount/GetByDate"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"Date": "2026-11-20T10:12:44", "BarCode": "1064985512", "CustomString": "#1001",
                 "RepaymentDate": "2026-11-21T12:30:05", "RepaymentId": 88112, "RepaymentValue": 134.9,
                 "DeductionDate": "2026-11-22T00:00:00", "DeductionId": 5521},
                {"Date": "2026-11-20T10:13:00", "BarCode": "1064985513", "CustomString": "#1002",
                 "RepaymentDate": "2026-11-21T12:31:00", "RepaymentId": 88113, "RepaymentValue": 100.0,
                 "DeductionDate": "2026-11-22T00:00:00", "DeductionId": 5522},
                {"Date": "2026-11-19T16:02:10", "BarCode": "1064985499", "CustomString": "",
                 "RepaymentDate": "2026-11-20T11:00:00", "RepaymentId": 88100, "RepaymentValue": 89.5,
                 "DeductionDate": null, "DeductionId": null}
            ])))
            .mount(&mock)
            .await;
        let app = sales_app(&db, &mock).await;
        let api = Api::new(&app);
        api.install_and_configure(S).await;
        let mut ids = Vec::new();
        for n in 1..=2u64 {
            let mut cod = order_body(n, 900 + n, "pending", 0);
            cod["payment_gateway_names"] = json!(["Cash on Delivery (COD)"]);
            assert_eq!(
                api.webhook(S, "orders/create", &format!("cod-{n}"), &cod)
                    .await,
                200
            );
            let id = id_of(&api.orders(S, n as usize).await, &format!("#100{n}"));
            let (s, _) = api
                .call(S, "POST", &format!("/sales/v1/orders/{id}/awb"), None)
                .await;
            assert_eq!(s, 202);
            let v = api
                .until(S, &format!("/sales/v1/orders/{id}"), |v| {
                    v["awb"].is_string()
                })
                .await;
            assert_eq!(v["awb"], format!("106498551{}", n + 1));
            ids.push(id);
        }
        let (s, v) = api
            .call(
                S,
                "POST",
                "/sales/v1/cod-settlements/reconcile",
                Some(json!({"from": "2026-12-01", "to": "2026-11-01"})),
            )
            .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("to")), "{v}");
        let period = json!({"from": "2026-11-01", "to": "2026-11-30"});
        let (s, summary) = api
            .call(
                S,
                "POST",
                "/sales/v1/cod-settlements/reconcile",
                Some(period.clone()),
            )
            .await;
        assert_eq!(s, 200, "{summary}");
        // (The recurring reconciliation may have stored some of them already.)
        assert_eq!(
            (
                &summary["reported"],
                &summary["matched"],
                &summary["mismatched"],
                &summary["unknown"]
            ),
            (&json!(3), &json!(1), &json!(1), &json!(1)),
            "{summary}"
        );
        let (_, all) = api.call(S, "GET", "/sales/v1/cod-settlements", None).await;
        assert_eq!(
            all.as_array().unwrap().len(),
            3,
            "one row per reported payment"
        );
        // The same report again stores nothing new.
        let (_, again) = api
            .call(
                S,
                "POST",
                "/sales/v1/cod-settlements/reconcile",
                Some(period),
            )
            .await;
        assert_eq!(again["new"], 0);
        let (_, first) = api
            .call(
                S,
                "GET",
                &format!("/sales/v1/cod-settlements?order_id={}", ids[0]),
                None,
            )
            .await;
        assert_eq!(first.as_array().unwrap().len(), 1);
        assert_eq!(first[0]["status"], "matched");
        assert_eq!(first[0]["payment_reference"], "5521");
        let (_, short) = api
            .call(S, "GET", "/sales/v1/cod-settlements?status=mismatch", None)
            .await;
        assert_eq!(short.as_array().unwrap().len(), 1);
        assert_eq!(short[0]["order_id"].as_str(), Some(ids[1].as_str()));
        assert_eq!(
            (short[0]["amount"].as_str(), short[0]["expected"].as_str()),
            (Some("100.0"), Some("134.90"))
        );
        let (_, unknown) = api
            .call(
                S,
                "GET",
                "/sales/v1/cod-settlements?status=unknown_awb",
                None,
            )
            .await;
        assert_eq!(unknown[0]["awb"], "1064985499");
        app.stop().await;
    }
}
