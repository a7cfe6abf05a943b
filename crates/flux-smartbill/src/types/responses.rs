//! What document calls return: [`CreatedDocument`], [`EstimateInvoices`], and the
//! `errorText` envelope every answer carries.

use serde::Deserialize;

use super::document::SeriesNumber;
use super::num;

/// A document SmartBill issued (`POST /invoice`, `/estimate`, `/invoice/reverse`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedDocument {
    /// The series.
    #[serde(default, deserialize_with = "num::de_string")]
    pub series: String,
    /// The number, as SmartBill formats it (`0023`).
    #[serde(default, deserialize_with = "num::de_string")]
    pub number: String,
    /// A link SmartBill returns; in its examples, a payment link.
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub url: Option<String>,
    /// The edit link in SmartBill Cloud (`/v2` creates and storno).
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub document_url: Option<String>,
    /// SmartBill's document id (`/v2` creates and storno).
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub document_id: Option<String>,
    /// The public view link (`/v2` creates and storno).
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub document_view_url: Option<String>,
    /// SmartBill's message.
    #[serde(default, deserialize_with = "num::de_string")]
    pub message: String,
}

impl CreatedDocument {
    /// The best link to show a person: the public view link, else the edit link, else
    /// `url`.
    pub fn link(&self) -> Option<&str> {
        self.document_view_url
            .as_deref()
            .or(self.document_url.as_deref())
            .or(self.url.as_deref())
    }
}

/// An invoice made from a proforma.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InvoiceRef {
    /// The series.
    #[serde(default, deserialize_with = "num::de_string")]
    pub series: String,
    /// The number.
    #[serde(default, deserialize_with = "num::de_string")]
    pub number: String,
}

impl From<InvoiceRef> for SeriesNumber {
    fn from(r: InvoiceRef) -> Self {
        SeriesNumber::new(r.series, r.number)
    }
}

/// What `GET /estimate/invoices` returns: whether a proforma was invoiced, and by which
/// invoices. Check it before invoicing a proforma, so it is not invoiced twice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EstimateInvoices {
    /// Whether invoices were made from it.
    #[serde(default, deserialize_with = "num::de_bool")]
    pub are_invoices_created: bool,
    /// The invoices.
    #[serde(default)]
    pub invoices: Vec<InvoiceRef>,
}

/// One item of the structured error format (`errors[]`) reported for newer SmartBill
/// versions.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StructuredError {
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub(crate) code: Option<String>,
    #[serde(default, deserialize_with = "num::de_string")]
    pub(crate) message: String,
    #[serde(default, deserialize_with = "num::de_opt_string")]
    pub(crate) param: Option<String>,
}

/// The fields every answer may carry to signal an error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Envelope {
    #[serde(default, deserialize_with = "num::de_string")]
    pub(crate) error_text: String,
    #[serde(default, deserialize_with = "num::de_string")]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) errors: Vec<StructuredError>,
}

/// The message of an `errorText`, without its HTML (`<br/>`, `<b>`, a hidden
/// `moreErrorDetails` div): the text before the first tag, or all text outside tags
/// when it starts with one.
pub(crate) fn clean_error_text(raw: &str) -> String {
    let raw = raw.trim();
    let before = raw.split('<').next().unwrap_or("").trim();
    if !before.is_empty() {
        return before.to_owned();
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_loses_its_html() {
        assert_eq!(
            clean_error_text(
                "Clientul nu are CIF valid.<br/><div id=\"moreErrorDetails\" style=\"display:none\">stack</div>"
            ),
            "Clientul nu are CIF valid."
        );
        assert_eq!(
            clean_error_text("<b>Eroare</b> la emitere"),
            "Eroare la emitere"
        );
        assert_eq!(clean_error_text("  simplu "), "simplu");
    }
}
