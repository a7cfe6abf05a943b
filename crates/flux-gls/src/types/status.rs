//! Tracking: `GetParcelStatuses`, `GetParcelListStatuses`, and the status codes
//! (Appendix G) normalized to [`TrackingStatus`].

use chrono::{DateTime, FixedOffset};
use flux_core::courier::TrackingStatus;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ErrorInfo;

/// `GetParcelStatuses` request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetParcelStatusesRequest<'a> {
    pub(crate) parcel_number: i64,
    #[serde(rename = "ReturnPOD")]
    pub(crate) return_pod: bool,
    pub(crate) language_iso_code: &'a str,
}

/// `GetParcelListStatuses` request (batch).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetParcelListStatusesRequest<'a> {
    pub(crate) parcel_number_list: &'a [i64],
    #[serde(rename = "ReturnPOD")]
    pub(crate) return_pod: bool,
    pub(crate) language_iso_code: &'a str,
}

/// One status of a parcel.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ParcelStatus {
    /// The status code (a string in the WSDL; `"5"` is delivered).
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub status_code: Option<String>,
    /// When.
    #[serde(default, with = "crate::date::wcf_option")]
    pub status_date: Option<DateTime<FixedOffset>>,
    /// GLS's text, in the requested language.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub status_description: Option<String>,
    /// Extra information.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub status_info: Option<String>,
    /// Depot city.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub depot_city: Option<String>,
    /// Depot number.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub depot_number: Option<String>,
}

impl ParcelStatus {
    /// The normalized status; `None` for informational codes (10, 93, 99) that do not
    /// change where the parcel is.
    pub fn normalized(&self) -> Option<TrackingStatus> {
        normalize_status(self.status_code.as_deref().unwrap_or(""))
    }
}

/// `GetParcelStatuses` response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetParcelStatusesResponse {
    /// The parcel number asked for (0 on errors).
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_number: Option<i64>,
    /// Our reference.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub client_reference: Option<String>,
    /// Destination country.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub delivery_country_code: Option<String>,
    /// Destination ZIP code.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub delivery_zip_code: Option<String>,
    /// Weight measured by GLS, kg.
    #[serde(default, with = "rust_decimal::serde::arbitrary_precision_option")]
    pub weight: Option<Decimal>,
    /// The statuses, as GLS lists them (newest first).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub parcel_status_list: Vec<ParcelStatus>,
    /// Proof of delivery document, when `ReturnPOD` was asked and it exists.
    #[serde(
        rename = "POD",
        default,
        deserialize_with = "crate::wire::bytes_option::deserialize"
    )]
    pub pod: Option<Vec<u8>>,
    /// Errors (-1 bad login, 9 unknown number).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub get_parcel_status_errors: Vec<ErrorInfo>,
}
super::gls_response!(GetParcelStatusesResponse, get_parcel_status_errors, |_s| {
    false
});

/// One parcel in a `GetParcelListStatuses` response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ParcelStatuses {
    /// The parcel number.
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_number: Option<i64>,
    /// Our reference.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub client_reference: Option<String>,
    /// Weight, kg.
    #[serde(default, with = "rust_decimal::serde::arbitrary_precision_option")]
    pub weight: Option<Decimal>,
    /// The statuses, newest first.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub parcel_status_list: Vec<ParcelStatus>,
}

/// `GetParcelListStatuses` response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetParcelListStatusesResponse {
    /// One entry per known parcel.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub parcel_list: Vec<ParcelStatuses>,
    /// Errors.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub get_parcel_list_statuses_errors: Vec<ErrorInfo>,
}
super::gls_response!(
    GetParcelListStatusesResponse,
    get_parcel_list_statuses_errors,
    |s| !s.parcel_list.is_empty()
);

/// Maps a GLS status code (Appendix G) to the trait's status. `None` means the code is
/// informational (10, 93, 99) and the previous status still holds; codes this table does
/// not know give [`TrackingStatus::Unknown`] (the raw code is always kept by callers).
pub fn normalize_status(code: &str) -> Option<TrackingStatus> {
    use TrackingStatus as S;
    let Ok(code) = code.trim().parse::<u32>() else {
        return Some(S::Unknown);
    };
    Some(match code {
        10 | 93 | 99 => return None,
        5 | 58 | 59 | 92 => S::Delivered,
        51 | 52 | 83 | 84 | 85 => S::Pending,
        1 => S::PickedUp,
        4 | 32 => S::OutForDelivery,
        54..=56 | 97 => S::ReadyForPickup,
        11 | 12 | 14..=16 | 18..=20 | 33 | 36 | 38 | 39 | 88 | 89 => S::DeliveryFailed,
        // Lost or destroyed: no better trait status; the raw code says which.
        28 | 31 | 42..=44 => S::DeliveryFailed,
        17 | 23 | 34 | 35 | 40 | 57 | 68 => S::Returned,
        87 | 90 | 91 => S::Cancelled,
        2
        | 3
        | 6..=9
        | 13
        | 21
        | 22
        | 24..=27
        | 29
        | 30
        | 37
        | 41
        | 46
        | 47
        | 53
        | 60..=76
        | 80
        | 86
        | 401..=404
        | 420 => S::InTransit,
        _ => S::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_codes_and_informational_codes() {
        for code in ["5", "58", "59", "92", " 5 "] {
            assert_eq!(
                normalize_status(code),
                Some(TrackingStatus::Delivered),
                "{code}"
            );
        }
        assert_eq!(normalize_status("99"), None);
        assert_eq!(normalize_status("1"), Some(TrackingStatus::PickedUp));
        assert_eq!(normalize_status("68"), Some(TrackingStatus::Returned));
        assert_eq!(normalize_status("69"), Some(TrackingStatus::InTransit));
        assert_eq!(normalize_status("55"), Some(TrackingStatus::ReadyForPickup));
        assert_eq!(normalize_status("500"), Some(TrackingStatus::Unknown));
        assert_eq!(normalize_status("st5"), Some(TrackingStatus::Unknown));
    }
}
