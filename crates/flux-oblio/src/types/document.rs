//! The create-document body of `POST /api/docs/{invoice|proforma|notice}`.
//!
//! Every field Oblio documents is here, spelled as on the wire (including Oblio's
//! `selesAgent`). Optional fields are omitted when `None`, so Oblio applies its own
//! default; the fields whose defaults differ between platforms or surprise people are
//! always sent: `vatIncluded` on every product line, `discountType` and
//! `discountAllAbove` on every discount line.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::wire;

/// Which kind of document an endpoint acts on (the `{type}` in `/api/docs/{type}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentType {
    /// A tax invoice (`invoice`, *factură*).
    Invoice,
    /// A proforma (`proforma`).
    Proforma,
    /// A delivery note (`notice`, *aviz de însoțire*).
    Notice,
    /// A receipt (`receipt`, *bon fiscal*): read, list, cancel and delete only.
    Receipt,
}

impl DocumentType {
    /// The path segment: `invoice`, `proforma`, `notice` or `receipt`.
    pub fn as_path(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::Proforma => "proforma",
            Self::Notice => "notice",
            Self::Receipt => "receipt",
        }
    }
}

impl std::fmt::Display for DocumentType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_path())
    }
}

open_enum! {
    /// How a payment was collected (`collect.type`). Oblio's strings, which differ from
    /// SmartBill's (`"Ordin de plata"` here, `"Ordin plata"` there).
    PaymentType {
        /// `Chitanta`: a cash receipt Oblio numbers in a receipt series (needs `seriesName`).
        Receipt => "Chitanta",
        /// `Bon fiscal`: a fiscal receipt from a cash register.
        FiscalReceipt => "Bon fiscal",
        /// `Bon fiscal card`: a fiscal receipt paid by card.
        FiscalReceiptCard => "Bon fiscal card",
        /// `Alta incasare numerar`: another cash collection.
        OtherCash => "Alta incasare numerar",
        /// `Ordin de plata`: a bank transfer.
        BankTransfer => "Ordin de plata",
        /// `Mandat postal`: a postal order.
        PostalOrder => "Mandat postal",
        /// `Card`: a card payment.
        Card => "Card",
        /// `CEC`: a cheque.
        Cheque => "CEC",
        /// `Bilet ordin`: a promissory note.
        PromissoryNote => "Bilet ordin",
        /// `Alta incasare banca`: another bank collection.
        OtherBank => "Alta incasare banca",
        /// `Ramburs`: cash on delivery collected by a courier.
        CashOnDelivery => "Ramburs",
    }
}

open_enum! {
    /// A product's stock type (`productType`), meaningful only when stock is enabled.
    ProductType {
        /// `Marfa`: merchandise.
        Merchandise => "Marfa",
        /// `Materii prime`: raw materials.
        RawMaterials => "Materii prime",
        /// `Materiale consumabile`: consumables.
        Consumables => "Materiale consumabile",
        /// `Semifabricate`: semi-finished goods.
        SemiFinished => "Semifabricate",
        /// `Produs finit`: finished goods.
        FinishedGoods => "Produs finit",
        /// `Produs rezidual`: waste products.
        Waste => "Produs rezidual",
        /// `Produse agricole`: agricultural products.
        Agricultural => "Produse agricole",
        /// `Animale si pasari`: livestock.
        Livestock => "Animale si pasari",
        /// `Ambalaje`: packaging.
        Packaging => "Ambalaje",
        /// `Obiecte de inventar`: inventory items.
        InventoryItems => "Obiecte de inventar",
        /// `Serviciu`: a service.
        Service => "Serviciu",
    }
}

open_enum! {
    /// The kind of document a `referenceDocument` points at.
    ReferenceDocumentType {
        /// `Factura`: an invoice (referencing one issues a storno).
        Invoice => "Factura",
        /// `Proforma`: invoice a proforma.
        Proforma => "Proforma",
        /// `Aviz`: invoice a delivery note.
        Notice => "Aviz",
    }
}

/// How a discount line's `discount` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum DiscountType {
    /// `procentual`: a percentage of the discounted line(s).
    #[serde(rename = "procentual")]
    Percent,
    /// `valoric`: a fixed amount (Oblio's default).
    #[serde(rename = "valoric")]
    Amount,
}

