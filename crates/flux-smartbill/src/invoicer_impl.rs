//! The [`Invoicer`] implementation, and the mapping from flux-core's
//! [`InvoiceRequest`] to a SmartBill [`Document`] (the same domain types Oblio maps from).
//!
//! | flux-core | SmartBill |
//! |---|---|
//! | `series`, `issue_date`, `due_date` | `seriesName`, `issueDate`, `dueDate` |
//! | `supply_date` | `deliveryDate` (and the VAT rate of every line) |
//! | `prices_include_vat` | `isTaxIncluded` on every row, always sent |
//! | line VAT category | `taxName` + `taxPercentage` from the supply date (`Normala` 21, ...) |
//! | line discount | a discount row after it: `discountType` 1 with a negative `discountValue`, or 2 with `discountPercentage` |
//! | `LineKind::Service`/`Shipping` | `isService: true` |
//! | company client | `vatCode` (`RO` + digits when VAT-registered), `isTaxPayer`, `regCom` |
//! | person client | `vatCode` = the CNP, or 13 zeros |
//! | Romanian address | `county` = the county's name (`Bucuresti` in Bucharest, where `city` is `Sector N`) |
//! | `collect` | `payment` (`Ordin plata`, `Chitanta` with the receipt series, `Card`, `Ramburs`) |
//! | `send_email` | `sendEmail` + `email.to` = the client's email |
//! | `idempotency_key` | **not sent: SmartBill has none** |

use async_trait::async_trait;
use chrono::NaiveDate;
use flux_core::invoicer::{
    Discount, DocumentKind, DocumentRef, DocumentSeries, EmailRequest, InvoiceRequest,
    InvoicerCapabilities, IssuedDocument, LineKind, Payment, PaymentMethod,
};
use flux_core::party::{PartyKind, TaxId};
use flux_core::vat::VatRate;
use flux_core::{CountryCode, County, FieldError, Invoicer, Party, ProviderError};

use crate::PROVIDER;
use crate::client::SmartBillClient;
use crate::documents::DocumentType;
use crate::error::SmartBillError;
use crate::types::{
    DiscountAmount, DiscountLine, Document, DocumentClient, DocumentEmail, EmailDocumentType,
    InvoicePayment, PaymentRequest, PaymentType, ProductLine, ReverseRequest, SendDocument,
    SeriesNumber, SeriesType,
};

/// SmartBill's payment type for a flux-core payment method.
pub fn payment_type_for(method: &PaymentMethod) -> PaymentType {
    match method {
        PaymentMethod::BankTransfer => PaymentType::OrdinPlata,
        PaymentMethod::Cash => PaymentType::Chitanta,
        PaymentMethod::Card => PaymentType::Card,
        PaymentMethod::CashOnDelivery => PaymentType::Ramburs,
        PaymentMethod::Other(name) => PaymentType::parse(name),
        _ => PaymentType::AltaIncasare,
    }
}

fn prefix_fields(err: &ProviderError, prefix: &str) -> Vec<FieldError> {
    err.field_errors()
        .iter()
        .map(|f| FieldError::new(format!("{prefix}{}", f.field), f.message.clone()))
        .collect()
}

/// The SmartBill client for a flux-core party.
///
/// # Errors
/// [`SmartBillError::Validation`] for a Romanian address whose county is not recognised.
pub fn document_client_for(party: &Party) -> Result<DocumentClient, SmartBillError> {
    let mut client = DocumentClient::new(party.name());
    match &party.kind {
        PartyKind::Person(person) => {
            client.vat_code = Some(
                person
                    .cnp
                    .clone()
                    .unwrap_or_else(|| "0000000000000".to_owned()),
            );
        }
        PartyKind::Company(company) => {
            client.vat_code = match &company.tax_id {
                Some(TaxId::RoCif(cif)) if company.vat_payer => Some(cif.with_ro_prefix()),
                Some(TaxId::RoCif(cif)) => Some(cif.digits().to_owned()),
                Some(TaxId::Other(id)) => Some(id.clone()),
                _ => None,
            };
            client.is_tax_payer = company.vat_payer;
            client.reg_com = company.registry_number.clone();
            client.contact = company.contact_name.clone();
        }
        _ => {}
    }
    client.email = party
        .email
        .clone()
        .or_else(|| party.address.as_ref().and_then(|a| a.email.clone()));
    client.phone = party
        .phone
        .clone()
        .or_else(|| party.address.as_ref().and_then(|a| a.phone.clone()));
    match &party.address {
        Some(address) => {
            let street = address.street_line();
            client.address = Some(if street.trim().is_empty() {
                "-".to_owned()
            } else {
                street
            });
            if address.country == CountryCode::RO {
                let county = address
                    .ro_county()
                    .map_err(|e| SmartBillError::Validation(prefix_fields(&e, "client.")))?;
                if county == County::Bucuresti {
                    client.county = Some(County::Bucuresti.ascii_name().to_owned());
                    client.city = Some(match address.bucharest_sector() {
                        Some(sector) => format!("Sector {}", sector.number()),
                        None => address.locality.clone(),
                    });
                } else {
                    client.county = Some(county.ascii_name().to_owned());
                    client.city = Some(address.locality.clone());
                }
                client.country = Some("Romania".to_owned());
            } else {
                client.county = address.region.clone();
                client.city = Some(address.locality.clone());
                client.country = Some(address.country.as_str().to_owned());
            }
        }
        None => {
            client.address = Some("-".to_owned());
            client.city = Some("-".to_owned());
        }
    }
    Ok(client)
}

