//! `GET reports/awb/tracking` and the event codes (`reports/awb-events`).

use chrono::{DateTime, FixedOffset};
use flux_core::courier::TrackingStatus;
use serde::Deserialize;

use crate::wire;

macro_rules! event_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $status:ident; )+) => {
        /// A FAN AWB event code (`events[].id`). Unknown codes are kept as `Other`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventCode {
            $( $(#[$doc])* $variant, )+
            /// A code this crate does not know, kept as FAN sent it.
            Other(String),
        }

        impl EventCode {
            /// The wire code (`S2`).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $code, )+
                    Self::Other(s) => s.as_str(),
                }
            }

            /// Parses a code (case-insensitive, trimmed).
            pub fn parse(code: &str) -> Self {
                let c = code.trim().to_ascii_uppercase();
                match c.as_str() {
                    $( $code => Self::$variant, )+
                    _ => Self::Other(code.trim().to_owned()),
                }
            }

            /// The courier-neutral status this event means.
            pub fn status(&self) -> TrackingStatus {
                match self {
                    $( Self::$variant => TrackingStatus::$status, )+
                    Self::Other(_) => TrackingStatus::Unknown,
                }
            }
        }
    };
}

event_codes! {
    /// Picked up from the sender.
    C0 => "C0", PickedUp;
    /// Taken out for delivery.
    C1 => "C1", OutForDelivery;
    /// In transit to the destination depot.
    H0 => "H0", InTransit;
    /// Unloaded at the destination depot.
    H1 => "H1", InTransit;
    /// In transit.
    H2 => "H2", InTransit;
    /// Sorted on the belt.
    H3 => "H3", InTransit;
    /// Sorted on the belt.
    H4 => "H4", InTransit;
    /// In transit to the destination depot.
    H10 => "H10", InTransit;
    /// Unloaded at the destination depot.
    H11 => "H11", InTransit;
    /// In the depot.
    H12 => "H12", InTransit;
    /// In the depot.
    H13 => "H13", InTransit;
    /// In the depot.
    H15 => "H15", InTransit;
    /// In the destination depot.
    H17 => "H17", InTransit;
    /// Out for delivery.
    S1 => "S1", OutForDelivery;
    /// Delivered ("Livrat").
    S2 => "S2", Delivered;
    /// Notified (avizat): nobody home.
    S3 => "S3", DeliveryFailed;
    /// Incomplete address.
    S4 => "S4", DeliveryFailed;
    /// Wrong address, the recipient moved.
    S5 => "S5", DeliveryFailed;
    /// Refused.
    S6 => "S6", DeliveryFailed;
    /// Refused to pay the transport.
    S7 => "S7", DeliveryFailed;
    /// To be collected from a FAN office.
    S8 => "S8", ReadyForPickup;
    /// Redirected.
    S9 => "S9", InTransit;
    /// Wrong address, no phone.
    S10 => "S10", DeliveryFailed;
    /// Notified and SMS sent.
    S11 => "S11", DeliveryFailed;
    /// Contacted, delivery later.
    S12 => "S12", DeliveryFailed;
    /// Access restrictions at the address.
    S14 => "S14", DeliveryFailed;
    /// Refused to pay the COD.
    S15 => "S15", DeliveryFailed;
    /// Returned at term.
    S16 => "S16", Returned;
    /// Incomplete address, SMS sent.
    S19 => "S19", DeliveryFailed;
    /// Incomplete address, no phone.
    S20 => "S20", DeliveryFailed;
    /// Notified, no contact person.
    S21 => "S21", DeliveryFailed;
    /// Notified, no money for the COD.
    S22 => "S22", DeliveryFailed;
    /// Notified, no ID or authorisation.
    S24 => "S24", DeliveryFailed;
    /// Wrong address, SMS sent.
    S25 => "S25", DeliveryFailed;
    /// Wrong address, wrong phone.
    S27 => "S27", DeliveryFailed;
    /// Incomplete address, wrong phone.
    S28 => "S28", DeliveryFailed;
    /// Does not answer the phone.
    S30 => "S30", DeliveryFailed;
    /// Return requested.
    S33 => "S33", Returned;
    /// Re-sent to delivery.
    S35 => "S35", InTransit;
    /// Indemnified.
    S37 => "S37", Unknown;
    /// AWB not shipped.
    S38 => "S38", Cancelled;
    /// Wrong address.
    S42 => "S42", DeliveryFailed;
    /// Returned.
    S43 => "S43", Returned;
    /// Handed to a delivery point (FANbox / PayPoint).
    S46 => "S46", ReadyForPickup;
    /// Handed to an external partner.
    S47 => "S47", InTransit;
    /// Activity suspended.
    S49 => "S49", DeliveryFailed;
    /// Refused confirmation.
    S50 => "S50", DeliveryFailed;
    /// Locker full.
    S54 => "S54", DeliveryFailed;
    /// Locker box size exceeded.
    S55 => "S55", DeliveryFailed;
    /// Customs documents missing.
    S64 => "S64", DeliveryFailed;
}

