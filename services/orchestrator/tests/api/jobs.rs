//! The job queue: transactional enqueue, unique keys, retries, parking, operator retry,
//! graceful shutdown, recurring jobs, and two workers sharing one database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use flux_http::{Method, StatusCode};
use flux_orchestrator::entity::job;
use flux_orchestrator::jobs::queue::{self, enqueue};
use flux_orchestrator::jobs::schedule::{Recurring, enqueue_due};
use flux_orchestrator::jobs::{JobContext, JobError, JobHandler, NewJob};
use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::{Value, json};

use crate::common::{TestDb, admin_token, backends, client, eventually, spawn_app, spawn_app_with};

/// Records which worker ran which job, and fails as told.
#[derive(Default)]
struct Recorder {
    runs: Mutex<HashMap<uuid::Uuid, Vec<String>>>,
    fail_first: AtomicUsize,
    permanent_first: AtomicUsize,
    delay_ms: u64,
}

#[async_trait]
impl JobHandler for Recorder {
    fn kind(&self) -> &'static str {
        "test.record"
    }
    async fn run(&self, ctx: &JobContext, job: &job::Model) -> Result<(), JobError> {
        if self.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.delay_ms)).await;
        }
        if self.permanent_first.load(Ordering::SeqCst) > 0 {
            self.permanent_first.fetch_sub(1, Ordering::SeqCst);
            return Err(JobError::permanent("the order has no shipping address"));
        }
        if self.fail_first.load(Ordering::SeqCst) > 0 {
            self.fail_first.fetch_sub(1, Ordering::SeqCst);
            return Err(JobError::Retryable {
                message: "courier answered 503".into(),
                retry_after: Some(Duration::from_millis(50)),
            });
        }
        self.runs
            .lock()
            .unwrap()
            .entry(job.id)
            .or_default()
            .push(ctx.worker_id.clone());
        Ok(())
    }
}

impl Recorder {
    fn total_runs(&self) -> usize {
        self.runs.lock().unwrap().values().map(Vec::len).sum()
    }
}

async fn job_state(db: &sea_orm::DatabaseConnection, id: uuid::Uuid) -> job::Model {
    job::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

#[tokio::test]
async fn jobs_commit_with_the_business_write_or_not_at_all() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let recorder = Arc::new(Recorder::default());
        let app = spawn_app(&db, vec![recorder.clone()]).await;
        let conn = &app.state().db;

        let txn = conn.begin().await.unwrap();
        let rolled_back = enqueue(&txn, NewJob::new("test.record", json!({"n": 1})))
            .await
            .unwrap()
            .unwrap();
        txn.rollback().await.unwrap();
        let txn = conn.begin().await.unwrap();
        let committed = enqueue(&txn, NewJob::new("test.record", json!({"n": 2})))
            .await
            .unwrap()
            .unwrap();
        txn.commit().await.unwrap();

        // The handler records its run before the worker records the outcome: wait for both.
        assert!(
            eventually(Duration::from_secs(10), || async {
                recorder.total_runs() == 1 && job_state(conn, committed).await.state == "succeeded"
            })
            .await,
            "{backend:?}"
        );
        assert!(
            job::Entity::find_by_id(rolled_back)
                .one(conn)
                .await
                .unwrap()
                .is_none()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(recorder.total_runs(), 1, "ran exactly once");
        app.stop().await;
    }
}

