//! The SmartBill Cloud simulator, under `/smartbill/` (the SDK's base URL is
//! `http://HOST/smartbill/` in place of `https://ws.smartbill.ro/SBORO/api/`).
//!
//! ## Default account
//!
//! | what | value |
//! |---|---|
//! | Basic-auth user (email) | [`DEFAULT_EMAIL`] `office@flux-demo.ro` |
//! | Basic-auth password (API token) | [`DEFAULT_TOKEN`] `sandbox-smartbill-token` |
//! | company CIF | [`DEFAULT_CIF`] `RO37311090` |
//! | series | `FCT` (invoices), `PRF` (proformas), `CH` (receipts), all from `0001` |
//! | VAT rates | `Normala` 21, `Redusa` 11, `Redusa locuinte` 9, `Taxare inversa` 0, `TVA Inclus` 0, `SDD` 0, `SFDD` 0 |
//! | stock | warehouse `Depozit central` with `TRC-01 Tricou alb` (100 buc) and `Cafea boabe` (25 kg) |
//!
//! More accounts: [`Sim::add_account`]. A wrong email/token, or a CIF the user has no access
//! to, is answered HTTP 401 with SmartBill's `errorText`.
//!
//! ## What it does
//!
//! - `POST invoice`, `invoice/v2`, `estimate`, `estimate/v2`: documents numbered per series
//!   (`0001`, `0002`, ...), totals computed with decimals (VAT included or added, value and
//!   percent discount rows), a payment collected on issue (a `Chitanta` takes a number in
//!   its receipt series), `useEstimateDetails` (the invoice copies the proforma and is
//!   linked to it), `useStock` (goods leave the warehouse), `sendEmail`. Unknown JSON
//!   properties are refused with HTTP 400 and the structured `errors[]` format; business
//!   errors (unknown series, wrong county, unknown VAT name) come with **HTTP 200** and an
//!   `errorText`, as SmartBill does.
//! - `GET invoice/pdf`, `estimate/pdf`: a real (small) PDF of the document; the `/v2` view
//!   link (`documentViewUrl`) serves it too, without credentials.
//! - `PUT .../cancel`, `.../restore`; `DELETE invoice`/`estimate` (only the last of its
//!   series: the number is then reused); `POST invoice/reverse` (storno, once per invoice,
//!   in the invoice's series).
//! - `GET invoice/paymentstatus`, `GET estimate/invoices`.
//! - `POST payment`, `DELETE payment/chitanta` (last receipt of its series only),
//!   `DELETE payment/v2`, `GET payment/text` (fiscal printer text of a `Bon` issued with
//!   `returnFiscalPrinterText`).
//! - `POST document/send` (answers in `status.code`), `GET tax`, `GET series`, `GET stocks`.
//! - The real limit: 30 calls per 10 seconds per account; the 31st blocks the account for
//!   10 minutes with HTTP 403 and SmartBill's message.
//!
//! Drafts (`isDraft: true`) are refused: the sandbox issues only final documents.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use base64::Engine as _;
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value, json};

use crate::server::{Provider, Shared};

/// The default account's Basic-auth user.
pub const DEFAULT_EMAIL: &str = "office@flux-demo.ro";
/// The default account's API token (Basic-auth password).
pub const DEFAULT_TOKEN: &str = "sandbox-smartbill-token";
/// The default account's company CIF.
pub const DEFAULT_CIF: &str = "RO37311090";

/// SmartBill's limit: 30 calls in 10 seconds per account.
pub const LIMIT: (usize, Duration) = (30, Duration::from_secs(10));
/// How long SmartBill blocks an account that made a 31st call.
pub const BLOCK: Duration = Duration::from_secs(600);

const BLOCKED_TEXT: &str =
    "Utilizatorul a fost blocat pentru ca s-a depasit limita maxima de apeluri permise.";
const AUTH_TEXT: &str = "Autentificare esuata. Va rugam verificati datele si incercati din nou.";

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocKind {
    /// A tax invoice (`/invoice`).
    Invoice,
    /// A proforma (`/estimate`).
    Estimate,
}

impl DocKind {
    fn series_letter(self) -> &'static str {
        match self {
            DocKind::Invoice => "f",
            DocKind::Estimate => "p",
        }
    }

    fn word(self) -> &'static str {
        match self {
            DocKind::Invoice => "Factura",
            DocKind::Estimate => "Proforma",
        }
    }

    fn url_word(self) -> &'static str {
        match self {
            DocKind::Invoice => "factura",
            DocKind::Estimate => "proforma",
        }
    }
}

/// One line of an issued document, as the simulator computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocLine {
    /// The printed name.
    pub name: String,
    /// Product code, if any.
    pub code: Option<String>,
    /// Quantity (1 for a discount row).
    pub quantity: Decimal,
    /// Unit of measure.
    pub unit: String,
    /// VAT rate name.
    pub tax_name: String,
    /// VAT percentage.
    pub tax_percentage: Decimal,
    /// Amount without VAT (negative for discounts and storno lines).
    pub net: Decimal,
    /// VAT amount.
    pub vat: Decimal,
    /// Amount with VAT.
    pub gross: Decimal,
    /// Whether this is a discount row.
    pub is_discount: bool,
}

/// An issued invoice or proforma, as the simulator keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SbDocument {
    /// Invoice or proforma.
    pub kind: DocKind,
    /// The company CIF it was issued for (as sent).
    pub company: String,
    /// The series.
    pub series: String,
    /// The number as SmartBill formats it (`0001`).
    pub number: String,
    /// SmartBill's document id.
    pub document_id: u64,
    /// The client's name.
    pub client_name: String,
    /// The client's VAT code, as sent.
    pub client_vat_code: Option<String>,
    /// The client's county, as sent.
    pub client_county: Option<String>,
    /// The issue date.
    pub issue_date: NaiveDate,
    /// The currency.
    pub currency: String,
    /// The lines.
    pub lines: Vec<DocLine>,
    /// Total without VAT.
    pub total_net: Decimal,
    /// Total VAT.
    pub total_vat: Decimal,
    /// Total with VAT.
    pub total: Decimal,
    /// Collected so far.
    pub paid: Decimal,
    /// Cancelled (keeps its number).
    pub cancelled: bool,
    /// The storno that reverses this invoice.
    pub reversed_by: Option<(String, String)>,
    /// The invoice this storno reverses.
    pub reverses: Option<(String, String)>,
    /// The proforma this invoice was made from.
    pub from_estimate: Option<(String, String)>,
    /// Mentions printed on it.
    pub mentions: Option<String>,
    /// Addresses it was emailed to.
    pub emailed_to: Vec<String>,
    /// The public view token (for the view link).
    view_token: String,
}

/// A recorded collection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SbPayment {
    /// The company CIF.
    pub company: String,
    /// The payment type (`Card`, `Chitanta`, `Ordin plata`, ...).
    pub payment_type: String,
    /// The amount.
    pub value: Decimal,
    /// The date.
    pub date: NaiveDate,
    /// The receipt series and number, for a `Chitanta`.
    pub receipt: Option<(String, String)>,
    /// The invoices it settles, with the part of the value each took.
    pub invoices: Vec<(String, String, Decimal)>,
    /// The payer's name.
    pub client_name: Option<String>,
    /// The fiscal receipt id, for a `Bon` with `returnFiscalPrinterText`.
    pub fiscal_id: Option<String>,
}

/// An email SmartBill "sent".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SbEmail {
    /// Document series.
    pub series: String,
    /// Document number.
    pub number: String,
    /// Recipient.
    pub to: String,
    /// Subject, decoded from base64.
    pub subject: Option<String>,
}

#[derive(Debug, Clone)]
struct Series {
    letter: String,
    next: u32,
}

#[derive(Debug, Clone)]
struct StockItem {
    warehouse: String,
    warehouse_type: String,
    code: String,
    name: String,
    unit: String,
    quantity: Decimal,
}

#[derive(Debug)]
struct Company {
    cif: String,
    series: BTreeMap<String, Series>,
    taxes: Vec<(String, Decimal)>,
    stock: Vec<StockItem>,
}

#[derive(Debug)]
struct Account {
    email: String,
    token: String,
    cifs: Vec<String>,
}

#[derive(Debug, Default)]
struct State {
    accounts: Vec<Account>,
    companies: HashMap<String, Company>,
    documents: Vec<SbDocument>,
    payments: Vec<SbPayment>,
    emails: Vec<SbEmail>,
    fiscal_texts: HashMap<String, String>,
    next_id: u64,
}

/// The SmartBill simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    state: Mutex<State>,
}

