//! [`FanCourierClient`]: the typed FAN Courier v2 client, and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use flux_core::FieldError;
use flux_http::secret::SecretString;
use flux_http::{HttpClient, Method, RateLimiter, RequestBuilder, Response, Token, TokenCache};
use serde::de::DeserializeOwned;

use crate::error::{FanCourierError, PROVIDER};
use crate::models::awb::{AwbShipment, CreateAwbBody, CreateAwbResponse, CreatedAwb};
use crate::models::label::{LabelDocument, LabelKind, LabelRequest};
use crate::models::nomenclature::{
    FanCounty, Locality, Service, ServiceOption, Street, StreetQuery,
};
use crate::models::order::{CourierOrderBody, CourierOrderInfo, CourierOrderRequest, PickupHours};
use crate::models::pickup_point::{FanPickupPoint, PickupPointType};
use crate::models::reports::{BankTransfer, ShippingSlipEntry};
use crate::models::tariff::{Tariff, TariffRequest};
use crate::models::tracking::{AwbTracking, EventType};
use crate::models::{Envelope, Language, Page, PagedEnvelope};

/// FAN Courier's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.fancourier.ro/";

/// Default page size of the paginated reports.
pub const DEFAULT_PER_PAGE: u32 = 100;

/// The FAN Courier v2 client. Cheap to clone; clones share the token cache and the rate
/// limiter.
///
/// ```no_run
/// # async fn demo() -> Result<(), flux_fancourier::FanCourierError> {
/// use flux_fancourier::{FanCourierClient, SecretString};
///
/// let client = FanCourierClient::builder("7032158", "clienttest", SecretString::from("testing"))
///     .build()?;
/// for service in client.services().await? {
///     println!("{}", service.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct FanCourierClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    client_id: String,
    username: String,
    password: SecretString,
    tokens: TokenCache<FanCourierError>,
    pub(crate) settings: crate::courier_impl::CourierSettings,
}

impl fmt::Debug for FanCourierClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FanCourierClient")
            .field("base_url", &self.inner.http.base_url().map(|u| u.as_str()))
            .field("client_id", &self.inner.client_id)
            .field("username", &self.inner.username)
            .field("password", &"[REDACTED]")
            .field("tokens", &self.inner.tokens)
            .finish()
    }
}

/// Builds a [`FanCourierClient`].
#[must_use]
pub struct FanCourierClientBuilder {
    client_id: String,
    username: String,
    password: SecretString,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    rate_limiter: Option<Arc<RateLimiter>>,
    user_agent: Option<String>,
    settings: crate::courier_impl::CourierSettings,
}

impl fmt::Debug for FanCourierClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FanCourierClientBuilder")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl FanCourierClientBuilder {
    /// Another base URL (a proxy, or a mock server in tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time per attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Share a rate limiter between clients of the same account. FAN publishes no limit,
    /// so by default there is none.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The bank and IBAN FAN pays collected COD into (sent as `info.bank` /
    /// `info.bankAccount` with the collector-account services). Without them FAN uses the
    /// account set up in the contract.
    pub fn cod_bank_account(mut self, bank: impl Into<String>, iban: impl Into<String>) -> Self {
        self.settings.bank = bank.into();
        self.settings.bank_account = iban.into();
        self
    }

    /// Who pays the transport of shipments created through the `Courier` trait (default:
    /// the sender).
    pub fn payer(mut self, payer: crate::PaymentParty) -> Self {
        self.settings.payer = payer;
        self
    }

    /// Build the client.
    ///
    /// # Errors
    /// [`FanCourierError::Http`] when the base URL is not allowed (https only, except
    /// loopback) or the HTTP client cannot be built; [`FanCourierError::InvalidRequest`]
    /// for an empty client id or username.
    pub fn build(self) -> Result<FanCourierClient, FanCourierError> {
        if self.client_id.trim().is_empty() {
            return Err(FanCourierError::invalid("client_id", "must not be empty"));
        }
        if self.username.trim().is_empty() {
            return Err(FanCourierError::invalid("username", "must not be empty"));
        }
        let mut http = HttpClient::builder(PROVIDER)
            .base_url(&self.base_url)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .default_header("Accept", "application/json");
        if let Some(limiter) = self.rate_limiter {
            http = http.rate_limiter(limiter);
        }
        if let Some(ua) = self.user_agent {
            http = http.user_agent(ua);
        }
        Ok(FanCourierClient {
            inner: Arc::new(Inner {
                http: http.build()?,
                client_id: self.client_id,
                username: self.username,
                password: self.password,
                tokens: TokenCache::new().with_refresh_margin(Duration::from_secs(300)),
                settings: self.settings,
            }),
        })
    }
}

