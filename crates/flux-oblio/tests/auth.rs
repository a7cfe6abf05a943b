//! Token: form body, caching under concurrency, string/number `expires_in`, re-login once
//! on 401, refused credentials, and secrets kept out of `Debug`.

mod common;

use std::sync::Arc;

use common::*;
use flux_core::ErrorKind;
use flux_http::secret::SecretString;
use flux_oblio::{OblioClient, OblioError};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn fifty_concurrent_calls_log_in_once_with_the_form_body() {
    let (server, _) = setup().await;
    // Room for 51 calls at once, so the test does not wait on Oblio's 30 per 10 s.
    let roomy = flux_oblio::OblioRateLimits {
        documents: Arc::new(flux_http::RateLimiter::new(
            100,
            std::time::Duration::from_secs(10),
        )),
        other: Arc::new(flux_http::RateLimiter::new(
            100,
            std::time::Duration::from_secs(10),
        )),
    };
    let client = builder(&server).rate_limits(roomy).build().unwrap();
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/vat_rates"))
        .and(bearer())
        .respond_with(json(fixture("vat_rates.json")))
        .expect(50)
        .mount(&server)
        .await;

    let calls = (0..50).map(|_| {
        let c = client.clone();
        async move { c.vat_rates().await }
    });
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));

    let token_requests = received_on(&server, "/api/authorize/token").await;
    assert_eq!(token_requests.len(), 1);
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&token_requests[0].body)
        .into_owned()
        .collect();
    assert_eq!(
        form,
        vec![
            ("client_id".to_owned(), EMAIL.to_owned()),
            ("client_secret".to_owned(), SECRET.to_owned()),
            ("grant_type".to_owned(), "client_credentials".to_owned()),
        ]
    );
    assert_eq!(
        token_requests[0].headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
}

#[tokio::test]
async fn expires_in_as_a_number_is_accepted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authorize/token"))
        .respond_with(json(fixture("token_numeric.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/companies"))
        .and(header(
            "authorization",
            "Bearer 0f3a9c2b7e5d4a1c8b6e2d9f0a7c3e5b1d8f4a62",
        ))
        .respond_with(json(fixture("companies.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    client.companies().await.unwrap();
    // Cached: the second call does not log in again.
    client.companies().await.unwrap();
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_and_the_call_retried() {
    let server = MockServer::start().await;
    // First login gives the docs' token, the second a new one.
    Mock::given(method("POST"))
        .and(path("/api/authorize/token"))
        .respond_with(json(fixture("token.json")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/authorize/token"))
        .respond_with(json(fixture("token_numeric.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/series"))
        .and(bearer())
        .respond_with(json_status(401, fixture("error_invalid_token.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/series"))
        .and(header(
            "authorization",
            "Bearer 0f3a9c2b7e5d4a1c8b6e2d9f0a7c3e5b1d8f4a62",
        ))
        .respond_with(json(fixture("series.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let series = client.series().await.unwrap();
    assert_eq!(series[0].name, "FCT");
    assert_eq!(received_on(&server, "/api/authorize/token").await.len(), 2);
}

#[tokio::test]
async fn a_token_refused_twice_is_an_auth_error_not_a_loop() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authorize/token"))
        .respond_with(json(fixture("token.json")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/languages"))
        .respond_with(json_status(401, fixture("error_invalid_token.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client.languages().await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(
        err.status_message(),
        Some("The access token provided is invalid")
    );
}

#[tokio::test]
async fn bad_credentials_are_an_auth_error_with_oblios_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/authorize/token"))
        .and(body_string_contains("client_id=contabil%40firma.ro"))
        .respond_with(json_status(401, fixture("error_bad_credentials.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client.companies().await.unwrap_err();
    assert!(matches!(
        &err,
        OblioError::Auth { http_status: 401, message } if message == "The client credentials are invalid"
    ));
    let provider: flux_core::ProviderError = err.into();
    assert_eq!(provider.kind(), ErrorKind::Auth);
    assert_eq!(provider.http_status(), Some(401));
    assert!(!provider.is_retryable());
    // No call was made without a token.
    assert!(
        received_on(&server, "/api/nomenclature/companies")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn debug_never_shows_the_secret_or_the_token() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/nomenclature/companies"))
        .respond_with(json(fixture("companies.json")))
        .mount(&server)
        .await;
    client.companies().await.unwrap();
    let shown = format!("{client:?} {:?}", builder(&server));
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains(EMAIL) && shown.contains("[redacted]"));
    let shared: Arc<dyn flux_core::Invoicer> = Arc::new(client);
    assert_eq!(shared.provider(), "oblio");
}

#[test]
fn building_requires_credentials_and_a_safe_base_url() {
    let err = OblioClient::builder("", SecretString::from("x"), CIF)
        .build()
        .unwrap_err();
    assert!(matches!(err, OblioError::Configuration(_)));
    let err = OblioClient::builder(EMAIL, SecretString::from(" "), CIF)
        .build()
        .unwrap_err();
    assert!(matches!(err, OblioError::Configuration(_)));
    let err = OblioClient::builder(EMAIL, SecretString::from("x"), "")
        .build()
        .unwrap_err();
    assert!(matches!(err, OblioError::Configuration(_)));
    let err = OblioClient::builder(EMAIL, SecretString::from("x"), CIF)
        .base_url("http://oblio.example.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, OblioError::Http(_)), "{err:?}");
    let client = OblioClient::builder(EMAIL, SecretString::from("x"), CIF)
        .build()
        .unwrap();
    assert_eq!(client.base_url().as_str(), "https://www.oblio.eu/");
}
