//! The `Courier` implementation, used the way the orchestrator does: `Arc<dyn Courier>`.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use common::{assert_login, bodies, builder, client, fixture, mount, mount_times};
use flux_core::courier::{
    CashOnDelivery, CodCollection, DeliveryTarget, LabelFormat, PickupPointKind, ShipmentRequest,
    TrackingStatus,
};
use flux_core::{Address, CountryCode, Courier, Currency, ErrorKind, Money, Parcel, ShipmentId};
use flux_gls::LabelStrategy;
use flux_gls::ids::{GlsParcelRef, shipment_id};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use wiremock::MockServer;

fn courier(server: &MockServer) -> Arc<dyn Courier> {
    Arc::new(client(server))
}

fn request() -> ShipmentRequest {
    let sender = Address::builder("Ana Pop", "Cluj-Napoca", CountryCode::RO)
        .company("Magazin SRL")
        .street("Strada Memorandumului")
        .number("28")
        .region("Cluj")
        .postal_code("400114")
        .phone("+40722123456")
        .build()
        .unwrap();
    let recipient = Address::builder("Ion Popescu", "Sector 3", CountryCode::RO)
        .street("Strada Fizicienilor")
        .number("10")
        .extra_line("Bl. A, Ap. 4")
        .postal_code("032621")
        .phone("+40733123456")
        .email("ion@example.ro")
        .build()
        .unwrap();
    let parcels = vec![Parcel::new(dec!(1.25)).unwrap().with_contents("Books")];
    ShipmentRequest::new("ORDER-1001", sender, recipient, parcels)
}

fn created_id() -> ShipmentId {
    shipment_id(&[GlsParcelRef::new(Some(81_277_445), Some(5_020_004_611))])
}

#[tokio::test]
async fn create_shipment_maps_cod_declared_value_locker_and_pickup_date() {
    let server = MockServer::start().await;
    mount_times(&server, "PrintLabels", fixture!("print_labels.json"), 1).await;
    let mut req = request();
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(149.9), Currency::RON),
        collection: CodCollection::Cash,
    });
    req.declared_value = Some(Money::new(dec!(200), Currency::RON));
    req.delivery = DeliveryTarget::PickupPoint {
        id: "RO123-PARCELLOCKER".into(),
        kind: PickupPointKind::Locker,
        address: None,
    };
    req.pickup_date = NaiveDate::from_ymd_opt(2026, 7, 15);
    req.options.saturday_delivery = true;

    let created = courier(&server).create_shipment(&req).await.unwrap();

    assert_eq!(created.id.tracking_number, "5020004611");
    assert_eq!(created.id.provider_id.as_deref(), Some("81277445"));
    assert_eq!(created.id.parcels.len(), 1);
    assert_eq!(created.reference, "ORDER-1001");
    let label = created.label.expect("PrintLabels returns the label once");
    assert_eq!(label.format, LabelFormat::PdfA4TwoByTwo);
    assert!(label.bytes.starts_with(b"%PDF"));

    let body = &bodies(&server).await[0];
    assert_login(body);
    let p = &body["ParcelList"][0];
    assert_eq!(p["ClientNumber"], common::CLIENT_NUMBER);
    assert_eq!(p["ClientReference"], "ORDER-1001");
    assert_eq!(p["Count"], 1);
    assert_eq!(p["Content"], "Books");
    assert_eq!(p["CODAmount"].to_string(), "149.9");
    assert_eq!(p["CODReference"], "ORDER-1001");
    assert_eq!(p["CODCurrency"], "RON");
    // Midnight in Bucharest, summer time.
    assert_eq!(p["PickupDate"], "/Date(1784062800000+0300)/");
    assert_eq!(p["PickupAddress"]["Name"], "Magazin SRL");
    assert_eq!(p["PickupAddress"]["ContactName"], "Ana Pop");
    let d = &p["DeliveryAddress"];
    assert_eq!(d["Name"], "Ion Popescu");
    assert_eq!(d["City"], "Bucuresti");
    assert_eq!(d["ZipCode"], "032621");
    assert_eq!(d["CountryIsoCode"], "RO");
    assert_eq!(d["Street"], "Strada Fizicienilor");
    assert_eq!(d["HouseNumber"], "10");
    assert_eq!(d["HouseNumberInfo"], "Bl. A, Ap. 4");
    assert_eq!(d["ContactEmail"], "ion@example.ro");
    let services: Vec<&str> = p["ServiceList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Code"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["DPV", "PSD", "SAT"]);
    assert_eq!(
        p["ServiceList"][0]["DPVParameter"]["DecimalValue"].to_string(),
        "200"
    );
    assert_eq!(
        p["ServiceList"][1]["PSDParameter"]["StringValue"],
        "RO123-PARCELLOCKER"
    );
}

