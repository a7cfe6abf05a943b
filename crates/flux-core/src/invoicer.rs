//! The [`Invoicer`] trait (Oblio, SmartBill) and the documents it issues.
//!
//! ```
//! use chrono::NaiveDate;
//! use flux_core::invoicer::{InvoiceLine, InvoiceRequest, LineKind};
//! use flux_core::{Currency, Party, vat::VatCategory};
//! use rust_decimal_macros::dec;
//!
//! let issued = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
//! let line = InvoiceLine::new("Tricou", dec!(2), dec!(59.90), VatCategory::Standard);
//! let shipping = InvoiceLine::new("Transport", dec!(1), dec!(15), VatCategory::Standard)
//!     .with_kind(LineKind::Shipping);
//! let req = InvoiceRequest::new("#1001", "FCT", issued, Party::person("Ana Pop"), Currency::RON)
//!     .with_lines(vec![line, shipping]);
//! // Each line's VAT comes from the supply date: 21% after 1 August 2025.
//! let rates = req.line_vat_rates().unwrap();
//! assert_eq!(rates[0].percent, dec!(21));
//! ```

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ProviderError};
use crate::money::{Currency, Money};
use crate::party::Party;
use crate::vat::{VatCategory, VatRate, ro_vat_rate};

/// Kinds of document an invoicing platform issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentKind {
    /// A tax invoice (factură).
    Invoice,
    /// A proforma (SmartBill calls it an estimate).
    Proforma,
    /// A delivery note (aviz de însoțire).
    Notice,
}

/// Identifies an issued document: series and number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentRef {
    /// What kind.
    pub kind: DocumentKind,
    /// The series name, e.g. `FCT`.
    pub series: String,
    /// The number within the series, as the platform formats it.
    pub number: String,
}

impl DocumentRef {
    /// A reference.
    pub fn new(kind: DocumentKind, series: impl Into<String>, number: impl Into<String>) -> Self {
        Self {
            kind,
            series: series.into(),
            number: number.into(),
        }
    }
}

impl std::fmt::Display for DocumentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.series, self.number)
    }
}

/// A discount on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Discount {
    /// A percentage of the line, e.g. 10 for 10%.
    Percent(Decimal),
    /// A fixed amount off the line, in the document currency, VAT as the prices.
    Amount(Decimal),
}

/// What a line is, so platforms can file it correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LineKind {
    /// Goods.
    #[default]
    Product,
    /// A service.
    Service,
    /// Shipping charged to the customer.
    Shipping,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvoiceLine {
    /// Product or service name.
    pub name: String,
    /// Product code (SKU), when known.
    pub code: Option<String>,
    /// Quantity.
    pub quantity: Decimal,
    /// Unit of measure (`buc` by default).
    pub unit: String,
    /// Unit price, VAT included or not per [`InvoiceRequest::prices_include_vat`].
    pub unit_price: Decimal,
    /// VAT category; the rate comes from the supply date.
    pub vat: VatCategory,
    /// Discount on this line.
    pub discount: Option<Discount>,
    /// Goods, service or shipping.
    pub kind: LineKind,
}

impl InvoiceLine {
    /// A line of `quantity` × `unit_price` in `vat`.
    pub fn new(
        name: impl Into<String>,
        quantity: Decimal,
        unit_price: Decimal,
        vat: VatCategory,
    ) -> Self {
        Self {
            name: name.into(),
            code: None,
            quantity,
            unit: "buc".to_owned(),
            unit_price,
            vat,
            discount: None,
            kind: LineKind::Product,
        }
    }

    /// Sets the kind.
    #[must_use]
    pub fn with_kind(mut self, kind: LineKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets the discount.
    #[must_use]
    pub fn with_discount(mut self, discount: Discount) -> Self {
        self.discount = Some(discount);
        self
    }

    /// Sets the product code.
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

/// How a payment was made.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaymentMethod {
    /// Bank transfer (Oblio "Ordin de plata", SmartBill "Ordin plata").
    BankTransfer,
    /// Cash with a receipt (chitanță).
    Cash,
    /// Card.
    Card,
    /// Cash on delivery collected by a courier (ramburs).
    CashOnDelivery,
    /// Anything else, by the platform's name for it.
    Other(String),
}

/// A payment against a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payment {
    /// How.
    pub method: PaymentMethod,
    /// How much.
    pub amount: Money,
    /// When.
    pub date: NaiveDate,
    /// The bank or receipt reference.
    pub reference: Option<String>,
}

