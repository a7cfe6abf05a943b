//! The [`Courier`] implementation: how the courier-neutral requests map to Cargus.
//!
//! | trait | Cargus |
//! |---|---|
//! | `quote` | `POST ShippingCalculation` (localities by name, `GrandTotal` with VAT, `Subtotal` without) |
//! | `create_shipment` | `POST Awbs`; `ServiceId` chosen by [`choose_service`]; our reference in `CustomString` |
//! | `find_by_reference` | `GET Awbs/GetByDate` pages, matched on `CustomString` |
//! | `label` | `GET AwbDocuments` (PDF A4 or 10×14) |
//! | `track` | `GET AwbTrace` (40 AWBs per call); `EventId` 21 is delivered |
//! | `cancel` | `DELETE Awbs` (`false` becomes a conflict: the AWB already moved) |
//! | `pickup_points` | `GET PudoPoints` (Ship & Go) |
//! | `order_pickup` | `PUT Orders?action=1` (closes the location's open order) |
//! | `cod_settlements` | `GET CashAccount/GetByDate` |

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use chrono_tz::Europe::Bucharest;
use flux_core::county::fold_romanian;
use flux_core::courier::{
    CodCollection, CodSettlement, CourierCapabilities, CourierService, CreatedShipment, DateRange,
    DeliveryTarget, Label, LabelFormat, PickupConfirmation, PickupPoint, PickupPointKind,
    PickupPointQuery, PickupRequest, Quote, ShipmentRequest, TrackingEvent, TrackingResult,
};
use flux_core::{
    Address, CountryCode, County, Courier, Currency, Money, ProviderError, ShipmentId,
};
use rust_decimal::Decimal;

use crate::PROVIDER;
use crate::awb::{AwbAddress, LabelLayout, NewAwb, PrintMainOnce};
use crate::client::CargusClient;
use crate::error::CargusError;
use crate::pricing::ShippingCalculation;
use crate::service::{ServiceId, check_service, choose_service, parcel_codes, whole_up};
use crate::tracking::{AwbTrace, MAX_TRACE_BATCH};

/// Removes Romanian diacritics (both ș/ş and ț/ţ forms) and keeps the case: Cargus's
/// nomenclature is ASCII.
pub fn strip_diacritics(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ă' | 'â' | 'á' | 'ä' => 'a',
            'Ă' | 'Â' | 'Á' | 'Ä' => 'A',
            'î' | 'í' => 'i',
            'Î' | 'Í' => 'I',
            'ș' | 'ş' => 's',
            'Ș' | 'Ş' => 'S',
            'ț' | 'ţ' => 't',
            'Ț' | 'Ţ' => 'T',
            'é' => 'e',
            'É' => 'E',
            'ö' | 'ó' | 'ő' => 'o',
            'Ö' | 'Ó' | 'Ő' => 'O',
            'ü' | 'ú' | 'ű' => 'u',
            'Ü' | 'Ú' | 'Ű' => 'U',
            other => other,
        })
        .collect()
}

fn ron(field: &str, money: &Money) -> Result<Decimal, CargusError> {
    if money.currency() != Currency::RON {
        return Err(CargusError::validation(
            field,
            format!("Cargus takes amounts in RON only, got {}", money.currency()),
        ));
    }
    Ok(money.rounded().amount().normalize())
}

fn county_and_locality(address: &Address, field: &str) -> Result<(String, String), CargusError> {
    if address.country != CountryCode::RO {
        return Err(CargusError::validation(
            format!("{field}.country"),
            format!(
                "the Cargus UrgentOnline v3 API ships within Romania only, got {}",
                address.country
            ),
        ));
    }
    let county = address
        .ro_county()
        .map_err(|e| CargusError::validation(format!("{field}.region"), e.message().to_owned()))?;
    let locality = if county == County::Bucuresti {
        "Bucuresti".to_owned()
    } else {
        strip_diacritics(address.locality.trim())
    };
    Ok((county.ascii_name().to_owned(), locality))
}

/// The AWB recipient for an address, by names (ids left out, as the DOC allows). Bucharest
/// sectors become locality "Bucuresti" with the sector in the address text.
pub fn awb_address(address: &Address, field: &str) -> Result<AwbAddress, CargusError> {
    let (county, locality) = county_and_locality(address, field)?;
    let mut text = strip_diacritics(&address.street_line());
    if let Some(sector) = address.bucharest_sector() {
        let label = format!("Sector {}", sector.number());
        if !fold_romanian(&text).contains(&fold_romanian(&label)) {
            text = if text.is_empty() {
                label
            } else {
                format!("{text}, {label}")
            };
        }
    }
    Ok(AwbAddress {
        name: Some(
            address
                .company
                .clone()
                .unwrap_or_else(|| address.name.clone()),
        ),
        contact_person: Some(address.name.clone()),
        county_name: Some(county),
        locality_name: Some(locality),
        street_name: Some(
            address
                .street
                .as_deref()
                .map(strip_diacritics)
                .unwrap_or_else(|| "-".to_owned()),
        ),
        building_number: address.number.clone(),
        address_text: Some(text),
        phone_number: address.phone.clone(),
        email: address.email.clone(),
        cod_postal: address.postal_code.clone(),
        ..AwbAddress::default()
    })
}

