//! Shipping: the AWB for one order or a batch (each order one job, run with the worker's
//! bounded concurrency, progress you can poll), COD for cash-on-delivery orders, locker
//! delivery, quotes, labels, cancel, and the Shopify fulfillment with tracking.
//!
//! Every AWB and fulfillment goes through the effects ledger, in a job, never inside a
//! database transaction: one AWB per order generation (`awb:{order}:{generation}`; a
//! cancelled AWB opens the next generation) and one fulfillment per AWB.

#![allow(unreachable_pub)]

pub mod address;

use std::sync::Arc;

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use flux_core::courier::{
    CashOnDelivery, CodCollection, DeliveryTarget, LabelFormat, PickupPointKind, ShipmentRequest,
};
use flux_core::{
    Address, CountryCode, Courier, Currency, ErrorKind, Money, Parcel, ProviderError, ShipmentId,
};
use flux_shopify::ops::fulfillments::{
    FulfillmentInput, FulfillmentOrderLineItemsInput, TrackingInfo,
};
use flux_shopify::webhooks::OrderWebhook;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::auth::ShopSession;
use super::entity::{batch, batch_item, courier_account, order, shipment};
use super::providers;
use super::settings::SettingsDoc;
use crate::effects::{EffectError, EffectOutcome, EffectSpec, Reconcile};
use crate::http::error::{ApiError, ErrorBody};
use crate::jobs::queue::{self, enqueue};
use crate::jobs::{JobError, NewJob};
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// The largest batch.
pub const MAX_BATCH: usize = 500;

/// Enqueues the AWB job of `row`'s current generation (one job per generation: a repeat
/// is a no-op, a parked one is retried when `retry_parked`).
pub async fn enqueue_awb<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    row: &order::Model,
    account: Option<Uuid>,
    retry_parked: bool,
) -> Result<(), DbErr> {
    let key = format!("sales.awb:{}:{}", row.id, row.awb_generation);
    let inserted = enqueue(
        db,
        NewJob::new(
            super::jobs::CREATE_AWB,
            json!({ "order_id": row.id, "account_id": account }),
        )
        .tenant(tenant)
        .key(key.clone())
        .max_attempts(8),
    )
    .await?;
    if inserted.is_none() && retry_parked {
        use crate::entity::job;
        if let Some(existing) = job::Entity::find()
            .filter(job::Column::JobKey.eq(key))
            .filter(job::Column::State.eq("parked"))
            .one(db)
            .await?
        {
            let _ = queue::retry(db, existing.id).await;
        }
    }
    Ok(())
}

fn parse_order(row: &order::Model) -> Result<OrderWebhook, JobError> {
    serde_json::from_value(row.payload.clone())
        .map_err(|e| JobError::permanent(format!("the stored order cannot be read: {e}")))
}

fn recipient(o: &OrderWebhook, row: &order::Model) -> Result<Address, ProviderError> {
    let a = o.shipping_address.as_ref().ok_or_else(|| {
        ProviderError::validation(
            "flux",
            "shipping_address",
            "the order has no shipping address",
        )
    })?;
    let country = a
        .country_code
        .as_deref()
        .and_then(CountryCode::parse)
        .unwrap_or(CountryCode::RO);
    let name = row.customer_name.clone().unwrap_or_else(|| "Client".into());
    let mut b = Address::builder(name, a.city.clone().unwrap_or_default(), country);
    // Couriers keep the house number and the block/apartment apart from the street
    // (MyGLS refuses a parcel without a house number).
    let parts = address::split_street(
        a.address1.as_deref().unwrap_or_default(),
        a.address2.as_deref(),
    );
    if let Some(s) = parts.street {
        b = b.street(s);
    }
    if let Some(n) = parts.number {
        b = b.number(n);
    }
    for line in parts.complement {
        b = b.extra_line(line);
    }
    if let Some(s) = &a.province {
        b = b.region(s);
    }
    if let Some(s) = &a.zip {
        b = b.postal_code(s);
    }
    if let Some(p) = row.phone.as_ref().or(a.phone.as_ref()) {
        b = b.phone(p);
    }
    if let Some(e) = &row.email {
        b = b.email(e);
    }
    if let Some(c) = a.company.as_ref().filter(|c| !c.is_empty()) {
        b = b.company(c);
    }
    Ok(b.build_unchecked())
}