fn cif_key(cif: &str) -> String {
    let c = cif.trim().to_ascii_uppercase();
    c.strip_prefix("RO").unwrap_or(&c).trim().to_owned()
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default account.
    pub fn new(shared: Shared) -> Self {
        let sim = Self {
            shared,
            state: Mutex::new(State {
                next_id: 274_000,
                ..State::default()
            }),
        };
        sim.add_account(DEFAULT_EMAIL, DEFAULT_TOKEN, &[DEFAULT_CIF]);
        sim
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shared clock, faults and limits.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Adds an account (email + token) with access to `cifs`; each new company gets the
    /// default series, VAT rates and stock.
    pub fn add_account(&self, email: &str, token: &str, cifs: &[&str]) {
        let mut st = self.lock();
        for cif in cifs {
            st.companies
                .entry(cif_key(cif))
                .or_insert_with(|| default_company(cif));
        }
        st.accounts.retain(|a| a.email != email);
        st.accounts.push(Account {
            email: email.to_owned(),
            token: token.to_owned(),
            cifs: cifs.iter().map(|c| cif_key(c)).collect(),
        });
    }

    /// Adds (or resets) a series of `letter` (`f` invoices, `p` proformas, `c` receipts)
    /// for company `cif`, whose next number is `next`.
    pub fn set_series(&self, cif: &str, name: &str, letter: &str, next: u32) {
        let mut st = self.lock();
        let company = st
            .companies
            .entry(cif_key(cif))
            .or_insert_with(|| default_company(cif));
        company.series.insert(
            name.to_owned(),
            Series {
                letter: letter.to_owned(),
                next,
            },
        );
    }

    /// Every document issued (invoices, storno invoices and proformas), oldest first;
    /// deleted ones are gone.
    pub fn documents(&self) -> Vec<SbDocument> {
        self.lock().documents.clone()
    }

    /// The invoices issued (storno invoices included), oldest first.
    pub fn invoices(&self) -> Vec<SbDocument> {
        self.lock()
            .documents
            .iter()
            .filter(|d| d.kind == DocKind::Invoice)
            .cloned()
            .collect()
    }

    /// One document by kind, series and number.
    pub fn document(&self, kind: DocKind, series: &str, number: &str) -> Option<SbDocument> {
        self.lock()
            .documents
            .iter()
            .find(|d| d.kind == kind && d.series == series && d.number == number)
            .cloned()
    }

    /// The collections recorded.
    pub fn payments(&self) -> Vec<SbPayment> {
        self.lock().payments.clone()
    }

    /// The emails sent.
    pub fn emails(&self) -> Vec<SbEmail> {
        self.lock().emails.clone()
    }

    /// The next number of a series of company `cif`, formatted (`0007`).
    pub fn next_number(&self, cif: &str, series: &str) -> Option<String> {
        self.lock()
            .companies
            .get(&cif_key(cif))
            .and_then(|c| c.series.get(series))
            .map(|s| fmt_number(s.next))
    }

    /// The stock of a product (by code, else name) in a warehouse of company `cif`.
    pub fn stock(&self, cif: &str, warehouse: &str, product: &str) -> Option<Decimal> {
        self.lock()
            .companies
            .get(&cif_key(cif))
            .and_then(|c| {
                c.stock
                    .iter()
                    .find(|s| s.warehouse == warehouse && (s.code == product || s.name == product))
            })
            .map(|s| s.quantity)
    }
}

fn default_company(cif: &str) -> Company {
    let mut series = BTreeMap::new();
    for (name, letter) in [("FCT", "f"), ("PRF", "p"), ("CH", "c")] {
        series.insert(
            name.to_owned(),
            Series {
                letter: letter.to_owned(),
                next: 1,
            },
        );
    }
    let taxes = [
        ("Normala", 21),
        ("Redusa", 11),
        ("Redusa locuinte", 9),
        ("Taxare inversa", 0),
        ("TVA Inclus", 0),
        ("SDD", 0),
        ("SFDD", 0),
    ]
    .into_iter()
    .map(|(n, p)| (n.to_owned(), Decimal::from(p)))
    .collect();
    let stock = vec![
        StockItem {
            warehouse: "Depozit central".into(),
            warehouse_type: "en gros".into(),
            code: "TRC-01".into(),
            name: "Tricou alb".into(),
            unit: "buc".into(),
            quantity: Decimal::from(100),
        },
        StockItem {
            warehouse: "Depozit central".into(),
            warehouse_type: "en gros".into(),
            code: String::new(),
            name: "Cafea boabe".into(),
            unit: "kg".into(),
            quantity: Decimal::from(25),
        },
    ];
    Company {
        cif: cif.trim().to_owned(),
        series,
        taxes,
        stock,
    }
}

fn fmt_number(n: u32) -> String {
    format!("{n:04}")
}

/// Percentages a VAT name had over the years (a document dated before a change carries
/// the old rate).
fn historic_rates(name: &str) -> &'static [i64] {
    match name {
        "Normala" => &[19, 20, 24],
        "Redusa" => &[9, 5],
        "Redusa locuinte" => &[5],
        _ => &[],
    }
}

const COUNTIES: [&str; 42] = [
    "Alba",
    "Arad",
    "Arges",
    "Bacau",
    "Bihor",
    "Bistrita-Nasaud",
    "Botosani",
    "Braila",
    "Brasov",
    "Bucuresti",
    "Buzau",
    "Calarasi",
    "Caras-Severin",
    "Cluj",
    "Constanta",
    "Covasna",
    "Dambovita",
    "Dolj",
    "Galati",
    "Giurgiu",
    "Gorj",
    "Harghita",
    "Hunedoara",
    "Ialomita",
    "Iasi",
    "Ilfov",
    "Maramures",
    "Mehedinti",
    "Mures",
    "Neamt",
    "Olt",
    "Prahova",
    "Salaj",
    "Satu Mare",
    "Sibiu",
    "Suceava",
    "Teleorman",
    "Timis",
    "Tulcea",
    "Valcea",
    "Vaslui",
    "Vrancea",
];

/// Lower-case ASCII without Romanian diacritics.
pub(crate) fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            'ă' | 'â' | 'Ă' | 'Â' => 'a',
            'î' | 'Î' => 'i',
            'ș' | 'ş' | 'Ș' | 'Ş' => 's',
            'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

pub(crate) fn is_ro_county(name: &str) -> bool {
    let f = fold(name).replace(' ', "-");
    let f = f.strip_prefix("judetul-").unwrap_or(&f).to_owned();
    f == "municipiul-bucuresti"
        || COUNTIES
            .iter()
            .any(|c| fold(c).replace(' ', "-") == f.replace(' ', "-"))
}

/// Rounds money to 2 decimals, half away from zero.
pub(crate) fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A decimal as a JSON number with its exact digits.
pub(crate) fn num(d: Decimal) -> Value {
    Value::Number(
        serde_json::Number::from_str(&d.normalize().to_string())
            .unwrap_or_else(|_| serde_json::Number::from(0)),
    )
}

/// A decimal from a JSON number or numeric string.
pub(crate) fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            let t = n.to_string();
            Decimal::from_str(&t)
                .or_else(|_| Decimal::from_scientific(&t))
                .ok()
        }
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

/// A one-page A4 PDF with `title` and `lines` of text (at most 60).
pub(crate) fn simple_pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let page: Vec<String> = std::iter::once(title.to_owned())
        .chain(lines.iter().take(60).cloned())
        .collect();
    crate::pdf::document(&[page], crate::pdf::A4)
}

// ---------------------------------------------------------------------------------------
// Answers

fn envelope(error_text: &str, message: &str, series: &str, number: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("errorText".into(), json!(error_text));
    m.insert("message".into(), json!(message));
    m.insert("number".into(), json!(number));
    m.insert("series".into(), json!(series));
    m
}

fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// A business refusal: SmartBill answers these with HTTP 200 and an `errorText`.
fn refuse(text: &str) -> HttpResponse {
    json_response(StatusCode::OK, &Value::Object(envelope(text, "", "", "")))
}

fn refuse_status(status: StatusCode, text: &str) -> HttpResponse {
    json_response(status, &Value::Object(envelope(text, "", "", "")))
}

fn mapping_error(path: &str, code: &str, message: &str, param: &str) -> HttpResponse {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({
            "status": 400,
            "type": "invalid_request_error",
            "instance": format!("/SBORO/api/{path}"),
            "errors": [{
                "code": code,
                "message": message,
                "param": param,
                "docUrl": "https://api.smartbill.ro/"
            }]
        }),
    )
}

fn ok(body: Map<String, Value>) -> HttpResponse {
    json_response(StatusCode::OK, &Value::Object(body))
}

// ---------------------------------------------------------------------------------------
// Requests

