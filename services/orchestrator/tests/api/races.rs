//! Lost updates between concurrent jobs and requests: one side holds its transaction
//! open, the other starts meanwhile, and the result after both commit must be the one a
//! serial run gives. They connect with `db::connect` + `db::migrate` and no running
//! application where they can (its workers would take SQLite's write lock at random).

use std::time::Duration;

use chrono::Utc;
use flux_orchestrator::tenancy::{TenantId, TenantKind, ensure_tenant};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{TestDb, backends, spawn_app};
use crate::orders_support::{api, call, customer, order, organization, product};

/// How long the open transaction waits before it commits, so the other side is blocked.
const HOLD: Duration = Duration::from_millis(300);

async fn fresh(db: &TestDb) -> DatabaseConnection {
    let conn = flux_orchestrator::db::connect(&db.url, 4).await.unwrap();
    flux_orchestrator::db::migrate(&conn).await.unwrap();
    conn
}

async fn tenant(conn: &DatabaseConnection, kind: TenantKind, key: &str) -> TenantId {
    TenantId(ensure_tenant(conn, kind, key, "Race").await.unwrap().id)
}

/// SQLite: a transaction that could not take the write lock failed; its job runs again
/// (`JobError::Contended`). Runs `f` until it does not meet a busy database.
async fn as_a_job<F, Fut, T>(mut f: F) -> Result<T, DbErr>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DbErr>>,
{
    loop {
        match f().await {
            Err(e) if e.to_string().contains("database is locked") => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

fn shop_order(
    cancelled: bool,
    updated_minute: u32,
) -> (Value, flux_shopify::webhooks::OrderWebhook) {
    let raw = json!({
        "id": 7001, "admin_graphql_api_id": "gid://shopify/Order/7001",
        "name": "#1001", "email": "ana@example.ro", "currency": "RON",
        "financial_status": "paid", "payment_gateway_names": ["manual"], "taxes_included": true,
        "total_price": "134.90", "total_weight": 1500,
        "shipping_address": {"name": "Ana Pop", "address1": "Str. Memorandumului 28", "city": "Cluj-Napoca",
            "province": "Cluj", "zip": "400114", "country_code": "RO", "phone": "0722123456"},
        "line_items": [{"id": 1, "title": "Tricou", "sku": "TR-1", "quantity": 2, "price": "59.95", "grams": 750,
            "tax_lines": [{"title": "TVA", "price": "20.81", "rate": "0.21"}]}],
        "created_at": "2026-11-20T10:00:00+02:00",
        "updated_at": format!("2026-11-20T10:{updated_minute:02}:00+02:00"),
        "cancelled_at": cancelled.then_some("2026-11-20T10:05:00+02:00"),
    });
    let parsed = serde_json::from_value(raw.clone()).unwrap();
    (raw, parsed)
}

fn issued_invoice(
    tenant: TenantId,
    order_id: Uuid,
) -> flux_orchestrator::sales::entity::invoice::ActiveModel {
    let now = Utc::now();
    flux_orchestrator::sales::entity::invoice::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        order_id: Set(order_id),
        provider: Set("oblio".into()),
        kind: Set("invoice".into()),
        series: Set("FCT".into()),
        number: Set("1".into()),
        link: Set(None),
        status: Set("issued".into()),
        total: Set(Some("134.90".into())),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// The invoice job issued the invoice from a read of the order taken before the call;
/// the order's cancellation is stored meanwhile and finds no invoice to reverse. When the
/// invoice is recorded, its storno must be enqueued (otherwise a cancelled order keeps a
/// valid tax invoice).
#[tokio::test]
async fn an_invoice_recorded_while_its_order_is_cancelled_gets_its_storno() {
    use flux_orchestrator::entity::job;
    use flux_orchestrator::sales::invoicing::record_invoice;
    use flux_orchestrator::sales::orders::{automate, upsert_from_webhook};
    use flux_orchestrator::sales::settings::SettingsDoc;

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let conn = fresh(&db).await;
        let tenant = tenant(&conn, TenantKind::Shop, "race-invoice.myshopify.com").await;
        let (raw, placed) = shop_order(false, 0);
        let row = upsert_from_webhook(&conn, tenant, raw, &placed)
            .await
            .unwrap();

        // The cancellation is stored (as `webhooks::store_order` does) and stays open.
        let cancel = conn.begin().await.unwrap();
        let (raw, cancelled) = shop_order(true, 5);
        let stored = upsert_from_webhook(&cancel, tenant, raw, &cancelled)
            .await
            .unwrap();
        assert!(stored.cancelled);
        automate(
            &cancel,
            tenant,
            &SettingsDoc::default(),
            &stored,
            false,
            true,
        )
        .await
        .unwrap();
        // Meanwhile the invoice job records the invoice it issued.
        let c = conn.clone();
        let order_id = row.id;
        let record = tokio::spawn(async move {
            as_a_job(|| record_invoice(&c, tenant, order_id, issued_invoice(tenant, order_id)))
                .await
        });
        tokio::time::sleep(HOLD).await;
        cancel.commit().await.unwrap();
        record.await.unwrap().unwrap();

        let storno = job::Entity::find()
            .filter(job::Column::JobKey.eq(format!("sales.storno:{order_id}")))
            .one(&conn)
            .await
            .unwrap();
        assert!(
            storno.is_some(),
            "the cancelled order's invoice is reversed ({backend:?})"
        );
    }
}

/// Tracking marks the shipment delivered and recomputes the order's status while the
/// invoice job records an invoice and recomputes it too, from a read that predates the
/// delivery: the status computed last must not be the stale one.
#[tokio::test]
async fn a_status_computed_from_an_older_read_never_lands_last() {
    use flux_orchestrator::sales::entity::{order, shipment};
    use flux_orchestrator::sales::orders::{set_status, upsert_from_webhook};

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let conn = fresh(&db).await;
        let tenant = tenant(&conn, TenantKind::Shop, "race-status.myshopify.com").await;
        let (raw, placed) = shop_order(false, 0);
        let row = upsert_from_webhook(&conn, tenant, raw, &placed)
            .await
            .unwrap();
        let now = Utc::now();
        let ship = shipment::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            order_id: Set(row.id),
            account_id: Set(None),
            provider: Set("cargus".into()),
            awb: Set("AWB1".into()),
            generation: Set(0),
            service: Set(None),
            cod_amount: Set(None),
            price: Set(None),
            locker_id: Set(None),
            status: Set("active".into()),
            tracking_status: Set("pending".into()),
            events: Set(json!([])),
            fulfillment_id: Set(None),
            cod_paid: Set(false),
            delivered_at: Set(None),
            cancelled_at: Set(None),
            last_tracked_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&conn)
        .await
        .unwrap();
        set_status(&conn, tenant, row.id).await.unwrap();

        // Tracking: the shipment is delivered, the status recomputed; not committed yet.
        let track = conn.begin().await.unwrap();
        let mut a: shipment::ActiveModel = ship.into();
        a.tracking_status = Set("delivered".into());
        a.update(&track).await.unwrap();
        let delivered = set_status(&track, tenant, row.id).await.unwrap();
        assert_eq!(delivered.status, "delivered");
        // Meanwhile the invoice job records its invoice and recomputes the status.
        let c = conn.clone();
        let order_id = row.id;
        let invoiced = tokio::spawn(async move {
            as_a_job(|| async {
                issued_invoice(tenant, order_id).insert(&c).await?;
                set_status(&c, tenant, order_id).await
            })
            .await
        });
        tokio::time::sleep(HOLD).await;
        track.commit().await.unwrap();
        invoiced.await.unwrap().unwrap();

        let stored = order::Entity::find_by_id(row.id)
            .one(&conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.status, "delivered",
            "the delivery is not overwritten ({backend:?})"
        );
    }
}

/// The QuickBooks push created an invoice for a confirmed order; staff cancelled the order
/// meanwhile. Recording the document must keep the cancellation (and the document's id).
#[tokio::test]
async fn a_document_recorded_after_a_cancellation_keeps_it() {
    use flux_core::accounting::AccountingDocumentKind;
    use flux_orchestrator::orders::entity::{customer, order};
    use flux_orchestrator::orders::jobs::record_document;

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let conn = fresh(&db).await;
        let tenant = tenant(&conn, TenantKind::Organization, "race-push").await;
        let now = Utc::now();
        let buyer = customer::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            group_id: Set(None),
            name: Set("Prairie Farms".into()),
            contact_name: Set(None),
            email: Set(None),
            phone: Set(None),
            notes: Set(None),
            qb_id: Set(Some("58".into())),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&conn)
        .await
        .unwrap();
        let confirmed = order::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            customer_id: Set(buyer.id),
            placed_by: Set(None),
            status: Set("confirmed".into()),
            po_number: Set(None),
            shipping_instructions: Set(None),
            notes: Set(None),
            currency: Set("USD".into()),
            total: Set("50".into()),
            qb_estimate_id: Set(None),
            qb_invoice_id: Set(None),
            qb_doc_number: Set(None),
            qb_error: Set(None),
            submitted_at: Set(Some(now)),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&conn)
        .await
        .unwrap();

        // Staff cancel the confirmed order (compare-and-set, as the API does); not
        // committed yet.
        let cancel = conn.begin().await.unwrap();
        let res = order::Entity::update_many()
            .filter(order::Column::Id.eq(confirmed.id))
            .filter(order::Column::Status.eq("confirmed"))
            .col_expr(order::Column::Status, "cancelled".into())
            .exec(&cancel)
            .await
            .unwrap();
        assert_eq!(res.rows_affected, 1);
        // Meanwhile the push records the invoice it created from its earlier read.
        let c = conn.clone();
        let read = confirmed.clone();
        let push = tokio::spawn(async move {
            as_a_job(|| {
                record_document(
                    &c,
                    &read,
                    AccountingDocumentKind::Invoice,
                    "130",
                    Some("1038".into()),
                )
            })
            .await
        });
        tokio::time::sleep(HOLD).await;
        cancel.commit().await.unwrap();
        push.await.unwrap().unwrap();

        let stored = order::Entity::find_by_id(confirmed.id)
            .one(&conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.status, "cancelled",
            "the cancellation stays ({backend:?})"
        );
        assert_eq!(stored.qb_invoice_id.as_deref(), Some("130"));
    }
}

