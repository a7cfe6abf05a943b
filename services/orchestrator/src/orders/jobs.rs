//! FluxOrders background jobs.
//!
//! | kind | when | what |
//! |---|---|---|
//! | `orders.sweep` | recurring | deletes expired sessions, old login failures and stale OAuth states |
//! | `orders.qb_refresh` | recurring | refreshes QuickBooks tokens ahead of expiry; marks dead connections `reconnect_needed` |
//! | `orders.qb_sync_all` | recurring | enqueues an incremental sync for every connected organization |
//! | `orders.qb_sync` | connect, API, webhook | first full sync of customers and items, then CDC |
//! | `orders.qb_push` | order confirmed, API | creates the estimate or invoice, at most once (effects ledger) |
//! | `orders.qb_email` | API | emails the QuickBooks document (effects ledger) |

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use flux_core::Accounting;
use flux_core::accounting::{
    AccountingCustomer, AccountingDocumentKind, AccountingItem, CustomerInput,
    SalesDocumentRequest, SalesLine, TaxTreatment,
};
use flux_quickbooks::types::{Customer, Item};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::entity::{
    address, customer, login_failure, order, order_item, product, qb_connection, session,
};
use super::quickbooks::{self as qb, QbError, status};
use super::validate;
use crate::effects::{EffectOutcome, EffectSpec, Reconcile};
use crate::entity::job;
use crate::jobs::queue::{NewJob, enqueue};
use crate::jobs::{JobContext, JobError, JobHandler};
use crate::startup::ApplicationBuilder;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// Registers FluxOrders' handlers and recurring jobs.
pub fn register(
    builder: ApplicationBuilder,
    settings: &crate::config::Settings,
) -> ApplicationBuilder {
    let o = &settings.orders;
    builder
        .job_handler(Arc::new(Sweep))
        .job_handler(Arc::new(RefreshTokens))
        .job_handler(Arc::new(SyncAll))
        .job_handler(Arc::new(Sync))
        .job_handler(Arc::new(Push))
        .job_handler(Arc::new(Email))
        .recurring(SWEEP, Duration::from_secs(o.sweep_interval_secs.max(10)))
        .recurring(
            REFRESH,
            Duration::from_secs(o.quickbooks_refresh_interval_secs.max(10)),
        )
        .recurring(SYNC_ALL, Duration::from_secs(15 * 60))
}

/// Job kinds.
pub const SWEEP: &str = "orders.sweep";
/// Token refresh.
pub const REFRESH: &str = "orders.qb_refresh";
/// Sync of every connected organization.
pub const SYNC_ALL: &str = "orders.qb_sync_all";
/// Sync of one organization.
pub const SYNC: &str = "orders.qb_sync";
/// Push of one order.
pub const PUSH: &str = "orders.qb_push";
/// Email of one order's document.
pub const EMAIL: &str = "orders.qb_email";

fn tenant_of(job: &job::Model) -> Result<TenantId, JobError> {
    job.tenant_id
        .map(TenantId)
        .ok_or_else(|| JobError::permanent("the job has no tenant"))
}

/// Enqueues a sync for `tenant` on `db`, unless one is already waiting to start (it will
/// see the same changes): webhooks in a burst coalesce into one sync.
pub async fn enqueue_sync<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: TenantId,
) -> Result<Option<Uuid>, sea_orm::DbErr> {
    let waiting = job::Entity::find()
        .filter(job::Column::Kind.eq(SYNC))
        .filter(job::Column::TenantId.eq(tenant.0))
        .filter(job::Column::State.eq("queued"))
        .one(db)
        .await?;
    if waiting.is_some() {
        return Ok(None);
    }
    enqueue(
        db,
        NewJob::new(SYNC, json!({})).tenant(tenant).max_attempts(5),
    )
    .await
}

/// Sweeps expired sessions, old login failures and stale OAuth states.
pub struct Sweep;

#[async_trait]
impl JobHandler for Sweep {
    fn kind(&self) -> &'static str {
        SWEEP
    }
    async fn run(&self, ctx: &JobContext, _job: &job::Model) -> Result<(), JobError> {
        let db = &ctx.state.db;
        let now = Utc::now();
        let sessions = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(db)
            .await?
            .rows_affected;
        let window = chrono::Duration::minutes(ctx.state.settings.orders.login_lockout_minutes);
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::CreatedAt.lt(now - window))
            .exec(db)
            .await?;
        qb_connection::Entity::update_many()
            .filter(qb_connection::Column::OauthStateExpiresAt.lt(now))
            .col_expr(
                qb_connection::Column::OauthStateHash,
                Option::<String>::None.into(),
            )
            .col_expr(
                qb_connection::Column::OauthStateExpiresAt,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .exec(db)
            .await?;
        tracing::info!(sessions, "swept expired sessions");
        Ok(())
    }
}

