//! FluxOrders authentication: argon2id passwords, throttled sign-in, database sessions
//! that expire and are swept, hashed API tokens with abilities, expiry, revocation and
//! last use, logout and password change.

use std::time::Duration;

use chrono::Utc;
use flux_http::StatusCode;
use flux_orchestrator::jobs::NewJob;
use flux_orchestrator::jobs::queue::enqueue;
use flux_orchestrator::orders::entity::{api_token, session, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::common::{TestDb, backends, eventually, spawn_app};
use crate::orders_support::*;

#[tokio::test]
async fn passwords_are_argon2id_and_sign_in_is_throttled() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "maple-foods").await;

        let rows = user::Entity::find().all(&app.state().db).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0].password_hash.starts_with("$argon2id$"),
            "{backend:?}"
        );
        assert!(!rows[0].password_hash.contains(PASSWORD));

        let res = login(&http, "maple-foods", "owner@maple-foods.example", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = login(
            &http,
            "maple-foods",
            "owner@maple-foods.example",
            "wrong password!",
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.json::<Value>().unwrap()["error"], "unauthorized");
        // An unknown account answers the same.
        let res = login(&http, "maple-foods", "nobody@maple-foods.example", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        for _ in 0..4 {
            login(
                &http,
                "maple-foods",
                "owner@maple-foods.example",
                "wrong password!",
            )
            .await;
        }
        // Five failures: even the right password is refused for a while.
        let res = login(&http, "maple-foods", "owner@maple-foods.example", PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            res.text()
        );
        // The existing session is unaffected.
        ok(&http, "GET", "orders-api/v1/auth/me", &owner, None).await;
        app.stop().await;
    }
}

