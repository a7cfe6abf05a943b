//! The typed client against wiremock, replaying fixtures shaped like FAN's responses.

mod common;

use chrono::{NaiveDate, NaiveTime};
use common::*;
use flux_core::{ErrorKind, ProviderError};
use flux_fancourier::*;
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../fixtures/fancourier/", $name))
    };
}

fn sample_shipment() -> AwbShipment {
    let mut info = AwbInfo::new(
        ServiceName::ContColector,
        Packages {
            parcel: 1,
            envelope: 0,
        },
        dec!(1),
    );
    info.cod = Some(dec!(199.99));
    info.declared_value = Some(dec!(1000));
    info.content = "SKU-1, SKU-2".into();
    info.options = vec![AwbOption::SaturdayDelivery, AwbOption::Epod];
    let mut address = AwbAddress::new("Arad", "Aciuta");
    address.street = "Str Lunga".into();
    address.street_no = "1".into();
    let recipient = AwbParty::new("John Ivy", "0723000000", address);
    AwbShipment::new(info, recipient)
}

#[tokio::test]
async fn fifty_concurrent_callers_share_one_login() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/services"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(query_param("clientId", CLIENT_ID))
        .respond_with(json(fixture!("services.json")))
        .expect(50)
        .mount(&server)
        .await;
    let client = client(&server);
    let calls = (0..50).map(|_| {
        let c = client.clone();
        async move { c.services().await }
    });
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().len(), 4);
    }
}

#[tokio::test]
async fn a_refused_token_causes_one_relogin_and_one_repeat() {
    let server = MockServer::start().await;
    mount_login(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/reports/counties"))
        .respond_with(json_status(401, fixture!("unauthenticated.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/counties"))
        .respond_with(json(fixture!("counties.json")))
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let counties = client(&server).counties().await.unwrap();
    assert_eq!(counties[1].name, "Bucuresti");
}

#[tokio::test]
async fn a_token_refused_twice_is_an_auth_error() {
    let server = MockServer::start().await;
    mount_login(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/reports/counties"))
        .respond_with(json_status(401, fixture!("unauthenticated.json")))
        .expect(2)
        .mount(&server)
        .await;
    let err: ProviderError = client(&server).counties().await.unwrap_err().into();
    assert!(err.is_auth());
    assert_eq!(err.http_status(), Some(401));
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error_and_log_in_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(json_status(401, fixture!("login_failed.json")))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).login().await.unwrap_err();
    assert!(
        matches!(&err, FanCourierError::Auth { message, .. } if message == "Invalid credentials")
    );
    let err: ProviderError = err.into();
    assert!(err.is_auth() && !err.is_retryable());
}

#[tokio::test]
async fn create_awb_sends_client_id_and_street_number_as_string() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .and(header("content-type", "application/json"))
        .respond_with(json(fixture!("create_awb_success.json")))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .create_awb(&sample_shipment())
        .await
        .unwrap();
    assert_eq!(created.awb_number.as_deref(), Some("2332300120218"));
    assert_eq!(created.tariff, Some(dec!(30.53)));
    assert_eq!(created.routing_code.as_deref(), Some("0200"));

    let body = body_of(&server, "/intern-awb").await;
    assert_eq!(body["clientId"], "7032158");
    let s = &body["shipments"][0];
    assert_eq!(s["info"]["service"], "Cont Colector");
    assert_eq!(
        s["info"]["packages"],
        serde_json::json!({"parcel": 1, "envelope": 0})
    );
    assert_eq!(s["info"]["cod"].to_string(), "199.99");
    assert_eq!(s["info"]["declaredValue"].to_string(), "1000");
    assert_eq!(s["info"]["payment"], "expeditor");
    assert_eq!(s["info"]["options"], serde_json::json!(["S", "X"]));
    assert!(s["recipient"]["address"]["streetNo"].is_string());
    assert_eq!(s["recipient"]["address"]["streetNo"], "1");
    assert_eq!(s["recipient"]["address"]["county"], "Arad");
    assert_eq!(
        s["sender"],
        serde_json::json!({"address": {"dropOffLocationId": ""}})
    );
}

#[tokio::test]
async fn a_per_item_error_in_a_200_is_an_error_with_the_field_path() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .respond_with(json(fixture!("create_awb_item_error.json")))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_awb(&sample_shipment())
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].field, "info.parcels");
    let err: ProviderError = err.into();
    assert!(err.is_validation());
    assert!(!err.maybe_sent());
    assert_eq!(
        err.field_errors()[0].message,
        "At least one envelope or parcel is required"
    );
}

