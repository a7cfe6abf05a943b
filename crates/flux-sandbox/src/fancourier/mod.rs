//! The FAN Courier API v2 simulator, under `/fancourier/`.
//!
//! It speaks the wire format of `https://api.fancourier.ro/` as `flux-fancourier` uses it
//! (and as `fixtures/fancourier` records it):
//!
//! | endpoint | what the simulator does |
//! |---|---|
//! | `POST login` | form `username`/`password`; a Bearer token valid 24 h of simulated time |
//! | `POST intern-awb` | a batch of shipments; one result per shipment, refused ones carry `errors` with FAN's field paths (HTTP 200) |
//! | `GET awb/label` | `pdf=1` (A4/A5/A6 PDF), `zpl=1` (ZPL), otherwise HTML, as FAN does |
//! | `DELETE awb` | deletes an AWB not yet picked up; refused once the parcel moved |
//! | `GET reports/awb/tracking` | events that follow the simulated clock (below) |
//! | `GET reports/awb-events` | the event codes |
//! | `GET reports/awb/internal-tariff` | the sandbox tariff (also charged at creation) |
//! | `GET reports/services`, `reports/service-options`, `reports/counties`, `reports/localities` | nomenclature |
//! | `GET reports/pickup-points` | FANbox lockers, PayPoint shops, FAN offices (by `type` or `id`) |
//! | `POST order`, `DELETE order` | courier pickup orders (window of at least 2 h, not in the past, not on Sunday) |
//! | `GET reports/awb` | the AWB slip (borderou) of a day, paginated |
//! | `GET reports/bank-transfers` | COD paid out for delivered COD AWBs, paginated |
//!
//! # Accounts
//!
//! The default account is FAN's public test account: client id **`7032158`**, user
//! **`clienttest`**, password **`testing`** (constants [`DEFAULT_CLIENT_ID`],
//! [`DEFAULT_USERNAME`], [`DEFAULT_PASSWORD`]). [`Sim::add_account`] adds more. A wrong
//! password is answered `401 {"status":"fail","message":"Invalid credentials"}`; a missing,
//! unknown or expired token `401 {"message":"Unauthenticated."}`; a `clientId` the user
//! may not use `403`.
//!
//! # Tracking over simulated time
//!
//! Counted from the AWB's creation: `C0` picked up after 2 h, `H3` sorted after 5 h, `H0`
//! in transit after 8 h, `C1` and `S1` out for delivery after 20 h, `S2` delivered after
//! 26 h. Before `C0` FAN answers the AWB with only a message (registered by the sender);
//! from `C0` on the AWB can no longer be deleted. A delivered COD AWB is paid out by bank
//! transfer the next working day (`reports/bank-transfers`).
//!
//! # Limits
//!
//! FAN publishes no request limit. Its API (Laravel) throttles with
//! `429 {"message":"Too Many Attempts."}` and `Retry-After`; the sandbox applies that to
//! logins: at most [`LOGIN_LIMIT_PER_HOUR`] per user per hour (a token lives 24 h, so a
//! client that respects it logs in once a day). Violations are counted by the shared
//! [`LimitTracker`](crate::LimitTracker).

// The `Err` of the request helpers is the HTTP answer to send, built once per call.
#![allow(clippy::result_large_err)]

mod data;
use crate::pdf;
pub(crate) mod ro;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Europe::Bucharest;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::limits::Verdict;
use crate::server::{Provider, Shared};

/// The default account's FAN client id.
pub const DEFAULT_CLIENT_ID: &str = "7032158";
/// The default account's user.
pub const DEFAULT_USERNAME: &str = "clienttest";
/// The default account's password.
pub const DEFAULT_PASSWORD: &str = "testing";
/// How many logins one user may make per hour before FAN's throttle answers 429.
pub const LOGIN_LIMIT_PER_HOUR: usize = 20;
/// How long a token lives, in simulated time.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

const PROVIDER: Provider = Provider::FanCourier;

/// The tracking timeline: `(event code, minutes after creation, at the recipient's end)`.
const TIMELINE: &[(&str, i64, bool)] = &[
    ("C0", 2 * 60, false),
    ("H3", 5 * 60, false),
    ("H0", 8 * 60, false),
    ("C1", 20 * 60, true),
    ("S1", 20 * 60 + 5, true),
    ("S2", 26 * 60, true),
];

/// A FAN account (a client id and the user that may act for it).
#[derive(Debug, Clone)]
struct Account {
    client_id: String,
    username: String,
    password: String,
    company: String,
    address: Party,
}

/// A sender or recipient as stored on an AWB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Party {
    name: String,
    contact_person: String,
    phone: String,
    email: String,
    county: String,
    locality: String,
    street: String,
    street_no: String,
    zip_code: String,
}

#[derive(Debug, Clone)]
struct Awb {
    number: String,
    client_id: String,
    created_at: DateTime<Utc>,
    service: String,
    service_id: u32,
    parcels: u32,
    envelopes: u32,
    weight: Decimal,
    cod: Option<Decimal>,
    declared_value: Option<Decimal>,
    payment: String,
    content: String,
    observation: String,
    options: Vec<String>,
    recipient: Party,
    sender: Party,
    pickup_location_id: Option<String>,
    tariff: Decimal,
    deleted_at: Option<DateTime<Utc>>,
}

impl Awb {
    /// The events that happened by `now`: `(code, when)`.
    fn events(&self, now: DateTime<Utc>) -> Vec<(&'static str, DateTime<Utc>)> {
        if self.deleted_at.is_some() {
            return Vec::new();
        }
        TIMELINE
            .iter()
            .map(|(code, minutes, _)| {
                (*code, self.created_at + chrono::Duration::minutes(*minutes))
            })
            .filter(|(_, at)| *at <= now)
            .collect()
    }

    fn delivered_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.events(now)
            .into_iter()
            .find(|(code, _)| *code == "S2")
            .map(|(_, at)| at)
    }

    /// The day FAN pays the COD out: the next working day after delivery.
    fn transfer_date(&self, now: DateTime<Utc>) -> Option<NaiveDate> {
        self.cod.filter(|c| !c.is_zero())?;
        let delivered = local(self.delivered_at(now)?).date();
        let mut day = delivered.succ_opt()?;
        while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day = day.succ_opt()?;
        }
        (local(now).date() >= day).then_some(day)
    }
}

#[derive(Debug, Clone)]
struct CourierOrder {
    id: u64,
    client_id: String,
    awb_number: String,
    parcels: u32,
    envelopes: u32,
    weight: Decimal,
    pickup_date: NaiveDate,
    from: NaiveTime,
    until: NaiveTime,
    observations: String,
    cancelled: bool,
}

#[derive(Debug)]
struct Session {
    username: String,
    expires_at: DateTime<Utc>,
}

