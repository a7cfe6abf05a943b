//! Users of an organization: owners, admins, staff and customer users, with soft delete
//! (tag `orders-users`). Owners and admins manage users; only owners manage owners and
//! admins.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::super::auth::{self, ADMINS, Caller, Role, check_password, hash_password};
use super::super::entity::{customer, user};
use super::{ListQuery, filter_deleted, invalid};
use crate::http::error::{ApiError, ErrorBody};
use crate::orders::validate;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

pub(super) fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(delete_user)
        .service(restore_user)
        .service(purge_user);
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: Uuid,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Role.
    pub role: Role,
    /// For customer users, their customer.
    pub customer_id: Option<Uuid>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<user::Model> for UserView {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            phone: u.phone,
            role: Role::parse(&u.role).unwrap_or(Role::Customer),
            customer_id: u.customer_id,
            deleted_at: u.deleted_at,
            created_at: u.created_at,
        }
    }
}

fn may_manage(caller: &Caller, role: Role) -> Result<(), ApiError> {
    caller.check(ADMINS, "admin")?;
    if matches!(role, Role::Owner | Role::Admin) && caller.role != Role::Owner {
        return Err(ApiError::Forbidden(
            "only owners manage owners and admins".into(),
        ));
    }
    Ok(())
}

async fn find(state: &AppState, tenant: TenantId, id: Uuid) -> Result<user::Model, ApiError> {
    scoped::<user::Entity>(tenant)
        .filter(user::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such user".into()))
}

async fn check_customer(
    state: &AppState,
    tenant: TenantId,
    role: Role,
    customer_id: Option<Uuid>,
) -> Result<Option<Uuid>, ApiError> {
    match (role, customer_id) {
        (Role::Customer, None) => Err(ApiError::validation(
            "customer_id",
            "customer users need their customer account",
        )),
        (Role::Customer, Some(id)) => {
            scoped::<customer::Entity>(tenant)
                .filter(customer::Column::Id.eq(id))
                .filter(customer::Column::DeletedAt.is_null())
                .one(&state.db)
                .await?
                .ok_or_else(|| ApiError::validation("customer_id", "no such customer"))?;
            Ok(Some(id))
        }
        (_, Some(_)) => Err(ApiError::validation(
            "customer_id",
            "only customer users belong to a customer",
        )),
        (_, None) => Ok(None),
    }
}

/// Lists users (owners and admins).
#[utoipa::path(tag = "orders-users", params(ListQuery), security(("orders_token" = [])), responses(
    (status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)
))]
#[get("/orders-api/v1/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    q.deleted().check(&caller)?;
    let rows = filter_deleted(
        scoped::<user::Entity>(caller.tenant),
        user::Column::DeletedAt,
        q.deleted(),
    )
    .order_by_asc(user::Column::Email)
    .limit(q.limit())
    .offset(q.offset())
    .all(&state.db)
    .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(UserView::from).collect::<Vec<_>>()))
}

/// A user to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Role.
    pub role: Role,
    /// For customer users, their customer (required for them).
    pub customer_id: Option<Uuid>,
    /// Initial password, at least 10 characters.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// Creates a user.
#[utoipa::path(tag = "orders-users", request_body = NewUser, security(("orders_token" = [])), responses(
    (status = 201, body = UserView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    may_manage(&caller, body.role)?;
    let email = validate::email("email", &body.email).map_err(invalid)?;
    let name = validate::required("name", &body.name, 200).map_err(invalid)?;
    let phone = validate::optional("phone", body.phone.as_deref(), 50).map_err(invalid)?;
    check_password("password", &body.password)?;
    let customer_id = check_customer(&state, caller.tenant, body.role, body.customer_id).await?;
    if scoped::<user::Entity>(caller.tenant)
        .filter(user::Column::Email.eq(&email))
        .one(&state.db)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(
            "a user with this email exists (perhaps deleted: restore it)".into(),
        ));
    }
    let hash = hash_password(body.password).await?;
    let now = Utc::now();
    let row = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(caller.tenant.0),
        email: Set(email),
        name: Set(name),
        phone: Set(phone),
        role: Set(body.role.as_str().into()),
        customer_id: Set(customer_id),
        password_hash: Set(hash),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(HttpResponse::Created().json(UserView::from(row)))
}

/// One user.
#[utoipa::path(tag = "orders-users", params(("id" = Uuid, Path, description = "User id")), security(("orders_token" = [])), responses(
    (status = 200, body = UserView), (status = 404, body = ErrorBody)
))]
#[get("/orders-api/v1/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    Ok(HttpResponse::Ok().json(UserView::from(find(&state, caller.tenant, *id).await?)))
}