impl Payment {
    /// A payment.
    pub fn new(method: PaymentMethod, amount: Money, date: NaiveDate) -> Self {
        Self {
            method,
            amount,
            date,
            reference: None,
        }
    }
}

/// Everything needed to issue an invoice or a proforma.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvoiceRequest {
    /// Our idempotency key for this intent (the order and the document kind). Platforms
    /// that support it (Oblio `idempotencyKey`) issue at most one document per key.
    pub idempotency_key: String,
    /// The series to issue in.
    pub series: String,
    /// The issue date.
    pub issue_date: NaiveDate,
    /// The delivery (chargeable event) date, which sets the VAT rate; the issue date
    /// when absent.
    pub supply_date: Option<NaiveDate>,
    /// The due date.
    pub due_date: Option<NaiveDate>,
    /// The customer.
    pub client: Party,
    /// The lines (at least one).
    pub lines: Vec<InvoiceLine>,
    /// Whether unit prices include VAT (Shopify prices usually do).
    pub prices_include_vat: bool,
    /// The document currency.
    pub currency: Currency,
    /// RON per unit of `currency`, for a foreign-currency document.
    pub exchange_rate: Option<Decimal>,
    /// Document language (`RO`, `EN`).
    pub language: Option<String>,
    /// Mentions printed on the document (the order number, notes).
    pub mentions: Option<String>,
    /// A payment collected at issue (card orders).
    pub collect: Option<Payment>,
    /// Email the document to the client from the platform.
    pub send_email: bool,
}

impl InvoiceRequest {
    /// A request with the required parts; lines are added with [`with_lines`](Self::with_lines).
    pub fn new(
        idempotency_key: impl Into<String>,
        series: impl Into<String>,
        issue_date: NaiveDate,
        client: Party,
        currency: Currency,
    ) -> Self {
        Self {
            idempotency_key: idempotency_key.into(),
            series: series.into(),
            issue_date,
            supply_date: None,
            due_date: None,
            client,
            lines: Vec::new(),
            prices_include_vat: true,
            currency,
            exchange_rate: None,
            language: None,
            mentions: None,
            collect: None,
            send_email: false,
        }
    }

    /// Sets the lines.
    #[must_use]
    pub fn with_lines(mut self, lines: Vec<InvoiceLine>) -> Self {
        self.lines = lines;
        self
    }

    /// The Romanian VAT rate of each line, from the supply date (or the issue date).
    pub fn line_vat_rates(&self) -> Result<Vec<VatRate>, ProviderError> {
        let on = self.supply_date.unwrap_or(self.issue_date);
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                ro_vat_rate(l.vat, on).map_err(|e| {
                    ProviderError::validation("flux", format!("lines[{i}].vat"), e.message())
                })
            })
            .collect()
    }

    /// Checks what no platform accepts: no lines, empty names, non-positive quantities,
    /// negative prices, a foreign currency without an exchange rate.
    pub fn validate(&self) -> Result<(), ProviderError> {
        let mut fields = Vec::new();
        if self.idempotency_key.trim().is_empty() {
            fields.push(FieldError::new("idempotency_key", "must not be empty"));
        }
        if self.series.trim().is_empty() {
            fields.push(FieldError::new("series", "must not be empty"));
        }
        if self.client.name().trim().is_empty() {
            fields.push(FieldError::new("client.name", "must not be empty"));
        }
        if self.lines.is_empty() {
            fields.push(FieldError::new("lines", "at least one line is needed"));
        }
        for (i, line) in self.lines.iter().enumerate() {
            if line.name.trim().is_empty() {
                fields.push(FieldError::new(
                    format!("lines[{i}].name"),
                    "must not be empty",
                ));
            }
            if line.quantity <= Decimal::ZERO {
                fields.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "must be above zero",
                ));
            }
            if line.unit_price < Decimal::ZERO {
                fields.push(FieldError::new(
                    format!("lines[{i}].unit_price"),
                    "must not be negative; use a discount",
                ));
            }
            match line.discount {
                Some(Discount::Percent(p)) if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
                    fields.push(FieldError::new(
                        format!("lines[{i}].discount"),
                        "a percentage must be above 0 and at most 100",
                    ));
                }
                Some(Discount::Amount(a)) if a <= Decimal::ZERO => {
                    fields.push(FieldError::new(
                        format!("lines[{i}].discount"),
                        "an amount must be above zero",
                    ));
                }
                _ => {}
            }
        }
        if self.currency != Currency::RON && self.exchange_rate.is_none() {
            fields.push(FieldError::new(
                "exchange_rate",
                format!("a {} document needs the RON exchange rate", self.currency),
            ));
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ProviderError::validation_fields("flux", fields))
        }
    }
}

