//! Authentication failures, SmartBill's 403 rate-limit block, 429, and the client-side
//! limiter under 100 concurrent callers.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::*;
use flux_core::{ErrorKind, ProviderError};
use flux_smartbill::{SmartBillClient, SmartBillError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

#[tokio::test]
async fn unauthorized_is_an_auth_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(json_status(401, fixture!("unauthorized_401.json")))
        .mount(&server)
        .await;
    let err = client.taxes().await.unwrap_err();
    assert!(
        matches!(&err, SmartBillError::Unauthorized { message } if message.starts_with("Autentificare esuata")),
        "{err:?}"
    );
    let p: ProviderError = err.into();
    assert!(p.is_auth());
    assert!(!p.is_retryable());
    assert_eq!(p.http_status(), Some(401));
}

#[tokio::test]
async fn a_403_rate_limit_block_is_distinct_and_carries_when_it_lifts() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(
            json_status(403, fixture!("rate_limit_blocked_403.json"))
                .insert_header("X-RateLimit-Limit", "30")
                .insert_header("X-RateLimit-Remaining", "0"),
        )
        .mount(&server)
        .await;
    let before = Utc::now();
    let err = client.taxes().await.unwrap_err();
    let until = err.blocked_until().expect("a block");
    let lifts_in = until - before;
    assert!(
        lifts_in >= chrono::Duration::seconds(599) && lifts_in <= chrono::Duration::seconds(605),
        "{lifts_in}"
    );
    assert!(!matches!(err, SmartBillError::Forbidden { .. }));
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::RateLimited);
    assert!(!p.is_auth());
    assert!(p.is_retryable());
    assert_eq!(p.provider_code(), Some("rate_limit_block"));
    assert!(p.retry_after().unwrap() > Duration::from_secs(590));

    // Until the block lifts, calls are refused locally: SmartBill sees no more calls.
    assert_eq!(client.blocked_until(), Some(until));
    let again = client.clone().taxes().await.unwrap_err();
    assert_eq!(again.blocked_until(), Some(until));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// One job learns of the block; every other job of the same account (the orchestrator
/// shares one client per account) is refused locally, retryable with the wait, without a
/// request; once the block has passed calls go out again.
#[tokio::test]
async fn a_block_is_remembered_by_every_clone_until_it_passes() {
    let server = wiremock::MockServer::start().await;
    let account_limiter = SmartBillClient::default_rate_limiter();
    let client = SmartBillClient::builder(EMAIL, flux_http::secret::SecretString::from(TOKEN), CIF)
        .base_url(format!("{}/SBORO/api/", server.uri()))
        .rate_limiter(account_limiter.clone())
        .block_duration(Duration::from_secs(2))
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(json_status(403, fixture!("rate_limit_blocked_403.json")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(json(fixture!("taxes.json")))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/series"))
        .respond_with(json(fixture!("series.json")))
        .mount(&server)
        .await;

    let build = |email: &str, limiter| {
        SmartBillClient::builder(email, flux_http::secret::SecretString::from(TOKEN), CIF)
            .base_url(format!("{}/SBORO/api/", server.uri()))
            .rate_limiter(limiter)
            .build()
            .unwrap()
    };
    // Built separately for the same account (sharing its limiter, as the orchestrator
    // does), and a client of another SmartBill user with its own limiter.
    let same_account = build(EMAIL, account_limiter.clone());
    let other_user = build(
        "alt-user@example.ro",
        SmartBillClient::default_rate_limiter(),
    );

    let first: ProviderError = client.taxes().await.unwrap_err().into();
    assert_eq!(first.kind(), ErrorKind::RateLimited);
    let until = client.blocked_until().expect("the block is remembered");
    assert_eq!(same_account.blocked_until(), Some(until));
    assert_eq!(
        same_account.series(None).await.unwrap_err().blocked_until(),
        Some(until)
    );
    assert_eq!(other_user.blocked_until(), None, "SmartBill blocks a user");

    // Other jobs, other endpoints, concurrently: all refused locally.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                c.taxes().await.map(drop)
            } else {
                c.series(None).await.map(drop)
            }
        }));
    }
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert_eq!(err.blocked_until(), Some(until));
        let p: ProviderError = err.into();
        assert!(p.is_retryable(), "{p}");
        assert_eq!(p.kind(), ErrorKind::RateLimited);
        let wait = p.retry_after().expect("the wait is carried");
        assert!(wait <= Duration::from_secs(2), "{wait:?}");
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "only the call that met the block reached SmartBill"
    );

    // After the block: calls go out again.
    while client.blocked_until().is_some() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(Utc::now() >= until);
    client.taxes().await.unwrap();
    client.clone().series(None).await.unwrap();
    same_account.series(None).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_403_block_honours_retry_after() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/series"))
        .respond_with(ResponseTemplate::new(403).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let before = Utc::now();
    let until = client
        .series(None)
        .await
        .unwrap_err()
        .blocked_until()
        .unwrap();
    let lifts_in = until - before;
    assert!(
        lifts_in >= chrono::Duration::seconds(119) && lifts_in <= chrono::Duration::seconds(125),
        "{lifts_in}"
    );
}

#[tokio::test]
async fn a_403_without_rate_limit_signs_is_forbidden_not_a_block() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(json_status(
            403,
            r#"{"errorText":"Nu aveti drept de acces la aceasta resursa.","message":""}"#,
        ))
        .mount(&server)
        .await;
    let err = client.taxes().await.unwrap_err();
    assert!(matches!(err, SmartBillError::Forbidden { .. }), "{err:?}");
    assert!(err.blocked_until().is_none());
    assert!(client.blocked_until().is_none());
    assert!(ProviderError::from(err).is_auth());
}

#[tokio::test]
async fn a_long_429_is_reported_with_its_wait() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .mount(&server)
        .await;
    let err = client.taxes().await.unwrap_err();
    assert!(
        matches!(err, SmartBillError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(600)),
        "{err:?}"
    );
    let p: ProviderError = err.into();
    assert_eq!(p.kind(), ErrorKind::RateLimited);
    assert_eq!(p.retry_after(), Some(Duration::from_secs(600)));
}

/// Records when each request reached the server.
#[derive(Clone)]
struct Arrivals(Arc<Mutex<Vec<Instant>>>);

impl Respond for Arrivals {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(Instant::now());
        json(fixture!("taxes.json"))
    }
}

/// SmartBill blocks the account for 10 minutes on the 31st call in 10 seconds: with the
/// default limiter, 100 concurrent callers must never put 31 arrivals in any 10 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_hundred_concurrent_callers_never_exceed_30_calls_in_10_seconds() {
    let (server, client) = setup().await;
    let arrivals = Arrivals(Arc::new(Mutex::new(Vec::new())));
    Mock::given(method("GET"))
        .and(path("/SBORO/api/tax"))
        .respond_with(arrivals.clone())
        .expect(100)
        .mount(&server)
        .await;

    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client: SmartBillClient = client.clone();
        tasks.push(tokio::spawn(async move { client.taxes().await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let mut times = arrivals.0.lock().unwrap().clone();
    times.sort();
    assert_eq!(times.len(), 100);
    // In any window of 10 s at most 30 arrivals: the 31st after any arrival comes at
    // least 10 s later.
    for i in 0..times.len() - 30 {
        let gap = times[i + 30] - times[i];
        assert!(
            gap >= Duration::from_secs(10),
            "arrivals {i} and {} only {gap:?} apart",
            i + 30
        );
    }
    // And the limiter did let the first 30 through together.
    assert!(times[29] - times[0] < Duration::from_secs(5));
}
