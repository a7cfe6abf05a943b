//! Install and authentication: the OAuth authorization-code install, the embedded app's
//! token exchange, the shop record, and [`ShopSession`], the extractor that verifies the
//! App Bridge session token on every `/sales/v1` request.

#![allow(unreachable_pub)]

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use flux_shopify::{AccessToken, RequestedToken, ShopDomain};
use sea_orm::{ActiveModelTrait, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::shop;
use super::tokens::VaultTokenStore;
use crate::entity::tenant;
use crate::http::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::tenancy::{TenantId, TenantKind, ensure_tenant, find_tenant};

const STATE_COOKIE: &str = "flux_sales_oauth_state";

/// A verified session: the shop (tenant) and the staff user behind the request.
#[derive(Debug, Clone)]
pub struct ShopSession {
    /// The shop's tenant.
    pub tenant: TenantId,
    /// The shop's domain.
    pub shop: String,
    /// The Shopify staff user id, when the token names one.
    pub user_id: Option<u64>,
}

fn unauthorized(message: &str) -> actix_web::Error {
    let body = ErrorBody {
        error: "unauthorized".into(),
        message: message.into(),
        field: None,
        request_id: crate::http::request_id::current_request_id(),
    };
    let response = HttpResponse::build(StatusCode::UNAUTHORIZED)
        // App Bridge retries once with a fresh session token on this header.
        .insert_header(("X-Shopify-Retry-Invalid-Session-Request", "1"))
        .json(body);
    actix_web::error::InternalError::from_response(message.to_owned(), response).into()
}

fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_owned())
}

/// Verifies the session token of `req` (signature, audience, expiry): the shop domain.
fn verify(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(ShopDomain, Option<u64>, String), actix_web::Error> {
    let app = state.sales.shopify().ok_or_else(|| {
        actix_web::Error::from(ApiError::Unavailable("FluxSales is not configured".into()))
    })?;
    let token = bearer(req).ok_or_else(|| {
        unauthorized("send the App Bridge session token as `Authorization: Bearer …`")
    })?;
    let verified = app
        .verify_session_token(&token)
        .map_err(|_| unauthorized("the session token is invalid or expired"))?;
    Ok((verified.shop, verified.user_id, token))
}

impl FromRequest for ShopSession {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| actix_web::Error::from(ApiError::internal("state missing")))?;
            let (shop, user_id, _) = verify(&req, &state)?;
            let record = super::shop_by_domain(&state.db, shop.as_str())
                .await
                .map_err(ApiError::from)?;
            match record {
                Some(r) if r.status == "active" => Ok(ShopSession {
                    tenant: TenantId(r.tenant_id),
                    shop: r.shop_domain,
                    user_id,
                }),
                _ => Err(ApiError::Forbidden(
                    "the app is not installed on this shop: call POST /sales/v1/session first"
                        .into(),
                )
                .into()),
            }
        })
    }
}

/// The shop as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShopView {
    /// Tenant id.
    pub id: Uuid,
    /// `example.myshopify.com`.
    pub shop_domain: String,
    /// Granted scopes.
    pub scopes: String,
    /// `active` or `uninstalled`.
    pub status: String,
    /// Installed.
    pub installed_at: chrono::DateTime<Utc>,
}

impl From<shop::Model> for ShopView {
    fn from(m: shop::Model) -> Self {
        Self {
            id: m.tenant_id,
            shop_domain: m.shop_domain,
            scopes: m.scopes,
            status: m.status,
            installed_at: m.installed_at,
        }
    }
}

