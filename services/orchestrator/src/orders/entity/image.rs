//! `orders_images`: images of products and product groups, kept while their record exists.

use sea_orm::entity::prelude::*;

/// A row of `orders_images`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_images")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// `product` or `product_group`.
    pub owner_kind: String,
    /// The product or group.
    pub owner_id: Uuid,
    /// Key in the image storage.
    pub storage_key: String,
    /// `image/png`, `image/jpeg`, `image/webp` or `image/gif`.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
