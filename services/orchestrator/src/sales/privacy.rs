//! Privacy: `app/uninstalled` (the token revoked, work stopped, deletion scheduled 30 days
//! later and carried out by a recurring purge), the compliance webhooks (a customer's
//! export, a customer's erasure, the shop's erasure), and the merchant's own export and
//! immediate deletion.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, delete, get, web};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::auth::ShopSession;
use super::entity::{
    batch, batch_item, cod_settlement, courier_account, export, invoice, invoicing, order,
    settings, shipment, shop, webhook_event,
};
use crate::entity::{credential, effect, job, tenant};
use crate::http::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// How long after uninstalling a shop's data is kept.
pub const RETENTION_DAYS: i64 = 30;

/// `app/uninstalled`: revoke (forget) the token, stop queued work, schedule deletion.
pub async fn uninstall(state: &AppState, tenant: TenantId) -> Result<(), DbErr> {
    let now = Utc::now();
    let txn = state.db.begin().await?;
    shop::Entity::update_many()
        .filter(shop::Column::TenantId.eq(tenant.0))
        .col_expr(shop::Column::Status, "uninstalled".into())
        .col_expr(shop::Column::UninstalledAt, Some(now).into())
        .col_expr(shop::Column::UpdatedAt, now.into())
        .exec(&txn)
        .await?;
    tenant::Entity::update_many()
        .filter(tenant::Column::Id.eq(tenant.0))
        .col_expr(tenant::Column::Status, "uninstalled".into())
        .col_expr(
            tenant::Column::DeletionDueAt,
            Some(now + Duration::days(RETENTION_DAYS)).into(),
        )
        .col_expr(tenant::Column::UpdatedAt, now.into())
        .exec(&txn)
        .await?;
    credential::Entity::delete_many()
        .filter(credential::Column::TenantId.eq(tenant.0))
        .filter(credential::Column::Provider.eq(super::tokens::PROVIDER))
        .exec(&txn)
        .await?;
    job::Entity::update_many()
        .filter(job::Column::TenantId.eq(tenant.0))
        .filter(job::Column::State.eq("queued"))
        .filter(job::Column::Kind.ne(super::jobs::WEBHOOK))
        .col_expr(job::Column::State, "cancelled".into())
        .col_expr(
            job::Column::LastError,
            Some("the shop uninstalled the app".to_owned()).into(),
        )
        .col_expr(job::Column::UpdatedAt, now.into())
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// Erases every row of the shop: its data, credentials, effects, jobs and the tenant.
pub async fn erase_shop(state: &AppState, tenant: TenantId) -> Result<(), DbErr> {
    erase_rows(&state.db, tenant, None).await?;
    state.shop_tenants.forget_tenant(tenant);
    tracing::info!(tenant = %tenant, "erased a shop's data");
    Ok(())
}

/// Erases the shop as [`erase_shop`] does, but only if its deletion is still due at `now`
/// (returns whether it did). The purge listed the due shops earlier; a re-install clears
/// the due date in a transaction that updates the tenant row, so the check is made on that
/// row, locked: a re-install that committed since keeps its shop, one that comes later
/// waits and then finds the tenant gone.
pub async fn erase_if_due<C: TransactionTrait>(
    db: &C,
    tenant: TenantId,
    now: chrono::DateTime<Utc>,
) -> Result<bool, DbErr> {
    erase_rows(db, tenant, Some(now)).await
}

async fn erase_rows<C: TransactionTrait>(
    db: &C,
    tenant: TenantId,
    due_at: Option<chrono::DateTime<Utc>>,
) -> Result<bool, DbErr> {
    use sea_orm::{QuerySelect, TransactionSession};
    let txn = crate::db::begin_write(db).await?;
    let t = tenant.0;
    if let Some(now) = due_at {
        let due = tenant::Entity::find_by_id(t)
            .lock_exclusive()
            .one(&txn)
            .await?
            .is_some_and(|row| row.deletion_due_at.is_some_and(|d| d <= now));
        if !due {
            return Ok(false);
        }
    }
    macro_rules! wipe {
        ($($m:ident),*) => {$(
            $m::Entity::delete_many().filter($m::Column::TenantId.eq(t)).exec(&txn).await?;
        )*};
    }
    wipe!(
        cod_settlement,
        export,
        batch_item,
        batch,
        webhook_event,
        invoice,
        shipment,
        order,
        invoicing,
        courier_account,
        settings,
        shop,
        credential,
        effect
    );
    job::Entity::delete_many()
        .filter(job::Column::TenantId.eq(t))
        .filter(job::Column::State.ne("running"))
        .exec(&txn)
        .await?;
    // A running job of this shop (this one, when a webhook erases the shop) loses its
    // tenant link instead of its row, so the worker can still finish it.
    job::Entity::update_many()
        .filter(job::Column::TenantId.eq(t))
        .col_expr(job::Column::TenantId, Option::<Uuid>::None.into())
        .col_expr(job::Column::Payload, json!({}).into())
        .exec(&txn)
        .await?;
    tenant::Entity::delete_many()
        .filter(tenant::Column::Id.eq(t))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// The recurring purge: erases shops whose deletion is due.
pub async fn purge_due(state: &AppState) -> Result<usize, DbErr> {
    let now = Utc::now();
    let due = tenant::Entity::find()
        .filter(tenant::Column::Kind.eq("shop"))
        .filter(tenant::Column::DeletionDueAt.lte(now))
        .all(&state.db)
        .await?;
    let mut erased = 0;
    for t in &due {
        let tenant = TenantId(t.id);
        if erase_if_due(&state.db, tenant, now).await? {
            state.shop_tenants.forget_tenant(tenant);
            tracing::info!(tenant = %tenant, "erased a shop's data");
            erased += 1;
        }
    }
    Ok(erased)
}

fn order_matches(customer: u64, orders: &[u64]) -> sea_orm::Condition {
    let ids: Vec<i64> = orders
        .iter()
        .filter_map(|o| i64::try_from(*o).ok())
        .collect();
    sea_orm::Condition::any()
        .add(order::Column::CustomerId.eq(i64::try_from(customer).unwrap_or(-1)))
        .add(order::Column::ShopifyId.is_in(ids))
}

/// Whether a stored order webhook is about `customer` (their id on it, or one of `orders`).
fn event_of_customer(e: &webhook_event::Model, customer: u64, orders: &[u64]) -> bool {
    e.topic.starts_with("orders/")
        && serde_json::from_str::<serde_json::Value>(&e.payload)
            .ok()
            .is_some_and(|v| {
                v.get("customer")
                    .and_then(|c| c.get("id"))
                    .and_then(serde_json::Value::as_u64)
                    == Some(customer)
                    || v.get("id")
                        .and_then(serde_json::Value::as_u64)
                        .is_some_and(|id| orders.contains(&id))
            })
}

/// `customers/data_request`: builds the customer's export (their orders, shipments and
/// invoices) for the merchant to hand over.
pub async fn customer_export(
    state: &AppState,
    tenant: TenantId,
    customer: u64,
    orders: &[u64],
) -> Result<Uuid, DbErr> {
    let rows = scoped::<order::Entity>(tenant)
        .filter(order_matches(customer, orders))
        .all(&state.db)
        .await?;
    let data = export_orders(&state.db, tenant, rows).await?;
    let mut events = Vec::new();
    for e in scoped::<webhook_event::Entity>(tenant)
        .all(&state.db)
        .await?
    {
        if event_of_customer(&e, customer, orders) {
            events.push(json!({
                "topic": e.topic, "received_at": e.received_at,
                "body": serde_json::from_str::<serde_json::Value>(&e.payload).unwrap_or_default(),
            }));
        }
    }
    let id = Uuid::now_v7();
    export::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.0),
        kind: Set("customer_data_request".into()),
        subject: Set(customer.to_string()),
        data: Set(json!({ "customer_id": customer, "orders": data, "webhook_events": events })),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?;
    Ok(id)
}

async fn export_orders<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    rows: Vec<order::Model>,
) -> Result<Vec<serde_json::Value>, DbErr> {
    let mut out = Vec::new();
    for o in rows {
        let ships = scoped::<shipment::Entity>(tenant)
            .filter(shipment::Column::OrderId.eq(o.id))
            .all(db)
            .await?;
        let invs = scoped::<invoice::Entity>(tenant)
            .filter(invoice::Column::OrderId.eq(o.id))
            .all(db)
            .await?;
        out.push(json!({ "order": o, "shipments": ships, "invoices": invs }));
    }
    Ok(out)
}

