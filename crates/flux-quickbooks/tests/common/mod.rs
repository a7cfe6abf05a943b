#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use chrono::{Duration, Utc};
use flux_http::RetryPolicy;
use flux_http::secret::SecretString;
use flux_quickbooks::{
    MemoryTokenStore, QuickBooksClient, QuickBooksOAuth, TaxRegime, TokenManager, TokenSet,
};
use wiremock::MockServer;

pub const REALM: &str = "9341453210";
pub const TOKEN_PATH: &str = "/oauth2/v1/tokens/bearer";
pub const REVOKE_PATH: &str = "/v2/oauth2/tokens/revoke";

pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/quickbooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn json_fixture(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

pub fn api(path: &str) -> String {
    format!("/v3/company/{REALM}/{path}")
}

pub fn oauth(server: &MockServer) -> QuickBooksOAuth {
    QuickBooksOAuth::builder(
        "client-id",
        SecretString::from("client-secret"),
        "https://app.example.com/callback",
    )
    .token_url(format!("{}{TOKEN_PATH}", server.uri()))
    .revocation_url(format!("{}{REVOKE_PATH}", server.uri()))
    .build()
    .unwrap()
}

pub fn valid_tokens() -> TokenSet {
    TokenSet::new(
        REALM,
        SecretString::from("access-0"),
        Utc::now() + Duration::hours(1),
        SecretString::from("refresh-0"),
    )
}

pub fn expired_tokens() -> TokenSet {
    TokenSet::new(
        REALM,
        SecretString::from("access-old"),
        Utc::now() - Duration::minutes(5),
        SecretString::from("refresh-0"),
    )
}

pub struct Setup {
    pub server: MockServer,
    pub client: QuickBooksClient,
    pub manager: Arc<TokenManager>,
    pub store: Arc<MemoryTokenStore>,
}

pub async fn setup_with(tokens: TokenSet, regime: Option<TaxRegime>) -> Setup {
    let server = MockServer::start().await;
    let store = Arc::new(MemoryTokenStore::new());
    let manager = Arc::new(TokenManager::new(oauth(&server), tokens, store.clone()));
    let mut builder = QuickBooksClient::builder(manager.clone())
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none());
    if let Some(regime) = regime {
        builder = builder.tax_regime(regime);
    }
    let client = builder.build().unwrap();
    Setup {
        server,
        client,
        manager,
        store,
    }
}

pub async fn setup() -> Setup {
    setup_with(valid_tokens(), None).await
}

/// The query string of a received request as pairs.
pub fn query_pairs(request: &wiremock::Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn query_value(request: &wiremock::Request, key: &str) -> Option<String> {
    query_pairs(request)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Normalizes JSON numbers (the crate writes exact decimals such as `100.00`; QuickBooks
/// reads them as numbers) so bodies compare by value.
pub fn normalize(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            let parsed: f64 = n.to_string().parse().unwrap();
            serde_json::json!(parsed)
        }
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// Matches a JSON body equal to `expected` (numbers compared by value).
pub struct JsonEq(serde_json::Value);

pub fn json_eq(expected: serde_json::Value) -> JsonEq {
    JsonEq(normalize(&expected))
}

impl wiremock::Match for JsonEq {
    fn matches(&self, request: &wiremock::Request) -> bool {
        match serde_json::from_slice::<serde_json::Value>(&request.body) {
            Ok(body) => normalize(&body) == self.0,
            Err(_) => false,
        }
    }
}
