//! The QuickBooks Online simulator, under `/quickbooks/`: Intuit's OAuth 2.0 endpoints and
//! the Accounting API of two companies.
//!
//! ## Pointing the SDK at it
//!
//! With `base = sandbox.base_url(Provider::QuickBooks)` (`http://HOST/quickbooks/`):
//!
//! | SDK setting | value |
//! |---|---|
//! | `QuickBooksOAuth::builder(..).authorization_url(..)` | `{base}connect/oauth2` |
//! | `QuickBooksOAuth::builder(..).token_url(..)` | `{base}oauth2/v1/tokens/bearer` |
//! | `QuickBooksOAuth::builder(..).revocation_url(..)` | `{base}v2/oauth2/tokens/revoke` |
//! | `QuickBooksClient::builder(..).base_url(..)` | `{base}` (the SDK appends `v3/company/{realm}/`) |
//!
//! ## Default app and companies
//!
//! | what | value |
//! |---|---|
//! | client id / secret | [`CLIENT_ID`] `flux-sandbox-client` / [`CLIENT_SECRET`] `flux-sandbox-secret` |
//! | redirect URIs | any (the code exchange must repeat the URI the code was issued for) |
//! | US company | realm [`US_REALM`] (`Flux Demo Supply Co`, California, USD, `TAX`/`NON`, automated sales tax by ship-to state: CA 7.25 %, NY 4 %, TX 6.25 %, WA 6.5 %, FL 6 %) |
//! | Canadian company | realm [`CA_REALM`] (`Maple Distribution Inc.`, Ontario, CAD; tax codes `3` Exempt, `4` Zero-rated, `5` GST, `13` HST ON, `15` HST NS, `17` GST/PST BC) |
//!
//! The consent page (`GET connect/oauth2`) approves at once and redirects to the
//! `redirect_uri` with `code`, `state` and `realmId` (the US company, or the one named by
//! the sandbox-only `realmId` query parameter). [`Sim::connect`] skips the browser and
//! returns tokens directly.
//!
//! ## OAuth
//!
//! - `POST oauth2/v1/tokens/bearer`: `authorization_code` (single-use codes, 10 minutes,
//!   `redirect_uri` checked) and `refresh_token`. The client authenticates with HTTP Basic
//!   (or `client_secret_post`); a wrong client is HTTP 401 `{"error":"invalid_client"}`.
//!   Every refresh **rotates** the refresh token; the previous one answers HTTP 400
//!   `{"error":"invalid_grant","error_description":"Token invalid"}` (after
//!   [`Sim::set_refresh_grace`], default none). Access tokens last 3600 s and refresh
//!   tokens roll for 100 days (`x_refresh_token_expires_in`) within a five-year hard cap,
//!   returned as `x_refresh_token_hard_expires_in` when the request carries
//!   `x-include-refresh-token-hard-expires-in: true`. Every answer has an `intuit_tid`.
//! - `POST v2/oauth2/tokens/revoke` (`{"token": …}` as JSON, HTTP Basic): ends the
//!   connection (refresh and access tokens).
//!
//! ## Accounting API (`v3/company/{realm}/…`, `minorversion` accepted)
//!
//! - `query`: `SELECT * [, Sku] | COUNT(*) FROM Customer|Item|Estimate|Invoice|TaxCode|TaxRate|CompanyInfo|Preferences`
//!   with `WHERE` (AND-ed `=`, `!=`, `<`, `>`, `<=`, `>=`, `IN (…)`, `LIKE`; only the
//!   queryable properties), `ORDERBY f [ASC|DESC]`, `STARTPOSITION` (1-based) and
//!   `MAXRESULTS` (default 100, at most 1000). Name lists return active records unless
//!   `Active` is named.
//! - Read, create, full and sparse update of `customer`, `item`, `estimate`, `invoice`
//!   with SyncToken checks (stale: code 5010); `operation=delete` of estimates and
//!   invoices, `operation=void` of invoices; read of `taxcode`, `taxrate`,
//!   `companyinfo/{realm}`, `preferences`.
//! - `requestid`: a repeated id returns the first answer and changes nothing.
//! - Customers: unique `DisplayName` (6240 `… : Id=<existing>`), " (deleted)" suffix when
//!   made inactive, no inactivation with an open balance; balances follow the invoices.
//! - Estimates and invoices: lines checked (item exists and is active, `Amount` =
//!   `Qty × UnitPrice`), tax per line (US `TAX`/`NON`; Canada a tax code id on every line or
//!   code 6000 "Make sure all your transactions have a GST/HST rate"), totals, numbering
//!   from 1001, an invoice linked to one estimate (`LinkedTxn`) closes it.
//! - `estimate|invoice/{id}/pdf` (a small valid PDF), `…/send[?sendTo=]`, `cdc`, `batch`
//!   (at most 30 items).
//! - Limits per realm: 500 requests a minute and 10 concurrent, then HTTP 429 with
//!   Intuit's XML `ThrottleExceeded` fault (each refused call is a violation); 40 batch
//!   requests a minute.
//! - Errors: `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type":"ValidationFault"},"time":…}`
//!   (HTTP 400); a missing, unknown, expired or revoked access token is the gateway's
//!   HTTP 401 `fault` (code 3200), a token of another company HTTP 403 (code 3100).

