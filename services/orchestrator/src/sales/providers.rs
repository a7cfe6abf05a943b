//! Provider clients built from a shop's settings and vault credentials, in one place:
//! base-URL overrides from `[providers]` in the settings, and rate limiters shared per
//! provider account through `state.limiters`.
//!
//! A provider is only ever built from an account the shop configured, so a shop that did
//! not connect an invoicing platform makes no invoicing call.

use std::sync::Arc;
use std::time::Duration;

use flux_core::{Courier, ErrorKind, Invoicer, ProviderError};
use flux_http::RateLimiter;
use flux_http::secret::SecretString;
use sea_orm::{ColumnTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{courier_account, invoicing};
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// Couriers FluxSales connects.
pub const COURIERS: &[&str] = &["fancourier", "cargus", "sameday", "gls"];
/// Invoicing platforms FluxSales connects.
pub const INVOICERS: &[&str] = &["oblio", "smartbill"];

/// Non-secret options of a courier account.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(default)]
pub struct CourierConfig {
    /// FAN Courier ClientID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Cargus pickup location (`LocationId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<i64>,
    /// GLS client number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_number: Option<i64>,
}

/// The secrets of a courier account, opened only to build its client.
pub struct CourierSecrets {
    /// Password.
    pub password: SecretString,
    /// Cargus subscription key.
    pub subscription_key: Option<SecretString>,
}

fn vault_name(account: Uuid) -> String {
    format!("courier:{account}")
}

fn config_error(provider: &'static str, message: impl Into<String>) -> ProviderError {
    ProviderError::new(ErrorKind::Validation, provider, message)
}

fn static_provider(provider: &str) -> Option<&'static str> {
    COURIERS
        .iter()
        .chain(INVOICERS.iter())
        .find(|p| **p == provider)
        .copied()
}

/// Builds a courier client (no network call).
pub fn build_courier(
    state: &AppState,
    provider: &str,
    username: &str,
    config: &CourierConfig,
    secrets: CourierSecrets,
) -> Result<Arc<dyn Courier>, ProviderError> {
    let urls = &state.settings.providers;
    let timeout = Duration::from_secs(20);
    let account_key = format!("{username}/{}", config.client_id.as_deref().unwrap_or(""));
    match provider {
        "fancourier" => {
            let client_id = config
                .client_id
                .clone()
                .ok_or_else(|| config_error("fancourier", "client_id is required"))?;
            let mut b =
                flux_fancourier::FanCourierClient::builder(client_id, username, secrets.password)
                    .timeout(timeout)
                    .rate_limiter(
                        state
                            .limiters
                            .get_or_create("fancourier", &account_key, || {
                                RateLimiter::new(10, Duration::from_secs(1))
                            }),
                    );
            if let Some(url) = &urls.fancourier_base_url {
                b = b.base_url(url.clone());
            }
            Ok(Arc::new(b.build()?))
        }
        "cargus" => {
            let key = secrets
                .subscription_key
                .ok_or_else(|| config_error("cargus", "subscription_key is required"))?;
            let mut b = flux_cargus::CargusClient::builder(key, username, secrets.password)
                .timeout(timeout)
                .rate_limiter(state.limiters.get_or_create("cargus", &account_key, || {
                    RateLimiter::new(10, Duration::from_secs(1))
                }));
            if let Some(location) = config.location_id {
                b = b.default_location_id(location);
            }
            if let Some(url) = &urls.cargus_base_url {
                b = b.base_url(url.clone());
            }
            Ok(Arc::new(b.build()?))
        }
        "sameday" => {
            let mut b = flux_sameday::SamedayClient::builder(username, secrets.password)
                .rate_limiter(state.limiters.get_or_create("sameday", &account_key, || {
                    RateLimiter::new(10, Duration::from_secs(1))
                }));
            if let Some(url) = &urls.sameday_base_url {
                b = b.base_url(url.clone());
            }
            Ok(Arc::new(b.build()?))
        }
        "gls" => {
            let number = config
                .client_number
                .ok_or_else(|| config_error("gls", "client_number is required"))?;
            let mut b = flux_gls::GlsClient::builder(username, secrets.password, number)
                .rate_limiter(state.limiters.get_or_create("gls", &account_key, || {
                    RateLimiter::new(5, Duration::from_secs(1))
                }));
            if let Some(url) = &urls.gls_base_url {
                b = b.base_url(url.clone());
            }
            Ok(Arc::new(b.build()?))
        }
        other => Err(config_error(
            "flux",
            format!("unknown courier {other:?}; expected one of {COURIERS:?}"),
        )),
    }
}

/// Stores a courier account's secrets in the vault.
pub async fn store_courier_secrets(
    state: &AppState,
    tenant: TenantId,
    account: Uuid,
    secrets: &CourierSecrets,
) -> Result<String, crate::credentials::CredentialError> {
    let name = vault_name(account);
    let pw = secrecy::SecretString::from(secrets.password.expose_secret().to_owned());
    let view = state
        .credentials
        .put(tenant, &name, "password", &pw, None)
        .await?;
    if let Some(key) = &secrets.subscription_key {
        let key = secrecy::SecretString::from(key.expose_secret().to_owned());
        state
            .credentials
            .put(tenant, &name, "subscription_key", &key, None)
            .await?;
    }
    Ok(view.masked)
}

/// Deletes a courier account's secrets.
pub async fn delete_courier_secrets(
    state: &AppState,
    tenant: TenantId,
    account: Uuid,
) -> Result<(), crate::credentials::CredentialError> {
    state
        .credentials
        .delete_provider(tenant, &vault_name(account))
        .await
        .map(|_| ())
}

