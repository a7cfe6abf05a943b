//! QuickBooks Online contract: the real `flux-quickbooks` client (OAuth, the API client and
//! `Arc<dyn Accounting>`) against the sandbox's QuickBooks simulator.

use std::sync::Arc;
use std::time::Duration;

use flux_core::accounting::{
    AccountingDocumentKind, AccountingDocumentRef, CustomerInput, SalesDocumentRequest, SalesLine,
    TaxTreatment,
};
use flux_core::{Accounting, ErrorKind, ProviderError};
use flux_http::secret::{ExposeSecret, SecretString};
use flux_http::{HttpClient, Method, RateLimiter, RetryPolicy, Url};
use flux_quickbooks::oauth::SCOPE_ACCOUNTING;
use flux_quickbooks::types::{Customer, Estimate, Line, Ref, TaxCode};
use flux_quickbooks::{
    MemoryTokenStore, QuickBooksClient, QuickBooksError, QuickBooksOAuth, TaxRegime, TokenManager,
    TokenSet, WriteOptions,
};
use flux_sandbox::quickbooks::{CA_REALM, CLIENT_ID, CLIENT_SECRET, Kind, US_REALM};
use flux_sandbox::{FaultPlan, Provider, RunningSandbox, Sandbox, SimClock};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

const REDIRECT: &str = "https://app.example.com/quickbooks/callback";

async fn sandbox_with(plan: Option<FaultPlan>) -> RunningSandbox {
    let mut b = Sandbox::builder().clock(SimClock::manual("2026-11-22T16:00:00Z".parse().unwrap()));
    if let Some(plan) = plan {
        b = b.faults(Provider::QuickBooks, plan);
    }
    b.start().await.unwrap()
}

async fn sandbox() -> RunningSandbox {
    sandbox_with(None).await
}

fn oauth_with(sb: &RunningSandbox, secret: &str) -> QuickBooksOAuth {
    let base = sb.base_url(Provider::QuickBooks);
    QuickBooksOAuth::builder(CLIENT_ID, SecretString::from(secret), REDIRECT)
        .authorization_url(format!("{base}connect/oauth2"))
        .token_url(format!("{base}oauth2/v1/tokens/bearer"))
        .revocation_url(format!("{base}v2/oauth2/tokens/revoke"))
        .build()
        .unwrap()
}

fn oauth(sb: &RunningSandbox) -> QuickBooksOAuth {
    oauth_with(sb, CLIENT_SECRET)
}

/// Connects `realm` through the code exchange.
async fn connect(sb: &RunningSandbox, realm: &str) -> (Arc<TokenManager>, Arc<MemoryTokenStore>) {
    let oauth = oauth(sb);
    let code = sb
        .sims()
        .quickbooks
        .authorize(CLIENT_ID, REDIRECT, realm)
        .unwrap();
    let callback = oauth
        .parse_callback(&format!("code={code}&state=s&realmId={realm}"), "s")
        .unwrap();
    let tokens = oauth.exchange_code(&callback).await.unwrap();
    let store = Arc::new(MemoryTokenStore::new());
    (
        Arc::new(TokenManager::new(oauth, tokens, store.clone())),
        store,
    )
}

fn client_for(
    sb: &RunningSandbox,
    manager: Arc<TokenManager>,
) -> flux_quickbooks::QuickBooksClientBuilder {
    QuickBooksClient::builder(manager)
        .base_url(sb.base_url(Provider::QuickBooks))
        .retry_policy(RetryPolicy::none())
}

async fn us_client(sb: &RunningSandbox) -> QuickBooksClient {
    let (manager, _) = connect(sb, US_REALM).await;
    client_for(sb, manager).build().unwrap()
}

fn fault_code(err: &QuickBooksError) -> Option<String> {
    err.fault().and_then(|f| f.code()).map(str::to_owned)
}