#[derive(Debug, Clone, Copy)]
enum Op {
    Create(DocKind, bool),
    Pdf(DocKind),
    Cancel(DocKind),
    Restore(DocKind),
    Delete(DocKind),
    Reverse,
    PaymentStatus,
    EstimateInvoices,
    Payment,
    DeleteReceipt,
    DeletePayment,
    PaymentText,
    SendEmail,
    Taxes,
    Series,
    Stocks,
}

impl Op {
    fn path(self) -> String {
        match self {
            Op::Create(k, v2) => format!(
                "{}{}",
                if k == DocKind::Invoice {
                    "invoice"
                } else {
                    "estimate"
                },
                if v2 { "/v2" } else { "" }
            ),
            Op::Reverse => "invoice/reverse".into(),
            Op::Payment => "payment".into(),
            Op::SendEmail => "document/send".into(),
            _ => String::new(),
        }
    }

    fn effectful(self) -> bool {
        matches!(
            self,
            Op::Create(..)
                | Op::Cancel(_)
                | Op::Restore(_)
                | Op::Delete(_)
                | Op::Reverse
                | Op::Payment
                | Op::DeleteReceipt
                | Op::DeletePayment
                | Op::SendEmail
        )
    }
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let header = req.headers().get("authorization")?.to_str().ok()?;
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

fn query_map(req: &HttpRequest) -> HashMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .unwrap_or_default()
        .into_iter()
        .collect()
}

async fn dispatch(sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes, op: Op) -> HttpResponse {
    if let Some(resp) = sim.shared.gate(Provider::SmartBill).await {
        return resp;
    }
    let Some((user, token)) = basic_credentials(&req) else {
        return refuse_status(StatusCode::UNAUTHORIZED, AUTH_TEXT);
    };
    let account_cifs = {
        let st = sim.lock();
        st.accounts
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(&user) && a.token == token)
            .map(|a| a.cifs.clone())
    };
    let Some(account_cifs) = account_cifs else {
        return refuse_status(StatusCode::UNAUTHORIZED, AUTH_TEXT);
    };
    match sim.shared.limits.check(
        Provider::SmartBill.id(),
        &user.to_ascii_lowercase(),
        "calls",
        LIMIT.0,
        LIMIT.1,
        Some(BLOCK),
    ) {
        crate::limits::Verdict::Allowed => {}
        _ => return refuse_status(StatusCode::FORBIDDEN, BLOCKED_TEXT),
    }
    let query = query_map(&req);
    let body_json = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => Some(v),
            Err(e) => {
                return mapping_error(
                    &op.path(),
                    "json_parse_error",
                    &format!("Malformed JSON: {e}"),
                    "",
                );
            }
        }
    };
    let cif = match &body_json {
        Some(b) => b
            .get("companyVatCode")
            .and_then(Value::as_str)
            .map(str::to_owned),
        None => query.get("cif").cloned(),
    };
    let needs_body = matches!(
        op,
        Op::Create(..) | Op::Reverse | Op::Payment | Op::SendEmail
    );
    if needs_body && body_json.is_none() {
        return mapping_error(
            &op.path(),
            "json_parse_error",
            "Request body is missing.",
            "",
        );
    }
    let Some(cif) = cif.filter(|c| !c.trim().is_empty()) else {
        return refuse_status(
            StatusCode::BAD_REQUEST,
            "Codul fiscal al firmei (cif / companyVatCode) lipseste.",
        );
    };
    if !account_cifs.contains(&cif_key(&cif)) {
        return refuse_status(
            StatusCode::UNAUTHORIZED,
            &format!("Utilizatorul nu are acces la firma cu codul fiscal {cif}."),
        );
    }
    let host = req.connection_info().host().to_owned();
    let base = format!("http://{host}/smartbill");
    let body = body_json.unwrap_or(Value::Null);
    let resp = {
        let mut st = sim.lock();
        let today = sim.shared.clock.now().date_naive();
        let ctx = Ctx {
            cif: &cif,
            query: &query,
            body: &body,
            today,
            base: &base,
        };
        handle(&mut st, op, &ctx)
    };
    if op.effectful() && resp.status() == StatusCode::OK && resp.took_effect {
        sim.shared.after_effect(Provider::SmartBill).await;
    }
    resp.into_response()
}

struct Ctx<'a> {
    cif: &'a str,
    query: &'a HashMap<String, String>,
    body: &'a Value,
    today: NaiveDate,
    base: &'a str,
}

struct Answer {
    inner: HttpResponse,
    took_effect: bool,
}

impl Answer {
    fn status(&self) -> StatusCode {
        self.inner.status()
    }
    fn into_response(self) -> HttpResponse {
        self.inner
    }
}

impl From<HttpResponse> for Answer {
    fn from(inner: HttpResponse) -> Self {
        Answer {
            inner,
            took_effect: false,
        }
    }
}

fn effect(inner: HttpResponse) -> Answer {
    Answer {
        inner,
        took_effect: true,
    }
}

fn handle(st: &mut State, op: Op, ctx: &Ctx<'_>) -> Answer {
    match op {
        Op::Create(kind, v2) => create(st, kind, v2, ctx),
        Op::Pdf(kind) => pdf(st, kind, ctx).into(),
        Op::Cancel(kind) => cancel_restore(st, kind, true, ctx),
        Op::Restore(kind) => cancel_restore(st, kind, false, ctx),
        Op::Delete(kind) => delete(st, kind, ctx),
        Op::Reverse => reverse(st, ctx),
        Op::PaymentStatus => payment_status(st, ctx).into(),
        Op::EstimateInvoices => estimate_invoices(st, ctx).into(),
        Op::Payment => payment(st, ctx),
        Op::DeleteReceipt => delete_receipt(st, ctx),
        Op::DeletePayment => delete_payment(st, ctx),
        Op::PaymentText => payment_text(st, ctx).into(),
        Op::SendEmail => send_email(st, ctx),
        Op::Taxes => taxes(st, ctx).into(),
        Op::Series => series(st, ctx).into(),
        Op::Stocks => stocks(st, ctx).into(),
    }
}

const DOC_KEYS: &[&str] = &[
    "companyVatCode",
    "client",
    "isDraft",
    "issueDate",
    "seriesName",
    "currency",
    "exchangeRate",
    "language",
    "precision",
    "issuerCnp",
    "issuerName",
    "aviz",
    "dueDate",
    "deliveryDate",
    "paymentDate",
    "mentions",
    "observations",
    "delegateName",
    "delegateIdentityCard",
    "delegateAuto",
    "useStock",
    "useEstimateDetails",
    "estimate",
    "usePaymentTax",
    "paymentBase",
    "colectedTax",
    "paymentTotal",
    "paymentUrl",
    "useIntraCif",
    "sendEmail",
    "email",
    "products",
    "payment",
];
const CLIENT_KEYS: &[&str] = &[
    "name",
    "vatCode",
    "code",
    "address",
    "regCom",
    "isTaxPayer",
    "contact",
    "phone",
    "city",
    "county",
    "country",
    "email",
    "bank",
    "iban",
    "saveToDb",
];
const PRODUCT_KEYS: &[&str] = &[
    "isDiscount",
    "name",
    "code",
    "productDescription",
    "translatedName",
    "translatedMeasuringUnit",
    "measuringUnitName",
    "currency",
    "quantity",
    "price",
    "isTaxIncluded",
    "taxName",
    "taxPercentage",
    "exchangeRate",
    "saveToDb",
    "warehouseName",
    "isService",
    "numberOfItems",
    "discountType",
    "discountPercentage",
    "discountValue",
];
const DOC_PAYMENT_KEYS: &[&str] = &["value", "paymentSeries", "type", "isCash"];
const EMAIL_KEYS: &[&str] = &["to", "cc", "bcc"];
const SERIES_NUMBER_KEYS: &[&str] = &["seriesName", "number"];
const PAYMENT_KEYS: &[&str] = &[
    "companyVatCode",
    "client",
    "issueDate",
    "currency",
    "language",
    "seriesName",
    "exchangeRate",
    "precision",
    "value",
    "text",
    "translatedText",
    "isDraft",
    "type",
    "isCash",
    "observation",
    "useInvoiceDetails",
    "invoicesList",
    "returnFiscalPrinterText",
];

/// The first property of `v` (or of the nested objects named in `nested`) that is not
/// allowed, as SmartBill's JSON mapping refuses it.
fn unknown_property(v: &Value, allowed: &[&str]) -> Option<String> {
    v.as_object()?
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))
        .cloned()
}

