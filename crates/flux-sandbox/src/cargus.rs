//! The Cargus UrgentOnline API v3 simulator, under `/cargus/`.
//!
//! It speaks the wire format of `https://urgentcargus.azure-api.net/api/` as `flux-cargus`
//! uses it (and as `fixtures/cargus` records it): PascalCase JSON, bare JSON strings for
//! tokens and barcodes, `mm-dd-yyyy` or `yyyy-mm-dd` query dates, local times without an
//! offset.
//!
//! | endpoint | what the simulator does |
//! |---|---|
//! | `POST LoginUser` | `{"UserName","Password"}` → the token as a bare JSON string (24 h of simulated time) |
//! | `GET TokenVerification` | `true` |
//! | `POST Awbs` | creates an AWB and answers its barcode; checks the `ServiceId` rules (below) |
//! | `POST Awbs/WithGetAwb` | the same, answering the full AWB |
//! | `DELETE Awbs?barCode=` | `true`, or `false` once the courier scanned the parcel |
//! | `GET Awbs?barCode=` / `?orderId=` | AWB details / the AWBs of a courier order |
//! | `GET Awbs/GetByDate` | AWBs of a period (`mm-dd-yyyy`), paged; carries our `CustomString` |
//! | `GET AwbDocuments` | base64 PDF labels, A4 (`format=0`) or 10×14 (`format=1`) |
//! | `GET AwbTrace`, `AwbTrace/WithRedirect` | events that follow the simulated clock (below), at most 40 barcodes |
//! | `GET PudoPoints` | Ship & Go points |
//! | `GET PickupLocations`, `PickupLocations/GetForClient`, `PriceTables` | the account's setup |
//! | `POST ShippingCalculation` | the sandbox tariff (by locality names or ids) |
//! | `PUT Orders?action=1` or `action=0` | validates (closes) or cancels the open courier order of a pickup location |
//! | `GET Orders`, `Orders/GetByOrderId` | courier orders |
//! | `GET CashAccount/GetByDate`, `CashAccount?barCode=` | COD collected at delivery and paid out the next working day |
//!
//! # Account
//!
//! Every call carries the subscription key in `Ocp-Apim-Subscription-Key` (the API
//! Management gateway answers `401 {"statusCode":401,"message":"Access denied due to
//! invalid subscription key…"}` without it) and, except `LoginUser`, a Bearer token (a
//! missing, unknown or expired one is `401 "Failed to authenticate!"`). Defaults:
//! key [`DEFAULT_SUBSCRIPTION_KEY`], user [`DEFAULT_USERNAME`], password
//! [`DEFAULT_PASSWORD`]; pickup location [`DEFAULT_LOCATION_ID`] ("Depozit Pitesti",
//! Arges); price table 0. Wrong credentials: `400 {"Error":"Utilizator sau parola invalida"}`.
//!
//! # ServiceId rules
//!
//! 34 (Economic Standard): one parcel up to 31 kg, or envelopes only; 35 (Standard 31+):
//! one parcel of 31–50 kg; 36 (Standard 50+): one parcel (pallet) of 50–800 kg; 39
//! (multipiece): several parcels of at most 31 kg each and 465 kg in all; 40 (multipiece
//! 31+): several parcels of at most 50 kg each and 750 kg in all; 38 (Ship & Go): a known
//! `DeliveryPudoPoint` and the recipient's phone and email. At most 15 pieces and 9
//! envelopes per AWB; weights are whole kilograms; `ParcelCodes` must list every piece.
//! Any other `ServiceId` is not in the sandbox contract.
//!
//! # Tracking over simulated time
//!
//! Counted from the AWB's creation: `EventId` 1 picked up after 2 h, 2 in transit after
//! 8 h, 3 at the destination depot after 16 h, 4 out for delivery after 20 h, 21
//! delivered after 26 h. Cargus publishes no event list: 1, 4 and 21 are the ids real
//! traces carry; 2 and 3 are the sandbox's. Once event 1 happened, `DELETE Awbs` answers
//! `false`. COD is collected at delivery (`RepaymentDate`) and paid out the next working
//! day (`DeductionDate`).
//!
//! # Limits
//!
//! Cargus publishes no limit; its API Management gateway refuses bursts with
//! `429 {"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."}` and
//! `Retry-After`. The sandbox applies [`RATE_LIMIT_CALLS`] calls per
//! [`RATE_LIMIT_PERIOD`] per subscription key.

// The `Err` of the request helpers is the HTTP answer to send, built once per call.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use base64::Engine as _;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc, Weekday};
use chrono_tz::Europe::Bucharest;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::fancourier::ro;
use crate::limits::Verdict;
use crate::pdf;
use crate::server::{Provider, Shared};

/// The default subscription key (`Ocp-Apim-Subscription-Key`).
pub const DEFAULT_SUBSCRIPTION_KEY: &str = "sandbox-cargus-subscription-key";
/// The default user.
pub const DEFAULT_USERNAME: &str = "flux.sandbox";
/// The default password.
pub const DEFAULT_PASSWORD: &str = "sandbox";
/// The default account's pickup location ("Depozit Pitesti").
pub const DEFAULT_LOCATION_ID: i64 = 201_266_091;
/// Calls one subscription key may make per [`RATE_LIMIT_PERIOD`].
pub const RATE_LIMIT_CALLS: usize = 100;
/// The rate-limit window.
pub const RATE_LIMIT_PERIOD: Duration = Duration::from_secs(10);
/// How long a token lives, in simulated time.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How many barcodes one `AwbTrace` call accepts.
pub const MAX_TRACE_BATCH: usize = 40;

const PROVIDER: Provider = Provider::Cargus;
const FAILED_TO_AUTHENTICATE: &str = "Failed to authenticate!";

/// `(EventId, description, minutes after creation, at the recipient's end)`.
const TIMELINE: &[(i64, &str, i64, bool)] = &[
    (1, "Expeditie preluata de curier", 2 * 60, false),
    (
        2,
        "Expeditie in tranzit spre depozitul de destinatie",
        8 * 60,
        false,
    ),
    (
        3,
        "Expeditie sosita in depozitul de destinatie",
        16 * 60,
        true,
    ),
    (4, "Expeditie in livrare", 20 * 60, true),
    (21, "Livrat la destinatar", 26 * 60, true),
];

/// A Ship & Go point: `(id, name, county, city, street, number, postal code, latitude,
/// longitude, accepts COD)`.
type Pudo = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);

const PUDO_POINTS: &[Pudo] = &[
    (
        114_142,
        "CARGUS SHIP & GO MAGURELE",
        "Ilfov",
        "Magurele",
        "Atomistilor",
        "99-115",
        "077125",
        "44.367229",
        "26.041645",
        false,
    ),
    (
        201_778,
        "CARGUS SHIP & GO IASI PALAS",
        "Iasi",
        "Iasi",
        "Palas",
        "7A",
        "700051",
        "47.1565",
        "27.5879",
        true,
    ),
    (
        201_901,
        "CARGUS SHIP & GO BUCURESTI UNIRII",
        "Bucuresti",
        "Bucuresti",
        "Bd. Unirii",
        "50",
        "030833",
        "44.4268",
        "26.1130",
        true,
    ),
    (
        202_114,
        "CARGUS SHIP & GO CLUJ MARASTI",
        "Cluj",
        "Cluj-Napoca",
        "Aurel Vlaicu",
        "5",
        "400582",
        "46.7806",
        "23.6134",
        true,
    ),
    (
        202_380,
        "CARGUS SHIP & GO TIMISOARA CENTRU",
        "Timis",
        "Timisoara",
        "Piata Victoriei",
        "2",
        "300030",
        "45.7537",
        "21.2257",
        false,
    ),
];

