//! Contract tests: the real `flux-cargus` client, through `Arc<dyn Courier>` where the crate
//! implements it, against the Cargus simulator.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use flux_cargus::{AwbAddress, CargusClient, CargusError, NewAwb, ParcelCode};
use flux_core::courier::{
    CashOnDelivery, CodCollection, Courier, DateRange, DeliveryTarget, LabelFormat,
    PickupPointKind, PickupPointQuery, PickupRequest, ShipmentRequest, TrackingStatus,
};
use flux_core::{Address, CountryCode, Currency, ErrorKind, Money, Parcel, ProviderError};
use flux_http::RetryPolicy;
use flux_http::secret::SecretString;
use flux_sandbox::cargus::{
    DEFAULT_LOCATION_ID, DEFAULT_PASSWORD, DEFAULT_SUBSCRIPTION_KEY, DEFAULT_USERNAME,
    RATE_LIMIT_CALLS,
};
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

fn client_with(
    sandbox: &RunningSandbox,
    key: &str,
    password: &str,
    timeout: Duration,
    retry: RetryPolicy,
) -> CargusClient {
    CargusClient::builder(
        SecretString::from(key.to_owned()),
        DEFAULT_USERNAME,
        SecretString::from(password.to_owned()),
    )
    .base_url(sandbox.base_url(Provider::Cargus))
    .default_location_id(DEFAULT_LOCATION_ID)
    .timeout(timeout)
    .retry_policy(retry)
    .build()
    .expect("the client builds")
}

fn client(sandbox: &RunningSandbox) -> CargusClient {
    client_with(
        sandbox,
        DEFAULT_SUBSCRIPTION_KEY,
        DEFAULT_PASSWORD,
        Duration::from_secs(10),
        RetryPolicy::default(),
    )
}

fn courier(sandbox: &RunningSandbox) -> Arc<dyn Courier> {
    Arc::new(client(sandbox))
}

fn request(reference: &str, kg: rust_decimal::Decimal) -> ShipmentRequest {
    let sender = Address::builder("Depozit Pitesti", "Pitesti", CountryCode::RO)
        .region("Argeș")
        .street("Str. Republicii")
        .number("5")
        .phone("0727698210")
        .build()
        .expect("a sender");
    let recipient = Address::builder("Ana Pop", "Iași", CountryCode::RO)
        .region("Iași")
        .street("Str. Lăpușneanu")
        .number("14")
        .phone("0740123123")
        .email("ana@example.com")
        .build()
        .expect("a recipient");
    let parcel = Parcel::new(kg)
        .expect("a parcel")
        .with_dimensions(dec!(30), dec!(20), dec!(10))
        .expect("dimensions");
    ShipmentRequest::new(reference, sender, recipient, vec![parcel])
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
}