#[tokio::test]
async fn oauth_code_exchange_refresh_rotation_and_revoke() {
    let sb = sandbox().await;
    let sim = &sb.sims().quickbooks;
    let oauth = oauth(&sb);

    // The consent page redirects with code, state and realmId.
    let request = oauth.authorization_url(&[SCOPE_ACCOUNTING]);
    let http = HttpClient::builder("consent")
        .follow_redirects(false)
        .build()
        .unwrap();
    let answer = http
        .request_url(Method::GET, Url::parse(request.url.as_str()).unwrap())
        .send_raw()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 302);
    let location = answer
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let query = location.split_once('?').unwrap().1;
    let callback = oauth.parse_callback(query, &request.state).unwrap();
    assert_eq!(callback.realm_id, US_REALM);

    let tokens = oauth.exchange_code(&callback).await.unwrap();
    assert_eq!(tokens.realm_id, US_REALM);
    assert!(tokens.refresh_token_expires_at.is_some());
    assert!(
        tokens.refresh_token_hard_expires_at.is_some(),
        "the SDK asks for the hard expiry"
    );
    // A code works once.
    let again = oauth.exchange_code(&callback).await.unwrap_err();
    assert!(
        matches!(again, QuickBooksError::ReconnectNeeded { .. }),
        "{again:?}"
    );
    assert!(again.intuit_tid().is_some());

    // Refresh rotates; the old refresh token is dead.
    let fresh = oauth
        .refresh(US_REALM, &tokens.refresh_token, None)
        .await
        .unwrap();
    assert_ne!(
        fresh.refresh_token.expose_secret(),
        tokens.refresh_token.expose_secret()
    );
    assert_ne!(
        fresh.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    assert!(!sim.refresh_token_valid(tokens.refresh_token.expose_secret()));
    let old = oauth
        .refresh(US_REALM, &tokens.refresh_token, None)
        .await
        .unwrap_err();
    assert!(
        matches!(old, QuickBooksError::ReconnectNeeded { .. }),
        "{old:?}"
    );

    // Wrong client secret.
    let wrong = oauth_with(&sb, "nope")
        .refresh(US_REALM, &fresh.refresh_token, None)
        .await
        .unwrap_err();
    match &wrong {
        QuickBooksError::OAuth { error, status, .. } => {
            assert_eq!(error, "invalid_client");
            assert_eq!(*status, Some(401));
        }
        other => panic!("{other:?}"),
    }

    // An expired access token: the manager refreshes once, stores the rotated pair, and
    // the API call succeeds.
    let stale = TokenSet::new(
        US_REALM,
        SecretString::from("expired-access-token"),
        chrono::Utc::now() - chrono::Duration::minutes(5),
        fresh.refresh_token.clone(),
    );
    let store = Arc::new(MemoryTokenStore::new());
    let manager = Arc::new(TokenManager::new(oauth.clone(), stale, store.clone()));
    let client = client_for(&sb, manager.clone()).build().unwrap();
    let info = client.company_info().await.unwrap();
    assert_eq!(info.country.as_deref(), Some("US"));
    let saved = store.latest().expect("rotated tokens saved");
    assert_ne!(
        saved.refresh_token.expose_secret(),
        fresh.refresh_token.expose_secret()
    );
    assert!(sim.refresh_token_valid(saved.refresh_token.expose_secret()));

    // A token of the US company cannot read the Canadian one.
    let ca_manager = Arc::new(TokenManager::new(
        oauth.clone(),
        TokenSet::new(
            CA_REALM,
            saved.access_token.clone(),
            saved.access_token_expires_at,
            saved.refresh_token.clone(),
        ),
        Arc::new(MemoryTokenStore::new()),
    ));
    let forbidden = client_for(&sb, ca_manager)
        .build()
        .unwrap()
        .company_info()
        .await
        .unwrap_err();
    assert!(
        matches!(forbidden, QuickBooksError::Forbidden(_)),
        "{forbidden:?}"
    );

    // Revoke: the connection is gone.
    manager.revoke().await.unwrap();
    assert!(!sim.refresh_token_valid(saved.refresh_token.expose_secret()));
    let gone = client.company_info().await.unwrap_err();
    assert!(gone.is_reconnect_needed(), "{gone:?}");
    sb.stop().await;
}