/// The courier-neutral request for an order: weight from the lines, COD for the
/// outstanding amount of a cash-on-delivery order, the locker chosen at checkout.
pub fn shipment_request(
    row: &order::Model,
    settings: &SettingsDoc,
    service: Option<String>,
) -> Result<ShipmentRequest, ProviderError> {
    let o: OrderWebhook = serde_json::from_value(row.payload.clone())
        .map_err(|e| ProviderError::validation("flux", "order", e.to_string()))?;
    let sender = settings.senders.first().ok_or_else(|| {
        ProviderError::validation(
            "flux",
            "senders",
            "set a sender address in the settings first",
        )
    })?;
    let kg = (Decimal::from(row.weight_grams.max(0)) / Decimal::from(1000)).round_dp(3);
    let parcel = Parcel::new(if kg <= Decimal::ZERO {
        Decimal::ONE
    } else {
        kg
    })?;
    let reference = if row.awb_generation == 0 {
        row.name.clone()
    } else {
        format!("{}-{}", row.name, row.awb_generation)
    };
    let mut req = ShipmentRequest::new(
        reference,
        sender.to_address(),
        recipient(&o, row)?,
        vec![parcel],
    );
    req.sender_location_id = sender.pickup_location_id.clone();
    req.service = service;
    req.contents = Some(format!("Comanda {}", row.name));
    let outstanding = super::dec(&row.outstanding);
    if row.cod && outstanding > Decimal::ZERO {
        let currency = Currency::parse(&row.currency)
            .map_err(|e| ProviderError::validation("flux", "currency", e.to_string()))?;
        req.cash_on_delivery = Some(CashOnDelivery {
            amount: Money::new(outstanding, currency),
            collection: CodCollection::Cash,
        });
    }
    if let Some(locker) = &row.locker_id {
        req.delivery = DeliveryTarget::PickupPoint {
            id: locker.clone(),
            kind: PickupPointKind::Locker,
            address: None,
        };
    }
    Ok(req)
}

/// Chooses the courier account: the first matching rule, else the cheapest quote (when
/// asked), else the first account.
pub async fn choose_account(
    state: &AppState,
    row: &order::Model,
    settings: &SettingsDoc,
    accounts: &[courier_account::Model],
) -> Result<(courier_account::Model, Option<String>), ProviderError> {
    let kg = Decimal::from(row.weight_grams.max(0)) / Decimal::from(1000);
    for rule in &settings.rules {
        let county_ok = rule.counties.is_empty()
            || row.county.as_deref().is_some_and(|c| {
                rule.counties
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(c.trim()))
            });
        let weight_ok = rule.max_weight_kg.is_none_or(|max| kg <= max);
        let cod_ok = rule.cod.is_none_or(|cod| cod == row.cod);
        if county_ok
            && weight_ok
            && cod_ok
            && let Some(a) = accounts.iter().find(|a| a.id == rule.account_id)
        {
            return Ok((a.clone(), rule.service.clone()));
        }
    }
    let first = accounts.first().cloned().ok_or_else(|| {
        ProviderError::validation("flux", "couriers", "connect a courier account first")
    })?;
    if !settings.choose_cheapest || accounts.len() < 2 {
        return Ok((first, None));
    }
    let mut best: Option<(Decimal, courier_account::Model)> = None;
    for a in accounts {
        let Ok(courier) = providers::courier_for(state, a).await else {
            continue;
        };
        let Ok(req) = shipment_request(row, settings, None) else {
            continue;
        };
        if let Ok(q) = courier.quote(&req).await
            && best.as_ref().is_none_or(|(p, _)| q.total.amount() < *p)
        {
            best = Some((q.total.amount(), a.clone()));
        }
    }
    Ok((best.map(|(_, a)| a).unwrap_or(first), None))
}

/// Couriers that refuse a delivery address without a house number (MyGLS: error 23).
pub const NEED_HOUSE_NUMBER: &[&str] = &["gls"];

