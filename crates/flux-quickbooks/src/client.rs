//! [`QuickBooksClient`]: the Accounting API of one company (realm).

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use flux_http::secret::SecretString;
use flux_http::{HttpClient, RateLimiter, RequestBuilder, Response, RetryPolicy};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::environment::Environment;
use crate::error::QuickBooksError;
use crate::fault::parse_fault;
use crate::tax::TaxRegime;
use crate::tokens::TokenManager;
use crate::types::{
    CompanyInfo, Customer, Entity, Estimate, Invoice, Item, NameListEntity, Payment, Preferences,
    Transaction,
};

pub(crate) const USER_AGENT: &str = concat!("flux-quickbooks/", env!("CARGO_PKG_VERSION"));

/// The minor version sent on every call (75 is the floor since 2025-08-01).
pub const MINOR_VERSION: u32 = 75;
/// The most rows one query page returns.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// The most items one batch request may hold.
pub const MAX_BATCH_SIZE: usize = 30;
/// Longest `requestid` sent as given; longer keys are hashed.
const MAX_REQUEST_ID_LEN: usize = 50;

/// A page of query results.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct QueryPage<E> {
    /// The rows.
    pub items: Vec<E>,
    /// `startPosition` (1-based).
    pub start_position: Option<u32>,
    /// `maxResults`: the number of rows returned.
    pub max_results: Option<u32>,
    /// `totalCount`, when QuickBooks gave it.
    pub total_count: Option<u64>,
}

/// A deleted transaction: `{"status": "Deleted", "Id": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeletedRecord {
    /// The entity (`Invoice`).
    pub entity: String,
    /// The id.
    pub id: String,
    /// QuickBooks's status (`Deleted`).
    pub status: String,
}

/// Documents that have a PDF and can be emailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SalesDocumentKind {
    /// `/estimate/{id}`.
    Estimate,
    /// `/invoice/{id}`.
    Invoice,
}

impl SalesDocumentKind {
    fn path(self) -> &'static str {
        match self {
            Self::Estimate => "estimate",
            Self::Invoice => "invoice",
        }
    }
}

/// Options of a create or update.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WriteOptions {
    /// The idempotency key sent as `requestid`: a retry with the same key returns the
    /// original response instead of creating a duplicate. Generated when `None`.
    pub request_id: Option<String>,
}

impl WriteOptions {
    /// Options with a caller-chosen idempotency key (stable per intent, e.g. per order).
    pub fn with_request_id(request_id: impl Into<String>) -> Self {
        Self {
            request_id: Some(request_id.into()),
        }
    }
}

/// The QuickBooks Online Accounting API for one company. Cheap to clone.
///
/// Every call sends `minorversion=75`, a bearer token from the shared [`TokenManager`]
/// (one refresh and one retry on 401), and goes through the company's rate limiter
/// (500 requests a minute and 10 concurrent by default). Every write carries a
/// `requestid`.
#[derive(Clone)]
pub struct QuickBooksClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    pub(crate) tokens: Arc<TokenManager>,
    pub(crate) realm_id: String,
    pub(crate) page_size: u32,
    pub(crate) batch_size: usize,
    pub(crate) tax_regime: OnceCell<TaxRegime>,
    pub(crate) po_number_field: Option<String>,
}

impl fmt::Debug for QuickBooksClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuickBooksClient")
            .field("realm_id", &self.inner.realm_id)
            .field("base_url", &self.inner.http.base_url().map(|u| u.as_str()))
            .field("tokens", &self.inner.tokens)
            .finish_non_exhaustive()
    }
}

impl QuickBooksClient {
    /// Starts a builder for the company whose tokens `tokens` manages.
    pub fn builder(tokens: Arc<TokenManager>) -> QuickBooksClientBuilder {
        QuickBooksClientBuilder {
            environment: tokens.oauth().environment(),
            tokens,
            base_url: None,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            rate_limiter: None,
            retry_policy: None,
            page_size: MAX_PAGE_SIZE,
            batch_size: MAX_BATCH_SIZE,
            tax_regime: None,
            po_number_field: None,
        }
    }

    /// The company id.
    pub fn realm_id(&self) -> &str {
        &self.inner.realm_id
    }

