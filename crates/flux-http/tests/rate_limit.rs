//! The rate limiter never lets more than N calls start in a window, and never more than
//! the concurrency cap run at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flux_http::{HttpClient, RateLimiter, RetryPolicy};
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PER: Duration = Duration::from_millis(200);
const MAX: usize = 5;

/// Paused time: the sleeps advance the clock instantly and exactly.
#[tokio::test(start_paused = true)]
async fn no_window_holds_more_than_the_limit_under_100_concurrent_callers() {
    let limiter = Arc::new(RateLimiter::new(5, PER));
    let t0 = Instant::now();
    let handles: Vec<_> = (0..100)
        .map(|_| {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move {
                let permit = limiter.acquire().await;
                (permit.started_at(), Instant::now())
            })
        })
        .collect();
    let mut recorded = Vec::new();
    let mut observed = Vec::new();
    for handle in handles {
        let (started, seen) = handle.await.unwrap();
        recorded.push(started);
        observed.push(seen);
    }

    for starts in [&mut recorded, &mut observed] {
        starts.sort();
        for (i, pair) in starts.windows(MAX + 1).enumerate() {
            let span = pair[MAX] - pair[0];
            assert!(
                span >= PER,
                "calls {i}..={} started within {span:?}",
                i + MAX
            );
        }
    }
    // And it is not slower than it has to be: 20 full windows.
    let last = *observed.last().unwrap() - t0;
    assert_eq!(last, PER * 19, "{last:?}");
}

#[tokio::test(start_paused = true)]
async fn concurrency_cap_is_never_exceeded() {
    let limiter = Arc::new(RateLimiter::concurrency_only(3));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..20)
        .map(|i| {
            let (limiter, running, peak) = (
                Arc::clone(&limiter),
                Arc::clone(&running),
                Arc::clone(&peak),
            );
            tokio::spawn(async move {
                let _permit = limiter.acquire().await;
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10 + i % 7)).await;
                running.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_client_acquires_a_slot_before_every_attempt_including_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = HttpClient::builder("test-provider")
        .base_url(server.uri())
        .rate_limiter(Arc::new(RateLimiter::new(1, Duration::from_millis(300))))
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(1))
                .without_jitter(),
        )
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let response = client.get("x").send().await.unwrap();

    assert_eq!(response.attempts(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(290),
        "the retry did not wait for the window: {:?}",
        started.elapsed()
    );
}
