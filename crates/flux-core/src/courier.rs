//! The [`Courier`] trait every courier crate implements, and the types it speaks.
//!
//! The trait is dyn-compatible: the orchestrator holds `Arc<dyn Courier>` and picks the
//! courier at run time. Operations a courier lacks return [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)
//! (the default method bodies do), and [`Courier::capabilities`] says up front which exist.
//!
//! ```
//! use std::sync::Arc;
//! use flux_core::courier::{Courier, CourierCapabilities};
//!
//! struct Pigeon;
//!
//! #[async_trait::async_trait]
//! impl Courier for Pigeon {
//!     fn provider(&self) -> &'static str { "pigeon" }
//!     fn capabilities(&self) -> CourierCapabilities { CourierCapabilities::default() }
//! }
//!
//! # tokio_test_block(async {
//! let courier: Arc<dyn Courier> = Arc::new(Pigeon);
//! let err = courier.services().await.unwrap_err();
//! assert!(err.is_unsupported());
//! # });
//! # fn tokio_test_block<F: std::future::Future>(f: F) { tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f); }
//! ```

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::address::{Address, GeoPoint};
use crate::error::ProviderError;
use crate::money::Money;
use crate::parcel::Parcel;

/// Identifies a shipment at its courier.
///
/// Most couriers have one AWB number. GLS has two ids per parcel (`ParcelNumber` for
/// tracking, `ParcelId` for labels, deletion and COD changes) and Sameday numbers each
/// parcel of an AWB, so the id keeps both levels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShipmentId {
    /// The number a person tracks (FAN `awbNumber`, Cargus `BarCode`, Sameday `awbNumber`,
    /// GLS first `ParcelNumber`).
    pub tracking_number: String,
    /// The courier's internal id where it differs from the tracking number (GLS first
    /// `ParcelId`).
    pub provider_id: Option<String>,
    /// Per-parcel ids, when the courier has them (empty otherwise).
    pub parcels: Vec<ParcelId>,
}

impl ShipmentId {
    /// A shipment known by one AWB number.
    pub fn awb(number: impl Into<String>) -> Self {
        Self {
            tracking_number: number.into(),
            provider_id: None,
            parcels: Vec::new(),
        }
    }
}

impl std::fmt::Display for ShipmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.tracking_number)
    }
}

/// One parcel's ids within a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ParcelId {
    /// The parcel's tracking number (GLS `ParcelNumber`, Sameday parcel AWB).
    pub tracking_number: String,
    /// The courier's internal id (GLS `ParcelId`).
    pub provider_id: Option<String>,
}

/// What the courier can do, so callers can decide before calling.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CourierCapabilities {
    /// [`Courier::quote`] prices a shipment.
    pub quote: bool,
    /// Cash on delivery collected in cash and returned to the sender.
    pub cod_cash: bool,
    /// Cash on delivery paid into the merchant's bank account.
    pub cod_bank_transfer: bool,
    /// A declared (insured) value.
    pub declared_value: bool,
    /// Delivery to a locker.
    pub lockers: bool,
    /// Delivery to a pickup point (shop, office).
    pub pickup_points: bool,
    /// Saturday delivery.
    pub saturday_delivery: bool,
    /// The recipient may open the package before paying.
    pub open_package: bool,
    /// Label formats offered.
    pub label_formats: Vec<LabelFormat>,
    /// How many shipments one tracking call accepts.
    pub max_tracking_batch: usize,
    /// Shipments can be cancelled.
    pub cancel: bool,
    /// A courier pickup can be ordered.
    pub pickup_order: bool,
    /// COD settlement reports are available.
    pub cod_settlements: bool,
    /// A shipment can be found by our reference (for reconciling an uncertain create).
    pub find_by_reference: bool,
    /// The COD amount can be changed after creation.
    pub change_cod: bool,
}

/// How cash on delivery reaches the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodCollection {
    /// Returned in cash (Cargus `CashRepayment`, the default elsewhere).
    #[default]
    Cash,
    /// Paid into the merchant's collector bank account (FAN "Cont Colector", Cargus
    /// `BankRepayment`).
    BankTransfer,
}

/// Cash on delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashOnDelivery {
    /// What the courier collects.
    pub amount: Money,
    /// How it reaches the merchant.
    pub collection: CodCollection,
}

