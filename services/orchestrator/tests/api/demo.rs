//! `flux demo` in process, checked against the simulators' own state (nothing duplicated,
//! nothing missing):
//!
//! - a small demo day carried to delivery through outages (503s) at two couriers and then
//!   at the invoicing platform, with the FluxOrders distributor beside it (customers and
//!   items synced with the QuickBooks simulator, estimates and invoices created there);
//! - a demo day whose answers get lost after the effect happened, at a courier (Cargus) and
//!   at the invoicing platform (Oblio): still exactly one AWB, invoice and fulfillment per
//!   order.

use std::collections::HashMap;
use std::time::Duration;

use flux_orchestrator::demo::{Demo, DemoConfig, DemoInvoicer, SHOP, Summary};
use flux_orchestrator::entity::{effect, job};
use flux_sandbox::quickbooks::{Kind, US_REALM};
use flux_sandbox::{FaultPlan, Provider};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::{Backend, TestDb, backends};

const ORDERS: usize = 12;
const B2B_ORDERS: usize = 6;

fn config(db: &TestDb) -> DemoConfig {
    DemoConfig {
        orders: ORDERS,
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: db.data_dir.clone(),
        database_url: Some(db.url.clone()),
        invoicer: DemoInvoicer::Oblio,
        // As `flux demo`: at 600x a client timeout of 30 s is five simulated hours, which
        // expires every provider token (one simulated hour) a retry would use.
        speed: 60,
        seed: 7,
        b2b_orders: B2B_ORDERS,
        faults: Vec::new(),
        progress: false,
        // Only how long the demo waits before giving up (a lost answer costs a client
        // timeout of 20 to 30 s); the assertions below are about counts, never time.
        patience: Duration::from_secs(300),
    }
}

/// Runs the demo day beside `side` (fault injection that waits for the day to reach some
/// point). A day that fails ends the test with its error, instead of leaving `side`
/// waiting for a point the day will never reach.
async fn run_beside<T>(
    backend: Backend,
    demo: &Demo,
    side: impl std::future::Future<Output = T>,
) -> (Summary, T) {
    let run = demo.run();
    tokio::pin!(run, side);
    let failed = |e| -> Summary { panic!("{backend:?}: the demo day failed: {e}") };
    tokio::select! {
        summary = &mut run => {
            let summary = summary.unwrap_or_else(failed);
            let t = tokio::time::timeout(Duration::from_secs(60), side)
                .await
                .unwrap_or_else(|_| panic!("{backend:?}: the day ended before its faults did"));
            (summary, t)
        }
        t = &mut side => (run.await.unwrap_or_else(failed), t),
    }
}

/// Every call fails with a 503 before it has any effect.
fn down() -> FaultPlan {
    FaultPlan {
        error_per_mille: 1000,
        ..FaultPlan::default()
    }
}

