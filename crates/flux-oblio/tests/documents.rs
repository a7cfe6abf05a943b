//! Documents: create (invoice, proforma, notice, storno), get, list, cancel, restore,
//! delete, collect, PDF, and the error paths.

mod common;

use chrono::NaiveDate;
use common::*;
use flux_core::{ErrorKind, ProviderError};
use flux_oblio::types::{
    Collect, CreateDocument, DiscountLine, DiscountType, DocumentClient, DocumentTypeName,
    EinvoiceCode, ListDocuments, OrderBy, OrderDir, PaymentType, ProductLine,
};
use flux_oblio::{DeleteOptions, DocumentType, OblioError, StornoRequest};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn invoice_body() -> CreateDocument {
    let mut client = DocumentClient::new("BUCUR OBOR SA");
    client.cif = Some("19".into());
    client.rc = Some("J40/365/1991".into());
    client.address = Some("Bdul. Pache Protopopescu 109".into());
    client.state = Some("Bucuresti".into());
    client.city = Some("SECTOR 2".into());
    client.country = Some("RO".into());
    client.vat_payer = Some(true);
    let mut body = CreateDocument::new("FCT")
        .with_client(client)
        .with_issue_date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .with_line(
            ProductLine::new("Abonament", dec!(2), dec!(100), true).with_vat("Normala", dec!(21)),
        )
        .with_line(DiscountLine::new(
            "Reducere",
            dec!(10),
            DiscountType::Percent,
        ))
        .with_idempotency_key("shop-0000000001001");
    body.language = Some("RO".into());
    body.currency = Some("RON".into());
    body.sales_agent = Some("Ion".into());
    body
}

#[tokio::test]
async fn create_invoice_sends_the_exact_body_and_returns_series_number_link() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .and(bearer())
        .respond_with(json(fixture("create_invoice.json")))
        .expect(1)
        .mount(&server)
        .await;

    let created = client.create_invoice(&invoice_body()).await.unwrap();
    assert_eq!(created.series_name, "FCT");
    assert_eq!(created.number, "0053");
    assert!(
        created
            .link
            .starts_with("https://www.oblio.eu/utils/show_file/")
    );
    assert_eq!(created.id().as_deref(), Some("261751"));

    let sent = received_on(&server, "/api/docs/invoice").await;
    assert_eq!(
        sent[0].headers.get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(
        body_json(&sent[0]),
        json!({
            "cif": "RO37311090",
            "client": {
                "cif": "19", "name": "BUCUR OBOR SA", "rc": "J40/365/1991",
                "address": "Bdul. Pache Protopopescu 109", "state": "Bucuresti",
                "city": "SECTOR 2", "country": "RO", "vatPayer": 1
            },
            "issueDate": "2026-11-22",
            "seriesName": "FCT",
            "language": "RO",
            "currency": "RON",
            "products": [
                {"name": "Abonament", "price": 100, "vatName": "Normala", "vatPercentage": 21,
                 "vatIncluded": 1, "quantity": 2},
                {"name": "Reducere", "discount": 10, "discountType": "procentual",
                 "discountAllAbove": 0}
            ],
            "selesAgent": "Ion",
            "idempotencyKey": "shop-0000000001001"
        })
    );
}

#[tokio::test]
async fn a_create_with_an_idempotency_key_is_retried_after_a_503() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("create_invoice.json")))
        .mount(&server)
        .await;
    let created = client.create_invoice(&invoice_body()).await.unwrap();
    assert_eq!(created.number, "0053");
    let sent = received_on(&server, "/api/docs/invoice").await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        body_json(&sent[0])["idempotencyKey"],
        body_json(&sent[1])["idempotencyKey"]
    );
}

#[tokio::test]
async fn a_create_without_a_key_is_not_repeated_and_reports_maybe_sent() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let mut body = invoice_body();
    body.idempotency_key = None;
    let err = client.create_invoice(&body).await.unwrap_err();
    assert!(err.maybe_sent(), "{err:?}");
    let provider: ProviderError = err.into();
    assert_eq!(provider.kind(), ErrorKind::Unavailable);
    assert!(provider.maybe_sent());
}

