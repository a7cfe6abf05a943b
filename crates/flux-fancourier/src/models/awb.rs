//! `POST intern-awb`: domestic AWBs, created in batches with a result per shipment.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::open_enum;
use crate::wire;

open_enum! {
    /// A FAN service name (`reports/services`). The create and tariff calls take the name.
    ServiceName {
        /// Door-to-door delivery.
        Standard => "Standard",
        /// Door delivery, COD paid into the merchant's collector account.
        ContColector => "Cont Colector",
        /// Delivery to a FANbox locker.
        FanBox => "FANBox",
        /// FANbox delivery, COD paid into the collector account.
        FanBoxContColector => "FANBox Cont Colector",
        /// Delivery to a PayPoint / partner collect point.
        CollectPoint => "CollectPoint",
        /// Collect point delivery, COD paid into the collector account.
        CollectPointContColector => "CollectPoint Cont Colector",
        /// International (`extern-awb`).
        Export => "Export",
    }
}

impl ServiceName {
    /// Whether the service delivers to a locker or collect point.
    pub fn is_out_of_home(&self) -> bool {
        let s = self.as_str().to_ascii_lowercase();
        s.contains("fanbox") || s.contains("collectpoint") || s.contains("paypoint")
    }
}

open_enum! {
    /// Who pays the transport (`info.payment`, `info.returnPayment`).
    PaymentParty {
        /// The sender (`expeditor`).
        Sender => "expeditor",
        /// The recipient (`destinatar`).
        Recipient => "destinatar",
    }
}

open_enum! {
    /// An extra-service letter in `info.options` (validate per service with
    /// `reports/service-options`).
    AwbOption {
        /// `A`: the recipient may open the package at delivery.
        OpenOnDelivery => "A",
        /// `B`: the signed AWB is returned in original (oPOD).
        Opod => "B",
        /// `S`: Saturday delivery.
        SaturdayDelivery => "S",
        /// `X`: electronic proof of delivery (ePOD); needed for A6 labels.
        Epod => "X",
        /// `W`: the sender hands the parcel in at a FANbox.
        FanboxDropOff => "W",
        /// `D`: delivery to a FAN office.
        OfficeDelivery => "D",
    }
}

/// `POST intern-awb` body: the account and a batch of shipments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CreateAwbBody<'a> {
    #[serde(rename = "clientId")]
    pub(crate) client_id: &'a str,
    #[serde(rename = "platformId", skip_serializing_if = "Option::is_none")]
    pub(crate) platform_id: Option<&'a str>,
    pub(crate) shipments: &'a [AwbShipment],
}

/// One shipment of an `intern-awb` batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AwbShipment {
    /// Service, packages, COD, options.
    pub info: AwbInfo,
    /// Who receives.
    pub recipient: AwbParty,
    /// Who sends (only the drop-off point by default: FAN then uses the account's address).
    pub sender: AwbSender,
}

impl AwbShipment {
    /// A shipment for `recipient` with the given `info`, sent from the account's default
    /// pickup address.
    pub fn new(info: AwbInfo, recipient: AwbParty) -> Self {
        Self {
            info,
            recipient,
            sender: AwbSender::AccountDefault {
                address: DropOff {
                    drop_off_location_id: String::new(),
                },
            },
        }
    }
}

/// Parcel and envelope counts (at least one must be above 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Packages {
    /// Parcels (`parcel`).
    #[serde(default, deserialize_with = "wire::count")]
    pub parcel: u32,
    /// Envelopes (`envelope`).
    #[serde(default, deserialize_with = "wire::count")]
    pub envelope: u32,
}

/// Dimensions in cm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AwbDimensions {
    /// Length, cm.
    #[serde(serialize_with = "wire::decimal_number")]
    pub length: Decimal,
    /// Height, cm.
    #[serde(serialize_with = "wire::decimal_number")]
    pub height: Decimal,
    /// Width, cm.
    #[serde(serialize_with = "wire::decimal_number")]
    pub width: Decimal,
}

/// `info` of a shipment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AwbInfo {
    /// The service name.
    pub service: ServiceName,
    /// Bank for the COD payout (collector account services), or `""`.
    pub bank: String,
    /// IBAN for the COD payout, or `""`.
    #[serde(rename = "bankAccount")]
    pub bank_account: String,
    /// Parcel and envelope counts.
    pub packages: Packages,
    /// Total weight, kg.
    #[serde(serialize_with = "wire::decimal_number")]
    pub weight: Decimal,
    /// Cash on delivery, RON.
    #[serde(
        serialize_with = "wire::opt_decimal_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub cod: Option<Decimal>,
    /// Currency of the amounts (`RON`).
    pub currency: String,
    /// Declared (insured) value, RON.
    #[serde(
        rename = "declaredValue",
        serialize_with = "wire::opt_decimal_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub declared_value: Option<Decimal>,
    /// Who pays the transport.
    pub payment: PaymentParty,
    /// What is returned to the sender (restituire), or `""`.
    pub refund: String,
    /// Who pays the return.
    #[serde(rename = "returnPayment")]
    pub return_payment: PaymentParty,
    /// Notes for the courier.
    pub observation: String,
    /// Contents, printed on the AWB.
    pub content: String,
    /// Dimensions, cm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<AwbDimensions>,
    /// Cost centre, or `""`.
    #[serde(rename = "costCenter")]
    pub cost_center: String,
    /// Extra services.
    pub options: Vec<AwbOption>,
    /// RO e-Transport UIT code, or `""`.
    #[serde(rename = "uitCode")]
    pub uit_code: String,
}

