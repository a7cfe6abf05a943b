//! Configuration: defaults, then an optional TOML file, then environment variables.
//!
//! `flux serve` with no configuration at all runs locally: it binds `127.0.0.1:8080`,
//! keeps a SQLite database and a generated master key in `./data`, and serves the API at
//! `http://127.0.0.1:8080`. Every setting can come from the TOML file named by
//! `FLUX_CONFIG` (or `flux.toml` in the working directory, when present) or from an
//! environment variable `FLUX_<SECTION>__<KEY>` (`FLUX_BIND`, `FLUX_WORKER__CONCURRENCY`).
//! `DATABASE_URL` is honoured as well as `FLUX_DATABASE_URL`.
//!
//! ```
//! use flux_orchestrator::config::Settings;
//!
//! let settings = Settings::default();
//! assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
//! assert!(settings.validate().is_ok());
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A value could not be read or parsed.
    #[error("configuration could not be read: {0}")]
    Load(String),
    /// A value was read but is not acceptable.
    #[error("invalid setting `{setting}` (env {env}): {message}")]
    Invalid {
        /// The setting's name in the TOML file.
        setting: &'static str,
        /// The environment variable that sets it.
        env: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
}

fn invalid(setting: &'static str, env: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        env,
        message: message.into(),
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LogFormat {
    /// One JSON object per line (production).
    Json,
    /// Human-readable lines (development).
    Pretty,
}

/// The background job worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkerSettings {
    /// Run the worker in this process.
    pub enabled: bool,
    /// How many jobs run at once in this process.
    pub concurrency: usize,
    /// How often an idle worker looks for due jobs, in milliseconds.
    pub poll_interval_ms: u64,
    /// How long a claimed job is leased before another worker may take it over, seconds.
    pub lease_secs: u64,
    /// How long shutdown waits for running jobs before releasing their leases, seconds.
    pub shutdown_grace_secs: u64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            concurrency: 8,
            poll_interval_ms: 500,
            lease_secs: 300,
            shutdown_grace_secs: 20,
        }
    }
}

impl WorkerSettings {
    /// The poll interval.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }
    /// The lease length.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs)
    }
}

/// The Shopify app's credentials (FluxSales).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ShopifySettings {
    /// The app's API key (client id).
    pub api_key: Option<String>,
    /// The app's API secret (client secret); signs webhooks and session tokens.
    #[serde(skip_serializing)]
    pub api_secret: Option<SecretString>,
    /// Scopes requested at install.
    pub scopes: Option<String>,
}

/// The QuickBooks Online app's credentials (FluxOrders).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct QuickBooksSettings {
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret.
    #[serde(skip_serializing)]
    pub client_secret: Option<SecretString>,
    /// Webhook verifier token.
    #[serde(skip_serializing)]
    pub webhook_verifier: Option<SecretString>,
    /// `sandbox` or `production`.
    pub environment: Option<String>,
    /// The OAuth redirect URI registered with Intuit; `{public_url}/orders-api/v1/quickbooks/callback` when absent.
    pub redirect_uri: Option<String>,
    /// Overrides the API host (tests; HTTPS or loopback only).
    pub api_base_url: Option<String>,
    /// Overrides the OAuth token endpoint (tests).
    pub token_url: Option<String>,
    /// Overrides the OAuth revocation endpoint (tests).
    pub revocation_url: Option<String>,
}

/// Base-URL overrides per provider (a sandbox, a proxy, or a mock server in tests). Each
/// client still refuses plain http except for loopback hosts.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ProvidersSettings {
    /// Shopify (OAuth and Admin API), instead of `https://{shop}/`.
    pub shopify_base_url: Option<String>,
    /// FAN Courier.
    pub fancourier_base_url: Option<String>,
    /// Cargus.
    pub cargus_base_url: Option<String>,
    /// Sameday.
    pub sameday_base_url: Option<String>,
    /// GLS.
    pub gls_base_url: Option<String>,
    /// Oblio.
    pub oblio_base_url: Option<String>,
    /// SmartBill.
    pub smartbill_base_url: Option<String>,
}

/// Everything the service needs to start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// The URL users and providers reach the service at (OAuth redirects, webhooks).
    pub public_url: String,
    /// Where local state lives (the SQLite database, the generated master key, uploads).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; a SQLite file in `data_dir` when absent.
    pub database_url: Option<String>,
    /// Maximum database connections in the pool.
    pub database_max_connections: u32,
    /// Master keys for the credential vault, `id:base64-32-bytes`, comma-separated, the
    /// first used for new secrets. Generated into `data_dir/master.key` when absent.
    #[serde(skip_serializing)]
    pub master_keys: Option<SecretString>,
    /// Bearer token for the operator endpoints under `/admin` (disabled when absent).
    #[serde(skip_serializing)]
    pub admin_token: Option<SecretString>,
    /// Log format.
    pub log_format: LogFormat,
    /// Largest accepted JSON body, bytes.
    pub max_json_body_bytes: usize,
    /// Background jobs.
    pub worker: WorkerSettings,
    /// Shopify app.
    pub shopify: ShopifySettings,
    /// QuickBooks app.
    pub quickbooks: QuickBooksSettings,
    /// Provider base-URL overrides (FluxSales).
    pub providers: ProvidersSettings,
    /// FluxOrders (sessions, login throttling, uploads).
    pub orders: crate::orders::OrdersSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 10,
            master_keys: None,
            admin_token: None,
            log_format: LogFormat::Pretty,
            max_json_body_bytes: 1024 * 1024,
            worker: WorkerSettings::default(),
            shopify: ShopifySettings::default(),
            quickbooks: QuickBooksSettings::default(),
            providers: ProvidersSettings::default(),
            orders: crate::orders::OrdersSettings::default(),
        }
    }
}

