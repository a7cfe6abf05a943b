//! The GLS simulator: the MyGLS JSON API (`ParcelService.svc/json/<Method>`) that
//! `flux-gls` talks to, under `/gls/` (both `/gls/<Method>` and
//! `/gls/ParcelService.svc/json/<Method>` are served).
//!
//! # Accounts
//!
//! One account exists from the start: username [`DEFAULT_USERNAME`]
//! (`sandbox@flux.example`), password [`DEFAULT_PASSWORD`] (`sandbox-pass`), client number
//! [`DEFAULT_CLIENT_NUMBER`] (553000123). [`Sim::add_account`] adds more; each account only
//! sees its own parcels.
//!
//! # Wire format and rules
//!
//! - No token: every body carries `Username` and `Password`, the SHA-512 digest of the
//!   password as 64 byte values; it is checked on every call. A wrong login is answered
//!   **HTTP 200** with error `-1` "Unauthorized." in the method's error list; after
//!   [`MAX_FAILED_LOGINS`] failures in a row the account is locked for [`LOCK_DURATION`]
//!   of simulated time ("Too many failed login attempts…"), even for the right password.
//! - Every error is HTTP 200 with `<Method>ErrorList` (or `…Error`/`…Errors`) entries
//!   `{ErrorCode, ErrorDescription, ClientReferenceList, ParcelIdList}` (Appendix A codes).
//! - Each package gets two ids: `ParcelId` and `ParcelNumber`.
//! - `PrintLabels` creates parcels and returns their labels once; `GetPrintedLabels` on
//!   such a parcel is error 18. `PrepareLabels` creates parcels without a number;
//!   `GetPrintedLabels` numbers and prints them, and may be repeated (reprints).
//! - Dates are `/Date(ms+hhmm)/` in Bucharest time.
//! - Tracking (`GetParcelStatuses`, `GetParcelListStatuses`) moves through 51, 1, 2, 3, 4
//!   and 5 (delivered), or 54 and 58 for ParcelShop deliveries, as the simulated clock
//!   passes ([`DOOR_TIMELINE`], [`SHOP_TIMELINE`]); `DeleteLabels` works only before the
//!   pickup (error 6 afterwards).
//! - `GetParcelList` finds parcels by print or pickup date, with our `ClientReference`.
//! - The one limit MyGLS has: the same request sent more than [`SAME_REQUEST_MAX`] times
//!   in 5 minutes is refused with error 31 (counted as a violation).

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::{HttpResponse, Scope, web};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

use crate::limits::Verdict;
use crate::sameday::simple_pdf;
use crate::server::{Provider, Shared};

/// The default account's username.
pub const DEFAULT_USERNAME: &str = "sandbox@flux.example";
/// The default account's password (sent as its SHA-512 digest).
pub const DEFAULT_PASSWORD: &str = "sandbox-pass";
/// The default account's GLS client number.
pub const DEFAULT_CLIENT_NUMBER: i64 = 553_000_123;
/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a locked account stays locked (simulated time).
pub const LOCK_DURATION: Duration = Duration::from_secs(15 * 60);
/// How many identical requests MyGLS accepts in 5 minutes (error 31 beyond).
pub const SAME_REQUEST_MAX: usize = 5;
/// The window of the identical-request limit.
pub const SAME_REQUEST_WINDOW: Duration = Duration::from_secs(300);
/// ParcelShop / ParcelLocker ids the `PSD` service accepts.
pub const PARCEL_SHOPS: [&str; 3] = ["RO1001-PSHOP01", "RO1002-LOCKER02", "RO1005-PSHOP05"];

/// A GLS status: code and Romanian description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusDef {
    /// `StatusCode`.
    pub code: u32,
    /// `StatusDescription`.
    pub description: &'static str,
}

const REGISTERED: StatusDef = StatusDef {
    code: 51,
    description: "Datele coletului au fost inregistrate.",
};
const HANDED_OVER: StatusDef = StatusDef {
    code: 1,
    description: "Coletul a fost predat catre GLS.",
};
const LEFT_DEPOT: StatusDef = StatusDef {
    code: 2,
    description: "Coletul a plecat din depozitul GLS.",
};
const AT_DESTINATION_DEPOT: StatusDef = StatusDef {
    code: 3,
    description: "Coletul a ajuns in depozitul GLS de destinatie.",
};
const OUT_FOR_DELIVERY: StatusDef = StatusDef {
    code: 4,
    description: "Coletul va fi livrat azi.",
};
const DELIVERED: StatusDef = StatusDef {
    code: 5,
    description: "Coletul a fost livrat.",
};
const IN_SHOP: StatusDef = StatusDef {
    code: 54,
    description: "Coletul a fost livrat in GLS ParcelShop.",
};
const PICKED_UP_FROM_SHOP: StatusDef = StatusDef {
    code: 58,
    description: "Coletul a fost ridicat din GLS ParcelShop.",
};

/// A door delivery's statuses with the simulated hours after printing.
pub const DOOR_TIMELINE: [(i64, StatusDef); 6] = [
    (0, REGISTERED),
    (4, HANDED_OVER),
    (8, LEFT_DEPOT),
    (14, AT_DESTINATION_DEPOT),
    (20, OUT_FOR_DELIVERY),
    (24, DELIVERED),
];
/// A ParcelShop delivery's statuses with the simulated hours after printing.
pub const SHOP_TIMELINE: [(i64, StatusDef); 6] = [
    (0, REGISTERED),
    (4, HANDED_OVER),
    (8, LEFT_DEPOT),
    (14, AT_DESTINATION_DEPOT),
    (20, IN_SHOP),
    (30, PICKED_UP_FROM_SHOP),
];

fn bucharest(at: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    at.with_timezone(&chrono_tz::Europe::Bucharest)
}

/// `/Date(ms+hhmm)/` in Bucharest time.
fn wcf_date(at: DateTime<Utc>) -> String {
    let offset = bucharest(at).format("%z").to_string();
    format!("/Date({}{offset})/", at.timestamp_millis())
}

/// Parses `/Date(ms)/` or `/Date(ms±hhmm)/` (the instant is the milliseconds).
fn parse_wcf_date(text: &str) -> Option<DateTime<Utc>> {
    let inner = text.trim().strip_prefix("/Date(")?.strip_suffix(")/")?;
    let end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    DateTime::<Utc>::from_timestamp_millis(inner[..end].parse().ok()?)
}

