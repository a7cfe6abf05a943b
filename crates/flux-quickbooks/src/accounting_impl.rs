//! [`flux_core::Accounting`] for [`QuickBooksClient`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flux_core::accounting::{
    AccountingCustomer, AccountingDocument, AccountingDocumentKind, AccountingDocumentRef,
    AccountingItem, CustomerInput, SalesDocumentRequest,
};
use flux_core::{Accounting, Address, CountryCode, Currency, Money, ProviderError};

use crate::client::{QuickBooksClient, SalesDocumentKind, WriteOptions};
use crate::error::{PROVIDER, QuickBooksError};
use crate::query::Query;
use crate::types::{
    CustomField, Customer, EmailAddress, Estimate, Invoice, Item, Line, LinkedTxn, MemoRef,
    PhysicalAddress, Ref, TelephoneNumber,
};

impl QuickBooksClient {
    /// Every customer changed after `since` (all when `None`), inactive ones included.
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn customers_changed(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Customer>, QuickBooksError> {
        let mut query = Query::from("Customer").include_inactive();
        if let Some(since) = since {
            query = query.updated_after(since);
        }
        self.query_all(&query.order_by("Id").to_string()).await
    }

    /// Every item changed after `since` (all when `None`), inactive ones included, with SKUs.
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn items_changed(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Item>, QuickBooksError> {
        let mut query = Query::from("Item").also_select("Sku").include_inactive();
        if let Some(since) = since {
            query = query.updated_after(since);
        }
        self.query_all(&query.order_by("Id").to_string()).await
    }

    /// The customer named `display_name`, active or not.
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn find_customer_by_name(
        &self,
        display_name: &str,
    ) -> Result<Option<Customer>, QuickBooksError> {
        let query = Query::from("Customer")
            .include_inactive()
            .where_eq("DisplayName", display_name)
            .to_string();
        Ok(self
            .query_page::<Customer>(&format!("{query} STARTPOSITION 1 MAXRESULTS 10"))
            .await?
            .items
            .into_iter()
            .next())
    }

    /// Looks the customer up by display name (inactive ones included) and sparse-updates
    /// it (reactivating it), or creates it.
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn upsert_customer(
        &self,
        input: &CustomerInput,
    ) -> Result<Customer, QuickBooksError> {
        let name = input.display_name.trim();
        if name.is_empty() {
            return Err(QuickBooksError::invalid(
                "display_name",
                "must not be empty",
            ));
        }
        if name.contains(':') {
            return Err(QuickBooksError::invalid(
                "display_name",
                "must not contain ':' (QuickBooks's sub-customer separator)",
            ));
        }
        let mut customer = customer_fields(input);
        if let Some(existing) = self.find_customer_by_name(name).await? {
            return self.update_existing(existing, customer).await;
        }
        let key = format!("customer:{name}");
        match self
            .create(&customer, &WriteOptions::with_request_id(key))
            .await
        {
            Err(QuickBooksError::DuplicateName {
                existing_id: Some(id),
                ..
            }) => {
                // Created meanwhile by someone else: update that one.
                let existing = self.read::<Customer>(&id).await?;
                customer.display_name = Some(name.to_owned());
                self.update_existing(existing, customer).await
            }
            other => other,
        }
    }

    async fn update_existing(
        &self,
        existing: Customer,
        mut patch: Customer,
    ) -> Result<Customer, QuickBooksError> {
        patch.id = existing.id;
        patch.sync_token = existing.sync_token;
        patch.active = Some(true);
        self.sparse_update(&patch, &WriteOptions::default()).await
    }

    fn sales_lines(
        &self,
        request: &SalesDocumentRequest,
        regime: &crate::tax::TaxRegime,
    ) -> Result<Vec<Line>, QuickBooksError> {
        request
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut line = Line::sales_item(l.item_id.clone(), l.quantity, l.unit_price);
                line.description.clone_from(&l.description);
                let code = regime.line_tax_code(&l.tax, &format!("lines[{i}].tax"))?;
                if let (Some(code), Some(detail)) = (code, line.sales_item_line_detail.as_mut()) {
                    detail.tax_code_ref = Some(Ref::new(code));
                }
                Ok(line)
            })
            .collect()
    }

    /// Builds the common fields of an estimate or invoice.
    async fn document_parts(
        &self,
        request: &SalesDocumentRequest,
    ) -> Result<DocumentParts, QuickBooksError> {
        request.validate().map_err(|e| {
            let field = e
                .field_errors()
                .first()
                .map(|f| f.field.clone())
                .unwrap_or_default();
            QuickBooksError::invalid(field, e.message().to_owned())
        })?;
        let regime = self.tax_regime().await?;
        let lines = self.sales_lines(request, &regime)?;
        let mut private_note = request.private_note.clone();
        let mut custom_field = Vec::new();
        if let Some(po) = &request.po_number {
            match &self.inner.po_number_field {
                Some(definition_id) => custom_field.push(CustomField {
                    definition_id: definition_id.clone(),
                    name: None,
                    field_type: Some("StringType".to_owned()),
                    string_value: Some(po.clone()),
                }),
                None => {
                    let note = format!("PO {po}");
                    private_note = Some(match private_note {
                        Some(existing) => format!("{note}\n{existing}"),
                        None => note,
                    });
                }
            }
        }
        Ok(DocumentParts {
            lines,
            private_note,
            custom_field,
        })
    }

