//! The Oblio simulator, under `/oblio/` (the SDK's base URL is `http://HOST/oblio/` in place
//! of `https://www.oblio.eu/`).
//!
//! ## Default account
//!
//! | what | value |
//! |---|---|
//! | `client_id` (login email) | [`DEFAULT_EMAIL`] `contabil@flux-demo.ro` |
//! | `client_secret` (API secret) | [`DEFAULT_SECRET`] `sandbox-oblio-secret` |
//! | company CIF | [`DEFAULT_CIF`] `RO37311090` (`FLUX DEMO SRL`) |
//! | series | `FCT` (Factura), `PR` (Proforma), `AVZ` (Aviz), `CH` (Chitanta), all from `0001` |
//! | VAT rates | `Normala` 21 (default), `Redusa` 11, `SDD` 0, `SFDD` 0, `Taxare inversa` 0 |
//! | stock rooms | `Magazin` / `Sediu` |
//!
//! More accounts: [`Sim::add_account`]. Wrong credentials get HTTP 401
//! `The client credentials are invalid`; an unknown or expired token HTTP 401
//! `The access token provided is invalid`; a CIF the user has no access to HTTP 403.
//!
//! ## What it does
//!
//! - `POST api/authorize/token`: the client-credentials token (form body), valid 3600 s
//!   of simulated time, `expires_in` as a string as in Oblio's docs.
//! - `POST api/docs/{invoice,proforma,notice}`: documents numbered per series, totals in
//!   decimals (VAT included or added; `procentual`/`valoric` discounts on the line above or
//!   on all lines above), `collect` on issue (a `Chitanta` takes a receipt number), and
//!   `idempotencyKey`: a repeated key returns **the first document** and issues nothing.
//!   `referenceDocument` of type `Factura` issues a storno (once per invoice; the lines are
//!   copied with negative quantities); of type `Proforma`/`Aviz` invoices that document.
//! - `GET api/docs/{type}` (one document with its link and collects), `GET
//!   api/docs/{type}/list` (filters, `orderBy`/`orderDir`, `limitPerPage` ≤ 100, `offset`).
//! - `PUT api/docs/{type}/cancel`, `.../restore`, `DELETE api/docs/{type}` (only the last
//!   of its series), `PUT api/docs/invoice/collect`.
//! - The PDF behind each document's `link` (`/oblio/utils/show_file/?...`).
//! - `GET api/nomenclature/{companies,vat_rates,clients,products,series,languages,management}`
//!   (clients and products 250 per page; clients saved from documents appear there).
//! - Oblio's limits per account: 30 document creations per 100 s and 30 other calls per
//!   10 s, answered HTTP 429 with `Retry-After` beyond.
//!
//! Errors are Oblio's `{"status": 4xx, "statusMessage": "..."}` with the same HTTP status.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::limits::Verdict;
use crate::server::{Provider, Shared};
use crate::smartbill::{dec, fold, is_ro_county, round2, simple_pdf};

/// The default account's login email (`client_id`).
pub const DEFAULT_EMAIL: &str = "contabil@flux-demo.ro";
/// The default account's API secret (`client_secret`).
pub const DEFAULT_SECRET: &str = "sandbox-oblio-secret";
/// The default company's CIF.
pub const DEFAULT_CIF: &str = "RO37311090";

/// Document creations allowed per account: 30 per 100 seconds.
pub const CREATE_LIMIT: (usize, Duration) = (30, Duration::from_secs(100));
/// Other calls allowed per account: 30 per 10 seconds.
pub const OTHER_LIMIT: (usize, Duration) = (30, Duration::from_secs(10));

const TOKEN_LIFETIME_SECS: i64 = 3600;

/// Oblio's document types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocType {
    /// `Factura`.
    Invoice,
    /// `Proforma`.
    Proforma,
    /// `Aviz` (notice).
    Notice,
}

impl DocType {
    fn from_path(p: &str) -> Option<Self> {
        match p {
            "invoice" => Some(Self::Invoice),
            "proforma" => Some(Self::Proforma),
            "notice" => Some(Self::Notice),
            _ => None,
        }
    }

    /// Oblio's name (`Factura`, `Proforma`, `Aviz`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Invoice => "Factura",
            Self::Proforma => "Proforma",
            Self::Notice => "Aviz",
        }
    }

    fn from_name(n: &str) -> Option<Self> {
        match n {
            "Factura" => Some(Self::Invoice),
            "Proforma" => Some(Self::Proforma),
            "Aviz" => Some(Self::Notice),
            _ => None,
        }
    }
}

/// A collection recorded on an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OblioCollect {
    /// The payment type (`Card`, `Chitanta`, `Ordin de plata`, ...).
    pub kind: String,
    /// The receipt number or the payment document number.
    pub number: String,
    /// The amount.
    pub value: Decimal,
    /// The date.
    pub issue_date: NaiveDate,
}

/// One computed line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OblioLine {
    /// Name.
    pub name: String,
    /// Product code.
    pub code: Option<String>,
    /// Quantity (negative on a storno).
    pub quantity: Decimal,
    /// Unit.
    pub unit: String,
    /// VAT name.
    pub vat_name: String,
    /// VAT percentage.
    pub vat_percentage: Decimal,
    /// Net amount.
    pub net: Decimal,
    /// VAT amount.
    pub vat: Decimal,
    /// Gross amount.
    pub gross: Decimal,
    /// Whether this is a discount line.
    pub is_discount: bool,
}

/// A document the simulator issued.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OblioDocument {
    /// Oblio's id.
    pub id: u64,
    /// The issuer CIF.
    pub cif: String,
    /// Type.
    pub kind: DocType,
    /// Series.
    pub series: String,
    /// Number (`0001`).
    pub number: String,
    /// Issue date.
    pub issue_date: NaiveDate,
    /// Due date.
    pub due_date: Option<NaiveDate>,
    /// Currency.
    pub currency: String,
    /// Client name.
    pub client_name: String,
    /// Client CIF/CNP.
    pub client_cif: String,
    /// Client email.
    pub client_email: String,
    /// Client county (`state`).
    pub client_state: String,
    /// Lines.
    pub lines: Vec<OblioLine>,
    /// Total with VAT.
    pub total: Decimal,
    /// Cancelled.
    pub canceled: bool,
    /// Collections.
    pub collects: Vec<OblioCollect>,
    /// The idempotency key it was created with.
    pub idempotency_key: Option<String>,
    /// The document this one references (storno of an invoice, invoice of a proforma).
    pub reference: Option<(DocType, String, String)>,
    /// The storno issued for this invoice.
    pub reversed_by: Option<(String, String)>,
    /// Mentions.
    pub mentions: String,
    /// Whether Oblio "emailed" it on issue.
    pub emailed: bool,
    token: String,
}

