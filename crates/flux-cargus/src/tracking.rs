//! Tracking (`AwbTrace`, `AwbTrace/WithRedirect`), delta events for a period and the
//! returns of a day (DOC p.53–58).
//!
//! Cargus publishes no list of event ids. Three unrelated integrations agree that
//! `EventId` 21 is "delivered"; every other id is reported as in transit, with the raw id
//! and description kept.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use flux_core::courier::TrackingStatus;
use serde::Deserialize;
use serde_json::Value;

use crate::client::CargusClient;
use crate::dates::{de_opt_datetime, iso_date, us_date};
use crate::error::CargusError;
use crate::serde_util::{de_opt_id, de_opt_text};

/// The event id Cargus uses for "delivered to the recipient".
pub const DELIVERED_EVENT_ID: i64 = 21;

/// Most barcodes sent in one `AwbTrace` call (Cargus answers 429 to large bursts).
pub const MAX_TRACE_BATCH: usize = 40;

/// One scan of an AWB.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TraceEvent {
    /// When (Romanian local time, offset attached).
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub date: Option<DateTime<FixedOffset>>,
    /// Cargus's event id (21 = delivered).
    #[serde(default, deserialize_with = "de_opt_id")]
    pub event_id: Option<i64>,
    /// The description (Romanian).
    #[serde(default)]
    pub description: Option<String>,
    /// Where.
    #[serde(default)]
    pub locality_name: Option<String>,
}

impl TraceEvent {
    /// The normalized status of this event.
    pub fn status(&self) -> TrackingStatus {
        status_of(self.event_id)
    }
}

/// The normalized status of a Cargus event id.
pub fn status_of(event_id: Option<i64>) -> TrackingStatus {
    match event_id {
        Some(DELIVERED_EVENT_ID) => TrackingStatus::Delivered,
        Some(_) => TrackingStatus::InTransit,
        None => TrackingStatus::Unknown,
    }
}

/// The trace of one AWB.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AwbTrace {
    /// The AWB (`Code`; some answers say `BarCode`).
    #[serde(default, alias = "BarCode", deserialize_with = "de_opt_text")]
    pub code: Option<String>,
    /// 1 = parcel, 0 = envelope.
    #[serde(default, rename = "Type")]
    pub kind: Option<i64>,
    /// Measured weight, kg.
    #[serde(default)]
    pub measured_weight: Option<rust_decimal::Decimal>,
    /// Volumetric weight, kg.
    #[serde(default)]
    pub volumetric_weight: Option<rust_decimal::Decimal>,
    /// Who signed.
    #[serde(default)]
    pub confirmation_name: Option<String>,
    /// Notes.
    #[serde(default)]
    pub observation: Option<String>,
    /// The return or redirect AWB.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub response_code: Option<String>,
    /// Events (`Event`; some answers say `Events`).
    #[serde(default, alias = "Events")]
    pub event: Option<Vec<TraceEvent>>,
}

impl AwbTrace {
    /// The events, oldest first.
    pub fn events(&self) -> Vec<TraceEvent> {
        let mut events = self.event.clone().unwrap_or_default();
        events.sort_by_key(|e| e.date);
        events
    }
}

/// An AWB whose status changed in a period (`AwbTrace/GetDeltaEvents`). Fields Cargus
/// does not document are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeltaEvent {
    /// The AWB.
    #[serde(default, alias = "Code", deserialize_with = "de_opt_text")]
    pub bar_code: Option<String>,
    /// The current status, in words.
    #[serde(default)]
    pub status_expression: Option<String>,
    /// The events in the period.
    #[serde(default, alias = "Event")]
    pub events: Option<Vec<TraceEvent>>,
    /// Every other field (repayment details…).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// An AWB returned to the sender on a day (`AwbRetur`). Cargus documents no field list,
/// so everything is kept; the common fields are read out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ReturnedAwb {
    /// Every field as Cargus sent it.
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

impl ReturnedAwb {
    /// The returned AWB's barcode (`BarCode` or `Code`).
    pub fn bar_code(&self) -> Option<String> {
        ["BarCode", "Code", "Barcode"]
            .iter()
            .find_map(|k| self.fields.get(*k).and_then(crate::serde_util::value_text))
    }
}

impl CargusClient {
    /// `GET AwbTrace?barCode=["…"]`: the traces of up to [`MAX_TRACE_BATCH`] AWBs (the
    /// list is split into several calls when longer).
    ///
    /// # Errors
    /// As any call.
    pub async fn trace(&self, barcodes: &[&str]) -> Result<Vec<AwbTrace>, CargusError> {
        self.trace_at("AwbTrace", barcodes).await
    }

    /// `GET AwbTrace/WithRedirect?barCode=["…"]`: as [`trace`](Self::trace), including
    /// return and redirect AWBs.
    ///
    /// # Errors
    /// As any call.
    pub async fn trace_with_redirect(
        &self,
        barcodes: &[&str],
    ) -> Result<Vec<AwbTrace>, CargusError> {
        self.trace_at("AwbTrace/WithRedirect", barcodes).await
    }

    async fn trace_at(&self, path: &str, barcodes: &[&str]) -> Result<Vec<AwbTrace>, CargusError> {
        let mut all = Vec::new();
        for chunk in barcodes.chunks(MAX_TRACE_BATCH) {
            let list = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            match self
                .get_list::<AwbTrace, _>(path, &[("barCode", list)])
                .await
            {
                Ok(traces) => all.extend(traces),
                Err(CargusError::Api { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(all)
    }

    /// `GET AwbTrace/GetDeltaEvents?FromDate=mm-dd-yyyy&ToDate=mm-dd-yyyy`.
    ///
    /// # Errors
    /// As any call.
    pub async fn delta_events(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DeltaEvent>, CargusError> {
        self.get_list(
            "AwbTrace/GetDeltaEvents",
            &[("FromDate", us_date(from)), ("ToDate", us_date(to))],
        )
        .await
    }

    /// `GET AwbRetur?data=yyyy-mm-dd`: the AWBs returned on a day.
    ///
    /// # Errors
    /// As any call.
    pub async fn returns_of_day(&self, day: NaiveDate) -> Result<Vec<ReturnedAwb>, CargusError> {
        self.get_list("AwbRetur", &[("data", iso_date(day))]).await
    }
}
