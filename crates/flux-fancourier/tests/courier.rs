//! The `Courier` implementation, exercised through `Arc<dyn Courier>`.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use common::*;
use flux_core::courier::{
    CashOnDelivery, CodCollection, Courier, DateRange, DeliveryTarget, LabelFormat,
    PickupPointKind, PickupPointQuery, PickupRequest, ShipmentId, ShipmentRequest, TrackingStatus,
};
use flux_core::{Address, CountryCode, County, Currency, Money, Parcel};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../fixtures/fancourier/", $name))
    };
}

fn courier(server: &MockServer) -> Arc<dyn Courier> {
    Arc::new(client(server))
}

fn request() -> ShipmentRequest {
    let sender = Address::builder("Ion Popescu", "Sector 3", CountryCode::RO)
        .company("Magazin SRL")
        .street("Str. Fizicienilor")
        .number("12")
        .phone("0720000000")
        .build()
        .unwrap();
    let recipient = Address::builder("Maria Ionescu", "Târgu Frumos", CountryCode::RO)
        .region("Iași")
        .street("Str. Cuza Vodă")
        .number("7A")
        .postal_code("705300")
        .phone("0730000000")
        .email("maria@example.com")
        .build()
        .unwrap();
    let parcel = Parcel::new(dec!(1.5))
        .unwrap()
        .with_dimensions(dec!(30), dec!(20), dec!(10))
        .unwrap();
    ShipmentRequest::new("order-1001", sender, recipient, vec![parcel])
}

#[tokio::test]
async fn create_shipment_with_collector_cod_and_options() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .respond_with(json(fixture!("create_awb_success.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request();
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(199.99), Currency::RON),
        collection: CodCollection::BankTransfer,
    });
    req.declared_value = Some(Money::new(dec!(250), Currency::RON));
    req.options.open_package = true;
    req.options.saturday_delivery = true;
    req.options.epod = true;
    req.options.notes = Some("Sunati inainte".into());

    let created = courier(&server).create_shipment(&req).await.unwrap();
    assert_eq!(created.id.tracking_number, "2332300120218");
    assert_eq!(created.price, Some(Money::new(dec!(30.53), Currency::RON)));
    assert_eq!(created.reference, "order-1001");

    let body = body_of(&server, "/intern-awb").await;
    assert_eq!(body["clientId"], "7032158");
    let s = &body["shipments"][0];
    assert_eq!(s["info"]["service"], "Cont Colector");
    assert_eq!(s["info"]["cod"].to_string(), "199.99");
    assert_eq!(s["info"]["declaredValue"].to_string(), "250");
    assert_eq!(s["info"]["weight"].to_string(), "1.5");
    assert_eq!(s["info"]["options"], serde_json::json!(["A", "S", "X"]));
    assert_eq!(s["info"]["observation"], "Sunati inainte");
    assert_eq!(s["info"]["content"], "order-1001");
    assert_eq!(
        s["info"]["dimensions"],
        serde_json::json!({"length": 30, "height": 10, "width": 20})
    );
    let to = &s["recipient"]["address"];
    assert_eq!(to["county"], "Iasi");
    assert_eq!(to["locality"], "Targu Frumos");
    assert_eq!(to["streetNo"], "7A");
    assert_eq!(to["zipCode"], "705300");
    assert_eq!(s["recipient"]["phone"], "0730000000");
    let from = &s["sender"];
    assert_eq!(from["name"], "Magazin SRL");
    assert_eq!(from["contactPerson"], "Ion Popescu");
    assert_eq!(from["address"]["county"], "Bucuresti");
    assert_eq!(from["address"]["locality"], "Bucuresti");
    assert_eq!(from["address"]["streetNo"], "12");
}

