//! The organization's QuickBooks connection: connect (OAuth), callback, disconnect
//! (revoke), status, settings, sync, and the webhook (tag `orders-quickbooks`).
//! Owners and admins manage the connection; the callback is authenticated by its one-time
//! `state`, the webhook by Intuit's signature.

#![allow(unreachable_pub)]

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Duration, Utc};
use flux_quickbooks::oauth::SCOPE_ACCOUNTING;
use flux_quickbooks::webhook::WebhookVerifier;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

use super::super::auth::{ADMINS, Caller, token_hash};
use super::super::entity::qb_connection;
use super::super::jobs::enqueue_sync;
use super::super::quickbooks::{self as qb, PROVIDER, status};
use super::orders::Enqueued;
use crate::http::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::tenancy::TenantId;

pub(super) fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(connect)
        .service(callback)
        .service(disconnect)
        .service(status_view)
        .service(update_settings)
        .service(sync)
        .service(webhook);
}

/// The connection as the API shows it (tokens only masked).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectionView {
    /// `disconnected`, `pending`, `connected` or `reconnect_needed` (connect again).
    pub status: String,
    /// The QuickBooks company id.
    pub realm_id: Option<String>,
    /// `estimate` or `invoice`: what a confirmed order becomes.
    pub document_kind: String,
    /// The company's country.
    pub country: Option<String>,
    /// When the first full sync finished.
    pub last_full_sync_at: Option<DateTime<Utc>>,
    /// Changes up to here are synced.
    pub synced_until: Option<DateTime<Utc>>,
    /// The last error.
    pub last_error: Option<String>,
    /// The stored credentials, masked.
    pub credentials: Vec<crate::credentials::CredentialView>,
}

async fn view(
    state: &AppState,
    tenant: TenantId,
    c: qb_connection::Model,
) -> Result<ConnectionView, ApiError> {
    let credentials = state
        .credentials
        .list(tenant)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .filter(|v| v.provider == PROVIDER)
        .collect();
    Ok(ConnectionView {
        status: c.status,
        realm_id: c.realm_id,
        document_kind: c.document_kind,
        country: c.country,
        last_full_sync_at: c.last_full_sync_at,
        synced_until: c.sync_cursor,
        last_error: c.last_error,
        credentials,
    })
}

/// Where to send the user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectStart {
    /// Intuit's consent page; valid for 15 minutes.
    pub authorization_url: String,
}

/// Starts connecting QuickBooks: returns Intuit's consent URL (owners and admins).
#[utoipa::path(tag = "orders-quickbooks", security(("orders_token" = [])), responses(
    (status = 200, body = ConnectStart), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)
))]
#[post("/orders-api/v1/quickbooks/connect")]
pub async fn connect(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let oauth = qb::oauth(&state)?;
    let request = oauth.authorization_url(&[SCOPE_ACCOUNTING]);
    let conn = qb::ensure_connection(&state, caller.tenant).await?;
    let mut a = conn.into_active_model();
    a.oauth_state_hash = Set(Some(token_hash(&request.state)));
    a.oauth_state_expires_at = Set(Some(Utc::now() + Duration::minutes(15)));
    a.updated_at = Set(Utc::now());
    a.update(&state.db).await?;
    Ok(HttpResponse::Ok().json(ConnectStart {
        authorization_url: request.url.to_string(),
    }))
}

