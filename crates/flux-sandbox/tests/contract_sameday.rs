//! Contract tests: the real `flux-sameday` client against the Sameday simulator, through
//! `Arc<dyn Courier>` where the crate implements it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DurationRound, Utc};
use flux_core::courier::{
    CashOnDelivery, CodCollection, Courier, DeliveryTarget, LabelFormat, PickupPointKind,
    PickupPointQuery, ShipmentId, ShipmentRequest, TrackingStatus,
};
use flux_core::{Address, CountryCode, Currency, ErrorKind, Money, Parcel};
use flux_http::{Method, RetryPolicy};
use flux_sameday::types::{AwbParty, CreateAwb, Location, NewParcel, ParcelDimensions};
use flux_sameday::{AwbPdfFormat, SamedayClient};
use flux_sandbox::sameday::{DEFAULT_PASSWORD, DEFAULT_USERNAME, TOKEN_LIFETIME};
use flux_sandbox::{FaultPlan, Provider, RunningSandbox, Sandbox, SimClock};
use rust_decimal_macros::dec;

const HOUR: Duration = Duration::from_secs(3600);

async fn sandbox() -> (RunningSandbox, SimClock) {
    let origin = Utc::now()
        .duration_trunc(chrono::Duration::hours(1))
        .expect("truncate");
    let clock = SimClock::manual(origin);
    let sandbox = Sandbox::builder()
        .clock(clock.clone())
        .start()
        .await
        .expect("sandbox starts");
    (sandbox, clock)
}

fn client_with(sandbox: &RunningSandbox, user: &str, password: &str) -> SamedayClient {
    SamedayClient::builder(user, password.into())
        .base_url(sandbox.base_url(Provider::Sameday))
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn client(sandbox: &RunningSandbox) -> SamedayClient {
    client_with(sandbox, DEFAULT_USERNAME, DEFAULT_PASSWORD)
}

fn courier(sandbox: &RunningSandbox) -> Arc<dyn Courier> {
    Arc::new(client(sandbox))
}

fn request(reference: &str) -> ShipmentRequest {
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
        reference,
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

fn to_point(mut req: ShipmentRequest, id: &str, kind: PickupPointKind) -> ShipmentRequest {
    req.delivery = DeliveryTarget::PickupPoint {
        id: id.to_owned(),
        kind,
        address: None,
    };
    req
}

#[tokio::test]
async fn door_shipment_from_quote_to_delivery() {
    let (sandbox, clock) = sandbox().await;
    let courier = courier(&sandbox);
    let sim = &sandbox.sims().sameday;

    let codes: Vec<String> = courier
        .services()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(codes, vec!["24", "LN", "PP"]);

    let mut req = request("ORDER-1001");
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(149.99), Currency::RON),
        collection: CodCollection::Cash,
    });
    req.declared_value = Some(Money::new(dec!(150), Currency::RON));
    req.options.open_package = true;

    let quote = courier.quote(&req).await.unwrap();
    assert_eq!(quote.service, "24");
    let created = courier.create_shipment(&req).await.unwrap();
    let awb = created.id.tracking_number.clone();
    assert!(awb.starts_with("1SDY"), "{awb}");
    let parcels: Vec<String> = created
        .id
        .parcels
        .iter()
        .map(|p| p.tracking_number.clone())
        .collect();
    assert_eq!(parcels, vec![format!("{awb}001"), format!("{awb}002")]);
    // The quote is what the AWB costs: 16.50 base + 1 extra kg + COD + 1 % insurance +
    // open package.
    let price = created.price.expect("price");
    assert_eq!(price.amount(), quote.total.amount());
    assert_eq!(price.amount(), dec!(21.38));

    let record = sim.awb(&awb).expect("the simulator keeps the AWB");
    assert_eq!(record.recipient_city, "Sectorul 3");
    assert_eq!(record.cash_on_delivery, dec!(149.99));
    assert_eq!(record.pickup_point, 1641, "the default pickup point");
    assert_eq!(record.reference.as_deref(), Some("ORDER-1001"));
    assert_eq!(sim.awb_count(), 1);

    for format in [LabelFormat::PdfA4, LabelFormat::PdfA6] {
        let label = courier.label(&created.id, format).await.unwrap();
        assert!(label.bytes.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&label.bytes);
        assert!(text.contains(&awb));
    }
    let zpl = courier.label(&created.id, LabelFormat::Zpl).await;
    assert!(zpl.unwrap_err().is_validation());

    let track = |c: Arc<dyn Courier>, id: ShipmentId| async move {
        c.track(&[id]).await.unwrap().remove(0)
    };
    let t = track(courier.clone(), created.id.clone()).await;
    assert!(t.found);
    assert_eq!(t.status, TrackingStatus::Pending);
    assert_eq!(t.raw_status.as_deref(), Some("1"));

    clock.advance(4 * HOUR);
    let t = track(courier.clone(), created.id.clone()).await;
    assert_eq!(t.status, TrackingStatus::PickedUp);
    // Picked up: Sameday no longer deletes it.
    let err = courier.cancel(&created.id).await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(err.http_status(), Some(400));

    clock.advance(15 * HOUR);
    let t = track(courier.clone(), created.id.clone()).await;
    assert_eq!(t.status, TrackingStatus::OutForDelivery);
    courier
        .change_cod(&created.id, &Money::new(dec!(120), Currency::RON))
        .await
        .unwrap();
    assert_eq!(sim.awb(&awb).unwrap().cash_on_delivery, dec!(120));

    clock.advance(4 * HOUR);
    let t = track(courier.clone(), created.id.clone()).await;
    assert_eq!(t.status, TrackingStatus::Delivered);
    assert_eq!(t.raw_status.as_deref(), Some("9"));
    assert!(t.delivered_at.is_some());
    let codes: Vec<&str> = t.events.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["1", "4", "56", "33", "9"]);

    let err = courier
        .change_cod(&created.id, &Money::new(dec!(1), Currency::RON))
        .await
        .unwrap_err();
    assert!(err.is_validation());
    sandbox.stop().await;
}

