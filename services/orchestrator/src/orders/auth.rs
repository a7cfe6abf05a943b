//! Authentication and authorization for FluxOrders.
//!
//! - Passwords: argon2id (PHC strings), hashed and verified on the blocking pool.
//! - Sessions (`fos_…` bearer tokens from `POST /auth/login`): stored in the database by
//!   the SHA-256 of the token, with an idle lifetime (`orders.session_lifetime_minutes`,
//!   default 120) extended on use; expired ones are refused and swept by a recurring job.
//! - Personal API tokens (`fot_…`): shown once, stored hashed, named, with abilities, an
//!   optional expiry, revocation and last-use time.
//! - Every handler takes a [`Caller`] and asks it for a role ([`Caller::require`]) and an
//!   ability ([`Caller::ability`]); the caller's tenant scopes every query.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use actix_web::{FromRequest, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::entity::{api_token, session, user};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::tenancy::TenantId;

/// A user's role in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Created the organization; everything, including managing admins.
    Owner,
    /// Everything except managing owners.
    Admin,
    /// A sales rep: customers and orders, reads the catalogue.
    Staff,
    /// A customer's user: sees only their own customer account and its orders.
    Customer,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Customer => "customer",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "owner" => Role::Owner,
            "admin" => Role::Admin,
            "staff" => Role::Staff,
            "customer" => Role::Customer,
            _ => return None,
        })
    }
}

/// Owners and admins.
pub const ADMINS: &[Role] = &[Role::Owner, Role::Admin];
/// Owners, admins and staff.
pub const STAFF: &[Role] = &[Role::Owner, Role::Admin, Role::Staff];
/// Everyone signed in.
pub const ANYONE: &[Role] = &[Role::Owner, Role::Admin, Role::Staff, Role::Customer];

/// The abilities an API token may carry (`*` means all).
pub const ABILITIES: &[&str] = &[
    "*",
    "orders:read",
    "orders:write",
    "customers:read",
    "customers:write",
    "products:read",
    "products:write",
    "admin",
];

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A session from `POST /auth/login`.
    Session(Uuid),
    /// A personal API token, with its abilities.
    Token {
        /// Its id.
        id: Uuid,
        /// What it may do.
        abilities: Vec<String>,
    },
}

/// The authenticated caller of a request. `Debug` shows ids only (never the password
/// hash or a token).
#[derive(Clone)]
pub struct Caller {
    /// Their organization.
    pub tenant: TenantId,
    /// Who.
    pub user: user::Model,
    /// Their role.
    pub role: Role,
    /// How they authenticated.
    pub credential: Credential,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("tenant", &self.tenant)
            .field("user", &self.user.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl Caller {
    /// Refuses (403) unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "the {} role may not do this",
                self.role.as_str()
            )))
        }
    }

    /// Refuses (403) an API token without `ability`; sessions may do what their role may.
    pub fn ability(&self, ability: &str) -> Result<(), ApiError> {
        match &self.credential {
            Credential::Session(_) => Ok(()),
            Credential::Token { abilities, .. }
                if abilities.iter().any(|a| a == "*" || a == ability) =>
            {
                Ok(())
            }
            Credential::Token { .. } => Err(ApiError::Forbidden(format!(
                "this API token lacks the `{ability}` ability"
            ))),
        }
    }

    /// Role and ability together.
    pub fn check(&self, roles: &[Role], ability: &str) -> Result<(), ApiError> {
        self.require(roles)?;
        self.ability(ability)
    }

    /// For customer users, the one customer account they may see.
    pub fn own_customer(&self) -> Option<Uuid> {
        if self.role == Role::Customer {
            // A customer user without a customer sees nothing.
            Some(self.user.customer_id.unwrap_or(Uuid::nil()))
        } else {
            None
        }
    }
}

/// SHA-256 of a token, hex.
pub fn token_hash(token: &str) -> String {
    hex_encode(&Sha256::digest(token.as_bytes()))
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random token with `prefix` (`fos_`, `fot_`).
pub fn new_token(prefix: &str) -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::from(format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Hashes a password with argon2id on the blocking pool.
pub async fn hash_password(password: SecretString) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(ApiError::internal)?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"not-a-real-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Verifies a password on the blocking pool. With no stored hash (unknown user) a dummy
/// hash is verified, so the answer takes as long either way.
pub async fn verify_password(
    password: SecretString,
    hash: Option<String>,
) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let stored = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        ok && known
    })
    .await
    .map_err(ApiError::internal)
}

