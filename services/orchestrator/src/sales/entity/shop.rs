//! `sales_shops`: the installed Shopify shop.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_shops`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_shops")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The shop.
    pub tenant_id: Uuid,
    /// `example.myshopify.com`.
    pub shop_domain: String,
    /// Shop name.
    pub name: Option<String>,
    /// Shop email.
    pub email: Option<String>,
    /// Granted scopes, comma-separated.
    pub scopes: String,
    /// `active` or `uninstalled`.
    pub status: String,
    /// Last install.
    pub installed_at: DateTimeUtc,
    /// Uninstall, if uninstalled.
    pub uninstalled_at: Option<DateTimeUtc>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl crate::tenancy::TenantOwned for Entity {
    fn tenant_column() -> Self::Column {
        Column::TenantId
    }
}
