//! The Sameday simulator: the courier API `flux-sameday` talks to, under `/sameday/`.
//!
//! # Accounts
//!
//! One account exists from the start: username [`DEFAULT_USERNAME`] (`sandbox`), password
//! [`DEFAULT_PASSWORD`] (`sandbox-pass`), with the two pickup points of Sameday's demo
//! (ids 139 and 1641, the latter the default). [`Sim::add_account`] adds more; each account
//! only sees its own AWBs. A wrong username or password is answered `401
//! {"code":401,"message":"Bad credentials"}`, as Sameday does.
//!
//! # Wire format
//!
//! - `POST /api/authenticate` with `X-Auth-Username` / `X-Auth-Password` answers
//!   `{"token","expire_at"}` (`expire_at` in Bucharest time, [`TOKEN_LIFETIME`] of
//!   simulated time); every other call needs the token in `X-AUTH-TOKEN` (401 otherwise,
//!   also once it expired on the simulated clock).
//! - Bodies are `application/x-www-form-urlencoded` with PHP bracket keys
//!   (`awbRecipient[name]`, `parcels[0][weight]`); invalid input is answered `400` with
//!   Symfony's `{"code":400,"message":"Validation Failed","errors":{"children":{…}}}` tree.
//! - Services are those of Sameday's demo (`24` id 7, `LN` id 15, `PP` id 44); lockers
//!   (`lockerLastMile`) need `LN`, PUDO points (`oohLastMile`) need `PP`.
//! - `clientInternalReference` is unique per account (`awb.not_unique`).
//! - Tracking: an AWB moves through `1` (issued), `4` (picked up), `56` (in transit),
//!   `33` (out for delivery) or `78` (in the easybox/PUDO point) and `9` (delivered) as the
//!   [simulated clock](crate::SimClock) passes ([`DOOR_TIMELINE`], [`OUT_OF_HOME_TIMELINE`]).
//!   An AWB can be deleted only before it is picked up.
//! - `GET /api/client/status-sync` covers at most 2 hours per call (400 beyond).
//!
//! Sameday publishes no request-rate limit, so none is enforced (the fault plans can still
//! inject 429 bursts).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::server::{Provider, Shared};

/// The default account's username.
pub const DEFAULT_USERNAME: &str = "sandbox";
/// The default account's password.
pub const DEFAULT_PASSWORD: &str = "sandbox-pass";
/// How long a token lives, in simulated time.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 24 * 3600);
/// The longest status-sync window Sameday accepts: 2 hours.
pub const MAX_STATUS_SYNC_WINDOW_SECS: i64 = 7200;
/// The largest page Sameday serves.
pub const MAX_PAGE_SIZE: usize = 500;

/// A Sameday status: id, `status`, `statusLabel`, `statusState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusDef {
    /// `statusId`.
    pub id: i64,
    /// `status`.
    pub status: &'static str,
    /// `statusLabel`.
    pub label: &'static str,
    /// `statusState`.
    pub state: &'static str,
}

/// `1`: the AWB exists.
pub const ISSUED: StatusDef = StatusDef {
    id: 1,
    status: "AWB Emis",
    label: "Document de transport emis",
    state: "Comanda curier primita",
};
/// `4`: picked up from the sender.
pub const PICKED_UP: StatusDef = StatusDef {
    id: 4,
    status: "Ridicat de la expeditor",
    label: "Colet preluat de curier",
    state: "Colete preluate",
};
/// `56`: in transit to the destination depot.
pub const IN_TRANSIT: StatusDef = StatusDef {
    id: 56,
    status: "In tranzit",
    label: "Colet in tranzit spre depozitul de destinatie",
    state: "Colete in tranzit",
};
/// `33`: out for delivery.
pub const OUT_FOR_DELIVERY: StatusDef = StatusDef {
    id: 33,
    status: "In livrare la curier",
    label: "In livrare la curier",
    state: "Colete in curs de livrare",
};
/// `78`: waiting in the easybox or PUDO point.
pub const AT_PICKUP_POINT: StatusDef = StatusDef {
    id: 78,
    status: "Depus in punctul de ridicare",
    label: "Colet depus in easybox / punct de ridicare",
    state: "Colete in asteptare la punct",
};
/// `9`: delivered.
pub const DELIVERED: StatusDef = StatusDef {
    id: 9,
    status: "Livrata cu succes",
    label: "Colet livrat",
    state: "Colete livrate",
};

/// A door delivery's statuses, with the simulated hours after creation each is reached.
pub const DOOR_TIMELINE: [(i64, StatusDef); 5] = [
    (0, ISSUED),
    (3, PICKED_UP),
    (8, IN_TRANSIT),
    (18, OUT_FOR_DELIVERY),
    (22, DELIVERED),
];
/// A locker or PUDO delivery's statuses, with the simulated hours after creation.
pub const OUT_OF_HOME_TIMELINE: [(i64, StatusDef); 5] = [
    (0, ISSUED),
    (3, PICKED_UP),
    (8, IN_TRANSIT),
    (18, AT_PICKUP_POINT),
    (26, DELIVERED),
];

struct ServiceDef {
    id: i64,
    name: &'static str,
    code: &'static str,
    base_price: Decimal,
}

fn services() -> [ServiceDef; 3] {
    [
        ServiceDef {
            id: 7,
            name: "24H",
            code: "24",
            base_price: Decimal::new(1650, 2),
        },
        ServiceDef {
            id: 15,
            name: "Locker NextDay",
            code: "LN",
            base_price: Decimal::new(1200, 2),
        },
        ServiceDef {
            id: 44,
            name: "PUDO",
            code: "PP",
            base_price: Decimal::new(1100, 2),
        },
    ]
}

struct TaxDef {
    id: i64,
    name: &'static str,
    code: Option<&'static str>,
    cost_type: &'static str,
    tax: &'static str,
    package_type: i64,
}

/// Optional taxes of service 7 (`24`).
const TAXES_24: [TaxDef; 2] = [
    TaxDef {
        id: 20,
        name: "Reambalare",
        code: None,
        cost_type: "Fix",
        tax: "6",
        package_type: 1,
    },
    TaxDef {
        id: 23,
        name: "Deschidere Colet",
        code: Some("OPCG"),
        cost_type: "Procentual",
        tax: "1.1",
        package_type: 0,
    },
];

/// Counties: `(id, name, code)`. Ids of Bucuresti and Constanta as in Sameday's demo.
const COUNTIES: [(i64, &str, &str); 42] = [
    (1, "Bucuresti", "B"),
    (2, "Alba", "AB"),
    (3, "Arad", "AR"),
    (4, "Arges", "AG"),
    (5, "Bacau", "BC"),
    (6, "Bihor", "BH"),
    (7, "Bistrita-Nasaud", "BN"),
    (8, "Botosani", "BT"),
    (9, "Braila", "BR"),
    (10, "Brasov", "BV"),
    (11, "Buzau", "BZ"),
    (12, "Calarasi", "CL"),
    (13, "Caras-Severin", "CS"),
    (14, "Cluj", "CJ"),
    (15, "Constanta", "CT"),
    (16, "Covasna", "CV"),
    (17, "Dambovita", "DB"),
    (18, "Dolj", "DJ"),
    (19, "Galati", "GL"),
    (20, "Giurgiu", "GR"),
    (21, "Gorj", "GJ"),
    (22, "Harghita", "HR"),
    (23, "Hunedoara", "HD"),
    (24, "Ialomita", "IL"),
    (25, "Iasi", "IS"),
    (26, "Ilfov", "IF"),
    (27, "Maramures", "MM"),
    (28, "Mehedinti", "MH"),
    (29, "Mures", "MS"),
    (30, "Neamt", "NT"),
    (31, "Olt", "OT"),
    (32, "Prahova", "PH"),
    (33, "Salaj", "SJ"),
    (34, "Satu Mare", "SM"),
    (35, "Sibiu", "SB"),
    (36, "Suceava", "SV"),
    (37, "Teleorman", "TR"),
    (38, "Timis", "TM"),
    (39, "Tulcea", "TL"),
    (40, "Valcea", "VL"),
    (41, "Vaslui", "VS"),
    (42, "Vrancea", "VN"),
];

