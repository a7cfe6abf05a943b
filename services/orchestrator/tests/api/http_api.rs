//! Health, request ids, errors, metrics, OpenAPI, operator auth and body limits.

use flux_http::{Method, StatusCode};
use serde_json::Value;

use crate::common::{TestDb, admin_token, backends, client, spawn_app};

#[tokio::test]
async fn health_readiness_request_ids_and_json_errors() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = client(&app);

        let res = http.get("healthz").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let generated = res
            .headers()
            .get("x-request-id")
            .expect("a request id")
            .to_str()
            .unwrap()
            .to_owned();
        assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");

        let res = http
            .get("readyz")
            .header("x-request-id", "abc-123")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend:?}");
        assert_eq!(res.headers().get("x-request-id").unwrap(), "abc-123");
        assert_eq!(res.json::<Value>().unwrap()["status"], "ok");

        let res = http
            .get("no/such/thing")
            .header("x-request-id", "req-404")
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let body: Value = res.json().unwrap();
        assert_eq!(body["error"], "not_found");
        assert_eq!(body["request_id"], "req-404");
        app.stop().await;
    }
}

#[tokio::test]
async fn metrics_count_requests() {
    let db = TestDb::new(backends()[0]).await;
    let app = spawn_app(&db, vec![]).await;
    let http = client(&app);
    http.get("healthz").send().await.unwrap();
    let text = http
        .get("metrics")
        .send()
        .await
        .unwrap()
        .text()
        .into_owned();
    assert!(text.contains("flux_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn openapi_document_is_served_and_matches_the_committed_copy() {
    let db = TestDb::new(backends()[0]).await;
    let app = spawn_app(&db, vec![]).await;
    let http = client(&app);
    let served: Value = http
        .get("openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(served["openapi"], "3.1.0");
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/admin/jobs",
        "/admin/jobs/{id}/retry",
        "/admin/effects/{id}/resolve",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
    let committed_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("FLUX_UPDATE_OPENAPI").is_some() {
        std::fs::write(&committed_path, &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path)
        .expect("openapi.json is committed; regenerate with FLUX_UPDATE_OPENAPI=1 cargo test -p flux-orchestrator --test api openapi");
    assert_eq!(
        serde_json::from_str::<Value>(&committed).unwrap(),
        served,
        "the committed openapi.json is stale: regenerate with FLUX_UPDATE_OPENAPI=1 cargo test -p flux-orchestrator --test api openapi"
    );
    let docs = http.get("docs").send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().contains("openapi") || docs.text().contains("scalar"));
    app.stop().await;
}

#[tokio::test]
async fn operator_endpoints_need_the_operator_token() {
    let db = TestDb::new(backends()[0]).await;
    let app = spawn_app(&db, vec![]).await;
    let http = client(&app);
    let res = http.get("admin/jobs").send_raw().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>().unwrap()["error"], "unauthorized");
    let wrong = secrecy::SecretString::from("test-operator-token-0123456780");
    let res = http
        .get("admin/jobs")
        .bearer(&wrong)
        .send_raw()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http
        .get("admin/jobs")
        .bearer(&admin_token())
        .send()
        .await
        .unwrap();
    // Only the products' recurring jobs exist this early.
    let jobs: Value = res.json().unwrap();
    for job in jobs.as_array().expect("a list") {
        assert!(
            job["job_key"]
                .as_str()
                .is_some_and(|k| k.starts_with("recurring:")),
            "{job}"
        );
    }
    let res = http
        .get("admin/jobs")
        .query(&[("state", "exploded")])
        .bearer(&admin_token())
        .send_raw()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().unwrap()["error"], "bad_request");
    app.stop().await;
}

#[tokio::test]
async fn bodies_are_limited_and_bad_json_is_a_clear_error() {
    let db = TestDb::new(backends()[0]).await;
    let app = spawn_app(&db, vec![]).await;
    let http = client(&app);
    let id = uuid::Uuid::new_v4();
    let path = format!("admin/effects/{id}/resolve");
    let huge = serde_json::json!({"happened": true, "provider_reference": "x".repeat(64 * 1024)});
    let res = http
        .request(Method::POST, &path)
        .bearer(&admin_token())
        .json(&huge)
        .send_raw()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json::<Value>().unwrap()["error"], "payload_too_large");

    let res = http
        .request(Method::POST, &path)
        .bearer(&admin_token())
        .body_bytes(b"{\"happened\": tru".to_vec(), "application/json")
        .send_raw()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().unwrap();
    assert_eq!(body["error"], "validation_failed");
    assert!(body["message"].as_str().unwrap().contains("invalid JSON"));

    let res = http
        .request(Method::POST, &path)
        .bearer(&admin_token())
        .json(&serde_json::json!({"happened": true}))
        .send_raw()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "unknown effect");
    app.stop().await;
}