fn check_document_shape(body: &Value) -> Option<String> {
    if let Some(k) = unknown_property(body, DOC_KEYS) {
        return Some(k);
    }
    if let Some(k) = body
        .get("client")
        .and_then(|c| unknown_property(c, CLIENT_KEYS))
    {
        return Some(k);
    }
    for p in body
        .get("products")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(k) = unknown_property(p, PRODUCT_KEYS) {
            return Some(k);
        }
    }
    if let Some(k) = body
        .get("payment")
        .and_then(|c| unknown_property(c, DOC_PAYMENT_KEYS))
    {
        return Some(k);
    }
    if let Some(k) = body
        .get("email")
        .and_then(|c| unknown_property(c, EMAIL_KEYS))
    {
        return Some(k);
    }
    body.get("estimate")
        .and_then(|c| unknown_property(c, SERIES_NUMBER_KEYS))
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).map(str::trim)
}

fn b(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn date(v: &Value, key: &str) -> Result<Option<NaiveDate>, String> {
    match s(v, key) {
        None | Some("") => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("Data {d} nu este valida (formatul este aaaa-ll-zz).")),
    }
}

fn company<'a>(st: &'a mut State, cif: &str) -> &'a mut Company {
    st.companies
        .entry(cif_key(cif))
        .or_insert_with(|| default_company(cif))
}

fn find_doc(st: &State, cif: &str, kind: DocKind, series: &str, number: &str) -> Option<usize> {
    let key = cif_key(cif);
    st.documents.iter().position(|d| {
        cif_key(&d.company) == key && d.kind == kind && d.series == series && d.number == number
    })
}

fn not_found(kind: DocKind, series: &str, number: &str) -> HttpResponse {
    refuse(&format!("{} {series} {number} nu exista.", kind.word()))
}

fn doc_query(ctx: &Ctx<'_>) -> Option<(String, String)> {
    let series = ctx.query.get("seriesName").map(|s| s.trim().to_owned());
    let number = ctx.query.get("number").map(|s| s.trim().to_owned());
    match (series, number) {
        (Some(s), Some(n)) if !s.is_empty() && !n.is_empty() => Some((s, normalize_number(&n))),
        _ => None,
    }
}

fn missing_key() -> HttpResponse {
    refuse_status(
        StatusCode::BAD_REQUEST,
        "Seria (seriesName) si numarul (number) documentului sunt obligatorii.",
    )
}

/// SmartBill matches `23` and `0023` alike.
fn normalize_number(n: &str) -> String {
    n.trim()
        .parse::<u32>()
        .map(fmt_number)
        .unwrap_or_else(|_| n.trim().to_owned())
}

struct Computed {
    lines: Vec<DocLine>,
    net: Decimal,
    vat: Decimal,
    gross: Decimal,
}

fn compute_lines(products: &[Value], taxes: &[(String, Decimal)]) -> Result<Computed, String> {
    let mut lines: Vec<DocLine> = Vec::new();
    let mut product_rows: Vec<usize> = Vec::new();
    for (i, p) in products.iter().enumerate() {
        let name = s(p, "name").unwrap_or("").to_owned();
        if name.is_empty() {
            return Err(format!(
                "Denumirea produsului de pe pozitia {} lipseste.",
                i + 1
            ));
        }
        let unit = s(p, "measuringUnitName").unwrap_or("").to_owned();
        if unit.is_empty() {
            return Err(format!("Unitatea de masura a produsului {name} lipseste."));
        }
        let included = b(p, "isTaxIncluded");
        let tax_name = s(p, "taxName").unwrap_or("Normala").to_owned();
        let Some((_, configured)) = taxes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&tax_name))
        else {
            return Err(format!(
                "Cota TVA {tax_name} nu este definita in contul dumneavoastra."
            ));
        };
        let pct = match p.get("taxPercentage") {
            None | Some(Value::Null) => *configured,
            Some(v) => {
                dec(v).ok_or_else(|| format!("Cota TVA a produsului {name} nu este valida."))?
            }
        };
        if pct != *configured
            && !historic_rates(&tax_name)
                .iter()
                .any(|r| Decimal::from(*r) == pct)
        {
            return Err(format!(
                "Cota TVA {pct}% nu corespunde cotei {tax_name} ({configured}%)."
            ));
        }
        let split = |amount: Decimal| -> (Decimal, Decimal, Decimal) {
            let hundred = Decimal::ONE_HUNDRED;
            if included {
                let net = round2(amount * hundred / (hundred + pct));
                (net, amount - net, amount)
            } else {
                let vat = round2(amount * pct / hundred);
                (amount, vat, amount + vat)
            }
        };
        if b(p, "isDiscount") {
            let n = p.get("numberOfItems").and_then(Value::as_u64).unwrap_or(1) as usize;
            if n == 0 || n > product_rows.len() {
                return Err(format!(
                    "Discountul {name} se aplica la {n} produse, dar are doar {} produse inainte.",
                    product_rows.len()
                ));
            }
            let dtype = p.get("discountType").and_then(Value::as_u64).unwrap_or(2);
            let amount = match dtype {
                1 => {
                    let v = p
                        .get("discountValue")
                        .and_then(dec)
                        .ok_or_else(|| format!("Valoarea discountului {name} lipseste."))?;
                    if v >= Decimal::ZERO {
                        return Err(format!(
                            "Valoarea discountului {name} trebuie sa fie negativa."
                        ));
                    }
                    round2(v)
                }
                2 => {
                    let pc = p
                        .get("discountPercentage")
                        .and_then(dec)
                        .ok_or_else(|| format!("Procentul discountului {name} lipseste."))?;
                    if pc <= Decimal::ZERO || pc > Decimal::ONE_HUNDRED {
                        return Err(format!(
                            "Procentul discountului {name} trebuie sa fie intre 0 si 100."
                        ));
                    }
                    let base: Decimal = product_rows[product_rows.len() - n..]
                        .iter()
                        .map(|&i| {
                            if included {
                                lines[i].gross
                            } else {
                                lines[i].net
                            }
                        })
                        .sum();
                    -round2(base * pc / Decimal::ONE_HUNDRED)
                }
                other => return Err(format!("Tipul de discount {other} nu este valid.")),
            };
            let (net, vat, gross) = split(amount);
            lines.push(DocLine {
                name,
                code: None,
                quantity: Decimal::ONE,
                unit,
                tax_name,
                tax_percentage: pct,
                net,
                vat,
                gross,
                is_discount: true,
            });
            continue;
        }
        let quantity = p
            .get("quantity")
            .and_then(dec)
            .ok_or_else(|| format!("Cantitatea produsului {name} lipseste."))?;
        let price = p
            .get("price")
            .and_then(dec)
            .ok_or_else(|| format!("Pretul produsului {name} lipseste."))?;
        if quantity == Decimal::ZERO {
            return Err(format!("Cantitatea produsului {name} nu poate fi 0."));
        }
        let (net, vat, gross) = split(round2(quantity * price));
        product_rows.push(lines.len());
        lines.push(DocLine {
            name,
            code: s(p, "code").filter(|c| !c.is_empty()).map(str::to_owned),
            quantity,
            unit,
            tax_name,
            tax_percentage: pct,
            net,
            vat,
            gross,
            is_discount: false,
        });
    }
    if product_rows.is_empty() {
        return Err("Documentul trebuie sa contina cel putin un produs.".into());
    }
    let net = lines.iter().map(|l| l.net).sum();
    let vat = lines.iter().map(|l| l.vat).sum();
    let gross = lines.iter().map(|l| l.gross).sum();
    Ok(Computed {
        lines,
        net,
        vat,
        gross,
    })
}

fn next_in_series(
    st: &mut State,
    cif: &str,
    name: &str,
    letter: &str,
    what: &str,
) -> Result<String, String> {
    let company = company(st, cif);
    let Some(series) = company.series.get_mut(name) else {
        return Err(format!("Seria {name} nu exista in contul dumneavoastra."));
    };
    if series.letter != letter {
        return Err(format!("Seria {name} nu este o serie de {what}."));
    }
    let n = fmt_number(series.next);
    series.next += 1;
    Ok(n)
}

fn created_body(d: &SbDocument, v2: bool, base: &str) -> Map<String, Value> {
    let mut m = envelope("", "", &d.series, &d.number);
    m.insert("url".into(), json!(""));
    if v2 {
        m.insert(
            "documentUrl".into(),
            json!(format!(
                "{base}/documente/editare/{}/{}/",
                d.kind.url_word(),
                d.document_id
            )),
        );
        m.insert("documentId".into(), json!(d.document_id));
        m.insert(
            "documentViewUrl".into(),
            json!(format!(
                "{base}/documente/extern/{}/{}",
                d.kind.url_word(),
                d.view_token
            )),
        );
    }
    m
}

fn create(st: &mut State, kind: DocKind, v2: bool, ctx: &Ctx<'_>) -> Answer {
    let body = ctx.body;
    if let Some(prop) = check_document_shape(body) {
        return mapping_error(
            &Op::Create(kind, v2).path(),
            "json_mapping_error",
            &format!("Unrecognized property: {prop}."),
            &prop,
        )
        .into();
    }
    match create_inner(st, kind, ctx) {
        Ok(doc) => {
            let resp = ok(created_body(&doc, v2, ctx.base));
            st.documents.push(doc);
            effect(resp)
        }
        Err(text) => refuse(&text).into(),
    }
}