#[tokio::test]
async fn a_cod_parcel_is_created_labelled_tracked_to_delivery_and_paid_out() {
    let sandbox = sandbox().await;
    let cargus = courier(&sandbox);
    let mut req = request("order-1001", dec!(2.4));
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(149.90), Currency::RON),
        collection: CodCollection::Cash,
    });
    req.options.open_package = true;

    let created = cargus.create_shipment(&req).await.expect("created");
    let barcode = created.id.tracking_number.clone();
    let held = sandbox.sims().cargus.awb(&barcode).expect("held");
    assert_eq!(held.service_id, 34);
    assert_eq!(held.custom_string.as_deref(), Some("order-1001"));
    assert_eq!(held.cash_repayment, dec!(149.9));
    assert_eq!(held.locality, "Iasi");

    for format in [LabelFormat::PdfA4, LabelFormat::Pdf10x14] {
        let label = cargus.label(&created.id, format).await.expect("a label");
        assert!(label.bytes.starts_with(b"%PDF-"), "{format:?}");
        assert!(String::from_utf8_lossy(&label.bytes).contains(&barcode));
    }
    let err = cargus
        .label(&created.id, LabelFormat::Zpl)
        .await
        .expect_err("Cargus has no ZPL");
    assert!(err.is_unsupported());

    let t = cargus
        .track(std::slice::from_ref(&created.id))
        .await
        .expect("tracked")
        .remove(0);
    assert_eq!(t.status, TrackingStatus::Pending);
    assert!(t.events.is_empty());

    sandbox.shared().clock.advance(3 * HOUR);
    let t = cargus
        .track(std::slice::from_ref(&created.id))
        .await
        .expect("tracked")
        .remove(0);
    assert_eq!(t.raw_status.as_deref(), Some("1"));
    assert_eq!(t.events[0].location.as_deref(), Some("Pitesti"));
    let err = cargus
        .cancel(&created.id)
        .await
        .expect_err("already scanned");
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");

    sandbox.shared().clock.advance(18 * HOUR);
    let t = cargus
        .track(std::slice::from_ref(&created.id))
        .await
        .expect("tracked")
        .remove(0);
    assert_eq!(t.raw_status.as_deref(), Some("4"), "out for delivery");
    assert_ne!(t.status, TrackingStatus::Delivered);
    let week = DateRange::new(
        today(),
        NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
    )
    .expect("range");
    assert!(
        cargus
            .cod_settlements(&week)
            .await
            .expect("report")
            .is_empty()
    );

    sandbox.shared().clock.advance(6 * HOUR);
    let t = cargus
        .track(std::slice::from_ref(&created.id))
        .await
        .expect("tracked")
        .remove(0);
    assert_eq!(t.status, TrackingStatus::Delivered);
    assert_eq!(t.raw_status.as_deref(), Some("21"));
    assert_eq!(t.events.len(), 5);
    assert_eq!(
        t.delivered_at.expect("delivered").to_rfc3339(),
        "2026-11-24T11:00:00+02:00"
    );
    assert_eq!(t.events[4].location.as_deref(), Some("Iasi"));

    // Collected at delivery; paid out the next working day.
    let settlements = cargus.cod_settlements(&week).await.expect("report");
    assert_eq!(settlements.len(), 1);
    assert_eq!(settlements[0].tracking_number, barcode);
    assert_eq!(settlements[0].reference.as_deref(), Some("order-1001"));
    assert_eq!(
        settlements[0].amount,
        Money::new(dec!(149.90), Currency::RON)
    );
    assert_eq!(
        settlements[0].paid_on,
        NaiveDate::from_ymd_opt(2026, 11, 24)
    );
    sandbox.shared().clock.advance(24 * HOUR);
    let settlements = cargus.cod_settlements(&week).await.expect("report");
    assert_eq!(
        settlements[0].paid_on,
        NaiveDate::from_ymd_opt(2026, 11, 25)
    );
    assert!(settlements[0].payment_reference.is_some());
    sandbox.stop().await;
}

#[tokio::test]
async fn an_awb_deleted_before_pickup_is_gone_and_found_by_reference_otherwise() {
    let sandbox = sandbox().await;
    let cargus = courier(&sandbox);
    let kept = cargus
        .create_shipment(&request("order-2001", dec!(1)))
        .await
        .expect("created");
    let gone = cargus
        .create_shipment(&request("order-2002", dec!(1)))
        .await
        .expect("created");
    cargus
        .cancel(&gone.id)
        .await
        .expect("deleted before pickup");
    assert!(
        sandbox
            .sims()
            .cargus
            .awb(&gone.id.tracking_number)
            .expect("kept")
            .deleted
    );
    let err = cargus.cancel(&gone.id).await.expect_err("already deleted");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = cargus
        .label(&gone.id, LabelFormat::PdfA4)
        .await
        .expect_err("no label");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");

    let found = cargus
        .find_by_reference("order-2001", today())
        .await
        .expect("looked up")
        .expect("found");
    assert_eq!(found.id, kept.id);
    assert_eq!(
        cargus
            .find_by_reference("order-2002", today())
            .await
            .expect("looked up"),
        None,
        "a deleted AWB is not a shipment"
    );
    assert_eq!(
        cargus
            .find_by_reference("order-9999", today())
            .await
            .expect("looked up"),
        None
    );
    let details = client(&sandbox)
        .awb(&kept.id.tracking_number)
        .await
        .expect("details")
        .expect("present");
    assert_eq!(details.custom_string.as_deref(), Some("order-2001"));
    assert_eq!(details.status.as_deref(), Some("Tiparit"));
    sandbox.stop().await;
}

fn raw_awb(weights: &[u32], service: u32) -> NewAwb {
    let mut recipient = AwbAddress::default();
    recipient.name = Some("Ana Pop".into());
    recipient.county_name = Some("Iasi".into());
    recipient.locality_name = Some("Iasi".into());
    recipient.address_text = Some("Str. Lapusneanu 14".into());
    recipient.phone_number = Some("0740123123".into());
    let codes = weights
        .iter()
        .enumerate()
        .map(|(i, w)| ParcelCode::new(i.to_string(), 1, (*w).into()))
        .collect();
    let mut awb = NewAwb::new(DEFAULT_LOCATION_ID, recipient, codes);
    awb.service_id = Some(flux_cargus::service::ServiceId::from_id(service));
    awb
}

