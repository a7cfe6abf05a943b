//! Documents: create (invoice, proforma, notice, storno), read, list, cancel, restore,
//! delete, collect a payment, and download the PDF.

use chrono::NaiveDate;
use flux_http::{Bytes, Method, Url};
use serde::Serialize;

use crate::client::{Limit, OblioClient};
use crate::error::{OblioError, says_not_found};
use crate::types::document::DocumentType;
use crate::types::{
    Collect, CreateDocument, CreatedDocument, Document, DocumentAction, DocumentSummary,
    ListDocuments, ReferenceDocument, ReferenceDocumentType,
};
use crate::wire;

/// `{cif, seriesName, number}`: the body of cancel and restore.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DocumentKey<'a> {
    cif: &'a str,
    series_name: &'a str,
    number: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeleteBody<'a> {
    cif: &'a str,
    series_name: &'a str,
    number: u64,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    delete_collect: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CollectBody<'a> {
    cif: &'a str,
    series_name: &'a str,
    number: u64,
    collect: &'a Collect,
}

/// Options of [`OblioClient::delete_document`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteOptions {
    /// Also delete the payment linked to the document (Oblio's default is not to).
    pub delete_collect: Option<bool>,
    /// The idempotency key the document was created with, so it can be used again.
    pub idempotency_key: Option<String>,
}

/// A storno (reversing invoice) of an invoice: a new invoice whose `referenceDocument` is
/// the original (`type: "Factura"`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StornoRequest {
    /// The series the storno is issued in (usually the original's).
    pub series_name: String,
    /// The reversed invoice's series.
    pub reversed_series: String,
    /// The reversed invoice's number (`"0568"` or `"568"`).
    pub reversed_number: String,
    /// Issue date; today at Oblio when absent.
    pub issue_date: Option<NaiveDate>,
    /// Also delete the payment tied to the reversed invoice (`refund: 1`).
    pub refund: Option<bool>,
    /// The idempotency key of this storno.
    pub idempotency_key: Option<String>,
}

impl StornoRequest {
    /// A storno of `series` `number`, issued in the same series.
    pub fn new(series: impl Into<String>, number: impl Into<String>) -> Self {
        let series = series.into();
        Self {
            series_name: series.clone(),
            reversed_series: series,
            reversed_number: number.into(),
            issue_date: None,
            refund: None,
            idempotency_key: None,
        }
    }
}

/// A 400 about an existing document whose message says it does not exist is a not-found.
fn not_found_if_said(err: OblioError) -> OblioError {
    match err {
        OblioError::Rejected {
            message,
            http_status,
        } if says_not_found(&message) => OblioError::NotFound {
            message,
            http_status,
        },
        other => other,
    }
}

pub(crate) fn parse_number(field: &str, number: &str) -> Result<u64, OblioError> {
    wire::document_number(number)
        .ok_or_else(|| OblioError::invalid(field, format!("{number:?} is not a document number")))
}

fn check_series(series: &str) -> Result<(), OblioError> {
    if series.trim().is_empty() {
        Err(OblioError::invalid("seriesName", "must not be empty"))
    } else {
        Ok(())
    }
}

impl OblioClient {
    /// Issues an invoice (`POST /api/docs/invoice`).
    ///
    /// With an `idempotencyKey` in the body, Oblio issues at most one invoice per key, so
    /// the request is retried on timeouts and 5xx; without one it is never retried and a
    /// timeout comes back with `maybe_sent`.
    ///
    /// # Errors
    /// [`OblioError::InvalidInput`] naming each bad field before anything is sent; Oblio's
    /// refusals as [`OblioError::Rejected`]; transport failures as [`OblioError::Http`].
    pub async fn create_invoice(
        &self,
        body: &CreateDocument,
    ) -> Result<CreatedDocument, OblioError> {
        self.create(DocumentType::Invoice, body).await
    }

    /// Issues a proforma (`POST /api/docs/proforma`).
    ///
    /// # Errors
    /// As [`create_invoice`](Self::create_invoice).
    pub async fn create_proforma(
        &self,
        body: &CreateDocument,
    ) -> Result<CreatedDocument, OblioError> {
        self.create(DocumentType::Proforma, body).await
    }

    /// Issues a delivery note, *aviz* (`POST /api/docs/notice`). Oblio takes the goods out
    /// of stock by default (`useStock` 1) on notices.
    ///
    /// # Errors
    /// As [`create_invoice`](Self::create_invoice).
    pub async fn create_notice(
        &self,
        body: &CreateDocument,
    ) -> Result<CreatedDocument, OblioError> {
        self.create(DocumentType::Notice, body).await
    }

