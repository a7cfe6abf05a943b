//! The sandbox server: every simulator under its own path prefix on one local port.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use flux_sandbox::{Provider, Sandbox};
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let fan_base = sandbox.base_url(Provider::FanCourier); // http://127.0.0.1:PORT/fancourier/
//! # let _ = fan_base;
//! sandbox.stop().await;
//! # Ok(()) }
//! ```

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};

use crate::clock::SimClock;
use crate::faults::{Decision, FaultPlan, Faults};
use crate::limits::LimitTracker;

/// The simulated providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// FAN Courier API v2.
    FanCourier,
    /// Cargus UrgentOnline.
    Cargus,
    /// Sameday.
    Sameday,
    /// GLS Romania MyGLS.
    Gls,
    /// Oblio.
    Oblio,
    /// SmartBill Cloud.
    SmartBill,
    /// QuickBooks Online (accounting API and OAuth endpoints).
    QuickBooks,
    /// Shopify Admin GraphQL (and OAuth/token exchange).
    Shopify,
}

impl Provider {
    /// Every simulated provider.
    pub const ALL: [Provider; 8] = [
        Provider::FanCourier,
        Provider::Cargus,
        Provider::Sameday,
        Provider::Gls,
        Provider::Oblio,
        Provider::SmartBill,
        Provider::QuickBooks,
        Provider::Shopify,
    ];

    /// The provider id used by the SDK crates and in fault plans.
    pub fn id(self) -> &'static str {
        match self {
            Provider::FanCourier => "fancourier",
            Provider::Cargus => "cargus",
            Provider::Sameday => "sameday",
            Provider::Gls => "gls",
            Provider::Oblio => "oblio",
            Provider::SmartBill => "smartbill",
            Provider::QuickBooks => "quickbooks",
            Provider::Shopify => "shopify",
        }
    }
}

/// What every simulator shares: simulated time, faults and rate-limit accounting.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Simulated time.
    pub clock: SimClock,
    /// Fault plans.
    pub faults: Arc<Faults>,
    /// Rate limits and violations.
    pub limits: Arc<LimitTracker>,
}

impl Shared {
    /// Applies `provider`'s latency and fault plan to a call before it has any effect.
    /// `Some(response)` means the call fails with that response (or hangs first).
    pub async fn gate(&self, provider: Provider) -> Option<HttpResponse> {
        let latency = self.faults.latency(provider.id());
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match self.faults.decide(provider.id()) {
            Decision::Proceed => None,
            Decision::ServerError => Some(
                HttpResponse::ServiceUnavailable()
                    .content_type("application/json")
                    .body(r#"{"message":"Service temporarily unavailable (sandbox fault)"}"#),
            ),
            Decision::Timeout => {
                tokio::time::sleep(self.faults.hang(provider.id())).await;
                Some(HttpResponse::GatewayTimeout().finish())
            }
            Decision::TooManyRequests(wait) => Some(
                HttpResponse::TooManyRequests()
                    .insert_header(("Retry-After", wait.as_secs().max(1).to_string()))
                    .content_type("application/json")
                    .body(r#"{"message":"Too many requests (sandbox fault)"}"#),
            ),
        }
    }

    /// Called after an effectful call took effect: when the plan says so, the answer is
    /// lost (the call hangs until the client gives up).
    pub async fn after_effect(&self, provider: Provider) {
        if self.faults.drop_after_effect(provider.id()) {
            tokio::time::sleep(self.faults.hang(provider.id())).await;
        }
    }
}

/// The simulators' state, for tests and the demo to inspect.
#[derive(Debug, Clone)]
pub struct Simulators {
    /// FAN Courier.
    pub fancourier: Arc<crate::fancourier::Sim>,
    /// Cargus.
    pub cargus: Arc<crate::cargus::Sim>,
    /// Sameday.
    pub sameday: Arc<crate::sameday::Sim>,
    /// GLS.
    pub gls: Arc<crate::gls::Sim>,
    /// Oblio.
    pub oblio: Arc<crate::oblio::Sim>,
    /// SmartBill.
    pub smartbill: Arc<crate::smartbill::Sim>,
    /// QuickBooks.
    pub quickbooks: Arc<crate::quickbooks::Sim>,
    /// Shopify.
    pub shopify: Arc<crate::shopify::Sim>,
}

/// Configures a sandbox.
#[derive(Debug)]
pub struct SandboxBuilder {
    bind: SocketAddr,
    clock: SimClock,
    seed: u64,
    plans: Vec<(Provider, FaultPlan)>,
}

impl SandboxBuilder {
    /// Where to listen (default `127.0.0.1:0`, a random port).
    #[must_use]
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// The simulated clock (default: real time from now).
    #[must_use]
    pub fn clock(mut self, clock: SimClock) -> Self {
        self.clock = clock;
        self
    }

    /// The seed of the fault decisions.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// A fault plan for `provider` (latency, errors, timeouts, 429 bursts, lost answers).
    #[must_use]
    pub fn faults(mut self, provider: Provider, plan: FaultPlan) -> Self {
        self.plans.push((provider, plan));
        self
    }

    /// The same latency on every provider's calls.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        for p in Provider::ALL {
            self.plans.push((
                p,
                FaultPlan {
                    latency,
                    ..FaultPlan::default()
                },
            ));
        }
        self
    }

