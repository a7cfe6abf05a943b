//! `flux demo`: the whole product on a laptop, with every provider simulated in process.
//!
//! [`Demo::start`] starts the [`flux_sandbox`] simulators on a fast simulated clock and the
//! orchestrator on a fresh SQLite database, with every provider's base URL pointed at the
//! sandbox and the Shopify app credentials set to the sandbox app's. [`Demo::run`] then
//! does what a merchant and a day of customers would do, through the real HTTP API:
//!
//! 1. installs the demo shop with a session token from the Shopify simulator
//!    (`POST /sales/v1/session`, the embedded app's token exchange);
//! 2. connects FAN Courier, Cargus, Sameday and GLS sandbox accounts
//!    (`POST /sales/v1/couriers`, each checked live) and Oblio or SmartBill
//!    (`PUT /sales/v1/invoicing`), and saves a sender, courier rules and the automation
//!    (`PUT /sales/v1/settings`: AWB when the order is created, invoice when fulfilled,
//!    customers notified, COD orders marked paid on delivery);
//! 3. feeds a day of realistic orders (Romanian addresses, COD and card, B2C and B2B) as
//!    signed `orders/create` (and `orders/paid`) webhooks from the Shopify simulator to
//!    `/sales/webhooks/shopify`, the simulated day passing as they arrive;
//! 4. waits for FluxSales' jobs to create the AWBs, the Shopify fulfillments and the
//!    invoices, then moves the simulated clock on and runs FluxSales' tracking job until
//!    every parcel is delivered.
//!
//! Before the shop's day, [`orders`] runs the FluxOrders half: a US distributor, its
//! users, customers and products, its QuickBooks connection (OAuth against the simulator)
//! and sync, and B2B orders turned into QuickBooks estimates and invoices.
//!
//! Everything [`Summary`] reports is read back from the database and the simulators.

#![allow(clippy::print_stdout)]

pub mod orders;
pub mod summary;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use flux_http::{HttpClient, Method, RetryPolicy};
use flux_sandbox::shopify::OrderDraft;
use flux_sandbox::{FaultPlan, Provider, RunningSandbox, Sandbox, SimClock};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::{Value, json};

pub use summary::Summary;

use crate::config::Settings;
use crate::entity::job;
use crate::jobs::NewJob;
use crate::jobs::queue::enqueue;
use crate::sales::entity::{invoice, order, shipment};
use crate::startup::{Application, RunningApplication};
use crate::tenancy::{TenantId, TenantKind, find_tenant, scoped};
use crate::vault::MasterKey;

/// The invoicing platform the demo shop connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoInvoicer {
    /// Oblio (30 invoices per 100 s per account: a large demo day takes minutes).
    Oblio,
    /// SmartBill Cloud (30 calls per 10 s, then a 10-minute block).
    Smartbill,
}

impl DemoInvoicer {
    fn id(self) -> &'static str {
        match self {
            Self::Oblio => "oblio",
            Self::Smartbill => "smartbill",
        }
    }
}

/// `flux demo` options.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// How many orders the demo day brings.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub orders: u16,
    /// Where the API listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Where the demo database lives (emptied at start).
    #[arg(long, default_value = "data/demo")]
    pub data_dir: PathBuf,
    /// The invoicing platform.
    #[arg(long, value_enum, default_value_t = DemoInvoicer::Oblio)]
    pub invoicer: DemoInvoicer,
    /// How much faster than real time the simulated clock runs (the demo also moves it on
    /// through the day and the deliveries; above about 60 the providers' one-hour tokens
    /// expire between a client's login and its call).
    #[arg(long, default_value_t = 60)]
    pub speed: u32,
    /// Seed of the generated orders.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// How many B2B orders the FluxOrders distributor places (QuickBooks estimates, then
    /// invoices).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(0..=500))]
    pub b2b_orders: u16,
    /// Run the demo day, print the summary and exit instead of serving until Ctrl-C.
    #[arg(long)]
    pub exit: bool,
}

