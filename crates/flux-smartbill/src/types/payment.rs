//! Payments: [`PaymentType`], the body of `POST /payment` ([`PaymentRequest`]), the
//! query of `DELETE /payment/v2` ([`DeletePayment`]) and `GET /invoice/paymentstatus`
//! ([`PaymentStatus`]).

use std::fmt;

use chrono::NaiveDate;
use flux_core::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::document::{DocumentClient, SeriesNumber};
use super::num::{self, is_false};

/// How a payment was made, by SmartBill's names (**`Ordin plata`, without "de"**, unlike
/// Oblio). Unknown names are kept in [`Other`](Self::Other).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentType {
    /// `Chitanta`: a cash receipt (needs a receipt series).
    Chitanta,
    /// `Bon`: a fiscal receipt.
    Bon,
    /// `Card`.
    Card,
    /// `Card online`.
    CardOnline,
    /// `CEC`: a cheque.
    Cec,
    /// `Bilet ordin`: a promissory note.
    BiletOrdin,
    /// `Ordin plata`: a bank transfer.
    OrdinPlata,
    /// `Mandat postal`: a postal order.
    MandatPostal,
    /// `Extras de cont`: a bank statement.
    ExtrasDeCont,
    /// `Ramburs`: cash on delivery collected by a courier.
    Ramburs,
    /// `Alta incasare`: any other collection.
    AltaIncasare,
    /// A name this crate does not know.
    Other(String),
}

impl PaymentType {
    /// SmartBill's name for it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Chitanta => "Chitanta",
            Self::Bon => "Bon",
            Self::Card => "Card",
            Self::CardOnline => "Card online",
            Self::Cec => "CEC",
            Self::BiletOrdin => "Bilet ordin",
            Self::OrdinPlata => "Ordin plata",
            Self::MandatPostal => "Mandat postal",
            Self::ExtrasDeCont => "Extras de cont",
            Self::Ramburs => "Ramburs",
            Self::AltaIncasare => "Alta incasare",
            Self::Other(s) => s,
        }
    }

    /// Parses SmartBill's name (case-insensitive); unknown names become `Other`.
    pub fn parse(name: &str) -> Self {
        let all = [
            Self::Chitanta,
            Self::Bon,
            Self::Card,
            Self::CardOnline,
            Self::Cec,
            Self::BiletOrdin,
            Self::OrdinPlata,
            Self::MandatPostal,
            Self::ExtrasDeCont,
            Self::Ramburs,
            Self::AltaIncasare,
        ];
        all.into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(name.trim()))
            .unwrap_or_else(|| Self::Other(name.to_owned()))
    }

    /// Whether this type is cash by nature (`Chitanta`, `Bon`), the default for `isCash`.
    pub fn is_cash(&self) -> bool {
        matches!(self, Self::Chitanta | Self::Bon)
    }
}

impl fmt::Display for PaymentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PaymentType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PaymentType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

/// The body of `POST /payment`, without `companyVatCode`: a collection, optionally
/// against invoices.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentRequest {
    /// The payer; SmartBill takes it from the invoice with `use_invoice_details`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<DocumentClient>,
    /// Date of the payment (SmartBill: today).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    /// Currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Language code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Receipt series (for `Chitanta`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_name: Option<String>,
    /// RON per unit of `currency`.
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub exchange_rate: Option<Decimal>,
    /// Decimals, 2 to 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<u8>,
    /// Amount.
    #[serde(serialize_with = "num::ser")]
    pub value: Decimal,
    /// Text printed on the receipt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Text in the document's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_text: Option<String>,
    /// Save as a draft. Always sent.
    pub is_draft: bool,
    /// How it was paid.
    #[serde(rename = "type")]
    pub payment_type: PaymentType,
    /// Whether it was cash. Always sent.
    pub is_cash: bool,
    /// Internal note (**`observation`, singular**, unlike invoices' `observations`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation: Option<String>,
    /// Take the client and amounts from `invoices_list`.
    #[serde(skip_serializing_if = "is_false")]
    pub use_invoice_details: bool,
    /// The invoices this payment settles (at most 70).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invoices_list: Vec<SeriesNumber>,
    /// For `Bon`: return the fiscal printer text instead of issuing through SmartBill.
    #[serde(skip_serializing_if = "is_false")]
    pub return_fiscal_printer_text: bool,
}

