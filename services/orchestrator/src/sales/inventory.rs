//! Inventory sync: the stock kept in the invoicing platform (SmartBill's warehouses,
//! Oblio's stock rooms) is pushed to Shopify's `available` quantities at the shop's
//! location, by SKU, on a schedule. Each write is `inventorySetQuantities` with
//! `changeFromQuantity` (a level changed meanwhile is left for the next run) and an
//! `@idempotent` key derived from the write itself, through the effects ledger, so a
//! retried write is the same write and Shopify applies it once.

use std::collections::HashMap;

use flux_core::{ErrorKind, ProviderError};
use flux_http::secret::SecretString;
use flux_shopify::ops::inventory::{InventoryQuantityInput, InventorySetQuantitiesInput};
use futures::StreamExt;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::entity::{invoicing, shop};
use crate::effects::{EffectOutcome, EffectSpec, Reconcile};
use crate::jobs::JobError;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// Quantities sent in one `inventorySetQuantities` call.
pub const WRITE_CHUNK: usize = 100;
/// Shopify inventory levels read per shop and run.
pub const MAX_LEVELS: usize = 5_000;
/// Shops synced per run.
pub const MAX_SHOPS: u64 = 500;

fn vault_error(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(
        ErrorKind::Configuration,
        "flux",
        format!("credential vault: {e}"),
    )
}

/// Stock per SKU (product code) in the shop's invoicing platform, summed over its
/// warehouses; whole units only (fractional stock, e.g. kilograms, is left out).
pub async fn stock_by_sku(
    state: &AppState,
    tenant: TenantId,
    conn: &invoicing::Model,
) -> Result<HashMap<String, i64>, ProviderError> {
    let secret = state
        .credentials
        .get(tenant, &conn.provider, "api_secret")
        .await
        .map_err(vault_error)?
        .ok_or_else(|| {
            ProviderError::new(ErrorKind::Auth, "flux", "the invoicing secret is missing")
        })?;
    let secret = SecretString::from(secret.expose_secret().to_owned());
    let urls = &state.settings.providers;
    let mut totals: HashMap<String, Decimal> = HashMap::new();
    match conn.provider.as_str() {
        "smartbill" => {
            let mut b = flux_smartbill::SmartBillClient::builder(
                conn.username.clone(),
                secret,
                conn.company_cif.clone(),
            )
            // The account's limiter, the same one the invoicing client gets (see
            // `providers::build_invoicer`): one limit per account, and clients sharing it
            // share what they learn of SmartBill's 10-minute block.
            .rate_limiter(state.limiters.get_or_create(
                "smartbill",
                &conn.company_cif,
                flux_smartbill::SmartBillClient::published_rate_limiter,
            ));
            if let Some(url) = &urls.smartbill_base_url {
                b = b.base_url(url.clone());
            }
            let client = b.build()?;
            let today = chrono::Utc::now()
                .with_timezone(&chrono_tz::Europe::Bucharest)
                .date_naive();
            let stocks = client
                .stocks(&flux_smartbill::types::StockQuery::at(today))
                .await?;
            for w in stocks {
                for p in w.products {
                    if let Some(code) = p.product_code.filter(|c| !c.trim().is_empty()) {
                        *totals.entry(code.trim().to_owned()).or_default() += p.quantity;
                    }
                }
            }
        }
        "oblio" => {
            // The account's two limiters, shared with its invoicing client.
            let limits = flux_oblio::OblioRateLimits {
                documents: state.limiters.get_or_create(
                    "oblio-documents",
                    &conn.company_cif,
                    flux_oblio::OblioRateLimits::documents_limiter,
                ),
                other: state.limiters.get_or_create(
                    "oblio",
                    &conn.company_cif,
                    flux_oblio::OblioRateLimits::other_limiter,
                ),
            };
            let mut b = flux_oblio::OblioClient::builder(
                conn.username.clone(),
                secret,
                conn.company_cif.clone(),
            )
            .rate_limits(limits);
            if let Some(url) = &urls.oblio_base_url {
                b = b.base_url(url.clone());
            }
            let client = b.build()?;
            let mut filter = flux_oblio::types::ProductFilter::default();
            for _ in 0..40 {
                let page = client.products(&filter).await?;
                let n = page.len();
                for p in page {
                    let code = p.code.trim().to_owned();
                    // Only products Oblio keeps stock of: a service, or any product of
                    // an account without stock management, comes without stock rows,
                    // and that says nothing about how many are left (it must not zero
                    // the Shopify level).
                    if code.is_empty() || p.stock.is_empty() {
                        continue;
                    }
                    let q: Decimal = p.stock.iter().filter_map(|s| s.quantity).sum();
                    *totals.entry(code).or_default() += q;
                }
                if n < 250 {
                    break;
                }
                filter.offset = Some(filter.offset.unwrap_or(0) + 250);
            }
        }
        other => {
            return Err(ProviderError::new(
                ErrorKind::Validation,
                "flux",
                format!("no stock source for {other}"),
            ));
        }
    }
    Ok(totals
        .into_iter()
        .filter(|(_, q)| q.fract().is_zero())
        .filter_map(|(k, q)| Some((k, q.to_i64()?.max(0))))
        .collect())
}

