//! `orders_addresses`: billing and shipping addresses of customers.

use sea_orm::entity::prelude::*;

/// A row of `orders_addresses`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_addresses")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// The customer.
    pub customer_id: Uuid,
    /// `billing` or `shipping`.
    pub kind: String,
    /// Street line.
    pub line1: String,
    /// Second line.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Province (Canada) or state (US), two-letter code.
    pub region: String,
    /// Postal or ZIP code.
    pub postal_code: String,
    /// `CA` or `US`.
    pub country: String,
    /// Optional latitude, decimal text.
    pub latitude: Option<String>,
    /// Optional longitude, decimal text.
    pub longitude: Option<String>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
