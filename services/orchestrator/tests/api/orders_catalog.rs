//! Customers, addresses (Canada and the US), the CSV import, products, images and soft
//! delete.

use flux_http::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestDb, backends, spawn_app};
use crate::orders_support::*;

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn addresses_in_canada_and_the_us_are_validated() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "addr-co").await;
        let c = customer(&http, &owner, "Toronto Tools").await;
        let path = format!("orders-api/v1/customers/{c}/addresses");
        let a = ok(&http, "POST", &path, &owner, Some(json!({"kind": "billing", "line1": "100 King St W", "city": "Toronto", "region": "on", "postal_code": "m5x1a9", "country": "CA", "latitude": "43.6487", "longitude": "-79.3817"}))).await;
        assert_eq!(a["postal_code"], "M5X 1A9");
        assert_eq!(a["region"], "ON");
        assert_eq!(a["latitude"], "43.6487");
        ok(&http, "POST", &path, &owner, Some(json!({"kind": "shipping", "line1": "1 Main St", "city": "Buffalo", "region": "NY", "postal_code": "14201-1234", "country": "US"}))).await;
        for (body, field) in [
            (
                json!({"kind": "shipping", "line1": "1", "city": "X", "region": "NY", "postal_code": "14201", "country": "CA"}),
                "region",
            ),
            (
                json!({"kind": "shipping", "line1": "1", "city": "X", "region": "ON", "postal_code": "14201", "country": "CA"}),
                "postal_code",
            ),
            (
                json!({"kind": "shipping", "line1": "1", "city": "X", "region": "NY", "postal_code": "K1A 0B1", "country": "US"}),
                "postal_code",
            ),
            (
                json!({"kind": "shipping", "line1": "1", "city": "X", "region": "NY", "postal_code": "14201", "country": "MX"}),
                "country",
            ),
            (
                json!({"kind": "shipping", "line1": "1", "city": "X", "region": "NY", "postal_code": "14201", "country": "US", "latitude": "95"}),
                "latitude",
            ),
            (
                json!({"kind": "office", "line1": "1", "city": "X", "region": "NY", "postal_code": "14201", "country": "US"}),
                "kind",
            ),
        ] {
            let res = call(&http, "POST", &path, Some(&owner), Some(body)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(res.json::<Value>().unwrap()["field"], field);
        }
        let full = ok(
            &http,
            "GET",
            &format!("orders-api/v1/customers/{c}"),
            &owner,
            None,
        )
        .await;
        assert_eq!(
            full["addresses"].as_array().unwrap().len(),
            2,
            "bad input changed nothing"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn csv_import_is_validated_all_or_nothing_and_not_kept() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "csv-co").await;
        customer(&http, &owner, "Existing Co").await;
        let before = files_under(&db.data_dir);

        let bad = "\u{feff}name,email,group,line1,city,region,postal_code,country\n\"Acme, Inc.\",buyer@acme.ca,West,\"1 \"\"Main\"\" St\",Vancouver,BC,V6B 1A1,CA\nNo Email Co,not-an-email,,,,,,\nAcme, Inc.,dup@acme.ca,,,,,,\nExisting Co,,,,,,,\nZip Co,,,2 Elm,Austin,TX,7870,US\n";
        let res = http
            .post("orders-api/v1/customers/import")
            .bearer(&owner.token)
            .body_bytes(bad.as_bytes().to_vec(), "text/csv")
            .send_raw()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        let report: Value = res.json().unwrap();
        let errors: Vec<(u64, String)> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_u64().unwrap(),
                    e["field"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(errors.contains(&(3, "email".into())), "{errors:?}");
        assert!(
            errors.contains(&(4, "row".into())) || errors.contains(&(4, "name".into())),
            "{errors:?}"
        );
        assert!(
            errors.contains(&(5, "name".into())),
            "existing customer: {errors:?}"
        );
        assert!(errors.contains(&(6, "postal_code".into())), "{errors:?}");
        let list = ok(&http, "GET", "orders-api/v1/customers", &owner, None).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "nothing half-imported");

        let good = "\u{feff}name,email,group,line1,city,region,postal_code,country,latitude,longitude\n\"Acme, Inc.\",buyer@acme.ca,West,\"1 \"\"Main\"\" St\",Vancouver,BC,v6b1a1,CA,49.28,-123.12\nLone Star Supply,orders@lonestar.example,South,2 Elm,Austin,TX,78701,US,,\n";
        let res = http
            .post("orders-api/v1/customers/import?dry_run=true")
            .bearer(&owner.token)
            .body_bytes(good.as_bytes().to_vec(), "text/csv")
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
        let report: Value = res.json().unwrap();
        assert_eq!(report["valid_rows"], 2);
        assert_eq!(report["created"], 0);
        assert_eq!(
            ok(&http, "GET", "orders-api/v1/customers", &owner, None)
                .await
                .as_array()
                .unwrap()
                .len(),
            1,
            "a dry run writes nothing"
        );

        let res = http
            .post("orders-api/v1/customers/import")
            .bearer(&owner.token)
            .body_bytes(good.as_bytes().to_vec(), "text/csv")
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let report: Value = res.json().unwrap();
        assert_eq!(report["created"], 2);
        assert_eq!(report["groups_created"], 2);
        let list = ok(&http, "GET", "orders-api/v1/customers?q=Acme", &owner, None).await;
        assert_eq!(list[0]["name"], "Acme, Inc.");
        let acme = ok(
            &http,
            "GET",
            &format!(
                "orders-api/v1/customers/{}",
                list[0]["id"].as_str().unwrap()
            ),
            &owner,
            None,
        )
        .await;
        assert_eq!(acme["addresses"][0]["line1"], "1 \"Main\" St");
        assert_eq!(acme["addresses"][0]["postal_code"], "V6B 1A1");

        // Importing the same file again: every row is a duplicate.
        let res = http
            .post("orders-api/v1/customers/import")
            .bearer(&owner.token)
            .body_bytes(good.as_bytes().to_vec(), "text/csv")
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The uploads were never written to disk.
        let after: Vec<_> = files_under(&db.data_dir)
            .into_iter()
            .filter(|p| !before.contains(p))
            .filter(|p| !p.to_string_lossy().contains("flux.sqlite"))
            .collect();
        assert!(after.is_empty(), "files left behind: {after:?}");
        app.stop().await;
    }
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
];