/// An issued document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssuedDocument {
    /// Series and number.
    pub reference: DocumentRef,
    /// A link to view or download it, when the platform gives one.
    pub link: Option<String>,
    /// The total, when the platform returns it.
    pub total: Option<Money>,
}

impl IssuedDocument {
    /// An issued document.
    pub fn new(reference: DocumentRef) -> Self {
        Self {
            reference,
            link: None,
            total: None,
        }
    }
}

/// A storno (reversing invoice) to issue: which invoice it reverses, its date, our
/// idempotency key and, optionally, the series it is numbered in.
///
/// Build it with [`ReverseRequest::new`] and pass it to [`Invoicer::reverse_with`]:
///
/// ```
/// use chrono::NaiveDate;
/// use flux_core::invoicer::{DocumentKind, DocumentRef, ReverseRequest};
///
/// let invoice = DocumentRef::new(DocumentKind::Invoice, "FCT", "0053");
/// let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
/// let storno = ReverseRequest::new(invoice, day, "order-1001:storno").with_series("STO");
/// assert_eq!(storno.target_series(), "STO");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReverseRequest {
    /// The invoice to reverse.
    pub document: DocumentRef,
    /// The storno's issue date.
    pub issue_date: NaiveDate,
    /// Our idempotency key for this storno. Platforms that support it (Oblio
    /// `idempotencyKey`) issue at most one storno per key.
    pub idempotency_key: String,
    /// The series to number the storno in; the reversed invoice's series when `None` (or
    /// blank). Only platforms whose [`InvoicerCapabilities::storno_series`] is true can
    /// issue a storno in a series other than the invoice's.
    pub series: Option<String>,
}

impl ReverseRequest {
    /// A storno of `document`, dated `issue_date`, in the invoice's own series.
    pub fn new(
        document: DocumentRef,
        issue_date: NaiveDate,
        idempotency_key: impl Into<String>,
    ) -> Self {
        Self {
            document,
            issue_date,
            idempotency_key: idempotency_key.into(),
            series: None,
        }
    }

    /// Numbers the storno in `series` (e.g. a dedicated storno series) instead of the
    /// invoice's series. A blank name means the invoice's series.
    #[must_use]
    pub fn with_series(mut self, series: impl Into<String>) -> Self {
        let series = series.into();
        self.series = (!series.trim().is_empty()).then(|| series.trim().to_owned());
        self
    }

    /// The series the storno is numbered in: the requested one, or the invoice's.
    pub fn target_series(&self) -> &str {
        self.series
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.document.series)
    }

    /// Whether the storno is asked for in a series other than the invoice's.
    pub fn in_other_series(&self) -> bool {
        self.target_series() != self.document.series
    }
}

/// A document series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocumentSeries {
    /// What it numbers.
    pub kind: DocumentKind,
    /// The series name.
    pub name: String,
    /// The next number, when the platform says.
    pub next_number: Option<String>,
    /// Whether it is the default series.
    pub default: bool,
}

impl DocumentSeries {
    /// A series.
    pub fn new(kind: DocumentKind, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            next_number: None,
            default: false,
        }
    }
}

/// Who to email a document to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmailRequest {
    /// Recipient address.
    pub to: String,
    /// Carbon copy.
    pub cc: Option<String>,
    /// Subject; the platform's template when absent.
    pub subject: Option<String>,
    /// Body; the platform's template when absent.
    pub body: Option<String>,
}

impl EmailRequest {
    /// An email to `to` with the platform's template.
    pub fn to(to: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            cc: None,
            subject: None,
            body: None,
        }
    }
}

