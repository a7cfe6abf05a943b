//! Orders with items, PO number, shipping instructions and notes, the status flow, soft
//! delete, and the QuickBooks document (tag `orders-orders`).
//!
//! ```text
//! draft ──submit──► submitted ──confirm──► confirmed ──push (invoice)──► invoiced
//!   └──────cancel─────┴──────────cancel──────┘
//! ```
//!
//! Customer users place and submit orders for their own customer account only, at catalogue
//! prices. Staff and up confirm; confirming enqueues the QuickBooks push when the
//! organization is connected.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use flux_core::Accounting;
use flux_core::accounting::AccountingDocumentRef;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::super::auth::{ADMINS, ANYONE, Caller, Role, STAFF};
use super::super::entity::{customer, order, order_item, product};
use super::super::jobs::{EMAIL, PUSH, document_of};
use super::super::quickbooks::{self as qb, status};
use super::customers::visible_customer;
use super::{ListQuery, filter_deleted, invalid};
use crate::http::error::{ApiError, ErrorBody};
use crate::jobs::queue::{NewJob, enqueue};
use crate::orders::validate;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

pub(super) fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_orders)
        .service(create_order)
        .service(get_order)
        .service(update_order)
        .service(submit_order)
        .service(confirm_order)
        .service(cancel_order)
        .service(delete_order)
        .service(restore_order)
        .service(purge_order)
        .service(push_order)
        .service(order_pdf)
        .service(email_order);
}

/// An order line.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// Product.
    pub product_id: Option<Uuid>,
    /// SKU.
    pub sku: String,
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: Decimal,
    /// Unit price.
    pub unit_price: Decimal,
    /// Quantity × unit price.
    pub line_total: Decimal,
}

/// An order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    /// Id.
    pub id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// Who placed it.
    pub placed_by: Option<Uuid>,
    /// `draft`, `submitted`, `confirmed`, `invoiced` or `cancelled`.
    pub status: String,
    /// PO number.
    pub po_number: Option<String>,
    /// Shipping instructions.
    pub shipping_instructions: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Currency.
    pub currency: String,
    /// Total before tax.
    pub total: Decimal,
    /// QuickBooks estimate id.
    pub quickbooks_estimate_id: Option<String>,
    /// QuickBooks invoice id.
    pub quickbooks_invoice_id: Option<String>,
    /// QuickBooks document number.
    pub quickbooks_doc_number: Option<String>,
    /// Why the last push to QuickBooks failed.
    pub quickbooks_error: Option<String>,
    /// Submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Lines (in single-order answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ItemView>>,
}

impl From<order::Model> for OrderView {
    fn from(o: order::Model) -> Self {
        Self {
            id: o.id,
            customer_id: o.customer_id,
            placed_by: o.placed_by,
            status: o.status,
            po_number: o.po_number,
            shipping_instructions: o.shipping_instructions,
            notes: o.notes,
            currency: o.currency,
            total: validate::dec(&o.total),
            quickbooks_estimate_id: o.qb_estimate_id,
            quickbooks_invoice_id: o.qb_invoice_id,
            quickbooks_doc_number: o.qb_doc_number,
            quickbooks_error: o.qb_error,
            submitted_at: o.submitted_at,
            deleted_at: o.deleted_at,
            created_at: o.created_at,
            items: None,
        }
    }
}

fn item_view(i: order_item::Model) -> ItemView {
    let quantity = validate::dec(&i.quantity);
    let unit_price = validate::dec(&i.unit_price);
    ItemView {
        product_id: i.product_id,
        sku: i.sku,
        description: i.description,
        quantity,
        unit_price,
        line_total: quantity * unit_price,
    }
}

async fn find_order(state: &AppState, caller: &Caller, id: Uuid) -> Result<order::Model, ApiError> {
    let mut q = scoped::<order::Entity>(caller.tenant).filter(order::Column::Id.eq(id));
    if let Some(own) = caller.own_customer() {
        q = q.filter(order::Column::CustomerId.eq(own));
    }
    let row = q
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such order".into()))?;
    if row.deleted_at.is_some() && caller.require(ADMINS).is_err() {
        return Err(ApiError::NotFound("no such order".into()));
    }
    Ok(row)
}

