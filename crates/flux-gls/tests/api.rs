//! The MyGLS methods, request shapes and error paths, against fixtures.

mod common;

use std::time::Duration;

use common::{CLIENT_NUMBER, assert_login, bodies, builder, client, fixture, mount, mount_times};
use flux_core::{ErrorKind, ProviderError};
use flux_gls::date::parse_wcf_date;
use flux_gls::types::{
    Address, Parcel, ParcelListQuery, PrintOptions, Service, ServiceCode, TypeOfPrinter,
};
use flux_gls::{ErrorCode, GlsError};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn parcel() -> Parcel {
    let mut pickup = Address::new("Magazin SRL", "Cluj-Napoca", "400114", "RO");
    pickup.street = Some("Strada Memorandumului".into());
    pickup.house_number = Some("28".into());
    let mut delivery = Address::new("Ion Popescu", "Brasov", "500035", "RO");
    delivery.street = Some("Strada Lunga".into());
    delivery.house_number = Some("10".into());
    delivery.contact_phone = Some("+40733123456".into());
    let mut p = Parcel::new(CLIENT_NUMBER, pickup, delivery);
    p.client_reference = Some("ORDER-1001".into());
    p.content = Some("Books".into());
    p.cod_amount = Some(dec!(149.90));
    p.cod_currency = Some("RON".into());
    p.cod_reference = Some("ORDER-1001".into());
    p.pickup_date = parse_wcf_date("/Date(1767218400000+0200)/");
    p.service_list
        .push(Service::parcel_shop("RO123-PARCELLOCKER"));
    p
}

#[tokio::test]
async fn print_labels_sends_login_parcel_and_printer_and_returns_the_label() {
    let server = MockServer::start().await;
    mount_times(&server, "PrintLabels", fixture!("print_labels.json"), 1).await;
    let gls = client(&server);

    let printed = gls.print_labels(&[parcel()]).await.unwrap();

    assert_eq!(
        printed.print_labels_info_list[0].parcel_id,
        Some(81_277_445)
    );
    assert_eq!(
        printed.print_labels_info_list[0].parcel_number,
        Some(5_020_004_611)
    );
    assert!(printed.labels.as_deref().unwrap().starts_with(b"%PDF-1.4"));
    let body = &bodies(&server).await[0];
    assert_login(body);
    assert_eq!(body["TypeOfPrinter"], "A4_2x2");
    assert_eq!(body["PrintPosition"], 1);
    assert_eq!(body["ShowPrintDialog"], false);
    let p = &body["ParcelList"][0];
    assert_eq!(p["ClientNumber"], CLIENT_NUMBER);
    assert_eq!(p["ClientReference"], "ORDER-1001");
    assert!(
        p["CODAmount"].is_number(),
        "COD must be a JSON number: {}",
        p["CODAmount"]
    );
    assert_eq!(p["CODAmount"].to_string(), "149.90");
    assert_eq!(p["CODCurrency"], "RON");
    assert_eq!(p["PickupDate"], "/Date(1767218400000+0200)/");
    assert_eq!(p["DeliveryAddress"]["CountryIsoCode"], "RO");
    assert_eq!(p["DeliveryAddress"]["HouseNumber"], "10");
    assert_eq!(p["ServiceList"][0]["Code"], "PSD");
    assert_eq!(
        p["ServiceList"][0]["PSDParameter"]["StringValue"],
        "RO123-PARCELLOCKER"
    );
    assert!(body.get("WebshopEngine").is_none());
}

#[tokio::test]
async fn print_position_is_only_sent_for_a4_layouts() {
    let server = MockServer::start().await;
    mount(&server, "PrintLabels", fixture!("print_labels.json")).await;
    let gls = client(&server);
    gls.print_labels_with(&[parcel()], &PrintOptions::new(TypeOfPrinter::Thermo))
        .await
        .unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(body["TypeOfPrinter"], "Thermo");
    assert!(body.get("PrintPosition").is_none());
}

#[tokio::test]
async fn validation_errors_in_a_200_answer_become_field_errors() {
    let server = MockServer::start().await;
    mount(
        &server,
        "PrintLabels",
        fixture!("print_labels_validation_errors.json"),
    )
    .await;
    let err = client(&server).print_labels(&[parcel()]).await.unwrap_err();
    match &err {
        GlsError::Rejected {
            errors, maybe_sent, ..
        } => {
            assert_eq!(errors.len(), 2);
            assert_eq!(errors[0].code(), ErrorCode::InvalidHouseNumber);
            assert_eq!(errors[0].client_reference_list, ["ORDER-1001"]);
            assert!(!maybe_sent);
        }
        other => panic!("unexpected {other:?}"),
    }
    let err = ProviderError::from(err);
    assert!(err.is_validation() && !err.is_retryable() && !err.maybe_sent());
    let fields: Vec<_> = err
        .field_errors()
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["HouseNumber", "Content"]);
    assert_eq!(err.provider_code(), Some("23"));
}

