//! Who a document or a shipment is for: a person, or a company with its tax id.
//!
//! ```
//! use flux_core::Cif;
//!
//! let cif = Cif::parse("RO 37311090").unwrap();
//! assert_eq!(cif.digits(), "37311090");
//! assert_eq!(cif.with_ro_prefix(), "RO37311090");
//! let err = Cif::parse("RO12345678").unwrap_err();
//! assert!(err.to_string().contains("check digit"));
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::address::Address;

/// Why a CIF/CUI was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CifError {
    /// Not 2 to 10 digits after an optional `RO` prefix.
    #[error("{0:?} is not a CIF: expected 2 to 10 digits, optionally prefixed by RO")]
    Format(String),
    /// The check digit does not match (key 753217532, mod 11).
    #[error("{input:?} fails the CIF check digit: expected {expected}, found {found}")]
    CheckDigit {
        /// What was given.
        input: String,
        /// The check digit the body implies.
        expected: u8,
        /// The last digit given.
        found: u8,
    },
}

/// A Romanian fiscal code (CIF/CUI), validated with its check digit.
///
/// The `RO` prefix marks VAT registration on documents, but whether a company *is* a VAT
/// payer must come from ANAF, not from the prefix; [`Cif`] stores only the digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cif(String);

impl Cif {
    const KEY: &'static [u8; 9] = b"753217532";

    /// Parses and validates `"RO37311090"`, `"ro 37311090"` or `"37311090"`.
    pub fn parse(input: &str) -> Result<Self, CifError> {
        let trimmed = input.trim();
        let body = if trimmed.len() >= 2 && trimmed[..2].eq_ignore_ascii_case("RO") {
            trimmed[2..].trim_start()
        } else {
            trimmed
        };
        if !(2..=10).contains(&body.len()) || !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CifError::Format(input.to_owned()));
        }
        let (digits, check) = body.split_at(body.len() - 1);
        let padded = format!("{digits:0>9}");
        let sum: u32 = padded
            .bytes()
            .zip(Self::KEY.iter())
            .map(|(d, k)| u32::from(d - b'0') * u32::from(k - b'0'))
            .sum();
        let expected = match (sum * 10) % 11 {
            10 => 0,
            c => c as u8,
        };
        let found = check.as_bytes()[0] - b'0';
        if expected != found {
            return Err(CifError::CheckDigit {
                input: input.to_owned(),
                expected,
                found,
            });
        }
        Ok(Self(body.to_owned()))
    }

    /// The digits, without prefix.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The digits with the `RO` prefix, as VAT payers print it.
    pub fn with_ro_prefix(&self) -> String {
        format!("RO{}", self.0)
    }
}

impl fmt::Display for Cif {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Cif {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cif {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cif::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A company's tax identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scheme", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaxId {
    /// A Romanian CIF/CUI.
    RoCif(Cif),
    /// Another country's identifier (an EU VAT number, a US EIN, a Canadian BN), unchecked.
    Other(String),
}

/// A natural person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Romanian personal numeric code, when the person gave it (B2C e-Factura).
    pub cnp: Option<String>,
}

/// A business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Company {
    /// Legal name.
    pub name: String,
    /// Tax identifier.
    pub tax_id: Option<TaxId>,
    /// Trade-register number (Romania: `J40/1234/2020`).
    pub registry_number: Option<String>,
    /// Whether the company is registered for VAT.
    pub vat_payer: bool,
    /// The person to address documents to.
    pub contact_name: Option<String>,
}

/// Whether a party is a person or a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PartyKind {
    /// A consumer (B2C).
    Person(Person),
    /// A business (B2B).
    Company(Company),
}

/// A customer or recipient: who they are and how to reach them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Party {
    /// Person or company.
    pub kind: PartyKind,
    /// Billing or registered address.
    pub address: Option<Address>,
    /// Email for documents.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

impl Party {
    /// A person.
    pub fn person(name: impl Into<String>) -> Self {
        Self {
            kind: PartyKind::Person(Person {
                name: name.into(),
                cnp: None,
            }),
            address: None,
            email: None,
            phone: None,
        }
    }

    /// A Romanian company identified by its CIF.
    pub fn ro_company(name: impl Into<String>, cif: Cif, vat_payer: bool) -> Self {
        Self {
            kind: PartyKind::Company(Company {
                name: name.into(),
                tax_id: Some(TaxId::RoCif(cif)),
                registry_number: None,
                vat_payer,
                contact_name: None,
            }),
            address: None,
            email: None,
            phone: None,
        }
    }

    /// A company with any (or no) tax id.
    pub fn company(name: impl Into<String>, tax_id: Option<TaxId>) -> Self {
        Self {
            kind: PartyKind::Company(Company {
                name: name.into(),
                tax_id,
                registry_number: None,
                vat_payer: false,
                contact_name: None,
            }),
            address: None,
            email: None,
            phone: None,
        }
    }

    /// Sets the address.
    #[must_use]
    pub fn with_address(mut self, address: Address) -> Self {
        self.address = Some(address);
        self
    }

    /// Sets the email.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the phone.
    #[must_use]
    pub fn with_phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// The person's or company's name.
    pub fn name(&self) -> &str {
        match &self.kind {
            PartyKind::Person(p) => &p.name,
            PartyKind::Company(c) => &c.name,
        }
    }

    /// Whether this is a business.
    pub fn is_company(&self) -> bool {
        matches!(self.kind, PartyKind::Company(_))
    }

    /// The Romanian CIF, if this is a Romanian company.
    pub fn cif(&self) -> Option<&Cif> {
        match &self.kind {
            PartyKind::Company(Company {
                tax_id: Some(TaxId::RoCif(cif)),
                ..
            }) => Some(cif),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cifs_from_the_notes() {
        for v in [
            "RO37311090",
            "4221306",
            "4264242",
            "30834857",
            "27193515",
            "18547290",
            "14399840",
            "44991231",
            "19",
            "12345674",
            "ro37311090",
            " RO 37311090 ",
        ] {
            assert!(Cif::parse(v).is_ok(), "{v} should be valid");
        }
        assert_eq!(Cif::parse("RO37311090").unwrap().digits(), "37311090");
    }

    #[test]
    fn invalid_cifs_say_why() {
        assert_eq!(
            Cif::parse("12345678"),
            Err(CifError::CheckDigit {
                input: "12345678".into(),
                expected: 4,
                found: 8
            })
        );
        for v in ["RO12345678", "49834438"] {
            assert!(
                matches!(Cif::parse(v), Err(CifError::CheckDigit { .. })),
                "{v}"
            );
        }
        for v in ["", "RO", "1", "12345678901", "RO12A45", "DE123456789"] {
            assert!(matches!(Cif::parse(v), Err(CifError::Format(_))), "{v}");
        }
    }

    #[test]
    fn party_accessors() {
        let p = Party::ro_company(
            "Oblio Software SRL",
            Cif::parse("RO37311090").unwrap(),
            true,
        )
        .with_email("facturi@example.ro");
        assert!(p.is_company());
        assert_eq!(p.cif().unwrap().with_ro_prefix(), "RO37311090");
        assert_eq!(p.name(), "Oblio Software SRL");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["kind"]["tax_id"]["value"], "37311090");
        let back: Party = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
        assert!(Party::person("Ana").cif().is_none());
    }
}