/// Kinds of out-of-home delivery points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PickupPointKind {
    /// An automated locker (FANbox, easybox, Ship & Go locker, GLS locker).
    Locker,
    /// A partner shop or PUDO point.
    Shop,
    /// The courier's own office or depot.
    Office,
}

/// Where the parcel is delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryTarget {
    /// To the recipient's address.
    #[default]
    Door,
    /// To a locker or pickup point; couriers also want the point's own address.
    PickupPoint {
        /// The courier's id of the point.
        id: String,
        /// Locker, shop or office.
        kind: PickupPointKind,
        /// The point's address, when the courier requires it on the AWB.
        address: Option<Box<Address>>,
    },
}

/// Extra services.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShipmentOptions {
    /// Deliver on Saturday.
    pub saturday_delivery: bool,
    /// Deliver in the morning (Cargus).
    pub morning_delivery: bool,
    /// Let the recipient open the package before paying.
    pub open_package: bool,
    /// Electronic proof of delivery (FAN ePOD).
    pub epod: bool,
    /// Return a signed document (FAN oPOD).
    pub return_document: bool,
    /// A note for the courier.
    pub notes: Option<String>,
}

/// Everything needed to quote or create a shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShipmentRequest {
    /// Our reference for this shipment (the order name). Couriers that can store it
    /// let us find the shipment again after an uncertain create.
    pub reference: String,
    /// The courier service code (FAN "Standard", Cargus "34", Sameday "24"), or `None`
    /// to let the crate choose from the parcels.
    pub service: Option<String>,
    /// Who sends.
    pub sender: Address,
    /// The courier's id of the sender's pickup location, where it has one (Cargus
    /// `LocationId`, Sameday `pickupPoint`).
    pub sender_location_id: Option<String>,
    /// Who receives.
    pub recipient: Address,
    /// Door or pickup point.
    pub delivery: DeliveryTarget,
    /// The packages, at least one.
    pub parcels: Vec<Parcel>,
    /// Cash on delivery.
    pub cash_on_delivery: Option<CashOnDelivery>,
    /// Declared value of the whole shipment.
    pub declared_value: Option<Money>,
    /// What is inside, for the AWB.
    pub contents: Option<String>,
    /// Extra services.
    pub options: ShipmentOptions,
    /// When the courier should pick it up.
    pub pickup_date: Option<NaiveDate>,
}

impl ShipmentRequest {
    /// A request with the required parts; set the rest on the returned value.
    pub fn new(
        reference: impl Into<String>,
        sender: Address,
        recipient: Address,
        parcels: Vec<Parcel>,
    ) -> Self {
        Self {
            reference: reference.into(),
            service: None,
            sender,
            sender_location_id: None,
            recipient,
            delivery: DeliveryTarget::Door,
            parcels,
            cash_on_delivery: None,
            declared_value: None,
            contents: None,
            options: ShipmentOptions::default(),
            pickup_date: None,
        }
    }

    /// Checks what no courier accepts: no parcels, an empty reference, a negative COD,
    /// invalid addresses. Returns all problems with field paths.
    pub fn validate(&self) -> Result<(), ProviderError> {
        let mut fields = Vec::new();
        if self.reference.trim().is_empty() {
            fields.push(crate::FieldError::new("reference", "must not be empty"));
        }
        if self.parcels.is_empty() {
            fields.push(crate::FieldError::new(
                "parcels",
                "at least one parcel is needed",
            ));
        }
        for (prefix, address) in [("sender", &self.sender), ("recipient", &self.recipient)] {
            if let Err(e) = address.validate() {
                fields.extend(e.field_errors().iter().map(|f| {
                    crate::FieldError::new(format!("{prefix}.{}", f.field), f.message.clone())
                }));
            }
        }
        if let Some(cod) = &self.cash_on_delivery
            && (cod.amount.is_negative() || cod.amount.is_zero())
        {
            fields.push(crate::FieldError::new(
                "cash_on_delivery.amount",
                "must be above zero",
            ));
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ProviderError::validation_fields("flux", fields))
        }
    }

    /// Total weight of the parcels, kg.
    pub fn total_weight_kg(&self) -> Decimal {
        crate::parcel::total_weight_kg(&self.parcels)
    }
}

/// A price for a shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Quote {
    /// The service priced.
    pub service: String,
    /// Total price, VAT included.
    pub total: Money,
    /// Price without VAT, when the courier says.
    pub net: Option<Money>,
    /// Expected delivery day.
    pub estimated_delivery: Option<NaiveDate>,
}

