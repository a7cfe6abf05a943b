//! Webhooks (`/api/webhooks`): Oblio calls your endpoint when documents, stock or
//! payments change.
//!
//! Before Oblio uses an endpoint it verifies it: the endpoint must answer HTTP 200 with a
//! body equal to the base64 of the `X-Oblio-Request-Id` request header. Compute that body
//! with [`verification_response`](crate::webhooks::verification_response).

use serde::{Deserialize, Serialize};

use crate::wire;

open_enum! {
    /// What a webhook listens to.
    WebhookTopic {
        /// `stock`: stock changes.
        Stock => "stock",
        /// `Invoice/SaveDraft`.
        InvoiceSaveDraft => "Invoice/SaveDraft",
        /// `Proforma/SaveDraft`.
        ProformaSaveDraft => "Proforma/SaveDraft",
        /// `Notice/SaveDraft`.
        NoticeSaveDraft => "Notice/SaveDraft",
        /// `TaxReceipt/SaveDraft`.
        TaxReceiptSaveDraft => "TaxReceipt/SaveDraft",
        /// `Invoice/Update`.
        InvoiceUpdate => "Invoice/Update",
        /// `Proforma/Update`.
        ProformaUpdate => "Proforma/Update",
        /// `Notice/Update`.
        NoticeUpdate => "Notice/Update",
        /// `Invoice/Cancel`.
        InvoiceCancel => "Invoice/Cancel",
        /// `Proforma/Cancel`.
        ProformaCancel => "Proforma/Cancel",
        /// `Notice/Cancel`.
        NoticeCancel => "Notice/Cancel",
        /// `TaxReceipt/Cancel`.
        TaxReceiptCancel => "TaxReceipt/Cancel",
        /// `Collect/Inserted`: a payment was recorded.
        CollectInserted => "Collect/Inserted",
    }
}

/// A registered webhook.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Webhook {
    /// Oblio's id.
    #[serde(deserialize_with = "wire::loose_string")]
    pub id: String,
    /// The company.
    #[serde(default, deserialize_with = "wire::loose_string")]
    pub cif: String,
    /// The topic.
    pub topic: WebhookTopic,
    /// Your endpoint URL.
    pub endpoint: String,
}