/// Cities: `(id, name, county id, postal code)`. Bucharest's sectors are cities.
const CITIES: [(i64, &str, i64, &str); 17] = [
    (1, "Sectorul 1", 1, "010011"),
    (2, "Sectorul 2", 1, "020011"),
    (3, "Sectorul 3", 1, "030011"),
    (4, "Sectorul 4", 1, "040011"),
    (5, "Sectorul 5", 1, "050011"),
    (6, "Sectorul 6", 1, "060011"),
    (9438, "2 Mai", 15, "907161"),
    (9440, "Constanta", 15, "900001"),
    (1001, "Cluj-Napoca", 14, "400001"),
    (1002, "Iasi", 25, "700001"),
    (1003, "Timisoara", 38, "300001"),
    (1004, "Brasov", 10, "500001"),
    (1005, "Sibiu", 35, "550001"),
    (1006, "Oradea", 6, "410001"),
    (1007, "Craiova", 18, "200001"),
    (1008, "Ploiesti", 32, "100001"),
    (1009, "Voluntari", 26, "077190"),
];

struct OohDef {
    id: i64,
    locker: bool,
    name: &'static str,
    county_id: i64,
    city_id: i64,
    address: &'static str,
    postal_code: &'static str,
    lat: &'static str,
    lng: &'static str,
    card_payment: bool,
}

const OOH: [OohDef; 7] = [
    OohDef {
        id: 2,
        locker: true,
        name: "easybox Belu",
        county_id: 1,
        city_id: 4,
        address: "SOS. OLTENITEI NR. 2",
        postal_code: "040014",
        lat: "44.402301",
        lng: "26.098118",
        card_payment: true,
    },
    OohDef {
        id: 1,
        locker: true,
        name: "easybox Iulius Mall",
        county_id: 14,
        city_id: 1001,
        address: "STR. ALEXANDRU VAIDA VOEVOD NR. 53B",
        postal_code: "400436",
        lat: "46.771938",
        lng: "23.625964",
        card_payment: false,
    },
    OohDef {
        id: 3,
        locker: true,
        name: "easybox Palas",
        county_id: 25,
        city_id: 1002,
        address: "STR. PALAT NR. 7A",
        postal_code: "700032",
        lat: "47.156101",
        lng: "27.587512",
        card_payment: true,
    },
    OohDef {
        id: 4,
        locker: true,
        name: "easybox Iulius Town",
        county_id: 38,
        city_id: 1003,
        address: "PIATA CONSILIUL EUROPEI NR. 2",
        postal_code: "300627",
        lat: "45.766302",
        lng: "21.227741",
        card_payment: true,
    },
    OohDef {
        id: 5,
        locker: true,
        name: "easybox Unirii",
        county_id: 1,
        city_id: 3,
        address: "BD. UNIRII NR. 1",
        postal_code: "030119",
        lat: "44.427300",
        lng: "26.102700",
        card_payment: true,
    },
    OohDef {
        id: 5012,
        locker: false,
        name: "Sameday Point Mega Image Unirii",
        county_id: 1,
        city_id: 3,
        address: "BD. UNIRII NR. 57",
        postal_code: "030167",
        lat: "44.426815",
        lng: "26.110612",
        card_payment: false,
    },
    OohDef {
        id: 5013,
        locker: false,
        name: "Sameday Point Cluj Centru",
        county_id: 14,
        city_id: 1001,
        address: "STR. MEMORANDUMULUI NR. 10",
        postal_code: "400114",
        lat: "46.769100",
        lng: "23.585400",
        card_payment: false,
    },
];

fn county_by_id(id: i64) -> Option<(i64, &'static str, &'static str)> {
    COUNTIES.iter().copied().find(|c| c.0 == id)
}

fn city_by_id(id: i64) -> Option<(i64, &'static str, i64, &'static str)> {
    CITIES.iter().copied().find(|c| c.0 == id)
}

/// Lower case, no Romanian diacritics, hyphens and dots as spaces, single spaces.
fn fold(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            'ă' | 'â' | 'Ă' | 'Â' => 'a',
            'î' | 'Î' => 'i',
            'ș' | 'ş' | 'Ș' | 'Ş' => 's',
            'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
            '-' | '.' | ',' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The county id for a name or code.
fn county_by_name(name: &str) -> Option<i64> {
    let f = fold(name);
    COUNTIES
        .iter()
        .find(|(_, n, code)| fold(n) == f || code.eq_ignore_ascii_case(name.trim()))
        .map(|c| c.0)
}

/// A Bucharest sector number from "Sectorul 3" / "Sector 3".
fn sector_of(city: &str) -> Option<u8> {
    let f = fold(city);
    let rest = f
        .strip_prefix("sectorul")
        .or_else(|| f.strip_prefix("sector"))?;
    let n: u8 = rest.trim().parse().ok()?;
    (1..=6).contains(&n).then_some(n)
}

fn bucharest_time(at: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    at.with_timezone(&chrono_tz::Europe::Bucharest)
}

/// Sameday's timestamp format: `2019-02-26T12:37:28+0200`.
fn sameday_time(at: DateTime<Utc>) -> String {
    bucharest_time(at).format("%Y-%m-%dT%H:%M:%S%z").to_string()
}

fn money(d: Decimal) -> Value {
    Value::Number(
        serde_json::Number::from_str(&d.normalize().to_string())
            .unwrap_or_else(|_| serde_json::Number::from(0)),
    )
}

// ---------------------------------------------------------------------------------------
// Form bodies
// ---------------------------------------------------------------------------------------

/// A PHP-style form body: flat `key -> value` pairs (`awbRecipient[name]`).
#[derive(Debug, Default)]
struct Form {
    pairs: HashMap<String, String>,
}

impl Form {
    fn parse(body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        Self {
            pairs: pairs.into_iter().collect(),
        }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The list positions under `prefix` (`parcels` for `parcels[3][weight]`).
    fn indices(&self, prefix: &str) -> BTreeSet<usize> {
        let start = format!("{prefix}[");
        self.pairs
            .keys()
            .filter_map(|k| {
                let rest = k.strip_prefix(&start)?;
                let end = rest.find(']')?;
                rest[..end].parse().ok()
            })
            .collect()
    }
}

/// Validation problems, as Symfony's nested `errors.children` tree.
#[derive(Debug, Default)]
struct Problems(Vec<(Vec<String>, String)>);

impl Problems {
    fn add(&mut self, path: &[&str], message: impl Into<String>) {
        self.0.push((
            path.iter().map(|s| (*s).to_owned()).collect(),
            message.into(),
        ));
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn response(&self) -> HttpResponse {
        let mut children = serde_json::Map::new();
        for (path, message) in &self.0 {
            insert_error(&mut children, path, message);
        }
        json_response(
            StatusCode::BAD_REQUEST,
            &json!({"code": 400, "message": "Validation Failed", "errors": {"children": children}}),
        )
    }
}

fn insert_error(children: &mut serde_json::Map<String, Value>, path: &[String], message: &str) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let node = children
        .entry(first.clone())
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(node) = node else { return };
    if rest.is_empty() {
        if let Some(list) = node
            .entry("errors")
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            list.push(Value::String(message.to_owned()));
        }
    } else if let Some(inner) = node
        .entry("children")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    {
        insert_error(inner, rest, message);
    }
}

fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body.to_string())
}

fn error(status: StatusCode, message: &str) -> HttpResponse {
    json_response(
        status,
        &json!({"code": status.as_u16(), "message": message}),
    )
}

fn parse_decimal(problems: &mut Problems, path: &[&str], raw: Option<&str>) -> Option<Decimal> {
    let raw = raw?;
    match Decimal::from_str(raw) {
        Ok(d) => Some(d),
        Err(_) => {
            problems.add(path, "This value is not valid.");
            None
        }
    }
}

fn parse_id(problems: &mut Problems, path: &[&str], raw: Option<&str>) -> Option<i64> {
    let raw = raw?;
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.add(path, "This value is not valid.");
            None
        }
    }
}

/// A one-page PDF with `lines` of text on a page of `width` × `height` points.
pub(crate) fn simple_pdf(width: u32, height: u32, lines: &[String]) -> Vec<u8> {
    crate::pdf::document(&[lines.to_vec()], (width, height))
}

// ---------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------

/// A contact person of a pickup point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPerson {
    /// Id (the AWB's `contactPerson`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone_number: String,
    /// Whether it is the default contact.
    pub default: bool,
}

