//! AWBs (transport waybills): create (`POST Awbs`, `Awbs/WithGetAwb`), create with a
//! pickup from another address (`POST AwbPickup`), delete, details, listing by period,
//! and label documents (`GET AwbDocuments`).

use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::client::{CargusClient, decode_list};
use crate::dates::{de_opt_datetime, us_date};
use crate::error::CargusError;
use crate::serde_util::{bare_string, de_opt_id, de_opt_text, de_text, value_bool};
use crate::service::ServiceId;

/// Who pays the shipping (`ShipmentPayer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShipmentPayer {
    /// 1: the sender.
    Sender,
    /// 2: the recipient.
    Recipient,
    /// Another code (3 appears in Cargus's own examples, probably a third party).
    Other(u8),
}

impl ShipmentPayer {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Self::Sender => 1,
            Self::Recipient => 2,
            Self::Other(c) => c,
        }
    }
}

impl Serialize for ShipmentPayer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for ShipmentPayer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match u8::deserialize(d)? {
            1 => Self::Sender,
            2 => Self::Recipient,
            other => Self::Other(other),
        })
    }
}

/// A sender or recipient on an AWB. A sender is usually just its pickup `LocationId`; a
/// recipient is sent by names (county, locality, street) with ids left out, or by the ids
/// from [`CargusClient::localities`] and [`CargusClient::streets`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AwbAddress {
    /// A pickup location id (sender) or address-book id.
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub location_id: Option<i64>,
    /// Name (person or company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// County id.
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub county_id: Option<i64>,
    /// County name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_name: Option<String>,
    /// Locality id.
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub locality_id: Option<i64>,
    /// Locality name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality_name: Option<String>,
    /// Street id.
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub street_id: Option<i64>,
    /// Street name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_name: Option<String>,
    /// Street number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    /// The address as one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_text: Option<String>,
    /// Contact person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
    /// Phone number (mandatory for Ship & Go).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Email (mandatory for Ship & Go).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_postal: Option<String>,
    /// Country id (Romania is 1; `0`/absent for domestic AWBs).
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub country_id: Option<i64>,
}

impl AwbAddress {
    /// A sender known by its pickup location id.
    pub fn pickup_location(location_id: i64) -> Self {
        Self {
            location_id: Some(location_id),
            ..Self::default()
        }
    }
}

/// One piece in `ParcelCodes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ParcelCode {
    /// The piece's index as text (`"0"`, `"1"`…), or its barcode in responses.
    #[serde(default, deserialize_with = "de_text")]
    pub code: String,
    /// 1 = parcel, 0 = envelope.
    #[serde(rename = "Type", default)]
    pub kind: u8,
    /// Weight, kg.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub weight: Decimal,
    /// Length, cm.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub length: Option<Decimal>,
    /// Width, cm.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<Decimal>,
    /// Height, cm.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<Decimal>,
    /// What is inside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parcel_content: Option<String>,
}

impl ParcelCode {
    /// A piece: its code, its type (1 parcel, 0 envelope) and its weight.
    pub fn new(code: impl Into<String>, kind: u8, weight: Decimal) -> Self {
        Self {
            code: code.into(),
            kind,
            weight,
            length: None,
            width: None,
            height: None,
            parcel_content: None,
        }
    }
}

/// The body of `POST Awbs` (DOC p.31–33). Build with [`NewAwb::new`] and set the rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct NewAwb {
    /// Always `null`.
    pub sender_client_id: Option<i64>,
    /// Ship on behalf of another client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tertiary_client_id: Option<i64>,
    /// The other client's location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tertiary_location_id: Option<i64>,
    /// The sender: a pickup location id.
    pub sender: AwbAddress,
    /// The recipient.
    pub recipient: AwbAddress,
    /// Number of parcels.
    pub parcels: u32,
    /// Number of envelopes (at most 9).
    pub envelopes: u32,
    /// Total weight, kg.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub total_weight: Decimal,
    /// The service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_id: Option<ServiceId>,
    /// Declared (insured) value, RON.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub declared_value: Decimal,
    /// Cash on delivery returned in cash, RON.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cash_repayment: Decimal,
    /// Cash on delivery paid into the collector account, RON.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub bank_repayment: Decimal,
    /// Another kind of repayment (a receipt, an exchanged parcel…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_repayment: Option<String>,
    /// The recipient may open the package.
    pub open_package: bool,
    /// Price table (`0` = default).
    pub price_table_id: i64,
    /// Who pays.
    pub shipment_payer: ShipmentPayer,
    /// Deliver on Saturday (only where the locality is served on Saturdays).
    pub saturday_delivery: bool,
    /// Morning delivery.
    pub morning_delivery: bool,
    /// Notes for the courier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observations: Option<String>,
    /// Contents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_content: Option<String>,
    /// Our reference; it comes back in tracking and COD reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_string: Option<String>,
    /// Sender's reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_reference1: Option<String>,
    /// Recipient's first reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_reference1: Option<String>,
    /// Recipient's second reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_reference2: Option<String>,
    /// Invoice reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_reference: Option<String>,
    /// One entry per piece.
    pub parcel_codes: Vec<ParcelCode>,
    /// 0 none, 1 return code, 2 pre-printed return AWB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_return_type: Option<u8>,
    /// Days the return code stays valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_code_expiration_days: Option<u32>,
    /// A Ship & Go point id (with service 38).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_pudo_point: Option<i64>,
    /// A predetermined barcode, for accounts with their own number range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bar_code: Option<String>,
}