/// Waits until an attempt of one of `provider`'s effects has failed (bounded, so a demo
/// that makes no such call fails its assertions instead of hanging).
async fn until_an_attempt_failed(demo: &Demo, provider: &str) {
    for _ in 0..1200 {
        let failed = effect::Entity::find()
            .filter(effect::Column::Provider.eq(provider))
            .filter(effect::Column::LastError.is_not_null())
            .all(&demo.app().state().db)
            .await
            .unwrap();
        if !failed.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The outages, once the shop is set up and the first order is placed: Cargus and
/// Sameday until an AWB attempt has failed (the AWB jobs fail and are retried), then
/// Oblio until an invoice attempt has failed (the invoice is retried).
async fn outages(demo: &Demo) {
    let faults = &demo.sandbox().shared().faults;
    while demo.sandbox().sims().shopify.order_count(SHOP) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    faults.set(Provider::Cargus.id(), down());
    faults.set(Provider::Sameday.id(), down());
    until_an_attempt_failed(demo, "sameday").await;
    faults.clear(Provider::Cargus.id());
    faults.clear(Provider::Sameday.id());
    faults.set(Provider::Oblio.id(), down());
    until_an_attempt_failed(demo, "oblio").await;
    faults.clear(Provider::Oblio.id());
}

/// The checks every demo day must pass, against the simulators: every order fulfilled
/// exactly once and delivered, one live AWB per order in all, one invoice per order.
async fn assert_once_per_order(backend: Backend, demo: &Demo, summary: &Summary) {
    let sims = demo.sandbox().sims();

    // The Shopify simulator: every order fulfilled exactly once, and delivered.
    let orders = sims.shopify.orders(SHOP);
    assert_eq!(orders.len(), ORDERS, "{backend:?}");
    let mut fulfillments: HashMap<String, usize> = HashMap::new();
    for f in sims.shopify.fulfillments(SHOP) {
        assert_eq!(
            f.events.last().map(String::as_str),
            Some("DELIVERED"),
            "{backend:?}: {} was not delivered: {:?}",
            f.name,
            f.events
        );
        assert_eq!(f.tracking.len(), 1, "{backend:?}: {}", f.name);
        *fulfillments.entry(f.order_id).or_default() += 1;
    }
    for o in &orders {
        assert_eq!(
            fulfillments.get(&o.id),
            Some(&1),
            "{backend:?}: fulfillments of {}",
            o.name
        );
        // Cards were paid at checkout; COD orders were marked paid on delivery.
        assert_eq!(o.financial_status, "PAID", "{backend:?}: {}", o.name);
    }
    assert!(
        orders.iter().any(|o| o.cash_on_delivery) && orders.iter().any(|o| !o.cash_on_delivery)
    );

    // The couriers: exactly one live AWB per order in all.
    let fan = sims.fancourier.awbs().iter().filter(|a| !a.deleted).count();
    let cargus = sims.cargus.awbs().iter().filter(|a| !a.deleted).count();
    let sameday = sims.sameday.awbs().len();
    let gls = sims.gls.parcels().len();
    assert_eq!(
        fan + cargus + sameday + gls,
        ORDERS,
        "{backend:?}: {fan} {cargus} {sameday} {gls}"
    );
    assert!(
        cargus > 0 && sameday > 0 && gls > 0,
        "{backend:?}: the rules spread the orders: {fan} {cargus} {sameday} {gls}"
    );

    // The invoicing platform: one invoice per order.
    let invoices: Vec<_> = sims
        .oblio
        .documents()
        .into_iter()
        .filter(|d| d.kind == flux_sandbox::oblio::DocType::Invoice)
        .collect();
    assert_eq!(invoices.len(), ORDERS, "{backend:?}");

    // The summary reports exactly what the simulators hold.
    assert!(summary.complete(), "{backend:?}: {summary}");
    assert_eq!(summary.orders_in_shopify, ORDERS);
    assert_eq!(summary.awbs["cargus"].at_courier, cargus);
    assert_eq!(summary.awbs["sameday"].at_courier, sameday);
    assert_eq!(summary.awbs["gls"].at_courier, gls);
    assert_eq!(summary.awbs["fancourier"].at_courier, fan);
    assert_eq!(summary.invoices_at_platform, ORDERS);
    assert_eq!(summary.delivered_in_shopify, ORDERS);
    assert_eq!(summary.parked_jobs, 0, "{backend:?}");
}

/// Providers whose effects needed more than one attempt.
async fn retried_providers(demo: &Demo) -> Vec<String> {
    effect::Entity::find()
        .filter(effect::Column::Attempts.gt(1))
        .all(&demo.app().state().db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.provider)
        .collect()
}

async fn demo_day(backend: Backend) {
    let db = TestDb::new(backend).await;
    let demo = Demo::start(config(&db)).await.unwrap();
    let (summary, ()) = run_beside(backend, &demo, outages(&demo)).await;
    eprintln!("{backend:?}: {summary}");
    assert_once_per_order(backend, &demo, &summary).await;

    // The outages did hit effectful calls, which were retried without duplicates.
    let retried = retried_providers(&demo).await;
    for provider in ["sameday", "oblio"] {
        assert!(
            retried.iter().any(|p| p == provider),
            "{backend:?}: no {provider} effect needed a second attempt: {retried:?}"
        );
    }

    // FluxOrders: what the database says equals what the QuickBooks simulator holds.
    let qb = &demo.sandbox().sims().quickbooks;
    let o = summary
        .flux_orders
        .clone()
        .expect("the FluxOrders half ran");
    let active = |v: &serde_json::Value| v["Active"] != serde_json::Value::Bool(false);
    let qb_customers = qb.customers(US_REALM).into_iter().filter(active).count();
    let qb_items = qb
        .records(US_REALM, Kind::Item)
        .into_iter()
        .filter(active)
        .count();
    let estimates = qb.estimates(US_REALM);
    let invoices = qb.invoices(US_REALM);
    assert_eq!(o.users, 3, "{backend:?}: owner, admin, sales rep");
    assert_eq!(
        o.groups, 2,
        "{backend:?}: one made by hand, one by the import"
    );
    assert_eq!(o.orders, B2B_ORDERS, "{backend:?}");
    assert_eq!(o.orders_with_po, B2B_ORDERS, "{backend:?}");
    assert_eq!(o.failed, 0, "{backend:?}: {o:?}");
    // Half estimates, then (after the switch to invoicing) the rest invoices; one each.
    assert_eq!(estimates.len(), B2B_ORDERS / 2, "{backend:?}");
    assert_eq!(invoices.len(), B2B_ORDERS - B2B_ORDERS / 2, "{backend:?}");
    assert_eq!(o.estimates_in_flux, estimates.len(), "{backend:?}");
    assert_eq!(o.invoices_in_flux, invoices.len(), "{backend:?}");
    // Every estimate and invoice carries its order's PO number (in the private note: the
    // company defines no PO custom field), each a different one.
    let mut pos: Vec<String> = estimates
        .iter()
        .chain(invoices.iter())
        .filter_map(|d| {
            d["PrivateNote"]
                .as_str()
                .and_then(|n| n.lines().next())
                .and_then(|l| l.strip_prefix("PO PO-"))
                .map(str::to_owned)
        })
        .collect();
    pos.sort();
    pos.dedup();
    assert_eq!(
        pos.len(),
        B2B_ORDERS,
        "{backend:?}: PO numbers {pos:?} in {estimates:?}"
    );
    // Customers and items: every active QuickBooks record is linked in Flux.
    assert_eq!(o.customers_in_quickbooks, qb_customers, "{backend:?}");
    assert_eq!(o.customers_linked, qb_customers, "{backend:?}: {o:?}");
    assert_eq!(o.items_in_quickbooks, qb_items, "{backend:?}");
    assert_eq!(o.products_linked, qb_items, "{backend:?}: {o:?}");
    assert!(
        o.customers_in_flux >= 6 + 4,
        "{backend:?}: the imported list and the company's customers: {o:?}"
    );
    // The admin's API token works for the FluxOrders API.
    let token = demo.orders_api_token().expect("an API token").clone();
    let http = flux_http::HttpClient::builder("demo-test")
        .base_url(demo.base_url())
        .build()
        .unwrap();
    let res = http
        .get("orders-api/v1/orders?limit=100")
        .bearer(&token)
        .send_raw()
        .await
        .unwrap();
    assert!(res.is_success(), "{backend:?}: {}", res.text());
    let listed: serde_json::Value = res.json().unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(B2B_ORDERS));
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn demo_day_reaches_delivery_once_per_order_despite_faults() {
    futures::future::join_all(backends().into_iter().map(demo_day)).await;
}

/// Every effectful call's answer is lost (the connection hangs past the client's
/// timeout, after the effect happened) until the simulator holds one such effect.
fn lost_answers() -> FaultPlan {
    FaultPlan {
        drop_after_effect_per_mille: 1000,
        // Longer than the Cargus (20 s) and Oblio (30 s) client timeouts.
        hang: Duration::from_secs(45),
        ..FaultPlan::default()
    }
}

/// Ends the lost answers at QuickBooks once it holds a record the demo created, at Cargus
/// once it holds an AWB, at Oblio once it holds an invoice; returns what each held then.
async fn lose_answers_once(demo: &Demo) -> (usize, usize, usize) {
    let sims = demo.sandbox().sims();
    let faults = &demo.sandbox().shared().faults;
    let qb = &sims.quickbooks;
    let seeded = qb.customers(US_REALM).len();
    let quickbooks = async {
        loop {
            let n = qb.customers(US_REALM).len() - seeded
                + qb.estimates(US_REALM).len()
                + qb.invoices(US_REALM).len();
            if n > 0 {
                faults.clear(Provider::QuickBooks.id());
                return n;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    let cargus = async {
        loop {
            let n = sims.cargus.awbs().len();
            if n > 0 {
                faults.clear(Provider::Cargus.id());
                return n;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    let oblio = async {
        loop {
            let n = sims
                .oblio
                .documents()
                .iter()
                .filter(|d| d.kind == flux_sandbox::oblio::DocType::Invoice)
                .count();
            if n > 0 {
                faults.clear(Provider::Oblio.id());
                return n;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::join!(quickbooks, cargus, oblio)
}

async fn lost_answer_day(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut config = config(&db);
    config.b2b_orders = 2;
    config.seed = 11;
    config.faults = vec![
        (Provider::QuickBooks, lost_answers()),
        (Provider::Cargus, lost_answers()),
        (Provider::Oblio, lost_answers()),
    ];
    let demo = Demo::start(config).await.unwrap();
    let (summary, (qb_then, cargus_then, oblio_then)) =
        run_beside(backend, &demo, lose_answers_once(&demo)).await;
    eprintln!("{backend:?}: {summary}");
    assert!(qb_then >= 1 && cargus_then >= 1 && oblio_then >= 1);

    // QuickBooks: one estimate and one invoice for the two orders, and no customer
    // created twice (every active QuickBooks customer is linked to one in Flux).
    let qb = &demo.sandbox().sims().quickbooks;
    let o = summary
        .flux_orders
        .clone()
        .expect("the FluxOrders half ran");
    assert_eq!(qb.estimates(US_REALM).len(), 1, "{backend:?}");
    assert_eq!(qb.invoices(US_REALM).len(), 1, "{backend:?}");
    assert_eq!(o.estimates_in_flux + o.invoices_in_flux, 2, "{backend:?}");
    assert_eq!(
        o.customers_linked, o.customers_in_quickbooks,
        "{backend:?}: {o:?}"
    );
    assert_once_per_order(backend, &demo, &summary).await;

    // The lost AWB was found again by our reference on a later attempt of its effect, not
    // created twice. (The lost invoice needs no second attempt of the effect: its POST
    // carries Oblio's idempotency key, so the HTTP client sends it again at once and Oblio
    // answers with the first document; the counts above show it was issued once.)
    let retried = retried_providers(&demo).await;
    assert!(
        retried.iter().any(|p| p == "cargus"),
        "{backend:?}: no Cargus effect needed a second attempt: {retried:?}"
    );
    let stuck = job::Entity::find()
        .filter(job::Column::State.is_in(["parked", "failed"]))
        .all(&demo.app().state().db)
        .await
        .unwrap();
    assert!(stuck.is_empty(), "{backend:?}: {stuck:?}");
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn demo_day_survives_answers_lost_after_the_effect() {
    futures::future::join_all(backends().into_iter().map(lost_answer_day)).await;
}