/// `customers/redact`: erases the customer's personal data from their orders (names,
/// contacts, addresses, the stored webhook bodies) and their exports.
pub async fn redact_customer(
    state: &AppState,
    tenant: TenantId,
    customer: u64,
    orders: &[u64],
) -> Result<(), DbErr> {
    let rows = scoped::<order::Entity>(tenant)
        .filter(order_matches(customer, orders))
        .all(&state.db)
        .await?;
    let txn = state.db.begin().await?;
    for o in rows {
        let mut payload = o.payload.clone();
        if let Some(map) = payload.as_object_mut() {
            for key in [
                "customer",
                "shipping_address",
                "billing_address",
                "email",
                "phone",
                "contact_email",
                "note",
                "note_attributes",
                "browser_ip",
                "client_details",
            ] {
                map.remove(key);
            }
        }
        let mut a: order::ActiveModel = o.into();
        a.email = Set(None);
        a.customer_name = Set(None);
        a.phone = Set(None);
        a.customer_id = Set(None);
        a.company = Set(None);
        a.cif = Set(None);
        a.payload = Set(payload);
        a.updated_at = Set(Utc::now());
        a.update(&txn).await?;
    }
    export::Entity::delete_many()
        .filter(export::Column::TenantId.eq(tenant.0))
        .filter(export::Column::Subject.eq(customer.to_string()))
        .exec(&txn)
        .await?;
    // Raw order webhook bodies hold the same personal data.
    for e in scoped::<webhook_event::Entity>(tenant).all(&txn).await? {
        if event_of_customer(&e, customer, orders) {
            webhook_event::Entity::delete_by_id(e.id).exec(&txn).await?;
        }
    }
    txn.commit().await
}