/// Refreshes QuickBooks tokens that expire within 15 minutes, for every connected
/// organization (a system job: it reads every tenant's connection on purpose).
pub struct RefreshTokens;

#[async_trait]
impl JobHandler for RefreshTokens {
    fn kind(&self) -> &'static str {
        REFRESH
    }
    async fn run(&self, ctx: &JobContext, _job: &job::Model) -> Result<(), JobError> {
        let state = &ctx.state;
        let connections = qb_connection::Entity::find()
            .filter(qb_connection::Column::Status.eq(status::CONNECTED))
            .all(&state.db)
            .await?;
        for conn in connections {
            let tenant = TenantId(conn.tenant_id);
            if let Err(e) = refresh_one(state, tenant, &conn).await {
                tracing::warn!(%tenant, error = %e, "QuickBooks token refresh failed");
            }
        }
        Ok(())
    }
}

/// Refreshes one organization's tokens when the access token expires within 15 minutes.
pub async fn refresh_one(
    state: &AppState,
    tenant: TenantId,
    conn: &qb_connection::Model,
) -> Result<bool, QbError> {
    let realm = conn.realm_id.clone().ok_or(QbError::NotConnected)?;
    let tokens = qb::stored_tokens(state, tenant, &realm).await?;
    if tokens.access_token_expires_at > Utc::now() + chrono::Duration::minutes(15) {
        return Ok(false);
    }
    let oauth = qb::oauth(state)?;
    match oauth
        .refresh(
            &realm,
            &tokens.refresh_token,
            tokens.refresh_token_hard_expires_at,
        )
        .await
    {
        Ok(fresh) => {
            qb::save_tokens(&state.credentials, tenant, &fresh).await?;
            state.orders.quickbooks.forget(tenant);
            Ok(true)
        }
        Err(e) => {
            qb::note_error(state, tenant, &e).await;
            Err(e.into())
        }
    }
}

/// Enqueues a sync for every connected organization.
pub struct SyncAll;

#[async_trait]
impl JobHandler for SyncAll {
    fn kind(&self) -> &'static str {
        SYNC_ALL
    }
    async fn run(&self, ctx: &JobContext, _job: &job::Model) -> Result<(), JobError> {
        let connections = qb_connection::Entity::find()
            .filter(qb_connection::Column::Status.eq(status::CONNECTED))
            .all(&ctx.state.db)
            .await?;
        for conn in connections {
            enqueue_sync(&ctx.state.db, TenantId(conn.tenant_id)).await?;
        }
        Ok(())
    }
}

/// Syncs one organization's customers and items from QuickBooks: everything the first
/// time, then the changes since the cursor (CDC, 30 days at most; a full pass otherwise).
pub struct Sync;

#[async_trait]
impl JobHandler for Sync {
    fn kind(&self) -> &'static str {
        SYNC
    }
    async fn run(&self, ctx: &JobContext, job: &job::Model) -> Result<(), JobError> {
        let tenant = tenant_of(job)?;
        let state = &ctx.state;
        let Some(conn) = qb::connection(state, tenant).await? else {
            return Ok(());
        };
        if conn.status != status::CONNECTED {
            return Ok(());
        }
        let client = qb::client(state, tenant).await?;
        let started = Utc::now();
        let currency = if conn.country.as_deref() == Some("CA") {
            "CAD"
        } else {
            "USD"
        };
        let full = match conn.sync_cursor {
            Some(cursor)
                if conn.last_full_sync_at.is_some()
                    && started - cursor < chrono::Duration::days(29) =>
            {
                Some(cursor)
            }
            _ => None,
        };
        let result: Result<(Vec<Synced>, Vec<AccountingItem>), flux_quickbooks::QuickBooksError> =
            async {
                match full {
                    None => Ok((
                        client
                            .customers_changed(None)
                            .await
                            .map(|c| c.into_iter().map(to_customer).collect())?,
                        client
                            .items_changed(None)
                            .await
                            .map(|i| i.into_iter().map(to_item).collect())?,
                    )),
                    Some(cursor) => {
                        let changes = client
                            .cdc(&["Customer", "Item"], cursor - chrono::Duration::minutes(1))
                            .await?;
                        Ok((
                            changes
                                .changed::<Customer>()?
                                .into_iter()
                                .map(to_customer)
                                .collect(),
                            changes
                                .changed::<Item>()?
                                .into_iter()
                                .map(to_item)
                                .collect(),
                        ))
                    }
                }
            }
            .await;
        let (customers, items) = match result {
            Ok(r) => r,
            Err(e) => {
                qb::note_error(state, tenant, &e).await;
                return Err(QbError::from(e).into());
            }
        };
        for c in &customers {
            upsert_customer(state, tenant, c).await?;
        }
        for i in &items {
            upsert_product(state, tenant, i, currency).await?;
        }
        let mut active = conn.into_active_model();
        if full.is_none() {
            active.last_full_sync_at = Set(Some(Utc::now()));
        }
        active.sync_cursor = Set(Some(started));
        active.last_error = Set(None);
        active.updated_at = Set(Utc::now());
        active.update(&state.db).await?;
        tracing::info!(%tenant, customers = customers.len(), items = items.len(), full = full.is_none(), "QuickBooks sync done");
        Ok(())
    }
}

