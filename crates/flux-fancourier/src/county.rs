//! Our [`County`] and addresses in FAN's nomenclature: counties and localities are sent
//! by name and must match `reports/counties` / `reports/localities`.
//!
//! FAN's nomenclature spells names without diacritics (`Bucuresti`, `Ialomita`,
//! `Bistrita-Nasaud`), so the mapping uses [`County::ascii_name`]. Bucharest's sectors
//! are not localities at FAN: the locality is `Bucuresti`.

use flux_core::{Address, County};

use crate::error::FanCourierError;

/// FAN's name for a county.
///
/// ```
/// use flux_core::County;
/// assert_eq!(flux_fancourier::fan_county_name(County::Iasi), "Iasi");
/// assert_eq!(flux_fancourier::fan_county_name(County::Bucuresti), "Bucuresti");
/// assert_eq!(flux_fancourier::fan_county_name(County::BistritaNasaud), "Bistrita-Nasaud");
/// ```
pub fn fan_county_name(county: County) -> &'static str {
    county.ascii_name()
}

/// Removes Romanian diacritics (both cedilla and comma-below forms).
pub(crate) fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ă' | 'â' => 'a',
            'Ă' | 'Â' => 'A',
            'î' => 'i',
            'Î' => 'I',
            'ș' | 'ş' => 's',
            'Ș' | 'Ş' => 'S',
            'ț' | 'ţ' => 't',
            'Ț' | 'Ţ' => 'T',
            other => other,
        })
        .collect()
}

/// The (county, locality) FAN expects for a Romanian address.
pub(crate) fn fan_place(
    address: &Address,
    path: &str,
) -> Result<(String, String), FanCourierError> {
    let county = address
        .ro_county()
        .map_err(|e| FanCourierError::invalid(format!("{path}.region"), e.message().to_owned()))?;
    let locality = if county == County::Bucuresti {
        "Bucuresti".to_owned()
    } else {
        ascii(address.locality.trim())
    };
    Ok((fan_county_name(county).to_owned(), locality))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flux_core::CountryCode;

    #[test]
    fn sectors_become_bucuresti_and_diacritics_go() {
        let a = Address::builder("A", "Sector 3", CountryCode::RO).build_unchecked();
        assert_eq!(
            fan_place(&a, "recipient").unwrap(),
            ("Bucuresti".to_owned(), "Bucuresti".to_owned())
        );
        let a = Address::builder("A", "Târgu Frumos", CountryCode::RO)
            .region("Iași")
            .build_unchecked();
        assert_eq!(
            fan_place(&a, "recipient").unwrap(),
            ("Iasi".to_owned(), "Targu Frumos".to_owned())
        );
        for c in County::ALL {
            assert!(fan_county_name(*c).is_ascii());
        }
    }

    #[test]
    fn missing_county_names_the_field() {
        let a = Address::builder("A", "Nowhere", CountryCode::RO).build_unchecked();
        let err = fan_place(&a, "recipient").unwrap_err();
        assert!(
            matches!(err, FanCourierError::InvalidRequest { ref field, .. } if field == "recipient.region")
        );
    }
}
