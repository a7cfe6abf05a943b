//! A storno numbered in a series of its own, through `Invoicer::reverse_with`: the Oblio
//! simulator numbers it in the storno series and links it to the invoice; the SmartBill
//! simulator (whose reverse call takes no series) is never asked for another series.

use std::sync::Arc;

use chrono::NaiveDate;
use flux_core::invoicer::{InvoiceLine, InvoiceRequest, ReverseRequest};
use flux_core::{Currency, Invoicer, Party, VatCategory};
use flux_http::secret::SecretString;
use flux_oblio::OblioClient;
use flux_sandbox::oblio::{DEFAULT_CIF, DEFAULT_EMAIL, DEFAULT_SECRET, DocType};
use flux_sandbox::{Provider, Sandbox, SimClock};
use flux_smartbill::SmartBillClient;
use rust_decimal_macros::dec;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn request(key: &str) -> InvoiceRequest {
    InvoiceRequest::new(
        key,
        "FCT",
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        Party::person("Ana Pop"),
        Currency::RON,
    )
    .with_lines(vec![InvoiceLine::new(
        "Tricou",
        dec!(2),
        dec!(59.90),
        VatCategory::Standard,
    )])
}

#[tokio::test]
async fn oblio_numbers_a_storno_in_the_storno_series() {
    let sb = Sandbox::builder()
        .clock(SimClock::manual("2026-11-22T08:00:00Z".parse().unwrap()))
        .start()
        .await
        .unwrap();
    let invoicer: Arc<dyn Invoicer> = Arc::new(
        OblioClient::builder(
            DEFAULT_EMAIL,
            SecretString::from(DEFAULT_SECRET),
            DEFAULT_CIF,
        )
        .base_url(sb.base_url(Provider::Oblio))
        .build()
        .unwrap(),
    );
    let sim = &sb.sims().oblio;
    let invoice = invoicer
        .create_invoice(&request("order-1:invoice"))
        .await
        .unwrap();
    let storno = invoicer
        .reverse_with(
            &ReverseRequest::new(invoice.reference.clone(), day(), "order-1:storno")
                .with_series("STO"),
        )
        .await
        .unwrap();
    assert_eq!(storno.reference.to_string(), "STO 0001");
    let stored = sim.document(DocType::Invoice, "STO", "0001").unwrap();
    assert_eq!(stored.total, dec!(-119.80));
    assert_eq!(
        stored.reference,
        Some((DocType::Invoice, "FCT".to_owned(), "0001".to_owned()))
    );
    let original = sim.document(DocType::Invoice, "FCT", "0001").unwrap();
    assert_eq!(
        original.reversed_by,
        Some(("STO".to_owned(), "0001".to_owned()))
    );
    // The same key again: the first storno, nothing issued.
    let again = invoicer
        .reverse_with(
            &ReverseRequest::new(invoice.reference, day(), "order-1:storno").with_series("STO"),
        )
        .await
        .unwrap();
    assert_eq!(again.reference, storno.reference);
    assert_eq!(sim.documents_for(DocType::Invoice, "STO").len(), 1);
    sb.stop().await;
}

#[tokio::test]
async fn smartbill_reverses_in_the_invoice_series_only() {
    let sb = Sandbox::builder()
        .clock(SimClock::manual("2026-11-22T08:00:00Z".parse().unwrap()))
        .start()
        .await
        .unwrap();
    let invoicer: Arc<dyn Invoicer> = Arc::new(
        SmartBillClient::builder(
            flux_sandbox::smartbill::DEFAULT_EMAIL,
            SecretString::from(flux_sandbox::smartbill::DEFAULT_TOKEN),
            flux_sandbox::smartbill::DEFAULT_CIF,
        )
        .base_url(sb.base_url(Provider::SmartBill))
        .build()
        .unwrap(),
    );
    let invoice = invoicer
        .create_invoice(&request("order-2:invoice"))
        .await
        .unwrap();
    let other = ReverseRequest::new(invoice.reference.clone(), day(), "k").with_series("STO");
    assert!(
        invoicer
            .reverse_with(&other)
            .await
            .unwrap_err()
            .is_unsupported()
    );
    let storno = invoicer
        .reverse_with(&ReverseRequest::new(invoice.reference.clone(), day(), "k"))
        .await
        .unwrap();
    assert_eq!(storno.reference.series, invoice.reference.series);
    assert_ne!(storno.reference.number, invoice.reference.number);
    sb.stop().await;
}
