//! Fulfillments: `fulfillmentCreate` with tracking, tracking updates, fulfillment events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;

/// `FulfillmentOrderLineItemInput`: a fulfillment order line and how many to ship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FulfillmentOrderLineItemInput {
    /// The fulfillment order line GID.
    pub id: String,
    /// Quantity.
    pub quantity: i64,
}

impl FulfillmentOrderLineItemInput {
    /// A line and its quantity.
    pub fn new(id: impl Into<String>, quantity: i64) -> Self {
        Self {
            id: id.into(),
            quantity,
        }
    }
}

/// `FulfillmentOrderLineItemsInput`: what to ship from one fulfillment order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentOrderLineItemsInput {
    /// The fulfillment order GID.
    pub fulfillment_order_id: String,
    /// The lines; empty means the whole fulfillment order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fulfillment_order_line_items: Vec<FulfillmentOrderLineItemInput>,
}

impl FulfillmentOrderLineItemsInput {
    /// Every remaining line of the fulfillment order.
    pub fn whole(fulfillment_order_id: impl Into<String>) -> Self {
        Self {
            fulfillment_order_id: fulfillment_order_id.into(),
            fulfillment_order_line_items: Vec::new(),
        }
    }

    /// Only these lines.
    pub fn lines(
        fulfillment_order_id: impl Into<String>,
        lines: Vec<FulfillmentOrderLineItemInput>,
    ) -> Self {
        Self {
            fulfillment_order_id: fulfillment_order_id.into(),
            fulfillment_order_line_items: lines,
        }
    }
}

/// `FulfillmentTrackingInput`: carrier, number and URL.
///
/// `company` must match Shopify's carrier list exactly (case-sensitive) for Shopify to
/// build the tracking link itself; otherwise pass `url`. A URL needs a number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TrackingInfo {
    /// Carrier name, e.g. `"FAN Courier"`, `"DHL Express"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Tracking number (AWB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Tracking URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl TrackingInfo {
    /// Company and number, with an optional URL.
    pub fn new(company: impl Into<String>, number: impl Into<String>) -> Self {
        Self {
            company: Some(company.into()),
            number: Some(number.into()),
            url: None,
        }
    }

    /// Sets the tracking URL.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    fn validate(&self) -> Result<(), ShopifyError> {
        if self.url.is_some() && self.number.is_none() {
            return Err(ShopifyError::UserErrors {
                errors: vec![crate::graphql::UserError {
                    field: vec!["trackingInfo".into(), "number".into()],
                    message: "a tracking URL needs a tracking number".into(),
                    code: None,
                }],
            });
        }
        Ok(())
    }
}

/// `FulfillmentInput` for `fulfillmentCreate`. All fulfillment orders must belong to
/// the same order and location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentInput {
    /// What to ship.
    pub line_items_by_fulfillment_order: Vec<FulfillmentOrderLineItemsInput>,
    /// Tracking information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_info: Option<TrackingInfo>,
    /// Whether Shopify emails the customer (Shopify's default is false).
    pub notify_customer: bool,
}

impl FulfillmentInput {
    /// Ship these fulfillment orders (lines), without tracking or notification.
    pub fn new(line_items_by_fulfillment_order: Vec<FulfillmentOrderLineItemsInput>) -> Self {
        Self {
            line_items_by_fulfillment_order,
            tracking_info: None,
            notify_customer: false,
        }
    }

    /// Adds tracking.
    pub fn with_tracking(mut self, tracking: TrackingInfo) -> Self {
        self.tracking_info = Some(tracking);
        self
    }

    /// Whether to notify the customer.
    pub fn notify_customer(mut self, notify: bool) -> Self {
        self.notify_customer = notify;
        self
    }
}

/// Tracking as Shopify returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TrackingInfoOut {
    /// Carrier.
    #[serde(default)]
    pub company: Option<String>,
    /// Number.
    #[serde(default)]
    pub number: Option<String>,
    /// URL.
    #[serde(default)]
    pub url: Option<String>,
}

/// A fulfillment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Fulfillment {
    /// GID.
    pub id: String,
    /// `SUCCESS`, `CANCELLED`, `ERROR`, `FAILURE`, ...
    pub status: String,
    /// Tracking.
    #[serde(default)]
    pub tracking_info: Vec<TrackingInfoOut>,
}

open_enum! {
    /// `FulfillmentEventStatus`.
    FulfillmentEventStatus {
        /// Attempted delivery.
        AttemptedDelivery = "ATTEMPTED_DELIVERY",
        /// Carrier picked up the parcel.
        CarrierPickedUp = "CARRIER_PICKED_UP",
        /// Confirmed.
        Confirmed = "CONFIRMED",
        /// Delayed.
        Delayed = "DELAYED",
        /// Delivered.
        Delivered = "DELIVERED",
        /// Failure.
        Failure = "FAILURE",
        /// In transit.
        InTransit = "IN_TRANSIT",
        /// Label printed.
        LabelPrinted = "LABEL_PRINTED",
        /// Label purchased.
        LabelPurchased = "LABEL_PURCHASED",
        /// Out for delivery.
        OutForDelivery = "OUT_FOR_DELIVERY",
        /// Picked up by the customer.
        PickedUp = "PICKED_UP",
        /// Ready for pickup.
        ReadyForPickup = "READY_FOR_PICKUP",
    }
}