/// The order's failure when `provider` needs a house number the address lacks (a
/// delivery to a locker or parcel shop needs none).
pub fn missing_house_number(provider: &str, req: &ShipmentRequest) -> Option<ProviderError> {
    let to_door = matches!(req.delivery, DeliveryTarget::Door);
    let has_number = req
        .recipient
        .number
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    (NEED_HOUSE_NUMBER.contains(&provider) && to_door && !has_number).then(|| {
        ProviderError::validation(
            "flux",
            "shipping_address.address1",
            "address1 has no house number",
        )
    })
}

fn failure_text(e: &EffectError) -> String {
    match e {
        EffectError::Provider(p) => p.to_string(),
        other => other.to_string(),
    }
}

/// Runs the AWB job of one order.
pub async fn run_create_awb(
    state: &AppState,
    tenant: TenantId,
    order_id: Uuid,
    account: Option<Uuid>,
) -> Result<(), JobError> {
    let Some(row) = scoped::<order::Entity>(tenant)
        .filter(order::Column::Id.eq(order_id))
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    if row.cancelled || super::active_shop(&state.db, tenant).await?.is_none() {
        return Ok(());
    }
    let existing = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::OrderId.eq(row.id))
        .filter(shipment::Column::Generation.eq(row.awb_generation))
        .one(&state.db)
        .await?;
    if existing.is_some() {
        return Ok(());
    }
    let _ = parse_order(&row)?;
    let settings = super::settings::load(state, tenant).await?;
    let accounts = providers::courier_accounts(state, tenant).await?;
    let chosen = match account {
        Some(id) => accounts
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .map(|a| (a, None))
            .ok_or_else(|| {
                ProviderError::validation("flux", "account_id", "no such courier account")
            }),
        None => choose_account(state, &row, &settings, &accounts).await,
    };
    let prepared = match chosen {
        Ok((acc, service)) => match shipment_request(&row, &settings, service) {
            Ok(req) => match missing_house_number(&acc.provider, &req) {
                Some(e) => Err(e),
                None => providers::courier_for(state, &acc)
                    .await
                    .map(|c| (acc, c, req)),
            },
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (acc, courier, req) = match prepared {
        Ok(p) => p,
        Err(e) => {
            super::orders::set_failure(&state.db, tenant, row.id, Some(format!("AWB: {e}")))
                .await?;
            return Err(e.into());
        }
    };
    let courier: Arc<dyn Courier> = courier;
    let spec = EffectSpec {
        tenant,
        kind: "awb",
        provider: courier.provider(),
        idempotency_key: format!("awb:{}:{}", row.id, row.awb_generation),
        request: json!({ "order": row.name, "reference": req.reference, "account_id": acc.id }),
    };
    let since = row.created_at.date_naive() - chrono::Days::new(1);
    let reference = req.reference.clone();
    let lookup_courier = courier.clone();
    let outcome = state
        .effects
        .run(
            &spec,
            || {
                if lookup_courier.capabilities().find_by_reference {
                    Reconcile::Lookup(Box::pin(async move {
                        Ok(lookup_courier
                            .find_by_reference(&reference, since)
                            .await?
                            .map(|c| EffectOutcome {
                                provider_reference: c.id.tracking_number.clone(),
                                details: json!({ "shipment_id": c.id }),
                            }))
                    }))
                } else {
                    Reconcile::Impossible
                }
            },
            || async {
                let created = courier.create_shipment(&req).await?;
                Ok(EffectOutcome {
                    provider_reference: created.id.tracking_number.clone(),
                    // The courier's other ids (GLS `ParcelId`) are needed for the label and
                    // for cancelling.
                    details: json!({
                        "price": created.price.map(|p| p.amount().to_string()),
                        "shipment_id": created.id,
                        "label": created.label.as_ref().and_then(keep_label),
                    }),
                })
            },
        )
        .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            super::orders::set_failure(
                &state.db,
                tenant,
                row.id,
                Some(format!("AWB: {}", failure_text(&e))),
            )
            .await?;
            return Err(e.into());
        }
    };
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let ship = shipment::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        order_id: Set(row.id),
        account_id: Set(Some(acc.id)),
        provider: Set(acc.provider.clone()),
        awb: Set(outcome.provider_reference.clone()),
        generation: Set(row.awb_generation),
        service: Set(req.service.clone()),
        cod_amount: Set(req
            .cash_on_delivery
            .as_ref()
            .map(|c| c.amount.amount().to_string())),
        price: Set(outcome
            .details
            .get("price")
            .and_then(|p| p.as_str())
            .map(str::to_owned)),
        locker_id: Set(row.locker_id.clone()),
        status: Set("active".into()),
        tracking_status: Set("pending".into()),
        events: Set(json!([])),
        fulfillment_id: Set(None),
        cod_paid: Set(false),
        delivered_at: Set(None),
        cancelled_at: Set(None),
        last_tracked_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    enqueue(
        &txn,
        NewJob::new(super::jobs::FULFILL, json!({ "shipment_id": ship.id }))
            .tenant(tenant)
            .key(format!("sales.fulfill:{}", ship.id)),
    )
    .await?;
    super::orders::set_failure(&txn, tenant, row.id, None).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Deserialize)]
