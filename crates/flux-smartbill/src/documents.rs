//! Invoices and proformas (estimates): create, PDF, cancel, restore, delete, storno,
//! payment status and the invoices made from a proforma.

use flux_http::Method;
use serde::Serialize;

use crate::client::SmartBillClient;
use crate::error::SmartBillError;
use crate::types::{CreatedDocument, Document, EstimateInvoices, PaymentStatus, ReverseRequest};

/// Which of SmartBill's two document families a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentType {
    /// `/invoice`: a tax invoice (factura).
    Invoice,
    /// `/estimate`: a proforma.
    Estimate,
}

impl DocumentType {
    fn path(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::Estimate => "estimate",
        }
    }
}

/// A body with the company CIF added (`companyVatCode`), as every SmartBill body needs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WithCompany<'a, T: Serialize> {
    pub(crate) company_vat_code: &'a str,
    #[serde(flatten)]
    pub(crate) body: &'a T,
}

impl SmartBillClient {
    async fn create(
        &self,
        kind: DocumentType,
        document: &Document,
        with_links: bool,
    ) -> Result<CreatedDocument, SmartBillError> {
        document.validate()?;
        if kind == DocumentType::Estimate {
            let mut fields = Vec::new();
            if document.payment.is_some() {
                fields.push(flux_core::FieldError::new(
                    "payment",
                    "a proforma cannot collect a payment",
                ));
            }
            if document.use_stock {
                fields.push(flux_core::FieldError::new(
                    "useStock",
                    "a proforma cannot take goods out of stock",
                ));
            }
            if !fields.is_empty() {
                return Err(SmartBillError::Validation(fields));
            }
        }
        let path = if with_links {
            format!("{}/v2", kind.path())
        } else {
            kind.path().to_owned()
        };
        // A plain POST: never repeated after a timeout (SmartBill has no idempotency
        // key), so a timeout comes back with `maybe_sent() == true`.
        let req = self.request(Method::POST, &path).json(&WithCompany {
            company_vat_code: &self.cif,
            body: document,
        });
        self.send_json(req).await
    }

    /// Issues an invoice (`POST /invoice`).
    ///
    /// SmartBill has **no idempotency key and no way to read an invoice back**: record
    /// your intent before calling, and if the error says
    /// [`maybe_sent`](SmartBillError::maybe_sent), look for the invoice in the SmartBill
    /// account (or ask a person) before issuing again.
    ///
    /// # Errors
    /// [`SmartBillError::Validation`] before sending; [`SmartBillError::Api`] when
    /// SmartBill refuses (even with HTTP 200); the transport's errors otherwise.
    pub async fn create_invoice(
        &self,
        document: &Document,
    ) -> Result<CreatedDocument, SmartBillError> {
        self.create(DocumentType::Invoice, document, false).await
    }

    /// Issues an invoice through `POST /invoice/v2`, which also returns the edit link,
    /// the document id and the public view link. Same duplicate caveats as
    /// [`create_invoice`](Self::create_invoice).
    ///
    /// # Errors
    /// As [`create_invoice`](Self::create_invoice).
    pub async fn create_invoice_with_links(
        &self,
        document: &Document,
    ) -> Result<CreatedDocument, SmartBillError> {
        self.create(DocumentType::Invoice, document, true).await
    }

    /// Issues a proforma (`POST /estimate`). A proforma has no payment and no stock.
    ///
    /// # Errors
    /// As [`create_invoice`](Self::create_invoice).
    pub async fn create_estimate(
        &self,
        document: &Document,
    ) -> Result<CreatedDocument, SmartBillError> {
        self.create(DocumentType::Estimate, document, false).await
    }

    /// Issues a proforma through `POST /estimate/v2` (with links).
    ///
    /// # Errors
    /// As [`create_invoice`](Self::create_invoice).
    pub async fn create_estimate_with_links(
        &self,
        document: &Document,
    ) -> Result<CreatedDocument, SmartBillError> {
        self.create(DocumentType::Estimate, document, true).await
    }

