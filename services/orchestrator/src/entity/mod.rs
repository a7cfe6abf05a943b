//! sea-orm entities of the platform tables. Product modules add their own.
//!
//! Tenant-owned entities implement [`TenantOwned`](crate::tenancy::TenantOwned); reach them
//! through [`crate::tenancy`] so that every query is scoped to one tenant.

pub mod credential;
pub mod effect;
pub mod job;
pub mod tenant;