fn check_digit(number: i64) -> i64 {
    let mut sum = 0;
    let mut n = number;
    let mut weight = 3;
    while n > 0 {
        sum += (n % 10) * weight;
        weight = if weight == 3 { 1 } else { 3 };
        n /= 10;
    }
    (10 - sum % 10) % 10
}

fn decimal_of(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            let s = n.to_string();
            Decimal::from_str(&s)
                .ok()
                .or_else(|| Decimal::from_scientific(&s).ok())
        }
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

fn number(d: Decimal) -> Value {
    Value::Number(
        serde_json::Number::from_str(&d.normalize().to_string())
            .unwrap_or_else(|_| serde_json::Number::from(0)),
    )
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn error_info(code: i64, description: &str, references: &[String], ids: &[i64]) -> Value {
    json!({
        "ClientReferenceList": references,
        "ErrorCode": code,
        "ErrorDescription": description,
        "ParcelIdList": ids,
    })
}

// ---------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------

/// A postal address as MyGLS keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlsAddress {
    /// `Name`.
    pub name: String,
    /// `Street`.
    pub street: Option<String>,
    /// `HouseNumber`.
    pub house_number: Option<String>,
    /// `City`.
    pub city: String,
    /// `ZipCode`.
    pub zip_code: String,
    /// `CountryIsoCode`.
    pub country: String,
    /// `ContactName`.
    pub contact_name: Option<String>,
    /// `ContactPhone`.
    pub contact_phone: Option<String>,
    /// `ContactEmail`.
    pub contact_email: Option<String>,
    raw: Value,
}

/// How a parcel's label was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelMode {
    /// Created by `PrintLabels` (or `GetPrintData`): the label was generated once.
    PrintedOnce,
    /// Created by `PrepareLabels`: printable (and reprintable) with `GetPrintedLabels`.
    Prepared,
}

/// One package (a `ParcelId`) as the simulator keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelRecord {
    /// `ParcelId`.
    pub parcel_id: i64,
    /// `ParcelNumber`, once printed.
    pub parcel_number: Option<i64>,
    /// The account (username).
    pub account: String,
    /// `ClientNumber`.
    pub client_number: i64,
    /// `ClientReference`.
    pub client_reference: String,
    /// Position in its shipment (1-based) and the shipment's `Count`.
    pub package: (u32, u32),
    /// `CODAmount` (0 when none).
    pub cod_amount: Decimal,
    /// `CODCurrency`.
    pub cod_currency: Option<String>,
    /// `Content`.
    pub content: String,
    /// Pickup address.
    pub pickup: GlsAddress,
    /// Delivery address.
    pub delivery: GlsAddress,
    /// Service codes (`PSD`, `SAT`, …).
    pub services: Vec<String>,
    /// The ParcelShop id of a `PSD` parcel.
    pub parcel_shop: Option<String>,
    /// When the parcel was created (simulated time).
    pub created_at: DateTime<Utc>,
    /// When it got its number (simulated time; tracking starts here).
    pub printed_at: Option<DateTime<Utc>>,
    /// `PickupDate`, when given.
    pub pickup_date: Option<DateTime<Utc>>,
    /// How its label is produced.
    pub label_mode: LabelMode,
    /// Whether it was deleted (`DeleteLabels`).
    pub deleted: bool,
    weight: Option<Decimal>,
    raw_services: Value,
}

impl ParcelRecord {
    fn timeline(&self) -> &'static [(i64, StatusDef); 6] {
        if self.parcel_shop.is_some() {
            &SHOP_TIMELINE
        } else {
            &DOOR_TIMELINE
        }
    }

    /// The statuses reached by `now`, oldest first.
    pub fn history(&self, now: DateTime<Utc>) -> Vec<(StatusDef, DateTime<Utc>)> {
        let Some(start) = self.printed_at else {
            return Vec::new();
        };
        self.timeline()
            .iter()
            .map(|(h, d)| (*d, start + chrono::Duration::hours(*h)))
            .filter(|(_, at)| *at <= now)
            .collect()
    }

    /// The current `StatusCode` at `now` (`None` before printing).
    pub fn status_code(&self, now: DateTime<Utc>) -> Option<u32> {
        self.history(now).last().map(|(d, _)| d.code)
    }

    fn picked_up(&self, now: DateTime<Utc>) -> bool {
        self.status_code(now).is_some_and(|c| c != REGISTERED.code)
    }

    fn delivered(&self, now: DateTime<Utc>) -> bool {
        matches!(self.status_code(now), Some(5 | 58))
    }

    fn depot(&self, def: StatusDef) -> (&str, &str) {
        match def.code {
            51 => ("", ""),
            1 | 2 => (self.pickup.city.as_str(), "12"),
            _ => (self.delivery.city.as_str(), "05"),
        }
    }

    fn status_list(&self, now: DateTime<Utc>) -> Vec<Value> {
        let mut list: Vec<Value> = self
            .history(now)
            .into_iter()
            .map(|(d, at)| {
                let (city, depot) = self.depot(d);
                let info = if matches!(d.code, 5 | 58) {
                    self.delivery
                        .contact_name
                        .clone()
                        .unwrap_or_else(|| self.delivery.name.clone())
                } else {
                    String::new()
                };
                json!({
                    "DepotCity": city,
                    "DepotNumber": depot,
                    "StatusCode": d.code.to_string(),
                    "StatusDate": wcf_date(at),
                    "StatusDescription": d.description,
                    "StatusInfo": info,
                })
            })
            .collect();
        list.reverse();
        list
    }

    fn parcel_json(&self) -> Value {
        let mut p = json!({
            "ClientNumber": self.client_number,
            "ClientReference": self.client_reference,
            "Count": self.package.1,
            "Content": self.content,
            "PickupAddress": self.pickup.raw,
            "DeliveryAddress": self.delivery.raw,
            "ServiceList": self.raw_services,
        });
        if self.cod_amount > Decimal::ZERO {
            p["CODAmount"] = number(self.cod_amount);
            p["CODCurrency"] = json!(self.cod_currency);
            p["CODReference"] = json!(self.client_reference);
        }
        if let Some(d) = self.pickup_date {
            p["PickupDate"] = json!(wcf_date(d));
        }
        p
    }

    fn print_data(&self, with_parcel: bool) -> Value {
        json!({
            "B2CChar": "B",
            "ClientReference": self.client_reference,
            "Depot": "RO05",
            "DepotNumber": "05",
            "Driver": "512",
            "Parcel": if with_parcel { self.parcel_json() } else { Value::Null },
            "ParcelId": self.parcel_id,
            "ParcelNumber": self.parcel_number,
            "ParcelNumberWithCheckdigit": self.parcel_number.map(|n| n * 10 + check_digit(n)),
            "Sort": "2B",
        })
    }
}

