//! The [`Invoicer`] implementation: our domain ([`InvoiceRequest`], [`Party`],
//! [`Payment`]) mapped onto Oblio's wire format.
//!
//! | Invoicer | Oblio |
//! |---|---|
//! | `create_invoice` / `create_proforma` | `POST /api/docs/invoice` / `proforma`, `idempotencyKey` = the request's key |
//! | `pdf` | the document's `link` |
//! | `cancel` / `restore` / `delete` | `PUT .../cancel`, `PUT .../restore`, `DELETE /api/docs/{type}` |
//! | `reverse` / `reverse_with` | an invoice with `referenceDocument{type:"Factura"}`, numbered in the requested series (the original's by default) |
//! | `record_payment` | `PUT /api/docs/invoice/collect` |
//! | `series` / `vat_rates` | the nomenclatures |
//! | `send_email` | unsupported: set [`InvoiceRequest::send_email`] to email at issue |

use async_trait::async_trait;
use chrono::NaiveDate;
use flux_core::invoicer::{
    Discount, DocumentKind, DocumentRef, DocumentSeries, EmailRequest, InvoiceRequest,
    InvoicerCapabilities, IssuedDocument, LineKind, Payment, PaymentMethod, ReverseRequest,
};
use flux_core::party::PartyKind;
use flux_core::vat::VatRate as FluxVatRate;
use flux_core::{CountryCode, County, Invoicer, Party, ProviderError, TaxId};

use crate::client::OblioClient;
use crate::documents::{DeleteOptions, StornoRequest};
use crate::error::{OblioError, PROVIDER};
use crate::types::document::DocumentType;
use crate::types::{
    Collect, CreateDocument, CreatedDocument, DiscountLine, DiscountType, DocumentClient,
    DocumentTypeName, PaymentType, ProductLine,
};

