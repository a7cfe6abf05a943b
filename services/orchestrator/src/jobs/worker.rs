//! The worker: claims due jobs, runs them with bounded concurrency, renews their leases,
//! records the outcome, and shuts down gracefully.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

use super::handler::{JobContext, JobError, JobRegistry, Lane};
use super::queue;
use crate::config::WorkerSettings;
use crate::entity::job;
use crate::state::AppState;

/// A job worker for one process.
pub struct Worker {
    state: AppState,
    registry: Arc<JobRegistry>,
    settings: WorkerSettings,
    id: String,
}

/// Controls a running worker.
pub struct WorkerHandle {
    shutdown: CancellationToken,
    kill: CancellationToken,
    join: tokio::task::JoinHandle<()>,
    id: String,
}

impl std::fmt::Debug for WorkerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerHandle")
            .field("id", &self.id)
            .finish()
    }
}

impl WorkerHandle {
    /// The worker's id (recorded as `locked_by` on the jobs it holds).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Stops claiming, waits up to the grace period for running jobs, then releases the
    /// leases of those still running.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = self.join.await;
    }

    /// Stops at once, as if the process died: running jobs are dropped mid-flight and their
    /// leases are left to expire. For crash tests and fatal paths.
    pub async fn kill(self) {
        self.kill.cancel();
        self.shutdown.cancel();
        let _ = self.join.await;
    }
}

impl Worker {
    /// A worker running the handlers in `registry`.
    pub fn new(state: AppState, registry: Arc<JobRegistry>, settings: WorkerSettings) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "flux".to_owned());
        let id = format!(
            "{host}-{}-{}",
            std::process::id(),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        Self {
            state,
            registry,
            settings,
            id,
        }
    }

    /// Starts the worker on the current runtime.
    pub fn spawn(self) -> WorkerHandle {
        let shutdown = CancellationToken::new();
        let kill = CancellationToken::new();
        let id = self.id.clone();
        let join = tokio::spawn(self.run(shutdown.clone(), kill.clone()));
        WorkerHandle {
            shutdown,
            kill,
            join,
            id,
        }
    }

    async fn run(self, shutdown: CancellationToken, kill: CancellationToken) {
        let concurrency = self.settings.concurrency.max(1);
        let slots = Arc::new(Semaphore::new(concurrency));
        let lanes = Lanes::new(&self.registry, concurrency);
        // Running jobs, with the lane each runs in.
        let in_flight: Arc<Mutex<HashMap<Uuid, Option<usize>>>> = Arc::default();
        let mut running = JoinSet::new();
        let ctx = JobContext {
            state: self.state.clone(),
            worker_id: self.id.clone(),
        };
        tracing::info!(worker = %self.id, concurrency, lanes = ?lanes.lanes, "job worker started");
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            let free = slots.available_permits();
            let mut claimed = 0;
            if free > 0 {
                let plan = {
                    let running = in_flight.lock().unwrap_or_else(|e| e.into_inner());
                    lanes.plan(free as u64, running.values())
                };
                match queue::claim_planned(&self.state.db, &self.id, &plan, self.settings.lease())
                    .await
                {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for job in jobs {
                            let Ok(permit) = slots.clone().acquire_owned().await else {
                                break;
                            };
                            in_flight
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .insert(job.id, lanes.lane_of(&job.kind));
                            let ctx = ctx.clone();
                            let registry = self.registry.clone();
                            let lease = self.settings.lease();
                            let in_flight = in_flight.clone();
                            let span = tracing::info_span!("job", job = %job.id, kind = %job.kind, attempt = job.attempts);
                            running.spawn(async move {
                                let id = job.id;
                                run_one(&ctx, &registry, job, lease).instrument(span).await;
                                in_flight
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .remove(&id);
                                drop(permit);
                            });
                        }
                    }
                    Err(e) => tracing::warn!(worker = %self.id, error = %e, "claiming jobs failed"),
                }
            }
            // Reap finished tasks without waiting.
            while running.try_join_next().is_some() {}
            if claimed > 0 && slots.available_permits() > 0 {
                continue; // there may be more due work
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(self.settings.poll_interval()) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        if kill.is_cancelled() {
            running.abort_all();
            while running.join_next().await.is_some() {}
            tracing::warn!(worker = %self.id, "job worker killed; running jobs keep their leases until they expire");
            return;
        }
        let grace = Duration::from_secs(self.settings.shutdown_grace_secs);
        let drained = tokio::time::timeout(grace, async {
            while running.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            running.abort_all();
            while running.join_next().await.is_some() {}
            let ids: Vec<Uuid> = in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .drain()
                .map(|(id, _)| id)
                .collect();
            for id in ids {
                if let Err(e) = queue::release(&self.state.db, id, &self.id).await {
                    tracing::warn!(job = %id, error = %e, "could not release a job lease at shutdown");
                }
            }
        }
        tracing::info!(worker = %self.id, "job worker stopped");
    }
}

