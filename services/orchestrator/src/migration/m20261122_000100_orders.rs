//! FluxOrders tables: users, sessions, API tokens, login failures, customers, groups,
//! addresses, products, product groups, images, orders, order items and the QuickBooks
//! connection. Every table carries `tenant_id` (the organization); money is stored as
//! decimal text so SQLite keeps it exact.

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime; naming it here would
// not match the trait's late-bound lifetime.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

fn id() -> ColumnDef {
    ColumnDef::new("id").uuid().not_null().primary_key().take()
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
fn long_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}
fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
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

fn fk(table: &'static str, column: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

const TABLES: &[&str] = &[
    "orders_order_items",
    "orders_orders",
    "orders_images",
    "orders_products",
    "orders_product_groups",
    "orders_addresses",
    "orders_api_tokens",
    "orders_sessions",
    "orders_users",
    "orders_customers",
    "orders_customer_groups",
    "orders_login_failures",
    "orders_qb_connections",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("orders_customer_groups")
                .col(id())
                .col(uuid("tenant_id"))
                .col(text("name"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_customer_groups", "tenant_id", "tenants"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_orders_customer_groups_name",
                "orders_customer_groups",
                &["tenant_id", "name"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders_customers")
                .col(id())
                .col(uuid("tenant_id"))
                .col(uuid_null("group_id"))
                .col(text("name"))
                .col(text_null("contact_name"))
                .col(text_null("email"))
                .col(text_null("phone"))
                .col(long_null("notes"))
                .col(text_null("qb_id"))
                .col(time_null("deleted_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_customers", "tenant_id", "tenants"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_customers_group")
                        .from("orders_customers", "group_id")
                        .to("orders_customer_groups", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_customers_tenant",
            "orders_customers",
            &["tenant_id", "name"],
        ))
        .await?;
        // One local customer per QuickBooks customer (NULLs are distinct).
        m.create_index(
            index(
                "ux_orders_customers_qb",
                "orders_customers",
                &["tenant_id", "qb_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders_addresses")
                .col(id())
                .col(uuid("tenant_id"))
                .col(uuid("customer_id"))
                .col(text("kind"))
                .col(text("line1"))
                .col(text_null("line2"))
                .col(text("city"))
                .col(text("region"))
                .col(text("postal_code"))
                .col(text("country"))
                .col(text_null("latitude"))
                .col(text_null("longitude"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_addresses", "tenant_id", "tenants"))
                .foreign_key(&mut fk(
                    "orders_addresses",
                    "customer_id",
                    "orders_customers",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_addresses_customer",
            "orders_addresses",
            &["customer_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("orders_users")
                .col(id())
                .col(uuid("tenant_id"))
                .col(text("email"))
                .col(text("name"))
                .col(text_null("phone"))
                .col(text("role"))
                .col(uuid_null("customer_id"))
                .col(text("password_hash"))
                .col(time_null("deleted_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_users", "tenant_id", "tenants"))
                .foreign_key(&mut fk("orders_users", "customer_id", "orders_customers"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_orders_users_email",
                "orders_users",
                &["tenant_id", "email"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders_sessions")
                .col(id())
                .col(uuid("tenant_id"))
                .col(uuid("user_id"))
                .col(text("token_hash"))
                .col(text_null("ip_address"))
                .col(text_null("user_agent"))
                .col(time("expires_at"))
                .col(time("last_seen_at"))
                .col(time("created_at"))
                .foreign_key(&mut fk("orders_sessions", "tenant_id", "tenants"))
                .foreign_key(&mut fk("orders_sessions", "user_id", "orders_users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_orders_sessions_hash",
                "orders_sessions",
                &["token_hash"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_sessions_expiry",
            "orders_sessions",
            &["expires_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("orders_api_tokens")
                .col(id())
                .col(uuid("tenant_id"))
                .col(uuid("user_id"))
                .col(text("name"))
                .col(text("token_hash"))
                .col(text("prefix"))
                .col(json("abilities"))
                .col(time_null("expires_at"))
                .col(time_null("last_used_at"))
                .col(time_null("revoked_at"))
                .col(time("created_at"))
                .foreign_key(&mut fk("orders_api_tokens", "tenant_id", "tenants"))
                .foreign_key(&mut fk("orders_api_tokens", "user_id", "orders_users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_orders_api_tokens_hash",
                "orders_api_tokens",
                &["token_hash"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders_login_failures")
                .col(id())
                .col(text("throttle_key"))
                .col(time("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_login_failures_key",
            "orders_login_failures",
            &["throttle_key", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("orders_product_groups")
                .col(id())
                .col(uuid("tenant_id"))
                .col(text("name"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_product_groups", "tenant_id", "tenants"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders_products")
                .col(id())
                .col(uuid("tenant_id"))
                .col(uuid_null("group_id"))
                .col(text("name"))
                .col(text("sku"))
                .col(text_null("barcode"))
                .col(long_null("description"))
                .col(text("price"))
                .col(text("currency"))
                .col(text_null("tax_code"))
                .col(text_null("qb_item_id"))
                .col(ColumnDef::new("active").boolean().not_null())
                .col(time_null("deleted_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_products", "tenant_id", "tenants"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_products_group")
                        .from("orders_products", "group_id")
                        .to("orders_product_groups", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_products_sku",
            "orders_products",
            &["tenant_id", "sku"],
        ))
        .await?;
        m.create_index(
            index(
                "ux_orders_products_qb",
                "orders_products",
                &["tenant_id", "qb_item_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_products_barcode",
            "orders_products",
            &["tenant_id", "barcode"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("orders_images")
                .col(id())
                .col(uuid("tenant_id"))
                .col(text("owner_kind"))
                .col(uuid("owner_id"))
                .col(text("storage_key"))
                .col(text("content_type"))
                .col(big("size_bytes"))
                .col(time("created_at"))
                .foreign_key(&mut fk("orders_images", "tenant_id", "tenants"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_images_owner",
            "orders_images",
            &["tenant_id", "owner_kind", "owner_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("orders_orders")
                .col(id())
                .col(uuid("tenant_id"))
                .col(uuid("customer_id"))
                .col(uuid_null("placed_by"))
                .col(text("status"))
                .col(text_null("po_number"))
                .col(long_null("shipping_instructions"))
                .col(long_null("notes"))
                .col(text("currency"))
                .col(text("total"))
                .col(text_null("qb_estimate_id"))
                .col(text_null("qb_invoice_id"))
                .col(text_null("qb_doc_number"))
                .col(text_null("qb_error"))
                .col(time_null("submitted_at"))
                .col(time_null("deleted_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_orders", "tenant_id", "tenants"))
                .foreign_key(&mut fk("orders_orders", "customer_id", "orders_customers"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_orders_customer",
            "orders_orders",
            &["tenant_id", "customer_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("orders_order_items")
                .col(id())
                .col(uuid("tenant_id"))
                .col(uuid("order_id"))
                .col(uuid_null("product_id"))
                .col(text("sku"))
                .col(text("description"))
                .col(text("quantity"))
                .col(text("unit_price"))
                .col(ColumnDef::new("position").integer().not_null())
                .foreign_key(&mut fk("orders_order_items", "tenant_id", "tenants"))
                .foreign_key(&mut fk("orders_order_items", "order_id", "orders_orders"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders_qb_connections")
                .col(id())
                .col(uuid("tenant_id"))
                .col(text("status"))
                .col(text_null("realm_id"))
                .col(text("document_kind"))
                .col(text_null("country"))
                .col(text_null("oauth_state_hash"))
                .col(time_null("oauth_state_expires_at"))
                .col(time_null("last_full_sync_at"))
                .col(time_null("sync_cursor"))
                .col(long_null("last_error"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut fk("orders_qb_connections", "tenant_id", "tenants"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_orders_qb_connections_tenant",
                "orders_qb_connections",
                &["tenant_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.drop_table(Table::drop().table(*table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
