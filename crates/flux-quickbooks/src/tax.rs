//! US versus Canadian sales tax on estimate and invoice lines.
//!
//! - **US** companies mark each line `TAX` or `NON`; automated sales tax computes the
//!   rate from the ship-to address.
//! - **Canadian** companies must put a real tax code id (GST, HST ON, PST BC, Exempt, …)
//!   on every line, or QuickBooks refuses the document with code 6000 ("Make sure all
//!   your transactions have a GST/HST rate"). `TAX`/`NON` do not exist there.

use flux_core::accounting::TaxTreatment;

use crate::error::QuickBooksError;

/// A company's tax model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaxRegime {
    /// US sales tax: lines carry `TAX` or `NON`.
    UnitedStates,
    /// Canadian GST/HST/PST: lines carry a tax code id.
    Canada {
        /// The tax code id used for lines whose treatment is
        /// [`TaxTreatment::Default`]; without it such lines are refused before sending.
        default_tax_code: Option<String>,
    },
    /// Another country: tax codes are passed through as given.
    Other,
}

impl TaxRegime {
    /// The regime of a company from `CompanyInfo.Country`.
    pub fn from_country(country: Option<&str>) -> Self {
        match country.map(|c| c.trim().to_ascii_uppercase()).as_deref() {
            Some("US" | "USA" | "UNITED STATES") => Self::UnitedStates,
            Some("CA" | "CAN" | "CANADA") => Self::Canada {
                default_tax_code: None,
            },
            _ => Self::Other,
        }
    }

    /// The `TaxCodeRef` value for a line with `treatment`, or `None` to let QuickBooks
    /// use the item's default.
    ///
    /// # Errors
    /// [`QuickBooksError::InvalidInput`] on `field` when the treatment does not exist in
    /// this regime (a `TAX`/`NON` line in Canada, a Canadian line without a code).
    pub fn line_tax_code(
        &self,
        treatment: &TaxTreatment,
        field: &str,
    ) -> Result<Option<String>, QuickBooksError> {
        match (self, treatment) {
            (Self::UnitedStates, TaxTreatment::Taxable) => Ok(Some("TAX".to_owned())),
            (Self::UnitedStates, TaxTreatment::NonTaxable) => Ok(Some("NON".to_owned())),
            (Self::UnitedStates, TaxTreatment::Code(code)) => {
                match code.trim().to_ascii_uppercase().as_str() {
                    c @ ("TAX" | "NON") => Ok(Some(c.to_owned())),
                    _ => Err(QuickBooksError::invalid(
                        field,
                        format!("US companies take TAX or NON, not tax code {code:?}"),
                    )),
                }
            }
            (Self::Canada { .. }, TaxTreatment::Code(code)) if !code.trim().is_empty() => {
                Ok(Some(code.trim().to_owned()))
            }
            (Self::Canada { default_tax_code }, TaxTreatment::Default) => match default_tax_code {
                Some(code) => Ok(Some(code.clone())),
                None => Err(QuickBooksError::invalid(
                    field,
                    "Canadian companies need a GST/HST/PST tax code id on every line",
                )),
            },
            (Self::Canada { .. }, _) => Err(QuickBooksError::invalid(
                field,
                "Canadian companies need a GST/HST/PST tax code id, not TAX/NON",
            )),
            (_, TaxTreatment::Code(code)) => Ok(Some(code.clone())),
            (_, TaxTreatment::Taxable) => Ok(Some("TAX".to_owned())),
            (_, TaxTreatment::NonTaxable) => Ok(Some("NON".to_owned())),
            (_, _) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_lines_use_tax_and_non() {
        let us = TaxRegime::from_country(Some("US"));
        assert_eq!(
            us.line_tax_code(&TaxTreatment::Taxable, "l")
                .unwrap()
                .as_deref(),
            Some("TAX")
        );
        assert_eq!(
            us.line_tax_code(&TaxTreatment::NonTaxable, "l")
                .unwrap()
                .as_deref(),
            Some("NON")
        );
        assert_eq!(us.line_tax_code(&TaxTreatment::Default, "l").unwrap(), None);
        assert!(
            us.line_tax_code(&TaxTreatment::Code("5".into()), "l")
                .is_err()
        );
    }

    #[test]
    fn canadian_lines_need_a_code() {
        let ca = TaxRegime::from_country(Some("CA"));
        assert_eq!(
            ca.line_tax_code(&TaxTreatment::Code("7".into()), "l")
                .unwrap()
                .as_deref(),
            Some("7")
        );
        assert!(ca.line_tax_code(&TaxTreatment::Taxable, "l").is_err());
        assert!(ca.line_tax_code(&TaxTreatment::Default, "l").is_err());
        let with_default = TaxRegime::Canada {
            default_tax_code: Some("13".into()),
        };
        assert_eq!(
            with_default
                .line_tax_code(&TaxTreatment::Default, "l")
                .unwrap()
                .as_deref(),
            Some("13")
        );
    }
}