async fn full_view(
    state: &AppState,
    tenant: TenantId,
    o: order::Model,
) -> Result<OrderView, ApiError> {
    let items = scoped::<order_item::Entity>(tenant)
        .filter(order_item::Column::OrderId.eq(o.id))
        .order_by_asc(order_item::Column::Position)
        .all(&state.db)
        .await?;
    let mut v = OrderView::from(o);
    v.items = Some(items.into_iter().map(item_view).collect());
    Ok(v)
}

/// `?status=…&customer_id=…`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OrderQuery {
    /// Only orders in this status.
    pub status: Option<String>,
    /// Only this customer's orders.
    pub customer_id: Option<Uuid>,
}

/// Lists orders (customer users: their customer's only), newest first.
#[utoipa::path(tag = "orders-orders", params(ListQuery, OrderQuery), security(("orders_token" = [])), responses(
    (status = 200, body = Vec<OrderView>), (status = 403, body = ErrorBody)
))]
#[get("/orders-api/v1/orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ListQuery>,
    f: web::Query<OrderQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "orders:read")?;
    q.deleted().check(&caller)?;
    let mut query = filter_deleted(
        scoped::<order::Entity>(caller.tenant),
        order::Column::DeletedAt,
        q.deleted(),
    );
    if let Some(own) = caller.own_customer() {
        query = query.filter(order::Column::CustomerId.eq(own));
    }
    if let Some(c) = f.customer_id {
        query = query.filter(order::Column::CustomerId.eq(c));
    }
    if let Some(s) = &f.status {
        query = query.filter(order::Column::Status.eq(s.as_str()));
    }
    let rows = query
        .order_by_desc(order::Column::CreatedAt)
        .limit(q.limit())
        .offset(q.offset())
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(OrderView::from).collect::<Vec<_>>()))
}

/// A line to order.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    /// The product.
    pub product_id: Uuid,
    /// Quantity, above zero.
    pub quantity: Decimal,
    /// Unit price; the catalogue price when absent. Customer users always get the
    /// catalogue price.
    pub unit_price: Option<Decimal>,
}

/// An order to place (or the changes to a draft: every field optional).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OrderInput {
    /// The customer (customer users: their own, or absent).
    pub customer_id: Option<Uuid>,
    /// Lines (replace all lines when given on a change).
    pub items: Option<Vec<ItemInput>>,
    /// PO number.
    pub po_number: Option<String>,
    /// Shipping instructions.
    pub shipping_instructions: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

struct Lines {
    rows: Vec<(Option<Uuid>, String, String, Decimal, Decimal)>,
    currency: String,
    total: Decimal,
}

async fn check_items(
    state: &AppState,
    caller: &Caller,
    items: &[ItemInput],
) -> Result<Lines, ApiError> {
    if items.is_empty() {
        return Err(ApiError::validation("items", "at least one item is needed"));
    }
    if items.len() > 500 {
        return Err(ApiError::validation("items", "at most 500 items"));
    }
    let mut rows = Vec::new();
    let mut currency: Option<String> = None;
    let mut total = Decimal::ZERO;
    for (i, item) in items.iter().enumerate() {
        let field = |f: &str| format!("items[{i}].{f}");
        if item.quantity <= Decimal::ZERO
            || item.quantity.scale() > 4
            || item.quantity > Decimal::from(1_000_000)
        {
            return Err(ApiError::validation(
                field("quantity"),
                "must be above zero, at most 1,000,000, with at most 4 decimals",
            ));
        }
        let p = scoped::<product::Entity>(caller.tenant)
            .filter(product::Column::Id.eq(item.product_id))
            .filter(product::Column::DeletedAt.is_null())
            .filter(product::Column::Active.eq(true))
            .one(&state.db)
            .await?
            .ok_or_else(|| {
                ApiError::validation(field("product_id"), "no such orderable product")
            })?;
        let price = match (item.unit_price, caller.role) {
            (Some(price), r) if r != Role::Customer => {
                validate::money(&field("unit_price"), price).map_err(invalid)?
            }
            _ => validate::dec(&p.price),
        };
        match &currency {
            Some(c) if *c != p.currency => {
                return Err(ApiError::validation(
                    field("product_id"),
                    "all items must share one currency",
                ));
            }
            _ => currency = Some(p.currency.clone()),
        }
        total += item.quantity * price;
        rows.push((Some(p.id), p.sku, p.name, item.quantity.normalize(), price));
    }
    Ok(Lines {
        rows,
        currency: currency.unwrap_or_else(|| "USD".into()),
        total: total.round_dp(4),
    })
}

