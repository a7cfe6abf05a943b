//! `sales_invoicing`: the shop's invoicing connection; its secret is in the vault.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_invoicing`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_invoicing")]
pub struct Model {
    /// The shop (one connection per shop).
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// `oblio` or `smartbill`.
    pub provider: String,
    /// Account email.
    pub username: String,
    /// The issuing company's CIF.
    pub company_cif: String,
    /// Invoice series.
    pub series: String,
    /// Series for storno invoices (the invoice series when absent).
    pub storno_series: Option<String>,
    /// Email the invoice to the customer from the platform.
    pub send_email: bool,
    /// The API secret, masked.
    pub masked: String,
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