/// A draft is changed while it is being submitted: the change must not land on the
/// submitted order (its lines and total are what staff confirm and QuickBooks bills).
#[tokio::test]
async fn a_draft_change_racing_its_submission_is_refused() {
    use flux_orchestrator::orders::entity::order;

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "race-draft").await;
        let c = customer(&http, &owner, "Prairie Farms").await;
        let p = product(&http, &owner, "OAT-5", "12.50").await;
        let o = order(&http, &owner, &c, &p, "4").await;
        let id: Uuid = o["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(o["total"], "50");

        // The submission (compare-and-set on the status, as the API does), not committed.
        let db_conn = app.state().db.clone();
        let submit = db_conn.begin().await.unwrap();
        let res = order::Entity::update_many()
            .filter(order::Column::Id.eq(id))
            .filter(order::Column::Status.eq("draft"))
            .col_expr(order::Column::Status, "submitted".into())
            .exec(&submit)
            .await
            .unwrap();
        assert_eq!(res.rows_affected, 1);
        let path = format!("orders-api/v1/orders/{id}");
        let change = call(
            &http,
            "PATCH",
            &path,
            Some(&owner),
            Some(json!({"items": [{"product_id": p, "quantity": "40"}]})),
        );
        let commit = async {
            tokio::time::sleep(HOLD).await;
            submit.commit().await.unwrap();
        };
        let (res, ()) = tokio::join!(change, commit);
        assert_eq!(
            res.status().as_u16(),
            409,
            "a submitted order does not change ({backend:?}): {}",
            res.text()
        );
        let stored = order::Entity::find_by_id(id)
            .one(&db_conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, "submitted");
        assert_eq!(
            stored.total, "50",
            "the submitted total stays ({backend:?})"
        );
        app.stop().await;
    }
}

