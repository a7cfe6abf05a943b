use chrono::{DateTime, FixedOffset};
use flux_core::courier::TrackingStatus;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::de;

/// Sameday's `statusId`. Sameday publishes no full list: the named values are the ones seen
/// in its SDK fixtures (1, 9, 33) and in real public-tracking payloads (4, 23, 35, 56, 78);
/// every other id is kept as [`StatusCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusCode {
    /// `1` "AWB Emis": the AWB exists, nothing moved yet.
    AwbIssued,
    /// `23`: registered, a courier will pick it up.
    PickupRegistered,
    /// `4`: handed to Sameday.
    PickedUp,
    /// `56`: in transit to the local depot.
    InTransit,
    /// `33` "In livrare la curier": out for delivery.
    OutForDelivery,
    /// `78`: placed in the easybox or PUDO point, waiting for the recipient.
    AtPickupPoint,
    /// `9` "Livrata cu succes": delivered.
    Delivered,
    /// `35`: being returned (a single third-party source; low confidence).
    Returned,
    /// Any other id.
    Other(i64),
}

impl StatusCode {
    /// From the numeric id.
    pub fn from_id(id: i64) -> Self {
        match id {
            1 => Self::AwbIssued,
            23 => Self::PickupRegistered,
            4 => Self::PickedUp,
            56 => Self::InTransit,
            33 => Self::OutForDelivery,
            78 => Self::AtPickupPoint,
            9 => Self::Delivered,
            35 => Self::Returned,
            n => Self::Other(n),
        }
    }

    /// The numeric id.
    pub fn id(self) -> i64 {
        match self {
            Self::AwbIssued => 1,
            Self::PickupRegistered => 23,
            Self::PickedUp => 4,
            Self::InTransit => 56,
            Self::OutForDelivery => 33,
            Self::AtPickupPoint => 78,
            Self::Delivered => 9,
            Self::Returned => 35,
            Self::Other(n) => n,
        }
    }

    /// The courier-neutral status. Unknown ids are [`TrackingStatus::Unknown`].
    pub fn tracking_status(self) -> TrackingStatus {
        match self {
            Self::AwbIssued | Self::PickupRegistered => TrackingStatus::Pending,
            Self::PickedUp => TrackingStatus::PickedUp,
            Self::InTransit => TrackingStatus::InTransit,
            Self::OutForDelivery => TrackingStatus::OutForDelivery,
            Self::AtPickupPoint => TrackingStatus::ReadyForPickup,
            Self::Delivered => TrackingStatus::Delivered,
            Self::Returned => TrackingStatus::Returned,
            Self::Other(_) => TrackingStatus::Unknown,
        }
    }
}

impl<'de> Deserialize<'de> for StatusCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(StatusCode::from_id(de::opt_i64(d)?.unwrap_or(0)))
    }
}

/// One status of an AWB or parcel (`expeditionStatus`, `expeditionHistory[]`,
/// `parcelHistory[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatusEntry {
    /// `statusId`.
    pub status_id: StatusCode,
    /// `status` ("Livrata cu succes").
    #[serde(default, deserialize_with = "de::text")]
    pub status: String,
    /// `statusLabel` ("Colet livrat").
    #[serde(default, deserialize_with = "de::text")]
    pub status_label: String,
    /// `statusState` ("Colete livrate").
    #[serde(default, deserialize_with = "de::text")]
    pub status_state: String,
    /// `statusDate`, with Sameday's offset.
    #[serde(deserialize_with = "de::datetime")]
    pub status_date: DateTime<FixedOffset>,
    /// `county`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub county: Option<String>,
    /// `reason` (why a delivery failed, ...).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub reason: Option<String>,
    /// `transitLocation`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub transit_location: Option<String>,
    /// `inReturn` (parcel history only).
    #[serde(default, deserialize_with = "de::flag")]
    pub in_return: bool,
}

/// A parcel's current status inside an AWB status (`parcelsStatus[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ParcelStatus {
    /// `parcelAwbNumber`.
    #[serde(deserialize_with = "de::text")]
    pub parcel_awb_number: String,
    /// `statusId`.
    pub status_id: StatusCode,
    /// `status`.
    #[serde(default, deserialize_with = "de::text")]
    pub status: String,
    /// `statusLabel`.
    #[serde(default, deserialize_with = "de::text")]
    pub status_label: String,
    /// `statusState`.
    #[serde(default, deserialize_with = "de::text")]
    pub status_state: String,
    /// `statusDate`.
    #[serde(default, deserialize_with = "de::opt_datetime")]
    pub status_date: Option<DateTime<FixedOffset>>,
    /// `county`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub county: Option<String>,
    /// `reason`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub reason: Option<String>,
    /// `transitLocation`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub transit_location: Option<String>,
    /// `parcelDetails`: the URL of the parcel's own history.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub parcel_details: Option<String>,
}

