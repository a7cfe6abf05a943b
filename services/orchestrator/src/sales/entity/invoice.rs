//! `sales_invoices`: an invoice (or storno) issued for an order.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_invoices`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_invoices")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The shop.
    pub tenant_id: Uuid,
    /// The order.
    pub order_id: Uuid,
    /// `oblio` or `smartbill`.
    pub provider: String,
    /// `invoice` or `storno`.
    pub kind: String,
    /// Series.
    pub series: String,
    /// Number.
    pub number: String,
    /// Link to the document.
    pub link: Option<String>,
    /// `issued`, `cancelled` or `reversed`.
    pub status: String,
    /// Total, decimal string.
    pub total: Option<String>,
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