impl FanCourierClient {
    /// A builder for the account `client_id` (FAN's ClientID) with the SelfAWB user.
    pub fn builder(
        client_id: impl Into<String>,
        username: impl Into<String>,
        password: SecretString,
    ) -> FanCourierClientBuilder {
        FanCourierClientBuilder {
            client_id: client_id.into(),
            username: username.into(),
            password,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            rate_limiter: None,
            user_agent: None,
            settings: crate::courier_impl::CourierSettings::default(),
        }
    }

    /// The account's ClientID.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    pub(crate) fn settings(&self) -> &crate::courier_impl::CourierSettings {
        &self.inner.settings
    }

    async fn token(&self) -> Result<Token, FanCourierError> {
        let inner = &self.inner;
        inner
            .tokens
            .get_or_refresh(|| crate::auth::login(&inner.http, &inner.username, &inner.password))
            .await
    }

    /// Logs in now (normally done on the first call) and caches the token.
    ///
    /// # Errors
    /// [`FanCourierError::Auth`] when FAN refuses the credentials.
    pub async fn login(&self) -> Result<(), FanCourierError> {
        self.token().await.map(|_| ())
    }

    /// Sends an authenticated request; on a 401 logs in again once and repeats it.
    async fn send(
        &self,
        build: impl Fn(&HttpClient) -> RequestBuilder,
    ) -> Result<Response, FanCourierError> {
        let token = self.token().await?;
        let response = build(&self.inner.http)
            .bearer(token.secret())
            .send_raw()
            .await?;
        if response.status().as_u16() != 401 {
            return Ok(response);
        }
        tracing::debug!("fancourier: token refused, logging in again");
        self.inner.tokens.invalidate(&token).await;
        let token = self.token().await?;
        let response = build(&self.inner.http)
            .bearer(token.secret())
            .send_raw()
            .await?;
        if response.status().as_u16() == 401 {
            return Err(FanCourierError::Auth {
                message: body_message(&response)
                    .unwrap_or_else(|| "the token was refused after a fresh login".to_owned()),
                status: Some(401),
            });
        }
        Ok(response)
    }

    fn query_base(&self) -> Vec<(String, String)> {
        vec![("clientId".to_owned(), self.inner.client_id.clone())]
    }

    async fn get_data<T: DeserializeOwned>(
        &self,
        path: &'static str,
        query: Vec<(String, String)>,
    ) -> Result<Option<T>, FanCourierError> {
        let response = self
            .send(|http| http.request(Method::GET, path).query(&query))
            .await?;
        data_of(&response)
    }

    async fn get_page<T: DeserializeOwned>(
        &self,
        path: &'static str,
        query: Vec<(String, String)>,
    ) -> Result<Page<T>, FanCourierError> {
        let response = self
            .send(|http| http.request(Method::GET, path).query(&query))
            .await?;
        check_status(&response)?;
        let body: PagedEnvelope<T> = response.json()?;
        if let Some(status) = &body.status
            && status != "success"
        {
            return Err(api_error(
                200,
                Some(status.clone()),
                body.message.as_ref(),
                None,
            ));
        }
        Ok(Page {
            items: body.data,
            total: body.total,
            per_page: body.per_page,
            current_page: body.current_page,
        })
    }

    // ---- AWBs ----

    /// Creates domestic AWBs (`POST intern-awb`), one result per shipment in request
    /// order. A refused shipment is an `Err` in its slot with FAN's field paths; the
    /// others are still created.
    ///
    /// Creating an AWB is not idempotent: a timeout returns an error with
    /// [`maybe_sent`](flux_core::ProviderError::maybe_sent) and is not retried.
    ///
    /// # Errors
    /// The whole call fails for transport, auth and envelope errors.
    pub async fn create_awbs(
        &self,
        shipments: &[AwbShipment],
    ) -> Result<Vec<Result<CreatedAwb, FanCourierError>>, FanCourierError> {
        if shipments.is_empty() {
            return Err(FanCourierError::invalid(
                "shipments",
                "at least one shipment is needed",
            ));
        }
        let body = CreateAwbBody {
            client_id: &self.inner.client_id,
            platform_id: None,
            shipments,
        };
        let response = self
            .send(|http| http.request(Method::POST, "intern-awb").json(&body))
            .await?;
        check_status(&response)?;
        let parsed: CreateAwbResponse = response.json()?;
        let Some(items) = parsed.response else {
            if let Some(status) = parsed.status.filter(|s| s != "success") {
                let fields = field_errors(parsed.errors.as_ref());
                if !fields.is_empty() {
                    return Err(FanCourierError::Validation {
                        message: message_text(parsed.message.as_ref())
                            .unwrap_or_else(|| status.clone()),
                        fields,
                        status: Some(200),
                    });
                }
                return Err(api_error(200, Some(status), parsed.message.as_ref(), None));
            }
            return Err(FanCourierError::UnexpectedContent {
                message: "intern-awb answered without a `response` list".to_owned(),
            });
        };
        if items.len() != shipments.len() {
            tracing::warn!(
                sent = shipments.len(),
                received = items.len(),
                "fancourier: intern-awb returned a different number of results"
            );
        }
        Ok(items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let fields = item.field_errors();
                if fields.is_empty() {
                    Ok(item)
                } else {
                    Err(FanCourierError::ShipmentRejected { index, fields })
                }
            })
            .collect())
    }

    /// Creates one AWB.
    ///
    /// # Errors
    /// As [`create_awbs`](Self::create_awbs), plus [`FanCourierError::ShipmentRejected`]
    /// when FAN refused it.
    pub async fn create_awb(&self, shipment: &AwbShipment) -> Result<CreatedAwb, FanCourierError> {
        self.create_awbs(std::slice::from_ref(shipment))
            .await?
            .into_iter()
            .next()
            .unwrap_or_else(|| {
                Err(FanCourierError::UnexpectedContent {
                    message: "intern-awb returned no result".to_owned(),
                })
            })
    }

    /// Downloads labels (`GET awb/label`). Asks for PDF or ZPL explicitly, since FAN
    /// answers HTML otherwise, and checks that the bytes are what was asked for.
    ///
    /// # Errors
    /// [`FanCourierError::UnexpectedContent`] when FAN sent another format; FAN's JSON
    /// error body otherwise.
    pub async fn label(&self, request: &LabelRequest) -> Result<LabelDocument, FanCourierError> {
        if request.awbs.is_empty() {
            return Err(FanCourierError::invalid(
                "awbs",
                "at least one AWB is needed",
            ));
        }
        let mut query = self.query_base();
        for (i, awb) in request.awbs.iter().enumerate() {
            query.push((format!("awbs[{i}]"), awb.clone()));
        }
        query.push(("language".to_owned(), request.language.as_str().to_owned()));
        match request.kind {
            LabelKind::Pdf => query.push(("pdf".to_owned(), "1".to_owned())),
            LabelKind::Zpl { dpi } => {
                query.push(("zpl".to_owned(), "1".to_owned()));
                if let Some(dpi) = dpi {
                    query.push(("dpi".to_owned(), dpi.to_string()));
                }
            }
            LabelKind::Html => {}
        }
        if let Some(size) = request.size {
            query.push(("format".to_owned(), size.as_str().to_owned()));
        }
        let response = self
            .send(|http| http.request(Method::GET, "awb/label").query(&query))
            .await?;
        check_status(&response)?;
        let bytes = response.bytes();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)])
            .trim_start()
            .to_owned();
        if head.starts_with('{') {
            let env: Envelope<serde_json::Value> = response.json()?;
            return Err(envelope_error(200, &env));
        }
        let ok = match request.kind {
            LabelKind::Pdf => bytes.starts_with(b"%PDF"),
            LabelKind::Zpl { .. } => head.starts_with('^') || head.starts_with('~'),
            LabelKind::Html => true,
        };
        if !ok {
            return Err(FanCourierError::UnexpectedContent {
                message: format!(
                    "asked for a {:?} label, got {} ({} bytes)",
                    request.kind,
                    content_type.as_deref().unwrap_or("no content type"),
                    bytes.len()
                ),
            });
        }
        Ok(LabelDocument {
            kind: request.kind,
            content_type,
            bytes: bytes.to_vec(),
        })
    }

    /// Deletes an AWB that has not been picked up (`DELETE awb`).
    ///
    /// # Errors
    /// FAN's message when it refuses (already picked up, unknown AWB).
    pub async fn delete_awb(&self, awb: &str) -> Result<(), FanCourierError> {
        let mut query = self.query_base();
        query.push(("awb".to_owned(), awb.to_owned()));
        let response = self
            .send(|http| http.request(Method::DELETE, "awb").query(&query))
            .await?;
        expect_success(&response)
    }

    /// Tracks AWBs (`GET reports/awb/tracking`), in FAN's order. AWBs FAN has not seen
    /// move come back with only [`message`](AwbTracking::message).
    ///
    /// # Errors
    /// A malformed AWB number is a validation error naming `awb.N`.
    pub async fn track_awbs(
        &self,
        awbs: &[String],
        language: Language,
    ) -> Result<Vec<AwbTracking>, FanCourierError> {
        if awbs.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = self.query_base();
        for (i, awb) in awbs.iter().enumerate() {
            query.push((format!("awb[{i}]"), awb.clone()));
        }
        query.push(("language".to_owned(), language.as_str().to_owned()));
        let data: Option<Vec<AwbTracking>> = self
            .get_data::<Vec<AwbTracking>>("reports/awb/tracking", query)
            .await?;
        Ok(data.unwrap_or_default())
    }

    /// The list of AWB event codes and their names (`GET reports/awb-events`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn awb_events(&self, language: Language) -> Result<Vec<EventType>, FanCourierError> {
        let mut query = self.query_base();
        query.push(("language".to_owned(), language.as_str().to_owned()));
        let data: Option<Vec<EventType>> = self.get_data("reports/awb-events", query).await?;
        Ok(data.unwrap_or_default())
    }

    /// Prices a domestic shipment (`GET reports/awb/internal-tariff`).
    ///
    /// # Errors
    /// Validation errors for unknown localities or services.
    pub async fn internal_tariff(
        &self,
        request: &TariffRequest,
    ) -> Result<Tariff, FanCourierError> {
        let query = request.to_query(&self.inner.client_id);
        let data: Option<Tariff> = self.get_data("reports/awb/internal-tariff", query).await?;
        data.ok_or_else(|| FanCourierError::UnexpectedContent {
            message: "the tariff response has no data".to_owned(),
        })
    }

    // ---- Nomenclature ----

    /// The services (`GET reports/services`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn services(&self) -> Result<Vec<Service>, FanCourierError> {
        let data: Option<Vec<Service>> =
            self.get_data("reports/services", self.query_base()).await?;
        Ok(data.unwrap_or_default())
    }

    /// The options a service accepts (`GET reports/service-options`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn service_options(
        &self,
        service: &crate::ServiceName,
    ) -> Result<Vec<ServiceOption>, FanCourierError> {
        let mut query = self.query_base();
        query.push(("service".to_owned(), service.as_str().to_owned()));
        let data: Option<Vec<ServiceOption>> =
            self.get_data("reports/service-options", query).await?;
        Ok(data.unwrap_or_default())
    }

    /// The counties (`GET reports/counties`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn counties(&self) -> Result<Vec<FanCounty>, FanCourierError> {
        let data: Option<Vec<FanCounty>> =
            self.get_data("reports/counties", self.query_base()).await?;
        Ok(data.unwrap_or_default())
    }

    /// The localities of a county (`GET reports/localities`), by FAN's county name
    /// (see [`fan_county_name`](crate::fan_county_name)).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn localities(&self, county: &str) -> Result<Vec<Locality>, FanCourierError> {
        let mut query = self.query_base();
        query.push(("county".to_owned(), county.to_owned()));
        let data: Option<Vec<Locality>> = self.get_data("reports/localities", query).await?;
        Ok(data.unwrap_or_default())
    }

    /// One page of the streets of a locality (`GET reports/streets`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn streets(&self, query: &StreetQuery) -> Result<Page<Street>, FanCourierError> {
        let mut q = self.query_base();
        q.push(("county".to_owned(), query.county.clone()));
        q.push(("locality".to_owned(), query.locality.clone()));
        if let Some(page) = query.page {
            q.push(("page".to_owned(), page.to_string()));
        }
        if let Some(per_page) = query.per_page {
            q.push(("perPage".to_owned(), per_page.to_string()));
        }
        self.get_page("reports/streets", q).await
    }

    /// FANbox lockers, PayPoints or offices (`GET reports/pickup-points?type=…`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn pickup_points(
        &self,
        kind: &PickupPointType,
    ) -> Result<Vec<FanPickupPoint>, FanCourierError> {
        let mut query = self.query_base();
        query.push(("type".to_owned(), kind.as_str().to_owned()));
        let data: Option<Vec<FanPickupPoint>> =
            self.get_data("reports/pickup-points", query).await?;
        Ok(data.unwrap_or_default())
    }

    /// One pickup point by id (`GET reports/pickup-points?id=…`); `None` when unknown.
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn pickup_point(&self, id: &str) -> Result<Option<FanPickupPoint>, FanCourierError> {
        let mut query = self.query_base();
        query.push(("id".to_owned(), id.to_owned()));
        let data: Option<Vec<FanPickupPoint>> =
            self.get_data("reports/pickup-points", query).await?;
        Ok(data.unwrap_or_default().into_iter().find(|p| p.id == id))
    }

    // ---- Courier orders ----

    /// Orders a courier pickup (`POST order`, order type `Standard`); returns FAN's
    /// order id. Not idempotent: a timeout is `maybe_sent` and not retried.
    ///
    /// # Errors
    /// [`FanCourierError::InvalidRequest`] when the window is shorter than 2 hours.
    pub async fn create_courier_order(
        &self,
        request: &CourierOrderRequest,
    ) -> Result<String, FanCourierError> {
        if request.ready_until - request.ready_from < chrono::Duration::hours(2) {
            return Err(FanCourierError::invalid(
                "pickupHours",
                "FAN needs the pickup window to be at least 2 hours long",
            ));
        }
        if request.packages.parcel == 0 && request.packages.envelope == 0 {
            return Err(FanCourierError::invalid(
                "packages",
                "at least one parcel or envelope is needed",
            ));
        }
        let body = CourierOrderBody {
            client_id: &self.inner.client_id,
            info: CourierOrderInfo {
                awb_number: request.awb_number.clone().unwrap_or_default(),
                packages: request.packages,
                weight: request.weight,
                dimensions: request.dimensions,
                order_type: "Standard",
                pickup_date: request.pickup_date.format("%Y-%m-%d").to_string(),
                pickup_hours: PickupHours {
                    first: request.ready_from.format("%H:%M").to_string(),
                    second: request.ready_until.format("%H:%M").to_string(),
                },
                observations: request.observations.clone(),
            },
        };
        let response = self
            .send(|http| http.request(Method::POST, "order").json(&body))
            .await?;
        #[derive(serde::Deserialize)]
        struct Created {
            #[serde(deserialize_with = "crate::wire::string")]
            id: String,
        }
        let data: Option<Created> = data_of(&response)?;
        data.map(|c| c.id)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| FanCourierError::UnexpectedContent {
                message: "the order response has no id".to_owned(),
            })
    }

    /// Cancels a courier order (`DELETE order`).
    ///
    /// # Errors
    /// FAN's message when it refuses.
    pub async fn delete_courier_order(&self, id: &str) -> Result<(), FanCourierError> {
        let mut query = self.query_base();
        query.push(("id".to_owned(), id.to_owned()));
        let response = self
            .send(|http| http.request(Method::DELETE, "order").query(&query))
            .await?;
        expect_success(&response)
    }

    // ---- Reports ----

    /// One page of the AWB slip (borderou) of a day (`GET reports/awb`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn shipping_slip(
        &self,
        date: NaiveDate,
        page: u32,
        per_page: u32,
    ) -> Result<Page<ShippingSlipEntry>, FanCourierError> {
        self.get_page("reports/awb", self.dated_query(date, page, per_page))
            .await
    }

    /// Every AWB of a day's slip (borderou), following the pages.
    ///
    /// # Errors
    /// The first failing page's error.
    pub async fn all_shipping_slip(
        &self,
        date: NaiveDate,
    ) -> Result<Vec<ShippingSlipEntry>, FanCourierError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p = self.shipping_slip(date, page, DEFAULT_PER_PAGE).await?;
            let more = p.has_next();
            all.extend(p.items);
            if !more || page >= 1000 {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// One page of the COD bank transfers of a day (`GET reports/bank-transfers`).
    ///
    /// # Errors
    /// Transport, auth or envelope errors.
    pub async fn bank_transfers(
        &self,
        date: NaiveDate,
        page: u32,
        per_page: u32,
    ) -> Result<Page<BankTransfer>, FanCourierError> {
        self.get_page(
            "reports/bank-transfers",
            self.dated_query(date, page, per_page),
        )
        .await
    }

    /// Every COD bank transfer of a day, following the pages.
    ///
    /// # Errors
    /// The first failing page's error.
    pub async fn all_bank_transfers(
        &self,
        date: NaiveDate,
    ) -> Result<Vec<BankTransfer>, FanCourierError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p = self.bank_transfers(date, page, DEFAULT_PER_PAGE).await?;
            let more = p.has_next();
            all.extend(p.items);
            if !more || page >= 1000 {
                return Ok(all);
            }
            page += 1;
        }
    }

    fn dated_query(&self, date: NaiveDate, page: u32, per_page: u32) -> Vec<(String, String)> {
        let mut q = self.query_base();
        q.push(("date".to_owned(), date.format("%Y-%m-%d").to_string()));
        q.push(("page".to_owned(), page.max(1).to_string()));
        q.push((
            "perPage".to_owned(),
            per_page.clamp(1, DEFAULT_PER_PAGE).to_string(),
        ));
        q
    }
}

