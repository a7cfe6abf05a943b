//! Simulated time: AWBs move through tracking statuses as simulated time passes.
//!
//! A [`SimClock`] runs at a multiple of real time from a start instant and can be advanced
//! by hand, so a test can move a parcel from "picked up" to "delivered" without waiting.
//!
//! ```
//! use flux_sandbox::SimClock;
//! use std::time::Duration;
//!
//! let clock = SimClock::manual("2026-11-22T08:00:00Z".parse().unwrap());
//! clock.advance(Duration::from_secs(3600));
//! assert_eq!(clock.now().to_rfc3339(), "2026-11-22T09:00:00+00:00");
//! ```

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

#[derive(Debug)]
struct Inner {
    origin: DateTime<Utc>,
    started: Instant,
    speed: u32,
    offset: Duration,
}

/// A shared, cheap-to-clone simulated clock.
#[derive(Debug, Clone)]
pub struct SimClock {
    inner: Arc<Mutex<Inner>>,
}

impl SimClock {
    /// A clock that follows real time, sped up `speed` times (1 = real time; 0 = frozen
    /// except for [`advance`](Self::advance)), starting at `origin`.
    pub fn new(origin: DateTime<Utc>, speed: u32) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                origin,
                started: Instant::now(),
                speed,
                offset: Duration::ZERO,
            })),
        }
    }

    /// A clock that only moves when advanced.
    pub fn manual(origin: DateTime<Utc>) -> Self {
        Self::new(origin, 0)
    }

    /// A real-time clock starting now.
    pub fn real_time() -> Self {
        Self::new(Utc::now(), 1)
    }

    /// The simulated now.
    pub fn now(&self) -> DateTime<Utc> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = inner.started.elapsed().saturating_mul(inner.speed) + inner.offset;
        inner.origin + chrono::Duration::from_std(elapsed).unwrap_or(chrono::Duration::zero())
    }

    /// Moves simulated time forward.
    pub fn advance(&self, by: Duration) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.offset += by;
    }
}

impl Default for SimClock {
    fn default() -> Self {
        Self::real_time()
    }
}
