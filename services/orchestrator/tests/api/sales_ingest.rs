//! FluxSales webhook ingest (group commit, `ingest.rs`): deliveries arriving together are
//! written in shared transactions, yet each 200 follows the commit of its own row and job;
//! duplicates (in one batch or across batches) are stored once with one job; each event
//! belongs to its own shop's tenant; a failed write answers 5xx and leaves nothing; a full
//! queue answers at once; the shop -> tenant cache follows an erasure and a re-install.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use flux_orchestrator::entity::job;
use flux_orchestrator::ingest::{IngestError, IngestLimits, NewWebhook, Stored, WebhookIngest};
use flux_orchestrator::sales::entity::webhook_event;
use flux_orchestrator::startup::RunningApplication;
use flux_orchestrator::state::AppState;
use flux_orchestrator::tenancy::TenantId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;
use wiremock::MockServer;

use crate::common::{Backend, TestDb, backends, spawn_app_with};
use crate::sales_support::{API_KEY, Api, SECRET, mount_basics, order_body};

const A: &str = "ingest-a.myshopify.com";
const B: &str = "ingest-b.myshopify.com";
const UNKNOWN: &str = "never-installed.myshopify.com";
const WEBHOOK_JOB: &str = "sales.webhook";

/// FluxSales against `mock`, with the job worker off so the stored rows stay as written.
async fn app_without_worker(db: &TestDb, mock: &MockServer) -> RunningApplication {
    let mut settings = db.settings();
    settings.shopify.api_key = Some(API_KEY.into());
    settings.shopify.api_secret = Some(SecretString::from(SECRET));
    settings.providers.shopify_base_url = Some(mock.uri());
    settings.worker.enabled = false;
    spawn_app_with(settings, vec![]).await
}

async fn install(api: &Api, shop: &str) -> Uuid {
    let (s, v) = api.call(shop, "POST", "/sales/v1/session", None).await;
    assert_eq!(s, 200, "install {shop}: {v}");
    v["id"].as_str().unwrap().parse().unwrap()
}

async fn event(state: &AppState, webhook_id: &str) -> Option<webhook_event::Model> {
    webhook_event::Entity::find()
        .filter(webhook_event::Column::WebhookId.eq(webhook_id))
        .one(&state.db)
        .await
        .unwrap()
}

