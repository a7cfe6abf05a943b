//! Tenant credentials in the vault: stored sealed, returned masked, opened only to call a
//! provider.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use secrecy::SecretString;
use serde::Serialize;
use uuid::Uuid;

use crate::entity::credential;
use crate::tenancy::{TenantId, scoped};
use crate::vault::{Sealed, Vault, VaultError, mask};

/// Why a credential operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// What the API shows of a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CredentialView {
    /// Provider.
    pub provider: String,
    /// Which credential.
    pub name: String,
    /// The value, masked (`••••abcd`).
    pub masked: String,
    /// Expiry, when the credential has one.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<credential::Model> for CredentialView {
    fn from(m: credential::Model) -> Self {
        Self {
            provider: m.provider,
            name: m.name,
            masked: m.masked,
            expires_at: m.expires_at,
            updated_at: m.updated_at,
        }
    }
}

/// Sealed credentials of every tenant.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    db: DatabaseConnection,
    vault: Vault,
}

fn owner(tenant: TenantId, provider: &str, name: &str) -> Vec<u8> {
    format!("{tenant}/{provider}/{name}").into_bytes()
}

impl CredentialStore {
    /// A store over `db` sealing with `vault`.
    pub fn new(db: DatabaseConnection, vault: Vault) -> Self {
        Self { db, vault }
    }

    /// Stores (or replaces) a credential.
    pub async fn put(
        &self,
        tenant: TenantId,
        provider: &str,
        name: &str,
        secret: &SecretString,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<CredentialView, CredentialError> {
        let sealed = self.vault.seal(secret, &owner(tenant, provider, name))?;
        let now = Utc::now();
        let existing = self.find(tenant, provider, name).await?;
        let model = match existing {
            Some(row) => {
                let mut active: credential::ActiveModel = row.into();
                active.key_id = Set(sealed.key_id);
                active.nonce = Set(sealed.nonce);
                active.ciphertext = Set(sealed.ciphertext);
                active.masked = Set(mask(secret));
                active.expires_at = Set(expires_at);
                active.updated_at = Set(now);
                active.update(&self.db).await?
            }
            None => {
                credential::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant.0),
                    provider: Set(provider.to_owned()),
                    name: Set(name.to_owned()),
                    key_id: Set(sealed.key_id),
                    nonce: Set(sealed.nonce),
                    ciphertext: Set(sealed.ciphertext),
                    masked: Set(mask(secret)),
                    expires_at: Set(expires_at),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&self.db)
                .await?
            }
        };
        Ok(model.into())
    }

    /// Opens a credential to call its provider.
    pub async fn get(
        &self,
        tenant: TenantId,
        provider: &str,
        name: &str,
    ) -> Result<Option<SecretString>, CredentialError> {
        let Some(row) = self.find(tenant, provider, name).await? else {
            return Ok(None);
        };
        let sealed = Sealed {
            key_id: row.key_id,
            nonce: row.nonce,
            ciphertext: row.ciphertext,
        };
        Ok(Some(
            self.vault.open(&sealed, &owner(tenant, provider, name))?,
        ))
    }

    /// The tenant's credentials, masked.
    pub async fn list(&self, tenant: TenantId) -> Result<Vec<CredentialView>, CredentialError> {
        Ok(scoped::<credential::Entity>(tenant)
            .all(&self.db)
            .await?
            .into_iter()
            .map(CredentialView::from)
            .collect())
    }

    /// Deletes every credential of `provider` for the tenant.
    pub async fn delete_provider(
        &self,
        tenant: TenantId,
        provider: &str,
    ) -> Result<u64, CredentialError> {
        Ok(credential::Entity::delete_many()
            .filter(credential::Column::TenantId.eq(tenant.0))
            .filter(credential::Column::Provider.eq(provider))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    async fn find(
        &self,
        tenant: TenantId,
        provider: &str,
        name: &str,
    ) -> Result<Option<credential::Model>, sea_orm::DbErr> {
        scoped::<credential::Entity>(tenant)
            .filter(credential::Column::Provider.eq(provider))
            .filter(credential::Column::Name.eq(name))
            .one(&self.db)
            .await
    }
}
