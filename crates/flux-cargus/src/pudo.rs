//! Ship & Go (PUDO) points (`GET PudoPoints`, the DOC's `PUDO_Get`, p.23–24).

use serde::Deserialize;

use crate::client::CargusClient;
use crate::error::CargusError;
use crate::serde_util::{de_opt_id, de_text};

/// How a Ship & Go point takes cash on delivery (`PaymentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "u8")]
#[non_exhaustive]
pub enum PudoPaymentType {
    /// 1: no payment.
    None,
    /// 2: card only.
    CardOnly,
    /// 3: cash or card.
    CashOrCard,
    /// 4: cash only.
    CashOnly,
    /// Another code.
    Other(u8),
}

impl From<u8> for PudoPaymentType {
    fn from(code: u8) -> Self {
        match code {
            1 => Self::None,
            2 => Self::CardOnly,
            3 => Self::CashOrCard,
            4 => Self::CashOnly,
            other => Self::Other(other),
        }
    }
}

/// A Ship & Go point. Opening hours per day are `OpenHours{Mo..Su}{Start,End}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PudoPoint {
    /// The id to put in `DeliveryPudoPoint`.
    #[serde(deserialize_with = "de_text")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "de_text")]
    pub name: String,
    /// Location id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub location_id: Option<i64>,
    /// Locality id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub city_id: Option<i64>,
    /// Locality.
    #[serde(default)]
    pub city: Option<String>,
    /// County id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub county_id: Option<i64>,
    /// County.
    #[serde(default)]
    pub county: Option<String>,
    /// Street id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub street_id: Option<i64>,
    /// Street.
    #[serde(default)]
    pub street_name: Option<String>,
    /// Street number.
    #[serde(default)]
    pub street_no: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// More directions.
    #[serde(default)]
    pub additional_address_info: Option<String>,
    /// Longitude.
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Latitude.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Cargus's point type code (undocumented values).
    #[serde(default)]
    pub point_type: Option<i64>,
    /// Phone.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether cash on delivery can be collected here.
    #[serde(default, rename = "ServiceCOD")]
    pub service_cod: Option<bool>,
    /// How the recipient can pay.
    #[serde(default)]
    pub payment_type: Option<PudoPaymentType>,
    /// Monday opening.
    #[serde(default)]
    pub open_hours_mo_start: Option<String>,
    /// Monday closing.
    #[serde(default)]
    pub open_hours_mo_end: Option<String>,
    /// Tuesday opening.
    #[serde(default)]
    pub open_hours_tu_start: Option<String>,
    /// Tuesday closing.
    #[serde(default)]
    pub open_hours_tu_end: Option<String>,
    /// Wednesday opening.
    #[serde(default)]
    pub open_hours_we_start: Option<String>,
    /// Wednesday closing.
    #[serde(default)]
    pub open_hours_we_end: Option<String>,
    /// Thursday opening.
    #[serde(default)]
    pub open_hours_th_start: Option<String>,
    /// Thursday closing.
    #[serde(default)]
    pub open_hours_th_end: Option<String>,
    /// Friday opening.
    #[serde(default)]
    pub open_hours_fr_start: Option<String>,
    /// Friday closing.
    #[serde(default)]
    pub open_hours_fr_end: Option<String>,
    /// Saturday opening.
    #[serde(default)]
    pub open_hours_sa_start: Option<String>,
    /// Saturday closing.
    #[serde(default)]
    pub open_hours_sa_end: Option<String>,
    /// Sunday opening.
    #[serde(default)]
    pub open_hours_su_start: Option<String>,
    /// Sunday closing.
    #[serde(default)]
    pub open_hours_su_end: Option<String>,
}

impl PudoPoint {
    /// Opening hours as `Mo 08:00-18:00, Tu …` (closed days left out).
    pub fn opening_hours(&self) -> Option<String> {
        let days = [
            ("Mo", &self.open_hours_mo_start, &self.open_hours_mo_end),
            ("Tu", &self.open_hours_tu_start, &self.open_hours_tu_end),
            ("We", &self.open_hours_we_start, &self.open_hours_we_end),
            ("Th", &self.open_hours_th_start, &self.open_hours_th_end),
            ("Fr", &self.open_hours_fr_start, &self.open_hours_fr_end),
            ("Sa", &self.open_hours_sa_start, &self.open_hours_sa_end),
            ("Su", &self.open_hours_su_start, &self.open_hours_su_end),
        ];
        let parts: Vec<String> = days
            .iter()
            .filter_map(|(day, start, end)| match (start, end) {
                (Some(s), Some(e)) if !s.is_empty() && !e.is_empty() => {
                    Some(format!("{day} {s}-{e}"))
                }
                _ => None,
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

impl CargusClient {
    /// `GET PudoPoints`: every Ship & Go point.
    ///
    /// # Errors
    /// As any call.
    pub async fn pudo_points(&self) -> Result<Vec<PudoPoint>, CargusError> {
        self.get_list("PudoPoints", crate::NO_QUERY).await
    }
}