#[tokio::test]
async fn unique_keys_enqueue_once_and_recurring_jobs_once_per_period() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mut settings = db.settings();
        settings.worker.enabled = false;
        let app = spawn_app_with(settings, vec![]).await;
        let conn = &app.state().db;
        let first = enqueue(
            conn,
            NewJob::new("test.record", json!({})).key("webhook:123"),
        )
        .await
        .unwrap();
        let second = enqueue(
            conn,
            NewJob::new("test.record", json!({})).key("webhook:123"),
        )
        .await
        .unwrap();
        assert!(first.is_some());
        assert!(
            second.is_none(),
            "{backend:?}: a duplicate key enqueues nothing"
        );

        // Two replicas schedule the same recurring job at the same moment.
        let jobs = [Recurring {
            kind: "sales.track",
            every: Duration::from_secs(300),
        }];
        let now = chrono::Utc::now();
        let (a, b) = tokio::join!(enqueue_due(conn, &jobs, now), enqueue_due(conn, &jobs, now));
        assert_eq!(
            a.unwrap() + b.unwrap(),
            1,
            "{backend:?}: one job per period"
        );
        let later = now + chrono::Duration::seconds(300);
        assert_eq!(
            enqueue_due(conn, &jobs, later).await.unwrap(),
            1,
            "the next period gets its own"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn retryable_failures_retry_and_permanent_ones_park_until_an_operator_retries() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let recorder = Arc::new(Recorder {
            fail_first: AtomicUsize::new(2),
            ..Default::default()
        });
        let app = spawn_app(&db, vec![recorder.clone()]).await;
        let conn = app.state().db.clone();
        let id = enqueue(&conn, NewJob::new("test.record", json!({})))
            .await
            .unwrap()
            .unwrap();
        // The handler records its run before the worker records the outcome: wait for both.
        let c = conn.clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c.clone();
                let recorder = recorder.clone();
                async move {
                    recorder.total_runs() == 1 && job_state(&c, id).await.state == "succeeded"
                }
            })
            .await
        );
        let done = job_state(&conn, id).await;
        assert_eq!(done.state, "succeeded");
        assert_eq!(done.attempts, 3, "two failures, then success");

        recorder.permanent_first.store(1, Ordering::SeqCst);
        let id = enqueue(&conn, NewJob::new("test.record", json!({})))
            .await
            .unwrap()
            .unwrap();
        let c = conn.clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c.clone();
                async move { job_state(&c, id).await.state == "parked" }
            })
            .await
        );
        let parked = job_state(&conn, id).await;
        assert!(
            parked
                .last_error
                .as_deref()
                .unwrap()
                .contains("no shipping address")
        );

        let http = client(&app);
        let listed: Value = http
            .get("admin/jobs")
            .query(&[("state", "parked")])
            .bearer(&admin_token())
            .send_json()
            .await
            .unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["id"], id.to_string());
        let res = http
            .request(Method::POST, &format!("admin/jobs/{id}/retry"))
            .bearer(&admin_token())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let c = conn.clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c.clone();
                let recorder = recorder.clone();
                async move {
                    recorder.total_runs() == 2 && job_state(&c, id).await.state == "succeeded"
                }
            })
            .await
        );
        // A succeeded job cannot be retried.
        let res = http
            .request(Method::POST, &format!("admin/jobs/{id}/retry"))
            .bearer(&admin_token())
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_job_without_a_handler_is_parked_with_the_reason() {
    let db = TestDb::new(backends()[0]).await;
    let app = spawn_app(&db, vec![]).await;
    let conn = app.state().db.clone();
    let id = enqueue(&conn, NewJob::new("nobody.handles.this", json!({})))
        .await
        .unwrap()
        .unwrap();
    let c = conn.clone();
    assert!(
        eventually(Duration::from_secs(10), || {
            let c = c.clone();
            async move { job_state(&c, id).await.state == "parked" }
        })
        .await
    );
    assert!(
        job_state(&conn, id)
            .await
            .last_error
            .unwrap()
            .contains("no handler")
    );
    app.stop().await;
}

#[tokio::test]
async fn shutdown_releases_the_leases_of_jobs_still_running() {
    let db = TestDb::new(backends()[0]).await;
    let slow = Arc::new(Recorder {
        delay_ms: 60_000,
        ..Default::default()
    });
    let mut settings = db.settings();
    settings.worker.shutdown_grace_secs = 1;
    let mut app = spawn_app_with(settings, vec![slow]).await;
    let conn = app.state().db.clone();
    let id = enqueue(&conn, NewJob::new("test.record", json!({})))
        .await
        .unwrap()
        .unwrap();
    let c = conn.clone();
    assert!(
        eventually(Duration::from_secs(10), || {
            let c = c.clone();
            async move { job_state(&c, id).await.state == "running" }
        })
        .await
    );
    app.take_worker().unwrap().shutdown().await;
    let released = job_state(&conn, id).await;
    assert_eq!(released.state, "queued");
    assert_eq!(released.locked_by, None);
    app.stop().await;
}