impl Quote {
    /// A quote for `service` at `total`.
    pub fn new(service: impl Into<String>, total: Money) -> Self {
        Self {
            service: service.into(),
            total,
            net: None,
            estimated_delivery: None,
        }
    }
}

/// A service a courier offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CourierService {
    /// The code to put in [`ShipmentRequest::service`].
    pub code: String,
    /// A readable name.
    pub name: String,
    /// Delivers to lockers or pickup points.
    pub out_of_home: bool,
}

impl CourierService {
    /// A service.
    pub fn new(code: impl Into<String>, name: impl Into<String>, out_of_home: bool) -> Self {
        Self {
            code: code.into(),
            name: name.into(),
            out_of_home,
        }
    }
}

/// Document type of a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LabelFormat {
    /// PDF, one label per A4 page.
    PdfA4,
    /// PDF, A5.
    PdfA5,
    /// PDF, A6 (10×15 cm thermal).
    PdfA6,
    /// PDF, 10×14 cm (Cargus).
    Pdf10x14,
    /// PDF, four labels on an A4 sheet in a 2×2 grid (GLS).
    PdfA4TwoByTwo,
    /// PDF, four labels on an A4 sheet in a column (GLS).
    PdfA4FourByOne,
    /// PDF for a thermal printer (GLS `Thermo`).
    PdfThermal,
    /// ZPL for a Zebra printer.
    Zpl,
}

impl LabelFormat {
    /// The MIME type of this format's bytes.
    pub fn content_type(self) -> &'static str {
        match self {
            LabelFormat::Zpl => "application/zpl",
            _ => "application/pdf",
        }
    }
}

/// A printable label.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Its format.
    pub format: LabelFormat,
    /// The document's bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Label")
            .field("format", &self.format)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

/// The result of creating a shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedShipment {
    /// The courier's ids.
    pub id: ShipmentId,
    /// The price charged, when the courier returns it.
    pub price: Option<Money>,
    /// The label, when the courier returns it at creation (GLS prints only once).
    pub label: Option<Label>,
    /// Our reference, echoed.
    pub reference: String,
}

impl CreatedShipment {
    /// A created shipment.
    pub fn new(id: ShipmentId, reference: impl Into<String>) -> Self {
        Self {
            id,
            price: None,
            label: None,
            reference: reference.into(),
        }
    }
}

/// A courier-neutral tracking status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrackingStatus {
    /// Created, not yet in the courier's hands.
    Pending,
    /// Picked up from the sender.
    PickedUp,
    /// Moving through the network.
    InTransit,
    /// On the van for delivery today.
    OutForDelivery,
    /// Waiting in a locker or pickup point.
    ReadyForPickup,
    /// Delivered.
    Delivered,
    /// A delivery attempt failed (nobody home, refused, wrong address).
    DeliveryFailed,
    /// Returned, or on the way back, to the sender.
    Returned,
    /// Cancelled before pickup.
    Cancelled,
    /// A status the mapping does not know.
    Unknown,
}

impl TrackingStatus {
    /// Whether no further change is expected.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Returned | Self::Cancelled)
    }

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::PickedUp => "picked_up",
            Self::InTransit => "in_transit",
            Self::OutForDelivery => "out_for_delivery",
            Self::ReadyForPickup => "ready_for_pickup",
            Self::Delivered => "delivered",
            Self::DeliveryFailed => "delivery_failed",
            Self::Returned => "returned",
            Self::Cancelled => "cancelled",
            Self::Unknown => "unknown",
        }
    }
}

/// One scan or status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrackingEvent {
    /// When it happened, with the courier's offset (Romanian couriers report local time).
    pub at: DateTime<FixedOffset>,
    /// Normalized status.
    pub status: TrackingStatus,
    /// The courier's own code, kept as given (FAN `S2`, Cargus `21`, Sameday `9`, GLS `5`).
    pub code: String,
    /// The courier's description.
    pub description: String,
    /// Where, when given.
    pub location: Option<String>,
}

impl TrackingEvent {
    /// An event.
    pub fn new(
        at: DateTime<FixedOffset>,
        status: TrackingStatus,
        code: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            at,
            status,
            code: code.into(),
            description: description.into(),
            location: None,
        }
    }
}