/// What a demo is configured with (the CLI's options, or a test's).
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Orders in the demo day.
    pub orders: usize,
    /// Where the API listens (`127.0.0.1:0`: a random port).
    pub bind: SocketAddr,
    /// The data directory (the SQLite database); emptied of an earlier demo's database.
    pub data_dir: PathBuf,
    /// A database URL instead of SQLite in `data_dir` (tests on PostgreSQL).
    pub database_url: Option<String>,
    /// The invoicing platform.
    pub invoicer: DemoInvoicer,
    /// Simulated-clock speed.
    pub speed: u32,
    /// Order generator seed.
    pub seed: u64,
    /// FluxOrders B2B orders (0: skip the FluxOrders half).
    pub b2b_orders: usize,
    /// Fault plans for the simulators.
    pub faults: Vec<(Provider, FaultPlan)>,
    /// Draw a progress bar on the terminal.
    pub progress: bool,
    /// Give up waiting for the pipeline after this long.
    pub patience: Duration,
}

impl DemoConfig {
    /// The CLI's configuration.
    pub fn from_args(args: &DemoArgs) -> Self {
        Self {
            orders: usize::from(args.orders),
            bind: args.bind,
            data_dir: args.data_dir.clone(),
            database_url: None,
            invoicer: args.invoicer,
            speed: args.speed,
            seed: args.seed,
            b2b_orders: usize::from(args.b2b_orders),
            faults: Vec::new(),
            progress: true,
            patience: Duration::from_secs(20 * 60),
        }
    }
}

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The sandbox or the data directory could not be set up.
    #[error("setup: {0}")]
    Io(#[from] std::io::Error),
    /// The orchestrator did not start.
    #[error(transparent)]
    Startup(#[from] crate::startup::StartupError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A call to the API or a simulator failed.
    #[error("{0}")]
    Step(String),
}

fn step(what: &str, e: impl std::fmt::Display) -> DemoError {
    DemoError::Step(format!("{what}: {e}"))
}

/// How long the pipeline may stand still, with work parked, before the demo stops waiting
/// (longer than Oblio's 100 s window, during which rate-limited invoices wait).
const STALL: Duration = Duration::from_secs(150);

/// The demo shop (the Shopify simulator's default shop).
pub const SHOP: &str = flux_sandbox::shopify::DEFAULT_SHOP;

/// A running demo: the sandbox and the orchestrator.
#[derive(Debug)]
pub struct Demo {
    sandbox: RunningSandbox,
    app: RunningApplication,
    config: DemoConfig,
    api: HttpClient,
    run_id: String,
    orders_access: std::sync::OnceLock<orders::OrdersAccess>,
}

/// Points `settings` at `sandbox`: the Shopify app credentials and every provider's base
/// URL (the four couriers, Oblio, SmartBill, QuickBooks with its OAuth endpoints). Tests
/// and benchmarks that run the orchestrator against the simulators use it too.
pub fn point_at_sandbox(settings: &mut Settings, sandbox: &RunningSandbox) {
    settings.shopify.api_key = Some(flux_sandbox::shopify::DEFAULT_API_KEY.to_owned());
    settings.shopify.api_secret = Some(SecretString::from(
        flux_sandbox::shopify::DEFAULT_API_SECRET,
    ));
    let p = &mut settings.providers;
    p.shopify_base_url = Some(sandbox.base_url(Provider::Shopify));
    p.fancourier_base_url = Some(sandbox.base_url(Provider::FanCourier));
    p.cargus_base_url = Some(sandbox.base_url(Provider::Cargus));
    p.sameday_base_url = Some(sandbox.base_url(Provider::Sameday));
    p.gls_base_url = Some(sandbox.base_url(Provider::Gls));
    p.oblio_base_url = Some(sandbox.base_url(Provider::Oblio));
    p.smartbill_base_url = Some(sandbox.base_url(Provider::SmartBill));
    let qb = sandbox.base_url(Provider::QuickBooks);
    settings.quickbooks.client_id = Some(flux_sandbox::quickbooks::CLIENT_ID.to_owned());
    settings.quickbooks.client_secret =
        Some(SecretString::from(flux_sandbox::quickbooks::CLIENT_SECRET));
    settings.quickbooks.environment = Some("sandbox".to_owned());
    settings.quickbooks.api_base_url = Some(qb.clone());
    settings.quickbooks.token_url = Some(format!("{qb}oauth2/v1/tokens/bearer"));
    settings.quickbooks.revocation_url = Some(format!("{qb}v2/oauth2/tokens/revoke"));
}

impl Demo {
    /// Starts the sandbox and the orchestrator (fresh database, providers pointed at the
    /// sandbox, the sandbox Shopify app's credentials).
    pub async fn start(config: DemoConfig) -> Result<Self, DemoError> {
        let mut builder = Sandbox::builder()
            .clock(SimClock::new(Utc::now(), config.speed))
            .seed(config.seed);
        for (p, plan) in &config.faults {
            builder = builder.faults(*p, plan.clone());
        }
        let sandbox = builder.start().await?;

        std::fs::create_dir_all(&config.data_dir)?;
        if config.database_url.is_none() {
            for f in ["flux.sqlite", "flux.sqlite-wal", "flux.sqlite-shm"] {
                match std::fs::remove_file(config.data_dir.join(f)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
        }
        let key = MasterKey::generate("demo");
        let mut settings = Settings {
            bind: config.bind,
            data_dir: config.data_dir.clone(),
            database_url: config.database_url.clone(),
            master_keys: Some(key.to_config_string()),
            ..Settings::default()
        };
        if config.bind.port() != 0 {
            settings.public_url = format!("http://{}", config.bind);
        }
        settings.worker.poll_interval_ms = 50;
        settings.worker.concurrency = 8;
        settings.worker.lease_secs = 60;
        settings.worker.shutdown_grace_secs = 5;
        point_at_sandbox(&mut settings, &sandbox);

        let app = Application::builder(settings).build().await?.spawn();
        let api = HttpClient::builder("flux-demo")
            .base_url(app.base_url())
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| step("API client", e))?;
        Ok(Self {
            sandbox,
            app,
            config,
            api,
            run_id: uuid::Uuid::now_v7().simple().to_string(),
            orders_access: std::sync::OnceLock::new(),
        })
    }

    /// The API's base URL.
    pub fn base_url(&self) -> String {
        self.app.base_url()
    }

    /// The sandbox (simulators, clock, fault plans).
    pub fn sandbox(&self) -> &RunningSandbox {
        &self.sandbox
    }

    /// The orchestrator.
    pub fn app(&self) -> &RunningApplication {
        &self.app
    }

    /// A fresh App Bridge session token for the demo shop (valid 60 s).
    pub fn session_token(&self) -> String {
        self.sandbox.sims().shopify.session_token(SHOP)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, DemoError> {
        let token = SecretString::from(self.session_token());
        let mut req = self.api.request(method, path).bearer(&token);
        if let Some(b) = &body {
            req = req.json(b);
        }
        let res = req.send_raw().await.map_err(|e| step(path, e))?;
        if !res.is_success() {
            return Err(DemoError::Step(format!(
                "{path} answered {}: {}",
                res.status(),
                res.text()
            )));
        }
        if res.bytes().is_empty() {
            return Ok(Value::Null);
        }
        res.json().map_err(|e| step(path, e))
    }

    /// The demo shop's tenant, once installed.
    pub async fn tenant(&self) -> Result<TenantId, DemoError> {
        find_tenant(&self.app.state().db, TenantKind::Shop, SHOP)
            .await?
            .map(|t| TenantId(t.id))
            .ok_or_else(|| DemoError::Step("the demo shop is not installed".into()))
    }

    /// Installs the shop and connects the couriers, the invoicing platform and the
    /// automation, through the API.
    pub async fn set_up_shop(&self) -> Result<(), DemoError> {
        self.call(Method::POST, "sales/v1/session", None).await?;
        // Rules route the orders; every courier knows every locality the Shopify
        // simulator generates (with its house number apart from the street, as MyGLS
        // needs). FAN Courier gets one county: the sandbox enforces FAN's 20 logins per
        // user per hour.
        let couriers = [
            json!({"provider": "sameday", "label": "Sameday", "username": flux_sandbox::sameday::DEFAULT_USERNAME,
                   "password": flux_sandbox::sameday::DEFAULT_PASSWORD}),
            json!({"provider": "cargus", "label": "Cargus", "username": flux_sandbox::cargus::DEFAULT_USERNAME,
                   "password": flux_sandbox::cargus::DEFAULT_PASSWORD,
                   "subscription_key": flux_sandbox::cargus::DEFAULT_SUBSCRIPTION_KEY,
                   "config": {"location_id": flux_sandbox::cargus::DEFAULT_LOCATION_ID}}),
            json!({"provider": "gls", "label": "GLS", "username": flux_sandbox::gls::DEFAULT_USERNAME,
                   "password": flux_sandbox::gls::DEFAULT_PASSWORD,
                   "config": {"client_number": flux_sandbox::gls::DEFAULT_CLIENT_NUMBER}}),
            json!({"provider": "fancourier", "label": "FAN Courier", "username": flux_sandbox::fancourier::DEFAULT_USERNAME,
                   "password": flux_sandbox::fancourier::DEFAULT_PASSWORD,
                   "config": {"client_id": flux_sandbox::fancourier::DEFAULT_CLIENT_ID}}),
        ];
        let mut ids = std::collections::HashMap::new();
        for c in couriers {
            let created = self
                .call(Method::POST, "sales/v1/couriers", Some(c))
                .await?;
            let provider = created["provider"].as_str().unwrap_or_default().to_owned();
            let id = created["id"].as_str().unwrap_or_default().to_owned();
            ids.insert(provider, id);
        }
        let invoicing = match self.config.invoicer {
            DemoInvoicer::Oblio => json!({
                "provider": "oblio", "username": flux_sandbox::oblio::DEFAULT_EMAIL,
                "api_secret": flux_sandbox::oblio::DEFAULT_SECRET,
                "company_cif": flux_sandbox::oblio::DEFAULT_CIF, "series": "FCT"}),
            DemoInvoicer::Smartbill => json!({
                "provider": "smartbill", "username": flux_sandbox::smartbill::DEFAULT_EMAIL,
                "api_secret": flux_sandbox::smartbill::DEFAULT_TOKEN,
                "company_cif": flux_sandbox::smartbill::DEFAULT_CIF, "series": "FCT"}),
        };
        self.call(Method::PUT, "sales/v1/invoicing", Some(invoicing))
            .await?;
        let settings = json!({
            "senders": [{
                "name": "Atelier Flux Demo SRL", "phone": "0740123456",
                "email": "expeditii@flux-demo.ro", "street": "Strada Victoriei", "number": "12",
                "locality": "Pitești", "county": "Argeș", "postal_code": "110014"
            }],
            "rules": [
                {"account_id": ids["sameday"], "counties": ["București", "Ilfov"]},
                {"account_id": ids["fancourier"], "counties": ["Sibiu"]},
                {"account_id": ids["gls"], "counties": ["Cluj", "Timiș", "Iași"]},
                {"account_id": ids["cargus"], "cod": true},
                {"account_id": ids["sameday"]}
            ],
            "choose_cheapest": false,
            "automation": {"awb_on": "created", "invoice_on": "fulfilled",
                           "notify_customer": true, "mark_cod_paid": true}
        });
        self.call(Method::PUT, "sales/v1/settings", Some(settings))
            .await?;
        Ok(())
    }

    /// Sends the day's orders as signed webhooks, the simulated clock advancing a day
    /// over them.
    pub async fn feed_orders(&self, bar: &ProgressBar) -> Result<(), DemoError> {
        let sims = self.sandbox.sims();
        let target = format!("{}/sales/webhooks/shopify", self.app.base_url());
        let mut rng = fastrand::Rng::with_seed(self.config.seed);
        let n = u32::try_from(self.config.orders.max(1)).unwrap_or(u32::MAX);
        // Twelve simulated hours over a large day; at most ten minutes between two
        // orders of a small one (a bigger jump outlives the providers' one-hour tokens
        // between a login and its call).
        let gap = (Duration::from_secs(12 * 3600) / n).min(Duration::from_secs(600));
        for _ in 0..self.config.orders {
            let draft = OrderDraft::random(&mut rng);
            let (_, deliveries) = sims
                .shopify
                .create_order_and_notify(SHOP, &draft, &target)
                .await
                .map_err(|e| step("webhook", e))?;
            if let Some(d) = deliveries.iter().find(|d| d.status != Some(200)) {
                return Err(DemoError::Step(format!(
                    "the webhook {} was answered {:?}",
                    d.topic, d.status
                )));
            }
            self.sandbox.shared().clock.advance(gap);
            bar.inc(1);
        }
        Ok(())
    }

    async fn counts(&self, tenant: TenantId) -> Result<Progress, DemoError> {
        let db = &self.app.state().db;
        let ships =
            scoped::<shipment::Entity>(tenant).filter(shipment::Column::Status.eq("active"));
        Ok(Progress {
            orders: scoped::<order::Entity>(tenant).count(db).await?,
            awbs: ships.clone().count(db).await?,
            fulfilled: ships
                .clone()
                .filter(shipment::Column::FulfillmentId.is_not_null())
                .count(db)
                .await?,
            invoiced: scoped::<invoice::Entity>(tenant)
                .filter(invoice::Column::Kind.eq("invoice"))
                .filter(invoice::Column::Status.eq("issued"))
                .count(db)
                .await?,
            delivered: ships
                .filter(shipment::Column::TrackingStatus.eq("delivered"))
                .count(db)
                .await?,
            parked: job::Entity::find()
                .filter(job::Column::State.eq("parked"))
                .count(db)
                .await?,
        })
    }

    async fn wait_until(
        &self,
        tenant: TenantId,
        bar: &ProgressBar,
        deadline: Instant,
        done: impl Fn(&Progress) -> bool,
    ) -> Result<Progress, DemoError> {
        let mut last = (0, Instant::now());
        loop {
            let p = self.counts(tenant).await?;
            let mut position = p.position(self.config.orders);
            let mut message = p.message();
            if let Some(org) = self.organization().await? {
                let b2b = self.orders_progress(org).await?;
                let k = self.config.b2b_orders as u64;
                position += b2b.confirmed.min(k) + b2b.documented.min(k);
                message.push_str(&format!(
                    " | B2B confirmed {} · in QuickBooks {}",
                    b2b.confirmed, b2b.documented
                ));
            }
            bar.set_position(position);
            bar.set_message(message);
            if done(&p) || Instant::now() > deadline {
                return Ok(p);
            }
            if position != last.0 {
                last = (position, Instant::now());
            } else if p.parked > 0 && last.1.elapsed() > STALL {
                // Some work is parked for a person and nothing else is moving.
                return Ok(p);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Puts the invoice jobs parked by rate limiting back in the queue; how many.
    async fn retry_rate_limited(&self) -> Result<usize, DemoError> {
        let db = &self.app.state().db;
        let parked = job::Entity::find()
            .filter(job::Column::State.eq("parked"))
            .filter(job::Column::Kind.eq(crate::sales::jobs::CREATE_INVOICE))
            .filter(job::Column::LastError.contains("rate_limited"))
            .all(db)
            .await?;
        for j in &parked {
            crate::jobs::queue::retry(db, j.id)
                .await
                .map_err(|e| step("retrying a parked job", e))?;
        }
        Ok(parked.len())
    }

    async fn track_round(&self, round: u32) -> Result<(), DemoError> {
        let db = &self.app.state().db;
        let key = format!("demo.track:{}:{round}", self.run_id);
        enqueue(
            db,
            NewJob::new(crate::sales::jobs::TRACK, json!({})).key(key.clone()),
        )
        .await?;
        loop {
            let row = job::Entity::find()
                .filter(job::Column::JobKey.eq(key.as_str()))
                .one(db)
                .await?;
            match row.as_ref().map(|j| j.state.as_str()) {
                Some("succeeded") => return Ok(()),
                Some("parked" | "cancelled") | None => {
                    return Err(DemoError::Step(format!(
                        "the tracking job stopped: {:?}",
                        row.and_then(|j| j.last_error)
                    )));
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Runs the demo day: the shop, the orders, and the pipeline to delivery, and beside
    /// it the FluxOrders distributor and its QuickBooks documents; returns the summary read
    /// back from the database and the simulators.
    pub async fn run(&self) -> Result<Summary, DemoError> {
        let started = Instant::now();
        let deadline = started + self.config.patience;
        let n = self.config.orders;
        let bar = if self.config.progress {
            ProgressBar::with_draw_target(
                Some((5 * n + 2 * self.config.b2b_orders) as u64),
                ProgressDrawTarget::stderr_with_hz(8),
            )
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message("installing the demo shop");
        self.set_up_shop().await?;
        let tenant = self.tenant().await?;
        // FluxOrders runs before the shop's orders arrive: its CSV import is one
        // all-or-nothing transaction that reads before it writes, which SQLite refuses
        // ("database is locked") while the job workers write; and the simulated clock
        // jumps through the shop's day, which would expire the QuickBooks access token
        // the orchestrator believes valid for an hour.
        let access = if self.config.b2b_orders > 0 {
            bar.set_message("FluxOrders: the distributor, its customers and QuickBooks");
            let setup = self.set_up_orders(deadline).await?;
            bar.set_message("FluxOrders: B2B orders to QuickBooks estimates and invoices");
            let access = self.place_b2b_orders(&setup, deadline).await?;
            bar.inc(2 * self.config.b2b_orders as u64);
            Some(access)
        } else {
            None
        };
        let sales = self.run_sales(tenant, &bar, deadline).await;
        let operator_retries = sales?;
        bar.finish_and_clear();
        let mut summary = summary::read(
            self.app.state(),
            &self.sandbox,
            tenant,
            SHOP,
            self.config.invoicer.id(),
            started.elapsed(),
        )
        .await?;
        summary.operator_retries = operator_retries;
        summary.b2b_orders_expected = self.config.b2b_orders;
        if let Some(access) = access {
            summary.flux_orders = Some(orders::read(self, access.tenant).await?);
            let _ = self.orders_access.set(access);
        }
        Ok(summary)
    }

    /// FluxSales: the day's orders through AWBs, fulfillments, invoices and tracking to
    /// delivery; how many parked jobs were retried as an operator would.
    async fn run_sales(
        &self,
        tenant: TenantId,
        bar: &ProgressBar,
        deadline: Instant,
    ) -> Result<usize, DemoError> {
        let n = self.config.orders;
        bar.set_message("feeding orders");
        self.feed_orders(bar).await?;
        let n64 = n as u64;
        let all_through = |p: &Progress| {
            p.orders == n64 && p.awbs == n64 && p.fulfilled == n64 && p.invoiced == n64
        };
        let mut p = self.wait_until(tenant, bar, deadline, all_through).await?;
        let mut operator_retries = 0;
        for _ in 0..3 {
            if all_through(&p) || p.parked == 0 {
                break;
            }
            // What an operator does with `POST /admin/jobs/{id}/retry`: invoices parked
            // after Oblio's rate limit refused them eight times are tried again.
            let retried = self.retry_rate_limited().await?;
            if retried == 0 {
                break;
            }
            operator_retries += retried;
            p = self.wait_until(tenant, bar, deadline, all_through).await?;
        }
        if p.fulfilled > 0 {
            // Two tracking rounds: the parcels on their way, then delivered (every AWB is
            // at least 26 simulated hours old by the second).
            let clock = &self.sandbox.shared().clock;
            for (round, hours) in [(1, 10), (2, 18)] {
                bar.set_message(format!("tracking, {hours} h later"));
                clock.advance(Duration::from_secs(hours * 3600));
                self.track_round(round).await?;
            }
            let mut round = 3;
            while self.counts(tenant).await?.delivered < n64
                && round < 6
                && Instant::now() < deadline
            {
                clock.advance(Duration::from_secs(6 * 3600));
                self.track_round(round).await?;
                round += 1;
            }
            self.wait_until(tenant, bar, deadline, |p| {
                p.delivered == n64 && p.invoiced == n64
            })
            .await?;
        }
        Ok(operator_retries)
    }

    /// The admin's personal FluxOrders API token, once the FluxOrders half has run.
    pub fn orders_api_token(&self) -> Option<&SecretString> {
        self.orders_access.get().map(|a| &a.api_token)
    }

    /// Stops the orchestrator and the sandbox.
    pub async fn stop(self) {
        self.app.stop().await;
        self.sandbox.stop().await;
    }
}

#[derive(Debug)]
struct Progress {
    orders: u64,
    awbs: u64,
    fulfilled: u64,
    invoiced: u64,
    delivered: u64,
    parked: u64,
}

impl Progress {
    fn position(&self, n: usize) -> u64 {
        let n = n as u64;
        self.orders.min(n)
            + self.awbs.min(n)
            + self.fulfilled.min(n)
            + self.invoiced.min(n)
            + self.delivered.min(n)
    }

    fn message(&self) -> String {
        let mut m = format!(
            "orders {} · AWBs {} · fulfilled {} · invoiced {} · delivered {}",
            self.orders, self.awbs, self.fulfilled, self.invoiced, self.delivered
        );
        if self.parked > 0 {
            m.push_str(&format!(" · {} parked", self.parked));
        }
        m
    }
}

/// `flux demo`: runs the demo day, prints the summary, and serves the API until Ctrl-C.
pub async fn run_cli(args: DemoArgs) -> std::process::ExitCode {
    init_quiet_logging();
    let config = DemoConfig::from_args(&args);
    println!(
        "flux demo: {} orders, every provider simulated in process (clock {}x), database in {}",
        config.orders,
        config.speed,
        config.data_dir.display()
    );
    if config.invoicer == DemoInvoicer::Oblio && config.orders > 30 {
        println!(
            "Oblio accepts 30 invoices per 100 s per account: the invoices take about {} minutes",
            (config.orders / 30 * 100).div_ceil(60)
        );
    }
    let demo = match Demo::start(config).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("flux demo: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = demo.run().await;
    let ok = match &result {
        Ok(summary) => {
            println!("{summary}");
            if !summary.complete() {
                println!("  NOTE: not every order went all the way through; see the figures above");
            }
            summary.complete()
        }
        Err(e) => {
            eprintln!("flux demo: {e}");
            false
        }
    };
    if args.exit {
        demo.stop().await;
        return if ok {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        };
    }
    let token_file = args.data_dir.join("session-token");
    let base = demo.base_url();
    println!();
    println!("The API is running at {base} (API reference: {base}/docs)");
    println!("Shop: {SHOP}. FluxSales calls need an App Bridge session token (valid 60 s);");
    println!(
        "a fresh one is written to {} every 30 s:",
        token_file.display()
    );
    println!(
        "  curl -H \"Authorization: Bearer $(cat {})\" {base}/sales/v1/orders?limit=5",
        token_file.display()
    );
    let orders_token_file = args.data_dir.join("orders-api-token");
    if let Some(token) = demo.orders_api_token() {
        match write_private(&orders_token_file, orders::expose(token)) {
            Ok(()) => {
                println!();
                println!(
                    "FluxOrders: organization `{}`; sign in as {} (admin), {} (sales rep) or {} (owner), password `{}`:",
                    orders::ORG,
                    orders::ADMIN_EMAIL,
                    orders::SALES_REP_EMAIL,
                    orders::OWNER_EMAIL,
                    orders::PASSWORD
                );
                println!(
                    "  curl -X POST -H 'Content-Type: application/json' -d '{{\"organization\":\"{}\",\"email\":\"{}\",\"password\":\"{}\"}}' {base}/orders-api/v1/auth/login",
                    orders::ORG,
                    orders::ADMIN_EMAIL,
                    orders::PASSWORD
                );
                println!(
                    "or use the admin's API token written to {}:",
                    orders_token_file.display()
                );
                println!(
                    "  curl -H \"Authorization: Bearer $(cat {})\" {base}/orders-api/v1/orders?limit=5",
                    orders_token_file.display()
                );
            }
            Err(e) => eprintln!(
                "flux demo: cannot write {}: {e}",
                orders_token_file.display()
            ),
        }
    }
    println!();
    println!("Press Ctrl-C to stop.");
    let refresh = async {
        loop {
            if let Err(e) = std::fs::write(&token_file, demo.session_token()) {
                eprintln!("flux demo: cannot write {}: {e}", token_file.display());
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = refresh => {}
    }
    println!("stopping");
    let _ = std::fs::remove_file(&token_file);
    let _ = std::fs::remove_file(&orders_token_file);
    demo.stop().await;
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// Writes a secret to a file only its owner can read.
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

/// Errors only (unless `RUST_LOG` says otherwise), so the progress bar stays readable:
/// retried jobs (rate limits, SQLite write contention) would flood it, and the summary
/// reports whatever did not get through.
fn init_quiet_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .compact()
        .try_init();
}
