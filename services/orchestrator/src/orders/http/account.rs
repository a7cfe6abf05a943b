//! Organizations, sign-in, sessions, password change and personal API tokens
//! (tag `orders-auth`).

#![allow(unreachable_pub)]

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::super::auth::{
    self, ABILITIES, ANYONE, Caller, Credential, Role, check_password, hash_password, throttle_key,
    verify_password,
};
use super::super::entity::{api_token, login_failure, user};
use super::invalid;
use super::users::UserView;
use crate::http::error::{ApiError, ErrorBody};
use crate::orders::validate;
use crate::state::AppState;
use crate::tenancy::{TenantKind, find_tenant, scoped};

pub(super) fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_organization)
        .service(login)
        .service(logout)
        .service(me)
        .service(change_password)
        .service(list_tokens)
        .service(create_token)
        .service(revoke_token);
}

/// The first owner of a new organization.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewOwner {
    /// Email (sign-in name).
    pub email: String,
    /// Full name.
    pub name: String,
    /// Password, at least 10 characters.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// A new organization.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewOrganization {
    /// Short unique key used to sign in (`acme-foods`): lower-case letters, digits, dashes.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The owner.
    pub owner: NewOwner,
}

/// A session, returned once at sign-in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionCreated {
    /// The bearer token (`fos_…`): shown once, stored only as a hash.
    pub token: String,
    /// When it lapses unless used (idle lifetime).
    pub expires_at: DateTime<Utc>,
    /// The organization's id.
    pub organization_id: Uuid,
    /// Who signed in.
    pub user: UserView,
}

fn check_slug(slug: &str) -> Result<String, ApiError> {
    let s = slug.trim().to_lowercase();
    let ok = (3..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s)
    } else {
        Err(ApiError::validation(
            "slug",
            "3 to 63 lower-case letters, digits or dashes",
        ))
    }
}

/// Creates an organization and its owner, and signs the owner in.
#[utoipa::path(tag = "orders-auth", request_body = NewOrganization, responses(
    (status = 201, body = SessionCreated), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/organizations")]
pub async fn create_organization(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<NewOrganization>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let slug = check_slug(&body.slug)?;
    let name = validate::required("name", &body.name, 200).map_err(invalid)?;
    let email = validate::email("owner.email", &body.owner.email).map_err(invalid)?;
    let owner_name = validate::required("owner.name", &body.owner.name, 200).map_err(invalid)?;
    check_password("owner.password", &body.owner.password)?;
    if find_tenant(&state.db, TenantKind::Organization, &slug)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "the organization `{slug}` already exists"
        )));
    }
    let hash = hash_password(body.owner.password).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let now = Utc::now();
    let tenant = crate::entity::tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(TenantKind::Organization.as_str().to_owned()),
        external_key: Set(slug.clone()),
        name: Set(name),
        status: Set("active".into()),
        deletion_due_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|_| ApiError::Conflict(format!("the organization `{slug}` already exists")))?;
    let owner = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.id),
        email: Set(email),
        name: Set(owner_name),
        phone: Set(None),
        role: Set(Role::Owner.as_str().into()),
        customer_id: Set(None),
        password_hash: Set(hash),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let (token, expires_at) = auth::create_session(&state, &owner, &req).await?;
    Ok(HttpResponse::Created().json(SessionCreated {
        token: token.expose_secret().to_owned(),
        expires_at,
        organization_id: tenant.id,
        user: owner.into(),
    }))
}

/// Sign-in credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Login {
    /// The organization's slug.
    pub organization: String,
    /// Email.
    pub email: String,
    /// Password.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// Signs in with email and password and returns a session token. After