/// The tracking state of one shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrackingResult {
    /// Which shipment.
    pub tracking_number: String,
    /// Whether the courier knows the shipment yet (an AWB not yet scanned is `false` with
    /// status [`TrackingStatus::Pending`]).
    pub found: bool,
    /// The current normalized status.
    pub status: TrackingStatus,
    /// The courier's code for the current status.
    pub raw_status: Option<String>,
    /// Events, oldest first.
    pub events: Vec<TrackingEvent>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<FixedOffset>>,
}

impl TrackingResult {
    /// A shipment the courier does not know yet.
    pub fn not_found(tracking_number: impl Into<String>) -> Self {
        Self {
            tracking_number: tracking_number.into(),
            found: false,
            status: TrackingStatus::Pending,
            raw_status: None,
            events: Vec::new(),
            delivered_at: None,
        }
    }

    /// Builds a result from events (sorted here, oldest first): the current status is the
    /// last event's.
    pub fn from_events(tracking_number: impl Into<String>, mut events: Vec<TrackingEvent>) -> Self {
        events.sort_by_key(|e| e.at);
        let last = events.last();
        Self {
            tracking_number: tracking_number.into(),
            found: true,
            status: last.map_or(TrackingStatus::Pending, |e| e.status),
            raw_status: last.map(|e| e.code.clone()),
            delivered_at: events
                .iter()
                .rev()
                .find(|e| e.status == TrackingStatus::Delivered)
                .map(|e| e.at),
            events,
        }
    }
}

/// A search for lockers and pickup points.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PickupPointQuery {
    /// Only in this county.
    pub county: Option<crate::County>,
    /// Only in this locality.
    pub locality: Option<String>,
    /// Only of this kind.
    pub kind: Option<PickupPointKind>,
}

/// A locker, shop or office where parcels can be collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PickupPoint {
    /// The courier's id, to put in [`DeliveryTarget::PickupPoint`].
    pub id: String,
    /// Locker, shop or office.
    pub kind: PickupPointKind,
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: Address,
    /// Its coordinates.
    pub location: Option<GeoPoint>,
    /// Opening hours as the courier writes them.
    pub opening_hours: Option<String>,
    /// Whether cash on delivery can be paid there (by card at a locker).
    pub accepts_cod: Option<bool>,
}

impl PickupPoint {
    /// A pickup point.
    pub fn new(
        id: impl Into<String>,
        kind: PickupPointKind,
        name: impl Into<String>,
        address: Address,
    ) -> Self {
        Self {
            id: id.into(),
            kind,
            name: name.into(),
            address,
            location: None,
            opening_hours: None,
            accepts_cod: None,
        }
    }
}

/// A request for the courier to come and collect parcels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PickupRequest {
    /// The day.
    pub date: NaiveDate,
    /// Ready from (local time).
    pub ready_from: NaiveTime,
    /// Ready until (local time).
    pub ready_until: NaiveTime,
    /// Where, when not the account's default pickup location.
    pub address: Option<Address>,
    /// The courier's id of the pickup location.
    pub location_id: Option<String>,
    /// How many parcels.
    pub parcels: u32,
    /// Total weight, kg.
    pub weight_kg: Decimal,
    /// A note for the courier.
    pub notes: Option<String>,
}

impl PickupRequest {
    /// A pickup on `date` between `ready_from` and `ready_until` of `parcels` weighing
    /// `weight_kg` in total, at the account's default location.
    pub fn new(
        date: NaiveDate,
        ready_from: NaiveTime,
        ready_until: NaiveTime,
        parcels: u32,
        weight_kg: Decimal,
    ) -> Self {
        Self {
            date,
            ready_from,
            ready_until,
            address: None,
            location_id: None,
            parcels,
            weight_kg,
            notes: None,
        }
    }
}

/// The courier's acknowledgement of a pickup order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PickupConfirmation {
    /// The courier's order id.
    pub id: String,
    /// The day the courier will come.
    pub date: NaiveDate,
}

impl PickupConfirmation {
    /// A confirmation.
    pub fn new(id: impl Into<String>, date: NaiveDate) -> Self {
        Self {
            id: id.into(),
            date,
        }
    }
}

/// A period of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl DateRange {
    /// A range, if `from <= to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, ProviderError> {
        if from > to {
            return Err(ProviderError::validation(
                "flux",
                "to",
                format!("the period ends ({to}) before it starts ({from})"),
            ));
        }
        Ok(Self { from, to })
    }
}