async fn webhook_jobs(state: &AppState) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(WEBHOOK_JOB))
        .all(&state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn sales_ingest_concurrent_deliveries_stored_once_per_id_with_their_tenant() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = app_without_worker(&db, &mock).await;
        let api = std::sync::Arc::new(Api::new(&app));
        let tenant_a = install(&api, A).await;
        let tenant_b = install(&api, B).await;
        assert_ne!(tenant_a, tenant_b);

        // 60 deliveries at once: 20 unique to A, 20 unique to B, 12 copies of one id for
        // A (duplicates within a batch), 8 for a shop never installed.
        let mut deliveries = Vec::new();
        for i in 0..20u64 {
            deliveries.push((A, format!("a-{i}"), i));
            deliveries.push((B, format!("b-{i}"), 100 + i));
        }
        for _ in 0..12 {
            deliveries.push((A, "a-dup".to_owned(), 50));
        }
        for i in 0..8u64 {
            deliveries.push((UNKNOWN, format!("u-{i}"), 200 + i));
        }
        let state = app.state().clone();
        let tasks: Vec<_> = deliveries
            .into_iter()
            .map(|(shop, id, n)| {
                let api = std::sync::Arc::clone(&api);
                let state = state.clone();
                tokio::spawn(async move {
                    let status = api
                        .webhook(shop, "orders/create", &id, &order_body(n, 9, "pending", 0))
                        .await;
                    // The 200 follows the commit: the row is readable right away.
                    let row = event(&state, &id).await;
                    (shop, id, status, row)
                })
            })
            .collect();
        for t in tasks {
            let (shop, id, status, row) = t.await.unwrap();
            assert_eq!(status, 200, "{backend:?}: {shop} {id}");
            if shop == UNKNOWN {
                assert!(row.is_none(), "{backend:?}: nothing is stored for {shop}");
            } else {
                let row =
                    row.unwrap_or_else(|| panic!("{backend:?}: {id} unreadable after its 200"));
                let expected = if shop == A { tenant_a } else { tenant_b };
                assert_eq!(row.tenant_id, expected, "{backend:?}: {id}");
                assert_eq!(row.shop_domain, shop);
                assert_eq!(row.status, "received");
            }
        }

        let events = webhook_event::Entity::find().all(&state.db).await.unwrap();
        assert_eq!(
            events.len(),
            41,
            "{backend:?}: 40 unique + one of the 12 copies"
        );
        let jobs = webhook_jobs(&state).await;
        assert_eq!(jobs.len(), 41, "{backend:?}: one job per stored event");
        let by_id: HashMap<Uuid, &webhook_event::Model> =
            events.iter().map(|e| (e.id, e)).collect();
        let mut covered = HashSet::new();
        for j in &jobs {
            let event_id: Uuid = j.payload["event_id"].as_str().unwrap().parse().unwrap();
            let e = by_id.get(&event_id).expect("the job names a stored event");
            assert_eq!(j.tenant_id, Some(e.tenant_id), "{backend:?}: job tenant");
            assert_eq!(j.state, "queued");
            assert_eq!(j.priority, 0);
            assert!(
                covered.insert(event_id),
                "{backend:?}: two jobs for one event"
            );
        }

        // Redelivered later (other batches): still one row and one job each.
        for id in ["a-dup", "a-3", "b-7"] {
            let shop = if id.starts_with('b') { B } else { A };
            let s = api
                .webhook(shop, "orders/create", id, &order_body(1, 9, "pending", 0))
                .await;
            assert_eq!(s, 200);
        }
        assert_eq!(
            webhook_event::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .len(),
            41
        );
        assert_eq!(webhook_jobs(&state).await.len(), 41, "{backend:?}");

        // app/uninstalled jumps the queue, as before grouping.
        let s = api.webhook(A, "app/uninstalled", "a-bye", &json!({})).await;
        assert_eq!(s, 200);
        let bye = event(&state, "a-bye").await.unwrap();
        let jobs = webhook_jobs(&state).await;
        let j = jobs
            .iter()
            .find(|j| j.payload["event_id"] == json!(bye.id))
            .unwrap();
        assert_eq!(j.priority, 10);
        app.stop().await;
    }
}

#[tokio::test]
async fn sales_ingest_failed_write_answers_5xx_and_stores_nothing() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = app_without_worker(&db, &mock).await;
        let api = std::sync::Arc::new(Api::new(&app));
        install(&api, A).await;
        let state = app.state().clone();

        // The event insert succeeds, the job insert fails: the transaction must not
        // keep the event, and no delivery may be acknowledged.
        state
            .db
            .execute_unprepared("ALTER TABLE jobs RENAME TO jobs_moved_away")
            .await
            .unwrap();
        let tasks: Vec<_> = (0..10u64)
            .map(|i| {
                let api = std::sync::Arc::clone(&api);
                tokio::spawn(async move {
                    api.webhook(
                        A,
                        "orders/create",
                        &format!("f-{i}"),
                        &order_body(i, 9, "pending", 0),
                    )
                    .await
                })
            })
            .collect();
        for t in tasks {
            let status = t.await.unwrap();
            assert!(
                (500..600).contains(&status),
                "{backend:?}: a failed write answered {status}"
            );
        }
        assert!(
            webhook_event::Entity::find()
                .all(&state.db)
                .await
                .unwrap()
                .is_empty(),
            "{backend:?}: a rolled-back event was kept"
        );

        // Shopify retries the same delivery once the database is back: stored, with its job.
        state
            .db
            .execute_unprepared("ALTER TABLE jobs_moved_away RENAME TO jobs")
            .await
            .unwrap();
        let s = api
            .webhook(A, "orders/create", "f-3", &order_body(3, 9, "pending", 0))
            .await;
        assert_eq!(s, 200, "{backend:?}");
        assert!(event(&state, "f-3").await.is_some());
        assert_eq!(webhook_jobs(&state).await.len(), 1);
        app.stop().await;
    }
}

