//! Starting the release `flux` binary against a database and a sandbox, and installing the
//! bench shop through the real token-exchange flow.

use std::path::{Path, PathBuf};
use std::time::Duration;

use flux_sandbox::{Provider, RunningSandbox};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tokio::process::{Child, Command};

use crate::Error;
use crate::procs;

/// The Shopify app the bench installs (the peer's default secret, so one signature serves
/// both servers).
pub(crate) const API_KEY: &str = "flux-bench-app";
/// The shop the peer's `post.lua` names.
pub(crate) const SHOP: &str = "bench-shop.myshopify.com";

/// Which database flux runs on.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// A fresh database on this PostgreSQL server (`postgres://…/postgres` admin URL).
    Postgres { admin_url: String, db: String },
    /// A fresh SQLite file.
    Sqlite { path: PathBuf },
}

impl Backend {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Postgres { .. } => "postgres",
            Backend::Sqlite { .. } => "sqlite",
        }
    }

    /// The URL flux connects to.
    pub(crate) fn url(&self) -> String {
        match self {
            Backend::Postgres { admin_url, db } => {
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                format!("{base}/{db}")
            }
            Backend::Sqlite { path } => format!("sqlite://{}?mode=rwc", path.display()),
        }
    }

    /// Creates the database empty (dropping a previous bench database).
    pub(crate) async fn reset(&self) -> Result<(), Error> {
        match self {
            Backend::Postgres { admin_url, db } => {
                let admin = Database::connect(admin_url.as_str()).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                    .await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {db}"))
                    .await?;
                admin.close().await?;
            }
            Backend::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
        }
        Ok(())
    }

    /// Drops the bench database (PostgreSQL).
    pub(crate) async fn drop_db(&self) -> Result<(), Error> {
        if let Backend::Postgres { admin_url, db } = self {
            let admin = Database::connect(admin_url.as_str()).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                .await?;
            admin.close().await?;
        }
        Ok(())
    }
}

/// A running flux process.
pub(crate) struct Flux {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) db: DatabaseConnection,
}

/// How to start flux.
pub(crate) struct FluxOptions<'a> {
    pub(crate) binary: &'a Path,
    pub(crate) backend: &'a Backend,
    pub(crate) secret: &'a str,
    pub(crate) workdir: &'a Path,
    pub(crate) sandbox: &'a RunningSandbox,
    pub(crate) worker: bool,
    pub(crate) max_connections: u32,
    pub(crate) log_filter: &'a str,
}

impl Flux {
    pub(crate) async fn start(o: FluxOptions<'_>) -> Result<Self, Error> {
        let port = procs::free_port()?;
        let data = o.workdir.join(format!("flux-data-{}", o.backend.name()));
        std::fs::create_dir_all(&data)?;
        let mut cmd = Command::new(o.binary);
        cmd.arg("serve")
            .env_remove("FLUX_CONFIG")
            .env("FLUX_BIND", format!("127.0.0.1:{port}"))
            .env("FLUX_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("FLUX_DATA_DIR", &data)
            .env("DATABASE_URL", o.backend.url())
            .env("FLUX_DATABASE_URL", o.backend.url())
            .env(
                "FLUX_DATABASE_MAX_CONNECTIONS",
                o.max_connections.to_string(),
            )
            .env("FLUX_LOG_FORMAT", "json")
            .env("RUST_LOG", o.log_filter)
            .env("FLUX_WORKER__ENABLED", o.worker.to_string())
            .env("FLUX_SHOPIFY__API_KEY", API_KEY)
            .env("FLUX_SHOPIFY__API_SECRET", o.secret)
            .env(
                "FLUX_PROVIDERS__SHOPIFY_BASE_URL",
                o.sandbox.base_url(Provider::Shopify),
            )
            .env(
                "FLUX_PROVIDERS__CARGUS_BASE_URL",
                o.sandbox.base_url(Provider::Cargus),
            )
            .env(
                "FLUX_PROVIDERS__SMARTBILL_BASE_URL",
                o.sandbox.base_url(Provider::SmartBill),
            )
            .env(
                "FLUX_PROVIDERS__OBLIO_BASE_URL",
                o.sandbox.base_url(Provider::Oblio),
            )
            .env(
                "FLUX_PROVIDERS__FANCOURIER_BASE_URL",
                o.sandbox.base_url(Provider::FanCourier),
            );
        let log = o.workdir.join(format!("flux-{}.log", o.backend.name()));
        let child = procs::spawn(cmd, &log)?;
        let base = format!("http://127.0.0.1:{port}");
        if !procs::wait_http(&format!("{base}/healthz"), Duration::from_secs(60)).await {
            return Err(format!("flux did not start; see {}", log.display()).into());
        }
        let db = Database::connect(o.backend.url()).await?;
        Ok(Self { child, port, db })
    }

    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    /// An API client for flux (no retries).
    pub(crate) fn client(&self) -> Result<flux_http::HttpClient, Error> {
        Ok(flux_http::HttpClient::builder("flux")
            .base_url(self.base())
            .retry_policy(flux_http::RetryPolicy::none())
            .timeout(Duration::from_secs(30))
            .build()?)
    }

    /// Installs the bench shop by token exchange (the sandbox plays Shopify) and returns
    /// the `Authorization` header value for the shop's API.
    pub(crate) async fn install(&self, sandbox: &RunningSandbox) -> Result<String, Error> {
        let token = sandbox.sims().shopify.session_token_for(API_KEY, SHOP);
        let auth = format!("Bearer {token}");
        let res = self
            .client()?
            .post("/sales/v1/session")
            .header("Authorization", &auth)
            .send_raw()
            .await?;
        if !res.status().is_success() {
            return Err(format!(
                "installing the bench shop failed: {} {}",
                res.status(),
                res.text()
            )
            .into());
        }
        Ok(auth)
    }

    /// `SELECT count(*)` of a table (or a query returning one count).
    pub(crate) async fn count(&self, sql: &str) -> Result<i64, Error> {
        count(&self.db, sql).await
    }

    pub(crate) async fn stop(self) {
        let _ = self.db.close().await;
        procs::stop(self.child, Duration::from_secs(25)).await;
    }
}

/// Runs a one-row, one-column count query.
pub(crate) async fn count(db: &DatabaseConnection, sql: &str) -> Result<i64, Error> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await?
        .ok_or("the count query returned no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}
