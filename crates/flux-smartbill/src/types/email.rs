//! `POST /document/send`: [`SendDocument`] and the `status` it answers with.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize};

/// Which kind of document to email (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum EmailDocumentType {
    /// `factura`: an invoice.
    Factura,
    /// `proforma`: a proforma (estimate).
    Proforma,
}

/// An email of an issued document. `subject` and `body_text` are plain text here; the
/// client base64-encodes them, as SmartBill requires.
///
/// The body may use SmartBill's placeholders: `#tip document#`, `#serie numar document#`,
/// `#link document#`, `#data scadentei#`, `#total document#`, `#data emiterii#`,
/// `#nume client#`, `#persoana contact#`. The account needs its own mail server set up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendDocument {
    /// The document's series.
    pub series_name: String,
    /// The document's number.
    pub number: String,
    /// Invoice or proforma.
    pub document_type: EmailDocumentType,
    /// Recipient.
    pub to: String,
    /// Carbon copy.
    pub cc: Option<String>,
    /// Blind carbon copy.
    pub bcc: Option<String>,
    /// Subject (plain text); the account's template when `None`.
    pub subject: Option<String>,
    /// Body (plain text); the account's template when `None`.
    pub body_text: Option<String>,
}

impl SendDocument {
    /// Email `series_name` `number` to `to` with the account's template.
    pub fn new(
        document_type: EmailDocumentType,
        series_name: impl Into<String>,
        number: impl Into<String>,
        to: impl Into<String>,
    ) -> Self {
        Self {
            series_name: series_name.into(),
            number: number.into(),
            document_type,
            to: to.into(),
            cc: None,
            bcc: None,
            subject: None,
            body_text: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendDocumentWire<'a> {
    company_vat_code: &'a str,
    series_name: &'a str,
    number: &'a str,
    #[serde(rename = "type")]
    document_type: EmailDocumentType,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cc: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bcc: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_text: Option<String>,
}

impl<'a> SendDocumentWire<'a> {
    pub(crate) fn new(cif: &'a str, doc: &'a SendDocument) -> Self {
        let b64 = |s: &String| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
        Self {
            company_vat_code: cif,
            series_name: &doc.series_name,
            number: &doc.number,
            document_type: doc.document_type,
            subject: doc.subject.as_ref().map(b64),
            to: &doc.to,
            cc: doc.cc.as_deref(),
            bcc: doc.bcc.as_deref(),
            body_text: doc.body_text.as_ref().map(b64),
        }
    }
}

/// The `status.code` of an email answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EmailStatusCode {
    /// 0: sent.
    Ok,
    /// 1: the data was wrong.
    DataError,
    /// 2: SmartBill failed.
    ServerError,
    /// Any other code.
    Other(i64),
}

impl EmailStatusCode {
    /// From SmartBill's number.
    pub fn from_i64(code: i64) -> Self {
        match code {
            0 => Self::Ok,
            1 => Self::DataError,
            2 => Self::ServerError,
            n => Self::Other(n),
        }
    }

    /// SmartBill's number.
    pub fn as_i64(self) -> i64 {
        match self {
            Self::Ok => 0,
            Self::DataError => 1,
            Self::ServerError => 2,
            Self::Other(n) => n,
        }
    }
}

impl fmt::Display for EmailStatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Self::Ok => "ok",
            Self::DataError => "data error",
            Self::ServerError => "server error",
            Self::Other(_) => "unknown status",
        };
        write!(f, "status {} ({what})", self.as_i64())
    }
}

impl<'de> Deserialize<'de> for EmailStatusCode {
    /// A number or a numeric string.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s,
            other => return Err(serde::de::Error::custom(format!("bad status code {other}"))),
        };
        code.trim()
            .parse::<i64>()
            .map(Self::from_i64)
            .map_err(|_| serde::de::Error::custom(format!("bad status code {code:?}")))
    }
}

/// The `status` of an email answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct EmailStatus {
    /// 0 ok, 1 data error, 2 server error.
    pub code: EmailStatusCode,
    /// SmartBill's message.
    #[serde(default, deserialize_with = "super::num::de_string")]
    pub message: String,
}

#[derive(Deserialize)]
pub(crate) struct EmailResponse {
    pub(crate) status: EmailStatus,
}