impl std::fmt::Display for EventCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&wire::string(d)?))
    }
}

/// One scan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AwbEvent {
    /// The event code.
    pub id: EventCode,
    /// FAN's description.
    #[serde(default, deserialize_with = "wire::string")]
    pub name: String,
    /// Where.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub location: Option<String>,
    /// When, Europe/Bucharest (FAN sends local time without an offset).
    #[serde(default, deserialize_with = "wire::opt_local_datetime")]
    pub date: Option<DateTime<FixedOffset>>,
}

/// Who signed for the delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Confirmation {
    /// The (masked) name.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub name: Option<String>,
    /// When.
    #[serde(default, deserialize_with = "wire::opt_local_datetime")]
    pub date: Option<DateTime<FixedOffset>>,
}

/// The tracking state of one AWB. An AWB FAN has not seen moving yet comes back with
/// only `message` (`"The AWB has been registerd by sender"`) and no events.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct AwbTracking {
    /// The AWB.
    #[serde(rename = "awbNumber", default, deserialize_with = "wire::string")]
    pub awb_number: String,
    /// FAN's note for AWBs it cannot report on yet.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub message: Option<String>,
    /// Contents as written on the AWB.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub content: Option<String>,
    /// AWB date.
    #[serde(default, deserialize_with = "wire::opt_local_datetime")]
    pub date: Option<DateTime<FixedOffset>>,
    /// When the COD was paid.
    #[serde(rename = "paymentDate", default, deserialize_with = "wire::opt_string")]
    pub payment_date: Option<String>,
    /// Return AWB.
    #[serde(
        rename = "returnAwbNumber",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub return_awb_number: Option<String>,
    /// Redirection AWB.
    #[serde(
        rename = "redirectionAwbNumber",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub redirection_awb_number: Option<String>,
    /// The AWB carrying the COD back.
    #[serde(
        rename = "reimbursementAwbNumber",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub reimbursement_awb_number: Option<String>,
    /// oPOD AWB.
    #[serde(
        rename = "oPODAwbNumber",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub opod_awb_number: Option<String>,
    /// Delivery confirmation.
    #[serde(default)]
    pub confirmation: Option<Confirmation>,
    /// On-time-delivery class (`24H`).
    #[serde(rename = "OTD", default, deserialize_with = "wire::opt_string")]
    pub otd: Option<String>,
    /// Weight, kg.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub weight: Option<rust_decimal::Decimal>,
    /// Service id.
    #[serde(rename = "serviceId", default, deserialize_with = "wire::opt_string")]
    pub service_id: Option<String>,
    /// Option letters.
    #[serde(rename = "optionCodes", default)]
    pub option_codes: Option<Vec<String>>,
    /// Events, oldest first.
    #[serde(default)]
    pub events: Vec<AwbEvent>,
}

impl AwbTracking {
    /// The last event, if any.
    pub fn last_event(&self) -> Option<&AwbEvent> {
        self.events.last()
    }

    /// Whether FAN knows movements of this AWB (`false` for a `message`-only item).
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }
}

/// An entry of the event code list (`reports/awb-events`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct EventType {
    /// The code.
    pub id: EventCode,
    /// Its description in the requested language.
    #[serde(default, deserialize_with = "wire::string")]
    pub name: String,
}
