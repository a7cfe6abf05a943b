//! [`RateLimiter`]: exact sliding-window call limits and an optional concurrency cap,
//! shared by every client that talks to one provider account.
//!
//! # Why a sliding window and not GCRA (`governor`)
//!
//! GCRA with a burst of N and a replenish interval of `per / N` lets N calls through at
//! once and then one more every `per / N`: within a single window of length `per` that
//! is up to 2N calls (the burst, then N replenished ones). SmartBill allows 30 calls in
//! 10 s and blocks the account for **10 minutes** when it sees a 31st, so "about N per
//! window" is not good enough. This limiter remembers when each of the last N calls
//! started and admits a call only when fewer than N started in the past `per`, so **no
//! window of length `per` ever contains more than N starts**.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Limits how many calls start per time window (one or several windows) and, optionally,
/// how many run at once.
///
/// Share one limiter (in an `Arc`) between all clients of the same provider account:
/// the limits are per account, not per client. The [`HttpClient`](crate::HttpClient)
/// acquires a slot before every attempt, retries included.
///
/// Waiting is fair: callers are served in the order they asked (a FIFO
/// `tokio::sync::Mutex` guards the window state, and the caller at the head sleeps until
/// its slot opens).
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use flux_http::RateLimiter;
///
/// // SmartBill: 30 calls per 10 s (plus a looser per-minute guard).
/// let smartbill = Arc::new(RateLimiter::with_windows(&[
///     (30, Duration::from_secs(10)),
///     (150, Duration::from_secs(60)),
/// ]));
/// // QuickBooks: 500 per minute and 10 concurrent per realm.
/// let quickbooks = RateLimiter::new(500, Duration::from_secs(60)).with_max_concurrent(10);
/// # let _ = (smartbill, quickbooks);
/// ```
pub struct RateLimiter {
    windows: Vec<Window>,
    starts: Mutex<Vec<VecDeque<Instant>>>,
    concurrency: Option<(usize, Arc<Semaphore>)>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    max_calls: usize,
    per: Duration,
}

/// Held while a rate-limited call runs. Dropping it releases the concurrency slot (if the
/// limiter has a concurrency cap); the window slot stays used until the window passes.
#[derive(Debug)]
pub struct RateLimitPermit {
    started_at: Instant,
    _concurrency: Option<OwnedSemaphorePermit>,
}

impl RateLimitPermit {
    /// The instant this call was counted as started in the limiter's windows.
    pub fn started_at(&self) -> Instant {
        self.started_at
    }
}

impl RateLimiter {
    /// At most `max_calls` calls started in any window of length `per`.
    ///
    /// A `max_calls` of 0 is treated as 1.
    pub fn new(max_calls: u32, per: Duration) -> Self {
        Self::with_windows(&[(max_calls, per)])
    }

    /// Several limits at once, each `(max_calls, per)`; a call starts only when every
    /// window has room.
    pub fn with_windows(windows: &[(u32, Duration)]) -> Self {
        let windows: Vec<Window> = windows
            .iter()
            .map(|&(max_calls, per)| Window {
                max_calls: usize::try_from(max_calls.max(1)).unwrap_or(usize::MAX),
                per,
            })
            .collect();
        let starts = windows
            .iter()
            .map(|w| VecDeque::with_capacity(w.max_calls.min(1024)))
            .collect();
        Self {
            windows,
            starts: Mutex::new(starts),
            concurrency: None,
        }
    }

    /// No call-rate limit, only a concurrency cap of `max_concurrent` calls at once.
    pub fn concurrency_only(max_concurrent: usize) -> Self {
        Self::with_windows(&[]).with_max_concurrent(max_concurrent)
    }

    /// Also cap how many calls run at once (QuickBooks allows 10 concurrent per realm).
    /// The slot is held until the [`RateLimitPermit`] is dropped; the client holds it
    /// until the response body has been read. A cap of 0 is treated as 1.
    pub fn with_max_concurrent(mut self, max_concurrent: usize) -> Self {
        let max = max_concurrent.max(1);
        self.concurrency = Some((max, Arc::new(Semaphore::new(max))));
        self
    }

    /// Wait (without blocking the runtime) until a call may start, and count it as started.
    ///
    /// The concurrency slot is taken first, then the window slot, so the recorded start
    /// is the moment the call really starts.
    pub async fn acquire(&self) -> RateLimitPermit {
        let concurrency = match &self.concurrency {
            // The semaphore is never closed, so this only fails if that changes.
            Some((_, semaphore)) => Arc::clone(semaphore).acquire_owned().await.ok(),
            None => None,
        };
        let started_at = self.acquire_window_slot().await;
        RateLimitPermit {
            started_at,
            _concurrency: concurrency,
        }
    }

    async fn acquire_window_slot(&self) -> Instant {
        let mut starts = self.starts.lock().await;
        loop {
            let now = Instant::now();
            let mut wait = Duration::ZERO;
            for (window, recent) in self.windows.iter().zip(starts.iter_mut()) {
                while recent
                    .front()
                    .is_some_and(|&start| now.duration_since(start) >= window.per)
                {
                    recent.pop_front();
                }
                if recent.len() >= window.max_calls {
                    // The slot opens when the oldest start that keeps the window full expires.
                    let oldest_blocking = recent[recent.len() - window.max_calls];
                    wait = wait.max((oldest_blocking + window.per).duration_since(now));
                }
            }
            if wait.is_zero() {
                for recent in starts.iter_mut() {
                    recent.push_back(now);
                }
                return now;
            }
            // Still holding the lock: later callers queue behind this one (fairness).
            tokio::time::sleep(wait).await;
        }
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let windows: Vec<String> = self
            .windows
            .iter()
            .map(|w| format!("{} per {:?}", w.max_calls, w.per))
            .collect();
        f.debug_struct("RateLimiter")
            .field("windows", &windows)
            .field("max_concurrent", &self.concurrency.as_ref().map(|(n, _)| n))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sequential_calls_are_spaced_by_the_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(1));
        let t0 = Instant::now();
        let a = limiter.acquire().await.started_at();
        let b = limiter.acquire().await.started_at();
        let c = limiter.acquire().await.started_at();
        assert_eq!(a, t0);
        assert_eq!(b, t0);
        assert_eq!(c, t0 + Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn every_window_must_have_room() {
        let limiter =
            RateLimiter::with_windows(&[(3, Duration::from_secs(1)), (4, Duration::from_secs(10))]);
        let t0 = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..5 {
            starts.push(limiter.acquire().await.started_at() - t0);
        }
        let secs: Vec<u64> = starts.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 0, 0, 1, 10]);
    }
}
