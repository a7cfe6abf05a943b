//! Latency and fault injection, per provider, deterministic for a given seed.
//!
//! Rates are in per-mille (‰) so no floating point is involved: `error_per_mille: 50` fails
//! one call in twenty.
//!
//! ```
//! use flux_sandbox::{FaultPlan, Faults, Decision};
//! use std::time::Duration;
//!
//! let faults = Faults::new(7);
//! faults.set("smartbill", FaultPlan { error_per_mille: 1000, ..FaultPlan::default() });
//! assert_eq!(faults.decide("smartbill"), Decision::ServerError);
//! assert_eq!(faults.decide("oblio"), Decision::Proceed);
//! ```

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// What can go wrong with one provider's calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FaultPlan {
    /// Added to every call before it is handled.
    pub latency: Duration,
    /// Calls answered with a 5xx before anything happens, ‰.
    pub error_per_mille: u16,
    /// Calls that hang for [`hang`](Self::hang) before anything happens (the client times
    /// out), ‰.
    pub timeout_per_mille: u16,
    /// Calls answered 429 with `Retry-After`, ‰ (a burst starts at such a call and lasts
    /// [`burst_len`](Self::burst_len) calls).
    pub too_many_per_mille: u16,
    /// How many consecutive calls a 429 burst refuses (at least 1).
    pub burst_len: u16,
    /// Effectful calls whose effect happens but whose answer is lost (the connection hangs
    /// for [`hang`](Self::hang)), ‰.
    pub drop_after_effect_per_mille: u16,
    /// How long a hung call hangs (default 30 s).
    pub hang: Duration,
}

/// The fate of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Handle it normally.
    Proceed,
    /// Answer 500/503 without doing anything.
    ServerError,
    /// Hang without doing anything.
    Timeout,
    /// Answer 429 with this `Retry-After`.
    TooManyRequests(Duration),
}

#[derive(Debug, Default)]
struct ProviderFaults {
    plan: FaultPlan,
    burst_left: u16,
}

/// The fault plans of every provider, with one seeded random source.
#[derive(Debug)]
pub struct Faults {
    rng: Mutex<fastrand::Rng>,
    plans: Mutex<HashMap<String, ProviderFaults>>,
}

impl Faults {
    /// No faults, with a seed for the random decisions.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            plans: Mutex::new(HashMap::new()),
        }
    }

    /// Sets `provider`'s plan (replacing any earlier one).
    pub fn set(&self, provider: &str, plan: FaultPlan) {
        self.plans.lock().unwrap_or_else(|e| e.into_inner()).insert(
            provider.to_owned(),
            ProviderFaults {
                plan,
                burst_left: 0,
            },
        );
    }

    /// Removes `provider`'s plan.
    pub fn clear(&self, provider: &str) {
        self.plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(provider);
    }

    /// The latency to add to `provider`'s calls.
    pub fn latency(&self, provider: &str) -> Duration {
        self.plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(provider)
            .map_or(Duration::ZERO, |p| p.plan.latency)
    }

    /// How long a hung call of `provider` hangs.
    pub fn hang(&self, provider: &str) -> Duration {
        self.plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(provider)
            .map(|p| p.plan.hang)
            .filter(|d| !d.is_zero())
            .unwrap_or(Duration::from_secs(30))
    }

    fn roll(&self, per_mille: u16) -> bool {
        per_mille > 0
            && self
                .rng
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .u16(0..1000)
                < per_mille
    }

    /// Decides the fate of one call of `provider`, before it has any effect.
    pub fn decide(&self, provider: &str) -> Decision {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        let Some(p) = plans.get_mut(provider) else {
            return Decision::Proceed;
        };
        if p.burst_left > 0 {
            p.burst_left -= 1;
            return Decision::TooManyRequests(Duration::from_secs(1));
        }
        let plan = p.plan.clone();
        drop(plans);
        if self.roll(plan.too_many_per_mille) {
            if let Some(p) = self
                .plans
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_mut(provider)
            {
                p.burst_left = plan.burst_len.saturating_sub(1);
            }
            return Decision::TooManyRequests(Duration::from_secs(1));
        }
        if self.roll(plan.error_per_mille) {
            return Decision::ServerError;
        }
        if self.roll(plan.timeout_per_mille) {
            return Decision::Timeout;
        }
        Decision::Proceed
    }

    /// Whether the answer to an effectful call of `provider` that just happened is lost.
    pub fn drop_after_effect(&self, provider: &str) -> bool {
        let per_mille = self
            .plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(provider)
            .map_or(0, |p| p.plan.drop_after_effect_per_mille);
        self.roll(per_mille)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_refuse_consecutive_calls() {
        let faults = Faults::new(1);
        faults.set(
            "x",
            FaultPlan {
                too_many_per_mille: 1000,
                burst_len: 3,
                ..FaultPlan::default()
            },
        );
        for _ in 0..3 {
            assert!(matches!(faults.decide("x"), Decision::TooManyRequests(_)));
        }
        faults.clear("x");
        assert_eq!(faults.decide("x"), Decision::Proceed);
    }

    #[test]
    fn rates_are_roughly_honoured_and_deterministic() {
        let count = |seed| {
            let f = Faults::new(seed);
            f.set(
                "x",
                FaultPlan {
                    error_per_mille: 100,
                    ..FaultPlan::default()
                },
            );
            (0..10_000)
                .filter(|_| f.decide("x") == Decision::ServerError)
                .count()
        };
        let a = count(42);
        assert_eq!(a, count(42), "same seed, same faults");
        assert!((800..1200).contains(&a), "{a}");
    }
}
