//! Postal addresses for Romania, Canada, the US and the rest of the world.
//!
//! ```
//! use flux_core::{Address, CountryCode, County};
//!
//! let a = Address::builder("Ion Popescu", "Cluj-Napoca", CountryCode::RO)
//!     .street("Strada Memorandumului")
//!     .number("28")
//!     .region("Cluj")
//!     .postal_code("400114")
//!     .phone("0722123456")
//!     .build()
//!     .unwrap();
//! assert_eq!(a.ro_county().unwrap(), County::Cluj);
//!
//! let missing = Address::builder("", "Cluj-Napoca", CountryCode::RO).build().unwrap_err();
//! assert_eq!(missing.field_errors()[0].field, "name");
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::county::{BucharestSector, County, fold_romanian};
use crate::error::{ErrorKind, FieldError, ProviderError};

/// An ISO 3166-1 alpha-2 country code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Romania.
    pub const RO: Self = Self(*b"RO");
    /// Canada.
    pub const CA: Self = Self(*b"CA");
    /// The United States.
    pub const US: Self = Self(*b"US");
    /// Hungary.
    pub const HU: Self = Self(*b"HU");
    /// Bulgaria.
    pub const BG: Self = Self(*b"BG");

    /// Parses `"ro"`, `"RO"`.
    pub fn parse(code: &str) -> Option<Self> {
        let b = code.trim().as_bytes();
        (b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic))
            .then(|| Self([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]))
    }

    /// The two-letter code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CountryCode::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid country code {s:?}")))
    }
}

/// A latitude/longitude pair in decimal degrees (WGS 84).
///
/// Coordinates are positions, not money, so they are the one place a float is right.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude, -90 to 90.
    pub latitude: f64,
    /// Longitude, -180 to 180.
    pub longitude: f64,
}

impl GeoPoint {
    /// A point, if both coordinates are in range.
    pub fn new(latitude: f64, longitude: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(
            Self {
                latitude,
                longitude,
            },
        )
    }
}

/// A postal address with the contact who receives there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Address {
    /// The person's name (the recipient, the sender's contact).
    pub name: String,
    /// The company, when shipping to or billing a business.
    pub company: Option<String>,
    /// The street name, without the number.
    pub street: Option<String>,
    /// The street number, kept as text ("12A", "2-4").
    pub number: Option<String>,
    /// Further lines: block, staircase, floor, apartment, or a second address line.
    pub extra_lines: Vec<String>,
    /// City, town, village or (in Bucharest) sector.
    pub locality: String,
    /// County (Romania), province (Canada) or state (US), as written or as a code.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country.
    pub country: CountryCode,
    /// Phone number, as given.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Coordinates, when known.
    pub location: Option<GeoPoint>,
}

impl Address {
    /// Starts an address with the three fields every provider needs.
    pub fn builder(
        name: impl Into<String>,
        locality: impl Into<String>,
        country: CountryCode,
    ) -> AddressBuilder {
        AddressBuilder {
            address: Address {
                name: name.into(),
                company: None,
                street: None,
                number: None,
                extra_lines: Vec::new(),
                locality: locality.into(),
                region: None,
                postal_code: None,
                country,
                phone: None,
                email: None,
                location: None,
            },
        }
    }

    /// The Romanian county of this address: parsed from `region`, or inferred from a
    /// Bucharest locality ("București", "Sector 3") when the region is missing.
    pub fn ro_county(&self) -> Result<County, ProviderError> {
        if self.country != CountryCode::RO {
            return Err(ProviderError::validation(
                "flux",
                "address.country",
                format!("{} is not a Romanian address", self.country),
            ));
        }
        match &self.region {
            Some(region) if !region.trim().is_empty() => County::parse(region)
                .map_err(|e| ProviderError::validation("flux", "address.region", e.to_string())),
            _ => {
                if self.bucharest_sector().is_some()
                    || fold_romanian(&self.locality).contains("bucuresti")
                {
                    Ok(County::Bucuresti)
                } else {
                    Err(ProviderError::validation(
                        "flux",
                        "address.region",
                        "a Romanian address needs its county",
                    ))
                }
            }
        }
    }

    /// The Bucharest sector named in the locality, the region or an extra line.
    pub fn bucharest_sector(&self) -> Option<BucharestSector> {
        if self.country != CountryCode::RO {
            return None;
        }
        std::iter::once(self.locality.as_str())
            .chain(self.region.as_deref())
            .chain(self.extra_lines.iter().map(String::as_str))
            .find_map(|s| BucharestSector::parse(s).ok())
    }

    /// The street, number and extra lines on one line, for providers with a single
    /// address field.
    pub fn street_line(&self) -> String {
        let mut parts = Vec::new();
        if let Some(street) = &self.street {
            parts.push(match &self.number {
                Some(n) => format!("{street} {n}"),
                None => street.clone(),
            });
        } else if let Some(n) = &self.number {
            parts.push(n.clone());
        }
        parts.extend(self.extra_lines.iter().cloned());
        parts.join(", ")
    }