#[derive(Debug, Clone)]
struct Location {
    id: i64,
    name: String,
    county: String,
    locality: String,
    street: String,
    number: String,
    contact: String,
    phone: String,
    email: String,
    postal_code: String,
}

#[derive(Debug, Clone)]
struct Account {
    key: String,
    username: String,
    password: String,
    company: String,
    locations: Vec<Location>,
}

#[derive(Debug, Clone, Default)]
struct Recipient {
    name: String,
    contact: String,
    county: String,
    locality: String,
    street: String,
    number: String,
    address_text: String,
    phone: String,
    email: String,
    postal_code: String,
}

#[derive(Debug, Clone)]
struct ParcelCode {
    kind: u8,
    weight: Decimal,
    length: Option<Decimal>,
    width: Option<Decimal>,
    height: Option<Decimal>,
    content: Option<String>,
}

#[derive(Debug, Clone)]
struct Awb {
    barcode: String,
    username: String,
    location_id: i64,
    order_id: u64,
    created_at: DateTime<Utc>,
    recipient: Recipient,
    parcels: u32,
    envelopes: u32,
    total_weight: Decimal,
    service_id: u32,
    declared_value: Decimal,
    cash_repayment: Decimal,
    bank_repayment: Decimal,
    open_package: bool,
    saturday_delivery: bool,
    morning_delivery: bool,
    price_table_id: i64,
    shipment_payer: i64,
    observations: Option<String>,
    package_content: Option<String>,
    custom_string: Option<String>,
    parcel_codes: Vec<ParcelCode>,
    pudo_point: Option<i64>,
    cost: Decimal,
    deleted_at: Option<DateTime<Utc>>,
}

impl Awb {
    fn events(&self, now: DateTime<Utc>) -> Vec<(i64, &'static str, DateTime<Utc>, bool)> {
        if self.deleted_at.is_some() {
            return Vec::new();
        }
        TIMELINE
            .iter()
            .map(|(id, d, minutes, far)| {
                (
                    *id,
                    *d,
                    self.created_at + chrono::Duration::minutes(*minutes),
                    *far,
                )
            })
            .filter(|e| e.2 <= now)
            .collect()
    }

    fn delivered_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.events(now)
            .into_iter()
            .find(|e| e.0 == 21)
            .map(|e| e.2)
    }

    fn cod(&self) -> Decimal {
        self.cash_repayment + self.bank_repayment
    }

    /// When Cargus pays the COD out: the next working day after delivery, once reached.
    fn deduction_date(&self, now: DateTime<Utc>) -> Option<NaiveDate> {
        let delivered = local(self.delivered_at(now)?).date();
        let mut day = delivered.succ_opt()?;
        while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day = day.succ_opt()?;
        }
        (local(now).date() >= day).then_some(day)
    }

    fn status(&self, now: DateTime<Utc>) -> &'static str {
        if self.deleted_at.is_some() {
            return "Sters";
        }
        match self.events(now).last().map(|e| e.0) {
            None => "Tiparit",
            Some(21) => "Livrat",
            Some(4) => "In livrare",
            Some(1) => "Ridicat",
            Some(_) => "In tranzit",
        }
    }
}

#[derive(Debug, Clone)]
struct Order {
    id: u64,
    location_id: i64,
    username: String,
    /// 0 open, 1 validated (a courier comes), 2 cancelled.
    status: u8,
    start: Option<NaiveDateTime>,
    end: Option<NaiveDateTime>,
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
    next_barcode: u64,
    orders: BTreeMap<u64, Order>,
    next_order: u64,
    next_repayment: u64,
}

/// One AWB as the simulator holds it, for tests and the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwbView {
    /// The barcode (AWB number).
    pub barcode: String,
    /// The `ServiceId`.
    pub service_id: u32,
    /// Our reference (`CustomString`).
    pub custom_string: Option<String>,
    /// The recipient's name.
    pub recipient: String,
    /// The recipient's locality.
    pub locality: String,
    /// Cash on delivery, returned in cash (`CashRepayment`).
    pub cash_repayment: Decimal,
    /// Cash on delivery, paid into the bank account (`BankRepayment`).
    pub bank_repayment: Decimal,
    /// The Ship & Go point, for service 38.
    pub pudo_point: Option<i64>,
    /// The courier order it joined.
    pub order_id: String,
    /// When it was created (simulated time).
    pub created_at: DateTime<Utc>,
    /// The last tracking `EventId` by now.
    pub last_event: Option<i64>,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// One courier order, for tests and the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderView {
    /// Cargus's order id.
    pub id: String,
    /// The pickup location.
    pub location_id: i64,
    /// 0 open, 1 validated (a courier comes), 2 cancelled.
    pub status: u8,
    /// The pickup window, once validated.
    pub window: Option<(NaiveDateTime, NaiveDateTime)>,
    /// How many (not deleted) AWBs it carries.
    pub awbs: usize,
}

