//! Payments: collect (`POST /payment`), delete a receipt (`DELETE /payment/chitanta`),
//! delete another payment (`DELETE /payment/v2`), fiscal receipt text (`GET /payment/text`).

use base64::Engine as _;
use flux_http::Method;

use crate::client::SmartBillClient;
use crate::documents::WithCompany;
use crate::error::SmartBillError;
use crate::types::{DeletePayment, PaymentRequest, PaymentResponse};

#[derive(serde::Deserialize)]
struct TextResponse {
    #[serde(default, deserialize_with = "crate::types::num::de_string")]
    message: String,
}

impl SmartBillClient {
    /// Records a payment (`POST /payment`). Not repeated after a timeout (it would
    /// record the payment twice). Fiscal receipts (`Bon`) are not issued this way.
    ///
    /// # Errors
    /// [`SmartBillError::Validation`] for an empty invoice list with
    /// `use_invoice_details`, more than 70 invoices or a non-positive value;
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn create_payment(
        &self,
        payment: &PaymentRequest,
    ) -> Result<PaymentResponse, SmartBillError> {
        let mut fields = Vec::new();
        if payment.use_invoice_details && payment.invoices_list.is_empty() {
            fields.push(flux_core::FieldError::new(
                "invoicesList",
                "useInvoiceDetails needs at least one invoice",
            ));
        }
        if payment.invoices_list.len() > 70 {
            fields.push(flux_core::FieldError::new(
                "invoicesList",
                "at most 70 invoices per payment",
            ));
        }
        if payment.value <= rust_decimal::Decimal::ZERO {
            fields.push(flux_core::FieldError::new("value", "must be above zero"));
        }
        if !payment.use_invoice_details && payment.client.is_none() {
            fields.push(flux_core::FieldError::new(
                "client",
                "a payment not taken from an invoice needs the client",
            ));
        }
        if !fields.is_empty() {
            return Err(SmartBillError::Validation(fields));
        }
        let req = self.request(Method::POST, "payment").json(&WithCompany {
            company_vat_code: &self.cif,
            body: payment,
        });
        self.send_json(req).await
    }

    /// Deletes a receipt (`chitanta`); only the last receipt of its series can be
    /// deleted, and receipts cannot be cancelled.
    ///
    /// # Errors
    /// [`SmartBillError::NotLastInSeries`] or [`SmartBillError::Api`] when refused.
    pub async fn delete_receipt(&self, series: &str, number: &str) -> Result<(), SmartBillError> {
        let req = self
            .request(Method::DELETE, "payment/chitanta")
            .query(&self.doc_query(series, number))
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

    /// Deletes a payment that is not a receipt (`DELETE /payment/v2`).
    ///
    /// # Errors
    /// [`SmartBillError::Validation`] when the payment is identified neither by invoice
    /// nor by date, value and client; [`SmartBillError::Api`] when refused.
    pub async fn delete_payment(&self, payment: &DeletePayment) -> Result<(), SmartBillError> {
        let by_invoice = payment.invoice_series.is_some() && payment.invoice_number.is_some();
        let by_details = payment.payment_date.is_some()
            && payment.payment_value.is_some()
            && (payment.client_name.is_some() || payment.client_cif.is_some());
        if !by_invoice && !by_details {
            return Err(SmartBillError::validation(
                "payment",
                "identify the payment by invoiceSeries + invoiceNumber, or by paymentDate + paymentValue + clientName/clientCif",
            ));
        }
        let req = self
            .request(Method::DELETE, "payment/v2")
            .query(&[("cif", self.cif.as_str())])
            .query(payment)
            .idempotent(false);
        self.send(req).await.map(drop)
    }

    /// The text to print on a cash register for fiscal receipt `id`
    /// (`GET /payment/text`), decoded from SmartBill's base64.
    ///
    /// # Errors
    /// [`SmartBillError::UnexpectedResponse`] when `message` is not base64.
    pub async fn fiscal_receipt_text(&self, id: &str) -> Result<Vec<u8>, SmartBillError> {
        let req = self
            .request(Method::GET, "payment/text")
            .query(&[("cif", self.cif.as_str()), ("id", id)]);
        let text: TextResponse = self.send_json(req).await?;
        base64::engine::general_purpose::STANDARD
            .decode(text.message.trim())
            .map_err(|e| {
                SmartBillError::UnexpectedResponse(format!(
                    "the fiscal receipt text of {id} is not base64: {e}"
                ))
            })
    }
}
