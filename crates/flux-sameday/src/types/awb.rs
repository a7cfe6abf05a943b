use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::de;

/// `packageType`: what the AWB carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PackageType {
    /// `0`: parcels.
    Parcel,
    /// `1`: envelopes (documents).
    Envelope,
    /// `2`: large packages.
    Large,
    /// A value this crate does not know.
    Other(i64),
}

impl PackageType {
    /// The numeric value on the wire.
    pub fn id(&self) -> i64 {
        match self {
            PackageType::Parcel => 0,
            PackageType::Envelope => 1,
            PackageType::Large => 2,
            PackageType::Other(n) => *n,
        }
    }

    /// From the numeric value.
    pub fn from_id(id: i64) -> Self {
        match id {
            0 => PackageType::Parcel,
            1 => PackageType::Envelope,
            2 => PackageType::Large,
            n => PackageType::Other(n),
        }
    }
}

impl Serialize for PackageType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.id())
    }
}

impl<'de> Deserialize<'de> for PackageType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(PackageType::from_id(de::opt_i64(d)?.unwrap_or(0)))
    }
}

/// `awbPayment`: who pays for the AWB. Sameday's SDK only enables `Client`; the other
/// values are commented out there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AwbPayment {
    /// `1`: the sender (the account holder).
    #[default]
    Client,
    /// `2`: the recipient (not enabled in Sameday's own SDK; your contract must allow it).
    Recipient,
    /// `3`: a third party (not enabled in Sameday's own SDK).
    ThirdParty,
}

impl Serialize for AwbPayment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(match self {
            AwbPayment::Client => 1,
            AwbPayment::Recipient => 2,
            AwbPayment::ThirdParty => 3,
        })
    }
}

/// `personType`: individual or company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PersonType {
    /// `0`: a private person.
    #[default]
    Individual,
    /// `1`: a company (send the company fields too).
    Company,
}

impl Serialize for PersonType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(match self {
            PersonType::Individual => 0,
            PersonType::Company => 1,
        })
    }
}

/// A city or county given by Sameday id (`city`/`county`) or by name
/// (`cityString`/`countyString`), as the SDK does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// A Sameday nomenclature id (from [`SamedayClient::cities`](crate::SamedayClient::cities)
    /// or [`counties`](crate::SamedayClient::counties)).
    Id(i64),
    /// A name Sameday resolves (`"Cluj"`, `"Sectorul 3"`).
    Name(String),
}

/// The recipient (`awbRecipient[…]`) or the third-party pickup (`thirdParty[…]`) of an AWB.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwbParty {
    /// Full name.
    pub name: String,
    /// Phone number.
    pub phone_number: String,
    /// Street address (street, number, block, ...).
    pub address: String,
    /// City, by id or name. Bucharest is a sector: `"Sectorul 3"`.
    pub city: Location,
    /// County, by id or name.
    pub county: Location,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Individual or company.
    pub person_type: PersonType,
    /// Company name (`companyName`).
    pub company_name: Option<String>,
    /// Company tax id (`companyCui`).
    pub company_cui: Option<String>,
    /// Trade register number (`companyOnrcNumber`).
    pub company_onrc_number: Option<String>,
    /// IBAN (`companyIban`).
    pub company_iban: Option<String>,
    /// Bank (`companyBank`).
    pub company_bank: Option<String>,
}

impl AwbParty {
    /// A private person at an address.
    pub fn new(
        name: impl Into<String>,
        phone_number: impl Into<String>,
        address: impl Into<String>,
        city: Location,
        county: Location,
    ) -> Self {
        Self {
            name: name.into(),
            phone_number: phone_number.into(),
            address: address.into(),
            city,
            county,
            postal_code: None,
            email: None,
            person_type: PersonType::Individual,
            company_name: None,
            company_cui: None,
            company_onrc_number: None,
            company_iban: None,
            company_bank: None,
        }
    }

    /// Sets the postal code.
    #[must_use]
    pub fn postal_code(mut self, postal_code: impl Into<String>) -> Self {
        self.postal_code = Some(postal_code.into());
        self
    }

