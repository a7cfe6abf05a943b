//! `ServiceId` and the rules tying it to weight and piece count (DOC p.70–72, ANNEX), and
//! the `ParcelCodes` list (one entry per piece).

use flux_core::{FieldError, Parcel, ParcelKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::awb::ParcelCode;
use crate::error::CargusError;

/// Most pieces (parcels plus envelopes) one AWB may carry.
pub const MAX_PIECES: usize = 15;
/// Most envelopes one AWB may carry.
pub const MAX_ENVELOPES: usize = 9;
/// Volumetric divisor: `L × W × H / 6000` (cm → kg).
pub const VOLUMETRIC_DIVISOR: Decimal = Decimal::from_parts(6000, 0, 0, false, 0);

const KG_31: Decimal = Decimal::from_parts(31, 0, 0, false, 0);
const KG_50: Decimal = Decimal::from_parts(50, 0, 0, false, 0);
const KG_465: Decimal = Decimal::from_parts(465, 0, 0, false, 0);
const KG_750: Decimal = Decimal::from_parts(750, 0, 0, false, 0);
const KG_800: Decimal = Decimal::from_parts(800, 0, 0, false, 0);

/// A Cargus service (`ServiceId`). Unknown ids are kept as [`ServiceId::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceId {
    /// 1: Standard (legacy).
    Standard,
    /// 34: "Standard" (formerly Economic standard): one piece up to 31 kg.
    EconomicStandard,
    /// 35: "Standard 31+" (formerly Standard Plus): one piece of 32–50 kg.
    StandardPlus,
    /// 36: "Standard 50+" (formerly Pallet Standard): one piece over 50 kg, up to 800 kg.
    PalletStandard,
    /// 38: "Click & Collect" (formerly Easy collect): delivery to a Ship & Go point.
    EasyCollect,
    /// 39: "Standard" multipiece: each piece up to 31 kg, at most 465 kg in all.
    EconomicStandardM,
    /// 40: "Standard 31+" multipiece: each piece up to 50 kg, at most 750 kg in all.
    EconomicStandardMPlus,
    /// 41: Export Standard.
    ExportStandard,
    /// Any other id.
    Other(u32),
}

impl ServiceId {
    /// The numeric id.
    pub fn id(self) -> u32 {
        match self {
            Self::Standard => 1,
            Self::EconomicStandard => 34,
            Self::StandardPlus => 35,
            Self::PalletStandard => 36,
            Self::EasyCollect => 38,
            Self::EconomicStandardM => 39,
            Self::EconomicStandardMPlus => 40,
            Self::ExportStandard => 41,
            Self::Other(id) => id,
        }
    }

    /// The service with this id.
    pub fn from_id(id: u32) -> Self {
        match id {
            1 => Self::Standard,
            34 => Self::EconomicStandard,
            35 => Self::StandardPlus,
            36 => Self::PalletStandard,
            38 => Self::EasyCollect,
            39 => Self::EconomicStandardM,
            40 => Self::EconomicStandardMPlus,
            41 => Self::ExportStandard,
            other => Self::Other(other),
        }
    }

    /// Cargus's current commercial name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Standard | Self::EconomicStandard | Self::EconomicStandardM => "Standard",
            Self::StandardPlus | Self::EconomicStandardMPlus => "Standard 31+",
            Self::PalletStandard => "Standard 50+",
            Self::EasyCollect => "Click & Collect (Ship & Go)",
            Self::ExportStandard => "Export Standard",
            Self::Other(_) => "other",
        }
    }

    /// Parses `"34"` (the form of [`flux_core::courier::ShipmentRequest::service`]).
    pub fn parse(code: &str) -> Result<Self, CargusError> {
        code.trim().parse::<u32>().map(Self::from_id).map_err(|_| {
            CargusError::validation("service", format!("{code:?} is not a Cargus ServiceId"))
        })
    }
}

impl Serialize for ServiceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.id())
    }
}

impl<'de> Deserialize<'de> for ServiceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        crate::serde_util::value_text(&value)
            .and_then(|t| t.parse::<u32>().ok())
            .map(Self::from_id)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid ServiceId {value}")))
    }
}

/// The weight Cargus charges for a piece: the larger of the actual and the volumetric
/// weight (`L × W × H / 6000`).
pub fn chargeable_weight_kg(parcel: &Parcel) -> Decimal {
    parcel
        .volumetric_weight_kg(VOLUMETRIC_DIVISOR)
        .map_or(parcel.weight_kg, |v| v.max(parcel.weight_kg))
}