/// A customer read from QuickBooks, with its contact person.
struct Synced {
    customer: AccountingCustomer,
    contact: Option<String>,
}

fn to_customer(c: Customer) -> Synced {
    let mut out = AccountingCustomer::new(
        c.id.clone().unwrap_or_default(),
        c.display_name.clone().unwrap_or_default(),
    );
    out.company_name = c.company_name.clone();
    out.email = c
        .primary_email_addr
        .as_ref()
        .and_then(|e| e.address.clone());
    out.phone = c
        .primary_phone
        .as_ref()
        .and_then(|p| p.free_form_number.clone());
    out.active = c.active.unwrap_or(true);
    let contact = [c.given_name.clone(), c.family_name.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(a) = &c.bill_addr {
        out.billing_address = serde_json::to_value(a).ok().and_then(|v| qb_address(&v));
    }
    Synced {
        customer: out,
        contact: (!contact.is_empty()).then_some(contact),
    }
}

/// A QuickBooks `PhysicalAddress` (as JSON) as a flux address, when it is Canadian or US.
fn qb_address(v: &serde_json::Value) -> Option<flux_core::Address> {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    let country = match s("Country")?.to_uppercase().as_str() {
        "CA" | "CANADA" => flux_core::CountryCode::CA,
        "US" | "USA" | "UNITED STATES" => flux_core::CountryCode::US,
        _ => return None,
    };
    let mut b = flux_core::Address::builder(s("Line1").unwrap_or_default(), s("City")?, country)
        .street(s("Line1")?);
    if let Some(r) = s("CountrySubDivisionCode") {
        b = b.region(r);
    }
    if let Some(p) = s("PostalCode") {
        b = b.postal_code(p);
    }
    b.build().ok()
}

fn to_item(i: Item) -> AccountingItem {
    let mut out = AccountingItem::new(
        i.id.clone().unwrap_or_default(),
        i.name.clone().unwrap_or_default(),
    );
    out.sku = i.sku.clone();
    out.description = i.description.clone();
    out.unit_price = i.unit_price;
    out.taxable = i.taxable;
    out.active = i.active.unwrap_or(true);
    out
}

async fn upsert_customer(
    state: &AppState,
    tenant: TenantId,
    synced: &Synced,
) -> Result<(), JobError> {
    let c = &synced.customer;
    if c.id.is_empty() || c.display_name.trim().is_empty() {
        return Ok(());
    }
    let existing = match scoped::<customer::Entity>(tenant)
        .filter(customer::Column::QbId.eq(&c.id))
        .one(&state.db)
        .await?
    {
        Some(row) => Some(row),
        None => {
            scoped::<customer::Entity>(tenant)
                .filter(customer::Column::Name.eq(c.display_name.trim()))
                .filter(customer::Column::QbId.is_null())
                .one(&state.db)
                .await?
        }
    };
    let email = c
        .email
        .as_deref()
        .and_then(|e| validate::email("email", e).ok());
    let now = Utc::now();
    let id = match existing {
        Some(row) => {
            let id = row.id;
            let mut a = row.into_active_model();
            a.name = Set(c.display_name.trim().to_owned());
            a.qb_id = Set(Some(c.id.clone()));
            if email.is_some() {
                a.email = Set(email);
            }
            if c.phone.is_some() {
                a.phone = Set(c.phone.clone());
            }
            if synced.contact.is_some() {
                a.contact_name = Set(synced.contact.clone());
            }
            a.updated_at = Set(now);
            a.update(&state.db).await?;
            id
        }
        None => {
            if !c.active {
                return Ok(());
            }
            let id = Uuid::now_v7();
            customer::ActiveModel {
                id: Set(id),
                tenant_id: Set(tenant.0),
                group_id: Set(None),
                name: Set(c.display_name.trim().to_owned()),
                contact_name: Set(synced.contact.clone()),
                email: Set(email),
                phone: Set(c.phone.clone()),
                notes: Set(None),
                qb_id: Set(Some(c.id.clone())),
                deleted_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&state.db)
            .await?;
            id
        }
    };
    if let Some(a) = &c.billing_address {
        let country = a.country.as_str().to_owned();
        let region = a
            .region
            .as_deref()
            .and_then(|r| validate::region("region", &country, r).ok());
        let postal = a
            .postal_code
            .as_deref()
            .and_then(|p| validate::postal_code("postal_code", &country, p).ok());
        if let (Some(region), Some(postal)) = (region, postal) {
            let has_billing = scoped::<address::Entity>(tenant)
                .filter(address::Column::CustomerId.eq(id))
                .filter(address::Column::Kind.eq("billing"))
                .one(&state.db)
                .await?;
            if has_billing.is_none() {
                address::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant.0),
                    customer_id: Set(id),
                    kind: Set("billing".into()),
                    line1: Set(a.street.clone().unwrap_or_default()),
                    line2: Set(None),
                    city: Set(a.locality.clone()),
                    region: Set(region),
                    postal_code: Set(postal),
                    country: Set(country),
                    latitude: Set(None),
                    longitude: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&state.db)
                .await?;
            }
        }
    }
    Ok(())
}

