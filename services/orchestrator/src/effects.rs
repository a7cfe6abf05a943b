//! The effects ledger: every side effect that costs money or reaches a customer (an AWB, an
//! invoice, a fulfillment, an accounting document, an email) happens at most once per
//! intent.
//!
//! Before the provider call, [`EffectLedger::run`] records the intent under its idempotency
//! key; after it, the outcome. When a previous attempt's outcome is unknown (the call may
//! have reached the provider, or the process died between the call and the write), it
//! reconciles before doing anything: it asks the provider for the effect by our reference
//! ([`Reconcile::Lookup`]), or re-sends with the same idempotency key when the provider
//! deduplicates ([`Reconcile::ProviderDeduplicates`]), and otherwise parks the effect for a
//! person to decide ([`Reconcile::Impossible`]) instead of risking a second one.
//!
//! ```text
//!            begin ──► pending ──call ok──► succeeded
//!                         │  └─call failed, not sent──► failed ──(retry)──► pending
//!                         └─maybe sent / crash──► unknown ──reconcile──► succeeded | pending | parked
//! ```

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use flux_core::ProviderError;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::effect;
use crate::tenancy::{TenantId, scoped};

/// The states of an effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EffectState {
    /// Intent recorded; the call is in progress (or its process died).
    Pending,
    /// Done; the outcome is recorded.
    Succeeded,
    /// The provider certainly did not perform it; it may be attempted again.
    Failed,
    /// The call may have reached the provider; reconcile before anything else.
    Unknown,
    /// A person must decide (the outcome cannot be determined automatically, or the
    /// provider refused permanently).
    Parked,
}

impl EffectState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EffectState::Pending => "pending",
            EffectState::Succeeded => "succeeded",
            EffectState::Failed => "failed",
            EffectState::Unknown => "unknown",
            EffectState::Parked => "parked",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => EffectState::Pending,
            "succeeded" => EffectState::Succeeded,
            "failed" => EffectState::Failed,
            "unknown" => EffectState::Unknown,
            "parked" => EffectState::Parked,
            _ => return None,
        })
    }
}

/// One intended effect.
#[derive(Debug, Clone)]
pub struct EffectSpec {
    /// The owner.
    pub tenant: TenantId,
    /// `awb`, `invoice`, `fulfillment`, `accounting_document`, `email`.
    pub kind: &'static str,
    /// Provider id (`fancourier`, `oblio`…).
    pub provider: &'static str,
    /// Our key for the intent, unique per tenant (e.g. `awb:order-1001`).
    pub idempotency_key: String,
    /// What is asked, kept for people and for reconciliation.
    pub request: serde_json::Value,
}

/// What the provider did, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectOutcome {
    /// The provider's id for it (AWB number, `FCT 123`).
    pub provider_reference: String,
    /// Details worth keeping (price, link, ids).
    pub details: serde_json::Value,
}

/// How an unknown outcome can be settled for this provider.
pub enum Reconcile<'a> {
    /// Ask the provider by our reference: `Some` means it exists, `None` that it does not.
    Lookup(
        std::pin::Pin<
            Box<dyn Future<Output = Result<Option<EffectOutcome>, ProviderError>> + Send + 'a>,
        >,
    ),
    /// The provider deduplicates by our idempotency key (Oblio `idempotencyKey`,
    /// QuickBooks `requestid`, Shopify idempotency keys): sending again is safe.
    ProviderDeduplicates,
    /// Nothing can tell; a person must check.
    Impossible,
}

/// Why an effect did not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EffectError {
    /// The provider failed; retry later if the error is retryable.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The effect is parked for a person.
    #[error("effect {key} is parked: {reason}")]
    Parked {
        /// The idempotency key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl From<EffectError> for crate::jobs::JobError {
    fn from(e: EffectError) -> Self {
        match e {
            EffectError::Provider(p) => p.into(),
            EffectError::Parked { .. } => crate::jobs::JobError::permanent(e.to_string()),
            EffectError::Db(db) => db.into(),
        }
    }
}

/// The ledger.
#[derive(Debug, Clone)]
pub struct EffectLedger {
    db: DatabaseConnection,
    lease: Duration,
}

