//! `orders_users`: people who sign in: owners, admins, staff and customer users.

use sea_orm::entity::prelude::*;

/// A row of `orders_users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_users")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// Business email, lower-cased; unique in the organization.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// `owner`, `admin`, `staff` or `customer`.
    pub role: String,
    /// For customer users: the only customer account they see.
    pub customer_id: Option<Uuid>,
    /// argon2id PHC string; never the password.
    pub password_hash: String,
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
