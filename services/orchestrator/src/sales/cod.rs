//! COD settlements: the couriers' reports of the cash-on-delivery money they paid the
//! merchant, stored once per reported payment and reconciled per order against the COD
//! amount of its shipment (`matched`, `mismatch`, or `unknown_awb` for an AWB we did not
//! create). A recurring job reads the last [`LOOKBACK_DAYS`] days; the merchant can also
//! ask for a period.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDate, Utc};
use flux_core::courier::DateRange;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::ShopSession;
use super::entity::{cod_settlement, shipment, shop};
use crate::http::error::{ApiError, ErrorBody};
use crate::jobs::JobError;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// How far back the recurring reconciliation reads.
pub const LOOKBACK_DAYS: u64 = 14;
/// The longest period one request may reconcile.
pub const MAX_PERIOD_DAYS: i64 = 93;

/// What one reconciliation found.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ReconcileSummary {
    /// Payments read from the couriers.
    pub reported: usize,
    /// New payments stored.
    pub new: usize,
    /// Payments equal to the shipment's COD amount.
    pub matched: usize,
    /// Payments that differ from it.
    pub mismatched: usize,
    /// Payments for AWBs this shop did not create with FluxSales.
    pub unknown: usize,
    /// Courier accounts whose report could not be read this time, with the reason (the
    /// other accounts are reconciled all the same).
    pub failed: Vec<String>,
}

/// Reads the settlements of every courier account of `tenant` that reports them for
/// `period`, and stores the new ones, reconciled.
pub async fn reconcile_shop(
    state: &AppState,
    tenant: TenantId,
    period: &DateRange,
) -> Result<ReconcileSummary, JobError> {
    let mut out = ReconcileSummary::default();
    let mut first_error: Option<flux_core::ProviderError> = None;
    let accounts = super::providers::courier_accounts(state, tenant).await?;
    let mut reporting = 0;
    for acc in &accounts {
        // FAN Courier (bank transfers) and Cargus (cash account) report COD payouts;
        // Sameday and GLS offer no such report (their capabilities say so).
        let read = async {
            let courier = super::providers::courier_for(state, acc).await?;
            if !courier.capabilities().cod_settlements {
                return Ok(None);
            }
            courier.cod_settlements(period).await.map(Some)
        };
        let reported = match read.await {
            Ok(Some(r)) => {
                reporting += 1;
                r
            }
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(account = %acc.id, provider = %acc.provider, error = %e, "a COD report could not be read");
                out.failed
                    .push(format!("{} ({}): {e}", acc.label, acc.provider));
                first_error.get_or_insert(e);
                continue;
            }
        };
        for s in reported {
            out.reported += 1;
            let key = format!(
                "{}:{}",
                s.tracking_number,
                s.payment_reference
                    .clone()
                    .or_else(|| s.paid_on.map(|d| d.to_string()))
                    .unwrap_or_else(|| s.amount.amount().to_string())
            );
            let ship = scoped::<shipment::Entity>(tenant)
                .filter(shipment::Column::Awb.eq(s.tracking_number.clone()))
                .filter(shipment::Column::AccountId.eq(acc.id))
                .one(&state.db)
                .await?;
            let expected = ship
                .as_ref()
                .map(|sh| sh.cod_amount.as_deref().map(super::dec).unwrap_or_default());
            let status = match expected {
                None => "unknown_awb",
                Some(e) if e == s.amount.amount() => "matched",
                Some(_) => "mismatch",
            };
            match status {
                "matched" => out.matched += 1,
                "mismatch" => out.mismatched += 1,
                _ => out.unknown += 1,
            }
            let now = Utc::now();
            let stored = scoped::<cod_settlement::Entity>(tenant)
                .filter(cod_settlement::Column::SettlementKey.eq(key.clone()))
                .one(&state.db)
                .await?;
            if let Some(row) = stored {
                // Reported before the AWB was known here (or before it was stored): now
                // it can be reconciled.
                if row.status == "unknown_awb" && ship.is_some() {
                    let mut a: cod_settlement::ActiveModel = row.into();
                    a.shipment_id = Set(ship.as_ref().map(|sh| sh.id));
                    a.order_id = Set(ship.as_ref().map(|sh| sh.order_id));
                    a.expected = Set(expected.map(|e: Decimal| e.to_string()));
                    a.status = Set(status.into());
                    a.updated_at = Set(now);
                    a.update(&state.db).await?;
                }
                continue;
            }
            let inserted = cod_settlement::Entity::insert(cod_settlement::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant.0),
                account_id: Set(acc.id),
                shipment_id: Set(ship.as_ref().map(|sh| sh.id)),
                order_id: Set(ship.as_ref().map(|sh| sh.order_id)),
                settlement_key: Set(key),
                awb: Set(s.tracking_number.clone()),
                amount: Set(s.amount.amount().to_string()),
                expected: Set(expected.map(|e: Decimal| e.to_string())),
                currency: Set(s.amount.currency().code().to_owned()),
                paid_on: Set(s.paid_on),
                payment_reference: Set(s.payment_reference.clone()),
                status: Set(status.into()),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .on_conflict_do_nothing_on([
                cod_settlement::Column::TenantId,
                cod_settlement::Column::SettlementKey,
            ])
            .exec(&state.db)
            .await?;
            if matches!(inserted, sea_orm::TryInsertResult::Inserted(_)) {
                out.new += 1;
            }
        }
    }
    // Nothing could be read at all: the caller retries (the job) or reports it.
    if reporting == 0
        && let Some(e) = first_error
    {
        return Err(e.into());
    }
    Ok(out)
}

