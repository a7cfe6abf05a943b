//! OAuth: authorization URL, callback, exchange, refresh, revoke, token rotation.

mod common;

use std::sync::Arc;

use base64::Engine as _;
use common::*;
use flux_core::{ErrorKind, ProviderError};
use flux_http::secret::ExposeSecret;
use flux_quickbooks::oauth::SCOPE_ACCOUNTING;
use flux_quickbooks::{QuickBooksError, TokenManager, TokenStore};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn authorization_url_carries_client_scope_redirect_and_state() {
    let server = MockServer::start().await;
    let oauth = oauth(&server);
    let request = oauth.authorization_url(&[SCOPE_ACCOUNTING]);
    assert!(
        request
            .url
            .as_str()
            .starts_with("https://appcenter.intuit.com/connect/oauth2?")
    );
    let pairs: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("client_id").as_deref(), Some("client-id"));
    assert_eq!(get("response_type").as_deref(), Some("code"));
    assert_eq!(
        get("scope").as_deref(),
        Some("com.intuit.quickbooks.accounting")
    );
    assert_eq!(
        get("redirect_uri").as_deref(),
        Some("https://app.example.com/callback")
    );
    assert_eq!(get("state").as_deref(), Some(request.state.as_str()));
    assert!(request.state.len() >= 16);
    let other = oauth.authorization_url(&[SCOPE_ACCOUNTING]);
    assert_ne!(other.state, request.state);
}

#[tokio::test]
async fn callback_is_checked() {
    let server = MockServer::start().await;
    let oauth = oauth(&server);
    let ok = oauth
        .parse_callback("?code=AB11&state=s1&realmId=9341453210", "s1")
        .unwrap();
    assert_eq!(ok.realm_id, "9341453210");
    assert_eq!(ok.code.expose_secret(), "AB11");
    assert!(!format!("{ok:?}").contains("AB11"));

    for (query, why) in [
        ("code=AB11&state=other&realmId=1", "state"),
        ("error=access_denied&state=s1", "refused"),
        ("code=AB11&state=s1", "realmId"),
        ("state=s1&realmId=1", "code"),
    ] {
        let err = oauth.parse_callback(query, "s1").unwrap_err();
        assert!(matches!(err, QuickBooksError::Callback(_)), "{query}");
        assert!(err.to_string().contains(why), "{query}: {err}");
    }
}

