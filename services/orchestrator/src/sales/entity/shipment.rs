//! `sales_shipments`: an AWB created for an order.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_shipments`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_shipments")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The shop.
    pub tenant_id: Uuid,
    /// The order.
    pub order_id: Uuid,
    /// The courier account used.
    pub account_id: Option<Uuid>,
    /// Courier.
    pub provider: String,
    /// AWB number.
    pub awb: String,
    /// The order's AWB generation it belongs to.
    pub generation: i32,
    /// Service code.
    pub service: Option<String>,
    /// COD amount, decimal string.
    pub cod_amount: Option<String>,
    /// Courier price, decimal string.
    pub price: Option<String>,
    /// Locker id.
    pub locker_id: Option<String>,
    /// `active` or `cancelled`.
    pub status: String,
    /// Normalized tracking status.
    pub tracking_status: String,
    /// Tracking events.
    pub events: Json,
    /// Shopify fulfillment GID.
    pub fulfillment_id: Option<String>,
    /// Whether the COD order was marked paid in Shopify.
    pub cod_paid: bool,
    /// Delivered.
    pub delivered_at: Option<DateTimeUtc>,
    /// Cancelled.
    pub cancelled_at: Option<DateTimeUtc>,
    /// Last tracked.
    pub last_tracked_at: Option<DateTimeUtc>,
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