/// The create-document body. Build it with [`CreateDocument::new`] and set the fields you
/// need; [`problems`](Self::problems) runs before every send.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateDocument {
    /// The issuer company's CIF (e.g. `RO37311090`). Filled from the client's CIF when empty.
    pub cif: String,
    /// The customer. Required, except when invoicing a reference document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<DocumentClient>,
    /// The customer's work point (BT-71..BT-80).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_location: Option<ClientLocation>,
    /// Issue date; Oblio uses today when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    /// Due date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    /// Delivery date (invoices only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    /// Collection date (invoices only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collect_date: Option<NaiveDate>,
    /// The series; must exist in the series nomenclature.
    pub series_name: String,
    /// Set with [`number`](Self::number) to supply your own document number.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub disable_auto_series: Option<bool>,
    /// Your own document number (with `disable_auto_series`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// Document language code: `RO` (default), `EN`, `FR`, `IT`, `SP` (Spanish is `SP`),
    /// `HU`, `DE`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Decimal places, 2 to 4 (default 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<u8>,
    /// Document currency (default `RON`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// RON per unit of `currency`; defaults to the rate in the company settings.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub exchange_rate: Option<Decimal>,
    /// Product and discount lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<DocumentLine>,
    /// Name of the person who drew up the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_name: Option<String>,
    /// CNP of the person who drew up the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_id: Option<String>,
    /// Delivery note number (BT-16).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_number: Option<String>,
    /// An internal note, not shown to the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Delegate's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deputy_name: Option<String>,
    /// Delegate's identity card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deputy_identity_card: Option<String>,
    /// Delegate's vehicle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deputy_auto: Option<String>,
    /// Sales agent. Oblio spells the field `selesAgent`.
    #[serde(rename = "selesAgent", skip_serializing_if = "Option::is_none")]
    pub sales_agent: Option<String>,
    /// Mentions printed on the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions: Option<String>,
    /// Work station (default `Sediu`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_station: Option<String>,
    /// Email the document with the template configured in Oblio.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub send_email: Option<bool>,
    /// Order number (BT-13).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Contract number (BT-12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_number: Option<String>,
    /// `receptionNotice`. Oblio's docs caption it "Referinta proiectului (BT-11)"; the
    /// captions of this and the next two fields look crossed, so check the PDF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reception_notice: Option<String>,
    /// `projectNumber` (captioned "Identificator cumparator (BT-46)" in the docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_number: Option<String>,
    /// `buyerIdentifier` (captioned "Numar aviz receptie (BT-15)" in the docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_identifier: Option<String>,
    /// Buyer accounting reference (BT-19).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_account_reference: Option<String>,
    /// A unique key per intent: Oblio issues at most one document per key, so a retried
    /// create does not issue a second document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// The document this one invoices (a proforma or notice) or reverses (an invoice:
    /// storno). Invoices only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_document: Option<ReferenceDocument>,
    /// A payment collected at issue. Invoices only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collect: Option<Collect>,
    /// Take the goods out of stock (invoices and notices; notices default to 1).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub use_stock: Option<bool>,
    /// Submit to SPV (e-Factura) on issue, when automatic submission is enabled in
    /// *Setari > Preferinte*. Invoices only.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub spv_extern: Option<bool>,
}

impl CreateDocument {
    /// A body for `series_name`, with every optional field unset. The issuer `cif` is
    /// filled from the client's configuration when left empty.
    pub fn new(series_name: impl Into<String>) -> Self {
        Self {
            cif: String::new(),
            client: None,
            client_location: None,
            issue_date: None,
            due_date: None,
            delivery_date: None,
            collect_date: None,
            series_name: series_name.into(),
            disable_auto_series: None,
            number: None,
            language: None,
            precision: None,
            currency: None,
            exchange_rate: None,
            products: Vec::new(),
            issuer_name: None,
            issuer_id: None,
            notice_number: None,
            internal_note: None,
            deputy_name: None,
            deputy_identity_card: None,
            deputy_auto: None,
            sales_agent: None,
            mentions: None,
            work_station: None,
            send_email: None,
            order_number: None,
            contract_number: None,
            reception_notice: None,
            project_number: None,
            buyer_identifier: None,
            client_account_reference: None,
            idempotency_key: None,
            reference_document: None,
            collect: None,
            use_stock: None,
            spv_extern: None,
        }
    }