mod books;
mod pdf;
mod query;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path};
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use books::{Company, Fault, WriteOp};
pub use books::{Kind, SentEmail};

use crate::limits::Verdict;
use crate::server::{Provider, Shared};

/// The default app's client id.
pub const CLIENT_ID: &str = "flux-sandbox-client";
/// The default app's client secret.
pub const CLIENT_SECRET: &str = "flux-sandbox-secret";
/// The US company's realm id.
pub const US_REALM: &str = "9341453210";
/// The Canadian company's realm id.
pub const CA_REALM: &str = "9341453299";
/// Requests allowed per realm: 500 a minute.
pub const MINUTE_LIMIT: (usize, Duration) = (500, Duration::from_secs(60));
/// Requests allowed in flight at once per realm.
pub const MAX_CONCURRENT: usize = 10;
/// Batch requests allowed per realm: 40 a minute.
pub const BATCH_LIMIT: (usize, Duration) = (40, Duration::from_secs(60));
/// Most items in one batch request.
pub const MAX_BATCH_ITEMS: usize = 30;

const ACCESS_TOKEN_SECS: i64 = 3600;
const REFRESH_ROLLING_SECS: i64 = 8_726_400;
const REFRESH_HARD_SECS: i64 = 5 * 365 * 24 * 3600;
const CODE_SECS: i64 = 600;
const QB: Provider = Provider::QuickBooks;

/// Tokens of one connection, as the token endpoint would return them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimTokens {
    /// The company.
    pub realm_id: String,
    /// The access token (3600 s).
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

#[derive(Debug)]
struct App {
    secret: String,
    redirect_uris: Vec<String>,
}

#[derive(Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    realm: String,
    issued: DateTime<Utc>,
    used: bool,
}

#[derive(Debug)]
struct Connection {
    client_id: String,
    realm: String,
    connected_at: DateTime<Utc>,
    refresh: String,
    refresh_used_at: DateTime<Utc>,
    previous: Vec<(String, DateTime<Utc>)>,
    revoked: bool,
}

#[derive(Debug, Default)]
struct OAuth {
    apps: HashMap<String, App>,
    codes: HashMap<String, Code>,
    conns: Vec<Connection>,
    access: HashMap<String, (usize, DateTime<Utc>)>,
    grace: Duration,
    consent_realm: String,
}

#[derive(Debug)]
struct State {
    oauth: OAuth,
    companies: HashMap<String, Company>,
}

#[derive(Debug, Default)]
struct Inflight {
    now: HashMap<String, usize>,
    peak: HashMap<String, usize>,
}

/// The QuickBooks simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    state: Mutex<State>,
    inflight: Arc<Mutex<Inflight>>,
}

