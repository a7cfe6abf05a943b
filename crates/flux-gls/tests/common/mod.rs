//! Shared test helpers.
#![allow(dead_code, unreachable_pub)]

use flux_gls::{GlsClient, GlsClientBuilder};
use flux_http::secret::SecretString;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_NUMBER: i64 = 553_000_123;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../fixtures/gls/", $name))
    };
}
pub(crate) use fixture;

pub fn builder(server: &MockServer) -> GlsClientBuilder {
    GlsClient::builder(
        "shop@example.ro",
        SecretString::from("s3cret-Passw0rd"),
        CLIENT_NUMBER,
    )
    .base_url(format!("{}/ParcelService.svc/json/", server.uri()))
}

pub fn client(server: &MockServer) -> GlsClient {
    builder(server).build().unwrap()
}

/// Mounts `body` (HTTP 200, JSON) on `POST /ParcelService.svc/json/<method>`.
pub async fn mount(server: &MockServer, gls_method: &str, body: &str) {
    Mock::given(method("POST"))
        .and(path(format!("/ParcelService.svc/json/{gls_method}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json"))
        .mount(server)
        .await;
}

/// Same, expecting exactly `times` calls.
pub async fn mount_times(server: &MockServer, gls_method: &str, body: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(format!("/ParcelService.svc/json/{gls_method}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json"))
        .expect(times)
        .mount(server)
        .await;
}

/// The JSON bodies received, in order.
pub async fn bodies(server: &MockServer) -> Vec<serde_json::Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// SHA-512("s3cret-Passw0rd") as the 64 byte values MyGLS expects.
pub fn expected_password() -> Vec<u64> {
    use sha2::Digest as _;
    sha2::Sha512::digest(b"s3cret-Passw0rd")
        .iter()
        .map(|b| u64::from(*b))
        .collect()
}

/// Asserts the login fields of a body.
pub fn assert_login(body: &serde_json::Value) {
    assert_eq!(body["Username"], "shop@example.ro");
    let password: Vec<u64> = body["Password"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(password, expected_password());
}