fn create_inner(st: &mut State, kind: DocKind, ctx: &Ctx<'_>) -> Result<SbDocument, String> {
    let body = ctx.body;
    if b(body, "isDraft") {
        return Err("Sandbox-ul SmartBill nu emite ciorne (isDraft).".into());
    }
    let issue_date = date(body, "issueDate")?.unwrap_or(ctx.today);
    date(body, "dueDate")?;
    date(body, "deliveryDate")?;
    let currency = s(body, "currency").unwrap_or("RON").to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(format!("Moneda {currency} nu este valida."));
    }
    if currency != "RON" && body.get("exchangeRate").and_then(dec).is_none() {
        return Err(format!(
            "Cursul valutar pentru {currency} lipseste (exchangeRate)."
        ));
    }
    let series_name = s(body, "seriesName").unwrap_or("").to_owned();
    if series_name.is_empty() {
        return Err("Seria documentului (seriesName) lipseste.".into());
    }
    let use_estimate = b(body, "useEstimateDetails");
    let mut from_estimate = None;
    let (client, computed) = if use_estimate && kind == DocKind::Invoice {
        let est = body
            .get("estimate")
            .ok_or("Proforma de facturat (estimate) lipseste.")?;
        let es = s(est, "seriesName").unwrap_or("");
        let en = normalize_number(s(est, "number").unwrap_or(""));
        let idx = find_doc(st, ctx.cif, DocKind::Estimate, es, &en)
            .ok_or_else(|| format!("Proforma {es} {en} nu exista."))?;
        let e = &st.documents[idx];
        if e.cancelled {
            return Err(format!("Proforma {es} {en} este anulata."));
        }
        if st
            .documents
            .iter()
            .any(|d| d.from_estimate.as_ref() == Some(&(es.to_owned(), en.clone())) && !d.cancelled)
        {
            return Err(format!("Proforma {es} {en} este deja facturata."));
        }
        from_estimate = Some((es.to_owned(), en.clone()));
        let computed = Computed {
            lines: e.lines.clone(),
            net: e.total_net,
            vat: e.total_vat,
            gross: e.total,
        };
        (
            (
                e.client_name.clone(),
                e.client_vat_code.clone(),
                e.client_county.clone(),
            ),
            computed,
        )
    } else {
        let client = body.get("client").ok_or("Datele clientului lipsesc.")?;
        let name = s(client, "name").unwrap_or("").to_owned();
        if name.is_empty() {
            return Err("Numele clientului nu este completat.".into());
        }
        let country = s(client, "country").unwrap_or("Romania");
        let county = s(client, "county").map(str::to_owned);
        let in_romania = matches!(fold(country).as_str(), "romania" | "ro" | "");
        if in_romania
            && let Some(c) = county.as_deref()
            && !c.is_empty()
            && !is_ro_county(c)
        {
            return Err(format!(
                "Judetul clientului nu este valid. Judetul trebuie sa fie denumirea reala a unui judet din Romania.<br/><div id=\"moreErrorDetails\" style=\"display:none\">client.county={c}</div>"
            ));
        }
        let products: Vec<Value> = body
            .get("products")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if products.len() > 400 {
            return Err("Documentul poate avea cel mult 400 de pozitii.".into());
        }
        let taxes = company(st, ctx.cif).taxes.clone();
        let computed = compute_lines(&products, &taxes)?;
        (
            (name, s(client, "vatCode").map(str::to_owned), county),
            computed,
        )
    };
    if kind == DocKind::Estimate && (body.get("payment").is_some() || b(body, "useStock")) {
        return Err("O proforma nu poate avea incasare sau descarcare de gestiune.".into());
    }
    // Stock: check before any number is taken.
    let mut stock_moves: Vec<(usize, Decimal)> = Vec::new();
    if b(body, "useStock") {
        let company = company(st, ctx.cif);
        for p in body
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if b(p, "isDiscount") || b(p, "isService") {
                continue;
            }
            let name = s(p, "name").unwrap_or("");
            let code = s(p, "code").unwrap_or("");
            let wh = s(p, "warehouseName").unwrap_or("");
            let qty = p.get("quantity").and_then(dec).unwrap_or(Decimal::ZERO);
            let Some(i) = company.stock.iter().position(|it| {
                it.warehouse == wh
                    && ((!code.is_empty() && it.code == code)
                        || (code.is_empty() && it.name == name))
            }) else {
                return Err(format!("Produsul {name} nu exista in gestiunea {wh}."));
            };
            let already: Decimal = stock_moves
                .iter()
                .filter(|(j, _)| *j == i)
                .map(|(_, q)| *q)
                .sum();
            if company.stock[i].quantity - already < qty {
                return Err(format!(
                    "Stoc insuficient pentru produsul {name} in gestiunea {wh}."
                ));
            }
            stock_moves.push((i, qty));
        }
    }
    // The payment collected on issue.
    let mut payment: Option<(String, Decimal, Option<String>)> = None;
    if let Some(p) = body.get("payment") {
        let value = p
            .get("value")
            .and_then(dec)
            .ok_or("Valoarea incasarii lipseste.")?;
        let ptype = s(p, "type").unwrap_or("").to_owned();
        if !is_payment_type(&ptype) {
            return Err(format!("Tipul de incasare {ptype} nu este valid."));
        }
        if value <= Decimal::ZERO {
            return Err(format!(
                "Valoarea incasarii ({value}) trebuie sa fie pozitiva."
            ));
        }
        let receipt_series = if ptype.eq_ignore_ascii_case("Chitanta") {
            let ps = s(p, "paymentSeries").unwrap_or("").to_owned();
            if ps.is_empty() {
                return Err("Seria chitantei (paymentSeries) lipseste.".into());
            }
            match company(st, ctx.cif).series.get(&ps) {
                Some(sr) if sr.letter == "c" => {}
                Some(_) => return Err(format!("Seria {ps} nu este o serie de chitante.")),
                None => return Err(format!("Seria {ps} nu exista in contul dumneavoastra.")),
            }
            Some(ps)
        } else {
            None
        };
        payment = Some((ptype, value, receipt_series));
    }
    let email_to = if b(body, "sendEmail") {
        let to = body
            .get("email")
            .and_then(|e| s(e, "to"))
            .unwrap_or("")
            .to_owned();
        if !valid_email(&to) {
            return Err("Adresa de e-mail a destinatarului nu este valida.".into());
        }
        Some(to)
    } else {
        None
    };
    // Everything checked: take the number.
    let what = match kind {
        DocKind::Invoice => "facturi",
        DocKind::Estimate => "proforme",
    };
    let number = next_in_series(st, ctx.cif, &series_name, kind.series_letter(), what)?;
    {
        let company = company(st, ctx.cif);
        for (i, q) in stock_moves {
            company.stock[i].quantity -= q;
        }
    }
    st.next_id += 1;
    let document_id = st.next_id;
    let mut doc = SbDocument {
        kind,
        company: ctx.cif.to_owned(),
        series: series_name.clone(),
        number: number.clone(),
        document_id,
        client_name: client.0,
        client_vat_code: client.1,
        client_county: client.2,
        issue_date,
        currency,
        lines: computed.lines,
        total_net: computed.net,
        total_vat: computed.vat,
        total: computed.gross,
        paid: Decimal::ZERO,
        cancelled: false,
        reversed_by: None,
        reverses: None,
        from_estimate,
        mentions: s(body, "mentions").map(str::to_owned),
        emailed_to: Vec::new(),
        view_token: format!("{:x}", document_id.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
    };
    if let Some((ptype, value, receipt_series)) = payment {
        let receipt = match receipt_series {
            Some(rs) => {
                let n = next_in_series(st, ctx.cif, &rs, "c", "chitante")?;
                Some((rs, n))
            }
            None => None,
        };
        doc.paid = value;
        st.payments.push(SbPayment {
            company: ctx.cif.to_owned(),
            payment_type: ptype,
            value,
            date: date(body, "paymentDate")?.unwrap_or(issue_date),
            receipt,
            invoices: vec![(series_name.clone(), number.clone(), value)],
            client_name: Some(doc.client_name.clone()),
            fiscal_id: None,
        });
    }
    if let Some(to) = email_to {
        doc.emailed_to.push(to.clone());
        st.emails.push(SbEmail {
            series: series_name,
            number,
            to,
            subject: None,
        });
    }
    Ok(doc)
}

fn valid_email(to: &str) -> bool {
    to.split(',').all(|a| {
        let a = a.trim();
        match a.split_once('@') {
            Some((user, domain)) => {
                !user.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !a.contains(' ')
            }
            None => false,
        }
    })
}