impl Settings {
    /// Loads defaults, then the TOML file (`FLUX_CONFIG`, or `./flux.toml` when present),
    /// then the environment, and validates the result.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os("FLUX_CONFIG")
            .map(PathBuf::from)
            .or_else(|| {
                Path::new("flux.toml")
                    .exists()
                    .then(|| PathBuf::from("flux.toml"))
            });
        Self::load_from(file.as_deref())
    }

    /// Like [`load`](Self::load) with an explicit TOML file.
    pub fn load_from(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::Load(format!(
                    "the configuration file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed("FLUX_").split("__"));
        if let Ok(url) = std::env::var("DATABASE_URL")
            && std::env::var_os("FLUX_DATABASE_URL").is_none()
        {
            figment = figment.merge(("database_url", url));
        }
        let settings: Settings = figment
            .extract()
            .map_err(|e| ConfigError::Load(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every setting and says exactly what is wrong.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let public = Url::parse(&self.public_url).map_err(|e| {
            invalid(
                "public_url",
                "FLUX_PUBLIC_URL",
                format!("{e}: expected a URL such as https://flux.example.com"),
            )
        })?;
        let local = matches!(public.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if public.scheme() != "https" && !(public.scheme() == "http" && local) {
            return Err(invalid(
                "public_url",
                "FLUX_PUBLIC_URL",
                "must be https (plain http is allowed only for localhost); terminate TLS here or at a proxy",
            ));
        }
        let url = self.database_url();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database_url",
                "DATABASE_URL",
                format!(
                    "unsupported database URL scheme in {:?}: use sqlite://path or postgres://",
                    redact_url(&url)
                ),
            ));
        }
        if self.database_max_connections == 0 {
            return Err(invalid(
                "database_max_connections",
                "FLUX_DATABASE_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        if self.worker.concurrency == 0 || self.worker.concurrency > 256 {
            return Err(invalid(
                "worker.concurrency",
                "FLUX_WORKER__CONCURRENCY",
                "must be between 1 and 256",
            ));
        }
        if self.worker.lease_secs < 1 {
            return Err(invalid(
                "worker.lease_secs",
                "FLUX_WORKER__LEASE_SECS",
                "must be at least 1 second",
            ));
        }
        if self.max_json_body_bytes < 1024 {
            return Err(invalid(
                "max_json_body_bytes",
                "FLUX_MAX_JSON_BODY_BYTES",
                "must be at least 1024",
            ));
        }
        if let Some(keys) = &self.master_keys {
            crate::vault::parse_master_keys(keys)
                .map_err(|e| invalid("master_keys", "FLUX_MASTER_KEYS", e.to_string()))?;
        }
        Ok(())
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("flux.sqlite").display()
            ),
        }
    }
}

/// A database URL with its password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_local() {
        let s = Settings::default();
        s.validate().unwrap();
        assert!(s.database_url().starts_with("sqlite://"));
        assert!(s.database_url().ends_with("flux.sqlite?mode=rwc"));
    }

    #[test]
    fn bad_values_name_the_setting_and_env_var() {
        let s = Settings {
            public_url: "http://flux.example.com".into(),
            ..Default::default()
        };
        let err = s.validate().unwrap_err().to_string();
        assert!(
            err.contains("public_url") && err.contains("FLUX_PUBLIC_URL"),
            "{err}"
        );

        let s = Settings {
            database_url: Some("mysql://root@localhost/flux".into()),
            ..Default::default()
        };
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");

        let mut s = Settings::default();
        s.worker.concurrency = 0;
        assert!(
            s.validate()
                .unwrap_err()
                .to_string()
                .contains("FLUX_WORKER__CONCURRENCY")
        );

        let s = Settings {
            master_keys: Some(SecretString::from("k1:not-base64")),
            ..Default::default()
        };
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("FLUX_MASTER_KEYS"), "{err}");
        assert!(
            !err.contains("not-base64"),
            "the key must not be echoed: {err}"
        );
    }

    #[test]
    fn toml_file_is_read_and_missing_file_is_an_error() {
        let dir = std::env::temp_dir().join(format!("flux-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("flux.toml");
        std::fs::write(
            &file,
            "bind = \"0.0.0.0:9000\"\n[worker]\nconcurrency = 3\n",
        )
        .unwrap();
        let s = Settings::load_from(Some(&file)).unwrap();
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.worker.concurrency, 3);
        let err = Settings::load_from(Some(&dir.join("nope.toml"))).unwrap_err();
        assert!(err.to_string().contains("does not exist"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn redacts_database_passwords() {
        assert_eq!(
            redact_url("postgres://flux:hunter2@db:5432/flux"),
            "postgres://flux:redacted@db:5432/flux"
        );
    }
}
