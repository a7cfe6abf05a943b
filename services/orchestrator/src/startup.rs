//! [`Application`]: the HTTP server and the job worker, started together, stopped together.
//!
//! Tests build one on a random port against a fresh database:
//!
//! ```no_run
//! # async fn demo() -> Result<(), flux_orchestrator::startup::StartupError> {
//! use flux_orchestrator::config::Settings;
//! use flux_orchestrator::startup::Application;
//!
//! let mut settings = Settings::default();
//! settings.bind = "127.0.0.1:0".parse().unwrap();
//! let app = Application::builder(settings).build().await?;
//! println!("listening on {}", app.base_url());
//! app.run_until_stopped().await?;
//! # Ok(()) }
//! ```

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpResponse, HttpServer, middleware, web};
use tokio_util::sync::CancellationToken;
use utoipa_actix_web::AppExt;
use utoipa_scalar::Scalar;

use crate::config::Settings;
use crate::credentials::CredentialStore;
use crate::effects::EffectLedger;
use crate::http;
use crate::jobs::schedule::{Recurring, run_scheduler};
use crate::jobs::{JobHandler, JobRegistry, Worker, WorkerHandle};
use crate::limits::RateLimiters;
use crate::state::AppState;
use crate::vault::{Vault, VaultError, load_or_create_key_file, parse_master_keys};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The database could not be reached or migrated.
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// The vault keys are unusable.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server: {0}")]
    Server(std::io::Error),
}

/// Configures an [`Application`] before it starts.
pub struct ApplicationBuilder {
    settings: Settings,
    registry: JobRegistry,
    recurring: Vec<Recurring>,
}

impl ApplicationBuilder {
    /// Registers a job handler.
    #[must_use]
    pub fn job_handler(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.registry.register(handler);
        self
    }

    /// Schedules a recurring job (its handler must be registered too).
    #[must_use]
    pub fn recurring(mut self, kind: &'static str, every: Duration) -> Self {
        self.recurring.push(Recurring { kind, every });
        self
    }

    /// Validates the settings, connects and migrates the database, binds the port, and
    /// starts the job worker.
    pub async fn build(self) -> Result<Application, StartupError> {
        let settings = self.settings;
        settings.validate()?;
        // Install the metrics recorder before anything records.
        crate::telemetry::metrics_handle();
        let db =
            crate::db::connect(&settings.database_url(), settings.database_max_connections).await?;
        crate::db::migrate(&db).await?;
        let keys = match &settings.master_keys {
            Some(keys) => parse_master_keys(keys)?,
            None => load_or_create_key_file(&settings.data_dir)?,
        };
        let vault = Vault::new(keys)?;
        let state = AppState {
            credentials: CredentialStore::new(db.clone(), vault.clone()),
            effects: EffectLedger::new(db.clone()).with_lease(settings.worker.lease()),
            limiters: RateLimiters::new(),
            provider_clients: Default::default(),
            orders: crate::orders::OrdersServices::new(&settings),
            sales: crate::sales::SalesServices::new(
                &settings,
                db.clone(),
                CredentialStore::new(db.clone(), vault.clone()),
            ),
            ingest: crate::ingest::WebhookIngest::start(
                db.clone(),
                crate::ingest::IngestLimits::for_pool(settings.database_max_connections),
            ),
            shop_tenants: Arc::default(),
            vault,
            settings: Arc::new(settings.clone()),
            db,
        };
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            addr: settings.bind,
            source,
        })?;
        let addr = listener.local_addr().map_err(StartupError::Server)?;
        let server = build_server(listener, state.clone())?;
        let worker = settings.worker.enabled.then(|| {
            Worker::new(
                state.clone(),
                Arc::new(self.registry),
                settings.worker.clone(),
            )
            .spawn()
        });
        let stop_scheduler = CancellationToken::new();
        let scheduler = tokio::spawn(run_scheduler(
            state.db.clone(),
            self.recurring,
            Duration::from_secs(15),
            stop_scheduler.clone(),
        ));
        tracing::info!(%addr, public_url = %settings.public_url, "flux is listening");
        Ok(Application {
            addr,
            handle: server.handle(),
            server,
            worker,
            stop_scheduler,
            scheduler,
            state,
        })
    }
}