fn token(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

fn tid() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default app and the
    /// US and Canadian companies.
    pub fn new(shared: Shared) -> Self {
        let now = shared.clock.now();
        let mut companies = HashMap::new();
        companies.insert(US_REALM.to_owned(), Company::us(US_REALM, now));
        companies.insert(CA_REALM.to_owned(), Company::ca(CA_REALM, now));
        let mut oauth = OAuth {
            consent_realm: US_REALM.to_owned(),
            ..OAuth::default()
        };
        oauth.apps.insert(
            CLIENT_ID.to_owned(),
            App {
                secret: CLIENT_SECRET.to_owned(),
                redirect_uris: Vec::new(),
            },
        );
        Self {
            shared,
            state: Mutex::new(State { oauth, companies }),
            inflight: Arc::new(Mutex::new(Inflight::default())),
        }
    }

    /// The shared clock, faults and limits.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers another app; `redirect_uris` empty accepts any redirect URI.
    pub fn register_app(&self, client_id: &str, secret: &str, redirect_uris: &[&str]) {
        self.lock().oauth.apps.insert(
            client_id.to_owned(),
            App {
                secret: secret.to_owned(),
                redirect_uris: redirect_uris.iter().map(|s| (*s).to_owned()).collect(),
            },
        );
    }

    /// How long a rotated-away refresh token keeps working (Intuit documents 24 hours;
    /// default zero: the old token answers `invalid_grant` at once).
    pub fn set_refresh_grace(&self, grace: Duration) {
        self.lock().oauth.grace = grace;
    }

    /// The company the consent page connects when the request names none.
    pub fn set_consent_realm(&self, realm: &str) {
        realm.clone_into(&mut self.lock().oauth.consent_realm);
    }

    /// What the consent page does: an authorization code of `client_id` for `realm`, to
    /// be exchanged with the same `redirect_uri`. `None` for an unknown app or company.
    pub fn authorize(&self, client_id: &str, redirect_uri: &str, realm: &str) -> Option<String> {
        let now = self.shared.clock.now();
        let mut st = self.lock();
        if !st.companies.contains_key(realm) {
            return None;
        }
        let app = st.oauth.apps.get(client_id)?;
        if !app.redirect_uris.is_empty() && !app.redirect_uris.iter().any(|u| u == redirect_uri) {
            return None;
        }
        let code = token("AB11");
        st.oauth.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                realm: realm.to_owned(),
                issued: now,
                used: false,
            },
        );
        Some(code)
    }

    /// Connects the default app to `realm` without the browser and the code exchange.
    /// `None` for an unknown company.
    pub fn connect(&self, realm: &str) -> Option<SimTokens> {
        let now = self.shared.clock.now();
        let mut st = self.lock();
        if !st.companies.contains_key(realm) {
            return None;
        }
        let (access, refresh) = st.oauth.new_connection(CLIENT_ID, realm, now);
        Some(SimTokens {
            realm_id: realm.to_owned(),
            access_token: access,
            refresh_token: refresh,
        })
    }

    /// Whether `refresh_token` would be accepted now.
    pub fn refresh_token_valid(&self, refresh_token: &str) -> bool {
        let now = self.shared.clock.now();
        self.lock().oauth.find_refresh(refresh_token, now).is_ok()
    }

    /// The companies' realm ids.
    pub fn realms(&self) -> Vec<String> {
        let mut r: Vec<String> = self.lock().companies.keys().cloned().collect();
        r.sort();
        r
    }

    /// Every record of `kind` in `realm` (inactive and all), by id.
    pub fn records(&self, realm: &str, kind: Kind) -> Vec<Value> {
        self.lock()
            .companies
            .get(realm)
            .map(|c| c.rows(kind))
            .unwrap_or_default()
    }

    /// One record.
    pub fn record(&self, realm: &str, kind: Kind, id: &str) -> Option<Value> {
        self.lock().companies.get(realm)?.read(kind, id).ok()
    }

    /// The invoices of `realm`.
    pub fn invoices(&self, realm: &str) -> Vec<Value> {
        self.records(realm, Kind::Invoice)
    }

    /// The estimates of `realm`.
    pub fn estimates(&self, realm: &str) -> Vec<Value> {
        self.records(realm, Kind::Estimate)
    }

    /// The customers of `realm`.
    pub fn customers(&self, realm: &str) -> Vec<Value> {
        self.records(realm, Kind::Customer)
    }

    /// The emails sent from `realm`.
    pub fn emails(&self, realm: &str) -> Vec<SentEmail> {
        self.lock()
            .companies
            .get(realm)
            .map(|c| c.emails.clone())
            .unwrap_or_default()
    }

    /// Adds a customer or item (as the API would create it) without a request.
    ///
    /// # Errors
    /// The fault's detail when QuickBooks would refuse it.
    pub fn add(&self, realm: &str, kind: Kind, record: Value) -> Result<Value, String> {
        let now = self.shared.clock.now();
        let mut st = self.lock();
        let company = st
            .companies
            .get_mut(realm)
            .ok_or_else(|| format!("no company {realm}"))?;
        company
            .seed_one(kind, record, now)
            .map_err(|f| format!("{}: {}", f.code, f.detail))
    }

    /// The most requests of `realm` that were in flight at once.
    pub fn peak_concurrency(&self, realm: &str) -> usize {
        self.inflight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .peak
            .get(realm)
            .copied()
            .unwrap_or(0)
    }

    fn enter(&self, realm: &str) -> InflightGuard {
        let mut inf = self.inflight.lock().unwrap_or_else(|e| e.into_inner());
        let n = inf.now.entry(realm.to_owned()).or_insert(0);
        *n += 1;
        let current = *n;
        let peak = inf.peak.entry(realm.to_owned()).or_insert(0);
        *peak = (*peak).max(current);
        InflightGuard {
            inflight: self.inflight.clone(),
            realm: realm.to_owned(),
            over: current > MAX_CONCURRENT,
        }
    }
}

