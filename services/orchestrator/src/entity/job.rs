//! `jobs`: the durable job queue.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A job row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    /// Our id (UUID v7, so ids sort by creation).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant the job works for; `None` for system jobs.
    pub tenant_id: Option<Uuid>,
    /// Which handler runs it.
    pub kind: String,
    /// The handler's input.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// `queued`, `running`, `succeeded`, `parked` or `cancelled`.
    pub state: String,
    /// Higher runs first.
    pub priority: i32,
    /// Not before.
    pub run_at: DateTimeUtc,
    /// Attempts started so far.
    pub attempts: i32,
    /// Attempts allowed before the job is parked.
    pub max_attempts: i32,
    /// The worker holding the lease.
    pub locked_by: Option<String>,
    /// When the lease ends.
    pub locked_until: Option<DateTimeUtc>,
    /// The last failure, or why the job is parked.
    pub last_error: Option<String>,
    /// A unique key: a second job with the same key is not enqueued.
    #[sea_orm(unique)]
    pub job_key: Option<String>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
    /// When it succeeded, was parked or cancelled.
    pub finished_at: Option<DateTimeUtc>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
