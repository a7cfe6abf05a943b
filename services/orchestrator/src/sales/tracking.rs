//! Tracking: a recurring job follows every open shipment, stores its events and
//! normalized status, mirrors the status into a Shopify fulfillment event, and marks a
//! delivered cash-on-delivery order paid when the shop asked for it.

use chrono::Utc;
use flux_core::ShipmentId;
use flux_core::courier::TrackingStatus;
use flux_shopify::ops::fulfillments::{FulfillmentEventInput, FulfillmentEventStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

use super::entity::{courier_account, order, shipment};
use crate::effects::{EffectOutcome, EffectSpec, Reconcile};
use crate::jobs::JobError;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

fn shopify_status(s: TrackingStatus) -> Option<FulfillmentEventStatus> {
    Some(match s {
        TrackingStatus::PickedUp => FulfillmentEventStatus::CarrierPickedUp,
        TrackingStatus::InTransit => FulfillmentEventStatus::InTransit,
        TrackingStatus::OutForDelivery => FulfillmentEventStatus::OutForDelivery,
        TrackingStatus::ReadyForPickup => FulfillmentEventStatus::ReadyForPickup,
        TrackingStatus::Delivered => FulfillmentEventStatus::Delivered,
        TrackingStatus::DeliveryFailed => FulfillmentEventStatus::AttemptedDelivery,
        TrackingStatus::Returned => FulfillmentEventStatus::Failure,
        _ => return None,
    })
}

/// Tracks up to 200 open shipments (the least recently tracked first).
pub async fn run(state: &AppState) -> Result<(), JobError> {
    use sea_orm::QueryOrder;
    let open = shipment::Entity::find()
        .filter(shipment::Column::Status.eq("active"))
        .filter(shipment::Column::TrackingStatus.is_not_in(["delivered", "returned", "cancelled"]))
        .order_by_asc(shipment::Column::LastTrackedAt)
        .limit(200)
        .all(&state.db)
        .await?;
    for ship in open {
        let tenant = TenantId(ship.tenant_id);
        if super::active_shop(&state.db, tenant).await?.is_none() {
            continue;
        }
        if let Err(e) = track_one(state, tenant, &ship).await {
            tracing::warn!(shipment = %ship.id, error = %e, "tracking failed");
        }
    }
    Ok(())
}

async fn track_one(
    state: &AppState,
    tenant: TenantId,
    ship: &shipment::Model,
) -> Result<(), JobError> {
    let Some(acc) = scoped::<courier_account::Entity>(tenant)
        .filter(courier_account::Column::Id.eq(ship.account_id.unwrap_or_default()))
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    let courier = super::providers::courier_for(state, &acc).await?;
    let result = courier
        .track(&[ShipmentId::awb(ship.awb.clone())])
        .await?
        .into_iter()
        .next();
    let now = Utc::now();
    let Some(result) = result.filter(|r| r.found) else {
        shipment::Entity::update_many()
            .filter(shipment::Column::Id.eq(ship.id))
            .col_expr(shipment::Column::LastTrackedAt, Some(now).into())
            .exec(&state.db)
            .await?;
        return Ok(());
    };
    let status = result.status.as_str();
    let changed = status != ship.tracking_status;
    let mut a: shipment::ActiveModel = ship.clone().into();
    a.tracking_status = Set(status.to_owned());
    a.events = Set(serde_json::to_value(&result.events).unwrap_or(json!([])));
    a.last_tracked_at = Set(Some(now));
    if result.status == TrackingStatus::Delivered {
        a.delivered_at = Set(result
            .delivered_at
            .map(|d| d.with_timezone(&Utc))
            .or(Some(now)));
    }
    a.updated_at = Set(now);
    // The shipment and the order status it implies commit together (a status left
    // behind would never be recomputed: a delivered shipment is not tracked again).
    let txn = state.db.begin().await?;
    let ship = a.update(&txn).await?;
    super::orders::set_status(&txn, tenant, ship.order_id).await?;
    txn.commit().await?;
    if !changed {
        return Ok(());
    }
    let Some(shop) = super::active_shop(&state.db, tenant).await? else {
        return Ok(());
    };
    let admin = state.sales.admin(&shop.shop_domain)?;
    if let (Some(fid), Some(ev)) = (&ship.fulfillment_id, shopify_status(result.status)) {
        let spec = EffectSpec {
            tenant,
            kind: "fulfillment_event",
            provider: "shopify",
            idempotency_key: format!("fulfillment_event:{}:{status}", ship.id),
            request: json!({ "fulfillment": fid, "status": status }),
        };
        let input = FulfillmentEventInput::new(fid.clone(), ev).happened_at(now);
        state
            .effects
            .run(
                &spec,
                || Reconcile::Impossible,
                || async {
                    let e = admin.create_fulfillment_event(&input).await?;
                    Ok(EffectOutcome {
                        provider_reference: e.id,
                        details: json!({}),
                    })
                },
            )
            .await?;
    }
    if result.status == TrackingStatus::Delivered && !ship.cod_paid && ship.cod_amount.is_some() {
        let settings = super::settings::load(state, tenant).await?;
        let Some(row) = scoped::<order::Entity>(tenant)
            .filter(order::Column::Id.eq(ship.order_id))
            .one(&state.db)
            .await?
        else {
            return Ok(());
        };
        if settings.automation.mark_cod_paid {
            let spec = EffectSpec {
                tenant,
                kind: "mark_paid",
                provider: "shopify",
                idempotency_key: format!("mark_paid:{}", row.id),
                request: json!({ "order": row.gid }),
            };
            // orderMarkAsPaid refuses an order that is already paid: sending again is safe.
            state
                .effects
                .run(
                    &spec,
                    || Reconcile::ProviderDeduplicates,
                    || async {
                        match admin.mark_order_as_paid(&row.gid).await {
                            Ok(p) => Ok(EffectOutcome {
                                provider_reference: p.id,
                                details: json!({}),
                            }),
                            Err(flux_shopify::ShopifyError::UserErrors { .. }) => {
                                Ok(EffectOutcome {
                                    provider_reference: row.gid.clone(),
                                    details: json!({ "already_paid": true }),
                                })
                            }
                            Err(e) => Err(e.into()),
                        }
                    },
                )
                .await?;
            shipment::Entity::update_many()
                .filter(shipment::Column::Id.eq(ship.id))
                .col_expr(shipment::Column::CodPaid, true.into())
                .exec(&state.db)
                .await?;
        }
    }
    Ok(())
}