#[tokio::test]
async fn lockers_and_pudo_points() {
    let (sandbox, clock) = sandbox().await;
    let courier = courier(&sandbox);

    let mut query = PickupPointQuery::default();
    query.kind = Some(PickupPointKind::Locker);
    let lockers = courier.pickup_points(&query).await.unwrap();
    assert!(lockers.len() >= 3);
    assert!(lockers.iter().all(|p| p.kind == PickupPointKind::Locker));
    query.kind = Some(PickupPointKind::Shop);
    let shops = courier.pickup_points(&query).await.unwrap();
    assert!(shops.iter().any(|p| p.id == "5012"));

    let locker = to_point(request("ORDER-L1"), "2", PickupPointKind::Locker);
    let created = courier.create_shipment(&locker).await.unwrap();
    let record = sandbox
        .sims()
        .sameday
        .awb(&created.id.tracking_number)
        .unwrap();
    assert_eq!(record.service_code, "LN");
    let pudo = to_point(request("ORDER-P1"), "5012", PickupPointKind::Shop);
    let pudo_created = courier.create_shipment(&pudo).await.unwrap();
    assert_eq!(
        sandbox
            .sims()
            .sameday
            .awb(&pudo_created.id.tracking_number)
            .unwrap()
            .service_code,
        "PP"
    );

    clock.advance(19 * HOUR);
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert_eq!(t[0].status, TrackingStatus::ReadyForPickup);
    clock.advance(8 * HOUR);
    let t = courier
        .track(&[created.id.clone(), pudo_created.id.clone()])
        .await
        .unwrap();
    assert!(t.iter().all(|r| r.status == TrackingStatus::Delivered));

    // An easybox that does not exist: Sameday's own answer, field by field.
    let err = courier
        .create_shipment(&to_point(
            request("ORDER-L2"),
            "999",
            PickupPointKind::Locker,
        ))
        .await
        .unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.field_errors()[0].field, "lockerLastMile");
    sandbox.stop().await;
}

