//! Typed request and response bodies, spelled exactly as Oblio's JSON.
//!
//! - [`document`]: the create-document body (invoice, proforma, notice), its client, lines,
//!   discounts, reference document (storno, invoice from proforma) and collect.
//! - [`response`]: created documents, documents read back, list rows, e-Factura status.
//! - [`nomenclature`]: companies, VAT rates, clients, products, series, languages,
//!   management (stock rooms).
//! - [`webhook`]: webhooks and their topics.
//!
//! Provider codes (payment types, document types, topics, e-Factura codes) are open
//! enums: a value this crate does not know decodes as `Other`, never as an error.

/// Defines an open string enum: known values plus `Other(String)`, with serde, `Display`
/// and `From<&str>`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know, kept exactly as Oblio sent it.
            Other(String),
        }

        impl $name {
            /// The exact string Oblio uses.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => Self::$variant, )+
                    other => {
                        tracing::warn!(value = other, "unknown value for {}", stringify!($name));
                        Self::Other(other.to_owned())
                    }
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
                let s = String::deserialize(d)?;
                Ok(Self::from(s.as_str()))
            }
        }
    };
}

pub mod document;
pub mod nomenclature;
pub mod response;
pub mod webhook;

pub use document::{
    ClientLocation, Collect, CreateDocument, DiscountLine, DiscountType, DocumentClient,
    DocumentLine, PaymentType, ProductLine, ProductType, ReferenceDocument, ReferenceDocumentType,
};
pub use nomenclature::{
    ClientFilter, Company, Language, Management, NomenclatureClient, Product, ProductFilter,
    ProductStock, Series, VatRate,
};
pub use response::{
    CollectEntry, CreatedDocument, Document, DocumentAction, DocumentSummary, DocumentTypeName,
    EinvoiceCode, EinvoiceStatus, ListClient, ListDocuments, OrderBy, OrderDir,
};
pub use webhook::{Webhook, WebhookTopic};
