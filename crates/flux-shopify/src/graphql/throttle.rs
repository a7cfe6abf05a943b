//! Cost-aware throttling from `extensions.cost.throttleStatus`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

/// Most shops whose throttle state one app remembers; past it the memory starts over
/// (the next answer of each shop teaches it again).
const MAX_SHOPS: usize = 10_000;

/// One shop's throttle state, shared by every [`AdminClient`](super::AdminClient) of the
/// shop built from the same app, so clients made per job still wait for each other.
#[derive(Debug, Default)]
pub(crate) struct ShopThrottle {
    /// The shop's bucket as last reported, and the points of requests still in flight.
    pub(crate) bucket: Mutex<Bucket>,
    /// The requested cost Shopify last reported per query (by hash of its text).
    pub(crate) costs: Mutex<HashMap<u64, Decimal>>,
}

/// The throttle state of each shop an app talks to.
#[derive(Debug, Default)]
pub(crate) struct ShopThrottles {
    shops: Mutex<HashMap<String, Arc<ShopThrottle>>>,
}

impl ShopThrottles {
    /// The shared state of `shop` (created on first use).
    pub(crate) fn of(&self, shop: &str) -> Arc<ShopThrottle> {
        let mut shops = self.shops.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = shops.get(shop) {
            return Arc::clone(t);
        }
        if shops.len() >= MAX_SHOPS {
            shops.clear();
        }
        Arc::clone(shops.entry(shop.to_owned()).or_default())
    }
}

/// What the clients of one shop know about its bucket: the last reported status, and
/// the points reserved by requests sent but not yet answered (Shopify's status does not
/// include them yet, so they are subtracted until their answer arrives).
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    status: Option<(ThrottleStatus, Instant)>,
    in_flight: Decimal,
}

impl Bucket {
    /// Points available at `now` (restored since the last report, minus the requests in
    /// flight), or `None` if unknown.
    fn available(&self, now: Instant) -> Option<(Decimal, &ThrottleStatus)> {
        let (status, at) = self.status.as_ref()?;
        let elapsed = Decimal::from(now.saturating_duration_since(*at).as_millis() as u64)
            / Decimal::ONE_THOUSAND;
        let restored = status.currently_available + status.restore_rate * elapsed;
        Some((
            restored.min(status.maximum_available) - self.in_flight,
            status,
        ))
    }

    /// How long to wait before a query of `cost` points can run; reserves the points
    /// (until [`release`](Self::release)) so concurrent callers queue behind it. Returns
    /// the wait and the points reserved.
    pub(crate) fn reserve(&mut self, cost: Decimal, now: Instant) -> (Duration, Decimal) {
        let Some((available, status)) = self.available(now) else {
            self.in_flight += cost;
            return (Duration::ZERO, cost);
        };
        let cost = cost.min(status.maximum_available);
        let wait = wait_for(cost - available, status.restore_rate);
        self.in_flight += cost;
        (wait, cost)
    }

    /// Gives back the points of a request that was answered (its charge is in the status
    /// Shopify reported) or never sent.
    pub(crate) fn release(&mut self, reserved: Decimal) {
        self.in_flight = (self.in_flight - reserved).max(Decimal::ZERO);
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
        let (wait, first) = b.reserve(dec!(50), now);
        assert_eq!(wait, Duration::ZERO, "unknown bucket: go");
        b.update(status(dec!(10)), now);
        b.release(first);
        assert_eq!(b.reserve(dec!(60), now).0, Duration::from_millis(500));
        // The reservation is counted: the next caller waits behind it.
        assert_eq!(b.reserve(dec!(100), now).0, Duration::from_millis(1500));
    }

    #[test]
    fn requests_in_flight_count_until_answered() {
        let now = Instant::now();
        let mut b = Bucket::default();
        b.update(status(dec!(300)), now);
        let (wait, a) = b.reserve(dec!(250), now);
        assert_eq!(wait, Duration::ZERO);
        // Shopify answers another request first: its status does not include `a` yet.
        b.update(status(dec!(290)), now);
        assert_eq!(
            b.reserve(dec!(250), now).0,
            Duration::from_millis(2100),
            "250 of the 290 reported are promised to the request in flight"
        );
        b.release(a);
        b.release(dec!(250));
        b.update(status(dec!(280)), now);
        assert_eq!(b.reserve(dec!(250), now).0, Duration::ZERO);
    }

    #[test]
    fn restores_over_time_up_to_the_maximum() {
        let now = Instant::now();
        let mut b = Bucket::default();
        b.update(status(dec!(0)), now);
        let later = now + Duration::from_secs(30);
        assert_eq!(b.reserve(dec!(2000), later).0, Duration::ZERO);
    }
}
