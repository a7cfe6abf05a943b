//! Analytics for a period: orders, AWBs per courier, delivery success rate, average days
//! to delivery per courier, returns and refusals, COD collected and pending, invoiced
//! totals.
//!
//! The period is a range of days in Romanian time (Europe/Bucharest), the merchant's.
//! Orders count by when they were placed, invoices by when they were issued, and every
//! shipment figure (AWBs, deliveries, returns, refusals, COD) is about the AWBs created
//! in the period and not cancelled. COD collected is what the couriers' settlement
//! reports say they paid the merchant for those AWBs (`sales_cod_settlements`); COD
//! pending is the COD of those AWBs delivered but not yet in any settlement.

#![allow(unreachable_pub)]

use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::ShopSession;
use super::entity::{cod_settlement, invoice, order, shipment};
use crate::http::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::tenancy::scoped;

/// The period (inclusive days, Romanian time).
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
    /// AWBs created (not cancelled).
    pub awbs: u64,
    /// Delivered.
    pub delivered: u64,
    /// Returned to the sender (refused parcels included).
    pub returned: u64,
    /// Refused by the recipient (a refusal among the tracking events).
    pub refused: u64,
    /// Average days from AWB to delivery, one decimal.
    pub average_days_to_delivery: Option<Decimal>,
}

/// The dashboard's figures.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Analytics {
    /// Orders placed.
    pub orders: u64,
    /// Per courier.
    pub couriers: BTreeMap<String, CourierFigures>,
    /// Delivered ÷ (delivered + returned), percent, one decimal.
    pub delivery_success_rate: Option<Decimal>,
    /// Returned to the sender (refused parcels included).
    pub returns: u64,
    /// Refused by the recipient.
    pub refusals: u64,
    /// COD the couriers reported paid to the merchant for the period's AWBs.
    pub cod_collected: Decimal,
    /// COD of the period's AWBs delivered but not yet settled.
    pub cod_pending: Decimal,
    /// Total of the invoices issued in the period and still standing (not reversed or
    /// cancelled).
    pub invoiced_total: Decimal,
}

/// Midnight at the start of `day` in Bucharest, as UTC.
fn bucharest_midnight(day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Bucharest
        .from_local_datetime(&naive)
        // Midnight always exists in Bucharest (DST changes at 03:00/04:00).
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// Whether a tracking event (as stored) reports a refusal by the recipient. The couriers
/// map a refusal to `delivery_failed` and say which failure it was in their own words.
fn is_refusal(event: &serde_json::Value) -> bool {
    let text = |k: &str| event.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    if text("status") != "delivery_failed" {
        return false;
    }
    let words = flux_core::county::fold_romanian(text("description"));
    words.contains("refuz") || words.contains("refus")
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
    let start = bucharest_midnight(q.from);
    let end = bucharest_midnight(q.to + chrono::Days::new(1));
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
    // What the couriers paid, per shipment of ours.
    let ship_ids: HashSet<Uuid> = ships.iter().map(|s| s.id).collect();
    let mut settled: HashMap<Uuid, Decimal> = HashMap::new();
    if !ship_ids.is_empty() {
        // A settlement is stored after its AWB was created, so never before `start`.
        for c in scoped::<cod_settlement::Entity>(t)
            .filter(cod_settlement::Column::ShipmentId.is_not_null())
            .filter(cod_settlement::Column::CreatedAt.gte(start))
            .all(&state.db)
            .await?
        {
            if let Some(id) = c.shipment_id.filter(|id| ship_ids.contains(id)) {
                *settled.entry(id).or_default() += super::dec(&c.amount);
            }
        }
    }
    out.cod_collected = settled.values().copied().sum();
    let mut days: BTreeMap<String, (i64, u64)> = BTreeMap::new();
    for s in &ships {
        let f = out.couriers.entry(s.provider.clone()).or_default();
        f.awbs += 1;
        let cod = s.cod_amount.as_deref().map(super::dec).unwrap_or_default();
        let refused = s
            .events
            .as_array()
            .is_some_and(|events| events.iter().any(is_refusal));
        if refused {
            f.refused += 1;
            out.refusals += 1;
        }
        match s.tracking_status.as_str() {
            "delivered" => {
                f.delivered += 1;
                if cod > Decimal::ZERO && !settled.contains_key(&s.id) {
                    out.cod_pending += cod;
                }
                if let Some(at) = s.delivered_at {
                    let d = days.entry(s.provider.clone()).or_default();
                    d.0 += (at - s.created_at).num_seconds().max(0);
                    d.1 += 1;
                }
            }
            "returned" => {
                f.returned += 1;
                out.returns += 1;
            }
            _ => {}
        }
    }
    for (courier, (seconds, n)) in days {
        if let Some(f) = out.couriers.get_mut(&courier) {
            f.average_days_to_delivery = Some(
                (Decimal::from(seconds) / Decimal::from(86_400) / Decimal::from(n)).round_dp(1),
            );
        }
    }
    let delivered: u64 = out.couriers.values().map(|f| f.delivered).sum();
    if delivered + out.returns > 0 {
        out.delivery_success_rate = Some(
            (Decimal::from(delivered * 100) / Decimal::from(delivered + out.returns)).round_dp(1),
        );
    }
    // Oblio and SmartBill do not return a document's total on create: an invoice without
    // a stored total counts its order's total, which is what it was issued for.
    let invoices = scoped::<invoice::Entity>(t)
        .filter(invoice::Column::CreatedAt.gte(start))
        .filter(invoice::Column::CreatedAt.lt(end))
        .filter(invoice::Column::Kind.eq("invoice"))
        .filter(invoice::Column::Status.eq("issued"))
        .all(&state.db)
        .await?;
    let missing: Vec<Uuid> = invoices
        .iter()
        .filter(|i| i.total.is_none())
        .map(|i| i.order_id)
        .collect();
    let mut order_totals: HashMap<Uuid, Decimal> = HashMap::new();
    for chunk in missing.chunks(500) {
        for o in scoped::<order::Entity>(t)
            .filter(order::Column::Id.is_in(chunk.iter().copied()))
            .all(&state.db)
            .await?
        {
            order_totals.insert(o.id, super::dec(&o.total));
        }
    }
    out.invoiced_total = invoices
        .iter()
        .map(|i| match i.total.as_deref() {
            Some(total) => super::dec(total),
            None => order_totals.get(&i.order_id).copied().unwrap_or_default(),
        })
        .sum();
    Ok(HttpResponse::Ok().json(out))
}
