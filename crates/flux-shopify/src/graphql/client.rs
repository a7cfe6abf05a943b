//! [`AdminClient`]: one shop's Admin GraphQL API.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flux_http::{HttpClient, Response, RetryPolicy, StatusCode};
use futures::Stream;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tokio::time::Instant;

use super::errors::{GraphqlError, UserError};
use super::throttle::{Bucket, QueryCost, ShopThrottle, wait_for};
use crate::app::ShopifyApp;
use crate::auth::{AccessToken, OfflineTokenManager};
use crate::error::ShopifyError;
use crate::shop::ShopDomain;
use crate::types::Connection;

/// Cost assumed for a query this client has not run yet (Shopify reports the real cost
/// in every response, and a too-low guess only means one `THROTTLED` answer and a wait).
const FIRST_GUESS_COST: Decimal = Decimal::from_parts(50, 0, 0, false, 0);

/// Bound on the per-query cost memory (queries with inlined idempotency keys are unique).
const MAX_REMEMBERED_COSTS: usize = 512;

const TOKEN_HEADER: &str = "x-shopify-access-token";

/// A successful GraphQL response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GraphqlResponse<T> {
    /// `data`, decoded.
    pub data: T,
    /// `extensions.cost`, if Shopify sent it.
    pub cost: Option<QueryCost>,
    /// The `x-request-id` header, for support tickets.
    pub request_id: Option<String>,
}

#[derive(Clone)]
enum TokenSource {
    Static(Box<AccessToken>),
    Managed(Arc<OfflineTokenManager>),
}

/// A client for one shop's Admin GraphQL API
/// (`POST https://{shop}/admin/api/{version}/graphql.json`).
///
/// - Waits **before** it would be throttled, from `extensions.cost.throttleStatus` of
///   earlier responses (the bucket size and restore rate are read, never assumed).
/// - When Shopify still throttles (`THROTTLED` in a 200 body, or HTTP 429/503), waits
///   for the reported deficit and retries, up to the app's `max_throttle_retries`.
/// - Queries are retried on 5xx and timeouts; mutations are not (unless
///   idempotent via `@idempotent`).
/// - With an [`OfflineTokenManager`], expiring tokens are refreshed before expiry and
///   once on a 401.
///
/// Cheap to clone. Every client of one shop built from the same [`ShopifyApp`] (and its
/// clones) shares the shop's throttle state, so clients made per task still queue for the
/// shop's bucket together.
#[derive(Clone)]
pub struct AdminClient {
    inner: Arc<Inner>,
}

struct Inner {
    app: ShopifyApp,
    shop: ShopDomain,
    http: HttpClient,
    tokens: TokenSource,
    throttle: Arc<ShopThrottle>,
}

/// Points reserved in the shop's bucket for one request, given back when it is dropped
/// (the request was answered, so its charge is in the reported status, or failed).
struct Reservation<'a> {
    bucket: &'a Mutex<Bucket>,
    points: Decimal,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.bucket
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .release(self.points);
    }
}

impl fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminClient")
            .field("shop", &self.inner.shop)
            .field("api_version", self.inner.app.api_version())
            .field(
                "token",
                &match self.inner.tokens {
                    TokenSource::Static(_) => "static [REDACTED]",
                    TokenSource::Managed(_) => "managed",
                },
            )
            .finish_non_exhaustive()
    }
}

impl ShopifyApp {
    /// A client for `shop` using a token you hold (legacy offline, online, or one you
    /// refresh yourself).
    ///
    /// # Errors
    /// [`ShopifyError::Configuration`] / [`ShopifyError::Http`] if the client cannot be built.
    pub fn admin_client(
        &self,
        shop: &ShopDomain,
        token: AccessToken,
    ) -> Result<AdminClient, ShopifyError> {
        AdminClient::build(self, shop, TokenSource::Static(Box::new(token)))
    }