    /// The token manager.
    pub fn tokens(&self) -> &Arc<TokenManager> {
        &self.inner.tokens
    }

    // ---- transport ------------------------------------------------------------------

    /// Sends a request built by `build` with a bearer token, refreshing and retrying once
    /// on 401, and turns faults (in any shape, with any status) into errors.
    pub(crate) async fn execute<F>(&self, build: F) -> Result<Response, QuickBooksError>
    where
        F: Fn(&HttpClient) -> RequestBuilder,
    {
        let token = self.inner.tokens.access_token().await?;
        let response = self.attempt(&build, token.secret()).await?;
        if response.status().as_u16() == 401 {
            tracing::debug!(realm_id = %self.inner.realm_id, "401 from QuickBooks; refreshing the token once");
            self.inner.tokens.invalidate(&token).await;
            let token = self.inner.tokens.access_token().await?;
            let response = self.attempt(&build, token.secret()).await?;
            return check(response);
        }
        check(response)
    }

    async fn attempt<F>(&self, build: &F, token: &SecretString) -> Result<Response, QuickBooksError>
    where
        F: Fn(&HttpClient) -> RequestBuilder,
    {
        Ok(build(&self.inner.http)
            .query(&[("minorversion", MINOR_VERSION)])
            .bearer(token)
            .send_raw()
            .await?)
    }

