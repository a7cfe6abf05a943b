//! OAuth callback HMAC, session tokens, token exchange, refresh rotation.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use common::{API_KEY, API_SECRET, app, fixture, shop};
use flux_core::ErrorKind;
use flux_shopify::auth::{OfflineTokenManager, TokenStore};
use flux_shopify::secret::{ExposeSecret, SecretString};
use flux_shopify::{AccessMode, AccessToken, RequestedToken, ShopDomain, ShopifyApp, ShopifyError};
use pretty_assertions::assert_eq;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NOTES_QUERY: &str = "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";
const NOTES_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Rlc3Qtc2hvcC5teXNob3BpZnkuY29tL2FkbWluIiwiZGVzdCI6Imh0dHBzOi8vdGVzdC1zaG9wLm15c2hvcGlmeS5jb20iLCJhdWQiOiJ0ZXN0X2tleSIsInN1YiI6IjQyIiwiZXhwIjoxNzAwMDAwMDYwLCJuYmYiOjE3MDAwMDAwMDAsImlhdCI6MTcwMDAwMDAwMCwianRpIjoiMDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAwIiwic2lkIjoiYWJjMTIzIn0.Zoh2diTd0och212EFIAVn0SYNXRWJR-ehu20KSq93VE";

fn at(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap()
}

fn hush_app() -> ShopifyApp {
    ShopifyApp::builder("key", SecretString::from("hush"))
        .build()
        .unwrap()
}

