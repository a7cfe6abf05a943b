//! PostgreSQL: webhook bodies compressed with LZ4 instead of `pglz`.
//!
//! A Shopify order webhook is about 10 KB of JSON, above PostgreSQL's 2 KB TOAST threshold,
//! so every stored delivery is compressed on the acknowledgement path. `pglz` was the largest
//! single cost of webhook ingest on PostgreSQL (docs/PERFORMANCE.md, *Webhook ingest*); LZ4
//! compresses the same bodies as small at a fraction of the CPU. Rows already stored keep
//! their compression until rewritten (PostgreSQL reads both).
//!
//! Only where the server supports it: PostgreSQL 14 or later built with LZ4 (its
//! `default_toast_compression` setting then lists `lz4`). Elsewhere, and on SQLite, which
//! does not compress, nothing changes.

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime.
#![allow(elided_lifetimes_in_paths)]

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

/// Whether this PostgreSQL server can compress with LZ4.
async fn supports_lz4(m: &SchemaManager<'_>) -> Result<bool, DbErr> {
    let row = m
        .get_connection()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_settings \
             WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)",
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0)
        > 0)
}

async fn set_compression(m: &SchemaManager<'_>, method: &str) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Postgres || !supports_lz4(m).await? {
        return Ok(());
    }
    m.get_connection()
        .execute_unprepared(&format!(
            "ALTER TABLE sales_webhook_events ALTER COLUMN payload SET COMPRESSION {method}"
        ))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_compression(m, "lz4").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_compression(m, "pglz").await
    }
}
