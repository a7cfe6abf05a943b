//! Label operations: create and print (`PrintLabels`), create for later printing
//! (`PrepareLabels`), print or reprint (`GetPrintedLabels`), print data
//! (`GetPrintData`), and delete (`DeleteLabels`, the cancellation).

use crate::client::GlsClient;
use crate::error::GlsError;
use crate::types::{
    DeleteLabelsRequest, DeleteLabelsResponse, GetPrintDataRequest, GetPrintDataResponse,
    GetPrintedLabelsRequest, GetPrintedLabelsResponse, Parcel, PrepareLabelsRequest,
    PrepareLabelsResponse, PrintLabelsRequest, PrintLabelsResponse, PrintOptions,
};

/// Most parcels one `PrintLabels` / `PrepareLabels` call should carry.
pub const MAX_PARCELS_PER_CALL: usize = 99;
/// Most ids one `GetPrintedLabels` call accepts.
pub const MAX_PRINTED_LABELS_IDS: usize = 99;
/// Most ids one `DeleteLabels` call accepts.
pub const MAX_DELETE_IDS: usize = 50;

fn check_len(field: &str, len: usize, max: usize) -> Result<(), GlsError> {
    if len == 0 {
        return Err(GlsError::InvalidInput {
            field: field.into(),
            message: "at least one item is needed".into(),
        });
    }
    if len > max {
        return Err(GlsError::InvalidInput {
            field: field.into(),
            message: format!("at most {max} items per call, got {len}"),
        });
    }
    Ok(())
}

impl GlsClient {
    /// `PrintLabels`: creates the parcels and returns their labels in one call, with the
    /// client's default [`PrintOptions`].
    ///
    /// This is never retried automatically (it creates parcels). A label can be printed
    /// only once: keep `labels`. If some parcels fail and others succeed, the response
    /// carries both `print_labels_info_list` and `print_labels_error_list`.
    pub async fn print_labels(&self, parcels: &[Parcel]) -> Result<PrintLabelsResponse, GlsError> {
        let options = self.inner.print.clone();
        self.print_labels_with(parcels, &options).await
    }

    /// `PrintLabels` with explicit print options.
    pub async fn print_labels_with(
        &self,
        parcels: &[Parcel],
        options: &PrintOptions,
    ) -> Result<PrintLabelsResponse, GlsError> {
        check_len("ParcelList", parcels.len(), MAX_PARCELS_PER_CALL)?;
        let body = PrintLabelsRequest {
            parcel_list: parcels,
            print_position: options.position(),
            show_print_dialog: options.show_print_dialog,
            type_of_printer: &options.type_of_printer,
        };
        let response: PrintLabelsResponse = self.call("PrintLabels", &body, false, true).await?;
        if response.print_labels_info_list.is_empty() {
            return Err(GlsError::NotConfirmed {
                method: "PrintLabels",
                message: "no parcel came back and no error either".into(),
                maybe_sent: true,
            });
        }
        Ok(response)
    }

    /// `PrepareLabels`: creates the parcels without printing. They get a `ParcelId` now
    /// and a `ParcelNumber` when printed with [`get_printed_labels`](Self::get_printed_labels),
    /// which can be repeated (reprints).
    pub async fn prepare_labels(
        &self,
        parcels: &[Parcel],
    ) -> Result<PrepareLabelsResponse, GlsError> {
        check_len("ParcelList", parcels.len(), MAX_PARCELS_PER_CALL)?;
        let body = PrepareLabelsRequest {
            parcel_list: parcels,
        };
        let response: PrepareLabelsResponse =
            self.call("PrepareLabels", &body, false, true).await?;
        if response.parcel_info_list.is_empty() {
            return Err(GlsError::NotConfirmed {
                method: "PrepareLabels",
                message: "no parcel came back and no error either".into(),
                maybe_sent: true,
            });
        }
        Ok(response)
    }

    /// `GetPrintedLabels`: the labels of parcels by `ParcelId`, with the client's default
    /// print options. Fails with [`GlsError::LabelAlreadyPrinted`] (error 18) for parcels
    /// created by `PrintLabels`.
    pub async fn get_printed_labels(
        &self,
        parcel_ids: &[i64],
    ) -> Result<GetPrintedLabelsResponse, GlsError> {
        let options = self.inner.print.clone();
        self.get_printed_labels_with(parcel_ids, &options).await
    }

    /// `GetPrintedLabels` with explicit print options.
    pub async fn get_printed_labels_with(
        &self,
        parcel_ids: &[i64],
        options: &PrintOptions,
    ) -> Result<GetPrintedLabelsResponse, GlsError> {
        check_len("ParcelIdList", parcel_ids.len(), MAX_PRINTED_LABELS_IDS)?;
        let body = GetPrintedLabelsRequest {
            parcel_id_list: parcel_ids,
            print_position: options.position(),
            show_print_dialog: options.show_print_dialog,
            type_of_printer: &options.type_of_printer,
        };
        // Printing prepared parcels again gives the same labels: safe to repeat.
        let response: GetPrintedLabelsResponse =
            self.call("GetPrintedLabels", &body, true, false).await?;
        if response.labels.is_none() {
            return Err(GlsError::NotConfirmed {
                method: "GetPrintedLabels",
                message: "the answer carried no label document".into(),
                maybe_sent: false,
            });
        }
        Ok(response)
    }

    /// `GetPrintData` by `ParcelId`: the numbers and routing data to print labels
    /// yourself.
    pub async fn get_print_data(
        &self,
        parcel_ids: &[i64],
    ) -> Result<GetPrintDataResponse, GlsError> {
        check_len("ParcelIdList", parcel_ids.len(), MAX_PRINTED_LABELS_IDS)?;
        let body = GetPrintDataRequest {
            parcel_list: &[],
            parcel_id_list: parcel_ids,
        };
        self.call("GetPrintData", &body, true, false).await
    }

    /// `GetPrintData` for new parcels: creates them and returns their print data
    /// (never retried automatically).
    pub async fn get_print_data_for_parcels(
        &self,
        parcels: &[Parcel],
    ) -> Result<GetPrintDataResponse, GlsError> {
        check_len("ParcelList", parcels.len(), MAX_PARCELS_PER_CALL)?;
        let body = GetPrintDataRequest {
            parcel_list: parcels,
            parcel_id_list: &[],
        };
        self.call("GetPrintData", &body, false, true).await
    }

    /// `DeleteLabels`: deletes (cancels) parcels by `ParcelId`, at most 50 per call.
    /// GLS deletes only parcels it has not scanned yet (error 6 otherwise). A partial
    /// success returns the response with both lists filled.
    pub async fn delete_labels(
        &self,
        parcel_ids: &[i64],
    ) -> Result<DeleteLabelsResponse, GlsError> {
        check_len("ParcelIdList", parcel_ids.len(), MAX_DELETE_IDS)?;
        let body = DeleteLabelsRequest {
            parcel_id_list: parcel_ids,
        };
        self.call("DeleteLabels", &body, false, false).await
    }
}