impl OblioDocument {
    /// Whether the collections cover the total.
    pub fn collected(&self) -> bool {
        let paid: Decimal = self.collects.iter().map(|c| c.value).sum();
        self.total > Decimal::ZERO && paid >= self.total
    }
}

#[derive(Debug, Clone)]
struct Series {
    kind: &'static str,
    next: u64,
    default: bool,
}

#[derive(Debug)]
struct Company {
    name: String,
    series: BTreeMap<String, Series>,
    vat: Vec<(String, Decimal, bool)>,
    clients: BTreeMap<String, Value>,
}

#[derive(Debug)]
struct Account {
    email: String,
    secret: String,
    cifs: Vec<String>,
}

#[derive(Debug, Default)]
struct State {
    accounts: Vec<Account>,
    companies: HashMap<String, Company>,
    tokens: HashMap<String, (String, DateTime<Utc>)>,
    documents: Vec<OblioDocument>,
    /// (cif, key) → the answer of the first call.
    idempotent: HashMap<(String, String), Value>,
    next_id: u64,
    tokens_issued: u64,
}

/// The Oblio simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    state: Mutex<State>,
}

fn cif_key(cif: &str) -> String {
    let c = cif.trim().to_ascii_uppercase();
    c.strip_prefix("RO").unwrap_or(&c).trim().to_owned()
}

fn default_company(name: &str) -> Company {
    let mut series = BTreeMap::new();
    for (n, kind) in [
        ("FCT", "Factura"),
        ("PR", "Proforma"),
        ("AVZ", "Aviz"),
        ("CH", "Chitanta"),
    ] {
        series.insert(
            n.to_owned(),
            Series {
                kind,
                next: 1,
                default: true,
            },
        );
    }
    // An invoice series for storno invoices, as merchants keep one apart.
    series.insert(
        "STO".to_owned(),
        Series {
            kind: "Factura",
            next: 1,
            default: false,
        },
    );
    Company {
        name: name.to_owned(),
        series,
        vat: vec![
            ("Normala".into(), Decimal::from(21), true),
            ("Redusa".into(), Decimal::from(11), false),
            ("SDD".into(), Decimal::ZERO, false),
            ("SFDD".into(), Decimal::ZERO, false),
            ("Taxare inversa".into(), Decimal::ZERO, false),
        ],
        clients: BTreeMap::new(),
    }
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default account.
    pub fn new(shared: Shared) -> Self {
        let sim = Self {
            shared,
            state: Mutex::new(State {
                next_id: 261_000,
                ..State::default()
            }),
        };
        sim.add_account(
            DEFAULT_EMAIL,
            DEFAULT_SECRET,
            &[(DEFAULT_CIF, "FLUX DEMO SRL")],
        );
        sim
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shared clock, faults and limits.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Adds an account with access to `companies` (CIF, name); new companies get the
    /// default series and VAT rates.
    pub fn add_account(&self, email: &str, secret: &str, companies: &[(&str, &str)]) {
        let mut st = self.lock();
        for (cif, name) in companies {
            st.companies
                .entry(cif_key(cif))
                .or_insert_with(|| default_company(name));
        }
        st.accounts.retain(|a| a.email != email);
        st.accounts.push(Account {
            email: email.to_owned(),
            secret: secret.to_owned(),
            cifs: companies.iter().map(|(c, _)| cif_key(c)).collect(),
        });
    }

    /// Every document issued (deleted ones are gone), oldest first.
    pub fn documents(&self) -> Vec<OblioDocument> {
        self.lock().documents.clone()
    }

    /// The documents of one type and series, oldest first.
    pub fn documents_for(&self, kind: DocType, series: &str) -> Vec<OblioDocument> {
        self.lock()
            .documents
            .iter()
            .filter(|d| d.kind == kind && d.series == series)
            .cloned()
            .collect()
    }

    /// One document.
    pub fn document(&self, kind: DocType, series: &str, number: &str) -> Option<OblioDocument> {
        let n = normalize(number);
        self.lock()
            .documents
            .iter()
            .find(|d| d.kind == kind && d.series == series && d.number == n)
            .cloned()
    }

    /// How many access tokens were issued.
    pub fn tokens_issued(&self) -> u64 {
        self.lock().tokens_issued
    }

    /// Forgets every access token (as if they expired): clients must log in again.
    pub fn expire_tokens(&self) {
        self.lock().tokens.clear();
    }
}

fn normalize(n: &str) -> String {
    n.trim()
        .parse::<u64>()
        .map(|n| format!("{n:04}"))
        .unwrap_or_else(|_| n.trim().to_owned())
}

fn fail(status: u16, message: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .content_type("application/json")
        .body(json!({"status": status, "statusMessage": message}).to_string())
}

fn success(message: &str, data: Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json!({"status": 200, "statusMessage": message, "data": data}).to_string())
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).map_or("", str::trim)
}

fn loose_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.to_string() != "0"),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(!matches!(s.trim(), "0" | "false")),
        _ => None,
    }
}

fn number_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => n.as_u64().map(|n| format!("{n:04}")),
        Value::String(s) => s.trim().parse::<u64>().ok().map(|n| format!("{n:04}")),
        _ => None,
    }
}

fn money4(d: Decimal) -> String {
    format!("{:.4}", d)
}

fn money2(d: Decimal) -> String {
    format!("{:.2}", d)
}

/// Who is calling: the account's email and CIFs, from the bearer token.
enum Caller {
    Ok(String, Vec<String>),
    Refused(HttpResponse),
}

fn caller(sim: &Sim, req: &HttpRequest) -> Caller {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    let now = sim.shared.clock.now();
    let st = sim.lock();
    let Some((email, expires)) = st.tokens.get(token) else {
        return Caller::Refused(fail(401, "The access token provided is invalid"));
    };
    if *expires <= now {
        return Caller::Refused(fail(401, "The access token provided has expired"));
    }
    let cifs = st
        .accounts
        .iter()
        .find(|a| a.email == *email)
        .map(|a| a.cifs.clone())
        .unwrap_or_default();
    Caller::Ok(email.clone(), cifs)
}