struct TrackingNumber {
    number: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExistingFulfillment {
    id: String,
    status: String,
    #[serde(default)]
    tracking_info: Vec<TrackingNumber>,
}

/// Runs the fulfillment job of one shipment: `fulfillmentCreate` with the tracking
/// company, number and URL, at most once (reconciled by looking for a fulfillment that
/// carries the AWB).
pub async fn run_fulfill(
    state: &AppState,
    tenant: TenantId,
    shipment_id: Uuid,
) -> Result<(), JobError> {
    let Some(ship) = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::Id.eq(shipment_id))
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    if ship.status != "active" || ship.fulfillment_id.is_some() {
        return Ok(());
    }
    let Some(shop) = super::active_shop(&state.db, tenant).await? else {
        return Ok(());
    };
    let Some(row) = scoped::<order::Entity>(tenant)
        .filter(order::Column::Id.eq(ship.order_id))
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    let settings = super::settings::load(state, tenant).await?;
    let admin = state.sales.admin(&shop.shop_domain)?;
    let (company, url) = providers::tracking_for(&ship.provider, &ship.awb);
    let spec = EffectSpec {
        tenant,
        kind: "fulfillment",
        provider: "shopify",
        idempotency_key: format!("fulfillment:{}", ship.id),
        request: json!({ "order": row.gid, "awb": ship.awb }),
    };
    // A re-created AWB (the previous one cancelled) moves the existing Shopify
    // fulfillment to the new tracking number: its fulfillment orders are closed.
    let previous = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::OrderId.eq(row.id))
        .filter(shipment::Column::Status.eq("cancelled"))
        .filter(shipment::Column::FulfillmentId.is_not_null())
        .all(&state.db)
        .await?
        .into_iter()
        .max_by_key(|s| s.generation)
        .and_then(|s| s.fulfillment_id);
    let gid = row.gid.clone();
    let awb = ship.awb.clone();
    let outcome = state
        .effects
        .run(
            &spec,
            || {
                let admin = admin.clone();
                let gid = gid.clone();
                let awb = awb.clone();
                Reconcile::Lookup(Box::pin(async move {
                    const Q: &str = "query FluxOrderFulfillments($id: ID!) { order(id: $id) { fulfillments(first: 50) { id status trackingInfo { number } } } }";
                    let found: Option<Vec<ExistingFulfillment>> = admin
                        .query_at(Q, json!({ "id": gid }), &["order", "fulfillments"])
                        .await?;
                    Ok(found.unwrap_or_default().into_iter().find(|f| {
                        f.status != "CANCELLED"
                            && f.tracking_info.iter().any(|t| t.number.as_deref() == Some(awb.as_str()))
                    }).map(|f| EffectOutcome { provider_reference: f.id, details: json!({}) }))
                }))
            },
            || async {
                let tracking =
                    TrackingInfo::new(company, ship.awb.clone()).with_url(url.clone());
                if let Some(fid) = &previous {
                    let f = admin
                        .update_fulfillment_tracking(fid, &tracking, settings.automation.notify_customer)
                        .await?;
                    return Ok(EffectOutcome { provider_reference: f.id, details: json!({ "status": f.status, "updated": true }) });
                }
                let fos = admin.fulfillment_orders(&row.gid).await?;
                let open: Vec<_> = fos
                    .iter()
                    .filter(|f| f.is_fulfillable())
                    .map(|f| FulfillmentOrderLineItemsInput::whole(f.id.clone()))
                    .collect();
                if open.is_empty() {
                    return Err(ProviderError::new(
                        ErrorKind::Conflict,
                        "shopify",
                        "the order has no open fulfillment order",
                    ));
                }
                let input = FulfillmentInput::new(open)
                    .with_tracking(tracking)
                    .notify_customer(settings.automation.notify_customer);
                let f = admin.create_fulfillment(&input, None).await?;
                Ok(EffectOutcome { provider_reference: f.id, details: json!({ "status": f.status }) })
            },
        )
        .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            super::orders::set_failure(
                &state.db,
                tenant,
                row.id,
                Some(format!("Shopify fulfillment: {}", failure_text(&e))),
            )
            .await?;
            return Err(e.into());
        }
    };
    let txn = state.db.begin().await?;
    shipment::Entity::update_many()
        .filter(shipment::Column::Id.eq(ship.id))
        .col_expr(
            shipment::Column::FulfillmentId,
            Some(outcome.provider_reference).into(),
        )
        .col_expr(shipment::Column::UpdatedAt, Utc::now().into())
        .exec(&txn)
        .await?;
    if settings.automation.invoice_on == super::settings::InvoiceTrigger::Fulfilled
        && super::providers::invoicer_configured(&txn, tenant).await?
    {
        super::invoicing::enqueue_invoice(&txn, tenant, row.id).await?;
    }
    super::orders::set_failure(&txn, tenant, row.id, None).await?;
    txn.commit().await?;
    Ok(())
}