impl NewAwb {
    /// An AWB from the pickup location `sender_location_id` to `recipient` with these
    /// pieces; counts and total weight are taken from the pieces.
    pub fn new(
        sender_location_id: i64,
        recipient: AwbAddress,
        parcel_codes: Vec<ParcelCode>,
    ) -> Self {
        let envelopes = parcel_codes.iter().filter(|p| p.kind == 0).count();
        let parcels = parcel_codes.len() - envelopes;
        let total_weight = parcel_codes.iter().map(|p| p.weight).sum();
        Self {
            sender_client_id: None,
            tertiary_client_id: None,
            tertiary_location_id: None,
            sender: AwbAddress::pickup_location(sender_location_id),
            recipient,
            parcels: u32::try_from(parcels).unwrap_or(u32::MAX),
            envelopes: u32::try_from(envelopes).unwrap_or(u32::MAX),
            total_weight,
            service_id: None,
            declared_value: Decimal::ZERO,
            cash_repayment: Decimal::ZERO,
            bank_repayment: Decimal::ZERO,
            other_repayment: None,
            open_package: false,
            price_table_id: 0,
            shipment_payer: ShipmentPayer::Sender,
            saturday_delivery: false,
            morning_delivery: false,
            observations: None,
            package_content: None,
            custom_string: None,
            sender_reference1: None,
            recipient_reference1: None,
            recipient_reference2: None,
            invoice_reference: None,
            parcel_codes,
            consumer_return_type: None,
            return_code_expiration_days: None,
            delivery_pudo_point: None,
            bar_code: None,
        }
    }
}

/// The body of `POST AwbPickup`: an AWB picked up from an address that is not one of the
/// account's pickup locations, with the pickup window (local time).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AwbWithPickup {
    /// Pickup from (local time, sent as `yyyy-mm-ddTHH:MM`).
    #[serde(serialize_with = "ser_minutes")]
    pub pickup_start_date: NaiveDateTime,
    /// Pickup until (local time).
    #[serde(serialize_with = "ser_minutes")]
    pub pickup_end_date: NaiveDateTime,
    /// The AWB; its `sender` must be a full address.
    #[serde(flatten)]
    pub awb: NewAwb,
}

impl AwbWithPickup {
    /// An AWB with a pickup window.
    pub fn new(awb: NewAwb, start: NaiveDateTime, end: NaiveDateTime) -> Self {
        Self {
            pickup_start_date: start,
            pickup_end_date: end,
            awb,
        }
    }
}

fn ser_minutes<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.format("%Y-%m-%dT%H:%M").to_string())
}