#[derive(Debug)]
struct Account {
    digest: [u8; 64],
    client_number: i64,
    failed_logins: u32,
    locked_until: Option<DateTime<Utc>>,
}

fn digest(password: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    out.copy_from_slice(&Sha512::digest(password.as_bytes()));
    out
}

#[derive(Debug)]
struct State {
    accounts: HashMap<String, Account>,
    parcels: BTreeMap<i64, ParcelRecord>,
    next_parcel_id: i64,
    next_parcel_number: i64,
}

impl State {
    fn by_number(&self, user: &str, number: i64) -> Option<&ParcelRecord> {
        self.parcels
            .values()
            .find(|p| p.parcel_number == Some(number) && p.account == user && !p.deleted)
    }
}

/// The GLS simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    state: Mutex<State>,
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default account.
    pub fn new(shared: Shared) -> Self {
        let mut accounts = HashMap::new();
        accounts.insert(
            DEFAULT_USERNAME.to_owned(),
            Account {
                digest: digest(DEFAULT_PASSWORD),
                client_number: DEFAULT_CLIENT_NUMBER,
                failed_logins: 0,
                locked_until: None,
            },
        );
        Self {
            shared,
            state: Mutex::new(State {
                accounts,
                parcels: BTreeMap::new(),
                next_parcel_id: 81_300_001,
                next_parcel_number: 5_020_100_001,
            }),
        }
    }

    /// The shared clock, faults and limits.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an account (or replaces it) with its password and client number.
    pub fn add_account(&self, username: &str, password: &str, client_number: i64) {
        self.lock().accounts.insert(
            username.to_owned(),
            Account {
                digest: digest(password),
                client_number,
                failed_logins: 0,
                locked_until: None,
            },
        );
    }

    /// How many parcels (`ParcelId`s) exist, deleted ones included.
    pub fn parcel_count(&self) -> usize {
        self.lock().parcels.len()
    }

    /// Every parcel, by `ParcelId`.
    pub fn parcels(&self) -> Vec<ParcelRecord> {
        self.lock().parcels.values().cloned().collect()
    }

    /// One parcel by `ParcelId`.
    pub fn parcel(&self, parcel_id: i64) -> Option<ParcelRecord> {
        self.lock().parcels.get(&parcel_id).cloned()
    }

    /// The live parcels with `ClientReference` `reference`.
    pub fn parcels_by_reference(&self, reference: &str) -> Vec<ParcelRecord> {
        self.lock()
            .parcels
            .values()
            .filter(|p| !p.deleted && p.client_reference == reference)
            .cloned()
            .collect()
    }

    /// Whether `username` is locked out now (simulated time).
    pub fn is_locked(&self, username: &str) -> bool {
        let now = self.shared.clock.now();
        self.lock()
            .accounts
            .get(username)
            .and_then(|a| a.locked_until)
            .is_some_and(|until| until > now)
    }

    /// Checks `Username` / `Password` of a body: the account name, or the error entry.
    fn login(&self, body: &Value) -> Result<String, Value> {
        let now = self.shared.clock.now();
        let user = text(body, "Username").unwrap_or_default();
        let password: Option<Vec<u8>> =
            body.get("Password")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter()
                        .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
                        .collect()
                });
        let mut state = self.lock();
        let Some(account) = state.accounts.get_mut(&user) else {
            return Err(error_info(-1, "Unauthorized.", &[], &[]));
        };
        if let Some(until) = account.locked_until {
            if until > now {
                return Err(error_info(
                    -1,
                    &format!(
                        "Too many failed login attempts. Your account has been locked until {}. Please try logging in later.",
                        bucharest(until).format("%H:%M")
                    ),
                    &[],
                    &[],
                ));
            }
            account.locked_until = None;
            account.failed_logins = 0;
        }
        if password.as_deref() == Some(&account.digest[..]) {
            account.failed_logins = 0;
            return Ok(user);
        }
        account.failed_logins += 1;
        if account.failed_logins >= MAX_FAILED_LOGINS {
            account.locked_until =
                Some(now + chrono::Duration::from_std(LOCK_DURATION).unwrap_or_default());
        }
        Err(error_info(-1, "Unauthorized.", &[], &[]))
    }

    fn client_number_of(&self, user: &str) -> i64 {
        self.lock()
            .accounts
            .get(user)
            .map_or(0, |a| a.client_number)
    }
}

/// The MyGLS methods served, with the name of their error list and the empty answer.
fn empty_answer(method: &str) -> Option<(&'static str, Value)> {
    Some(match method {
        "PrintLabels" => (
            "PrintLabelsErrorList",
            json!({"Labels": null, "PrintLabelsErrorList": [], "PrintLabelsInfoList": []}),
        ),
        "PrepareLabels" => (
            "PrepareLabelsError",
            json!({"ParcelInfoList": [], "PrepareLabelsError": []}),
        ),
        "GetPrintedLabels" => (
            "GetPrintedLabelsErrorList",
            json!({"GetPrintedLabelsErrorList": [], "Labels": null, "PrintDataInfoList": []}),
        ),
        "GetPrintData" => (
            "GetPrintDataErrorList",
            json!({"GetPrintDataErrorList": [], "PrintDataInfoList": []}),
        ),
        "DeleteLabels" => (
            "DeleteLabelsErrorList",
            json!({"DeleteLabelsErrorList": [], "SuccessfullyDeletedList": []}),
        ),
        "ModifyCOD" => (
            "ModifyCODError",
            json!({"ModifyCODError": [], "Successful": false}),
        ),
        "GetParcelStatuses" => (
            "GetParcelStatusErrors",
            json!({
                "ClientReference": null, "DeliveryCountryCode": null, "DeliveryZipCode": null,
                "GetParcelStatusErrors": [], "POD": null, "ParcelNumber": 0,
                "ParcelStatusList": [], "Weight": null,
            }),
        ),
        "GetParcelListStatuses" => (
            "GetParcelListStatusesErrors",
            json!({"GetParcelListStatusesErrors": [], "ParcelList": []}),
        ),
        "GetParcelList" => (
            "GetParcelListErrors",
            json!({"GetParcelListErrors": [], "PrintDataInfoList": []}),
        ),
        _ => return None,
    })
}

