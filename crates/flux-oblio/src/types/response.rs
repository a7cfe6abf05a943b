//! What Oblio answers inside `{"status", "statusMessage", "data"}`, and the list filters.
//!
//! Oblio sends numbers and booleans as strings on list endpoints (`"total":"51.2700"`,
//! `"canceled":"0"`) and document numbers zero-padded (`"0053"`); these types accept both
//! strings and JSON numbers.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::wire;

open_enum! {
    /// The document type Oblio names in responses (`documentType`, `type`).
    DocumentTypeName {
        /// `Factura`.
        Invoice => "Factura",
        /// `Proforma`.
        Proforma => "Proforma",
        /// `Aviz`.
        Notice => "Aviz",
        /// `Bon fiscal`.
        Receipt => "Bon fiscal",
    }
}

/// The answer to a create: only series, number and link (no id, no totals).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedDocument {
    /// Series.
    pub series_name: String,
    /// Number, zero-padded as Oblio formats it (`"0053"`).
    #[serde(deserialize_with = "wire::loose_string")]
    pub number: String,
    /// The link to view or download the PDF.
    #[serde(default)]
    pub link: String,
}

impl CreatedDocument {
    /// Oblio's internal document id, read from the `id` parameter of the link (the
    /// create response has no id field). Usable with [`ListDocuments::id`].
    pub fn id(&self) -> Option<String> {
        link_id(&self.link)
    }
}

pub(crate) fn link_id(link: &str) -> Option<String> {
    let url = url::Url::parse(link).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// A payment recorded against a document (`collects[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CollectEntry {
    /// Date.
    #[serde(default, deserialize_with = "wire::loose_date")]
    pub issue_date: Option<NaiveDate>,
    /// Payment type, as Oblio names it.
    #[serde(rename = "type")]
    pub kind: super::PaymentType,
    /// Payment document number.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub number: String,
    /// Amount.
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub value: Option<Decimal>,
}

/// A document read back (`GET /api/docs/{type}`, and the answer of collect).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Document {
    /// `Factura`, `Proforma`, `Aviz`, ...
    pub document_type: DocumentTypeName,
    /// Series.
    pub series_name: String,
    /// Number, zero-padded.
    #[serde(deserialize_with = "wire::loose_string")]
    pub number: String,
    /// The PDF link.
    #[serde(default)]
    pub link: String,
    /// Payments recorded against it.
    #[serde(default)]
    pub collects: Vec<CollectEntry>,
}

/// What cancel, restore and delete answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DocumentAction {
    /// Oblio's message, e.g. `Documentul a fost anulat.`
    #[serde(skip)]
    pub message: String,
    /// `Factura`, `Proforma`, `Aviz`, ...
    pub document_type: DocumentTypeName,
    /// Series.
    pub series_name: String,
    /// Number, zero-padded.
    #[serde(deserialize_with = "wire::loose_string")]
    pub number: String,
    /// The PDF link (absent after a delete).
    #[serde(default)]
    pub link: Option<String>,
}

/// e-Factura (SPV) state codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EinvoiceCode {
    /// `-1`: not sent (or SPV not configured).
    NotSent,
    /// `0`: arrived in SPV, being processed.
    Processing,
    /// `1`: accepted.
    Sent,
    /// `2`: has errors, not sent.
    Error,
    /// A code this crate does not know.
    Other(i64),
}

impl EinvoiceCode {
    /// From Oblio's integer.
    pub fn from_code(code: i64) -> Self {
        match code {
            -1 => Self::NotSent,
            0 => Self::Processing,
            1 => Self::Sent,
            2 => Self::Error,
            other => Self::Other(other),
        }
    }

    /// Oblio's integer.
    pub fn code(self) -> i64 {
        match self {
            Self::NotSent => -1,
            Self::Processing => 0,
            Self::Sent => 1,
            Self::Error => 2,
            Self::Other(c) => c,
        }
    }
}

impl Serialize for EinvoiceCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for EinvoiceCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_code(wire::loose_i64(d)?.unwrap_or(-1)))
    }
}