/// `orders.login_max_failures` failures within `orders.login_lockout_minutes`, the
/// account's sign-in is refused with 429 until the window passes.
#[utoipa::path(tag = "orders-auth", request_body = Login, responses(
    (status = 200, body = SessionCreated), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)
))]
#[post("/orders-api/v1/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Login>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let settings = &state.settings.orders;
    let key = throttle_key(&body.organization, &body.email);
    let window = Utc::now() - Duration::minutes(settings.login_lockout_minutes);
    // The attempt is recorded as a failure before it is counted and before the password is
    // checked (and forgotten if it succeeds). Counting first and recording afterwards let
    // parallel guesses all count the same few failures and all go through: now, of any
    // number of attempts at once, at most `login_max_failures` reach the password check.
    let attempt = Uuid::now_v7();
    login_failure::ActiveModel {
        id: Set(attempt),
        throttle_key: Set(key.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?;
    let failures = login_failure::Entity::find()
        .filter(login_failure::Column::ThrottleKey.eq(&key))
        .filter(login_failure::Column::CreatedAt.gt(window))
        .count(&state.db)
        .await?;
    if failures > settings.login_max_failures {
        // A refused attempt is not a failure: the lockout ends when the window passes.
        login_failure::Entity::delete_by_id(attempt)
            .exec(&state.db)
            .await?;
        return Err(ApiError::RateLimited(format!(
            "too many failed sign-ins for this account; try again in {} minutes",
            settings.login_lockout_minutes
        )));
    }
    let tenant = find_tenant(
        &state.db,
        TenantKind::Organization,
        body.organization.trim().to_lowercase().as_str(),
    )
    .await?
    .filter(|t| t.status == "active");
    let found = match &tenant {
        Some(t) => {
            scoped::<user::Entity>(crate::tenancy::TenantId(t.id))
                .filter(user::Column::Email.eq(body.email.trim().to_lowercase()))
                .filter(user::Column::DeletedAt.is_null())
                .one(&state.db)
                .await?
        }
        None => None,
    };
    let ok = verify_password(
        body.password,
        found.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(user) = found.filter(|_| ok) else {
        return Err(ApiError::Unauthorized(
            "the organization, email or password is wrong".into(),
        ));
    };
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::ThrottleKey.eq(&key))
        .exec(&state.db)
        .await?;
    let (token, expires_at) = auth::create_session(&state, &user, &req).await?;
    Ok(HttpResponse::Ok().json(SessionCreated {
        token: token.expose_secret().to_owned(),
        expires_at,
        organization_id: user.tenant_id,
        user: user.into(),
    }))
}

/// Signs out: ends the current session, or revokes the API token used.
#[utoipa::path(tag = "orders-auth", security(("orders_token" = [])), responses(
    (status = 204), (status = 401, body = ErrorBody)
))]
#[post("/orders-api/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    match &caller.credential {
        Credential::Session(id) => {
            super::super::entity::session::Entity::delete_by_id(*id)
                .exec(&state.db)
                .await?;
        }
        Credential::Token { id, .. } => {
            api_token::Entity::update_many()
                .filter(api_token::Column::Id.eq(*id))
                .col_expr(api_token::Column::RevokedAt, Some(Utc::now()).into())
                .exec(&state.db)
                .await?;
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(tag = "orders-auth", security(("orders_token" = [])), responses(
    (status = 200, body = UserView), (status = 401, body = ErrorBody)
))]
#[get("/orders-api/v1/auth/me")]
pub async fn me(caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require(ANYONE)?;
    Ok(HttpResponse::Ok().json(UserView::from(caller.user)))
}

/// A password change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    /// The current password.
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// The new password, at least 10 characters.
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