#[tokio::test]
async fn a_refused_login_is_not_retried_and_blocks_later_calls_until_reset() {
    let server = MockServer::start().await;
    mount_times(
        &server,
        "PrintLabels",
        fixture!("print_labels_account_locked.json"),
        2,
    )
    .await;
    let gls = client(&server);

    let err = gls.print_labels(&[parcel()]).await.unwrap_err();
    assert!(
        matches!(err, GlsError::Unauthorized { code: -1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("locked until 11:13"));
    assert!(err.to_string().contains("five failed logins lock"));
    let provider = ProviderError::from(err);
    assert!(provider.is_auth() && !provider.is_retryable());
    assert_eq!(provider.provider_code(), Some("-1"));

    // A clone shares the guard: nothing is sent.
    let blocked = gls.clone().print_labels(&[parcel()]).await.unwrap_err();
    assert!(
        matches!(blocked, GlsError::LoginBlocked { .. }),
        "{blocked:?}"
    );
    assert!(ProviderError::from(blocked).is_auth());
    assert_eq!(bodies(&server).await.len(), 1);

    gls.reset_auth_guard();
    let again = gls.print_labels(&[parcel()]).await.unwrap_err();
    assert!(matches!(again, GlsError::Unauthorized { .. }));
}

#[tokio::test]
async fn the_guard_can_be_disabled() {
    let server = MockServer::start().await;
    mount_times(
        &server,
        "GetParcelStatuses",
        fixture!("get_parcel_statuses_unauthorized.json"),
        2,
    )
    .await;
    let gls = builder(&server)
        .auth_failure_cooldown(Duration::ZERO)
        .build()
        .unwrap();
    for _ in 0..2 {
        let err = gls.parcel_statuses(5_020_004_611, false).await.unwrap_err();
        assert!(matches!(err, GlsError::Unauthorized { .. }));
    }
}

#[tokio::test]
async fn an_internal_error_on_create_is_maybe_sent_and_not_resent() {
    let server = MockServer::start().await;
    mount_times(
        &server,
        "PrintLabels",
        fixture!("print_labels_internal_error.json"),
        1,
    )
    .await;
    let err = ProviderError::from(client(&server).print_labels(&[parcel()]).await.unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(
        err.maybe_sent(),
        "the parcel record may exist: look it up before resending"
    );
    assert_eq!(err.provider_code(), Some("1000"));
}

#[tokio::test]
async fn error_31_is_a_rate_limit_of_five_minutes() {
    let server = MockServer::start().await;
    mount(
        &server,
        "PrintLabels",
        fixture!("print_labels_repeated.json"),
    )
    .await;
    let err = client(&server).print_labels(&[parcel()]).await.unwrap_err();
    assert!(matches!(
        err,
        GlsError::RequestRepeatedTooOften {
            maybe_sent: true,
            ..
        }
    ));
    let err = ProviderError::from(err);
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(300)));
}

#[tokio::test]
async fn prepare_labels_returns_parcel_ids_only() {
    let server = MockServer::start().await;
    mount(&server, "PrepareLabels", fixture!("prepare_labels.json")).await;
    let prepared = client(&server).prepare_labels(&[parcel()]).await.unwrap();
    assert_eq!(prepared.parcel_info_list[0].parcel_id, Some(81_277_500));
    let body = &bodies(&server).await[0];
    assert_login(body);
    assert_eq!(body["ParcelList"][0]["ClientReference"], "ORDER-1001");
    assert!(body.get("TypeOfPrinter").is_none());
}

#[tokio::test]
async fn get_printed_labels_sends_parcel_ids_and_returns_numbers() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetPrintedLabels",
        fixture!("get_printed_labels.json"),
    )
    .await;
    let gls = client(&server);
    let printed = gls
        .get_printed_labels_with(
            &[81_277_500],
            &PrintOptions::new(TypeOfPrinter::A4FourByOne),
        )
        .await
        .unwrap();
    assert_eq!(
        printed.print_data_info_list[0].parcel_number,
        Some(5_020_004_699)
    );
    assert_eq!(
        printed.print_data_info_list[0].parcel_number_with_checkdigit,
        Some(50_200_046_993)
    );
    assert!(printed.labels.unwrap().starts_with(b"%PDF"));
    let body = &bodies(&server).await[0];
    assert_eq!(body["ParcelIdList"], serde_json::json!([81_277_500]));
    assert_eq!(body["TypeOfPrinter"], "A4_4x1");
}