/// An e-Factura (SPV) status: the answer of a submission, and `einvoiceStatus` in list rows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct EinvoiceStatus {
    /// Oblio's text, e.g. `e-Factura trimisa cu succes in SPV.`
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub text: String,
    /// Whether it was sent.
    #[serde(default, deserialize_with = "wire::loose_bool_default")]
    pub sent: bool,
    /// The state code.
    pub code: EinvoiceCode,
}

/// The client on a list row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListClient {
    /// Oblio's client id.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub client_id: String,
    /// CIF or CNP.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub cif: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Trade-register number.
    #[serde(default)]
    pub rc: String,
    /// Code.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub code: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// County name.
    #[serde(default)]
    pub state: String,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Country.
    #[serde(default)]
    pub country: String,
    /// IBAN.
    #[serde(default)]
    pub iban: String,
    /// Bank.
    #[serde(default)]
    pub bank: String,
    /// Contact.
    #[serde(default)]
    pub contact: String,
    /// Phone.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub phone: String,
    /// Email.
    #[serde(default)]
    pub email: String,
    /// VAT payer.
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub vat_payer: Option<bool>,
}

/// One row of `GET /api/docs/{type}/list`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DocumentSummary {
    /// Oblio's document id.
    #[serde(deserialize_with = "wire::loose_string")]
    pub id: String,
    /// Draft.
    #[serde(default, deserialize_with = "wire::loose_bool_default")]
    pub draft: bool,
    /// Cancelled.
    #[serde(default, deserialize_with = "wire::loose_bool_default")]
    pub canceled: bool,
    /// Fully collected (paid), when Oblio says.
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub collected: Option<bool>,
    /// Series.
    pub series_name: String,
    /// Number, zero-padded.
    #[serde(deserialize_with = "wire::loose_string")]
    pub number: String,
    /// Issue date.
    #[serde(default, deserialize_with = "wire::loose_date")]
    pub issue_date: Option<NaiveDate>,
    /// Due date.
    #[serde(default, deserialize_with = "wire::loose_date")]
    pub due_date: Option<NaiveDate>,
    /// Decimal places.
    #[serde(default, deserialize_with = "wire::loose_i64")]
    pub precision: Option<i64>,
    /// Currency.
    #[serde(default)]
    pub currency: String,
    /// Exchange rate (`0` for RON documents).
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub exchange_rate: Option<Decimal>,
    /// Total, VAT included.
    #[serde(default, deserialize_with = "wire::loose_decimal")]
    pub total: Option<Decimal>,
    /// Issuer name.
    #[serde(default)]
    pub issuer_name: String,
    /// Issuer CNP.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub issuer_id: String,
    /// Delivery note number.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub notice_number: String,
    /// Delegate name.
    #[serde(default)]
    pub deputy_name: String,
    /// Delegate identity card.
    #[serde(default)]
    pub deputy_identity_card: String,
    /// Delegate vehicle.
    #[serde(default)]
    pub deputy_auto: String,
    /// Mentions.
    #[serde(default)]
    pub mentions: String,
    /// Whether stock was used.
    #[serde(default, deserialize_with = "wire::loose_bool")]
    pub use_stock: Option<bool>,
    /// `Factura`, `Proforma`, `Aviz`, ...
    #[serde(rename = "type")]
    pub kind: DocumentTypeName,
    /// PDF link.
    #[serde(default)]
    pub link: String,
    /// e-Factura XML link.
    #[serde(default)]
    pub einvoice: Option<String>,
    /// e-Factura state (with `withEinvoiceStatus`).
    #[serde(default)]
    pub einvoice_status: Option<EinvoiceStatus>,
    /// The client.
    pub client: ListClient,
    /// Payments (with `withCollects`).
    #[serde(default)]
    pub collects: Option<Vec<CollectEntry>>,
    /// Product rows (with `withProducts`), as Oblio sends them: their shape is not
    /// documented, so they are kept as JSON.
    #[serde(default)]
    pub products: Option<Vec<serde_json::Value>>,
}