/// Two retries of one parked job (two webhooks of an order whose AWB job was parked): the
/// first requeues it and a worker claims it; the second, which read it parked, must not
/// put the running job back in the queue for a second worker.
#[tokio::test]
async fn a_retry_racing_a_claim_does_not_requeue_a_running_job() {
    use flux_orchestrator::entity::job;
    use flux_orchestrator::jobs::NewJob;
    use flux_orchestrator::jobs::queue::{self, JobActionError};

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let conn = fresh(&db).await;
        let lease = Duration::from_secs(60);
        let id = queue::enqueue(&conn, NewJob::new("race.test", json!({})).key("race:1"))
            .await
            .unwrap()
            .unwrap();
        let claimed = queue::claim(&conn, "w0", 10, lease).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(queue::park(&conn, id, "w0", "gave up").await.unwrap());

        // The first retry, and a worker claiming the job, not committed yet.
        let first = conn.begin().await.unwrap();
        queue::retry(&first, id).await.unwrap();
        let claimed = queue::claim(&first, "w1", 10, lease).await.unwrap();
        assert_eq!(claimed.len(), 1);
        // Meanwhile the second retry.
        let c = conn.clone();
        let second = tokio::spawn(async move { queue::retry(&c, id).await });
        tokio::time::sleep(HOLD).await;
        first.commit().await.unwrap();
        match second.await.unwrap() {
            Err(JobActionError::WrongState { .. }) => {}
            other => panic!("the second retry must be refused ({backend:?}): {other:?}"),
        }
        let stored = job::Entity::find_by_id(id)
            .one(&conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.state, "running", "{backend:?}");
        assert_eq!(stored.locked_by.as_deref(), Some("w1"));
    }
}

