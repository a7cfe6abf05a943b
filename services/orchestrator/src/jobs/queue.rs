//! Enqueue, claim, finish, retry, park: every state change of a job, each one statement.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement, TryInsertResult, Value,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::job;
use crate::tenancy::TenantId;

/// The states a job moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JobState {
    /// Waiting for its `run_at`.
    Queued,
    /// Claimed by a worker under a lease.
    Running,
    /// Done.
    Succeeded,
    /// Stopped after a permanent failure or too many attempts; a person may retry it.
    Parked,
    /// Cancelled by a person.
    Cancelled,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Parked => "parked",
            JobState::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "parked" => JobState::Parked,
            "cancelled" => JobState::Cancelled,
            _ => return None,
        })
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    kind: String,
    payload: serde_json::Value,
    tenant: Option<TenantId>,
    run_at: Option<DateTime<Utc>>,
    priority: i32,
    max_attempts: i32,
    job_key: Option<String>,
}

impl NewJob {
    /// A job of `kind` with `payload`, due now, 10 attempts.
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            tenant: None,
            run_at: None,
            priority: 0,
            max_attempts: 10,
            job_key: None,
        }
    }

    /// The tenant it works for.
    #[must_use]
    pub fn tenant(mut self, tenant: TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }

    /// Not before `at`.
    #[must_use]
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// Higher runs first (default 0).
    #[must_use]
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    /// Attempts before the job is parked (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// A unique key: while a job with this key exists, enqueueing another does nothing.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.job_key = Some(key.into());
        self
    }
}

impl NewJob {
    /// The queued row this job is stored as (`id`, created `now`): the one shape
    /// [`enqueue`] and the webhook writer ([`crate::ingest`]) insert.
    pub(crate) fn into_row(self, id: Uuid, now: DateTime<Utc>) -> job::ActiveModel {
        job::ActiveModel {
            id: Set(id),
            tenant_id: Set(self.tenant.map(|t| t.0)),
            kind: Set(self.kind),
            payload: Set(self.payload),
            state: Set(JobState::Queued.as_str().to_owned()),
            priority: Set(self.priority),
            run_at: Set(self.run_at.unwrap_or(now)),
            attempts: Set(0),
            max_attempts: Set(self.max_attempts),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(None),
            job_key: Set(self.job_key),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
        }
    }
}

/// Enqueues a job on `db`, which may be the caller's open transaction (so the job commits
/// with the business write, or not at all). Returns `None` when a job with the same key
/// already exists.
pub async fn enqueue<C: ConnectionTrait>(db: &C, job: NewJob) -> Result<Option<Uuid>, DbErr> {
    let id = Uuid::now_v7();
    let row = job.into_row(id, Utc::now());
    let result = job::Entity::insert(row)
        .on_conflict_do_nothing_on([job::Column::JobKey])
        .exec(db)
        .await?;
    Ok(match result {
        TryInsertResult::Inserted(_) => Some(id),
        _ => None,
    })
}

/// Claims up to `limit` due jobs of any kind for `worker_id` with a lease of `lease`, in
/// one statement, highest priority first, then earliest due. Jobs whose lease has expired
/// (their worker died) are claimed again.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    worker_id: &str,
    limit: u64,
    lease: Duration,
) -> Result<Vec<job::Model>, DbErr> {
    claim_planned(db, worker_id, &ClaimPlan::new(limit), lease).await
}

/// What one claim may take: a total, and per lane (a set of kinds) a cap and a number of
/// jobs that go before all other work. See [`Lane`](super::Lane).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimPlan {
    total: u64,
    lanes: Vec<LaneClaim>,
}

/// One lane's part of a [`ClaimPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct LaneClaim {
    kinds: Vec<String>,
    max: u64,
    first: u64,
}

impl ClaimPlan {
    /// At most `total` jobs of any kind.
    pub fn new(total: u64) -> Self {
        Self {
            total,
            lanes: Vec::new(),
        }
    }

    /// Jobs of `kinds` are claimed only through this lane: at most `max` of them, and the
    /// first `first` of them (at most `max`) before any other work. Kinds of a lane with a
    /// `max` of 0 are not claimed at all.
    #[must_use]
    pub fn lane<S: Into<String>>(
        mut self,
        kinds: impl IntoIterator<Item = S>,
        max: u64,
        first: u64,
    ) -> Self {
        self.lanes.push(LaneClaim {
            kinds: kinds.into_iter().map(Into::into).collect(),
            max,
            first: first.min(max),
        });
        self
    }