fn sign_query(secret: &str, pairs: &[(&str, &str)]) -> String {
    // Build a query string and sign it the way Shopify does (sorted, %20 for spaces).
    use hmac::{Hmac, Mac};
    let mut sorted: Vec<_> = pairs.to_vec();
    sorted.sort();
    let enc = |s: &str| {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let message = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    let hmac = hex::encode(mac.finalize().into_bytes());
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.append_pair("hmac", &hmac);
    q.finish()
}

#[test]
fn notes_callback_vector_verifies_with_injected_clock() {
    let q = hush_app()
        .verify_query_hmac_at(NOTES_QUERY, at(1337178173 + 30))
        .unwrap();
    assert_eq!(q.shop.as_str(), "some-shop.myshopify.com");
    assert_eq!(q.get("code"), Some("0907a61c0c8d55e99db179b68161bc00"));
}

#[test]
fn callback_timestamp_outside_90_seconds_is_stale() {
    let err = hush_app()
        .verify_query_hmac_at(NOTES_QUERY, at(1337178173 + 91))
        .unwrap_err();
    assert!(matches!(err, ShopifyError::StaleRequest { skew_secs: 91 }));
    assert!(
        hush_app()
            .verify_query_hmac_at(NOTES_QUERY, at(1337178173 - 90))
            .is_ok()
    );
}

#[test]
fn tampered_or_unsigned_callback_is_refused() {
    let tampered = NOTES_QUERY.replace("some-shop", "evil-shop");
    let err = hush_app()
        .verify_query_hmac_at(&tampered, at(1337178173))
        .unwrap_err();
    assert!(matches!(err, ShopifyError::InvalidHmac(_)));
    assert_eq!(flux_core::ProviderError::from(err).kind(), ErrorKind::Auth);
    let unsigned = "code=1&shop=some-shop.myshopify.com&timestamp=1337178173";
    assert!(matches!(
        hush_app()
            .verify_query_hmac_at(unsigned, at(1337178173))
            .unwrap_err(),
        ShopifyError::InvalidHmac(_)
    ));
}

#[test]
fn every_parameter_is_signed_including_spaces_as_percent20() {
    let now = Utc::now().timestamp().to_string();
    let q = sign_query(
        API_SECRET,
        &[
            ("embedded", "1"),
            ("host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvdGVzdC1zaG9w"),
            ("locale", "en"),
            ("note", "two words"),
            ("session", "e7f5"),
            ("shop", "test-shop.myshopify.com"),
            ("timestamp", &now),
        ],
    );
    let app = ShopifyApp::builder(API_KEY, SecretString::from(API_SECRET))
        .build()
        .unwrap();
    let verified = app.verify_query_hmac(&q).unwrap();
    assert_eq!(verified.get("note"), Some("two words"));
    // Dropping a signed parameter breaks the signature.
    let without_locale = q.replace("&locale=en", "");
    assert!(app.verify_query_hmac(&without_locale).is_err());
}

#[test]
fn duplicated_timestamp_is_refused() {
    let now = Utc::now().timestamp().to_string();
    let q = sign_query(
        API_SECRET,
        &[
            ("shop", "test-shop.myshopify.com"),
            ("timestamp", &now),
            ("timestamp", &now),
        ],
    );
    let app = ShopifyApp::builder(API_KEY, SecretString::from(API_SECRET))
        .build()
        .unwrap();
    assert!(matches!(
        app.verify_query_hmac(&q).unwrap_err(),
        ShopifyError::InvalidHmac(_)
    ));
}

#[tokio::test]
async fn begin_auth_and_callback_round_trip() {
    let server = MockServer::start().await;
    let app = app(&server);
    let req = app.begin_auth(&shop(), AccessMode::Online).unwrap();
    assert_eq!(req.state.len(), 64);
    assert!(req.state.chars().all(|c| c.is_ascii_hexdigit()));
    let pairs: std::collections::HashMap<_, _> = req.url.query_pairs().into_owned().collect();
    assert_eq!(req.url.path(), "/admin/oauth/authorize");
    assert_eq!(pairs["client_id"], API_KEY);
    assert_eq!(
        pairs["scope"],
        "read_orders,write_merchant_managed_fulfillment_orders"
    );
    assert_eq!(
        pairs["redirect_uri"],
        "https://app.fluxsales.example/auth/callback"
    );
    assert_eq!(pairs["grant_options[]"], "per-user");
    assert_eq!(pairs["state"], req.state);
    assert_ne!(
        app.begin_auth(&shop(), AccessMode::Offline).unwrap().state,
        req.state
    );

    let now = Utc::now().timestamp().to_string();
    let callback = sign_query(
        API_SECRET,
        &[
            ("code", "abc123"),
            ("host", "aG9zdA"),
            ("shop", "test-shop.myshopify.com"),
            ("state", &req.state),
            ("timestamp", &now),
        ],
    );
    assert!(matches!(
        app.validate_callback(&callback, "other-state").unwrap_err(),
        ShopifyError::StateMismatch
    ));
    let cb = app.validate_callback(&callback, &req.state).unwrap();
    assert_eq!(cb.code.expose_secret(), "abc123");

    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .and(body_json(json!({"client_id": API_KEY, "client_secret": API_SECRET, "code": "abc123", "expiring": "1"})))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("oauth/token_offline_expiring.json")))
        .expect(1)
        .mount(&server)
        .await;
    let token = app.exchange_code(&cb, true).await.unwrap();
    assert_eq!(
        token.access_token.expose_secret(),
        "shpat_offline_expiring_token_1"
    );
    assert!(token.has_scope("read_merchant_managed_fulfillment_orders"));
    assert!(token.expires_at.unwrap() > Utc::now() + TimeDelta::minutes(59));
    assert_eq!(
        token.refresh_token.as_ref().unwrap().expose_secret(),
        "shprt_refresh_token_1"
    );
}

#[test]
fn notes_session_token_vector() {
    let app = ShopifyApp::builder(API_KEY, SecretString::from(API_SECRET))
        .build()
        .unwrap();
    let t = app
        .verify_session_token_at(NOTES_JWT, at(1_700_000_030))
        .unwrap();
    assert_eq!(t.shop.as_str(), "test-shop.myshopify.com");
    assert_eq!(t.user_id, Some(42));
    assert_eq!(t.claims.sid.as_deref(), Some("abc123"));
    assert_eq!(
        t.online_session_id().as_deref(),
        Some("test-shop.myshopify.com_42")
    );
    // Bearer prefix accepted; 10 s leeway both ways.
    assert!(
        app.verify_session_token_at(&format!("Bearer {NOTES_JWT}"), at(1_700_000_070))
            .is_ok()
    );
    assert!(
        app.verify_session_token_at(NOTES_JWT, at(1_699_999_990))
            .is_ok()
    );
}

