//! The FluxSales pipeline: N orders created in the sandbox shop arrive by signed
//! `orders/create` webhooks; flux creates the Cargus AWB, the Shopify fulfillment and the
//! SmartBill invoice of each (automation: AWB on creation, invoice on fulfillment), with
//! the sandbox adding a fixed latency to every provider call and enforcing the providers'
//! real rate limits. Measured: wall time from the first webhook to the last invoice, its
//! ratio to the lower bound the tightest limit allows, and rate-limit violations.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use flux_sandbox::Sandbox;
use serde::Serialize;
use serde_json::json;

use crate::Error;
use crate::flux::{Backend, Flux, FluxOptions, SHOP};

/// Options of the pipeline benchmark.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PipelineArgs {
    /// Orders to push through.
    #[arg(long, default_value_t = 1000)]
    orders: usize,
    /// Latency the sandbox adds to every provider call, milliseconds.
    #[arg(long, default_value_t = 100)]
    latency_ms: u64,
    /// `postgres` or `sqlite`.
    #[arg(long, default_value = "postgres")]
    database: String,
    /// PostgreSQL admin URL (flux gets a fresh database on this server).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// The release flux binary.
    #[arg(long, default_value = "target/release/flux")]
    flux_bin: PathBuf,
    /// Give up after this many seconds (default: four times the bound plus two minutes).
    #[arg(long)]
    timeout_secs: Option<u64>,
    /// flux's `RUST_LOG`.
    #[arg(long, default_value = "warn")]
    flux_log: String,
    /// Scratch directory (databases, logs).
    #[arg(long, default_value = "/tmp/flux-bench")]
    workdir: PathBuf,
}

/// The lower bound one provider's limit puts on the run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Bound {
    pub(crate) provider: String,
    pub(crate) limit: String,
    pub(crate) calls: u64,
    pub(crate) secs: f64,
}

/// The pipeline report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PipelineReport {
    pub(crate) orders: usize,
    pub(crate) latency_ms: u64,
    pub(crate) database: String,
    pub(crate) completed: bool,
    pub(crate) wall_secs: f64,
    pub(crate) awbs: i64,
    pub(crate) fulfillments: i64,
    pub(crate) invoices: i64,
    pub(crate) parked_jobs: i64,
    pub(crate) bounds: Vec<Bound>,
    /// The largest bound (the tightest limit).
    pub(crate) bound_secs: f64,
    /// wall time / bound (1.0 is perfect; within 95% of the bound means <= 1/0.95).
    pub(crate) ratio_to_bound: f64,
    pub(crate) violations: std::collections::BTreeMap<String, u64>,
    pub(crate) violations_total: u64,
    /// Per stage (AWBs, fulfillments, invoices): when its first and last item appeared,
    /// seconds from the first webhook (from the progress samples, 100 ms apart).
    pub(crate) stages: Vec<Stage>,
    /// Progress samples: (seconds, AWBs, fulfillments, invoices).
    pub(crate) progress: Vec<(f64, i64, i64, i64)>,
}

/// When one stage of the pipeline ran.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stage {
    pub(crate) stage: &'static str,
    pub(crate) first_secs: Option<f64>,
    pub(crate) last_secs: Option<f64>,
    pub(crate) count: i64,
}

