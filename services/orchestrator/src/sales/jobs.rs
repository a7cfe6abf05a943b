//! FluxSales job kinds, their handlers, and their registration with the application.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use uuid::Uuid;

use crate::entity::job;
use crate::jobs::{JobContext, JobError, JobHandler, Lane};
use crate::startup::ApplicationBuilder;
use crate::tenancy::TenantId;

/// Processes a stored webhook event.
pub const WEBHOOK: &str = "sales.webhook";
/// Creates an order's AWB.
pub const CREATE_AWB: &str = "sales.create_awb";
/// Creates the Shopify fulfillment of a shipment.
pub const FULFILL: &str = "sales.fulfill";
/// Issues an order's invoice.
pub const CREATE_INVOICE: &str = "sales.create_invoice";
/// Reverses a cancelled order's invoice.
pub const CANCEL_INVOICE: &str = "sales.cancel_invoice";
/// Follows open shipments (recurring).
pub const TRACK: &str = "sales.track";
/// Erases shops whose deletion is due (recurring).
pub const PURGE: &str = "sales.purge";
/// Refreshes expiring offline tokens ahead of use (recurring).
pub const REFRESH_TOKENS: &str = "sales.refresh_tokens";
/// Pushes the invoicing platform's stock to Shopify (recurring).
pub const INVENTORY: &str = "sales.inventory";
/// Reconciles COD settlements from the couriers' reports (recurring).
pub const COD: &str = "sales.cod_settlements";
/// Stores the shop's recent orders at install.
pub const BACKFILL: &str = "sales.backfill";

#[derive(Deserialize)]
struct Payload {
    #[serde(default)]
    event_id: Option<Uuid>,
    #[serde(default)]
    order_id: Option<Uuid>,
    #[serde(default)]
    shipment_id: Option<Uuid>,
    #[serde(default)]
    account_id: Option<Uuid>,
}

/// Invoices and stornos: the pipeline's tightest stage (SmartBill allows 30 calls per 10 s
/// per account, Oblio 30 documents per 100 s). Two slots are claimed for it before any
/// other work, so it starts with the first fulfilled order and never idles while invoice
/// work is due; no more than two, since more would only wait in the account's limiter.
pub const INVOICING_LANE: Lane = Lane::new("sales.invoicing", 2, 2);
/// Shopify fulfillments: one slot first, at most three (the shop's cost bucket restores
/// 100 points per second; more would only wait for it).
pub const FULFILLMENT_LANE: Lane = Lane::new("sales.fulfillment", 1, 3);
/// Courier AWBs: one slot first, at most four (couriers allow 5 to 10 calls per second).
pub const AWB_LANE: Lane = Lane::new("sales.awb", 1, 4);

struct Handler(&'static str);

fn need<T>(v: Option<T>, what: &str) -> Result<T, JobError> {
    v.ok_or_else(|| JobError::permanent(format!("the job has no {what}")))
}

#[async_trait]
impl JobHandler for Handler {
    fn kind(&self) -> &'static str {
        self.0
    }

    fn lane(&self) -> Option<Lane> {
        match self.0 {
            CREATE_INVOICE | CANCEL_INVOICE => Some(INVOICING_LANE),
            FULFILL => Some(FULFILLMENT_LANE),
            CREATE_AWB => Some(AWB_LANE),
            _ => None,
        }
    }

    async fn run(&self, ctx: &JobContext, job: &job::Model) -> Result<(), JobError> {
        let state = &ctx.state;
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let tenant = job.tenant_id.map(TenantId);
        match self.0 {
            WEBHOOK => {
                super::webhooks::process(
                    state,
                    need(tenant, "tenant")?,
                    need(p.event_id, "event_id")?,
                )
                .await
            }
            CREATE_AWB => {
                super::shipping::run_create_awb(
                    state,
                    need(tenant, "tenant")?,
                    need(p.order_id, "order_id")?,
                    p.account_id,
                )
                .await
            }
            FULFILL => {
                super::shipping::run_fulfill(
                    state,
                    need(tenant, "tenant")?,
                    need(p.shipment_id, "shipment_id")?,
                )
                .await
            }
            CREATE_INVOICE => {
                super::invoicing::run_create_invoice(
                    state,
                    need(tenant, "tenant")?,
                    need(p.order_id, "order_id")?,
                )
                .await
            }
            CANCEL_INVOICE => {
                super::invoicing::run_cancel_invoice(
                    state,
                    need(tenant, "tenant")?,
                    need(p.order_id, "order_id")?,
                )
                .await
            }
            TRACK => super::tracking::run(state).await,
            INVENTORY => super::inventory::run(state).await,
            COD => super::cod::run(state).await,
            PURGE => super::privacy::purge_due(state)
                .await
                .map(|_| ())
                .map_err(Into::into),
            REFRESH_TOKENS => refresh_tokens(state).await,
            BACKFILL => super::backfill::run(state, need(tenant, "tenant")?)
                .await
                .map(|n| tracing::info!(orders = n, "backfilled recent orders")),
            _ => Err(JobError::permanent("unknown sales job")),
        }
    }
}

async fn refresh_tokens(state: &crate::state::AppState) -> Result<(), JobError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(manager) = state.sales.tokens() else {
        return Ok(());
    };
    let shops = super::entity::shop::Entity::find()
        .filter(super::entity::shop::Column::Status.eq("active"))
        .all(&state.db)
        .await?;
    for s in shops {
        if let Ok(domain) = flux_shopify::ShopDomain::parse(&s.shop_domain)
            && let Err(e) = manager.token(&domain).await
        {
            tracing::warn!(shop = %s.shop_domain, error = %e, "could not refresh the Shopify token");
        }
    }
    Ok(())
}

/// Registers FluxSales' job handlers and recurring jobs.
pub fn register(builder: ApplicationBuilder) -> ApplicationBuilder {
    let mut b = builder;
    for kind in [
        WEBHOOK,
        CREATE_AWB,
        FULFILL,
        CREATE_INVOICE,
        CANCEL_INVOICE,
        TRACK,
        PURGE,
        REFRESH_TOKENS,
        BACKFILL,
        INVENTORY,
        COD,
    ] {
        b = b.job_handler(Arc::new(Handler(kind)));
    }
    b.recurring(TRACK, Duration::from_secs(30 * 60))
        .recurring(PURGE, Duration::from_secs(60 * 60))
        .recurring(REFRESH_TOKENS, Duration::from_secs(5 * 60))
        .recurring(INVENTORY, Duration::from_secs(60 * 60))
        .recurring(COD, Duration::from_secs(6 * 60 * 60))
}
