//! Settings: courier accounts (checked with a live call before they are saved, secrets
//! in the vault, masked in responses), sender addresses, courier rules, the invoicing
//! connection and the automation switches.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::Utc;
use flux_core::{Address, Cif, CountryCode};
use flux_http::secret::SecretString;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::ShopSession;
use super::entity::{courier_account, invoicing, settings};
use super::providers::{self, CourierConfig, CourierSecrets};
use crate::http::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// A sender address (and the courier pickup point it ships from).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct SenderAddress {
    /// Contact or company name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Street.
    pub street: String,
    /// Street number.
    #[serde(default)]
    pub number: Option<String>,
    /// Locality.
    pub locality: String,
    /// County.
    pub county: String,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// The courier's pickup location id, where the courier has them (Cargus, Sameday).
    #[serde(default)]
    pub pickup_location_id: Option<String>,
}

impl SenderAddress {
    /// As a courier-neutral address.
    pub fn to_address(&self) -> Address {
        let mut b = Address::builder(&self.name, &self.locality, CountryCode::RO)
            .street(&self.street)
            .region(&self.county)
            .phone(&self.phone);
        if let Some(n) = &self.number {
            b = b.number(n);
        }
        if let Some(p) = &self.postal_code {
            b = b.postal_code(p);
        }
        if let Some(e) = &self.email {
            b = b.email(e);
        }
        b.build_unchecked()
    }
}

/// A rule choosing the courier account for an order; the first that matches wins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct CourierRule {
    /// The account to use.
    pub account_id: Uuid,
    /// Only for these counties (any when empty).
    #[serde(default)]
    pub counties: Vec<String>,
    /// Only up to this weight, kg.
    #[serde(default)]
    pub max_weight_kg: Option<Decimal>,
    /// Only for cash-on-delivery orders (`true`) or only prepaid ones (`false`).
    #[serde(default)]
    pub cod: Option<bool>,
    /// The courier service code.
    #[serde(default)]
    pub service: Option<String>,
}

/// When an AWB is created automatically.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AwbTrigger {
    /// Only by hand.
    #[default]
    Off,
    /// When the order is created.
    Created,
    /// When the order is paid (cash-on-delivery orders count as ready when created).
    Paid,
}

/// When an invoice is issued automatically.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceTrigger {
    /// Only by hand.
    #[default]
    Off,
    /// When the order is paid.
    Paid,
    /// When the order is fulfilled (the AWB and the Shopify fulfillment exist).
    Fulfilled,
}

/// The automation switches.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct Automation {
    /// When to create AWBs.
    pub awb_on: AwbTrigger,
    /// When to issue invoices.
    pub invoice_on: InvoiceTrigger,
    /// Let Shopify email the customer when the fulfillment (tracking) is created.
    pub notify_customer: bool,
    /// Mark cash-on-delivery orders paid in Shopify when delivered.
    pub mark_cod_paid: bool,
    /// Push the invoicing platform's stock to Shopify on a schedule (needs
    /// `inventory_location_id`).
    pub sync_inventory: bool,
}

/// A shop's settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct SettingsDoc {
    /// Sender addresses; the first is the default.
    pub senders: Vec<SenderAddress>,
    /// Courier rules, in order.
    pub rules: Vec<CourierRule>,
    /// When no rule matches: quote every account and take the cheapest (otherwise the
    /// first account).
    pub choose_cheapest: bool,
    /// Automation.
    pub automation: Automation,
    /// The Shopify location (GID) whose `available` stock the inventory sync sets.
    pub inventory_location_id: Option<String>,
}

/// The shop's settings (defaults when never saved).
pub async fn load(state: &AppState, tenant: TenantId) -> Result<SettingsDoc, sea_orm::DbErr> {
    Ok(scoped::<settings::Entity>(tenant)
        .one(&state.db)
        .await?
        .and_then(|r| serde_json::from_value(r.data).ok())
        .unwrap_or_default())
}

/// Reads the settings.
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), responses(
    (status = 200, body = SettingsDoc), (status = 401, body = ErrorBody)
))]
#[get("/sales/v1/settings")]
pub async fn get_settings(
    session: ShopSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(load(&state, session.tenant).await?))
}

