//! The role and tenant matrix: every role reaches what it should and nothing else, and
//! no organization reads or changes another's data.

use flux_http::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestDb, backends, spawn_app};
use crate::orders_support::*;

#[tokio::test]
async fn roles_reach_only_what_they_may() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "matrix-co").await;
        let own_customer = customer(&http, &owner, "Northwind Grocers").await;
        let other_customer = customer(&http, &owner, "Southwind Grocers").await;
        let admin = user(&http, &owner, "admin", None).await;
        let staff = user(&http, &owner, "staff", None).await;
        let cust = user(&http, &owner, "customer", Some(&own_customer)).await;
        let prod = product(&http, &owner, "SKU-1", "12.50").await;
        let own_order = order(&http, &owner, &own_customer, &prod, "2").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let other_order = order(&http, &owner, &other_customer, &prod, "1").await["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // (method, path, body, [owner, admin, staff, customer])
        let cases: Vec<(&str, String, Option<Value>, [u16; 4])> = vec![
            (
                "GET",
                "orders-api/v1/users".into(),
                None,
                [200, 200, 403, 403],
            ),
            (
                "POST",
                "orders-api/v1/users".into(),
                Some(
                    json!({"email": "x@y.example", "name": "X", "role": "owner", "password": PASSWORD}),
                ),
                [201, 403, 403, 403],
            ),
            (
                "GET",
                "orders-api/v1/products".into(),
                None,
                [200, 200, 200, 200],
            ),
            (
                "GET",
                format!("orders-api/v1/products/{prod}"),
                None,
                [200, 200, 200, 200],
            ),
            (
                "POST",
                "orders-api/v1/products".into(),
                Some(json!({"name": "N", "sku": "NEW", "price": "1"})),
                [201, 409, 403, 403],
            ),
            (
                "PATCH",
                format!("orders-api/v1/products/{prod}"),
                Some(json!({"price": "13"})),
                [200, 200, 403, 403],
            ),
            (
                "GET",
                "orders-api/v1/customers".into(),
                None,
                [200, 200, 200, 200],
            ),
            (
                "POST",
                "orders-api/v1/customers".into(),
                Some(json!({"name": "Staff-made"})),
                [201, 409, 409, 403],
            ),
            (
                "GET",
                format!("orders-api/v1/customers/{own_customer}"),
                None,
                [200, 200, 200, 200],
            ),
            (
                "GET",
                format!("orders-api/v1/customers/{other_customer}"),
                None,
                [200, 200, 200, 404],
            ),
            (
                "PATCH",
                format!("orders-api/v1/customers/{other_customer}"),
                Some(json!({"phone": "+1 416 555 0100"})),
                [200, 200, 200, 403],
            ),
            (
                "DELETE",
                format!("orders-api/v1/customers/{other_customer}"),
                None,
                [204, 204, 403, 403],
            ),
            (
                "POST",
                format!("orders-api/v1/customers/{other_customer}/restore"),
                None,
                [200, 200, 403, 403],
            ),
            (
                "GET",
                "orders-api/v1/customer-groups".into(),
                None,
                [200, 200, 200, 403],
            ),
            (
                "GET",
                format!("orders-api/v1/orders/{own_order}"),
                None,
                [200, 200, 200, 200],
            ),
            (
                "GET",
                format!("orders-api/v1/orders/{other_order}"),
                None,
                [200, 200, 200, 404],
            ),
            (
                "POST",
                format!("orders-api/v1/orders/{own_order}/submit"),
                None,
                [200, 409, 409, 409],
            ),
            (
                "POST",
                format!("orders-api/v1/orders/{own_order}/confirm"),
                None,
                [200, 409, 409, 403],
            ),
            (
                "DELETE",
                format!("orders-api/v1/orders/{other_order}"),
                None,
                [204, 204, 403, 403],
            ),
            (
                "GET",
                "orders-api/v1/orders?deleted=only".into(),
                None,
                [200, 200, 403, 403],
            ),
            (
                "GET",
                "orders-api/v1/data/export".into(),
                None,
                [200, 200, 403, 403],
            ),
            (
                "GET",
                "orders-api/v1/quickbooks/status".into(),
                None,
                [200, 200, 403, 403],
            ),
            (
                "POST",
                "orders-api/v1/quickbooks/connect".into(),
                None,
                [503, 503, 403, 403],
            ),
            (
                "POST",
                "orders-api/v1/customers/import?dry_run=true".into(),
                None,
                [422, 422, 403, 403],
            ),
        ];
        let who = [&owner, &admin, &staff, &cust];
        for (method, path, body, expected) in &cases {
            for (i, w) in who.iter().enumerate() {
                let res = call(&http, method, path, Some(w), body.clone()).await;
                assert_eq!(
                    res.status().as_u16(),
                    expected[i],
                    "{method} {path} as {} ({backend:?}): {}",
                    ["owner", "admin", "staff", "customer"][i],
                    res.text()
                );
            }
            // Nobody signed in: 401.
            let res = call(&http, method, path, None, body.clone()).await;
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} anonymously"
            );
        }
        // A customer user's lists hold only their own account.
        let list = ok(&http, "GET", "orders-api/v1/orders", &cust, None).await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|o| o["customer_id"] == own_customer.as_str())
        );
        let list = ok(&http, "GET", "orders-api/v1/customers", &cust, None).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        // A customer user cannot order for another customer.
        let res = call(&http, "POST", "orders-api/v1/orders", Some(&cust), Some(json!({"customer_id": other_customer, "items": [{"product_id": prod, "quantity": "1"}]}))).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<Value>().unwrap()["field"], "customer_id");
        app.stop().await;
    }
}