/// Changes to a user (correction of personal data, role, password reset).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserPatch {
    /// Email.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone (empty clears it).
    pub phone: Option<String>,
    /// Role.
    pub role: Option<Role>,
    /// Customer (customer users).
    pub customer_id: Option<Uuid>,
    /// A new password: every session and API token of the user is revoked.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
}

/// Updates a user.
#[utoipa::path(tag = "orders-users", params(("id" = Uuid, Path, description = "User id")), request_body = UserPatch, security(("orders_token" = [])), responses(
    (status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let row = find(&state, caller.tenant, *id).await?;
    let current = Role::parse(&row.role).unwrap_or(Role::Customer);
    may_manage(&caller, current)?;
    let role = body.role.unwrap_or(current);
    may_manage(&caller, role)?;
    if row.id == caller.user.id && role != current {
        return Err(ApiError::Forbidden(
            "you cannot change your own role".into(),
        ));
    }
    let customer_id = check_customer(
        &state,
        caller.tenant,
        role,
        body.customer_id
            .or(row.customer_id)
            .filter(|_| role == Role::Customer),
    )
    .await?;
    let mut revoke = role != current;
    let before = row.clone();
    let mut a = row.into_active_model();
    if let Some(email) = &body.email {
        let email = validate::email("email", email).map_err(invalid)?;
        if email != before.email
            && scoped::<user::Entity>(caller.tenant)
                .filter(user::Column::Email.eq(&email))
                .one(&state.db)
                .await?
                .is_some()
        {
            return Err(ApiError::Conflict("a user with this email exists".into()));
        }
        a.email = Set(email);
    }
    if let Some(name) = &body.name {
        a.name = Set(validate::required("name", name, 200).map_err(invalid)?);
    }
    if let Some(phone) = &body.phone {
        a.phone = Set(validate::optional("phone", Some(phone), 50).map_err(invalid)?);
    }
    if let Some(password) = body.password {
        check_password("password", &password)?;
        a.password_hash = Set(hash_password(password).await?);
        revoke = true;
    }
    // Only what this request changes is written: a role or customer it merely read back
    // would undo a change another admin made meanwhile (restoring a revoked role).
    if role != current {
        a.role = Set(role.as_str().into());
    }
    if customer_id != before.customer_id {
        a.customer_id = Set(customer_id);
    }
    a.updated_at = Set(Utc::now());
    let row = a.update(&state.db).await?;
    if revoke {
        auth::revoke_user_credentials(&state, &row, None, true).await?;
    }
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}

/// Soft-deletes a user: hidden, signed out everywhere, tokens revoked; restorable.
#[utoipa::path(tag = "orders-users", params(("id" = Uuid, Path, description = "User id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = find(&state, caller.tenant, *id).await?;
    may_manage(&caller, Role::parse(&row.role).unwrap_or(Role::Customer))?;
    if row.id == caller.user.id {
        return Err(ApiError::Forbidden("you cannot delete yourself".into()));
    }
    if row.deleted_at.is_none() {
        auth::revoke_user_credentials(&state, &row, None, true).await?;
        let mut a = row.into_active_model();
        a.deleted_at = Set(Some(Utc::now()));
        a.update(&state.db).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Restores a soft-deleted user.
#[utoipa::path(tag = "orders-users", params(("id" = Uuid, Path, description = "User id")), security(("orders_token" = [])), responses(
    (status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[post("/orders-api/v1/users/{id}/restore")]
pub async fn restore_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = find(&state, caller.tenant, *id).await?;
    may_manage(&caller, Role::parse(&row.role).unwrap_or(Role::Customer))?;
    let mut a = row.into_active_model();
    a.deleted_at = Set(None);
    a.updated_at = Set(Utc::now());
    Ok(HttpResponse::Ok().json(UserView::from(a.update(&state.db).await?)))
}

/// Permanently deletes a soft-deleted user with their sessions and tokens.
#[utoipa::path(tag = "orders-users", params(("id" = Uuid, Path, description = "User id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[delete("/orders-api/v1/users/{id}/purge")]
pub async fn purge_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = find(&state, caller.tenant, *id).await?;
    may_manage(&caller, Role::parse(&row.role).unwrap_or(Role::Customer))?;
    if row.deleted_at.is_none() {
        return Err(ApiError::Conflict(
            "delete the user first; only deleted users are purged".into(),
        ));
    }
    user::Entity::delete_by_id(row.id).exec(&state.db).await?;
    Ok(HttpResponse::NoContent().finish())
}
