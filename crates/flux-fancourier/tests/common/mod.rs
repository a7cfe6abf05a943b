#![allow(dead_code, unreachable_pub)]

use flux_fancourier::{FanCourierClient, SecretString};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "7032158";
pub const TOKEN: &str = "48944740|EJU0MgzeWY4y1zy9JpQg3cu3cDiqoVg1ZXsIrqLQ";
pub const LOGIN: &str = include_str!("../../../../fixtures/fancourier/login.json");

pub fn client(server: &MockServer) -> FanCourierClient {
    FanCourierClient::builder(CLIENT_ID, "clienttest", SecretString::from("testing"))
        .base_url(format!("{}/", server.uri()))
        .build()
        .expect("client builds")
}

/// Mounts the login endpoint; it must be called exactly `times` times.
pub async fn mount_login(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path("/login"))
        .and(body_string_contains("username=clienttest"))
        .and(body_string_contains("password=testing"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(LOGIN, "application/json"))
        .expect(times)
        .named("login")
        .mount(server)
        .await;
}

pub fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

pub fn json_status(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// The JSON body of the first request to `path_`.
pub async fn body_of(server: &MockServer, path_: &str) -> serde_json::Value {
    let requests = server.received_requests().await.expect("recording is on");
    let req = requests
        .iter()
        .find(|r| r.url.path() == path_)
        .unwrap_or_else(|| panic!("no request to {path_}"));
    serde_json::from_slice(&req.body).expect("a JSON body")
}

/// The query pairs of the first request to `path_`.
pub async fn query_of(server: &MockServer, path_: &str) -> Vec<(String, String)> {
    let requests = server.received_requests().await.expect("recording is on");
    let req = requests
        .iter()
        .find(|r| r.url.path() == path_)
        .unwrap_or_else(|| panic!("no request to {path_}"));
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn has(query: &[(String, String)], key: &str, value: &str) -> bool {
    query.iter().any(|(k, v)| k == key && v == value)
}
