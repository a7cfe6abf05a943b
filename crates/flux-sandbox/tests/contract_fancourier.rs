//! Contract tests: the real `flux-fancourier` client, through `Arc<dyn Courier>` where the
//! crate implements it, against the FAN Courier simulator.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use flux_core::courier::{
    CashOnDelivery, CodCollection, Courier, DateRange, DeliveryTarget, LabelFormat,
    PickupPointKind, PickupPointQuery, PickupRequest, ShipmentId, ShipmentRequest, TrackingStatus,
};
use flux_core::{Address, CountryCode, Currency, ErrorKind, Money, Parcel};
use flux_fancourier::{
    AwbAddress, AwbInfo, AwbParty, AwbShipment, CourierOrderRequest, FanCourierClient,
    FanCourierError, Packages, SecretString, ServiceName,
};
use flux_sandbox::fancourier::{DEFAULT_CLIENT_ID, DEFAULT_PASSWORD, DEFAULT_USERNAME};
use flux_sandbox::{FaultPlan, Provider, RunningSandbox, Sandbox, SimClock};
use rust_decimal_macros::dec;

const HOUR: Duration = Duration::from_secs(3600);

/// Monday 2026-11-23, 09:00 in Bucharest.
async fn sandbox() -> RunningSandbox {
    let clock = SimClock::manual("2026-11-23T07:00:00Z".parse().expect("a date"));
    Sandbox::builder()
        .clock(clock)
        .start()
        .await
        .expect("the sandbox starts")
}

fn client_with(sandbox: &RunningSandbox, password: &str, timeout: Duration) -> FanCourierClient {
    FanCourierClient::builder(
        DEFAULT_CLIENT_ID,
        DEFAULT_USERNAME,
        SecretString::from(password.to_owned()),
    )
    .base_url(sandbox.base_url(Provider::FanCourier))
    .timeout(timeout)
    .build()
    .expect("the client builds")
}

fn client(sandbox: &RunningSandbox) -> FanCourierClient {
    client_with(sandbox, DEFAULT_PASSWORD, Duration::from_secs(10))
}

fn courier(sandbox: &RunningSandbox) -> Arc<dyn Courier> {
    Arc::new(client(sandbox))
}

fn request(reference: &str) -> ShipmentRequest {
    let sender = Address::builder("Ion Popescu", "Sector 3", CountryCode::RO)
        .company("Magazin SRL")
        .street("Str. Fizicienilor")
        .number("12")
        .phone("0720000000")
        .build()
        .expect("a sender");
    let recipient = Address::builder("Maria Ionescu", "Târgu Frumos", CountryCode::RO)
        .region("Iași")
        .street("Str. Cuza Vodă")
        .number("7A")
        .postal_code("705300")
        .phone("0730000000")
        .email("maria@example.com")
        .build()
        .expect("a recipient");
    let parcel = Parcel::new(dec!(1.5))
        .expect("a parcel")
        .with_dimensions(dec!(30), dec!(20), dec!(10))
        .expect("dimensions");
    ShipmentRequest::new(reference, sender, recipient, vec![parcel])
}