fn is_payment_type(t: &str) -> bool {
    [
        "Chitanta",
        "Bon",
        "Card",
        "Card online",
        "CEC",
        "Bilet ordin",
        "Ordin plata",
        "Mandat postal",
        "Extras de cont",
        "Ramburs",
        "Alta incasare",
    ]
    .iter()
    .any(|x| x.eq_ignore_ascii_case(t.trim()))
}

fn doc_pdf(d: &SbDocument) -> Vec<u8> {
    let title = format!(
        "{} {} {}{}",
        d.kind.word().to_uppercase(),
        d.series,
        d.number,
        if d.cancelled { " (ANULATA)" } else { "" }
    );
    let mut lines = vec![
        format!("Furnizor CIF: {}", d.company),
        format!("Client: {}", d.client_name),
        format!("Data emiterii: {}", d.issue_date),
        String::new(),
    ];
    for l in &d.lines {
        lines.push(format!(
            "{} x {} {}  net {}  TVA {}% {}  total {}",
            l.name, l.quantity, l.unit, l.net, l.tax_percentage, l.vat, l.gross
        ));
    }
    lines.push(String::new());
    lines.push(format!(
        "Total fara TVA {}  TVA {}  Total {} {}",
        d.total_net, d.total_vat, d.total, d.currency
    ));
    if let Some(m) = &d.mentions {
        lines.push(format!("Mentiuni: {m}"));
    }
    if let Some((s, n)) = &d.reverses {
        lines.push(format!("Storno la factura {s} {n}"));
    }
    simple_pdf(&title, &lines)
}

fn pdf_response(bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/octet-stream")
        .body(bytes)
}

fn pdf(st: &mut State, kind: DocKind, ctx: &Ctx<'_>) -> HttpResponse {
    let Some((series, number)) = doc_query(ctx) else {
        return missing_key();
    };
    match find_doc(st, ctx.cif, kind, &series, &number) {
        Some(i) => pdf_response(doc_pdf(&st.documents[i])),
        None => not_found(kind, &series, &number),
    }
}

fn done(message: &str, series: &str, number: &str) -> HttpResponse {
    ok(envelope("", message, series, number))
}

fn cancel_restore(st: &mut State, kind: DocKind, cancel: bool, ctx: &Ctx<'_>) -> Answer {
    let Some((series, number)) = doc_query(ctx) else {
        return missing_key().into();
    };
    let Some(i) = find_doc(st, ctx.cif, kind, &series, &number) else {
        return not_found(kind, &series, &number).into();
    };
    let word = kind.word();
    if cancel {
        if st.documents[i].cancelled {
            return refuse(&format!("{word} {series} {number} este deja anulata.")).into();
        }
        if let Some((ss, sn)) = st.documents[i].reversed_by.clone()
            && find_doc(st, ctx.cif, DocKind::Invoice, &ss, &sn)
                .is_some_and(|j| !st.documents[j].cancelled)
        {
            return refuse(&format!(
                "Factura {series} {number} a fost stornata prin factura {ss} {sn}. Anulati mai intai factura de stornare."
            ))
            .into();
        }
        st.documents[i].cancelled = true;
        effect(done("Documentul a fost anulat.", &series, &number))
    } else {
        if !st.documents[i].cancelled {
            return refuse(&format!("{word} {series} {number} nu este anulata.")).into();
        }
        st.documents[i].cancelled = false;
        effect(done("Documentul a fost restaurat.", &series, &number))
    }
}

fn delete(st: &mut State, kind: DocKind, ctx: &Ctx<'_>) -> Answer {
    let Some((series, number)) = doc_query(ctx) else {
        return missing_key().into();
    };
    let Some(i) = find_doc(st, ctx.cif, kind, &series, &number) else {
        return not_found(kind, &series, &number).into();
    };
    let next = company(st, ctx.cif).series.get(&series).map(|s| s.next);
    let is_last = number
        .parse::<u32>()
        .ok()
        .zip(next)
        .is_some_and(|(n, next)| n + 1 == next);
    if !is_last {
        return refuse(&format!(
            "{} nu poate fi stearsa deoarece nu este ultima emisa in aceasta serie. Puteti anula {}.",
            kind.word(),
            kind.word().to_lowercase()
        ))
        .into();
    }
    let doc = st.documents.remove(i);
    if let Some(sr) = company(st, ctx.cif).series.get_mut(&series) {
        sr.next -= 1;
    }
    if let Some((os, on)) = &doc.reverses
        && let Some(j) = find_doc(st, ctx.cif, DocKind::Invoice, os, on)
    {
        st.documents[j].reversed_by = None;
    }
    let key = (series.clone(), number.clone());
    st.payments.retain(|p| {
        !(cif_key(&p.company) == cif_key(ctx.cif)
            && kind == DocKind::Invoice
            && p.invoices
                .iter()
                .any(|(s, n, _)| (s.clone(), n.clone()) == key))
    });
    effect(done("Documentul a fost sters.", &series, &number))
}