#[tokio::test]
async fn two_services_on_one_database_run_every_job_exactly_once() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let recorder = Arc::new(Recorder {
            delay_ms: 50,
            ..Default::default()
        });
        let mut first_settings = db.settings();
        first_settings.worker.enabled = false; // enqueue everything before anyone claims
        let a = spawn_app_with(first_settings, vec![recorder.clone()]).await;
        let conn = a.state().db.clone();
        let mut ids = Vec::new();
        for n in 0..60 {
            ids.push(
                enqueue(&conn, NewJob::new("test.record", json!({"n": n})))
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        a.stop().await;
        let a = spawn_app(&db, vec![recorder.clone()]).await;
        let b = spawn_app(&db, vec![recorder.clone()]).await;
        assert!(
            eventually(Duration::from_secs(30), || async {
                recorder.total_runs() >= 60
            })
            .await,
            "{backend:?}: only {} of 60 ran",
            recorder.total_runs()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        let runs = recorder.runs.lock().unwrap().clone();
        assert_eq!(runs.len(), 60, "{backend:?}");
        for id in &ids {
            assert_eq!(
                runs[id].len(),
                1,
                "{backend:?}: job {id} ran {} times",
                runs[id].len()
            );
        }
        let workers: std::collections::HashSet<&String> = runs.values().flatten().collect();
        assert_eq!(workers.len(), 2, "{backend:?}: both services took part");
        let left = queue::list(
            &conn,
            Some(flux_orchestrator::jobs::JobState::Queued),
            None,
            100,
        )
        .await
        .unwrap();
        assert!(left.is_empty());
        a.stop().await;
        b.stop().await;
    }
}

/// Records the order in which jobs of several kinds started, and how many of each ran at
/// once at most.
#[derive(Default)]
struct StartLog {
    starts: Mutex<Vec<&'static str>>,
    running: Mutex<HashMap<&'static str, (usize, usize)>>,
}

struct Staged {
    kind: &'static str,
    lane: Option<flux_orchestrator::jobs::Lane>,
    log: Arc<StartLog>,
}

#[async_trait]
impl JobHandler for Staged {
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn lane(&self) -> Option<flux_orchestrator::jobs::Lane> {
        self.lane
    }
    async fn run(&self, _ctx: &JobContext, _job: &job::Model) -> Result<(), JobError> {
        self.log.starts.lock().unwrap().push(self.kind);
        {
            let mut running = self.log.running.lock().unwrap();
            let (now, max) = running.entry(self.kind).or_default();
            *now += 1;
            *max = (*max).max(*now);
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
        self.log
            .running
            .lock()
            .unwrap()
            .entry(self.kind)
            .or_default()
            .0 -= 1;
        Ok(())
    }
}

#[tokio::test]
async fn a_lane_is_served_before_an_older_backlog_and_never_beyond_its_cap() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let log = Arc::new(StartLog::default());
        let handlers = || -> Vec<Arc<dyn JobHandler>> {
            vec![
                Arc::new(Staged {
                    kind: "test.backlog",
                    lane: None,
                    log: log.clone(),
                }),
                // The bottleneck stage: one slot claimed first, at most one at once.
                Arc::new(Staged {
                    kind: "test.invoice",
                    lane: Some(flux_orchestrator::jobs::Lane::new("test.invoicing", 1, 1)),
                    log: log.clone(),
                }),
                // Another lane: no reserved slot, at most two at once.
                Arc::new(Staged {
                    kind: "test.awb",
                    lane: Some(flux_orchestrator::jobs::Lane::new("test.couriers", 0, 2)),
                    log: log.clone(),
                }),
            ]
        };
        let mut quiet = db.settings();
        quiet.worker.enabled = false; // enqueue everything before anyone claims
        let app = spawn_app_with(quiet, handlers()).await;
        let conn = app.state().db.clone();
        // A backlog created first (so it is first by due time), then the lanes' work.
        for n in 0..30 {
            enqueue(&conn, NewJob::new("test.backlog", json!({ "n": n })))
                .await
                .unwrap();
        }
        for n in 0..4 {
            enqueue(&conn, NewJob::new("test.invoice", json!({ "n": n })))
                .await
                .unwrap();
        }
        for n in 0..12 {
            enqueue(&conn, NewJob::new("test.awb", json!({ "n": n })))
                .await
                .unwrap();
        }
        app.stop().await;
        // 8 slots: FluxSales' lanes (registered by every application) reserve 4 of them,
        // the test's invoicing lane 1 more.
        let mut settings = db.settings();
        settings.worker.concurrency = 8;
        let app = spawn_app_with(settings, handlers()).await;
        assert!(
            eventually(Duration::from_secs(30), || async {
                log.starts.lock().unwrap().len() == 46
            })
            .await,
            "{backend:?}: only {} of 46 jobs ran",
            log.starts.lock().unwrap().len()
        );
        let starts = log.starts.lock().unwrap().clone();
        let first = |kind: &str| starts.iter().position(|k| *k == kind).unwrap();
        let last = |kind: &str| starts.iter().rposition(|k| *k == kind).unwrap();
        assert!(
            first("test.invoice") < 8,
            "{backend:?}: the reserved lane is in the first claim: {starts:?}"
        );
        assert!(
            last("test.invoice") < last("test.backlog"),
            "{backend:?}: the lane did not wait for the older backlog to drain: {starts:?}"
        );
        let running = log.running.lock().unwrap().clone();
        assert_eq!(running["test.invoice"].1, 1, "{backend:?}: capped at 1");
        assert!(running["test.awb"].1 <= 2, "{backend:?}: capped at 2");
        assert!(
            running["test.backlog"].1 >= 2,
            "{backend:?}: the backlog shares the other slots"
        );
        let left = queue::list(
            &conn,
            Some(flux_orchestrator::jobs::JobState::Queued),
            None,
            100,
        )
        .await
        .unwrap();
        assert!(left.is_empty(), "{backend:?}");
        app.stop().await;
    }
}

