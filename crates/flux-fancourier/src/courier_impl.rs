//! The [`Courier`] implementation: how the courier-neutral requests map to FAN.
//!
//! | trait | FAN |
//! |---|---|
//! | `services` | `reports/services` (code = FAN's service name) |
//! | `quote` | `reports/awb/internal-tariff` |
//! | `create_shipment` | `intern-awb` with one shipment |
//! | `label` | `awb/label` (`pdf=1` + A4/A5/A6, or `zpl=1`) |
//! | `track` | `reports/awb/tracking`, statuses from the event codes |
//! | `cancel` | `DELETE awb` |
//! | `pickup_points` | `reports/pickup-points` (`fanbox` = locker, `paypoint` = shop, `office`) |
//! | `order_pickup` | `POST order` |
//! | `cod_settlements` | `reports/bank-transfers`, day by day, every page |

use async_trait::async_trait;
use chrono::NaiveDate;
use flux_core::courier::{
    CodCollection, CodSettlement, Courier, CourierCapabilities, CourierService, CreatedShipment,
    DateRange, DeliveryTarget, Label, LabelFormat, PickupConfirmation, PickupPoint,
    PickupPointKind, PickupPointQuery, PickupRequest, Quote, ShipmentId, ShipmentRequest,
    TrackingEvent, TrackingResult,
};
use flux_core::{Address, CountryCode, Currency, GeoPoint, Money, ParcelKind, ProviderError};
use rust_decimal::Decimal;

use crate::client::FanCourierClient;
use crate::county::{ascii, fan_place};
use crate::error::{FanCourierError, PROVIDER};
use crate::models::Language;
use crate::models::awb::{
    AwbAddress, AwbDimensions, AwbInfo, AwbOption, AwbParty, AwbSender, AwbShipment, DropOff,
    Packages, PaymentParty, ServiceName,
};
use crate::models::label::{LabelKind, LabelRequest, PageSize};
use crate::models::order::CourierOrderRequest;
use crate::models::pickup_point::{FanPickupPoint, PickupPointType};
use crate::models::tariff::TariffRequest;
use crate::models::tracking::AwbTracking;

/// How many AWBs one tracking call carries (FAN publishes no limit; kept modest).
pub const TRACKING_BATCH: usize = 50;

/// The longest period [`Courier::cod_settlements`] accepts (one report call per day).
pub const MAX_SETTLEMENT_DAYS: i64 = 93;

/// Account-level choices for shipments created through the trait.
#[derive(Debug, Clone)]
pub(crate) struct CourierSettings {
    pub(crate) bank: String,
    pub(crate) bank_account: String,
    pub(crate) payer: PaymentParty,
}

impl Default for CourierSettings {
    fn default() -> Self {
        Self {
            bank: String::new(),
            bank_account: String::new(),
            payer: PaymentParty::Sender,
        }
    }
}

fn ron(field: &str, money: &Money) -> Result<Decimal, FanCourierError> {
    if money.currency() != Currency::RON {
        return Err(FanCourierError::invalid(
            field,
            format!(
                "FAN Courier domestic amounts are in RON, got {}",
                money.currency()
            ),
        ));
    }
    Ok(money.rounded().amount())
}

/// The service for a request: the caller's, or chosen from delivery and COD.
pub(crate) fn choose_service(request: &ShipmentRequest) -> ServiceName {
    if let Some(s) = &request.service {
        return ServiceName::parse(s);
    }
    let bank = request
        .cash_on_delivery
        .as_ref()
        .is_some_and(|c| c.collection == CodCollection::BankTransfer);
    match (&request.delivery, bank) {
        (
            DeliveryTarget::PickupPoint {
                kind: PickupPointKind::Locker,
                ..
            },
            false,
        ) => ServiceName::FanBox,
        (
            DeliveryTarget::PickupPoint {
                kind: PickupPointKind::Locker,
                ..
            },
            true,
        ) => ServiceName::FanBoxContColector,
        (
            DeliveryTarget::PickupPoint {
                kind: PickupPointKind::Shop,
                ..
            },
            false,
        ) => ServiceName::CollectPoint,
        (
            DeliveryTarget::PickupPoint {
                kind: PickupPointKind::Shop,
                ..
            },
            true,
        ) => ServiceName::CollectPointContColector,
        (_, true) => ServiceName::ContColector,
        _ => ServiceName::Standard,
    }
}