#[tokio::test]
async fn a_batch_keeps_one_result_per_shipment() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .respond_with(json(fixture!("create_awb_batch_mixed.json")))
        .mount(&server)
        .await;
    let results = client(&server)
        .create_awbs(&[sample_shipment(), sample_shipment()])
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0].as_ref().unwrap().awb_number.as_deref(),
        Some("2332300120218")
    );
    match &results[1] {
        Err(FanCourierError::ShipmentRejected { index, fields }) => {
            assert_eq!(*index, 1);
            assert_eq!(fields[0].field, "recipient.address.locality");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let body = body_of(&server, "/intern-awb").await;
    assert_eq!(body["shipments"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_create_that_fails_with_500_is_maybe_sent_and_not_repeated() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/intern-awb"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Server Error"))
        .expect(1)
        .mount(&server)
        .await;
    let err: ProviderError = client(&server)
        .create_awb(&sample_shipment())
        .await
        .unwrap_err()
        .into();
    assert!(err.maybe_sent());
    assert!(err.is_retryable());
    assert_eq!(err.http_status(), Some(500));
}

#[tokio::test]
async fn label_asks_for_pdf_and_a_page_size() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/awb/label"))
        .and(query_param("pdf", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture!("label.pdf"), "application/pdf"),
        )
        .mount(&server)
        .await;
    let doc = client(&server)
        .label(&LabelRequest::pdf("2332300120218").with_size(PageSize::A5))
        .await
        .unwrap();
    assert!(doc.bytes.starts_with(b"%PDF"));
    let q = query_of(&server, "/awb/label").await;
    assert!(has(&q, "clientId", CLIENT_ID));
    assert!(has(&q, "awbs[0]", "2332300120218"));
    assert!(has(&q, "format", "A5"));
    assert!(has(&q, "language", "ro"));
    assert!(!q.iter().any(|(k, _)| k == "zpl"));
}

#[tokio::test]
async fn label_in_zpl_sends_zpl_and_dpi() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/awb/label"))
        .and(query_param("zpl", "1"))
        .and(query_param("dpi", "203"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture!("label.zpl"), "text/plain"))
        .mount(&server)
        .await;
    let doc = client(&server)
        .label(&LabelRequest::zpl("2332300120218", Some(203)))
        .await
        .unwrap();
    assert!(doc.bytes.starts_with(b"^XA"));
    let q = query_of(&server, "/awb/label").await;
    assert!(!q.iter().any(|(k, _)| k == "pdf"));
}

#[tokio::test]
async fn an_html_label_where_a_pdf_was_asked_for_is_an_error() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/awb/label"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture!("label.html"), "text/html"))
        .mount(&server)
        .await;
    let err = client(&server)
        .label(&LabelRequest::pdf("2332300120218"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FanCourierError::UnexpectedContent { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_label_for_an_unknown_awb_is_not_found() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/awb/label"))
        .respond_with(json(fixture!("label_error.json")))
        .mount(&server)
        .await;
    let err: ProviderError = client(&server)
        .label(&LabelRequest::pdf("9999999999999"))
        .await
        .unwrap_err()
        .into();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn delete_awb_success_and_refusal() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("DELETE"))
        .and(path("/awb"))
        .and(query_param("clientId", CLIENT_ID))
        .and(query_param("awb", "2332300120218"))
        .respond_with(json(fixture!("success.json")))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/awb"))
        .and(query_param("awb", "2332300120219"))
        .respond_with(json(fixture!("delete_awb_failed.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    client.delete_awb("2332300120218").await.unwrap();
    let err: ProviderError = client.delete_awb("2332300120219").await.unwrap_err().into();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.provider_code(), Some("fail"));
    assert!(err.message().contains("ridicata"));
}

#[tokio::test]
async fn tracking_many_awbs_keeps_events_and_not_yet_scanned_ones() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb/tracking"))
        .respond_with(json(fixture!("tracking.json")))
        .mount(&server)
        .await;
    let awbs = vec!["7000081306984".to_owned(), "2000000000000".to_owned()];
    let items = client(&server)
        .track_awbs(&awbs, Language::En)
        .await
        .unwrap();
    let q = query_of(&server, "/reports/awb/tracking").await;
    assert!(has(&q, "clientId", CLIENT_ID));
    assert!(has(&q, "awb[0]", "7000081306984"));
    assert!(has(&q, "awb[1]", "2000000000000"));
    assert!(has(&q, "language", "en"));

    assert_eq!(items[0].events.len(), 5);
    assert_eq!(items[0].last_event().unwrap().id, EventCode::S2);
    assert_eq!(
        items[0].events[4].date.unwrap().to_rfc3339(),
        "2025-08-05T14:00:03+03:00"
    );
    assert_eq!(
        items[0].option_codes.as_deref(),
        Some(&["X".to_owned()][..])
    );
    assert!(!items[1].has_events());
    assert_eq!(
        items[1].message.as_deref(),
        Some("The AWB has been registerd by sender")
    );
}

#[tokio::test]
async fn a_malformed_awb_is_a_validation_error() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb/tracking"))
        .respond_with(json_status(422, fixture!("tracking_invalid.json")))
        .mount(&server)
        .await;
    let err: ProviderError = client(&server)
        .track_awbs(&["abc".to_owned()], Language::Ro)
        .await
        .unwrap_err()
        .into();
    assert!(err.is_validation());
    assert!(err.message().contains("reference.0"));
}

#[tokio::test]
async fn the_event_list_keeps_unknown_codes() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb-events"))
        .and(query_param("language", "ro"))
        .respond_with(json(fixture!("awb_events.json")))
        .mount(&server)
        .await;
    let events = client(&server).awb_events(Language::Ro).await.unwrap();
    assert_eq!(events[1].id, EventCode::S2);
    assert_eq!(events[2].id, EventCode::Other("S99".into()));
    assert_eq!(events[2].id.as_str(), "S99");
}

