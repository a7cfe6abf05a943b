//! Romanian counties (ISO 3166-2:RO) and Bucharest's sectors.
//!
//! Couriers and invoicing platforms want county *names* (FAN Courier and Oblio with
//! diacritics or without, depending on the nomenclature), e-Factura wants the ISO code, and
//! shoppers type anything: "Bucuresti", "București", "Sector 3", "RO-B", "Cluj", "CJ",
//! "jud. Iași". [`County::parse`] accepts all of them.
//!
//! ```
//! use flux_core::{BucharestSector, County};
//!
//! assert_eq!(County::parse("jud. Iasi").unwrap(), County::Iasi);
//! assert_eq!(County::parse("RO-B").unwrap(), County::Bucuresti);
//! assert_eq!(County::parse("Sectorul 3").unwrap(), County::Bucuresti);
//! assert_eq!(County::Cluj.iso_code(), "RO-CJ");
//! assert_eq!(County::BistritaNasaud.name(), "Bistrița-Năsăud");
//! assert_eq!(County::BistritaNasaud.ascii_name(), "Bistrita-Nasaud");
//! assert_eq!(BucharestSector::parse("Sector 3").unwrap().number(), 3);
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! counties {
    ($($variant:ident => $code:literal, $name:literal, $ascii:literal;)+) => {
        /// One of Romania's 41 counties or the Municipality of Bucharest.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum County {
            $(
                #[doc = $name]
                $variant,
            )+
        }

        impl County {
            /// Every county, Bucharest included, in alphabetical order of the ASCII name.
            pub const ALL: &'static [County] = &[$(County::$variant),+];

            /// The county code after `RO-` (the licence-plate code): `"CJ"`, `"B"`.
            pub fn code(self) -> &'static str {
                match self { $(County::$variant => $code),+ }
            }

            /// The official name with Romanian diacritics (comma-below ș and ț).
            pub fn name(self) -> &'static str {
                match self { $(County::$variant => $name),+ }
            }

            /// The name without diacritics, as most courier nomenclatures spell it.
            pub fn ascii_name(self) -> &'static str {
                match self { $(County::$variant => $ascii),+ }
            }
        }
    };
}

counties! {
    Alba => "AB", "Alba", "Alba";
    Arad => "AR", "Arad", "Arad";
    Arges => "AG", "Argeș", "Arges";
    Bacau => "BC", "Bacău", "Bacau";
    Bihor => "BH", "Bihor", "Bihor";
    BistritaNasaud => "BN", "Bistrița-Năsăud", "Bistrita-Nasaud";
    Botosani => "BT", "Botoșani", "Botosani";
    Braila => "BR", "Brăila", "Braila";
    Brasov => "BV", "Brașov", "Brasov";
    Bucuresti => "B", "București", "Bucuresti";
    Buzau => "BZ", "Buzău", "Buzau";
    Calarasi => "CL", "Călărași", "Calarasi";
    CarasSeverin => "CS", "Caraș-Severin", "Caras-Severin";
    Cluj => "CJ", "Cluj", "Cluj";
    Constanta => "CT", "Constanța", "Constanta";
    Covasna => "CV", "Covasna", "Covasna";
    Dambovita => "DB", "Dâmbovița", "Dambovita";
    Dolj => "DJ", "Dolj", "Dolj";
    Galati => "GL", "Galați", "Galati";
    Giurgiu => "GR", "Giurgiu", "Giurgiu";
    Gorj => "GJ", "Gorj", "Gorj";
    Harghita => "HR", "Harghita", "Harghita";
    Hunedoara => "HD", "Hunedoara", "Hunedoara";
    Ialomita => "IL", "Ialomița", "Ialomita";
    Iasi => "IS", "Iași", "Iasi";
    Ilfov => "IF", "Ilfov", "Ilfov";
    Maramures => "MM", "Maramureș", "Maramures";
    Mehedinti => "MH", "Mehedinți", "Mehedinti";
    Mures => "MS", "Mureș", "Mures";
    Neamt => "NT", "Neamț", "Neamt";
    Olt => "OT", "Olt", "Olt";
    Prahova => "PH", "Prahova", "Prahova";
    Salaj => "SJ", "Sălaj", "Salaj";
    SatuMare => "SM", "Satu Mare", "Satu Mare";
    Sibiu => "SB", "Sibiu", "Sibiu";
    Suceava => "SV", "Suceava", "Suceava";
    Teleorman => "TR", "Teleorman", "Teleorman";
    Timis => "TM", "Timiș", "Timis";
    Tulcea => "TL", "Tulcea", "Tulcea";
    Valcea => "VL", "Vâlcea", "Valcea";
    Vaslui => "VS", "Vaslui", "Vaslui";
    Vrancea => "VN", "Vrancea", "Vrancea";
}