#[tokio::test]
async fn service_rules_and_malformed_awbs_are_refused_the_way_cargus_refuses_them() {
    let sandbox = sandbox().await;
    let raw = client(&sandbox);
    let refused = |e: CargusError| ProviderError::from(e);

    // The trait picks the right service for a 40 kg parcel and for two parcels.
    let cargus = courier(&sandbox);
    let heavy = cargus
        .create_shipment(&request("order-3001", dec!(40)))
        .await
        .expect("created");
    assert_eq!(
        sandbox
            .sims()
            .cargus
            .awb(&heavy.id.tracking_number)
            .expect("held")
            .service_id,
        35
    );
    let mut two = request("order-3002", dec!(5));
    two.parcels.push(Parcel::new(dec!(7)).expect("a parcel"));
    let two = cargus.create_shipment(&two).await.expect("created");
    assert_eq!(
        sandbox
            .sims()
            .cargus
            .awb(&two.id.tracking_number)
            .expect("held")
            .service_id,
        39
    );

    // Forced onto the wrong service, Cargus says no.
    for (weights, service) in [
        (&[40][..], 34),
        (&[5, 7][..], 34),
        (&[20][..], 35),
        (&[5][..], 39),
        (&[5][..], 1),
    ] {
        let err = refused(
            raw.create_awb(&raw_awb(weights, service))
                .await
                .expect_err("refused"),
        );
        assert_eq!(
            err.kind(),
            ErrorKind::Validation,
            "{weights:?} on {service}: {err}"
        );
        assert_eq!(err.http_status(), Some(400));
    }

    let mut no_phone = raw_awb(&[2], 34);
    no_phone.recipient.phone_number = None;
    let err = refused(raw.create_awb(&no_phone).await.expect_err("refused"));
    assert!(
        err.field_errors()
            .iter()
            .any(|f| f.field == "Recipient.PhoneNumber"),
        "{err:?}"
    );

    let mut nowhere = raw_awb(&[2], 34);
    nowhere.recipient.locality_name = Some("Atlantida".into());
    let err = refused(raw.create_awb(&nowhere).await.expect_err("refused"));
    assert!(
        err.message().contains("Localitatea destinatarului"),
        "{err}"
    );

    let mut someone_elses = raw_awb(&[2], 34);
    someone_elses.sender = AwbAddress::pickup_location(123);
    let err = refused(raw.create_awb(&someone_elses).await.expect_err("refused"));
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");

    let mut mismatched = raw_awb(&[2], 34);
    mismatched.parcels = 2;
    let err = refused(raw.create_awb(&mismatched).await.expect_err("refused"));
    assert!(err.message().contains("ParcelCodes"), "{err}");

    assert_eq!(sandbox.sims().cargus.awb_count(), 2);
    sandbox.stop().await;
}

#[tokio::test]
async fn both_credentials_are_checked_on_every_call_and_an_expired_token_is_renewed() {
    let sandbox = sandbox().await;
    let wrong_key = client_with(
        &sandbox,
        "not-a-key",
        DEFAULT_PASSWORD,
        Duration::from_secs(10),
        RetryPolicy::default(),
    );
    let err = ProviderError::from(wrong_key.login().await.expect_err("gateway refuses"));
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.http_status(), Some(401));

    let wrong_password = client_with(
        &sandbox,
        DEFAULT_SUBSCRIPTION_KEY,
        "nope",
        Duration::from_secs(10),
        RetryPolicy::default(),
    );
    let err = ProviderError::from(wrong_password.login().await.expect_err("refused"));
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.http_status(), Some(400));

    let cargus = client(&sandbox);
    assert!(cargus.verify_token().await.expect("verified"));
    assert_eq!(sandbox.sims().cargus.login_count(), 1);
    assert!(cargus.verify_token().await.expect("reused"));
    assert_eq!(sandbox.sims().cargus.login_count(), 1);
    sandbox.shared().clock.advance(25 * HOUR);
    assert!(
        cargus
            .verify_token()
            .await
            .expect("renewed after a refusal")
    );
    assert_eq!(sandbox.sims().cargus.login_count(), 2);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_burst_over_the_gateway_limit_is_refused_with_retry_after() {
    let sandbox = sandbox().await;
    let cargus = client_with(
        &sandbox,
        DEFAULT_SUBSCRIPTION_KEY,
        DEFAULT_PASSWORD,
        Duration::from_secs(10),
        RetryPolicy::none(),
    );
    let mut refused = None;
    for i in 0..=RATE_LIMIT_CALLS {
        if let Err(e) = cargus.verify_token().await {
            refused = Some((i, ProviderError::from(e)));
            break;
        }
    }
    let (at, err) = refused.expect("the burst is refused");
    // LoginUser counts against the same key: the 100th call after it is refused.
    assert_eq!(at, RATE_LIMIT_CALLS - 1);
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert!(
        err.retry_after()
            .is_some_and(|w| w <= Duration::from_secs(10))
    );
    assert!(err.message().contains("Rate limit is exceeded"), "{err}");
    assert_eq!(sandbox.shared().limits.violations("cargus"), 1);
    sandbox.stop().await;
}

