//! Parcel operations: the parcel list (`GetParcelList`) and COD changes (`ModifyCOD`).

use rust_decimal::Decimal;

use crate::client::GlsClient;
use crate::error::GlsError;
use crate::types::{GetParcelListResponse, ModifyCodRequest, ModifyCodResponse, ParcelListQuery};

impl GlsClient {
    /// `GetParcelList`: the account's parcels by pickup and/or print date.
    pub async fn parcel_list(
        &self,
        query: &ParcelListQuery,
    ) -> Result<GetParcelListResponse, GlsError> {
        if query.pickup_date_from.is_none()
            && query.pickup_date_to.is_none()
            && query.print_date_from.is_none()
            && query.print_date_to.is_none()
        {
            return Err(GlsError::InvalidInput {
                field: "query".into(),
                message: "give a pickup or a print date range".into(),
            });
        }
        self.call("GetParcelList", query, true, false).await
    }

    /// `ModifyCOD`: sets the COD amount of a parcel (by `ParcelId`, `ParcelNumber` or
    /// both). Succeeds only when GLS answers `"Successful": true`.
    pub async fn modify_cod(
        &self,
        parcel_id: Option<i64>,
        parcel_number: Option<i64>,
        amount: Decimal,
    ) -> Result<(), GlsError> {
        if parcel_id.is_none() && parcel_number.is_none() {
            return Err(GlsError::InvalidInput {
                field: "ParcelId".into(),
                message: "a ParcelId or a ParcelNumber is needed".into(),
            });
        }
        if amount.is_sign_negative() {
            return Err(GlsError::InvalidInput {
                field: "CODAmount".into(),
                message: format!("must be zero or more, got {amount}"),
            });
        }
        let body = ModifyCodRequest {
            parcel_id,
            parcel_number,
            cod_amount: amount,
        };
        // Setting an absolute amount twice has the same effect: safe to repeat.
        let response: ModifyCodResponse = self.call("ModifyCOD", &body, true, false).await?;
        if response.successful != Some(true) {
            return Err(GlsError::NotConfirmed {
                method: "ModifyCOD",
                message: "GLS did not answer \"Successful\": true, so the amount may be unchanged"
                    .into(),
                maybe_sent: true,
            });
        }
        Ok(())
    }
}
