//! RO e-Factura through Oblio: submit an invoice to SPV, read its state, download the
//! ANAF archive. SPV must be authorised in the Oblio account first.

use flux_http::{Bytes, Method};
use serde::Serialize;

use crate::client::{Limit, OblioClient};
use crate::documents::parse_number;
use crate::error::OblioError;
use crate::types::document::DocumentType;
use crate::types::{EinvoiceStatus, ListDocuments};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EinvoiceBody<'a> {
    cif: &'a str,
    series_name: &'a str,
    number: u64,
}

impl OblioClient {
    /// Submits an invoice issued in Oblio to SPV (`POST /api/docs/einvoice`, form-encoded).
    /// Not repeated automatically: a second submission would be a new ANAF upload.
    ///
    /// # Errors
    /// Oblio's refusal as [`OblioError::Rejected`] (e.g. SPV not authorised).
    pub async fn send_einvoice(
        &self,
        series: &str,
        number: &str,
    ) -> Result<EinvoiceStatus, OblioError> {
        let body = EinvoiceBody {
            cif: self.cif(),
            series_name: series,
            number: parse_number("number", number)?,
        };
        let (_, status) = self
            .call(Limit::Other, |http| {
                http.request(Method::POST, "api/docs/einvoice").form(&body)
            })
            .await?;
        Ok(status)
    }

    /// The e-Factura state of an invoice, read from the invoice list
    /// (`withEinvoiceStatus=1`). `None` when the list has no such invoice.
    ///
    /// # Errors
    /// As [`list_documents`](Self::list_documents).
    pub async fn einvoice_status(
        &self,
        series: &str,
        number: &str,
    ) -> Result<Option<EinvoiceStatus>, OblioError> {
        let wanted = parse_number("number", number)?;
        let mut filter = ListDocuments::new();
        filter.series_name = Some(series.to_owned());
        filter.number = Some(wanted.to_string());
        filter.with_einvoice_status = true;
        let rows = self.list_documents(DocumentType::Invoice, &filter).await?;
        Ok(rows
            .into_iter()
            .find(|r| {
                r.series_name == series && crate::wire::document_number(&r.number) == Some(wanted)
            })
            .and_then(|r| r.einvoice_status))
    }

    /// Downloads the ANAF archive (a ZIP with the XML and ANAF's signature) of an invoice
    /// issued in Oblio (`GET /api/docs/einvoice`).
    ///
    /// # Errors
    /// Oblio's refusal (not sent, not yet validated) as [`OblioError::Rejected`].
    pub async fn einvoice_archive(&self, series: &str, number: &str) -> Result<Bytes, OblioError> {
        let query = [
            ("cif", self.cif().to_owned()),
            ("seriesName", series.to_owned()),
            ("number", parse_number("number", number)?.to_string()),
        ];
        let response = self
            .send_authorized(Limit::Other, |http| {
                http.get("api/docs/einvoice").query(&query)
            })
            .await?;
        let is_json = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        if !response.is_success() || is_json {
            // Errors (and any JSON answer) come in the usual envelope.
            let (_, value): (String, serde_json::Value) = crate::client::decode_envelope(response)?;
            return Err(OblioError::Rejected {
                message: format!("expected the e-Factura archive, got JSON data: {value}"),
                http_status: 200,
            });
        }
        Ok(response.into_bytes())
    }
}
