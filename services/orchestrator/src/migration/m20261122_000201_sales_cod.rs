//! FluxSales: COD settlements from the couriers' reports, reconciled per order.
//!
//! Amounts are decimal strings, as in the other FluxSales tables.

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |n: &'static str| ColumnDef::new(n).string().not_null().take();
        let text_null = |n: &'static str| ColumnDef::new(n).string().null().take();
        let uuid_null = |n: &'static str| ColumnDef::new(n).uuid().null().take();
        let time = |n: &'static str| {
            ColumnDef::new(n)
                .timestamp_with_time_zone()
                .not_null()
                .take()
        };
        m.create_table(
            Table::create()
                .table("sales_cod_settlements")
                .col(ColumnDef::new("id").uuid().not_null().primary_key())
                .col(ColumnDef::new("tenant_id").uuid().not_null())
                .col(ColumnDef::new("account_id").uuid().not_null())
                .col(uuid_null("shipment_id"))
                .col(uuid_null("order_id"))
                .col(text("settlement_key"))
                .col(text("awb"))
                .col(text("amount"))
                .col(text_null("expected"))
                .col(text("currency"))
                .col(ColumnDef::new("paid_on").date().null())
                .col(text_null("payment_reference"))
                .col(text("status"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_sales_cod_settlements_key")
                .table(Alias::new("sales_cod_settlements"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("settlement_key"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("sales_cod_settlements"))
                .to_owned(),
        )
        .await
    }
}