fn packages_of(request: &ShipmentRequest) -> Packages {
    let envelope = request
        .parcels
        .iter()
        .filter(|p| p.kind == ParcelKind::Envelope)
        .count();
    Packages {
        parcel: u32::try_from(request.parcels.len() - envelope).unwrap_or(u32::MAX),
        envelope: u32::try_from(envelope).unwrap_or(u32::MAX),
    }
}

fn largest_dimensions(request: &ShipmentRequest) -> Option<AwbDimensions> {
    request
        .parcels
        .iter()
        .filter_map(|p| p.dimensions)
        .max_by_key(|d| d.length_cm * d.width_cm * d.height_cm)
        .map(|d| AwbDimensions {
            length: d.length_cm,
            height: d.height_cm,
            width: d.width_cm,
        })
}

fn party(address: &Address, path: &str) -> Result<AwbParty, FanCourierError> {
    if address.country != CountryCode::RO {
        return Err(FanCourierError::invalid(
            format!("{path}.country"),
            "intern-awb carries Romanian addresses only",
        ));
    }
    let (county, locality) = fan_place(address, path)?;
    let mut street = address.street.clone().unwrap_or_default();
    if !address.extra_lines.is_empty() {
        if !street.is_empty() {
            street.push_str(", ");
        }
        street.push_str(&address.extra_lines.join(", "));
    }
    let (name, contact_person) = match &address.company {
        Some(company) if !company.trim().is_empty() => (company.clone(), address.name.clone()),
        _ => (address.name.clone(), address.name.clone()),
    };
    let phone = address.phone.clone().unwrap_or_default();
    if phone.trim().is_empty() {
        return Err(FanCourierError::invalid(
            format!("{path}.phone"),
            "FAN Courier needs a phone number",
        ));
    }
    Ok(AwbParty {
        name,
        contact_person,
        phone,
        secondary_phone: String::new(),
        email: address.email.clone().unwrap_or_default(),
        address: AwbAddress {
            street,
            street_no: address.number.clone().unwrap_or_default(),
            zip_code: address.postal_code.clone().unwrap_or_default(),
            ..AwbAddress::new(county, locality)
        },
    })
}

/// Builds the `intern-awb` shipment for a trait request.
pub(crate) fn shipment_from(
    request: &ShipmentRequest,
    settings: &CourierSettings,
) -> Result<AwbShipment, FanCourierError> {
    let service = choose_service(request);
    let mut info = AwbInfo::new(
        service.clone(),
        packages_of(request),
        request.total_weight_kg(),
    );
    info.payment = settings.payer.clone();
    info.dimensions = largest_dimensions(request);
    if let Some(cod) = &request.cash_on_delivery {
        info.cod = Some(ron("cash_on_delivery.amount", &cod.amount)?);
        if cod.collection == CodCollection::BankTransfer {
            if !service.as_str().to_ascii_lowercase().contains("colector") {
                return Err(FanCourierError::invalid(
                    "service",
                    format!(
                        "COD by bank transfer needs a \"Cont Colector\" service, not {service}"
                    ),
                ));
            }
            info.bank = settings.bank.clone();
            info.bank_account = settings.bank_account.clone();
        }
    }
    if let Some(value) = &request.declared_value {
        info.declared_value = Some(ron("declared_value", value)?);
    }
    // Our reference leads the contents: FAN echoes `content` in the daily AWB slip, the
    // only place an AWB can be found again by our reference (`find_by_reference`).
    info.content = match request.contents.as_deref().map(str::trim) {
        Some(contents) if !contents.is_empty() => format!("{} {contents}", request.reference),
        _ => request.reference.clone(),
    };
    info.observation = request.options.notes.clone().unwrap_or_default();
    let o = &request.options;
    for (on, option) in [
        (o.open_package, AwbOption::OpenOnDelivery),
        (o.return_document, AwbOption::Opod),
        (o.saturday_delivery, AwbOption::SaturdayDelivery),
        (o.epod, AwbOption::Epod),
    ] {
        if on {
            info.options.push(option);
        }
    }

    let mut recipient = party(&request.recipient, "recipient")?;
    match &request.delivery {
        DeliveryTarget::PickupPoint { id, kind, address } => {
            if *kind == PickupPointKind::Office {
                info.options.push(AwbOption::OfficeDelivery);
            }
            // FAN wants the point's own address on the AWB, not the shopper's.
            let Some(point) = address else {
                return Err(FanCourierError::invalid(
                    "delivery.address",
                    "FAN Courier needs the pickup point's own address (from pickup_points)",
                ));
            };
            let (county, locality) = fan_place(point, "delivery.address")?;
            recipient.address = AwbAddress {
                street: point.street.clone().unwrap_or_default(),
                street_no: point.number.clone().unwrap_or_default(),
                zip_code: point.postal_code.clone().unwrap_or_default(),
                pickup_location_id: Some(id.clone()),
                ..AwbAddress::new(county, locality)
            };
        }
        _ => {
            recipient.address.pickup_location_id = Some(String::new());
        }
    }
    let sender = match &request.sender_location_id {
        Some(drop_off) => AwbSender::AccountDefault {
            address: DropOff {
                drop_off_location_id: drop_off.clone(),
            },
        },
        None => {
            let mut sender = party(&request.sender, "sender")?;
            sender.address.drop_off_location_id = Some(String::new());
            AwbSender::Full(Box::new(sender))
        }
    };
    Ok(AwbShipment {
        info,
        recipient,
        sender,
    })
}