fn limit(sim: &Sim, account: &str, create: bool) -> Option<HttpResponse> {
    let (name, (max, per)) = if create {
        ("documents", CREATE_LIMIT)
    } else {
        ("other", OTHER_LIMIT)
    };
    match sim.shared.limits.check(
        Provider::Oblio.id(),
        &account.to_ascii_lowercase(),
        name,
        max,
        per,
        None,
    ) {
        Verdict::Allowed => None,
        Verdict::Refused { retry_after } | Verdict::Blocked { retry_after } => {
            let secs = retry_after.as_secs().max(1);
            Some(
                HttpResponse::TooManyRequests()
                    .insert_header(("Retry-After", secs.to_string()))
                    .content_type("application/json")
                    .body(
                        json!({
                            "status": 429,
                            "statusMessage": format!("Prea multe cereri: limita de cereri a fost depasita. Reincercati in {secs} secunde.")
                        })
                        .to_string(),
                    ),
            )
        }
    }
}

async fn token(sim: web::Data<Sim>, body: web::Bytes) -> HttpResponse {
    if let Some(r) = sim.shared.gate(Provider::Oblio).await {
        return r;
    }
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let id = form.get("client_id").cloned().unwrap_or_default();
    let secret = form.get("client_secret").cloned().unwrap_or_default();
    if let Some(r) = limit(&sim, &id, false) {
        return r;
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return fail(400, "The grant type was not specified in the request");
    }
    let now = sim.shared.clock.now();
    let mut st = sim.lock();
    if !st
        .accounts
        .iter()
        .any(|a| a.email.eq_ignore_ascii_case(&id) && a.secret == secret)
    {
        return fail(401, "The client credentials are invalid");
    }
    st.tokens_issued += 1;
    let seed = st.tokens_issued.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ now.timestamp() as u64;
    let access = format!("{seed:016x}{:024x}", st.tokens_issued);
    let email = st
        .accounts
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(&id))
        .map(|a| a.email.clone())
        .unwrap_or(id);
    st.tokens.insert(
        access.clone(),
        (email, now + chrono::Duration::seconds(TOKEN_LIFETIME_SECS)),
    );
    HttpResponse::Ok().content_type("application/json").body(
        json!({
            "access_token": access,
            "expires_in": TOKEN_LIFETIME_SECS.to_string(),
            "token_type": "Bearer",
            "scope": "",
            "request_time": now.timestamp().to_string()
        })
        .to_string(),
    )
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Create(DocType),
    Get(DocType),
    List(DocType),
    Cancel(DocType, bool),
    Delete(DocType),
    Collect,
    Nomenclature(&'static str),
}

impl Op {
    fn is_create(self) -> bool {
        matches!(self, Op::Create(_))
    }
}

struct Ctx<'a> {
    cif: String,
    query: &'a HashMap<String, String>,
    body: &'a Value,
    today: NaiveDate,
    base: String,
    cifs: &'a [String],
}

async fn dispatch(sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes, op: Op) -> HttpResponse {
    if let Some(r) = sim.shared.gate(Provider::Oblio).await {
        return r;
    }
    let (email, cifs) = match caller(&sim, &req) {
        Caller::Ok(e, c) => (e, c),
        Caller::Refused(r) => return r,
    };
    if let Some(r) = limit(&sim, &email, op.is_create()) {
        return r;
    }
    let query: HashMap<String, String> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .unwrap_or_default()
            .into_iter()
            .collect();
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return fail(400, "Datele trimise nu sunt in format JSON valid"),
        }
    };
    let cif = match &body {
        Value::Object(_) => s(&body, "cif").to_owned(),
        _ => query.get("cif").cloned().unwrap_or_default(),
    };
    let needs_cif = !matches!(op, Op::Nomenclature("companies"));
    if needs_cif {
        if cif.is_empty() {
            return fail(400, "Parametrul cif lipseste");
        }
        if !cifs.contains(&cif_key(&cif)) {
            return fail(403, &format!("Nu aveti acces la firma cu CIF {cif}"));
        }
    }
    let host = req.connection_info().host().to_owned();
    let ctx = Ctx {
        cif,
        query: &query,
        body: &body,
        today: sim.shared.clock.now().date_naive(),
        base: format!("http://{host}/oblio"),
        cifs: &cifs,
    };
    let (resp, effect) = {
        let mut st = sim.lock();
        handle(&mut st, op, &ctx)
    };
    if effect {
        sim.shared.after_effect(Provider::Oblio).await;
    }
    resp
}

fn handle(st: &mut State, op: Op, ctx: &Ctx<'_>) -> (HttpResponse, bool) {
    match op {
        Op::Create(kind) => create(st, kind, ctx),
        Op::Get(kind) => (get(st, kind, ctx), false),
        Op::List(kind) => (list(st, kind, ctx), false),
        Op::Cancel(kind, cancel) => cancel_restore(st, kind, cancel, ctx),
        Op::Delete(kind) => delete(st, kind, ctx),
        Op::Collect => collect(st, ctx),
        Op::Nomenclature(name) => (nomenclature(st, name, ctx), false),
    }
}

fn link(base: &str, d: &OblioDocument) -> String {
    format!(
        "{base}/utils/show_file/?ic={}&id={}&it={}",
        cif_key(&d.cif),
        d.id,
        d.token
    )
}

fn find(st: &State, cif: &str, kind: DocType, series: &str, number: &str) -> Option<usize> {
    let key = cif_key(cif);
    st.documents.iter().position(|d| {
        cif_key(&d.cif) == key && d.kind == kind && d.series == series && d.number == number
    })
}

