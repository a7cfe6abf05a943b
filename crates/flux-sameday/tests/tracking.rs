//! AWB status, parcel history and the status sync feed.

mod common;

use chrono::{TimeZone, Utc};
use common::{client, fixture, json, mount_login, requests_to};
use flux_sameday::SamedayError;
use flux_sameday::types::StatusCode;
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn awb_status_decodes_summary_parcels_and_history() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY241067424/status"))
        .respond_with(json(200, fixture!("awb_status_delivered.json")))
        .mount(&server)
        .await;
    let status = client(&server).awb_status("1SDY241067424").await.unwrap();
    let summary = &status.expedition_summary;
    assert!(summary.delivered && !summary.canceled);
    assert_eq!(summary.cash_on_delivery, Some(dec!(54.6)));
    assert_eq!(
        summary.delivered_at.unwrap().to_rfc3339(),
        "2019-02-26T12:37:28+02:00"
    );
    assert_eq!(summary.last_delivery_attempt, None, "\"\" means no date");
    assert_eq!(
        status.expedition_status.as_ref().unwrap().status_id,
        StatusCode::Delivered
    );
    assert_eq!(
        status.parcels_status[0].parcel_awb_number,
        "1SDY241067424001"
    );
    assert_eq!(status.expedition_history.len(), 3);
    assert_eq!(
        status.expedition_history[1].transit_location.as_deref(),
        Some("Hub Chiajna")
    );
}

#[tokio::test]
async fn parcel_status_history() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/parcel/1SDY241065761001/status-history"))
        .respond_with(json(200, fixture!("parcel_status_history.json")))
        .mount(&server)
        .await;
    let history = client(&server)
        .parcel_status_history("1SDY241065761001")
        .await
        .unwrap();
    assert!(history.parcel_summary.is_picked_up);
    assert_eq!(history.parcel_summary.parcel_weight, Some(dec!(1.1)));
    assert_eq!(history.parcel_history.len(), 2);
    assert!(history.parcel_history[0].in_return);
    assert_eq!(
        history.parcel_history[1].status_id,
        StatusCode::OutForDelivery
    );
    assert_eq!(history.expedition_status.unwrap().status_id.id(), 9);
}

#[tokio::test]
async fn unknown_awb_is_not_found() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY000000000/status"))
        .respond_with(json(404, fixture!("error_not_found.json")))
        .mount(&server)
        .await;
    let err = client(&server)
        .awb_status("1SDY000000000")
        .await
        .unwrap_err();
    assert!(matches!(err, SamedayError::NotFound { .. }));
}

#[tokio::test]
async fn status_sync_splits_long_periods_into_two_hour_windows() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    let start = Utc.with_ymd_and_hms(2018, 12, 20, 12, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2018, 12, 20, 17, 0, 0).unwrap();
    // The first window has the changes; the others are empty.
    Mock::given(method("GET"))
        .and(path("/api/client/status-sync"))
        .and(query_param("startTimestamp", start.timestamp().to_string()))
        .respond_with(json(200, fixture!("status_sync.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/status-sync"))
        .respond_with(json(200, fixture!("status_sync_empty.json")))
        .mount(&server)
        .await;

    let entries = client(&server).status_sync(start, end).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].status_id, StatusCode::Delivered);
    assert_eq!(entries[0].reason_id, None, "\"\" reasonId");
    assert_eq!(entries[1].reason_id.as_deref(), Some("1"));
    assert_eq!(entries[2].reason_id, None, "null reasonId");
    assert_eq!(entries[0].parcel_awb_number, "1SDY241066690001");

    let calls = requests_to(&server, "/api/client/status-sync").await;
    let windows: Vec<(i64, i64)> = calls
        .iter()
        .map(|r| {
            let q = |k: &str| -> i64 {
                r.url
                    .query_pairs()
                    .find(|(key, _)| key == k)
                    .unwrap()
                    .1
                    .parse()
                    .unwrap()
            };
            assert_eq!(q("page"), 1);
            assert_eq!(q("countPerPage"), 500);
            (q("startTimestamp"), q("endTimestamp"))
        })
        .collect();
    let s = start.timestamp();
    assert_eq!(
        windows,
        vec![
            (s, s + 7200),
            (s + 7200, s + 14400),
            (s + 14400, end.timestamp())
        ]
    );
}

#[tokio::test]
async fn a_single_window_longer_than_two_hours_is_refused() {
    let server = MockServer::start().await;
    let start = Utc.with_ymd_and_hms(2018, 12, 20, 12, 0, 0).unwrap();
    let err = client(&server)
        .status_sync_page(start, start + chrono::Duration::seconds(7201), 1, 500)
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].field, "end");
    assert!(server.received_requests().await.unwrap().is_empty());
}