fn ok(body: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

fn with_errors(method: &str, errors: Vec<Value>) -> HttpResponse {
    match empty_answer(method) {
        Some((list, mut body)) => {
            body[list] = Value::Array(errors);
            ok(&body)
        }
        None => HttpResponse::NotFound()
            .content_type("text/html")
            .body("Endpoint not found."),
    }
}

/// The routes, under `/gls`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    web::scope("/gls")
        .app_data(web::Data::from(sim))
        .route("/ParcelService.svc/json/{method}", web::post().to(handle))
        .route("/{method}", web::post().to(handle))
        .default_service(web::to(|| async {
            HttpResponse::NotFound()
                .content_type("text/html")
                .body("Endpoint not found.")
        }))
}

async fn handle(sim: web::Data<Sim>, path: web::Path<String>, body: web::Bytes) -> HttpResponse {
    let method = path.into_inner();
    if let Some(resp) = sim.shared.gate(Provider::Gls).await {
        return resp;
    }
    if empty_answer(&method).is_none() {
        return HttpResponse::NotFound()
            .content_type("text/html")
            .body("Endpoint not found.");
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return HttpResponse::BadRequest()
            .content_type("text/html")
            .body("The server encountered an error processing the request. The request body is not valid JSON.");
    };
    if !request.is_object() {
        return HttpResponse::BadRequest()
            .content_type("text/html")
            .body("The server encountered an error processing the request.");
    }
    let user = match sim.login(&request) {
        Ok(user) => user,
        Err(entry) => return with_errors(&method, vec![entry]),
    };
    // The one MyGLS limit: the same request, repeated too often.
    let fingerprint = hex::encode(Sha256::digest([method.as_bytes(), &body[..]].concat()));
    let verdict = sim.shared.limits.check(
        Provider::Gls.id(),
        &format!("{user}:{fingerprint}"),
        "same-request",
        SAME_REQUEST_MAX,
        SAME_REQUEST_WINDOW,
        None,
    );
    if verdict != Verdict::Allowed {
        let refs: Vec<String> = request
            .get("ParcelList")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|p| text(p, "ClientReference"))
                    .collect()
            })
            .unwrap_or_default();
        return with_errors(
            &method,
            vec![error_info(
                31,
                "The same request was sent too many times. Please wait 5 minutes.",
                &refs,
                &[],
            )],
        );
    }
    match method.as_str() {
        "PrintLabels" => create(&sim, &user, &request, Create::Print).await,
        "PrepareLabels" => create(&sim, &user, &request, Create::Prepare).await,
        "GetPrintData" => get_print_data(&sim, &user, &request).await,
        "GetPrintedLabels" => get_printed_labels(&sim, &user, &request).await,
        "DeleteLabels" => delete_labels(&sim, &user, &request).await,
        "ModifyCOD" => modify_cod(&sim, &user, &request).await,
        "GetParcelStatuses" => parcel_statuses(&sim, &user, &request),
        "GetParcelListStatuses" => parcel_list_statuses(&sim, &user, &request),
        _ => parcel_list(&sim, &user, &request),
    }
}

/// Printer types and the page they print on: `(width, height)` in points, or `None` for ZPL.
fn printer(type_of_printer: Option<&str>) -> Result<Option<(u32, u32)>, ()> {
    match type_of_printer.unwrap_or("A4_2x2") {
        "A4_2x2" | "A4_4x1" => Ok(Some((595, 842))),
        "Connect" | "Thermo" | "ShipItThermoPdf" => Ok(Some((283, 425))),
        "ThermoZPL" | "ThermoZPL_300DPI" | "ShipItThermoZpl" => Ok(None),
        _ => Err(()),
    }
}

fn label_document(page: Option<(u32, u32)>, parcels: &[&ParcelRecord]) -> Vec<u8> {
    let mut lines = Vec::new();
    for p in parcels {
        let number = p.parcel_number.unwrap_or_default();
        lines.push(format!(
            "GLS {}{} ({}/{})",
            number,
            check_digit(number),
            p.package.0,
            p.package.1
        ));
        lines.push(format!(
            "{} - {} {} {}",
            p.delivery.name,
            p.delivery.street.as_deref().unwrap_or(""),
            p.delivery.house_number.as_deref().unwrap_or(""),
            p.delivery.city
        ));
        lines.push(format!("{} {}", p.delivery.zip_code, p.delivery.country));
        if p.cod_amount > Decimal::ZERO {
            lines.push(format!(
                "COD {} {}",
                p.cod_amount,
                p.cod_currency.as_deref().unwrap_or("RON")
            ));
        }
        if let Some(shop) = &p.parcel_shop {
            lines.push(format!("ParcelShop {shop}"));
        }
        lines.push(format!("Ref {}", p.client_reference));
    }
    match page {
        Some((w, h)) => simple_pdf(w, h, &lines),
        None => {
            let mut zpl = String::new();
            for line in lines {
                zpl.push_str("^XA^FO40,40^A0N,30,30^FD");
                zpl.push_str(&line.replace(['^', '~'], " "));
                zpl.push_str("^FS^XZ\n");
            }
            zpl.into_bytes()
        }
    }
}