#[tokio::test]
async fn no_organization_sees_another() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let a = organization(&http, "tenant-a").await;
        let b = organization(&http, "tenant-b").await;
        let cust = customer(&http, &a, "Alpha Hardware").await;
        let prod = product(&http, &a, "A-1", "5").await;
        let ord = order(&http, &a, &cust, &prod, "1").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let a_user = ok(&http, "GET", "orders-api/v1/auth/me", &a, None).await["id"]
            .as_str()
            .unwrap()
            .to_owned();

        for path in [
            format!("orders-api/v1/customers/{cust}"),
            format!("orders-api/v1/customers/{cust}/addresses"),
            format!("orders-api/v1/products/{prod}"),
            format!("orders-api/v1/orders/{ord}"),
            format!("orders-api/v1/users/{a_user}"),
        ] {
            let res = call(&http, "GET", &path, Some(&b), None).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path} ({backend:?})");
        }
        for (method, path, body) in [
            (
                "PATCH",
                format!("orders-api/v1/customers/{cust}"),
                Some(json!({"name": "Stolen"})),
            ),
            ("DELETE", format!("orders-api/v1/products/{prod}"), None),
            ("POST", format!("orders-api/v1/orders/{ord}/submit"), None),
            (
                "POST",
                "orders-api/v1/orders".into(),
                Some(
                    json!({"customer_id": cust, "items": [{"product_id": prod, "quantity": "1"}]}),
                ),
            ),
        ] {
            let res = call(&http, method, &path, Some(&b), body).await;
            assert!(
                matches!(res.status().as_u16(), 404 | 422),
                "{method} {path}: {}",
                res.status()
            );
        }
        for path in [
            "orders-api/v1/customers",
            "orders-api/v1/products",
            "orders-api/v1/orders",
            "orders-api/v1/users?deleted=include",
        ] {
            let list = ok(&http, "GET", path, &b, None).await;
            assert!(
                !list.to_string().contains(&cust)
                    && !list.to_string().contains(&prod)
                    && !list.to_string().contains(&ord),
                "{path}"
            );
        }
        let export = ok(&http, "GET", "orders-api/v1/data/export", &b, None).await;
        assert!(!export.to_string().contains("Alpha Hardware"));
        // A's data is intact.
        let c = ok(
            &http,
            "GET",
            &format!("orders-api/v1/customers/{cust}"),
            &a,
            None,
        )
        .await;
        assert_eq!(c["name"], "Alpha Hardware");
        // B's product lookup does not find A's SKU.
        let res = call(
            &http,
            "GET",
            "orders-api/v1/products/lookup?code=A-1",
            Some(&b),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }
}