impl EffectLedger {
    /// A ledger over `db`; an attempt holds its effect for 5 minutes at most.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            lease: Duration::from_secs(300),
        }
    }

    /// How long an attempt holds its effect (set it to the job lease): another worker that
    /// finds the effect pending waits this long before it treats the attempt as dead and
    /// reconciles.
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Performs `spec` at most once: returns the recorded outcome if it already happened,
    /// reconciles an unknown outcome, and otherwise runs `perform`, recording the result.
    ///
    /// `reconcile` is only called when a previous attempt's outcome is unknown.
    pub async fn run<'a, P, PF, R>(
        &self,
        spec: &EffectSpec,
        reconcile: R,
        perform: P,
    ) -> Result<EffectOutcome, EffectError>
    where
        P: FnOnce() -> PF,
        PF: Future<Output = Result<EffectOutcome, ProviderError>>,
        R: FnOnce() -> Reconcile<'a>,
    {
        let row = self.begin(spec).await?;
        let now = Utc::now();
        if let Some(until) = row.locked_until
            && until > now
            && matches!(EffectState::parse(&row.state), Some(EffectState::Pending))
        {
            return Err(in_progress(
                spec,
                (until - now).to_std().unwrap_or_default(),
            ));
        }
        match EffectState::parse(&row.state) {
            Some(EffectState::Succeeded) => return Ok(stored_outcome(&row)),
            Some(EffectState::Parked) => {
                return Err(EffectError::Parked {
                    key: spec.idempotency_key.clone(),
                    reason: row.last_error.unwrap_or_else(|| "parked".into()),
                });
            }
            Some(EffectState::Pending | EffectState::Unknown) if row.attempts > 0 => {
                // A previous attempt started and its outcome was never recorded. Take the
                // effect first, so no other worker reconciles or performs it meanwhile.
                if !self.claim(&row).await? {
                    return Err(in_progress(spec, self.lease));
                }
                match reconcile() {
                    Reconcile::Lookup(lookup) => match lookup.await {
                        Ok(Some(found)) => {
                            self.succeed(row.id, &found).await?;
                            tracing::info!(key = %spec.idempotency_key, reference = %found.provider_reference, "reconciled an effect that had happened");
                            return Ok(found);
                        }
                        Ok(None) => {
                            tracing::info!(key = %spec.idempotency_key, "reconciled: the provider has no such effect; performing it");
                        }
                        Err(e) if e.is_retryable() => return Err(e.into()),
                        Err(e) => {
                            let reason = format!(
                                "the outcome of an earlier attempt is unknown and {} could not be searched ({e}); check {} for {} and resolve this effect",
                                spec.provider, spec.provider, spec.idempotency_key
                            );
                            self.park(row.id, &reason).await?;
                            return Err(EffectError::Parked {
                                key: spec.idempotency_key.clone(),
                                reason,
                            });
                        }
                    },
                    Reconcile::ProviderDeduplicates => {}
                    Reconcile::Impossible => {
                        let reason = format!(
                            "the outcome of an earlier attempt is unknown and {} cannot be searched by our reference; check {} for {} and resolve this effect",
                            spec.provider, spec.provider, spec.idempotency_key
                        );
                        self.park(row.id, &reason).await?;
                        return Err(EffectError::Parked {
                            key: spec.idempotency_key.clone(),
                            reason,
                        });
                    }
                }
            }
            _ => {
                if !self.claim(&row).await? {
                    return Err(in_progress(spec, self.lease));
                }
            }
        }
        match perform().await {
            Ok(outcome) => {
                self.succeed(row.id, &outcome).await?;
                Ok(outcome)
            }
            Err(e) => {
                // Maybe sent: reconcile next time. Otherwise the provider did not act, and
                // the effect may be attempted again (after a fix, for a permanent error).
                let state = if e.maybe_sent() {
                    EffectState::Unknown
                } else {
                    EffectState::Failed
                };
                self.set_state(row.id, state, Some(&e.to_string())).await?;
                Err(e.into())
            }
        }
    }

    /// The effect recorded for `key`, if any.
    pub async fn find(&self, tenant: TenantId, key: &str) -> Result<Option<effect::Model>, DbErr> {
        scoped::<effect::Entity>(tenant)
            .filter(effect::Column::IdempotencyKey.eq(key))
            .one(&self.db)
            .await
    }

    /// A person's decision on a parked or unknown effect: it happened (with the provider's
    /// reference), or it did not (so it may be performed again).
    pub async fn resolve(
        &self,
        id: Uuid,
        happened: Option<EffectOutcome>,
    ) -> Result<effect::Model, EffectError> {
        let row = effect::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| EffectError::Db(DbErr::RecordNotFound(format!("effect {id}"))))?;
        match happened {
            Some(outcome) => self.succeed(row.id, &outcome).await?,
            None => {
                self.set_state(
                    row.id,
                    EffectState::Failed,
                    Some("resolved by a person: did not happen"),
                )
                .await?
            }
        }
        Ok(effect::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .unwrap_or(row))
    }

    async fn begin(&self, spec: &EffectSpec) -> Result<effect::Model, DbErr> {
        let now = Utc::now();
        let row = effect::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(spec.tenant.0),
            kind: Set(spec.kind.to_owned()),
            provider: Set(spec.provider.to_owned()),
            idempotency_key: Set(spec.idempotency_key.clone()),
            state: Set(EffectState::Pending.as_str().to_owned()),
            request: Set(spec.request.clone()),
            outcome: Set(None),
            provider_reference: Set(None),
            last_error: Set(None),
            attempts: Set(0),
            locked_until: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        // A conflict means the intent was recorded before: read it back either way.
        effect::Entity::insert(row)
            .on_conflict_do_nothing_on([effect::Column::TenantId, effect::Column::IdempotencyKey])
            .exec(&self.db)
            .await?;
        self.find(spec.tenant, &spec.idempotency_key)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("effect {}", spec.idempotency_key)))
    }

    /// Takes the effect for one attempt: counts it and sets the lease, but only if nobody
    /// else took it since `row` was read (optimistic check on the attempt count).
    async fn claim(&self, row: &effect::Model) -> Result<bool, DbErr> {
        let now = Utc::now();
        let until =
            now + chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::minutes(5));
        let res = effect::Entity::update_many()
            .filter(effect::Column::Id.eq(row.id))
            .filter(effect::Column::Attempts.eq(row.attempts))
            .filter(
                sea_orm::Condition::any()
                    .add(effect::Column::LockedUntil.is_null())
                    .add(effect::Column::LockedUntil.lt(now)),
            )
            .col_expr(effect::Column::State, EffectState::Pending.as_str().into())
            .col_expr(effect::Column::Attempts, (row.attempts + 1).into())
            .col_expr(effect::Column::LockedUntil, Some(until).into())
            .col_expr(effect::Column::UpdatedAt, now.into())
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    async fn succeed(&self, id: Uuid, outcome: &EffectOutcome) -> Result<(), DbErr> {
        effect::Entity::update_many()
            .filter(effect::Column::Id.eq(id))
            .col_expr(
                effect::Column::State,
                EffectState::Succeeded.as_str().into(),
            )
            .col_expr(
                effect::Column::ProviderReference,
                Some(outcome.provider_reference.clone()).into(),
            )
            .col_expr(
                effect::Column::Outcome,
                Some(outcome.details.clone()).into(),
            )
            .col_expr(effect::Column::LastError, Option::<String>::None.into())
            .col_expr(
                effect::Column::LockedUntil,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .col_expr(effect::Column::UpdatedAt, Utc::now().into())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    async fn park(&self, id: Uuid, reason: &str) -> Result<(), DbErr> {
        self.set_state(id, EffectState::Parked, Some(reason)).await
    }

    async fn set_state(
        &self,
        id: Uuid,
        state: EffectState,
        error: Option<&str>,
    ) -> Result<(), DbErr> {
        effect::Entity::update_many()
            .filter(effect::Column::Id.eq(id))
            .col_expr(effect::Column::State, state.as_str().into())
            .col_expr(effect::Column::LastError, error.map(str::to_owned).into())
            .col_expr(
                effect::Column::LockedUntil,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .col_expr(effect::Column::UpdatedAt, Utc::now().into())
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

fn in_progress(spec: &EffectSpec, wait: Duration) -> EffectError {
    let wait = wait.max(Duration::from_millis(100));
    EffectError::Provider(
        ProviderError::new(
            flux_core::ErrorKind::Unavailable,
            spec.provider,
            format!(
                "another attempt of effect {} is in progress",
                spec.idempotency_key
            ),
        )
        .with_retry_after(wait),
    )
}

fn stored_outcome(row: &effect::Model) -> EffectOutcome {
    EffectOutcome {
        provider_reference: row.provider_reference.clone().unwrap_or_default(),
        details: row.outcome.clone().unwrap_or(serde_json::Value::Null),
    }
}