fn address(v: Option<&Value>, which: &str, problems: &mut Vec<(i64, String)>) -> GlsAddress {
    let v = v.cloned().unwrap_or(Value::Null);
    let name = text(&v, "Name");
    let city = text(&v, "City");
    let zip = text(&v, "ZipCode");
    let country = text(&v, "CountryIsoCode");
    if v.is_null() {
        problems.push((13, format!("The {which} address is missing.")));
    } else {
        for (value, field) in [(&name, "Name"), (&city, "City"), (&zip, "ZipCode")] {
            if value.is_none() {
                problems.push((
                    13,
                    format!("The {field} of the {which} address is missing."),
                ));
            }
        }
        match country.as_deref() {
            None => problems.push((
                13,
                format!("The country of the {which} address is missing."),
            )),
            Some("RO") => {
                if zip
                    .as_deref()
                    .is_some_and(|z| z.len() != 6 || !z.bytes().all(|b| b.is_ascii_digit()))
                {
                    problems.push((
                        13,
                        format!("The ZipCode of the {which} address is invalid."),
                    ));
                }
            }
            Some(c) if c.len() == 2 => {}
            Some(_) => {
                problems.push((
                    13,
                    format!("The country of the {which} address is invalid."),
                ));
            }
        }
        if which == "delivery"
            && text(&v, "HouseNumber")
                .as_deref()
                .is_none_or(|h| h.trim_start_matches('0').is_empty())
        {
            problems.push((
                23,
                "The house number of the delivery address is 0.".to_owned(),
            ));
        }
    }
    GlsAddress {
        name: name.unwrap_or_default(),
        street: text(&v, "Street"),
        house_number: text(&v, "HouseNumber"),
        city: city.unwrap_or_default(),
        zip_code: zip.unwrap_or_default(),
        country: country.unwrap_or_default(),
        contact_name: text(&v, "ContactName"),
        contact_phone: text(&v, "ContactPhone"),
        contact_email: text(&v, "ContactEmail"),
        raw: v,
    }
}

/// A validated parcel of a request, before it gets ids.
struct NewParcel {
    client_reference: String,
    count: u32,
    cod_amount: Decimal,
    cod_currency: Option<String>,
    content: String,
    pickup: GlsAddress,
    delivery: GlsAddress,
    services: Vec<String>,
    parcel_shop: Option<String>,
    pickup_date: Option<DateTime<Utc>>,
    weight: Option<Decimal>,
    raw_services: Value,
}