impl AwbInfo {
    /// Minimal info: service, packages, weight; the sender pays transport and returns.
    pub fn new(service: ServiceName, packages: Packages, weight_kg: Decimal) -> Self {
        Self {
            service,
            bank: String::new(),
            bank_account: String::new(),
            packages,
            weight: weight_kg,
            cod: None,
            currency: "RON".to_owned(),
            declared_value: None,
            payment: PaymentParty::Sender,
            refund: String::new(),
            return_payment: PaymentParty::Sender,
            observation: String::new(),
            content: String::new(),
            dimensions: None,
            cost_center: String::new(),
            options: Vec::new(),
            uit_code: String::new(),
        }
    }
}

/// A recipient or sender with an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AwbParty {
    /// Person or company name.
    pub name: String,
    /// Contact person.
    #[serde(rename = "contactPerson")]
    pub contact_person: String,
    /// Phone.
    pub phone: String,
    /// Second phone, or `""`.
    #[serde(rename = "secondaryPhone")]
    pub secondary_phone: String,
    /// Email, or `""`.
    pub email: String,
    /// The address.
    pub address: AwbAddress,
}

impl AwbParty {
    /// A party named `name` (also the contact person) reachable at `phone`.
    pub fn new(name: impl Into<String>, phone: impl Into<String>, address: AwbAddress) -> Self {
        let name = name.into();
        Self {
            contact_person: name.clone(),
            name,
            phone: phone.into(),
            secondary_phone: String::new(),
            email: String::new(),
            address,
        }
    }
}

/// An address, by nomenclature names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct AwbAddress {
    /// County name, as in `reports/counties`.
    pub county: String,
    /// Locality name, as in `reports/localities`.
    pub locality: String,
    /// Street.
    pub street: String,
    /// Street number, always a string on the wire.
    #[serde(rename = "streetNo")]
    pub street_no: String,
    /// FANbox / PayPoint id for out-of-home delivery (recipient only).
    #[serde(rename = "pickupLocationId", skip_serializing_if = "Option::is_none")]
    pub pickup_location_id: Option<String>,
    /// FANbox id where the sender drops the parcel (sender only).
    #[serde(rename = "dropOffLocationId", skip_serializing_if = "Option::is_none")]
    pub drop_off_location_id: Option<String>,
    /// Postal code, or `""`.
    #[serde(rename = "zipCode")]
    pub zip_code: String,
    /// Building, or `""`.
    pub building: String,
    /// Entrance, or `""`.
    pub entrance: String,
    /// Floor, or `""`.
    pub floor: String,
    /// Apartment, or `""`.
    pub apartment: String,
}

impl AwbAddress {
    /// An address in `locality`, `county` (nomenclature names).
    pub fn new(county: impl Into<String>, locality: impl Into<String>) -> Self {
        Self {
            county: county.into(),
            locality: locality.into(),
            ..Self::default()
        }
    }
}

/// The drop-off point of a sender that uses the account's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropOff {
    /// FANbox id where the parcel is handed in, or `""`.
    #[serde(rename = "dropOffLocationId")]
    pub drop_off_location_id: String,
}

/// `sender` of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum AwbSender {
    /// Use the account's pickup address (`{"address":{"dropOffLocationId":""}}`).
    AccountDefault {
        /// The drop-off point, if any.
        address: DropOff,
    },
    /// A full sender block.
    Full(Box<AwbParty>),
}

/// The result for one shipment of a batch, in request order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CreatedAwb {
    /// The AWB number (13 digits), absent when the shipment was refused.
    #[serde(rename = "awbNumber", default, deserialize_with = "wire::opt_string")]
    pub awb_number: Option<String>,
    /// Transport price, RON without VAT.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub tariff: Option<Decimal>,
    /// VAT on the tariff, when FAN reports it.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub vat: Option<Decimal>,
    /// Package count.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub packages: Option<String>,
    /// Routing letter.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub letter: Option<String>,
    /// Routing code.
    #[serde(rename = "routingCode", default, deserialize_with = "wire::opt_string")]
    pub routing_code: Option<String>,
    /// Destination office.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub office: Option<String>,
    /// Visual sorting code.
    #[serde(rename = "visualCode", default, deserialize_with = "wire::opt_string")]
    pub visual_code: Option<String>,
    /// The pickup point, for FANbox/collect point shipments.
    #[serde(
        rename = "pickUpPointId",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub pickup_point_id: Option<String>,
    /// Estimated delivery, as FAN writes it.
    #[serde(
        rename = "estimatedDeliveryTime",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub estimated_delivery_time: Option<String>,
    /// `false` when refused (newer payloads).
    #[serde(default)]
    pub success: Option<bool>,
    /// Field path to message, when refused.
    #[serde(default)]
    pub errors: Option<serde_json::Value>,
}

impl CreatedAwb {
    /// The field errors of a refused shipment (empty when it was created).
    pub fn field_errors(&self) -> Vec<flux_core::FieldError> {
        let mut fields = crate::client::field_errors(self.errors.as_ref());
        let refused = self.success == Some(false) || self.awb_number.is_none();
        if fields.is_empty() && refused {
            fields.push(flux_core::FieldError::new(
                "shipment",
                "FAN Courier refused the shipment without details",
            ));
        }
        fields
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateAwbResponse {
    #[serde(default)]
    pub(crate) response: Option<Vec<CreatedAwb>>,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) errors: Option<serde_json::Value>,
}
