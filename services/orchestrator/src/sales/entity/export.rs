//! `sales_exports`: a built data export (a customer's data request).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_exports`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_exports")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The shop.
    pub tenant_id: Uuid,
    /// `customer_data_request`.
    pub kind: String,
    /// Whose data (the Shopify customer id).
    pub subject: String,
    /// The export.
    pub data: Json,
    /// Created.
    pub created_at: DateTimeUtc,
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
