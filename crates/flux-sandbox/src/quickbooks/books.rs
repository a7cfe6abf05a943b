//! One QuickBooks company (realm): its records, numbering, taxes and the write rules.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value, json};

use super::query::{self, Query};

/// The entities the simulator keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// `Customer` (name list: never deleted, only made inactive).
    Customer,
    /// `Item` (name list).
    Item,
    /// `Estimate` (transaction).
    Estimate,
    /// `Invoice` (transaction).
    Invoice,
    /// `TaxCode` (read-only).
    TaxCode,
    /// `TaxRate` (read-only).
    TaxRate,
}

impl Kind {
    /// The entity name in JSON and queries.
    pub fn name(self) -> &'static str {
        match self {
            Self::Customer => "Customer",
            Self::Item => "Item",
            Self::Estimate => "Estimate",
            Self::Invoice => "Invoice",
            Self::TaxCode => "TaxCode",
            Self::TaxRate => "TaxRate",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [
            Self::Customer,
            Self::Item,
            Self::Estimate,
            Self::Invoice,
            Self::TaxCode,
            Self::TaxRate,
        ]
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(name))
    }

    fn is_name_list(self) -> bool {
        !matches!(self, Self::Estimate | Self::Invoice)
    }

    fn queryable(self) -> &'static [&'static str] {
        match self {
            Self::Customer => &[
                "Id",
                "DisplayName",
                "GivenName",
                "FamilyName",
                "CompanyName",
                "FullyQualifiedName",
                "PrimaryEmailAddr",
                "PrimaryPhone",
                "Active",
                "Balance",
                "Job",
                "MetaData.CreateTime",
                "MetaData.LastUpdatedTime",
            ],
            Self::Item => &[
                "Id",
                "Name",
                "Sku",
                "Type",
                "Active",
                "FullyQualifiedName",
                "Taxable",
                "UnitPrice",
                "MetaData.CreateTime",
                "MetaData.LastUpdatedTime",
            ],
            Self::Estimate | Self::Invoice => &[
                "Id",
                "DocNumber",
                "TxnDate",
                "DueDate",
                "CustomerRef",
                "TotalAmt",
                "Balance",
                "TxnStatus",
                "EmailStatus",
                "MetaData.CreateTime",
                "MetaData.LastUpdatedTime",
            ],
            Self::TaxCode | Self::TaxRate => &[
                "Id",
                "Name",
                "Active",
                "Taxable",
                "TaxGroup",
                "Hidden",
                "MetaData.CreateTime",
                "MetaData.LastUpdatedTime",
            ],
        }
    }
}

/// A QuickBooks fault (`{"Fault":{"Error":[…],"type":"ValidationFault"}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) detail: String,
    pub(crate) element: String,
}

const NOT_FOUND_DETAIL: &str = "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.";

impl Fault {
    fn new(code: &str, message: &str, detail: impl Into<String>, element: &str) -> Self {
        Self {
            status: 400,
            code: code.to_owned(),
            message: message.to_owned(),
            detail: detail.into(),
            element: element.to_owned(),
        }
    }

    pub(crate) fn required(element: &str) -> Self {
        Self::new(
            "2020",
            "Required param missing, need to supply the required value for the API",
            format!("Required parameter {element} is missing in the request"),
            element,
        )
    }

    pub(crate) fn not_found(element: &str) -> Self {
        Self::new("610", "Object Not Found", NOT_FOUND_DETAIL, element)
    }

    fn stale() -> Self {
        Self::new(
            "5010",
            "Stale Object Error",
            "Stale Object Error : You and root were working on this at the same time. root finished before you did, so your work was not saved.",
            "",
        )
    }

    fn duplicate_name(id: &str) -> Self {
        Self::new(
            "6240",
            "Duplicate Name Exists Error",
            format!("The name supplied already exists. : Id={id}"),
            "",
        )
    }