    /// The most jobs this plan claims.
    pub fn total(&self) -> u64 {
        self.total
    }
}

/// Claims due jobs for `worker_id` with a lease of `lease` as `plan` allows, in one
/// statement: the lanes' first jobs, then the rest of the due work by priority and due
/// time, up to `plan.total()`. On PostgreSQL every candidate row is taken with
/// `FOR UPDATE SKIP LOCKED`, so concurrent workers never claim the same job.
pub async fn claim_planned<C: ConnectionTrait>(
    db: &C,
    worker_id: &str,
    plan: &ClaimPlan,
    lease: Duration,
) -> Result<Vec<job::Model>, DbErr> {
    if plan.total == 0 {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let backend = db.get_database_backend();
    let (sql, values) = claim_sql(backend, worker_id, until, now, plan);
    let mut jobs = job::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await?;
    jobs.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.run_at.cmp(&b.run_at)));
    Ok(jobs)
}

fn claim_sql(
    backend: DbBackend,
    worker_id: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    plan: &ClaimPlan,
) -> (String, Vec<Value>) {
    let pg = backend == DbBackend::Postgres;
    let mut values: Vec<Value> = Vec::new();
    let mut param = |v: Value| {
        values.push(v);
        if pg {
            format!("${}", values.len())
        } else {
            format!("?{}", values.len())
        }
    };
    let p_worker = param(worker_id.into());
    let p_until = param(until.into());
    let p_now = param(now.into());
    let lock = if pg { " FOR UPDATE SKIP LOCKED" } else { "" };
    let due = format!(
        "((state = 'queued' AND run_at <= {p_now}) OR (state = 'running' AND locked_until < {p_now}))"
    );
    let order = "priority DESC, run_at ASC, id ASC";
    let mut ctes: Vec<(String, String)> = Vec::new();
    let mut first_rule = Vec::new();
    let mut lane_kinds = Vec::new();
    for (i, lane) in plan.lanes.iter().enumerate() {
        if lane.kinds.is_empty() {
            continue;
        }
        let kinds: Vec<String> = lane.kinds.iter().map(|k| param(k.clone().into())).collect();
        lane_kinds.extend(kinds.iter().cloned());
        let take = lane.max.min(plan.total);
        if take == 0 {
            continue;
        }
        let p_take = param(i64::try_from(take).unwrap_or(i64::MAX).into());
        ctes.push((
            format!("c{i}"),
            format!(
                "SELECT id, priority, run_at, {i} AS lane FROM jobs WHERE {due} AND kind IN ({}) \
                 ORDER BY {order} LIMIT {p_take}{lock}",
                kinds.join(", ")
            ),
        ));
        if lane.first > 0 {
            let p_first = param(i64::try_from(lane.first).unwrap_or(i64::MAX).into());
            first_rule.push(format!("(lane = {i} AND rn <= {p_first})"));
        }
    }
    let p_total = param(i64::try_from(plan.total).unwrap_or(i64::MAX).into());
    let others = if lane_kinds.is_empty() {
        String::new()
    } else {
        format!(" AND kind NOT IN ({})", lane_kinds.join(", "))
    };
    ctes.push((
        "cd".to_owned(),
        format!(
            "SELECT id, priority, run_at, -1 AS lane FROM jobs WHERE {due}{others} \
             ORDER BY {order} LIMIT {p_total}{lock}"
        ),
    ));
    let union = ctes
        .iter()
        .map(|(name, _)| format!("SELECT id, priority, run_at, lane FROM {name}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let ctes = ctes
        .iter()
        .map(|(name, body)| format!("{name} AS ({body})"))
        .collect::<Vec<_>>();
    let first = if first_rule.is_empty() {
        "1".to_owned()
    } else {
        format!("CASE WHEN {} THEN 0 ELSE 1 END", first_rule.join(" OR "))
    };
    let sql = format!(
        "WITH {}, \
         candidates AS (SELECT id, priority, run_at, lane, \
           ROW_NUMBER() OVER (PARTITION BY lane ORDER BY {order}) AS rn FROM ({union}) u), \
         picked AS (SELECT id FROM candidates ORDER BY {first}, {order} LIMIT {p_total}) \
         UPDATE jobs SET state = 'running', locked_by = {p_worker}, locked_until = {p_until}, \
         attempts = attempts + 1, updated_at = {p_now} \
         WHERE id IN (SELECT id FROM picked) \
         RETURNING *",
        ctes.join(", ")
    );
    (sql, values)
}

fn fenced(id: Uuid, worker_id: &str) -> sea_orm::UpdateMany<job::Entity> {
    job::Entity::update_many()
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::LockedBy.eq(worker_id))
        .filter(job::Column::State.eq(JobState::Running.as_str()))
}

/// Marks a claimed job done. Returns false when the lease was lost to another worker.
pub async fn complete<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    worker_id: &str,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let res = fenced(id, worker_id)
        .col_expr(job::Column::State, JobState::Succeeded.as_str().into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::LastError, Option::<String>::None.into())
        .col_expr(job::Column::FinishedAt, Some(now).into())
        .col_expr(job::Column::UpdatedAt, now.into())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The wait before attempt `attempts + 1`: exponential from 5 s, capped at one hour, with
/// ±20% jitter; or the provider's `retry_after` when it said.
pub fn backoff(attempts: i32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait;
    }
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    let base = Duration::from_secs(5).saturating_mul(2u32.saturating_pow(exp.saturating_sub(1)));
    let capped = base.min(Duration::from_secs(3600));
    let millis = u64::try_from(capped.as_millis()).unwrap_or(u64::MAX);
    let jitter = millis / 5;
    Duration::from_millis(millis - jitter + fastrand::u64(0..=2 * jitter))
}