fn to_cargus(err: ProviderError) -> CargusError {
    CargusError::Validation {
        fields: err.field_errors().to_vec(),
    }
}

impl CargusClient {
    /// The service for a request: the caller's (checked) or the one the ANNEX rules pick.
    fn service_for(
        &self,
        request: &ShipmentRequest,
        ship_and_go: bool,
    ) -> Result<ServiceId, CargusError> {
        match &request.service {
            Some(code) => {
                let service = ServiceId::parse(code)?;
                check_service(service, &request.parcels)?;
                if ship_and_go && service != ServiceId::EasyCollect {
                    return Err(CargusError::validation(
                        "service",
                        "delivery to a Ship & Go point needs service 38",
                    ));
                }
                Ok(service)
            }
            None => choose_service(&request.parcels, ship_and_go),
        }
    }

    fn pudo_point(request: &ShipmentRequest) -> Result<Option<i64>, CargusError> {
        match &request.delivery {
            DeliveryTarget::Door => Ok(None),
            DeliveryTarget::PickupPoint { id, .. } => id.trim().parse().map(Some).map_err(|_| {
                CargusError::validation(
                    "delivery.id",
                    format!("{id:?} is not a Ship & Go point id"),
                )
            }),
            _ => Err(CargusError::Unsupported {
                operation: "this delivery target".into(),
            }),
        }
    }

    /// Builds the `POST Awbs` body for a courier-neutral request.
    ///
    /// # Errors
    /// [`CargusError::Validation`] with field paths for anything Cargus would reject.
    pub fn awb_for(&self, request: &ShipmentRequest) -> Result<NewAwb, CargusError> {
        request.validate().map_err(to_cargus)?;
        let pudo = Self::pudo_point(request)?;
        let service = self.service_for(request, pudo.is_some())?;
        let location_id = match &request.sender_location_id {
            Some(id) => id.trim().parse::<i64>().map_err(|_| {
                CargusError::validation("sender_location_id", format!("{id:?} is not a Cargus LocationId"))
            })?,
            None => self.settings().default_location_id.ok_or_else(|| {
                CargusError::validation(
                    "sender_location_id",
                    "Cargus ships from a pickup location: set it on the request or default_location_id on the client",
                )
            })?,
        };
        let recipient = awb_address(&request.recipient, "recipient")?;
        if pudo.is_some() && (recipient.phone_number.is_none() || recipient.email.is_none()) {
            return Err(CargusError::validation(
                "recipient",
                "Ship & Go delivery needs the recipient's phone number and email",
            ));
        }
        let mut awb = NewAwb::new(
            location_id,
            recipient,
            parcel_codes(&request.parcels, request.contents.as_deref()),
        );
        awb.total_weight = whole_up(request.total_weight_kg());
        awb.service_id = Some(service);
        awb.delivery_pudo_point = pudo;
        if let Some(cod) = &request.cash_on_delivery {
            let amount = ron("cash_on_delivery.amount", &cod.amount)?;
            match cod.collection {
                CodCollection::BankTransfer => awb.bank_repayment = amount,
                _ => awb.cash_repayment = amount,
            }
        }
        if let Some(value) = &request.declared_value {
            awb.declared_value = ron("declared_value", value)?;
        }
        awb.open_package = request.options.open_package;
        awb.saturday_delivery = request.options.saturday_delivery;
        awb.morning_delivery = request.options.morning_delivery;
        awb.observations = request.options.notes.clone();
        awb.package_content = request.contents.clone();
        awb.custom_string = Some(request.reference.clone());
        awb.price_table_id = self.settings().price_table_id;
        awb.shipment_payer = self.settings().shipment_payer;
        Ok(awb)
    }

