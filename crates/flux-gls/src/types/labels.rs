//! Label methods: `PrintLabels`, `PrepareLabels`, `GetPrintedLabels`, `GetPrintData`,
//! `DeleteLabels`.

use std::fmt;

use flux_core::courier::LabelFormat;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::parcel::Parcel;
use crate::ErrorInfo;

/// `TypeOfPrinter`: the label layout. Unknown values are kept in [`TypeOfPrinter::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TypeOfPrinter {
    /// `A4_2x2`: four labels on an A4 sheet, 2×2 (the default).
    #[default]
    A4TwoByTwo,
    /// `A4_4x1`: four labels on an A4 sheet, in a column.
    A4FourByOne,
    /// `Connect`: the GLS Connect printer layout.
    Connect,
    /// `Thermo`: PDF for a thermal printer.
    Thermo,
    /// `ThermoZPL`: ZPL, 203 dpi.
    ThermoZpl,
    /// `ThermoZPL_300DPI`: ZPL, 300 dpi.
    ThermoZpl300Dpi,
    /// `ShipItThermoPdf`.
    ShipItThermoPdf,
    /// `ShipItThermoZpl` (accepted by `GetPrintedLabels` only, per the 2025-12 docs).
    ShipItThermoZpl,
    /// Any other value, kept as given.
    Other(String),
}

impl TypeOfPrinter {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::A4TwoByTwo => "A4_2x2",
            Self::A4FourByOne => "A4_4x1",
            Self::Connect => "Connect",
            Self::Thermo => "Thermo",
            Self::ThermoZpl => "ThermoZPL",
            Self::ThermoZpl300Dpi => "ThermoZPL_300DPI",
            Self::ShipItThermoPdf => "ShipItThermoPdf",
            Self::ShipItThermoZpl => "ShipItThermoZpl",
            Self::Other(s) => s,
        }
    }

    /// Parses a wire value.
    pub fn parse(value: &str) -> Self {
        match value {
            "A4_2x2" => Self::A4TwoByTwo,
            "A4_4x1" => Self::A4FourByOne,
            "Connect" => Self::Connect,
            "Thermo" => Self::Thermo,
            "ThermoZPL" => Self::ThermoZpl,
            "ThermoZPL_300DPI" => Self::ThermoZpl300Dpi,
            "ShipItThermoPdf" => Self::ShipItThermoPdf,
            "ShipItThermoZpl" => Self::ShipItThermoZpl,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether this is an A4 layout (`PrintPosition` is only accepted for these).
    pub fn is_a4(&self) -> bool {
        matches!(self, Self::A4TwoByTwo | Self::A4FourByOne)
    }

    /// Whether the bytes are ZPL rather than PDF.
    pub fn is_zpl(&self) -> bool {
        matches!(
            self,
            Self::ThermoZpl | Self::ThermoZpl300Dpi | Self::ShipItThermoZpl
        )
    }

    /// The printer type for a trait-level label format, if GLS offers it.
    pub fn for_format(format: LabelFormat) -> Option<Self> {
        match format {
            LabelFormat::PdfA4TwoByTwo => Some(Self::A4TwoByTwo),
            LabelFormat::PdfA4FourByOne => Some(Self::A4FourByOne),
            LabelFormat::PdfThermal | LabelFormat::PdfA6 => Some(Self::Thermo),
            LabelFormat::Zpl => Some(Self::ThermoZpl),
            _ => None,
        }
    }

    /// The trait-level label format of these bytes.
    pub fn label_format(&self) -> LabelFormat {
        match self {
            Self::A4TwoByTwo => LabelFormat::PdfA4TwoByTwo,
            Self::A4FourByOne => LabelFormat::PdfA4FourByOne,
            t if t.is_zpl() => LabelFormat::Zpl,
            _ => LabelFormat::PdfThermal,
        }
    }
}

impl fmt::Display for TypeOfPrinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TypeOfPrinter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TypeOfPrinter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

/// How labels are laid out on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrintOptions {
    /// The layout.
    pub type_of_printer: TypeOfPrinter,
    /// Where on an A4 sheet the first label goes, 1–4 (ignored for other layouts).
    pub print_position: u8,
    /// Ask the PDF viewer to open the print dialog.
    pub show_print_dialog: bool,
}

impl Default for PrintOptions {
    fn default() -> Self {
        Self::new(TypeOfPrinter::default())
    }
}

impl PrintOptions {
    /// Options for `type_of_printer`, first position, no print dialog.
    pub fn new(type_of_printer: TypeOfPrinter) -> Self {
        Self {
            type_of_printer,
            print_position: 1,
            show_print_dialog: false,
        }
    }

    /// The `PrintPosition` to send: only for A4 layouts, clamped to 1–4.
    pub(crate) fn position(&self) -> Option<u8> {
        self.type_of_printer
            .is_a4()
            .then(|| self.print_position.clamp(1, 4))
    }
}

/// `PrintLabels` request: creates the parcels and returns their labels in one call.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PrintLabelsRequest<'a> {
    pub(crate) parcel_list: &'a [Parcel],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) print_position: Option<u8>,
    pub(crate) show_print_dialog: bool,
    pub(crate) type_of_printer: &'a TypeOfPrinter,
}

/// `PrintLabelsInfo`: the ids of a created parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PrintLabelsInfo {
    /// The database id (for `GetPrintedLabels`, `DeleteLabels`, `ModifyCOD`).
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_id: Option<i64>,
    /// The barcode number (for tracking).
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_number: Option<i64>,
    /// Our reference.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub client_reference: Option<String>,
}

