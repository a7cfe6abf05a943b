//! `orders_sessions`: signed-in sessions, stored by the SHA-256 of their token.

use sea_orm::entity::prelude::*;

/// A row of `orders_sessions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_sessions")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// Who.
    pub user_id: Uuid,
    /// SHA-256 of the bearer token, hex.
    pub token_hash: String,
    /// Client IP at sign-in.
    pub ip_address: Option<String>,
    /// User agent at sign-in.
    pub user_agent: Option<String>,
    /// Refused after this instant (idle lifetime, extended on use).
    pub expires_at: DateTimeUtc,
    /// Last use.
    pub last_seen_at: DateTimeUtc,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