async fn upsert_product(
    state: &AppState,
    tenant: TenantId,
    i: &AccountingItem,
    currency: &str,
) -> Result<(), JobError> {
    if i.id.is_empty() || i.name.trim().is_empty() {
        return Ok(());
    }
    let sku = i.sku.clone().filter(|s| !s.trim().is_empty());
    let existing = match scoped::<product::Entity>(tenant)
        .filter(product::Column::QbItemId.eq(&i.id))
        .one(&state.db)
        .await?
    {
        Some(row) => Some(row),
        None => match &sku {
            Some(sku) => {
                scoped::<product::Entity>(tenant)
                    .filter(product::Column::Sku.eq(sku.as_str()))
                    .filter(product::Column::QbItemId.is_null())
                    .one(&state.db)
                    .await?
            }
            None => None,
        },
    };
    let now = Utc::now();
    let price = i
        .unit_price
        .unwrap_or_default()
        .round_dp(4)
        .normalize()
        .to_string();
    match existing {
        Some(row) => {
            let mut a = row.into_active_model();
            a.name = Set(i.name.trim().to_owned());
            a.qb_item_id = Set(Some(i.id.clone()));
            if let Some(sku) = sku {
                a.sku = Set(sku);
            }
            if i.description.is_some() {
                a.description = Set(i.description.clone());
            }
            if i.unit_price.is_some() {
                a.price = Set(price);
            }
            a.active = Set(i.active);
            a.updated_at = Set(now);
            a.update(&state.db).await?;
        }
        None => {
            if !i.active {
                return Ok(());
            }
            product::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant.0),
                group_id: Set(None),
                name: Set(i.name.trim().to_owned()),
                sku: Set(sku.unwrap_or_else(|| format!("QB-{}", i.id))),
                barcode: Set(None),
                description: Set(i.description.clone()),
                price: Set(price),
                currency: Set(currency.to_owned()),
                tax_code: Set(None),
                qb_item_id: Set(Some(i.id.clone())),
                active: Set(true),
                deleted_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&state.db)
            .await?;
        }
    }
    Ok(())
}

/// Pushes a confirmed order to QuickBooks as the organization's document kind, at most
/// once: the effects ledger keys the intent `order-<id>:<kind>`, and QuickBooks dedupes
/// a re-sent create by the same `requestid`.
pub struct Push;

async fn record_push_error(state: &AppState, order: &order::Model, message: &str) {
    let _ = order::Entity::update_many()
        .filter(order::Column::Id.eq(order.id))
        .col_expr(order::Column::QbError, Some(message.to_owned()).into())
        .exec(&state.db)
        .await;
}