    /// Creates an estimate from a trait request.
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn create_estimate_from(
        &self,
        request: &SalesDocumentRequest,
    ) -> Result<Estimate, QuickBooksError> {
        let parts = self.document_parts(request).await?;
        let estimate = Estimate {
            customer_ref: Some(Ref::new(request.customer_id.clone())),
            line: parts.lines,
            txn_date: request.date,
            expiration_date: request.due_date,
            customer_memo: request.customer_memo.clone().map(|value| MemoRef { value }),
            private_note: parts.private_note,
            bill_email: request.bill_email.clone().map(EmailAddress::new),
            ship_addr: request.ship_to.as_ref().map(physical_address),
            currency_ref: request.currency.map(|c| Ref::new(c.code())),
            doc_number: request.doc_number.clone(),
            custom_field: parts.custom_field,
            ..Estimate::default()
        };
        self.create(
            &estimate,
            &WriteOptions::with_request_id(request.idempotency_key.clone()),
        )
        .await
    }

    /// Creates an invoice from a trait request, linked to estimate `from_estimate` when
    /// given (the lines are still sent: QuickBooks does not copy them).
    ///
    /// # Errors
    /// See [`QuickBooksError`].
    pub async fn create_invoice_from(
        &self,
        request: &SalesDocumentRequest,
        from_estimate: Option<&str>,
    ) -> Result<Invoice, QuickBooksError> {
        let parts = self.document_parts(request).await?;
        let invoice = Invoice {
            customer_ref: Some(Ref::new(request.customer_id.clone())),
            line: parts.lines,
            txn_date: request.date,
            due_date: request.due_date,
            customer_memo: request.customer_memo.clone().map(|value| MemoRef { value }),
            private_note: parts.private_note,
            bill_email: request.bill_email.clone().map(EmailAddress::new),
            ship_addr: request.ship_to.as_ref().map(physical_address),
            currency_ref: request.currency.map(|c| Ref::new(c.code())),
            doc_number: request.doc_number.clone(),
            custom_field: parts.custom_field,
            linked_txn: from_estimate
                .map(|id| vec![LinkedTxn::new(id, "Estimate")])
                .unwrap_or_default(),
            ..Invoice::default()
        };
        self.create(
            &invoice,
            &WriteOptions::with_request_id(request.idempotency_key.clone()),
        )
        .await
    }
}

struct DocumentParts {
    lines: Vec<Line>,
    private_note: Option<String>,
    custom_field: Vec<CustomField>,
}

fn customer_fields(input: &CustomerInput) -> Customer {
    Customer {
        display_name: Some(input.display_name.trim().to_owned()),
        company_name: input.company_name.clone(),
        primary_email_addr: input.email.clone().map(EmailAddress::new),
        primary_phone: input.phone.clone().map(TelephoneNumber::new),
        bill_addr: input.billing_address.as_ref().map(physical_address),
        ship_addr: input.shipping_address.as_ref().map(physical_address),
        ..Customer::default()
    }
}

fn physical_address(a: &Address) -> PhysicalAddress {
    let street = a.street_line();
    PhysicalAddress {
        line1: (!street.is_empty()).then_some(street),
        city: Some(a.locality.clone()),
        country_sub_division_code: a.region.clone(),
        country: Some(
            match a.country.as_str() {
                "US" => "USA",
                "CA" => "CAN",
                other => other,
            }
            .to_owned(),
        ),
        postal_code: a.postal_code.clone(),
        ..PhysicalAddress::default()
    }
}

fn flux_address(name: &str, a: &PhysicalAddress) -> Option<Address> {
    let city = a.city.clone()?;
    let country = match a.country.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("USA" | "US" | "UNITED STATES") | None => CountryCode::US,
        Some("CAN" | "CA" | "CANADA") => CountryCode::CA,
        Some(other) => CountryCode::parse(other).unwrap_or(CountryCode::US),
    };
    let mut builder = Address::builder(name, city, country);
    if let Some(line1) = &a.line1 {
        builder = builder.street(line1.clone());
    }
    for line in [&a.line2, &a.line3].into_iter().flatten() {
        builder = builder.extra_line(line.clone());
    }
    if let Some(region) = &a.country_sub_division_code {
        builder = builder.region(region.clone());
    }
    if let Some(pc) = &a.postal_code {
        builder = builder.postal_code(pc.clone());
    }
    // QuickBooks data is taken as it is; a postal code flux would call malformed is kept
    // by building without validation when validation fails.
    builder.clone().build().ok().or_else(|| {
        let mut raw = Address::builder(name, a.city.clone().unwrap_or_default(), country)
            .build()
            .ok()?;
        raw.street.clone_from(&a.line1);
        raw.region.clone_from(&a.country_sub_division_code);
        raw.postal_code.clone_from(&a.postal_code);
        Some(raw)
    })
}

