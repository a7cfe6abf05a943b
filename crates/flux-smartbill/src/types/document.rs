//! The body of `POST /invoice` and `POST /estimate` (a proforma): [`Document`], its
//! [`DocumentClient`], its lines ([`ProductLine`], [`DiscountLine`]) and the payment
//! collected on issue ([`InvoicePayment`]).
//!
//! SmartBill's defaults are surprising (`isTaxIncluded` defaults to **false**, a client's
//! `saveToDb` to **true**, a discount's `discountType` to **2 = percent**), so every one of
//! those flags is always sent, with the value chosen here.

use chrono::NaiveDate;
use flux_core::Currency;
use rust_decimal::Decimal;
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use super::num::{self, is_false};
use super::payment::PaymentType;

/// The customer on a document (`client`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DocumentClient {
    /// Name (SmartBill refuses special characters).
    pub name: String,
    /// CIF for a company (with `RO` when VAT-registered), CNP for a person, or `-`/`0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_code: Option<String>,
    /// The client's code in the SmartBill nomenclature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Street address (`-` is accepted when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Trade-register number (`J40/1234/2020`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reg_com: Option<String>,
    /// Whether the client is VAT-registered. Always sent.
    pub is_tax_payer: bool,
    /// Contact person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// City; in Bucharest, the sector (`Sector 3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The real name of a Romanian county (`Cluj`, `Bucuresti`), not a city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Bank name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank: Option<String>,
    /// IBAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    /// Whether SmartBill saves or updates the client in its nomenclature. SmartBill's own
    /// default is `true`; this crate defaults to `false` and always sends the flag.
    pub save_to_db: bool,
}

impl DocumentClient {
    /// A client with only a name; `isTaxPayer` and `saveToDb` false.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            vat_code: None,
            code: None,
            address: None,
            reg_com: None,
            is_tax_payer: false,
            contact: None,
            phone: None,
            city: None,
            county: None,
            country: None,
            email: None,
            bank: None,
            iban: None,
            save_to_db: false,
        }
    }
}

/// A product or service line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProductLine {
    /// Name.
    pub name: String,
    /// Product code; required when the account uses product codes. Case-sensitive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Description printed under the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_description: Option<String>,
    /// Name in the document's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_name: Option<String>,
    /// Unit of measure in the document's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_measuring_unit: Option<String>,
    /// Unit of measure (`buc`). Required.
    pub measuring_unit_name: String,
    /// Currency of the price.
    pub currency: Currency,
    /// Quantity.
    #[serde(serialize_with = "num::ser")]
    pub quantity: Decimal,
    /// Unit price.
    #[serde(serialize_with = "num::ser")]
    pub price: Decimal,
    /// Whether `price` includes VAT. SmartBill's default is **false**; always sent.
    pub is_tax_included: bool,
    /// VAT rate name from the account (`Normala`, `Redusa`, `SDD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_name: Option<String>,
    /// VAT percentage (`21`), without `%`.
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_percentage: Option<Decimal>,
    /// RON per unit of `currency`.
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub exchange_rate: Option<Decimal>,
    /// Whether SmartBill saves the product in its nomenclature (SmartBill default
    /// false); always sent.
    pub save_to_db: bool,
    /// Warehouse to take the goods from; required when the document uses stock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warehouse_name: Option<String>,
    /// Whether this is a service (not stock). Always sent.
    pub is_service: bool,
}

impl ProductLine {
    /// `quantity` × `price` in `currency`, unit `buc`, with `is_tax_included` stated.
    pub fn new(
        name: impl Into<String>,
        quantity: Decimal,
        price: Decimal,
        currency: Currency,
        is_tax_included: bool,
    ) -> Self {
        Self {
            name: name.into(),
            code: None,
            product_description: None,
            translated_name: None,
            translated_measuring_unit: None,
            measuring_unit_name: "buc".to_owned(),
            currency,
            quantity,
            price,
            is_tax_included,
            tax_name: None,
            tax_percentage: None,
            exchange_rate: None,
            save_to_db: false,
            warehouse_name: None,
            is_service: false,
        }
    }

    /// Sets the VAT rate by name and percentage.
    #[must_use]
    pub fn with_tax(mut self, name: impl Into<String>, percentage: Decimal) -> Self {
        self.tax_name = Some(name.into());
        self.tax_percentage = Some(percentage);
        self
    }
}

