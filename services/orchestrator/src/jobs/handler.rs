//! What a job handler is, and how its failures are classified.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use flux_core::ProviderError;

use crate::entity::job;
use crate::state::AppState;

/// How a job failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// Worth retrying later (timeouts, rate limits, 5xx), after `retry_after` if given.
    #[error("retryable: {message}")]
    Retryable {
        /// What happened.
        message: String,
        /// When to try again, if the provider said.
        retry_after: Option<Duration>,
    },
    /// Retrying will not help (validation, auth, a rejected request). The job is parked
    /// with this reason until a person retries it.
    #[error("permanent: {message}")]
    Permanent {
        /// What happened.
        message: String,
    },
    /// The database was busy (SQLite's single writer: "database is locked"); the handler's
    /// transaction rolled back. The job runs again within a fraction of a second and the
    /// attempt is given back, so write contention never parks a job.
    #[error("database busy: {message}")]
    Contended {
        /// What happened.
        message: String,
    },
}

impl JobError {
    /// A retryable failure.
    pub fn retryable(message: impl Into<String>) -> Self {
        Self::Retryable {
            message: message.into(),
            retry_after: None,
        }
    }

    /// A permanent failure.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self::Permanent {
            message: message.into(),
        }
    }
}

impl From<ProviderError> for JobError {
    fn from(e: ProviderError) -> Self {
        if e.is_retryable() {
            JobError::Retryable {
                message: e.to_string(),
                retry_after: e.retry_after(),
            }
        } else {
            JobError::Permanent {
                message: e.to_string(),
            }
        }
    }
}

impl From<sea_orm::DbErr> for JobError {
    fn from(e: sea_orm::DbErr) -> Self {
        let message = format!("database error: {e}");
        if is_busy(&message) {
            JobError::Contended { message }
        } else {
            JobError::retryable(message)
        }
    }
}

/// Whether a database error is SQLite's "busy" (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`): a
/// deferred transaction that read, then could not take the write lock another connection
/// held. Transient by nature; PostgreSQL has no such error.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
}

/// What a running job can reach.
#[derive(Clone)]
pub struct JobContext {
    /// The service's shared state (database, vault, limiters, product services).
    pub state: AppState,
    /// The id of the worker running the job.
    pub worker_id: String,
}

/// A share of a worker's slots for one or more job kinds, typically every kind that waits
/// on the same rate-limited provider.
///
/// - `reserved`: while fewer than this many of the lane's jobs run, its due jobs are
///   claimed before any other work, so a slow stage that everything else feeds (invoices
///   behind SmartBill's 30 calls per 10 s) never waits behind a backlog of other kinds.
/// - `max`: at most this many of the lane's jobs run at once in one process, so jobs
///   parked in a provider's rate limiter cannot take every slot.
///
/// Beyond `reserved`, lane jobs compete with all other due work by priority, then due time.
/// Kinds without a lane share the worker's slots as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    /// The lane's name; kinds that name the same lane share its slots.
    pub name: &'static str,
    /// Slots claimed first for the lane (at most `max`).
    pub reserved: usize,
    /// The most jobs of the lane running at once in one process (at least 1).
    pub max: usize,
}

impl Lane {
    /// A lane named `name` with `reserved` slots claimed first and at most `max` running.
    pub const fn new(name: &'static str, reserved: usize, max: usize) -> Self {
        let max = if max == 0 { 1 } else { max };
        let reserved = if reserved > max { max } else { reserved };
        Self {
            name,
            reserved,
            max,
        }
    }
}

/// Runs one kind of job.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The job kind this handler runs, e.g. `sales.create_awb`.
    fn kind(&self) -> &'static str;

    /// The lane this kind runs in, if any (default: none, the shared slots).
    fn lane(&self) -> Option<Lane> {
        None
    }

    /// Runs the job. Must not hold a database transaction open across a provider call.
    async fn run(&self, ctx: &JobContext, job: &job::Model) -> Result<(), JobError>;
}

/// Handlers by kind.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl std::fmt::Debug for JobRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.handlers.keys().collect();
        kinds.sort();
        f.debug_struct("JobRegistry")
            .field("kinds", &kinds)
            .finish()
    }
}

impl JobRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a handler (replacing one of the same kind).
    pub fn register(&mut self, handler: Arc<dyn JobHandler>) -> &mut Self {
        self.handlers.insert(handler.kind(), handler);
        self
    }

    /// The handler for `kind`.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.handlers.get(kind).cloned()
    }

    /// Every registered kind.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// The lanes of the registered kinds, by name, each with its kinds (sorted). When kinds
    /// of one lane disagree on its sizes, the smallest `reserved` and `max` win.
    pub fn lanes(&self) -> Vec<(Lane, Vec<&'static str>)> {
        let mut lanes: Vec<(Lane, Vec<&'static str>)> = Vec::new();
        for kind in self.kinds() {
            let Some(lane) = self.handlers.get(kind).and_then(|h| h.lane()) else {
                continue;
            };
            match lanes.iter_mut().find(|(l, _)| l.name == lane.name) {
                Some((l, kinds)) => {
                    *l = Lane::new(l.name, l.reserved.min(lane.reserved), l.max.min(lane.max));
                    kinds.push(kind);
                }
                None => lanes.push((lane, vec![kind])),
            }
        }
        lanes.sort_by_key(|(l, _)| l.name);
        lanes
    }
}