#[tokio::test]
async fn tariff_sends_nested_query_and_reads_decimals() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb/internal-tariff"))
        .respond_with(json(fixture!("tariff.json")))
        .mount(&server)
        .await;
    let mut req = TariffRequest::new(ServiceName::Standard, dec!(2.5), "Iasi", "Iasi");
    req.declared_value = Some(dec!(100));
    req.options = vec![AwbOption::OpenOnDelivery];
    let tariff = client(&server).internal_tariff(&req).await.unwrap();
    assert_eq!(tariff.total, Some(dec!(23.92)));
    assert_eq!(tariff.cost_no_vat, Some(dec!(20.1)));
    let q = query_of(&server, "/reports/awb/internal-tariff").await;
    assert!(has(&q, "clientId", CLIENT_ID));
    assert!(has(&q, "info[service]", "Standard"));
    assert!(has(&q, "info[weight]", "2.5"));
    assert!(has(&q, "info[packages][parcel]", "1"));
    assert!(has(&q, "info[declaredValue]", "100"));
    assert!(has(&q, "info[options][0]", "A"));
    assert!(has(&q, "recipient[locality]", "Iasi"));
    assert!(has(&q, "recipient[county]", "Iasi"));
}

#[tokio::test]
async fn tariff_for_an_unknown_locality_names_the_field() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb/internal-tariff"))
        .respond_with(json(fixture!("tariff_invalid.json")))
        .mount(&server)
        .await;
    let req = TariffRequest::new(ServiceName::Standard, dec!(1), "Iasi", "Atlantis");
    let err: ProviderError = client(&server)
        .internal_tariff(&req)
        .await
        .unwrap_err()
        .into();
    assert!(err.is_validation());
    assert_eq!(err.field_errors()[0].field, "recipient.locality");
}

