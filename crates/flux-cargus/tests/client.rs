//! Auth, error shapes and every CargusClient operation against fixtures.

mod common;

use chrono::NaiveDate;
use common::{KEY, TOKEN, body_of, client, fixture, get, json, query_of, server};
use flux_cargus::{
    CargusError, LabelLayout, OrderAction, OrderStatusFilter, PickupLocation, PrintMainOnce,
};
use flux_core::{ErrorKind, ProviderError};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn logs_in_once_and_sends_both_credentials_on_every_call() {
    let server = server().await;
    get(&server, "Countries", fixture!("countries.json")).await;
    get(&server, "Counties", fixture!("counties.json")).await;
    let cargus = client(&server);
    let countries = cargus.countries().await.unwrap();
    assert_eq!(countries[0].country_name, "Romania");
    assert_eq!(countries[0].country_id, Some(1));
    let counties = cargus.counties(1).await.unwrap();
    assert_eq!(counties[1].abbreviation.as_deref(), Some("AG"));
    assert_eq!(
        query_of(&server, "Counties").await,
        vec![("countryId".into(), "1".into())]
    );
    // the login mock expects exactly one call (verified on drop)
}

#[tokio::test]
async fn concurrent_callers_share_one_login() {
    let server = server().await;
    get(&server, "PriceTables", fixture!("price_tables.json")).await;
    let cargus = client(&server);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let c = cargus.clone();
            tokio::spawn(async move { c.price_tables().await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap()[0].price_table_id, Some(23049));
    }
}

#[tokio::test]
async fn relogs_once_when_the_token_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/LoginUser"))
        .respond_with(json(200, fixture!("login_user.json")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Streets"))
        .respond_with(json(401, fixture!("error_failed_to_authenticate.json")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    get(&server, "Streets", fixture!("streets.json")).await;
    let streets = client(&server).streets(157).await.unwrap();
    assert_eq!(streets[1].name, "Republicii");
}

#[tokio::test]
async fn failed_to_authenticate_body_also_triggers_one_relogin_then_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/LoginUser"))
        .respond_with(json(200, fixture!("login_user.json")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Streets"))
        .respond_with(json(200, fixture!("error_failed_to_authenticate.json")))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).streets(157).await.unwrap_err();
    assert!(matches!(err, CargusError::Auth { .. }), "{err:?}");
    assert!(ProviderError::from(err).is_auth());
}

#[tokio::test]
async fn wrong_password_is_an_auth_error_without_calling_the_api() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/LoginUser"))
        .respond_with(json(400, fixture!("error_login_invalid.json")))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).countries().await.unwrap_err();
    assert!(
        err.to_string().contains("Utilizator sau parola invalida"),
        "{err}"
    );
    let err = ProviderError::from(err);
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn invalid_subscription_key_is_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/LoginUser"))
        .respond_with(json(401, fixture!("error_apim_message.json")))
        .mount(&server)
        .await;
    let err = ProviderError::from(client(&server).login().await.unwrap_err());
    assert!(err.is_auth());
    assert!(err.message().contains("invalid subscription key"));
}

#[tokio::test]
async fn debug_never_shows_secrets() {
    let server = MockServer::start().await;
    let cargus = client(&server);
    let shown = format!("{cargus:?}");
    assert!(!shown.contains(KEY) && !shown.contains("pass\""), "{shown}");
    assert!(shown.contains("[REDACTED]"));
}

async fn error_for(status: u16, body: &str) -> CargusError {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/Awbs"))
        .respond_with(json(status, body))
        .mount(&server)
        .await;
    let awb = flux_cargus::NewAwb::new(
        1,
        Default::default(),
        vec![flux_cargus::ParcelCode::new("0", 1, dec!(1))],
    );
    client(&server).create_awb(&awb).await.unwrap_err()
}

#[tokio::test]
async fn error_body_shapes_become_specific_errors() {
    let err = ProviderError::from(error_for(400, fixture!("error_error.json")).await);
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.message().contains("Localitatea destinatarului"));

    let err = ProviderError::from(error_for(400, fixture!("error_array.json")).await);
    assert!(err.message().contains("Greutatea totala") && err.message().contains("telefon"));

    let err = ProviderError::from(error_for(404, fixture!("error_bare_string.json")).await);
    assert!(err.is_not_found());
    assert_eq!(err.message(), "AWB-ul nu exista");

    let err = ProviderError::from(error_for(400, fixture!("error_model_state.json")).await);
    let mut fields: Vec<_> = err
        .field_errors()
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        vec!["ParcelCodes[0].Weight", "Recipient.PhoneNumber"]
    );

    let err = ProviderError::from(error_for(409, r#"{"Error":"AWB duplicat"}"#).await);
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn a_500_on_create_is_maybe_sent_and_not_retried() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/Awbs"))
        .respond_with(json(500, r#"{"message":"An error has occurred."}"#))
        .expect(1)
        .mount(&server)
        .await;
    let awb = flux_cargus::NewAwb::new(
        1,
        Default::default(),
        vec![flux_cargus::ParcelCode::new("0", 1, dec!(1))],
    );
    let err = ProviderError::from(client(&server).create_awb(&awb).await.unwrap_err());
    assert!(err.maybe_sent() && err.is_retryable());
}

#[tokio::test]
async fn rate_limit_keeps_retry_after() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/AwbTrace"))
        .respond_with(
            json(429, fixture!("error_rate_limit.json")).insert_header("Retry-After", "120"),
        )
        .mount(&server)
        .await;
    let err = ProviderError::from(client(&server).trace(&["1"]).await.unwrap_err());
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(120)));
}

