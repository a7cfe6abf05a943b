//! Group commit for incoming webhooks: many deliveries, one transaction.
//!
//! A webhook handler verifies the signature, then hands the delivery to
//! [`WebhookIngest::store`] and waits. A few writer tasks take whatever deliveries are
//! waiting (up to [`IngestLimits::max_batch`]), write them in **one** transaction — one
//! multi-row `INSERT … ON CONFLICT (webhook_id) DO NOTHING RETURNING id` into
//! `sales_webhook_events` and one multi-row `INSERT` into `jobs` for the rows that were
//! actually new — commit, and only then answer each waiting handler. So every delivery
//! answered [`Stored`] is durable, and the database sees one round trip and one commit
//! per batch instead of four per delivery.
//!
//! On PostgreSQL both inserts are one fixed statement whatever the batch size: every
//! column travels as one array parameter and `UNNEST` turns the arrays back into rows. A
//! multi-row `VALUES` list is a different statement for every batch size, so each pooled
//! connection prepared and cached up to a hundred of them (about 1.6 MiB of memory per
//! connection after a load burst, and a parse and plan on the server for each new size).
//!
//! Batches form by themselves under load: while a writer commits, new deliveries queue up
//! and the next writer takes them all; an idle service writes a lone delivery at once, with
//! no waiting window. When a batch fails, its deliveries are written again one at a time,
//! so one unwritable delivery (say, a body PostgreSQL refuses) fails alone instead of
//! failing its neighbours; a delivery that still fails is answered with the error (the
//! handler answers 5xx and Shopify retries). The queue is bounded: when it is full,
//! [`WebhookIngest::store`] answers [`IngestError::Busy`] at once (the handler answers
//! 503, Shopify retries later) instead of queueing without limit.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, EntityTrait, TransactionTrait};
use tokio::sync::{Mutex, mpsc, oneshot};
use uuid::Uuid;

use crate::entity::job;
use crate::jobs::queue::NewJob;
use crate::sales::entity::webhook_event;
use crate::tenancy::TenantId;

/// The bounds of the ingest pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestLimits {
    /// Deliveries that may wait for a writer; one more is refused with
    /// [`IngestError::Busy`].
    pub queue: usize,
    /// Deliveries written in one transaction at most.
    pub max_batch: usize,
    /// Writer tasks; 0 picks them per backend: one on SQLite (it has a single writer
    /// anyway), and on PostgreSQL half of [`IngestLimits::pool`] (1 to 8), so new batches
    /// are inserted while others wait for their commit to reach the disk.
    pub writers: usize,
    /// The database pool's size (writers hold a connection each while they write).
    pub pool: u32,
}

impl Default for IngestLimits {
    fn default() -> Self {
        Self {
            queue: 4096,
            max_batch: 256,
            writers: 0,
            pool: 10,
        }
    }
}

impl IngestLimits {
    /// The defaults, for a database pool of `max_connections`.
    pub fn for_pool(max_connections: u32) -> Self {
        Self {
            pool: max_connections,
            ..Self::default()
        }
    }
}

/// A verified delivery to store.
#[derive(Clone)]
pub struct NewWebhook {
    /// The shop's tenant.
    pub tenant: TenantId,
    /// `X-Shopify-Webhook-Id` (deliveries with a stored id are duplicates).
    pub webhook_id: String,
    /// The topic, as Shopify names it.
    pub topic: String,
    /// The shop's domain.
    pub shop_domain: String,
    /// `X-Shopify-Event-Id`.
    pub event_id: Option<String>,
    /// `X-Shopify-Triggered-At`.
    pub triggered_at: Option<DateTime<Utc>>,
    /// The raw body.
    pub payload: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The job that processes it.
    pub job_kind: &'static str,
    /// The job's priority (higher runs first).
    pub job_priority: i32,
}

impl std::fmt::Debug for NewWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body can hold customer data: show only its size.
        f.debug_struct("NewWebhook")
            .field("tenant", &self.tenant)
            .field("webhook_id", &self.webhook_id)
            .field("topic", &self.topic)
            .field("shop_domain", &self.shop_domain)
            .field("payload_len", &self.payload.len())
            .finish_non_exhaustive()
    }
}

/// What happened to a delivery; either way it is durably stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored now as the event with this id, its job enqueued in the same transaction.
    New(Uuid),
    /// A delivery with the same webhook id was stored before (or earlier in the same
    /// batch): nothing new was written.
    Duplicate,
}

