//! The `Courier` trait implementation, exercised through `Arc<dyn Courier>`.

mod common;

use std::sync::Arc;

use common::{client, fixture, form_pairs, json, mount_login, requests_to};
use flux_core::courier::{
    CashOnDelivery, CodCollection, Courier, DeliveryTarget, LabelFormat, PickupPointKind,
    PickupPointQuery, ShipmentId, ShipmentRequest, TrackingStatus,
};
use flux_core::{Address, CountryCode, County, Currency, ErrorKind, Money, Parcel};
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_with_lists() -> MockServer {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/services"))
        .respond_with(json(200, fixture!("services.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/pickup-points"))
        .respond_with(json(200, fixture!("pickup_points.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(json(201, fixture!("create_awb.json")))
        .mount(&server)
        .await;
    server
}

fn courier(server: &MockServer) -> Arc<dyn Courier> {
    Arc::new(client(server))
}

fn request() -> ShipmentRequest {
    let sender = Address::builder("Magazin SRL", "Cluj-Napoca", CountryCode::RO)
        .region("Cluj")
        .street("Str. Fabricii")
        .number("1")
        .build_unchecked();
    let recipient = Address::builder("Ana Pop", "Bucuresti", CountryCode::RO)
        .region("Bucuresti")
        .extra_line("Sector 3")
        .street("Str. Lunga")
        .number("5")
        .postal_code("030167")
        .phone("0722000111")
        .email("ana@example.com")
        .build_unchecked();
    ShipmentRequest::new(
        "ORDER-1001",
        sender,
        recipient,
        vec![
            Parcel::new(dec!(1.2)).unwrap().with_contents("Carti"),
            Parcel::new(dec!(0.8))
                .unwrap()
                .with_dimensions(dec!(30), dec!(20), dec!(10))
                .unwrap(),
        ],
    )
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn capabilities_and_services() {
    let server = server_with_lists().await;
    let courier = courier(&server);
    assert_eq!(courier.provider(), "sameday");
    let caps = courier.capabilities();
    assert!(caps.quote && caps.cod_cash && caps.lockers && caps.pickup_points && caps.open_package);
    assert!(caps.cancel && caps.change_cod && !caps.cod_bank_transfer && !caps.pickup_order);
    assert_eq!(
        caps.label_formats,
        vec![LabelFormat::PdfA4, LabelFormat::PdfA6]
    );
    let services = courier.services().await.unwrap();
    let codes: Vec<(&str, bool)> = services
        .iter()
        .map(|s| (s.code.as_str(), s.out_of_home))
        .collect();
    assert_eq!(codes, vec![("24", false), ("LN", true), ("PP", true)]);
}

#[tokio::test]
async fn door_delivery_with_cod_declared_value_and_open_package() {
    let server = server_with_lists().await;
    let mut req = request();
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(149.999), Currency::RON),
        collection: CodCollection::Cash,
    });
    req.declared_value = Some(Money::new(dec!(150), Currency::RON));
    req.options.open_package = true;
    req.options.notes = Some("Sunati inainte".into());

    let created = courier(&server).create_shipment(&req).await.unwrap();
    assert_eq!(created.id.tracking_number, "1SDY241067423");
    let parcels: Vec<&str> = created
        .id
        .parcels
        .iter()
        .map(|p| p.tracking_number.as_str())
        .collect();
    assert_eq!(
        parcels,
        vec!["1SDY241067423001", "1SDY241067423002"],
        "sorted by position"
    );
    assert_eq!(created.price, Some(Money::new(dec!(12.34), Currency::RON)));
    assert_eq!(created.reference, "ORDER-1001");

    let body = form_pairs(&requests_to(&server, "/api/awb").await[0]);
    assert_eq!(
        get(&body, "service"),
        Some("7"),
        "code 24 resolved to this environment's id"
    );
    assert_eq!(
        get(&body, "pickupPoint"),
        Some("1641"),
        "the default pickup point"
    );
    assert_eq!(get(&body, "cashOnDelivery"), Some("150.00"));
    assert_eq!(get(&body, "cashOnDeliveryReturns"), Some("1"));
    assert_eq!(get(&body, "insuredValue"), Some("150"));
    assert_eq!(get(&body, "currency"), Some("RON"));
    assert_eq!(
        get(&body, "serviceTaxes[0]"),
        Some("23"),
        "OPCG for parcels"
    );
    assert_eq!(get(&body, "packageNumber"), Some("2"));
    assert_eq!(get(&body, "packageWeight"), Some("2.0"));
    assert_eq!(get(&body, "awbRecipient[cityString]"), Some("Sectorul 3"));
    assert_eq!(get(&body, "awbRecipient[countyString]"), Some("Bucuresti"));
    assert_eq!(
        get(&body, "awbRecipient[address]"),
        Some("Str. Lunga 5, Sector 3")
    );
    assert_eq!(get(&body, "awbRecipient[phoneNumber]"), Some("0722000111"));
    assert_eq!(get(&body, "clientInternalReference"), Some("ORDER-1001"));
    assert_eq!(get(&body, "clientObservation"), Some("Sunati inainte"));
    assert_eq!(get(&body, "observation"), Some("Carti"));
    assert_eq!(get(&body, "parcels[1][length]"), Some("30"));
    assert_eq!(get(&body, "lockerLastMile"), None);
    assert_eq!(get(&body, "oohLastMile"), None);
}

#[tokio::test]
async fn easybox_uses_ln_and_locker_last_mile_with_the_lockers_address() {
    let server = server_with_lists().await;
    let mut req = request();
    let locker_address = Address::builder("easybox Belu", "Sectorul 4", CountryCode::RO)
        .region("Bucuresti")
        .street("SOS. OLTENITEI NR. 2")
        .postal_code("040014")
        .build_unchecked();
    req.delivery = DeliveryTarget::PickupPoint {
        id: "2".into(),
        kind: PickupPointKind::Locker,
        address: Some(Box::new(locker_address)),
    };
    courier(&server).create_shipment(&req).await.unwrap();
    let body = form_pairs(&requests_to(&server, "/api/awb").await[0]);
    assert_eq!(get(&body, "service"), Some("15"), "LN");
    assert_eq!(get(&body, "lockerLastMile"), Some("2"));
    assert_eq!(get(&body, "oohLastMile"), None);
    assert_eq!(get(&body, "awbRecipient[cityString]"), Some("Sectorul 4"));
    assert_eq!(
        get(&body, "awbRecipient[address]"),
        Some("SOS. OLTENITEI NR. 2")
    );
    assert_eq!(get(&body, "awbRecipient[postalCode]"), Some("040014"));
    assert_eq!(get(&body, "awbRecipient[name]"), Some("Ana Pop"));
}

#[tokio::test]
async fn pudo_uses_pp_and_ooh_last_mile() {
    let server = server_with_lists().await;
    let mut req = request();
    req.delivery = DeliveryTarget::PickupPoint {
        id: "5012".into(),
        kind: PickupPointKind::Shop,
        address: None,
    };
    req.sender_location_id = Some("139".into());
    courier(&server).create_shipment(&req).await.unwrap();
    let body = form_pairs(&requests_to(&server, "/api/awb").await[0]);
    assert_eq!(get(&body, "service"), Some("44"), "PP");
    assert_eq!(get(&body, "oohLastMile"), Some("5012"));
    assert_eq!(get(&body, "lockerLastMile"), None);
    assert_eq!(get(&body, "pickupPoint"), Some("139"));
    assert!(
        requests_to(&server, "/api/client/pickup-points")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn mismatched_service_and_target_are_refused_before_sending() {
    let server = server_with_lists().await;
    let courier = courier(&server);

    let mut locker_with_24 = request();
    locker_with_24.service = Some("24".into());
    locker_with_24.delivery = DeliveryTarget::PickupPoint {
        id: "2".into(),
        kind: PickupPointKind::Locker,
        address: None,
    };
    let err = courier.create_shipment(&locker_with_24).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.provider(), "sameday");
    assert_eq!(err.field_errors()[0].field, "service");

    let mut ln_to_door = request();
    ln_to_door.service = Some("LN".into());
    let err = courier.create_shipment(&ln_to_door).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "delivery");

    let mut bucharest_without_sector = request();
    bucharest_without_sector.recipient.extra_lines.clear();
    bucharest_without_sector.options.saturday_delivery = true;
    let err = courier
        .create_shipment(&bucharest_without_sector)
        .await
        .unwrap_err();
    let fields: Vec<&str> = err
        .field_errors()
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(
        fields,
        vec!["recipient.locality", "options.saturday_delivery"]
    );

    let mut bank_cod = request();
    bank_cod.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(10), Currency::RON),
        collection: CodCollection::BankTransfer,
    });
    let err = courier.create_shipment(&bank_cod).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "cash_on_delivery.collection");

    assert!(
        requests_to(&server, "/api/awb").await.is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn sameday_rejections_keep_field_paths() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/services"))
        .respond_with(json(200, fixture!("services.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(json(400, fixture!("error_locker_last_mile.json")))
        .mount(&server)
        .await;
    let mut req = request();
    req.sender_location_id = Some("1641".into());
    req.delivery = DeliveryTarget::PickupPoint {
        id: "999999".into(),
        kind: PickupPointKind::Locker,
        address: None,
    };
    let err = courier(&server).create_shipment(&req).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.field_errors()[0].field, "lockerLastMile");
    assert!(
        err.field_errors()[0]
            .message
            .contains("LockerLastMile dat este invalid")
    );
}

#[tokio::test]
async fn duplicate_reference_is_a_conflict_through_the_trait() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/services"))
        .respond_with(json(200, fixture!("services.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(json(400, fixture!("error_not_unique.json")))
        .mount(&server)
        .await;
    let mut req = request();
    req.sender_location_id = Some("1641".into());
    let err = courier(&server).create_shipment(&req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn quote_uses_estimate_cost() {
    let server = server_with_lists().await;
    Mock::given(method("POST"))
        .and(path("/api/awb/estimate-cost"))
        .respond_with(json(201, fixture!("estimate_cost.json")))
        .mount(&server)
        .await;
    let quote = courier(&server).quote(&request()).await.unwrap();
    assert_eq!(quote.service, "24");
    assert_eq!(quote.total, Money::new(dec!(18.56), Currency::RON));
    assert!(
        requests_to(&server, "/api/awb").await.is_empty(),
        "a quote creates nothing"
    );
}

#[tokio::test]
async fn label_a6_and_unsupported_formats() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/awb/download/1SDY241067423/A6"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            include_bytes!("../../../fixtures/sameday/awb.pdf").to_vec(),
            "application/pdf",
        ))
        .mount(&server)
        .await;
    let courier = courier(&server);
    let id = ShipmentId::awb("1SDY241067423");
    let label = courier.label(&id, LabelFormat::PdfA6).await.unwrap();
    assert_eq!(label.format, LabelFormat::PdfA6);
    assert!(label.bytes.starts_with(b"%PDF"));
    let err = courier.label(&id, LabelFormat::Zpl).await.unwrap_err();
    assert!(err.is_validation());
}

#[tokio::test]
async fn track_normalizes_statuses_and_keeps_raw_ids() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY241067424/status"))
        .respond_with(json(200, fixture!("awb_status_delivered.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY241067423/status"))
        .respond_with(json(200, fixture!("awb_status.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY000000000/status"))
        .respond_with(json(404, fixture!("error_not_found.json")))
        .mount(&server)
        .await;
    let ids = [
        ShipmentId::awb("1SDY241067424"),
        ShipmentId::awb("1SDY241067423"),
        ShipmentId::awb("1SDY000000000"),
    ];
    let results = courier(&server).track(&ids).await.unwrap();
    assert_eq!(results.len(), 3);

    let delivered = &results[0];
    assert_eq!(delivered.status, TrackingStatus::Delivered);
    assert_eq!(delivered.raw_status.as_deref(), Some("9"));
    assert_eq!(
        delivered.delivered_at.unwrap().to_rfc3339(),
        "2019-02-26T12:37:28+02:00"
    );
    let codes: Vec<&str> = delivered.events.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["1", "33", "9"], "oldest first");
    assert_eq!(delivered.events[1].location.as_deref(), Some("Hub Chiajna"));

    let moving = &results[1];
    assert_eq!(moving.status, TrackingStatus::OutForDelivery);
    assert_eq!(moving.raw_status.as_deref(), Some("33"));
    assert_eq!(moving.events[0].status, TrackingStatus::Pending);
    assert!(moving.delivered_at.is_none());

    assert!(!results[2].found);
    assert_eq!(results[2].tracking_number, "1SDY000000000");
}

#[tokio::test]
async fn cancel_deletes_the_awb() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/api/awb/1SDY241067423"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    courier(&server)
        .cancel(&ShipmentId::awb("1SDY241067423"))
        .await
        .unwrap();
}

#[tokio::test]
async fn pickup_points_lists_lockers_and_pudo_points() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/lockers"))
        .respond_with(json(200, fixture!("lockers.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/ooh-locations"))
        .respond_with(json(200, fixture!("ooh_locations.json")))
        .mount(&server)
        .await;
    let courier = courier(&server);

    let all = courier
        .pickup_points(&PickupPointQuery::default())
        .await
        .unwrap();
    let ids: Vec<(&str, PickupPointKind)> = all.iter().map(|p| (p.id.as_str(), p.kind)).collect();
    assert_eq!(
        ids,
        vec![
            ("2", PickupPointKind::Locker),
            ("1", PickupPointKind::Locker),
            ("5012", PickupPointKind::Shop)
        ],
        "lockers once (from /lockers), PUDO points from /ooh-locations"
    );
    let belu = &all[0];
    assert_eq!(belu.accepts_cod, Some(true));
    assert_eq!(belu.address.locality, "Sectorul 4");
    assert_eq!(belu.address.postal_code.as_deref(), Some("040014"));
    assert!(belu.location.is_some());
    assert_eq!(
        belu.opening_hours.as_deref(),
        Some("Mon 00:00-23:59, Sun 08:00-20:00")
    );

    let mut query = PickupPointQuery::default();
    query.county = Some(County::Cluj);
    query.kind = Some(PickupPointKind::Locker);
    let cluj = courier.pickup_points(&query).await.unwrap();
    assert_eq!(cluj.len(), 1);
    assert_eq!(cluj[0].name, "easybox Iulius Mall");
}

#[tokio::test]
async fn change_cod_through_the_trait() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("PUT"))
        .and(path("/api/awb/1SDY241067423/update-cod"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let courier = courier(&server);
    let id = ShipmentId::awb("1SDY241067423");
    courier
        .change_cod(&id, &Money::new(dec!(75.5), Currency::RON))
        .await
        .unwrap();
    let body = form_pairs(&requests_to(&server, "/api/awb/1SDY241067423/update-cod").await[0]);
    assert_eq!(get(&body, "cashOnDelivery"), Some("75.5"));
    let err = courier
        .change_cod(&id, &Money::new(dec!(10), Currency::EUR))
        .await
        .unwrap_err();
    assert!(err.is_validation());
}
