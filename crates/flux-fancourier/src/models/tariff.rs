//! `GET reports/awb/internal-tariff`: the price of a domestic shipment.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::awb::{AwbDimensions, AwbOption, Packages, PaymentParty, ServiceName};
use crate::wire;

/// What to price.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TariffRequest {
    /// The service.
    pub service: ServiceName,
    /// Who pays.
    pub payment: PaymentParty,
    /// Weight, kg.
    pub weight: Decimal,
    /// Parcels and envelopes.
    pub packages: Packages,
    /// Dimensions, cm.
    pub dimensions: Option<AwbDimensions>,
    /// Declared value, RON.
    pub declared_value: Option<Decimal>,
    /// Extra services.
    pub options: Vec<AwbOption>,
    /// Destination (county, locality names).
    pub recipient: (String, String),
    /// Origin (county, locality names); the account's address when `None`.
    pub sender: Option<(String, String)>,
}

impl TariffRequest {
    /// A tariff request for `weight` kg in one parcel to `locality`, `county`.
    pub fn new(
        service: ServiceName,
        weight: Decimal,
        county: impl Into<String>,
        locality: impl Into<String>,
    ) -> Self {
        Self {
            service,
            payment: PaymentParty::Sender,
            weight,
            packages: Packages {
                parcel: 1,
                envelope: 0,
            },
            dimensions: None,
            declared_value: None,
            options: Vec::new(),
            recipient: (county.into(), locality.into()),
            sender: None,
        }
    }

    pub(crate) fn to_query(&self, client_id: &str) -> Vec<(String, String)> {
        let mut q = vec![
            ("clientId".to_owned(), client_id.to_owned()),
            ("info[service]".to_owned(), self.service.as_str().to_owned()),
            ("info[payment]".to_owned(), self.payment.as_str().to_owned()),
            (
                "info[weight]".to_owned(),
                self.weight.normalize().to_string(),
            ),
        ];
        if self.packages.parcel > 0 {
            q.push((
                "info[packages][parcel]".to_owned(),
                self.packages.parcel.to_string(),
            ));
        }
        if self.packages.envelope > 0 {
            q.push((
                "info[packages][envelope]".to_owned(),
                self.packages.envelope.to_string(),
            ));
        }
        if let Some(d) = &self.dimensions {
            q.push((
                "info[dimensions][height]".to_owned(),
                d.height.normalize().to_string(),
            ));
            q.push((
                "info[dimensions][width]".to_owned(),
                d.width.normalize().to_string(),
            ));
            q.push((
                "info[dimensions][length]".to_owned(),
                d.length.normalize().to_string(),
            ));
        }
        if let Some(v) = self.declared_value {
            q.push(("info[declaredValue]".to_owned(), v.normalize().to_string()));
        }
        for (i, o) in self.options.iter().enumerate() {
            q.push((format!("info[options][{i}]"), o.as_str().to_owned()));
        }
        q.push(("recipient[locality]".to_owned(), self.recipient.1.clone()));
        q.push(("recipient[county]".to_owned(), self.recipient.0.clone()));
        if let Some((county, locality)) = &self.sender {
            q.push(("sender[locality]".to_owned(), locality.clone()));
            q.push(("sender[county]".to_owned(), county.clone()));
        }
        q
    }
}

/// The price breakdown, RON.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Tariff {
    /// Extra-km cost.
    #[serde(
        rename = "extraKmCost",
        default,
        deserialize_with = "wire::opt_decimal"
    )]
    pub extra_km_cost: Option<Decimal>,
    /// Weight cost.
    #[serde(rename = "weightCost", default, deserialize_with = "wire::opt_decimal")]
    pub weight_cost: Option<Decimal>,
    /// Insurance cost.
    #[serde(
        rename = "insuranceCost",
        default,
        deserialize_with = "wire::opt_decimal"
    )]
    pub insurance_cost: Option<Decimal>,
    /// Options cost.
    #[serde(
        rename = "optionsCost",
        default,
        deserialize_with = "wire::opt_decimal"
    )]
    pub options_cost: Option<Decimal>,
    /// Fuel surcharge.
    #[serde(rename = "fuelCost", default, deserialize_with = "wire::opt_decimal")]
    pub fuel_cost: Option<Decimal>,
    /// Total without VAT.
    #[serde(rename = "costNoVAT", default, deserialize_with = "wire::opt_decimal")]
    pub cost_no_vat: Option<Decimal>,
    /// VAT.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub vat: Option<Decimal>,
    /// Total with VAT.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub total: Option<Decimal>,
}