/// Which account to use (optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AwbInput {
    /// The courier account; the rules choose when absent.
    #[serde(default)]
    pub account_id: Option<Uuid>,
}

/// Creates the AWB for one order (in a job; poll the order for the result).
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), request_body = AwbInput, responses(
    (status = 202, description = "queued"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/sales/v1/orders/{id}/awb")]
pub async fn create_awb(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Option<web::Json<AwbInput>>,
) -> Result<HttpResponse, ApiError> {
    let row = super::orders::find(&state, session.tenant, path.into_inner()).await?;
    if row.cancelled {
        return Err(ApiError::Conflict("the order is cancelled".into()));
    }
    let account = body.and_then(|b| b.into_inner().account_id);
    if let Some(id) = account
        && !providers::courier_accounts(&state, session.tenant)
            .await?
            .iter()
            .any(|a| a.id == id)
    {
        return Err(ApiError::validation(
            "account_id",
            "no such courier account",
        ));
    }
    enqueue_awb(&state.db, session.tenant, &row, account, true).await?;
    Ok(HttpResponse::Accepted().json(json!({ "order_id": row.id, "status": "queued" })))
}

/// The orders of a batch.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchInput {
    /// Up to 500 order ids.
    pub order_ids: Vec<Uuid>,
}

/// A batch's progress.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    /// Id.
    pub id: Uuid,
    /// Orders in the batch.
    pub total: i32,
    /// With an AWB.
    pub succeeded: usize,
    /// Failed (see each item's error).
    pub failed: usize,
    /// Still waiting.
    pub pending: usize,
    /// Per order.
    pub items: Vec<BatchItemView>,
}

/// One order of a batch.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchItemView {
    /// The order.
    pub order_id: Uuid,
    /// `pending`, `succeeded` or `failed`.
    pub state: String,
    /// The AWB.
    pub awb: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Creates AWBs for up to 500 orders: one job each, run with the worker's bounded
