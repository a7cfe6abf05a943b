//! [`Courier`] for [`SamedayClient`]: how the courier-neutral requests map onto Sameday.
//!
//! - **Service**: [`ShipmentRequest::service`] is a Sameday service *code* (`24`, `LN`,
//!   `PP`, `6H`, ...), resolved to this environment's id through `/api/client/services`.
//!   Without one: `LN` for a locker, `PP` for a shop or office, `24` for the door.
//! - **Lockers and PUDO**: a locker goes to `lockerLastMile` and needs a locker service
//!   (`LN`/`XL`); a shop or office goes to `oohLastMile` and needs a PUDO service
//!   (`PP`/`XP`). Any other combination is refused before sending. When the delivery
//!   target carries the point's address, it is copied into `awbRecipient` (city, county,
//!   street, postal code), as Sameday's own plugin does.
//! - **Sender**: [`ShipmentRequest::sender_location_id`] is the Sameday pickup point id;
//!   without it the account's default pickup point is used. The sender address is not
//!   sent: Sameday collects from the pickup point.
//! - **Recipient city**: by name (`cityString`/`countyString`). Bucharest addresses must
//!   name a sector ("Sectorul 3"): Sameday treats sectors as cities, and guessing one has
//!   mis-addressed parcels.
//! - **COD** in cash: `cashOnDelivery` + `cashOnDeliveryReturns=1`; declared value:
//!   `insuredValue`; open package: the service's `OPCG` tax in `serviceTaxes[]`.
//! - **Reference**: `clientInternalReference`. Sameday rejects a repeated one
//!   (`awb.not_unique`, a [`ErrorKind::Conflict`](flux_core::ErrorKind::Conflict)).
//! - **Tracking**: `statusId` 9 is delivered; the raw id is kept in `raw_status` and each
//!   event's `code`.

use async_trait::async_trait;
use flux_core::county::fold_romanian;
use flux_core::courier::{
    CodCollection, Courier, CourierCapabilities, CourierService, CreatedShipment, DeliveryTarget,
    Label, LabelFormat, ParcelId, PickupPoint as CorePickupPoint, PickupPointKind,
    PickupPointQuery, Quote, ShipmentId, ShipmentRequest, TrackingEvent, TrackingResult,
    TrackingStatus,
};
use flux_core::{
    Address, CountryCode, County, Currency, FieldError, GeoPoint, Money, ParcelKind, ProviderError,
};
use rust_decimal::Decimal;

use crate::awb::AwbPdfFormat;
use crate::error::SamedayError;
use crate::types::{
    AwbParty, AwbStatus, CreateAwb, LastMile, Location, Locker, OohLocation, OohType, PackageType,
    ParcelDimensions, ScheduleEntry,
};
use crate::{Country, PROVIDER, SamedayClient};

/// Most shipments one [`Courier::track`] call accepts (Sameday tracks one AWB per request).
pub const MAX_TRACKING_BATCH: usize = 50;

const LOCKER_SERVICES: &[&str] = &["LN", "XL"];
const PUDO_SERVICES: &[&str] = &["PP", "XP"];

fn is_locker_service(code: &str) -> bool {
    LOCKER_SERVICES.iter().any(|c| c.eq_ignore_ascii_case(code))
}

fn is_pudo_service(code: &str) -> bool {
    PUDO_SERVICES.iter().any(|c| c.eq_ignore_ascii_case(code))
}