fn tracking_result(number: &str, item: Option<&AwbTracking>) -> TrackingResult {
    let Some(item) = item.filter(|i| i.has_events()) else {
        return TrackingResult::not_found(number);
    };
    let events = item
        .events
        .iter()
        .filter_map(|e| {
            let at = e.date?;
            let mut ev = TrackingEvent::new(at, e.id.status(), e.id.as_str(), e.name.clone());
            ev.location = e.location.clone();
            Some(ev)
        })
        .collect();
    TrackingResult::from_events(number, events)
}

fn kind_of(t: &PickupPointType) -> PickupPointKind {
    match t {
        PickupPointType::Paypoint => PickupPointKind::Shop,
        PickupPointType::Office => PickupPointKind::Office,
        _ => PickupPointKind::Locker,
    }
}

fn to_pickup_point(
    p: FanPickupPoint,
    kind: PickupPointKind,
) -> Result<PickupPoint, FanCourierError> {
    let locality = p.address.locality.clone().unwrap_or_default();
    let mut b = Address::builder(p.name.clone(), locality, CountryCode::RO);
    if let Some(county) = &p.address.county {
        b = b.region(county.clone());
    }
    if let Some(street) = &p.address.street {
        b = b.street(street.clone());
    }
    if let Some(no) = &p.address.street_no {
        b = b.number(no.clone());
    }
    if let Some(zip) = &p.address.zip_code {
        b = b.postal_code(zip.clone());
    }
    use rust_decimal::prelude::ToPrimitive;
    let location = match (p.latitude, p.longitude) {
        (Some(lat), Some(lon)) => lat
            .to_f64()
            .zip(lon.to_f64())
            .and_then(|(la, lo)| GeoPoint::new(la, lo)),
        _ => None,
    };
    if let Some(l) = location {
        b = b.location(l);
    }
    let opening_hours =
        (!p.schedule.is_empty()).then(|| serde_json::Value::Array(p.schedule.clone()).to_string());
    let mut point = PickupPoint::new(p.id.clone(), kind, p.name.clone(), b.build_unchecked());
    point.location = location;
    point.opening_hours = opening_hours;
    Ok(point)
}

fn same_place(a: &str, b: &str) -> bool {
    ascii(a).trim().eq_ignore_ascii_case(ascii(b).trim())
}

#[async_trait]
impl Courier for FanCourierClient {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> CourierCapabilities {
        let mut c = CourierCapabilities::default();
        c.quote = true;
        c.cod_cash = true;
        c.cod_bank_transfer = true;
        c.declared_value = true;
        c.lockers = true;
        c.pickup_points = true;
        c.saturday_delivery = true;
        c.open_package = true;
        c.label_formats = vec![
            LabelFormat::PdfA4,
            LabelFormat::PdfA5,
            LabelFormat::PdfA6,
            LabelFormat::Zpl,
        ];
        c.max_tracking_batch = TRACKING_BATCH;
        c.cancel = true;
        c.pickup_order = true;
        c.cod_settlements = true;
        c.find_by_reference = true;
        c
    }

