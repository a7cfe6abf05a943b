//! Which failures the client retries, and how long it waits.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use common::{client_for, fast_retries, received};
use flux_http::{HttpClient, HttpError, RetryPolicy, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn honours_retry_after_seconds_on_429() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/orders"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;

    let started = Instant::now();
    let response = client_for(&server).get("orders").send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text(), "ok");
    assert_eq!(response.attempts(), 2);
    assert_eq!(received(&server).await, 2);
    // The backoff alone would have waited at most 10 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(990),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn get_is_retried_after_two_503s() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    let response = client_for(&server).get("awb/1").send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.attempts(), 3);
    assert_eq!(received(&server).await, 3);
}

#[tokio::test]
async fn gives_up_after_max_attempts_and_send_raw_returns_the_last_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .expect(3)
        .mount(&server)
        .await;
    let client = client_for(&server);

    let response = client.get("x").send_raw().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.attempts(), 3);

    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .mount(&server)
        .await;
    let err = client.get("x").send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(err.body(), Some("bad gateway"));
    assert!(err.is_retryable() && !err.maybe_sent());
    assert_eq!(received(&server).await, 3);
}

#[tokio::test]
async fn post_that_times_out_is_maybe_sent_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/awb"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let client = HttpClient::builder("test-provider")
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let err = client
        .post("awb")
        .json(&serde_json::json!({"ref": "order-1"}))
        .send()
        .await
        .unwrap_err();

    assert!(err.is_timeout(), "{err:?}");
    assert!(err.maybe_sent(), "{err:?}");
    assert!(err.is_retryable());
    assert!(matches!(err, HttpError::Timeout { .. }));
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn get_that_times_out_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = HttpClient::builder("test-provider")
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let err = client.get("slow").send().await.unwrap_err();

    assert!(err.is_timeout() && err.maybe_sent(), "{err:?}");
    assert_eq!(received(&server).await, 3);
}

#[tokio::test]
async fn per_request_timeout_overrides_the_client_one() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    let client = client_for(&server); // 30 s default

    let err = client
        .get("slow")
        .timeout(Duration::from_millis(100))
        .no_retry()
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn post_503_is_not_retried_unless_it_carries_an_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/invoice"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let err = client.post("invoice").send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        received(&server).await,
        1,
        "a plain POST must not be repeated"
    );

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/invoice"))
        .and(header("Idempotency-Key", "order-1001-invoice"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/invoice"))
        .and(header("Idempotency-Key", "order-1001-invoice"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;

    let response = client
        .post("invoice")
        .idempotency_key("Idempotency-Key", "order-1001-invoice")
        .json(&serde_json::json!({"total": "10.00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(received(&server).await, 3, "every attempt carried the key");
}

#[tokio::test]
async fn post_marked_idempotent_is_retried_and_the_body_is_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let response = client_for(&server)
        .post("lookup")
        .idempotent(true)
        .json(&serde_json::json!({"awb": "123"}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.attempts(), 2);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.body, br#"{"awb":"123"}"#);
    }
}

#[tokio::test]
async fn post_429_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let response = client_for(&server).post("awb").send().await.unwrap();
    assert_eq!(response.attempts(), 2);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).insert_header("x-request-id", "req-42"))
        .mount(&server)
        .await;

    let err = client_for(&server).get("me").send().await.unwrap_err();
    assert!(err.is_auth() && !err.is_retryable());
    assert_eq!(err.request_id(), Some("req-42"));
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start().await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", at.as_str()))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let started = Instant::now();
    let response = client_for(&server).get("x").send().await.unwrap();

    assert_eq!(response.attempts(), 2);
    // HTTP-dates have whole seconds, so "now + 2 s" is between 1 and 2 s away.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_longer_than_the_cap_is_returned_to_the_caller() {
    let server = MockServer::start().await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", at.as_str()))
        .mount(&server)
        .await;

    let started = Instant::now();
    let err = client_for(&server).get("x").send().await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(received(&server).await, 1);
    let retry_after = err.retry_after().expect("Retry-After was parsed");
    assert!(
        retry_after > Duration::from_secs(3590) && retry_after <= Duration::from_secs(3600),
        "{retry_after:?}"
    );
}

#[tokio::test]
async fn elapsed_budget_stops_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = HttpClient::builder("test-provider")
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(100))
                .without_jitter()
                .with_max_elapsed(Duration::from_millis(250)),
        )
        .build()
        .unwrap();

    let err = client.get("x").send().await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    // Waits of 100 ms then 200 ms: the second would pass the 250 ms budget.
    assert_eq!(received(&server).await, 2);
}

/// A port nothing listens on for a while, then a tiny server that answers 200 once.
#[tokio::test]
async fn connect_failure_is_retried_even_for_post() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0_u8; 4096];
        let mut read = 0;
        while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
            read += socket.read(&mut buf[read..]).await.unwrap();
        }
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .await
            .unwrap();
    });
    let client = HttpClient::builder("test-provider")
        .base_url(format!("http://{addr}"))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(100))
                .with_max_backoff(Duration::from_millis(100))
                .without_jitter(),
        )
        .build()
        .unwrap();

    let response = client.post("awb").send().await.unwrap();

    assert_eq!(response.text(), "ok");
    assert!(response.attempts() >= 2, "{}", response.attempts());
    server.await.unwrap();
}

#[tokio::test]
async fn connect_failure_is_not_maybe_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = HttpClient::builder("test-provider")
        .base_url(format!("http://{addr}"))
        .retry_policy(fast_retries())
        .build()
        .unwrap();

    let err = client.post("awb").send().await.unwrap_err();

    assert!(matches!(err, HttpError::Connect { .. }), "{err:?}");
    assert!(!err.maybe_sent() && err.is_retryable());
}

/// A server that reads each request and closes the connection without answering.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = vec![0_u8; 4096];
            let mut read = 0;
            while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf[read..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
            }
            drop(socket);
        }
    });
    (base, connections)
}

#[tokio::test]
async fn connection_closed_mid_request_is_maybe_sent_and_only_safe_requests_repeat() {
    let (base, connections) = hang_up_server().await;
    let client = HttpClient::builder("test-provider")
        .base_url(base)
        .retry_policy(fast_retries())
        .build()
        .unwrap();

    let err = client.post("awb").send().await.unwrap_err();
    assert!(matches!(err, HttpError::Transport { .. }), "{err:?}");
    assert!(err.maybe_sent() && err.is_retryable());
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "a POST must not repeat"
    );

    let err = client.get("awb/1").send().await.unwrap_err();
    assert!(err.maybe_sent(), "{err:?}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1 + 3,
        "a GET is retried"
    );
}