/// The Cargus simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    state: Mutex<State>,
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default account.
    pub fn new(shared: Shared) -> Self {
        let account = Account {
            key: DEFAULT_SUBSCRIPTION_KEY.to_owned(),
            username: DEFAULT_USERNAME.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            company: "FLUX DEMO SRL".to_owned(),
            locations: vec![Location {
                id: DEFAULT_LOCATION_ID,
                name: "Depozit Pitesti".to_owned(),
                county: "Arges".to_owned(),
                locality: "Pitesti".to_owned(),
                street: "Republicii".to_owned(),
                number: "5".to_owned(),
                contact: "Ion Ionescu".to_owned(),
                phone: "0727698210".to_owned(),
                email: "depozit@flux.example".to_owned(),
                postal_code: "110001".to_owned(),
            }],
        };
        Self {
            shared,
            state: Mutex::new(State {
                accounts: vec![account],
                tokens: BTreeMap::new(),
                logins: 0,
                awbs: BTreeMap::new(),
                next_barcode: 1_064_990_001,
                orders: BTreeMap::new(),
                next_order: 47_920_111,
                next_repayment: 88_113,
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

    /// Adds an account with its own subscription key and one pickup location `location_id`
    /// (at the default account's address).
    pub fn add_account(&self, key: &str, username: &str, password: &str, location_id: i64) {
        let mut st = self.state();
        let mut location = st.accounts[0].locations[0].clone();
        location.id = location_id;
        st.accounts.push(Account {
            key: key.to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
            company: format!("CLIENT {username}"),
            locations: vec![location],
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
        all.sort_by(|a, b| (a.created_at, &a.barcode).cmp(&(b.created_at, &b.barcode)));
        all
    }

    /// One AWB by barcode.
    pub fn awb(&self, barcode: &str) -> Option<AwbView> {
        let now = self.shared.clock.now();
        self.state().awbs.get(barcode).map(|a| view(a, now))
    }

    /// The AWBs created with our reference `custom_string`.
    pub fn awbs_with_reference(&self, custom_string: &str) -> Vec<AwbView> {
        self.awbs()
            .into_iter()
            .filter(|a| a.custom_string.as_deref() == Some(custom_string))
            .collect()
    }

    /// Every courier order.
    pub fn orders(&self) -> Vec<OrderView> {
        let st = self.state();
        st.orders
            .values()
            .map(|o| OrderView {
                id: o.id.to_string(),
                location_id: o.location_id,
                status: o.status,
                window: o.start.zip(o.end),
                awbs: st
                    .awbs
                    .values()
                    .filter(|a| a.order_id == o.id && a.deleted_at.is_none())
                    .count(),
            })
            .collect()
    }
}

fn view(a: &Awb, now: DateTime<Utc>) -> AwbView {
    AwbView {
        barcode: a.barcode.clone(),
        service_id: a.service_id,
        custom_string: a.custom_string.clone(),
        recipient: a.recipient.name.clone(),
        locality: a.recipient.locality.clone(),
        cash_repayment: a.cash_repayment,
        bank_repayment: a.bank_repayment,
        pudo_point: a.pudo_point,
        order_id: a.order_id.to_string(),
        created_at: a.created_at,
        last_event: a.events(now).last().map(|e| e.0),
        deleted: a.deleted_at.is_some(),
    }
}

/// The routes, under `/cargus`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    web::scope("/cargus")
        .app_data(web::Data::from(sim))
        .route("/LoginUser", web::post().to(login))
        .route("/TokenVerification", web::get().to(token_verification))
        .route("/Awbs", web::post().to(create_awb))
        .route("/Awbs/WithGetAwb", web::post().to(create_awb_full))
        .route("/Awbs", web::delete().to(delete_awb))
        .route("/Awbs", web::get().to(get_awbs))
        .route("/Awbs/GetByDate", web::get().to(awbs_by_date))
        .route("/AwbDocuments", web::get().to(awb_documents))
        .route("/AwbTrace", web::get().to(trace))
        .route("/AwbTrace/WithRedirect", web::get().to(trace))
        .route("/PudoPoints", web::get().to(pudo_points))
        .route("/PickupLocations", web::get().to(pickup_locations))
        .route(
            "/PickupLocations/GetForClient",
            web::get().to(pickup_locations),
        )
        .route("/PriceTables", web::get().to(price_tables))
        .route("/ShippingCalculation", web::post().to(shipping_calculation))
        .route("/Orders", web::put().to(set_order))
        .route("/Orders", web::get().to(orders))
        .route("/Orders/GetByOrderId", web::get().to(order_by_id))
        .route(
            "/CashAccount/GetByDate",
            web::get().to(cash_account_by_date),
        )
        .route("/CashAccount", web::get().to(cash_account_by_barcode))
        .default_service(web::to(|| async {
            reply(
                StatusCode::NOT_FOUND,
                json!({"statusCode": 404, "message": "Resource not found"}),
            )
        }))
}

// ---- helpers ----

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&Bucharest).naive_local()
}

fn local_text(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn reply(status: StatusCode, body: Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

fn ok(body: Value) -> HttpResponse {
    reply(StatusCode::OK, body)
}

fn bad_request(message: &str) -> HttpResponse {
    reply(StatusCode::BAD_REQUEST, json!({"Error": message}))
}

fn model_state(fields: &[(String, String)]) -> HttpResponse {
    let mut map = Map::new();
    for (k, v) in fields {
        let entry = map.entry(k.clone()).or_insert_with(|| json!([]));
        if let Value::Array(items) = entry {
            items.push(Value::String(v.clone()));
        }
    }
    reply(
        StatusCode::BAD_REQUEST,
        json!({"Message": "The request is invalid.", "ModelState": map}),
    )
}

fn not_found(message: &str) -> HttpResponse {
    reply(StatusCode::NOT_FOUND, Value::String(message.to_owned()))
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
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// A field of a JSON object, by name, case-insensitively (as ASP.NET binds).
fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

fn text(v: &Value, name: &str) -> Option<String> {
    match field(v, name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn decimal(v: &Value, name: &str) -> Result<Option<Decimal>, ()> {
    match field(v, name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            let t = n.to_string();
            Decimal::from_str(&t)
                .or_else(|_| Decimal::from_scientific(&t))
                .map(Some)
                .map_err(|_| ())
        }
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Decimal::from_str(s.trim()).map(Some).map_err(|_| ()),
        Some(_) => Err(()),
    }
}

fn integer(v: &Value, name: &str) -> Result<Option<i64>, ()> {
    match decimal(v, name)? {
        None => Ok(None),
        Some(d) if d.fract().is_zero() => {
            i64::try_from(d.trunc().mantissa() / 10i128.pow(d.trunc().scale()))
                .map(Some)
                .map_err(|_| ())
        }
        Some(_) => Err(()),
    }
}

fn flag(v: &Value, name: &str) -> bool {
    match field(v, name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        Some(Value::String(s)) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1"),
        _ => false,
    }
}

/// A JSON list given in a query parameter (`["1064985512","…"]`), or a comma list.
fn barcode_list(raw: &str) -> Vec<String> {
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.trim().to_owned()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Ok(Value::String(s)) => vec![s],
        Ok(Value::Number(n)) => vec![n.to_string()],
        _ => raw
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    }
}

fn point_value(p: &Pudo) -> Value {
    let (id, name, county, city, street, no, postal, lat, lon, cod) = *p;
    let coordinate = |s: &str| Decimal::from_str(s).map(num).unwrap_or(Value::Null);
    let county_id = ro::county(county).map_or(0, |c| c.0);
    let city_id = ro::locality(county, city).map_or(0, |l| l.0);
    json!({
        "Id": id,
        "Name": name,
        "LocationId": 1,
        "CityId": city_id,
        "City": city,
        "StreetId": 0,
        "ZoneId": 0,
        "PostalCode": postal,
        "AdditionalAddressInfo": "",
        "Longitude": coordinate(lon),
        "Latitude": coordinate(lat),
        "PointType": 5,
        "OpenHoursMoStart": "08:00", "OpenHoursMoEnd": "20:00",
        "OpenHoursTuStart": "08:00", "OpenHoursTuEnd": "20:00",
        "OpenHoursWeStart": "08:00", "OpenHoursWeEnd": "20:00",
        "OpenHoursThStart": "08:00", "OpenHoursThEnd": "20:00",
        "OpenHoursFrStart": "08:00", "OpenHoursFrEnd": "20:00",
        "OpenHoursSaStart": "09:00", "OpenHoursSaEnd": "14:00",
        "OpenHoursSuStart": "", "OpenHoursSuEnd": "",
        "StreetNo": no,
        "PhoneNumber": "021 9330",
        "ServiceCOD": cod,
        "PaymentType": if cod { 3 } else { 1 },
        "CountyId": county_id,
        "County": county,
        "Email": "",
        "MainPicture": null,
        "Entrance": null,
        "Floor": null,
        "Apartment": null,
        "Sector": null,
        "StreetName": street,
    })
}

/// The sandbox tariff, RON: 12.60 for the first kg, 1.20 per further kg, 1 % of the
/// declared value, 10 RON Saturday, 15 RON morning, 2.50 RON open package, COD 1 % (at
/// least 2.50 RON), 21 % VAT.
struct Price {
    base: Decimal,
    weight: Decimal,
    insurance: Decimal,
    special: Decimal,
    repayment: Decimal,
    subtotal: Decimal,
    tax: Decimal,
}

fn price(
    weight: Decimal,
    declared: Decimal,
    cod: Decimal,
    saturday: bool,
    morning: bool,
    open_package: bool,
) -> Price {
    let kg = weight.ceil().max(Decimal::ONE);
    let base = Decimal::new(1260, 2);
    let weight_cost = Decimal::new(120, 2) * (kg - Decimal::ONE);
    let insurance = money(declared / Decimal::ONE_HUNDRED);
    let mut special = Decimal::ZERO;
    if saturday {
        special += Decimal::TEN;
    }
    if morning {
        special += Decimal::from(15);
    }
    if open_package {
        special += Decimal::new(250, 2);
    }
    let repayment = if cod > Decimal::ZERO {
        money(cod / Decimal::ONE_HUNDRED).max(Decimal::new(250, 2))
    } else {
        Decimal::ZERO
    };
    let subtotal = base + weight_cost + insurance + special + repayment;
    Price {
        base,
        weight: weight_cost,
        insurance,
        special,
        repayment,
        subtotal,
        tax: money(subtotal * Decimal::new(21, 2)),
    }
}

impl Sim {
    /// The API Management gateway: the subscription key and the rate limit.
    fn gateway(&self, req: &HttpRequest) -> Result<Account, HttpResponse> {
        let key = req
            .headers()
            .get("ocp-apim-subscription-key")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or_default();
        let account = self
            .state()
            .accounts
            .iter()
            .find(|a| !key.is_empty() && a.key == key)
            .cloned();
        let Some(account) = account else {
            return Err(reply(
                StatusCode::UNAUTHORIZED,
                json!({"statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}),
            ));
        };
        let verdict = self.shared.limits.check(
            PROVIDER.id(),
            &account.key,
            "calls",
            RATE_LIMIT_CALLS,
            RATE_LIMIT_PERIOD,
            None,
        );
        if let Verdict::Refused { retry_after } | Verdict::Blocked { retry_after } = verdict {
            let secs = retry_after.as_secs().max(1);
            return Err(HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", secs.to_string()))
                .content_type("application/json")
                .body(
                    json!({"statusCode": 429, "message": format!("Rate limit is exceeded. Try again in {secs} seconds.")})
                        .to_string(),
                ));
        }
        Ok(account)
    }

    /// Gateway, then the Bearer token (which must belong to the key's account).
    fn authorize(&self, req: &HttpRequest) -> Result<Account, HttpResponse> {
        let account = self.gateway(req)?;
        let refused = || {
            reply(
                StatusCode::UNAUTHORIZED,
                Value::String(FAILED_TO_AUTHENTICATE.into()),
            )
        };
        let token = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(refused)?;
        let now = self.shared.clock.now();
        let st = self.state();
        match st.tokens.get(token) {
            Some(s) if s.expires_at > now && s.username == account.username => Ok(account),
            _ => Err(refused()),
        }
    }

    async fn enter(&self, req: &HttpRequest) -> Result<Account, HttpResponse> {
        if let Some(r) = self.shared.gate(PROVIDER).await {
            return Err(r);
        }
        self.authorize(req)
    }
}

macro_rules! enter {
    ($sim:expr, $req:expr) => {
        match $sim.enter(&$req).await {
            Ok(account) => account,
            Err(response) => return response,
        }
    };
}

// ---- login ----

async fn login(sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if let Some(r) = sim.shared.gate(PROVIDER).await {
        return r;
    }
    let account = match sim.gateway(&req) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (Some(user), Some(password)) = (text(&body, "UserName"), text(&body, "Password")) else {
        return model_state(&[(
            "model.UserName".into(),
            "The UserName and Password fields are required.".into(),
        )]);
    };
    if user != account.username || password != account.password {
        return bad_request("Utilizator sau parola invalida");
    }
    let now = sim.shared.clock.now();
    let token = {
        let mut st = sim.state();
        st.logins += 1;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{{\"user\":\"{user}\",\"n\":{}}}", st.logins));
        let token = format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.{}",
            uuid::Uuid::new_v4().simple()
        );
        st.tokens.insert(
            token.clone(),
            Session {
                username: user,
                expires_at: now + chrono::Duration::from_std(TOKEN_LIFETIME).unwrap_or_default(),
            },
        );
        token
    };
    ok(Value::String(token))
}

async fn token_verification(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let _ = enter!(sim, req);
    ok(Value::Bool(true))
}

// ---- AWBs ----

fn awb_json(a: &Awb, account: &Account, now: DateTime<Utc>) -> Value {
    let location = account
        .locations
        .iter()
        .find(|l| l.id == a.location_id)
        .cloned();
    let sender = location.map_or(Value::Null, |l| {
        json!({
            "LocationId": l.id,
            "Name": account.company,
            "CountyName": l.county,
            "LocalityId": ro::locality(&l.county, &l.locality).map_or(0, |x| x.0),
            "LocalityName": l.locality,
            "AddressText": format!("Str. {} {}", l.street, l.number),
            "ContactPerson": l.contact,
            "PhoneNumber": l.phone,
        })
    });
    let r = &a.recipient;
    let codes: Vec<Value> = a
        .parcel_codes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "Code": format!("{}{:03}", a.barcode, i + 1),
                "Type": p.kind,
                "Weight": num(p.weight),
                "Length": p.length.map(num),
                "Width": p.width.map(num),
                "Height": p.height.map(num),
                "ParcelContent": p.content,
            })
        })
        .collect();
    json!({
        "TertiaryClientId": null,
        "Sender": sender,
        "Recipient": {
            "LocationId": 0,
            "Name": r.name,
            "CountyId": ro::county(&r.county).map_or(0, |c| c.0),
            "CountyName": r.county,
            "LocalityId": ro::locality(&r.county, &r.locality).map_or(0, |l| l.0),
            "LocalityName": r.locality,
            "StreetName": r.street,
            "BuildingNumber": r.number,
            "AddressText": r.address_text,
            "ContactPerson": r.contact,
            "PhoneNumber": r.phone,
            "Email": r.email,
            "CodPostal": r.postal_code,
        },
        "Parcels": a.parcels,
        "Envelopes": a.envelopes,
        "TotalWeight": num(a.total_weight),
        "ServiceId": a.service_id,
        "DeclaredValue": num(a.declared_value),
        "CashRepayment": num(a.cash_repayment),
        "BankRepayment": num(a.bank_repayment),
        "OpenPackage": a.open_package,
        "PriceTableId": a.price_table_id,
        "ShipmentPayer": a.shipment_payer,
        "SaturdayDelivery": a.saturday_delivery,
        "MorningDelivery": a.morning_delivery,
        "Observations": a.observations,
        "PackageContent": a.package_content,
        "CustomString": a.custom_string,
        "BarCode": a.barcode,
        "ParcelCodes": codes,
        "ValidationDate": local_text(a.created_at),
        "ShippingCost": {"Subtotal": num(a.cost), "Tax": num(money(a.cost * Decimal::new(21, 2))), "GrandTotal": num(a.cost + money(a.cost * Decimal::new(21, 2)))},
        "Status": a.status(now),
        "ReturnCode": null,
        "ReturnAwb": null,
        "DeliveryPudoPoint": a.pudo_point,
    })
}

/// Checks a new AWB the way Cargus does; `Err` is the answer to send.
fn validate_awb(sim: &Sim, account: &Account, body: &Value) -> Result<Awb, HttpResponse> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let required = |fields: &mut Vec<(String, String)>, path: &str, name: &str| {
        fields.push((
            format!("awb.{path}"),
            format!("The {name} field is required."),
        ));
    };
    let sender = field(body, "Sender").cloned().unwrap_or(Value::Null);
    let location_id = integer(&sender, "LocationId").ok().flatten();
    if location_id.is_none() {
        required(&mut fields, "Sender.LocationId", "LocationId");
    }
    let recipient_v = field(body, "Recipient").cloned().unwrap_or(Value::Null);
    if recipient_v.is_null() {
        required(&mut fields, "Recipient", "Recipient");
    }
    let r = |name: &str| text(&recipient_v, name).unwrap_or_default();
    let recipient = Recipient {
        name: r("Name"),
        contact: r("ContactPerson"),
        county: r("CountyName"),
        locality: r("LocalityName"),
        street: r("StreetName"),
        number: r("BuildingNumber"),
        address_text: r("AddressText"),
        phone: r("PhoneNumber"),
        email: r("Email"),
        postal_code: r("CodPostal"),
    };
    if !recipient_v.is_null() {
        if recipient.name.is_empty() {
            required(&mut fields, "Recipient.Name", "Name");
        }
        if recipient.phone.is_empty() {
            required(&mut fields, "Recipient.PhoneNumber", "PhoneNumber");
        } else if !ro::plausible_phone(&recipient.phone) {
            fields.push((
                "awb.Recipient.PhoneNumber".into(),
                "The PhoneNumber field is not a valid phone number.".into(),
            ));
        }
        if recipient.address_text.is_empty() && recipient.street.is_empty() {
            required(&mut fields, "Recipient.AddressText", "AddressText");
        }
        if recipient.county.is_empty() && integer(&recipient_v, "CountyId").ok().flatten().is_none()
        {
            required(&mut fields, "Recipient.CountyName", "CountyName");
        }
        if recipient.locality.is_empty()
            && integer(&recipient_v, "LocalityId").ok().flatten().is_none()
        {
            required(&mut fields, "Recipient.LocalityName", "LocalityName");
        }
    }
    let count = |name: &str, fields: &mut Vec<(String, String)>| match integer(body, name) {
        Ok(Some(n)) if n >= 0 => u32::try_from(n).unwrap_or(u32::MAX),
        Ok(None) => 0,
        _ => {
            fields.push((
                format!("awb.{name}"),
                format!("The value is not valid for {name}."),
            ));
            0
        }
    };
    let parcels = count("Parcels", &mut fields);
    let envelopes = count("Envelopes", &mut fields);
    let total_weight = match decimal(body, "TotalWeight") {
        Ok(Some(w)) if w > Decimal::ZERO => w,
        Ok(_) => {
            fields.push((
                "awb.TotalWeight".into(),
                "TotalWeight must be greater than 0.".into(),
            ));
            Decimal::ZERO
        }
        Err(()) => {
            fields.push((
                "awb.TotalWeight".into(),
                "The value is not valid for TotalWeight.".into(),
            ));
            Decimal::ZERO
        }
    };
    let mut amount = |name: &str| match decimal(body, name) {
        Ok(Some(d)) if d.is_sign_negative() => {
            fields.push((
                format!("awb.{name}"),
                format!("{name} must not be negative."),
            ));
            Decimal::ZERO
        }
        Ok(d) => d.unwrap_or_default(),
        Err(()) => {
            fields.push((
                format!("awb.{name}"),
                format!("The value is not valid for {name}."),
            ));
            Decimal::ZERO
        }
    };
    let declared_value = amount("DeclaredValue");
    let cash_repayment = amount("CashRepayment");
    let bank_repayment = amount("BankRepayment");
    let mut codes = Vec::new();
    match field(body, "ParcelCodes") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let kind = integer(item, "Type").ok().flatten().unwrap_or(1);
                let weight = match decimal(item, "Weight") {
                    Ok(Some(w)) if w > Decimal::ZERO => w,
                    _ => {
                        fields.push((
                            format!("awb.ParcelCodes[{i}].Weight"),
                            "Weight must be greater than 0.".into(),
                        ));
                        Decimal::ZERO
                    }
                };
                if kind != 0 && kind != 1 {
                    fields.push((
                        format!("awb.ParcelCodes[{i}].Type"),
                        "Type must be 0 (envelope) or 1 (parcel).".into(),
                    ));
                }
                let dim = |n: &str| decimal(item, n).ok().flatten();
                codes.push(ParcelCode {
                    kind: u8::try_from(kind).unwrap_or(1),
                    weight,
                    length: dim("Length"),
                    width: dim("Width"),
                    height: dim("Height"),
                    content: text(item, "ParcelContent"),
                });
            }
        }
        _ => required(&mut fields, "ParcelCodes", "ParcelCodes"),
    }
    let service_id = match integer(body, "ServiceId") {
        Ok(Some(s)) => u32::try_from(s).unwrap_or(0),
        Ok(None) => {
            required(&mut fields, "ServiceId", "ServiceId");
            0
        }
        Err(()) => {
            fields.push((
                "awb.ServiceId".into(),
                "The value is not valid for ServiceId.".into(),
            ));
            0
        }
    };
    if !fields.is_empty() {
        return Err(model_state(&fields));
    }

    // Business rules, answered as {"Error": …}.
    let Some(location_id) = location_id else {
        return Err(bad_request("Punctul de ridicare este obligatoriu"));
    };
    if !account.locations.iter().any(|l| l.id == location_id) {
        return Err(bad_request("Punctul de ridicare nu apartine clientului"));
    }
    let mut recipient = recipient;
    let county_from_id = integer(&recipient_v, "CountyId")
        .ok()
        .flatten()
        .and_then(|id| ro::COUNTIES.iter().find(|c| i64::from(c.0) == id))
        .map(|c| c.1);
    let Some((_, county, _)) =
        ro::county(&recipient.county).or_else(|| county_from_id.and_then(ro::county))
    else {
        return Err(bad_request("Judetul destinatarului nu a fost gasit"));
    };
    recipient.county = county.to_owned();
    let Some((_, locality)) = ro::locality(county, &recipient.locality) else {
        return Err(bad_request("Localitatea destinatarului nu a fost gasita"));
    };
    recipient.locality = locality.to_owned();
    let pieces = parcels + envelopes;
    if pieces == 0 {
        return Err(bad_request(
            "Expeditia trebuie sa contina cel putin un colet sau un plic",
        ));
    }
    if pieces > 15 {
        return Err(bad_request(
            "O expeditie poate contine maxim 15 colete si plicuri",
        ));
    }
    if envelopes > 9 {
        return Err(bad_request("O expeditie poate contine maxim 9 plicuri"));
    }
    if codes.len() != usize::try_from(pieces).unwrap_or(usize::MAX) {
        return Err(bad_request(
            "Numarul de coduri de colet (ParcelCodes) nu corespunde numarului de colete si plicuri",
        ));
    }
    let code_envelopes = codes.iter().filter(|c| c.kind == 0).count();
    if code_envelopes != usize::try_from(envelopes).unwrap_or(usize::MAX) {
        return Err(bad_request(
            "Tipul codurilor de colet nu corespunde numarului de plicuri",
        ));
    }
    if !total_weight.fract().is_zero() || codes.iter().any(|c| !c.weight.fract().is_zero()) {
        return Err(bad_request("Greutatea se exprima in kilograme intregi"));
    }
    let boxes: Vec<Decimal> = codes
        .iter()
        .filter(|c| c.kind == 1)
        .map(|c| c.weight)
        .collect();
    let heaviest = boxes.iter().copied().max().unwrap_or_default();
    let sum: Decimal = boxes.iter().copied().sum();
    let kg = Decimal::from;
    let pudo = integer(body, "DeliveryPudoPoint").ok().flatten();
    let service_error = match service_id {
        34 if parcels > 1 || heaviest > kg(31) => Some(
            "Serviciul Economic Standard (34) accepta un singur colet de maxim 31 kg; folositi 35, 36, 39 sau 40",
        ),
        35 if parcels != 1 || heaviest <= kg(31) || heaviest > kg(50) => {
            Some("Serviciul Standard 31+ (35) accepta un singur colet intre 31 si 50 kg")
        }
        36 if parcels != 1 || heaviest <= kg(50) || heaviest > kg(800) => {
            Some("Serviciul Standard 50+ (36) accepta un singur colet (palet) intre 50 si 800 kg")
        }
        39 if parcels < 2 || heaviest > kg(31) || sum > kg(465) => Some(
            "Serviciul multicolet (39) accepta mai multe colete de maxim 31 kg fiecare si 465 kg in total",
        ),
        40 if parcels < 2 || heaviest > kg(50) || sum > kg(750) => Some(
            "Serviciul multicolet 31+ (40) accepta mai multe colete de maxim 50 kg fiecare si 750 kg in total",
        ),
        38 if heaviest > kg(31) || parcels > 1 => {
            Some("Serviciul Ship & Go (38) accepta un singur colet de maxim 31 kg")
        }
        34 | 35 | 36 | 38 | 39 | 40 => None,
        _ => Some("Serviciul nu este disponibil pentru acest contract"),
    };
    if let Some(message) = service_error {
        return Err(bad_request(message));
    }
    if service_id == 38 {
        if pudo.is_none_or(|p| !PUDO_POINTS.iter().any(|x| x.0 == p)) {
            return Err(bad_request(
                "Punctul Ship & Go (DeliveryPudoPoint) nu exista",
            ));
        }
        if recipient.phone.is_empty() || recipient.email.is_empty() {
            return Err(bad_request(
                "Livrarea in Ship & Go necesita telefonul si emailul destinatarului",
            ));
        }
    } else if pudo.is_some() {
        return Err(bad_request(
            "DeliveryPudoPoint se foloseste doar cu serviciul Ship & Go (38)",
        ));
    }
    if cash_repayment > Decimal::ZERO && bank_repayment > Decimal::ZERO {
        return Err(bad_request(
            "Rambursul nu poate fi simultan numerar si in cont",
        ));
    }
    let price_table_id = integer(body, "PriceTableId").ok().flatten().unwrap_or(0);
    if price_table_id != 0 {
        return Err(bad_request("Tabela de tarife nu exista"));
    }
    let shipment_payer = integer(body, "ShipmentPayer").ok().flatten().unwrap_or(1);
    if !(1..=3).contains(&shipment_payer) {
        return Err(bad_request("Platitorul expeditiei este invalid"));
    }
    let saturday = flag(body, "SaturdayDelivery");
    let morning = flag(body, "MorningDelivery");
    let open_package = flag(body, "OpenPackage");
    let p = price(
        total_weight,
        declared_value,
        cash_repayment + bank_repayment,
        saturday,
        morning,
        open_package,
    );
    Ok(Awb {
        barcode: String::new(),
        username: account.username.clone(),
        location_id,
        order_id: 0,
        created_at: sim.shared.clock.now(),
        recipient,
        parcels,
        envelopes,
        total_weight,
        service_id,
        declared_value,
        cash_repayment,
        bank_repayment,
        open_package,
        saturday_delivery: saturday,
        morning_delivery: morning,
        price_table_id,
        shipment_payer,
        observations: text(body, "Observations"),
        package_content: text(body, "PackageContent"),
        custom_string: text(body, "CustomString"),
        parcel_codes: codes,
        pudo_point: pudo.filter(|_| service_id == 38),
        cost: p.subtotal,
        deleted_at: None,
    })
}

