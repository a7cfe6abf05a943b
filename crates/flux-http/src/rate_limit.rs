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
//!
//! # Starts are not arrivals
//!
//! The provider counts arrivals, and network delay can bring two calls closer together
//! than they started. With [`WindowAnchor::Completion`] a call keeps its slot until `per`
//! after its answer came back; a call always arrives before its answer, so the provider
//! sees at most N arrivals in any window of length `per`, whatever the delay, and the
//! provider's published limit can be used as it is.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Which moment of a call counts it in a window.
///
/// The provider counts calls when they *arrive*; we can only see when they start and when
/// their answer comes back, and the arrival lies somewhere between the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WindowAnchor {
    /// A call occupies its window slot from the moment it starts. Cheapest, but network
    /// delay can bunch arrivals closer than the starts were: keep a margin in the window
    /// (e.g. 30 calls per 11 s for a 10 s limit).
    #[default]
    Start,
    /// A call occupies its window slot from the moment it starts until `per` after its
    /// answer came back (the permit was dropped). Since a call arrives before its answer
    /// returns, the provider never sees more than `max_calls` arrivals in any window of
    /// length `per`, **whatever the network delay**, so the provider's own limit can be
    /// used without a margin; the price is one round trip per slot.
    Completion,
}

/// Limits how many calls start per time window (one or several windows) and, optionally,
/// how many run at once.
///
/// Share one limiter (in an `Arc`) between all clients of the same provider account:
/// the limits are per account, not per client. The [`HttpClient`](crate::HttpClient)
/// acquires a slot before every attempt, retries included.
///
/// Waiting is fair: callers are served in the order they asked (a FIFO
/// `tokio::sync::Mutex` queues the waiters, and the caller at the head sleeps until
/// its slot opens).
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use flux_http::{RateLimiter, WindowAnchor};
///
/// // SmartBill: 30 calls per 10 s, counted from each answer so that network delay can
/// // never bunch 31 arrivals into one window (it blocks the account for 10 minutes).
/// let smartbill = Arc::new(
///     RateLimiter::with_windows(&[(30, Duration::from_secs(10))])
///         .anchored_at(WindowAnchor::Completion),
/// );
/// // QuickBooks: 500 per minute and 10 concurrent per realm.
/// let quickbooks = RateLimiter::new(500, Duration::from_secs(60)).with_max_concurrent(10);
/// # let _ = (smartbill, quickbooks);
/// ```
pub struct RateLimiter {
    windows: Vec<Window>,
    anchor: WindowAnchor,
    /// Waiters queue here, first come first served.
    queue: Mutex<()>,
    calls: Arc<Calls>,
    concurrency: Option<(usize, Arc<Semaphore>)>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    max_calls: usize,
    per: Duration,
}

/// The calls that still count in some window, and a wake-up for completions.
#[derive(Default)]
struct Calls {
    state: StdMutex<CallLog>,
    completed: Notify,
}

#[derive(Default)]
struct CallLog {
    next_id: u64,
    calls: VecDeque<Call>,
}

#[derive(Debug, Clone, Copy)]
struct Call {
    id: u64,
    start: Instant,
    /// When the answer came back (Completion anchor only); `None` while in flight.
    end: Option<Instant>,
}

/// Held while a rate-limited call runs. Dropping it releases the concurrency slot (if the
/// limiter has a concurrency cap) and, with [`WindowAnchor::Completion`], marks the call
/// answered; the window slot stays used until the window passes.
pub struct RateLimitPermit {
    started_at: Instant,
    completion: Option<(Arc<Calls>, u64)>,
    _concurrency: Option<OwnedSemaphorePermit>,
}

impl fmt::Debug for RateLimitPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitPermit")
            .field("started_at", &self.started_at)
            .finish_non_exhaustive()
    }
}

impl RateLimitPermit {
    /// The instant this call was counted as started in the limiter's windows.
    pub fn started_at(&self) -> Instant {
        self.started_at
    }
}

impl Drop for RateLimitPermit {
    fn drop(&mut self) {
        if let Some((calls, id)) = self.completion.take() {
            let now = Instant::now();
            {
                let mut log = calls.state.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(call) = log.calls.iter_mut().find(|c| c.id == id) {
                    call.end = Some(now);
                }
            }
            calls.completed.notify_waiters();
        }
    }
}

