//! The Courier implementation, driven through `Arc<dyn Courier>`.

mod common;

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use common::{body_of, client, fixture, get, json, query_of, server};
use flux_core::courier::{
    CashOnDelivery, CodCollection, DateRange, DeliveryTarget, LabelFormat, PickupPointKind,
    PickupPointQuery, PickupRequest, ShipmentRequest, TrackingStatus,
};
use flux_core::{
    Address, CountryCode, County, Courier, Currency, ErrorKind, Money, Parcel, ShipmentId,
};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use serde_json::json as j;
use wiremock::Mock;
use wiremock::matchers::{method, path, query_param};

fn courier(server: &wiremock::MockServer) -> Arc<dyn Courier> {
    Arc::new(client(server))
}

fn request() -> ShipmentRequest {
    let sender = Address::builder("Depozit Pitesti", "Pitești", CountryCode::RO)
        .region("Argeș")
        .build()
        .unwrap();
    let recipient = Address::builder("Ana Pop", "Iași", CountryCode::RO)
        .region("Iași")
        .street("Str. Lăpușneanu")
        .number("14")
        .postal_code("700057")
        .phone("0740123123")
        .email("ana@example.ro")
        .build()
        .unwrap();
    let parcel = Parcel::new(dec!(2.4))
        .unwrap()
        .with_dimensions(dec!(30), dec!(20), dec!(10))
        .unwrap()
        .with_contents("carti");
    let mut req = ShipmentRequest::new("order-1001", sender, recipient, vec![parcel]);
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(149.90), Currency::RON),
        collection: CodCollection::Cash,
    });
    req.declared_value = Some(Money::new(dec!(200), Currency::RON));
    req.options.open_package = true;
    req.options.saturday_delivery = true;
    req.options.morning_delivery = true;
    req.options.notes = Some("Sunati inainte".into());
    req.contents = Some("carti".into());
    req
}

#[tokio::test]
async fn create_shipment_sends_the_awb_cargus_expects() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/Awbs"))
        .respond_with(json(200, fixture!("create_awb.json")))
        .expect(1)
        .mount(&server)
        .await;
    let created = courier(&server).create_shipment(&request()).await.unwrap();
    assert_eq!(created.id.tracking_number, "1064985512");
    assert_eq!(created.reference, "order-1001");
    let body = body_of(&server, "Awbs").await;
    assert_eq!(
        body,
        j!({
            "SenderClientId": null,
            "Sender": {"LocationId": 201266091},
            "Recipient": {
                "Name": "Ana Pop", "CountyName": "Iasi", "LocalityName": "Iasi",
                "StreetName": "Str. Lapusneanu", "BuildingNumber": "14",
                "AddressText": "Str. Lapusneanu 14", "ContactPerson": "Ana Pop",
                "PhoneNumber": "0740123123", "Email": "ana@example.ro", "CodPostal": "700057"
            },
            "Parcels": 1, "Envelopes": 0, "TotalWeight": 3, "ServiceId": 34,
            "DeclaredValue": 200, "CashRepayment": 149.90, "BankRepayment": 0,
            "OpenPackage": true, "PriceTableId": 0, "ShipmentPayer": 1,
            "SaturdayDelivery": true, "MorningDelivery": true,
            "Observations": "Sunati inainte", "PackageContent": "carti", "CustomString": "order-1001",
            "ParcelCodes": [{"Code": "0", "Type": 1, "Weight": 3, "Length": 30, "Width": 20, "Height": 10, "ParcelContent": "carti"}]
        })
    );
}

#[tokio::test]
async fn bank_cod_ship_and_go_and_bucharest_sector() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/Awbs"))
        .respond_with(json(200, fixture!("create_awb.json")))
        .mount(&server)
        .await;
    let mut req = request();
    req.recipient = Address::builder("Ion Pop", "Sector 3", CountryCode::RO)
        .street("Bd. Unirii")
        .number("20")
        .phone("0740000000")
        .email("ion@example.ro")
        .build()
        .unwrap();
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(50), Currency::RON),
        collection: CodCollection::BankTransfer,
    });
    req.delivery = DeliveryTarget::PickupPoint {
        id: "201778".into(),
        kind: PickupPointKind::Shop,
        address: None,
    };
    courier(&server).create_shipment(&req).await.unwrap();
    let body = body_of(&server, "Awbs").await;
    assert_eq!(body["ServiceId"], 38);
    assert_eq!(body["DeliveryPudoPoint"], 201778);
    assert_eq!(body["BankRepayment"], 50);
    assert_eq!(body["CashRepayment"], 0);
    assert_eq!(body["Recipient"]["CountyName"], "Bucuresti");
    assert_eq!(body["Recipient"]["LocalityName"], "Bucuresti");
    assert_eq!(body["Recipient"]["AddressText"], "Bd. Unirii 20, Sector 3");
}