/// A county name or code that could not be recognised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown Romanian county {0:?}: expected a county name (\"Cluj\", \"Iași\"), an ISO code (\"RO-CJ\", \"CJ\") or a Bucharest sector"
)]
pub struct UnknownCounty(pub String);

/// Folds Romanian text for comparison: lower case, no diacritics (both the comma-below and
/// the legacy cedilla forms of ș and ț), hyphens and dots as spaces, single spaces.
pub fn fold_romanian(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars() {
        let mapped = match c {
            'ă' | 'â' | 'Ă' | 'Â' | 'á' | 'à' | 'ä' | 'Á' | 'Ä' => 'a',
            'î' | 'Î' | 'í' | 'Í' => 'i',
            'ș' | 'ş' | 'Ș' | 'Ş' => 's',
            'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
            'é' | 'É' => 'e',
            'ö' | 'ő' | 'ó' | 'Ö' | 'Ő' | 'Ó' => 'o',
            'ü' | 'ű' | 'ú' | 'Ü' | 'Ű' | 'Ú' => 'u',
            '-' | '.' | ',' | '_' | '/' => ' ',
            c if c.is_whitespace() => ' ',
            c => c.to_ascii_lowercase(),
        };
        let mapped = if mapped.is_uppercase() {
            mapped.to_lowercase().next().unwrap_or(mapped)
        } else {
            mapped
        };
        if mapped == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(mapped);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

impl County {
    /// The ISO 3166-2 code: `"RO-CJ"`, `"RO-B"`.
    pub fn iso_code(self) -> String {
        format!("RO-{}", self.code())
    }

    /// Finds a county by its code (`"CJ"`, `"cj"`), with or without the `RO-` prefix.
    pub fn from_code(code: &str) -> Option<County> {
        let code = code.trim();
        let code = code
            .strip_prefix("RO-")
            .or_else(|| code.strip_prefix("ro-"))
            .or_else(|| code.strip_prefix("Ro-"))
            .unwrap_or(code);
        County::ALL
            .iter()
            .copied()
            .find(|c| c.code().eq_ignore_ascii_case(code))
    }

    /// Parses a county from what a person or a provider wrote: a name with or without
    /// diacritics or a `jud.`/`judetul` prefix, an ISO or plate code, "Bucharest", or a
    /// Bucharest sector (which means the county is Bucharest).
    pub fn parse(input: &str) -> Result<County, UnknownCounty> {
        let folded = fold_romanian(input);
        if folded.is_empty() {
            return Err(UnknownCounty(input.to_owned()));
        }
        if let Some(c) = County::from_code(input.trim()) {
            return Ok(c);
        }
        let mut name = folded.as_str();
        for prefix in [
            "judetul ",
            "judet ",
            "jud ",
            "municipiul ",
            "mun ",
            "county of ",
        ] {
            if let Some(rest) = name.strip_prefix(prefix) {
                name = rest;
            }
        }
        let name = name.strip_suffix(" county").unwrap_or(name);
        if matches!(name, "bucuresti" | "bucharest" | "bucarest" | "bukarest")
            || name.ends_with(" bucuresti")
            || BucharestSector::parse(name).is_ok()
        {
            return Ok(County::Bucuresti);
        }
        County::ALL
            .iter()
            .copied()
            .find(|c| fold_romanian(c.ascii_name()) == name)
            .ok_or_else(|| UnknownCounty(input.to_owned()))
    }
}

impl fmt::Display for County {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for County {
    type Err = UnknownCounty;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        County::parse(s)
    }
}

impl Serialize for County {
    /// Serializes as the ISO code (`"RO-CJ"`), the stable form.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso_code())
    }
}

impl<'de> Deserialize<'de> for County {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        County::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One of Bucharest's six sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct BucharestSector(u8);

impl BucharestSector {
    /// Sector `n` (1 to 6).
    pub fn new(n: u8) -> Option<Self> {
        (1..=6).contains(&n).then_some(Self(n))
    }

    /// The sector's number, 1 to 6.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The name Sameday and most couriers use as the locality: `"Sectorul 3"`.
    pub fn locality_name(self) -> String {
        format!("Sectorul {}", self.0)
    }

    /// The e-Factura (CIUS-RO) city name: `"SECTOR3"`.
    pub fn efactura_city(self) -> String {
        format!("SECTOR{}", self.0)
    }

    /// Parses "Sector 3", "Sectorul 3", "sector3", "S3", "Bucuresti Sector 3",
    /// "Sector 3 Mun. Bucureşti" (ANAF's form).
    pub fn parse(input: &str) -> Result<Self, UnknownCounty> {
        let folded = fold_romanian(input);
        let words: Vec<&str> = folded.split(' ').collect();
        let digit_after =
            |idx: usize| -> Option<u8> { words.get(idx).and_then(|w| w.parse::<u8>().ok()) };
        for (i, word) in words.iter().enumerate() {
            let n = match *word {
                "sector" | "sectorul" | "sect" => digit_after(i + 1),
                w => w
                    .strip_prefix("sectorul")
                    .or_else(|| w.strip_prefix("sector"))
                    .or_else(|| (w.len() == 2).then(|| w.strip_prefix('s')).flatten())
                    .and_then(|d| d.parse::<u8>().ok()),
            };
            if let Some(sector) = n.and_then(BucharestSector::new) {
                return Ok(sector);
            }
        }
        Err(UnknownCounty(input.to_owned()))
    }
}

impl TryFrom<u8> for BucharestSector {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        BucharestSector::new(n).ok_or_else(|| format!("Bucharest has sectors 1 to 6, not {n}"))
    }
}

impl From<BucharestSector> for u8 {
    fn from(s: BucharestSector) -> u8 {
        s.0
    }
}

impl fmt::Display for BucharestSector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sector {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_42_with_unique_codes() {
        assert_eq!(County::ALL.len(), 42);
        let mut codes: Vec<_> = County::ALL.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 42);
    }

    #[test]
    fn parses_what_people_and_providers_write() {
        let cases = [
            ("Bucuresti", County::Bucuresti),
            ("București", County::Bucuresti),
            ("BUCUREŞTI", County::Bucuresti),
            ("Municipiul București", County::Bucuresti),
            ("MUNICIPIUL BUCUREŞTI", County::Bucuresti),
            ("Bucharest", County::Bucuresti),
            ("Sector 3", County::Bucuresti),
            ("Sectorul 6", County::Bucuresti),
            ("RO-B", County::Bucuresti),
            ("B", County::Bucuresti),
            ("Cluj", County::Cluj),
            ("CJ", County::Cluj),
            ("cj", County::Cluj),
            ("RO-CJ", County::Cluj),
            ("jud. Cluj", County::Cluj),
            ("Judetul Iasi", County::Iasi),
            ("Iași", County::Iasi),
            ("IAŞI", County::Iasi),
            ("Timiș", County::Timis),
            ("TIMIŞ", County::Timis),
            ("Bistrita Nasaud", County::BistritaNasaud),
            ("Bistrița-Năsăud", County::BistritaNasaud),
            ("Caraș Severin", County::CarasSeverin),
            ("Satu-Mare", County::SatuMare),
            ("  Dâmbovița ", County::Dambovita),
            ("Vâlcea", County::Valcea),
            ("Valcea", County::Valcea),
            ("Constanta", County::Constanta),
        ];
        for (input, expected) in cases {
            assert_eq!(County::parse(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn rejects_unknown_names() {
        for input in ["", "Atlantis", "RO-XX", "Sector 7", "Clu"] {
            let err = County::parse(input).unwrap_err();
            assert_eq!(err.0, input);
        }
        assert!(
            County::parse("Atlantis")
                .unwrap_err()
                .to_string()
                .contains("unknown Romanian county")
        );
    }

    #[test]
    fn every_county_round_trips_through_name_ascii_name_and_code() {
        for &c in County::ALL {
            assert_eq!(County::parse(c.name()), Ok(c));
            assert_eq!(County::parse(c.ascii_name()), Ok(c));
            assert_eq!(County::parse(&c.iso_code()), Ok(c));
            assert!(c.ascii_name().is_ascii());
        }
    }

    #[test]
    fn bucharest_sectors() {
        for (input, n) in [
            ("Sector 1", 1),
            ("sectorul 2", 2),
            ("SECTOR3", 3),
            ("S4", 4),
            ("Bucuresti, Sector 5", 5),
            ("Sector 6 Mun. Bucureşti", 6),
        ] {
            assert_eq!(
                BucharestSector::parse(input).map(|s| s.number()),
                Ok(n),
                "{input}"
            );
        }
        assert!(BucharestSector::parse("Sector 0").is_err());
        assert!(BucharestSector::parse("Sector 7").is_err());
        assert!(BucharestSector::parse("Cluj").is_err());
        let s = BucharestSector::new(2).unwrap();
        assert_eq!(s.locality_name(), "Sectorul 2");
        assert_eq!(s.efactura_city(), "SECTOR2");
    }

    #[test]
    fn serializes_as_iso_code() {
        assert_eq!(serde_json::to_string(&County::Arges).unwrap(), r#""RO-AG""#);
        let c: County = serde_json::from_str(r#""Argeș""#).unwrap();
        assert_eq!(c, County::Arges);
    }
}
