//! The backfill of recent orders at install: the shop's orders of the last
//! [`BACKFILL_DAYS`] days are read through the Admin GraphQL API and stored exactly as the
//! webhook path stores them. [`webhook_body`] turns a GraphQL [`Order`] into the body
//! Shopify's order webhooks carry, so both paths go through the one mapping,
//! [`super::orders::upsert_from_webhook`], and every later step (AWB, invoice, export,
//! redaction) reads one shape.

use chrono::Utc;
use flux_shopify::ops::orders::{LineItem, Order};
use flux_shopify::types::{MailingAddress, MoneyBag};
use flux_shopify::webhooks::OrderWebhook;
use futures::StreamExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};
use serde_json::{Value, json};

use super::entity::order;
use crate::jobs::JobError;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// How far back the backfill reaches.
pub const BACKFILL_DAYS: i64 = 60;
/// The most orders one backfill stores.
pub const BACKFILL_MAX: usize = 500;

/// The numeric id at the end of a GID (`gid://shopify/Order/123` → 123).
fn numeric(gid: &str) -> Option<u64> {
    gid.rsplit('/').next()?.split('?').next()?.parse().ok()
}

fn amount(m: &MoneyBag) -> Decimal {
    m.shop_money.amount
}

fn address(a: &MailingAddress) -> Value {
    json!({
        "name": a.name, "first_name": a.first_name, "last_name": a.last_name,
        "company": a.company, "address1": a.address1, "address2": a.address2,
        "city": a.city, "province": a.province, "province_code": a.province_code,
        "zip": a.zip, "country": a.country, "country_code": a.country_code_v2,
        "phone": a.phone,
    })
}

fn line(l: &LineItem, n: usize) -> Value {
    let grams = l
        .unit_weight()
        .map(|w| (w.kilograms() * Decimal::from(1000)).round())
        .and_then(|g| i64::try_from(g).ok());
    let discount = l.total_discount_set.as_ref().map(amount);
    json!({
        "id": numeric(&l.id).unwrap_or(n as u64),
        "admin_graphql_api_id": l.id,
        "title": l.name, "name": l.name, "sku": l.sku,
        "quantity": l.quantity, "current_quantity": l.current_quantity,
        "price": amount(&l.original_unit_price_set), "grams": grams,
        "requires_shipping": l.requires_shipping,
        "variant_id": l.variant.as_ref().and_then(|v| numeric(&v.id)),
        "tax_lines": l.tax_lines.iter().map(|t| json!({
            "title": t.title, "price": amount(&t.price_set), "rate": t.rate.unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "discount_allocations": discount
            .filter(|d| *d > Decimal::ZERO)
            .map(|d| vec![json!({ "amount": d })])
            .unwrap_or_default(),
    })
}

/// The order webhook body of a GraphQL order, parsed and raw.
pub fn webhook_body(o: &Order) -> Result<(Value, OrderWebhook), String> {
    let id = numeric(&o.id).ok_or_else(|| format!("{} is not an order GID", o.id))?;
    let financial = o
        .display_financial_status
        .as_ref()
        .and_then(|s| serde_json::to_value(s).ok())
        .and_then(|v| v.as_str().map(str::to_ascii_lowercase));
    let customer = o.customer.as_ref().and_then(|c| {
        Some(json!({
            "id": numeric(&c.id)?, "admin_graphql_api_id": c.id,
            "email": c.default_email_address, "phone": c.default_phone_number,
            "first_name": c.first_name, "last_name": c.last_name,
        }))
    });
    let shipping = o
        .total_shipping_price_set
        .as_ref()
        .map(amount)
        .filter(|p| *p > Decimal::ZERO)
        .map(|p| vec![json!({ "title": "Transport", "price": p, "tax_lines": [] })])
        .unwrap_or_default();
    let grams = (o.total_weight_kg() * Decimal::from(1000)).round();
    let raw = json!({
        "id": id, "admin_graphql_api_id": o.id, "name": o.name,
        "email": o.email.clone().or_else(|| o.customer.as_ref().and_then(|c| c.default_email_address.clone())),
        "phone": o.phone, "currency": o.currency_code, "financial_status": financial,
        "payment_gateway_names": o.payment_gateway_names, "note": o.note,
        "tags": o.tags.join(", "),
        "note_attributes": o.custom_attributes.iter()
            .map(|a| json!({ "name": a.key, "value": a.value })).collect::<Vec<_>>(),
        "taxes_included": o.taxes_included,
        "total_price": amount(&o.total_price_set),
        "current_total_price": o.current_total_price_set.as_ref().map(amount),
        "subtotal_price": o.subtotal_price_set.as_ref().map(amount),
        "total_tax": o.total_tax_set.as_ref().map(amount),
        "total_discounts": o.total_discounts_set.as_ref().map(amount),
        "total_weight": i64::try_from(grams).ok(),
        "customer": customer,
        "shipping_address": o.shipping_address.as_ref().map(address),
        "billing_address": o.billing_address.as_ref().map(address),
        "line_items": o.line_items.nodes.iter().enumerate().map(|(i, l)| line(l, i)).collect::<Vec<_>>(),
        "shipping_lines": shipping,
        "created_at": o.created_at, "processed_at": o.processed_at, "cancelled_at": o.cancelled_at,
    });
    let parsed: OrderWebhook = serde_json::from_value(raw.clone())
        .map_err(|e| format!("order {} does not map to a webhook body: {e}", o.name))?;
    Ok((raw, parsed))
}

/// Runs the backfill of `tenant`: stores the recent orders it does not hold yet (a stored
/// order came by webhook and is at least as new). No automation runs for them: the
/// merchant decides what to ship or invoice from the list. Returns how many were stored.
pub async fn run(state: &AppState, tenant: TenantId) -> Result<usize, JobError> {
    let Some(shop) = super::active_shop(&state.db, tenant).await? else {
        return Ok(0);
    };
    let admin = state.sales.admin(&shop.shop_domain)?;
    let since = (Utc::now() - chrono::Duration::days(BACKFILL_DAYS)).date_naive();
    let search = format!("created_at:>={since}");
    let mut stream = Box::pin(admin.orders(Some(&search)).take(BACKFILL_MAX));
    let mut stored = 0;
    while let Some(next) = stream.next().await {
        let o = next.map_err(flux_core::ProviderError::from)?;
        let (raw, parsed) = match webhook_body(&o) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(order = %o.name, error = %e, "an order could not be backfilled");
                continue;
            }
        };
        let known = scoped::<order::Entity>(tenant)
            .filter(order::Column::ShopifyId.eq(i64::try_from(parsed.id).unwrap_or(i64::MAX)))
            .one(&state.db)
            .await?;
        if known.is_some() {
            continue;
        }
        let txn = state.db.begin().await?;
        super::orders::upsert_from_webhook(&txn, tenant, raw, &parsed).await?;
        txn.commit().await?;
        stored += 1;
    }
    Ok(stored)
}