#[tokio::test]
async fn sessions_expire_are_refused_and_swept_and_logout_ends_them() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let mut settings = db.settings();
        settings.orders.session_lifetime_minutes = 30;
        let app = crate::common::spawn_app_with(settings, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "sess-co").await;
        let me = ok(&http, "GET", "orders-api/v1/auth/me", &owner, None).await;
        assert_eq!(me["role"], "owner");
        let row = session::Entity::find()
            .one(&app.state().db)
            .await
            .unwrap()
            .unwrap();
        let lifetime = row.expires_at - row.created_at;
        assert_eq!(lifetime.num_minutes(), 30, "configurable lifetime");
        assert!(!row.token_hash.contains("fos_"), "only the hash is stored");

        // Expire it: refused.
        session::Entity::update_many()
            .col_expr(
                session::Column::ExpiresAt,
                (Utc::now() - chrono::Duration::minutes(1)).into(),
            )
            .exec(&app.state().db)
            .await
            .unwrap();
        let res = call(&http, "GET", "orders-api/v1/auth/me", Some(&owner), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // Another expired session that is never used again is swept by the job.
        let res = login(&http, "sess-co", "owner@sess-co.example", PASSWORD).await;
        let token: Value = res.json().unwrap();
        let second = Who {
            token: SecretString::from(token["token"].as_str().unwrap().to_owned()),
            id: owner.id.clone(),
            org: owner.org.clone(),
        };
        session::Entity::update_many()
            .col_expr(
                session::Column::ExpiresAt,
                (Utc::now() - chrono::Duration::minutes(1)).into(),
            )
            .exec(&app.state().db)
            .await
            .unwrap();
        enqueue(&app.state().db, NewJob::new("orders.sweep", json!({})))
            .await
            .unwrap();
        let state = app.state().clone();
        assert!(
            eventually(Duration::from_secs(10), || {
                let db = state.db.clone();
                async move { session::Entity::find().all(&db).await.unwrap().is_empty() }
            })
            .await,
            "expired sessions swept ({backend:?})"
        );
        let res = call(&http, "GET", "orders-api/v1/auth/me", Some(&second), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // Logout ends the session.
        let res = login(&http, "sess-co", "owner@sess-co.example", PASSWORD).await;
        let token: Value = res.json().unwrap();
        let third = Who {
            token: SecretString::from(token["token"].as_str().unwrap().to_owned()),
            id: owner.id.clone(),
            org: owner.org.clone(),
        };
        ok(&http, "GET", "orders-api/v1/auth/me", &third, None).await;
        let res = call(
            &http,
            "POST",
            "orders-api/v1/auth/logout",
            Some(&third),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = call(&http, "GET", "orders-api/v1/auth/me", Some(&third), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        app.stop().await;
    }
}

#[tokio::test]
async fn api_tokens_are_hashed_scoped_expiring_revocable_and_track_last_use() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "token-co").await;
        let created = ok(
            &http,
            "POST",
            "orders-api/v1/auth/tokens",
            &owner,
            Some(json!({"name": "Warehouse iPad", "abilities": ["products:read"]})),
        )
        .await;
        let value = created["token"].as_str().unwrap().to_owned();
        assert!(value.starts_with("fot_"));
        let tok = Who {
            token: SecretString::from(value.clone()),
            id: owner.id.clone(),
            org: owner.org.clone(),
        };

        // Stored hashed; listed without the value.
        let raw = api_token::Entity::find()
            .one(&app.state().db)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(raw.token_hash, value);
        assert!(raw.last_used_at.is_none());
        let listed = ok(&http, "GET", "orders-api/v1/auth/tokens", &owner, None).await;
        assert!(!listed.to_string().contains(&value));
        assert_eq!(listed[0]["name"], "Warehouse iPad");

        // Abilities limit it.
        ok(&http, "GET", "orders-api/v1/products", &tok, None).await;
        let res = call(&http, "GET", "orders-api/v1/orders", Some(&tok), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let raw = api_token::Entity::find()
            .one(&app.state().db)
            .await
            .unwrap()
            .unwrap();
        assert!(raw.last_used_at.is_some(), "last use recorded");

        // Bad input changes nothing.
        let res = call(
            &http,
            "POST",
            "orders-api/v1/auth/tokens",
            Some(&owner),
            Some(json!({"name": "x", "abilities": ["root"]})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<Value>().unwrap()["field"], "abilities[0]");

        // Expired: refused.
        let second = ok(&http, "POST", "orders-api/v1/auth/tokens", &owner, Some(json!({"name": "Short", "abilities": ["*"], "expires_at": (Utc::now() + chrono::Duration::hours(1)).to_rfc3339()}))).await;
        let short = Who {
            token: SecretString::from(second["token"].as_str().unwrap().to_owned()),
            id: owner.id.clone(),
            org: owner.org.clone(),
        };
        ok(&http, "GET", "orders-api/v1/orders", &short, None).await;
        api_token::Entity::update_many()
            .filter(api_token::Column::Name.eq("Short"))
            .col_expr(
                api_token::Column::ExpiresAt,
                Some(Utc::now() - chrono::Duration::seconds(1)).into(),
            )
            .exec(&app.state().db)
            .await
            .unwrap();
        let res = call(&http, "GET", "orders-api/v1/orders", Some(&short), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // Revoked: refused.
        let id = created["id"].as_str().unwrap();
        let res = call(
            &http,
            "DELETE",
            &format!("orders-api/v1/auth/tokens/{id}"),
            Some(&owner),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = call(&http, "GET", "orders-api/v1/products", Some(&tok), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        app.stop().await;
    }
}

#[tokio::test]
async fn password_change_keeps_this_session_and_revokes_the_rest() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let http = api(&app);
        let owner = organization(&http, "pw-co").await;
        let res = login(&http, "pw-co", "owner@pw-co.example", PASSWORD).await;
        let other: Value = res.json().unwrap();
        let other = Who {
            token: SecretString::from(other["token"].as_str().unwrap().to_owned()),
            id: owner.id.clone(),
            org: owner.org.clone(),
        };
        let t = ok(
            &http,
            "POST",
            "orders-api/v1/auth/tokens",
            &owner,
            Some(json!({"name": "app", "abilities": ["*"]})),
        )
        .await;
        let tok = Who {
            token: SecretString::from(t["token"].as_str().unwrap().to_owned()),
            id: owner.id.clone(),
            org: owner.org.clone(),
        };

        let res = call(&http, "POST", "orders-api/v1/auth/password", Some(&owner), Some(json!({"current_password": "nope nope nope", "new_password": "a much better password"}))).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<Value>().unwrap()["field"], "current_password");
        let res = call(
            &http,
            "POST",
            "orders-api/v1/auth/password",
            Some(&owner),
            Some(json!({"current_password": PASSWORD, "new_password": "a much better password"})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", res.text());

        ok(&http, "GET", "orders-api/v1/auth/me", &owner, None).await;
        assert_eq!(
            call(&http, "GET", "orders-api/v1/auth/me", Some(&other), None)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call(&http, "GET", "orders-api/v1/auth/me", Some(&tok), None)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login(&http, "pw-co", "owner@pw-co.example", PASSWORD)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login(
                &http,
                "pw-co",
                "owner@pw-co.example",
                "a much better password"
            )
            .await
            .status(),
            StatusCode::OK
        );
        app.stop().await;
    }
}
