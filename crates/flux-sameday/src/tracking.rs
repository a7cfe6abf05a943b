//! Tracking: an AWB's status and history, a parcel's history, and the status sync feed.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use flux_http::Method;

use crate::SamedayClient;
use crate::client::{PAGE_SIZE, path_segment};
use crate::error::SamedayError;
use crate::types::{AwbStatus, Page, ParcelStatusHistory, StatusSyncEntry};

/// One status-sync window: `(start, end)`.
pub type SyncWindow = (DateTime<Utc>, DateTime<Utc>);

/// The longest period one status-sync call may cover: 2 hours (7200 s).
pub const MAX_STATUS_SYNC_WINDOW: ChronoDuration = ChronoDuration::seconds(7200);

impl SamedayClient {
    /// An AWB's summary, current status, parcels and history
    /// (`GET /api/client/awb/{awb}/status`).
    ///
    /// # Errors
    /// [`SamedayError::NotFound`] for an AWB this account does not know.
    pub async fn awb_status(&self, awb_number: &str) -> Result<AwbStatus, SamedayError> {
        let awb = path_segment("awb_number", awb_number)?;
        let path = format!("api/client/awb/{awb}/status");
        self.execute_json(|http| http.request(Method::GET, &path))
            .await
    }

    /// One parcel's history (`GET /api/client/parcel/{parcelAwb}/status-history`).
    ///
    /// # Errors
    /// [`SamedayError::NotFound`] for an unknown parcel.
    pub async fn parcel_status_history(
        &self,
        parcel_awb_number: &str,
    ) -> Result<ParcelStatusHistory, SamedayError> {
        let parcel = path_segment("parcel_awb_number", parcel_awb_number)?;
        let path = format!("api/client/parcel/{parcel}/status-history");
        self.execute_json(|http| http.request(Method::GET, &path))
            .await
    }

    /// One page of status changes between `start` and `end`
    /// (`GET /api/client/status-sync`). The window may be at most 2 hours.
    ///
    /// # Errors
    /// [`SamedayError::InvalidInput`] for an empty or too long window.
    pub async fn status_sync_page(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        page: u32,
        per_page: u32,
    ) -> Result<Page<StatusSyncEntry>, SamedayError> {
        if end <= start {
            return Err(SamedayError::invalid("end", "must be after start"));
        }
        if end - start > MAX_STATUS_SYNC_WINDOW {
            return Err(SamedayError::invalid(
                "end",
                "Sameday's status sync covers at most 2 hours per call; use status_sync to split longer periods",
            ));
        }
        let query = [
            ("startTimestamp", start.timestamp().to_string()),
            ("endTimestamp", end.timestamp().to_string()),
            ("page", page.max(1).to_string()),
            ("countPerPage", per_page.clamp(1, PAGE_SIZE).to_string()),
        ];
        self.execute_json(|http| {
            http.request(Method::GET, "api/client/status-sync")
                .query(&query)
        })
        .await
    }

    /// Every status change between `start` and `end`, however long the period: it is split
    /// into windows of at most 2 hours, each read page by page, oldest window first.
    ///
    /// # Errors
    /// [`SamedayError::InvalidInput`] when `end` is not after `start`; the first failing
    /// call's error otherwise.
    pub async fn status_sync(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<StatusSyncEntry>, SamedayError> {
        let mut entries = Vec::new();
        for (from, to) in status_sync_windows(start, end)? {
            let mut page = 1;
            loop {
                let result = self.status_sync_page(from, to, page, PAGE_SIZE).await?;
                let more = result.has_next(PAGE_SIZE) && !result.data.is_empty();
                entries.extend(result.data);
                if !more {
                    break;
                }
                page += 1;
            }
        }
        Ok(entries)
    }
}

/// Splits `[start, end]` into consecutive windows of at most
/// [`MAX_STATUS_SYNC_WINDOW`].
///
/// # Errors
/// [`SamedayError::InvalidInput`] when `end` is not after `start`.
pub fn status_sync_windows(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<SyncWindow>, SamedayError> {
    if end <= start {
        return Err(SamedayError::invalid("end", "must be after start"));
    }
    let mut windows = Vec::new();
    let mut from = start;
    while from < end {
        let to = (from + MAX_STATUS_SYNC_WINDOW).min(end);
        windows.push((from, to));
        from = to;
    }
    Ok(windows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_hours_make_three_windows() {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 3, 1, 13, 0, 0).unwrap();
        let w = status_sync_windows(start, end).unwrap();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0], (start, start + ChronoDuration::hours(2)));
        assert_eq!(w[2].1, end);
        assert!(w.iter().all(|(a, b)| *b - *a <= MAX_STATUS_SYNC_WINDOW));
        assert!(status_sync_windows(end, start).is_err());
    }
}
