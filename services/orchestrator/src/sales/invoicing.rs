//! Invoicing: one invoice per order (B2C, or B2B when the order carries a company and a
//! CIF with a valid check digit), shipping and discounts as lines, VAT by the supply
//! date, the link stored; storno when the order is cancelled. Through the effects ledger:
//! Oblio deduplicates by our `idempotencyKey`; SmartBill cannot be searched, so an unknown
//! outcome is parked for a person.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, post, web};
use chrono::{TimeZone, Utc};
use flux_core::invoicer::{
    Discount, DocumentKind, DocumentRef, InvoiceLine, InvoiceRequest, LineKind, ReverseRequest,
};
use flux_core::{Cif, Currency, Party, ProviderError, VatCategory};
use flux_shopify::webhooks::{OrderWebhook, WebhookTaxLine};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::auth::ShopSession;
use super::entity::{invoice, order};
use crate::effects::{EffectOutcome, EffectSpec, Reconcile};
use crate::http::error::{ApiError, ErrorBody};
use crate::jobs::queue::enqueue;
use crate::jobs::{JobError, NewJob};
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// Enqueues the order's invoice job (one per order).
pub async fn enqueue_invoice<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    order_id: Uuid,
) -> Result<(), DbErr> {
    enqueue(
        db,
        NewJob::new(super::jobs::CREATE_INVOICE, json!({ "order_id": order_id }))
            .tenant(tenant)
            .key(format!("sales.invoice:{order_id}"))
            .max_attempts(8),
    )
    .await
    .map(|_| ())
}

fn vat_of(lines: &[WebhookTaxLine]) -> VatCategory {
    // The rate itself comes from the supply date (flux_core::vat); Shopify's tax line
    // only tells which category the product is in.
    match lines.first().map(|t| t.rate) {
        Some(r) if r == Decimal::ZERO && !lines.is_empty() => VatCategory::Exempt,
        Some(r) if r > Decimal::ZERO && r < Decimal::new(15, 2) => VatCategory::Reduced,
        _ => VatCategory::Standard,
    }
}

/// The customer: a Romanian company when the order carries a company and a valid CIF,
/// otherwise a person.
pub fn client_of(row: &order::Model) -> Result<Party, ProviderError> {
    let name = row.customer_name.clone().unwrap_or_else(|| "Client".into());
    let mut party = match (&row.company, &row.cif) {
        (Some(company), Some(cif)) => {
            let cif = Cif::parse(cif).map_err(|e| {
                ProviderError::validation(
                    "flux",
                    "cif",
                    format!("the order's CIF is not valid: {e}"),
                )
            })?;
            Party::ro_company(company.clone(), cif, true)
        }
        _ => Party::person(name),
    };
    if let Some(e) = &row.email {
        party = party.with_email(e.clone());
    }
    Ok(party)
}

/// The invoice request for an order.
pub fn invoice_request(
    row: &order::Model,
    series: &str,
    send_email: bool,
) -> Result<InvoiceRequest, ProviderError> {
    let o: OrderWebhook = serde_json::from_value(row.payload.clone())
        .map_err(|e| ProviderError::validation("flux", "order", e.to_string()))?;
    let currency = Currency::parse(&row.currency)
        .map_err(|e| ProviderError::validation("flux", "currency", e.to_string()))?;
    let bucharest = chrono_tz::Europe::Bucharest;
    let supply = bucharest
        .from_utc_datetime(&row.placed_at.naive_utc())
        .date_naive();
    let today = Utc::now().with_timezone(&bucharest).date_naive();
    let mut lines = Vec::new();
    for l in &o.line_items {
        let qty = l.current_quantity.unwrap_or(l.quantity);
        if qty <= 0 {
            continue;
        }
        let mut line = InvoiceLine::new(
            l.title
                .clone()
                .or_else(|| l.name.clone())
                .unwrap_or_else(|| "Produs".into()),
            Decimal::from(qty),
            l.price,
            vat_of(&l.tax_lines),
        );
        if let Some(sku) = l.sku.as_ref().filter(|s| !s.is_empty()) {
            line = line.with_code(sku.clone());
        }
        let discount: Decimal = l.discount_allocations.iter().map(|d| d.amount).sum();
        if discount > Decimal::ZERO {
            line = line.with_discount(Discount::Amount(discount));
        }
        lines.push(line);
    }
    for s in &o.shipping_lines {
        if s.price > Decimal::ZERO {
            lines.push(
                InvoiceLine::new(
                    s.title.clone().unwrap_or_else(|| "Transport".into()),
                    Decimal::ONE,
                    s.price,
                    vat_of(&s.tax_lines),
                )
                .with_kind(LineKind::Shipping),
            );
        }
    }
    let mut req = InvoiceRequest::new(
        format!("invoice:{}", row.id),
        series,
        today,
        client_of(row)?,
        currency,
    )
    .with_lines(lines);
    req.supply_date = Some(supply.min(today));
    req.prices_include_vat = o.taxes_included.unwrap_or(true);
    req.mentions = Some(format!("Comanda {}", row.name));
    req.send_email = send_email && row.email.is_some();
    req.validate()?;
    Ok(req)
}