#[derive(Debug)]
struct State {
    accounts: Vec<Account>,
    tokens: BTreeMap<String, Session>,
    logins: u64,
    awbs: BTreeMap<String, Awb>,
    next_awb: u64,
    orders: BTreeMap<u64, CourierOrder>,
    next_order: u64,
}

/// One AWB as the simulator holds it, for tests and the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwbView {
    /// The 13-digit AWB number.
    pub number: String,
    /// The account's client id.
    pub client_id: String,
    /// When it was created (simulated time).
    pub created_at: DateTime<Utc>,
    /// The service name.
    pub service: String,
    /// The recipient's name.
    pub recipient: String,
    /// The recipient's locality.
    pub locality: String,
    /// Cash on delivery, RON.
    pub cod: Option<Decimal>,
    /// The contents (`info.content`: our order reference when created through the trait).
    pub content: String,
    /// The transport tariff, RON without VAT.
    pub tariff: Decimal,
    /// The FANbox or PayPoint it is delivered to, for out-of-home services.
    pub pickup_point: Option<String>,
    /// The last tracking event's code by now (`None` before pickup).
    pub last_event: Option<String>,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// One courier pickup order, for tests and the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CourierOrderView {
    /// FAN's order id.
    pub id: String,
    /// The account's client id.
    pub client_id: String,
    /// Day of the pickup.
    pub pickup_date: NaiveDate,
    /// Ready from (local time).
    pub from: NaiveTime,
    /// Ready until (local time).
    pub until: NaiveTime,
    /// Parcels to collect.
    pub parcels: u32,
    /// Envelopes to collect.
    pub envelopes: u32,
    /// Total weight, kg.
    pub weight: Decimal,
    /// The AWB the order is for, or `""`.
    pub awb_number: String,
    /// Notes for the courier.
    pub observations: String,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

/// The FAN Courier simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    state: Mutex<State>,
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default account.
    pub fn new(shared: Shared) -> Self {
        let default = Account {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            username: DEFAULT_USERNAME.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            company: "Flux Demo SRL".to_owned(),
            address: Party {
                name: "Flux Demo SRL".to_owned(),
                contact_person: "Depozit Flux".to_owned(),
                phone: "0720000000".to_owned(),
                email: "depozit@flux.example".to_owned(),
                county: "Bucuresti".to_owned(),
                locality: "Bucuresti".to_owned(),
                street: "Str. Fabricii".to_owned(),
                street_no: "10".to_owned(),
                zip_code: "060821".to_owned(),
            },
        };
        Self {
            shared,
            state: Mutex::new(State {
                accounts: vec![default],
                tokens: BTreeMap::new(),
                logins: 0,
                awbs: BTreeMap::new(),
                next_awb: 1,
                orders: BTreeMap::new(),
                next_order: 1_234_567,
            }),
        }
    }

    /// The shared clock, faults and limits.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an account: `client_id` usable by `username` with `password` (a user may own
    /// several client ids). Its default sender address is the default account's.
    pub fn add_account(&self, client_id: &str, username: &str, password: &str) {
        let mut st = self.state();
        let address = st.accounts[0].address.clone();
        st.accounts.push(Account {
            client_id: client_id.to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
            company: format!("Client {client_id}"),
            address,
        });
    }

    /// How many successful logins happened.
    pub fn login_count(&self) -> u64 {
        self.state().logins
    }

    /// How many AWBs were created (deleted ones included).
    pub fn awb_count(&self) -> usize {
        self.state().awbs.len()
    }

    /// Every AWB, oldest first.
    pub fn awbs(&self) -> Vec<AwbView> {
        let now = self.shared.clock.now();
        let st = self.state();
        let mut all: Vec<AwbView> = st.awbs.values().map(|a| view(a, now)).collect();
        all.sort_by(|a, b| (a.created_at, &a.number).cmp(&(b.created_at, &b.number)));
        all
    }

    /// One AWB by number.
    pub fn awb(&self, number: &str) -> Option<AwbView> {
        let now = self.shared.clock.now();
        self.state().awbs.get(number).map(|a| view(a, now))
    }

    /// The AWBs whose `info.content` is `content` (our order reference).
    pub fn awbs_with_content(&self, content: &str) -> Vec<AwbView> {
        self.awbs()
            .into_iter()
            .filter(|a| a.content == content)
            .collect()
    }

    /// Every courier pickup order.
    pub fn courier_orders(&self) -> Vec<CourierOrderView> {
        self.state()
            .orders
            .values()
            .map(|o| CourierOrderView {
                id: o.id.to_string(),
                client_id: o.client_id.clone(),
                pickup_date: o.pickup_date,
                from: o.from,
                until: o.until,
                parcels: o.parcels,
                envelopes: o.envelopes,
                weight: o.weight,
                awb_number: o.awb_number.clone(),
                observations: o.observations.clone(),
                cancelled: o.cancelled,
            })
            .collect()
    }
}

fn view(a: &Awb, now: DateTime<Utc>) -> AwbView {
    AwbView {
        number: a.number.clone(),
        client_id: a.client_id.clone(),
        created_at: a.created_at,
        service: a.service.clone(),
        recipient: a.recipient.name.clone(),
        locality: a.recipient.locality.clone(),
        cod: a.cod,
        content: a.content.clone(),
        tariff: a.tariff,
        pickup_point: a.pickup_location_id.clone(),
        last_event: a.events(now).last().map(|(c, _)| (*c).to_owned()),
        deleted: a.deleted_at.is_some(),
    }
}

/// The routes, under `/fancourier`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    web::scope("/fancourier")
        .app_data(web::Data::from(sim))
        .route("/login", web::post().to(login))
        .route("/intern-awb", web::post().to(create_awbs))
        .route("/awb/label", web::get().to(label))
        .route("/awb", web::delete().to(delete_awb))
        .route("/reports/awb/tracking", web::get().to(tracking))
        .route(
            "/reports/awb/internal-tariff",
            web::get().to(internal_tariff),
        )
        .route("/reports/awb-events", web::get().to(awb_events))
        .route("/reports/awb", web::get().to(shipping_slip))
        .route("/reports/services", web::get().to(services))
        .route("/reports/service-options", web::get().to(service_options))
        .route("/reports/counties", web::get().to(counties))
        .route("/reports/localities", web::get().to(localities))
        .route("/reports/pickup-points", web::get().to(pickup_points))
        .route("/reports/bank-transfers", web::get().to(bank_transfers))
        .route("/order", web::post().to(create_order))
        .route("/order", web::delete().to(delete_order))
        .default_service(web::to(|| async {
            reply(StatusCode::NOT_FOUND, json!({"message": "Not Found"}))
        }))
}

// ---- helpers ----

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&Bucharest).naive_local()
}

fn local_text(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn reply(status: StatusCode, body: Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body.to_string())
}