fn open_error(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(
        ErrorKind::Configuration,
        "flux",
        format!("credential vault: {e}"),
    )
}

/// The client of a stored courier account.
pub async fn courier_for(
    state: &AppState,
    account: &courier_account::Model,
) -> Result<Arc<dyn Courier>, ProviderError> {
    let tenant = TenantId(account.tenant_id);
    let name = vault_name(account.id);
    let password = state
        .credentials
        .get(tenant, &name, "password")
        .await
        .map_err(open_error)?
        .ok_or_else(|| {
            ProviderError::new(ErrorKind::Auth, "flux", "the courier password is missing")
        })?;
    let key = state
        .credentials
        .get(tenant, &name, "subscription_key")
        .await
        .map_err(open_error)?;
    let config: CourierConfig = serde_json::from_value(account.config.clone()).unwrap_or_default();
    build_courier(
        state,
        &account.provider,
        &account.username,
        &config,
        CourierSecrets {
            password: SecretString::from(password.expose_secret().to_owned()),
            subscription_key: key.map(|k| SecretString::from(k.expose_secret().to_owned())),
        },
    )
}

/// The shop's courier accounts.
pub async fn courier_accounts(
    state: &AppState,
    tenant: TenantId,
) -> Result<Vec<courier_account::Model>, sea_orm::DbErr> {
    scoped::<courier_account::Entity>(tenant)
        .filter(courier_account::Column::TenantId.eq(tenant.0))
        .all(&state.db)
        .await
}

/// Builds an invoicing client (no network call).
pub fn build_invoicer(
    state: &AppState,
    provider: &str,
    username: &str,
    cif: &str,
    secret: SecretString,
) -> Result<Arc<dyn Invoicer>, ProviderError> {
    let urls = &state.settings.providers;
    match provider {
        "oblio" => {
            // Oblio's two limits are per account: every client of the account shares the
            // same pair, with the crate's margin (30 per 101 s for creations, 30 per 11 s
            // for the rest).
            let limits = flux_oblio::OblioRateLimits {
                documents: state.limiters.get_or_create("oblio-documents", cif, || {
                    RateLimiter::new(30, Duration::from_secs(101))
                }),
                other: state.limiters.get_or_create("oblio", cif, || {
                    RateLimiter::new(30, Duration::from_secs(11))
                }),
            };
            let mut b = flux_oblio::OblioClient::builder(username, secret, cif).rate_limits(limits);
            if let Some(url) = &urls.oblio_base_url {
                b = b.base_url(url.clone());
            }
            Ok(Arc::new(b.build()?))
        }
        "smartbill" => {
            let mut b = flux_smartbill::SmartBillClient::builder(username, secret, cif)
                // SmartBill blocks an account for 10 minutes at its 31st call in 10 s; the
                // limiter counts starts here, so it keeps a second of margin for jitter.
                .rate_limiter(state.limiters.get_or_create("smartbill", cif, || {
                    RateLimiter::new(flux_smartbill::PUBLISHED_LIMIT.0, Duration::from_secs(11))
                }));
            if let Some(url) = &urls.smartbill_base_url {
                b = b.base_url(url.clone());
            }
            Ok(Arc::new(b.build()?))
        }
        other => Err(config_error(
            "flux",
            format!("unknown invoicing platform {other:?}; expected one of {INVOICERS:?}"),
        )),
    }
}

/// The shop's invoicing connection and its client, or `None` when it connected none.
pub async fn invoicer_for(
    state: &AppState,
    tenant: TenantId,
) -> Result<Option<(invoicing::Model, Arc<dyn Invoicer>)>, ProviderError> {
    let Some(conn) = scoped::<invoicing::Entity>(tenant)
        .one(&state.db)
        .await
        .map_err(|e| ProviderError::new(ErrorKind::Unavailable, "flux", e.to_string()))?
    else {
        return Ok(None);
    };
    let secret = state
        .credentials
        .get(tenant, &conn.provider, "api_secret")
        .await
        .map_err(open_error)?
        .ok_or_else(|| {
            ProviderError::new(ErrorKind::Auth, "flux", "the invoicing secret is missing")
        })?;
    let client = build_invoicer(
        state,
        &conn.provider,
        &conn.username,
        &conn.company_cif,
        SecretString::from(secret.expose_secret().to_owned()),
    )?;
    Ok(Some((conn, client)))
}

/// The `&'static` name of a provider id stored as text.
pub fn provider_name(provider: &str) -> &'static str {
    static_provider(provider).unwrap_or("unknown")
}

/// Shopify's tracking company name and a public tracking URL for an AWB.
pub fn tracking_for(provider: &str, awb: &str) -> (&'static str, String) {
    match provider {
        "fancourier" => (
            "FAN Courier",
            format!("https://www.fancourier.ro/awb-tracking/?tracking={awb}"),
        ),
        "cargus" => (
            "Cargus",
            format!("https://www.cargus.ro/personal/urmareste-coletul/?tracking_number={awb}"),
        ),
        "sameday" => ("Sameday", format!("https://sameday.ro/#awb={awb}")),
        "gls" => (
            "GLS",
            format!("https://gls-group.com/RO/ro/urmarire-colet/?match={awb}"),
        ),
        _ => ("Other", String::new()),
    }
}

/// Whether the shop connected an invoicing platform.
pub async fn invoicer_configured<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: TenantId,
) -> Result<bool, sea_orm::DbErr> {
    Ok(scoped::<invoicing::Entity>(tenant).one(db).await?.is_some())
}
