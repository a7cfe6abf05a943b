//! Rate limiters per provider account, shared by every worker task of the process, so
//! fifty jobs for one SmartBill account together stay under SmartBill's limit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use flux_http::RateLimiter;

/// Limiters keyed by (provider, account).
type LimiterMap = HashMap<(String, String), Arc<RateLimiter>>;

/// The process's limiters, by provider and account.
#[derive(Debug, Clone, Default)]
pub struct RateLimiters {
    inner: Arc<Mutex<LimiterMap>>,
}

impl RateLimiters {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limiter of `provider`'s `account`, made by `make` the first time it is asked for.
    pub fn get_or_create(
        &self,
        provider: &str,
        account: &str,
        make: impl FnOnce() -> RateLimiter,
    ) -> Arc<RateLimiter> {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.entry((provider.to_owned(), account.to_owned()))
            .or_insert_with(|| Arc::new(make()))
            .clone()
    }

    /// How many accounts have a limiter.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no limiter exists yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn one_limiter_per_account() {
        let limiters = RateLimiters::new();
        let a = limiters.get_or_create("smartbill", "RO123", || {
            RateLimiter::new(30, Duration::from_secs(10))
        });
        let b = limiters.get_or_create("smartbill", "RO123", || {
            RateLimiter::new(1, Duration::from_secs(1))
        });
        let c = limiters.get_or_create("smartbill", "RO456", || {
            RateLimiter::new(30, Duration::from_secs(10))
        });
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(limiters.len(), 2);
    }
}