/// `FulfillmentEventInput`: a tracking event of a fulfillment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentEventInput {
    /// The fulfillment GID.
    pub fulfillment_id: String,
    /// Status.
    pub status: FulfillmentEventStatus,
    /// When it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub happened_at: Option<DateTime<Utc>>,
    /// Estimated delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    /// A message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// City where it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

impl FulfillmentEventInput {
    /// An event with a status.
    pub fn new(fulfillment_id: impl Into<String>, status: FulfillmentEventStatus) -> Self {
        Self {
            fulfillment_id: fulfillment_id.into(),
            status,
            happened_at: None,
            estimated_delivery_at: None,
            message: None,
            city: None,
            province: None,
            country: None,
            zip: None,
        }
    }

    /// When it happened.
    pub fn happened_at(mut self, at: DateTime<Utc>) -> Self {
        self.happened_at = Some(at);
        self
    }

    /// A message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Where it happened.
    pub fn city(mut self, city: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self
    }

    /// Estimated delivery.
    pub fn estimated_delivery_at(mut self, at: DateTime<Utc>) -> Self {
        self.estimated_delivery_at = Some(at);
        self
    }
}

/// A created fulfillment event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentEvent {
    /// GID.
    pub id: String,
    /// Status.
    pub status: FulfillmentEventStatus,
    /// When it happened.
    #[serde(default)]
    pub happened_at: Option<DateTime<Utc>>,
    /// Message.
    #[serde(default)]
    pub message: Option<String>,
}

const FULFILLMENT_FIELDS: &str = "id status trackingInfo { company number url }";

impl AdminClient {
    /// Creates a fulfillment (`fulfillmentCreate`, not the deprecated V2), with tracking
    /// and customer notification. Not retried after it may have reached Shopify.
    ///
    /// # Errors
    /// [`ShopifyError::UserErrors`] with field paths, and those of
    /// [`graphql`](Self::graphql).
    pub async fn create_fulfillment(
        &self,
        input: &FulfillmentInput,
        message: Option<&str>,
    ) -> Result<Fulfillment, ShopifyError> {
        if let Some(t) = &input.tracking_info {
            t.validate()?;
        }
        #[derive(Deserialize)]
        struct Payload {
            fulfillment: Fulfillment,
        }
        let query = format!(
            "mutation FluxFulfillmentCreate($fulfillment: FulfillmentInput!, $message: String) {{ fulfillmentCreate(fulfillment: $fulfillment, message: $message) {{ fulfillment {{ {FULFILLMENT_FIELDS} }} userErrors {{ field message }} }} }}"
        );
        let p: Payload = self
            .mutation(
                &query,
                json!({ "fulfillment": input, "message": message }),
                "fulfillmentCreate",
            )
            .await?;
        Ok(p.fulfillment)
    }

    /// Replaces a fulfillment's tracking (`fulfillmentTrackingInfoUpdate`).
    ///
    /// # Errors
    /// As [`create_fulfillment`](Self::create_fulfillment).
    pub async fn update_fulfillment_tracking(
        &self,
        fulfillment_id: &str,
        tracking: &TrackingInfo,
        notify_customer: bool,
    ) -> Result<Fulfillment, ShopifyError> {
        tracking.validate()?;
        #[derive(Deserialize)]
        struct Payload {
            fulfillment: Fulfillment,
        }
        let query = format!(
            "mutation FluxTrackingUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean) {{ fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: $notifyCustomer) {{ fulfillment {{ {FULFILLMENT_FIELDS} }} userErrors {{ field message }} }} }}"
        );
        let p: Payload = self
            .mutation(
                &query,
                json!({
                    "fulfillmentId": fulfillment_id,
                    "trackingInfoInput": tracking,
                    "notifyCustomer": notify_customer,
                }),
                "fulfillmentTrackingInfoUpdate",
            )
            .await?;
        Ok(p.fulfillment)
    }

    /// Records a tracking event (`fulfillmentEventCreate`): picked up, in transit,
    /// delivered, ...
    ///
    /// # Errors
    /// As [`create_fulfillment`](Self::create_fulfillment).
    pub async fn create_fulfillment_event(
        &self,
        event: &FulfillmentEventInput,
    ) -> Result<FulfillmentEvent, ShopifyError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            fulfillment_event: FulfillmentEvent,
        }
        const QUERY: &str = "mutation FluxFulfillmentEvent($fulfillmentEvent: FulfillmentEventInput!) { fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) { fulfillmentEvent { id status happenedAt message } userErrors { field message } } }";
        let p: Payload = self
            .mutation(
                QUERY,
                json!({ "fulfillmentEvent": event }),
                "fulfillmentEventCreate",
            )
            .await?;
        Ok(p.fulfillment_event)
    }
}