fn fields_of(err: &ProviderError, prefix: &str) -> OblioError {
    let fields = err
        .field_errors()
        .iter()
        .map(|f| (format!("{prefix}{}", f.field), f.message.clone()))
        .collect::<Vec<_>>();
    if fields.is_empty() {
        OblioError::invalid(prefix.trim_end_matches('.'), err.message())
    } else {
        OblioError::InvalidInput { fields }
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Maps a [`Party`] to Oblio's `client`: CIF (with `RO` for VAT payers) or CNP,
/// registry number, county **name** in `state`, `SECTOR n` as the city in Bucharest.
///
/// # Errors
/// [`OblioError::InvalidInput`] when a Romanian address has no recognisable county.
pub fn client_from_party(party: &Party) -> Result<DocumentClient, OblioError> {
    let mut client = DocumentClient::new(party.name().trim());
    match &party.kind {
        PartyKind::Person(person) => {
            client.cif = person.cnp.as_deref().and_then(non_empty);
            client.vat_payer = Some(false);
        }
        PartyKind::Company(company) => {
            client.cif = match &company.tax_id {
                Some(TaxId::RoCif(cif)) if company.vat_payer => Some(cif.with_ro_prefix()),
                Some(TaxId::RoCif(cif)) => Some(cif.digits().to_owned()),
                Some(TaxId::Other(id)) => non_empty(id),
                _ => None,
            };
            client.rc = company.registry_number.as_deref().and_then(non_empty);
            client.vat_payer = Some(company.vat_payer);
            client.contact = company.contact_name.as_deref().and_then(non_empty);
        }
        _ => {}
    }
    if let Some(address) = &party.address {
        client.address = non_empty(&address.street_line());
        client.country = Some(address.country.as_str().to_owned());
        if address.country == CountryCode::RO {
            let county = address.ro_county().map_err(|e| fields_of(&e, "client."))?;
            client.state = Some(county.ascii_name().to_owned());
            client.city = match (county, address.bucharest_sector()) {
                // Oblio derives the e-Factura SECTORn city from this form.
                (County::Bucuresti, Some(sector)) => Some(format!("SECTOR {}", sector.number())),
                _ => non_empty(&address.locality),
            };
        } else {
            client.state = address.region.as_deref().and_then(non_empty);
            client.city = non_empty(&address.locality);
        }
        if let Some(code) = address.postal_code.as_deref().and_then(non_empty) {
            // Oblio's client has no postal-code field; keep it in the address line.
            client.address = Some(match client.address.take() {
                Some(a) => format!("{a}, {code}"),
                None => code,
            });
        }
    }
    client.email = party
        .email
        .as_deref()
        .or_else(|| party.address.as_ref().and_then(|a| a.email.as_deref()))
        .and_then(non_empty);
    client.phone = party
        .phone
        .as_deref()
        .or_else(|| party.address.as_ref().and_then(|a| a.phone.as_deref()))
        .and_then(non_empty);
    Ok(client)
}

impl OblioClient {
    /// Builds the Oblio body for an invoice or proforma from our domain request:
    /// each line's VAT rate from the supply date, `vatIncluded` always explicit,
    /// discounts as positive discount rows right below their line, shipping as an
    /// ordinary line, currency and exchange rate, the idempotency key, and (invoices
    /// only) the delivery date and the payment collected at issue.
    ///
    /// # Errors
    /// [`OblioError::InvalidInput`] naming every bad field.
    pub fn document_from_request(
        &self,
        request: &InvoiceRequest,
        kind: DocumentType,
    ) -> Result<CreateDocument, OblioError> {
        request.validate().map_err(|e| fields_of(&e, ""))?;
        if !matches!(kind, DocumentType::Invoice | DocumentType::Proforma) {
            return Err(OblioError::invalid(
                "kind",
                "only invoices and proformas are built from an InvoiceRequest",
            ));
        }
        let rates = request.line_vat_rates().map_err(|e| fields_of(&e, ""))?;
        let mut body = CreateDocument::new(request.series.trim());
        body.cif = self.cif().to_owned();
        body.client = Some(client_from_party(&request.client)?);
        body.issue_date = Some(request.issue_date);
        body.due_date = request.due_date;
        body.currency = Some(request.currency.code().to_owned());
        body.exchange_rate = request.exchange_rate;
        body.language = request.language.clone();
        body.mentions = request.mentions.clone();
        body.send_email = Some(request.send_email);
        body.idempotency_key = Some(request.idempotency_key.clone());
        for (line, rate) in request.lines.iter().zip(rates) {
            let mut product = ProductLine::new(
                line.name.trim(),
                line.quantity,
                line.unit_price,
                request.prices_include_vat,
            )
            .with_vat(rate.name, rate.percent);
            product.code = line.code.clone();
            product.measuring_unit = non_empty(&line.unit);
            if line.kind == LineKind::Shipping {
                // Shipping is not a stored product: do not overwrite a list price.
                product.save = Some(false);
            }
            body.products.push(product.into());
            if let Some(discount) = line.discount {
                let (value, kind, label) = match discount {
                    Discount::Percent(p) => (
                        p,
                        DiscountType::Percent,
                        format!("Discount {}%", p.normalize()),
                    ),
                    Discount::Amount(a) => (a, DiscountType::Amount, "Discount".to_owned()),
                    _ => {
                        return Err(OblioError::invalid(
                            "lines.discount",
                            "this discount kind is not supported by Oblio",
                        ));
                    }
                };
                body.products.push(
                    DiscountLine::new(format!("{label} {}", line.name.trim()), value, kind).into(),
                );
            }
        }
        match kind {
            DocumentType::Invoice => {
                body.delivery_date = request.supply_date;
                if let Some(payment) = &request.collect {
                    if payment.amount.currency() != request.currency {
                        return Err(OblioError::invalid(
                            "collect.amount",
                            "the payment currency must be the document currency",
                        ));
                    }
                    body.collect = Some(self.collect_from_payment(payment)?);
                }
            }
            _ => {
                if request.collect.is_some() {
                    return Err(OblioError::invalid(
                        "collect",
                        "a proforma cannot carry a payment (Oblio accepts collect on invoices only)",
                    ));
                }
            }
        }
        Ok(body)
    }

    /// Maps a [`Payment`] to Oblio's `collect`: bank transfer → `Ordin de plata`, card →
    /// `Card`, cash on delivery → `Ramburs`, cash → `Chitanta` in the configured receipt
    /// series (or `Alta incasare numerar` without one). Every type but `Chitanta` needs
    /// the payment's reference as its document number.
    ///
    /// # Errors
    /// [`OblioError::InvalidInput`] on `payment.reference` when it is needed and missing.
    pub fn collect_from_payment(&self, payment: &Payment) -> Result<Collect, OblioError> {
        let kind = match &payment.method {
            PaymentMethod::BankTransfer => PaymentType::BankTransfer,
            PaymentMethod::Card => PaymentType::Card,
            PaymentMethod::CashOnDelivery => PaymentType::CashOnDelivery,
            PaymentMethod::Cash if self.inner().receipt_series.is_some() => PaymentType::Receipt,
            PaymentMethod::Cash => PaymentType::OtherCash,
            PaymentMethod::Other(name) => PaymentType::from(name.as_str()),
            _ => {
                return Err(OblioError::invalid(
                    "payment.method",
                    "this payment method has no Oblio equivalent",
                ));
            }
        };
        let mut collect = if kind == PaymentType::Receipt {
            let series = self.inner().receipt_series.clone().ok_or_else(|| {
                OblioError::invalid("payment.method", "a Chitanta needs a receipt series")
            })?;
            Collect::receipt(series)
        } else {
            let reference = payment
                .reference
                .as_deref()
                .and_then(non_empty)
                .ok_or_else(|| {
                    OblioError::invalid(
                        "payment.reference",
                        format!("Oblio needs the document number of a {kind} payment"),
                    )
                })?;
            Collect::with_document(kind, reference)
        };
        collect.value = Some(payment.amount.amount());
        collect.issue_date = Some(payment.date);
        Ok(collect)
    }
}

fn document_type(kind: DocumentKind) -> Result<DocumentType, OblioError> {
    match kind {
        DocumentKind::Invoice => Ok(DocumentType::Invoice),
        DocumentKind::Proforma => Ok(DocumentType::Proforma),
        DocumentKind::Notice => Ok(DocumentType::Notice),
        _ => Err(OblioError::invalid("kind", "unsupported document kind")),
    }
}

fn issued(kind: DocumentKind, created: CreatedDocument) -> IssuedDocument {
    let mut doc = IssuedDocument::new(DocumentRef::new(kind, created.series_name, created.number));
    doc.link = non_empty(&created.link);
    doc
}

#[async_trait]
impl Invoicer for OblioClient {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> InvoicerCapabilities {
        let mut caps = InvoicerCapabilities::default();
        caps.idempotent_create = true;
        caps.read_documents = true;
        caps.notices = true;
        // Oblio emails only at issue (`sendEmail`), not on demand.
        caps.email = false;
        caps.efactura = true;
        // A storno is an ordinary invoice create: any invoice series can number it.
        caps.storno_series = true;
        caps
    }

    async fn create_invoice(
        &self,
        request: &InvoiceRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        let body = self.document_from_request(request, DocumentType::Invoice)?;
        let created = OblioClient::create_invoice(self, &body).await?;
        Ok(issued(DocumentKind::Invoice, created))
    }

    async fn create_proforma(
        &self,
        request: &InvoiceRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        let body = self.document_from_request(request, DocumentType::Proforma)?;
        let created = OblioClient::create_proforma(self, &body).await?;
        Ok(issued(DocumentKind::Proforma, created))
    }

    async fn pdf(&self, document: &DocumentRef) -> Result<Vec<u8>, ProviderError> {
        let kind = document_type(document.kind)?;
        let bytes = self
            .document_pdf(kind, &document.series, &document.number)
            .await?;
        Ok(bytes.to_vec())
    }

    async fn cancel(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let kind = document_type(document.kind)?;
        self.cancel_document(kind, &document.series, &document.number)
            .await?;
        Ok(())
    }

    async fn restore(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let kind = document_type(document.kind)?;
        self.restore_document(kind, &document.series, &document.number)
            .await?;
        Ok(())
    }

    async fn delete(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let kind = document_type(document.kind)?;
        self.delete_document(
            kind,
            &document.series,
            &document.number,
            &DeleteOptions::default(),
        )
        .await?;
        Ok(())
    }

    async fn reverse(
        &self,
        document: &DocumentRef,
        issue_date: NaiveDate,
        idempotency_key: &str,
    ) -> Result<IssuedDocument, ProviderError> {
        self.reverse_with(&ReverseRequest::new(
            document.clone(),
            issue_date,
            idempotency_key,
        ))
        .await
    }

    /// A storno is an invoice (`POST /api/docs/invoice`) numbered in `seriesName` (the
    /// requested series, or the invoice's) whose `referenceDocument` is the reversed
    /// invoice, with our `idempotencyKey`.
    async fn reverse_with(
        &self,
        request: &ReverseRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        let document = &request.document;
        if document.kind != DocumentKind::Invoice {
            return Err(
                OblioError::invalid("document.kind", "only invoices can be reversed").into(),
            );
        }
        if request.idempotency_key.trim().is_empty() {
            return Err(OblioError::invalid("idempotency_key", "must not be empty").into());
        }
        let mut storno = StornoRequest::new(document.series.clone(), document.number.clone());
        storno.series_name = request.target_series().to_owned();
        storno.issue_date = Some(request.issue_date);
        storno.idempotency_key = Some(request.idempotency_key.clone());
        let created = self.storno(&storno).await?;
        Ok(issued(DocumentKind::Invoice, created))
    }

    async fn record_payment(
        &self,
        document: &DocumentRef,
        payment: &Payment,
    ) -> Result<(), ProviderError> {
        if document.kind != DocumentKind::Invoice {
            return Err(OblioError::invalid(
                "document.kind",
                "payments are recorded on invoices only",
            )
            .into());
        }
        let collect = self.collect_from_payment(payment)?;
        self.collect(&document.series, &document.number, &collect)
            .await?;
        Ok(())
    }

    async fn series(&self) -> Result<Vec<DocumentSeries>, ProviderError> {
        let rows = OblioClient::series(self).await?;
        Ok(rows
            .into_iter()
            .filter_map(|s| {
                let kind = match s.kind {
                    DocumentTypeName::Invoice => DocumentKind::Invoice,
                    DocumentTypeName::Proforma => DocumentKind::Proforma,
                    DocumentTypeName::Notice => DocumentKind::Notice,
                    _ => return None,
                };
                let mut series = DocumentSeries::new(kind, s.name);
                series.next_number = non_empty(&s.next);
                series.default = s.default;
                Some(series)
            })
            .collect())
    }

    async fn vat_rates(&self) -> Result<Vec<FluxVatRate>, ProviderError> {
        let rows = OblioClient::vat_rates(self).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                r.percent.map(|percent| FluxVatRate {
                    name: r.name,
                    percent,
                })
            })
            .collect())
    }

    async fn send_email(
        &self,
        document: &DocumentRef,
        email: &EmailRequest,
    ) -> Result<(), ProviderError> {
        let _ = (document, email);
        Err(ProviderError::unsupported(
            PROVIDER,
            "emailing an issued document (Oblio emails only at issue: set InvoiceRequest::send_email)",
        ))
    }
}