    pub(crate) fn business(detail: &str) -> Self {
        Self::new(
            "6000",
            "A business validation error has occurred while processing your request",
            format!("Business Validation Error: {detail}"),
            "",
        )
    }

    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        Self::new(
            "2010",
            "Request has invalid or unsupported property",
            detail,
            "",
        )
    }

    pub(crate) fn query_parse(detail: &str) -> Self {
        Self::new(
            "4000",
            "Error parsing query",
            format!("QueryParserError: {detail}"),
            "",
        )
    }

    pub(crate) fn query_invalid(detail: &str) -> Self {
        Self::new(
            "4001",
            "Invalid query",
            format!("QueryValidationError: {detail}"),
            "",
        )
    }

    /// The fault object (without the `time` wrapper).
    pub(crate) fn fault_json(&self) -> Value {
        json!({"Error": [{"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}], "type": "ValidationFault"})
    }
}

/// Decimal of a JSON number or numeric string (never through floating point).
pub(crate) fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A JSON number with the decimal's exact digits.
pub(crate) fn num(d: Decimal) -> Value {
    d.normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

pub(crate) fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn ref_value(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(|r| r.get("value"))
        .and_then(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.trim().is_empty())
}

/// An email the simulator "sent".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentEmail {
    /// Estimate or invoice.
    pub kind: Kind,
    /// The document's id.
    pub id: String,
    /// The document number.
    pub doc_number: String,
    /// The recipient.
    pub to: String,
    /// When (simulated time).
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct Deleted {
    kind: Kind,
    id: String,
    at: DateTime<Utc>,
}

/// A stored sales line, its amount, and the tax rates (id, %) it bears.
type SalesLineOut = (Value, Decimal, Vec<(String, Decimal)>);

/// How a write arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteOp {
    /// Create, or update when the body has an `Id`.
    Save,
    /// `operation=delete`.
    Delete,
    /// `operation=void`.
    Void,
}

/// One company.
#[derive(Debug)]
pub(crate) struct Company {
    pub(crate) realm: String,
    pub(crate) country: &'static str,
    tz: Tz,
    home_currency: (&'static str, &'static str),
    info: Value,
    prefs: Value,
    tables: HashMap<Kind, BTreeMap<u64, Value>>,
    next_id: HashMap<Kind, u64>,
    tax_codes: Vec<Value>,
    tax_rates: Vec<Value>,
    deleted: Vec<Deleted>,
    next_doc: HashMap<Kind, u64>,
    opening: HashMap<u64, Decimal>,
    next_addr: u64,
    /// `requestid` → the first answer (status, body).
    pub(crate) answers: HashMap<String, (u16, Value)>,
    pub(crate) emails: Vec<SentEmail>,
}

/// US automated sales tax: the state rates the simulator knows (id, state, name, %).
const US_RATES: [(&str, &str, &str, &str); 5] = [
    ("1", "CA", "California State", "7.25"),
    ("2", "NY", "New York State", "4"),
    ("3", "TX", "Texas State", "6.25"),
    ("4", "WA", "Washington State", "6.5"),
    ("5", "FL", "Florida State", "6"),
];

impl Company {
    pub(crate) fn stamp(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// The `time` of a response.
    pub(crate) fn time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string()
    }

    fn today(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    fn meta(&self, created: Option<&Value>, now: DateTime<Utc>) -> Value {
        let now = self.stamp(now);
        let create = created
            .and_then(|m| m.get("CreateTime"))
            .cloned()
            .unwrap_or_else(|| Value::String(now.clone()));
        json!({"CreateTime": create, "LastUpdatedTime": now})
    }

    // ---- seeds ------------------------------------------------------------------------

    pub(crate) fn us(realm: &str, now: DateTime<Utc>) -> Self {
        let mut c = Self::empty(
            realm,
            "US",
            chrono_tz::America::Los_Angeles,
            ("USD", "United States Dollar"),
        );
        c.info = json!({"CompanyName":"Flux Demo Supply Co","LegalName":"Flux Demo Supply Co","CompanyAddr":{"Id":"1","Line1":"123 Sierra Way","City":"San Pablo","CountrySubDivisionCode":"CA","PostalCode":"87999","Country":"USA"},"LegalAddr":{"Id":"1","Line1":"123 Sierra Way","City":"San Pablo","CountrySubDivisionCode":"CA","PostalCode":"87999","Country":"USA"},"Country":"US","Email":{"Address":"books@flux-demo.example"},"FiscalYearStartMonth":"January","SupportedLanguages":"en","NameValue":[{"Name":"NeoEnabled","Value":"true"}],"domain":"QBO","sparse":false,"Id":realm,"SyncToken":"4"});
        c.prefs = json!({"AccountingInfoPrefs":{"TrackDepartments":false,"ClassTrackingPerTxn":false,"ClassTrackingPerTxnLine":false},"ProductAndServicesPrefs":{"ForSales":true,"ForPurchase":true,"QuantityWithPriceAndRate":true,"QuantityOnHand":true},"SalesFormsPrefs":{"CustomTxnNumbers":false,"AllowShipping":true,"AllowDiscount":true,"AllowDeposit":true,"DefaultTerms":{"value":"3"},"ETransactionEnabledStatus":"NotApplicable"},"TaxPrefs":{"UsingSalesTax":true,"PartnerTaxEnabled":true},"CurrencyPrefs":{"MultiCurrencyEnabled":false,"HomeCurrency":{"value":"USD"}},"domain":"QBO","sparse":false,"Id":"1","SyncToken":"6"});
        for (id, state, name, rate) in US_RATES {
            c.tax_rates.push(json!({"Name": name, "Description": format!("{state} state sales tax"), "Active": true, "RateValue": rate, "AgencyRef": {"value": id}, "SpecialTaxType": "NONE", "DisplayType": "ReadOnly", "domain":"QBO","sparse":false,"Id": id, "SyncToken":"0"}));
        }
        c.tax_codes.push(json!({"Name":"TAX","Description":"TAX","Active":true,"Hidden":false,"Taxable":true,"TaxGroup":false,"domain":"QBO","sparse":false,"Id":"TAX","SyncToken":"0"}));
        c.tax_codes.push(json!({"Name":"NON","Description":"NON","Active":true,"Hidden":false,"Taxable":false,"TaxGroup":false,"domain":"QBO","sparse":false,"Id":"NON","SyncToken":"0"}));
        let customers = [
            json!({"DisplayName":"Amy's Bird Sanctuary","GivenName":"Amy","FamilyName":"Lauterbach","CompanyName":"Amy's Bird Sanctuary","PrimaryEmailAddr":{"Address":"Birds@Intuit.com"},"PrimaryPhone":{"FreeFormNumber":"(650) 555-3311"},"BillAddr":{"City":"Bayshore","Line1":"4581 Finch St.","PostalCode":"94326","CountrySubDivisionCode":"CA","Country":"USA"},"ShipAddr":{"City":"Bayshore","Line1":"4581 Finch St.","PostalCode":"94326","CountrySubDivisionCode":"CA","Country":"USA"},"Taxable":true,"Balance":274}),
            json!({"DisplayName":"Bill's Windsurf Shop","CompanyName":"Bill's Windsurf Shop","PrimaryEmailAddr":{"Address":"Surf@Intuit.com"},"BillAddr":{"City":"Half Moon Bay","Line1":"12 Ocean Dr.","PostalCode":"94213","CountrySubDivisionCode":"CA","Country":"USA"},"Taxable":true,"Balance":85}),
            json!({"DisplayName":"Cool Cars","CompanyName":"Cool Cars","Active":false,"BillAddr":{"City":"Half Moon Bay","Line1":"65 Ocean Dr.","PostalCode":"94213","CountrySubDivisionCode":"CA","Country":"USA"}}),
            json!({"DisplayName":"Diego Rodriguez","GivenName":"Diego","FamilyName":"Rodriguez","PrimaryEmailAddr":{"Address":"Diego@Rodriguez.com"},"ShipAddr":{"City":"Austin","Line1":"321 Channing","PostalCode":"73301","CountrySubDivisionCode":"TX","Country":"USA"},"Taxable":true}),
            json!({"DisplayName":"Dukes Basketball Camp","CompanyName":"Dukes Basketball Camp","PrimaryEmailAddr":{"Address":"Dukes_bball@intuit.com"},"BillAddr":{"City":"Tucson","Line1":"25 Court St.","PostalCode":"85719","CountrySubDivisionCode":"AZ","Country":"USA"},"Taxable":false}),
        ];
        let items = [
            json!({"Name":"Services","Type":"Service","UnitPrice":100,"Description":"Professional services","Taxable":false,"IncomeAccountRef":{"value":"1","name":"Services"}}),
            json!({"Name":"Design","Type":"Service","UnitPrice":75,"Description":"Custom Design","Taxable":false,"IncomeAccountRef":{"value":"82","name":"Design income"}}),
            json!({"Name":"Concrete","Type":"Service","UnitPrice":15,"Description":"Concrete for fountain installation","Taxable":true,"IncomeAccountRef":{"value":"48","name":"Landscaping Services:Job Materials:Fountains and Garden Lighting"}}),
            json!({"Name":"Rock Fountain","Type":"Inventory","Sku":"RF-100","UnitPrice":275.10,"PurchaseCost":125,"QtyOnHand":2,"InvStartDate":"2014-09-16","Description":"Rock Fountain","Taxable":true,"IncomeAccountRef":{"value":"79","name":"Sales of Product Income"},"AssetAccountRef":{"value":"81","name":"Inventory Asset"}}),
            json!({"Name":"Sprinkler Heads","Type":"Inventory","Sku":"SPH-20","UnitPrice":2,"PurchaseCost":0.75,"QtyOnHand":25,"InvStartDate":"2014-09-16","Description":"Sprinkler Heads","Taxable":true,"IncomeAccountRef":{"value":"79","name":"Sales of Product Income"},"AssetAccountRef":{"value":"81","name":"Inventory Asset"}}),
            json!({"Name":"Pump","Type":"NonInventory","Sku":"PMP-1","UnitPrice":15,"Description":"Fountain Pump","Taxable":true,"Active":false,"IncomeAccountRef":{"value":"79","name":"Sales of Product Income"}}),
        ];
        c.seed(&customers, &items, now);
        c
    }

    pub(crate) fn ca(realm: &str, now: DateTime<Utc>) -> Self {
        let mut c = Self::empty(
            realm,
            "CA",
            chrono_tz::America::Toronto,
            ("CAD", "Canadian Dollar"),
        );
        c.info = json!({"CompanyName":"Maple Distribution Inc.","LegalName":"Maple Distribution Inc.","CompanyAddr":{"Id":"1","Line1":"100 King St W","City":"Toronto","CountrySubDivisionCode":"ON","PostalCode":"M5X 1A9","Country":"CAN"},"LegalAddr":{"Id":"1","Line1":"100 King St W","City":"Toronto","CountrySubDivisionCode":"ON","PostalCode":"M5X 1A9","Country":"CAN"},"Country":"CA","Email":{"Address":"books@maple.example"},"FiscalYearStartMonth":"January","SupportedLanguages":"en","domain":"QBO","sparse":false,"Id":realm,"SyncToken":"2"});
        c.prefs = json!({"AccountingInfoPrefs":{"TrackDepartments":false,"ClassTrackingPerTxn":false,"ClassTrackingPerTxnLine":false},"ProductAndServicesPrefs":{"ForSales":true,"ForPurchase":true,"QuantityWithPriceAndRate":true,"QuantityOnHand":true},"SalesFormsPrefs":{"CustomTxnNumbers":false,"AllowShipping":true,"AllowDiscount":true,"AllowDeposit":true,"DefaultTerms":{"value":"3"},"ETransactionEnabledStatus":"NotApplicable"},"TaxPrefs":{"UsingSalesTax":true,"PartnerTaxEnabled":false},"CurrencyPrefs":{"MultiCurrencyEnabled":false,"HomeCurrency":{"value":"CAD"}},"domain":"QBO","sparse":false,"Id":"1","SyncToken":"3"});
        let rates = [
            ("3", "Exempt", "0"),
            ("4", "Zero-rated", "0"),
            ("8", "GST", "5"),
            ("21", "HST ON", "13"),
            ("22", "HST NS", "15"),
            ("24", "PST BC", "7"),
        ];
        for (id, name, rate) in rates {
            c.tax_rates.push(json!({"Name": name, "Description": name, "Active": true, "RateValue": rate, "AgencyRef": {"value": if name.starts_with("PST") {"3"} else {"2"}}, "SpecialTaxType": "NONE", "DisplayType": "ReadOnly", "domain":"QBO","sparse":false,"Id": id, "SyncToken":"0"}));
        }
        let codes: [(&str, &str, &str, &[&str]); 6] = [
            ("3", "Exempt", "Exempt", &["3"]),
            ("4", "Zero-rated", "Zero-rated", &["4"]),
            ("5", "GST", "GST", &["8"]),
            ("13", "HST ON", "HST Ontario", &["21"]),
            ("15", "HST NS", "HST Nova Scotia", &["22"]),
            ("17", "GST/PST BC", "GST/PST British Columbia", &["8", "24"]),
        ];
        for (id, name, description, rate_ids) in codes {
            let details: Vec<Value> = rate_ids
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let rname = c.tax_rates.iter().find(|t| str_of(t, "Id") == Some(r)).and_then(|t| str_of(t, "Name")).unwrap_or_default().to_owned();
                    json!({"TaxRateRef": {"value": r, "name": rname}, "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": i})
                })
                .collect();
            c.tax_codes.push(json!({"Name": name, "Description": description, "Active": true, "Hidden": false, "Taxable": true, "TaxGroup": true, "SalesTaxRateList": {"TaxRateDetail": details}, "PurchaseTaxRateList": {"TaxRateDetail": []}, "TaxCodeConfigType": "SYSTEM_GENERATED", "domain":"QBO","sparse":false,"Id": id, "SyncToken":"0"}));
        }
        let customers = [
            json!({"DisplayName":"Northwind Traders Ltd","CompanyName":"Northwind Traders Ltd","PrimaryEmailAddr":{"Address":"ap@northwind.example"},"BillAddr":{"City":"Toronto","Line1":"200 Bay St","PostalCode":"M5J 2J1","CountrySubDivisionCode":"ON","Country":"CAN"}}),
            json!({"DisplayName":"Maple Leaf Cafe","CompanyName":"Maple Leaf Cafe","PrimaryEmailAddr":{"Address":"owner@mapleleafcafe.example"},"BillAddr":{"City":"Vancouver","Line1":"800 Robson St","PostalCode":"V6Z 3B7","CountrySubDivisionCode":"BC","Country":"CAN"}}),
            json!({"DisplayName":"Rideau Outfitters","CompanyName":"Rideau Outfitters","BillAddr":{"City":"Ottawa","Line1":"50 Rideau St","PostalCode":"K1N 9J7","CountrySubDivisionCode":"ON","Country":"CAN"}}),
        ];
        let items = [
            json!({"Name":"Widget","Type":"NonInventory","Sku":"W-1","UnitPrice":25,"Description":"Widget","IncomeAccountRef":{"value":"79","name":"Sales"},"SalesTaxCodeRef":{"value":"13","name":"HST ON"}}),
            json!({"Name":"Gadget","Type":"NonInventory","Sku":"G-2","UnitPrice":40,"Description":"Gadget","IncomeAccountRef":{"value":"79","name":"Sales"},"SalesTaxCodeRef":{"value":"13","name":"HST ON"}}),
            json!({"Name":"Consulting","Type":"Service","UnitPrice":120,"Description":"Consulting hour","IncomeAccountRef":{"value":"1","name":"Services"},"SalesTaxCodeRef":{"value":"13","name":"HST ON"}}),
        ];
        c.seed(&customers, &items, now);
        c
    }

    fn empty(
        realm: &str,
        country: &'static str,
        tz: Tz,
        home_currency: (&'static str, &'static str),
    ) -> Self {
        Self {
            realm: realm.to_owned(),
            country,
            tz,
            home_currency,
            info: Value::Null,
            prefs: Value::Null,
            tables: HashMap::new(),
            next_id: HashMap::new(),
            tax_codes: Vec::new(),
            tax_rates: Vec::new(),
            deleted: Vec::new(),
            next_doc: HashMap::new(),
            opening: HashMap::new(),
            next_addr: 100,
            answers: HashMap::new(),
            emails: Vec::new(),
        }
    }

    fn seed(&mut self, customers: &[Value], items: &[Value], now: DateTime<Utc>) {
        let then = now - ChronoDuration::days(45);
        let meta = json!({"CreateTime": self.stamp(then), "LastUpdatedTime": self.stamp(then)});
        for v in [&mut self.info, &mut self.prefs] {
            if let Some(o) = v.as_object_mut() {
                o.insert("MetaData".to_owned(), meta.clone());
            }
        }
        for v in self.tax_codes.iter_mut().chain(self.tax_rates.iter_mut()) {
            if let Some(o) = v.as_object_mut() {
                o.insert("MetaData".to_owned(), meta.clone());
            }
        }
        for c in customers {
            if let Err(f) = self.seed_one(Kind::Customer, c.clone(), then) {
                tracing::error!(code = %f.code, detail = %f.detail, "QuickBooks seed customer refused");
            }
        }
        for i in items {
            if let Err(f) = self.seed_one(Kind::Item, i.clone(), then) {
                tracing::error!(code = %f.code, detail = %f.detail, "QuickBooks seed item refused");
            }
        }
    }

    /// Adds a record as if it had been created at `at` (seeds and [`Sim`](super::Sim) helpers).
    pub(crate) fn seed_one(
        &mut self,
        kind: Kind,
        body: Value,
        at: DateTime<Utc>,
    ) -> Result<Value, Fault> {
        let inactive = body.get("Active") == Some(&Value::Bool(false));
        let mut body = body;
        if let Some(o) = body.as_object_mut() {
            o.remove("Active");
        }
        let created = self.write(kind, body, WriteOp::Save, at)?;
        if !inactive {
            return Ok(created);
        }
        let id = str_of(&created, "Id").unwrap_or_default().to_owned();
        let patch =
            json!({"Id": id, "SyncToken": created["SyncToken"], "sparse": true, "Active": false});
        self.write(kind, patch, WriteOp::Save, at)
    }

    // ---- reads ------------------------------------------------------------------------

    pub(crate) fn company_info(&self) -> Value {
        self.info.clone()
    }

    pub(crate) fn preferences(&self) -> Value {
        self.prefs.clone()
    }

    fn table(&self, kind: Kind) -> Option<&BTreeMap<u64, Value>> {
        self.tables.get(&kind)
    }

    pub(crate) fn rows(&self, kind: Kind) -> Vec<Value> {
        match kind {
            Kind::TaxCode => self.tax_codes.clone(),
            Kind::TaxRate => self.tax_rates.clone(),
            k => self
                .table(k)
                .map(|t| t.values().cloned().collect())
                .unwrap_or_default(),
        }
    }

    fn get(&self, kind: Kind, id: &str) -> Option<&Value> {
        match kind {
            Kind::TaxCode => self.tax_codes.iter().find(|c| str_of(c, "Id") == Some(id)),
            Kind::TaxRate => self.tax_rates.iter().find(|c| str_of(c, "Id") == Some(id)),
            k => self.table(k)?.get(&id.parse::<u64>().ok()?),
        }
    }

    pub(crate) fn read(&self, kind: Kind, id: &str) -> Result<Value, Fault> {
        self.get(kind, id)
            .cloned()
            .ok_or_else(|| Fault::not_found(""))
    }

    /// Runs a query: the `QueryResponse` object.
    pub(crate) fn query(&self, text: &str) -> Result<Value, Fault> {
        let q: Query = query::parse(text).map_err(|e| Fault::query_parse(&e))?;
        let mut rows = match q.entity.to_ascii_lowercase().as_str() {
            "companyinfo" => vec![self.info.clone()],
            "preferences" => vec![self.prefs.clone()],
            _ => {
                let kind = Kind::from_name(&q.entity).ok_or_else(|| {
                    Fault::query_invalid(&format!("entity {} is not supported", q.entity))
                })?;
                for c in &q.conditions {
                    if !kind
                        .queryable()
                        .iter()
                        .any(|f| f.eq_ignore_ascii_case(&c.field))
                    {
                        return Err(Fault::query_invalid(&format!(
                            "property '{}' is not queryable",
                            c.field
                        )));
                    }
                }
                let mut rows = self.rows(kind);
                let mentions_active = q
                    .conditions
                    .iter()
                    .any(|c| c.field.eq_ignore_ascii_case("Active"));
                if kind.is_name_list() && !mentions_active {
                    rows.retain(|r| r.get("Active") != Some(&Value::Bool(false)));
                }
                rows
            }
        };
        let entity = match q.entity.to_ascii_lowercase().as_str() {
            "companyinfo" => "CompanyInfo",
            "preferences" => "Preferences",
            _ => Kind::from_name(&q.entity).map_or("", Kind::name),
        };
        rows.retain(|r| {
            q.conditions.iter().all(|c| {
                // Fields are matched case-sensitively in records: use the canonical spelling.
                c.matches(r)
            })
        });
        let order: Vec<(String, bool)> = if q.order_by.is_empty() {
            vec![("Id".to_owned(), false)]
        } else {
            q.order_by.clone()
        };
        rows.sort_by(|a, b| {
            for (field, desc) in &order {
                let o = query::order(a, b, field);
                let o = if *desc { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        if q.count {
            return Ok(json!({"totalCount": rows.len()}));
        }
        let page: Vec<Value> = rows
            .into_iter()
            .skip(q.start_position - 1)
            .take(q.max_results)
            .map(|r| project(r, &q.columns))
            .collect();
        if page.is_empty() {
            return Ok(json!({}));
        }
        let n = page.len();
        let mut out = Map::new();
        out.insert(entity.to_owned(), Value::Array(page));
        out.insert("startPosition".to_owned(), json!(q.start_position));
        out.insert("maxResults".to_owned(), json!(n));
        Ok(Value::Object(out))
    }

    /// Change data capture: the `CDCResponse` array.
    pub(crate) fn cdc(&self, entities: &str, since: DateTime<Utc>) -> Result<Value, Fault> {
        let mut responses = Vec::new();
        let mut budget = 1000usize;
        for name in entities.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let kind = Kind::from_name(name)
                .filter(|k| !matches!(k, Kind::TaxCode | Kind::TaxRate))
                .ok_or_else(|| {
                    Fault::invalid(format!(
                        "entities: {name} is not supported by change data capture"
                    ))
                })?;
            let mut rows: Vec<Value> = self
                .rows(kind)
                .into_iter()
                .filter(|r| {
                    r.pointer("/MetaData/LastUpdatedTime")
                        .and_then(Value::as_str)
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .is_some_and(|t| t.with_timezone(&Utc) > since)
                })
                .collect();
            for d in self
                .deleted
                .iter()
                .filter(|d| d.kind == kind && d.at > since)
            {
                rows.push(json!({"domain": "QBO", "status": "Deleted", "Id": d.id, "MetaData": {"LastUpdatedTime": self.stamp(d.at)}}));
            }
            rows.truncate(budget);
            budget -= rows.len();
            let n = rows.len();
            let mut obj = Map::new();
            if n > 0 {
                obj.insert(kind.name().to_owned(), Value::Array(rows));
                obj.insert("startPosition".to_owned(), json!(1));
                obj.insert("maxResults".to_owned(), json!(n));
            }
            responses.push(Value::Object(obj));
        }
        if responses.is_empty() {
            return Err(Fault::required("entities"));
        }
        Ok(json!([{"QueryResponse": responses}]))
    }

    // ---- writes -----------------------------------------------------------------------

    /// A create, update, delete or void of `kind` with `body`.
    pub(crate) fn write(
        &mut self,
        kind: Kind,
        body: Value,
        op: WriteOp,
        now: DateTime<Utc>,
    ) -> Result<Value, Fault> {
        let Value::Object(mut body) = body else {
            return Err(Fault::invalid(format!("{} must be an object", kind.name())));
        };
        if matches!(kind, Kind::TaxCode | Kind::TaxRate) {
            return Err(Fault::new(
                "500",
                "Unsupported Operation",
                format!("Operation {} is not supported.", "Create/Update"),
                "",
            ));
        }
        match op {
            WriteOp::Delete => return self.delete(kind, &body, now),
            WriteOp::Void => return self.void(kind, &body, now),
            WriteOp::Save => {}
        }
        let existing = match body.get("Id") {
            None | Some(Value::Null) => None,
            Some(id) => {
                let id = match id {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let current = self
                    .get(kind, &id)
                    .cloned()
                    .ok_or_else(|| Fault::not_found("Id"))?;
                let token = match body.get("SyncToken") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return Err(Fault::required("SyncToken")),
                };
                if Some(token.as_str()) != str_of(&current, "SyncToken") {
                    return Err(Fault::stale());
                }
                Some(current)
            }
        };
        let sparse = body.remove("sparse") == Some(Value::Bool(true));
        body.remove("SyncToken");
        let given = body.clone();
        let mut record = match (&existing, sparse) {
            (Some(Value::Object(cur)), true) => {
                let mut merged = cur.clone();
                for (k, v) in body {
                    merged.insert(k, v);
                }
                merged
            }
            _ => body,
        };
        // Read-only fields come from the stored record, whatever was sent.
        for key in [
            "domain",
            "MetaData",
            "Balance",
            "BalanceWithJobs",
            "TotalAmt",
            "TxnTaxDetail",
            "DeliveryInfo",
        ] {
            record.remove(key);
        }
        if let Some(cur) = &existing {
            for key in ["Balance", "BalanceWithJobs", "DeliveryInfo"] {
                if let Some(v) = cur.get(key) {
                    record.insert(key.to_owned(), v.clone());
                }
            }
        } else if kind == Kind::Customer
            && let Some(b) = given.get("Balance").and_then(dec)
        {
            record.insert("OpeningBalance".to_owned(), num(b));
        }
        let id = match &existing {
            Some(cur) => str_of(cur, "Id")
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or_default(),
            None => {
                let n = self.next_id.entry(kind).or_insert(1);
                *n
            }
        };
        let mut record = match kind {
            Kind::Customer => self.customer(record, &given, existing.as_ref(), id)?,
            Kind::Item => self.item(record, &given, existing.as_ref(), id)?,
            Kind::Estimate | Kind::Invoice => {
                self.sales_document(kind, record, existing.as_ref(), id, now)?
            }
            Kind::TaxCode | Kind::TaxRate => return Err(Fault::invalid("read-only entity")),
        };
        let token = existing
            .as_ref()
            .and_then(|c| str_of(c, "SyncToken"))
            .and_then(|s| s.parse::<u64>().ok())
            .map_or(0, |t| t + 1);
        record.insert("Id".to_owned(), Value::String(id.to_string()));
        record.insert("SyncToken".to_owned(), Value::String(token.to_string()));
        record.insert("sparse".to_owned(), Value::Bool(false));
        record.insert("domain".to_owned(), Value::String("QBO".to_owned()));
        record.insert(
            "MetaData".to_owned(),
            self.meta(existing.as_ref().and_then(|c| c.get("MetaData")), now),
        );
        if existing.is_none() {
            self.next_id.insert(kind, id + 1);
        }
        if kind == Kind::Customer {
            let opening = record.remove("OpeningBalance").and_then(|v| dec(&v));
            if let Some(b) = opening {
                self.opening.insert(id, b);
            }
        }
        let record = Value::Object(record);
        let old_customer = existing.as_ref().and_then(|c| ref_value(c, "CustomerRef"));
        self.tables.entry(kind).or_default().insert(id, record);
        if kind == Kind::Invoice {
            self.link_estimates(id, now);
        }
        for c in [
            old_customer,
            self.get(kind, &id.to_string())
                .and_then(|r| ref_value(r, "CustomerRef")),
        ]
        .into_iter()
        .flatten()
        {
            self.recompute_balance(&c);
        }
        if kind == Kind::Customer {
            self.recompute_balance(&id.to_string());
        }
        Ok(self
            .get(kind, &id.to_string())
            .cloned()
            .unwrap_or(Value::Null))
    }

    fn customer(
        &mut self,
        mut r: Map<String, Value>,
        given: &Map<String, Value>,
        existing: Option<&Value>,
        id: u64,
    ) -> Result<Map<String, Value>, Fault> {
        let derived = || {
            let parts: Vec<&str> = ["Title", "GivenName", "MiddleName", "FamilyName", "Suffix"]
                .iter()
                .filter_map(|k| r.get(*k).and_then(Value::as_str))
                .filter(|s| !s.trim().is_empty())
                .collect();
            if parts.is_empty() {
                r.get("CompanyName")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            } else {
                Some(parts.join(" "))
            }
        };
        let mut display = r
            .get("DisplayName")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .or_else(derived)
            .or_else(|| {
                existing
                    .and_then(|e| str_of(e, "DisplayName"))
                    .map(str::to_owned)
            })
            .ok_or_else(|| Fault::required("DisplayName"))?;
        if display.contains(':') {
            return Err(Fault::new(
                "2040",
                "Invalid character",
                "The name cannot contain a colon (:).",
                "DisplayName",
            ));
        }
        let active = r.get("Active").and_then(Value::as_bool).unwrap_or(true);
        let balance = existing
            .and_then(|e| e.get("Balance"))
            .and_then(dec)
            .unwrap_or_default();
        if !active {
            if !balance.is_zero() {
                return Err(Fault::business(
                    "You can't make a customer with an open balance inactive.",
                ));
            }
            if !display.ends_with(" (deleted)") {
                display.push_str(" (deleted)");
            }
        } else if display.ends_with(" (deleted)") && !given.contains_key("DisplayName") {
            display.truncate(display.len() - " (deleted)".len());
        }
        let me = id.to_string();
        if let Some(other) = self.rows(Kind::Customer).iter().find(|c| {
            str_of(c, "Id") != Some(me.as_str())
                && str_of(c, "DisplayName").is_some_and(|n| n.eq_ignore_ascii_case(&display))
        }) {
            return Err(Fault::duplicate_name(
                str_of(other, "Id").unwrap_or_default(),
            ));
        }
        r.insert("DisplayName".to_owned(), Value::String(display.clone()));
        r.insert(
            "FullyQualifiedName".to_owned(),
            Value::String(display.clone()),
        );
        r.entry("PrintOnCheckName")
            .or_insert_with(|| Value::String(display.trim_end_matches(" (deleted)").to_owned()));
        r.insert("Active".to_owned(), Value::Bool(active));
        r.entry("Job").or_insert(Value::Bool(false));
        r.entry("BillWithParent").or_insert(Value::Bool(false));
        r.entry("Taxable")
            .or_insert(Value::Bool(self.country == "US"));
        r.entry("PreferredDeliveryMethod")
            .or_insert_with(|| Value::String("Print".to_owned()));
        r.entry("CurrencyRef").or_insert_with(
            || json!({"value": self.home_currency.0, "name": self.home_currency.1}),
        );
        r.entry("Balance").or_insert_with(|| num(Decimal::ZERO));
        r.entry("BalanceWithJobs")
            .or_insert_with(|| num(Decimal::ZERO));
        self.address_ids(&mut r);
        Ok(r)
    }

    fn address_ids(&mut self, r: &mut Map<String, Value>) {
        for key in ["BillAddr", "ShipAddr"] {
            if let Some(Value::Object(a)) = r.get_mut(key)
                && !a.contains_key("Id")
            {
                self.next_addr += 1;
                a.insert("Id".to_owned(), Value::String(self.next_addr.to_string()));
            }
        }
    }

    fn item(
        &mut self,
        mut r: Map<String, Value>,
        given: &Map<String, Value>,
        existing: Option<&Value>,
        id: u64,
    ) -> Result<Map<String, Value>, Fault> {
        let mut name = r
            .get("Name")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Fault::required("Name"))?;
        let active = r.get("Active").and_then(Value::as_bool).unwrap_or(true);
        if !active && !name.ends_with(" (deleted)") {
            name.push_str(" (deleted)");
        } else if active && name.ends_with(" (deleted)") && !given.contains_key("Name") {
            name.truncate(name.len() - " (deleted)".len());
        }
        let me = id.to_string();
        if let Some(other) = self.rows(Kind::Item).iter().find(|c| {
            str_of(c, "Id") != Some(me.as_str())
                && str_of(c, "Name").is_some_and(|n| n.eq_ignore_ascii_case(&name))
        }) {
            return Err(Fault::duplicate_name(
                str_of(other, "Id").unwrap_or_default(),
            ));
        }
        let item_type = r
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("Service")
            .to_owned();
        if !matches!(
            item_type.as_str(),
            "Service" | "NonInventory" | "Inventory" | "Group" | "Category"
        ) {
            return Err(Fault::new(
                "2050",
                "Invalid Enumeration",
                format!("Invalid Enumeration : {item_type}"),
                "Type",
            ));
        }
        if matches!(item_type.as_str(), "Service" | "NonInventory" | "Inventory")
            && ref_value(&Value::Object(r.clone()), "IncomeAccountRef").is_none()
        {
            return Err(Fault::required("IncomeAccountRef"));
        }
        if existing.is_none() && item_type == "Inventory" {
            for key in ["QtyOnHand", "InvStartDate", "AssetAccountRef"] {
                if !r.contains_key(key) {
                    return Err(Fault::required(key));
                }
            }
        }
        r.insert("Name".to_owned(), Value::String(name.clone()));
        r.insert("FullyQualifiedName".to_owned(), Value::String(name));
        r.insert("Type".to_owned(), Value::String(item_type.clone()));
        r.insert("Active".to_owned(), Value::Bool(active));
        r.insert(
            "TrackQtyOnHand".to_owned(),
            Value::Bool(item_type == "Inventory"),
        );
        r.entry("UnitPrice").or_insert_with(|| num(Decimal::ZERO));
        r.entry("PurchaseCost")
            .or_insert_with(|| num(Decimal::ZERO));
        if self.country == "US" {
            r.entry("Taxable").or_insert(Value::Bool(true));
        }
        Ok(r)
    }

    fn sales_document(
        &mut self,
        kind: Kind,
        mut r: Map<String, Value>,
        existing: Option<&Value>,
        id: u64,
        now: DateTime<Utc>,
    ) -> Result<Map<String, Value>, Fault> {
        let obj = Value::Object(r.clone());
        let customer_id =
            ref_value(&obj, "CustomerRef").ok_or_else(|| Fault::required("CustomerRef"))?;
        let customer = self
            .get(Kind::Customer, &customer_id)
            .filter(|c| c.get("Active") != Some(&Value::Bool(false)))
            .cloned()
            .ok_or_else(|| Fault::not_found("CustomerRef"))?;
        if let Some(currency) = ref_value(&obj, "CurrencyRef")
            && !currency.eq_ignore_ascii_case(self.home_currency.0)
        {
            return Err(Fault::business(&format!(
                "Multicurrency is not enabled: the currency {currency} cannot be used in a company whose home currency is {}.",
                self.home_currency.0
            )));
        }
        let input_lines = r
            .get("Line")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let ship_state = r
            .get("ShipAddr")
            .or_else(|| customer.get("ShipAddr"))
            .or_else(|| customer.get("BillAddr"))
            .and_then(|a| str_of(a, "CountrySubDivisionCode"))
            .or_else(|| {
                self.info
                    .pointer("/CompanyAddr/CountrySubDivisionCode")
                    .and_then(Value::as_str)
            })
            .unwrap_or_default()
            .to_ascii_uppercase();
        let mut lines = Vec::new();
        let mut subtotal = Decimal::ZERO;
        // rate id → (net taxable, percent)
        let mut taxes: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
        for line in &input_lines {
            let detail_type = str_of(line, "DetailType").unwrap_or_default();
            let n = lines.len() + 1;
            match detail_type {
                "SubTotalLineDetail" => continue,
                "DescriptionOnly" => {
                    lines.push(json!({"Id": n.to_string(), "LineNum": n, "Description": line.get("Description").cloned().unwrap_or(Value::Null), "DetailType": "DescriptionOnly", "DescriptionOnly": {}}));
                }
                "SalesItemLineDetail" => {
                    let (out, amount, tax) = self.sales_line(line, n, &ship_state)?;
                    subtotal += amount;
                    for (rate, pct) in tax {
                        let e = taxes.entry(rate).or_insert((Decimal::ZERO, pct));
                        e.0 += amount;
                    }
                    lines.push(out);
                }
                "" => return Err(Fault::required("Line.DetailType")),
                other => {
                    return Err(Fault::invalid(format!(
                        "Property Name:Line.DetailType specified is unsupported or invalid: {other}"
                    )));
                }
            }
        }
        if !lines
            .iter()
            .any(|l| str_of(l, "DetailType") == Some("SalesItemLineDetail"))
        {
            return Err(Fault::required("Line"));
        }
        lines.push(json!({"DetailType": "SubTotalLineDetail", "Amount": num(subtotal), "SubTotalLineDetail": {}}));
        let mut total_tax = Decimal::ZERO;
        let mut tax_lines = Vec::new();
        for (rate, (net, pct)) in &taxes {
            let amount = round2(*net * *pct / Decimal::ONE_HUNDRED);
            total_tax += amount;
            tax_lines.push(json!({"Amount": num(amount), "DetailType": "TaxLineDetail", "TaxLineDetail": {"TaxRateRef": {"value": rate}, "PercentBased": true, "TaxPercent": num(*pct), "NetAmountTaxable": num(*net)}}));
        }
        let mut tax_detail = json!({"TotalTax": num(total_tax)});
        if !tax_lines.is_empty() {
            tax_detail["TaxLine"] = Value::Array(tax_lines);
        }
        let total = subtotal + total_tax;
        // Document number.
        let doc_number = match r
            .get("DocNumber")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        {
            Some(d) => {
                if d.len() > 21 {
                    return Err(Fault::new(
                        "2050",
                        "String length is either shorter or longer than supported by specification",
                        "DocNumber is longer than 21 characters",
                        "DocNumber",
                    ));
                }
                let me = id.to_string();
                if let Some(other) = self.rows(kind).iter().find(|o| {
                    str_of(o, "Id") != Some(me.as_str()) && str_of(o, "DocNumber") == Some(d)
                }) {
                    return Err(Fault::new(
                        "6210",
                        "Duplicate Document Number Error",
                        format!(
                            "Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber={d} is assigned to TxnType={} with TxnId={}",
                            kind.name(),
                            str_of(other, "Id").unwrap_or_default()
                        ),
                        "DocNumber",
                    ));
                }
                d.to_owned()
            }
            None => match existing.and_then(|e| str_of(e, "DocNumber")) {
                Some(d) => d.to_owned(),
                None => self.next_doc_number(kind),
            },
        };
        let date = |key: &str, r: &Map<String, Value>| -> Result<Option<NaiveDate>, Fault> {
            match r.get(key).and_then(Value::as_str) {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        Fault::invalid(format!("Property Name:{key} has an invalid date: {s}"))
                    }),
            }
        };
        let txn_date = date("TxnDate", &r)?.unwrap_or_else(|| self.today(now));
        r.insert("TxnDate".to_owned(), Value::String(txn_date.to_string()));
        r.insert("DocNumber".to_owned(), Value::String(doc_number));
        r.insert("Line".to_owned(), Value::Array(lines));
        r.insert("TxnTaxDetail".to_owned(), tax_detail);
        r.insert("TotalAmt".to_owned(), num(total));
        r.insert(
            "CustomerRef".to_owned(),
            json!({"value": customer_id, "name": customer["DisplayName"]}),
        );
        r.insert(
            "CurrencyRef".to_owned(),
            json!({"value": self.home_currency.0, "name": self.home_currency.1}),
        );
        if let Some(b) = customer.get("BillAddr") {
            r.entry("BillAddr").or_insert_with(|| b.clone());
        }
        if let Some(s) = customer.get("ShipAddr") {
            r.entry("ShipAddr").or_insert_with(|| s.clone());
        }
        if let Some(e) = customer.get("PrimaryEmailAddr") {
            r.entry("BillEmail").or_insert_with(|| e.clone());
        }
        r.entry("EmailStatus")
            .or_insert_with(|| Value::String("NotSet".to_owned()));
        r.entry("PrintStatus")
            .or_insert_with(|| Value::String("NotSet".to_owned()));
        r.entry("ApplyTaxAfterDiscount")
            .or_insert(Value::Bool(false));
        if self.country != "US" {
            r.entry("GlobalTaxCalculation")
                .or_insert_with(|| Value::String("TaxExcluded".to_owned()));
        }
        match kind {
            Kind::Invoice => {
                let due = date("DueDate", &r)?.unwrap_or(txn_date + ChronoDuration::days(30));
                r.insert("DueDate".to_owned(), Value::String(due.to_string()));
                r.entry("SalesTermRef")
                    .or_insert_with(|| json!({"value": "3"}));
                r.insert("Balance".to_owned(), num(total));
                r.insert("Deposit".to_owned(), num(Decimal::ZERO));
                let links = r
                    .get("LinkedTxn")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let me = id.to_string();
                for link in &links {
                    if str_of(link, "TxnType") != Some("Estimate") {
                        return Err(Fault::invalid(
                            "LinkedTxn: only estimates can be linked to a new invoice through the API",
                        ));
                    }
                    let est_id = link
                        .get("TxnId")
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            o => o.to_string(),
                        })
                        .unwrap_or_default();
                    let est = self
                        .get(Kind::Estimate, &est_id)
                        .ok_or_else(|| Fault::not_found("LinkedTxn"))?;
                    let linked_elsewhere = est
                        .get("LinkedTxn")
                        .and_then(Value::as_array)
                        .is_some_and(|l| {
                            l.iter().any(|x| {
                                str_of(x, "TxnType") == Some("Invoice")
                                    && str_of(x, "TxnId") != Some(me.as_str())
                            })
                        });
                    if linked_elsewhere {
                        return Err(Fault::business(
                            "Only one link can be made to an Estimate. Progress Invoicing is not supported via the API.",
                        ));
                    }
                    if ref_value(est, "CustomerRef").as_deref() != Some(customer_id.as_str()) {
                        return Err(Fault::business(
                            "The estimate linked to this invoice belongs to another customer.",
                        ));
                    }
                }
                r.insert("LinkedTxn".to_owned(), Value::Array(links));
            }
            _ => {
                if let Some(exp) = date("ExpirationDate", &r)? {
                    r.insert("ExpirationDate".to_owned(), Value::String(exp.to_string()));
                }
                let status = existing
                    .and_then(|e| str_of(e, "TxnStatus"))
                    .map(str::to_owned)
                    .or_else(|| {
                        r.get("TxnStatus")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .unwrap_or_else(|| "Pending".to_owned());
                r.insert("TxnStatus".to_owned(), Value::String(status));
                let links = existing
                    .and_then(|e| e.get("LinkedTxn"))
                    .cloned()
                    .unwrap_or_else(|| json!([]));
                r.insert("LinkedTxn".to_owned(), links);
            }
        }
        Ok(r)
    }

    /// One sales line: the line as stored, its amount, and the tax rates (id, %) it bears.
    fn sales_line(&self, line: &Value, n: usize, ship_state: &str) -> Result<SalesLineOut, Fault> {
        let detail = line
            .get("SalesItemLineDetail")
            .and_then(Value::as_object)
            .ok_or_else(|| Fault::required("Line.SalesItemLineDetail"))?;
        let detail_v = Value::Object(detail.clone());
        let item_id = ref_value(&detail_v, "ItemRef")
            .ok_or_else(|| Fault::required("Line.SalesItemLineDetail.ItemRef"))?;
        let item = self
            .get(Kind::Item, &item_id)
            .filter(|i| i.get("Active") != Some(&Value::Bool(false)))
            .ok_or_else(|| Fault::not_found("Line.SalesItemLineDetail.ItemRef"))?;
        let amount = line
            .get("Amount")
            .and_then(dec)
            .ok_or_else(|| Fault::required("Line.Amount"))?;
        let qty = detail.get("Qty").and_then(dec);
        let price = detail.get("UnitPrice").and_then(dec);
        if let (Some(q), Some(p)) = (qty, price)
            && round2(q * p) != round2(amount)
        {
            return Err(Fault::new(
                "6070",
                "Amount is not equal to UnitPrice * Qty",
                format!("Amount is not equal to UnitPrice * Qty. Supplied value:{amount}"),
                "Line.Amount",
            ));
        }
        let amount = round2(amount);
        let mut out_detail = detail.clone();
        out_detail.insert(
            "ItemRef".to_owned(),
            json!({"value": item_id, "name": item["Name"]}),
        );
        let code = ref_value(&detail_v, "TaxCodeRef");
        let mut rates = Vec::new();
        let code = if self.country == "US" {
            let code = code.unwrap_or_else(|| {
                if item.get("Taxable") == Some(&Value::Bool(true)) {
                    "TAX".to_owned()
                } else {
                    "NON".to_owned()
                }
            });
            match code.as_str() {
                "TAX" => {
                    if let Some((rid, _, _, pct)) = US_RATES.iter().find(|r| r.1 == ship_state) {
                        rates.push(((*rid).to_owned(), pct.parse().unwrap_or_default()));
                    }
                }
                "NON" => {}
                _ => return Err(Fault::not_found("Line.SalesItemLineDetail.TaxCodeRef")),
            }
            code
        } else {
            let code = code.ok_or_else(|| {
                Fault::business(
                    "Make sure all your transactions have a GST/HST rate before you save.",
                )
            })?;
            let tc = self
                .get(Kind::TaxCode, &code)
                .ok_or_else(|| Fault::not_found("Line.SalesItemLineDetail.TaxCodeRef"))?;
            for d in tc
                .pointer("/SalesTaxRateList/TaxRateDetail")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(rid) = ref_value(d, "TaxRateRef") {
                    let pct = self
                        .get(Kind::TaxRate, &rid)
                        .and_then(|r| r.get("RateValue"))
                        .and_then(dec)
                        .unwrap_or_default();
                    rates.push((rid, pct));
                }
            }
            code
        };
        out_detail.insert("TaxCodeRef".to_owned(), json!({"value": code}));
        let mut out = json!({"Id": n.to_string(), "LineNum": n, "Amount": num(amount), "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": Value::Object(out_detail)});
        if let Some(d) = line.get("Description") {
            out["Description"] = d.clone();
        }
        Ok((out, amount, rates))
    }

    fn next_doc_number(&mut self, kind: Kind) -> String {
        let used: Vec<String> = self
            .rows(kind)
            .iter()
            .filter_map(|r| str_of(r, "DocNumber").map(str::to_owned))
            .collect();
        let n = self.next_doc.entry(kind).or_insert(1001);
        while used.contains(&n.to_string()) {
            *n += 1;
        }
        let out = n.to_string();
        *n += 1;
        out
    }

    fn link_estimates(&mut self, invoice_id: u64, now: DateTime<Utc>) {
        let inv = invoice_id.to_string();
        let links: Vec<String> = self
            .get(Kind::Invoice, &inv)
            .and_then(|i| i.get("LinkedTxn"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|l| str_of(l, "TxnType") == Some("Estimate"))
            .filter_map(|l| str_of(l, "TxnId").map(str::to_owned))
            .collect();
        let stamp = self.stamp(now);
        for est in links {
            let Some(e) = est
                .parse::<u64>()
                .ok()
                .and_then(|id| self.tables.get_mut(&Kind::Estimate)?.get_mut(&id))
            else {
                continue;
            };
            let list = e.get_mut("LinkedTxn").and_then(Value::as_array_mut);
            let already = list
                .as_ref()
                .is_some_and(|l| l.iter().any(|x| str_of(x, "TxnId") == Some(inv.as_str())));
            if already {
                continue;
            }
            match e.get_mut("LinkedTxn").and_then(Value::as_array_mut) {
                Some(l) => l.push(json!({"TxnId": inv, "TxnType": "Invoice"})),
                None => e["LinkedTxn"] = json!([{"TxnId": inv, "TxnType": "Invoice"}]),
            }
            e["TxnStatus"] = json!("Closed");
            bump(e, &stamp);
        }
    }

    fn recompute_balance(&mut self, customer_id: &str) {
        let Ok(cid) = customer_id.parse::<u64>() else {
            return;
        };
        let open: Decimal = self
            .rows(Kind::Invoice)
            .iter()
            .filter(|i| ref_value(i, "CustomerRef").as_deref() == Some(customer_id))
            .filter_map(|i| i.get("Balance").and_then(dec))
            .sum();
        let total = self.opening.get(&cid).copied().unwrap_or_default() + open;
        if let Some(c) = self
            .tables
            .get_mut(&Kind::Customer)
            .and_then(|t| t.get_mut(&cid))
        {
            c["Balance"] = num(total);
            c["BalanceWithJobs"] = num(total);
        }
    }

    fn versioned(&self, kind: Kind, body: &Map<String, Value>) -> Result<(u64, Value), Fault> {
        let id = match body.get("Id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(Fault::required("Id")),
        };
        let current = self
            .get(kind, &id)
            .cloned()
            .ok_or_else(|| Fault::not_found("Id"))?;
        let token = match body.get("SyncToken") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(Fault::required("SyncToken")),
        };
        if Some(token.as_str()) != str_of(&current, "SyncToken") {
            return Err(Fault::stale());
        }
        Ok((id.parse().unwrap_or_default(), current))
    }

    fn delete(
        &mut self,
        kind: Kind,
        body: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Value, Fault> {
        if kind.is_name_list() {
            return Err(Fault::new(
                "500",
                "Unsupported Operation",
                "Operation Delete is not supported.",
                "",
            ));
        }
        let (id, current) = self.versioned(kind, body)?;
        if let Some(t) = self.tables.get_mut(&kind) {
            t.remove(&id);
        }
        self.deleted.push(Deleted {
            kind,
            id: id.to_string(),
            at: now,
        });
        let me = id.to_string();
        let other_kind = if kind == Kind::Invoice {
            Kind::Estimate
        } else {
            Kind::Invoice
        };
        let stamp = self.stamp(now);
        for link in current
            .get("LinkedTxn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(other) = str_of(link, "TxnId").and_then(|s| s.parse::<u64>().ok()) else {
                continue;
            };
            if let Some(o) = self
                .tables
                .get_mut(&other_kind)
                .and_then(|t| t.get_mut(&other))
            {
                if let Some(l) = o.get_mut("LinkedTxn").and_then(Value::as_array_mut) {
                    l.retain(|x| str_of(x, "TxnId") != Some(me.as_str()));
                }
                if other_kind == Kind::Estimate {
                    o["TxnStatus"] = json!("Pending");
                }
                bump(o, &stamp);
            }
        }
        if let Some(c) = ref_value(&current, "CustomerRef") {
            self.recompute_balance(&c);
        }
        Ok(json!({"status": "Deleted", "domain": "QBO", "Id": me}))
    }

    fn void(
        &mut self,
        kind: Kind,
        body: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Value, Fault> {
        if kind != Kind::Invoice {
            return Err(Fault::new(
                "500",
                "Unsupported Operation",
                "Operation Void is not supported.",
                "",
            ));
        }
        let (id, _) = self.versioned(kind, body)?;
        let stamp = self.stamp(now);
        let Some(inv) = self.tables.get_mut(&kind).and_then(|t| t.get_mut(&id)) else {
            return Err(Fault::not_found("Id"));
        };
        inv["Line"] =
            json!([{"DetailType": "SubTotalLineDetail", "Amount": 0, "SubTotalLineDetail": {}}]);
        inv["TotalAmt"] = json!(0);
        inv["Balance"] = json!(0);
        inv["TxnTaxDetail"] = json!({"TotalTax": 0});
        inv["PrivateNote"] = json!("Voided");
        bump(inv, &stamp);
        let out = inv.clone();
        if let Some(c) = ref_value(&out, "CustomerRef") {
            self.recompute_balance(&c);
        }
        Ok(out)
    }

    /// Emails a document: to `to`, or its `BillEmail`.
    pub(crate) fn send(
        &mut self,
        kind: Kind,
        id: &str,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Value, Fault> {
        let Some(n) = id
            .parse::<u64>()
            .ok()
            .filter(|n| self.tables.get(&kind).is_some_and(|t| t.contains_key(n)))
        else {
            return Err(Fault::not_found(""));
        };
        let stamp = self.stamp(now);
        let Some(doc) = self.tables.get_mut(&kind).and_then(|t| t.get_mut(&n)) else {
            return Err(Fault::not_found(""));
        };
        let address = match to {
            Some(t) => t.to_owned(),
            None => doc
                .pointer("/BillEmail/Address")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        };
        if address.is_empty() {
            return Err(Fault::required("BillEmail"));
        }
        let valid = address
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.'));
        if !valid {
            return Err(Fault::new(
                "2050",
                "Invalid Email Address format",
                format!("Email address {address} is not valid"),
                "BillEmail",
            ));
        }
        doc["BillEmail"] = json!({"Address": address});
        doc["EmailStatus"] = json!("EmailSent");
        doc["DeliveryInfo"] = json!({"DeliveryType": "Email", "DeliveryTime": stamp});
        bump(doc, &stamp);
        let out = doc.clone();
        self.emails.push(SentEmail {
            kind,
            id: id.to_owned(),
            doc_number: str_of(&out, "DocNumber").unwrap_or_default().to_owned(),
            to: address,
            at: now,
        });
        Ok(out)
    }
}

fn bump(record: &mut Value, stamp: &str) {
    let token = record
        .get("SyncToken")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(0, |t| t + 1);
    record["SyncToken"] = Value::String(token.to_string());
    if let Some(m) = record.get_mut("MetaData").and_then(Value::as_object_mut) {
        m.insert(
            "LastUpdatedTime".to_owned(),
            Value::String(stamp.to_owned()),
        );
    }
}

fn project(row: Value, columns: &[String]) -> Value {
    if columns.iter().any(|c| c == "*") {
        return row;
    }
    let mut out = Map::new();
    for c in columns {
        if let Some(v) = row.get(c.as_str()) {
            out.insert(c.clone(), v.clone());
        }
    }
    for key in ["Id", "SyncToken", "domain"] {
        if let Some(v) = row.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    out.insert("sparse".to_owned(), Value::Bool(true));
    Value::Object(out)
}