/// The list sort field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum OrderBy {
    /// `id`.
    #[serde(rename = "id")]
    Id,
    /// `issueDate`.
    #[serde(rename = "issueDate")]
    IssueDate,
    /// `number`.
    #[serde(rename = "number")]
    Number,
}

/// The list sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum OrderDir {
    /// `ASC`.
    #[serde(rename = "ASC")]
    Asc,
    /// `DESC`.
    #[serde(rename = "DESC")]
    Desc,
}

/// Filters for `GET /api/docs/{type}/list`. At most 100 rows per page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListDocuments {
    /// Series.
    pub series_name: Option<String>,
    /// Number.
    pub number: Option<String>,
    /// Oblio's document id.
    pub id: Option<String>,
    /// Client CIF.
    pub client_cif: Option<String>,
    /// Client email.
    pub client_email: Option<String>,
    /// Client phone.
    pub client_phone: Option<String>,
    /// Client code.
    pub client_code: Option<String>,
    /// Drafts only (`true`), non-drafts only (`false`), or both (`None`).
    pub draft: Option<bool>,
    /// Cancelled only, non-cancelled only, or both.
    pub canceled: Option<bool>,
    /// Collected only, uncollected only, or both.
    pub collected: Option<bool>,
    /// Issued on or after.
    pub issued_after: Option<NaiveDate>,
    /// Issued on or before.
    pub issued_before: Option<NaiveDate>,
    /// Include product rows.
    pub with_products: bool,
    /// Include payments.
    pub with_collects: bool,
    /// Include the e-Factura state.
    pub with_einvoice_status: bool,
    /// Sort field.
    pub order_by: Option<OrderBy>,
    /// Sort direction.
    pub order_dir: Option<OrderDir>,
    /// Rows per page, 1 to 100.
    pub limit_per_page: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u32>,
}

impl ListDocuments {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// The query pairs, without `cif`. Tri-state filters are `-1` (ignore), `0` or `1`.
    pub(crate) fn to_query(&self) -> Vec<(&'static str, String)> {
        let tri = |v: Option<bool>| match v {
            None => "-1".to_owned(),
            Some(b) => u8::from(b).to_string(),
        };
        let mut q: Vec<(&'static str, String)> = Vec::new();
        let mut opt = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                q.push((k, v.clone()));
            }
        };
        opt("seriesName", &self.series_name);
        opt("number", &self.number);
        opt("id", &self.id);
        opt("client[cif]", &self.client_cif);
        opt("client[email]", &self.client_email);
        opt("client[phone]", &self.client_phone);
        opt("client[code]", &self.client_code);
        q.push(("draft", tri(self.draft)));
        q.push(("canceled", tri(self.canceled)));
        q.push(("collected", tri(self.collected)));
        if let Some(d) = self.issued_after {
            q.push(("issuedAfter", d.format("%Y-%m-%d").to_string()));
        }
        if let Some(d) = self.issued_before {
            q.push(("issuedBefore", d.format("%Y-%m-%d").to_string()));
        }
        if self.with_products {
            q.push(("withProducts", "1".to_owned()));
        }
        if self.with_collects {
            q.push(("withCollects", "1".to_owned()));
        }
        if self.with_einvoice_status {
            q.push(("withEinvoiceStatus", "1".to_owned()));
        }
        if let Some(o) = self.order_by {
            let s = match o {
                OrderBy::Id => "id",
                OrderBy::IssueDate => "issueDate",
                OrderBy::Number => "number",
            };
            q.push(("orderBy", s.to_owned()));
        }
        if let Some(o) = self.order_dir {
            q.push((
                "orderDir",
                match o {
                    OrderDir::Asc => "ASC",
                    OrderDir::Desc => "DESC",
                }
                .to_owned(),
            ));
        }
        if let Some(n) = self.limit_per_page {
            q.push(("limitPerPage", n.to_string()));
        }
        if let Some(n) = self.offset {
            q.push(("offset", n.to_string()));
        }
        q
    }
}