fn validate_parcel(p: &Value, client_number: i64) -> Result<NewParcel, Vec<(i64, String)>> {
    let mut problems = Vec::new();
    if int(p, "ClientNumber") != Some(client_number) {
        problems.push((
            27,
            "The ClientNumber is not authorised for this user.".to_owned(),
        ));
    }
    let reference = text(p, "ClientReference");
    if reference.is_none() {
        problems.push((32, "Client reference is missing.".to_owned()));
    }
    let count = int(p, "Count").unwrap_or(1);
    if !(1..=99).contains(&count) {
        problems.push((29, "The parcel count must be between 1 and 99.".to_owned()));
    }
    let content = text(p, "Content");
    if content.is_none() {
        problems.push((33, "Content is missing.".to_owned()));
    }
    let cod_amount = match p.get("CODAmount") {
        None | Some(Value::Null) => Decimal::ZERO,
        Some(v) => match decimal_of(v) {
            Some(d) if d >= Decimal::ZERO => d,
            _ => {
                problems.push((8, "COD amount has to be >= 0".to_owned()));
                Decimal::ZERO
            }
        },
    };
    let cod_currency = text(p, "CODCurrency");
    if let Some(c) = &cod_currency
        && !matches!(c.as_str(), "RON" | "EUR")
    {
        problems.push((48, format!("The COD currency {c} is not accepted.")));
    }
    let pickup = address(p.get("PickupAddress"), "pickup", &mut problems);
    let delivery = address(p.get("DeliveryAddress"), "delivery", &mut problems);
    let pickup_date = match p.get("PickupDate") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match parse_wcf_date(s) {
            Some(d) => Some(d),
            None => {
                problems.push((13, "The PickupDate is invalid.".to_owned()));
                None
            }
        },
        Some(_) => {
            problems.push((13, "The PickupDate is invalid.".to_owned()));
            None
        }
    };
    let raw_services = p.get("ServiceList").cloned().unwrap_or(json!([]));
    let mut services = Vec::new();
    let mut parcel_shop = None;
    for s in raw_services.as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let code = text(s, "Code").unwrap_or_default().to_ascii_uppercase();
        match code.as_str() {
            "PSD" => {
                let shop = s.get("PSDParameter").and_then(|p| text(p, "StringValue"));
                match shop {
                    Some(id) if PARCEL_SHOPS.contains(&id.as_str()) => parcel_shop = Some(id),
                    _ => problems.push((
                        13,
                        "The ParcelShop id (PSDParameter) is invalid.".to_owned(),
                    )),
                }
            }
            "INS" if count > 1 => problems.push((
                28,
                "The INS service can be used with one parcel only.".to_owned(),
            )),
            "" => problems.push((13, "A service code is missing.".to_owned())),
            _ => {}
        }
        services.push(code);
    }
    let weight = p
        .get("ParcelPropertyList")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.get("Weight").and_then(decimal_of))
                .sum()
        });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NewParcel {
        client_reference: reference.unwrap_or_default(),
        count: u32::try_from(count).unwrap_or(1),
        cod_amount,
        cod_currency,
        content: content.unwrap_or_default(),
        pickup,
        delivery,
        services,
        parcel_shop,
        pickup_date,
        weight,
        raw_services,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Create {
    /// `PrintLabels`: numbers and a label now, once.
    Print,
    /// `PrepareLabels`: ids only.
    Prepare,
    /// `GetPrintData` with a `ParcelList`: numbers and print data, no label.
    Data,
}

/// Validates and stores the parcels of `ParcelList`; returns the new ids per valid parcel
/// and the error entries of the invalid ones.
fn store_parcels(
    sim: &Sim,
    user: &str,
    list: &[Value],
    mode: Create,
) -> (Vec<Vec<i64>>, Vec<Value>) {
    let client_number = sim.client_number_of(user);
    let now = sim.shared.clock.now();
    let mut created = Vec::new();
    let mut errors = Vec::new();
    for p in list {
        let parcel = match validate_parcel(p, client_number) {
            Ok(parcel) => parcel,
            Err(problems) => {
                let refs: Vec<String> = text(p, "ClientReference").into_iter().collect();
                for (code, description) in problems {
                    errors.push(error_info(code, &description, &refs, &[]));
                }
                continue;
            }
        };
        let mut state = sim.lock();
        let mut ids = Vec::new();
        for i in 1..=parcel.count {
            let parcel_id = state.next_parcel_id;
            state.next_parcel_id += 1;
            let parcel_number = if mode == Create::Prepare {
                None
            } else {
                let n = state.next_parcel_number;
                state.next_parcel_number += 1;
                Some(n)
            };
            state.parcels.insert(
                parcel_id,
                ParcelRecord {
                    parcel_id,
                    parcel_number,
                    account: user.to_owned(),
                    client_number,
                    client_reference: parcel.client_reference.clone(),
                    package: (i, parcel.count),
                    cod_amount: if i == 1 {
                        parcel.cod_amount
                    } else {
                        Decimal::ZERO
                    },
                    cod_currency: parcel.cod_currency.clone(),
                    content: parcel.content.clone(),
                    pickup: parcel.pickup.clone(),
                    delivery: parcel.delivery.clone(),
                    services: parcel.services.clone(),
                    parcel_shop: parcel.parcel_shop.clone(),
                    created_at: now,
                    printed_at: parcel_number.map(|_| now),
                    pickup_date: parcel.pickup_date,
                    label_mode: if mode == Create::Prepare {
                        LabelMode::Prepared
                    } else {
                        LabelMode::PrintedOnce
                    },
                    deleted: false,
                    weight: parcel.weight,
                    raw_services: parcel.raw_services.clone(),
                },
            );
            ids.push(parcel_id);
        }
        created.push(ids);
    }
    (created, errors)
}

fn parcel_list_of(request: &Value) -> Result<&Vec<Value>, Value> {
    match request.get("ParcelList").and_then(Value::as_array) {
        Some(list) if list.is_empty() => Err(error_info(13, "ParcelList is empty.", &[], &[])),
        Some(list) if list.len() > 99 => Err(error_info(
            22,
            "Too many parcels in one request (at most 99).",
            &[],
            &[],
        )),
        Some(list) => Ok(list),
        None => Err(error_info(13, "ParcelList is missing.", &[], &[])),
    }
}

async fn create(sim: &Sim, user: &str, request: &Value, mode: Create) -> HttpResponse {
    let method = if mode == Create::Print {
        "PrintLabels"
    } else {
        "PrepareLabels"
    };
    let list = match parcel_list_of(request) {
        Ok(list) => list,
        Err(e) => return with_errors(method, vec![e]),
    };
    let page = if mode == Create::Print {
        match printer(request.get("TypeOfPrinter").and_then(Value::as_str)) {
            Ok(page) => page,
            Err(()) => {
                return with_errors(
                    method,
                    vec![error_info(34, "The TypeOfPrinter is not valid.", &[], &[])],
                );
            }
        }
    } else {
        None
    };
    let (created, errors) = store_parcels(sim, user, list, mode);
    let ids: Vec<i64> = created.into_iter().flatten().collect();
    let body = {
        let state = sim.lock();
        let records: Vec<&ParcelRecord> =
            ids.iter().filter_map(|id| state.parcels.get(id)).collect();
        if mode == Create::Print {
            json!({
                "Labels": (!records.is_empty()).then(|| label_document(page, &records)),
                "PrintLabelsErrorList": errors,
                "PrintLabelsInfoList": records.iter().map(|r| json!({
                    "ClientReference": r.client_reference,
                    "ParcelId": r.parcel_id,
                    "ParcelNumber": r.parcel_number,
                })).collect::<Vec<_>>(),
            })
        } else {
            json!({
                "ParcelInfoList": records.iter().map(|r| json!({
                    "ClientReference": r.client_reference,
                    "ParcelId": r.parcel_id,
                })).collect::<Vec<_>>(),
                "PrepareLabelsError": errors,
            })
        }
    };
    if !ids.is_empty() {
        sim.shared.after_effect(Provider::Gls).await;
    }
    ok(&body)
}

fn id_list(request: &Value, key: &str) -> Vec<i64> {
    request
        .get(key)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()))
                .collect()
        })
        .unwrap_or_default()
}

/// Error 4 / 5 for ids that are unknown or another account's; the rest are returned.
fn own_ids(state: &State, user: &str, ids: &[i64], errors: &mut Vec<Value>) -> Vec<i64> {
    let mut out = Vec::new();
    for id in ids {
        match state.parcels.get(id) {
            Some(p) if p.account != user => errors.push(error_info(
                5,
                "Access denied for this Parcel ID.",
                &[],
                &[*id],
            )),
            Some(p) if !p.deleted => out.push(*id),
            _ => errors.push(error_info(4, "Parcel ID not exists", &[], &[*id])),
        }
    }
    out
}

async fn get_printed_labels(sim: &Sim, user: &str, request: &Value) -> HttpResponse {
    const METHOD: &str = "GetPrintedLabels";
    let ids = id_list(request, "ParcelIdList");
    if ids.is_empty() {
        return with_errors(
            METHOD,
            vec![error_info(13, "ParcelIdList is empty.", &[], &[])],
        );
    }
    if ids.len() > 99 {
        return with_errors(
            METHOD,
            vec![error_info(
                22,
                "Too many parcel ids in one request.",
                &[],
                &[],
            )],
        );
    }
    let page = match printer(request.get("TypeOfPrinter").and_then(Value::as_str)) {
        Ok(page) => page,
        Err(()) => {
            return with_errors(
                METHOD,
                vec![error_info(34, "The TypeOfPrinter is not valid.", &[], &[])],
            );
        }
    };
    let now = sim.shared.clock.now();
    let mut errors = Vec::new();
    let (body, numbered) = {
        let mut guard = sim.lock();
        let state = &mut *guard;
        let own = own_ids(state, user, &ids, &mut errors);
        let mut printable = Vec::new();
        let mut numbered = false;
        for id in own {
            let next = state.next_parcel_number;
            let Some(p) = state.parcels.get_mut(&id) else {
                continue;
            };
            if p.label_mode == LabelMode::PrintedOnce {
                errors.push(error_info(
                    18,
                    "Parcel label is already generated.",
                    std::slice::from_ref(&p.client_reference),
                    &[id],
                ));
                continue;
            }
            if p.parcel_number.is_none() {
                p.parcel_number = Some(next);
                p.printed_at = Some(now);
                state.next_parcel_number += 1;
                numbered = true;
            }
            printable.push(id);
        }
        let records: Vec<&ParcelRecord> = printable
            .iter()
            .filter_map(|id| state.parcels.get(id))
            .collect();
        let body = json!({
            "GetPrintedLabelsErrorList": errors,
            "Labels": (!records.is_empty()).then(|| label_document(page, &records)),
            "PrintDataInfoList": records.iter().map(|r| r.print_data(false)).collect::<Vec<_>>(),
        });
        (body, numbered)
    };
    if numbered {
        sim.shared.after_effect(Provider::Gls).await;
    }
    ok(&body)
}

