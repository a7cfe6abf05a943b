//! `orders_orders`: orders placed for customers.

use sea_orm::entity::prelude::*;

/// A row of `orders_orders`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders_orders")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization.
    pub tenant_id: Uuid,
    /// The customer.
    pub customer_id: Uuid,
    /// The user who placed it.
    pub placed_by: Option<Uuid>,
    /// `draft`, `submitted`, `confirmed`, `invoiced` or `cancelled`.
    pub status: String,
    /// The customer's purchase-order number.
    pub po_number: Option<String>,
    /// Shipping instructions.
    pub shipping_instructions: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// ISO currency.
    pub currency: String,
    /// Total, decimal text.
    pub total: String,
    /// The QuickBooks estimate it produced.
    pub qb_estimate_id: Option<String>,
    /// The QuickBooks invoice it produced.
    pub qb_invoice_id: Option<String>,
    /// The QuickBooks document number.
    pub qb_doc_number: Option<String>,
    /// Why the last push failed.
    pub qb_error: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<DateTimeUtc>,
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