/// Creates the AWB and joins it to the location's open order; answers the stored AWB.
async fn create(sim: &Sim, req: &HttpRequest, body: &[u8]) -> Result<(Awb, Account), HttpResponse> {
    let account = sim.enter(req).await?;
    let body: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Err(model_state(&[(
                "awb".into(),
                "The awb field is required.".into(),
            )]));
        }
    };
    let mut awb = validate_awb(sim, &account, &body)?;
    let awb = {
        let mut st = sim.state();
        awb.barcode = st.next_barcode.to_string();
        st.next_barcode += 1;
        let open = st
            .orders
            .values()
            .find(|o| {
                o.location_id == awb.location_id && o.username == awb.username && o.status == 0
            })
            .map(|o| o.id);
        awb.order_id = match open {
            Some(id) => id,
            None => {
                let id = st.next_order;
                st.next_order += 1;
                st.orders.insert(
                    id,
                    Order {
                        id,
                        location_id: awb.location_id,
                        username: awb.username.clone(),
                        status: 0,
                        start: None,
                        end: None,
                    },
                );
                id
            }
        };
        st.awbs.insert(awb.barcode.clone(), awb.clone());
        awb
    };
    sim.shared.after_effect(PROVIDER).await;
    Ok((awb, account))
}

async fn create_awb(sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    match create(&sim, &req, &body).await {
        Ok((awb, _)) => ok(Value::String(awb.barcode)),
        Err(r) => r,
    }
}