/// Why a delivery was not stored.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The queue is full: try again later.
    #[error("too many webhooks are waiting to be stored")]
    Busy,
    /// The writers have stopped (the service is shutting down).
    #[error("the webhook writer has stopped")]
    Stopped,
    /// The database refused or failed the write; nothing of it was committed.
    #[error("storing the webhook failed: {0}")]
    Db(String),
}

struct Pending {
    id: Uuid,
    hook: NewWebhook,
    reply: oneshot::Sender<Result<Stored, IngestError>>,
}

/// The handle handlers submit deliveries to; cheap to clone.
#[derive(Clone)]
pub struct WebhookIngest {
    tx: mpsc::Sender<Pending>,
}

impl std::fmt::Debug for WebhookIngest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookIngest")
            .field("queued", &self.queued())
            .finish()
    }
}

impl WebhookIngest {
    /// Starts the writer tasks on the current tokio runtime. They stop when every clone
    /// of the handle is dropped, after answering what was queued.
    pub fn start(db: DatabaseConnection, limits: IngestLimits) -> Self {
        let (tx, rx) = mpsc::channel(limits.queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        let writers = match limits.writers {
            0 if db.get_database_backend() == DbBackend::Sqlite => 1,
            0 => usize::try_from(limits.pool / 2).unwrap_or(1).clamp(1, 8),
            n => n,
        };
        let max_batch = limits.max_batch.max(1);
        for _ in 0..writers {
            tokio::spawn(writer(db.clone(), Arc::clone(&rx), max_batch));
        }
        Self { tx }
    }

    /// Stores `hook` durably (with its job, unless it is a duplicate) and answers once
    /// the transaction holding it has committed.
    pub async fn store(&self, hook: NewWebhook) -> Result<Stored, IngestError> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            id: Uuid::now_v7(),
            hook,
            reply,
        };
        self.tx.try_send(pending).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                metrics::counter!("flux_webhook_ingest_refused_total").increment(1);
                IngestError::Busy
            }
            mpsc::error::TrySendError::Closed(_) => IngestError::Stopped,
        })?;
        answer.await.map_err(|_| IngestError::Stopped)?
    }

    /// Deliveries waiting for a writer.
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }
}

async fn writer(db: DatabaseConnection, rx: Arc<Mutex<mpsc::Receiver<Pending>>>, max_batch: usize) {
    let mut batch = Vec::with_capacity(max_batch);
    loop {
        {
            // One writer gathers at a time; the others are committing meanwhile.
            let mut rx = rx.lock().await;
            if rx.recv_many(&mut batch, max_batch).await == 0 {
                return;
            }
        }
        metrics::histogram!("flux_webhook_ingest_batch_size").record(batch.len() as f64);
        commit_and_answer(&db, &mut batch).await;
    }
}

/// Writes `batch` and answers every delivery in it; leaves `batch` empty.
async fn commit_and_answer(db: &DatabaseConnection, batch: &mut Vec<Pending>) {
    match write(db, batch).await {
        Ok(outcomes) => {
            for (p, outcome) in batch.drain(..).zip(outcomes) {
                let _ = p.reply.send(Ok(outcome));
            }
        }
        Err(e) if batch.len() > 1 => {
            tracing::warn!(error = %e, size = batch.len(),
                "a webhook batch failed; writing its deliveries one at a time");
            for p in batch.drain(..) {
                let one = std::slice::from_ref(&p);
                let outcome = write(db, one)
                    .await
                    .map(|mut o| o.pop().unwrap_or(Stored::Duplicate))
                    .map_err(|e| failed(&p, &e));
                let _ = p.reply.send(outcome);
            }
        }
        Err(e) => {
            for p in batch.drain(..) {
                let err = failed(&p, &e);
                let _ = p.reply.send(Err(err));
            }
        }
    }
}

fn failed(p: &Pending, e: &DbErr) -> IngestError {
    tracing::error!(error = %e, webhook_id = %p.hook.webhook_id, shop = %p.hook.shop_domain,
        "a webhook could not be stored");
    metrics::counter!("flux_webhook_ingest_failed_total").increment(1);
    IngestError::Db(e.to_string())
}