/// Intuit's redirect after consent: checks the one-time `state`, exchanges the code,
/// stores the tokens sealed, and enqueues the first full sync.
#[utoipa::path(tag = "orders-quickbooks", params(
    ("code" = Option<String>, Query, description = "Authorization code"),
    ("state" = String, Query, description = "The state sent"),
    ("realmId" = Option<String>, Query, description = "The company")
), responses(
    (status = 200, body = ConnectionView), (status = 422, body = ErrorBody)
))]
#[get("/orders-api/v1/quickbooks/callback")]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = req.query_string().to_owned();
    let sent_state = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| ApiError::validation("state", "is missing"))?;
    // The state is the only thing that ties this browser redirect to an organization:
    // find its connection by the state's hash (across tenants, on purpose).
    let conn = qb_connection::Entity::find()
        .filter(qb_connection::Column::OauthStateHash.eq(token_hash(&sent_state)))
        .one(&state.db)
        .await?
        .filter(|c| c.oauth_state_expires_at.is_some_and(|e| e > Utc::now()))
        .ok_or_else(|| {
            ApiError::validation("state", "unknown or expired; start connecting again")
        })?;
    let tenant = TenantId(conn.tenant_id);
    let oauth = qb::oauth(&state)?;
    let parsed = oauth
        .parse_callback(&query, &sent_state)
        .map_err(|e| ApiError::validation("code", e.to_string()))?;
    // Burn the state before the exchange: it is single-use.
    let mut a = conn.into_active_model();
    a.oauth_state_hash = Set(None);
    a.oauth_state_expires_at = Set(None);
    let conn = a.update(&state.db).await?;
    let tokens = oauth
        .exchange_code(&parsed)
        .await
        .map_err(|e| ApiError::validation("code", e.to_string()))?;
    qb::save_tokens(&state.credentials, tenant, &tokens)
        .await
        .map_err(ApiError::internal)?;
    state.orders.quickbooks.forget(tenant);
    let realm_changed = conn.realm_id.as_deref() != Some(parsed.realm_id.as_str());
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a = conn.into_active_model();
    a.status = Set(status::CONNECTED.into());
    a.realm_id = Set(Some(parsed.realm_id.clone()));
    a.last_error = Set(None);
    if realm_changed {
        a.last_full_sync_at = Set(None);
        a.sync_cursor = Set(None);
        a.country = Set(None);
    }
    a.updated_at = Set(Utc::now());
    let conn = a.update(&txn).await?;
    enqueue_sync(&txn, tenant).await?;
    txn.commit().await?;
    // The company's country decides the tax model (US TAX/NON, Canadian tax codes).
    let conn = match qb::client(&state, tenant).await {
        Ok(client) => match client.company_info().await {
            Ok(info) => {
                let country = info.country.clone();
                let mut a = conn.into_active_model();
                a.country = Set(country.map(|c| {
                    if c.eq_ignore_ascii_case("CA") || c.eq_ignore_ascii_case("Canada") {
                        "CA".to_owned()
                    } else {
                        "US".to_owned()
                    }
                }));
                a.update(&state.db).await?
            }
            Err(e) => {
                tracing::warn!(%tenant, error = %e, "could not read the QuickBooks company's country");
                conn
            }
        },
        Err(_) => conn,
    };
    Ok(HttpResponse::Ok().json(view(&state, tenant, conn).await?))
}

/// Disconnects QuickBooks: revokes the refresh token at Intuit and deletes the stored
/// tokens (owners and admins).
#[utoipa::path(tag = "orders-quickbooks", security(("orders_token" = [])), responses(
    (status = 200, body = ConnectionView), (status = 403, body = ErrorBody)
))]
#[post("/orders-api/v1/quickbooks/disconnect")]
pub async fn disconnect(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let conn = qb::ensure_connection(&state, caller.tenant).await?;
    if let Some(refresh) = state
        .credentials
        .get(caller.tenant, PROVIDER, "refresh_token")
        .await
        .map_err(ApiError::internal)?
        && let Ok(oauth) = qb::oauth(&state)
        && let Err(e) = oauth.revoke(&refresh).await
    {
        // The tokens are deleted either way; a refused revocation usually means they were
        // already dead.
        tracing::warn!(tenant = %caller.tenant, error = %e, "QuickBooks token revocation failed");
    }
    state
        .credentials
        .delete_provider(caller.tenant, PROVIDER)
        .await
        .map_err(ApiError::internal)?;
    state.orders.quickbooks.forget(caller.tenant);
    let conn = qb::set_status(&state, conn, status::DISCONNECTED, None).await?;
    Ok(HttpResponse::Ok().json(view(&state, caller.tenant, conn).await?))
}

