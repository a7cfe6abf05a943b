//! SmartBill contract: the real `flux-smartbill` client, mostly through `Arc<dyn Invoicer>`,
//! against the sandbox's SmartBill simulator.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use flux_core::address::Address;
use flux_core::invoicer::{
    Discount, DocumentKind, DocumentRef, EmailRequest, InvoiceLine, InvoiceRequest, LineKind,
    Payment, PaymentMethod,
};
use flux_core::{Cif, CountryCode, Currency, ErrorKind, Invoicer, Money, Party, VatCategory};
use flux_http::secret::SecretString;
use flux_http::{RateLimiter, RetryPolicy};
use flux_sandbox::smartbill::{DEFAULT_CIF, DEFAULT_EMAIL, DEFAULT_TOKEN, DocKind};
use flux_sandbox::{FaultPlan, Provider, RunningSandbox, Sandbox, SimClock};
use flux_smartbill::types::{
    Document, DocumentClient, PaymentRequest, PaymentType, ProductLine, SendDocument, SeriesNumber,
    StockQuery,
};
use flux_smartbill::{SmartBillClient, SmartBillError};
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

fn client(sb: &RunningSandbox) -> SmartBillClient {
    SmartBillClient::builder(
        DEFAULT_EMAIL,
        SecretString::from(DEFAULT_TOKEN),
        DEFAULT_CIF,
    )
    .base_url(sb.base_url(Provider::SmartBill))
    .receipt_series("CH")
    .build()
    .unwrap()
}

fn person_in_cluj() -> Party {
    let address = Address::builder("Ana Pop", "Cluj-Napoca", CountryCode::RO)
        .street("Str. Memorandumului")
        .number("1")
        .region("Cluj")
        .build()
        .unwrap();
    Party::person("Ana Pop")
        .with_address(address)
        .with_email("ana.pop@example.ro")
}

