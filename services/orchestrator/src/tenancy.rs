//! Tenants, and queries that cannot forget them.
//!
//! FluxSales tenants are Shopify shops, FluxOrders tenants are organizations; both are rows
//! of `tenants`. Every tenant-owned entity implements [`TenantOwned`], and product code
//! reads them through [`scoped`], which returns a `Select` already filtered to one tenant,
//! so a query over another tenant's rows has to be written on purpose.
//!
//! ```no_run
//! # async fn demo(db: &sea_orm::DatabaseConnection, tenant: flux_orchestrator::tenancy::TenantId) -> Result<(), sea_orm::DbErr> {
//! use flux_orchestrator::entity::effect;
//! use flux_orchestrator::tenancy::scoped;
//! use sea_orm::EntityTrait;
//!
//! let effects = scoped::<effect::Entity>(tenant).all(db).await?; // only this tenant's
//! # Ok(()) }
//! ```

use std::fmt;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{credential, effect, tenant};

/// A tenant's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub Uuid);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Which product a tenant belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TenantKind {
    /// A Shopify shop (FluxSales).
    Shop,
    /// A business (FluxOrders).
    Organization,
}

impl TenantKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantKind::Shop => "shop",
            TenantKind::Organization => "organization",
        }
    }
}

/// An entity whose rows belong to one tenant.
pub trait TenantOwned: EntityTrait {
    /// The column holding the owner's id.
    fn tenant_column() -> Self::Column;
}

impl TenantOwned for credential::Entity {
    fn tenant_column() -> Self::Column {
        credential::Column::TenantId
    }
}

impl TenantOwned for effect::Entity {
    fn tenant_column() -> Self::Column {
        effect::Column::TenantId
    }
}

/// All rows of `E` that belong to `tenant`.
pub fn scoped<E: TenantOwned>(tenant: TenantId) -> Select<E> {
    E::find().filter(E::tenant_column().eq(tenant.0))
}

/// Finds the tenant of `kind` with `external_key`, creating it when absent.
pub async fn ensure_tenant<C: ConnectionTrait>(
    db: &C,
    kind: TenantKind,
    external_key: &str,
    name: &str,
) -> Result<tenant::Model, sea_orm::DbErr> {
    if let Some(existing) = find_tenant(db, kind, external_key).await? {
        return Ok(existing);
    }
    let now = Utc::now();
    let row = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.as_str().to_owned()),
        external_key: Set(external_key.to_owned()),
        name: Set(name.to_owned()),
        status: Set("active".to_owned()),
        deletion_due_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(db).await {
        Ok(model) => Ok(model),
        // Another request created it first (unique kind + key): read theirs.
        Err(e) => find_tenant(db, kind, external_key).await?.ok_or(e),
    }
}

/// Finds a tenant by its external key.
pub async fn find_tenant<C: ConnectionTrait>(
    db: &C,
    kind: TenantKind,
    external_key: &str,
) -> Result<Option<tenant::Model>, sea_orm::DbErr> {
    tenant::Entity::find()
        .filter(tenant::Column::Kind.eq(kind.as_str()))
        .filter(tenant::Column::ExternalKey.eq(external_key))
        .one(db)
        .await
}
