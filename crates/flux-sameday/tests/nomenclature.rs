//! Services, pickup points, counties, cities, lockers and out-of-home locations.

mod common;

use common::{client, fixture, form_pairs, json, mount_login, requests_to};
use flux_sameday::CityQuery;
use flux_sameday::SamedayError;
use flux_sameday::types::{CostType, NewContactPerson, NewPickupPoint, OohType, PackageType};
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn services_and_lookup_by_code() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/services"))
        .and(query_param("page", "1"))
        .and(query_param("countPerPage", "500"))
        .respond_with(json(200, fixture!("services.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let services = client.services().await.unwrap();
    assert_eq!(services.len(), 3);
    let tax = &services[0].service_optional_taxes[1];
    assert_eq!(tax.tax_code.as_deref(), Some("OPCG"));
    assert_eq!(tax.cost_type, Some(CostType::Percentage));
    assert_eq!(tax.tax, Some(dec!(1.1)));
    assert!(
        services[0]
            .optional_tax("OPCG", &PackageType::Parcel)
            .is_some()
    );
    assert!(
        services[0]
            .optional_tax("OPCG", &PackageType::Envelope)
            .is_none()
    );

    let ln = client.service_by_code("ln").await.unwrap();
    assert_eq!(ln.id, 15);
    // Cached: a second lookup makes no call (the `expect(2)` counts services() + one fill).
    assert_eq!(client.service_by_code("PP").await.unwrap().id, 44);
    let err = client.service_by_code("6H").await.unwrap_err();
    match err {
        SamedayError::InvalidInput { fields } => {
            assert_eq!(fields[0].field, "service");
            assert!(
                fields[0].message.contains("24, LN, PP"),
                "{}",
                fields[0].message
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn pickup_points_and_the_default_one() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/pickup-points"))
        .respond_with(json(200, fixture!("pickup_points.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    let points = client.pickup_points().await.unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].city.as_ref().unwrap().name, "Sectorul 6");
    assert_eq!(points[1].pickup_point_contact_person.len(), 2);
    let default = client.default_pickup_point().await.unwrap();
    assert_eq!(default.id, 1641);
}

#[tokio::test]
async fn create_and_delete_a_pickup_point() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/client/pickup-points"))
        .respond_with(json(201, fixture!("created_pickup_point.json")))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/client/pickup-points/2001"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let point = NewPickupPoint::new(
        187,
        15,
        9440,
        "Str. Portului 1",
        "900001",
        "Depozit Constanta",
        vec![NewContactPerson::new("Ion Popescu", "0722000111", true)],
        false,
    );
    let created = client.create_pickup_point(&point).await.unwrap();
    assert_eq!(created.id, 2001);
    assert_eq!(created.contact_persons[0].id, 3001);
    let got = form_pairs(&requests_to(&server, "/api/client/pickup-points").await[0]);
    let expected: Vec<(String, String)> = [
        ("country", "187"),
        ("county", "15"),
        ("city", "9440"),
        ("address", "Str. Portului 1"),
        ("postalCode", "900001"),
        ("alias", "Depozit Constanta"),
        ("pickupPointContactPerson[0][name]", "Ion Popescu"),
        ("pickupPointContactPerson[0][phoneNumber]", "0722000111"),
        ("pickupPointContactPerson[0][default]", "1"),
        ("defaultPickupPoint", "0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(got, expected);
    client.delete_pickup_point(2001).await.unwrap();
}

#[tokio::test]
async fn cities_follow_pages_and_filters() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/geolocation/city"))
        .and(query_param("county", "15"))
        .and(query_param("page", "1"))
        .respond_with(json(200, fixture!("cities_page1.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/geolocation/city"))
        .and(query_param("county", "15"))
        .and(query_param("page", "2"))
        .respond_with(json(200, fixture!("cities_page2.json")))
        .mount(&server)
        .await;
    let cities = client(&server)
        .cities(&CityQuery::in_county(15).postal_code("907161"))
        .await
        .unwrap();
    assert_eq!(cities.len(), 2);
    assert_eq!(cities[0].name, "2 Mai");
    assert_eq!(cities[0].county.as_ref().unwrap().code, "CT");
    assert_eq!(cities[0].extra_km, Some(dec!(1)));
    assert_eq!(cities[1].id, 9440);
    let calls = requests_to(&server, "/api/geolocation/city").await;
    assert!(calls.iter().all(|r| {
        r.url
            .query_pairs()
            .any(|(k, v)| k == "postalCode" && v == "907161")
    }));
}

#[tokio::test]
async fn lockers_with_an_id_list() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/lockers"))
        .and(query_param("lockersList", "2,1"))
        .respond_with(json(200, fixture!("lockers.json")))
        .mount(&server)
        .await;
    let lockers = client(&server).lockers(&[2, 1]).await.unwrap();
    assert_eq!(lockers.len(), 2);
    assert_eq!(lockers[0].locker_id, 2);
    assert!(lockers[0].supported_payment && !lockers[1].supported_payment);
    assert_eq!(lockers[0].available_boxes[1].size, "M");
    assert_eq!(lockers[0].lat.as_deref(), Some("44.402301"));
    assert_eq!(lockers[0].schedule[1].day, Some(7));
}

#[tokio::test]
async fn ooh_locations_keep_their_type() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/ooh-locations"))
        .respond_with(json(200, fixture!("ooh_locations.json")))
        .mount(&server)
        .await;
    let locations = client(&server).ooh_locations(&[]).await.unwrap();
    assert_eq!(locations[0].ooh_type, OohType::Locker);
    assert_eq!(locations[1].ooh_type, OohType::PickupPoint);
    assert_eq!(locations[1].ooh_id, 5012);
    assert_eq!(locations[1].email, None);
}

#[tokio::test]
async fn counties_no_data_is_a_validation_error_with_the_message() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/geolocation/county"))
        .respond_with(json(400, fixture!("error_no_data.json")))
        .mount(&server)
        .await;
    let err = client(&server).counties(None).await.unwrap_err();
    match &err {
        SamedayError::BadRequest { message, fields } => {
            assert_eq!(message, "No data found for current user.");
            assert!(fields.is_empty());
        }
        other => panic!("{other:?}"),
    }
}