fn reverse(st: &mut State, ctx: &Ctx<'_>) -> Answer {
    let body = ctx.body;
    if let Some(prop) = unknown_property(
        body,
        &["companyVatCode", "seriesName", "number", "issueDate"],
    ) {
        return mapping_error(
            "invoice/reverse",
            "json_mapping_error",
            &format!("Unrecognized property: {prop}."),
            &prop,
        )
        .into();
    }
    let series = s(body, "seriesName").unwrap_or("").to_owned();
    let number = normalize_number(s(body, "number").unwrap_or(""));
    let refused = |text: &str| {
        let mut m = envelope(text, "", "", "");
        m.insert("url".into(), json!(""));
        m.insert("documentUrl".into(), json!(""));
        m.insert("documentId".into(), json!(-1));
        m.insert("documentViewUrl".into(), json!(""));
        ok(m)
    };
    let Some(i) = find_doc(st, ctx.cif, DocKind::Invoice, &series, &number) else {
        return refused(&format!("Factura {series} {number} nu exista.")).into();
    };
    let issue_date = match date(body, "issueDate") {
        Ok(d) => d.unwrap_or(ctx.today),
        Err(e) => return refused(&e).into(),
    };
    let orig = st.documents[i].clone();
    if orig.reversed_by.is_some() {
        return refused("Factura este deja stornata.").into();
    }
    if orig.reverses.is_some() {
        return refused("O factura de stornare nu poate fi stornata.").into();
    }
    if orig.cancelled {
        return refused("Factura este anulata si nu poate fi stornata.").into();
    }
    let number_new = match next_in_series(st, ctx.cif, &series, "f", "facturi") {
        Ok(n) => n,
        Err(e) => return refused(&e).into(),
    };
    st.next_id += 1;
    let id = st.next_id;
    let neg = |l: &DocLine| DocLine {
        quantity: -l.quantity,
        net: -l.net,
        vat: -l.vat,
        gross: -l.gross,
        ..l.clone()
    };
    let storno = SbDocument {
        number: number_new.clone(),
        document_id: id,
        issue_date,
        lines: orig.lines.iter().map(neg).collect(),
        total_net: -orig.total_net,
        total_vat: -orig.total_vat,
        total: -orig.total,
        paid: Decimal::ZERO,
        cancelled: false,
        reversed_by: None,
        reverses: Some((series.clone(), number.clone())),
        from_estimate: None,
        emailed_to: Vec::new(),
        view_token: format!("{:x}", id.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        ..orig
    };
    st.documents[i].reversed_by = Some((series.clone(), number_new));
    let resp = ok(created_body(&storno, true, ctx.base));
    st.documents.push(storno);
    effect(resp)
}

fn payment_status(st: &mut State, ctx: &Ctx<'_>) -> HttpResponse {
    let Some((series, number)) = doc_query(ctx) else {
        return missing_key();
    };
    let Some(i) = find_doc(st, ctx.cif, DocKind::Invoice, &series, &number) else {
        return not_found(DocKind::Invoice, &series, &number);
    };
    let d = &st.documents[i];
    let unpaid = d.total - d.paid;
    let mut m = envelope("", "", &series, &number);
    m.insert("invoiceTotalAmount".into(), num(d.total));
    m.insert("paidAmount".into(), num(d.paid));
    m.insert("unpaidAmount".into(), num(unpaid));
    m.insert("paid".into(), json!(unpaid <= Decimal::ZERO));
    ok(m)
}

fn estimate_invoices(st: &mut State, ctx: &Ctx<'_>) -> HttpResponse {
    let Some((series, number)) = doc_query(ctx) else {
        return missing_key();
    };
    if find_doc(st, ctx.cif, DocKind::Estimate, &series, &number).is_none() {
        return not_found(DocKind::Estimate, &series, &number);
    }
    let key = cif_key(ctx.cif);
    let invoices: Vec<Value> = st
        .documents
        .iter()
        .filter(|d| {
            cif_key(&d.company) == key
                && d.from_estimate.as_ref() == Some(&(series.clone(), number.clone()))
        })
        .map(|d| json!({"series": d.series, "number": d.number}))
        .collect();
    let mut m = Map::new();
    m.insert("errorText".into(), json!(""));
    m.insert("message".into(), json!(""));
    m.insert("areInvoicesCreated".into(), json!(!invoices.is_empty()));
    m.insert("invoices".into(), Value::Array(invoices));
    ok(m)
}

fn payment(st: &mut State, ctx: &Ctx<'_>) -> Answer {
    let body = ctx.body;
    if let Some(prop) = unknown_property(body, PAYMENT_KEYS).or_else(|| {
        body.get("client")
            .and_then(|c| unknown_property(c, CLIENT_KEYS))
    }) {
        return mapping_error(
            "payment",
            "json_mapping_error",
            &format!("Unrecognized property: {prop}."),
            &prop,
        )
        .into();
    }
    match payment_inner(st, ctx) {
        Ok(resp) => effect(resp),
        Err(text) => refuse(&text).into(),
    }
}

fn payment_inner(st: &mut State, ctx: &Ctx<'_>) -> Result<HttpResponse, String> {
    let body = ctx.body;
    if b(body, "isDraft") {
        return Err("Sandbox-ul SmartBill nu emite ciorne (isDraft).".into());
    }
    let value = body
        .get("value")
        .and_then(dec)
        .ok_or("Valoarea incasarii lipseste.")?;
    if value <= Decimal::ZERO {
        return Err("Valoarea incasarii trebuie sa fie pozitiva.".into());
    }
    let ptype = s(body, "type").unwrap_or("").to_owned();
    if !is_payment_type(&ptype) {
        return Err(format!("Tipul de incasare {ptype} nu este valid."));
    }
    let day = date(body, "issueDate")?.unwrap_or(ctx.today);
    let use_invoices = b(body, "useInvoiceDetails");
    let mut settles: Vec<(usize, Decimal)> = Vec::new();
    let mut client_name = body
        .get("client")
        .and_then(|c| s(c, "name"))
        .map(str::to_owned);
    if use_invoices {
        let list = body
            .get("invoicesList")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if list.is_empty() {
            return Err("Lista de facturi (invoicesList) este goala.".into());
        }
        if list.len() > 70 {
            return Err("O incasare poate acoperi cel mult 70 de facturi.".into());
        }
        let mut left = value;
        for inv in &list {
            let is = s(inv, "seriesName").unwrap_or("");
            let inn = normalize_number(s(inv, "number").unwrap_or(""));
            let i = find_doc(st, ctx.cif, DocKind::Invoice, is, &inn)
                .ok_or_else(|| format!("Factura {is} {inn} nu exista."))?;
            let d = &st.documents[i];
            if d.cancelled {
                return Err(format!("Factura {is} {inn} este anulata."));
            }
            client_name.get_or_insert_with(|| d.client_name.clone());
            let take = left.min(d.total - d.paid).max(Decimal::ZERO);
            settles.push((i, take));
            left -= take;
        }
        if left > Decimal::ZERO {
            return Err(format!(
                "Valoarea incasarii ({value}) depaseste restul de plata al facturilor ({}).",
                value - left
            ));
        }
    } else if client_name.as_deref().unwrap_or("").is_empty() {
        return Err("Numele clientului nu este completat.".into());
    }
    let mut receipt = None;
    if ptype.eq_ignore_ascii_case("Chitanta") {
        let rs = s(body, "seriesName").unwrap_or("").to_owned();
        if rs.is_empty() {
            return Err("Seria chitantei (seriesName) lipseste.".into());
        }
        let n = next_in_series(st, ctx.cif, &rs, "c", "chitante")?;
        receipt = Some((rs, n));
    }
    let mut fiscal_id = None;
    if ptype.eq_ignore_ascii_case("Bon") && b(body, "returnFiscalPrinterText") {
        st.next_id += 1;
        let id = st.next_id.to_string();
        let text = format!(
            "BON FISCAL\n{}\nTOTAL {}\n",
            client_name.as_deref().unwrap_or(""),
            value
        );
        st.fiscal_texts.insert(
            id.clone(),
            base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
        );
        fiscal_id = Some(id);
    }
    let mut invoices = Vec::new();
    for (i, take) in settles {
        st.documents[i].paid += take;
        invoices.push((
            st.documents[i].series.clone(),
            st.documents[i].number.clone(),
            take,
        ));
    }
    st.payments.push(SbPayment {
        company: ctx.cif.to_owned(),
        payment_type: ptype,
        value,
        date: day,
        receipt: receipt.clone(),
        invoices,
        client_name,
        fiscal_id: fiscal_id.clone(),
    });
    let (rs, rn) = receipt.unwrap_or_default();
    let mut m = envelope("", "", &rs, &rn);
    m.insert("url".into(), json!(""));
    if let Some(id) = fiscal_id {
        m.insert("id".into(), json!(id));
    }
    Ok(ok(m))
}

fn unsettle(st: &mut State, cif: &str, p: &SbPayment) {
    for (s, n, v) in &p.invoices {
        if let Some(i) = find_doc(st, cif, DocKind::Invoice, s, n) {
            st.documents[i].paid -= *v;
        }
    }
}

fn delete_receipt(st: &mut State, ctx: &Ctx<'_>) -> Answer {
    let Some((series, number)) = doc_query(ctx) else {
        return missing_key().into();
    };
    let key = cif_key(ctx.cif);
    let Some(pi) = st.payments.iter().position(|p| {
        cif_key(&p.company) == key && p.receipt.as_ref() == Some(&(series.clone(), number.clone()))
    }) else {
        return refuse(&format!("Chitanta {series} {number} nu exista.")).into();
    };
    let next = company(st, ctx.cif).series.get(&series).map(|s| s.next);
    let is_last = number
        .parse::<u32>()
        .ok()
        .zip(next)
        .is_some_and(|(n, next)| n + 1 == next);
    if !is_last {
        return refuse(
            "Chitanta nu poate fi stearsa deoarece nu este ultima emisa in aceasta serie.",
        )
        .into();
    }
    let p = st.payments.remove(pi);
    unsettle(st, ctx.cif, &p);
    if let Some(sr) = company(st, ctx.cif).series.get_mut(&series) {
        sr.next -= 1;
    }
    effect(done("Documentul a fost sters.", &series, &number))
}

fn delete_payment(st: &mut State, ctx: &Ctx<'_>) -> Answer {
    let q = ctx.query;
    let key = cif_key(ctx.cif);
    let ptype = q.get("paymentType").cloned().unwrap_or_default();
    let by_invoice = q
        .get("invoiceSeries")
        .zip(q.get("invoiceNumber"))
        .map(|(s, n)| (s.clone(), normalize_number(n)));
    let value = q
        .get("paymentValue")
        .and_then(|v| Decimal::from_str(v).ok());
    let day = q
        .get("paymentDate")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let client = q.get("clientName").or(q.get("clientCif")).cloned();
    let found = st.payments.iter().position(|p| {
        cif_key(&p.company) == key
            && p.receipt.is_none()
            && p.payment_type.eq_ignore_ascii_case(&ptype)
            && match &by_invoice {
                Some((s, n)) => p.invoices.iter().any(|(ps, pn, _)| ps == s && pn == n),
                None => {
                    Some(p.value) == value
                        && Some(p.date) == day
                        && client.is_some()
                        && p.client_name == client
                }
            }
    });
    let Some(pi) = found else {
        return refuse("Incasarea nu a fost gasita.").into();
    };
    let p = st.payments.remove(pi);
    unsettle(st, ctx.cif, &p);
    effect(done("Incasarea a fost stearsa.", "", ""))
}

fn payment_text(st: &mut State, ctx: &Ctx<'_>) -> HttpResponse {
    let id = ctx.query.get("id").cloned().unwrap_or_default();
    match st.fiscal_texts.get(&id) {
        Some(text) => ok(envelope("", text, "", "")),
        None => refuse(&format!("Bonul fiscal {id} nu exista.")),
    }
}

fn send_email(st: &mut State, ctx: &Ctx<'_>) -> Answer {
    let body = ctx.body;
    let status = |code: Value, message: &str| {
        ok({
            let mut m = Map::new();
            m.insert("status".into(), json!({"code": code, "message": message}));
            m
        })
    };
    if let Some(prop) = unknown_property(
        body,
        &[
            "companyVatCode",
            "seriesName",
            "number",
            "type",
            "subject",
            "to",
            "cc",
            "bcc",
            "bodyText",
        ],
    ) {
        return mapping_error(
            "document/send",
            "json_mapping_error",
            &format!("Unrecognized property: {prop}."),
            &prop,
        )
        .into();
    }
    let kind = match s(body, "type").unwrap_or("") {
        "factura" => DocKind::Invoice,
        "proforma" => DocKind::Estimate,
        other => {
            return status(
                json!("1"),
                &format!("Tipul de document {other} nu este valid."),
            )
            .into();
        }
    };
    let series = s(body, "seriesName").unwrap_or("").to_owned();
    let number = normalize_number(s(body, "number").unwrap_or(""));
    let to = s(body, "to").unwrap_or("").to_owned();
    if !valid_email(&to) {
        return status(
            json!("1"),
            "Adresa de e-mail a destinatarului nu este valida.",
        )
        .into();
    }
    for cc in ["cc", "bcc"] {
        if let Some(a) = s(body, cc)
            && !a.is_empty()
            && !valid_email(a)
        {
            return status(
                json!("1"),
                &format!("Adresa de e-mail {cc} nu este valida."),
            )
            .into();
        }
    }
    let decode = |key: &str| -> Result<Option<String>, ()> {
        match s(body, key) {
            None => Ok(None),
            Some(t) => base64::engine::general_purpose::STANDARD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .map(Some)
                .ok_or(()),
        }
    };
    let (Ok(subject), Ok(_)) = (decode("subject"), decode("bodyText")) else {
        return status(
            json!("1"),
            "Subiectul si continutul mesajului trebuie trimise in base64.",
        )
        .into();
    };
    let Some(i) = find_doc(st, ctx.cif, kind, &series, &number) else {
        return status(
            json!("1"),
            &format!("{} {series} {number} nu exista.", kind.word()),
        )
        .into();
    };
    st.documents[i].emailed_to.push(to.clone());
    st.emails.push(SbEmail {
        series,
        number,
        to,
        subject,
    });
    effect(status(json!(0), "Mesajul a fost trimis cu succes."))
}

fn taxes(st: &mut State, ctx: &Ctx<'_>) -> HttpResponse {
    let list: Vec<Value> = company(st, ctx.cif)
        .taxes
        .iter()
        .map(|(n, p)| json!({"name": n, "percentage": num(*p)}))
        .collect();
    let mut m = envelope("", "", "", "");
    m.insert("taxes".into(), Value::Array(list));
    ok(m)
}

fn series(st: &mut State, ctx: &Ctx<'_>) -> HttpResponse {
    let filter = ctx.query.get("type").map(|t| t.trim().to_ascii_lowercase());
    let list: Vec<Value> = company(st, ctx.cif)
        .series
        .iter()
        .filter(|(_, s)| filter.as_ref().is_none_or(|f| *f == s.letter))
        .map(|(name, s)| json!({"name": name, "nextNumber": fmt_number(s.next), "type": s.letter}))
        .collect();
    let mut m = envelope("", "", "", "");
    m.insert("list".into(), Value::Array(list));
    ok(m)
}

fn stocks(st: &mut State, ctx: &Ctx<'_>) -> HttpResponse {
    let q = ctx.query;
    if q.get("date")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .is_none()
    {
        return refuse_status(
            StatusCode::BAD_REQUEST,
            "Data (date) este obligatorie, in formatul aaaa-ll-zz.",
        );
    }
    let company = company(st, ctx.cif);
    let mut by_wh: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    for it in &company.stock {
        if q.get("warehouseName").is_some_and(|w| *w != it.warehouse)
            || q.get("productName").is_some_and(|n| *n != it.name)
            || q.get("productCode").is_some_and(|c| *c != it.code)
        {
            continue;
        }
        by_wh
            .entry((it.warehouse.clone(), it.warehouse_type.clone()))
            .or_default()
            .push(json!({
                "measuringUnit": it.unit,
                "productCode": it.code,
                "productName": it.name,
                "quantity": num(it.quantity),
            }));
    }
    let list: Vec<Value> = by_wh
        .into_iter()
        .map(|((name, kind), products)| {
            json!({"products": products, "warehouse": {"warehouseName": name, "warehouseType": kind}})
        })
        .collect();
    let _ = &company.cif;
    let mut m = envelope("", "", "", "");
    m.insert("list".into(), Value::Array(list));
    ok(m)
}

/// The public view link of a `/v2` document: its PDF, without credentials.
async fn view(sim: web::Data<Sim>, path: web::Path<(String, String)>) -> HttpResponse {
    if let Some(resp) = sim.shared.gate(Provider::SmartBill).await {
        return resp;
    }
    let (kind, token) = path.into_inner();
    let st = sim.lock();
    match st
        .documents
        .iter()
        .find(|d| d.kind.url_word() == kind && d.view_token == token)
    {
        Some(d) => HttpResponse::Ok()
            .content_type("application/pdf")
            .body(doc_pdf(d)),
        None => HttpResponse::NotFound().finish(),
    }
}

macro_rules! op {
    ($op:expr) => {
        move |s: web::Data<Sim>, r: HttpRequest, b: web::Bytes| dispatch(s, r, b, $op)
    };
}

/// The routes, under `/smartbill`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    use DocKind::{Estimate, Invoice};
    web::scope("/smartbill")
        .app_data(web::Data::from(sim))
        .route("/invoice", web::post().to(op!(Op::Create(Invoice, false))))
        .route("/invoice", web::delete().to(op!(Op::Delete(Invoice))))
        .route(
            "/invoice/v2",
            web::post().to(op!(Op::Create(Invoice, true))),
        )
        .route(
            "/estimate",
            web::post().to(op!(Op::Create(Estimate, false))),
        )
        .route("/estimate", web::delete().to(op!(Op::Delete(Estimate))))
        .route(
            "/estimate/v2",
            web::post().to(op!(Op::Create(Estimate, true))),
        )
        .route("/invoice/pdf", web::get().to(op!(Op::Pdf(Invoice))))
        .route("/estimate/pdf", web::get().to(op!(Op::Pdf(Estimate))))
        .route("/invoice/cancel", web::put().to(op!(Op::Cancel(Invoice))))
        .route("/estimate/cancel", web::put().to(op!(Op::Cancel(Estimate))))
        .route("/invoice/restore", web::put().to(op!(Op::Restore(Invoice))))
        .route(
            "/estimate/restore",
            web::put().to(op!(Op::Restore(Estimate))),
        )
        .route("/invoice/reverse", web::post().to(op!(Op::Reverse)))
        .route(
            "/invoice/paymentstatus",
            web::get().to(op!(Op::PaymentStatus)),
        )
        .route(
            "/estimate/invoices",
            web::get().to(op!(Op::EstimateInvoices)),
        )
        .route("/payment", web::post().to(op!(Op::Payment)))
        .route(
            "/payment/chitanta",
            web::delete().to(op!(Op::DeleteReceipt)),
        )
        .route("/payment/v2", web::delete().to(op!(Op::DeletePayment)))
        .route("/payment/text", web::get().to(op!(Op::PaymentText)))
        .route("/document/send", web::post().to(op!(Op::SendEmail)))
        .route("/tax", web::get().to(op!(Op::Taxes)))
        .route("/series", web::get().to(op!(Op::Series)))
        .route("/stocks", web::get().to(op!(Op::Stocks)))
        .route("/documente/extern/{kind}/{token}", web::get().to(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counties_fold_diacritics() {
        assert!(is_ro_county("Cluj"));
        assert!(is_ro_county("Bistrița-Năsăud"));
        assert!(is_ro_county("Satu Mare"));
        assert!(is_ro_county("BUCURESTI"));
        assert!(!is_ro_county("Cluj-Napoca"));
    }

    #[test]
    fn pdfs_start_and_end_right() {
        let pdf = simple_pdf("FACTURA (x)", &["a".into(), "ț".into()]);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn vat_is_added_or_split_and_discounts_apply() {
        let taxes = vec![("Normala".to_owned(), Decimal::from(21))];
        let products = vec![
            json!({"name":"Tricou","measuringUnitName":"buc","quantity":2,"price":60.5,"isTaxIncluded":true,"taxName":"Normala","taxPercentage":21}),
            json!({"isDiscount":true,"name":"Discount","numberOfItems":1,"measuringUnitName":"buc","isTaxIncluded":true,"taxName":"Normala","taxPercentage":21,"discountType":2,"discountPercentage":10}),
        ];
        let c = compute_lines(&products, &taxes).unwrap();
        assert_eq!(c.gross, Decimal::new(10890, 2));
        assert_eq!(c.lines[0].net, Decimal::from(100));
        let bad = vec![
            json!({"name":"X","measuringUnitName":"buc","quantity":1,"price":1,"taxName":"Inexistenta"}),
        ];
        assert!(compute_lines(&bad, &taxes).is_err());
    }
}