/// Replaces the settings (senders, rules, automation).
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), request_body = SettingsDoc, responses(
    (status = 200, body = SettingsDoc), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[put("/sales/v1/settings")]
pub async fn put_settings(
    session: ShopSession,
    state: web::Data<AppState>,
    body: web::Json<SettingsDoc>,
) -> Result<HttpResponse, ApiError> {
    let doc = body.into_inner();
    for (i, s) in doc.senders.iter().enumerate() {
        if let Err(e) = s.to_address().validate() {
            let field = e
                .field_errors()
                .first()
                .map(|f| f.field.clone())
                .unwrap_or_default();
            return Err(ApiError::validation(
                format!("senders[{i}].{field}"),
                e.to_string(),
            ));
        }
        if s.to_address().ro_county().is_err() {
            return Err(ApiError::validation(
                format!("senders[{i}].county"),
                "not a Romanian county",
            ));
        }
    }
    if doc.automation.sync_inventory
        && !doc
            .inventory_location_id
            .as_deref()
            .is_some_and(|l| l.starts_with("gid://shopify/Location/"))
    {
        return Err(ApiError::validation(
            "inventory_location_id",
            "the inventory sync needs a Shopify location GID (gid://shopify/Location/…)",
        ));
    }
    let accounts = providers::courier_accounts(&state, session.tenant).await?;
    for (i, r) in doc.rules.iter().enumerate() {
        if !accounts.iter().any(|a| a.id == r.account_id) {
            return Err(ApiError::validation(
                format!("rules[{i}].account_id"),
                "no such courier account",
            ));
        }
        if r.max_weight_kg.is_some_and(|w| w <= Decimal::ZERO) {
            return Err(ApiError::validation(
                format!("rules[{i}].max_weight_kg"),
                "must be above zero",
            ));
        }
    }
    let now = Utc::now();
    let data = serde_json::to_value(&doc).map_err(ApiError::internal)?;
    match scoped::<settings::Entity>(session.tenant)
        .one(&state.db)
        .await?
    {
        Some(row) => {
            let mut a: settings::ActiveModel = row.into();
            a.data = Set(data);
            a.updated_at = Set(now);
            a.update(&state.db).await?;
        }
        None => {
            settings::ActiveModel {
                tenant_id: Set(session.tenant.0),
                data: Set(data),
                updated_at: Set(now),
            }
            .insert(&state.db)
            .await?;
        }
    }
    Ok(HttpResponse::Ok().json(doc))
}

/// A courier account as the API shows it (the password masked).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CourierAccountView {
    /// Id.
    pub id: Uuid,
    /// Courier.
    pub provider: String,
    /// Name.
    pub label: String,
    /// Login.
    pub username: String,
    /// Options.
    pub config: CourierConfig,
    /// The password, masked.
    pub password: String,
}

impl From<courier_account::Model> for CourierAccountView {
    fn from(m: courier_account::Model) -> Self {
        Self {
            id: m.id,
            provider: m.provider,
            label: m.label,
            username: m.username,
            config: serde_json::from_value(m.config).unwrap_or_default(),
            password: m.masked,
        }
    }
}

/// A new courier account.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CourierAccountInput {
    /// `fancourier`, `cargus`, `sameday` or `gls`.
    pub provider: String,
    /// Name.
    #[serde(default)]
    pub label: Option<String>,
    /// Login.
    pub username: String,
    /// Password.
    #[schema(value_type = String)]
    pub password: SecretString,
    /// Cargus subscription key.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub subscription_key: Option<SecretString>,
    /// Options (FAN ClientID, Cargus location, GLS client number).
    #[serde(default)]
    pub config: CourierConfig,
}

