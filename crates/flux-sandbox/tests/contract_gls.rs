//! Contract tests: the real `flux-gls` client against the MyGLS simulator, through
//! `Arc<dyn Courier>` where the crate implements it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DurationRound, Utc};
use flux_core::courier::{
    CashOnDelivery, CodCollection, Courier, DeliveryTarget, LabelFormat, PickupPointKind,
    ShipmentRequest, TrackingStatus,
};
use flux_core::{Address, CountryCode, Currency, ErrorKind, Money, Parcel};
use flux_gls::{GlsClient, GlsClientBuilder, LabelStrategy};
use flux_http::secret::SecretString;
use flux_sandbox::gls::{DEFAULT_CLIENT_NUMBER, DEFAULT_PASSWORD, DEFAULT_USERNAME, LOCK_DURATION};
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

fn builder(sandbox: &RunningSandbox, password: &str) -> GlsClientBuilder {
    GlsClient::builder(
        DEFAULT_USERNAME,
        SecretString::from(password),
        DEFAULT_CLIENT_NUMBER,
    )
    .base_url(sandbox.base_url(Provider::Gls))
    .timeout(Duration::from_secs(5))
}

fn courier(sandbox: &RunningSandbox) -> Arc<dyn Courier> {
    Arc::new(builder(sandbox, DEFAULT_PASSWORD).build().unwrap())
}

fn request(reference: &str) -> ShipmentRequest {
    let sender = Address::builder("Magazin SRL", "Cluj-Napoca", CountryCode::RO)
        .street("Strada Memorandumului")
        .number("28")
        .region("Cluj")
        .postal_code("400114")
        .phone("0722123456")
        .build_unchecked();
    let recipient = Address::builder("Ion Popescu", "Brasov", CountryCode::RO)
        .street("Strada Lunga")
        .number("10")
        .region("Brasov")
        .postal_code("500035")
        .phone("0733123456")
        .email("ion@example.ro")
        .build_unchecked();
    let mut req = ShipmentRequest::new(
        reference,
        sender,
        recipient,
        vec![
            Parcel::new(dec!(1.2)).unwrap(),
            Parcel::new(dec!(0.8)).unwrap(),
        ],
    );
    req.contents = Some("Carti".into());
    req
}