/// The connection's status (owners and admins).
#[utoipa::path(tag = "orders-quickbooks", security(("orders_token" = [])), responses(
    (status = 200, body = ConnectionView), (status = 403, body = ErrorBody)
))]
#[get("/orders-api/v1/quickbooks/status")]
pub async fn status_view(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let conn = qb::ensure_connection(&state, caller.tenant).await?;
    Ok(HttpResponse::Ok().json(view(&state, caller.tenant, conn).await?))
}

/// The organization's QuickBooks settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct QuickBooksSettingsInput {
    /// `estimate` or `invoice`.
    pub document_kind: String,
}

/// Chooses whether confirmed orders become estimates or invoices (owners and admins).
#[utoipa::path(tag = "orders-quickbooks", request_body = QuickBooksSettingsInput, security(("orders_token" = [])), responses(
    (status = 200, body = ConnectionView), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/quickbooks/settings")]
pub async fn update_settings(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<QuickBooksSettingsInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let kind = match body.document_kind.as_str() {
        k @ ("estimate" | "invoice") => k.to_owned(),
        _ => {
            return Err(ApiError::validation(
                "document_kind",
                "must be estimate or invoice",
            ));
        }
    };
    let conn = qb::ensure_connection(&state, caller.tenant).await?;
    let mut a = conn.into_active_model();
    a.document_kind = Set(kind);
    a.updated_at = Set(Utc::now());
    let conn = a.update(&state.db).await?;
    Ok(HttpResponse::Ok().json(view(&state, caller.tenant, conn).await?))
}

/// Enqueues a sync now: the first full sync, or the changes since the last one (owners and
/// admins).
#[utoipa::path(tag = "orders-quickbooks", security(("orders_token" = [])), responses(
    (status = 202, body = Enqueued), (status = 409, body = ErrorBody)
))]
#[post("/orders-api/v1/quickbooks/sync")]
pub async fn sync(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let conn = qb::ensure_connection(&state, caller.tenant).await?;
    if conn.status != status::CONNECTED {
        return Err(ApiError::Conflict(format!("QuickBooks is {}", conn.status)));
    }
    let job = enqueue_sync(&state.db, caller.tenant).await?;
    Ok(HttpResponse::Accepted().json(Enqueued { job_id: job }))
}

/// Intuit's change notifications: verified by `intuit-signature`, then an incremental sync
/// is enqueued for each connected company named.
#[utoipa::path(tag = "orders-quickbooks", request_body(content = String, content_type = "application/json"), responses(
    (status = 200), (status = 401, body = ErrorBody), (status = 503, body = ErrorBody)
))]
#[post("/orders-api/v1/quickbooks/webhooks")]
pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(token) = state.settings.quickbooks.webhook_verifier.clone() else {
        return Err(ApiError::Unavailable(
            "QuickBooks webhooks are not configured".into(),
        ));
    };
    let signature = req
        .headers()
        .get("intuit-signature")
        .and_then(|v| v.to_str().ok());
    let events = WebhookVerifier::new(token)
        .verify_and_parse(&body, signature)
        .map_err(|_| ApiError::Unauthorized("the intuit-signature does not match".into()))?;
    let mut realms: Vec<String> = events.iter().map(|e| e.realm_id.clone()).collect();
    realms.sort();
    realms.dedup();
    for realm in realms {
        // A webhook names a company, not a tenant: find the connected organizations that
        // hold it (across tenants, on purpose).
        let conns = qb_connection::Entity::find()
            .filter(qb_connection::Column::RealmId.eq(realm.as_str()))
            .filter(qb_connection::Column::Status.eq(status::CONNECTED))
            .all(&state.db)
            .await?;
        for c in conns {
            enqueue_sync(&state.db, TenantId(c.tenant_id)).await?;
        }
    }
    Ok(HttpResponse::Ok().finish())
}
