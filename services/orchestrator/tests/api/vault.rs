//! Credentials are sealed at rest, masked in views, and scoped to their tenant.

use flux_orchestrator::tenancy::{TenantId, TenantKind, ensure_tenant};
use sea_orm::{ConnectionTrait, Statement};
use secrecy::{ExposeSecret, SecretString};

use crate::common::{TestDb, backends, spawn_app};

const SECRET: &str = "fan-courier-password-Zq81!x";

#[tokio::test]
async fn raw_database_holds_no_plaintext_secret() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let state = app.state().clone();
        let shop = ensure_tenant(
            &state.db,
            TenantKind::Shop,
            "vault-test.myshopify.com",
            "Vault test",
        )
        .await
        .unwrap();
        let tenant = TenantId(shop.id);
        let view = state
            .credentials
            .put(
                tenant,
                "fancourier",
                "password",
                &SecretString::from(SECRET),
                None,
            )
            .await
            .unwrap();
        assert_eq!(view.masked, "••••81!x");
        assert!(!format!("{view:?}").contains(SECRET));

        // Every column of every credentials row, as the database returns it.
        let rows = state
            .db
            .query_all_raw(Statement::from_string(
                state.db.get_database_backend(),
                "SELECT * FROM credentials",
            ))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let dump = format!("{rows:?}");
        assert!(!dump.contains(SECRET), "{backend:?}: plaintext in a row");
        assert!(
            !dump.contains(&hex_of(SECRET)),
            "{backend:?}: plaintext bytes in a row"
        );

        if backend == crate::common::Backend::Sqlite {
            // The whole database file and its WAL, byte by byte.
            for file in ["flux.sqlite", "flux.sqlite-wal"] {
                if let Ok(bytes) = std::fs::read(db.data_dir.join(file)) {
                    assert!(
                        !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                        "plaintext secret found in {file}"
                    );
                }
            }
        }

        let opened = state
            .credentials
            .get(tenant, "fancourier", "password")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(opened.expose_secret(), SECRET);
        app.stop().await;
    }
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn one_tenant_never_sees_anothers_credentials() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let app = spawn_app(&db, vec![]).await;
        let state = app.state().clone();
        let a = TenantId(
            ensure_tenant(&state.db, TenantKind::Shop, "a.myshopify.com", "A")
                .await
                .unwrap()
                .id,
        );
        let b = TenantId(
            ensure_tenant(&state.db, TenantKind::Organization, "b-distribution", "B")
                .await
                .unwrap()
                .id,
        );
        state
            .credentials
            .put(
                a,
                "oblio",
                "api_secret",
                &SecretString::from("secret-of-tenant-a-000"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(state.credentials.list(a).await.unwrap().len(), 1);
        assert!(state.credentials.list(b).await.unwrap().is_empty());
        assert!(
            state
                .credentials
                .get(b, "oblio", "api_secret")
                .await
                .unwrap()
                .is_none()
        );
        // Re-sealing replaces, never duplicates.
        state
            .credentials
            .put(
                a,
                "oblio",
                "api_secret",
                &SecretString::from("rotated-secret-of-a-1"),
                None,
            )
            .await
            .unwrap();
        let list = state.credentials.list(a).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].masked, "••••-a-1");
        app.stop().await;
    }
}