/// Changes the caller's password (sessions only). Every other session of the user ends and
/// every API token of the user is revoked; the current session stays.
#[utoipa::path(tag = "orders-auth", request_body = PasswordChange, security(("orders_token" = [])), responses(
    (status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let Credential::Session(session_id) = caller.credential else {
        return Err(ApiError::Forbidden(
            "change the password from a signed-in session, not with an API token".into(),
        ));
    };
    let body = body.into_inner();
    check_password("new_password", &body.new_password)?;
    if !verify_password(
        body.current_password,
        Some(caller.user.password_hash.clone()),
    )
    .await?
    {
        return Err(ApiError::validation("current_password", "is wrong"));
    }
    let hash = hash_password(body.new_password).await?;
    let user = caller.user.clone();
    let mut active = caller.user.into_active_model();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(&state.db).await?;
    auth::revoke_user_credentials(&state, &user, Some(session_id), true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A personal API token (never its value).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// First characters, to recognise it.
    pub prefix: String,
    /// Abilities.
    pub abilities: Vec<String>,
    /// Expiry, when set.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revocation time.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<api_token::Model> for TokenView {
    fn from(t: api_token::Model) -> Self {
        Self {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            abilities: serde_json::from_value(t.abilities).unwrap_or_default(),
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            created_at: t.created_at,
        }
    }
}

/// The caller's API tokens.
#[utoipa::path(tag = "orders-auth", security(("orders_token" = [])), responses(
    (status = 200, body = Vec<TokenView>), (status = 401, body = ErrorBody)
))]
#[get("/orders-api/v1/auth/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let rows = scoped::<api_token::Entity>(caller.tenant)
        .filter(api_token::Column::UserId.eq(caller.user.id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(TokenView::from).collect::<Vec<_>>()))
}

/// A token to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    /// A name ("Warehouse iPad").
    pub name: String,
    /// Abilities: `*`, `orders:read`, `orders:write`, `customers:read`, `customers:write`,
    /// `products:read`, `products:write`, `admin`. The role still limits what it can do.
    pub abilities: Vec<String>,
    /// Expiry; none means valid until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A created token: the only time its value is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenCreated {
    /// The bearer token (`fot_…`). Store it now: it cannot be shown again.
    pub token: String,
    /// The token's record.
    #[serde(flatten)]
    pub view: TokenView,
}

/// Creates a personal API token (sessions only).
#[utoipa::path(tag = "orders-auth", request_body = NewToken, security(("orders_token" = [])), responses(
    (status = 201, body = TokenCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/auth/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewToken>,
) -> Result<HttpResponse, ApiError> {
    if !matches!(caller.credential, Credential::Session(_)) {
        return Err(ApiError::Forbidden(
            "create API tokens from a signed-in session".into(),
        ));
    }
    let body = body.into_inner();
    let name = validate::required("name", &body.name, 100).map_err(invalid)?;
    if body.abilities.is_empty() {
        return Err(ApiError::validation(
            "abilities",
            "name at least one ability",
        ));
    }
    for (i, a) in body.abilities.iter().enumerate() {
        if !ABILITIES.contains(&a.as_str()) {
            return Err(ApiError::validation(
                format!("abilities[{i}]"),
                format!("unknown ability; use one of {}", ABILITIES.join(", ")),
            ));
        }
    }
    if body.expires_at.is_some_and(|e| e <= Utc::now()) {
        return Err(ApiError::validation("expires_at", "must be in the future"));
    }
    let token = auth::new_token("fot_");
    let row = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(caller.tenant.0),
        user_id: Set(caller.user.id),
        name: Set(name),
        token_hash: Set(auth::token_hash(token.expose_secret())),
        prefix: Set(token.expose_secret().chars().take(10).collect()),
        abilities: Set(serde_json::json!(body.abilities)),
        expires_at: Set(body.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?;
    Ok(HttpResponse::Created().json(TokenCreated {
        token: token.expose_secret().to_owned(),
        view: row.into(),
    }))
}

/// Revokes one of the caller's API tokens.
#[utoipa::path(tag = "orders-auth", params(("id" = Uuid, Path, description = "Token id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/auth/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = scoped::<api_token::Entity>(caller.tenant)
        .filter(api_token::Column::Id.eq(*id))
        .filter(api_token::Column::UserId.eq(caller.user.id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such token".into()))?;
    let mut active = row.into_active_model();
    active.revoked_at = Set(Some(Utc::now()));
    active.update(&state.db).await?;
    Ok(HttpResponse::NoContent().finish())
}