#[tokio::test]
async fn a_cod_parcel_is_created_labelled_tracked_to_delivery_and_paid_out() {
    let sandbox = sandbox().await;
    let fan = courier(&sandbox);
    let mut req = request("order-1001");
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(199.99), Currency::RON),
        collection: CodCollection::Cash,
    });

    let created = fan.create_shipment(&req).await.expect("created");
    let number = created.id.tracking_number.clone();
    assert_eq!(number.len(), 13, "{number}");
    assert_eq!(created.reference, "order-1001");
    // 2 kg: 14.50 + 1.50, fuel 1.60, COD fee 2.00 (1 % of 199.99, at least 2).
    assert_eq!(created.price, Some(Money::new(dec!(19.60), Currency::RON)));
    let held = sandbox.sims().fancourier.awb(&number).expect("held");
    assert_eq!(held.cod, Some(dec!(199.99)));
    assert_eq!(held.locality, "Targu Frumos");

    let pdf = fan
        .label(&created.id, LabelFormat::PdfA6)
        .await
        .expect("a PDF label");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&pdf.bytes).contains(&number));
    let zpl = fan.label(&created.id, LabelFormat::Zpl).await.expect("ZPL");
    assert!(String::from_utf8_lossy(&zpl.bytes).starts_with("^XA"));

    let track = |fan: Arc<dyn Courier>, id: ShipmentId| async move {
        fan.track(&[id]).await.expect("tracked").remove(0)
    };
    let t = track(fan.clone(), created.id.clone()).await;
    assert!(!t.found, "not scanned yet: {t:?}");
    assert_eq!(t.status, TrackingStatus::Pending);

    sandbox.shared().clock.advance(3 * HOUR);
    let t = track(fan.clone(), created.id.clone()).await;
    assert_eq!(t.status, TrackingStatus::PickedUp);
    assert_eq!(t.raw_status.as_deref(), Some("C0"));
    let err = fan.cancel(&created.id).await.expect_err("picked up");
    assert!(err.message().contains("ridicata"), "{err}");

    sandbox.shared().clock.advance(6 * HOUR);
    assert_eq!(
        track(fan.clone(), created.id.clone()).await.status,
        TrackingStatus::InTransit
    );
    sandbox.shared().clock.advance(12 * HOUR);
    assert_eq!(
        track(fan.clone(), created.id.clone()).await.status,
        TrackingStatus::OutForDelivery
    );
    // No COD is paid out before delivery.
    let week = DateRange::new(
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
        NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
    )
    .expect("range");
    assert!(fan.cod_settlements(&week).await.expect("report").is_empty());

    sandbox.shared().clock.advance(6 * HOUR);
    let t = track(fan.clone(), created.id.clone()).await;
    assert_eq!(t.status, TrackingStatus::Delivered);
    assert_eq!(t.raw_status.as_deref(), Some("S2"));
    let delivered = t.delivered_at.expect("a delivery time");
    assert_eq!(delivered.to_rfc3339(), "2026-11-24T11:00:00+02:00");
    assert_eq!(t.events.len(), 6);
    assert_eq!(t.events[0].location.as_deref(), Some("Bucuresti"));
    assert_eq!(t.events[5].location.as_deref(), Some("Targu Frumos"));

    // Paid out the next working day (Wednesday).
    sandbox.shared().clock.advance(24 * HOUR);
    let settlements = fan.cod_settlements(&week).await.expect("report");
    assert_eq!(settlements.len(), 1, "{settlements:?}");
    assert_eq!(settlements[0].tracking_number, number);
    assert_eq!(settlements[0].reference.as_deref(), Some("order-1001"));
    assert_eq!(
        settlements[0].amount,
        Money::new(dec!(199.99), Currency::RON)
    );
    assert_eq!(
        settlements[0].paid_on,
        NaiveDate::from_ymd_opt(2026, 11, 25)
    );
    assert_eq!(
        sandbox
            .sims()
            .fancourier
            .awb(&number)
            .expect("held")
            .last_event
            .as_deref(),
        Some("S2")
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn an_awb_deleted_before_pickup_is_gone() {
    let sandbox = sandbox().await;
    let fan = courier(&sandbox);
    let created = fan
        .create_shipment(&request("order-1002"))
        .await
        .expect("created");
    fan.cancel(&created.id)
        .await
        .expect("deleted before pickup");
    assert!(
        sandbox
            .sims()
            .fancourier
            .awb(&created.id.tracking_number)
            .expect("kept")
            .deleted
    );

    let again = fan.cancel(&created.id).await.expect_err("already deleted");
    assert_eq!(again.kind(), ErrorKind::NotFound, "{again}");
    let label = fan
        .label(&created.id, LabelFormat::PdfA4)
        .await
        .expect_err("no label for a deleted AWB");
    assert_eq!(label.kind(), ErrorKind::NotFound, "{label}");
    sandbox.shared().clock.advance(30 * HOUR);
    let t = fan
        .track(std::slice::from_ref(&created.id))
        .await
        .expect("tracked")
        .remove(0);
    assert!(!t.found, "a deleted AWB never moves: {t:?}");
    sandbox.stop().await;
}

fn raw_shipment(locality: &str) -> AwbShipment {
    let mut address = AwbAddress::new("Cluj", locality);
    address.street = "Str. Horea".into();
    address.street_no = "3".into();
    let recipient = AwbParty::new("Ana Pop", "0740123123", address);
    AwbShipment::new(
        AwbInfo::new(
            ServiceName::Standard,
            Packages {
                parcel: 1,
                envelope: 0,
            },
            dec!(2),
        ),
        recipient,
    )
}

#[tokio::test]
async fn refused_shipments_carry_fans_field_paths_and_the_rest_of_the_batch_is_created() {
    let sandbox = sandbox().await;
    let fan = client(&sandbox);
    let results = fan
        .create_awbs(&[raw_shipment("Cluj-Napoca"), raw_shipment("Atlantida")])
        .await
        .expect("the batch is answered");
    assert_eq!(results.len(), 2);
    let first = results[0].as_ref().expect("the first is created");
    assert_eq!(first.awb_number.as_deref().map(str::len), Some(13));
    let second = results[1].as_ref().expect_err("the second is refused");
    assert!(
        matches!(second, FanCourierError::ShipmentRejected { index: 1, .. }),
        "{second:?}"
    );
    assert_eq!(second.field_errors()[0].field, "recipient.address.locality");
    assert_eq!(sandbox.sims().fancourier.awb_count(), 1);

    // Through the trait: no parcels' worth of packages and an unknown locality.
    let mut req = request("order-1003");
    req.recipient.locality = "Nicaieri".into();
    let err = courier(&sandbox)
        .create_shipment(&req)
        .await
        .expect_err("refused");
    assert!(err.is_validation(), "{err}");
    assert!(
        err.field_errors()
            .iter()
            .any(|f| f.field == "recipient.address.locality"),
        "{err:?}"
    );

    let mut no_packages = raw_shipment("Dej");
    no_packages.info.packages = Packages::default();
    no_packages.info.service = ServiceName::ContColector;
    let err = fan.create_awb(&no_packages).await.expect_err("refused");
    let fields: Vec<&str> = err
        .field_errors()
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert!(fields.contains(&"info.parcels"), "{fields:?}");
    assert!(fields.contains(&"info.cod"), "{fields:?}");

    let err = fan
        .track_awbs(&["12AB".to_owned()], flux_fancourier::Language::Ro)
        .await
        .expect_err("a malformed AWB number");
    let err = flux_core::ProviderError::from(err);
    assert!(err.is_validation(), "{err}");
    assert_eq!(err.http_status(), Some(422));
    assert_eq!(sandbox.sims().fancourier.awb_count(), 1);
    sandbox.stop().await;
}

#[tokio::test]
async fn wrong_credentials_are_refused_and_an_expired_token_is_renewed() {
    let sandbox = sandbox().await;
    let wrong = client_with(&sandbox, "not-the-password", Duration::from_secs(10));
    let err = Courier::services(&wrong).await.expect_err("refused");
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.http_status(), Some(401));

    let fan = courier(&sandbox);
    let services = fan.services().await.expect("services");
    assert!(services.iter().any(|s| s.code == "FANBox" && s.out_of_home));
    assert_eq!(sandbox.sims().fancourier.login_count(), 1);
    fan.services().await.expect("the token is reused");
    assert_eq!(sandbox.sims().fancourier.login_count(), 1);

    // A day and more of simulated time later the token is refused; the client logs in
    // again once and the call succeeds.
    sandbox.shared().clock.advance(25 * HOUR);
    fan.services().await.expect("renewed");
    assert_eq!(sandbox.sims().fancourier.login_count(), 2);

    // Another account's client id is not this user's.
    let other = FanCourierClient::builder(
        "9999999",
        DEFAULT_USERNAME,
        SecretString::from(DEFAULT_PASSWORD),
    )
    .base_url(sandbox.base_url(Provider::FanCourier))
    .build()
    .expect("builds");
    let err = Courier::services(&other).await.expect_err("forbidden");
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.http_status(), Some(403));
    sandbox.stop().await;
}

