//! Provider clients built from a shop's settings and vault credentials, in one place:
//! base-URL overrides from `[providers]` in the settings, and rate limiters shared per
//! provider account through `state.limiters`.
//!
//! A provider is only ever built from an account the shop configured, so a shop that did
//! not connect an invoicing platform makes no invoicing call.
//!
//! Built clients are kept in [`ProviderClients`] (in `state.provider_clients`), one per
//! courier account and one per invoicing connection, so the login token a client holds
//! (FAN Courier allows about 20 logins per user per hour, Cargus and Sameday tokens live
//! for a day or more) serves every job of that account. A cached client is used only
//! while its *fingerprint* still matches: a SHA-256 over what it was built from (provider,
//! username, options or CIF) and the sealed credential rows (key id, nonce and
//! ciphertext, which change whenever a secret is stored again: a fresh nonce each time).
//! Changing, deleting or re-sealing an account's credentials therefore retires its
//! client even in another process sharing the database; the settings handlers also
//! evict it at once, and a shop that is no longer installed gets no client at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flux_core::{Courier, ErrorKind, Invoicer, ProviderError};
use flux_http::secret::SecretString;
use flux_http::{RateLimiter, WindowAnchor};
use sea_orm::{ColumnTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{courier_account, invoicing};
use crate::entity::credential;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// How many built clients the process keeps at most (the least recently used goes first).
pub const CLIENT_CACHE_CAPACITY: usize = 2048;

/// Which client of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    /// A courier account.
    Courier(Uuid),
    /// The invoicing connection (one per shop).
    Invoicing,
}

#[derive(Clone)]
enum Client {
    Courier(Arc<dyn Courier>),
    Invoicer(Arc<dyn Invoicer>),
}

struct CachedClient {
    fingerprint: [u8; 32],
    client: Client,
    last_used: u64,
}

#[derive(Default)]
struct ClientMap {
    entries: HashMap<(Uuid, Slot), CachedClient>,
    clock: u64,
}

/// Built provider clients per tenant account, bounded to [`CLIENT_CACHE_CAPACITY`]
/// entries, each valid only while its account's fingerprint matches (see the module
/// docs). Cheap to clone: clones share the map.
#[derive(Clone)]
pub struct ProviderClients {
    inner: Arc<Mutex<ClientMap>>,
    capacity: usize,
}

impl Default for ProviderClients {
    fn default() -> Self {
        Self::with_capacity(CLIENT_CACHE_CAPACITY)
    }
}