async fn write_items<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    order_id: Uuid,
    lines: &Lines,
) -> Result<(), sea_orm::DbErr> {
    order_item::Entity::delete_many()
        .filter(order_item::Column::OrderId.eq(order_id))
        .exec(db)
        .await?;
    for (pos, (pid, sku, desc, qty, price)) in lines.rows.iter().enumerate() {
        order_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            order_id: Set(order_id),
            product_id: Set(*pid),
            sku: Set(sku.clone()),
            description: Set(desc.clone()),
            quantity: Set(qty.to_string()),
            unit_price: Set(price.normalize().to_string()),
            position: Set(pos as i32),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Places an order as a draft.
#[utoipa::path(tag = "orders-orders", request_body = OrderInput, security(("orders_token" = [])), responses(
    (status = 201, body = OrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/orders")]
pub async fn create_order(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<OrderInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "orders:write")?;
    let body = body.into_inner();
    let customer_id = match (caller.own_customer(), body.customer_id) {
        (Some(own), None) => own,
        (_, Some(id)) => id,
        (None, None) => return Err(ApiError::validation("customer_id", "is required")),
    };
    let c: customer::Model = visible_customer(&state, &caller, customer_id)
        .await
        .map_err(|_| ApiError::validation("customer_id", "no such customer"))?;
    if c.deleted_at.is_some() {
        return Err(ApiError::validation(
            "customer_id",
            "the customer is deleted",
        ));
    }
    let lines = check_items(&state, &caller, body.items.as_deref().unwrap_or_default()).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let txn = crate::db::begin_write(&state.db).await?;
    let row = order::ActiveModel {
        id: Set(id),
        tenant_id: Set(caller.tenant.0),
        customer_id: Set(c.id),
        placed_by: Set(Some(caller.user.id)),
        status: Set("draft".into()),
        po_number: Set(
            validate::optional("po_number", body.po_number.as_deref(), 100).map_err(invalid)?,
        ),
        shipping_instructions: Set(validate::optional(
            "shipping_instructions",
            body.shipping_instructions.as_deref(),
            2000,
        )
        .map_err(invalid)?),
        notes: Set(validate::optional("notes", body.notes.as_deref(), 5000).map_err(invalid)?),
        currency: Set(lines.currency.clone()),
        total: Set(lines.total.normalize().to_string()),
        qb_estimate_id: Set(None),
        qb_invoice_id: Set(None),
        qb_doc_number: Set(None),
        qb_error: Set(None),
        submitted_at: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    write_items(&txn, caller.tenant, id, &lines).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(full_view(&state, caller.tenant, row).await?))
}

/// One order with its lines.
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 200, body = OrderView), (status = 404, body = ErrorBody)
))]
#[get("/orders-api/v1/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "orders:read")?;
    let row = find_order(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(full_view(&state, caller.tenant, row).await?))
}

/// Changes a draft order (lines, PO number, instructions, notes).
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), request_body = OrderInput, security(("orders_token" = [])), responses(
    (status = 200, body = OrderView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/orders/{id}")]
pub async fn update_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<OrderInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "orders:write")?;
    let body = body.into_inner();
    let row = find_order(&state, &caller, *id).await?;
    if row.status != "draft" || row.deleted_at.is_some() {
        return Err(ApiError::Conflict(format!(
            "the order is {}; only drafts change",
            row.status
        )));
    }
    if body.customer_id.is_some_and(|c| c != row.customer_id) {
        return Err(ApiError::validation(
            "customer_id",
            "an order's customer cannot change",
        ));
    }
    let lines = match &body.items {
        Some(items) => Some(check_items(&state, &caller, items).await?),
        None => None,
    };
    let txn = crate::db::begin_write(&state.db).await?;
    // Read again, locked: a submit or confirm that committed since the check above (it
    // compares and sets the status) must not be followed by new lines on a submitted or
    // confirmed order; one that comes later waits for this change and submits it.
    let row = scoped::<order::Entity>(caller.tenant)
        .filter(order::Column::Id.eq(row.id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|r| r.status == "draft" && r.deleted_at.is_none())
        .ok_or_else(|| ApiError::Conflict("the order changed meanwhile; reload it".into()))?;
    let mut a = row.into_active_model();
    if let Some(v) = &body.po_number {
        a.po_number = Set(validate::optional("po_number", Some(v), 100).map_err(invalid)?);
    }
    if let Some(v) = &body.shipping_instructions {
        a.shipping_instructions =
            Set(validate::optional("shipping_instructions", Some(v), 2000).map_err(invalid)?);
    }
    if let Some(v) = &body.notes {
        a.notes = Set(validate::optional("notes", Some(v), 5000).map_err(invalid)?);
    }
    if let Some(lines) = &lines {
        write_items(&txn, caller.tenant, *id, lines).await?;
        a.total = Set(lines.total.normalize().to_string());
        a.currency = Set(lines.currency.clone());
    }
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(full_view(&state, caller.tenant, row).await?))
}

