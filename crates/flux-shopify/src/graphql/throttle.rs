//! Cost-aware throttling from `extensions.cost.throttleStatus`.

use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// `extensions.cost` of a GraphQL response.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QueryCost {
    /// The cost Shopify computed before running the query.
    #[serde(default)]
    pub requested_query_cost: Option<Decimal>,
    /// The cost actually charged (`null` when throttled).
    #[serde(default)]
    pub actual_query_cost: Option<Decimal>,
    /// The bucket after this request.
    #[serde(default)]
    pub throttle_status: Option<ThrottleStatus>,
}

/// The leaky bucket of this app on this shop.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ThrottleStatus {
    /// Bucket size (depends on the plan; never hard-code it).
    pub maximum_available: Decimal,
    /// Points available now.
    pub currently_available: Decimal,
    /// Points restored per second.
    pub restore_rate: Decimal,
}

/// What this client last learned about the shop's bucket.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    status: Option<(ThrottleStatus, Instant)>,
}

impl Bucket {
    /// Points available at `now` (restored since the last report), or `None` if unknown.
    fn available(&self, now: Instant) -> Option<(Decimal, &ThrottleStatus)> {
        let (status, at) = self.status.as_ref()?;
        let elapsed = Decimal::from(now.saturating_duration_since(*at).as_millis() as u64)
            / Decimal::ONE_THOUSAND;
        let restored = status.currently_available + status.restore_rate * elapsed;
        Some((restored.min(status.maximum_available), status))
    }

    /// How long to wait before a query of `cost` points can run, and reserves the points
    /// so concurrent callers queue behind it.
    pub(crate) fn reserve(&mut self, cost: Decimal, now: Instant) -> Duration {
        let Some((available, status)) = self.available(now) else {
            return Duration::ZERO;
        };
        let cost = cost.min(status.maximum_available);
        let wait = wait_for(cost - available, status.restore_rate);
        let mut next = status.clone();
        next.currently_available = available - cost;
        self.status = Some((next, now));
        wait
    }

    /// Records what Shopify reported.
    pub(crate) fn update(&mut self, status: ThrottleStatus, now: Instant) {
        self.status = Some((status, now));
    }
}

/// Time to restore `deficit` points at `rate` points per second.
pub(crate) fn wait_for(deficit: Decimal, rate: Decimal) -> Duration {
    if deficit <= Decimal::ZERO {
        return Duration::ZERO;
    }
    if rate <= Decimal::ZERO {
        return Duration::from_secs(1);
    }
    let millis = (deficit * Decimal::ONE_THOUSAND / rate).ceil();
    Duration::from_millis(millis.to_u64().unwrap_or(60_000).min(60_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn status(avail: Decimal) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: dec!(2000),
            currently_available: avail,
            restore_rate: dec!(100),
        }
    }

    #[test]
    fn waits_for_the_deficit_at_the_restore_rate() {
        let now = Instant::now();
        let mut b = Bucket::default();
        assert_eq!(
            b.reserve(dec!(50), now),
            Duration::ZERO,
            "unknown bucket: go"
        );
        b.update(status(dec!(10)), now);
        assert_eq!(b.reserve(dec!(60), now), Duration::from_millis(500));
        // The reservation is counted: the next caller waits behind it.
        assert_eq!(b.reserve(dec!(100), now), Duration::from_millis(1500));
    }

    #[test]
    fn restores_over_time_up_to_the_maximum() {
        let now = Instant::now();
        let mut b = Bucket::default();
        b.update(status(dec!(0)), now);
        let later = now + Duration::from_secs(30);
        assert_eq!(b.reserve(dec!(2000), later), Duration::ZERO);
    }
}