/// A pickup point of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupPoint {
    /// Id (the AWB's `pickupPoint`).
    pub id: i64,
    /// County id.
    pub county_id: i64,
    /// City id.
    pub city_id: i64,
    /// Street address.
    pub address: String,
    /// Alias.
    pub alias: String,
    /// Whether AWBs use it by default.
    pub default: bool,
    /// Contacts.
    pub contacts: Vec<ContactPerson>,
}

#[derive(Debug)]
struct Account {
    password: String,
    pickup_points: Vec<PickupPoint>,
}

/// Where the last mile ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastMile {
    /// The recipient's door.
    Door,
    /// An easybox (`lockerLastMile`).
    Locker(i64),
    /// A PUDO point (`oohLastMile`).
    PickupPoint(i64),
}

/// A parcel of an AWB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelRecord {
    /// The parcel's number (AWB number + 3-digit position).
    pub number: String,
    /// 1-based position.
    pub position: usize,
    /// Weight, kg.
    pub weight: Decimal,
    /// Width, length, height in cm, when given.
    pub size: Option<(Decimal, Decimal, Decimal)>,
    /// When it was added (simulated time).
    pub added_at: DateTime<Utc>,
}

/// An AWB as the simulator keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwbRecord {
    /// The AWB number (`1SDY…`).
    pub number: String,
    /// The account (username) that created it.
    pub account: String,
    /// When it was created (simulated time).
    pub created_at: DateTime<Utc>,
    /// The service code (`24`, `LN`, `PP`).
    pub service_code: String,
    /// The pickup point id.
    pub pickup_point: i64,
    /// Recipient name.
    pub recipient_name: String,
    /// Recipient phone.
    pub recipient_phone: String,
    /// Recipient street address.
    pub recipient_address: String,
    /// Recipient city (as resolved: `Sectorul 3`, `Cluj-Napoca`).
    pub recipient_city: String,
    /// Recipient county name.
    pub recipient_county: String,
    /// Where the last mile ends.
    pub last_mile: LastMile,
    /// The parcels.
    pub parcels: Vec<ParcelRecord>,
    /// `packageType`.
    pub package_type: i64,
    /// Cash on delivery (0 when none).
    pub cash_on_delivery: Decimal,
    /// Insured value.
    pub insured_value: Decimal,
    /// The price charged.
    pub cost: Decimal,
    /// `clientInternalReference`.
    pub reference: Option<String>,
    /// `observation`.
    pub observation: Option<String>,
    /// Whether it was deleted (cancelled).
    pub deleted: bool,
}

impl AwbRecord {
    fn timeline(&self) -> &'static [(i64, StatusDef); 5] {
        match self.last_mile {
            LastMile::Door => &DOOR_TIMELINE,
            _ => &OUT_OF_HOME_TIMELINE,
        }
    }

    /// The statuses reached by `now`, oldest first, with their dates.
    pub fn history(&self, now: DateTime<Utc>) -> Vec<(StatusDef, DateTime<Utc>)> {
        self.timeline()
            .iter()
            .map(|(hours, def)| (*def, self.created_at + chrono::Duration::hours(*hours)))
            .filter(|(_, at)| *at <= now)
            .collect()
    }

    /// The current status at `now`.
    pub fn status_at(&self, now: DateTime<Utc>) -> StatusDef {
        self.history(now).last().map_or(ISSUED, |(d, _)| *d)
    }

    fn weight(&self) -> Decimal {
        self.parcels.iter().map(|p| p.weight).sum()
    }

    fn parcel_history(
        &self,
        parcel: &ParcelRecord,
        now: DateTime<Utc>,
    ) -> Vec<(StatusDef, DateTime<Utc>)> {
        let mut out = vec![(ISSUED, parcel.added_at)];
        out.extend(
            self.history(now)
                .into_iter()
                .filter(|(d, at)| d.id != ISSUED.id && *at > parcel.added_at),
        );
        out.into_iter().filter(|(_, at)| *at <= now).collect()
    }
}

#[derive(Debug)]
struct State {
    accounts: HashMap<String, Account>,
    tokens: HashMap<String, (String, DateTime<Utc>)>,
    awbs: BTreeMap<String, AwbRecord>,
    next_awb: u64,
    next_pickup_point: i64,
    next_contact: i64,
    logins: u64,
}

/// The Sameday simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    state: Mutex<State>,
}