async fn create_awb_full(sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    match create(&sim, &req, &body).await {
        Ok((awb, account)) => ok(json!([awb_json(&awb, &account, sim.shared.clock.now())])),
        Err(r) => r,
    }
}

async fn delete_awb(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let Some(barcode) = param(&q, "barCode") else {
        return bad_request("Parametrul barCode este obligatoriu");
    };
    let now = sim.shared.clock.now();
    let deleted = {
        let mut st = sim.state();
        let Some(awb) = st
            .awbs
            .get_mut(barcode)
            .filter(|a| a.username == account.username && a.deleted_at.is_none())
        else {
            drop(st);
            return not_found("AWB-ul nu exista");
        };
        if awb.events(now).is_empty() {
            awb.deleted_at = Some(now);
            true
        } else {
            false
        }
    };
    if deleted {
        sim.shared.after_effect(PROVIDER).await;
    }
    ok(Value::Bool(deleted))
}

async fn get_awbs(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let now = sim.shared.clock.now();
    let st = sim.state();
    let mine = |a: &&Awb| a.username == account.username && a.deleted_at.is_none();
    if let Some(barcode) = param(&q, "barCode") {
        return match st.awbs.get(barcode).filter(mine) {
            Some(a) => ok(json!([awb_json(a, &account, now)])),
            None => not_found("AWB-ul nu exista"),
        };
    }
    if let Some(order) = param(&q, "orderId") {
        let Ok(order) = order.parse::<u64>() else {
            return bad_request("Parametrul orderId este invalid");
        };
        let list: Vec<Value> = st
            .awbs
            .values()
            .filter(mine)
            .filter(|a| a.order_id == order)
            .map(|a| awb_json(a, &account, now))
            .collect();
        return ok(Value::Array(list));
    }
    bad_request("Specificati barCode sau orderId")
}

