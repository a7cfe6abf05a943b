//! Oblio contract: the real `flux-oblio` client, mostly through `Arc<dyn Invoicer>`, against
//! the sandbox's Oblio simulator.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use flux_core::address::Address;
use flux_core::invoicer::{
    Discount, DocumentKind, DocumentRef, InvoiceLine, InvoiceRequest, LineKind, Payment,
    PaymentMethod,
};
use flux_core::{Cif, CountryCode, Currency, ErrorKind, Invoicer, Money, Party, VatCategory};
use flux_http::secret::SecretString;
use flux_http::{RateLimiter, RetryPolicy};
use flux_oblio::types::{
    ClientFilter, CreateDocument, DocumentClient, ListDocuments, ProductLine, ReferenceDocument,
    ReferenceDocumentType,
};
use flux_oblio::{DocumentType, OblioClient, OblioError, OblioRateLimits};
use flux_sandbox::oblio::{DEFAULT_CIF, DEFAULT_EMAIL, DEFAULT_SECRET, DocType};
use flux_sandbox::{FaultPlan, Provider, RunningSandbox, Sandbox, SimClock};
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn sandbox() -> RunningSandbox {
    Sandbox::builder()
        .clock(SimClock::manual("2026-11-22T08:00:00Z".parse().unwrap()))
        .start()
        .await
        .unwrap()
}

fn client(sb: &RunningSandbox) -> OblioClient {
    OblioClient::builder(
        DEFAULT_EMAIL,
        SecretString::from(DEFAULT_SECRET),
        DEFAULT_CIF,
    )
    .base_url(sb.base_url(Provider::Oblio))
    .receipt_series("CH")
    .build()
    .unwrap()
}

fn buyer() -> Party {
    let address = Address::builder("Ion Ionescu", "Sector 2", CountryCode::RO)
        .street("Bdul. Pache Protopopescu")
        .number("109")
        .region("București")
        .build()
        .unwrap();
    Party::ro_company("BUCUR OBOR SA", Cif::parse("19").unwrap(), true)
        .with_address(address)
        .with_email("contabilitate@example.ro")
}

fn request(key: &str) -> InvoiceRequest {
    let mut req = InvoiceRequest::new(key, "FCT", d(2026, 11, 22), buyer(), Currency::RON)
        .with_lines(vec![
            InvoiceLine::new("Tricou", dec!(2), dec!(59.90), VatCategory::Standard)
                .with_code("TRC-01")
                .with_discount(Discount::Amount(dec!(10))),
            InvoiceLine::new("Carte", dec!(1), dec!(40), VatCategory::Reduced)
                .with_discount(Discount::Percent(dec!(5))),
            InvoiceLine::new("Transport", dec!(1), dec!(15), VatCategory::Standard)
                .with_kind(LineKind::Shipping),
        ]);
    req.mentions = Some(format!("Comanda {key}"));
    req
}

