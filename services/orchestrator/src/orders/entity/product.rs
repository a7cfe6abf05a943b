//! `orders_products`: the catalogue.

use sea_orm::entity::prelude::*;

/// A row of `orders_products`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_products")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// SKU (scanner lookup).
    pub sku: String,
    /// Barcode (UPC/EAN, scanner lookup).
    pub barcode: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Unit price, decimal text.
    pub price: String,
    /// ISO currency (`CAD`, `USD`).
    pub currency: String,
    /// QuickBooks tax code id (Canada: GST/HST/PST code).
    pub tax_code: Option<String>,
    /// QuickBooks item id, once linked.
    pub qb_item_id: Option<String>,
    /// Orderable.
    pub active: bool,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTimeUtc>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
