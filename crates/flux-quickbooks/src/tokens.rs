//! [`TokenManager`]: the access token of one company, refreshed single-flight, with every
//! rotated refresh token handed to a [`TokenStore`] before the new access token is used.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::Utc;
use flux_http::{Token, TokenCache};
use tokio::sync::Mutex;

use crate::error::QuickBooksError;
use crate::oauth::{QuickBooksOAuth, TokenSet};

/// The error a [`TokenStore`] returns.
pub type StoreError = Box<dyn StdError + Send + Sync + 'static>;

/// Persists rotated tokens. Called after every refresh, before the new access token is
/// used; if it fails, the call that needed the token fails with
/// [`QuickBooksError::TokenStore`] (Intuit keeps the previous refresh token valid for 24
/// hours, so the next attempt can refresh again).
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Saves `tokens` (replacing the company's previous ones), atomically.
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError>;
}

/// A [`TokenStore`] that keeps the latest tokens in memory (tests, examples, short-lived
/// tools).
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    latest: std::sync::Mutex<Option<TokenSet>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last tokens saved.
    pub fn latest(&self) -> Option<TokenSet> {
        self.latest.lock().ok().and_then(|l| l.clone())
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        let mut latest = self
            .latest
            .lock()
            .map_err(|_| StoreError::from("the token store lock is poisoned"))?;
        *latest = Some(tokens.clone());
        Ok(())
    }
}

/// The tokens of one company (realm). Share one `Arc<TokenManager>` per company across
/// clients and tasks: concurrent refreshes then collapse into one.
pub struct TokenManager {
    oauth: QuickBooksOAuth,
    store: Arc<dyn TokenStore>,
    current: Mutex<TokenSet>,
    cache: TokenCache<QuickBooksError>,
    seeded: AtomicBool,
    realm_id: String,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("realm_id", &self.realm_id)
            .field("oauth", &self.oauth)
            .finish_non_exhaustive()
    }
}

impl TokenManager {
    /// Manages `tokens` (loaded from storage or fresh from the code exchange), refreshing
    /// them with `oauth` and saving every new pair to `store`.
    pub fn new(oauth: QuickBooksOAuth, tokens: TokenSet, store: Arc<dyn TokenStore>) -> Self {
        Self {
            oauth,
            store,
            realm_id: tokens.realm_id.clone(),
            current: Mutex::new(tokens),
            cache: TokenCache::new(),
            seeded: AtomicBool::new(false),
        }
    }

    /// The company id.
    pub fn realm_id(&self) -> &str {
        &self.realm_id
    }

    /// The OAuth client.
    pub fn oauth(&self) -> &QuickBooksOAuth {
        &self.oauth
    }

    /// A copy of the current tokens.
    pub async fn tokens(&self) -> TokenSet {
        self.current.lock().await.clone()
    }

    /// A valid access token, refreshing (once for all concurrent callers) when it is
    /// missing or expires within a minute.
    ///
    /// # Errors
    /// [`QuickBooksError::ReconnectNeeded`] when the refresh token is refused,
    /// [`QuickBooksError::TokenStore`] when the new tokens could not be saved, or the
    /// refresh's transport error.
    pub async fn access_token(&self) -> Result<Token, QuickBooksError> {
        self.cache
            .get_or_refresh(|| async {
                let mut current = self.current.lock().await;
                if !self.seeded.swap(true, Ordering::AcqRel)
                    && current.access_token_expires_at - Utc::now() > chrono::Duration::seconds(60)
                {
                    return Ok(Token::expires_at_utc(
                        current.access_token.clone(),
                        current.access_token_expires_at,
                    ));
                }
                let fresh = self
                    .oauth
                    .refresh(
                        &current.realm_id,
                        &current.refresh_token,
                        current.refresh_token_hard_expires_at,
                    )
                    .await?;
                self.store
                    .save(&fresh)
                    .await
                    .map_err(|e| QuickBooksError::TokenStore {
                        message: e.to_string(),
                        source: Some(Arc::from(e)),
                    })?;
                let token = Token::expires_at_utc(
                    fresh.access_token.clone(),
                    fresh.access_token_expires_at,
                );
                *current = fresh;
                Ok(token)
            })
            .await
    }

    /// Forgets `token` after the API refused it (401), so the next
    /// [`access_token`](Self::access_token) refreshes. Returns whether it was still cached.
    pub async fn invalidate(&self, token: &Token) -> bool {
        self.seeded.store(true, Ordering::Release);
        self.cache.invalidate(token).await
    }

    /// Revokes the company's refresh token at Intuit (disconnect).
    ///
    /// # Errors
    /// As [`QuickBooksOAuth::revoke`].
    pub async fn revoke(&self) -> Result<(), QuickBooksError> {
        let refresh = self.current.lock().await.refresh_token.clone();
        self.oauth.revoke(&refresh).await?;
        self.cache.clear().await;
        Ok(())
    }
}