fn to_accounting_customer(c: Customer) -> AccountingCustomer {
    let name = c.display_name.clone().unwrap_or_default();
    let mut out = AccountingCustomer::new(c.id.clone().unwrap_or_default(), name.clone());
    out.company_name = c.company_name;
    out.email = c.primary_email_addr.and_then(|e| e.address);
    out.phone = c.primary_phone.and_then(|p| p.free_form_number);
    out.billing_address = c.bill_addr.as_ref().and_then(|a| flux_address(&name, a));
    out.shipping_address = c.ship_addr.as_ref().and_then(|a| flux_address(&name, a));
    out.active = c.active.unwrap_or(true);
    out.updated_at = c
        .meta_data
        .and_then(|m| m.last_updated_time)
        .map(|t| t.with_timezone(&Utc));
    out.version = c.sync_token;
    out
}

fn to_accounting_item(i: Item) -> AccountingItem {
    let mut out = AccountingItem::new(
        i.id.clone().unwrap_or_default(),
        i.name.clone().unwrap_or_default(),
    );
    out.sku = i.sku;
    out.description = i.description;
    out.unit_price = i.unit_price;
    out.taxable = i.taxable;
    out.active = i.active.unwrap_or(true);
    out.updated_at = i
        .meta_data
        .and_then(|m| m.last_updated_time)
        .map(|t| t.with_timezone(&Utc));
    out
}

fn document(
    kind: AccountingDocumentKind,
    id: Option<String>,
    doc_number: Option<String>,
    total: Option<rust_decimal::Decimal>,
    currency: Option<&Ref>,
    version: Option<String>,
) -> Result<AccountingDocument, QuickBooksError> {
    let id = id.ok_or_else(|| QuickBooksError::Decode {
        message: "the created document has no Id".to_owned(),
        intuit_tid: None,
    })?;
    let mut out = AccountingDocument::new(kind, id);
    out.doc_number = doc_number;
    out.version = version;
    out.total = match (total, currency.and_then(|c| Currency::parse(&c.value).ok())) {
        (Some(amount), Some(currency)) => Some(Money::new(amount, currency)),
        _ => None,
    };
    Ok(out)
}

fn document_kind(reference: &AccountingDocumentRef) -> SalesDocumentKind {
    match reference.kind {
        AccountingDocumentKind::Estimate => SalesDocumentKind::Estimate,
        _ => SalesDocumentKind::Invoice,
    }
}

#[async_trait]
impl Accounting for QuickBooksClient {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn customers_changed_since(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AccountingCustomer>, ProviderError> {
        Ok(self
            .customers_changed(since)
            .await?
            .into_iter()
            .map(to_accounting_customer)
            .collect())
    }

    async fn items_changed_since(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AccountingItem>, ProviderError> {
        Ok(self
            .items_changed(since)
            .await?
            .into_iter()
            .map(to_accounting_item)
            .collect())
    }

    async fn upsert_customer(
        &self,
        customer: &CustomerInput,
    ) -> Result<AccountingCustomer, ProviderError> {
        Ok(to_accounting_customer(
            QuickBooksClient::upsert_customer(self, customer).await?,
        ))
    }

    async fn create_estimate(
        &self,
        request: &SalesDocumentRequest,
    ) -> Result<AccountingDocument, ProviderError> {
        let e = self.create_estimate_from(request).await?;
        Ok(document(
            AccountingDocumentKind::Estimate,
            e.id,
            e.doc_number,
            e.total_amt,
            e.currency_ref.as_ref(),
            e.sync_token,
        )?)
    }

    async fn create_invoice(
        &self,
        request: &SalesDocumentRequest,
        from_estimate: Option<&AccountingDocumentRef>,
    ) -> Result<AccountingDocument, ProviderError> {
        if let Some(reference) = from_estimate
            && reference.kind != AccountingDocumentKind::Estimate
        {
            return Err(ProviderError::validation(
                PROVIDER,
                "from_estimate",
                "an invoice can only be linked to an estimate",
            ));
        }
        let i = self
            .create_invoice_from(request, from_estimate.map(|r| r.id.as_str()))
            .await?;
        Ok(document(
            AccountingDocumentKind::Invoice,
            i.id,
            i.doc_number,
            i.total_amt,
            i.currency_ref.as_ref(),
            i.sync_token,
        )?)
    }

    async fn pdf(&self, document: &AccountingDocumentRef) -> Result<Vec<u8>, ProviderError> {
        Ok(QuickBooksClient::pdf(self, document_kind(document), &document.id).await?)
    }

    async fn send_email(
        &self,
        document: &AccountingDocumentRef,
        to: Option<&str>,
    ) -> Result<(), ProviderError> {
        match document_kind(document) {
            SalesDocumentKind::Estimate => {
                self.send::<Estimate>(SalesDocumentKind::Estimate, &document.id, to)
                    .await?;
            }
            _ => {
                self.send::<Invoice>(SalesDocumentKind::Invoice, &document.id, to)
                    .await?;
            }
        }
        Ok(())
    }
}