fn hook(tenant: Uuid, id: &str) -> NewWebhook {
    NewWebhook {
        tenant: TenantId(tenant),
        webhook_id: id.to_owned(),
        topic: "orders/create".into(),
        shop_domain: A.into(),
        event_id: None,
        triggered_at: None,
        payload: "{}".into(),
        received_at: chrono::Utc::now(),
        job_kind: WEBHOOK_JOB,
        job_priority: 0,
    }
}

async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..400 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never: {what}");
}

#[tokio::test]
async fn sales_ingest_full_queue_refuses_at_once_and_queued_deliveries_still_commit() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = app_without_worker(&db, &mock).await;
        let api = Api::new(&app);
        let tenant = install(&api, A).await;
        let state = app.state().clone();
        let ingest = WebhookIngest::start(
            state.db.clone(),
            IngestLimits {
                queue: 1,
                max_batch: 1,
                writers: 1,
                pool: 5,
            },
        );

        // Hold the table so the writer's first batch waits inside its transaction.
        let blocker = state.db.begin().await.unwrap();
        let lock = match backend {
            Backend::Postgres => "LOCK TABLE sales_webhook_events IN EXCLUSIVE MODE",
            Backend::Sqlite => "CREATE TABLE ingest_test_lock (x INTEGER)",
        };
        blocker.execute_unprepared(lock).await.unwrap();

        // Polled once, a store hands its delivery to the queue and waits for the answer.
        let mut first = Box::pin(ingest.store(hook(tenant, "q-1")));
        assert!(futures::poll!(&mut first).is_pending());
        until("the writer takes the first delivery", || {
            ingest.queued() == 0
        })
        .await;
        let mut second = Box::pin(ingest.store(hook(tenant, "q-2")));
        assert!(futures::poll!(&mut second).is_pending());
        assert_eq!(ingest.queued(), 1, "{backend:?}: the second delivery waits");
        let third = ingest.store(hook(tenant, "q-3")).await;
        assert!(
            matches!(third, Err(IngestError::Busy)),
            "{backend:?}: {third:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            futures::poll!(&mut first).is_pending(),
            "answered before its commit"
        );

        blocker.rollback().await.unwrap();
        for (task, id) in [(first, "q-1"), (second, "q-2")] {
            let outcome = task.await;
            assert!(
                matches!(outcome, Ok(Stored::New(_))),
                "{backend:?}: {outcome:?}"
            );
            assert!(event(&state, id).await.is_some());
        }
        assert!(event(&state, "q-3").await.is_none());
        assert_eq!(
            ingest.store(hook(tenant, "q-1")).await.unwrap(),
            Stored::Duplicate
        );
        drop(ingest);
        app.stop().await;
    }
}

#[tokio::test]
async fn sales_ingest_shop_cache_follows_erasure_and_reinstall() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = app_without_worker(&db, &mock).await;
        let api = Api::new(&app);
        let state = app.state().clone();
        let first = install(&api, A).await;
        let s = api
            .webhook(A, "orders/create", "c-1", &order_body(1, 9, "pending", 0))
            .await;
        assert_eq!(s, 200);
        assert_eq!(event(&state, "c-1").await.unwrap().tenant_id, first);

        // The merchant deletes everything now, then installs again: a new tenant.
        let (s, v) = api.call(A, "DELETE", "/sales/v1/shop", None).await;
        assert_eq!(s, 204, "{v}");
        let second = install(&api, A).await;
        assert_ne!(
            first, second,
            "{backend:?}: a re-install after erasure is a new tenant"
        );
        let s = api
            .webhook(A, "orders/create", "c-2", &order_body(2, 9, "pending", 0))
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            event(&state, "c-2").await.unwrap().tenant_id,
            second,
            "{backend:?}: stored under the erased tenant (stale cache)"
        );
        app.stop().await;
    }
}

