//! `sales_cod_settlements`: a COD amount a courier reported paid to the merchant.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_cod_settlements`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_cod_settlements")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The shop.
    pub tenant_id: Uuid,
    /// The courier account whose report it came from.
    pub account_id: Uuid,
    /// Our shipment of that AWB, when known.
    pub shipment_id: Option<Uuid>,
    /// Its order.
    pub order_id: Option<Uuid>,
    /// AWB and payment reference: one row per reported payment.
    pub settlement_key: String,
    /// AWB.
    pub awb: String,
    /// Amount paid, decimal string.
    pub amount: String,
    /// The COD amount of the shipment, decimal string.
    pub expected: Option<String>,
    /// Currency.
    pub currency: String,
    /// When the courier paid.
    pub paid_on: Option<Date>,
    /// The courier's payment reference.
    pub payment_reference: Option<String>,
    /// `matched`, `mismatch` or `unknown_awb`.
    pub status: String,
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
