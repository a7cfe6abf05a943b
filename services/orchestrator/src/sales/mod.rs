//! FluxSales: the embedded Shopify app's backend.
//!
//! A Romanian merchant installs the app; orders arrive by webhook; FluxSales creates the
//! AWB with the merchant's courier, the Shopify fulfillment with tracking, and the invoice
//! in Oblio or SmartBill, each at most once (through the [effects ledger](crate::effects)),
//! in jobs, never inside a database transaction.
//!
//! - [`auth`]: OAuth install, token exchange, the session-token extractor [`auth::ShopSession`].
//! - [`tokens`]: the Shopify offline token in the credential vault ([`tokens::VaultTokenStore`]).
//! - [`providers`]: courier and invoicer clients built from a shop's settings and vault.
//! - [`webhooks`]: signature first, duplicates ignored, raw event + job in one transaction.
//! - [`orders`], [`shipping`], [`invoicing`], [`tracking`]: the order pipeline.
//! - [`settings`]: courier accounts, senders, rules, the invoicing connection, automation.
//! - [`privacy`]: uninstall, scheduled and immediate deletion, exports, redaction.
//! - [`jobs`]: job kinds and their registration.

pub mod analytics;
pub mod auth;
pub mod backfill;
pub mod cod;
pub mod entity;
pub mod inventory;
pub mod invoicing;
pub mod jobs;
pub mod orders;
pub mod pdf;
pub mod privacy;
pub mod providers;
pub mod settings;
pub mod shipping;
pub mod tokens;
pub mod tracking;
pub mod webhooks;

use std::sync::Arc;

use flux_core::{ErrorKind, ProviderError};
use flux_shopify::auth::OfflineTokenManager;
use flux_shopify::{AdminClient, ShopDomain, ShopifyApp};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::credentials::CredentialStore;
use crate::tenancy::{TenantId, scoped};

/// The OpenAPI tags of FluxSales, one per area.
pub const TAG_INSTALL: &str = "sales-install";
/// Webhooks tag.
pub const TAG_WEBHOOKS: &str = "sales-webhooks";
/// Settings tag.
pub const TAG_SETTINGS: &str = "sales-settings";
/// Orders and shipping tag.
pub const TAG_ORDERS: &str = "sales-orders";
/// Privacy tag.
pub const TAG_PRIVACY: &str = "sales-privacy";
/// Analytics tag.
pub const TAG_ANALYTICS: &str = "sales-analytics";

/// The Shopify app and its token manager, built once at start-up.
#[derive(Clone)]
pub struct SalesServices {
    shopify: Option<ShopifyApp>,
    tokens: Option<Arc<OfflineTokenManager>>,
}

impl std::fmt::Debug for SalesServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesServices")
            .field("shopify_configured", &self.shopify.is_some())
            .finish()
    }
}

impl SalesServices {
    /// Builds the Shopify app from `settings.shopify` (FluxSales is disabled, answering
    /// 503, when the API key or secret is absent).
    pub fn new(settings: &Settings, db: DatabaseConnection, credentials: CredentialStore) -> Self {
        let app = match (&settings.shopify.api_key, &settings.shopify.api_secret) {
            (Some(key), Some(secret)) if !key.is_empty() => {
                let mut builder = ShopifyApp::builder(
                    key.clone(),
                    flux_shopify::secret::SecretString::from(secret.expose_secret().to_owned()),
                )
                .redirect_uri(format!(
                    "{}/sales/auth/callback",
                    settings.public_url.trim_end_matches('/')
                ))
                .scopes(
                    settings
                        .shopify
                        .scopes
                        .as_deref()
                        .unwrap_or(DEFAULT_SCOPES)
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                );
                if let Some(url) = &settings.providers.shopify_base_url {
                    builder = builder.endpoint_override(url.clone());
                }
                match builder.build() {
                    Ok(app) => Some(app),
                    Err(e) => {
                        tracing::error!(error = %e, "the Shopify app could not be configured; FluxSales is disabled");
                        None
                    }
                }
            }
            _ => None,
        };
        let tokens = app.as_ref().map(|app| {
            Arc::new(
                OfflineTokenManager::new(
                    app.clone(),
                    Arc::new(tokens::VaultTokenStore::new(
                        db.clone(),
                        credentials.clone(),
                    )),
                )
                .with_refresh_margin(chrono::TimeDelta::minutes(10)),
            )
        });
        Self {
            shopify: app,
            tokens,
        }
    }

    /// The Shopify app, when configured.
    pub fn shopify(&self) -> Option<&ShopifyApp> {
        self.shopify.as_ref()
    }

    /// The offline-token manager, when configured.
    pub fn tokens(&self) -> Option<&Arc<OfflineTokenManager>> {
        self.tokens.as_ref()
    }

    /// An Admin API client for `shop` whose expiring token is refreshed as needed.
    pub fn admin(&self, shop: &str) -> Result<AdminClient, ProviderError> {
        let (Some(app), Some(tokens)) = (&self.shopify, &self.tokens) else {
            return Err(ProviderError::new(
                ErrorKind::Auth,
                flux_shopify::PROVIDER,
                "the Shopify app is not configured",
            ));
        };
        let shop = ShopDomain::parse(shop)?;
        Ok(app.managed_admin_client(&shop, tokens.clone())?)
    }
}

/// Scopes requested when `shopify.scopes` is not configured.
pub const DEFAULT_SCOPES: &str = "read_orders,write_orders,read_customers,write_customers,read_products,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,read_inventory,write_inventory,read_locations";

/// The shop record of `tenant`, if any.
pub async fn shop_of<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
) -> Result<Option<entity::shop::Model>, DbErr> {
    scoped::<entity::shop::Entity>(tenant).one(db).await
}

/// The shop record of `tenant` when it is installed (work for an uninstalled shop stops).
pub async fn active_shop<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
) -> Result<Option<entity::shop::Model>, DbErr> {
    scoped::<entity::shop::Entity>(tenant)
        .filter(entity::shop::Column::Status.eq("active"))
        .one(db)
        .await
}

/// The shop record by domain.
pub async fn shop_by_domain<C: ConnectionTrait>(
    db: &C,
    domain: &str,
) -> Result<Option<entity::shop::Model>, DbErr> {
    entity::shop::Entity::find()
        .filter(entity::shop::Column::ShopDomain.eq(domain))
        .one(db)
        .await
}

/// Parses a stored decimal string (money); a corrupt value reads as zero and is logged.
pub fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap_or_else(|_| {
        tracing::error!(value = %s, "a stored amount is not a decimal");
        rust_decimal::Decimal::ZERO
    })
}

/// Registers FluxSales' routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(auth::start_session)
        .service(auth::get_shop)
        .service(auth::install)
        .service(auth::callback)
        .service(webhooks::receive)
        .service(settings::get_settings)
        .service(settings::put_settings)
        .service(settings::list_couriers)
        .service(settings::add_courier)
        .service(settings::update_courier)
        .service(settings::delete_courier)
        .service(settings::get_invoicing)
        .service(settings::put_invoicing)
        .service(orders::list_orders)
        .service(orders::get_order)
        .service(shipping::create_awb)
        .service(shipping::cancel_awb)
        .service(shipping::label)
        .service(shipping::quotes)
        .service(shipping::create_batch)
        .service(shipping::get_batch)
        .service(shipping::batch_labels)
        .service(invoicing::create_invoice)
        .service(privacy::export_all)
        .service(privacy::list_exports)
        .service(privacy::get_export)
        .service(privacy::delete_now)
        .service(cod::reconcile)
        .service(cod::list)
        .service(analytics::analytics);
}