/// On PostgreSQL (with LZ4 support), a stored webhook body is compressed with LZ4, not
/// `pglz`, and reads back byte for byte.
#[tokio::test]
async fn sales_ingest_postgres_stores_bodies_lz4_compressed_and_intact() {
    for backend in backends() {
        if backend != Backend::Postgres {
            continue;
        }
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = app_without_worker(&db, &mock).await;
        let api = Api::new(&app);
        install(&api, A).await;
        let conn = &app.state().db;
        let lz4 = conn
            .query_one_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                "SELECT count(*) AS n FROM pg_settings \
                 WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap()
            > 0;
        if !lz4 {
            eprintln!("this PostgreSQL has no LZ4: nothing to check");
            continue;
        }
        // A body the size of a real order webhook (about 10 KB): above the TOAST threshold.
        let mut body = order_body(7, 9, "pending", 0);
        body["note"] = json!(
            (0..240)
                .map(|i| format!("line {i}: Str. Memorandumului {i}, Cluj-Napoca; "))
                .collect::<String>()
        );
        let sent = body.to_string();
        assert!(sent.len() > 10_000, "{}", sent.len());
        assert_eq!(api.webhook(A, "orders/create", "big-1", &body).await, 200);
        let row = event(app.state(), "big-1").await.unwrap();
        assert_eq!(row.payload, sent, "the body reads back byte for byte");
        let method = conn
            .query_one_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                "SELECT pg_column_compression(payload) AS m FROM sales_webhook_events \
                 WHERE webhook_id = 'big-1'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<Option<String>>("", "m")
            .unwrap();
        assert_eq!(method.as_deref(), Some("lz4"));
        app.stop().await;
    }
}

/// Every field of a delivery reaches its event row and its job, present or absent, on
/// both backends (PostgreSQL writes them through its array statement).
#[tokio::test]
async fn sales_ingest_stores_every_field_of_the_event_and_its_job() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mock = MockServer::start().await;
        mount_basics(&mock).await;
        let app = app_without_worker(&db, &mock).await;
        let api = Api::new(&app);
        let tenant = install(&api, A).await;
        let state = app.state().clone();
        let ingest = WebhookIngest::start(state.db.clone(), IngestLimits::default());
        let triggered = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:01.250+02:00")
            .unwrap()
            .to_utc();
        let mut full = hook(tenant, "f-1");
        full.event_id = Some("evt-98880550-7158-44d4".into());
        full.triggered_at = Some(triggered);
        full.payload = r#"{"id":1,"note":"ăîșț \"quoted\" \\ back"}"#.into();
        full.job_priority = 10;
        let bare = hook(tenant, "f-2");
        let (a, b) = tokio::join!(ingest.store(full.clone()), ingest.store(bare.clone()));
        let (Stored::New(a), Stored::New(b)) = (a.unwrap(), b.unwrap()) else {
            panic!("{backend:?}: both are new");
        };
        for (id, sent) in [(a, &full), (b, &bare)] {
            let row = event(&state, &sent.webhook_id).await.unwrap();
            assert_eq!(row.id, id);
            assert_eq!(row.tenant_id, tenant);
            assert_eq!(row.topic, sent.topic);
            assert_eq!(row.shop_domain, sent.shop_domain);
            assert_eq!(row.event_id, sent.event_id, "{backend:?}");
            assert_eq!(row.triggered_at, sent.triggered_at, "{backend:?}");
            assert_eq!(row.payload, sent.payload, "{backend:?}");
            assert_eq!(row.status, "received");
            assert_eq!(row.error, None);
            assert_eq!(row.processed_at, None);
            assert_eq!(
                row.received_at.timestamp_micros(),
                sent.received_at.timestamp_micros()
            );
            let jobs = webhook_jobs(&state).await;
            let j = jobs
                .iter()
                .find(|j| j.payload == json!({ "event_id": id }))
                .unwrap_or_else(|| panic!("{backend:?}: the job of {id}"));
            assert_eq!(j.tenant_id, Some(tenant));
            assert_eq!(j.kind, WEBHOOK_JOB);
            assert_eq!(j.state, "queued");
            assert_eq!(j.priority, sent.job_priority);
            assert_eq!(j.attempts, 0);
            assert!(j.max_attempts > 0);
            assert_eq!(j.job_key, None);
            assert_eq!(j.locked_by, None);
            assert_eq!(j.finished_at, None);
        }
        // The same ids again: duplicates, nothing more written.
        assert_eq!(ingest.store(full).await.unwrap(), Stored::Duplicate);
        assert_eq!(webhook_jobs(&state).await.len(), 2, "{backend:?}");
        app.stop().await;
    }
}