/// `expeditionSummary` of an AWB status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExpeditionSummary {
    /// `awbNumber`.
    #[serde(default, deserialize_with = "de::text")]
    pub awb_number: String,
    /// `awbWeight`, kg.
    #[serde(default)]
    pub awb_weight: Option<Decimal>,
    /// `cashOnDelivery`.
    #[serde(default)]
    pub cash_on_delivery: Option<Decimal>,
    /// `servicePayment`.
    #[serde(default)]
    pub service_payment: Option<Decimal>,
    /// `delivered`.
    #[serde(default, deserialize_with = "de::flag")]
    pub delivered: bool,
    /// `canceled`.
    #[serde(default, deserialize_with = "de::flag")]
    pub canceled: bool,
    /// `deliveryAttempts`.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub delivery_attempts: Option<i64>,
    /// `deliveredAt`.
    #[serde(default, deserialize_with = "de::opt_datetime")]
    pub delivered_at: Option<DateTime<FixedOffset>>,
    /// `lastDeliveryAttempt`.
    #[serde(default, deserialize_with = "de::opt_datetime")]
    pub last_delivery_attempt: Option<DateTime<FixedOffset>>,
    /// `redirectionsAttempts`.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub redirections_attempts: Option<i64>,
}

/// The answer to `GET /api/client/awb/{awb}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AwbStatus {
    /// `expeditionSummary`.
    pub expedition_summary: ExpeditionSummary,
    /// `expeditionStatus`: the current status.
    #[serde(default)]
    pub expedition_status: Option<StatusEntry>,
    /// `parcelsStatus`: each parcel's current status.
    #[serde(default)]
    pub parcels_status: Vec<ParcelStatus>,
    /// `expeditionHistory`: every status of the AWB.
    #[serde(default)]
    pub expedition_history: Vec<StatusEntry>,
}

/// `parcelSummary` of a parcel's history.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ParcelSummary {
    /// `parcelAwbNumber`.
    #[serde(default, deserialize_with = "de::text")]
    pub parcel_awb_number: String,
    /// `parcelWeight`, kg.
    #[serde(default)]
    pub parcel_weight: Option<Decimal>,
    /// `delivered`.
    #[serde(default, deserialize_with = "de::flag")]
    pub delivered: bool,
    /// `canceled`.
    #[serde(default, deserialize_with = "de::flag")]
    pub canceled: bool,
    /// `deliveryAttempts`.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub delivery_attempts: Option<i64>,
    /// `deliveredAt`.
    #[serde(default, deserialize_with = "de::opt_datetime")]
    pub delivered_at: Option<DateTime<FixedOffset>>,
    /// `lastDeliveryAttempt`.
    #[serde(default, deserialize_with = "de::opt_datetime")]
    pub last_delivery_attempt: Option<DateTime<FixedOffset>>,
    /// `isPickedUp`.
    #[serde(default, deserialize_with = "de::flag")]
    pub is_picked_up: bool,
    /// `pickedUpAt`.
    #[serde(default, deserialize_with = "de::opt_datetime")]
    pub picked_up_at: Option<DateTime<FixedOffset>>,
}

/// The answer to `GET /api/client/parcel/{parcelAwb}/status-history`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ParcelStatusHistory {
    /// `parcelSummary`.
    pub parcel_summary: ParcelSummary,
    /// `parcelHistory`.
    #[serde(default)]
    pub parcel_history: Vec<StatusEntry>,
    /// `expeditionStatus`: the AWB's current status.
    #[serde(default)]
    pub expedition_status: Option<StatusEntry>,
}

/// One status change from `GET /api/client/status-sync`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatusSyncEntry {
    /// `parcelAwbNumber`: the parcel that changed (AWB number + 3-digit suffix).
    #[serde(deserialize_with = "de::text")]
    pub parcel_awb_number: String,
    /// `statusId`.
    pub status_id: StatusCode,
    /// `status`.
    #[serde(default, deserialize_with = "de::text")]
    pub status: String,
    /// `statusLabel`.
    #[serde(default, deserialize_with = "de::text")]
    pub status_label: String,
    /// `statusState`.
    #[serde(default, deserialize_with = "de::text")]
    pub status_state: String,
    /// `statusDate`.
    #[serde(deserialize_with = "de::datetime")]
    pub status_date: DateTime<FixedOffset>,
    /// `transitLocation`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub transit_location: Option<String>,
    /// `reasonId` (`""`, a number or `null` on the wire).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub reason_id: Option<String>,
    /// `reason`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub reason: Option<String>,
    /// `parcelDetails`: the URL of the parcel's history.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub parcel_details: Option<String>,
}
