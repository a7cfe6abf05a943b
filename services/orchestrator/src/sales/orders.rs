//! Orders: stored from webhooks (newest Shopify `updated_at` wins, so shuffled and
//! repeated deliveries converge), their FluxSales status, the automation they trigger, and
//! the list/filter/search API.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use flux_shopify::webhooks::OrderWebhook;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::ShopSession;
use super::entity::{invoice, order, shipment};
use super::settings::{AwbTrigger, InvoiceTrigger, SettingsDoc};
use crate::http::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// Where an order stands in FluxSales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// No AWB yet.
    NeedsAwb,
    /// The AWB exists.
    AwbCreated,
    /// Invoiced.
    Invoiced,
    /// With the courier.
    InTransit,
    /// Delivered.
    Delivered,
    /// Returned or refused.
    Returned,
    /// An automated step failed; see `failure_reason`.
    NeedsAttention,
    /// Cancelled in Shopify.
    Cancelled,
}

impl OrderStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NeedsAwb => "needs_awb",
            Self::AwbCreated => "awb_created",
            Self::Invoiced => "invoiced",
            Self::InTransit => "in_transit",
            Self::Delivered => "delivered",
            Self::Returned => "returned",
            Self::NeedsAttention => "needs_attention",
            Self::Cancelled => "cancelled",
        }
    }
}

fn attr(o: &OrderWebhook, names: &[&str]) -> Option<String> {
    o.note_attributes
        .iter()
        .find(|a| names.iter().any(|n| a.name.eq_ignore_ascii_case(n)))
        .and_then(|a| a.value.clone())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn is_paid(financial_status: Option<&str>) -> bool {
    matches!(financial_status, Some("paid" | "partially_refunded"))
}

/// Stores an order webhook body; an older `updated_at` than the stored one changes nothing
/// (except a cancellation, which always sticks). Returns the stored row.
pub async fn upsert_from_webhook<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant: TenantId,
    raw: serde_json::Value,
    o: &OrderWebhook,
) -> Result<order::Model, DbErr> {
    let now = Utc::now();
    // Two deliveries of one order can run at once (orders/updated and orders/paid arrive
    // together). The row is locked until the caller's transaction ends, so the older one
    // waits and then sees the newer `updated_at` (PostgreSQL: FOR UPDATE; SQLite has one
    // writer, and a transaction that read a row another one changed gets SQLITE_BUSY and
    // runs again).
    let existing = scoped::<order::Entity>(tenant)
        .filter(order::Column::ShopifyId.eq(i64::try_from(o.id).unwrap_or(i64::MAX)))
        .lock_exclusive()
        .one(db)
        .await?;
    let cancelled = o.cancelled_at.is_some();
    if let Some(row) = &existing {
        let newer = match (o.updated_at, row.shopify_updated_at) {
            (Some(new), Some(old)) => new > old,
            _ => true,
        };
        if !newer {
            if cancelled && !row.cancelled {
                let mut a: order::ActiveModel = row.clone().into();
                a.cancelled = Set(true);
                a.updated_at = Set(now);
                return a.update(db).await;
            }
            return Ok(row.clone());
        }
    }
    let ship = o.shipping_address.as_ref();
    let name = ship
        .and_then(|a| a.name.clone())
        .or_else(|| {
            o.customer.as_ref().map(|c| {
                format!(
                    "{} {}",
                    c.first_name.clone().unwrap_or_default(),
                    c.last_name.clone().unwrap_or_default()
                )
                .trim()
                .to_owned()
            })
        })
        .filter(|n| !n.is_empty());
    let outstanding = if o.is_cash_on_delivery() && !is_paid(o.financial_status.as_deref()) {
        o.current_total_price.unwrap_or(o.total_price)
    } else {
        Decimal::ZERO
    };
    let company = o
        .billing_address
        .as_ref()
        .and_then(|b| b.company.clone())
        .filter(|c| !c.trim().is_empty());
    let cif = attr(o, &["cif", "cui", "vat_number", "company_cif"]);
    let mut a = match existing.clone() {
        Some(row) => row.into(),
        None => order::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            shopify_id: Set(i64::try_from(o.id).unwrap_or(i64::MAX)),
            status: Set(OrderStatus::NeedsAwb.as_str().into()),
            awb_generation: Set(0),
            failure_reason: Set(None),
            created_at: Set(now),
            ..Default::default()
        },
    };
    a.gid = Set(o.admin_graphql_api_id.clone());
    a.name = Set(o.name.clone());
    a.financial_status = Set(o.financial_status.clone());
    a.cancelled = Set(cancelled || existing.as_ref().is_some_and(|r| r.cancelled));
    a.cod = Set(o.is_cash_on_delivery());
    a.currency = Set(o.currency.clone());
    a.total = Set(o.current_total_price.unwrap_or(o.total_price).to_string());
    a.outstanding = Set(outstanding.to_string());
    a.weight_grams = Set(o.weight_grams());
    a.customer_id = Set(o.customer.as_ref().and_then(|c| i64::try_from(c.id).ok()));
    a.email = Set(o.email.clone().filter(|e| !e.is_empty()));
    a.customer_name = Set(name);
    a.phone = Set(o
        .phone
        .clone()
        .or_else(|| ship.and_then(|s| s.phone.clone())));
    a.county = Set(ship.and_then(|s| s.province.clone()));
    a.company = Set(company);
    a.cif = Set(cif);
    a.locker_id = Set(attr(
        o,
        &["locker_id", "easybox_id", "fanbox_id", "pickup_point_id"],
    ));
    a.payload = Set(raw);
    a.shopify_updated_at = Set(o.updated_at);
    a.placed_at = Set(o.created_at.or(o.processed_at).unwrap_or(now));
    a.updated_at = Set(now);
    let row = if existing.is_some() {
        a.update(db).await?
    } else {
        a.insert(db).await?
    };
    set_status(db, tenant, row.id).await
}

