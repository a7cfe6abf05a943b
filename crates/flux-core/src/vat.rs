//! Romanian VAT rates by the date of the chargeable event.
//!
//! Law 141/2025 changed the rates from 1 August 2025: the standard rate went from 19% to
//! 21%, and the reduced rates of 9% and 5% merged into 11%, with a transitional 9% for
//! qualifying new housing until 31 July 2026. The rate that applies is the one in force on
//! the delivery (chargeable event) date, not the invoice date.
//!
//! Invoicing platforms keep the rate *names* and change the percentages, so a provider
//! crate should still read the platform's own list; these functions say which percentage
//! Flux expects, so that a mismatch can be caught before an invoice is issued.
//!
//! ```
//! use chrono::NaiveDate;
//! use flux_core::vat::{ro_vat_rate, VatCategory};
//! use rust_decimal_macros::dec;
//!
//! let july_2025 = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
//! let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
//! assert_eq!(ro_vat_rate(VatCategory::Standard, july_2025).unwrap().percent, dec!(19));
//! assert_eq!(ro_vat_rate(VatCategory::Standard, today).unwrap().percent, dec!(21));
//! assert_eq!(ro_vat_rate(VatCategory::Reduced, today).unwrap().percent, dec!(11));
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ProviderError;

/// What kind of supply a line is, for VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VatCategory {
    /// Most goods and services.
    Standard,
    /// Food, medicines, accommodation and the other supplies of the reduced rate
    /// (9% until 31 July 2025, 11% after).
    Reduced,
    /// Books, newspapers and the other supplies of the former 5% rate (11% from 1 August
    /// 2025).
    SuperReduced,
    /// Qualifying new housing (5% until 31 July 2025, a transitional 9% until 31 July 2026;
    /// no reduced housing rate after that).
    Housing,
    /// Exempt or not taxed, without the right of deduction (`SDD`).
    Exempt,
    /// Reverse charge (`Taxare inversa`).
    ReverseCharge,
}

/// A VAT rate: the name the invoicing platforms use and the percentage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatRate {
    /// `Normala`, `Redusa`, `SDD`, `Taxare inversa`.
    pub name: String,
    /// Percentage, e.g. 21.
    pub percent: Decimal,
}

/// The day Law 141/2025's rates took effect.
pub fn rates_change_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 8, 1).unwrap_or_default()
}

/// The last day of the transitional 9% housing rate.
pub fn housing_transition_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 31).unwrap_or_default()
}

/// The Romanian VAT rate for `category` on the chargeable-event date `on`.
///
/// Errors (a validation error on `vat_category`) for housing after the transition ended,
/// because whether such a supply is then at the standard rate depends on facts this
/// library cannot know.
pub fn ro_vat_rate(category: VatCategory, on: NaiveDate) -> Result<VatRate, ProviderError> {
    let new_regime = on >= rates_change_date();
    let rate = |name: &str, percent: u32| VatRate {
        name: name.to_owned(),
        percent: Decimal::from(percent),
    };
    Ok(match category {
        VatCategory::Standard => rate("Normala", if new_regime { 21 } else { 19 }),
        VatCategory::Reduced => rate("Redusa", if new_regime { 11 } else { 9 }),
        VatCategory::SuperReduced => rate("Redusa", if new_regime { 11 } else { 5 }),
        VatCategory::Housing if !new_regime => rate("Redusa", 5),
        VatCategory::Housing if on <= housing_transition_end() => rate("Redusa", 9),
        VatCategory::Housing => {
            return Err(ProviderError::validation(
                "flux",
                "vat_category",
                format!(
                    "the transitional 9% housing rate ended on {}; choose the standard or reduced category for a supply on {on}",
                    housing_transition_end()
                ),
            ));
        }
        VatCategory::Exempt => rate("SDD", 0),
        VatCategory::ReverseCharge => rate("Taxare inversa", 0),
    })
}

/// Splits a VAT-inclusive amount into (net, vat) at `percent`, rounding the VAT to cents
/// half away from zero.
pub fn split_gross(gross: Decimal, percent: Decimal) -> (Decimal, Decimal) {
    let hundred = Decimal::from(100);
    let vat = (gross * percent / (hundred + percent))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    (gross - vat, vat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rates_switch_on_the_first_of_august_2025() {
        let cases = [
            (VatCategory::Standard, d(2025, 7, 31), dec!(19)),
            (VatCategory::Standard, d(2025, 8, 1), dec!(21)),
            (VatCategory::Reduced, d(2025, 7, 31), dec!(9)),
            (VatCategory::Reduced, d(2025, 8, 1), dec!(11)),
            (VatCategory::SuperReduced, d(2024, 1, 1), dec!(5)),
            (VatCategory::SuperReduced, d(2026, 11, 22), dec!(11)),
            (VatCategory::Housing, d(2025, 7, 1), dec!(5)),
            (VatCategory::Housing, d(2026, 7, 31), dec!(9)),
            (VatCategory::Exempt, d(2026, 1, 1), dec!(0)),
        ];
        for (category, date, expected) in cases {
            assert_eq!(
                ro_vat_rate(category, date).unwrap().percent,
                expected,
                "{category:?} on {date}"
            );
        }
    }

    #[test]
    fn housing_after_the_transition_is_a_clear_error() {
        let err = ro_vat_rate(VatCategory::Housing, d(2026, 8, 1)).unwrap_err();
        assert!(err.is_validation());
        assert_eq!(err.field_errors()[0].field, "vat_category");
    }

    #[test]
    fn split_gross_amounts() {
        assert_eq!(split_gross(dec!(121), dec!(21)), (dec!(100), dec!(21)));
        assert_eq!(split_gross(dec!(10), dec!(19)), (dec!(8.40), dec!(1.60)));
        assert_eq!(split_gross(dec!(5), dec!(0)), (dec!(5), dec!(0)));
    }
}