/// An admin demotes a user while another admin changes the same user's name: the name
/// change must not write the role it read back (restoring the revoked role).
#[tokio::test]
async fn a_profile_edit_racing_a_demotion_keeps_the_demotion() {
    use crate::orders_support::user;
    use flux_orchestrator::orders::entity::user as user_entity;

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "race-role").await;
        let admin = user(&http, &owner, "admin", None).await;
        let id: Uuid = admin.id.parse().unwrap();

        // The demotion (as `update_user` writes it), not committed yet.
        let db_conn = app.state().db.clone();
        let demote = db_conn.begin().await.unwrap();
        user_entity::Entity::update_many()
            .filter(user_entity::Column::Id.eq(id))
            .col_expr(user_entity::Column::Role, "staff".into())
            .exec(&demote)
            .await
            .unwrap();
        let path = format!("orders-api/v1/users/{id}");
        let rename = call(
            &http,
            "PATCH",
            &path,
            Some(&owner),
            Some(json!({"name": "Ada Admin"})),
        );
        let commit = async {
            tokio::time::sleep(HOLD).await;
            demote.commit().await.unwrap();
        };
        let (res, ()) = tokio::join!(rename, commit);
        assert!(res.status().is_success(), "{}", res.text());
        let stored = user_entity::Entity::find_by_id(id)
            .one(&db_conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.name, "Ada Admin");
        assert_eq!(stored.role, "staff", "the demotion stays ({backend:?})");
        app.stop().await;
    }
}

