//! The [`Courier`] implementation.
//!
//! | trait | MyGLS |
//! |---|---|
//! | `create_shipment` | `PrintLabels` (default), or `PrepareLabels` + `GetPrintedLabels` with [`LabelStrategy::PrepareThenPrint`] |
//! | `label` | `GetPrintedLabels` (error 18 → `Conflict` for parcels made by `PrintLabels`) |
//! | `track` | `GetParcelStatuses` per parcel; 5/58/59/92 are delivered |
//! | `cancel` | `DeleteLabels` |
//! | `change_cod` | `ModifyCOD` |
//! | `find_by_reference` | `GetParcelList` by print date, filtered on `ClientReference` |
//!
//! Shipment requests map as: sender → `PickupAddress`, recipient → `DeliveryAddress`
//! (the company, if any, is `Name` and the person `ContactName`; extra lines go to
//! `HouseNumberInfo`; Bucharest sectors become city "Bucuresti", GLS routes by ZIP), one
//! `Parcel` with `Count` = number of packages, COD → `CODAmount` + `CODReference` (our
//! reference) + `CODCurrency`, declared value → `DPV`, locker or shop → `PSD`, Saturday →
//! `SAT`, a service code in `request.service` → one more parameterless service.

use std::slice;

use async_trait::async_trait;
use chrono::{Duration as Days, Utc};
use flux_core::courier::{
    CourierCapabilities, CreatedShipment, DeliveryTarget, Label, LabelFormat, ShipmentId,
    ShipmentRequest, TrackingResult,
};
use flux_core::{Courier, ErrorKind, Money, ProviderError};
use futures::StreamExt as _;

use crate::PROVIDER;
use crate::client::{GlsClient, LabelStrategy};
use crate::date::local_midnight;
use crate::error::GlsError;
use crate::ids::{GlsParcelRef, parcel_ids, parcel_refs, shipment_id};
use crate::types::{
    Address, Parcel, ParcelListQuery, PrintOptions, Service, ServiceCode, TypeOfPrinter,
};

/// How many tracking calls run at once (after the first, which runs alone so a bad
/// login is seen before more logins are attempted).
const TRACKING_CONCURRENCY: usize = 4;

fn invalid(field: impl Into<String>, message: impl Into<String>) -> GlsError {
    GlsError::InvalidInput {
        field: field.into(),
        message: message.into(),
    }
}

fn gls_address(address: &flux_core::Address, prefix: &str) -> Result<Address, GlsError> {
    let zip = address
        .postal_code
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .ok_or_else(|| {
            invalid(
                format!("{prefix}.postal_code"),
                "GLS routes by postal code; it is required",
            )
        })?;
    let city = if address.bucharest_sector().is_some() {
        "Bucuresti".to_owned()
    } else {
        address.locality.clone()
    };
    let (name, contact) = match &address.company {
        Some(company) if !company.trim().is_empty() => {
            (company.clone(), Some(address.name.clone()))
        }
        _ => (address.name.clone(), Some(address.name.clone())),
    };
    let mut out = Address::new(name, city, zip, address.country.as_str());
    out.street = address.street.clone();
    out.house_number = address.number.clone();
    out.house_number_info =
        (!address.extra_lines.is_empty()).then(|| address.extra_lines.join(", "));
    out.contact_name = contact;
    out.contact_phone = address.phone.clone();
    out.contact_email = address.email.clone();
    Ok(out)
}

