//! [`Token`] and [`TokenCache`]: one cached access token per provider account, refreshed
//! by exactly one caller at a time.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::HttpError;

/// An access token and, if known, when it expires. `Debug` never shows the value.
///
/// ```
/// use std::time::Duration;
/// use flux_http::{Token, secret::{ExposeSecret, SecretString}};
///
/// let token = Token::expires_in(SecretString::from("abc"), Duration::from_secs(3600));
/// assert_eq!(token.secret().expose_secret(), "abc");
/// assert!(!format!("{token:?}").contains("abc"));
/// ```
#[derive(Clone)]
pub struct Token {
    secret: SecretString,
    expires_at: Option<Instant>,
}

impl Token {
    /// A token with no known expiry (it stays cached until [`TokenCache::invalidate`]).
    pub fn new(secret: SecretString) -> Self {
        Self {
            secret,
            expires_at: None,
        }
    }

    /// A token that expires at `expires_at`.
    pub fn with_expiry(secret: SecretString, expires_at: Instant) -> Self {
        Self {
            secret,
            expires_at: Some(expires_at),
        }
    }

    /// A token that expires `lifetime` from now (an OAuth `expires_in`).
    pub fn expires_in(secret: SecretString, lifetime: Duration) -> Self {
        match Instant::now().checked_add(lifetime) {
            Some(at) => Self::with_expiry(secret, at),
            None => Self::new(secret),
        }
    }

