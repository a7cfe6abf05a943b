//! Login, token reuse, re-login on 401/403, secrets kept out of Debug.

mod common;

use common::{client, fixture, header_value, json, mount_login, requests_to};
use flux_core::ProviderError;
use flux_sameday::{Country, Environment, SamedayClient, SamedayError};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn logs_in_once_with_the_auth_headers_and_sends_the_token() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/geolocation/county"))
        .and(header("X-AUTH-TOKEN", "tok-first"))
        .respond_with(json(200, fixture!("counties.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);

    let first = client.counties(None).await.unwrap();
    let second = client.counties(Some("Bucuresti")).await.unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(second[0].code, "B");

    let logins = requests_to(&server, "/api/authenticate").await;
    assert_eq!(logins.len(), 1, "the token is cached");
    assert_eq!(
        std::str::from_utf8(&logins[0].body).unwrap(),
        "remember_me=1"
    );
    assert_eq!(
        header_value(&logins[0], "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let listed = requests_to(&server, "/api/geolocation/county").await;
    assert_eq!(
        listed[1]
            .url
            .query_pairs()
            .find(|(k, _)| k == "name")
            .unwrap()
            .1,
        "Bucuresti"
    );
}

#[tokio::test]
async fn an_expired_token_is_replaced_before_the_next_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authenticate"))
        .respond_with(json(200, fixture!("authenticate_expired.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/geolocation/county"))
        .respond_with(json(200, fixture!("counties.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    client.counties(None).await.unwrap();
    client.counties(None).await.unwrap();
    assert_eq!(requests_to(&server, "/api/authenticate").await.len(), 2);
}

#[tokio::test]
async fn a_401_triggers_one_relogin_and_a_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authenticate"))
        .respond_with(json(200, fixture!("authenticate.json")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/authenticate"))
        .respond_with(json(200, fixture!("authenticate_second.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY241067423/status"))
        .and(header("X-AUTH-TOKEN", "tok-first"))
        .respond_with(json(401, fixture!("error_unauthorized.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/client/awb/1SDY241067423/status"))
        .and(header("X-AUTH-TOKEN", "tok-second"))
        .respond_with(json(200, fixture!("awb_status.json")))
        .mount(&server)
        .await;

    let status = client(&server).awb_status("1SDY241067423").await.unwrap();
    assert_eq!(status.expedition_summary.awb_number, "1SDY241067423");
    assert_eq!(requests_to(&server, "/api/authenticate").await.len(), 2);
}

#[tokio::test]
async fn a_second_403_is_an_auth_error_without_a_loop() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/api/awb/1SDY241067423"))
        .respond_with(json(403, r#"{"code":403,"message":"Access denied"}"#))
        .mount(&server)
        .await;

    let err = client(&server)
        .delete_awb("1SDY241067423")
        .await
        .unwrap_err();
    assert!(
        matches!(err, SamedayError::Auth { status: 403, .. }),
        "{err:?}"
    );
    assert_eq!(
        requests_to(&server, "/api/awb/1SDY241067423").await.len(),
        2
    );
    assert_eq!(requests_to(&server, "/api/authenticate").await.len(), 2);
    let p: ProviderError = err.into();
    assert!(p.is_auth() && !p.is_retryable());
    assert_eq!(p.http_status(), Some(403));
}

#[tokio::test]
async fn wrong_credentials_fail_once_and_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authenticate"))
        .respond_with(json(401, fixture!("error_unauthorized.json")))
        .mount(&server)
        .await;
    let err = client(&server).services().await.unwrap_err();
    match &err {
        SamedayError::Auth { status, message } => {
            assert_eq!(*status, 401);
            assert_eq!(message, "Bad credentials");
        }
        other => panic!("expected auth, got {other:?}"),
    }
    assert_eq!(requests_to(&server, "/api/authenticate").await.len(), 1);
    assert!(
        requests_to(&server, "/api/client/services")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn fifty_concurrent_calls_log_in_once() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/geolocation/county"))
        .respond_with(json(200, fixture!("counties.json")))
        .mount(&server)
        .await;
    let client = client(&server);
    let calls = (0..50).map(|_| {
        let c = client.clone();
        async move { c.counties(None).await }
    });
    for result in futures_join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(requests_to(&server, "/api/authenticate").await.len(), 1);
}

async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[test]
fn debug_never_shows_the_password() {
    let client = SamedayClient::builder("shop-user", "s3cret-pass".into())
        .country(Country::Hungary)
        .environment(Environment::Demo)
        .build()
        .unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("s3cret-pass"), "{shown}");
    assert!(shown.contains("[REDACTED]"));
    assert!(shown.contains("sameday-api-hu.demo.zitec.com"), "{shown}");
    let builder = SamedayClient::builder("shop-user", "s3cret-pass".into());
    assert!(!format!("{builder:?}").contains("s3cret-pass"));
}

#[test]
fn hosts_per_country_and_environment() {
    assert_eq!(
        Country::Romania.base_url(Environment::Production),
        "https://api.sameday.ro"
    );
    assert_eq!(
        Country::Bulgaria.base_url(Environment::Production),
        "https://api.sameday.bg"
    );
    assert_eq!(
        Country::Romania.base_url(Environment::Demo),
        "https://sameday-api.demo.zitec.com"
    );
    assert_eq!(Country::Hungary.currency(), flux_core::Currency::HUF);
}

#[test]
fn empty_credentials_and_plain_http_are_refused() {
    let err = SamedayClient::builder("", "x".into()).build().unwrap_err();
    assert!(matches!(err, SamedayError::Configuration(_)));
    let err = SamedayClient::builder("u", "p".into())
        .base_url("http://api.sameday.ro")
        .build()
        .unwrap_err();
    assert!(matches!(err, SamedayError::Configuration(_)));
}