#[async_trait]
impl JobHandler for Push {
    fn kind(&self) -> &'static str {
        PUSH
    }
    async fn run(&self, ctx: &JobContext, job: &job::Model) -> Result<(), JobError> {
        let tenant = tenant_of(job)?;
        let state = &ctx.state;
        let order_id: Uuid = serde_json::from_value(job.payload["order_id"].clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let Some(order) = scoped::<order::Entity>(tenant)
            .filter(order::Column::Id.eq(order_id))
            .one(&state.db)
            .await?
        else {
            return Ok(());
        };
        let result = push(state, tenant, &order).await;
        if let Err(e) = &result {
            record_push_error(state, &order, &e.to_string()).await;
        }
        result
    }
}

async fn push(state: &AppState, tenant: TenantId, order: &order::Model) -> Result<(), JobError> {
    if order.deleted_at.is_some() || !matches!(order.status.as_str(), "confirmed" | "invoiced") {
        return Err(JobError::permanent(format!(
            "order {} is {}; only confirmed orders are sent to QuickBooks",
            order.id, order.status
        )));
    }
    let conn = qb::connection(state, tenant)
        .await?
        .ok_or(QbError::NotConnected)?;
    let kind = if conn.document_kind == "invoice" {
        AccountingDocumentKind::Invoice
    } else {
        AccountingDocumentKind::Estimate
    };
    let done = match kind {
        AccountingDocumentKind::Invoice => order.qb_invoice_id.is_some(),
        _ => order.qb_estimate_id.is_some(),
    };
    if done {
        return Ok(());
    }
    let client = qb::client(state, tenant).await?;
    let customer = scoped::<customer::Entity>(tenant)
        .filter(customer::Column::Id.eq(order.customer_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| JobError::permanent("the order's customer no longer exists"))?;
    let customer_qb_id = match &customer.qb_id {
        Some(id) => id.clone(),
        None => {
            let mut input = CustomerInput::new(customer.name.clone());
            input.email = customer.email.clone();
            input.phone = customer.phone.clone();
            input.company_name = Some(customer.name.clone());
            let created = match Accounting::upsert_customer(&client, &input).await {
                Ok(c) => c,
                Err(e) => return Err(e.into()),
            };
            let mut a = customer.into_active_model();
            a.qb_id = Set(Some(created.id.clone()));
            a.updated_at = Set(Utc::now());
            a.update(&state.db).await?;
            created.id
        }
    };
    let items = scoped::<order_item::Entity>(tenant)
        .filter(order_item::Column::OrderId.eq(order.id))
        .order_by_asc(order_item::Column::Position)
        .all(&state.db)
        .await?;
    let mut lines = Vec::new();
    for item in &items {
        let product = match item.product_id {
            Some(pid) => {
                scoped::<product::Entity>(tenant)
                    .filter(product::Column::Id.eq(pid))
                    .one(&state.db)
                    .await?
            }
            None => None,
        };
        let Some(qb_item) = product.as_ref().and_then(|p| p.qb_item_id.clone()) else {
            return Err(JobError::permanent(format!(
                "product {} is not linked to a QuickBooks item: sync items from QuickBooks first",
                item.sku
            )));
        };
        let tax = match product.as_ref().and_then(|p| p.tax_code.clone()) {
            Some(code) => TaxTreatment::Code(code),
            None => TaxTreatment::Default,
        };
        lines.push(
            SalesLine::new(
                qb_item,
                validate::dec(&item.quantity),
                validate::dec(&item.unit_price),
            )
            .with_tax(tax)
            .with_description(item.description.clone()),
        );
    }
    let kind_name = if kind == AccountingDocumentKind::Invoice {
        "invoice"
    } else {
        "estimate"
    };
    // At most 50 characters, so QuickBooks gets it as the `requestid` unchanged.
    let key = format!("order-{}:{kind_name}", order.id.simple());
    let mut request = SalesDocumentRequest::new(key.clone(), customer_qb_id, lines);
    request.po_number = order.po_number.clone();
    request.customer_memo = order.shipping_instructions.clone();
    request.private_note = order.notes.clone();
    request.validate().map_err(JobError::from)?;
    let spec = EffectSpec {
        tenant,
        kind: "accounting_document",
        provider: qb::PROVIDER,
        idempotency_key: key,
        request: json!({ "order_id": order.id, "kind": kind_name, "lines": request.lines.len() }),
    };
    let outcome = state
        .effects
        .run(
            &spec,
            || Reconcile::ProviderDeduplicates,
            || async {
                let doc = match kind {
                    AccountingDocumentKind::Invoice => client.create_invoice(&request, None).await?,
                    _ => client.create_estimate(&request).await?,
                };
                Ok(EffectOutcome {
                    provider_reference: doc.reference.id.clone(),
                    details: json!({ "kind": kind_name, "id": doc.reference.id, "doc_number": doc.doc_number }),
                })
            },
        )
        .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(crate::effects::EffectError::Provider(p)) => {
            if p.provider_code() == Some("invalid_grant") {
                qb::mark_reconnect(state, tenant, &p.to_string()).await;
            }
            return Err(p.into());
        }
        Err(e) => return Err(e.into()),
    };
    let doc_number = outcome.details["doc_number"].as_str().map(str::to_owned);
    record_document(
        &state.db,
        order,
        kind,
        &outcome.provider_reference,
        doc_number,
    )
    .await?;
    Ok(())
}