    /// Sets the email.
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Marks the party as a company with its name (and optional CUI).
    #[must_use]
    pub fn company(mut self, name: impl Into<String>, cui: Option<String>) -> Self {
        self.person_type = PersonType::Company;
        self.company_name = Some(name.into());
        self.company_cui = cui;
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AwbPartyWire<'a> {
    name: &'a str,
    phone_number: &'a str,
    address: &'a str,
    person_type: PersonType,
    city: Option<i64>,
    county: Option<i64>,
    city_string: Option<&'a str>,
    county_string: Option<&'a str>,
    postal_code: Option<&'a str>,
    email: Option<&'a str>,
    company_name: Option<&'a str>,
    company_cui: Option<&'a str>,
    company_onrc_number: Option<&'a str>,
    company_iban: Option<&'a str>,
    company_bank: Option<&'a str>,
}

impl Serialize for AwbParty {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (city, city_string) = match &self.city {
            Location::Id(id) => (Some(*id), None),
            Location::Name(name) => (None, Some(name.as_str())),
        };
        let (county, county_string) = match &self.county {
            Location::Id(id) => (Some(*id), None),
            Location::Name(name) => (None, Some(name.as_str())),
        };
        AwbPartyWire {
            name: &self.name,
            phone_number: &self.phone_number,
            address: &self.address,
            person_type: self.person_type,
            city,
            county,
            city_string,
            county_string,
            postal_code: self.postal_code.as_deref(),
            email: self.email.as_deref(),
            company_name: self.company_name.as_deref(),
            company_cui: self.company_cui.as_deref(),
            company_onrc_number: self.company_onrc_number.as_deref(),
            company_iban: self.company_iban.as_deref(),
            company_bank: self.company_bank.as_deref(),
        }
        .serialize(s)
    }
}

/// One parcel's weight (kg) and size (cm): `parcels[i][weight|width|length|height]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ParcelDimensions {
    /// Weight, kg.
    pub weight: Decimal,
    /// Width, cm.
    pub width: Option<Decimal>,
    /// Length, cm.
    pub length: Option<Decimal>,
    /// Height, cm.
    pub height: Option<Decimal>,
}

impl ParcelDimensions {
    /// A parcel of `weight` kg with no size.
    pub fn new(weight: Decimal) -> Self {
        Self {
            weight,
            width: None,
            length: None,
            height: None,
        }
    }

    /// Sets width, length and height in cm.
    #[must_use]
    pub fn size(mut self, width: Decimal, length: Decimal, height: Decimal) -> Self {
        self.width = Some(width);
        self.length = Some(length);
        self.height = Some(height);
        self
    }
}

/// Where the last mile ends when it is not the recipient's door. Each variant goes to its
/// own wire field, so a locker id can never be sent as a PUDO id or the reverse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LastMile {
    /// `lockerLastMile`: an easybox id, for the locker service (`LN`, `XL`).
    Locker(i64),
    /// `oohLastMile`: a Sameday PUDO point id, for the pickup-point service (`PP`).
    PickupPoint(i64),
}