    /// Sets the client.
    #[must_use]
    pub fn with_client(mut self, client: DocumentClient) -> Self {
        self.client = Some(client);
        self
    }

    /// Appends a line.
    #[must_use]
    pub fn with_line(mut self, line: impl Into<DocumentLine>) -> Self {
        self.products.push(line.into());
        self
    }

    /// Sets the idempotency key.
    #[must_use]
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sets the issue date.
    #[must_use]
    pub fn with_issue_date(mut self, date: NaiveDate) -> Self {
        self.issue_date = Some(date);
        self
    }

    /// Sets the reference document (invoice a proforma/notice, or storno an invoice).
    #[must_use]
    pub fn with_reference_document(mut self, reference: ReferenceDocument) -> Self {
        self.reference_document = Some(reference);
        self
    }

    /// Sets the payment collected at issue.
    #[must_use]
    pub fn with_collect(mut self, collect: Collect) -> Self {
        self.collect = Some(collect);
        self
    }

    /// Checks what Oblio would refuse, naming every bad field (`products[2].discount`).
    /// `kind` is the endpoint it will be sent to.
    pub fn problems(&self, kind: DocumentType) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut push = |f: String, m: &str| out.push((f, m.to_owned()));
        if self.cif.trim().is_empty() {
            push("cif".into(), "the issuer CIF is required");
        }
        if self.series_name.trim().is_empty() {
            push("seriesName".into(), "must not be empty");
        }
        if kind == DocumentType::Receipt {
            push("type".into(), "receipts cannot be created through the API");
        }
        if self.reference_document.is_none() {
            match &self.client {
                None => push("client".into(), "is required"),
                Some(c) if c.name.trim().is_empty() => {
                    push("client.name".into(), "must not be empty");
                }
                Some(_) => {}
            }
            if !self
                .products
                .iter()
                .any(|l| matches!(l, DocumentLine::Product(_)))
            {
                push("products".into(), "at least one product line is needed");
            }
        }
        if kind != DocumentType::Invoice {
            for (field, set) in [
                ("referenceDocument", self.reference_document.is_some()),
                ("collect", self.collect.is_some()),
                ("spvExtern", self.spv_extern.is_some()),
                ("deliveryDate", self.delivery_date.is_some()),
                ("collectDate", self.collect_date.is_some()),
            ] {
                if set {
                    push(field.into(), "is accepted on invoices only");
                }
            }
        }
        if kind == DocumentType::Notice && self.notice_number.is_some() {
            push("noticeNumber".into(), "is not accepted on a notice");
        }
        if let Some(p) = self.precision
            && !(2..=4).contains(&p)
        {
            push("precision".into(), "must be 2, 3 or 4");
        }
        if self.disable_auto_series == Some(true) && self.number.is_none() {
            push("number".into(), "is required with disableAutoSeries");
        }
        if let Some(rate) = self.exchange_rate
            && rate <= Decimal::ZERO
        {
            push("exchangeRate".into(), "must be above zero");
        }
        let mut seen_product = false;
        for (i, line) in self.products.iter().enumerate() {
            match line {
                DocumentLine::Product(p) => {
                    seen_product = true;
                    if p.name.trim().is_empty() {
                        push(format!("products[{i}].name"), "must not be empty");
                    }
                    if p.quantity.is_some_and(|q| q.is_zero()) {
                        push(format!("products[{i}].quantity"), "must not be zero");
                    }
                }
                DocumentLine::Discount(d) => {
                    if d.name.trim().is_empty() {
                        push(format!("products[{i}].name"), "must not be empty");
                    }
                    if d.discount <= Decimal::ZERO {
                        push(
                            format!("products[{i}].discount"),
                            "must be positive (Oblio subtracts it)",
                        );
                    }
                    if d.discount_type == DiscountType::Percent && d.discount > Decimal::ONE_HUNDRED
                    {
                        push(
                            format!("products[{i}].discount"),
                            "a percentage cannot exceed 100",
                        );
                    }
                    if !seen_product {
                        push(
                            format!("products[{i}]"),
                            "a discount line must follow the product it discounts",
                        );
                    }
                }
            }
        }
        if let Some(c) = &self.collect {
            out.extend(
                c.problems()
                    .into_iter()
                    .map(|(f, m)| (format!("collect.{f}"), m)),
            );
        }
        out
    }
}

