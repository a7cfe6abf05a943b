//! Typed requests and responses, shaped exactly like FAN Courier's v2 wire format.
//!
//! Every code FAN may extend (services, options, event codes, payment parties, pickup
//! point types) is an open enum: an unknown value is kept as `Other(String)`.

pub mod awb;
pub mod label;
pub mod nomenclature;
pub mod order;
pub mod pickup_point;
pub mod reports;
pub mod tariff;
pub mod tracking;

use serde::Deserialize;

use crate::wire;

/// The `{"status":"success","data":…}` envelope most endpoints use.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) errors: Option<serde_json::Value>,
    #[serde(default = "none")]
    pub(crate) data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// One page of a paginated report (`total`, `perPage`, `currentPage` sit next to `data`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The entries of this page.
    pub items: Vec<T>,
    /// How many entries the report has in all.
    pub total: u32,
    /// Entries per page.
    pub per_page: u32,
    /// This page's number (1-based).
    pub current_page: u32,
}

impl<T> Page<T> {
    /// Whether pages after this one exist.
    pub fn has_next(&self) -> bool {
        self.per_page > 0
            && !self.items.is_empty()
            && u64::from(self.current_page) * u64::from(self.per_page) < u64::from(self.total)
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PagedEnvelope<T> {
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "wire::count")]
    pub(crate) total: u32,
    #[serde(default, rename = "perPage", deserialize_with = "wire::count")]
    pub(crate) per_page: u32,
    #[serde(default, rename = "currentPage", deserialize_with = "wire::count")]
    pub(crate) current_page: u32,
    #[serde(default = "Vec::new")]
    pub(crate) data: Vec<T>,
}

/// FAN's `language` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Language {
    /// Romanian (`ro`), FAN's default.
    #[default]
    Ro,
    /// English (`en`).
    En,
}

impl Language {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ro => "ro",
            Self::En => "en",
        }
    }
}

/// Declares an open string enum: known values, plus `Other(String)` for anything new.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know yet, kept as FAN sent it.
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(s) => s.as_str(),
                }
            }

            /// Parses a wire value (exact match; anything else is `Other`).
            pub fn parse(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = crate::wire::string(d)?;
                Ok(Self::parse(&s))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }
    };
}
pub(crate) use open_enum;
