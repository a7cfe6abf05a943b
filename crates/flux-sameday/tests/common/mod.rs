//! Shared helpers for the wiremock tests.
#![allow(dead_code, unreachable_pub)]

use flux_sameday::SamedayClient;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../fixtures/sameday/", $name))
    };
}
pub(crate) use fixture;

/// A JSON response from a fixture.
pub fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// A client against `server` with demo-like credentials.
pub fn client(server: &MockServer) -> SamedayClient {
    SamedayClient::builder("shop-user", "s3cret-pass".into())
        .base_url(server.uri())
        .build()
        .expect("client")
}

/// Mounts the login endpoint answering the first token, expecting the right headers.
pub async fn mount_login(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/api/authenticate"))
        .and(header("X-Auth-Username", "shop-user"))
        .and(header("X-Auth-Password", "s3cret-pass"))
        .respond_with(json(
            200,
            include_str!("../../../../fixtures/sameday/authenticate.json"),
        ))
        .mount(server)
        .await;
}

/// The form pairs of a request body, decoded, in order.
pub fn form_pairs(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The value of one form key (panics if missing).
pub fn form_value(request: &Request, key: &str) -> Option<String> {
    form_pairs(request)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Requests received on `path`.
pub async fn requests_to(server: &MockServer, p: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

/// The value of a header of a request.
pub fn header_value(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