#[test]
fn session_token_failures() {
    let app = ShopifyApp::builder(API_KEY, SecretString::from(API_SECRET))
        .build()
        .unwrap();
    let expired = app
        .verify_session_token_at(NOTES_JWT, at(1_700_000_071))
        .unwrap_err();
    assert!(expired.is_invalid_session_token(), "{expired}");
    assert!(
        app.verify_session_token_at(NOTES_JWT, at(1_699_999_989))
            .is_err(),
        "nbf"
    );
    let other_app = ShopifyApp::builder("other_key", SecretString::from(API_SECRET))
        .build()
        .unwrap();
    assert!(
        other_app
            .verify_session_token_at(NOTES_JWT, at(1_700_000_030))
            .unwrap_err()
            .is_invalid_session_token()
    );
    let wrong_secret = ShopifyApp::builder(API_KEY, SecretString::from("nope"))
        .build()
        .unwrap();
    assert!(
        wrong_secret
            .verify_session_token_at(NOTES_JWT, at(1_700_000_030))
            .is_err()
    );
    let rotated = ShopifyApp::builder(API_KEY, SecretString::from("new"))
        .old_api_secret(SecretString::from(API_SECRET))
        .build()
        .unwrap();
    assert!(
        rotated
            .verify_session_token_at(NOTES_JWT, at(1_700_000_030))
            .is_ok()
    );
    let err = flux_core::ProviderError::from(expired);
    assert!(err.is_auth());
}