    /// A token that expires at a wall-clock time (a provider's `expiresAt` field).
    /// A time in the past makes a token that is already expired.
    pub fn expires_at_utc(secret: SecretString, expires_at: DateTime<Utc>) -> Self {
        let lifetime = (expires_at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        Self::expires_in(secret, lifetime)
    }

    /// The token value. Expose it only to build a header
    /// (see [`RequestBuilder::bearer`](crate::RequestBuilder::bearer)).
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    fn same_value(&self, other: &Token) -> bool {
        self.secret.expose_secret() == other.secret.expose_secret()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("secret", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Caches one [`Token`] and refreshes it single-flight.
///
/// - [`get_or_refresh`](Self::get_or_refresh) returns the cached token while it is fresh.
///   When it is missing or about to expire, exactly one caller runs the refresh closure;
///   every caller that arrived meanwhile waits and receives that caller's result, the new
///   token *or a clone of its error*. So fifty concurrent callers cause one login, and a
///   wrong password causes one failed login, not fifty (GLS and Sameday lock accounts
///   after a few).
/// - A token counts as expired `refresh_margin` before its expiry (default 60 s, but never
///   more than half the token's lifetime, so short-lived tokens are still reused).
/// - [`invalidate`](Self::invalidate) after a 401 clears the cache only if it still holds
///   the token that failed, so fifty concurrent 401s cause one re-login.
///
/// `E` is the refresh closure's error type; it must be `Clone` so waiters can share a
/// failure. [`HttpError`] is `Clone`.
///
/// ```
/// use std::time::Duration;
/// use flux_http::{HttpError, Token, TokenCache, secret::SecretString};
///
/// # async fn demo() -> Result<(), HttpError> {
/// let cache: TokenCache = TokenCache::new();
/// let token = cache
///     .get_or_refresh(|| async {
///         // log in with the provider here
///         Ok::<_, HttpError>(Token::expires_in(SecretString::from("t1"), Duration::from_secs(3600)))
///     })
///     .await?;
/// // ... the provider answered 401 with this token:
/// cache.invalidate(&token).await;
/// # Ok(())
/// # }
/// ```
pub struct TokenCache<E = HttpError> {
    state: Mutex<State<E>>,
    /// Bumped (inside the lock) every time a refresh finishes, successfully or not.
    refreshes: AtomicU64,
    refresh_margin: Duration,
}

struct State<E> {
    entry: Option<Entry>,
    last_failure: Option<(u64, E)>,
}

struct Entry {
    token: Token,
    obtained_at: Instant,
}

impl Entry {
    fn is_fresh(&self, now: Instant, margin: Duration) -> bool {
        let Some(expires_at) = self.token.expires_at else {
            return true;
        };
        let lifetime = expires_at.saturating_duration_since(self.obtained_at);
        let margin = margin.min(lifetime / 2);
        now + margin < expires_at
    }
}

impl<E> Default for TokenCache<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> TokenCache<E> {
    /// An empty cache with a 60 s refresh margin.
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State {
                entry: None,
                last_failure: None,
            }),
            refreshes: AtomicU64::new(0),
            refresh_margin: Duration::from_secs(60),
        }
    }

    /// Refresh this long before the token expires (capped at half the token's lifetime).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The cached token if it is fresh, else the result of `refresh`, run by exactly one
    /// of the concurrent callers (see the [type docs](Self)).
    ///
    /// # Errors
    /// The refresh closure's error: this caller's own, or a clone of the error of the
    /// refresh it waited for.
    pub async fn get_or_refresh<F, Fut>(&self, refresh: F) -> Result<Token, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token, E>>,
        E: Clone,
    {
        let seen = self.refreshes.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if let Some(entry) = &state.entry
            && entry.is_fresh(Instant::now(), self.refresh_margin)
        {
            return Ok(entry.token.clone());
        }
        if let Some((at, error)) = &state.last_failure
            && *at > seen
        {
            // A refresh failed while this caller was waiting: share its error rather than
            // trying the same credentials again.
            return Err(error.clone());
        }
        // Holding the lock across the refresh is what makes it single-flight.
        let result = refresh().await;
        let generation = self.refreshes.fetch_add(1, Ordering::AcqRel) + 1;
        match &result {
            Ok(token) => {
                state.entry = Some(Entry {
                    token: token.clone(),
                    obtained_at: Instant::now(),
                });
                state.last_failure = None;
            }
            Err(error) => state.last_failure = Some((generation, error.clone())),
        }
        result
    }

    /// Forget `failed` (a token the server rejected), unless the cache already holds a
    /// different one. Returns whether the cache was cleared.
    pub async fn invalidate(&self, failed: &Token) -> bool {
        let mut state = self.state.lock().await;
        match &state.entry {
            Some(entry) if entry.token.same_value(failed) => {
                state.entry = None;
                true
            }
            _ => false,
        }
    }

    /// Put a token in the cache (one loaded from storage, for example).
    pub async fn set(&self, token: Token) {
        let mut state = self.state.lock().await;
        state.entry = Some(Entry {
            token,
            obtained_at: Instant::now(),
        });
    }

    /// Empty the cache.
    pub async fn clear(&self) {
        self.state.lock().await.entry = None;
    }
}

impl<E> fmt::Debug for TokenCache<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.state.try_lock().map(|s| s.entry.is_some()).ok();
        f.debug_struct("TokenCache")
            .field("cached", &cached)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    #[test]
    fn freshness_uses_margin_capped_at_half_lifetime() {
        let now = Instant::now();
        let entry = |lifetime: Duration| Entry {
            token: Token::with_expiry(secret("t"), now + lifetime),
            obtained_at: now,
        };
        let margin = Duration::from_secs(60);
        assert!(entry(Duration::from_secs(3600)).is_fresh(now, margin));
        assert!(
            !entry(Duration::from_secs(3600)).is_fresh(now + Duration::from_secs(3541), margin)
        );
        // A 30 s token is reused for its first 15 s rather than never.
        assert!(entry(Duration::from_secs(30)).is_fresh(now + Duration::from_secs(10), margin));
        assert!(!entry(Duration::from_secs(30)).is_fresh(now + Duration::from_secs(16), margin));
    }

    #[tokio::test]
    async fn invalidate_only_clears_the_failed_token() {
        let cache: TokenCache = TokenCache::new();
        cache.set(Token::new(secret("new"))).await;
        assert!(!cache.invalidate(&Token::new(secret("old"))).await);
        assert!(cache.invalidate(&Token::new(secret("new"))).await);
    }

    #[tokio::test]
    async fn a_later_caller_retries_after_a_failure() {
        let cache: TokenCache<String> = TokenCache::new();
        let first = cache
            .get_or_refresh(|| async { Err("down".to_owned()) })
            .await;
        assert_eq!(first.unwrap_err(), "down");
        let second = cache
            .get_or_refresh(|| async { Ok(Token::new(secret("t"))) })
            .await;
        assert!(second.is_ok());
    }
}
