//! AWB operations against fixtures: the exact form body, PDFs, deletion, COD, parcels,
//! and the 400 error tree.

mod common;

use common::{client, fixture, form_pairs, header_value, json, mount_login, requests_to};
use flux_core::{ErrorKind, ProviderError};
use flux_sameday::AwbPdfFormat;
use flux_sameday::SamedayError;
use flux_sameday::types::{
    AwbParty, CreateAwb, LastMile, Location, NewParcel, PackageType, ParcelDimensions,
};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn sample_awb() -> CreateAwb {
    let recipient = AwbParty::new(
        "Ana Pop",
        "0722000111",
        "Str. Lunga 5, bl. A2",
        Location::Name("Sectorul 3".into()),
        Location::Name("Bucuresti".into()),
    )
    .postal_code("030167")
    .email("ana@example.com");
    let mut awb = CreateAwb::new(
        1641,
        7,
        recipient,
        vec![
            ParcelDimensions::new(dec!(1)),
            ParcelDimensions::new(dec!(1.5)).size(dec!(20), dec!(30), dec!(10)),
        ],
    );
    awb.contact_person = Some(1740);
    awb.cash_on_delivery = dec!(110.50);
    awb.insured_value = dec!(100);
    awb.service_taxes = vec![23];
    awb.observation = Some("Carti".into());
    awb.client_internal_reference = Some("ORDER-1001".into());
    awb.client_observation = Some("Sunati inainte".into());
    awb.currency = Some("RON".into());
    awb
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn create_awb_sends_the_php_form_body_and_reads_the_answer() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(json(201, fixture!("create_awb.json")))
        .expect(1)
        .mount(&server)
        .await;

    let created = client(&server).create_awb(&sample_awb()).await.unwrap();
    assert_eq!(created.awb_number, "1SDY241067423");
    assert_eq!(created.awb_cost, Some(dec!(12.34)));
    assert_eq!(created.parcels.len(), 2);
    assert!(created.pdf_link.unwrap().contains("/api/awb/download/"));

    let request = &requests_to(&server, "/api/awb").await[0];
    assert_eq!(
        header_value(request, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        header_value(request, "x-auth-token").as_deref(),
        Some("tok-first")
    );
    assert_eq!(
        form_pairs(request),
        pairs(&[
            ("pickupPoint", "1641"),
            ("contactPerson", "1740"),
            ("packageType", "0"),
            ("packageNumber", "2"),
            ("packageWeight", "2.5"),
            ("service", "7"),
            ("awbPayment", "1"),
            ("cashOnDelivery", "110.50"),
            ("cashOnDeliveryReturns", "1"),
            ("insuredValue", "100"),
            ("thirdPartyPickup", "0"),
            ("serviceTaxes[0]", "23"),
            ("awbRecipient[name]", "Ana Pop"),
            ("awbRecipient[phoneNumber]", "0722000111"),
            ("awbRecipient[address]", "Str. Lunga 5, bl. A2"),
            ("awbRecipient[personType]", "0"),
            ("awbRecipient[cityString]", "Sectorul 3"),
            ("awbRecipient[countyString]", "Bucuresti"),
            ("awbRecipient[postalCode]", "030167"),
            ("awbRecipient[email]", "ana@example.com"),
            ("parcels[0][weight]", "1"),
            ("parcels[1][weight]", "1.5"),
            ("parcels[1][width]", "20"),
            ("parcels[1][length]", "30"),
            ("parcels[1][height]", "10"),
            ("observation", "Carti"),
            ("clientInternalReference", "ORDER-1001"),
            ("clientObservation", "Sunati inainte"),
            ("currency", "RON"),
        ])
    );
    // The raw body really uses bracket keys (percent-encoded) and `+` for spaces.
    let raw = std::str::from_utf8(&request.body).unwrap();
    assert!(raw.contains("awbRecipient%5Bname%5D=Ana+Pop"), "{raw}");
}

#[tokio::test]
async fn city_ids_third_party_and_locker_fields_go_to_their_own_keys() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(json(201, fixture!("create_awb.json")))
        .mount(&server)
        .await;
    let recipient = AwbParty::new(
        "Firma SRL",
        "0722",
        "Str. X 1",
        Location::Id(9440),
        Location::Id(15),
    )
    .company("Firma SRL", Some("RO123".into()));
    let mut awb = CreateAwb::new(139, 15, recipient, vec![ParcelDimensions::new(dec!(0.5))]);
    awb.package_type = PackageType::Envelope;
    awb.last_mile = Some(LastMile::Locker(2));
    awb.third_party = Some(AwbParty::new(
        "Depozit",
        "0723",
        "Str. Y 2",
        Location::Id(1),
        Location::Id(2),
    ));
    client(&server).create_awb(&awb).await.unwrap();

    let got = form_pairs(&requests_to(&server, "/api/awb").await[0]);
    let get = |k: &str| {
        got.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("packageType"), Some("1"));
    assert_eq!(get("awbRecipient[city]"), Some("9440"));
    assert_eq!(get("awbRecipient[county]"), Some("15"));
    assert_eq!(get("awbRecipient[cityString]"), None);
    assert_eq!(get("awbRecipient[personType]"), Some("1"));
    assert_eq!(get("awbRecipient[companyCui]"), Some("RO123"));
    assert_eq!(get("thirdPartyPickup"), Some("1"));
    assert_eq!(get("thirdParty[name]"), Some("Depozit"));
    assert_eq!(get("lockerLastMile"), Some("2"));
    assert_eq!(get("oohLastMile"), None);
    // No COD: neither the amount's return mode nor a reference is invented.
    assert_eq!(get("cashOnDelivery"), Some("0"));
    assert_eq!(get("cashOnDeliveryReturns"), None);
    assert_eq!(get("clientInternalReference"), None);
}

