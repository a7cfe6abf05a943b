//! `sales_webhook_events`: a webhook delivery, stored raw before it is processed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of `sales_webhook_events`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sales_webhook_events")]
pub struct Model {
    /// Our id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The shop.
    pub tenant_id: Uuid,
    /// `X-Shopify-Webhook-Id` (unique: duplicates are ignored).
    pub webhook_id: String,
    /// Topic.
    pub topic: String,
    /// Shop domain.
    pub shop_domain: String,
    /// `X-Shopify-Event-Id`.
    pub event_id: Option<String>,
    /// `X-Shopify-Triggered-At`.
    pub triggered_at: Option<DateTimeUtc>,
    /// Raw body.
    pub payload: String,
    /// `received`, `processed` or `failed`.
    pub status: String,
    /// Why processing failed.
    pub error: Option<String>,
    /// Received.
    pub received_at: DateTimeUtc,
    /// Processed.
    pub processed_at: Option<DateTimeUtc>,
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
