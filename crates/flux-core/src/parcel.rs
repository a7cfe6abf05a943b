//! Parcels: what a courier carries.
//!
//! ```
//! use flux_core::{Parcel, ParcelKind};
//! use rust_decimal_macros::dec;
//!
//! let box_ = Parcel::new(dec!(2.5)).unwrap().with_dimensions(dec!(30), dec!(20), dec!(10)).unwrap();
//! assert_eq!(box_.kind, ParcelKind::Parcel);
//! assert_eq!(box_.volumetric_weight_kg(dec!(6000)), Some(dec!(1)));
//! assert!(Parcel::new(dec!(0)).is_err());
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ProviderError;
use crate::money::Money;

/// The kind of package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParcelKind {
    /// A box or bag.
    #[default]
    Parcel,
    /// A document envelope.
    Envelope,
    /// A pallet.
    Pallet,
}

/// Length, width and height in centimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    /// Length, cm.
    pub length_cm: Decimal,
    /// Width, cm.
    pub width_cm: Decimal,
    /// Height, cm.
    pub height_cm: Decimal,
}

/// One package of a shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Parcel {
    /// Box, envelope or pallet.
    pub kind: ParcelKind,
    /// Weight in kilograms.
    pub weight_kg: Decimal,
    /// Size, when known.
    pub dimensions: Option<Dimensions>,
    /// What is inside, for the label.
    pub contents: Option<String>,
    /// Declared (insured) value of this parcel.
    pub declared_value: Option<Money>,
}

impl Parcel {
    /// A parcel of `weight_kg` (must be above zero).
    pub fn new(weight_kg: Decimal) -> Result<Self, ProviderError> {
        if weight_kg <= Decimal::ZERO {
            return Err(ProviderError::validation(
                "flux",
                "parcel.weight_kg",
                format!("must be above zero, got {weight_kg}"),
            ));
        }
        Ok(Self {
            kind: ParcelKind::Parcel,
            weight_kg,
            dimensions: None,
            contents: None,
            declared_value: None,
        })
    }

    /// An envelope of `weight_kg`.
    pub fn envelope(weight_kg: Decimal) -> Result<Self, ProviderError> {
        Ok(Self {
            kind: ParcelKind::Envelope,
            ..Self::new(weight_kg)?
        })
    }

    /// Sets the kind.
    #[must_use]
    pub fn with_kind(mut self, kind: ParcelKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets the dimensions (each above zero).
    pub fn with_dimensions(
        mut self,
        length_cm: Decimal,
        width_cm: Decimal,
        height_cm: Decimal,
    ) -> Result<Self, ProviderError> {
        for (field, v) in [
            ("parcel.dimensions.length_cm", length_cm),
            ("parcel.dimensions.width_cm", width_cm),
            ("parcel.dimensions.height_cm", height_cm),
        ] {
            if v <= Decimal::ZERO {
                return Err(ProviderError::validation(
                    "flux",
                    field,
                    format!("must be above zero, got {v}"),
                ));
            }
        }
        self.dimensions = Some(Dimensions {
            length_cm,
            width_cm,
            height_cm,
        });
        Ok(self)
    }

    /// Sets the contents description.
    #[must_use]
    pub fn with_contents(mut self, contents: impl Into<String>) -> Self {
        self.contents = Some(contents.into());
        self
    }

    /// Sets the declared value.
    #[must_use]
    pub fn with_declared_value(mut self, value: Money) -> Self {
        self.declared_value = Some(value);
        self
    }

    /// Volumetric weight, `l × w × h / divisor` (couriers use 5000 or 6000), if the
    /// dimensions are known.
    pub fn volumetric_weight_kg(&self, divisor: Decimal) -> Option<Decimal> {
        let d = self.dimensions?;
        (!divisor.is_zero()).then(|| d.length_cm * d.width_cm * d.height_cm / divisor)
    }
}

/// Total weight of several parcels.
pub fn total_weight_kg(parcels: &[Parcel]) -> Decimal {
    parcels.iter().map(|p| p.weight_kg).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rejects_non_positive_sizes_with_the_field() {
        let err = Parcel::new(dec!(-1)).unwrap_err();
        assert_eq!(err.field_errors()[0].field, "parcel.weight_kg");
        let err = Parcel::new(dec!(1))
            .unwrap()
            .with_dimensions(dec!(10), dec!(0), dec!(10))
            .unwrap_err();
        assert_eq!(err.field_errors()[0].field, "parcel.dimensions.width_cm");
    }

    #[test]
    fn totals_and_envelopes() {
        let parcels = [
            Parcel::new(dec!(1.25)).unwrap(),
            Parcel::envelope(dec!(0.1)).unwrap(),
        ];
        assert_eq!(total_weight_kg(&parcels), dec!(1.35));
        assert_eq!(parcels[1].kind, ParcelKind::Envelope);
        assert_eq!(parcels[0].volumetric_weight_kg(dec!(5000)), None);
    }
}