#[tokio::test]
async fn logging_in_over_and_over_trips_the_throttle() {
    let sandbox = sandbox().await;
    for i in 0..flux_sandbox::fancourier::LOGIN_LIMIT_PER_HOUR {
        client(&sandbox)
            .login()
            .await
            .unwrap_or_else(|e| panic!("login {i}: {e}"));
    }
    let err = client(&sandbox).login().await.expect_err("throttled");
    let err = flux_core::ProviderError::from(err);
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert!(
        err.retry_after()
            .is_some_and(|w| w > Duration::from_secs(60)),
        "{err:?}"
    );
    assert!(sandbox.shared().limits.violations("fancourier") >= 1);
    sandbox.stop().await;
}

#[tokio::test]
async fn an_answer_lost_after_the_awb_was_created_can_be_reconciled_from_the_slip() {
    let sandbox = sandbox().await;
    let fan = client_with(&sandbox, DEFAULT_PASSWORD, Duration::from_millis(700));
    fan.login().await.expect("login");
    sandbox.shared().faults.set(
        "fancourier",
        FaultPlan {
            drop_after_effect_per_mille: 1000,
            hang: Duration::from_secs(3),
            ..FaultPlan::default()
        },
    );
    let courier: Arc<dyn Courier> = Arc::new(fan.clone());
    let err = courier
        .create_shipment(&request("order-2001"))
        .await
        .expect_err("the answer is lost");
    assert!(err.maybe_sent(), "{err:?}");
    sandbox.shared().faults.clear("fancourier");

    // The AWB exists exactly once, and the day's slip shows it with our reference.
    let held = sandbox.sims().fancourier.awbs_with_content("order-2001");
    assert_eq!(held.len(), 1, "{held:?}");
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let slip = fan.shipping_slip(today, 1, 100).await.expect("the slip");
    assert_eq!(slip.total, 1);
    assert_eq!(slip.items[0].info.awb_number, held[0].number);
    assert_eq!(slip.items[0].info.content.as_deref(), Some("order-2001"));
    sandbox.stop().await;
}