#[tokio::test]
async fn a_400_tree_becomes_field_paths() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(json(400, fixture!("error_validation.json")))
        .mount(&server)
        .await;
    let err = client(&server).create_awb(&sample_awb()).await.unwrap_err();
    let mut fields: Vec<(String, String)> = err
        .field_errors()
        .iter()
        .map(|f| (f.field.clone(), f.message.clone()))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        pairs(&[
            ("awbRecipient.cityString", "Invalid city."),
            ("pickupPoint", "The given pickupPoint is invalid!"),
            ("thirdParty.city", "Invalid city."),
        ])
    );
    let p: ProviderError = err.into();
    assert!(p.is_validation() && !p.is_retryable() && !p.maybe_sent());
    assert_eq!(p.http_status(), Some(400));
    assert_eq!(p.field_errors().len(), 3);
}

#[tokio::test]
async fn a_repeated_reference_is_a_conflict() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(json(400, fixture!("error_not_unique.json")))
        .mount(&server)
        .await;
    let err = client(&server).create_awb(&sample_awb()).await.unwrap_err();
    assert!(err.is_duplicate());
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::Conflict);
    assert_eq!(p.field_errors()[0].field, "clientInternalReference");
}

#[tokio::test]
async fn a_500_on_create_is_not_retried_and_may_have_been_sent() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/awb"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .mount(&server)
        .await;
    let err = client(&server).create_awb(&sample_awb()).await.unwrap_err();
    assert!(matches!(err, SamedayError::Http(_)));
    assert_eq!(
        requests_to(&server, "/api/awb").await.len(),
        1,
        "POST is never repeated"
    );
    let p: ProviderError = err.into();
    assert!(
        p.maybe_sent(),
        "the AWB may exist: look before creating again"
    );
    assert!(p.is_retryable());
}

#[tokio::test]
async fn estimate_cost_sends_the_pricing_fields_only() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/awb/estimate-cost"))
        .respond_with(json(201, fixture!("estimate_cost.json")))
        .mount(&server)
        .await;
    let estimate = client(&server).estimate_cost(&sample_awb()).await.unwrap();
    assert_eq!(estimate.amount, dec!(18.56));
    assert_eq!(estimate.currency, "RON");
    assert_eq!(estimate.time, Some(48));
    let got = form_pairs(&requests_to(&server, "/api/awb/estimate-cost").await[0]);
    let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert!(keys.contains(&"awbRecipient[cityString]"));
    assert!(keys.contains(&"parcels[1][height]"));
    assert!(!keys.contains(&"clientInternalReference"));
    assert!(!keys.contains(&"observation"));
}