#[tokio::test]
async fn cancel_before_pickup_and_duplicate_references() {
    let (sandbox, _clock) = sandbox().await;
    let courier = courier(&sandbox);
    let created = courier.create_shipment(&request("ORDER-7")).await.unwrap();

    let err = courier
        .create_shipment(&request("ORDER-7"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.field_errors()[0].field, "clientInternalReference");
    assert_eq!(sandbox.sims().sameday.awb_count(), 1);

    courier.cancel(&created.id).await.unwrap();
    assert!(
        sandbox
            .sims()
            .sameday
            .awb(&created.id.tracking_number)
            .unwrap()
            .deleted
    );
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert!(!t[0].found);
    let err = courier.cancel(&created.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    // The reference of a deleted AWB is free again.
    let again = courier.create_shipment(&request("ORDER-7")).await.unwrap();
    assert_ne!(again.id.tracking_number, created.id.tracking_number);
    sandbox.stop().await;
}

#[tokio::test]
async fn invalid_input_comes_back_as_sameday_field_errors() {
    let (sandbox, _clock) = sandbox().await;
    let client = client(&sandbox);
    let recipient = AwbParty::new(
        "Ana Pop",
        "0722000111",
        "Str. Lunga 5",
        Location::Name("Nicaieri".into()),
        Location::Name("Atlantis".into()),
    );
    let mut awb = CreateAwb::new(4242, 7, recipient, vec![ParcelDimensions::new(dec!(0))]);
    awb.client_internal_reference = Some("BAD-1".into());
    let err = client.create_awb(&awb).await.unwrap_err();
    let mut fields: Vec<String> = err
        .field_errors()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "awbRecipient.countyString: Invalid county.",
            "packageWeight: This value should be greater than 0.",
            "parcels[0].weight: This value should be greater than 0.",
            "pickupPoint: The given pickupPoint is invalid!",
        ]
    );
    // A Bucharest address without a sector.
    let recipient = AwbParty::new(
        "Ana Pop",
        "0722000111",
        "Str. Lunga 5",
        Location::Name("Bucuresti".into()),
        Location::Name("Bucuresti".into()),
    );
    let awb = CreateAwb::new(1641, 7, recipient, vec![ParcelDimensions::new(dec!(1))]);
    let err = client.create_awb(&awb).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "awbRecipient.cityString");
    assert_eq!(sandbox.sims().sameday.awb_count(), 0);

    // Through the trait: an unknown pickup point of ours.
    let mut req = request("ORDER-X");
    req.sender_location_id = Some("999".into());
    let err = courier(&sandbox).create_shipment(&req).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(err.http_status(), Some(400));
    assert_eq!(err.field_errors()[0].field, "pickupPoint");
    sandbox.stop().await;
}

#[tokio::test]
async fn credentials_and_token_expiry() {
    let (sandbox, clock) = sandbox().await;
    let wrong = client_with(&sandbox, DEFAULT_USERNAME, "nope");
    let err = flux_core::ProviderError::from(wrong.login().await.unwrap_err());
    assert!(err.is_auth());
    assert_eq!(err.http_status(), Some(401));
    assert!(err.message().contains("Bad credentials"), "{err}");
    let courier: Arc<dyn Courier> = Arc::new(wrong);
    assert!(courier.services().await.unwrap_err().is_auth());
    assert_eq!(sandbox.sims().sameday.login_count(), 0);

    // Another account sees none of the default account's AWBs.
    sandbox.sims().sameday.add_account("other", "other-pass");
    let mine = courier_for(&sandbox)
        .create_shipment(&request("R-1"))
        .await
        .unwrap();
    let other: Arc<dyn Courier> = Arc::new(client_with(&sandbox, "other", "other-pass"));
    assert!(!other.track(std::slice::from_ref(&mine.id)).await.unwrap()[0].found);

    // The token expires on the simulated clock: the client logs in again by itself.
    let c = client(&sandbox);
    c.counties(None).await.unwrap();
    let logins = sandbox.sims().sameday.login_count();
    clock.advance(TOKEN_LIFETIME + HOUR);
    let counties = c.counties(Some("Cluj")).await.unwrap();
    assert_eq!(counties.len(), 1);
    assert_eq!(counties[0].code, "CJ");
    assert_eq!(sandbox.sims().sameday.login_count(), logins + 1);

    // Without a token at all.
    let raw = flux_http::HttpClient::builder("sameday")
        .base_url(sandbox.base_url(Provider::Sameday))
        .build()
        .unwrap();
    let resp = raw
        .request(Method::GET, "api/client/services")
        .send_raw()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    sandbox.stop().await;
}

fn courier_for(sandbox: &RunningSandbox) -> Arc<dyn Courier> {
    courier(sandbox)
}