#[tokio::test]
async fn create_without_contents_names_the_order_because_mygls_requires_content() {
    let server = MockServer::start().await;
    mount_times(&server, "PrintLabels", fixture!("print_labels.json"), 1).await;
    let mut req = request();
    req.parcels = vec![Parcel::new(dec!(2)).unwrap()];
    req.contents = None;
    courier(&server).create_shipment(&req).await.unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(body["ParcelList"][0]["Content"], "Order ORDER-1001");
}

#[tokio::test]
async fn create_with_prepare_then_print_keeps_labels_reprintable() {
    let server = MockServer::start().await;
    mount_times(&server, "PrepareLabels", fixture!("prepare_labels.json"), 1).await;
    mount_times(
        &server,
        "GetPrintedLabels",
        fixture!("get_printed_labels.json"),
        2,
    )
    .await;
    let gls = builder(&server)
        .label_strategy(LabelStrategy::PrepareThenPrint)
        .build()
        .unwrap();
    let courier: Arc<dyn Courier> = Arc::new(gls);

    let created = courier.create_shipment(&request()).await.unwrap();
    assert_eq!(created.id.tracking_number, "5020004699");
    assert_eq!(created.id.provider_id.as_deref(), Some("81277500"));
    assert!(created.label.is_some());

    let again = courier.label(&created.id, LabelFormat::Zpl).await.unwrap();
    assert_eq!(again.format, LabelFormat::Zpl);
    let sent = bodies(&server).await;
    assert_eq!(sent[1]["ParcelIdList"], serde_json::json!([81_277_500]));
    assert_eq!(sent[2]["TypeOfPrinter"], "ThermoZPL");
}

#[tokio::test]
async fn create_validates_before_sending() {
    let server = MockServer::start().await;
    let mut req = request();
    req.recipient.postal_code = None;
    req.options.open_package = true;
    let err = courier(&server).create_shipment(&req).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.provider(), "gls");
    assert_eq!(err.field_errors()[0].field, "options.open_package");

    req.options.open_package = false;
    let err = courier(&server).create_shipment(&req).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "recipient.postal_code");
    assert!(bodies(&server).await.is_empty());
}

#[tokio::test]
async fn label_after_print_labels_is_a_conflict_that_explains_why() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetPrintedLabels",
        fixture!("get_printed_labels_already_printed.json"),
    )
    .await;
    let err = courier(&server)
        .label(&created_id(), LabelFormat::PdfA4FourByOne)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.provider_code(), Some("18"));
    assert!(err.message().contains("printed only once"));
    assert_eq!(bodies(&server).await[0]["TypeOfPrinter"], "A4_4x1");

    let err = courier(&server)
        .label(&created_id(), LabelFormat::PdfA5)
        .await
        .unwrap_err();
    assert!(err.is_unsupported());
}

#[tokio::test]
async fn track_normalizes_status_keeps_the_raw_code_and_local_times() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetParcelStatuses",
        fixture!("get_parcel_statuses_delivered.json"),
    )
    .await;
    let results = courier(&server).track(&[created_id()]).await.unwrap();
    let r = &results[0];
    assert!(r.found);
    assert_eq!(r.status, TrackingStatus::Delivered);
    assert_eq!(
        r.raw_status.as_deref(),
        Some("5"),
        "the e-mail notice (99) does not replace it"
    );
    assert_eq!(
        r.delivered_at.unwrap().to_rfc3339(),
        "2026-01-02T14:00:00+02:00"
    );
    let codes: Vec<&str> = r.events.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["51", "1", "4", "5", "99"]);
    assert_eq!(r.events[0].status, TrackingStatus::Pending);
    assert_eq!(r.events[1].status, TrackingStatus::PickedUp);
    assert_eq!(r.events[2].status, TrackingStatus::OutForDelivery);
    assert_eq!(r.events[4].status, TrackingStatus::Delivered);
    assert_eq!(r.events[3].location.as_deref(), Some("Brasov"));
    assert_eq!(r.events[0].location, None);
    assert_eq!(r.events[3].description, "Coletul a fost livrat.");
}