#[tokio::test]
async fn awb_pdf_downloads_a4_and_a6() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    let pdf = include_bytes!("../../../fixtures/sameday/awb.pdf");
    for size in ["A4", "A6"] {
        Mock::given(method("GET"))
            .and(path(format!("/api/awb/download/1SDY241067423/{size}")))
            .respond_with(ResponseTemplate::new(200).set_body_raw(pdf.to_vec(), "application/pdf"))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let a4 = client
        .awb_pdf("1SDY241067423", AwbPdfFormat::A4)
        .await
        .unwrap();
    let a6 = client
        .awb_pdf("1SDY241067423", AwbPdfFormat::A6)
        .await
        .unwrap();
    assert!(a4.starts_with(b"%PDF"));
    assert_eq!(a4, a6);
}

#[tokio::test]
async fn awb_pdf_that_is_not_a_pdf_is_a_decode_error() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/awb/download/1SDY241067423/A4"))
        .respond_with(json(200, r#"{"message":"generating"}"#))
        .mount(&server)
        .await;
    let err = client(&server)
        .awb_pdf("1SDY241067423", AwbPdfFormat::A4)
        .await
        .unwrap_err();
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn awb_numbers_are_checked_before_going_into_a_path() {
    let server = MockServer::start().await;
    let err = client(&server)
        .delete_awb("../pickup-points/1")
        .await
        .unwrap_err();
    assert!(matches!(err, SamedayError::InvalidInput { .. }));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn delete_awb_and_not_found() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/api/awb/1SDY241067423"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/awb/1SDY000000000"))
        .respond_with(json(404, fixture!("error_not_found.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    client.delete_awb("1SDY241067423").await.unwrap();
    let err = client.delete_awb("1SDY000000000").await.unwrap_err();
    assert!(matches!(err, SamedayError::NotFound { .. }), "{err:?}");
    assert!(ProviderError::from(err).is_not_found());
}

#[tokio::test]
async fn update_cod_puts_the_new_amount() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("PUT"))
        .and(path("/api/awb/1SDY241067423/update-cod"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .update_cod("1SDY241067423", dec!(99.90))
        .await
        .unwrap();
    let got = form_pairs(&requests_to(&server, "/api/awb/1SDY241067423/update-cod").await[0]);
    assert_eq!(got, pairs(&[("cashOnDelivery", "99.90")]));
}

#[tokio::test]
async fn add_parcel_returns_the_new_parcel_number() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY241067423/status"))
        .respond_with(json(200, fixture!("awb_status.json")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY241067423/status"))
        .respond_with(json(200, fixture!("awb_status_two_parcels.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/awb/1SDY241067423/parcel"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let mut parcel = NewParcel::new(dec!(2), 2, true);
    parcel.observation = Some("A doua cutie".into());
    let number = client(&server)
        .add_parcel("1SDY241067423", &parcel)
        .await
        .unwrap();
    assert_eq!(number.as_deref(), Some("1SDY241067423002"));
    let got = form_pairs(&requests_to(&server, "/api/awb/1SDY241067423/parcel").await[0]);
    assert_eq!(
        got,
        pairs(&[
            ("weight", "2"),
            ("position", "2"),
            ("isLast", "1"),
            ("observation", "A doua cutie")
        ])
    );
}

#[tokio::test]
async fn update_parcel_size_puts_weight_and_size() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("PUT"))
        .and(path("/api/client/parcel/1SDY241067423001/size"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let size = ParcelDimensions::new(dec!(3.2)).size(dec!(10), dec!(20), dec!(30));
    client(&server)
        .update_parcel_size("1SDY241067423001", &size)
        .await
        .unwrap();
    let got =
        form_pairs(&requests_to(&server, "/api/client/parcel/1SDY241067423001/size").await[0]);
    assert_eq!(
        got,
        pairs(&[
            ("weight", "3.2"),
            ("width", "10"),
            ("length", "20"),
            ("height", "30")
        ])
    );
}
