//! The state every handler and job shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::credentials::CredentialStore;
use crate::effects::EffectLedger;
use crate::limits::RateLimiters;
use crate::vault::Vault;

/// Cheap to clone: everything inside is shared.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The validated settings.
    pub settings: Arc<Settings>,
    /// The credential vault.
    pub vault: Vault,
    /// Sealed tenant credentials.
    pub credentials: CredentialStore,
    /// The effects ledger.
    pub effects: EffectLedger,
    /// Rate limiters per provider account.
    pub limiters: RateLimiters,
    /// FluxOrders services (image storage, QuickBooks token managers).
    pub orders: crate::orders::OrdersServices,
    /// FluxSales services (the Shopify app and its offline-token manager).
    pub sales: crate::sales::SalesServices,
    /// The group-commit writer that stores incoming webhooks.
    pub ingest: crate::ingest::WebhookIngest,
    /// Shop domain -> tenant, for every webhook.
    pub shop_tenants: Arc<crate::sales::auth::ShopTenants>,
    /// Built courier and invoicing clients per tenant account (their login tokens
    /// reused by every job of the account).
    pub provider_clients: crate::sales::providers::ProviderClients,
}