/// What an invoicing platform can do.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvoicerCapabilities {
    /// A repeated create with the same idempotency key returns the first document
    /// instead of issuing another (Oblio yes, SmartBill no).
    pub idempotent_create: bool,
    /// Documents can be read back or listed (to reconcile an uncertain create).
    pub read_documents: bool,
    /// Delivery notes can be issued.
    pub notices: bool,
    /// The platform can email documents.
    pub email: bool,
    /// e-Factura submission through the API.
    pub efactura: bool,
    /// A storno can be numbered in a series other than the reversed invoice's
    /// ([`ReverseRequest::series`]): Oblio yes; SmartBill no, its `/invoice/reverse`
    /// numbers the storno in the invoice's own series.
    pub storno_series: bool,
}

/// An invoicing platform: invoices and proformas, PDFs, cancel/restore/delete, storno,
/// payments, series, VAT rates and email.
#[async_trait]
pub trait Invoicer: Send + Sync {
    /// A short stable id: `"oblio"`, `"smartbill"`.
    fn provider(&self) -> &'static str;

    /// What this platform offers.
    fn capabilities(&self) -> InvoicerCapabilities;

    /// Issues an invoice. This reaches a customer and the tax authority: callers record
    /// their intent first and, on [`ProviderError::maybe_sent`], reconcile before retrying.
    async fn create_invoice(
        &self,
        request: &InvoiceRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        let _ = request;
        Err(ProviderError::unsupported(self.provider(), "invoices"))
    }

    /// Issues a proforma.
    async fn create_proforma(
        &self,
        request: &InvoiceRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        let _ = request;
        Err(ProviderError::unsupported(self.provider(), "proformas"))
    }

    /// Finds a document issued for `idempotency_key`, where the platform can tell.
    async fn find_by_idempotency_key(
        &self,
        kind: DocumentKind,
        idempotency_key: &str,
    ) -> Result<Option<IssuedDocument>, ProviderError> {
        let _ = (kind, idempotency_key);
        Err(ProviderError::unsupported(
            self.provider(),
            "finding documents by idempotency key",
        ))
    }

    /// Downloads the PDF.
    async fn pdf(&self, document: &DocumentRef) -> Result<Vec<u8>, ProviderError> {
        let _ = document;
        Err(ProviderError::unsupported(self.provider(), "PDF download"))
    }

    /// Cancels a document (it keeps its number).
    async fn cancel(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let _ = document;
        Err(ProviderError::unsupported(
            self.provider(),
            "cancelling documents",
        ))
    }

    /// Restores a cancelled document.
    async fn restore(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let _ = document;
        Err(ProviderError::unsupported(
            self.provider(),
            "restoring documents",
        ))
    }

    /// Deletes a document; platforms allow it only for the last of its series.
    async fn delete(&self, document: &DocumentRef) -> Result<(), ProviderError> {
        let _ = document;
        Err(ProviderError::unsupported(
            self.provider(),
            "deleting documents",
        ))
    }

    /// Issues a storno (reversing invoice) of `document`, dated `issue_date`, in the
    /// invoice's own series. Same as [`reverse_with`](Self::reverse_with) without a series.
    async fn reverse(
        &self,
        document: &DocumentRef,
        issue_date: NaiveDate,
        idempotency_key: &str,
    ) -> Result<IssuedDocument, ProviderError> {
        let _ = (document, issue_date, idempotency_key);
        Err(ProviderError::unsupported(self.provider(), "storno"))
    }