fn compute(
    products: &[Value],
    vat: &[(String, Decimal, bool)],
) -> Result<(Vec<OblioLine>, Decimal), String> {
    let mut lines: Vec<OblioLine> = Vec::new();
    let mut last_included = true;
    for (i, p) in products.iter().enumerate() {
        let name = s(p, "name").to_owned();
        if name.is_empty() {
            return Err(format!("Produsul {} nu are denumire", i + 1));
        }
        if p.get("discountType").is_some() || p.get("discount").is_some() {
            let value = p
                .get("discount")
                .and_then(dec)
                .ok_or_else(|| format!("Discountul {name} nu are valoare"))?;
            let all_above = loose_bool(p.get("discountAllAbove")).unwrap_or(false);
            let targets: Vec<usize> = if all_above {
                (0..lines.len())
                    .filter(|&j| !lines[j].is_discount)
                    .collect()
            } else {
                lines
                    .iter()
                    .rposition(|l| !l.is_discount)
                    .into_iter()
                    .collect()
            };
            if targets.is_empty() {
                return Err(format!("Discountul {name} nu are un produs deasupra"));
            }
            let last = &lines[*targets.last().unwrap_or(&0)];
            let (vat_name, pct) = (last.vat_name.clone(), last.vat_percentage);
            let gross_off = match s(p, "discountType") {
                "procentual" => {
                    if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED {
                        return Err(format!("Discountul {name} trebuie sa fie intre 0 si 100%"));
                    }
                    let base: Decimal = targets.iter().map(|&j| lines[j].gross).sum();
                    round2(base * value / Decimal::ONE_HUNDRED)
                }
                "valoric" => {
                    if value <= Decimal::ZERO {
                        return Err(format!("Discountul {name} trebuie sa fie pozitiv"));
                    }
                    if last_included {
                        value
                    } else {
                        round2(value * (Decimal::ONE_HUNDRED + pct) / Decimal::ONE_HUNDRED)
                    }
                }
                other => return Err(format!("Tipul de discount {other} nu este valid")),
            };
            let net = round2(gross_off * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + pct));
            lines.push(OblioLine {
                name,
                code: None,
                quantity: Decimal::ONE,
                unit: "buc".into(),
                vat_name,
                vat_percentage: pct,
                net: -net,
                vat: -(gross_off - net),
                gross: -gross_off,
                is_discount: true,
            });
            continue;
        }
        let price = p
            .get("price")
            .and_then(dec)
            .ok_or_else(|| format!("Produsul {name} nu are pret"))?;
        let quantity = p.get("quantity").and_then(dec).unwrap_or(Decimal::ONE);
        if quantity.is_zero() {
            return Err(format!("Cantitatea produsului {name} nu poate fi 0"));
        }
        let vat_name = s(p, "vatName").to_owned();
        let (vat_name, pct) = if vat_name.is_empty() {
            match p.get("vatPercentage").and_then(dec) {
                Some(pct) => (
                    vat.iter()
                        .find(|(_, r, _)| *r == pct)
                        .map_or_else(|| format!("{pct}%"), |(n, _, _)| n.clone()),
                    pct,
                ),
                None => vat
                    .iter()
                    .find(|(_, _, d)| *d)
                    .map(|(n, r, _)| (n.clone(), *r))
                    .unwrap_or(("Normala".into(), Decimal::from(21))),
            }
        } else {
            let Some((_, configured, _)) = vat.iter().find(|(n, _, _)| *n == vat_name) else {
                return Err(format!("Cota de TVA {vat_name} nu exista"));
            };
            let pct = p.get("vatPercentage").and_then(dec).unwrap_or(*configured);
            let historic: &[i64] = match vat_name.as_str() {
                "Normala" => &[19, 20, 24],
                "Redusa" => &[9, 5],
                _ => &[],
            };
            if pct != *configured && !historic.iter().any(|h| Decimal::from(*h) == pct) {
                return Err(format!("Cota de TVA {pct}% nu corespunde cotei {vat_name}"));
            }
            (vat_name, pct)
        };
        let included = loose_bool(p.get("vatIncluded")).unwrap_or(false);
        last_included = included;
        let amount = round2(quantity * price);
        let (net, vat_amount, gross) = if included {
            let net = round2(amount * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + pct));
            (net, amount - net, amount)
        } else {
            let v = round2(amount * pct / Decimal::ONE_HUNDRED);
            (amount, v, amount + v)
        };
        let unit = match s(p, "measuringUnit") {
            "" => "buc".to_owned(),
            u => u.to_owned(),
        };
        lines.push(OblioLine {
            name,
            code: Some(s(p, "code").to_owned()).filter(|c| !c.is_empty()),
            quantity,
            unit,
            vat_name,
            vat_percentage: pct,
            net,
            vat: vat_amount,
            gross,
            is_discount: false,
        });
    }
    if !lines.iter().any(|l| !l.is_discount) {
        return Err("Documentul nu are produse".into());
    }
    let total = lines.iter().map(|l| l.gross).sum();
    Ok((lines, total))
}

fn take_number(st: &mut State, cif: &str, series: &str, kind: &str) -> Result<String, String> {
    let company = st
        .companies
        .get_mut(&cif_key(cif))
        .ok_or_else(|| format!("Firma {cif} nu exista"))?;
    let Some(sr) = company.series.get_mut(series) else {
        return Err(format!("Seria {series} nu exista"));
    };
    if sr.kind != kind {
        return Err(format!("Seria {series} nu este o serie de tip {kind}"));
    }
    let n = format!("{:04}", sr.next);
    sr.next += 1;
    Ok(n)
}

fn create(st: &mut State, kind: DocType, ctx: &Ctx<'_>) -> (HttpResponse, bool) {
    let body = ctx.body;
    let key = s(body, "idempotencyKey").to_owned();
    if !key.is_empty()
        && let Some(first) = st.idempotent.get(&(cif_key(&ctx.cif), key.clone()))
    {
        return (success("Success", first.clone()), false);
    }
    match create_inner(st, kind, ctx) {
        Ok(doc) => {
            let data = json!({
                "seriesName": doc.series,
                "number": doc.number,
                "link": link(&ctx.base, &doc),
            });
            if !key.is_empty() {
                st.idempotent.insert((cif_key(&ctx.cif), key), data.clone());
            }
            st.documents.push(doc);
            (success("Success", data), true)
        }
        Err(message) => (fail(400, &message), false),
    }
}