/// An AWB as Cargus returns it (`GET Awbs`, `Awbs/WithGetAwb`, `Awbs/GetByDate`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Awb {
    /// The AWB number.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub bar_code: Option<String>,
    /// The sender.
    #[serde(default)]
    pub sender: Option<AwbAddress>,
    /// The recipient.
    #[serde(default)]
    pub recipient: Option<AwbAddress>,
    /// Number of parcels.
    #[serde(default)]
    pub parcels: Option<u32>,
    /// Number of envelopes.
    #[serde(default)]
    pub envelopes: Option<u32>,
    /// Total weight, kg.
    #[serde(default)]
    pub total_weight: Option<Decimal>,
    /// The service.
    #[serde(default)]
    pub service_id: Option<ServiceId>,
    /// Declared value, RON.
    #[serde(default)]
    pub declared_value: Option<Decimal>,
    /// Cash COD, RON.
    #[serde(default)]
    pub cash_repayment: Option<Decimal>,
    /// Bank COD, RON.
    #[serde(default)]
    pub bank_repayment: Option<Decimal>,
    /// Open package allowed.
    #[serde(default)]
    pub open_package: Option<bool>,
    /// Price table.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub price_table_id: Option<i64>,
    /// Who pays.
    #[serde(default)]
    pub shipment_payer: Option<ShipmentPayer>,
    /// Saturday delivery.
    #[serde(default)]
    pub saturday_delivery: Option<bool>,
    /// Morning delivery.
    #[serde(default)]
    pub morning_delivery: Option<bool>,
    /// Notes.
    #[serde(default)]
    pub observations: Option<String>,
    /// Contents.
    #[serde(default)]
    pub package_content: Option<String>,
    /// Our reference.
    #[serde(default)]
    pub custom_string: Option<String>,
    /// The pieces.
    #[serde(default)]
    pub parcel_codes: Option<Vec<ParcelCode>>,
    /// When Cargus validated (created) it.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub validation_date: Option<DateTime<FixedOffset>>,
    /// The price, as Cargus reports it (its shape is not documented, so kept as JSON).
    #[serde(default)]
    pub shipping_cost: Option<serde_json::Value>,
    /// Status text (`"Tiparit"` = printed…).
    #[serde(default)]
    pub status: Option<String>,
    /// The return code (consumer returns).
    #[serde(default, deserialize_with = "de_opt_text")]
    pub return_code: Option<String>,
    /// The pre-printed return AWB.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub return_awb: Option<String>,
    /// The Ship & Go point.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub delivery_pudo_point: Option<i64>,
}

/// The page layout of a label document (`format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LabelLayout {
    /// `format=0`: A4, the main AWB printed as `print_main_once` says.
    A4,
    /// `format=1`: 10×14 cm thermal label.
    Label10x14,
}

/// How often the main AWB is printed (`printMainOnce`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrintMainOnce {
    /// 0: twice.
    Twice,
    /// 1: once.
    Once,
    /// 2: once, in 10×14 label format.
    OnceLabel,
}

impl CargusClient {
    /// `POST Awbs`: creates an AWB and returns its barcode. Not retried on a timeout or
    /// 5xx (the error says `maybe_sent`): look it up with
    /// [`awbs_by_period`](Self::awbs_by_period) and our `CustomString` first.
    ///
    /// # Errors
    /// [`CargusError::Api`] with Cargus's message (400 for invalid data),
    /// [`CargusError::UnexpectedResponse`] (maybe sent) when no barcode comes back.
    pub async fn create_awb(&self, awb: &NewAwb) -> Result<String, CargusError> {
        let response = self.call(|http| http.post("Awbs").json(awb)).await?;
        let barcode = bare_string(&response.text());
        if barcode.is_empty() || barcode.contains(char::is_whitespace) {
            return Err(CargusError::UnexpectedResponse {
                message: format!("Awbs answered without a barcode: {:?}", response.text()),
                maybe_sent: true,
            });
        }
        Ok(barcode)
    }

    /// `POST Awbs/WithGetAwb`: creates an AWB and returns the full AWB objects (barcode,
    /// return code, return AWB).
    ///
    /// # Errors
    /// As [`create_awb`](Self::create_awb).
    pub async fn create_awb_full(&self, awb: &NewAwb) -> Result<Vec<Awb>, CargusError> {
        let response = self
            .call(|http| http.post("Awbs/WithGetAwb").json(awb))
            .await?;
        let awbs: Vec<Awb> = decode_list(&response).map_err(maybe_sent)?;
        if awbs.iter().all(|a| a.bar_code.is_none()) {
            return Err(CargusError::UnexpectedResponse {
                message: "Awbs/WithGetAwb answered without a barcode".into(),
                maybe_sent: true,
            });
        }
        Ok(awbs)
    }

    /// `POST AwbPickup`: creates an AWB picked up from another address (with its pickup
    /// window) and sends the courier order; returns the barcode.
    ///
    /// # Errors
    /// As [`create_awb`](Self::create_awb).
    pub async fn create_awb_with_pickup(&self, awb: &AwbWithPickup) -> Result<String, CargusError> {
        let response = self.call(|http| http.post("AwbPickup").json(awb)).await?;
        let barcode = bare_string(&response.text());
        if barcode.is_empty() || barcode.contains(char::is_whitespace) {
            return Err(CargusError::UnexpectedResponse {
                message: format!(
                    "AwbPickup answered without a barcode: {:?}",
                    response.text()
                ),
                maybe_sent: true,
            });
        }
        Ok(barcode)
    }

