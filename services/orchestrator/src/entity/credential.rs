//! `credentials`: provider credentials and OAuth tokens, sealed by the vault.

use sea_orm::entity::prelude::*;

/// A sealed credential.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credentials")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owner.
    pub tenant_id: Uuid,
    /// `fancourier`, `oblio`, `quickbooks`, `shopify`…
    pub provider: String,
    /// Which credential of the provider account (`password`, `api_key`, `refresh_token`).
    pub name: String,
    /// The vault key that sealed it.
    pub key_id: String,
    /// AES-GCM nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext with tag.
    pub ciphertext: Vec<u8>,
    /// What the API shows instead of the value.
    pub masked: String,
    /// When the credential expires, if it does (OAuth tokens).
    pub expires_at: Option<DateTimeUtc>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