fn create_inner(st: &mut State, kind: DocType, ctx: &Ctx<'_>) -> Result<OblioDocument, String> {
    let body = ctx.body;
    let series = s(body, "seriesName").to_owned();
    if series.is_empty() {
        return Err("Seria documentului lipseste".into());
    }
    let date = |k: &str| -> Result<Option<NaiveDate>, String> {
        match s(body, k) {
            "" => Ok(None),
            d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("Data {d} nu este valida")),
        }
    };
    let issue_date = date("issueDate")?.unwrap_or(ctx.today);
    let due_date = date("dueDate")?;
    let currency = match s(body, "currency") {
        "" => "RON".to_owned(),
        c => c.to_ascii_uppercase(),
    };
    if currency != "RON" && body.get("exchangeRate").and_then(dec).is_none() {
        // Oblio takes the BNR rate itself; the sandbox needs it given.
        return Err(format!("Cursul valutar pentru {currency} lipseste"));
    }
    let company_vat = st
        .companies
        .get(&cif_key(&ctx.cif))
        .map(|c| c.vat.clone())
        .unwrap_or_default();
    let mut reference = None;
    let (client, lines, total) = match body.get("referenceDocument") {
        Some(r) if kind == DocType::Invoice => {
            let rtype = DocType::from_name(s(r, "type")).ok_or_else(|| {
                format!(
                    "Tipul documentului de referinta {} nu este valid",
                    s(r, "type")
                )
            })?;
            let rseries = s(r, "seriesName").to_owned();
            let rnumber = number_of(r.get("number")).unwrap_or_default();
            let i = find(st, &ctx.cif, rtype, &rseries, &rnumber).ok_or_else(|| {
                format!("Documentul {} {rseries} {rnumber} nu exista", rtype.name())
            })?;
            let orig = &st.documents[i];
            if orig.canceled {
                return Err(format!("Documentul {rseries} {rnumber} este anulat"));
            }
            let client = json!({
                "name": orig.client_name, "cif": orig.client_cif,
                "email": orig.client_email, "state": orig.client_state
            });
            if rtype == DocType::Invoice {
                if orig.reversed_by.is_some() {
                    return Err(format!("Factura {rseries} {rnumber} a fost deja stornata"));
                }
                if orig
                    .reference
                    .as_ref()
                    .is_some_and(|(t, _, _)| *t == DocType::Invoice)
                    && orig.total < Decimal::ZERO
                {
                    return Err("Nu poti storna o factura de stornare".into());
                }
                let neg: Vec<OblioLine> = orig
                    .lines
                    .iter()
                    .map(|l| OblioLine {
                        quantity: -l.quantity,
                        net: -l.net,
                        vat: -l.vat,
                        gross: -l.gross,
                        ..l.clone()
                    })
                    .collect();
                reference = Some((rtype, rseries, rnumber));
                (client, neg, -orig.total)
            } else {
                if st.documents.iter().any(|d| {
                    d.reference == Some((rtype, rseries.clone(), rnumber.clone())) && !d.canceled
                }) {
                    return Err(format!(
                        "Documentul {} {rseries} {rnumber} a fost deja facturat",
                        rtype.name()
                    ));
                }
                let lines = orig.lines.clone();
                let total = orig.total;
                reference = Some((rtype, rseries, rnumber));
                (client, lines, total)
            }
        }
        Some(_) => return Err("referenceDocument se accepta doar pe facturi".into()),
        None => {
            let client = body.get("client").cloned().unwrap_or(Value::Null);
            if s(&client, "name").is_empty() {
                return Err("Clientul nu are nume".into());
            }
            let country = fold(s(&client, "country"));
            if matches!(country.as_str(), "" | "ro" | "romania")
                && !s(&client, "state").is_empty()
                && !is_ro_county(s(&client, "state"))
            {
                return Err(format!(
                    "Judetul {} al clientului nu este valid",
                    s(&client, "state")
                ));
            }
            let products: Vec<Value> = body
                .get("products")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let (lines, total) = compute(&products, &company_vat)?;
            (client, lines, total)
        }
    };
    // Collect (invoices only), checked before a number is taken.
    let mut collect = None;
    if let Some(c) = body.get("collect") {
        if kind != DocType::Invoice {
            return Err("Incasarea se accepta doar pe facturi".into());
        }
        collect = Some(parse_collect(c, total, issue_date)?);
    }
    let doc_kind = kind.name();
    let number = take_number(st, &ctx.cif, &series, doc_kind)?;
    let mut collects = Vec::new();
    if let Some((ptype, series_or_doc, value, day)) = collect {
        let number = if ptype == "Chitanta" {
            match take_number(st, &ctx.cif, &series_or_doc, "Chitanta") {
                Ok(n) => format!("{series_or_doc} {n}"),
                Err(e) => {
                    // Give the document number back: nothing was issued.
                    if let Some(sr) = st
                        .companies
                        .get_mut(&cif_key(&ctx.cif))
                        .and_then(|c| c.series.get_mut(&series))
                    {
                        sr.next -= 1;
                    }
                    return Err(e);
                }
            }
        } else {
            series_or_doc
        };
        collects.push(OblioCollect {
            kind: ptype,
            number,
            value,
            issue_date: day,
        });
    }
    st.next_id += 1;
    let id = st.next_id;
    if reference
        .as_ref()
        .is_some_and(|(t, _, _)| *t == DocType::Invoice)
        && let Some((_, rs, rn)) = &reference
        && let Some(i) = find(st, &ctx.cif, DocType::Invoice, rs, rn)
    {
        st.documents[i].reversed_by = Some((series.clone(), number.clone()));
    }
    if loose_bool(client.get("save")).unwrap_or(true)
        && let Some(company) = st.companies.get_mut(&cif_key(&ctx.cif))
    {
        let key = match s(&client, "cif") {
            "" => s(&client, "name").to_owned(),
            c => c.to_owned(),
        };
        company.clients.insert(key, client.clone());
    }
    Ok(OblioDocument {
        id,
        cif: ctx.cif.clone(),
        kind,
        series,
        number,
        issue_date,
        due_date,
        currency,
        client_name: s(&client, "name").to_owned(),
        client_cif: s(&client, "cif").to_owned(),
        client_email: s(&client, "email").to_owned(),
        client_state: s(&client, "state").to_owned(),
        lines,
        total,
        canceled: false,
        collects,
        idempotency_key: Some(s(body, "idempotencyKey").to_owned()).filter(|k| !k.is_empty()),
        reference,
        reversed_by: None,
        mentions: s(body, "mentions").to_owned(),
        emailed: loose_bool(body.get("sendEmail")).unwrap_or(false)
            && !s(&client, "email").is_empty(),
        token: format!(
            "{:032x}",
            u128::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
        ),
    })
}

const PAYMENT_TYPES: [&str; 11] = [
    "Chitanta",
    "Bon fiscal",
    "Bon fiscal card",
    "Alta incasare numerar",
    "Ordin de plata",
    "Mandat postal",
    "Card",
    "CEC",
    "Bilet ordin",
    "Alta incasare banca",
    "Ramburs",
];

/// (type, receipt series or document number, value, date).
fn parse_collect(
    c: &Value,
    default_value: Decimal,
    default_date: NaiveDate,
) -> Result<(String, String, Decimal, NaiveDate), String> {
    let ptype = s(c, "type").to_owned();
    if !PAYMENT_TYPES.contains(&ptype.as_str()) {
        return Err(format!("Tipul incasarii {ptype} nu este valid"));
    }
    let value = c.get("value").and_then(dec).unwrap_or(default_value);
    if value <= Decimal::ZERO {
        return Err("Valoarea incasarii trebuie sa fie pozitiva".into());
    }
    let day = match s(c, "issueDate") {
        "" => default_date,
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| format!("Data incasarii {d} nu este valida"))?,
    };
    let reference = if ptype == "Chitanta" {
        let series = s(c, "seriesName");
        if series.is_empty() {
            return Err("Seria chitantei lipseste".into());
        }
        series.to_owned()
    } else {
        let doc = s(c, "documentNumber");
        if doc.is_empty() {
            return Err(format!(
                "Numarul documentului de incasare ({ptype}) lipseste"
            ));
        }
        doc.to_owned()
    };
    Ok((ptype, reference, value, day))
}