/// concurrency. Poll the batch for progress.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), request_body = BatchInput, responses(
    (status = 202, body = BatchView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/sales/v1/batches")]
pub async fn create_batch(
    session: ShopSession,
    state: web::Data<AppState>,
    body: web::Json<BatchInput>,
) -> Result<HttpResponse, ApiError> {
    let mut ids = body.into_inner().order_ids;
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_BATCH {
        return Err(ApiError::validation(
            "order_ids",
            format!("between 1 and {MAX_BATCH} orders"),
        ));
    }
    let orders = scoped::<order::Entity>(session.tenant)
        .filter(order::Column::Id.is_in(ids.clone()))
        .all(&state.db)
        .await?;
    if orders.len() != ids.len() {
        return Err(ApiError::validation(
            "order_ids",
            "some orders do not exist",
        ));
    }
    let now = Utc::now();
    let batch_id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    batch::ActiveModel {
        id: Set(batch_id),
        tenant_id: Set(session.tenant.0),
        total: Set(i32::try_from(orders.len()).unwrap_or(i32::MAX)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    for o in &orders {
        batch_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(session.tenant.0),
            batch_id: Set(batch_id),
            order_id: Set(o.id),
            state: Set("queued".into()),
            awb: Set(None),
            error: Set(None),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        if !o.cancelled {
            enqueue_awb(&txn, session.tenant, o, None, true).await?;
        }
    }
    txn.commit().await?;
    Ok(HttpResponse::Accepted().json(batch_view(&state, session.tenant, batch_id).await?))
}

async fn batch_view(state: &AppState, tenant: TenantId, id: Uuid) -> Result<BatchView, ApiError> {
    let b = scoped::<batch::Entity>(tenant)
        .filter(batch::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such batch".into()))?;
    let items = scoped::<batch_item::Entity>(tenant)
        .filter(batch_item::Column::BatchId.eq(id))
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = items.iter().map(|i| i.order_id).collect();
    let orders = scoped::<order::Entity>(tenant)
        .filter(order::Column::Id.is_in(ids.clone()))
        .all(&state.db)
        .await?;
    let ships = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::OrderId.is_in(ids))
        .filter(shipment::Column::Status.eq("active"))
        .all(&state.db)
        .await?;
    let mut view = BatchView {
        id,
        total: b.total,
        succeeded: 0,
        failed: 0,
        pending: 0,
        items: Vec::new(),
    };
    for item in items {
        let ship = ships.iter().find(|s| s.order_id == item.order_id);
        let o = orders.iter().find(|o| o.id == item.order_id);
        let (state_name, error) = match (ship, o) {
            (Some(_), _) => ("succeeded", None),
            (None, Some(o)) if o.cancelled => ("failed", Some("the order is cancelled".to_owned())),
            (None, Some(o)) if o.failure_reason.is_some() => ("failed", o.failure_reason.clone()),
            _ => ("pending", None),
        };
        match state_name {
            "succeeded" => view.succeeded += 1,
            "failed" => view.failed += 1,
            _ => view.pending += 1,
        }
        view.items.push(BatchItemView {
            order_id: item.order_id,
            state: state_name.into(),
            awb: ship.map(|s| s.awb.clone()),
            error,
        });
    }
    Ok(view)
}

/// A batch's progress, with failures per order.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), responses(
    (status = 200, body = BatchView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[get("/sales/v1/batches/{id}")]
pub async fn get_batch(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(batch_view(&state, session.tenant, path.into_inner()).await?))
}

async fn active_shipment(
    state: &AppState,
    tenant: TenantId,
    order_id: Uuid,
) -> Result<shipment::Model, ApiError> {
    scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::OrderId.eq(order_id))
        .filter(shipment::Column::Status.eq("active"))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("the order has no AWB".into()))
}

async fn courier_of(
    state: &AppState,
    tenant: TenantId,
    ship: &shipment::Model,
) -> Result<Arc<dyn Courier>, ApiError> {
    let acc = scoped::<courier_account::Entity>(tenant)
        .filter(courier_account::Column::Id.eq(ship.account_id.unwrap_or_default()))
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict("the courier account of this AWB was disconnected".into())
        })?;
    Ok(providers::courier_for(state, &acc).await?)
}

/// The largest label PDF kept from the AWB's creation.
const MAX_KEPT_LABEL: usize = 4 * 1024 * 1024;

/// The label a courier returned with the new AWB, kept when it is a PDF: GLS prints a
/// parcel's label once only (`PrintLabels`), so it cannot be fetched again later.
fn keep_label(doc: &flux_core::courier::Label) -> Option<serde_json::Value> {
    use base64::Engine;
    (doc.format != LabelFormat::Zpl
        && doc.bytes.starts_with(b"%PDF")
        && doc.bytes.len() <= MAX_KEPT_LABEL)
        .then(|| {
            json!({
                "format": format!("{:?}", doc.format),
                "pdf_base64": base64::engine::general_purpose::STANDARD.encode(&doc.bytes),
            })
        })
}

