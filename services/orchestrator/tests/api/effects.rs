//! The effects ledger: a worker killed between the provider call and the database write
//! leaves exactly one effect at the provider.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use flux_core::courier::{CreatedShipment, ShipmentRequest};
use flux_core::{Address, CountryCode, Courier, ErrorKind, Parcel, ProviderError, ShipmentId};
use flux_orchestrator::effects::{EffectOutcome, EffectSpec, Reconcile};
use flux_orchestrator::entity::{effect, job};
use flux_orchestrator::jobs::queue::enqueue;
use flux_orchestrator::jobs::{JobContext, JobError, JobHandler, NewJob};
use flux_orchestrator::tenancy::{TenantId, TenantKind, ensure_tenant};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
use serde_json::json;

use crate::common::{TestDb, backends, eventually, spawn_app};

/// A courier that keeps its AWBs in memory, can be searched by our reference, and can be
/// told to fail after creating (the answer is lost).
#[derive(Default)]
struct FakeCourier {
    awbs: Mutex<Vec<(String, String)>>,
    searchable: bool,
    lose_next_answer: AtomicBool,
}

#[async_trait]
impl Courier for FakeCourier {
    fn provider(&self) -> &'static str {
        "fake"
    }
    fn capabilities(&self) -> flux_core::courier::CourierCapabilities {
        flux_core::courier::CourierCapabilities::default()
    }
    async fn create_shipment(
        &self,
        request: &ShipmentRequest,
    ) -> Result<CreatedShipment, ProviderError> {
        let mut awbs = self.awbs.lock().unwrap();
        let number = format!("AWB{:04}", awbs.len() + 1);
        awbs.push((number.clone(), request.reference.clone()));
        drop(awbs);
        if self.lose_next_answer.swap(false, Ordering::SeqCst) {
            return Err(ProviderError::new(
                ErrorKind::Timeout,
                "fake",
                "timed out waiting for the answer",
            )
            .with_maybe_sent(true));
        }
        Ok(CreatedShipment::new(
            ShipmentId::awb(number),
            request.reference.clone(),
        ))
    }
    async fn find_by_reference(
        &self,
        reference: &str,
        _since: NaiveDate,
    ) -> Result<Option<CreatedShipment>, ProviderError> {
        if !self.searchable {
            return Err(ProviderError::unsupported(
                "fake",
                "finding shipments by reference",
            ));
        }
        Ok(self
            .awbs
            .lock()
            .unwrap()
            .iter()
            .find(|(_, r)| r == reference)
            .map(|(n, r)| CreatedShipment::new(ShipmentId::awb(n.clone()), r.clone())))
    }
}

/// Creates the AWB of an order through the ledger. On its first run it "dies" right after
/// the courier answered, before the ledger could record the outcome.
struct CreateAwb {
    courier: Arc<FakeCourier>,
    die_after_call: AtomicBool,
}

fn request(reference: &str) -> ShipmentRequest {
    let sender = Address::builder("Magazin SRL", "Cluj-Napoca", CountryCode::RO)
        .region("CJ")
        .build()
        .unwrap();
    let recipient = Address::builder("Ana Pop", "Sector 3", CountryCode::RO)
        .build()
        .unwrap();
    ShipmentRequest::new(
        reference,
        sender,
        recipient,
        vec![Parcel::new(Decimal::ONE).unwrap()],
    )
}

#[async_trait]
impl JobHandler for CreateAwb {
    fn kind(&self) -> &'static str {
        "test.create_awb"
    }
    async fn run(&self, ctx: &JobContext, job: &job::Model) -> Result<(), JobError> {
        let tenant = TenantId(job.tenant_id.expect("tenant job"));
        let reference = job.payload["order"].as_str().unwrap().to_owned();
        let spec = EffectSpec {
            tenant,
            kind: "awb",
            provider: "fake",
            idempotency_key: format!("awb:{reference}"),
            request: json!({ "order": reference }),
        };
        let courier = self.courier.clone();
        let lookup_courier = self.courier.clone();
        let lookup_ref = reference.clone();
        let die = &self.die_after_call;
        ctx.state
            .effects
            .run(
                &spec,
                || {
                    if lookup_courier.searchable {
                        Reconcile::Lookup(Box::pin(async move {
                            let found = lookup_courier
                                .find_by_reference(
                                    &lookup_ref,
                                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                                )
                                .await?;
                            Ok(found.map(|s| EffectOutcome {
                                provider_reference: s.id.tracking_number,
                                details: json!({}),
                            }))
                        }))
                    } else {
                        Reconcile::Impossible
                    }
                },
                || async move {
                    let created = courier.create_shipment(&request(&reference)).await?;
                    if die.swap(false, Ordering::SeqCst) {
                        // The process dies here: the courier has the AWB, our database does not.
                        std::future::pending::<()>().await;
                    }
                    Ok(EffectOutcome {
                        provider_reference: created.id.tracking_number,
                        details: json!({}),
                    })
                },
            )
            .await?;
        Ok(())
    }
}

