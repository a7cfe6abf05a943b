//! Issues an invoice through the `Invoicer` trait, reads it back, downloads the PDF and
//! submits it to e-Factura.
//!
//! ```sh
//! OBLIO_EMAIL=contabil@firma.ro OBLIO_SECRET=... OBLIO_CIF=RO37311090 OBLIO_SERIES=FCT \
//!     cargo run -p flux-oblio --example issue_invoice
//! ```

use std::sync::Arc;

use chrono::Utc;
use flux_core::invoicer::{DocumentKind, InvoiceLine, InvoiceRequest, LineKind};
use flux_core::vat::VatCategory;
use flux_core::{Address, CountryCode, Currency, Invoicer, Party};
use flux_http::secret::SecretString;
use flux_oblio::{DocumentType, OblioClient};
use rust_decimal::Decimal;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let oblio = OblioClient::builder(
        env("OBLIO_EMAIL")?,
        SecretString::from(env("OBLIO_SECRET")?),
        env("OBLIO_CIF")?,
    )
    .build()?;
    let series = env("OBLIO_SERIES")?;

    // The account's VAT rates and series, straight from Oblio.
    for rate in oblio.vat_rates().await? {
        tracing::info!(name = %rate.name, percent = ?rate.percent, "VAT rate");
    }

    let invoicer: Arc<dyn Invoicer> = Arc::new(oblio.clone());
    let address = Address::builder("Ana Pop", "Sector 3", CountryCode::RO)
        .street("Str. Exemplu")
        .number("1")
        .region("București")
        .build()?;
    let today = Utc::now().date_naive();
    let order = format!("example-{}", Utc::now().timestamp());
    let request = InvoiceRequest::new(
        format!("{order}:invoice"),
        series,
        today,
        Party::person("Ana Pop").with_address(address),
        Currency::RON,
    )
    .with_lines(vec![
        InvoiceLine::new(
            "Tricou",
            Decimal::from(2),
            Decimal::new(5990, 2),
            VatCategory::Standard,
        ),
        InvoiceLine::new(
            "Transport",
            Decimal::ONE,
            Decimal::from(15),
            VatCategory::Standard,
        )
        .with_kind(LineKind::Shipping),
    ]);

    let issued = invoicer.create_invoice(&request).await?;
    tracing::info!(document = %issued.reference, link = ?issued.link, "issued");

    let doc = oblio
        .get_document(
            DocumentType::Invoice,
            &issued.reference.series,
            &issued.reference.number,
        )
        .await?;
    tracing::info!(payments = doc.collects.len(), "read back");

    let pdf = invoicer.pdf(&issued.reference).await?;
    std::fs::write(format!("{order}.pdf"), &pdf)?;

    let spv = oblio
        .send_einvoice(&issued.reference.series, &issued.reference.number)
        .await?;
    tracing::info!(code = ?spv.code, text = %spv.text, "e-Factura");
    assert_eq!(issued.reference.kind, DocumentKind::Invoice);
    Ok(())
}