/// Checks a new password's strength.
pub fn check_password(field: &str, password: &SecretString) -> Result<(), ApiError> {
    let p = password.expose_secret();
    if p.chars().count() < 10 {
        return Err(ApiError::validation(
            field,
            "must be at least 10 characters",
        ));
    }
    if p.len() > 512 {
        return Err(ApiError::validation(field, "must be at most 512 bytes"));
    }
    Ok(())
}

/// Creates a session for `user` and returns its token (shown once) and expiry.
pub async fn create_session(
    state: &AppState,
    user: &user::Model,
    req: &HttpRequest,
) -> Result<(SecretString, DateTime<Utc>), ApiError> {
    let token = new_token("fos_");
    let now = Utc::now();
    let expires_at = now + Duration::minutes(state.settings.orders.session_lifetime_minutes);
    let ip = req
        .connection_info()
        .realip_remote_addr()
        .map(str::to_owned);
    let agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(255).collect::<String>());
    session::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(user.tenant_id),
        user_id: Set(user.id),
        token_hash: Set(token_hash(token.expose_secret())),
        ip_address: Set(ip),
        user_agent: Set(agent),
        expires_at: Set(expires_at),
        last_seen_at: Set(now),
        created_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok((token, expires_at))
}

fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_owned())
}

async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let unauthorized =
        || ApiError::Unauthorized("the token is invalid, expired or revoked; sign in again".into());
    let hash = token_hash(token);
    let now = Utc::now();
    let (user_id, credential) = if token.starts_with("fos_") {
        let row = session::Entity::find()
            .filter(session::Column::TokenHash.eq(&hash))
            .one(&state.db)
            .await?
            .ok_or_else(unauthorized)?;
        if row.expires_at <= now {
            session::Entity::delete_by_id(row.id)
                .exec(&state.db)
                .await?;
            return Err(unauthorized());
        }
        let (user_id, id) = (row.user_id, row.id);
        if now - row.last_seen_at > Duration::seconds(30) {
            let lifetime = Duration::minutes(state.settings.orders.session_lifetime_minutes);
            let mut active = row.into_active_model();
            active.last_seen_at = Set(now);
            active.expires_at = Set(now + lifetime);
            active.update(&state.db).await?;
        }
        (user_id, Credential::Session(id))
    } else if token.starts_with("fot_") {
        let row = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(&hash))
            .one(&state.db)
            .await?
            .ok_or_else(unauthorized)?;
        if row.revoked_at.is_some() || row.expires_at.is_some_and(|e| e <= now) {
            return Err(unauthorized());
        }
        let abilities: Vec<String> =
            serde_json::from_value(row.abilities.clone()).unwrap_or_default();
        let (user_id, id) = (row.user_id, row.id);
        if row
            .last_used_at
            .is_none_or(|t| now - t > Duration::seconds(30))
        {
            api_token::Entity::update_many()
                .filter(api_token::Column::Id.eq(id))
                .col_expr(api_token::Column::LastUsedAt, Some(now).into())
                .exec(&state.db)
                .await?;
        }
        (user_id, Credential::Token { id, abilities })
    } else {
        return Err(unauthorized());
    };
    let user = user::Entity::find_by_id(user_id)
        .one(&state.db)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or_else(unauthorized)?;
    let role = Role::parse(&user.role).ok_or_else(unauthorized)?;
    Ok(Caller {
        tenant: TenantId(user.tenant_id),
        user,
        role,
        credential,
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal("the application state is missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::Unauthorized(
                    "send a session or API token as `Authorization: Bearer …`".into(),
                )
            })?;
            authenticate(&state, &token).await
        })
    }
}

/// Revokes every session of `user` except `keep`, and (when `tokens`) every API token.
pub async fn revoke_user_credentials(
    state: &AppState,
    user: &user::Model,
    keep: Option<Uuid>,
    tokens: bool,
) -> Result<(), ApiError> {
    let mut sessions = session::Entity::delete_many().filter(session::Column::UserId.eq(user.id));
    if let Some(keep) = keep {
        sessions = sessions.filter(session::Column::Id.ne(keep));
    }
    sessions.exec(&state.db).await?;
    if tokens {
        api_token::Entity::update_many()
            .filter(api_token::Column::UserId.eq(user.id))
            .filter(api_token::Column::RevokedAt.is_null())
            .col_expr(api_token::Column::RevokedAt, Some(Utc::now()).into())
            .exec(&state.db)
            .await?;
    }
    Ok(())
}

/// The throttling key of an account: SHA-256 of `organization/email`.
pub fn throttle_key(organization: &str, email: &str) -> String {
    token_hash(&format!(
        "{}/{}",
        organization.trim().to_lowercase(),
        email.trim().to_lowercase()
    ))
}