/// A progress sample: (seconds, AWBs, fulfillments, invoices).
type Sample = (f64, i64, i64, i64);
/// A stage's name and its count in a sample.
type StageOf = (&'static str, fn(&Sample) -> i64);

fn stages(progress: &[Sample]) -> Vec<Stage> {
    let pick: [StageOf; 3] = [
        ("awb", |p| p.1),
        ("fulfillment", |p| p.2),
        ("invoice", |p| p.3),
    ];
    pick.iter()
        .map(|(stage, get)| {
            let count = progress.last().map_or(0, get);
            Stage {
                stage,
                first_secs: progress.iter().find(|p| get(p) > 0).map(|p| p.0),
                last_secs: progress
                    .iter()
                    .find(|p| count > 0 && get(p) == count)
                    .map(|p| p.0),
                count,
            }
        })
        .collect()
}

/// Lower bound of a sliding-window limit of `max` calls per `per`, for `calls` calls
/// that each take `latency`: the last call cannot start before window
/// `ceil(calls / max) - 1` opens.
fn window_bound(calls: u64, max: u64, per: Duration, latency: Duration) -> f64 {
    let windows = calls.div_ceil(max).saturating_sub(1);
    let per_secs = per.as_secs_f64();
    let windows = f64::from(u32::try_from(windows).unwrap_or(u32::MAX));
    windows * per_secs + latency.as_secs_f64()
}

/// Provider calls an order needs before its invoice can be issued: the Cargus login (the
/// first AWB of a run has no token yet) and `POST Awbs`, the fulfillment-order query and
/// `fulfillmentCreate`.
const CALLS_BEFORE_INVOICE: u32 = 4;

/// The bounds for `n` orders: one Cargus AWB call and one SmartBill invoice call per order
/// (both allowed only within their sliding windows; SmartBill cannot be searched, so an
/// invoice is exactly one `POST /invoice`), and the critical path of one order (Cargus
/// login, AWB, fulfillment order lookup, fulfillment, invoice: five provider calls).
/// SmartBill's window can only start once the first order reached it, so its bound adds
/// the calls before the first invoice.
pub(crate) fn bounds(n: usize, latency: Duration) -> Vec<Bound> {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    let (cargus_max, cargus_per) = (
        u64::try_from(flux_sandbox::cargus::RATE_LIMIT_CALLS).unwrap_or(u64::MAX),
        flux_sandbox::cargus::RATE_LIMIT_PERIOD,
    );
    let (sb_max, sb_per) = flux_sandbox::smartbill::LIMIT;
    let sb_max = u64::try_from(sb_max).unwrap_or(u64::MAX);
    vec![
        Bound {
            provider: "smartbill".into(),
            limit: format!("{sb_max} calls / {} s per account", sb_per.as_secs()),
            calls: n,
            secs: window_bound(n, sb_max, sb_per, latency)
                + latency.as_secs_f64() * f64::from(CALLS_BEFORE_INVOICE),
        },
        Bound {
            provider: "cargus".into(),
            limit: format!(
                "{cargus_max} calls / {} s per subscription key",
                cargus_per.as_secs()
            ),
            calls: n,
            secs: window_bound(n, cargus_max, cargus_per, latency),
        },
        Bound {
            provider: "critical path".into(),
            limit: "5 sequential provider calls of one order".into(),
            calls: u64::from(CALLS_BEFORE_INVOICE) + 1,
            secs: latency.as_secs_f64() * f64::from(CALLS_BEFORE_INVOICE + 1),
        },
    ]
}

async fn expect_ok(res: flux_http::Response, what: &str) -> Result<(), Error> {
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {} {}", res.status(), res.text()).into())
    }
}

/// Runs the pipeline benchmark.
pub(crate) async fn run(args: &PipelineArgs) -> Result<PipelineReport, Error> {
    std::fs::create_dir_all(&args.workdir)?;
    let latency = Duration::from_millis(args.latency_ms);
    let secret = "flux-bench-pipeline-secret";
    let sandbox = Sandbox::builder().latency(latency).start().await?;
    let shopify = sandbox.sims().shopify.clone();
    shopify.register_app(
        crate::flux::API_KEY,
        secret,
        flux_sandbox::shopify::DEFAULT_SCOPES,
    );
    shopify.create_shop(SHOP, "Bench shop");
    let backend = match args.database.as_str() {
        "sqlite" => Backend::Sqlite {
            path: args.workdir.join("flux-pipeline.sqlite"),
        },
        _ => Backend::Postgres {
            admin_url: args.postgres.clone(),
            db: "flux_bench_pipeline".into(),
        },
    };
    backend.reset().await?;
    let flux = Flux::start(FluxOptions {
        binary: &args.flux_bin,
        backend: &backend,
        secret,
        workdir: &args.workdir,
        sandbox: &sandbox,
        worker: true,
        max_connections: 10,
        log_filter: &args.flux_log,
    })
    .await?;
    let result = drive(args, &sandbox, &flux, secret, latency).await;
    flux.stop().await;
    sandbox.stop().await;
    let _ = backend.drop_db().await;
    result
}

