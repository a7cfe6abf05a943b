//! Effects get a lease: while one worker is performing an effect, another that finds it
//! pending waits instead of reconciling (and possibly performing it a second time).

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime; naming it here would
// not match the trait's late-bound lifetime.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("effects")
                .add_column(
                    ColumnDef::new("locked_until")
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("effects")
                .drop_column("locked_until")
                .to_owned(),
        )
        .await
    }
}