    /// Issues a storno of an invoice: an invoice whose `referenceDocument` is the original.
    ///
    /// # Errors
    /// As [`create_invoice`](Self::create_invoice).
    pub async fn storno(&self, request: &StornoRequest) -> Result<CreatedDocument, OblioError> {
        check_series(&request.reversed_series)?;
        let number = parse_number("referenceDocument.number", &request.reversed_number)?;
        let mut reference = ReferenceDocument::new(
            ReferenceDocumentType::Invoice,
            request.reversed_series.clone(),
            number,
        );
        reference.refund = request.refund;
        let mut body =
            CreateDocument::new(request.series_name.clone()).with_reference_document(reference);
        body.issue_date = request.issue_date;
        body.idempotency_key = request.idempotency_key.clone();
        self.create_invoice(&body).await
    }

    async fn create(
        &self,
        kind: DocumentType,
        body: &CreateDocument,
    ) -> Result<CreatedDocument, OblioError> {
        let mut body = body.clone();
        if body.cif.trim().is_empty() {
            body.cif = self.cif().to_owned();
        }
        let problems = body.problems(kind);
        if !problems.is_empty() {
            return Err(OblioError::InvalidInput { fields: problems });
        }
        let deduplicated = body
            .idempotency_key
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty());
        let path = format!("api/docs/{}", kind.as_path());
        let (_, created) = self
            .call(Limit::Document, |http| {
                http.request(Method::POST, &path)
                    .json(&body)
                    .idempotent(deduplicated)
            })
            .await?;
        Ok(created)
    }

    /// Reads one document (`GET /api/docs/{type}`): type, series, number, link, payments.
    ///
    /// # Errors
    /// [`OblioError::NotFound`] or [`OblioError::Rejected`] when Oblio has no such document.
    pub async fn get_document(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<Document, OblioError> {
        check_series(series)?;
        let number = parse_number("number", number)?;
        let path = format!("api/docs/{}", kind.as_path());
        let query = [
            ("cif", self.cif().to_owned()),
            ("seriesName", series.to_owned()),
            ("number", number.to_string()),
        ];
        let (_, doc) = self
            .call(Limit::Other, |http| http.get(&path).query(&query))
            .await
            .map_err(not_found_if_said)?;
        Ok(doc)
    }

    /// Lists documents (`GET /api/docs/{type}/list`), at most 100 per page.
    ///
    /// # Errors
    /// [`OblioError::InvalidInput`] for `limit_per_page` above 100.
    pub async fn list_documents(
        &self,
        kind: DocumentType,
        filter: &ListDocuments,
    ) -> Result<Vec<DocumentSummary>, OblioError> {
        if let Some(n) = filter.limit_per_page
            && !(1..=100).contains(&n)
        {
            return Err(OblioError::invalid("limitPerPage", "must be 1 to 100"));
        }
        let path = format!("api/docs/{}/list", kind.as_path());
        let mut query = vec![("cif", self.cif().to_owned())];
        query.extend(filter.to_query());
        let (_, rows) = self
            .call(Limit::Other, |http| http.get(&path).query(&query))
            .await?;
        Ok(rows)
    }

    /// Cancels a document (`PUT /api/docs/{type}/cancel`); it keeps its number.
    ///
    /// # Errors
    /// Oblio's refusal as [`OblioError::Rejected`].
    pub async fn cancel_document(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<DocumentAction, OblioError> {
        self.cancel_or_restore(kind, series, number, "cancel").await
    }

    /// Restores a cancelled document (`PUT /api/docs/{type}/restore`).
    ///
    /// # Errors
    /// Oblio's refusal as [`OblioError::Rejected`].
    pub async fn restore_document(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<DocumentAction, OblioError> {
        self.cancel_or_restore(kind, series, number, "restore")
            .await
    }

    async fn cancel_or_restore(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
        action: &str,
    ) -> Result<DocumentAction, OblioError> {
        check_series(series)?;
        let body = DocumentKey {
            cif: self.cif(),
            series_name: series,
            number: parse_number("number", number)?,
        };
        let path = format!("api/docs/{}/{action}", kind.as_path());
        let response = self
            .send_authorized(Limit::Other, |http| {
                http.request(Method::PUT, &path).json(&body)
            })
            .await?;
        let (message, mut done): (String, DocumentAction) =
            crate::client::decode_envelope(response).map_err(not_found_if_said)?;
        done.message = message;
        Ok(done)
    }

    /// Deletes a document (`DELETE /api/docs/{type}`). **Only the last document of a
    /// series can be deleted**; for any other, Oblio's refusal comes back as
    /// [`OblioError::DeleteRefused`], which says to cancel or storno instead.
    ///
    /// # Errors
    /// [`OblioError::DeleteRefused`], or [`OblioError::NotFound`].
    pub async fn delete_document(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
        options: &DeleteOptions,
    ) -> Result<DocumentAction, OblioError> {
        check_series(series)?;
        let body = DeleteBody {
            cif: self.cif(),
            series_name: series,
            number: parse_number("number", number)?,
            delete_collect: options.delete_collect,
            idempotency_key: options.idempotency_key.as_deref(),
        };
        let path = format!("api/docs/{}", kind.as_path());
        let response = self
            .send_authorized(Limit::Other, |http| {
                http.request(Method::DELETE, &path).json(&body)
            })
            .await?;
        match crate::client::decode_envelope::<DocumentAction>(response) {
            Ok((message, mut done)) => {
                done.message = message;
                Ok(done)
            }
            Err(OblioError::Rejected {
                message,
                http_status,
            }) if says_not_found(&message) => Err(OblioError::NotFound {
                message,
                http_status,
            }),
            Err(OblioError::Rejected {
                message,
                http_status,
            }) => Err(OblioError::DeleteRefused {
                document: format!("{series} {number}"),
                message,
                http_status,
            }),
            Err(other) => Err(other),
        }
    }

    /// Records a payment against an invoice (`PUT /api/docs/invoice/collect`) and returns
    /// the invoice with its payments.
    ///
    /// # Errors
    /// [`OblioError::InvalidInput`] for a `Chitanta` without series or another type without
    /// document number; Oblio's refusal as [`OblioError::Rejected`].
    pub async fn collect(
        &self,
        series: &str,
        number: &str,
        collect: &Collect,
    ) -> Result<Document, OblioError> {
        check_series(series)?;
        let problems: Vec<_> = collect
            .problems()
            .into_iter()
            .map(|(f, m)| (format!("collect.{f}"), m))
            .collect();
        if !problems.is_empty() {
            return Err(OblioError::InvalidInput { fields: problems });
        }
        let body = CollectBody {
            cif: self.cif(),
            series_name: series,
            number: parse_number("number", number)?,
            collect,
        };
        // A PUT, but recording a payment twice is not harmless: never repeat it blindly.
        let (_, doc) = self
            .call(Limit::Other, |http| {
                http.request(Method::PUT, "api/docs/invoice/collect")
                    .json(&body)
                    .idempotent(false)
            })
            .await
            .map_err(not_found_if_said)?;
        Ok(doc)
    }

    /// Downloads the PDF behind a document link (`https://www.oblio.eu/utils/show_file/?...`).
    /// Oblio has no PDF endpoint: the link carries its own access token. Links outside the
    /// client's base URL origin are refused.
    ///
    /// # Errors
    /// [`OblioError::Pdf`] for a foreign link or a body that is not a PDF.
    pub async fn download_pdf(&self, link: &str) -> Result<Bytes, OblioError> {
        let url = Url::parse(link)
            .map_err(|e| OblioError::Pdf(format!("the document link is not a URL: {e}")))?;
        let base = self.base_url();
        if url.origin() != base.origin() {
            return Err(OblioError::Pdf(format!(
                "refusing to fetch a link outside {}",
                base.origin().ascii_serialization()
            )));
        }
        let response = self
            .inner()
            .http
            .request_url(Method::GET, url)
            .send()
            .await?;
        let bytes = response.into_bytes();
        if !bytes.starts_with(b"%PDF") {
            return Err(OblioError::Pdf(
                "the document link did not return a PDF".into(),
            ));
        }
        Ok(bytes)
    }

    /// Reads a document and downloads its PDF.
    ///
    /// # Errors
    /// As [`get_document`](Self::get_document) and [`download_pdf`](Self::download_pdf).
    pub async fn document_pdf(
        &self,
        kind: DocumentType,
        series: &str,
        number: &str,
    ) -> Result<Bytes, OblioError> {
        let doc = self.get_document(kind, series, number).await?;
        if doc.link.trim().is_empty() {
            return Err(OblioError::Pdf(format!(
                "Oblio returned no link for {series} {number}"
            )));
        }
        self.download_pdf(&doc.link).await
    }
}