#[tokio::test]
async fn fanbox_delivery_uses_the_points_own_address() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .respond_with(json(fixture!("create_awb_success.json")))
        .mount(&server)
        .await;
    let point = Address::builder("FANbox Kaufland Tulcea", "Tulcea", CountryCode::RO)
        .region("Tulcea")
        .street("Str. Babadag")
        .number("1")
        .build()
        .unwrap();
    let mut req = request();
    req.delivery = DeliveryTarget::PickupPoint {
        id: "F1011137".into(),
        kind: PickupPointKind::Locker,
        address: Some(Box::new(point)),
    };
    courier(&server).create_shipment(&req).await.unwrap();
    let body = body_of(&server, "/intern-awb").await;
    let s = &body["shipments"][0];
    assert_eq!(s["info"]["service"], "FANBox");
    let to = &s["recipient"]["address"];
    assert_eq!(to["pickupLocationId"], "F1011137");
    assert_eq!(to["county"], "Tulcea");
    assert_eq!(to["locality"], "Tulcea");
    assert_eq!(to["street"], "Str. Babadag");
    assert_eq!(to["streetNo"], "1");
    // The shopper stays the recipient.
    assert_eq!(s["recipient"]["name"], "Maria Ionescu");
}

#[tokio::test]
async fn fanbox_delivery_without_the_points_address_is_refused_before_sending() {
    let server = MockServer::start().await;
    let mut req = request();
    req.delivery = DeliveryTarget::PickupPoint {
        id: "F1011137".into(),
        kind: PickupPointKind::Locker,
        address: None,
    };
    let err = courier(&server).create_shipment(&req).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.field_errors()[0].field, "delivery.address");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_rejected_shipment_is_a_validation_error_with_fans_path() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .respond_with(json(fixture!("create_awb_item_error.json")))
        .mount(&server)
        .await;
    let err = courier(&server)
        .create_shipment(&request())
        .await
        .unwrap_err();
    assert!(err.is_validation());
    assert!(!err.maybe_sent());
    assert_eq!(err.field_errors()[0].field, "info.parcels");
}

#[tokio::test]
async fn quote_prices_with_the_tariff() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb/internal-tariff"))
        .respond_with(json(fixture!("tariff.json")))
        .mount(&server)
        .await;
    let quote = courier(&server).quote(&request()).await.unwrap();
    assert_eq!(quote.service, "Standard");
    assert_eq!(quote.total, Money::new(dec!(23.92), Currency::RON));
    assert_eq!(quote.net, Some(Money::new(dec!(20.1), Currency::RON)));
    let q = query_of(&server, "/reports/awb/internal-tariff").await;
    assert!(has(&q, "recipient[county]", "Iasi"));
    assert!(has(&q, "recipient[locality]", "Targu Frumos"));
    assert!(has(&q, "sender[county]", "Bucuresti"));
}

#[tokio::test]
async fn label_a6_is_a_pdf_in_a6() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/awb/label"))
        .and(query_param("pdf", "1"))
        .and(query_param("format", "A6"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture!("label.pdf"), "application/pdf"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let label = courier(&server)
        .label(&ShipmentId::awb("2332300120218"), LabelFormat::PdfA6)
        .await
        .unwrap();
    assert_eq!(label.format, LabelFormat::PdfA6);
    assert!(label.bytes.starts_with(b"%PDF"));
    let err = courier(&server)
        .label(&ShipmentId::awb("2332300120218"), LabelFormat::Pdf10x14)
        .await
        .unwrap_err();
    assert!(err.is_unsupported());
}

#[tokio::test]
async fn track_normalizes_statuses_and_keeps_raw_codes() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb/tracking"))
        .respond_with(json(fixture!("tracking.json")))
        .mount(&server)
        .await;
    let ids = [
        ShipmentId::awb("7000081306984"),
        ShipmentId::awb("2000000000000"),
        ShipmentId::awb("1111111111111"),
    ];
    let results = courier(&server).track(&ids).await.unwrap();
    assert_eq!(results.len(), 3);
    let delivered = &results[0];
    assert!(delivered.found);
    assert_eq!(delivered.status, TrackingStatus::Delivered);
    assert_eq!(delivered.raw_status.as_deref(), Some("S2"));
    let codes: Vec<_> = delivered.events.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["C0", "H0", "C1", "S1", "S2"]);
    assert_eq!(delivered.events[0].status, TrackingStatus::PickedUp);
    assert_eq!(delivered.events[3].status, TrackingStatus::OutForDelivery);
    assert_eq!(delivered.events[4].location.as_deref(), Some("Iasi"));
    assert_eq!(
        delivered.delivered_at.unwrap().to_rfc3339(),
        "2025-08-05T14:00:03+03:00"
    );
    // Registered but not picked up: a result, not an error.
    assert!(!results[1].found);
    assert_eq!(results[1].status, TrackingStatus::Pending);
    // Absent from FAN's answer.
    assert!(!results[2].found);
    assert_eq!(results[2].tracking_number, "1111111111111");
}