/// The recurring reconciliation of every installed shop.
pub async fn run(state: &AppState) -> Result<(), JobError> {
    use sea_orm::QuerySelect;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Bucharest)
        .date_naive();
    let period = DateRange::new(today - chrono::Days::new(LOOKBACK_DAYS), today)?;
    let shops = shop::Entity::find()
        .filter(shop::Column::Status.eq("active"))
        .limit(500)
        .all(&state.db)
        .await?;
    for s in shops {
        if let Err(e) = reconcile_shop(state, TenantId(s.tenant_id), &period).await {
            tracing::warn!(shop = %s.shop_domain, error = %e, "COD reconciliation failed");
        }
    }
    Ok(())
}

/// The period to reconcile (inclusive dates).
#[derive(Debug, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct PeriodInput {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// Reads the couriers' COD reports for a period (at most 93 days) and reconciles them.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), request_body = PeriodInput, responses(
    (status = 200, body = ReconcileSummary), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/sales/v1/cod-settlements/reconcile")]
pub async fn reconcile(
    session: ShopSession,
    state: web::Data<AppState>,
    body: web::Json<PeriodInput>,
) -> Result<HttpResponse, ApiError> {
    if body.to < body.from || (body.to - body.from).num_days() > MAX_PERIOD_DAYS {
        return Err(ApiError::validation(
            "to",
            format!("must be on or after `from`, within {MAX_PERIOD_DAYS} days"),
        ));
    }
    let period = DateRange::new(body.from, body.to)?;
    let summary = reconcile_shop(&state, session.tenant, &period)
        .await
        .map_err(|e| match e {
            JobError::Permanent { message } => ApiError::validation("couriers", message),
            other => ApiError::Unavailable(other.to_string()),
        })?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Filter of the settlement list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SettlementQuery {
    /// `matched`, `mismatch` or `unknown_awb`.
    pub status: Option<String>,
    /// Only this order's.
    pub order_id: Option<Uuid>,
}

/// The stored COD settlements, newest first.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), params(SettlementQuery), responses(
    (status = 200, body = Vec<Object>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[get("/sales/v1/cod-settlements")]
pub async fn list(
    session: ShopSession,
    state: web::Data<AppState>,
    q: web::Query<SettlementQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut select = scoped::<cod_settlement::Entity>(session.tenant);
    if let Some(s) = &q.status {
        if !["matched", "mismatch", "unknown_awb"].contains(&s.as_str()) {
            return Err(ApiError::validation(
                "status",
                "one of matched, mismatch, unknown_awb",
            ));
        }
        select = select.filter(cod_settlement::Column::Status.eq(s.clone()));
    }
    if let Some(o) = q.order_id {
        select = select.filter(cod_settlement::Column::OrderId.eq(o));
    }
    let rows = select
        .order_by_desc(cod_settlement::Column::CreatedAt)
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(rows))
}