/// How much a [`DiscountLine`] takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscountAmount {
    /// A fixed amount, given **positive** here; sent as `discountType: 1` with a
    /// **negative** `discountValue`, as SmartBill requires.
    Value(Decimal),
    /// A percentage (10 for 10%); sent as `discountType: 2` with `discountPercentage`.
    Percent(Decimal),
}

/// A discount row: applies to the `number_of_items` rows immediately before it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiscountLine {
    /// Name printed on the row.
    pub name: String,
    /// How many preceding rows it applies to (at least 1).
    pub number_of_items: u32,
    /// Unit of measure (`buc`).
    pub measuring_unit_name: String,
    /// Currency.
    pub currency: Currency,
    /// Whether a value discount includes VAT; always sent.
    pub is_tax_included: bool,
    /// VAT rate name, as the discounted rows.
    pub tax_name: Option<String>,
    /// VAT percentage, as the discounted rows.
    pub tax_percentage: Option<Decimal>,
    /// The amount or percentage.
    pub amount: DiscountAmount,
}

impl DiscountLine {
    /// A discount on the `number_of_items` rows before it.
    pub fn new(
        name: impl Into<String>,
        number_of_items: u32,
        amount: DiscountAmount,
        currency: Currency,
        is_tax_included: bool,
    ) -> Self {
        Self {
            name: name.into(),
            number_of_items,
            measuring_unit_name: "buc".to_owned(),
            currency,
            is_tax_included,
            tax_name: None,
            tax_percentage: None,
            amount,
        }
    }

    /// Sets the VAT rate by name and percentage.
    #[must_use]
    pub fn with_tax(mut self, name: impl Into<String>, percentage: Decimal) -> Self {
        self.tax_name = Some(name.into());
        self.tax_percentage = Some(percentage);
        self
    }
}

/// One row of `products[]`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DocumentLine {
    /// A product or service (`isDiscount: false`).
    Product(ProductLine),
    /// A discount on preceding rows (`isDiscount: true`).
    Discount(DiscountLine),
}

impl From<ProductLine> for DocumentLine {
    fn from(line: ProductLine) -> Self {
        Self::Product(line)
    }
}

impl From<DiscountLine> for DocumentLine {
    fn from(line: DiscountLine) -> Self {
        Self::Discount(line)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProductWire<'a> {
    is_discount: bool,
    #[serde(flatten)]
    line: &'a ProductLine,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiscountWire<'a> {
    is_discount: bool,
    name: &'a str,
    number_of_items: u32,
    measuring_unit_name: &'a str,
    currency: Currency,
    is_tax_included: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_name: Option<&'a str>,
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    tax_percentage: Option<Decimal>,
    discount_type: u8,
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    discount_percentage: Option<Decimal>,
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    discount_value: Option<Decimal>,
}

impl Serialize for DocumentLine {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Product(line) => ProductWire {
                is_discount: false,
                line,
            }
            .serialize(s),
            Self::Discount(d) => {
                let (discount_type, discount_percentage, discount_value) = match d.amount {
                    DiscountAmount::Value(v) => (1, None, Some(-v.abs())),
                    DiscountAmount::Percent(p) => (2, Some(p), None),
                };
                DiscountWire {
                    is_discount: true,
                    name: &d.name,
                    number_of_items: d.number_of_items,
                    measuring_unit_name: &d.measuring_unit_name,
                    currency: d.currency,
                    is_tax_included: d.is_tax_included,
                    tax_name: d.tax_name.as_deref(),
                    tax_percentage: d.tax_percentage,
                    discount_type,
                    discount_percentage,
                    discount_value,
                }
                .serialize(s)
            }
        }
    }
}

fn ser_lines<S: Serializer>(lines: &[DocumentLine], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(lines.len()))?;
    for line in lines {
        seq.serialize_element(line)?;
    }
    seq.end()
}

/// A payment collected when the invoice is issued (`payment`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InvoicePayment {
    /// Amount collected.
    #[serde(serialize_with = "num::ser")]
    pub value: Decimal,
    /// The receipt series, when `type` is [`PaymentType::Chitanta`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_series: Option<String>,
    /// How it was paid.
    #[serde(rename = "type")]
    pub payment_type: PaymentType,
    /// Whether it was cash. Always sent.
    pub is_cash: bool,
}

impl InvoicePayment {
    /// A payment of `value` by `payment_type`; `is_cash` from the type.
    pub fn new(value: Decimal, payment_type: PaymentType) -> Self {
        Self {
            value,
            payment_series: None,
            is_cash: payment_type.is_cash(),
            payment_type,
        }
    }
}