fn multipart(bytes: &[u8], filename: &str, content_type: &str) -> (Vec<u8>, String) {
    let boundary = "fluxboundary1234";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

#[tokio::test]
async fn products_images_lookup_and_soft_delete() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mut settings = db.settings();
        settings.orders.image_max_bytes = 1024;
        let app = crate::common::spawn_app_with(settings, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "prod-co").await;
        let p = product(&http, &owner, "WID-1", "19.99").await;

        // Scanner lookup by SKU and by barcode.
        assert_eq!(
            ok(
                &http,
                "GET",
                "orders-api/v1/products/lookup?code=WID-1",
                &owner,
                None
            )
            .await["id"],
            p.as_str()
        );
        assert_eq!(
            ok(
                &http,
                "GET",
                "orders-api/v1/products/lookup?code=0WID-1",
                &owner,
                None
            )
            .await["price"],
            "19.99"
        );
        let res = call(
            &http,
            "POST",
            "orders-api/v1/products",
            Some(&owner),
            Some(json!({"name": "Neg", "sku": "NEG", "price": "-1"})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<Value>().unwrap()["field"], "price");

        // Images: type and size checked by content.
        let (body, ct) = multipart(b"just text, not an image", "evil.png", "image/png");
        let res = http
            .post(&format!("orders-api/v1/products/{p}/images"))
            .bearer(&owner.token)
            .body_bytes(body, &ct)
            .send_raw()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        let (body, ct) = multipart(&vec![0x89; 4096], "big.png", "image/png");
        let res = http
            .post(&format!("orders-api/v1/products/{p}/images"))
            .bearer(&owner.token)
            .body_bytes(body, &ct)
            .send_raw()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            res.text()
        );
        let (body, ct) = multipart(PNG, "dot.png", "application/octet-stream");
        let res = http
            .post(&format!("orders-api/v1/products/{p}/images"))
            .bearer(&owner.token)
            .body_bytes(body, &ct)
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text());
        let img: Value = res.json().unwrap();
        assert_eq!(img["content_type"], "image/png");
        let res = http
            .get(&format!(
                "orders-api/v1/images/{}",
                img["id"].as_str().unwrap()
            ))
            .bearer(&owner.token)
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.bytes().as_ref(), PNG);
        let image_dir = db.data_dir.join("orders-images");
        assert_eq!(files_under(&image_dir).len(), 1);

        // Group images go with their group.
        let g = ok(
            &http,
            "POST",
            "orders-api/v1/product-groups",
            &owner,
            Some(json!({"name": "Widgets"})),
        )
        .await;
        let gid = g["id"].as_str().unwrap();
        let (body, ct) = multipart(PNG, "g.png", "image/png");
        let res = http
            .post(&format!("orders-api/v1/product-groups/{gid}/images"))
            .bearer(&owner.token)
            .body_bytes(body, &ct)
            .send_raw()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(files_under(&image_dir).len(), 2);
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/product-groups/{gid}"),
            &owner,
            None,
        )
        .await;
        assert_eq!(
            files_under(&image_dir).len(),
            1,
            "the group's image file is gone"
        );

        // Soft delete: hidden, listable by admins, restorable; the image stays meanwhile.
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/products/{p}"),
            &owner,
            None,
        )
        .await;
        assert!(
            ok(&http, "GET", "orders-api/v1/products", &owner, None)
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            call(
                &http,
                "GET",
                "orders-api/v1/products/lookup?code=WID-1",
                Some(&owner),
                None
            )
            .await
            .status(),
            StatusCode::NOT_FOUND
        );
        let deleted = ok(
            &http,
            "GET",
            "orders-api/v1/products?deleted=only",
            &owner,
            None,
        )
        .await;
        assert_eq!(deleted[0]["id"], p.as_str());
        assert!(deleted[0]["deleted_at"].is_string());
        assert_eq!(files_under(&image_dir).len(), 1);
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/products/{p}/restore"),
            &owner,
            None,
        )
        .await;
        assert_eq!(
            ok(&http, "GET", "orders-api/v1/products", &owner, None)
                .await
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // Purge needs a deleted record; afterwards the row and the file are gone.
        assert_eq!(
            call(
                &http,
                "DELETE",
                &format!("orders-api/v1/products/{p}/purge"),
                Some(&owner),
                None
            )
            .await
            .status(),
            StatusCode::CONFLICT
        );
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/products/{p}"),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/products/{p}/purge"),
            &owner,
            None,
        )
        .await;
        assert_eq!(
            call(
                &http,
                "GET",
                "orders-api/v1/products?deleted=include",
                Some(&owner),
                None
            )
            .await
            .json::<Value>()
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
            0
        );
        assert!(
            files_under(&image_dir).is_empty(),
            "the image file is deleted with its product"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn customers_and_users_soft_delete_restore_and_purge() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "soft-co").await;
        let c = customer(&http, &owner, "Gone Soon").await;
        let staff = user(&http, &owner, "staff", None).await;
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/customers/{c}"),
            &owner,
            None,
        )
        .await;
        assert!(
            ok(&http, "GET", "orders-api/v1/customers", &owner, None)
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            call(
                &http,
                "GET",
                &format!("orders-api/v1/customers/{c}"),
                Some(&staff),
                None
            )
            .await
            .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ok(
                &http,
                "GET",
                "orders-api/v1/customers?deleted=only",
                &owner,
                None
            )
            .await[0]["id"],
            c.as_str()
        );
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/customers/{c}/restore"),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "GET",
            &format!("orders-api/v1/customers/{c}"),
            &staff,
            None,
        )
        .await;
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/customers/{c}"),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/customers/{c}/purge"),
            &owner,
            None,
        )
        .await;
        assert!(
            ok(
                &http,
                "GET",
                "orders-api/v1/customers?deleted=include",
                &owner,
                None
            )
            .await
            .as_array()
            .unwrap()
            .is_empty()
        );

        // A deleted user is signed out and cannot sign in; restored, they can.
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/users/{}", staff.id),
            &owner,
            None,
        )
        .await;
        assert_eq!(
            call(&http, "GET", "orders-api/v1/auth/me", Some(&staff), None)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        let listed = ok(
            &http,
            "GET",
            "orders-api/v1/users?deleted=only",
            &owner,
            None,
        )
        .await;
        assert_eq!(listed[0]["id"], staff.id.as_str());
        ok(
            &http,
            "POST",
            &format!("orders-api/v1/users/{}/restore", staff.id),
            &owner,
            None,
        )
        .await;
        let email = listed[0]["email"].as_str().unwrap().to_owned();
        assert_eq!(
            login(&http, "soft-co", &email, PASSWORD).await.status(),
            StatusCode::OK
        );
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/users/{}", staff.id),
            &owner,
            None,
        )
        .await;
        ok(
            &http,
            "DELETE",
            &format!("orders-api/v1/users/{}/purge", staff.id),
            &owner,
            None,
        )
        .await;
        assert_eq!(
            ok(
                &http,
                "GET",
                "orders-api/v1/users?deleted=include",
                &owner,
                None
            )
            .await
            .as_array()
            .unwrap()
            .len(),
            1
        );
        app.stop().await;
    }
}