    /// `DELETE Awbs?barCode=…`: deletes an AWB that has no checkpoint yet.
    ///
    /// # Errors
    /// [`CargusError::AwbAlreadyMoved`] when Cargus answers `false` (the AWB was scanned).
    pub async fn delete_awb(&self, barcode: &str) -> Result<(), CargusError> {
        let response = self
            .call(|http| http.delete("Awbs").query(&[("barCode", barcode)]))
            .await?;
        let value: serde_json::Value = response.json()?;
        match value_bool(&value) {
            Some(true) => Ok(()),
            Some(false) => Err(CargusError::AwbAlreadyMoved {
                barcode: barcode.to_owned(),
            }),
            None => Err(CargusError::UnexpectedResponse {
                message: format!("DELETE Awbs answered {value} instead of true/false"),
                maybe_sent: false,
            }),
        }
    }

    /// `GET Awbs?barCode=…`: the AWB, or `None` when Cargus does not know it.
    ///
    /// # Errors
    /// As any call.
    pub async fn awb(&self, barcode: &str) -> Result<Option<Awb>, CargusError> {
        match self
            .get_list::<Awb, _>("Awbs", &[("barCode", barcode)])
            .await
        {
            Ok(list) => Ok(list.into_iter().next()),
            Err(CargusError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET Awbs?orderId=…`: the AWBs of a courier order.
    ///
    /// # Errors
    /// As any call.
    pub async fn awbs_by_order(&self, order_id: i64) -> Result<Vec<Awb>, CargusError> {
        self.get_list("Awbs", &[("orderId", order_id.to_string())])
            .await
    }

    /// `GET Awbs/GetByDate`: one page (from 1) of the AWBs created in a period.
    ///
    /// # Errors
    /// As any call.
    pub async fn awbs_by_period(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<Awb>, CargusError> {
        self.get_list(
            "Awbs/GetByDate",
            &[
                ("FromDate", us_date(from)),
                ("ToDate", us_date(to)),
                ("pageNumber", page.max(1).to_string()),
                ("itemsPerPage", per_page.max(1).to_string()),
            ],
        )
        .await
    }

    /// Every AWB created in a period: pages of 100 until a short page.
    ///
    /// # Errors
    /// As any call.
    pub async fn all_awbs_by_period(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Awb>, CargusError> {
        const PER_PAGE: u32 = 100;
        let mut all = Vec::new();
        for page in 1..=10_000 {
            let batch = self.awbs_by_period(from, to, page, PER_PAGE).await?;
            let short = batch.len() < PER_PAGE as usize;
            all.extend(batch);
            if short {
                break;
            }
        }
        Ok(all)
    }

    /// `GET AwbDocuments`: the labels of several AWBs as one PDF (Cargus sends it as a
    /// base64 JSON string; this returns the decoded bytes).
    ///
    /// # Errors
    /// [`CargusError::UnexpectedResponse`] when the body is not base64.
    pub async fn awb_documents(
        &self,
        barcodes: &[&str],
        layout: LabelLayout,
        print_main_once: PrintMainOnce,
    ) -> Result<Vec<u8>, CargusError> {
        let list = serde_json::to_string(barcodes).unwrap_or_else(|_| "[]".into());
        let format = match layout {
            LabelLayout::A4 => "0",
            LabelLayout::Label10x14 => "1",
        };
        let once = match print_main_once {
            PrintMainOnce::Twice => "0",
            PrintMainOnce::Once => "1",
            PrintMainOnce::OnceLabel => "2",
        };
        let response = self
            .call(|http| {
                http.get("AwbDocuments").query(&[
                    ("barCodes", list.as_str()),
                    ("type", "PDF"),
                    ("format", format),
                    ("printMainOnce", once),
                ])
            })
            .await?;
        decode_base64_document(&response.text(), "AwbDocuments")
    }
}

/// Decodes a base64 document sent as a JSON string (or bare text).
pub(crate) fn decode_base64_document(body: &str, what: &str) -> Result<Vec<u8>, CargusError> {
    let text = bare_string(body);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(CargusError::UnexpectedResponse {
            message: format!("{what} answered with an empty document"),
            maybe_sent: false,
        });
    }
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| CargusError::UnexpectedResponse {
            message: format!("{what} did not answer base64: {e}"),
            maybe_sent: false,
        })
}

fn maybe_sent(err: CargusError) -> CargusError {
    match err {
        CargusError::Http(e) => CargusError::UnexpectedResponse {
            message: e.to_string(),
            maybe_sent: true,
        },
        other => other,
    }
}