    async fn services(&self) -> Result<Vec<CourierService>, ProviderError> {
        Ok(FanCourierClient::services(self)
            .await?
            .into_iter()
            .map(|s| {
                let name = s.description.clone().unwrap_or_else(|| s.name.to_string());
                CourierService::new(s.name.as_str(), name, s.name.is_out_of_home())
            })
            .collect())
    }

    async fn quote(&self, request: &ShipmentRequest) -> Result<Quote, ProviderError> {
        request.validate()?;
        let shipment = shipment_from(request, self.settings())?;
        let info = &shipment.info;
        let (county, locality) = (
            shipment.recipient.address.county.clone(),
            shipment.recipient.address.locality.clone(),
        );
        let mut t = TariffRequest::new(info.service.clone(), info.weight, county, locality);
        t.payment = info.payment.clone();
        t.packages = info.packages;
        t.dimensions = info.dimensions;
        t.declared_value = info.declared_value;
        t.options = info.options.clone();
        if request.sender_location_id.is_none() {
            t.sender = Some(fan_place(&request.sender, "sender")?);
        }
        let tariff = self.internal_tariff(&t).await?;
        let total = tariff.total.ok_or_else(|| {
            ProviderError::from(FanCourierError::UnexpectedContent {
                message: "the tariff has no total".to_owned(),
            })
        })?;
        let mut quote = Quote::new(info.service.as_str(), Money::new(total, Currency::RON));
        quote.net = tariff.cost_no_vat.map(|n| Money::new(n, Currency::RON));
        Ok(quote)
    }

    async fn create_shipment(
        &self,
        request: &ShipmentRequest,
    ) -> Result<CreatedShipment, ProviderError> {
        request.validate()?;
        let shipment = shipment_from(request, self.settings())?;
        let created = self.create_awb(&shipment).await?;
        let number = created.awb_number.clone().ok_or_else(|| {
            ProviderError::from(FanCourierError::UnexpectedContent {
                message: "intern-awb returned no AWB number".to_owned(),
            })
        })?;
        let mut out = CreatedShipment::new(ShipmentId::awb(number), request.reference.clone());
        out.price = created.tariff.map(|t| {
            let with_vat = created.vat.map_or(t, |v| t + v);
            Money::new(with_vat, Currency::RON)
        });
        Ok(out)
    }

    async fn label(&self, id: &ShipmentId, format: LabelFormat) -> Result<Label, ProviderError> {
        let awb = id.tracking_number.clone();
        let request = match format {
            LabelFormat::PdfA4 => LabelRequest::pdf(awb).with_size(PageSize::A4),
            LabelFormat::PdfA5 => LabelRequest::pdf(awb).with_size(PageSize::A5),
            LabelFormat::PdfA6 => LabelRequest::pdf(awb).with_size(PageSize::A6),
            LabelFormat::Zpl => LabelRequest::zpl(awb, None),
            other => {
                return Err(ProviderError::unsupported(
                    PROVIDER,
                    &format!("the label format {other:?}"),
                ));
            }
        };
        let doc = FanCourierClient::label(self, &request).await?;
        debug_assert!(!matches!(doc.kind, LabelKind::Html));
        Ok(Label {
            format,
            bytes: doc.bytes,
        })
    }