/// The SmartBill document for a flux-core invoice request. `with_payment` adds the
/// collected payment (invoices only); `receipt_series` is used for cash (`Chitanta`).
///
/// # Errors
/// [`SmartBillError::Validation`] for what [`InvoiceRequest::validate`] refuses, a VAT
/// category without a rate on the supply date, an unrecognised county, or an email
/// request without the client's email.
pub fn document_for(
    request: &InvoiceRequest,
    with_payment: bool,
    receipt_series: Option<&str>,
) -> Result<Document, SmartBillError> {
    request
        .validate()
        .map_err(|e| SmartBillError::Validation(e.field_errors().to_vec()))?;
    let rates = request
        .line_vat_rates()
        .map_err(|e| SmartBillError::Validation(e.field_errors().to_vec()))?;
    let client = document_client_for(&request.client)?;
    let currency = request.currency;
    let foreign = currency != flux_core::Currency::RON;
    let mut doc = Document::new(request.series.clone(), client, currency);
    doc.issue_date = Some(request.issue_date);
    doc.due_date = request.due_date;
    doc.delivery_date = request.supply_date;
    doc.exchange_rate = request.exchange_rate.filter(|_| foreign);
    doc.language = request.language.clone();
    doc.mentions = request.mentions.clone();
    for (i, (line, rate)) in request.lines.iter().zip(rates).enumerate() {
        let mut product = ProductLine::new(
            line.name.clone(),
            line.quantity,
            line.unit_price,
            currency,
            request.prices_include_vat,
        )
        .with_tax(rate.name.clone(), rate.percent);
        product.code = line.code.clone();
        product.measuring_unit_name = line.unit.clone();
        product.is_service = !matches!(line.kind, LineKind::Product);
        if foreign {
            product.exchange_rate = request.exchange_rate;
        }
        doc.products.push(product.into());
        if let Some(discount) = line.discount {
            let amount = match discount {
                Discount::Percent(p) => DiscountAmount::Percent(p),
                Discount::Amount(a) => DiscountAmount::Value(a),
                _ => {
                    return Err(SmartBillError::validation(
                        format!("lines[{i}].discount"),
                        "this kind of discount has no SmartBill encoding",
                    ));
                }
            };
            let mut row = DiscountLine::new(
                format!("Discount {}", line.name),
                1,
                amount,
                currency,
                request.prices_include_vat,
            )
            .with_tax(rate.name, rate.percent);
            row.measuring_unit_name = line.unit.clone();
            doc.products.push(row.into());
        }
    }
    if request.send_email {
        let to = request.client.email.clone().or_else(|| {
            request
                .client
                .address
                .as_ref()
                .and_then(|a| a.email.clone())
        });
        match to {
            Some(to) => {
                doc.send_email = true;
                doc.email = Some(DocumentEmail::to(to));
            }
            None => {
                return Err(SmartBillError::validation(
                    "client.email",
                    "emailing the document needs the client's email",
                ));
            }
        }
    }
    if with_payment && let Some(collect) = &request.collect {
        let mut payment =
            InvoicePayment::new(collect.amount.amount(), payment_type_for(&collect.method));
        if payment.payment_type == PaymentType::Chitanta {
            payment.payment_series = receipt_series.map(str::to_owned);
        }
        doc.payment = Some(payment);
        doc.payment_date = Some(collect.date);
    }
    Ok(doc)
}

fn doc_type(kind: DocumentKind) -> Result<DocumentType, ProviderError> {
    match kind {
        DocumentKind::Invoice => Ok(DocumentType::Invoice),
        DocumentKind::Proforma => Ok(DocumentType::Estimate),
        _ => Err(ProviderError::unsupported(
            PROVIDER,
            "delivery notes (SmartBill has only the `aviz` number on an invoice)",
        )),
    }
}

fn issued(kind: DocumentKind, created: &crate::types::CreatedDocument) -> IssuedDocument {
    let mut doc = IssuedDocument::new(DocumentRef::new(
        kind,
        created.series.clone(),
        created.number.clone(),
    ));
    doc.link = created.link().map(str::to_owned);
    doc
}

#[async_trait]
impl Invoicer for SmartBillClient {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> InvoicerCapabilities {
        let mut caps = InvoicerCapabilities::default();
        caps.email = true;
        caps
    }

    /// Issues through `POST /invoice/v2`. SmartBill has no idempotency key: the request's
    /// key is not sent, and a timeout is reported as `maybe_sent`.
    async fn create_invoice(
        &self,
        request: &InvoiceRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        let doc = document_for(request, true, self.receipt_series.as_deref())?;
        let created = self.create_invoice_with_links(&doc).await?;
        Ok(issued(DocumentKind::Invoice, &created))
    }