#[tokio::test]
async fn error_18_says_the_label_was_already_printed() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetPrintedLabels",
        fixture!("get_printed_labels_already_printed.json"),
    )
    .await;
    let err = client(&server)
        .get_printed_labels(&[81_277_445])
        .await
        .unwrap_err();
    match &err {
        GlsError::LabelAlreadyPrinted { parcel_ids, .. } => assert_eq!(parcel_ids, &[81_277_445]),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("PrepareLabels"));
    let err = ProviderError::from(err);
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.provider_code(), Some("18"));
}

#[tokio::test]
async fn get_print_data_decodes_the_parcel_as_sent() {
    let server = MockServer::start().await;
    mount(&server, "GetPrintData", fixture!("get_print_data.json")).await;
    let data = client(&server).get_print_data(&[81_277_445]).await.unwrap();
    let info = &data.print_data_info_list[0];
    let parcel = info.parcel.as_ref().unwrap();
    assert_eq!(parcel.cod_amount, Some(dec!(149.90)));
    assert_eq!(
        parcel.pickup_date.unwrap().to_rfc3339(),
        "2026-01-01T00:00:00+02:00"
    );
    assert_eq!(parcel.service_list[0].code, ServiceCode::Saturday);
    assert_eq!(parcel.delivery_address.zip_code, "500035");
    assert_eq!(info.depot.as_deref(), Some("RO05"));
    let body = &bodies(&server).await[0];
    assert_eq!(body["ParcelIdList"], serde_json::json!([81_277_445]));
    assert_eq!(body["ParcelList"], serde_json::json!([]));
}

#[tokio::test]
async fn delete_labels_reports_what_was_deleted_and_error_6() {
    let server = MockServer::start().await;
    mount(&server, "DeleteLabels", fixture!("delete_labels.json")).await;
    let deleted = client(&server).delete_labels(&[81_277_445]).await.unwrap();
    assert_eq!(deleted.deleted_ids(), [81_277_445]);
    assert_eq!(
        bodies(&server).await[0]["ParcelIdList"],
        serde_json::json!([81_277_445])
    );

    let server = MockServer::start().await;
    mount(
        &server,
        "DeleteLabels",
        fixture!("delete_labels_wrong_state.json"),
    )
    .await;
    let err = client(&server)
        .delete_labels(&[81_277_445])
        .await
        .unwrap_err();
    assert!(matches!(err, GlsError::WrongParcelState { .. }), "{err:?}");
    assert_eq!(ProviderError::from(err).kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn delete_labels_refuses_more_than_50_ids_before_sending() {
    let server = MockServer::start().await;
    let ids: Vec<i64> = (1..=51).collect();
    let err = client(&server).delete_labels(&ids).await.unwrap_err();
    assert!(matches!(err, GlsError::InvalidInput { .. }));
    assert!(bodies(&server).await.is_empty());
}

#[tokio::test]
async fn modify_cod_sends_both_ids_and_a_numeric_amount() {
    let server = MockServer::start().await;
    mount(&server, "ModifyCOD", fixture!("modify_cod.json")).await;
    client(&server)
        .modify_cod(Some(81_277_445), Some(5_020_004_611), dec!(75.50))
        .await
        .unwrap();
    let body = &bodies(&server).await[0];
    assert_login(body);
    assert_eq!(body["ParcelId"], 81_277_445);
    assert_eq!(body["ParcelNumber"], 5_020_004_611_i64);
    assert_eq!(body["CODAmount"].to_string(), "75.50");
}

#[tokio::test]
async fn modify_cod_errors_and_unconfirmed_answers_fail() {
    let server = MockServer::start().await;
    mount(&server, "ModifyCOD", fixture!("modify_cod_negative.json")).await;
    let err = ProviderError::from(
        client(&server)
            .modify_cod(Some(1), None, dec!(0))
            .await
            .unwrap_err(),
    );
    assert!(err.is_validation());
    assert_eq!(err.field_errors()[0].field, "CODAmount");

    let server = MockServer::start().await;
    mount(
        &server,
        "ModifyCOD",
        fixture!("modify_cod_not_confirmed.json"),
    )
    .await;
    let err = client(&server)
        .modify_cod(Some(1), None, dec!(10))
        .await
        .unwrap_err();
    assert!(matches!(err, GlsError::NotConfirmed { .. }), "{err:?}");
    assert!(err.maybe_sent());
}

#[tokio::test]
async fn parcel_list_filters_by_wcf_dates() {
    let server = MockServer::start().await;
    mount(&server, "GetParcelList", fixture!("get_parcel_list.json")).await;
    let from = parse_wcf_date("/Date(1767218400000+0200)/").unwrap();
    let to = parse_wcf_date("/Date(1767304800000+0200)/").unwrap();
    let list = client(&server)
        .parcel_list(&ParcelListQuery::printed_between(from, to))
        .await
        .unwrap();
    assert_eq!(list.print_data_info_list.len(), 3);
    let body = &bodies(&server).await[0];
    assert_eq!(body["PrintDateFrom"], "/Date(1767218400000+0200)/");
    assert_eq!(body["PrintDateTo"], "/Date(1767304800000+0200)/");
    assert!(body["PickupDateFrom"].is_null());
}

#[tokio::test]
async fn parcel_statuses_decode_dates_codes_and_weight() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetParcelStatuses",
        fixture!("get_parcel_statuses_delivered.json"),
    )
    .await;
    let statuses = client(&server)
        .parcel_statuses(5_020_004_611, true)
        .await
        .unwrap();
    assert_eq!(statuses.weight, Some(dec!(1.25)));
    assert_eq!(
        statuses.parcel_status_list[1].status_code.as_deref(),
        Some("5")
    );
    assert_eq!(
        statuses.parcel_status_list[1]
            .status_date
            .unwrap()
            .to_rfc3339(),
        "2026-01-02T14:00:00+02:00"
    );
    let body = &bodies(&server).await[0];
    assert_eq!(body["ParcelNumber"], 5_020_004_611_i64);
    assert_eq!(body["ReturnPOD"], true);
    assert_eq!(body["LanguageIsoCode"], "RO");
}