#[tokio::test]
async fn an_unknown_event_code_is_kept_with_an_unknown_status() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb/tracking"))
        .respond_with(json(fixture!("tracking_unknown_code.json")))
        .mount(&server)
        .await;
    let results = courier(&server)
        .track(&[ShipmentId::awb("2000000000082")])
        .await
        .unwrap();
    assert_eq!(results[0].status, TrackingStatus::Unknown);
    assert_eq!(results[0].raw_status.as_deref(), Some("S99"));
    assert_eq!(results[0].events[1].status, TrackingStatus::InTransit);
    // Winter time in Bucharest is UTC+2.
    assert_eq!(
        results[0].events[0].at.to_rfc3339(),
        "2023-11-28T18:58:00+02:00"
    );
}

#[tokio::test]
async fn cancel_deletes_the_awb() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("DELETE"))
        .and(path("/awb"))
        .and(query_param("clientId", CLIENT_ID))
        .and(query_param("awb", "2332300120218"))
        .respond_with(json(fixture!("success.json")))
        .expect(1)
        .mount(&server)
        .await;
    courier(&server)
        .cancel(&ShipmentId::awb("2332300120218"))
        .await
        .unwrap();
}

#[tokio::test]
async fn pickup_points_filter_by_county_and_map_lockers() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/pickup-points"))
        .and(query_param("type", "fanbox"))
        .respond_with(json(fixture!("pickup_points_fanbox.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut query = PickupPointQuery::default();
    query.kind = Some(PickupPointKind::Locker);
    query.county = Some(County::Iasi);
    let points = courier(&server).pickup_points(&query).await.unwrap();
    assert_eq!(points.len(), 1);
    let p = &points[0];
    assert_eq!(p.id, "F1022000");
    assert_eq!(p.kind, PickupPointKind::Locker);
    assert_eq!(p.address.street.as_deref(), Some("Bd. Tudor Vladimirescu"));
    assert_eq!(p.address.number.as_deref(), Some("2"));
    assert!(p.location.is_some());
}

#[tokio::test]
async fn order_pickup_creates_a_courier_order() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(json(fixture!("order_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let date = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
    let value = serde_json::json!({
        "date": "2025-09-01", "ready_from": "10:00:00", "ready_until": "15:30:00",
        "address": null, "location_id": null, "parcels": 3, "weight_kg": "4.2", "notes": "poarta 2"
    });
    let req: PickupRequest = serde_json::from_value(value).unwrap();
    let confirmation = courier(&server).order_pickup(&req).await.unwrap();
    assert_eq!(confirmation.id, "123456");
    assert_eq!(confirmation.date, date);
    let body = body_of(&server, "/order").await;
    assert_eq!(body["info"]["packages"]["parcel"], 3);
    assert_eq!(body["info"]["pickupHours"]["first"], "10:00");
    assert_eq!(body["info"]["pickupHours"]["second"], "15:30");
    assert_eq!(body["info"]["observations"], "poarta 2");
}

#[tokio::test]
async fn cod_settlements_read_every_day_and_page() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/bank-transfers"))
        .and(query_param("date", "2023-11-20"))
        .and(query_param("page", "1"))
        .respond_with(json(fixture!("bank_transfers_page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/bank-transfers"))
        .and(query_param("date", "2023-11-20"))
        .and(query_param("page", "2"))
        .respond_with(json(fixture!("bank_transfers_page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/bank-transfers"))
        .and(query_param("date", "2023-11-21"))
        .respond_with(json(fixture!("bank_transfers_empty.json")))
        .expect(1)
        .mount(&server)
        .await;
    let period = DateRange::new(
        NaiveDate::from_ymd_opt(2023, 11, 20).unwrap(),
        NaiveDate::from_ymd_opt(2023, 11, 21).unwrap(),
    )
    .unwrap();
    let settlements = courier(&server).cod_settlements(&period).await.unwrap();
    assert_eq!(settlements.len(), 3);
    assert_eq!(settlements[0].tracking_number, "6000000000001");
    assert_eq!(
        settlements[0].amount,
        Money::new(dec!(670.33), Currency::RON)
    );
    assert_eq!(settlements[0].reference.as_deref(), Some("order #6783"));
    assert_eq!(
        settlements[2].paid_on,
        NaiveDate::from_ymd_opt(2023, 11, 20)
    );
}

#[tokio::test]
async fn services_and_capabilities() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/services"))
        .respond_with(json(fixture!("services.json")))
        .mount(&server)
        .await;
    let courier = courier(&server);
    assert_eq!(courier.provider(), "fancourier");
    let caps = courier.capabilities();
    assert!(caps.cod_bank_transfer && caps.lockers && caps.pickup_order && caps.cod_settlements);
    assert!(caps.label_formats.contains(&LabelFormat::Zpl));
    let services = courier.services().await.unwrap();
    assert_eq!(services[0].code, "Standard");
    assert!(services[2].out_of_home);
    assert_eq!(services[3].code, "Express Loco 2H");
    // COD in another currency is refused before sending.
    let mut req = request();
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(10), Currency::EUR),
        collection: CodCollection::Cash,
    });
    let err = courier.create_shipment(&req).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "cash_on_delivery.amount");
}

