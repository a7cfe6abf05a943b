//! Orders: items, prices, PO number, the status flow; and data rights (export, access,
//! correction, erasure).

use flux_http::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::common::{TestDb, backends, spawn_app};
use crate::orders_support::*;

#[tokio::test]
async fn an_order_moves_through_its_statuses() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "flow-co").await;
        let c = customer(&http, &owner, "Prairie Farms").await;
        let p1 = product(&http, &owner, "OAT-5", "12.50").await;
        let p2 = product(&http, &owner, "BAR-1", "0.3333").await;
        let buyer = user(&http, &owner, "customer", Some(&c)).await;
        let staff = user(&http, &owner, "staff", None).await;

        // A customer user orders at catalogue prices, whatever they send.
        let o = ok(&http, "POST", "orders-api/v1/orders", &buyer, Some(json!({"items": [{"product_id": p1, "quantity": "4", "unit_price": "0.01"}, {"product_id": p2, "quantity": "3"}], "po_number": "PO-100", "shipping_instructions": "Leave at dock 2", "notes": "Call first"}))).await;
        assert_eq!(o["status"], "draft");
        assert_eq!(o["customer_id"], c.as_str());
        assert_eq!(o["total"], "50.9999");
        assert_eq!(o["currency"], "CAD");
        assert_eq!(o["po_number"], "PO-100");
        assert_eq!(o["items"][0]["unit_price"], "12.5");
        assert_eq!(o["items"].as_array().unwrap().len(), 2);
        let id = o["id"].as_str().unwrap();

        // Bad input: 422 with the field, nothing changes.
        let res = call(
            &http,
            "PATCH",
            &format!("orders-api/v1/orders/{id}"),
            Some(&buyer),
            Some(json!({"items": [{"product_id": p1, "quantity": "0"}]})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<Value>().unwrap()["field"], "items[0].quantity");
        // Staff may set a price on a draft.
        let o = ok(
            &http,
            "PATCH",
            &format!("orders-api/v1/orders/{id}"),
            &staff,
            Some(json!({"items": [{"product_id": p1, "quantity": "2", "unit_price": "11"}]})),
        )
        .await;
        assert_eq!(o["total"], "22");
        assert_eq!(o["po_number"], "PO-100");

        let o = ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/submit"),
            &buyer,
            None,
        )
        .await;
        assert_eq!(o["status"], "submitted");
        assert!(o["submitted_at"].is_string());
        assert_eq!(
            call(
                &http,
                "PATCH",
                &format!("orders-api/v1/orders/{id}"),
                Some(&buyer),
                Some(json!({"notes": "x"}))
            )
            .await
            .status(),
            StatusCode::CONFLICT
        );
        assert_eq!(
            call(
                &http,
                "POST",
                &format!("orders-api/v1/orders/{id}/confirm"),
                Some(&buyer),
                None
            )
            .await
            .status(),
            StatusCode::FORBIDDEN
        );
        let o = ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/confirm"),
            &staff,
            None,
        )
        .await;
        assert_eq!(o["status"], "confirmed");
        // No QuickBooks connection: nothing is sent anywhere.
        let jobs = flux_orchestrator::entity::job::Entity::find()
            .all(&app.state().db)
            .await
            .unwrap();
        assert!(
            jobs.iter().all(|j| !j.kind.starts_with("orders.qb_push")),
            "{jobs:?}"
        );
        // Customers cannot cancel a confirmed order; staff can.
        assert_eq!(
            call(
                &http,
                "POST",
                &format!("orders-api/v1/orders/{id}/cancel"),
                Some(&buyer),
                None
            )
            .await
            .status(),
            StatusCode::CONFLICT
        );
        let o = ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/cancel"),
            &staff,
            None,
        )
        .await;
        assert_eq!(o["status"], "cancelled");
        assert_eq!(
            call(
                &http,
                "POST",
                &format!("orders-api/v1/orders/{id}/submit"),
                Some(&staff),
                None
            )
            .await
            .status(),
            StatusCode::CONFLICT
        );

        // Soft delete of orders.
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/orders/{id}"),
            &owner,
            None,
        )
        .await;
        assert!(
            ok(&http, "GET", "orders-api/v1/orders", &owner, None)
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            call(
                &http,
                "GET",
                &format!("orders-api/v1/orders/{id}"),
                Some(&buyer),
                None
            )
            .await
            .status(),
            StatusCode::NOT_FOUND
        );
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/orders/{id}/restore"),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "GET",
            &format!("orders-api/v1/orders/{id}"),
            &buyer,
            None,
        )
        .await;
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/orders/{id}"),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/orders/{id}/purge"),
            &owner,
            None,
        )
        .await;
        assert!(
            ok(
                &http,
                "GET",
                "orders-api/v1/orders?deleted=include",
                &owner,
                None
            )
            .await
            .as_array()
            .unwrap()
            .is_empty()
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn export_access_correction_and_erasure() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "rights-co").await;
        let c = customer(&http, &owner, "Harbour Supply").await;
        ok(&http, "POST", &format!("orders-api/v1/customers/{c}/addresses"), &owner, Some(json!({"kind": "billing", "line1": "1 Water St", "city": "Halifax", "region": "NS", "postal_code": "B3H 1A1", "country": "CA"}))).await;
        let p = product(&http, &owner, "ROPE", "7").await;
        let o = order(&http, &owner, &c, &p, "3").await;
        let buyer = user(&http, &owner, "customer", Some(&c)).await;
        let buyer_email = ok(&http, "GET", "orders-api/v1/auth/me", &buyer, None).await["email"]
            .as_str()
            .unwrap()
            .to_owned();

        let export = ok(&http, "GET", "orders-api/v1/data/export", &owner, None).await;
        assert_eq!(export["customers"][0]["name"], "Harbour Supply");
        assert_eq!(
            export["customers"][0]["addresses_all"][0]["city"],
            "Halifax"
        );
        assert_eq!(export["orders"][0]["id"], o["id"]);
        assert_eq!(export["orders"][0]["items"][0]["sku"], "ROPE");
        assert_eq!(export["products"][0]["sku"], "ROPE");
        assert_eq!(export["users"].as_array().unwrap().len(), 2);
        assert!(
            !export.to_string().contains("argon2"),
            "no password hashes in exports"
        );

        // Access: every record of the person.
        let access = ok(
            &http,
            "GET",
            "orders-api/v1/data/subjects?email=harboursupply@buyer.example",
            &owner,
            None,
        )
        .await;
        assert_eq!(access["customers"][0]["id"], c.as_str());
        assert_eq!(access["orders"][0]["id"], o["id"]);
        // Correction through the API.
        ok(
            &http,
            "PATCH",
            &format!("orders-api/v1/customers/{c}"),
            &owner,
            Some(json!({"contact_name": "Corrected Name"})),
        )
        .await;
        assert_eq!(
            ok(
                &http,
                "GET",
                &format!("orders-api/v1/customers/{c}"),
                &owner,
                None
            )
            .await["contact_name"],
            "Corrected Name"
        );

        // Erasure: the user account goes now, the customer's personal fields are erased.
        let report = ok(
            &http,
            "POST",
            "orders-api/v1/data/subjects/erase",
            &owner,
            Some(json!({"email": buyer_email})),
        )
        .await;
        assert_eq!(report["users_deleted"], 1);
        assert_eq!(
            call(&http, "GET", "orders-api/v1/auth/me", Some(&buyer), None)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        ok(
            &http,
            "POST",
            "orders-api/v1/data/subjects/erase",
            &owner,
            Some(json!({"email": "harboursupply@buyer.example"})),
        )
        .await;
        let after = ok(
            &http,
            "GET",
            &format!("orders-api/v1/customers/{c}"),
            &owner,
            None,
        )
        .await;
        assert!(
            after["email"].is_null() && after["contact_name"].is_null() && after["phone"].is_null()
        );
        let access = ok(
            &http,
            "GET",
            &format!("orders-api/v1/data/subjects?email={buyer_email}"),
            &owner,
            None,
        )
        .await;
        assert!(access["users"].as_array().unwrap().is_empty());
        app.stop().await;
    }
}
