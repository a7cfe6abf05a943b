//! The durable job queue, on the same database as everything else.
//!
//! - [`queue`]: enqueue (inside the caller's transaction, so a job exists exactly when the
//!   business write that needs it committed), claim with a lease in one
//!   `UPDATE … RETURNING` (with `FOR UPDATE SKIP LOCKED` on PostgreSQL), finish, retry with
//!   backoff, park, and the operator's list/retry.
//! - [`handler`]: the [`JobHandler`] trait product modules implement, and [`JobError`],
//!   which says whether a failure is worth retrying.
//! - [`worker`]: the loop that claims due jobs and runs them with bounded concurrency,
//!   renews leases while they run, and releases them on shutdown. A handler may name a
//!   [`Lane`]: slots claimed first for its kinds (so a bottleneck stage never waits behind
//!   a backlog of other work) and a cap on how many of them run at once (so jobs waiting
//!   in one provider's rate limiter cannot hold every slot). One claim statement serves
//!   every lane.
//! - [`schedule`]: recurring jobs that run once per period across every replica.
//!
//! **Invariant:** no handler calls a provider inside a database transaction. A claim is a
//! single statement; the handler runs with no transaction open; the result is written with
//! a fenced `UPDATE … WHERE id = ? AND locked_by = ?`.

pub mod handler;
pub mod queue;
pub mod schedule;
pub mod worker;

pub use handler::{JobContext, JobError, JobHandler, JobRegistry, Lane};
pub use queue::{JobState, NewJob};
pub use worker::{Worker, WorkerHandle};