#[tokio::test]
async fn full_sync_pages_through_customers_and_items_and_then_only_changes() {
    let sb = sandbox().await;
    let sim = &sb.sims().quickbooks;
    for i in 0..23 {
        sim.add(US_REALM, Kind::Customer, json!({"DisplayName": format!("Customer {i:02}"), "PrimaryEmailAddr": {"Address": format!("c{i}@example.com")}})).unwrap();
    }
    for i in 0..8 {
        sim.add(US_REALM, Kind::Item, json!({"Name": format!("Part {i}"), "Sku": format!("P-{i}"), "Type": "NonInventory", "UnitPrice": "9.99", "IncomeAccountRef": {"value": "79"}})).unwrap();
    }
    let (manager, _) = connect(&sb, US_REALM).await;
    let client = client_for(&sb, manager).page_size(5).build().unwrap();
    let accounting: Arc<dyn Accounting> = Arc::new(client.clone());

    let customers = accounting.customers_changed_since(None).await.unwrap();
    assert_eq!(customers.len(), sim.customers(US_REALM).len());
    assert_eq!(customers.len(), 28);
    let cool = customers
        .iter()
        .find(|c| c.display_name == "Cool Cars (deleted)")
        .unwrap();
    assert!(!cool.active, "inactive customers are synced too");
    let mut ids: Vec<u64> = customers.iter().map(|c| c.id.parse().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 28, "no duplicates across pages");

    let items = accounting.items_changed_since(None).await.unwrap();
    assert_eq!(items.len(), 14);
    let fountain = items.iter().find(|i| i.name == "Rock Fountain").unwrap();
    assert_eq!(fountain.sku.as_deref(), Some("RF-100"));
    assert_eq!(fountain.unit_price, Some(dec!(275.10)));
    assert!(items.iter().any(|i| !i.active));

    // One page by hand: 1-based positions.
    let page = client
        .query_page::<Customer>("SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY Id STARTPOSITION 6 MAXRESULTS 5")
        .await
        .unwrap();
    assert_eq!(page.start_position, Some(6));
    assert_eq!(
        page.items.first().and_then(|c| c.id.clone()).as_deref(),
        Some("6")
    );
    let bad = client
        .query_page::<Customer>("SELECT * FROM Customer WHERE Foo = 'x'")
        .await
        .unwrap_err();
    assert_eq!(fault_code(&bad).as_deref(), Some("4001"));

    // Incremental: only what changed after `since`.
    let since = sb.shared().clock.now();
    sb.shared().clock.advance(Duration::from_secs(120));
    let amy = client.customer("1").await.unwrap();
    let mut patch = Customer::default();
    patch.id = amy.id.clone();
    patch.sync_token = amy.sync_token.clone();
    patch.notes = Some("Prefers email".to_owned());
    client
        .sparse_update(&patch, &WriteOptions::default())
        .await
        .unwrap();
    let changed = accounting
        .customers_changed_since(Some(since))
        .await
        .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].id, "1");
    assert!(
        accounting
            .items_changed_since(Some(since))
            .await
            .unwrap()
            .is_empty()
    );
    sb.stop().await;
}

