//! `orders_api_tokens`: personal API tokens for the apps, stored by their SHA-256.

use sea_orm::entity::prelude::*;

/// A row of `orders_api_tokens`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_api_tokens")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// The owner.
    pub user_id: Uuid,
    /// A name for people ("iPad at the warehouse").
    pub name: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// The token's first characters, to recognise it.
    pub prefix: String,
    /// Abilities (`orders:read`, `orders:write`, …, or `*`).
    #[sea_orm(column_type = "JsonBinary")]
    pub abilities: Json,
    /// Refused after this instant, when set.
    pub expires_at: Option<DateTimeUtc>,
    /// Last use.
    pub last_used_at: Option<DateTimeUtc>,
    /// Revocation time.
    pub revoked_at: Option<DateTimeUtc>,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