impl PaymentRequest {
    /// A payment of `value` by `payment_type` against `invoice`, taking the client from it.
    pub fn for_invoice(invoice: SeriesNumber, value: Decimal, payment_type: PaymentType) -> Self {
        Self {
            client: None,
            issue_date: None,
            currency: None,
            language: None,
            series_name: None,
            exchange_rate: None,
            precision: None,
            value,
            text: None,
            translated_text: None,
            is_draft: false,
            is_cash: payment_type.is_cash(),
            payment_type,
            observation: None,
            use_invoice_details: true,
            invoices_list: vec![invoice],
            return_fiscal_printer_text: false,
        }
    }

    /// A payment of `value` by `payment_type` from `client`, against no invoice.
    pub fn standalone(client: DocumentClient, value: Decimal, payment_type: PaymentType) -> Self {
        let mut req = Self::for_invoice(SeriesNumber::new("", ""), value, payment_type);
        req.invoices_list.clear();
        req.use_invoice_details = false;
        req.client = Some(client);
        req
    }
}

/// What `POST /payment` returns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentResponse {
    /// The receipt series, for a `Chitanta`.
    #[serde(default, deserialize_with = "num::de_string")]
    pub series: String,
    /// The receipt number, for a `Chitanta`.
    #[serde(default, deserialize_with = "num::de_string")]
    pub number: String,
    /// A link, when SmartBill returns one.
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub url: Option<String>,
    /// The fiscal receipt id (for `Bon`), to fetch its text with
    /// [`fiscal_receipt_text`](crate::SmartBillClient::fiscal_receipt_text).
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub id: Option<String>,
    /// SmartBill's message.
    #[serde(default, deserialize_with = "num::de_string")]
    pub message: String,
}

/// Identifies a payment (not a receipt) for `DELETE /payment/v2`: either by the invoice
/// it settles, or by date, value and client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeletePayment {
    /// The payment's type.
    pub payment_type: PaymentType,
    /// The payment date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<NaiveDate>,
    /// The payment amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_value: Option<Decimal>,
    /// The client's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// The client's CIF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cif: Option<String>,
    /// The settled invoice's series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_series: Option<String>,
    /// The settled invoice's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
}

impl DeletePayment {
    /// The payment of `payment_type` on invoice `series` `number`.
    pub fn for_invoice(
        payment_type: PaymentType,
        series: impl Into<String>,
        number: impl Into<String>,
    ) -> Self {
        Self {
            payment_type,
            payment_date: None,
            payment_value: None,
            client_name: None,
            client_cif: None,
            invoice_series: Some(series.into()),
            invoice_number: Some(number.into()),
        }
    }

    /// The payment of `payment_type` made on `date` for `value` by the client named
    /// `client_name`.
    pub fn by_details(
        payment_type: PaymentType,
        date: NaiveDate,
        value: Decimal,
        client_name: impl Into<String>,
    ) -> Self {
        Self {
            payment_type,
            payment_date: Some(date),
            payment_value: Some(value),
            client_name: Some(client_name.into()),
            client_cif: None,
            invoice_series: None,
            invoice_number: None,
        }
    }
}

/// What `GET /invoice/paymentstatus` returns.
///
/// **The amounts carry no currency**: they are in the invoice's currency (an EUR invoice
/// reports EUR), which SmartBill does not say here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentStatus {
    /// The invoice total.
    #[serde(default, deserialize_with = "num::de")]
    pub invoice_total_amount: Decimal,
    /// How much was collected.
    #[serde(default, deserialize_with = "num::de")]
    pub paid_amount: Decimal,
    /// How much is left.
    #[serde(default, deserialize_with = "num::de")]
    pub unpaid_amount: Decimal,
    /// Whether it is fully paid, when SmartBill says.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub paid: Option<bool>,
}

impl PaymentStatus {
    /// Whether nothing is left to collect (`paid`, or a zero unpaid amount).
    pub fn is_paid(&self) -> bool {
        self.paid.unwrap_or(self.unpaid_amount <= Decimal::ZERO)
    }
}

fn de_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(b),
        serde_json::Value::Number(n) => Some(n.to_string() != "0"),
        serde_json::Value::String(s) => Some(matches!(s.trim(), "true" | "1")),
        _ => None,
    })
}
