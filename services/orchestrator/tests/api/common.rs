//! Test helpers: fresh databases, applications on random ports, an HTTP client.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use flux_http::HttpClient;
use flux_orchestrator::config::Settings;
use flux_orchestrator::jobs::JobHandler;
use flux_orchestrator::startup::{Application, RunningApplication};
use flux_orchestrator::vault::MasterKey;
use sea_orm::{ConnectionTrait, Database};
use secrecy::{ExposeSecret, SecretString};

pub(crate) const ADMIN_TOKEN: &str = "test-operator-token-0123456789";

/// A database backend to run a test on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `DATABASE_URL` names one.
pub(crate) fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        all.push(Backend::Postgres);
    }
    all
}

/// A fresh, empty database and a data directory of its own.
pub(crate) struct TestDb {
    pub(crate) backend: Backend,
    pub(crate) url: String,
    pub(crate) data_dir: PathBuf,
}

impl TestDb {
    pub(crate) async fn new(backend: Backend) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("flux-test-{id}"));
        std::fs::create_dir_all(&data_dir).unwrap();
        let url = match backend {
            Backend::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("flux.sqlite").display()
            ),
            Backend::Postgres => {
                let admin_url = std::env::var("DATABASE_URL").unwrap();
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to DATABASE_URL");
                drop_stale_test_databases(&admin).await;
                let name = format!("flux_test_{}_{}", chrono::Utc::now().timestamp(), &id[..12]);
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).unwrap();
                url.set_path(&name);
                url.to_string()
            }
        };
        Self {
            backend,
            url,
            data_dir,
        }
    }

    /// Settings for an application on this database, on a random port.
    pub(crate) fn settings(&self) -> Settings {
        let key = MasterKey::from_bytes("test", &[7u8; 32]).unwrap();
        let mut s = Settings {
            bind: "127.0.0.1:0".parse().unwrap(),
            data_dir: self.data_dir.clone(),
            database_url: Some(self.url.clone()),
            database_max_connections: 5,
            master_keys: Some(SecretString::from(
                key.to_config_string().expose_secret().to_owned(),
            )),
            admin_token: Some(SecretString::from(ADMIN_TOKEN)),
            ..Default::default()
        };
        s.worker.poll_interval_ms = 25;
        s.worker.lease_secs = 2;
        s.worker.shutdown_grace_secs = 2;
        s.worker.concurrency = 4;
        s.max_json_body_bytes = 16 * 1024;
        s
    }
}

/// Drops test databases left by runs more than two hours old (a test that panics cannot
/// clean up after itself), so a shared PostgreSQL does not fill up.
async fn drop_stale_test_databases(admin: &sea_orm::DatabaseConnection) {
    use sea_orm::Statement;
    let cutoff = chrono::Utc::now().timestamp() - 2 * 3600;
    let Ok(rows) = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'flux_test_%'",
        ))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let created = name
            .strip_prefix("flux_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|t| t.parse::<i64>().ok());
        // Names without a timestamp come from an older layout: stale by definition.
        if created.is_none_or(|t| t < cutoff) {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// Starts an application with `handlers` on `db`.
pub(crate) async fn spawn_app(
    db: &TestDb,
    handlers: Vec<Arc<dyn JobHandler>>,
) -> RunningApplication {
    spawn_app_with(db.settings(), handlers).await
}

/// Starts an application with explicit settings.
pub(crate) async fn spawn_app_with(
    settings: Settings,
    handlers: Vec<Arc<dyn JobHandler>>,
) -> RunningApplication {
    let mut builder = Application::builder(settings);
    for h in handlers {
        builder = builder.job_handler(h);
    }
    builder.build().await.expect("application starts").spawn()
}

/// A client for the application's API (no retries, so tests see every answer).
pub(crate) fn client(app: &RunningApplication) -> HttpClient {
    HttpClient::builder("flux-test")
        .base_url(app.base_url())
        .retry_policy(flux_http::RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Waits until `check` holds, up to `within`.
pub(crate) async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A bearer token header value for the operator endpoints.
pub(crate) fn admin_token() -> SecretString {
    SecretString::from(ADMIN_TOKEN)
}