impl std::fmt::Debug for ProviderClients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderClients")
            .field("clients", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl ProviderClients {
    /// An empty cache holding at most `capacity` clients (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(ClientMap::default())),
            capacity: capacity.max(1),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, ClientMap> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many clients are cached.
    pub fn len(&self) -> usize {
        self.map().entries.len()
    }

    /// Whether no client is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, tenant: TenantId, slot: Slot, fingerprint: &[u8; 32]) -> Option<Client> {
        let mut map = self.map();
        map.clock += 1;
        let now = map.clock;
        let key = (tenant.0, slot);
        match map.entries.get_mut(&key) {
            Some(e) if e.fingerprint == *fingerprint => {
                e.last_used = now;
                Some(e.client.clone())
            }
            Some(_) => {
                // Built from credentials or options that changed since: never used again.
                map.entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Keeps `client` for `slot`, or returns the client another task kept meanwhile for
    /// the same fingerprint (so concurrent first uses share one client and its single
    /// login). `replace` keeps `client` even then (a client just checked live).
    fn put(
        &self,
        tenant: TenantId,
        slot: Slot,
        fingerprint: [u8; 32],
        client: Client,
        replace: bool,
    ) -> Client {
        let mut map = self.map();
        map.clock += 1;
        let now = map.clock;
        let key = (tenant.0, slot);
        if !replace
            && let Some(e) = map.entries.get_mut(&key)
            && e.fingerprint == fingerprint
        {
            e.last_used = now;
            return e.client.clone();
        }
        if !map.entries.contains_key(&key) && map.entries.len() >= self.capacity {
            let oldest = map
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                map.entries.remove(&k);
            }
        }
        map.entries.insert(
            key,
            CachedClient {
                fingerprint,
                client: client.clone(),
                last_used: now,
            },
        );
        client
    }

    /// Forgets the client of one courier account.
    pub fn forget_courier(&self, tenant: TenantId, account: Uuid) {
        self.map()
            .entries
            .remove(&(tenant.0, Slot::Courier(account)));
    }

    /// Forgets the client of the tenant's invoicing connection.
    pub fn forget_invoicer(&self, tenant: TenantId) {
        self.map().entries.remove(&(tenant.0, Slot::Invoicing));
    }

    /// Forgets every client of a tenant (an uninstalled or erased shop).
    pub fn forget_tenant(&self, tenant: TenantId) {
        self.map().entries.retain(|(t, _), _| *t != tenant.0);
    }
}

/// The fingerprint of an account: what its client was built from, the secrets only as
/// their sealed form.
fn fingerprint(parts: &[&[u8]], sealed: &[credential::Model]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for p in parts {
        field(p);
    }
    let mut rows: Vec<&credential::Model> = sealed.iter().collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    for r in rows {
        field(r.name.as_bytes());
        field(r.key_id.as_bytes());
        field(&r.nonce);
        field(&r.ciphertext);
    }
    h.finalize().into()
}

async fn sealed_rows(
    state: &AppState,
    tenant: TenantId,
    vault_provider: &str,
) -> Result<Vec<credential::Model>, ProviderError> {
    scoped::<credential::Entity>(tenant)
        .filter(credential::Column::Provider.eq(vault_provider))
        .all(&state.db)
        .await
        .map_err(db_error)
}

fn db_error(e: sea_orm::DbErr) -> ProviderError {
    ProviderError::new(ErrorKind::Unavailable, "flux", format!("database: {e}"))
}

/// Refuses (and forgets the clients of) a shop that is no longer installed.
async fn require_installed(state: &AppState, tenant: TenantId) -> Result<(), ProviderError> {
    if super::active_shop(&state.db, tenant)
        .await
        .map_err(db_error)?
        .is_none()
    {
        state.provider_clients.forget_tenant(tenant);
        return Err(ProviderError::new(
            ErrorKind::Auth,
            "flux",
            "the shop is not installed",
        ));
    }
    Ok(())
}

fn courier_fingerprint(account: &courier_account::Model, sealed: &[credential::Model]) -> [u8; 32] {
    let config = account.config.to_string();
    fingerprint(
        &[
            account.provider.as_bytes(),
            account.username.as_bytes(),
            config.as_bytes(),
        ],
        sealed,
    )
}

fn invoicer_fingerprint(conn: &invoicing::Model, sealed: &[credential::Model]) -> [u8; 32] {
    fingerprint(
        &[
            conn.provider.as_bytes(),
            conn.username.as_bytes(),
            conn.company_cif.as_bytes(),
        ],
        sealed,
    )
}

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

/// The vault "provider" under which a courier account's secrets are sealed.
pub fn vault_name(account: Uuid) -> String {
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
    // Every limiter counts a call until a window after its answer (WindowAnchor::Completion):
    // counted from the start, network delay bunched arrivals and the pipeline benchmark saw
    // a few Cargus violations per 1,000 AWBs.
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
                                    .anchored_at(WindowAnchor::Completion)
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
                        .anchored_at(WindowAnchor::Completion)
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
                        .anchored_at(WindowAnchor::Completion)
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
                        .anchored_at(WindowAnchor::Completion)
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

/// The client of a stored courier account: the cached one while the account and its
/// sealed credentials are unchanged, else a new one (kept for the next call).
pub async fn courier_for(
    state: &AppState,
    account: &courier_account::Model,
) -> Result<Arc<dyn Courier>, ProviderError> {
    let tenant = TenantId(account.tenant_id);
    require_installed(state, tenant).await?;
    let name = vault_name(account.id);
    let sealed = sealed_rows(state, tenant, &name).await?;
    let fp = courier_fingerprint(account, &sealed);
    let slot = Slot::Courier(account.id);
    if let Some(Client::Courier(c)) = state.provider_clients.get(tenant, slot, &fp) {
        return Ok(c);
    }
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
    let client = build_courier(
        state,
        &account.provider,
        &account.username,
        &config,
        CourierSecrets {
            password: SecretString::from(password.expose_secret().to_owned()),
            subscription_key: key.map(|k| SecretString::from(k.expose_secret().to_owned())),
        },
    )?;
    match state
        .provider_clients
        .put(tenant, slot, fp, Client::Courier(client.clone()), false)
    {
        Client::Courier(c) => Ok(c),
        Client::Invoicer(_) => Ok(client),
    }
}

/// Keeps `client`, just checked live with the credentials now stored for `account`, as
/// that account's client, so the login of the check serves the jobs that follow.
pub async fn remember_courier(
    state: &AppState,
    account: &courier_account::Model,
    client: Arc<dyn Courier>,
) -> Result<(), ProviderError> {
    let tenant = TenantId(account.tenant_id);
    let sealed = sealed_rows(state, tenant, &vault_name(account.id)).await?;
    let fp = courier_fingerprint(account, &sealed);
    state.provider_clients.put(
        tenant,
        Slot::Courier(account.id),
        fp,
        Client::Courier(client),
        true,
    );
    Ok(())
}

/// Keeps `client`, just checked live, as the client of the tenant's invoicing connection.
pub async fn remember_invoicer(
    state: &AppState,
    conn: &invoicing::Model,
    client: Arc<dyn Invoicer>,
) -> Result<(), ProviderError> {
    let tenant = TenantId(conn.tenant_id);
    let sealed = sealed_rows(state, tenant, &conn.provider).await?;
    let fp = invoicer_fingerprint(conn, &sealed);
    state
        .provider_clients
        .put(tenant, Slot::Invoicing, fp, Client::Invoicer(client), true);
    Ok(())
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
            // same pair (the crate's: 30 per 100 s for creations, 30 per 10 s for the rest,
            // each call counted until a window after its answer).
            let limits = flux_oblio::OblioRateLimits {
                documents: state.limiters.get_or_create(
                    "oblio-documents",
                    cif,
                    flux_oblio::OblioRateLimits::documents_limiter,
                ),
                other: state.limiters.get_or_create(
                    "oblio",
                    cif,
                    flux_oblio::OblioRateLimits::other_limiter,
                ),
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
                // limiter counts each call until 10 s after its answer, so jitter cannot
                // bunch 31 arrivals into one window.
                .rate_limiter(state.limiters.get_or_create(
                    "smartbill",
                    cif,
                    flux_smartbill::SmartBillClient::published_rate_limiter,
                ));
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

/// The shop's invoicing connection and its client, or `None` when it connected none. The
/// client is cached like the couriers' (see [`courier_for`]).
pub async fn invoicer_for(
    state: &AppState,
    tenant: TenantId,
) -> Result<Option<(invoicing::Model, Arc<dyn Invoicer>)>, ProviderError> {
    let Some(conn) = scoped::<invoicing::Entity>(tenant)
        .one(&state.db)
        .await
        .map_err(|e| ProviderError::new(ErrorKind::Unavailable, "flux", e.to_string()))?
    else {
        state.provider_clients.forget_invoicer(tenant);
        return Ok(None);
    };
    require_installed(state, tenant).await?;
    let sealed = sealed_rows(state, tenant, &conn.provider).await?;
    let fp = invoicer_fingerprint(&conn, &sealed);
    if let Some(Client::Invoicer(c)) = state.provider_clients.get(tenant, Slot::Invoicing, &fp) {
        return Ok(Some((conn, c)));
    }
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
    let client = match state.provider_clients.put(
        tenant,
        Slot::Invoicing,
        fp,
        Client::Invoicer(client.clone()),
        false,
    ) {
        Client::Invoicer(c) => c,
        Client::Courier(_) => client,
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use flux_core::courier::CourierCapabilities;

    struct Dummy(&'static str);

    #[async_trait::async_trait]
    impl Courier for Dummy {
        fn provider(&self) -> &'static str {
            self.0
        }
        fn capabilities(&self) -> CourierCapabilities {
            CourierCapabilities::default()
        }
    }

    fn courier(name: &'static str) -> Client {
        Client::Courier(Arc::new(Dummy(name)))
    }

    fn name(c: Option<Client>) -> Option<&'static str> {
        match c {
            Some(Client::Courier(c)) => Some(c.provider()),
            _ => None,
        }
    }

    #[test]
    fn a_client_serves_while_its_fingerprint_matches() {
        let cache = ProviderClients::with_capacity(8);
        let t = TenantId(Uuid::now_v7());
        let acc = Slot::Courier(Uuid::now_v7());
        cache.put(t, acc, [1; 32], courier("first"), false);
        assert_eq!(name(cache.get(t, acc, &[1; 32])), Some("first"));
        // Another tenant, or the invoicing slot, never sees it.
        assert_eq!(
            name(cache.get(TenantId(Uuid::now_v7()), acc, &[1; 32])),
            None
        );
        assert!(cache.get(t, Slot::Invoicing, &[1; 32]).is_none());
        // Changed credentials: the old client is dropped, not returned.
        assert_eq!(name(cache.get(t, acc, &[2; 32])), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn concurrent_first_uses_share_the_first_client_and_a_checked_one_replaces_it() {
        let cache = ProviderClients::with_capacity(8);
        let t = TenantId(Uuid::now_v7());
        let acc = Slot::Courier(Uuid::now_v7());
        assert_eq!(
            name(Some(cache.put(t, acc, [1; 32], courier("a"), false))),
            Some("a")
        );
        assert_eq!(
            name(Some(cache.put(t, acc, [1; 32], courier("b"), false))),
            Some("a")
        );
        assert_eq!(
            name(Some(cache.put(t, acc, [1; 32], courier("checked"), true))),
            Some("checked")
        );
        assert_eq!(name(cache.get(t, acc, &[1; 32])), Some("checked"));
        // A different fingerprint always replaces.
        assert_eq!(
            name(Some(cache.put(t, acc, [3; 32], courier("new"), false))),
            Some("new")
        );
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn the_cache_is_bounded_and_drops_the_least_recently_used() {
        let cache = ProviderClients::with_capacity(2);
        let t = TenantId(Uuid::now_v7());
        let (a, b, c) = (
            Slot::Courier(Uuid::now_v7()),
            Slot::Courier(Uuid::now_v7()),
            Slot::Courier(Uuid::now_v7()),
        );
        cache.put(t, a, [0; 32], courier("a"), false);
        cache.put(t, b, [0; 32], courier("b"), false);
        assert!(cache.get(t, a, &[0; 32]).is_some());
        cache.put(t, c, [0; 32], courier("c"), false);
        assert_eq!(cache.len(), 2);
        assert!(
            cache.get(t, b, &[0; 32]).is_none(),
            "b was the least recently used"
        );
        assert!(cache.get(t, a, &[0; 32]).is_some());
        assert!(cache.get(t, c, &[0; 32]).is_some());
    }

    #[test]
    fn forgetting_an_account_or_a_tenant() {
        let cache = ProviderClients::with_capacity(8);
        let (t1, t2) = (TenantId(Uuid::now_v7()), TenantId(Uuid::now_v7()));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        cache.put(t1, Slot::Courier(a), [0; 32], courier("a"), false);
        cache.put(t1, Slot::Courier(b), [0; 32], courier("b"), false);
        cache.put(t2, Slot::Courier(a), [0; 32], courier("a2"), false);
        cache.forget_courier(t1, a);
        assert!(cache.get(t1, Slot::Courier(a), &[0; 32]).is_none());
        assert!(cache.get(t1, Slot::Courier(b), &[0; 32]).is_some());
        cache.forget_tenant(t1);
        assert_eq!(cache.len(), 1);
        assert_eq!(name(cache.get(t2, Slot::Courier(a), &[0; 32])), Some("a2"));
        assert!(format!("{cache:?}").contains("clients: 1"));
    }

    #[test]
    fn the_fingerprint_changes_with_any_sealed_byte_and_any_option() {
        let row = |nonce: u8| credential::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            provider: "courier:x".into(),
            name: "password".into(),
            key_id: "k1".into(),
            nonce: vec![nonce; 12],
            ciphertext: vec![9; 20],
            masked: "••••".into(),
            expires_at: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let base = fingerprint(&[b"cargus", b"shop"], &[row(1)]);
        assert_eq!(base, fingerprint(&[b"cargus", b"shop"], &[row(1)]));
        assert_ne!(base, fingerprint(&[b"cargus", b"shop"], &[row(2)]));
        assert_ne!(base, fingerprint(&[b"cargus", b"shop2"], &[row(1)]));
        assert_ne!(base, fingerprint(&[b"cargus", b"shop"], &[]));
        // Field boundaries count: ("ab", "c") is not ("a", "bc").
        assert_ne!(
            fingerprint(&[b"ab", b"c"], &[]),
            fingerprint(&[b"a", b"bc"], &[])
        );
    }
}