// ---- response helpers ----

/// Text of a `message` that may be a string, an array or an object.
pub(crate) fn message_text(message: Option<&serde_json::Value>) -> Option<String> {
    match message? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.trim().is_empty() => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn body_message(response: &Response) -> Option<String> {
    let env: Envelope<serde_json::Value> = response.json().ok()?;
    message_text(env.message.as_ref())
}

/// FAN's `errors`: `{"path": "message"}` or `{"path": ["message", …]}`.
pub(crate) fn field_errors(errors: Option<&serde_json::Value>) -> Vec<FieldError> {
    let Some(serde_json::Value::Object(map)) = errors else {
        return Vec::new();
    };
    let mut fields = Vec::new();
    for (path, value) in map {
        match value {
            serde_json::Value::Array(items) => {
                for item in items {
                    let text = item
                        .as_str()
                        .map_or_else(|| item.to_string(), str::to_owned);
                    fields.push(FieldError::new(path.clone(), text));
                }
            }
            serde_json::Value::String(s) => fields.push(FieldError::new(path.clone(), s.clone())),
            other => fields.push(FieldError::new(path.clone(), other.to_string())),
        }
    }
    fields
}

fn api_error(
    status: u16,
    api_status: Option<String>,
    message: Option<&serde_json::Value>,
    retry_after: Option<Duration>,
) -> FanCourierError {
    let message = message_text(message).unwrap_or_else(|| "no message".to_owned());
    let lower = message.to_ascii_lowercase();
    if status == 404 || lower.contains("not found") || lower.contains("nu exista") {
        return FanCourierError::NotFound { message };
    }
    FanCourierError::Api {
        status,
        api_status,
        message,
        retry_after,
    }
}

fn envelope_error<T>(status: u16, env: &Envelope<T>) -> FanCourierError {
    let fields = field_errors(env.errors.as_ref());
    if !fields.is_empty() || status == 422 {
        return FanCourierError::Validation {
            message: message_text(env.message.as_ref())
                .unwrap_or_else(|| "invalid data".to_owned()),
            fields,
            status: Some(status),
        };
    }
    if status == 401 || status == 403 {
        return FanCourierError::Auth {
            message: message_text(env.message.as_ref()).unwrap_or_else(|| "refused".to_owned()),
            status: Some(status),
        };
    }
    api_error(status, env.status.clone(), env.message.as_ref(), None)
}

/// For a non-2xx answer: FAN's JSON error body when there is one, else the transport
/// classification.
fn check_status(response: &Response) -> Result<(), FanCourierError> {
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(());
    }
    if let Ok(env) = response.json::<Envelope<serde_json::Value>>()
        && (env.message.is_some() || env.errors.is_some())
        && !(500..=599).contains(&status)
        && status != 429
    {
        let mut err = envelope_error(status, &env);
        if let FanCourierError::Api { retry_after, .. } = &mut err {
            *retry_after = response.retry_after();
        }
        return Err(err);
    }
    let owned = response.clone();
    owned
        .error_for_status()
        .map(|_| ())
        .map_err(FanCourierError::from)
}

fn data_of<T: DeserializeOwned>(response: &Response) -> Result<Option<T>, FanCourierError> {
    check_status(response)?;
    let env: Envelope<T> = response.json()?;
    match env.status.as_deref() {
        Some("success") => Ok(env.data),
        Some(_) => Err(envelope_error(200, &env)),
        None if env.data.is_some() => Ok(env.data),
        None => Err(envelope_error(200, &env)),
    }
}

fn expect_success(response: &Response) -> Result<(), FanCourierError> {
    check_status(response)?;
    let env: Envelope<serde_json::Value> = response.json()?;
    match env.status.as_deref() {
        Some("success") => Ok(()),
        _ => Err(envelope_error(200, &env)),
    }
}