    async fn get_json(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, QuickBooksError> {
        let response = self
            .execute(|http| {
                http.get(path)
                    .query(query)
                    .header("Accept", "application/json")
            })
            .await?;
        decode(&response)
    }

    async fn post_json(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: &Value,
        request_id: &str,
    ) -> Result<Value, QuickBooksError> {
        let response = self
            .execute(|http| {
                http.post(path)
                    .query(query)
                    .query(&[("requestid", request_id)])
                    .header("Accept", "application/json")
                    .json(body)
                    // QuickBooks answers a repeated requestid with the original response,
                    // so a timed-out write may be sent again.
                    .idempotent(true)
            })
            .await?;
        decode(&response)
    }

    // ---- generic entity operations --------------------------------------------------

    /// Reads one record by id.
    ///
    /// # Errors
    /// [`QuickBooksError::NotFound`] when it does not exist; see [`QuickBooksError`].
    pub async fn read<E: Entity>(&self, id: &str) -> Result<E, QuickBooksError> {
        check_id(id)?;
        let body = self.get_json(&format!("{}/{id}", E::PATH), &[]).await?;
        entity_from(body, E::NAME)
    }

    /// Creates a record.
    ///
    /// # Errors
    /// See [`QuickBooksError`]; a duplicate name is [`QuickBooksError::DuplicateName`].
    pub async fn create<E: Entity>(
        &self,
        entity: &E,
        options: &WriteOptions,
    ) -> Result<E, QuickBooksError> {
        let mut body = to_object(entity)?;
        body.remove("Id");
        body.remove("SyncToken");
        body.remove("sparse");
        self.write::<E>(Value::Object(body), &[], options).await
    }

    /// Full update: every writable field left out is cleared. Read the record first (this
    /// crate keeps unmodelled fields, so a read-modify-write loses nothing).
    ///
    /// # Errors
    /// [`QuickBooksError::StaleObject`] when the `SyncToken` is not the latest.
    pub async fn update<E: Entity>(
        &self,
        entity: &E,
        options: &WriteOptions,
    ) -> Result<E, QuickBooksError> {
        let mut body = versioned(entity)?;
        body.insert("sparse".to_owned(), Value::Bool(false));
        self.write::<E>(Value::Object(body), &[], options).await
    }

    /// Sparse update: only the fields set change. A `Line` array still replaces every
    /// line.
    ///
    /// # Errors
    /// [`QuickBooksError::StaleObject`] when the `SyncToken` is not the latest.
    pub async fn sparse_update<E: Entity>(
        &self,
        entity: &E,
        options: &WriteOptions,
    ) -> Result<E, QuickBooksError> {
        let mut body = versioned(entity)?;
        body.insert("sparse".to_owned(), Value::Bool(true));
        self.write::<E>(Value::Object(body), &[], options).await
    }

    async fn write<E: Entity>(
        &self,
        body: Value,
        query: &[(&str, &str)],
        options: &WriteOptions,
    ) -> Result<E, QuickBooksError> {
        let request_id = request_id(options.request_id.as_deref());
        let body = self.post_json(E::PATH, query, &body, &request_id).await?;
        entity_from(body, E::NAME)
    }

    /// Makes a customer or item inactive (they cannot be deleted).
    ///
    /// # Errors
    /// [`QuickBooksError::StaleObject`]; a customer with an open balance is refused.
    pub async fn deactivate<E: NameListEntity>(
        &self,
        id: &str,
        sync_token: &str,
    ) -> Result<E, QuickBooksError> {
        check_id(id)?;
        let body =
            serde_json::json!({"Id": id, "SyncToken": sync_token, "sparse": true, "Active": false});
        self.write::<E>(body, &[], &WriteOptions::default()).await
    }

    /// Deletes a transaction (estimate, invoice, payment).
    ///
    /// # Errors
    /// [`QuickBooksError::StaleObject`], [`QuickBooksError::NotFound`].
    pub async fn delete<E: Transaction>(
        &self,
        id: &str,
        sync_token: &str,
    ) -> Result<DeletedRecord, QuickBooksError> {
        check_id(id)?;
        let body = serde_json::json!({"Id": id, "SyncToken": sync_token});
        let response = self
            .post_json(
                E::PATH,
                &[("operation", "delete")],
                &body,
                &request_id(None),
            )
            .await?;
        let record = response.get(E::NAME).cloned().unwrap_or(Value::Null);
        Ok(DeletedRecord {
            entity: E::NAME.to_owned(),
            id: record
                .get("Id")
                .and_then(Value::as_str)
                .unwrap_or(id)
                .to_owned(),
            status: record
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("Deleted")
                .to_owned(),
        })
    }

    /// Voids an invoice (kept with zero amounts).
    ///
    /// # Errors
    /// [`QuickBooksError::StaleObject`], [`QuickBooksError::NotFound`].
    pub async fn void_invoice(
        &self,
        id: &str,
        sync_token: &str,
    ) -> Result<Invoice, QuickBooksError> {
        check_id(id)?;
        let body = serde_json::json!({"Id": id, "SyncToken": sync_token});
        self.write::<Invoice>(body, &[("operation", "void")], &WriteOptions::default())
            .await
    }

    /// Voids a payment (`operation=update&include=void`, sparse).
    ///
    /// # Errors
    /// [`QuickBooksError::StaleObject`], [`QuickBooksError::NotFound`].
    pub async fn void_payment(
        &self,
        id: &str,
        sync_token: &str,
    ) -> Result<Payment, QuickBooksError> {
        check_id(id)?;
        let body = serde_json::json!({"Id": id, "SyncToken": sync_token, "sparse": true});
        self.write::<Payment>(
            body,
            &[("operation", "update"), ("include", "void")],
            &WriteOptions::default(),
        )
        .await
    }

    // ---- typed shortcuts -------------------------------------------------------------

    /// The company's details (`companyinfo/{realmId}`).
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn company_info(&self) -> Result<CompanyInfo, QuickBooksError> {
        let realm = self.inner.realm_id.clone();
        self.read::<CompanyInfo>(&realm).await
    }

    /// The company's preferences.
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn preferences(&self) -> Result<Preferences, QuickBooksError> {
        let body = self.get_json("preferences", &[]).await?;
        entity_from(body, Preferences::NAME)
    }

    /// Reads a customer.
    ///
    /// # Errors
    /// See [`read`](Self::read).
    pub async fn customer(&self, id: &str) -> Result<Customer, QuickBooksError> {
        self.read(id).await
    }

    /// Reads an item.
    ///
    /// # Errors
    /// See [`read`](Self::read).
    pub async fn item(&self, id: &str) -> Result<Item, QuickBooksError> {
        self.read(id).await
    }

    /// Reads an estimate.
    ///
    /// # Errors
    /// See [`read`](Self::read).
    pub async fn estimate(&self, id: &str) -> Result<Estimate, QuickBooksError> {
        self.read(id).await
    }

    /// Reads an invoice.
    ///
    /// # Errors
    /// See [`read`](Self::read).
    pub async fn invoice(&self, id: &str) -> Result<Invoice, QuickBooksError> {
        self.read(id).await
    }

    // ---- documents ------------------------------------------------------------------

    /// Downloads an estimate's or invoice's PDF.
    ///
    /// # Errors
    /// [`QuickBooksError::NotFound`]; [`QuickBooksError::Decode`] when the body is not a PDF.
    pub async fn pdf(&self, kind: SalesDocumentKind, id: &str) -> Result<Vec<u8>, QuickBooksError> {
        check_id(id)?;
        let path = format!("{}/{id}/pdf", kind.path());
        let response = self
            .execute(|http| http.get(&path).header("Accept", "application/pdf"))
            .await?;
        let bytes = response.bytes().to_vec();
        if !bytes.starts_with(b"%PDF") {
            return Err(QuickBooksError::Decode {
                message: "the response is not a PDF".to_owned(),
                intuit_tid: intuit_tid(&response),
            });
        }
        Ok(bytes)
    }

    /// Emails an estimate or invoice, to `to` or to the document's `BillEmail`. Returns the
    /// document with its new `EmailStatus`.
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn send<E: Entity>(
        &self,
        kind: SalesDocumentKind,
        id: &str,
        to: Option<&str>,
    ) -> Result<E, QuickBooksError> {
        check_id(id)?;
        let path = format!("{}/{id}/send", kind.path());
        let response = self
            .execute(|http| {
                let mut request = http
                    .post(&path)
                    .header("Accept", "application/json")
                    .body_bytes(Vec::new(), "application/octet-stream");
                if let Some(to) = to {
                    request = request.query(&[("sendTo", to)]);
                }
                request
            })
            .await?;
        entity_from(decode(&response)?, E::NAME)
    }

    // ---- queries -------------------------------------------------------------------

    /// Runs one query (`SELECT * FROM Customer WHERE … STARTPOSITION 1 MAXRESULTS 100`).
    ///
    /// # Errors
    /// [`QuickBooksError::Validation`] for a query QuickBooks cannot parse.
    pub async fn query_page<E: Entity>(
        &self,
        query: &str,
    ) -> Result<QueryPage<E>, QuickBooksError> {
        let body = self.get_json("query", &[("query", query)]).await?;
        let response = body.get("QueryResponse").cloned().unwrap_or(Value::Null);
        let items = match response.get(E::NAME) {
            Some(rows) => from_value::<Vec<E>>(rows.clone())?,
            None => Vec::new(),
        };
        let number = |key: &str| response.get(key).and_then(Value::as_u64);
        Ok(QueryPage {
            items,
            start_position: number("startPosition").and_then(|n| u32::try_from(n).ok()),
            max_results: number("maxResults").and_then(|n| u32::try_from(n).ok()),
            total_count: number("totalCount"),
        })
    }

    /// Runs `query` (without `STARTPOSITION`/`MAXRESULTS`) page by page to the end and
    /// returns every row once (pages are 1-based; a page shorter than asked ends the loop).
    ///
    /// # Errors
    /// As [`query_page`](Self::query_page).
    pub async fn query_all<E: Entity>(&self, query: &str) -> Result<Vec<E>, QuickBooksError> {
        let page_size = self.inner.page_size;
        let mut start = 1u32;
        let mut seen = HashSet::new();
        let mut all = Vec::new();
        loop {
            let paged = format!("{query} STARTPOSITION {start} MAXRESULTS {page_size}");
            let page = self.query_page::<E>(&paged).await?;
            let count = u32::try_from(page.items.len()).unwrap_or(u32::MAX);
            for item in page.items {
                let fresh = match item.id() {
                    Some(id) => seen.insert(id.to_owned()),
                    None => true,
                };
                if fresh {
                    all.push(item);
                }
            }
            if count == 0 || count < page_size {
                break;
            }
            start = start.saturating_add(count);
        }
        Ok(all)
    }

    pub(crate) async fn tax_regime(&self) -> Result<TaxRegime, QuickBooksError> {
        self.inner
            .tax_regime
            .get_or_try_init(|| async {
                let info = self.company_info().await?;
                Ok(TaxRegime::from_country(info.country.as_deref()))
            })
            .await
            .cloned()
    }

    pub(crate) fn batch_size(&self) -> usize {
        self.inner.batch_size
    }

    pub(crate) async fn post_batch(&self, body: &Value) -> Result<Value, QuickBooksError> {
        let request_id = request_id(None);
        let response = self
            .execute(|http| {
                http.post("batch")
                    .query(&[("requestid", request_id.as_str())])
                    .header("Accept", "application/json")
                    .json(body)
            })
            .await?;
        decode(&response)
    }

    pub(crate) async fn get_cdc(
        &self,
        entities: &str,
        since: &str,
    ) -> Result<Value, QuickBooksError> {
        self.get_json("cdc", &[("entities", entities), ("changedSince", since)])
            .await
    }
}

/// Builds a [`QuickBooksClient`].
pub struct QuickBooksClientBuilder {
    tokens: Arc<TokenManager>,
    environment: Environment,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    rate_limiter: Option<Arc<RateLimiter>>,
    retry_policy: Option<RetryPolicy>,
    page_size: u32,
    batch_size: usize,
    tax_regime: Option<TaxRegime>,
    po_number_field: Option<String>,
}

impl fmt::Debug for QuickBooksClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuickBooksClientBuilder")
            .field("realm_id", &self.tokens.realm_id())
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl QuickBooksClientBuilder {
    /// Production or sandbox (defaults to the OAuth client's environment).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Overrides the API host (`https://sandbox-quickbooks.api.intuit.com`, or a mock server
    /// in tests). `/v3/company/{realmId}/` is appended.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Per-attempt timeout (default 120 s, QuickBooks's own limit).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The company's rate limiter; share one per realm across clients. Default: 500 calls
    /// a minute, 10 a second and 10 concurrent.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The transport retry policy (default: flux-http's).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// Rows per query page, 1–1000 (default 1000).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Items per batch request, 1–30 (default 30).
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = size.clamp(1, MAX_BATCH_SIZE);
        self
    }

