//! Which URLs a client accepts, where redirects go, and where default headers go.

mod common;

use common::received;
use flux_http::secret::SecretString;
use flux_http::{HttpClient, HttpError, Method, StatusCode, Url};
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn builder_refuses_plain_http_to_a_public_host() {
    let err = HttpClient::builder("p")
        .base_url("http://api.example.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, HttpError::InvalidBaseUrl { .. }), "{err:?}");
    assert!(err.to_string().contains("https"), "{err}");
}

#[test]
fn builder_accepts_https_and_loopback_http() {
    for url in [
        "http://127.0.0.1:1234",
        "https://api.example.com",
        "http://localhost:8080/api",
        "http://[::1]:9000",
    ] {
        let client = HttpClient::builder("p").base_url(url).build();
        assert!(client.is_ok(), "{url}: {client:?}");
    }
    let parsed = Url::parse("https://api.example.com/v1").unwrap();
    let client = HttpClient::builder("p").base_url(&parsed).build().unwrap();
    assert_eq!(
        client.base_url().unwrap().as_str(),
        "https://api.example.com/v1/"
    );
}

#[test]
fn builder_refuses_credentials_and_query_in_the_base_url() {
    for url in [
        "https://user:pw@api.example.com",
        "https://api.example.com/?apikey=1",
        "not a url",
    ] {
        let err = HttpClient::builder("p").base_url(url).build().unwrap_err();
        assert!(!format!("{err:?}").contains("pw"), "{err:?}");
        assert!(!format!("{err:?}").contains("apikey=1"), "{err:?}");
    }
}

#[test]
fn bad_default_header_is_a_build_error() {
    let err = HttpClient::builder("p")
        .default_header("bad header", "x")
        .build()
        .unwrap_err();
    assert!(matches!(err, HttpError::InvalidRequest { .. }));
}

#[tokio::test]
async fn request_url_refuses_plain_http_to_a_public_host_before_sending() {
    let client = HttpClient::builder("p").build().unwrap();
    let err = client
        .request_url(
            Method::GET,
            Url::parse("http://example.com/doc.pdf").unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::InvalidBaseUrl { .. }), "{err:?}");
    assert!(!err.maybe_sent());
}

#[tokio::test]
async fn a_path_that_leaves_the_base_url_is_refused() {
    let server = MockServer::start().await;
    let client = HttpClient::builder("p")
        .base_url(format!("{}/api/v1", server.uri()))
        .build()
        .unwrap();
    let err = client.get("../admin").send().await.unwrap_err();
    assert!(matches!(err, HttpError::InvalidRequest { .. }), "{err:?}");
    assert_eq!(received(&server).await, 0);
}

#[tokio::test]
async fn same_origin_redirects_are_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/old"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/new"))
        .mount(&server)
        .await;
    Mock::given(path("/new"))
        .respond_with(ResponseTemplate::new(200).set_body_string("moved"))
        .mount(&server)
        .await;

    let response = common::client_for(&server).get("old").send().await.unwrap();
    assert_eq!(response.text(), "moved");
    assert_eq!(response.url().path(), "/new");
}

#[tokio::test]
async fn cross_origin_redirects_are_returned_not_followed() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let target = format!("{}/file.pdf", elsewhere.uri());
    Mock::given(path("/doc"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&elsewhere)
        .await;
    let client = common::client_for(&api);

    let response = client.get("doc").send_raw().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.redirect_location().unwrap().as_str(), target);
    assert_eq!(received(&elsewhere).await, 0);

    let err = client.get("doc").send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::FOUND));
}

#[tokio::test]
async fn redirect_loops_stop_after_five() {
    let server = MockServer::start().await;
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/loop"))
        .mount(&server)
        .await;

    let err = common::client_for(&server)
        .get("loop")
        .no_retry()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::Transport { .. }), "{err:?}");
    assert_eq!(received(&server).await, 6);
}

#[tokio::test]
async fn default_headers_go_only_to_the_base_origin() {
    let api = MockServer::start().await;
    let cdn = MockServer::start().await;
    Mock::given(header("x-api-key", "k-1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(header_exists("x-api-key"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&cdn)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&cdn)
        .await;
    let client = HttpClient::builder("p")
        .base_url(api.uri())
        .default_sensitive_header("x-api-key", &SecretString::from("k-1"))
        .build()
        .unwrap();

    client.get("me").send().await.unwrap();
    let pdf = Url::parse(&format!("{}/label.pdf", cdn.uri())).unwrap();
    client.request_url(Method::GET, pdf).send().await.unwrap();
}

#[tokio::test]
async fn follow_redirects_false_returns_every_redirect() {
    let server = MockServer::start().await;
    Mock::given(path("/old"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/new"))
        .mount(&server)
        .await;
    let client = HttpClient::builder("p")
        .base_url(server.uri())
        .follow_redirects(false)
        .build()
        .unwrap();

    let response = client.get("old").send_raw().await.unwrap();
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(received(&server).await, 1);
}

#[test]
fn clients_requests_and_their_futures_are_send() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let client = HttpClient::builder("p")
        .base_url("https://api.example.com")
        .build()
        .unwrap();
    assert_send_sync(&client);
    let request = client.get("x");
    assert_send(&request);
    let future = request.send_json::<serde_json::Value>();
    assert_send(&future);
    let cache: flux_http::TokenCache = flux_http::TokenCache::new();
    assert_send_sync(&cache);
}
