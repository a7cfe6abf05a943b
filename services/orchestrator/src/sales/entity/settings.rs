//! `sales_settings`: a shop's settings (senders, rules, automation) as one JSON document.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_settings`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_settings")]
pub struct Model {
    /// The shop (one row per shop).
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// [`crate::sales::settings::SettingsDoc`] as JSON.
    pub data: Json,
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