#[tokio::test]
async fn invalid_bodies_are_refused_before_sending_with_every_field_named() {
    let (server, client) = setup().await;
    let mut body = CreateDocument::new("FCT")
        .with_client(DocumentClient::new(""))
        .with_line(DiscountLine::new(
            "Reducere",
            dec!(-5),
            DiscountType::Amount,
        ))
        .with_line(ProductLine::new("X", dec!(1), dec!(10), true))
        .with_collect(Collect::receipt(""));
    body.precision = Some(7);
    let err = client.create_invoice(&body).await.unwrap_err();
    let OblioError::InvalidInput { fields } = &err else {
        panic!("{err:?}")
    };
    let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        names,
        [
            "client.name",
            "precision",
            "products[0].discount",
            "products[0]",
            "collect.seriesName"
        ]
    );
    // Notices and proformas take no payment.
    let err = client
        .create_proforma(
            &invoice_body().with_collect(Collect::with_document(PaymentType::Card, "1")),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, OblioError::InvalidInput { fields } if fields[0].0 == "collect"));
    let provider: ProviderError = err.into();
    assert!(provider.is_validation());
    // The token endpoint was never called either.
    assert!(server.received_requests().await.unwrap().is_empty());
    server.reset().await;
}

#[tokio::test]
async fn proforma_and_notice_use_their_endpoints() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/proforma"))
        .respond_with(json(fixture("create_proforma.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/docs/notice"))
        .respond_with(json(fixture("create_notice.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut proforma = invoice_body();
    proforma.series_name = "PR".into();
    let p = client.create_proforma(&proforma).await.unwrap();
    assert_eq!((p.series_name.as_str(), p.number.as_str()), ("PR", "0008"));
    let mut notice = invoice_body();
    notice.series_name = "AVZ".into();
    notice.use_stock = Some(false);
    let n = client.create_notice(&notice).await.unwrap();
    assert_eq!(n.number, "0012");
    let sent = received_on(&server, "/api/docs/notice").await;
    assert_eq!(body_json(&sent[0])["useStock"], 0);
}

#[tokio::test]
async fn storno_references_the_invoice_with_a_numeric_number() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("create_storno.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut storno = StornoRequest::new("FCT", "0568");
    storno.refund = Some(true);
    storno.idempotency_key = Some("order-1001:storno".into());
    let created = client.storno(&storno).await.unwrap();
    assert_eq!(created.number, "0569");
    let sent = received_on(&server, "/api/docs/invoice").await;
    assert_eq!(
        body_json(&sent[0]),
        json!({
            "cif": "RO37311090",
            "seriesName": "FCT",
            "idempotencyKey": "order-1001:storno",
            "referenceDocument": {"type": "Factura", "seriesName": "FCT", "number": 568, "refund": 1}
        })
    );
}

#[tokio::test]
async fn get_document_reads_payments() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("get_invoice.json")))
        .expect(1)
        .mount(&server)
        .await;
    let doc = client
        .get_document(DocumentType::Invoice, "FCT", "0053")
        .await
        .unwrap();
    assert_eq!(doc.document_type, DocumentTypeName::Invoice);
    assert_eq!(doc.collects[0].kind, PaymentType::Card);
    assert_eq!(doc.collects[0].value, Some(dec!(131.78)));
    let sent = received_on(&server, "/api/docs/invoice").await;
    assert_eq!(
        query(&sent[0]),
        [
            ("cif".to_owned(), CIF.to_owned()),
            ("seriesName".to_owned(), "FCT".to_owned()),
            ("number".to_owned(), "53".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_missing_document_is_not_found() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice"))
        .respond_with(json_status(400, fixture("error_document_missing.json")))
        .mount(&server)
        .await;
    let err = client
        .get_document(DocumentType::Invoice, "FCT", "9999")
        .await
        .unwrap_err();
    assert!(matches!(err, OblioError::NotFound { .. }), "{err:?}");
    assert!(ProviderError::from(err).is_not_found());
}

#[tokio::test]
async fn list_documents_sends_filters_and_decodes_string_numbers() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice/list"))
        .respond_with(json(fixture("list_invoices.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut filter = ListDocuments::new();
    filter.client_cif = Some("49834438".into());
    filter.canceled = Some(false);
    filter.issued_after = NaiveDate::from_ymd_opt(2023, 1, 1);
    filter.with_collects = true;
    filter.order_by = Some(OrderBy::IssueDate);
    filter.order_dir = Some(OrderDir::Desc);
    filter.limit_per_page = Some(100);
    filter.offset = Some(100);
    let rows = client
        .list_documents(DocumentType::Invoice, &filter)
        .await
        .unwrap();
    let row = &rows[0];
    assert_eq!(row.id, "10000");
    assert!(row.draft && !row.canceled);
    assert_eq!(row.collected, Some(true));
    assert_eq!(row.total, Some(dec!(21000)));
    assert_eq!(row.number, "0001");
    assert_eq!(row.client.vat_payer, Some(true));
    assert_eq!(row.kind, DocumentTypeName::Invoice);
    let sent = received_on(&server, "/api/docs/invoice/list").await;
    let q = query(&sent[0]);
    for (k, v) in [
        ("cif", CIF),
        ("client[cif]", "49834438"),
        ("draft", "-1"),
        ("canceled", "0"),
        ("collected", "-1"),
        ("issuedAfter", "2023-01-01"),
        ("withCollects", "1"),
        ("orderBy", "issueDate"),
        ("orderDir", "DESC"),
        ("limitPerPage", "100"),
        ("offset", "100"),
    ] {
        assert!(
            q.contains(&(k.to_owned(), v.to_owned())),
            "{k}={v} in {q:?}"
        );
    }
    let mut too_many = ListDocuments::new();
    too_many.limit_per_page = Some(250);
    assert!(matches!(
        client
            .list_documents(DocumentType::Invoice, &too_many)
            .await,
        Err(OblioError::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn cancel_and_restore_put_the_document_key() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path("/api/docs/invoice/cancel"))
        .respond_with(json(fixture("cancel.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/docs/invoice/restore"))
        .respond_with(json(fixture("restore.json")))
        .expect(1)
        .mount(&server)
        .await;
    let done = client
        .cancel_document(DocumentType::Invoice, "FCT", "0053")
        .await
        .unwrap();
    assert_eq!(done.message, "Documentul a fost anulat.");
    let done = client
        .restore_document(DocumentType::Invoice, "FCT", "0053")
        .await
        .unwrap();
    assert_eq!(done.message, "Documentul a fost restaurat.");
    for p in ["/api/docs/invoice/cancel", "/api/docs/invoice/restore"] {
        let sent = received_on(&server, p).await;
        assert_eq!(
            body_json(&sent[0]),
            json!({"cif": CIF, "seriesName": "FCT", "number": 53})
        );
    }
}

#[tokio::test]
async fn delete_sends_its_options_and_reports_success() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("delete.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut options = DeleteOptions::default();
    options.delete_collect = Some(true);
    options.idempotency_key = Some("shop-0000000001001".into());
    let done = client
        .delete_document(DocumentType::Invoice, "FCT", "0053", &options)
        .await
        .unwrap();
    assert_eq!(done.message, "Documentul a fost sters.");
    assert_eq!(done.link, None);
    let sent = received_on(&server, "/api/docs/invoice").await;
    assert_eq!(
        body_json(&sent[0]),
        json!({"cif": CIF, "seriesName": "FCT", "number": 53, "deleteCollect": 1,
               "idempotencyKey": "shop-0000000001001"})
    );
}

#[tokio::test]
async fn deleting_a_document_that_is_not_last_says_to_cancel_or_storno() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/api/docs/invoice"))
        .respond_with(json_status(400, fixture("error_delete_not_last.json")))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .delete_document(
            DocumentType::Invoice,
            "FCT",
            "0012",
            &DeleteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, OblioError::DeleteRefused { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("FCT 0012") && text.contains("Poti sterge doar ultima factura"));
    assert!(text.contains("cancel the document or issue a storno"));
    let provider: ProviderError = err.into();
    assert_eq!(provider.kind(), ErrorKind::Conflict);
    assert_eq!(provider.http_status(), Some(400));
}

#[tokio::test]
async fn collect_puts_the_payment_object() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path("/api/docs/invoice/collect"))
        .respond_with(json(fixture("collect.json")))
        .expect(1)
        .mount(&server)
        .await;
    let payment = Collect::with_document(PaymentType::BankTransfer, "OP-118")
        .with_value(dec!(131.78))
        .with_issue_date(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    let doc = client.collect("FCT", "0053", &payment).await.unwrap();
    assert_eq!(doc.collects[0].kind, PaymentType::BankTransfer);
    let sent = received_on(&server, "/api/docs/invoice/collect").await;
    assert_eq!(
        body_json(&sent[0]),
        json!({"cif": CIF, "seriesName": "FCT", "number": 53,
               "collect": {"type": "Ordin de plata", "documentNumber": "OP-118",
                           "value": 131.78, "issueDate": "2026-11-24"}})
    );
    // A bank transfer without its document number is refused locally.
    let err = client
        .collect("FCT", "0053", &Collect::receipt(" "))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OblioError::InvalidInput { fields } if fields[0].0 == "collect.seriesName")
    );
}

#[tokio::test]
async fn pdf_follows_the_document_link_on_the_same_origin_only() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture_on(&server, "get_invoice.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/utils/show_file/"))
        .and(wiremock::matchers::query_param(
            "it",
            "bde87369631a5340057280037419f7e7",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(b"%PDF-1.7\n...".to_vec(), "application/pdf"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let pdf = client
        .document_pdf(DocumentType::Invoice, "FCT", "0053")
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The link carries its own token: no bearer goes to it.
    let sent = received_on(&server, "/utils/show_file/").await;
    assert!(sent[0].headers.get("authorization").is_none());

    let err = client
        .download_pdf("https://evil.example.com/utils/show_file/?id=1")
        .await
        .unwrap_err();
    assert!(matches!(err, OblioError::Pdf(_)), "{err:?}");
}

#[tokio::test]
async fn a_link_that_does_not_return_a_pdf_is_an_error() {
    // No token is needed to follow a document link.
    let server = wiremock::MockServer::start().await;
    let client = builder(&server).build().unwrap();
    Mock::given(method("GET"))
        .and(path("/utils/show_file/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>login</html>", "text/html"))
        .mount(&server)
        .await;
    let link = format!("{}/utils/show_file/?ic=1&id=2&it=3", server.uri());
    let err = client.download_pdf(&link).await.unwrap_err();
    assert!(matches!(err, OblioError::Pdf(_)), "{err:?}");
    assert_eq!(ProviderError::from(err).kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn oblio_400_messages_become_validation_errors() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json_status(400, fixture("error_series.json")))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.create_invoice(&invoice_body()).await.unwrap_err();
    assert!(
        matches!(&err, OblioError::Rejected { message, http_status: 400 } if message == "Seria FCTX nu exista"),
        "{err:?}"
    );
    let provider: ProviderError = err.into();
    assert!(provider.is_validation() && !provider.is_retryable() && !provider.maybe_sent());
    assert!(provider.message().contains("Seria FCTX nu exista"));
}

#[tokio::test]
async fn an_error_status_inside_a_200_body_is_still_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/docs/invoice"))
        .respond_with(json(fixture("error_status_in_body.json")))
        .mount(&server)
        .await;
    let err = client.create_invoice(&invoice_body()).await.unwrap_err();
    assert!(
        matches!(&err, OblioError::Rejected { message, .. } if message == "Clientul nu are nume"),
        "{err:?}"
    );
}

#[tokio::test]
async fn throttling_is_rate_limited_with_the_wait() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice"))
        .respond_with(
            json_status(
                429,
                r#"{"status":429,"statusMessage":"Too many requests"}"#.into(),
            )
            .insert_header("retry-after", "600"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .get_document(DocumentType::Invoice, "FCT", "1")
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    let provider: ProviderError = err.into();
    assert_eq!(provider.kind(), ErrorKind::RateLimited);
    assert_eq!(
        provider.retry_after(),
        Some(std::time::Duration::from_secs(600))
    );
}

#[tokio::test]
async fn reads_are_retried_after_a_server_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice/list"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/docs/invoice/list"))
        .respond_with(json(fixture("list_invoices_einvoice.json")))
        .mount(&server)
        .await;
    let rows = client
        .list_documents(DocumentType::Invoice, &ListDocuments::new())
        .await
        .unwrap();
    assert_eq!(
        rows[0].einvoice_status.as_ref().unwrap().code,
        EinvoiceCode::Sent
    );
}