fn ok(body: Value) -> HttpResponse {
    reply(StatusCode::OK, body)
}

fn fail(message: impl Into<String>) -> HttpResponse {
    ok(json!({"status": "fail", "message": message.into()}))
}

/// Laravel's validation answer, as FAN wraps it in a 200 (`tariff_invalid.json`).
fn fail_fields(fields: &[(String, String)]) -> HttpResponse {
    let mut errors = Map::new();
    for (path, message) in fields {
        errors.insert(path.clone(), json!([message]));
    }
    ok(json!({"status": "fail", "message": "The given data was invalid.", "errors": errors}))
}

/// Laravel's 422 answer.
fn unprocessable(field: &str, message: &str) -> HttpResponse {
    reply(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": message, "errors": {field: [message]}}),
    )
}

fn unauthenticated() -> HttpResponse {
    reply(
        StatusCode::UNAUTHORIZED,
        json!({"message": "Unauthenticated."}),
    )
}

fn num(d: Decimal) -> Value {
    serde_json::Number::from_str(&d.normalize().to_string())
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn money(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

fn query(req: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// Values of `name[0]`, `name[1]`, … (and `name[]`), in index order.
fn indexed<'a>(q: &'a [(String, String)], name: &str) -> Vec<(String, &'a str)> {
    let prefix = format!("{name}[");
    let mut out: Vec<(String, &str)> = q
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix(&prefix)?.strip_suffix(']')?;
            Some((rest.to_owned(), v.as_str()))
        })
        .collect();
    out.sort_by_key(|(i, _)| i.parse::<u64>().unwrap_or(u64::MAX));
    out
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `Ok(None)` when absent or empty, `Err(())` when not a number.
fn decimal(v: &Value, path: &[&str]) -> Result<Option<Decimal>, ()> {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(next) => cur = next,
            None => return Ok(None),
        }
    }
    match cur {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Decimal::from_str(s.trim()).map(Some).map_err(|_| ()),
        Value::Number(n) => {
            let t = n.to_string();
            Decimal::from_str(&t)
                .or_else(|_| Decimal::from_scientific(&t))
                .map(Some)
                .map_err(|_| ())
        }
        _ => Err(()),
    }
}

fn count(v: &Value, path: &[&str]) -> Result<u32, ()> {
    match decimal(v, path)? {
        None => Ok(0),
        Some(d) if d.is_sign_negative() || d.fract() != Decimal::ZERO => Err(()),
        Some(d) => u32::try_from(d.mantissa() / 10i128.pow(d.scale())).map_err(|_| ()),
    }
}

/// Weight cost, insurance, options, fuel, COD fee, all RON without VAT.
struct Price {
    weight_cost: Decimal,
    insurance: Decimal,
    options: Decimal,
    fuel: Decimal,
    no_vat: Decimal,
    vat: Decimal,
    total: Decimal,
}

/// The sandbox tariff: 14.50 RON for the first kg, 1.50 RON per further kg or part, 1 % of
/// the declared value, the options' prices, 10 % fuel surcharge on the weight cost, 1 % of
/// the COD (at least 2 RON), and 21 % VAT.
fn price(
    weight: Decimal,
    declared: Option<Decimal>,
    options: &[String],
    cod: Option<Decimal>,
) -> Price {
    let kg = weight.ceil().max(Decimal::ONE);
    let weight_cost = Decimal::new(1450, 2) + Decimal::new(150, 2) * (kg - Decimal::ONE);
    let insurance = money(declared.unwrap_or_default() / Decimal::ONE_HUNDRED);
    let options_cost: Decimal = options
        .iter()
        .filter_map(|o| data::OPTIONS.iter().find(|(l, ..)| l == o))
        .filter_map(|(_, _, p)| Decimal::from_str(p).ok())
        .sum();
    let fuel = money(weight_cost / Decimal::TEN);
    let cod_fee = match cod.filter(|c| !c.is_zero()) {
        Some(c) => money(c / Decimal::ONE_HUNDRED).max(Decimal::TWO),
        None => Decimal::ZERO,
    };
    let no_vat = weight_cost + insurance + options_cost + fuel + cod_fee;
    let vat = money(no_vat * Decimal::new(21, 2));
    Price {
        weight_cost,
        insurance,
        options: options_cost,
        fuel,
        no_vat,
        vat,
        total: no_vat + vat,
    }
}

impl Sim {
    /// The user behind the request's Bearer token.
    fn user(&self, req: &HttpRequest) -> Result<String, HttpResponse> {
        let token = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(unauthenticated)?;
        let now = self.shared.clock.now();
        let st = self.state();
        match st.tokens.get(token) {
            Some(s) if s.expires_at > now => Ok(s.username.clone()),
            _ => Err(unauthenticated()),
        }
    }

    /// Checks that `user` may act for `client_id`.
    fn account(&self, user: &str, client_id: Option<&str>) -> Result<Account, HttpResponse> {
        let Some(client_id) = client_id else {
            return Err(unprocessable(
                "clientId",
                "The client id field is required.",
            ));
        };
        let st = self.state();
        st.accounts
            .iter()
            .find(|a| a.client_id == client_id && a.username == user)
            .cloned()
            .ok_or_else(|| {
                reply(
                    StatusCode::FORBIDDEN,
                    json!({"status": "fail", "message": format!("Utilizatorul nu are acces la clientul {client_id}")}),
                )
            })
    }

    /// Authenticates and checks the `clientId` of a query.
    fn authorize(
        &self,
        req: &HttpRequest,
        q: &[(String, String)],
    ) -> Result<Account, HttpResponse> {
        let user = self.user(req)?;
        self.account(&user, param(q, "clientId"))
    }
}

// ---- login ----

async fn login(sim: web::Data<Sim>, body: web::Bytes) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let json_body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let field = |name: &str| {
        param(&form, name)
            .map(str::to_owned)
            .or_else(|| text(&json_body, &[name]))
    };
    let (Some(username), Some(password)) = (field("username"), field("password")) else {
        return unprocessable("username", "The username and password fields are required.");
    };
    let verdict = sim.shared.limits.check(
        PROVIDER.id(),
        &username,
        "login",
        LOGIN_LIMIT_PER_HOUR,
        Duration::from_secs(3600),
        None,
    );
    if let Verdict::Refused { retry_after } | Verdict::Blocked { retry_after } = verdict {
        return HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", retry_after.as_secs().max(1).to_string()))
            .insert_header(("X-RateLimit-Limit", LOGIN_LIMIT_PER_HOUR.to_string()))
            .insert_header(("X-RateLimit-Remaining", "0"))
            .content_type("application/json")
            .body(json!({"message": "Too Many Attempts."}).to_string());
    }
    let now = sim.shared.clock.now();
    let mut st = sim.state();
    if !st
        .accounts
        .iter()
        .any(|a| a.username == username && a.password == password)
    {
        drop(st);
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"status": "fail", "message": "Invalid credentials"}),
        );
    }
    st.logins += 1;
    let token = format!(
        "{}|{}",
        48_944_740 + st.logins,
        uuid::Uuid::new_v4().simple()
    );
    let expires_at = now + chrono::Duration::from_std(TOKEN_LIFETIME).unwrap_or_default();
    st.tokens.insert(
        token.clone(),
        Session {
            username,
            expires_at,
        },
    );
    drop(st);
    ok(json!({"status": "success", "data": {"token": token, "expiresAt": local_text(expires_at)}}))
}

