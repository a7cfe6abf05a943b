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

        assert!(
            eventually(Duration::from_secs(10), || async {
                recorder.total_runs() == 1
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
        assert_eq!(job_state(conn, committed).await.state, "succeeded");
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
        assert!(
            eventually(Duration::from_secs(10), || async {
                recorder.total_runs() == 1
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
        assert!(
            eventually(Duration::from_secs(10), || async {
                recorder.total_runs() == 2
            })
            .await
        );
        assert_eq!(job_state(&conn, id).await.state, "succeeded");
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