    fn calculation_for(
        &self,
        request: &ShipmentRequest,
    ) -> Result<ShippingCalculation, CargusError> {
        let awb = self.awb_for(request)?;
        let from = county_and_locality(&request.sender, "sender")?;
        let to = county_and_locality(&request.recipient, "recipient")?;
        let mut calc =
            ShippingCalculation::by_names(from, to, awb.parcels, awb.envelopes, awb.total_weight);
        calc.service_id = awb.service_id;
        calc.declared_value = awb.declared_value;
        calc.cash_repayment = awb.cash_repayment;
        calc.bank_repayment = awb.bank_repayment;
        calc.open_package = awb.open_package;
        calc.saturday_delivery = awb.saturday_delivery;
        calc.morning_delivery = awb.morning_delivery;
        calc.price_table_id = awb.price_table_id;
        calc.shipment_payer = awb.shipment_payer;
        Ok(calc)
    }
}

fn trace_result(number: &str, trace: Option<&AwbTrace>) -> TrackingResult {
    let Some(trace) = trace else {
        return TrackingResult::not_found(number);
    };
    let events = trace
        .events()
        .into_iter()
        .filter_map(|e| {
            let at = e.date?;
            let mut event = TrackingEvent::new(
                at,
                e.status(),
                e.event_id.map(|id| id.to_string()).unwrap_or_default(),
                e.description.clone().unwrap_or_default(),
            );
            event.location = e.locality_name.clone();
            Some(event)
        })
        .collect();
    TrackingResult::from_events(number, events)
}

fn today_in_romania() -> NaiveDate {
    Utc::now().with_timezone(&Bucharest).date_naive()
}

#[async_trait]
impl Courier for CargusClient {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> CourierCapabilities {
        let mut caps = CourierCapabilities::default();
        caps.quote = true;
        caps.cod_cash = true;
        caps.cod_bank_transfer = true;
        caps.declared_value = true;
        caps.lockers = false;
        caps.pickup_points = true;
        caps.saturday_delivery = true;
        caps.open_package = true;
        caps.label_formats = vec![LabelFormat::PdfA4, LabelFormat::Pdf10x14];
        caps.max_tracking_batch = MAX_TRACE_BATCH;
        caps.cancel = true;
        caps.pickup_order = true;
        caps.cod_settlements = true;
        caps.find_by_reference = true;
        caps.change_cod = false;
        caps
    }

    async fn services(&self) -> Result<Vec<CourierService>, ProviderError> {
        Ok([
            ServiceId::EconomicStandard,
            ServiceId::StandardPlus,
            ServiceId::PalletStandard,
            ServiceId::EasyCollect,
            ServiceId::EconomicStandardM,
            ServiceId::EconomicStandardMPlus,
        ]
        .into_iter()
        .map(|s| CourierService::new(s.id().to_string(), s.name(), s == ServiceId::EasyCollect))
        .collect())
    }

    async fn quote(&self, request: &ShipmentRequest) -> Result<Quote, ProviderError> {
        let calc = self.calculation_for(request)?;
        let price = self.shipping_calculation(&calc).await?;
        let service = calc
            .service_id
            .map(|s| s.id().to_string())
            .unwrap_or_default();
        let mut quote = Quote::new(service, Money::new(price.grand_total, Currency::RON));
        quote.net = price.subtotal.map(|n| Money::new(n, Currency::RON));
        Ok(quote)
    }

    async fn create_shipment(
        &self,
        request: &ShipmentRequest,
    ) -> Result<CreatedShipment, ProviderError> {
        let awb = self.awb_for(request)?;
        let barcode = self.create_awb(&awb).await?;
        Ok(CreatedShipment::new(
            ShipmentId::awb(barcode),
            request.reference.clone(),
        ))
    }

    async fn find_by_reference(
        &self,
        reference: &str,
        since: NaiveDate,
    ) -> Result<Option<CreatedShipment>, ProviderError> {
        // Up to tomorrow: an AWB Cargus dated just after its midnight (its clock a little
        // ahead of ours) is still found.
        let until = (today_in_romania() + chrono::Days::new(1)).max(since);
        let awbs = self.all_awbs_by_period(since, until).await?;
        Ok(awbs
            .into_iter()
            .find(|a| a.custom_string.as_deref().map(str::trim) == Some(reference.trim()))
            .and_then(|a| a.bar_code)
            .map(|barcode| CreatedShipment::new(ShipmentId::awb(barcode), reference)))
    }

    async fn label(&self, id: &ShipmentId, format: LabelFormat) -> Result<Label, ProviderError> {
        let (layout, once) = match format {
            LabelFormat::PdfA4 => (LabelLayout::A4, PrintMainOnce::Once),
            LabelFormat::Pdf10x14 => (LabelLayout::Label10x14, PrintMainOnce::OnceLabel),
            other => {
                return Err(CargusError::Unsupported {
                    operation: format!("the label format {other:?} (use PdfA4 or Pdf10x14)"),
                }
                .into());
            }
        };
        let bytes = self
            .awb_documents(&[id.tracking_number.as_str()], layout, once)
            .await?;
        Ok(Label { format, bytes })
    }

