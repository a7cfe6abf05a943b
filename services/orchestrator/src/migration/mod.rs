//! Database migrations (sea-orm-migration), applied at start-up and by `flux migrate`.
//!
//! Migrations are append-only: a released migration is never edited; a change is a new
//! `mYYYYMMDD_NNNNNN_*` module added at the end of [`Migrator::migrations`].

use sea_orm_migration::prelude::*;

mod m20261122_000001_platform;
mod m20261122_000002_effect_leases;
mod m20261122_000100_orders;
mod m20261122_000200_sales;
mod m20261122_000201_sales_cod;
mod m20261122_000202_webhook_payload_lz4;

/// Every migration, in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_platform::Migration),
            Box::new(m20261122_000002_effect_leases::Migration),
            Box::new(m20261122_000100_orders::Migration),
            Box::new(m20261122_000200_sales::Migration),
            Box::new(m20261122_000201_sales_cod::Migration),
            Box::new(m20261122_000202_webhook_payload_lz4::Migration),
        ]
    }
}
