//! `orders_order_items`: lines of orders.

use sea_orm::entity::prelude::*;

/// A row of `orders_order_items`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_order_items")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// The order.
    pub order_id: Uuid,
    /// The product, while it exists.
    pub product_id: Option<Uuid>,
    /// SKU at the time of ordering.
    pub sku: String,
    /// Description at the time of ordering.
    pub description: String,
    /// Quantity, decimal text.
    pub quantity: String,
    /// Unit price, decimal text.
    pub unit_price: String,
    /// Line order.
    pub position: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
