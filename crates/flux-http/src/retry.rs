//! [`RetryPolicy`]: how many times, how long apart, and for how long in total the client
//! repeats a failed attempt; and [`parse_retry_after`].
//!
//! # Which failures are retried
//!
//! A request is *safe to repeat* when its method is GET, HEAD, PUT, DELETE, OPTIONS or
//! TRACE, or when it was marked with
//! [`RequestBuilder::idempotent(true)`](crate::RequestBuilder::idempotent) or
//! [`RequestBuilder::idempotency_key`](crate::RequestBuilder::idempotency_key).
//! POST and PATCH are not safe otherwise.
//!
//! | failure | safe request | unsafe request (plain POST/PATCH) |
//! |---|---|---|
//! | connect failure, connect timeout (nothing was sent) | retried | retried |
//! | 429 Too Many Requests (refused before processing) | retried | retried |
//! | 408, 425, 500, 502, 503, 504 | retried | **not** retried |
//! | timeout after the request was written, transport failure | retried | **not** retried (`maybe_sent()`) |
//! | anything else (4xx, decode errors, invalid requests) | not retried | not retried |
//!
//! The wait before a retry is the server's `Retry-After` when the response carried one
//! (seconds or HTTP-date). If that wait exceeds [`RetryPolicy::with_max_retry_after`]
//! (default 60 s) the client does not wait: it returns the response/error at once, and
//! [`HttpError::retry_after`](crate::HttpError::retry_after) tells a job scheduler when to
//! come back. Without `Retry-After` the wait is exponential backoff with full jitter
//! (a random duration between zero and `min(max_backoff, initial_backoff * factor^n)`).
//!
//! The client also stops when the next wait would take the total time past
//! [`RetryPolicy::with_max_elapsed`] (default 60 s), or when `max_attempts` (default 3,
//! counting the first) have been made. It then returns the last response or error.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use http::{HeaderMap, Method, StatusCode, header::RETRY_AFTER};

/// How a client repeats failed attempts. See the [module docs](self) for which failures
/// are retried.
///
/// ```
/// use std::time::Duration;
/// use flux_http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(500))
///     .with_max_retry_after(Duration::from_secs(30));
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    factor: f32,
    jitter: bool,
    max_elapsed: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms doubling up to 10 s with full jitter, at most 60 s in
    /// total, and a server `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            factor: 2.0,
            jitter: true,
            max_elapsed: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries: one attempt.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Total attempts, counting the first (at least 1). Default 3.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling before the first retry. Default 200 ms.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling. Default 10 s.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How much the backoff ceiling grows per retry. Default 2.
    pub fn with_factor(mut self, factor: f32) -> Self {
        self.factor = factor;
        self
    }

    /// Wait exactly the backoff ceiling instead of a random duration below it (for tests
    /// that need a predictable schedule). Full jitter is the default.
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// The most time a request may spend across all its attempts and waits before the
    /// client stops retrying. Checked before each wait. Default 60 s.
    pub fn with_max_elapsed(mut self, max: Duration) -> Self {
        self.max_elapsed = max;
        self
    }

    /// The longest server `Retry-After` the client waits out itself. A longer one is
    /// returned to the caller at once. Default 60 s.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Total attempts, counting the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// See [`with_max_elapsed`](Self::with_max_elapsed).
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// See [`with_max_retry_after`](Self::with_max_retry_after).
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The backoff waits between attempts, one per retry (`max_attempts - 1` of them),
    /// built on `backon`'s exponential backoff, with full jitter unless disabled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use flux_http::RetryPolicy;
    ///
    /// let waits: Vec<_> = RetryPolicy::default().without_jitter().delays().collect();
    /// assert_eq!(waits, [Duration::from_millis(200), Duration::from_millis(400)]);
    /// ```
    pub fn delays(&self) -> impl Iterator<Item = Duration> + Send + 'static {
        let retries = usize::try_from(self.max_attempts.saturating_sub(1)).unwrap_or(usize::MAX);
        let ceilings = ExponentialBuilder::new()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(self.factor)
            .with_max_times(retries)
            .build();
        let jitter = self.jitter;
        ceilings.map(round_to_micros).map(move |ceiling| {
            if jitter {
                full_jitter(ceiling)
            } else {
                ceiling
            }
        })
    }
}

/// backon multiplies in `f32` (400 ms comes out as 400.000006 ms): round to whole
/// microseconds so schedules read as configured.
fn round_to_micros(d: Duration) -> Duration {
    let micros = d.as_nanos().saturating_add(500) / 1000;
    Duration::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
}

/// A random duration in `[0, ceiling]`.
fn full_jitter(ceiling: Duration) -> Duration {
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

/// Whether repeating a request with this method cannot change the outcome.
pub(crate) fn is_idempotent_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Whether a response with this status is retried, given whether the request is safe to
/// repeat.
pub(crate) fn should_retry_status(status: StatusCode, safe: bool) -> bool {
    match status.as_u16() {
        429 => true,
        408 | 425 | 500 | 502 | 503 | 504 => safe,
        _ => false,
    }
}

/// The `Retry-After` header as a wait from now: delay-seconds or an HTTP-date
/// (a date in the past gives zero). `None` if absent or unparsable.
///
/// ```
/// use std::time::Duration;
/// use flux_http::{HeaderMap, parse_retry_after};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "7".parse().unwrap());
/// assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(7)));
///
/// headers.insert("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
/// assert_eq!(parse_retry_after(&headers), Some(Duration::ZERO)); // in the past
/// ```
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    parse_retry_after_at(headers, SystemTime::now())
}

pub(crate) fn parse_retry_after_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_follow_the_policy() {
        let policy = RetryPolicy::default()
            .with_max_attempts(6)
            .with_initial_backoff(Duration::from_secs(1))
            .with_max_backoff(Duration::from_secs(5))
            .without_jitter();
        let waits: Vec<u64> = policy.delays().map(|d| d.as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
        assert_eq!(RetryPolicy::none().delays().count(), 0);
    }

    #[test]
    fn jittered_delays_stay_under_the_ceiling() {
        let policy = RetryPolicy::default().with_max_attempts(4);
        for _ in 0..100 {
            let waits: Vec<Duration> = policy.delays().collect();
            assert_eq!(waits.len(), 3);
            assert!(waits[0] <= Duration::from_millis(200));
            assert!(waits[1] <= Duration::from_millis(400));
            assert!(waits[2] <= Duration::from_millis(800));
        }
    }

    #[test]
    fn statuses_retried_by_safety() {
        let s = |c| StatusCode::from_u16(c).unwrap();
        assert!(should_retry_status(s(429), false));
        assert!(should_retry_status(s(503), true));
        assert!(!should_retry_status(s(503), false));
        assert!(!should_retry_status(s(404), true));
        assert!(!should_retry_status(s(501), true));
    }

    #[test]
    fn retry_after_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:42 GMT".parse().unwrap(),
        );
        assert_eq!(
            parse_retry_after_at(&headers, now),
            Some(Duration::from_secs(42))
        );
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after_at(&headers, now), None);
    }
}