    /// Checks what every provider requires: a name, a locality, a Romanian county that
    /// parses, a valid postal code shape for RO/US/CA. Returns every problem at once.
    pub fn validate(&self) -> Result<(), ProviderError> {
        let mut fields = Vec::new();
        if self.name.trim().is_empty() {
            fields.push(FieldError::new("name", "must not be empty"));
        }
        if self.locality.trim().is_empty() {
            fields.push(FieldError::new("locality", "must not be empty"));
        }
        if self.country == CountryCode::RO
            && let Err(e) = self.ro_county()
        {
            fields.extend(e.field_errors().iter().map(|f| {
                FieldError::new(f.field.trim_start_matches("address."), f.message.clone())
            }));
        }
        if let Some(pc) = &self.postal_code {
            let pc = pc.trim();
            let ok = match self.country {
                CountryCode::RO => pc.len() == 6 && pc.bytes().all(|b| b.is_ascii_digit()),
                CountryCode::US => is_us_zip(pc),
                CountryCode::CA => is_canadian_postal_code(pc),
                _ => !pc.is_empty(),
            };
            if !ok {
                fields.push(FieldError::new(
                    "postal_code",
                    format!("{pc:?} is not a valid {} postal code", self.country),
                ));
            }
        }
        if let Some(email) = &self.email
            && !looks_like_email(email)
        {
            fields.push(FieldError::new("email", "is not an email address"));
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ProviderError::validation_fields("flux", fields))
        }
    }
}

fn is_us_zip(pc: &str) -> bool {
    let b = pc.as_bytes();
    match b.len() {
        5 => b.iter().all(u8::is_ascii_digit),
        10 => {
            b[..5].iter().all(u8::is_ascii_digit)
                && b[5] == b'-'
                && b[6..].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

fn is_canadian_postal_code(pc: &str) -> bool {
    let compact: Vec<u8> = pc
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b.to_ascii_uppercase())
        .collect();
    compact.len() == 6
        && compact.iter().enumerate().all(|(i, b)| {
            if i % 2 == 0 {
                b.is_ascii_alphabetic()
            } else {
                b.is_ascii_digit()
            }
        })
}

fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Builds an [`Address`]; `build` validates it.
#[derive(Debug, Clone)]
pub struct AddressBuilder {
    address: Address,
}

impl AddressBuilder {
    /// The company name.
    pub fn company(mut self, company: impl Into<String>) -> Self {
        self.address.company = Some(company.into());
        self
    }
    /// The street name.
    pub fn street(mut self, street: impl Into<String>) -> Self {
        self.address.street = Some(street.into());
        self
    }
    /// The street number.
    pub fn number(mut self, number: impl Into<String>) -> Self {
        self.address.number = Some(number.into());
        self
    }
    /// Adds an extra line (block, floor, apartment).
    pub fn extra_line(mut self, line: impl Into<String>) -> Self {
        self.address.extra_lines.push(line.into());
        self
    }
    /// County, province or state.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.address.region = Some(region.into());
        self
    }
    /// The postal code.
    pub fn postal_code(mut self, postal_code: impl Into<String>) -> Self {
        self.address.postal_code = Some(postal_code.into());
        self
    }
    /// The phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.address.phone = Some(phone.into());
        self
    }
    /// The email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.address.email = Some(email.into());
        self
    }
    /// The coordinates.
    pub fn location(mut self, location: GeoPoint) -> Self {
        self.address.location = Some(location);
        self
    }
    /// Validates and returns the address.
    pub fn build(self) -> Result<Address, ProviderError> {
        self.address.validate()?;
        Ok(self.address)
    }
    /// Returns the address without validating it (for data read back from a provider).
    pub fn build_unchecked(self) -> Address {
        self.address
    }
}

impl From<crate::county::UnknownCounty> for ProviderError {
    fn from(e: crate::county::UnknownCounty) -> Self {
        ProviderError::new(ErrorKind::Validation, "flux", e.to_string())
            .with_field_error(FieldError::new("region", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ro(locality: &str) -> AddressBuilder {
        Address::builder("Maria Ionescu", locality, CountryCode::RO)
    }

    #[test]
    fn bucharest_county_inferred_from_sector_locality() {
        let a = ro("Sector 3")
            .street("Str. Fizicienilor")
            .number("1")
            .build()
            .unwrap();
        assert_eq!(a.ro_county().unwrap(), County::Bucuresti);
        assert_eq!(a.bucharest_sector().unwrap().number(), 3);
        let a = ro("București").build().unwrap();
        assert_eq!(a.ro_county().unwrap(), County::Bucuresti);
        assert!(a.bucharest_sector().is_none());
    }

    #[test]
    fn validation_lists_every_problem_with_its_field() {
        let err = Address::builder(" ", "", CountryCode::RO)
            .region("Atlantis")
            .postal_code("12345")
            .email("nope")
            .build()
            .unwrap_err();
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(
            fields,
            ["name", "locality", "region", "postal_code", "email"]
        );
        assert!(err.is_validation());
    }

    #[test]
    fn north_american_postal_codes() {
        let us = Address::builder("Jane Roe", "Austin", CountryCode::US)
            .region("TX")
            .postal_code("78701-1234")
            .build();
        assert!(us.is_ok());
        let ca = Address::builder("Jean Tremblay", "Montréal", CountryCode::CA)
            .region("QC")
            .postal_code("h2x 1y4")
            .location(GeoPoint::new(45.5, -73.56).unwrap())
            .build();
        assert!(ca.is_ok());
        let bad = Address::builder("Jean", "Toronto", CountryCode::CA)
            .postal_code("M5V")
            .build();
        assert_eq!(bad.unwrap_err().field_errors()[0].field, "postal_code");
        assert!(GeoPoint::new(91.0, 0.0).is_none());
    }

    #[test]
    fn street_line_joins_parts() {
        let a = ro("Cluj-Napoca")
            .region("CJ")
            .street("Str. Horea")
            .number("3")
            .extra_line("Bl. A, Ap. 4")
            .build()
            .unwrap();
        assert_eq!(a.street_line(), "Str. Horea 3, Bl. A, Ap. 4");
    }

    #[test]
    fn round_trips_through_json() {
        let a = ro("Iași")
            .region("Iași")
            .postal_code("700001")
            .build()
            .unwrap();
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["country"], "RO");
        let back: Address = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }
}