/// The purge listed a shop whose deletion was due; the merchant re-installs before the
/// purge reaches it. The re-installed shop must keep its data.
#[tokio::test]
async fn a_shop_reinstalled_while_the_purge_runs_is_not_erased() {
    use flux_orchestrator::entity::tenant as tenant_entity;
    use flux_orchestrator::sales::privacy::erase_if_due;

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let conn = fresh(&db).await;
        let tenant = tenant(&conn, TenantKind::Shop, "race-purge.myshopify.com").await;
        let (raw, placed) = shop_order(false, 0);
        flux_orchestrator::sales::orders::upsert_from_webhook(&conn, tenant, raw, &placed)
            .await
            .unwrap();
        let now = Utc::now();
        tenant_entity::Entity::update_many()
            .filter(tenant_entity::Column::Id.eq(tenant.0))
            .col_expr(tenant_entity::Column::Status, "uninstalled".into())
            .col_expr(
                tenant_entity::Column::DeletionDueAt,
                Some(now - chrono::Duration::minutes(1)).into(),
            )
            .exec(&conn)
            .await
            .unwrap();

        // The re-install (as `auth::record_install` writes the tenant), not committed yet.
        let install = conn.begin().await.unwrap();
        tenant_entity::Entity::update_many()
            .filter(tenant_entity::Column::Id.eq(tenant.0))
            .col_expr(tenant_entity::Column::Status, "active".into())
            .col_expr(
                tenant_entity::Column::DeletionDueAt,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .exec(&install)
            .await
            .unwrap();
        // Meanwhile the purge, which listed the shop as due, erases it.
        let c = conn.clone();
        let purge = tokio::spawn(async move { as_a_job(|| erase_if_due(&c, tenant, now)).await });
        tokio::time::sleep(HOLD).await;
        install.commit().await.unwrap();
        let erased = purge.await.unwrap().unwrap();

        assert!(!erased, "the re-installed shop is skipped ({backend:?})");
        assert!(
            tenant_entity::Entity::find_by_id(tenant.0)
                .one(&conn)
                .await
                .unwrap()
                .is_some()
        );
        let orders = flux_orchestrator::sales::entity::order::Entity::find()
            .all(&conn)
            .await
            .unwrap();
        assert_eq!(orders.len(), 1, "its orders stay ({backend:?})");
    }
}

/// Thirty wrong passwords sent at once: the lockout admits at most
/// `login_max_failures` (5) of them to the password check, not every guess that counted
/// the failures before any was recorded; five guesses in all, then even the right password
/// waits out the lockout.
#[tokio::test]
async fn parallel_wrong_passwords_get_no_more_guesses_than_the_lockout_allows() {
    use crate::orders_support::{PASSWORD, login};

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        organization(&http, "race-login").await;
        let guesses = (0..30).map(|i| {
            let http = http.clone();
            async move {
                login(
                    &http,
                    "race-login",
                    "owner@race-login.example",
                    &format!("wrong guess {i}"),
                )
                .await
                .status()
                .as_u16()
            }
        });
        let answers = futures::future::join_all(guesses).await;
        let checked = answers.iter().filter(|s| **s == 401).count();
        let refused = answers.iter().filter(|s| **s == 429).count();
        assert_eq!(checked + refused, 30, "{backend:?}: {answers:?}");
        assert!(
            checked <= 5,
            "{backend:?}: {checked} guesses reached the password check: {answers:?}"
        );
        // Guesses refused at the same moment can make others refuse too, so the burst may
        // use fewer than five; one at a time, the rest of the five are checked, no more.
        let mut later = 0;
        loop {
            let s = login(&http, "race-login", "owner@race-login.example", "one more")
                .await
                .status()
                .as_u16();
            if s == 429 {
                break;
            }
            assert_eq!(s, 401);
            later += 1;
            assert!(
                checked + later <= 5,
                "{backend:?}: a sixth guess was checked"
            );
        }
        assert_eq!(checked + later, 5, "{backend:?}: five guesses in all");
        let right = login(&http, "race-login", "owner@race-login.example", PASSWORD).await;
        assert_eq!(right.status().as_u16(), 429, "{backend:?}: locked out");
        app.stop().await;
    }
}
