//! FluxOrders HTTP API under `/orders-api/v1`, one utoipa tag per area:
//! `orders-auth`, `orders-users`, `orders-customers`, `orders-products`, `orders-orders`,
//! `orders-quickbooks` and `orders-data`.
//!
//! Every route but organization sign-up, sign-in, the QuickBooks OAuth callback and the
//! QuickBooks webhook takes a [`Caller`](super::auth::Caller) (a session or API token) and
//! checks its role, its token's ability and its tenant.

pub mod account;
pub mod customers;
pub mod data;
pub mod orders;
pub mod products;
pub mod quickbooks;
pub mod users;

use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{ADMINS, Caller};
use crate::http::error::ApiError;

/// Which rows a list shows, by soft-deletion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeletedFilter {
    /// Only live rows (the default).
    #[default]
    Exclude,
    /// Live and deleted rows (owners and admins).
    Include,
    /// Only deleted rows (owners and admins).
    Only,
}

impl DeletedFilter {
    /// Refuses deleted rows to callers who are not owners or admins.
    pub fn check(self, caller: &Caller) -> Result<(), ApiError> {
        if self != DeletedFilter::Exclude {
            caller.require(ADMINS)?;
        }
        Ok(())
    }
}

/// `?deleted=…&limit=…&offset=…`.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// `exclude` (default), `include` or `only` deleted rows.
    pub deleted: Option<DeletedFilter>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<u64>,
    /// Skip this many.
    pub offset: Option<u64>,
    /// Search text (name, SKU, email).
    pub q: Option<String>,
}

impl ListQuery {
    /// The page size.
    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or(100).clamp(1, 500)
    }
    /// The offset.
    pub fn offset(&self) -> u64 {
        self.offset.unwrap_or(0)
    }
    /// The deleted filter.
    pub fn deleted(&self) -> DeletedFilter {
        self.deleted.unwrap_or_default()
    }
}

/// Applies a deleted filter to a query on a table with a `deleted_at` column.
pub fn filter_deleted<E, C>(
    query: sea_orm::Select<E>,
    column: C,
    deleted: DeletedFilter,
) -> sea_orm::Select<E>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ColumnTrait,
{
    use sea_orm::QueryFilter;
    match deleted {
        DeletedFilter::Exclude => query.filter(column.is_null()),
        DeletedFilter::Include => query,
        DeletedFilter::Only => query.filter(column.is_not_null()),
    }
}

/// Turns a validation issue into a 422.
pub fn invalid(issue: super::validate::FieldIssue) -> ApiError {
    ApiError::validation(issue.0, issue.1)
}

/// Registers every FluxOrders route.
pub fn routes(cfg: &mut ServiceConfig<'_>) {
    account::routes(cfg);
    users::routes(cfg);
    customers::routes(cfg);
    products::routes(cfg);
    orders::routes(cfg);
    quickbooks::routes(cfg);
    data::routes(cfg);
}