struct InflightGuard {
    inflight: Arc<Mutex<Inflight>>,
    realm: String,
    over: bool,
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        let mut inf = self.inflight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = inf.now.get_mut(&self.realm) {
            *n = n.saturating_sub(1);
        }
    }
}

impl OAuth {
    fn new_connection(
        &mut self,
        client_id: &str,
        realm: &str,
        now: DateTime<Utc>,
    ) -> (String, String) {
        let refresh = token("RT1-");
        let access = token("eyJ-sim-");
        self.conns.push(Connection {
            client_id: client_id.to_owned(),
            realm: realm.to_owned(),
            connected_at: now,
            refresh: refresh.clone(),
            refresh_used_at: now,
            previous: Vec::new(),
            revoked: false,
        });
        let idx = self.conns.len() - 1;
        self.access.insert(
            access.clone(),
            (idx, now + chrono::Duration::seconds(ACCESS_TOKEN_SECS)),
        );
        (access, refresh)
    }

    /// The connection a refresh token belongs to, if it is still usable.
    fn find_refresh(&self, refresh: &str, now: DateTime<Utc>) -> Result<usize, ()> {
        let grace = chrono::Duration::from_std(self.grace).unwrap_or_default();
        for (i, c) in self.conns.iter().enumerate() {
            if c.revoked {
                continue;
            }
            let alive = now < c.refresh_used_at + chrono::Duration::seconds(REFRESH_ROLLING_SECS)
                && now < c.connected_at + chrono::Duration::seconds(REFRESH_HARD_SECS);
            if c.refresh == refresh && alive {
                return Ok(i);
            }
            if c.previous
                .iter()
                .any(|(t, at)| t == refresh && now < *at + grace)
                && alive
            {
                return Ok(i);
            }
        }
        Err(())
    }

    fn token_body(&self, idx: usize, access: &str, now: DateTime<Utc>, hard: bool) -> Value {
        let c = &self.conns[idx];
        let hard_left = (c.connected_at + chrono::Duration::seconds(REFRESH_HARD_SECS) - now)
            .num_seconds()
            .max(0);
        let mut body = json!({
            "access_token": access,
            "refresh_token": c.refresh,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECS,
            "x_refresh_token_expires_in": REFRESH_ROLLING_SECS.min(hard_left),
        });
        if hard {
            body["x_refresh_token_hard_expires_in"] = json!(hard_left);
        }
        body
    }
}

// ---- responses ---------------------------------------------------------------------------

fn json_response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .insert_header(("intuit_tid", tid()))
        .content_type("application/json;charset=UTF-8")
        .body(body.to_string())
}

fn oauth_error(status: u16, error: &str, description: Option<&str>) -> HttpResponse {
    let body = match description {
        Some(d) => json!({"error_description": d, "error": error}),
        None => json!({"error": error}),
    };
    json_response(status, &body)
}

fn gateway_401(detail: &str) -> HttpResponse {
    let body = json!({"warnings":null,"intuitObject":null,"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":detail,"code":"3200","element":null}],"type":"AUTHENTICATION"},"report":null,"queryResponse":null,"batchItemResponse":[],"attachableResponse":[],"syncErrorResponse":null,"requestId":null,"time":Utc::now().timestamp_millis(),"status":null,"cdcresponse":[]});
    json_response(401, &body)
}

fn gateway_403() -> HttpResponse {
    let body = json!({"warnings":null,"intuitObject":null,"fault":{"error":[{"message":"message=AuthorizationFailed; errorCode=003100; statusCode=403","detail":"","code":"3100","element":null}],"type":"SERVICE"},"report":null,"queryResponse":null,"batchItemResponse":[],"attachableResponse":[],"syncErrorResponse":null,"requestId":null,"time":Utc::now().timestamp_millis(),"status":null,"cdcresponse":[]});
    json_response(403, &body)
}