/// The customer on a document (`client`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DocumentClient {
    /// Company CIF, or a person's CNP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cif: Option<String>,
    /// Name (required).
    pub name: String,
    /// Trade-register number (`J40/365/1991`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rc: Option<String>,
    /// Your code for the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Street address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The county (*judet*) **name**, e.g. `Cluj`, `Bucuresti`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// City; in Bucharest `SECTOR 1` … `SECTOR 6`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// IBAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    /// Bank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Contact person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Whether the client is VAT-registered.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub vat_payer: Option<bool>,
    /// Update the client stored in Oblio (default 0).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub save: Option<bool>,
    /// Let Oblio fill a Romanian company's data from ANAF (default 0).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub autocomplete: Option<bool>,
}

impl DocumentClient {
    /// A client with just a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// The customer's work point (`clientLocation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientLocation {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Identifier (BT-71).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Country (BT-80).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// County (BT-79).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// City (BT-77).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Address (BT-75).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code (BT-78).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

/// One element of `products[]`: a product (or service) row, or a discount row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum DocumentLine {
    /// A product or service (boxed: it is much larger than a discount row).
    Product(Box<ProductLine>),
    /// A discount on the product above it (or on all undiscounted products above).
    Discount(DiscountLine),
}

impl From<ProductLine> for DocumentLine {
    fn from(line: ProductLine) -> Self {
        Self::Product(Box::new(line))
    }
}

impl From<DiscountLine> for DocumentLine {
    fn from(line: DiscountLine) -> Self {
        Self::Discount(line)
    }
}

/// A product or service row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProductLine {
    /// Name (required).
    pub name: String,
    /// Product code (BT-155).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The client's code for the product (BT-156).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_client: Option<String>,
    /// EAN code (BT-157).
    #[serde(rename = "codeEAN", skip_serializing_if = "Option::is_none")]
    pub code_ean: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Unit price (VAT included or not per `vat_included`).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
    /// Unit of measure (default `buc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measuring_unit: Option<String>,
    /// The price's currency, when it differs from the document's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Exchange rate of the line's currency.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub exchange_rate: Option<Decimal>,
    /// The VAT rate's name in Oblio's nomenclature (`Normala`, `Redusa`, `SDD`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_name: Option<String>,
    /// The VAT percentage (21, 11, 0, ...).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub vat_percentage: Option<Decimal>,
    /// Whether `price` includes VAT. Always sent: Oblio's default is 1 (gross prices).
    #[serde(serialize_with = "wire::flag")]
    pub vat_included: bool,
    /// Quantity (default 1).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub quantity: Option<Decimal>,
    /// Stock room (stock-enabled accounts, stock items only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management: Option<String>,
    /// Stock type (stock-enabled accounts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<ProductType>,
    /// Name in the document's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_translation: Option<String>,
    /// Unit of measure in the document's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measuring_unit_translation: Option<String>,
    /// Save the list price in Oblio (default 1).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub save: Option<bool>,
}

impl ProductLine {
    /// `quantity` × `price`; `vat_included` says whether `price` is gross.
    pub fn new(
        name: impl Into<String>,
        quantity: Decimal,
        price: Decimal,
        vat_included: bool,
    ) -> Self {
        Self {
            name: name.into(),
            code: None,
            code_client: None,
            code_ean: None,
            description: None,
            price,
            measuring_unit: None,
            currency: None,
            exchange_rate: None,
            vat_name: None,
            vat_percentage: None,
            vat_included,
            quantity: Some(quantity),
            management: None,
            product_type: None,
            name_translation: None,
            measuring_unit_translation: None,
            save: None,
        }
    }

