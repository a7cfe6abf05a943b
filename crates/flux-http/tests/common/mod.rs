//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use flux_http::{HttpClient, RetryPolicy};
use wiremock::MockServer;

/// A retry policy with short waits, so tests that retry stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(50))
}

/// A client for `server` with [`fast_retries`].
pub fn client_for(server: &MockServer) -> HttpClient {
    HttpClient::builder("test-provider")
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .build()
        .expect("client builds")
}

/// How many requests `server` received.
pub async fn received(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .len()
}