// ---- AWBs ----

/// A validated party, or the field errors.
fn party(v: &Value, prefix: &str, errors: &mut Vec<(String, String)>) -> Party {
    let field = |name: &str| text(v, &[name]).unwrap_or_default();
    let addr = |name: &str| text(v, &["address", name]).unwrap_or_default();
    let mut p = Party {
        name: field("name"),
        contact_person: field("contactPerson"),
        phone: field("phone"),
        email: field("email"),
        county: addr("county"),
        locality: addr("locality"),
        street: addr("street"),
        street_no: addr("streetNo"),
        zip_code: addr("zipCode"),
    };
    if p.name.is_empty() {
        errors.push((
            format!("{prefix}.name"),
            format!("The {prefix}.name field is required."),
        ));
    }
    if p.phone.is_empty() {
        errors.push((
            format!("{prefix}.phone"),
            format!("The {prefix}.phone field is required."),
        ));
    } else if !ro::plausible_phone(&p.phone) {
        errors.push((
            format!("{prefix}.phone"),
            format!("The {prefix}.phone format is invalid."),
        ));
    }
    match ro::county(&p.county) {
        None => errors.push((
            format!("{prefix}.address.county"),
            format!("The selected {prefix}.address.county is invalid."),
        )),
        Some((_, county, _)) => {
            p.county = county.to_owned();
            match ro::locality(county, &p.locality) {
                Some((_, name)) => p.locality = name.to_owned(),
                None => errors.push((
                    format!("{prefix}.address.locality"),
                    format!("The selected {prefix}.address.locality is invalid."),
                )),
            }
        }
    }
    if p.email.contains(char::is_whitespace) || (!p.email.is_empty() && !p.email.contains('@')) {
        errors.push((
            format!("{prefix}.email"),
            format!("The {prefix}.email must be a valid email address."),
        ));
    }
    p
}

