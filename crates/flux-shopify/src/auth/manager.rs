//! [`OfflineTokenManager`]: expiring offline tokens, refreshed once per shop at a time,
//! persisted through the caller's [`TokenStore`] before they are used.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{TimeDelta, Utc};
use flux_http::secret::ExposeSecret;

use super::token::AccessToken;
use crate::app::ShopifyApp;
use crate::error::ShopifyError;
use crate::shop::ShopDomain;

/// Where the caller keeps offline tokens (a database row per shop).
///
/// `save` must store the access token and the refresh token together, atomically:
/// Shopify rotates the refresh token on every refresh.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// The stored token of `shop`, if any.
    async fn load(&self, shop: &ShopDomain) -> Result<Option<AccessToken>, ShopifyError>;
    /// Persists `token` for `shop`, replacing the previous one.
    async fn save(&self, shop: &ShopDomain, token: &AccessToken) -> Result<(), ShopifyError>;
}

/// Hands out a usable offline token per shop, refreshing expiring tokens shortly
/// before they expire.
///
/// - Refreshes are serialized per shop (concurrent callers for one shop wait for one
///   refresh; different shops do not block each other).
/// - A refreshed token is saved through [`TokenStore::save`] **before** it is returned;
///   if saving fails the new token is not used (Shopify keeps the previous refresh token
///   valid until its replacement is used).
/// - A token without a refresh token that has expired needs a new token exchange:
///   [`ShopifyError::ReauthorizationRequired`].
pub struct OfflineTokenManager {
    app: ShopifyApp,
    store: Arc<dyn TokenStore>,
    locks: Mutex<HashMap<ShopDomain, Arc<tokio::sync::Mutex<()>>>>,
    margin: TimeDelta,
}

impl fmt::Debug for OfflineTokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfflineTokenManager")
            .field("app", &self.app)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl OfflineTokenManager {
    /// A manager refreshing tokens 5 minutes before they expire.
    pub fn new(app: ShopifyApp, store: Arc<dyn TokenStore>) -> Self {
        Self {
            app,
            store,
            locks: Mutex::new(HashMap::new()),
            margin: TimeDelta::minutes(5),
        }
    }

    /// Refresh this long before expiry (default 5 minutes).
    pub fn with_refresh_margin(mut self, margin: TimeDelta) -> Self {
        self.margin = margin;
        self
    }

    fn lock_for(&self, shop: &ShopDomain) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(shop.clone()).or_default().clone()
    }

    /// A token for `shop` that is valid for at least the refresh margin.
    ///
    /// # Errors
    /// [`ShopifyError::ReauthorizationRequired`] when there is no token or it cannot be
    /// refreshed, [`ShopifyError::TokenStore`] from the store, and the refresh errors.
    pub async fn token(&self, shop: &ShopDomain) -> Result<AccessToken, ShopifyError> {
        let now = Utc::now();
        if let Some(token) = self.store.load(shop).await?
            && token.is_active_at(now, self.margin)
        {
            return Ok(token);
        }
        let lock = self.lock_for(shop);
        let _guard = lock.lock().await;
        // Another caller may have refreshed while we waited.
        let token = self.load_required(shop).await?;
        if token.is_active_at(Utc::now(), self.margin) {
            return Ok(token);
        }
        self.refresh_locked(shop, &token).await
    }

    /// Call after the Admin API answered 401 with `failed`: refreshes once (unless
    /// another caller already replaced the token) and returns the new token.
    ///
    /// # Errors
    /// As [`token`](Self::token).
    pub async fn token_after_unauthorized(
        &self,
        shop: &ShopDomain,
        failed: &AccessToken,
    ) -> Result<AccessToken, ShopifyError> {
        let lock = self.lock_for(shop);
        let _guard = lock.lock().await;
        let token = self.load_required(shop).await?;
        if token.access_token.expose_secret() != failed.access_token.expose_secret() {
            return Ok(token);
        }
        self.refresh_locked(shop, &token).await
    }

    async fn load_required(&self, shop: &ShopDomain) -> Result<AccessToken, ShopifyError> {
        self.store
            .load(shop)
            .await?
            .ok_or_else(|| ShopifyError::ReauthorizationRequired {
                shop: shop.to_string(),
                reason: "no stored token".into(),
            })
    }

    async fn refresh_locked(
        &self,
        shop: &ShopDomain,
        token: &AccessToken,
    ) -> Result<AccessToken, ShopifyError> {
        let refresh = match &token.refresh_token {
            Some(r) if token.can_refresh_at(Utc::now()) => r,
            _ => {
                return Err(ShopifyError::ReauthorizationRequired {
                    shop: shop.to_string(),
                    reason: "the token expired and has no valid refresh token".into(),
                });
            }
        };
        let fresh = match self.app.refresh_access_token(shop, refresh).await {
            Ok(t) => t,
            Err(ShopifyError::OAuth { code, .. }) if code == "invalid_grant" => {
                return Err(ShopifyError::ReauthorizationRequired {
                    shop: shop.to_string(),
                    reason: "Shopify refused the refresh token (invalid_grant)".into(),
                });
            }
            Err(e) => return Err(e),
        };
        tracing::info!(shop = %shop, "refreshed the offline access token");
        self.store.save(shop, &fresh).await?;
        Ok(fresh)
    }
}