    async fn track(&self, ids: &[ShipmentId]) -> Result<Vec<TrackingResult>, ProviderError> {
        let mut results = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(TRACKING_BATCH) {
            let numbers: Vec<String> = chunk.iter().map(|i| i.tracking_number.clone()).collect();
            let items = self.track_awbs(&numbers, Language::Ro).await?;
            for number in &numbers {
                let item = items.iter().find(|i| i.awb_number == *number);
                results.push(tracking_result(number, item));
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
    ) -> Result<Vec<PickupPoint>, ProviderError> {
        let types: Vec<PickupPointType> = match query.kind {
            Some(PickupPointKind::Locker) => vec![PickupPointType::Fanbox],
            Some(PickupPointKind::Shop) => vec![PickupPointType::Paypoint],
            Some(PickupPointKind::Office) => vec![PickupPointType::Office],
            _ => vec![
                PickupPointType::Fanbox,
                PickupPointType::Paypoint,
                PickupPointType::Office,
            ],
        };
        let mut out = Vec::new();
        for t in &types {
            for p in FanCourierClient::pickup_points(self, t).await? {
                if let Some(county) = query.county {
                    let matches = p
                        .address
                        .county
                        .as_deref()
                        .is_some_and(|c| same_place(c, county.ascii_name()));
                    if !matches {
                        continue;
                    }
                }
                if let Some(locality) = &query.locality {
                    let matches = p
                        .address
                        .locality
                        .as_deref()
                        .is_some_and(|l| same_place(l, locality));
                    if !matches {
                        continue;
                    }
                }
                out.push(to_pickup_point(p, kind_of(t))?);
            }
        }
        Ok(out)
    }

    async fn order_pickup(
        &self,
        request: &PickupRequest,
    ) -> Result<PickupConfirmation, ProviderError> {
        if request.address.is_some() || request.location_id.is_some() {
            return Err(ProviderError::validation(
                PROVIDER,
                "address",
                "FAN Courier collects Standard orders at the account's address only",
            ));
        }
        if request.parcels == 0 {
            return Err(ProviderError::validation(
                PROVIDER,
                "parcels",
                "must be at least 1",
            ));
        }
        let mut order = CourierOrderRequest::new(
            Packages {
                parcel: request.parcels,
                envelope: 0,
            },
            request.weight_kg,
            request.date,
            request.ready_from,
            request.ready_until,
        );
        order.observations = request.notes.clone().unwrap_or_default();
        let id = self.create_courier_order(&order).await?;
        Ok(PickupConfirmation::new(id, request.date))
    }

    async fn find_by_reference(
        &self,
        reference: &str,
        since: NaiveDate,
    ) -> Result<Option<CreatedShipment>, ProviderError> {
        let reference = reference.trim();
        if reference.is_empty() {
            return Err(ProviderError::validation(
                PROVIDER,
                "reference",
                "must not be empty",
            ));
        }
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Bucharest)
            .date_naive();
        // FAN keeps AWBs in daily slips; an uncertain create is reconciled within days, so
        // a month back is plenty and bounds the number of calls.
        let first = since.max(today - chrono::Duration::days(31));
        let prefix = format!("{reference} ");
        let mut day = today;
        while day >= first {
            for entry in self.all_shipping_slip(day).await? {
                let content = entry.info.content.as_deref().unwrap_or_default().trim();
                if content == reference || content.starts_with(&prefix) {
                    return Ok(Some(CreatedShipment::new(
                        ShipmentId::awb(entry.info.awb_number.clone()),
                        reference,
                    )));
                }
            }
            let Some(previous) = day.pred_opt() else {
                break;
            };
            day = previous;
        }
        Ok(None)
    }

    async fn cod_settlements(
        &self,
        period: &DateRange,
    ) -> Result<Vec<CodSettlement>, ProviderError> {
        let days = (period.to - period.from).num_days() + 1;
        if days > MAX_SETTLEMENT_DAYS {
            return Err(ProviderError::validation(
                PROVIDER,
                "period",
                format!("at most {MAX_SETTLEMENT_DAYS} days per call (one report per day)"),
            ));
        }
        let mut out = Vec::new();
        for day in period
            .from
            .iter_days()
            .take(usize::try_from(days).unwrap_or(0))
        {
            for t in self.all_bank_transfers(day).await? {
                let Some(amount) = t.info.amount_collected else {
                    continue;
                };
                let mut settlement = CodSettlement::new(
                    t.info.awb_number.clone(),
                    Money::new(amount, Currency::RON),
                );
                settlement.reference = t.info.content.clone();
                settlement.paid_on = t.info.transfer_date.or(Some(day));
                settlement.payment_reference = t.info.reimbursement_awb_number.clone();
                out.push(settlement);
            }
        }
        Ok(out)
    }
}