#[tokio::test]
async fn multipiece_gets_one_parcel_code_per_piece_and_service_39() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/Awbs"))
        .respond_with(json(200, fixture!("create_awb.json")))
        .mount(&server)
        .await;
    let mut req = request();
    req.parcels = vec![
        Parcel::new(dec!(10)).unwrap(),
        Parcel::new(dec!(12.5)).unwrap(),
        Parcel::envelope(dec!(0.2)).unwrap(),
    ];
    courier(&server).create_shipment(&req).await.unwrap();
    let body = body_of(&server, "Awbs").await;
    assert_eq!(body["ServiceId"], 39);
    assert_eq!(body["Parcels"], 2);
    assert_eq!(body["Envelopes"], 1);
    assert_eq!(body["TotalWeight"], 23);
    let codes = body["ParcelCodes"].as_array().unwrap();
    assert_eq!(codes.len(), 3);
    assert_eq!(codes[2]["Type"], 0);
    assert_eq!(codes[1]["Code"], "1");
}

#[tokio::test]
async fn rejected_combinations_never_reach_cargus() {
    let server = server().await; // LoginUser expects 1 call: touched below by nothing else
    let c = courier(&server);
    let mut req = request();
    req.parcels = vec![Parcel::new(dec!(1)).unwrap(); 16];
    let err = c.create_shipment(&req).await.unwrap_err();
    assert!(err.is_validation());
    assert!(err.message().contains("at most 15 pieces"), "{err}");
    req.parcels = vec![Parcel::envelope(dec!(0.1)).unwrap(); 10];
    assert!(
        c.create_shipment(&req)
            .await
            .unwrap_err()
            .message()
            .contains("9 envelopes")
    );
    req.parcels = vec![
        Parcel::new(dec!(120))
            .unwrap()
            .with_kind(flux_core::ParcelKind::Pallet),
        Parcel::new(dec!(3)).unwrap(),
    ];
    assert!(
        c.create_shipment(&req)
            .await
            .unwrap_err()
            .message()
            .contains("not valid for several parcels")
    );
    let mut eur = request();
    eur.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(10), Currency::EUR),
        collection: CodCollection::Cash,
    });
    let err = c.create_shipment(&eur).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "cash_on_delivery.amount");
    assert!(
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| r.url.path() != "/api/Awbs")
    );
    // satisfy the login expectation
    get(&server, "Countries", fixture!("countries.json")).await;
    client(&server).countries().await.unwrap();
}

#[tokio::test]
async fn quote_uses_shipping_calculation() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/ShippingCalculation"))
        .respond_with(json(200, fixture!("shipping_calculation.json")))
        .mount(&server)
        .await;
    let quote = courier(&server).quote(&request()).await.unwrap();
    assert_eq!(quote.total, Money::new(dec!(17.97), Currency::RON));
    assert_eq!(quote.net, Some(Money::new(dec!(15.1), Currency::RON)));
    assert_eq!(quote.service, "34");
    let body = body_of(&server, "ShippingCalculation").await;
    assert_eq!(body["FromCountyName"], "Arges");
    assert_eq!(body["FromLocalityName"], "Pitesti");
    assert_eq!(body["ToLocalityName"], "Iasi");
    assert_eq!(body["CashRepayment"], 149.90);
}

#[tokio::test]
async fn label_a4_and_unsupported_format() {
    let server = server().await;
    get(&server, "AwbDocuments", fixture!("awb_documents.json")).await;
    let c = courier(&server);
    let label = c
        .label(&ShipmentId::awb("1064985512"), LabelFormat::PdfA4)
        .await
        .unwrap();
    assert!(label.bytes.starts_with(b"%PDF"));
    let q = query_of(&server, "AwbDocuments").await;
    assert_eq!(q[2], ("format".into(), "0".into()));
    assert_eq!(q[3], ("printMainOnce".into(), "1".into()));
    assert!(
        c.label(&ShipmentId::awb("1"), LabelFormat::Zpl)
            .await
            .unwrap_err()
            .is_unsupported()
    );
}

#[tokio::test]
async fn track_normalizes_21_as_delivered_and_keeps_order() {
    let server = server().await;
    get(&server, "AwbTrace", fixture!("awb_trace.json")).await;
    let ids = [
        ShipmentId::awb("1064985513"),
        ShipmentId::awb("1064985512"),
        ShipmentId::awb("999"),
    ];
    let results = courier(&server).track(&ids).await.unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].tracking_number, "1064985513");
    assert!(results[0].found);
    assert_eq!(results[0].status, TrackingStatus::Pending);
    let delivered = &results[1];
    assert_eq!(delivered.status, TrackingStatus::Delivered);
    assert_eq!(delivered.raw_status.as_deref(), Some("21"));
    assert_eq!(delivered.events.len(), 3);
    assert_eq!(delivered.events[0].code, "1");
    assert_eq!(delivered.events[1].status, TrackingStatus::InTransit);
    assert_eq!(delivered.events[2].location.as_deref(), Some("Iasi"));
    assert_eq!(
        delivered.delivered_at.unwrap().to_rfc3339(),
        "2024-03-06T12:30:05.123+02:00"
    );
    assert!(!results[2].found);
    assert_eq!(
        query_of(&server, "AwbTrace").await,
        vec![(
            "barCode".into(),
            "[\"1064985513\",\"1064985512\",\"999\"]".into()
        )]
    );
}