#[tokio::test]
async fn injected_server_errors_surface_as_unavailable() {
    let sandbox = sandbox().await;
    let fan = courier(&sandbox);
    fan.services().await.expect("logged in");
    sandbox.shared().faults.set(
        "fancourier",
        FaultPlan {
            error_per_mille: 1000,
            ..FaultPlan::default()
        },
    );
    let err = fan
        .create_shipment(&request("order-3001"))
        .await
        .expect_err("503");
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert!(err.is_retryable());
    assert_eq!(sandbox.sims().fancourier.awb_count(), 0, "nothing happened");
    sandbox.stop().await;
}

#[tokio::test]
async fn lockers_courier_orders_and_quotes() {
    let sandbox = sandbox().await;
    let fan = courier(&sandbox);
    let mut query = PickupPointQuery::default();
    query.kind = Some(PickupPointKind::Locker);
    query.locality = Some("Cluj-Napoca".into());
    let lockers = fan.pickup_points(&query).await.expect("lockers");
    assert_eq!(lockers.len(), 1, "{lockers:?}");
    let locker = &lockers[0];
    assert_eq!(locker.id, "F1014001");
    assert!(locker.location.is_some());

    let mut req = request("order-4001");
    req.delivery = DeliveryTarget::PickupPoint {
        id: locker.id.clone(),
        kind: PickupPointKind::Locker,
        address: Some(Box::new(locker.address.clone())),
    };
    let created = fan.create_shipment(&req).await.expect("to the locker");
    let held = sandbox
        .sims()
        .fancourier
        .awb(&created.id.tracking_number)
        .expect("held");
    assert_eq!(held.service, "FANBox");
    assert_eq!(held.pickup_point.as_deref(), Some("F1014001"));

    let mut bad = req.clone();
    bad.delivery = DeliveryTarget::PickupPoint {
        id: "F0000000".into(),
        kind: PickupPointKind::Locker,
        address: Some(Box::new(locker.address.clone())),
    };
    let err = fan.create_shipment(&bad).await.expect_err("unknown locker");
    assert_eq!(
        err.field_errors()[0].field,
        "recipient.address.pickupLocationId"
    );

    let quote = fan.quote(&request("order-4002")).await.expect("a quote");
    assert_eq!(quote.service, "Standard");
    assert_eq!(quote.total.amount(), dec!(21.30)); // 17.60 + 21 % VAT

    let tomorrow = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let pickup = PickupRequest::new(
        tomorrow,
        NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
        NaiveTime::from_hms_opt(14, 0, 0).expect("time"),
        3,
        dec!(7.5),
    );
    let confirmation = fan.order_pickup(&pickup).await.expect("ordered");
    assert_eq!(confirmation.date, tomorrow);
    let orders = sandbox.sims().fancourier.courier_orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].id, confirmation.id);
    assert_eq!(orders[0].parcels, 3);

    // FAN refuses a pickup in the past, with its field path.
    let raw = client(&sandbox);
    let yesterday = CourierOrderRequest::new(
        Packages {
            parcel: 1,
            envelope: 0,
        },
        dec!(1),
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"),
        NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
        NaiveTime::from_hms_opt(14, 0, 0).expect("time"),
    );
    let err = raw
        .create_courier_order(&yesterday)
        .await
        .expect_err("past");
    assert_eq!(err.field_errors()[0].field, "info.pickupDate");
    raw.delete_courier_order(&confirmation.id)
        .await
        .expect("cancelled");
    assert!(sandbox.sims().fancourier.courier_orders()[0].cancelled);
    sandbox.stop().await;
}