/// Validates one shipment of a batch; `Err` carries FAN's per-item errors.
fn shipment(sim: &Sim, account: &Account, s: &Value) -> Result<Awb, Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let service_name = text(s, &["info", "service"]).unwrap_or_default();
    let service = data::SERVICES.iter().find(|(_, n, _)| *n == service_name);
    if service.is_none() {
        errors.push((
            "info.service".into(),
            if service_name.is_empty() {
                "The info.service field is required.".into()
            } else {
                "The selected info.service is invalid.".into()
            },
        ));
    }
    let parcels = count(s, &["info", "packages", "parcel"]);
    let envelopes = count(s, &["info", "packages", "envelope"]);
    let (parcels, envelopes) = match (parcels, envelopes) {
        (Ok(p), Ok(e)) if p + e > 0 => (p, e),
        _ => {
            errors.push((
                "info.parcels".into(),
                "At least one envelope or parcel is required".into(),
            ));
            (0, 0)
        }
    };
    let weight = match decimal(s, &["info", "weight"]) {
        Ok(Some(w)) if w > Decimal::ZERO => w,
        Ok(None) => {
            errors.push((
                "info.weight".into(),
                "The info.weight field is required.".into(),
            ));
            Decimal::ZERO
        }
        _ => {
            errors.push((
                "info.weight".into(),
                "The info.weight must be greater than 0.".into(),
            ));
            Decimal::ZERO
        }
    };
    let mut amount = |path: &str| match decimal(s, &["info", path]) {
        Ok(Some(d)) if d.is_sign_negative() => {
            errors.push((
                format!("info.{path}"),
                format!("The info.{path} must be at least 0."),
            ));
            None
        }
        Ok(d) => d,
        Err(()) => {
            errors.push((
                format!("info.{path}"),
                format!("The info.{path} must be a number."),
            ));
            None
        }
    };
    let cod = amount("cod");
    let declared_value = amount("declaredValue");
    let payment = text(s, &["info", "payment"]).unwrap_or_else(|| "expeditor".into());
    if payment != "expeditor" && payment != "destinatar" {
        errors.push((
            "info.payment".into(),
            "The selected info.payment is invalid.".into(),
        ));
    }
    if let Some(currency) = text(s, &["info", "currency"])
        && currency != "RON"
    {
        errors.push((
            "info.currency".into(),
            "The selected info.currency is invalid.".into(),
        ));
    }
    let mut options = Vec::new();
    if let Some(list) = s.get("info").and_then(|i| i.get("options")) {
        match list {
            Value::Array(items) => {
                for (i, o) in items.iter().enumerate() {
                    let letter = o.as_str().unwrap_or_default().to_owned();
                    let allowed = data::options_of(&service_name);
                    if allowed.contains(&letter.as_str()) {
                        options.push(letter);
                    } else {
                        errors.push((
                            format!("info.options.{i}"),
                            format!("The selected info.options.{i} is invalid."),
                        ));
                    }
                }
            }
            Value::Null => {}
            _ => errors.push((
                "info.options".into(),
                "The info.options must be an array.".into(),
            )),
        }
    }
    if service_name.contains("Cont Colector") && cod.is_none_or(|c| c.is_zero()) {
        errors.push((
            "info.cod".into(),
            "The info.cod field is required when info.service is a Cont Colector service.".into(),
        ));
    }

    let mut recipient = Party::default();
    match s.get("recipient") {
        Some(r) if r.is_object() => recipient = party(r, "recipient", &mut errors),
        _ => errors.push((
            "recipient".into(),
            "The recipient field is required.".into(),
        )),
    }
    let out_of_home =
        service_name.starts_with("FANBox") || service_name.starts_with("CollectPoint");
    let pickup_location_id = text(s, &["recipient", "address", "pickupLocationId"]);
    if out_of_home {
        let kind = if service_name.starts_with("FANBox") {
            "fanbox"
        } else {
            "paypoint"
        };
        match pickup_location_id
            .as_deref()
            .and_then(|id| data::POINTS.iter().find(|p| p.id == id))
        {
            Some(p) if p.kind == kind => {}
            _ => errors.push((
                "recipient.address.pickupLocationId".into(),
                "The selected recipient.address.pickupLocationId is invalid.".into(),
            )),
        }
    } else if recipient.street.is_empty() && !options.iter().any(|o| o == "D") {
        errors.push((
            "recipient.address.street".into(),
            "The recipient.address.street field is required.".into(),
        ));
    }

    let sender = match s.get("sender") {
        Some(snd) if snd.get("name").is_some() => party(snd, "sender", &mut errors),
        _ => account.address.clone(),
    };
    if let Some(drop_off) = text(s, &["sender", "address", "dropOffLocationId"])
        && !data::POINTS
            .iter()
            .any(|p| p.id == drop_off && p.kind == "fanbox")
    {
        errors.push((
            "sender.address.dropOffLocationId".into(),
            "The selected sender.address.dropOffLocationId is invalid.".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let p = price(weight, declared_value, &options, cod);
    Ok(Awb {
        number: String::new(),
        client_id: account.client_id.clone(),
        created_at: sim.shared.clock.now(),
        service: service_name,
        service_id: service.map_or(1, |s| s.0),
        parcels,
        envelopes,
        weight,
        cod,
        declared_value,
        payment,
        content: text(s, &["info", "content"]).unwrap_or_default(),
        observation: text(s, &["info", "observation"]).unwrap_or_default(),
        options,
        recipient,
        sender,
        pickup_location_id: pickup_location_id.filter(|_| out_of_home),
        tariff: p.no_vat,
        deleted_at: None,
    })
}

async fn create_awbs(sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let user = match sim.user(&req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let client_id = text(&body, &["clientId"]);
    let account = match sim.account(&user, client_id.as_deref()) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let shipments = match body.get("shipments") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return unprocessable("shipments", "The shipments field is required."),
    };
    let results: Vec<Result<Awb, Vec<(String, String)>>> = shipments
        .iter()
        .map(|s| shipment(&sim, &account, s))
        .collect();
    let mut out = Vec::with_capacity(results.len());
    {
        let mut st = sim.state();
        for result in results {
            match result {
                Ok(mut awb) => {
                    let n = st.next_awb;
                    st.next_awb += 1;
                    awb.number = format!("{}", 7_000_100_000_000u64 + n);
                    let county_id = ro::county(&awb.recipient.county).map_or(0, |c| c.0);
                    out.push(json!({
                        "awbNumber": 7_000_100_000_000u64 + n,
                        "tariff": num(awb.tariff),
                        "packages": awb.parcels + awb.envelopes,
                        "letter": "B",
                        "routingCode": format!("{county_id:02}00"),
                        "office": awb.recipient.locality,
                        "visualCode": format!("{county_id:02}-01-01"),
                        "errors": null,
                    }));
                    st.awbs.insert(awb.number.clone(), awb);
                }
                Err(errors) => {
                    let map: Map<String, Value> = errors
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect();
                    out.push(json!({"awbNumber": null, "success": false, "errors": map}));
                }
            }
        }
    }
    sim.shared.after_effect(PROVIDER).await;
    ok(json!({"response": out}))
}

async fn label(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    let account = match sim.authorize(&req, &q) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let numbers = indexed(&q, "awbs");
    if numbers.is_empty() {
        return unprocessable("awbs", "The awbs field is required.");
    }
    let awbs: Vec<Awb> = {
        let st = sim.state();
        let mut found = Vec::new();
        for (_, n) in &numbers {
            match st.awbs.get(*n) {
                Some(a) if a.client_id == account.client_id && a.deleted_at.is_none() => {
                    found.push(a.clone());
                }
                _ => {
                    drop(st);
                    return fail(format!("AWB-ul {n} nu exista"));
                }
            }
        }
        found
    };
    let pages: Vec<Vec<String>> = awbs
        .iter()
        .map(|a| {
            vec![
                format!("FAN Courier AWB {}", a.number),
                format!("Serviciu: {}", a.service),
                format!("Expeditor: {}, {}", a.sender.name, a.sender.locality),
                format!("Destinatar: {}", a.recipient.name),
                format!(
                    "{} {}, {}, jud. {}",
                    a.recipient.street,
                    a.recipient.street_no,
                    a.recipient.locality,
                    a.recipient.county
                ),
                format!("Telefon: {}", a.recipient.phone),
                format!(
                    "Colete: {}  Plicuri: {}  Greutate: {} kg",
                    a.parcels,
                    a.envelopes,
                    a.weight.normalize()
                ),
                format!("Ramburs: {} RON", a.cod.unwrap_or_default().normalize()),
                format!("Continut: {}", a.content),
                format!("Observatii: {}", a.observation),
            ]
        })
        .collect();
    if param(&q, "pdf") == Some("1") {
        let size = match param(&q, "format").unwrap_or("A4") {
            "A5" => pdf::A5,
            "A6" => pdf::A6,
            _ => pdf::A4,
        };
        return HttpResponse::Ok()
            .content_type("application/pdf")
            .body(pdf::document(&pages, size));
    }
    if param(&q, "zpl") == Some("1") {
        let dpi = param(&q, "dpi").unwrap_or("203");
        let mut zpl = String::new();
        for (a, lines) in awbs.iter().zip(&pages) {
            zpl.push_str(&format!(
                "^XA\n^CI28\n^FX dpi {dpi}\n^FO40,40^BCN,120,Y,N,N^FD{}^FS\n",
                a.number
            ));
            for (i, line) in lines.iter().enumerate() {
                zpl.push_str(&format!("^FO40,{}^A0N,28,28^FD{line}^FS\n", 200 + 40 * i));
            }
            zpl.push_str("^XZ\n");
        }
        return HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(zpl);
    }
    let mut html = String::from("<!DOCTYPE html><html><body>");
    for lines in &pages {
        html.push_str("<div class=\"awb\">");
        for line in lines {
            html.push_str(&format!("<p>{}</p>", line.replace('<', "&lt;")));
        }
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=UTF-8")
        .body(html)
}

async fn delete_awb(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    let account = match sim.authorize(&req, &q) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(number) = param(&q, "awb") else {
        return unprocessable("awb", "The awb field is required.");
    };
    let now = sim.shared.clock.now();
    {
        let mut st = sim.state();
        let Some(awb) = st
            .awbs
            .get_mut(number)
            .filter(|a| a.client_id == account.client_id && a.deleted_at.is_none())
        else {
            drop(st);
            return fail(format!("AWB-ul {number} nu exista"));
        };
        if !awb.events(now).is_empty() {
            drop(st);
            return fail("AWB-ul nu poate fi sters, expeditia a fost ridicata");
        }
        awb.deleted_at = Some(now);
    }
    sim.shared.after_effect(PROVIDER).await;
    ok(json!({"status": "success", "message": "Success"}))
}

// ---- tracking ----

fn mask(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let chars: Vec<char> = w.chars().collect();
            match chars.len() {
                0 => String::new(),
                1 => chars[0].to_string(),
                n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

async fn tracking(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    let account = match sim.authorize(&req, &q) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let numbers = indexed(&q, "awb");
    if numbers.is_empty() {
        return unprocessable("awb", "The awb field is required.");
    }
    for (i, n) in &numbers {
        if n.len() != 13 || !n.chars().all(|c| c.is_ascii_digit()) {
            return reply(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"message": format!("The awb.{i} format is invalid.")}),
            );
        }
    }
    let language = param(&q, "language").unwrap_or("ro");
    let now = sim.shared.clock.now();
    let st = sim.state();
    let mut data = Vec::new();
    for (_, n) in &numbers {
        let Some(awb) = st
            .awbs
            .get(*n)
            .filter(|a| a.client_id == account.client_id && a.deleted_at.is_none())
        else {
            data.push(json!({"content": "", "awbNumber": n, "message": "AWB-ul nu a fost gasit"}));
            continue;
        };
        let events = awb.events(now);
        if events.is_empty() {
            data.push(json!({
                "content": awb.content,
                "awbNumber": awb.number,
                "message": "The AWB has been registerd by sender",
            }));
            continue;
        }
        let list: Vec<Value> = events
            .iter()
            .map(|(code, at)| {
                let at_recipient = TIMELINE
                    .iter()
                    .find(|(c, ..)| c == code)
                    .is_some_and(|t| t.2);
                let location = if at_recipient {
                    &awb.recipient.locality
                } else {
                    &awb.sender.locality
                };
                json!({
                    "id": code,
                    "name": data::event_name(code, language),
                    "location": location,
                    "date": local_text(*at),
                })
            })
            .collect();
        let delivered = awb.delivered_at(now);
        let confirmation = delivered.map(|at| {
            json!({"name": mask(&awb.recipient.name), "date": local(at).format("%Y-%m-%d %H:%M").to_string()})
        });
        let payment_date = awb
            .transfer_date(now)
            .map(|d| d.format("%Y-%m-%d").to_string());
        data.push(json!({
            "content": awb.content,
            "awbNumber": awb.number,
            "date": format!("{} 00:00:00", local(awb.created_at).date()),
            "weight": num(awb.weight),
            "paymentDate": payment_date,
            "returnAwbNumber": null,
            "redirectionAwbNumber": null,
            "reimbursementAwbNumber": null,
            "oPODAwbNumber": null,
            "confirmation": confirmation,
            "service": null,
            "options": null,
            "events": list,
            "barcodes": null,
            "serviceId": awb.service_id,
            "optionCodes": awb.options,
        }));
    }
    drop(st);
    ok(json!({"status": "success", "data": data}))
}

async fn awb_events(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    if let Err(r) = sim.authorize(&req, &q) {
        return r;
    }
    let language = param(&q, "language").unwrap_or("ro");
    let data: Vec<Value> = data::EVENTS
        .iter()
        .map(|(code, ..)| json!({"id": code, "name": data::event_name(code, language)}))
        .collect();
    ok(json!({"status": "success", "data": data}))
}

// ---- tariff and nomenclature ----

async fn internal_tariff(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    if let Err(r) = sim.authorize(&req, &q) {
        return r;
    }
    let mut errors: Vec<(String, String)> = Vec::new();
    let service = param(&q, "info[service]").unwrap_or_default();
    if !data::SERVICES.iter().any(|(_, n, _)| *n == service) {
        errors.push((
            "info.service".into(),
            "The selected info.service is invalid.".into(),
        ));
    }
    let weight = param(&q, "info[weight]").and_then(|w| Decimal::from_str(w).ok());
    if weight.is_none_or(|w| w <= Decimal::ZERO) {
        errors.push((
            "info.weight".into(),
            "The info.weight must be greater than 0.".into(),
        ));
    }
    for side in ["recipient", "sender"] {
        let county = param(&q, &format!("{side}[county]"));
        let locality = param(&q, &format!("{side}[locality]"));
        if side == "sender" && county.is_none() && locality.is_none() {
            continue;
        }
        match county.and_then(ro::county) {
            None => errors.push((
                format!("{side}.county"),
                format!("The selected {side}.county is invalid."),
            )),
            Some((_, c, _)) => {
                if locality.and_then(|l| ro::locality(c, l)).is_none() {
                    errors.push((
                        format!("{side}.locality"),
                        format!("The selected {side}.locality is invalid."),
                    ));
                }
            }
        }
    }
    let declared = param(&q, "info[declaredValue]").and_then(|v| Decimal::from_str(v).ok());
    let options: Vec<String> = indexed(&q, "info[options]")
        .into_iter()
        .map(|(_, v)| v.to_owned())
        .collect();
    for (i, o) in options.iter().enumerate() {
        if !data::options_of(service).contains(&o.as_str()) {
            errors.push((
                format!("info.options.{i}"),
                format!("The selected info.options.{i} is invalid."),
            ));
        }
    }
    if !errors.is_empty() {
        return fail_fields(&errors);
    }
    let p = price(weight.unwrap_or(Decimal::ONE), declared, &options, None);
    ok(json!({"status": "success", "data": {
        "extraKmCost": 0,
        "weightCost": num(p.weight_cost),
        "insuranceCost": num(p.insurance),
        "optionsCost": num(p.options),
        "fuelCost": num(p.fuel),
        "costNoVAT": num(p.no_vat),
        "vat": num(p.vat),
        "total": num(p.total),
    }}))
}

async fn services(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    if let Err(r) = sim.authorize(&req, &q) {
        return r;
    }
    let data: Vec<Value> = data::SERVICES
        .iter()
        .map(|(id, name, description)| json!({"id": id, "name": name, "description": description}))
        .collect();
    ok(json!({"status": "success", "data": data}))
}

async fn service_options(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    if let Err(r) = sim.authorize(&req, &q) {
        return r;
    }
    let service = param(&q, "service").unwrap_or_default();
    if !data::SERVICES.iter().any(|(_, n, _)| *n == service) {
        return fail_fields(&[("service".into(), "The selected service is invalid.".into())]);
    }
    let allowed = data::options_of(service);
    let data: Vec<Value> = data::OPTIONS
        .iter()
        .filter(|(l, ..)| allowed.contains(l))
        .map(|(l, name, _)| json!({"id": l, "name": name}))
        .collect();
    ok(json!({"status": "success", "data": data}))
}

async fn counties(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    if let Err(r) = sim.authorize(&req, &q) {
        return r;
    }
    let data: Vec<Value> = ro::COUNTIES
        .iter()
        .map(|(id, name, ..)| json!({"id": id, "name": name}))
        .collect();
    ok(json!({"status": "success", "data": data}))
}

async fn localities(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    if let Err(r) = sim.authorize(&req, &q) {
        return r;
    }
    let Some((_, county, _)) = param(&q, "county").and_then(ro::county) else {
        return fail_fields(&[("county".into(), "The selected county is invalid.".into())]);
    };
    let data: Vec<Value> = ro::localities(county)
        .into_iter()
        .map(|(id, name)| {
            json!({"id": id, "name": name, "county": county, "agency": county, "exteriorKm": null})
        })
        .collect();
    ok(json!({"status": "success", "data": data}))
}

fn point_json(p: &data::Point) -> Value {
    let decimal = |s: &str| Decimal::from_str(s).map(num).unwrap_or(Value::Null);
    json!({
        "id": p.id,
        "name": p.name,
        "routingLocation": p.locality,
        "description": p.description,
        "latitude": decimal(p.latitude),
        "longitude": decimal(p.longitude),
        "address": {
            "locality": p.locality,
            "county": p.county,
            "street": p.street,
            "streetNo": p.street_no,
            "zipCode": p.zip,
        },
        "schedule": [
            {"startHour": "08:00", "stopHour": "22:00", "day": "Luni"},
            {"startHour": "08:00", "stopHour": "22:00", "day": "Marti"},
            {"startHour": "08:00", "stopHour": "22:00", "day": "Miercuri"},
            {"startHour": "08:00", "stopHour": "22:00", "day": "Joi"},
            {"startHour": "08:00", "stopHour": "22:00", "day": "Vineri"},
            {"startHour": "09:00", "stopHour": "20:00", "day": "Sambata"},
        ],
        "drawer": if p.kind == "fanbox" { json!([{"type": "S", "number": 10}, {"type": "M", "number": 8}, {"type": "L", "number": 4}]) } else { json!([]) },
        "phones": [],
        "email": "",
    })
}

async fn pickup_points(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    if let Err(r) = sim.authorize(&req, &q) {
        return r;
    }
    let kind = param(&q, "type");
    let id = param(&q, "id");
    if kind.is_none() && id.is_none() {
        return unprocessable("type", "The type field is required when id is not present.");
    }
    if let Some(k) = kind
        && !matches!(k, "fanbox" | "paypoint" | "office")
    {
        return unprocessable("type", "The selected type is invalid.");
    }
    let data: Vec<Value> = data::POINTS
        .iter()
        .filter(|p| kind.is_none_or(|k| p.kind == k))
        .filter(|p| id.is_none_or(|i| p.id == i))
        .map(point_json)
        .collect();
    ok(json!({"status": "success", "data": data}))
}

// ---- courier orders ----

async fn create_order(sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let user = match sim.user(&req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let account = match sim.account(&user, text(&body, &["clientId"]).as_deref()) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    let parcels = count(&body, &["info", "packages", "parcel"]).unwrap_or(0);
    let envelopes = count(&body, &["info", "packages", "envelope"]).unwrap_or(0);
    if parcels + envelopes == 0 {
        errors.push((
            "info.packages".into(),
            "At least one envelope or parcel is required".into(),
        ));
    }
    let weight = decimal(&body, &["info", "weight"]).ok().flatten();
    if weight.is_none_or(|w| w <= Decimal::ZERO) {
        errors.push((
            "info.weight".into(),
            "The info.weight must be greater than 0.".into(),
        ));
    }
    if text(&body, &["info", "orderType"]).as_deref() != Some("Standard") {
        errors.push((
            "info.orderType".into(),
            "The selected info.orderType is invalid.".into(),
        ));
    }
    let today = local(sim.shared.clock.now());
    let date = text(&body, &["info", "pickupDate"])
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    match date {
        None => errors.push((
            "info.pickupDate".into(),
            "The info.pickupDate is not a valid date.".into(),
        )),
        Some(d) if d < today.date() => errors.push((
            "info.pickupDate".into(),
            "The info.pickupDate must be a date after or equal to today.".into(),
        )),
        Some(d) if d.weekday() == Weekday::Sun => errors.push((
            "info.pickupDate".into(),
            "Nu se efectueaza ridicari duminica.".into(),
        )),
        Some(_) => {}
    }
    let hour = |k: &str| {
        text(&body, &["info", "pickupHours", k])
            .and_then(|h| NaiveTime::parse_from_str(&h, "%H:%M").ok())
    };
    let (from, until) = (hour("first"), hour("second"));
    match (from, until) {
        (Some(f), Some(u)) if u - f >= chrono::Duration::hours(2) => {
            if date == Some(today.date()) && u <= today.time() {
                errors.push((
                    "info.pickupHours.second".into(),
                    "The pickup window has already passed.".into(),
                ));
            }
        }
        (Some(_), Some(_)) => errors.push((
            "info.pickupHours".into(),
            "Intervalul de ridicare trebuie sa fie de minim 2 ore.".into(),
        )),
        _ => errors.push((
            "info.pickupHours".into(),
            "The info.pickupHours.first and info.pickupHours.second fields must be times (HH:MM)."
                .into(),
        )),
    }
    let awb_number = text(&body, &["info", "awbNumber"]).unwrap_or_default();
    if !awb_number.is_empty() {
        let st = sim.state();
        if !st
            .awbs
            .get(&awb_number)
            .is_some_and(|a| a.client_id == account.client_id && a.deleted_at.is_none())
        {
            errors.push((
                "info.awbNumber".into(),
                "The selected info.awbNumber is invalid.".into(),
            ));
        }
    }
    if !errors.is_empty() {
        return fail_fields(&errors);
    }
    let (Some(date), Some(from), Some(until)) = (date, from, until) else {
        return fail_fields(&[("info".into(), "invalid".into())]);
    };
    let id = {
        let mut st = sim.state();
        let id = st.next_order;
        st.next_order += 1;
        st.orders.insert(
            id,
            CourierOrder {
                id,
                client_id: account.client_id.clone(),
                awb_number,
                parcels,
                envelopes,
                weight: weight.unwrap_or_default(),
                pickup_date: date,
                from,
                until,
                observations: text(&body, &["info", "observations"]).unwrap_or_default(),
                cancelled: false,
            },
        );
        id
    };
    sim.shared.after_effect(PROVIDER).await;
    ok(json!({"status": "success", "data": {"id": id}}))
}

async fn delete_order(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    let account = match sim.authorize(&req, &q) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(id) = param(&q, "id") else {
        return unprocessable("id", "The id field is required.");
    };
    let now = local(sim.shared.clock.now());
    {
        let mut st = sim.state();
        let Some(order) = id
            .parse::<u64>()
            .ok()
            .and_then(|i| st.orders.get_mut(&i))
            .filter(|o| o.client_id == account.client_id && !o.cancelled)
        else {
            drop(st);
            return fail(format!("Comanda {id} nu exista"));
        };
        if order.pickup_date.and_time(order.from) <= now {
            drop(st);
            return fail(
                "Comanda nu mai poate fi anulata, curierul este in drum spre dumneavoastra",
            );
        }
        order.cancelled = true;
    }
    sim.shared.after_effect(PROVIDER).await;
    ok(json!({"status": "success", "message": "Success"}))
}

// ---- reports ----

struct Paging {
    date: NaiveDate,
    page: usize,
    per_page: usize,
}

fn paging(q: &[(String, String)]) -> Result<Paging, HttpResponse> {
    let date = param(q, "date")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| unprocessable("date", "The date does not match the format Y-m-d."))?;
    let page = param(q, "page").map_or(Ok(1), str::parse::<usize>);
    let per_page = param(q, "perPage").map_or(Ok(100), str::parse::<usize>);
    match (page, per_page) {
        (Ok(page), Ok(per_page)) if page >= 1 && (1..=100).contains(&per_page) => Ok(Paging {
            date,
            page,
            per_page,
        }),
        _ => Err(unprocessable(
            "perPage",
            "The page must be at least 1 and perPage between 1 and 100.",
        )),
    }
}

fn paged(items: Vec<Value>, p: &Paging) -> HttpResponse {
    let total = items.len();
    let data: Vec<Value> = items
        .into_iter()
        .skip((p.page - 1) * p.per_page)
        .take(p.per_page)
        .collect();
    ok(json!({
        "status": "success",
        "total": total,
        "perPage": p.per_page,
        "currentPage": p.page,
        "data": data,
    }))
}

fn report_party(p: &Party) -> Value {
    json!({
        "name": p.name,
        "contactPerson": p.contact_person,
        "phone": p.phone,
        "secondaryPhone": "",
        "email": p.email,
        "address": {
            "locality": p.locality,
            "county": p.county,
            "street": p.street,
            "streetNo": p.street_no,
            "zipCode": p.zip_code,
            "building": "",
            "entrance": "",
            "floor": "",
            "apartment": "",
            "country": "Romania",
        },
    })
}

async fn shipping_slip(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    let account = match sim.authorize(&req, &q) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let p = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let st = sim.state();
    let mut awbs: Vec<&Awb> = st
        .awbs
        .values()
        .filter(|a| a.client_id == account.client_id && a.deleted_at.is_none())
        .filter(|a| local(a.created_at).date() == p.date)
        .collect();
    awbs.sort_by_key(|a| (a.created_at, a.number.clone()));
    let items: Vec<Value> = awbs
        .iter()
        .map(|a| {
            json!({
                "info": {
                    "awbNumber": a.number,
                    "serviceId": a.service_id,
                    "weight": num(a.weight),
                    "payment": a.payment,
                    "cod": a.cod.map(num),
                    "returnPayment": "expeditor",
                    "declaredValue": a.declared_value.map(num),
                    "observations": a.observation,
                    "content": a.content,
                    "date": local_text(a.created_at),
                    "service": a.service,
                    "cost": num(a.tariff),
                    "packages": {"envelope": a.envelopes, "parcel": a.parcels},
                    "costCenter": "",
                    "refund": "",
                    "currency": "LEI",
                },
                "recipient": report_party(&a.recipient),
                "sender": report_party(&a.sender),
            })
        })
        .collect();
    drop(st);
    paged(items, &p)
}

async fn bank_transfers(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let q = query(&req);
    let account = match sim.authorize(&req, &q) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let p = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let now = sim.shared.clock.now();
    let st = sim.state();
    let mut awbs: Vec<(&Awb, NaiveDate, DateTime<Utc>)> = st
        .awbs
        .values()
        .filter(|a| a.client_id == account.client_id)
        .filter_map(|a| Some((a, a.transfer_date(now)?, a.delivered_at(now)?)))
        .filter(|(_, day, _)| *day == p.date)
        .collect();
    awbs.sort_by_key(|(a, _, at)| (*at, a.number.clone()));
    let dmy = |d: NaiveDate| d.format("%d.%m.%Y").to_string();
    let items: Vec<Value> = awbs
        .iter()
        .map(|(a, day, delivered)| {
            json!({
                "info": {
                    "awbNumber": a.number,
                    "awbDate": dmy(local(a.created_at).date()),
                    "amountCollected": a.cod.map(num),
                    "content": a.content,
                    "transferDate": dmy(*day),
                    "returnAwbNumber": "",
                    "reimbursementAwbNumber": "",
                    "transactionType": "cash",
                    "transactionDate": dmy(local(*delivered).date()),
                },
                "recipient": {
                    "name": a.recipient.name,
                    "contactPerson": a.recipient.contact_person,
                    "address": {"locality": a.recipient.locality},
                },
                "sender": {"name": account.company, "contactPerson": ""},
            })
        })
        .collect();
    drop(st);
    paged(items, &p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_tariff_is_exact_and_includes_vat() {
        let p = price(
            Decimal::new(15, 1),
            Some(Decimal::from(250)),
            &["A".to_owned()],
            None,
        );
        // 2 kg: 14.50 + 1.50; insurance 2.50; option A 2.50; fuel 1.60.
        assert_eq!(p.no_vat, Decimal::new(2260, 2));
        assert_eq!(p.total, p.no_vat + p.vat);
        assert_eq!(p.vat, Decimal::new(475, 2));
    }

    #[test]
    fn names_are_masked_like_fan() {
        assert_eq!(mask("Maria Ionescu"), "m***a i*****u");
    }

    #[test]
    fn indexed_parameters_keep_their_order() {
        let q = vec![
            ("awb[1]".to_owned(), "b".to_owned()),
            ("awb[0]".to_owned(), "a".to_owned()),
            ("clientId".to_owned(), "1".to_owned()),
        ];
        let v: Vec<&str> = indexed(&q, "awb").into_iter().map(|(_, v)| v).collect();
        assert_eq!(v, ["a", "b"]);
    }

    #[test]
    fn cod_is_paid_the_next_working_day() {
        let created = Utc
            .with_ymd_and_hms(2026, 11, 19, 8, 0, 0)
            .single()
            .unwrap_or_default();
        let awb = Awb {
            number: "7000100000001".into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            created_at: created,
            service: "Standard".into(),
            service_id: 1,
            parcels: 1,
            envelopes: 0,
            weight: Decimal::ONE,
            cod: Some(Decimal::from(100)),
            declared_value: None,
            payment: "expeditor".into(),
            content: "order-1".into(),
            observation: String::new(),
            options: Vec::new(),
            recipient: Party::default(),
            sender: Party::default(),
            pickup_location_id: None,
            tariff: Decimal::ONE,
            deleted_at: None,
        };
        // Created Thursday, delivered Friday, paid Monday.
        let monday = Utc
            .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(
            awb.transfer_date(monday),
            NaiveDate::from_ymd_opt(2026, 11, 23)
        );
        let sunday = Utc
            .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(awb.transfer_date(sunday), None);
    }
}