async fn effect_for(db: &sea_orm::DatabaseConnection, key: &str) -> Option<effect::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    effect::Entity::find()
        .filter(effect::Column::IdempotencyKey.eq(key))
        .one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_worker_killed_between_the_call_and_the_write_leaves_exactly_one_awb() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let courier = Arc::new(FakeCourier {
            searchable: true,
            ..Default::default()
        });
        let handler = Arc::new(CreateAwb {
            courier: courier.clone(),
            die_after_call: AtomicBool::new(true),
        });
        let mut app = spawn_app(&db, vec![handler.clone()]).await;
        let conn = app.state().db.clone();
        let shop = ensure_tenant(&conn, TenantKind::Shop, "crash.myshopify.com", "Crash")
            .await
            .unwrap();
        // The webhook is delivered twice: the second enqueue is a no-op.
        for _ in 0..2 {
            enqueue(
                &conn,
                NewJob::new("test.create_awb", json!({"order": "#1001"}))
                    .tenant(TenantId(shop.id))
                    .key("awb:#1001"),
            )
            .await
            .unwrap();
        }
        assert!(
            eventually(Duration::from_secs(10), || async {
                courier.awbs.lock().unwrap().len() == 1
            })
            .await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Kill the worker mid-job, like a crashed process.
        app.take_worker().unwrap().kill().await;
        let pending = effect_for(&conn, "awb:#1001").await.unwrap();
        assert_eq!(
            pending.state, "pending",
            "{backend:?}: the outcome was never written"
        );

        // A new process starts; the dead worker's lease expires; the job runs again.
        let restarted = spawn_app(&db, vec![handler.clone()]).await;
        let c = conn.clone();
        assert!(
            eventually(Duration::from_secs(15), || {
                let c = c.clone();
                async move {
                    effect_for(&c, "awb:#1001")
                        .await
                        .is_some_and(|e| e.state == "succeeded")
                }
            })
            .await,
            "{backend:?}: the effect was reconciled"
        );
        let done = effect_for(&conn, "awb:#1001").await.unwrap();
        assert_eq!(done.provider_reference.as_deref(), Some("AWB0001"));
        assert_eq!(
            courier.awbs.lock().unwrap().len(),
            1,
            "{backend:?}: exactly one AWB at the courier"
        );
        restarted.stop().await;
        app.stop().await;
    }
}

