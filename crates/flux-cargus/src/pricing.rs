//! Price tables and shipping calculation (DOC p.25–26).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::awb::ShipmentPayer;
use crate::client::CargusClient;
use crate::error::CargusError;
use crate::serde_util::{de_opt_id, de_text};
use crate::service::ServiceId;

/// A contracted price table (`GET PriceTables`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PriceTable {
    /// Its id, for `PriceTableId`.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub price_table_id: Option<i64>,
    /// Its name.
    #[serde(default, deserialize_with = "de_text")]
    pub name: String,
}

/// The body of `POST ShippingCalculation`. Localities by id, or by county and locality
/// names with the ids left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ShippingCalculation {
    /// Sender locality id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_locality_id: Option<i64>,
    /// Recipient locality id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_locality_id: Option<i64>,
    /// Sender county name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_county_name: Option<String>,
    /// Sender locality name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_locality_name: Option<String>,
    /// Recipient county name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_county_name: Option<String>,
    /// Recipient locality name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_locality_name: Option<String>,
    /// Parcels.
    pub parcels: u32,
    /// Envelopes.
    pub envelopes: u32,
    /// Total weight, kg.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub total_weight: Decimal,
    /// The service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_id: Option<ServiceId>,
    /// Declared value, RON.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub declared_value: Decimal,
    /// Cash COD, RON.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cash_repayment: Decimal,
    /// Bank COD, RON.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub bank_repayment: Decimal,
    /// Other repayment.
    pub other_repayment: String,
    /// Open package.
    pub open_package: bool,
    /// Price table.
    pub price_table_id: i64,
    /// Who pays.
    pub shipment_payer: ShipmentPayer,
    /// Saturday delivery.
    pub saturday_delivery: bool,
    /// Morning delivery.
    pub morning_delivery: bool,
}

impl ShippingCalculation {
    /// A calculation between two localities given by name, for `total_weight` kg.
    pub fn by_names(
        from: (impl Into<String>, impl Into<String>),
        to: (impl Into<String>, impl Into<String>),
        parcels: u32,
        envelopes: u32,
        total_weight: Decimal,
    ) -> Self {
        Self {
            from_locality_id: None,
            to_locality_id: None,
            from_county_name: Some(from.0.into()),
            from_locality_name: Some(from.1.into()),
            to_county_name: Some(to.0.into()),
            to_locality_name: Some(to.1.into()),
            parcels,
            envelopes,
            total_weight,
            service_id: None,
            declared_value: Decimal::ZERO,
            cash_repayment: Decimal::ZERO,
            bank_repayment: Decimal::ZERO,
            other_repayment: String::new(),
            open_package: false,
            price_table_id: 0,
            shipment_payer: ShipmentPayer::Sender,
            saturday_delivery: false,
            morning_delivery: false,
        }
    }
}

/// The price of a shipment, RON.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ShippingPrice {
    /// Base price without contract.
    #[serde(default)]
    pub base_cost: Option<Decimal>,
    /// Extra kilometres.
    #[serde(default)]
    pub extra_km_cost: Option<Decimal>,
    /// The contracted price.
    #[serde(default)]
    pub weight_cost: Option<Decimal>,
    /// Insurance.
    #[serde(default)]
    pub insurance_cost: Option<Decimal>,
    /// Special taxes.
    #[serde(default)]
    pub special_cost: Option<Decimal>,
    /// COD fee.
    #[serde(default)]
    pub repayment_cost: Option<Decimal>,
    /// Total without VAT.
    #[serde(default)]
    pub subtotal: Option<Decimal>,
    /// VAT.
    #[serde(default)]
    pub tax: Option<Decimal>,
    /// Total with VAT.
    pub grand_total: Decimal,
}

impl CargusClient {
    /// `GET PriceTables`.
    ///
    /// # Errors
    /// As any call.
    pub async fn price_tables(&self) -> Result<Vec<PriceTable>, CargusError> {
        self.get_list("PriceTables", crate::NO_QUERY).await
    }

    /// `POST ShippingCalculation` (the DOC's heading says `ShippingCalculations`, its
    /// example and every integration use the singular). Safe to retry: it creates nothing.
    ///
    /// # Errors
    /// As any call.
    pub async fn shipping_calculation(
        &self,
        request: &ShippingCalculation,
    ) -> Result<ShippingPrice, CargusError> {
        let response = self
            .call(|http| {
                http.post("ShippingCalculation")
                    .json(request)
                    .idempotent(true)
            })
            .await?;
        Ok(response.json()?)
    }
}