fn throttled(time: &str) -> HttpResponse {
    HttpResponse::TooManyRequests()
        .insert_header(("intuit_tid", tid()))
        .content_type("application/xml")
        .body(format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}"><Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>"#
        ))
}

fn fault_body(f: &Fault, time: &str) -> Value {
    json!({"Fault": f.fault_json(), "time": time})
}

fn params(req: &HttpRequest) -> HashMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .unwrap_or_default()
        .into_iter()
        .collect()
}

fn basic_client(req: &HttpRequest, form: &HashMap<String, String>) -> Option<(String, String)> {
    if let Some(h) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        && let Some(b64) = h
            .strip_prefix("Basic ")
            .or_else(|| h.strip_prefix("basic "))
    {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (id, secret) = raw.split_once(':')?;
        let decode = |s: &str| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
                .ok()
                .and_then(|v| v.into_iter().next())
                .map_or_else(|| s.to_owned(), |(_, v)| v)
        };
        return Some((decode(id), decode(secret)));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

// ---- OAuth handlers ----------------------------------------------------------------------

async fn consent(sim: Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(QB).await {
        return r;
    }
    let q = params(&req);
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let (client_id, redirect, state) = (get("client_id"), get("redirect_uri"), get("state"));
    let known = sim.lock().oauth.apps.contains_key(&client_id);
    if !known || redirect.is_empty() {
        return HttpResponse::BadRequest()
            .insert_header(("intuit_tid", tid()))
            .content_type("text/html")
            .body("<html><body>Invalid client_id or redirect_uri</body></html>");
    }
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let enc = |s: &str| serde_urlencoded::to_string([("v", s)]).unwrap_or_default()[2..].to_owned();
    if get("response_type") != "code" {
        let loc = format!(
            "{redirect}{sep}error=unsupported_response_type&state={}",
            enc(&state)
        );
        return HttpResponse::Found()
            .insert_header(("Location", loc))
            .finish();
    }
    let realm = q
        .get("realmId")
        .cloned()
        .unwrap_or_else(|| sim.lock().oauth.consent_realm.clone());
    let Some(code) = sim.authorize(&client_id, &redirect, &realm) else {
        let loc = format!("{redirect}{sep}error=access_denied&state={}", enc(&state));
        return HttpResponse::Found()
            .insert_header(("Location", loc))
            .finish();
    };
    let with_realm = get("scope")
        .split(' ')
        .any(|s| s.starts_with("com.intuit.quickbooks."));
    let mut loc = format!("{redirect}{sep}code={}&state={}", enc(&code), enc(&state));
    if with_realm {
        loc.push_str(&format!("&realmId={realm}"));
    }
    HttpResponse::Found()
        .insert_header(("Location", loc))
        .finish()
}

async fn token_endpoint(sim: Data<Sim>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(r) = sim.shared.gate(QB).await {
        return r;
    }
    let form: HashMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .unwrap_or_default()
            .into_iter()
            .collect();
    let hard = req
        .headers()
        .get("x-include-refresh-token-hard-expires-in")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let now = sim.shared.clock.now();
    {
        let mut st = sim.lock();
        let oauth = &mut st.oauth;
        let client = basic_client(&req, &form);
        let authenticated = client
            .as_ref()
            .is_some_and(|(id, secret)| oauth.apps.get(id).is_some_and(|a| &a.secret == secret));
        let Some((client_id, _)) = client.filter(|_| authenticated) else {
            return oauth_error(401, "invalid_client", None);
        };
        match form.get("grant_type").map(String::as_str) {
            None => oauth_error(400, "invalid_request", Some("grant_type is missing")),
            Some("authorization_code") => {
                let (Some(code), Some(redirect)) = (form.get("code"), form.get("redirect_uri"))
                else {
                    return oauth_error(
                        400,
                        "invalid_request",
                        Some("code and redirect_uri are required"),
                    );
                };
                let realm = match oauth.codes.get_mut(code) {
                    Some(c)
                        if !c.used
                            && c.client_id == client_id
                            && &c.redirect_uri == redirect
                            && now < c.issued + chrono::Duration::seconds(CODE_SECS) =>
                    {
                        c.used = true;
                        c.realm.clone()
                    }
                    Some(c) => {
                        c.used = true;
                        return oauth_error(400, "invalid_grant", Some("Token invalid"));
                    }
                    None => return oauth_error(400, "invalid_grant", Some("Token invalid")),
                };
                let (access, _) = oauth.new_connection(&client_id, &realm, now);
                let idx = oauth.conns.len() - 1;
                json_response(200, &oauth.token_body(idx, &access, now, hard))
            }
            Some("refresh_token") => {
                let Some(refresh) = form.get("refresh_token") else {
                    return oauth_error(400, "invalid_request", Some("refresh_token is missing"));
                };
                let Ok(idx) = oauth.find_refresh(refresh, now) else {
                    return oauth_error(400, "invalid_grant", Some("Token invalid"));
                };
                if oauth.conns[idx].client_id != client_id {
                    return oauth_error(400, "invalid_grant", Some("Token invalid"));
                }
                let fresh = token("RT1-");
                let access = token("eyJ-sim-");
                let c = &mut oauth.conns[idx];
                let old = std::mem::replace(&mut c.refresh, fresh);
                c.previous.push((old, now));
                c.refresh_used_at = now;
                oauth.access.insert(
                    access.clone(),
                    (idx, now + chrono::Duration::seconds(ACCESS_TOKEN_SECS)),
                );
                json_response(200, &oauth.token_body(idx, &access, now, hard))
            }
            Some(_) => oauth_error(400, "unsupported_grant_type", None),
        }
    }
}

async fn revoke_endpoint(sim: Data<Sim>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(r) = sim.shared.gate(QB).await {
        return r;
    }
    let token_value = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_owned))
        .or_else(|| {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v)
        });
    let mut st = sim.lock();
    let oauth = &mut st.oauth;
    let client = basic_client(&req, &HashMap::new());
    let Some((client_id, _)) =
        client.filter(|(id, secret)| oauth.apps.get(id).is_some_and(|a| &a.secret == secret))
    else {
        return oauth_error(401, "invalid_client", None);
    };
    let Some(t) = token_value.filter(|t| !t.is_empty()) else {
        return oauth_error(400, "invalid_request", Some("token is required"));
    };
    let idx = oauth
        .conns
        .iter()
        .position(|c| {
            c.client_id == client_id && (c.refresh == t || c.previous.iter().any(|(p, _)| p == &t))
        })
        .or_else(|| oauth.access.get(&t).map(|(i, _)| *i));
    if let Some(i) = idx {
        oauth.conns[i].revoked = true;
        oauth.access.retain(|_, (c, _)| *c != i);
    }
    HttpResponse::Ok()
        .insert_header(("intuit_tid", tid()))
        .finish()
}

