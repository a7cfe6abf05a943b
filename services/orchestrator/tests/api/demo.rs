//! `flux demo` in process: a small demo day carried to delivery through outages (503s) at
//! two couriers and then at the invoicing platform, checked against the simulators' own
//! state (nothing duplicated, nothing missing).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use flux_orchestrator::demo::{Demo, DemoConfig, DemoInvoicer, SHOP};
use flux_orchestrator::entity::effect;
use flux_sandbox::{FaultPlan, Provider};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::{Backend, TestDb, backends};

const ORDERS: usize = 12;

fn config(db: &TestDb) -> DemoConfig {
    DemoConfig {
        orders: ORDERS,
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: db.data_dir.clone(),
        database_url: Some(db.url.clone()),
        invoicer: DemoInvoicer::Oblio,
        speed: 600,
        seed: 7,
        faults: Vec::new(),
        progress: false,
        patience: Duration::from_secs(45),
    }
}

/// Every call fails with a 503 before it has any effect.
fn down() -> FaultPlan {
    FaultPlan {
        error_per_mille: 1000,
        ..FaultPlan::default()
    }
}

/// The outages, once the shop is set up and the first order is placed: the couriers for
/// 3 s (the AWB jobs fail and are retried), then Oblio for 5 s (the first invoices fail
/// and are retried).
async fn outages(demo: &Demo) {
    let faults = &demo.sandbox().shared().faults;
    while demo.sandbox().sims().shopify.order_count(SHOP) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    faults.set(Provider::Cargus.id(), down());
    faults.set(Provider::Sameday.id(), down());
    tokio::time::sleep(Duration::from_secs(3)).await;
    faults.clear(Provider::Cargus.id());
    faults.clear(Provider::Sameday.id());
    faults.set(Provider::Oblio.id(), down());
    tokio::time::sleep(Duration::from_secs(5)).await;
    faults.clear(Provider::Oblio.id());
}

async fn demo_day(backend: Backend) {
    let db = TestDb::new(backend).await;
    let started = Instant::now();
    let demo = Demo::start(config(&db)).await.unwrap();
    let (summary, ()) = tokio::join!(demo.run(), outages(&demo));
    let summary = summary.unwrap();
    let sims = demo.sandbox().sims();
    eprintln!("{backend:?}: {summary}");

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
        cargus > 0 && sameday > 0,
        "{backend:?}: the rules spread the orders"
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

    // The outages did hit effectful calls, which were retried without duplicates.
    let retried: Vec<String> = effect::Entity::find()
        .filter(effect::Column::Attempts.gt(1))
        .all(&demo.app().state().db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.provider)
        .collect();
    for provider in ["sameday", "oblio"] {
        assert!(
            retried.iter().any(|p| p == provider),
            "{backend:?}: no {provider} effect needed a second attempt: {retried:?}"
        );
    }
    demo.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{backend:?}: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn demo_day_reaches_delivery_once_per_order_despite_faults() {
    futures::future::join_all(backends().into_iter().map(demo_day)).await;
}
