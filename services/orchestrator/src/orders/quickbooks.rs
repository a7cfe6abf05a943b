//! The organization's QuickBooks Online connection.
//!
//! Tokens live in the credential vault (`quickbooks/access_token`,
//! `quickbooks/refresh_token`, sealed, masked in the API); the connection row holds the
//! realm, the status (`pending`, `connected`, `reconnect_needed`, `disconnected`), the sync
//! cursor and the organization's choice of estimate or invoice. One
//! [`TokenManager`] per organization is kept in [`Connections`], so concurrent refreshes
//! collapse into one, and every rotated pair is written to the vault through
//! [`VaultTokenStore`] before it is used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flux_quickbooks::tokens::StoreError;
use flux_quickbooks::{
    Environment, QuickBooksClient, QuickBooksError, QuickBooksOAuth, TokenManager, TokenSet,
    TokenStore,
};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use secrecy::SecretString;
use uuid::Uuid;

use super::entity::qb_connection;
use crate::credentials::CredentialStore;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// The provider id in the vault and the ledger.
pub const PROVIDER: &str = "quickbooks";

/// Connection states.
pub mod status {
    /// Consent started, callback not received.
    pub const PENDING: &str = "pending";
    /// Tokens stored and usable.
    pub const CONNECTED: &str = "connected";
    /// QuickBooks refused the refresh token: a person must connect again.
    pub const RECONNECT_NEEDED: &str = "reconnect_needed";
    /// Disconnected by the organization.
    pub const DISCONNECTED: &str = "disconnected";
}

/// Token managers by organization.
#[derive(Clone, Default)]
pub struct Connections {
    managers: Arc<Mutex<HashMap<TenantId, Arc<TokenManager>>>>,
}

impl Connections {
    /// Forgets an organization's manager (disconnect, reconnect, background refresh).
    pub fn forget(&self, tenant: TenantId) {
        self.managers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&tenant);
    }

    fn get(&self, tenant: TenantId) -> Option<Arc<TokenManager>> {
        self.managers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tenant)
            .cloned()
    }

    fn insert(&self, tenant: TenantId, manager: Arc<TokenManager>) -> Arc<TokenManager> {
        self.managers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(tenant)
            .or_insert(manager)
            .clone()
    }
}

/// Saves rotated tokens into the credential vault.
pub struct VaultTokenStore {
    credentials: CredentialStore,
    tenant: TenantId,
}

impl VaultTokenStore {
    /// A store for `tenant`.
    pub fn new(credentials: CredentialStore, tenant: TenantId) -> Self {
        Self {
            credentials,
            tenant,
        }
    }
}

#[async_trait]
impl TokenStore for VaultTokenStore {
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        save_tokens(&self.credentials, self.tenant, tokens)
            .await
            .map_err(|e| StoreError::from(e.to_string()))
    }
}

/// Writes a token set to the vault (refresh token first: it is the one that matters).
pub async fn save_tokens(
    credentials: &CredentialStore,
    tenant: TenantId,
    tokens: &TokenSet,
) -> Result<(), crate::credentials::CredentialError> {
    credentials
        .put(
            tenant,
            PROVIDER,
            "refresh_token",
            &tokens.refresh_token,
            tokens.refresh_token_expires_at,
        )
        .await?;
    credentials
        .put(
            tenant,
            PROVIDER,
            "access_token",
            &tokens.access_token,
            Some(tokens.access_token_expires_at),
        )
        .await?;
    Ok(())
}