#[tokio::test]
async fn print_once_from_creation_to_delivery() {
    let (sandbox, clock) = sandbox().await;
    let courier = courier(&sandbox);
    let sim = &sandbox.sims().gls;

    let mut req = request("ORDER-1001");
    req.cash_on_delivery = Some(CashOnDelivery {
        amount: Money::new(dec!(149.90), Currency::RON),
        collection: CodCollection::Cash,
    });
    let created = courier.create_shipment(&req).await.unwrap();
    // Two packages: two ParcelIds and two ParcelNumbers, the first on top.
    assert_eq!(created.id.parcels.len(), 2);
    let first = sim.parcels_by_reference("ORDER-1001");
    assert_eq!(first.len(), 2);
    assert_eq!(
        created.id.tracking_number,
        first[0].parcel_number.unwrap().to_string()
    );
    assert_eq!(
        created.id.provider_id.as_deref(),
        Some(first[0].parcel_id.to_string().as_str())
    );
    assert_eq!(first[0].cod_amount, dec!(149.90));
    assert_eq!(first[0].delivery.house_number.as_deref(), Some("10"));
    // The label comes once, with the creation ...
    let label = created
        .label
        .clone()
        .expect("PrintLabels returns the label");
    assert!(label.bytes.starts_with(b"%PDF"));
    assert!(String::from_utf8_lossy(&label.bytes).contains(&created.id.tracking_number));
    // ... and never again (error 18).
    let err = courier
        .label(&created.id, LabelFormat::PdfA4TwoByTwo)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err:?}");
    assert_eq!(err.provider_code(), Some("18"));

    // Lookup by our reference.
    let today = Utc::now().date_naive();
    let found = courier
        .find_by_reference("ORDER-1001", today)
        .await
        .unwrap()
        .expect("found by reference");
    assert_eq!(found.id.tracking_number, created.id.tracking_number);
    assert_eq!(found.id.parcels.len(), 2);
    assert!(
        courier
            .find_by_reference("ORDER-NONE", today)
            .await
            .unwrap()
            .is_none()
    );

    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert!(t[0].found);
    assert_eq!(t[0].status, TrackingStatus::Pending);
    assert_eq!(t[0].raw_status.as_deref(), Some("51"));

    clock.advance(5 * HOUR);
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert_eq!(t[0].status, TrackingStatus::PickedUp);
    let err = courier.cancel(&created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err:?}");
    assert_eq!(err.provider_code(), Some("6"));

    clock.advance(16 * HOUR);
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert_eq!(t[0].status, TrackingStatus::OutForDelivery);
    courier
        .change_cod(&created.id, &Money::new(dec!(99.50), Currency::RON))
        .await
        .unwrap();
    assert_eq!(
        sim.parcel(first[0].parcel_id).unwrap().cod_amount,
        dec!(99.50)
    );

    clock.advance(4 * HOUR);
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert_eq!(t[0].status, TrackingStatus::Delivered);
    assert_eq!(t[0].raw_status.as_deref(), Some("5"));
    assert!(t[0].delivered_at.is_some());
    let codes: Vec<&str> = t[0].events.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["51", "1", "2", "3", "4", "5"]);
    // Once delivered, GLS no longer changes the COD.
    assert!(
        courier
            .change_cod(&created.id, &Money::new(dec!(1), Currency::RON))
            .await
            .is_err()
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn prepare_then_print_allows_reprints_and_cancel() {
    let (sandbox, _clock) = sandbox().await;
    let client = builder(&sandbox, DEFAULT_PASSWORD)
        .label_strategy(LabelStrategy::PrepareThenPrint)
        .build()
        .unwrap();
    let courier: Arc<dyn Courier> = Arc::new(client.clone());
    let created = courier
        .create_shipment(&request("ORDER-1002"))
        .await
        .unwrap();
    assert!(created.label.unwrap().bytes.starts_with(b"%PDF"));
    let again = courier
        .label(&created.id, LabelFormat::PdfThermal)
        .await
        .unwrap();
    assert!(again.bytes.starts_with(b"%PDF"));
    let zpl = courier.label(&created.id, LabelFormat::Zpl).await.unwrap();
    assert!(zpl.bytes.starts_with(b"^XA"));
    let ids: Vec<i64> = created
        .id
        .parcels
        .iter()
        .map(|p| p.provider_id.as_deref().unwrap().parse().unwrap())
        .collect();
    let data = client.get_print_data(&ids).await.unwrap();
    assert_eq!(data.print_data_info_list.len(), 2);

    courier.cancel(&created.id).await.unwrap();
    assert!(sandbox.sims().gls.parcels().iter().all(|p| p.deleted));
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert!(!t[0].found);
    let err = courier.cancel(&created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err:?}");
    sandbox.stop().await;
}

#[tokio::test]
async fn parcel_shop_delivery() {
    let (sandbox, clock) = sandbox().await;
    let courier = courier(&sandbox);
    let mut req = request("ORDER-PS");
    req.delivery = DeliveryTarget::PickupPoint {
        id: "RO1002-LOCKER02".into(),
        kind: PickupPointKind::Locker,
        address: None,
    };
    let created = courier.create_shipment(&req).await.unwrap();
    let record = &sandbox.sims().gls.parcels_by_reference("ORDER-PS")[0];
    assert_eq!(record.parcel_shop.as_deref(), Some("RO1002-LOCKER02"));
    clock.advance(21 * HOUR);
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert_eq!(t[0].status, TrackingStatus::ReadyForPickup);
    clock.advance(10 * HOUR);
    let t = courier
        .track(std::slice::from_ref(&created.id))
        .await
        .unwrap();
    assert_eq!(t[0].status, TrackingStatus::Delivered);
    assert_eq!(t[0].raw_status.as_deref(), Some("58"));

    let mut bad = request("ORDER-PS2");
    bad.delivery = DeliveryTarget::PickupPoint {
        id: "NOPE-1".into(),
        kind: PickupPointKind::Shop,
        address: None,
    };
    let err = courier.create_shipment(&bad).await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert!(err.message().contains("ParcelShop"), "{err}");
    sandbox.stop().await;
}

#[tokio::test]
async fn invalid_parcels_are_refused_with_http_200_error_lists() {
    let (sandbox, _clock) = sandbox().await;
    let courier = courier(&sandbox);
    let mut req = request("ORDER-BAD");
    req.recipient.number = None;
    // No contents given: the crate names the order, which MyGLS accepts.
    req.contents = None;
    let err = courier.create_shipment(&req).await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let mut fields: Vec<&str> = err
        .field_errors()
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["HouseNumber"]);
    assert_eq!(sandbox.sims().gls.parcel_count(), 0);

    // Another account's client number.
    let other = GlsClient::builder(DEFAULT_USERNAME, SecretString::from(DEFAULT_PASSWORD), 1)
        .base_url(sandbox.base_url(Provider::Gls))
        .build()
        .unwrap();
    let err = Arc::new(other) as Arc<dyn Courier>;
    let err = err.create_shipment(&request("ORDER-CN")).await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(sandbox.sims().gls.parcel_count(), 0);
    sandbox.stop().await;
}