fn us_date(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?.trim(), "%m-%d-%Y").ok()
}

fn iso_date(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?.trim(), "%Y-%m-%d").ok()
}

fn page_of(q: &[(String, String)]) -> (usize, usize) {
    let page = param(q, "pageNumber")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1usize)
        .max(1);
    let per = param(q, "itemsPerPage")
        .and_then(|p| p.parse().ok())
        .unwrap_or(100usize)
        .clamp(1, 1000);
    (page, per)
}

async fn awbs_by_date(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let (Some(from), Some(to)) = (us_date(param(&q, "FromDate")), us_date(param(&q, "ToDate")))
    else {
        return bad_request("FromDate si ToDate sunt obligatorii, in formatul mm-dd-yyyy");
    };
    if to < from {
        return bad_request("ToDate trebuie sa fie dupa FromDate");
    }
    let (page, per) = page_of(&q);
    let now = sim.shared.clock.now();
    let st = sim.state();
    let mut list: Vec<&Awb> = st
        .awbs
        .values()
        .filter(|a| a.username == account.username && a.deleted_at.is_none())
        .filter(|a| (from..=to).contains(&local(a.created_at).date()))
        .collect();
    list.sort_by_key(|a| (a.created_at, a.barcode.clone()));
    let items: Vec<Value> = list
        .into_iter()
        .skip((page - 1) * per)
        .take(per)
        .map(|a| {
            json!({
                "BarCode": a.barcode,
                "Parcels": a.parcels,
                "Envelopes": a.envelopes,
                "TotalWeight": num(a.total_weight),
                "ServiceId": a.service_id,
                "CashRepayment": num(a.cash_repayment),
                "BankRepayment": num(a.bank_repayment),
                "CustomString": a.custom_string,
                "ValidationDate": local_text(a.created_at),
                "Status": a.status(now),
            })
        })
        .collect();
    drop(st);
    ok(Value::Array(items))
}