async fn transition(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    from: &[&str],
    to: &str,
) -> Result<order::Model, ApiError> {
    let row = find_order(state, caller, id).await?;
    if row.deleted_at.is_some() {
        return Err(ApiError::Conflict("the order is deleted".into()));
    }
    if !from.contains(&row.status.as_str()) {
        return Err(ApiError::Conflict(format!(
            "the order is {}; it cannot become {to}",
            row.status
        )));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    // Compare-and-set on the status, so two concurrent transitions cannot both win.
    let res = order::Entity::update_many()
        .filter(order::Column::Id.eq(row.id))
        .filter(order::Column::Status.eq(row.status.as_str()))
        .col_expr(order::Column::Status, to.into())
        .col_expr(order::Column::UpdatedAt, Utc::now().into())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::Conflict(
            "the order changed meanwhile; reload it".into(),
        ));
    }
    if to == "submitted" {
        order::Entity::update_many()
            .filter(order::Column::Id.eq(row.id))
            .col_expr(order::Column::SubmittedAt, Some(Utc::now()).into())
            .exec(&txn)
            .await?;
    }
    if to == "confirmed"
        && let Some(conn) = qb::connection(state, caller.tenant).await?
        && conn.status == status::CONNECTED
    {
        enqueue(
            &txn,
            NewJob::new(PUSH, json!({ "order_id": row.id }))
                .tenant(caller.tenant)
                .key(format!("{PUSH}:{}", row.id)),
        )
        .await?;
    }
    txn.commit().await?;
    find_order(state, caller, id).await
}

/// Submits a draft.
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 200, body = OrderView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/orders-api/v1/orders/{id}/submit")]
pub async fn submit_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "orders:write")?;
    let row = transition(&state, &caller, *id, &["draft"], "submitted").await?;
    Ok(HttpResponse::Ok().json(full_view(&state, caller.tenant, row).await?))
}

/// Confirms a submitted order (staff and up); when QuickBooks is connected, the push of
/// the estimate or invoice is enqueued with it.
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 200, body = OrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/orders-api/v1/orders/{id}/confirm")]
pub async fn confirm_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "orders:write")?;
    let row = transition(&state, &caller, *id, &["submitted"], "confirmed").await?;
    Ok(HttpResponse::Ok().json(full_view(&state, caller.tenant, row).await?))
}

/// Cancels an order: customer users their drafts and submitted orders; staff and up also
/// confirmed ones. Invoiced orders cannot be cancelled here.
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 200, body = OrderView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/orders-api/v1/orders/{id}/cancel")]
pub async fn cancel_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "orders:write")?;
    let from: &[&str] = if caller.role == Role::Customer {
        &["draft", "submitted"]
    } else {
        &["draft", "submitted", "confirmed"]
    };
    let row = transition(&state, &caller, *id, from, "cancelled").await?;
    Ok(HttpResponse::Ok().json(full_view(&state, caller.tenant, row).await?))
}

