//! Helpers for the FluxOrders tests: organizations, users, signed-in clients.

#![allow(dead_code)]

use flux_http::{HttpClient, Response, StatusCode};
use flux_orchestrator::startup::RunningApplication;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::common::client;

pub(crate) const PASSWORD: &str = "correct horse battery";

/// A signed-in user.
pub(crate) struct Who {
    pub(crate) token: SecretString,
    pub(crate) id: String,
    pub(crate) org: String,
}

pub(crate) async fn call(
    http: &HttpClient,
    method: &str,
    path: &str,
    who: Option<&Who>,
    body: Option<Value>,
) -> Response {
    let mut req = match method {
        "GET" => http.get(path),
        "POST" => http.post(path),
        "PATCH" => http.patch(path),
        "DELETE" => http.delete(path),
        other => panic!("method {other}"),
    };
    if let Some(w) = who {
        req = req.bearer(&w.token);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send_raw().await.unwrap()
}

pub(crate) async fn ok(
    http: &HttpClient,
    method: &str,
    path: &str,
    who: &Who,
    body: Option<Value>,
) -> Value {
    let res = call(http, method, path, Some(who), body).await;
    assert!(
        res.status().is_success(),
        "{method} {path}: {} {}",
        res.status(),
        res.text()
    );
    if res.status() == StatusCode::NO_CONTENT {
        Value::Null
    } else {
        res.json().unwrap()
    }
}

/// Creates an organization; returns its owner, signed in.
pub(crate) async fn organization(http: &HttpClient, slug: &str) -> Who {
    let res = http
        .post("orders-api/v1/organizations")
        .json(&json!({"slug": slug, "name": format!("{slug} Inc."), "owner": {"email": format!("owner@{slug}.example"), "name": "Olive Owner", "password": PASSWORD}}))
        .send_raw()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text());
    let body: Value = res.json().unwrap();
    Who {
        token: SecretString::from(body["token"].as_str().unwrap().to_owned()),
        id: body["user"]["id"].as_str().unwrap().to_owned(),
        org: slug.to_owned(),
    }
}

pub(crate) async fn login(http: &HttpClient, org: &str, email: &str, password: &str) -> Response {
    http.post("orders-api/v1/auth/login")
        .json(&json!({"organization": org, "email": email, "password": password}))
        .send_raw()
        .await
        .unwrap()
}

/// Creates a user with `role` and signs them in.
pub(crate) async fn user(
    http: &HttpClient,
    owner: &Who,
    role: &str,
    customer_id: Option<&str>,
) -> Who {
    let email = format!(
        "{role}-{}@{}.example",
        uuid::Uuid::new_v4().simple(),
        owner.org
    );
    let body = ok(http, "POST", "orders-api/v1/users", owner, Some(json!({"email": email, "name": format!("{role} person"), "role": role, "customer_id": customer_id, "password": PASSWORD}))).await;
    let res = login(http, &owner.org, &email, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
    let session: Value = res.json().unwrap();
    Who {
        token: SecretString::from(session["token"].as_str().unwrap().to_owned()),
        id: body["id"].as_str().unwrap().to_owned(),
        org: owner.org.clone(),
    }
}

pub(crate) async fn customer(http: &HttpClient, who: &Who, name: &str) -> String {
    ok(http, "POST", "orders-api/v1/customers", who, Some(json!({"name": name, "email": format!("{}@buyer.example", name.to_lowercase().replace(' ', "")), "contact_name": "Casey Contact"}))).await["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn product(http: &HttpClient, who: &Who, sku: &str, price: &str) -> String {
    ok(http, "POST", "orders-api/v1/products", who, Some(json!({"name": format!("Product {sku}"), "sku": sku, "barcode": format!("0{sku}"), "price": price, "currency": "CAD"}))).await["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn order(
    http: &HttpClient,
    who: &Who,
    customer: &str,
    product: &str,
    qty: &str,
) -> Value {
    ok(http, "POST", "orders-api/v1/orders", who, Some(json!({"customer_id": customer, "items": [{"product_id": product, "quantity": qty}], "po_number": "PO-7781", "shipping_instructions": "Dock 4, before noon"}))).await
}

pub(crate) fn api(app: &RunningApplication) -> HttpClient {
    client(app)
}
