//! Webhooks: the signature is checked before anything else (401 on failure); a delivery
//! whose `X-Shopify-Webhook-Id` was seen is ignored; otherwise the raw event is stored and
//! its job enqueued in one transaction — grouped with other deliveries by
//! [`crate::ingest`] — and the 200 goes out once that transaction has committed (5xx when
//! it failed, 503 when too many deliveries are waiting: Shopify retries both). The job
//! does the work.

#![allow(unreachable_pub)]

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use flux_shopify::webhooks::{OrderWebhook, WebhookTopic};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;

use super::entity::webhook_event;
use crate::http::error::{ApiError, ErrorBody};
use crate::ingest::{IngestError, NewWebhook};
use crate::jobs::JobError;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// Receives every Shopify webhook topic (orders, fulfillments, `app/uninstalled` and
/// the compliance topics).
#[utoipa::path(tag = super::TAG_WEBHOOKS, request_body(content = String, content_type = "application/json"), responses(
    (status = 200, description = "stored (or a duplicate, ignored)"),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 500, body = ErrorBody), (status = 503, body = ErrorBody)
))]
#[post("/sales/webhooks/shopify")]
pub async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let app = state
        .sales
        .shopify()
        .ok_or_else(|| ApiError::Unavailable("FluxSales is not configured".into()))?;
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let verified = app
        .webhook_verifier()
        .verify(&headers, &body)
        .map_err(|e| {
            if e.is_unauthorized() {
                ApiError::Unauthorized("the webhook signature is missing or wrong".into())
            } else {
                ApiError::BadRequest(e.to_string())
            }
        })?;
    let flux_shopify::webhooks::VerifiedWebhook {
        headers: h, body, ..
    } = verified;
    let Some(tenant) = super::auth::tenant_of(&state, h.shop.as_str()).await? else {
        // A shop we hold nothing for: nothing to store, export or erase.
        return Ok(HttpResponse::Ok().finish());
    };
    let payload = String::from_utf8(body)
        .map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))?;
    let hook = NewWebhook {
        tenant,
        webhook_id: h.webhook_id,
        topic: h.topic.to_string(),
        shop_domain: h.shop.as_str().to_owned(),
        event_id: h.event_id,
        triggered_at: h.triggered_at,
        payload,
        received_at: Utc::now(),
        job_kind: super::jobs::WEBHOOK,
        job_priority: if h.topic == WebhookTopic::AppUninstalled {
            10
        } else {
            0
        },
    };
    // Answered only after the transaction holding the event (and its job) committed.
    match state.ingest.store(hook).await {
        Ok(_) => Ok(HttpResponse::Ok().finish()),
        Err(IngestError::Busy) => Ok(HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(ErrorBody {
                error: "unavailable".into(),
                message: "too many webhooks are waiting to be stored; retry".into(),
                field: None,
                request_id: crate::http::request_id::current_request_id(),
            })),
        Err(IngestError::Stopped) => Err(ApiError::Unavailable("the service is stopping".into())),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// Processes one stored webhook event.
pub async fn process(state: &AppState, tenant: TenantId, event_id: Uuid) -> Result<(), JobError> {
    let Some(event) = scoped::<webhook_event::Entity>(tenant)
        .filter(webhook_event::Column::Id.eq(event_id))
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    let result = dispatch(state, tenant, &event).await;
    let (status, error) = match &result {
        Ok(()) => ("processed", None),
        Err(JobError::Permanent { message }) => ("failed", Some(message.clone())),
        Err(_) => return result,
    };
    // The shop may have been erased by this very event.
    let mut update = webhook_event::Entity::update_many()
        .filter(webhook_event::Column::Id.eq(event.id))
        .col_expr(webhook_event::Column::Status, status.into())
        .col_expr(webhook_event::Column::Error, error.into())
        .col_expr(webhook_event::Column::ProcessedAt, Some(Utc::now()).into());
    if status == "processed"
        && matches!(
            WebhookTopic::from(event.topic.as_str()),
            WebhookTopic::CustomersDataRequest | WebhookTopic::CustomersRedact
        )
    {
        // A compliance request names the customer (email, phone): once carried out, its
        // body is not kept.
        update = update.col_expr(webhook_event::Column::Payload, "{}".into());
    }
    update.exec(&state.db).await?;
    result
}

fn body<T: serde::de::DeserializeOwned>(event: &webhook_event::Model) -> Result<T, JobError> {
    serde_json::from_str(&event.payload)
        .map_err(|e| JobError::permanent(format!("the {} body cannot be read: {e}", event.topic)))
}

async fn dispatch(
    state: &AppState,
    tenant: TenantId,
    event: &webhook_event::Model,
) -> Result<(), JobError> {
    match WebhookTopic::from(event.topic.as_str()) {
        WebhookTopic::OrdersCreate
        | WebhookTopic::OrdersUpdated
        | WebhookTopic::OrdersPaid
        | WebhookTopic::OrdersCancelled => {
            if super::active_shop(&state.db, tenant).await?.is_none() {
                return Ok(());
            }
            let raw: serde_json::Value = body(event)?;
            let order: OrderWebhook = body(event)?;
            store_order(state, tenant, raw, &order).await
        }
        WebhookTopic::AppUninstalled => super::privacy::uninstall(state, tenant)
            .await
            .map_err(Into::into),
        WebhookTopic::CustomersDataRequest => {
            let b: flux_shopify::webhooks::CustomersDataRequestWebhook = body(event)?;
            super::privacy::customer_export(state, tenant, b.customer.id, &b.orders_requested)
                .await
                .map(|_| ())
                .map_err(Into::into)
        }
        WebhookTopic::CustomersRedact => {
            let b: flux_shopify::webhooks::CustomersRedactWebhook = body(event)?;
            super::privacy::redact_customer(state, tenant, b.customer.id, &b.orders_to_redact)
                .await
                .map_err(Into::into)
        }
        WebhookTopic::ShopRedact => super::privacy::erase_shop(state, tenant)
            .await
            .map_err(Into::into),
        _ => Ok(()),
    }
}

/// Stores an order and enqueues what the automation asks for, in one transaction.
pub async fn store_order(
    state: &AppState,
    tenant: TenantId,
    raw: serde_json::Value,
    order: &OrderWebhook,
) -> Result<(), JobError> {
    let settings = super::settings::load(state, tenant).await?;
    let has_couriers = !super::providers::courier_accounts(state, tenant)
        .await?
        .is_empty();
    let has_invoicing = super::providers::invoicer_configured(&state.db, tenant).await?;
    let txn = state.db.begin().await?;
    let row = super::orders::upsert_from_webhook(&txn, tenant, raw, order).await?;
    super::orders::automate(&txn, tenant, &settings, &row, has_couriers, has_invoicing).await?;
    txn.commit().await?;
    Ok(())
}