#[tokio::test]
async fn invoices_are_numbered_deduplicated_reversed_and_deleted_through_the_trait() {
    let sb = sandbox().await;
    let invoicer: Arc<dyn Invoicer> = Arc::new(client(&sb));
    let sim = &sb.sims().oblio;

    let mut first = request("order-1001:invoice");
    let mut card = Payment::new(
        PaymentMethod::Card,
        Money::new(dec!(162.80), Currency::RON),
        d(2026, 11, 22),
    );
    card.reference = Some("PAY-7781".into());
    first.collect = Some(card);
    let a = invoicer.create_invoice(&first).await.unwrap();
    assert_eq!(
        (a.reference.series.as_str(), a.reference.number.as_str()),
        ("FCT", "0001")
    );
    // The same idempotency key returns the first document and issues nothing.
    let again = invoicer.create_invoice(&first).await.unwrap();
    assert_eq!(again.reference, a.reference);
    assert_eq!(again.link, a.link);
    assert_eq!(sim.documents_for(DocType::Invoice, "FCT").len(), 1);

    let stored = sim.document(DocType::Invoice, "FCT", "0001").unwrap();
    assert_eq!(stored.total, dec!(162.80));
    assert!(stored.collected());
    assert_eq!(stored.client_state, "Bucuresti");

    let b = invoicer
        .create_invoice(&request("order-1002:invoice"))
        .await
        .unwrap();
    assert_eq!(b.reference.number, "0002");

    // The PDF through the document link.
    let pdf = invoicer.pdf(&a.reference).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    // Cancel and restore.
    invoicer.cancel(&b.reference).await.unwrap();
    assert!(
        sim.document(DocType::Invoice, "FCT", "0002")
            .unwrap()
            .canceled
    );
    invoicer.restore(&b.reference).await.unwrap();
    assert!(
        !sim.document(DocType::Invoice, "FCT", "0002")
            .unwrap()
            .canceled
    );

    // Storno, deduplicated by its key, refused a second time with another key.
    let storno = invoicer
        .reverse(&a.reference, d(2026, 11, 23), "order-1001:storno")
        .await
        .unwrap();
    assert_eq!(storno.reference.number, "0003");
    let same = invoicer
        .reverse(&a.reference, d(2026, 11, 23), "order-1001:storno")
        .await
        .unwrap();
    assert_eq!(same.reference.number, "0003");
    let second = invoicer
        .reverse(&a.reference, d(2026, 11, 23), "order-1001:storno-2")
        .await
        .unwrap_err();
    assert!(second.message().contains("deja stornata"), "{second}");
    assert_eq!(
        sim.document(DocType::Invoice, "FCT", "0003").unwrap().total,
        dec!(-162.80)
    );

    // Only the last of a series can be deleted; its number is reused.
    let not_last = invoicer.delete(&a.reference).await.unwrap_err();
    assert_eq!(not_last.kind(), ErrorKind::Conflict, "{not_last}");
    invoicer.delete(&storno.reference).await.unwrap();
    let series = invoicer.series().await.unwrap();
    let fct = series.iter().find(|s| s.name == "FCT").unwrap();
    assert_eq!(fct.next_number.as_deref(), Some("0003"));

    // A payment recorded later.
    let mut transfer = Payment::new(
        PaymentMethod::BankTransfer,
        Money::new(dec!(100), Currency::RON),
        d(2026, 11, 24),
    );
    transfer.reference = Some("OP-118".into());
    invoicer
        .record_payment(&b.reference, &transfer)
        .await
        .unwrap();
    let raw = client(&sb);
    let doc = raw
        .get_document(DocumentType::Invoice, "FCT", "0002")
        .await
        .unwrap();
    assert_eq!(doc.collects.len(), 1);
    assert_eq!(doc.collects[0].value, Some(dec!(100)));

    // Missing documents are NotFound; VAT rates come from the account.
    let missing = invoicer
        .cancel(&DocumentRef::new(DocumentKind::Invoice, "FCT", "0099"))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound, "{missing}");
    let rates = invoicer.vat_rates().await.unwrap();
    assert!(
        rates
            .iter()
            .any(|r| r.name == "Normala" && r.percent == dec!(21))
    );
    sb.stop().await;
}