/// What the effects ledger recorded about an AWB's creation: the courier's full id (the
/// AWB and the other ids the courier returned, such as GLS `ParcelId`, needed for labels
/// and cancelling) and the label PDF the courier returned with it, if kept. The AWB alone
/// for a shipment recorded before these were kept.
pub async fn recorded_awb(
    state: &AppState,
    tenant: TenantId,
    ship: &shipment::Model,
) -> Result<(ShipmentId, Option<Vec<u8>>), DbErr> {
    use crate::entity::effect;
    use base64::Engine;
    let key = format!("awb:{}:{}", ship.order_id, ship.generation);
    let outcome = scoped::<effect::Entity>(tenant)
        .filter(effect::Column::IdempotencyKey.eq(key))
        .one(&state.db)
        .await?
        .and_then(|e| e.outcome);
    let id = outcome
        .as_ref()
        .and_then(|o| o.get("shipment_id").cloned())
        .and_then(|v| serde_json::from_value::<ShipmentId>(v).ok())
        .filter(|id| id.tracking_number == ship.awb);
    let kept = outcome
        .as_ref()
        .filter(|_| id.is_some())
        .and_then(|o| o.pointer("/label/pdf_base64"))
        .and_then(|v| v.as_str())
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    Ok((
        id.unwrap_or_else(|| ShipmentId::awb(ship.awb.clone())),
        kept,
    ))
}

/// The label PDF of a shipment: the one kept from its creation, else the courier's.
async fn label_pdf(
    state: &AppState,
    tenant: TenantId,
    courier: &dyn Courier,
    ship: &shipment::Model,
) -> Result<Vec<u8>, ApiError> {
    let (id, kept) = recorded_awb(state, tenant, ship).await?;
    if let Some(pdf) = kept {
        return Ok(pdf);
    }
    Ok(courier.label(&id, pdf_label_format(courier)).await?.bytes)
}

/// The PDF label format to ask `courier` for: one label per A4 page where it prints
/// those, else four per A4 sheet (GLS), else any PDF it prints.
pub fn pdf_label_format(courier: &dyn Courier) -> LabelFormat {
    let formats = courier.capabilities().label_formats;
    [LabelFormat::PdfA4, LabelFormat::PdfA4TwoByTwo]
        .into_iter()
        .find(|f| formats.contains(f))
        .or_else(|| formats.into_iter().find(|f| *f != LabelFormat::Zpl))
        .unwrap_or(LabelFormat::PdfA4)
}

/// The AWB label of an order, as PDF.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), responses(
    (status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[get("/sales/v1/orders/{id}/label")]
pub async fn label(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = super::orders::find(&state, session.tenant, path.into_inner()).await?;
    let ship = active_shipment(&state, session.tenant, row.id).await?;
    let courier = courier_of(&state, session.tenant, &ship).await?;
    let pdf = label_pdf(&state, session.tenant, courier.as_ref(), &ship).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"awb-{}.pdf\"", ship.awb),
        ))
        .body(pdf))
}

/// Cancels an order's AWB at the courier; a new AWB may then be created.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), responses(
    (status = 200, body = super::orders::OrderView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/sales/v1/orders/{id}/awb/cancel")]
pub async fn cancel_awb(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = super::orders::find(&state, session.tenant, path.into_inner()).await?;
    let ship = active_shipment(&state, session.tenant, row.id).await?;
    if ship.fulfillment_id.is_some() && ship.tracking_status != "pending" {
        return Err(ApiError::Conflict(
            "the parcel is already with the courier".into(),
        ));
    }
    let courier = courier_of(&state, session.tenant, &ship).await?;
    courier
        .cancel(&recorded_awb(&state, session.tenant, &ship).await?.0)
        .await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let mut s: shipment::ActiveModel = ship.into();
    s.status = Set("cancelled".into());
    s.tracking_status = Set("cancelled".into());
    s.cancelled_at = Set(Some(now));
    s.updated_at = Set(now);
    s.update(&txn).await?;
    let mut o: order::ActiveModel = row.clone().into();
    o.awb_generation = Set(row.awb_generation + 1);
    o.updated_at = Set(now);
    o.update(&txn).await?;
    let updated = super::orders::set_status(&txn, session.tenant, row.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(super::orders::view(&state.db, session.tenant, updated).await?))
}

/// A courier's price for an order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuoteView {
    /// The account.
    pub account_id: Uuid,
    /// Courier.
    pub provider: String,
    /// Service.
    pub service: Option<String>,
    /// Price.
    pub total: Option<Decimal>,
    /// Currency.
    pub currency: Option<String>,
    /// Why there is no price.
    pub error: Option<String>,
}