/// Meets SQLite's "database is locked" a number of times, then succeeds.
struct Contended {
    busy_left: AtomicUsize,
    runs: AtomicUsize,
}

#[async_trait]
impl JobHandler for Contended {
    fn kind(&self) -> &'static str {
        "test.contended"
    }
    async fn run(&self, _ctx: &JobContext, _job: &job::Model) -> Result<(), JobError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        if self
            .busy_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            // What sqlx reports when a deferred SQLite transaction cannot take the write lock.
            return Err(sea_orm::DbErr::Custom(
                "error returned from database: (code: 5) database is locked".into(),
            )
            .into());
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_busy_database_retries_the_job_soon_without_using_up_its_attempts() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let handler = Arc::new(Contended {
            busy_left: AtomicUsize::new(5),
            runs: AtomicUsize::new(0),
        });
        let app = spawn_app(&db, vec![handler.clone()]).await;
        let conn = app.state().db.clone();
        // Two attempts: an ordinary retryable failure would park it after the second.
        let id = enqueue(
            &conn,
            NewJob::new("test.contended", json!({})).max_attempts(2),
        )
        .await
        .unwrap()
        .unwrap();
        let c = conn.clone();
        assert!(
            eventually(Duration::from_secs(20), || {
                let c = c.clone();
                async move {
                    let state = job_state(&c, id).await.state;
                    state != "queued" && state != "running"
                }
            })
            .await,
            "{backend:?}"
        );
        let done = job_state(&conn, id).await;
        assert_eq!(
            done.state, "succeeded",
            "{backend:?}: {:?}",
            done.last_error
        );
        assert_eq!(handler.runs.load(Ordering::SeqCst), 6, "{backend:?}");
        assert_eq!(
            done.attempts, 1,
            "{backend:?}: busy runs gave their attempts back"
        );
        app.stop().await;
    }
}