async fn awb_documents(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let barcodes = param(&q, "barCodes").map(barcode_list).unwrap_or_default();
    if barcodes.is_empty() {
        return bad_request("Parametrul barCodes este obligatoriu");
    }
    if param(&q, "type").is_some_and(|t| !t.eq_ignore_ascii_case("PDF")) {
        return bad_request("Tipul documentului este invalid");
    }
    let size = match param(&q, "format").unwrap_or("0") {
        "0" => pdf::A4,
        "1" => pdf::TEN_BY_FOURTEEN,
        _ => return bad_request("Formatul documentului este invalid"),
    };
    let pages = {
        let st = sim.state();
        let mut pages = Vec::new();
        for b in &barcodes {
            let Some(a) = st
                .awbs
                .get(b)
                .filter(|a| a.username == account.username && a.deleted_at.is_none())
            else {
                drop(st);
                return not_found("AWB-ul nu exista");
            };
            let r = &a.recipient;
            pages.push(vec![
                format!("Cargus AWB {}", a.barcode),
                format!("Serviciu: {}", a.service_id),
                format!("Expeditor: {}", account.company),
                format!("Destinatar: {} ({})", r.name, r.contact),
                format!("{} {} {}", r.street, r.number, r.address_text),
                format!("{}, jud. {}", r.locality, r.county),
                format!("Telefon: {}", r.phone),
                format!(
                    "Colete: {}  Plicuri: {}  Greutate: {} kg",
                    a.parcels,
                    a.envelopes,
                    a.total_weight.normalize()
                ),
                format!("Ramburs: {} RON", a.cod().normalize()),
                format!("Referinta: {}", a.custom_string.clone().unwrap_or_default()),
            ]);
        }
        pages
    };
    let bytes = pdf::document(&pages, size);
    ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

async fn trace(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let barcodes = param(&q, "barCode").map(barcode_list).unwrap_or_default();
    if barcodes.is_empty() {
        return bad_request("Parametrul barCode este obligatoriu");
    }
    if barcodes.len() > MAX_TRACE_BATCH {
        return bad_request("Se pot urmari maxim 40 de AWB-uri intr-un apel");
    }
    let now = sim.shared.clock.now();
    let st = sim.state();
    let mut out = Vec::new();
    for b in &barcodes {
        let Some(a) = st
            .awbs
            .get(b)
            .filter(|a| a.username == account.username && a.deleted_at.is_none())
        else {
            continue;
        };
        let sender_locality = account
            .locations
            .iter()
            .find(|l| l.id == a.location_id)
            .map_or_else(String::new, |l| l.locality.clone());
        let events = a.events(now);
        let picked = !events.is_empty();
        let delivered = events.iter().any(|e| e.0 == 21);
        let list: Vec<Value> = events
            .iter()
            .rev()
            .map(|(id, description, at, far)| {
                json!({
                    "Date": local_text(*at),
                    "Description": description,
                    "LocalityName": if *far { a.recipient.locality.clone() } else { sender_locality.clone() },
                    "EventId": id,
                })
            })
            .collect();
        out.push(json!({
            "Code": a.barcode,
            "Type": 1,
            "MeasuredWeight": if picked { num(a.total_weight) } else { Value::Null },
            "VolumetricWeight": if picked { num(Decimal::ONE) } else { Value::Null },
            "ConfirmationName": if delivered { Value::String(a.recipient.name.to_uppercase()) } else { Value::Null },
            "Observation": "",
            "ResponseCode": "",
            "Event": list,
        }));
    }
    drop(st);
    ok(Value::Array(out))
}

// ---- setup and prices ----

async fn pudo_points(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let _ = enter!(sim, req);
    ok(Value::Array(PUDO_POINTS.iter().map(point_value).collect()))
}

async fn pickup_locations(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let list: Vec<Value> = account
        .locations
        .iter()
        .map(|l| {
            json!({
                "LocationId": l.id,
                "Name": l.name,
                "CountyId": ro::county(&l.county).map_or(0, |c| c.0),
                "CountyName": l.county,
                "LocalityId": ro::locality(&l.county, &l.locality).map_or(0, |x| x.0),
                "LocalityName": l.locality,
                "StreetId": 0,
                "StreetName": l.street,
                "BuildingNumber": l.number,
                "AddressText": format!("Str. {} {}", l.street, l.number),
                "ContactPerson": l.contact,
                "PhoneNumber": l.phone,
                "Email": l.email,
                "CodPostal": l.postal_code,
                "AutomaticEOD": "17:30",
            })
        })
        .collect();
    ok(Value::Array(list))
}

async fn price_tables(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let _ = enter!(sim, req);
    ok(json!([{"PriceTableId": 0, "Name": "Standard"}]))
}

async fn shipping_calculation(
    sim: web::Data<Sim>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let _ = enter!(sim, req);
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    for side in ["From", "To"] {
        let county = text(&body, &format!("{side}CountyName"));
        let locality = text(&body, &format!("{side}LocalityName"));
        let by_id = integer(&body, &format!("{side}LocalityId")).ok().flatten();
        let known = match (county, locality) {
            (Some(c), Some(l)) => ro::county(&c)
                .and_then(|(_, c, _)| ro::locality(c, &l))
                .is_some(),
            _ => by_id.is_some_and(|id| {
                ro::COUNTIES.iter().any(|(_, name, ..)| {
                    ro::localities(name)
                        .iter()
                        .any(|(lid, _)| i64::from(*lid) == id)
                })
            }),
        };
        if !known {
            let who = if side == "From" {
                "expeditorului"
            } else {
                "destinatarului"
            };
            return bad_request(&format!("Localitatea {who} nu a fost gasita"));
        }
    }
    let weight = match decimal(&body, "TotalWeight") {
        Ok(Some(w)) if w > Decimal::ZERO => w,
        _ => {
            return model_state(&[(
                "model.TotalWeight".into(),
                "TotalWeight must be greater than 0.".into(),
            )]);
        }
    };
    let amount = |n: &str| decimal(&body, n).ok().flatten().unwrap_or_default();
    let p = price(
        weight,
        amount("DeclaredValue"),
        amount("CashRepayment") + amount("BankRepayment"),
        flag(&body, "SaturdayDelivery"),
        flag(&body, "MorningDelivery"),
        flag(&body, "OpenPackage"),
    );
    ok(json!({
        "BaseCost": num(p.base),
        "ExtraKmCost": 0,
        "WeightCost": num(p.weight),
        "InsuranceCost": num(p.insurance),
        "SpecialCost": num(p.special),
        "RepaymentCost": num(p.repayment),
        "Subtotal": num(p.subtotal),
        "Tax": num(p.tax),
        "GrandTotal": num(p.subtotal + p.tax),
    }))
}

// ---- courier orders ----

async fn set_order(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let Some(location_id) = param(&q, "locationId").and_then(|l| l.parse::<i64>().ok()) else {
        return bad_request("Parametrul locationId este obligatoriu");
    };
    if !account.locations.iter().any(|l| l.id == location_id) {
        return bad_request("Punctul de ridicare nu apartine clientului");
    }
    let action = param(&q, "action").unwrap_or_default();
    if action != "0" && action != "1" {
        return bad_request("Parametrul action trebuie sa fie 0 (anulare) sau 1 (validare)");
    }
    let parse = |n: &str| {
        param(&q, n).and_then(|t| {
            NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
                .ok()
        })
    };
    let (Some(start), Some(end)) = (parse("PickupStartDate"), parse("PickupEndDate")) else {
        return bad_request("PickupStartDate si PickupEndDate sunt obligatorii");
    };
    let now = local(sim.shared.clock.now());
    if action == "1" {
        if end <= start {
            return bad_request("Intervalul de ridicare este invalid");
        }
        if end <= now {
            return bad_request("Intervalul de ridicare a trecut");
        }
        if start.date().weekday() == Weekday::Sun {
            return bad_request("Nu se efectueaza ridicari duminica");
        }
        if end - start < chrono::Duration::hours(1) {
            return bad_request("Intervalul de ridicare trebuie sa fie de minim o ora");
        }
    }
    let id = {
        let mut st = sim.state();
        let open = st
            .orders
            .values()
            .find(|o| {
                o.location_id == location_id && o.username == account.username && o.status == 0
            })
            .map(|o| o.id);
        let has_awbs = open.is_some_and(|id| {
            st.awbs
                .values()
                .any(|a| a.order_id == id && a.deleted_at.is_none())
        });
        let (Some(id), true) = (open, has_awbs) else {
            drop(st);
            return bad_request(
                "Nu exista o comanda deschisa cu expeditii pentru acest punct de ridicare",
            );
        };
        if let Some(order) = st.orders.get_mut(&id) {
            if action == "1" {
                order.status = 1;
                order.start = Some(start);
                order.end = Some(end);
            } else {
                order.status = 2;
            }
        }
        id
    };
    sim.shared.after_effect(PROVIDER).await;
    ok(Value::String(id.to_string()))
}

fn order_json(st: &State, o: &Order, account: &Account) -> Value {
    let awbs: Vec<&Awb> = st
        .awbs
        .values()
        .filter(|a| a.order_id == o.id && a.deleted_at.is_none())
        .collect();
    let site = account
        .locations
        .iter()
        .find(|l| l.id == o.location_id)
        .map_or_else(String::new, |l| l.name.clone());
    let fmt = |t: Option<NaiveDateTime>| t.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string());
    json!({
        "OrderId": o.id,
        "LocationId": o.location_id,
        "PickUpSiteName": site,
        "PickupStartDate": fmt(o.start),
        "PickupEndDate": fmt(o.end),
        "NoParcel": awbs.iter().map(|a| a.parcels).sum::<u32>(),
        "NoEnvelop": awbs.iter().map(|a| a.envelopes).sum::<u32>(),
        "TotalWeight": num(awbs.iter().map(|a| a.total_weight).sum()),
        "NoAwb": awbs.len(),
        "Observations": "",
        "OrdStatus": o.status,
        "OrderType": 3,
    })
}