/// One transaction: the new events, the jobs of those actually inserted. The outcome of
/// each delivery, in order.
async fn write(db: &DatabaseConnection, batch: &[Pending]) -> Result<Vec<Stored>, DbErr> {
    // Within the batch, the first delivery of a webhook id is the one written.
    let mut seen = HashSet::with_capacity(batch.len());
    let first: Vec<bool> = batch
        .iter()
        .map(|p| seen.insert(p.hook.webhook_id.as_str()))
        .collect();
    let firsts: Vec<&Pending> = batch
        .iter()
        .zip(&first)
        .filter(|(_, first)| **first)
        .map(|(p, _)| p)
        .collect();
    let inserted = if db.get_database_backend() == DbBackend::Postgres {
        postgres::write(db.get_postgres_connection_pool(), &firsts)
            .await
            .map_err(|e| DbErr::Query(sea_orm::RuntimeErr::SqlxError(e.into())))?
    } else {
        write_rows(db, &firsts).await?
    };
    Ok(batch
        .iter()
        .zip(first)
        .map(|(p, first)| {
            if first && inserted.contains(&p.id) {
                Stored::New(p.id)
            } else {
                Stored::Duplicate
            }
        })
        .collect())
}

/// [`write`] through sea-orm's multi-row inserts (SQLite).
///
/// Rows go in chunks whose sizes are powers of two (a batch of 45: 32, 8, 4 and 1), so
/// each connection prepares and caches at most nine statements per table instead of one
/// per batch size; in-process, the extra statements cost no round trip.
async fn write_rows(db: &DatabaseConnection, firsts: &[&Pending]) -> Result<HashSet<Uuid>, DbErr> {
    let txn = db.begin().await?;
    let mut inserted = HashSet::with_capacity(firsts.len());
    for chunk in power_of_two_chunks(firsts) {
        match webhook_event::Entity::insert_many(chunk.iter().map(|p| event_row(p)))
            .on_conflict_do_nothing_on([webhook_event::Column::WebhookId])
            .exec_with_returning_keys(&txn)
            .await?
        {
            sea_orm::TryInsertResult::Inserted(keys) => inserted.extend(keys),
            sea_orm::TryInsertResult::Conflicted | sea_orm::TryInsertResult::Empty => {}
        }
    }
    let now = Utc::now();
    let new: Vec<&Pending> = firsts
        .iter()
        .copied()
        .filter(|p| inserted.contains(&p.id))
        .collect();
    for chunk in power_of_two_chunks(&new) {
        job::Entity::insert_many(chunk.iter().map(|p| job_row(p, now)))
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(inserted)
}

/// `items` cut into consecutive chunks whose lengths are the powers of two that sum to
/// its length, largest first.
fn power_of_two_chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = 1usize << rest.len().ilog2();
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

fn event_row(p: &Pending) -> webhook_event::ActiveModel {
    use sea_orm::Set;
    let h = &p.hook;
    webhook_event::ActiveModel {
        id: Set(p.id),
        tenant_id: Set(h.tenant.0),
        webhook_id: Set(h.webhook_id.clone()),
        topic: Set(h.topic.clone()),
        shop_domain: Set(h.shop_domain.clone()),
        event_id: Set(h.event_id.clone()),
        triggered_at: Set(h.triggered_at),
        payload: Set(h.payload.clone()),
        status: Set("received".into()),
        error: Set(None),
        received_at: Set(h.received_at),
        processed_at: Set(None),
    }
}

/// The job of a stored delivery, as `jobs::queue::enqueue` would write it.
fn job_row(p: &Pending, now: DateTime<Utc>) -> job::ActiveModel {
    NewJob::new(p.hook.job_kind, serde_json::json!({ "event_id": p.id }))
        .tenant(p.hook.tenant)
        .priority(p.hook.job_priority)
        .into_row(Uuid::now_v7(), now)
}

/// [`write`] on PostgreSQL: two fixed statements with one array parameter per column.
mod postgres {
    use std::collections::HashSet;

    use chrono::Utc;
    use sea_orm::TryIntoModel;
    use sea_orm::sqlx::{self, PgPool};
    use uuid::Uuid;

    use super::{Pending, job_row};
    use crate::entity::job;

    /// The events, skipping webhook ids already stored; returns the ids inserted.
    const INSERT_EVENTS: &str = "INSERT INTO sales_webhook_events \
        (id, tenant_id, webhook_id, topic, shop_domain, event_id, triggered_at, payload, \
         status, error, received_at, processed_at) \
        SELECT u.id, u.tenant_id, u.webhook_id, u.topic, u.shop_domain, u.event_id, \
               u.triggered_at, u.payload, 'received', NULL, u.received_at, NULL \
        FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], \
                    $7::timestamptz[], $8::text[], $9::timestamptz[]) \
             AS u(id, tenant_id, webhook_id, topic, shop_domain, event_id, triggered_at, \
                  payload, received_at) \
        ON CONFLICT (webhook_id) DO NOTHING RETURNING id";

    /// The jobs, every column of `jobs::queue::NewJob::into_row`'s row.
    const INSERT_JOBS: &str = "INSERT INTO jobs \
        (id, tenant_id, kind, payload, state, priority, run_at, attempts, max_attempts, \
         locked_by, locked_until, last_error, job_key, created_at, updated_at, finished_at) \
        SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[], \
                             $6::int4[], $7::timestamptz[], $8::int4[], $9::int4[], $10::text[], \
                             $11::timestamptz[], $12::text[], $13::text[], $14::timestamptz[], \
                             $15::timestamptz[], $16::timestamptz[])";

    pub(super) async fn write(
        pool: &PgPool,
        firsts: &[&Pending],
    ) -> Result<HashSet<Uuid>, sqlx::Error> {
        let mut txn = pool.begin().await?;
        let inserted: HashSet<Uuid> = sqlx::query_scalar::<_, Uuid>(INSERT_EVENTS)
            .bind(column(firsts, |p| p.id))
            .bind(column(firsts, |p| p.hook.tenant.0))
            .bind(column(firsts, |p| p.hook.webhook_id.as_str()))
            .bind(column(firsts, |p| p.hook.topic.as_str()))
            .bind(column(firsts, |p| p.hook.shop_domain.as_str()))
            .bind(column(firsts, |p| p.hook.event_id.as_deref()))
            .bind(column(firsts, |p| p.hook.triggered_at))
            .bind(column(firsts, |p| p.hook.payload.as_str()))
            .bind(column(firsts, |p| p.hook.received_at))
            .fetch_all(&mut *txn)
            .await?
            .into_iter()
            .collect();
        if !inserted.is_empty() {
            let now = Utc::now();
            let jobs = firsts
                .iter()
                .filter(|p| inserted.contains(&p.id))
                .map(|p| job_row(p, now).try_into_model())
                .collect::<Result<Vec<job::Model>, _>>()
                .map_err(|e| sqlx::Error::Protocol(format!("a job row is incomplete: {e}")))?;
            sqlx::query(INSERT_JOBS)
                .bind(column(&jobs, |j| j.id))
                .bind(column(&jobs, |j| j.tenant_id))
                .bind(column(&jobs, |j| j.kind.as_str()))
                .bind(column(&jobs, |j| &j.payload))
                .bind(column(&jobs, |j| j.state.as_str()))
                .bind(column(&jobs, |j| j.priority))
                .bind(column(&jobs, |j| j.run_at))
                .bind(column(&jobs, |j| j.attempts))
                .bind(column(&jobs, |j| j.max_attempts))
                .bind(column(&jobs, |j| j.locked_by.as_deref()))
                .bind(column(&jobs, |j| j.locked_until))
                .bind(column(&jobs, |j| j.last_error.as_deref()))
                .bind(column(&jobs, |j| j.job_key.as_deref()))
                .bind(column(&jobs, |j| j.created_at))
                .bind(column(&jobs, |j| j.updated_at))
                .bind(column(&jobs, |j| j.finished_at))
                .execute(&mut *txn)
                .await?;
        }
        txn.commit().await?;
        Ok(inserted)
    }

    /// One column of `rows`, as the array bound to its parameter.
    fn column<'a, R, T>(rows: &'a [R], f: impl Fn(&'a R) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::power_of_two_chunks;

    #[test]
    fn chunks_are_powers_of_two_covering_every_item_in_order() {
        for n in 0..=300usize {
            let items: Vec<usize> = (0..n).collect();
            let chunks: Vec<&[usize]> = power_of_two_chunks(&items).collect();
            assert!(chunks.iter().all(|c| c.len().is_power_of_two()), "{n}");
            assert!(chunks.windows(2).all(|w| w[0].len() > w[1].len()), "{n}");
            assert_eq!(chunks.concat(), items, "{n}");
            assert_eq!(chunks.len(), n.count_ones() as usize, "{n}");
        }
    }
}
