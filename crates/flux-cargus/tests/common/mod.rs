#![allow(dead_code, unreachable_pub)]

use flux_cargus::CargusClient;
use flux_http::secret::SecretString;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const KEY: &str = "sub-key-123";
pub const TOKEN: &str =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyIjoidGVzdC5pbnRlZ3JhdGlvbjkifQ.c2lnbmF0dXJl";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/cargus/",
            $name
        ))
    };
}
pub(crate) use fixture;

pub fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// A server whose LoginUser answers the token once (expect 1).
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/LoginUser"))
        .and(header("Ocp-Apim-Subscription-Key", KEY))
        .and(body_json(
            serde_json::json!({"UserName": "user", "Password": "pass"}),
        ))
        .respond_with(json(200, fixture!("login_user.json")))
        .expect(1)
        .mount(&server)
        .await;
    server
}

pub fn client(server: &MockServer) -> CargusClient {
    CargusClient::builder(SecretString::from(KEY), "user", SecretString::from("pass"))
        .base_url(format!("{}/api/", server.uri()))
        .default_location_id(201266091)
        .retry_policy(
            flux_http::RetryPolicy::default()
                .with_max_attempts(2)
                .without_jitter(),
        )
        .build()
        .unwrap()
}

/// Mounts `GET /api/{p}` answering `body`, requiring both credentials.
pub async fn get(server: &MockServer, p: &str, body: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/api/{p}")))
        .and(header("Ocp-Apim-Subscription-Key", KEY))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json(200, body))
        .expect(1..)
        .mount(server)
        .await;
}

pub async fn query_of(server: &MockServer, p: &str) -> Vec<(String, String)> {
    let requests = server.received_requests().await.unwrap();
    let r = requests
        .iter()
        .rev()
        .find(|r| r.url.path() == format!("/api/{p}"))
        .expect("request sent");
    r.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub async fn body_of(server: &MockServer, p: &str) -> serde_json::Value {
    let requests = server.received_requests().await.unwrap();
    let r = requests
        .iter()
        .rev()
        .find(|r| r.url.path() == format!("/api/{p}"))
        .expect("request sent");
    serde_json::from_slice(&r.body).unwrap()
}