fn session_token(shop: &str) -> String {
    let now = Utc::now().timestamp();
    let claims = json!({
        "iss": format!("https://{shop}/admin"), "dest": format!("https://{shop}"), "aud": API_KEY,
        "sub": "42", "exp": now + 60, "nbf": now, "iat": now,
        "jti": "f8912129-1af6-4cad-9ca3-76b0f7621087", "sid": "s1"
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(API_SECRET.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn token_exchange_offline_expiring_sends_the_exact_body() {
    let server = MockServer::start().await;
    let jwt = session_token("test-shop.myshopify.com");
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .and(body_json(json!({
            "client_id": API_KEY, "client_secret": API_SECRET,
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": jwt,
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
            "expiring": "1"
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("oauth/token_offline_expiring.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (shop, token) = app(&server)
        .exchange_session_token(&jwt, RequestedToken::Offline { expiring: true })
        .await
        .unwrap();
    assert_eq!(shop.as_str(), "test-shop.myshopify.com");
    assert!(!token.is_online());
    assert!(token.refresh_token.is_some());
}

#[tokio::test]
async fn token_exchange_online() {
    let server = MockServer::start().await;
    let jwt = session_token("test-shop.myshopify.com");
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .and(wiremock::matchers::body_partial_json(json!({
            "requested_token_type": "urn:shopify:params:oauth:token-type:online-access-token",
            "expiring": "0"
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("oauth/token_online.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (_, token) = app(&server)
        .exchange_session_token(&jwt, RequestedToken::Online)
        .await
        .unwrap();
    assert!(token.is_online());
    assert_eq!(token.associated_user.as_ref().unwrap().id, "8675309");
    assert_eq!(token.scopes, vec!["pet_kitties", "walk_dogs"]);
    assert!(token.refresh_token.is_none());
}

#[tokio::test]
async fn invalid_subject_token_means_get_a_new_session_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string(fixture("oauth/invalid_subject_token.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let jwt = session_token("test-shop.myshopify.com");
    let err = app(&server)
        .exchange_session_token(&jwt, RequestedToken::Offline { expiring: true })
        .await
        .unwrap_err();
    assert!(err.is_invalid_session_token(), "{err}");
    assert!(err.to_string().contains("get a new session token"));
    let pe = flux_core::ProviderError::from(err);
    assert_eq!(pe.provider_code(), Some("invalid_subject_token"));
}

#[tokio::test]
async fn an_invalid_session_token_is_refused_before_calling_shopify() {
    let server = MockServer::start().await;
    let err = app(&server)
        .exchange_session_token(NOTES_JWT, RequestedToken::Online)
        .await
        .unwrap_err();
    assert!(err.is_invalid_session_token());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn migrate_legacy_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .and(body_json(json!({
            "client_id": API_KEY, "client_secret": API_SECRET,
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": "shpat_legacy_offline",
            "subject_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
            "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
            "expiring": "1"
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("oauth/token_offline_expiring.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let t = app(&server)
        .migrate_to_expiring_token(&shop(), &SecretString::from("shpat_legacy_offline"))
        .await
        .unwrap();
    assert!(t.expires_at.is_some());
}

#[derive(Default)]
struct MemoryStore {
    tokens: Mutex<std::collections::HashMap<ShopDomain, AccessToken>>,
    saves: AtomicUsize,
    fail_saves: bool,
}

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn load(&self, shop: &ShopDomain) -> Result<Option<AccessToken>, ShopifyError> {
        Ok(self.tokens.lock().unwrap().get(shop).cloned())
    }
    async fn save(&self, shop: &ShopDomain, token: &AccessToken) -> Result<(), ShopifyError> {
        if self.fail_saves {
            return Err(ShopifyError::TokenStore("database down".into()));
        }
        self.saves.fetch_add(1, Ordering::SeqCst);
        self.tokens
            .lock()
            .unwrap()
            .insert(shop.clone(), token.clone());
        Ok(())
    }
}

fn expired_token() -> AccessToken {
    AccessToken::new(SecretString::from("shpat_offline_expiring_token_1"))
        .with_expires_at(Utc::now() - TimeDelta::minutes(1))
        .with_refresh_token(
            SecretString::from("shprt_refresh_token_1"),
            Some(Utc::now() + TimeDelta::days(29)),
        )
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh_and_the_new_pair_is_saved_first() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .and(body_json(json!({
            "client_id": API_KEY, "client_secret": API_SECRET,
            "grant_type": "refresh_token", "refresh_token": "shprt_refresh_token_1"
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("oauth/token_refreshed.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(MemoryStore::default());
    store.tokens.lock().unwrap().insert(shop(), expired_token());
    let manager = Arc::new(OfflineTokenManager::new(app(&server), store.clone()));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let m = manager.clone();
            tokio::spawn(async move { m.token(&shop()).await })
        })
        .collect();
    for t in tasks {
        let token = t.await.unwrap().unwrap();
        assert_eq!(
            token.access_token.expose_secret(),
            "shpat_offline_expiring_token_2"
        );
    }
    assert_eq!(store.saves.load(Ordering::SeqCst), 1);
    let saved = store.tokens.lock().unwrap().get(&shop()).cloned().unwrap();
    assert_eq!(
        saved.refresh_token.unwrap().expose_secret(),
        "shprt_refresh_token_2"
    );
}

#[tokio::test]
async fn a_token_that_cannot_be_persisted_is_not_used() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("oauth/token_refreshed.json")),
        )
        .mount(&server)
        .await;
    let store = Arc::new(MemoryStore {
        fail_saves: true,
        ..MemoryStore::default()
    });
    store.tokens.lock().unwrap().insert(shop(), expired_token());
    let manager = OfflineTokenManager::new(app(&server), store);
    assert!(matches!(
        manager.token(&shop()).await.unwrap_err(),
        ShopifyError::TokenStore(_)
    ));
}

#[tokio::test]
async fn refused_refresh_token_requires_reauthorization() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string(fixture("oauth/invalid_grant.json")),
        )
        .mount(&server)
        .await;
    let store = Arc::new(MemoryStore::default());
    store.tokens.lock().unwrap().insert(shop(), expired_token());
    let manager = OfflineTokenManager::new(app(&server), store);
    let err = manager.token(&shop()).await.unwrap_err();
    assert!(
        matches!(err, ShopifyError::ReauthorizationRequired { .. }),
        "{err}"
    );
    assert!(flux_core::ProviderError::from(err).is_auth());
    let empty = OfflineTokenManager::new(app(&server), Arc::new(MemoryStore::default()));
    assert!(matches!(
        empty.token(&shop()).await.unwrap_err(),
        ShopifyError::ReauthorizationRequired { .. }
    ));
}

#[test]
fn debug_output_hides_secrets() {
    let app = ShopifyApp::builder(API_KEY, SecretString::from(API_SECRET))
        .build()
        .unwrap();
    assert!(!format!("{app:?}").contains(API_SECRET));
    let t = expired_token();
    let dbg = format!("{t:?}");
    assert!(!dbg.contains("shpat_") && !dbg.contains("shprt_"), "{dbg}");
}