async fn get_print_data(sim: &Sim, user: &str, request: &Value) -> HttpResponse {
    const METHOD: &str = "GetPrintData";
    let has_list = request
        .get("ParcelList")
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty());
    if has_list {
        let list = match parcel_list_of(request) {
            Ok(list) => list,
            Err(e) => return with_errors(METHOD, vec![e]),
        };
        let (created, errors) = store_parcels(sim, user, list, Create::Data);
        let ids: Vec<i64> = created.into_iter().flatten().collect();
        let body = {
            let state = sim.lock();
            json!({
                "GetPrintDataErrorList": errors,
                "PrintDataInfoList": ids.iter().filter_map(|id| state.parcels.get(id)).map(|r| r.print_data(true)).collect::<Vec<_>>(),
            })
        };
        if !ids.is_empty() {
            sim.shared.after_effect(Provider::Gls).await;
        }
        return ok(&body);
    }
    let ids = id_list(request, "ParcelIdList");
    if ids.is_empty() {
        return with_errors(
            METHOD,
            vec![error_info(
                13,
                "ParcelList or ParcelIdList is needed.",
                &[],
                &[],
            )],
        );
    }
    let mut errors = Vec::new();
    let state = sim.lock();
    let own = own_ids(&state, user, &ids, &mut errors);
    let mut data = Vec::new();
    for id in own {
        if let Some(p) = state.parcels.get(&id) {
            if p.parcel_number.is_none() {
                errors.push(error_info(
                    10,
                    "The parcel number is not assigned yet.",
                    &[],
                    &[id],
                ));
            } else {
                data.push(p.print_data(true));
            }
        }
    }
    ok(&json!({"GetPrintDataErrorList": errors, "PrintDataInfoList": data}))
}

async fn delete_labels(sim: &Sim, user: &str, request: &Value) -> HttpResponse {
    const METHOD: &str = "DeleteLabels";
    let ids = id_list(request, "ParcelIdList");
    if ids.is_empty() {
        return with_errors(
            METHOD,
            vec![error_info(13, "ParcelIdList is empty.", &[], &[])],
        );
    }
    if ids.len() > 50 {
        return with_errors(
            METHOD,
            vec![error_info(
                22,
                "Too many parcel ids in one request (at most 50).",
                &[],
                &[],
            )],
        );
    }
    let now = sim.shared.clock.now();
    let mut errors = Vec::new();
    let mut deleted = Vec::new();
    {
        let mut state = sim.lock();
        for id in ids {
            match state.parcels.get_mut(&id) {
                None => errors.push(error_info(4, "Parcel ID not exists", &[], &[id])),
                Some(p) if p.account != user => errors.push(error_info(
                    5,
                    "Access denied for this Parcel ID.",
                    &[],
                    &[id],
                )),
                Some(p) if p.deleted || p.picked_up(now) => errors.push(error_info(
                    6,
                    "Parcel with this ID has different status than PRINTED",
                    &[],
                    &[id],
                )),
                Some(p) => {
                    p.deleted = true;
                    deleted.push(json!({"ParcelId": id, "SubParcelIdList": []}));
                }
            }
        }
    }
    if !deleted.is_empty() {
        sim.shared.after_effect(Provider::Gls).await;
    }
    ok(&json!({"DeleteLabelsErrorList": errors, "SuccessfullyDeletedList": deleted}))
}

async fn modify_cod(sim: &Sim, user: &str, request: &Value) -> HttpResponse {
    const METHOD: &str = "ModifyCOD";
    let parcel_id = int(request, "ParcelId");
    let parcel_number = int(request, "ParcelNumber");
    let amount = request.get("CODAmount").and_then(decimal_of);
    let id_for_errors: Vec<i64> = parcel_id.into_iter().collect();
    let Some(amount) = amount.filter(|a| *a >= Decimal::ZERO) else {
        return with_errors(
            METHOD,
            vec![error_info(
                8,
                "COD amount has to be >= 0",
                &[],
                &id_for_errors,
            )],
        );
    };
    let now = sim.shared.clock.now();
    let changed = {
        let mut state = sim.lock();
        let found = state.parcels.values_mut().find(|p| {
            parcel_id.is_none_or(|id| p.parcel_id == id)
                && parcel_number.is_none_or(|n| p.parcel_number == Some(n))
        });
        match found {
            None if parcel_id.is_some() => {
                return with_errors(
                    METHOD,
                    vec![error_info(4, "Parcel ID not exists", &[], &id_for_errors)],
                );
            }
            None => {
                return with_errors(
                    METHOD,
                    vec![error_info(9, "Parcel number not exists", &[], &[])],
                );
            }
            Some(p) if p.account != user => {
                return with_errors(
                    METHOD,
                    vec![error_info(
                        5,
                        "Access denied for this Parcel ID.",
                        &[],
                        &[p.parcel_id],
                    )],
                );
            }
            Some(p) if p.deleted => {
                return with_errors(
                    METHOD,
                    vec![error_info(4, "Parcel ID not exists", &[], &[p.parcel_id])],
                );
            }
            // GLS declines changes once the money is collected, without an error entry.
            Some(p) if p.delivered(now) => false,
            Some(p) => {
                p.cod_amount = amount;
                true
            }
        }
    };
    if changed {
        sim.shared.after_effect(Provider::Gls).await;
    }
    ok(&json!({"ModifyCODError": [], "Successful": changed}))
}