    /// Downloads a document's PDF (`GET /invoice/pdf` or `/estimate/pdf`, with
    /// `Accept: application/octet-stream`).
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill answers an `errorText` instead of a PDF,
    /// [`SmartBillError::UnexpectedResponse`] when the body is not a PDF.
    pub async fn pdf(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<Vec<u8>, SmartBillError> {
        let req = self
            .request(Method::GET, &format!("{}/pdf", kind.path()))
            .query(&self.doc_query(series, number))
            .header("accept", "application/octet-stream");
        let resp = self.send(req).await?;
        let bytes = resp.into_bytes();
        if !bytes.starts_with(b"%PDF") {
            return Err(SmartBillError::UnexpectedResponse(format!(
                "the PDF of {series} {number} does not start with %PDF ({} bytes)",
                bytes.len()
            )));
        }
        Ok(bytes.to_vec())
    }

    /// Downloads an invoice's PDF.
    ///
    /// # Errors
    /// As [`pdf`](Self::pdf).
    pub async fn invoice_pdf(&self, series: &str, number: &str) -> Result<Vec<u8>, SmartBillError> {
        self.pdf(DocumentType::Invoice, series, number).await
    }

    /// Downloads a proforma's PDF.
    ///
    /// # Errors
    /// As [`pdf`](Self::pdf).
    pub async fn estimate_pdf(
        &self,
        series: &str,
        number: &str,
    ) -> Result<Vec<u8>, SmartBillError> {
        self.pdf(DocumentType::Estimate, series, number).await
    }

    /// Cancels a document (`PUT /invoice/cancel` or `/estimate/cancel`); it keeps its
    /// number. An invoice with a storno needs the storno cancelled first.
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn cancel(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<(), SmartBillError> {
        let req = self
            .request(Method::PUT, &format!("{}/cancel", kind.path()))
            .query(&self.doc_query(series, number));
        self.send(req).await.map(drop)
    }

    /// Restores a cancelled document (`PUT /invoice/restore` or `/estimate/restore`).
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn restore(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<(), SmartBillError> {
        let req = self
            .request(Method::PUT, &format!("{}/restore", kind.path()))
            .query(&self.doc_query(series, number));
        self.send(req).await.map(drop)
    }

    /// Deletes a document (`DELETE /invoice` or `/estimate`). SmartBill deletes **only
    /// the last document of a series**; for any other, cancel or reverse it.
    ///
    /// # Errors
    /// [`SmartBillError::NotLastInSeries`] when SmartBill refuses because the document
    /// is not the last of its series; [`SmartBillError::Api`] for other refusals.
    pub async fn delete(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<(), SmartBillError> {
        let req = self
            .request(Method::DELETE, kind.path())
            .query(&self.doc_query(series, number))
            // A repeated delete after a timeout would answer "not found" for a document
            // the first attempt deleted: report maybe-sent instead.
            .idempotent(false);
        match self.send(req).await {
            Ok(_) => Ok(()),
            Err(SmartBillError::Api { message, .. })
                if flux_core::county::fold_romanian(&message).contains("ultim") =>
            {
                Err(SmartBillError::NotLastInSeries {
                    series: series.to_owned(),
                    number: number.to_owned(),
                    message,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Cancels an invoice.
    ///
    /// # Errors
    /// As [`cancel`](Self::cancel).
    pub async fn cancel_invoice(&self, series: &str, number: &str) -> Result<(), SmartBillError> {
        self.cancel(DocumentType::Invoice, series, number).await
    }

    /// Restores a cancelled invoice.
    ///
    /// # Errors
    /// As [`restore`](Self::restore).
    pub async fn restore_invoice(&self, series: &str, number: &str) -> Result<(), SmartBillError> {
        self.restore(DocumentType::Invoice, series, number).await
    }

    /// Deletes the last invoice of a series.
    ///
    /// # Errors
    /// As [`delete`](Self::delete).
    pub async fn delete_invoice(&self, series: &str, number: &str) -> Result<(), SmartBillError> {
        self.delete(DocumentType::Invoice, series, number).await
    }

    /// Cancels a proforma.
    ///
    /// # Errors
    /// As [`cancel`](Self::cancel).
    pub async fn cancel_estimate(&self, series: &str, number: &str) -> Result<(), SmartBillError> {
        self.cancel(DocumentType::Estimate, series, number).await
    }

    /// Restores a cancelled proforma.
    ///
    /// # Errors
    /// As [`restore`](Self::restore).
    pub async fn restore_estimate(&self, series: &str, number: &str) -> Result<(), SmartBillError> {
        self.restore(DocumentType::Estimate, series, number).await
    }

    /// Deletes the last proforma of a series.
    ///
    /// # Errors
    /// As [`delete`](Self::delete).
    pub async fn delete_estimate(&self, series: &str, number: &str) -> Result<(), SmartBillError> {
        self.delete(DocumentType::Estimate, series, number).await
    }

    /// Issues a storno of an invoice (`POST /invoice/reverse`); allowed once per invoice.
    /// Like a create, it is never repeated after a timeout.
    ///
    /// # Errors
    /// [`SmartBillError::Api`] (e.g. "Factura este deja stornata.", which converts to a
    /// `Conflict`).
    pub async fn reverse_invoice(
        &self,
        request: &ReverseRequest,
    ) -> Result<CreatedDocument, SmartBillError> {
        let req = self
            .request(Method::POST, "invoice/reverse")
            .json(&WithCompany {
                company_vat_code: &self.cif,
                body: request,
            });
        self.send_json(req).await
    }

    /// How much of an invoice is paid (`GET /invoice/paymentstatus`). The amounts are in
    /// the invoice's currency, which SmartBill does not state.
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn invoice_payment_status(
        &self,
        series: &str,
        number: &str,
    ) -> Result<PaymentStatus, SmartBillError> {
        let req = self
            .request(Method::GET, "invoice/paymentstatus")
            .query(&self.doc_query(series, number));
        self.send_json(req).await
    }

    /// Whether a proforma was invoiced, and by which invoices (`GET /estimate/invoices`).
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn estimate_invoices(
        &self,
        series: &str,
        number: &str,
    ) -> Result<EstimateInvoices, SmartBillError> {
        let req = self
            .request(Method::GET, "estimate/invoices")
            .query(&self.doc_query(series, number));
        self.send_json(req).await
    }
}