    /// A client for `shop` whose expiring offline token is kept fresh by `manager`.
    ///
    /// # Errors
    /// As [`admin_client`](Self::admin_client).
    pub fn managed_admin_client(
        &self,
        shop: &ShopDomain,
        manager: Arc<OfflineTokenManager>,
    ) -> Result<AdminClient, ShopifyError> {
        AdminClient::build(self, shop, TokenSource::Managed(manager))
    }
}

#[derive(Deserialize)]
struct RawResponse {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Option<Vec<GraphqlError>>,
    #[serde(default)]
    extensions: Option<RawExtensions>,
}

#[derive(Deserialize)]
struct RawExtensions {
    #[serde(default)]
    cost: Option<QueryCost>,
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ShopifyError> {
    serde_path_to_error::deserialize(value).map_err(ShopifyError::decode)
}

fn query_key(query: &str) -> u64 {
    let mut h = DefaultHasher::new();
    query.hash(&mut h);
    h.finish()
}

fn is_mutation(query: &str) -> bool {
    query.trim_start().starts_with("mutation")
}

impl AdminClient {
    fn build(
        app: &ShopifyApp,
        shop: &ShopDomain,
        tokens: TokenSource,
    ) -> Result<Self, ShopifyError> {
        let base = app
            .shop_base(shop)?
            .join(&format!("admin/api/{}/", app.api_version()))
            .map_err(|e| ShopifyError::Configuration(e.to_string()))?;
        let http = HttpClient::builder(crate::error::PROVIDER)
            .base_url(base.as_str())
            .timeout(app.inner.timeout)
            .retry_policy(RetryPolicy::default())
            .user_agent(format!("flux-shopify/{} (Rust)", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                app: app.clone(),
                shop: shop.clone(),
                http,
                tokens,
                throttle: app.inner.throttles.of(shop.as_str()),
            }),
        })
    }

    /// The shop this client talks to.
    pub fn shop(&self) -> &ShopDomain {
        &self.inner.shop
    }

    /// The app this client belongs to.
    pub fn app(&self) -> &ShopifyApp {
        &self.inner.app
    }

    async fn current_token(&self) -> Result<AccessToken, ShopifyError> {
        match &self.inner.tokens {
            TokenSource::Static(t) => Ok(t.as_ref().clone()),
            TokenSource::Managed(m) => m.token(&self.inner.shop).await,
        }
    }

    async fn send_once(
        &self,
        token: &AccessToken,
        body: &Value,
        retry_safe: bool,
    ) -> Result<Response, ShopifyError> {
        Ok(self
            .inner
            .http
            .post("graphql.json")
            .sensitive_header(TOKEN_HEADER, &token.access_token)
            .header("accept", "application/json")
            .json(body)
            .idempotent(retry_safe)
            .send_raw()
            .await?)
    }

    /// Runs a GraphQL document and decodes `data` into `T`.
    ///
    /// # Errors
    /// [`ShopifyError::Graphql`] for top-level errors, [`ShopifyError::Throttled`] when
    /// Shopify kept throttling, [`ShopifyError::Http`] for transport failures and
    /// non-2xx statuses (401 after a refresh attempt, 402 frozen shop, 403, 423 locked,
    /// ...), [`ShopifyError::Decode`].
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
    ) -> Result<GraphqlResponse<T>, ShopifyError> {
        self.run(query, variables, !is_mutation(query)).await
    }

    async fn run<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
        retry_safe: bool,
    ) -> Result<GraphqlResponse<T>, ShopifyError> {
        let key = query_key(query);
        let body = serde_json::json!({ "query": query, "variables": variables });
        let max_retries = self.inner.app.inner.max_throttle_retries;
        let mut throttled: u32 = 0;
        let mut refreshed = false;
        let mut token = self.current_token().await?;
        loop {
            let throttle = &self.inner.throttle;
            let expected = throttle
                .costs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&key)
                .copied()
                .unwrap_or(FIRST_GUESS_COST);
            let (wait, points) = throttle
                .bucket
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .reserve(expected, Instant::now());
            let reservation = Reservation {
                bucket: &throttle.bucket,
                points,
            };
            if !wait.is_zero() {
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "waiting for the GraphQL cost bucket"
                );
                tokio::time::sleep(wait).await;
            }

            let response = self.send_once(&token, &body, retry_safe).await?;
            let status = response.status();
            let request_id = response.request_id().map(str::to_owned);

            if status == StatusCode::UNAUTHORIZED
                && let (TokenSource::Managed(manager), false) = (&self.inner.tokens, refreshed)
            {
                refreshed = true;
                token = manager
                    .token_after_unauthorized(&self.inner.shop, &token)
                    .await?;
                continue;
            }
            if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) {
                let wait = response.retry_after().unwrap_or(Duration::from_secs(1));
                if throttled >= max_retries {
                    return Err(ShopifyError::Throttled {
                        retry_after: Some(wait),
                    });
                }
                throttled += 1;
                tracing::info!(
                    status = status.as_u16(),
                    wait_ms = wait.as_millis() as u64,
                    "Shopify throttled the request; waiting"
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            if !status.is_success() {
                return Err(response
                    .error_for_status()
                    .err()
                    .map(ShopifyError::Http)
                    .unwrap_or_else(|| ShopifyError::Configuration("unreachable".into())));
            }

            let bytes = response.bytes();
            let de = &mut serde_json::Deserializer::from_slice(&bytes);
            let raw: RawResponse =
                serde_path_to_error::deserialize(de).map_err(ShopifyError::decode)?;
            let cost = raw.extensions.and_then(|e| e.cost);
            if let Some(cost) = &cost {
                if let Some(requested) = cost.requested_query_cost {
                    let mut costs = throttle.costs.lock().unwrap_or_else(|p| p.into_inner());
                    if costs.len() >= MAX_REMEMBERED_COSTS {
                        costs.clear();
                    }
                    costs.insert(key, requested);
                }
                if let Some(ts) = &cost.throttle_status {
                    throttle
                        .bucket
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .update(ts.clone(), Instant::now());
                }
            }
            // Answered: the reported status includes this request's charge.
            drop(reservation);
            let errors = raw.errors.unwrap_or_default();
            if errors.iter().any(|e| e.code() == Some("THROTTLED")) {
                let wait = cost
                    .as_ref()
                    .and_then(|c| {
                        let ts = c.throttle_status.as_ref()?;
                        let requested = c.requested_query_cost?;
                        Some(wait_for(
                            requested - ts.currently_available,
                            ts.restore_rate,
                        ))
                    })
                    .filter(|w| !w.is_zero())
                    .unwrap_or(Duration::from_secs(1));
                if throttled >= max_retries {
                    return Err(ShopifyError::Throttled {
                        retry_after: Some(wait),
                    });
                }
                throttled += 1;
                tracing::info!(
                    wait_ms = wait.as_millis() as u64,
                    "THROTTLED; waiting for the bucket to refill"
                );
                // The bucket state from this response already accounts for the deficit;
                // the next loop's reservation will wait as needed.
                continue;
            }
            if !errors.is_empty() {
                return Err(ShopifyError::Graphql { errors, request_id });
            }
            let data = decode(raw.data.unwrap_or(Value::Null))?;
            return Ok(GraphqlResponse {
                data,
                cost,
                request_id,
            });
        }
    }

    /// Runs a mutation whose payload sits at `data.{field}` and has `userErrors`;
    /// returns the payload when `userErrors` is empty.
    ///
    /// # Errors
    /// [`ShopifyError::UserErrors`] with the field paths, plus those of
    /// [`graphql`](Self::graphql).
    pub async fn mutation<P: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
        field: &str,
    ) -> Result<P, ShopifyError> {
        self.mutation_inner(query, variables, field, false).await
    }

    /// A mutation carrying an `@idempotent(key: …)` directive: Shopify deduplicates it,
    /// so it is retried on timeouts and 5xx like a query.
    pub(crate) async fn idempotent_mutation<P: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
        field: &str,
    ) -> Result<P, ShopifyError> {
        self.mutation_inner(query, variables, field, true).await
    }

    async fn mutation_inner<P: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
        field: &str,
        retry_safe: bool,
    ) -> Result<P, ShopifyError> {
        let response: GraphqlResponse<Map<String, Value>> =
            self.run(query, variables, retry_safe).await?;
        let mut data = response.data;
        let mut payload = data.remove(field).unwrap_or(Value::Null);
        if let Some(errors) = payload.get_mut("userErrors").map(Value::take) {
            let errors: Vec<UserError> = decode(errors)?;
            if !errors.is_empty() {
                return Err(ShopifyError::UserErrors { errors });
            }
        }
        decode(payload)
    }

    /// Runs a query and decodes the value at `path` inside `data` (e.g. `["order"]`).
    ///
    /// # Errors
    /// As [`graphql`](Self::graphql).
    pub async fn query_at<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
        path: &[&str],
    ) -> Result<T, ShopifyError> {
        let response: GraphqlResponse<Value> = self.graphql(query, variables).await?;
        decode(take_path(response.data, path))
    }

    /// Every node of a connection, page by page, as a stream. `query` must declare
    /// `$after: String` and pass it to the connection, and select
    /// `nodes { … } pageInfo { hasNextPage endCursor }`; `path` locates the connection
    /// in `data` (e.g. `["orders"]`).
    ///
    /// ```no_run
    /// # async fn demo(client: flux_shopify::AdminClient) -> Result<(), flux_shopify::ShopifyError> {
    /// use futures::TryStreamExt;
    /// let ids: Vec<serde_json::Value> = client
    ///     .paginate(
    ///         "query($after: String) { locations(first: 50, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }",
    ///         serde_json::json!({}),
    ///         &["locations"],
    ///     )
    ///     .try_collect()
    ///     .await?;
    /// # let _ = ids; Ok(()) }
    /// ```
    pub fn paginate<N>(
        &self,
        query: &str,
        variables: Value,
        path: &[&str],
    ) -> impl Stream<Item = Result<N, ShopifyError>> + Send + use<N>
    where
        N: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        let query = query.to_owned();
        let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        async_stream::try_stream! {
            let mut after: Option<String> = None;
            loop {
                let mut vars = variables.clone();
                if let Value::Object(map) = &mut vars {
                    map.insert("after".into(), after.clone().map_or(Value::Null, Value::String));
                }
                let response: GraphqlResponse<Value> = client.graphql(&query, vars).await?;
                let path_refs: Vec<&str> = path.iter().map(String::as_str).collect();
                let page: Connection<N> = decode(take_path(response.data, &path_refs))?;
                for node in page.nodes {
                    yield node;
                }
                match page.page_info.end_cursor {
                    Some(cursor) if page.page_info.has_next_page => after = Some(cursor),
                    _ => break,
                }
            }
        }
    }

    /// GET an absolute URL without the access token (bulk results on Shopify's storage).
    pub(crate) async fn download(&self, url: url::Url) -> Result<flux_http::Bytes, ShopifyError> {
        let response = self
            .inner
            .http
            .request_url(flux_http::Method::GET, url)
            .send()
            .await?;
        Ok(response.into_bytes())
    }
}

fn take_path(mut value: Value, path: &[&str]) -> Value {
    for key in path {
        value = match value {
            Value::Object(mut map) => map.remove(*key).unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretString;

    #[test]
    fn clients_of_one_shop_share_its_throttle_state() {
        let app = ShopifyApp::builder("key", SecretString::from("secret"))
            .build()
            .unwrap();
        let shop = ShopDomain::parse("a-shop.myshopify.com").unwrap();
        let other = ShopDomain::parse("b-shop.myshopify.com").unwrap();
        let token = || AccessToken::new(SecretString::from("shpat_x"));
        let a = app.admin_client(&shop, token()).unwrap();
        let b = app.clone().admin_client(&shop, token()).unwrap();
        let c = app.admin_client(&other, token()).unwrap();
        assert!(Arc::ptr_eq(&a.inner.throttle, &b.inner.throttle));
        assert!(!Arc::ptr_eq(&a.inner.throttle, &c.inner.throttle));
    }
}
