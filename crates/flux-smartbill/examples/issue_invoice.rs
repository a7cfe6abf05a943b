//! Issues an invoice through SmartBill, downloads its PDF and checks its payment status.
//!
//! ```sh
//! SMARTBILL_EMAIL=you@example.ro SMARTBILL_TOKEN=... SMARTBILL_CIF=RO37311090 \
//! SMARTBILL_SERIES=FCT cargo run -p flux-smartbill --example issue_invoice
//! ```
//!
//! This issues a real invoice in the account: use a test company or delete it afterwards
//! (only the last invoice of a series can be deleted).

use std::sync::Arc;

use chrono::Utc;
use flux_core::address::Address;
use flux_core::invoicer::{InvoiceLine, InvoiceRequest};
use flux_core::{CountryCode, Currency, Invoicer, Party, VatCategory};
use flux_http::secret::SecretString;
use flux_smartbill::SmartBillClient;
use rust_decimal_macros::dec;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = SmartBillClient::builder(
        env("SMARTBILL_EMAIL")?,
        SecretString::from(env("SMARTBILL_TOKEN")?),
        env("SMARTBILL_CIF")?,
    )
    .build()?;
    let series = env("SMARTBILL_SERIES").unwrap_or_else(|_| "FCT".to_owned());

    // Read the account's VAT rates rather than trusting hard-coded percentages.
    for tax in client.taxes().await? {
        eprintln!("VAT {}: {}%", tax.name, tax.percentage);
    }

    let address = Address::builder("Ana Pop", "Cluj-Napoca", CountryCode::RO)
        .street("Str. Memorandumului")
        .number("28")
        .region("Cluj")
        .build()?;
    let customer = Party::person("Ana Pop").with_address(address);
    let today = Utc::now().date_naive();
    let request = InvoiceRequest::new(
        "example-order-1:invoice",
        series,
        today,
        customer,
        Currency::RON,
    )
    .with_lines(vec![InvoiceLine::new(
        "Tricou",
        dec!(1),
        dec!(59.90),
        VatCategory::Standard,
    )]);

    // The orchestrator records its intent before this call: SmartBill has no idempotency
    // key, so a timeout (`maybe_sent`) must be reconciled by hand, never blindly retried.
    let invoicer: Arc<dyn Invoicer> = Arc::new(client.clone());
    let issued = match invoicer.create_invoice(&request).await {
        Ok(doc) => doc,
        Err(err) if err.maybe_sent() => {
            eprintln!("the invoice may have been issued; check SmartBill before retrying: {err}");
            return Err(err.into());
        }
        Err(err) => return Err(err.into()),
    };
    eprintln!("issued {} ({:?})", issued.reference, issued.link);

    let pdf = invoicer.pdf(&issued.reference).await?;
    eprintln!("PDF: {} bytes", pdf.len());
    let status = client
        .invoice_payment_status(&issued.reference.series, &issued.reference.number)
        .await?;
    eprintln!(
        "total {}, paid {}, unpaid {}",
        status.invoice_total_amount, status.paid_amount, status.unpaid_amount
    );
    Ok(())
}
