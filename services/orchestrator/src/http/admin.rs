//! Operator endpoints under `/admin`: the job queue and the effects ledger, visible and
//! actionable. Authenticated by the operator token (`FLUX_ADMIN_TOKEN`), compared in
//! constant time; disabled when no token is configured.

// actix's route macros wrap each handler in a generated service type; the handler fn
// inside is what rustc sees as unreachable.
#![allow(unreachable_pub)]

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use crate::effects::{EffectOutcome, EffectState};
use crate::entity::{effect, job};
use crate::jobs::JobState;
use crate::jobs::queue::{self, JobActionError};
use crate::state::AppState;
use crate::tenancy::TenantId;

fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let Some(expected) = &state.settings.admin_token else {
        return Err(ApiError::Forbidden(
            "operator endpoints are disabled: set FLUX_ADMIN_TOKEN to enable them".into(),
        ));
    };
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::Unauthorized("send the operator token as `Authorization: Bearer …`".into())
        })?;
    if bool::from(given.as_bytes().ct_eq(expected.expose_secret().as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized("the operator token is wrong".into()))
    }
}

/// A job as the operator sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    /// Id.
    pub id: Uuid,
    /// Tenant, for tenant jobs.
    pub tenant_id: Option<Uuid>,
    /// Kind.
    pub kind: String,
    /// State.
    pub state: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// Not before.
    pub run_at: DateTime<Utc>,
    /// The last failure, or why it is parked.
    pub last_error: Option<String>,
    /// Unique key.
    pub job_key: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<job::Model> for JobView {
    fn from(j: job::Model) -> Self {
        Self {
            id: j.id,
            tenant_id: j.tenant_id,
            kind: j.kind,
            state: j.state,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            last_error: j.last_error,
            job_key: j.job_key,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

/// Filters for the job list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct JobQuery {
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// Only this tenant's jobs.
    pub tenant_id: Option<Uuid>,
    /// At most this many (default 100, max 500).
    pub limit: Option<u64>,
}

/// Lists jobs, newest first.
#[utoipa::path(tag = "operations", params(JobQuery), security(("operator_token" = [])), responses(
    (status = 200, body = Vec<JobView>),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
))]
#[get("/admin/jobs")]
pub async fn list_jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<JobQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state)?;
    let jobs = queue::list(
        &state.db,
        q.state,
        q.tenant_id.map(TenantId),
        q.limit.unwrap_or(100),
    )
    .await?;
    Ok(HttpResponse::Ok().json(jobs.into_iter().map(JobView::from).collect::<Vec<_>>()))
}

fn job_action_error(e: JobActionError) -> ApiError {
    match e {
        JobActionError::NotFound(id) => ApiError::NotFound(format!("no job {id}")),
        e @ JobActionError::WrongState { .. } => ApiError::Conflict(e.to_string()),
        JobActionError::Db(db) => ApiError::internal(db),
    }
}

/// Requeues a parked or cancelled job now.
#[utoipa::path(tag = "operations", params(("id" = Uuid, Path, description = "Job id")), security(("operator_token" = [])), responses(
    (status = 200, body = JobView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/admin/jobs/{id}/retry")]
pub async fn retry_job(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state)?;
    let job = queue::retry(&state.db, *id)
        .await
        .map_err(job_action_error)?;
    Ok(HttpResponse::Ok().json(JobView::from(job)))
}

/// Cancels a queued or parked job.
#[utoipa::path(tag = "operations", params(("id" = Uuid, Path, description = "Job id")), security(("operator_token" = [])), responses(
    (status = 200, body = JobView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/admin/jobs/{id}/cancel")]
pub async fn cancel_job(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state)?;
    let job = queue::cancel(&state.db, *id)
        .await
        .map_err(job_action_error)?;
    Ok(HttpResponse::Ok().json(JobView::from(job)))
}

/// An effect as the operator sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EffectView {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub tenant_id: Uuid,
    /// Kind.
    pub kind: String,
    /// Provider.
    pub provider: String,
    /// Our idempotency key.
    pub idempotency_key: String,
    /// State.
    pub state: String,
    /// The provider's reference once it happened.
    pub provider_reference: Option<String>,
    /// The last error, or why it is parked.
    pub last_error: Option<String>,
    /// Attempts.
    pub attempts: i32,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<effect::Model> for EffectView {
    fn from(e: effect::Model) -> Self {
        Self {
            id: e.id,
            tenant_id: e.tenant_id,
            kind: e.kind,
            provider: e.provider,
            idempotency_key: e.idempotency_key,
            state: e.state,
            provider_reference: e.provider_reference,
            last_error: e.last_error,
            attempts: e.attempts,
            updated_at: e.updated_at,
        }
    }
}

/// Filters for the effect list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EffectQuery {
    /// Only effects in this state.
    pub state: Option<EffectState>,
    /// At most this many (default 100, max 500).
    pub limit: Option<u64>,
}

/// Lists effects, newest first.
#[utoipa::path(tag = "operations", params(EffectQuery), security(("operator_token" = [])), responses(
    (status = 200, body = Vec<EffectView>), (status = 401, body = ErrorBody)
))]
#[get("/admin/effects")]
pub async fn list_effects(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<EffectQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state)?;
    let mut query = effect::Entity::find();
    if let Some(s) = q.state {
        query = query.filter(effect::Column::State.eq(s.as_str()));
    }
    let rows = query
        .order_by_desc(effect::Column::Id)
        .limit(q.limit.unwrap_or(100).min(500))
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(EffectView::from).collect::<Vec<_>>()))
}

/// A person's decision on an effect whose outcome is unknown.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResolveEffect {
    /// Whether the provider performed it.
    pub happened: bool,
    /// The provider's reference, required when it happened (AWB number, invoice number).
    pub provider_reference: Option<String>,
}

/// Resolves a parked or unknown effect.
#[utoipa::path(tag = "operations", params(("id" = Uuid, Path, description = "Effect id")), request_body = ResolveEffect, security(("operator_token" = [])), responses(
    (status = 200, body = EffectView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/admin/effects/{id}/resolve")]
pub async fn resolve_effect(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Json<ResolveEffect>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state)?;
    let row = effect::Entity::find_by_id(*id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no effect {}", *id)))?;
    if !matches!(
        EffectState::parse(&row.state),
        Some(EffectState::Parked | EffectState::Unknown)
    ) {
        return Err(ApiError::Conflict(format!(
            "effect {} is {}; only parked or unknown effects can be resolved",
            row.id, row.state
        )));
    }
    let outcome = if body.happened {
        let reference = body
            .provider_reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                ApiError::validation("provider_reference", "required when happened is true")
            })?;
        Some(EffectOutcome {
            provider_reference: reference.to_owned(),
            details: serde_json::json!({ "resolved_by": "operator" }),
        })
    } else {
        None
    };
    let row = state
        .effects
        .resolve(row.id, outcome)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(EffectView::from(row)))
}