fn company_in_bucharest() -> Party {
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

fn request(key: &str, client: Party) -> InvoiceRequest {
    let mut req = InvoiceRequest::new(key, "FCT", d(2026, 11, 22), client, Currency::RON)
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
async fn invoices_are_numbered_cancelled_reversed_and_deleted_through_the_trait() {
    let sb = sandbox().await;
    let invoicer: Arc<dyn Invoicer> = Arc::new(client(&sb));
    let sim = &sb.sims().smartbill;

    // Issue two invoices: numbered per series, with a view link that serves the PDF.
    let mut first = request("order-1001:invoice", company_in_bucharest());
    first.collect = Some(Payment::new(
        PaymentMethod::Card,
        Money::new(dec!(162.80), Currency::RON),
        d(2026, 11, 22),
    ));
    first.send_email = true;
    let a = invoicer.create_invoice(&first).await.unwrap();
    assert_eq!(
        (a.reference.series.as_str(), a.reference.number.as_str()),
        ("FCT", "0001")
    );
    let b = invoicer
        .create_invoice(&request("order-1002:invoice", person_in_cluj()))
        .await
        .unwrap();
    assert_eq!(b.reference.number, "0002");

    // Totals: 2 x 59.90 - 10 + (40 - 5%) + 15 = 162.80, VAT included.
    let stored = sim.document(DocKind::Invoice, "FCT", "0001").unwrap();
    assert_eq!(stored.total, dec!(162.80));
    assert_eq!(stored.paid, dec!(162.80));
    assert_eq!(stored.client_county.as_deref(), Some("Bucuresti"));
    assert_eq!(
        stored.emailed_to,
        vec!["contabilitate@example.ro".to_owned()]
    );

    let pdf = invoicer.pdf(&a.reference).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let link = a.link.clone().expect("a /v2 create returns the view link");
    let viewed = reqwest_get(&link).await;
    assert!(viewed.starts_with(b"%PDF"), "the view link serves the PDF");

    // Cancel, cancel again (refused), restore.
    invoicer.cancel(&b.reference).await.unwrap();
    assert!(
        sim.document(DocKind::Invoice, "FCT", "0002")
            .unwrap()
            .cancelled
    );
    let again = invoicer.cancel(&b.reference).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict, "{again}");
    invoicer.restore(&b.reference).await.unwrap();
    assert!(
        !sim.document(DocKind::Invoice, "FCT", "0002")
            .unwrap()
            .cancelled
    );

    // Storno once: it takes the next number in the same series; a second is refused.
    let storno = invoicer
        .reverse(&a.reference, d(2026, 11, 23), "order-1001:storno")
        .await
        .unwrap();
    assert_eq!(storno.reference.number, "0003");
    let storno_doc = sim.document(DocKind::Invoice, "FCT", "0003").unwrap();
    assert_eq!(storno_doc.total, dec!(-162.80));
    assert_eq!(storno_doc.reverses, Some(("FCT".into(), "0001".into())));
    let twice = invoicer
        .reverse(&a.reference, d(2026, 11, 23), "order-1001:storno")
        .await
        .unwrap_err();
    assert_eq!(twice.kind(), ErrorKind::Conflict, "{twice}");
    // A reversed invoice cannot be cancelled while its storno stands.
    assert!(invoicer.cancel(&a.reference).await.is_err());

    // Delete: only the last of the series.
    let not_last = invoicer.delete(&a.reference).await.unwrap_err();
    assert_eq!(not_last.provider_code(), Some("not_last_in_series"));
    invoicer.delete(&storno.reference).await.unwrap();
    assert!(sim.document(DocKind::Invoice, "FCT", "0003").is_none());
    let series = invoicer.series().await.unwrap();
    let fct = series.iter().find(|s| s.name == "FCT").unwrap();
    assert_eq!(
        fct.next_number.as_deref(),
        Some("0003"),
        "the number is reused"
    );
    // With the storno gone, the original can be reversed again.
    let storno2 = invoicer
        .reverse(&a.reference, d(2026, 11, 23), "order-1001:storno")
        .await
        .unwrap();
    assert_eq!(storno2.reference.number, "0003");

    // Payments, email, VAT rates.
    invoicer
        .record_payment(
            &b.reference,
            &Payment::new(
                PaymentMethod::Cash,
                Money::new(dec!(50), Currency::RON),
                d(2026, 11, 24),
            ),
        )
        .await
        .unwrap();
    let raw = client(&sb);
    let status = raw.invoice_payment_status("FCT", "0002").await.unwrap();
    assert_eq!(status.paid_amount, dec!(50));
    assert_eq!(status.unpaid_amount, dec!(112.80));
    assert!(!status.is_paid());
    let receipt = &sim.payments()[1];
    assert_eq!(receipt.receipt, Some(("CH".into(), "0001".into())));

    invoicer
        .send_email(&b.reference, &EmailRequest::to("ana.pop@example.ro"))
        .await
        .unwrap();
    assert_eq!(sim.emails().last().unwrap().to, "ana.pop@example.ro");
    let bad_email = invoicer
        .send_email(&b.reference, &EmailRequest::to("not-an-address"))
        .await
        .unwrap_err();
    assert_eq!(bad_email.provider_code(), Some("email_status_1"));

    let rates = invoicer.vat_rates().await.unwrap();
    assert!(
        rates
            .iter()
            .any(|r| r.name == "Normala" && r.percent == dec!(21))
    );
    sb.stop().await;
}

async fn reqwest_get(url: &str) -> Vec<u8> {
    let http = flux_http::HttpClient::builder("test").build().unwrap();
    http.request_url(flux_http::Method::GET, flux_http::Url::parse(url).unwrap())
        .send_raw()
        .await
        .unwrap()
        .into_bytes()
        .to_vec()
}

#[tokio::test]
async fn proformas_become_invoices_and_stock_leaves_the_warehouse() {
    let sb = sandbox().await;
    let c = client(&sb);
    let invoicer: Arc<dyn Invoicer> = Arc::new(c.clone());
    let mut req = request("order-2001:proforma", person_in_cluj());
    req.series = "PRF".into();
    let proforma = invoicer.create_proforma(&req).await.unwrap();
    assert_eq!(
        (
            proforma.reference.kind,
            proforma.reference.series.as_str(),
            proforma.reference.number.as_str()
        ),
        (DocumentKind::Proforma, "PRF", "0001")
    );
    let before = c.estimate_invoices("PRF", "0001").await.unwrap();
    assert!(!before.are_invoices_created);

    let mut from_estimate = Document::new("FCT", DocumentClient::new("Ana Pop"), Currency::RON);
    from_estimate.use_estimate_details = true;
    from_estimate.estimate = Some(SeriesNumber::new("PRF", "0001"));
    let invoice = c.create_invoice(&from_estimate).await.unwrap();
    assert_eq!(invoice.number, "0001");
    let after = c.estimate_invoices("PRF", "0001").await.unwrap();
    assert!(after.are_invoices_created);
    assert_eq!(after.invoices[0].number, "0001");
    let twice = c.create_invoice(&from_estimate).await.unwrap_err();
    assert!(
        matches!(twice, SmartBillError::Api { status: 200, .. }),
        "{twice}"
    );

    // Stock: an invoice that uses stock takes goods out; too many is refused.
    let mut line = ProductLine::new("Tricou alb", dec!(3), dec!(50), Currency::RON, true)
        .with_tax("Normala", dec!(21));
    line.code = Some("TRC-01".into());
    line.warehouse_name = Some("Depozit central".into());
    let mut stocked =
        Document::new("FCT", DocumentClient::new("Ana Pop"), Currency::RON).with_line(line.clone());
    stocked.use_stock = true;
    c.create_invoice(&stocked).await.unwrap();
    let stock = c.stocks(&StockQuery::at(d(2026, 11, 22))).await.unwrap();
    let tricou = stock[0]
        .products
        .iter()
        .find(|p| p.product_code.as_deref() == Some("TRC-01"))
        .unwrap();
    assert_eq!(tricou.quantity, dec!(97));
    line.quantity = dec!(1000);
    let mut too_many =
        Document::new("FCT", DocumentClient::new("Ana Pop"), Currency::RON).with_line(line);
    too_many.use_stock = true;
    let err = c.create_invoice(&too_many).await.unwrap_err();
    assert!(err.to_string().contains("Stoc insuficient"), "{err}");

    // A payment against an invoice, then deleting its receipt (the last of its series).
    let mut pay = PaymentRequest::for_invoice(
        SeriesNumber::new("FCT", "0001"),
        dec!(20),
        PaymentType::Chitanta,
    );
    pay.series_name = Some("CH".into());
    let receipt = c.create_payment(&pay).await.unwrap();
    assert_eq!(
        (receipt.series.as_str(), receipt.number.as_str()),
        ("CH", "0001")
    );
    c.delete_receipt("CH", "0001").await.unwrap();
    let status = c.invoice_payment_status("FCT", "0001").await.unwrap();
    assert_eq!(status.paid_amount, dec!(0));

    let mut email = SendDocument::new(
        flux_smartbill::types::EmailDocumentType::Proforma,
        "PRF",
        "0001",
        "ana.pop@example.ro",
    );
    email.subject = Some("Proforma ta".into());
    c.send_document(&email).await.unwrap();
    assert_eq!(
        sb.sims().smartbill.emails()[0].subject.as_deref(),
        Some("Proforma ta")
    );
    sb.stop().await;
}

#[tokio::test]
async fn bad_credentials_cif_county_and_series_are_refused_like_smartbill() {
    let sb = sandbox().await;
    let wrong = SmartBillClient::builder(DEFAULT_EMAIL, SecretString::from("wrong"), DEFAULT_CIF)
        .base_url(sb.base_url(Provider::SmartBill))
        .build()
        .unwrap();
    let err = wrong.taxes().await.unwrap_err();
    assert!(matches!(err, SmartBillError::Unauthorized { .. }), "{err}");

    let other_cif =
        SmartBillClient::builder(DEFAULT_EMAIL, SecretString::from(DEFAULT_TOKEN), "RO123")
            .base_url(sb.base_url(Provider::SmartBill))
            .build()
            .unwrap();
    let err: flux_core::ProviderError = other_cif.taxes().await.unwrap_err().into();
    assert_eq!(err.kind(), ErrorKind::Auth);

    let c = client(&sb);
    let mut buyer = DocumentClient::new("Ana Pop");
    buyer.county = Some("Cluj-Napoca".into());
    let doc = Document::new("FCT", buyer, Currency::RON).with_line(
        ProductLine::new("Tricou", dec!(1), dec!(10), Currency::RON, true)
            .with_tax("Normala", dec!(21)),
    );
    match c.create_invoice(&doc).await.unwrap_err() {
        SmartBillError::Api {
            status, message, ..
        } => {
            assert_eq!(status, 200, "SmartBill refuses this with HTTP 200");
            assert!(
                message.starts_with("Judetul clientului nu este valid"),
                "{message}"
            );
        }
        other => panic!("{other}"),
    }

    let doc = Document::new("NOPE", DocumentClient::new("Ana Pop"), Currency::RON).with_line(
        ProductLine::new("Tricou", dec!(1), dec!(10), Currency::RON, true)
            .with_tax("Normala", dec!(21)),
    );
    let err: flux_core::ProviderError = c.create_invoice(&doc).await.unwrap_err().into();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");

    let doc = Document::new("FCT", DocumentClient::new("Ana Pop"), Currency::RON).with_line(
        ProductLine::new("Tricou", dec!(1), dec!(10), Currency::RON, true)
            .with_tax("Inventata", dec!(21)),
    );
    assert!(c.create_invoice(&doc).await.is_err());
    assert!(
        sb.sims().smartbill.invoices().is_empty(),
        "nothing was issued"
    );
    assert_eq!(
        sb.sims()
            .smartbill
            .next_number(DEFAULT_CIF, "FCT")
            .as_deref(),
        Some("0001")
    );

    let missing = c.invoice_pdf("FCT", "0099").await.unwrap_err();
    let missing: flux_core::ProviderError = missing.into();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    sb.stop().await;
}

#[tokio::test]
async fn the_31st_call_in_ten_seconds_blocks_the_account_for_ten_minutes() {
    let sb = sandbox().await;
    sb.sims()
        .smartbill
        .add_account("greedy@example.ro", "tok-greedy", &["RO555"]);
    // A client that ignores SmartBill's limit (its own limiter allows far more).
    let greedy = SmartBillClient::builder(
        "greedy@example.ro",
        SecretString::from("tok-greedy"),
        "RO555",
    )
    .base_url(sb.base_url(Provider::SmartBill))
    .rate_limiter(Arc::new(RateLimiter::new(1000, Duration::from_secs(1))))
    .build()
    .unwrap();
    for _ in 0..30 {
        greedy.taxes().await.unwrap();
    }
    let err = greedy.taxes().await.unwrap_err();
    let until = err.blocked_until().expect("the 31st call is blocked");
    assert!(until > chrono::Utc::now() + chrono::Duration::minutes(9));
    assert!(sb.shared().limits.violations("smartbill") >= 1);
    // Another client of the same account is blocked by SmartBill too (HTTP 403).
    let second = SmartBillClient::builder(
        "greedy@example.ro",
        SecretString::from("tok-greedy"),
        "RO555",
    )
    .base_url(sb.base_url(Provider::SmartBill))
    .build()
    .unwrap();
    assert!(matches!(
        second.taxes().await.unwrap_err(),
        SmartBillError::RateLimitBlocked { .. }
    ));
    // Other accounts are not affected.
    client(&sb).taxes().await.unwrap();
    sb.stop().await;
}

#[tokio::test]
async fn a_hundred_concurrent_callers_through_the_sdk_cause_no_violation() {
    let sb = sandbox().await;
    let c = client(&sb); // clones share the default limiter (30 per 10 s from each answer)
    let mut tasks = Vec::new();
    for i in 0..100 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let doc = Document::new(
                "FCT",
                DocumentClient::new(format!("Client {i}")),
                Currency::RON,
            )
            .with_line(
                ProductLine::new("Tricou", dec!(1), dec!(10), Currency::RON, true)
                    .with_tax("Normala", dec!(21)),
            );
            c.create_invoice(&doc).await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().unwrap().number);
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 100, "every invoice got its own number");
    assert_eq!(numbers.last().map(String::as_str), Some("0100"));
    assert_eq!(sb.shared().limits.violations("smartbill"), 0);
    sb.stop().await;
}