#[tokio::test]
async fn wrong_passwords_lock_the_account() {
    let (sandbox, clock) = sandbox().await;
    let wrong = builder(&sandbox, "wrong")
        .auth_failure_cooldown(Duration::ZERO)
        .build()
        .unwrap();
    let courier: Arc<dyn Courier> = Arc::new(wrong);
    let err = courier
        .create_shipment(&request("ORDER-A"))
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert!(!err.is_retryable());
    // The client's own guard holds further calls back by default.
    let guarded = courier_with_guard(&sandbox);
    let _ = guarded.create_shipment(&request("ORDER-A")).await;
    let err = guarded
        .create_shipment(&request("ORDER-A"))
        .await
        .unwrap_err();
    assert!(err.message().contains("not sent"), "{err}");

    for _ in 0..3 {
        assert!(
            courier
                .create_shipment(&request("ORDER-A"))
                .await
                .unwrap_err()
                .is_auth()
        );
    }
    assert!(sandbox.sims().gls.is_locked(DEFAULT_USERNAME));
    // Now even the right password is refused, with GLS's lock-out message.
    let right = courier_for(&sandbox);
    let err = right
        .create_shipment(&request("ORDER-A"))
        .await
        .unwrap_err();
    assert!(err.is_auth());
    assert!(err.message().contains("locked until"), "{err}");
    clock.advance(LOCK_DURATION + Duration::from_secs(60));
    courier_for(&sandbox)
        .create_shipment(&request("ORDER-A"))
        .await
        .unwrap();
    assert_eq!(sandbox.sims().gls.parcel_count(), 2);
    sandbox.stop().await;
}

fn courier_with_guard(sandbox: &RunningSandbox) -> Arc<dyn Courier> {
    Arc::new(builder(sandbox, "also-wrong").build().unwrap())
}

fn courier_for(sandbox: &RunningSandbox) -> Arc<dyn Courier> {
    courier(sandbox)
}

#[tokio::test]
async fn the_same_request_six_times_in_five_minutes_is_error_31() {
    let (sandbox, _clock) = sandbox().await;
    let client = builder(&sandbox, DEFAULT_PASSWORD).build().unwrap();
    let courier: Arc<dyn Courier> = Arc::new(client.clone());
    let created = courier.create_shipment(&request("ORDER-RL")).await.unwrap();
    let number: i64 = created.id.tracking_number.parse().unwrap();
    for _ in 0..5 {
        client.parcel_statuses(number, false).await.unwrap();
    }
    let err =
        flux_core::ProviderError::from(client.parcel_statuses(number, false).await.unwrap_err());
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(300)));
    assert_eq!(sandbox.shared().limits.violations("gls"), 1);
    // A different request (the proof of delivery asked too) is still served.
    client.parcel_statuses(number, true).await.unwrap();
    sandbox.stop().await;
}

#[tokio::test]
async fn a_lost_answer_is_recovered_by_reference() {
    let (sandbox, _clock) = sandbox().await;
    let client = builder(&sandbox, DEFAULT_PASSWORD)
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let courier: Arc<dyn Courier> = Arc::new(client);
    sandbox.shared().faults.set(
        "gls",
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
    assert!(err.maybe_sent());
    sandbox.shared().faults.clear("gls");

    let stored = sandbox.sims().gls.parcels_by_reference("LOST-1");
    assert_eq!(
        stored.len(),
        2,
        "the parcels exist although the answer was lost"
    );
    let found = courier
        .find_by_reference("LOST-1", Utc::now().date_naive())
        .await
        .unwrap()
        .expect("found");
    assert_eq!(
        found.id.tracking_number,
        stored[0].parcel_number.unwrap().to_string()
    );

    // Server errors before the effect create nothing.
    sandbox.shared().faults.set(
        "gls",
        FaultPlan {
            error_per_mille: 1000,
            ..FaultPlan::default()
        },
    );
    let err = courier
        .create_shipment(&request("FAIL-1"))
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(503), "{err:?}");
    assert!(sandbox.sims().gls.parcels_by_reference("FAIL-1").is_empty());
    sandbox.stop().await;
}