/// Runs the invoice job of one order.
pub async fn run_create_invoice(
    state: &AppState,
    tenant: TenantId,
    order_id: Uuid,
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
    let existing = scoped::<invoice::Entity>(tenant)
        .filter(invoice::Column::OrderId.eq(row.id))
        .filter(invoice::Column::Kind.eq("invoice"))
        .one(&state.db)
        .await?;
    if existing.is_some() {
        return Ok(());
    }
    let Some((conn, client)) = super::providers::invoicer_for(state, tenant).await? else {
        // No connection: no invoicing call, ever.
        return Ok(());
    };
    let req = match invoice_request(&row, &conn.series, conn.send_email) {
        Ok(r) => r,
        Err(e) => {
            super::orders::set_failure(&state.db, tenant, row.id, Some(format!("invoice: {e}")))
                .await?;
            return Err(e.into());
        }
    };
    let caps = client.capabilities();
    let spec = EffectSpec {
        tenant,
        kind: "invoice",
        provider: client.provider(),
        idempotency_key: req.idempotency_key.clone(),
        request: json!({ "order": row.name, "series": conn.series }),
    };
    let lookup = client.clone();
    let key = req.idempotency_key.clone();
    let result = state
        .effects
        .run(
            &spec,
            || {
                if caps.idempotent_create {
                    Reconcile::ProviderDeduplicates
                } else if caps.read_documents {
                    Reconcile::Lookup(Box::pin(async move {
                        Ok(lookup
                            .find_by_idempotency_key(DocumentKind::Invoice, &key)
                            .await?
                            .map(|d| EffectOutcome {
                                provider_reference: d.reference.to_string(),
                                details: json!({ "series": d.reference.series, "number": d.reference.number, "link": d.link }),
                            }))
                    }))
                } else {
                    Reconcile::Impossible
                }
            },
            || async {
                let d = client.create_invoice(&req).await?;
                Ok(EffectOutcome {
                    provider_reference: d.reference.to_string(),
                    details: json!({
                        "series": d.reference.series,
                        "number": d.reference.number,
                        "link": d.link,
                        "total": d.total.map(|t| t.amount().to_string()),
                    }),
                })
            },
        )
        .await;
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            super::orders::set_failure(&state.db, tenant, row.id, Some(format!("invoice: {e}")))
                .await?;
            return Err(e.into());
        }
    };
    let text = |k: &str| {
        outcome
            .details
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let now = Utc::now();
    let issued = invoice::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        order_id: Set(row.id),
        provider: Set(conn.provider.clone()),
        kind: Set("invoice".into()),
        series: Set(text("series").unwrap_or_else(|| conn.series.clone())),
        number: Set(text("number").unwrap_or_else(|| outcome.provider_reference.clone())),
        link: Set(text("link")),
        status: Set("issued".into()),
        total: Set(text("total")),
        created_at: Set(now),
        updated_at: Set(now),
    };
    record_invoice(&state.db, tenant, row.id, issued).await?;
    Ok(())
}

/// Enqueues the storno of a cancelled order's invoice (one per order), in the caller's
/// transaction.
pub async fn enqueue_storno<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    order_id: Uuid,
) -> Result<(), DbErr> {
    enqueue(
        db,
        NewJob::new(super::jobs::CANCEL_INVOICE, json!({ "order_id": order_id }))
            .tenant(tenant)
            .key(format!("sales.storno:{order_id}")),
    )
    .await
    .map(|_| ())
}