/// Records an install (or re-install): the tenant, the sealed offline token, the shop
/// record.
pub async fn record_install(
    state: &AppState,
    domain: &ShopDomain,
    token: &AccessToken,
) -> Result<shop::Model, ApiError> {
    let tenant = ensure_tenant(
        &state.db,
        TenantKind::Shop,
        domain.as_str(),
        domain.handle(),
    )
    .await?;
    let tenant_id = TenantId(tenant.id);
    VaultTokenStore::put(&state.credentials, tenant_id, token)
        .await
        .map_err(ApiError::internal)?;
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut t: tenant::ActiveModel = tenant.into();
    t.status = Set("active".into());
    t.deletion_due_at = Set(None);
    t.updated_at = Set(now);
    t.update(&txn).await?;
    let existing = super::shop_of(&txn, tenant_id).await?;
    let reinstall = existing.as_ref().is_none_or(|s| s.status != "active");
    let model = match existing {
        Some(row) => {
            let mut a: shop::ActiveModel = row.into();
            a.status = Set("active".into());
            a.scopes = Set(token.scopes.join(","));
            a.uninstalled_at = Set(None);
            if reinstall {
                a.installed_at = Set(now);
            }
            a.updated_at = Set(now);
            a.update(&txn).await?
        }
        None => {
            shop::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant_id.0),
                shop_domain: Set(domain.as_str().to_owned()),
                name: Set(None),
                email: Set(None),
                scopes: Set(token.scopes.join(",")),
                status: Set("active".into()),
                installed_at: Set(now),
                uninstalled_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    if reinstall {
        crate::jobs::queue::enqueue(
            &txn,
            crate::jobs::NewJob::new(super::jobs::BACKFILL, serde_json::json!({}))
                .tenant(tenant_id)
                .key(format!(
                    "sales.backfill:{}:{}",
                    tenant_id.0,
                    now.timestamp()
                )),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(model)
}

/// Exchanges the App Bridge session token for an expiring offline token (the embedded
/// app's install path) and records the shop.
#[utoipa::path(tag = super::TAG_INSTALL, security(("shopify_session_token" = [])), responses(
    (status = 200, body = ShopView),
    (status = 401, body = ErrorBody), (status = 503, body = ErrorBody)
))]
#[post("/sales/v1/session")]
pub async fn start_session(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let (shop, _, token) = verify(&req, &state)?;
    let known = super::shop_by_domain(&state.db, shop.as_str())
        .await
        .map_err(ApiError::from)?;
    if let Some(record) = known.filter(|s| s.status == "active") {
        // The stored token is kept fresh by the background refresh.
        return Ok(HttpResponse::Ok().json(ShopView::from(record)));
    }
    let app = state
        .sales
        .shopify()
        .ok_or_else(|| ApiError::Unavailable("FluxSales is not configured".into()))?;
    let (shop, access) = app
        .exchange_session_token(&token, RequestedToken::Offline { expiring: true })
        .await
        .map_err(|e| match e {
            flux_shopify::ShopifyError::OAuth { .. }
            | flux_shopify::ShopifyError::InvalidSessionToken(_) => {
                unauthorized("Shopify refused the session token")
            }
            other => ApiError::from(flux_core::ProviderError::from(other)).into(),
        })?;
    let record = record_install(&state, &shop, &access).await?;
    Ok(HttpResponse::Ok().json(ShopView::from(record)))
}

/// The shop of the session.
#[utoipa::path(tag = super::TAG_INSTALL, security(("shopify_session_token" = [])), responses(
    (status = 200, body = ShopView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
))]
#[get("/sales/v1/shop")]
pub async fn get_shop(
    session: ShopSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let shop = super::shop_of(&state.db, session.tenant)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such shop".into()))?;
    Ok(HttpResponse::Ok().json(ShopView::from(shop)))
}

/// The shop to install on.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct InstallQuery {
    /// `example.myshopify.com`.
    pub shop: String,
}