impl GlsClient {
    /// Builds the MyGLS parcel for a trait-level shipment request (see the module docs
    /// for the mapping).
    ///
    /// # Errors
    /// [`GlsError::InvalidInput`] with a field path for what GLS cannot take: no postal
    /// code, more than 99 packages, options GLS does not offer.
    pub fn parcel_for(&self, request: &ShipmentRequest) -> Result<Parcel, GlsError> {
        let count = request.parcels.len();
        if !(1..=99).contains(&count) {
            return Err(invalid(
                "parcels",
                format!("GLS takes 1 to 99 packages per parcel, got {count}"),
            ));
        }
        let unsupported = [
            ("options.open_package", request.options.open_package),
            ("options.morning_delivery", request.options.morning_delivery),
            ("options.epod", request.options.epod),
            ("options.return_document", request.options.return_document),
        ];
        if let Some((field, _)) = unsupported.iter().find(|(_, on)| *on) {
            return Err(invalid(*field, "MyGLS offers no such service"));
        }
        let mut parcel = Parcel::new(
            self.client_number(),
            gls_address(&request.sender, "sender")?,
            gls_address(&request.recipient, "recipient")?,
        );
        parcel.client_reference = Some(request.reference.clone());
        parcel.count = u32::try_from(count).unwrap_or(1);
        parcel.content = request
            .contents
            .clone()
            .or_else(|| {
                let parts: Vec<&str> = request
                    .parcels
                    .iter()
                    .filter_map(|p| p.contents.as_deref())
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            })
            // MyGLS rejects a parcel without contents (error 33): name the order instead.
            .or_else(|| Some(format!("Order {}", request.reference)));
        parcel.pickup_date = request
            .pickup_date
            .map(|d| local_midnight(d, self.country().time_zone()));
        if let Some(cod) = &request.cash_on_delivery {
            let amount = cod.amount.rounded();
            parcel.cod_amount = Some(amount.amount());
            parcel.cod_currency = Some(amount.currency().code().to_owned());
            parcel.cod_reference = Some(request.reference.clone());
        }
        if let Some(value) = &request.declared_value {
            let text = parcel
                .content
                .clone()
                .unwrap_or_else(|| request.reference.clone());
            parcel
                .service_list
                .push(Service::declared_value(text, value.rounded().amount()));
        }
        if let DeliveryTarget::PickupPoint { id, .. } = &request.delivery {
            if id.trim().is_empty() {
                return Err(invalid(
                    "delivery.id",
                    "the parcel shop / locker id is empty",
                ));
            }
            parcel.service_list.push(Service::parcel_shop(id.trim()));
        }
        if request.options.saturday_delivery {
            parcel.service_list.push(Service::saturday());
        }
        if let Some(code) = request
            .service
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let code = ServiceCode::parse(code);
            if code == ServiceCode::ParcelShopDelivery {
                return Err(invalid(
                    "service",
                    "PSD needs a shop id: use delivery = PickupPoint",
                ));
            }
            if !parcel.service_list.iter().any(|s| s.code == code) {
                parcel.service_list.push(Service::new(code));
            }
        }
        Ok(parcel)
    }

    async fn create(&self, request: &ShipmentRequest) -> Result<CreatedShipment, ProviderError> {
        request.validate().map_err(|e| rename_provider(&e))?;
        let parcel = self.parcel_for(request)?;
        let printer = self.print_options().type_of_printer.clone();
        let (refs, labels) = match self.label_strategy() {
            LabelStrategy::PrintOnce => {
                let printed = self.print_labels(slice::from_ref(&parcel)).await?;
                let refs: Vec<GlsParcelRef> = printed
                    .print_labels_info_list
                    .iter()
                    .map(|i| GlsParcelRef::new(i.parcel_id, i.parcel_number))
                    .collect();
                (refs, printed.labels)
            }
            LabelStrategy::PrepareThenPrint => {
                let prepared = self.prepare_labels(slice::from_ref(&parcel)).await?;
                let ids: Vec<i64> = prepared
                    .parcel_info_list
                    .iter()
                    .filter_map(|p| p.parcel_id)
                    .collect();
                let printed = self.get_printed_labels(&ids).await.map_err(|e| {
                    let inner = ProviderError::from(e);
                    ProviderError::new(
                        inner.kind(),
                        PROVIDER,
                        format!(
                            "GLS created parcel ids {ids:?} (PrepareLabels) but printing them failed: {}; print them with GetPrintedLabels or delete them",
                            inner.message()
                        ),
                    )
                    .with_maybe_sent(true)
                    .with_source(inner)
                })?;
                let refs = printed
                    .print_data_info_list
                    .iter()
                    .map(|i| GlsParcelRef::new(i.parcel_id, i.parcel_number))
                    .collect();
                (refs, printed.labels)
            }
        };
        if refs.iter().all(|r| r.parcel_number.is_none()) {
            return Err(GlsError::NotConfirmed {
                method: "PrintLabels",
                message: format!("no ParcelNumber came back for {refs:?}"),
                maybe_sent: true,
            }
            .into());
        }
        let mut created = CreatedShipment::new(shipment_id(&refs), request.reference.clone());
        created.label = labels.map(|bytes| Label {
            format: printer.label_format(),
            bytes,
        });
        Ok(created)
    }
}

/// Re-labels a flux-core validation error as GLS's, keeping its fields.
fn rename_provider(err: &ProviderError) -> ProviderError {
    if err.field_errors().is_empty() {
        return ProviderError::new(err.kind(), PROVIDER, err.message());
    }
    ProviderError::validation_fields(PROVIDER, err.field_errors().to_vec())
}