/// Builds a courier client and checks its credentials with a live call.
async fn checked_courier(
    state: &AppState,
    provider: &str,
    username: &str,
    config: &CourierConfig,
    secrets: CourierSecrets,
) -> Result<std::sync::Arc<dyn flux_core::Courier>, ApiError> {
    let courier =
        providers::build_courier(state, provider, username, config, secrets).map_err(|e| {
            ApiError::validation(
                e.field_errors()
                    .first()
                    .map_or("config".to_owned(), |f| f.field.clone()),
                e.to_string(),
            )
        })?;
    let check = match provider {
        "cargus" | "gls" => courier
            .find_by_reference("flux-credential-check", Utc::now().date_naive())
            .await
            .map(|_| ()),
        _ => courier.services().await.map(|_| ()),
    };
    if let Err(e) = check {
        return Err(if e.is_auth() {
            ApiError::validation("password", format!("{provider} refused these credentials"))
        } else {
            ApiError::from(e)
        });
    }
    Ok(courier)
}

/// The shop's courier accounts.
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), responses(
    (status = 200, body = Vec<CourierAccountView>), (status = 401, body = ErrorBody)
))]
#[get("/sales/v1/couriers")]
pub async fn list_couriers(
    session: ShopSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rows = providers::courier_accounts(&state, session.tenant).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(CourierAccountView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Connects a courier account: the credentials are checked with a live call first, then
/// sealed in the vault.
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), request_body = CourierAccountInput, responses(
    (status = 201, body = CourierAccountView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/sales/v1/couriers")]
pub async fn add_courier(
    session: ShopSession,
    state: web::Data<AppState>,
    body: web::Json<CourierAccountInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    if !providers::COURIERS.contains(&input.provider.as_str()) {
        return Err(ApiError::validation(
            "provider",
            format!("expected one of {:?}", providers::COURIERS),
        ));
    }
    if input.username.trim().is_empty() {
        return Err(ApiError::validation("username", "must not be empty"));
    }
    use flux_http::secret::ExposeSecret;
    if input.password.expose_secret().is_empty() {
        return Err(ApiError::validation("password", "must not be empty"));
    }
    let secrets = || CourierSecrets {
        password: SecretString::from(input.password.expose_secret().to_owned()),
        subscription_key: input
            .subscription_key
            .as_ref()
            .map(|k| SecretString::from(k.expose_secret().to_owned())),
    };
    let courier = checked_courier(
        &state,
        &input.provider,
        &input.username,
        &input.config,
        secrets(),
    )
    .await?;
    let id = Uuid::now_v7();
    let masked = providers::store_courier_secrets(&state, session.tenant, id, &secrets())
        .await
        .map_err(ApiError::internal)?;
    let now = Utc::now();
    let row = courier_account::ActiveModel {
        id: Set(id),
        tenant_id: Set(session.tenant.0),
        label: Set(input
            .label
            .clone()
            .unwrap_or_else(|| input.provider.clone())),
        provider: Set(input.provider),
        username: Set(input.username),
        config: Set(serde_json::to_value(&input.config).map_err(ApiError::internal)?),
        masked: Set(masked),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    // The checked client (and the login it holds) serves the account's first jobs.
    if let Err(e) = providers::remember_courier(&state, &row, courier).await {
        tracing::warn!(error = %e, "the checked courier client was not kept");
    }
    Ok(HttpResponse::Created().json(CourierAccountView::from(row)))
}

/// Changes to a courier account; what is left out stays as it is.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CourierAccountUpdate {
    /// Name.
    #[serde(default)]
    pub label: Option<String>,
    /// Login.
    #[serde(default)]
    pub username: Option<String>,
    /// A new password.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub password: Option<SecretString>,
    /// A new Cargus subscription key.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub subscription_key: Option<SecretString>,
    /// Options (FAN ClientID, Cargus location, GLS client number), replacing the old ones.
    #[serde(default)]
    pub config: Option<CourierConfig>,
}

/// Changes a courier account (new password, login or options): the result is checked
/// with a live call first; from then on every job uses a client built from it.
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), request_body = CourierAccountUpdate, responses(
    (status = 200, body = CourierAccountView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[put("/sales/v1/couriers/{id}")]
pub async fn update_courier(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<CourierAccountUpdate>,
) -> Result<HttpResponse, ApiError> {
    use flux_http::secret::ExposeSecret;
    let id = path.into_inner();
    let input = body.into_inner();
    let row = scoped::<courier_account::Entity>(session.tenant)
        .filter(courier_account::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such courier account".into()))?;
    let username = match &input.username {
        Some(u) if u.trim().is_empty() => {
            return Err(ApiError::validation("username", "must not be empty"));
        }
        Some(u) => u.trim().to_owned(),
        None => row.username.clone(),
    };
    if input
        .password
        .as_ref()
        .is_some_and(|p| p.expose_secret().is_empty())
    {
        return Err(ApiError::validation("password", "must not be empty"));
    }
    let config = match input.config.clone() {
        Some(c) => c,
        None => serde_json::from_value(row.config.clone()).unwrap_or_default(),
    };
    let vault = providers::vault_name(id);
    let stored = |name: &'static str| {
        let state = state.clone();
        let vault = vault.clone();
        async move {
            state
                .credentials
                .get(session.tenant, &vault, name)
                .await
                .map_err(ApiError::internal)
                .map(|s| s.map(|s| SecretString::from(s.expose_secret().to_owned())))
        }
    };
    let password = match &input.password {
        Some(p) => SecretString::from(p.expose_secret().to_owned()),
        None => stored("password")
            .await?
            .ok_or_else(|| ApiError::validation("password", "the stored password is missing"))?,
    };
    let subscription_key = match &input.subscription_key {
        Some(k) => Some(SecretString::from(k.expose_secret().to_owned())),
        None => stored("subscription_key").await?,
    };
    let secrets = || CourierSecrets {
        password: SecretString::from(password.expose_secret().to_owned()),
        subscription_key: subscription_key
            .as_ref()
            .map(|k| SecretString::from(k.expose_secret().to_owned())),
    };
    let courier = checked_courier(&state, &row.provider, &username, &config, secrets()).await?;
    // The old client must not serve another job, whatever happens next.
    state.provider_clients.forget_courier(session.tenant, id);
    let masked = providers::store_courier_secrets(&state, session.tenant, id, &secrets())
        .await
        .map_err(ApiError::internal)?;
    let mut a: courier_account::ActiveModel = row.clone().into();
    if let Some(label) = input.label.filter(|l| !l.trim().is_empty()) {
        a.label = Set(label);
    }
    a.username = Set(username);
    a.config = Set(serde_json::to_value(&config).map_err(ApiError::internal)?);
    a.masked = Set(masked);
    a.updated_at = Set(Utc::now());
    let row = a.update(&state.db).await?;
    if let Err(e) = providers::remember_courier(&state, &row, courier).await {
        tracing::warn!(error = %e, "the checked courier client was not kept");
    }
    Ok(HttpResponse::Ok().json(CourierAccountView::from(row)))
}

/// Disconnects a courier account and erases its secrets.
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), responses(
    (status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[delete("/sales/v1/couriers/{id}")]
pub async fn delete_courier(
    session: ShopSession,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let res = courier_account::Entity::delete_many()
        .filter(courier_account::Column::TenantId.eq(session.tenant.0))
        .filter(courier_account::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    state.provider_clients.forget_courier(session.tenant, id);
    if res.rows_affected == 0 {
        return Err(ApiError::NotFound("no such courier account".into()));
    }
    providers::delete_courier_secrets(&state, session.tenant, id)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The invoicing connection as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoicingView {
    /// `oblio` or `smartbill`.
    pub provider: String,
    /// Account email.
    pub username: String,
    /// Company CIF.
    pub company_cif: String,
    /// Series.
    pub series: String,
    /// Storno series.
    pub storno_series: Option<String>,
    /// Email invoices to customers.
    pub send_email: bool,
    /// The API secret, masked.
    pub api_secret: String,
}

impl From<invoicing::Model> for InvoicingView {
    fn from(m: invoicing::Model) -> Self {
        Self {
            provider: m.provider,
            username: m.username,
            company_cif: m.company_cif,
            series: m.series,
            storno_series: m.storno_series,
            send_email: m.send_email,
            api_secret: m.masked,
        }
    }
}

/// The invoicing connection to save.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct InvoicingInput {
    /// `oblio` or `smartbill`.
    pub provider: String,
    /// Account email.
    pub username: String,
    /// API secret (Oblio) or token (SmartBill).
    #[schema(value_type = String)]
    pub api_secret: SecretString,
    /// The company's CIF (check digit verified).
    pub company_cif: String,
    /// Invoice series.
    pub series: String,
    /// Storno series (the invoice series when absent).
    #[serde(default)]
    pub storno_series: Option<String>,
    /// Email invoices to customers from the platform.
    #[serde(default)]
    pub send_email: bool,
}

/// The invoicing connection.
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), responses(
    (status = 200, body = InvoicingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[get("/sales/v1/invoicing")]
pub async fn get_invoicing(
    session: ShopSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let row = scoped::<invoicing::Entity>(session.tenant)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no invoicing platform is connected".into()))?;
    Ok(HttpResponse::Ok().json(InvoicingView::from(row)))
}

/// Connects Oblio or SmartBill: the CIF's check digit is verified and the credentials
/// and series are checked with a live call before anything is saved.
#[utoipa::path(tag = super::TAG_SETTINGS, security(("shopify_session_token" = [])), request_body = InvoicingInput, responses(
    (status = 200, body = InvoicingView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[put("/sales/v1/invoicing")]
pub async fn put_invoicing(
    session: ShopSession,
    state: web::Data<AppState>,
    body: web::Json<InvoicingInput>,
) -> Result<HttpResponse, ApiError> {
    use flux_http::secret::ExposeSecret;
    let input = body.into_inner();
    if !providers::INVOICERS.contains(&input.provider.as_str()) {
        return Err(ApiError::validation(
            "provider",
            format!("expected one of {:?}", providers::INVOICERS),
        ));
    }
    let cif = Cif::parse(&input.company_cif)
        .map_err(|e| ApiError::validation("company_cif", e.to_string()))?;
    if input.series.trim().is_empty() {
        return Err(ApiError::validation("series", "must not be empty"));
    }
    if input.username.trim().is_empty() {
        return Err(ApiError::validation("username", "must not be empty"));
    }
    let cif_text = cif.with_ro_prefix();
    let client = providers::build_invoicer(
        &state,
        &input.provider,
        &input.username,
        &cif_text,
        SecretString::from(input.api_secret.expose_secret().to_owned()),
    )
    .map_err(ApiError::from)?;
    let series = client.series().await.map_err(|e| {
        if e.is_auth() {
            ApiError::validation(
                "api_secret",
                format!("{} refused these credentials", input.provider),
            )
        } else {
            ApiError::from(e)
        }
    })?;
    if !series.is_empty()
        && !series
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(input.series.trim()))
    {
        return Err(ApiError::validation(
            "series",
            "the account has no such series",
        ));
    }
    let secret = secrecy::SecretString::from(input.api_secret.expose_secret().to_owned());
    // The previous connection's client must not serve another job.
    state.provider_clients.forget_invoicer(session.tenant);
    // Replace any previous connection's secret.
    if let Some(old) = scoped::<invoicing::Entity>(session.tenant)
        .one(&state.db)
        .await?
    {
        state
            .credentials
            .delete_provider(session.tenant, &old.provider)
            .await
            .map_err(ApiError::internal)?;
        invoicing::Entity::delete_by_id(old.tenant_id)
            .exec(&state.db)
            .await?;
    }
    let view = state
        .credentials
        .put(session.tenant, &input.provider, "api_secret", &secret, None)
        .await
        .map_err(ApiError::internal)?;
    let row = invoicing::ActiveModel {
        tenant_id: Set(session.tenant.0),
        provider: Set(input.provider),
        username: Set(input.username),
        company_cif: Set(cif_text),
        series: Set(input.series.trim().to_owned()),
        storno_series: Set(input.storno_series.filter(|s| !s.trim().is_empty())),
        send_email: Set(input.send_email),
        masked: Set(view.masked),
        updated_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?;
    if let Err(e) = providers::remember_invoicer(&state, &row, client).await {
        tracing::warn!(error = %e, "the checked invoicing client was not kept");
    }
    Ok(HttpResponse::Ok().json(InvoicingView::from(row)))
}