/// The registry's lanes as this worker applies them.
#[derive(Debug)]
struct Lanes {
    /// Each lane with its kinds; `reserved` clamped so the lanes together keep at least one
    /// slot for kinds without a lane, `max` clamped to the worker's concurrency.
    lanes: Vec<(Lane, Vec<&'static str>)>,
    by_kind: HashMap<&'static str, usize>,
}

impl Lanes {
    fn new(registry: &JobRegistry, concurrency: usize) -> Self {
        let mut budget = concurrency.saturating_sub(1);
        let lanes: Vec<(Lane, Vec<&'static str>)> = registry
            .lanes()
            .into_iter()
            .map(|(lane, kinds)| {
                let reserved = lane.reserved.min(budget);
                budget -= reserved;
                (
                    Lane::new(lane.name, reserved, lane.max.min(concurrency)),
                    kinds,
                )
            })
            .collect();
        let by_kind = lanes
            .iter()
            .enumerate()
            .flat_map(|(i, (_, kinds))| kinds.iter().map(move |k| (*k, i)))
            .collect();
        Self { lanes, by_kind }
    }

    fn lane_of(&self, kind: &str) -> Option<usize> {
        self.by_kind.get(kind).copied()
    }

    /// What the next claim may take with `free` slots, given the lanes of running jobs.
    fn plan<'a>(
        &self,
        free: u64,
        running: impl Iterator<Item = &'a Option<usize>>,
    ) -> queue::ClaimPlan {
        let mut busy = vec![0usize; self.lanes.len()];
        for i in running.flatten() {
            if let Some(n) = busy.get_mut(*i) {
                *n += 1;
            }
        }
        let mut plan = queue::ClaimPlan::new(free);
        for ((lane, kinds), busy) in self.lanes.iter().zip(busy) {
            let room = lane.max.saturating_sub(busy) as u64;
            let first = lane.reserved.saturating_sub(busy) as u64;
            plan = plan.lane(kinds.iter().copied(), room, first);
        }
        plan
    }
}

async fn run_one(ctx: &JobContext, registry: &JobRegistry, job: job::Model, lease: Duration) {
    let db = &ctx.state.db;
    let worker = ctx.worker_id.as_str();
    let kind = job.kind.clone();
    if job.attempts > job.max_attempts {
        let reason = format!("abandoned by its worker {} times", job.attempts - 1);
        let _ = queue::park(db, job.id, worker, &reason).await;
        metrics::counter!("flux_jobs_total", "kind" => kind, "outcome" => "parked").increment(1);
        return;
    }
    let Some(handler) = registry.get(&job.kind) else {
        let reason = format!("no handler for job kind {:?}", job.kind);
        tracing::error!("{reason}");
        let _ = queue::park(db, job.id, worker, &reason).await;
        metrics::counter!("flux_jobs_total", "kind" => kind, "outcome" => "parked").increment(1);
        return;
    };
    // Renew the lease while the handler runs, so a slow provider does not let another
    // worker take the job over.
    let renew_every = lease / 3;
    let result = {
        let work = handler.run(ctx, &job);
        tokio::pin!(work);
        loop {
            tokio::select! {
                result = &mut work => break result,
                _ = tokio::time::sleep(renew_every) => {
                    match queue::renew(db, job.id, worker, lease).await {
                        Ok(true) => {}
                        Ok(false) => tracing::warn!("lease lost while running"),
                        Err(e) => tracing::warn!(error = %e, "lease renewal failed"),
                    }
                }
            }
        }
    };
    let outcome = match &result {
        Ok(()) => queue::complete(db, job.id, worker)
            .await
            .map(|ok| if ok { "succeeded" } else { "lease_lost" }),
        Err(JobError::Retryable {
            message,
            retry_after,
        }) => queue::fail(db, &job, worker, message, *retry_after)
            .await
            .map(|s| match s {
                Some(queue::JobState::Parked) => "parked",
                Some(_) => "retrying",
                None => "lease_lost",
            }),
        Err(JobError::Permanent { message }) => queue::park(db, job.id, worker, message)
            .await
            .map(|ok| if ok { "parked" } else { "lease_lost" }),
        Err(JobError::Contended { message }) => {
            queue::requeue_contended(db, job.id, worker, message)
                .await
                .map(|ok| if ok { "contended" } else { "lease_lost" })
        }
    };
    match outcome {
        Ok(outcome) => {
            if let Err(e @ JobError::Contended { .. }) = &result {
                tracing::debug!(outcome, error = %e, "database busy; the job runs again shortly");
            } else if let Err(e) = &result {
                tracing::warn!(outcome, error = %e, "job failed");
            } else {
                tracing::debug!(outcome, "job finished");
            }
            metrics::counter!("flux_jobs_total", "kind" => kind, "outcome" => outcome).increment(1);
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record the job's outcome; its lease will expire and it will run again")
        }
    }
}