    /// Binds and starts serving in the background.
    pub async fn start(self) -> std::io::Result<RunningSandbox> {
        let faults = Arc::new(Faults::new(self.seed));
        for (p, plan) in self.plans {
            faults.set(p.id(), plan);
        }
        let shared = Shared {
            clock: self.clock,
            faults,
            limits: Arc::new(LimitTracker::new()),
        };
        let sims = Simulators {
            fancourier: Arc::new(crate::fancourier::Sim::new(shared.clone())),
            cargus: Arc::new(crate::cargus::Sim::new(shared.clone())),
            sameday: Arc::new(crate::sameday::Sim::new(shared.clone())),
            gls: Arc::new(crate::gls::Sim::new(shared.clone())),
            oblio: Arc::new(crate::oblio::Sim::new(shared.clone())),
            smartbill: Arc::new(crate::smartbill::Sim::new(shared.clone())),
            quickbooks: Arc::new(crate::quickbooks::Sim::new(shared.clone())),
            shopify: Arc::new(crate::shopify::Sim::new(shared.clone())),
        };
        let listener = TcpListener::bind(self.bind)?;
        let addr = listener.local_addr()?;
        let app_sims = sims.clone();
        let server = HttpServer::new(move || {
            let s = app_sims.clone();
            App::new()
                .app_data(web::PayloadConfig::default().limit(16 * 1024 * 1024))
                .service(crate::fancourier::scope(s.fancourier.clone()))
                .service(crate::cargus::scope(s.cargus.clone()))
                .service(crate::sameday::scope(s.sameday.clone()))
                .service(crate::gls::scope(s.gls.clone()))
                .service(crate::oblio::scope(s.oblio.clone()))
                .service(crate::smartbill::scope(s.smartbill.clone()))
                .service(crate::quickbooks::scope(s.quickbooks.clone()))
                .service(crate::shopify::scope(s.shopify.clone()))
        })
        .workers(2)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(RunningSandbox {
            addr,
            handle,
            shared,
            sims,
        })
    }
}

/// A sandbox serving in the background.
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    handle: ServerHandle,
    shared: Shared,
    sims: Simulators,
}

/// Entry point.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A sandbox with no faults, real time, on a random local port.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: SimClock::real_time(),
            seed: 0x5eed,
            plans: Vec::new(),
        }
    }
}

impl RunningSandbox {
    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give `provider`'s SDK client (`http://127.0.0.1:PORT/<id>/`).
    pub fn base_url(&self, provider: Provider) -> String {
        format!("http://{}/{}/", self.addr, provider.id())
    }

    /// The shared clock, faults and limits (change fault plans at run time here).
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The simulators' state.
    pub fn sims(&self) -> &Simulators {
        &self.sims
    }

    /// Stops serving.
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}