#[tokio::test]
async fn services_and_options_keep_unknown_values() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/services"))
        .respond_with(json(fixture!("services.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/service-options"))
        .and(query_param("service", "FANBox"))
        .and(query_param("clientId", CLIENT_ID))
        .respond_with(json(fixture!("service_options.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    let services = client.services().await.unwrap();
    assert_eq!(services[1].name, ServiceName::ContColector);
    assert_eq!(
        services[3].name,
        ServiceName::Other("Express Loco 2H".into())
    );
    assert_eq!(services[0].id, "1");
    let options = client.service_options(&ServiceName::FanBox).await.unwrap();
    assert_eq!(options[0].id, AwbOption::OpenOnDelivery);
    assert_eq!(options[3].id, AwbOption::Other("Z".into()));
}

#[tokio::test]
async fn counties_localities_and_streets() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/localities"))
        .and(query_param("county", "Ialomita"))
        .respond_with(json(fixture!("localities.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/streets"))
        .and(query_param("county", "Arad"))
        .and(query_param("locality", "Aciuta"))
        .and(query_param("page", "1"))
        .and(query_param("perPage", "1"))
        .respond_with(json(fixture!("streets.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    let localities = client
        .localities(fan_county_name(flux_core::County::Ialomita))
        .await
        .unwrap();
    assert_eq!(localities[0].name, "Fetesti");
    assert_eq!(localities[0].exterior_km, Some(dec!(12.5)));
    assert_eq!(localities[1].exterior_km, None);
    let page = client
        .streets(&StreetQuery::new("Arad", "Aciuta").page(1, 1))
        .await
        .unwrap();
    assert_eq!(page.items[0].name, "Lunga");
    assert_eq!(page.items[0].details[0].zip_code.as_deref(), Some("317003"));
    assert_eq!(page.total, 2);
    assert!(page.has_next());
}

#[tokio::test]
async fn pickup_points_by_type_and_by_id() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/pickup-points"))
        .and(query_param("type", "fanbox"))
        .respond_with(json(fixture!("pickup_points_fanbox.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/pickup-points"))
        .and(query_param("id", "F1011137"))
        .respond_with(json(fixture!("pickup_points_fanbox.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    let points = client
        .pickup_points(&PickupPointType::Fanbox)
        .await
        .unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].address.street.as_deref(), Some("Str. Babadag"));
    assert_eq!(points[0].latitude, Some(dec!(45.17240)));
    assert_eq!(points[1].longitude, Some(dec!(27.58)));
    let one = client.pickup_point("F1011137").await.unwrap().unwrap();
    assert_eq!(one.name, "FANbox Kaufland Tulcea");
}

#[tokio::test]
async fn courier_order_create_and_delete() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(json(fixture!("order_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/order"))
        .and(query_param("clientId", CLIENT_ID))
        .and(query_param("id", "123456"))
        .respond_with(json(fixture!("success.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let date = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let mut order = CourierOrderRequest::new(
        Packages {
            parcel: 2,
            envelope: 0,
        },
        dec!(3.5),
        date,
        t(9),
        t(16),
    );
    order.observations = "rampa 2".into();
    let id = client.create_courier_order(&order).await.unwrap();
    assert_eq!(id, "123456");
    let body = body_of(&server, "/order").await;
    assert_eq!(body["clientId"], "7032158");
    assert_eq!(body["info"]["orderType"], "Standard");
    assert_eq!(body["info"]["pickupDate"], "2025-09-01");
    assert_eq!(
        body["info"]["pickupHours"],
        serde_json::json!({"first": "09:00", "second": "16:00"})
    );
    assert_eq!(body["info"]["weight"].to_string(), "3.5");
    client.delete_courier_order(&id).await.unwrap();

    // A window shorter than two hours is refused before sending.
    let short = CourierOrderRequest::new(
        Packages {
            parcel: 1,
            envelope: 0,
        },
        dec!(1),
        date,
        t(9),
        t(10),
    );
    let err = client.create_courier_order(&short).await.unwrap_err();
    assert!(matches!(err, FanCourierError::InvalidRequest { .. }));
}

#[tokio::test]
async fn the_daily_slip() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/awb"))
        .and(query_param("clientId", CLIENT_ID))
        .and(query_param("date", "2023-11-20"))
        .respond_with(json(fixture!("shipping_slip.json")))
        .mount(&server)
        .await;
    let page = client(&server)
        .shipping_slip(NaiveDate::from_ymd_opt(2023, 11, 20).unwrap(), 1, 100)
        .await
        .unwrap();
    let entry = &page.items[0];
    assert_eq!(entry.info.awb_number, "6324356450139");
    assert_eq!(entry.info.service, Some(ServiceName::ContColector));
    assert_eq!(entry.info.cod, Some(dec!(75.29)));
    assert_eq!(
        entry.info.payment,
        Some(PaymentParty::Other("sender".into()))
    );
    assert_eq!(entry.recipient.address.county.as_deref(), Some("Ialomita"));
    assert!(!page.has_next());
}

#[tokio::test]
async fn bank_transfers_follow_every_page() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/reports/bank-transfers"))
        .and(query_param("page", "1"))
        .respond_with(json(fixture!("bank_transfers_page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/bank-transfers"))
        .and(query_param("page", "2"))
        .respond_with(json(fixture!("bank_transfers_page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let all = client(&server)
        .all_bank_transfers(NaiveDate::from_ymd_opt(2023, 11, 20).unwrap())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].info.amount_collected, Some(dec!(670.33)));
    assert_eq!(all[2].info.amount_collected, Some(dec!(99.90)));
    assert_eq!(
        all[0].info.transfer_date,
        NaiveDate::from_ymd_opt(2023, 11, 20)
    );
}

#[test]
fn debug_never_shows_the_password() {
    let client =
        FanCourierClient::builder("7032158", "clienttest", SecretString::from("s3cr3t-pass"))
            .build()
            .unwrap();
    let text = format!("{client:?}");
    assert!(!text.contains("s3cr3t-pass"), "{text}");
    assert!(text.contains("REDACTED"));
    let builder = FanCourierClient::builder("1", "u", SecretString::from("s3cr3t-pass"));
    assert!(!format!("{builder:?}").contains("s3cr3t-pass"));
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let err = FanCourierClient::builder("1", "u", SecretString::from("p"))
        .base_url("http://api.fancourier.ro/")
        .build()
        .unwrap_err();
    let err: ProviderError = err.into();
    assert_eq!(err.kind(), ErrorKind::Configuration);
}