#[tokio::test]
async fn cancel_ok_and_already_moved_is_a_conflict() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path("/api/Awbs"))
        .and(query_param("barCode", "1"))
        .respond_with(json(200, "true"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/Awbs"))
        .and(query_param("barCode", "2"))
        .respond_with(json(200, "false"))
        .expect(1)
        .mount(&server)
        .await;
    let c = courier(&server);
    c.cancel(&ShipmentId::awb("1")).await.unwrap();
    let err = c.cancel(&ShipmentId::awb("2")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.message().contains("already has a checkpoint"), "{err}");
}

#[tokio::test]
async fn pickup_points_filter_by_county_and_locality() {
    let server = server().await;
    get(&server, "PudoPoints", fixture!("pudo_points.json")).await;
    let c = courier(&server);
    let mut query = PickupPointQuery::default();
    query.county = Some(County::Iasi);
    let points = c.pickup_points(&query).await.unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].id, "201778");
    assert_eq!(points[0].accepts_cod, Some(true));
    assert_eq!(points[0].address.locality, "Iasi");
    let all = c.pickup_points(&PickupPointQuery::default()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0].opening_hours.as_deref(),
        Some("Mo 08:00-18:00, Tu 08:00-18:00")
    );
}

#[tokio::test]
async fn order_pickup_closes_the_open_order() {
    let server = server().await;
    Mock::given(method("PUT"))
        .and(path("/api/Orders"))
        .respond_with(json(200, fixture!("orders_put.json")))
        .expect(1)
        .mount(&server)
        .await;
    let date = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
    let request: PickupRequest = serde_json::from_value(j!({
        "date": date, "ready_from": NaiveTime::from_hms_opt(13, 0, 0), "ready_until": NaiveTime::from_hms_opt(17, 0, 0),
        "address": null, "location_id": null, "parcels": 3, "weight_kg": "7", "notes": null
    }))
    .unwrap();
    let confirmation = courier(&server).order_pickup(&request).await.unwrap();
    assert_eq!(confirmation.id, "47920110");
    let q = query_of(&server, "Orders").await;
    assert_eq!(q[0], ("locationId".into(), "201266091".into()));
    assert_eq!(q[1], ("action".into(), "1".into()));
}

#[tokio::test]
async fn cod_settlements_match_back_by_custom_string() {
    let server = server().await;
    get(
        &server,
        "CashAccount/GetByDate",
        fixture!("cash_account.json"),
    )
    .await;
    let period = DateRange::new(
        NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 3, 8).unwrap(),
    )
    .unwrap();
    let settlements = courier(&server).cod_settlements(&period).await.unwrap();
    assert_eq!(settlements.len(), 2);
    assert_eq!(settlements[0].reference.as_deref(), Some("order-1001"));
    assert_eq!(
        settlements[0].amount,
        Money::new(dec!(149.9), Currency::RON)
    );
    assert_eq!(settlements[0].paid_on, NaiveDate::from_ymd_opt(2024, 3, 8));
    assert_eq!(settlements[0].payment_reference.as_deref(), Some("5521"));
    assert_eq!(settlements[1].reference, None);
    assert_eq!(settlements[1].paid_on, NaiveDate::from_ymd_opt(2024, 3, 5));
}

#[tokio::test]
async fn find_by_reference_scans_awbs_by_period() {
    let server = server().await;
    get(
        &server,
        "Awbs/GetByDate",
        fixture!("awbs_by_date_page1.json"),
    )
    .await;
    let c = courier(&server);
    let since = NaiveDate::from_ymd_opt(2024, 3, 4).unwrap();
    let found = c
        .find_by_reference("order-1001", since)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id.tracking_number, "1064985512");
    assert!(
        c.find_by_reference("order-4242", since)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn capabilities_and_services() {
    let server = wiremock::MockServer::start().await;
    let c = courier(&server);
    assert_eq!(c.provider(), "cargus");
    let caps = c.capabilities();
    assert!(caps.cod_bank_transfer && caps.pickup_order && caps.cod_settlements);
    assert_eq!(
        caps.label_formats,
        vec![LabelFormat::PdfA4, LabelFormat::Pdf10x14]
    );
    let services = c.services().await.unwrap();
    assert!(services.iter().any(|s| s.code == "38" && s.out_of_home));
}
