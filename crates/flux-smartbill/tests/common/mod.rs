//! Shared test helpers: a wiremock server, a client pointed at it, fixtures.
#![allow(dead_code, unreachable_pub)]

use flux_http::secret::SecretString;
use flux_smartbill::SmartBillClient;
use wiremock::MockServer;

pub const EMAIL: &str = "facturi@example.ro";
pub const TOKEN: &str = "tok-7f3a9c";
pub const CIF: &str = "RO37311090";
/// base64("facturi@example.ro:tok-7f3a9c")
pub const BASIC: &str = "Basic ZmFjdHVyaUBleGFtcGxlLnJvOnRvay03ZjNhOWM=";

/// A fixture file from `fixtures/smartbill/`, as a string.
#[macro_export]
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../fixtures/smartbill/", $name))
    };
}

pub fn json(body: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub fn json_status(status: u16, body: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(status)
        .set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub async fn setup() -> (MockServer, SmartBillClient) {
    let server = MockServer::start().await;
    let client = client_for(&server);
    (server, client)
}

pub fn client_for(server: &MockServer) -> SmartBillClient {
    SmartBillClient::builder(EMAIL, SecretString::from(TOKEN), CIF)
        .base_url(format!("{}/SBORO/api/", server.uri()))
        .build()
        .expect("client")
}

/// The JSON body of the only request received.
pub async fn only_body(server: &MockServer) -> serde_json::Value {
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    serde_json::from_slice(&requests[0].body).expect("json body")
}

/// Query pairs of the only request received.
pub async fn only_query(server: &MockServer) -> Vec<(String, String)> {
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn doc_query(series: &str, number: &str) -> Vec<(String, String)> {
    vec![
        ("cif".into(), CIF.into()),
        ("seriesName".into(), series.into()),
        ("number".into(), number.into()),
    ]
}