fn collects_json(d: &OblioDocument) -> Value {
    Value::Array(
        d.collects
            .iter()
            .map(|c| {
                json!({
                    "issueDate": c.issue_date.to_string(),
                    "type": c.kind,
                    "number": c.number,
                    "value": money2(c.value),
                })
            })
            .collect(),
    )
}

fn key_of(ctx: &Ctx<'_>) -> Option<(String, String)> {
    let (series, number) = match ctx.body {
        Value::Object(_) => (
            s(ctx.body, "seriesName").to_owned(),
            number_of(ctx.body.get("number")),
        ),
        _ => (
            ctx.query.get("seriesName").cloned().unwrap_or_default(),
            ctx.query.get("number").map(|n| normalize(n)),
        ),
    };
    match number {
        Some(n) if !series.is_empty() => Some((series, n)),
        _ => None,
    }
}

fn missing_key() -> HttpResponse {
    fail(400, "Seria si numarul documentului sunt obligatorii")
}

fn get(st: &mut State, kind: DocType, ctx: &Ctx<'_>) -> HttpResponse {
    let Some((series, number)) = key_of(ctx) else {
        return missing_key();
    };
    let Some(i) = find(st, &ctx.cif, kind, &series, &number) else {
        return fail(400, "Documentul nu exista");
    };
    let d = &st.documents[i];
    success(
        "Success",
        json!({
            "documentType": d.kind.name(),
            "seriesName": d.series,
            "number": d.number,
            "link": link(&ctx.base, d),
            "collects": collects_json(d),
        }),
    )
}

fn summary(d: &OblioDocument, base: &str, ctx: &Ctx<'_>) -> Value {
    let flag = |b: bool| if b { "1" } else { "0" };
    let mut row = json!({
        "id": d.id.to_string(),
        "draft": "0",
        "canceled": flag(d.canceled),
        "collected": flag(d.collected()),
        "seriesName": d.series,
        "number": d.number,
        "issueDate": d.issue_date.to_string(),
        "dueDate": d.due_date.map(|x| x.to_string()).unwrap_or_else(|| "0000-00-00".into()),
        "precision": "2",
        "currency": d.currency,
        "exchangeRate": "0.000000",
        "total": money4(d.total),
        "issuerName": "",
        "issuerId": "",
        "noticeNumber": "",
        "deputyName": "",
        "deputyIdentityCard": "",
        "deputyAuto": "",
        "mentions": d.mentions,
        "useStock": "0",
        "type": d.kind.name(),
        "link": link(base, d),
        "client": {
            "clientId": "", "cif": d.client_cif, "name": d.client_name, "rc": "", "code": "",
            "address": "", "state": d.client_state, "city": "", "country": "", "iban": "",
            "bank": "", "contact": "", "phone": "", "email": d.client_email,
            "vatPayer": if d.client_cif.to_ascii_uppercase().starts_with("RO") { "1" } else { "0" }
        }
    });
    if ctx.query.get("withCollects").map(String::as_str) == Some("1") {
        row["collects"] = collects_json(d);
    }
    if ctx.query.get("withProducts").map(String::as_str) == Some("1") {
        row["products"] = Value::Array(
            d.lines
                .iter()
                .map(|l| {
                    json!({
                        "name": l.name, "code": l.code.clone().unwrap_or_default(),
                        "quantity": l.quantity.to_string(), "measuringUnit": l.unit,
                        "vatName": l.vat_name, "vatPercentage": l.vat_percentage.to_string(),
                        "price": money4(l.net), "total": money4(l.gross)
                    })
                })
                .collect(),
        );
    }
    row
}

fn list(st: &mut State, kind: DocType, ctx: &Ctx<'_>) -> HttpResponse {
    let q = ctx.query;
    let limit = match q.get("limitPerPage").map(|n| n.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => return fail(400, "limitPerPage trebuie sa fie intre 1 si 100"),
    };
    let offset = q
        .get("offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    let tri = |k: &str, v: bool| match q.get(k).map(String::as_str) {
        Some("0") => !v,
        Some("1") => v,
        _ => true,
    };
    let date = |k: &str| {
        q.get(k)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let (after, before) = (date("issuedAfter"), date("issuedBefore"));
    let key = cif_key(&ctx.cif);
    let mut rows: Vec<&OblioDocument> = st
        .documents
        .iter()
        .filter(|d| cif_key(&d.cif) == key && d.kind == kind)
        .filter(|d| q.get("seriesName").is_none_or(|s| *s == d.series))
        .filter(|d| q.get("number").is_none_or(|n| normalize(n) == d.number))
        .filter(|d| q.get("id").is_none_or(|i| *i == d.id.to_string()))
        .filter(|d| {
            q.get("client[cif]")
                .is_none_or(|c| cif_key(c) == cif_key(&d.client_cif))
        })
        .filter(|d| q.get("client[email]").is_none_or(|c| *c == d.client_email))
        .filter(|d| {
            tri("draft", false) && tri("canceled", d.canceled) && tri("collected", d.collected())
        })
        .filter(|d| {
            after.is_none_or(|a| d.issue_date >= a) && before.is_none_or(|b| d.issue_date <= b)
        })
        .collect();
    match q.get("orderBy").map(String::as_str) {
        Some("issueDate") => rows.sort_by_key(|d| (d.issue_date, d.id)),
        Some("number") => rows.sort_by(|a, b| (&a.series, &a.number).cmp(&(&b.series, &b.number))),
        _ => rows.sort_by_key(|d| d.id),
    }
    if q.get("orderDir").map(String::as_str) != Some("ASC") {
        rows.reverse();
    }
    let data: Vec<Value> = rows
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|d| summary(d, &ctx.base, ctx))
        .collect();
    success("Success", Value::Array(data))
}

fn action_data(d: &OblioDocument, base: &str) -> Value {
    json!({
        "documentType": d.kind.name(),
        "seriesName": d.series,
        "number": d.number,
        "link": link(base, d),
    })
}

