//! `orders_qb_connections`: an organization's QuickBooks connection (tokens live in the vault).

use sea_orm::entity::prelude::*;

/// A row of `orders_qb_connections`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_qb_connections")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// `pending`, `connected`, `reconnect_needed` or `disconnected`.
    pub status: String,
    /// The QuickBooks company id.
    pub realm_id: Option<String>,
    /// `estimate` or `invoice`: what a confirmed order becomes.
    pub document_kind: String,
    /// The company's country (`US`, `CA`), from CompanyInfo.
    pub country: Option<String>,
    /// SHA-256 of the pending OAuth `state`.
    pub oauth_state_hash: Option<String>,
    /// When the pending OAuth `state` expires.
    pub oauth_state_expires_at: Option<DateTimeUtc>,
    /// When the first full sync finished.
    pub last_full_sync_at: Option<DateTimeUtc>,
    /// Changes up to this instant have been synced.
    pub sync_cursor: Option<DateTimeUtc>,
    /// The last error (refresh, sync).
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
