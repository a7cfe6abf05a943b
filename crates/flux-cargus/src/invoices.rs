//! Cargus's invoices to the customer (`Invoices`, `InvoiceDocuments`).

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::awb::decode_base64_document;
use crate::client::CargusClient;
use crate::dates::{de_opt_datetime, iso_date};
use crate::error::CargusError;
use crate::serde_util::de_opt_text;

/// An invoice Cargus issued.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CargusInvoice {
    /// Its id, for [`CargusClient::invoice_pdf`].
    #[serde(default, deserialize_with = "de_opt_text")]
    pub invoice_id: Option<String>,
    /// Issue date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub date: Option<DateTime<FixedOffset>>,
    /// Due date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub due_date: Option<DateTime<FixedOffset>>,
    /// Series.
    #[serde(default)]
    pub series: Option<String>,
    /// Number.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub number: Option<String>,
    /// Value without VAT.
    #[serde(default)]
    pub value: Option<Decimal>,
    /// Total.
    #[serde(default)]
    pub total: Option<Decimal>,
    /// Whether it is paid.
    #[serde(default)]
    pub closed: Option<bool>,
    /// What remains to pay.
    #[serde(default)]
    pub balance: Option<Decimal>,
    /// Currency.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub currency_id: Option<String>,
}

impl CargusClient {
    /// `GET Invoices?FromDate=yyyy-mm-dd&ToDate=…&pageNumber=…&itemsPerPage=…`.
    ///
    /// # Errors
    /// As any call.
    pub async fn invoices(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<CargusInvoice>, CargusError> {
        self.get_list(
            "Invoices",
            &[
                ("FromDate", iso_date(from)),
                ("ToDate", iso_date(to)),
                ("pageNumber", page.max(1).to_string()),
                ("itemsPerPage", per_page.max(1).to_string()),
            ],
        )
        .await
    }

    /// `GET InvoiceDocuments?InvoiceId=…`: the invoice PDF (decoded from base64).
    ///
    /// # Errors
    /// As any call; [`CargusError::UnexpectedResponse`] when the body is not base64.
    pub async fn invoice_pdf(&self, invoice_id: &str) -> Result<Vec<u8>, CargusError> {
        let response = self
            .call(|http| {
                http.get("InvoiceDocuments")
                    .query(&[("InvoiceId", invoice_id)])
            })
            .await?;
        decode_base64_document(&response.text(), "InvoiceDocuments")
    }
}