/// The body of `POST /api/awb` (and, trimmed to the fields Sameday prices on, of
/// `POST /api/awb/estimate-cost`).
///
/// `packageNumber` and `packageWeight` are computed from the parcels when sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateAwb {
    /// `pickupPoint`: the sender's pickup point id.
    pub pickup_point: i64,
    /// `contactPerson`: a contact of that pickup point.
    pub contact_person: Option<i64>,
    /// `packageType`.
    pub package_type: PackageType,
    /// `service`: the numeric service **id** of this environment (resolve codes with
    /// [`SamedayClient::service_by_code`](crate::SamedayClient::service_by_code)).
    pub service: i64,
    /// `awbPayment`.
    pub awb_payment: AwbPayment,
    /// `cashOnDelivery` (0 when none). `cashOnDeliveryReturns=1` (back to the client) is
    /// sent whenever this is above zero.
    pub cash_on_delivery: Decimal,
    /// `insuredValue` (0 when none).
    pub insured_value: Decimal,
    /// `thirdPartyPickup` + `thirdParty[…]`: collect from someone else.
    pub third_party: Option<AwbParty>,
    /// `serviceTaxes[]`: ids of optional taxes (open package, ...), from
    /// [`Service::service_optional_taxes`](crate::types::Service::service_optional_taxes).
    pub service_taxes: Vec<i64>,
    /// `deliveryInterval`: an interval id for the 2H/3H services.
    pub delivery_interval: Option<i64>,
    /// `awbRecipient[…]`.
    pub recipient: AwbParty,
    /// `parcels[i][…]`, at least one.
    pub parcels: Vec<ParcelDimensions>,
    /// `observation`: what is inside.
    pub observation: Option<String>,
    /// `priceObservation`.
    pub price_observation: Option<String>,
    /// `clientInternalReference`: your reference. Sameday requires it to be **unique** per
    /// client (`awb.not_unique` otherwise); leave it `None` rather than repeating one.
    pub client_internal_reference: Option<String>,
    /// `clientObservation`: a note for the courier.
    pub client_observation: Option<String>,
    /// `lockerFirstMile`: the sender drops the parcel into this easybox.
    pub locker_first_mile: Option<i64>,
    /// `lockerLastMile` / `oohLastMile`.
    pub last_mile: Option<LastMile>,
    /// `currency`: `RON`, `HUF`, `BGN` (`EUR` where the contract allows).
    pub currency: Option<String>,
}

impl CreateAwb {
    /// An AWB from `pickup_point` with service id `service` to `recipient`.
    pub fn new(
        pickup_point: i64,
        service: i64,
        recipient: AwbParty,
        parcels: Vec<ParcelDimensions>,
    ) -> Self {
        Self {
            pickup_point,
            contact_person: None,
            package_type: PackageType::Parcel,
            service,
            awb_payment: AwbPayment::Client,
            cash_on_delivery: Decimal::ZERO,
            insured_value: Decimal::ZERO,
            third_party: None,
            service_taxes: Vec::new(),
            delivery_interval: None,
            recipient,
            parcels,
            observation: None,
            price_observation: None,
            client_internal_reference: None,
            client_observation: None,
            locker_first_mile: None,
            last_mile: None,
            currency: None,
        }
    }

    /// Total weight of the parcels (`packageWeight`).
    pub fn package_weight(&self) -> Decimal {
        self.parcels.iter().map(|p| p.weight).sum()
    }