/// Cash on delivery the courier has paid out for one shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CodSettlement {
    /// Which shipment.
    pub tracking_number: String,
    /// Our reference, when the courier reports it.
    pub reference: Option<String>,
    /// The amount paid out.
    pub amount: Money,
    /// When it was paid or collected.
    pub paid_on: Option<NaiveDate>,
    /// The bank transfer or document reference.
    pub payment_reference: Option<String>,
}

/// A courier: quotes, AWBs, labels, tracking, cancellation, pickup points, pickups and
/// cash-on-delivery settlements.
///
/// Every method has a default that returns [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported), so a courier
/// implements what it offers and says so in [`capabilities`](Courier::capabilities).
#[async_trait]
pub trait Courier: Send + Sync {
    /// A short stable id: `"fancourier"`, `"cargus"`, `"sameday"`, `"gls"`.
    fn provider(&self) -> &'static str;

    /// What this courier offers.
    fn capabilities(&self) -> CourierCapabilities;

    /// The services the account can use.
    async fn services(&self) -> Result<Vec<CourierService>, ProviderError> {
        Err(ProviderError::unsupported(
            self.provider(),
            "listing services",
        ))
    }

    /// Prices a shipment without creating it.
    async fn quote(&self, request: &ShipmentRequest) -> Result<Quote, ProviderError> {
        let _ = request;
        Err(ProviderError::unsupported(self.provider(), "quotes"))
    }

    /// Creates the shipment (the AWB). This costs money: callers must record their
    /// intent first and treat a [`ProviderError::maybe_sent`] error as "look it up before
    /// trying again".
    async fn create_shipment(
        &self,
        request: &ShipmentRequest,
    ) -> Result<CreatedShipment, ProviderError> {
        let _ = request;
        Err(ProviderError::unsupported(
            self.provider(),
            "creating shipments",
        ))
    }

    /// Finds a shipment created with our `reference` on or after `since`, for reconciling
    /// a create whose outcome is unknown. `Ok(None)` means the courier has none.
    async fn find_by_reference(
        &self,
        reference: &str,
        since: NaiveDate,
    ) -> Result<Option<CreatedShipment>, ProviderError> {
        let _ = (reference, since);
        Err(ProviderError::unsupported(
            self.provider(),
            "finding shipments by reference",
        ))
    }

    /// Downloads the label.
    async fn label(&self, id: &ShipmentId, format: LabelFormat) -> Result<Label, ProviderError> {
        let _ = (id, format);
        Err(ProviderError::unsupported(self.provider(), "labels"))
    }

    /// Tracks several shipments; the result has one entry per id, in order.
    async fn track(&self, ids: &[ShipmentId]) -> Result<Vec<TrackingResult>, ProviderError> {
        let _ = ids;
        Err(ProviderError::unsupported(self.provider(), "tracking"))
    }

    /// Cancels a shipment that has not moved yet.
    async fn cancel(&self, id: &ShipmentId) -> Result<(), ProviderError> {
        let _ = id;
        Err(ProviderError::unsupported(
            self.provider(),
            "cancelling shipments",
        ))
    }

    /// Lists lockers and pickup points.
    async fn pickup_points(
        &self,
        query: &PickupPointQuery,
    ) -> Result<Vec<PickupPoint>, ProviderError> {
        let _ = query;
        Err(ProviderError::unsupported(self.provider(), "pickup points"))
    }

    /// Orders a courier pickup.
    async fn order_pickup(
        &self,
        request: &PickupRequest,
    ) -> Result<PickupConfirmation, ProviderError> {
        let _ = request;
        Err(ProviderError::unsupported(self.provider(), "pickup orders"))
    }

    /// Cash on delivery paid out in a period.
    async fn cod_settlements(
        &self,
        period: &DateRange,
    ) -> Result<Vec<CodSettlement>, ProviderError> {
        let _ = period;
        Err(ProviderError::unsupported(
            self.provider(),
            "COD settlement reports",
        ))
    }

    /// Changes the COD amount of an existing shipment.
    async fn change_cod(&self, id: &ShipmentId, amount: &Money) -> Result<(), ProviderError> {
        let _ = (id, amount);
        Err(ProviderError::unsupported(
            self.provider(),
            "changing the COD amount",
        ))
    }
}

impl CodSettlement {
    /// `amount` paid out for `tracking_number`.
    pub fn new(tracking_number: impl Into<String>, amount: Money) -> Self {
        Self {
            tracking_number: tracking_number.into(),
            reference: None,
            amount,
            paid_on: None,
            payment_reference: None,
        }
    }
}