    /// Issues a storno as described by `request`, including the series to number it in.
    ///
    /// The default serves a storno in the invoice's own series through
    /// [`reverse`](Self::reverse), and refuses one in another series with
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) before anything is sent.
    /// Platforms that can number a storno in another series override it and say so with
    /// [`InvoicerCapabilities::storno_series`].
    async fn reverse_with(
        &self,
        request: &ReverseRequest,
    ) -> Result<IssuedDocument, ProviderError> {
        if request.in_other_series() {
            return Err(ProviderError::unsupported(
                self.provider(),
                "storno in a series other than the invoice's",
            ));
        }
        self.reverse(
            &request.document,
            request.issue_date,
            &request.idempotency_key,
        )
        .await
    }

    /// Records a payment against an invoice.
    async fn record_payment(
        &self,
        document: &DocumentRef,
        payment: &Payment,
    ) -> Result<(), ProviderError> {
        let _ = (document, payment);
        Err(ProviderError::unsupported(
            self.provider(),
            "recording payments",
        ))
    }

    /// The account's document series.
    async fn series(&self) -> Result<Vec<DocumentSeries>, ProviderError> {
        Err(ProviderError::unsupported(
            self.provider(),
            "listing series",
        ))
    }

    /// The VAT rates configured in the account.
    async fn vat_rates(&self) -> Result<Vec<VatRate>, ProviderError> {
        Err(ProviderError::unsupported(
            self.provider(),
            "listing VAT rates",
        ))
    }

    /// Emails a document.
    async fn send_email(
        &self,
        document: &DocumentRef,
        email: &EmailRequest,
    ) -> Result<(), ProviderError> {
        let _ = (document, email);
        Err(ProviderError::unsupported(self.provider(), "email"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn req() -> InvoiceRequest {
        InvoiceRequest::new(
            "order-1:invoice",
            "FCT",
            NaiveDate::from_ymd_opt(2025, 7, 20).unwrap(),
            Party::person("Ana"),
            Currency::RON,
        )
    }

    #[test]
    fn vat_follows_the_supply_date() {
        let mut r = req().with_lines(vec![InvoiceLine::new(
            "x",
            dec!(1),
            dec!(10),
            VatCategory::Standard,
        )]);
        assert_eq!(r.line_vat_rates().unwrap()[0].percent, dec!(19));
        r.supply_date = Some(NaiveDate::from_ymd_opt(2025, 8, 2).unwrap());
        assert_eq!(r.line_vat_rates().unwrap()[0].percent, dec!(21));
    }

    /// An invoicer that implements only `reverse`, as third-party ones written before
    /// `reverse_with` do.
    struct OnlyReverse(std::sync::Mutex<Vec<String>>);

    #[async_trait]
    impl Invoicer for OnlyReverse {
        fn provider(&self) -> &'static str {
            "old"
        }
        fn capabilities(&self) -> InvoicerCapabilities {
            InvoicerCapabilities::default()
        }
        async fn reverse(
            &self,
            document: &DocumentRef,
            issue_date: NaiveDate,
            idempotency_key: &str,
        ) -> Result<IssuedDocument, ProviderError> {
            self.0
                .lock()
                .unwrap()
                .push(format!("{document} {issue_date} {idempotency_key}"));
            Ok(IssuedDocument::new(DocumentRef::new(
                DocumentKind::Invoice,
                document.series.clone(),
                "0099",
            )))
        }
    }

    #[tokio::test]
    async fn reverse_with_defaults_to_reverse_in_the_invoice_series() {
        let inv = OnlyReverse(std::sync::Mutex::new(Vec::new()));
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let doc = DocumentRef::new(DocumentKind::Invoice, "FCT", "0053");

        let plain = ReverseRequest::new(doc.clone(), day, "k1");
        assert_eq!(plain.target_series(), "FCT");
        let d = inv.reverse_with(&plain).await.unwrap();
        assert_eq!(d.reference.to_string(), "FCT 0099");
        // The same series named explicitly, or a blank one, is the invoice's series.
        inv.reverse_with(&ReverseRequest::new(doc.clone(), day, "k2").with_series("FCT"))
            .await
            .unwrap();
        let blank = ReverseRequest::new(doc.clone(), day, "k3").with_series("  ");
        assert_eq!(blank.series, None);
        inv.reverse_with(&blank).await.unwrap();

        let other = ReverseRequest::new(doc, day, "k4").with_series(" STO ");
        assert_eq!(other.target_series(), "STO");
        let err = inv.reverse_with(&other).await.unwrap_err();
        assert!(err.is_unsupported(), "{err}");
        assert_eq!(
            *inv.0.lock().unwrap(),
            [
                "FCT 0053 2026-11-23 k1",
                "FCT 0053 2026-11-23 k2",
                "FCT 0053 2026-11-23 k3"
            ],
            "nothing was sent for the storno in another series"
        );
    }

    #[test]
    fn validation_names_each_bad_field() {
        let mut r = req().with_lines(vec![
            InvoiceLine::new("", dec!(0), dec!(-1), VatCategory::Standard)
                .with_discount(Discount::Percent(dec!(150))),
        ]);
        r.currency = Currency::EUR;
        let err = r.validate().unwrap_err();
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(
            fields,
            [
                "lines[0].name",
                "lines[0].quantity",
                "lines[0].unit_price",
                "lines[0].discount",
                "exchange_rate"
            ]
        );
        assert!(req().validate().unwrap_err().field_errors()[0].field == "lines");
    }
}