    async fn track(&self, ids: &[ShipmentId]) -> Result<Vec<TrackingResult>, ProviderError> {
        let barcodes: Vec<&str> = ids.iter().map(|i| i.tracking_number.as_str()).collect();
        let traces = self.trace(&barcodes).await?;
        Ok(ids
            .iter()
            .map(|id| {
                let trace = traces
                    .iter()
                    .find(|t| t.code.as_deref() == Some(id.tracking_number.as_str()));
                trace_result(&id.tracking_number, trace)
            })
            .collect())
    }

    async fn cancel(&self, id: &ShipmentId) -> Result<(), ProviderError> {
        Ok(self.delete_awb(&id.tracking_number).await?)
    }

    async fn pickup_points(
        &self,
        query: &PickupPointQuery,
    ) -> Result<Vec<PickupPoint>, ProviderError> {
        if matches!(query.kind, Some(k) if k != PickupPointKind::Shop) {
            return Ok(Vec::new());
        }
        let points = self.pudo_points().await?;
        let county = query.county.map(|c| fold_romanian(c.ascii_name()));
        let locality = query.locality.as_deref().map(fold_romanian);
        let mut out = Vec::new();
        for p in points {
            if let Some(c) = &county
                && p.county.as_deref().map(fold_romanian).as_ref() != Some(c)
            {
                continue;
            }
            if let Some(l) = &locality
                && p.city.as_deref().map(fold_romanian).as_ref() != Some(l)
            {
                continue;
            }
            out.push(pickup_point(&p)?);
        }
        Ok(out)
    }

    async fn order_pickup(
        &self,
        request: &PickupRequest,
    ) -> Result<PickupConfirmation, ProviderError> {
        let location_id = match &request.location_id {
            Some(id) => id.trim().parse::<i64>().map_err(|_| {
                CargusError::validation("location_id", format!("{id:?} is not a Cargus LocationId"))
            })?,
            None => self.settings().default_location_id.ok_or_else(|| {
                CargusError::validation(
                    "location_id",
                    "Cargus orders pickups per pickup location: set location_id or default_location_id (use create_awb_with_pickup for another address)",
                )
            })?,
        };
        let start = request.date.and_time(request.ready_from);
        let end = request.date.and_time(request.ready_until);
        let order_id = self
            .set_order(
                location_id,
                crate::orders::OrderAction::Validate,
                start,
                end,
            )
            .await?;
        Ok(PickupConfirmation::new(order_id, request.date))
    }

    async fn cod_settlements(
        &self,
        period: &DateRange,
    ) -> Result<Vec<CodSettlement>, ProviderError> {
        let entries = self.cash_account_by_date(period.from, period.to).await?;
        entries
            .into_iter()
            .filter_map(|e| {
                let barcode = e.bar_code.clone()?;
                let amount = e.repayment_value?;
                let paid_on = e
                    .deduction_date
                    .or(e.repayment_date)
                    .map(|d| d.date_naive());
                let mut settlement = CodSettlement::new(barcode, Money::new(amount, Currency::RON));
                settlement.reference = e.custom_string.filter(|s| !s.trim().is_empty());
                settlement.paid_on = paid_on;
                settlement.payment_reference = e.deduction_id.or(e.repayment_id);
                Some(Ok(settlement))
            })
            .collect()
    }
}

/// A Ship & Go point as a courier-neutral pickup point.
fn pickup_point(p: &crate::pudo::PudoPoint) -> Result<PickupPoint, ProviderError> {
    let mut builder = Address::builder(
        p.name.clone(),
        p.city.clone().unwrap_or_default(),
        CountryCode::RO,
    );
    if let Some(street) = &p.street_name {
        builder = builder.street(street.clone());
    }
    if let Some(no) = &p.street_no {
        builder = builder.number(no.clone());
    }
    if let Some(county) = &p.county {
        builder = builder.region(county.clone());
    }
    if let Some(pc) = &p.postal_code {
        builder = builder.postal_code(pc.clone());
    }
    if let Some(phone) = &p.phone_number {
        builder = builder.phone(phone.clone());
    }
    let address = builder.build_unchecked();
    let location = match (p.latitude, p.longitude) {
        (Some(lat), Some(lon)) => flux_core::GeoPoint::new(lat, lon),
        _ => None,
    };
    let mut point = PickupPoint::new(
        p.id.to_string(),
        PickupPointKind::Shop,
        p.name.clone(),
        address,
    );
    point.location = location;
    point.opening_hours = p.opening_hours();
    point.accepts_cod = p.service_cod;
    Ok(point)
}