/// Stores the QuickBooks document created for `order` (read before the provider call).
///
/// One statement, so nothing decided from that older read is written back: the ids are
/// recorded whatever happened meanwhile, and an invoice moves the order to `invoiced` only
/// from `confirmed` as it stands now (an order cancelled while the document was created
/// stays cancelled, with the document's id showing what to void in QuickBooks).
pub async fn record_document<C: sea_orm::ConnectionTrait>(
    db: &C,
    order: &order::Model,
    kind: AccountingDocumentKind,
    reference: &str,
    doc_number: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let mut update = order::Entity::update_many()
        .filter(order::Column::Id.eq(order.id))
        .col_expr(order::Column::QbDocNumber, doc_number.into())
        .col_expr(order::Column::QbError, Option::<String>::None.into())
        .col_expr(order::Column::UpdatedAt, Utc::now().into());
    update = match kind {
        AccountingDocumentKind::Invoice => update
            .col_expr(
                order::Column::QbInvoiceId,
                Some(reference.to_owned()).into(),
            )
            .col_expr(
                order::Column::Status,
                Expr::case(
                    Expr::col(order::Column::Status).eq("confirmed"),
                    Expr::val("invoiced"),
                )
                .finally(Expr::col(order::Column::Status))
                .into(),
            ),
        _ => update.col_expr(
            order::Column::QbEstimateId,
            Some(reference.to_owned()).into(),
        ),
    };
    update.exec(db).await?;
    Ok(())
}

/// Emails an order's QuickBooks document. QuickBooks cannot be searched for a sent email,
/// so an attempt whose outcome is unknown is parked for a person ([`Reconcile::Impossible`]).
pub struct Email;

#[async_trait]
impl JobHandler for Email {
    fn kind(&self) -> &'static str {
        EMAIL
    }
    async fn run(&self, ctx: &JobContext, job: &job::Model) -> Result<(), JobError> {
        let tenant = tenant_of(job)?;
        let state = &ctx.state;
        let order_id: Uuid = serde_json::from_value(job.payload["order_id"].clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let request_id = job.payload["request_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let to = job.payload["to"].as_str().map(str::to_owned);
        let order = scoped::<order::Entity>(tenant)
            .filter(order::Column::Id.eq(order_id))
            .one(&state.db)
            .await?
            .ok_or_else(|| JobError::permanent("the order no longer exists"))?;
        let (kind, id) = document_of(&order)
            .ok_or_else(|| JobError::permanent("the order has no QuickBooks document"))?;
        let client = qb::client(state, tenant).await?;
        let spec = EffectSpec {
            tenant,
            kind: "email",
            provider: qb::PROVIDER,
            idempotency_key: format!("email:{}:{request_id}", order.id),
            request: json!({ "order_id": order.id, "document": id, "to": to }),
        };
        let reference = flux_core::accounting::AccountingDocumentRef {
            kind,
            id: id.clone(),
        };
        state
            .effects
            .run(
                &spec,
                || Reconcile::Impossible,
                || async {
                    client.send_email(&reference, to.as_deref()).await?;
                    Ok(EffectOutcome {
                        provider_reference: id.clone(),
                        details: json!({ "sent_to": to }),
                    })
                },
            )
            .await?;
        Ok(())
    }
}

/// The QuickBooks document of an order: its invoice, else its estimate.
pub fn document_of(order: &order::Model) -> Option<(AccountingDocumentKind, String)> {
    if let Some(id) = &order.qb_invoice_id {
        return Some((AccountingDocumentKind::Invoice, id.clone()));
    }
    order
        .qb_estimate_id
        .clone()
        .map(|id| (AccountingDocumentKind::Estimate, id))
}