#[tokio::test]
async fn parcels_history_and_status_sync_windows() {
    let (sandbox, clock) = sandbox().await;
    let client = client(&sandbox);
    let start = sandbox.shared().clock.now();
    let courier: Arc<dyn Courier> = Arc::new(client.clone());
    let created = courier.create_shipment(&request("SYNC-1")).await.unwrap();
    let awb = created.id.tracking_number.clone();

    let added = client
        .add_parcel(&awb, &NewParcel::new(dec!(2), 3, true))
        .await
        .unwrap();
    assert_eq!(added.as_deref(), Some(format!("{awb}003").as_str()));
    client
        .update_parcel_size(
            &format!("{awb}001"),
            &ParcelDimensions::new(dec!(1.5)).size(dec!(10), dec!(20), dec!(30)),
        )
        .await
        .unwrap();
    let record = sandbox.sims().sameday.awb(&awb).unwrap();
    assert_eq!(record.parcels.len(), 3);
    assert_eq!(record.parcels[0].weight, dec!(1.5));

    clock.advance(23 * HOUR);
    let history = client
        .parcel_status_history(&format!("{awb}001"))
        .await
        .unwrap();
    assert!(history.parcel_summary.delivered && history.parcel_summary.is_picked_up);
    assert_eq!(history.parcel_history.len(), 5);

    // 23 hours: twelve 2-hour windows, every parcel's five statuses.
    let entries = client
        .status_sync(start, sandbox.shared().clock.now())
        .await
        .unwrap();
    assert_eq!(entries.len(), 15);
    assert!(
        entries
            .iter()
            .any(|e| e.parcel_awb_number == format!("{awb}003") && e.status_id.id() == 9)
    );

    // Sameday refuses a window over 2 hours.
    let token = {
        let raw = flux_http::HttpClient::builder("sameday")
            .base_url(sandbox.base_url(Provider::Sameday))
            .build()
            .unwrap();
        let login = raw
            .request(Method::POST, "api/authenticate")
            .header("X-Auth-Username", DEFAULT_USERNAME)
            .header("X-Auth-Password", DEFAULT_PASSWORD)
            .send_raw()
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&login.bytes()).unwrap();
        let token = body["token"].as_str().unwrap().to_owned();
        let from = start.timestamp();
        let resp = raw
            .request(Method::GET, "api/client/status-sync")
            .header("X-AUTH-TOKEN", token.as_str())
            .query(&[
                ("startTimestamp", from.to_string()),
                ("endTimestamp", (from + 3 * 3600).to_string()),
            ])
            .send_raw()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400);
        let body: serde_json::Value = serde_json::from_slice(&resp.bytes()).unwrap();
        assert!(body["message"].as_str().unwrap().contains("2 hours"));
        token
    };
    assert!(!token.is_empty());

    let pdf = client.awb_pdf(&awb, AwbPdfFormat::A6).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    sandbox.stop().await;
}

#[tokio::test]
async fn injected_429_bursts_and_server_errors_create_nothing() {
    let (sandbox, _clock) = sandbox().await;
    let courier = courier(&sandbox);
    // Log in and cache the lists first.
    courier.services().await.unwrap();
    sandbox.shared().faults.set(
        "sameday",
        FaultPlan {
            too_many_per_mille: 1000,
            burst_len: 3,
            ..FaultPlan::default()
        },
    );
    let err = courier.create_shipment(&request("RL-1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err:?}");
    assert!(err.retry_after().is_some());
    sandbox.shared().faults.set(
        "sameday",
        FaultPlan {
            error_per_mille: 1000,
            ..FaultPlan::default()
        },
    );
    let err = courier.create_shipment(&request("RL-1")).await.unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(sandbox.sims().sameday.awb_count(), 0);

    sandbox.shared().faults.clear("sameday");
    courier.create_shipment(&request("RL-1")).await.unwrap();
    assert_eq!(sandbox.sims().sameday.awb_count(), 1);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_lost_answer_after_the_awb_was_created() {
    let (sandbox, _clock) = sandbox().await;
    let client = SamedayClient::builder(DEFAULT_USERNAME, DEFAULT_PASSWORD.into())
        .base_url(sandbox.base_url(Provider::Sameday))
        .timeout(Duration::from_millis(700))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let courier: Arc<dyn Courier> = Arc::new(client);
    courier.services().await.unwrap();
    sandbox.shared().faults.set(
        "sameday",
        FaultPlan {
            drop_after_effect_per_mille: 1000,
            hang: Duration::from_secs(3),
            ..FaultPlan::default()
        },
    );
    let err = courier
        .create_shipment(&request("LOST-1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    sandbox.shared().faults.clear("sameday");

    // The AWB exists although the client never heard of it ...
    let sim = &sandbox.sims().sameday;
    assert_eq!(sim.awb_count(), 1);
    let lost = sim
        .awb_by_reference(DEFAULT_USERNAME, "LOST-1")
        .expect("created");
    // ... so sending it again is refused as a duplicate, not created twice.
    let err = courier
        .create_shipment(&request("LOST-1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(sim.awb_count(), 1);
    let t = courier
        .track(&[ShipmentId::awb(lost.number.clone())])
        .await
        .unwrap();
    assert!(t[0].found);
    sandbox.stop().await;
}