/// Recomputes an order's status from its shipments and invoices.
///
/// Runs in its own transaction (a savepoint inside the caller's) holding the order row:
/// two recomputations of one order (tracking marks the shipment delivered while the
/// invoice job records the invoice) take turns, and the second reads what the first's
/// writer committed, so a status computed from an older read never lands last.
pub async fn set_status<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant: TenantId,
    order_id: Uuid,
) -> Result<order::Model, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let row = scoped::<order::Entity>(tenant)
        .filter(order::Column::Id.eq(order_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("order {order_id}")))?;
    let ship = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::OrderId.eq(order_id))
        .filter(shipment::Column::Status.eq("active"))
        .one(&txn)
        .await?;
    let invoiced = scoped::<invoice::Entity>(tenant)
        .filter(invoice::Column::OrderId.eq(order_id))
        .filter(invoice::Column::Kind.eq("invoice"))
        .filter(invoice::Column::Status.eq("issued"))
        .one(&txn)
        .await?
        .is_some();
    let status = if row.cancelled {
        OrderStatus::Cancelled
    } else if let Some(s) = &ship {
        match s.tracking_status.as_str() {
            "delivered" => OrderStatus::Delivered,
            "returned" => OrderStatus::Returned,
            "picked_up" | "in_transit" | "out_for_delivery" | "ready_for_pickup"
            | "delivery_failed" => OrderStatus::InTransit,
            _ if row.failure_reason.is_some() => OrderStatus::NeedsAttention,
            _ if invoiced => OrderStatus::Invoiced,
            _ => OrderStatus::AwbCreated,
        }
    } else if row.failure_reason.is_some() {
        OrderStatus::NeedsAttention
    } else {
        OrderStatus::NeedsAwb
    };
    if row.status == status.as_str() {
        txn.commit().await?;
        return Ok(row);
    }
    let mut a: order::ActiveModel = row.into();
    a.status = Set(status.as_str().to_owned());
    let row = a.update(&txn).await?;
    txn.commit().await?;
    Ok(row)
}

/// Records why an automated step failed (`None` clears it) and recomputes the status.
pub async fn set_failure<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant: TenantId,
    order_id: Uuid,
    reason: Option<String>,
) -> Result<(), DbErr> {
    order::Entity::update_many()
        .filter(order::Column::TenantId.eq(tenant.0))
        .filter(order::Column::Id.eq(order_id))
        .col_expr(order::Column::FailureReason, reason.into())
        .col_expr(order::Column::UpdatedAt, Utc::now().into())
        .exec(db)
        .await?;
    set_status(db, tenant, order_id).await.map(|_| ())
}

/// Enqueues what the automation switches ask for, in the caller's transaction.
pub async fn automate<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    settings: &SettingsDoc,
    row: &order::Model,
    has_couriers: bool,
    has_invoicing: bool,
) -> Result<(), DbErr> {
    if row.cancelled {
        let issued = scoped::<invoice::Entity>(tenant)
            .filter(invoice::Column::OrderId.eq(row.id))
            .filter(invoice::Column::Kind.eq("invoice"))
            .filter(invoice::Column::Status.eq("issued"))
            .one(db)
            .await?;
        if issued.is_some() {
            super::invoicing::enqueue_storno(db, tenant, row.id).await?;
        }
        return Ok(());
    }
    let paid = is_paid(row.financial_status.as_deref());
    let awb = match settings.automation.awb_on {
        AwbTrigger::Off => false,
        AwbTrigger::Created => true,
        AwbTrigger::Paid => paid || row.cod,
    };
    if awb && has_couriers && row.weight_grams >= 0 {
        super::shipping::enqueue_awb(db, tenant, row, None, true).await?;
    }
    if settings.automation.invoice_on == InvoiceTrigger::Paid && paid && has_invoicing {
        super::invoicing::enqueue_invoice(db, tenant, row.id).await?;
    }
    Ok(())
}

