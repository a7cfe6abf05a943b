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
        JobError::retryable(format!("database error: {e}"))
    }
}

/// What a running job can reach.
#[derive(Clone)]
pub struct JobContext {
    /// The service's shared state (database, vault, limiters, product services).
    pub state: AppState,
    /// The id of the worker running the job.
    pub worker_id: String,
}

/// Runs one kind of job.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The job kind this handler runs, e.g. `sales.create_awb`.
    fn kind(&self) -> &'static str;

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
}