    /// Sets the VAT rate by name and percentage.
    #[must_use]
    pub fn with_vat(mut self, name: impl Into<String>, percentage: Decimal) -> Self {
        self.vat_name = Some(name.into());
        self.vat_percentage = Some(percentage);
        self
    }
}

/// A discount row: a **positive** `discount`, read per `discount_type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscountLine {
    /// Name shown on the document (required), e.g. `Discount 10%`.
    pub name: String,
    /// The discount, positive.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub discount: Decimal,
    /// Percentage or amount. Always sent (Oblio's default is an amount).
    pub discount_type: DiscountType,
    /// `false`: discount only the product right above; `true`: every undiscounted product
    /// above. Always sent.
    #[serde(serialize_with = "wire::flag")]
    pub discount_all_above: bool,
}

impl DiscountLine {
    /// A discount on the product line right above it.
    pub fn new(name: impl Into<String>, discount: Decimal, discount_type: DiscountType) -> Self {
        Self {
            name: name.into(),
            discount,
            discount_type,
            discount_all_above: false,
        }
    }
}

/// The document an invoice is made from, or reverses (`referenceDocument`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReferenceDocument {
    /// `Factura` (storno), `Proforma` or `Aviz`.
    #[serde(rename = "type")]
    pub kind: ReferenceDocumentType,
    /// The referenced document's series.
    pub series_name: String,
    /// The referenced document's number, as an integer (Oblio returns it padded: `"0008"`).
    pub number: u64,
    /// For a storno: also delete the collection tied to the reversed invoice.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_flag"
    )]
    pub refund: Option<bool>,
}

impl ReferenceDocument {
    /// A reference to `series_name` `number` of `kind`.
    pub fn new(kind: ReferenceDocumentType, series_name: impl Into<String>, number: u64) -> Self {
        Self {
            kind,
            series_name: series_name.into(),
            number,
            refund: None,
        }
    }
}

/// A payment (`collect`), on a new invoice or through the collect call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Collect {
    /// How it was paid.
    #[serde(rename = "type")]
    pub kind: PaymentType,
    /// The receipt series; required for [`PaymentType::Receipt`] (`Chitanta`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_name: Option<String>,
    /// The payment document's number; required for every type except `Chitanta`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// The amount; defaults to the invoice total.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub value: Option<Decimal>,
    /// When it was collected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    /// Mentions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions: Option<String>,
}

impl Collect {
    /// A receipt (`Chitanta`) numbered in `receipt_series`.
    pub fn receipt(receipt_series: impl Into<String>) -> Self {
        Self {
            kind: PaymentType::Receipt,
            series_name: Some(receipt_series.into()),
            document_number: None,
            value: None,
            issue_date: None,
            mentions: None,
        }
    }

    /// A payment of `kind` proven by `document_number` (a bank reference, a card slip).
    pub fn with_document(kind: PaymentType, document_number: impl Into<String>) -> Self {
        Self {
            kind,
            series_name: None,
            document_number: Some(document_number.into()),
            value: None,
            issue_date: None,
            mentions: None,
        }
    }

    /// Sets the amount.
    #[must_use]
    pub fn with_value(mut self, value: Decimal) -> Self {
        self.value = Some(value);
        self
    }

    /// Sets the date.
    #[must_use]
    pub fn with_issue_date(mut self, date: NaiveDate) -> Self {
        self.issue_date = Some(date);
        self
    }

    /// What Oblio would refuse: a `Chitanta` without a series, another type without a
    /// document number, a non-positive value.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if self.kind == PaymentType::Receipt {
            if blank(&self.series_name) {
                out.push((
                    "seriesName".to_owned(),
                    "a Chitanta needs its receipt series".to_owned(),
                ));
            }
        } else if blank(&self.document_number) {
            out.push((
                "documentNumber".to_owned(),
                format!("a {} payment needs its document number", self.kind),
            ));
        }
        if self.value.is_some_and(|v| v <= Decimal::ZERO) {
            out.push(("value".to_owned(), "must be above zero".to_owned()));
        }
        out
    }
}