async fn drive(
    args: &PipelineArgs,
    sandbox: &flux_sandbox::RunningSandbox,
    flux: &Flux,
    secret: &str,
    latency: Duration,
) -> Result<PipelineReport, Error> {
    let auth = flux.install(sandbox).await?;
    let http = flux.client()?;
    let res = http
        .post("/sales/v1/couriers")
        .header("Authorization", &auth)
        .json(&json!({
            "provider": "cargus",
            "username": flux_sandbox::cargus::DEFAULT_USERNAME,
            "password": flux_sandbox::cargus::DEFAULT_PASSWORD,
            "subscription_key": flux_sandbox::cargus::DEFAULT_SUBSCRIPTION_KEY,
            "config": {"location_id": flux_sandbox::cargus::DEFAULT_LOCATION_ID},
        }))
        .send_raw()
        .await?;
    expect_ok(res, "connecting Cargus").await?;
    let res = http
        .put("/sales/v1/invoicing")
        .header("Authorization", &auth)
        .json(&json!({
            "provider": "smartbill",
            "username": flux_sandbox::smartbill::DEFAULT_EMAIL,
            "api_secret": flux_sandbox::smartbill::DEFAULT_TOKEN,
            "company_cif": flux_sandbox::smartbill::DEFAULT_CIF,
            "series": "FCT",
        }))
        .send_raw()
        .await?;
    expect_ok(res, "connecting SmartBill").await?;
    let res = http
        .put("/sales/v1/settings")
        .header("Authorization", &auth)
        .json(&json!({
            "senders": [{"name": "Magazin SRL", "phone": "0740000000", "street": "Str. Fabricii 1",
                "locality": "Pitesti", "county": "Arges", "postal_code": "110001"}],
            "automation": {"awb_on": "created", "invoice_on": "fulfilled"}
        }))
        .send_raw()
        .await?;
    expect_ok(res, "saving the settings").await?;
    // Let the setup calls (SmartBill's series check) leave SmartBill's window.
    tokio::time::sleep(flux_sandbox::smartbill::LIMIT.1).await;

    let shopify = sandbox.sims().shopify.clone();
    let mut rng = fastrand_seed();
    let mut bodies = Vec::with_capacity(args.orders);
    for _ in 0..args.orders {
        let draft = flux_sandbox::shopify::OrderDraft::random(&mut rng);
        let order = shopify.create_order(SHOP, &draft)?;
        bodies.push(
            shopify
                .order_webhook_body(SHOP, &order.id)
                .ok_or("the sandbox lost an order")?,
        );
    }
    let target = format!("{}/sales/webhooks/shopify", flux.base());
    let bounds = bounds(args.orders, latency);
    let bound_secs = bounds.iter().map(|b| b.secs).fold(0.0, f64::max);
    let timeout = Duration::from_secs(
        args.timeout_secs
            .unwrap_or_else(|| 120 + 4 * bound_secs.ceil().clamp(0.0, 1e6) as u64),
    );

    let start = Instant::now();
    // Deliver the webhooks, 16 at a time, as Shopify would during a sales spike.
    let sends = deliver_all(&shopify, &target, secret, bodies);
    sends.await?;
    let n = i64::try_from(args.orders).unwrap_or(i64::MAX);
    let mut progress = Vec::new();
    let (mut awbs, mut fulfilled, mut invoices, mut parked);
    let completed = loop {
        awbs = flux.count("SELECT count(*) FROM sales_shipments").await?;
        fulfilled = flux
            .count("SELECT count(*) FROM sales_shipments WHERE fulfillment_id IS NOT NULL")
            .await?;
        invoices = flux
            .count("SELECT count(*) FROM sales_invoices WHERE kind = 'invoice'")
            .await?;
        // An order whose AWB or invoice the provider refused (a random sandbox address
        // a courier cannot place) is parked for a person: it is finished for this run.
        parked = flux
            .count("SELECT count(*) FROM jobs WHERE state = 'parked'")
            .await?;
        let t = start.elapsed().as_secs_f64();
        if progress
            .last()
            .is_none_or(|(_, a, f, i)| (*a, *f, *i) != (awbs, fulfilled, invoices))
        {
            progress.push((t, awbs, fulfilled, invoices));
        }
        if invoices + parked >= n && fulfilled + parked >= n {
            break true;
        }
        if start.elapsed() > timeout {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let wall_secs = start.elapsed().as_secs_f64();
    let parked_jobs = parked;
    let violations: std::collections::BTreeMap<String, u64> = sandbox
        .shared()
        .limits
        .all_violations()
        .into_iter()
        .collect();
    let violations_total = violations.values().sum();
    Ok(PipelineReport {
        orders: args.orders,
        latency_ms: args.latency_ms,
        database: args.database.clone(),
        completed,
        wall_secs,
        awbs,
        fulfillments: fulfilled,
        invoices,
        parked_jobs,
        ratio_to_bound: if bound_secs > 0.0 {
            wall_secs / bound_secs
        } else {
            0.0
        },
        bounds,
        bound_secs,
        violations,
        violations_total,
        stages: stages(&progress),
        progress,
    })
}

fn fastrand_seed() -> fastrand::Rng {
    fastrand::Rng::with_seed(0xF1_0C_BE_AC)
}

async fn deliver_all(
    shopify: &std::sync::Arc<flux_sandbox::shopify::Sim>,
    target: &str,
    secret: &str,
    bodies: Vec<Vec<u8>>,
) -> Result<(), Error> {
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for body in bodies {
        let permit = sem.clone().acquire_owned().await?;
        let (shopify, target, secret) = (shopify.clone(), target.to_owned(), secret.to_owned());
        tasks.spawn(async move {
            let r = shopify
                .send_webhook(&target, "orders/create", SHOP, &body, &secret)
                .await;
            drop(permit);
            r.map(|_| ()).map_err(|e| e.to_string())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok(())
}

/// The report as a table.
pub(crate) fn table(r: &PipelineReport) -> String {
    let mut s = format!(
        "Pipeline: {} orders, {} ms per provider call, flux on {}\n",
        r.orders, r.latency_ms, r.database
    );
    s.push_str(&format!(
        "completed: {}  wall: {:.1} s  AWBs: {}  fulfillments: {}  invoices: {}  parked jobs: {}\n",
        r.completed, r.wall_secs, r.awbs, r.fulfillments, r.invoices, r.parked_jobs
    ));
    s.push_str("bounds:\n");
    for b in &r.bounds {
        s.push_str(&format!(
            "  {:<14} {:<40} {:>6} calls  {:>8.1} s\n",
            b.provider, b.limit, b.calls, b.secs
        ));
    }
    s.push_str("stages (first / last item, s from the first webhook):\n");
    for st in &r.stages {
        s.push_str(&format!(
            "  {:<12} {:>8} / {:>8}  ({})\n",
            st.stage,
            st.first_secs.map_or("-".into(), |t| format!("{t:.1}")),
            st.last_secs.map_or("-".into(), |t| format!("{t:.1}")),
            st.count
        ));
    }
    s.push_str(&format!(
        "bound: {:.1} s  wall/bound: {:.3}  rate-limit violations: {} {:?}\n",
        r.bound_secs, r.ratio_to_bound, r.violations_total, r.violations
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smartbill_is_the_bound_and_counts_its_windows() {
        let b = bounds(1000, Duration::from_millis(100));
        let sb = b.iter().find(|b| b.provider == "smartbill").unwrap();
        // 1,000 invoices at 30 per 10 s: the last starts in the 34th window, 330 s after
        // the first, which needs 4 calls before it; plus the invoice call itself.
        assert!((sb.secs - 330.5).abs() < 1e-9, "{}", sb.secs);
        let max = b.iter().map(|b| b.secs).fold(0.0, f64::max);
        assert!((max - sb.secs).abs() < 1e-9);
        let small = bounds(30, Duration::from_millis(100));
        assert!(
            (small[0].secs - 0.5).abs() < 1e-9,
            "30 invoices fit one window"
        );
    }

    #[test]
    fn stages_are_read_from_the_progress_samples() {
        let p = [
            (0.1, 0, 0, 0),
            (0.5, 3, 1, 0),
            (1.0, 5, 4, 2),
            (2.0, 5, 5, 5),
        ];
        let s = stages(&p);
        assert_eq!(s[0].first_secs, Some(0.5));
        assert_eq!(s[0].last_secs, Some(1.0));
        assert_eq!(s[2].first_secs, Some(1.0));
        assert_eq!(s[2].last_secs, Some(2.0));
        assert_eq!(s[2].count, 5);
    }
}