#[tokio::test]
async fn a_lost_answer_after_the_invoice_was_issued_is_maybe_sent() {
    let sb = sandbox().await;
    let c = SmartBillClient::builder(
        DEFAULT_EMAIL,
        SecretString::from(DEFAULT_TOKEN),
        DEFAULT_CIF,
    )
    .base_url(sb.base_url(Provider::SmartBill))
    .timeout(Duration::from_millis(500))
    .retry_policy(RetryPolicy::default().with_max_attempts(1))
    .build()
    .unwrap();
    sb.shared().faults.set(
        "smartbill",
        FaultPlan {
            drop_after_effect_per_mille: 1000,
            hang: Duration::from_secs(3),
            ..FaultPlan::default()
        },
    );
    let invoicer: Arc<dyn Invoicer> = Arc::new(c.clone());
    let err = invoicer
        .create_invoice(&request("order-3001:invoice", person_in_cluj()))
        .await
        .unwrap_err();
    assert!(err.maybe_sent(), "{err}");
    // The invoice exists: a blind retry would issue a second one.
    assert_eq!(sb.sims().smartbill.invoices().len(), 1);
    sb.shared().faults.clear("smartbill");
    let series = invoicer.series().await.unwrap();
    let fct = series.iter().find(|s| s.name == "FCT").unwrap();
    assert_eq!(fct.next_number.as_deref(), Some("0002"));

    // Server errors before the effect: nothing issued.
    sb.shared().faults.set(
        "smartbill",
        FaultPlan {
            error_per_mille: 1000,
            ..FaultPlan::default()
        },
    );
    assert!(
        invoicer
            .create_invoice(&request("order-3002:invoice", person_in_cluj()))
            .await
            .is_err()
    );
    assert_eq!(sb.sims().smartbill.invoices().len(), 1);
    sb.stop().await;
}

#[tokio::test]
async fn the_sdk_sees_the_document_it_references() {
    let sb = sandbox().await;
    let invoicer: Arc<dyn Invoicer> = Arc::new(client(&sb));
    let missing = DocumentRef::new(DocumentKind::Invoice, "FCT", "0042");
    let err = invoicer.cancel(&missing).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    sb.stop().await;
}