#[tokio::test]
async fn code_exchange_posts_basic_auth_form_and_records_expiries() {
    let server = MockServer::start().await;
    let basic = base64::engine::general_purpose::STANDARD.encode("client-id:client-secret");
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", format!("Basic {basic}").as_str()))
        .and(header("x-include-refresh-token-hard-expires-in", "true"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("intuit_tid", "tid-exchange")
                .set_body_raw(fixture("token_exchange.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let oauth = oauth(&server);
    let callback = oauth
        .parse_callback("code=AB11&state=s&realmId=9341453210", "s")
        .unwrap();
    let tokens = oauth.exchange_code(&callback).await.unwrap();
    assert_eq!(tokens.realm_id, "9341453210");
    assert_eq!(tokens.access_token.expose_secret(), "access-1");
    assert_eq!(tokens.refresh_token.expose_secret(), "refresh-1");
    let now = chrono::Utc::now();
    let hours = |t: chrono::DateTime<chrono::Utc>| (t - now).num_hours();
    assert_eq!(hours(tokens.access_token_expires_at), 0); // 3600 s minus a moment
    assert_eq!(
        (tokens.refresh_token_expires_at.unwrap() - now).num_days(),
        100
    );
    assert_eq!(
        (tokens.refresh_token_hard_expires_at.unwrap() - now).num_days(),
        156_032_154 / 86_400
    );
    assert!(!format!("{tokens:?}").contains("access-1"));

    let requests = server.received_requests().await.unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&requests[0].body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert!(form.contains(&("grant_type".into(), "authorization_code".into())));
    assert!(form.contains(&("code".into(), "AB11".into())));
    assert!(form.contains(&(
        "redirect_uri".into(),
        "https://app.example.com/callback".into()
    )));
}

#[tokio::test]
async fn invalid_grant_means_reconnect_with_intuit_tid() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("intuit_tid", "1234-1234-1234-123")
                .set_body_raw(fixture("token_invalid_grant.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let oauth = oauth(&server);
    let err = oauth
        .refresh(REALM, &flux_http::secret::SecretString::from("old"), None)
        .await
        .unwrap_err();
    assert!(err.is_reconnect_needed(), "{err:?}");
    assert_eq!(err.intuit_tid(), Some("1234-1234-1234-123"));
    let provider = ProviderError::from(err);
    assert_eq!(provider.kind(), ErrorKind::Auth);
    assert_eq!(provider.provider_code(), Some("invalid_grant"));
}

#[tokio::test]
async fn invalid_client_is_an_oauth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("token_invalid_client.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let err = oauth(&server)
        .refresh(REALM, &flux_http::secret::SecretString::from("old"), None)
        .await
        .unwrap_err();
    match err {
        QuickBooksError::OAuth { error, status, .. } => {
            assert_eq!(error, "invalid_client");
            assert_eq!(status, Some(401));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn revoke_posts_the_refresh_token_as_json() {
    let server = MockServer::start().await;
    let basic = base64::engine::general_purpose::STANDARD.encode("client-id:client-secret");
    Mock::given(method("POST"))
        .and(path(REVOKE_PATH))
        .and(header("authorization", format!("Basic {basic}").as_str()))
        .and(header("content-type", "application/json"))
        .and(json_eq(serde_json::json!({"token": "refresh-0"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let manager = TokenManager::new(
        oauth(&server),
        valid_tokens(),
        Arc::new(flux_quickbooks::MemoryTokenStore::new()),
    );
    manager.revoke().await.unwrap();
}

#[tokio::test]
async fn refresh_rotates_persists_first_and_collapses_concurrent_callers() {
    let s = setup_with(expired_tokens(), None).await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(std::time::Duration::from_millis(100))
                .set_body_raw(fixture("token_refresh_rotated.json"), "application/json"),
        )
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .and(header("authorization", "Bearer access-2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("customer.json"), "application/json"),
        )
        .expect(20)
        .mount(&s.server)
        .await;
    let calls = (0..20).map(|_| s.client.customer("1"));
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));

    let saved = s.store.latest().expect("the rotated tokens were saved");
    assert_eq!(saved.refresh_token.expose_secret(), "refresh-2");
    assert_eq!(saved.access_token.expose_secret(), "access-2");
    assert!(saved.refresh_token_expires_at.is_some());
    let requests = s.server.received_requests().await.unwrap();
    let form = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(form.contains("grant_type=refresh_token"));
    assert!(form.contains("refresh_token=refresh-0"));
}

struct FailingStore;

#[async_trait::async_trait]
impl TokenStore for FailingStore {
    async fn save(
        &self,
        _: &flux_quickbooks::TokenSet,
    ) -> Result<(), flux_quickbooks::tokens::StoreError> {
        Err("database down".into())
    }
}

#[tokio::test]
async fn new_tokens_are_not_used_when_they_cannot_be_saved() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("token_refresh_rotated.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("customer.json"), "application/json"),
        )
        .expect(0)
        .mount(&server)
        .await;
    let manager = Arc::new(TokenManager::new(
        oauth(&server),
        expired_tokens(),
        Arc::new(FailingStore),
    ));
    let client = flux_quickbooks::QuickBooksClient::builder(manager)
        .base_url(server.uri())
        .build()
        .unwrap();
    let err = client.customer("1").await.unwrap_err();
    assert!(matches!(err, QuickBooksError::TokenStore { .. }), "{err:?}");
}

#[tokio::test]
async fn api_401_refreshes_once_and_retries() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .and(header("authorization", "Bearer access-0"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("fault_gateway_401.json"), "application/json"),
        )
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("token_refresh_rotated.json"), "application/json"),
        )
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .and(header("authorization", "Bearer access-2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("customer.json"), "application/json"),
        )
        .expect(1)
        .mount(&s.server)
        .await;
    let customer = s.client.customer("1").await.unwrap();
    assert_eq!(
        customer.display_name.as_deref(),
        Some("Amy's Bird Sanctuary")
    );
    assert_eq!(
        s.store.latest().unwrap().refresh_token.expose_secret(),
        "refresh-2"
    );
}

#[tokio::test]
async fn api_401_twice_is_auth_expired_with_tid() {
    let s = setup().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("intuit_tid", "tid-401")
                .set_body_raw(fixture("fault_gateway_401.json"), "application/json"),
        )
        .expect(2)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("token_refresh_rotated.json"), "application/json"),
        )
        .expect(1)
        .mount(&s.server)
        .await;
    let err = s.client.customer("1").await.unwrap_err();
    assert!(matches!(err, QuickBooksError::AuthExpired(_)), "{err:?}");
    assert_eq!(err.intuit_tid(), Some("tid-401"));
    assert_eq!(err.fault().unwrap().code(), Some("3200"));
    assert!(ProviderError::from(err).is_auth());
}

#[tokio::test]
async fn debug_output_hides_secrets() {
    let s = setup().await;
    let shown = format!("{:?} {:?} {:?}", s.client, s.manager, valid_tokens());
    for secret in ["access-0", "refresh-0", "client-secret"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}