#[tokio::test]
async fn upsert_finds_customers_by_display_name_and_duplicates_are_refused() {
    let sb = sandbox().await;
    let sim = &sb.sims().quickbooks;
    let client = us_client(&sb).await;
    let accounting: Arc<dyn Accounting> = Arc::new(client.clone());
    let before = sim.customers(US_REALM).len();

    let mut input = CustomerInput::new("Amy's Bird Sanctuary");
    input.email = Some("accounts@birds.example".to_owned());
    let amy = accounting.upsert_customer(&input).await.unwrap();
    assert_eq!(amy.id, "1");
    assert_eq!(amy.email.as_deref(), Some("accounts@birds.example"));
    assert_eq!(amy.version.as_deref(), Some("1"));
    assert_eq!(sim.customers(US_REALM).len(), before);

    let mut new = CustomerInput::new("Northwind Traders Ltd");
    new.company_name = Some("Northwind Traders Ltd".to_owned());
    let created = accounting.upsert_customer(&new).await.unwrap();
    assert_eq!(sim.customers(US_REALM).len(), before + 1);
    let again = accounting.upsert_customer(&new).await.unwrap();
    assert_eq!(again.id, created.id);
    assert_eq!(sim.customers(US_REALM).len(), before + 1);

    // A create with a taken name: 6240 naming the holder.
    let mut dup = Customer::default();
    dup.display_name = Some("bill's windsurf shop".to_owned());
    let err = client
        .create(&dup, &WriteOptions::default())
        .await
        .unwrap_err();
    match &err {
        QuickBooksError::DuplicateName { existing_id, fault } => {
            assert_eq!(existing_id.as_deref(), Some("2"));
            assert!(fault.intuit_tid.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ProviderError::from(err).kind(), ErrorKind::Conflict);
    sb.stop().await;
}

fn us_request(key: &str) -> SalesDocumentRequest {
    let mut req = SalesDocumentRequest::new(
        key,
        "1",
        vec![
            SalesLine::new("4", dec!(2), dec!(275.10)).with_tax(TaxTreatment::Taxable),
            SalesLine::new("2", dec!(3), dec!(75)).with_tax(TaxTreatment::NonTaxable),
        ],
    );
    req.bill_email = Some("ap@birds.example".to_owned());
    req
}

#[tokio::test]
async fn estimate_then_invoice_linked_to_it_through_the_trait() {
    let sb = sandbox().await;
    let sim = &sb.sims().quickbooks;
    let client = us_client(&sb).await;
    let accounting: Arc<dyn Accounting> = Arc::new(client.clone());

    let estimate = accounting
        .create_estimate(&us_request("order-1:estimate"))
        .await
        .unwrap();
    assert_eq!(estimate.doc_number.as_deref(), Some("1001"));
    // 550.20 taxable at California's 7.25 % (39.89) + 225 not taxable.
    let total = estimate.total.as_ref().unwrap();
    assert_eq!(total.amount(), dec!(815.09));
    let stored = sim
        .record(US_REALM, Kind::Estimate, &estimate.reference.id)
        .unwrap();
    assert_eq!(stored["TxnStatus"], "Pending");

    let invoice = accounting
        .create_invoice(&us_request("order-1:invoice"), Some(&estimate.reference))
        .await
        .unwrap();
    assert_eq!(invoice.total.as_ref().unwrap().amount(), dec!(815.09));
    let inv = sim
        .record(US_REALM, Kind::Invoice, &invoice.reference.id)
        .unwrap();
    assert_eq!(
        inv["LinkedTxn"],
        json!([{"TxnId": estimate.reference.id, "TxnType": "Estimate"}])
    );
    let est = sim
        .record(US_REALM, Kind::Estimate, &estimate.reference.id)
        .unwrap();
    assert_eq!(est["TxnStatus"], "Closed");
    assert_eq!(est["LinkedTxn"][0]["TxnId"], json!(invoice.reference.id));
    let amy = sim.record(US_REALM, Kind::Customer, "1").unwrap();
    assert_eq!(
        amy["Balance"].to_string().parse::<Decimal>().unwrap(),
        dec!(1089.09),
        "274 opening + the invoice"
    );

    // A second invoice cannot link the same estimate.
    let second = accounting
        .create_invoice(&us_request("order-2:invoice"), Some(&estimate.reference))
        .await
        .unwrap_err();
    assert_eq!(second.kind(), ErrorKind::Validation);

    let pdf = accounting.pdf(&invoice.reference).await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
    accounting
        .send_email(&invoice.reference, None)
        .await
        .unwrap();
    let emails = sim.emails(US_REALM);
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].to, "ap@birds.example");
    let sent = client.invoice(&invoice.reference.id).await.unwrap();
    assert_eq!(sent.sync_token.as_deref(), Some("1"));

    // An unknown item is the real 610.
    let mut bad = us_request("order-3:invoice");
    bad.lines = vec![SalesLine::new("999", dec!(1), dec!(1))];
    let err = accounting.create_invoice(&bad, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.provider_code(), Some("610"));
    let missing = AccountingDocumentRef {
        kind: AccountingDocumentKind::Invoice,
        id: "777".to_owned(),
    };
    assert_eq!(
        accounting.pdf(&missing).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    sb.stop().await;
}

#[tokio::test]
async fn a_stale_sync_token_is_refused() {
    let sb = sandbox().await;
    let client = us_client(&sb).await;
    let item = client.item("4").await.unwrap();
    let mut first = item.clone();
    first.description = Some("Granite rock fountain".to_owned());
    let updated = client
        .update(&first, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(updated.sync_token.as_deref(), Some("1"));
    assert_eq!(
        updated.sku.as_deref(),
        Some("RF-100"),
        "a full update of a read record keeps its fields"
    );

    let mut late = item.clone();
    late.description = Some("Someone else's edit".to_owned());
    let err = client
        .sparse_update(&late, &WriteOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, QuickBooksError::StaleObject(_)), "{err:?}");
    assert_eq!(fault_code(&err).as_deref(), Some("5010"));
    assert_eq!(ProviderError::from(err).kind(), ErrorKind::Conflict);
    let now = client.item("4").await.unwrap();
    assert_eq!(now.description.as_deref(), Some("Granite rock fountain"));
    sb.stop().await;
}

#[tokio::test]
async fn a_write_whose_answer_was_lost_is_not_repeated_with_the_same_requestid() {
    let sb = sandbox().await;
    let sim = &sb.sims().quickbooks;
    let (manager, _) = connect(&sb, US_REALM).await;
    let client = client_for(&sb, manager)
        .tax_regime(TaxRegime::UnitedStates)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let accounting: Arc<dyn Accounting> = Arc::new(client);
    sb.shared().faults.set(
        "quickbooks",
        FaultPlan {
            drop_after_effect_per_mille: 1000,
            hang: Duration::from_secs(2),
            ..FaultPlan::default()
        },
    );
    let request = us_request("order-9:invoice");
    let lost = accounting.create_invoice(&request, None).await.unwrap_err();
    assert!(lost.maybe_sent(), "{lost:?}");
    assert_eq!(
        sim.invoices(US_REALM).len(),
        1,
        "the invoice was created although the answer was lost"
    );

    sb.shared().faults.clear("quickbooks");
    let retried = accounting.create_invoice(&request, None).await.unwrap();
    let invoices = sim.invoices(US_REALM);
    assert_eq!(
        invoices.len(),
        1,
        "the retry did not create a second invoice"
    );
    assert_eq!(invoices[0]["Id"], json!(retried.reference.id));
    assert_eq!(retried.doc_number.as_deref(), Some("1001"));
    sb.stop().await;
}

#[tokio::test]
async fn canadian_lines_carry_gst_hst_pst_codes() {
    let sb = sandbox().await;
    let sim = &sb.sims().quickbooks;
    let (manager, _) = connect(&sb, CA_REALM).await;
    let client = client_for(&sb, manager).build().unwrap();
    let accounting: Arc<dyn Accounting> = Arc::new(client.clone());

    let codes = client
        .query_page::<TaxCode>("SELECT * FROM TaxCode")
        .await
        .unwrap();
    let names: Vec<String> = codes.items.iter().filter_map(|c| c.name.clone()).collect();
    for expected in ["GST", "HST ON", "GST/PST BC", "Exempt"] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }

    let request = SalesDocumentRequest::new(
        "ca-order-1:estimate",
        "1",
        vec![
            SalesLine::new("1", dec!(4), dec!(25)).with_tax(TaxTreatment::Code("13".to_owned())),
            SalesLine::new("2", dec!(1), dec!(40)).with_tax(TaxTreatment::Code("17".to_owned())),
        ],
    );
    let estimate = accounting.create_estimate(&request).await.unwrap();
    // 100 × 13 % HST + 40 × (5 % GST + 7 % PST) = 13 + 2 + 2.80.
    assert_eq!(estimate.total.as_ref().unwrap().amount(), dec!(157.80));
    assert_eq!(estimate.total.as_ref().unwrap().currency().code(), "CAD");
    let stored = sim
        .record(CA_REALM, Kind::Estimate, &estimate.reference.id)
        .unwrap();
    assert_eq!(
        stored["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"]["value"],
        "13"
    );
    assert_eq!(
        stored["Line"][1]["SalesItemLineDetail"]["TaxCodeRef"]["value"],
        "17"
    );
    let tax_lines = stored["TxnTaxDetail"]["TaxLine"].as_array().unwrap();
    assert_eq!(tax_lines.len(), 3);

    // The SDK refuses TAX/NON in Canada before sending; a raw line without a code gets
    // the real 6000 fault.
    let refused = accounting
        .create_estimate(&SalesDocumentRequest::new(
            "ca-2",
            "1",
            vec![SalesLine::new("1", dec!(1), dec!(25)).with_tax(TaxTreatment::Taxable)],
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Validation);
    let mut raw = Estimate::default();
    raw.customer_ref = Some(Ref::new("1"));
    raw.line = vec![Line::sales_item("1", dec!(1), dec!(25))];
    let err = client
        .create(&raw, &WriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(fault_code(&err).as_deref(), Some("6000"));
    assert!(
        err.fault()
            .unwrap()
            .detail()
            .unwrap()
            .contains("GST/HST rate")
    );
    assert_eq!(sim.estimates(CA_REALM).len(), 1);
    sb.stop().await;
}

#[tokio::test]
async fn concurrent_calls_through_the_sdk_respect_the_limits() {
    let sb = sandbox_with(Some(FaultPlan {
        latency: Duration::from_millis(40),
        ..FaultPlan::default()
    }))
    .await;
    let sim = &sb.sims().quickbooks;
    let client = us_client(&sb).await;
    let calls = (0..40).map(|i| {
        let c = client.clone();
        async move {
            if i % 2 == 0 {
                c.customer("1").await.map(|_| ())
            } else {
                c.query_page::<Customer>("SELECT * FROM Customer MAXRESULTS 2")
                    .await
                    .map(|_| ())
            }
        }
    });
    let results = futures::future::join_all(calls).await;
    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(sb.shared().limits.violations("quickbooks"), 0);
    let peak = sim.peak_concurrency(US_REALM);
    assert!((2..=10).contains(&peak), "peak {peak}");

    // A client that ignores the limits gets Intuit's 429 ThrottleExceeded.
    let (manager, _) = connect(&sb, US_REALM).await;
    let greedy = client_for(&sb, manager)
        .rate_limiter(Arc::new(
            RateLimiter::with_windows(&[(10_000, Duration::from_secs(60))]).with_max_concurrent(40),
        ))
        .build()
        .unwrap();
    let flood = (0..30).map(|_| {
        let c = greedy.clone();
        async move { c.customer("1").await }
    });
    let results = futures::future::join_all(flood).await;
    let throttled = results
        .iter()
        .filter(|r| matches!(r, Err(QuickBooksError::Throttled { .. })))
        .count();
    assert!(throttled > 0);
    assert_eq!(
        sb.shared().limits.violations("quickbooks"),
        u64::try_from(throttled).unwrap()
    );
    let err = results.into_iter().find_map(Result::err).unwrap();
    assert_eq!(fault_code(&err).as_deref(), Some("3001"));
    sb.stop().await;
}

#[tokio::test]
async fn requestid_dedup_batch_and_cdc() {
    // CDC reaches 30 days back from the SDK's real clock: start the simulated one now.
    let sb = Sandbox::builder()
        .clock(SimClock::manual(chrono::Utc::now()))
        .start()
        .await
        .unwrap();
    let sim = &sb.sims().quickbooks;
    let client = us_client(&sb).await;
    let mut c = Customer::default();
    c.display_name = Some("Key Customer".to_owned());
    let a = client
        .create(&c, &WriteOptions::with_request_id("k-1"))
        .await
        .unwrap();
    let b = client
        .create(&c, &WriteOptions::with_request_id("k-1"))
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(
        sim.customers(US_REALM)
            .iter()
            .filter(|r| r["DisplayName"] == "Key Customer")
            .count(),
        1
    );

    let since = sb.shared().clock.now();
    sb.shared().clock.advance(Duration::from_secs(60));
    let mut x = Customer::default();
    x.display_name = Some("Batch One".to_owned());
    let mut dup = Customer::default();
    dup.display_name = Some("Key Customer".to_owned());
    let items = vec![
        flux_quickbooks::batch::BatchItem::create("bid1", &x).unwrap(),
        flux_quickbooks::batch::BatchItem::create("bid2", &dup).unwrap(),
        flux_quickbooks::batch::BatchItem::query(
            "bid3",
            "SELECT * FROM Item WHERE Name = 'Concrete'",
        ),
    ];
    let results = client.batch(&items).await.unwrap();
    assert_eq!(
        results[0]
            .entity::<Customer>()
            .unwrap()
            .display_name
            .as_deref(),
        Some("Batch One")
    );
    assert!(matches!(
        results[1].entity::<Customer>(),
        Err(QuickBooksError::DuplicateName { .. })
    ));
    match &results[2].outcome {
        flux_quickbooks::batch::BatchOutcome::Query(q) => {
            assert_eq!(q["Item"][0]["Name"], Value::from("Concrete"))
        }
        other => panic!("{other:?}"),
    }
    let changes = client.cdc(&["Customer", "Invoice"], since).await.unwrap();
    let changed = changes.changed::<Customer>().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].display_name.as_deref(), Some("Batch One"));
    sb.stop().await;
}
