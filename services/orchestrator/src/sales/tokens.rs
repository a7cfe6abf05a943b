//! The Shopify offline token, sealed in the credential vault.
//!
//! Access and refresh tokens are stored together as one sealed JSON credential
//! (`shopify` / `offline_token`), so a refresh replaces both atomically, as Shopify's
//! rotating refresh tokens require.

use chrono::{DateTime, Utc};
use flux_shopify::auth::TokenStore;
use flux_shopify::secret::{ExposeSecret, SecretString};
use flux_shopify::{AccessToken, ShopDomain, ShopifyError};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::credentials::CredentialStore;
use crate::tenancy::{TenantKind, find_tenant};

/// Credential provider name of the Shopify token.
pub const PROVIDER: &str = "shopify";
/// Credential name of the offline token.
pub const NAME: &str = "offline_token";

#[derive(Serialize, Deserialize)]
struct Stored {
    access_token: String,
    scopes: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
    refresh_token: Option<String>,
    refresh_token_expires_at: Option<DateTime<Utc>>,
}

/// A [`TokenStore`] over the credential vault, one sealed row per shop.
#[derive(Debug, Clone)]
pub struct VaultTokenStore {
    db: DatabaseConnection,
    credentials: CredentialStore,
}

impl VaultTokenStore {
    /// A store over `credentials`.
    pub fn new(db: DatabaseConnection, credentials: CredentialStore) -> Self {
        Self { db, credentials }
    }

    /// Stores `token` for the shop's tenant.
    pub async fn put(
        credentials: &CredentialStore,
        tenant: crate::tenancy::TenantId,
        token: &AccessToken,
    ) -> Result<(), crate::credentials::CredentialError> {
        let stored = Stored {
            access_token: token.access_token.expose_secret().to_owned(),
            scopes: token.scopes.clone(),
            expires_at: token.expires_at,
            refresh_token: token
                .refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            refresh_token_expires_at: token.refresh_token_expires_at,
        };
        let json = serde_json::to_string(&stored).unwrap_or_default();
        credentials
            .put(
                tenant,
                PROVIDER,
                NAME,
                &secrecy::SecretString::from(json),
                token.expires_at,
            )
            .await
            .map(|_| ())
    }
}

fn store_error(e: impl std::fmt::Display) -> ShopifyError {
    ShopifyError::TokenStore(e.to_string())
}

#[async_trait::async_trait]
impl TokenStore for VaultTokenStore {
    async fn load(&self, shop: &ShopDomain) -> Result<Option<AccessToken>, ShopifyError> {
        let db = &self.db;
        let Some(tenant) = find_tenant(db, TenantKind::Shop, shop.as_str())
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let Some(secret) = self
            .credentials
            .get(crate::tenancy::TenantId(tenant.id), PROVIDER, NAME)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let stored: Stored = serde_json::from_str(secrecy::ExposeSecret::expose_secret(&secret))
            .map_err(|_| store_error("the stored Shopify token is unreadable"))?;
        let mut token = AccessToken::new(SecretString::from(stored.access_token));
        token.scopes = stored.scopes;
        token.expires_at = stored.expires_at;
        token.refresh_token = stored.refresh_token.map(SecretString::from);
        token.refresh_token_expires_at = stored.refresh_token_expires_at;
        Ok(Some(token))
    }

    async fn save(&self, shop: &ShopDomain, token: &AccessToken) -> Result<(), ShopifyError> {
        let db = &self.db;
        let tenant = find_tenant(db, TenantKind::Shop, shop.as_str())
            .await
            .map_err(store_error)?
            .ok_or_else(|| store_error("the shop is not installed"))?;
        Self::put(
            &self.credentials,
            crate::tenancy::TenantId(tenant.id),
            token,
        )
        .await
        .map_err(store_error)
    }
}