/// The merchant's full export (JSON): shop, settings, connections (secrets masked),
/// orders with their shipments and invoices, and customer exports.
#[utoipa::path(tag = super::TAG_PRIVACY, security(("shopify_session_token" = [])), responses(
    (status = 200, body = Object), (status = 401, body = ErrorBody)
))]
#[get("/sales/v1/export")]
pub async fn export_all(
    session: ShopSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let t = session.tenant;
    let shop = super::shop_of(&state.db, t)
        .await?
        .map(super::auth::ShopView::from);
    let settings = super::settings::load(&state, t).await?;
    let couriers: Vec<_> = scoped::<courier_account::Entity>(t)
        .all(&state.db)
        .await?
        .into_iter()
        .map(super::settings::CourierAccountView::from)
        .collect();
    let inv = scoped::<invoicing::Entity>(t)
        .one(&state.db)
        .await?
        .map(super::settings::InvoicingView::from);
    let orders = scoped::<order::Entity>(t).all(&state.db).await?;
    let orders = export_orders(&state.db, t, orders).await?;
    let exports = scoped::<export::Entity>(t).all(&state.db).await?;
    let settlements = scoped::<cod_settlement::Entity>(t).all(&state.db).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"fluxsales-export.json\"",
        ))
        .json(json!({
            "shop": shop, "settings": settings, "couriers": couriers, "invoicing": inv,
            "orders": orders, "customer_exports": exports, "cod_settlements": settlements,
        })))
}

/// A customer export in the list (without its data).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExportSummary {
    /// Id (fetch it with `GET /sales/v1/exports/{id}`).
    pub id: Uuid,
    /// `customer_data_request`.
    pub kind: String,
    /// The Shopify customer id.
    pub subject: String,
    /// Built.
    pub created_at: chrono::DateTime<Utc>,
}

/// The customer exports built for `customers/data_request`, newest first.
#[utoipa::path(tag = super::TAG_PRIVACY, security(("shopify_session_token" = [])), responses(
    (status = 200, body = Vec<ExportSummary>), (status = 401, body = ErrorBody)
))]
#[get("/sales/v1/exports")]
pub async fn list_exports(
    session: ShopSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    use sea_orm::QueryOrder;
    let rows = scoped::<export::Entity>(session.tenant)
        .order_by_desc(export::Column::CreatedAt)
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|e| ExportSummary {
                id: e.id,
                kind: e.kind,
                subject: e.subject,
                created_at: e.created_at,
            })
            .collect::<Vec<_>>(),
    ))
}

/// A customer export built for a `customers/data_request`.
#[utoipa::path(tag = super::TAG_PRIVACY, security(("shopify_session_token" = [])), responses(
    (status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[get("/sales/v1/exports/{id}")]
pub async fn get_export(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let e = scoped::<export::Entity>(session.tenant)
        .filter(export::Column::Id.eq(path.into_inner()))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such export".into()))?;
    Ok(HttpResponse::Ok().json(e))
}

/// Deletes all of the shop's data now (the merchant's request).
#[utoipa::path(tag = super::TAG_PRIVACY, security(("shopify_session_token" = [])), responses(
    (status = 204), (status = 401, body = ErrorBody)
))]
#[delete("/sales/v1/shop")]
pub async fn delete_now(
    session: ShopSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    erase_shop(&state, session.tenant).await?;
    Ok(HttpResponse::NoContent().finish())
}
