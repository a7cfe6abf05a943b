//! Shared test helpers: a mock Oblio with a token endpoint, fixtures, body matchers.
#![allow(dead_code, unreachable_pub)]

use flux_http::secret::SecretString;
use flux_oblio::{OblioClient, OblioClientBuilder};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const EMAIL: &str = "contabil@firma.ro";
pub const SECRET: &str = "s3cr3t-api-key-0b1i0";
pub const CIF: &str = "RO37311090";
pub const TOKEN: &str = "67d6f8817c28d698bdae35728c7a30b02a75bd4d";

/// A fixture from `fixtures/oblio/`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/oblio/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A fixture whose `https://www.oblio.eu` links point at the mock server instead.
pub fn fixture_on(server: &MockServer, name: &str) -> String {
    fixture(name).replace("https://www.oblio.eu", &server.uri())
}

pub fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "application/json")
}

pub fn json_status(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

pub fn builder(server: &MockServer) -> OblioClientBuilder {
    OblioClient::builder(EMAIL, SecretString::from(SECRET), CIF).base_url(server.uri())
}

/// A mock server with the token endpoint (expected once) and a client for it.
pub async fn setup() -> (MockServer, OblioClient) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authorize/token"))
        .respond_with(json(fixture("token.json")))
        .expect(1)
        .named("token")
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    (server, client)
}

/// The JSON body of a received request.
pub fn body_json(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

/// The requests received on `p` (excluding the token endpoint).
pub async fn received_on(server: &MockServer, p: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

/// Query pairs of a request.
pub fn query(request: &Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Matches a request carrying `Authorization: Bearer <TOKEN>`.
pub fn bearer() -> wiremock::matchers::HeaderExactMatcher {
    wiremock::matchers::header("authorization", format!("Bearer {TOKEN}").as_str())
}
