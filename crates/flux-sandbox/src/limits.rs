//! The providers' real rate limits, enforced the way each provider enforces them, and the
//! count of violations (a client that respects the limits causes none).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the provider does when a limit is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Within the limit.
    Allowed,
    /// Over the limit: refuse this call (HTTP 429, or the provider's own answer).
    Refused {
        /// When the caller may try again.
        retry_after: Duration,
    },
    /// Over the limit and the account is now blocked until `until` (SmartBill: 10 minutes).
    Blocked {
        /// How long the block lasts from now.
        retry_after: Duration,
    },
}

#[derive(Debug, Default)]
struct Window {
    calls: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// Sliding-window counters per (provider, account, limit name), with violation counts.
#[derive(Debug, Default)]
pub struct LimitTracker {
    windows: Mutex<HashMap<(String, String, &'static str), Window>>,
    violations: Mutex<HashMap<String, u64>>,
}

impl LimitTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a call of `account` at `provider` against the limit `name` of `max` calls per
    /// `per`; when exceeded, the call is a violation and, if `block` is set, the account is
    /// blocked for that long.
    pub fn check(
        &self,
        provider: &str,
        account: &str,
        name: &'static str,
        max: usize,
        per: Duration,
        block: Option<Duration>,
    ) -> Verdict {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows
            .entry((provider.to_owned(), account.to_owned(), name))
            .or_default();
        if let Some(until) = w.blocked_until {
            if now < until {
                drop(windows);
                self.violation(provider);
                return Verdict::Blocked {
                    retry_after: until - now,
                };
            }
            w.blocked_until = None;
        }
        while w
            .calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= per)
        {
            w.calls.pop_front();
        }
        if w.calls.len() >= max {
            let retry_after = w
                .calls
                .front()
                .map_or(per, |t| per.saturating_sub(now.duration_since(*t)));
            let verdict = match block {
                Some(block) => {
                    w.blocked_until = Some(now + block);
                    Verdict::Blocked { retry_after: block }
                }
                None => Verdict::Refused { retry_after },
            };
            drop(windows);
            self.violation(provider);
            return verdict;
        }
        w.calls.push_back(now);
        Verdict::Allowed
    }

    fn violation(&self, provider: &str) {
        *self
            .violations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(provider.to_owned())
            .or_default() += 1;
    }

    /// How many calls exceeded `provider`'s limits so far.
    pub fn violations(&self, provider: &str) -> u64 {
        self.violations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(provider)
            .copied()
            .unwrap_or(0)
    }

    /// Violations of every provider.
    pub fn all_violations(&self) -> HashMap<String, u64> {
        self.violations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_31st_call_in_ten_seconds_blocks_smartbill() {
        let t = LimitTracker::new();
        for _ in 0..30 {
            assert_eq!(
                t.check(
                    "smartbill",
                    "RO1",
                    "calls",
                    30,
                    Duration::from_secs(10),
                    Some(Duration::from_secs(600))
                ),
                Verdict::Allowed
            );
        }
        let v = t.check(
            "smartbill",
            "RO1",
            "calls",
            30,
            Duration::from_secs(10),
            Some(Duration::from_secs(600)),
        );
        assert_eq!(
            v,
            Verdict::Blocked {
                retry_after: Duration::from_secs(600)
            }
        );
        assert!(matches!(
            t.check(
                "smartbill",
                "RO1",
                "calls",
                30,
                Duration::from_secs(10),
                Some(Duration::from_secs(600))
            ),
            Verdict::Blocked { .. }
        ));
        assert_eq!(t.violations("smartbill"), 2);
        assert_eq!(
            t.check(
                "smartbill",
                "RO2",
                "calls",
                30,
                Duration::from_secs(10),
                None
            ),
            Verdict::Allowed
        );
    }
}
