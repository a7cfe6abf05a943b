//! Tracking: `GetParcelStatuses` (one parcel) and `GetParcelListStatuses` (a batch), and
//! the conversion to the trait's [`TrackingResult`].

use flux_core::courier::{TrackingEvent, TrackingResult, TrackingStatus};

use crate::client::GlsClient;
use crate::error::GlsError;
use crate::types::{
    GetParcelListStatusesRequest, GetParcelListStatusesResponse, GetParcelStatusesRequest,
    GetParcelStatusesResponse, ParcelStatus,
};

/// Most parcel numbers one `GetParcelListStatuses` call accepts.
pub const MAX_STATUS_BATCH: usize = 100;

impl GlsClient {
    /// `GetParcelStatuses`: the status history of one parcel (by `ParcelNumber`), and the
    /// proof of delivery when `return_pod` is set.
    pub async fn parcel_statuses(
        &self,
        parcel_number: i64,
        return_pod: bool,
    ) -> Result<GetParcelStatusesResponse, GlsError> {
        let body = GetParcelStatusesRequest {
            parcel_number,
            return_pod,
            language_iso_code: &self.inner.language,
        };
        self.call("GetParcelStatuses", &body, true, false).await
    }

    /// `GetParcelListStatuses`: several parcels in one call (at most 100).
    ///
    /// A newer method: one integration reports it answers an empty list, not an error,
    /// for bad credentials, so an empty answer is not proof that the parcels are unknown.
    pub async fn parcel_list_statuses(
        &self,
        parcel_numbers: &[i64],
    ) -> Result<GetParcelListStatusesResponse, GlsError> {
        if parcel_numbers.is_empty() || parcel_numbers.len() > MAX_STATUS_BATCH {
            return Err(GlsError::InvalidInput {
                field: "ParcelNumberList".into(),
                message: format!(
                    "1 to {MAX_STATUS_BATCH} parcel numbers, got {}",
                    parcel_numbers.len()
                ),
            });
        }
        let body = GetParcelListStatusesRequest {
            parcel_number_list: parcel_numbers,
            return_pod: false,
            language_iso_code: &self.inner.language,
        };
        self.call("GetParcelListStatuses", &body, true, false).await
    }

    /// Converts a status list (as GLS sends it, newest first) into a [`TrackingResult`]:
    /// events oldest first in the account country's time zone, informational codes
    /// keeping the previous status, the raw code of the current status kept.
    pub fn tracking_result(
        &self,
        tracking_number: &str,
        statuses: &[ParcelStatus],
    ) -> TrackingResult {
        let zone = self.inner.country.time_zone();
        let mut dated: Vec<&ParcelStatus> = statuses
            .iter()
            .filter(|s| s.status_date.is_some())
            .collect();
        // GLS lists newest first; reverse, then a stable sort keeps same-time order.
        dated.reverse();
        dated.sort_by_key(|s| s.status_date);
        let mut current = TrackingStatus::Pending;
        let mut current_code: Option<String> = None;
        let mut delivered_at = None;
        let mut events = Vec::with_capacity(dated.len());
        for s in dated {
            let Some(at) = s.status_date else { continue };
            let code = s.status_code.clone().unwrap_or_default();
            let local = at.with_timezone(&zone).fixed_offset();
            if let Some(status) = s.normalized() {
                current = status;
                current_code = Some(code.clone());
                if status == TrackingStatus::Delivered {
                    delivered_at = Some(local);
                }
            }
            let description = s
                .status_description
                .clone()
                .or_else(|| s.status_info.clone())
                .unwrap_or_default();
            let mut event = TrackingEvent::new(local, current, code, description);
            event.location = s.depot_city.clone().filter(|c| !c.trim().is_empty());
            events.push(event);
        }
        if events.is_empty() {
            let mut result = TrackingResult::not_found(tracking_number);
            result.found = !statuses.is_empty();
            return result;
        }
        let mut result = TrackingResult::from_events(tracking_number, events);
        result.raw_status = current_code.or(result.raw_status);
        // Informational events after a delivery carry its status but are not the delivery.
        result.delivered_at = delivered_at;
        result
    }
}