#[tokio::test]
async fn an_answer_lost_after_the_awb_was_created_is_found_by_reference() {
    let sandbox = sandbox().await;
    let cargus = client_with(
        &sandbox,
        DEFAULT_SUBSCRIPTION_KEY,
        DEFAULT_PASSWORD,
        Duration::from_millis(700),
        RetryPolicy::default(),
    );
    cargus.login().await.expect("login");
    sandbox.shared().faults.set(
        "cargus",
        FaultPlan {
            drop_after_effect_per_mille: 1000,
            hang: Duration::from_secs(3),
            ..FaultPlan::default()
        },
    );
    let courier: Arc<dyn Courier> = Arc::new(cargus);
    let err = courier
        .create_shipment(&request("order-4001", dec!(1)))
        .await
        .expect_err("the answer is lost");
    assert!(err.maybe_sent(), "{err:?}");
    sandbox.shared().faults.clear("cargus");

    assert_eq!(
        sandbox
            .sims()
            .cargus
            .awbs_with_reference("order-4001")
            .len(),
        1
    );
    let found = courier
        .find_by_reference("order-4001", today())
        .await
        .expect("looked up")
        .expect("the AWB exists");
    assert_eq!(
        found.id.tracking_number,
        sandbox.sims().cargus.awbs_with_reference("order-4001")[0].barcode
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn ship_and_go_quotes_and_courier_orders() {
    let sandbox = sandbox().await;
    let cargus = courier(&sandbox);
    let mut query = PickupPointQuery::default();
    query.locality = Some("Iași".into());
    let points = cargus.pickup_points(&query).await.expect("points");
    assert_eq!(points.len(), 1, "{points:?}");
    assert_eq!(points[0].id, "201778");
    assert_eq!(points[0].accepts_cod, Some(true));

    // No open order yet: nothing to collect.
    let tomorrow = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let pickup = PickupRequest::new(
        tomorrow,
        NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
        NaiveTime::from_hms_opt(14, 0, 0).expect("time"),
        2,
        dec!(3),
    );
    let err = cargus
        .order_pickup(&pickup)
        .await
        .expect_err("nothing to collect");
    assert!(err.is_validation(), "{err}");

    let mut req = request("order-5001", dec!(2));
    req.delivery = DeliveryTarget::PickupPoint {
        id: points[0].id.clone(),
        kind: PickupPointKind::Shop,
        address: None,
    };
    let to_point = cargus.create_shipment(&req).await.expect("to Ship & Go");
    let held = sandbox
        .sims()
        .cargus
        .awb(&to_point.id.tracking_number)
        .expect("held");
    assert_eq!(held.service_id, 38);
    assert_eq!(held.pudo_point, Some(201_778));
    cargus
        .create_shipment(&request("order-5002", dec!(1)))
        .await
        .expect("created");

    let quote = cargus
        .quote(&request("order-5003", dec!(3)))
        .await
        .expect("a quote");
    assert_eq!(quote.service, "34");
    // 12.60 + 2 × 1.20 = 15.00, + 21 % VAT.
    assert_eq!(quote.net, Some(Money::new(dec!(15), Currency::RON)));
    assert_eq!(quote.total.amount(), dec!(18.15));

    let confirmation = cargus.order_pickup(&pickup).await.expect("ordered");
    assert_eq!(confirmation.date, tomorrow);
    let orders = sandbox.sims().cargus.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].id, confirmation.id);
    assert_eq!(orders[0].status, 1);
    assert_eq!(orders[0].awbs, 2);
    assert_eq!(held.order_id, confirmation.id);

    // The next AWB opens a new order.
    let later = cargus
        .create_shipment(&request("order-5004", dec!(1)))
        .await
        .expect("created");
    let later = sandbox
        .sims()
        .cargus
        .awb(&later.id.tracking_number)
        .expect("held");
    assert_ne!(later.order_id, confirmation.id);
    let by_order = client(&sandbox)
        .awbs_by_order(confirmation.id.parse().expect("numeric"))
        .await
        .expect("the order's AWBs");
    assert_eq!(by_order.len(), 2);
    sandbox.stop().await;
}