/// An order as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    /// Id.
    pub id: Uuid,
    /// Shopify GID.
    pub shopify_id: String,
    /// `#1001`.
    pub name: String,
    /// FluxSales status.
    pub status: String,
    /// Why the last automated step failed.
    pub failure_reason: Option<String>,
    /// Shopify financial status.
    pub financial_status: Option<String>,
    /// Cash on delivery.
    pub cod: bool,
    /// Total.
    pub total: Decimal,
    /// Outstanding (COD to collect).
    pub outstanding: Decimal,
    /// Currency.
    pub currency: String,
    /// Customer.
    pub customer_name: Option<String>,
    /// County.
    pub county: Option<String>,
    /// Locker chosen at checkout.
    pub locker_id: Option<String>,
    /// The active AWB.
    pub awb: Option<String>,
    /// Its courier.
    pub courier: Option<String>,
    /// The invoice, `SERIES NUMBER`.
    pub invoice: Option<String>,
    /// The invoice link.
    pub invoice_link: Option<String>,
    /// Placed.
    pub placed_at: DateTime<Utc>,
}

/// An order's view with its AWB and invoice.
pub async fn view<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    o: order::Model,
) -> Result<OrderView, DbErr> {
    let ship = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::OrderId.eq(o.id))
        .filter(shipment::Column::Status.eq("active"))
        .one(db)
        .await?;
    let inv = scoped::<invoice::Entity>(tenant)
        .filter(invoice::Column::OrderId.eq(o.id))
        .filter(invoice::Column::Kind.eq("invoice"))
        .order_by_desc(invoice::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(OrderView {
        id: o.id,
        shopify_id: o.gid,
        name: o.name,
        status: o.status,
        failure_reason: o.failure_reason,
        financial_status: o.financial_status,
        cod: o.cod,
        total: super::dec(&o.total),
        outstanding: super::dec(&o.outstanding),
        currency: o.currency,
        customer_name: o.customer_name,
        county: o.county,
        locker_id: o.locker_id,
        awb: ship.as_ref().map(|s| s.awb.clone()),
        courier: ship.map(|s| s.provider),
        invoice: inv.as_ref().map(|i| format!("{} {}", i.series, i.number)),
        invoice_link: inv.and_then(|i| i.link),
        placed_at: o.placed_at,
    })
}

/// Filters for the order list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OrderQuery {
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
    /// Search the order name, customer name or email.
    pub q: Option<String>,
    /// At most this many (default 50, max 500).
    pub limit: Option<u64>,
    /// Skip this many.
    pub offset: Option<u64>,
}

/// Lists orders, newest first, by status and search text.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), params(OrderQuery), responses(
    (status = 200, body = Vec<OrderView>), (status = 401, body = ErrorBody)
))]
#[get("/sales/v1/orders")]
pub async fn list_orders(
    session: ShopSession,
    state: web::Data<AppState>,
    q: web::Query<OrderQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut select = scoped::<order::Entity>(session.tenant);
    if let Some(status) = q.status {
        select = select.filter(order::Column::Status.eq(status.as_str()));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.len() > 100 {
            return Err(ApiError::validation("q", "at most 100 characters"));
        }
        let like = format!("%{text}%");
        select = select.filter(
            Condition::any()
                .add(order::Column::Name.like(like.clone()))
                .add(order::Column::CustomerName.like(like.clone()))
                .add(order::Column::Email.like(like)),
        );
    }
    let rows = select
        .order_by_desc(order::Column::PlacedAt)
        .limit(q.limit.unwrap_or(50).clamp(1, 500))
        .offset(q.offset.unwrap_or(0))
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(&state.db, session.tenant, r).await?);
    }
    Ok(HttpResponse::Ok().json(out))
}

/// One order.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), responses(
    (status = 200, body = OrderView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[get("/sales/v1/orders/{id}")]
pub async fn get_order(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let o = find(&state, session.tenant, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view(&state.db, session.tenant, o).await?))
}

/// The shop's order `id`, or 404.
pub async fn find(state: &AppState, tenant: TenantId, id: Uuid) -> Result<order::Model, ApiError> {
    scoped::<order::Entity>(tenant)
        .filter(order::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such order".into()))
}