/// A document in a series: `{seriesName, number}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesNumber {
    /// The series.
    pub series_name: String,
    /// The number, as SmartBill formats it (`0023`).
    pub number: String,
}

impl SeriesNumber {
    /// A reference.
    pub fn new(series_name: impl Into<String>, number: impl Into<String>) -> Self {
        Self {
            series_name: series_name.into(),
            number: number.into(),
        }
    }
}

/// Who SmartBill emails the document to on issue (`email`), with `sendEmail: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DocumentEmail {
    /// Recipient.
    pub to: String,
    /// Carbon copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc: Option<String>,
    /// Blind carbon copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bcc: Option<String>,
}

impl DocumentEmail {
    /// An email to `to`.
    pub fn to(to: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            cc: None,
            bcc: None,
        }
    }
}

/// An invoice or proforma (estimate) to issue. The client adds `companyVatCode`.
///
/// ```
/// use flux_core::Currency;
/// use flux_smartbill::types::{Document, DocumentClient, ProductLine};
/// use rust_decimal_macros::dec;
///
/// let doc = Document::new("FCT", DocumentClient::new("Ana Pop"), Currency::RON)
///     .with_line(ProductLine::new("Tricou", dec!(2), dec!(59.90), Currency::RON, true)
///         .with_tax("Normala", dec!(21)));
/// let json = serde_json::to_value(&doc).unwrap();
/// assert_eq!(json["products"][0]["isTaxIncluded"], true);
/// assert_eq!(json["products"][0]["isDiscount"], false);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Document {
    /// The customer.
    pub client: DocumentClient,
    /// Save as a draft. Always sent.
    pub is_draft: bool,
    /// Issue date (SmartBill: today).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    /// The series (SmartBill: the account's default series).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_name: Option<String>,
    /// Document currency.
    pub currency: Currency,
    /// RON per unit of `currency`.
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub exchange_rate: Option<Decimal>,
    /// Language code (`RO`, `EN`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Decimals for amounts: 2, 3 or 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<u8>,
    /// The issuer's CNP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_cnp: Option<String>,
    /// The issuer's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_name: Option<String>,
    /// The delivery-note (aviz) number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aviz: Option<String>,
    /// Due date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    /// Delivery date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    /// Payment date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<NaiveDate>,
    /// Mentions printed on the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions: Option<String>,
    /// Internal observations (not printed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observations: Option<String>,
    /// Delegate's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate_name: Option<String>,
    /// Delegate's identity card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate_identity_card: Option<String>,
    /// Delegate's vehicle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate_auto: Option<String>,
    /// Take the goods out of stock (invoices only; every product then needs a
    /// `warehouse_name`).
    #[serde(skip_serializing_if = "is_false")]
    pub use_stock: bool,
    /// Invoice a proforma: SmartBill copies its client and lines (set `estimate`).
    #[serde(skip_serializing_if = "is_false")]
    pub use_estimate_details: bool,
    /// The proforma to invoice, with `use_estimate_details`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<SeriesNumber>,
    /// VAT on collection (TVA la incasare).
    #[serde(skip_serializing_if = "is_false")]
    pub use_payment_tax: bool,
    /// VAT-on-collection base.
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_base: Option<Decimal>,
    /// VAT collected (SmartBill spells the field `colectedTax`).
    #[serde(
        rename = "colectedTax",
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub collected_tax: Option<Decimal>,
    /// VAT-on-collection total.
    #[serde(
        serialize_with = "num::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_total: Option<Decimal>,
    /// A payment link printed on the PDF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_url: Option<String>,
    /// Issue with the company's intra-EU (OSS) VAT number.
    #[serde(skip_serializing_if = "is_false")]
    pub use_intra_cif: bool,
    /// Email the document on issue (with `email`). Always sent.
    pub send_email: bool,
    /// Recipients, with `send_email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<DocumentEmail>,
    /// Rows: products, services and discounts (at most 400).
    #[serde(serialize_with = "ser_lines")]
    pub products: Vec<DocumentLine>,
    /// A payment collected on issue (invoices only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<InvoicePayment>,
}