async fn orders(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let Some(location_id) = param(&q, "locationId").and_then(|l| l.parse::<i64>().ok()) else {
        return bad_request("Parametrul locationId este obligatoriu");
    };
    let status: u8 = match param(&q, "status").unwrap_or("0") {
        "0" => 0,
        "1" => 1,
        _ => return bad_request("Parametrul status este invalid"),
    };
    let (page, per) = page_of(&q);
    let st = sim.state();
    let list: Vec<Value> = st
        .orders
        .values()
        .filter(|o| {
            o.username == account.username && o.location_id == location_id && o.status == status
        })
        .skip((page - 1) * per)
        .take(per)
        .map(|o| order_json(&st, o, &account))
        .collect();
    drop(st);
    ok(Value::Array(list))
}

async fn order_by_id(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let st = sim.state();
    let found = param(&q, "orderId")
        .and_then(|id| id.parse::<u64>().ok())
        .and_then(|id| st.orders.get(&id))
        .filter(|o| o.username == account.username);
    let body = match found {
        Some(o) => json!([order_json(&st, o, &account)]),
        None => json!([]),
    };
    drop(st);
    ok(body)
}

// ---- COD ----

fn cash_entry(a: &Awb, account: &Account, now: DateTime<Utc>, ids: (u64, u64)) -> Option<Value> {
    let cod = a.cod();
    if cod <= Decimal::ZERO {
        return None;
    }
    let delivered = a.delivered_at(now)?;
    let deduction = a.deduction_date(now);
    let from = account
        .locations
        .iter()
        .find(|l| l.id == a.location_id)
        .map_or_else(String::new, |l| l.locality.clone());
    Some(json!({
        "Date": local_text(a.created_at),
        "BarCode": a.barcode,
        "Sender": account.company,
        "Receiver": a.recipient.name,
        "FromLocality": from,
        "ToLocality": a.recipient.locality,
        "CustomString": a.custom_string.clone().unwrap_or_default(),
        "RepaymentDate": local_text(delivered),
        "RepaymentId": ids.0,
        "RepaymentValue": num(cod),
        "DeductionDate": deduction.map(|d| format!("{d}T00:00:00")),
        "DeductionId": deduction.map(|_| ids.1),
    }))
}

/// Stable repayment and deduction ids for an AWB.
fn cash_ids(st: &State, a: &Awb) -> (u64, u64) {
    let n: u64 = a.barcode.parse::<u64>().unwrap_or(0) % 1_000_000;
    (st.next_repayment + n, 5_000 + n)
}

async fn cash_account_by_date(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let (Some(from), Some(to)) = (
        iso_date(param(&q, "FromDate")),
        iso_date(param(&q, "ToDate")),
    ) else {
        return bad_request("FromDate si ToDate sunt obligatorii, in formatul yyyy-mm-dd");
    };
    if to < from {
        return bad_request("ToDate trebuie sa fie dupa FromDate");
    }
    let now = sim.shared.clock.now();
    let st = sim.state();
    let mut list: Vec<(&Awb, DateTime<Utc>)> = st
        .awbs
        .values()
        .filter(|a| a.username == account.username)
        .filter_map(|a| Some((a, a.delivered_at(now)?)))
        .filter(|(_, at)| (from..=to).contains(&local(*at).date()))
        .collect();
    list.sort_by_key(|(a, at)| (*at, a.barcode.clone()));
    let items: Vec<Value> = list
        .into_iter()
        .filter_map(|(a, _)| cash_entry(a, &account, now, cash_ids(&st, a)))
        .collect();
    drop(st);
    ok(Value::Array(items))
}

async fn cash_account_by_barcode(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    let account = enter!(sim, req);
    let q = query(&req);
    let Some(barcode) = param(&q, "barCode") else {
        return bad_request("Parametrul barCode este obligatoriu");
    };
    let now = sim.shared.clock.now();
    let st = sim.state();
    let entry = st
        .awbs
        .get(barcode)
        .filter(|a| a.username == account.username)
        .and_then(|a| cash_entry(a, &account, now, cash_ids(&st, a)));
    drop(st);
    ok(Value::Array(entry.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcode_lists_come_as_json_or_commas() {
        assert_eq!(barcode_list(r#"["1","2"]"#), ["1", "2"]);
        assert_eq!(barcode_list("1, 2"), ["1", "2"]);
    }

    #[test]
    fn the_tariff_is_exact() {
        let p = price(
            Decimal::from(3),
            Decimal::ZERO,
            Decimal::new(14990, 2),
            false,
            false,
            true,
        );
        // 12.60 + 2 × 1.20 + open package 2.50 + COD 2.50 (1 % of 149.90 is less).
        assert_eq!(p.subtotal, Decimal::new(2000, 2));
        assert_eq!(p.tax, Decimal::new(420, 2));
    }
}