fn build_server(listener: TcpListener, state: AppState) -> Result<Server, StartupError> {
    let json_limit = state.settings.max_json_body_bytes;
    // The OpenAPI document and its reference page are built once, here, and the workers
    // share them as bytes: built in every worker's factory, they left megabytes of freed
    // allocations resident in each worker thread's malloc arena (docs/PERFORMANCE.md,
    // memory).
    let spec = http::openapi();
    let spec_json = web::Bytes::from(
        serde_json::to_vec(&spec).map_err(|e| StartupError::Server(std::io::Error::other(e)))?,
    );
    let docs_html = web::Bytes::from(Scalar::new(spec).to_html());
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let spec_json = spec_json.clone();
        let docs_html = docs_html.clone();
        App::new()
            .app_data(data.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(http::error::json_error),
            )
            .app_data(web::PayloadConfig::default().limit(json_limit))
            .app_data(web::QueryConfig::default().error_handler(http::error::query_error))
            .app_data(web::PathConfig::default().error_handler(http::error::path_error))
            .wrap(middleware::from_fn(http::request_id::middleware))
            .wrap(middleware::Compress::default())
            .into_utoipa_app()
            .configure(http::routes)
            .into_app()
            .route(
                "/openapi.json",
                web::get().to(move || {
                    let body = spec_json.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type("application/json")
                            .body(body)
                    }
                }),
            )
            .route(
                "/docs",
                web::get().to(move || {
                    let body = docs_html.clone();
                    async move { HttpResponse::Ok().content_type("text/html").body(body) }
                }),
            )
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(http::error::ApiError::NotFound(
                    "no such endpoint; see /docs".into(),
                ))
            }))
    })
    .workers(http_workers())
    .disable_signals()
    .shutdown_timeout(10)
    .listen(listener)
    .map_err(StartupError::Server)?
    .run();
    Ok(server)
}

/// HTTP worker threads: one per core but one. The main runtime (job worker, webhook
/// writers, scheduler) keeps a core of its own, and each HTTP worker costs about 6 MB of
/// resident heap (its copy of the routes and the OpenAPI paths utoipa collects while
/// registering them; docs/PERFORMANCE.md, memory), so a 2-core machine runs one.
fn http_workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .saturating_sub(1)
        .max(1)
}

/// A running service.
pub struct Application {
    addr: SocketAddr,
    server: Server,
    handle: ServerHandle,
    worker: Option<WorkerHandle>,
    stop_scheduler: CancellationToken,
    scheduler: tokio::task::JoinHandle<()>,
    state: AppState,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Application {
    /// Starts configuring an application.
    pub fn builder(settings: Settings) -> ApplicationBuilder {
        let orders_settings = settings.clone();
        let builder = ApplicationBuilder {
            settings,
            registry: JobRegistry::new(),
            recurring: Vec::new(),
        };
        crate::sales::jobs::register(crate::orders::jobs::register(builder, &orders_settings))
    }

    /// The bound address (the real port when the settings asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state (database, vault, ledger) for tests and embedding.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Takes the worker out, to stop or kill it separately from the server.
    pub fn take_worker(&mut self) -> Option<WorkerHandle> {
        self.worker.take()
    }

    /// Serves until Ctrl-C or SIGTERM, then stops the server and the worker gracefully.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        let handle = self.handle.clone();
        let server = tokio::spawn(self.server);
        let signal = async {
            #[cfg(unix)]
            {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .map_err(StartupError::Server)?;
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
            Ok::<(), StartupError>(())
        };
        signal.await?;
        tracing::info!("shutting down: no new requests or jobs");
        handle.stop(true).await;
        let _ = server.await;
        self.stop_scheduler.cancel();
        let _ = self.scheduler.await;
        if let Some(worker) = self.worker {
            worker.shutdown().await;
        }
        Ok(())
    }

    /// Starts serving in the background and returns a handle that stops everything (tests).
    pub fn spawn(self) -> RunningApplication {
        let handle = self.handle.clone();
        tokio::spawn(self.server);
        RunningApplication {
            addr: self.addr,
            handle,
            worker: self.worker,
            stop_scheduler: self.stop_scheduler,
            state: self.state,
        }
    }
}

/// An application serving in the background.
pub struct RunningApplication {
    addr: SocketAddr,
    handle: ServerHandle,
    worker: Option<WorkerHandle>,
    stop_scheduler: CancellationToken,
    state: AppState,
}

impl std::fmt::Debug for RunningApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningApplication")
            .field("addr", &self.addr)
            .finish()
    }
}

impl RunningApplication {
    /// `http://<addr>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Takes the worker out, to stop or kill it separately.
    pub fn take_worker(&mut self) -> Option<WorkerHandle> {
        self.worker.take()
    }

    /// Stops the server, the scheduler and the worker gracefully.
    pub async fn stop(self) {
        self.stop_scheduler.cancel();
        if let Some(worker) = self.worker {
            worker.shutdown().await;
        }
        self.handle.stop(true).await;
    }
}
