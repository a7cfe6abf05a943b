//! FluxSales tables: shops, settings, courier accounts, the invoicing connection, orders,
//! shipments, invoices, webhook events, AWB batches and customer data exports.
//!
//! Money is stored as decimal strings (exact on SQLite and PostgreSQL alike) and parsed
//! into `rust_decimal::Decimal` by the entities' users.

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

fn id(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().primary_key().take()
}
fn uuid(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().take()
}
fn uuid_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().null().take()
}
fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).string().not_null().take()
}
fn text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).string().null().take()
}
fn long_text(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}
fn long_text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}
fn int(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).integer().not_null().default(0).take()
}
fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}
fn big_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().take()
}
fn boolean(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .boolean()
        .not_null()
        .default(false)
        .take()
}
fn time(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}
fn time_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .take()
}
fn json(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).json_binary().not_null().take()
}

async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new(table));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

const TABLES: &[&str] = &[
    "sales_exports",
    "sales_batch_items",
    "sales_batches",
    "sales_webhook_events",
    "sales_invoices",
    "sales_shipments",
    "sales_orders",
    "sales_invoicing",
    "sales_courier_accounts",
    "sales_settings",
    "sales_shops",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sales_shops")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(text("shop_domain"))
                .col(text_null("name"))
                .col(text_null("email"))
                .col(text("scopes"))
                .col(text("status"))
                .col(time("installed_at"))
                .col(time_null("uninstalled_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_sales_shops_tenant",
            "sales_shops",
            &["tenant_id"],
            true,
        )
        .await?;
        index(
            m,
            "ux_sales_shops_domain",
            "sales_shops",
            &["shop_domain"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_settings")
                .col(id("tenant_id"))
                .col(json("data"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_courier_accounts")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(text("provider"))
                .col(text("label"))
                .col(text("username"))
                .col(json("config"))
                .col(text("masked"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_sales_courier_accounts_tenant",
            "sales_courier_accounts",
            &["tenant_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_invoicing")
                .col(id("tenant_id"))
                .col(text("provider"))
                .col(text("username"))
                .col(text("company_cif"))
                .col(text("series"))
                .col(text_null("storno_series"))
                .col(boolean("send_email"))
                .col(text("masked"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_orders")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(big("shopify_id"))
                .col(text("gid"))
                .col(text("name"))
                .col(text("status"))
                .col(text_null("financial_status"))
                .col(boolean("cancelled"))
                .col(boolean("cod"))
                .col(text("currency"))
                .col(text("total"))
                .col(text("outstanding"))
                .col(big("weight_grams"))
                .col(big_null("customer_id"))
                .col(text_null("email"))
                .col(text_null("customer_name"))
                .col(text_null("phone"))
                .col(text_null("county"))
                .col(text_null("company"))
                .col(text_null("cif"))
                .col(text_null("locker_id"))
                .col(json("payload"))
                .col(int("awb_generation"))
                .col(long_text_null("failure_reason"))
                .col(time_null("shopify_updated_at"))
                .col(time("placed_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_sales_orders_tenant_shopify",
            "sales_orders",
            &["tenant_id", "shopify_id"],
            true,
        )
        .await?;
        index(
            m,
            "ix_sales_orders_tenant_status",
            "sales_orders",
            &["tenant_id", "status"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_shipments")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(uuid("order_id"))
                .col(uuid_null("account_id"))
                .col(text("provider"))
                .col(text("awb"))
                .col(int("generation"))
                .col(text_null("service"))
                .col(text_null("cod_amount"))
                .col(text_null("price"))
                .col(text_null("locker_id"))
                .col(text("status"))
                .col(text("tracking_status"))
                .col(json("events"))
                .col(text_null("fulfillment_id"))
                .col(boolean("cod_paid"))
                .col(time_null("delivered_at"))
                .col(time_null("cancelled_at"))
                .col(time_null("last_tracked_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_sales_shipments_order",
            "sales_shipments",
            &["tenant_id", "order_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_invoices")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(uuid("order_id"))
                .col(text("provider"))
                .col(text("kind"))
                .col(text("series"))
                .col(text("number"))
                .col(text_null("link"))
                .col(text("status"))
                .col(text_null("total"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_sales_invoices_order",
            "sales_invoices",
            &["tenant_id", "order_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_webhook_events")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(text("webhook_id"))
                .col(text("topic"))
                .col(text("shop_domain"))
                .col(text_null("event_id"))
                .col(time_null("triggered_at"))
                .col(long_text("payload"))
                .col(text("status"))
                .col(long_text_null("error"))
                .col(time("received_at"))
                .col(time_null("processed_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_sales_webhook_events_id",
            "sales_webhook_events",
            &["webhook_id"],
            true,
        )
        .await?;
        index(
            m,
            "ix_sales_webhook_events_tenant",
            "sales_webhook_events",
            &["tenant_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_batches")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(int("total"))
                .col(time("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sales_batch_items")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(uuid("batch_id"))
                .col(uuid("order_id"))
                .col(text("state"))
                .col(text_null("awb"))
                .col(long_text_null("error"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_sales_batch_items_batch",
            "sales_batch_items",
            &["batch_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sales_exports")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(text("kind"))
                .col(text("subject"))
                .col(json("data"))
                .col(time("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_sales_exports_tenant",
            "sales_exports",
            &["tenant_id"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.drop_table(Table::drop().table(Alias::new(*table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
