//! Analytics for a period: orders, AWBs per courier, delivery success rate, average days
//! to delivery per courier, returns, COD collected and pending, invoiced totals.

#![allow(unreachable_pub)]

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::auth::ShopSession;
use super::entity::{invoice, order, shipment};
use crate::http::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::tenancy::scoped;

/// The period (inclusive dates, UTC).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// Figures of one courier.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct CourierFigures {
    /// AWBs created.
    pub awbs: u64,
    /// Delivered.
    pub delivered: u64,
    /// Returned or refused.
    pub returned: u64,
    /// Average days from AWB to delivery.
    pub average_days_to_delivery: Option<Decimal>,
}

/// The dashboard's figures.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Analytics {
    /// Orders placed.
    pub orders: u64,
    /// Per courier.
    pub couriers: BTreeMap<String, CourierFigures>,
    /// Delivered ÷ (delivered + returned), percent.
    pub delivery_success_rate: Option<Decimal>,
    /// Returned or refused.
    pub returns: u64,
    /// COD on delivered shipments.
    pub cod_collected: Decimal,
    /// COD on shipments not yet delivered.
    pub cod_pending: Decimal,
    /// Total of issued invoices.
    pub invoiced_total: Decimal,
}

/// Shipping analytics for a period.
#[utoipa::path(tag = super::TAG_ANALYTICS, security(("shopify_session_token" = [])), params(Period), responses(
    (status = 200, body = Analytics), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[get("/sales/v1/analytics")]
pub async fn analytics(
    session: ShopSession,
    state: web::Data<AppState>,
    q: web::Query<Period>,
) -> Result<HttpResponse, ApiError> {
    if q.to < q.from || (q.to - q.from).num_days() > 366 {
        return Err(ApiError::validation(
            "to",
            "must be on or after `from`, within a year",
        ));
    }
    let start: DateTime<Utc> = q.from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end: DateTime<Utc> = (q.to + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let t = session.tenant;
    let mut out = Analytics {
        orders: scoped::<order::Entity>(t)
            .filter(order::Column::PlacedAt.gte(start))
            .filter(order::Column::PlacedAt.lt(end))
            .all(&state.db)
            .await?
            .len() as u64,
        ..Default::default()
    };
    let ships = scoped::<shipment::Entity>(t)
        .filter(shipment::Column::CreatedAt.gte(start))
        .filter(shipment::Column::CreatedAt.lt(end))
        .filter(shipment::Column::Status.eq("active"))
        .all(&state.db)
        .await?;
    let mut days: BTreeMap<String, (Decimal, u64)> = BTreeMap::new();
    for s in &ships {
        let f = out.couriers.entry(s.provider.clone()).or_default();
        f.awbs += 1;
        let cod = s.cod_amount.as_deref().map(super::dec).unwrap_or_default();
        match s.tracking_status.as_str() {
            "delivered" => {
                f.delivered += 1;
                out.cod_collected += cod;
                if let Some(at) = s.delivered_at {
                    let d = days.entry(s.provider.clone()).or_default();
                    d.0 += Decimal::from((at - s.created_at).num_hours()) / Decimal::from(24);
                    d.1 += 1;
                }
            }
            "returned" => {
                f.returned += 1;
                out.returns += 1;
            }
            _ => out.cod_pending += cod,
        }
    }
    for (courier, (sum, n)) in days {
        if let Some(f) = out.couriers.get_mut(&courier) {
            f.average_days_to_delivery = Some((sum / Decimal::from(n)).round_dp(1));
        }
    }
    let delivered: u64 = out.couriers.values().map(|f| f.delivered).sum();
    if delivered + out.returns > 0 {
        out.delivery_success_rate = Some(
            (Decimal::from(delivered * 100) / Decimal::from(delivered + out.returns)).round_dp(1),
        );
    }
    out.invoiced_total = scoped::<invoice::Entity>(t)
        .filter(invoice::Column::CreatedAt.gte(start))
        .filter(invoice::Column::CreatedAt.lt(end))
        .filter(invoice::Column::Kind.eq("invoice"))
        .filter(invoice::Column::Status.eq("issued"))
        .all(&state.db)
        .await?
        .iter()
        .filter_map(|i| i.total.as_deref().map(super::dec))
        .sum();
    Ok(HttpResponse::Ok().json(out))
}