/// `PrintLabels` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PrintLabelsResponse {
    /// The label document (PDF or ZPL bytes).
    #[serde(default, deserialize_with = "crate::wire::bytes_option::deserialize")]
    pub labels: Option<Vec<u8>>,
    /// One entry per created parcel (package).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub print_labels_info_list: Vec<PrintLabelsInfo>,
    /// Errors of the parcels that were not created (partial success keeps the rest).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub print_labels_error_list: Vec<ErrorInfo>,
}
super::gls_response!(PrintLabelsResponse, print_labels_error_list, |s| !s
    .print_labels_info_list
    .is_empty());

/// `PrepareLabels` request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PrepareLabelsRequest<'a> {
    pub(crate) parcel_list: &'a [Parcel],
}

/// `ParcelInfo`: a prepared parcel (it has no `ParcelNumber` until printed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ParcelInfo {
    /// The database id.
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_id: Option<i64>,
    /// Our reference.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub client_reference: Option<String>,
}

/// `PrepareLabels` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PrepareLabelsResponse {
    /// The prepared parcels.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub parcel_info_list: Vec<ParcelInfo>,
    /// Errors (note the name: `PrepareLabelsError`, not `…ErrorList`).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub prepare_labels_error: Vec<ErrorInfo>,
}
super::gls_response!(PrepareLabelsResponse, prepare_labels_error, |s| !s
    .parcel_info_list
    .is_empty());

/// `GetPrintedLabels` request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetPrintedLabelsRequest<'a> {
    pub(crate) parcel_id_list: &'a [i64],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) print_position: Option<u8>,
    pub(crate) show_print_dialog: bool,
    pub(crate) type_of_printer: &'a TypeOfPrinter,
}

/// `PrintDataInfo`: a parcel with its numbers and routing data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PrintDataInfo {
    /// The parcel as sent (in `GetParcelList` / `GetPrintData`).
    #[serde(default)]
    pub parcel: Option<Parcel>,
    /// The database id.
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_id: Option<i64>,
    /// The barcode number.
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_number: Option<i64>,
    /// The barcode number with its check digit.
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_number_with_checkdigit: Option<i64>,
    /// Our reference.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub client_reference: Option<String>,
    /// Depot number.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub depot_number: Option<String>,
    /// Depot.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub depot: Option<String>,
    /// Driver (tour).
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub driver: Option<String>,
    /// Sort code.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub sort: Option<String>,
    /// B2C marker.
    #[serde(
        rename = "B2CChar",
        default,
        deserialize_with = "crate::wire::string_option::deserialize"
    )]
    pub b2c_char: Option<String>,
}

/// `GetPrintedLabels` response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetPrintedLabelsResponse {
    /// The label document.
    #[serde(default, deserialize_with = "crate::wire::bytes_option::deserialize")]
    pub labels: Option<Vec<u8>>,
    /// The parcels printed, with their numbers.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub print_data_info_list: Vec<PrintDataInfo>,
    /// Errors (18: already printed by `PrintLabels`).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub get_printed_labels_error_list: Vec<ErrorInfo>,
}
super::gls_response!(
    GetPrintedLabelsResponse,
    get_printed_labels_error_list,
    |s| s.labels.is_some()
);

/// `GetPrintData` request: parcels or parcel ids.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetPrintDataRequest<'a> {
    pub(crate) parcel_list: &'a [Parcel],
    pub(crate) parcel_id_list: &'a [i64],
}

/// `GetPrintData` response: the data to print labels yourself.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetPrintDataResponse {
    /// One entry per parcel.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub print_data_info_list: Vec<PrintDataInfo>,
    /// Errors.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub get_print_data_error_list: Vec<ErrorInfo>,
}
super::gls_response!(GetPrintDataResponse, get_print_data_error_list, |s| !s
    .print_data_info_list
    .is_empty());

/// `DeleteLabels` request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteLabelsRequest<'a> {
    pub(crate) parcel_id_list: &'a [i64],
}

/// A deleted parcel and the sub-parcels (other packages) deleted with it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeletedParcel {
    /// The deleted `ParcelId`.
    #[serde(default, deserialize_with = "crate::wire::id_option::deserialize")]
    pub parcel_id: Option<i64>,
    /// Packages of the same shipment deleted with it.
    #[serde(default, deserialize_with = "crate::wire::id_list::deserialize")]
    pub sub_parcel_id_list: Vec<i64>,
}

/// `DeleteLabels` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeleteLabelsResponse {
    /// What was deleted.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub successfully_deleted_list: Vec<DeletedParcel>,
    /// What was not (6: not in PRINTED state any more; 4: unknown id).
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub delete_labels_error_list: Vec<ErrorInfo>,
}
super::gls_response!(DeleteLabelsResponse, delete_labels_error_list, |s| !s
    .successfully_deleted_list
    .is_empty());

impl DeleteLabelsResponse {
    /// Every deleted id, sub-parcels included.
    pub fn deleted_ids(&self) -> Vec<i64> {
        self.successfully_deleted_list
            .iter()
            .flat_map(|d| {
                d.parcel_id
                    .into_iter()
                    .chain(d.sub_parcel_id_list.iter().copied())
            })
            .collect()
    }
}