/// Counts (parcels incl. pallets, envelopes) and checks the limits every service shares:
/// at least one piece, at most 15 pieces, at most 9 envelopes, and no pallet among
/// several parcels.
fn check_pieces(parcels: &[Parcel]) -> Result<(usize, usize), CargusError> {
    let envelopes = parcels
        .iter()
        .filter(|p| p.kind == ParcelKind::Envelope)
        .count();
    let boxes = parcels.len() - envelopes;
    let pallets = parcels
        .iter()
        .filter(|p| p.kind == ParcelKind::Pallet)
        .count();
    let mut fields = Vec::new();
    if parcels.is_empty() {
        fields.push(FieldError::new(
            "parcels",
            "at least one parcel or envelope is needed",
        ));
    }
    if parcels.len() > MAX_PIECES {
        fields.push(FieldError::new(
            "parcels",
            format!(
                "Cargus accepts at most {MAX_PIECES} pieces per AWB, got {}",
                parcels.len()
            ),
        ));
    }
    if envelopes > MAX_ENVELOPES {
        fields.push(FieldError::new(
            "parcels",
            format!("Cargus accepts at most {MAX_ENVELOPES} envelopes per AWB, got {envelopes}"),
        ));
    }
    if pallets > 0 && boxes > 1 {
        fields.push(FieldError::new(
            "parcels",
            format!(
                "the pallet service (36, Standard 50+) is not valid for several parcels, got {boxes}"
            ),
        ));
    }
    if fields.is_empty() {
        Ok((boxes, envelopes))
    } else {
        Err(CargusError::Validation { fields })
    }
}

/// Chooses the `ServiceId` from the pieces, per the ANNEX rules:
///
/// | pieces | chargeable weight | service |
/// |---|---|---|
/// | Ship & Go delivery | any | 38 |
/// | envelopes only | any | 34 |
/// | one parcel | ≤ 31 kg | 34 |
/// | one parcel | 31–50 kg | 35 |
/// | one parcel or pallet | 50–800 kg | 36 |
/// | several parcels | each ≤ 31 kg, total ≤ 465 kg | 39 |
/// | several parcels | each ≤ 50 kg, total ≤ 750 kg | 40 |
///
/// # Errors
/// [`CargusError::Validation`] for combinations Cargus rejects: no pieces, more than 15
/// pieces, more than 9 envelopes, a pallet among several parcels, a piece over 50 kg among
/// several, or totals over the limits.
pub fn choose_service(parcels: &[Parcel], ship_and_go: bool) -> Result<ServiceId, CargusError> {
    let (boxes, _) = check_pieces(parcels)?;
    let has_pallet = parcels.iter().any(|p| p.kind == ParcelKind::Pallet);
    if ship_and_go {
        if has_pallet {
            return Err(CargusError::validation(
                "parcels",
                "a pallet cannot be delivered to a Ship & Go point",
            ));
        }
        return Ok(ServiceId::EasyCollect);
    }
    let weights: Vec<Decimal> = parcels
        .iter()
        .filter(|p| p.kind != ParcelKind::Envelope)
        .map(chargeable_weight_kg)
        .collect();
    let total: Decimal = weights.iter().copied().sum();
    let heaviest = weights.iter().copied().max().unwrap_or(Decimal::ZERO);
    match boxes {
        0 => Ok(ServiceId::EconomicStandard),
        1 if has_pallet || heaviest > KG_50 => {
            if heaviest > KG_800 {
                Err(CargusError::validation(
                    "parcels[0].weight_kg",
                    format!("Cargus carries at most 800 kg on one AWB, got {heaviest} kg"),
                ))
            } else {
                Ok(ServiceId::PalletStandard)
            }
        }
        1 if heaviest > KG_31 => Ok(ServiceId::StandardPlus),
        1 => Ok(ServiceId::EconomicStandard),
        _ if heaviest <= KG_31 && total <= KG_465 => Ok(ServiceId::EconomicStandardM),
        _ if heaviest <= KG_50 && total <= KG_750 => Ok(ServiceId::EconomicStandardMPlus),
        _ if heaviest > KG_50 => Err(CargusError::validation(
            "parcels",
            format!(
                "a piece of {heaviest} kg needs the pallet service (36), which is not valid for several parcels; ship it on its own AWB"
            ),
        )),
        _ => Err(CargusError::validation(
            "parcels",
            format!("{total} kg in several parcels is over the multipiece limit (750 kg)"),
        )),
    }
}

/// Checks a service the caller chose against the piece limits (15 pieces, 9 envelopes, a
/// pallet service with one parcel only).
///
/// # Errors
/// [`CargusError::Validation`] as [`choose_service`].
pub fn check_service(service: ServiceId, parcels: &[Parcel]) -> Result<(), CargusError> {
    let (boxes, _) = check_pieces(parcels)?;
    if service == ServiceId::PalletStandard && boxes > 1 {
        return Err(CargusError::validation(
            "service",
            format!("the pallet service (36) is not valid for several parcels, got {boxes}"),
        ));
    }
    Ok(())
}