impl SamedayClient {
    /// Builds the AWB Sameday would receive for `request`: service resolved by code,
    /// pickup point, recipient, parcels, COD, options. Nothing is created.
    ///
    /// # Errors
    /// A validation [`ProviderError`] listing every problem with its field path.
    pub async fn awb_from_request(
        &self,
        request: &ShipmentRequest,
    ) -> Result<CreateAwb, ProviderError> {
        request.validate().map_err(retag)?;
        let mut problems = Vec::new();

        let code = match (&request.service, &request.delivery) {
            (Some(code), _) => code.trim().to_owned(),
            (
                None,
                DeliveryTarget::PickupPoint {
                    kind: PickupPointKind::Locker,
                    ..
                },
            ) => "LN".to_owned(),
            (None, DeliveryTarget::PickupPoint { .. }) => "PP".to_owned(),
            (None, _) => "24".to_owned(),
        };

        let last_mile = match &request.delivery {
            DeliveryTarget::PickupPoint { id, kind, .. } => {
                let parsed = id.trim().parse::<i64>();
                match (kind, parsed) {
                    (_, Err(_)) => {
                        problems.push(FieldError::new(
                            "delivery.id",
                            format!("{id:?} is not a Sameday locker or PUDO id (a number)"),
                        ));
                        None
                    }
                    (PickupPointKind::Locker, Ok(n)) => {
                        if !is_locker_service(&code) {
                            problems.push(FieldError::new(
                                "service",
                                format!(
                                    "an easybox delivery needs the locker service LN (or XL), not {code:?}"
                                ),
                            ));
                        }
                        Some(LastMile::Locker(n))
                    }
                    (_, Ok(n)) => {
                        if !is_pudo_service(&code) {
                            problems.push(FieldError::new(
                                "service",
                                format!(
                                    "a pickup-point delivery needs the PUDO service PP (or XP), not {code:?}"
                                ),
                            ));
                        }
                        Some(LastMile::PickupPoint(n))
                    }
                }
            }
            _ => {
                if is_locker_service(&code) || is_pudo_service(&code) {
                    problems.push(FieldError::new(
                        "delivery",
                        format!(
                            "service {code:?} delivers to a locker or pickup point: set delivery to DeliveryTarget::PickupPoint"
                        ),
                    ));
                }
                None
            }
        };

        let recipient = match self.recipient_party(request) {
            Ok(party) => Some(party),
            Err(mut fields) => {
                problems.append(&mut fields);
                None
            }
        };

        let package_type = if request.parcels.iter().any(|p| p.kind == ParcelKind::Pallet) {
            PackageType::Large
        } else if request
            .parcels
            .iter()
            .all(|p| p.kind == ParcelKind::Envelope)
        {
            PackageType::Envelope
        } else {
            PackageType::Parcel
        };

        let mut currency: Option<Currency> = None;
        let mut cod_amount = Decimal::ZERO;
        if let Some(cod) = &request.cash_on_delivery {
            if cod.collection != CodCollection::Cash {
                problems.push(FieldError::new(
                    "cash_on_delivery.collection",
                    "Sameday's API has one COD mode (returned to the client, cashOnDeliveryReturns=1); how it is paid out is set in the Sameday contract",
                ));
            }
            cod_amount = cod.amount.rounded().amount();
            currency = Some(cod.amount.currency());
        }
        let mut insured = Decimal::ZERO;
        if let Some(value) = &request.declared_value {
            if value.is_negative() {
                problems.push(FieldError::new("declared_value", "must not be negative"));
            }
            match currency {
                Some(c) if c != value.currency() => problems.push(FieldError::new(
                    "declared_value",
                    format!(
                        "is in {} but the COD is in {c}; Sameday takes one currency per AWB",
                        value.currency()
                    ),
                )),
                _ => currency = Some(value.currency()),
            }
            insured = value.rounded().amount();
        }

        let options = &request.options;
        for (set, field, what) in [
            (
                options.saturday_delivery,
                "options.saturday_delivery",
                "Saturday delivery",
            ),
            (
                options.morning_delivery,
                "options.morning_delivery",
                "morning delivery",
            ),
            (options.epod, "options.epod", "electronic proof of delivery"),
            (
                options.return_document,
                "options.return_document",
                "returning a signed document",
            ),
        ] {
            if set {
                problems.push(FieldError::new(
                    field,
                    format!("Sameday offers no {what} option through its API"),
                ));
            }
        }

        let pickup_point = match &request.sender_location_id {
            Some(id) => match id.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(FieldError::new(
                        "sender_location_id",
                        format!("{id:?} is not a Sameday pickup point id (a number)"),
                    ));
                    None
                }
            },
            None => None,
        };

        if !problems.is_empty() {
            return Err(ProviderError::validation_fields(PROVIDER, problems));
        }

        let service = self.service_by_code(&code).await?;
        let mut service_taxes = Vec::new();
        if options.open_package {
            match service.optional_tax("OPCG", &package_type) {
                Some(tax) => service_taxes.push(tax.id),
                None => {
                    return Err(ProviderError::validation(
                        PROVIDER,
                        "options.open_package",
                        format!(
                            "service {code} offers no open-package (OPCG) option for this package type"
                        ),
                    ));
                }
            }
        }
        let pickup_point = match pickup_point {
            Some(id) => id,
            None => self.default_pickup_point().await?.id,
        };

        let parcels = request
            .parcels
            .iter()
            .map(|p| {
                let dims = ParcelDimensions::new(p.weight_kg);
                match &p.dimensions {
                    Some(d) => dims.size(d.width_cm, d.length_cm, d.height_cm),
                    None => dims,
                }
            })
            .collect();

        let recipient = recipient.ok_or_else(|| {
            ProviderError::validation(PROVIDER, "recipient", "the recipient is incomplete")
        })?;
        let mut awb = CreateAwb::new(pickup_point, service.id, recipient, parcels);
        awb.package_type = package_type;
        awb.cash_on_delivery = cod_amount;
        awb.insured_value = insured;
        awb.service_taxes = service_taxes;
        awb.last_mile = last_mile;
        awb.observation = request
            .contents
            .clone()
            .or_else(|| request.parcels.iter().find_map(|p| p.contents.clone()));
        awb.client_observation = options.notes.clone();
        awb.client_internal_reference = Some(request.reference.trim().to_owned());
        awb.currency = currency.map(|c| c.code().to_owned());
        Ok(awb)
    }

    /// The recipient as Sameday wants it, or every problem found.
    fn recipient_party(&self, request: &ShipmentRequest) -> Result<AwbParty, Vec<FieldError>> {
        let person = &request.recipient;
        // For a locker or PUDO, the point's own address is the delivery address.
        let (place, prefix) = match &request.delivery {
            DeliveryTarget::PickupPoint {
                address: Some(point),
                ..
            } => (point.as_ref(), "delivery.address"),
            _ => (person, "recipient"),
        };
        let mut problems = Vec::new();
        let phone = person.phone.clone().unwrap_or_default();
        if phone.trim().is_empty() {
            problems.push(FieldError::new(
                "recipient.phone",
                "Sameday needs the recipient's phone number",
            ));
        }
        let street = place.street_line();
        if street.trim().is_empty() {
            problems.push(FieldError::new(
                format!("{prefix}.street"),
                "Sameday needs a street address",
            ));
        }
        let (city, county) = match self.city_and_county(place) {
            Ok(pair) => pair,
            Err(message) => {
                problems.push(FieldError::new(
                    format!("{prefix}.{}", message.0),
                    message.1,
                ));
                (String::new(), String::new())
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut party = AwbParty::new(
            person.name.trim(),
            phone.trim(),
            street,
            Location::Name(city),
            Location::Name(county),
        );
        party.postal_code = place.postal_code.clone();
        party.email = person.email.clone();
        if let Some(company) = &person.company {
            party = party.company(company.clone(), None);
        }
        Ok(party)
    }

    /// `(cityString, countyString)` for an address.
    fn city_and_county(
        &self,
        address: &Address,
    ) -> Result<(String, String), (&'static str, String)> {
        if address.country == CountryCode::RO {
            let county = address
                .ro_county()
                .map_err(|e| ("region", e.message().to_owned()))?;
            if county == County::Bucuresti {
                let sector = address.bucharest_sector().ok_or((
                    "locality",
                    "a Bucharest address needs its sector (Sectorul 1 to 6): Sameday routes by sector".to_owned(),
                ))?;
                return Ok((sector.locality_name(), county.ascii_name().to_owned()));
            }
            return Ok((
                address.locality.trim().to_owned(),
                county.ascii_name().to_owned(),
            ));
        }
        let expected = match self.country() {
            Country::Hungary => "HU",
            Country::Bulgaria => "BG",
            _ => "RO",
        };
        if address.country.as_str() != expected {
            return Err((
                "country",
                format!(
                    "this Sameday {expected} account delivers inside {expected}; use the cross-border services through the account of the destination country"
                ),
            ));
        }
        match address.region.as_deref().map(str::trim) {
            Some(region) if !region.is_empty() => {
                Ok((address.locality.trim().to_owned(), region.to_owned()))
            }
            _ => Err(("region", "Sameday needs the county (region)".to_owned())),
        }
    }
}

/// Our own validation errors are reported under this provider's name.
fn retag(err: ProviderError) -> ProviderError {
    ProviderError::validation_fields(PROVIDER, err.field_errors().to_vec())
}

fn tracking_result(awb: &str, status: AwbStatus) -> TrackingResult {
    let mut entries = status.expedition_history;
    if entries.is_empty()
        && let Some(current) = status.expedition_status
    {
        entries.push(current);
    }
    let events = entries
        .into_iter()
        .map(|e| {
            let description = if e.status_label.is_empty() {
                e.status.clone()
            } else {
                e.status_label.clone()
            };
            let mut event = TrackingEvent::new(
                e.status_date,
                e.status_id.tracking_status(),
                e.status_id.id().to_string(),
                description,
            );
            event.location = e.transit_location.or(e.county);
            event
        })
        .collect();
    let mut result = TrackingResult::from_events(awb, events);
    let summary = status.expedition_summary;
    if summary.canceled {
        result.status = TrackingStatus::Cancelled;
    }
    if summary.delivered {
        result.status = TrackingStatus::Delivered;
        if summary.delivered_at.is_some() {
            result.delivered_at = summary.delivered_at;
        }
    }
    result
}

fn opening_hours(schedule: &[ScheduleEntry]) -> Option<String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let parts: Vec<String> = schedule
        .iter()
        .filter_map(|s| {
            let day = DAYS.get(usize::try_from(s.day? - 1).ok()?)?;
            Some(format!("{day} {}-{}", s.opening_hour, s.closing_hour))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

struct PointParts<'a> {
    id: i64,
    kind: PickupPointKind,
    name: &'a str,
    street: &'a str,
    city: &'a str,
    county: &'a str,
    postal_code: Option<&'a str>,
    lat: Option<&'a str>,
    lng: Option<&'a str>,
    schedule: &'a [ScheduleEntry],
    accepts_cod: Option<bool>,
}

fn core_point(country: Country, p: PointParts<'_>) -> Result<CorePickupPoint, ProviderError> {
    let code = match country {
        Country::Hungary => CountryCode::parse("HU"),
        Country::Bulgaria => CountryCode::parse("BG"),
        _ => Some(CountryCode::RO),
    }
    .unwrap_or(CountryCode::RO);
    let mut builder = Address::builder(p.name, p.city, code)
        .street(p.street)
        .region(p.county);
    if let Some(pc) = p.postal_code {
        builder = builder.postal_code(pc);
    }
    let location = match (
        p.lat.and_then(|v| v.trim().parse::<f64>().ok()),
        p.lng.and_then(|v| v.trim().parse::<f64>().ok()),
    ) {
        (Some(lat), Some(lng)) => GeoPoint::new(lat, lng),
        _ => None,
    };
    if let Some(point) = location {
        builder = builder.location(point);
    }
    let address = builder.build_unchecked();
    let mut point = CorePickupPoint::new(p.id.to_string(), p.kind, p.name, address);
    point.location = location;
    point.opening_hours = opening_hours(p.schedule);
    point.accepts_cod = p.accepts_cod;
    Ok(point)
}

fn matches_query(query: &PickupPointQuery, county: &str, city: &str) -> bool {
    if let Some(wanted) = query.county
        && County::parse(county).ok() != Some(wanted)
    {
        return false;
    }
    if let Some(locality) = &query.locality
        && fold_romanian(locality) != fold_romanian(city)
    {
        return false;
    }
    true
}

fn locker_point(country: Country, l: &Locker) -> Result<CorePickupPoint, ProviderError> {
    core_point(
        country,
        PointParts {
            id: l.locker_id,
            kind: PickupPointKind::Locker,
            name: &l.name,
            street: &l.address,
            city: &l.city,
            county: &l.county,
            postal_code: l.postal_code.as_deref(),
            lat: l.lat.as_deref(),
            lng: l.lng.as_deref(),
            schedule: &l.schedule,
            accepts_cod: Some(l.supported_payment),
        },
    )
}

fn ooh_point(country: Country, l: &OohLocation) -> Result<CorePickupPoint, ProviderError> {
    core_point(
        country,
        PointParts {
            id: l.ooh_id,
            kind: if l.ooh_type == OohType::Locker {
                PickupPointKind::Locker
            } else {
                PickupPointKind::Shop
            },
            name: &l.name,
            street: &l.address,
            city: &l.city,
            county: &l.county,
            postal_code: l.postal_code.as_deref(),
            lat: l.lat.as_deref(),
            lng: l.lng.as_deref(),
            schedule: &l.schedule,
            accepts_cod: None,
        },
    )
}

#[async_trait]
impl Courier for SamedayClient {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> CourierCapabilities {
        let mut caps = CourierCapabilities::default();
        caps.quote = true;
        caps.cod_cash = true;
        caps.cod_bank_transfer = false;
        caps.declared_value = true;
        caps.lockers = true;
        caps.pickup_points = true;
        caps.saturday_delivery = false;
        caps.open_package = true;
        caps.label_formats = vec![LabelFormat::PdfA4, LabelFormat::PdfA6];
        caps.max_tracking_batch = MAX_TRACKING_BATCH;
        caps.cancel = true;
        caps.pickup_order = false;
        caps.cod_settlements = false;
        caps.find_by_reference = false;
        caps.change_cod = true;
        caps
    }

    async fn services(&self) -> Result<Vec<CourierService>, ProviderError> {
        let services = self.cached_services().await?;
        Ok(services
            .iter()
            .map(|s| {
                let ooh = is_locker_service(&s.service_code) || is_pudo_service(&s.service_code);
                CourierService::new(s.service_code.clone(), s.name.clone(), ooh)
            })
            .collect())
    }

    async fn quote(&self, request: &ShipmentRequest) -> Result<Quote, ProviderError> {
        let awb = self.awb_from_request(request).await?;
        let estimate = self.estimate_cost(&awb).await?;
        let currency =
            Currency::parse(&estimate.currency).unwrap_or_else(|_| self.country().currency());
        let service = self
            .cached_services()
            .await?
            .iter()
            .find(|s| s.id == awb.service)
            .map(|s| s.service_code.clone())
            .unwrap_or_else(|| awb.service.to_string());
        Ok(Quote::new(service, Money::new(estimate.amount, currency)))
    }

    async fn create_shipment(
        &self,
        request: &ShipmentRequest,
    ) -> Result<CreatedShipment, ProviderError> {
        let awb = self.awb_from_request(request).await?;
        let created = self.create_awb(&awb).await?;
        let mut parcels = created.parcels;
        parcels.sort_by_key(|p| p.position.unwrap_or(i64::MAX));
        let id = ShipmentId {
            tracking_number: created.awb_number,
            provider_id: None,
            parcels: parcels
                .into_iter()
                .map(|p| ParcelId {
                    tracking_number: p.awb_number,
                    provider_id: None,
                })
                .collect(),
        };
        let mut shipment = CreatedShipment::new(id, request.reference.clone());
        shipment.price = created
            .awb_cost
            .map(|cost| Money::new(cost, self.country().currency()));
        Ok(shipment)
    }

    async fn label(&self, id: &ShipmentId, format: LabelFormat) -> Result<Label, ProviderError> {
        let pdf_format = match format {
            LabelFormat::PdfA4 => AwbPdfFormat::A4,
            LabelFormat::PdfA6 => AwbPdfFormat::A6,
            other => {
                return Err(ProviderError::validation(
                    PROVIDER,
                    "format",
                    format!("Sameday prints A4 or A6 PDFs, not {other:?}"),
                ));
            }
        };
        let bytes = self.awb_pdf(&id.tracking_number, pdf_format).await?;
        Ok(Label { format, bytes })
    }

    async fn track(&self, ids: &[ShipmentId]) -> Result<Vec<TrackingResult>, ProviderError> {
        if ids.len() > MAX_TRACKING_BATCH {
            return Err(ProviderError::validation(
                PROVIDER,
                "ids",
                format!("at most {MAX_TRACKING_BATCH} shipments per call"),
            ));
        }
        let mut results = Vec::with_capacity(ids.len());
        for id in ids {
            match self.awb_status(&id.tracking_number).await {
                Ok(status) => results.push(tracking_result(&id.tracking_number, status)),
                Err(SamedayError::NotFound { .. }) => {
                    results.push(TrackingResult::not_found(id.tracking_number.clone()));
                }
                Err(err) => return Err(err.into()),
            }
        }
        Ok(results)
    }

    async fn cancel(&self, id: &ShipmentId) -> Result<(), ProviderError> {
        Ok(self.delete_awb(&id.tracking_number).await?)
    }

    async fn pickup_points(
        &self,
        query: &PickupPointQuery,
    ) -> Result<Vec<CorePickupPoint>, ProviderError> {
        let country = self.country();
        let mut points = Vec::new();
        let want_lockers = matches!(query.kind, None | Some(PickupPointKind::Locker));
        let want_pudo = !matches!(query.kind, Some(PickupPointKind::Locker));
        if want_lockers {
            for locker in self.lockers(&[]).await? {
                if matches_query(query, &locker.county, &locker.city) {
                    points.push(locker_point(country, &locker)?);
                }
            }
        }
        if want_pudo {
            for location in SamedayClient::ooh_locations(self, &[]).await? {
                if location.ooh_type != OohType::Locker
                    && matches_query(query, &location.county, &location.city)
                {
                    points.push(ooh_point(country, &location)?);
                }
            }
        }
        Ok(points)
    }

    async fn change_cod(&self, id: &ShipmentId, amount: &Money) -> Result<(), ProviderError> {
        if amount.currency() != self.country().currency() {
            return Err(ProviderError::validation(
                PROVIDER,
                "amount",
                format!(
                    "this Sameday account collects COD in {}, not {}",
                    self.country().currency(),
                    amount.currency()
                ),
            ));
        }
        Ok(self
            .update_cod(&id.tracking_number, amount.rounded().amount())
            .await?)
    }
}