#[async_trait]
impl Courier for GlsClient {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> CourierCapabilities {
        let mut c = CourierCapabilities::default();
        c.cod_cash = true;
        c.cod_bank_transfer = true;
        c.declared_value = true;
        c.lockers = true;
        c.pickup_points = true;
        c.saturday_delivery = true;
        c.label_formats = vec![
            LabelFormat::PdfA4TwoByTwo,
            LabelFormat::PdfA4FourByOne,
            LabelFormat::PdfThermal,
            LabelFormat::Zpl,
        ];
        c.max_tracking_batch = 100;
        c.cancel = true;
        c.find_by_reference = true;
        c.change_cod = true;
        c
    }

    async fn create_shipment(
        &self,
        request: &ShipmentRequest,
    ) -> Result<CreatedShipment, ProviderError> {
        self.create(request).await
    }

    async fn find_by_reference(
        &self,
        reference: &str,
        since: chrono::NaiveDate,
    ) -> Result<Option<CreatedShipment>, ProviderError> {
        let zone = self.country().time_zone();
        let to = Utc::now().with_timezone(&zone).date_naive() + Days::days(1);
        let query =
            ParcelListQuery::printed_between(local_midnight(since, zone), local_midnight(to, zone));
        let list = self.parcel_list(&query).await?;
        let refs: Vec<GlsParcelRef> = list
            .print_data_info_list
            .iter()
            .filter(|p| p.client_reference.as_deref().map(str::trim) == Some(reference.trim()))
            .map(|p| GlsParcelRef::new(p.parcel_id, p.parcel_number))
            .collect();
        Ok((!refs.is_empty()).then(|| CreatedShipment::new(shipment_id(&refs), reference)))
    }

    async fn label(&self, id: &ShipmentId, format: LabelFormat) -> Result<Label, ProviderError> {
        let printer = TypeOfPrinter::for_format(format).ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Unsupported,
                PROVIDER,
                format!("GLS prints A4 2x2, A4 4x1, thermal PDF and ZPL labels, not {format:?}"),
            )
        })?;
        let ids = parcel_ids(id)?;
        let printed = self
            .get_printed_labels_with(&ids, &PrintOptions::new(printer))
            .await?;
        Ok(Label {
            format,
            bytes: printed.labels.unwrap_or_default(),
        })
    }

    async fn track(&self, ids: &[ShipmentId]) -> Result<Vec<TrackingResult>, ProviderError> {
        let mut numbers = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let n: i64 = id.tracking_number.trim().parse().map_err(|_| {
                ProviderError::validation(
                    PROVIDER,
                    format!("ids[{i}].tracking_number"),
                    format!("{:?} is not a GLS parcel number", id.tracking_number),
                )
            })?;
            numbers.push(n);
        }
        let one = |i: usize| {
            let number = numbers[i];
            let tracking_number = ids[i].tracking_number.clone();
            async move {
                match self.parcel_statuses(number, false).await {
                    Ok(resp) => {
                        Ok(self.tracking_result(&tracking_number, &resp.parcel_status_list))
                    }
                    Err(GlsError::NotFound { .. }) => {
                        Ok(TrackingResult::not_found(tracking_number))
                    }
                    Err(e) => Err(ProviderError::from(e)),
                }
            }
        };
        let Some(first_index) = (!ids.is_empty()).then_some(0) else {
            return Ok(Vec::new());
        };
        let mut results = vec![one(first_index).await?];
        let rest: Vec<Result<TrackingResult, ProviderError>> = futures::stream::iter(1..ids.len())
            .map(one)
            .buffered(TRACKING_CONCURRENCY)
            .collect()
            .await;
        for r in rest {
            results.push(r?);
        }
        Ok(results)
    }

    async fn cancel(&self, id: &ShipmentId) -> Result<(), ProviderError> {
        let ids = parcel_ids(id)?;
        let mut response = self.delete_labels(&ids).await?;
        let deleted = response.deleted_ids();
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|i| !deleted.contains(i))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let errors = std::mem::take(&mut response.delete_labels_error_list);
        if errors.is_empty() {
            return Err(GlsError::NotConfirmed {
                method: "DeleteLabels",
                message: format!("parcel ids {missing:?} were not reported deleted"),
                maybe_sent: true,
            }
            .into());
        }
        Err(GlsError::from_list("DeleteLabels", errors, false).into())
    }

    async fn change_cod(&self, id: &ShipmentId, amount: &Money) -> Result<(), ProviderError> {
        let first = parcel_refs(id)?.into_iter().next().ok_or_else(|| {
            ProviderError::validation(PROVIDER, "id", "no GLS parcel in this shipment id")
        })?;
        self.modify_cod(
            first.parcel_id,
            first.parcel_number,
            amount.rounded().amount(),
        )
        .await?;
        Ok(())
    }
}