fn demo_pickup_points() -> Vec<PickupPoint> {
    vec![
        PickupPoint {
            id: 139,
            county_id: 1,
            city_id: 6,
            address: "Splaiul Independentei 319, OB17C".to_owned(),
            alias: "Software".to_owned(),
            default: false,
            contacts: vec![ContactPerson {
                id: 145,
                name: "Software".to_owned(),
                phone_number: "021.637.06.60".to_owned(),
                default: true,
            }],
        },
        PickupPoint {
            id: 1641,
            county_id: 1,
            city_id: 6,
            address: "Splaiul Independentei 319, OB17C".to_owned(),
            alias: "Customer Care".to_owned(),
            default: true,
            contacts: vec![
                ContactPerson {
                    id: 1740,
                    name: "Customer Care".to_owned(),
                    phone_number: "021.637.06.60".to_owned(),
                    default: true,
                },
                ContactPerson {
                    id: 1741,
                    name: "Depozit".to_owned(),
                    phone_number: "021.637.06.61".to_owned(),
                    default: false,
                },
            ],
        },
    ]
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default account.
    pub fn new(shared: Shared) -> Self {
        let mut accounts = HashMap::new();
        accounts.insert(
            DEFAULT_USERNAME.to_owned(),
            Account {
                password: DEFAULT_PASSWORD.to_owned(),
                pickup_points: demo_pickup_points(),
            },
        );
        Self {
            shared,
            state: Mutex::new(State {
                accounts,
                tokens: HashMap::new(),
                awbs: BTreeMap::new(),
                next_awb: 300_000_001,
                next_pickup_point: 2001,
                next_contact: 3001,
                logins: 0,
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

    /// Adds an account (or replaces its password) with the demo pickup points.
    pub fn add_account(&self, username: &str, password: &str) {
        self.lock().accounts.insert(
            username.to_owned(),
            Account {
                password: password.to_owned(),
                pickup_points: demo_pickup_points(),
            },
        );
    }

    /// How many AWBs exist (deleted ones included).
    pub fn awb_count(&self) -> usize {
        self.lock().awbs.len()
    }

    /// Every AWB, by number.
    pub fn awbs(&self) -> Vec<AwbRecord> {
        self.lock().awbs.values().cloned().collect()
    }

    /// One AWB.
    pub fn awb(&self, number: &str) -> Option<AwbRecord> {
        self.lock().awbs.get(number).cloned()
    }

    /// The AWB with `clientInternalReference` `reference` of `account`, if not deleted.
    pub fn awb_by_reference(&self, account: &str, reference: &str) -> Option<AwbRecord> {
        self.lock()
            .awbs
            .values()
            .find(|a| {
                a.account == account && !a.deleted && a.reference.as_deref() == Some(reference)
            })
            .cloned()
    }

    /// The current `statusId` of an AWB on the simulated clock.
    pub fn status_id(&self, number: &str) -> Option<i64> {
        let now = self.shared.clock.now();
        self.lock().awbs.get(number).map(|a| a.status_at(now).id)
    }

    /// The pickup points of `account`.
    pub fn pickup_points(&self, account: &str) -> Vec<PickupPoint> {
        self.lock()
            .accounts
            .get(account)
            .map(|a| a.pickup_points.clone())
            .unwrap_or_default()
    }

    /// How many successful logins happened.
    pub fn login_count(&self) -> u64 {
        self.lock().logins
    }

    /// The account of a valid token, or the 401 answer.
    fn authenticate(&self, req: &HttpRequest) -> Result<String, Box<HttpResponse>> {
        let token = req
            .headers()
            .get("X-AUTH-TOKEN")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or("");
        if token.is_empty() {
            return Err(Box::new(error(
                StatusCode::UNAUTHORIZED,
                "Authentication token missing",
            )));
        }
        let now = self.shared.clock.now();
        let state = self.lock();
        match state.tokens.get(token) {
            Some((user, expires)) if *expires > now => Ok(user.clone()),
            Some(_) => Err(Box::new(error(StatusCode::UNAUTHORIZED, "Expired token"))),
            None => Err(Box::new(error(StatusCode::UNAUTHORIZED, "Invalid token"))),
        }
    }
}

/// The routes, under `/sameday`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    web::scope("/sameday")
        .app_data(web::Data::from(sim))
        .route("/api/authenticate", web::post().to(login))
        .route("/api/client/services", web::get().to(list_services))
        .route(
            "/api/client/pickup-points",
            web::get().to(list_pickup_points),
        )
        .route(
            "/api/client/pickup-points",
            web::post().to(create_pickup_point),
        )
        .route(
            "/api/client/pickup-points/{id}",
            web::delete().to(delete_pickup_point),
        )
        .route("/api/geolocation/county", web::get().to(list_counties))
        .route("/api/geolocation/city", web::get().to(list_cities))
        .route("/api/client/lockers", web::get().to(list_lockers))
        .route("/api/client/ooh-locations", web::get().to(list_ooh))
        .route("/api/awb", web::post().to(create_awb))
        .route("/api/awb/estimate-cost", web::post().to(estimate_cost))
        .route("/api/awb/download/{awb}/{format}", web::get().to(download))
        .route("/api/awb/{awb}/update-cod", web::put().to(update_cod))
        .route("/api/awb/{awb}/parcel", web::post().to(add_parcel))
        .route("/api/awb/{awb}", web::delete().to(delete_awb))
        .route("/api/client/awb/{awb}/status", web::get().to(awb_status))
        .route(
            "/api/client/parcel/{parcel}/status-history",
            web::get().to(parcel_history),
        )
        .route(
            "/api/client/parcel/{parcel}/size",
            web::put().to(parcel_size),
        )
        .route("/api/client/status-sync", web::get().to(status_sync))
        .default_service(web::to(|| async {
            error(StatusCode::NOT_FOUND, "No route found")
        }))
}

type Data = web::Data<Sim>;

macro_rules! gate {
    ($sim:expr) => {
        if let Some(resp) = $sim.shared.gate(Provider::Sameday).await {
            return resp;
        }
    };
}

macro_rules! auth {
    ($sim:expr, $req:expr) => {
        match $sim.authenticate(&$req) {
            Ok(user) => user,
            Err(resp) => return *resp,
        }
    };
}

fn query(req: &HttpRequest) -> HashMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// `(page, countPerPage)` from the query, clamped to Sameday's bounds.
fn paging(q: &HashMap<String, String>) -> (usize, usize) {
    let page = q
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let per = q
        .get("countPerPage")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, MAX_PAGE_SIZE);
    (page, per)
}

/// A paginated list answer (`total`, `currentPage`, `pages`, `perPage`, `data`).
fn page_of(items: Vec<Value>, q: &HashMap<String, String>) -> HttpResponse {
    let (page, per) = paging(q);
    let total = items.len();
    let pages = total.div_ceil(per).max(1);
    let data: Vec<Value> = items.into_iter().skip((page - 1) * per).take(per).collect();
    json_response(
        StatusCode::OK,
        &json!({"total": total, "currentPage": page, "pages": pages, "perPage": per, "data": data}),
    )
}

async fn login(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let user = header("X-Auth-Username");
    let password = header("X-Auth-Password");
    let now = sim.shared.clock.now();
    let mut state = sim.lock();
    let ok = state
        .accounts
        .get(&user)
        .is_some_and(|a| !password.is_empty() && a.password == password);
    if !ok {
        return error(StatusCode::UNAUTHORIZED, "Bad credentials");
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let expires = now + chrono::Duration::from_std(TOKEN_LIFETIME).unwrap_or_default();
    state.tokens.insert(token.clone(), (user, expires));
    state.logins += 1;
    drop(state);
    json_response(
        StatusCode::OK,
        &json!({
            "token": token,
            "expire_at": bucharest_time(expires).format("%Y-%m-%d %H:%M").to_string(),
        }),
    )
}

fn service_json(s: &ServiceDef) -> Value {
    let taxes: Vec<Value> = if s.code == "24" {
        TAXES_24
            .iter()
            .map(|t| {
                let mut v = json!({
                    "costType": t.cost_type,
                    "id": t.id,
                    "name": t.name,
                    "tax": money(Decimal::from_str(t.tax).unwrap_or_default()),
                    "packageType": t.package_type,
                });
                if let Some(code) = t.code {
                    v["taxCode"] = json!(code);
                }
                v
            })
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "id": s.id,
        "name": s.name,
        "serviceCode": s.code,
        "deliveryType": {"id": 2, "name": "NextDay"},
        "defaultServices": s.code == "24",
        "serviceOptionalTaxes": taxes,
    })
}

async fn list_services(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let _user = auth!(sim, req);
    let items = services().iter().map(service_json).collect();
    page_of(items, &query(&req))
}

fn county_json(id: i64) -> Value {
    match county_by_id(id) {
        Some((id, name, code)) => json!({"id": id, "name": name, "code": code}),
        None => Value::Null,
    }
}

fn pickup_point_json(p: &PickupPoint) -> Value {
    let city = city_by_id(p.city_id);
    json!({
        "id": p.id,
        "country": {"id": 187, "name": "Romania", "code": "RO"},
        "county": county_json(p.county_id),
        "city": {
            "samedayDeliveryAgency": "B_SEMA_A03",
            "samedayPickupAgency": "B_SEMA_A03",
            "id": p.city_id,
            "name": city.map_or("", |c| c.1),
            "extraKM": 0,
        },
        "address": p.address,
        "defaultPickupPoint": p.default,
        "pickupPointContactPerson": p.contacts.iter().map(|c| json!({
            "id": c.id,
            "name": c.name,
            "phoneNumber": c.phone_number,
            "defaultContactPerson": c.default,
        })).collect::<Vec<_>>(),
        "alias": p.alias,
        "status": true,
    })
}

async fn list_pickup_points(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let items = sim
        .pickup_points(&user)
        .iter()
        .map(pickup_point_json)
        .collect();
    page_of(items, &query(&req))
}

async fn create_pickup_point(sim: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let form = Form::parse(&body);
    let mut problems = Problems::default();
    if parse_id(&mut problems, &["country"], form.get("country")).is_none_or(|c| c != 187)
        && !problems.0.iter().any(|(p, _)| p[0] == "country")
    {
        problems.add(&["country"], "Invalid country.");
    }
    let county = parse_id(&mut problems, &["county"], form.get("county"));
    if county.is_none_or(|c| county_by_id(c).is_none()) {
        problems.add(&["county"], "Invalid county.");
    }
    let city = parse_id(&mut problems, &["city"], form.get("city"));
    match city.and_then(city_by_id) {
        Some(c) if Some(c.2) == county => {}
        _ => problems.add(&["city"], "Invalid city."),
    }
    for field in ["address", "alias"] {
        if form.get(field).is_none() {
            problems.add(&[field], "This value should not be blank.");
        }
    }
    let contacts = form.indices("pickupPointContactPerson");
    if contacts.is_empty() {
        problems.add(
            &["pickupPointContactPerson"],
            "At least one contact person is required.",
        );
    }
    for i in &contacts {
        let idx = i.to_string();
        for field in ["name", "phoneNumber"] {
            if form
                .get(&format!("pickupPointContactPerson[{i}][{field}]"))
                .is_none()
            {
                problems.add(
                    &["pickupPointContactPerson", &idx, field],
                    "This value should not be blank.",
                );
            }
        }
    }
    if !problems.is_empty() {
        return problems.response();
    }
    let make_default = form.get("defaultPickupPoint") == Some("1");
    let (id, people) = {
        let mut state = sim.lock();
        let id = state.next_pickup_point;
        state.next_pickup_point += 1;
        let mut people = Vec::new();
        for i in &contacts {
            let cid = state.next_contact;
            state.next_contact += 1;
            people.push(ContactPerson {
                id: cid,
                name: form
                    .get(&format!("pickupPointContactPerson[{i}][name]"))
                    .unwrap_or_default()
                    .to_owned(),
                phone_number: form
                    .get(&format!("pickupPointContactPerson[{i}][phoneNumber]"))
                    .unwrap_or_default()
                    .to_owned(),
                default: form.get(&format!("pickupPointContactPerson[{i}][default]")) == Some("1"),
            });
        }
        let Some(account) = state.accounts.get_mut(&user) else {
            return error(StatusCode::UNAUTHORIZED, "Invalid token");
        };
        if make_default {
            for p in &mut account.pickup_points {
                p.default = false;
            }
        }
        account.pickup_points.push(PickupPoint {
            id,
            county_id: county.unwrap_or_default(),
            city_id: city.unwrap_or_default(),
            address: form.get("address").unwrap_or_default().to_owned(),
            alias: form.get("alias").unwrap_or_default().to_owned(),
            default: make_default,
            contacts: people.clone(),
        });
        (id, people)
    };
    sim.shared.after_effect(Provider::Sameday).await;
    json_response(
        StatusCode::CREATED,
        &json!({"id": id, "contactPersons": people.iter().map(|c| json!({
            "id": c.id, "name": c.name, "phoneNumber": c.phone_number, "default": c.default,
        })).collect::<Vec<_>>()}),
    )
}

async fn delete_pickup_point(sim: Data, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let id = path.into_inner().parse::<i64>().unwrap_or(-1);
    {
        let mut state = sim.lock();
        let Some(account) = state.accounts.get_mut(&user) else {
            return error(StatusCode::UNAUTHORIZED, "Invalid token");
        };
        let before = account.pickup_points.len();
        account.pickup_points.retain(|p| p.id != id);
        if account.pickup_points.len() == before {
            return error(StatusCode::NOT_FOUND, "Pickup point not found");
        }
    }
    sim.shared.after_effect(Provider::Sameday).await;
    HttpResponse::NoContent().finish()
}

async fn list_counties(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let _user = auth!(sim, req);
    let q = query(&req);
    let name = q.get("name").map(|n| fold(n));
    let items = COUNTIES
        .iter()
        .filter(|(_, n, _)| name.as_ref().is_none_or(|f| fold(n).contains(f.as_str())))
        .map(|c| county_json(c.0))
        .collect();
    page_of(items, &q)
}

async fn list_cities(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let _user = auth!(sim, req);
    let q = query(&req);
    let county = q.get("county").and_then(|c| c.parse::<i64>().ok());
    let name = q.get("name").map(|n| fold(n));
    let postal = q.get("postalCode");
    let items = CITIES
        .iter()
        .filter(|c| county.is_none_or(|id| c.2 == id))
        .filter(|c| name.as_ref().is_none_or(|f| fold(c.1).contains(f.as_str())))
        .filter(|c| postal.is_none_or(|p| p == c.3))
        .map(|(id, name, county, postal)| {
            json!({
                "samedayDeliveryAgency": "SANDBOX_A01",
                "samedayPickupAgency": "SANDBOX_A01",
                "nextDayDeliveryAgency": "SANDBOX_A01",
                "logisticCircle": "Cerc 1",
                "id": id,
                "name": name,
                "county": county_json(*county),
                "postalCode": postal,
                "extraKM": 0,
                "village": name,
            })
        })
        .collect();
    page_of(items, &q)
}

fn ids_filter(q: &HashMap<String, String>, key: &str) -> Option<Vec<i64>> {
    q.get(key).map(|list| {
        list.split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    })
}

fn schedule(locker: bool) -> Value {
    if locker {
        json!(
            (1..=7)
                .map(|d| json!({"day": d, "openingHour": "00:00", "closingHour": "23:59"}))
                .collect::<Vec<_>>()
        )
    } else {
        json!(
            (1..=6)
                .map(|d| json!({"day": d, "openingHour": "08:00", "closingHour": "22:00"}))
                .collect::<Vec<_>>()
        )
    }
}

fn place(o: &OohDef) -> (&'static str, &'static str) {
    (
        county_by_id(o.county_id).map_or("", |c| c.1),
        city_by_id(o.city_id).map_or("", |c| c.1),
    )
}

async fn list_lockers(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let _user = auth!(sim, req);
    let wanted = ids_filter(&query(&req), "lockersList");
    let items: Vec<Value> = OOH
        .iter()
        .filter(|o| o.locker)
        .filter(|o| wanted.as_ref().is_none_or(|w| w.contains(&o.id)))
        .map(|o| {
            let (county, city) = place(o);
            json!({
                "name": o.name,
                "county": county,
                "countyId": o.county_id,
                "city": city,
                "cityId": o.city_id,
                "address": o.address,
                "postalCode": o.postal_code,
                "lat": o.lat,
                "lng": o.lng,
                "phone": "0213000000",
                "email": "easybox@sameday.ro",
                "availableBoxes": [{"size": "S", "number": 15}, {"size": "M", "number": 9}, {"size": "L", "number": 3}],
                "lockerId": o.id,
                "supportedPayment": u8::from(o.card_payment),
                "clientVisible": 1,
                "schedule": schedule(true),
            })
        })
        .collect();
    json_response(StatusCode::OK, &Value::Array(items))
}

async fn list_ooh(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let _user = auth!(sim, req);
    let q = query(&req);
    let wanted = ids_filter(&q, "locationsList");
    let items = OOH
        .iter()
        .filter(|o| wanted.as_ref().is_none_or(|w| w.contains(&o.id)))
        .map(|o| {
            let (county, city) = place(o);
            json!({
                "oohId": o.id,
                "name": o.name,
                "county": county,
                "country": "Romania",
                "city": city,
                "address": o.address,
                "postalCode": o.postal_code,
                "lat": o.lat,
                "lng": o.lng,
                "phone": "0213000000",
                "email": "",
                "schedule": schedule(o.locker),
                "oohType": if o.locker { 0 } else { 1 },
            })
        })
        .collect();
    page_of(items, &q)
}

/// Width, length, height in cm.
type Size = (Decimal, Decimal, Decimal);

/// A validated AWB body, before it gets a number.
struct AwbInput {
    service: &'static str,
    pickup_point: i64,
    package_type: i64,
    weights: Vec<(Decimal, Option<Size>)>,
    cod: Decimal,
    insured: Decimal,
    taxes: Vec<i64>,
    name: String,
    phone: String,
    address: String,
    city: String,
    county: String,
    last_mile: LastMile,
    reference: Option<String>,
    observation: Option<String>,
}

/// Checks an AWB (or estimate) body the way Sameday does.
fn validate_awb(form: &Form, account: &Account) -> Result<AwbInput, Problems> {
    let mut p = Problems::default();

    let pickup_point = parse_id(&mut p, &["pickupPoint"], form.get("pickupPoint"));
    let point = pickup_point.and_then(|id| account.pickup_points.iter().find(|pp| pp.id == id));
    if point.is_none() {
        p.add(&["pickupPoint"], "The given pickupPoint is invalid!");
    }
    if let Some(contact) = parse_id(&mut p, &["contactPerson"], form.get("contactPerson"))
        && point.is_some_and(|pp| !pp.contacts.iter().any(|c| c.id == contact))
    {
        p.add(&["contactPerson"], "The given contactPerson is invalid!");
    }

    let service_id = parse_id(&mut p, &["service"], form.get("service"));
    let service = service_id.and_then(|id| services().into_iter().find(|s| s.id == id));
    if service.is_none() {
        p.add(&["service"], "The given service is invalid!");
    }

    let package_type = parse_id(&mut p, &["packageType"], form.get("packageType")).unwrap_or(0);
    if !(0..=2).contains(&package_type) {
        p.add(&["packageType"], "The selected choice is invalid.");
    }
    match form.get("awbPayment") {
        Some("1") => {}
        None => p.add(&["awbPayment"], "This value should not be blank."),
        Some(_) => p.add(
            &["awbPayment"],
            "Only the client (1) may pay on this account.",
        ),
    }

    let mut weights = Vec::new();
    let indices = form.indices("parcels");
    if indices.is_empty() {
        p.add(&["parcels"], "At least one parcel is required.");
    }
    for i in &indices {
        let idx = i.to_string();
        let key = |f: &str| format!("parcels[{i}][{f}]");
        let weight = parse_decimal(
            &mut p,
            &["parcels", &idx, "weight"],
            form.get(&key("weight")),
        );
        match weight {
            Some(w) if w > Decimal::ZERO => {}
            Some(_) => p.add(
                &["parcels", &idx, "weight"],
                "This value should be greater than 0.",
            ),
            None => p.add(
                &["parcels", &idx, "weight"],
                "This value should not be blank.",
            ),
        }
        let mut dims = Vec::new();
        for f in ["width", "length", "height"] {
            let v = parse_decimal(&mut p, &["parcels", &idx, f], form.get(&key(f)));
            if v.is_some_and(|d| d <= Decimal::ZERO) {
                p.add(
                    &["parcels", &idx, f],
                    "This value should be greater than 0.",
                );
            }
            dims.push(v);
        }
        let size = match dims[..] {
            [Some(w), Some(l), Some(h)] => Some((w, l, h)),
            _ => None,
        };
        weights.push((weight.unwrap_or_default(), size));
    }
    if let Some(pw) = parse_decimal(&mut p, &["packageWeight"], form.get("packageWeight"))
        && pw <= Decimal::ZERO
    {
        p.add(&["packageWeight"], "This value should be greater than 0.");
    }
    if let Some(n) = parse_id(&mut p, &["packageNumber"], form.get("packageNumber"))
        && usize::try_from(n).ok() != Some(indices.len())
    {
        p.add(
            &["packageNumber"],
            "The number of packages does not match the parcels.",
        );
    }

    let cod =
        parse_decimal(&mut p, &["cashOnDelivery"], form.get("cashOnDelivery")).unwrap_or_default();
    if cod < Decimal::ZERO {
        p.add(&["cashOnDelivery"], "This value should be 0 or more.");
    }
    let insured =
        parse_decimal(&mut p, &["insuredValue"], form.get("insuredValue")).unwrap_or_default();
    if insured < Decimal::ZERO {
        p.add(&["insuredValue"], "This value should be 0 or more.");
    }
    if let Some(currency) = form.get("currency")
        && !matches!(currency, "RON" | "EUR")
    {
        p.add(&["currency"], "The selected currency is invalid.");
    }

    let mut taxes = Vec::new();
    for i in form.indices("serviceTaxes") {
        let idx = i.to_string();
        if let Some(id) = parse_id(
            &mut p,
            &["serviceTaxes", &idx],
            form.get(&format!("serviceTaxes[{i}]")),
        ) {
            let ok = service.as_ref().is_some_and(|s| s.code == "24")
                && TAXES_24
                    .iter()
                    .any(|t| t.id == id && t.package_type == package_type);
            if ok {
                taxes.push(id);
            } else {
                p.add(
                    &["serviceTaxes", &idx],
                    "The given service tax is not available for this service.",
                );
            }
        }
    }

    // Recipient.
    let r = |f: &str| form.get(&format!("awbRecipient[{f}]"));
    for f in ["name", "phoneNumber", "address"] {
        if r(f).is_none() {
            p.add(&["awbRecipient", f], "This value should not be blank.");
        }
    }
    let county_id = match (r("county"), r("countyString")) {
        (Some(id), _) => id
            .parse::<i64>()
            .ok()
            .filter(|id| county_by_id(*id).is_some()),
        (None, Some(name)) => county_by_name(name),
        (None, None) => None,
    };
    let county_field = if r("county").is_some() {
        "county"
    } else {
        "countyString"
    };
    if county_id.is_none() {
        p.add(&["awbRecipient", county_field], "Invalid county.");
    }
    let city_field = if r("city").is_some() {
        "city"
    } else {
        "cityString"
    };
    let city = match (r("city"), r("cityString")) {
        (Some(id), _) => id
            .parse::<i64>()
            .ok()
            .and_then(city_by_id)
            .filter(|c| county_id.is_none_or(|county| c.2 == county))
            .map(|c| c.1.to_owned()),
        (None, Some(name)) if county_id == Some(1) => {
            sector_of(name).map(|n| format!("Sectorul {n}"))
        }
        (None, Some(name)) => Some(name.to_owned()),
        (None, None) => None,
    };
    if city.is_none() {
        p.add(&["awbRecipient", city_field], "Invalid city.");
    }

    // Last mile.
    let locker_last_mile = parse_id(&mut p, &["lockerLastMile"], form.get("lockerLastMile"));
    let ooh_last_mile = parse_id(&mut p, &["oohLastMile"], form.get("oohLastMile"));
    let code = service.as_ref().map_or("", |s| s.code);
    let mut last_mile = LastMile::Door;
    if code == "LN" {
        match locker_last_mile.filter(|id| OOH.iter().any(|o| o.locker && o.id == *id)) {
            Some(id) => last_mile = LastMile::Locker(id),
            None => p.add(
                &["lockerLastMile"],
                "LockerLastMile dat este invalid (se poate folosi si campul lockerId, dar este deprecated).",
            ),
        }
    } else if locker_last_mile.is_some() {
        p.add(
            &["lockerLastMile"],
            "The lockerLastMile field is only accepted with a locker service.",
        );
    }
    if code == "PP" {
        match ooh_last_mile.filter(|id| OOH.iter().any(|o| !o.locker && o.id == *id)) {
            Some(id) => last_mile = LastMile::PickupPoint(id),
            None => p.add(&["oohLastMile"], "OohLastMile dat este invalid."),
        }
    } else if ooh_last_mile.is_some() {
        p.add(
            &["oohLastMile"],
            "The oohLastMile field is only accepted with a PUDO service.",
        );
    }

    if !p.is_empty() {
        return Err(p);
    }
    let county_name = county_id
        .and_then(county_by_id)
        .map_or(String::new(), |c| c.1.to_owned());
    Ok(AwbInput {
        service: code,
        pickup_point: pickup_point.unwrap_or_default(),
        package_type,
        weights,
        cod,
        insured,
        taxes,
        name: r("name").unwrap_or_default().to_owned(),
        phone: r("phoneNumber").unwrap_or_default().to_owned(),
        address: r("address").unwrap_or_default().to_owned(),
        city: city.unwrap_or_default(),
        county: county_name,
        last_mile,
        reference: form.get("clientInternalReference").map(str::to_owned),
        observation: form.get("observation").map(str::to_owned),
    })
}

/// The sandbox tariff: the service's base price, 1.20 per started kg above 1 kg, 2.00 for
/// COD, 1 % of the insured value, and the open-package tax (1.1 % of the base price).
fn price(input: &AwbInput) -> Decimal {
    let service = services().into_iter().find(|s| s.code == input.service);
    let base = service.map_or(Decimal::new(1650, 2), |s| s.base_price);
    let weight: Decimal = input.weights.iter().map(|w| w.0).sum();
    let extra_kg = (weight - Decimal::ONE).max(Decimal::ZERO).ceil();
    let mut total = base + extra_kg * Decimal::new(120, 2);
    if input.cod > Decimal::ZERO {
        total += Decimal::new(200, 2);
    }
    total += input.insured * Decimal::new(1, 2);
    if input.taxes.contains(&23) {
        total += base * Decimal::new(11, 3);
    }
    if input.taxes.contains(&20) {
        total += Decimal::from(6);
    }
    total.round_dp(2)
}

async fn estimate_cost(sim: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let form = Form::parse(&body);
    let result = {
        let state = sim.lock();
        match state.accounts.get(&user) {
            Some(account) => validate_awb(&form, account),
            None => return error(StatusCode::UNAUTHORIZED, "Invalid token"),
        }
    };
    match result {
        Ok(input) => json_response(
            StatusCode::OK,
            &json!({
                "amount": money(price(&input)),
                "currency": "RON",
                "time": if input.last_mile == LastMile::Door { 24 } else { 48 },
            }),
        ),
        Err(p) => p.response(),
    }
}

async fn create_awb(sim: Data, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let form = Form::parse(&body);
    let now = sim.shared.clock.now();
    let (number, parcels, cost) = {
        let mut state = sim.lock();
        let input = match state.accounts.get(&user) {
            Some(account) => validate_awb(&form, account),
            None => return error(StatusCode::UNAUTHORIZED, "Invalid token"),
        };
        let input = match input {
            Ok(input) => input,
            Err(p) => return p.response(),
        };
        if let Some(reference) = &input.reference
            && state.awbs.values().any(|a| {
                a.account == user && !a.deleted && a.reference.as_deref() == Some(reference)
            })
        {
            let mut p = Problems::default();
            p.add(&["clientInternalReference"], "awb.not_unique");
            return p.response();
        }
        let number = format!("1SDY{:09}", state.next_awb);
        state.next_awb += 1;
        let parcels: Vec<ParcelRecord> = input
            .weights
            .iter()
            .enumerate()
            .map(|(i, (weight, size))| ParcelRecord {
                number: format!("{number}{:03}", i + 1),
                position: i + 1,
                weight: *weight,
                size: *size,
                added_at: now,
            })
            .collect();
        let cost = price(&input);
        let record = AwbRecord {
            number: number.clone(),
            account: user,
            created_at: now,
            service_code: input.service.to_owned(),
            pickup_point: input.pickup_point,
            recipient_name: input.name,
            recipient_phone: input.phone,
            recipient_address: input.address,
            recipient_city: input.city,
            recipient_county: input.county,
            last_mile: input.last_mile,
            parcels: parcels.clone(),
            package_type: input.package_type,
            cash_on_delivery: input.cod,
            insured_value: input.insured,
            cost,
            reference: input.reference,
            observation: input.observation,
            deleted: false,
        };
        state.awbs.insert(number.clone(), record);
        (number, parcels, cost)
    };
    sim.shared.after_effect(Provider::Sameday).await;
    let base = format!(
        "{}://{}",
        req.connection_info().scheme(),
        req.connection_info().host()
    );
    json_response(
        StatusCode::CREATED,
        &json!({
            "awbNumber": number,
            "awbCost": money(cost),
            "parcels": parcels.iter().map(|p| json!({"position": p.position, "awbNumber": p.number})).collect::<Vec<_>>(),
            "pdfLink": format!("{base}/sameday/api/awb/download/{number}"),
        }),
    )
}

/// Runs `f` on the caller's live (not deleted) AWB, or answers 404.
fn with_awb<T>(
    sim: &Sim,
    user: &str,
    number: &str,
    f: impl FnOnce(&mut AwbRecord) -> T,
) -> Result<T, Box<HttpResponse>> {
    let mut state = sim.lock();
    match state.awbs.get_mut(number) {
        Some(a) if a.account == user && !a.deleted => Ok(f(a)),
        _ => Err(Box::new(error(StatusCode::NOT_FOUND, "Awb not found"))),
    }
}

async fn delete_awb(sim: Data, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let now = sim.shared.clock.now();
    let result = with_awb(&sim, &user, &path, |a| {
        if a.status_at(now).id == ISSUED.id {
            a.deleted = true;
            true
        } else {
            false
        }
    });
    match result {
        Ok(true) => {
            sim.shared.after_effect(Provider::Sameday).await;
            HttpResponse::NoContent().finish()
        }
        Ok(false) => error(
            StatusCode::BAD_REQUEST,
            "The awb cannot be deleted: the parcel was already picked up.",
        ),
        Err(resp) => *resp,
    }
}

async fn download(sim: Data, req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let (number, format) = path.into_inner();
    let (w, h) = match format.as_str() {
        "A4" => (595, 842),
        "A6" => (298, 420),
        _ => return error(StatusCode::BAD_REQUEST, "Invalid format. Use A4 or A6."),
    };
    let lines = with_awb(&sim, &user, &number, |a| {
        let mut lines = vec![
            format!("SAMEDAY AWB {}", a.number),
            format!("Serviciu: {}", a.service_code),
            format!("Destinatar: {}", a.recipient_name),
            format!("Tel: {}", a.recipient_phone),
            format!(
                "{}, {}, {}",
                a.recipient_address, a.recipient_city, a.recipient_county
            ),
            format!("Ramburs: {} RON", a.cash_on_delivery),
            format!("Colete: {}  Greutate: {} kg", a.parcels.len(), a.weight()),
        ];
        if let Some(r) = &a.reference {
            lines.push(format!("Ref: {r}"));
        }
        for p in &a.parcels {
            lines.push(format!("Colet {}: {}", p.position, p.number));
        }
        lines
    });
    match lines {
        Ok(lines) => HttpResponse::Ok()
            .content_type("application/pdf")
            .body(simple_pdf(w, h, &lines)),
        Err(resp) => *resp,
    }
}

async fn update_cod(
    sim: Data,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let form = Form::parse(&body);
    let mut p = Problems::default();
    let amount = parse_decimal(&mut p, &["cashOnDelivery"], form.get("cashOnDelivery"));
    match amount {
        Some(a) if a < Decimal::ZERO => {
            p.add(&["cashOnDelivery"], "This value should be 0 or more.")
        }
        None if p.is_empty() => p.add(&["cashOnDelivery"], "This value should not be blank."),
        _ => {}
    }
    if !p.is_empty() {
        return p.response();
    }
    let now = sim.shared.clock.now();
    let result = with_awb(&sim, &user, &path, |a| {
        if a.status_at(now).id == DELIVERED.id {
            false
        } else {
            a.cash_on_delivery = amount.unwrap_or_default();
            true
        }
    });
    match result {
        Ok(true) => {
            sim.shared.after_effect(Provider::Sameday).await;
            HttpResponse::Ok().finish()
        }
        Ok(false) => error(
            StatusCode::BAD_REQUEST,
            "The cash on delivery of a delivered awb cannot be changed.",
        ),
        Err(resp) => *resp,
    }
}

async fn add_parcel(
    sim: Data,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let form = Form::parse(&body);
    let mut p = Problems::default();
    let weight = parse_decimal(&mut p, &["weight"], form.get("weight"));
    if weight.is_none_or(|w| w <= Decimal::ZERO) && p.is_empty() {
        p.add(&["weight"], "This value should be greater than 0.");
    }
    let mut dims = Vec::new();
    for f in ["width", "length", "height"] {
        dims.push(parse_decimal(&mut p, &[f], form.get(f)));
    }
    if !p.is_empty() {
        return p.response();
    }
    let size = match dims[..] {
        [Some(w), Some(l), Some(h)] => Some((w, l, h)),
        _ => None,
    };
    let now = sim.shared.clock.now();
    let result = with_awb(&sim, &user, &path, |a| {
        if a.status_at(now).id != ISSUED.id {
            return false;
        }
        let position = a.parcels.len() + 1;
        a.parcels.push(ParcelRecord {
            number: format!("{}{position:03}", a.number),
            position,
            weight: weight.unwrap_or_default(),
            size,
            added_at: now,
        });
        true
    });
    match result {
        Ok(true) => {
            sim.shared.after_effect(Provider::Sameday).await;
            HttpResponse::Created().finish()
        }
        Ok(false) => error(
            StatusCode::BAD_REQUEST,
            "Parcels can only be added before the awb is picked up.",
        ),
        Err(resp) => *resp,
    }
}

/// The AWB number of a parcel number (the last three digits are the position).
fn awb_of_parcel(parcel: &str) -> Option<&str> {
    (parcel.len() > 3).then(|| &parcel[..parcel.len() - 3])
}

async fn parcel_size(
    sim: Data,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let parcel = path.into_inner();
    let form = Form::parse(&body);
    let mut p = Problems::default();
    let weight = parse_decimal(&mut p, &["weight"], form.get("weight"));
    if weight.is_none_or(|w| w <= Decimal::ZERO) && p.is_empty() {
        p.add(&["weight"], "This value should be greater than 0.");
    }
    let mut dims = Vec::new();
    for f in ["width", "length", "height"] {
        dims.push(parse_decimal(&mut p, &[f], form.get(f)));
    }
    if !p.is_empty() {
        return p.response();
    }
    let Some(number) = awb_of_parcel(&parcel) else {
        return error(StatusCode::NOT_FOUND, "Parcel not found");
    };
    let now = sim.shared.clock.now();
    let result = with_awb(&sim, &user, number, |a| {
        if a.status_at(now).id == DELIVERED.id {
            return Some(false);
        }
        let rec = a.parcels.iter_mut().find(|x| x.number == parcel)?;
        rec.weight = weight.unwrap_or_default();
        if let [Some(w), Some(l), Some(h)] = dims[..] {
            rec.size = Some((w, l, h));
        }
        Some(true)
    });
    match result {
        Ok(Some(true)) => {
            sim.shared.after_effect(Provider::Sameday).await;
            HttpResponse::Ok().finish()
        }
        Ok(Some(false)) => error(
            StatusCode::BAD_REQUEST,
            "The size of a delivered parcel cannot be changed.",
        ),
        Ok(None) | Err(_) => error(StatusCode::NOT_FOUND, "Parcel not found"),
    }
}

fn entry_json(a: &AwbRecord, def: StatusDef, at: DateTime<Utc>) -> Value {
    let county = if matches!(def.id, 1 | 4) {
        "Bucuresti".to_owned()
    } else {
        a.recipient_county.clone()
    };
    json!({
        "statusId": def.id,
        "status": def.status,
        "statusLabel": def.label,
        "statusState": def.state,
        "statusDate": sameday_time(at),
        "county": county,
        "reason": "",
        "transitLocation": if def.id == IN_TRANSIT.id { "Hub Chiajna" } else { "" },
    })
}

fn parcel_details(base: &str, parcel: &str) -> String {
    format!("{base}/sameday/api/client/parcel/{parcel}/status-history")
}

fn base_of(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

async fn awb_status(sim: Data, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let now = sim.shared.clock.now();
    let base = base_of(&req);
    let result = with_awb(&sim, &user, &path, |a| {
        let history = a.history(now);
        let (current, current_at) = history.last().copied().unwrap_or((ISSUED, a.created_at));
        let delivered = current.id == DELIVERED.id;
        let attempts = i64::from(
            history
                .iter()
                .any(|(d, _)| d.id == OUT_FOR_DELIVERY.id || d.id == DELIVERED.id),
        );
        let parcels: Vec<Value> = a
            .parcels
            .iter()
            .map(|p| {
                let ph = a.parcel_history(p, now);
                let (d, at) = ph.last().copied().unwrap_or((ISSUED, p.added_at));
                let mut e = entry_json(a, d, at);
                e["county"] = json!("");
                e["parcelAwbNumber"] = json!(p.number);
                e["parcelDetails"] = json!(parcel_details(&base, &p.number));
                e
            })
            .collect();
        json!({
            "expeditionSummary": {
                "deliveredAt": if delivered { sameday_time(current_at) } else { String::new() },
                "lastDeliveryAttempt": "",
                "delivered": delivered,
                "canceled": false,
                "deliveryAttempts": attempts,
                "servicePayment": 0,
                "awbWeight": money(a.weight()),
                "cashOnDelivery": money(a.cash_on_delivery),
                "awbNumber": a.number,
                "redirectionsAttempts": 0,
            },
            "expeditionStatus": entry_json(a, current, current_at),
            "parcelsStatus": parcels,
            "expeditionHistory": history.iter().rev().map(|(d, at)| entry_json(a, *d, *at)).collect::<Vec<_>>(),
        })
    });
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(resp) => *resp,
    }
}

async fn parcel_history(sim: Data, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let parcel = path.into_inner();
    let now = sim.shared.clock.now();
    let base = base_of(&req);
    let Some(number) = awb_of_parcel(&parcel) else {
        return error(StatusCode::NOT_FOUND, "Parcel not found");
    };
    let result = with_awb(&sim, &user, number, |a| {
        let p = a.parcels.iter().find(|x| x.number == parcel)?;
        let history = a.parcel_history(p, now);
        let delivered_at = history
            .iter()
            .find(|(d, _)| d.id == DELIVERED.id)
            .map(|(_, at)| *at);
        let picked_up_at = history
            .iter()
            .find(|(d, _)| d.id == PICKED_UP.id)
            .map(|(_, at)| *at);
        let awb_history = a.history(now);
        let (current, current_at) = awb_history
            .last()
            .copied()
            .unwrap_or((ISSUED, a.created_at));
        let mut expedition = entry_json(a, current, current_at);
        expedition["expeditionDetails"] =
            json!(format!("{base}/sameday/api/client/awb/{}/status", a.number));
        Some(json!({
            "parcelSummary": {
                "deliveredAt": delivered_at.map(sameday_time).unwrap_or_default(),
                "lastDeliveryAttempt": delivered_at.map(sameday_time).unwrap_or_default(),
                "delivered": delivered_at.is_some(),
                "canceled": false,
                "deliveryAttempts": i64::from(delivered_at.is_some()),
                "parcelAwbNumber": p.number,
                "parcelWeight": money(p.weight),
                "isPickedUp": picked_up_at.is_some(),
                "pickedUpAt": picked_up_at.map(sameday_time).unwrap_or_default(),
            },
            "parcelHistory": history.iter().map(|(d, at)| {
                let mut e = entry_json(a, *d, *at);
                e["inReturn"] = json!(false);
                e
            }).collect::<Vec<_>>(),
            "expeditionStatus": expedition,
        }))
    });
    match result {
        Ok(Some(body)) => json_response(StatusCode::OK, &body),
        Ok(None) | Err(_) => error(StatusCode::NOT_FOUND, "Parcel not found"),
    }
}

async fn status_sync(sim: Data, req: HttpRequest) -> HttpResponse {
    gate!(sim);
    let user = auth!(sim, req);
    let q = query(&req);
    let mut p = Problems::default();
    let start = parse_id(
        &mut p,
        &["startTimestamp"],
        q.get("startTimestamp").map(String::as_str),
    );
    let end = parse_id(
        &mut p,
        &["endTimestamp"],
        q.get("endTimestamp").map(String::as_str),
    );
    if !p.is_empty() {
        return p.response();
    }
    let (Some(start), Some(end)) = (start, end) else {
        return error(
            StatusCode::BAD_REQUEST,
            "startTimestamp and endTimestamp are required.",
        );
    };
    if end <= start {
        return error(
            StatusCode::BAD_REQUEST,
            "endTimestamp must be greater than startTimestamp.",
        );
    }
    if end - start > MAX_STATUS_SYNC_WINDOW_SECS {
        return error(
            StatusCode::BAD_REQUEST,
            "The interval between startTimestamp and endTimestamp must be at most 2 hours.",
        );
    }
    let (Some(from), Some(to)) = (
        DateTime::<Utc>::from_timestamp(start, 0),
        DateTime::<Utc>::from_timestamp(end, 0),
    ) else {
        return error(StatusCode::BAD_REQUEST, "Invalid timestamps.");
    };
    let now = sim.shared.clock.now();
    let base = base_of(&req);
    let mut entries: Vec<(DateTime<Utc>, String, Value)> = Vec::new();
    {
        let state = sim.lock();
        for a in state
            .awbs
            .values()
            .filter(|a| a.account == user && !a.deleted)
        {
            for parcel in &a.parcels {
                for (def, at) in a.parcel_history(parcel, now) {
                    if at >= from && at < to {
                        entries.push((
                            at,
                            parcel.number.clone(),
                            json!({
                                "status": def.status,
                                "statusId": def.id,
                                "statusLabel": def.label,
                                "statusState": def.state,
                                "transitLocation": if def.id == IN_TRANSIT.id { "Hub Chiajna" } else { "" },
                                "statusDate": sameday_time(at),
                                "parcelAwbNumber": parcel.number,
                                "reasonId": "",
                                "reason": "",
                                "parcelDetails": parcel_details(&base, &parcel.number),
                            }),
                        ));
                    }
                }
            }
        }
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let (page, per) = paging(&q);
    let data: Vec<Value> = entries
        .into_iter()
        .skip((page - 1) * per)
        .take(per)
        .map(|e| e.2)
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"currentPage": page, "perPage": per, "data": data}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_names_and_sectors() {
        assert_eq!(county_by_name("București"), Some(1));
        assert_eq!(county_by_name("CJ"), Some(14));
        assert_eq!(county_by_name("Caraș Severin"), Some(13));
        assert_eq!(sector_of("Sectorul 3"), Some(3));
        assert_eq!(sector_of("sector 6"), Some(6));
        assert_eq!(sector_of("Sectorul 7"), None);
        assert_eq!(sector_of("Bucuresti"), None);
    }

    #[test]
    fn the_error_tree_nests_like_symfony() {
        let mut p = Problems::default();
        p.add(&["awbRecipient", "cityString"], "Invalid city.");
        p.add(
            &["parcels", "0", "weight"],
            "This value should be greater than 0.",
        );
        p.add(&["pickupPoint"], "The given pickupPoint is invalid!");
        let mut children = serde_json::Map::new();
        for (path, m) in &p.0 {
            insert_error(&mut children, path, m);
        }
        let v = Value::Object(children);
        assert_eq!(
            v["awbRecipient"]["children"]["cityString"]["errors"][0],
            "Invalid city."
        );
        assert_eq!(
            v["parcels"]["children"]["0"]["children"]["weight"]["errors"][0],
            "This value should be greater than 0."
        );
        assert_eq!(
            v["pickupPoint"]["errors"][0],
            "The given pickupPoint is invalid!"
        );
    }

    #[test]
    fn forms_with_php_brackets() {
        let f = Form::parse(b"parcels%5B0%5D%5Bweight%5D=1.5&parcels%5B1%5D%5Bweight%5D=2&awbRecipient%5Bname%5D=Ana+Pop");
        assert_eq!(f.get("awbRecipient[name]"), Some("Ana Pop"));
        assert_eq!(
            f.indices("parcels").into_iter().collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn pdfs_start_like_pdfs() {
        let pdf = simple_pdf(298, 420, &["AWB (1)".to_owned()]);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }
}