#[tokio::test]
async fn parcel_list_statuses_is_a_batch() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetParcelListStatuses",
        fixture!("get_parcel_list_statuses.json"),
    )
    .await;
    let gls = builder(&server).language("EN").build().unwrap();
    let batch = gls.parcel_list_statuses(&[5_020_004_611]).await.unwrap();
    assert_eq!(batch.parcel_list[0].parcel_number, Some(5_020_004_611));
    let body = &bodies(&server).await[0];
    assert_eq!(
        body["ParcelNumberList"],
        serde_json::json!([5_020_004_611_i64])
    );
    assert_eq!(body["LanguageIsoCode"], "EN");
}

#[tokio::test]
async fn reads_are_retried_after_a_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ParcelService.svc/json/GetParcelStatuses"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount(
        &server,
        "GetParcelStatuses",
        fixture!("get_parcel_statuses_delivered.json"),
    )
    .await;
    let statuses = client(&server)
        .parcel_statuses(5_020_004_611, false)
        .await
        .unwrap();
    assert_eq!(statuses.parcel_number, Some(5_020_004_611));
    assert_eq!(bodies(&server).await.len(), 2);
}

#[tokio::test]
async fn an_unknown_method_404_html_page_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw("<html><body>Endpoint not found.</body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let err = client(&server).parcel_statuses(1, false).await.unwrap_err();
    assert!(
        matches!(
            err,
            GlsError::Http {
                method: "GetParcelStatuses",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(ProviderError::from(err).kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn webshop_engine_is_sent_when_configured() {
    let server = MockServer::start().await;
    mount(
        &server,
        "GetParcelStatuses",
        fixture!("get_parcel_statuses_delivered.json"),
    )
    .await;
    let gls = builder(&server).webshop_engine("Flux").build().unwrap();
    gls.parcel_statuses(5_020_004_611, false).await.unwrap();
    assert_eq!(bodies(&server).await[0]["WebshopEngine"], "Flux");
}

#[test]
fn debug_never_shows_the_password_or_its_digest() {
    let gls = flux_gls::GlsClient::builder(
        "shop@example.ro",
        flux_http::secret::SecretString::from("s3cret-Passw0rd"),
        CLIENT_NUMBER,
    );
    let shown = format!("{gls:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    let shown = format!("{:?}", gls.build().unwrap());
    assert!(!shown.contains("s3cret"), "{shown}");
    let digest = common::expected_password();
    assert!(
        !shown.contains(&format!("{}, {}, {}", digest[0], digest[1], digest[2])),
        "{shown}"
    );
    assert!(
        shown.contains("[redacted]") && shown.contains("api.mygls.ro"),
        "{shown}"
    );
}

#[test]
fn builder_picks_country_hosts_and_refuses_bad_config() {
    use flux_gls::{Country, Environment, GlsClient};
    use flux_http::secret::SecretString;
    let gls = GlsClient::builder("a@b.hu", SecretString::from("x"), 1)
        .country(Country::Hungary)
        .environment(Environment::Test)
        .build()
        .unwrap();
    assert!(format!("{gls:?}").contains("https://api.test.mygls.hu/ParcelService.svc/json/"));
    assert!(matches!(
        GlsClient::builder("a@b.ro", SecretString::from(""), 1).build(),
        Err(GlsError::Configuration(_))
    ));
    assert!(matches!(
        GlsClient::builder("a@b.ro", SecretString::from("x"), 0).build(),
        Err(GlsError::Configuration(_))
    ));
    assert!(matches!(
        GlsClient::builder("a@b.ro", SecretString::from("x"), 1)
            .base_url("http://example.com/")
            .build(),
        Err(GlsError::Configuration(_))
    ));
}
