//! Our shipment id for GLS: every parcel has two ids, and both are kept.
//!
//! - `ParcelNumber`: the printed barcode, used for tracking. It goes into
//!   [`ShipmentId::tracking_number`] and [`ParcelId::tracking_number`](flux_core::courier::ParcelId).
//! - `ParcelId`: the database id, used by `GetPrintedLabels`, `DeleteLabels` and
//!   `ModifyCOD`. It goes into `provider_id`.
//!
//! A shipment of several packages has one entry per package in `parcels`; the top-level
//! ids are the first package's.
//!
//! ```
//! use flux_gls::ids::{GlsParcelRef, parcel_refs, shipment_id};
//!
//! let id = shipment_id(&[GlsParcelRef::new(Some(9001), Some(5020012345))]);
//! assert_eq!(id.tracking_number, "5020012345");
//! assert_eq!(id.provider_id.as_deref(), Some("9001"));
//! assert_eq!(parcel_refs(&id).unwrap(), vec![GlsParcelRef::new(Some(9001), Some(5020012345))]);
//! ```

use flux_core::courier::{ParcelId, ShipmentId};

use crate::error::GlsError;

/// The two ids of one GLS parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct GlsParcelRef {
    /// `ParcelId` (labels, deletion, COD changes).
    pub parcel_id: Option<i64>,
    /// `ParcelNumber` (tracking).
    pub parcel_number: Option<i64>,
}

impl GlsParcelRef {
    /// A parcel's ids.
    pub fn new(parcel_id: Option<i64>, parcel_number: Option<i64>) -> Self {
        Self {
            parcel_id,
            parcel_number,
        }
    }
}

/// Builds our shipment id from the parcels of one shipment (first one on top).
pub fn shipment_id(parcels: &[GlsParcelRef]) -> ShipmentId {
    let first = parcels
        .first()
        .copied()
        .unwrap_or(GlsParcelRef::new(None, None));
    ShipmentId {
        tracking_number: first
            .parcel_number
            .map(|n| n.to_string())
            .unwrap_or_default(),
        provider_id: first.parcel_id.map(|n| n.to_string()),
        parcels: parcels
            .iter()
            .map(|p| ParcelId {
                tracking_number: p.parcel_number.map(|n| n.to_string()).unwrap_or_default(),
                provider_id: p.parcel_id.map(|n| n.to_string()),
            })
            .collect(),
    }
}

fn parse(field: &str, value: &str) -> Result<Option<i64>, GlsError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| GlsError::InvalidInput {
        field: field.into(),
        message: format!("{value:?} is not a GLS number"),
    })
}

/// Reads the parcels' ids back from our shipment id.
pub fn parcel_refs(id: &ShipmentId) -> Result<Vec<GlsParcelRef>, GlsError> {
    if id.parcels.is_empty() {
        return Ok(vec![GlsParcelRef::new(
            parse("id.provider_id", id.provider_id.as_deref().unwrap_or(""))?,
            parse("id.tracking_number", &id.tracking_number)?,
        )]);
    }
    id.parcels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(GlsParcelRef::new(
                parse(
                    &format!("id.parcels[{i}].provider_id"),
                    p.provider_id.as_deref().unwrap_or(""),
                )?,
                parse(
                    &format!("id.parcels[{i}].tracking_number"),
                    &p.tracking_number,
                )?,
            ))
        })
        .collect()
}

/// The `ParcelId`s of a shipment; an error if one is missing.
pub fn parcel_ids(id: &ShipmentId) -> Result<Vec<i64>, GlsError> {
    parcel_refs(id)?
        .into_iter()
        .map(|r| {
            r.parcel_id.ok_or_else(|| GlsError::InvalidInput {
                field: "id.provider_id".into(),
                message: format!(
                    "shipment {id} has no GLS ParcelId (needed for labels, deletion and COD changes)"
                ),
            })
        })
        .collect()
}
