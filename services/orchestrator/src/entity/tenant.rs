//! `tenants`: a Shopify shop (FluxSales) or an organization (FluxOrders).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A tenant row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `shop` or `organization`.
    pub kind: String,
    /// The shop's myshopify domain, or the organization's slug.
    pub external_key: String,
    /// Display name.
    pub name: String,
    /// `active`, `uninstalled` or `deleting`.
    pub status: String,
    /// When the tenant's data is due to be erased (30 days after uninstall).
    pub deletion_due_at: Option<DateTimeUtc>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