fn pod(p: &ParcelRecord, now: DateTime<Utc>) -> Option<Vec<u8>> {
    let (_, at) = p
        .history(now)
        .into_iter()
        .find(|(d, _)| matches!(d.code, 5 | 58))?;
    Some(simple_pdf(
        595,
        842,
        &[
            format!(
                "GLS proof of delivery {}",
                p.parcel_number.unwrap_or_default()
            ),
            format!("Delivered {}", bucharest(at).format("%Y-%m-%d %H:%M")),
            format!(
                "Received by {}",
                p.delivery
                    .contact_name
                    .as_deref()
                    .unwrap_or(&p.delivery.name)
            ),
        ],
    ))
}

fn parcel_statuses(sim: &Sim, user: &str, request: &Value) -> HttpResponse {
    const METHOD: &str = "GetParcelStatuses";
    let Some(number) = int(request, "ParcelNumber") else {
        return with_errors(
            METHOD,
            vec![error_info(13, "ParcelNumber is missing.", &[], &[])],
        );
    };
    let want_pod = request.get("ReturnPOD").and_then(Value::as_bool) == Some(true);
    let now = sim.shared.clock.now();
    let state = sim.lock();
    let Some(p) = state.by_number(user, number) else {
        return with_errors(
            METHOD,
            vec![error_info(9, "Parcel number not exists", &[], &[])],
        );
    };
    ok(&json!({
        "ClientReference": p.client_reference,
        "DeliveryCountryCode": p.delivery.country,
        "DeliveryZipCode": p.delivery.zip_code,
        "GetParcelStatusErrors": [],
        "POD": if want_pod { pod(p, now) } else { None },
        "ParcelNumber": number,
        "ParcelStatusList": p.status_list(now),
        "Weight": p.weight.map(number_value),
    }))
}

fn number_value(d: Decimal) -> Value {
    number(d)
}

fn parcel_list_statuses(sim: &Sim, user: &str, request: &Value) -> HttpResponse {
    const METHOD: &str = "GetParcelListStatuses";
    let numbers = id_list(request, "ParcelNumberList");
    if numbers.is_empty() {
        return with_errors(
            METHOD,
            vec![error_info(13, "ParcelNumberList is empty.", &[], &[])],
        );
    }
    if numbers.len() > 100 {
        return with_errors(
            METHOD,
            vec![error_info(
                22,
                "Too many parcel numbers in one request (at most 100).",
                &[],
                &[],
            )],
        );
    }
    let now = sim.shared.clock.now();
    let state = sim.lock();
    let mut list = Vec::new();
    let mut errors = Vec::new();
    for n in numbers {
        match state.by_number(user, n) {
            Some(p) => list.push(json!({
                "ClientNumber": p.client_number,
                "ClientReference": p.client_reference,
                "ParcelNumber": n,
                "ParcelStatusList": p.status_list(now),
                "Weight": p.weight.map(number_value),
            })),
            None => errors.push(error_info(
                9,
                &format!("Parcel number not exists: {n}"),
                &[],
                &[],
            )),
        }
    }
    ok(&json!({"GetParcelListStatusesErrors": errors, "ParcelList": list}))
}

fn parcel_list(sim: &Sim, user: &str, request: &Value) -> HttpResponse {
    const METHOD: &str = "GetParcelList";
    let date = |key: &str| -> Result<Option<DateTime<Utc>>, ()> {
        match request.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => parse_wcf_date(s).map(Some).ok_or(()),
            Some(_) => Err(()),
        }
    };
    let (Ok(print_from), Ok(print_to), Ok(pickup_from), Ok(pickup_to)) = (
        date("PrintDateFrom"),
        date("PrintDateTo"),
        date("PickupDateFrom"),
        date("PickupDateTo"),
    ) else {
        return with_errors(
            METHOD,
            vec![error_info(13, "A date filter is invalid.", &[], &[])],
        );
    };
    if print_from.is_none() && print_to.is_none() && pickup_from.is_none() && pickup_to.is_none() {
        return with_errors(
            METHOD,
            vec![error_info(
                13,
                "A print or pickup date range is required.",
                &[],
                &[],
            )],
        );
    }
    let within =
        |at: Option<DateTime<Utc>>, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| {
            (from.is_none() && to.is_none())
                || at.is_some_and(|at| from.is_none_or(|f| at >= f) && to.is_none_or(|t| at < t))
        };
    let state = sim.lock();
    let data: Vec<Value> = state
        .parcels
        .values()
        .filter(|p| p.account == user && !p.deleted && p.parcel_number.is_some())
        .filter(|p| within(p.printed_at, print_from, print_to))
        .filter(|p| within(p.pickup_date.or(p.printed_at), pickup_from, pickup_to))
        .map(|p| p.print_data(false))
        .collect();
    ok(&json!({"GetParcelListErrors": [], "PrintDataInfoList": data}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wcf_dates_round_trip() {
        let at = DateTime::<Utc>::from_timestamp_millis(1_594_764_000_000).unwrap();
        assert_eq!(wcf_date(at), "/Date(1594764000000+0300)/");
        assert_eq!(parse_wcf_date("/Date(1594764000000+0300)/"), Some(at));
        assert_eq!(parse_wcf_date("/Date(1594764000000)/"), Some(at));
        assert_eq!(parse_wcf_date("2020-07-15"), None);
    }

    #[test]
    fn check_digits_are_single_digits() {
        for n in [5_020_100_001_i64, 5_020_100_002, 5_020_199_999] {
            assert!((0..10).contains(&check_digit(n)));
        }
        assert_ne!(check_digit(5_020_100_001), check_digit(5_020_100_002));
    }

    #[test]
    fn a_parcel_without_content_or_house_number_is_refused() {
        let p = json!({
            "ClientNumber": 1, "ClientReference": "R", "Count": 1,
            "PickupAddress": {"Name": "A", "City": "Cluj-Napoca", "ZipCode": "400114", "CountryIsoCode": "RO", "HouseNumber": "1"},
            "DeliveryAddress": {"Name": "B", "City": "Brasov", "ZipCode": "500035", "CountryIsoCode": "RO"},
        });
        let codes: Vec<i64> = validate_parcel(&p, 1)
            .err()
            .unwrap()
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(codes, vec![33, 23]);
    }
}