/// Why QuickBooks cannot be used right now.
#[derive(Debug, thiserror::Error)]
pub enum QbError {
    /// The app has no QuickBooks credentials configured.
    #[error("QuickBooks is not configured on this server (quickbooks.client_id and client_secret)")]
    NotConfigured,
    /// The organization has not connected QuickBooks.
    #[error("QuickBooks is not connected for this organization")]
    NotConnected,
    /// QuickBooks refused the tokens: connect again.
    #[error("the QuickBooks connection must be renewed: connect again")]
    ReconnectNeeded,
    /// QuickBooks failed.
    #[error(transparent)]
    Provider(#[from] QuickBooksError),
    /// Our storage failed.
    #[error("storage error: {0}")]
    Storage(String),
}

impl From<sea_orm::DbErr> for QbError {
    fn from(e: sea_orm::DbErr) -> Self {
        QbError::Storage(e.to_string())
    }
}

impl From<crate::credentials::CredentialError> for QbError {
    fn from(e: crate::credentials::CredentialError) -> Self {
        QbError::Storage(e.to_string())
    }
}

impl From<QbError> for ApiError {
    fn from(e: QbError) -> Self {
        match e {
            QbError::NotConfigured => ApiError::Unavailable(e.to_string()),
            QbError::NotConnected | QbError::ReconnectNeeded => ApiError::Conflict(e.to_string()),
            QbError::Provider(p) => ApiError::from(flux_core::ProviderError::from(p)),
            QbError::Storage(s) => ApiError::internal(s),
        }
    }
}

impl From<QbError> for crate::jobs::JobError {
    fn from(e: QbError) -> Self {
        match e {
            QbError::Provider(p) => flux_core::ProviderError::from(p).into(),
            QbError::Storage(s) => crate::jobs::JobError::retryable(s),
            other => crate::jobs::JobError::permanent(other.to_string()),
        }
    }
}

/// The app's OAuth client, from `Settings.quickbooks`.
pub fn oauth(state: &AppState) -> Result<QuickBooksOAuth, QbError> {
    let qb = &state.settings.quickbooks;
    let (Some(id), Some(secret)) = (&qb.client_id, &qb.client_secret) else {
        return Err(QbError::NotConfigured);
    };
    let redirect = qb.redirect_uri.clone().unwrap_or_else(|| {
        format!(
            "{}/orders-api/v1/quickbooks/callback",
            state.settings.public_url.trim_end_matches('/')
        )
    });
    let mut builder = QuickBooksOAuth::builder(id.clone(), secret.clone(), redirect)
        .environment(environment(state));
    if let Some(url) = &qb.token_url {
        builder = builder.token_url(url.clone());
    }
    if let Some(url) = &qb.revocation_url {
        builder = builder.revocation_url(url.clone());
    }
    Ok(builder.build()?)
}

fn environment(state: &AppState) -> Environment {
    match state.settings.quickbooks.environment.as_deref() {
        Some("sandbox") => Environment::Sandbox,
        _ => Environment::Production,
    }
}

/// The organization's connection row, if any.
pub async fn connection(
    state: &AppState,
    tenant: TenantId,
) -> Result<Option<qb_connection::Model>, sea_orm::DbErr> {
    scoped::<qb_connection::Entity>(tenant).one(&state.db).await
}

/// The connection row, created (as `disconnected`) when absent.
pub async fn ensure_connection(
    state: &AppState,
    tenant: TenantId,
) -> Result<qb_connection::Model, sea_orm::DbErr> {
    if let Some(c) = connection(state, tenant).await? {
        return Ok(c);
    }
    let now = Utc::now();
    let row = qb_connection::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        status: Set(status::DISCONNECTED.into()),
        realm_id: Set(None),
        document_kind: Set("estimate".into()),
        country: Set(None),
        oauth_state_hash: Set(None),
        oauth_state_expires_at: Set(None),
        last_full_sync_at: Set(None),
        sync_cursor: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(&state.db).await {
        Ok(m) => Ok(m),
        Err(e) => connection(state, tenant).await?.ok_or(e),
    }
}

/// Records a status change (and the error that caused it).
pub async fn set_status(
    state: &AppState,
    conn: qb_connection::Model,
    status: &str,
    error: Option<String>,
) -> Result<qb_connection::Model, sea_orm::DbErr> {
    let mut active = conn.into_active_model();
    active.status = Set(status.to_owned());
    active.last_error = Set(error);
    active.updated_at = Set(Utc::now());
    active.update(&state.db).await
}

/// Marks the connection `reconnect_needed` when `error` says the tokens are dead.
pub async fn note_error(state: &AppState, tenant: TenantId, error: &QuickBooksError) {
    if error.is_reconnect_needed() {
        mark_reconnect(state, tenant, &error.to_string()).await;
    }
}

/// Marks the connection `reconnect_needed`: QuickBooks refused the refresh token.
pub async fn mark_reconnect(state: &AppState, tenant: TenantId, reason: &str) {
    state.orders.quickbooks.forget(tenant);
    if let Ok(Some(conn)) = connection(state, tenant).await
        && conn.status == status::CONNECTED
    {
        tracing::warn!(tenant = %tenant, "QuickBooks refused the refresh token; the organization must reconnect");
        let _ = set_status(
            state,
            conn,
            status::RECONNECT_NEEDED,
            Some(reason.to_owned()),
        )
        .await;
    }
}

/// The stored tokens of a connected organization.
pub async fn stored_tokens(
    state: &AppState,
    tenant: TenantId,
    realm_id: &str,
) -> Result<TokenSet, QbError> {
    let refresh = state
        .credentials
        .get(tenant, PROVIDER, "refresh_token")
        .await?
        .ok_or(QbError::NotConnected)?;
    let access = state
        .credentials
        .get(tenant, PROVIDER, "access_token")
        .await?
        .unwrap_or_else(|| SecretString::from(String::new()));
    let views = state.credentials.list(tenant).await?;
    let expiry = |name: &str| -> Option<DateTime<Utc>> {
        views
            .iter()
            .find(|v| v.provider == PROVIDER && v.name == name)
            .and_then(|v| v.expires_at)
    };
    Ok(TokenSet::new(
        realm_id,
        access,
        expiry("access_token").unwrap_or_else(Utc::now),
        refresh,
    )
    .with_refresh_token_expires_at(expiry("refresh_token")))
}

/// A client for the organization's company, sharing its token manager and rate limiter.
pub async fn client(state: &AppState, tenant: TenantId) -> Result<QuickBooksClient, QbError> {
    let conn = connection(state, tenant)
        .await?
        .ok_or(QbError::NotConnected)?;
    match conn.status.as_str() {
        status::CONNECTED => {}
        status::RECONNECT_NEEDED => return Err(QbError::ReconnectNeeded),
        _ => return Err(QbError::NotConnected),
    }
    let realm = conn.realm_id.clone().ok_or(QbError::NotConnected)?;
    let manager = match state.orders.quickbooks.get(tenant) {
        Some(m) if m.realm_id() == realm => m,
        _ => {
            let tokens = stored_tokens(state, tenant, &realm).await?;
            let store = Arc::new(VaultTokenStore::new(state.credentials.clone(), tenant));
            let manager = Arc::new(TokenManager::new(oauth(state)?, tokens, store));
            state.orders.quickbooks.insert(tenant, manager)
        }
    };
    let limiter = state.limiters.get_or_create(PROVIDER, &realm, || {
        flux_http::RateLimiter::with_windows(&[
            (500, std::time::Duration::from_secs(60)),
            (10, std::time::Duration::from_secs(1)),
        ])
        .with_max_concurrent(10)
    });
    let mut builder = QuickBooksClient::builder(manager).rate_limiter(limiter);
    if let Some(url) = &state.settings.quickbooks.api_base_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(country) = conn.country.as_deref() {
        builder = builder.tax_regime(if country == "CA" {
            flux_quickbooks::TaxRegime::Canada {
                default_tax_code: None,
            }
        } else {
            flux_quickbooks::TaxRegime::UnitedStates
        });
    }
    Ok(builder.build()?)
}
