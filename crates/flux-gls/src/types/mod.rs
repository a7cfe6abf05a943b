//! The MyGLS wire types, field for field (PascalCase JSON).
//!
//! - [`parcel`]: `Parcel`, `Address`, services (`ServiceList`).
//! - [`labels`]: `PrintLabels`, `PrepareLabels`, `GetPrintedLabels`, `GetPrintData`,
//!   `DeleteLabels` and the printer types.
//! - [`parcels`]: `GetParcelList`, `ModifyCOD`.
//! - [`status`]: `GetParcelStatuses`, `GetParcelListStatuses` and the status codes.

pub mod labels;
pub mod parcel;
pub mod parcels;
pub mod status;

pub use labels::*;
pub use parcel::*;
pub use parcels::*;
pub use status::*;

/// A response carrying a method-specific error list.
pub(crate) trait GlsResponse {
    /// The error list.
    fn errors(&self) -> &[crate::ErrorInfo];
    /// Takes the error list out (for building an error).
    fn take_errors(&mut self) -> Vec<crate::ErrorInfo>;
    /// Whether the response also carries results (a partial success).
    fn has_results(&self) -> bool;
}

macro_rules! gls_response {
    ($ty:ty, $errors:ident, |$s:ident| $results:expr) => {
        impl crate::types::GlsResponse for $ty {
            fn errors(&self) -> &[crate::ErrorInfo] {
                &self.$errors
            }
            fn take_errors(&mut self) -> Vec<crate::ErrorInfo> {
                std::mem::take(&mut self.$errors)
            }
            fn has_results(&self) -> bool {
                let $s = self;
                $results
            }
        }
    };
}
pub(crate) use gls_response;