/// A key that is the same for the same write within the hour (a retried run), and only
/// for it: the next hourly run writing the same values again is a new write.
fn write_key(tenant: TenantId, location: &str, quantities: &[InventoryQuantityInput]) -> Uuid {
    let mut h = Sha256::new();
    h.update(tenant.0.as_bytes());
    h.update(chrono::Utc::now().format("%Y%m%d%H").to_string().as_bytes());
    h.update(location.as_bytes());
    for q in quantities {
        h.update(
            format!(
                "|{}:{}:{:?}",
                q.inventory_item_id, q.quantity, q.change_from_quantity
            )
            .as_bytes(),
        );
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Syncs one shop: returns how many Shopify levels were changed.
pub async fn sync_shop(state: &AppState, tenant: TenantId) -> Result<usize, JobError> {
    let Some(shop) = super::active_shop(&state.db, tenant).await? else {
        return Ok(0);
    };
    let settings = super::settings::load(state, tenant).await?;
    let Some(location) = settings
        .inventory_location_id
        .clone()
        .filter(|_| settings.automation.sync_inventory)
    else {
        return Ok(0);
    };
    let Some(conn) = scoped::<invoicing::Entity>(tenant).one(&state.db).await? else {
        // No invoicing connection: no call to any invoicing platform.
        return Ok(0);
    };
    let stock = stock_by_sku(state, tenant, &conn).await?;
    let admin = state.sales.admin(&shop.shop_domain)?;
    let mut levels = Box::pin(admin.inventory_levels(&location).take(MAX_LEVELS));
    let mut changes = Vec::new();
    while let Some(level) = levels.next().await {
        let level = level.map_err(ProviderError::from)?;
        let Some(sku) = level.item.sku.as_deref().map(str::trim) else {
            continue;
        };
        let Some(&want) = stock.get(sku) else {
            continue;
        };
        let have = level.quantity("available");
        if have != Some(want) {
            changes.push(InventoryQuantityInput::new(
                level.item.id.clone(),
                location.clone(),
                want,
                have,
            ));
        }
    }
    let mut changed = 0;
    for chunk in changes.chunks(WRITE_CHUNK) {
        let key = write_key(tenant, &location, chunk);
        let input = InventorySetQuantitiesInput::new("available", "correction", chunk.to_vec())
            .with_reference_document_uri(format!("gid://fluxsales/StockSync/{key}"));
        let spec = EffectSpec {
            tenant,
            kind: "inventory_set",
            provider: "shopify",
            idempotency_key: format!("inventory:{key}"),
            request: json!({ "location": location, "items": chunk.len() }),
        };
        let result = state
            .effects
            .run(
                &spec,
                || Reconcile::ProviderDeduplicates,
                || async {
                    let group = admin.set_inventory_quantities(&input, key).await?;
                    Ok(EffectOutcome {
                        provider_reference: group.id,
                        details: json!({ "changes": group.changes.len() }),
                    })
                },
            )
            .await;
        match result {
            Ok(_) => changed += chunk.len(),
            // A level moved since it was read: the next run reads it again.
            Err(crate::effects::EffectError::Provider(e)) if e.kind() == ErrorKind::Conflict => {
                tracing::info!(tenant = %tenant, error = %e, "inventory changed meanwhile; left for the next run");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(changed)
}

/// The recurring sync: every installed shop that asked for it.
pub async fn run(state: &AppState) -> Result<(), JobError> {
    use sea_orm::QuerySelect;
    let shops = shop::Entity::find()
        .filter(shop::Column::Status.eq("active"))
        .limit(MAX_SHOPS)
        .all(&state.db)
        .await?;
    for s in shops {
        let tenant = TenantId(s.tenant_id);
        if let Err(e) = sync_shop(state, tenant).await {
            tracing::warn!(shop = %s.shop_domain, error = %e, "inventory sync failed");
        }
    }
    Ok(())
}