    pub(crate) fn wire(&self) -> CreateAwbWire<'_> {
        let cod = self.cash_on_delivery > Decimal::ZERO;
        let (locker_last_mile, ooh_last_mile) = match &self.last_mile {
            Some(LastMile::Locker(id)) => (Some(*id), None),
            Some(LastMile::PickupPoint(id)) => (None, Some(*id)),
            None => (None, None),
        };
        CreateAwbWire {
            pickup_point: self.pickup_point,
            contact_person: self.contact_person,
            package_type: &self.package_type,
            package_number: self.parcels.len(),
            package_weight: self.package_weight(),
            service: self.service,
            awb_payment: self.awb_payment,
            cash_on_delivery: self.cash_on_delivery,
            cash_on_delivery_returns: cod.then_some(1),
            insured_value: self.insured_value,
            third_party_pickup: self.third_party.is_some(),
            third_party: self.third_party.as_ref(),
            service_taxes: &self.service_taxes,
            delivery_interval: self.delivery_interval,
            awb_recipient: &self.recipient,
            parcels: &self.parcels,
            observation: self.observation.as_deref(),
            price_observation: self.price_observation.as_deref(),
            client_internal_reference: self.client_internal_reference.as_deref(),
            client_observation: self.client_observation.as_deref(),
            locker_first_mile: self.locker_first_mile,
            locker_last_mile,
            ooh_last_mile,
            currency: self.currency.as_deref(),
        }
    }

    pub(crate) fn estimate_wire(&self) -> EstimateWire<'_> {
        EstimateWire {
            pickup_point: self.pickup_point,
            contact_person: self.contact_person,
            package_type: &self.package_type,
            package_number: self.parcels.len(),
            package_weight: self.package_weight(),
            service: self.service,
            awb_payment: self.awb_payment,
            cash_on_delivery: self.cash_on_delivery,
            insured_value: self.insured_value,
            third_party_pickup: self.third_party.is_some(),
            third_party: self.third_party.as_ref(),
            service_taxes: &self.service_taxes,
            awb_recipient: &self.recipient,
            parcels: &self.parcels,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateAwbWire<'a> {
    pickup_point: i64,
    contact_person: Option<i64>,
    package_type: &'a PackageType,
    package_number: usize,
    package_weight: Decimal,
    service: i64,
    awb_payment: AwbPayment,
    cash_on_delivery: Decimal,
    cash_on_delivery_returns: Option<u8>,
    insured_value: Decimal,
    third_party_pickup: bool,
    third_party: Option<&'a AwbParty>,
    service_taxes: &'a [i64],
    delivery_interval: Option<i64>,
    awb_recipient: &'a AwbParty,
    parcels: &'a [ParcelDimensions],
    observation: Option<&'a str>,
    price_observation: Option<&'a str>,
    client_internal_reference: Option<&'a str>,
    client_observation: Option<&'a str>,
    locker_first_mile: Option<i64>,
    locker_last_mile: Option<i64>,
    ooh_last_mile: Option<i64>,
    currency: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EstimateWire<'a> {
    pickup_point: i64,
    contact_person: Option<i64>,
    package_type: &'a PackageType,
    package_number: usize,
    package_weight: Decimal,
    service: i64,
    awb_payment: AwbPayment,
    cash_on_delivery: Decimal,
    insured_value: Decimal,
    third_party_pickup: bool,
    third_party: Option<&'a AwbParty>,
    service_taxes: &'a [i64],
    awb_recipient: &'a AwbParty,
    parcels: &'a [ParcelDimensions],
}

/// A parcel of a created AWB, with its own AWB number (the AWB number plus a suffix).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AwbParcel {
    /// 1-based position in the AWB.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub position: Option<i64>,
    /// The parcel's AWB number (`1SDY241067423001`).
    #[serde(deserialize_with = "de::text")]
    pub awb_number: String,
}

/// The answer to `POST /api/awb` (HTTP 201).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedAwb {
    /// The AWB number (`1SDY241067423`).
    #[serde(deserialize_with = "de::text")]
    pub awb_number: String,
    /// What the AWB costs, in the account's currency.
    #[serde(default)]
    pub awb_cost: Option<Decimal>,
    /// The parcels, in order.
    #[serde(default)]
    pub parcels: Vec<AwbParcel>,
    /// A link to the AWB PDF.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub pdf_link: Option<String>,
}

/// The answer to `POST /api/awb/estimate-cost`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct EstimateCost {
    /// The price.
    pub amount: Decimal,
    /// Its currency (`RON`).
    #[serde(deserialize_with = "de::text")]
    pub currency: String,
    /// Sameday's `time` field, apparently the delivery time in hours (not documented).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub time: Option<i64>,
}

/// A parcel to add to an existing AWB (`POST /api/awb/{awb}/parcel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewParcel {
    /// Weight, kg.
    pub weight: Decimal,
    /// Width, cm.
    pub width: Option<Decimal>,
    /// Length, cm.
    pub length: Option<Decimal>,
    /// Height, cm.
    pub height: Option<Decimal>,
    /// 1-based position of the new parcel in the AWB.
    pub position: u32,
    /// Whether this is the last parcel to be added.
    pub is_last: bool,
    /// What is inside.
    pub observation: Option<String>,
    /// `priceObservation`.
    pub price_observation: Option<String>,
}

impl NewParcel {
    /// A parcel of `weight` kg at `position`.
    pub fn new(weight: Decimal, position: u32, is_last: bool) -> Self {
        Self {
            weight,
            width: None,
            length: None,
            height: None,
            position,
            is_last,
            observation: None,
            price_observation: None,
        }
    }
}