/// `ParcelCodes`: one entry per piece, `Code` its index, `Type` 1 for a parcel and 0 for an
/// envelope, weight and dimensions rounded up to whole kg and cm.
pub fn parcel_codes(parcels: &[Parcel], default_contents: Option<&str>) -> Vec<ParcelCode> {
    parcels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut code = ParcelCode::new(
                i.to_string(),
                if p.kind == ParcelKind::Envelope { 0 } else { 1 },
                whole_up(p.weight_kg),
            );
            if let Some(d) = p.dimensions {
                code.length = Some(whole_up(d.length_cm));
                code.width = Some(whole_up(d.width_cm));
                code.height = Some(whole_up(d.height_cm));
            }
            code.parcel_content = p
                .contents
                .clone()
                .or_else(|| default_contents.map(str::to_owned));
            code
        })
        .collect()
}

/// Rounds up to a whole number, at least 1.
pub(crate) fn whole_up(value: Decimal) -> Decimal {
    value.ceil().max(Decimal::ONE).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn p(kg: Decimal) -> Parcel {
        Parcel::new(kg).unwrap()
    }

    #[test]
    fn chooses_by_weight_and_count() {
        assert_eq!(
            choose_service(&[p(dec!(2))], false).unwrap(),
            ServiceId::EconomicStandard
        );
        assert_eq!(
            choose_service(&[p(dec!(31))], false).unwrap(),
            ServiceId::EconomicStandard
        );
        assert_eq!(
            choose_service(&[p(dec!(31.5))], false).unwrap(),
            ServiceId::StandardPlus
        );
        assert_eq!(
            choose_service(&[p(dec!(51))], false).unwrap(),
            ServiceId::PalletStandard
        );
        assert_eq!(
            choose_service(&[p(dec!(10)), p(dec!(20))], false).unwrap(),
            ServiceId::EconomicStandardM
        );
        assert_eq!(
            choose_service(&[p(dec!(10)), p(dec!(40))], false).unwrap(),
            ServiceId::EconomicStandardMPlus
        );
        assert_eq!(
            choose_service(&[p(dec!(3))], true).unwrap(),
            ServiceId::EasyCollect
        );
        let env = Parcel::envelope(dec!(0.2)).unwrap();
        assert_eq!(
            choose_service(&[env], false).unwrap(),
            ServiceId::EconomicStandard
        );
    }

    #[test]
    fn volumetric_weight_counts() {
        // 60×50×70 / 6000 = 35 kg chargeable although it weighs 5 kg.
        let big = p(dec!(5))
            .with_dimensions(dec!(60), dec!(50), dec!(70))
            .unwrap();
        assert_eq!(
            choose_service(&[big], false).unwrap(),
            ServiceId::StandardPlus
        );
    }

    #[test]
    fn rejects_what_cargus_rejects() {
        let sixteen = vec![p(dec!(1)); 16];
        let err = choose_service(&sixteen, false).unwrap_err();
        assert!(err.to_string().contains("at most 15 pieces"), "{err}");
        let ten_envelopes = vec![Parcel::envelope(dec!(0.1)).unwrap(); 10];
        let err = choose_service(&ten_envelopes, false).unwrap_err();
        assert!(err.to_string().contains("at most 9 envelopes"), "{err}");
        let pallet = p(dec!(120)).with_kind(ParcelKind::Pallet);
        let err = choose_service(&[pallet.clone(), p(dec!(5))], false).unwrap_err();
        assert!(
            err.to_string().contains("not valid for several parcels"),
            "{err}"
        );
        let err = choose_service(&[p(dec!(60)), p(dec!(5))], false).unwrap_err();
        assert!(err.to_string().contains("pallet service"), "{err}");
        let err =
            check_service(ServiceId::PalletStandard, &[p(dec!(60)), p(dec!(60))]).unwrap_err();
        assert!(matches!(err, CargusError::Validation { .. }));
        assert!(choose_service(&[], false).is_err());
    }

    #[test]
    fn parcel_codes_one_per_piece() {
        let parcels = [
            p(dec!(2.2))
                .with_dimensions(dec!(30), dec!(20.5), dec!(10))
                .unwrap(),
            Parcel::envelope(dec!(0.1)).unwrap(),
        ];
        let codes = parcel_codes(&parcels, Some("books"));
        assert_eq!(codes.len(), 2);
        let json = serde_json::to_value(&codes).unwrap();
        assert_eq!(
            json[0],
            serde_json::json!({"Code":"0","Type":1,"Weight":3,"Length":30,"Width":21,"Height":10,"ParcelContent":"books"})
        );
        assert_eq!(json[1]["Type"], 0);
        assert_eq!(json[1]["Code"], "1");
    }
}