/// Quotes every connected courier for an order.
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), responses(
    (status = 200, body = Vec<QuoteView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[get("/sales/v1/orders/{id}/quotes")]
pub async fn quotes(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = super::orders::find(&state, session.tenant, path.into_inner()).await?;
    let settings = super::settings::load(&state, session.tenant).await?;
    let req = shipment_request(&row, &settings, None)?;
    let mut out = Vec::new();
    for acc in providers::courier_accounts(&state, session.tenant).await? {
        let result = match providers::courier_for(&state, &acc).await {
            Ok(c) => c.quote(&req).await,
            Err(e) => Err(e),
        };
        out.push(match result {
            Ok(q) => QuoteView {
                account_id: acc.id,
                provider: acc.provider,
                service: Some(q.service),
                total: Some(q.total.amount()),
                currency: Some(q.total.currency().code().to_owned()),
                error: None,
            },
            Err(e) => QuoteView {
                account_id: acc.id,
                provider: acc.provider,
                service: None,
                total: None,
                currency: None,
                error: Some(e.to_string()),
            },
        });
    }
    Ok(HttpResponse::Ok().json(out))
}

/// How many labels of a batch are fetched from the couriers at once.
const LABEL_CONCURRENCY: usize = 4;

/// The labels of a batch as one PDF, in the batch's order (orders without an AWB yet are
/// left out; their count is in `X-Flux-Labels-Missing`).
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), responses(
    (status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[get("/sales/v1/batches/{id}/labels")]
pub async fn batch_labels(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    use futures::{StreamExt, TryStreamExt};
    let tenant = session.tenant;
    let id = path.into_inner();
    let view = batch_view(&state, tenant, id).await?;
    let ids: Vec<Uuid> = view.items.iter().map(|i| i.order_id).collect();
    let ships = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::OrderId.is_in(ids.clone()))
        .filter(shipment::Column::Status.eq("active"))
        .all(&state.db)
        .await?;
    let ordered: Vec<shipment::Model> = ids
        .iter()
        .filter_map(|o| ships.iter().find(|s| s.order_id == *o).cloned())
        .collect();
    if ordered.is_empty() {
        return Err(ApiError::NotFound(
            "no order of this batch has an AWB yet".into(),
        ));
    }
    let missing = ids.len() - ordered.len();
    let mut couriers: std::collections::HashMap<Option<Uuid>, Arc<dyn Courier>> =
        std::collections::HashMap::new();
    for s in &ordered {
        if let std::collections::hash_map::Entry::Vacant(e) = couriers.entry(s.account_id) {
            e.insert(courier_of(&state, tenant, s).await?);
        }
    }
    let state_ref: &AppState = &state;
    let parts: Vec<Vec<u8>> = futures::stream::iter(ordered.iter().map(|s| {
        let courier = couriers.get(&s.account_id).cloned();
        async move {
            let courier = courier.ok_or_else(|| ApiError::internal("courier missing"))?;
            label_pdf(state_ref, tenant, courier.as_ref(), s).await
        }
    }))
    .buffered(LABEL_CONCURRENCY)
    .try_collect()
    .await?;
    let merged = tokio::task::spawn_blocking(move || super::pdf::merge_pdfs(&parts))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| {
            ApiError::Unavailable(format!("a courier label is not a readable PDF: {e}"))
        })?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("X-Flux-Labels-Missing", missing.to_string()))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"batch-{id}.pdf\""),
        ))
        .body(merged))
}