    /// Issues through `POST /estimate/v2`; a collected payment is not part of a proforma.
    async fn create_proforma(
        &self,
        request: &InvoiceRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        let doc = document_for(request, false, None)?;
        let created = self.create_estimate_with_links(&doc).await?;
        Ok(issued(DocumentKind::Proforma, &created))
    }

    async fn pdf(&self, document: &DocumentRef) -> Result<Vec<u8>, ProviderError> {
        let kind = doc_type(document.kind)?;
        Ok(SmartBillClient::pdf(self, kind, &document.series, &document.number).await?)
    }

    async fn cancel(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let kind = doc_type(document.kind)?;
        Ok(SmartBillClient::cancel(self, kind, &document.series, &document.number).await?)
    }

    async fn restore(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let kind = doc_type(document.kind)?;
        Ok(SmartBillClient::restore(self, kind, &document.series, &document.number).await?)
    }

    async fn delete(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let kind = doc_type(document.kind)?;
        Ok(SmartBillClient::delete(self, kind, &document.series, &document.number).await?)
    }

    /// `POST /invoice/reverse`. The idempotency key cannot be sent (SmartBill has none);
    /// SmartBill itself refuses a second storno of the same invoice.
    async fn reverse(
        &self,
        document: &DocumentRef,
        issue_date: NaiveDate,
        idempotency_key: &str,
    ) -> Result<IssuedDocument, ProviderError> {
        let _ = idempotency_key;
        if document.kind != DocumentKind::Invoice {
            return Err(ProviderError::unsupported(
                PROVIDER,
                "storno of a non-invoice",
            ));
        }
        let mut req = ReverseRequest::new(document.series.clone(), document.number.clone());
        req.issue_date = Some(issue_date);
        let created = self.reverse_invoice(&req).await?;
        Ok(issued(DocumentKind::Invoice, &created))
    }

    /// `POST /invoice/reverse` names only the invoice to reverse: SmartBill numbers the
    /// storno in that invoice's own series. A storno asked for in another series is
    /// refused as unsupported before anything is sent
    /// ([`InvoicerCapabilities::storno_series`] is false).
    async fn reverse_with(
        &self,
        request: &flux_core::invoicer::ReverseRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        if request.in_other_series() {
            return Err(ProviderError::unsupported(
                PROVIDER,
                &format!(
                    "storno in series {} (SmartBill numbers a storno in the invoice's own series, {})",
                    request.target_series(),
                    request.document.series
                ),
            ));
        }
        self.reverse(
            &request.document,
            request.issue_date,
            &request.idempotency_key,
        )
        .await
    }

    async fn record_payment(
        &self,
        document: &DocumentRef,
        payment: &Payment,
    ) -> Result<(), ProviderError> {
        if document.kind != DocumentKind::Invoice {
            return Err(ProviderError::unsupported(
                PROVIDER,
                "payments against a non-invoice",
            ));
        }
        let mut req = PaymentRequest::for_invoice(
            SeriesNumber::new(document.series.clone(), document.number.clone()),
            payment.amount.amount(),
            payment_type_for(&payment.method),
        );
        req.issue_date = Some(payment.date);
        req.currency = Some(payment.amount.currency());
        req.observation = payment.reference.clone();
        if req.payment_type == PaymentType::Chitanta {
            req.series_name = self.receipt_series.clone();
        }
        self.create_payment(&req).await?;
        Ok(())
    }

    async fn series(&self) -> Result<Vec<DocumentSeries>, ProviderError> {
        let list = SmartBillClient::series(self, None).await?;
        Ok(list
            .into_iter()
            .filter_map(|s| {
                let kind = match s.series_type {
                    SeriesType::Invoice => DocumentKind::Invoice,
                    SeriesType::Proforma => DocumentKind::Proforma,
                    _ => return None,
                };
                let mut series = DocumentSeries::new(kind, s.name);
                series.next_number = s.next_number;
                Some(series)
            })
            .collect())
    }

    async fn vat_rates(&self) -> Result<Vec<VatRate>, ProviderError> {
        Ok(self
            .taxes()
            .await?
            .into_iter()
            .map(|t| VatRate {
                name: t.name,
                percent: t.percentage,
            })
            .collect())
    }

    async fn send_email(
        &self,
        document: &DocumentRef,
        email: &EmailRequest,
    ) -> Result<(), ProviderError> {
        let document_type = match document.kind {
            DocumentKind::Invoice => EmailDocumentType::Factura,
            DocumentKind::Proforma => EmailDocumentType::Proforma,
            _ => {
                return Err(ProviderError::unsupported(
                    PROVIDER,
                    "emailing delivery notes",
                ));
            }
        };
        let mut send = SendDocument::new(
            document_type,
            document.series.clone(),
            document.number.clone(),
            email.to.clone(),
        );
        send.cc = email.cc.clone();
        send.subject = email.subject.clone();
        send.body_text = email.body.clone();
        self.send_document(&send).await?;
        Ok(())
    }
}