/// Soft-deletes an order (owners and admins).
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/orders/{id}")]
pub async fn delete_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "orders:write")?;
    let row = find_order(&state, &caller, *id).await?;
    if row.deleted_at.is_none() {
        let mut a = row.into_active_model();
        a.deleted_at = Set(Some(Utc::now()));
        a.update(&state.db).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Restores a soft-deleted order (owners and admins).
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 200, body = OrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[post("/orders-api/v1/orders/{id}/restore")]
pub async fn restore_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "orders:write")?;
    let row = find_order(&state, &caller, *id).await?;
    let mut a = row.into_active_model();
    a.deleted_at = Set(None);
    a.updated_at = Set(Utc::now());
    let row = a.update(&state.db).await?;
    Ok(HttpResponse::Ok().json(full_view(&state, caller.tenant, row).await?))
}

/// Permanently deletes a soft-deleted order and its lines (owners and admins).
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[delete("/orders-api/v1/orders/{id}/purge")]
pub async fn purge_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "orders:write")?;
    let row = find_order(&state, &caller, *id).await?;
    if row.deleted_at.is_none() {
        return Err(ApiError::Conflict(
            "delete the order first; only deleted orders are purged".into(),
        ));
    }
    order::Entity::delete_by_id(row.id).exec(&state.db).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What was enqueued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enqueued {
    /// The job's id; `null` when the same work is already queued.
    pub job_id: Option<Uuid>,
}

/// Sends a confirmed order to QuickBooks (again, after a fix) as the organization's
/// document kind (staff and up). At most one document is created per order and kind.
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 202, body = Enqueued), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/orders-api/v1/orders/{id}/quickbooks/push")]
pub async fn push_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "orders:write")?;
    let row = find_order(&state, &caller, *id).await?;
    if row.status != "confirmed" || row.deleted_at.is_some() {
        return Err(ApiError::Conflict(format!(
            "the order is {}; only confirmed orders are sent",
            row.status
        )));
    }
    let conn = qb::connection(&state, caller.tenant).await?;
    if conn.as_ref().map(|c| c.status.as_str()) != Some(status::CONNECTED) {
        return Err(ApiError::Conflict(
            "QuickBooks is not connected (or needs reconnecting)".into(),
        ));
    }
    let slot = Utc::now().timestamp();
    let job = enqueue(
        &state.db,
        NewJob::new(PUSH, json!({ "order_id": row.id }))
            .tenant(caller.tenant)
            .key(format!("{PUSH}:{}:{slot}", row.id)),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(Enqueued { job_id: job }))
}

/// The PDF of the order's QuickBooks document (its invoice, else its estimate).
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), security(("orders_token" = [])), responses(
    (status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[get("/orders-api/v1/orders/{id}/quickbooks/pdf")]
pub async fn order_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "orders:read")?;
    let row = find_order(&state, &caller, *id).await?;
    let (kind, doc) = document_of(&row)
        .ok_or_else(|| ApiError::NotFound("the order has no QuickBooks document yet".into()))?;
    let client = qb::client(&state, caller.tenant).await?;
    let pdf = match Accounting::pdf(&client, &AccountingDocumentRef { kind, id: doc }).await {
        Ok(p) => p,
        Err(e) => {
            if e.provider_code() == Some("invalid_grant") {
                qb::mark_reconnect(&state, caller.tenant, &e.to_string()).await;
            }
            return Err(e.into());
        }
    };
    Ok(HttpResponse::Ok().content_type("application/pdf").body(pdf))
}

/// Where to email the document.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EmailRequest {
    /// The recipient; the document's billing email when absent.
    pub to: Option<String>,
}

/// Emails the order's QuickBooks document through QuickBooks (staff and up), in a job,
/// once per request.
#[utoipa::path(tag = "orders-orders", params(("id" = Uuid, Path, description = "Order id")), request_body = EmailRequest, security(("orders_token" = [])), responses(
    (status = 202, body = Enqueued), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/orders/{id}/quickbooks/email")]
pub async fn email_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "orders:write")?;
    let to = match body.to.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => Some(validate::email("to", t).map_err(invalid)?),
        None => None,
    };
    let row = find_order(&state, &caller, *id).await?;
    if document_of(&row).is_none() {
        return Err(ApiError::Conflict(
            "the order has no QuickBooks document yet".into(),
        ));
    }
    let request_id = Uuid::now_v7();
    let job = enqueue(
        &state.db,
        NewJob::new(
            EMAIL,
            json!({ "order_id": row.id, "to": to, "request_id": request_id }),
        )
        .tenant(caller.tenant)
        .key(format!("{EMAIL}:{request_id}")),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(Enqueued { job_id: job }))
}