fn cancel_restore(
    st: &mut State,
    kind: DocType,
    cancel: bool,
    ctx: &Ctx<'_>,
) -> (HttpResponse, bool) {
    let Some((series, number)) = key_of(ctx) else {
        return (missing_key(), false);
    };
    let Some(i) = find(st, &ctx.cif, kind, &series, &number) else {
        return (fail(400, "Documentul nu exista"), false);
    };
    let d = &st.documents[i];
    if cancel {
        if d.canceled {
            return (fail(400, "Documentul este deja anulat"), false);
        }
        if let Some((ss, sn)) = &d.reversed_by {
            return (
                fail(
                    400,
                    &format!(
                        "Documentul a fost stornat prin factura {ss} {sn}; anuleaza intai stornarea"
                    ),
                ),
                false,
            );
        }
    } else if !d.canceled {
        return (fail(400, "Documentul nu este anulat"), false);
    }
    st.documents[i].canceled = cancel;
    // A cancelled storno frees the invoice it reversed; a restored one takes it again.
    if let Some((DocType::Invoice, rs, rn)) = st.documents[i].reference.clone()
        && st.documents[i].total < Decimal::ZERO
        && let Some(j) = find(st, &ctx.cif, DocType::Invoice, &rs, &rn)
    {
        st.documents[j].reversed_by = (!cancel).then(|| (series.clone(), number.clone()));
    }
    let msg = if cancel {
        "Documentul a fost anulat."
    } else {
        "Documentul a fost restaurat."
    };
    (success(msg, action_data(&st.documents[i], &ctx.base)), true)
}

fn delete(st: &mut State, kind: DocType, ctx: &Ctx<'_>) -> (HttpResponse, bool) {
    let key = s(ctx.body, "idempotencyKey").to_owned();
    let ikey = (cif_key(&ctx.cif), format!("delete:{key}"));
    if !key.is_empty()
        && let Some(first) = st.idempotent.get(&ikey)
    {
        return (success("Documentul a fost sters.", first.clone()), false);
    }
    let Some((series, number)) = key_of(ctx) else {
        return (missing_key(), false);
    };
    let Some(i) = find(st, &ctx.cif, kind, &series, &number) else {
        return (fail(400, "Documentul nu exista"), false);
    };
    let next = st
        .companies
        .get(&cif_key(&ctx.cif))
        .and_then(|c| c.series.get(&series))
        .map(|s| s.next);
    if next != number.parse::<u64>().ok().map(|n| n + 1) {
        let what = match kind {
            DocType::Invoice => "factura",
            DocType::Proforma => "proforma",
            DocType::Notice => "avizul",
        };
        return (
            fail(400, &format!("Poti sterge doar ultima {what} din serie")),
            false,
        );
    }
    let d = st.documents.remove(i);
    if let Some(sr) = st
        .companies
        .get_mut(&cif_key(&ctx.cif))
        .and_then(|c| c.series.get_mut(&series))
    {
        sr.next -= 1;
    }
    if let Some((DocType::Invoice, rs, rn)) = &d.reference
        && let Some(j) = find(st, &ctx.cif, DocType::Invoice, rs, rn)
        && st.documents[j].reversed_by == Some((series.clone(), number.clone()))
    {
        st.documents[j].reversed_by = None;
    }
    if let Some(k) = &d.idempotency_key {
        st.idempotent.remove(&(cif_key(&ctx.cif), k.clone()));
    }
    let data = json!({"documentType": kind.name(), "seriesName": series, "number": number});
    if !key.is_empty() {
        st.idempotent.insert(ikey, data.clone());
    }
    (success("Documentul a fost sters.", data), true)
}

fn collect(st: &mut State, ctx: &Ctx<'_>) -> (HttpResponse, bool) {
    let Some((series, number)) = key_of(ctx) else {
        return (missing_key(), false);
    };
    let Some(i) = find(st, &ctx.cif, DocType::Invoice, &series, &number) else {
        return (fail(400, "Documentul nu exista"), false);
    };
    if st.documents[i].canceled {
        return (fail(400, "Factura este anulata"), false);
    }
    let d = &st.documents[i];
    let paid: Decimal = d.collects.iter().map(|c| c.value).sum();
    let left = d.total - paid;
    if left <= Decimal::ZERO {
        return (fail(400, "Factura este deja incasata"), false);
    }
    let Some(c) = ctx.body.get("collect") else {
        return (fail(400, "Datele incasarii lipsesc"), false);
    };
    let (ptype, reference, value, day) = match parse_collect(c, left, ctx.today) {
        Ok(x) => x,
        Err(e) => return (fail(400, &e), false),
    };
    if value > left {
        return (
            fail(
                400,
                &format!(
                    "Valoarea incasarii depaseste restul de plata ({})",
                    money2(left)
                ),
            ),
            false,
        );
    }
    let number_text = if ptype == "Chitanta" {
        match take_number(st, &ctx.cif, &reference, "Chitanta") {
            Ok(n) => format!("{reference} {n}"),
            Err(e) => return (fail(400, &e), false),
        }
    } else {
        reference
    };
    st.documents[i].collects.push(OblioCollect {
        kind: ptype,
        number: number_text,
        value,
        issue_date: day,
    });
    let d = &st.documents[i];
    let data = json!({
        "documentType": d.kind.name(),
        "seriesName": d.series,
        "number": d.number,
        "link": link(&ctx.base, d),
        "collects": collects_json(d),
    });
    (success("", data), true)
}