/// What the head waiter must do.
enum Decision {
    Go(Instant, Option<u64>),
    Sleep(Duration),
    AwaitCompletion,
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
        Self {
            windows,
            anchor: WindowAnchor::Start,
            queue: Mutex::new(()),
            calls: Arc::new(Calls::default()),
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

    /// Which moment of a call counts it in the windows (see [`WindowAnchor`]).
    pub fn anchored_at(mut self, anchor: WindowAnchor) -> Self {
        self.anchor = anchor;
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
        let (started_at, id) = self.acquire_window_slot().await;
        RateLimitPermit {
            started_at,
            completion: id.map(|id| (Arc::clone(&self.calls), id)),
            _concurrency: concurrency,
        }
    }

    async fn acquire_window_slot(&self) -> (Instant, Option<u64>) {
        if self.windows.is_empty() {
            return (Instant::now(), None);
        }
        // Held while waiting: later callers queue behind this one (fairness).
        let _turn = self.queue.lock().await;
        loop {
            let completed = self.calls.completed.notified();
            tokio::pin!(completed);
            // Registered before the log is read, so a completion in between still wakes us.
            completed.as_mut().enable();
            match self.decide(Instant::now()) {
                Decision::Go(at, id) => return (at, id),
                Decision::Sleep(wait) => {
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = &mut completed => {}
                    }
                }
                Decision::AwaitCompletion => completed.await,
            }
        }
    }

    /// When `call` stops counting in a window of length `per` (`None`: still in flight).
    fn expiry(&self, call: &Call, per: Duration) -> Option<Instant> {
        match self.anchor {
            WindowAnchor::Completion => call.end.map(|end| end + per),
            _ => Some(call.start + per),
        }
    }

    fn decide(&self, now: Instant) -> Decision {
        let mut log = self
            .calls
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let longest = self.windows.iter().map(|w| w.per).max().unwrap_or_default();
        log.calls
            .retain(|c| self.expiry(c, longest).is_none_or(|at| at > now));
        let mut wait = Duration::ZERO;
        let mut unknown = false;
        for window in &self.windows {
            let mut known = Vec::new();
            let mut in_flight = 0_usize;
            for call in &log.calls {
                match self.expiry(call, window.per) {
                    Some(at) if at > now => known.push(at),
                    Some(_) => {}
                    None => in_flight += 1,
                }
            }
            let counted = known.len() + in_flight;
            if counted < window.max_calls {
                continue;
            }
            // This many of the counted calls must leave the window before one more fits.
            // An answered call leaves at most `per` from now, a call still in flight
            // later than that, so the answered ones leave first.
            let must_leave = counted - window.max_calls + 1;
            known.sort_unstable();
            match known.get(must_leave - 1) {
                Some(&at) => wait = wait.max(at.duration_since(now)),
                None => unknown = true,
            }
        }
        if unknown {
            return Decision::AwaitCompletion;
        }
        if !wait.is_zero() {
            return Decision::Sleep(wait);
        }
        let id = log.next_id;
        log.next_id += 1;
        log.calls.push_back(Call {
            id,
            start: now,
            end: None,
        });
        let id = (self.anchor == WindowAnchor::Completion).then_some(id);
        Decision::Go(now, id)
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
            .field("anchor", &self.anchor)
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

    #[tokio::test(start_paused = true)]
    async fn completion_anchor_counts_the_window_from_each_answer() {
        let limiter = Arc::new(
            RateLimiter::new(2, Duration::from_secs(10)).anchored_at(WindowAnchor::Completion),
        );
        let t0 = Instant::now();
        // Two calls start at once and answer after 3 s and 5 s.
        let a = limiter.acquire().await;
        let b = limiter.acquire().await;
        let (l, t) = (Arc::clone(&limiter), t0);
        let third = tokio::spawn(async move { l.acquire().await.started_at() - t });
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(a);
        tokio::time::sleep(Duration::from_secs(2)).await;
        drop(b);
        // Not at 10 s (the first start + 10 s) but 10 s after the first answer.
        assert_eq!(third.await.unwrap(), Duration::from_secs(13));
    }

    #[tokio::test(start_paused = true)]
    async fn completion_anchor_waits_for_calls_in_flight() {
        let limiter = Arc::new(
            RateLimiter::new(1, Duration::from_secs(1)).anchored_at(WindowAnchor::Completion),
        );
        let t0 = Instant::now();
        let hung = limiter.acquire().await;
        let (l, t) = (Arc::clone(&limiter), t0);
        let next = tokio::spawn(async move { l.acquire().await.started_at() - t });
        // The call in flight holds its slot however long it takes.
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(!next.is_finished());
        drop(hung);
        assert_eq!(next.await.unwrap(), Duration::from_secs(31));
    }

    #[tokio::test(start_paused = true)]
    async fn start_anchor_ignores_answers() {
        let limiter = RateLimiter::new(1, Duration::from_secs(1));
        let t0 = Instant::now();
        let held = limiter.acquire().await;
        let next = limiter.acquire().await.started_at() - t0;
        assert_eq!(next, Duration::from_secs(1));
        drop(held);
    }
}
