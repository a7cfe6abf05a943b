//! The platform tables: tenants, credentials, jobs and effects.

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime; naming it here would
// not match the trait's late-bound lifetime.
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
fn long_text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}
fn int(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).integer().not_null().take()
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
fn json_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).json_binary().null().take()
}
fn bytes(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).blob().not_null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tenants")
                .col(id("id"))
                .col(text("kind"))
                .col(text("external_key"))
                .col(text("name"))
                .col(text("status"))
                .col(time_null("deletion_due_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_tenants_kind_key")
                .table("tenants")
                .col("kind")
                .col("external_key")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("credentials")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(text("provider"))
                .col(text("name"))
                .col(text("key_id"))
                .col(bytes("nonce"))
                .col(bytes("ciphertext"))
                .col(text("masked"))
                .col(time_null("expires_at"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("credentials", "tenant_id")
                        .to("tenants", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_credentials_owner")
                .table("credentials")
                .col("tenant_id")
                .col("provider")
                .col("name")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("jobs")
                .col(id("id"))
                .col(uuid_null("tenant_id"))
                .col(text("kind"))
                .col(json("payload"))
                .col(text("state"))
                .col(int("priority"))
                .col(time("run_at"))
                .col(int("attempts"))
                .col(int("max_attempts"))
                .col(text_null("locked_by"))
                .col(time_null("locked_until"))
                .col(long_text_null("last_error"))
                .col(text_null("job_key"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .col(time_null("finished_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_jobs_job_key")
                .table("jobs")
                .col("job_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_due")
                .table("jobs")
                .col("state")
                .col("run_at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_tenant")
                .table("jobs")
                .col("tenant_id")
                .col("state")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("effects")
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(text("kind"))
                .col(text("provider"))
                .col(text("idempotency_key"))
                .col(text("state"))
                .col(json("request"))
                .col(json_null("outcome"))
                .col(text_null("provider_reference"))
                .col(long_text_null("last_error"))
                .col(int("attempts"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("effects", "tenant_id")
                        .to("tenants", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_effects_intent")
                .table("effects")
                .col("tenant_id")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_effects_state")
                .table("effects")
                .col("state")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["effects", "jobs", "credentials", "tenants"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