#[tokio::test]
async fn contents_follow_our_reference_so_the_awb_can_be_found_again() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .respond_with(json(fixture!("create_awb_success.json")))
        .mount(&server)
        .await;
    let mut req = request();
    req.contents = Some("Tricouri".into());
    courier(&server).create_shipment(&req).await.unwrap();
    let body = body_of(&server, "/intern-awb").await;
    assert_eq!(
        body["shipments"][0]["info"]["content"],
        "order-1001 Tricouri"
    );
}

#[tokio::test]
async fn find_by_reference_scans_the_daily_slips() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    // Today's slip has order #465; every other day is empty.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Bucharest)
        .date_naive();
    Mock::given(method("GET"))
        .and(path("/reports/awb"))
        .and(query_param("date", today.format("%Y-%m-%d").to_string()))
        .respond_with(json(fixture!("shipping_slip.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/awb"))
        .respond_with(json(
            r#"{"status":"success","data":[],"total":0,"perPage":100,"currentPage":1}"#,
        ))
        .mount(&server)
        .await;
    let fan = courier(&server);
    assert!(fan.capabilities().find_by_reference);
    let since = today - chrono::Duration::days(2);
    let found = fan
        .find_by_reference("Order", since)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id.tracking_number, "6324356450139");
    assert_eq!(found.reference, "Order");
    // A reference that is only a prefix of another word does not match.
    assert!(fan.find_by_reference("Ord", since).await.unwrap().is_none());
    assert!(
        fan.find_by_reference("order-9999", since)
            .await
            .unwrap()
            .is_none()
    );
    let slips = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/reports/awb")
        .count();
    assert_eq!(
        slips,
        1 + 3 + 3,
        "today only for the first, three days for the misses"
    );
}