/// Stores an order's issued invoice and clears its failure, holding the order row. The
/// invoice was issued from a read of the order taken before the provider call: if the
/// order was cancelled meanwhile, its cancellation (which locks the same row, see
/// [`super::orders::upsert_from_webhook`]) found no invoice to reverse, so the storno is
/// enqueued here. Whichever of the two commits second sees the other's write.
pub async fn record_invoice<C: TransactionTrait>(
    db: &C,
    tenant: TenantId,
    order_id: Uuid,
    issued: invoice::ActiveModel,
) -> Result<(), DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let cancelled = scoped::<order::Entity>(tenant)
        .filter(order::Column::Id.eq(order_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .is_some_and(|o| o.cancelled);
    issued.insert(&txn).await?;
    if cancelled {
        enqueue_storno(&txn, tenant, order_id).await?;
    }
    super::orders::set_failure(&txn, tenant, order_id, None).await?;
    txn.commit().await
}

/// Runs the storno job of a cancelled order: reverses its issued invoice (or cancels it
/// where the platform has no storno).
pub async fn run_cancel_invoice(
    state: &AppState,
    tenant: TenantId,
    order_id: Uuid,
) -> Result<(), JobError> {
    let Some(inv) = scoped::<invoice::Entity>(tenant)
        .filter(invoice::Column::OrderId.eq(order_id))
        .filter(invoice::Column::Kind.eq("invoice"))
        .filter(invoice::Column::Status.eq("issued"))
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    let Some((conn, client)) = super::providers::invoicer_for(state, tenant).await? else {
        return Ok(());
    };
    let doc = DocumentRef::new(
        DocumentKind::Invoice,
        inv.series.clone(),
        inv.number.clone(),
    );
    let key = format!("storno:{}", inv.id);
    let caps = client.capabilities();
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Bucharest)
        .date_naive();
    // The connection's storno series numbers the storno where the platform allows it
    // (Oblio); SmartBill always numbers a storno in the invoice's own series.
    let mut request = ReverseRequest::new(doc.clone(), today, key.clone());
    if let Some(series) = conn
        .storno_series
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if caps.storno_series {
            request = request.with_series(series);
        } else if series != doc.series {
            tracing::warn!(
                tenant = %tenant,
                provider = client.provider(),
                storno_series = series,
                invoice = %doc,
                "the platform numbers a storno in the invoice's own series; the storno series is not used"
            );
        }
    }
    let spec = EffectSpec {
        tenant,
        kind: "invoice_storno",
        provider: client.provider(),
        idempotency_key: key.clone(),
        request: json!({ "invoice": doc.to_string(), "series": request.target_series() }),
    };
    let outcome = state
        .effects
        .run(
            &spec,
            || if caps.idempotent_create { Reconcile::ProviderDeduplicates } else { Reconcile::Impossible },
            || async {
                match client.reverse_with(&request).await {
                    Ok(d) => Ok(EffectOutcome {
                        provider_reference: d.reference.to_string(),
                        details: json!({ "series": d.reference.series, "number": d.reference.number, "link": d.link }),
                    }),
                    Err(e) if e.is_unsupported() => {
                        client.cancel(&doc).await?;
                        Ok(EffectOutcome { provider_reference: doc.to_string(), details: json!({ "cancelled": true }) })
                    }
                    Err(e) => Err(e),
                }
            },
        )
        .await?;
    let now = Utc::now();
    let cancelled = outcome.details.get("cancelled").is_some();
    let mut a: invoice::ActiveModel = inv.clone().into();
    a.status = Set(if cancelled {
        "cancelled".into()
    } else {
        "reversed".into()
    });
    a.updated_at = Set(now);
    a.update(&state.db).await?;
    if !cancelled {
        let text = |k: &str| {
            outcome
                .details
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        invoice::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            order_id: Set(order_id),
            provider: Set(conn.provider),
            kind: Set("storno".into()),
            series: Set(text("series").unwrap_or(inv.series)),
            number: Set(text("number").unwrap_or_else(|| outcome.provider_reference.clone())),
            link: Set(text("link")),
            status: Set("issued".into()),
            total: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&state.db)
        .await?;
    }
    Ok(())
}

/// Issues the order's invoice (in a job; poll the order for the result).
#[utoipa::path(tag = super::TAG_ORDERS, security(("shopify_session_token" = [])), responses(
    (status = 202, description = "queued"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/sales/v1/orders/{id}/invoice")]
pub async fn create_invoice(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = super::orders::find(&state, session.tenant, path.into_inner()).await?;
    if row.cancelled {
        return Err(ApiError::Conflict("the order is cancelled".into()));
    }
    if !super::providers::invoicer_configured(&state.db, session.tenant).await? {
        return Err(ApiError::Conflict(
            "connect Oblio or SmartBill first".into(),
        ));
    }
    invoice_request(&row, "CHECK", false)?;
    enqueue_invoice(&state.db, session.tenant, row.id).await?;
    Ok(HttpResponse::Accepted().json(json!({ "order_id": row.id, "status": "queued" })))
}
