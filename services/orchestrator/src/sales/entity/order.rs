//! `sales_orders`: a Shopify order as FluxSales tracks it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_orders`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_orders")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The shop.
    pub tenant_id: Uuid,
    /// Shopify's numeric id.
    pub shopify_id: i64,
    /// Shopify's GID.
    pub gid: String,
    /// `#1001`.
    pub name: String,
    /// FluxSales status (see [`crate::sales::orders::OrderStatus`]).
    pub status: String,
    /// Shopify's financial status.
    pub financial_status: Option<String>,
    /// Cancelled in Shopify.
    pub cancelled: bool,
    /// Cash on delivery.
    pub cod: bool,
    /// Currency.
    pub currency: String,
    /// Total, decimal string.
    pub total: String,
    /// Still to collect, decimal string.
    pub outstanding: String,
    /// Weight of the lines, grams.
    pub weight_grams: i64,
    /// Shopify customer id.
    pub customer_id: Option<i64>,
    /// Customer email (personal data).
    pub email: Option<String>,
    /// Customer name (personal data).
    pub customer_name: Option<String>,
    /// Customer phone (personal data).
    pub phone: Option<String>,
    /// Shipping county.
    pub county: Option<String>,
    /// Billing company (B2B).
    pub company: Option<String>,
    /// Billing company CIF (B2B).
    pub cif: Option<String>,
    /// Locker chosen at checkout.
    pub locker_id: Option<String>,
    /// The order webhook body (personal data; erased on redaction).
    pub payload: Json,
    /// Incremented when an AWB is cancelled, so a new one may be created.
    pub awb_generation: i32,
    /// Why the last automated step failed.
    pub failure_reason: Option<String>,
    /// Shopify's `updated_at` of the stored payload.
    pub shopify_updated_at: Option<DateTimeUtc>,
    /// When the order was placed.
    pub placed_at: DateTimeUtc,
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