fn nomenclature(st: &mut State, name: &str, ctx: &Ctx<'_>) -> HttpResponse {
    let q = ctx.query;
    let offset = q
        .get("offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    if name == "companies" {
        let rows: Vec<Value> = ctx
            .cifs
            .iter()
            .filter_map(|c| st.companies.get(c).map(|co| (c, co)))
            .map(|(c, co)| {
                json!({"cif": format!("RO{c}"), "company": co.name, "userTypeAccess": "Administrator", "useStock": 0})
            })
            .collect();
        return success("Success", Value::Array(rows));
    }
    let Some(company) = st.companies.get(&cif_key(&ctx.cif)) else {
        return fail(400, "Firma nu exista");
    };
    let data = match name {
        "vat_rates" => company
            .vat
            .iter()
            .map(|(n, p, d)| json!({"name": n, "percent": crate::smartbill::num(*p), "default": d}))
            .collect(),
        "series" => company
            .series
            .iter()
            .map(|(n, sr)| {
                json!({"type": sr.kind, "name": n, "start": "0001", "next": format!("{:04}", sr.next), "default": sr.default})
            })
            .collect(),
        "languages" => vec![
            json!({"code": "EN", "name": "Engleza"}),
            json!({"code": "FR", "name": "Franceza"}),
            json!({"code": "DE", "name": "Germana"}),
        ],
        "management" => vec![
            json!({"management": "Magazin", "workStation": "Sediu", "managementType": "Cantitativ Valorica"}),
        ],
        "clients" => company
            .clients
            .values()
            .filter(|c| q.get("name").is_none_or(|n| fold(s(c, "name")).contains(&fold(n))))
            .filter(|c| q.get("clientCif").is_none_or(|x| cif_key(x) == cif_key(s(c, "cif"))))
            .skip(offset)
            .take(250)
            .map(|c| {
                json!({
                    "cif": s(c, "cif"), "name": s(c, "name"), "rc": s(c, "rc"), "code": s(c, "code"),
                    "address": s(c, "address"), "state": s(c, "state"), "city": s(c, "city"),
                    "country": s(c, "country"), "iban": s(c, "iban"), "bank": s(c, "bank"),
                    "email": s(c, "email"), "phone": s(c, "phone"), "contact": s(c, "contact"),
                    "vatPayer": if loose_bool(c.get("vatPayer")).unwrap_or(false) { "1" } else { "0" }
                })
            })
            .collect(),
        "products" => {
            let catalog = [
                json!({"name":"Montare","code":"","description":"","measuringUnit":"buc","productType":"Serviciu","price":"121.00","currency":"RON","vatName":"Normala","vatPercentage":21,"vatIncluded":true}),
                json!({"name":"Tricou alb","code":"TRC-01","description":"","measuringUnit":"buc","productType":"Marfa","active":"1","stock":[{"workStation":"Sediu","management":"Magazin","quantity":100,"price":"59.90","currency":"RON","vatName":"Normala","vatPercentage":21,"vatIncluded":true}]}),
            ];
            catalog
                .into_iter()
                .filter(|p| q.get("name").is_none_or(|n| fold(s(p, "name")).contains(&fold(n))))
                .filter(|p| q.get("code").is_none_or(|c| s(p, "code") == c))
                .skip(offset)
                .take(250)
                .collect()
        }
        _ => return fail(404, "Nomenclatorul nu exista"),
    };
    success("Success", Value::Array(data))
}

async fn show_file(sim: web::Data<Sim>, req: HttpRequest) -> HttpResponse {
    if let Some(r) = sim.shared.gate(Provider::Oblio).await {
        return r;
    }
    let q: HashMap<String, String> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .unwrap_or_default()
            .into_iter()
            .collect();
    let st = sim.lock();
    let found = st.documents.iter().find(|d| {
        q.get("id").is_some_and(|i| *i == d.id.to_string())
            && q.get("it").is_some_and(|t| *t == d.token)
    });
    let Some(d) = found else {
        return HttpResponse::NotFound()
            .content_type("text/html")
            .body("<html><body>Documentul nu a fost gasit</body></html>");
    };
    let mut lines = vec![
        format!("Furnizor: {}", d.cif),
        format!("Client: {} {}", d.client_name, d.client_cif),
        format!("Data emiterii: {}", d.issue_date),
        String::new(),
    ];
    for l in &d.lines {
        lines.push(format!(
            "{} x {} {}  TVA {} {}%  valoare {}",
            l.name, l.quantity, l.unit, l.vat_name, l.vat_percentage, l.gross
        ));
    }
    lines.push(format!("Total {} {}", d.total, d.currency));
    for c in &d.collects {
        lines.push(format!(
            "Incasat {} {} {} ({})",
            c.issue_date, c.kind, c.value, c.number
        ));
    }
    let title = format!(
        "{} {} {}{}",
        d.kind.name().to_uppercase(),
        d.series,
        d.number,
        if d.canceled { " ANULAT" } else { "" }
    );
    HttpResponse::Ok()
        .content_type("application/pdf")
        .body(simple_pdf(&title, &lines))
}

macro_rules! op {
    ($op:expr) => {
        move |s: web::Data<Sim>, r: HttpRequest, b: web::Bytes| dispatch(s, r, b, $op)
    };
}

fn path_type(req: &HttpRequest) -> Option<DocType> {
    req.match_info().get("type").and_then(DocType::from_path)
}

async fn by_type(
    sim: web::Data<Sim>,
    req: HttpRequest,
    body: web::Bytes,
    make: fn(DocType) -> Op,
) -> HttpResponse {
    match path_type(&req) {
        Some(t) => dispatch(sim, req, body, make(t)).await,
        None => fail(404, "Tipul de document nu exista"),
    }
}

macro_rules! typed {
    ($make:expr) => {
        move |s: web::Data<Sim>, r: HttpRequest, b: web::Bytes| by_type(s, r, b, $make)
    };
}

/// The routes, under `/oblio`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    let mut scope = web::scope("/oblio")
        .app_data(web::Data::from(sim))
        .route("/api/authorize/token", web::post().to(token))
        .route("/utils/show_file/", web::get().to(show_file))
        .route("/utils/show_file", web::get().to(show_file))
        .route("/api/docs/invoice/collect", web::put().to(op!(Op::Collect)));
    for name in [
        "companies",
        "vat_rates",
        "clients",
        "products",
        "series",
        "languages",
        "management",
    ] {
        scope = scope.route(
            &format!("/api/nomenclature/{name}"),
            web::get().to(op!(Op::Nomenclature(name))),
        );
    }
    scope
        .route("/api/docs/{type}/list", web::get().to(typed!(Op::List)))
        .route(
            "/api/docs/{type}/cancel",
            web::put().to(typed!(|t| Op::Cancel(t, true))),
        )
        .route(
            "/api/docs/{type}/restore",
            web::put().to(typed!(|t| Op::Cancel(t, false))),
        )
        .route("/api/docs/{type}", web::post().to(typed!(Op::Create)))
        .route("/api/docs/{type}", web::get().to(typed!(Op::Get)))
        .route("/api/docs/{type}", web::delete().to(typed!(Op::Delete)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn discounts_apply_to_the_line_above() {
        let vat = default_company("X").vat;
        let products = vec![
            json!({"name":"Tricou","price":59.9,"quantity":2,"vatName":"Normala","vatPercentage":21,"vatIncluded":1}),
            json!({"name":"Discount","discount":10,"discountType":"valoric","discountAllAbove":0}),
            json!({"name":"Carte","price":40,"quantity":1,"vatName":"Redusa","vatPercentage":11,"vatIncluded":1}),
            json!({"name":"Discount 5%","discount":5,"discountType":"procentual","discountAllAbove":0}),
        ];
        let (lines, total) = compute(&products, &vat).unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(total, Decimal::from_str("147.80").unwrap());
        assert!(compute(&[json!({"name":"X","price":1,"vatName":"Nope"})], &vat).is_err());
    }
}