/// Starts the authorization-code install (non-embedded fallback): redirects to Shopify's
/// consent screen with a state nonce kept in a short-lived cookie.
#[utoipa::path(tag = super::TAG_INSTALL, params(InstallQuery), responses(
    (status = 302, description = "to Shopify"), (status = 422, body = ErrorBody)
))]
#[get("/sales/auth/install")]
pub async fn install(
    state: web::Data<AppState>,
    q: web::Query<InstallQuery>,
) -> Result<HttpResponse, ApiError> {
    let app = state
        .sales
        .shopify()
        .ok_or_else(|| ApiError::Unavailable("FluxSales is not configured".into()))?;
    let shop =
        ShopDomain::parse(&q.shop).map_err(|e| ApiError::validation("shop", e.to_string()))?;
    let auth = app
        .begin_auth(&shop, flux_shopify::AccessMode::Offline)
        .map_err(ApiError::internal)?;
    let cookie = format!(
        "{STATE_COOKIE}={}; Max-Age=300; Path=/sales/auth; HttpOnly; Secure; SameSite=Lax",
        auth.state
    );
    Ok(HttpResponse::Found()
        .insert_header(("Location", auth.url.to_string()))
        .insert_header(("Set-Cookie", cookie))
        .finish())
}

/// Completes the authorization-code install: checks the HMAC, the timestamp and the
/// state, exchanges the code for an expiring offline token and records the shop.
#[utoipa::path(tag = super::TAG_INSTALL, responses(
    (status = 200, body = ShopView), (status = 401, body = ErrorBody)
))]
#[get("/sales/auth/callback")]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let app = state
        .sales
        .shopify()
        .ok_or_else(|| ApiError::Unavailable("FluxSales is not configured".into()))?;
    let expected = req
        .headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == STATE_COOKIE)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default();
    let cb = app
        .validate_callback(req.query_string(), &expected)
        .map_err(|e| ApiError::Unauthorized(format!("the install callback is not valid: {e}")))?;
    let token = app
        .exchange_code(&cb, true)
        .await
        .map_err(|e| ApiError::from(flux_core::ProviderError::from(e)))?;
    let record = record_install(&state, &cb.shop, &token).await?;
    Ok(HttpResponse::Ok().json(ShopView::from(record)))
}

/// The shop's tenant, if it has one (installed at least once), from the
/// [`ShopTenants`] cache or the database.
pub async fn tenant_of(state: &AppState, domain: &str) -> Result<Option<TenantId>, sea_orm::DbErr> {
    if let Some(tenant) = state.shop_tenants.get(domain) {
        return Ok(Some(tenant));
    }
    let tenant = find_tenant(&state.db, TenantKind::Shop, domain)
        .await?
        .map(|t| TenantId(t.id));
    if let Some(t) = tenant {
        state.shop_tenants.put(domain, t);
    }
    Ok(tenant)
}

/// A process-wide cache of shop domain -> tenant for [`tenant_of`], which every webhook
/// asks.
///
/// A shop keeps its tenant from its first install until its data is erased
/// (`privacy::erase_shop`, which calls [`ShopTenants::forget_tenant`]); a re-install after
/// that creates a new tenant. Uninstalling keeps the tenant (its webhooks, `shop/redact`
/// among them, are still stored), so it needs no invalidation. Only known shops are
/// cached (a shop installed a moment later must not be hidden by a cached "unknown").
/// Entries expire after [`ShopTenants::TTL`], which bounds how long another replica's
/// erasure can go unnoticed here. The cache is bounded: when full, it starts over.
#[derive(Debug, Default)]
pub struct ShopTenants {
    map: std::sync::RwLock<std::collections::HashMap<String, (TenantId, std::time::Instant)>>,
}

impl ShopTenants {
    /// How long an entry is trusted.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(60);
    /// Entries kept at most.
    pub const CAPACITY: usize = 10_000;

    /// The cached tenant of `domain`, if fresh.
    pub fn get(&self, domain: &str) -> Option<TenantId> {
        let map = self
            .map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(domain)
            .filter(|(_, at)| at.elapsed() < Self::TTL)
            .map(|(t, _)| *t)
    }

    /// Remembers that `domain` belongs to `tenant`.
    pub fn put(&self, domain: &str, tenant: TenantId) {
        let mut map = self
            .map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= Self::CAPACITY && !map.contains_key(domain) {
            map.clear();
        }
        map.insert(domain.to_owned(), (tenant, std::time::Instant::now()));
    }

    /// Forgets every domain of `tenant` (its data was erased).
    pub fn forget_tenant(&self, tenant: TenantId) {
        self.map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, (t, _)| *t != tenant);
    }
}