// ---- API ---------------------------------------------------------------------------------

enum Answer {
    Json(u16, Value),
    Pdf(Vec<u8>),
}

async fn api(
    sim: Data<Sim>,
    req: HttpRequest,
    path: Path<(String, String)>,
    body: Bytes,
) -> HttpResponse {
    let (realm, tail) = path.into_inner();
    let guard = sim.enter(&realm);
    if let Some(r) = sim.shared.gate(QB).await {
        return r;
    }
    let now = sim.shared.clock.now();
    // The gateway: the bearer token and its company.
    {
        let st = sim.lock();
        let bearer = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .unwrap_or_default();
        match st.oauth.access.get(bearer) {
            None if bearer.len() < 8 => {
                return gateway_401("Malformed bearer token: too short or too long");
            }
            None => return gateway_401("Token invalid"),
            Some((_, exp)) if now >= *exp => {
                return gateway_401(&format!(
                    "Token expired: {}",
                    &bearer[..bearer.len().min(24)]
                ));
            }
            Some((idx, _)) => {
                let conn = &st.oauth.conns[*idx];
                if conn.revoked {
                    return gateway_401("Token revoked");
                }
                if conn.realm != realm || !st.companies.contains_key(&realm) {
                    return gateway_403();
                }
            }
        }
    }
    let time = sim
        .lock()
        .companies
        .get(&realm)
        .map(|c| c.time(now))
        .unwrap_or_default();
    if guard.over {
        // Over the concurrency limit: a limit of zero records the violation.
        let _ = sim.shared.limits.check(
            QB.id(),
            &realm,
            "concurrent",
            0,
            Duration::from_secs(1),
            None,
        );
        return throttled(&time);
    }
    let (max, per) = MINUTE_LIMIT;
    if !matches!(
        sim.shared
            .limits
            .check(QB.id(), &realm, "requests", max, per, None),
        Verdict::Allowed
    ) {
        return throttled(&time);
    }
    if tail == "batch" && req.method() == actix_web::http::Method::POST {
        let (max, per) = BATCH_LIMIT;
        if !matches!(
            sim.shared
                .limits
                .check(QB.id(), &realm, "batch", max, per, None),
            Verdict::Allowed
        ) {
            return throttled(&time);
        }
    }
    let q = params(&req);
    let is_post = req.method() == actix_web::http::Method::POST;
    let (answer, effect) = {
        let mut st = sim.lock();
        let Some(company) = st.companies.get_mut(&realm) else {
            return gateway_403();
        };
        let request_id = q.get("requestid").filter(|_| is_post).cloned();
        if let Some(rid) = &request_id
            && let Some((status, stored)) = company.answers.get(rid)
        {
            (Answer::Json(*status, stored.clone()), false)
        } else {
            let result = if is_post {
                post(company, &tail, &q, &body, now)
            } else {
                get(company, &tail, &q, now)
            };
            let (answer, effect) = match result {
                Ok((a, effect)) => (a, effect),
                Err(f) => (
                    Answer::Json(f.status, fault_body(&f, &company.time(now))),
                    false,
                ),
            };
            if let (Some(rid), Answer::Json(status, body)) = (&request_id, &answer) {
                company.answers.insert(rid.clone(), (*status, body.clone()));
            }
            (answer, effect)
        }
    };
    if effect {
        sim.shared.after_effect(QB).await;
    }
    drop(guard);
    match answer {
        Answer::Json(status, body) => json_response(status, &body),
        Answer::Pdf(bytes) => HttpResponse::Ok()
            .insert_header(("intuit_tid", tid()))
            .content_type("application/pdf")
            .body(bytes),
    }
}