/// Puts a claimed job back in the queue after a retryable failure, or parks it when its
/// attempts are used up. Returns the new state, or `None` if the lease was lost.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    job: &job::Model,
    worker_id: &str,
    message: &str,
    retry_after: Option<Duration>,
) -> Result<Option<JobState>, DbErr> {
    if job.attempts >= job.max_attempts {
        let reason = format!("gave up after {} attempts: {message}", job.attempts);
        return Ok(park(db, job.id, worker_id, &reason)
            .await?
            .then_some(JobState::Parked));
    }
    let now = Utc::now();
    let wait = backoff(job.attempts, retry_after);
    let run_at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
    let res = back_in_queue(job.id, worker_id, run_at, message, now)
        .exec(db)
        .await?;
    Ok((res.rows_affected == 1).then_some(JobState::Queued))
}

/// The fenced update that releases a claimed job to run again at `run_at`.
fn back_in_queue(
    id: Uuid,
    worker_id: &str,
    run_at: DateTime<Utc>,
    message: &str,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<job::Entity> {
    fenced(id, worker_id)
        .col_expr(job::Column::State, JobState::Queued.as_str().into())
        .col_expr(job::Column::RunAt, run_at.into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::LastError, Some(truncate(message)).into())
        .col_expr(job::Column::UpdatedAt, now.into())
}

/// Puts a claimed job back after its handler met a busy database: due again in 50 to
/// 250 ms (jittered, so contending jobs spread out), with the attempt given back. Returns
/// false when the lease was lost.
pub async fn requeue_contended<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    worker_id: &str,
    message: &str,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let run_at = now + chrono::Duration::milliseconds(fastrand::i64(50..=250));
    let res = back_in_queue(id, worker_id, run_at, message, now)
        .col_expr(
            job::Column::Attempts,
            sea_orm::sea_query::ExprTrait::sub(
                sea_orm::sea_query::Expr::col(job::Column::Attempts),
                1,
            ),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Parks a claimed job with `reason` until a person retries it.
pub async fn park<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    worker_id: &str,
    reason: &str,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let res = fenced(id, worker_id)
        .col_expr(job::Column::State, JobState::Parked.as_str().into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::LastError, Some(truncate(reason)).into())
        .col_expr(job::Column::FinishedAt, Some(now).into())
        .col_expr(job::Column::UpdatedAt, now.into())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Extends the lease of a running job. Returns false when it was lost.
pub async fn renew<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    worker_id: &str,
    lease: Duration,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let res = fenced(id, worker_id)
        .col_expr(job::Column::LockedUntil, Some(until).into())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Gives a claimed job back to the queue, due now (shutdown). The attempt still counts.
pub async fn release<C: ConnectionTrait>(db: &C, id: Uuid, worker_id: &str) -> Result<bool, DbErr> {
    let now = Utc::now();
    let res = fenced(id, worker_id)
        .col_expr(job::Column::State, JobState::Queued.as_str().into())
        .col_expr(job::Column::RunAt, now.into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::UpdatedAt, now.into())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Jobs for the operator's view, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    state: Option<JobState>,
    tenant: Option<TenantId>,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let mut q = job::Entity::find();
    if let Some(state) = state {
        q = q.filter(job::Column::State.eq(state.as_str()));
    }
    if let Some(tenant) = tenant {
        q = q.filter(job::Column::TenantId.eq(tenant.0));
    }
    q.order_by_desc(job::Column::Id)
        .limit(limit.min(500))
        .all(db)
        .await
}

/// Why an operator's action on a job was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobActionError {
    /// No such job.
    #[error("no job {0}")]
    NotFound(Uuid),
    /// The job is not in a state that allows the action.
    #[error("job {id} is {state}; only {allowed} jobs can be {action}")]
    WrongState {
        /// The job.
        id: Uuid,
        /// Its state.
        state: String,
        /// States that allow the action.
        allowed: &'static str,
        /// The action.
        action: &'static str,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Requeues a parked or cancelled job now, with a fresh set of attempts.
pub async fn retry<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<job::Model, JobActionError> {
    let job = job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(JobActionError::NotFound(id))?;
    if !matches!(
        JobState::parse(&job.state),
        Some(JobState::Parked | JobState::Cancelled)
    ) {
        return Err(JobActionError::WrongState {
            id,
            state: job.state,
            allowed: "parked or cancelled",
            action: "retried",
        });
    }
    let now = Utc::now();
    // Compare-and-set on the state read above: a concurrent retry whose job a worker has
    // claimed since must not put the running job back in the queue (a second worker
    // would run it at the same time).
    let res = job::Entity::update_many()
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(job.state.as_str()))
        .col_expr(job::Column::State, JobState::Queued.as_str().into())
        .col_expr(job::Column::RunAt, now.into())
        .col_expr(job::Column::Attempts, 0.into())
        .col_expr(
            job::Column::FinishedAt,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::UpdatedAt, now.into())
        .exec(db)
        .await?;
    changed_state(db, id, res.rows_affected, "parked or cancelled", "retried").await
}

/// The job after a compare-and-set on its state: the updated row, or why it was refused
/// when another change came first.
async fn changed_state<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    rows_affected: u64,
    allowed: &'static str,
    action: &'static str,
) -> Result<job::Model, JobActionError> {
    let job = job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(JobActionError::NotFound(id))?;
    if rows_affected == 1 {
        return Ok(job);
    }
    Err(JobActionError::WrongState {
        id,
        state: job.state,
        allowed,
        action,
    })
}

/// Cancels a queued or parked job.
pub async fn cancel<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<job::Model, JobActionError> {
    let job = job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(JobActionError::NotFound(id))?;
    if !matches!(
        JobState::parse(&job.state),
        Some(JobState::Queued | JobState::Parked)
    ) {
        return Err(JobActionError::WrongState {
            id,
            state: job.state,
            allowed: "queued or parked",
            action: "cancelled",
        });
    }
    let now = Utc::now();
    // Compare-and-set, as in `retry`: a job a worker claimed meanwhile is running, and
    // marking it cancelled would not stop it.
    let res = job::Entity::update_many()
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(job.state.as_str()))
        .col_expr(job::Column::State, JobState::Cancelled.as_str().into())
        .col_expr(job::Column::FinishedAt, Some(now).into())
        .col_expr(job::Column::UpdatedAt, now.into())
        .exec(db)
        .await?;
    changed_state(db, id, res.rows_affected, "queued or parked", "cancelled").await
}

fn truncate(message: &str) -> String {
    const MAX: usize = 2000;
    if message.len() <= MAX {
        return message.to_owned();
    }
    let mut end = MAX;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        assert_eq!(
            backoff(3, Some(Duration::from_secs(600))),
            Duration::from_secs(600)
        );
        let first = backoff(1, None);
        assert!(
            first >= Duration::from_secs(4) && first <= Duration::from_secs(6),
            "{first:?}"
        );
        let later = backoff(4, None);
        assert!(
            later >= Duration::from_secs(32) && later <= Duration::from_secs(48),
            "{later:?}"
        );
        assert!(backoff(30, None) <= Duration::from_secs(4320));
    }
}