#[tokio::test]
async fn proformas_lists_and_nomenclatures() {
    let sb = sandbox().await;
    let c = client(&sb);
    let invoicer: Arc<dyn Invoicer> = Arc::new(c.clone());
    let mut req = request("order-2001:proforma");
    req.series = "PR".into();
    let proforma = invoicer.create_proforma(&req).await.unwrap();
    assert_eq!(proforma.reference.number, "0001");

    // Invoice the proforma: Oblio copies it.
    let body = CreateDocument::new("FCT").with_reference_document(ReferenceDocument::new(
        ReferenceDocumentType::Proforma,
        "PR",
        1,
    ));
    let invoice = c.create_invoice(&body).await.unwrap();
    assert_eq!(invoice.number, "0001");
    let copied = sb
        .sims()
        .oblio
        .document(DocType::Invoice, "FCT", "0001")
        .unwrap();
    assert_eq!(copied.total, dec!(162.80));
    assert!(c.create_invoice(&body).await.is_err(), "invoiced once only");

    let rows = c
        .list_documents(DocumentType::Invoice, &ListDocuments::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].total, Some(dec!(162.80)));
    assert_eq!(rows[0].client.name, "BUCUR OBOR SA");

    let clients = c.clients(&ClientFilter::default()).await.unwrap();
    assert!(clients.iter().any(|cl| cl.name == "BUCUR OBOR SA"));
    let companies = c.companies().await.unwrap();
    assert_eq!(companies[0].cif, "RO37311090");
    assert!(!c.languages().await.unwrap().is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn credentials_tokens_and_invalid_documents_are_refused_like_oblio() {
    let sb = sandbox().await;
    let wrong = OblioClient::builder(DEFAULT_EMAIL, SecretString::from("nope"), DEFAULT_CIF)
        .base_url(sb.base_url(Provider::Oblio))
        .build()
        .unwrap();
    let err = wrong.vat_rates().await.unwrap_err();
    assert!(
        matches!(
            err,
            OblioError::Auth {
                http_status: 401,
                ..
            }
        ),
        "{err}"
    );

    let c = client(&sb);
    c.vat_rates().await.unwrap();
    assert_eq!(sb.sims().oblio.tokens_issued(), 1);
    // Tokens expire: the client logs in again once and goes on.
    sb.sims().oblio.expire_tokens();
    c.vat_rates().await.unwrap();
    assert_eq!(sb.sims().oblio.tokens_issued(), 2);

    let other = OblioClient::builder(DEFAULT_EMAIL, SecretString::from(DEFAULT_SECRET), "RO999")
        .base_url(sb.base_url(Provider::Oblio))
        .build()
        .unwrap();
    let err: flux_core::ProviderError = other.vat_rates().await.unwrap_err().into();
    assert_eq!(err.kind(), ErrorKind::Auth);

    let mut bad = DocumentClient::new("Ana Pop");
    bad.state = Some("Cluj-Napoca".into());
    let body = CreateDocument::new("FCT").with_client(bad).with_line(
        ProductLine::new("Tricou", dec!(1), dec!(10), true).with_vat("Normala", dec!(21)),
    );
    let err = c.create_invoice(&body).await.unwrap_err();
    assert!(
        matches!(
            err,
            OblioError::Rejected {
                http_status: 400,
                ..
            }
        ),
        "{err}"
    );

    let body = CreateDocument::new("FCTX")
        .with_client(DocumentClient::new("Ana Pop"))
        .with_line(ProductLine::new("Tricou", dec!(1), dec!(10), true));
    let err = c.create_invoice(&body).await.unwrap_err();
    assert!(err.to_string().contains("Seria FCTX nu exista"), "{err}");
    assert!(sb.sims().oblio.documents().is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn the_31st_creation_in_100_seconds_is_refused_with_429() {
    let sb = sandbox().await;
    // A client whose own limiter is far looser than Oblio's.
    let loose = OblioRateLimits {
        documents: Arc::new(RateLimiter::new(1000, Duration::from_secs(1))),
        other: Arc::new(RateLimiter::new(1000, Duration::from_secs(1))),
    };
    let c = OblioClient::builder(
        DEFAULT_EMAIL,
        SecretString::from(DEFAULT_SECRET),
        DEFAULT_CIF,
    )
    .base_url(sb.base_url(Provider::Oblio))
    .rate_limits(loose)
    .retry_policy(RetryPolicy::none())
    .build()
    .unwrap();
    for i in 0..30 {
        let body = CreateDocument::new("FCT")
            .with_client(DocumentClient::new(format!("Client {i}")))
            .with_line(ProductLine::new("Tricou", dec!(1), dec!(10), true));
        c.create_invoice(&body).await.unwrap();
    }
    let body = CreateDocument::new("FCT")
        .with_client(DocumentClient::new("Client 31"))
        .with_line(ProductLine::new("Tricou", dec!(1), dec!(10), true));
    let err = c.create_invoice(&body).await.unwrap_err();
    assert!(matches!(err, OblioError::RateLimited { .. }), "{err}");
    let p: flux_core::ProviderError = err.into();
    assert!(p.retry_after().is_some_and(|w| w > Duration::from_secs(1)));
    assert_eq!(sb.shared().limits.violations("oblio"), 1);
    assert_eq!(sb.sims().oblio.documents().len(), 30);
    // Reads have their own budget.
    c.vat_rates().await.unwrap();

    // A client with the SDK's default limiters (Oblio's own windows, each call counted
    // until a window after its answer) causes no violation in a burst of 40 reads, however
    // the calls queue in the client.
    let margin = OblioRateLimits::default();
    sb.sims().oblio.add_account(
        "polite@example.ro",
        "polite-secret",
        &[("RO555", "POLITE SRL")],
    );
    let polite = OblioClient::builder(
        "polite@example.ro",
        SecretString::from("polite-secret"),
        "RO555",
    )
    .base_url(sb.base_url(Provider::Oblio))
    .rate_limits(margin)
    .build()
    .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let polite = polite.clone();
        tasks.push(tokio::spawn(async move { polite.series().await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        sb.shared().limits.violations("oblio"),
        1,
        "no new violation"
    );
    sb.stop().await;
}

#[tokio::test]
async fn a_lost_answer_is_recovered_by_the_idempotency_key() {
    let sb = sandbox().await;
    let c = OblioClient::builder(
        DEFAULT_EMAIL,
        SecretString::from(DEFAULT_SECRET),
        DEFAULT_CIF,
    )
    .base_url(sb.base_url(Provider::Oblio))
    .timeout(Duration::from_millis(500))
    .retry_policy(RetryPolicy::none())
    .build()
    .unwrap();
    let invoicer: Arc<dyn Invoicer> = Arc::new(c);
    invoicer.series().await.unwrap(); // log in before the faults start
    sb.shared().faults.set(
        "oblio",
        FaultPlan {
            drop_after_effect_per_mille: 1000,
            hang: Duration::from_secs(3),
            ..FaultPlan::default()
        },
    );
    let req = request("order-3001:invoice");
    let err = invoicer.create_invoice(&req).await.unwrap_err();
    assert!(err.maybe_sent(), "{err}");
    assert_eq!(
        sb.sims().oblio.documents().len(),
        1,
        "the invoice was issued"
    );
    sb.shared().faults.clear("oblio");
    // Retrying with the same key returns that invoice instead of a second one.
    let doc = invoicer.create_invoice(&req).await.unwrap();
    assert_eq!(doc.reference.number, "0001");
    assert_eq!(sb.sims().oblio.documents().len(), 1);
    sb.stop().await;
}