#[tokio::test]
async fn a_lost_answer_is_reconciled_and_an_unsearchable_provider_is_parked() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        // Searchable courier: the answer to the create is lost (maybe sent).
        let courier = Arc::new(FakeCourier {
            searchable: true,
            lose_next_answer: AtomicBool::new(true),
            ..Default::default()
        });
        let handler = Arc::new(CreateAwb {
            courier: courier.clone(),
            die_after_call: AtomicBool::new(false),
        });
        let app = spawn_app(&db, vec![handler]).await;
        let conn = app.state().db.clone();
        let tenant = TenantId(
            ensure_tenant(&conn, TenantKind::Shop, "lost.myshopify.com", "Lost")
                .await
                .unwrap()
                .id,
        );
        let id = enqueue(
            &conn,
            NewJob::new("test.create_awb", json!({"order": "#2002"})).tenant(tenant),
        )
        .await
        .unwrap()
        .unwrap();
        // The retry of a maybe-sent timeout waits the queue's backoff; make it due now.
        let c = conn.clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c.clone();
                async move {
                    effect_for(&c, "awb:#2002")
                        .await
                        .is_some_and(|e| e.state == "unknown")
                }
            })
            .await
        );
        make_due(&conn, id).await;
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c.clone();
                async move {
                    effect_for(&c, "awb:#2002")
                        .await
                        .is_some_and(|e| e.state == "succeeded")
                }
            })
            .await,
            "{backend:?}"
        );
        assert_eq!(courier.awbs.lock().unwrap().len(), 1);
        app.stop().await;

        // A courier that cannot be searched: the unknown effect is parked for a person.
        let db = TestDb::new(backend).await;
        let blind = Arc::new(FakeCourier {
            searchable: false,
            lose_next_answer: AtomicBool::new(true),
            ..Default::default()
        });
        let handler = Arc::new(CreateAwb {
            courier: blind.clone(),
            die_after_call: AtomicBool::new(false),
        });
        let app = spawn_app(&db, vec![handler]).await;
        let conn = app.state().db.clone();
        let tenant = TenantId(
            ensure_tenant(&conn, TenantKind::Shop, "blind.myshopify.com", "Blind")
                .await
                .unwrap()
                .id,
        );
        let id = enqueue(
            &conn,
            NewJob::new("test.create_awb", json!({"order": "#3003"})).tenant(tenant),
        )
        .await
        .unwrap()
        .unwrap();
        let c = conn.clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c.clone();
                async move {
                    effect_for(&c, "awb:#3003")
                        .await
                        .is_some_and(|e| e.state == "unknown")
                }
            })
            .await
        );
        make_due(&conn, id).await;
        assert!(
            eventually(Duration::from_secs(10), || {
                let c = c.clone();
                async move {
                    effect_for(&c, "awb:#3003")
                        .await
                        .is_some_and(|e| e.state == "parked")
                }
            })
            .await,
            "{backend:?}"
        );
        let parked = effect_for(&conn, "awb:#3003").await.unwrap();
        assert!(parked.last_error.unwrap().contains("cannot be searched"));
        let job = job::Entity::find_by_id(id)
            .one(&conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.state, "parked");
        assert_eq!(blind.awbs.lock().unwrap().len(), 1, "never a second AWB");
        app.stop().await;
    }
}

async fn make_due(db: &sea_orm::DatabaseConnection, id: uuid::Uuid) {
    use sea_orm::{ActiveModelTrait, Set};
    let row = job::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
    if row.state == "queued" {
        let mut active: job::ActiveModel = row.into();
        active.run_at = Set(chrono::Utc::now());
        active.update(db).await.unwrap();
    }
}

#[tokio::test]
async fn two_workers_racing_on_one_effect_perform_it_once() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mut settings = db.settings();
        settings.worker.enabled = false;
        let app = crate::common::spawn_app_with(settings, vec![]).await;
        let state = app.state().clone();
        let tenant = TenantId(
            ensure_tenant(&state.db, TenantKind::Shop, "race.myshopify.com", "Race")
                .await
                .unwrap()
                .id,
        );
        let spec = EffectSpec {
            tenant,
            kind: "awb",
            provider: "fake",
            idempotency_key: "awb:#4004".into(),
            request: json!({}),
        };
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let attempt = || {
            let state = state.clone();
            let spec = spec.clone();
            let calls = calls.clone();
            async move {
                state
                    .effects
                    .run(
                        &spec,
                        || Reconcile::Impossible,
                        || async move {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(300)).await;
                            Ok(EffectOutcome {
                                provider_reference: "AWB9".into(),
                                details: json!({}),
                            })
                        },
                    )
                    .await
            }
        };
        let (a, b) = tokio::join!(attempt(), attempt());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "{backend:?}: performed once"
        );
        let (ok, busy) = if a.is_ok() { (a, b) } else { (b, a) };
        assert_eq!(ok.unwrap().provider_reference, "AWB9");
        match busy.unwrap_err() {
            flux_orchestrator::effects::EffectError::Provider(e) => {
                assert!(e.is_retryable() && e.retry_after().is_some(), "{e}");
            }
            other => panic!("expected a retryable in-progress error, got {other}"),
        }
        // Once it happened, a later attempt returns the recorded outcome without a call.
        let again = attempt().await.unwrap();
        assert_eq!(again.provider_reference, "AWB9");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        app.stop().await;
    }
}