    /// The company's tax model; detected from `CompanyInfo.Country` when not set.
    pub fn tax_regime(mut self, regime: TaxRegime) -> Self {
        self.tax_regime = Some(regime);
        self
    }

    /// The custom-field definition id that holds the purchase-order number on sales
    /// forms. Without it, the PO number is written into the private note.
    pub fn po_number_custom_field(mut self, definition_id: impl Into<String>) -> Self {
        self.po_number_field = Some(definition_id.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`QuickBooksError::Config`] for a bad base URL or realm id.
    pub fn build(self) -> Result<QuickBooksClient, QuickBooksError> {
        let realm_id = self.tokens.realm_id().to_owned();
        check_id(&realm_id).map_err(|_| QuickBooksError::Config("invalid realm id".to_owned()))?;
        let host = self
            .base_url
            .unwrap_or_else(|| self.environment.api_base_url().to_owned());
        let base = format!("{}/v3/company/{realm_id}/", host.trim_end_matches('/'));
        let limiter = self.rate_limiter.unwrap_or_else(|| {
            Arc::new(
                RateLimiter::with_windows(&[
                    (500, Duration::from_secs(60)),
                    (10, Duration::from_secs(1)),
                ])
                .with_max_concurrent(10),
            )
        });
        let mut http = HttpClient::builder("quickbooks")
            .base_url(base)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .rate_limiter(limiter)
            .user_agent(USER_AGENT);
        if let Some(policy) = self.retry_policy {
            http = http.retry_policy(policy);
        }
        let http = http
            .build()
            .map_err(|e| QuickBooksError::Config(e.to_string()))?;
        let tax_regime = OnceCell::new();
        if let Some(regime) = self.tax_regime {
            let _ = tax_regime.set(regime);
        }
        Ok(QuickBooksClient {
            inner: Arc::new(Inner {
                http,
                tokens: self.tokens,
                realm_id,
                page_size: self.page_size,
                batch_size: self.batch_size,
                tax_regime,
                po_number_field: self.po_number_field,
            }),
        })
    }
}

// ---- helpers ----------------------------------------------------------------------------

pub(crate) fn intuit_tid(response: &Response) -> Option<String> {
    response
        .headers()
        .get("intuit_tid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Turns a response into an error when it is one: any non-2xx status, or a 2xx whose
/// body is a fault.
fn check(response: Response) -> Result<Response, QuickBooksError> {
    let status = response.status().as_u16();
    let body = response.bytes();
    if response.status().is_success() {
        // A fault can come with HTTP 200: look for it in JSON bodies that mention one.
        let mentions_fault =
            body.first() == Some(&b'{') && body.windows(7).any(|w| w == b"\"Fault\"");
        if mentions_fault && let Some(fault) = parse_fault(&body) {
            return Err(QuickBooksError::from_fault(
                status,
                fault,
                intuit_tid(&response),
                None,
            ));
        }
        return Ok(response);
    }
    let fault = parse_fault(&body).or_else(|| {
        matches!(status, 401 | 403 | 404 | 429 | 500..=599).then(|| crate::fault::Fault {
            fault_type: None,
            errors: vec![crate::fault::FaultError {
                message: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
                ..Default::default()
            }],
        })
    });
    match fault {
        Some(fault) => Err(QuickBooksError::from_fault(
            status,
            fault,
            intuit_tid(&response),
            response.retry_after(),
        )),
        None => Err(QuickBooksError::Http(
            response.error_for_status().err().unwrap_or_else(|| {
                flux_http::HttpError::InvalidRequest {
                    message: "unexpected status".to_owned(),
                    source: None,
                }
            }),
        )),
    }
}

fn decode(response: &Response) -> Result<Value, QuickBooksError> {
    response
        .json::<Value>()
        .map_err(|e| QuickBooksError::Decode {
            message: e.to_string(),
            intuit_tid: intuit_tid(response),
        })
}

pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, QuickBooksError> {
    serde_path_to_error::deserialize(value).map_err(|e| QuickBooksError::Decode {
        message: format!("at `{}`: {}", e.path(), e.inner()),
        intuit_tid: None,
    })
}

pub(crate) fn entity_from<E: DeserializeOwned>(
    mut body: Value,
    name: &str,
) -> Result<E, QuickBooksError> {
    match body.get_mut(name).map(Value::take) {
        Some(value) => from_value(value),
        None => Err(QuickBooksError::Decode {
            message: format!("the response has no `{name}`"),
            intuit_tid: None,
        }),
    }
}

fn to_object<E: Entity>(entity: &E) -> Result<Map<String, Value>, QuickBooksError> {
    match serde_json::to_value(entity) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(QuickBooksError::invalid(
            E::NAME,
            "must serialize to an object",
        )),
        Err(e) => Err(QuickBooksError::invalid(E::NAME, e.to_string())),
    }
}

fn versioned<E: Entity>(entity: &E) -> Result<Map<String, Value>, QuickBooksError> {
    if entity.id().is_none_or(str::is_empty) {
        return Err(QuickBooksError::invalid(
            "Id",
            "an update needs the record's Id",
        ));
    }
    if entity.sync_token().is_none_or(str::is_empty) {
        return Err(QuickBooksError::invalid(
            "SyncToken",
            "an update needs the record's current SyncToken",
        ));
    }
    to_object(entity)
}

/// Ids go into paths: allow only what QuickBooks ids look like (digits, `TAX`, `NON`).
pub(crate) fn check_id(id: &str) -> Result<(), QuickBooksError> {
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(QuickBooksError::invalid(
            "Id",
            format!("{id:?} is not a QuickBooks id"),
        ));
    }
    Ok(())
}

/// The `requestid` for a write: the caller's key when short enough, its SHA-256 otherwise,
/// a random UUID when none.
pub(crate) fn request_id(key: Option<&str>) -> String {
    match key {
        Some(key) if key.len() <= MAX_REQUEST_ID_LEN && !key.is_empty() => key.to_owned(),
        Some(key) => {
            let digest = Sha256::digest(key.as_bytes());
            hex::encode(digest)[..MAX_REQUEST_ID_LEN.min(64)].to_owned()
        }
        None => uuid::Uuid::new_v4().simple().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_stable_and_short() {
        assert_eq!(request_id(Some("order-42:invoice")), "order-42:invoice");
        let long = "x".repeat(80);
        let hashed = request_id(Some(&long));
        assert_eq!(hashed.len(), 50);
        assert_eq!(hashed, request_id(Some(&long)));
        assert_ne!(request_id(None), request_id(None));
    }

    #[test]
    fn ids_are_checked() {
        assert!(check_id("123").is_ok());
        assert!(check_id("TAX").is_ok());
        assert!(check_id("1/../2").is_err());
        assert!(check_id("").is_err());
    }
}
