//! `orders_customers`: the organization's customers (the businesses that order).

use sea_orm::entity::prelude::*;

/// A row of `orders_customers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_customers")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Company name (the QuickBooks display name).
    pub name: String,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Business email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Internal notes.
    pub notes: Option<String>,
    /// QuickBooks customer id, once linked.
    pub qb_id: Option<String>,
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
