//! `effects`: the ledger of side effects that cost money or reach a customer.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An effect row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "effects")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owner.
    pub tenant_id: Uuid,
    /// `awb`, `invoice`, `fulfillment`, `accounting_document`, `email`…
    pub kind: String,
    /// The provider that performs it.
    pub provider: String,
    /// Our key for the intent; unique per tenant.
    pub idempotency_key: String,
    /// `pending`, `succeeded`, `failed`, `unknown` or `parked`.
    pub state: String,
    /// What was asked.
    #[sea_orm(column_type = "JsonBinary")]
    pub request: Json,
    /// What the provider returned.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub outcome: Option<Json>,
    /// The provider's id for it (AWB number, invoice series and number).
    pub provider_reference: Option<String>,
    /// The last error, or why it is parked.
    pub last_error: Option<String>,
    /// Attempts started.
    pub attempts: i32,
    /// While an attempt is in flight: until when its worker holds the effect.
    pub locked_until: Option<DateTimeUtc>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
