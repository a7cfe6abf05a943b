//! Courier orders (DOC p.59–63): every AWB joins the open order of its sender location;
//! `PUT Orders?action=1` closes (validates) it so a courier comes, `action=0` cancels it.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use crate::client::CargusClient;
use crate::dates::{de_opt_datetime, iso_date, local_datetime};
use crate::error::CargusError;
use crate::serde_util::{bare_string, de_opt_id, de_opt_text};

/// What `PUT Orders` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderAction {
    /// `action=1`: validate (close) the open order so the courier comes.
    Validate,
    /// `action=0`: cancel it.
    Cancel,
}

impl OrderAction {
    fn code(self) -> &'static str {
        match self {
            Self::Validate => "1",
            Self::Cancel => "0",
        }
    }
}

/// Which orders `GET Orders` lists (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderStatusFilter {
    /// 0: the current (open) orders.
    Open,
    /// 1: validated orders.
    Validated,
}

/// A courier order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Order {
    /// Its id.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub order_id: Option<String>,
    /// The pickup location.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub location_id: Option<i64>,
    /// The location's name.
    #[serde(default, rename = "PickUpSiteName")]
    pub pickup_site_name: Option<String>,
    /// Pickup from.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub pickup_start_date: Option<DateTime<FixedOffset>>,
    /// Pickup until.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub pickup_end_date: Option<DateTime<FixedOffset>>,
    /// Parcels.
    #[serde(default)]
    pub no_parcel: Option<i64>,
    /// Envelopes.
    #[serde(default)]
    pub no_envelop: Option<i64>,
    /// Total weight, kg.
    #[serde(default)]
    pub total_weight: Option<rust_decimal::Decimal>,
    /// AWBs in the order.
    #[serde(default)]
    pub no_awb: Option<i64>,
    /// Notes.
    #[serde(default)]
    pub observations: Option<String>,
    /// 0 open, 1 closed.
    #[serde(default)]
    pub ord_status: Option<i64>,
    /// 1 WebExpress, 2 phone, 3 API, 4 pickup from another address, 5 email, 6 daily.
    #[serde(default)]
    pub order_type: Option<i64>,
}

impl CargusClient {
    /// `PUT Orders?locationId=…&action=…&PickupStartDate=…&PickupEndDate=…`: validates or
    /// cancels the open order of a pickup location (0 = headquarters) for a pickup window
    /// in local time. Returns the order number Cargus answers.
    ///
    /// # Errors
    /// As any call; [`CargusError::Validation`] when the window ends before it starts.
    pub async fn set_order(
        &self,
        location_id: i64,
        action: OrderAction,
        pickup_start: NaiveDateTime,
        pickup_end: NaiveDateTime,
    ) -> Result<String, CargusError> {
        if pickup_end < pickup_start {
            return Err(CargusError::validation(
                "PickupEndDate",
                "the pickup window ends before it starts",
            ));
        }
        let query = [
            ("locationId", location_id.to_string()),
            ("action", action.code().to_owned()),
            ("PickupStartDate", local_datetime(pickup_start)),
            ("PickupEndDate", local_datetime(pickup_end)),
        ];
        let response = self.call(|http| http.put("Orders").query(&query)).await?;
        Ok(bare_string(&response.text()))
    }

    /// `PUT Orders/PutAll`: validates or cancels the open orders of every location.
    ///
    /// # Errors
    /// As [`set_order`](Self::set_order).
    pub async fn set_all_orders(
        &self,
        action: OrderAction,
        pickup_start: NaiveDateTime,
        pickup_end: NaiveDateTime,
    ) -> Result<String, CargusError> {
        let query = [
            ("action", action.code().to_owned()),
            ("PickupStartDate", local_datetime(pickup_start)),
            ("PickupEndDate", local_datetime(pickup_end)),
        ];
        let response = self
            .call(|http| http.put("Orders/PutAll").query(&query))
            .await?;
        Ok(bare_string(&response.text()))
    }

    /// `GET Orders?locationId=…&status=…&pageNumber=…&itemsPerPage=…`.
    ///
    /// # Errors
    /// As any call.
    pub async fn orders(
        &self,
        location_id: i64,
        status: OrderStatusFilter,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<Order>, CargusError> {
        let status = match status {
            OrderStatusFilter::Open => "0",
            OrderStatusFilter::Validated => "1",
        };
        self.get_list(
            "Orders",
            &[
                ("locationId", location_id.to_string()),
                ("status", status.to_owned()),
                ("pageNumber", page.max(1).to_string()),
                ("itemsPerPage", per_page.max(1).to_string()),
            ],
        )
        .await
    }

    /// `GET Orders/GetByDate?FromDate=yyyy-mm-dd&ToDate=…`.
    ///
    /// # Errors
    /// As any call.
    pub async fn orders_by_date(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<Order>, CargusError> {
        self.get_list(
            "Orders/GetByDate",
            &[
                ("FromDate", iso_date(from)),
                ("ToDate", iso_date(to)),
                ("pageNumber", page.max(1).to_string()),
                ("itemsPerPage", per_page.max(1).to_string()),
            ],
        )
        .await
    }

    /// `GET Orders/GetByOrderId?orderId=…`.
    ///
    /// # Errors
    /// As any call.
    pub async fn order(&self, order_id: &str) -> Result<Option<Order>, CargusError> {
        let response = self
            .call(|http| {
                http.get("Orders/GetByOrderId")
                    .query(&[("orderId", order_id)])
            })
            .await?;
        let value: serde_json::Value = if response.bytes().is_empty() {
            serde_json::Value::Null
        } else {
            response.json()?
        };
        let first = match value {
            serde_json::Value::Array(items) => items.into_iter().next(),
            serde_json::Value::Null => None,
            other => Some(other),
        };
        first
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| CargusError::UnexpectedResponse {
                message: format!("Orders/GetByOrderId: {e}"),
                maybe_sent: false,
            })
    }
}
