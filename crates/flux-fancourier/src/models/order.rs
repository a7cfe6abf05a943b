//! `POST order` / `DELETE order`: asking a courier to come and collect parcels.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::Serialize;

use super::awb::{AwbDimensions, Packages};
use crate::wire;

/// A courier order (pickup request) of type `Standard`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CourierOrderRequest {
    /// An AWB the order is for, when there is one.
    pub awb_number: Option<String>,
    /// Parcels and envelopes to collect.
    pub packages: Packages,
    /// Total weight, kg.
    pub weight: Decimal,
    /// Largest dimensions, cm.
    pub dimensions: Option<AwbDimensions>,
    /// The day.
    pub pickup_date: NaiveDate,
    /// Ready from (local time).
    pub ready_from: NaiveTime,
    /// Ready until (local time); FAN wants at least 2 h after `ready_from`.
    pub ready_until: NaiveTime,
    /// Notes for the courier.
    pub observations: String,
}

impl CourierOrderRequest {
    /// A pickup of `packages` weighing `weight` kg on `date` between `from` and `until`.
    pub fn new(
        packages: Packages,
        weight: Decimal,
        date: NaiveDate,
        from: NaiveTime,
        until: NaiveTime,
    ) -> Self {
        Self {
            awb_number: None,
            packages,
            weight,
            dimensions: None,
            pickup_date: date,
            ready_from: from,
            ready_until: until,
            observations: String::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct CourierOrderBody<'a> {
    #[serde(rename = "clientId")]
    pub(crate) client_id: &'a str,
    pub(crate) info: CourierOrderInfo,
}

#[derive(Debug, Serialize)]
pub(crate) struct CourierOrderInfo {
    #[serde(rename = "awbNumber")]
    pub(crate) awb_number: String,
    pub(crate) packages: Packages,
    #[serde(serialize_with = "wire::decimal_number")]
    pub(crate) weight: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dimensions: Option<AwbDimensions>,
    #[serde(rename = "orderType")]
    pub(crate) order_type: &'static str,
    #[serde(rename = "pickupDate")]
    pub(crate) pickup_date: String,
    #[serde(rename = "pickupHours")]
    pub(crate) pickup_hours: PickupHours,
    pub(crate) observations: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct PickupHours {
    pub(crate) first: String,
    pub(crate) second: String,
}