#[tokio::test]
async fn track_reports_unknown_parcels_as_not_found() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetParcelStatuses",
        fixture!("get_parcel_statuses_not_found.json"),
    )
    .await;
    let results = courier(&server)
        .track(&[ShipmentId::awb("5020009999")])
        .await
        .unwrap();
    assert!(!results[0].found);
    assert_eq!(results[0].tracking_number, "5020009999");
    assert_eq!(results[0].status, TrackingStatus::Pending);
}

#[tokio::test]
async fn track_stops_at_the_first_refused_login() {
    let server = MockServer::start().await;
    mount_times(
        &server,
        "GetParcelStatuses",
        fixture!("get_parcel_statuses_unauthorized.json"),
        1,
    )
    .await;
    let ids = [
        ShipmentId::awb("5020000001"),
        ShipmentId::awb("5020000002"),
        ShipmentId::awb("5020000003"),
    ];
    let err = courier(&server).track(&ids).await.unwrap_err();
    assert!(err.is_auth() && !err.is_retryable());
    assert!(err.message().contains("not retried"));
}

#[tokio::test]
async fn track_refuses_non_numeric_parcel_numbers() {
    let server = MockServer::start().await;
    let err = courier(&server)
        .track(&[ShipmentId::awb("ABC")])
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].field, "ids[0].tracking_number");
}

#[tokio::test]
async fn cancel_deletes_by_parcel_id() {
    let server = MockServer::start().await;
    mount(&server, "DeleteLabels", fixture!("delete_labels.json")).await;
    courier(&server).cancel(&created_id()).await.unwrap();
    assert_eq!(
        bodies(&server).await[0]["ParcelIdList"],
        serde_json::json!([81_277_445])
    );
}

#[tokio::test]
async fn cancel_after_pickup_is_a_conflict_and_unknown_ids_are_not_found() {
    let server = MockServer::start().await;
    mount(
        &server,
        "DeleteLabels",
        fixture!("delete_labels_wrong_state.json"),
    )
    .await;
    let err = courier(&server).cancel(&created_id()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.provider_code(), Some("6"));

    let server = MockServer::start().await;
    mount(
        &server,
        "DeleteLabels",
        fixture!("delete_labels_not_found.json"),
    )
    .await;
    let err = courier(&server).cancel(&created_id()).await.unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn cancel_needs_the_parcel_id() {
    let server = MockServer::start().await;
    let err = courier(&server)
        .cancel(&ShipmentId::awb("5020004611"))
        .await
        .unwrap_err();
    assert!(err.is_validation());
    assert!(bodies(&server).await.is_empty());
}

#[tokio::test]
async fn change_cod_uses_modify_cod() {
    let server = MockServer::start().await;
    mount(&server, "ModifyCOD", fixture!("modify_cod.json")).await;
    courier(&server)
        .change_cod(&created_id(), &Money::new(dec!(99.5), Currency::RON))
        .await
        .unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(body["ParcelId"], 81_277_445);
    assert_eq!(body["ParcelNumber"], 5_020_004_611_i64);
    assert_eq!(body["CODAmount"].to_string(), "99.5");
}

#[tokio::test]
async fn find_by_reference_groups_the_parcels_of_one_order() {
    let server = MockServer::start().await;
    mount(&server, "GetParcelList", fixture!("get_parcel_list.json")).await;
    let since = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let found = courier(&server)
        .find_by_reference("ORDER-1001", since)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id.tracking_number, "5020004611");
    assert_eq!(found.id.parcels.len(), 2);
    assert_eq!(found.id.parcels[1].provider_id.as_deref(), Some("81277446"));
    assert_eq!(
        bodies(&server).await[0]["PrintDateFrom"],
        "/Date(1767218400000+0200)/"
    );

    let none = courier(&server)
        .find_by_reference("ORDER-4040", since)
        .await
        .unwrap();
    assert!(none.is_none());
}

#[tokio::test]
async fn capabilities_say_what_gls_offers() {
    let server = MockServer::start().await;
    let c = courier(&server);
    assert_eq!(c.provider(), "gls");
    let caps = c.capabilities();
    assert!(
        caps.lockers
            && caps.pickup_points
            && caps.cancel
            && caps.change_cod
            && caps.find_by_reference
    );
    assert!(!caps.quote && !caps.pickup_order && !caps.open_package && !caps.cod_settlements);
    assert!(caps.label_formats.contains(&LabelFormat::PdfA4TwoByTwo));
    assert!(c.quote(&request()).await.unwrap_err().is_unsupported());
}
