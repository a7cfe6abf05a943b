//! Shared test helpers.
#![allow(dead_code, unreachable_pub)]

use flux_shopify::secret::SecretString;
use flux_shopify::{AccessToken, AdminClient, ShopDomain, ShopifyApp};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const API_KEY: &str = "test_key";
pub const API_SECRET: &str = "test_secret_key";
pub const TOKEN: &str = "shpat_test_token";
pub const GRAPHQL_PATH: &str = "/admin/api/2026-10/graphql.json";

pub fn fixture(path: &str) -> String {
    let full = format!(
        "{}/../../fixtures/shopify/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn shop() -> ShopDomain {
    ShopDomain::parse("test-shop.myshopify.com").unwrap()
}

pub fn app(server: &MockServer) -> ShopifyApp {
    ShopifyApp::builder(API_KEY, SecretString::from(API_SECRET))
        .scopes(["read_orders", "write_merchant_managed_fulfillment_orders"])
        .redirect_uri("https://app.fluxsales.example/auth/callback")
        .endpoint_override(server.uri())
        .build()
        .unwrap()
}

pub fn admin(server: &MockServer) -> AdminClient {
    app(server)
        .admin_client(&shop(), AccessToken::new(SecretString::from(TOKEN)))
        .unwrap()
}

/// A GraphQL POST whose body contains `needle`, answered with a fixture.
pub fn graphql(needle: &str, fixture_path: &str) -> Mock {
    Mock::given(method("POST"))
        .and(path(GRAPHQL_PATH))
        .and(header("x-shopify-access-token", TOKEN))
        .and(header("content-type", "application/json"))
        .and(body_string_contains(needle))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/json")
                .insert_header("x-request-id", "req-123")
                .set_body_string(fixture(fixture_path)),
        )
}

/// The JSON bodies of the GraphQL requests the server received.
pub async fn graphql_bodies(server: &MockServer) -> Vec<serde_json::Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == GRAPHQL_PATH)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// The signature of a webhook fixture from `fixtures/shopify/webhooks/signatures.txt`.
pub fn webhook_signature(name: &str) -> String {
    fixture("webhooks/signatures.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (file, sig) = l.split_once(' ')?;
            (file == name).then(|| sig.to_owned())
        })
        .unwrap_or_else(|| panic!("no signature for {name}"))
}
