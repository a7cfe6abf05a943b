//! Parcel methods: `GetParcelList`, `ModifyCOD`.

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::labels::PrintDataInfo;
use crate::ErrorInfo;

/// `GetParcelList` filter: by pickup date and/or print date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ParcelListQuery {
    /// Pickup date from.
    #[serde(with = "crate::date::wcf_option")]
    pub pickup_date_from: Option<DateTime<FixedOffset>>,
    /// Pickup date to.
    #[serde(with = "crate::date::wcf_option")]
    pub pickup_date_to: Option<DateTime<FixedOffset>>,
    /// Print (creation) date from.
    #[serde(with = "crate::date::wcf_option")]
    pub print_date_from: Option<DateTime<FixedOffset>>,
    /// Print (creation) date to.
    #[serde(with = "crate::date::wcf_option")]
    pub print_date_to: Option<DateTime<FixedOffset>>,
}

impl ParcelListQuery {
    /// Parcels printed between `from` and `to`.
    pub fn printed_between(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> Self {
        Self {
            print_date_from: Some(from),
            print_date_to: Some(to),
            ..Self::default()
        }
    }

    /// Parcels to be picked up between `from` and `to`.
    pub fn picked_up_between(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> Self {
        Self {
            pickup_date_from: Some(from),
            pickup_date_to: Some(to),
            ..Self::default()
        }
    }
}

/// `GetParcelList` response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetParcelListResponse {
    /// The parcels.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub print_data_info_list: Vec<PrintDataInfo>,
    /// Errors.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub get_parcel_list_errors: Vec<ErrorInfo>,
}
super::gls_response!(GetParcelListResponse, get_parcel_list_errors, |s| !s
    .print_data_info_list
    .is_empty());

/// `ModifyCOD` request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ModifyCodRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parcel_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parcel_number: Option<i64>,
    #[serde(
        rename = "CODAmount",
        with = "rust_decimal::serde::arbitrary_precision"
    )]
    pub(crate) cod_amount: Decimal,
}

/// `ModifyCOD` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ModifyCodResponse {
    /// Whether the amount was changed; anything but `true` is not a success.
    #[serde(rename = "Successful", default)]
    pub successful: Option<bool>,
    /// Errors (8: amount below zero).
    #[serde(
        rename = "ModifyCODError",
        default,
        deserialize_with = "crate::wire::null_default"
    )]
    pub modify_cod_error: Vec<ErrorInfo>,
}
super::gls_response!(ModifyCodResponse, modify_cod_error, |_s| false);