impl Document {
    /// A document in `series_name` for `client`, in `currency`, with no lines yet.
    pub fn new(series_name: impl Into<String>, client: DocumentClient, currency: Currency) -> Self {
        Self {
            client,
            is_draft: false,
            issue_date: None,
            series_name: Some(series_name.into()),
            currency,
            exchange_rate: None,
            language: None,
            precision: None,
            issuer_cnp: None,
            issuer_name: None,
            aviz: None,
            due_date: None,
            delivery_date: None,
            payment_date: None,
            mentions: None,
            observations: None,
            delegate_name: None,
            delegate_identity_card: None,
            delegate_auto: None,
            use_stock: false,
            use_estimate_details: false,
            estimate: None,
            use_payment_tax: false,
            payment_base: None,
            collected_tax: None,
            payment_total: None,
            payment_url: None,
            use_intra_cif: false,
            send_email: false,
            email: None,
            products: Vec::new(),
            payment: None,
        }
    }

    /// Appends a row.
    #[must_use]
    pub fn with_line(mut self, line: impl Into<DocumentLine>) -> Self {
        self.products.push(line.into());
        self
    }

    /// Checks what SmartBill would refuse, before sending: a client name, at least one
    /// product row (a document of only discounts is refused), at most 400 rows, discount
    /// rows that follow enough products and have a positive amount, a precision of 2-4.
    pub fn validate(&self) -> Result<(), crate::SmartBillError> {
        use flux_core::FieldError;
        let mut fields = Vec::new();
        if self.client.name.trim().is_empty() {
            fields.push(FieldError::new("client.name", "must not be empty"));
        }
        if !self
            .products
            .iter()
            .any(|l| matches!(l, DocumentLine::Product(_)))
            && !self.use_estimate_details
        {
            fields.push(FieldError::new(
                "products",
                "at least one product row is needed (a document of only discounts is refused)",
            ));
        }
        if self.products.len() > 400 {
            fields.push(FieldError::new("products", "at most 400 rows per document"));
        }
        let mut products_before = 0u32;
        for (i, line) in self.products.iter().enumerate() {
            match line {
                DocumentLine::Product(p) => {
                    products_before += 1;
                    if p.name.trim().is_empty() {
                        fields.push(FieldError::new(
                            format!("products[{i}].name"),
                            "must not be empty",
                        ));
                    }
                    if p.measuring_unit_name.trim().is_empty() {
                        fields.push(FieldError::new(
                            format!("products[{i}].measuringUnitName"),
                            "must not be empty",
                        ));
                    }
                    if self.use_stock && p.warehouse_name.is_none() && !p.is_service {
                        fields.push(FieldError::new(
                            format!("products[{i}].warehouseName"),
                            "is required when the document uses stock",
                        ));
                    }
                }
                DocumentLine::Discount(d) => {
                    if d.number_of_items == 0 || d.number_of_items > products_before {
                        fields.push(FieldError::new(
                            format!("products[{i}].numberOfItems"),
                            format!(
                                "must be between 1 and the {products_before} product rows before it"
                            ),
                        ));
                    }
                    let (DiscountAmount::Value(v) | DiscountAmount::Percent(v)) = d.amount;
                    if v <= Decimal::ZERO {
                        fields.push(FieldError::new(
                            format!("products[{i}].discount"),
                            "give the discount as a positive amount (it is sent negative)",
                        ));
                    }
                    if let DiscountAmount::Percent(p) = d.amount
                        && p > Decimal::ONE_HUNDRED
                    {
                        fields.push(FieldError::new(
                            format!("products[{i}].discountPercentage"),
                            "must be at most 100",
                        ));
                    }
                }
            }
        }
        if let Some(p) = self.precision
            && !(2..=4).contains(&p)
        {
            fields.push(FieldError::new("precision", "must be 2, 3 or 4"));
        }
        if self.send_email && self.email.is_none() {
            fields.push(FieldError::new(
                "email",
                "sendEmail needs the recipients (email.to)",
            ));
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(crate::SmartBillError::Validation(fields))
        }
    }
}

/// The body of `POST /invoice/reverse` (storno), without `companyVatCode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReverseRequest {
    /// The series of the invoice to reverse.
    pub series_name: String,
    /// Its number.
    pub number: String,
    /// The storno's issue date (SmartBill: today).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
}

impl ReverseRequest {
    /// Reverse invoice `series_name` `number`.
    pub fn new(series_name: impl Into<String>, number: impl Into<String>) -> Self {
        Self {
            series_name: series_name.into(),
            number: number.into(),
            issue_date: None,
        }
    }
}