fn wrap(company: &Company, name: &str, value: Value, now: DateTime<Utc>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(name.to_owned(), value);
    out.insert("time".to_owned(), Value::String(company.time(now)));
    Value::Object(out)
}

fn kind_of_path(segment: &str) -> Option<Kind> {
    match segment.to_ascii_lowercase().as_str() {
        "customer" => Some(Kind::Customer),
        "item" => Some(Kind::Item),
        "estimate" => Some(Kind::Estimate),
        "invoice" => Some(Kind::Invoice),
        "taxcode" => Some(Kind::TaxCode),
        "taxrate" => Some(Kind::TaxRate),
        _ => None,
    }
}

fn unsupported(tail: &str) -> Fault {
    Fault::invalid(format!("Unsupported operation or resource: {tail}"))
}

fn get(
    company: &Company,
    tail: &str,
    q: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<(Answer, bool), Fault> {
    let parts: Vec<&str> = tail.trim_matches('/').split('/').collect();
    let value = match parts.as_slice() {
        ["query"] => {
            let text = q.get("query").ok_or_else(|| Fault::required("query"))?;
            wrap(company, "QueryResponse", company.query(text)?, now)
        }
        ["cdc"] => {
            let entities = q
                .get("entities")
                .ok_or_else(|| Fault::required("entities"))?;
            let since_text = q
                .get("changedSince")
                .ok_or_else(|| Fault::required("changedSince"))?;
            let since = DateTime::parse_from_rfc3339(since_text)
                .map_err(|_| {
                    Fault::invalid(format!("changedSince is not a date-time: {since_text}"))
                })?
                .with_timezone(&Utc);
            if now - since > chrono::Duration::days(30) {
                return Err(Fault::invalid(
                    "changedSince must be within the last 30 days",
                ));
            }
            wrap(company, "CDCResponse", company.cdc(entities, since)?, now)
        }
        ["companyinfo", id] => {
            if *id != company.realm {
                return Err(Fault::not_found(""));
            }
            wrap(company, "CompanyInfo", company.company_info(), now)
        }
        ["preferences"] => wrap(company, "Preferences", company.preferences(), now),
        [entity, id] => {
            let kind = kind_of_path(entity).ok_or_else(|| unsupported(tail))?;
            wrap(company, kind.name(), company.read(kind, id)?, now)
        }
        [entity, id, "pdf"] => {
            let kind = kind_of_path(entity)
                .filter(|k| matches!(k, Kind::Estimate | Kind::Invoice))
                .ok_or_else(|| unsupported(tail))?;
            let doc = company.read(kind, id)?;
            return Ok((
                Answer::Pdf(pdf::document(kind.name(), &doc, &company.company_info())),
                false,
            ));
        }
        _ => return Err(unsupported(tail)),
    };
    Ok((Answer::Json(200, value), false))
}

fn post(
    company: &mut Company,
    tail: &str,
    q: &HashMap<String, String>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(Answer, bool), Fault> {
    let parts: Vec<&str> = tail.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [entity, id, "send"] => {
            let kind = kind_of_path(entity)
                .filter(|k| matches!(k, Kind::Estimate | Kind::Invoice))
                .ok_or_else(|| unsupported(tail))?;
            let doc = company.send(kind, id, q.get("sendTo").map(String::as_str), now)?;
            Ok((
                Answer::Json(200, wrap(company, kind.name(), doc, now)),
                true,
            ))
        }
        ["batch"] => {
            let parsed: Value = serde_json::from_slice(body)
                .map_err(|e| Fault::invalid(format!("Property Name:{e}")))?;
            let items = parsed
                .get("BatchItemRequest")
                .and_then(Value::as_array)
                .ok_or_else(|| Fault::required("BatchItemRequest"))?;
            if items.len() > MAX_BATCH_ITEMS {
                return Err(Fault::invalid(format!(
                    "BatchItemRequest holds {} items; at most {MAX_BATCH_ITEMS} are allowed",
                    items.len()
                )));
            }
            let mut answers = Vec::new();
            let mut effect = false;
            for item in items {
                let bid = item.get("bId").cloned().unwrap_or(Value::Null);
                let result = batch_item(company, item, now);
                let mut out = serde_json::Map::new();
                out.insert("bId".to_owned(), bid);
                match result {
                    Ok((name, value, wrote)) => {
                        effect |= wrote;
                        out.insert(name, value);
                    }
                    Err(f) => {
                        out.insert("Fault".to_owned(), f.fault_json());
                    }
                }
                answers.push(Value::Object(out));
            }
            Ok((
                Answer::Json(
                    200,
                    wrap(company, "BatchItemResponse", Value::Array(answers), now),
                ),
                effect,
            ))
        }
        [entity] => {
            let kind = kind_of_path(entity).ok_or_else(|| unsupported(tail))?;
            let parsed: Value = serde_json::from_slice(body)
                .map_err(|e| Fault::invalid(format!("Property Name:{e}")))?;
            let op = match q.get("operation").map(String::as_str) {
                None | Some("update" | "create") => WriteOp::Save,
                Some("delete") => WriteOp::Delete,
                Some("void") => WriteOp::Void,
                Some(other) => {
                    return Err(Fault::invalid(format!(
                        "operation={other} is not supported"
                    )));
                }
            };
            let record = company.write(kind, parsed, op, now)?;
            Ok((
                Answer::Json(200, wrap(company, kind.name(), record, now)),
                true,
            ))
        }
        _ => Err(unsupported(tail)),
    }
}

fn batch_item(
    company: &mut Company,
    item: &Value,
    now: DateTime<Utc>,
) -> Result<(String, Value, bool), Fault> {
    if let Some(text) = item.get("Query").and_then(Value::as_str) {
        return Ok(("QueryResponse".to_owned(), company.query(text)?, false));
    }
    let op = match item.get("operation").and_then(Value::as_str) {
        None | Some("create" | "update") => WriteOp::Save,
        Some("delete") => WriteOp::Delete,
        Some(other) => {
            return Err(Fault::invalid(format!(
                "operation {other} is not supported in a batch"
            )));
        }
    };
    let (name, body) = item
        .as_object()
        .into_iter()
        .flatten()
        .find(|(k, _)| !matches!(k.as_str(), "bId" | "operation" | "optionsData"))
        .ok_or_else(|| Fault::required("BatchItemRequest entity"))?;
    let kind =
        Kind::from_name(name).ok_or_else(|| Fault::invalid(format!("{name} is not supported")))?;
    let record = company.write(kind, body.clone(), op, now)?;
    Ok((kind.name().to_owned(), record, true))
}

/// The routes, under `/quickbooks`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    web::scope("/quickbooks")
        .app_data(Data::from(sim))
        .route("/connect/oauth2", web::get().to(consent))
        .route("/oauth2/v1/tokens/bearer", web::post().to(token_endpoint))
        .route("/v2/oauth2/tokens/revoke", web::post().to(revoke_endpoint))
        .route("/v3/company/{realm}/{tail:.*}", web::get().to(api))
        .route("/v3/company/{realm}/{tail:.*}", web::post().to(api))
}