#[tokio::test]
async fn nomenclature_localities_and_streets() {
    let server = server().await;
    get(&server, "Localities", fixture!("localities.json")).await;
    let cargus = client(&server);
    let localities = cargus.localities(1, 5).await.unwrap();
    assert_eq!(localities[0].locality_id, Some(157));
    assert_eq!(localities[1].extra_km, Some(dec!(7)));
    assert_eq!(
        query_of(&server, "Localities").await,
        vec![
            ("countryId".into(), "1".into()),
            ("countyId".into(), "5".into())
        ]
    );
}

#[tokio::test]
async fn pickup_locations_list_create_update() {
    let server = server().await;
    get(
        &server,
        "PickupLocations/GetForClient",
        fixture!("pickup_locations.json"),
    )
    .await;
    get(
        &server,
        "PickupLocations",
        fixture!("pickup_locations.json"),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/api/PickupLocations"))
        .respond_with(json(200, fixture!("create_pickup_location.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/PickupLocations"))
        .respond_with(json(200, fixture!("update_pickup_location.json")))
        .expect(1)
        .mount(&server)
        .await;
    let cargus = client(&server);
    let all = cargus.pickup_locations_for_client().await.unwrap();
    assert_eq!(all[0].automatic_eod.as_deref(), Some("17:30"));
    assert_eq!(cargus.pickup_locations().await.unwrap().len(), 1);
    let mut new = PickupLocation::default();
    new.name = Some("Depozit 2".into());
    new.locality_id = Some(157);
    new.automatic_eod = Some("18:00".into());
    assert_eq!(
        cargus.create_pickup_location(&new).await.unwrap(),
        201484643
    );
    let body = body_of(&server, "PickupLocations").await;
    assert_eq!(body["AutomaticEOD"], "18:00");
    assert!(body.get("LocationId").is_none());
    let err = cargus.update_pickup_location(&new).await.unwrap_err();
    assert!(matches!(err, CargusError::Validation { .. }));
    new.location_id = Some(201484643);
    cargus.update_pickup_location(&new).await.unwrap();
}

#[tokio::test]
async fn shipping_calculation_and_price_tables() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/ShippingCalculation"))
        .respond_with(json(200, fixture!("shipping_calculation.json")))
        .mount(&server)
        .await;
    let calc = flux_cargus::ShippingCalculation::by_names(
        ("Arges", "Pitesti"),
        ("Iasi", "Iasi"),
        1,
        0,
        dec!(3),
    );
    let price = client(&server).shipping_calculation(&calc).await.unwrap();
    assert_eq!(price.grand_total, dec!(17.97));
    assert_eq!(price.subtotal, Some(dec!(15.1)));
    let body = body_of(&server, "ShippingCalculation").await;
    assert_eq!(body["TotalWeight"], 3);
    assert_eq!(body["ToLocalityName"], "Iasi");
    assert_eq!(body["ShipmentPayer"], 1);
}

#[tokio::test]
async fn awb_create_variants_delete_and_details() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/Awbs"))
        .respond_with(json(200, fixture!("create_awb.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/Awbs/WithGetAwb"))
        .respond_with(json(200, fixture!("create_awb_with_get_awb.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/AwbPickup"))
        .respond_with(json(200, fixture!("create_awb.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/Awbs"))
        .and(query_param("barCode", "1064985512"))
        .respond_with(json(200, fixture!("delete_awb_true.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/Awbs"))
        .and(query_param("barCode", "804523201"))
        .respond_with(json(200, fixture!("delete_awb_false.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Awbs"))
        .and(query_param("barCode", "804523201"))
        .respond_with(json(200, fixture!("awb_details.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Awbs"))
        .and(query_param("orderId", "47920110"))
        .respond_with(json(200, fixture!("awbs_by_date_page1.json")))
        .mount(&server)
        .await;
    let cargus = client(&server);
    let awb = flux_cargus::NewAwb::new(
        201266091,
        Default::default(),
        vec![flux_cargus::ParcelCode::new("0", 1, dec!(3))],
    );
    assert_eq!(cargus.create_awb(&awb).await.unwrap(), "1064985512");
    let full = cargus.create_awb_full(&awb).await.unwrap();
    assert_eq!(full[0].bar_code.as_deref(), Some("1064985512"));
    assert_eq!(full[0].cash_repayment, Some(dec!(149.9)));
    let start = day(2024, 3, 5).and_hms_opt(13, 0, 0).unwrap();
    let end = day(2024, 3, 5).and_hms_opt(17, 0, 0).unwrap();
    let with_pickup = flux_cargus::AwbWithPickup::new(awb, start, end);
    assert_eq!(
        cargus.create_awb_with_pickup(&with_pickup).await.unwrap(),
        "1064985512"
    );
    let body = body_of(&server, "AwbPickup").await;
    assert_eq!(body["PickupStartDate"], "2024-03-05T13:00");
    assert_eq!(body["Sender"]["LocationId"], 201266091);
    cargus.delete_awb("1064985512").await.unwrap();
    let err = cargus.delete_awb("804523201").await.unwrap_err();
    assert!(matches!(err, CargusError::AwbAlreadyMoved { .. }));
    let details = cargus.awb("804523201").await.unwrap().unwrap();
    assert_eq!(details.status.as_deref(), Some("Tiparit"));
    assert_eq!(
        details.shipment_payer,
        Some(flux_cargus::ShipmentPayer::Other(3))
    );
    assert_eq!(
        details.validation_date.unwrap().to_rfc3339(),
        "2016-02-08T06:38:06.267+02:00"
    );
    assert_eq!(cargus.awbs_by_order(47920110).await.unwrap().len(), 2);
}

#[tokio::test]
async fn awbs_by_period_uses_us_dates_and_pages() {
    let server = server().await;
    get(
        &server,
        "Awbs/GetByDate",
        fixture!("awbs_by_date_page1.json"),
    )
    .await;
    let awbs = client(&server)
        .all_awbs_by_period(day(2024, 3, 1), day(2024, 3, 7))
        .await
        .unwrap();
    assert_eq!(awbs.len(), 2);
    assert_eq!(
        query_of(&server, "Awbs/GetByDate").await,
        vec![
            ("FromDate".into(), "03-01-2024".into()),
            ("ToDate".into(), "03-07-2024".into()),
            ("pageNumber".into(), "1".into()),
            ("itemsPerPage".into(), "100".into()),
        ]
    );
}

#[tokio::test]
async fn label_documents_are_decoded_from_base64() {
    let server = server().await;
    get(&server, "AwbDocuments", fixture!("awb_documents.json")).await;
    let pdf = client(&server)
        .awb_documents(
            &["1064985512"],
            LabelLayout::Label10x14,
            PrintMainOnce::OnceLabel,
        )
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    assert_eq!(
        query_of(&server, "AwbDocuments").await,
        vec![
            ("barCodes".into(), "[\"1064985512\"]".into()),
            ("type".into(), "PDF".into()),
            ("format".into(), "1".into()),
            ("printMainOnce".into(), "2".into()),
        ]
    );
}

#[tokio::test]
async fn tracing_with_redirect_delta_events_and_returns() {
    let server = server().await;
    get(
        &server,
        "AwbTrace/WithRedirect",
        fixture!("awb_trace_with_redirect.json"),
    )
    .await;
    get(
        &server,
        "AwbTrace/GetDeltaEvents",
        fixture!("delta_events.json"),
    )
    .await;
    get(&server, "AwbRetur", fixture!("awb_retur.json")).await;
    let cargus = client(&server);
    let traces = cargus.trace_with_redirect(&["1064985520"]).await.unwrap();
    assert_eq!(traces[0].response_code.as_deref(), Some("1064985599"));
    assert_eq!(traces[0].events().len(), 2);
    assert_eq!(
        query_of(&server, "AwbTrace/WithRedirect").await,
        vec![("barCode".into(), "[\"1064985520\"]".into())]
    );
    let delta = cargus
        .delta_events(day(2024, 3, 6), day(2024, 3, 6))
        .await
        .unwrap();
    assert_eq!(delta[0].bar_code.as_deref(), Some("1064985512"));
    assert_eq!(delta[0].events.as_ref().unwrap()[0].event_id, Some(21));
    assert_eq!(delta[0].extra["CashRepayment"], serde_json::json!(149.9));
    assert_eq!(
        query_of(&server, "AwbTrace/GetDeltaEvents").await[0].1,
        "03-06-2024"
    );
    let returns = cargus.returns_of_day(day(2024, 3, 8)).await.unwrap();
    assert_eq!(returns[0].bar_code().as_deref(), Some("1064985599"));
    assert_eq!(
        query_of(&server, "AwbRetur").await,
        vec![("data".into(), "2024-03-08".into())]
    );
}

#[tokio::test]
async fn courier_orders_validate_cancel_and_list() {
    let server = server().await;
    Mock::given(method("PUT"))
        .and(path("/api/Orders"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json(200, fixture!("orders_put.json")))
        .expect(2)
        .mount(&server)
        .await;
    get(&server, "Orders", fixture!("orders.json")).await;
    get(&server, "Orders/GetByDate", fixture!("orders.json")).await;
    get(&server, "Orders/GetByOrderId", fixture!("orders.json")).await;
    let cargus = client(&server);
    let start = day(2024, 3, 5).and_hms_opt(13, 0, 0).unwrap();
    let end = day(2024, 3, 5).and_hms_opt(17, 0, 0).unwrap();
    assert_eq!(
        cargus
            .set_order(201266091, OrderAction::Validate, start, end)
            .await
            .unwrap(),
        "47920110"
    );
    assert_eq!(
        query_of(&server, "Orders").await,
        vec![
            ("locationId".into(), "201266091".into()),
            ("action".into(), "1".into()),
            ("PickupStartDate".into(), "2024-03-05T13:00:00".into()),
            ("PickupEndDate".into(), "2024-03-05T17:00:00".into()),
        ]
    );
    cargus
        .set_order(201266091, OrderAction::Cancel, start, end)
        .await
        .unwrap();
    assert_eq!(query_of(&server, "Orders").await[1].1, "0");
    let orders = cargus
        .orders(201266091, OrderStatusFilter::Validated, 1, 50)
        .await
        .unwrap();
    assert_eq!(orders[0].no_awb, Some(3));
    let by_date = cargus
        .orders_by_date(day(2024, 3, 1), day(2024, 3, 7), 1, 50)
        .await
        .unwrap();
    assert_eq!(by_date[0].order_type, Some(3));
    assert_eq!(
        query_of(&server, "Orders/GetByDate").await[0].1,
        "2024-03-01"
    );
    let one = cargus.order("47920110").await.unwrap().unwrap();
    assert_eq!(one.order_id.as_deref(), Some("47920110"));
}

#[tokio::test]
async fn cash_account_reports_and_invoices() {
    let server = server().await;
    get(
        &server,
        "CashAccount/GetByDate",
        fixture!("cash_account.json"),
    )
    .await;
    get(
        &server,
        "CashAccount/GetByDeductionDate",
        fixture!("cash_account.json"),
    )
    .await;
    get(&server, "CashAccount", fixture!("cash_account.json")).await;
    get(&server, "Invoices", fixture!("invoices.json")).await;
    get(
        &server,
        "InvoiceDocuments",
        fixture!("invoice_document.json"),
    )
    .await;
    let cargus = client(&server);
    let cod = cargus
        .cash_account_by_date(day(2024, 3, 1), day(2024, 3, 8))
        .await
        .unwrap();
    assert_eq!(cod[0].repayment_value, Some(dec!(149.9)));
    assert_eq!(cod[0].custom_string.as_deref(), Some("order-1001"));
    assert_eq!(
        query_of(&server, "CashAccount/GetByDate").await[1],
        ("ToDate".into(), "2024-03-08".into())
    );
    assert_eq!(
        cargus
            .cash_account_by_deduction_date(day(2024, 3, 8))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        cargus.cash_account_by_barcode("1064985512").await.unwrap()[0]
            .deduction_id
            .as_deref(),
        Some("5521")
    );
    let invoices = cargus
        .invoices(day(2024, 2, 1), day(2024, 2, 29), 1, 20)
        .await
        .unwrap();
    assert_eq!(invoices[0].total, Some(dec!(966.88)));
    assert_eq!(invoices[0].number.as_deref(), Some("1204411"));
    let pdf = cargus.invoice_pdf("99117").await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert_eq!(
        query_of(&server, "InvoiceDocuments").await,
        vec![("InvoiceId".into(), "99117".into())]
    );
}

#[tokio::test]
async fn token_verification() {
    let server = server().await;
    get(&server, "TokenVerification", "true").await;
    assert!(client(&server).verify_token().await.unwrap());
    let _ = ResponseTemplate::new(200);
}
